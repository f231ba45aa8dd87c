/* Tests for lib/model/pnbd (through lib/btyd's public entry points where there is one): the
 * integral G against quadrature and its derivatives against finite differences, the exact
 * gradient of the likelihood, the published CDNOW fit (BTYD's walkthrough, CLVTools' tests),
 * P(alive), expectations and P(no purchase) against a direct 2-D integration over the
 * posterior of (λ, μ), the CLVTools P(alive) overflow case, the penalty, and parameter
 * recovery on 50,000 simulated customers. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <zlib.h>

#include "base/rng.h"
#include "model/btyd.h"
#include "model/pnbd.h"

static void assert_rel(double got, double want, double tol, const char *what)
{
    double rel = fabs(got - want) / fmax(fabs(want), DBL_MIN);
    if (!(rel <= tol))
        fail_msg("%s: got %.15g want %.15g (relative error %.3g > %.3g)", what, got, want, rel,
                 tol);
}

/* ∫_τ^∞ (A+u)^-p (B+u)^-q du by u = τ + c(1/v - 1)... with v in (0,1]: Simpson on w = v^k. */
static double g_quad(double p, double A, double q, double B, double tau)
{
    /* substitute u = tau + (A+tau) (e^y - 1), y in [0, 60]: smooth, decays like e^-(p+q-1)y */
    const int n = 200000;
    double h = 60.0 / n, sum = 0.0, W = A + tau;
    for (int i = 0; i <= n; i++) {
        double y = i * h, u = tau + W * expm1(y), du = W * exp(y);
        double f = exp(-p * log(A + u) - q * log(B + u)) * du;
        sum += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3.0;
}

static void test_lng_quadrature(void **state)
{
    (void)state;
    const double cases[][5] = {
        {2.5, 10.0, 1.6, 12.0, 0.0}, {2.5, 12.0, 1.6, 10.0, 3.0}, {0.6, 4.0, 1.2, 4.0, 7.0},
        {30.5, 2.0, 1.3, 50.0, 20.0}, {1.2, 80.0, 2.0, 0.5, 1.0}, {5.0, 1.0, 3.0, 1.0, 100.0},
        {1.5, 100.0, 1.2, 0.5, 1.0}, {0.6, 0.01, 1.05, 300.0, 0.0}, /* z > 0.97: 2F1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        struct crm_pnbd_lng g;
        assert_true(crm_pnbd_lng(c[0], c[1], c[2], c[3], c[4], &g));
        char what[64];
        snprintf(what, sizeof what, "G case %zu", i);
        assert_rel(exp(g.v), g_quad(c[0], c[1], c[2], c[3], c[4]), 1e-7, what);
        /* derivatives against central differences of ln G */
        double d[4] = {g.dp, g.dq, g.dA, g.dB};
        for (int k = 0; k < 4; k++) {
            double a[4] = {c[0], c[2], c[1], c[3]}, b[4] = {c[0], c[2], c[1], c[3]};
            double h = 1e-4 * a[k]; /* 2F1 near z = 1 is good to ~1e-11 */
            a[k] += h;
            b[k] -= h;
            struct crm_pnbd_lng ga, gb;
            assert_true(crm_pnbd_lng(a[0], a[2], a[1], a[3], c[4], &ga));
            assert_true(crm_pnbd_lng(b[0], b[2], b[1], b[3], c[4], &gb));
            snprintf(what, sizeof what, "dG case %zu param %d", i, k);
            double fd = (ga.v - gb.v) / (2 * h);
            if (!(fabs(d[k] - fd) <= 1e-6 * (1 + fabs(fd))))
                fail_msg("%s: analytic %.12g, differences %.12g", what, d[k], fd);
        }
    }
    struct crm_pnbd_lng g;
    assert_false(crm_pnbd_lng(0.1, 1.0, 0.5, 1.0, 0.0, &g)); /* p + q <= 1 */
    assert_false(crm_pnbd_lng(1.0, -1.0, 1.0, 1.0, 0.0, &g));
}

/* ---- CDNOW ---- */

#define CDNOW_N 2357
static struct crm_btyd_obs cdnow[CDNOW_N];

static void load_cdnow(void)
{
    char path[512], line[256];
    REQUIRE_SHARED("cdnow_customers_summary.csv.gz", path);
    gzFile f = gzopen(path, "rb");
    size_t n = 0;
    assert_non_null(f);
    assert_non_null(gzgets(f, line, sizeof line));
    while (n < CDNOW_N && gzgets(f, line, sizeof line)) {
        long id;
        double x, t_x, T;
        assert_int_equal(sscanf(line, "%ld,%lf,%lf,%lf", &id, &x, &t_x, &T), 4);
        cdnow[n++] = (struct crm_btyd_obs){x, t_x, T, 1.0};
    }
    gzclose(f);
    assert_int_equal(n, CDNOW_N);
}

static void test_gradient(void **state)
{
    (void)state;
    load_cdnow();
    struct crm_btyd_obs *c;
    size_t n;
    assert_int_equal(crm_btyd_compact(cdnow, CDNOW_N, &c, &n, NULL, NULL), CRM_OK);
    struct crm_pnbd_prep P;
    assert_int_equal(crm_pnbd_prep_build(&P, c, n, 0.01, NULL), CRM_OK);
    assert_true(P.total == CDNOW_N && P.npair < n);
    double th[4] = {log(0.7), log(9.0), log(0.4), log(15.0)}, g[4];
    crm_pnbd_objective(th, g, &P);
    for (int k = 0; k < 4; k++) {
        double a[4], b[4];
        memcpy(a, th, sizeof a);
        memcpy(b, th, sizeof b);
        a[k] += 1e-6;
        b[k] -= 1e-6;
        double fd = (crm_pnbd_objective(a, NULL, &P) - crm_pnbd_objective(b, NULL, &P)) / 2e-6;
        if (!(fabs(fd - g[k]) <= 1e-6))
            fail_msg("gradient %d: analytic %.12g, differences %.12g", k, g[k], fd);
    }
    crm_pnbd_prep_free(&P);
    free(c);
}

/* BTYD walkthrough: 0.5533971 10.5801985 0.6060625 11.6562237, LL -9594.976; CLVTools:
 * r=0.553 alpha=10.578 s=0.606 beta=11.669, LL -9595.0, standard errors 0.0476264,
 * 0.8427222, 0.1872594, 6.2105448. */
static void test_cdnow_fit(void **state)
{
    (void)state;
    load_cdnow();
    struct crm_btyd_obs *c;
    size_t n;
    assert_int_equal(crm_btyd_compact(cdnow, CDNOW_N, &c, &n, NULL, NULL), CRM_OK);
    struct crm_btyd_fit fit;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (crm_btyd_fit(CRM_BTYD_PNBD, c, n, &fit, &e) != CRM_OK)
        fail_msg("pnbd fit: %s", e.msg);
    free(c);
    print_message("pnbd cdnow: r=%.7f alpha=%.7f s=%.7f beta=%.7f ll=%.4f se %.5f %.5f %.5f "
                  "%.5f (%d iterations)\n", fit.params.r, fit.params.alpha, fit.params.a,
                  fit.params.b, fit.loglik, fit.se[0], fit.se[1], fit.se[2], fit.se[3],
                  fit.iterations);
    assert_rel(fit.params.r, 0.553, 5e-4 / 0.553 + 1e-9, "r");
    assert_rel(fit.params.alpha, 10.58, 0.005 / 10.58 + 1e-9, "alpha");
    assert_rel(fit.params.a, 0.606, 5e-4 / 0.606 + 1e-9, "s");
    assert_rel(fit.params.b, 11.66, 0.05 / 11.66, "beta"); /* BTYD 11.656, CLVTools 11.669 */
    /* the summary file rounds t_x and T to 0.01 weeks: the exact-day fit is the real-data
     * test's (tests/realdata/churn-pnbd.sh) */
    assert_true(fabs(fit.loglik - -9594.976) < 0.01);
    assert_rel(fit.se[0], 0.0476264, 0.01, "se r");
    assert_rel(fit.se[1], 0.8427222, 0.01, "se alpha");
    assert_rel(fit.se[2], 0.1872594, 0.01, "se s");
    assert_rel(fit.se[3], 6.2105448, 0.01, "se beta");
}

/* ---- predictions against a direct integration over (λ, μ) ---- */

/* P(alive), E[Y(t)], P(no purchase in t) for one customer by the 2-D integral of the model's
 * definition: prior Gamma(r, α) × Gamma(s, β), likelihood of (x, t_x, T) given λ, μ. */
static void direct(const struct crm_btyd_params *p, double x, double t_x, double T, double t,
                   double out[3])
{
    const int n = 2400;
    const double lo = -45.0, hi = 6.0, h = (hi - lo) / n;
    double Z = 0, alive = 0, ey = 0, none = 0;
    for (int i = 0; i <= n; i++) {
        double ll = lo + i * h, l = exp(ll);
        double wl = exp(p->r * ll - p->alpha * l) * (i == 0 || i == n ? 0.5 : 1.0);
        for (int j = 0; j <= n; j++) {
            double lm = lo + j * h, m = exp(lm);
            double w = wl * exp(p->a * lm - p->b * m) * (j == 0 || j == n ? 0.5 : 1.0);
            double k = l + m, lx = exp(x * ll);
            double a_part = lx * exp(-k * T);                 /* alive at T */
            double d_part = lx * m * (exp(-k * t_x) - exp(-k * T)) / k; /* died in (t_x, T] */
            Z += w * (a_part + d_part);
            alive += w * a_part;
            ey += w * a_part * l / m * -expm1(-m * t);
            none += w * (a_part * (m + l * exp(-k * t)) / k + d_part);
        }
    }
    out[0] = alive / Z;
    out[1] = ey / Z;
    out[2] = none / Z;
}

static void test_predictions_direct(void **state)
{
    (void)state;
    struct crm_btyd_params p = {CRM_BTYD_PNBD, 0.5533971, 10.5801985, 0.6060625, 11.6562237};
    const double cases[][4] = {{0, 0, 38.86, 52}, {2, 30.43, 38.86, 39}, {26, 30.86, 31.0, 52},
                               {5, 10.0, 39.0, 20}, {1, 1.71, 38.86, 10}};
    double ex;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        double want[3];
        direct(&p, c[0], c[1], c[2], c[3], want);
        char what[64];
        snprintf(what, sizeof what, "case %zu P(alive)", i);
        assert_rel(crm_btyd_p_alive(&p, c[0], c[1], c[2]), want[0], 1e-6, what);
        assert_int_equal(crm_btyd_expected(&p, c[0], c[1], c[2], c[3], &ex, NULL), CRM_OK);
        snprintf(what, sizeof what, "case %zu E[Y]", i);
        assert_rel(ex, want[1], 1e-6, what);
        snprintf(what, sizeof what, "case %zu P(none)", i);
        assert_rel(crm_btyd_prob_no_purchase(&p, c[0], c[1], c[2], c[3]), want[2], 1e-6, what);
    }
    /* crm_btyd_score (sharing the (x, T) parts between neighbours) gives the same */
    struct crm_btyd_obs o[3] = {{2, 10, 39, 1}, {2, 30, 39, 1}, {2, 39, 39, 1}};
    struct crm_btyd_score sc[3];
    struct crm_btyd_horizon hz = {13.0, 0.0, 7.0};
    assert_int_equal(crm_btyd_score(&p, o, 3, &hz, sc, NULL), CRM_OK);
    for (int i = 0; i < 3; i++) {
        assert_rel(sc[i].p_alive, crm_btyd_p_alive(&p, 2, o[i].t_x, 39), 1e-14, "score p_alive");
        assert_int_equal(crm_btyd_expected(&p, 2, o[i].t_x, 39, 13.0, &ex, NULL), CRM_OK);
        assert_rel(sc[i].expected, ex, 1e-14, "score expected");
        assert_rel(sc[i].prob_no_purchase, crm_btyd_prob_no_purchase(&p, 2, o[i].t_x, 39, 13.0),
                   1e-14, "score prob_no_purchase");
    }
    /* BTYD's pnbd.PAlive examples: x = 0, t_x = 0, T = 39 gives 0.2941633; x = 23 with
     * t_x = T = 39 gives 1 */
    assert_true(fabs(crm_btyd_p_alive(&p, 0, 0, 39) - 0.2941633) < 5e-8);
    assert_true(crm_btyd_p_alive(&p, 23, 39, 39) == 1.0);
    /* the walkthrough's pnbd.Expectation(params, t = 52) = 1.473 */
    assert_int_equal(crm_btyd_expected_unconditional(&p, 52.0, &ex, NULL), CRM_OK);
    assert_true(fabs(ex - 1.473) < 0.0005);
    /* the log-likelihood of one customer is the log of the direct integral's normaliser */
    assert_true(crm_btyd_prob_no_purchase(&p, 3, 10, 20, 0) == 1.0);
}

