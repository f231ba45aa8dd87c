/* Tests for lib/import: mapping, presets, merging, duplicates, rejects, customers file and
 * the nothing-lost invariant. */
#include "testutil.h"

#include "import/import.h"
#include "import/importint.h"   /* cust_hash_all: private, read by this test */
#include "text/timeparse.h"

struct result {
    enum crm_err rc;
    struct crm_import_stats st;
    size_t n;
    char id[512][24];
    char cust[512][32];
    int64_t time[512], amount[512];
    int32_t qty[512];
    uint8_t status[512];
    size_t ncust_rows;
    struct crm_customer_info cust_rows[16];
    char rejects[8192];
    int cust_hash_all;              /* the readers were told to hash every customer id */
};

static const char *temp_with(const char *text, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/crm-import-test-XXXXXX");
    int fd = mkstemp(path);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

/* Import `csv` (and an optional customers file) with options; read the store back. */
static void run(const char *csv, const char *customers, struct crm_import_opts *o,
                const char *status_spec, struct result *r)
{
    memset(r, 0, sizeof *r);
    char in[64], cin[64] = "", store[64] = "/tmp/crm-import-store-XXXXXX", rej[64];
    strcpy(in, temp_with(csv, strlen(csv)));
    if (customers)
        strcpy(cin, temp_with(customers, strlen(customers)));
    strcpy(rej, "/tmp/crm-import-rej-XXXXXX");
    int rfd = mkstemp(rej);
    int sfd = mkstemp(store);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_new(sfd, store, &meta, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    struct crm_out *out = crm_out_new(rfd, rej, 0);
    struct crm_import *imp;
    if (!o->max_reject_rate)
        o->max_reject_rate = 1;
    assert_int_equal(crm_import_new(o, &w, 1, out, &imp, &e), CRM_OK);
    if (status_spec)
        assert_int_equal(crm_import_add_status(imp, status_spec, &e), CRM_OK);
    r->rc = CRM_OK;
    if (customers)
        r->rc = crm_import_customers(imp, cin, &e);
    if (r->rc == CRM_OK)
        r->rc = crm_import_file(imp, in, &e);
    if (r->rc == CRM_OK)
        r->rc = crm_import_finish(imp, &e);
    r->st = *crm_import_stats(imp);
    r->cust_hash_all = imp->cust_hash_all;
    crm_import_free(imp);
    assert_int_equal(crm_out_close(out, &e), CRM_OK);
    close(rfd);
    FILE *f = fopen(rej, "r");
    size_t got = fread(r->rejects, 1, sizeof r->rejects - 1, f);
    r->rejects[got] = '\0';
    fclose(f);
    if (r->rc == CRM_OK) {
        assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
        struct crm_store *s;
        assert_int_equal(crm_store_open(store, &s, &e), CRM_OK);
        struct crm_chunk c;
        while (crm_store_next(s, &c, CRM_COL_ALL, &e) == CRM_OK && c.n > 0) {
            for (uint32_t i = 0; i < c.n && r->n < 512; i++, r->n++) {
                size_t l = c.order_id_off[i + 1] - c.order_id_off[i];
                snprintf(r->id[r->n], sizeof r->id[0], "%.*s", (int)l, c.order_id_text + c.order_id_off[i]);
                snprintf(r->cust[r->n], sizeof r->cust[0], "%s", crm_store_customer_id(s, c.customer[i], NULL));
                r->time[r->n] = c.time[i];
                r->amount[r->n] = c.amount[i];
                r->qty[r->n] = c.quantity[i];
                r->status[r->n] = c.status[i];
            }
        }
        const struct crm_customer_info *rows;
        r->ncust_rows = crm_store_customers(s, &rows);
        if (r->ncust_rows)
            memcpy(r->cust_rows, rows, (r->ncust_rows < 16 ? r->ncust_rows : 16) * sizeof *rows);
        crm_store_close(s);
    }
    crm_store_writer_free(w);
    close(sfd);
    unlink(in);
    if (customers)
        unlink(cin);
    unlink(store);
    unlink(rej);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t at(const char *when)
{
    struct crm_time_parsed t;
    assert_int_equal(crm_time_parse(when, strlen(when), &t), 0);
    return t.secs;
}

static void test_import_merges_line_items_sum_quantity_earliest_time(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("order_id,customer_id,order_time,amount,quantity\n"
        "A1,c1,2024-01-02 10:00,10.00,1\n"
        "A2,c2,2024-01-02 11:00,5.00,2\n"
        "A1,c1,2024-01-02 09:00,2.50,3\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], "A1");
    assert_int_equal(r.amount[0], 1250);
    assert_int_equal(r.qty[0], 4);
    assert_int_equal(r.time[0], at("2024-01-02 09:00"));
    assert_int_equal(r.st.merged, 1);
    assert_int_equal(r.st.orders, 2);
}

/* --date-format is the shape of every time, even one that also reads as the usual
 * YYYY-MM-DD HH:MM:SS (the readers try that shape first only without the option). */
static void test_import_date_format_rules_over_the_usual_shape(void **state)
{
    (void)state;
    struct crm_import_opts o = {.date_format = "%Y-%d-%m %H:%M:%S"};
    struct result r;
    run("order_id,customer_id,order_time,amount\n"
        "A1,c1,2024-02-03 10:00:00,10.00\n"
        "A2,c2,2024-25-12 11:30:05,5.00\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.time[0], at("2024-03-02 10:00:00"));
    assert_int_equal(r.time[1], at("2024-12-25 11:30:05"));
    struct crm_import_opts plain = {0};
    run("order_id,customer_id,order_time,amount\n"
        "A1,c1,2024-02-03 10:00:00,10.00\n"
        "A2,c2,2024-02-30 10:00:00,10.00\n", NULL, &plain, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.time[0], at("2024-02-03 10:00:00"));
    assert_int_equal(r.st.rejected[CRM_REJ_TIME], 1);
}

static void test_import_order_amount_once_takes_the_repeated_total_once(void **state)
{
    (void)state;
    struct crm_import_opts o = {.order_amount_once = 1};
    struct result r;
    run("订单编号,客户编号,下单时间,订单金额,数量\n"
        "J1,张三,2024-05-01,99.00,1\nJ1,张三,2024-05-01,99.00,2\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.amount[0], 9900);
    assert_int_equal(r.qty[0], 3);
    assert_string_equal(r.cust[0], "张三");
}

/* SPEC §13.1: a far-apart line item is no longer a silent duplicate. */
static void test_import_order_id_seen_before_the_window_is_a_far_line_item(void **state)
{
    (void)state;
    size_t cap = 4u << 20, n = 0;
    char *csv = malloc(cap);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\nX,c0,2024-01-01,1.00\n");
    for (int i = 0; i < CRM_IMPORT_WINDOW; i++)
        n += (size_t)sprintf(csv + n, "N%d,c%d,2024-01-01,1.00\n", i, i % 50);
    n += (size_t)sprintf(csv + n, "X,c0,2024-01-02,1.00\nN65535,c35,2024-01-02,2.00\n");
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.orders, 1 + CRM_IMPORT_WINDOW);
    assert_int_equal(r->st.duplicates, 0);    /* X: not in the store before */
    assert_int_equal(r->st.rejected[CRM_REJ_FAR], 1);    /* but begun too long ago */
    assert_int_equal(r->st.rejected_total, 1);
    assert_int_equal(r->st.merged, 1);        /* N65535: still open, merged */
    assert_non_null(strstr(r->rejects, "line item of order X begun more than 65536 orders"));
    assert_non_null(strstr(r->rejects, ",65539,"));   /* the physical line of the row */
    free(r);
    free(csv);
}

/* An order id is taken when its order begins, not when a row of it is read: a row rejected
 * before any order began (no customer) leaves the id free, so the next row of that id
 * begins the order in its place (not held as a suspect and written last), and the order's
 * later rows merge into it while it is open. */
static void test_import_rejected_row_leaves_its_order_id_free(void **state)
{
    (void)state;
    const char *csv = "order_id,customer_id,order_time,amount\n"
                      "X,,2024-01-01,1.00\n"
                      "X,c1,2024-01-02,2.00\n"
                      "Y,c2,2024-01-03,3.00\n"
                      "X,c1,2024-01-04,4.00\n";
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.rows, 4);
    assert_int_equal(r->st.orders, 2);
    assert_int_equal(r->st.merged, 1);
    assert_int_equal(r->st.rejected[CRM_REJ_CUSTOMER], 1);
    assert_int_equal(r->st.rejected_total, 1);
    assert_int_equal(r->st.duplicates, 0);
    assert_int_equal(r->n, 2);
    assert_string_equal(r->id[0], "X");          /* in the order they began */
    assert_string_equal(r->id[1], "Y");
    assert_int_equal(r->amount[0], 600);
    assert_int_equal(r->amount[1], 300);
    free(r);
}

/* Customer ids with a number are left unhashed by the reader threads while the
 * dictionary's direct map takes them; ids it does not take (sparse numbers close it) are
 * hashed by the dictionary, and once they are many the readers hash every id again. Either
 * way every row keeps its customer: distinct ids counted exactly, the first rows' ids read
 * back. */
static void import_customers(const char *form, int sparse, int rows, int want_hash_all)
{
    size_t cap = (size_t)rows * 64 + 64, n = 0;
    char *csv = malloc(cap);
    uint64_t *ids = malloc((size_t)rows * sizeof *ids), x = 0x9E3779B97F4A7C15ull;
    assert_non_null(csv);
    assert_non_null(ids);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\n");
    for (int i = 0; i < rows; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ids[i] = sparse ? x % 9999999999ull : x % 5000u;
        n += (size_t)sprintf(csv + n, "O%d,", i);
        n += (size_t)sprintf(csv + n, form, (unsigned long long)ids[i]);
        n += (size_t)sprintf(csv + n, ",2024-01-01 10:00:00,1.00\n");
    }
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.orders, (uint64_t)rows);
    size_t distinct = 0;
    qsort(ids, (size_t)rows, sizeof *ids, cmp_u64);
    for (int i = 0; i < rows; i++)
        distinct += i == 0 || ids[i] != ids[i - 1];
    assert_int_equal(r->st.customers_new, distinct);
    assert_int_equal(r->cust_hash_all, want_hash_all);
    x = 0x9E3779B97F4A7C15ull;              /* the first 512 rows' ids again */
    for (size_t i = 0; i < r->n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char want[40];
        snprintf(want, sizeof want, form, (unsigned long long)(sparse ? x % 9999999999ull
                                                                      : x % 5000u));
        assert_string_equal(r->cust[i], want);
    }
    free(r);
    free(ids);
    free(csv);
}

static void test_import_customer_ids_hashed_where_the_direct_map_needs_it(void **state)
{
    (void)state;
    import_customers("C%07llu", 0, 150000, 0);      /* dense numbers: never hashed */
    import_customers("c%llu@example.com", 0, 150000, 0);   /* no number: the readers hash */
    import_customers("C%010llu", 1, 150000, 1);     /* sparse: the readers told to hash */
}

/* The second line item of every order comes when 65,535 other orders have begun since its
 * first: each order is then the oldest open one, and every second row must find it — among
 * 65,536 open orders, so window-map buckets fill up and lookups follow the spills. */
static void test_import_every_order_found_anywhere_in_the_window(void **state)
{
    (void)state;
    const int orders = 150000, gap = CRM_IMPORT_WINDOW - 1;
    size_t cap = 16u << 20, n = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\n");
    for (int s = 0; s < orders + gap; s++) {
        if (s < orders)
            n += (size_t)sprintf(csv + n, "W%d,c%d,2024-01-01,1.00\n", s, s % 977);
        if (s >= gap)
            n += (size_t)sprintf(csv + n, "W%d,c%d,2024-01-02,2.00\n", s - gap,
                                 (s - gap) % 977);
    }
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.rows, 2 * orders);
    assert_int_equal(r->st.orders, orders);
    assert_int_equal(r->st.merged, orders);
    assert_int_equal(r->st.duplicates, 0);
    free(r);
    free(csv);
}

/* Order id `s` of the long-ids test: its number, padded with letters to 1–300 bytes from
 * order 300,000 on and to a few bytes more before (ids differ, lengths vary). */
static size_t long_id(int s, char *out)
{
    size_t len = s < 300000 ? (size_t)(s % 5) : 1 + (size_t)((s * 7919u) % 300u);
    size_t k = (size_t)sprintf(out, "%d", s);
    if (k > len)
        len = k;
    for (; k < len; k++)
        out[k] = (char)('a' + (s + (int)k) % 26);
    out[len] = '\0';
    return len;
}

/* Ids of every length in the window: 300,000 orders of short ids, then ids of 1 to 300
 * bytes (past what a window entry holds inline); two line items of each order 40,000
 * orders apart, every third order with a currency. Every order comes back whole: its exact
 * id, its currency, both items merged. */
static void test_import_long_ids_and_currencies_in_the_window(void **state)
{
    (void)state;
    const int orders = 400000, gap = 40000;
    size_t cap = 128u << 20, n = 0;
    char *csv = malloc(cap), id[320];
    assert_non_null(csv);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount,currency\n");
    for (int s = 0; s < orders + gap; s++) {
        if (s < orders) {
            long_id(s, id);
            n += (size_t)sprintf(csv + n, "%s,c%d,2024-01-01,1.00,%s\n", id, s % 977,
                                 s % 3 == 0 ? "EUR" : "");
        }
        if (s >= gap) {
            long_id(s - gap, id);
            n += (size_t)sprintf(csv + n, "%s,c%d,2024-01-02,2.00,\n", id, (s - gap) % 977);
        }
    }
    char in[64], store[64] = "/tmp/crm-import-store-XXXXXX";
    strcpy(in, temp_with(csv, n));
    int sfd = mkstemp(store);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_writer_new(sfd, store, &meta, 0, &w, &e), CRM_OK);
    struct crm_import_opts o = {.max_reject_rate = 1};
    struct crm_import *imp;
    assert_int_equal(crm_import_new(&o, &w, 1, NULL, &imp, &e), CRM_OK);
    assert_int_equal(crm_import_file(imp, in, &e), CRM_OK);
    assert_int_equal(crm_import_finish(imp, &e), CRM_OK);
    assert_int_equal(crm_import_stats(imp)->orders, orders);
    assert_int_equal(crm_import_stats(imp)->merged, orders);
    crm_import_free(imp);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    struct crm_store *st;
    assert_int_equal(crm_store_open(store, &st, &e), CRM_OK);
    struct crm_chunk c;
    int s = 0;
    while (crm_store_next(st, &c, CRM_COL_ALL, &e) == CRM_OK && c.n > 0) {
        for (uint32_t i = 0; i < c.n; i++, s++) {
            size_t len = long_id(s, id), got = c.order_id_off[i + 1] - c.order_id_off[i];
            if (got != len || memcmp(c.order_id_text + c.order_id_off[i], id, len) != 0)
                fail_msg("order %d: id of %zu bytes, expected %zu", s, got, len);
            const char *cur = c.currency[i] == 255 ? "" : c.currency_names[c.currency[i]];
            assert_string_equal(cur, s % 3 == 0 ? "EUR" : "");
            assert_int_equal(c.amount[i], 300);
        }
    }
    assert_int_equal(s, orders);
    crm_store_close(st);
    close(sfd);
    unlink(in);
    unlink(store);
    free(csv);
}

static void test_import_uci_preset_refunds_skips_and_ids(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "uci-online-retail"};
    struct result r;
    run("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,\"HOLDER, WHITE\",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
        "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
        "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n"
        "536414,22139,,56,2010-12-01 11:52:00,0.0,,United Kingdom\n"
        "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom\n"
        "536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,17850.0,United Kingdom\n",
        NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.cust[0], "17850");
    assert_int_equal(r.amount[0], 1530 + 2034);
    assert_int_equal(r.qty[0], 12);
    assert_int_equal(r.status[1], CRM_STATUS_REFUNDED);
    assert_int_equal(r.amount[1], 2750);
    assert_int_equal(r.qty[1], 1);
    assert_int_equal(r.time[2], at("2010-12-01 08:28"));
    assert_int_equal(r.st.skipped[CRM_SKIP_NO_CUSTOMER], 1);
    assert_int_equal(r.st.skipped[CRM_SKIP_ADJUSTMENT], 1);
    assert_int_equal(r.st.rejected_total, 0);
    assert_non_null(strstr(r.rejects, "skipped: adjustment (expected)"));
}

