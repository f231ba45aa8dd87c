/* optim: BFGS with a strong-Wolfe line search, Nelder–Mead with restarts, numeric Hessian
 * (see optim.h). References: Nocedal & Wright, Numerical Optimization, 2nd ed. — BFGS
 * update (6.17), initial scaling (6.20), line search Algorithms 3.5 and 3.6; Lagarias et al.
 * (1998) for the Nelder–Mead steps. All work arrays live on the stack (n <= MAX_DIM). */
#include "model/optim.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define MAXN CRM_OPTIM_MAX_DIM
#define C1 1e-4 /* sufficient decrease */
#define C2 0.9  /* curvature (quasi-Newton value) */

void crm_optim_defaults(struct crm_optim_opts *opts)
{
    opts->max_iter = 0; /* 0: the method's own default */
    opts->gtol = 1e-8;
    opts->dtol = 1e-13;
    opts->ftol = 1e-12;
    opts->xtol = 1e-8;
    opts->max_step = 5.0;
    opts->restarts = 3;
}

static double dot(size_t n, const double *a, const double *b)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static double maxabs(size_t n, const double *a)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

/* f at x + a p; NaN becomes +inf so that comparisons push away from it. */
struct probe {
    double a, f, d; /* step, value, directional derivative g·p */
    double g[MAXN];
};

struct lsctx {
    crm_optim_fn *f;
    void *ctx;
    size_t n;
    const double *x, *p;
    double f0, d0;
    int evals;
};

static void evaluate(struct lsctx *c, double a, struct probe *pr)
{
    double xt[MAXN];
    for (size_t i = 0; i < c->n; i++)
        xt[i] = c->x[i] + a * c->p[i];
    pr->a = a;
    pr->f = c->f(xt, pr->g, c->ctx);
    c->evals++;
    if (isnan(pr->f))
        pr->f = INFINITY;
    pr->d = isfinite(pr->f) ? dot(c->n, pr->g, c->p) : NAN;
    if (isfinite(pr->f) && !isfinite(pr->d))
        pr->f = INFINITY;
}

static int armijo(const struct lsctx *c, const struct probe *pr)
{
    return pr->f <= c->f0 + C1 * pr->a * c->d0;
}

static int curvature(const struct lsctx *c, const struct probe *pr)
{
    return fabs(pr->d) <= -C2 * c->d0;
}

/* N&W Algorithm 3.6: lo satisfies Armijo with the lowest f so far, hi brackets a minimiser. */
static int zoom(struct lsctx *c, struct probe lo, struct probe hi, struct probe *out)
{
    for (int j = 0; j < 40; j++) {
        double da = hi.a - lo.a, a = lo.a + 0.5 * da;
        if (isfinite(hi.f)) {
            /* minimiser of the quadratic through f(lo), f'(lo), f(hi) */
            double den = 2.0 * (hi.f - lo.f - lo.d * da);
            if (den > 0.0)
                a = lo.a - lo.d * da * da / den;
        }
        double lo_b = lo.a + 0.1 * da, hi_b = lo.a + 0.9 * da;
        if (lo_b > hi_b) {
            double t = lo_b;
            lo_b = hi_b;
            hi_b = t;
        }
        if (!(a >= lo_b && a <= hi_b))
            a = lo.a + 0.5 * da;
        struct probe pr;
        evaluate(c, a, &pr);
        if (!armijo(c, &pr) || pr.f >= lo.f) {
            hi = pr;
        } else {
            if (curvature(c, &pr)) {
                *out = pr;
                return 1;
            }
            if (pr.d * (hi.a - lo.a) >= 0.0)
                hi = lo;
            lo = pr;
        }
        /* once the whole bracket can change f by less than f's rounding noise, more
         * bisection only burns evaluations on comparing noise */
        if (fabs((hi.a - lo.a) * c->d0) <= 64.0 * DBL_EPSILON * (1.0 + fabs(c->f0)))
            break;
    }
    if (lo.a > 0.0) { /* sufficient decrease without the curvature condition: still a step */
        *out = lo;
        return 1;
    }
    return 0;
}

