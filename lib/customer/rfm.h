/* rfm: Recency / Frequency / Monetary scores of customers (SPEC §6) from the per-customer
 * aggregate (agg.h): the seed scheme with fixed thresholds, weights and P/G/S/B tiers, and
 * the quintile scheme. Invariants: money is compared exactly in minor units (an average
 * is >= a threshold exactly when total >= threshold x frequency, with no rounded average),
 * and a customer's scores depend only on that customer's aggregate plus, in the quintile
 * scheme, the cut points — which come from a sorted (value, count) list, so the cut points
 * of a partitioned store can be computed from merged lists (SPEC §12).
 *
 * Scored customers are those with at least one paid order in the window. */
#ifndef CRM_RFM_H
#define CRM_RFM_H

#include <stddef.h>
#include <stdint.h>

#include "customer/agg.h"
#include "base/err.h"
#include "text/money.h"

enum crm_rfm_scheme { CRM_RFM_SEED, CRM_RFM_QUINTILE };
enum crm_rfm_monetary { CRM_RFM_AVG, CRM_RFM_TOTAL };

/* Options as the user gives them (crm_rfm_opts_default, then crm_rfm_set_option). */
struct crm_rfm_opts {
    enum crm_rfm_scheme scheme;
    enum crm_rfm_monetary monetary;
    int net;                      /* subtract refunds in the window from the money */
    int32_t r_bins[4];            /* R is 5 when recency_days <= r_bins[0], 4 when <= [1],
                                     3 when <= [2], 2 when <= [3], else 1 */
    uint32_t f_bins[4];           /* F is 2 when frequency >= f_bins[0], ... 5 when >= [3] */
    struct crm_decimal m_bins[4]; /* M is 2 when money >= m_bins[0], ... 5 when >= [3] */
    int weights[3];               /* score = wR·R + wF·F + wM·M */
    int tiers[3];                 /* P when score >= tiers[0], G >= [1], S >= [2], else B */
};

/* The seed scheme of SPEC §6: R 30/90/120/210(/365) days, F 2/3/4/6 orders,
 * M 300/500/1000/2000 on the average order value, weights 1,3,4, tiers 36/26/17. */
void crm_rfm_opts_default(struct crm_rfm_opts *o);

/* Set one option from its command-line text. name is the long option without dashes:
 * "scheme" (seed|quintile), "monetary" (avg|total), "r-bins" (4 ascending day counts, or
 * 5 as in the table: the 5th, the upper end of R 1, must be larger and only documents the
 * range — older recency scores 1 too), "f-bins" (4 ascending order counts >= 1, or 5 with
 * a leading lower end of F 1), "m-bins" (4 ascending amounts >= 0 such as 300 or 299.99,
 * or 5 with a leading lower end of M 1), "weights" (3 whole numbers 0..1000), "tiers"
 * (3 descending scores). CRM_EUSAGE naming the option when the text is malformed;
 * CRM_EUSAGE "unknown" when name is not an rfm option. */
enum crm_err crm_rfm_set_option(struct crm_rfm_opts *o, const char *name, const char *text,
                                struct crm_errinfo *e);

/* ---- quintiles --------------------------------------------------------------------------
 * Values are oriented so that higher is better (R uses −recency_days). Over n scored
 * customers, a customer whose value v has below(v) customers strictly lower gets
 *     score = 1 + floor(5 · below(v) / n),
 * so customers with equal values always share a score, the lowest value scores 1, and a
 * score-k customer has between (k−1)/5 and k/5 of the customers strictly below it. The
 * cut point of score k (2..5) is the smallest value scoring k or more; a score no value
 * reaches (ties) has no cut point. Everything depends only on the sorted (value, count)
 * runs, which merge exactly across partitions. */
struct crm_rfm_run {
    int64_t value;
    uint64_t count;
};

struct crm_rfm_cuts {
    int64_t cut[4];     /* cut[k-2]: smallest value with score >= k */
    int has[4];         /* 0: no value reaches score k */
    uint64_t n;         /* customers the cuts were computed over */
};

