/* special: log-gamma, digamma, log-sum-exp and the Gaussian hypergeometric 2F1 for real
 * arguments (see special.h).
 *
 * 2F1 strategy (A&S = Abramowitz & Stegun, Handbook of Mathematical Functions, ch. 15):
 *   z < 0      a direct power series when |z| <= 1/2 and it does not cancel, otherwise
 *              Pfaff's transformation (A&S 15.3.4) onto x = z/(z-1) in (0,1);
 *   0 < x < 1  the cheapest converging power series among four equivalent forms: plain,
 *              Euler (15.3.3) and, for small x, the two Pfaff forms (15.3.4, 15.3.5);
 *              when none converges quickly (x near 1), the 1-x connection formula (15.3.6)
 *              rearranged so that it stays exact when c-a-b is an integer or close to one
 *              (see conn() below).
 * Every sum tracks its largest term: a result that lost more than a few digits to
 * cancellation is not returned; the next method is tried, and failing all, the status says
 * so. Large intermediate terms are carried with a separate log scale, never overflowed. */
#include "model/special.h"

#include <float.h>
#include <math.h>

#define EPS DBL_EPSILON
#define BIG 1e250
#define LN_BIG 575.64627324851142 /* ln(1e250) */
#define DIRECT_BUDGET 400L        /* terms a direct series may take before we switch method */
#define LAST_BUDGET 200000L       /* terms for the last-resort attempts */
#define GOOD_LOSS 16.0            /* cancellation small enough to stop looking for better */
#define LAST_LOSS 1e5             /* the most cancellation (digits lost: 5) ever accepted */
#define PI 3.14159265358979323846

const char *crm_special_strstatus(enum crm_special_status st)
{
    switch (st) {
    case CRM_SPECIAL_OK: return "ok";
    case CRM_SPECIAL_DOMAIN: return "argument outside the domain";
    case CRM_SPECIAL_NOCONV: return "no convergence to full precision";
    case CRM_SPECIAL_RANGE: return "result out of range";
    }
    return "unknown status";
}

double crm_special_lgamma(double x, int *sign)
{
    int s = 1;
    double v = lgamma_r(x, &s);
    if (sign)
        *sign = s;
    return v;
}

double crm_special_lbeta(double a, double b)
{
    return lgamma_r(a, &(int){0}) + lgamma_r(b, &(int){0}) - lgamma_r(a + b, &(int){0});
}

double crm_special_log_add_exp(double a, double b)
{
    if (a < b) {
        double t = a;
        a = b;
        b = t;
    }
    if (isinf(a))
        return a;
    return a + log1p(exp(b - a));
}

double crm_special_log_sum_exp(const double *v, size_t n)
{
    double mx = -INFINITY, sum = 0.0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > mx || isnan(v[i]))
            mx = v[i];
    if (n == 0 || isinf(mx) || isnan(mx))
        return mx;
    for (size_t i = 0; i < n; i++)
        sum += exp(v[i] - mx);
    return mx + log(sum);
}

/* log1p(u)/u, also at u == 0 */
static double lq(double u)
{
    if (fabs(u) < 1e-4)
        return 1.0 - u * (0.5 - u * (1.0 / 3.0 - u * 0.25));
    return log1p(u) / u;
}

/* expm1(v)/v, also at v == 0 */
static double e1(double v)
{
    if (fabs(v) < 1e-5)
        return 1.0 + v * (0.5 + v / 6.0);
    return expm1(v) / v;
}

static int nonpos_int(double v)
{
    return v <= 0.0 && v == floor(v);
}

/* B_2k / (2k (2k-1)), the Stirling series coefficients (A&S 6.1.40). */
static const double stirling[] = {
    1.0 / 12.0,   -1.0 / 360.0,     1.0 / 1260.0, -1.0 / 1680.0,
    1.0 / 1188.0, -691.0 / 360360.0, 1.0 / 156.0,  -3617.0 / 122400.0,
};

