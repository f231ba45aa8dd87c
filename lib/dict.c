/* dict: customer-id dictionary (see dict.h).
 * Invariants: ids are stored back to back in `text`, each followed by a NUL; off[i] is
 * where id i starts and off[count] is the end; the open-addressing table (linear probing,
 * load <= 1/2) holds idx+1 (0 = empty) beside 32 bits of the hash to skip most compares. */
#include "dict.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct slot {
    uint32_t tag;
    uint32_t idx1;
};

struct crm_dict {
    char *text;
    size_t text_len, text_cap;
    uint64_t *off;       /* count + 1 entries */
    uint32_t count, off_cap;
    struct slot *table;
    size_t mask;         /* table size - 1 */
};

#define SEED 0x2545f4914f6cdd1dull

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
    d->table = calloc(d->mask + 1, sizeof *d->table);
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
    free(d->table);
    free(d);
}

static int grow_table(struct crm_dict *d)
{
    size_t size = (d->mask + 1) * 2, mask = size - 1;
    struct slot *t = calloc(size, sizeof *t);
    if (!t)
        return -1;
    for (uint32_t i = 0; i < d->count; i++) {
        size_t len = (size_t)(d->off[i + 1] - d->off[i] - 1);
        uint64_t h = crm_hash_bytes(d->text + d->off[i], len, SEED);
        size_t pos = (size_t)h & mask;
        while (t[pos].idx1)
            pos = (pos + 1) & mask;
        t[pos].tag = (uint32_t)(h >> 32);
        t[pos].idx1 = i + 1;
    }
    free(d->table);
    d->table = t;
    d->mask = mask;
    return 0;
}

static size_t probe(const struct crm_dict *d, const char *id, size_t len, uint64_t h,
                    uint32_t *found)
{
    size_t pos = (size_t)h & d->mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        const struct slot *s = &d->table[pos];
        if (!s->idx1) {
            *found = 0;
            return pos;
        }
        if (s->tag == tag) {
            uint32_t i = s->idx1 - 1;
            if (d->off[i + 1] - d->off[i] - 1 == len && memcmp(d->text + d->off[i], id, len) == 0) {
                *found = s->idx1;
                return pos;
            }
        }
        pos = (pos + 1) & d->mask;
    }
}

int crm_dict_find(const struct crm_dict *d, const char *id, size_t len, uint32_t *idx)
{
    uint32_t found;
    probe(d, id, len, crm_hash_bytes(id, len, SEED), &found);
    if (!found)
        return 0;
    *idx = found - 1;
    return 1;
}

enum crm_err crm_dict_intern(struct crm_dict *d, const char *id, size_t len, uint32_t *idx,
                             int *added)
{
    uint64_t h = crm_hash_bytes(id, len, SEED);
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
    d->table[pos].tag = (uint32_t)(h >> 32);
    d->table[pos].idx1 = d->count + 1;
    *idx = d->count++;
    if (added)
        *added = 1;
    if ((size_t)d->count * 2 > d->mask + 1 && grow_table(d) != 0)
        return CRM_ENOMEM; /* the entry is in; lookups still work, only slower */
    return CRM_OK;
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
