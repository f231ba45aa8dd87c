/* Tests for lib/err: messages and location formatting. */
#include "testutil.h"

#include "base/err.h"

static void test_err_strerror_names_every_code(void **state)
{
    (void)state;
    for (int c = 0; c < CRM_ERR_COUNT; c++)
        assert_non_null(crm_strerror((enum crm_err)c));
    assert_string_equal(crm_strerror(CRM_ECORRUPT), "corrupt store");
    assert_string_equal(crm_strerror((enum crm_err)999), "unknown error");
}

static void test_err_format_file_line_field(void **state)
{
    (void)state;
    struct crm_errinfo e;
    char buf[600];
    crm_errinfo_clear(&e);
    crm_errinfo_where(&e, "orders.csv", 1234, 3, -1);
    assert_int_equal(crm_errinfo_set(&e, CRM_EDATA, "bad date \"%s\"", "2024-13-45"), CRM_EDATA);
    crm_errinfo_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "orders.csv:1234: field 3: bad date \"2024-13-45\"");
}

static void test_err_format_chunk(void **state)
{
    (void)state;
    struct crm_errinfo e;
    char buf[600];
    crm_errinfo_clear(&e);
    crm_errinfo_where(&e, "s.crm", -1, -1, 7);
    crm_errinfo_set(&e, CRM_ECORRUPT, "checksum mismatch");
    crm_errinfo_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "s.crm: chunk 7: checksum mismatch");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_strerror_names_every_code),
        cmocka_unit_test(test_err_format_file_line_field),
        cmocka_unit_test(test_err_format_chunk),
    };
    return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
