/* churnargs_test: crm-churn's options set by name in lib/model/churnargs.c — the numbers and
 * days (ranges, units, the wording of a refusal), a given horizon remembered, and the end of
 * calibration with and without --calibration-end or an as-of date. */
#include "testutil.h"

#include "model/churn.h"
#include "text/timeparse.h"

static void test_churnargs_numbers_and_days(void **state)
{
    (void)state;
    struct crm_churn_args a;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_churn_args_default(&a);
    assert_int_equal(a.horizon_given, 0);
    assert_int_equal(crm_churn_set_option(&a, "k", "2.5", &e), CRM_OK);
    assert_true(a.rules.k == 2.5);
    assert_int_equal(crm_churn_set_option(&a, "discount", "0.1", &e), CRM_OK);
    assert_true(a.m.annual_discount == 0.1);
    assert_int_equal(crm_churn_set_option(&a, "penalty", "0.001", &e), CRM_OK);
    assert_true(a.m.penalty == 0.001);
    assert_int_equal(crm_churn_set_option(&a, "intervals", "0.9", &e), CRM_OK);
    assert_true(a.m.interval_level == 0.9);
    assert_int_equal(crm_churn_set_option(&a, "floor", "26w", &e), CRM_OK);
    assert_int_equal(a.rules.floor_days, 182);
    assert_int_equal(a.horizon_given, 0);
    assert_int_equal(crm_churn_set_option(&a, "horizon", "52w", &e), CRM_OK);
    assert_int_equal(a.m.horizon_days, 364);
    assert_int_equal(a.horizon_given, 1);
}

static void test_churnargs_refusals_name_option_and_range(void **state)
{
    (void)state;
    struct crm_churn_args a;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_churn_args_default(&a);
    assert_int_equal(crm_churn_set_option(&a, "k", "0", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--k 0: expected a number from 1 to 1000");
    assert_int_equal(crm_churn_set_option(&a, "penalty", "-1", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--penalty -1: expected a number from 0 to 1e+06");
    assert_int_equal(crm_churn_set_option(&a, "intervals", "1", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--intervals 1: expected a number from 0.5 to 0.999");
    assert_int_equal(crm_churn_set_option(&a, "horizon", "all", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--horizon all: expected a number of days (e.g. 90, 90d or 13w)");
    assert_int_equal(a.horizon_given, 0);   /* a refused horizon is not a given one */
    assert_int_equal(a.m.horizon_days, 90);
}

static void test_churnargs_end_of_calibration(void **state)
{
    (void)state;
    struct crm_churn_args a;
    struct crm_errinfo e;
    int32_t as_of, end, want;
    crm_errinfo_clear(&e);
    crm_churn_args_default(&a);
    assert_int_equal(crm_date_parse("2025-01-01", &as_of), 0);
    assert_int_equal(crm_churn_args_end(&a, as_of, &end, &e), CRM_OK);
    assert_int_equal(end, as_of - 1);
    assert_int_equal(crm_churn_args_end(&a, CRM_NO_DAY, &end, &e), CRM_OK);
    assert_int_equal(end, CRM_NO_DAY);
    a.cal = "2024-09-30";
    assert_int_equal(crm_date_parse(a.cal, &want), 0);
    assert_int_equal(crm_churn_args_end(&a, CRM_NO_DAY, &end, &e), CRM_OK);
    assert_int_equal(end, want);
    a.cal = "2024-09-31";
    assert_int_equal(crm_churn_args_end(&a, as_of, &end, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--calibration-end 2024-09-31: expected YYYY-MM-DD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_churnargs_numbers_and_days),
        cmocka_unit_test(test_churnargs_refusals_name_option_and_range),
        cmocka_unit_test(test_churnargs_end_of_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
