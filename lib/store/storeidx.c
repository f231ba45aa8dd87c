/* storeidx: order-id summaries and the append's walk over a stored store (see storeidx.h).
 * Invariant: a summary admits every id of its chunk, and a chunk without one is never
 * pruned, so what the walk lets an append skip can never hold one of its ids. */
#include "store/storeidx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/storefmt.h"

/* ======================================================================= summaries == */

/* Byte-wise order of two ids (a prefix sorts first). */
static int id_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

void crm_idsum_build(struct crm_buf *out, unsigned enc, const unsigned char *idraw,
                     const int64_t *numbers, const char *text, const uint32_t *off, size_t n)
{
    out->len = 0;
    if (n == 0 || off[n] == off[0]) {
        crm_buf_u8(out, CRM_IDSUM_NONE);
        return;
    }
    if (enc & CRM_ENC_NUMID) {          /* idraw: u8 p, prefix, u8 digits, numbers */
        size_t plen = idraw[0];
        int64_t lo = numbers[0], hi = lo;
        for (size_t i = 1; i < n; i++) {
            lo = numbers[i] < lo ? numbers[i] : lo;
            hi = numbers[i] > hi ? numbers[i] : hi;
        }
        crm_buf_u8(out, CRM_IDSUM_NUM);
        crm_buf_u8(out, (unsigned)plen);
        crm_buf_put(out, idraw + 1, plen);
        crm_buf_u8(out, idraw[1 + plen]);
        crm_buf_le(out, (uint64_t)lo, 8);
        crm_buf_le(out, (uint64_t)hi, 8);
        return;
    }
    size_t lo = SIZE_MAX, hi = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t len = off[i + 1] - off[i];
        if (len == 0)
            continue;                    /* an order without an id is never a duplicate */
        const char *s = text + off[i];
        if (lo == SIZE_MAX || id_cmp(s, len, text + off[lo], off[lo + 1] - off[lo]) < 0)
            lo = i;
        if (hi == SIZE_MAX || id_cmp(s, len, text + off[hi], off[hi + 1] - off[hi]) > 0)
            hi = i;
    }
    crm_buf_u8(out, CRM_IDSUM_TEXT);
    crm_buf_varint(out, off[lo + 1] - off[lo]);
    crm_buf_put(out, text + off[lo], off[lo + 1] - off[lo]);
    crm_buf_varint(out, off[hi + 1] - off[hi]);
    crm_buf_put(out, text + off[hi], off[hi + 1] - off[hi]);
}

static int parse_num(const unsigned char *p, size_t len, struct crm_idsum *s)
{
    if (len < 2 || (size_t)p[1] + 19 != len)
        return -1;
    s->plen = p[1];
    s->digits = p[2 + s->plen];
    s->lo = (int64_t)crm_le_get(p + 3 + s->plen, 8);
    s->hi = (int64_t)crm_le_get(p + 11 + s->plen, 8);
    if (s->digits > CRM_NUMID_DIGITS || s->lo < 0 || s->lo > s->hi ||
        s->hi > 999999999999999999LL)
        return -1;
    s->text = malloc(s->plen + 1);
    if (!s->text)
        return -1;
    memcpy(s->text, p + 2, s->plen);
    return 0;
}

static int parse_text(const unsigned char *p, size_t len, struct crm_idsum *s)
{
    size_t at = 1;
    uint64_t a, b;
    if (crm_varint_get(p, len, &at, &a) != 0 || a == 0 || a > CRM_ID_MAX || a > len - at)
        return -1;
    size_t a_at = at;
    at += (size_t)a;
    if (crm_varint_get(p, len, &at, &b) != 0 || b == 0 || b > CRM_ID_MAX || b != len - at)
        return -1;
    if (id_cmp((const char *)p + a_at, (size_t)a, (const char *)p + at, (size_t)b) > 0)
        return -1;
    s->lo_len = (size_t)a;
    s->hi_len = (size_t)b;
    s->text = malloc(s->lo_len + s->hi_len);
    if (!s->text)
        return -1;
    memcpy(s->text, p + a_at, s->lo_len);
    memcpy(s->text + s->lo_len, p + at, s->hi_len);
    return 0;
}

