/* pnbd: Pareto/NBD likelihood, P(alive), expectations and simulation (see pnbd.h).
 *
 * With θ = (r, α, s, β) and a customer's (x, t_x, T), FHL's note gives
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s (G(t_x) - G(T)) ],
 *   G(τ) = G(r+x, α, s+1, β; τ)   (the note's s/(r+s+x) · A0),
 *   P(alive) = (α+T)^-(r+x) (β+T)^-s / [ ... ]   (the first term's share of the bracket),
 *   E[Y(t) | alive] = (r+x)(β+T) / ((α+T)(s-1)) · [1 - ((β+T)/(β+T+t))^(s-1)],
 *   E[X(t)] = rβ / (α(s-1)) · [1 - (β/(β+t))^(s-1)].
 * P(no purchase in (T, T+t] | alive at T): given alive, λ ~ Gamma(r+x, α+T) and
 * μ ~ Gamma(s, β+T) independently, and P(none | λ, μ) = (μ + λ e^-(λ+μ)t)/(λ+μ); writing
 * 1/(λ+μ) = ∫ e^-(λ+μ)v dv its mean is (α+T)^(r+x) (β+T)^s ·
 *   [ s G(r+x, α+T, s+1, β+T; 0) + (r+x) G(r+x+1, α+T, s, β+T; t) ],
 * which is 1 at t = 0. */
#include "model/pnbd.h"

#include <math.h>
#include <stddef.h>

#include "base/rng.h"
#include "model/special.h"

#define MAX_TERMS 20000
#define Z_SERIES 0.97 /* beyond, the series needs over ~1,000 terms: lib/special's 2F1 */
#define THETA_MAX 30.0

/* H = 2F1(1, p; p+q; z) and its derivatives (H_p, H_q, H_z) by the series of pnbd.h. */
static int h_series(double p, double q, double z, double *h, double *hp, double *hq, double *hz)
{
    double t = 1.0, sum = 0.0, sp = 0.0, sq = 0.0, sz = 0.0, S = 0.0, Q = 0.0;
    for (long n = 0; n < MAX_TERMS; n++) {
        double nd = (double)n, next = t * (p + nd) / (p + q + nd); /* t_{n+1} / z */
        sum += t;
        sp += t * S;
        sq += t * Q;
        sz += (nd + 1.0) * next;
        if (t * (nd + 1.0) * (1.0 + fabs(S) + fabs(Q)) < 1e-17 * sum && nd > 2)
            break;
        S += 1.0 / (p + nd) - 1.0 / (p + q + nd);
        Q -= 1.0 / (p + q + nd);
        t = next * z;
        if (n == MAX_TERMS - 1)
            return 0;
    }
    *h = sum;
    *hp = sp;
    *hq = sq;
    *hz = sz;
    return 1;
}

/* The same near z = 1, where the series is slow: H from lib/special's 2F1 (which transforms
 * to 1 - z), H_z = p/(p+q) 2F1(2, p+1; p+q+1; z), H_p and H_q by central differences. */
static int h_near_one(double p, double q, double z, double *h, double *hp, double *hq,
                      double *hz)
{
    double d[4], e = 1e-6;
    if (crm_special_hyp2f1(1.0, p, p + q, z, h) != CRM_SPECIAL_OK ||
        crm_special_hyp2f1(2.0, p + 1.0, p + q + 1.0, z, hz) != CRM_SPECIAL_OK ||
        crm_special_hyp2f1(1.0, p * (1 + e), p * (1 + e) + q, z, &d[0]) != CRM_SPECIAL_OK ||
        crm_special_hyp2f1(1.0, p * (1 - e), p * (1 - e) + q, z, &d[1]) != CRM_SPECIAL_OK ||
        crm_special_hyp2f1(1.0, p, p + q * (1 + e), z, &d[2]) != CRM_SPECIAL_OK ||
        crm_special_hyp2f1(1.0, p, p + q * (1 - e), z, &d[3]) != CRM_SPECIAL_OK)
        return 0;
    *hz *= p / (p + q);
    *hp = (d[0] - d[1]) / (2 * e * p);
    *hq = (d[2] - d[3]) / (2 * e * q);
    return isfinite(*h) && *h > 0 && isfinite(*hp + *hq + *hz);
}

