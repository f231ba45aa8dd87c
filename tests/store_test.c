/* Tests for lib/store: round trips, streaming, append, and that every damaged byte of a
 * store is a clear error (never a crash, never a partial result). */
#define _GNU_SOURCE   /* F_GETPIPE_SZ */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

#include "base/buf.h"
#include "store/store.h"
#include "store/storefmt.h"

static const struct crm_store_meta META = {"Asia/Shanghai", 2};

#define HDR_COMMIT 20   /* docs/FORMAT.md: the commit record, bytes 20..39 of the header */

/* Write `n` synthetic orders (customers c0..c{k-1}) to fd as a new store. */
static void write_orders(struct crm_store_writer *w, int first, int n, int customers)
{
    struct crm_errinfo e;
    char id[32], cid[32];
    for (int i = first; i < first + n; i++) {
        struct crm_order o = {0};
        int cl = snprintf(cid, sizeof cid, "客户%d", i % customers);
        assert_int_equal(crm_store_writer_customer(w, cid, (size_t)cl, &o.customer, &e), CRM_OK);
        o.time = 1700000000 + (int64_t)i * 3600;
        o.amount = 100 + (int64_t)(i * 37 % 100000);
        o.quantity = 1 + i % 5;
        o.status = (uint8_t)(i % 17 == 0 ? CRM_STATUS_REFUNDED : CRM_STATUS_PAID);
        int il = snprintf(id, sizeof id, "O%07d", i);
        o.order_id = id;
        o.order_id_len = (size_t)il;
        o.currency = i % 2 ? "CNY" : "USD";
        o.currency_len = 3;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
}

static char *temp_store(int orders, int customers, int with_customer_rows)
{
    static char path[64];
    strcpy(path, "/tmp/crm-store-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    write_orders(w, 0, orders, customers);
    if (with_customer_rows) {
        struct crm_customer_info ci = {0, 19000, 11000, 1, 1};
        assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
        ci.customer = 1;
        ci.blocked = 0;
        ci.birth_day = CRM_NO_DAY;
        assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    return path;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len + 1);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

/* Read a whole store; returns the error code and sums what it saw. */
static enum crm_err read_all(struct crm_store *s, uint64_t *orders, int64_t *amount_sum,
                             struct crm_errinfo *e)
{
    struct crm_chunk c;
    enum crm_err rc;
    *orders = 0;
    *amount_sum = 0;
    while ((rc = crm_store_next(s, &c, CRM_COL_ALL, e)) == CRM_OK && c.n > 0) {
        *orders += c.n;
        for (uint32_t i = 0; i < c.n; i++)
            *amount_sum += c.amount[i];
    }
    return rc;
}

static void test_store_round_trip_every_column(void **state)
{
    (void)state;
    char *path = temp_store(70000, 1000, 1);   /* two chunks */
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_string_equal(crm_store_meta(s)->tz, "Asia/Shanghai");
    struct crm_chunk c;
    int row = 0;
    while (crm_store_next(s, &c, CRM_COL_ALL, &e) == CRM_OK && c.n > 0) {
        assert_int_equal(c.index, row == 0 ? 0 : 1);
        for (uint32_t i = 0; i < c.n; i++, row++) {
            char want[32];
            snprintf(want, sizeof want, "客户%d", row % 1000);
            assert_string_equal(crm_store_customer_id(s, c.customer[i], NULL), want);
            assert_int_equal(c.time[i], 1700000000 + (int64_t)row * 3600);
            assert_int_equal(c.amount[i], 100 + (int64_t)(row * 37 % 100000));
            assert_int_equal(c.quantity[i], 1 + row % 5);
            assert_int_equal(c.status[i], row % 17 == 0 ? CRM_STATUS_REFUNDED : CRM_STATUS_PAID);
            snprintf(want, sizeof want, "O%07d", row);
            assert_int_equal(c.order_id_off[i + 1] - c.order_id_off[i], 8);
            assert_memory_equal(c.order_id_text + c.order_id_off[i], want, 8);
            assert_string_equal(c.currency_names[c.currency[i]], row % 2 ? "CNY" : "USD");
        }
    }
    assert_int_equal(row, 70000);
    const struct crm_customer_info *ci;
    assert_int_equal(crm_store_customers(s, &ci), 2);
    assert_int_equal(ci[0].signup_day, 19000);
    assert_int_equal(ci[0].blocked, 1);
    assert_int_equal(ci[1].birth_day, CRM_NO_DAY);
    assert_int_equal(crm_store_stats(s)->orders, 70000);
    assert_int_equal(crm_store_stats(s)->chunks, 2);
    assert_int_equal(crm_store_stats(s)->customers, 1000);
    crm_store_close(s);
    unlink(path);
}

static void test_store_max_time_from_file_and_from_memory(void **state)
{
    (void)state;
    char *path = temp_store(500, 10, 0);
    struct crm_store *s;
    struct crm_errinfo e;
    int64_t t;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(crm_store_max_time(s, &t, &e), CRM_OK);
    assert_int_equal(t, 1700000000 + 499 * 3600);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 500);
    crm_store_close(s);

    size_t len;
    unsigned char *b = slurp(path, &len);
    assert_int_equal(crm_store_open_mem(b, len, "mem", &s, &e), CRM_OK);
    assert_int_equal(crm_store_max_time(s, &t, &e), CRM_OK);
    assert_int_equal(t, 1700000000 + 499 * 3600);
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 500);
    assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 500);
    crm_store_close(s);
    free(b);
    unlink(path);
}

