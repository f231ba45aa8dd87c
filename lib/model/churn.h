/* churn: what crm-churn computes (SPEC §9) from the purchase summaries of lib/btsum with the
 * models of lib/btyd — the BG/NBD or MBG/NBD fit on compacted (x, t_x, T) triples, the
 * Gamma-Gamma spend fit, per-customer P(alive), expected purchases, P(no purchase),
 * expected order value, CLV and churn-risk label; the dormancy rules; holdout validation
 * (report and tracking series); and the `model,parameter,value` parameter files.
 *
 * Invariants: a fitted model's parameters are rounded to the 7 decimals a parameter file
 * holds before anything is scored, so scoring with `--params` of a saved fit gives the same
 * output byte for byte (and partitions scored with one saved fit match the whole store);
 * the fit costs O(distinct triples) per likelihood evaluation; a customer's row depends only
 * on that customer's summary and the parameters. */
#ifndef CRM_CHURN_H
#define CRM_CHURN_H

#include <stddef.h>
#include <stdint.h>

#include "customer/btsum.h"
#include "model/btyd.h"
#include "base/err.h"
#include "text/out.h"
#include "chart/svg.h"

enum crm_churn_risk { CRM_CHURN_LOW, CRM_CHURN_MEDIUM, CRM_CHURN_HIGH };

/* "low", "medium", "high" */
const char *crm_churn_risk_name(enum crm_churn_risk r);

/* A model's parameters as a parameter file holds them. */
struct crm_churn_params {
    struct crm_btyd_params bg;
    double unit_days;            /* days per time unit of the fit (7: weeks, 1: days); 0 when
                                    a file does not say */
    double bg_loglik;            /* NaN when unknown */
    int has_gg;                  /* Gamma-Gamma parameters present */
    struct crm_btyd_gg_params gg;
    double gg_loglik;            /* NaN when unknown */
    double bg_se[4];             /* standard errors of r, alpha and the second pair; NaN when
                                    unknown (a file without them, a flat likelihood) */
    double gg_se[3];             /* of p, q, gamma; NaN when unknown */
};

/* Write the CSV `model,parameter,value,std_error` (SPEC §9, §14): r, alpha, a, b (s, beta for
 * pnbd), loglik and unit_days (the time unit α is in: 7 for weeks, 1 for days) of the
 * transaction model, then p, q, gamma, loglik of gammagamma when present; 7 decimals;
 * std_error empty where there is none (loglik, unit_days, an unknown error). */
void crm_churn_params_write(struct crm_out *o, const struct crm_churn_params *p);

/* Read such a file (any delimiter, a BOM, CRLF, gzip), with or without the std_error column.
 * Rows may come in any order; the transaction model (bgnbd, mbgnbd or pnbd, one of them) needs
 * all of r, alpha, a, b (pnbd: r, alpha, s, beta); gammagamma is optional
 * but all-or-nothing; loglik and unit_days rows are optional. CRM_EUSAGE naming the line
 * for anything else: an unknown model or parameter, a repeated row, a value that is not a
 * positive number, unit_days other than 7 or 1, q <= 1. */
enum crm_err crm_churn_params_read(const char *path, struct crm_churn_params *p,
                                   struct crm_errinfo *e);

/* Round every parameter to 7 decimals exactly as crm_churn_params_write prints it. */
void crm_churn_params_round(struct crm_churn_params *p);

struct crm_churn_opts {
    enum crm_btyd_model model;      /* to fit (ignored with params) */
    double days_per_unit;           /* 7: weeks, 1: days */
    int32_t horizon_days;           /* the prediction window after the end of calibration */
    double annual_discount;         /* CLV discount rate (monthly discounting); 0: none */
    double risk_high, risk_medium;  /* p_alive below risk_high: high; below risk_medium:
                                       medium; else low */
    int money_scale;                /* decimals of the store's minor unit */
    const struct crm_churn_params *params; /* use these instead of fitting; NULL: fit */
    double penalty;                 /* lifetimes' L2 penalizer_coef of the transaction fit */
    double interval_level;          /* e.g. 0.9: lo/hi columns from CRM_CHURN_DRAWS seeded
                                       draws of the parameters; 0: none */
};

