/* crm-segment: customer classes (seed tree), VIP flag, named RFM segments, summaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer/agg.h"
#include "customer/campaign.h"
#include "customer/care.h"
#include "cli.h"
#include "customer/kpi.h"
#include "text/outrows.h"
#include "customer/rfm.h"
#include "scale/scale.h"
#include "customer/segment.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-segment [OPTIONS] [INPUT]\n"
    "Put every customer in one class (malicious, no-order, no-sale, new, dormant, or the RFM\n"
    "tier P/G/S/B), flag VIPs and name their RFM segment (Champions, At Risk, ...).\n"
    "INPUT is a store from crm-import, or any order file (imported on the fly); omitted or -\n"
    "is stdin. One CSV row per customer, in the store's customer order.\n"
    "\n"
    "      --as-of DATE         evaluation date, YYYY-MM-DD or today (default: the day after\n"
    "                           the latest order)\n"
    "      --max-age DAYS       exit 1 when the newest order is more than DAYS days\n"
    "                           before the as-of date (a stale export)\n"
    "      --window DAYS|all    orders of the DAYS days before the as-of date count (365)\n"
    "      --summary            one row per class: customers, share, revenue, revenue share,\n"
    "                           average order value\n"
    "      --by WHAT            with --summary: class (default), segment or vip\n"
    "      --new-days N         new: first paid order at most N days ago (30)\n"
    "      --dormant-days N     dormant: no paid order in the last N days (180)\n"
    "      --vip-orders N       VIP: at least N paid orders in the window (3),\n"
    "      --vip-items N        at least N items (10)\n"
    "      --vip-money AMOUNT   and at least AMOUNT in money (10000)\n"
    "      --rules FILE         segment rules CSV: segment,r_min,r_max,f_min,f_max,m_min,m_max\n"
    "      --care               the day's contact list: birthday, after-7d, after-28d,\n"
    "                           vip-expiring, win-back (one row per customer and reason)\n"
    "      --on DATE            the day of the care list (default: the as-of date)\n"
    "      --reasons LIST       only these reasons (comma-separated)\n"
    "      --vip-remind DAYS    list VIPs this many days before their status lapses (30)\n"
    "      --holdout F          with --care: add a group column, control for about F of the\n"
    "                           customers (as crm-campaign split; needs --salt NAME)\n"
    "      --salt NAME          names the campaign whose control group --holdout draws\n"
    "      --kpi                shop figures per period: orders, paying/new/returning\n"
    "                           customers, repeat rate, revenue, average order value, growth\n"
    "      --period P           with --kpi: month (default), week or quarter\n"
    "      --scheme S           scores shown in r,f,m,score: seed (default, the tier's) or\n"
    "                           quintile (the segment's)\n"
    "      --monetary M, --net, --r-bins, --f-bins, --m-bins, --weights, --tiers\n"
    "                           RFM options as for crm-rfm (the tier uses the seed scheme)\n"
    "      --emit-partial FILE  scale-out (docs/SCALE.md): write this partition's partial\n"
    "                           to FILE (- for stdout) instead: quintile runs (default),\n"
    "                           group counts (--summary) or period counts (--kpi); needs\n"
    "                           --as-of\n"
    "      --merge-partials     read partial FILEs (the arguments; none or -: stdin) and\n"
    "                           print the segments' quintile cut points, or the --summary\n"
    "                           or --kpi table of them all\n"
    "      --cuts FILE          name segments with those cut points (the whole's); the\n"
    "                           as-of date defaults to theirs\n"
    "  -o, --output FILE        write FILE atomically instead of stdout\n"
    "      --tsv, --bom         tab-separated; UTF-8 BOM and CRLF for spreadsheets\n"
    "      --format F           csv (default), tsv or xlsx (-o NAME.xlsx implies xlsx)\n"
    "      --escape-formulas, --decimal-comma\n"
    "                           spreadsheet-safe CSV, as in crm-rfm(1)\n"
    "  -v, --verbose            as-of date and counts on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-segment --summary shop.crm\n"
    "  crm-segment --as-of 2024-07-01 shop.crm | grep ',yes,' | head\n"
    "  crm-segment --summary --by segment --rules my-segments.csv shop.crm\n"
    "  crm-segment --care --as-of today shop.crm -o care-$(date +%F).csv\n"
    "  crm-segment --kpi --period quarter shop.crm\n"
    "  crm-segment --summary --by segment --cuts cuts.crmp --emit-partial s.3 shop.3.crm\n";

enum {
    OPT_WINDOW = CLI_TOOL_OPTS, OPT_RFM, OPT_SEG, OPT_NET, OPT_SUMMARY, OPT_BY, OPT_RULES,
    OPT_CARE, OPT_ON, OPT_REASONS, OPT_REMIND, OPT_KPI, OPT_PERIOD, OPT_EMIT, OPT_MERGE,
    OPT_CUTS, OPT_HOLDOUT, OPT_SALT,
};

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"window", required_argument, NULL, OPT_WINDOW},
    {"scheme", required_argument, NULL, OPT_RFM},
    {"monetary", required_argument, NULL, OPT_RFM},
    {"r-bins", required_argument, NULL, OPT_RFM},
    {"f-bins", required_argument, NULL, OPT_RFM},
    {"m-bins", required_argument, NULL, OPT_RFM},
    {"weights", required_argument, NULL, OPT_RFM},
    {"tiers", required_argument, NULL, OPT_RFM},
    {"net", no_argument, NULL, OPT_NET},
    {"new-days", required_argument, NULL, OPT_SEG},
    {"dormant-days", required_argument, NULL, OPT_SEG},
    {"vip-orders", required_argument, NULL, OPT_SEG},
    {"vip-items", required_argument, NULL, OPT_SEG},
    {"vip-money", required_argument, NULL, OPT_SEG},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"by", required_argument, NULL, OPT_BY},
    {"rules", required_argument, NULL, OPT_RULES},
    {"care", no_argument, NULL, OPT_CARE},
    {"on", required_argument, NULL, OPT_ON},
    {"reasons", required_argument, NULL, OPT_REASONS},
    {"vip-remind", required_argument, NULL, OPT_REMIND},
    {"kpi", no_argument, NULL, OPT_KPI},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"emit-partial", required_argument, NULL, OPT_EMIT},
    {"merge-partials", no_argument, NULL, OPT_MERGE},
    {"cuts", required_argument, NULL, OPT_CUTS},
    {"holdout", required_argument, NULL, OPT_HOLDOUT},
    {"salt", required_argument, NULL, OPT_SALT},
    {NULL, 0, NULL, 0},
};

static void put_summary(struct cli *c, const struct crm_segment_summary *sum,
                        enum crm_segment_by by, int scale)
{
    c->sheet = "segment-summary";
    struct crm_out *o = cli_open_output(c);
    crm_out_header(o, by == CRM_SEGMENT_BY_CLASS ? "class,customers,share,revenue,"
                      "revenue_share,avg_order_value"
                      : by == CRM_SEGMENT_BY_VIP ? "vip,customers,share,revenue,revenue_share,"
                      "avg_order_value" : "segment,customers,share,revenue,revenue_share,"
                      "avg_order_value");
    for (size_t k = 0; k < sum->n; k++) {
        const struct crm_segment_group *g = &sum->group[k];
        crm_out_cstr(o, g->name);
        crm_out_int(o, (long long)g->customers);
        crm_out_fixed(o, g->share, 7);
        crm_out_money(o, g->revenue, scale);
        crm_out_fixed(o, g->revenue_share, 7);
        if (g->has_avg)
            crm_out_money(o, g->avg_order_value, scale);
        else
            crm_out_empty(o);
        crm_out_end_row(o);
    }
    cli_close_output(c, o);
}

struct rows_ctx {
    const struct crm_store *s;
    const struct crm_segment *seg;
    int quintile, scale;
};

/* One customer's row (called from two threads: reads only). */
static void customer_row(struct crm_out *o, size_t k, void *ctx)
{
    const struct rows_ctx *x = ctx;
    struct crm_segment_row row;
    crm_segment_customer(x->seg, (uint32_t)k, &row);
    if (row.cls == CRM_CLASS_NONE)
        return;
    const struct crm_rfm_row *r = x->quintile ? &row.quint : &row.seed;
    size_t len;
    const char *id = crm_store_customer_id(x->s, (uint32_t)k, &len);
    crm_out_str(o, id, len);
    crm_out_cstr(o, crm_class_name(row.cls));
    crm_out_cstr(o, row.vip ? "yes" : "no");
    crm_out_cstr(o, crm_segment_name(x->seg, row.segment));
    if (r->scored) {
        crm_out_int(o, r->r);
        crm_out_int(o, r->f);
        crm_out_int(o, r->m);
        crm_out_int(o, r->score);
        crm_out_int(o, r->recency_days);
    } else {
        for (int i = 0; i < 5; i++)
            crm_out_empty(o);
    }
    crm_out_int(o, r->frequency);
    crm_out_money(o, r->monetary_total, x->scale);
    crm_out_end_row(o);
}

