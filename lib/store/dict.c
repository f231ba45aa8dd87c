/* dict: customer-id dictionary (see dict.h).
 * Invariants: ids are stored back to back in `text`, each followed by a NUL; off[i] is
 * where id i starts and off[count] is the end. An id of the numeric form of the first id
 * interned (lib/numid: "C0468932", "12346") whose number falls in a page of the direct map
 * is found there, by its number, at 4 bytes an entry — and only there; every other id is
 * in the table. Pages are made only while the map is dense enough (or, up to 64 MB, while
 * ids keep landing in pages already made: a dense span met in random order), so a page
 * exists before any id of its numbers is interned or never. The open-addressing table (linear
 * probing, load <= 1/2) has 16-byte slots: the entry's index + 1 (0 = empty), its length, and the
 * id itself when it fits in SHORT bytes — so a lookup of a short id (most customer ids)
 * touches one cache line and never the text; longer ids keep 32 bits of hash there and
 * are compared with the text on a match. Slots are written and compared as the two words
 * key_words makes, built with fixed-size loads (no variable memcpy on the lookup path). */
#include "store/dict.h"

#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "base/hash.h"
#include "store/store.h"
#include "text/numid.h"

#define SHORT 11
#define LONG 255
#define DPAGE 4096u                /* direct-map entries a page (16 KB) */
#define DMAX_PAGES (1u << 16)      /* a span of 2^28 numbers from the base */
#define DFREE_PAGES 256u           /* pages (4 MB) made before density counts: ids come
                                      in any order, the first ones spread thin */
#define DGROW_PAGES 4096u          /* pages (64 MB) the map may take on early evidence */
#define DGROW_PER_HIT 8u           /* pages earned by each id that found its page made */
#define DJOIN_FROM 128u            /* pages (2 MB) made before they are joined in one region */

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
    uint32_t first;            /* index of entry 0 (crm_dict_set_base) */
    struct slot *table;
    size_t mask;               /* table size - 1 */
    uint32_t hashed;           /* ids in the table */
    uint64_t lazy_hashes;      /* hashes the callers left 0 and key_hash computed */
    /* direct map: dpage[p][i] is index + 1 of the id of number base + p * DPAGE + i */
    struct crm_numform form;   /* kind NONE until the first intern (and if it has none) */
    int form_set, closed;      /* closed: too sparse, no more pages */
    int64_t base;
    uint32_t **dpage;
    size_t ndir, npages, direct;
    /* the pages [join_first, join_first + join_pages) in one region (join_pages), made or
     * not (a page not made is never written there, so it is zero when made) */
    uint32_t *joined;
    size_t join_first, join_pages, join_next;
};

#define SEED 0x2545f4914f6cdd1dull

static int in_join(const struct crm_dict *d, size_t p)
{
    return d->joined && p - d->join_first < d->join_pages;
}

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
    d->join_next = DJOIN_FROM;
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
    for (size_t p = 0; p < d->ndir; p++)
        if (!in_join(d, p))
            free(d->dpage[p]);
    free(d->dpage);
    crm_big_free(d->joined, d->join_pages * DPAGE * sizeof *d->joined);
    free(d);
}

void crm_dict_key(struct crm_dict_key *k, const char *id, size_t len)
{
    k->id = id;
    k->len = len;
    k->hash = crm_dict_hash(id, len);
    k->num = crm_numid_split(id, len);
}

/* ---- the direct map ---- */

/* k's number in the map's form, or -1 (not of its form, or no form yet). */
static inline int64_t direct_num(const struct crm_dict *d, const struct crm_dict_key *k)
{
    return crm_numform_number(&d->form, k->id, k->len, k->num.number, k->num.digits);
}

/* The direct map's entry of number v (direct_num), or NULL when it has none. */
static uint32_t *direct_entry_of(const struct crm_dict *d, int64_t v)
{
    if (v < d->base)
        return NULL;
    uint64_t at = (uint64_t)(v - d->base);
    size_t p = (size_t)(at / DPAGE);
    if (p >= d->ndir || !d->dpage[p])
        return NULL;
    return &d->dpage[p][at % DPAGE];
}

/* k's entry in the direct map, or NULL when k's id is not one of its ids. */
static uint32_t *direct_entry(const struct crm_dict *d, const struct crm_dict_key *k)
{
    return direct_entry_of(d, direct_num(d, k));
}

/* The pages made so far moved into one region from crm_big_calloc, which can be backed by
 * huge pages: 10 M customers' 40 MB of 16 KB pages read at random missed the TLB on nearly
 * every row (the prefetch of the entry waited on the page walk: 18 % of the import's
 * samples at 100 M orders). Tried when DJOIN_FROM pages are made and again at each
 * doubling (the region then replaced by a larger one), done when the pages made fill a
 * quarter of the span from the first to the last; the region has room for four times the
 * pages made (untouched room is never backed, and a touched part costs at most what four
 * times the pages would). Pages made later inside it take their place there, others come
 * from calloc until the next doubling. */
