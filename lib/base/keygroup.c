/* keygroup: distinct keys of doubles with summed weights (see keygroup.h). Invariant: every
 * group g < n sits in exactly one slot, slot[s] == g + 1, reached from its hash by linear
 * probing, and 2 * n <= mask + 1 while the table exists. */
#include "base/keygroup.h"

#include <stdlib.h>
#include <string.h>

#include "base/radix.h"

#define FIRST_SLOTS 1024u

static uint64_t bits_of(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0;                 /* -0 and +0 are one value */
    memcpy(&u, &v, sizeof u);
    return u;
}

static uint64_t hash_of(const double *key, int nkeys)
{
    uint64_t h = 0;
    for (int i = 0; i < nkeys; i++) {
        h = (h ^ bits_of(key[i])) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static size_t slot_of(const double *key, int nkeys, size_t mask)
{
    return (size_t)hash_of(key, nkeys) & mask;
}

static int same(const double *a, const double *b, int nkeys)
{
    for (int i = 0; i < nkeys; i++)
        if (bits_of(a[i]) != bits_of(b[i]))
            return 0;
    return 1;
}

int crm_keygroup_init(struct crm_keygroup *g, int nkeys)
{
    memset(g, 0, sizeof *g);
    if (nkeys < 1 || nkeys > CRM_KEYGROUP_MAX_KEYS)
        return -1;
    g->nkeys = nkeys;
    g->slot = calloc(FIRST_SLOTS, sizeof *g->slot);
    g->mask = FIRST_SLOTS - 1;
    return g->slot ? 0 : -1;
}

/* The table doubled, every group placed again. */
static int rehash(struct crm_keygroup *g)
{
    size_t slots = 2 * (g->mask + 1);
    uint32_t *t = calloc(slots, sizeof *t);
    if (!t)
        return -1;
    for (size_t k = 0; k < g->n; k++) {
        size_t s = slot_of(crm_keygroup_key(g, k), g->nkeys, slots - 1);
        while (t[s])
            s = (s + 1) & (slots - 1);
        t[s] = (uint32_t)(k + 1);
    }
    free(g->slot);
    g->slot = t;
    g->mask = slots - 1;
    return 0;
}

/* Room for one more group in the arrays and the table. */
static int room(struct crm_keygroup *g)
{
    if (g->n + 1 > UINT32_MAX - 1)
        return -1;
    if (2 * (g->n + 1) > g->mask + 1 && rehash(g) != 0)
        return -1;
    if (g->n < g->cap)
        return 0;
    size_t cap = g->cap ? 2 * g->cap : 256;
    double *k = realloc(g->key, cap * (size_t)g->nkeys * sizeof *k);
    if (!k)
        return -1;
    g->key = k;
    double *w = realloc(g->weight, cap * sizeof *w);
    if (!w)
        return -1;
    g->weight = w;
    g->cap = cap;
    return 0;
}

/* crm_keygroup_add with the key's hash h given. */
static uint32_t add_hashed(struct crm_keygroup *g, const double *key, double weight, uint64_t h)
{
    size_t s = (size_t)h & g->mask;
    for (; g->slot[s]; s = (s + 1) & g->mask) {
        uint32_t k = g->slot[s] - 1;
        if (same(crm_keygroup_key(g, k), key, g->nkeys)) {
            g->weight[k] += weight;
            return k;
        }
    }
    size_t mask = g->mask;
    if (room(g) != 0)
        return UINT32_MAX;
    if (g->mask != mask) {       /* the table grew: probe it anew */
        s = (size_t)h & g->mask;
        while (g->slot[s])
            s = (s + 1) & g->mask;
    }
    memcpy(g->key + g->n * (size_t)g->nkeys, key, (size_t)g->nkeys * sizeof *key);
    g->weight[g->n] = weight;
    g->slot[s] = (uint32_t)(g->n + 1);
    return (uint32_t)g->n++;
}

uint32_t crm_keygroup_add(struct crm_keygroup *g, const double *key, double weight)
{
    return add_hashed(g, key, weight, hash_of(key, g->nkeys));
}

/* How far ahead a batch fetches: the slot SLOT_AHEAD items before, then the key the slot
 * names KEY_AHEAD items before (the slot is in cache by then). */
#define SLOT_AHEAD 16
#define KEY_AHEAD 8

int crm_keygroup_add_many(struct crm_keygroup *g, const double *keys, const double *weight,
                          size_t n, uint32_t *group)
{
    const size_t nk = (size_t)g->nkeys;
    for (size_t at = 0; at < n; at += CRM_KEYGROUP_BATCH) {
        size_t m = n - at < CRM_KEYGROUP_BATCH ? n - at : CRM_KEYGROUP_BATCH;
        const double *k = keys + at * nk;
        uint64_t h[CRM_KEYGROUP_BATCH];
        for (size_t i = 0; i < m; i++)
            h[i] = hash_of(k + i * nk, g->nkeys);
        for (size_t i = 0; i < m; i++) {
            if (i + SLOT_AHEAD < m)
                __builtin_prefetch(&g->slot[h[i + SLOT_AHEAD] & g->mask]);
            if (i + KEY_AHEAD < m) {
                uint32_t s = g->slot[h[i + KEY_AHEAD] & g->mask];
                if (s)
                    __builtin_prefetch(crm_keygroup_key(g, s - 1));
            }
            double w = weight ? weight[at + i] : 1.0;
            if ((group[at + i] = add_hashed(g, k + i * nk, w, h[i])) == UINT32_MAX)
                return -1;
        }
    }
    return 0;
}

int crm_keygroup_order(struct crm_keygroup *g, size_t *order)
{
    free(g->slot);
    g->slot = NULL;
    size_t offs[CRM_KEYGROUP_MAX_KEYS];
    for (int i = 0; i < g->nkeys; i++)
        offs[i] = (size_t)i * sizeof(double);
    return crm_radix_order_doubles(g->key, g->n, (size_t)g->nkeys * sizeof(double), offs,
                                   g->nkeys, order);
}

void crm_keygroup_free(struct crm_keygroup *g)
{
    free(g->slot);
    free(g->key);
    free(g->weight);
    memset(g, 0, sizeof *g);
}
