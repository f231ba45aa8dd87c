/* store: columnar order store, writer and reader (format: docs/FORMAT.md).
 * Reader invariant: blocks are consumed strictly in order; the counts of blocks, chunks,
 * orders, dictionary entries and customer rows are what has been read so far, and every
 * END block must repeat them exactly, so a store that lost or gained a block is an error,
 * never a silently partial result. Writer invariant: every dictionary entry is written
 * (DICT) before the first chunk that uses it; nothing becomes visible to a reader of a
 * regular file before finish rewrites the header's commit record. */
/* Design note: the store's crash-safe commit protocol. A reader sees a store as it was
 * after some complete commit, never a half-written one; the steps, in order, and the
 * function behind each:
 *
 *  1. Header first. crm_store_writer_new writes the header (header_bytes) with an empty
 *     commit record at HDR_COMMIT_OFF: length 0, sequence 0, crc commit_crc(0, 0). It
 *     refuses a file that already holds bytes (`>> old.crm`): a store starts its file.
 *  2. Blocks. Chunks are encoded and written on the writer's thread (hand_over ->
 *     writer_main -> w_chunk_rows; settle waits for it), each DICT block before the first
 *     chunk that uses its ids (w_dict_block). crm_store_writer_finish then writes the
 *     customer rows (w_customers), the last ids (w_dict) and an END block repeating every
 *     count (w_end), and flushes (w_flush_io). Nothing yet points at these bytes.
 *  3. fsync. crm_store_writer_finish fsyncs the data before the commit record exists
 *     (skipped with CRM_STORE_NO_SYNC, for tests and throwaway stores).
 *  4. Header commit record. crm_store_writer_finish pwrites (crc, committed length,
 *     sequence + 1) at HDR_COMMIT_OFF and fsyncs again: this write makes the blocks
 *     visible. Only a regular file gets one; a pipe, or a file opened O_APPEND, stays a
 *     stream (length 0), which a reader reads to EOF and accepts only up to a valid END.
 *  5. Rename (a new store). A file is written to a temporary file beside the target and
 *     renamed over it after the commit record: crm_afile_open, then crm_afile_commit
 *     (fsync, close, rename, fsync of the directory); cli_open_output/cli_close_output do
 *     it for -o, and importrun.c's open_stores/close_outputs for partitions, finishing
 *     every partition's store before renaming any (a failure before the renames renames
 *     none; each renamed file is whole either way). A killed run leaves only temporary
 *     files (cli_track_temp removes them on a signal).
 *  5'. Append (crm-import --append STORE, in place, no rename). crm_storefile_append
 *     takes flock(LOCK_EX) on the store, polling every 0.1 s up to --lock-wait seconds;
 *     crm_store_writer_append walks the store's blocks to its committed END
 *     (crm_store_walk, storeidx.c: block headers and summaries, not the chunks' data),
 *     truncates what a killed append left past it (ftruncate to that length), gives a
 *     store written as a stream its commit record first (commit_stream), and appends new
 *     blocks after the old END block; steps 2-4 then commit the new length with the next
 *     sequence number. Until that pwrite, readers see the old store.
 *  6. Read. read_header (storeread.c) checks the record's crc and that it does not point
 *     inside the header; next_block stops at the committed length, so bytes of an
 *     uncommitted append are never read; read_end checks each END block's counts against
 *     the blocks read; crm_store_max_time reports a file shorter than its committed
 *     length as truncated (ETRUNC). A crash at any step leaves the previous commit
 *     readable: before step 4 nothing new is referenced, after it everything is durable. */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/afile.h"
#include "base/bigmem.h"
#include "base/buf.h"
#include "store/colcodec.h"
#include "store/dict.h"
#include "text/money.h"
#include "store/items.h"
#include "store/storefmt.h"
#include "store/storeidx.h"
#include "base/thread.h"

static const char *const status_names[CRM_STATUS_COUNT] = {"paid", "cancelled", "refunded",
                                                           "pending"};

const char *crm_status_name(enum crm_status s)
{
    return (unsigned)s < CRM_STATUS_COUNT ? status_names[s] : "?";
}

int crm_store_is_store(const void *head, size_t n)
{
    return n >= 8 && memcmp(head, CRM_STORE_MAGIC, 8) == 0;
}

/* ======================================================================== writer == */

/* A full chunk's rows, handed from the caller to the writer's thread, which encodes,
 * compresses and writes them (with the DICT block before them) while the caller fills
 * the next chunk. dict_ids holds the new dictionary entries, copied at hand-over: the
 * caller goes on adding to the dictionary. */
struct chunk_rows {
    uint32_t n;
    int64_t *col[4];           /* customer, time, amount, quantity, widened */
    int64_t *status, *currency;
    uint32_t *id_off;          /* CRM_CHUNK_ROWS + 1 offsets into id_text */
    struct crm_buf id_text;
    int64_t *id_number;        /* the ids' crm_numid_split, from the caller */
    uint8_t *id_digits;
    char *cur_names[255];
    unsigned cur_count;
    struct crm_buf dict_ids;   /* varint length + bytes per entry */
    uint32_t dict_from, dict_to;
    struct crm_items_rows *items;   /* line items (CRM_STORE_ITEMS), else NULL */
};

/* A chunk's column buffers; 0, or -1 when out of memory (rows_free cleans up either way). */
static int rows_alloc(struct chunk_rows *c)
{
    for (int k = 0; k < 4; k++)
        c->col[k] = malloc(CRM_CHUNK_ROWS * sizeof *c->col[k]);
    c->status = malloc(CRM_CHUNK_ROWS * sizeof *c->status);
    c->currency = malloc(CRM_CHUNK_ROWS * sizeof *c->currency);
    c->id_off = calloc(CRM_CHUNK_ROWS + 1, sizeof *c->id_off);
    c->id_number = malloc(CRM_CHUNK_ROWS * sizeof *c->id_number);
    c->id_digits = malloc(CRM_CHUNK_ROWS * sizeof *c->id_digits);
    return c->col[0] && c->col[1] && c->col[2] && c->col[3] && c->status && c->currency &&
                   c->id_off && c->id_number && c->id_digits
               ? 0
               : -1;
}

static void rows_free(struct chunk_rows *c)
{
    for (int k = 0; k < 4; k++)
        free(c->col[k]);
    free(c->status);
    free(c->currency);
    free(c->id_off);
    free(c->id_number);
    free(c->id_digits);
    for (unsigned k = 0; k < c->cur_count; k++)
        free(c->cur_names[k]);
    crm_buf_free(&c->id_text);
    crm_buf_free(&c->dict_ids);
    crm_items_rows_free(c->items);
}

/* One chunk's order-id column as stored (kept for duplicate checks on import). */
struct id_chunk {
    uint64_t first;          /* order number of its first row */
    uint32_t rows;
    unsigned enc;            /* its encoding bits; no ids when blob_len == 0 */
    int64_t base;
    size_t raw_len, blob_len;
    unsigned char *blob;
};


