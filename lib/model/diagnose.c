/* diagnose: crm-churn --diagnostics (SPEC §14) — period transactions (actual vs model), the
 * frequency x recency matrices of P(alive) and expected purchases, and the weekly tracking
 * series, cumulative and incremental, as CSV and SVG. Invariant: deterministic (the model's
 * period counts come from a fixed-seed simulation); nothing here changes the model. */
#include "model/churn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "chart/chart.h"
#include "text/timeparse.h"

#define DECIMALS 7
#define CLASSES 8     /* 0 .. 6 and 7+ */
#define MAX_FREQ 100
#define SEED 20260515u

static enum crm_err period_counts(const struct crm_churn *c, double actual[CLASSES],
                                  double model[CLASSES], struct crm_errinfo *e)
{
    memset(actual, 0, CLASSES * sizeof *actual);
    memset(model, 0, CLASSES * sizeof *model);
    if (!c->tri)
        return crm_errinfo_set(e, CRM_EUSAGE, "diagnostics: no customer summaries");
    /* triples are sorted by (x, T, t_x): collect the customers per distinct T */
    size_t n = c->triples;
    double *T = malloc((n ? n : 1) * sizeof *T), *w = malloc((n ? n : 1) * sizeof *w);
    if (!T || !w) {
        free(T);
        free(w);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the period transactions");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_obs *o = &c->tri[i];
        actual[o->x < CLASSES - 1 ? (size_t)o->x : CLASSES - 1] += o->weight;
        size_t j = 0;
        while (j < m && T[j] != o->T) /* few distinct T (one per first-purchase day) */
            j++;
        if (j == m) {
            T[m] = o->T;
            w[m++] = 0.0;
        }
        w[j] += o->weight;
    }
    struct crm_rng rng;
    crm_rng_seed(&rng, SEED);
    for (size_t j = 0; j < m; j++) {
        double got[CLASSES] = {0};
        for (int k = 0; k < CRM_CHURN_SIMS; k++) {
            struct crm_btyd_obs o;
            double held;
            crm_btyd_simulate(&c->params.bg, &rng, T[j], 0.0, &o, &held);
            got[o.x < CLASSES - 1 ? (size_t)o.x : CLASSES - 1] += 1.0;
        }
        for (int k = 0; k < CLASSES; k++)
            model[k] += w[j] * got[k] / CRM_CHURN_SIMS;
    }
    free(T);
    free(w);
    return CRM_OK;
}

static void class_label(int k, char *buf, size_t size)
{
    snprintf(buf, size, k < CLASSES - 1 ? "%d" : "%d+", k);
}

enum crm_err crm_churn_period_write(const struct crm_churn *c, struct crm_out *o,
                                    struct crm_errinfo *e)
{
    double actual[CLASSES], model[CLASSES];
    enum crm_err rc = period_counts(c, actual, model, e);
    if (rc != CRM_OK)
        return rc;
    crm_out_header(o, "frequency,actual,model");
    for (int k = 0; k < CLASSES; k++) {
        char label[8];
        class_label(k, label, sizeof label);
        crm_out_cstr(o, label);
        crm_out_int(o, (long long)actual[k]);
        crm_out_fixed(o, model[k], 1);
        crm_out_end_row(o);
    }
    return CRM_OK;
}

