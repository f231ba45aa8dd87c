/* store: columnar order store, writer and reader (format: docs/FORMAT.md).
 * Reader invariant: blocks are consumed strictly in order; the counts of blocks, chunks,
 * orders, dictionary entries and customer rows are what has been read so far, and every
 * END block must repeat them exactly, so a store that lost or gained a block is an error,
 * never a silently partial result. Writer invariant: every dictionary entry is written
 * (DICT) before the first chunk that uses it; nothing becomes visible to a reader of a
 * regular file before finish rewrites the header's commit record. */
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "colcodec.h"
#include "dict.h"

/* ---- format constants (docs/FORMAT.md) ---- */

#define HDR_FIXED 40          /* bytes before the metadata */
#define HDR_COMMIT_OFF 20     /* commit crc (4), committed length (8), commit sequence (8) */
#define BLOCK_HDR 16
#define MAX_PAYLOAD (512u << 20)
#define MAX_META 4096
#define END_PAYLOAD 56
#define ORDS_FIXED 24         /* u32 rows, u32 columns, i64 min time, i64 max time */

#define TYPE(a, b, c, d)                                                                   \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define T_DICT TYPE('D', 'I', 'C', 'T')
#define T_ORDS TYPE('O', 'R', 'D', 'S')
#define T_CUST TYPE('C', 'U', 'S', 'T')
#define T_END TYPE('E', 'N', 'D', '.')

enum col_id {
    COL_CUSTOMER = 1, COL_TIME, COL_AMOUNT, COL_QUANTITY, COL_STATUS, COL_ORDER_ID,
    COL_CURRENCY,
    COL_C_CUSTOMER = 16, COL_C_SIGNUP, COL_C_BIRTH, COL_C_BIRTH_YEAR_KNOWN, COL_C_BLOCKED,
    COL_D_IDS = 32,
};

#define ENC_WIDTH CRM_ENC_WIDTH
#define ENC_SHUFFLE CRM_ENC_SHUFFLE
#define ENC_DEFLATE CRM_ENC_DEFLATE
#define ENC_VARLEN CRM_ENC_VARLEN
#define ENC_NUMID CRM_ENC_NUMID
#define COLDESC 20          /* u8 id, u8 enc, u16 0, u32 raw_len, u32 stored_len, i64 base */

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

static uint32_t crc_of(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return crc;
}

static uint32_t commit_crc(uint64_t length, uint64_t seq)
{
    unsigned char tmp[16];
    crm_le_put(tmp, length, 8);
    crm_le_put(tmp + 8, seq, 8);
    return crc_of(0, tmp, 16);
}


/* ======================================================================== writer == */

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
    uint64_t written;          /* absolute offset of the next byte */
    uint32_t blocks;           /* blocks in the store so far */
    struct crm_store_stats st; /* cumulative totals, an appended store's included */
    uint64_t base_chunks;
    uint64_t added;
    /* the chunk being built */
    uint32_t n;
    int64_t *col[4];           /* customer, time, amount, quantity, widened */
    int64_t *status;
    int64_t *currency;
    uint32_t *id_off;          /* CRM_CHUNK_ROWS + 1 offsets into id_text */
    struct crm_buf id_text;
    char *cur_names[255];
    unsigned cur_count;
    /* customers-file rows not yet written */
    struct crm_customer_info *cust;
    size_t cust_n, cust_cap;
    /* scratch */
    struct crm_buf block, raw, ztmp, io;
    struct crm_zctx z;
    int64_t *scratch;          /* CRM_CHUNK_ROWS */
    /* order-id archive (CRM_STORE_KEEP_IDS) */
    int keep_ids, no_sync;
    struct id_chunk *arch;
    size_t arch_n, arch_cap;
    uint64_t arch_orders;        /* orders covered by the archive */
    long long cached;            /* archive chunk decoded in cache_raw/cache_off, -1: none */
    struct crm_buf cache_raw, cache_text;
    uint32_t *cache_off;         /* CRM_CHUNK_ROWS + 1 */
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
    struct crm_buf *b = &w->block;
    crm_buf_u8(b, id);
    crm_buf_u8(b, enc);
    crm_buf_le(b, 0, 2);
    crm_buf_le(b, raw_len, 4);
    crm_buf_le(b, stored_len, 4);
    crm_buf_le(b, (uint64_t)base, 8);
    crm_buf_put(b, stored, stored_len);
}

