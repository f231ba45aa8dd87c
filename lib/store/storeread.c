/* storeread: the store reader (format: docs/FORMAT.md; writer: store.c).
 * Invariants: blocks are consumed strictly in order by the caller's thread, which reads
 * and checks every block (CRC, number, totals) and keeps the dictionary; an ORDS payload
 * is handed to a decoder, which checks its CRC first when the caller's thread left that to
 * it (the same error either way). Two decoders alternate: while the caller works on chunk k, a
 * worker thread inflates and decodes chunk k+1 into the other one, so decompression runs
 * on the second core. A decoder touches only its own buffers and a snapshot of the
 * dictionary size, never the reader's state. The counts read so far must match every
 * END block exactly, so a store that lost or gained a block is an error, never a
 * silently partial result. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/simd.h"
#include "store/items.h"
#include "store/storefmt.h"

/* One chunk's decoding state and result. */
struct dec {
    struct crm_zctx z;
    struct crm_buf payload;        /* the ORDS payload when read from a file descriptor */
    struct crm_buf inflated, idtext;
    int64_t *wide;
    uint32_t *customer, *id_off;
    int64_t *time, *amount;
    int32_t *quantity;
    uint8_t *status, *currency;
    char curnames[255][256];
    /* the job */
    const unsigned char *p;
    size_t len;
    unsigned want;
    uint32_t dcount;               /* dictionary entries known when the chunk was read */
    struct crm_chunk chunk;        /* header fields in, columns out */
    enum crm_err rc;
    struct crm_errinfo err;
    int64_t amount_sum;            /* of the chunk's amounts, -1 past int64 */
    /* The ORDS block's CRC, checked by the decoder (on the worker) before anything else */
    int crc_pending;
    uint32_t crc_head, crc_want;   /* CRC of the block header's first 12 bytes; the stored */
    uint32_t crc_block;            /* the block's number, offset and chunk, for the error */
    uint64_t crc_at;
    long long crc_chunk;
    struct crm_items_dec *items;   /* the chunk's ITEM block (format version 2) */
};

