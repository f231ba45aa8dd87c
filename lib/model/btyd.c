/* btyd: BG/NBD, MBG/NBD and Gamma-Gamma fits and per-customer predictions (see btyd.h).
 *
 * References, with the equations used:
 *   FHL05  Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing
 *          Science 24(2): likelihood (6), E[X(t)] (9), conditional expectation (10),
 *          P(alive) (11).
 *   BDF07  Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of
 *          models for customer base analysis", IJRM 24: the MBG/NBD, whose customers may
 *          also drop out right after the first purchase.
 *   FH13   Fader & Hardie (2013), "The Gamma-Gamma model of monetary value": density of the
 *          mean spend (4) and the conditional expectation (5) (as in FHL05b, "RFM and CLV").
 *
 * Both BG models share one structure used throughout:
 *   LL = ln Γ(r+x) - ln Γ(r) + r ln α + ln B(a, b+x+μ) - ln B(a, b)
 *        + ln[ (α+T)^-(r+x) + δ a/(b+x-1+μ) (α+t_x)^-(r+x) ]
 * with μ = 0, δ = [x > 0] for BG/NBD and μ = 1, δ = 1 for MBG/NBD. Given the data and being
 * alive at T, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x+μ), and the expected purchases in
 * (T, T+t] are P(alive) h(r+x, a, b+x+μ, t/(α+T)) with
 *   h(A, a, β, k) = E_p[(1 - (1+pk)^-A)/p],  p ~ Beta(a, β),
 * which is FHL05 (10)'s bracket: (a+β-1)/(a-1) [1 - (1+k)^-A 2F1(A, β; a+β-1; k/(1+k))].
 * For k <= 1/2 h is summed from its own series (no 2F1, no division by a-1); beyond, through
 * 2F1 (lib/special), interpolating across the removable singularity at a = 1. */
#include "model/btyd.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/optim.h"
#include "model/pnbd.h"
#include "model/special.h"

#define EPS 2.220446049250313e-16
#define THETA_MAX 30.0     /* |ln θ| beyond this is outside the domain (θ in e^±30) */
#define PARAM_MIN 1e-6     /* estimates outside [PARAM_MIN, PARAM_MAX] are not identified */
#define PARAM_MAX 1e6
#define DAYS_PER_MONTH (365.25 / 12.0)

const char *crm_btyd_model_name(enum crm_btyd_model model)
{
    return model == CRM_BTYD_PNBD ? "pnbd" : model == CRM_BTYD_MBGNBD ? "mbgnbd" : "bgnbd";
}

const char *crm_btyd_param_name(enum crm_btyd_model model, int i)
{
    static const char *const bg[4] = {"r", "alpha", "a", "b"}, *const pn[4] = {"r", "alpha", "s",
                                                                               "beta"};
    return i < 0 || i > 3 ? "" : model == CRM_BTYD_PNBD ? pn[i] : bg[i];
}

static int params_ok(const struct crm_btyd_params *p)
{
    return (p->model == CRM_BTYD_BGNBD || p->model == CRM_BTYD_MBGNBD ||
            p->model == CRM_BTYD_PNBD) && p->r > 0 &&
           p->alpha > 0 && p->a > 0 && p->b > 0 && isfinite(p->r) && isfinite(p->alpha) &&
           isfinite(p->a) && isfinite(p->b);
}

static int obs_ok(double x, double t_x, double T)
{
    return isfinite(x) && isfinite(t_x) && isfinite(T) && x >= 0 && x == floor(x) &&
           t_x >= 0 && T >= t_x && (x > 0 || t_x == 0);
}

static enum crm_err bad_obs(struct crm_errinfo *err, size_t i, const struct crm_btyd_obs *o)
{
    return crm_errinfo_set(err, CRM_EDATA,
                           "summary %zu (x=%g, t_x=%g, T=%g, weight=%g) is invalid: need x a "
                           "whole number >= 0, 0 <= t_x <= T, t_x = 0 when x = 0, weight >= 0",
                           i, o->x, o->t_x, o->T, o->weight);
}

/* ---- per-customer quantities ---- */

double crm_btyd_loglik_one(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    if (!params_ok(p) || !obs_ok(x, t_x, T))
        return NAN;
    if (p->model == CRM_BTYD_PNBD)
        return crm_pnbd_loglik_one(p, x, t_x, T);
    double mu = p->model == CRM_BTYD_MBGNBD ? 1.0 : 0.0, A = p->r + x;
    double l1 = lgamma_r(A, &(int){0}) - lgamma_r(p->r, &(int){0}) + p->r * log(p->alpha) +
                lgamma_r(p->b + x + mu, &(int){0}) - lgamma_r(p->a + p->b + x + mu, &(int){0}) -
                lgamma_r(p->b, &(int){0}) + lgamma_r(p->a + p->b, &(int){0});
    double l3 = -A * log(p->alpha + T);
    if (mu == 0.0 && x == 0.0)
        return l1 + l3;
    double l4 = log(p->a) - log(p->b + x - 1.0 + mu) - A * log(p->alpha + t_x);
    return l1 + crm_special_log_add_exp(l3, l4);
}

enum crm_err crm_btyd_loglik(const struct crm_btyd_params *p, const struct crm_btyd_obs *obs,
                             size_t n, double *loglik, struct crm_errinfo *err)
{
    double sum = 0.0;
    if (!params_ok(p))
        return crm_errinfo_set(err, CRM_EUSAGE, "invalid %s parameters",
                               crm_btyd_model_name(p->model));
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_obs *o = &obs[i];
        if (!obs_ok(o->x, o->t_x, o->T) || !(o->weight >= 0) || !isfinite(o->weight))
            return bad_obs(err, i, o);
        if (o->weight > 0)
            sum += o->weight * crm_btyd_loglik_one(p, o->x, o->t_x, o->T);
    }
    *loglik = sum;
    return CRM_OK;
}

/* ln of the odds dead : alive, i.e. P(alive) = 1 / (1 + e^lodds); -inf when surely alive. */
static double log_odds_dead(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    double mu = p->model == CRM_BTYD_MBGNBD ? 1.0 : 0.0;
    if (mu == 0.0 && x == 0.0)
        return -INFINITY;
    return log(p->a / (p->b + x - 1.0 + mu)) + (p->r + x) * log1p((T - t_x) / (p->alpha + t_x));
}

double crm_btyd_p_alive(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    if (!params_ok(p) || !obs_ok(x, t_x, T))
        return NAN;
    if (p->model == CRM_BTYD_PNBD)
        return crm_pnbd_p_alive(p, x, t_x, T);
    return 1.0 / (1.0 + exp(log_odds_dead(p, x, t_x, T)));
}

double crm_btyd_prob_no_purchase(const struct crm_btyd_params *p, double x, double t_x,
                                 double T, double t)
{
    if (!params_ok(p) || !obs_ok(x, t_x, T) || !(t >= 0) || !isfinite(t))
        return NAN;
    if (p->model == CRM_BTYD_PNBD)
        return crm_pnbd_prob_no_purchase(p, x, t_x, T, t);
    double alive = crm_btyd_p_alive(p, x, t_x, T);
    /* P(some purchase | alive) = 1 - ((α+T)/(α+T+t))^(r+x) */
    double buy = -expm1(-(p->r + x) * log1p(t / (p->alpha + T)));
    return 1.0 - alive * buy;
}