int crm_idsum_parse(const unsigned char *p, size_t len, struct crm_idsum *s)
{
    memset(s, 0, sizeof *s);
    s->kind = CRM_IDSUM_UNKNOWN;
    if (len == 0 || len > CRM_IDSUM_MAX)
        return -1;
    int rc = -1;
    if (p[0] == CRM_IDSUM_NONE)
        rc = len == 1 ? 0 : -1;
    else if (p[0] == CRM_IDSUM_NUM)
        rc = parse_num(p, len, s);
    else if (p[0] == CRM_IDSUM_TEXT)
        rc = parse_text(p, len, s);
    if (rc == 0)
        s->kind = p[0];
    return rc;
}

void crm_idsum_free(struct crm_idsum *s)
{
    if (!s)
        return;
    free(s->text);
    s->text = NULL;
}

/* The number of id when it is a numbered id of the summary's prefix and width, else -1. */
static int64_t num_of(const struct crm_idsum *s, const char *id, size_t len)
{
    if (len <= s->plen || len - s->plen > CRM_NUMID_DIGITS || memcmp(id, s->text, s->plen))
        return -1;
    const char *d = id + s->plen;
    size_t nd = len - s->plen;
    if (s->digits ? nd != s->digits : d[0] == '0' && nd > 1)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < nd; i++) {
        if (d[i] < '0' || d[i] > '9')
            return -1;
        v = v * 10 + (d[i] - '0');
    }
    return v;
}

int crm_idsum_admits(const struct crm_idsum *s, const char *id, size_t len)
{
    switch (s->kind) {
    case CRM_IDSUM_NONE:
        return 0;
    case CRM_IDSUM_NUM: {
        int64_t v = num_of(s, id, len);
        return v >= s->lo && v <= s->hi;
    }
    case CRM_IDSUM_TEXT:
        return len > 0 && id_cmp(id, len, s->text, s->lo_len) >= 0 &&
               id_cmp(id, len, s->text + s->lo_len, s->hi_len) <= 0;
    default:
        return 1;
    }
}

/* ========================================================================== index == */

/* A group: chunks sorted by their lower bound, with the running maximum of the upper
 * bounds, so the chunks admitting x are found by a binary search and a walk back. */
struct group {
    const struct crm_idsum *form;     /* NUM: the prefix and width; TEXT: NULL */
    size_t *k;                        /* chunk numbers, sorted */
    size_t n;
    const struct crm_idsum **sum;     /* sum[i] of chunk k[i] */
    const struct crm_idsum **runmax;  /* the largest upper bound of sum[0..i] */
};

struct crm_idsum_index {
    struct group *g;
    size_t ng;
};

static const struct crm_idsum *const *sort_sums;

static int lo_cmp(const struct crm_idsum *a, const struct crm_idsum *b)
{
    if (a->kind == CRM_IDSUM_NUM)
        return (a->lo > b->lo) - (a->lo < b->lo);
    return id_cmp(a->text, a->lo_len, b->text, b->lo_len);
}

static int hi_cmp(const struct crm_idsum *a, const struct crm_idsum *b)
{
    if (a->kind == CRM_IDSUM_NUM)
        return (a->hi > b->hi) - (a->hi < b->hi);
    return id_cmp(a->text + a->lo_len, a->hi_len, b->text + b->lo_len, b->hi_len);
}

static int by_lo(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = lo_cmp(sort_sums[a], sort_sums[b]);
    return c ? c : (a > b) - (a < b);
}

static int same_form(const struct crm_idsum *a, const struct crm_idsum *b)
{
    if (a->kind != b->kind)
        return 0;
    return a->kind != CRM_IDSUM_NUM || (a->digits == b->digits && a->plen == b->plen &&
                                        memcmp(a->text, b->text, a->plen) == 0);
}

static int group_fill(struct group *g, const struct crm_idsum *const *sums)
{
    g->sum = malloc(g->n * sizeof *g->sum);
    g->runmax = malloc(g->n * sizeof *g->runmax);
    if (!g->sum || !g->runmax)
        return -1;
    sort_sums = sums;                 /* qsort has no context argument in C11 */
    qsort(g->k, g->n, sizeof *g->k, by_lo);
    for (size_t i = 0; i < g->n; i++) {
        g->sum[i] = sums[g->k[i]];
        g->runmax[i] = i && hi_cmp(g->runmax[i - 1], g->sum[i]) > 0 ? g->runmax[i - 1]
                                                                     : g->sum[i];
    }
    return 0;
}

