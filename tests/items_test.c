/* Tests for lib/store/items (store format version 2): line items and products round-trip
 * across chunks and appends, version 1 stays version 1, the writer refuses what the format
 * cannot hold, and every damaged bit of a store with items is an error, never a crash. */
#include "testutil.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "store/store.h"

static const struct crm_store_meta META = {"", 2};

/* Order i has i % 4 items: products (i + k * 7) % 50 for k < i % 4, quantity k + 1,
 * amount 100 * (k + 1) + i % 10. */
static void add_orders(struct crm_store_writer *w, int first, int n)
{
    struct crm_errinfo e;
    char name[32], id[32];
    for (int i = first; i < first + n; i++) {
        struct crm_order o = {0};
        int cl = snprintf(id, sizeof id, "c%d", i % 100);
        assert_int_equal(crm_store_writer_customer(w, id, (size_t)cl, &o.customer, &e), CRM_OK);
        o.time = 1700000000 + (int64_t)i * 60;
        o.amount = 1000;
        o.quantity = 1;
        struct crm_item items[4];
        for (int k = 0; k < i % 4; k++) {
            int p = (i + k * 7) % 50;
            int il = snprintf(id, sizeof id, "P%02d", p);
            int nl = snprintf(name, sizeof name, "产品 %d", p);
            struct crm_product prod = {id, name, "", (size_t)il, (size_t)nl, 0};
            assert_int_equal(crm_store_writer_product(w, &prod, &items[k].product, &e), CRM_OK);
            items[k].quantity = k + 1;
            items[k].amount = 100 * (k + 1) + i % 10;
        }
        o.items = items;
        o.item_count = (uint32_t)(i % 4);
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
}

static char *temp_store(int orders, unsigned flags)
{
    static char path[64];
    strcpy(path, "/tmp/crm-items-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, flags, &w, &e), CRM_OK);
    if (flags & CRM_STORE_ITEMS)
        add_orders(w, 0, orders);
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
    rewind(f);
    unsigned char *b = malloc(*len);
    assert_true(fread(b, 1, *len, f) == *len);
    fclose(f);
    return b;
}

/* Read every chunk with items; check them against add_orders; return orders read. */
static long check_items(struct crm_store *s, struct crm_errinfo *e, enum crm_err *rc)
{
    struct crm_chunk c;
    long i = 0;
    while ((*rc = crm_store_next(s, &c, CRM_COL_ALL | CRM_COL_ITEMS, e)) == CRM_OK && c.n) {
        for (uint32_t r = 0; r < c.n; r++, i++) {
            uint32_t lo = c.item_off[r], hi = c.item_off[r + 1];
            assert_int_equal(hi - lo, i % 4);
            int64_t qty = 0, amount = 0;
            for (uint32_t j = lo; j < hi; j++) {
                if (j > lo)
                    assert_true(c.item_product[j] >= c.item_product[j - 1]);  /* sorted */
                qty += c.item_quantity[j];
                amount += c.item_amount[j];
            }
            int64_t n = i % 4;
            assert_int_equal(qty, n * (n + 1) / 2);
            assert_int_equal(amount, 100 * n * (n + 1) / 2 + n * (i % 10));
        }
    }
    return i;
}

static void test_items_round_trip_across_chunks(void **state)
{
    (void)state;
    char *path = temp_store(70000, CRM_STORE_ITEMS);
    struct crm_store *s;
    struct crm_errinfo e;
    enum crm_err rc;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(crm_store_has_items(s), 1);
    assert_int_equal(check_items(s, &e, &rc), 70000);
    assert_int_equal(rc, CRM_OK);
    assert_int_equal(crm_store_product_count(s), 50);
    for (uint32_t p = 0; p < 50; p++) {
        const struct crm_product *d = crm_store_product(s, p);
        char want[32];
        int pn = atoi(d->id + 1);
        snprintf(want, sizeof want, "产品 %d", pn);
        assert_string_equal(d->name, want);
        assert_int_equal(d->category_len, 0);
    }
    crm_store_close(s);
    unlink(path);
}

static void test_items_version_2_with_items_version_1_without(void **state)
{
    (void)state;
    size_t len;
    char *path = temp_store(10, CRM_STORE_ITEMS);
    unsigned char *b = slurp(path, &len);
    assert_int_equal(b[8], 2);
    free(b);
    unlink(path);
    path = temp_store(0, 0);
    b = slurp(path, &len);
    assert_int_equal(b[8], 1);
    free(b);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(crm_store_has_items(s), 0);
    crm_store_close(s);
    unlink(path);
}

static void test_items_keep_items_turns_a_new_store_to_version_2(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-items-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, 0, &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_has_items(w), 0);
    assert_int_equal(crm_store_writer_keep_items(w, &e), CRM_OK);
    add_orders(w, 0, 100);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    enum crm_err rc;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(check_items(s, &e, &rc), 100);
    assert_int_equal(rc, CRM_OK);
    crm_store_close(s);
    unlink(path);
}

static void test_items_keep_items_after_an_order_is_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-items-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, 0, &w, &e), CRM_OK);
    struct crm_order o = {0};
    assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
    o.time = 1700000000;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    assert_int_equal(crm_store_writer_keep_items(w, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "line items"));
    struct crm_product p = {"X", "", "", 1, 0, 0};
    uint32_t idx;
    assert_int_equal(crm_store_writer_product(w, &p, &idx, &e), CRM_EUSAGE);
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