/* h by its power series in k, valid for k < 1: expand (1+pk)^-A binomially and take
 * E[p^(n-1)] = (a)_(n-1) / (a+β)_(n-1) term by term, which gives
 *   h = kA Σ_{m>=0} τ_m,  τ_0 = 1,  τ_{m+1} = τ_m (A+1+m)(a+m) / ((a+β+m)(m+2)) (-k).
 * Returns 0 when it does not converge cleanly. */
static int h_series(double A, double a, double beta, double k, double *out)
{
    double tau = 1.0, sum = 1.0, big = 1.0;
    for (int m = 0; m < 600; m++) {
        double dm = (double)m;
        double ratio = (A + 1.0 + dm) * (a + dm) / ((a + beta + dm) * (dm + 2.0)) * -k;
        tau *= ratio;
        sum += tau;
        big = fmax(big, fabs(tau));
        double next =
            fabs((A + 2.0 + dm) * (a + dm + 1.0) / ((a + beta + dm + 1.0) * (dm + 3.0)) * k);
        double rho = fmax(next, k);
        if (rho < 1.0 && fabs(tau) * rho <= 0.5 * EPS * (1.0 - rho) * fabs(sum)) {
            if (big > 1e3 * fabs(sum))
                return 0;
            *out = k * A * sum;
            return 1;
        }
    }
    return 0;
}

/* h through FHL05 (10)'s bracket with 2F1; a != 1, a+β-1 != 0. */
static enum crm_special_status h_2f1_raw(double A, double a, double beta, double k, double *out)
{
    double c = a + beta - 1.0, z = k / (1.0 + k), scaled;
    /* (1+k)^-A 2F1(...) = (1-z)^A 2F1(...) */
    enum crm_special_status st = crm_special_hyp2f1_scaled(A, beta, c, z, A, &scaled);
    if (st == CRM_SPECIAL_OK)
        *out = c / (a - 1.0) * (1.0 - scaled);
    return st;
}

/* The polynomial through f[i] at u0 + node[i]·δ (nn nodes), evaluated at u. */
static double lagrange(const double *f, const double *node, int nn, double u0, double delta,
                       double u)
{
    double s = (u - u0) / delta, v = 0.0;
    for (int i = 0; i < nn; i++) {
        double l = 1.0;
        for (int j = 0; j < nn; j++)
            if (j != i)
                l *= (s - node[j]) / (node[i] - node[j]);
        v += l * f[i];
    }
    return v;
}

static enum crm_special_status h_2f1(double A, double a, double beta, double k, double *out)
{
    const double node[6] = {-3.0, -2.0, -1.0, 1.0, 2.0, 3.0};
    double f[6];
    enum crm_special_status st = CRM_SPECIAL_OK;
    /* FHL05 (10) is 0/0 at a = 1: at distance d from it, the bracket 1 - (1+k)^-A 2F1 is
     * about d·ln(1+k), so 2F1's rounding is amplified by 1/(d ln(1+k)). Within δ = 0.01 /
     * max(1, ln(1+k)) of a = 1, h is interpolated (degree 5) from nodes at 1 ± δ, 2δ, 3δ,
     * where the amplification is at most 100; h varies on the scale 1/ln(1+k) in a, so the
     * interpolation error is ~(3δ ln(1+k))^6 / 6! ~ 1e-12. */
    double delta = 0.01 / fmax(1.0, log1p(k));
    if (fabs(a - 1.0) < delta) {
        for (int i = 0; i < 6 && st == CRM_SPECIAL_OK; i++)
            st = h_2f1_raw(A, 1.0 + node[i] * delta, beta, k, &f[i]);
        if (st == CRM_SPECIAL_OK)
            *out = lagrange(f, node, 6, 1.0, delta, a);
        return st;
    }
    if (fabs(a + beta - 1.0) < 1e-8) {
        /* c = a+β-1 = 0 is a pole of 2F1 that the factor c removes: interpolate in β */
        double db = 1e-4;
        for (int i = 1; i < 5 && st == CRM_SPECIAL_OK; i++)
            st = h_2f1_raw(A, a, beta + node[i] * db, k, &f[i]);
        if (st == CRM_SPECIAL_OK)
            *out = lagrange(f + 1, node + 1, 4, beta, db, beta);
        return st;
    }
    return h_2f1_raw(A, a, beta, k, out);
}

/* h(A, a, β, k) = E_p[(1 - (1+pk)^-A)/p], p ~ Beta(a, β): expected purchases in a window of
 * length k·(α+T) for a customer alive at its start (see the top of the file). */
static enum crm_err alive_expectation(double A, double a, double beta, double k, double *out,
                                      struct crm_errinfo *err)
{
    if (k == 0.0) {
        *out = 0.0;
        return CRM_OK;
    }
    if (k <= 0.5 && h_series(A, a, beta, k, out))
        return CRM_OK;
    enum crm_special_status st = h_2f1(A, a, beta, k, out);
    if (st != CRM_SPECIAL_OK || !isfinite(*out))
        return crm_errinfo_set(err, CRM_EMODEL,
                               "expected purchases: 2F1(%.17g, %.17g; %.17g; %.17g): %s", A,
                               beta, a + beta - 1.0, k / (1.0 + k),
                               crm_special_strstatus(st == CRM_SPECIAL_OK ? CRM_SPECIAL_RANGE
                                                                          : st));
    return CRM_OK;
}

static double beta_shift(const struct crm_btyd_params *p)
{
    return p->model == CRM_BTYD_MBGNBD ? 1.0 : 0.0;
}

enum crm_err crm_btyd_expected(const struct crm_btyd_params *p, double x, double t_x, double T,
                               double t, double *out, struct crm_errinfo *err)
{
    *out = NAN;
    if (!params_ok(p))
        return crm_errinfo_set(err, CRM_EUSAGE, "invalid %s parameters",
                               crm_btyd_model_name(p->model));
    if (!obs_ok(x, t_x, T) || !(t >= 0) || !isfinite(t))
        return crm_errinfo_set(err, CRM_EDATA, "invalid summary x=%g t_x=%g T=%g or horizon %g",
                               x, t_x, T, t);
    double h;
    if (p->model == CRM_BTYD_PNBD) {
        *out = crm_pnbd_p_alive(p, x, t_x, T) * crm_pnbd_alive_expected(p, x, T, t);
        return isfinite(*out) ? CRM_OK : crm_errinfo_set(err, CRM_EMODEL, "pnbd: P(alive) "
                                                         "cannot be evaluated");
    }
    enum crm_err e = alive_expectation(p->r + x, p->a, p->b + x + beta_shift(p),
                                       t / (p->alpha + T), &h, err);
    if (e == CRM_OK)
        *out = crm_btyd_p_alive(p, x, t_x, T) * h;
    return e;
}