/* CLVTools: P(alive) that produced NaN in an earlier implementation. */
static void test_palive_large(void **state)
{
    (void)state;
    struct crm_btyd_params p = {CRM_BTYD_PNBD, 0.5143, 2.8845, 0.2856, 14.1087};
    const double x[] = {221, 254, 161, 204}, tx[] = {103.42857, 97.14286, 94.71429, 98.57143},
                 T[] = {103.57143, 97.28571, 98.00000, 99.42857};
    for (int i = 0; i < 4; i++) {
        double a = crm_btyd_p_alive(&p, x[i], tx[i], T[i]);
        assert_true(a > 0 && a <= 1);
        assert_true(isfinite(crm_btyd_loglik_one(&p, x[i], tx[i], T[i])));
    }
    /* 500 purchases over 3000 days (days as the unit) */
    struct crm_btyd_params d = {CRM_BTYD_PNBD, 0.55, 74.0, 0.6, 81.6};
    assert_true(crm_btyd_p_alive(&d, 500, 2990, 3000) > 0.9);
    assert_true(crm_btyd_p_alive(&d, 500, 1000, 3000) < 1e-100);
    assert_true(isfinite(crm_btyd_loglik_one(&d, 500, 1000, 3000)));
}

static void test_penalty(void **state)
{
    (void)state;
    load_cdnow();
    struct crm_btyd_obs *c;
    size_t n;
    assert_int_equal(crm_btyd_compact(cdnow, CDNOW_N, &c, &n, NULL, NULL), CRM_OK);
    struct crm_btyd_fit f0, f1;
    assert_int_equal(crm_btyd_fit_penalized(CRM_BTYD_PNBD, c, n, 0.0, &f0, NULL), CRM_OK);
    assert_int_equal(crm_btyd_fit_penalized(CRM_BTYD_PNBD, c, n, 0.001, &f1, NULL), CRM_OK);
    /* the penalty shrinks the large parameters and costs likelihood */
    assert_true(f1.params.b < f0.params.b);
    assert_true(f1.params.alpha < f0.params.alpha);
    assert_true(f1.loglik < f0.loglik);
    assert_int_equal(crm_btyd_fit_penalized(CRM_BTYD_PNBD, c, n, -1.0, &f1, NULL), CRM_EUSAGE);
    free(c);
}