double crm_special_lgamma_diff(double x, double e)
{
    double lo = e < 0 ? x + e : x, hi = e < 0 ? x : x + e;
    if (!isfinite(x) || !isfinite(e) || x < -1e5)
        return NAN;
    /* Γ keeps its sign and has no pole on [lo, hi] */
    if (lo <= 0 && (hi > 0 || lo == floor(lo) || hi == floor(hi) || floor(lo) != floor(hi)))
        return NAN;
    /* ln Γ(x+1+e) - ln Γ(x+1) = ln Γ(x+e) - ln Γ(x) + log1p(e/x): shift up to x >= 10 */
    double acc = 0.0;
    while (lo < 10.0) {
        acc -= lq(e / x) / x;
        x += 1.0;
        lo += 1.0;
    }
    /* Stirling's series differenced term by term, every difference written as
     * (something) * expm1/log1p of a small quantity so that e -> 0 loses nothing. */
    double u = e / x, lqu = lq(u);
    double s = (x - 0.5) / x * lqu + log(x + e) - 1.0;
    double inv2 = 1.0 / (x * x), pw = inv2;
    for (int k = 0; k < 8; k++) {
        double j = 2.0 * k + 1.0;
        s += stirling[k] * pw * (-j) * lqu * e1(-j * u * lqu);
        pw *= inv2;
    }
    return acc + s;
}

double crm_special_digamma(double x)
{
    if (nonpos_int(x))
        return NAN;
    return crm_special_lgamma_diff(x, 0.0);
}

/* A signed number kept as its logarithm: s * exp(l); s == 0 is zero. */
struct slog {
    double l;
    int s;
};

static struct slog slog_of(double v, double lscale)
{
    struct slog r = {-INFINITY, 0};
    if (v != 0.0) {
        r.l = log(fabs(v)) + lscale;
        r.s = v > 0 ? 1 : -1;
    }
    return r;
}

/* p + q; *loss gets max(|p|,|q|) / |p+q| (cancellation). */
static struct slog slog_add(struct slog p, struct slog q, double *loss)
{
    *loss = 1.0;
    if (q.s == 0)
        return p;
    if (p.s == 0)
        return q;
    double mx = fmax(p.l, q.l);
    double v = p.s * exp(p.l - mx) + q.s * exp(q.l - mx);
    *loss = v == 0.0 ? INFINITY : 1.0 / fabs(v);
    return slog_of(v, mx);
}

/* A power series kept as val * exp(lsc), with its largest term relative to the sum. */
struct series {
    double val;
    double lsc;
    double loss;
    int ok;
};

/* Σ_{n>=0} (a)_n (b)_n / ((c)_n n!) x^n, stopping at full precision or after budget terms
 * (terminating series stop by themselves). */
static void series2f1(double a, double b, double c, double x, long budget, struct series *r)
{
    double term = 1.0, sum = 1.0, big = 1.0, lsc = 0.0, ax = fabs(x);
    /* past this index no factor changes sign, so the ratios settle and the tail bound holds */
    double nmin = fmax(0.0, ceil(fmax(-a, fmax(-b, -c)))) + 2.0;
    r->ok = 0;
    for (long i = 0; i < budget; i++) {
        double n = (double)i;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * x;
        if (term == 0.0) {
            r->ok = 1;
            break;
        }
        sum += term;
        double at = fabs(term);
        if (at > big)
            big = at;
        if (at > BIG) {
            term /= BIG;
            sum /= BIG;
            big /= BIG;
            lsc += LN_BIG;
            at /= BIG;
        }
        if (n + 1.0 >= nmin) {
            double next = fabs((a + n + 1.0) * (b + n + 1.0) / ((c + n + 1.0) * (n + 2.0)) * x);
            double rho = fmax(next, ax);
            if (rho < 1.0 && at * rho <= 0.5 * EPS * (1.0 - rho) * fabs(sum)) {
                r->ok = 1;
                break;
            }
        }
    }
    r->val = sum;
    r->lsc = lsc;
    r->loss = sum != 0.0 ? big / fabs(sum) : INFINITY;
}

/* A rough count of the terms series2f1 needs (the hump of growing terms, then the geometric
 * tail); only used to order the candidate forms. */
