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

/* A buffer holding "xyz" with capacity cap (0: as crm_buf_put makes it, 256). */
static void buf_xyz(struct crm_buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    if (cap) {
        b->data = malloc(cap);
        assert_non_null(b->data);
        b->cap = cap;
    }
    crm_buf_put(b, "xyz", 3);
    memset(b->data + b->len, '#', b->cap - b->len);
}

/* crm_buf_put_short: every length 0..40 from the end of a source, into a buffer with room
 * to spare, with room for exactly n bytes, one byte short (grown), and after a failed
 * allocation (dropped) — the same bytes, length, capacity and state as crm_buf_put, and
 * nothing written past the length. */
static void test_buf_put_short_puts_what_put_puts(void **state)
{
    (void)state;
    unsigned char src[40];
    for (int i = 0; i < 40; i++)
        src[i] = (unsigned char)(0x41 + i);
    for (size_t n = 0; n <= 40; n++) {
        for (int room = 0; room < 4; room++) {
            size_t cap = room == 1 ? 3 + n : room == 2 ? 3 + n - 1 : 0;
            if (room == 2 && n < 2)
                continue;
            struct crm_buf a, b;
            buf_xyz(&a, cap);
            buf_xyz(&b, cap);
            if (room == 3)
                a.oom = b.oom = 1;
            crm_buf_put(&a, src + 40 - n, n);
            crm_buf_put_short(&b, src + 40 - n, n);
            assert_int_equal(b.len, a.len);
            assert_int_equal(b.cap, a.cap);
            assert_int_equal(b.oom, a.oom);
            assert_memory_equal(b.data, a.data, a.len);
            if (room != 2)                 /* not moved by a realloc: the rest untouched */
                for (size_t i = b.len; i < b.cap; i++)
                    assert_int_equal(b.data[i], '#');
            free(a.data);
            free(b.data);
        }
    }
}

/* crm_copy_upto24: every length 0..24, from the end of the source's bytes into the middle of
 * a larger destination: exactly the n bytes copied, none around them written. */
static void test_buf_copy_upto24_copies_exactly_n_bytes(void **state)
{
    (void)state;
    char src[24];
    for (int i = 0; i < 24; i++)
        src[i] = (char)('a' + i);
    for (size_t n = 0; n <= 24; n++) {
        char dst[40];
        memset(dst, '#', sizeof dst);
        crm_copy_upto24(dst + 8, src + 24 - n, n);      /* the source's last n bytes */
        for (size_t i = 0; i < sizeof dst; i++) {
            char want = i >= 8 && i < 8 + n ? src[24 - n + (i - 8)] : '#';
            assert_int_equal(dst[i], want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grow_doubles_to_the_need),
        cmocka_unit_test(test_buf_grow_failure_leaves_array_and_capacity),
        cmocka_unit_test(test_buf_put_short_puts_what_put_puts),
        cmocka_unit_test(test_buf_copy_upto24_copies_exactly_n_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
