/* Tests for lib/store/storeidx (order-id summaries, the append's walk) and the pruned
 * duplicate check it gives crm_store_writer: a summary admits exactly the ids that may be
 * in its chunk; a probe marks the chunks (first, middle, last) whose summary admits an id
 * and no other; ids below or above every range mark none; numbered and text chunks mix; an
 * old store without summaries is read in full; a summary that lies is a damaged store; an
 * append numbers its customers after the stored ones without loading the dictionary. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/buf.h"
#include "store/colcodec.h"
#include "store/store.h"
#include "store/storeidx.h"

static const struct crm_store_meta META = {"", 2};

/* ---- summaries ---- */

/* The summary column of n ids as the writer builds it. */
static void build(struct crm_buf *out, const char *const *ids, size_t n, struct crm_idsum *s)
{
    struct crm_buf text = {0}, raw = {0};
    uint32_t off[16];
    int64_t numbers[16], scratch[16], base;
    uint8_t digits[16];
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        crm_buf_put(&text, ids[i], strlen(ids[i]));
        off[i + 1] = (uint32_t)text.len;
        struct crm_numid num = crm_numid_split(ids[i], strlen(ids[i]));
        numbers[i] = num.number;
        digits[i] = (uint8_t)num.digits;
    }
    crm_buf_u8(&text, 0);
    unsigned enc = n ? crm_col_ids_encode((const char *)text.data, off, n, numbers, digits,
                                          scratch, &raw, &base)
                     : 0;
    crm_idsum_build(out, enc, raw.data, scratch, (const char *)text.data, off, n);
    assert_int_equal(crm_idsum_parse(out->data, out->len, s), 0);
    crm_buf_free(&text);
    crm_buf_free(&raw);
}

static int admits(const struct crm_idsum *s, const char *id)
{
    return crm_idsum_admits(s, id, strlen(id));
}

static void test_idsum_numbered_fixed_width(void **state)
{
    (void)state;
    const char *ids[] = {"O00000120", "O00000007", "O00000300"};
    struct crm_buf b = {0};
    struct crm_idsum s;
    build(&b, ids, 3, &s);
    assert_int_equal(s.kind, CRM_IDSUM_NUM);
    assert_int_equal(s.lo, 7);
    assert_int_equal(s.hi, 300);
    assert_int_equal(s.digits, 8);
    assert_int_equal(b.len, 1 + 1 + 1 + 1 + 16);   /* kind, p, "O", width, lo, hi */
    assert_true(admits(&s, "O00000007"));
    assert_true(admits(&s, "O00000300"));
    assert_true(admits(&s, "O00000150"));           /* inside the range: may be there */
    assert_false(admits(&s, "O00000006"));          /* below */
    assert_false(admits(&s, "O00000301"));          /* above */
    assert_false(admits(&s, "N00000150"));          /* another prefix */
    assert_false(admits(&s, "O0000150"));           /* another width */
    assert_false(admits(&s, "O0000015x"));
    assert_false(admits(&s, ""));
    crm_idsum_free(&s);
    crm_buf_free(&b);
}

static void test_idsum_plain_numbers_are_numbers_not_text(void **state)
{
    (void)state;
    const char *ids[] = {"9", "10", "12346"};      /* byte-wise "9" > "12346" */
    struct crm_buf b = {0};
    struct crm_idsum s;
    build(&b, ids, 3, &s);
    assert_int_equal(s.kind, CRM_IDSUM_NUM);
    assert_int_equal(s.digits, 0);
    assert_int_equal(s.lo, 9);
    assert_int_equal(s.hi, 12346);
    assert_true(admits(&s, "100"));
    assert_false(admits(&s, "8"));
    assert_false(admits(&s, "12347"));
    assert_false(admits(&s, "0100"));              /* a leading zero: not a plain number */
    crm_idsum_free(&s);
    crm_buf_free(&b);
}

