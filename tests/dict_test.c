/* Tests for lib/dict: dense indexes in order of first appearance, short and long ids. */
#include "testutil.h"

#include "store/dict.h"

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

/* Ids of the first id's numeric form live in the direct map, all others in the table:
 * together they still give dense indexes in order of first appearance, and ids that look
 * alike across the forms ("C0000001", "C1", "C00000001", "D0000001") stay distinct. */
static void test_dict_numeric_ids_and_ids_of_other_forms_are_all_distinct(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    static const char *const fmt[] = {"C%07d", "C%d", "C%08d", "D%07d", "%07d", "C%07dx"};
    char id[32];
    uint32_t next = 0, idx;
    int added;
    for (int round = 0; round < 2; round++) {
        next = 0;
        for (int i = 0; i < 30000; i++) {
            int num = (i * 7919) % 30011;             /* scrambled, some below the first */
            for (int f = 0; f < 6; f++) {
                if (f > 0 && i % (f + 1))
                    continue;
                int n = snprintf(id, sizeof id, fmt[f], num + 5000);
                assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, &added), CRM_OK);
                assert_int_equal(added, round == 0);
                assert_int_equal(idx, next++);
                assert_true(crm_dict_find(d, id, (size_t)n, &idx));
                assert_int_equal(idx, next - 1);
                size_t len;
                assert_string_equal(crm_dict_id(d, idx, &len), id);
            }
        }
    }
    assert_int_equal(crm_dict_count(d), next);
    assert_false(crm_dict_find(d, "C0000000", 8, &idx));    /* in a page, never interned */
    assert_false(crm_dict_find(d, "C", 1, &idx));
    crm_dict_free(d);
}

/* Sequential numeric ids take about 4 bytes of map each, not the table's 32. */
static void test_dict_sequential_numeric_ids_are_stored_compactly(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    char id[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(id, sizeof id, "%d", 12346 + i);
        uint32_t idx;
        assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, NULL), CRM_OK);
    }
    assert_true(crm_dict_memory(d) < 100000u * 30);
    crm_dict_free(d);
}

/* Numbers spread over ten digits: the direct map stops growing when it turns sparse (and
 * most are past its span anyway); ids go to the table and are all found, including ids in
 * pages made before it closed. */
static void test_dict_sparse_numbers_close_the_map_and_lose_nothing(void **state)
{
    (void)state;
    struct crm_dict *d = crm_dict_new();
    char id[32];
    uint64_t rng = 42;
    int64_t nums[20000];
    uint32_t idx;
    for (int i = 0; i < 20000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        nums[i] = i % 4 == 0 ? 1000000000 + (int64_t)(rng >> 44)          /* near the first */
                             : 1000000000 + (int64_t)(rng >> 31) % 9000000000;
        int n = snprintf(id, sizeof id, "%lld", (long long)nums[i]);
        int added;
        assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, &added), CRM_OK);
        if (added)
            assert_int_equal(idx, crm_dict_count(d) - 1);
    }
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(id, sizeof id, "%lld", (long long)nums[i]);
        assert_true(crm_dict_find(d, id, (size_t)n, &idx));
        assert_string_equal(crm_dict_id(d, idx, NULL), id);
    }
    /* the ids near the first land in pages made, which lets the map take pages on that
     * evidence up to its early cap (64 MB), then it closes; plus the table */
    assert_true(crm_dict_memory(d) < (64u << 20) + 20000u * 200);
    crm_dict_free(d);
}

/* Intern count ids "C" + number for the numbers at[0..count), check each index and find
 * each again; the dictionary's memory. */
static size_t intern_all(const int64_t *at, size_t count)
{
    struct crm_dict *d = crm_dict_new();
    assert_non_null(d);
    char id[32];
    uint32_t idx;
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(id, sizeof id, "C%07lld", (long long)at[i]);
        int added;
        assert_int_equal(crm_dict_intern(d, id, (size_t)n, &idx, &added), CRM_OK);
        assert_true(added);
        assert_int_equal(idx, i);
    }
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(id, sizeof id, "C%07lld", (long long)at[i]);
        assert_true(crm_dict_find(d, id, (size_t)n, &idx));
        assert_int_equal(idx, i);
    }
    size_t bytes = crm_dict_memory(d);
    crm_dict_free(d);
    return bytes;
}

/* Customer numbers 1..N met in random order (an export of orders from N customers): the
 * first ids each make a page, but enough land in pages already made that the map keeps
 * growing, and every id ends in it (4 bytes an id) — not in a table of 32 bytes an id,
 * which is what it was when the map closed after its free pages (ids 4x the pages). */