static void test_items_unknown_product_or_negative_amount_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-items-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_ITEMS, &w, &e), CRM_OK);
    struct crm_order o = {0};
    assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
    struct crm_item it = {3, 1, 100};          /* no product 3 */
    o.items = &it;
    o.item_count = 1;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_EDATA);
    struct crm_product p = {"X", "", "", 1, 0, 0};
    assert_int_equal(crm_store_writer_product(w, &p, &it.product, &e), CRM_OK);
    it.amount = -1;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_EDATA);
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

static void test_items_append_keeps_product_numbers(void **state)
{
    (void)state;
    char *path = temp_store(1000, CRM_STORE_ITEMS);
    int fd = open(path, O_RDWR);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_has_items(w), 1);
    struct crm_product p = {"P07", "", "", 3, 0, 0};
    uint32_t idx, again;
    assert_int_equal(crm_store_writer_product(w, &p, &idx, &e), CRM_OK);
    struct crm_product q = {"NEW", "new one", "cat", 3, 7, 3};
    assert_int_equal(crm_store_writer_product(w, &q, &again, &e), CRM_OK);
    assert_int_equal(again, 50);                /* after the 50 products already stored */
    add_orders(w, 1000, 1000);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    enum crm_err rc;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    assert_int_equal(check_items(s, &e, &rc), 2000);
    assert_int_equal(rc, CRM_OK);
    assert_int_equal(crm_store_product_count(s), 51);
    assert_string_equal(crm_store_product(s, idx)->id, "P07");
    assert_string_equal(crm_store_product(s, 50)->category, "cat");
    crm_store_close(s);
    unlink(path);
}

static void test_items_append_of_items_to_version_1_refused(void **state)
{
    (void)state;
    char *path = temp_store(0, 0);
    int fd = open(path, O_RDWR);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_OK);
    add_orders(w, 0, 1);                        /* order 0: no items */
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    assert_int_equal(crm_store_writer_append(fd, path, CRM_STORE_ITEMS, &w, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "version 1"));
    assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_keep_items(w, &e), CRM_EUSAGE);
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
}

/* An empty version-1 store (a first --append creates one before it reads the file) turns
 * to version 2 when the append keeps items: its header is rewritten in place, the store
 * reads back with its items, and it stays valid if nothing is committed after the
 * rewrite (an empty version-2 store). */
