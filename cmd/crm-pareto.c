/* crm-pareto: how concentrated customer value is (二八法则, SPEC §8) — per-customer ranks
 * with ABC classes, a summary, the Lorenz curve or an SVG Pareto chart. Who is ranked and
 * every figure come from lib/pareto; this file reads options and writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer/agg.h"
#include "chart/chart.h"
#include "cli.h"
#include "text/outrows.h"
#include "customer/pareto.h"
#include "scale/scale.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-pareto [OPTIONS] [INPUT]\n"
    "Rank customers by revenue (or orders) in the window, highest first, and show how\n"
    "concentrated it is: share, cumulative shares and ABC class per customer, or a summary\n"
    "(top-20 % share, Gini, ABC sizes), the Lorenz curve, an SVG Pareto chart. Ranked are\n"
    "the customers with at least one paid order in the window. INPUT is a store (or any\n"
    "order file, imported on the fly); omitted or - is stdin.\n"
    "\n"
    "  -o, --output FILE     write the report here (atomically) instead of stdout\n"
    "      --by WHAT         monetary (paid revenue, default) or frequency (paid orders)\n"
    "      --net             revenue minus refunds in the window (a customer whose refunds\n"
    "                        exceed their sales holds 0)\n"
    "      --window DAYS     the window before --as-of: 365 (default) or all\n"
    "      --as-of DATE      evaluation date YYYY-MM-DD or today (default: the day after the\n"
    "                        latest order)\n"
    "      --max-age DAYS    exit 1 when the newest order is more than DAYS days\n"
    "                        before the as-of date (a stale export)\n"
    "      --abc A,B         class cuts in percent of the value (default 80,95)\n"
    "      --summary         one metric,value row per figure instead of customer rows\n"
    "      --curve N         the Lorenz curve at N+1 evenly spaced points instead\n"
    "      --svg FILE        also draw the Pareto chart into FILE (SVG; atomically)\n"
    "      --emit-partial FILE  scale-out (docs/SCALE.md): write this partition's value\n"
    "                        runs (and, without --summary/--curve, its ranked customers) to\n"
    "                        FILE (- for stdout) instead of a report; needs --as-of\n"
    "      --merge-partials  read partial FILEs (the arguments; none or -: stdin) and print\n"
    "                        the report of them all (customer rows need partial files)\n"
    "      --tsv, --bom      tab-separated; UTF-8 BOM and CRLF for spreadsheets\n"
    "      --format F        csv (default), tsv or xlsx: a workbook with typed cells\n"
    "                        (-o NAME.xlsx implies it; never written to a terminal)\n"
    "      --escape-formulas text starting with = + - @ tab or CR gets a leading '\n"
    "                        (always with --bom and --decimal-comma)\n"
    "      --decimal-comma   decimals written 1234,50 and ';' between fields, for\n"
    "                        German/French spreadsheets\n"
    "  -v, --verbose         as-of date, window and counts on stderr\n"
    "  -h, --help            this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-pareto --summary --svg pareto.svg shop.crm\n"
    "  crm-import orders.csv | crm-pareto --as-of 2024-07-01 --abc 70,90 | head\n"
    "  crm-pareto --summary --merge-partials pareto.0 pareto.1 pareto.2\n";

enum { OPT_BY = CLI_TOOL_OPTS, OPT_NET, OPT_WINDOW, OPT_ABC, OPT_SUMMARY, OPT_CURVE, OPT_SVG,
       OPT_EMIT, OPT_MERGE };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"by", required_argument, NULL, OPT_BY},
    {"net", no_argument, NULL, OPT_NET},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"abc", required_argument, NULL, OPT_ABC},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"curve", required_argument, NULL, OPT_CURVE},
    {"svg", required_argument, NULL, OPT_SVG},
    {"emit-partial", required_argument, NULL, OPT_EMIT},
    {"merge-partials", no_argument, NULL, OPT_MERGE},
    {NULL, 0, NULL, 0},
};

struct opts {
    enum crm_pareto_by by;
    int32_t window;
    unsigned a_bp, b_bp;
    int summary;
    long curve;        /* 0: no curve */
    const char *svg;
    const char *emit;  /* --emit-partial FILE */
    int merge;         /* --merge-partials */
};