enum crm_err crm_btyd_expected_unconditional(const struct crm_btyd_params *p, double t,
                                             double *out, struct crm_errinfo *err)
{
    *out = NAN;
    if (!params_ok(p))
        return crm_errinfo_set(err, CRM_EUSAGE, "invalid %s parameters",
                               crm_btyd_model_name(p->model));
    if (!(t >= 0) || !isfinite(t))
        return crm_errinfo_set(err, CRM_EDATA, "invalid time %g", t);
    /* MBG/NBD: alive after the first purchase with probability b/(a+b), and then
     * p ~ Beta(a, b+1); BG/NBD: alive, p ~ Beta(a, b) */
    int mbg = p->model == CRM_BTYD_MBGNBD;
    double h;
    if (p->model == CRM_BTYD_PNBD) {
        *out = crm_pnbd_expected_unconditional(p, t);
        return CRM_OK;
    }
    enum crm_err e = alive_expectation(p->r, p->a, p->b + beta_shift(p), t / p->alpha, &h, err);
    if (e == CRM_OK)
        *out = mbg ? h * p->b / (p->a + p->b) : h;
    return e;
}

static int horizon_ok(const struct crm_btyd_horizon *hz)
{
    return hz->length >= 0 && isfinite(hz->length) && hz->annual_discount >= 0 &&
           isfinite(hz->annual_discount) &&
           (hz->annual_discount == 0.0 || (hz->days_per_unit > 0 && isfinite(hz->days_per_unit)));
}

/* For a customer alive at T (x, T given): expected purchases in the window, undiscounted and
 * discounted month by month. Both are P(alive)-free, so they depend on x and T only. */
static enum crm_err window_expectation(const struct crm_btyd_params *p, double x, double T,
                                       const struct crm_btyd_horizon *hz, double *plain,
                                       double *discounted, struct crm_errinfo *err)
{
    double A = p->r + x, beta = p->b + x + beta_shift(p), scale = p->alpha + T;
    int pnbd = p->model == CRM_BTYD_PNBD;
    enum crm_err e = CRM_OK;
    if (pnbd)
        *plain = crm_pnbd_alive_expected(p, x, T, hz->length);
    else
        e = alive_expectation(A, p->a, beta, hz->length / scale, plain, err);
    if (e != CRM_OK || hz->annual_discount == 0.0) {
        *discounted = *plain;
        return e;
    }
    double month = DAYS_PER_MONTH / hz->days_per_unit, before = 0.0, sum = 0.0;
    double lnd = log1p(hz->annual_discount);
    for (long m = 1; (double)(m - 1) * month < hz->length; m++) {
        double end = fmin((double)m * month, hz->length), upto;
        if (end == hz->length)
            upto = *plain;
        else if (pnbd)
            upto = crm_pnbd_alive_expected(p, x, T, end);
        else if ((e = alive_expectation(A, p->a, beta, end / scale, &upto, err)) != CRM_OK)
            return e;
        sum += (upto - before) * exp(-(double)m / 12.0 * lnd);
        before = upto;
    }
    *discounted = sum;
    return CRM_OK;
}

enum crm_err crm_btyd_score(const struct crm_btyd_params *p, const struct crm_btyd_obs *obs,
                            size_t n, const struct crm_btyd_horizon *horizon,
                            struct crm_btyd_score *out, struct crm_errinfo *err)
{
    if (!params_ok(p))
        return crm_errinfo_set(err, CRM_EUSAGE, "invalid %s parameters",
                               crm_btyd_model_name(p->model));
    if (!horizon_ok(horizon))
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "invalid horizon (length %g, discount %g, days per unit %g)",
                               horizon->length, horizon->annual_discount,
                               horizon->days_per_unit);
    double last_x = NAN, last_T = NAN, h = 0.0, hd = 0.0, buy = 0.0;
    struct crm_pnbd_xT xT = {NAN, NAN, {0, 0, 0, 0, 0}, 0, 0};
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_obs *o = &obs[i];
        if (!obs_ok(o->x, o->t_x, o->T))
            return bad_obs(err, i, o);
        if (o->x != last_x || o->T != last_T) { /* the alive-customer parts: x, T only */
            enum crm_err e = window_expectation(p, o->x, o->T, horizon, &h, &hd, err);
            if (e != CRM_OK) {
                char why[sizeof err->msg];
                snprintf(why, sizeof why, "%s", err ? err->msg : "");
                return crm_errinfo_set(err, e, "summary %zu: %s", i, why);
            }
            buy = -expm1(-(p->r + o->x) * log1p(horizon->length / (p->alpha + o->T)));
            last_x = o->x;
            last_T = o->T;
        }
        if (p->model == CRM_BTYD_PNBD) {
            if (xT.x != o->x || xT.T != o->T)
                crm_pnbd_xT_prepare(p, o->x, o->T, horizon->length, &xT);
            double alive = crm_pnbd_p_alive_xT(p, &xT, o->t_x);
            out[i].p_alive = alive;
            out[i].expected = alive * h;
            out[i].prob_no_purchase = (1.0 - alive) + alive * xT.none_alive;
            out[i].discounted_expected = alive * hd;
            if (!isfinite(out[i].p_alive) || !isfinite(out[i].prob_no_purchase))
                return crm_errinfo_set(err, CRM_EMODEL, "summary %zu (x=%g, t_x=%g, T=%g): "
                                       "pnbd P(alive) cannot be evaluated", i, o->x, o->t_x,
                                       o->T);
            continue;
        }
        double alive = 1.0 / (1.0 + exp(log_odds_dead(p, o->x, o->t_x, o->T)));
        out[i].p_alive = alive;
        out[i].expected = alive * h;
        out[i].prob_no_purchase = 1.0 - alive * buy;
        out[i].discounted_expected = alive * hd;
    }
    return CRM_OK;
}

enum crm_err crm_btyd_clv(const struct crm_btyd_params *p, double x, double t_x, double T,
                          double value, const struct crm_btyd_horizon *horizon, double *clv,
                          struct crm_errinfo *err)
{
    struct crm_btyd_obs o = {x, t_x, T, 1.0};
    struct crm_btyd_score s = {0};
    *clv = NAN;
    if (!isfinite(value))
        return crm_errinfo_set(err, CRM_EUSAGE, "clv: value %g is not finite", value);
    enum crm_err e = crm_btyd_score(p, &o, 1, horizon, &s, err);
    if (e == CRM_OK)
        *clv = value * s.discounted_expected;
    return e;
}

void crm_btyd_simulate(const struct crm_btyd_params *p, struct crm_rng *rng, double T,
                       double holdout, struct crm_btyd_obs *obs, double *holdout_purchases)
{
    if (p->model == CRM_BTYD_PNBD) {
        crm_pnbd_simulate(p, rng, T, holdout, obs, holdout_purchases);
        return;
    }
    double lambda = crm_rng_gamma(rng, p->r, 1.0 / p->alpha);
    double drop = crm_rng_beta(rng, p->a, p->b);
    double x = 0.0, t_x = 0.0, held = 0.0, t = 0.0;
    int alive = !(p->model == CRM_BTYD_MBGNBD && crm_rng_uniform(rng) < drop);
    while (alive && lambda > 0.0) {
        t += crm_rng_exponential(rng) / lambda;
        if (!(t <= T + holdout))
            break;
        if (t <= T) {
            x += 1.0;
            t_x = t;
        } else {
            held += 1.0;
        }
        alive = !(crm_rng_uniform(rng) < drop);
    }
    obs->x = x;
    obs->t_x = t_x;
    obs->T = T;
    obs->weight = 1.0;
    *holdout_purchases = held;
}

