/* internal to lib/: the tools in cmd/ do not include it. */
/* hash: a fast 64-bit hash of byte strings for in-memory tables (dictionary, order-id set).
 * Not cryptographic and not part of any on-disk format: values may change between
 * versions, except crm_hash_stable (partitioning), which must never change. */
#ifndef CRM_HASH_H
#define CRM_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

__extension__ typedef unsigned __int128 crm_u128;

static inline uint64_t crm_hash_mix(uint64_t a, uint64_t b)
{
    crm_u128 r = (crm_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t crm_hash_load8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t crm_hash_load4(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Multiply-fold hash over 16-byte steps; the tail is read as two overlapping words. */
static inline uint64_t crm_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const uint64_t k1 = 0xa0761d6478bd642full, k2 = 0xe7037ed1a0b428dbull,
                   k3 = 0x8ebc6af09c88c6e3ull;
    const unsigned char *s = data;
    uint64_t h = seed ^ crm_hash_mix(seed ^ k1, (uint64_t)n ^ k2);
    uint64_t a, b;
    while (n > 16) {
        h = crm_hash_mix(crm_hash_load8(s) ^ k2, crm_hash_load8(s + 8) ^ h);
        s += 16;
        n -= 16;
    }
    if (n > 8) {
        a = crm_hash_load8(s);
        b = crm_hash_load8(s + n - 8);
    } else if (n >= 4) {
        a = crm_hash_load4(s);
        b = crm_hash_load4(s + n - 4);
    } else if (n > 0) {
        a = ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1];
        b = 0;
    } else {
        a = b = 0;
    }
    return crm_hash_mix(k3 ^ (uint64_t)n, crm_hash_mix(a ^ k2, b ^ h));
}

/* The partition hash of `crm-import --partition`: FNV-1a over the bytes, then a
 * multiply-xorshift finish so that `% n` spreads well. Byte-wise, hence the same on every
 * machine and compiler; it must NEVER change, or partitioned stores built at different
 * times would disagree (docs/SCALE.md). */
static inline uint64_t crm_hash_stable(const void *data, size_t n)
{
    const unsigned char *s = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

#endif