static void test_idsum_text_ids_bytewise(void **state)
{
    (void)state;
    const char *ids[] = {"#1002", "", "A-7", "#1001-refund", "订单9"};
    struct crm_buf b = {0};
    struct crm_idsum s;
    build(&b, ids, 5, &s);
    assert_int_equal(s.kind, CRM_IDSUM_TEXT);
    assert_int_equal(s.lo_len, 12);                 /* "#1001-refund": the empty id skipped */
    assert_memory_equal(s.text, "#1001-refund", 12);
    assert_int_equal(s.hi_len, strlen("订单9"));
    assert_true(admits(&s, "#1001-refund"));
    assert_true(admits(&s, "订单9"));
    assert_true(admits(&s, "B"));
    assert_false(admits(&s, "#1001"));              /* a prefix sorts first: below */
    assert_false(admits(&s, "订单90"));             /* above */
    assert_false(admits(&s, ""));
    crm_idsum_free(&s);
    crm_buf_free(&b);
}

static void test_idsum_no_ids(void **state)
{
    (void)state;
    const char *ids[] = {"", ""};
    struct crm_buf b = {0};
    struct crm_idsum s;
    build(&b, ids, 2, &s);
    assert_int_equal(s.kind, CRM_IDSUM_NONE);
    assert_int_equal(b.len, 1);
    assert_false(admits(&s, "O1"));
    crm_buf_free(&b);
}

static void test_idsum_crafted_bytes_are_refused(void **state)
{
    (void)state;
    struct crm_idsum s;
    unsigned char num[20] = {CRM_IDSUM_NUM, 1, 'O', 8};
    crm_le_put(num + 4, 10, 8);
    crm_le_put(num + 12, 5, 8);                     /* lo > hi */
    assert_int_equal(crm_idsum_parse(num, sizeof num, &s), -1);
    crm_le_put(num + 12, 50, 8);
    assert_int_equal(crm_idsum_parse(num, sizeof num, &s), 0);
    crm_idsum_free(&s);
    assert_int_equal(crm_idsum_parse(num, sizeof num - 1, &s), -1);   /* short */
    num[3] = 19;                                    /* 19 digits do not fit int64 */
    assert_int_equal(crm_idsum_parse(num, sizeof num, &s), -1);
    num[3] = 8;
    num[1] = 200;                                   /* prefix runs past the column */
    assert_int_equal(crm_idsum_parse(num, sizeof num, &s), -1);
    unsigned char text[] = {CRM_IDSUM_TEXT, 1, 'b', 1, 'a'};     /* lo > hi */
    assert_int_equal(crm_idsum_parse(text, sizeof text, &s), -1);
    unsigned char text2[] = {CRM_IDSUM_TEXT, 1, 'a', 5, 'b'};    /* length past the end */
    assert_int_equal(crm_idsum_parse(text2, sizeof text2, &s), -1);
    unsigned char none[] = {CRM_IDSUM_NONE, 0};                  /* stray byte */
    assert_int_equal(crm_idsum_parse(none, sizeof none, &s), -1);
    unsigned char kind[] = {7};
    assert_int_equal(crm_idsum_parse(kind, sizeof kind, &s), -1);
    assert_int_equal(crm_idsum_parse(kind, 0, &s), -1);
}

/* ---- the index ---- */

static void mark(void *ctx, size_t k)
{
    ((int *)ctx)[k]++;
}

