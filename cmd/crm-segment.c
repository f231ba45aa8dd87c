/* crm-segment: customer classes (seed tree), VIP flag, named RFM segments, summaries, the
 * care list and the KPI table. One store is evaluated by lib/segrep in one call and its
 * tables are written there; the scale-out steps are lib/segsteps'; this file reads options
 * and writes. */
#include <stdlib.h>

#include "cli.h"
#include "customer/segrep.h"
#include "scale/segsteps.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-segment [OPTIONS] [INPUT]\n"
    "Put every customer in one class (malicious, no-order, no-sale, new, dormant, or the RFM\n"
    "tier P/G/S/B), flag VIPs and name their RFM segment (Champions, At Risk, ...).\n"
    CLI_HELP_INPUT
    "is stdin. One CSV row per customer, in the store's customer order.\n"
    "\n"
    CLI_HELP_AS_OF
    CLI_HELP_MAX_AGE
    CLI_HELP_WINDOW
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
    CLI_HELP_OUTPUT
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
    OPT_WINDOW = CLI_TOOL_OPTS, OPT_RFM, OPT_SEG, OPT_REP, OPT_NET, OPT_RULES, OPT_ON, OPT_EMIT,
    OPT_MERGE, OPT_CUTS,
};

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    CLI_RFM_OPTIONS(OPT_WINDOW, OPT_RFM, OPT_NET),
    {"new-days", required_argument, NULL, OPT_SEG},
    {"dormant-days", required_argument, NULL, OPT_SEG},
    {"vip-orders", required_argument, NULL, OPT_SEG},
    {"vip-items", required_argument, NULL, OPT_SEG},
    {"vip-money", required_argument, NULL, OPT_SEG},
    {"summary", no_argument, NULL, OPT_REP},
    {"by", required_argument, NULL, OPT_REP},
    {"rules", required_argument, NULL, OPT_RULES},
    {"care", no_argument, NULL, OPT_REP},
    {"on", required_argument, NULL, OPT_ON},
    {"reasons", required_argument, NULL, OPT_REP},
    {"vip-remind", required_argument, NULL, OPT_REP},
    {"kpi", no_argument, NULL, OPT_REP},
    {"period", required_argument, NULL, OPT_REP},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {"cuts", required_argument, NULL, OPT_CUTS},
    {"holdout", required_argument, NULL, OPT_REP},
    {"salt", required_argument, NULL, OPT_REP},
    {NULL, 0, NULL, 0},
};

struct options {
    struct crm_segrep_opts rep;      /* the report and its options (lib/segrep owns them) */
    int merging;
    const char *rules_path, *on, *emit, *cuts_path;
};