/* A value: money with the store's decimals, or a count. */
static void put_value(struct crm_out *o, const struct opts *op, int64_t v, int scale)
{
    if (op->by == CRM_PARETO_FREQUENCY)
        crm_out_int(o, v);
    else
        crm_out_money(o, v, scale);
}

/* One report row. */
static void put_row(struct crm_out *o, const struct opts *op, int scale, const char *id,
                    size_t len, const struct crm_pareto_row *row)
{
    crm_out_int(o, (long long)row->rank);
    crm_out_str(o, id, len);
    put_value(o, op, row->value, scale);
    crm_out_fixed(o, row->share, 7);
    crm_out_fixed(o, row->cum_customers, 7);
    crm_out_fixed(o, row->cum_value, 7);
    crm_out_str(o, &row->abc, 1);
    crm_out_end_row(o);
}

struct ranked_rows {
    const struct opts *op;
    const struct crm_store *s;
    size_t n;
    const uint32_t *customer;        /* in rank order */
    const int64_t *value;            /* in rank order */
    const int64_t *cum;              /* value of the ranks before each row */
    struct crm_pareto_cursor start;  /* the cursor before the first row */
    int scale;
};

static void ranked_row(struct crm_out *o, size_t r, void *ctx)
{
    const struct ranked_rows *x = ctx;
    struct crm_pareto_cursor cur = x->start;
    struct crm_pareto_row row;
    cur.rank = r;
    cur.cum = x->cum[r];
    if (r + 16 < x->n)
        crm_store_customer_id_prefetch(x->s, x->customer[r + 16], 1);
    if (r + 4 < x->n)
        crm_store_customer_id_prefetch(x->s, x->customer[r + 4], 2);
    crm_pareto_row_at(&cur, x->value[r], &row);
    size_t len;
    const char *id = crm_store_customer_id(x->s, x->customer[r], &len);
    put_row(o, x->op, x->scale, id, len, &row);
}

/* The ranked rows: a first pass checks the values, keeps the running totals and gathers
 * values and customers into rank order (the formatting threads then read them in
 * sequence, not at random through `order`); then rows are formatted on two threads
 * (lib/outrows), byte for byte as one cursor would. */
static void write_rows(struct crm_out *o, const struct opts *op, struct crm_store *s,
                       const struct crm_pareto_input *in, const struct crm_pareto *p,
                       const uint32_t *order, const struct cli *c)
{
    struct ranked_rows x = {op, s, in->n, NULL, NULL, NULL, {0}, crm_store_meta(s)->money_scale};
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_out_header(o, "rank,customer_id,value,share,cum_customers,cum_value,class");
    crm_pareto_cursor_init(&x.start, p, op->a_bp, op->b_bp);
    size_t n = in->n ? in->n : 1;
    int64_t *cum = malloc(n * sizeof *cum), *value = malloc(n * sizeof *value);
    uint32_t *customer = malloc(n * sizeof *customer);
    if (!cum || !value || !customer)
        cli_check(c, crm_errinfo_set(&e, CRM_ENOMEM, "ranks of %zu customers: out of memory",
                                     in->n), &e);
    struct crm_pareto_cursor cur = x.start;
    for (size_t r = 0; r < in->n; r++) {
        if (r + 16 < in->n) {
            __builtin_prefetch(&in->value[order[r + 16]]);
            __builtin_prefetch(&in->customer[order[r + 16]]);
        }
        cum[r] = cur.cum;
        value[r] = in->value[order[r]];
        customer[r] = in->customer[order[r]];
        cli_check(c, crm_pareto_cursor_next(&cur, value[r], NULL, &e), &e);
    }
    x.cum = cum;
    x.value = value;
    x.customer = customer;
    cli_check(c, crm_outrows_write(o, in->n, ranked_row, &x, &e), &e);
    free(cum);
    free(value);
    free(customer);
}