/* Fixed-width column: value - min in the fewest whole bytes, as byte planes. */
static void put_int_column(struct crm_store_writer *w, unsigned id, const int64_t *v, size_t n)
{
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

/* DICT block with the entries added since the last one. */
static enum crm_err w_dict(struct crm_store_writer *w, struct crm_errinfo *e)
{
    uint32_t count = crm_dict_count(w->dict);
    if (w->dict_written == count)
        return CRM_OK;
    w->raw.len = 0;
    for (uint32_t i = w->dict_written; i < count; i++) {
        size_t len;
        const char *id = crm_dict_id(w->dict, i, &len);
        crm_buf_varint(&w->raw, len);
        crm_buf_put(&w->raw, id, len);
    }
    crm_buf_le(&w->block, w->dict_written, 4);
    crm_buf_le(&w->block, count - w->dict_written, 4);
    put_column(w, COL_D_IDS, ENC_VARLEN, 0, w->raw.data, w->raw.len);
    w->dict_written = count;
    w->st.customers = count;
    return w_block(w, T_DICT, e);
}

static enum crm_err w_chunk(struct crm_store_writer *w, struct crm_errinfo *e)
{
    if (w->n == 0)
        return CRM_OK;
    enum crm_err rc = w_dict(w, e);
    if (rc != CRM_OK)
        return rc;
    size_t n = w->n;
    int64_t lo = w->col[1][0], hi = lo;
    for (size_t i = 1; i < n; i++) {
        if (w->col[1][i] < lo)
            lo = w->col[1][i];
        if (w->col[1][i] > hi)
            hi = w->col[1][i];
    }
    int has_ids = w->id_off[n] > 0;
    unsigned ncols = 5u + (has_ids ? 1u : 0u) + (w->cur_count > 0 ? 1u : 0u);
    crm_buf_le(&w->block, n, 4);
    crm_buf_le(&w->block, ncols, 4);
    crm_buf_le(&w->block, (uint64_t)lo, 8);
    crm_buf_le(&w->block, (uint64_t)hi, 8);
    put_int_column(w, COL_CUSTOMER, w->col[0], n);
    put_int_column(w, COL_TIME, w->col[1], n);
    put_int_column(w, COL_AMOUNT, w->col[2], n);
    put_int_column(w, COL_QUANTITY, w->col[3], n);
    put_int_column(w, COL_STATUS, w->status, n);
    if (has_ids) {
        size_t at = w->block.len;
        int64_t base;
        unsigned enc = crm_col_ids_encode((const char *)w->id_text.data, w->id_off, n,
                                          w->scratch, &w->raw, &base);
        put_column(w, COL_ORDER_ID, enc, base, w->raw.data, w->raw.len);
        if (w->keep_ids && !w->block.oom &&
            archive_add(w, (uint32_t)n, w->block.data[at + 1], base, w->raw.len,
                        w->block.data + at + COLDESC, (size_t)crm_le_get(w->block.data + at + 8, 4)))
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    } else if (w->keep_ids && archive_add(w, (uint32_t)n, 0, 0, 0, NULL, 0)) {
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    if (w->cur_count > 0) {
        w->raw.len = 0;
        crm_buf_u8(&w->raw, w->cur_count);
        for (unsigned k = 0; k < w->cur_count; k++) {
            size_t len = strlen(w->cur_names[k]);
            crm_buf_u8(&w->raw, (unsigned)len);
            crm_buf_put(&w->raw, w->cur_names[k], len);
        }
        for (size_t i = 0; i < n; i++)
            crm_buf_u8(&w->raw, (unsigned)w->currency[i]);
        put_column(w, COL_CURRENCY, ENC_VARLEN, 0, w->raw.data, w->raw.len);
    }
    if (w->st.orders == 0 || lo < w->st.min_time)
        w->st.min_time = lo;
    if (w->st.orders == 0 || hi > w->st.max_time)
        w->st.max_time = hi;
    w->st.orders += n;
    w->st.chunks++;
    w->n = 0;
    w->id_off[0] = 0;
    w->id_text.len = 0;
    for (unsigned k = 0; k < w->cur_count; k++)
        free(w->cur_names[k]);
    w->cur_count = 0;
    return w_block(w, T_ORDS, e);
}

static enum crm_err w_customers(struct crm_store_writer *w, struct crm_errinfo *e)
{
    size_t n = w->cust_n;
    if (n == 0)
        return CRM_OK;
    enum crm_err rc = w_dict(w, e);
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
            v[i] = c == 0 ? (int64_t)r->customer : c == 1 ? (int64_t)r->signup_day
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

static struct crm_store_writer *writer_alloc(int fd, const char *name, unsigned flags)
{
    struct crm_store_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->fd = fd;
    w->keep_ids = (flags & CRM_STORE_KEEP_IDS) != 0;
    w->no_sync = (flags & CRM_STORE_NO_SYNC) != 0;
    w->cached = -1;
    snprintf(w->name, sizeof w->name, "%s", name ? name : "stdout");
    struct stat st;
    w->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->dict = crm_dict_new();
    for (int c = 0; c < 4; c++)
        w->col[c] = malloc(CRM_CHUNK_ROWS * sizeof(int64_t));
    w->status = malloc(CRM_CHUNK_ROWS * sizeof(int64_t));
    w->currency = malloc(CRM_CHUNK_ROWS * sizeof(int64_t));
    w->cache_off = malloc((CRM_CHUNK_ROWS + 1) * sizeof *w->cache_off);
    w->id_off = calloc(CRM_CHUNK_ROWS + 1, sizeof *w->id_off);
    w->scratch = malloc(CRM_CHUNK_ROWS * sizeof *w->scratch);
    if (!w->cache_off || !w->id_off || !w->scratch ||
        !w->dict || !w->col[0] || !w->col[1] || !w->col[2] || !w->col[3] || !w->status ||
        !w->currency) {
        crm_store_writer_free(w);
        return NULL;
    }
    return w;
}

static void header_bytes(struct crm_buf *b, const struct crm_store_meta *m)
{
    char meta[MAX_META];
    int mlen = snprintf(meta, sizeof meta, "format=crmkit-store\nmoney_scale=%d\ntz=%s\n",
                        m->money_scale, m->tz);
    unsigned char fixed[HDR_FIXED];
    memset(fixed, 0, sizeof fixed);
    memcpy(fixed, CRM_STORE_MAGIC, 8);
    crm_le_put(fixed + 8, CRM_STORE_VERSION, 2);
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
    struct crm_store_writer *w = writer_alloc(fd, name, flags);
    if (!w)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->meta = *m;
    if (w->meta.money_scale < 0 || w->meta.money_scale > 6)
        w->meta.money_scale = 2;
    w->meta.tz[sizeof w->meta.tz - 1] = '\0';
    if (strchr(w->meta.tz, '\n'))
        w->meta.tz[0] = '\0';
    struct crm_buf hdr = {0};
    header_bytes(&hdr, &w->meta);
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
    enum crm_err rc = crm_dict_intern(w->dict, id, len, idx, NULL);
    if (rc != CRM_OK)
        return crm_errinfo_set(e, rc, "cannot add customer: %s", crm_strerror(rc));
    return CRM_OK;
}

int crm_store_writer_find_customer(const struct crm_store_writer *w, const char *id, size_t len,
                                   uint32_t *idx)
{
    return crm_dict_find(w->dict, id, len, idx);
}

enum crm_err crm_store_writer_add(struct crm_store_writer *w, const struct crm_order *o,
                                  struct crm_errinfo *e)
{
    unsigned cur = 255;
    if (o->currency_len > 0) {
        size_t len = o->currency_len > 255 ? 255 : o->currency_len;
        for (cur = 0; cur < w->cur_count; cur++)
            if (strlen(w->cur_names[cur]) == len && memcmp(w->cur_names[cur], o->currency, len) == 0)
                break;
        if (cur == w->cur_count) {
            if (w->cur_count == 254) {
                enum crm_err rc = w_chunk(w, e);
                if (rc != CRM_OK)
                    return rc;
                cur = 0;
            }
            char *name = malloc(len + 1);
            if (!name)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            memcpy(name, o->currency, len);
            name[len] = '\0';
            w->cur_names[w->cur_count++] = name;
        }
    }
    uint32_t i = w->n;
    w->col[0][i] = o->customer;
    w->col[1][i] = o->time;
    w->col[2][i] = o->amount;
    w->col[3][i] = o->quantity;
    w->status[i] = o->status;
    w->currency[i] = cur;
    crm_buf_put(&w->id_text, o->order_id, o->order_id_len);
    w->id_off[i + 1] = (uint32_t)w->id_text.len;
    if (w->id_text.oom || w->id_text.len > UINT32_MAX / 2)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->added++;
    if (++w->n == CRM_CHUNK_ROWS)
        return w_chunk(w, e);
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
    if (w->cust_n == CRM_CHUNK_ROWS)
        return w_customers(w, e);
    return CRM_OK;
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
    enum crm_err rc = w_chunk(w, e);
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
    crm_dict_free(w->dict);
    for (int c = 0; c < 4; c++)
        free(w->col[c]);
    free(w->status);
    free(w->currency);
    for (unsigned k = 0; k < w->cur_count; k++)
        free(w->cur_names[k]);
    free(w->cust);
    free(w->id_off);
    free(w->scratch);
    crm_zctx_free(&w->z);
    crm_buf_free(&w->id_text);
    crm_buf_free(&w->block);
    crm_buf_free(&w->raw);
    crm_buf_free(&w->ztmp);
    crm_buf_free(&w->io);
    for (size_t i = 0; i < w->arch_n; i++)
        free(w->arch[i].blob);
    free(w->arch);
    free(w->cache_off);
    crm_buf_free(&w->cache_raw);
    crm_buf_free(&w->cache_text);
    free(w);
}

uint64_t crm_store_writer_order_count(const struct crm_store_writer *w)
{
    return w->st.orders + w->n;
}

/* Decode archive chunk k into the cache. */
static enum crm_err load_archived(struct crm_store_writer *w, size_t k, struct crm_errinfo *e)
{
    if (w->cached == (long long)k)
        return CRM_OK;
    struct id_chunk *c = &w->arch[k];
    w->cached = -1;
    if (c->blob_len == 0) {
        memset(w->cache_off, 0, (c->rows + 1) * sizeof *w->cache_off);
        w->cache_text.len = 0;
        crm_buf_u8(&w->cache_text, 0);
        w->cached = (long long)k;
        return CRM_OK;
    }
    const unsigned char *raw = c->blob;
    if (c->enc & ENC_DEFLATE) {
        w->cache_raw.len = 0;
        if (crm_buf_reserve(&w->cache_raw, c->raw_len + 1) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (crm_col_inflate(&w->z, c->blob, c->blob_len, w->cache_raw.data, c->raw_len) != 0)
            return crm_errinfo_set(e, CRM_ECORRUPT, "order-id archive chunk %zu damaged", k);
        raw = w->cache_raw.data;
    }
    if (crm_col_ids_decode(c->enc, raw, c->raw_len, c->rows, c->base, w->scratch,
                           &w->cache_text, w->cache_off) != 0)
        return crm_errinfo_set(e, CRM_ECORRUPT, "order-id archive chunk %zu damaged", k);
    w->cached = (long long)k;
    return CRM_OK;
}

enum crm_err crm_store_writer_order_id(struct crm_store_writer *w, uint64_t order_no,
                                       const char **id, size_t *len, struct crm_errinfo *e)
{
    if (!w->keep_ids)
        return crm_errinfo_set(e, CRM_EUSAGE, "order ids were not kept");
    if (order_no >= w->arch_orders) {      /* in the chunk being built */
        uint64_t row = order_no - w->arch_orders;
        if (row >= w->n)
            return crm_errinfo_set(e, CRM_EUSAGE, "no order %llu", (unsigned long long)order_no);
        *id = (const char *)w->id_text.data + w->id_off[row];
        *len = w->id_off[row + 1] - w->id_off[row];
        return CRM_OK;
    }
    size_t lo = 0, hi = w->arch_n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (w->arch[mid].first <= order_no)
            lo = mid;
        else
            hi = mid;
    }
    enum crm_err rc = load_archived(w, lo, e);
    if (rc != CRM_OK)
        return rc;
    uint32_t row = (uint32_t)(order_no - w->arch[lo].first);
    *id = (const char *)w->cache_text.data + w->cache_off[row];
    *len = w->cache_off[row + 1] - w->cache_off[row];
    return CRM_OK;
}

enum crm_err crm_store_writer_each_order_id(struct crm_store_writer *w,
                                            int (*fn)(void *ctx, uint64_t order_no,
                                                      const char *id, size_t len),
                                            void *ctx, struct crm_errinfo *e)
{
    for (size_t k = 0; k < w->arch_n; k++) {
        if (w->arch[k].blob_len == 0)
            continue;
        enum crm_err rc = load_archived(w, k, e);
        if (rc != CRM_OK)
            return rc;
        for (uint32_t r = 0; r < w->arch[k].rows; r++) {
            uint32_t a = w->cache_off[r], b = w->cache_off[r + 1];
            if (b > a && fn(ctx, w->arch[k].first + r, (const char *)w->cache_text.data + a, b - a))
                return CRM_OK;
        }
    }
    for (uint32_t r = 0; r < w->n; r++) {   /* the chunk being built */
        uint32_t a = w->id_off[r], b = w->id_off[r + 1];
        if (b > a && fn(ctx, w->arch_orders + r, (const char *)w->id_text.data + a, b - a))
            return CRM_OK;
    }
    return CRM_OK;
}

/* ======================================================================== reader == */

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
    uint64_t pos;                 /* absolute offset of the next unread byte */
    uint64_t first_block;
    uint64_t committed;           /* 0: unknown (a stream), read to EOF */
    uint64_t commits;
    struct crm_store_meta meta;
    /* what has been read */
    uint32_t blocks;
    uint64_t chunks, orders, cust_rows;
    uint32_t dict_seen;           /* entries covered by DICT blocks read in this pass */
    int64_t min_time, max_time;
    int last_was_end, at_end;
    struct crm_store_stats stats;
    int stats_known;
    int64_t filter_lo, filter_hi;
    int filter;
    /* dictionary: ids back to back, NUL-terminated */
    char *dtext;
    size_t dtext_len, dtext_cap;
    uint64_t *doff;
    uint32_t dcount, dcap;
    struct crm_customer_info *cust;
    size_t cust_n, cust_cap;
    /* decoding */
    struct crm_buf payload, inflated;
    int64_t *wide;
    uint32_t *customer, *id_off;
    int64_t *time, *amount;
    int32_t *quantity;
    uint8_t *status, *currency;
    struct crm_buf idtext;
    struct crm_zctx z;
    char curnames[255][256];
    struct crm_store_writer *archive_to;   /* append: copy order-id columns here */
};

static enum crm_err corrupt(struct crm_store *s, struct crm_errinfo *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static enum crm_err corrupt(struct crm_store *s, struct crm_errinfo *e, const char *fmt, ...)
{
    va_list ap;
    crm_errinfo_where(e, s->name, -1, -1, (long long)s->chunks);
    va_start(ap, fmt);
    crm_errinfo_vset(e, CRM_ECORRUPT, fmt, ap);
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
        return CRM_OK;
    }
    into->len = 0;
    if (crm_buf_reserve(into, n) != 0)
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
        ssize_t k = read(s->fd, into->data + have, n - have);
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
    if (version != CRM_STORE_VERSION) {
        crm_errinfo_where(e, s->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EVERSION,
                               "store format version %u; this crmkit reads version %d",
                               version, CRM_STORE_VERSION);
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
        if (strncmp(line, "money_scale=", 12) == 0)
            s->meta.money_scale = atoi(line + 12);
        else if (strncmp(line, "tz=", 3) == 0)
            snprintf(s->meta.tz, sizeof s->meta.tz, "%s", line + 3);
    }
    s->first_block = s->pos;
    if (s->committed && s->committed < s->first_block)
        return corrupt(s, e, "header commit record points inside the header");
    return CRM_OK;
}

static struct crm_store *reader_alloc(const char *name)
{
    struct crm_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = -1;
    snprintf(s->name, sizeof s->name, "%s", name ? name : "stdin");
    s->customer = malloc(CRM_CHUNK_ROWS * sizeof *s->customer);
    s->id_off = malloc((CRM_CHUNK_ROWS + 1) * sizeof *s->id_off);
    s->time = malloc(CRM_CHUNK_ROWS * sizeof *s->time);
    s->amount = malloc(CRM_CHUNK_ROWS * sizeof *s->amount);
    s->wide = malloc(CRM_CHUNK_ROWS * sizeof *s->wide);
    s->quantity = malloc(CRM_CHUNK_ROWS * sizeof *s->quantity);
    s->status = malloc(CRM_CHUNK_ROWS);
    s->currency = malloc(CRM_CHUNK_ROWS);
    s->dcap = 1024;
    s->doff = malloc(s->dcap * sizeof *s->doff);
    if (!s->customer || !s->id_off || !s->time || !s->amount || !s->wide || !s->quantity ||
        !s->status || !s->currency || !s->doff) {
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
    return open_common(s, out, e);
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
    if (rc != CRM_OK)
        close(fd);
    else
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

void crm_store_close(struct crm_store *s)
{
    if (!s)
        return;
    if (s->own_fd)
        close(s->fd);
    free(s->owned);
    free(s->dtext);
    free(s->doff);
    free(s->cust);
    free(s->customer);
    free(s->id_off);
    free(s->time);
    free(s->amount);
    free(s->wide);
    free(s->quantity);
    free(s->status);
    free(s->currency);
    crm_buf_free(&s->payload);
    crm_buf_free(&s->inflated);
    crm_buf_free(&s->idtext);
    crm_zctx_free(&s->z);
    free(s);
}

void crm_store_adopt_fd(struct crm_store *s)
{
    s->own_fd = 1;
}

const struct crm_store_meta *crm_store_meta(const struct crm_store *s)
{
    return &s->meta;
}

void crm_store_set_time_filter(struct crm_store *s, int64_t lo, int64_t hi)
{
    s->filter = 1;
    s->filter_lo = lo;
    s->filter_hi = hi;
}

uint32_t crm_store_customer_count(const struct crm_store *s)
{
    return s->dcount;
}

const char *crm_store_customer_id(const struct crm_store *s, uint32_t idx, size_t *len)
{
    if (len)
        *len = (size_t)(s->doff[idx + 1] - s->doff[idx] - 1);
    return s->dtext + s->doff[idx];
}

size_t crm_store_customers(const struct crm_store *s, const struct crm_customer_info **rows)
{
    *rows = s->cust;
    return s->cust_n;
}

const struct crm_store_stats *crm_store_stats(const struct crm_store *s)
{
    return &s->stats;
}

/* ---- column decoding ---- */

struct coldesc {
    unsigned id, enc;
    size_t raw_len, stored_len;
    int64_t base;
    const unsigned char *data;  /* stored bytes inside the payload */
};

/* Parse `count` descriptors starting at *pos; columns follow their descriptors. */
static enum crm_err parse_columns(struct crm_store *s, const unsigned char *p, size_t len,
                                  size_t *pos, struct coldesc *cols, unsigned count,
                                  struct crm_errinfo *e)
{
    for (unsigned i = 0; i < count; i++) {
        if (len - *pos < COLDESC)
            return corrupt(s, e, "column %u descriptor runs past the block", i);
        const unsigned char *d = p + *pos;
        struct coldesc *c = &cols[i];
        c->id = d[0];
        c->enc = d[1];
        c->raw_len = (size_t)crm_le_get(d + 4, 4);
        c->stored_len = (size_t)crm_le_get(d + 8, 4);
        c->base = (int64_t)crm_le_get(d + 12, 8);
        *pos += COLDESC;
        if (c->stored_len > len - *pos)
            return corrupt(s, e, "column %u data runs past the block", c->id);
        c->data = p + *pos;
        *pos += c->stored_len;
        if (c->raw_len > MAX_PAYLOAD)
            return corrupt(s, e, "column %u: impossible size %zu", c->id, c->raw_len);
        for (unsigned j = 0; j < i; j++)
            if (cols[j].id == c->id)
                return corrupt(s, e, "column %u appears twice", c->id);
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

/* The column's raw bytes (inflated when needed). */
static enum crm_err col_raw(struct crm_store *s, const struct coldesc *c, struct crm_buf *tmp,
                            const unsigned char **raw, struct crm_errinfo *e)
{
    if (!(c->enc & ENC_DEFLATE)) {
        if (c->stored_len != c->raw_len)
            return corrupt(s, e, "column %u: stored size %zu != %zu", c->id, c->stored_len,
                           c->raw_len);
        *raw = c->data;
        return CRM_OK;
    }
    tmp->len = 0;
    if (crm_buf_reserve(tmp, c->raw_len + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (crm_col_inflate(&s->z, c->data, c->stored_len, tmp->data, c->raw_len) != 0)
        return corrupt(s, e, "column %u does not decompress to its %zu bytes", c->id,
                       c->raw_len);
    *raw = tmp->data;
    return CRM_OK;
}

/* Fixed-width column of n values into out. */
static enum crm_err col_ints(struct crm_store *s, const struct coldesc *c, size_t n,
                             int64_t *out, struct crm_errinfo *e)
{
    unsigned width = c->enc & ENC_WIDTH;
    if ((c->enc & (ENC_VARLEN | ENC_NUMID)) || width > 8 || c->raw_len != n * width ||
        (width == 1 && (c->enc & ENC_SHUFFLE)))
        return corrupt(s, e, "column %u: bad encoding 0x%02x for %zu rows", c->id, c->enc, n);
    const unsigned char *raw;
    enum crm_err rc = col_raw(s, c, &s->inflated, &raw, e);
    if (rc != CRM_OK)
        return rc;
    crm_col_planes_get(raw, n, (int)width, (c->enc & ENC_SHUFFLE) != 0, c->base, out);
    return CRM_OK;
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
    enum crm_err rc = parse_columns(s, p, len, &pos, &c, 1, e);
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
    const unsigned char *raw;
    rc = col_raw(s, &c, &s->inflated, &raw, e);
    if (rc != CRM_OK)
        return rc;
    size_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t n;
        if (crm_varint_get(raw, c.raw_len, &at, &n) != 0 || n > c.raw_len - at)
            return corrupt(s, e, "dictionary entry %u runs past the block", first + i);
        if (memchr(raw + at, '\0', (size_t)n))
            return corrupt(s, e, "dictionary entry %u contains a NUL byte", first + i);
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
    enum crm_err rc = parse_columns(s, p, len, &pos, cols, 5, e);
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
        rc = col_ints(s, c, n, s->wide, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            int64_t v = s->wide[i];
            switch (k) {
            case 0:
                if (v < 0 || v >= (int64_t)s->dcount)
                    return corrupt(s, e, "customers block: customer %lld unknown", (long long)v);
                rows[i].customer = (uint32_t)v;
                break;
            case 1:
            case 2:
                if (v < INT32_MIN || v > INT32_MAX)
                    return corrupt(s, e, "customers block: date out of range");
                if (k == 1)
                    rows[i].signup_day = (int32_t)v;
                else
                    rows[i].birth_day = (int32_t)v;
                break;
            default:
                if (v < 0 || v > 1)
                    return corrupt(s, e, "customers block: flag out of range");
                if (k == 3)
                    rows[i].birth_year_known = (uint8_t)v;
                else
                    rows[i].blocked = (uint8_t)v;
            }
        }
    }
    s->cust_n += n;
    s->cust_rows += n;
    return CRM_OK;
}

static enum crm_err decode_ids(struct crm_store *s, const struct coldesc *c, size_t n,
                              struct crm_chunk *out, struct crm_errinfo *e)
{
    if (!(c->enc & (ENC_VARLEN | ENC_NUMID)))
        return corrupt(s, e, "order id column encoding 0x%02x", c->enc);
    const unsigned char *raw;
    enum crm_err rc = col_raw(s, c, &s->inflated, &raw, e);
    if (rc != CRM_OK)
        return rc;
    if (crm_col_ids_decode(c->enc, raw, c->raw_len, n, c->base, s->wide, &s->idtext,
                           s->id_off) != 0)
        return corrupt(s, e, "order id column damaged");
    out->order_id_off = s->id_off;
    out->order_id_text = (const char *)s->idtext.data;
    return CRM_OK;
}

static enum crm_err decode_currency(struct crm_store *s, const struct coldesc *c, size_t n,
                                    struct crm_chunk *out, struct crm_errinfo *e)
{
    if (!(c->enc & ENC_VARLEN))
        return corrupt(s, e, "currency column encoding");
    const unsigned char *raw;
    enum crm_err rc = col_raw(s, c, &s->inflated, &raw, e);
    if (rc != CRM_OK)
        return rc;
    size_t at = 0, len = c->raw_len;
    if (len < 1)
        return corrupt(s, e, "currency column empty");
    unsigned k = raw[at++];
    if (k > 254)
        return corrupt(s, e, "currency column: %u names", k);
    for (unsigned i = 0; i < k; i++) {
        if (at >= len || raw[at] > len - at - 1)
            return corrupt(s, e, "currency name %u runs past the column", i);
        size_t l = raw[at++];
        memcpy(s->curnames[i], raw + at, l);
        s->curnames[i][l] = '\0';
        out->currency_names[i] = s->curnames[i];
        at += l;
    }
    if (len - at != n)
        return corrupt(s, e, "currency column size");
    for (size_t i = 0; i < n; i++) {
        unsigned v = raw[at + i];
        if (v >= k && v != 255)
            return corrupt(s, e, "currency index %u out of range", v);
        s->currency[i] = (uint8_t)v;
    }
    out->currency = s->currency;
    out->currency_count = k;
    return CRM_OK;
}

static enum crm_err decode_ords(struct crm_store *s, const unsigned char *p, size_t len,
                                unsigned want, struct crm_chunk *out, struct crm_errinfo *e)
{
    size_t n = out->n, pos = ORDS_FIXED;
    unsigned ncols = (unsigned)crm_le_get(p + 4, 4);
    struct coldesc cols[16];
    if (ncols < 5 || ncols > 16)
        return corrupt(s, e, "chunk has %u columns", ncols);
    enum crm_err rc = parse_columns(s, p, len, &pos, cols, ncols, e);
    if (rc != CRM_OK)
        return rc;
    if (pos != len)
        return corrupt(s, e, "chunk has %zu stray bytes", len - pos);
    static const unsigned required[] = {COL_CUSTOMER, COL_TIME, COL_AMOUNT, COL_QUANTITY,
                                        COL_STATUS};
    for (unsigned k = 0; k < 5; k++)
        if (!find_col(cols, ncols, required[k]))
            return corrupt(s, e, "chunk lacks column %u", required[k]);
    if (want & CRM_COL_CUSTOMER) {
        rc = col_ints(s, find_col(cols, ncols, COL_CUSTOMER), n, s->wide, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            if ((uint64_t)s->wide[i] >= s->dcount)
                return corrupt(s, e, "row %zu: customer %lld not in the dictionary", i,
                               (long long)s->wide[i]);
            s->customer[i] = (uint32_t)s->wide[i];
        }
        out->customer = s->customer;
    }
    if (want & CRM_COL_TIME) {
        rc = col_ints(s, find_col(cols, ncols, COL_TIME), n, s->time, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++)
            if (s->time[i] < out->min_time || s->time[i] > out->max_time)
                return corrupt(s, e, "row %zu: time outside the chunk's range", i);
        out->time = s->time;
    }
    if (want & CRM_COL_AMOUNT) {
        rc = col_ints(s, find_col(cols, ncols, COL_AMOUNT), n, s->amount, e);
        if (rc != CRM_OK)
            return rc;
        out->amount = s->amount;
    }
    if (want & CRM_COL_QUANTITY) {
        rc = col_ints(s, find_col(cols, ncols, COL_QUANTITY), n, s->wide, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            if (s->wide[i] < INT32_MIN || s->wide[i] > INT32_MAX)
                return corrupt(s, e, "row %zu: quantity out of range", i);
            s->quantity[i] = (int32_t)s->wide[i];
        }
        out->quantity = s->quantity;
    }
    if (want & CRM_COL_STATUS) {
        rc = col_ints(s, find_col(cols, ncols, COL_STATUS), n, s->wide, e);
        if (rc != CRM_OK)
            return rc;
        for (size_t i = 0; i < n; i++) {
            if ((uint64_t)s->wide[i] >= CRM_STATUS_COUNT)
                return corrupt(s, e, "row %zu: status %lld unknown", i, (long long)s->wide[i]);
            s->status[i] = (uint8_t)s->wide[i];
        }
        out->status = s->status;
    }
    if (want & CRM_COL_ORDER_ID) {
        const struct coldesc *c = find_col(cols, ncols, COL_ORDER_ID);
        if (c) {
            rc = decode_ids(s, c, n, out, e);
            if (rc != CRM_OK)
                return rc;
        } else {
            memset(s->id_off, 0, (n + 1) * sizeof *s->id_off);
            out->order_id_off = s->id_off;
            out->order_id_text = "";
        }
    }
    if (want & CRM_COL_CURRENCY) {
        const struct coldesc *c = find_col(cols, ncols, COL_CURRENCY);
        if (c) {
            rc = decode_currency(s, c, n, out, e);
            if (rc != CRM_OK)
                return rc;
        } else {
            memset(s->currency, 255, n);
            out->currency = s->currency;
            out->currency_count = 0;
        }
    }
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

/* Append: keep the chunk's order-id column, as stored, in the writer's archive. */
static enum crm_err archive_ids(struct crm_store *s, const unsigned char *p, size_t len,
                                uint32_t n, struct crm_errinfo *e)
{
    size_t pos = ORDS_FIXED;
    unsigned ncols = (unsigned)crm_le_get(p + 4, 4);
    struct coldesc cols[16];
    if (ncols < 5 || ncols > 16)
        return corrupt(s, e, "chunk has %u columns", ncols);
    enum crm_err rc = parse_columns(s, p, len, &pos, cols, ncols, e);
    if (rc != CRM_OK)
        return rc;
    const struct coldesc *c = find_col(cols, ncols, COL_ORDER_ID);
    int fail = c ? archive_add(s->archive_to, n, c->enc, c->base, c->raw_len, c->data,
                               c->stored_len)
                 : archive_add(s->archive_to, n, 0, 0, 0, NULL, 0);
    return fail ? crm_errinfo_set(e, CRM_ENOMEM, "out of memory") : CRM_OK;
}

/* Read and check one block header + payload. *type = 0 at a clean end of input. */
static enum crm_err next_block(struct crm_store *s, uint32_t *type, const unsigned char **pl,
                               size_t *pl_len, struct crm_errinfo *e)
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
    rc = src_get(s, len, &s->payload, &p, &got, e);
    if (rc != CRM_OK)
        return rc;
    if (got < len)
        return truncated(s, e, "block payload");
    if (crc_of(crc_of(0, hdr, 12), p, len) != (uint32_t)crm_le_get(hdr + 12, 4))
        return corrupt(s, e, "checksum mismatch in block %u at byte %llu", s->blocks,
                       (unsigned long long)start);
    if (crm_le_get(hdr + 8, 4) != s->blocks)
        return corrupt(s, e, "block %u at byte %llu says it is block %u", s->blocks,
                       (unsigned long long)start, (unsigned)crm_le_get(hdr + 8, 4));
    *type = (uint32_t)crm_le_get(hdr, 4);
    if (*type != T_DICT && *type != T_ORDS && *type != T_CUST && *type != T_END)
        return corrupt(s, e, "block %u at byte %llu has unknown type", s->blocks,
                       (unsigned long long)start);
    *pl = p;
    *pl_len = len;
    return CRM_OK;
}

enum crm_err crm_store_next(struct crm_store *s, struct crm_chunk *c, unsigned columns,
                            struct crm_errinfo *e)
{
    memset(c, 0, sizeof *c);
    while (!s->at_end) {
        uint32_t type;
        const unsigned char *p = NULL;
        size_t len = 0;
        enum crm_err rc = next_block(s, &type, &p, &len, e);
        if (rc != CRM_OK)
            return rc;
        if (type == 0) {
            if (!s->last_was_end)
                return truncated(s, e, "no end block");
            s->at_end = 1;
            break;
        }
        s->last_was_end = type == T_END;
        if (type == T_DICT) {
            rc = read_dict(s, p, len, e);
        } else if (type == T_CUST) {
            rc = read_cust(s, p, len, e);
        } else if (type == T_END) {
            rc = read_end(s, p, len, e);
        } else {
            if (len < ORDS_FIXED)
                return corrupt(s, e, "chunk header too short");
            c->n = (uint32_t)crm_le_get(p, 4);
            c->min_time = (int64_t)crm_le_get(p + 8, 8);
            c->max_time = (int64_t)crm_le_get(p + 16, 8);
            c->index = (long long)s->chunks;
            if (c->n == 0 || c->n > CRM_CHUNK_ROWS || c->min_time > c->max_time)
                return corrupt(s, e, "chunk header (%u rows)", c->n);
            if (s->archive_to) {
                rc = archive_ids(s, p, len, c->n, e);
                if (rc != CRM_OK)
                    return rc;
            }
            int skip = s->filter && (c->max_time < s->filter_lo || c->min_time > s->filter_hi);
            if (!skip) {
                rc = decode_ords(s, p, len, columns, c, e);
                if (rc != CRM_OK)
                    return rc;
            }
            if (s->orders == 0 || c->min_time < s->min_time)
                s->min_time = c->min_time;
            if (s->orders == 0 || c->max_time > s->max_time)
                s->max_time = c->max_time;
            s->orders += c->n;
            s->chunks++;
            s->blocks++;
            if (!skip)
                return CRM_OK;
            memset(c, 0, sizeof *c);
            continue;
        }
        if (rc != CRM_OK)
            return rc;
        s->blocks++;
    }
    memset(c, 0, sizeof *c);
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
    if (!s->stats_known || !s->at_end) {
        enum crm_err rc = CRM_OK;
        if (s->seekable && s->committed && s->committed >= s->first_block + BLOCK_HDR + END_PAYLOAD) {
            unsigned char tail[BLOCK_HDR + END_PAYLOAD];
            off_t at = (off_t)(s->committed - sizeof tail);
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
    if (s->mem && s->mem_base <= s->first_block) {
        s->pos = s->first_block;
    } else if (!s->mem && s->seekable && lseek(s->fd, (off_t)s->first_block, SEEK_SET) >= 0) {
        s->pos = s->first_block;
        s->head_pos = s->head_len;
    } else {
        crm_errinfo_where(e, s->name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot read the store twice from a pipe");
    }
    s->blocks = 0;
    s->chunks = s->orders = s->cust_rows = 0;
    s->dict_seen = 0;
    s->cust_n = 0;
    s->last_was_end = s->at_end = 0;
    return CRM_OK;
}

/* ======================================================================== append == */

enum crm_err crm_store_writer_append(int fd, const char *name, unsigned flags,
                                     struct crm_store_writer **out, struct crm_errinfo *e)
{
    *out = NULL;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        crm_errinfo_where(e, name, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot append: not a regular file");
    }
    struct crm_store_writer *w = writer_alloc(fd, name, flags);
    if (!w)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    struct crm_store *s;
    enum crm_err rc = crm_store_open_fd(fd, name, NULL, 0, &s, e);
    if (rc != CRM_OK) {
        crm_store_writer_free(w);
        return rc;
    }
    /* Verify every block (checksums, totals) without decoding any chunk. */
    crm_store_set_time_filter(s, INT64_MAX, INT64_MIN);
    if (w->keep_ids)
        s->archive_to = w;
    struct crm_chunk c;
    do {
        rc = crm_store_next(s, &c, 0, e);
    } while (rc == CRM_OK && !s->at_end);
    for (uint32_t i = 0; rc == CRM_OK && i < s->dcount; i++) {
        size_t len;
        const char *id = crm_store_customer_id(s, i, &len);
        uint32_t idx;
        rc = crm_dict_intern(w->dict, id, len, &idx, NULL);
        if (rc == CRM_OK && idx != i)
            rc = corrupt(s, e, "customer id %u appears twice in the dictionary", i);
    }
    if (rc == CRM_OK) {
        w->meta = s->meta;
        w->dict_written = s->dcount;
        w->st = s->stats;
        w->st.commits = s->commits;
        w->blocks = s->blocks;
        w->base_chunks = s->chunks;
        w->written = s->pos;
        w->regular = 1;
        if (ftruncate(fd, (off_t)w->written) != 0 || lseek(fd, (off_t)w->written, SEEK_SET) < 0) {
            crm_errinfo_where(e, name, -1, -1, -1);
            rc = crm_errinfo_set(e, CRM_EIO, "cannot prepare append: %s", strerror(errno));
        }
    }
    crm_store_close(s);
    if (rc != CRM_OK) {
        crm_store_writer_free(w);
        return rc;
    }
    *out = w;
    return CRM_OK;
}