static void test_items_append_to_an_empty_version_1_store_keeps_items(void **state)
{
    (void)state;
    for (int commit = 0; commit < 2; commit++) {
        char *path = temp_store(0, 0);
        int fd = open(path, O_RDWR);
        struct crm_errinfo e;
        struct crm_store_writer *w;
        assert_int_equal(crm_store_writer_append(fd, path, 0, &w, &e), CRM_OK);
        assert_int_equal(crm_store_writer_has_items(w), 0);
        assert_int_equal(crm_store_writer_keep_items(w, &e), CRM_OK);
        assert_int_equal(crm_store_writer_has_items(w), 1);
        if (commit) {
            add_orders(w, 0, 100);
            assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
        }
        crm_store_writer_free(w);
        close(fd);
        struct crm_store *s;
        enum crm_err rc;
        assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
        assert_int_equal(crm_store_has_items(s), 1);
        assert_int_equal(check_items(s, &e, &rc), commit ? 100 : 0);
        assert_int_equal(rc, CRM_OK);
        crm_store_close(s);
        unlink(path);
    }
}

/* Exact amounts and quantities, item by item: three distinct products per order (so their
 * stored order is known), prices that mostly repeat per product (the predicted form) or
 * not at all (the plain form), zero quantities, big amounts. */
static int64_t item_amount(uint64_t *x, int p, int64_t q, int mode)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t r = *x >> 33;
    if (mode == 0)
        return q * (100 + p) + (r % 10 == 0 ? (int64_t)(r % 7) : 0);
    return (int64_t)(r % 1000000000ULL) * (r % 3 == 0 ? 1000 : 1);
}

static void write_amounts(int fd, const char *path, int orders, int mode)
{
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_ITEMS, &w, &e), CRM_OK);
    uint64_t x = 42;
    char id[16];
    for (int i = 0; i < orders; i++) {
        struct crm_order o = {0};
        assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
        struct crm_item it[3];
        for (int k = 0; k < 3; k++) {
            int p = (i % 20) * 3 + k;            /* ascending within the order */
            int il = snprintf(id, sizeof id, "%03d", p);
            struct crm_product prod = {id, "", "", (size_t)il, 0, 0};
            assert_int_equal(crm_store_writer_product(w, &prod, &it[k].product, &e), CRM_OK);
            it[k].quantity = (i + k) % 5;
            it[k].amount = item_amount(&x, p, it[k].quantity, mode);
        }
        o.items = it;
        o.item_count = 3;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
}

/* Offset of the amount column's descriptor in the store's first ITEM block (the fourth
 * column; the store is small enough that "ITEM" first appears as a block type). */
static size_t amount_desc(const unsigned char *b, size_t len)
{
    size_t at = 0;
    while (at + 4 <= len && memcmp(b + at, "ITEM", 4) != 0)
        at++;
    assert_true(at + 16 + 12 <= len);
    at += 16 + 12;
    for (int k = 0; k < 3; k++)
        at += 20 + (size_t)(b[at + 8] | b[at + 9] << 8 | b[at + 10] << 16 |
                            (size_t)b[at + 11] << 24);
    assert_true(at + 20 <= len);
    return at;
}

static void amounts_round_trip(int mode, int want_form)
{
    char path[] = "/tmp/crm-items-test-XXXXXX";
    int fd = mkstemp(path);
    write_amounts(fd, path, 3000, mode);
    close(fd);
    size_t len;
    unsigned char *b = slurp(path, &len);
    assert_int_equal(b[amount_desc(b, len)], want_form);
    free(b);
    struct crm_errinfo e;
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk c;
    uint64_t x = 42;
    char id[16];
    int i = 0;
    while (crm_store_next(s, &c, CRM_COL_ITEMS, &e) == CRM_OK && c.n)
        for (uint32_t r = 0; r < c.n; r++, i++)
            for (int k = 0; k < 3; k++) {
                uint32_t j = c.item_off[r] + (uint32_t)k;
                int p = (i % 20) * 3 + k;
                assert_int_equal(c.item_quantity[j], (i + k) % 5);
                assert_int_equal(c.item_amount[j], item_amount(&x, p, (i + k) % 5, mode));
                assert_string_equal(crm_store_product(s, c.item_product[j])->id,
                                    (snprintf(id, sizeof id, "%03d", p), id));
            }
    assert_int_equal(i, 3000);
    crm_store_close(s);
    unlink(path);
}