enum crm_err crm_churn_period_chart(const struct crm_churn *c, struct crm_svg **out,
                                    struct crm_errinfo *e)
{
    double actual[CLASSES], model[CLASSES], x0[CLASSES], x1[CLASSES], m0[CLASSES],
        m1[CLASSES];
    *out = NULL;
    enum crm_err rc = period_counts(c, actual, model, e);
    if (rc != CRM_OK)
        return rc;
    for (int k = 0; k < CLASSES; k++) {
        x0[k] = k - 0.4;
        x1[k] = m0[k] = k;
        m1[k] = k + 0.4;
    }
    char sub[160];
    snprintf(sub, sizeof sub, "%s model (seeded simulation) vs actual; the last class is 7+",
             crm_btyd_model_name(c->params.bg.model));
    struct crm_svg *s = crm_svg_new(0, 0, "Calibration period: customers by repeat purchases");
    if (!s)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the chart");
    struct crm_svg_style sa = {CRM_SVG_Y, "Actual", "#1f77b4", 0};
    struct crm_svg_style sm = {CRM_SVG_Y, "Model", "#ff7f0e", 0};
    crm_svg_subtitle(s, sub);
    crm_svg_axis(s, CRM_SVG_X, -0.5, CLASSES - 0.5, "Repeat purchases in calibration (7 = 7+)",
                 CRM_SVG_EXACT);
    crm_svg_axis(s, CRM_SVG_Y, NAN, NAN, "Customers", 0);
    crm_svg_bars(s, x0, x1, actual, CLASSES, &sa);
    crm_svg_bars(s, m0, m1, model, CLASSES, &sm);
    const char *doc;
    size_t len;
    if ((rc = crm_svg_render(s, &doc, &len, e)) != CRM_OK) {
        crm_svg_free(s);
        return rc;
    }
    *out = s;
    return CRM_OK;
}

/* The matrix's shape: frequencies 0..fmax, recencies 0..tmax, at T. */
static void matrix_shape(const struct crm_churn *c, int *fhi, int *tmax, double *T)
{
    double xm = 0.0, Tm = 0.0;
    for (size_t i = 0; i < c->triples; i++) {
        xm = fmax(xm, c->tri[i].x);
        Tm = fmax(Tm, c->tri[i].T);
    }
    *fhi = xm > MAX_FREQ ? MAX_FREQ : (int)xm;
    *tmax = (int)floor(Tm);
    *T = Tm;
}

static enum crm_err cell(const struct crm_churn *c, double x, double t_x, double T,
                         struct crm_btyd_score *sc, struct crm_errinfo *e)
{
    struct crm_btyd_obs o = {x, t_x, T, 1.0};
    struct crm_btyd_horizon hz = {c->horizon, 0.0, c->days_per_unit};
    return crm_btyd_score(&c->params.bg, &o, 1, &hz, sc, e);
}

enum crm_err crm_churn_matrix_write(const struct crm_churn *c, struct crm_out *o,
                                    struct crm_errinfo *e)
{
    int fm, tm;
    double T;
    matrix_shape(c, &fm, &tm, &T);
    crm_out_header(o, "frequency,recency,T,p_alive,expected_purchases");
    for (int f = 0; f <= fm; f++) {
        for (int t = 0; t <= (f ? tm : 0); t++) {
            struct crm_btyd_score sc;
            enum crm_err rc = cell(c, f, t, T, &sc, e);
            if (rc != CRM_OK)
                return rc;
            crm_out_int(o, f);
            crm_out_int(o, t);
            crm_out_fixed(o, T, DECIMALS);
            crm_out_fixed(o, sc.p_alive, DECIMALS);
            crm_out_fixed(o, sc.expected, DECIMALS);
            crm_out_end_row(o);
        }
    }
    return CRM_OK;
}

