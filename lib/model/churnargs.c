/* churnargs: crm-churn's command line beyond the common options — the option values with
 * their defaults, the combinations the tool refuses, the --params and --fallback-params
 * files checked against the command line, the fit with its fallback, and the -v lines.
 *
 * Invariant: every refusal is CRM_EUSAGE with the whole message (the tool prints it as a
 * usage error); nothing here reads the store. */
#include "model/churn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text/optval.h"
#include "text/timeparse.h"

void crm_churn_args_default(struct crm_churn_args *a)
{
    static const struct crm_churn_opts m = {CRM_BTYD_BGNBD, 7.0, 90, 0.0, 0.5, 0.8, 2, NULL,
                                            0.0, 0.0};
    memset(a, 0, sizeof *a);
    a->m = m;
    a->rules.k = 2.0;
    a->rules.floor_days = 180;
    a->fc.unit = CRM_CHURN_MONTH;
}

static enum crm_err set_model(struct crm_churn_args *a, const char *t, struct crm_errinfo *e)
{
    if (strcmp(t, "bgnbd") && strcmp(t, "mbgnbd") && strcmp(t, "pnbd") && strcmp(t, "best"))
        return crm_errinfo_set(e, CRM_EUSAGE, "--model %s: expected bgnbd, mbgnbd, pnbd or best",
                               t);
    a->best = t[0] == 'b' && t[1] == 'e';
    a->m.model = t[0] == 'm' ? CRM_BTYD_MBGNBD : t[0] == 'p' ? CRM_BTYD_PNBD : CRM_BTYD_BGNBD;
    a->model_given = 1;
    return CRM_OK;
}

static enum crm_err set_cuts(struct crm_churn_args *a, const char *t, struct crm_errinfo *e)
{
    char *end;
    a->m.risk_high = strtod(t, &end);
    if (end == t || *end != ',' || !end[1] || (a->m.risk_medium = strtod(end + 1, &end), *end) ||
        !(a->m.risk_high >= 0 && a->m.risk_high <= a->m.risk_medium && a->m.risk_medium <= 1))
        return crm_errinfo_set(e, CRM_EUSAGE, "--risk-cuts %s: expected H,M with 0 <= H <= M "
                               "<= 1", t);
    return CRM_OK;
}

/* --forecast week:N | month:N | quarter:N */
static enum crm_err set_forecast(struct crm_churn_args *a, const char *t, struct crm_errinfo *e)
{
    static const char *const units[3] = {"week:", "month:", "quarter:"};
    for (int u = 0; u < 3; u++) {
        size_t k = strlen(units[u]);
        if (strncmp(t, units[u], k) == 0) {
            char *end;
            errno = 0;
            double v = strtod(t + k, &end);
            if (errno || end == t + k || *end || !isfinite(v) || v < 1 || v > 1000)
                return crm_errinfo_set(e, CRM_EUSAGE, "--forecast %s: expected a number from "
                                       "%g to %g", t + k, 1.0, 1000.0);
            a->fc.unit = (enum crm_churn_period)u;
            a->fc.periods = (int)v;
            if (a->fc.periods != atof(t + k))
                break;
            return CRM_OK;
        }
    }
    return crm_errinfo_set(e, CRM_EUSAGE, "--forecast %s: expected week:N, month:N or quarter:N "
                           "(N a whole number 1..1000), e.g. month:12", t);
}

/* The options that are a number (--k, --discount, --penalty, --intervals) or days (--floor,
 * --horizon): 1 with *rc set when name is one of them. */
static int set_number(struct crm_churn_args *a, const char *name, const char *text,
                      enum crm_err *rc, struct crm_errinfo *e)
{
    static const struct { const char *name; double lo, hi; } range[] = {
        {"k", 1, 1000}, {"discount", 0, 10}, {"penalty", 0, 1e6}, {"intervals", 0.5, 0.999},
    };
    double *const to[] = {&a->rules.k, &a->m.annual_discount, &a->m.penalty,
                          &a->m.interval_level};
    char opt[32];
    snprintf(opt, sizeof opt, "--%s", name);
    for (size_t i = 0; i < sizeof range / sizeof *range; i++) {
        if (strcmp(name, range[i].name) == 0) {
            *rc = crm_optval_number(opt, text, range[i].lo, range[i].hi, to[i], e);
            return 1;
        }
    }
    if (strcmp(name, "floor") == 0 || strcmp(name, "horizon") == 0) {
        int horizon = name[0] == 'h';
        *rc = crm_optval_days(opt, text, 0, horizon ? &a->m.horizon_days : &a->rules.floor_days,
                              e);
        a->horizon_given |= horizon && *rc == CRM_OK;
        return 1;
    }
    return 0;
}

