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

/* The importer's pair: contains_at, then insert_at of the same id when it was missing.
 * *at names a bitmap word exactly when the id is a number of the set's form whose page is
 * made; insert_at then sets that bit and counts it once; otherwise it inserts. */
static int has_at(const struct crm_idset *s, const char *id, struct crm_idset_at *at)
{
    struct crm_numid n = crm_numid_split(id, strlen(id));
    return crm_idset_contains_at(s, id, strlen(id), crm_idset_hash(id, strlen(id)), &n, at);
}

static int add_at(struct crm_idset *s, const struct crm_idset_at *at, const char *id)
{
    struct crm_numid n = crm_numid_split(id, strlen(id));
    return crm_idset_insert_at(s, at, id, strlen(id), crm_idset_hash(id, strlen(id)), &n);
}

static void test_idset_insert_at_where_contains_at_looked(void **state)
{
    (void)state;
    struct crm_idset *s = crm_idset_new();
    struct crm_idset_at at = {(uint64_t *)1, 1};
    assert_false(has_at(s, "O00000100", &at));
    assert_null(at.word);                 /* no form yet: nothing to point at */
    assert_int_equal(add_at(s, &at, "O00000100"), 0);
    assert_true(crm_idset_numeric(s));
    assert_false(has_at(s, "O00000101", &at));
    assert_non_null(at.word);             /* same page: its word */
    assert_int_equal(*at.word & at.mask, 0);
    assert_int_equal(add_at(s, &at, "O00000101"), 0);
    assert_true(has(s, "O00000101"));
    assert_false(has(s, "O00000102"));
    assert_true(has_at(s, "O00000101", &at));
    assert_int_equal(add_at(s, &at, "O00000101"), 0);    /* already there: counted once */
    assert_int_equal(crm_idset_count(s), 2);
    assert_false(has_at(s, "O09000000", &at));
    assert_null(at.word);                 /* its page is not made yet */
    assert_int_equal(add_at(s, &at, "O09000000"), 0);
    assert_true(has(s, "O09000000"));
    assert_false(has_at(s, "X-7", &at));
    assert_null(at.word);                 /* hashed */
    assert_int_equal(add_at(s, &at, "X-7"), 0);
    assert_true(has(s, "X-7"));
    assert_int_equal(add_at(s, NULL, "Y-8"), 0);           /* no at: a plain insert */
    assert_true(has(s, "Y-8"));
    assert_int_equal(crm_idset_count(s), 5);
    crm_idset_free(s);
}

/* contains_at + insert_at against plain insert on a second set, row by row, through dense
 * and sparse numbers (the bitmap migrates), other widths and hashed ids: the same answers
 * and the same count at every step. */
static void test_idset_insert_at_agrees_with_insert_through_migration(void **state)
{
    (void)state;
    struct crm_idset *s = crm_idset_new(), *r = crm_idset_new();
    uint64_t x = 0x2545F4914F6CDD1Dull;
    size_t new_ids = 0, bitmap_hits = 0;
    for (int i = 0; i < 60000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char id[40];
        unsigned kind = (unsigned)(x % 10);
        if (i < 20000 || kind < 5)        /* dense, with repeats; then sparse: migration */
            snprintf(id, sizeof id, "O%07d", i < 20000 ? (int)(x % 21000) : (int)(x % 9999999));
        else if (kind < 7)
            snprintf(id, sizeof id, "O%d", (int)(x % 5000));
        else
            snprintf(id, sizeof id, "k%llu", (unsigned long long)(x % 30000));
        struct crm_idset_at at;
        int held = has_at(s, id, &at);
        assert_int_equal(held, has(r, id));
        bitmap_hits += at.word != NULL;
        if (!held) {
            assert_int_equal(add_at(s, &at, id), 0);
            assert_int_equal(add(r, id), 0);
            new_ids++;
        }
        assert_true(has(s, id));
        assert_int_equal(crm_idset_count(s), crm_idset_count(r));
    }
    assert_false(crm_idset_numeric(s));   /* migrated on the way */
    assert_true(bitmap_hits > 10000);     /* the pair took the one-store path often */
    assert_true(new_ids > 30000);
    crm_idset_free(s);
    crm_idset_free(r);
}

/* The set starts a cache line of its own (insert_at writes its count every row; a set on
 * the line of something the reader threads read made every write a miss): made between
 * small allocations, each set is 64-byte aligned, and a small allocation made right after
 * it lies on a later line than the set's first. */
static void test_idset_starts_a_cache_line_of_its_own(void **state)
{
    (void)state;
    struct crm_idset *s[8];
    void *small[8];
    for (int i = 0; i < 8; i++) {
        s[i] = crm_idset_new();
        small[i] = malloc(24);
        assert_non_null(s[i]);
        assert_non_null(small[i]);
        assert_int_equal((uintptr_t)s[i] % 64, 0);
        assert_true((uintptr_t)small[i] / 64 > (uintptr_t)s[i] / 64 + 1 ||
                    (uintptr_t)small[i] < (uintptr_t)s[i]);
        assert_int_equal(add(s[i], "O00000007"), 0);   /* zeroed, and works */
        assert_int_equal(crm_idset_count(s[i]), 1);
    }
    for (int i = 0; i < 8; i++) {
        crm_idset_free(s[i]);
        free(small[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idset_zero_padded_ids_use_the_bitmap_and_keep_their_width),
        cmocka_unit_test(test_idset_plain_numbers_cross_widths_and_leading_zeros_are_other_ids),
        cmocka_unit_test(test_idset_agrees_with_a_reference_set_through_migration),
        cmocka_unit_test(test_idset_insert_at_where_contains_at_looked),
        cmocka_unit_test(test_idset_insert_at_agrees_with_insert_through_migration),
        cmocka_unit_test(test_idset_starts_a_cache_line_of_its_own),
    };
    return cmocka_run_group_tests_name("idset", tests, NULL, NULL);
}