struct crm_store_writer {
    int fd;
    int regular;               /* fd is a regular file: the commit record is written */
    char name[256];
    struct crm_store_meta meta;
    struct crm_dict *dict;
    uint32_t dict_written;     /* dictionary entries already in DICT blocks */
    struct crm_items_w *items; /* products (CRM_STORE_ITEMS), else NULL */
    struct crm_buf item_block;
    uint64_t written;          /* absolute offset of the next byte */
    long long behind;          /* bytes before this offset were sent back to the disk */
    uint32_t blocks;           /* blocks in the store so far */
    struct crm_store_stats st; /* cumulative totals, an appended store's included */
    uint64_t base_chunks;
    /* the chunk being built: the caller writes here on every order, so it starts a cache
     * line of its own, away from what the writer's thread writes */
    _Alignas(64) uint64_t added;
    int64_t amount_total;      /* of the orders this writer added (an appended store's old
                                  ones are checked by readers) */
    struct chunk_rows rows;
    /* customers-file rows not yet written */
    struct crm_customer_info *cust;
    size_t cust_n, cust_cap;
    /* scratch */
    _Alignas(64) struct crm_buf block, raw, ztmp, io, packed;
    struct crm_zctx z;
    int64_t *scratch;          /* CRM_CHUNK_ROWS */
    /* the writer's thread: while `busy` it owns `job` and everything the w_* functions
     * touch (block, raw, ztmp, io, packed, z, scratch, the archive, written, blocks, st,
     * dict_written); the caller waits for it (settle) before it touches any of those */
    struct chunk_rows job;
    pthread_t thread;
    int thread_tried, thread_live;     /* the caller's */
    int busy, quit;                    /* under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum crm_err job_rc;       /* the first failure of a job; the next settle returns it */
    struct crm_errinfo job_err;
    /* order-id archive (CRM_STORE_KEEP_IDS) */
    int keep_ids, no_sync;
    struct id_chunk *arch;
    size_t arch_n, arch_cap;
    uint64_t arch_orders;        /* orders covered by the archive and the stored chunks */
    long long cached;            /* archive chunk decoded in cache_raw/cache_off, -1: none */
    long long cached_old;        /* stored chunk decoded there, -1: none */
    struct crm_buf cache_raw, cache_text;
    uint32_t *cache_off;         /* CRM_CHUNK_ROWS + 1 */
    /* the writer's thread: a chunk's order-id column and its summary (storeidx.h) */
    struct crm_buf idraw, idsum;
    /* an appended store's chunks (storeidx.h): read from the file when their ids are
     * wanted; probes by summary mark the chunks that may hold an id (the caller's) */
    struct crm_walk_chunk *old;
    size_t nold;
    uint8_t *old_marked;
    size_t newly_marked;       /* by the last probe */
    struct crm_idsum_index *old_index;
    struct crm_buf old_block;
    /* an appended store's dictionary, not loaded (the caller's): the batch's customers are
     * numbered from `stored` on as they come (provisional), then resolved against the
     * stored DICT blocks, streamed, at each hand-over: remap[p - stored] is provisional
     * index p's final one, new_loc[k] the provisional index - stored of the new customer
     * numbered stored + k (new customers keep their order of first appearance) */
    int lazy;
    uint32_t stored, resolved, new_n, at_open;
    uint32_t *remap, *new_loc;
    size_t remap_cap;
    struct crm_walk_dict *dblk;
    size_t ndblk;
    uint64_t *filter;          /* resolve: the batch's customers, two bits each */
    struct crm_dict *sdict;    /* an append of more than a chunk: the stored dictionary */
    enum crm_err sdict_rc;
    int finishing;             /* crm_store_writer_finish has begun */
    size_t filter_mask;
    struct crm_zctx rz;
    struct crm_buf rbuf, rraw;
};

static int archive_add(struct crm_store_writer *w, uint32_t rows, unsigned enc, int64_t base,
                       size_t raw_len, const unsigned char *stored, size_t stored_len)
{
    if (w->arch_n == w->arch_cap) {
        size_t cap = w->arch_cap ? w->arch_cap * 2 : 64;
        struct id_chunk *a = realloc(w->arch, cap * sizeof *a);
        if (!a)
            return -1;
        w->arch = a;
        w->arch_cap = cap;
    }
    struct id_chunk *c = &w->arch[w->arch_n];
    c->first = w->arch_orders;
    c->rows = rows;
    c->enc = enc;
    c->base = base;
    c->raw_len = raw_len;
    c->blob_len = stored_len;
    c->blob = NULL;
    if (stored_len) {
        c->blob = malloc(stored_len);
        if (!c->blob)
            return -1;
        memcpy(c->blob, stored, stored_len);
    }
    w->arch_n++;
    w->arch_orders += rows;
    return 0;
}

/* Append a column descriptor and its bytes, deflated when that saves space. */
static void put_column(struct crm_store_writer *w, unsigned id, unsigned enc, int64_t base,
                       const unsigned char *raw, size_t raw_len)
{
    const unsigned char *stored = raw;
    size_t stored_len = raw_len;
    if (raw_len > 64 && crm_col_deflate(&w->z, raw, raw_len, &w->ztmp) == 0 &&
        w->ztmp.len < raw_len) {
        stored = w->ztmp.data;
        stored_len = w->ztmp.len;
        enc |= ENC_DEFLATE;
    }
    coldesc_put(&w->block, id, enc, raw_len, stored_len, base);
    crm_buf_put(&w->block, stored, stored_len);
}

/* Fixed-width column: value - min in the fewest whole bytes, as byte planes; big columns
 * compress plane by plane so near-random planes stay raw (fast to read). */
static void put_int_column(struct crm_store_writer *w, unsigned id, const int64_t *v, size_t n)
{
    if (n >= 256) {
        int64_t lo = v[0], hi = lo;
        for (size_t i = 1; i < n; i++) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
        int width = crm_col_width((uint64_t)hi - (uint64_t)lo);
        if (width > 0) {
            unsigned mask;
            w->ztmp.len = 0;
            crm_col_planes_pack(&w->z, v, n, lo, width, &w->raw, &w->packed, &w->ztmp, &mask);
            struct crm_buf *b = &w->block;
            crm_buf_u8(b, id);
            crm_buf_u8(b, (unsigned)width | (width > 1 ? ENC_SHUFFLE : 0u));
            crm_buf_le(b, PLANES | mask, 2);
            crm_buf_le(b, n * (size_t)width, 4);
            crm_buf_le(b, w->ztmp.len, 4);
            crm_buf_le(b, (uint64_t)lo, 8);
            crm_buf_put(b, w->ztmp.data, w->ztmp.len);
            return;
        }
    }
    int64_t lo = n ? v[0] : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        if (v[i] < lo)
            lo = v[i];
        if (v[i] > hi)
            hi = v[i];
    }
    int width = crm_col_width((uint64_t)hi - (uint64_t)lo);
    w->raw.len = 0;
    crm_col_planes_put(&w->raw, v, n, lo, width);
    put_column(w, id, (unsigned)width | (width > 1 ? ENC_SHUFFLE : 0u), lo, w->raw.data,
               w->raw.len);
}

static enum crm_err w_flush_io(struct crm_store_writer *w, struct crm_errinfo *e)
{
    size_t off = 0;
    while (off < w->io.len) {
        ssize_t k = write(w->fd, w->io.data + off, w->io.len - off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            w->io.len = 0;
            crm_errinfo_where(e, w->name, -1, -1, -1);
            if (err == EPIPE)
                return crm_errinfo_set(e, CRM_EPIPE, "broken pipe");
            return crm_errinfo_set(e, CRM_EIO, "write failed: %s", strerror(err));
        }
        off += (size_t)k;
    }
    w->io.len = 0;
    if (w->regular && !w->no_sync)   /* so that the commit's fsync waits for little */
        crm_afile_write_behind(w->fd, &w->behind, (long long)w->written);
    return CRM_OK;
}

static enum crm_err w_emit(struct crm_store_writer *w, const void *p, size_t n,
                           struct crm_errinfo *e)
{
    crm_buf_put(&w->io, p, n);
    if (w->io.oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->written += n;
    if (w->io.len >= (1u << 20))
        return w_flush_io(w, e);
    return CRM_OK;
}

/* Write w->block as one block of the given type and empty it. */
static enum crm_err w_block(struct crm_store_writer *w, uint32_t type, struct crm_errinfo *e)
{
    unsigned char hdr[BLOCK_HDR];
    if (w->block.oom || w->raw.oom || w->ztmp.oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory building a block");
    if (w->block.len > MAX_PAYLOAD)
        return crm_errinfo_set(e, CRM_EDATA, "block of %zu bytes is over the format limit",
                               w->block.len);
    crm_le_put(hdr, type, 4);
    crm_le_put(hdr + 4, w->block.len, 4);
    crm_le_put(hdr + 8, w->blocks, 4);
    crm_le_put(hdr + 12, crc_of(crc_of(0, hdr, 12), w->block.data, w->block.len), 4);
    enum crm_err rc = w_emit(w, hdr, BLOCK_HDR, e);
    if (rc == CRM_OK)
        rc = w_emit(w, w->block.data, w->block.len, e);
    w->blocks++;
    w->block.len = 0;
    return rc;
}

/* The dictionary's entries [from, count) as a DICT column: varint length + bytes each (an
 * append's new customers by their final numbers). The caller's thread. */
static void dict_ids(const struct crm_store_writer *w, uint32_t from, uint32_t count,
                     struct crm_buf *out)
{
    out->len = 0;
    for (uint32_t i = from; i < count; i++) {
        size_t len;
        uint32_t at = w->lazy ? w->stored + w->new_loc[i - w->stored] : i;
        const char *id = crm_dict_id(w->dict, at, &len);
        crm_buf_varint(out, len);
        crm_buf_put(out, id, len);
    }
}

/* Entries the store will have: the next final index. */
static uint32_t final_count(const struct crm_store_writer *w)
{
    return w->lazy ? w->stored + w->new_n : crm_dict_count(w->dict);
}

/* A cheap hash for the filter below (not the dictionary's: it only has to spread ids). */
static inline uint64_t quick_hash(const char *p, size_t n)
{
    uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)(unsigned char)p[i] << (8 * i);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 32);
}