static void test_items_amounts_exact_in_both_stored_forms(void **state)
{
    (void)state;
    amounts_round_trip(0, 53); /* prices repeat: differences from the prediction, LEB128 */
    amounts_round_trip(1, 52); /* random: stored as they are */
}

/* The LEB128 amount column (53) is checked value by value: a last value running past the
 * column, or one value too many (a 2-byte value split in two), is an error (the CRC is
 * made to match). */
static void flip_amount_byte(unsigned char *b, size_t len, size_t desc, int what)
{
    size_t raw = b[desc + 4] | (size_t)b[desc + 5] << 8;
    assert_int_equal(b[desc], 53);
    assert_int_equal(b[desc + 1], 0x40);           /* not deflated: bytes as they are */
    unsigned char *last = b + desc + 20 + raw - 1;
    unsigned char *first = b + desc + 20;
    while (what == 1 && first < last && !(*first & 0x80))
        first++;
    assert_true(what == 0 || first < last);
    if (what == 0)
        *last |= 0x80;                             /* runs past the column */
    else
        *first &= 0x7f;                            /* a value too many: stray bytes */
    size_t blk = 0;
    while (memcmp(b + blk, "ITEM", 4) != 0)
        blk++;
    uint32_t plen = (uint32_t)(b[blk + 4] | b[blk + 5] << 8 | b[blk + 6] << 16 |
                               (uint32_t)b[blk + 7] << 24);
    assert_true(blk + 16 + plen <= len);
    uLong crc = crc32(crc32(0L, Z_NULL, 0), b + blk, 12);
    crc = crc32(crc, b + blk + 16, plen);
    for (int k = 0; k < 4; k++)
        b[blk + 12 + (size_t)k] = (unsigned char)(crc >> (8 * k));
}

/* A store written before column 53 existed (testdata/basket/orders-amount51.crm, from
 * testdata/basket/orders.csv): its amounts are column 51, residuals in 4-byte planes, and
 * read exactly as the CSV's quantity × unit price, order by order in product order. */
static void test_items_amount_column_51_still_reads(void **state)
{
    (void)state;
    static const char *const want_id[] = {"A", "B", "C", "A", "B", "B", "C", "A",
                                          "B", "D", "D", "C", "D", "A", "C", "D"};
    static const int64_t want_amount[] = {30000, 5100, 990, 30000, 2550, 2550, 2970, 30000,
                                          2550, 500, 500, 990, 500, 30000, 1980, 500};
    static const int32_t want_quantity[] = {1, 2, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1};
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open("testdata/basket/orders-amount51.crm", &s, &e), CRM_OK);
    struct crm_chunk c;
    assert_int_equal(crm_store_next(s, &c, CRM_COL_ITEMS, &e), CRM_OK);
    assert_int_equal(c.n, 7);
    assert_int_equal(c.item_off[7], 16);
    for (uint32_t j = 0; j < 16; j++) {
        assert_string_equal(crm_store_product(s, c.item_product[j])->id, want_id[j]);
        assert_int_equal(c.item_quantity[j], want_quantity[j]);
        assert_int_equal(c.item_amount[j], want_amount[j]);
    }
    crm_store_close(s);
}

static void test_items_leb128_amounts_validated(void **state)
{
    (void)state;
    for (int what = 0; what < 2; what++) {
        char path[] = "/tmp/crm-items-test-XXXXXX";
        int fd = mkstemp(path);
        write_amounts(fd, path, 4, 0);
        close(fd);
        size_t len;
        unsigned char *b = slurp(path, &len);
        unlink(path);
        flip_amount_byte(b, len, amount_desc(b, len), what);
        struct crm_store *s;
        struct crm_errinfo e;
        enum crm_err rc = crm_store_open_mem(b, len, "leb.crm", &s, &e);
        if (rc == CRM_OK) {
            check_items(s, &e, &rc);
            crm_store_close(s);
        }
        assert_int_equal(rc, CRM_ECORRUPT);
        assert_non_null(strstr(e.msg, "item amount column damaged"));
        free(b);
    }
}

