/* Tests for lib/import: mapping, presets, merging, duplicates, rejects, customers file and
 * the nothing-lost invariant. */
#include "testutil.h"

#include "import.h"
#include "timeparse.h"

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

static void test_import_order_id_seen_before_the_window_is_a_duplicate(void **state)
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
    assert_int_equal(r->st.duplicates, 1);    /* X: its order had left the window */
    assert_int_equal(r->st.merged, 1);        /* N65535: still open, merged */
    assert_non_null(strstr(r->rejects, "duplicate order_id X (already stored)"));
    assert_non_null(strstr(r->rejects, ",65539,"));   /* the physical line of the row */
    free(r);
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

/* Nothing lost: random rows with random faults; every row is accounted for, every bad
 * row is in the rejects file with its line number. */
static void test_import_nothing_lost_property(void **state)
{
    (void)state;
    uint64_t seed = 0x1234567;
    for (int round = 0; round < 20; round++) {
        char *csv = malloc(1u << 16);
        size_t n = (size_t)sprintf(csv, "order_id,customer_id,order_time,amount,status\n");
        int bad = 0, rows = 0;
        for (int i = 0; i < 300; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            unsigned k = (unsigned)(seed >> 33) % 40;
            int oid = (int)((seed >> 20) % 200);
            rows++;
            switch (k) {
            case 0: n += (size_t)sprintf(csv + n, "%d,,2024-01-01,1.00,paid\n", oid); break;
            case 1: n += (size_t)sprintf(csv + n, "%d,c%d,2024-02-30,1.00,paid\n", oid, oid % 9); break;
            case 2: n += (size_t)sprintf(csv + n, "%d,c%d,2024-01-01,abc,paid\n", oid, oid % 9); break;
            case 3: n += (size_t)sprintf(csv + n, "%d,c%d,2024-01-01,1.00\n", oid, oid % 9); break;
            case 4: n += (size_t)sprintf(csv + n, "%d,c%d,2024-01-01,1.00,huh\n", oid, oid % 9); break;
            default:
                n += (size_t)sprintf(csv + n, "%d,c%d,2024-01-%02d,%u.%02u,%s\n", oid, oid % 9,
                                     1 + (int)(k % 28), k, k * 7 % 100, k % 7 ? "paid" : "refunded");
                rows--;
                rows++;
                continue;
            }
            bad++;
        }
        struct crm_import_opts o = {0};
        struct result *r = malloc(sizeof *r);
        run(csv, NULL, &o, NULL, r);
        assert_int_equal(r->rc, CRM_OK);
        const struct crm_import_stats *st = &r->st;
        assert_int_equal(st->rows, 300);
        assert_int_equal(st->rows, st->orders + st->merged + st->rejected_total +
                                       st->duplicates + st->skipped_total);
        assert_true(st->rejected_total >= (uint64_t)bad - 0);   /* conflicts may add more */
        size_t lines = 0;
        for (const char *p = r->rejects; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, 1 + st->rejected_total + st->duplicates);
        free(r);
        free(csv);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_merges_line_items_sum_quantity_earliest_time),
        cmocka_unit_test(test_import_order_amount_once_takes_the_repeated_total_once),
        cmocka_unit_test(test_import_order_id_seen_before_the_window_is_a_duplicate),
        cmocka_unit_test(test_import_uci_preset_refunds_skips_and_ids),
        cmocka_unit_test(test_import_cdnow_preset_positional_without_header),
        cmocka_unit_test(test_import_unknown_status_is_rejected_and_status_option_maps_it),
        cmocka_unit_test(test_import_shopify_continuation_rows_inherit_order_fields),
        cmocka_unit_test(test_import_rows_of_one_order_must_agree_on_customer),
        cmocka_unit_test(test_import_missing_customer_column_names_the_field),
        cmocka_unit_test(test_import_map_by_number_without_header),
        cmocka_unit_test(test_import_customers_file_birthday_signup_blocked),
        cmocka_unit_test(test_import_nothing_lost_property),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