static void test_dict_dense_numbers_in_random_order_stay_in_the_map(void **state)
{
    (void)state;
    enum { N = 1000 * 4096 };                  /* 1,000 pages of the map */
    int64_t *at = malloc(N * sizeof *at);
    assert_non_null(at);
    for (size_t i = 0; i < N; i++)
        at[i] = (int64_t)i + 1;
    uint64_t rng = 7;
    for (size_t i = N - 1; i > 0; i--) {           /* Fisher-Yates */
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t j = (size_t)((rng >> 33) % (i + 1));
        int64_t t = at[i];
        at[i] = at[j];
        at[j] = t;
    }
    size_t bytes = intern_all(at, N);
    /* the map's 16 MB, the text (9 bytes an id) and the offsets (8) in arrays grown by
     * doubling, a small table: 147 MB here; with the ids in the table 239 MB */
    assert_true(bytes < (size_t)N * (4 + 2 * 9 + 2 * 8) + (4u << 20));
    free(at);
}

/* Numbers spread thin over the map's span (one id in each page, in random order): no id
 * finds its page made, so nothing earns pages past the free ones (4 MB) and the rest go to
 * the table. */
static void test_dict_thin_numbers_earn_no_pages(void **state)
{
    (void)state;
    enum { N = 20000 };
    int64_t *at = malloc(N * sizeof *at);
    assert_non_null(at);
    for (size_t i = 0; i < N; i++)
        at[i] = ((int64_t)i * 7919 % N) * 4096 + 17;      /* page i*7919 mod N, a shuffle */
    size_t bytes = intern_all(at, N);
    assert_true(bytes < (4u << 20) + (size_t)N * 200);   /* the free pages and the table */
    free(at);
}

/* Keys given with hash 0 (the importer leaves ids with a number unhashed): one dictionary
 * fed keys with hash 0 and one fed full keys give the same index for every id — numbers
 * the direct map takes, sparse numbers that close it, ids of another form and ids without
 * a number — and finds agree across them; only ids the map does not take are hashed by
 * the dictionary (counted). */
static void key_of(struct crm_dict_key *k, const char *id, int lazy)
{
    crm_dict_key(k, id, strlen(id));
    if (lazy)
        k->hash = 0;
}

static void test_dict_keys_without_their_hash_agree_with_full_keys(void **state)
{
    (void)state;
    struct crm_dict *lazy = crm_dict_new(), *full = crm_dict_new();
    uint64_t rng = 7;
    char id[48];
    for (int i = 0; i < 60000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        unsigned kind = (unsigned)(rng >> 60);
        if (i < 20000)                    /* dense: the direct map, with repeats */
            snprintf(id, sizeof id, "C%07u", (unsigned)(rng >> 40) % 25000u);
        else if (kind < 8)                /* sparse: the map closes, then the table */
            snprintf(id, sizeof id, "C%07u", (unsigned)(rng >> 33) % 9999999u);
        else if (kind < 12)
            snprintf(id, sizeof id, "D%u", (unsigned)(rng >> 40) % 5000u);
        else
            snprintf(id, sizeof id, "guest-%u@x", (unsigned)(rng >> 40) % 5000u);
        struct crm_dict_key a, b;
        key_of(&a, id, 1);
        key_of(&b, id, 0);
        uint32_t ia, ib, fa = 0, fb = 0;
        int adda, addb;
        int founda = crm_dict_find_key(lazy, &a, &fa), foundb = crm_dict_find_key(full, &b, &fb);
        assert_int_equal(founda, foundb);
        assert_int_equal(fa, fb);
        (void)crm_dict_prefetch_num(lazy, &a);
        assert_int_equal(crm_dict_intern_key(lazy, &a, &ia, &adda), CRM_OK);
        assert_int_equal(crm_dict_intern_key(full, &b, &ib, &addb), CRM_OK);
        assert_int_equal(ia, ib);
        assert_int_equal(adda, addb);
        assert_int_equal(adda, !founda);
    }
    assert_int_equal(crm_dict_count(lazy), crm_dict_count(full));
    assert_int_equal(crm_dict_lazy_hashes(full), 0);
    uint64_t lazy_hashes = crm_dict_lazy_hashes(lazy);
    assert_true(lazy_hashes > 40000);     /* the table's ids: three lookups each */
    for (int i = 0; i < 25000; i++) {     /* dense ids found by number: no hash */
        snprintf(id, sizeof id, "C%07d", i);
        struct crm_dict_key a;
        key_of(&a, id, 1);
        uint32_t fa, fb;
        if (crm_dict_find_key(lazy, &a, &fa)) {
            assert_true(crm_dict_find(full, id, strlen(id), &fb));
            assert_int_equal(fa, fb);
        }
    }
    assert_int_equal(crm_dict_lazy_hashes(lazy), lazy_hashes);
    crm_dict_free(lazy);
    crm_dict_free(full);
}