static void test_idsum_index_probes_only_the_chunks_that_may_hold_an_id(void **state)
{
    (void)state;
    const char *c0[] = {"O00000001", "O00000100"}, *c1[] = {"O00000101", "O00000200"},
               *c2[] = {"O00000201", "O00000300"}, *c3[] = {"x-1a", "x-5a"},
               *c4[] = {"9", "20"}, *c5[] = {"O00000150", "O00000160"};  /* overlaps c1 */
    const char *const *chunks[] = {c0, c1, c2, c3, c4, c5};
    struct crm_idsum s[6];
    const struct crm_idsum *p[6];
    struct crm_buf b = {0};
    for (int k = 0; k < 6; k++) {
        build(&b, chunks[k], 2, &s[k]);
        p[k] = &s[k];
    }
    struct crm_idsum_index *ix = crm_idsum_index_new(p, 6);
    assert_non_null(ix);
    struct { const char *id; int hits[6]; } cases[] = {
        {"O00000050", {1, 0, 0, 0, 0, 0}},          /* the first chunk */
        {"O00000155", {0, 1, 0, 0, 0, 1}},          /* a middle one, and one overlapping */
        {"O00000300", {0, 0, 1, 0, 0, 0}},          /* the last, at its bound */
        {"O00000000", {0}},                         /* below every range */
        {"O00000301", {0}},                         /* above every range */
        {"x-3", {0, 0, 0, 1, 0, 0}},                /* text */
        {"15", {0, 0, 0, 0, 1, 0}},                 /* plain numbers */
        {"O0000050", {0}},                          /* another width */
        {"", {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int hits[6] = {0}, want = 0;
        size_t n = crm_idsum_index_probe(ix, cases[i].id, strlen(cases[i].id), mark, hits);
        for (int k = 0; k < 6; k++) {
            if (hits[k] != cases[i].hits[k])
                fail_msg("%s: chunk %d hit %d times, want %d", cases[i].id, k, hits[k],
                         cases[i].hits[k]);
            want += cases[i].hits[k];
        }
        assert_int_equal(n, want);
    }
    crm_idsum_index_free(ix);
    for (int k = 0; k < 6; k++)
        crm_idsum_free(&s[k]);
    crm_buf_free(&b);
}

/* ---- through the writer: a store of several chunks ---- */

/* n orders O{first..}, numbered ids unless text_from <= i (then text ids "T-i-x"),
 * customers c{i%k}. */
static void add_orders(struct crm_store_writer *w, int first, int n, int customers, int text_from)
{
    struct crm_errinfo e;
    char id[32], cid[32];
    for (int i = first; i < first + n; i++) {
        struct crm_order o = {0};
        int cl = snprintf(cid, sizeof cid, "c%d", i % customers);
        assert_int_equal(crm_store_writer_customer(w, cid, (size_t)cl, &o.customer, &e), CRM_OK);
        o.time = 1700000000 + i;
        o.amount = 100;
        o.quantity = 1;
        int il = i >= text_from ? snprintf(id, sizeof id, "T-%d-x", i)
                                : snprintf(id, sizeof id, "O%08d", i);
        o.order_id = id;
        o.order_id_len = (size_t)il;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
}

static char *store_of(int orders, int customers, int text_from)
{
    static char path[64];
    strcpy(path, "/tmp/crm-storeidx-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    add_orders(w, 0, orders, customers, text_from);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    return path;
}

static int count_id(void *ctx, uint64_t no, const char *id, size_t len)
{
    (void)no;
    (void)id;
    (void)len;
    (*(uint64_t *)ctx)++;
    return 0;
}

static uint64_t ids_of(struct crm_store_writer *w, unsigned which)
{
    uint64_t n = 0;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_each_order_id_of(w, which, count_id, &n, &e), CRM_OK);
    return n;
}

static int may(struct crm_store_writer *w, const char *id)
{
    return crm_store_writer_id_may_be_stored(w, id, strlen(id));
}

/* 4 chunks: O00000000..O00196607 numbered, then text ids T-196608-x..T-199999-x. */
static void test_append_probes_first_middle_last_chunk_only(void **state)
{
    (void)state;
    char *path = store_of(200000, 1000, 196608);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC,
                                             &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_base_chunks(w), 4);
    assert_int_equal(ids_of(w, CRM_IDS_UNSUMMARIZED), 0);   /* every chunk summarized */
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 0);         /* nothing probed yet */
    assert_false(may(w, "O99999999"));                      /* above every range */
    assert_false(may(w, "N00000005"));                      /* another prefix */
    assert_false(may(w, "T-1"));                            /* below the text range */
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 0);
    assert_true(may(w, "O00000005"));                       /* the first chunk */
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 65536);
    assert_true(may(w, "O00100000"));                       /* a middle one */
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 2 * 65536);
    assert_true(may(w, "T-199999-x"));                      /* the last: text ids */
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 2 * 65536 + 3392);   /* 200000 - 196608 */
    assert_int_equal(ids_of(w, CRM_IDS_STORED), 200000);
    const char *id;
    size_t len;
    assert_int_equal(crm_store_writer_order_id(w, 196608, &id, &len, &e), CRM_OK);
    assert_int_equal(len, 10);
    assert_memory_equal(id, "T-196608-x", 10);
    add_orders(w, 200000, 10, 1000, 0);
    assert_int_equal(ids_of(w, CRM_IDS_NEW), 10);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

