/* Tests for lib/colcodec's byte planes: every plane decodes to what was packed, and each
 * kind of plane is stored the way that pays (runs, skewed bytes, random bytes). */
#include "testutil.h"

#include "store/colcodec.h"
#include "base/rng.h"

#define N 65536

struct packed {
    struct crm_zctx z;
    struct crm_buf scratch, tmp, out;
    unsigned mask;
};

static void pack(struct packed *p, const int64_t *v, size_t n, int64_t lo, int w)
{
    memset(p, 0, sizeof *p);
    crm_col_planes_pack(&p->z, v, n, lo, w, &p->scratch, &p->tmp, &p->out, &p->mask);
    assert_false(p->out.oom);
}

/* Stored bytes of plane j (after its u32 length). */
static size_t plane_len(const struct packed *p, int j)
{
    size_t at = 0;
    for (int k = 0; k < j; k++)
        at += 4 + (size_t)crm_le_get(p->out.data + at, 4);
    return (size_t)crm_le_get(p->out.data + at, 4);
}

static void unpack_equals(struct packed *p, const int64_t *v, size_t n, int64_t lo, int w)
{
    unsigned char *plane = malloc(n * (size_t)(w ? w : 1));   /* w planes of n bytes */
    int64_t *back = malloc(n * sizeof *back);
    assert_non_null(plane);
    assert_non_null(back);
    assert_int_equal(crm_col_planes_unpack(&p->z, p->out.data, p->out.len, n, w, p->mask, lo,
                                           plane, back),
                     0);
    for (size_t i = 0; i < n; i++)
        if (back[i] != v[i])
            fail_msg("value %zu: %lld, expected %lld", i, (long long)back[i], (long long)v[i]);
    /* a damaged length or a byte less is an error, not a misread */
    assert_int_not_equal(crm_col_planes_unpack(&p->z, p->out.data, p->out.len - 1, n, w,
                                               p->mask, lo, plane, back),
                         0);
    free(plane);
    free(back);
    crm_zctx_free(&p->z);
    crm_buf_free(&p->scratch);
    crm_buf_free(&p->tmp);
    crm_buf_free(&p->out);
}

/* N values made by gen from a seeded generator (prev: the value before, 0 at first). */
static int64_t *column(uint64_t seed, int64_t (*gen)(struct crm_rng *r, int64_t prev))
{
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    struct crm_rng r;
    crm_rng_seed(&r, seed);
    for (size_t i = 0; i < N; i++)
        v[i] = gen(&r, i ? v[i - 1] : 0);
    return v;
}

/* Status-like: long runs of one value, a few others. */
static int64_t runs(struct crm_rng *r, int64_t prev)
{
    return crm_rng_next(r) % 500 == 0 ? (int64_t)(crm_rng_next(r) % 4) : prev;
}

/* Quantity-like: 1 + k with P(k) = 2^-(k+1), about 2 bits of entropy, no runs. */
static int64_t skewed(struct crm_rng *r, int64_t prev)
{
    (void)prev;
    uint64_t x = crm_rng_next(r);
    int k = 0;
    while (k < 9 && (x & 1)) {
        x >>= 1;
        k++;
    }
    return 1 + k;
}

/* Amount-like, three bytes: random low bytes, a high byte mostly zero. */
static int64_t amounts(struct crm_rng *r, int64_t prev)
{
    (void)prev;
    uint64_t x = crm_rng_next(r);
    return 100 + (int64_t)(x & 0xffff) + ((x >> 60) == 0 ? (int64_t)((x >> 16) & 0xff) << 16 : 0);
}

/* A one-byte column of gen's values is deflated into fewer than `limit` bytes and decodes. */
static void one_plane_under(uint64_t seed, int64_t (*gen)(struct crm_rng *r, int64_t prev),
                            int64_t lo, size_t limit)
{
    int64_t *v = column(seed, gen);
    struct packed p;
    pack(&p, v, N, lo, 1);
    assert_int_equal(p.mask, 1u);
    assert_true(plane_len(&p, 0) < limit);
    unpack_equals(&p, v, N, lo, 1);
    free(v);
}