/* Parameter draws behind --intervals, and their seed: the same input gives the same bytes. */
#define CRM_CHURN_DRAWS 200
#define CRM_CHURN_SEED 20260514u

/* Per-calibration-frequency holdout comparison: groups x = 0..6, 7 or more, and all. */
#define CRM_CHURN_GROUPS 9
struct crm_churn_group {
    double customers;
    double actual, predicted;   /* totals over the group */
    double abs_err, sq_err;     /* Σ|predicted - actual|, Σ(predicted - actual)² */
};

struct crm_churn {
    struct crm_churn_params params;   /* what every row was scored with */
    int fitted;                       /* params come from the fits below */
    struct crm_btyd_fit bg_fit;       /* when fitted */
    struct crm_btyd_gg_fit gg_fit;    /* when fitted and has_gg */
    size_t triples;                   /* distinct (x, t_x, T) */
    uint32_t customers;               /* modelled customers */
    uint32_t gg_customers;            /* repeat customers in the Gamma-Gamma fit */
    uint32_t gg_zero_spend;           /* repeat customers left out: mean spend 0 */
    double population_mean;           /* Gamma-Gamma mean order value (currency); NaN: none */
    int32_t holdout_days;             /* 0: no holdout */
    struct crm_churn_group group[CRM_CHURN_GROUPS];
    /* internals */
    double days_per_unit, horizon;
    double risk_high, risk_medium;
    double minor_per_unit;            /* 10^money_scale */
    struct crm_btyd_obs *tri;
    struct crm_btyd_score *score;     /* per triple, over the horizon */
    double *holdout_expected;         /* per triple, over the holdout (NULL: none) */
    uint32_t *map;                    /* dictionary index -> triple; UINT32_MAX: not modelled */
    double level;                     /* of the intervals; 0: none */
    double penalty;                   /* of the fit (crm_churn_describe says so) */
    double *tri_iv;                   /* per triple: p_alive lo, hi, expected lo, hi */
    int64_t *clv_iv;                  /* per customer (dictionary index): clv lo, hi, minor */
};

/* Fit (or take opts->params) and score every customer with a calibration purchase.
 * CRM_EMODEL with the library's message when a model cannot be fitted. */
enum crm_err crm_churn_model(const struct crm_btsum *b, const struct crm_churn_opts *o,
                             struct crm_churn **out, struct crm_errinfo *e);
void crm_churn_free(struct crm_churn *c);

struct crm_churn_row {
    double x, t_x, T;              /* in the model's unit */
    double p_alive, expected, prob_no_purchase;
    int64_t value_minor;           /* expected average order value, minor units */
    int64_t clv_minor;             /* expected purchases in the horizon × value, discounted */
    int has_value;                 /* 0: no Gamma-Gamma model (value and clv empty) */
    enum crm_churn_risk risk;
    double holdout_expected;       /* expected purchases in the holdout period */
    uint32_t holdout_actual;       /* distinct purchase days in it */
    int has_interval;              /* the lo/hi below are set (--intervals) */
    double p_alive_lo, p_alive_hi, expected_lo, expected_hi;
    int64_t clv_lo_minor, clv_hi_minor;  /* when has_value */
};

/* The row of customer k (dictionary index); 0 when k is not modelled. */
int crm_churn_row(const struct crm_churn *c, const struct crm_btsum *b, uint32_t k,
                  struct crm_churn_row *row);

/* The holdout report as CSV: one row per calibration frequency (0..6, 7+) and `all`, with
 * customers, mean and total actual and predicted purchases, MAE and RMSE. */
void crm_churn_report_write(const struct crm_churn *c, struct crm_out *o);

/* The tracking plot's series (FHL 2005 fig. 3): cumulative repeat purchases of the
 * modelled customers, actual and predicted (Σ over first-purchase days s of n_s E[X(t-s)]),
 * at the end of every week from the earliest first purchase to the last day before as_of
 * (x in weeks; the last point may end a partial week). BTYD's convention: week k holds the
 * purchases of days 7(k-1) .. 7k-1 after the start and its prediction is at t = 7k days, so
 * the CDNOW plot is the published one. Arrays are allocated; free() each. */
