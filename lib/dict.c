/* dict: customer-id dictionary (see dict.h).
 * Invariants: ids are stored back to back in `text`, each followed by a NUL; off[i] is
 * where id i starts and off[count] is the end. The open-addressing table (linear probing,
 * load <= 1/2) has 16-byte slots: the entry's index + 1 (0 = empty), its length, and the
 * id itself when it fits in SHORT bytes — so a lookup of a short id (most customer ids)
 * touches one cache line and never the text; longer ids keep 32 bits of hash there and
 * are compared with the text on a match. Slots are written and compared as the two words
 * key_words makes, built with fixed-size loads (no variable memcpy on the lookup path). */
#include "dict.h"

#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "hash.h"

#define SHORT 11
#define LONG 255

/* The layout; bytes 4..15 are only ever written and read as the two words of key_words. */
struct slot {
    uint32_t idx1;
    uint8_t len;               /* id length, or LONG (on a little-endian host) */
    char key[SHORT];           /* the id, or for LONG ids 4 bytes of hash (ditto) */
};

_Static_assert(sizeof(struct slot) == 16, "dict slots are 16 bytes");

struct crm_dict {
    char *text;
    size_t text_len, text_cap;
    uint64_t *off;             /* count + 1 entries */
    uint32_t count, off_cap;
    struct slot *table;
    size_t mask;               /* table size - 1 */
};

#define SEED 0x2545f4914f6cdd1dull

uint64_t crm_dict_hash(const char *id, size_t len)
{
    return crm_hash_bytes(id, len, SEED);
}

struct crm_dict *crm_dict_new(void)
{
    struct crm_dict *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->off_cap = 1024;
    d->off = malloc(d->off_cap * sizeof *d->off);
    d->text_cap = 16384;
    d->text = malloc(d->text_cap);
    d->mask = 2047;
    d->table = crm_big_calloc((d->mask + 1) * sizeof *d->table);
    if (!d->off || !d->text || !d->table) {
        crm_dict_free(d);
        return NULL;
    }
    d->off[0] = 0;
    return d;
}

void crm_dict_free(struct crm_dict *d)
{
    if (!d)
        return;
    free(d->text);
    free(d->off);
    crm_big_free(d->table, (d->mask + 1) * sizeof *d->table);
    free(d);
}

void crm_dict_prefetch(const struct crm_dict *d, uint64_t h)
{
    __builtin_prefetch(&d->table[(size_t)h & d->mask]);
}

/* Bytes 4..15 of a slot (length and key) as two words, for one-shot compares. */
static inline void slot_words(const struct slot *s, uint64_t *a, uint32_t *b)
{
    memcpy(a, (const char *)s + 4, 8);
    memcpy(b, (const char *)s + 12, 4);
}

/* n (<= 8) bytes at p as a little-endian word, the rest zero: fixed-size loads only
 * (two overlapping ones), so no call and no store to read back. */