static void put_customers(struct cli *c, const struct crm_store *s, const struct crm_agg *a,
                          const struct crm_segment *seg, int quintile, int scale)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_out *o = cli_open_output(c);
    crm_out_header(o, "customer_id,class,vip,segment,r,f,m,score,recency_days,frequency,"
                      "monetary_total");
    struct rows_ctx x = {s, seg, quintile, scale};
    if (crm_outrows_write(o, a->n, customer_row, &x, &e) != CRM_OK) {
        crm_out_free(o);
        cli_die(c, &e);
    }
    cli_close_output(c, o);
}

/* The care list; with a salt, each row's control or treatment group (crm-campaign split). */
static void put_care(struct cli *c, const struct crm_store *s, const struct crm_care *k,
                     int scale, double holdout, const char *salt)
{
    c->sheet = "care";
    struct crm_out *o = cli_open_output(c);
    crm_out_header(o, salt ? "customer_id,reason,due_date,class,tier,last_order,detail,group"
                           : "customer_id,reason,due_date,class,tier,last_order,detail");
    for (size_t i = 0; i < crm_care_count(k) && !crm_out_failed(o); i++) {
        const struct crm_care_item *it = crm_care_item(k, i);
        char detail[160];
        size_t len, dl = crm_care_detail(it, scale, detail, sizeof detail);
        const char *id = crm_store_customer_id(s, it->customer, &len);
        crm_out_str(o, id, len);
        crm_out_cstr(o, crm_care_reason_name(it->reason));
        crm_out_date(o, it->due);
        crm_out_cstr(o, crm_class_name(it->cls));
        crm_out_str(o, &it->tier, it->tier ? 1 : 0);
        if (it->last_order != CRM_NO_DAY)
            crm_out_date(o, it->last_order);
        else
            crm_out_empty(o);
        crm_out_str(o, detail, dl);
        if (salt)
            crm_out_cstr(o, crm_campaign_group_name(crm_campaign_assign(salt, strlen(salt), id,
                                                                        len, holdout)));
        crm_out_end_row(o);
    }
    cli_close_output(c, o);
}