static inline int filter_has(const uint64_t *f, size_t mask, uint64_t h)
{
    size_t a = (size_t)h & mask, b = (size_t)(h >> 40) & mask;
    return (f[a / 64] >> (a % 64) & 1) && (f[b / 64] >> (b % 64) & 1);
}

/* Each stored id is looked up in the batch's dictionary only when the batch's filter (two
 * bits an id, 64 bits an id of the batch: ~0.1 % false hits) says it may be there: most of
 * a large store's customers are not in a night's batch, and the filter costs a fifth of a
 * dictionary lookup (callgrind at 10 M customers: 218 -> ~45 instructions an id). */
static int match_stored(void *ctx, uint32_t idx, const char *id, size_t len)
{
    struct crm_store_writer *w = ctx;
    uint32_t p;
    if (filter_has(w->filter, w->filter_mask, quick_hash(id, len)) &&
        crm_dict_find(w->dict, id, len, &p) && p - w->stored >= w->resolved)
        w->remap[p - w->stored] = idx;
    return 0;
}

/* The filter of the customers [resolved, count) (provisional numbers - stored). */
static int filter_build(struct crm_store_writer *w, uint32_t count)
{
    size_t bits = 1u << 16;
    while (bits < (size_t)(count - w->resolved) * 64)
        bits *= 2;
    free(w->filter);
    w->filter = calloc(bits / 64, sizeof *w->filter);
    if (!w->filter)
        return -1;
    w->filter_mask = bits - 1;
    for (uint32_t l = w->resolved; l < count; l++) {
        size_t len;
        const char *id = crm_dict_id(w->dict, w->stored + l, &len);
        uint64_t h = quick_hash(id, len);
        size_t a = (size_t)h & w->filter_mask, b = (size_t)(h >> 40) & w->filter_mask;
        w->filter[a / 64] |= 1ull << (a % 64);
        w->filter[b / 64] |= 1ull << (b % 64);
    }
    return 0;
}

static int load_stored(void *ctx, uint32_t idx, const char *id, size_t len)
{
    struct crm_store_writer *w = ctx;
    uint32_t got;
    enum crm_err rc = crm_dict_intern(w->sdict, id, len, &got, NULL);
    w->sdict_rc = rc != CRM_OK ? rc : got != idx ? CRM_ECORRUPT : CRM_OK;
    return w->sdict_rc != CRM_OK;
}

/* An append of more than a chunk: the stored dictionary loaded once (as before the append
 * index), so that each later chunk is resolved by lookups, not by another pass. */
static enum crm_err load_sdict(struct crm_store_writer *w, struct crm_errinfo *e)
{
    if (!(w->sdict = crm_dict_new()))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    enum crm_err rc = crm_store_walk_dict(w->fd, w->name, w->dblk, w->ndblk, &w->rz, &w->rbuf,
                                          &w->rraw, load_stored, w, e);
    if (rc == CRM_OK && w->sdict_rc != CRM_OK) {
        crm_errinfo_where(e, w->name, -1, -1, -1);
        rc = crm_errinfo_set(e, w->sdict_rc, w->sdict_rc == CRM_ECORRUPT
                             ? "a customer id appears twice in the dictionary"
                             : "cannot load the dictionary: %s", crm_strerror(w->sdict_rc));
    }
    return rc;
}

/* The stored customers among those met since the last resolution: by one pass over the
 * stored DICT blocks (memory: a block's), or in the loaded dictionary. */