static inline uint64_t load_upto8(const char *p, size_t n)
{
    uint32_t a, b;
    if (n >= 4) {
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a | ((uint64_t)b << (8 * (n - 4)));
    }
    if (n == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | ((uint64_t)u[n / 2] << (8 * (n / 2))) |
           ((uint64_t)u[n - 1] << (8 * (n - 1)));
}

/* The words slot_words reads from the slot fill_slot would make for this id. */
static inline void key_words(const char *id, size_t len, uint64_t h, uint64_t *a, uint32_t *b)
{
    if (len > SHORT) {
        *a = LONG | ((uint64_t)(uint32_t)(h >> 32) << 8);
        *b = 0;
    } else if (len <= 7) {
        *a = (uint64_t)len | (load_upto8(id, len) << 8);
        *b = 0;
    } else {
        uint64_t lo = load_upto8(id, 7), hi = load_upto8(id + 7, len - 7);
        *a = (uint64_t)len | (lo << 8);
        *b = (uint32_t)hi;
    }
}

/* A slot for id number idx1 - 1: the same words probe compares (any byte order). */
static void fill_slot(struct slot *s, uint32_t idx1, const char *id, size_t len, uint64_t h)
{
    uint64_t a;
    uint32_t b;
    key_words(id, len, h, &a, &b);
    s->idx1 = idx1;
    memcpy((char *)s + 4, &a, 8);
    memcpy((char *)s + 12, &b, 4);
}

static int grow_table(struct crm_dict *d)
{
    size_t size = (d->mask + 1) * 2, mask = size - 1;
    struct slot *t = crm_big_calloc(size * sizeof *t);
    if (!t)
        return -1;
    for (uint32_t i = 0; i < d->count; i++) {
        size_t len = (size_t)(d->off[i + 1] - d->off[i] - 1);
        uint64_t h = crm_dict_hash(d->text + d->off[i], len);
        size_t pos = (size_t)h & mask;
        while (t[pos].idx1)
            pos = (pos + 1) & mask;
        fill_slot(&t[pos], i + 1, d->text + d->off[i], len, h);
    }
    crm_big_free(d->table, (d->mask + 1) * sizeof *d->table);
    d->table = t;
    d->mask = mask;
    return 0;
}

static size_t probe(const struct crm_dict *d, const char *id, size_t len, uint64_t h,
                    uint32_t *found)
{
    size_t pos = (size_t)h & d->mask;
    uint64_t wa, sa;
    uint32_t wb, sb;
    key_words(id, len, h, &wa, &wb);
    for (;;) {
        const struct slot *s = &d->table[pos];
        if (!s->idx1) {
            *found = 0;
            return pos;
        }
        slot_words(s, &sa, &sb);
        if (sa == wa && sb == wb) {
            uint32_t i = s->idx1 - 1;
            if (len <= SHORT || (d->off[i + 1] - d->off[i] - 1 == len &&
                                 memcmp(d->text + d->off[i], id, len) == 0)) {
                *found = s->idx1;
                return pos;
            }
        }
        pos = (pos + 1) & d->mask;
    }
}

int crm_dict_find_hashed(const struct crm_dict *d, const char *id, size_t len, uint64_t h,
                         uint32_t *idx)
{
    uint32_t found;
    probe(d, id, len, h, &found);
    if (!found)
        return 0;
    *idx = found - 1;
    return 1;
}

int crm_dict_find(const struct crm_dict *d, const char *id, size_t len, uint32_t *idx)
{
    return crm_dict_find_hashed(d, id, len, crm_dict_hash(id, len), idx);
}

enum crm_err crm_dict_intern_hashed(struct crm_dict *d, const char *id, size_t len, uint64_t h,
                                    uint32_t *idx, int *added)
{
    uint32_t found;
    size_t pos = probe(d, id, len, h, &found);
    if (found) {
        *idx = found - 1;
        if (added)
            *added = 0;
        return CRM_OK;
    }
    if (d->count >= UINT32_MAX - 2)
        return CRM_EDATA;
    if (d->text_len + len + 1 > d->text_cap) {
        size_t cap = d->text_cap * 2;
        while (cap < d->text_len + len + 1)
            cap *= 2;
        char *t = realloc(d->text, cap);
        if (!t)
            return CRM_ENOMEM;
        d->text = t;
        d->text_cap = cap;
    }
    if (d->count + 1 >= d->off_cap) {
        uint64_t *o = realloc(d->off, (size_t)d->off_cap * 2 * sizeof *o);
        if (!o)
            return CRM_ENOMEM;
        d->off = o;
        d->off_cap *= 2;
    }
    memcpy(d->text + d->text_len, id, len);
    d->text[d->text_len + len] = '\0';
    d->text_len += len + 1;
    d->off[d->count + 1] = d->text_len;
    fill_slot(&d->table[pos], d->count + 1, id, len, h);
    *idx = d->count++;
    if (added)
        *added = 1;
    if ((size_t)d->count * 2 > d->mask + 1 && grow_table(d) != 0)
        return CRM_ENOMEM; /* the entry is in; lookups still work, only slower */
    return CRM_OK;
}

enum crm_err crm_dict_intern(struct crm_dict *d, const char *id, size_t len, uint32_t *idx,
                             int *added)
{
    return crm_dict_intern_hashed(d, id, len, crm_dict_hash(id, len), idx, added);
}

uint32_t crm_dict_count(const struct crm_dict *d)
{
    return d->count;
}

const char *crm_dict_id(const struct crm_dict *d, uint32_t idx, size_t *len)
{
    if (len)
        *len = (size_t)(d->off[idx + 1] - d->off[idx] - 1);
    return d->text + d->off[idx];
}

size_t crm_dict_memory(const struct crm_dict *d)
{
    return d->text_cap + (size_t)d->off_cap * sizeof *d->off + (d->mask + 1) * sizeof *d->table;
}