/* metric,value rows: counts, values (money or counts) and ratios — empty when there are no
 * customers: undefined, not made up. */
static void write_summary(struct crm_out *o, const struct opts *op, const struct crm_pareto *p,
                          int scale, const struct cli *c)
{
    struct crm_pareto_summary sum;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_pareto_summarize(p, op->a_bp, op->b_bp, &sum, &e), &e);
    const uint64_t *n = sum.class_customers;
    const int64_t *v = sum.class_value;
    const struct { const char *name; char kind; int64_t integer; double ratio; } m[] = {
        {"customers", 'n', (int64_t)sum.customers, 0}, {"total_value", 'v', sum.total_value, 0},
        {"top20_share", 'r', 0, sum.top20_share},
        {"customers_for_80", 'r', 0, sum.customers_for_80}, {"gini", 'r', 0, sum.gini},
        {"a_customers", 'n', (int64_t)n[0], 0}, {"a_value", 'v', v[0], 0},
        {"b_customers", 'n', (int64_t)n[1], 0}, {"b_value", 'v', v[1], 0},
        {"c_customers", 'n', (int64_t)n[2], 0}, {"c_value", 'v', v[2], 0},
    };
    crm_out_header(o, "metric,value");
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        crm_out_cstr(o, m[i].name);
        if (m[i].kind == 'n')
            crm_out_int(o, m[i].integer);
        else if (m[i].kind == 'v')
            put_value(o, op, m[i].integer, scale);
        else
            crm_out_fixed(o, sum.customers ? m[i].ratio : NAN, 7);
        crm_out_end_row(o);
    }
}

static void write_curve(struct crm_out *o, const struct crm_pareto *p, size_t points,
                        const struct cli *c)
{
    double *x = malloc((points + 1) * sizeof *x), *y = malloc((points + 1) * sizeof *y);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, x && y ? crm_pareto_curve(p, points, CRM_PARETO_LORENZ, x, y, &e)
                        : crm_errinfo_set(&e, CRM_ENOMEM, "--curve %zu: out of memory", points),
              &e);
    crm_out_header(o, "customer_share,value_share");
    for (size_t j = 0; j <= points && !crm_out_failed(o); j++) {
        crm_out_fixed(o, x[j], 7);
        crm_out_fixed(o, y[j], 7);
        crm_out_end_row(o);
    }
    free(x);
    free(y);
}