/* 50,000 customers from CDNOW-like parameters, first purchases spread over 12 weeks and
 * observed to week 39 + their offset: every estimate within 3 standard errors. */
static void test_recovery(void **state)
{
    (void)state;
    const size_t n = 50000;
    struct crm_btyd_params truth = {CRM_BTYD_PNBD, 0.55, 10.58, 0.61, 11.67};
    struct crm_btyd_obs *o = malloc(n * sizeof *o), *c;
    struct crm_rng rng;
    crm_rng_seed(&rng, 1);
    for (size_t i = 0; i < n; i++) {
        double held, T = 27.0 + floor(crm_rng_uniform(&rng) * 84.0) / 7.0;
        crm_btyd_simulate(&truth, &rng, T, 0.0, &o[i], &held);
        /* t_x exact */
        if (o[i].x == 0)
            o[i].t_x = 0;
    }
    size_t m;
    assert_int_equal(crm_btyd_compact(o, n, &c, &m, NULL, NULL), CRM_OK);
    struct crm_btyd_fit fit;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (crm_btyd_fit(CRM_BTYD_PNBD, c, m, &fit, &e) != CRM_OK)
        fail_msg("%s", e.msg);
    const double *want = &truth.r, *got = &fit.params.r;
    for (int k = 0; k < 4; k++) {
        double z = (got[k] - want[k]) / fit.se[k];
        print_message("recovery %s: true %.4f fitted %.4f se %.4f z %.2f\n",
                      crm_btyd_param_name(CRM_BTYD_PNBD, k), want[k], got[k], fit.se[k], z);
        assert_true(fabs(z) < 3.0);
    }
    free(o);
    free(c);
}

