/* crm-churn: who is leaving and what they are worth — BG/NBD or MBG/NBD P(alive), expected
 * purchases, Gamma-Gamma CLV, churn risk, dormancy rules and holdout validation (SPEC §9). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btsum.h"
#include "chart.h"
#include "churn.h"
#include "cli.h"
#include "store.h"
#include "timeparse.h"

static const char usage[] =
    "Usage: crm-churn [OPTIONS] [INPUT]\n"
    "Per customer with a paid order: repeat purchases x (distinct purchase days - 1), t_x\n"
    "and T, P(alive), expected purchases and P(no purchase) in the horizon (BG/NBD or\n"
    "MBG/NBD), expected order value (Gamma-Gamma) and CLV, and a churn-risk label; or the\n"
    "dormancy rules. INPUT is a store or an order file; omitted or - is stdin.\n"
    "\n"
    "      --model M            bgnbd (default) or mbgnbd (one-time buyers can be dead)\n"
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
    "      --as-of DATE         day after the end of the data (default: the day after the\n"
    "                           latest order)\n"
    "  -o, --output FILE        write FILE atomically instead of stdout\n"
    "      --tsv, --bom         tab-separated output; UTF-8 BOM and CRLF for spreadsheets\n"
    "  -v, --verbose            counts, the fit (parameters, log-likelihood, convergence)\n"
    "                           and the holdout report on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import --preset cdnow CDNOW_sample.txt.gz -o cdnow.crm\n"
    "  crm-churn --calibration-end 1997-09-30 --report holdout.csv --svg tracking.svg \\\n"
    "            --params-out fit.csv cdnow.crm > churn.csv\n"
    "  crm-churn --params fit.csv --horizon 52w cdnow.crm | sort -t, -k9,9gr | head\n";

enum { OPT_MODEL = CLI_TOOL_OPTS, OPT_METHOD, OPT_K, OPT_FLOOR, OPT_UNIT, OPT_HORIZON,
       OPT_DISCOUNT, OPT_CUTS, OPT_CAL, OPT_REPORT, OPT_SVG, OPT_PARAMS_OUT, OPT_PARAMS };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    {"model", required_argument, NULL, OPT_MODEL}, {"method", required_argument, NULL, OPT_METHOD},
    {"k", required_argument, NULL, OPT_K}, {"floor", required_argument, NULL, OPT_FLOOR},
    {"unit", required_argument, NULL, OPT_UNIT}, {"horizon", required_argument, NULL, OPT_HORIZON},
    {"discount", required_argument, NULL, OPT_DISCOUNT},
    {"risk-cuts", required_argument, NULL, OPT_CUTS},
    {"calibration-end", required_argument, NULL, OPT_CAL},
    {"report", required_argument, NULL, OPT_REPORT}, {"svg", required_argument, NULL, OPT_SVG},
    {"params-out", required_argument, NULL, OPT_PARAMS_OUT},
    {"params", required_argument, NULL, OPT_PARAMS}, {NULL, 0, NULL, 0},
};

struct opts {
    struct crm_churn_opts m;
    struct crm_churn_rules rules;
    int rules_method, model_given, horizon_given, unit_given;
    const char *cal, *report, *svg, *params_out, *params;
};

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt;
    char *end;
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, NULL)) != -1) {
        if (cli_common(c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_MODEL:
            if (strcmp(optarg, "bgnbd") && strcmp(optarg, "mbgnbd"))
                cli_usage_error(c, "--model %s: expected bgnbd or mbgnbd", optarg);
            op->m.model = optarg[0] == 'm' ? CRM_BTYD_MBGNBD : CRM_BTYD_BGNBD;
            op->model_given = 1;
            break;
        case OPT_METHOD:
            if (strcmp(optarg, "model") && strcmp(optarg, "rules"))
                cli_usage_error(c, "--method %s: expected model or rules", optarg);
            op->rules_method = optarg[0] == 'r';
            break;
        case OPT_K: op->rules.k = cli_number(c, "--k", optarg, 1, 1000); break;
        case OPT_FLOOR: op->rules.floor_days = cli_days(c, "--floor", optarg, 0); break;
        case OPT_UNIT:
            if (strcmp(optarg, "week") && strcmp(optarg, "day"))
                cli_usage_error(c, "--unit %s: expected week or day", optarg);
            op->m.days_per_unit = optarg[0] == 'w' ? 7.0 : 1.0;
            op->unit_given = 1;
            break;
        case OPT_HORIZON:
            op->m.horizon_days = cli_days(c, "--horizon", optarg, 0);
            op->horizon_given = 1;
            break;
        case OPT_DISCOUNT: op->m.annual_discount = cli_number(c, "--discount", optarg, 0, 10); break;
        case OPT_CUTS:
            op->m.risk_high = strtod(optarg, &end);
            if (*end != ',' || (op->m.risk_medium = strtod(end + 1, &end), *end) ||
                !(op->m.risk_high >= 0 && op->m.risk_high <= op->m.risk_medium &&
                  op->m.risk_medium <= 1))
                cli_usage_error(c, "--risk-cuts %s: expected H,M with 0 <= H <= M <= 1",
                                optarg);
            break;
        case OPT_CAL: op->cal = optarg; break;
        case OPT_REPORT: op->report = optarg; break;
        case OPT_SVG: op->svg = optarg; break;
        case OPT_PARAMS_OUT: op->params_out = optarg; break;
        case OPT_PARAMS: op->params = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (argc - optind > 1)
        cli_usage_error(c, "one INPUT at most (got %d)", argc - optind);
    if (op->rules_method && (op->params || op->params_out || op->report || op->svg))
        cli_usage_error(c, "--method rules fits no model: --params, --params-out, --report "
                        "and --svg need --method model");
    if (op->report && !op->cal)
        cli_usage_error(c, "--report compares with a holdout: give --calibration-end");
}

/* An atomic side file (--params-out, --report) written by fn through a CSV writer. */
static void side_file(struct cli *c, const char *path, const struct crm_churn *ch,
                      void (*fn)(const struct crm_churn *, struct crm_out *))
{
    struct crm_afile *af = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_afile_open(path, &af, &e);
    if (rc == CRM_OK) {
        struct crm_out *o = crm_out_new(crm_afile_fd(af), path, c->out_flags);
        rc = o ? (fn(ch, o), crm_out_close(o, &e)) : crm_errinfo_set(&e, CRM_ENOMEM, "no memory");
    }
    if (rc == CRM_OK) {
        rc = crm_afile_commit(af, &e);
        af = NULL;
    }
    crm_afile_abort(af);
    if (rc != CRM_OK)
        crm_errinfo_where(&e, path, -1, -1, -1);
    cli_check(c, rc, &e);
}

