/* buf_test: the growable arrays of lib/base/buf.h — crm_grow keeps the array when it has
 * room, doubles from the first capacity or the current one until the need fits, keeps the
 * entries, and leaves the array and its capacity alone when the size cannot be held. */
#include "testutil.h"

#include "base/buf.h"

static void test_buf_grow_doubles_to_the_need(void **state)
{
    (void)state;
    size_t cap = 0;
    int *v = crm_grow(NULL, &cap, 1, sizeof *v, 4);
    assert_non_null(v);
    assert_int_equal(cap, 4);
    for (int i = 0; i < 4; i++)
        v[i] = i * 10;
    int *same = crm_grow(v, &cap, 4, sizeof *v, 4);   /* room enough: unchanged */
    assert_ptr_equal(same, v);
    assert_int_equal(cap, 4);
    v = crm_grow(v, &cap, 5, sizeof *v, 4);
    assert_non_null(v);
    assert_int_equal(cap, 8);
    v = crm_grow(v, &cap, 33, sizeof *v, 4);          /* 8 → 16 → 32 → 64 */
    assert_non_null(v);
    assert_int_equal(cap, 64);
    for (int i = 0; i < 4; i++)
        assert_int_equal(v[i], i * 10);               /* entries kept */
    free(v);
}

static void test_buf_grow_failure_leaves_array_and_capacity(void **state)
{
    (void)state;
    size_t cap = 0;
    char *p = crm_grow(NULL, &cap, 16, 1, 16);
    assert_non_null(p);
    memcpy(p, "kept", 5);
    /* a size that cannot be held: refused before any allocation */
    assert_null(crm_grow(p, &cap, SIZE_MAX, 1, 16));
    assert_null(crm_grow(p, &cap, SIZE_MAX / 4, 8, 16));
    assert_int_equal(cap, 16);
    assert_string_equal(p, "kept");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grow_doubles_to_the_need),
        cmocka_unit_test(test_buf_grow_failure_leaves_array_and_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