static void test_import_cdnow_preset_positional_without_header(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "cdnow"};
    struct result r;
    run(" 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n", NULL, &o, NULL,
        &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.cust[0], "4");
    assert_int_equal(r.amount[1], 2973);
    assert_int_equal(r.qty[1], 2);
    assert_int_equal(r.time[1], at("1997-01-18"));
}

static void test_import_unknown_status_is_rejected_and_status_option_maps_it(void **state)
{
    (void)state;
    const char *csv = "id,customer,date,amount,status\n1,a,2024-01-01,5,shipped\n"
                      "2,a,2024-01-02,5,lost\n3,a,2024-01-03,5,交易关闭\n";
    struct crm_import_opts o = {0};
    struct result r;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.st.rejected[CRM_REJ_STATUS], 1);
    assert_int_equal(r.status[0], CRM_STATUS_PAID);
    assert_int_equal(r.status[1], CRM_STATUS_CANCELLED);
    run(csv, NULL, &o, "refunded=LOST", &r);
    assert_int_equal(r.st.rejected_total, 0);
    assert_int_equal(r.status[1], CRM_STATUS_REFUNDED);
}

static void test_import_shopify_continuation_rows_inherit_order_fields(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "shopify"};
    struct result r;
    run("Name,Email,Financial Status,Created at,Total,Lineitem quantity,Currency\n"
        "#1001,ann@example.com,paid,2024-03-01 08:26:00 +0800,120.00,1,USD\n"
        "#1001,,,,,2,\n"
        "#1002,bob@example.com,partially_refunded,2024-03-02 10:00:00 +0000,\"$1,234.50\",1,USD\n",
        NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.qty[0], 3);
    assert_int_equal(r.amount[0], 12000);
    assert_int_equal(r.time[0], at("2024-03-01 00:26"));   /* +08:00 → UTC */
    assert_int_equal(r.status[1], CRM_STATUS_PAID);
    assert_int_equal(r.amount[1], 123450);
}

