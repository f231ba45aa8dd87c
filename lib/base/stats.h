/* internal to lib/: the tools in cmd/ do not include it. */
/* stats: the few statistics of a two-group comparison (crm-campaign, SPEC §16) — normal and
 * Student t distributions, Wilson's score interval for a proportion, Newcombe's hybrid
 * score interval for a difference of proportions, the pooled two-proportion z test, and
 * Welch's unequal-variance t interval and test for a difference of means. Pure functions of
 * their arguments (no state; lgamma_r, never lgamma and its global signgam). */
#ifndef CRM_STATS_H
#define CRM_STATS_H

#include <stdint.h>

/* Standard normal CDF Φ(z) and its inverse (0 < p < 1; Acklam's rational approximation
 * refined by one Halley step, |error| < 1e-15). */
double crm_stats_normal_cdf(double z);
double crm_stats_normal_quantile(double p);

/* Regularized incomplete beta I_x(a, b) (a, b > 0, 0 <= x <= 1): Lentz's continued fraction
 * (Numerical Recipes §6.4). */
double crm_stats_beta_inc(double a, double b, double x);

/* Student t with df > 0 degrees of freedom (df = INFINITY: normal): the CDF and its inverse
 * (0 < p < 1, by bisection to full double precision). */
double crm_stats_t_cdf(double t, double df);
double crm_stats_t_quantile(double p, double df);

/* Wilson (1927) score interval of k successes in n > 0 trials at normal quantile z. */
void crm_stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* Newcombe (1998, method 10) hybrid score interval of p1 − p2 from the two Wilson intervals:
 * lo = d − √((p1 − l1)² + (u2 − p2)²), hi = d + √((u1 − p1)² + (p2 − l2)²). */
void crm_stats_newcombe(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double z,
                        double *diff, double *lo, double *hi);

/* Two-sided p-value of the pooled two-proportion z test of p1 = p2 (1 when both rates are
 * 0 or both 1: no evidence of a difference). */
double crm_stats_two_prop_p(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2);

/* Welch's t for mean1 − mean2 from the sample means, sample variances (n − 1 denominator)
 * and sizes (each >= 2): the difference, its interval at `level` (0.95), the two-sided
 * p-value and the Welch–Satterthwaite degrees of freedom. When both variances are 0 the
 * interval is the point and p is 1 (equal means) or 0 (different). */
struct crm_stats_welch {
    double diff, lo, hi, p, df, t;
};
void crm_stats_welch(double mean1, double var1, double n1, double mean2, double var2,
                     double n2, double level, struct crm_stats_welch *w);

#endif
