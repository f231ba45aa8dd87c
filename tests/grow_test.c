/* grow_test: parallel arrays grown together (lib/base/grow): capacities double from the
 * first one, new elements are filled with the byte asked for (or left), old ones kept, and
 * a size that cannot be allocated fails without changing the capacity. */
#include "testutil.h"

#include <stdint.h>

#include "base/grow.h"

static void test_grow_doubles_fills_and_keeps(void **state)
{
    (void)state;
    uint32_t *map = NULL;
    uint16_t *part = NULL;
    size_t cap = 0;
    const struct crm_grow_array a[] = {{&map, sizeof *map, 0xff},
                                       {&part, sizeof *part, CRM_GROW_KEEP}};
    assert_int_equal(crm_grow_all(&cap, 3, 4, a, 2), 0);
    assert_int_equal(cap, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(map[i], UINT32_MAX);
    map[1] = 7;
    part[1] = 9;
    assert_int_equal(crm_grow_all(&cap, 4, 4, a, 2), 0);     /* room already */
    assert_int_equal(cap, 4);
    assert_int_equal(crm_grow_all(&cap, 17, 4, a, 2), 0);
    assert_int_equal(cap, 32);
    assert_int_equal(map[1], 7);
    assert_int_equal(part[1], 9);
    assert_int_equal(map[31], UINT32_MAX);
    assert_int_equal(map[4], UINT32_MAX);
    free(map);
    free(part);
}

static void test_grow_failure_keeps_capacity(void **state)
{
    (void)state;
    int64_t *v = NULL;
    size_t cap = 0;
    const struct crm_grow_array a[] = {{&v, sizeof *v, 0}};
    assert_int_equal(crm_grow_all(&cap, 10, 0, a, 1), 0);
    assert_int_equal(cap, 16);
    assert_int_equal(v[15], 0);
    assert_int_equal(crm_grow_all(&cap, SIZE_MAX / 4, 0, a, 1), -1);
    assert_int_equal(cap, 16);
    v[15] = 5;                      /* still the 16 elements it had */
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles_fills_and_keeps),
        cmocka_unit_test(test_grow_failure_keeps_capacity),
    };
    return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