void crm_idsum_index_free(struct crm_idsum_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->ng; i++) {
        free(ix->g[i].k);
        free(ix->g[i].sum);
        free(ix->g[i].runmax);
    }
    free(ix->g);
    free(ix);
}

struct crm_idsum_index *crm_idsum_index_new(const struct crm_idsum *const *sums, size_t n)
{
    struct crm_idsum_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        const struct crm_idsum *s = sums[k];
        if (s->kind != CRM_IDSUM_NUM && s->kind != CRM_IDSUM_TEXT)
            continue;
        size_t g = 0;
        while (g < ix->ng && !same_form(ix->g[g].form, s))
            g++;
        if (g == ix->ng) {
            struct group *ng = realloc(ix->g, (ix->ng + 1) * sizeof *ng);
            if (!ng)
                goto fail;
            ix->g = ng;
            memset(&ix->g[ix->ng++], 0, sizeof *ix->g);
            ix->g[g].form = s;
            ix->g[g].k = malloc(n * sizeof *ix->g[g].k);
            if (!ix->g[g].k)
                goto fail;
        }
        ix->g[g].k[ix->g[g].n++] = k;
    }
    for (size_t g = 0; g < ix->ng; g++)
        if (group_fill(&ix->g[g], sums) != 0)
            goto fail;
    return ix;
fail:
    crm_idsum_index_free(ix);
    return NULL;
}

/* Compare x (a number, or an id) with a summary's lower or upper bound. */
static int x_cmp(const struct crm_idsum *s, int upper, int64_t v, const char *id, size_t len)
{
    if (s->kind == CRM_IDSUM_NUM) {
        int64_t b = upper ? s->hi : s->lo;
        return (v > b) - (v < b);
    }
    return upper ? id_cmp(id, len, s->text + s->lo_len, s->hi_len)
                 : id_cmp(id, len, s->text, s->lo_len);
}