struct crm_churn_tracking {
    double *x, *actual, *predicted;
    size_t n;
    double calibration_end;        /* x of the end of calibration */
    int32_t start;                 /* day of x = 0 */
};
enum crm_err crm_churn_tracking(const struct crm_churn *c, const struct crm_btsum *b,
                                struct crm_churn_tracking *t, struct crm_errinfo *e);
void crm_churn_tracking_free(struct crm_churn_tracking *t);

/* The tracking plot of those series (lib/chart), subtitled with the model and the dates. */
enum crm_err crm_churn_chart(const struct crm_churn *c, const struct crm_btsum *b,
                             struct crm_svg **out, struct crm_errinfo *e);

/* The fit report as lines ending in '\n' (parameters with standard errors, log-likelihood,
 * iterations, the Gamma-Gamma fit and customers left out of it, the population mean), for
 * stderr with -v. Truncated to size; returns the length it needed. */
size_t crm_churn_describe(const struct crm_churn *c, char *buf, size_t size);

/* ---- diagnostics (--diagnostics DIR; lib/model/diagnose.c) ----
 * Each writes a CSV through o or builds a chart (free it with crm_svg_free). */

/* Period transactions: customers with 0, 1, ... 6 and 7+ repeat purchases in the
 * calibration period, actual and under the model. The model's counts are the mean of
 * CRM_CHURN_SIMS simulated customers (seeded) for each first-purchase day, times its
 * customers: exact in expectation for every model, deterministic, and within a few tenths
 * of a customer per class. CSV frequency,actual,model. */
#define CRM_CHURN_SIMS 2000
enum crm_err crm_churn_period_write(const struct crm_churn *c, struct crm_out *o,
                                    struct crm_errinfo *e);
enum crm_err crm_churn_period_chart(const struct crm_churn *c, struct crm_svg **out,
                                    struct crm_errinfo *e);

/* The frequency x recency matrices of P(alive) and expected purchases in the horizon for a
 * customer observed as long as the longest-observed one (T = max T; lifetimes'
 * plot_frequency_recency_matrix): frequency 0 .. max x (at most 100), recency in whole time
 * units 0 .. T (recency 0 only for frequency 0). CSV frequency,recency,T,p_alive,
 * expected_purchases. which: 0 P(alive), 1 expected purchases (one line per frequency up to
 * 10 in the chart). */
enum crm_err crm_churn_matrix_write(const struct crm_churn *c, struct crm_out *o,
                                    struct crm_errinfo *e);
enum crm_err crm_churn_matrix_chart(const struct crm_churn *c, int which, struct crm_svg **out,
                                    struct crm_errinfo *e);

/* The weekly tracking series (crm_churn_tracking) as CSV week,week_end,actual_cumulative,
 * predicted_cumulative,actual_incremental,predicted_incremental, and the incremental plot. */
enum crm_err crm_churn_tracking_write(const struct crm_churn *c, const struct crm_btsum *b,
                                      struct crm_out *o, struct crm_errinfo *e);
enum crm_err crm_churn_chart_incremental(const struct crm_churn *c, const struct crm_btsum *b,
                                         struct crm_svg **out, struct crm_errinfo *e);

/* ---- forecasts per future period (--forecast; lib/model/forecast.c) ---- */

struct crm_churn_report;

enum crm_churn_period { CRM_CHURN_WEEK, CRM_CHURN_MONTH, CRM_CHURN_QUARTER };

/* One row per modelled customer and future period 1..periods after the calibration end:
 * weeks of 7 days, or calendar-length months / quarters from the day after the end (a month
 * ends the day before the same day of the next month), expected purchases in the period
 * (E[purchases by its end] - E[by its start]) and expected value = those × the expected
 * order value, discounted from the period's end at the annual rate:
 * (1 + d)^-(days from the calibration end / 365.25). CSV customer_id,period,period_start,
 * period_end,expected_purchases,expected_value (empty without Gamma-Gamma). */