static void test_store_reads_from_a_pipe_with_head_bytes(void **state)
{
    (void)state;
    char *path = temp_store(3000, 50, 0);
    size_t len;
    unsigned char *b = slurp(path, &len);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t off = 8;    /* the reader already sniffed 8 bytes */
        while (off < len) {
            ssize_t k = write(fds[1], b + off, len - off);
            if (k <= 0)
                _exit(1);
            off += (size_t)k;
        }
        _exit(0);
    }
    close(fds[1]);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open_fd(fds[0], "pipe", b, 8, &s, &e), CRM_OK);
    int64_t t;
    assert_int_equal(crm_store_max_time(s, &t, &e), CRM_OK);   /* buffers the stream */
    assert_int_equal(t, 1700000000 + 2999 * 3600);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 3000);
    crm_store_close(s);
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    free(b);
    unlink(path);
}

/* A store written to a pipe widens it to hold a chunk (crm_afile_widen_pipe), where the
 * system allows it. */
static void test_store_writer_widens_its_pipe(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int before = fcntl(fds[0], F_GETPIPE_SZ);
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
    long max = 0;
    if (!f || fscanf(f, "%ld", &max) != 1)
        max = 0;
    if (f)
        fclose(f);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fds[1], "pipe", &META, 0, &w, &e), CRM_OK);
    int after = fcntl(fds[0], F_GETPIPE_SZ);
    if (max >= 1 << 20)
        assert_int_equal(after, 1 << 20);
    else
        assert_int_equal(after, before);
    crm_store_writer_free(w);
    close(fds[0]);
    close(fds[1]);
}

static void test_store_time_filter_skips_chunks(void **state)
{
    (void)state;
    char *path = temp_store(70000, 100, 0);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    crm_store_set_time_filter(s, 1700000000 + 65536LL * 3600, INT64_MAX);
    struct crm_chunk c;
    int chunks = 0;
    while (crm_store_next(s, &c, CRM_COL_TIME, &e) == CRM_OK && c.n > 0) {
        assert_int_equal(c.index, 1);
        chunks++;
    }
    assert_int_equal(chunks, 1);
    assert_int_equal(crm_store_stats(s)->orders, 70000);   /* totals still verified */
    crm_store_close(s);
    unlink(path);
}

static void expect_damaged(const unsigned char *b, size_t len, const char *what, size_t at)
{
    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_store_open_mem(b, len, "x.crm", &s, &e);
    if (rc == CRM_OK) {
        uint64_t n;
        int64_t sum;
        rc = read_all(s, &n, &sum, &e);
        crm_store_close(s);
    }
    if (rc == CRM_OK)
        fail_msg("%s at byte %zu of %zu went undetected", what, at, len);
    assert_true(rc == CRM_ECORRUPT || rc == CRM_ETRUNC || rc == CRM_EVERSION ||
                rc == CRM_EDATA);
    assert_true(e.msg[0] != '\0');
    assert_string_equal(e.file, "x.crm");
}

