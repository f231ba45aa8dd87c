/* Tests for lib/special: log-gamma, digamma, log-sum-exp and 2F1 against closed forms and
 * against long-double power series summed here, independently of the library's methods. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include "model/special.h"

#define EULER_GAMMA 0.57721566490153286061

static void assert_rel(double got, double want, double tol)
{
    double rel = fabs(got - want) / fmax(fabs(want), DBL_MIN);
    if (!(rel <= tol))
        fail_msg("got %.17g want %.17g (relative error %.3g > %.3g)", got, want, rel, tol);
}

/* 2F1 by its defining series in long double, summed until the terms no longer matter;
 * only for |z| < 1 and arguments where the series is itself well conditioned. */
static long double series_ld(long double a, long double b, long double c, long double z)
{
    long double t = 1.0L, s = 1.0L;
    for (long n = 0; n < 100000000L; n++) {
        long double ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
        t *= ratio;
        s += t;
        if (t == 0.0L || (n > 20 && fabsl(ratio) < 1.0L && fabsl(t) < 1e-22L * fabsl(s)))
            break;
    }
    return s;
}

static double f21(double a, double b, double c, double z)
{
    double v = NAN;
    enum crm_special_status st = crm_special_hyp2f1(a, b, c, z, &v);
    if (st != CRM_SPECIAL_OK)
        fail_msg("2F1(%g,%g;%g;%g): %s", a, b, c, z, crm_special_strstatus(st));
    return v;
}

static void test_special_lgamma_sign_and_value(void **state)
{
    (void)state;
    int sign = 0;
    /* Γ(-1/2) = -2√π */
    assert_rel(crm_special_lgamma(-0.5, &sign), log(2.0 * sqrt(M_PI)), 1e-15);
    assert_int_equal(sign, -1);
    assert_rel(crm_special_lgamma(5.0, &sign), log(24.0), 1e-15);
    assert_int_equal(sign, 1);
    /* B(2,3) = 1/12 */
    assert_rel(crm_special_lbeta(2.0, 3.0), -log(12.0), 1e-15);
}

static void test_special_digamma_known_values(void **state)
{
    (void)state;
    assert_rel(crm_special_digamma(1.0), -EULER_GAMMA, 1e-15);
    assert_rel(crm_special_digamma(0.5), -EULER_GAMMA - 2.0 * log(2.0), 1e-15);
    /* ψ(10) = H_9 - γ */
    double h9 = 0.0;
    for (int k = 1; k <= 9; k++)
        h9 += 1.0 / k;
    assert_rel(crm_special_digamma(10.0), h9 - EULER_GAMMA, 1e-15);
    /* ψ(-1/2) = 2 - γ - 2 ln 2 */
    assert_rel(crm_special_digamma(-0.5), 2.0 - EULER_GAMMA - 2.0 * log(2.0), 1e-13);
    assert_true(isnan(crm_special_digamma(-3.0)));
    assert_true(isnan(crm_special_digamma(0.0)));
}

static void test_special_lgamma_diff_tiny_and_large_steps(void **state)
{
    (void)state;
    /* large step: plain difference quotient */
    assert_rel(crm_special_lgamma_diff(3.0, 0.5), (lgamma(3.5) - lgamma(3.0)) / 0.5, 1e-14);
    assert_rel(crm_special_lgamma_diff(0.25, -0.2), (lgamma(0.05) - lgamma(0.25)) / -0.2, 1e-14);
    /* tiny step: ψ(3) + ψ'(3) e/2 with ψ'(3) = π²/6 - 5/4 — no cancellation */
    double e = 1e-9, psi3 = 1.5 - EULER_GAMMA, tri3 = M_PI * M_PI / 6.0 - 1.25;
    assert_rel(crm_special_lgamma_diff(3.0, e), psi3 + tri3 * e / 2.0, 1e-15);
    assert_rel(crm_special_lgamma_diff(3.0, 0.0), psi3, 1e-15);
    /* a pole inside the step */
    assert_true(isnan(crm_special_lgamma_diff(-0.1, 0.3)));
}

static void test_special_log_add_exp_does_not_overflow(void **state)
{
    (void)state;
    assert_rel(crm_special_log_add_exp(1000.0, 1000.0), 1000.0 + log(2.0), 1e-15);
    assert_rel(crm_special_log_add_exp(-INFINITY, 3.0), 3.0, 0.0);
    assert_rel(crm_special_log_add_exp(-800.0, -801.0), -800.0 + log1p(exp(-1.0)), 1e-15);
    double v[3] = {-1000.0, -1000.0, -1000.0};
    assert_rel(crm_special_log_sum_exp(v, 3), -1000.0 + log(3.0), 1e-15);
    assert_true(isinf(crm_special_log_sum_exp(v, 0)));
}

