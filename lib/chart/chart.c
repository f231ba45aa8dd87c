/* chart: the Pareto chart and the tracking plot on top of lib/svg (see chart.h). Charts
 * only read their inputs; every figure printed on them comes from lib/pareto's exact
 * integer sums and is formatted without the C locale's help. */
#include "chart/chart.h"

#include "text/money.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CURVE_POINTS 1000u

/* Minor units with grouped thousands: 123456789 at 2 decimals → "1,234,567.89". */
static void amount_text(int64_t v, int decimals, char *buf)
{
    crm_money_format_grouped(v, decimals, buf);
}

/* 0.5789 → "57.9%" */
static void percent_text(double share, char *buf)
{
    size_t n = crm_svg_format_number(share * 100, 1, buf);
    memcpy(buf + n, "%", 2);
}

/* "revenue" → "Revenue" (ASCII only; other scripts have no case to change). */
static void capitalised(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s);
    if (buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 'a' + 'A');
}

static enum crm_err done(struct crm_svg *s, enum crm_err rc, struct crm_svg **out,
                         struct crm_errinfo *err)
{
    if (rc == CRM_OK) {
        *out = s;
        return CRM_OK;
    }
    if (s) { /* the sticky error has the message */
        const char *doc;
        size_t len;
        if (crm_svg_render(s, &doc, &len, err) == CRM_OK)
            crm_errinfo_set(err, rc, "chart: %s", crm_strerror(rc));
    } else {
        crm_errinfo_set(err, rc, "chart: out of memory");
    }
    crm_svg_free(s);
    *out = NULL;
    return rc;
}

/* Bars: binned mean value per customer, in major units. */
static enum crm_err pareto_bars(struct crm_svg *s, const struct crm_pareto *p, size_t max_bins,
                                double unit, const char *legend)
{
    const uint64_t n = crm_pareto_customers(p);
    size_t room = max_bins < n ? max_bins : (size_t)n;
    if (room == 0)
        return CRM_OK;
    uint64_t *end = malloc(room * sizeof *end);
    int64_t *sum = malloc(room * sizeof *sum);
    double *x0 = malloc(room * sizeof *x0), *x1 = malloc(room * sizeof *x1);
    double *y = malloc(room * sizeof *y);
    enum crm_err rc = CRM_ENOMEM;
    if (end && sum && x0 && x1 && y) {
        size_t nb = crm_pareto_bins(p, room, end, sum);
        for (size_t b = 0; b < nb; b++) {
            uint64_t start = b ? end[b - 1] : 0;
            x0[b] = (double)start / (double)n;
            x1[b] = (double)end[b] / (double)n;
            y[b] = (double)sum[b] / (double)(end[b] - start) / unit;
        }
        const struct crm_svg_style style = {CRM_SVG_Y, legend, "#4472c4", 0};
        rc = crm_svg_bars(s, x0, x1, y, nb, &style);
    }
    free(end);
    free(sum);
    free(x0);
    free(x1);
    free(y);
    return rc;
}

/* The cumulative share line, exact at every customer when there are few. */
static enum crm_err pareto_curve(struct crm_svg *s, const struct crm_pareto *p,
                                 const char *legend)
{
    const uint64_t n = crm_pareto_customers(p);
    const size_t points = n == 0 ? 1 : n <= MAX_CURVE_POINTS ? (size_t)n : MAX_CURVE_POINTS;
    double *x = malloc((points + 1) * sizeof *x), *y = malloc((points + 1) * sizeof *y);
    enum crm_err rc = CRM_ENOMEM;
    if (x && y && crm_pareto_curve(p, points, CRM_PARETO_CUMULATIVE, x, y, NULL) == CRM_OK) {
        const struct crm_svg_style style = {CRM_SVG_Y2, legend, "#ed7d31", 0};
        rc = crm_svg_line(s, x, y, points + 1, &style);
    }
    free(x);
    free(y);
    return rc;
}

static enum crm_err pareto_bands(struct crm_svg *s, const struct crm_pareto_summary *sum)
{
    static const char *const name[3] = {"Class A", "Class B", "Class C"};
    static const char *const color[3] = {"#70ad47", "#ffc000", "#a5a5a5"};
    const double n = (double)sum->customers;
    enum crm_err rc = CRM_OK;
    uint64_t from = 0;
    for (int k = 0; k < 3 && rc == CRM_OK; k++) {
        uint64_t to = from + sum->class_customers[k];
        if (to > from)
            rc = crm_svg_band(s, (double)from / n, (double)to / n, name[k], color[k]);
        from = to;
    }
    return rc;
}

/* "10 customers · total revenue 1,900.00 · top 20% of customers hold 57.9% · Gini 0.426" */
static void pareto_subtitle(struct crm_svg *s, const struct crm_pareto_summary *sum,
                            const char *name, int decimals)
{
    char text[512], count[48], total[48], top[16], gini[16];
    amount_text((int64_t)sum->customers, 0, count);
    amount_text(sum->total_value, decimals, total);
    percent_text(sum->top20_share, top);
    crm_svg_format_number(sum->gini, 3, gini);
    snprintf(text, sizeof text,
             "%s customer%s \xC2\xB7 total %s %s \xC2\xB7 top 20%% of customers hold %s "
             "\xC2\xB7 Gini %s",
             count, sum->customers == 1 ? "" : "s", name, total, top, gini);
    crm_svg_subtitle(s, text);
}