/* ---- distinct values and compaction ---- */

/* uniq[] gets the distinct values of v[0..n) in first-seen order, idx[i] the position of
 * v[i] in it (-0 and +0 one value): a crm_keygroup of one key, O(n). */
static enum crm_err distinct(const double *v, size_t n, uint32_t *idx, double **uniq,
                             size_t *n_uniq)
{
    struct crm_keygroup g;
    if (crm_keygroup_init(&g, 1) != 0 || crm_keygroup_add_many(&g, v, NULL, n, idx) != 0) {
        crm_keygroup_free(&g);
        return CRM_ENOMEM;
    }
    double *u = malloc((g.n ? g.n : 1) * sizeof *u);
    if (u && g.n)
        memcpy(u, g.key, g.n * sizeof *u);
    *uniq = u;
    *n_uniq = g.n;
    crm_keygroup_free(&g);
    return u ? CRM_OK : CRM_ENOMEM;
}

enum crm_err crm_btyd_from_groups(struct crm_keygroup *g, struct crm_btyd_obs **out,
                                  size_t *n_out, uint32_t *rank, struct crm_errinfo *err)
{
    *out = NULL;
    *n_out = 0;
    size_t ng = g->n;
    struct crm_btyd_obs *o = malloc((ng ? ng : 1) * sizeof *o);
    size_t *order = malloc((ng ? ng : 1) * sizeof *order);
    if (!o || !order || crm_keygroup_order(g, order) != 0) {
        free(o);
        free(order);
        return crm_errinfo_set(err, CRM_ENOMEM, "compact: out of memory for %zu summaries",
                               ng);
    }
    for (size_t k = 0; k < ng; k++) {   /* keys are (x, T, t_x) */
        const double *key = crm_keygroup_key(g, order[k]);
        if (rank)
            rank[order[k]] = (uint32_t)k;
        o[k] = (struct crm_btyd_obs){key[0], key[2], key[1], g->weight[order[k]]};
    }
    free(order);
    *out = o;
    *n_out = ng;
    return CRM_OK;
}

enum crm_err crm_btyd_compact(const struct crm_btyd_obs *in, size_t n, struct crm_btyd_obs **out,
                              size_t *n_out, size_t *map, struct crm_errinfo *err)
{
    *out = NULL;
    *n_out = 0;
    if (n > UINT32_MAX - 1)
        return crm_errinfo_set(err, CRM_EUSAGE, "compact: more than 2^32 summaries");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(in[i].x) || !isfinite(in[i].t_x) || !isfinite(in[i].T) ||
            !isfinite(in[i].weight))
            return bad_obs(err, i, &in[i]);
    struct crm_keygroup g;
    uint32_t *group = map ? malloc((n ? n : 1) * sizeof *group) : NULL;
    enum crm_err e = CRM_ENOMEM;
    if (crm_keygroup_init(&g, 3) != 0 || (map && !group))
        goto done;
    for (size_t at = 0; at < n; at += CRM_KEYGROUP_BATCH) {
        size_t m = n - at < CRM_KEYGROUP_BATCH ? n - at : CRM_KEYGROUP_BATCH;
        double key[3 * CRM_KEYGROUP_BATCH], w[CRM_KEYGROUP_BATCH];
        uint32_t grp[CRM_KEYGROUP_BATCH];
        for (size_t i = 0; i < m; i++) {
            const struct crm_btyd_obs *o = &in[at + i];
            key[3 * i] = o->x;
            key[3 * i + 1] = o->T;
            key[3 * i + 2] = o->t_x;
            w[i] = o->weight;
        }
        if (crm_keygroup_add_many(&g, key, w, m, group ? group + at : grp) != 0)
            goto done;
    }
    uint32_t *rank = map ? malloc((g.n ? g.n : 1) * sizeof *rank) : NULL;
    if (map && !rank)
        goto done;
    e = crm_btyd_from_groups(&g, out, n_out, rank, err);
    for (size_t i = 0; e == CRM_OK && map && i < n; i++)
        map[i] = rank[group[i]];
    free(rank);
done:
    crm_keygroup_free(&g);
    free(group);
    if (e == CRM_ENOMEM)
        crm_errinfo_set(err, e, "compact: out of memory for %zu summaries", n);
    return e;
}

/* ---- BG/NBD and MBG/NBD maximum likelihood ---- */

/* The data in the shape the likelihood wants: distinct x, T and t_x values (their logs are
 * computed once per evaluation) and, per triple with positive weight, indices into them. */
struct prep {
    int mbg;
    double penalty;   /* lifetimes' penalizer_coef */
    size_t n, nx, nT, ntx;
    double total; /* Σ weight */
    double *w;
    uint32_t *ix, *iT, *itx;
    double *xv, *wx, *Tv, *txv; /* distinct values; wx = weight per distinct x */
    double *scratch;            /* ln(α+T), 1/(α+T), ln(α+t_x), 1/(α+t_x), ln(b+x-1+μ), 1/(..) */
};

static void prep_free(struct prep *P)
{
    free(P->w);
    free(P->ix);
    free(P->iT);
    free(P->itx);
    free(P->xv);
    free(P->wx);
    free(P->Tv);
    free(P->txv);
    free(P->scratch);
}

static enum crm_err prep_build(enum crm_btyd_model model, const struct crm_btyd_obs *obs,
                               size_t n, struct prep *P, struct crm_errinfo *err)
{
    memset(P, 0, sizeof *P);
    P->mbg = model == CRM_BTYD_MBGNBD;
    if (model != CRM_BTYD_BGNBD && model != CRM_BTYD_MBGNBD)
        return crm_errinfo_set(err, CRM_EUSAGE, "unknown model %d", (int)model);
    if (n > UINT32_MAX - 1)
        return crm_errinfo_set(err, CRM_EUSAGE, "fit: more than 2^32 summaries");
    double repeat = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_obs *o = &obs[i];
        if (!obs_ok(o->x, o->t_x, o->T) || !(o->weight >= 0) || !isfinite(o->weight))
            return bad_obs(err, i, o);
        if (o->weight > 0) {
            m++;
            P->total += o->weight;
            if (o->x > 0)
                repeat += o->weight;
        }
    }
    if (!(P->total > 0))
        return crm_errinfo_set(err, CRM_EMODEL, "%s fit: no customers (all weights are zero)",
                               crm_btyd_model_name(model));
    if (!(repeat > 0))
        return crm_errinfo_set(err, CRM_EMODEL,
                               "%s fit: no customer made a repeat purchase, so the purchase "
                               "and dropout processes cannot be estimated",
                               crm_btyd_model_name(model));
    double *col = malloc(m * sizeof *col);
    P->n = m;
    P->w = malloc(m * sizeof *P->w);
    P->ix = malloc(m * sizeof *P->ix);
    P->iT = malloc(m * sizeof *P->iT);
    P->itx = malloc(m * sizeof *P->itx);
    enum crm_err e = CRM_ENOMEM;
    if (!col || !P->w || !P->ix || !P->iT || !P->itx)
        goto fail;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i].weight > 0)
            P->w[k++] = obs[i].weight;
    for (int field = 0; field < 3; field++) {
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (obs[i].weight > 0)
                col[k++] = field == 0 ? obs[i].x : field == 1 ? obs[i].T : obs[i].t_x;
        uint32_t *idx = field == 0 ? P->ix : field == 1 ? P->iT : P->itx;
        double **vals = field == 0 ? &P->xv : field == 1 ? &P->Tv : &P->txv;
        size_t *nv = field == 0 ? &P->nx : field == 1 ? &P->nT : &P->ntx;
        if ((e = distinct(col, m, idx, vals, nv)) != CRM_OK)
            goto fail;
    }
    e = CRM_ENOMEM;
    P->wx = calloc(P->nx, sizeof *P->wx);
    P->scratch = malloc(2 * (P->nT + P->ntx + P->nx) * sizeof *P->scratch);
    if (!P->wx || !P->scratch)
        goto fail;
    for (k = 0; k < m; k++)
        P->wx[P->ix[k]] += P->w[k];
    free(col);
    return CRM_OK;
