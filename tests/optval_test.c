/* optval_test: option values — numbers and whole numbers in range, days with their units
 * and "all" — and the one wording of a refusal, naming the option and the text. */
#include "testutil.h"

#include "text/optval.h"

static void test_optval_number_in_range(void **state)
{
    (void)state;
    double v = -1;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_optval_number("--min-support", "0.25", 0, 1, &v, &e), CRM_OK);
    assert_true(v == 0.25);
    assert_int_equal(crm_optval_number("--min-support", "1", 0, 1, &v, &e), CRM_OK);
    assert_true(v == 1);
    static const char *const bad[] = {"1.5", "-0.1", "", "0.2x", "nan", "inf", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        v = 7;
        assert_int_equal(crm_optval_number("--min-support", bad[i], 0, 1, &v, &e), CRM_EUSAGE);
        assert_true(v == 7);   /* untouched */
    }
    crm_optval_number("--k", "abc", 1, 1000, &v, &e);
    assert_string_equal(e.msg, "--k abc: expected a number from 1 to 1000");
}

static void test_optval_integer_in_range(void **state)
{
    (void)state;
    long v = 0;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_optval_integer("--max-size", "3", 2, 3, &v, &e), CRM_OK);
    assert_int_equal(v, 3);
    assert_int_equal(crm_optval_integer("--max-size", "2.0", 2, 3, &v, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--max-size 2.0: expected a whole number from 2 to 3");
    assert_int_equal(crm_optval_integer("--max-size", "4", 2, 3, &v, &e), CRM_EUSAGE);
    assert_int_equal(crm_optval_integer("--days", "99999999999999999999", 1, 36600, &v, &e),
                     CRM_EUSAGE);
    assert_int_equal(v, 3);
}

static void test_optval_days_units_and_all(void **state)
{
    (void)state;
    int32_t d = -1;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_optval_days("--horizon", "90", 0, &d, &e), CRM_OK);
    assert_int_equal(d, 90);
    assert_int_equal(crm_optval_days("--horizon", "90d", 0, &d, &e), CRM_OK);
    assert_int_equal(d, 90);
    assert_int_equal(crm_optval_days("--horizon", "13w", 0, &d, &e), CRM_OK);
    assert_int_equal(d, 91);
    assert_int_equal(crm_optval_days("--floor", "0", 0, &d, &e), CRM_OK);
    assert_int_equal(d, 0);
    assert_int_equal(crm_optval_days("--window", "all", 1, &d, &e), CRM_OK);
    assert_int_equal(d, 0);
    /* without allow_all: "all" is refused; with it, 0 days is (0 would read as all) */
    assert_int_equal(crm_optval_days("--horizon", "all", 0, &d, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--horizon all: expected a number of days (e.g. 90, 90d or 13w)");
    assert_int_equal(crm_optval_days("--window", "0", 1, &d, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--window 0: expected a number of days (e.g. 90, 90d or 13w) "
                               "or all");
    assert_int_equal(crm_optval_days("--window", "2m", 1, &d, &e), CRM_EUSAGE);
    assert_int_equal(crm_optval_days("--window", "1000001", 1, &d, &e), CRM_EUSAGE);
    assert_int_equal(crm_optval_days("--window", "w", 1, &d, &e), CRM_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optval_number_in_range),
        cmocka_unit_test(test_optval_integer_in_range),
        cmocka_unit_test(test_optval_days_units_and_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
