/* crm-pareto: how concentrated customer value is (二八法则, SPEC §8) — per-customer ranks
 * with ABC classes, a summary, the Lorenz curve or an SVG Pareto chart. Who is ranked and
 * every figure and table come from lib/pareto and lib/paretorep; this file reads options
 * and writes. */
#include <stdio.h>
#include <stdlib.h>

#include "chart/chart.h"
#include "cli.h"
#include "customer/paretorep.h"
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

enum { OPT_PARETO = CLI_TOOL_OPTS, OPT_WINDOW, OPT_SUMMARY, OPT_CURVE, OPT_SVG, OPT_EMIT,
       OPT_MERGE };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"by", required_argument, NULL, OPT_PARETO},
    {"net", no_argument, NULL, OPT_PARETO},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"abc", required_argument, NULL, OPT_PARETO},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"curve", required_argument, NULL, OPT_CURVE},
    {"svg", required_argument, NULL, OPT_SVG},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {NULL, 0, NULL, 0},
};

struct opts {
    struct crm_pareto_opts po;   /* --by, --net, --abc (lib/pareto owns them) */
    int32_t window;
    int summary;
    long curve;        /* 0: no curve */
    const char *svg;
    const char *emit;  /* --emit-partial FILE */
    int merge;         /* --merge-partials */
};

static void write_svg(const struct opts *op, const struct crm_pareto *p, int scale,
                      const struct cli *c)
{
    struct crm_chart_pareto_opts co;
    crm_chart_pareto_opts_of(&op->po, scale, &co);
    struct crm_svg *svg;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_chart_pareto(p, &co, &svg, &e), &e);
    struct crm_afile *af = cli_open_side(c, op->svg);
    enum crm_err rc = crm_svg_write_fd(svg, crm_afile_fd(af), &e);
    crm_svg_free(svg);
    cli_close_side(c, af, rc, &e);
    if (c->verbose)
        cli_warn(c, "chart written to %s", op->svg);
}

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt;
    const char *name;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    while ((opt = cli_next_option(c, argc, argv, longopts, &name)) != -1) {
        switch (opt) {
        case OPT_PARETO:
            cli_check(c, crm_pareto_set_option(&op->po, name, optarg, &e), &e);
            break;
        case OPT_WINDOW: op->window = cli_days(c, "--window", optarg, 1); break;
        case OPT_SUMMARY: op->summary = 1; break;
        case OPT_CURVE: op->curve = cli_integer(c, "--curve", optarg, 1, 10000000); break;
        case OPT_SVG: op->svg = optarg; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merge = 1; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    cli_check(c, crm_pareto_opts_finish(&op->po, &e), &e);
    if (op->summary && op->curve)
        cli_usage_error(c, "--summary and --curve are two reports; give one");
    if (op->emit && op->svg && !op->merge)
        cli_usage_error(c, "--svg draws the whole: give it to --merge-partials");
    cli_partial_check(c, op->emit, op->merge, argc - optind, "ranked");
}

/* Where the customer rows come from: one ranked store, or the merged partials. */
struct rows_from {
    const struct crm_store *s;
    const struct crm_pareto_ranking *rk;
    struct crm_scale_pareto *m;
};

/* The report: the chart (before the report, so that `| head` never leaves a half-written
 * chart), then summary, curve or rows. */
static void write_report(struct cli *c, const struct opts *op, const struct crm_pareto *p,
                         int scale, const struct rows_from *from)
{
    if (op->svg)
        write_svg(op, p, scale, c);
    c->sheet = op->summary ? "pareto-summary" : op->curve ? "lorenz-curve" : NULL;
    struct crm_out *o = cli_open_output(c);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (op->summary) {
        cli_check(c, crm_pareto_write_summary(o, p, &op->po, scale, &e), &e);
    } else if (op->curve) {
        cli_check(c, crm_pareto_write_curve(o, p, (size_t)op->curve, &e), &e);
    } else if (from->rk) {
        cli_check(c, crm_pareto_write_rows(o, from->rk, from->s, &op->po, scale, &e), &e);
    } else {
        struct crm_pareto_feed f;
        crm_pareto_feed_init(&f, o, p, &op->po, scale);
        cli_check(c, crm_scale_pareto_each(from->m, crm_pareto_feed_row, &f, &e), &e);
        cli_check(c, f.rc, &f.e);
    }
    cli_close_output(c, o);
}

/* --merge-partials: the report of the whole from the partitions' partials. */
static void merge(struct cli *c, const struct opts *op, char **paths, size_t npaths)
{
    struct crm_errinfo e;
    struct crm_partial_opts run;
    struct crm_scale_pareto *m;
    int32_t as_of;
    crm_errinfo_clear(&e);
    crm_scale_pareto_options(&run, op->po.by, cli_as_of(c, &as_of) ? as_of : CRM_NO_DAY,
                             op->window, NULL);
    const int rows = !op->summary && !op->curve;
    cli_check(c, crm_scale_pareto_merge((const char *const *)paths, npaths, &run, rows, &m, &e),
              &e);
    const struct crm_pareto *p = crm_scale_pareto_distribution(m);
    const int scale = atoi(crm_partial_opts_get(crm_scale_pareto_options_of(m), "money-scale"));
    if (c->verbose)
        cli_warn(c, "%zu partials merged: %llu customers ranked", crm_scale_pareto_partials(m),
                 (unsigned long long)crm_pareto_customers(p));
    struct rows_from from = {NULL, NULL, m};
    write_report(c, op, p, scale, &from);
    crm_scale_pareto_free(m);
}

static void verbose(const struct cli *c, const struct opts *op,
                    const struct crm_pareto_ranking *rk)
{
    char from[16] = "(all history)", to[16];
    if (op->window)
        crm_date_format(rk->window_start, from);
    crm_date_format(rk->as_of - 1, to);
    cli_warn(c, "window %s .. %s: %zu of %u customers have a paid order in it; "
             "%llu orders dated on or after the as-of date ignored", from, to, rk->in.n,
             rk->store_customers, (unsigned long long)rk->orders_future);
    if (op->po.by == CRM_PARETO_NET)
        cli_warn(c, "--net: %llu customers refunded more than they bought in the window "
                 "(counted as 0)", (unsigned long long)rk->in.floored);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {.window = 365};
    struct crm_pareto_ranking rk;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_pareto_opts_default(&op.po);
    cli_init(&c, "crm-pareto", usage);
    parse(&c, &op, argc, argv);
    if (op.merge) {
        merge(&c, &op, argv + optind, (size_t)(argc - optind));
        return 0;
    }

    cli_claim(&c, op.svg, "--svg", 1);
    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    const int32_t as_of = cli_resolve_as_of(&c, s);
    const int rows = !op.summary && !op.curve;
    cli_check(&c, crm_pareto_rank_store(s, op.po.by, as_of, op.window, rows, &rk, &e), &e);
    if (c.verbose)
        verbose(&c, &op, &rk);
    if (op.emit) {
        struct crm_partial_opts po;
        crm_scale_pareto_options(&po, op.po.by, as_of, op.window, s);
        struct crm_out *o = cli_open_partial(&c, op.emit);
        cli_check(&c, crm_scale_pareto_emit(o, &po, rk.p, &rk.in, rk.order, s, &e), &e);
        cli_close_output(&c, o);
    } else {
        struct rows_from from = {s, &rk, NULL};
        write_report(&c, &op, rk.p, crm_store_meta(s)->money_scale, &from);
    }
    crm_pareto_ranking_free(&rk);
    crm_store_close(s);
    return 0;
}
