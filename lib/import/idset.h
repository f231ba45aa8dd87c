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

struct crm_idset;

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
/* contains, noting in *at where the id's bit is, for insert_at of the same id. */
int crm_idset_contains_at(const struct crm_idset *s, const char *id, size_t len, uint64_t h,
                          const struct crm_numid *n, struct crm_idset_at *at);
/* insert of the id that contains_at filled *at for, with no insert in between: its bit set
 * where it was found (one store instead of a second lookup), or insert when at is NULL or
 * its word NULL. 0, or -1 when out of memory. */
int crm_idset_insert_at(struct crm_idset *s, const struct crm_idset_at *at, const char *id,
                        size_t len, uint64_t h, const struct crm_numid *n);
/* 0, or -1 when out of memory. */
int crm_idset_insert(struct crm_idset *s, const char *id, size_t len, uint64_t h,
                     const struct crm_numid *n);
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