static void test_import_rows_of_one_order_must_agree_on_customer(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("order_id,customer_id,date,amount\n1,a,2024-01-01,1\n1,b,2024-01-01,1\n", NULL, &o,
        NULL, &r);
    assert_int_equal(r.st.rejected[CRM_REJ_CONFLICT], 1);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.rejects, "order 1: customer_id differs"));
}

static void test_import_missing_customer_column_names_the_field(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("订单编号,总金额,订单创建时间\n1,2.00,2020-02-01\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_EDATA);
}

/* An input with no header line at all (0 bytes, or blank lines) is an error, not an import
 * of nothing: `crm-import bad.csv | crm-rfm` made an empty report and exit 0 when the first
 * import failed before writing. A header alone is a day without orders. */
static void test_import_empty_input_is_an_error_a_header_alone_is_not(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_EDATA);
    run("\n\r\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_EDATA);
    run("customer_id,order_time,amount\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.st.rows, 0);
    assert_int_equal(r.n, 0);
}

/* Found while fuzzing sums: line items whose amounts add up past int64 wrapped to a negative
 * stored order with exit 0. The item that would overflow is rejected as a bad amount. */
static void test_import_line_items_past_int64_are_rejected_not_wrapped(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    char csv[1024];
    size_t n = (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\n");
    for (int i = 1; i <= 9; i++)
        n += (size_t)sprintf(csv + n, "X,big,2024-01-0%d,12345678901234567\n", i);
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.amount[0], 7 * 1234567890123456700LL);
    assert_int_equal(r.st.merged, 6);
    assert_int_equal(r.st.rejected[CRM_REJ_AMOUNT], 2);
    assert_non_null(strstr(r.rejects, "order X: the order's amount total does not fit 64 bits"));
}

static void test_import_map_by_number_without_header(void **state)
{
    (void)state;
    struct crm_import_opts o = {.no_header = 1};
    o.map[CRM_F_CUSTOMER] = "2";
    o.map[CRM_F_TIME] = "1";
    o.map[CRM_F_AMOUNT] = "3";
    struct result r;
    run("2024-01-01;x;1.5\n2024-01-02;y;2.5\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.cust[1], "y");
    assert_int_equal(r.amount[0], 150);
}

static void test_import_customers_file_birthday_signup_blocked(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("customer_id,order_time,amount\na,2024-01-01,1\n",
        "customer_id,signup_time,birthday,blocked\na,2023-05-06,02-29,no\nb,,1990-07-08,yes\n"
        "c,2023-13-01,,no\n",
        &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.st.customer_rows, 2);
    assert_int_equal(r.st.customer_rejects, 1);
    assert_int_equal(r.ncust_rows, 2);
    assert_int_equal(r.cust_rows[0].signup_day, crm_days_from_civil(2023, 5, 6));
    assert_int_equal(r.cust_rows[0].birth_day, crm_days_from_civil(2000, 2, 29));
    assert_int_equal(r.cust_rows[0].birth_year_known, 0);
    assert_int_equal(r.cust_rows[1].birth_day, crm_days_from_civil(1990, 7, 8));
    assert_int_equal(r.cust_rows[1].blocked, 1);
    assert_non_null(strstr(r.rejects, "bad signup_time"));
}

/* ---- nothing lost: a property test ----
 * Random order files with every kind of bad row (and line items, duplicates of orders
 * already stored, repeated headers, blank lines, quoted line breaks, LF/CRLF/CR line ends)
 * are imported in two parts, the second appended to the store of the first. The generator
 * keeps its own model of what must happen to each row, written from SPEC §4 and not from
 * the importer; the test checks that rows read = orders + merged + rejected + duplicates,
 * each count against the model, that the rejects file lists every bad row exactly once
 * with its physical line and its reason, and that the store holds exactly the model's
 * orders. */

enum kind {
    K_NEW, K_ITEM, K_DUP, K_FIELDS, K_ENCODING, K_NUL, K_CUSTOMER, K_TIME, K_EMPTY_TIME,
    K_AMOUNT, K_QUANTITY, K_NEGATIVE, K_STATUS, K_CONFLICT, K_COUNT
};

/* What the rejects file must say for each kind of bad row, and the counter it goes to. */
static const char *const kind_reason[K_COUNT] = {
    NULL, NULL, "duplicate order_id", "fields, expected", "bytes invalid in UTF-8",
    "bytes invalid in UTF-8", "empty customer_id", "bad order_time", "empty order_time",
    "bad amount", "bad quantity", "negative amount", "unknown status", "customer_id differs",
};
static const int kind_rej[K_COUNT] = {
    -1, -1, -1, CRM_REJ_FIELDS, CRM_REJ_ENCODING, CRM_REJ_ENCODING, CRM_REJ_CUSTOMER,
    CRM_REJ_TIME, CRM_REJ_TIME, CRM_REJ_AMOUNT, CRM_REJ_QUANTITY, CRM_REJ_NEGATIVE,
    CRM_REJ_STATUS, CRM_REJ_CONFLICT,
};

struct m_order {
    char id[16], cust[24], status_text[32];
    int status, phase;
    int64_t amount, qty, time;
};

struct m_reject {
    long long line;
    int kind, seen;
};

struct gen {
    uint64_t seed;
    char *text;
    size_t len, cap;
    long long line;              /* physical line the next row starts on */
    const char *eol;
    struct m_order orders[1024];
    size_t norders, phase_first; /* orders of the current phase start here */
    struct m_reject rej[1024];
    size_t nrej;
    uint64_t rows, news, items, dups, repeated, rejected[CRM_REJ_COUNT];
    int fresh;                   /* for ids of bad rows, never used twice */
    uint64_t kinds[K_COUNT];     /* rows of each kind generated, over all rounds */
};

static unsigned rnd(struct gen *g, unsigned n)
{
    g->seed = g->seed * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(g->seed >> 33) % n;
}

static void put(struct gen *g, const char *s, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        g->cap = (g->len + n + 1) * 2;
        g->text = realloc(g->text, g->cap);
    }
    memcpy(g->text + g->len, s, n);
    g->len += n;
    for (size_t i = 0; i < n; i++)   /* line breaks inside quoted fields */
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
            g->line++;
}

static void end_line(struct gen *g)
{
    static const char *const eols[3] = {"\n", "\r\n", "\r"};
    g->eol = eols[rnd(g, 3)];
    put(g, g->eol, strlen(g->eol));
}

static const char HEADER[] = "order_id,customer_id,order_time,amount,quantity,status,note";

/* One data row; fields are written as given (the caller quotes what needs it). */
static void row(struct gen *g, const char *id, const char *cust, const char *time,
                const char *amount, const char *qty, const char *status, const char *note,
                int nfields)
{
    const char *f[8] = {id, cust, time, amount, qty, status, note, "extra"};
    for (int i = 0; i < nfields; i++) {
        if (i)
            put(g, ",", 1);
        put(g, f[i], strlen(f[i]));
    }
    end_line(g);
}

static void expect_reject(struct gen *g, long long line, int kind)
{
    g->rej[g->nrej].line = line;
    g->rej[g->nrej].kind = kind;
    g->rej[g->nrej].seen = 0;
    g->nrej++;
    if (kind_rej[kind] >= 0)
        g->rejected[kind_rej[kind]]++;
    else
        g->dups++;
}

/* The order file of one phase: n rows of random kinds. */
static void gen_phase(struct gen *g, int phase, int n)
{
    static const char *const st_text[] = {"paid", "refunded", "cancelled", "pending", "交易成功",
                                          "Completed"};
    static const int st_code[] = {CRM_STATUS_PAID, CRM_STATUS_REFUNDED, CRM_STATUS_CANCELLED,
                                  CRM_STATUS_PENDING, CRM_STATUS_PAID, CRM_STATUS_PAID};
    static const char *const notes[] = {"", "plain", "\"two\nlines\"", "\"a\r\nb\"", "\"x,y\""};
    g->len = 0;
    g->line = 1;
    g->phase_first = g->norders;
    memset(g->rejected, 0, sizeof g->rejected);
    g->rows = g->news = g->items = g->dups = g->repeated = 0;
    g->nrej = 0;
    put(g, HEADER, strlen(HEADER));
    end_line(g);
    for (int i = 0; i < n; i++) {
        char id[24], cust[24], time[32], amount[32], qty[8], status[32], note[32];
        unsigned pick = rnd(g, 100);
        int mo = rnd(g, 12) + 1, d = rnd(g, 28) + 1, cents = (int)rnd(g, 100000);
        snprintf(time, sizeof time, "2024-%02d-%02d %02d:%02d:%02d", mo, d, rnd(g, 24),
                 rnd(g, 60), rnd(g, 60));
        static const char *const money[] = {"%d.%02d", "$%d.%02d", "\"¥%d.%02d\""};
        snprintf(amount, sizeof amount, money[rnd(g, 3)], cents / 100, cents % 100);
        int q = (int)rnd(g, 5) + 1;
        snprintf(qty, sizeof qty, "%d", q);
        int s = (int)rnd(g, 6);
        snprintf(status, sizeof status, "%s", st_text[s]);
        snprintf(note, sizeof note, "%s", notes[rnd(g, 5)]);
        struct crm_time_parsed tp;
        crm_time_parse(time, strlen(time), &tp);
        size_t open = g->norders - g->phase_first;
        if (pick < 2) {                                     /* a blank line: not a row */
            put(g, g->eol, strlen(g->eol));
            continue;
        }
        if (pick < 4) {                                     /* the header again */
            put(g, HEADER, strlen(HEADER));
            end_line(g);
            g->repeated++;
            continue;
        }
        g->rows++;
        long long line = g->line;
        enum kind k = pick < 45 || (pick < 65 && !open) ? K_NEW
                    : pick < 65 ? K_ITEM
                    : pick < 72 ? (phase == 2 && g->phase_first ? K_DUP : K_NEW)
                    : (enum kind)(K_FIELDS + (pick - 72) % (K_COUNT - K_FIELDS));
        if (k == K_CONFLICT && !open)
            k = K_STATUS;
        g->kinds[k]++;
        if (k == K_NEW) {
            struct m_order *o = &g->orders[g->norders++];
            snprintf(o->id, sizeof o->id, "P%d-%d", phase, i);
            snprintf(o->cust, sizeof o->cust, rnd(g, 2) ? "c%u" : "客户%u", rnd(g, 30));
            snprintf(o->status_text, sizeof o->status_text, "%s", status);
            o->status = st_code[s];
            o->phase = phase;
            o->amount = cents;
            o->qty = q;
            o->time = tp.secs;
            row(g, o->id, o->cust, time, amount, qty, status, note, 7);
            g->news++;
            continue;
        }
        if (k == K_ITEM) {                  /* a line item of an order of this part */
            struct m_order *o = &g->orders[g->phase_first + rnd(g, (unsigned)open)];
            int same_cust = rnd(g, 2), same_status = rnd(g, 2);
            row(g, o->id, same_cust ? o->cust : "", time, amount, qty,
                same_status ? o->status_text : "", note, 7);
            o->amount += cents;
            o->qty += q;
            if (tp.secs < o->time)
                o->time = tp.secs;
            g->items++;
            continue;
        }
        if (k == K_DUP) {                   /* an order already in the store */
            struct m_order *o = &g->orders[rnd(g, (unsigned)g->phase_first)];
            row(g, o->id, o->cust, time, amount, qty, status, note, 7);
            expect_reject(g, line, K_DUP);
            continue;
        }
        snprintf(id, sizeof id, "X%d", g->fresh++);
        snprintf(cust, sizeof cust, "c%u", rnd(g, 30));
        switch (k) {
        case K_FIELDS: row(g, id, cust, time, amount, qty, status, note, rnd(g, 2) ? 6 : 8); break;
        case K_ENCODING: row(g, id, cust, time, amount, qty, status, "bad\xff" "byte", 7); break;
        case K_NUL:
            row(g, id, cust, time, amount, qty, status, "", 6);
            g->len -= strlen(g->eol);       /* the note: "nul", NUL, "byte" */
            g->line--;
            put(g, ",nul\0byte", 9);
            put(g, g->eol, strlen(g->eol));
            break;
        case K_CUSTOMER: row(g, id, "", time, amount, qty, status, note, 7); break;
        case K_TIME: row(g, id, cust, "2024-02-30 10:00:00", amount, qty, status, note, 7); break;
        case K_EMPTY_TIME: row(g, id, cust, "", amount, qty, status, note, 7); break;
        case K_AMOUNT: row(g, id, cust, time, "12.3.4", qty, status, note, 7); break;
        case K_QUANTITY: row(g, id, cust, time, amount, "2.5", status, note, 7); break;
        case K_NEGATIVE: row(g, id, cust, time, "-5.00", qty, "paid", note, 7); break;
        case K_STATUS: row(g, id, cust, time, amount, qty, "lost in post", note, 7); break;
        default: {                          /* K_CONFLICT: an open order, another customer */
            struct m_order *o = &g->orders[g->phase_first + rnd(g, (unsigned)open)];
            row(g, o->id, "someone-else", time, amount, qty, o->status_text, note, 7);
        }
        }
        expect_reject(g, line, k);
    }
}

/* Import g->text as `name` into the store at fd (appending when `append`); check the
 * counts and the rejects file against the model. */
static void import_phase(struct gen *g, int fd, int append)
{
    char in[64], rej[64] = "/tmp/crm-import-rej-XXXXXX";
    strcpy(in, temp_with(g->text, g->len));
    int rfd = mkstemp(rej);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_store_writer *w;
    if (append) {
        assert_int_equal(crm_store_writer_append(fd, "s", CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    } else {
        struct crm_store_meta meta = {"", 2};
        assert_int_equal(crm_store_writer_new(fd, "s", &meta, CRM_STORE_KEEP_IDS, &w, &e),
                         CRM_OK);
    }
    struct crm_out *out = crm_out_new(rfd, rej, 0);
    struct crm_import_opts o = {.max_reject_rate = 1};
    o.csv.encoding = "utf-8";
    struct crm_import *imp;
    assert_int_equal(crm_import_new(&o, &w, 1, out, &imp, &e), CRM_OK);
    if (append)
        assert_int_equal(crm_import_load_existing(imp, &e), CRM_OK);
    assert_int_equal(crm_import_file(imp, in, &e), CRM_OK);
    assert_int_equal(crm_import_finish(imp, &e), CRM_OK);
    const struct crm_import_stats *st = crm_import_stats(imp);
    assert_int_equal(st->rows, g->rows);
    assert_int_equal(st->repeated_headers, g->repeated);
    assert_int_equal(st->rows, st->orders + st->merged + st->rejected_total + st->duplicates +
                                   st->skipped_total);
    assert_int_equal(st->orders, g->news);
    assert_int_equal(st->merged, g->items);
    assert_int_equal(st->duplicates, g->dups);
    for (int r = 0; r < CRM_REJ_COUNT; r++)
        if (st->rejected[r] != g->rejected[r])
            fail_msg("%llu rows rejected as \"%s\", the model says %llu",
                     (unsigned long long)st->rejected[r], crm_reject_name(r),
                     (unsigned long long)g->rejected[r]);
    crm_import_free(imp);
    assert_int_equal(crm_out_close(out, &e), CRM_OK);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(rfd);

    /* every bad row exactly once, with its physical line and reason */
    struct crm_csvin *c;
    struct crm_csvin_opts ro = {.delimiter = ',', .encoding = "utf-8"};
    assert_int_equal(crm_csvin_open(rej, &ro, &c, &e), CRM_OK);
    struct crm_record rec;
    assert_int_equal(crm_csvin_next(c, &rec, &e), CRM_OK);
    assert_string_equal(rec.field[0], "file");
    size_t records = 0;
    while (crm_csvin_next(c, &rec, &e) == CRM_OK && rec.nfields > 0) {
        assert_int_equal(rec.nfields, 4);
        assert_string_equal(rec.field[0], in);
        long long line = atoll(rec.field[1]);
        size_t k;
        for (k = 0; k < g->nrej; k++)
            if (!g->rej[k].seen && g->rej[k].line == line &&
                strstr(rec.field[2], kind_reason[g->rej[k].kind]))
                break;
        if (k == g->nrej)
            fail_msg("rejects file: line %lld \"%s\" is not a bad row of the model", line,
                     rec.field[2]);
        g->rej[k].seen = 1;
        if (g->rej[k].kind == K_NUL)
            assert_non_null(strstr(rec.field[3], "nul\\x00byte"));
        if (g->rej[k].kind == K_ENCODING)
            assert_non_null(strstr(rec.field[3], "bad\\xFFbyte"));
        records++;
    }
    crm_csvin_close(c);
    for (size_t k = 0; k < g->nrej; k++)
        if (!g->rej[k].seen)
            fail_msg("bad row at line %lld (%s) is missing from the rejects file",
                     g->rej[k].line, kind_reason[g->rej[k].kind]);
    assert_int_equal(records, g->nrej);
    unlink(in);
    unlink(rej);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct m_order *)a)->id, ((const struct m_order *)b)->id);
}

static void test_import_nothing_lost_property(void **state)
{
    (void)state;
    struct gen *g = calloc(1, sizeof *g);
    for (int round = 0; round < 12; round++) {
        g->seed = 0x1234567u + (uint64_t)round * 7919u;
        g->norders = 0;
        char path[64] = "/tmp/crm-import-store-XXXXXX";
        int fd = mkstemp(path);
        gen_phase(g, 1, 250);
        import_phase(g, fd, 0);
        gen_phase(g, 2, 250);
        import_phase(g, fd, 1);
        close(fd);
        /* the store holds exactly the model's orders */
        struct crm_store *s;
        struct crm_errinfo e;
        assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
        struct m_order *got = calloc(g->norders + 1, sizeof *got);
        size_t n = 0;
        struct crm_chunk c;
        while (crm_store_next(s, &c, CRM_COL_ALL, &e) == CRM_OK && c.n > 0) {
            for (uint32_t i = 0; i < c.n; i++, n++) {
                assert_true(n < g->norders);
                struct m_order *o = &got[n];
                snprintf(o->id, sizeof o->id, "%.*s",
                         (int)(c.order_id_off[i + 1] - c.order_id_off[i]),
                         c.order_id_text + c.order_id_off[i]);
                snprintf(o->cust, sizeof o->cust, "%s", crm_store_customer_id(s, c.customer[i],
                                                                              NULL));
                o->amount = c.amount[i];
                o->qty = c.quantity[i];
                o->time = c.time[i];
                o->status = c.status[i];
            }
        }
        crm_store_close(s);
        assert_int_equal(n, g->norders);
        qsort(got, n, sizeof *got, by_id);
        qsort(g->orders, n, sizeof *got, by_id);
        for (size_t i = 0; i < n; i++) {
            const struct m_order *w = &g->orders[i], *o = &got[i];
            if (strcmp(o->id, w->id) || strcmp(o->cust, w->cust) || o->amount != w->amount ||
                o->qty != w->qty || o->time != w->time || o->status != w->status)
                fail_msg("round %d: order %s is %s %lld %lld %lld %d, the model says %s %s "
                         "%lld %lld %lld %d", round, o->id, o->cust, (long long)o->amount,
                         (long long)o->qty, (long long)o->time, o->status, w->id, w->cust,
                         (long long)w->amount, (long long)w->qty, (long long)w->time,
                         w->status);
        }
        free(got);
        unlink(path);
    }
    for (int k = 0; k < K_COUNT; k++)   /* the generator really made every kind */
        if (g->kinds[k] < 10)
            fail_msg("only %llu rows of kind %d", (unsigned long long)g->kinds[k], k);
    print_message("%llu new, %llu items, %llu duplicates, %llu bad rows checked\n",
                  (unsigned long long)g->kinds[K_NEW], (unsigned long long)g->kinds[K_ITEM],
                  (unsigned long long)g->kinds[K_DUP],
                  (unsigned long long)(g->kinds[K_FIELDS] + g->kinds[K_ENCODING] +
                                       g->kinds[K_NUL] + g->kinds[K_CUSTOMER] +
                                       g->kinds[K_TIME] + g->kinds[K_EMPTY_TIME] +
                                       g->kinds[K_AMOUNT] + g->kinds[K_QUANTITY] +
                                       g->kinds[K_NEGATIVE] + g->kinds[K_STATUS] +
                                       g->kinds[K_CONFLICT]));
    free(g->text);
    free(g);
}


/* ---- SPEC §13.1: nothing silent on the way in ---- */

/* rows read = stored + merged + rejected + duplicates + expected skips */
static void assert_accounted(const struct crm_import_stats *st)
{
    assert_int_equal(st->rows, st->orders + st->merged + st->rejected_total + st->duplicates +
                                   st->skipped_total);
}

static void test_import_email_customers_compared_without_case(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("order_id,Email,date,amount\n1,ANNA@x.example,2024-01-01,1\n2,anna@X.example,2024-01-02,2\n"
        "3,Bob@x.example,2024-01-03,3\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.st.customers_new, 2);
    assert_string_equal(r.cust[0], "anna@x.example");
    assert_string_equal(r.cust[1], "anna@x.example");
    assert_string_equal(r.cust[2], "bob@x.example");
    /* no header: nothing says e-mail, case is kept (scale-engines caught a stale flag) */
    o.no_header = 1;
    o.map[CRM_F_CUSTOMER] = "1";
    o.map[CRM_F_TIME] = "2";
    o.map[CRM_F_AMOUNT] = "3";
    run("AB,2024-01-01,1\nab,2024-01-02,2\n", NULL, &o, NULL, &r);
    assert_int_equal(r.st.customers_new, 2);
    assert_string_equal(r.cust[0], "AB");
    memset(&o, 0, sizeof o);
    /* a customer column that is not e-mail keeps its case */
    run("order_id,customer_id,date,amount\n1,AB,2024-01-01,1\n2,ab,2024-01-02,2\n", NULL, &o,
        NULL, &r);
    assert_int_equal(r.st.customers_new, 2);
}

static void test_import_shopify_guests_are_expected_skips_phone_serves(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "shopify", .max_reject_rate = 0.01};
    struct result r;
    run("Name,Email,Financial Status,Created at,Total,Billing Phone\n"
        "#1,,paid,2024-03-01 10:00:00 -0400,5.00,\n"
        "#2,,paid,2024-03-01 11:00:00 -0400,6.00,+1 555 0100\n"
        "#3,a@x.example,paid,2024-03-01 12:00:00 -0400,7.00,\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);                     /* a guest is not a reject */
    assert_int_equal(r.st.skipped[CRM_SKIP_GUEST], 1);
    assert_int_equal(r.st.rejected_total, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.cust[0], "+1 555 0100");
    assert_int_equal(r.time[0], at("2024-03-01 15:00"));  /* -0400 */
    assert_accounted(&r.st);
}

static void test_import_partial_refund_is_paid_with_a_refund_record(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "shopify"};
    struct result r;
    run("Name,Email,Financial Status,Created at,Total,Refunded Amount,Lineitem quantity\n"
        "#1,a@x.example,partially_refunded,2024-03-01,97.20,32.40,1\n"
        "#1,a@x.example,,2024-03-01,,,1\n"
        "#2,a@x.example,refunded,2024-03-02,53.60,53.60,1\n", NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.status[0], CRM_STATUS_PAID);
    assert_int_equal(r.amount[0], 9720);              /* paid at its total */
    assert_int_equal(r.status[1], CRM_STATUS_REFUNDED);
    assert_int_equal(r.amount[1], 3240);              /* the part --net subtracts */
    assert_string_equal(r.id[1], "");
    assert_int_equal(r.status[2], CRM_STATUS_REFUNDED);
    assert_int_equal(r.amount[2], 0);                 /* never revenue: nothing to subtract */
    assert_int_equal(r.st.partial_refunds, 1);
    assert_int_equal(r.st.refunded_orders, 1);
    assert_int_equal(r.st.orders, 2);                 /* the refund record is no row */
    assert_accounted(&r.st);
}

static void test_import_return_rows_keep_their_money(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("order_id,customer_id,date,amount,status\n1,a,2024-01-01,-5.00,refunded\n"
        "2,a,2024-01-02,7.00,refunded\n3,a,2024-01-03,9.00,退款成功\n", NULL, &o, NULL, &r);
    assert_int_equal(r.amount[0], 500);               /* a return row */
    assert_int_equal(r.amount[1], 700);               /* "refunded": a return row as before */
    assert_int_equal(r.amount[2], 0);                 /* 退款成功: the order's final status */
    assert_int_equal(r.status[2], CRM_STATUS_REFUNDED);
}

static void test_import_money_never_changed_silently(void **state)
{
    (void)state;
    const char *csv = "order_id,customer_id,date,amount\n1,a,2024-01-01,1.234\n"
                      "2,a,2024-01-02,-0.004\n3,a,2024-01-03,1.230\n";
    struct crm_import_opts o = {0};
    struct result r;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.st.rejected[CRM_REJ_PRECISION], 2);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.amount[0], 123);
    assert_non_null(strstr(r.rejects, "has more decimals than the store keeps (2): use "
                                      "--round-money"));
    o.round_money = 1;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.st.money_rounded, 1);               /* of the rows stored */
    assert_int_equal(r.st.rejected[CRM_REJ_NEGATIVE], 1);   /* -0.004 is negative */
    assert_int_equal(r.n, 2);
    assert_int_equal(r.amount[0], 123);
    assert_accounted(&r.st);
}