struct crm_churn_forecast_opts {
    enum crm_churn_period unit;
    int periods;                /* 1 .. 1000 */
    double annual_discount;
};
enum crm_err crm_churn_forecast_write(struct crm_out *o, const struct crm_churn_report *r,
                                      const struct crm_churn_forecast_opts *fo,
                                      struct crm_errinfo *e);

/* ---- model comparison (--compare, --model best; lib/model/compare.c) ---- */

#define CRM_CHURN_MODELS 3
struct crm_churn_compare_row {
    enum crm_btyd_model model;
    int ok;                    /* the fit succeeded; else why holds the library's message */
    char why[sizeof ((struct crm_errinfo *)0)->msg];  /* a failed fit: why (never cut) */
    struct crm_btyd_params params;
    double loglik, aic, bic;   /* AIC = 2k - 2LL, BIC = k ln(customers) - 2LL, k = 4 */
    double customers;
    int holdout;               /* the holdout columns below are set */
    double mae, rmse, total_predicted, total_actual;
};

struct crm_churn_compare {
    struct crm_churn_compare_row row[CRM_CHURN_MODELS];   /* bgnbd, mbgnbd, pnbd */
    int best;                  /* index of the lowest holdout MAE (or BIC without a holdout);
                                  -1 when no model could be fitted */
};

/* Fit bgnbd, mbgnbd and pnbd on b with o's options (o->model and o->params ignored) and
 * score each against the holdout when b has one. A model that cannot be fitted gets ok = 0;
 * CRM_EMODEL only when none can. */
enum crm_err crm_churn_compare(const struct crm_btsum *b, const struct crm_churn_opts *o,
                               struct crm_churn_compare *out, struct crm_errinfo *e);

/* One row per model: model,status,r,alpha,a,b,s,beta,loglik,aic,bic,customers and, with a
 * holdout, mae,rmse,total_predicted,total_actual; then best (yes/empty). */
void crm_churn_compare_write(const struct crm_churn_compare *c, struct crm_out *o);

/* ---- scale-out: the fit's inputs as integers (SPEC §12) ----------------------------------
 * What a fit reads of the customers, summarised so that partitions can be merged: distinct
 * (x, t_x, T) triples in days with their customer counts, and distinct (x, repeat money)
 * pairs of repeat customers with positive repeat spend. A fit on the merged summaries of the
 * partitions (crm_churn_fit) is the fit crm_churn_model makes of the whole store, bit for
 * bit: both build the same sorted, weighted arrays before the optimiser sees them. */
struct crm_churn_triple {
    uint32_t x;                   /* repeat purchases */
    int32_t t_x, T;               /* days: last - first purchase, calibration end - first */
    uint64_t count;
};

struct crm_churn_spend {
    uint32_t x;                   /* >= 1 */
    int64_t money;                /* money of the repeat purchases, minor units, > 0 */
    uint64_t count;
};

struct crm_churn_summary {
    struct crm_churn_triple *tri;   /* sorted by (x, T, t_x) and distinct after summarize */
    size_t ntri, tri_cap;
    struct crm_churn_spend *spend;  /* sorted by (x, money) and distinct after summarize */
    size_t nspend, spend_cap;
    uint64_t customers;             /* modelled customers (sum of the triple counts) */
    uint64_t zero_spend;            /* repeat customers whose repeat purchases were free */
};

/* The summaries of b's modelled customers (calibration purchases). */
enum crm_err crm_churn_summarize(const struct crm_btsum *b, struct crm_churn_summary *out,
                                 struct crm_errinfo *e);

/* Append one triple / spend row (any order, repeats allowed: the fit sorts and joins). */
enum crm_err crm_churn_summary_add_triple(struct crm_churn_summary *s,
                                          const struct crm_churn_triple *t,
                                          struct crm_errinfo *e);
enum crm_err crm_churn_summary_add_spend(struct crm_churn_summary *s,
                                         const struct crm_churn_spend *sp,
                                         struct crm_errinfo *e);
