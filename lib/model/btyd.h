/* internal to lib/: the tools in cmd/ do not include it. */
/* btyd: "buy till you die" customer-base models for crm-churn — BG/NBD (Fader, Hardie & Lee
 * 2005, "Counting your customers the easy way"), MBG/NBD (Batislam, Denizel & Filiztekin
 * 2007) and the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using
 * iso-value curves"; Fader & Hardie 2013, "The Gamma-Gamma model of monetary value") —
 * maximum-likelihood fits on weighted customer summaries and the per-customer quantities
 * the churn tool prints. A pure library: it knows nothing of stores, options or output.
 *
 * Time is in one unit of the caller's choosing (weeks or days): t_x, T, horizons and α all
 * use it. Invariants: likelihoods and probabilities are computed in log space (x in the
 * hundreds and T in the thousands neither overflow nor underflow); a fit costs
 * O(distinct (x, t_x, T) triples) per likelihood evaluation, never O(customers). */
#ifndef CRM_BTYD_H
#define CRM_BTYD_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/keygroup.h"
#include "base/rng.h"

enum crm_btyd_model {
    CRM_BTYD_BGNBD,  /* dropout possible after each repeat purchase */
    CRM_BTYD_MBGNBD, /* ... and also right after the first purchase */
    CRM_BTYD_PNBD,   /* Pareto/NBD: exponential lifetimes, any time (lib/model/pnbd.c) */
};

/* One customer summary, or `weight` identical ones. */
struct crm_btyd_obs {
    double x;      /* repeat purchases: a non-negative integer */
    double t_x;    /* time from the first to the last purchase; 0 when x == 0 */
    double T;      /* time from the first purchase to the end of calibration; t_x <= T */
    double weight; /* customers with this (x, t_x, T); >= 0 (0 = ignored) */
};

struct crm_btyd_params {
    enum crm_btyd_model model;
    double r, alpha; /* purchase rate λ ~ Gamma(shape r, rate α) */
    double a, b;     /* BG models: dropout probability p ~ Beta(a, b); Pareto/NBD: the
                        dropout rate μ ~ Gamma(shape s, rate β) with s in a and β in b */
};

struct crm_btyd_fit {
    struct crm_btyd_params params;
    double loglik;    /* weighted total log-likelihood at the estimate */
    double se[4];     /* standard errors of r, α, a, b from the inverse of the numeric
                         Hessian of -loglik (delta method from the log scale) */
    double cov[16];   /* that inverse: the covariance of ln r, ln α, ln a, ln b (4x4) */
    double customers; /* total weight */
    double grad_norm; /* max |∂(-loglik/customers)/∂ ln θ| at the estimate */
    int iterations;   /* optimiser iterations, all phases */
    int evaluations;  /* likelihood evaluations (each over the distinct triples) */
    int converged;    /* always 1 when crm_btyd_fit returns CRM_OK */
};

/* "bgnbd" / "mbgnbd" / "pnbd", as in --params-out files. */
const char *crm_btyd_model_name(enum crm_btyd_model model);

/* The names of the second parameter pair: "a", "b", or "s", "beta" for Pareto/NBD. */
const char *crm_btyd_param_name(enum crm_btyd_model model, int i);

/* Sort by (x, T, t_x) and merge identical triples, summing weights. *out (n_out entries) is
 * allocated here; free() it. map, when not NULL, has n entries: map[i] is the position of
 * in[i]'s triple in *out, so per-triple results can be copied back to customers. Scoring the
 * compacted array is fastest (crm_btyd_score reuses work across neighbours sharing x and T).
 * CRM_EDATA for a non-finite value, CRM_ENOMEM. */
enum crm_err crm_btyd_compact(const struct crm_btyd_obs *in, size_t n, struct crm_btyd_obs **out,
                              size_t *n_out, size_t *map, struct crm_errinfo *err);

/* The same from summaries already grouped by their keys (x, T, t_x) in that order (a
 * crm_keygroup of 3 keys, finite values, weights summed): *out as crm_btyd_compact's, and
 * rank[k] (g->n entries, when not NULL) the position of group k in it. g's hash table is
 * freed (no more adds); g itself stays the caller's. CRM_ENOMEM. */