/* N&W Algorithm 3.5 from step 1. Returns 1 with the accepted probe in *out. */
static int line_search(struct lsctx *c, struct probe *out)
{
    struct probe prev, pr;
    prev.a = 0.0;
    prev.f = c->f0;
    prev.d = c->d0;
    double a = 1.0;
    for (int i = 0; i < 30; i++) {
        evaluate(c, a, &pr);
        if (!armijo(c, &pr) || (i > 0 && pr.f >= prev.f))
            return zoom(c, prev, pr, out);
        if (curvature(c, &pr)) {
            *out = pr;
            return 1;
        }
        if (pr.d >= 0.0)
            return zoom(c, pr, prev, out);
        prev = pr;
        a *= 2.0;
    }
    *out = prev;
    return prev.a > 0.0;
}

static void set_identity(size_t n, double *h)
{
    memset(h, 0, n * n * sizeof *h);
    for (size_t i = 0; i < n; i++)
        h[i * n + i] = 1.0;
}

/* The options (the defaults for NULL) and a fresh result, as both optimisers start;
 * CRM_EUSAGE for a dimension outside 1..MAXN. */
static enum crm_err start(const struct crm_optim_opts *opts, size_t n,
                          struct crm_optim_opts *o, struct crm_optim_result *res,
                          struct crm_errinfo *err)
{
    if (opts)
        *o = *opts;
    else
        crm_optim_defaults(o);
    memset(res, 0, sizeof *res);
    res->fval = NAN;
    res->grad_norm = NAN;
    if (n < 1 || n > MAXN)
        return crm_errinfo_set(err, CRM_EUSAGE, "optimiser: dimension %zu outside 1..%d", n,
                               MAXN);
    return CRM_OK;
}

