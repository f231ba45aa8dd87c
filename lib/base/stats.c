/* stats: two-group statistics (see stats.h). Invariant: every function is pure and gives the
 * same result for the same arguments; no global state. */
#include "base/stats.h"

#include <math.h>

double crm_stats_normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* Acklam's coefficients (2003). */
static const double qa[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                            -2.759285104469687e+02, 1.383577518672690e+02,
                            -3.066479806614716e+01, 2.506628277459239e+00};
static const double qb[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                            -1.556989798598866e+02, 6.680131188771972e+01,
                            -1.328068155288572e+01};
static const double qc[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                            -2.400758277161838e+00, -2.549732539343734e+00,
                            4.374664141464968e+00, 2.938163982698783e+00};
static const double qd[] = {7.784695709041462e-03, 3.224671290700398e-01,
                            2.445134137142996e+00, 3.754408661907416e+00};

static double tail_poly(double q)
{
    return (((((qc[0] * q + qc[1]) * q + qc[2]) * q + qc[3]) * q + qc[4]) * q + qc[5]) /
           ((((qd[0] * q + qd[1]) * q + qd[2]) * q + qd[3]) * q + 1);
}

double crm_stats_normal_quantile(double p)
{
    if (!(p > 0 && p < 1))
        return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    double x;
    if (p < 0.02425) {
        x = tail_poly(sqrt(-2 * log(p)));
    } else if (p > 1 - 0.02425) {
        x = -tail_poly(sqrt(-2 * log(1 - p)));
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((qa[0] * r + qa[1]) * r + qa[2]) * r + qa[3]) * r + qa[4]) * r + qa[5]) * q /
            (((((qb[0] * r + qb[1]) * r + qb[2]) * r + qb[3]) * r + qb[4]) * r + 1);
    }
    /* one Halley step on Φ(x) − p */
    double e = crm_stats_normal_cdf(x) - p, u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* Continued fraction for I_x(a, b), valid for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        double m2 = 2.0 * m, num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        for (int half = 0; half < 2; half++) {
            d = 1 + num * d;
            c = 1 + num / c;
            if (fabs(d) < tiny)
                d = tiny;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        }
        if (fabs(d * c - 1) < 1e-16)
            break;
    }
    return h;
}

double crm_stats_beta_inc(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    int sign;
    double lb = lgamma_r(a + b, &sign) - lgamma_r(a, &sign) - lgamma_r(b, &sign);
    double front = exp(lb + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double crm_stats_t_cdf(double t, double df)
{
    if (isinf(df))
        return crm_stats_normal_cdf(t);
    if (isnan(t))
        return NAN;
    double tail = 0.5 * crm_stats_beta_inc(df / 2, 0.5, df / (df + t * t));
    return t > 0 ? 1 - tail : tail;
}

double crm_stats_t_quantile(double p, double df)
{
    if (isinf(df) || !(p > 0 && p < 1))
        return crm_stats_normal_quantile(p);
    if (p < 0.5)
        return -crm_stats_t_quantile(1 - p, df);
    double lo = 0, hi = 1;
    while (crm_stats_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
        double mid = lo + (hi - lo) / 2;
        if (crm_stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

void crm_stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *lo = k == 0 ? 0 : centre - half;
    *hi = k == n ? 1 : centre + half;
}

void crm_stats_newcombe(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2, double z,
                        double *diff, double *lo, double *hi)
{
    double l1, u1, l2, u2, p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
    crm_stats_wilson(k1, n1, z, &l1, &u1);
    crm_stats_wilson(k2, n2, z, &l2, &u2);
    *diff = p1 - p2;
    *lo = *diff - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = *diff + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

double crm_stats_two_prop_p(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
    double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
    double pool = (double)(k1 + k2) / (double)(n1 + n2);
    double se = sqrt(pool * (1 - pool) * (1 / (double)n1 + 1 / (double)n2));
    if (!(se > 0))
        return 1;
    return 2 * crm_stats_normal_cdf(-fabs(p1 - p2) / se);
}

void crm_stats_welch(double mean1, double var1, double n1, double mean2, double var2,
                     double n2, double level, struct crm_stats_welch *w)
{
    double s1 = var1 / n1, s2 = var2 / n2, se = sqrt(s1 + s2);
    w->diff = mean1 - mean2;
    if (!(se > 0)) {
        w->lo = w->hi = w->diff;
        w->p = w->diff == 0 ? 1 : 0;
        w->df = INFINITY;
        w->t = w->diff == 0 ? 0 : copysign(INFINITY, w->diff);
        return;
    }
    /* Welch (1947) – Satterthwaite (1946) degrees of freedom */
    w->df = (s1 + s2) * (s1 + s2) / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1));
    w->t = w->diff / se;
    double q = crm_stats_t_quantile(1 - (1 - level) / 2, w->df);
    w->lo = w->diff - q * se;
    w->hi = w->diff + q * se;
    w->p = 2 * crm_stats_t_cdf(-fabs(w->t), w->df);
}
