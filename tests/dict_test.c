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

/* Every length up to past the inline limit, each id differing from a base in one byte
 * position (or by a trailing NUL): all distinct, each found again as itself. */
static void test_dict_ids_differing_in_any_one_byte_are_distinct(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    char id[16];
    uint32_t next = 0, idx;
    int added;
    for (size_t len = 0; len <= 14; len++) {
        for (size_t p = 0; p <= len; p++) {      /* p == len: the base id itself */
            memset(id, 'k', sizeof id);
            if (p < len)
                id[p] = (char)('A' + p);
            assert_int_equal(crm_dict_intern(d, id, len, &idx, &added), CRM_OK);
            assert_true(added);
            assert_int_equal(idx, next++);
        }
        memset(id, 'k', sizeof id);
        id[len] = '\0';                          /* the base with a NUL after it */
        assert_int_equal(crm_dict_intern(d, id, len + 1, &idx, &added), CRM_OK);
        assert_true(added);
        next++;
    }
    next = 0;
    for (size_t len = 0; len <= 14; len++) {
        for (size_t p = 0; p <= len; p++) {
            memset(id, 'k', sizeof id);
            if (p < len)
                id[p] = (char)('A' + p);
            assert_true(crm_dict_find(d, id, len, &idx));
            assert_int_equal(idx, next++);
        }
        next++;
    }
    crm_dict_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_indexes_are_dense_and_stable_across_growth),
        cmocka_unit_test(test_dict_short_ids_that_differ_only_in_length_or_bytes),
        cmocka_unit_test(test_dict_ids_differing_in_any_one_byte_are_distinct),
    };
    return cmocka_run_group_tests_name("dict", tests, NULL, NULL);
}