struct crm_store {
    char name[256];
    int fd, own_fd, seekable;
    /* source: bytes come from `head` (already read from fd), then fd, or all from mem */
    const unsigned char *head;
    size_t head_len, head_pos;
    const unsigned char *mem;     /* memory mode when non-NULL */
    size_t mem_len;
    uint64_t mem_base;            /* absolute offset of mem[0] */
    unsigned char *owned;         /* the rest of a pipe, read by crm_store_max_time */
    void *map;                    /* a store file's committed bytes mapped (mem points here) */
    size_t map_len;
    size_t map_dropped;           /* mapped bytes before this are given back (see drop_read) */
    uint64_t pos;                 /* absolute offset of the next unread byte */
    uint64_t first_block;
    uint64_t committed;           /* 0: unknown (a stream), read to EOF */
    uint64_t commits;
    struct crm_store_meta meta;
    unsigned version;
    struct crm_items_r *products; /* products read so far (version 2) */
    /* what has been read */
    uint32_t blocks;
    uint64_t chunks, orders, cust_rows;
    int64_t amount_total;         /* of the amounts handed out in this pass */
    uint32_t dict_seen;           /* entries covered by DICT blocks read in this pass */
    int64_t min_time, max_time;
    int last_was_end, at_end;
    struct crm_store_stats stats;
    int stats_known;
    int64_t filter_lo, filter_hi;
    int filter;
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    uint64_t size;                /* bytes of the store when known (for progress), else 0 */
    /* dictionary: ids back to back, NUL-terminated */
    char *dtext;
    size_t dtext_len, dtext_cap;
    uint64_t *doff;
    uint32_t dcount, dcap;
    struct crm_customer_info *cust;
    size_t cust_n, cust_cap;
    /* blocks other than ORDS */
    struct crm_buf payload;
    struct dec meta_dec;          /* DICT and CUST columns */
    /* chunk pipeline */
    struct dec dec[2];
    int ready;                    /* decoder holding a decoded chunk to return, -1: none */
    int pending;                  /* decoder the worker is busy with, -1: none */
    enum crm_err ahead_rc;        /* error met while reading ahead, returned next */
    struct crm_errinfo ahead_err;
    pthread_t worker;
    int worker_up, worker_quit;
    int worker_late;              /* the worker was still decoding when last waited for: the
                                     next ORDS block's CRC is checked here, not by it */
    struct dec *job;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static enum crm_err vcorrupt(const char *name, long long chunk, struct crm_errinfo *e,
                             const char *fmt, va_list ap)
{
    crm_errinfo_where(e, name, -1, -1, chunk);
    crm_errinfo_vset(e, CRM_ECORRUPT, fmt, ap);
    return CRM_ECORRUPT;
}

static enum crm_err corrupt(struct crm_store *s, struct crm_errinfo *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum crm_err corrupt(struct crm_store *s, struct crm_errinfo *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcorrupt(s->name, (long long)s->chunks, e, fmt, ap);
    va_end(ap);
    return CRM_ECORRUPT;
}

/* Decoder-side errors name the chunk being decoded. */
struct where {
    const char *name;
    long long chunk;
};

static enum crm_err dcorrupt(const struct where *w, struct crm_errinfo *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum crm_err dcorrupt(const struct where *w, struct crm_errinfo *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcorrupt(w->name, w->chunk, e, fmt, ap);
    va_end(ap);
    return CRM_ECORRUPT;
}

static enum crm_err truncated(struct crm_store *s, struct crm_errinfo *e, const char *what)
{
    crm_errinfo_where(e, s->name, -1, -1, (long long)s->chunks);
    return crm_errinfo_set(e, CRM_ETRUNC,
                           "store ends early: %s at byte %llu (block %u); truncated or "
                           "still being written", what, (unsigned long long)s->pos, s->blocks);
}

/* ---- reading bytes ---- */

#define READ_STEP ((size_t)1 << 20)

/* A mapped store's pages stay in the process's resident set once touched: without this a
 * 667 MB store added 650 MB to crm-rfm's peak. The bytes read more than MAP_LAG ago are
 * unmapped from the process in steps of MAP_STEP (the blocks in the decoders' hands, about
 * three of ~450 KB at 100 M orders, are younger: a page they touch again would be mapped
 * again and stay so); at the end the whole mapping is. The pages stay in the page cache,
 * and a page touched again is only mapped again, with the same bytes. */
#define MAP_LAG ((size_t)1 << 20)
#define MAP_STEP ((size_t)256 << 10)

static void drop_read(struct crm_store *s)
{
    size_t pos = (size_t)s->pos, from = s->map_dropped, upto;
    if (pos >= s->map_len) {
        from = 0;                                  /* all read: give back all of it */
        upto = s->map_len;
    } else if (pos > s->map_dropped + MAP_LAG + MAP_STEP) {
        upto = (pos - MAP_LAG) & ~(size_t)4095;
    } else {
        return;
    }
    if (upto > from) {
        (void)madvise((unsigned char *)s->map + from, upto - from, MADV_DONTNEED);
        s->map_dropped = upto;
    }
}

/* Up to n bytes at the current position: a pointer into memory, or read into `into`.
 * *got < n only at the end of the input. */
static enum crm_err src_get(struct crm_store *s, size_t n, struct crm_buf *into,
                            const unsigned char **p, size_t *got, struct crm_errinfo *e)
{
    if (s->mem) {
        uint64_t off = s->pos - s->mem_base;
        size_t avail = off < s->mem_len ? s->mem_len - (size_t)off : 0;
        *got = n < avail ? n : avail;
        *p = s->mem + off;
        s->pos += *got;
        if (s->map)
            drop_read(s);
        return CRM_OK;
    }
    into->len = 0;
    /* Memory follows the bytes that arrive, not a length a damaged header claims. */
    if (crm_buf_reserve(into, n < READ_STEP ? n : READ_STEP) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory reading %zu bytes", n);
    size_t have = 0;
    while (have < n && s->head_pos < s->head_len) {
        size_t k = s->head_len - s->head_pos;
        if (k > n - have)
            k = n - have;
        memcpy(into->data + have, s->head + s->head_pos, k);
        s->head_pos += k;
        have += k;
    }
    while (have < n) {
        if (have == into->cap) {
            into->len = have;
            size_t more = n - have < have ? n - have : have;
            if (crm_buf_reserve(into, more) != 0)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory reading %zu bytes", n);
        }
        size_t room = into->cap - have < n - have ? into->cap - have : n - have;
        ssize_t k = read(s->fd, into->data + have, room);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            crm_errinfo_where(e, s->name, -1, -1, (long long)s->chunks);
            return crm_errinfo_set(e, CRM_EIO, "read failed: %s", strerror(errno));
        }
        if (k == 0)
            break;
        have += (size_t)k;
    }
    into->len = have;
    *p = into->data;
    *got = have;
    s->pos += have;
    return CRM_OK;
}

static enum crm_err read_header(struct crm_store *s, struct crm_errinfo *e)
{
    const unsigned char *p;
    size_t got;
    unsigned char fixed[HDR_FIXED];
    enum crm_err rc = src_get(s, HDR_FIXED, &s->payload, &p, &got, e);
    if (rc != CRM_OK)
        return rc;
    if (got < 8 || memcmp(p, CRM_STORE_MAGIC, 8) != 0) {
        crm_errinfo_where(e, s->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "not a crmkit store (bad magic bytes)");
    }
    if (got < HDR_FIXED)
        return truncated(s, e, "header");
    memcpy(fixed, p, HDR_FIXED);
    unsigned version = (unsigned)crm_le_get(fixed + 8, 2);
    s->version = version;
    if (version != CRM_STORE_VERSION && version != CRM_STORE_VERSION_ORDERS) {
        crm_errinfo_where(e, s->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EVERSION,
                               "store format version %u; this crmkit reads versions %d "
                               "and %d", version, CRM_STORE_VERSION_ORDERS, CRM_STORE_VERSION);
    }
    size_t mlen = (size_t)crm_le_get(fixed + 12, 4);
    if (mlen > MAX_META)
        return corrupt(s, e, "header: metadata length %zu is impossible", mlen);
    rc = src_get(s, mlen, &s->payload, &p, &got, e);
    if (rc != CRM_OK)
        return rc;
    if (got < mlen)
        return truncated(s, e, "header");
    if (crc_of(crc_of(0, fixed, 16), p, mlen) != (uint32_t)crm_le_get(fixed + 16, 4))
        return corrupt(s, e, "header checksum mismatch");
    s->committed = crm_le_get(fixed + HDR_COMMIT_OFF + 4, 8);
    s->commits = crm_le_get(fixed + HDR_COMMIT_OFF + 12, 8);
    if (commit_crc(s->committed, s->commits) != (uint32_t)crm_le_get(fixed + HDR_COMMIT_OFF, 4))
        return corrupt(s, e, "header commit record checksum mismatch");
    s->meta.money_scale = 2;
    s->meta.tz[0] = '\0';
    char meta[MAX_META + 1];
    memcpy(meta, p, mlen);
    meta[mlen] = '\0';
    for (char *line = meta, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "money_scale=", 12) == 0) {
            const char *v = line + 12;
            if (v[0] < '0' || v[0] > '6' || v[1])
                return corrupt(s, e, "header: money_scale \"%.16s\" is not a whole number "
                               "from 0 to 6", v);
            s->meta.money_scale = v[0] - '0';
        } else if (strncmp(line, "tz=", 3) == 0) {
            if (strlen(line + 3) >= sizeof s->meta.tz)
                return corrupt(s, e, "header: time zone name of %zu bytes", strlen(line + 3));
            snprintf(s->meta.tz, sizeof s->meta.tz, "%s", line + 3);
        }
    }
    s->first_block = s->pos;
    if (s->committed && s->committed < s->first_block)
        return corrupt(s, e, "header commit record points inside the header");
    return CRM_OK;
}

/* ---- life cycle ---- */

static int dec_init(struct dec *d)
{
    d->wide = malloc(CRM_CHUNK_ROWS * sizeof *d->wide);
    d->customer = malloc(CRM_CHUNK_ROWS * sizeof *d->customer);
    d->id_off = malloc((CRM_CHUNK_ROWS + 1) * sizeof *d->id_off);
    d->time = malloc(CRM_CHUNK_ROWS * sizeof *d->time);
    d->amount = malloc(CRM_CHUNK_ROWS * sizeof *d->amount);
    d->quantity = malloc(CRM_CHUNK_ROWS * sizeof *d->quantity);
    d->status = malloc(CRM_CHUNK_ROWS);
    d->currency = malloc(CRM_CHUNK_ROWS);
    d->items = crm_items_dec_new();
    return d->wide && d->customer && d->id_off && d->time && d->amount && d->quantity &&
                   d->status && d->currency && d->items
               ? 0
               : -1;
}

static void dec_free(struct dec *d)
{
    free(d->wide);
    free(d->customer);
    free(d->id_off);
    free(d->time);
    free(d->amount);
    free(d->quantity);
    free(d->status);
    free(d->currency);
    crm_buf_free(&d->payload);
    crm_buf_free(&d->inflated);
    crm_buf_free(&d->idtext);
    crm_zctx_free(&d->z);
    crm_items_dec_free(d->items);
}

static struct crm_store *reader_alloc(const char *name)
{
    struct crm_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = -1;
    s->ready = s->pending = -1;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "stdin");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->dcap = 1024;
    s->doff = malloc(s->dcap * sizeof *s->doff);
    if (!s->doff || dec_init(&s->meta_dec) || dec_init(&s->dec[0]) || dec_init(&s->dec[1])) {
        crm_store_close(s);
        return NULL;
    }
    s->doff[0] = 0;
    return s;
}

static enum crm_err open_common(struct crm_store *s, struct crm_store **out,
                                struct crm_errinfo *e)
{
    enum crm_err rc = read_header(s, e);
    if (rc != CRM_OK) {
        crm_store_close(s);
        return rc;
    }
    *out = s;
    return CRM_OK;
}

/* A store file of MAP_MIN bytes or more (below 1 MiB read() costs nothing) is read through
 * a mapping of its committed bytes: the blocks are checked and inflated straight from the
 * page cache instead of being copied out of it by read() first. Only committed bytes are
 * mapped — an append truncates only what lies past them — so the mapping never loses its
 * file pages. Any failure keeps read(). */
#define MAP_MIN ((uint64_t)1 << 20)

static void map_file(struct crm_store *s)
{
    struct stat st;
    if (!s->seekable || s->mem || s->committed < MAP_MIN || s->committed > SIZE_MAX ||
        fstat(s->fd, &st) != 0 || (uint64_t)st.st_size < s->committed)
        return;
    void *p = mmap(NULL, (size_t)s->committed, PROT_READ, MAP_PRIVATE, s->fd, 0);
    if (p == MAP_FAILED)
        return;
    s->map = p;
    s->map_len = (size_t)s->committed;
    s->mem = p;
    s->mem_base = 0;
    s->mem_len = s->map_len;
}

enum crm_err crm_store_open_fd(int fd, const char *name, const void *head, size_t head_len,
                               struct crm_store **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_store *s = reader_alloc(name);
    if (!s)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    s->fd = fd;
    s->head = head;
    s->head_len = head ? head_len : 0;
    struct stat st;
    s->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                  lseek(fd, 0, SEEK_CUR) == (off_t)s->head_len;
    enum crm_err rc = open_common(s, out, e);
    if (rc == CRM_OK)
        map_file(*out);
    return rc;
}