static void test_store_every_flipped_bit_is_detected(void **state)
{
    (void)state;
    char *path = temp_store(200, 30, 1);
    size_t len;
    unsigned char *b = slurp(path, &len);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            expect_damaged(b, len, "flipped bit", i);
            b[i] ^= (unsigned char)(1u << bit);
        }
    }
    print_message("%zu bytes, %zu flipped bits, each detected\n", len, len * 8);
    free(b);
    unlink(path);
}

/* Read b until the error; the chunks returned before it. */
static int chunks_before_error(const unsigned char *b, size_t len, int64_t filter_lo,
                               struct crm_errinfo *e)
{
    struct crm_store *s;
    assert_int_equal(crm_store_open_mem(b, len, "x.crm", &s, e), CRM_OK);
    if (filter_lo)
        crm_store_set_time_filter(s, filter_lo, INT64_MAX);
    struct crm_chunk c;
    enum crm_err rc;
    int got = 0;
    while ((rc = crm_store_next(s, &c, CRM_COL_ALL, e)) == CRM_OK && c.n > 0)
        got++;
    crm_store_close(s);
    assert_int_equal(rc, CRM_ECORRUPT);
    return got;
}

/* A damaged ORDS block reports its checksum, naming its chunk, block and byte, after the
 * chunks before it — whether the reader's thread or the decoder checks the CRC, and for a
 * damage in the chunk header or the block number too (read before the CRC is checked). */
static void test_store_damaged_chunk_reports_its_checksum(void **state)
{
    (void)state;
    char *path = temp_store(200000, 5000, 0);
    size_t len;
    unsigned char *b = slurp(path, &len);
    struct crm_store *s;
    struct crm_errinfo e;
    uint64_t at, committed, commits;
    assert_int_equal(crm_store_open_mem(b, len, "x.crm", &s, &e), CRM_OK);
    crm_store_layout(s, &at, &committed, &commits);
    crm_store_close(s);
    int chunk = 0;
    for (unsigned block = 0; at + 16 <= len; block++) {
        size_t plen = (size_t)b[at + 4] | (size_t)b[at + 5] << 8 | (size_t)b[at + 6] << 16 |
                      (size_t)b[at + 7] << 24;
        if (memcmp(b + at, "ORDS", 4) == 0) {
            const size_t offs[] = {16, 16 + plen / 2, 8};   /* rows, middle, number */
            for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
                char want[96];
                snprintf(want, sizeof want, "checksum mismatch in block %u at byte %llu",
                         block, (unsigned long long)at);
                b[at + offs[k]] ^= 0x40;
                for (int filtered = 0; filtered < 2; filtered++) {
                    /* the filter skips the first two chunks: checked where skipped */
                    int64_t lo = filtered ? 1700000000 + 2 * 65536LL * 3600 : 0;
                    int got = chunks_before_error(b, len, lo, &e);
                    assert_string_equal(e.msg, want);
                    assert_int_equal(e.chunk, chunk);
                    assert_int_equal(got, filtered ? (chunk > 2 ? chunk - 2 : 0) : chunk);
                }
                b[at + offs[k]] ^= 0x40;
            }
            chunk++;
        }
        at += 16 + plen;
    }
    assert_int_equal(chunk, 4);
    free(b);
    unlink(path);
}

static void test_store_every_truncation_is_detected(void **state)
{
    (void)state;
    char *path = temp_store(200, 30, 1);
    size_t len;
    unsigned char *b = slurp(path, &len);
    for (size_t cut = 0; cut < len; cut++)
        expect_damaged(b, cut, "truncation", cut);
    print_message("%zu truncation points, each detected\n", len);

    free(b);
    unlink(path);
}

static void test_store_wrong_version_is_a_version_error(void **state)
{
    (void)state;
    char *path = temp_store(10, 3, 0);
    size_t len;
    unsigned char *b = slurp(path, &len);
    b[8] = 3;    /* versions 1 (orders) and 2 (with line items) are read */
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open_mem(b, len, "v.crm", &s, &e), CRM_EVERSION);
    assert_non_null(strstr(e.msg, "version 3"));
    free(b);
    unlink(path);
}