static void test_import_decimal_comma_and_its_hint(void **state)
{
    (void)state;
    const char *csv = "order_id;customer_id;date;amount\n1;a;2024-01-01;1.234,50\n"
                      "2;a;2024-01-02;89,90\n";
    struct crm_import_opts o = {0};
    struct result r;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.st.rejected[CRM_REJ_AMOUNT], 2);
    assert_non_null(strstr(r.rejects, "(a decimal comma? use --decimal-comma)"));
    o.decimal_comma = 1;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.amount[0], 123450);
    assert_int_equal(r.amount[1], 8990);
}

static void test_import_unterminated_quote_counts_every_line(void **state)
{
    (void)state;
    size_t cap = 1 << 16, n = 0;
    char *csv = malloc(cap);
    n += (size_t)sprintf(csv, "order_id,customer_id,date,amount\n");
    for (int i = 1; i <= 200; i++)
        n += (size_t)sprintf(csv + n, i == 190 ? "%d,c,2024-01-01,\"1\n" : "%d,c,2024-01-01,1\n",
                             i);
    struct crm_import_opts o = {.max_reject_rate = 0.01};
    struct result r;
    run(csv, NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_EDATA);                /* 11 of 200 lines: over 1 % */
    assert_int_equal(r.st.rows, 200);
    assert_int_equal(r.st.rejected[CRM_REJ_QUOTE], 11);
    assert_non_null(strstr(r.rejects, ",191,\"unterminated quote starting at line 191 "
                                      "(11 lines swallowed"));
    assert_accounted(&r.st);
    free(csv);
}