static void put_kpi(struct cli *c, const struct crm_kpi *k, int scale)
{
    c->sheet = "kpi";
    struct crm_out *o = cli_open_output(c);
    crm_out_header(o, "period,start,end,orders,paying_customers,new_customers,"
                      "returning_customers,repeat_rate,revenue,avg_order_value,"
                      "orders_per_customer,revenue_growth,customer_growth,refund_rate");
    for (size_t i = 0; i < crm_kpi_count(k); i++) {
        struct crm_kpi_row r;
        crm_kpi_row(k, i, &r);
        crm_out_cstr(o, r.label);
        crm_out_date(o, r.start);
        crm_out_date(o, r.end);
        crm_out_int(o, (long long)r.orders);
        crm_out_int(o, (long long)r.paying);
        crm_out_int(o, (long long)r.new_customers);
        crm_out_int(o, (long long)r.returning);
        crm_out_fixed(o, r.repeat_rate, 7);
        crm_out_money(o, r.revenue, scale);
        if (r.has_avg)
            crm_out_money(o, r.avg_order_value, scale);
        else
            crm_out_empty(o);
        crm_out_fixed(o, r.orders_per_customer, 7);
        crm_out_fixed(o, r.revenue_growth, 7);
        crm_out_fixed(o, r.customer_growth, 7);
        crm_out_fixed(o, r.refund_rate, 7);
        crm_out_end_row(o);
    }
    cli_close_output(c, o);
}

/* What a scale-out step needs to know of the command line. */
struct step {
    const struct crm_rfm_opts *ro;
    const struct crm_segment_opts *so;
    const struct crm_segment_rules *rules;
    const struct crm_scale_cuts *cuts;    /* --cuts, NULL when not given */
    enum crm_segment_by by;
    int summary, kpi, period;
    int32_t window;
};

