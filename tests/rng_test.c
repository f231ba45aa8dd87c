/* Tests for lib/rng: the generator's exact output (values computed with an independent
 * Python transcription of splitmix64 and xoshiro256**) and the moments of its distributions. */
#include "testutil.h"

#include <math.h>

#include "base/rng.h"

static void test_rng_matches_reference_sequence(void **state)
{
    (void)state;
    struct crm_rng rng;
    crm_rng_seed(&rng, 0);
    /* splitmix64's first output for seed 0 is the well-known 0xe220a8397b1dcdaf */
    assert_true(rng.s[0] == 0xe220a8397b1dcdafULL);
    assert_true(crm_rng_next(&rng) == 0x99ec5f36cb75f2b4ULL);
    assert_true(crm_rng_next(&rng) == 0xbf6e1f784956452aULL);
    assert_true(crm_rng_next(&rng) == 0x1a5f849d4933e6e0ULL);
}

static void test_rng_uniform_is_open_interval(void **state)
{
    (void)state;
    struct crm_rng rng;
    crm_rng_seed(&rng, 3);
    double sum = 0.0, lo = 1.0, hi = 0.0;
    for (int i = 0; i < 200000; i++) {
        double u = crm_rng_uniform(&rng);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    assert_true(lo > 0.0 && hi < 1.0);
    /* mean 1/2, SE of the mean sqrt(1/12/200000) = 6.5e-4 */
    assert_true(fabs(sum / 200000 - 0.5) < 4 * 6.5e-4);
}

/* mean and variance of n draws within 4 standard errors of the truth (the SE of a sample
 * variance estimated from the fourth moment of the same draws) */
static void check_moments(double (*draw)(struct crm_rng *, const double *), const double *par,
                          double mean, double var)
{
    struct crm_rng rng;
    crm_rng_seed(&rng, 11);
    const int n = 400000;
    double s1 = 0.0, s2 = 0.0, s4 = 0.0;
    for (int i = 0; i < n; i++) {
        double v = draw(&rng, par) - mean;
        s1 += v;
        s2 += v * v;
        s4 += v * v * v * v;
    }
    double m = s1 / n, v2 = s2 / n, v4 = s4 / n;
    if (!(fabs(m) < 4 * sqrt(var / n)))
        fail_msg("mean off by %g (SE %g)", m, sqrt(var / n));
    if (!(fabs(v2 - var) < 4 * sqrt((v4 - v2 * v2) / n)))
        fail_msg("variance %g, want %g", v2, var);
}

static double draw_gamma(struct crm_rng *rng, const double *p)
{
    return crm_rng_gamma(rng, p[0], p[1]);
}

static double draw_beta(struct crm_rng *rng, const double *p)
{
    return crm_rng_beta(rng, p[0], p[1]);
}

static double draw_normal(struct crm_rng *rng, const double *p)
{
    (void)p;
    return crm_rng_normal(rng);
}

static double draw_exponential(struct crm_rng *rng, const double *p)
{
    (void)p;
    return crm_rng_exponential(rng);
}

static void test_rng_distribution_moments(void **state)
{
    (void)state;
    const double small[2] = {0.243, 1.0 / 4.414}, big[2] = {6.25, 2.0};
    check_moments(draw_gamma, small, 0.243 / 4.414, 0.243 / (4.414 * 4.414));
    check_moments(draw_gamma, big, 12.5, 25.0);
    const double ab[2] = {0.793, 2.426}, tiny[2] = {0.05, 0.08};
    double a = ab[0], b = ab[1];
    check_moments(draw_beta, ab, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));
    a = tiny[0];
    b = tiny[1];
    check_moments(draw_beta, tiny, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));
    check_moments(draw_normal, NULL, 0.0, 1.0);
    check_moments(draw_exponential, NULL, 1.0, 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_matches_reference_sequence),
        cmocka_unit_test(test_rng_uniform_is_open_interval),
        cmocka_unit_test(test_rng_distribution_moments),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