static void test_import_line_items_unsorted_merges_far_rows(void **state)
{
    (void)state;
    size_t cap = 8u << 20, n = 0;
    char *csv = malloc(cap);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\n");
    for (int i = 0; i < CRM_IMPORT_WINDOW + 10; i++)
        n += (size_t)sprintf(csv + n, "N%d,c%d,2024-01-01,1.00\n", i, i % 50);
    n += (size_t)sprintf(csv + n, "N0,c0,2024-01-02,2.50\nN5,c5,2024-01-01,1.00\n");
    struct crm_import_opts o = {.line_items_unsorted = 1};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.orders, CRM_IMPORT_WINDOW + 10);
    assert_int_equal(r->st.merged, 2);
    assert_int_equal(r->st.rejected_total, 0);
    assert_string_equal(r->id[0], "N0");              /* in the order orders began */
    assert_int_equal(r->amount[0], 350);
    assert_accounted(&r->st);
    free(r);
    free(csv);
}

static void test_import_jd_preset_takes_the_repeated_total_once(void **state)
{
    (void)state;
    struct crm_import_opts o = {.preset = "jd"};
    struct result r;
    run("订单号,订购数量,下单时间,订单金额,订单状态,下单帐号\n"
        "9001,2,2024-06-18 00:03:12,149.70,完成,jd_a\n9001,1,2024-06-18 00:03:12,149.70,完成,jd_a\n"
        "9002,1,2024-06-19 00:00:00,59.90,退款成功,jd_b\n9003,1,2024-06-19 00:00:00,9.90,等待出库,jd_b\n",
        NULL, &o, NULL, &r);
    assert_int_equal(r.rc, CRM_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.amount[0], 14970);
    assert_int_equal(r.qty[0], 3);
    assert_int_equal(r.status[1], CRM_STATUS_REFUNDED);
    assert_int_equal(r.status[2], CRM_STATUS_PAID);
}