enum crm_err crm_btyd_from_groups(struct crm_keygroup *g, struct crm_btyd_obs **out,
                                  size_t *n_out, uint32_t *rank, struct crm_errinfo *err);

/* Maximum-likelihood fit (BFGS on ln r, ln α, ln a, ln b with analytic gradients; a
 * Nelder–Mead restart if BFGS stalls). CRM_EDATA names the first invalid summary;
 * CRM_EMODEL with a message when the data cannot identify the model (no weight, nobody
 * repeats, an estimate running off to 0 or infinity, a flat likelihood) or the fit does
 * not converge. */
enum crm_err crm_btyd_fit(enum crm_btyd_model model, const struct crm_btyd_obs *obs, size_t n,
                          struct crm_btyd_fit *fit, struct crm_errinfo *err);

/* The same with lifetimes' L2 penalty: the fit minimises -LL / customers + penalty Σ θ_i²
 * over the four parameters θ (penalizer_coef). fit->loglik is the unpenalised
 * log-likelihood at the estimate; the standard errors come from the penalised Hessian. */
enum crm_err crm_btyd_fit_penalized(enum crm_btyd_model model, const struct crm_btyd_obs *obs,
                                    size_t n, double penalty, struct crm_btyd_fit *fit,
                                    struct crm_errinfo *err);

/* Log-likelihood of one customer (FHL 2005 eq. 6; Batislam et al. 2007 eq. 5); NaN when the
 * parameters or the summary are invalid. */
double crm_btyd_loglik_one(const struct crm_btyd_params *p, double x, double t_x, double T);

/* Weighted total over n summaries. */
enum crm_err crm_btyd_loglik(const struct crm_btyd_params *p, const struct crm_btyd_obs *obs,
                             size_t n, double *loglik, struct crm_errinfo *err);

/* P(alive at T | x, t_x, T) (FHL 2005 eq. 11 / the MBG/NBD analogue): 1 for x == 0 under
 * BG/NBD, below 1 under MBG/NBD. NaN on invalid input. */
double crm_btyd_p_alive(const struct crm_btyd_params *p, double x, double t_x, double T);

/* P(no purchase in (T, T+t] | x, t_x, T) = 1 - P(alive) (1 - ((α+T)/(α+T+t))^(r+x)).
 * 1 for t == 0. NaN on invalid input. */
double crm_btyd_prob_no_purchase(const struct crm_btyd_params *p, double x, double t_x,
                                 double T, double t);

/* E[purchases in (T, T+t] | x, t_x, T] (FHL 2005 eq. 10, which needs 2F1). 0 for t == 0.
 * CRM_EDATA on invalid input, CRM_EMODEL if 2F1 cannot be evaluated. */
enum crm_err crm_btyd_expected(const struct crm_btyd_params *p, double x, double t_x, double T,
                               double t, double *out, struct crm_errinfo *err);

/* E[X(t)]: expected repeat purchases in (0, t] of a customer who made a first purchase at 0
 * (FHL 2005 eq. 9), for the tracking plot. */
enum crm_err crm_btyd_expected_unconditional(const struct crm_btyd_params *p, double t,
                                             double *out, struct crm_errinfo *err);

/* The prediction window (T, T+length] and how CLV discounts it. */
struct crm_btyd_horizon {
    double length;          /* in model time units; >= 0 */
    double annual_discount; /* d >= 0; 0 = no discounting */
    double days_per_unit;   /* 7 for weeks, 1 for days: fixes the month length (d > 0 only) */
};

struct crm_btyd_score {
    double p_alive;
    double expected;            /* purchases in (T, T+length] */
    double prob_no_purchase;    /* no purchase in (T, T+length] */
    double discounted_expected; /* expected, discounted month by month (see crm_btyd_clv);
                                   equal to expected when annual_discount is 0 */
};

/* All four for n summaries (weights ignored). Neighbours with the same x and T share the
 * expensive part (2F1), so pass crm_btyd_compact's output for speed. On error out[] up to
 * the failing summary is filled and err names its index. */
