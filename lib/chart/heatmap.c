/* heatmap: the cohort heatmap (see heatmap.h). Invariant: every number drawn goes through
 * crm_svg_format_number or the money formatter (never printf's %f), so the bytes do not
 * depend on the locale; the shade of a cell is its value per cohort customer over the
 * largest such value from period 1 on (period 0 is everyone's first order and would wash
 * the later periods out), clamped to 1. */
#include "chart/heatmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "chart/svg.h"
#include "text/money.h"

#define LEFT 170.0
#define TOP 92.0
#define ROW_H 22.0

static void put(struct crm_buf *b, const char *s)
{
    crm_buf_put(b, s, strlen(s));
}

static void num(struct crm_buf *b, double v)
{
    char t[32];
    crm_buf_put(b, t, crm_svg_format_number(v, 1, t));
}

/* The cell's value per cohort customer (what the shade shows). */
static double per_customer(const struct crm_cohort_row *r, enum crm_cohort_metric m)
{
    double n = (double)r->cohort_size;
    switch (m) {
    case CRM_COHORT_REVENUE: return (double)r->revenue / n;
    case CRM_COHORT_ORDERS: return (double)r->orders / n;
    case CRM_COHORT_CUM_REVENUE: return (double)r->cum_revenue_per_customer;
    default: return r->retention;
    }
}

/* The cell's label. */
static void label(const struct crm_cohort_row *r, enum crm_cohort_metric m, int scale,
                  char *buf)
{
    switch (m) {
    case CRM_COHORT_CUSTOMERS:
        snprintf(buf, 32, "%llu", (unsigned long long)r->active);
        break;
    case CRM_COHORT_REVENUE:
        crm_money_format_grouped(r->revenue, scale, buf);
        break;
    case CRM_COHORT_ORDERS:
        snprintf(buf, 32, "%llu", (unsigned long long)r->orders);
        break;
    case CRM_COHORT_CUM_REVENUE:
        crm_money_format_grouped(r->cum_revenue_per_customer, scale, buf);
        break;
    default: {
        size_t n = crm_svg_format_number(r->retention * 100, 1, buf);
        memcpy(buf + n, "%", 2);
    }
    }
}

/* White (#f7fbff) to dark blue (#08306b). */
static void shade(double t, char out[8])
{
    static const int lo[3] = {0xf7, 0xfb, 0xff}, hi[3] = {0x08, 0x30, 0x6b};
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static double scale_max(const struct crm_cohort *co, enum crm_cohort_metric m)
{
    double top = 0;
    struct crm_cohort_row r;
    for (size_t i = 0; i < crm_cohort_count(co); i++)
        for (size_t k = 1; k < crm_cohort_periods(co, i); k++) {
            crm_cohort_row(co, i, k, &r);
            if (per_customer(&r, m) > top)
                top = per_customer(&r, m);
        }
    return top;
}

static void text(struct crm_buf *b, double x, double y, const char *anchor, const char *style,
                 const char *s)
{
    put(b, "<text x=\"");
    num(b, x);
    put(b, "\" y=\"");
    num(b, y);
    put(b, "\" text-anchor=\"");
    put(b, anchor);
    put(b, "\"");
    put(b, style);
    put(b, ">");
    put(b, s);   /* only labels made here: digits, dates, '%', ',', '.', '-' and ASCII words */
    put(b, "</text>\n");
}

static void cell(struct crm_buf *b, const struct crm_cohort_row *r, enum crm_cohort_metric m,
                 int scale, double top, double x, double y, double w)
{
    double t = top > 0 ? per_customer(r, m) / top : 0;
    char fill[8], lab[64];
    shade(t > 1 ? 1 : t, fill);
    put(b, "<rect x=\"");
    num(b, x);
    put(b, "\" y=\"");
    num(b, y);
    put(b, "\" width=\"");
    num(b, w - 1);
    put(b, "\" height=\"");
    num(b, ROW_H - 1);
    put(b, "\" fill=\"");
    put(b, fill);
    put(b, "\"/>\n");
    label(r, m, scale, lab);
    if (w >= 7.0 * (double)strlen(lab) + 4)
        text(b, x + w / 2, y + 15, "middle", t > 0.55 ? " fill=\"#ffffff\"" : "", lab);
}

enum crm_err crm_chart_heatmap(const struct crm_cohort *co, enum crm_cohort_metric metric,
                               const char *period_name, int money_scale, char **doc,
                               size_t *len, struct crm_errinfo *e)
{
    size_t rows = crm_cohort_count(co), cols = crm_cohort_max_periods(co);
    double cw = cols ? fmax(12, fmin(56, 900.0 / (double)cols)) : 56;
    double width = fmax(760, LEFT + cw * (double)cols + 30);
    double height = TOP + ROW_H * (double)rows + 40;
    struct crm_buf b = {0};
    char t[160];
    put(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/"
            "svg\" font-family=\"sans-serif\" font-size=\"12\" width=\"");
    num(&b, width);
    put(&b, "\" height=\"");
    num(&b, height);
    put(&b, "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    snprintf(t, sizeof t, "Cohort %s by %s of first paid order", crm_cohort_metric_name(metric),
             period_name);
    text(&b, 20, 28, "start", " font-size=\"18\" font-weight=\"bold\"", t);
    uint64_t customers = 0;
    struct crm_cohort_row r;
    for (size_t i = 0; i < rows; i++) {
        crm_cohort_row(co, i, 0, &r);
        customers += r.cohort_size;
    }
    snprintf(t, sizeof t, "%zu cohorts, %llu customers; shade: %s per cohort customer, "
             "relative to the highest after period 0", rows, (unsigned long long)customers,
             metric == CRM_COHORT_CUSTOMERS || metric == CRM_COHORT_RETENTION ? "active"
             : crm_cohort_metric_name(metric));
    text(&b, 20, 48, "start", " fill=\"#555555\"", t);
    text(&b, LEFT + cw * (double)cols / 2, TOP - 28, "middle", "", "periods since the first");
    text(&b, 20, TOP - 8, "start", " font-weight=\"bold\"", "cohort (customers)");
    for (size_t k = 0; k < cols; k++) {
        snprintf(t, sizeof t, "%zu", k);
        if (cw >= 18 || k % 5 == 0)
            text(&b, LEFT + cw * ((double)k + 0.5), TOP - 8, "middle", "", t);
    }
    double top = scale_max(co, metric);
    for (size_t i = 0; i < rows; i++) {
        double y = TOP + ROW_H * (double)i;
        crm_cohort_row(co, i, 0, &r);
        snprintf(t, sizeof t, "%s (%llu)", r.cohort, (unsigned long long)r.cohort_size);
        text(&b, 20, y + 15, "start", "", t);
        for (size_t k = 0; k < crm_cohort_periods(co, i); k++) {
            crm_cohort_row(co, i, k, &r);
            cell(&b, &r, metric, money_scale, k == 0 && top == 0 ? 1 : top,
                 LEFT + cw * (double)k, y, cw);
        }
    }
    put(&b, "</svg>\n");
    if (b.oom) {
        free(b.data);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the heatmap");
    }
    *doc = (char *)b.data;
    *len = b.len;
    return CRM_OK;
}