enum crm_err crm_optim_bfgs(crm_optim_fn *f, void *ctx, size_t n, double *x,
                            const struct crm_optim_opts *opts, struct crm_optim_result *res,
                            struct crm_errinfo *err)
{
    struct crm_optim_opts o;
    enum crm_err rc = start(opts, n, &o, res, err);
    if (rc != CRM_OK)
        return rc;
    int max_iter = o.max_iter > 0 ? o.max_iter : 500;
    double g[MAXN], h[MAXN * MAXN], p[MAXN], s[MAXN], y[MAXN], hy[MAXN];
    double fx = f(x, g, ctx);
    res->evaluations = 1;
    if (!isfinite(fx) || !isfinite(maxabs(n, g)))
        return crm_errinfo_set(err, CRM_EMODEL, "optimiser: objective not finite at the start");
    set_identity(n, h);
    int fresh = 1; /* h is the identity: scale it on the first update (N&W 6.20) */
    while (res->iterations < max_iter) {
        if (maxabs(n, g) <= o.gtol) {
            res->converged = 1;
            break;
        }
        for (size_t i = 0; i < n; i++)
            p[i] = -dot(n, &h[i * n], g);
        double d0 = dot(n, g, p);
        if (!(d0 < 0.0)) { /* not a descent direction: forget the curvature model */
            set_identity(n, h);
            fresh = 1;
            for (size_t i = 0; i < n; i++)
                p[i] = -g[i];
            d0 = -dot(n, g, g);
        }
        double pm = maxabs(n, p);
        if (pm > o.max_step) {
            for (size_t i = 0; i < n; i++)
                p[i] *= o.max_step / pm;
            d0 *= o.max_step / pm;
        }
        struct lsctx lc = {f, ctx, n, x, p, fx, d0, 0};
        struct probe acc;
        int ok = line_search(&lc, &acc);
        res->evaluations += lc.evals;
        res->iterations++;
        if (!ok || !(acc.f < fx) || !isfinite(acc.f)) {
            if (-d0 <= o.dtol * (1.0 + fabs(fx))) { /* nothing left that f can show */
                res->converged = 1;
                break;
            }
            if (fresh || res->restarts >= o.restarts)
                break; /* even steepest descent cannot decrease f: give up */
            set_identity(n, h);
            fresh = 1;
            res->restarts++;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            s[i] = acc.a * p[i];
            x[i] += s[i];
            y[i] = acc.g[i] - g[i];
            g[i] = acc.g[i];
        }
        fx = acc.f;
        double sy = dot(n, s, y), yy = dot(n, y, y);
        if (sy > 1e-12 * sqrt(dot(n, s, s) * yy)) {
            if (fresh) {
                for (size_t i = 0; i < n * n; i++)
                    h[i] *= sy / yy;
                fresh = 0;
            }
            /* H <- (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, ρ = 1/(yᵀs) (N&W 6.17) */
            double rho = 1.0 / sy;
            for (size_t i = 0; i < n; i++)
                hy[i] = dot(n, &h[i * n], y);
            double yhy = dot(n, y, hy);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) +
                                    (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
    res->fval = fx;
    res->grad_norm = maxabs(n, g);
    if (!res->converged && res->grad_norm <= o.gtol)
        res->converged = 1;
    return CRM_OK;
}

static double nm_eval(crm_optim_fn *f, void *ctx, const double *x, int *evals)
{
    double v = f(x, NULL, ctx);
    (*evals)++;
    return isnan(v) ? INFINITY : v;
}

/* One Nelder–Mead run from the simplex around x; returns 1 when it met the tolerances. */
static int nm_run(crm_optim_fn *f, void *ctx, size_t n, double *x, const double *step,
                  const struct crm_optim_opts *o, int max_iter, struct crm_optim_result *res)
{
    double v[MAXN + 1][MAXN], fv[MAXN + 1], c[MAXN], xr[MAXN], xe[MAXN];
    size_t m = n + 1;
    for (size_t k = 0; k < m; k++) {
        memcpy(v[k], x, n * sizeof *x);
        if (k > 0)
            v[k][k - 1] += step ? step[k - 1] : 0.5;
        fv[k] = nm_eval(f, ctx, v[k], &res->evaluations);
    }
    int converged = 0;
    for (int it = 0; it < max_iter; it++) {
        /* order: best first; ties keep vertex order (deterministic) */
        for (size_t i = 1; i < m; i++)
            for (size_t j = i; j > 0 && fv[j] < fv[j - 1]; j--) {
                double t = fv[j];
                fv[j] = fv[j - 1];
                fv[j - 1] = t;
                for (size_t k = 0; k < n; k++) {
                    t = v[j][k];
                    v[j][k] = v[j - 1][k];
                    v[j - 1][k] = t;
                }
            }
        double size = 0.0;
        for (size_t i = 1; i < m; i++)
            for (size_t k = 0; k < n; k++)
                size = fmax(size, fabs(v[i][k] - v[0][k]));
        if (isfinite(fv[n]) && fv[n] - fv[0] <= o->ftol * (1.0 + fabs(fv[0])) &&
            size <= o->xtol) {
            converged = 1;
            break;
        }
        res->iterations++;
        for (size_t k = 0; k < n; k++) {
            c[k] = 0.0;
            for (size_t i = 0; i < n; i++)
                c[k] += v[i][k] / (double)n;
        }
        for (size_t k = 0; k < n; k++)
            xr[k] = c[k] + (c[k] - v[n][k]);
        double fr = nm_eval(f, ctx, xr, &res->evaluations);
        if (fr < fv[0]) {
            for (size_t k = 0; k < n; k++)
                xe[k] = c[k] + 2.0 * (c[k] - v[n][k]);
            double fe = nm_eval(f, ctx, xe, &res->evaluations);
            memcpy(v[n], fe < fr ? xe : xr, n * sizeof *x);
            fv[n] = fmin(fe, fr);
            continue;
        }
        if (fr < fv[n - 1]) {
            memcpy(v[n], xr, n * sizeof *x);
            fv[n] = fr;
            continue;
        }
        /* contraction: outside when the reflection improved on the worst, else inside */
        int outside = fr < fv[n];
        for (size_t k = 0; k < n; k++)
            xe[k] = outside ? c[k] + 0.5 * (xr[k] - c[k]) : c[k] + 0.5 * (v[n][k] - c[k]);
        double fc = nm_eval(f, ctx, xe, &res->evaluations);
        if (fc < (outside ? fr : fv[n])) {
            memcpy(v[n], xe, n * sizeof *x);
            fv[n] = fc;
            continue;
        }
        for (size_t i = 1; i < m; i++) { /* shrink towards the best */
            for (size_t k = 0; k < n; k++)
                v[i][k] = v[0][k] + 0.5 * (v[i][k] - v[0][k]);
            fv[i] = nm_eval(f, ctx, v[i], &res->evaluations);
        }
    }
    size_t best = 0;
    for (size_t i = 1; i < m; i++)
        if (fv[i] < fv[best])
            best = i;
    memcpy(x, v[best], n * sizeof *x);
    res->fval = fv[best];
    return converged;
}

enum crm_err crm_optim_nelder_mead(crm_optim_fn *f, void *ctx, size_t n, double *x,
                                   const double *step, const struct crm_optim_opts *opts,
                                   struct crm_optim_result *res, struct crm_errinfo *err)
{
    struct crm_optim_opts o;
    enum crm_err rc = start(opts, n, &o, res, err);
    if (rc != CRM_OK)
        return rc;
    int max_iter = o.max_iter > 0 ? o.max_iter : 5000;
    if (!isfinite(nm_eval(f, ctx, x, &res->evaluations)))
        return crm_errinfo_set(err, CRM_EMODEL, "optimiser: objective not finite at the start");
    int conv = nm_run(f, ctx, n, x, step, &o, max_iter, res);
    /* a converged simplex can sit on a ridge: restart around the best point until a new
     * simplex no longer finds anything better */
    while (conv && res->restarts < o.restarts) {
        double before = res->fval;
        res->restarts++;
        conv = nm_run(f, ctx, n, x, step, &o, max_iter, res);
        if (conv && before - res->fval <= o.ftol * (1.0 + fabs(res->fval)))
            break;
    }
    res->converged = conv;
    return CRM_OK;
}

enum crm_err crm_optim_hessian(crm_optim_fn *f, void *ctx, size_t n, const double *x, double h,
                               double *hess, struct crm_errinfo *err)
{
    double xp[MAXN], gp[MAXN], gm[MAXN];
    if (n < 1 || n > MAXN)
        return crm_errinfo_set(err, CRM_EUSAGE, "hessian: dimension %zu outside 1..%d", n,
                               MAXN);
    for (size_t j = 0; j < n; j++) {
        memcpy(xp, x, n * sizeof *x);
        xp[j] = x[j] + h;
        double fp = f(xp, gp, ctx);
        xp[j] = x[j] - h;
        double fm = f(xp, gm, ctx);
        if (!isfinite(fp) || !isfinite(fm) || !isfinite(maxabs(n, gp)) ||
            !isfinite(maxabs(n, gm)))
            return crm_errinfo_set(err, CRM_EMODEL, "hessian: gradient not finite near the "
                                                    "optimum");
        for (size_t i = 0; i < n; i++)
            hess[i * n + j] = (gp[i] - gm[i]) / (2.0 * h);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double avg = 0.5 * (hess[i * n + j] + hess[j * n + i]);
            hess[i * n + j] = hess[j * n + i] = avg;
        }
    return CRM_OK;
}

int crm_optim_invert_spd(size_t n, const double *a, double *inv)
{
    double l[MAXN * MAXN] = {0}, col[MAXN], t[MAXN];
    if (n < 1 || n > MAXN)
        return 0;
    double dmax = 0.0;
    for (size_t i = 0; i < n; i++)
        dmax = fmax(dmax, fabs(a[i * n + i]));
    for (size_t j = 0; j < n; j++) { /* A = L Lᵀ */
        double d = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= l[j * n + k] * l[j * n + k];
        if (!(d > 1e-13 * dmax))
            return 0;
        l[j * n + j] = sqrt(d);
        for (size_t i = j + 1; i < n; i++) {
            double v = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                v -= l[i * n + k] * l[j * n + k];
            l[i * n + j] = v / l[j * n + j];
        }
    }
    for (size_t c = 0; c < n; c++) { /* solve L Lᵀ col = e_c */
        for (size_t i = 0; i < n; i++) {
            double v = i == c ? 1.0 : 0.0;
            for (size_t k = 0; k < i; k++)
                v -= l[i * n + k] * t[k];
            t[i] = v / l[i * n + i];
        }
        for (size_t i = n; i-- > 0;) {
            double v = t[i];
            for (size_t k = i + 1; k < n; k++)
                v -= l[k * n + i] * col[k];
            col[i] = v / l[i * n + i];
        }
        for (size_t i = 0; i < n; i++)
            inv[i * n + c] = col[i];
    }
    return 1;
}