fail:
    free(col);
    prep_free(P);
    return crm_errinfo_set(err, e, "fit: out of memory for %zu summaries", n);
}

/* What bg_objective's parts share: the parameters, the tables of logs and reciprocals over
 * the distinct T, t_x and x (in P->scratch), and the five sums of -LL and its gradient,
 * each added to in one fixed order (x parts, then triples) so that a fit is reproducible to
 * the bit. */
struct bg_eval {
    double r, al, a, b, mu, la, lal;
    double *lT, *iT, *ltx, *itx, *lbx, *ibx;
    double ll, gr, gal, ga, gb;
};

/* The parts that depend on x only: ln Γ(r+x)/Γ(r) α^r and ln B(a,b+x+μ)/B(a,b); also the
 * tables ln and 1/(b+x-1+μ) per distinct x. */
static void bg_x_parts(const struct prep *P, struct bg_eval *v)
{
    double r = v->r, al = v->al, a = v->a, b = v->b, mu = v->mu, lal = v->lal;
    double lgr = lgamma_r(r, &(int){0}), lgb = lgamma_r(b, &(int){0});
    double lgab = lgamma_r(a + b, &(int){0});
    double psr = crm_special_digamma(r), psb = crm_special_digamma(b);
    double psab = crm_special_digamma(a + b);
    for (size_t i = 0; i < P->nx; i++) {
        double x = P->xv[i], wx = P->wx[i], xb = x + mu;
        double bx = b + x - 1.0 + mu; /* > 0 whenever the a/(b+x-1+μ) term is used */
        v->lbx[i] = bx > 0 ? log(bx) : 0.0;
        v->ibx[i] = bx > 0 ? 1.0 / bx : 0.0;
        if (x == 0.0 && mu == 0.0) { /* Γ(r+0)/Γ(r) = 1, B(a,b)/B(a,b) = 1 */
            v->ll += wx * r * lal;
            v->gr += wx * lal;
            v->gal += wx * r / al;
            continue;
        }
        double psabx = crm_special_digamma(a + b + xb);
        v->ll += wx * (lgamma_r(r + x, &(int){0}) - lgr + r * lal + lgamma_r(b + xb, &(int){0}) -
                       lgamma_r(a + b + xb, &(int){0}) - lgb + lgab);
        v->gr += wx * (crm_special_digamma(r + x) - psr + lal);
        v->gal += wx * r / al;
        v->ga += wx * (psab - psabx);
        v->gb += wx * (crm_special_digamma(b + xb) - psabx - psb + psab);
    }
}

/* Per triple: ln[(α+T)^-A + δ a/(b+x-1+μ) (α+t_x)^-A] by log-sum-exp. */
static void bg_triple_parts(const struct prep *P, struct bg_eval *v)
{
    for (size_t k = 0; k < P->n; k++) {
        uint32_t i = P->ix[k], jT = P->iT[k];
        double x = P->xv[i], A = v->r + x, w = P->w[k];
        double l3 = -A * v->lT[jT];
        if (x == 0.0 && v->mu == 0.0) {
            v->ll += w * l3;
            v->gr -= w * v->lT[jT];
            v->gal -= w * A * v->iT[jT];
            continue;
        }
        uint32_t jt = P->itx[k];
        double l4 = v->la - v->lbx[i] - A * v->ltx[jt], d = l4 - l3, e, lse, p4, p3;
        if (d > 0) {
            e = exp(-d);
            lse = l4 + log1p(e);
            p4 = 1.0 / (1.0 + e);
            p3 = e * p4;
        } else {
            e = exp(d);
            lse = l3 + log1p(e);
            p3 = 1.0 / (1.0 + e);
            p4 = e * p3;
        }
        v->ll += w * lse;
        v->gr -= w * (p3 * v->lT[jT] + p4 * v->ltx[jt]);
        v->gal -= w * A * (p3 * v->iT[jT] + p4 * v->itx[jt]);
        v->ga += w * p4 / v->a;
        v->gb -= w * p4 * v->ibx[i];
    }
}

/* -LL / Σweight and its gradient with respect to ln r, ln α, ln a, ln b. */
static double bg_objective(const double *theta, double *grad, void *ctx)
{
    const struct prep *P = ctx;
    for (int i = 0; i < 4; i++)
        if (!(fabs(theta[i]) <= THETA_MAX))
            return INFINITY;
    struct bg_eval v = {0};
    double r = v.r = exp(theta[0]), al = v.al = exp(theta[1]);
    double a = v.a = exp(theta[2]), b = v.b = exp(theta[3]);
    v.mu = P->mbg ? 1.0 : 0.0;
    v.la = log(a);
    v.lal = log(al);
    v.lT = P->scratch, v.iT = v.lT + P->nT, v.ltx = v.iT + P->nT, v.itx = v.ltx + P->ntx;
    v.lbx = v.itx + P->ntx, v.ibx = v.lbx + P->nx;
    for (size_t j = 0; j < P->nT; j++) {
        v.lT[j] = log(al + P->Tv[j]);
        v.iT[j] = 1.0 / (al + P->Tv[j]);
    }
    for (size_t j = 0; j < P->ntx; j++) {
        v.ltx[j] = log(al + P->txv[j]);
        v.itx[j] = 1.0 / (al + P->txv[j]);
    }
    bg_x_parts(P, &v);
    bg_triple_parts(P, &v);
    double L = P->penalty;
    if (grad) {
        grad[0] = -v.gr * r / P->total + 2.0 * L * r * r;
        grad[1] = -v.gal * al / P->total + 2.0 * L * al * al;
        grad[2] = -v.ga * a / P->total + 2.0 * L * a * a;
        grad[3] = -v.gb * b / P->total + 2.0 * L * b * b;
    }
    double f = -v.ll / P->total + L * (r * r + al * al + a * a + b * b);
    return isfinite(f) ? f : INFINITY;
}