enum crm_err crm_churn_set_option(struct crm_churn_args *a, const char *name, const char *text,
                                  struct crm_errinfo *e)
{
    enum crm_err rc;
    if (set_number(a, name, text, &rc, e))
        return rc;
    if (strcmp(name, "model") == 0)
        return set_model(a, text, e);
    if (strcmp(name, "risk-cuts") == 0)
        return set_cuts(a, text, e);
    if (strcmp(name, "forecast") == 0)
        return set_forecast(a, text, e);
    if (strcmp(name, "method") == 0) {
        if (strcmp(text, "model") && strcmp(text, "rules"))
            return crm_errinfo_set(e, CRM_EUSAGE, "--method %s: expected model or rules", text);
        a->rules_method = text[0] == 'r';
        return CRM_OK;
    }
    if (strcmp(name, "unit") == 0) {
        if (strcmp(text, "week") && strcmp(text, "day"))
            return crm_errinfo_set(e, CRM_EUSAGE, "--unit %s: expected week or day", text);
        a->m.days_per_unit = text[0] == 'w' ? 7.0 : 1.0;
        a->unit_given = 1;
        return CRM_OK;
    }
    return crm_errinfo_set(e, CRM_EUSAGE, "unknown");
}

/* The first refused combination's message, or NULL. */
static const char *conflict(const struct crm_churn_args *a, int as_of_given)
{
    int fits = a->params || a->params_out || a->report || a->svg;
    if ((a->emit || a->merge) && (a->rules_method || fits))
        return "--emit-partial and --merge-partials fit the model of all partitions: no "
               "--method rules, --params, --params-out, --report or --svg (the merge prints "
               "the parameters; score with --params)";
    if (a->emit && a->merge)
        return "--emit-partial and --merge-partials are separate steps; give one";
    if (a->emit && !as_of_given)
        return "--emit-partial needs --as-of: every partition must end on the same day";
    if (a->rules_method && fits)
        return "--method rules fits no model: --params, --params-out, --report and --svg "
               "need --method model";
    if (a->fallback && (a->params || a->rules_method || a->emit || a->merge))
        return "--fallback-params stands in for a failed fit: not with --params, --method "
               "rules, --emit-partial or --merge-partials";
    if ((a->compare || a->best) && (a->params || a->rules_method || a->emit || a->merge))
        return "--compare and --model best fit every model: not with --params, --method "
               "rules, --emit-partial or --merge-partials";
    if ((a->diag || a->fc.periods || a->m.interval_level > 0) &&
        (a->rules_method || a->emit || a->merge || a->compare))
        return "--diagnostics, --forecast and --intervals score a model: not with --method "
               "rules, --emit-partial, --merge-partials or --compare";
    if (a->fc.periods && a->m.interval_level > 0)
        return "--forecast writes one row per customer and period: --intervals goes with the "
               "per-customer rows";
    if (a->report && !a->cal)
        return "--report compares with a holdout: give --calibration-end";
    return NULL;
}

enum crm_err crm_churn_args_check(const struct crm_churn_args *a, int as_of_given, int ninputs,
                                  struct crm_errinfo *e)
{
    if (ninputs > 1 && !a->merge)
        return crm_errinfo_set(e, CRM_EUSAGE, "one INPUT at most (got %d)", ninputs);
    const char *why = conflict(a, as_of_given);
    return why ? crm_errinfo_set(e, CRM_EUSAGE, "%s", why) : CRM_OK;
}

static const char *unit_name(double days)
{
    return days == 7 ? "week" : "day";
}

enum crm_err crm_churn_args_params(struct crm_churn_args *a, struct crm_churn_params *given,
                                   struct crm_errinfo *e)
{
    size_t n = strlen(a->params);
    if (n > 5 && strcasecmp(a->params + n - 5, ".xlsx") == 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--params %s: a workbook is for people; --params "
                               "reads the CSV that --params-out FILE.csv writes", a->params);
    enum crm_err rc = crm_churn_params_read(a->params, given, e);
    if (rc != CRM_OK)
        return rc;
    if (a->model_given && given->bg.model != a->m.model)
        return crm_errinfo_set(e, CRM_EUSAGE, "--model %s but %s holds %s parameters",
                               crm_btyd_model_name(a->m.model), a->params,
                               crm_btyd_model_name(given->bg.model));
    if (given->unit_days > 0 && a->unit_given && given->unit_days != a->m.days_per_unit)
        return crm_errinfo_set(e, CRM_EUSAGE, "--unit %s but %s was fitted in %ss",
                               unit_name(a->m.days_per_unit), a->params,
                               unit_name(given->unit_days));
    if (given->unit_days > 0)
        a->m.days_per_unit = given->unit_days;
    a->m.params = given;
    return CRM_OK;
}