/* Sort values ascending in place (radix sort, O(n)) and write their runs (value strictly
 * ascending, counts >= 1) into runs[] (room for n); *nruns gets how many. */
enum crm_err crm_rfm_runs(int64_t *values, size_t n, struct crm_rfm_run *runs, size_t *nruns,
                          struct crm_errinfo *e);

/* Cut points from ascending runs (strictly ascending values). */
void crm_rfm_quintile_cuts(const struct crm_rfm_run *runs, size_t nruns,
                           struct crm_rfm_cuts *cuts);

/* 1..5: one plus the number of cut points <= v. */
int crm_rfm_quintile_score(const struct crm_rfm_cuts *cuts, int64_t v);

/* ---- scoring ------------------------------------------------------------------------ */

struct crm_rfm;

/* One customer's row (SPEC §6 output). */
struct crm_rfm_row {
    int scored;                /* at least one paid order in the window */
    int32_t first_order;       /* first / last paid order in the window; CRM_NO_DAY */
    int32_t last_order;
    int32_t recency_days;      /* as_of − last_order (1..window) */
    uint32_t frequency;        /* paid orders in the window */
    int64_t monetary_total;    /* their money (minus refunds in the window with net) */
    int64_t monetary_avg;      /* total / frequency, rounded half away from zero */
    int r, f, m, score;        /* 0 when not scored */
    char tier;                 /* 'P', 'G', 'S', 'B'; 0 when not scored */
};

/* Resolve the options for a store with `money_scale` decimals (CRM_EUSAGE when an m-bin
 * has more decimals than the store's money) and, for the quintile scheme, compute the
 * cut points over the scored customers of a. The agg must outlive the result. */
enum crm_err crm_rfm_new(const struct crm_rfm_opts *o, const struct crm_agg *a, int money_scale,
                         struct crm_rfm **out, struct crm_errinfo *e);
void crm_rfm_free(struct crm_rfm *r);

/* Customer c's values and scores. O(1). */
void crm_rfm_score(const struct crm_rfm *r, uint32_t c, struct crm_rfm_row *row);

/* Customers scored (with at least one paid order in the window). */
uint64_t crm_rfm_scored(const struct crm_rfm *r);

/* The seed scores on their own (the thresholds of r's options). */
int crm_rfm_seed_r(const struct crm_rfm *r, int32_t recency_days);
int crm_rfm_seed_f(const struct crm_rfm *r, uint32_t frequency);
int crm_rfm_seed_m(const struct crm_rfm *r, int64_t total, uint32_t frequency);
char crm_rfm_tier(const struct crm_rfm *r, int score);

/* The quintile cut points of dimension 'r', 'f' or 'm' (NULL for the seed scheme). For
 * 'r' the values are −recency_days. */
const struct crm_rfm_cuts *crm_rfm_cuts(const struct crm_rfm *r, char dim);

/* For scale-out (SPEC §12): the sorted (value, count) runs of dimension 'r', 'f' or 'm' over
 * r's scored customers (R as −recency_days; M as the quintile scheme values it), in a new
 * array the caller frees — a partition's partial; and replacing the cut points with ones
 * computed from the merged runs of all partitions (crm_rfm_quintile_cuts), so every
 * partition scores against the whole. */
enum crm_err crm_rfm_dimension_runs(const struct crm_rfm *r, char dim,
                                    struct crm_rfm_run **runs, size_t *nruns,
                                    struct crm_errinfo *e);
void crm_rfm_set_cuts(struct crm_rfm *r, char dim, const struct crm_rfm_cuts *cuts);

/* One line describing the quintile cut points of dimension dim for -v, e.g.
 * "r: 2 if recency_days <= 200, 3 if <= 120, 4 if <= 60, 5 if <= 14 (1000 customers)".
 * Returns the length (truncated to size − 1). */
size_t crm_rfm_describe_cuts(const struct crm_rfm *r, char dim, char *buf, size_t size);

/* The same description of cut points on their own (e.g. merged from partitions). */
size_t crm_rfm_describe_cut_points(const struct crm_rfm_cuts *c, char dim,
                                   enum crm_rfm_monetary monetary, int money_scale, char *buf,
                                   size_t size);

#endif