enum crm_err crm_store_open(const char *path, struct crm_store **out, struct crm_errinfo *e)
{
    *out = NULL;
    if (!path || strcmp(path, "-") == 0)
        return crm_store_open_fd(0, "stdin", NULL, 0, out, e);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot open: %s", strerror(errno));
    }
    enum crm_err rc = crm_store_open_fd(fd, path, NULL, 0, out, e);
    if (rc != CRM_OK) {
        close(fd);
        return rc;
    }
    (*out)->own_fd = 1;
    return rc;
}

enum crm_err crm_store_open_mem(const void *data, size_t len, const char *name,
                                struct crm_store **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_store *s = reader_alloc(name);
    if (!s)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    s->mem = data;
    s->mem_len = len;
    return open_common(s, out, e);
}

/* Wait until the worker is idle; 1 when it was busy. */
static int wait_worker(struct crm_store *s)
{
    pthread_mutex_lock(&s->mu);
    int busy = s->job != NULL;
    while (s->job)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return busy;
}

void crm_store_close(struct crm_store *s)
{
    if (!s)
        return;
    if (s->worker_up) {
        pthread_mutex_lock(&s->mu);
        while (s->job)
            pthread_cond_wait(&s->cv, &s->mu);
        s->worker_quit = 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->worker, NULL);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    if (s->own_fd)
        close(s->fd);
    free(s->owned);
    if (s->map)
        munmap(s->map, s->map_len);
    free(s->dtext);
    free(s->doff);
    free(s->cust);
    crm_items_r_free(s->products);
    dec_free(&s->meta_dec);
    dec_free(&s->dec[0]);
    dec_free(&s->dec[1]);
    crm_buf_free(&s->payload);
    free(s);
}

void crm_store_set_progress(struct crm_store *s,
                            void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx)
{
    s->progress = fn;
    s->progress_ctx = ctx;
    struct stat st;
    s->size = s->committed ? s->committed
            : s->mem ? s->mem_len
            : s->fd >= 0 && fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size
            : 0;
}

void crm_store_set_time_filter(struct crm_store *s, int64_t lo, int64_t hi)
{
    s->filter = 1;
    s->filter_lo = lo;
    s->filter_hi = hi;
}

const struct crm_store_stats *crm_store_stats(const struct crm_store *s)
{
    return &s->stats;
}

/* ---- column decoding (thread-safe: only the decoder's buffers) ---- */

struct coldesc {
    unsigned id, enc, planes;
    size_t raw_len, stored_len;
    int64_t base;
    const unsigned char *data;  /* stored bytes inside the payload */
};

/* Parse `count` descriptors starting at *pos; columns follow their descriptors. */
static enum crm_err parse_columns(const struct where *w, const unsigned char *p, size_t len,
                                  size_t *pos, struct coldesc *cols, unsigned count,
                                  struct crm_errinfo *e)
{
    for (unsigned i = 0; i < count; i++) {
        if (len - *pos < COLDESC)
            return dcorrupt(w, e, "column %u descriptor runs past the block", i);
        const unsigned char *d = p + *pos;
        struct coldesc *c = &cols[i];
        c->id = d[0];
        c->enc = d[1];
        c->planes = (unsigned)crm_le_get(d + 2, 2);
        c->raw_len = (size_t)crm_le_get(d + 4, 4);
        c->stored_len = (size_t)crm_le_get(d + 8, 4);
        c->base = (int64_t)crm_le_get(d + 12, 8);
        *pos += COLDESC;
        if (c->stored_len > len - *pos)
            return dcorrupt(w, e, "column %u data runs past the block", c->id);
        c->data = p + *pos;
        *pos += c->stored_len;
        if (c->raw_len > MAX_PAYLOAD)
            return dcorrupt(w, e, "column %u: impossible size %zu", c->id, c->raw_len);
        for (unsigned j = 0; j < i; j++)
            if (cols[j].id == c->id)
                return dcorrupt(w, e, "column %u appears twice", c->id);
        if (c->planes && (!(c->planes & PLANES) || (c->planes & 0x7f00u) ||
                          (c->enc & (ENC_DEFLATE | ENC_VARLEN | ENC_NUMID)) ||
                          (c->enc & ENC_WIDTH) == 0))
            return dcorrupt(w, e, "column %u: bad plane layout 0x%04x", c->id, c->planes);
    }
    return CRM_OK;
}

static const struct coldesc *find_col(const struct coldesc *cols, unsigned n, unsigned id)
{
    for (unsigned i = 0; i < n; i++)
        if (cols[i].id == id)
            return &cols[i];
    return NULL;
}

/* What the format allows in each column of a chunk: the most raw bytes a row may take
 * (checked before anything is inflated, so a deflate bomb costs nothing) and the values
 * allowed in a fixed-width column. A new column joins the format by adding a line. */
struct col_rule {
    unsigned id;
    size_t fixed, per_row;     /* raw length <= fixed + rows * per_row */
    int64_t lo, hi;            /* fixed-width values allowed */
    const char *below, *above; /* what a value out of range is */
};

static const struct col_rule ords_rules[] = {
    {COL_CUSTOMER, 0, 8, 0, UINT32_MAX - 1, "negative customer", "customer past 2^32"},
    {COL_TIME, 0, 8, CRM_TIME_MIN, CRM_TIME_MAX, "time before the year 1",
     "time after the year 9999"},
    {COL_AMOUNT, 0, 8, 0, INT64_MAX, "negative amount", ""},
    {COL_QUANTITY, 0, 8, 0, INT32_MAX, "negative quantity", "quantity past 2^31"},
    {COL_STATUS, 0, 8, 0, CRM_STATUS_COUNT - 1, "unknown status", "unknown status"},
    {COL_ORDER_ID, 2 + 255, CRM_ID_MAX + 10, 0, 0, NULL, NULL},
    {COL_CURRENCY, 1 + 254 * 256, 1, 0, 0, NULL, NULL},
    {COL_ID_SUMMARY, 1 + 2 * (10 + CRM_ID_MAX), 0, 0, 0, NULL, NULL},
};

static const struct col_rule *rule_of(unsigned id)
{
    for (size_t i = 0; i < sizeof ords_rules / sizeof ords_rules[0]; i++)
        if (ords_rules[i].id == id)
            return &ords_rules[i];
    return NULL;
}

/* Every known column's declared raw length within what its rows may take. */
static enum crm_err check_sizes(const struct where *w, const struct coldesc *cols, unsigned nc,
                                size_t n, struct crm_errinfo *e)
{
    for (unsigned i = 0; i < nc; i++) {
        const struct col_rule *r = rule_of(cols[i].id);
        if (r && cols[i].raw_len > r->fixed + n * r->per_row)
            return dcorrupt(w, e, "column %u declares %zu bytes for %zu rows (at most %zu): "
                            "a damaged or crafted store", cols[i].id, cols[i].raw_len, n,
                            r->fixed + n * r->per_row);
    }
    return CRM_OK;
}

/* Values of column id within its rule's range. */
static enum crm_err check_values(const struct where *w, unsigned id, const int64_t *v, size_t n,
                                 struct crm_errinfo *e)
{
    const struct col_rule *r = rule_of(id);
    for (size_t i = 0; i < n; i++)
        if (v[i] < r->lo || v[i] > r->hi)
            return dcorrupt(w, e, "row %zu: %s (%lld)", i, v[i] < r->lo ? r->below : r->above,
                            (long long)v[i]);
    return CRM_OK;
}

/* The decoder's fast checks: one branch-free pass each (the compiler vectorises them);
 * only when a pass finds a bad value does the slow path below name the row and the fault,
 * with the same message as ever. */

/* 1 when some v[i] lies outside [lo, hi] (lo <= hi). */
CRM_SIMD_CLONES
static int outside(const int64_t *v, size_t n, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo, bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= (uint64_t)v[i] - (uint64_t)lo > span;
    return bad != 0;
}