static void parse(struct cli *c, struct options *op, int argc, char **argv)
{
    struct crm_errinfo e;
    int opt;
    const char *name;
    crm_errinfo_clear(&e);
    while ((opt = cli_next_option(c, argc, argv, longopts, &name)) != -1) {
        switch (opt) {
        case OPT_WINDOW: op->rep.window_days = cli_days(c, "--window", optarg, 1); break;
        case OPT_RFM: cli_check(c, crm_rfm_set_option(&op->rep.ro, name, optarg, &e), &e); break;
        case OPT_SEG:
            cli_check(c, crm_segment_set_option(&op->rep.so, name, optarg, &e), &e);
            break;
        case OPT_REP: cli_check(c, crm_segrep_set_option(&op->rep, name, optarg, &e), &e); break;
        case OPT_NET: op->rep.ro.net = 1; break;
        case OPT_RULES: op->rules_path = optarg; break;
        case OPT_ON: op->on = optarg; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merging = 1; break;
        case OPT_CUTS: op->cuts_path = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    cli_check(c, crm_segrep_opts_finish(&op->rep, &e), &e);
    if (op->on && !op->rep.care_list)
        cli_usage_error(c, "--on goes with --care (use --as-of otherwise)");
    if (op->on)
        c->as_of = op->on;   /* the care list is evaluated as of its day */
    if (op->rep.care_list && (op->emit || op->merging))
        cli_usage_error(c, "the care list is per customer: run it on each partition and "
                        "concatenate (no --emit-partial or --merge-partials)");
}

/* --merge-partials: the segments' cut points, or the --summary / --kpi table of the whole. */
static void merge(struct cli *c, const struct crm_segsteps *st, char **paths, size_t npaths)
{
    struct crm_errinfo e;
    struct crm_segsteps_merged m;
    int32_t as_of;
    crm_errinfo_clear(&e);
    as_of = cli_as_of(c, &as_of) ? as_of : CRM_NO_DAY;
    cli_check(c, crm_segsteps_merge((const char *const *)paths, npaths, st, as_of, &m, &e), &e);
    if (st->rep->report != CRM_SEGREP_KPI && st->rep->report != CRM_SEGREP_SUMMARY)
        c->out_flags = 0;
    c->sheet = crm_segrep_sheet(st->rep->report);
    struct crm_out *o = cli_open_output(c);
    if (st->rep->report == CRM_SEGREP_KPI)
        crm_segrep_write_kpi(o, m.kpi, m.scale);
    else if (st->rep->report == CRM_SEGREP_SUMMARY)
        crm_segrep_write_summary(o, m.sum, st->rep->by, m.scale);
    else
        cli_check(c, crm_scale_cuts_write(o, &m.cuts, &e), &e);
    cli_close_output(c, o);
    crm_segsteps_merged_free(&m);
}

/* One store: evaluate (aggregate with the care or KPI pass riding along, classify), then
 * the partial or the report. */
static void run(struct cli *c, struct options *op, const struct crm_segsteps *st,
                const char *input)
{
    struct crm_errinfo e;
    struct crm_segrep r;
    crm_errinfo_clear(&e);
    struct crm_store *s = cli_open_store(c, input);
    op->rep.as_of = cli_resolve_as_of(c, s);
    if (st->cuts)
        cli_check(c, crm_segsteps_check_cuts(st, op->cuts_path, op->rep.as_of, s, &e), &e);
    cli_check(c, crm_segrep_run(s, &op->rep, &r, &e), &e);
    if (c->verbose) {
        char d[16];
        crm_date_format(r.a->as_of, d);
        cli_warn(c, "as of %s: %llu orders read, %llu dated on or after the as-of date "
                 "ignored; %u customers in the store", d, (unsigned long long)r.a->orders,
                 (unsigned long long)r.a->orders_future, r.a->n);
    }
    if (op->emit) {
        struct crm_out *o = cli_open_partial(c, op->emit);
        cli_check(c, crm_segsteps_emit(o, st, s, &r, &e), &e);
        cli_close_output(c, o);
    } else {
        c->sheet = crm_segrep_sheet(op->rep.report);
        struct crm_out *o = cli_open_output(c);
        cli_check(c, crm_segrep_write(o, s, &op->rep, &r, &e), &e);
        cli_close_output(c, o);
    }
    crm_segrep_free(&r);
    crm_store_close(s);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct options op = {0};
    struct crm_errinfo e;
    struct crm_scale_cuts cuts;
    crm_segrep_opts_default(&op.rep);
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
    op.rep.rules = rules;
    op.rep.cuts = op.cuts_path ? cuts.cut : NULL;
    struct crm_segsteps st = {&op.rep, op.cuts_path ? &cuts : NULL};
    cli_partial_check(&c, op.emit, op.merging, argc - optind, "evaluated");
    if (op.emit && op.rep.summary && op.rep.by == CRM_SEGMENT_BY_SEGMENT && !op.cuts_path)
        cli_usage_error(&c, "--summary --by segment of a partition needs --cuts: segments "
                        "are named by the quintiles of all customers");
    if (op.merging)
        merge(&c, &st, argv + optind, (size_t)(argc - optind));
    else
        run(&c, &op, &st, optind < argc ? argv[optind] : NULL);
    crm_segment_rules_free(rules);
    return 0;
}