static void test_import_rejects_escape_control_characters(void **state)
{
    (void)state;
    struct crm_import_opts o = {0};
    struct result r;
    run("order_id,customer_id,date,amount\n1,a,2024-01-01,x\x01y\n", NULL, &o, NULL, &r);
    assert_non_null(strstr(r.rejects, "\"bad amount \"\"x\\x01y\"\" in column 4\","
                                      "\"1,a,2024-01-01,x\\x01y\""));
    assert_null(strchr(r.rejects, '\x01'));
}

static void test_import_nothing_lost_on_every_messy_file(void **state)
{
    (void)state;
    static const char *const files[] = {
        "order_id,customer_id,date,amount,status\n1,a,2024-01-01,1,paid\n1,b,2024-01-01,1,paid\n"
        "2,,2024-01-01,1,paid\n3,c,bad,1,paid\n4,d,2024-01-01,1.234,paid\n5,e,2024-01-01,1,lost\n"
        "6,f,2024-01-01,\"1\n7,g,2024-01-01,1,paid\n",
        "order_id,customer_id,date,amount,status\n\r\n \t \r\n1,a,2024-01-01,1,paid,x\n"
        "2,a,2024-01-01,-1,paid\n3,a,2024-01-01,\xff,paid\n"
        "order_id,customer_id,date,amount,status\n",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct crm_import_opts o = {0};
        struct result r;
        run(files[i], NULL, &o, NULL, &r);
        assert_int_equal(r.rc, CRM_OK);
        assert_true(r.st.rejected_total > 0);
        assert_accounted(&r.st);
    }
}

