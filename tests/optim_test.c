/* Tests for lib/optim: BFGS and Nelder–Mead on classic test functions, behaviour at domain
 * boundaries and on unbounded objectives, the numeric Hessian and the SPD inverse. */
#include "testutil.h"

#include <math.h>

#include "model/optim.h"

static double rosenbrock(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    if (g) {
        g[0] = -2.0 * a - 400.0 * x[0] * b;
        g[1] = 200.0 * b;
    }
    return a * a + 100.0 * b * b;
}

/* f = 1/2 xᵀ A x - bᵀ x with A = [[4,1,0,0],[1,3,0,0],[0,0,2,0.5],[0,0,0.5,1]] */
static const double qa[16] = {4, 1, 0, 0, 1, 3, 0, 0, 0, 0, 2, 0.5, 0, 0, 0.5, 1};
static const double qb[4] = {1, 2, 3, 4};

static double quadratic(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double f = 0.0;
    for (int i = 0; i < 4; i++) {
        double ax = 0.0;
        for (int j = 0; j < 4; j++)
            ax += qa[i * 4 + j] * x[j];
        f += 0.5 * x[i] * ax - qb[i] * x[i];
        if (g)
            g[i] = ax - qb[i];
    }
    return f;
}

/* x - ln x: minimum 1 at x = 1, +inf (outside the domain) for x <= 0 */
static double log_barrier(const double *x, double *g, void *ctx)
{
    int *calls_outside = ctx;
    if (x[0] <= 0.0) {
        (*calls_outside)++;
        return INFINITY;
    }
    if (g)
        g[0] = 1.0 - 1.0 / x[0];
    return x[0] - log(x[0]);
}

/* (x-1)^4 + 1e10: f resolves changes of ~2e-6 only, so |x-1| ~ 0.04 is the best it can
 * show while the exact gradient 4(x-1)^3 is still ~2e-4 there */
static double big_offset(const double *x, double *g, void *ctx)
{
    (void)ctx;
    double d = x[0] - 1.0;
    if (g)
        g[0] = 4.0 * d * d * d;
    return d * d * d * d + 1e10;
}

static double unbounded(const double *x, double *g, void *ctx)
{
    (void)ctx;
    if (g)
        g[0] = -1.0;
    return -x[0];
}

static void test_optim_bfgs_minimises_rosenbrock(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    struct crm_optim_result res;
    assert_int_equal(crm_optim_bfgs(rosenbrock, NULL, 2, x, NULL, &res, NULL), CRM_OK);
    assert_true(res.converged);
    assert_true(fabs(x[0] - 1.0) < 1e-7 && fabs(x[1] - 1.0) < 1e-7);
    assert_true(res.grad_norm <= 1e-8);
    assert_true(res.iterations > 10 && res.iterations < 100);
    assert_true(res.fval < 1e-14);
}

static void test_optim_bfgs_solves_quadratic(void **state)
{
    (void)state;
    double x[4] = {0, 0, 0, 0};
    struct crm_optim_result res;
    assert_int_equal(crm_optim_bfgs(quadratic, NULL, 4, x, NULL, &res, NULL), CRM_OK);
    assert_true(res.converged);
    /* A x = b solved by hand: x = (1/11, 7/11, 4/7 + ..): check the residual instead */
    for (int i = 0; i < 4; i++) {
        double ax = 0.0;
        for (int j = 0; j < 4; j++)
            ax += qa[i * 4 + j] * x[j];
        assert_true(fabs(ax - qb[i]) < 1e-8);
    }
    assert_true(fabs(x[0] - 1.0 / 11.0) < 1e-9 && fabs(x[1] - 7.0 / 11.0) < 1e-9);
}

static void test_optim_bfgs_backs_away_from_outside_domain(void **state)
{
    (void)state;
    int outside = 0;
    double x[1] = {20.0};
    struct crm_optim_opts o;
    crm_optim_defaults(&o);
    o.max_step = 100.0; /* the first full step jumps to x < 0 */
    struct crm_optim_result res;
    assert_int_equal(crm_optim_bfgs(log_barrier, &outside, 1, x, &o, &res, NULL), CRM_OK);
    assert_true(outside > 0);
    assert_true(res.converged);
    assert_true(fabs(x[0] - 1.0) < 1e-8);
}