/* A store written before summaries: nothing is probed, every id is read in full. */
static void test_append_to_a_store_without_summaries_reads_every_id(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-storeidx-old-XXXXXX";
    int fd = mkstemp(path);
    FILE *in = fopen("testdata/store-v1-no-summary.crm", "rb");
    assert_non_null(in);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC,
                                             &w, &e), CRM_OK);
    assert_false(may(w, "O00000001"));                       /* no summary to probe */
    assert_int_equal(ids_of(w, CRM_IDS_UNSUMMARIZED), 1000);
    add_orders(w, 5000, 100, 10, 1 << 30);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    /* the next append: the old chunk still read in full, the new one probed */
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC,
                                             &w, &e), CRM_OK);
    assert_int_equal(ids_of(w, CRM_IDS_UNSUMMARIZED), 1000);
    assert_false(may(w, "O00000001"));
    assert_true(may(w, "O00005050"));
    assert_int_equal(ids_of(w, CRM_IDS_PROBED), 100);
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

/* Offset of chunk k's summary column data in a store's bytes (its first ORDS block). */
static size_t summary_at(const unsigned char *b, size_t len, size_t *block)
{
    size_t pos = 40 + (size_t)crm_le_get(b + 12, 4);
    while (pos + 16 <= len) {
        size_t blen = (size_t)crm_le_get(b + pos + 4, 4);
        if (memcmp(b + pos, "ORDS", 4) == 0) {
            *block = pos;
            assert_int_equal(b[pos + 16 + 24], 8);        /* column 8 comes first */
            return pos + 16 + 24 + 20;
        }
        pos += 16 + blen;
    }
    fail_msg("no chunk");
    return 0;
}

static void rewrite(const char *path, unsigned char *b, size_t len, size_t block)
{
    size_t blen = (size_t)crm_le_get(b + block + 4, 4);
    crm_le_put(b + block + 12, crc32(crc32(0, b + block, 12), b + block + 16, (uInt)blen), 4);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* A summary that does not admit its chunk's ids (checksums intact: a crafted store) is a
 * damaged store, found when the chunk is read; one that is not a summary at all is found by
 * the walk. */
static void test_a_lying_summary_is_a_damaged_store(void **state)
{
    (void)state;
    char *path = store_of(1000, 10, 1 << 30);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    size_t len = (size_t)st.st_size, block = 0;
    unsigned char *b = malloc(len);
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(b, 1, len, f), len);
    fclose(f);
    size_t at = summary_at(b, len, &block);
    assert_int_equal(b[at], CRM_IDSUM_NUM);
    crm_le_put(b + at + 4 + 8, 500, 8);              /* hi: 999 -> 500 */
    rewrite(path, b, len, block);
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC,
                                             &w, &e), CRM_OK);
    assert_true(may(w, "O00000400"));
    uint64_t n = 0;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_each_order_id_of(w, CRM_IDS_PROBED, count_id, &n, &e),
                     CRM_ECORRUPT);
    assert_non_null(strstr(e.msg, "outside the chunk's order-id summary"));
    crm_store_writer_free(w);
    close(fd);
    crm_le_put(b + at + 4, 600, 8);                  /* lo 600 > hi 500 */
    rewrite(path, b, len, block);
    fd = open(path, O_RDWR);
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_ECORRUPT);
    assert_non_null(strstr(e.msg, "order-id summary"));
    assert_int_equal(e.chunk, 0);
    close(fd);
    /* readers of the store ignore the summary's contents: the orders still read */
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk c;
    assert_int_equal(crm_store_next(s, &c, CRM_COL_ALL, &e), CRM_OK);
    assert_int_equal(c.n, 1000);
    crm_store_close(s);
    free(b);
    unlink(path);
}

/* An append numbers the customers it meets after the stored ones: a stored customer keeps
 * its index, new ones continue from the stored count in order of first appearance, and
 * customers-file rows follow; the stored dictionary is never loaded. */