static void params_out(const struct crm_churn *ch, struct crm_out *o)
{
    crm_churn_params_write(o, &ch->params);
}

static void write_svg(struct cli *c, const char *path, const struct crm_churn *ch,
                      const struct crm_btsum *b)
{
    struct crm_churn_tracking t;
    struct crm_svg *svg;
    struct crm_afile *af = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    char sub[160], d0[16], d1[16];
    cli_check(c, crm_churn_tracking(ch, b, &t, &e), &e);
    crm_date_format(t.start, d0);
    crm_date_format(b->end, d1);
    snprintf(sub, sizeof sub, "%s fit on %u customers, week 0 = %s, calibration to %s",
             crm_btyd_model_name(ch->params.bg.model), ch->customers, d0, d1);
    struct crm_chart_tracking_opts co = {.subtitle = sub, .calibration_end = t.calibration_end};
    enum crm_err rc = crm_chart_tracking(t.x, t.actual, t.predicted, t.n, &co, &svg, &e);
    crm_churn_tracking_free(&t);
    cli_check(c, rc, &e);
    if ((rc = crm_afile_open(path, &af, &e)) == CRM_OK)
        rc = crm_svg_write_fd(svg, crm_afile_fd(af), &e);
    if (rc == CRM_OK) {
        rc = crm_afile_commit(af, &e);
        af = NULL;
    }
    crm_afile_abort(af);
    crm_svg_free(svg);
    if (rc != CRM_OK)
        crm_errinfo_where(&e, path, -1, -1, -1);
    cli_check(c, rc, &e);
}