static void test_store_append_adds_a_segment_and_keeps_dictionary(void **state)
{
    (void)state;
    char *path = temp_store(1000, 10, 0);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_base_chunks(w), 1);
    uint32_t idx;
    assert_true(crm_store_writer_find_customer(w, "客户3", strlen("客户3"), &idx));
    assert_int_equal(idx, 3);
    write_orders(w, 1000, 500, 20);   /* customers 10..19 are new */
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);

    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 1500);
    assert_int_equal(crm_store_customer_count(s), 20);
    assert_int_equal(crm_store_stats(s)->commits, 2);
    assert_int_equal(crm_store_stats(s)->chunks, 2);
    crm_store_close(s);
    unlink(path);
}

static int count_ids(void *ctx, uint64_t no, const char *id, size_t len)
{
    char want[16];
    snprintf(want, sizeof want, "O%07llu", (unsigned long long)no);
    assert_int_equal(len, 8);
    assert_memory_equal(id, want, 8);
    (*(uint64_t *)ctx)++;
    return 0;
}

static void test_store_writer_looks_up_kept_order_ids(void **state)
{
    (void)state;
    char *path = temp_store(70000, 100, 0);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    uint64_t seen = 0;
    assert_int_equal(crm_store_writer_each_order_id(w, count_ids, &seen, &e), CRM_OK);
    assert_int_equal(seen, 70000);
    write_orders(w, 70000, 70000, 100);    /* one full new chunk and 4464 pending rows */
    assert_int_equal(crm_store_writer_order_count(w), 140000);
    const char *id;
    size_t len;
    uint64_t probes[] = {0, 65535, 65536, 69999, 70000, 135535, 135536, 139999};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        char want[16];
        snprintf(want, sizeof want, "O%07llu", (unsigned long long)probes[i]);
        assert_int_equal(crm_store_writer_order_id(w, probes[i], &id, &len, &e), CRM_OK);
        assert_int_equal(len, 8);
        assert_memory_equal(id, want, 8);
    }
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

static void test_store_killed_append_leaves_old_store_valid(void **state)
{
    (void)state;
    char *path = temp_store(1000, 10, 0);
    size_t len0;
    unsigned char *old = slurp(path, &len0);
    free(old);
    /* Simulate a killed append: a valid-looking block and garbage past the committed
     * length, the commit record never rewritten. */
    int fd = open(path, O_WRONLY | O_APPEND);
    unsigned char junk[5000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 131 + 7);
    memcpy(junk, "ORDS", 4);
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    struct stat st;
    stat(path, &st);
    assert_true((size_t)st.st_size > len0);

    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 1000);
    crm_store_close(s);
    /* and the next append starts from the committed state */
    fd = open(path, O_RDWR);
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    write_orders(w, 1000, 10, 20);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_OK);
    assert_int_equal(n, 1010);
    crm_store_close(s);
    unlink(path);
}

/* The reader's view of a store file: orders and the sum of their amounts. */
static enum crm_err read_file(const char *path, uint64_t *n, int64_t *sum)
{
    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_store_open(path, &s, &e);
    if (rc == CRM_OK) {
        rc = read_all(s, n, sum, &e);
        crm_store_close(s);
    }
    return rc;
}

/* An append killed at any byte: the file is the new bytes cut anywhere past the old end,
 * under the old commit record (the record is rewritten last, in one 20-byte pwrite). Every
 * such file reads as the old store exactly; the finished one as the new store. */