/* BFGS, then (if it stalled) Nelder–Mead and BFGS again; the standard errors from the numeric
 * Hessian. Shared by both BG models and Gamma-Gamma. */
struct mle {
    int converged, iterations, evaluations;
    double fval, grad_norm;
    double se_theta[CRM_OPTIM_MAX_DIM]; /* on the log scale */
    double cov[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM]; /* n*n, of the log parameters */
    int hessian_ok;
};

/* Converged in the statistical sense although the gradient test stalled: the Newton step
 * from theta would raise the total log-likelihood by less than 1e-4 (Boyd & Vandenberghe,
 * "Convex Optimization", §9.5.1, the Newton decrement λ²/2). The objective is −LL per
 * customer, so with hundreds of thousands of customers its gradient can sit at 1e-6 in
 * rounding noise while the estimate is already exact to far below a standard error. */
static int newton_converged(crm_optim_fn *f, void *ctx, size_t n, const double *theta,
                            double customers)
{
    double g[CRM_OPTIM_MAX_DIM], h[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM],
        inv[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM];
    if (!isfinite(f(theta, g, ctx)) ||
        crm_optim_hessian(f, ctx, n, theta, 1e-5, h, NULL) != CRM_OK ||
        !crm_optim_invert_spd(n, h, inv))
        return 0;
    double dec = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            dec += g[i] * inv[i * n + j] * g[j];
    return isfinite(dec) && dec >= 0 && dec / 2 * customers < 1e-4;
}

static enum crm_err maximise(crm_optim_fn *f, void *ctx, size_t n, double *theta,
                             double customers, struct mle *out, struct crm_errinfo *err)
{
    struct crm_optim_opts o;
    struct crm_optim_result res;
    crm_optim_defaults(&o);
    o.gtol = 1e-9;
    memset(out, 0, sizeof *out);
    enum crm_err e = crm_optim_bfgs(f, ctx, n, theta, &o, &res, err);
    out->iterations += res.iterations;
    out->evaluations += res.evaluations;
    if (e != CRM_OK)
        return e;
    if (!res.converged) {
        /* Nelder–Mead only to get BFGS unstuck, so on a budget: each evaluation is a pass
         * over all distinct triples */
        o.xtol = 1e-10;
        o.max_iter = 600;
        o.restarts = 2;
        e = crm_optim_nelder_mead(f, ctx, n, theta, NULL, &o, &res, err);
        out->iterations += res.iterations;
        out->evaluations += res.evaluations;
        if (e == CRM_OK) {
            o.max_iter = 0;
            e = crm_optim_bfgs(f, ctx, n, theta, &o, &res, err);
            out->iterations += res.iterations;
            out->evaluations += res.evaluations;
        }
        if (e != CRM_OK)
            return e;
    }
    out->converged = res.converged || newton_converged(f, ctx, n, theta, customers);
    out->fval = res.fval;
    out->grad_norm = res.grad_norm;
    double h[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM], cov[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM];
    for (size_t i = 0; i < n; i++)
        out->se_theta[i] = NAN;
    if (out->converged && crm_optim_hessian(f, ctx, n, theta, 1e-5, h, NULL) == CRM_OK) {
        out->evaluations += 2 * (int)n;
        for (size_t i = 0; i < n * n; i++)
            h[i] *= customers; /* the objective is -LL / customers */
        if (crm_optim_invert_spd(n, h, cov)) {
            out->hessian_ok = 1;
            for (size_t i = 0; i < n; i++)
                out->se_theta[i] = sqrt(cov[i * n + i]);
            memcpy(out->cov, cov, n * n * sizeof *cov);
        }
    }
    return CRM_OK;
}

/* What an estimate running off to 0 or infinity says about the data, for the message. */
static const char *runaway_hint(const char *name, double v)
{
    int low = v < 1.0;
    if ((strcmp(name, "a") == 0 && low) || (strcmp(name, "b") == 0 && !low))
        return " (the dropout probability runs to 0: the data show no sign of customers "
               "leaving; the dormancy rules may serve better)";
    if ((strcmp(name, "s") == 0 && low) || (strcmp(name, "beta") == 0 && !low))
        return " (the dropout rate runs to 0: the data show no sign of customers leaving; "
               "the dormancy rules may serve better)";
    if ((strcmp(name, "r") == 0 || strcmp(name, "alpha") == 0) && !low)
        return " (purchase rates look the same for every customer)";
    if ((strcmp(name, "q") == 0 || strcmp(name, "gamma") == 0) && !low)
        return " (average spend looks the same for every customer)";
    return "";
}

/* The common ending of a fit: refuse unconverged, runaway or flat estimates. */
static enum crm_err check_estimate(const char *model, const struct mle *m, size_t n,
                                   const double *theta, const char *const *names,
                                   struct crm_errinfo *err)
{
    if (!m->converged)
        return crm_errinfo_set(err, CRM_EMODEL,
                               "%s fit did not converge after %d iterations (largest gradient "
                               "%.3g)",
                               model, m->iterations, m->grad_norm);
    for (size_t i = 0; i < n; i++) {
        double v = exp(theta[i]);
        if (!(v >= PARAM_MIN && v <= PARAM_MAX))
            return crm_errinfo_set(err, CRM_EMODEL,
                                   "%s fit: %s ran off to %.3g%s; the data cannot identify "
                                   "the model",
                                   model, names[i], v, runaway_hint(names[i], v));
    }
    if (!m->hessian_ok)
        return crm_errinfo_set(err, CRM_EMODEL,
                               "%s fit: the likelihood is flat around the estimate (Hessian not "
                               "positive definite); the data cannot identify the model",
                               model);
    return CRM_OK;
}

/* Pareto/NBD's data checks (as prep_build's) and its starting point. */
static enum crm_err pnbd_prep(const struct crm_btyd_obs *obs, size_t n,
                              struct crm_pnbd_prep *P, double *sx, double *sT,
                              struct crm_errinfo *err)
{
    double repeat = 0.0, total = 0.0;
    *sx = *sT = 0.0;
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_obs *o = &obs[i];
        if (!obs_ok(o->x, o->t_x, o->T) || !(o->weight >= 0) || !isfinite(o->weight))
            return bad_obs(err, i, o);
        total += o->weight;
        repeat += o->x > 0 ? o->weight : 0.0;
        *sx += o->weight * o->x;
        *sT += o->weight * o->T;
    }
    if (!(total > 0))
        return crm_errinfo_set(err, CRM_EMODEL, "pnbd fit: no customers (all weights are zero)");
    if (!(repeat > 0))
        return crm_errinfo_set(err, CRM_EMODEL, "pnbd fit: no customer made a repeat purchase, "
                               "so the purchase and dropout processes cannot be estimated");
    return crm_pnbd_prep_build(P, obs, n, 0.0, err);
}