/* 2F1(1,1;2;z) = -ln(1-z)/z (A&S 15.1.3), including the integer case c-a-b = 0 near z = 1
 * and, through Pfaff, large negative z. */
static void test_special_hyp2f1_log_closed_form(void **state)
{
    (void)state;
    const double zs[] = {0.1, 0.5, 0.9, 0.999, 0.9999999, -0.5, -10.0, -1e6};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++)
        assert_rel(f21(1.0, 1.0, 2.0, zs[i]), -log1p(-zs[i]) / zs[i], 4e-15);
}

/* 2F1(a,b;b;z) = (1-z)^-a (A&S 15.1.8) */
static void test_special_hyp2f1_power_closed_form(void **state)
{
    (void)state;
    const double ab[][2] = {{0.7, 2.3}, {3.2, 5.1}, {-2.5, 1.5}, {40.0, 0.4}};
    const double zs[] = {0.3, 0.999, -50.0};
    for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++)
        for (size_t j = 0; j < sizeof zs / sizeof zs[0]; j++)
            assert_rel(f21(ab[i][0], ab[i][1], ab[i][1], zs[j]), pow(1.0 - zs[j], -ab[i][0]),
                       1e-13);
}

/* 2F1(1/2,1/2;3/2;x²) = asin(x)/x and 2F1(1/2,1;3/2;-x²) = atan(x)/x (A&S 15.1.6, 15.1.5) */
static void test_special_hyp2f1_inverse_trig_closed_forms(void **state)
{
    (void)state;
    const double x2[] = {0.25, 0.9, 0.999, 0.999999};
    for (size_t i = 0; i < sizeof x2 / sizeof x2[0]; i++) {
        /* asin(x) through atan2 of √x² and √(1-x²): no error from rounding x near 1 */
        double x = sqrt(x2[i]);
        assert_rel(f21(0.5, 0.5, 1.5, x2[i]), atan2(x, sqrt(1.0 - x2[i])) / x, 4e-15);
    }
    const double xs[] = {0.5, 10.0, 1000.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        assert_rel(f21(0.5, 1.0, 1.5, -xs[i] * xs[i]), atan(xs[i]) / xs[i], 4e-15);
}

/* 2F1(1,1;3;z) = 2[(z + (1-z) ln(1-z))/z²] (c-a-b = 1: a regular part plus pairs) */
static void test_special_hyp2f1_integer_gap_one(void **state)
{
    (void)state;
    const double zs[] = {0.2, 0.8, 0.999, 0.9999999};
    for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
        double z = zs[i];
        assert_rel(f21(1.0, 1.0, 3.0, z), 2.0 * (z + (1.0 - z) * log1p(-z)) / (z * z), 1e-13);
    }
}

/* c-a-b within 1e-9 and 1e-12 of an integer: the connection formula's two halves are each
 * ~1e9 times the answer; the paired form must not lose those digits. */
