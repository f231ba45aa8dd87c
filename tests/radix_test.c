/* Tests for lib/radix: the sorts agree with qsort, are stable, skip nothing that varies, and
 * double and integer keys sort as the numbers do. */
#include <math.h>

#include "testutil.h"

#include "base/radix.h"
#include "base/rng.h"

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

static void test_radix_u64_equals_qsort(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 255, 256, 1000, 70000};
    static const uint64_t masks[] = {UINT64_MAX, 0xFF, 0xFF00000000ull, 0x8000000000000001ull};
    struct crm_rng r;
    crm_rng_seed(&r, 7);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
            size_t n = sizes[s];
            uint64_t *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
            uint64_t *want = malloc((n + 1) * sizeof *want);
            for (size_t i = 0; i < n; i++)
                want[i] = a[i] = crm_rng_next(&r) & masks[m];
            qsort(want, n, sizeof *want, cmp_u64);
            const uint64_t *got = crm_radix_u64(a, b, n, 0);
            if (n)
                assert_memory_equal(got, want, n * sizeof *want);
            free(a);
            free(b);
            free(want);
        }
    }
}

static void test_radix_pairs_are_stable_and_sort_by_either_word(void **state)
{
    (void)state;
    enum { N = 5000 };
    struct crm_radix_pair *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    for (size_t i = 0; i < N; i++)
        a[i] = (struct crm_radix_pair){(i * 7919) % 13, i};   /* many ties */
    struct crm_radix_pair *s = crm_radix_pairs(a, b, N, 0, 0);
    for (size_t i = 1; i < N; i++) {
        assert_true(s[i - 1].key <= s[i].key);
        if (s[i - 1].key == s[i].key)
            assert_true(s[i - 1].idx < s[i].idx);   /* ties keep their order */
    }
    struct crm_radix_pair *spare = s == a ? b : a;
    s = crm_radix_pairs(s, spare, N, 1, 0);         /* back by idx */
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(s[i].idx, i);
        assert_int_equal(s[i].key, (i * 7919) % 13);
    }
    free(a);
    free(b);
}

static void test_radix_keys_sort_as_numbers(void **state)
{
    (void)state;
    static const double d[] = {-INFINITY, -1e300, -2.5, -1.0, -1e-300, 0.0, 1e-300, 0.5, 1.0,
                               2.0, 3.5, 1e300, INFINITY};
    for (size_t i = 1; i < sizeof d / sizeof d[0]; i++)
        assert_true(crm_radix_double_key(d[i - 1]) < crm_radix_double_key(d[i]));
    assert_true(crm_radix_double_key(-0.0) == crm_radix_double_key(0.0));
    static const int64_t v[] = {INT64_MIN, -5, -1, 0, 1, 42, INT64_MAX};
    for (size_t i = 1; i < sizeof v / sizeof v[0]; i++)
        assert_true(crm_radix_int_key(v[i - 1]) < crm_radix_int_key(v[i]));
}

struct item {
    double x, y;
    int tag;
};

static int cmp_item(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return (a->tag > b->tag) - (a->tag < b->tag);   /* the original order: stability */
}

static void test_radix_order_doubles_is_lexicographic_and_stable(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct crm_rng r;
    crm_rng_seed(&r, 11);
    struct item *it = malloc(N * sizeof *it), *want = malloc(N * sizeof *want);
    for (int i = 0; i < N; i++) {
        it[i].x = (double)(crm_rng_next(&r) % 20);                    /* counts, many ties */
        it[i].y = (double)(crm_rng_next(&r) % 500) / 7.0 - 30.0;      /* negative too */
        if (i % 97 == 0)
            it[i].y = -0.0;
        it[i].tag = i;
    }
    memcpy(want, it, N * sizeof *it);
    qsort(want, N, sizeof *want, cmp_item);
    size_t *order = malloc(N * sizeof *order);
    static const size_t by[2] = {offsetof(struct item, x), offsetof(struct item, y)};
    assert_int_equal(crm_radix_order_doubles(it, N, sizeof *it, by, 2, order), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(it[order[i]].tag, want[i].tag);
    assert_int_equal(crm_radix_order_doubles(it, 0, sizeof *it, by, 2, order), 0);
    free(it);
    free(want);
    free(order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radix_u64_equals_qsort),
        cmocka_unit_test(test_radix_pairs_are_stable_and_sort_by_either_word),
        cmocka_unit_test(test_radix_keys_sort_as_numbers),
        cmocka_unit_test(test_radix_order_doubles_is_lexicographic_and_stable),
    };
    return cmocka_run_group_tests_name("radix", tests, NULL, NULL);
}