static void test_append_resolves_customers_against_the_stored_dictionary(void **state)
{
    (void)state;
    char *path = store_of(100, 10, 1 << 30);        /* customers c0..c9 = 0..9 */
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    const char *batch[] = {"new-a", "c7", "new-b", "c0", "new-a"};
    for (int i = 0; i < 5; i++) {
        struct crm_order o = {0};
        assert_int_equal(crm_store_writer_customer(w, batch[i], strlen(batch[i]), &o.customer,
                                                   &e), CRM_OK);
        o.time = 1800000000 + i;
        o.amount = 1;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
    uint32_t idx;
    assert_true(crm_store_writer_find_customer(w, "c3", 2, &idx));   /* stored, not met */
    assert_int_equal(idx, 3);
    assert_false(crm_store_writer_find_customer(w, "nobody", 6, &idx));
    struct crm_customer_info ci = {0, 19000, CRM_NO_DAY, 0, 1};
    assert_int_equal(crm_store_writer_customer(w, "new-c", 5, &ci.customer, &e), CRM_OK);
    assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    assert_int_equal(crm_store_writer_customer(w, "c9", 2, &ci.customer, &e), CRM_OK);
    assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    assert_int_equal(crm_store_writer_resolve(w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_new_customers(w), 3);   /* new-a, new-b, new-c */
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk c;
    uint32_t want[] = {10, 7, 11, 0, 10};
    assert_int_equal(crm_store_next(s, &c, CRM_COL_CUSTOMER, &e), CRM_OK);
    assert_int_equal(c.n, 100);
    assert_int_equal(crm_store_next(s, &c, CRM_COL_CUSTOMER, &e), CRM_OK);
    assert_int_equal(c.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(c.customer[i], want[i]);
    assert_int_equal(crm_store_next(s, &c, CRM_COL_CUSTOMER, &e), CRM_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(crm_store_customer_count(s), 13);
    const char *names[] = {"new-a", "new-b", "new-c"};
    for (uint32_t i = 0; i < 3; i++) {
        size_t len;
        const char *id = crm_store_customer_id(s, 10 + i, &len);
        assert_int_equal(len, strlen(names[i]));
        assert_memory_equal(id, names[i], len);
    }
    const struct crm_customer_info *rows;
    assert_int_equal(crm_store_customers(s, &rows), 2);
    assert_int_equal(rows[0].customer, 12);
    assert_int_equal(rows[1].customer, 9);
    crm_store_close(s);
    unlink(path);
}

/* An append of more than a chunk (customers resolved before the first new chunk is
 * written, and again for the next): every order's customer is the stored one or a new one
 * numbered after the stored ones. */
static void test_append_of_more_than_a_chunk_keeps_customer_numbers(void **state)
{
    (void)state;
    char *path = store_of(100, 10, 1 << 30);        /* c0..c9 = 0..9 */
    int fd = open(path, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    add_orders(w, 1000, 70000, 20, 1 << 30);        /* c(i % 20): c10..c19 are new */
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_new_customers(w), 10);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk c;
    uint64_t row = 0;
    assert_int_equal(crm_store_next(s, &c, CRM_COL_CUSTOMER, &e), CRM_OK);   /* stored */
    while (crm_store_next(s, &c, CRM_COL_CUSTOMER, &e) == CRM_OK && c.n > 0)
        for (uint32_t i = 0; i < c.n; i++, row++) {
            size_t len;
            char want[16];
            snprintf(want, sizeof want, "c%llu", (unsigned long long)((1000 + row) % 20));
            const char *id = crm_store_customer_id(s, c.customer[i], &len);
            if (len != strlen(want) || memcmp(id, want, len) != 0)
                fail_msg("order %llu: customer %.*s, want %s", (unsigned long long)row,
                         (int)len, id, want);
        }
    assert_int_equal(row, 70000);
    assert_int_equal(crm_store_customer_count(s), 20);
    size_t len;
    assert_memory_equal(crm_store_customer_id(s, 10, &len), "c10", 3);  /* first new one met */
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idsum_numbered_fixed_width),
        cmocka_unit_test(test_idsum_plain_numbers_are_numbers_not_text),
        cmocka_unit_test(test_idsum_text_ids_bytewise),
        cmocka_unit_test(test_idsum_no_ids),
        cmocka_unit_test(test_idsum_crafted_bytes_are_refused),
        cmocka_unit_test(test_idsum_index_probes_only_the_chunks_that_may_hold_an_id),
        cmocka_unit_test(test_append_probes_first_middle_last_chunk_only),
        cmocka_unit_test(test_append_to_a_store_without_summaries_reads_every_id),
        cmocka_unit_test(test_a_lying_summary_is_a_damaged_store),
        cmocka_unit_test(test_append_resolves_customers_against_the_stored_dictionary),
        cmocka_unit_test(test_append_of_more_than_a_chunk_keeps_customer_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
