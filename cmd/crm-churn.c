/* crm-churn: who is leaving and what they are worth — BG/NBD or MBG/NBD P(alive), expected
 * purchases, Gamma-Gamma CLV, churn risk, dormancy rules and holdout validation (SPEC §9). */
#include <stdio.h>
#include <stdlib.h>

#include "customer/btsum.h"
#include "model/churn.h"
#include "cli.h"
#include "scale/scale.h"
#include "store/store.h"

static const char usage[] =
    "Usage: crm-churn [OPTIONS] [INPUT]\n"
    "Per customer with a paid order: repeat purchases x (distinct purchase days - 1), t_x\n"
    "and T, P(alive), expected purchases and P(no purchase) in the horizon (BG/NBD or\n"
    "MBG/NBD), expected order value (Gamma-Gamma) and CLV, and a churn-risk label; or the\n"
    "dormancy rules. INPUT is a store or an order file; omitted or - is stdin.\n"
    "\n"
    "      --model M            bgnbd (default), mbgnbd (one-time buyers can be dead),\n"
    "                           pnbd (Pareto/NBD) or best (see --compare)\n"
    "      --method M           model (default) or rules: at risk when the days since the\n"
    "                           last purchase exceed K x the customer's mean gap\n"
    "      --k K                the rules' multiple of the mean gap (2)\n"
    "      --floor DAYS         the rules' threshold for one-time buyers (180; or 26w)\n"
    "      --unit U             week (default) or day: the unit of t_x, T and the fit\n"
    "      --horizon DAYS       prediction window (90; 13w); default with\n"
    "                           --calibration-end: the holdout period\n"
    "      --discount RATE      annual discount rate of CLV, discounted monthly (0)\n"
    "      --risk-cuts H,M      churn_risk high when p_alive < H, medium when < M (0.5,0.8)\n"
    "      --calibration-end D  fit on orders up to D (YYYY-MM-DD); compare predictions\n"
    "                           with the purchases after it (column actual_holdout)\n"
    "      --report FILE        holdout report (MAE, RMSE, totals, by frequency) as CSV\n"
    "      --svg FILE           tracking plot: weekly cumulative repeat purchases\n"
    "      --params-out FILE    save the fitted parameters (model,parameter,value)\n"
    "      --params FILE        score with saved parameters instead of fitting\n"
    "      --penalty L          L2 penalty on the parameters (lifetimes' penalizer_coef)\n"
    "      --intervals LEVEL    add expected_purchases_lo/hi, p_alive_lo/hi, clv_lo/hi: the\n"
    "                           LEVEL (e.g. 0.9) interval over 200 seeded parameter draws\n"
    "      --diagnostics DIR    write period transactions, frequency x recency matrices and\n"
    "                           the weekly tracking series (CSV and SVG of each) into DIR\n"
    "      --forecast P:N       rows per customer and future period instead (P week, month\n"
    "                           or quarter; e.g. month:12), discounted with --discount\n"
    "      --compare            fit bgnbd, mbgnbd and pnbd; print one row per model (AIC,\n"
    "                           BIC, holdout MAE/RMSE with --calibration-end) instead\n"
    "      --fallback-params FILE  when the fit fails, warn and score with FILE\n"
    "      --emit-partial FILE  scale-out (docs/SCALE.md): write this partition's weighted\n"
    "                           (x, t_x, T) triples and repeat spend to FILE (- for stdout)\n"
    "                           instead of rows; needs --as-of\n"
    "      --merge-partials     read partial FILEs (the arguments; none or -: stdin), fit\n"
    "                           once and print the parameters (score with --params)\n"
    "      --as-of DATE         day after the end of the data (default: the day after the\n"
    "                           latest order)\n"
    CLI_HELP_MAX_AGE
    "  -o, --output FILE        write FILE atomically instead of stdout\n"
    "      --tsv, --bom         tab-separated output; UTF-8 BOM and CRLF for spreadsheets\n"
    CLI_HELP_SHEET
    "  -v, --verbose            counts, the fit (parameters, log-likelihood, convergence)\n"
    "                           and the holdout report on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import --preset cdnow CDNOW_sample.txt.gz -o cdnow.crm\n"
    "  crm-churn --calibration-end 1997-09-30 --report holdout.csv --svg tracking.svg \\\n"
    "            --params-out fit.csv cdnow.crm > churn.csv\n"
    "  crm-churn --params fit.csv --horizon 52w cdnow.crm | sort -t, -k9,9gr | head\n"
    "  crm-churn --merge-partials churn.0 churn.1 churn.2 -o fit.csv\n";

