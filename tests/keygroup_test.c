/* keygroup_test: distinct keys of doubles with summed weights — groups numbered as first seen,
 * weights summed in the order given, -0 and +0 one value, the table grown through many
 * rehashes, batches equal to single adds, and the groups' order by their keys. */
#include "testutil.h"

#include <math.h>

#include "base/keygroup.h"
#include "base/rng.h"

static void test_keygroup_rejects_key_sizes_out_of_range(void **state)
{
    (void)state;
    struct crm_keygroup g;
    assert_int_equal(crm_keygroup_init(&g, 0), -1);
    assert_int_equal(crm_keygroup_init(&g, CRM_KEYGROUP_MAX_KEYS + 1), -1);
    assert_int_equal(crm_keygroup_init(&g, CRM_KEYGROUP_MAX_KEYS), 0);
    crm_keygroup_free(&g);
}

static void test_keygroup_numbers_groups_as_first_seen(void **state)
{
    (void)state;
    struct crm_keygroup g;
    assert_int_equal(crm_keygroup_init(&g, 2), 0);
    const double k[][2] = {{3, 1}, {1, 3}, {3, 1}, {-0.0, 2}, {0.0, 2}, {1, 3}, {3, 2}};
    const double w[] = {0.5, 1, 0.25, 2, 3, 4, 1};
    const uint32_t want[] = {0, 1, 0, 2, 2, 1, 3};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(crm_keygroup_add(&g, k[i], w[i]), want[i]);
    assert_int_equal(g.n, 4);
    assert_true(g.weight[0] == 0.75);
    assert_true(g.weight[1] == 5);
    assert_true(g.weight[2] == 5);
    assert_true(g.weight[3] == 1);
    assert_true(crm_keygroup_key(&g, 2)[0] == 0.0);
    assert_true(signbit(crm_keygroup_key(&g, 2)[0]));   /* the first seen: -0 */
    assert_true(crm_keygroup_key(&g, 3)[1] == 2);
    crm_keygroup_free(&g);
}

/* 60,000 distinct keys, each added twice at once and once more in a second round: the table
 * doubles many times over and every later add finds its group. */
#define MANY 60000u

static void test_keygroup_grows_through_rehashes(void **state)
{
    (void)state;
    struct crm_keygroup g;
    assert_int_equal(crm_keygroup_init(&g, 3), 0);
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < MANY; i++) {
            const double k[3] = {i % 7, i * 0.5, -(double)(i / 7)};
            assert_int_equal(crm_keygroup_add(&g, k, 1.0 + round), i);
            if (round == 0)   /* found at once, also right after the table grew */
                assert_int_equal(crm_keygroup_add(&g, k, 2.0), i);
        }
    }
    assert_int_equal(g.n, MANY);
    assert_true(g.mask + 1 >= 2 * MANY);
    for (uint32_t i = 0; i < MANY; i++) {
        assert_true(g.weight[i] == 5.0);
        assert_true(crm_keygroup_key(&g, i)[1] == i * 0.5);
    }
    crm_keygroup_free(&g);
}

/* Random keys from a small range (many repeats), with and without weights, in batches that
 * are not a whole number of CRM_KEYGROUP_BATCH: the same groups and the same sums, bit for
 * bit, as adding them one by one. */
static void test_keygroup_batches_equal_single_adds(void **state)
{
    (void)state;
    enum { N = 3 * CRM_KEYGROUP_BATCH + 77 };
    static double keys[N * 2], w[N];
    static uint32_t got[N];
    struct crm_rng rng;
    crm_rng_seed(&rng, 5);
    for (size_t i = 0; i < N; i++) {
        keys[2 * i] = (double)(int)(crm_rng_uniform(&rng) * 20);
        keys[2 * i + 1] = (double)(int)(crm_rng_uniform(&rng) * 30) / 8;
        w[i] = crm_rng_uniform(&rng);
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        struct crm_keygroup one, many;
        assert_int_equal(crm_keygroup_init(&one, 2), 0);
        assert_int_equal(crm_keygroup_init(&many, 2), 0);
        assert_int_equal(crm_keygroup_add_many(&many, keys, weighted ? w : NULL, 0, got), 0);
        assert_int_equal(crm_keygroup_add_many(&many, keys, weighted ? w : NULL, N, got), 0);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(crm_keygroup_add(&one, keys + 2 * i, weighted ? w[i] : 1.0),
                             got[i]);
        assert_true(one.n > 300 && one.n < N);
        assert_int_equal(one.n, many.n);
        assert_memory_equal(one.key, many.key, one.n * 2 * sizeof *one.key);
        assert_memory_equal(one.weight, many.weight, one.n * sizeof *one.weight);
        crm_keygroup_free(&one);
        crm_keygroup_free(&many);
    }
}

static void test_keygroup_orders_groups_by_their_keys(void **state)
{
    (void)state;
    struct crm_keygroup g;
    assert_int_equal(crm_keygroup_init(&g, 3), 0);
    const double k[][3] = {{2, 1, 5}, {1, 9, 0}, {2, 0.5, 7}, {-1, 4, 4}, {2, 1, -3},
                           {1, 9, 0}, {0, 0, 0}};
    for (size_t i = 0; i < 7; i++)
        assert_true(crm_keygroup_add(&g, k[i], 1.0) != UINT32_MAX);
    size_t order[6];
    assert_int_equal(crm_keygroup_order(&g, order), 0);
    assert_null(g.slot);
    /* groups: 0 {2,1,5} 1 {1,9,0} 2 {2,0.5,7} 3 {-1,4,4} 4 {2,1,-3} 5 {0,0,0} */
    const size_t want[] = {3, 5, 1, 2, 4, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(order[i], want[i]);
    assert_true(g.weight[1] == 2);
    crm_keygroup_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygroup_rejects_key_sizes_out_of_range),
        cmocka_unit_test(test_keygroup_numbers_groups_as_first_seen),
        cmocka_unit_test(test_keygroup_grows_through_rehashes),
        cmocka_unit_test(test_keygroup_batches_equal_single_adds),
        cmocka_unit_test(test_keygroup_orders_groups_by_their_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
