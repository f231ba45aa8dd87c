/* private to lib/model/: included only by the modules of this folder (and their tests). */
/* pnbd: the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) in the numerically stable
 * form of Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model and Related
 * Expressions" (2005): purchases Poisson(λ) while alive, lifetime Exponential(μ),
 * λ ~ Gamma(r, α), μ ~ Gamma(s, β). btyd.c dispatches to it for CRM_BTYD_PNBD, whose
 * crm_btyd_params hold s in `a` and β in `b`.
 *
 * Every quantity rests on one integral, G(p, A, q, B; τ) = ∫_τ^∞ (A+u)^-p (B+u)^-q du, the
 * note's A0 term (its 2F1 with the α/β ordering case split): with A >= B (else swap the
 * pairs), z = (A-B)/(A+τ) in [0, 1) and Euler's transformation,
 *   G = (A+τ)^-p (B+τ)^-(q-1) H / (p+q-1),  H = 2F1(1, p; p+q; z) = Σ_n Π_{k<n} (p+k)/(p+q+k) z^n,
 * a series of positive terms whose ratio stays below z: no cancellation, no overflow (logs
 * throughout), and its derivatives in p, q, A, B come from the same loop, so the likelihood
 * has an exact gradient. Invariant: pure functions; NaN (or a status) instead of a value the
 * series could not vouch for. */
#ifndef CRM_PNBD_H
#define CRM_PNBD_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/btyd.h"

/* ln G and its partial derivatives in p, q, A, B. Returns 0 when the series did not converge
 * (z too close to 1) or an argument is invalid (p, q, A, B > 0, p+q > 1, τ >= 0). */
struct crm_pnbd_lng {
    double v, dp, dq, dA, dB;
};
int crm_pnbd_lng(double p, double A, double q, double B, double tau, struct crm_pnbd_lng *out);

double crm_pnbd_loglik_one(const struct crm_btyd_params *p, double x, double t_x, double T);
double crm_pnbd_p_alive(const struct crm_btyd_params *p, double x, double t_x, double T);
double crm_pnbd_prob_no_purchase(const struct crm_btyd_params *p, double x, double t_x,
                                 double T, double t);
/* What scoring a triple needs of its (x, T) only, shared by neighbours (crm_btyd_score runs
 * through triples sorted by (x, T, t_x)): G at T, the first term of the likelihood bracket
 * and P(no purchase in (T, T+t] | alive at T). 0 when G cannot be evaluated. */
struct crm_pnbd_xT {
    double x, T;
    struct crm_pnbd_lng gT;
    double l1, none_alive;
};
int crm_pnbd_xT_prepare(const struct crm_btyd_params *p, double x, double T, double t,
                        struct crm_pnbd_xT *out);
/* P(alive) of (x, t_x, T) with c prepared for its x and T; NaN when G fails. */
double crm_pnbd_p_alive_xT(const struct crm_btyd_params *p, const struct crm_pnbd_xT *c,
                           double t_x);

/* E[purchases in (T, T+t] | alive at T, x] (no P(alive) factor): depends on x and T only. */
double crm_pnbd_alive_expected(const struct crm_btyd_params *p, double x, double T, double t);
/* E[X(t)] of a new customer. */
double crm_pnbd_expected_unconditional(const struct crm_btyd_params *p, double t);
void crm_pnbd_simulate(const struct crm_btyd_params *p, struct crm_rng *rng, double T,
                       double holdout, struct crm_btyd_obs *obs, double *holdout_purchases);

/* The likelihood over weighted triples, in the shape the optimiser wants: G is needed at
 * (x, t_x) and (x, T) of every triple, and those pairs are far fewer than the triples (a
 * million customers in whole days: ~300,000 triples, ~30,000 pairs), so each evaluation
 * computes G once per distinct pair and then runs through the triples with arithmetic. */
struct crm_pnbd_prep {
    size_t n;
    const struct crm_btyd_obs *obs; /* the triples (weight > 0 counts) */
    double total;                   /* Σ weight */
    double penalty;                 /* lifetimes' penalizer_coef: + L Σ θ² per customer */
    size_t npair;
    double *pair_x, *pair_tau;      /* the distinct (x, τ) */
    uint32_t *at_tx, *at_T;         /* per triple: its pairs */
    struct crm_pnbd_lng *g;         /* per pair: scratch of one evaluation ... */
    double *la, *lb, *ia, *ib;      /* ... with ln(α+τ), ln(β+τ), 1/(α+τ), 1/(β+τ) */
};

/* Build P's pair tables over obs (n triples, checked by the caller). CRM_ENOMEM. */
enum crm_err crm_pnbd_prep_build(struct crm_pnbd_prep *P, const struct crm_btyd_obs *obs,
                                 size_t n, double penalty, struct crm_errinfo *err);
void crm_pnbd_prep_free(struct crm_pnbd_prep *P);
/* -LL / total + penalty and its gradient in ln r, ln α, ln s, ln β (crm_optim_fn). */
double crm_pnbd_objective(const double *theta, double *grad, void *ctx);

#endif