/* --merge-partials: the segments' cut points, or the --summary / --kpi table of the whole. */
static void merge(struct cli *c, const struct step *st, char **paths, size_t npaths)
{
    const char *const *pp = (const char *const *)paths;
    struct crm_errinfo e;
    struct crm_partial_opts run, got;
    int32_t as_of;
    crm_errinfo_clear(&e);
    if (!cli_as_of(c, &as_of))
        as_of = CRM_NO_DAY;
    if (st->kpi) {
        struct crm_kpi *k;
        crm_scale_kpi_options(&run, (enum crm_kpi_period)st->period, as_of, st->window, NULL);
        cli_check(c, crm_scale_kpi_merge(pp, npaths, &run, (enum crm_kpi_period)st->period,
                                         st->window, &k, &got, &e), &e);
        put_kpi(c, k, atoi(crm_partial_opts_get(&got, "money-scale")));
        crm_kpi_free(k);
    } else if (st->summary) {
        struct crm_segment_summary *sum;
        crm_scale_segment_options(&run, st->ro, st->so, st->rules, st->cuts, st->by, as_of,
                                  st->window, NULL);
        if (!st->cuts)   /* the partials say which cut points they used */
            crm_partial_opts_remove(&run, "cuts");
        cli_check(c, crm_scale_segment_merge(pp, npaths, &run, &sum, &got, &e), &e);
        put_summary(c, sum, st->by, atoi(crm_partial_opts_get(&got, "money-scale")));
        crm_scale_summary_free(sum);
    } else {
        struct crm_scale_cuts cuts;
        crm_scale_rfm_options(&run, st->ro, as_of, st->window, NULL);
        cli_check(c, crm_scale_rfm_merge(pp, npaths, &run, &cuts, &e), &e);
        c->out_flags = 0;
        struct crm_out *o = cli_open_output(c);
        cli_check(c, crm_scale_cuts_write(o, &cuts, &e), &e);
        cli_close_output(c, o);
    }
}

/* --cuts FILE: the whole's cut points name the segments. */
static void use_cuts(struct cli *c, const struct crm_scale_cuts *cuts, const char *path,
                     const struct crm_rfm_opts *ro, int32_t window, const struct crm_store *s,
                     struct crm_segment *seg)
{
    struct crm_errinfo e;
    struct crm_partial_opts run;
    int32_t as_of;
    crm_errinfo_clear(&e);
    cli_as_of(c, &as_of);
    crm_scale_rfm_options(&run, ro, as_of, window, s);
    cli_check(c, crm_partial_opts_check(&cuts->options, path, &run, "the command line", &e), &e);
    for (int d = 0; d < 3; d++)
        crm_segment_set_cuts(seg, "rfm"[d], &cuts->cut[d]);
}

/* --emit-partial FILE: this partition's quintile runs, group counts or period counts. */
static void emit_partial(struct cli *c, const struct step *st, const char *path,
                         const struct crm_store *s, const struct crm_agg *a,
                         const struct crm_segment *seg, const struct crm_kpi *k)
{
    struct crm_errinfo e;
    struct crm_partial_opts po;
    crm_errinfo_clear(&e);
    struct crm_out *o = cli_open_partial(c, path);
    enum crm_err rc;
    if (st->kpi) {
        crm_scale_kpi_options(&po, (enum crm_kpi_period)st->period, a->as_of, st->window, s);
        rc = crm_scale_kpi_emit(o, &po, k, s, &e);
    } else if (st->summary) {
        struct crm_segment_summary *sum;
        crm_scale_segment_options(&po, st->ro, st->so, st->rules, st->cuts, st->by, a->as_of,
                                  st->window, s);
        rc = crm_segment_summarize(seg, st->by, &sum, &e);
        if (rc == CRM_OK)
            rc = crm_scale_segment_emit(o, &po, sum, s, &e);
        crm_segment_summary_free(sum);
    } else {
        crm_scale_rfm_options(&po, st->ro, a->as_of, st->window, s);
        rc = crm_scale_rfm_emit(o, &po, crm_segment_quintile(seg), s, &e);
    }
    if (rc != CRM_OK) {
        crm_out_free(o);
        cli_die(c, &e);
    }
    cli_close_output(c, o);
}