static size_t group_probe(const struct group *g, int64_t v, const char *id, size_t len,
                          void (*hit)(void *ctx, size_t k), void *ctx)
{
    size_t lo = 0, hi = g->n;           /* the first chunk whose lower bound is above x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x_cmp(g->sum[mid], 0, v, id, len) >= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t hits = 0;
    for (size_t i = lo; i-- > 0 && x_cmp(g->runmax[i], 1, v, id, len) <= 0;)
        if (x_cmp(g->sum[i], 1, v, id, len) <= 0) {
            hit(ctx, g->k[i]);
            hits++;
        }
    return hits;
}

size_t crm_idsum_index_probe(const struct crm_idsum_index *ix, const char *id, size_t len,
                             void (*hit)(void *ctx, size_t k), void *ctx)
{
    size_t hits = 0;
    if (len == 0)
        return 0;
    for (size_t g = 0; g < ix->ng; g++) {
        const struct group *gr = &ix->g[g];
        int64_t v = 0;
        if (gr->form->kind == CRM_IDSUM_NUM && (v = num_of(gr->form, id, len)) < 0)
            continue;
        hits += group_probe(gr, v, id, len, hit, ctx);
    }
    return hits;
}

/* =========================================================================== walk == */

static enum crm_err wcorrupt(const char *name, long long chunk, struct crm_errinfo *e,
                             const char *fmt, unsigned blk, uint64_t at)
{
    crm_errinfo_where(e, name, -1, -1, chunk);
    return crm_errinfo_set(e, CRM_ECORRUPT, fmt, blk, (unsigned long long)at);
}

/* Exactly n bytes at off into b (replacing it); CRM_ETRUNC when the file is shorter. */
static enum crm_err read_at(int fd, const char *name, uint64_t off, size_t n,
                            struct crm_buf *b, struct crm_errinfo *e)
{
    b->len = 0;
    if (crm_buf_reserve(b, n + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory reading %zu bytes", n);
    size_t have = 0;
    while (have < n) {
        ssize_t k = pread(fd, b->data + have, n - have, (off_t)(off + have));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            crm_errinfo_where(e, name, -1, -1, -1);
            return k < 0 ? crm_errinfo_set(e, CRM_EIO, "read failed: %s", strerror(errno))
                         : crm_errinfo_set(e, CRM_ETRUNC, "store ends early (byte %llu)",
                                           (unsigned long long)(off + have));
        }
        have += (size_t)k;
    }
    b->len = n;
    return CRM_OK;
}

/* A whole block (header and payload) at off into b, its checksum checked. */
static enum crm_err read_block(int fd, const char *name, uint64_t off, size_t len,
                               long long chunk, unsigned blk, struct crm_buf *b,
                               struct crm_errinfo *e)
{
    enum crm_err rc = read_at(fd, name, off, BLOCK_HDR + len, b, e);
    if (rc != CRM_OK)
        return rc;
    if (crc_of(crc_of(0, b->data, 12), b->data + BLOCK_HDR, len) !=
        (uint32_t)crm_le_get(b->data + 12, 4))
        return wcorrupt(name, chunk, e, "checksum mismatch in block %u at byte %llu", blk, off);
    return CRM_OK;
}

struct walk_state {
    int fd;
    const char *name;
    struct crm_store_walk *w;
    struct crm_buf b;
    uint64_t pos, limit;
    uint32_t dict_seen;
    uint64_t cust_rows;
    int64_t min_time, max_time;
};

/* Room for one more entry of an array of n (capacity: the power of two at or above 16). */
static int grow(void **p, size_t n, size_t size)
{
    if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
        return 0;
    void *q = realloc(*p, (n ? n * 2 : 16) * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* The chunk's first column, when it is the order-id summary. */
static enum crm_err walk_summary(struct walk_state *st, struct crm_walk_chunk *c,
                                 const unsigned char *p, size_t have, unsigned blk,
                                 uint64_t at, struct crm_errinfo *e)
{
    c->sum.kind = CRM_IDSUM_UNKNOWN;
    if (have < ORDS_FIXED + COLDESC || p[ORDS_FIXED] != COL_ID_SUMMARY)
        return CRM_OK;
    const unsigned char *d = p + ORDS_FIXED;
    size_t raw = (size_t)crm_le_get(d + 4, 4), stored = (size_t)crm_le_get(d + 8, 4);
    long long chunk = (long long)st->w->nchunk;
    if (d[1] != ENC_VARLEN || crm_le_get(d + 2, 2) != 0 || raw != stored ||
        raw > CRM_IDSUM_MAX || raw > c->len - ORDS_FIXED - COLDESC)
        return wcorrupt(st->name, chunk, e, "order-id summary of block %u at byte %llu: bad "
                        "layout", blk, at);
    if (have < ORDS_FIXED + COLDESC + raw) {
        enum crm_err rc = read_at(st->fd, st->name, at + BLOCK_HDR, ORDS_FIXED + COLDESC + raw,
                                  &st->b, e);
        if (rc != CRM_OK)
            return rc;
        p = st->b.data;
    }
    if (crm_idsum_parse(p + ORDS_FIXED + COLDESC, raw, &c->sum) != 0) {
        crm_idsum_free(&c->sum);
        c->sum.kind = CRM_IDSUM_UNKNOWN;
        return wcorrupt(st->name, chunk, e, "order-id summary of block %u at byte %llu: "
                        "damaged", blk, at);
    }
    return CRM_OK;
}

static enum crm_err walk_ords(struct walk_state *st, const unsigned char *p, size_t have,
                              size_t len, unsigned blk, uint64_t at, struct crm_errinfo *e)
{
    struct crm_store_walk *w = st->w;
    long long chunk = (long long)w->nchunk;
    if (len < ORDS_FIXED || have < ORDS_FIXED)
        return wcorrupt(st->name, chunk, e, "chunk block %u at byte %llu is too short", blk, at);
    uint32_t n = (uint32_t)crm_le_get(p, 4);
    int64_t lo = (int64_t)crm_le_get(p + 8, 8), hi = (int64_t)crm_le_get(p + 16, 8);
    if (n == 0 || n > CRM_CHUNK_ROWS || lo > hi || lo < CRM_TIME_MIN || hi > CRM_TIME_MAX)
        return wcorrupt(st->name, chunk, e, "chunk block %u at byte %llu: bad header", blk, at);
    if (grow((void **)&w->chunk, w->nchunk, sizeof *w->chunk) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    struct crm_walk_chunk *c = &w->chunk[w->nchunk];
    memset(c, 0, sizeof *c);
    c->off = at;
    c->blk = blk;
    c->len = (uint32_t)len;
    c->rows = n;
    c->first = w->stats.orders;
    enum crm_err rc = walk_summary(st, c, p, have, blk, at, e);
    if (rc != CRM_OK)
        return rc;
    w->nchunk++;
    if (w->stats.orders == 0 || lo < st->min_time)
        st->min_time = lo;
    if (w->stats.orders == 0 || hi > st->max_time)
        st->max_time = hi;
    w->stats.orders += n;
    return CRM_OK;
}

static enum crm_err walk_dict(struct walk_state *st, const unsigned char *p, size_t len,
                              unsigned blk, uint64_t at, struct crm_errinfo *e)
{
    struct crm_store_walk *w = st->w;
    if (len < 8)
        return wcorrupt(st->name, (long long)w->nchunk, e, "dictionary block %u at byte %llu "
                        "is too short", blk, at);
    uint32_t first = (uint32_t)crm_le_get(p, 4), count = (uint32_t)crm_le_get(p + 4, 4);
    if (first != st->dict_seen || count > UINT32_MAX - first)
        return wcorrupt(st->name, (long long)w->nchunk, e, "dictionary block %u at byte %llu "
                        "is out of step", blk, at);
    if (grow((void **)&w->dict, w->ndict, sizeof *w->dict) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->dict[w->ndict++] = (struct crm_walk_dict){at, (uint32_t)len, first, count, blk};
    st->dict_seen += count;
    return CRM_OK;
}

static enum crm_err walk_end(struct walk_state *st, size_t len, unsigned blk, uint64_t at,
                             struct crm_errinfo *e)
{
    struct crm_store_walk *w = st->w;
    long long chunk = (long long)w->nchunk;
    if (len != END_PAYLOAD)
        return wcorrupt(st->name, chunk, e, "end block %u at byte %llu: bad length", blk, at);
    enum crm_err rc = read_block(st->fd, st->name, at, len, chunk, blk, &st->b, e);
    if (rc != CRM_OK)
        return rc;
    const unsigned char *p = st->b.data + BLOCK_HDR;
    uint64_t orders = crm_le_get(p, 8), chunks = crm_le_get(p + 8, 8);
    if (orders != w->stats.orders || chunks != w->nchunk ||
        (uint32_t)crm_le_get(p + 16, 8) != st->dict_seen ||   /* as readers: 32 bits */
        crm_le_get(p + 24, 8) != st->cust_rows ||
        crm_le_get(p + 48, 8) != (uint64_t)blk + 1 ||
        (orders && ((int64_t)crm_le_get(p + 32, 8) != st->min_time ||
                    (int64_t)crm_le_get(p + 40, 8) != st->max_time)))
        return wcorrupt(st->name, chunk, e, "end block %u at byte %llu: totals differ from the "
                        "blocks before it: blocks missing or added", blk, at);
    w->stats.chunks = chunks;
    w->stats.customers = st->dict_seen;
    w->stats.customer_rows = st->cust_rows;
    w->stats.min_time = orders ? st->min_time : 0;
    w->stats.max_time = orders ? st->max_time : 0;
    w->end = at + BLOCK_HDR + len;
    w->blocks = blk + 1;
    return CRM_OK;
}

#define WALK_HEAD (BLOCK_HDR + ORDS_FIXED + COLDESC + 64)   /* most summaries in one read */

/* One block at st->pos: its header checked and its kind handled. */
static enum crm_err walk_block(struct walk_state *st, unsigned blk, uint32_t *type,
                               struct crm_errinfo *e)
{
    struct crm_store_walk *w = st->w;
    uint64_t at = st->pos;
    long long chunk = (long long)w->nchunk;
    if (st->limit - at < BLOCK_HDR)
        return wcorrupt(st->name, chunk, e, "block %u at byte %llu: truncated header", blk, at);
    size_t want = st->limit - at < WALK_HEAD ? (size_t)(st->limit - at) : WALK_HEAD;
    enum crm_err rc = read_at(st->fd, st->name, at, want, &st->b, e);
    if (rc != CRM_OK)
        return rc;
    const unsigned char *h = st->b.data;
    size_t len = (size_t)crm_le_get(h + 4, 4);
    *type = (uint32_t)crm_le_get(h, 4);
    if (len > MAX_PAYLOAD || len > st->limit - at - BLOCK_HDR)
        return wcorrupt(st->name, chunk, e, "block %u at byte %llu: length runs past the end "
                        "of the store", blk, at);
    if (crm_le_get(h + 8, 4) != blk)
        return wcorrupt(st->name, chunk, e, "block %u at byte %llu has another number", blk, at);
    size_t have = want - BLOCK_HDR < len ? want - BLOCK_HDR : len;
    st->pos = at + BLOCK_HDR + len;
    switch (*type) {
    case T_ORDS:
        return walk_ords(st, h + BLOCK_HDR, have, len, blk, at, e);
    case T_DICT:
        return walk_dict(st, h + BLOCK_HDR, have < 8 ? 0 : len, blk, at, e);
    case T_CUST:
        if (have < 8 || crm_le_get(h + BLOCK_HDR, 4) == 0 ||
            crm_le_get(h + BLOCK_HDR, 4) > CRM_CHUNK_ROWS)
            return wcorrupt(st->name, chunk, e, "customers block %u at byte %llu: bad "
                            "header", blk, at);
        st->cust_rows += crm_le_get(h + BLOCK_HDR, 4);
        return CRM_OK;
    case T_END:
        return walk_end(st, len, blk, at, e);
    case T_PROD:
    case T_ITEM:
        if (!w->products)
            break;
        if (*type == T_ITEM)
            return CRM_OK;
        rc = read_block(st->fd, st->name, at, len, chunk, blk, &st->b, e);
        return rc == CRM_OK ? crm_items_r_read(w->products, st->b.data + BLOCK_HDR, len,
                                               st->name, chunk, e)
                            : rc;
    default:
        break;
    }
    return wcorrupt(st->name, chunk, e, "block %u at byte %llu has unknown type", blk, at);
}

enum crm_err crm_store_walk(int fd, const char *name, struct crm_store_walk *w,
                            struct crm_errinfo *e)
{
    memset(w, 0, sizeof *w);
    struct crm_store *s;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        crm_errinfo_where(e, name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot append: not a regular file");
    }
    enum crm_err rc = crm_store_open_fd(fd, name, NULL, 0, &s, e);
    if (rc != CRM_OK)
        return rc;
    struct walk_state st = {.fd = fd, .name = name, .w = w};
    uint64_t committed;
    crm_store_layout(s, &st.pos, &committed, &w->stats.commits);
    w->meta = *crm_store_meta(s);
    w->items = crm_store_has_items(s);
    crm_store_close(s);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        crm_errinfo_where(e, name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot stat: %s", strerror(errno));
    }
    st.limit = committed ? committed : (uint64_t)sb.st_size;
    if (committed > (uint64_t)sb.st_size) {
        crm_errinfo_where(e, name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_ETRUNC, "store is shorter (%llu bytes) than its "
                               "committed length (%llu): truncated",
                               (unsigned long long)sb.st_size, (unsigned long long)committed);
    }
    if (w->items && !(w->products = crm_items_r_new()))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    uint32_t type = 0;
    for (unsigned blk = 0; rc == CRM_OK && st.pos < st.limit; blk++)
        rc = walk_block(&st, blk, &type, e);
    crm_buf_free(&st.b);
    if (rc == CRM_OK && type != T_END) {
        crm_errinfo_where(e, name, -1, -1, (long long)w->nchunk);
        rc = crm_errinfo_set(e, CRM_ETRUNC, "store does not end with an END block: truncated");
    }
    if (rc != CRM_OK)
        crm_store_walk_free(w);
    return rc;
}

void crm_store_walk_free(struct crm_store_walk *w)
{
    for (size_t i = 0; i < w->nchunk; i++)
        crm_idsum_free(&w->chunk[i].sum);
    free(w->chunk);
    free(w->dict);
    crm_items_r_free(w->products);
    w->chunk = NULL;
    w->dict = NULL;
    w->products = NULL;
    w->nchunk = w->ndict = 0;
}

/* ======================================================= dictionary and chunk ids == */

/* The DICT block's column, inflated into raw when deflated. */
static enum crm_err dict_column(const char *name, const struct crm_walk_dict *d,
                                const unsigned char *p, struct crm_zctx *z,
                                struct crm_buf *raw, const unsigned char **col,
                                size_t *col_len, struct crm_errinfo *e)
{
    const unsigned char *c = p + 8;
    if (d->len < 8 + COLDESC || c[0] != COL_D_IDS || !(c[1] & ENC_VARLEN))
        return wcorrupt(name, -1, e, "dictionary block %u at byte %llu: bad layout", d->blk,
                        d->off);
    size_t rawn = (size_t)crm_le_get(c + 4, 4), stored = (size_t)crm_le_get(c + 8, 4);
    if (stored != d->len - 8 - COLDESC || rawn > (uint64_t)d->count * (CRM_ID_MAX + 10))
        return wcorrupt(name, -1, e, "dictionary block of entry %u at byte %llu: bad sizes",
                        d->first, d->off);
    *col = c + COLDESC;
    *col_len = rawn;
    if (!(c[1] & ENC_DEFLATE))
        return stored == rawn ? CRM_OK
                              : wcorrupt(name, -1, e, "dictionary block of entry %u at byte "
                                         "%llu: bad sizes", d->first, d->off);
    raw->len = 0;
    if (crm_buf_reserve(raw, rawn + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (crm_col_inflate(z, c + COLDESC, stored, raw->data, rawn) != 0)
        return wcorrupt(name, -1, e, "dictionary block of entry %u at byte %llu: damaged",
                        d->first, d->off);
    *col = raw->data;
    return CRM_OK;
}

enum crm_err crm_store_walk_dict(int fd, const char *name, const struct crm_walk_dict *d,
                                 size_t nd, struct crm_zctx *z, struct crm_buf *buf,
                                 struct crm_buf *raw, crm_walk_id_fn *fn, void *ctx,
                                 struct crm_errinfo *e)
{
    for (size_t k = 0; k < nd; k++) {
        enum crm_err rc = read_block(fd, name, d[k].off, d[k].len, -1, d[k].blk, buf, e);
        if (rc != CRM_OK)
            return rc;
        const unsigned char *col = NULL;
        size_t col_len = 0, at = 0;
        rc = dict_column(name, &d[k], buf->data + BLOCK_HDR, z, raw, &col, &col_len, e);
        if (rc != CRM_OK)
            return rc;
        for (uint32_t i = 0; i < d[k].count; i++) {
            uint64_t n;
            /* no NUL or UTF-8 check here: readers make them; an id that fails them
             * matches no customer an import gives */
            if (crm_varint_get(col, col_len, &at, &n) != 0 || n > col_len - at ||
                n > CRM_ID_MAX)
                return wcorrupt(name, -1, e, "dictionary entry %u at byte %llu: damaged",
                                d[k].first + i, d[k].off);
            if (fn(ctx, d[k].first + i, (const char *)col + at, (size_t)n))
                return CRM_OK;
            at += (size_t)n;
        }
        if (at != col_len)
            return wcorrupt(name, -1, e, "dictionary block of entry %u at byte %llu has stray "
                            "bytes", d[k].first, d[k].off);
    }
    return CRM_OK;
}

enum crm_err crm_store_walk_ids(int fd, const char *name, const struct crm_walk_chunk *c,
                                long long chunk_no, struct crm_buf *buf,
                                struct crm_walk_ids *out, struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    enum crm_err rc = read_block(fd, name, c->off, c->len, chunk_no, c->blk, buf, e);
    if (rc != CRM_OK)
        return rc;
    const unsigned char *p = buf->data + BLOCK_HDR;
    size_t len = c->len, pos = ORDS_FIXED;
    unsigned ncols = (unsigned)crm_le_get(p + 4, 4);
    if (ncols < 5 || ncols > 16)
        return wcorrupt(name, chunk_no, e, "chunk block %u at byte %llu: bad columns", c->blk,
                        c->off);
    for (unsigned i = 0; i < ncols; i++) {
        if (len - pos < COLDESC)
            return wcorrupt(name, chunk_no, e, "chunk block %u at byte %llu: column runs past "
                            "the block", c->blk, c->off);
        const unsigned char *d = p + pos;
        size_t stored = (size_t)crm_le_get(d + 8, 4);
        pos += COLDESC;
        if (stored > len - pos)
            return wcorrupt(name, chunk_no, e, "chunk block %u at byte %llu: column runs past "
                            "the block", c->blk, c->off);
        if (d[0] == COL_ORDER_ID && !out->stored) {
            out->enc = d[1];
            out->base = (int64_t)crm_le_get(d + 12, 8);
            out->raw_len = (size_t)crm_le_get(d + 4, 4);
            out->stored_len = stored;
            out->stored = p + pos;
            if (crm_le_get(d + 2, 2) != 0 || out->raw_len > 2 + 255 +
                                                 (size_t)c->rows * (CRM_ID_MAX + 10))
                return wcorrupt(name, chunk_no, e, "chunk block %u at byte %llu: order id "
                                "column damaged", c->blk, c->off);
        }
        pos += stored;
    }
    return CRM_OK;
}