static double est_terms(double p, double q, double r, double x)
{
    double ax = fabs(x);
    if (ax >= 1.0)
        return INFINITY;
    if (ax == 0.0)
        return 1.0;
    double pp = fabs(p), qq = fabs(q), rr = fabs(r);
    double qa = 1.0 - ax, qb = (rr + 1.0) - (pp + qq) * ax, qc = rr - pp * qq * ax;
    double disc = qb * qb - 4.0 * qa * qc, peak = 0.0;
    if (disc > 0.0)
        peak = fmax(0.0, (-qb + sqrt(disc)) / (2.0 * qa));
    return 2.0 * peak + 37.0 / -log(ax) + fmax(0.0, -fmin(p, fmin(q, r)));
}

/* (1-x)^e' · series as a signed log, e'·ln(1-x) given as pre; *loss gets the cancellation
 * factor (largest term / sum), or INFINITY when the series did not converge. */
static void direct(double a, double b, double c, double x, double pre, long budget,
                   struct slog *out, double *loss)
{
    struct series s;
    series2f1(a, b, c, x, budget, &s);
    *loss = s.ok ? s.loss : INFINITY;
    *out = slog_of(s.val, s.lsc + pre);
}

/* ln|(a)_m| and its sign; a is not a non-positive integer. */
static double lpoch(double a, int m, int *sign)
{
    if (m <= 32) {
        double p = 1.0, l = 0.0;
        for (int j = 0; j < m; j++) {
            p *= a + j;
            if (fabs(p) > BIG) {
                p /= BIG;
                l += LN_BIG;
            }
        }
        *sign = p < 0 ? -1 : 1;
        return l + log(fabs(p));
    }
    int s1, s2;
    double v = crm_special_lgamma(a + m, &s1) - crm_special_lgamma(a, &s2);
    *sign = s1 * s2;
    return v;
}

/* The regular part of conn: G Γ(s) Σ_{n<m} (a)_n(b)_n/((1-s)_n n!) y^n, lg = ln|G|; *loss:
 * the largest term over the sum (1 when there is no term). */
static struct slog regular_part(double a, double b, double s, double y, int m, double lg,
                                int sgn_g, double *loss)
{
    struct slog reg = {-INFINITY, 0};
    *loss = 1.0;
    if (m < 1)
        return reg;
    double t = 1.0, sum = 1.0, big = 1.0, lsc = 0.0;
    for (int n = 0; n < m - 1; n++) {
        t *= (a + n) * (b + n) / ((1.0 - s + n) * (n + 1.0)) * y;
        sum += t;
        if (fabs(t) > big)
            big = fabs(t);
        if (fabs(t) > BIG) {
            t /= BIG;
            sum /= BIG;
            big /= BIG;
            lsc += LN_BIG;
        }
    }
    reg = slog_of(sum, lsc + lg + crm_special_lgamma(s, NULL));
    reg.s *= sgn_g;
    *loss = sum != 0.0 ? big / fabs(sum) : INFINITY;
    return reg;
}

/* Term n of the paired part at a pole of Γ between an and an+ε: the two halves differ by
 * orders of magnitude and their difference is taken as it is; *dmag its magnitude. */
static double pole_term(double an, double bn, double cn, double dn, double n, double eps,
                        double ly, double u, double *dmag)
{
    int s1, s2, s3, s4, s5, s6;
    double lr = eps * ly + crm_special_lgamma(an + eps, &s1) - crm_special_lgamma(an, &s2) +
                crm_special_lgamma(bn + eps, &s3) - crm_special_lgamma(bn, &s4) -
                crm_special_lgamma(cn + eps, NULL) + crm_special_lgamma(cn, NULL) +
                crm_special_lgamma(dn, &s5) - crm_special_lgamma(1.0 + n, &s6);
    *dmag = fabs(u * (PI / sin(PI * eps))) * fmax(1.0, exp(lr));
    return u * (PI / sin(PI * eps)) * (1.0 - s1 * s2 * s3 * s4 * s5 * s6 * exp(lr));
}

/* The paired part's series Σ_{n>=0} [U_n - V_n] / U_0 (see conn) as sum · e^lsc, with big the
 * largest term's magnitude on the same scale; 0 when it does not converge. */
struct paired {
    double sum, lsc, big;
};