/* out[i] = v[i] when every v[i] is a dictionary index (< count); else -1. */
CRM_SIMD_CLONES
static int narrow_u32(const int64_t *v, size_t n, uint32_t count, uint32_t *out)
{
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= (uint64_t)v[i] >= count;
        out[i] = (uint32_t)v[i];
    }
    return bad ? -1 : 0;
}

/* The low bytes / low 32 bits of n checked values. */
CRM_SIMD_CLONES
static void narrow_u8(const int64_t *v, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)v[i];
}

CRM_SIMD_CLONES
static void narrow_i32(const int64_t *v, size_t n, int32_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (int32_t)v[i];
}

/* The sum of n amounts (each >= 0), -1 past int64. */
static int64_t sum_or_minus1(const int64_t *v, size_t n)
{
    uint64_t sum = 0, top = 0;
    for (size_t i = 0; i < n; i++) {   /* each < 2^63: the carries into bit 64 are counted */
        uint64_t t = sum + (uint64_t)v[i];
        top += t < sum;
        sum = t;
    }
    return top || sum > (uint64_t)INT64_MAX ? -1 : (int64_t)sum;
}

static enum crm_err customer_error(const struct where *w, const int64_t *v, size_t n,
                                   uint32_t count, struct crm_errinfo *e)
{
    enum crm_err rc = check_values(w, COL_CUSTOMER, v, n, e);
    if (rc != CRM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)v[i] >= count)
            return dcorrupt(w, e, "row %zu: customer %lld not in the dictionary", i,
                            (long long)v[i]);
    return CRM_OK;
}

