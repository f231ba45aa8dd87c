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
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "model/special.h"

#define MAX_TERMS 20000
#define Z_SERIES 0.97 /* beyond, the series needs over ~1,000 terms: lib/special's 2F1 */
#define THETA_MAX 30.0
#define THREAD_MIN 20000 /* pairs or triples worth a second thread */

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

int crm_pnbd_xT_prepare(const struct crm_btyd_params *p, double x, double T, double t,
                        struct crm_pnbd_xT *out)
{
    double a = p->r + x, A = p->alpha + T, s = p->a, B = p->b + T;
    struct crm_pnbd_lng g1, g2;
    out->x = x;
    out->T = T;
    out->l1 = -a * log(A) - s * log(B);
    out->none_alive = 1.0;
    if (!crm_pnbd_lng(a, p->alpha, s + 1.0, p->b, T, &out->gT))
        return 0;
    if (t == 0.0)
        return 1;
    if (!crm_pnbd_lng(a, A, s + 1.0, B, 0.0, &g1) || !crm_pnbd_lng(a + 1.0, A, s, B, t, &g2))
        return 0;
    double lk = a * log(A) + s * log(B);
    out->none_alive = fmin(s * exp(lk + g1.v) + a * exp(lk + g2.v), 1.0);
    return 1;
}

double crm_pnbd_p_alive_xT(const struct crm_btyd_params *p, const struct crm_pnbd_xT *c,
                           double t_x)
{
    struct crm_pnbd_lng gx;
    if (t_x >= c->T)
        return 1.0;
    if (!crm_pnbd_lng(p->r + c->x, p->alpha, p->a + 1.0, p->b, t_x, &gx))
        return NAN;
    double lo = log(p->a) + gx.v + log(-expm1(c->gT.v - gx.v)) - c->l1;
    return 1.0 / (1.0 + exp(lo));
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

/* ---- the likelihood over triples ---- */

struct pair_key {
    double x, tau;
    size_t slot; /* 2 k for t_x of triple k, 2 k + 1 for its T */
};

static int cmp_key(const void *a, const void *b)
{
    const struct pair_key *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->tau > q->tau) - (p->tau < q->tau);
}

void crm_pnbd_prep_free(struct crm_pnbd_prep *P)
{
    free(P->pair_x);
    free(P->pair_tau);
    free(P->at_tx);
    free(P->at_T);
    free(P->g);
    free(P->la);
    free(P->lb);
    free(P->ia);
    free(P->ib);
    P->la = P->lb = P->ia = P->ib = NULL;
    P->pair_x = P->pair_tau = NULL;
    P->at_tx = P->at_T = NULL;
    P->g = NULL;
}