int crm_pnbd_lng(double p, double A, double q, double B, double tau, struct crm_pnbd_lng *out)
{
    if (!(p > 0 && q > 0 && A > 0 && B > 0 && p + q > 1 && tau >= 0) || !isfinite(p + q + A + B
                                                                               + tau))
        return 0;
    int swap = A < B;
    if (swap) {
        double tp = p, tA = A;
        p = q;
        A = B;
        q = tp;
        B = tA;
    }
    double w1 = A + tau, w2 = B + tau, z = (A - B) / w1, h, hp, hq, hz;
    if (!(z <= Z_SERIES ? h_series(p, q, z, &h, &hp, &hq, &hz)
                        : h_near_one(p, q, z, &h, &hp, &hq, &hz)))
        return 0;
    double c = p + q - 1.0;
    struct crm_pnbd_lng g;
    g.v = -p * log(w1) - (q - 1.0) * log(w2) - log(c) + log(h);
    g.dp = -log(w1) - 1.0 / c + hp / h;
    g.dq = -log(w2) - 1.0 / c + hq / h;
    g.dA = -p / w1 + hz / h * w2 / (w1 * w1);
    g.dB = -(q - 1.0) / w2 - hz / h / w1;
    if (swap) {
        *out = (struct crm_pnbd_lng){g.v, g.dq, g.dp, g.dB, g.dA};
    } else {
        *out = g;
    }
    return isfinite(g.v);
}

static int params_ok(const struct crm_btyd_params *p)
{
    return p->r > 0 && p->alpha > 0 && p->a > 0 && p->b > 0 &&
           isfinite(p->r + p->alpha + p->a + p->b);
}

/* ln[ s (G(t_x) - G(T)) ] - L1 with L1 = ln[(α+T)^-(r+x) (β+T)^-s]: the log odds dead:alive.
 * -inf when t_x == T. NaN when G cannot be evaluated. */
static double log_odds_dead(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    double r = p->r, al = p->alpha, s = p->a, be = p->b;
    struct crm_pnbd_lng gx, gT;
    if (t_x >= T)
        return -INFINITY;
    if (!crm_pnbd_lng(r + x, al, s + 1.0, be, t_x, &gx) ||
        !crm_pnbd_lng(r + x, al, s + 1.0, be, T, &gT))
        return NAN;
    double l1 = -(r + x) * log(al + T) - s * log(be + T);
    return log(s) + gx.v + log(-expm1(gT.v - gx.v)) - l1;
}

double crm_pnbd_loglik_one(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    if (!params_ok(p))
        return NAN;
    double r = p->r, al = p->alpha, s = p->a, be = p->b;
    double l0 = lgamma_r(r + x, &(int){0}) - lgamma_r(r, &(int){0}) + r * log(al) + s * log(be);
    double l1 = -(r + x) * log(al + T) - s * log(be + T), lo = log_odds_dead(p, x, t_x, T);
    return l0 + l1 + (lo > 0 ? lo + log1p(exp(-lo)) : log1p(exp(lo)));
}

double crm_pnbd_p_alive(const struct crm_btyd_params *p, double x, double t_x, double T)
{
    if (!params_ok(p))
        return NAN;
    return 1.0 / (1.0 + exp(log_odds_dead(p, x, t_x, T)));
}

/* (1 - (1+u)^-k) / k, and its limit ln(1+u) at k = 0. */
static double power_gap(double u, double k)
{
    double l = log1p(u);
    return fabs(k * l) < 1e-12 ? l : -expm1(-k * l) / k;
}

double crm_pnbd_alive_expected(const struct crm_btyd_params *p, double x, double T, double t)
{
    double s = p->a, bT = p->b + T;
    return (p->r + x) / (p->alpha + T) * bT * power_gap(t / bT, s - 1.0);
}

double crm_pnbd_expected_unconditional(const struct crm_btyd_params *p, double t)
{
    return p->r / p->alpha * p->b * power_gap(t / p->b, p->a - 1.0);
}

double crm_pnbd_prob_no_purchase(const struct crm_btyd_params *p, double x, double t_x,
                                 double T, double t)
{
    if (!params_ok(p) || !(t >= 0))
        return NAN;
    double alive = crm_pnbd_p_alive(p, x, t_x, T);
    if (t == 0.0)
        return 1.0;
    double a = p->r + x, A = p->alpha + T, s = p->a, B = p->b + T;
    struct crm_pnbd_lng g1, g2;
    if (!crm_pnbd_lng(a, A, s + 1.0, B, 0.0, &g1) || !crm_pnbd_lng(a + 1.0, A, s, B, t, &g2))
        return NAN;
    double lk = a * log(A) + s * log(B);
    double none = s * exp(lk + g1.v) + a * exp(lk + g2.v);
    return (1.0 - alive) + alive * fmin(none, 1.0);
}