static void fit_report(const struct cli *c, const struct crm_churn *ch)
{
    const struct crm_churn_params *p = &ch->params;
    const char *m = crm_btyd_model_name(p->bg.model);
    if (!ch->fitted) {
        cli_warn(c, "%s parameters from --params: r=%.7f alpha=%.7f a=%.7f b=%.7f", m, p->bg.r,
                 p->bg.alpha, p->bg.a, p->bg.b);
    } else {
        const struct crm_btyd_fit *f = &ch->bg_fit;
        cli_warn(c, "%s fit on %u customers (%zu distinct x, t_x, T): r=%.7f (se %.4g) "
                 "alpha=%.7f (se %.4g) a=%.7f (se %.4g) b=%.7f (se %.4g); log-likelihood %.7f; "
                 "converged in %d iterations (%d evaluations, gradient %.2g)", m, ch->customers,
                 ch->triples, p->bg.r, f->se[0], p->bg.alpha, f->se[1], p->bg.a, f->se[2],
                 p->bg.b, f->se[3], f->loglik, f->iterations, f->evaluations, f->grad_norm);
        const struct crm_btyd_gg_fit *g = &ch->gg_fit;
        if (p->has_gg)
            cli_warn(c, "gammagamma fit on %u repeat customers: p=%.7f (se %.4g) q=%.7f (se "
                     "%.4g) gamma=%.7f (se %.4g); log-likelihood %.7f; converged in %d "
                     "iterations", ch->gg_customers, p->gg.p, g->se[0], p->gg.q, g->se[1],
                     p->gg.gamma, g->se[2], g->loglik, g->iterations);
        if (ch->gg_zero_spend)
            cli_warn(c, "gammagamma: %u repeat customers with mean spend 0 left out of the fit "
                     "(given the population mean)", ch->gg_zero_spend);
    }
    if (p->has_gg)
        cli_warn(c, "gammagamma: population mean order value %.2f", ch->population_mean);
}