void crm_churn_summary_free(struct crm_churn_summary *s);

/* Sort the rows and join equal ones (counts add up): a merge keeps its memory at the number
 * of distinct rows by joining now and then. */
void crm_churn_summary_join(struct crm_churn_summary *s);

/* Fit model (and Gamma-Gamma when some repeat customer spent money) on summaries, as
 * crm_churn_model fits a store: the result holds params (rounded to 7 decimals), the fits
 * and counts for crm_churn_describe and crm_churn_params_write; it scores nobody. */
enum crm_err crm_churn_fit(const struct crm_churn_summary *s, enum crm_btyd_model model,
                           double days_per_unit, double penalty, int money_scale,
                           struct crm_churn **out, struct crm_errinfo *e);

/* ---- the per-customer report ---- */

struct crm_churn_report {
    const struct crm_churn *model;        /* the model's columns (SPEC §9), or ... */
    const struct crm_churn_rules *rules;  /* ... the rules' columns when model is NULL */
    const struct crm_btsum *summaries;
    const struct crm_store *store;        /* customer ids */
    double days_per_unit;                 /* 1: times as whole days; 7: weeks, 7 decimals */
    int money_scale;
    int holdout;                          /* add actual_holdout */
};

/* Header and one row per modelled customer, in the store's customer order. Model columns:
 * customer_id,x,t_x,T,p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,
 * churn_risk; rules: customer_id,x,t_x,T,recency,mean_gap,threshold,churn_risk,reason. Rows
 * are formatted on two threads (lib/outrows; CRM_ENOMEM when a block cannot be held); stops
 * early when a write failed (crm_out_close reports it). */
enum crm_err crm_churn_write(struct crm_out *o, const struct crm_churn_report *r,
                             struct crm_errinfo *e);

/* ---- dormancy rules (--method rules) ---- */

struct crm_churn_rules {
    double k;             /* at risk when recency > k × mean inter-purchase gap */
    int32_t floor_days;   /* the threshold of one-time buyers */
};

struct crm_churn_rule_row {
    int32_t recency_days;   /* end of calibration - last purchase */
    double gap_days;        /* t_x / x; NaN for one-time buyers */
    double threshold_days;  /* k × gap, or the floor */
    enum crm_churn_risk risk; /* high: recency > threshold; medium: > threshold / k; low */
    char reason[192];
};

/* 0 when customer k is not modelled (no calibration purchase). */
int crm_churn_rule(const struct crm_btsum *b, uint32_t k, const struct crm_churn_rules *r,
                   struct crm_churn_rule_row *row);

/* ---- the command line (crm-churn; lib/model/churnargs.c) ---- */

/* crm-churn's options beyond the common ones; NULL paths and 0 flags: not given. */
struct crm_churn_args {
    struct crm_churn_opts m;
    struct crm_churn_rules rules;
    int rules_method, model_given, horizon_given, unit_given;
    const char *cal, *report, *svg, *params_out, *params;
    const char *emit;
    int merge;
    const char *fallback;
    int compare, best;
    const char *diag;
    struct crm_churn_forecast_opts fc; /* periods 0: no --forecast */
};

/* bgnbd in weeks, a 90-day horizon, risk cuts 0.5,0.8; rules k 2, floor 180 days. */
void crm_churn_args_default(struct crm_churn_args *a);

/* Set one option from its text; name without dashes: "model" (bgnbd|mbgnbd|pnbd|best),
 * "method" (model|rules), "unit" (week|day), "risk-cuts" (H,M with 0 <= H <= M <= 1),
 * "forecast" (week:N, month:N or quarter:N, N a whole number 1..1000), the numbers "k"
 * (1..1000), "discount" (0..10), "penalty" (0..1e6), "intervals" (0.5..0.999) and the days
 * "floor" and "horizon" (lib/optval: 90, 90d or 13w).
 * CRM_EUSAGE naming the option when malformed; "unknown" for another name. */
enum crm_err crm_churn_set_option(struct crm_churn_args *a, const char *name, const char *text,
                                  struct crm_errinfo *e);