enum crm_err crm_btyd_score(const struct crm_btyd_params *p, const struct crm_btyd_obs *obs,
                            size_t n, const struct crm_btyd_horizon *horizon,
                            struct crm_btyd_score *out, struct crm_errinfo *err);

/* Customer lifetime value: clv = value × discounted_expected. With d = 0 that is value ×
 * expected purchases in (T, T+length]. With d > 0 the window is cut into months of
 * 365.25/12 days (the last one possibly partial); month m = 1, 2, ... contributes value ×
 * (E[purchases by its end] - E[purchases by its start]) × (1+d)^(-m/12): each month's
 * purchases are discounted from that month's end, a partial last month like a whole one. */
enum crm_err crm_btyd_clv(const struct crm_btyd_params *p, double x, double t_x, double T,
                          double value, const struct crm_btyd_horizon *horizon, double *clv,
                          struct crm_errinfo *err);

/* Draw one customer: first purchase at 0, observed to T, and the purchases in the holdout
 * (T, T+holdout] counted in *holdout_purchases. weight is set to 1. */
void crm_btyd_simulate(const struct crm_btyd_params *p, struct crm_rng *rng, double T,
                       double holdout, struct crm_btyd_obs *obs, double *holdout_purchases);

/* ---- parameter uncertainty (--intervals) ---- */

/* n draws of the parameters from their asymptotic distribution: the logs of the dim
 * parameters est[0..dim) are normal with covariance cov (dim x dim, row-major), so the
 * draws stay positive. Deterministic for a seed. Returns 0 when cov is not positive
 * definite (nothing drawn). out holds n*dim values, draw-major. */
int crm_btyd_draw(const double *est, const double *cov, size_t dim, size_t n, uint64_t seed,
                  double *out);

/* The q-quantile of v[0..n) (sorted in place), interpolating between order statistics
 * (R's type 7); NaN for n == 0. */
double crm_btyd_quantile(double *v, size_t n, double q);

/* ---- Gamma-Gamma spend model ---- */

/* A repeat customer: x >= 1 repeat purchases whose mean value is mean_spend > 0 (the first
 * purchase excluded). Customers with mean spend 0 cannot enter the likelihood; the caller
 * leaves them out. */
struct crm_btyd_spend {
    double x;
    double mean_spend;
    double weight;
};

struct crm_btyd_gg_params {
    double p;     /* shape of a transaction's value given ν */
    double q;     /* ν ~ Gamma(shape q, rate γ) */
    double gamma;
};

struct crm_btyd_gg_fit {
    struct crm_btyd_gg_params params;
    double loglik;
    double se[3];
    double cov[9];    /* covariance of ln p, ln q, ln γ (3x3) */
    double customers;
    double grad_norm;
    int iterations;
    int evaluations;
    int converged;
};

/* Maximum likelihood on the density of the mean spend (Fader & Hardie 2013 eq. 4).
 * CRM_EDATA for x < 1, spend <= 0 or bad weights; CRM_EMODEL when the fit cannot identify
 * the model, does not converge, or gives q <= 1 (no finite mean spend). */
enum crm_err crm_btyd_gg_fit(const struct crm_btyd_spend *obs, size_t n,
                             struct crm_btyd_gg_fit *fit, struct crm_errinfo *err);

double crm_btyd_gg_loglik_one(const struct crm_btyd_gg_params *p, double x, double mean_spend);

/* E[mean transaction value | x, mean_spend] = (pγ + p x m)/(p x + q - 1) (FHL 2005b eq. 5);
 * x == 0 gives the population mean pγ/(q-1). CRM_EMODEL when q <= 1. */
enum crm_err crm_btyd_gg_expected_value(const struct crm_btyd_gg_params *p, double x,
                                        double mean_spend, double *out,
                                        struct crm_errinfo *err);

enum crm_err crm_btyd_gg_population_mean(const struct crm_btyd_gg_params *p, double *out,
                                         struct crm_errinfo *err);

/* Draw the mean of x transaction values of one new customer (x >= 1). */
double crm_btyd_gg_simulate(const struct crm_btyd_gg_params *p, struct crm_rng *rng, int x);

#endif
