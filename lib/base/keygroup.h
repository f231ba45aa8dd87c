/* internal to lib/: the tools in cmd/ do not include it. */
/* keygroup: the distinct keys of a stream of items, each key a tuple of finite doubles, with
 * the sum of the items' weights per key. Groups are numbered as first seen; an item's
 * weight is added to its group in the order the items come, so the sums are the same as a
 * stable sort of the items followed by joining equal neighbours would give. -0 and +0 are
 * one value (the group keeps the first seen). Memory follows the distinct keys, not the
 * items: a hash table grown as they come (open addressing, load at most 1/2), the keys and
 * the sums. For compacting millions of customer summaries into the few hundred thousand
 * distinct ones a model's likelihood needs. */
#ifndef CRM_KEYGROUP_H
#define CRM_KEYGROUP_H

#include <stddef.h>
#include <stdint.h>

#define CRM_KEYGROUP_MAX_KEYS 4

struct crm_keygroup {
    int nkeys;           /* doubles a key, 1..CRM_KEYGROUP_MAX_KEYS */
    size_t n;            /* groups */
    size_t cap;          /* groups the arrays have room for */
    double *key;         /* n keys of nkeys doubles, by group */
    double *weight;      /* n sums, by group */
    uint32_t *slot;      /* hash table: group + 1; 0 = empty. NULL once sorted */
    size_t mask;         /* slots - 1 */
};

/* An empty set of keys of nkeys doubles (1..CRM_KEYGROUP_MAX_KEYS); -1 when out of memory
 * or nkeys is out of range. */
int crm_keygroup_init(struct crm_keygroup *g, int nkeys);

/* The group of key[0..nkeys), made when new, with weight added to its sum; UINT32_MAX when
 * out of memory or past 2^32 - 2 groups (g is unchanged then). */
uint32_t crm_keygroup_add(struct crm_keygroup *g, const double *key, double weight);

/* n items at once, their keys one after the other at keys (n * nkeys doubles), their weights
 * at weight (NULL: 1 each): group[i] gets item i's group. The same groups and sums as n calls of crm_keygroup_add,
 * faster on many items (the table and keys are fetched a few items ahead). -1 when out of
 * memory (the groups of the items before the failing one are made). */
#define CRM_KEYGROUP_BATCH 256
int crm_keygroup_add_many(struct crm_keygroup *g, const double *keys, const double *weight,
                          size_t n, uint32_t *group);

/* order[0..n) = the groups sorted by their keys, the first double the first criterion.
 * Frees the hash table first (no more adds after this). -1 when out of memory. */
int crm_keygroup_order(struct crm_keygroup *g, size_t *order);

static inline const double *crm_keygroup_key(const struct crm_keygroup *g, size_t group)
{
    return g->key + group * (size_t)g->nkeys;
}

void crm_keygroup_free(struct crm_keygroup *g);

#endif