static void put_days(struct crm_out *o, double v, double unit)
{
    if (unit == 1.0)
        crm_out_int(o, (long long)v);
    else
        crm_out_fixed(o, v, 7);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {{CRM_BTYD_BGNBD, 7.0, 90, 0.0, 0.5, 0.8, 2, NULL}, {2.0, 180}, 0, 0, 0, 0,
                      NULL, NULL, NULL, NULL, NULL};
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_init(&c, "crm-churn", usage);
    parse(&c, &op, argc, argv);
    struct crm_churn_params given;
    if (op.params) {
        cli_check(&c, crm_churn_params_read(op.params, &given, &e), &e);
        if (op.model_given && given.bg.model != op.m.model)
            cli_usage_error(&c, "--model %s but %s holds %s parameters",
                            crm_btyd_model_name(op.m.model), op.params,
                            crm_btyd_model_name(given.bg.model));
        if (given.unit_days > 0 && op.unit_given && given.unit_days != op.m.days_per_unit)
            cli_usage_error(&c, "--unit %s but %s was fitted in %ss", op.m.days_per_unit == 7
                            ? "week" : "day", op.params, given.unit_days == 7 ? "week" : "day");
        if (given.unit_days > 0)
            op.m.days_per_unit = given.unit_days;
        op.m.params = &given;
    }

    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    struct crm_btsum_opts bo = {cli_resolve_as_of(&c, s), 0, op.svg != NULL, 0};
    bo.end = bo.as_of - 1;
    char d[2][16];
    if (op.cal && crm_date_parse(op.cal, &bo.end) != 0)
        cli_usage_error(&c, "--calibration-end %s: expected YYYY-MM-DD", op.cal);
    crm_date_format(bo.as_of - 1, d[1]);
    if (op.cal && bo.end >= bo.as_of - 1)
        cli_usage_error(&c, "--calibration-end %s leaves no holdout: the data ends %s", op.cal,
                        d[1]);
    if (op.cal && !op.horizon_given)
        op.m.horizon_days = bo.as_of - 1 - bo.end;
    struct crm_btsum *b;
    cli_check(&c, crm_btsum_run(s, &bo, &b, &e), &e);
    crm_date_format(bo.end, d[0]);
    if (c.verbose)
        cli_warn(&c, "calibration to %s%s%s: %llu orders (%llu paid) read, %llu on or after the "
                 "as-of date ignored; %u customers modelled, %u first buying in the holdout left "
                 "out; %u customers' orders out of time order (%d passes)", d[0],
                 op.cal ? ", holdout to " : "", op.cal ? d[1] : "",
                 (unsigned long long)b->orders, (unsigned long long)b->paid,
                 (unsigned long long)b->orders_future, b->customers, b->holdout_only,
                 b->out_of_order, b->passes);

    struct crm_churn *ch = NULL;
    op.m.money_scale = crm_store_meta(s)->money_scale;
    if (!op.rules_method) {
        cli_check(&c, crm_churn_model(b, &op.m, &ch, &e), &e);
        if (c.verbose)
            fit_report(&c, ch);
        if (!ch->params.has_gg && !(op.params && !given.has_gg))
            cli_warn(&c, "no repeat customer spent money: no Gamma-Gamma fit, "
                     "expected_avg_value and clv are empty");
        if (op.params_out)
            side_file(&c, op.params_out, ch, params_out);
        if (op.report)
            side_file(&c, op.report, ch, crm_churn_report_write);
        if (op.svg)
            write_svg(&c, op.svg, ch, b);
        if (op.cal && c.verbose && !op.report) {
            struct crm_out *r = crm_out_new(2, "stderr", 0);
            crm_churn_report_write(ch, r);
            cli_check(&c, crm_out_close(r, &e), &e);
        }
    }

    struct crm_out *o = cli_open_output(&c);
    const int scale = op.m.money_scale;
    const double u = op.m.days_per_unit;
    char header[160];
    snprintf(header, sizeof header, "customer_id,x,t_x,T,%s%s",
             op.rules_method ? "recency,mean_gap,threshold,churn_risk,reason"
                             : "p_alive,expected_purchases,prob_no_purchase,expected_avg_value,"
                               "clv,churn_risk",
             op.cal ? ",actual_holdout" : "");
    crm_out_header(o, header);
    for (uint32_t k = 0; k < b->n && !crm_out_failed(o); k++) {
        const struct crm_btsum_cust *bc = &b->cust[k];
        struct crm_churn_row r;
        struct crm_churn_rule_row rr;
        if (op.rules_method ? !crm_churn_rule(b, k, &op.rules, &rr) : !crm_churn_row(ch, b, k, &r))
            continue;
        size_t len;
        const char *id = crm_store_customer_id(s, k, &len);
        crm_out_str(o, id, len);
        crm_out_int(o, crm_btsum_x(bc));
        put_days(o, (bc->last - bc->first) / u, u);
        put_days(o, (b->end - bc->first) / u, u);
        if (op.rules_method) {
            put_days(o, rr.recency_days / u, u);
            isnan(rr.gap_days) ? crm_out_empty(o) : crm_out_fixed(o, rr.gap_days / u, 7);
            crm_out_fixed(o, rr.threshold_days / u, 7);
            crm_out_cstr(o, crm_churn_risk_name(rr.risk));
            crm_out_cstr(o, rr.reason);
        } else {
            crm_out_fixed(o, r.p_alive, 7);
            crm_out_fixed(o, r.expected, 7);
            crm_out_fixed(o, r.prob_no_purchase, 7);
            r.has_value ? crm_out_money(o, r.value_minor, scale) : crm_out_empty(o);
            r.has_value ? crm_out_money(o, r.clv_minor, scale) : crm_out_empty(o);
            crm_out_cstr(o, crm_churn_risk_name(r.risk));
        }
        if (op.cal)
            crm_out_int(o, bc->holdout_days);
        crm_out_end_row(o);
    }
    cli_close_output(&c, o);
    crm_churn_free(ch);
    crm_btsum_free(b);
    crm_store_close(s);
    return 0;
}