static void test_colcodec_runs_store_in_a_sliver(void **state)
{
    (void)state;
    one_plane_under(7, runs, 0, N / 100);           /* run-length matches, not bytes */
}

static void test_colcodec_skewed_bytes_take_their_entropy(void **state)
{
    (void)state;
    one_plane_under(11, skewed, 1, N * 29 / 100);   /* Huffman codes: ~2.0 bits a byte */
}

/* Random low bytes stay raw, the skewed high byte is deflated, and everything decodes. */
static void test_colcodec_random_planes_stay_raw(void **state)
{
    (void)state;
    int64_t *v = column(3, amounts);
    struct packed p;
    pack(&p, v, N, 100, 3);
    assert_int_equal(p.mask, 4u);
    assert_int_equal(plane_len(&p, 0), N);
    assert_int_equal(plane_len(&p, 1), N);
    assert_true(plane_len(&p, 2) < N / 2);
    unpack_equals(&p, v, N, 100, 3);
    free(v);
}

/* With z.raw set (a store on a pipe) nothing is deflated. */
static void test_colcodec_raw_context_keeps_every_plane(void **state)
{
    (void)state;
    int64_t *v = calloc(N, sizeof *v);
    assert_non_null(v);
    struct packed p;
    memset(&p, 0, sizeof p);
    p.z.raw = 1;
    crm_col_planes_pack(&p.z, v, N, 0, 2, &p.scratch, &p.tmp, &p.out, &p.mask);
    assert_int_equal(p.mask, 0u);
    assert_int_equal(p.out.len, 2 * (4 + N));
    unpack_equals(&p, v, N, 0, 2);
    free(v);
}

/* Inflating is all or nothing: exactly the declared size from exactly the stored bytes;
 * a stream cut short, one with bytes after its end, a declared size one off either way, or
 * a flipped byte is -1, never a partial or padded column. */
static void test_colcodec_inflate_exact_or_refused(void **state)
{
    (void)state;
    enum { M = 20000 };
    unsigned char in[M], out[M + 8];
    for (size_t i = 0; i < M; i++)
        in[i] = (unsigned char)(i % 7 == 0 ? i : i / 100);
    struct crm_zctx z = {0};
    struct crm_buf d = {0};
    assert_int_equal(crm_col_deflate(&z, in, M, &d), 0);
    assert_true(d.len > 16 && d.len < M);
    assert_int_equal(crm_col_inflate(&z, d.data, d.len, out, M), 0);
    assert_memory_equal(out, in, M);
    assert_int_not_equal(crm_col_inflate(&z, d.data, d.len - 1, out, M), 0);   /* cut */
    assert_int_not_equal(crm_col_inflate(&z, d.data, d.len, out, M - 1), 0);   /* longer */
    assert_int_not_equal(crm_col_inflate(&z, d.data, d.len, out, M + 1), 0);   /* shorter */
    unsigned char *more = malloc(d.len + 1);
    assert_non_null(more);
    memcpy(more, d.data, d.len);
    more[d.len] = 0;
    assert_int_not_equal(crm_col_inflate(&z, more, d.len + 1, out, M), 0);     /* trailing */
    int refused = 0;
    for (size_t k = 0; k < d.len; k += 7) {   /* a flipped byte: refused or a different column */
        memcpy(more, d.data, d.len);
        more[k] ^= 0x5a;
        if (crm_col_inflate(&z, more, d.len, out, M) != 0)
            refused++;
        else
            assert_true(memcmp(out, in, M) != 0 || k + 1 == d.len);
    }
    assert_true(refused > 0);
    assert_int_equal(crm_col_inflate(&z, d.data, d.len, out, M), 0);   /* still usable */
    assert_memory_equal(out, in, M);
    free(more);
    crm_buf_free(&d);
    crm_zctx_free(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colcodec_runs_store_in_a_sliver),
        cmocka_unit_test(test_colcodec_skewed_bytes_take_their_entropy),
        cmocka_unit_test(test_colcodec_random_planes_stay_raw),
        cmocka_unit_test(test_colcodec_raw_context_keeps_every_plane),
        cmocka_unit_test(test_colcodec_inflate_exact_or_refused),
    };
    return cmocka_run_group_tests_name("colcodec_test", tests, NULL, NULL);
}
