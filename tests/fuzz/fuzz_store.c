/* fuzz_store: any bytes as a store (lib/store/storeread.c, lib/store/colcodec.c, and the append path of
 * lib/store/store.c). Random bytes rarely pass a CRC32, so by default the target first repairs
 * every checksum the input's own structure implies (header, commit record, each block that
 * fits) and sets the committed length; the fuzzer then explores what lies behind the
 * checksums: lengths, counts, encodings, dictionary indexes, END totals. Checks: reading
 * either fails with a message or succeeds with orders = the END total, every customer index
 * resolving to an id without NUL; a second pass (rewind) reads the same; the latest order
 * time is the one the END block promised; a store that reads cleanly and accepts an append
 * reads cleanly afterwards with the new orders added. A store that reads cleanly holds only
 * what the format allows (SPEC §13.3): times in the years 1-9999, amounts and quantities
 * >= 0, customer ids of at most CRM_ID_MAX bytes of valid UTF-8, a money scale of 0-6;
 * tests/fuzz/regress/fuzz_store/crafted-* are the crafted stores of tests/fault (a deflate
 * bomb, ids too long or not UTF-8, times before the year 1, a negative quantity, scales
 * 7 and "2x"), which must fail with a message.
 * Option byte: bit 0 keep the bytes as they are; bits 1-2 committed length (file size, end
 * of the last whole block, 0 = a stream, as is); bit 3 renumber blocks; bits 4-5 source
 * (memory, file descriptor, descriptor with sniffed head, append); bit 6 ask for the
 * latest time first; bit 7 a time filter. */
#include "fuzzutil.h"

#include "store/store.h"
#include "store/storefmt.h"

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)crm_le_get(p, 4);
}

static void repair(unsigned char *b, size_t n, unsigned opt)
{
    if (n < HDR_FIXED)
        return;
    size_t m = le32(b + 12);
    if (m > MAX_META || HDR_FIXED + m > n)
        return;
    crm_le_put(b + 16, crc32(crc32(0, b, 16), b + HDR_FIXED, (uInt)m), 4);
    size_t pos = HDR_FIXED + m;
    uint32_t k = 0;
    while (n - pos >= BLOCK_HDR) {
        size_t len = le32(b + pos + 4);
        if (len > n - pos - BLOCK_HDR)
            break;
        if (opt & 8)
            crm_le_put(b + pos + 8, k, 4);
        crm_le_put(b + pos + 12, crc32(crc32(0, b + pos, 12), b + pos + BLOCK_HDR, (uInt)len), 4);
        pos += BLOCK_HDR + len;
        k++;
    }
    uint64_t committed = crm_le_get(b + 24, 8), seq = crm_le_get(b + 32, 8);
    switch ((opt >> 1) & 3) {
    case 0: committed = n; break;
    case 1: committed = pos; break;
    case 2: committed = 0; break;
    default: break;
    }
    crm_le_put(b + 24, committed, 8);
    crm_le_put(b + 20, crc32(0, b + 24, 16), 4);
    (void)seq;
}

/* Valid UTF-8, checked the slow, obvious way (against storeread.c's table-free one). */
static int utf8_ok(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k;
        if (p[i] < 0x80) {
            i++;
            continue;
        } else if ((p[i] & 0xE0) == 0xC0) {
            k = 2, cp = p[i] & 0x1Fu;
        } else if ((p[i] & 0xF0) == 0xE0) {
            k = 3, cp = p[i] & 0x0Fu;
        } else if ((p[i] & 0xF8) == 0xF0) {
            k = 4, cp = p[i] & 0x07u;
        } else {
            return 0;
        }
        if (n - i < k)
            return 0;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3Fu);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k;
    }
    return 1;
}

struct totals {
    uint64_t orders, chunks;
    int64_t amount_sum;
    uint64_t id_bytes;
};

