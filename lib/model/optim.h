/* private to lib/model/: included only by the modules of this folder (and their tests). */
/* optim: small unconstrained minimisers for the model fits (btyd.c) — BFGS with a strong-Wolfe
 * line search for smooth objectives with analytic gradients, Nelder–Mead with restarts as a
 * derivative-free fallback, and a numeric Hessian for standard errors.
 * Invariant: deterministic (no randomness, fixed iteration order); the objective may return
 * +inf or NaN to say "outside the domain" and the minimisers back away from such points. */
#ifndef CRM_OPTIM_H
#define CRM_OPTIM_H

#include <stddef.h>

#include "base/err.h"

#define CRM_OPTIM_MAX_DIM 8

/* The objective: returns f(x) and, when grad is not NULL, writes ∇f(x) into grad[0..n-1]. */
typedef double crm_optim_fn(const double *x, double *grad, void *ctx);

struct crm_optim_opts {
    int max_iter;    /* iterations per run (BFGS default 500, Nelder–Mead default 5000) */
    double gtol;     /* BFGS: converged when max_i |∂f/∂x_i| <= gtol (default 1e-8) ... */
    double dtol;     /* ... or when no step decreases f any more and the decrease the
                        curvature model predicts, gᵀHg, is at most dtol (1 + |f|) (default
                        1e-13): f is at its resolution. Ill-conditioned likelihoods stop
                        here before a tiny gtol. */
    double ftol;     /* Nelder–Mead: converged when the simplex's f values differ by at most
                        ftol * (1 + |f_best|) (default 1e-12) ... */
    double xtol;     /* ... and every vertex is within xtol of the best (default 1e-8) */
    double max_step; /* BFGS: no coordinate moves more than this in one line search (5) */
    int restarts;    /* BFGS: fresh-Hessian restarts after a failed line search (3);
                        Nelder–Mead: new simplices around the best point (3) */
};

struct crm_optim_result {
    double fval;      /* f at the returned x */
    double grad_norm; /* max |∂f/∂x_i| at the returned x (NaN from Nelder–Mead) */
    int iterations;
    int evaluations;
    int restarts;     /* restarts actually made */
    int converged;    /* 1 when the convergence test above was met */
};

void crm_optim_defaults(struct crm_optim_opts *opts);

/* Minimise f from x (1 <= n <= CRM_OPTIM_MAX_DIM); x is replaced by the best point found.
 * opts NULL means defaults. Returns CRM_OK whether or not it converged (see
 * res->converged); CRM_EUSAGE for a bad n, CRM_EMODEL when f(x) is not finite at the start. */
enum crm_err crm_optim_bfgs(crm_optim_fn *f, void *ctx, size_t n, double *x,
                            const struct crm_optim_opts *opts, struct crm_optim_result *res,
                            struct crm_errinfo *err);

/* Nelder–Mead (reflection 1, expansion 2, contraction 1/2, shrink 1/2); the first simplex is
 * x and x + step[i] e_i (step NULL: 0.5 in every coordinate). f is called with grad NULL. */
enum crm_err crm_optim_nelder_mead(crm_optim_fn *f, void *ctx, size_t n, double *x,
                                   const double *step, const struct crm_optim_opts *opts,
                                   struct crm_optim_result *res, struct crm_errinfo *err);

/* Hessian by central differences of the analytic gradient with step h, symmetrised;
 * hess is n*n, row-major. CRM_EMODEL when a gradient is not finite. */
enum crm_err crm_optim_hessian(crm_optim_fn *f, void *ctx, size_t n, const double *x, double h,
                               double *hess, struct crm_errinfo *err);

/* Inverse of a symmetric positive definite n*n matrix by Cholesky; returns 0 and leaves inv
 * untouched when a is not (numerically) positive definite, 1 on success. */
int crm_optim_invert_spd(size_t n, const double *a, double *inv);

#endif