/* The number found by crm_dict_prefetch_num, given to crm_dict_intern_keynum 8 keys later
 * (as crm-import does), against plain interns: 0 before the form is set and for ids of
 * another form, the number + 1 otherwise, and the same index for every key through pages
 * made, joined and the map's closing. */
static void test_dict_number_from_the_prefetch_agrees_with_the_intern(void **state)
{
    (void)state;
    struct crm_dict *two = crm_dict_new(), *one = crm_dict_new();
    struct crm_dict_key k;
    crm_dict_key(&k, "C0000100", 8);
    assert_int_equal(crm_dict_prefetch_num(two, &k), 0);      /* no form yet */
    uint32_t idx;
    int added;
    assert_int_equal(crm_dict_intern_keynum(two, &k, 0, &idx, &added), CRM_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(crm_dict_intern_key(one, &k, &idx, &added), CRM_OK);
    assert_int_equal(crm_dict_prefetch_num(two, &k), 101);
    crm_dict_key(&k, "C0000000", 8);
    assert_int_equal(crm_dict_prefetch_num(two, &k), 1);
    crm_dict_key(&k, "C1234567", 8);
    assert_int_equal(crm_dict_prefetch_num(two, &k), 1234568);
    const char *other[] = {"C000010", "C00001000", "D0000100", "c0000100", "guest@x", "C"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        crm_dict_key(&k, other[i], strlen(other[i]));
        assert_int_equal(crm_dict_prefetch_num(two, &k), 0);
    }
    enum { AHEAD = 8, N = 80000 };
    static char ids[N][24];
    uint64_t rng = 11, num1[AHEAD];
    for (int i = 0; i < N; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        unsigned kind = (unsigned)(rng >> 60);
        if (i < 30000)                    /* dense: pages made and joined, with repeats */
            snprintf(ids[i], sizeof ids[i], "C%07u", (unsigned)(rng >> 40) % 40000u);
        else if (kind < 8)                /* sparse: the map closes, then the table */
            snprintf(ids[i], sizeof ids[i], "C%07u", (unsigned)(rng >> 33) % 9999999u);
        else
            snprintf(ids[i], sizeof ids[i], "guest-%u@x", (unsigned)(rng >> 40) % 5000u);
    }
    for (int i = 0; i < N + AHEAD; i++) {
        int j = i - AHEAD;                /* interned first: its number is read, then reused */
        if (j >= 0) {
            uint32_t ia, ib;
            int adda, addb;
            crm_dict_key(&k, ids[j], strlen(ids[j]));
            assert_int_equal(crm_dict_intern_keynum(two, &k, num1[j % AHEAD], &ia, &adda),
                             CRM_OK);
            assert_int_equal(crm_dict_intern_key(one, &k, &ib, &addb), CRM_OK);
            assert_int_equal(ia, ib);
            assert_int_equal(adda, addb);
        }
        if (i < N) {
            crm_dict_key(&k, ids[i], strlen(ids[i]));
            num1[i % AHEAD] = crm_dict_prefetch_num(two, &k);
            if (ids[i][0] == 'g')
                assert_int_equal(num1[i % AHEAD], 0);
            else
                assert_int_equal(num1[i % AHEAD], (uint64_t)atoi(ids[i] + 1) + 1);
        }
    }
    assert_int_equal(crm_dict_count(two), crm_dict_count(one));
    for (int i = 0; i < N; i++) {           /* every id found again, at the same index */
        uint32_t ia, ib;
        assert_true(crm_dict_find(two, ids[i], strlen(ids[i]), &ia));
        assert_true(crm_dict_find(one, ids[i], strlen(ids[i]), &ib));
        assert_int_equal(ia, ib);
    }
    crm_dict_free(two);
    crm_dict_free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_indexes_are_dense_and_stable_across_growth),
        cmocka_unit_test(test_dict_numeric_ids_and_ids_of_other_forms_are_all_distinct),
        cmocka_unit_test(test_dict_sequential_numeric_ids_are_stored_compactly),
        cmocka_unit_test(test_dict_sparse_numbers_close_the_map_and_lose_nothing),
        cmocka_unit_test(test_dict_dense_numbers_in_random_order_stay_in_the_map),
        cmocka_unit_test(test_dict_thin_numbers_earn_no_pages),
        cmocka_unit_test(test_dict_short_ids_that_differ_only_in_length_or_bytes),
        cmocka_unit_test(test_dict_keys_without_their_hash_agree_with_full_keys),
        cmocka_unit_test(test_dict_number_from_the_prefetch_agrees_with_the_intern),
        cmocka_unit_test(test_dict_ids_differing_in_any_one_byte_are_distinct),
    };
    return cmocka_run_group_tests_name("dict", tests, NULL, NULL);
}