enum crm_err crm_pnbd_prep_build(struct crm_pnbd_prep *P, const struct crm_btyd_obs *obs,
                                 size_t n, double penalty, struct crm_errinfo *err)
{
    memset(P, 0, sizeof *P);
    P->obs = obs;
    P->n = n;
    P->penalty = penalty;
    struct pair_key *k = malloc((2 * n + 1) * sizeof *k);
    P->pair_x = malloc((2 * n + 1) * sizeof *P->pair_x);
    P->pair_tau = malloc((2 * n + 1) * sizeof *P->pair_tau);
    P->at_tx = malloc((n + 1) * sizeof *P->at_tx);
    P->at_T = malloc((n + 1) * sizeof *P->at_T);
    if (!k || !P->pair_x || !P->pair_tau || !P->at_tx || !P->at_T || 2 * n >= UINT32_MAX) {
        free(k);
        crm_pnbd_prep_free(P);
        return crm_errinfo_set(err, CRM_ENOMEM, "pnbd fit: out of memory for %zu summaries", n);
    }
    for (size_t i = 0; i < n; i++) {
        P->total += obs[i].weight;
        k[2 * i] = (struct pair_key){obs[i].x, obs[i].t_x, 2 * i};
        k[2 * i + 1] = (struct pair_key){obs[i].x, obs[i].T, 2 * i + 1};
    }
    qsort(k, 2 * n, sizeof *k, cmp_key);
    size_t m = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (m == 0 || k[i].x != P->pair_x[m - 1] || k[i].tau != P->pair_tau[m - 1]) {
            P->pair_x[m] = k[i].x;
            P->pair_tau[m++] = k[i].tau;
        }
        uint32_t *at = k[i].slot % 2 ? P->at_T : P->at_tx;
        at[k[i].slot / 2] = (uint32_t)(m - 1);
    }
    free(k);
    P->npair = m;
    P->g = malloc((m + 1) * sizeof *P->g);
    P->la = malloc((m + 1) * sizeof *P->la);
    P->lb = malloc((m + 1) * sizeof *P->lb);
    P->ia = malloc((m + 1) * sizeof *P->ia);
    P->ib = malloc((m + 1) * sizeof *P->ib);
    if (!P->g || !P->la || !P->lb || !P->ia || !P->ib) {
        crm_pnbd_prep_free(P);
        return crm_errinfo_set(err, CRM_ENOMEM, "pnbd fit: out of memory for %zu summaries", n);
    }
    return CRM_OK;
}

/* Per evaluation: what every triple shares. */
struct shared {
    double r, al, s, be, ls;
};

/* One triple's log-likelihood bracket and its gradient in (r, α, s, β), from G at its two
 * pairs and ln(α+T), ln(β+T), 1/(α+T), 1/(β+T) (pair j of T): four transcendental calls.
 * With p2 the second term's share of the bracket, s G(t_x) / bracket = p2 / (1 - G(T)/G(t_x)). */
static double triple(const struct shared *c, const struct crm_pnbd_prep *P, double x,
                     double t_x, double T, const struct crm_pnbd_lng *gx, uint32_t j, double *g)
{
    const struct crm_pnbd_lng *gT = &P->g[j];
    double lat = P->la[j], lbt = P->lb[j];
    double l1 = -(c->r + x) * lat - c->s * lbt;
    double d1[4] = {-lat, -(c->r + x) * P->ia[j], -lbt, -c->s * P->ib[j]};
    if (t_x >= T) {
        for (int i = 0; i < 4; i++)
            g[i] = d1[i];
        return l1;
    }
    double em = expm1(gT->v - gx->v);               /* G(T)/G(t_x) - 1, in (-1, 0) */
    double l2 = c->ls + gx->v + log(-em);
    double u = exp(-fabs(l1 - l2)), m = fmax(l1, l2) + log1p(u);
    double p1 = l1 > l2 ? 1.0 / (1.0 + u) : u / (1.0 + u), p2 = 1.0 - p1;
    double ex = p2 / -em, eT = ex * (1.0 + em); /* s G / bracket */
    double dx[4] = {gx->dp, gx->dA, gx->dq, gx->dB}, dT[4] = {gT->dp, gT->dA, gT->dq, gT->dB};
    for (int i = 0; i < 4; i++)
        g[i] = p1 * d1[i] + ex * dx[i] - eT * dT[i];
    g[2] += p2 / c->s;
    return m;
}

/* A share of one evaluation: pairs [p0, p1) or triples [k0, k1). */
struct share {
    const struct crm_pnbd_prep *P;
    struct shared c;
    size_t from, to;
    int ok;
    double ll, G[4];
};

static void *pairs(void *arg)
{
    struct share *w = arg;
    const struct crm_pnbd_prep *P = w->P;
    w->ok = 1;
    for (size_t j = w->from; j < w->to && w->ok; j++) {
        w->ok = crm_pnbd_lng(w->c.r + P->pair_x[j], w->c.al, w->c.s + 1.0, w->c.be,
                             P->pair_tau[j], &P->g[j]);
        P->la[j] = log(w->c.al + P->pair_tau[j]);
        P->lb[j] = log(w->c.be + P->pair_tau[j]);
        P->ia[j] = 1.0 / (w->c.al + P->pair_tau[j]);
        P->ib[j] = 1.0 / (w->c.be + P->pair_tau[j]);
    }
    return NULL;
}

