/* crm-cohort: retention by cohort (SPEC §15) — the long table, the matrix of one metric, an
 * SVG heatmap, and the partials of a scale-out run. Options and I/O only: lib/customer/cohort
 * computes, lib/chart/heatmap draws, lib/scale merges. */
#include <stdlib.h>
#include <string.h>

#include "chart/heatmap.h"
#include "cli.h"
#include "customer/cohort.h"
#include "scale/scale.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-cohort [OPTIONS] [INPUT]\n"
    "Retention by cohort: customers grouped by the period of their first paid order, and for\n"
    "each period since, how many were active, their orders, revenue and cumulative revenue\n"
    "per cohort customer. All paid orders before the as-of date count (no window).\n"
    CLI_HELP_INPUT
    "is stdin.\n"
    "\n"
    CLI_HELP_AS_OF
    "      --period P           month (default), week (cohorts named by their Monday) or\n"
    "                           quarter\n"
    "      --matrix             one row per cohort, one column per period index, of --metric\n"
    "      --metric M           customers (active; default), retention, revenue, orders or\n"
    "                           cum-revenue (per cohort customer)\n"
    "      --svg FILE           also draw the heatmap of --metric into FILE (atomically)\n"
    "      --emit-partial FILE  scale-out (docs/SCALE.md): this partition's cells to FILE (-\n"
    "                           for stdout) instead of the report; needs --as-of\n"
    "      --merge-partials     read partial FILEs (the arguments; none or -: stdin) and print\n"
    "                           the report of them all\n"
    CLI_HELP_OUTPUT
    "  -v, --verbose            as-of date and counts on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-cohort shop.crm | head\n"
    "  crm-cohort --matrix --metric retention --svg cohorts.svg shop.crm\n"
    "  crm-cohort --period quarter --matrix --metric revenue shop.crm\n";

enum { OPT_PERIOD = CLI_TOOL_OPTS, OPT_METRIC, OPT_MATRIX, OPT_SVG, OPT_EMIT, OPT_MERGE };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"period", required_argument, NULL, OPT_PERIOD},
    {"metric", required_argument, NULL, OPT_METRIC},
    {"matrix", no_argument, NULL, OPT_MATRIX},
    {"svg", required_argument, NULL, OPT_SVG},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {NULL, 0, NULL, 0},
};

struct opts {
    enum crm_kpi_period period;
    enum crm_cohort_metric metric;
    int matrix, merge;
    const char *svg, *emit;
};

static void write_svg(const struct cli *c, const struct opts *op, const struct crm_cohort *co,
                      int scale)
{
    struct crm_errinfo e;
    char *doc;
    size_t len;
    crm_errinfo_clear(&e);
    cli_check(c, crm_chart_heatmap(co, op->metric,
                                   crm_kpi_period_name(op->period), scale, &doc, &len, &e), &e);
    struct crm_afile *af = cli_open_side(c, op->svg);
    struct crm_out *w = crm_out_new(crm_afile_fd(af), op->svg, 0);
    if (w)
        crm_out_raw(w, doc, len);
    enum crm_err rc = w ? crm_out_close(w, &e) : crm_errinfo_set(&e, CRM_ENOMEM, "out of memory");
    free(doc);
    cli_close_side(c, af, rc, &e);
    if (c->verbose)
        cli_warn(c, "heatmap written to %s", op->svg);
}

static void report(struct cli *c, const struct opts *op, const struct crm_cohort *co, int scale)
{
    if (op->svg)
        write_svg(c, op, co, scale);
    struct crm_out *o = cli_open_output(c);
    crm_cohort_write(o, co, op->matrix, op->metric, scale);
    cli_close_output(c, o);
}

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt, metric_given = 0;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    while ((opt = cli_next_option(c, argc, argv, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_PERIOD: cli_check(c, crm_kpi_period_option(optarg, &op->period, &e), &e); break;
        case OPT_METRIC:
            cli_check(c, crm_cohort_metric_option(optarg, &op->metric, &e), &e);
            metric_given = 1;
            break;
        case OPT_MATRIX: op->matrix = 1; break;
        case OPT_SVG: op->svg = optarg; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merge = 1; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (metric_given && !op->matrix && !op->svg)
        cli_usage_error(c, "--metric chooses what --matrix or --svg shows (the long table "
                        "has every metric): add --matrix");
    if (op->emit && (op->svg || op->matrix) && !op->merge)
        cli_usage_error(c, "--emit-partial writes cells only: give --matrix and --svg to "
                        "--merge-partials");
    cli_partial_check(c, op->emit, op->merge, argc - optind, "evaluated");
}

static void merge(struct cli *c, const struct opts *op, char **paths, size_t npaths)
{
    struct crm_errinfo e;
    struct crm_partial_opts run, got;
    struct crm_cohort *co;
    int32_t as_of;
    crm_errinfo_clear(&e);
    crm_scale_cohort_options(&run, op->period,
                             cli_as_of(c, &as_of) ? as_of : CRM_NO_DAY, NULL);
    cli_check(c, crm_scale_cohort_merge((const char *const *)paths, npaths, &run,
                                        op->period, &co, &got, &e), &e);
    report(c, op, co, atoi(crm_partial_opts_get(&got, "money-scale")));
    crm_cohort_free(co);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {CRM_KPI_MONTH, CRM_COHORT_CUSTOMERS, 0, 0, NULL, NULL};
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_init(&c, "crm-cohort", usage);
    parse(&c, &op, argc, argv);
    if (op.merge) {
        merge(&c, &op, argv + optind, (size_t)(argc - optind));
        return 0;
    }
    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    int32_t as_of = cli_resolve_as_of(&c, s);
    int64_t t;   /* two passes: on a pipe the store is held in memory */
    cli_check(&c, crm_store_max_time(s, &t, &e), &e);
    struct crm_cohort *co;
    uint64_t ignored;
    cli_check(&c, crm_cohort_new(op.period, as_of, &co, &e), &e);
    cli_check(&c, crm_cohort_scan(co, s, &ignored, &e), &e);
    if (c.verbose) {
        char d[16];
        crm_date_format(as_of, d);
        cli_warn(&c, "as of %s: %zu cohorts; %llu orders dated on or after the as-of date "
                 "ignored", d, crm_cohort_count(co), (unsigned long long)ignored);
    }
    int scale = crm_store_meta(s)->money_scale;
    if (op.emit) {
        struct crm_partial_opts po;
        crm_scale_cohort_options(&po, op.period, as_of, s);
        struct crm_out *o = cli_open_partial(&c, op.emit);
        cli_check(&c, crm_scale_cohort_emit(o, &po, co, s, &e), &e);
        cli_close_output(&c, o);
    } else {
        report(&c, &op, co, scale);
    }
    crm_cohort_free(co);
    crm_store_close(s);
    return 0;
}
