/* Tests for lib/base/bigmem: crm_big_realloc keeps the bytes and zeroes the rest whether the
 * block moves from calloc to its own mapping, grows as a mapping (mremap) or shrinks. */
#include "testutil.h"

#include "base/bigmem.h"

#define MIB ((size_t)1 << 20)

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + 7);
}

static size_t first_wrong(const unsigned char *p, size_t kept, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (i < kept ? (unsigned char)(i * 31 + 7) : 0))
            return i;
    return n;
}

static void test_bigmem_realloc_keeps_bytes_and_zeroes_the_rest(void **state)
{
    (void)state;
    unsigned char *p = crm_big_calloc(MIB);             /* calloc'ed */
    assert_non_null(p);
    assert_int_equal(first_wrong(p, 0, MIB), MIB);
    fill(p, MIB);
    p = crm_big_realloc(p, MIB, 3 * MIB);               /* to a mapping: copied */
    assert_non_null(p);
    assert_int_equal(first_wrong(p, MIB, 3 * MIB), 3 * MIB);
    fill(p, 3 * MIB);
    p = crm_big_realloc(p, 3 * MIB, 64 * MIB + 4096);    /* mapping to mapping: moved */
    assert_non_null(p);
    assert_int_equal(first_wrong(p, 3 * MIB, 64 * MIB + 4096), 64 * MIB + 4096);
    fill(p, 64 * MIB + 4096);
    p = crm_big_realloc(p, 64 * MIB + 4096, 5 * MIB);    /* shrunk: the head kept */
    assert_non_null(p);
    assert_int_equal(first_wrong(p, 5 * MIB, 5 * MIB), 5 * MIB);
    p = crm_big_realloc(p, 5 * MIB, 7 * MIB);            /* grown again: the dropped part
                                                             comes back as zeros */
    assert_non_null(p);
    assert_int_equal(first_wrong(p, 5 * MIB, 7 * MIB), 7 * MIB);
    crm_big_free(p, 7 * MIB);
}

static void test_bigmem_realloc_from_null_is_calloc(void **state)
{
    (void)state;
    unsigned char *p = crm_big_realloc(NULL, 0, 4 * MIB);
    assert_non_null(p);
    assert_int_equal(first_wrong(p, 0, 4 * MIB), 4 * MIB);
    crm_big_free(p, 4 * MIB);
}

static void test_bigmem_capacity_doubles_to_the_need(void **state)
{
    (void)state;
    assert_int_equal(crm_big_capacity(0, 1), 4096);
    assert_int_equal(crm_big_capacity(0, 4097), 8192);
    assert_int_equal(crm_big_capacity(8192, 8192), 8192);    /* enough: unchanged */
    assert_int_equal(crm_big_capacity(8192, 100), 8192);
    assert_int_equal(crm_big_capacity(4096, 100000), 131072);
    assert_int_equal(crm_big_capacity(3000000000u, 3000000001u), UINT32_MAX);   /* no wrap */
    assert_int_equal(crm_big_capacity(0, UINT32_MAX), UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bigmem_realloc_keeps_bytes_and_zeroes_the_rest),
        cmocka_unit_test(test_bigmem_realloc_from_null_is_calloc),
        cmocka_unit_test(test_bigmem_capacity_doubles_to_the_need),
    };
    return cmocka_run_group_tests_name("bigmem", tests, NULL, NULL);
}