/* Intervals from the estimate's asymptotic distribution cover the truth at their level: 40
 * simulated data sets of 3,000 customers; for each, the 90 % interval of E[Y(13) | x, t_x, T]
 * for six customer histories, checked against the value under the true parameters. */
static void test_interval_coverage(void **state)
{
    (void)state;
    enum { SETS = 40, N = 3000, D = 200 };
    struct crm_btyd_params truth = {CRM_BTYD_PNBD, 0.55, 10.58, 0.61, 11.67};
    const double hist[6][3] = {{0, 0, 39}, {1, 5, 39}, {2, 30, 39}, {5, 38, 39}, {3, 10, 30},
                               {10, 35, 39}};
    struct crm_btyd_obs *o = malloc(N * sizeof *o), *c;
    double *draw = malloc(D * 4 * sizeof *draw), v[D];
    struct crm_rng rng;
    crm_rng_seed(&rng, 7);
    int covered = 0, total = 0, covered_alive = 0;
    for (int set = 0; set < SETS; set++) {
        for (size_t i = 0; i < N; i++) {
            double held;
            crm_btyd_simulate(&truth, &rng, 27.0 + floor(crm_rng_uniform(&rng) * 84.0) / 7.0,
                              0.0, &o[i], &held);
        }
        size_t m;
        struct crm_btyd_fit fit;
        assert_int_equal(crm_btyd_compact(o, N, &c, &m, NULL, NULL), CRM_OK);
        assert_int_equal(crm_btyd_fit(CRM_BTYD_PNBD, c, m, &fit, NULL), CRM_OK);
        free(c);
        assert_true(crm_btyd_draw(&fit.params.r, fit.cov, 4, D, 1000 + (uint64_t)set, draw));
        for (int h = 0; h < 6; h++) {
            double want, got, wa = crm_btyd_p_alive(&truth, hist[h][0], hist[h][1], hist[h][2]);
            assert_int_equal(crm_btyd_expected(&truth, hist[h][0], hist[h][1], hist[h][2], 13.0,
                                               &want, NULL), CRM_OK);
            for (int d = 0; d < D; d++) {
                struct crm_btyd_params p = {CRM_BTYD_PNBD, draw[4 * d], draw[4 * d + 1],
                                            draw[4 * d + 2], draw[4 * d + 3]};
                assert_int_equal(crm_btyd_expected(&p, hist[h][0], hist[h][1], hist[h][2],
                                                   13.0, &got, NULL), CRM_OK);
                v[d] = got;
            }
            covered += crm_btyd_quantile(v, D, 0.05) <= want &&
                       want <= crm_btyd_quantile(v, D, 0.95);
            for (int d = 0; d < D; d++) {
                struct crm_btyd_params p = {CRM_BTYD_PNBD, draw[4 * d], draw[4 * d + 1],
                                            draw[4 * d + 2], draw[4 * d + 3]};
                v[d] = crm_btyd_p_alive(&p, hist[h][0], hist[h][1], hist[h][2]);
            }
            covered_alive += crm_btyd_quantile(v, D, 0.05) <= wa &&
                             wa <= crm_btyd_quantile(v, D, 0.95);
            total++;
        }
    }
    print_message("90 %% intervals cover E[Y(13)] in %d of %d, P(alive) in %d of %d\n", covered,
                  total, covered_alive, total);
    /* 240 checks in 40 correlated groups of 6: the rate is 0.9 give or take ~0.05 */
    assert_true(covered >= 0.80 * total && covered <= 0.97 * total);
    assert_true(covered_alive >= 0.80 * total && covered_alive <= 0.97 * total);
    /* same seed, same draws; a covariance that is not positive definite draws nothing */
    double again[8], cov[16] = {0};
    assert_true(crm_btyd_draw(&truth.r, (double[16]){1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0,
                                                     0, 1}, 4, 2, 5, again));
    assert_true(crm_btyd_draw(&truth.r, (double[16]){1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0,
                                                     0, 1}, 4, 2, 5, draw));
    assert_memory_equal(again, draw, sizeof again);
    assert_false(crm_btyd_draw(&truth.r, cov, 4, 2, 5, draw));
    double q[5] = {5, 1, 4, 2, 3};
    assert_true(crm_btyd_quantile(q, 5, 0.25) == 2.0 && crm_btyd_quantile(q, 5, 0.1) == 1.4);
    free(o);
    free(draw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lng_quadrature),  cmocka_unit_test(test_gradient),
        cmocka_unit_test(test_cdnow_fit),       cmocka_unit_test(test_predictions_direct),
        cmocka_unit_test(test_palive_large),    cmocka_unit_test(test_penalty),
        cmocka_unit_test(test_recovery),        cmocka_unit_test(test_interval_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