static int paired_sum(double a, double b, double y, double ly, double mr, double eps,
                      struct paired *out)
{
    double sinc = eps == 0.0 ? 1.0 : PI * eps / sin(PI * eps);
    /* qabs: the magnitudes Q_n was summed from, so that cancellation inside Q counts too */
    double u = 1.0, lsc = 0.0, sum = 0.0, big = 0.0, q = 0.0, qabs = 0.0;
    int qvalid = 0, ok = 0;
    double nmin = fmax(0.0, ceil(fmax(-a, -b))) + 2.0;
    for (long i = 0; i < LAST_BUDGET; i++) {
        double n = (double)i;
        double an = a + mr + n, bn = b + mr + n, cn = 1.0 + mr + n, dn = 1.0 + n - eps;
        if (!qvalid) {
            double d1 = crm_special_lgamma_diff(an, eps), d2 = crm_special_lgamma_diff(bn, eps);
            double d3 = crm_special_lgamma_diff(cn, eps), d4 = crm_special_lgamma_diff(dn, eps);
            q = ly + d1 + d2 - d3 - d4;
            qabs = fabs(ly) + fabs(d1) + fabs(d2) + fabs(d3) + fabs(d4);
            qvalid = isfinite(q);
        }
        double d, dmag;
        if (qvalid) {
            d = -u * sinc * q * e1(eps * q);
            dmag = fabs(u * sinc * qabs * e1(eps * q));
        } else {
            d = pole_term(an, bn, cn, dn, n, eps, ly, u, &dmag);
        }
        sum += d;
        if (dmag > big)
            big = dmag;
        double ratio = an * bn / (dn * cn) * y;
        u *= ratio;
        if (fabs(u) > BIG) {
            u /= BIG;
            sum /= BIG;
            big /= BIG;
            lsc += LN_BIG;
        }
        if (qvalid) {
            if (an > 0 && an + eps > 0 && bn > 0 && bn + eps > 0) {
                double dq1 = lq(eps / an) / an + lq(eps / bn) / bn;
                double dq2 = lq(eps / cn) / cn + lq(eps / dn) / dn;
                q += dq1 - dq2;
                qabs += dq1 + dq2;
            } else
                qvalid = 0;
        }
        if (u == 0.0 || (n + 1.0 >= nmin && fabs(ratio) < 1.0)) {
            double rho = fmax(fabs(ratio), y);
            /* Q grows like ln n, hence the 2 */
            if (u == 0.0 ||
                (rho < 1.0 && 2.0 * fabs(d) * rho <= 0.5 * EPS * (1.0 - rho) * fabs(sum))) {
                ok = 1;
                break;
            }
        }
    }
    *out = (struct paired){sum, lsc, big};
    return ok;
}

/* The 1-x connection formula (A&S 15.3.6) for s = c-a-b >= 0, x in (0,1), y = 1-x:
 *   F = G Γ(s) Σ_{n<m} (a)_n(b)_n/((1-s)_n n!) y^n                        (regular part)
 *     + G (-1)^m (π/sin πε) Σ_{n>=0} [U_n - V_n]                           (paired part)
 * with s = m + ε (m integer, |ε| <= 1/2), G = Γ(c)/(Γ(c-a)Γ(c-b)),
 *   U_n = (a)_{n+m}(b)_{n+m} y^{n+m} / (Γ(1+n-ε) (n+m)!),   V_n = U_n exp(ε Q_n),
 *   Q_n = ln y + D(a+m+n) + D(b+m+n) - D(1+m+n) - D(1+n-ε),  D(v) = lgamma_diff(v, ε).
 * This is 15.3.6 with term n+m of its first series paired with term n of its second: each
 * pair's two O(1/ε) halves cancel analytically, (π/sin πε)(U - V) = -(πε/sin πε) U Q
 * expm1(εQ)/(εQ), so ε -> 0 (the integer case, A&S 15.3.10-12) is the same code. */