static void test_optim_bfgs_reports_non_convergence(void **state)
{
    (void)state;
    double x[1] = {0.0};
    struct crm_optim_opts o;
    crm_optim_defaults(&o);
    o.max_iter = 20;
    struct crm_optim_result res;
    assert_int_equal(crm_optim_bfgs(unbounded, NULL, 1, x, &o, &res, NULL), CRM_OK);
    assert_false(res.converged);
    assert_int_equal(res.iterations, 20);
    assert_true(x[0] > 100.0);
}

static void test_optim_bfgs_stops_at_resolution_of_f(void **state)
{
    (void)state;
    double x[1] = {4.0};
    struct crm_optim_result res;
    assert_int_equal(crm_optim_bfgs(big_offset, NULL, 1, x, NULL, &res, NULL), CRM_OK);
    assert_true(res.converged);
    assert_true(res.grad_norm > 1e-8); /* stopped by dtol, not gtol */
    assert_true(fabs(x[0] - 1.0) < 0.1);
    assert_true(res.iterations < 50);
}

static void test_optim_bfgs_rejects_bad_start(void **state)
{
    (void)state;
    int outside = 0;
    double x[1] = {-1.0};
    struct crm_optim_result res;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_optim_bfgs(log_barrier, &outside, 1, x, NULL, &res, &e), CRM_EMODEL);
    assert_non_null(strstr(e.msg, "not finite"));
    double y[9] = {0};
    assert_int_equal(crm_optim_bfgs(quadratic, NULL, 9, y, NULL, &res, &e), CRM_EUSAGE);
}

static void test_optim_nelder_mead_minimises_rosenbrock(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    struct crm_optim_result res;
    assert_int_equal(crm_optim_nelder_mead(rosenbrock, NULL, 2, x, NULL, NULL, &res, NULL),
                     CRM_OK);
    assert_true(res.converged);
    assert_true(fabs(x[0] - 1.0) < 1e-6 && fabs(x[1] - 1.0) < 1e-6);
    assert_true(res.restarts >= 1);
    assert_true(isnan(res.grad_norm));
}

static void test_optim_runs_are_deterministic(void **state)
{
    (void)state;
    double x1[2] = {-1.2, 1.0}, x2[2] = {-1.2, 1.0};
    struct crm_optim_result r1, r2;
    crm_optim_bfgs(rosenbrock, NULL, 2, x1, NULL, &r1, NULL);
    crm_optim_bfgs(rosenbrock, NULL, 2, x2, NULL, &r2, NULL);
    assert_memory_equal(x1, x2, sizeof x1);
    assert_int_equal(r1.evaluations, r2.evaluations);
    crm_optim_nelder_mead(rosenbrock, NULL, 2, x1, NULL, NULL, &r1, NULL);
    crm_optim_nelder_mead(rosenbrock, NULL, 2, x2, NULL, NULL, &r2, NULL);
    assert_memory_equal(x1, x2, sizeof x1);
}

static void test_optim_hessian_and_spd_inverse(void **state)
{
    (void)state;
    double x[4] = {0.3, -1, 2, 5}, h[16], inv[16];
    assert_int_equal(crm_optim_hessian(quadratic, NULL, 4, x, 1e-4, h, NULL), CRM_OK);
    for (int i = 0; i < 16; i++)
        assert_true(fabs(h[i] - qa[i]) < 1e-9);
    assert_int_equal(crm_optim_invert_spd(4, h, inv), 1);
    /* inverse of [[4,1],[1,3]] is [[3,-1],[-1,4]]/11 */
    assert_true(fabs(inv[0] - 3.0 / 11.0) < 1e-9 && fabs(inv[1] + 1.0 / 11.0) < 1e-9);
    assert_true(fabs(inv[5] - 4.0 / 11.0) < 1e-9 && fabs(inv[2]) < 1e-12);
    const double indefinite[4] = {1, 2, 2, 1};
    assert_int_equal(crm_optim_invert_spd(2, indefinite, inv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optim_bfgs_minimises_rosenbrock),
        cmocka_unit_test(test_optim_bfgs_solves_quadratic),
        cmocka_unit_test(test_optim_bfgs_backs_away_from_outside_domain),
        cmocka_unit_test(test_optim_bfgs_reports_non_convergence),
        cmocka_unit_test(test_optim_bfgs_stops_at_resolution_of_f),
        cmocka_unit_test(test_optim_bfgs_rejects_bad_start),
        cmocka_unit_test(test_optim_nelder_mead_minimises_rosenbrock),
        cmocka_unit_test(test_optim_runs_are_deterministic),
        cmocka_unit_test(test_optim_hessian_and_spd_inverse),
    };
    return cmocka_run_group_tests_name("optim", tests, NULL, NULL);
}