void crm_chart_pareto_opts_of(const struct crm_pareto_opts *po, int money_scale,
                              struct crm_chart_pareto_opts *co)
{
    memset(co, 0, sizeof *co);
    co->value_name = po->by == CRM_PARETO_FREQUENCY ? "orders"
                     : po->by == CRM_PARETO_NET     ? "net revenue"
                                                    : "revenue";
    co->value_decimals = po->by == CRM_PARETO_FREQUENCY ? 0 : money_scale;
    co->a_bp = po->a_bp;
    co->b_bp = po->b_bp;
}

enum crm_err crm_chart_pareto(const struct crm_pareto *p, const struct crm_chart_pareto_opts *o,
                              struct crm_svg **out, struct crm_errinfo *err)
{
    static const struct crm_chart_pareto_opts defaults;
    if (!o)
        o = &defaults;
    *out = NULL;
    const char *name = o->value_name ? o->value_name : "revenue";
    const int decimals = o->value_decimals < 0 ? 0 : o->value_decimals > 6 ? 6 : o->value_decimals;
    const double unit = pow(10, decimals);
    const size_t max_bins = o->max_bins ? o->max_bins : 200;
    const uint64_t n = crm_pareto_customers(p);
    struct crm_pareto_summary sum;
    enum crm_err rc = crm_pareto_summarize(p, o->a_bp ? o->a_bp : 8000,
                                           o->a_bp ? o->b_bp : 9500, &sum, err);
    if (rc != CRM_OK)
        return rc;

    char cap[128], title[256], text[512], label[256], legend[256], count[48], top[16];
    capitalised(name, cap, sizeof cap);
    snprintf(title, sizeof title, "Pareto chart: %s by customer", name);
    struct crm_svg *s = crm_svg_new(o->width, o->height, o->title ? o->title : title);
    if (!s)
        return done(s, CRM_ENOMEM, out, err);

    pareto_subtitle(s, &sum, name, decimals);
    snprintf(label, sizeof label, "Customers ranked by %s, highest first", name);
    crm_svg_axis(s, CRM_SVG_X, 0, 1, label, CRM_SVG_PERCENT);
    snprintf(label, sizeof label, "%s per customer", cap);
    if (n > max_bins) {
        amount_text((int64_t)((n + max_bins / 2) / max_bins), 0, count);
        snprintf(legend, sizeof legend, "%s per customer (each bar: mean of ~%s customers)",
                 cap, count);
    } else {
        snprintf(legend, sizeof legend, "%s per customer", cap);
    }
    crm_svg_axis(s, CRM_SVG_Y, NAN, NAN, label, 0);
    snprintf(text, sizeof text, "Cumulative share of %s", name);
    crm_svg_axis(s, CRM_SVG_Y2, 0, 1, text, CRM_SVG_PERCENT);
    if (o->a_bp && (rc = pareto_bands(s, &sum)) != CRM_OK)
        return done(s, rc, out, err);
    if ((rc = pareto_bars(s, p, max_bins, unit, legend)) != CRM_OK ||
        (rc = pareto_curve(s, p, text)) != CRM_OK)
        return done(s, rc, out, err);
    snprintf(text, sizeof text, "80%% of %s", name);
    rc = crm_svg_hline(s, CRM_SVG_Y2, 0.8, text, "#c00000");
    if (n > 0) {
        const double at = crm_pareto_customers_at_share(p, 8000);
        percent_text(at, top);
        snprintf(text, sizeof text, "%s of customers hold 80%% of %s", top, name);
        rc = crm_svg_point(s, CRM_SVG_Y2, at, 0.8, text, "#c00000");
    }
    return done(s, rc, out, err);
}

enum crm_err crm_chart_tracking(const double *x, const double *actual, const double *predicted,
                                size_t n, const struct crm_chart_tracking_opts *o,
                                struct crm_svg **out, struct crm_errinfo *err)
{
    static const struct crm_chart_tracking_opts defaults;
    if (!o)
        o = &defaults;
    *out = NULL;
    if (n < 2 || !x || !actual || !predicted)
        return crm_errinfo_set(err, CRM_EUSAGE, "tracking plot: need at least two periods");
    struct crm_svg *s = crm_svg_new(o->width, o->height,
                                    o->title ? o->title
                                             : "Tracking plot: cumulative repeat purchases");
    if (!s)
        return done(s, CRM_ENOMEM, out, err);
    if (o->subtitle)
        crm_svg_subtitle(s, o->subtitle);
    crm_svg_axis(s, CRM_SVG_X, fmin(x[0], x[n - 1]), fmax(x[0], x[n - 1]),
                 o->x_label ? o->x_label : "Week", 0);
    const struct crm_svg_style act = {CRM_SVG_Y, o->actual_name ? o->actual_name : "Actual",
                                      "#262626", 0};
    const struct crm_svg_style pred = {
        CRM_SVG_Y, o->predicted_name ? o->predicted_name : "Predicted", "#ed7d31",
        CRM_SVG_DASHED};
    crm_svg_line(s, x, actual, n, &act);
    crm_svg_line(s, x, predicted, n, &pred);
    if (o->calibration_end > fmin(x[0], x[n - 1]) && o->calibration_end < fmax(x[0], x[n - 1]))
        crm_svg_vline(s, o->calibration_end, "End of calibration", "#595959");
    double hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(actual[i]))
            hi = fmax(hi, actual[i]);
        if (isfinite(predicted[i]))
            hi = fmax(hi, predicted[i]);
    }
    enum crm_err rc = crm_svg_axis(s, CRM_SVG_Y, 0, hi > 0 ? hi : 1,
                                   o->y_label ? o->y_label : "Cumulative repeat purchases", 0);
    return done(s, rc, out, err);
}