/* Orders of 700,000 items each: the third would take a chunk past CRM_ITEMS_CHUNK_MAX
 * (2,097,152 items), so it starts the next chunk; an order above it alone is refused. */
static void test_items_chunks_stay_under_the_item_bound(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-items-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_errinfo e;
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_ITEMS, &w, &e), CRM_OK);
    size_t big = 700000;
    struct crm_item *it = calloc(big + 1, sizeof *it);
    struct crm_product prod = {"X", "", "", 1, 0, 0};
    uint32_t x;
    assert_int_equal(crm_store_writer_product(w, &prod, &x, &e), CRM_OK);
    for (size_t k = 0; k < big; k++)
        it[k] = (struct crm_item){x, 1, (int64_t)(k % 3)};
    for (int i = 0; i < 4; i++) {
        struct crm_order o = {0};
        assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
        o.items = it;
        o.item_count = (uint32_t)big;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk c;
    uint32_t rows[4] = {0}, chunks = 0;
    while (crm_store_next(s, &c, CRM_COL_ITEMS, &e) == CRM_OK && c.n) {
        rows[chunks++] = c.n;
        for (uint32_t r = 0; r < c.n; r++)
            assert_int_equal(c.item_off[r + 1] - c.item_off[r], big);
    }
    assert_int_equal(chunks, 2);
    assert_int_equal(rows[0], 2);
    assert_int_equal(rows[1], 2);
    crm_store_close(s);
    unlink(path);
    /* one order over the bound */
    fd = mkstemp(strcpy(path, "/tmp/crm-items-test-XXXXXX"));
    assert_int_equal(crm_store_writer_new(fd, path, &META, CRM_STORE_ITEMS, &w, &e), CRM_OK);
    assert_int_equal(crm_store_writer_product(w, &prod, &x, &e), CRM_OK);
    struct crm_order o = {0};
    assert_int_equal(crm_store_writer_customer(w, "c", 1, &o.customer, &e), CRM_OK);
    o.items = it;
    o.item_count = (1u << 21) + 1;
    assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "line items"));
    crm_store_writer_free(w);
    close(fd);
    unlink(path);
    free(it);
}

/* Every single-bit flip of a small store with items: an error, never a crash or a silently
 * different result. */
static void test_items_every_bit_flip_is_an_error(void **state)
{
    (void)state;
    char *path = temp_store(40, CRM_STORE_ITEMS);
    size_t len;
    unsigned char *b = slurp(path, &len);
    unlink(path);
    for (size_t at = 0; at < len; at++)
        for (int bit = 0; bit < 8; bit++) {
            b[at] ^= (unsigned char)(1u << bit);
            struct crm_store *s;
            struct crm_errinfo e;
            enum crm_err rc = crm_store_open_mem(b, len, "flip.crm", &s, &e);
            if (rc == CRM_OK) {
                check_items(s, &e, &rc);
                crm_store_close(s);
            }
            if (rc == CRM_OK)
                fail_msg("flipping bit %d of byte %zu went unnoticed", bit, at);
            b[at] ^= (unsigned char)(1u << bit);
        }
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_round_trip_across_chunks),
        cmocka_unit_test(test_items_version_2_with_items_version_1_without),
        cmocka_unit_test(test_items_keep_items_turns_a_new_store_to_version_2),
        cmocka_unit_test(test_items_keep_items_after_an_order_is_refused),
        cmocka_unit_test(test_items_append_to_an_empty_version_1_store_keeps_items),
        cmocka_unit_test(test_items_unknown_product_or_negative_amount_refused),
        cmocka_unit_test(test_items_append_keeps_product_numbers),
        cmocka_unit_test(test_items_append_of_items_to_version_1_refused),
        cmocka_unit_test(test_items_amounts_exact_in_both_stored_forms),
        cmocka_unit_test(test_items_leb128_amounts_validated),
        cmocka_unit_test(test_items_amount_column_51_still_reads),
        cmocka_unit_test(test_items_chunks_stay_under_the_item_bound),
        cmocka_unit_test(test_items_every_bit_flip_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
