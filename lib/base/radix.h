/* internal to lib/: the tools in cmd/ do not include it. */
/* radix: stable LSD radix sorts on 64-bit keys, 8-bit digits, O(n). One pass makes every
 * digit's histogram; a digit that is the same in every key is skipped, so keys that vary in
 * few bits cost few passes. Each sort takes the array and scratch room of the same length
 * and returns whichever of the two holds the result. */
#ifndef CRM_RADIX_H
#define CRM_RADIX_H

#include <stddef.h>
#include <stdint.h>

struct crm_radix_pair {
    uint64_t key;
    uint64_t idx;
};

/* Sorts a[0..n) ascending, looking at digits first_digit..7 only (the lower ones must not
 * matter to the caller). */
uint64_t *crm_radix_u64(uint64_t *a, uint64_t *scratch, size_t n, unsigned first_digit);

/* Sorts pairs by key (by_idx 0) or by idx (by_idx 1), digits first_digit..7. Stable, so
 * sorting by the last criterion first and the first one last gives lexicographic order. */
struct crm_radix_pair *crm_radix_pairs(struct crm_radix_pair *a, struct crm_radix_pair *scratch,
                                       size_t n, int by_idx, unsigned first_digit);

/* The key of a finite double that sorts as the number does (-0 and +0 are one key). */
uint64_t crm_radix_double_key(double v);

/* order[0..n) = the indexes of the n items of `size` bytes at `items`, sorted by the finite
 * doubles at byte offsets offs[0] (the first criterion) .. offs[nkeys - 1], stably. -1 when
 * out of memory, else 0. */
int crm_radix_order_doubles(const void *items, size_t n, size_t size, const size_t *offs,
                            int nkeys, size_t *order);

/* The key of a signed integer that sorts as the number does. */
static inline uint64_t crm_radix_int_key(int64_t v)
{
    return (uint64_t)v ^ 0x8000000000000000u;
}

#endif