static void conn(double a, double b, double c, double y, double e, struct slog *out,
                 double *loss)
{
    double s = c - a - b, ly = log(y);
    *loss = INFINITY;
    if (!(s >= 0.0) || s > 1e4)
        return;
    double mr = floor(s + 0.5), eps = s - mr;
    int m = (int)mr, sg1, sg2, sg3;
    double lg = crm_special_lgamma(c, &sg1) - crm_special_lgamma(c - a, &sg2) -
                crm_special_lgamma(c - b, &sg3);
    int sgn_g = sg1 * sg2 * sg3;
    double reg_loss;
    struct slog reg = regular_part(a, b, s, y, m, lg, sgn_g, &reg_loss);
    int sa, sb;
    double lu0 = lpoch(a, m, &sa) + lpoch(b, m, &sb) + m * ly -
                 crm_special_lgamma(1.0 - eps, NULL) - crm_special_lgamma(mr + 1.0, NULL);
    struct paired ps;
    if (!paired_sum(a, b, y, ly, mr, eps, &ps) || ps.sum == 0.0)
        return;
    struct slog pair = slog_of(ps.sum, ps.lsc + lg + lu0);
    pair.s *= sgn_g * sa * sb * ((m % 2) ? -1 : 1);
    double add_loss, pair_loss = ps.big / fabs(ps.sum);
    struct slog r = slog_add(reg, pair, &add_loss);
    if (r.s == 0)
        return;
    r.l += e * ly;
    *out = r;
    *loss = add_loss * fmax(pair_loss, reg_loss);
}

struct form {
    double a, b, c, x, pre, cost;
};

/* (1-x)^e 2F1(a,b;c;x) for x in (0,1), y = 1-x given exactly by the caller. Of the methods
 * that converge, the one that lost the fewest digits to cancellation wins. */