enum crm_err crm_churn_matrix_chart(const struct crm_churn *c, int which, struct crm_svg **out,
                                    struct crm_errinfo *e)
{
    int fm, tm;
    double T;
    *out = NULL;
    matrix_shape(c, &fm, &tm, &T);
    double *x = malloc(((size_t)tm + 1) * sizeof *x), *y = malloc(((size_t)tm + 1) * sizeof *y);
    struct crm_svg *s = crm_svg_new(0, 0, which ? "Expected purchases by frequency and recency"
                                                : "P(alive) by frequency and recency");
    enum crm_err rc = CRM_OK;
    if (!x || !y || !s) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the chart");
        goto done;
    }
    char sub[160], unit[16];
    snprintf(unit, sizeof unit, "%s", c->days_per_unit == 7 ? "weeks" : "days");
    snprintf(sub, sizeof sub, "%s; a customer observed for T = %.2f %s; one line per frequency",
             crm_btyd_model_name(c->params.bg.model), T, unit);
    crm_svg_subtitle(s, sub);
    char xl[64];
    snprintf(xl, sizeof xl, "Recency: time of the last purchase (%s)", unit);
    crm_svg_axis(s, CRM_SVG_X, 0, tm, xl, CRM_SVG_EXACT);
    crm_svg_axis(s, CRM_SVG_Y, which ? NAN : 0.0, which ? NAN : 1.0,
                 which ? "Expected purchases in the horizon" : "P(alive)",
                 which ? 0u : CRM_SVG_PERCENT);
    for (int f = 1; f <= fm && f <= 10 && rc == CRM_OK; f++) {
        for (int t = 0; t <= tm && rc == CRM_OK; t++) {
            struct crm_btyd_score sc;
            rc = cell(c, f, t, T, &sc, e);
            x[t] = t;
            y[t] = which ? sc.expected : sc.p_alive;
        }
        char name[32];
        snprintf(name, sizeof name, "frequency %d", f);
        struct crm_svg_style st = {CRM_SVG_Y, name, NULL, 0};
        if (rc == CRM_OK)
            crm_svg_line(s, x, y, (size_t)tm + 1, &st);
    }
    const char *doc;
    size_t len;
    if (rc == CRM_OK)
        rc = crm_svg_render(s, &doc, &len, e);
done:
    free(x);
    free(y);
    if (rc != CRM_OK) {
        crm_svg_free(s);
        return rc;
    }
    *out = s;
    return CRM_OK;
}

enum crm_err crm_churn_tracking_write(const struct crm_churn *c, const struct crm_btsum *b,
                                      struct crm_out *o, struct crm_errinfo *e)
{
    struct crm_churn_tracking t;
    enum crm_err rc = crm_churn_tracking(c, b, &t, e);
    if (rc != CRM_OK)
        return rc;
    crm_out_header(o, "week,week_end,actual_cumulative,predicted_cumulative,"
                      "actual_incremental,predicted_incremental");
    for (size_t i = 1; i < t.n; i++) {
        crm_out_fixed(o, t.x[i], DECIMALS);
        crm_out_date(o, t.start + (int32_t)llround(t.x[i] * 7.0) - 1);
        crm_out_int(o, (long long)t.actual[i]);
        crm_out_fixed(o, t.predicted[i], DECIMALS);
        crm_out_int(o, (long long)(t.actual[i] - t.actual[i - 1]));
        crm_out_fixed(o, t.predicted[i] - t.predicted[i - 1], DECIMALS);
        crm_out_end_row(o);
    }
    crm_churn_tracking_free(&t);
    return CRM_OK;
}

enum crm_err crm_churn_chart_incremental(const struct crm_churn *c, const struct crm_btsum *b,
                                         struct crm_svg **out, struct crm_errinfo *e)
{
    struct crm_churn_tracking t;
    *out = NULL;
    enum crm_err rc = crm_churn_tracking(c, b, &t, e);
    if (rc != CRM_OK)
        return rc;
    for (size_t i = t.n - 1; i > 0; i--) {
        t.actual[i] -= t.actual[i - 1];
        t.predicted[i] -= t.predicted[i - 1];
    }
    char sub[160], d0[16], d1[16];
    crm_date_format(t.start, d0);
    crm_date_format(b->end, d1);
    snprintf(sub, sizeof sub, "%s fit on %u customers; week k ends 7k days after %s; "
             "calibration to %s", crm_btyd_model_name(c->params.bg.model), c->customers, d0, d1);
    struct crm_chart_tracking_opts co = {.title = "Tracking plot: weekly repeat purchases",
                                         .subtitle = sub,
                                         .y_label = "Repeat purchases in the week",
                                         .calibration_end = t.calibration_end};
    rc = crm_chart_tracking(t.x + 1, t.actual + 1, t.predicted + 1, t.n - 1, &co, out, e);
    crm_churn_tracking_free(&t);
    return rc;
}
