/* internal to lib/: the tools in cmd/ do not include it. */
/* buf: a growable byte buffer and little-endian/varint encoding helpers for the store.
 * Invariant: data[0..len) is content, cap >= len; a failed allocation sets `oom` and
 * later appends are dropped, so callers check once at the end. */
#ifndef CRM_BUF_H
#define CRM_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct crm_buf {
    unsigned char *data;
    size_t len, cap;
    int oom;
};

static inline int crm_buf_reserve(struct crm_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

/* An array of elem-byte entries with room for need: p itself when *cap holds it, else p
 * moved to a capacity doubled (from *cap, or from first when 0) until it does, *cap updated.
 * NULL when memory runs out or the size would overflow: p and *cap untouched, p still the
 * caller's. */
static inline void *crm_grow(void *p, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : first;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return NULL;                 /* no such array: as out of memory */
        n *= 2;
    }
    void *q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

static inline void crm_buf_put(struct crm_buf *b, const void *p, size_t n)
{
    if (n == 0 || crm_buf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* n <= 24 bytes copied without a call (an order id into its window entry or its chunk,
 * once a row): words that overlap, reading and writing nothing outside [src, src + n),
 * [dst, dst + n). */
static inline void crm_copy_upto24(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 8) {
        uint64_t a, b, c;
        memcpy(&a, s, 8);
        memcpy(&c, s + n - 8, 8);
        if (n > 16) {
            memcpy(&b, s + 8, 8);
            memcpy(d + 8, &b, 8);
        }
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &c, 8);
    } else if (n >= 4) {
        uint32_t a, c;
        memcpy(&a, s, 4);
        memcpy(&c, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &c, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* crm_buf_put for a short text put once a row (an order id into its chunk): 4 to 16 bytes
 * with room for them are copied by crm_copy_upto24 (two words that overlap, nothing written
 * past the n bytes at the end); anything else goes to crm_buf_put. */
static inline void crm_buf_put_short(struct crm_buf *b, const void *p, size_t n)
{
    if (n - 4 > 12 || b->len + n > b->cap || b->oom) {
        crm_buf_put(b, p, n);
        return;
    }
    crm_copy_upto24(b->data + b->len, p, n);
    b->len += n;
}

static inline void crm_buf_u8(struct crm_buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    crm_buf_put(b, &c, 1);
}

static inline void crm_le_put(unsigned char *p, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t crm_le_get(const unsigned char *p, int nbytes)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void crm_buf_le(struct crm_buf *b, uint64_t v, int nbytes)
{
    unsigned char tmp[8];
    crm_le_put(tmp, v, nbytes);
    crm_buf_put(b, tmp, (size_t)nbytes);
}

static inline void crm_buf_varint(struct crm_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (unsigned char)v;
    crm_buf_put(b, tmp, (size_t)n);
}

/* Read a varint from p[*pos..end); -1 when it runs past end or over 64 bits. */
static inline int crm_varint_get(const unsigned char *p, size_t end, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= end)
            return -1;
        unsigned char c = p[(*pos)++];
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static inline void crm_buf_free(struct crm_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

#endif