static void test_store_append_killed_at_every_byte_reads_as_the_old_store(void **state)
{
    (void)state;
    char *path = temp_store(300, 20, 1);
    size_t old_len, new_len;
    unsigned char *old = slurp(path, &old_len);
    uint64_t n0, n1, n;
    int64_t sum0, sum1, sum;
    assert_int_equal(read_file(path, &n0, &sum0), CRM_OK);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    write_orders(w, 300, 150, 40);
    struct crm_customer_info ci = {25, 19500, CRM_NO_DAY, 0, 1};
    assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    unsigned char *nw = slurp(path, &new_len);
    assert_int_equal(read_file(path, &n1, &sum1), CRM_OK);
    assert_int_equal(n1, n0 + 150);
    assert_true(new_len > old_len);
    assert_memory_equal(nw + 40, old + 40, old_len - 40);   /* old blocks never rewritten */
    for (size_t cut = old_len; cut <= new_len; cut++) {
        unsigned char *b = malloc(cut);
        memcpy(b, nw, cut);
        memcpy(b + HDR_COMMIT, old + HDR_COMMIT, 20);      /* not yet committed */
        FILE *f = fopen(path, "wb");
        assert_int_equal(fwrite(b, 1, cut, f), cut);
        fclose(f);
        assert_int_equal(read_file(path, &n, &sum), CRM_OK);
        if (n != n0 || sum != sum0)
            fail_msg("append cut at byte %zu of %zu reads %llu orders, want %llu", cut, new_len,
                     (unsigned long long)n, (unsigned long long)n0);
        if (cut > old_len && cut < new_len) {
            /* the commit record written but data missing (a lying disk): an error */
            memcpy(b + HDR_COMMIT, nw + HDR_COMMIT, 20);
            f = fopen(path, "wb");
            assert_int_equal(fwrite(b, 1, cut, f), cut);
            fclose(f);
            assert_int_not_equal(read_file(path, &n, &sum), CRM_OK);
        }
        free(b);
    }
    print_message("append cut at %zu points (bytes %zu..%zu), each read as the old store\n",
                  new_len - old_len + 1, old_len, new_len);
    free(old);
    free(nw);
    unlink(path);
}

/* Found by the fault tests: `crm-import x.csv >> new.crm` exited 0 but wrote a store that
 * no reader could read (pwrite of the commit record appends under O_APPEND). */
static void test_store_writer_on_an_append_mode_file_writes_a_readable_stream(void **state)
{
    (void)state;
    char path[64] = "/tmp/crm-store-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &META, 0, &w, &e), CRM_OK);
    write_orders(w, 0, 100, 10);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_file(path, &n, &sum), CRM_OK);
    assert_int_equal(n, 100);
    /* a second `>>` would put a store after the first, where no reader looks: refused */
    fd = open(path, O_WRONLY | O_APPEND);
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_new(fd, path, &META, 0, &w, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "a store must start its file"));
    close(fd);
    assert_int_equal(read_file(path, &n, &sum), CRM_OK);
    assert_int_equal(n, 100);
    unlink(path);
}

/* A stream copied to a file (`crm-import x.csv | cat > s.crm`) has no committed length;
 * an append killed half-way must still leave the old store readable. */
static void test_store_killed_append_to_a_streamed_file_leaves_it_valid(void **state)
{
    (void)state;
    char path[64] = "/tmp/crm-store-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);       /* written as a stream: length 0 */
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_KEEP_IDS, &w, &e),
                     CRM_OK);
    write_orders(w, 0, 100, 10);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    fd = open(path, O_RDWR);
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    write_orders(w, 100, 10, 10);
    crm_store_writer_free(w);     /* killed before finishing, after flushing part of a block */
    unsigned char junk[3000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7 + 1);
    memcpy(junk, "DICT", 4);
    assert_int_equal(pwrite(fd, junk, sizeof junk, lseek(fd, 0, SEEK_END)), (ssize_t)sizeof junk);
    close(fd);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_file(path, &n, &sum), CRM_OK);
    assert_int_equal(n, 100);
    unlink(path);
}

/* Found by fuzz_store: an order-id column stored raw whose descriptor claims more raw bytes
 * than it stores (checksums intact: only a crafted or miswritten store) made --append read
 * past the archived bytes when it looked ids up. It is a damaged chunk, as for readers. */