enum crm_err crm_btyd_fit_penalized(enum crm_btyd_model model, const struct crm_btyd_obs *obs,
                                    size_t n, double penalty, struct crm_btyd_fit *fit,
                                    struct crm_errinfo *err)
{
    const char *names[4];
    for (int i = 0; i < 4; i++)
        names[i] = crm_btyd_param_name(model, i);
    struct prep P;
    struct crm_pnbd_prep Q;
    memset(fit, 0, sizeof *fit);
    if (!(penalty >= 0) || !isfinite(penalty))
        return crm_errinfo_set(err, CRM_EUSAGE, "penalty %g: expected a number >= 0", penalty);
    int pnbd = model == CRM_BTYD_PNBD;
    double sx = 0.0, sT = 0.0, total;
    enum crm_err e = pnbd ? pnbd_prep(obs, n, &Q, &sx, &sT, err)
                          : prep_build(model, obs, n, &P, err);
    if (e != CRM_OK)
        return e;
    if (!pnbd) {
        for (size_t k = 0; k < P.n; k++) {
            sx += P.w[k] * P.xv[P.ix[k]];
            sT += P.w[k] * P.Tv[P.iT[k]];
        }
        P.penalty = penalty;
        total = P.total;
    } else {
        Q.penalty = penalty;
        total = Q.total;
    }
    /* start: r = 1/2 and α matching the observed repeat rate Σx / ΣT; a = 1, b = 2 (s = 1/2
     * and β = the mean T for Pareto/NBD: a mean lifetime of the order of the data) */
    double theta[4] = {log(0.5), log(0.5 * fmax(sT, 1e-300) / sx), 0.0, log(2.0)};
    if (pnbd) {
        theta[2] = log(0.5);
        theta[3] = log(fmax(sT / total, 1e-3));
    }
    if (!(fabs(theta[1]) < THETA_MAX))
        theta[1] = 0.0;
    struct mle m;
    crm_optim_fn *f = pnbd ? crm_pnbd_objective : bg_objective;
    void *ctx = pnbd ? (void *)&Q : (void *)&P;
    e = maximise(f, ctx, 4, theta, total, &m, err);
    if (e == CRM_EMODEL)
        crm_errinfo_set(err, e, "%s fit: the likelihood is not finite at the starting point",
                        crm_btyd_model_name(model));
    if (e == CRM_OK)
        e = check_estimate(crm_btyd_model_name(model), &m, 4, theta, names, err);
    if (!pnbd)
        prep_free(&P);
    else
        crm_pnbd_prep_free(&Q);
    if (e != CRM_OK)
        return e;
    fit->params = (struct crm_btyd_params){model, exp(theta[0]), exp(theta[1]), exp(theta[2]),
                                           exp(theta[3])};
    const double *v = &fit->params.r;
    double pen = 0.0;
    for (int i = 0; i < 4; i++)
        pen += penalty * v[i] * v[i];
    fit->loglik = -(m.fval - pen) * total;
    fit->customers = total;
    fit->grad_norm = m.grad_norm;
    fit->iterations = m.iterations;
    fit->evaluations = m.evaluations;
    fit->converged = 1;
    for (int i = 0; i < 4; i++)
        fit->se[i] = v[i] * m.se_theta[i];
    memcpy(fit->cov, m.cov, sizeof fit->cov);
    if (!isfinite(fit->loglik))
        return crm_errinfo_set(err, CRM_EMODEL, "%s fit: log-likelihood not finite",
                               crm_btyd_model_name(model));
    return CRM_OK;
}

enum crm_err crm_btyd_fit(enum crm_btyd_model model, const struct crm_btyd_obs *obs, size_t n,
                          struct crm_btyd_fit *fit, struct crm_errinfo *err)
{
    return crm_btyd_fit_penalized(model, obs, n, 0.0, fit, err);
}

/* ---- parameter uncertainty ---- */