static void *triples(void *arg)
{
    struct share *w = arg;
    const struct crm_pnbd_prep *P = w->P;
    const struct shared *c = &w->c;
    double last_x = NAN, lgx = 0, psx = 0, ll = 0, G[4] = {0, 0, 0, 0};
    w->ok = 1;
    for (size_t k = w->from; k < w->to; k++) {
        const struct crm_btyd_obs *o = &P->obs[k];
        if (!(o->weight > 0))
            continue;
        if (o->x != last_x) {
            lgx = lgamma_r(c->r + o->x, &(int){0});
            psx = crm_special_digamma(c->r + o->x);
            last_x = o->x;
        }
        double g[4], w8 = o->weight;
        double l = triple(c, P, o->x, o->t_x, o->T, &P->g[P->at_tx[k]], P->at_T[k], g);
        if (!isfinite(l)) {
            w->ok = 0;
            return NULL;
        }
        ll += w8 * (lgx + l);
        G[0] += w8 * (psx + g[0]);
        G[1] += w8 * g[1];
        G[2] += w8 * g[2];
        G[3] += w8 * g[3];
    }
    w->ll = ll;
    memcpy(w->G, G, sizeof G);
    return NULL;
}

/* Run fn on two halves of [0, n): on two threads when the work is large enough to pay for
 * one. The halves are the same whether or not a thread starts, so the sums are too. */
static void halves(void *(*fn)(void *), struct share w[2], size_t n)
{
    w[0].from = 0;
    w[0].to = w[1].from = n / 2;
    w[1].to = n;
    pthread_t t;
    int threaded = n >= THREAD_MIN && pthread_create(&t, NULL, fn, &w[1]) == 0;
    fn(&w[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        fn(&w[1]);
}

double crm_pnbd_objective(const double *theta, double *grad, void *ctx)
{
    const struct crm_pnbd_prep *P = ctx;
    for (int i = 0; i < 4; i++)
        if (!(fabs(theta[i]) <= THETA_MAX))
            return INFINITY;
    double th[4] = {exp(theta[0]), exp(theta[1]), exp(theta[2]), exp(theta[3])};
    double r = th[0], al = th[1], s = th[2], be = th[3];
    struct share w[2] = {{P, {r, al, s, be, log(s)}, 0, 0, 0, 0, {0, 0, 0, 0}}};
    w[1] = w[0];
    halves(pairs, w, P->npair);
    if (!w[0].ok || !w[1].ok)
        return INFINITY;
    halves(triples, w, P->n);
    if (!w[0].ok || !w[1].ok)
        return INFINITY;
    /* the parts every customer shares: -ln Γ(r) + r ln α + s ln β and their derivatives */
    double lgr = lgamma_r(r, &(int){0}), psr = crm_special_digamma(r), W = P->total;
    double ll = w[0].ll + w[1].ll + W * (-lgr + r * log(al) + s * log(be)), G[4];
    G[0] = w[0].G[0] + w[1].G[0] + W * (-psr + log(al));
    G[1] = w[0].G[1] + w[1].G[1] + W * r / al;
    G[2] = w[0].G[2] + w[1].G[2] + W * log(be);
    G[3] = w[0].G[3] + w[1].G[3] + W * s / be;
    double pen = 0.0;
    for (int i = 0; i < 4; i++)
        pen += th[i] * th[i];
    if (grad)
        for (int i = 0; i < 4; i++)
            grad[i] = -G[i] * th[i] / W + 2.0 * P->penalty * th[i] * th[i];
    double f = -ll / W + P->penalty * pen;
    return isfinite(f) ? f : INFINITY;
}