/* Read every chunk; CRM_OK only when the whole store read cleanly. */
static enum crm_err read_all(struct crm_store *s, unsigned want, int filtered,
                             struct totals *t, struct crm_errinfo *e)
{
    struct crm_chunk c;
    enum crm_err rc;
    memset(t, 0, sizeof *t);
    while ((rc = crm_store_next(s, &c, want, e)) == CRM_OK && c.n > 0) {
        FUZZ_CHECK(c.n <= CRM_CHUNK_ROWS, "chunk of %u rows", c.n);
        FUZZ_CHECK(c.min_time <= c.max_time, "chunk time range");
        t->orders += c.n;
        t->chunks++;
        uint32_t ncust = crm_store_customer_count(s);
        for (uint32_t i = 0; i < c.n; i++) {
            if (c.customer) {
                FUZZ_CHECK(c.customer[i] < ncust, "customer %u of %u", c.customer[i], ncust);
                size_t len;
                const char *id = crm_store_customer_id(s, c.customer[i], &len);
                FUZZ_CHECK(strlen(id) == len, "customer id with NUL");
            }
            if (c.time)
                FUZZ_CHECK(c.time[i] >= c.min_time && c.time[i] <= c.max_time &&
                               c.time[i] >= CRM_TIME_MIN && c.time[i] <= CRM_TIME_MAX,
                           "time %lld out of range", (long long)c.time[i]);
            if (c.quantity)
                FUZZ_CHECK(c.quantity[i] >= 0, "negative quantity %d", c.quantity[i]);
            if (c.amount)
                FUZZ_CHECK(c.amount[i] >= 0, "negative amount");
            if (c.amount)
                t->amount_sum = (int64_t)((uint64_t)t->amount_sum + (uint64_t)c.amount[i]);
            if (c.status)
                FUZZ_CHECK(c.status[i] < CRM_STATUS_COUNT, "status %u", c.status[i]);
            if (c.order_id_off) {
                FUZZ_CHECK(c.order_id_off[i] <= c.order_id_off[i + 1], "id offsets go back");
                t->id_bytes += c.order_id_off[i + 1] - c.order_id_off[i];
            }
            if (c.currency)
                FUZZ_CHECK(c.currency[i] == 255 || c.currency[i] < c.currency_count,
                           "currency index");
        }
    }
    if (rc == CRM_OK) {
        const struct crm_store_stats *st = crm_store_stats(s);
        /* a time filter skips chunks: they are checked and counted, not handed out */
        FUZZ_CHECK(filtered ? st->orders >= t->orders && st->chunks >= t->chunks
                            : st->orders == t->orders && st->chunks == t->chunks,
                   "read %llu orders in %llu chunks, END says %llu in %llu",
                   (unsigned long long)t->orders, (unsigned long long)t->chunks,
                   (unsigned long long)st->orders, (unsigned long long)st->chunks);
        int scale = crm_store_meta(s)->money_scale;
        FUZZ_CHECK(scale >= 0 && scale <= 6, "money scale %d", scale);
        for (uint32_t i = 0; i < crm_store_customer_count(s); i++) {
            size_t len;
            const char *id = crm_store_customer_id(s, i, &len);
            FUZZ_CHECK(len <= CRM_ID_MAX && utf8_ok((const unsigned char *)id, len),
                       "customer %u: id of %zu bytes, not UTF-8 or too long", i, len);
        }
        const struct crm_customer_info *rows;
        size_t nrows = crm_store_customers(s, &rows);
        for (size_t i = 0; i < nrows; i++)
            FUZZ_CHECK(rows[i].customer < crm_store_customer_count(s) && rows[i].blocked <= 1,
                       "customers row %zu", i);
    } else {
        FUZZ_CHECK(e->code == rc && e->msg[0] && strcmp(e->file, "fuzz.crm") == 0,
                   "error %d without a message naming the store", rc);
    }
    return rc;
}

static enum crm_err open_src(unsigned src, const unsigned char *b, size_t n, int *fd,
                             struct crm_store **s, struct crm_errinfo *e)
{
    *fd = -1;
    if (src == 0)
        return crm_store_open_mem(b, n, "fuzz.crm", s, e);
    *fd = fuzz_memfd(b, n);
    size_t head = src == 2 && n >= 8 ? 8 : 0;
    if (head)
        FUZZ_CHECK(lseek(*fd, (off_t)head, SEEK_SET) == (off_t)head, "lseek");
    return crm_store_open_fd(*fd, "fuzz.crm", head ? b : NULL, head, s, e);
}

/* Append two orders to a copy of the store; when the old store read cleanly and the append
 * was accepted, the result must read cleanly with both orders. */