/* CRM_EUSAGE with the message on a combination crm-churn refuses (more than one INPUT
 * without --merge-partials, partials with a per-run file, rules with a fit's files, ...).
 * as_of_given: --as-of was given; ninputs: the arguments after the options. */
enum crm_err crm_churn_args_check(const struct crm_churn_args *a, int as_of_given, int ninputs,
                                  struct crm_errinfo *e);

/* The end of calibration as given: --calibration-end, else the day before as_of
 * (CRM_NO_DAY when as_of is: a merge without --as-of). CRM_EUSAGE when it is no date. */
enum crm_err crm_churn_args_end(const struct crm_churn_args *a, int32_t as_of, int32_t *end,
                                struct crm_errinfo *e);

/* --calibration-end against the day after the data as_of: *end is it (as_of - 1 without
 * one); CRM_EUSAGE when malformed or leaving no holdout; the horizon defaults to the
 * holdout. */
enum crm_err crm_churn_args_calibration(struct crm_churn_args *a, int32_t as_of, int32_t *end,
                                        struct crm_errinfo *e);

/* --params: refuse a workbook name, read the file into given, refuse a --model or --unit it
 * contradicts, take its unit and score with it (a->m.params = given). */
enum crm_err crm_churn_args_params(struct crm_churn_args *a, struct crm_churn_params *given,
                                   struct crm_errinfo *e);

/* --fallback-params, read up front: into given; CRM_EUSAGE when its unit is not the fit's. */
enum crm_err crm_churn_args_fallback(const struct crm_churn_args *a,
                                     struct crm_churn_params *given, struct crm_errinfo *e);

/* The report of a run (ch NULL: the rules' columns): the --forecast table when asked for,
 * else the per-customer rows (crm_churn_write), with a's unit, money scale and holdout. */
enum crm_err crm_churn_args_write(struct crm_out *o, struct crm_churn_args *a,
                                  const struct crm_churn *ch, const struct crm_btsum *b,
                                  const struct crm_store *s, struct crm_errinfo *e);

/* crm_churn_model with a->m; when the fit fails (CRM_EMODEL) and a->fallback is set, warning
 * gets the line to print (else "") and the customers are scored with fallback. A CRM_EUSAGE
 * of given parameters names their file. */
enum crm_err crm_churn_args_model(struct crm_churn_args *a,
                                  const struct crm_churn_params *fallback,
                                  const struct crm_btsum *b, struct crm_churn **out,
                                  char *warning, size_t size, struct crm_errinfo *e);

/* -v's line on the summaries (calibration end, holdout to as_of - 1 when holdout, the
 * counts of b), and -v's lines of a comparison (one per model, ending in '\n'). Truncated to
 * size; return the length they needed. */
size_t crm_churn_counts_describe(const struct crm_btsum *b, int32_t end, int32_t as_of,
                                 int holdout, char *buf, size_t size);
size_t crm_churn_compare_describe(const struct crm_churn_compare *cmp, char *buf, size_t size);

/* ---- side files (lib/model/churnfiles.c) ---- */

/* crm-churn's side files; a NULL path is not written. flags: the crm_out flags of each table
 * (diag_flags for the --diagnostics tables; the charts take none). */
struct crm_churn_files {
    const char *params_out, *report, *svg, *diag;
    unsigned params_flags, report_flags, diag_flags;
};

/* Write them atomically in this order: params_out (sheet "params"), report (sheet
 * "holdout-report"), the svg tracking chart, then the --diagnostics folder diag (created when
 * missing) with period-transactions, frequency-recency and tracking as CSV and SVG. Stops at
 * the first error, e naming the file. */
enum crm_err crm_churn_files_write(const struct crm_churn *c, const struct crm_btsum *b,
                                   const struct crm_churn_files *f, struct crm_errinfo *e);

/* The holdout report (crm_churn_report_write) as plain CSV to fd, e.g. 2 for -v. */
enum crm_err crm_churn_report_fd(const struct crm_churn *c, int fd, const char *name,
                                 struct crm_errinfo *e);

#endif