static void test_special_hyp2f1_near_integer_gap(void **state)
{
    (void)state;
    const double cases[][4] = {
        {1.0, 1.0, 2.0 + 1e-9, 0.999},
        {1.0, 1.0, 2.0 - 1e-9, 0.999},
        {0.3, 2.2, 4.5 + 1e-12, 0.99},
        {2.5, 1.25, 2.75 + 1e-10, 0.995}, /* c-a-b = -1 + 1e-10 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *p = cases[i];
        assert_rel(f21(p[0], p[1], p[2], p[3]), (double)series_ld(p[0], p[1], p[2], p[3]),
                   1e-13);
    }
}

/* Slowly converging arguments: z near 1, large and mixed-sign parameters, and the shapes
 * BG/NBD produces (a = r+x, b = b+x, c = a+b+x-1). References: long-double series. */
static void test_special_hyp2f1_matches_long_double_series(void **state)
{
    (void)state;
    const double cases[][5] = {
        /* a, b, c, z, tolerance */
        {20.0, 20.0, 41.5, 0.999, 5e-14},
        {20.0, 20.0, 45.0, 0.999, 5e-14},
        {50.3, 50.1, 101.2, 0.99, 1e-13},
        {0.243, 2.426, 2.219, 0.999, 1e-14},
        {2.243, 4.426, 4.219, 0.999, 1e-14},
        {10.243, 12.426, 12.219, 0.97, 1e-14},
        {2.5, -1.5, 1.5, 0.97, 1e-14},
        {1.5, 2.5, -0.5, 0.95, 1e-14},
        {-3.0, 2.0, 5.0, 0.999, 1e-15},
        {0.8, 3.1, 1.9, -0.45, 1e-15},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *p = cases[i];
        assert_rel(f21(p[0], p[1], p[2], p[3]), (double)series_ld(p[0], p[1], p[2], p[3]),
                   p[4]);
    }
}

/* (1-z)^e 2F1 with 2F1 itself beyond double range: x = 500 repeat purchases, z = 0.99. */
static void test_special_hyp2f1_scaled_beyond_double_range(void **state)
{
    (void)state;
    double A = 500.243, B = 502.426, C = 502.219, z = 0.99, v = 0.0;
    assert_int_equal(crm_special_hyp2f1(A, B, C, z, &v), CRM_SPECIAL_RANGE);
    assert_int_equal(crm_special_hyp2f1_scaled(A, B, C, z, A, &v), CRM_SPECIAL_OK);
    long double ref = powl(1.0L - (long double)z, A) * series_ld(A, B, C, z);
    assert_rel(v, (double)ref, 1e-13);
}

static void test_special_hyp2f1_gauss_sum_and_polynomial(void **state)
{
    (void)state;
    /* 2F1(a,b;c;1) = Γ(c)Γ(c-a-b)/(Γ(c-a)Γ(c-b)); (0.5,0.5;2) = 4/π */
    assert_rel(f21(0.5, 0.5, 2.0, 1.0), 4.0 / M_PI, 1e-15);
    /* 2F1(-3,2;5;z) is a cubic */
    double z = 0.7;
    double cubic = 1.0 - 6.0 / 5.0 * z + 36.0 / 60.0 * z * z - 144.0 / 1260.0 * z * z * z;
    assert_rel(f21(-3.0, 2.0, 5.0, z), cubic, 1e-15);
    assert_rel(f21(-3.0, 2.0, 5.0, -40.0), 1.0 + 48.0 + 960.0 + 7314.285714285714, 1e-15);
}

static void test_special_hyp2f1_reports_domain_errors(void **state)
{
    (void)state;
    double v = 0.0;
    assert_int_equal(crm_special_hyp2f1(1.0, 1.0, 2.0, 1.5, &v), CRM_SPECIAL_DOMAIN);
    assert_true(isnan(v));
    assert_int_equal(crm_special_hyp2f1(1.0, 1.0, -2.0, 0.5, &v), CRM_SPECIAL_DOMAIN);
    assert_int_equal(crm_special_hyp2f1(1.0, 1.0, 2.0, 1.0, &v), CRM_SPECIAL_DOMAIN);
    assert_int_equal(crm_special_hyp2f1(NAN, 1.0, 2.0, 0.5, &v), CRM_SPECIAL_DOMAIN);
    /* a degree-40 polynomial whose terms reach 1e11 around a value of 0.01: flagged, not
     * returned with its digits cancelled away */
    assert_int_equal(crm_special_hyp2f1(-40.0, 1.0, 1.5, 0.999, &v), CRM_SPECIAL_NOCONV);
    /* (1-z)^20 as 2F1(-20,1;1;z): the Euler form is exact where the plain sum cancels */
    assert_int_equal(crm_special_hyp2f1(-20.0, 1.0, 1.0, 0.999, &v), CRM_SPECIAL_OK);
    assert_rel(v, pow(0.001, 20.0), 1e-12);
    /* c a pole, but the series stops before it: a polynomial */
    assert_int_equal(crm_special_hyp2f1(-1.0, 1.0, -2.0, 0.5, &v), CRM_SPECIAL_OK);
    assert_rel(v, 1.25, 1e-15);
    assert_int_equal(crm_special_hyp2f1(1.0, -1.0, -2.0, -10.0, &v), CRM_SPECIAL_OK);
    assert_rel(v, -4.0, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_lgamma_sign_and_value),
        cmocka_unit_test(test_special_digamma_known_values),
        cmocka_unit_test(test_special_lgamma_diff_tiny_and_large_steps),
        cmocka_unit_test(test_special_log_add_exp_does_not_overflow),
        cmocka_unit_test(test_special_hyp2f1_log_closed_form),
        cmocka_unit_test(test_special_hyp2f1_power_closed_form),
        cmocka_unit_test(test_special_hyp2f1_inverse_trig_closed_forms),
        cmocka_unit_test(test_special_hyp2f1_integer_gap_one),
        cmocka_unit_test(test_special_hyp2f1_near_integer_gap),
        cmocka_unit_test(test_special_hyp2f1_matches_long_double_series),
        cmocka_unit_test(test_special_hyp2f1_scaled_beyond_double_range),
        cmocka_unit_test(test_special_hyp2f1_gauss_sum_and_polynomial),
        cmocka_unit_test(test_special_hyp2f1_reports_domain_errors),
    };
    return cmocka_run_group_tests_name("special", tests, NULL, NULL);
}