static void test_store_append_refuses_an_id_column_longer_than_stored(void **state)
{
    (void)state;
    char *path = temp_store(5, 2, 0);     /* short ids: the column is stored raw */
    size_t len;
    unsigned char *b = slurp(path, &len);
    size_t pos = 40 + crm_le_get(b + 12, 4);
    int patched = 0;
    while (pos + 16 <= len && !patched) {
        size_t blen = crm_le_get(b + pos + 4, 4);
        if (memcmp(b + pos, "ORDS", 4) == 0) {
            size_t at = pos + 16 + 24, end = pos + 16 + blen;
            while (at + 20 <= end) {
                size_t stored = crm_le_get(b + at + 8, 4);
                if (b[at] == 6) {                           /* the order-id column */
                    /* numeric ids of width 1, stored raw: claim width 2 and 5 more raw
                     * bytes, so the decoder's own size check passes */
                    assert_int_equal(b[at + 1], 0x80 | 1);
                    b[at + 1] = 0x80 | 2;
                    crm_le_put(b + at + 4, crm_le_get(b + at + 4, 4) + 5, 4);
                    patched = 1;
                    break;
                }
                at += 20 + stored;
            }
            crm_le_put(b + pos + 12, crc32(crc32(0, b + pos, 12), b + pos + 16, (uInt)blen), 4);
        }
        pos += 16 + blen;
    }
    assert_true(patched);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS, &w, &e);
    if (rc == CRM_OK) {
        const char *id;
        size_t n;
        rc = crm_store_writer_order_id(w, 0, &id, &n, &e);
        crm_store_writer_free(w);
    }
    assert_int_equal(rc, CRM_ECORRUPT);
    assert_non_null(strstr(e.msg, "damaged"));
    close(fd);
    free(b);
    unlink(path);
}

/* Amounts are >= 0 and a store's together fit int64, so no sum a tool makes can wrap (a
 * column of ids taken for money printed negative totals). The writer refuses what would
 * break that; readers refuse a store that breaks it anyway (an append adds to a total it
 * has not read). */
static void test_store_amounts_must_fit_int64_together(void **state)
{
    (void)state;
    char path[64] = "/tmp/crm-store-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &META, 0, &w, &e), CRM_OK);
    struct crm_order o = {0};
    assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
    o.time = 1700000000;
    o.amount = -1;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "negative amount (-0.01)"));
    o.amount = INT64_MAX / 2;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    o.amount = 2;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "add up past 2^63 minor units"));
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    uint64_t n;
    int64_t sum;
    assert_int_equal(read_file(path, &n, &sum), CRM_OK);
    assert_int_equal(n, 2);
    fd = open(path, O_RDWR);   /* the append does not know the old total: readers catch it */
    assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_OK);
    o.amount = 5;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    crm_errinfo_clear(&e);
    assert_int_equal(read_all(s, &n, &sum, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "amounts add up past 2^63"));
    assert_int_equal(e.chunk, 1);
    crm_store_close(s);
    unlink(path);
}

static void test_store_not_a_store_says_so(void **state)
{
    (void)state;
    const char *csv = "customer_id,order_time,amount\n";
    struct crm_store *s;
    struct crm_errinfo e;
    assert_false(crm_store_is_store(csv, strlen(csv)));
    assert_int_equal(crm_store_open_mem(csv, strlen(csv), "o.csv", &s, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "not a crmkit store"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_round_trip_every_column),
        cmocka_unit_test(test_store_max_time_from_file_and_from_memory),
        cmocka_unit_test(test_store_reads_from_a_pipe_with_head_bytes),
        cmocka_unit_test(test_store_writer_widens_its_pipe),
        cmocka_unit_test(test_store_time_filter_skips_chunks),
        cmocka_unit_test(test_store_every_flipped_bit_is_detected),
        cmocka_unit_test(test_store_damaged_chunk_reports_its_checksum),
        cmocka_unit_test(test_store_every_truncation_is_detected),
        cmocka_unit_test(test_store_wrong_version_is_a_version_error),
        cmocka_unit_test(test_store_append_adds_a_segment_and_keeps_dictionary),
        cmocka_unit_test(test_store_writer_looks_up_kept_order_ids),
        cmocka_unit_test(test_store_killed_append_leaves_old_store_valid),
        cmocka_unit_test(test_store_append_killed_at_every_byte_reads_as_the_old_store),
        cmocka_unit_test(test_store_writer_on_an_append_mode_file_writes_a_readable_stream),
        cmocka_unit_test(test_store_killed_append_to_a_streamed_file_leaves_it_valid),
        cmocka_unit_test(test_store_append_refuses_an_id_column_longer_than_stored),
        cmocka_unit_test(test_store_amounts_must_fit_int64_together),
        cmocka_unit_test(test_store_not_a_store_says_so),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