static void join_pages(struct crm_dict *d)
{
    d->join_next = d->npages * 2;
    size_t lo = d->ndir, hi = 0;
    for (size_t p = 0; p < d->ndir; p++) {
        if (d->dpage[p]) {
            lo = p < lo ? p : lo;
            hi = p;
        }
    }
    size_t n = hi - lo + 1;
    if (lo > hi || n > 4 * d->npages)
        return;
    if (d->joined && lo == d->join_first && hi < lo + d->join_pages)
        return;                        /* nothing made outside the region */
    /* room up to four times the pages made: a part never written is never backed */
    size_t room = 4 * d->npages < DMAX_PAGES - lo ? 4 * d->npages : DMAX_PAGES - lo;
    n = room > n ? room : n;
    uint32_t *r = crm_big_calloc(n * DPAGE * sizeof *r);
    if (!r)
        return;                        /* the pages stay where they are */
    for (size_t p = lo; p <= hi; p++) {
        if (d->dpage[p]) {
            memcpy(r + (p - lo) * DPAGE, d->dpage[p], DPAGE * sizeof *r);
            if (!in_join(d, p))
                free(d->dpage[p]);
            d->dpage[p] = r + (p - lo) * DPAGE;
        }
    }
    crm_big_free(d->joined, d->join_pages * DPAGE * sizeof *d->joined);
    d->joined = r;
    d->join_first = lo;
    d->join_pages = n;
}

/* Make the page of k's number when the map may grow: k's entry, or NULL when the id goes
 * to the table (no numeric form, out of the span, the map too sparse, no memory). */
static uint32_t *direct_add_page(struct crm_dict *d, const struct crm_dict_key *k)
{
    if (!d->form_set) {
        crm_numform_of(&d->form, k->id, k->len);
        d->form_set = 1;
        /* from 0 when the span reaches that far (customer numbers come in any order),
         * else with a quarter of the span below the first */
        int64_t span = (int64_t)DMAX_PAGES * DPAGE;
        d->base = k->num.number < span / 2 ? 0 : k->num.number - span / 4;
    }
    int64_t v = crm_numform_number(&d->form, k->id, k->len, k->num.number, k->num.digits);
    if (d->closed || v < d->base || (uint64_t)(v - d->base) / DPAGE >= DMAX_PAGES)
        return NULL;
    /* past the free pages, at least one entry in eight used (about the table's 32 bytes
     * an id) — or, up to DGROW_PAGES, early evidence of a dense span: ids met in random
     * order from millions of numbers each make a page at first (10 M customers: 2,442
     * pages touched by their first few thousand ids), but some already land in pages
     * made (direct - npages of them), which ids spread thin over the span do not; each
     * earns DGROW_PER_HIT pages. Else no more pages */
    size_t hits = d->direct > d->npages ? d->direct - d->npages : 0;
    if (d->npages >= DFREE_PAGES &&
        (d->npages + 1) * (DPAGE / 8) > d->direct + DFREE_PAGES * (DPAGE / 8) &&
        (d->npages >= DGROW_PAGES || d->npages + 1 > DFREE_PAGES + DGROW_PER_HIT * hits)) {
        d->closed = 1;
        return NULL;
    }
    size_t p = (size_t)((uint64_t)(v - d->base) / DPAGE);
    if (p >= d->ndir) {
        size_t n = d->ndir ? d->ndir : 64;
        while (n <= p)
            n *= 2;
        uint32_t **dir = realloc(d->dpage, n * sizeof *dir);
        if (!dir) {
            d->closed = 1;             /* a page made later would hide this id */
            return NULL;
        }
        memset(dir + d->ndir, 0, (n - d->ndir) * sizeof *dir);
        d->dpage = dir;
        d->ndir = n;
    }
    if (in_join(d, p)) {
        d->dpage[p] = d->joined + (p - d->join_first) * DPAGE;
    } else if (!(d->dpage[p] = calloc(DPAGE, sizeof **d->dpage))) {
        d->closed = 1;
        return NULL;
    }
    d->npages++;
    if (d->npages >= d->join_next)
        join_pages(d);
    return &d->dpage[p][(uint64_t)(v - d->base) % DPAGE];
}

/* ---- the table ---- */

static void table_prefetch(const struct crm_dict *d, uint64_t h)
{
    __builtin_prefetch(&d->table[(size_t)h & d->mask]);
}

/* k's hash: the caller's, or computed (and counted) here when it left 0 — an id it expected
 * the direct map to take by its number (crm_dict_key.hash). d is never const underneath:
 * every dictionary is allocated by crm_dict_new. */
static __attribute__((noinline, cold)) uint64_t lazy_hash(const struct crm_dict *d,
                                                          const struct crm_dict_key *k)
{
    ((struct crm_dict *)(uintptr_t)d)->lazy_hashes++;
    return crm_dict_hash(k->id, k->len);
}

static inline uint64_t key_hash(const struct crm_dict *d, const struct crm_dict_key *k)
{
    return k->hash ? k->hash : lazy_hash(d, k);
}

uint64_t crm_dict_lazy_hashes(const struct crm_dict *d)
{
    return d->lazy_hashes;
}

