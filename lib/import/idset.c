/* idset: order ids already written, as numbers in a bitmap or as hashes (see idset.h).
 * Invariants: `form` is fixed by the first id inserted; a number n is in the bitmap iff
 * bit n - base of page (n - base) / PAGE_BITS is set; after `migrated` every id is in the
 * hash table and the bitmap is gone. */
#include "import/idset.h"

#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "base/hash.h"
#include "text/numid.h"

#define PAGE_BITS CRM_IDSET_PAGE_BITS
#define MIN_PER_PAGE 32u           /* denser than this or the bitmap costs more than hashes */

uint64_t crm_idset_hash(const char *id, size_t len)
{
    uint64_t h = crm_hash_bytes(id, len, 0x9e3779b97f4a7c15ull);
    return h ? h : 1;
}

/* The set's fields on cache lines of their own: insert_at writes numeric_count every row,
 * and a calloc put the struct on the line of the importer's status table, which the reader
 * threads read every row (perf: 89 % of insert_at's samples on that write, the line taken
 * back from their cores each time). */
#define SET_BYTES ((sizeof(struct crm_idset) + 63) / 64 * 64)

struct crm_idset *crm_idset_new(void)
{
    struct crm_idset *s = crm_calloc_aligned(64, SET_BYTES);
    if (!s)
        return NULL;
    s->mask = 65535;
    s->table = crm_big_calloc((s->mask + 1) * sizeof *s->table);
    if (!s->table) {
        free(s);
        return NULL;
    }
    return s;
}

static void free_pages(struct crm_idset *s)
{
    for (size_t i = 0; i < s->npages_dir; i++)
        free(s->pages[i]);
    free(s->pages);
    s->pages = NULL;
    s->npages_dir = s->npages = 0;
}

void crm_idset_free(struct crm_idset *s)
{
    if (!s)
        return;
    free_pages(s);
    crm_big_free(s->table, (s->mask + 1) * sizeof *s->table);
    free(s);
}

/* ---- hashes ---- */

static int hash_grow(struct crm_idset *s, size_t need)
{
    size_t size = s->mask + 1;
    if (need * 4 <= size * 3)
        return 0;
    while (need * 4 > size * 3)
        size *= size >= (1u << 20) ? 2 : 4;
    size_t mask = size - 1;
    uint64_t *t = crm_big_calloc(size * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i <= s->mask; i++) {
        uint64_t v = s->table[i];
        if (!v)
            continue;
        size_t pos = (size_t)v & mask;
        while (t[pos])
            pos = (pos + 1) & mask;
        t[pos] = v;
    }
    crm_big_free(s->table, (s->mask + 1) * sizeof *s->table);
    s->table = t;
    s->mask = mask;
    return 0;
}

static int hash_insert(struct crm_idset *s, uint64_t h)
{
    if (hash_grow(s, s->hashed_count + 1) != 0)
        return -1;
    size_t pos = (size_t)h & s->mask;
    while (s->table[pos]) {
        if (s->table[pos] == h)
            return 0;
        pos = (pos + 1) & s->mask;
    }
    s->table[pos] = h;
    s->hashed_count++;
    return 0;
}

int crm_idset_hash_contains(const struct crm_idset *s, uint64_t h)
{
    size_t pos = (size_t)h & s->mask;
    while (s->table[pos]) {
        if (s->table[pos] == h)
            return 1;
        pos = (pos + 1) & s->mask;
    }
    return 0;
}

int crm_idset_reserve(struct crm_idset *s, size_t n)
{
    return hash_grow(s, s->hashed_count + n);
}


/* ---- numbers ---- */

/* Fix the numeric form from the first id inserted. */
static void choose_form(struct crm_idset *s, const char *id, size_t len,
                        const struct crm_numid *n)
{
    crm_numform_of(&s->form, id, len);
    s->form_set = 1;
    s->base = n->number - (int64_t)(PAGE_BITS * 64);   /* room for somewhat smaller numbers */
    if (s->base < 0)
        s->base = 0;
}

