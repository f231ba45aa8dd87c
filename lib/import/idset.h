/* private to lib/import/: included only by the modules of this folder (and their tests). */
/* idset: the set of order ids already written, for duplicate detection on import. Two
 * representations behind one interface: ids of the form PREFIX + decimal number that
 * share the first id's prefix (and its zero-padded width, or all without leading zeros)
 * are bits in a paged bitmap — 1 bit per number, cache-friendly, exact; any other id is a
 * 64-bit hash in an open-addressing table (a hit there is verified against the stored id
 * by the caller). Which representation holds an id depends only on the id and on the
 * first id ever inserted, so lookups always look where inserts put it; if the numbers
 * turn out sparse the bitmap moves itself into the hash table for good. */
#ifndef CRM_IDSET_H
#define CRM_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "text/numid.h"

#define CRM_IDSET_PAGE_BITS 4096u
#define CRM_IDSET_MAX_PAGES (1u << 22)      /* a span of 2^34 numbers */

/* Visible for the inline look-up below (one a row on the importer's main thread); only
 * idset.c changes it. */
struct crm_idset {
    /* numeric form */
    int form_set;
    struct crm_numform form;       /* kind NONE: no bitmap (never, or no more) */
    int64_t base;
    uint64_t **pages;
    size_t npages_dir, npages;
    size_t numeric_count;
    int migrated;
    /* hashes */
    uint64_t *table;
    size_t mask, hashed_count;
};

struct crm_idset *crm_idset_new(void);
void crm_idset_free(struct crm_idset *s);

/* h is the caller's 64-bit hash of the id (nonzero), used when the id is not a number of
 * the set's form; *n is crm_numid_split of the id (split ahead by the caller, maybe on
 * another thread; by pointer: a copy of what was just stored field by field stalls).
 * contains: 1 when present (for a hash, possibly a collision), else 0. */
int crm_idset_contains(const struct crm_idset *s, const char *id, size_t len, uint64_t h,
                       const struct crm_numid *n);
/* Where contains_at found an id's bit: word NULL when the id is hashed or its page is not
 * made yet. Valid until the next insert (which may make pages or move the bitmap into the
 * hash table). */
struct crm_idset_at {
    uint64_t *word;
    uint64_t mask;
};
/* 0, or -1 when out of memory. */
int crm_idset_insert(struct crm_idset *s, const char *id, size_t len, uint64_t h,
                     const struct crm_numid *n);
/* contains for an id that is not a number of the bitmap: its hash looked up. */
int crm_idset_hash_contains(const struct crm_idset *s, uint64_t h);

/* The number of an id of the set's form, or -1 when it is not of that form (or is below
 * the base or beyond the span). */
static inline int64_t crm_idset_number_of(const struct crm_idset *s, const char *id,
                                          size_t len, const struct crm_numid *n)
{
    int64_t v = crm_numform_number(&s->form, id, len, n->number, n->digits);
    if (v < s->base || (uint64_t)(v - s->base) / CRM_IDSET_PAGE_BITS >= CRM_IDSET_MAX_PAGES)
        return -1;
    return v;
}

/* contains, noting in *at where the id's bit is, for insert_at of the same id. Inline: the
 * call and the round trip of *at through memory were a third of its cost a row. */
static inline int crm_idset_contains_at(const struct crm_idset *s, const char *id, size_t len,
                                        uint64_t h, const struct crm_numid *n,
                                        struct crm_idset_at *at)
{
    at->word = NULL;
    int64_t v = crm_idset_number_of(s, id, len, n);
    if (v < 0)
        return crm_idset_hash_contains(s, h);
    size_t bit = (size_t)(v - s->base), page = bit / CRM_IDSET_PAGE_BITS;
    if (page >= s->npages_dir || !s->pages[page])
        return 0;
    at->word = &s->pages[page][(bit % CRM_IDSET_PAGE_BITS) / 64];
    at->mask = 1ull << (bit % 64);
    return (*at->word & at->mask) != 0;
}

/* insert of the id that contains_at filled *at for, with no insert in between: its bit set
 * where it was found (one store instead of a second lookup), or insert when at is NULL or
 * its word NULL. 0, or -1 when out of memory. */
static inline int crm_idset_insert_at(struct crm_idset *s, const struct crm_idset_at *at,
                                      const char *id, size_t len, uint64_t h,
                                      const struct crm_numid *n)
{
    if (!at || !at->word)
        return crm_idset_insert(s, id, len, h, n);
    if (!(*at->word & at->mask)) {
        *at->word |= at->mask;
        s->numeric_count++;
    }
    return 0;
}
/* Fetch ahead the hash slot that contains and insert will read for an id of hash h and
 * split n (nothing when the id is likely a number of the bitmap). */
void crm_idset_prefetch(const struct crm_idset *s, uint64_t h, const struct crm_numid *n);

/* Make room for about n more hashed ids at once (avoids repeated growth). */
int crm_idset_reserve(struct crm_idset *s, size_t n);

size_t crm_idset_count(const struct crm_idset *s);
size_t crm_idset_memory(const struct crm_idset *s);
/* 1 while the numeric bitmap is in use (for tests and reports). */
int crm_idset_numeric(const struct crm_idset *s);

/* The id hash function both sides use. */
uint64_t crm_idset_hash(const char *id, size_t len);

#endif
