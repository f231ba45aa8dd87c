/* radix: LSD radix sorts (see radix.h). */
#include "base/radix.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t key_at(const unsigned char *base, size_t i, size_t size, size_t off)
{
    uint64_t k;
    memcpy(&k, base + i * size + off, sizeof k);
    return k;
}

/* The one sort: n elements of `size` bytes, keyed by the 64-bit word at byte `off`. Always
 * inlined, so each caller's constant size and offset give the code of a typed sort. */
static inline __attribute__((always_inline)) void *
radix(void *pa, void *pb, size_t n, size_t size, size_t off, unsigned first_digit)
{
    unsigned char *a = pa, *b = pb;
    if (n == 0)
        return a;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = key_at(a, i, size, off);
        for (unsigned d = first_digit; d < 8; d++)
            count[d][(k >> (8 * d)) & 255]++;
    }
    for (unsigned d = first_digit; d < 8; d++) {
        size_t *c = count[d];
        if (c[(key_at(a, 0, size, off) >> (8 * d)) & 255] == n)
            continue;
        size_t sum = 0;
        for (unsigned v = 0; v < 256; v++) {
            size_t k = c[v];
            c[v] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            memcpy(b + size * c[(key_at(a, i, size, off) >> (8 * d)) & 255]++, a + size * i,
                   size);
        unsigned char *t = a;
        a = b;
        b = t;
    }
    return a;
}

uint64_t *crm_radix_u64(uint64_t *a, uint64_t *b, size_t n, unsigned first_digit)
{
    return radix(a, b, n, sizeof *a, 0, first_digit);
}

struct crm_radix_pair *crm_radix_pairs(struct crm_radix_pair *a, struct crm_radix_pair *b,
                                       size_t n, int by_idx, unsigned first_digit)
{
    if (by_idx)
        return radix(a, b, n, sizeof *a, offsetof(struct crm_radix_pair, idx), first_digit);
    return radix(a, b, n, sizeof *a, offsetof(struct crm_radix_pair, key), first_digit);
}

uint64_t crm_radix_double_key(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0;
    memcpy(&u, &v, sizeof u);
    return (u & 0x8000000000000000u) ? ~u : u | 0x8000000000000000u;
}

static double double_at(const void *items, size_t size, size_t i, size_t off)
{
    double v;
    memcpy(&v, (const char *)items + i * size + off, sizeof v);
    return v;
}

int crm_radix_order_doubles(const void *items, size_t n, size_t size, const size_t *offs,
                            int nkeys, size_t *order)
{
    struct crm_radix_pair *a = malloc((n ? n : 1) * sizeof *a);
    struct crm_radix_pair *b = malloc((n ? n : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        a[i].idx = i;
    struct crm_radix_pair *r = a;
    for (int k = nkeys - 1; k >= 0; k--) {   /* last criterion first: the sort is stable */
        for (size_t i = 0; i < n; i++)
            r[i].key = crm_radix_double_key(double_at(items, size, r[i].idx, offs[k]));
        r = crm_radix_pairs(r, r == a ? b : a, n, 0, 0);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (size_t)r[i].idx;
    free(a);
    free(b);
    return 0;
}