struct options {
    struct crm_rfm_opts ro;
    struct crm_segment_opts so;
    struct crm_care_opts co;
    int32_t window;
    int summary, care, kpi, period, merging;
    enum crm_segment_by by;
    const char *rules_path, *on, *emit, *cuts_path;
    double holdout;
    const char *salt;
};

static void parse(struct cli *c, struct options *op, int argc, char **argv)
{
    struct crm_errinfo e;
    int opt, idx;
    crm_errinfo_clear(&e);
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, &idx)) != -1) {
        if (cli_common(c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_WINDOW: op->window = cli_days(c, "--window", optarg, 1); break;
        case OPT_RFM:
            cli_check(c, crm_rfm_set_option(&op->ro, longopts[idx].name, optarg, &e), &e);
            break;
        case OPT_SEG:
            cli_check(c, crm_segment_set_option(&op->so, longopts[idx].name, optarg, &e), &e);
            break;
        case OPT_NET: op->ro.net = 1; break;
        case OPT_SUMMARY: op->summary = 1; break;
        case OPT_BY:
            if (strcmp(optarg, "class") == 0)
                op->by = CRM_SEGMENT_BY_CLASS;
            else if (strcmp(optarg, "segment") == 0)
                op->by = CRM_SEGMENT_BY_SEGMENT;
            else if (strcmp(optarg, "vip") == 0)
                op->by = CRM_SEGMENT_BY_VIP;
            else
                cli_usage_error(c, "--by %s: expected class, segment or vip", optarg);
            break;
        case OPT_RULES: op->rules_path = optarg; break;
        case OPT_CARE: op->care = 1; break;
        case OPT_ON: op->on = optarg; break;
        case OPT_REASONS:
            cli_check(c, crm_care_parse_reasons(optarg, &op->co.reasons, &e), &e);
            break;
        case OPT_REMIND:
            op->co.vip_remind = (int32_t)cli_integer(c, "--vip-remind", optarg, 1,
                                                     CRM_CARE_YEAR - 1);
            break;
        case OPT_KPI: op->kpi = 1; break;
        case OPT_PERIOD:
            if ((op->period = crm_kpi_parse_period(optarg)) < 0)
                cli_usage_error(c, "--period %s: expected month, week or quarter", optarg);
            break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merging = 1; break;
        case OPT_CUTS: op->cuts_path = optarg; break;
        case OPT_HOLDOUT: op->holdout = cli_number(c, "--holdout", optarg, 0, 1); break;
        case OPT_SALT: op->salt = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (op->summary + op->care + op->kpi > 1)
        cli_usage_error(c, "--summary, --care and --kpi are separate reports; give one");
    if ((op->holdout > 0 || op->salt) && !op->care)
        cli_usage_error(c, "--holdout and --salt split the care list: add --care (or use "
                        "crm-campaign split on another list)");
    if (op->care && (op->holdout > 0 || op->salt) &&
        (!op->salt || !*op->salt || !(op->holdout > 0 && op->holdout < 1)))
        cli_usage_error(c, "--care needs both --holdout F (0 < F < 1) and --salt NAME to draw "
                        "a control group, e.g. --holdout 0.1 --salt care-2024-06-01");
    if (op->on && !op->care)
        cli_usage_error(c, "--on goes with --care (use --as-of otherwise)");
    if (op->on)
        c->as_of = op->on;   /* the care list is evaluated as of its day */
    if (op->care && (op->emit || op->merging))
        cli_usage_error(c, "the care list is per customer: run it on each partition and "
                        "concatenate (no --emit-partial or --merge-partials)");
    if (!!op->emit + op->merging > 1)
        cli_usage_error(c, "--emit-partial and --merge-partials are separate steps; give one");
}

/* One store: aggregate (with the care or KPI pass riding along), classify, report. */
static void run(struct cli *c, struct options *op, struct step *st, struct crm_scale_cuts *cuts,
                const char *input)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_store *s = cli_open_store(c, input);
    struct crm_agg_opts ao = {.as_of = cli_resolve_as_of(c, s), .window_days = op->window,
                              .history = 1};
    struct crm_care *ck = NULL;
    struct crm_kpi *kk = NULL;
    if (op->care) {
        int64_t t;   /* the VIP pass reads the store again: hold a pipe in memory */
        op->co.on = ao.as_of;
        if (op->co.reasons & (1u << CRM_CARE_VIP_EXPIRING | 1u << CRM_CARE_REPLENISH))
            cli_check(c, crm_store_max_time(s, &t, &e), &e);
        cli_check(c, crm_care_new(&op->co, &ck, &e), &e);
        ao.visit = crm_care_visit;
        ao.visit_ctx = ck;
    } else if (op->kpi) {
        cli_check(c, crm_kpi_new((enum crm_kpi_period)op->period,
                                 op->window ? ao.as_of - op->window : CRM_NO_DAY, ao.as_of,
                                 &kk, &e),
                  &e);
        ao.visit = crm_kpi_visit;
        ao.visit_ctx = kk;
    }
    struct crm_agg *a;
    cli_check(c, crm_agg_run(s, &ao, &a, &e), &e);
    int scale = crm_store_meta(s)->money_scale;
    const struct crm_customer_info *info;
    crm_store_customers(s, &info);
    struct crm_segment *seg = NULL;   /* the KPIs need no classes */
    if (!op->kpi)
        cli_check(c, crm_segment_new(&op->so, &op->ro, a, info, st->rules, scale, &seg, &e), &e);
    if (seg && op->cuts_path)
        use_cuts(c, cuts, op->cuts_path, &op->ro, op->window, s, seg);
    if (c->verbose) {
        char d[16];
        crm_date_format(a->as_of, d);
        cli_warn(c, "as of %s: %llu orders read, %llu dated on or after the as-of date "
                 "ignored; %u customers in the store", d, (unsigned long long)a->orders,
                 (unsigned long long)a->orders_future, a->n);
    }
    if (op->kpi)
        cli_check(c, crm_kpi_finish(kk, a, &e), &e);
    if (op->emit) {
        emit_partial(c, st, op->emit, s, a, seg, kk);
    } else if (op->care) {
        cli_check(c, crm_care_finish(ck, s, a, seg, info, &e), &e);
        put_care(c, s, ck, scale, op->holdout, op->salt);
    } else if (op->kpi) {
        put_kpi(c, kk, scale);
    } else if (op->summary) {
        struct crm_segment_summary *sum;
        cli_check(c, crm_segment_summarize(seg, op->by, &sum, &e), &e);
        put_summary(c, sum, op->by, scale);
        crm_segment_summary_free(sum);
    } else {
        put_customers(c, s, a, seg, op->ro.scheme == CRM_RFM_QUINTILE, scale);
    }
    crm_care_free(ck);
    crm_kpi_free(kk);
    crm_segment_free(seg);
    crm_agg_free(a);
    crm_store_close(s);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct options op = {.window = 365, .period = CRM_KPI_MONTH, .by = CRM_SEGMENT_BY_CLASS,
                         .co = {.reasons = CRM_CARE_ALL, .vip_remind = 30}};
    struct crm_errinfo e;
    struct crm_scale_cuts cuts;
    crm_rfm_opts_default(&op.ro);
    crm_segment_opts_default(&op.so);
    crm_errinfo_clear(&e);
    cli_init(&c, "crm-segment", usage);
    parse(&c, &op, argc, argv);
    struct crm_segment_rules *rules = NULL;
    if (op.rules_path)
        cli_check(&c, crm_segment_rules_load(op.rules_path, &rules, &e), &e);
    if (op.cuts_path) {
        cli_check(&c, crm_scale_cuts_read(op.cuts_path, &cuts, &e), &e);
        if (!c.as_of)
            c.as_of = crm_partial_opts_get(&cuts.options, "as-of");
    }
    struct step st = {&op.ro, &op.so, rules, op.cuts_path ? &cuts : NULL, op.by, op.summary,
                      op.kpi, op.period, op.window};
    if (op.merging) {
        merge(&c, &st, argv + optind, (size_t)(argc - optind));
    } else {
        if (argc - optind > 1)
            cli_usage_error(&c, "one INPUT at most (got %d)", argc - optind);
        if (op.emit && !c.as_of)
            cli_usage_error(&c, "--emit-partial needs --as-of: every partition must be "
                            "evaluated as of the same day");
        if (op.emit && op.summary && op.by == CRM_SEGMENT_BY_SEGMENT && !op.cuts_path)
            cli_usage_error(&c, "--summary --by segment of a partition needs --cuts: segments "
                            "are named by the quintiles of all customers");
        run(&c, &op, &st, &cuts, optind < argc ? argv[optind] : NULL);
    }
    crm_segment_rules_free(rules);
    return 0;
}