void crm_pnbd_simulate(const struct crm_btyd_params *p, struct crm_rng *rng, double T,
                       double holdout, struct crm_btyd_obs *obs, double *holdout_purchases)
{
    double lambda = crm_rng_gamma(rng, p->r, 1.0 / p->alpha);
    double mu = crm_rng_gamma(rng, p->a, 1.0 / p->b);
    double death = mu > 0 ? crm_rng_exponential(rng) / mu : INFINITY;
    double end = fmin(death, T + holdout), x = 0.0, t_x = 0.0, held = 0.0, t = 0.0;
    while (lambda > 0.0) {
        t += crm_rng_exponential(rng) / lambda;
        if (!(t <= end))
            break;
        if (t <= T) {
            x += 1.0;
            t_x = t;
        } else {
            held += 1.0;
        }
    }
    *obs = (struct crm_btyd_obs){x, t_x, T, 1.0};
    *holdout_purchases = held;
}

/* One triple's log-likelihood and gradient in (r, α, s, β); gT is G at (x, T), shared by the
 * neighbours with the same x and T. */
static double triple(const double *th, double x, double t_x, double T,
                     const struct crm_pnbd_lng *gT, double *g)
{
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double l1 = -(r + x) * log(al + T) - s * log(be + T);
    double d1[4] = {-log(al + T), -(r + x) / (al + T), -log(be + T), -s / (be + T)};
    if (t_x >= T) {
        for (int i = 0; i < 4; i++)
            g[i] = d1[i];
        return l1;
    }
    struct crm_pnbd_lng gx;
    if (!crm_pnbd_lng(r + x, al, s + 1.0, be, t_x, &gx))
        return NAN;
    double l2 = log(s) + gx.v + log(-expm1(gT->v - gx.v));
    double m = l1 > l2 ? l1 + log1p(exp(l2 - l1)) : l2 + log1p(exp(l1 - l2));
    double p1 = exp(l1 - m), p2 = exp(l2 - m);
    double ex = exp(log(s) + gx.v - m), eT = exp(log(s) + gT->v - m); /* s G / bracket */
    double dx[4] = {gx.dp, gx.dA, gx.dq, gx.dB}, dT[4] = {gT->dp, gT->dA, gT->dq, gT->dB};
    for (int i = 0; i < 4; i++)
        g[i] = p1 * d1[i] + ex * dx[i] - eT * dT[i];
    g[2] += p2 / s;
    return m;
}

double crm_pnbd_objective(const double *theta, double *grad, void *ctx)
{
    const struct crm_pnbd_prep *P = ctx;
    for (int i = 0; i < 4; i++)
        if (!(fabs(theta[i]) <= THETA_MAX))
            return INFINITY;
    double th[4] = {exp(theta[0]), exp(theta[1]), exp(theta[2]), exp(theta[3])};
    double r = th[0], al = th[1], s = th[2], be = th[3];
    double lgr = lgamma_r(r, &(int){0}), psr = crm_special_digamma(r);
    double ll = 0.0, G[4] = {0, 0, 0, 0}, last_x = NAN, last_T = NAN, lgx = 0, psx = 0;
    struct crm_pnbd_lng gT = {0, 0, 0, 0, 0};
    for (size_t k = 0; k < P->n; k++) {
        const struct crm_btyd_obs *o = &P->obs[k];
        if (!(o->weight > 0))
            continue;
        if (o->x != last_x) {
            lgx = lgamma_r(r + o->x, &(int){0});
            psx = crm_special_digamma(r + o->x);
            last_x = o->x;
            last_T = NAN;
        }
        if (o->T != last_T) {
            if (!crm_pnbd_lng(r + o->x, al, s + 1.0, be, o->T, &gT))
                return INFINITY;
            last_T = o->T;
        }
        double g[4], w = o->weight;
        double l = triple(th, o->x, o->t_x, o->T, &gT, g);
        if (!isfinite(l))
            return INFINITY;
        ll += w * (lgx - lgr + r * log(al) + s * log(be) + l);
        G[0] += w * (psx - psr + log(al) + g[0]);
        G[1] += w * (r / al + g[1]);
        G[2] += w * (log(be) + g[2]);
        G[3] += w * (s / be + g[3]);
    }
    double pen = 0.0;
    for (int i = 0; i < 4; i++)
        pen += th[i] * th[i];
    if (grad)
        for (int i = 0; i < 4; i++)
            grad[i] = -G[i] * th[i] / P->total + 2.0 * P->penalty * th[i] * th[i];
    double f = -ll / P->total + P->penalty * pen;
    return isfinite(f) ? f : INFINITY;
}