enum { OPT_SET = CLI_TOOL_OPTS, OPT_CAL, OPT_REPORT, OPT_SVG, OPT_PARAMS_OUT, OPT_PARAMS,
       OPT_EMIT, OPT_MERGE, OPT_FALLBACK, OPT_COMPARE, OPT_DIAG };

/* OPT_SET: the model's options, set by name in lib/model (crm_churn_set_option). */
static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"model", required_argument, NULL, OPT_SET}, {"method", required_argument, NULL, OPT_SET},
    {"k", required_argument, NULL, OPT_SET}, {"floor", required_argument, NULL, OPT_SET},
    {"unit", required_argument, NULL, OPT_SET}, {"horizon", required_argument, NULL, OPT_SET},
    {"discount", required_argument, NULL, OPT_SET},
    {"risk-cuts", required_argument, NULL, OPT_SET},
    {"calibration-end", required_argument, NULL, OPT_CAL},
    {"report", required_argument, NULL, OPT_REPORT}, {"svg", required_argument, NULL, OPT_SVG},
    {"params-out", required_argument, NULL, OPT_PARAMS_OUT},
    {"params", required_argument, NULL, OPT_PARAMS},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {"penalty", required_argument, NULL, OPT_SET},
    {"fallback-params", required_argument, NULL, OPT_FALLBACK},
    {"compare", no_argument, NULL, OPT_COMPARE},
    {"intervals", required_argument, NULL, OPT_SET},
    {"diagnostics", required_argument, NULL, OPT_DIAG},
    {"forecast", required_argument, NULL, OPT_SET}, {NULL, 0, NULL, 0},
};