static enum crm_err time_error(const struct where *w, const int64_t *v, size_t n,
                               int64_t lo, int64_t hi, struct crm_errinfo *e)
{
    enum crm_err rc = check_values(w, COL_TIME, v, n, e);
    if (rc != CRM_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (v[i] < lo || v[i] > hi)
            return dcorrupt(w, e, "row %zu: time outside the chunk's range", i);
    return CRM_OK;
}

/* The column's raw bytes (inflated when needed). */
static enum crm_err col_raw(struct dec *d, const struct where *w, const struct coldesc *c,
                            const unsigned char **raw, struct crm_errinfo *e)
{
    if (!(c->enc & ENC_DEFLATE)) {
        if (c->stored_len != c->raw_len)
            return dcorrupt(w, e, "column %u: stored size %zu != %zu", c->id, c->stored_len,
                            c->raw_len);
        *raw = c->data;
        return CRM_OK;
    }
    d->inflated.len = 0;
    if (crm_buf_reserve(&d->inflated, c->raw_len + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (crm_col_inflate(&d->z, c->data, c->stored_len, d->inflated.data, c->raw_len) != 0)
        return dcorrupt(w, e, "column %u does not decompress to its %zu bytes", c->id,
                        c->raw_len);
    *raw = d->inflated.data;
    return CRM_OK;
}

/* Fixed-width column of n values into out. */
static enum crm_err col_ints(struct dec *d, const struct where *w, const struct coldesc *c,
                             size_t n, int64_t *out, struct crm_errinfo *e)
{
    unsigned width = c->enc & ENC_WIDTH;
    if ((c->enc & (ENC_VARLEN | ENC_NUMID)) || width > 8 || c->raw_len != n * width ||
        (width == 1 && (c->enc & ENC_SHUFFLE)))
        return dcorrupt(w, e, "column %u: bad encoding 0x%02x for %zu rows", c->id, c->enc, n);
    if (c->planes) {
        if (crm_buf_reserve(&d->inflated, n * width + 1) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (crm_col_planes_unpack(&d->z, c->data, c->stored_len, n, (int)width,
                                  c->planes & 0xffu, c->base, d->inflated.data, out) != 0)
            return dcorrupt(w, e, "column %u: byte planes damaged", c->id);
        return CRM_OK;
    }
    const unsigned char *raw;
    enum crm_err rc = col_raw(d, w, c, &raw, e);
    if (rc != CRM_OK)
        return rc;
    crm_col_planes_get(raw, n, (int)width, (c->enc & ENC_SHUFFLE) != 0, c->base, out);
    return CRM_OK;
}

static enum crm_err decode_ids(struct dec *d, const struct where *w, const struct coldesc *c,
                               size_t n, struct crm_errinfo *e)
{
    if (!(c->enc & (ENC_VARLEN | ENC_NUMID)))
        return dcorrupt(w, e, "order id column encoding 0x%02x", c->enc);
    const unsigned char *raw;
    enum crm_err rc = col_raw(d, w, c, &raw, e);
    if (rc != CRM_OK)
        return rc;
    if (crm_col_ids_decode(c->enc, raw, c->raw_len, n, c->base, d->wide, &d->idtext,
                           d->id_off) != 0)
        return dcorrupt(w, e, "order id column damaged");
    d->chunk.order_id_off = d->id_off;
    d->chunk.order_id_text = (const char *)d->idtext.data;
    return CRM_OK;
}

static enum crm_err decode_currency(struct dec *d, const struct where *w,
                                    const struct coldesc *c, size_t n, struct crm_errinfo *e)
{
    if (!(c->enc & ENC_VARLEN))
        return dcorrupt(w, e, "currency column encoding");
    const unsigned char *raw;
    enum crm_err rc = col_raw(d, w, c, &raw, e);
    if (rc != CRM_OK)
        return rc;
    size_t at = 0, len = c->raw_len;
    if (len < 1)
        return dcorrupt(w, e, "currency column empty");
    unsigned k = raw[at++];
    if (k > 254)
        return dcorrupt(w, e, "currency column: %u names", k);
    for (unsigned i = 0; i < k; i++) {
        if (at >= len || raw[at] > len - at - 1)
            return dcorrupt(w, e, "currency name %u runs past the column", i);
        size_t l = raw[at++];
        memcpy(d->curnames[i], raw + at, l);
        d->curnames[i][l] = '\0';
        d->chunk.currency_names[i] = d->curnames[i];
        at += l;
    }
    if (len - at != n)
        return dcorrupt(w, e, "currency column size");
    for (size_t i = 0; i < n; i++) {
        unsigned v = raw[at + i];
        if (v >= k && v != 255)
            return dcorrupt(w, e, "currency index %u out of range", v);
        d->currency[i] = (uint8_t)v;
    }
    d->chunk.currency = d->currency;
    d->chunk.currency_count = k;
    return CRM_OK;
}

/* The ORDS block's deferred CRC (see next_block), checked once, by whichever thread comes
 * first: the error is the one the reader's thread gave when it checked every block itself. */
static enum crm_err ords_crc(struct dec *d, const struct where *w, struct crm_errinfo *e)
{
    if (!d->crc_pending)
        return CRM_OK;
    if (crc_of(d->crc_head, d->p, d->len) != d->crc_want)
        return dcorrupt(w, e, "checksum mismatch in block %u at byte %llu", d->crc_block,
                        (unsigned long long)d->crc_at);
    d->crc_pending = 0;
    return CRM_OK;
}

/* Decode the requested columns of the ORDS payload d->p into d->chunk. One piece: the
 * column table is checked once, then each requested column is decoded and range-checked
 * in a few lines of its own, in the format's column order (docs/FORMAT.md). */
static enum crm_err decode_ords(struct dec *d, const char *name, struct crm_errinfo *e)
{
    struct where w = {name, d->chunk.index};
    enum crm_err crc = ords_crc(d, &w, e);
    if (crc != CRM_OK)
        return crc;
    const unsigned char *p = d->p;
    size_t len = d->len, n = d->chunk.n, pos = ORDS_FIXED;
    unsigned ncols = (unsigned)crm_le_get(p + 4, 4), want = d->want;
    struct crm_chunk *out = &d->chunk;
    struct coldesc cols[16];
    if (ncols < 5 || ncols > 16)
        return dcorrupt(&w, e, "chunk has %u columns", ncols);
    enum crm_err rc = parse_columns(&w, p, len, &pos, cols, ncols, e);
    if (rc != CRM_OK)
        return rc;
    if (pos != len)
        return dcorrupt(&w, e, "chunk has %zu stray bytes", len - pos);
    if ((rc = check_sizes(&w, cols, ncols, n, e)) != CRM_OK)
        return rc;
    static const unsigned required[] = {COL_CUSTOMER, COL_TIME, COL_AMOUNT, COL_QUANTITY,
                                        COL_STATUS};
    for (unsigned k = 0; k < 5; k++)
        if (!find_col(cols, ncols, required[k]))
            return dcorrupt(&w, e, "chunk lacks column %u", required[k]);
    if (want & CRM_COL_CUSTOMER) {
        rc = col_ints(d, &w, find_col(cols, ncols, COL_CUSTOMER), n, d->wide, e);
        if (rc == CRM_OK && narrow_u32(d->wide, n, d->dcount, d->customer) != 0)
            rc = customer_error(&w, d->wide, n, d->dcount, e);
        if (rc != CRM_OK)
            return rc;
        out->customer = d->customer;
    }
    if (want & CRM_COL_TIME) {
        rc = col_ints(d, &w, find_col(cols, ncols, COL_TIME), n, d->time, e);
        int64_t lo = out->min_time > CRM_TIME_MIN ? out->min_time : CRM_TIME_MIN,
                hi = out->max_time < CRM_TIME_MAX ? out->max_time : CRM_TIME_MAX;
        if (rc == CRM_OK && (lo > hi ? n > 0 : outside(d->time, n, lo, hi)))
            rc = time_error(&w, d->time, n, out->min_time, out->max_time, e);
        if (rc != CRM_OK)
            return rc;
        out->time = d->time;
    }
    if (want & CRM_COL_AMOUNT) {
        rc = col_ints(d, &w, find_col(cols, ncols, COL_AMOUNT), n, d->amount, e);
        if (rc == CRM_OK && outside(d->amount, n, 0, INT64_MAX))
            rc = check_values(&w, COL_AMOUNT, d->amount, n, e);
        if (rc != CRM_OK)
            return rc;
        d->amount_sum = sum_or_minus1(d->amount, n);
        out->amount = d->amount;
    }
    if (want & CRM_COL_QUANTITY) {
        rc = col_ints(d, &w, find_col(cols, ncols, COL_QUANTITY), n, d->wide, e);
        if (rc == CRM_OK && outside(d->wide, n, 0, INT32_MAX))
            rc = check_values(&w, COL_QUANTITY, d->wide, n, e);
        if (rc != CRM_OK)
            return rc;
        narrow_i32(d->wide, n, d->quantity);
        out->quantity = d->quantity;
    }
    if (want & CRM_COL_STATUS) {
        rc = col_ints(d, &w, find_col(cols, ncols, COL_STATUS), n, d->wide, e);
        if (rc == CRM_OK && outside(d->wide, n, 0, CRM_STATUS_COUNT - 1))
            rc = check_values(&w, COL_STATUS, d->wide, n, e);
        if (rc != CRM_OK)
            return rc;
        narrow_u8(d->wide, n, d->status);
        out->status = d->status;
    }
    if (want & CRM_COL_ORDER_ID) {
        const struct coldesc *c = find_col(cols, ncols, COL_ORDER_ID);
        if (c) {
            rc = decode_ids(d, &w, c, n, e);
            if (rc != CRM_OK)
                return rc;
        } else {
            memset(d->id_off, 0, (n + 1) * sizeof *d->id_off);
            out->order_id_off = d->id_off;
            out->order_id_text = "";
        }
    }
    if (want & CRM_COL_CURRENCY) {
        const struct coldesc *c = find_col(cols, ncols, COL_CURRENCY);
        if (c) {
            rc = decode_currency(d, &w, c, n, e);
            if (rc != CRM_OK)
                return rc;
        } else {
            memset(d->currency, 255, n);
            out->currency = d->currency;
            out->currency_count = 0;
        }
    }
    if (want & CRM_COL_ITEMS)
        return crm_items_dec_decode(d->items, &d->z, out, name, e);
    return CRM_OK;
}

/* ---- the caller's side: dictionary, customers, totals ---- */

/* 1 when p[0..n) is valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
static int utf8_valid(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i], k, lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        else
            return 0;
        if (n - i <= k || p[i + 1] < lo || p[i + 1] > hi)
            return 0;
        for (unsigned j = 2; j <= k; j++)
            if (p[i + j] < 0x80 || p[i + j] > 0xBF)
                return 0;
        i += k + 1;
    }
    return 1;
}

void crm_store_adopt_fd(struct crm_store *s)
{
    s->own_fd = 1;
}

const struct crm_store_meta *crm_store_meta(const struct crm_store *s)
{
    return &s->meta;
}

uint32_t crm_store_customer_count(const struct crm_store *s)
{
    return s->dcount;
}

uint32_t crm_store_customer_hint(const struct crm_store *s)
{
    unsigned char tail[BLOCK_HDR + END_PAYLOAD];
    if (!s->seekable || s->fd < 0 || s->committed < s->first_block + sizeof tail)
        return 0;
    if (pread(s->fd, tail, sizeof tail, (off_t)(s->committed - sizeof tail)) !=
            (ssize_t)sizeof tail ||
        crm_le_get(tail, 4) != T_END || crm_le_get(tail + 4, 4) != END_PAYLOAD ||
        crc_of(crc_of(0, tail, 12), tail + BLOCK_HDR, END_PAYLOAD) !=
            (uint32_t)crm_le_get(tail + 12, 4))
        return 0;
    uint64_t n = crm_le_get(tail + BLOCK_HDR + 16, 8);
    return n <= UINT32_MAX && n <= s->committed ? (uint32_t)n : 0;   /* an id takes a byte */
}

const char *crm_store_customer_id(const struct crm_store *s, uint32_t idx, size_t *len)
{
    if (len)
        *len = (size_t)(s->doff[idx + 1] - s->doff[idx] - 1);
    return s->dtext + s->doff[idx];
}

void crm_store_customer_id_prefetch(const struct crm_store *s, uint32_t idx, int step)
{
    if (step == 1)
        __builtin_prefetch(&s->doff[idx]);
    else
        __builtin_prefetch(s->dtext + s->doff[idx]);
}

int crm_store_has_items(const struct crm_store *s)
{
    return s->version == CRM_STORE_VERSION;
}

uint32_t crm_store_product_count(const struct crm_store *s)
{
    return crm_items_r_count(s->products);
}

const struct crm_product *crm_store_product(const struct crm_store *s, uint32_t idx)
{
    return crm_items_r_product(s->products, idx);
}

size_t crm_store_customers(const struct crm_store *s, const struct crm_customer_info **rows)
{
    *rows = s->cust;
    return s->cust_n;
}

static enum crm_err dict_add(struct crm_store *s, const char *id, size_t len,
                             struct crm_errinfo *e)
{
    if (s->dcount + 1 >= s->dcap) {
        uint64_t *o = realloc(s->doff, (size_t)s->dcap * 2 * sizeof *o);
        if (!o)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        s->doff = o;
        s->dcap *= 2;
    }
    if (s->dtext_len + len + 1 > s->dtext_cap) {
        size_t cap = s->dtext_cap ? s->dtext_cap * 2 : 65536;
        while (cap < s->dtext_len + len + 1)
            cap *= 2;
        char *t = realloc(s->dtext, cap);
        if (!t)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        s->dtext = t;
        s->dtext_cap = cap;
    }
    memcpy(s->dtext + s->dtext_len, id, len);
    s->dtext[s->dtext_len + len] = '\0';
    s->dtext_len += len + 1;
    s->doff[++s->dcount] = s->dtext_len;
    return CRM_OK;
}

static enum crm_err read_dict(struct crm_store *s, const unsigned char *p, size_t len,
                              struct crm_errinfo *e)
{
    if (len < 8)
        return corrupt(s, e, "dictionary block too short");
    uint32_t first = (uint32_t)crm_le_get(p, 4), count = (uint32_t)crm_le_get(p + 4, 4);
    size_t pos = 8;
    struct coldesc c;
    struct where w = {s->name, (long long)s->chunks};
    enum crm_err rc = parse_columns(&w, p, len, &pos, &c, 1, e);
    if (rc != CRM_OK)
        return rc;
    if (c.id != COL_D_IDS || !(c.enc & ENC_VARLEN) || pos != len)
        return corrupt(s, e, "dictionary block layout");
    if (first != s->dict_seen || count > UINT32_MAX - first)
        return corrupt(s, e, "dictionary block starts at entry %u, expected %u", first,
                       s->dict_seen);
    if (first + count <= s->dcount) {    /* a second pass (rewind): already loaded */
        s->dict_seen = first + count;
        return CRM_OK;
    }
    if (first != s->dcount)
        return corrupt(s, e, "dictionary out of step");
    if (c.raw_len > (uint64_t)count * (CRM_ID_MAX + 10))
        return corrupt(s, e, "dictionary block declares %zu bytes for %u ids (at most %llu): "
                       "a damaged or crafted store", c.raw_len, count,
                       (unsigned long long)count * (CRM_ID_MAX + 10));
    const unsigned char *raw;
    rc = col_raw(&s->meta_dec, &w, &c, &raw, e);
    if (rc != CRM_OK)
        return rc;
    size_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t n;
        if (crm_varint_get(raw, c.raw_len, &at, &n) != 0 || n > c.raw_len - at)
            return corrupt(s, e, "dictionary entry %u runs past the block", first + i);
        if (memchr(raw + at, '\0', (size_t)n))
            return corrupt(s, e, "dictionary entry %u contains a NUL byte", first + i);
        if (n > CRM_ID_MAX)
            return corrupt(s, e, "dictionary entry %u: id of %llu bytes (at most %d)",
                           first + i, (unsigned long long)n, CRM_ID_MAX);
        if (!utf8_valid(raw + at, (size_t)n))
            return corrupt(s, e, "dictionary entry %u: customer id is not valid UTF-8",
                           first + i);
        rc = dict_add(s, (const char *)raw + at, (size_t)n, e);
        if (rc != CRM_OK)
            return rc;
        at += (size_t)n;
    }
    if (at != c.raw_len)
        return corrupt(s, e, "dictionary block has %zu stray bytes", c.raw_len - at);
    s->dict_seen = s->dcount;
    return CRM_OK;
}

static enum crm_err read_cust(struct crm_store *s, const unsigned char *p, size_t len,
                              struct crm_errinfo *e)
{
    if (len < 8)
        return corrupt(s, e, "customers block too short");
    size_t n = (size_t)crm_le_get(p, 4), pos = 8;
    unsigned ncols = (unsigned)crm_le_get(p + 4, 4);
    struct coldesc cols[5];
    if (ncols != 5 || n == 0 || n > CRM_CHUNK_ROWS)
        return corrupt(s, e, "customers block layout (%zu rows, %u columns)", n, ncols);
    struct where w = {s->name, (long long)s->chunks};
    enum crm_err rc = parse_columns(&w, p, len, &pos, cols, 5, e);
    if (rc != CRM_OK)
        return rc;
    if (pos != len)
        return corrupt(s, e, "customers block has stray bytes");
    if (s->cust_n + n > s->cust_cap) {
        size_t cap = s->cust_cap ? s->cust_cap : 1024;
        while (cap < s->cust_n + n)
            cap *= 2;
        struct crm_customer_info *c = realloc(s->cust, cap * sizeof *c);
        if (!c)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        s->cust = c;
        s->cust_cap = cap;
    }
    struct crm_customer_info *rows = s->cust + s->cust_n;
    for (unsigned k = 0; k < 5; k++) {
        const struct coldesc *c = find_col(cols, 5, COL_C_CUSTOMER + k);
        if (!c)
            return corrupt(s, e, "customers block lacks column %u", COL_C_CUSTOMER + k);
        int64_t *v = s->meta_dec.wide;
        rc = col_ints(&s->meta_dec, &w, c, n, v, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            int64_t x = v[i];
            switch (k) {
            case 0:
                if (x < 0 || x >= (int64_t)s->dcount)
                    return corrupt(s, e, "customers block: customer %lld unknown", (long long)x);
                rows[i].customer = (uint32_t)x;
                break;
            case 1:
            case 2:
                if (x < INT32_MIN || x > INT32_MAX)
                    return corrupt(s, e, "customers block: date out of range");
                if (k == 1)
                    rows[i].signup_day = (int32_t)x;
                else
                    rows[i].birth_day = (int32_t)x;
                break;
            default:
                if (x < 0 || x > 1)
                    return corrupt(s, e, "customers block: flag out of range");
                if (k == 3)
                    rows[i].birth_year_known = (uint8_t)x;
                else
                    rows[i].blocked = (uint8_t)x;
            }
        }
    }
    s->cust_n += n;
    s->cust_rows += n;
    return CRM_OK;
}

static enum crm_err read_end(struct crm_store *s, const unsigned char *p, size_t len,
                             struct crm_errinfo *e)
{
    if (len != END_PAYLOAD)
        return corrupt(s, e, "end block has %zu bytes", len);
    struct crm_store_stats st;
    st.orders = crm_le_get(p, 8);
    st.chunks = crm_le_get(p + 8, 8);
    st.customers = (uint32_t)crm_le_get(p + 16, 8);
    st.customer_rows = crm_le_get(p + 24, 8);
    st.min_time = (int64_t)crm_le_get(p + 32, 8);
    st.max_time = (int64_t)crm_le_get(p + 40, 8);
    uint64_t blocks = crm_le_get(p + 48, 8);
    st.commits = s->commits;
    if (st.orders != s->orders || st.chunks != s->chunks || st.customers != s->dict_seen ||
        st.customer_rows != s->cust_rows || blocks != (uint64_t)s->blocks + 1 ||
        (s->orders && (st.min_time != s->min_time || st.max_time != s->max_time)))
        return corrupt(s, e, "end block totals (%llu orders, %llu chunks) differ from the "
                       "blocks read (%llu orders, %llu chunks): blocks missing or added",
                       (unsigned long long)st.orders, (unsigned long long)st.chunks,
                       (unsigned long long)s->orders, (unsigned long long)s->chunks);
    s->stats = st;
    s->stats_known = 1;
    return CRM_OK;
}

/* The deferred CRC of the ORDS block just read, checked on the reader's thread: before an
 * error about the block, for a chunk skipped by the time filter, and when the worker was
 * the slower of the two threads at the last chunk (so the CRC goes to the idle one). */
static enum crm_err crc_now(struct crm_store *s, struct dec *d, struct crm_errinfo *e)
{
    struct where w = {s->name, d->crc_chunk};
    return ords_crc(d, &w, e);
}

/* Read and check one block. An ORDS payload read from a descriptor goes to `ords` (a
 * decoder's own buffer, so the next blocks can be read while it is decoded); others to
 * s->payload. *type = 0 at a clean end of input. */
static enum crm_err next_block(struct crm_store *s, struct dec *ords, uint32_t *type,
                               const unsigned char **pl, size_t *pl_len, struct crm_errinfo *e)
{
    const unsigned char *p;
    size_t got;
    unsigned char hdr[BLOCK_HDR];
    *type = 0;
    if (s->committed && s->pos == s->committed)
        return CRM_OK;
    uint64_t start = s->pos;
    enum crm_err rc = src_get(s, BLOCK_HDR, &s->payload, &p, &got, e);
    if (rc != CRM_OK)
        return rc;
    if (got == 0 && !s->committed)
        return CRM_OK;
    if (got < BLOCK_HDR)
        return truncated(s, e, "block header");
    memcpy(hdr, p, BLOCK_HDR);
    size_t len = (size_t)crm_le_get(hdr + 4, 4);
    if (len > MAX_PAYLOAD || (s->committed && len > s->committed - s->pos))
        return corrupt(s, e, "block %u at byte %llu: length %zu runs past the end of the store",
                       s->blocks, (unsigned long long)start, len);
    int is_ords = crm_le_get(hdr, 4) == T_ORDS;
    rc = src_get(s, len, is_ords ? &ords->payload : &s->payload, &p, &got, e);
    if (rc != CRM_OK)
        return rc;
    if (got < len)
        return truncated(s, e, "block payload");
    /* An ORDS block's CRC (most of the bytes) is left to its decoder, on the worker; any
     * error found here first checks it, so a damaged block still reports its checksum. */
    if (is_ords) {
        ords->crc_pending = 1;
        ords->crc_head = crc_of(0, hdr, 12);
        ords->crc_want = (uint32_t)crm_le_get(hdr + 12, 4);
        ords->crc_block = s->blocks;
        ords->crc_at = start;
        ords->crc_chunk = (long long)s->chunks;
        ords->p = p;
        ords->len = len;
    } else if (crc_of(crc_of(0, hdr, 12), p, len) != (uint32_t)crm_le_get(hdr + 12, 4)) {
        return corrupt(s, e, "checksum mismatch in block %u at byte %llu", s->blocks,
                       (unsigned long long)start);
    }
    if (crm_le_get(hdr + 8, 4) != s->blocks)
        return is_ords && (rc = crc_now(s, ords, e)) != CRM_OK ? rc
             : corrupt(s, e, "block %u at byte %llu says it is block %u", s->blocks,
                       (unsigned long long)start, (unsigned)crm_le_get(hdr + 8, 4));
    *type = (uint32_t)crm_le_get(hdr, 4);
    int v2 = s->version == CRM_STORE_VERSION && (*type == T_PROD || *type == T_ITEM);
    if (*type != T_DICT && *type != T_ORDS && *type != T_CUST && *type != T_END && !v2)
        return corrupt(s, e, "block %u at byte %llu has unknown type", s->blocks,
                       (unsigned long long)start);
    *pl = p;
    *pl_len = len;
    return CRM_OK;
}

/* A PROD block (products, kept by the reader) or an ITEM block (kept by the decoder that
 * will decode the chunk after it). */
static enum crm_err read_items(struct crm_store *s, struct dec *d, uint32_t type,
                               const unsigned char *p, size_t len, struct crm_errinfo *e)
{
    if (type == T_ITEM)
        return crm_items_dec_take(d->items, p, len) == 0
                   ? CRM_OK : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (!s->products && !(s->products = crm_items_r_new()))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return crm_items_r_read(s->products, p, len, s->name, (long long)s->chunks, e);
}

/* Read blocks up to the next chunk to decode (handling DICT, CUST and END on the way, and
 * skipping chunks outside the time filter) and set up decoder d for it. *got = 0 at the
 * end of the store. */
static enum crm_err read_chunk(struct crm_store *s, struct dec *d, unsigned want, int *got,
                               struct crm_errinfo *e)
{
    *got = 0;
    while (!s->at_end) {
        uint32_t type;
        const unsigned char *p = NULL;
        size_t len = 0;
        enum crm_err rc = next_block(s, d, &type, &p, &len, e);
        if (rc != CRM_OK)
            return rc;
        if (type == 0) {
            if (!s->last_was_end)
                return truncated(s, e, "no end block");
            s->at_end = 1;
            break;
        }
        s->last_was_end = type == T_END;
        if (crm_items_dec_pending(d->items) && type != T_ORDS)
            return corrupt(s, e, "item block %u is not followed by its chunk", s->blocks - 1);
        if (type == T_PROD || type == T_ITEM) {
            rc = read_items(s, d, type, p, len, e);
            if (rc != CRM_OK)
                return rc;
            s->blocks++;
            continue;
        }
        if (type != T_ORDS) {
            rc = type == T_DICT ? read_dict(s, p, len, e)
               : type == T_CUST ? read_cust(s, p, len, e) : read_end(s, p, len, e);
            if (rc != CRM_OK)
                return rc;
            s->blocks++;
            continue;
        }
        if (len < ORDS_FIXED)
            return crc_now(s, d, e) != CRM_OK ? CRM_ECORRUPT
                 : corrupt(s, e, "chunk header too short");
        struct crm_chunk *c = &d->chunk;
        memset(c, 0, sizeof *c);
        c->n = (uint32_t)crm_le_get(p, 4);
        c->min_time = (int64_t)crm_le_get(p + 8, 8);
        c->max_time = (int64_t)crm_le_get(p + 16, 8);
        c->index = (long long)s->chunks;
        if (c->n == 0 || c->n > CRM_CHUNK_ROWS || c->min_time > c->max_time)
            return crc_now(s, d, e) != CRM_OK ? CRM_ECORRUPT
                 : corrupt(s, e, "chunk header (%u rows)", c->n);
        if (c->min_time < CRM_TIME_MIN || c->max_time > CRM_TIME_MAX)
            return crc_now(s, d, e) != CRM_OK ? CRM_ECORRUPT
                 : corrupt(s, e, "chunk header: times outside the years 1-9999");
        int skip = s->filter && (c->max_time < s->filter_lo || c->min_time > s->filter_hi);
        if (skip && (rc = crc_now(s, d, e)) != CRM_OK)   /* a skipped chunk is checked here */
            return rc;
        crm_items_dec_bind(d->items, crm_items_r_count(s->products));
        if (skip)
            crm_items_dec_drop(d->items);
        if (s->orders == 0 || c->min_time < s->min_time)
            s->min_time = c->min_time;
        if (s->orders == 0 || c->max_time > s->max_time)
            s->max_time = c->max_time;
        s->orders += c->n;
        s->chunks++;
        s->blocks++;
        if (s->progress)
            s->progress(s->progress_ctx, s->pos, s->size);
        if (skip)
            continue;
        d->p = p;
        d->len = len;
        d->want = want;
        d->dcount = s->dcount;
        d->rc = CRM_OK;
        crm_errinfo_clear(&d->err);
        *got = 1;
        return CRM_OK;
    }
    return CRM_OK;
}

static void *worker_main(void *arg)
{
    struct crm_store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->job && !s->worker_quit)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->worker_quit)
            break;
        struct dec *d = s->job;
        pthread_mutex_unlock(&s->mu);
        d->rc = decode_ords(d, s->name, &d->err);
        pthread_mutex_lock(&s->mu);
        s->job = NULL;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Decode d on the worker (started on first use); inline when no thread can be had. */
static void dispatch(struct crm_store *s, int k)
{
    struct dec *d = &s->dec[k];
    if (!s->worker_up && pthread_create(&s->worker, NULL, worker_main, s) == 0)
        s->worker_up = 1;
    if (!s->worker_up) {
        d->rc = decode_ords(d, s->name, &d->err);
        s->pending = k;
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->job = d;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    s->pending = k;
}

enum crm_err crm_store_next(struct crm_store *s, struct crm_chunk *c, unsigned columns,
                            struct crm_errinfo *e)
{
    memset(c, 0, sizeof *c);
    if (s->pending >= 0) {
        s->worker_late = wait_worker(s);
        s->ready = s->pending;
        s->pending = -1;
    }
    if (s->ready >= 0 && s->dec[s->ready].want != columns) {
        /* Read ahead with other columns: decode this chunk again as asked. */
        s->dec[s->ready].want = columns;
        s->dec[s->ready].rc = decode_ords(&s->dec[s->ready], s->name, &s->dec[s->ready].err);
    }
    if (s->ready < 0) {
        if (s->ahead_rc != CRM_OK) {
            *e = s->ahead_err;
            return s->ahead_rc;
        }
        int got;
        enum crm_err rc = read_chunk(s, &s->dec[0], columns, &got, e);
        if (rc != CRM_OK || !got)
            return rc;
        s->dec[0].rc = decode_ords(&s->dec[0], s->name, &s->dec[0].err);
        s->ready = 0;
    }
    int r = s->ready;
    s->ready = -1;
    if (s->dec[r].rc != CRM_OK) {
        *e = s->dec[r].err;
        return s->dec[r].rc;
    }
    /* All amounts read so far must fit int64 together (see crm_store_writer_add): then no
     * sum a tool makes of them can wrap. */
    if (s->dec[r].chunk.amount && (s->dec[r].amount_sum < 0 ||
                                   __builtin_add_overflow(s->amount_total, s->dec[r].amount_sum,
                                                          &s->amount_total))) {
        crm_errinfo_where(e, s->name, -1, -1, s->dec[r].chunk.index);
        return crm_errinfo_set(e, CRM_EDATA, "the amounts add up past 2^63 minor units: not "
                               "money (ids or phone numbers in the amount column?)");
    }
    /* Read the next chunk now and let the worker decode it while the caller works. */
    if (s->ahead_rc == CRM_OK) {
        int got;
        s->ahead_rc = read_chunk(s, &s->dec[1 - r], columns, &got, &s->ahead_err);
        if (s->ahead_rc == CRM_OK && got && s->worker_late)   /* balance the two threads */
            s->ahead_rc = crc_now(s, &s->dec[1 - r], &s->ahead_err);
        if (s->ahead_rc == CRM_OK && got)
            dispatch(s, 1 - r);
    }
    *c = s->dec[r].chunk;
    return CRM_OK;
}

/* Read the whole rest of a non-seekable input into memory and continue from there. */
static enum crm_err buffer_rest(struct crm_store *s, struct crm_errinfo *e)
{
    struct crm_buf all = {0};
    for (;;) {
        if (crm_buf_reserve(&all, 1u << 20) != 0) {
            crm_buf_free(&all);
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory buffering the store");
        }
        const unsigned char *p;
        size_t got;
        uint64_t before = s->pos;
        enum crm_err rc = src_get(s, all.cap - all.len, &s->payload, &p, &got, e);
        if (rc != CRM_OK) {
            crm_buf_free(&all);
            return rc;
        }
        memcpy(all.data + all.len, p, got);
        all.len += got;
        if (got == 0 || (s->committed && s->pos >= s->committed))
            break;
        (void)before;
    }
    s->mem_base = s->pos - all.len;
    s->pos = s->mem_base;
    s->owned = all.data;
    s->mem = all.data;
    s->mem_len = all.len;
    crm_buf_free(&s->payload);
    return CRM_OK;
}

/* Walk block headers in memory from the current position to find the last END. */
static enum crm_err scan_mem_end(struct crm_store *s, struct crm_errinfo *e)
{
    uint64_t saved = s->pos;
    uint32_t saved_blocks = s->blocks;
    const unsigned char *last = NULL;
    uint64_t end = s->mem_base + s->mem_len;
    if (s->committed && s->committed < end)
        end = s->committed;
    uint64_t at = s->pos;
    uint32_t b = s->blocks;
    while (at + BLOCK_HDR <= end) {
        const unsigned char *h = s->mem + (at - s->mem_base);
        uint64_t len = crm_le_get(h + 4, 4);
        if (len > end - at - BLOCK_HDR)
            break;
        if (crm_le_get(h, 4) == T_END && len == END_PAYLOAD &&
            crc_of(crc_of(0, h, 12), h + BLOCK_HDR, END_PAYLOAD) == (uint32_t)crm_le_get(h + 12, 4))
            last = h + BLOCK_HDR;
        at += BLOCK_HDR + len;
        b++;
    }
    s->pos = saved;
    s->blocks = saved_blocks;
    if (at != end || !last) {
        s->pos = at;
        return truncated(s, e, "no end block");
    }
    s->stats.orders = crm_le_get(last, 8);
    s->stats.chunks = crm_le_get(last + 8, 8);
    s->stats.customers = (uint32_t)crm_le_get(last + 16, 8);
    s->stats.customer_rows = crm_le_get(last + 24, 8);
    s->stats.min_time = (int64_t)crm_le_get(last + 32, 8);
    s->stats.max_time = (int64_t)crm_le_get(last + 40, 8);
    s->stats.commits = s->commits;
    return CRM_OK;
}

enum crm_err crm_store_max_time(struct crm_store *s, int64_t *max_time, struct crm_errinfo *e)
{
    if (s->pending >= 0) {
        wait_worker(s);
        s->ready = s->pending;
        s->pending = -1;
    }
    if (!s->stats_known || !s->at_end) {
        enum crm_err rc = CRM_OK;
        if (s->seekable && s->committed && s->committed >= s->first_block + BLOCK_HDR + END_PAYLOAD) {
            unsigned char tail[BLOCK_HDR + END_PAYLOAD];
            off_t at = (off_t)(s->committed - sizeof tail);
            struct stat st;
            if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size < s->committed) {
                crm_errinfo_where(e, s->name, -1, -1, -1);
                return crm_errinfo_set(e, CRM_ETRUNC, "the store is %lld bytes but its header "
                                       "records %llu: truncated (copied while being written?)",
                                       (long long)st.st_size,
                                       (unsigned long long)s->committed);
            }
            if (pread(s->fd, tail, sizeof tail, at) != (ssize_t)sizeof tail)
                return truncated(s, e, "end block");
            if (crm_le_get(tail, 4) != T_END || crm_le_get(tail + 4, 4) != END_PAYLOAD ||
                crc_of(crc_of(0, tail, 12), tail + BLOCK_HDR, END_PAYLOAD) !=
                    (uint32_t)crm_le_get(tail + 12, 4))
                return corrupt(s, e, "last block is not a valid end block");
            const unsigned char *p = tail + BLOCK_HDR;
            s->stats.orders = crm_le_get(p, 8);
            s->stats.chunks = crm_le_get(p + 8, 8);
            s->stats.customers = (uint32_t)crm_le_get(p + 16, 8);
            s->stats.customer_rows = crm_le_get(p + 24, 8);
            s->stats.min_time = (int64_t)crm_le_get(p + 32, 8);
            s->stats.max_time = (int64_t)crm_le_get(p + 40, 8);
            s->stats.commits = s->commits;
        } else {
            if (!s->mem)
                rc = buffer_rest(s, e);
            if (rc == CRM_OK)
                rc = scan_mem_end(s, e);
            if (rc != CRM_OK)
                return rc;
        }
    }
    *max_time = s->stats.max_time;
    return CRM_OK;
}

enum crm_err crm_store_rewind(struct crm_store *s, struct crm_errinfo *e)
{
    if (s->pending >= 0)
        wait_worker(s);
    s->ready = s->pending = -1;
    s->ahead_rc = CRM_OK;
    if (s->mem && s->mem_base <= s->first_block) {
        s->pos = s->first_block;
        s->map_dropped = 0;
    } else if (!s->mem && s->seekable && lseek(s->fd, (off_t)s->first_block, SEEK_SET) >= 0) {
        s->pos = s->first_block;
        s->head_pos = s->head_len;
    } else {
        crm_errinfo_where(e, s->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot read the store twice from a pipe");
    }
    s->blocks = 0;
    s->chunks = s->orders = s->cust_rows = 0;
    s->amount_total = 0;
    s->dict_seen = 0;
    s->cust_n = 0;
    crm_items_r_rewind(s->products);
    crm_items_dec_drop(s->dec[0].items);
    crm_items_dec_drop(s->dec[1].items);
    s->last_was_end = s->at_end = 0;
    return CRM_OK;
}

void crm_store_layout(const struct crm_store *s, uint64_t *first_block, uint64_t *committed,
                      uint64_t *commits)
{
    *first_block = s->first_block;
    *committed = s->committed;
    *commits = s->commits;
}