uint64_t crm_dict_prefetch_num(const struct crm_dict *d, const struct crm_dict_key *k)
{
    int64_t v = direct_num(d, k);
    const uint32_t *de = direct_entry_of(d, v);
    if (de)
        __builtin_prefetch(de);
    else
        table_prefetch(d, key_hash(d, k));
    return v >= 0 ? (uint64_t)v + 1 : 0;
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
        struct crm_dict_key k;
        crm_dict_key(&k, d->text + d->off[i], len);
        if (direct_entry(d, &k))
            continue;                          /* in the direct map, not the table */
        uint64_t h = k.hash;
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

int crm_dict_find_key(const struct crm_dict *d, const struct crm_dict_key *k, uint32_t *idx)
{
    const uint32_t *de = direct_entry(d, k);
    uint32_t found;
    if (de)
        found = *de;
    else
        probe(d, k->id, k->len, key_hash(d, k), &found);
    if (!found)
        return 0;
    *idx = d->first + found - 1;
    return 1;
}

int crm_dict_find(const struct crm_dict *d, const char *id, size_t len, uint32_t *idx)
{
    struct crm_dict_key k;
    crm_dict_key(&k, id, len);
    return crm_dict_find_key(d, &k, idx);
}

/* Append id as entry `count`; its index, or -1 (ENOMEM) / -2 (EDATA: too many). */
static int64_t append_id(struct crm_dict *d, const char *id, size_t len)
{
    if (d->count >= UINT32_MAX - 2 - d->first)
        return -2;
    if (d->text_len + len + 1 > d->text_cap) {
        size_t cap = d->text_cap * 2;
        while (cap < d->text_len + len + 1)
            cap *= 2;
        char *t = realloc(d->text, cap);
        if (!t)
            return -1;
        d->text = t;
        d->text_cap = cap;
    }
    if (d->count + 1 >= d->off_cap) {
        uint64_t *o = realloc(d->off, (size_t)d->off_cap * 2 * sizeof *o);
        if (!o)
            return -1;
        d->off = o;
        d->off_cap *= 2;
    }
    memcpy(d->text + d->text_len, id, len);
    d->text[d->text_len + len] = '\0';
    d->text_len += len + 1;
    d->off[d->count + 1] = d->text_len;
    return d->count++;
}

enum crm_err crm_dict_intern_key(struct crm_dict *d, const struct crm_dict_key *k,
                                 uint32_t *idx, int *added)
{
    return crm_dict_intern_keynum(d, k, 0, idx, added);
}

enum crm_err crm_dict_intern_keynum(struct crm_dict *d, const struct crm_dict_key *k,
                                    uint64_t num1, uint32_t *idx, int *added)
{
    if (k->len > CRM_ID_MAX)
        return CRM_EDATA;      /* no reader would take it (store.h) */
    /* a number found under the form stays k's: a form once set never changes */
    uint32_t *de = direct_entry_of(d, num1 ? (int64_t)(num1 - 1) : direct_num(d, k));
    uint32_t found = 0;
    size_t pos = 0;
    uint64_t h = 0;
    if (de)
        found = *de;
    else
        pos = probe(d, k->id, k->len, h = key_hash(d, k), &found);
    if (found) {
        *idx = d->first + found - 1;
        if (added)
            *added = 0;
        return CRM_OK;
    }
    if (!de)
        de = direct_add_page(d, k);
    int64_t i = append_id(d, k->id, k->len);
    if (i < 0)
        return i == -1 ? CRM_ENOMEM : CRM_EDATA;
    *idx = d->first + (uint32_t)i;
    if (added)
        *added = 1;
    if (de) {
        *de = (uint32_t)i + 1;
        d->direct++;
        return CRM_OK;
    }
    fill_slot(&d->table[pos], (uint32_t)i + 1, k->id, k->len, h);
    d->hashed++;
    if ((size_t)d->hashed * 2 > d->mask + 1 && grow_table(d) != 0)
        return CRM_ENOMEM; /* the entry is in; lookups still work, only slower */
    return CRM_OK;
}

enum crm_err crm_dict_intern(struct crm_dict *d, const char *id, size_t len, uint32_t *idx,
                             int *added)
{
    struct crm_dict_key k;
    crm_dict_key(&k, id, len);
    return crm_dict_intern_key(d, &k, idx, added);
}

uint32_t crm_dict_count(const struct crm_dict *d)
{
    return d->first + d->count;
}

void crm_dict_set_base(struct crm_dict *d, uint32_t first)
{
    if (d->count == 0)
        d->first = first;
}

const char *crm_dict_id(const struct crm_dict *d, uint32_t idx, size_t *len)
{
    idx -= d->first;
    if (len)
        *len = (size_t)(d->off[idx + 1] - d->off[idx] - 1);
    return d->text + d->off[idx];
}

size_t crm_dict_memory(const struct crm_dict *d)
{
    return d->text_cap + (size_t)d->off_cap * sizeof *d->off + (d->mask + 1) * sizeof *d->table +
           d->npages * DPAGE * sizeof **d->dpage + d->ndir * sizeof *d->dpage;
}