static void parse(struct cli *c, struct crm_churn_args *op, int argc, char **argv)
{
    struct crm_errinfo e;
    int opt;
    const char *name;
    crm_errinfo_clear(&e);
    while ((opt = cli_next_option(c, argc, argv, longopts, &name)) != -1) {
        switch (opt) {
        case OPT_SET: cli_check(c, crm_churn_set_option(op, name, optarg, &e), &e); break;
        case OPT_CAL: op->cal = optarg; break;
        case OPT_REPORT: op->report = optarg; break;
        case OPT_SVG: op->svg = optarg; break;
        case OPT_PARAMS_OUT: op->params_out = optarg; break;
        case OPT_PARAMS: op->params = optarg; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merge = 1; break;
        case OPT_FALLBACK: op->fallback = optarg; break;
        case OPT_COMPARE: op->compare = 1; break;
        case OPT_DIAG: op->diag = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    cli_check(c, crm_churn_args_check(op, c->as_of != NULL, argc - optind, &e), &e);
}

/* --merge-partials: one fit on the summaries of every partition; the parameters out. */
static void merge(struct cli *c, struct crm_churn_args *op, char **paths, size_t npaths)
{
    struct crm_errinfo e;
    struct crm_partial_opts run, got;
    struct crm_churn *ch;
    int32_t as_of = CRM_NO_DAY, end;
    crm_errinfo_clear(&e);
    cli_as_of(c, &as_of);
    cli_check(c, crm_churn_args_end(op, as_of, &end, &e), &e);
    crm_scale_churn_options(&run, as_of, end, NULL);
    cli_check(c, crm_scale_churn_merge((const char *const *)paths, npaths, &run, op->m.model,
                                       op->m.days_per_unit, op->m.penalty, &ch, &got, &e), &e);
    char text[2048];
    crm_churn_describe(ch, text, sizeof text);
    cli_verbose_lines(c, text);
    if (!ch->params.has_gg)
        cli_warn(c, "no repeat customer spent money: no Gamma-Gamma fit; expected_avg_value "
                 "and clv will be empty");
    c->sheet = "params";
    struct crm_out *o = cli_open_output(c);
    crm_churn_params_write(o, &ch->params);
    cli_close_output(c, o);
    crm_churn_free(ch);
}

/* --compare and --model best: fit every model; 1 when the comparison is the output. */
static int compare(struct cli *c, struct crm_churn_args *op, const struct crm_btsum *b)
{
    struct crm_errinfo e;
    struct crm_churn_compare cmp;
    static char text[3 * 2200];
    crm_errinfo_clear(&e);
    cli_check(c, crm_churn_compare(b, &op->m, &cmp, &e), &e);
    op->m.model = cmp.row[cmp.best].model;
    crm_churn_compare_describe(&cmp, text, sizeof text);
    cli_verbose_lines(c, text);
    if (!op->compare)
        return 0;
    struct crm_out *o = cli_open_output(c);
    crm_churn_compare_write(&cmp, o);
    cli_close_output(c, o);
    return 1;
}

/* The model's fit and its side files (the rules fit nothing). */
static struct crm_churn *fit(struct cli *c, struct crm_churn_args *op,
                             const struct crm_churn_params *fallback, const struct crm_btsum *b)
{
    struct crm_errinfo e;
    struct crm_churn *ch = NULL;
    static char text[4096];
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_churn_args_model(op, fallback, b, &ch, text, sizeof text, &e);
    if (text[0])
        cli_warn(c, "%s", text);
    cli_check(c, rc, &e);
    crm_churn_describe(ch, text, sizeof text);
    cli_verbose_lines(c, text);
    if (!ch->params.has_gg && !op->params)
        cli_warn(c, "no repeat customer spent money: no Gamma-Gamma fit; "
                 "expected_avg_value and clv are empty");
    /* side files before the rows, so that `| head` never leaves a half-written chart;
     * the diagnostics tables take the report's flags */
    unsigned rf = cli_side_flags(c, op->report);
    struct crm_churn_files f = {op->params_out, op->report, op->svg, op->diag,
                                cli_side_flags(c, op->params_out), rf, rf};
    cli_check(c, crm_churn_files_write(ch, b, &f, &e), &e);
    if (op->cal && c->verbose && !op->report)
        cli_check(c, crm_churn_report_fd(ch, 2, "stderr", &e), &e);
    return ch;
}

int main(int argc, char **argv)
{
    struct cli c;
    struct crm_churn_args op;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_churn_args_default(&op);
    cli_init(&c, "crm-churn", usage);
    parse(&c, &op, argc, argv);
    if (op.merge) {
        merge(&c, &op, argv + optind, (size_t)(argc - optind));
        return 0;
    }
    struct crm_churn_params given;
    if (op.params)
        cli_check(&c, crm_churn_args_params(&op, &given, &e), &e);
    cli_claim(&c, op.params, "--params", 0);
    cli_claim(&c, op.report, "--report", 1);
    cli_claim(&c, op.svg, "--svg", 1);
    cli_claim(&c, op.params_out, "--params-out", 1);
    cli_claim(&c, op.fallback, "--fallback-params", 0);
    if (op.fallback) /* read now: a broken fallback must fail on the first night */
        cli_check(&c, crm_churn_args_fallback(&op, &given, &e), &e);
    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    struct crm_btsum_opts bo = {cli_resolve_as_of(&c, s), 0, op.svg || op.diag, 0};
    char text[1024];
    cli_check(&c, crm_churn_args_calibration(&op, bo.as_of, &bo.end, &e), &e);
    struct crm_btsum *b;
    cli_check(&c, crm_btsum_run(s, &bo, &b, &e), &e);
    crm_churn_counts_describe(b, bo.end, bo.as_of, op.cal != NULL, text, sizeof text);
    if (c.verbose)
        cli_warn(&c, "%s", text);

    struct crm_churn *ch = NULL;
    op.m.money_scale = crm_store_meta(s)->money_scale;
    if (op.emit) {
        struct crm_partial_opts po;
        crm_scale_churn_options(&po, bo.as_of, bo.end, s);
        struct crm_out *o = cli_open_partial(&c, op.emit);
        cli_check(&c, crm_scale_churn_emit(o, &po, b, s, &e), &e);
        cli_close_output(&c, o);
    } else if (!(op.compare || op.best) || !compare(&c, &op, b)) {
        if (!op.rules_method)
            ch = fit(&c, &op, &given, b);
        struct crm_out *o = cli_open_output(&c);
        cli_check(&c, crm_churn_args_write(o, &op, ch, b, s, &e), &e);
        cli_close_output(&c, o);
    }
    crm_churn_free(ch);
    crm_btsum_free(b);
    crm_store_close(s);
    return 0;
}