enum crm_err crm_churn_args_fallback(const struct crm_churn_args *a,
                                     struct crm_churn_params *given, struct crm_errinfo *e)
{
    enum crm_err rc = crm_churn_params_read(a->fallback, given, e);
    if (rc != CRM_OK)
        return rc;
    if (given->unit_days > 0 && given->unit_days != a->m.days_per_unit)
        return crm_errinfo_set(e, CRM_EUSAGE, "--fallback-params %s was fitted in %ss, but "
                               "this fit is in %ss (--unit)", a->fallback,
                               unit_name(given->unit_days), unit_name(a->m.days_per_unit));
    return CRM_OK;
}

enum crm_err crm_churn_args_model(struct crm_churn_args *a,
                                  const struct crm_churn_params *fallback,
                                  const struct crm_btsum *b, struct crm_churn **out,
                                  char *warning, size_t size, struct crm_errinfo *e)
{
    warning[0] = '\0';
    enum crm_err rc = crm_churn_model(b, &a->m, out, e);
    if (rc == CRM_EMODEL && a->fallback) {
        snprintf(warning, size, "warning: %s; scoring with the fallback parameters of %s",
                 e->msg, a->fallback);
        crm_errinfo_clear(e);
        a->m.params = fallback;
        rc = crm_churn_model(b, &a->m, out, e);
    }
    if (rc == CRM_EUSAGE && a->m.params && !e->file[0]) /* e.g. no std_error for --intervals */
        crm_errinfo_where(e, a->params ? a->params : a->fallback, -1, -1, -1);
    return rc;
}

size_t crm_churn_counts_describe(const struct crm_btsum *b, int32_t end, int32_t as_of,
                                 int holdout, char *buf, size_t size)
{
    char d[2][16];
    crm_date_format(end, d[0]);
    crm_date_format(as_of - 1, d[1]);
    int n = snprintf(buf, size, "calibration to %s%s%s: %llu orders (%llu paid) read, %llu on "
                     "or after the as-of date ignored; %u customers modelled, %u first buying "
                     "in the holdout left out; %u customers' orders out of time order (%d "
                     "pass%s)", d[0], holdout ? ", holdout to " : "", holdout ? d[1] : "",
                     (unsigned long long)b->orders, (unsigned long long)b->paid,
                     (unsigned long long)b->orders_future, b->customers, b->holdout_only,
                     b->out_of_order, b->passes, b->passes == 1 ? "" : "es");
    return n < 0 ? 0 : (size_t)n;
}

size_t crm_churn_compare_describe(const struct crm_churn_compare *cmp, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < CRM_CHURN_MODELS; i++) {
        const struct crm_churn_compare_row *r = &cmp->row[i];
        int k = snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s%s: %s\n",
                         i == cmp->best ? "best model " : "", crm_btyd_model_name(r->model),
                         r->ok ? (r->holdout ? "lowest holdout MAE" : "lowest BIC") : r->why);
        n += k < 0 ? 0 : (size_t)k;
    }
    return n;
}

enum crm_err crm_churn_args_end(const struct crm_churn_args *a, int32_t as_of, int32_t *end,
                                struct crm_errinfo *e)
{
    *end = as_of == CRM_NO_DAY ? CRM_NO_DAY : as_of - 1;
    if (a->cal && crm_date_parse(a->cal, end) != 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--calibration-end %s: expected YYYY-MM-DD",
                               a->cal);
    return CRM_OK;
}

enum crm_err crm_churn_args_calibration(struct crm_churn_args *a, int32_t as_of, int32_t *end,
                                        struct crm_errinfo *e)
{
    char d[16];
    enum crm_err rc = crm_churn_args_end(a, as_of, end, e);
    if (rc != CRM_OK)
        return rc;
    crm_date_format(as_of - 1, d);
    if (a->cal && *end >= as_of - 1)
        return crm_errinfo_set(e, CRM_EUSAGE, "--calibration-end %s leaves no holdout: the data "
                               "ends %s", a->cal, d);
    if (a->cal && !a->horizon_given)
        a->m.horizon_days = as_of - 1 - *end;
    return CRM_OK;
}

enum crm_err crm_churn_args_write(struct crm_out *o, struct crm_churn_args *a,
                                  const struct crm_churn *ch, const struct crm_btsum *b,
                                  const struct crm_store *s, struct crm_errinfo *e)
{
    struct crm_churn_report rep = {ch, &a->rules, b, s, a->m.days_per_unit, a->m.money_scale,
                                   a->cal != NULL};
    a->fc.annual_discount = a->m.annual_discount;
    return a->fc.periods ? crm_churn_forecast_write(o, &rep, &a->fc, e)
                         : crm_churn_write(o, &rep, e);
}
