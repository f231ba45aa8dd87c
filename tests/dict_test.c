/* Tests for lib/dict: dense indexes in order of first appearance, short and long ids. */
#include "testutil.h"

#include "dict.h"

static void test_dict_indexes_are_dense_and_stable_across_growth(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    char id[64];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(id, sizeof id, i % 3 ? "C%07d" : "customer-with-a-long-id-%d@example.com", i);
        uint32_t idx;
        int added;
        assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, &added), CRM_OK);
        assert_int_equal(idx, i);
        assert_true(added);
    }
    for (int i = 0; i < 100000; i += 7) {
        int n = snprintf(id, sizeof id, i % 3 ? "C%07d" : "customer-with-a-long-id-%d@example.com", i);
        uint32_t idx;
        int added;
        assert_true(crm_dict_find(d, id, (size_t)n, &idx));
        assert_int_equal(idx, i);
        assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, &added), CRM_OK);
        assert_false(added);
        size_t len;
        assert_string_equal(crm_dict_id(d, idx, &len), id);
        assert_int_equal(len, (size_t)n);
    }
    assert_int_equal(crm_dict_count(d), 100000);
    crm_dict_free(d);
}

static void test_dict_short_ids_that_differ_only_in_length_or_bytes(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    const char *ids[] = {"", "a", "a\x01", "张三", "张三丰", "12345678901", "123456789012",
                         "1234567890123"};
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t idx;
        assert_int_equal(crm_dict_intern(d, ids[i], strlen(ids[i]), &idx, NULL), CRM_OK);
        assert_int_equal(idx, i);
    }
    uint32_t idx;
    assert_false(crm_dict_find(d, "张", strlen("张"), &idx));
    assert_false(crm_dict_find(d, "12345678901234", 14, &idx));
    assert_true(crm_dict_find(d, "123456789012", 12, &idx));
    assert_int_equal(idx, 6);
    crm_dict_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_indexes_are_dense_and_stable_across_growth),
        cmocka_unit_test(test_dict_short_ids_that_differ_only_in_length_or_bytes),
    };
    return cmocka_run_group_tests_name("dict", tests, NULL, NULL);
}