static void write_svg(const struct opts *op, const struct crm_pareto *p, int scale,
                      const struct cli *c)
{
    struct crm_chart_pareto_opts co = {0};
    co.value_name = op->by == CRM_PARETO_FREQUENCY ? "orders"
                    : op->by == CRM_PARETO_NET     ? "net revenue"
                                                   : "revenue";
    co.value_decimals = op->by == CRM_PARETO_FREQUENCY ? 0 : scale;
    co.a_bp = op->a_bp;
    co.b_bp = op->b_bp;
    struct crm_svg *svg;
    struct crm_afile *af = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_chart_pareto(p, &co, &svg, &e), &e);
    enum crm_err rc = crm_afile_open(op->svg, &af, &e);
    if (rc == CRM_OK)
        rc = crm_svg_write_fd(svg, crm_afile_fd(af), &e);
    if (rc == CRM_OK) {
        rc = crm_afile_commit(af, &e);
        af = NULL;
    }
    crm_afile_abort(af);
    crm_svg_free(svg);
    if (rc != CRM_OK)
        crm_errinfo_where(&e, op->svg, -1, -1, -1);
    cli_check(c, rc, &e);
    if (c->verbose)
        cli_warn(c, "chart written to %s", op->svg);
}

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt, net = 0;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, NULL)) != -1) {
        if (cli_common(c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_BY:
            if (strcmp(optarg, "monetary") == 0)
                op->by = CRM_PARETO_MONETARY;
            else if (strcmp(optarg, "frequency") == 0)
                op->by = CRM_PARETO_FREQUENCY;
            else
                cli_usage_error(c, "--by %s: expected monetary or frequency", optarg);
            break;
        case OPT_NET: net = 1; break;
        case OPT_WINDOW: op->window = cli_days(c, "--window", optarg, 1); break;
        case OPT_ABC:
            cli_check(c, crm_pareto_parse_abc(optarg, &op->a_bp, &op->b_bp, &e), &e);
            break;
        case OPT_SUMMARY: op->summary = 1; break;
        case OPT_CURVE: op->curve = cli_integer(c, "--curve", optarg, 1, 10000000); break;
        case OPT_SVG: op->svg = optarg; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merge = 1; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (net && op->by == CRM_PARETO_FREQUENCY)
        cli_usage_error(c, "--net applies to --by monetary (refunds are money)");
    if (net)
        op->by = CRM_PARETO_NET;
    if (op->summary && op->curve)
        cli_usage_error(c, "--summary and --curve are two reports; give one");
    if (op->emit && op->merge)
        cli_usage_error(c, "--emit-partial and --merge-partials are separate steps; give one");
    if (op->emit && op->svg)
        cli_usage_error(c, "--svg draws the whole: give it to --merge-partials");
    if (op->emit && !c->as_of)
        cli_usage_error(c, "--emit-partial needs --as-of: every partition must be ranked as of "
                        "the same day");
    if (argc - optind > 1 && !op->merge)
        cli_usage_error(c, "one INPUT at most (got %d)", argc - optind);
}

struct merged_rows {
    struct crm_out *o;
    const struct opts *op;
    struct crm_pareto_cursor cur;
    int scale;
    enum crm_err rc;
    struct crm_errinfo e;
};

static int merged_row(void *ctx, const char *id, size_t len, int64_t value)
{
    struct merged_rows *m = ctx;
    struct crm_pareto_row row;
    if ((m->rc = crm_pareto_cursor_next(&m->cur, value, &row, &m->e)) != CRM_OK)
        return 1;
    put_row(m->o, m->op, m->scale, id, len, &row);
    return crm_out_failed(m->o);
}

/* --merge-partials: the report of the whole from the partitions' partials. */
static void merge(struct cli *c, const struct opts *op, char **paths, size_t npaths)
{
    struct crm_errinfo e;
    struct crm_partial_opts run;
    struct crm_scale_pareto *m;
    int32_t as_of;
    crm_errinfo_clear(&e);
    crm_scale_pareto_options(&run, op->by, cli_as_of(c, &as_of) ? as_of : CRM_NO_DAY,
                             op->window, NULL);
    const int rows = !op->summary && !op->curve;
    cli_check(c, crm_scale_pareto_merge((const char *const *)paths, npaths, &run, rows, &m, &e),
              &e);
    const struct crm_pareto *p = crm_scale_pareto_distribution(m);
    const int scale = atoi(crm_partial_opts_get(crm_scale_pareto_options_of(m), "money-scale"));
    if (c->verbose)
        cli_warn(c, "%zu partials merged: %llu customers ranked", crm_scale_pareto_partials(m),
                 (unsigned long long)crm_pareto_customers(p));
    if (op->svg)
        write_svg(op, p, scale, c);
    c->sheet = op->summary ? "pareto-summary" : op->curve ? "lorenz-curve" : NULL;
    struct crm_out *o = cli_open_output(c);
    if (op->summary) {
        write_summary(o, op, p, scale, c);
    } else if (op->curve) {
        write_curve(o, p, (size_t)op->curve, c);
    } else {
        struct merged_rows mr = {o, op, {0}, scale, CRM_OK, {0}};
        crm_out_header(o, "rank,customer_id,value,share,cum_customers,cum_value,class");
        crm_pareto_cursor_init(&mr.cur, p, op->a_bp, op->b_bp);
        cli_check(c, crm_scale_pareto_each(m, merged_row, &mr, &e), &e);
        cli_check(c, mr.rc, &mr.e);
    }
    cli_close_output(c, o);
    crm_scale_pareto_free(m);
}

/* The report of one store: the chart (before the report, so that `| head` never leaves a
 * half-written chart), then summary, curve or rows. */
static void write_report(struct cli *c, const struct opts *op, struct crm_store *s,
                         const struct crm_pareto_input *in, const struct crm_pareto *p,
                         const uint32_t *order, int scale)
{
    if (op->svg)
        write_svg(op, p, scale, c);
    c->sheet = op->summary ? "pareto-summary" : op->curve ? "lorenz-curve" : NULL;
    struct crm_out *o = cli_open_output(c);
    if (op->summary)
        write_summary(o, op, p, scale, c);
    else if (op->curve)
        write_curve(o, p, (size_t)op->curve, c);
    else
        write_rows(o, op, s, in, p, order, c);
    cli_close_output(c, o);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {CRM_PARETO_MONETARY, 365, 8000, 9500, 0, 0, NULL, NULL, 0};
    cli_init(&c, "crm-pareto", usage);
    parse(&c, &op, argc, argv);
    if (op.merge) {
        merge(&c, &op, argv + optind, (size_t)(argc - optind));
        return 0;
    }

    cli_claim(&c, op.svg, "--svg", 1);
    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    struct crm_agg_opts ao = {0};
    ao.as_of = cli_resolve_as_of(&c, s);
    ao.window_days = op.window;
    ao.no_items = 1;   /* ranking needs money or order counts, never items */
    struct crm_agg *a;
    struct crm_pareto_input in;
    struct crm_pareto *p;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(&c, crm_agg_run(s, &ao, &a, &e), &e);
    cli_check(&c, crm_pareto_collect(a, op.by, &in, &e), &e);
    if (c.verbose) {
        char from[16] = "(all history)", to[16];
        if (op.window)
            crm_date_format(a->window_start, from);
        crm_date_format(a->as_of - 1, to);
        cli_warn(&c, "window %s .. %s: %zu of %u customers have a paid order in it; "
                 "%llu orders dated on or after the as-of date ignored", from, to, in.n, a->n,
                 (unsigned long long)a->orders_future);
    }
    if (c.verbose && op.by == CRM_PARETO_NET)
        cli_warn(&c, "--net: %llu customers refunded more than they bought in the window "
                 "(counted as 0)", (unsigned long long)in.floored);
    crm_agg_free(a);

    /* Rows need the ranking with ties by id; the other reports only the sorted values. */
    const int rows = !op.summary && !op.curve;
    uint32_t *order = NULL;
    if (rows) {
        order = malloc((in.n ? in.n : 1) * sizeof *order);
        cli_check(&c, order ? crm_pareto_rank_input(&in, s, order, &e)
                            : crm_errinfo_set(&e, CRM_ENOMEM, "ranking: out of memory"), &e);
        cli_check(&c, crm_pareto_new_ranked(in.value, order, in.n, &p, &e), &e);
    } else {
        cli_check(&c, crm_pareto_new(in.value, in.n, &p, &e), &e);
    }

    const int scale = crm_store_meta(s)->money_scale;
    if (op.emit) {
        struct crm_partial_opts po;
        crm_scale_pareto_options(&po, op.by, ao.as_of, op.window, s);
        struct crm_out *o = cli_open_partial(&c, op.emit);
        cli_check(&c, crm_scale_pareto_emit(o, &po, p, &in, rows ? order : NULL, s, &e), &e);
        cli_close_output(&c, o);
    } else {
        write_report(&c, &op, s, &in, p, order, scale);
    }
    free(order);
    crm_pareto_free(p);
    crm_pareto_input_free(&in);
    crm_store_close(s);
    return 0;
}
