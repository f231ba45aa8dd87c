/* chart: the report charts of the tools, drawn with lib/svg — crm-pareto's Pareto chart
 * (SPEC §8) and crm-churn's tracking plot (§9). Each returns a struct crm_svg that the
 * caller writes (crm_svg_write) and frees. Same input → same bytes. */
#ifndef CRM_CHART_H
#define CRM_CHART_H

#include <stddef.h>

#include "base/err.h"
#include "customer/pareto.h"
#include "customer/paretorep.h"
#include "chart/svg.h"

struct crm_chart_pareto_opts {
    const char *title;      /* NULL: "Pareto chart: <value> by customer" */
    const char *value_name; /* what was ranked, lower case: NULL = "revenue" */
    int value_decimals;     /* decimals of the minor unit: 2 for cents, 0 for counts */
    unsigned a_bp, b_bp;    /* ABC cuts to shade as bands; a_bp 0: no bands */
    size_t max_bins;        /* most bars drawn: 0 = 200 */
    double width, height;   /* 0: 960 × 540 */
};

/* The Pareto chart of p: customers ranked by value, highest first, along x (cumulative
 * share of customers, 0–100 %); bars = value per customer — with more customers than
 * max_bins, each bar is a bin of consecutive ranks (sizes differ by at most one) and its
 * height is the bin's MEAN value per customer, so the y axis keeps its meaning at any n;
 * the cumulative share of value as a line on the right axis (0–100 %, through every
 * customer up to 1000 customers, else at 1000 evenly spaced points); a dashed 80 % line,
 * a marker where the curve crosses it, labelled with the share of customers; optional
 * A/B/C bands; a subtitle with n, total, top-20 share and Gini. */
enum crm_err crm_chart_pareto(const struct crm_pareto *p, const struct crm_chart_pareto_opts *o,
                              struct crm_svg **out, struct crm_errinfo *err);

/* crm-pareto's chart options (the rest 0): what was ranked ("revenue", "net revenue" or
 * "orders"), its decimals (money_scale; 0 for orders) and the ABC cuts of po. */
void crm_chart_pareto_opts_of(const struct crm_pareto_opts *po, int money_scale,
                              struct crm_chart_pareto_opts *co);

struct crm_chart_tracking_opts {
    const char *title;          /* NULL: "Tracking plot: cumulative repeat purchases" */
    const char *subtitle;       /* NULL: none */
    const char *x_label;        /* NULL: "Week" */
    const char *y_label;        /* NULL: "Cumulative repeat purchases" */
    const char *actual_name;    /* NULL: "Actual" */
    const char *predicted_name; /* NULL: "Predicted" */
    double calibration_end;     /* a vertical line here when x[0] < it < x[n-1] */
    double width, height;       /* 0: 960 × 540 */
};

/* The classic tracking plot (as in Fader, Hardie & Lee 2005): actual and predicted
 * cumulative repeat purchases per period x[i]; actual[i] may be NaN where unknown. */
enum crm_err crm_chart_tracking(const double *x, const double *actual, const double *predicted,
                                size_t n, const struct crm_chart_tracking_opts *o,
                                struct crm_svg **out, struct crm_errinfo *err);

#endif
