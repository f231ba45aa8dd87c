/* Tests for lib/base/stats: the normal and t distributions against values computed with
 * mpmath at 30 digits, Wilson and Newcombe intervals against Newcombe (1998)'s published
 * examples, the pooled z test and Welch's t by hand. */
#include <math.h>

#include "testutil.h"

#include "base/stats.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) < (tol))

static void test_stats_normal_cdf_and_quantile(void **state)
{
    (void)state;
    NEAR(crm_stats_normal_cdf(1.959963984540054), 0.975, 1e-15);
    NEAR(crm_stats_normal_quantile(0.975), 1.959963984540054, 1e-14);
    NEAR(crm_stats_normal_quantile(0.5), 0, 1e-15);
    NEAR(crm_stats_normal_quantile(1e-10), -6.361340902404056, 1e-12);
    for (double p = 0.001; p < 1; p += 0.0317)
        NEAR(crm_stats_normal_cdf(crm_stats_normal_quantile(p)), p, 1e-15);
}

static void test_stats_incomplete_beta_and_t_match_mpmath(void **state)
{
    (void)state;
    NEAR(crm_stats_beta_inc(2.5, 0.5, 0.3), 0.0189271240719456535, 1e-14);
    NEAR(crm_stats_beta_inc(50, 0.5, 0.99), 0.3173043978741975894, 1e-13);
    NEAR(crm_stats_t_cdf(2, 10), 0.963305982614629817, 1e-14);
    NEAR(crm_stats_t_cdf(-3.5, 4.3), 0.0110635487160248636, 1e-14);
    NEAR(crm_stats_t_cdf(1.7, 250.5), 0.954813930345833696, 1e-13);
    NEAR(crm_stats_t_cdf(1, 1), 0.75, 1e-15);   /* Cauchy */
    NEAR(crm_stats_t_quantile(0.975, 1), 12.7062047361747046, 1e-11);
    NEAR(crm_stats_t_quantile(0.975, 10), 2.22813885198627475, 1e-12);
    NEAR(crm_stats_t_quantile(0.975, 37.25), 2.02573354477522661, 1e-12);
    NEAR(crm_stats_t_quantile(0.025, 10), -2.22813885198627475, 1e-12);
    NEAR(crm_stats_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-14);
}

/* Newcombe (1998), Statistics in Medicine 17:857-872, Table I (Wilson, method 3). */
static void test_stats_wilson_matches_newcombe_table_1(void **state)
{
    (void)state;
    double lo, hi, z = 1.959963984540054;
    crm_stats_wilson(81, 263, z, &lo, &hi);
    NEAR(lo, 0.2553, 5e-5);
    NEAR(hi, 0.3662, 5e-5);
    crm_stats_wilson(15, 148, z, &lo, &hi);
    NEAR(lo, 0.0624, 5e-5);
    NEAR(hi, 0.1605, 5e-5);
    crm_stats_wilson(0, 20, z, &lo, &hi);
    assert_true(lo == 0);
    NEAR(hi, 0.1611, 5e-5);
    crm_stats_wilson(1, 29, z, &lo, &hi);
    NEAR(lo, 0.0061, 5e-5);
    NEAR(hi, 0.1718, 5e-5);
    crm_stats_wilson(29, 29, z, &lo, &hi);
    assert_true(hi == 1);
}

/* Newcombe (1998b), Statistics in Medicine 17:873-890, Table II, method 10. */
static void test_stats_newcombe_matches_published_examples(void **state)
{
    (void)state;
    double d, lo, hi, z = 1.959963984540054;
    crm_stats_newcombe(56, 70, 48, 80, z, &d, &lo, &hi);
    NEAR(d, 0.2, 1e-15);
    NEAR(lo, 0.0524, 5e-5);
    NEAR(hi, 0.3339, 5e-5);
    crm_stats_newcombe(9, 10, 3, 10, z, &d, &lo, &hi);
    NEAR(lo, 0.1705, 5e-5);
    NEAR(hi, 0.8090, 5e-5);
    crm_stats_newcombe(5, 56, 0, 29, z, &d, &lo, &hi);
    NEAR(lo, -0.0381, 5e-5);
    NEAR(hi, 0.1926, 5e-5);
}

static void test_stats_two_proportion_z_test(void **state)
{
    (void)state;
    /* 56/70 vs 48/80: pooled p = 104/150, z = 0.18333 / sqrt(p(1-p)(1/70+1/80)) */
    double p = 104.0 / 150, z = (56.0 / 70 - 48.0 / 80) / sqrt(p * (1 - p) * (1.0 / 70 + 1.0 / 80));
    NEAR(crm_stats_two_prop_p(56, 70, 48, 80), erfc(z / sqrt(2)), 1e-15);
    assert_true(crm_stats_two_prop_p(0, 50, 0, 60) == 1);
    assert_true(crm_stats_two_prop_p(5, 5, 7, 7) == 1);
}

static void test_stats_welch_by_hand(void **state)
{
    (void)state;
    /* x = 1,2,3,4,5 (mean 3, var 2.5); y = 2,4,6,8,10,12 (mean 7, var 14) */
    struct crm_stats_welch w;
    crm_stats_welch(3, 2.5, 5, 7, 14, 6, 0.95, &w);
    double s1 = 2.5 / 5, s2 = 14.0 / 6, se = sqrt(s1 + s2);
    double df = (s1 + s2) * (s1 + s2) / (s1 * s1 / 4 + s2 * s2 / 5);
    NEAR(w.diff, -4, 1e-15);
    NEAR(w.df, df, 1e-12);
    NEAR(w.t, -4 / se, 1e-12);
    double q = crm_stats_t_quantile(0.975, df);
    NEAR(w.lo, -4 - q * se, 1e-12);
    NEAR(w.hi, -4 + q * se, 1e-12);
    NEAR(w.p, 2 * crm_stats_t_cdf(-4 / se, df), 1e-15);
    /* mpmath, 30 digits: df 6.9722557297949337, p 0.049284338206730521 */
    NEAR(w.df, 6.9722557297949337, 1e-13);
    NEAR(w.p, 0.049284338206730521, 1e-13);
    crm_stats_welch(1, 0, 10, 1, 0, 10, 0.95, &w);
    assert_true(w.p == 1 && w.lo == 0 && w.hi == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_normal_cdf_and_quantile),
        cmocka_unit_test(test_stats_incomplete_beta_and_t_match_mpmath),
        cmocka_unit_test(test_stats_wilson_matches_newcombe_table_1),
        cmocka_unit_test(test_stats_newcombe_matches_published_examples),
        cmocka_unit_test(test_stats_two_proportion_z_test),
        cmocka_unit_test(test_stats_welch_by_hand),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
