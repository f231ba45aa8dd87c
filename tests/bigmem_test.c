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

/* This machine's /proc/buddyinfo shape: DMA32 has 741 free order-10 blocks (1,482 huge pages)
 * and 12 order-9 ones; Normal 344 + 2 × 2,196. */
static const char BUDDY_FREE[] =
    "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1"
    "      1      3 \n"
    "Node 0, zone    DMA32     11     17     15     12     12     12     10     12     11"
    "     12    741 \n"
    "Node 0, zone   Normal   1832   7715   4123   1371   2248    320    164   1733   1119"
    "    344   2196 \n";
/* Memory filled by the page cache: 4 KiB pages free, few blocks of 2 MiB. */
static const char BUDDY_FRAGMENTED[] =
    "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1"
    "      1      3 \n"
    "Node 0, zone    DMA32   5011   2017    815     12     12     12     10     12     11"
    "      2      0 \n"
    "Node 0, zone   Normal  91832  27715   4123   1371   2248    320    164   1733   1119"
    "     30      1 \n";

static void test_bigmem_want_huge_reads_defrag_and_free_blocks(void **state)
{
    (void)state;
    /* free huge pages: DMA 1 + 2*3, DMA32 12 + 2*741, Normal 344 + 2*2196 = 6,237 */
    size_t free_huge = 1 + 6 + 12 + 1482 + 344 + 4392;
    size_t most = free_huge / 2 * 2 * MIB;     /* the largest block covered twice over */
    const char *md = "always defer defer+madvise [madvise] never\n";
    assert_true(crm_big_want_huge(md, BUDDY_FREE, 800 * MIB));
    assert_true(crm_big_want_huge(md, BUDDY_FREE, most));
    assert_false(crm_big_want_huge(md, BUDDY_FREE, most + 1));
    /* fragmented: 1 + 6 + 2 + 30 + 2 = 41 huge pages, so 20 blocks of 2 MiB at most */
    assert_true(crm_big_want_huge(md, BUDDY_FRAGMENTED, 40 * MIB));
    assert_false(crm_big_want_huge(md, BUDDY_FRAGMENTED, 40 * MIB + 1));
    assert_false(crm_big_want_huge(md, BUDDY_FRAGMENTED, 800 * MIB));
    assert_false(crm_big_want_huge("[always] defer defer+madvise madvise never\n",
                                   BUDDY_FRAGMENTED, 800 * MIB));
    assert_false(crm_big_want_huge("always defer [defer+madvise] madvise never\n",
                                   BUDDY_FRAGMENTED, 800 * MIB));
    assert_false(crm_big_want_huge(md, NULL, 4 * MIB));       /* unreadable: be safe */
    assert_false(crm_big_want_huge(md, "", 4 * MIB));
    /* settings whose faults never compact: always advised */
    assert_true(crm_big_want_huge("always [defer] defer+madvise madvise never\n",
                                  BUDDY_FRAGMENTED, 800 * MIB));
    assert_true(crm_big_want_huge("always defer defer+madvise madvise [never]\n", NULL,
                                  800 * MIB));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bigmem_realloc_keeps_bytes_and_zeroes_the_rest),
        cmocka_unit_test(test_bigmem_realloc_from_null_is_calloc),
        cmocka_unit_test(test_bigmem_capacity_doubles_to_the_need),
        cmocka_unit_test(test_bigmem_want_huge_reads_defrag_and_free_blocks),
    };
    return cmocka_run_group_tests_name("bigmem", tests, NULL, NULL);
}