static void test_import_notes_what_it_assumed(void **state)
{
    (void)state;
    char in[64], store[64] = "/tmp/crm-import-store-XXXXXX";
    const char *csv = "customer_id,date,amount\na,2024-01-01,1\n";
    strcpy(in, temp_with(csv, strlen(csv)));
    int sfd = mkstemp(store);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    struct crm_import_opts o = {.max_reject_rate = 0.01};
    struct crm_import *imp;
    assert_int_equal(crm_store_writer_new(sfd, store, &meta, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    assert_int_equal(crm_import_new(&o, &w, 1, NULL, &imp, &e), CRM_OK);
    assert_int_equal(crm_import_file(imp, in, &e), CRM_OK);
    assert_int_equal(crm_import_finish(imp, &e), CRM_OK);
    assert_int_equal(crm_import_notes(imp), CRM_NOTE_NO_STATUS | CRM_NOTE_NO_ORDER_ID);
    crm_import_free(imp);
    crm_store_writer_free(w);
    close(sfd);
    unlink(store);
    unlink(in);
}

static void test_import_preset_did_you_mean(void **state)
{
    (void)state;
    assert_string_equal(crm_import_preset_suggest("shopfy"), "shopify");
    assert_string_equal(crm_import_preset_suggest("woo"), "woocommerce");
    assert_string_equal(crm_import_preset_suggest("Taobao"), "taobao");
    assert_null(crm_import_preset_suggest("amazon"));
    assert_true(crm_import_preset_known("pinduoduo"));
    assert_true(crm_import_preset_known("jd"));
    static const char *const opts[] = {"preset", "decimal-comma", "round-money", "rejects"};
    assert_string_equal(crm_import_nearest("decimal-coma", opts, 4), "decimal-comma");
    assert_string_equal(crm_import_nearest("preset-shopify", opts, 4), "preset");
    assert_string_equal(crm_import_nearest("rejcts", opts, 4), "rejects");
    assert_null(crm_import_nearest("xyzzy", opts, 4));
}

static void test_import_every_missing_field_named_at_once(void **state)
{
    (void)state;
    int col[CRM_F_COUNT];
    for (int f = 0; f < CRM_F_COUNT; f++)
        col[f] = -1;
    char buf[160];
    assert_int_equal(crm_import_missing_fields(col, buf, sizeof buf), 3);
    assert_string_equal(buf, "customer_id, order_time and amount (or unit_price)");
    col[CRM_F_CUSTOMER] = 0;
    col[CRM_F_UNIT_PRICE] = 1;
    assert_int_equal(crm_import_missing_fields(col, buf, sizeof buf), 1);
    assert_string_equal(buf, "order_time");
}

/* A row finds its open order whether its line items come in a run (the last row's order,
 * no look-up), apart (the id is in `seen`, then the window), after a rejected row of its
 * id, or after a different id of the same number form: exact totals, merges and rejects. */
static void test_import_line_items_in_a_run_and_apart_merge_alike(void **state)
{
    (void)state;
    const char *csv = "order_id,customer_id,order_time,amount,quantity\n"
                      "O001,C01,2024-01-01,1.00,1\n"
                      "O001,C01,2024-01-01,2.00,1\n"      /* in a run */
                      "O001,C01,2024-01-01,4.00,1\n"
                      "O002,C02,2024-01-02,8.00,1\n"
                      "O001,C01,2024-01-01,16.00,1\n"     /* apart */
                      "O003,C03,,32.00,1\n"               /* rejected: no time */
                      "O003,C03,2024-01-03,64.00,1\n"     /* begins O003 */
                      "O003,C03,2024-01-03,128.00,2\n"
                      "O002,C09,2024-01-02,1.00,1\n"      /* conflict: rejected */
                      "O002,C02,2024-01-02,256.00,1\n"    /* apart, after a reject */
                      "O004,C04,2024-01-04,512.00,1\n"
                      "O01,C05,2024-01-05,1024.00,1\n"    /* another form: a new order */
                      "O004,C04,2024-01-04,2048.00,1\n";
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_int_equal(r->st.rows, 13);
    assert_int_equal(r->st.orders, 5);
    assert_int_equal(r->st.merged, 6);
    assert_int_equal(r->st.rejected[CRM_REJ_TIME], 1);
    assert_int_equal(r->st.rejected[CRM_REJ_CONFLICT], 1);
    assert_int_equal(r->st.rejected_total, 2);
    assert_int_equal(r->st.duplicates, 0);
    assert_int_equal(r->n, 5);
    const char *id[] = {"O001", "O002", "O003", "O004", "O01"};
    int64_t amount[] = {2300, 26400, 19200, 256000, 102400};
    int32_t qty[] = {4, 2, 3, 2, 1};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(r->id[i], id[i]);
        assert_int_equal(r->amount[i], amount[i]);
        assert_int_equal(r->qty[i], qty[i]);
    }
    free(r);
}

/* The window's map is filled only when a row looks an order up (wmap_find maps the orders
 * begun since the last look-up): second rows of some orders come 1 to 70,000 orders later,
 * at irregular moments — long stretches with no look-up, orders without an id (not mapped)
 * in between, look-ups right after the newest order began — so each look-up maps a
 * different span, and orders that closed meanwhile never are. Every row still open merges;
 * every one past the window is a far line item, exactly. */
static long long noid(long long u)
{
    return u >= 5 ? (u - 5) / 1013 + 1 : 0;
}

static void test_import_window_map_filled_when_looked_up(void **state)
{
    (void)state;
    static const int gaps[] = {1, 2, 3, 64, 5000, 30001, CRM_IMPORT_WINDOW - 1,
                               CRM_IMPORT_WINDOW, CRM_IMPORT_WINDOW + 1, 70000};
    const int orders = 120000, steps = orders + 70001;
    enum { NG = sizeof gaps / sizeof gaps[0] };
    size_t cap = 16u << 20, n = 0;
    char *csv = malloc(cap);
    int *due = calloc((size_t)steps * NG, sizeof *due);     /* order + 1 whose row is due */
    assert_non_null(csv);
    assert_non_null(due);
    n += (size_t)sprintf(csv, "order_id,customer_id,order_time,amount\n");
    uint64_t x = 88172645463325252ull;
    long long merged = 0, far = 0, no_id = 0;
    for (int t = 0; t < steps; t++) {
        if (t < orders) {
            n += (size_t)sprintf(csv + n, "L%d,c%d,2024-01-01,1.00\n", t, t % 977);
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            int g = (int)(x % NG);
            if (x % 97 < (t < 40000 ? 1u : 6u) && t + gaps[g] < steps)  /* sparse, then less */
                due[(size_t)(t + gaps[g]) * NG + (size_t)g] = t + 1;
            if (t % 1013 == 5) {          /* an order without an id: never mapped */
                n += (size_t)sprintf(csv + n, ",c%d,2024-01-01,1.00\n", t % 977);
                no_id++;
            }
        }
        for (int g = 0; g < NG; g++) {
            int s = due[(size_t)t * NG + (size_t)g] - 1;
            if (s < 0)
                continue;
            n += (size_t)sprintf(csv + n, "L%d,c%d,2024-01-02,2.00\n", s, s % 977);
            /* open while fewer than a window of orders began after it (those without an
             * id too: noid(u) of them at steps 0..u) */
            long long last = t < orders ? t : orders - 1;
            long long after = last - s + noid(last) - noid(s - 1);
            if (after < CRM_IMPORT_WINDOW)
                merged++;
            else
                far++;
        }
        assert_true(n + 256 < cap);
    }
    struct crm_import_opts o = {0};
    struct result *r = malloc(sizeof *r);
    run(csv, NULL, &o, NULL, r);
    assert_int_equal(r->rc, CRM_OK);
    assert_true(merged > 1000 && far > 100);
    assert_int_equal(r->st.orders, orders + no_id);
    assert_int_equal(r->st.merged, merged);
    assert_int_equal(r->st.rejected[CRM_REJ_FAR], far);
    assert_int_equal(r->st.rejected_total, far);
    assert_int_equal(r->st.duplicates, 0);
    free(r);
    free(due);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_line_items_in_a_run_and_apart_merge_alike),
        cmocka_unit_test(test_import_window_map_filled_when_looked_up),
        cmocka_unit_test(test_import_merges_line_items_sum_quantity_earliest_time),
        cmocka_unit_test(test_import_date_format_rules_over_the_usual_shape),
        cmocka_unit_test(test_import_order_amount_once_takes_the_repeated_total_once),
        cmocka_unit_test(test_import_order_id_seen_before_the_window_is_a_far_line_item),
        cmocka_unit_test(test_import_rejected_row_leaves_its_order_id_free),
        cmocka_unit_test(test_import_customer_ids_hashed_where_the_direct_map_needs_it),
        cmocka_unit_test(test_import_every_order_found_anywhere_in_the_window),
        cmocka_unit_test(test_import_long_ids_and_currencies_in_the_window),
        cmocka_unit_test(test_import_uci_preset_refunds_skips_and_ids),
        cmocka_unit_test(test_import_cdnow_preset_positional_without_header),
        cmocka_unit_test(test_import_unknown_status_is_rejected_and_status_option_maps_it),
        cmocka_unit_test(test_import_shopify_continuation_rows_inherit_order_fields),
        cmocka_unit_test(test_import_rows_of_one_order_must_agree_on_customer),
        cmocka_unit_test(test_import_missing_customer_column_names_the_field),
        cmocka_unit_test(test_import_empty_input_is_an_error_a_header_alone_is_not),
        cmocka_unit_test(test_import_line_items_past_int64_are_rejected_not_wrapped),
        cmocka_unit_test(test_import_map_by_number_without_header),
        cmocka_unit_test(test_import_customers_file_birthday_signup_blocked),
        cmocka_unit_test(test_import_nothing_lost_property),
        cmocka_unit_test(test_import_email_customers_compared_without_case),
        cmocka_unit_test(test_import_shopify_guests_are_expected_skips_phone_serves),
        cmocka_unit_test(test_import_partial_refund_is_paid_with_a_refund_record),
        cmocka_unit_test(test_import_return_rows_keep_their_money),
        cmocka_unit_test(test_import_money_never_changed_silently),
        cmocka_unit_test(test_import_decimal_comma_and_its_hint),
        cmocka_unit_test(test_import_unterminated_quote_counts_every_line),
        cmocka_unit_test(test_import_line_items_unsorted_merges_far_rows),
        cmocka_unit_test(test_import_jd_preset_takes_the_repeated_total_once),
        cmocka_unit_test(test_import_rejects_escape_control_characters),
        cmocka_unit_test(test_import_nothing_lost_on_every_messy_file),
        cmocka_unit_test(test_import_notes_what_it_assumed),
        cmocka_unit_test(test_import_preset_did_you_mean),
        cmocka_unit_test(test_import_every_missing_field_named_at_once),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