static enum crm_special_status unit(double a, double b, double c, double x, double y, double e,
                                    struct slog *out)
{
    double ly = log(y), s = c - a - b, loss;
    /* Terminating cases: the polynomial itself, or (1-x)^s times Euler's polynomial (not when
     * c is a pole: then only the polynomial that stops before it is defined). Summed as they
     * are; when a long polynomial cancels too much the answer is NOCONV. */
    if ((nonpos_int(c - a) || nonpos_int(c - b)) && !nonpos_int(c)) {
        double deg = fmin(nonpos_int(c - a) ? a - c : 1e9, nonpos_int(c - b) ? b - c : 1e9);
        direct(c - a, c - b, c, x, (e + s) * ly, (long)fmin(deg, 1e9) + 2, out, &loss);
        if (loss <= GOOD_LOSS || !(nonpos_int(a) || nonpos_int(b)))
            return loss <= LAST_LOSS ? CRM_SPECIAL_OK : CRM_SPECIAL_NOCONV;
    }
    if (nonpos_int(a) || nonpos_int(b)) {
        double deg = fmin(nonpos_int(a) ? -a : 1e9, nonpos_int(b) ? -b : 1e9);
        direct(a, b, c, x, e * ly, (long)fmin(deg, 1e9) + 2, out, &loss);
        return loss <= LAST_LOSS ? CRM_SPECIAL_OK : CRM_SPECIAL_NOCONV;
    }
    struct form f[4];
    int nf = 0;
    f[nf++] = (struct form){a, b, c, x, e * ly, 0};
    f[nf++] = (struct form){c - a, c - b, c, x, (e + s) * ly, 0};
    if (x <= 1.0 / 3.0) {
        double w = -x / y;
        f[nf++] = (struct form){a, c - b, c, w, (e - a) * ly, 0};
        f[nf++] = (struct form){c - a, b, c, w, (e - b) * ly, 0};
    }
    for (int i = 0; i < nf; i++)
        f[i].cost = est_terms(f[i].a, f[i].b, f[i].c, f[i].x);
    for (int i = 1; i < nf; i++) /* insertion sort by cost; ties keep this order */
        for (int j = i; j > 0 && f[j].cost < f[j - 1].cost; j--) {
            struct form t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    double best = INFINITY;
    struct slog r;
    for (int i = 0; i < nf && best > GOOD_LOSS; i++) {
        /* a form the estimate condemns still gets a few terms: the estimate ignores how
         * fast a large c makes the first terms vanish */
        long budget = f[i].cost <= 2.5 * DIRECT_BUDGET ? DIRECT_BUDGET : 40;
        direct(f[i].a, f[i].b, f[i].c, f[i].x, f[i].pre, budget, &r, &loss);
        if (loss < best) {
            best = loss;
            *out = r;
        }
    }
    if (best > GOOD_LOSS) {
        if (s >= 0.0)
            conn(a, b, c, y, e, &r, &loss);
        else
            conn(c - a, c - b, c, y, e + s, &r, &loss);
        if (loss < best) {
            best = loss;
            *out = r;
        }
    }
    /* when everything so far lost over 3 digits, a long direct series may still do better */
    for (int i = 0; i < nf && best > 1e3; i++) {
        if (f[i].cost > 0.5 * LAST_BUDGET)
            continue;
        direct(f[i].a, f[i].b, f[i].c, f[i].x, f[i].pre, LAST_BUDGET, &r, &loss);
        if (loss < best) {
            best = loss;
            *out = r;
        }
    }
    return best <= LAST_LOSS ? CRM_SPECIAL_OK : CRM_SPECIAL_NOCONV;
}

static enum crm_special_status finish(struct slog r, double *out)
{
    if (r.s == 0) {
        *out = 0.0;
        return CRM_SPECIAL_OK;
    }
    if (r.l > log(DBL_MAX))
        return CRM_SPECIAL_RANGE;
    *out = r.s * exp(r.l);
    return CRM_SPECIAL_OK;
}

static enum crm_special_status gauss_at_one(double a, double b, double c, double *out)
{
    /* 2F1(a,b;c;1) = Γ(c)Γ(c-a-b) / (Γ(c-a)Γ(c-b)), c-a-b > 0 (A&S 15.1.20) */
    if (nonpos_int(c - a) || nonpos_int(c - b)) {
        *out = 0.0;
        return CRM_SPECIAL_OK;
    }
    int s1, s2, s3, s4;
    double l = crm_special_lgamma(c, &s1) + crm_special_lgamma(c - a - b, &s2) -
               crm_special_lgamma(c - a, &s3) - crm_special_lgamma(c - b, &s4);
    return finish((struct slog){l, s1 * s2 * s3 * s4}, out);
}

enum crm_special_status crm_special_hyp2f1_scaled(double a, double b, double c, double z,
                                                  double e, double *out)
{
    *out = NAN;
    if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(z) || !isfinite(e) ||
        !(z <= 1.0))
        return CRM_SPECIAL_DOMAIN;
    if (nonpos_int(c) && !((nonpos_int(a) && a > c) || (nonpos_int(b) && b > c)))
        return CRM_SPECIAL_DOMAIN;
    if (z == 1.0) {
        if (e != 0.0 || !(c - a - b > 0.0))
            return CRM_SPECIAL_DOMAIN;
        return gauss_at_one(a, b, c, out);
    }
    double lz1 = log1p(-z); /* ln(1-z) */
    if (z == 0.0 || a == 0.0 || b == 0.0)
        return finish((struct slog){e * lz1, 1}, out);
    struct slog r;
    if (nonpos_int(c)) { /* only the polynomial that stops before the pole is defined */
        double loss, deg = fmin(nonpos_int(a) ? -a : 1e9, nonpos_int(b) ? -b : 1e9);
        direct(a, b, c, z, e * lz1, (long)deg + 2, &r, &loss);
        return loss <= LAST_LOSS ? finish(r, out) : CRM_SPECIAL_NOCONV;
    }
    if (z > 0.0) {
        enum crm_special_status st = unit(a, b, c, z, 1.0 - z, e, &r);
        return st != CRM_SPECIAL_OK ? st : finish(r, out);
    }
    if (z >= -0.5) {
        double loss;
        direct(a, b, c, z, e * lz1, DIRECT_BUDGET, &r, &loss);
        if (loss <= GOOD_LOSS)
            return finish(r, out);
    }
    /* Pfaff: (1-z)^e F(a,b;c;z) = (1-z)^(e-a) F(a,c-b;c;w) = (1-w)^(a-e) F(a,c-b;c;w) */
    double w = z / (z - 1.0), yw = 1.0 / (1.0 - z);
    enum crm_special_status st = unit(a, c - b, c, w, yw, a - e, &r);
    return st != CRM_SPECIAL_OK ? st : finish(r, out);
}

enum crm_special_status crm_special_hyp2f1(double a, double b, double c, double z, double *out)
{
    return crm_special_hyp2f1_scaled(a, b, c, z, 0.0, out);
}