/* The bitmap has become too sparse: every number goes into the hash table, for good. */
static int migrate(struct crm_idset *s)
{
    if (hash_grow(s, s->hashed_count + s->numeric_count) != 0)
        return -1;
    char text[CRM_NUMID_PREFIX + 24];
    for (size_t p = 0; p < s->npages_dir; p++) {
        if (!s->pages[p])
            continue;
        for (size_t w = 0; w < PAGE_BITS / 64; w++) {
            uint64_t bits = s->pages[p][w];
            while (bits) {
                int b = __builtin_ctzll(bits);
                bits &= bits - 1;
                int64_t v = s->base + (int64_t)(p * PAGE_BITS + w * 64 + (size_t)b);
                size_t len = crm_numform_format(&s->form, v, text);
                if (hash_insert(s, crm_idset_hash(text, len)) != 0)
                    return -1;
            }
        }
    }
    free_pages(s);
    s->numeric_count = 0;
    s->migrated = 1;
    s->form.kind = CRM_NUMFORM_NONE;
    return 0;
}

int crm_idset_insert(struct crm_idset *s, const char *id, size_t len, uint64_t h,
                     const struct crm_numid *n)
{
    if (!s->form_set)
        choose_form(s, id, len, n);
    int64_t v = crm_idset_number_of(s, id, len, n);
    if (v < 0)
        return hash_insert(s, h);
    size_t bit = (size_t)(v - s->base), page = bit / PAGE_BITS;
    if (page >= s->npages_dir) {
        size_t ndir = s->npages_dir ? s->npages_dir : 64;
        while (ndir <= page)
            ndir *= 2;
        uint64_t **d = realloc(s->pages, ndir * sizeof *d);
        if (!d)
            return -1;
        memset(d + s->npages_dir, 0, (ndir - s->npages_dir) * sizeof *d);
        s->pages = d;
        s->npages_dir = ndir;
    }
    if (!s->pages[page]) {
        if (!(s->pages[page] = calloc(PAGE_BITS / 64, sizeof(uint64_t))))
            return -1;
        s->npages++;
        if (s->npages > 16 && s->npages * MIN_PER_PAGE > s->numeric_count + 16 * MIN_PER_PAGE)
            return migrate(s) == 0 ? hash_insert(s, h) : -1;
    }
    uint64_t *word = &s->pages[page][(bit % PAGE_BITS) / 64], m = 1ull << (bit % 64);
    if (!(*word & m)) {
        *word |= m;
        s->numeric_count++;
    }
    return 0;
}

/* A lookup of an id with digits while the bitmap is in use reads a bitmap word (ids come
 * mostly in number order, so next to the last one: the hardware fetches it); any other
 * reads its hash slot, fetched here. The table slot of a numbered id is never read, so
 * fetching it for every row (as before) only evicted useful lines. */
void crm_idset_prefetch(const struct crm_idset *s, uint64_t h, const struct crm_numid *n)
{
    if (s->form.kind != CRM_NUMFORM_NONE && n->digits)
        return;
    __builtin_prefetch(&s->table[(size_t)h & s->mask]);
}

int crm_idset_contains(const struct crm_idset *s, const char *id, size_t len, uint64_t h,
                       const struct crm_numid *n)
{
    struct crm_idset_at at;
    return crm_idset_contains_at(s, id, len, h, n, &at);
}

size_t crm_idset_count(const struct crm_idset *s)
{
    return s->numeric_count + s->hashed_count;
}

size_t crm_idset_memory(const struct crm_idset *s)
{
    return (s->mask + 1) * sizeof *s->table + s->npages * (PAGE_BITS / 8) +
           s->npages_dir * sizeof *s->pages;
}

int crm_idset_numeric(const struct crm_idset *s)
{
    return s->form.kind != CRM_NUMFORM_NONE;
}
