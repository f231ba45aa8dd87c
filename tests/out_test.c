/* Tests for lib/out's number formatting at its edges (the CSV writer itself is exercised by
 * every tool's golden cases). */
#include "testutil.h"

#include <math.h>

#include "text/out.h"

/* Found while writing the --params fuzz target: a value past ~1e48 overran the 64-byte
 * buffer (printf's full length was used), so `crm-churn --params-out` wrote a loglik of
 * -1e300 as a cut-off number followed by 250 bytes of stack. */
static void test_out_fixed_huge_values_fit_and_read_back(void **state)
{
    (void)state;
    const double values[] = {1e300, -1e300, 1.7976931348623157e308, -4.2e60, 1e48, 9.99e47};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[64 + 16];
        memset(buf, 'Z', sizeof buf);
        size_t n = crm_fmt_fixed(values[i], 7, buf);
        assert_true(n < 64);
        assert_int_equal(strlen(buf), n);
        assert_int_equal(buf[64], 'Z');            /* nothing written past the 64 bytes */
        char *end;
        double back = strtod(buf, &end);
        assert_int_equal(*end, '\0');
        assert_true(fabs(back - values[i]) <= fabs(values[i]) * 1e-7);
    }
    char buf[64];
    assert_int_equal(crm_fmt_fixed(-1e300, 7, buf), 15);
    assert_string_equal(buf, "-1.0000000e+300");
    crm_fmt_fixed(1234.5, 7, buf);
    assert_string_equal(buf, "1234.5000000");
    crm_fmt_fixed(9.99e47, 7, buf);                /* still fits the fixed form */
    assert_null(strchr(buf, 'e'));
}

static void test_out_fixed_rounds_and_drops_negative_zero(void **state)
{
    (void)state;
    char buf[64];
    crm_fmt_fixed(0.42631578947, 7, buf);
    assert_string_equal(buf, "0.4263158");
    crm_fmt_fixed(-0.00000001, 7, buf);
    assert_string_equal(buf, "0.0000000");
    assert_int_equal(crm_fmt_fixed(NAN, 7, buf), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_fixed_huge_values_fit_and_read_back),
        cmocka_unit_test(test_out_fixed_rounds_and_drops_negative_zero),
    };
    return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