static void try_append(const unsigned char *b, size_t n, int old_ok, const struct totals *old)
{
    int fd = fuzz_memfd(b, n);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_store_writer_append(fd, "fuzz.crm", CRM_STORE_KEEP_IDS |
                                              CRM_STORE_NO_SYNC, &w, &e);
    if (rc != CRM_OK) {
        /* Readers do not look for an id given twice in the dictionary (the writer never
         * does it and CRCs stop accidents); append did, as it rebuilt the lookup. Readers
         * only bound a chunk's order-id summary; append parses it (lib/store/storeidx.h). */
        FUZZ_CHECK(!old_ok || strstr(e.msg, "appears twice") || strstr(e.msg, "order-id summary"),
                   "a store that reads cleanly cannot be appended to: %s", e.msg);
        close(fd);
        return;
    }
    if (crm_store_writer_order_count(w) > 0) {
        const char *id;
        size_t len;
        rc = crm_store_writer_order_id(w, 0, &id, &len, &e);
        /* a summary that does not admit its chunk's ids (checksums intact: crafted) is
         * found by the append that decodes the chunk, not by readers */
        if (rc != CRM_OK && strstr(e.msg, "order-id summary"))
            old_ok = 0;
        FUZZ_CHECK(rc == CRM_OK || !old_ok, "first order id: %s", e.msg);
    }
    for (int i = 0; i < 2 && rc == CRM_OK; i++) {
        struct crm_order o = {0};
        const char *cid = i ? "fuzz-new-customer" : "c1";
        rc = crm_store_writer_customer(w, cid, strlen(cid), &o.customer, &e);
        o.time = 1700000000 + i;
        o.amount = 100;
        o.quantity = 1;
        o.order_id = i ? "FUZZ-2" : "FUZZ-1";
        o.order_id_len = 6;
        if (rc == CRM_OK)
            rc = crm_store_writer_add(w, &o, &e);
    }
    if (rc == CRM_OK)
        rc = crm_store_writer_finish(w, &e);
    FUZZ_CHECK(rc == CRM_OK || !old_ok, "append failed: %s", e.msg);
    crm_store_writer_free(w);
    if (rc == CRM_OK && old_ok) {
        size_t len;
        unsigned char *nb = fuzz_slurp_fd(fd, &len);
        struct crm_store *s;
        struct totals t;
        crm_errinfo_clear(&e);
        rc = crm_store_open_mem(nb, len, "fuzz.crm", &s, &e);
        FUZZ_CHECK(rc == CRM_OK, "appended store does not open: %s", e.msg);
        rc = read_all(s, CRM_COL_ALL, 0, &t, &e);
        /* the two new amounts may take a store already near 2^63 past it: refused, rightly */
        FUZZ_CHECK((rc == CRM_OK && t.orders == old->orders + 2) ||
                       (rc == CRM_EDATA && strstr(e.msg, "amounts add up past")),
                   "appended store: %s (%llu orders, had %llu)", e.msg,
                   (unsigned long long)t.orders, (unsigned long long)old->orders);
        crm_store_close(s);
        free(nb);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in);
    unsigned char *b = malloc(in.n + 1);
    FUZZ_CHECK(b != NULL, "out of memory");
    if (in.n)
        memcpy(b, in.p, in.n);
    size_t n = in.n;
    if (!(opt & 1))
        repair(b, n, opt);
    unsigned src = (opt >> 4) & 3;
    unsigned want = CRM_COL_ALL | CRM_COL_ITEMS;   /* line items too (format version 2) */

    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    int fd;
    struct totals t = {0};
    enum crm_err rc = open_src(src == 3 ? 0 : src, b, n, &fd, &s, &e);
    if (rc == CRM_OK) {
        int64_t max_time = 0;
        enum crm_err mrc = CRM_OK;
        if (opt & 0x40)
            mrc = crm_store_max_time(s, &max_time, &e);
        if (opt & 0x80)
            crm_store_set_time_filter(s, INT64_MIN, 1700000000);
        if (mrc == CRM_OK) {
            rc = read_all(s, want, (opt & 0x80) != 0, &t, &e);
            if (rc == CRM_OK && (opt & 0x40) && t.orders && !(opt & 0x80))
                FUZZ_CHECK(max_time == crm_store_stats(s)->max_time, "max time %lld vs %lld",
                           (long long)max_time, (long long)crm_store_stats(s)->max_time);
            struct totals t2;
            if (rc == CRM_OK && crm_store_rewind(s, &e) == CRM_OK) {
                FUZZ_CHECK(read_all(s, want, (opt & 0x80) != 0, &t2, &e) == CRM_OK,
                           "second pass failed: %s",
                           e.msg);
                FUZZ_CHECK(t2.orders == t.orders && t2.amount_sum == t.amount_sum &&
                               t2.id_bytes == t.id_bytes, "second pass differs");
            }
        } else {
            rc = mrc;
        }
        crm_store_close(s);
    } else {
        FUZZ_CHECK(e.code == rc && e.msg[0], "open error %d without a message", rc);
    }
    if (fd >= 0)
        close(fd);
    if (src == 3)
        try_append(b, n, rc == CRM_OK && !(opt & 0x80), &t);
    free(b);
    return 0;
}
