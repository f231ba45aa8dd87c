/* Tests for lib/idset: numeric ids in the bitmap, others hashed, migration when sparse,
 * and lookups that always agree with a plain reference set. */
#include "testutil.h"

#include "import/idset.h"

static int add(struct crm_idset *s, const char *id)
{
    struct crm_numid n = crm_numid_split(id, strlen(id));
    return crm_idset_insert(s, id, strlen(id), crm_idset_hash(id, strlen(id)), &n);
}

static int has(const struct crm_idset *s, const char *id)
{
    struct crm_numid n = crm_numid_split(id, strlen(id));
    return crm_idset_contains(s, id, strlen(id), crm_idset_hash(id, strlen(id)), &n);
}

static void test_idset_zero_padded_ids_use_the_bitmap_and_keep_their_width(void **state)
{
    (void)state;
    struct crm_idset *s = crm_idset_new();
    char id[32];
    for (int i = 1; i <= 100000; i++) {
        snprintf(id, sizeof id, "O%08d", i);
        assert_int_equal(add(s, id), 0);
    }
    assert_true(crm_idset_numeric(s));
    assert_true(crm_idset_memory(s) < 1u << 20);
    assert_true(has(s, "O00000001"));
    assert_true(has(s, "O00100000"));
    assert_false(has(s, "O00100001"));
    assert_false(has(s, "O1"));          /* another width: another id */
    assert_false(has(s, "O000000001"));
    assert_int_equal(add(s, "O1"), 0);   /* hashed */
    assert_true(has(s, "O1"));
    assert_false(has(s, "O2"));
    assert_int_equal(crm_idset_count(s), 100001);
    crm_idset_free(s);
}

static void test_idset_plain_numbers_cross_widths_and_leading_zeros_are_other_ids(void **state)
{
    (void)state;
    struct crm_idset *s = crm_idset_new();
    char id[32];
    for (int i = 1; i <= 20000; i++) {
        snprintf(id, sizeof id, "%d", i);
        assert_int_equal(add(s, id), 0);
    }
    assert_true(crm_idset_numeric(s));
    assert_true(has(s, "9") && has(s, "10") && has(s, "20000"));
    assert_false(has(s, "010"));
    assert_false(has(s, "20001"));
    add(s, "010");
    assert_true(has(s, "010"));
    assert_true(has(s, "10"));
    crm_idset_free(s);
}

/* Compare with a sorted reference across a mix of forms and a forced migration. */
static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_idset_agrees_with_a_reference_set_through_migration(void **state)
{
    (void)state;
    struct crm_idset *s = crm_idset_new();
    enum { N = 30000 };
    char **ref = calloc(N, sizeof *ref);
    uint64_t x = 88172645463325252ull;
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char id[40];
        unsigned kind = (unsigned)(x % 10);
        if (i < 2000 || kind < 6)         /* dense at first, then sparse: forces migration */
            snprintf(id, sizeof id, "INV%06d", i < 2000 ? i : (int)(x % 999999));
        else if (kind < 8)
            snprintf(id, sizeof id, "%llu", (unsigned long long)(x >> 20));
        else
            snprintf(id, sizeof id, "订单-%u", (unsigned)(x % 50000));
        assert_int_equal(add(s, id), 0);
        ref[n++] = strdup(id);
    }
    assert_false(crm_idset_numeric(s));   /* migrated */
    qsort(ref, n, sizeof *ref, cmpstr);
    for (size_t i = 0; i < n; i++)
        assert_true(has(s, ref[i]));
    size_t misses = 0;
    for (int i = 0; i < 5000; i++) {
        char id[40];
        snprintf(id, sizeof id, "INV%06d", 1000000 + i);
        misses += !has(s, id);
        snprintf(id, sizeof id, "absent-%d", i);
        misses += !has(s, id);
    }
    assert_int_equal(misses, 10000);
    for (size_t i = 0; i < n; i++)
        free(ref[i]);
    free(ref);
    crm_idset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idset_zero_padded_ids_use_the_bitmap_and_keep_their_width),
        cmocka_unit_test(test_idset_plain_numbers_cross_widths_and_leading_zeros_are_other_ids),
        cmocka_unit_test(test_idset_agrees_with_a_reference_set_through_migration),
    };
    return cmocka_run_group_tests_name("idset", tests, NULL, NULL);
}