static enum crm_err find_stored_customers(struct crm_store_writer *w, uint32_t count,
                                          struct crm_errinfo *e)
{
    if (!w->sdict) {
        if (filter_build(w, count) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        return crm_store_walk_dict(w->fd, w->name, w->dblk, w->ndblk, &w->rz, &w->rbuf,
                                   &w->rraw, match_stored, w, e);
    }
    for (uint32_t l = w->resolved; l < count; l++) {
        size_t len;
        const char *id = crm_dict_id(w->dict, w->stored + l, &len);
        uint32_t idx;
        if (crm_dict_find(w->sdict, id, len, &idx))
            w->remap[l] = idx;
    }
    return CRM_OK;
}

/* An append: give the customers met since the last call their final numbers, the stored
 * one's index or the next new one (the caller's thread). `final`: nothing more will be
 * added (the end of the import); a resolution before that (a chunk is full) is an append
 * of more than a chunk, which loads the stored dictionary once (load_sdict). */
static enum crm_err resolve(struct crm_store_writer *w, int final, struct crm_errinfo *e)
{
    uint32_t count = w->lazy ? crm_dict_count(w->dict) - w->stored : 0;
    if (count == w->resolved)
        return CRM_OK;
    enum crm_err rc;
    if (!final && !w->sdict && w->stored > 0 && (rc = load_sdict(w, e)) != CRM_OK)
        return rc;
    if (count > w->remap_cap) {
        size_t cap = w->remap_cap ? w->remap_cap * 2 : 4096;
        while (cap < count)
            cap *= 2;
        uint32_t *r = realloc(w->remap, cap * sizeof *r);
        if (r)
            w->remap = r;
        uint32_t *n = realloc(w->new_loc, cap * sizeof *n);
        if (n)
            w->new_loc = n;
        if (!r || !n)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        w->remap_cap = cap;
    }
    for (uint32_t l = w->resolved; l < count; l++)
        w->remap[l] = UINT32_MAX;
    if ((rc = find_stored_customers(w, count, e)) != CRM_OK)
        return rc;
    for (uint32_t l = w->resolved; l < count; l++)
        if (w->remap[l] == UINT32_MAX) {
            w->remap[l] = w->stored + w->new_n;
            w->new_loc[w->new_n++] = l;
        }
    w->resolved = count;
    return CRM_OK;
}

/* The final index of customer index c as the caller knows it. */
static inline uint32_t final_index(const struct crm_store_writer *w, uint32_t c)
{
    return w->lazy && c >= w->stored ? w->remap[c - w->stored] : c;
}

/* DICT block of entries [from, to), their ids in `ids`. */
static enum crm_err w_dict_block(struct crm_store_writer *w, uint32_t from, uint32_t to,
                                 const struct crm_buf *ids, struct crm_errinfo *e)
{
    if (from == to)
        return CRM_OK;
    if (ids->oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory building a block");
    crm_buf_le(&w->block, from, 4);
    crm_buf_le(&w->block, to - from, 4);
    put_column(w, COL_D_IDS, ENC_VARLEN, 0, ids->data, ids->len);
    w->dict_written = to;
    w->st.customers = to;
    return w_block(w, T_DICT, e);
}

/* DICT block with the entries added since the last one (the caller's thread, settled). */
static enum crm_err w_dict(struct crm_store_writer *w, struct crm_errinfo *e)
{
    enum crm_err rc = resolve(w, w->finishing, e);
    if (rc != CRM_OK)
        return rc;
    uint32_t count = final_count(w);
    if (w->dict_written == count)
        return CRM_OK;
    dict_ids(w, w->dict_written, count, &w->raw);
    return w_dict_block(w, w->dict_written, count, &w->raw, e);
}

/* The chunk's new products (PROD) and its line items (ITEM), right before its ORDS. */
static enum crm_err w_items(struct crm_store_writer *w, struct chunk_rows *c,
                            struct crm_errinfo *e)
{
    w->item_block.len = 0;
    crm_items_rows_encode(c->items, c->n, &w->z, &w->block, &w->item_block);
    enum crm_err rc = w->block.len ? w_block(w, T_PROD, e) : CRM_OK;
    struct crm_buf t = w->block;
    w->block = w->item_block;
    w->item_block = t;
    return rc == CRM_OK ? w_block(w, T_ITEM, e) : rc;
}

/* The chunk's n order ids (n 0: none) encoded into w->idraw (*enc, *base), and their
 * summary column appended to the block, first after the fixed fields and never deflated:
 * an append reads it with them in one pread (storeidx.h). 0, or -1 when out of memory. */
static int put_id_summary(struct crm_store_writer *w, const struct chunk_rows *c, size_t n,
                          unsigned *enc, int64_t *base)
{
    if (n)
        *enc = crm_col_ids_encode((const char *)c->id_text.data, c->id_off, n, c->id_number,
                                  c->id_digits, w->scratch, &w->idraw, base);
    crm_idsum_build(&w->idsum, *enc, w->idraw.data, w->scratch, (const char *)c->id_text.data,
                    c->id_off, n);
    crm_buf_u8(&w->block, COL_ID_SUMMARY);
    crm_buf_u8(&w->block, ENC_VARLEN);
    crm_buf_le(&w->block, 0, 2);
    crm_buf_le(&w->block, w->idsum.len, 4);
    crm_buf_le(&w->block, w->idsum.len, 4);
    crm_buf_le(&w->block, 0, 8);
    crm_buf_put(&w->block, w->idsum.data, w->idsum.len);
    return w->idraw.oom || w->idsum.oom ? -1 : 0;
}

/* Write chunk c: its DICT block, then (with items) its PROD and ITEM blocks, then its ORDS
 * block; c is emptied. */
static enum crm_err w_chunk_rows(struct crm_store_writer *w, struct chunk_rows *c,
                                 struct crm_errinfo *e)
{
    enum crm_err rc = w_dict_block(w, c->dict_from, c->dict_to, &c->dict_ids, e);
    c->dict_from = c->dict_to;
    if (rc != CRM_OK || c->n == 0)
        return rc;
    if (c->items && (rc = w_items(w, c, e)) != CRM_OK)
        return rc;
    size_t n = c->n;
    int64_t lo = c->col[1][0], hi = lo;
    for (size_t i = 1; i < n; i++) {
        if (c->col[1][i] < lo)
            lo = c->col[1][i];
        if (c->col[1][i] > hi)
            hi = c->col[1][i];
    }
    int has_ids = c->id_off[n] > 0;
    unsigned ncols = 6u + (has_ids ? 1u : 0u) + (c->cur_count > 0 ? 1u : 0u);
    unsigned enc = 0;
    int64_t base = 0;
    crm_buf_le(&w->block, n, 4);
    crm_buf_le(&w->block, ncols, 4);
    crm_buf_le(&w->block, (uint64_t)lo, 8);
    crm_buf_le(&w->block, (uint64_t)hi, 8);
    if (put_id_summary(w, c, has_ids ? n : 0, &enc, &base) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory building a block");
    put_int_column(w, COL_CUSTOMER, c->col[0], n);
    put_int_column(w, COL_TIME, c->col[1], n);
    put_int_column(w, COL_AMOUNT, c->col[2], n);
    put_int_column(w, COL_QUANTITY, c->col[3], n);
    put_int_column(w, COL_STATUS, c->status, n);
    if (has_ids) {
        size_t at = w->block.len;
        put_column(w, COL_ORDER_ID, enc, base, w->idraw.data, w->idraw.len);
        if (w->keep_ids && !w->block.oom &&
            archive_add(w, (uint32_t)n, w->block.data[at + 1], base, w->idraw.len,
                        w->block.data + at + COLDESC, (size_t)crm_le_get(w->block.data + at + 8, 4)))
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    } else if (w->keep_ids && archive_add(w, (uint32_t)n, 0, 0, 0, NULL, 0)) {
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    if (c->cur_count > 0) {
        w->raw.len = 0;
        crm_buf_u8(&w->raw, c->cur_count);
        for (unsigned k = 0; k < c->cur_count; k++) {
            size_t len = strlen(c->cur_names[k]);
            crm_buf_u8(&w->raw, (unsigned)len);
            crm_buf_put(&w->raw, c->cur_names[k], len);
        }
        for (size_t i = 0; i < n; i++)
            crm_buf_u8(&w->raw, (unsigned)c->currency[i]);
        put_column(w, COL_CURRENCY, ENC_VARLEN, 0, w->raw.data, w->raw.len);
    }
    if (w->st.orders == 0 || lo < w->st.min_time)
        w->st.min_time = lo;
    if (w->st.orders == 0 || hi > w->st.max_time)
        w->st.max_time = hi;
    w->st.orders += n;
    w->st.chunks++;
    c->n = 0;
    c->id_off[0] = 0;
    c->id_text.len = 0;
    for (unsigned k = 0; k < c->cur_count; k++)
        free(c->cur_names[k]);
    c->cur_count = 0;
    return w_block(w, T_ORDS, e);
}

/* ---- the writer's thread ---- */

/* Wait until the writer's thread has written what it was given; its first failure, if
 * any (it stays: every later settle returns it too). */
static enum crm_err settle(struct crm_store_writer *w, struct crm_errinfo *e)
{
    if (!w->thread_live) {
        if (w->job_rc != CRM_OK)
            *e = w->job_err;
        return w->job_rc;
    }
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    enum crm_err rc = w->job_rc;
    if (rc != CRM_OK)
        *e = w->job_err;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static void *writer_main(void *arg)
{
    struct crm_store_writer *w = arg;
    crm_thread_set_helper();
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->busy)
            break;
        pthread_mutex_unlock(&w->mu);
        struct crm_errinfo e;
        crm_errinfo_clear(&e);
        enum crm_err rc = w_chunk_rows(w, &w->job, &e);
        pthread_mutex_lock(&w->mu);
        if (rc != CRM_OK && w->job_rc == CRM_OK) {
            w->job_rc = rc;
            w->job_err = e;
        }
        w->busy = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Hand the chunk being built (and the dictionary entries it may use) to the writer's
 * thread, and take its emptied buffers to build the next; without a thread, write it
 * here. A failure of an earlier chunk is returned here. */
static enum crm_err hand_over(struct crm_store_writer *w, struct crm_errinfo *e)
{
    enum crm_err rc = settle(w, e);
    if (rc != CRM_OK)
        return rc;
    struct chunk_rows emptied = w->job;     /* w_chunk_rows left it empty */
    w->job = w->rows;
    w->rows = emptied;
    struct chunk_rows *c = &w->job;
    if ((rc = resolve(w, w->finishing, e)) != CRM_OK)
        return rc;
    for (uint32_t i = 0; w->lazy && i < c->n; i++)
        c->col[0][i] = final_index(w, (uint32_t)c->col[0][i]);
    c->dict_from = w->dict_written;
    c->dict_to = final_count(w);
    dict_ids(w, c->dict_from, c->dict_to, &c->dict_ids);
    if (c->items && crm_items_rows_snapshot(c->items, w->items) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (!w->thread_tried) {            /* without a thread, write here from now on */
        w->thread_tried = 1;
        w->thread_live = pthread_create(&w->thread, NULL, writer_main, w) == 0;
    }
    if (!w->thread_live) {
        rc = w_chunk_rows(w, c, e);
        if (rc != CRM_OK) {
            w->job_rc = rc;
            w->job_err = *e;
        }
        return rc;
    }
    pthread_mutex_lock(&w->mu);
    w->busy = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return CRM_OK;
}

static enum crm_err w_customers(struct crm_store_writer *w, struct crm_errinfo *e)
{
    size_t n = w->cust_n;
    if (n == 0)
        return CRM_OK;
    enum crm_err rc = w_dict(w, e);      /* resolves the customers too */
    if (rc != CRM_OK)
        return rc;
    int64_t *v = malloc(n * sizeof *v);
    if (!v)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    crm_buf_le(&w->block, n, 4);
    crm_buf_le(&w->block, 5, 4);
    for (int c = 0; c < 5; c++) {
        for (size_t i = 0; i < n; i++) {
            const struct crm_customer_info *r = &w->cust[i];
            v[i] = c == 0 ? (int64_t)final_index(w, r->customer) : c == 1 ? (int64_t)r->signup_day
                 : c == 2 ? (int64_t)r->birth_day : c == 3 ? (int64_t)r->birth_year_known
                 : (int64_t)r->blocked;
        }
        put_int_column(w, COL_C_CUSTOMER + (unsigned)c, v, n);
    }
    free(v);
    w->st.customer_rows += n;
    w->cust_n = 0;
    return w_block(w, T_CUST, e);
}

static enum crm_err w_end(struct crm_store_writer *w, struct crm_errinfo *e)
{
    crm_buf_le(&w->block, w->st.orders, 8);
    crm_buf_le(&w->block, w->st.chunks, 8);
    crm_buf_le(&w->block, w->st.customers, 8);
    crm_buf_le(&w->block, w->st.customer_rows, 8);
    crm_buf_le(&w->block, (uint64_t)w->st.min_time, 8);
    crm_buf_le(&w->block, (uint64_t)w->st.max_time, 8);
    crm_buf_le(&w->block, w->blocks + 1u, 8);     /* blocks including this one */
    return w_block(w, T_END, e);
}

static int items_alloc(struct crm_store_writer *w)
{
    if (!w->items)
        w->items = crm_items_w_new();
    if (!w->rows.items)
        w->rows.items = crm_items_rows_new();
    if (!w->job.items)
        w->job.items = crm_items_rows_new();
    return w->items && w->rows.items && w->job.items ? 0 : -1;
}

static struct crm_store_writer *writer_alloc(int fd, const char *name, unsigned flags)
{
    struct crm_store_writer *w = crm_calloc_aligned(_Alignof(struct crm_store_writer), sizeof *w);
    if (!w)
        return NULL;
    w->fd = fd;
    w->keep_ids = (flags & CRM_STORE_KEEP_IDS) != 0;
    w->no_sync = (flags & CRM_STORE_NO_SYNC) != 0;
    w->z.raw = (flags & CRM_STORE_RAW) != 0;
    w->cached = w->cached_old = -1;
    snprintf(w->name, sizeof w->name, "%s", name ? name : "stdout");
    struct stat st;
    w->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->dict = crm_dict_new();
    int rows_ok = rows_alloc(&w->rows) == 0 && rows_alloc(&w->job) == 0;
    if (rows_ok && (flags & CRM_STORE_ITEMS))
        rows_ok = items_alloc(w) == 0;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->cache_off = malloc((CRM_CHUNK_ROWS + 1) * sizeof *w->cache_off);
    w->scratch = malloc(CRM_CHUNK_ROWS * sizeof *w->scratch);
    if (!rows_ok || !w->cache_off || !w->scratch || !w->dict) {
        crm_store_writer_free(w);
        return NULL;
    }
    return w;
}

static void header_bytes(struct crm_buf *b, const struct crm_store_meta *m, int items)
{
    char meta[MAX_META];
    int mlen = snprintf(meta, sizeof meta, "format=crmkit-store\nmoney_scale=%d\ntz=%s\n",
                        m->money_scale, m->tz);
    unsigned char fixed[HDR_FIXED];
    memset(fixed, 0, sizeof fixed);
    memcpy(fixed, CRM_STORE_MAGIC, 8);
    crm_le_put(fixed + 8, items ? CRM_STORE_VERSION : CRM_STORE_VERSION_ORDERS, 2);
    crm_le_put(fixed + 10, 0, 2);
    crm_le_put(fixed + 12, (uint64_t)mlen, 4);
    crm_le_put(fixed + 16, crc_of(crc_of(0, fixed, 16), meta, (size_t)mlen), 4);
    crm_le_put(fixed + HDR_COMMIT_OFF, commit_crc(0, 0), 4);   /* length unknown yet */
    crm_buf_put(b, fixed, HDR_FIXED);
    crm_buf_put(b, meta, (size_t)mlen);
}

enum crm_err crm_store_writer_new(int fd, const char *name, const struct crm_store_meta *m,
                                  unsigned flags, struct crm_store_writer **out,
                                  struct crm_errinfo *e)
{
    *out = NULL;
    /* A store must start its file: one written after other bytes (`crm-import x.csv >>
     * old.crm`) is unreadable or, after an old store, silently ignored. In append mode
     * (O_APPEND) pwrite cannot place the commit record, so the store is left a stream. */
    struct stat st;
    int fl = fcntl(fd, F_GETFL), appending = fl != -1 && (fl & O_APPEND);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t at = appending ? st.st_size : lseek(fd, 0, SEEK_CUR);
        if (at > 0) {
            crm_errinfo_where(e, name, -1, -1, -1);
            return crm_errinfo_set(e, CRM_EUSAGE, "the output file already holds %lld bytes "
                                   "(stdout appended to with >>?): a store must start its "
                                   "file; write a new store with -o, add orders with --append",
                                   (long long)at);
        }
    }
    /* a pipe holds a whole chunk (~0.9 MB at 65,536 orders): the writer's thread is not
     * held by a reader still busy with the chunk before (the pipe crm-import | crm-rfm:
     * about −2 % wall at 10 M orders, docs/BENCHMARKS.md) */
    (void)crm_afile_widen_pipe(fd, CRM_AFILE_PIPE);
    struct crm_store_writer *w = writer_alloc(fd, name, flags);
    if (!w)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (appending)
        w->regular = 0;
    w->meta = *m;
    if (w->meta.money_scale < 0 || w->meta.money_scale > 6)
        w->meta.money_scale = 2;
    w->meta.tz[sizeof w->meta.tz - 1] = '\0';
    if (strchr(w->meta.tz, '\n'))
        w->meta.tz[0] = '\0';
    struct crm_buf hdr = {0};
    header_bytes(&hdr, &w->meta, w->items != NULL);
    enum crm_err rc = hdr.oom ? crm_errinfo_set(e, CRM_ENOMEM, "out of memory")
                              : w_emit(w, hdr.data, hdr.len, e);
    crm_buf_free(&hdr);
    if (rc != CRM_OK) {
        crm_store_writer_free(w);
        return rc;
    }
    *out = w;
    return CRM_OK;
}

const struct crm_store_meta *crm_store_writer_meta(const struct crm_store_writer *w)
{
    return &w->meta;
}

enum crm_err crm_store_writer_customer(struct crm_store_writer *w, const char *id, size_t len,
                                       uint32_t *idx, struct crm_errinfo *e)
{
    if (len > CRM_ID_MAX) {
        crm_errinfo_where(e, w->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "a customer id of %zu bytes (a store keeps at "
                               "most %d): \"%.40s...\"", len, CRM_ID_MAX, id);
    }
    enum crm_err rc = crm_dict_intern(w->dict, id, len, idx, NULL);
    if (rc != CRM_OK)
        return crm_errinfo_set(e, rc, "cannot add customer: %s", crm_strerror(rc));
    return CRM_OK;
}

struct crm_dict *crm_store_writer_dict(struct crm_store_writer *w)
{
    return w->dict;
}

/* old_marked[k]: 0 no probe hit chunk k, 1 one did (not yet read as PROBED_UNREAD), 2 read */
static void mark_old(void *ctx, size_t k)
{
    struct crm_store_writer *w = ctx;
    if (!w->old_marked[k]) {
        w->old_marked[k] = 1;
        w->newly_marked++;
    }
}

struct find_ctx {
    const char *id;
    size_t len;
    uint32_t idx;
    int found;
};

static int find_stored(void *ctx, uint32_t idx, const char *id, size_t len)
{
    struct find_ctx *f = ctx;
    if (len == f->len && memcmp(id, f->id, len) == 0) {
        f->idx = idx;
        f->found = 1;
    }
    return f->found;
}

int crm_store_writer_find_customer(const struct crm_store_writer *w, const char *id, size_t len,
                                   uint32_t *idx)
{
    if (crm_dict_find(w->dict, id, len, idx))
        return 1;
    if (!w->lazy)
        return 0;
    if (w->sdict)
        return crm_dict_find(w->sdict, id, len, idx);
    /* an append's stored customer: one pass over the stored DICT blocks (not on a hot
     * path: crm-import interns instead) */
    struct find_ctx f = {id, len, 0, 0};
    struct crm_errinfo e;
    struct crm_zctx z = {0};
    struct crm_buf buf = {0}, raw = {0};
    enum crm_err rc = crm_store_walk_dict(w->fd, w->name, w->dblk, w->ndblk, &z, &buf, &raw,
                                          find_stored, &f, &e);
    crm_zctx_free(&z);
    crm_buf_free(&buf);
    crm_buf_free(&raw);
    if (rc != CRM_OK || !f.found)
        return 0;
    *idx = f.idx;
    return 1;
}

enum crm_err crm_store_writer_resolve(struct crm_store_writer *w, struct crm_errinfo *e)
{
    return resolve(w, 1, e);
}

uint32_t crm_store_writer_new_customers(const struct crm_store_writer *w)
{
    return final_count(w) - w->at_open;
}

int crm_store_writer_id_may_be_stored(struct crm_store_writer *w, const char *id, size_t len)
{
    w->newly_marked = 0;
    if (!w->old_index || crm_idsum_index_probe(w->old_index, id, len, mark_old, w) == 0)
        return 0;
    return w->newly_marked ? 2 : 1;
}

enum crm_err crm_store_writer_add(struct crm_store_writer *w, const struct crm_order *o,
                                  struct crm_errinfo *e)
{
    /* Amounts are >= 0 and all of a store's together fit int64, so that every sum a tool
     * makes (per customer, per period, over everyone) fits too: a column of ids or phone
     * numbers taken for money must stop here, not wrap negative in a report. */
    int64_t total;
    if (o->amount < 0 || __builtin_add_overflow(w->amount_total, o->amount, &total)) {
        crm_errinfo_where(e, w->name, -1, -1, -1);
        char amount[32];
        crm_money_format(o->amount, w->meta.money_scale, amount);
        return crm_errinfo_set(e, CRM_EDATA, o->amount < 0
                               ? "an order with a negative amount (%s)"
                               : "the amounts add up past 2^63 minor units with an order of %s: "
                                 "not money (ids or phone numbers in the amount column?)",
                               amount);
    }
    if (o->time < CRM_TIME_MIN || o->time > CRM_TIME_MAX || o->quantity < 0 ||
        o->order_id_len > CRM_ID_MAX) {
        crm_errinfo_where(e, w->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "an order %s", o->quantity < 0
                               ? "with a negative quantity" : o->order_id_len > CRM_ID_MAX
                               ? "id longer than the store keeps (1024 bytes)"
                               : "time outside the years 1-9999");
    }
    struct chunk_rows *c = &w->rows;
    if (o->item_count && c->items) {    /* bounded chunks of items: see items.h */
        if (o->item_count > CRM_ITEMS_CHUNK_MAX) {
            crm_errinfo_where(e, w->name, -1, -1, -1);
            return crm_errinfo_set(e, CRM_EDATA, "an order with %u line items (at most %u)",
                                   o->item_count, CRM_ITEMS_CHUNK_MAX);
        }
        enum crm_err rc;
        if (c->n && crm_items_rows_items(c->items) + o->item_count > CRM_ITEMS_CHUNK_MAX &&
            (rc = hand_over(w, e)) != CRM_OK)
            return rc;
    }
    w->amount_total = total;
    unsigned cur = 255;
    if (o->currency_len > 0) {
        size_t len = o->currency_len > 255 ? 255 : o->currency_len;
        for (cur = 0; cur < c->cur_count; cur++)
            if (strlen(c->cur_names[cur]) == len &&
                memcmp(c->cur_names[cur], o->currency, len) == 0)
                break;
        if (cur == c->cur_count) {
            if (c->cur_count == 254) {
                enum crm_err rc = hand_over(w, e);
                if (rc != CRM_OK)
                    return rc;
                cur = 0;
            }
            char *name = malloc(len + 1);
            if (!name)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            memcpy(name, o->currency, len);
            name[len] = '\0';
            c->cur_names[c->cur_count++] = name;
        }
    }
    uint32_t i = c->n;
    c->col[0][i] = o->customer;
    c->col[1][i] = o->time;
    c->col[2][i] = o->amount;
    if (o->item_count && (!c->items || crm_items_rows_add(c->items, i, o->items, o->item_count,
                                                          crm_items_w_count(w->items)) != 0))
        return crm_errinfo_set(e, c->items ? CRM_EDATA : CRM_EUSAGE, c->items
                               ? "line items with an unknown product or a negative amount"
                               : "line items given to a store writer made without them");
    c->col[3][i] = o->quantity;
    c->status[i] = o->status;
    c->currency[i] = cur;
    crm_buf_put_short(&c->id_text, o->order_id, o->order_id_len);
    c->id_off[i + 1] = (uint32_t)c->id_text.len;
    c->id_number[i] = o->order_id_num.number;
    c->id_digits[i] = (uint8_t)o->order_id_num.digits;     /* at most CRM_NUMID_DIGITS */
    if (c->id_text.oom || c->id_text.len > UINT32_MAX / 2)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->added++;
    if (++c->n == CRM_CHUNK_ROWS)
        return hand_over(w, e);
    return CRM_OK;
}

enum crm_err crm_store_writer_add_customer(struct crm_store_writer *w,
                                           const struct crm_customer_info *c,
                                           struct crm_errinfo *e)
{
    if (w->cust_n == w->cust_cap) {
        size_t cap = w->cust_cap ? w->cust_cap * 2 : 1024;
        struct crm_customer_info *p = realloc(w->cust, cap * sizeof *p);
        if (!p)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        w->cust = p;
        w->cust_cap = cap;
    }
    w->cust[w->cust_n++] = *c;
    if (w->cust_n == CRM_CHUNK_ROWS) {
        enum crm_err rc = settle(w, e);
        return rc == CRM_OK ? w_customers(w, e) : rc;
    }
    return CRM_OK;
}

int crm_store_writer_has_items(const struct crm_store_writer *w)
{
    return w->items != NULL;
}

/* Header h (its fixed part, then the metadata its length field gives) says version 2: the
 * version field and the header crc rewritten. */
static void header_to_v2(unsigned char *h)
{
    size_t mlen = (size_t)crm_le_get(h + 12, 4);
    crm_le_put(h + 8, CRM_STORE_VERSION, 2);
    crm_le_put(h + 16, crc_of(crc_of(0, h, 16), h + HDR_FIXED, mlen), 4);
}

/* An appended store that holds no orders yet (the one a first --append just created, or
 * any other empty one) becomes version 2 in place: bytes 8..19 of its header (version,
 * metadata length, header crc) rewritten by one pwrite inside the first sector, so a
 * crash leaves the empty store at either version; nothing else in it depends on it. */
static enum crm_err upgrade_empty(struct crm_store_writer *w, struct crm_errinfo *e)
{
    unsigned char h[HDR_FIXED + MAX_META];
    ssize_t got = pread(w->fd, h, sizeof h, 0);
    size_t mlen = got >= HDR_FIXED ? (size_t)crm_le_get(h + 12, 4) : 0;
    if (got < HDR_FIXED || mlen > (size_t)got - HDR_FIXED)
        return crm_errinfo_set(e, CRM_EIO, "cannot read the store's header: %s",
                               got < 0 ? strerror(errno) : "short read");
    if (items_alloc(w) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    header_to_v2(h);
    if (pwrite(w->fd, h + 8, 12, 8) != 12)
        return crm_errinfo_set(e, CRM_EIO, "cannot rewrite the store's header: %s",
                               strerror(errno));
    e->file[0] = '\0';
    return CRM_OK;
}

enum crm_err crm_store_writer_keep_items(struct crm_store_writer *w, struct crm_errinfo *e)
{
    if (w->items)
        return CRM_OK;
    crm_errinfo_where(e, w->name, -1, -1, -1);
    if (w->lazy && w->regular && w->st.orders == 0 && w->base_chunks == 0 && w->added == 0)
        return upgrade_empty(w, e);
    /* A new store whose header is still in the output buffer: make it version 2. */
    if (w->blocks != 0 || w->added != 0 || w->st.orders != 0 || w->io.len != w->written ||
        w->io.len < HDR_FIXED || memcmp(w->io.data, CRM_STORE_MAGIC, 8) != 0)
        return crm_errinfo_set(e, CRM_EUSAGE, w->st.commits || w->base_chunks
                               ? "the store was written without line items (format version "
                                 "1): import into a new store to keep products, or leave the "
                                 "product column out (--no-items)"
                               : "line items met after orders without them were written: "
                                 "import files with a product column into a store of their own");
    if (items_alloc(w) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    header_to_v2(w->io.data);
    e->file[0] = '\0';
    return CRM_OK;
}

enum crm_err crm_store_writer_product(struct crm_store_writer *w, const struct crm_product *p,
                                      uint32_t *idx, struct crm_errinfo *e)
{
    if (!w->items)
        return crm_errinfo_set(e, CRM_EUSAGE, "products given to a store writer made "
                               "without line items");
    return crm_items_w_product(w->items, p, idx, e);
}

uint64_t crm_store_writer_orders(const struct crm_store_writer *w)
{
    return w->added;
}

uint64_t crm_store_writer_base_chunks(const struct crm_store_writer *w)
{
    return w->base_chunks;
}

enum crm_err crm_store_writer_finish(struct crm_store_writer *w, struct crm_errinfo *e)
{
    w->finishing = 1;
    enum crm_err rc = w->rows.n ? hand_over(w, e) : CRM_OK;
    if (rc == CRM_OK)
        rc = settle(w, e);
    if (rc == CRM_OK)
        rc = w_customers(w, e);
    if (rc == CRM_OK)
        rc = w_dict(w, e);
    if (rc == CRM_OK)
        rc = w_end(w, e);
    if (rc == CRM_OK)
        rc = w_flush_io(w, e);
    if (rc != CRM_OK || !w->regular)
        return rc;
    /* Data first, durably; then the commit record that makes it visible. */
    crm_errinfo_where(e, w->name, -1, -1, -1);
    if (!w->no_sync && fsync(w->fd) != 0)
        return crm_errinfo_set(e, CRM_EIO, "fsync failed: %s", strerror(errno));
    unsigned char rec[20];
    uint64_t seq = w->st.commits + 1;
    crm_le_put(rec, commit_crc(w->written, seq), 4);
    crm_le_put(rec + 4, w->written, 8);
    crm_le_put(rec + 12, seq, 8);
    if (pwrite(w->fd, rec, sizeof rec, HDR_COMMIT_OFF) != (ssize_t)sizeof rec)
        return crm_errinfo_set(e, CRM_EIO, "cannot write commit record: %s", strerror(errno));
    if (!w->no_sync && fsync(w->fd) != 0)
        return crm_errinfo_set(e, CRM_EIO, "fsync failed: %s", strerror(errno));
    w->st.commits = seq;
    return CRM_OK;
}

void crm_store_writer_free(struct crm_store_writer *w)
{
    if (!w)
        return;
    if (w->thread_live) {
        pthread_mutex_lock(&w->mu);
        w->quit = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);   /* after the chunk it is writing, if any */
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    rows_free(&w->rows);
    rows_free(&w->job);
    crm_dict_free(w->dict);
    crm_items_w_free(w->items);
    crm_buf_free(&w->item_block);
    free(w->cust);
    free(w->scratch);
    crm_zctx_free(&w->z);
    crm_buf_free(&w->block);
    crm_buf_free(&w->raw);
    crm_buf_free(&w->ztmp);
    crm_buf_free(&w->io);
    crm_buf_free(&w->packed);
    for (size_t i = 0; i < w->arch_n; i++)
        free(w->arch[i].blob);
    free(w->arch);
    free(w->cache_off);
    crm_buf_free(&w->cache_raw);
    crm_buf_free(&w->cache_text);
    crm_buf_free(&w->idraw);
    crm_buf_free(&w->idsum);
    for (size_t i = 0; i < w->nold; i++)
        crm_idsum_free(&w->old[i].sum);
    free(w->old);
    free(w->old_marked);
    crm_idsum_index_free(w->old_index);
    crm_buf_free(&w->old_block);
    free(w->remap);
    free(w->new_loc);
    free(w->dblk);
    free(w->filter);
    crm_dict_free(w->sdict);
    crm_zctx_free(&w->rz);
    crm_buf_free(&w->rbuf);
    crm_buf_free(&w->rraw);
    free(w);
}

uint64_t crm_store_writer_order_count(struct crm_store_writer *w)
{
    struct crm_errinfo e;
    (void)settle(w, &e);                /* st is the writer thread's until then */
    return w->st.orders + w->rows.n;
}

/* A chunk's order-id column as stored into the cache (cache_text/cache_off). */
static enum crm_err cache_ids(struct crm_store_writer *w, uint32_t rows, unsigned enc,
                              int64_t base, size_t raw_len, const unsigned char *blob,
                              size_t blob_len, long long k, struct crm_errinfo *e)
{
    if (blob_len == 0) {
        memset(w->cache_off, 0, (rows + 1) * sizeof *w->cache_off);
        w->cache_text.len = 0;
        crm_buf_u8(&w->cache_text, 0);
        return CRM_OK;
    }
    const unsigned char *raw = blob;
    /* The bytes as stored: raw ones must be exactly the raw length (the reader checks the
     * same in col_raw; found by fuzz_store reading past an archived blob). */
    if (!(enc & ENC_DEFLATE) && blob_len != raw_len)
        return crm_errinfo_set(e, CRM_ECORRUPT, "order-id archive chunk %lld damaged", k);
    if (enc & ENC_DEFLATE) {
        w->cache_raw.len = 0;
        if (crm_buf_reserve(&w->cache_raw, raw_len + 1) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (crm_col_inflate(&w->z, blob, blob_len, w->cache_raw.data, raw_len) != 0)
            return crm_errinfo_set(e, CRM_ECORRUPT, "order-id archive chunk %lld damaged", k);
        raw = w->cache_raw.data;
    }
    if (crm_col_ids_decode(enc, raw, raw_len, rows, base, w->scratch, &w->cache_text,
                           w->cache_off) != 0)
        return crm_errinfo_set(e, CRM_ECORRUPT, "order-id archive chunk %lld damaged", k);
    return CRM_OK;
}

/* Decode archive chunk k (this writer's) into the cache. */
static enum crm_err load_archived(struct crm_store_writer *w, size_t k, struct crm_errinfo *e)
{
    if (w->cached == (long long)k)
        return CRM_OK;
    struct id_chunk *c = &w->arch[k];
    w->cached = w->cached_old = -1;
    enum crm_err rc = cache_ids(w, c->rows, c->enc, c->base, c->raw_len, c->blob, c->blob_len,
                                (long long)(w->nold + k), e);
    if (rc == CRM_OK)
        w->cached = (long long)k;
    return rc;
}

/* Decode stored chunk k into the cache: its block read from the file and checksummed, and
 * every id checked against the chunk's summary (a summary that does not admit its own ids
 * would let an append miss duplicates: the store is damaged). */
static enum crm_err load_old(struct crm_store_writer *w, size_t k, struct crm_errinfo *e)
{
    if (w->cached_old == (long long)k)
        return CRM_OK;
    const struct crm_walk_chunk *c = &w->old[k];
    struct crm_walk_ids ids;
    w->cached = w->cached_old = -1;
    enum crm_err rc = crm_store_walk_ids(w->fd, w->name, c, (long long)k, &w->old_block, &ids, e);
    if (rc == CRM_OK)
        rc = cache_ids(w, c->rows, ids.enc, ids.base, ids.raw_len, ids.stored, ids.stored_len,
                       (long long)k, e);
    if (rc != CRM_OK)
        return rc;
    for (uint32_t r = 0; c->sum.kind != CRM_IDSUM_UNKNOWN && r < c->rows; r++) {
        uint32_t a = w->cache_off[r], b = w->cache_off[r + 1];
        if (b > a && !crm_idsum_admits(&c->sum, (const char *)w->cache_text.data + a, b - a)) {
            crm_errinfo_where(e, w->name, -1, -1, (long long)k);
            return crm_errinfo_set(e, CRM_ECORRUPT, "order id %u of chunk %zu lies outside "
                                   "the chunk's order-id summary: the store is damaged", r, k);
        }
    }
    w->cached_old = (long long)k;
    return CRM_OK;
}

/* The chunk holding order order_no among n chunks whose `first` fields ascend. */
#define FIND_CHUNK(arr, n, order_no, out)                                                  \
    do {                                                                                   \
        size_t lo_ = 0, hi_ = (n);                                                         \
        while (hi_ - lo_ > 1) {                                                            \
            size_t mid_ = (lo_ + hi_) / 2;                                                 \
            if ((arr)[mid_].first <= (order_no))                                           \
                lo_ = mid_;                                                                \
            else                                                                           \
                hi_ = mid_;                                                                \
        }                                                                                  \
        (out) = lo_;                                                                       \
    } while (0)

enum crm_err crm_store_writer_order_id(struct crm_store_writer *w, uint64_t order_no,
                                       const char **id, size_t *len, struct crm_errinfo *e)
{
    if (!w->keep_ids)
        return crm_errinfo_set(e, CRM_EUSAGE, "order ids were not kept");
    enum crm_err rc = settle(w, e);
    if (rc != CRM_OK)
        return rc;
    uint64_t first = 0;
    if (w->nold && order_no < w->old[w->nold - 1].first + w->old[w->nold - 1].rows) {
        size_t k;
        FIND_CHUNK(w->old, w->nold, order_no, k);
        rc = load_old(w, k, e);
        first = w->old[k].first;
    } else if (order_no >= w->arch_orders) {      /* in the chunk being built */
        uint64_t row = order_no - w->arch_orders;
        if (row >= w->rows.n)
            return crm_errinfo_set(e, CRM_EUSAGE, "no order %llu", (unsigned long long)order_no);
        *id = (const char *)w->rows.id_text.data + w->rows.id_off[row];
        *len = w->rows.id_off[row + 1] - w->rows.id_off[row];
        return CRM_OK;
    } else {
        size_t k;
        FIND_CHUNK(w->arch, w->arch_n, order_no, k);
        rc = load_archived(w, k, e);
        first = w->arch[k].first;
    }
    if (rc != CRM_OK)
        return rc;
    uint32_t row = (uint32_t)(order_no - first);
    *id = (const char *)w->cache_text.data + w->cache_off[row];
    *len = w->cache_off[row + 1] - w->cache_off[row];
    return CRM_OK;
}

/* fn for each id in the cache (a chunk of `rows` from order `first`); 1 when fn stopped. */
static int each_cached(struct crm_store_writer *w, uint64_t first, uint32_t rows,
                       int (*fn)(void *ctx, uint64_t order_no, const char *id, size_t len),
                       void *ctx)
{
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t a = w->cache_off[r], b = w->cache_off[r + 1];
        if (b > a && fn(ctx, first + r, (const char *)w->cache_text.data + a, b - a))
            return 1;
    }
    return 0;
}

static int old_wanted(const struct crm_store_writer *w, size_t k, unsigned which)
{
    unsigned kind = w->old[k].sum.kind;
    return kind != CRM_IDSUM_NONE &&
           ((which & CRM_IDS_STORED) || (w->old_marked[k] && (which & CRM_IDS_PROBED)) ||
            (w->old_marked[k] == 1 && (which & CRM_IDS_PROBED_UNREAD)) ||
            (kind == CRM_IDSUM_UNKNOWN && (which & CRM_IDS_UNSUMMARIZED)));
}

enum crm_err crm_store_writer_each_order_id_of(struct crm_store_writer *w, unsigned which,
                                               int (*fn)(void *ctx, uint64_t order_no,
                                                         const char *id, size_t len),
                                               void *ctx, struct crm_errinfo *e)
{
    enum crm_err rc = settle(w, e);
    for (size_t k = 0; rc == CRM_OK && k < w->nold; k++) {
        if (!old_wanted(w, k, which))
            continue;
        if ((which & CRM_IDS_PROBED_UNREAD) && w->old_marked[k] == 1)
            w->old_marked[k] = 2;
        rc = load_old(w, k, e);
        if (rc == CRM_OK && each_cached(w, w->old[k].first, w->old[k].rows, fn, ctx))
            return CRM_OK;
    }
    if (rc != CRM_OK || !(which & CRM_IDS_NEW))
        return rc;
    for (size_t k = 0; k < w->arch_n; k++) {
        if (w->arch[k].blob_len == 0)
            continue;
        rc = load_archived(w, k, e);
        if (rc != CRM_OK)
            return rc;
        if (each_cached(w, w->arch[k].first, w->arch[k].rows, fn, ctx))
            return CRM_OK;
    }
    for (uint32_t r = 0; r < w->rows.n; r++) {   /* the chunk being built */
        uint32_t a = w->rows.id_off[r], b = w->rows.id_off[r + 1];
        if (b > a && fn(ctx, w->arch_orders + r, (const char *)w->rows.id_text.data + a, b - a))
            return CRM_OK;
    }
    return CRM_OK;
}

enum crm_err crm_store_writer_each_order_id(struct crm_store_writer *w,
                                            int (*fn)(void *ctx, uint64_t order_no,
                                                      const char *id, size_t len),
                                            void *ctx, struct crm_errinfo *e)
{
    return crm_store_writer_each_order_id_of(w, CRM_IDS_STORED | CRM_IDS_NEW, fn, ctx, e);
}

/* ======================================================================== append == */

/* A store that was written as a stream and then saved to a file has no committed length:
 * a reader reads it to the end, so blocks left by a killed append would break it. Commit
 * its current length first (a store written once counts as one commit). */
static enum crm_err commit_stream(struct crm_store_writer *w, struct crm_errinfo *e)
{
    unsigned char rec[20];
    if (pread(w->fd, rec, sizeof rec, HDR_COMMIT_OFF) != (ssize_t)sizeof rec) {
        crm_errinfo_where(e, w->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot read the commit record");
    }
    if (crm_le_get(rec + 4, 8) != 0)
        return CRM_OK;
    if (w->st.commits == 0)
        w->st.commits = 1;
    crm_le_put(rec, commit_crc(w->written, w->st.commits), 4);
    crm_le_put(rec + 4, w->written, 8);
    crm_le_put(rec + 12, w->st.commits, 8);
    if ((!w->no_sync && fsync(w->fd) != 0) ||
        pwrite(w->fd, rec, sizeof rec, HDR_COMMIT_OFF) != (ssize_t)sizeof rec ||
        (!w->no_sync && fsync(w->fd) != 0)) {
        int err = errno;
        crm_errinfo_where(e, w->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot write the commit record: %s", strerror(err));
    }
    return CRM_OK;
}

/* Append keeps the store's line items: a version-2 store's products are loaded (numbers
 * unchanged); line items cannot be added to a version-1 store (its readers would refuse
 * or ignore them). */
static enum crm_err append_products(struct crm_store_writer *w, const struct crm_store_walk *s,
                                    unsigned flags, struct crm_errinfo *e)
{
    if (!s->items) {
        if (!(flags & CRM_STORE_ITEMS))
            return CRM_OK;
        crm_errinfo_where(e, w->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "the store was written without line items "
                               "(format version 1): import into a new store to keep products, "
                               "or append without the product column (--no-items)");
    }
    if (items_alloc(w) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    uint32_t n = crm_items_r_count(s->products);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t idx;
        enum crm_err rc = crm_items_w_product(w->items, crm_items_r_product(s->products, i),
                                              &idx, e);
        if (rc != CRM_OK)
            return rc;
        if (idx != i) {
            crm_errinfo_where(e, w->name, -1, -1, -1);
            return crm_errinfo_set(e, CRM_ECORRUPT, "product %u appears twice", i);
        }
    }
    crm_items_w_mark_written(w->items);
    return CRM_OK;
}

/* Take the walk's chunks (their summaries indexed for probes) and dictionary blocks: the
 * batch's customers are numbered after the stored ones and resolved later (resolve). */
static enum crm_err adopt_walk(struct crm_store_writer *w, struct crm_store_walk *walk,
                               struct crm_errinfo *e)
{
    w->old = walk->chunk;
    w->nold = walk->nchunk;
    walk->chunk = NULL;
    walk->nchunk = 0;
    w->dblk = walk->dict;
    w->ndblk = walk->ndict;
    walk->dict = NULL;
    walk->ndict = 0;
    w->arch_orders = walk->stats.orders;
    w->old_marked = calloc(w->nold + 1, 1);
    const struct crm_idsum **sums = malloc((w->nold + 1) * sizeof *sums);
    for (size_t k = 0; sums && k < w->nold; k++)
        sums[k] = &w->old[k].sum;
    w->old_index = sums ? crm_idsum_index_new(sums, w->nold) : NULL;
    free(sums);
    if (!w->old_marked || !w->old_index)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->lazy = 1;
    w->stored = w->at_open = walk->stats.customers;
    crm_dict_set_base(w->dict, w->stored);
    return CRM_OK;
}

enum crm_err crm_store_writer_append(int fd, const char *name, unsigned flags,
                                     struct crm_store_writer **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_store_walk walk;
    enum crm_err rc = crm_store_walk(fd, name, &walk, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_store_writer *w = writer_alloc(fd, name, flags);
    if (!w) {
        crm_store_walk_free(&walk);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    rc = append_products(w, &walk, flags, e);
    if (rc == CRM_OK)
        rc = adopt_walk(w, &walk, e);
    if (rc == CRM_OK) {
        w->meta = walk.meta;
        w->dict_written = w->stored;
        w->st = walk.stats;
        w->blocks = walk.blocks;
        w->base_chunks = walk.stats.chunks;
        w->written = walk.end;
        w->behind = (long long)walk.end;
        w->regular = 1;
        if (ftruncate(fd, (off_t)w->written) != 0 || lseek(fd, (off_t)w->written, SEEK_SET) < 0) {
            crm_errinfo_where(e, name, -1, -1, -1);
            rc = crm_errinfo_set(e, CRM_EIO, "cannot prepare append: %s", strerror(errno));
        }
    }
    if (rc == CRM_OK)
        rc = commit_stream(w, e);
    crm_store_walk_free(&walk);
    if (rc != CRM_OK) {
        crm_store_writer_free(w);
        return rc;
    }
    *out = w;
    return CRM_OK;
}