int crm_btyd_draw(const double *est, const double *cov, size_t dim, size_t n, uint64_t seed,
                  double *out)
{
    double L[CRM_OPTIM_MAX_DIM * CRM_OPTIM_MAX_DIM] = {0};
    if (dim == 0 || dim > CRM_OPTIM_MAX_DIM)
        return 0;
    for (size_t i = 0; i < dim; i++) { /* Cholesky: cov = L Lᵀ */
        if (!(est[i] > 0) || !isfinite(est[i]))
            return 0;
        for (size_t j = 0; j <= i; j++) {
            double sum = cov[i * dim + j];
            for (size_t k = 0; k < j; k++)
                sum -= L[i * dim + k] * L[j * dim + k];
            if (i == j) {
                if (!(sum > 0) || !isfinite(sum))
                    return 0;
                L[i * dim + i] = sqrt(sum);
            } else {
                L[i * dim + j] = sum / L[j * dim + j];
            }
        }
    }
    struct crm_rng rng;
    crm_rng_seed(&rng, seed);
    for (size_t d = 0; d < n; d++) {
        double z[CRM_OPTIM_MAX_DIM];
        for (size_t i = 0; i < dim; i++)
            z[i] = crm_rng_normal(&rng);
        for (size_t i = 0; i < dim; i++) {
            double v = log(est[i]);
            for (size_t k = 0; k <= i; k++)
                v += L[i * dim + k] * z[k];
            out[d * dim + i] = exp(v);
        }
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double crm_btyd_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* ---- Gamma-Gamma ---- */

static int gg_params_ok(const struct crm_btyd_gg_params *p)
{
    return p->p > 0 && p->q > 0 && p->gamma > 0 && isfinite(p->p) && isfinite(p->q) &&
           isfinite(p->gamma);
}

double crm_btyd_gg_loglik_one(const struct crm_btyd_gg_params *p, double x, double mean_spend)
{
    if (!gg_params_ok(p) || !(x >= 1) || x != floor(x) || !(mean_spend > 0) ||
        !isfinite(mean_spend))
        return NAN;
    /* FH13 (4): f(m | x) = Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px-1) x^(px) / (γ + x m)^(px+q) */
    double px = p->p * x;
    return lgamma_r(px + p->q, &(int){0}) - lgamma_r(px, &(int){0}) - lgamma_r(p->q, &(int){0}) +
           p->q * log(p->gamma) + (px - 1.0) * log(mean_spend) + px * log(x) -
           (px + p->q) * log(p->gamma + x * mean_spend);
}

struct gg_prep {
    size_t n, nx;
    double total;
    double *w, *m, *lm; /* weight, mean spend, ln mean spend per customer */
    uint32_t *ix;
    double *xv, *wx, *wxlm; /* distinct x, Σw, Σw ln m per distinct x */
};

static void gg_prep_free(struct gg_prep *G)
{
    free(G->w);
    free(G->m);
    free(G->lm);
    free(G->ix);
    free(G->xv);
    free(G->wx);
    free(G->wxlm);
}

static double gg_objective(const double *theta, double *grad, void *ctx)
{
    const struct gg_prep *G = ctx;
    for (int i = 0; i < 3; i++)
        if (!(fabs(theta[i]) <= THETA_MAX))
            return INFINITY;
    double p = exp(theta[0]), q = exp(theta[1]), g = exp(theta[2]), lg = log(g);
    double ll = 0.0, gp = 0.0, gq = 0.0, gg = 0.0, psq = crm_special_digamma(q);
    double lgq = lgamma_r(q, &(int){0});
    for (size_t i = 0; i < G->nx; i++) { /* terms that depend on x only */
        double x = G->xv[i], px = p * x, w = G->wx[i];
        double pspxq = crm_special_digamma(px + q);
        ll += w * (lgamma_r(px + q, &(int){0}) - lgamma_r(px, &(int){0}) - lgq + q * lg +
                   px * log(x)) +
              p * x * G->wxlm[i];
        gp += w * x * (pspxq - crm_special_digamma(px) + log(x)) + x * G->wxlm[i];
        gq += w * (pspxq - psq + lg);
        gg += w * q / g;
    }
    for (size_t k = 0; k < G->n; k++) {
        double x = G->xv[G->ix[k]], w = G->w[k], px = p * x;
        double lgxm = log(g + x * G->m[k]);
        ll -= w * (G->lm[k] + (px + q) * lgxm);
        gp -= w * x * lgxm;
        gq -= w * lgxm;
        gg -= w * (px + q) / (g + x * G->m[k]);
    }
    if (grad) {
        grad[0] = -gp * p / G->total;
        grad[1] = -gq * q / G->total;
        grad[2] = -gg * g / G->total;
    }
    double f = -ll / G->total;
    return isfinite(f) ? f : INFINITY;
}

enum crm_err crm_btyd_gg_fit(const struct crm_btyd_spend *obs, size_t n,
                             struct crm_btyd_gg_fit *fit, struct crm_errinfo *err)
{
    static const char *const names[3] = {"p", "q", "gamma"};
    struct gg_prep G;
    memset(&G, 0, sizeof G);
    memset(fit, 0, sizeof *fit);
    if (n > UINT32_MAX - 1)
        return crm_errinfo_set(err, CRM_EUSAGE, "gamma-gamma fit: more than 2^32 customers");
    size_t m = 0;
    double sum_m = 0.0;
    for (size_t i = 0; i < n; i++) {
        const struct crm_btyd_spend *o = &obs[i];
        if (!(o->x >= 1) || o->x != floor(o->x) || !isfinite(o->x) || !(o->mean_spend > 0) ||
            !isfinite(o->mean_spend) || !(o->weight >= 0) || !isfinite(o->weight))
            return crm_errinfo_set(err, CRM_EDATA,
                                   "spend summary %zu (x=%g, mean spend=%g, weight=%g) is "
                                   "invalid: need x a whole number >= 1, mean spend > 0 (leave "
                                   "customers whose mean spend is 0 out of the fit), weight >= 0",
                                   i, o->x, o->mean_spend, o->weight);
        if (o->weight > 0) {
            m++;
            G.total += o->weight;
            sum_m += o->weight * o->mean_spend;
        }
    }
    if (!(G.total > 0))
        return crm_errinfo_set(err, CRM_EMODEL,
                               "gamma-gamma fit: no repeat customers (all weights are zero)");
    double *col = malloc(m * sizeof *col);
    G.n = m;
    G.w = malloc(m * sizeof *G.w);
    G.m = malloc(m * sizeof *G.m);
    G.lm = malloc(m * sizeof *G.lm);
    G.ix = malloc(m * sizeof *G.ix);
    enum crm_err e = CRM_ENOMEM;
    if (!col || !G.w || !G.m || !G.lm || !G.ix)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (obs[i].weight > 0) {
            col[k] = obs[i].x;
            G.w[k] = obs[i].weight;
            G.m[k] = obs[i].mean_spend;
            G.lm[k] = log(obs[i].mean_spend);
            k++;
        }
    if ((e = distinct(col, m, G.ix, &G.xv, &G.nx)) != CRM_OK)
        goto done;
    e = CRM_ENOMEM;
    G.wx = calloc(G.nx, sizeof *G.wx);
    G.wxlm = calloc(G.nx, sizeof *G.wxlm);
    if (!G.wx || !G.wxlm)
        goto done;
    for (k = 0; k < m; k++) {
        G.wx[G.ix[k]] += G.w[k];
        G.wxlm[G.ix[k]] += G.w[k] * G.lm[k];
    }
    /* start: p = 2, q = 3 and γ such that the population mean pγ/(q-1) is the sample mean */
    double theta[3] = {log(2.0), log(3.0), log(sum_m / G.total)};
    struct mle mm;
    e = maximise(gg_objective, &G, 3, theta, G.total, &mm, err);
    if (e == CRM_EMODEL)
        crm_errinfo_set(err, e, "gamma-gamma fit: the likelihood is not finite at the start");
    if (e == CRM_OK)
        e = check_estimate("gamma-gamma", &mm, 3, theta, names, err);
    if (e == CRM_OK && !(exp(theta[1]) > 1.0))
        e = crm_errinfo_set(err, CRM_EMODEL,
                            "gamma-gamma fit: q = %.7f <= 1, so the spend distribution has no "
                            "finite mean; the model does not fit these data",
                            exp(theta[1]));
    if (e == CRM_OK) {
        fit->params = (struct crm_btyd_gg_params){exp(theta[0]), exp(theta[1]), exp(theta[2])};
        fit->loglik = -mm.fval * G.total;
        fit->customers = G.total;
        fit->grad_norm = mm.grad_norm;
        fit->iterations = mm.iterations;
        fit->evaluations = mm.evaluations;
        fit->converged = 1;
        const double *v = &fit->params.p;
        for (int i = 0; i < 3; i++)
            fit->se[i] = v[i] * mm.se_theta[i];
        memcpy(fit->cov, mm.cov, sizeof fit->cov);
    }
done:
    if (e == CRM_ENOMEM)
        crm_errinfo_set(err, e, "gamma-gamma fit: out of memory for %zu customers", n);
    free(col);
    gg_prep_free(&G);
    return e;
}

enum crm_err crm_btyd_gg_population_mean(const struct crm_btyd_gg_params *p, double *out,
                                         struct crm_errinfo *err)
{
    return crm_btyd_gg_expected_value(p, 0.0, 0.0, out, err);
}

enum crm_err crm_btyd_gg_expected_value(const struct crm_btyd_gg_params *p, double x,
                                        double mean_spend, double *out,
                                        struct crm_errinfo *err)
{
    *out = NAN;
    if (!gg_params_ok(p))
        return crm_errinfo_set(err, CRM_EUSAGE, "invalid gamma-gamma parameters");
    if (!(p->q > 1.0))
        return crm_errinfo_set(err, CRM_EMODEL,
                               "gamma-gamma: q = %.7f <= 1, the mean spend is infinite", p->q);
    if (!(x >= 0) || !isfinite(x) || !(mean_spend >= 0) || !isfinite(mean_spend))
        return crm_errinfo_set(err, CRM_EDATA, "gamma-gamma: invalid x=%g mean spend=%g", x,
                               mean_spend);
    /* FHL05b eq. 5: a weighted average of the population mean and the customer's mean */
    *out = (p->p * p->gamma + p->p * x * mean_spend) / (p->p * x + p->q - 1.0);
    return CRM_OK;
}

double crm_btyd_gg_simulate(const struct crm_btyd_gg_params *p, struct crm_rng *rng, int x)
{
    double nu = crm_rng_gamma(rng, p->q, 1.0 / p->gamma), sum = 0.0;
    for (int i = 0; i < x; i++)
        sum += crm_rng_gamma(rng, p->p, 1.0 / nu);
    return x > 0 ? sum / x : 0.0;
}
