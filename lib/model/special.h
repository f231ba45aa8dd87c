/* private to lib/model/: included only by the modules of this folder (and their tests). */
/* special: the special functions the customer-base models need (btyd.c) — log-gamma with
 * its sign, log-beta, digamma, log-sum-exp, and the Gaussian hypergeometric function
 * 2F1(a,b;c;z) for real arguments and z <= 1.
 * Invariant: pure functions of their arguments (no errno, no signgam, no global state).
 * 2F1 checks its own convergence and cancellation and returns a status other than
 * CRM_SPECIAL_OK instead of a value it could not vouch for. Measured against long-double
 * series: relative error below 2e-14 in 99.8 % of 20,000 random cases with |a|,|b|,|c| <= 8
 * and z in (-1000, 1); up to ~2e-11 with parameters near 30 or next to a zero of 2F1. */
#ifndef CRM_SPECIAL_H
#define CRM_SPECIAL_H

#include <stddef.h>

enum crm_special_status {
    CRM_SPECIAL_OK = 0,
    CRM_SPECIAL_DOMAIN,     /* outside the domain: z > 1, c a pole, non-finite input */
    CRM_SPECIAL_NOCONV,     /* no method converged to full precision within its budget */
    CRM_SPECIAL_RANGE,      /* the result overflows a double */
};

const char *crm_special_strstatus(enum crm_special_status st);

/* ln|Γ(x)|; *sign (may be NULL) gets the sign of Γ(x). Reentrant (lgamma_r). */
double crm_special_lgamma(double x, int *sign);

/* ln B(a,b) for a, b > 0. */
double crm_special_lbeta(double a, double b);

/* ψ(x) = d/dx ln Γ(x); NaN at the poles x = 0, -1, -2, ... and below x = -1e5. */
double crm_special_digamma(double x);

/* [ln|Γ(x+e)| - ln|Γ(x)|] / e, accurate also for tiny e (e = 0 gives ψ(x)). Returns NaN
 * when a pole of Γ lies in [x, x+e] or x < -1e5. */
double crm_special_lgamma_diff(double x, double e);

/* ln(e^a + e^b) without overflow; -inf inputs are allowed. */
double crm_special_log_add_exp(double a, double b);

/* ln Σ e^v[i] without overflow; -inf for n == 0. */
double crm_special_log_sum_exp(const double *v, size_t n);

/* 2F1(a,b;c;z) for real a, b, c and z <= 1 (z == 1 only when c-a-b > 0). */
enum crm_special_status crm_special_hyp2f1(double a, double b, double c, double z, double *out);

/* (1-z)^e · 2F1(a,b;c;z), the prefactor merged in log space so that a huge 2F1 times a tiny
 * (1-z)^e (the BG/NBD case) neither overflows nor underflows. z < 1. */
enum crm_special_status crm_special_hyp2f1_scaled(double a, double b, double c, double z,
                                                  double e, double *out);

#endif
