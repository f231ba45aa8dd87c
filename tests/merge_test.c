/* merge_test: stores merged into one store or N partitions (lib/import/merge): duplicates
 * by order id skipped whatever store they are in, orders without an id kept, customers-file
 * rows following their customer, partitions by crm_import_partition, ids of an appended
 * store counted as met, stores of another zone or money scale refused. */
#include "testutil.h"

#include <fcntl.h>

#include "import/import.h"
#include "import/merge.h"
#include "store/store.h"

struct o {
    const char *id, *cust;
    int64_t amount;
};

/* A store at a fresh path holding the orders (and one customers-file row for `row_cust`). */
static void build(char *path, const struct o *ord, size_t n, const char *tz, int scale,
                  const char *row_cust)
{
    strcpy(path, "/tmp/crm-merge-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", scale};
    snprintf(meta.tz, sizeof meta.tz, "%s", tz);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, 0, &w, &e), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        struct crm_order x = {.time = 1700000000 + (int64_t)i * 60, .amount = ord[i].amount,
                              .quantity = 1, .order_id = ord[i].id,
                              .order_id_len = strlen(ord[i].id)};
        assert_int_equal(crm_store_writer_customer(w, ord[i].cust, strlen(ord[i].cust),
                                                   &x.customer, &e), CRM_OK);
        assert_int_equal(crm_store_writer_add(w, &x, &e), CRM_OK);
    }
    if (row_cust) {
        struct crm_customer_info ci = {0, CRM_NO_DAY, CRM_NO_DAY, 0, 1};
        assert_int_equal(crm_store_writer_customer(w, row_cust, strlen(row_cust), &ci.customer,
                                                   &e), CRM_OK);
        assert_int_equal(crm_store_writer_add_customer(w, &ci, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

/* Merge the stores at paths into nw new stores; returns the stats, fills out[] paths. */
static enum crm_err merge(const char *const *paths, size_t n, size_t nw, char out[][32],
                          struct crm_merge_stats *st, struct crm_errinfo *e)
{
    struct crm_store_writer *w[4];
    int fd[4];
    struct crm_store_meta meta = {"", 2};
    for (size_t i = 0; i < nw; i++) {
        strcpy(out[i], "/tmp/crm-mout-XXXXXX");
        fd[i] = mkstemp(out[i]);
        assert_int_equal(crm_store_writer_new(fd[i], out[i], &meta, CRM_STORE_KEEP_IDS, &w[i], e),
                         CRM_OK);
    }
    struct crm_merge *m;
    assert_int_equal(crm_merge_new(w, nw, &m, e), CRM_OK);
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < n && rc == CRM_OK; i++) {
        struct crm_store *s;
        assert_int_equal(crm_store_open(paths[i], &s, e), CRM_OK);
        rc = crm_merge_store(m, s, e);
        crm_store_close(s);
    }
    *st = *crm_merge_stats(m);
    crm_merge_free(m);
    for (size_t i = 0; i < nw; i++) {
        if (rc == CRM_OK)
            assert_int_equal(crm_store_writer_finish(w[i], e), CRM_OK);
        crm_store_writer_free(w[i]);
        close(fd[i]);
    }
    return rc;
}

/* "id:cust:amount;..." of every order of the store at path, in store order. */
static void orders_of(const char *path, char *buf, size_t size)
{
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk ch;
    size_t n = 0;
    buf[0] = '\0';
    while (crm_store_next(s, &ch, CRM_COL_ALL, &e) == CRM_OK && ch.n)
        for (uint32_t i = 0; i < ch.n; i++)
            n += (size_t)snprintf(buf + n, size - n, "%.*s:%s:%lld;",
                                  (int)(ch.order_id_off[i + 1] - ch.order_id_off[i]),
                                  ch.order_id_text + ch.order_id_off[i],
                                  crm_store_customer_id(s, ch.customer[i], NULL),
                                  (long long)ch.amount[i]);
    crm_store_close(s);
}

static void test_merge_skips_duplicates_keeps_order_and_empty_ids(void **state)
{
    (void)state;
    const struct o a[] = {{"1", "x", 100}, {"2", "y", 200}, {"", "x", 5}, {"2", "z", 999}};
    const struct o b[] = {{"3", "z", 300}, {"1", "x", 777}, {"", "y", 6}, {"4", "x", 400}};
    char pa[32], pb[32], out[1][32], got[512];
    build(pa, a, 4, "", 2, NULL);
    build(pb, b, 4, "", 2, NULL);
    const char *paths[] = {pa, pb, pa};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge(paths, 3, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.stores, 3);
    assert_int_equal(st.orders_read, 12);
    assert_int_equal(st.orders, 7);
    assert_int_equal(st.duplicates, 5);   /* 2 (in a), 1 (in b), 1, 2 (a again) */
    orders_of(out[0], got, sizeof got);
    assert_string_equal(got, "1:x:100;2:y:200;:x:5;3:z:300;:y:6;4:x:400;:x:5;");
    unlink(pa), unlink(pb), unlink(out[0]);
}

static void test_merge_copies_customer_rows_and_partitions(void **state)
{
    (void)state;
    const struct o a[] = {{"1", "alice", 1}, {"2", "bob", 2}, {"3", "carol", 3}};
    const struct o b[] = {{"4", "dave", 4}, {"5", "alice", 5}, {"6", "erin", 6}};
    char pa[32], pb[32], out[3][32];
    build(pa, a, 3, "", 2, "bob");
    build(pb, b, 3, "", 2, "frank");   /* a customer with a row and no order */
    const char *paths[] = {pa, pb};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge(paths, 2, 3, out, &st, &e), CRM_OK);
    assert_int_equal(st.orders, 6);
    assert_int_equal(st.customer_rows, 2);
    size_t orders = 0, rows = 0;
    for (size_t p = 0; p < 3; p++) {
        struct crm_store *s;
        assert_int_equal(crm_store_open(out[p], &s, &e), CRM_OK);
        struct crm_chunk ch;
        while (crm_store_next(s, &ch, CRM_COL_ALL, &e) == CRM_OK && ch.n)
            for (uint32_t i = 0; i < ch.n; i++, orders++) {
                size_t len;
                const char *id = crm_store_customer_id(s, ch.customer[i], &len);
                assert_int_equal(crm_import_partition(id, len, 3), p);
            }
        const struct crm_customer_info *ci;
        size_t n = crm_store_customers(s, &ci);
        for (size_t i = 0; i < n; i++, rows++) {
            size_t len;
            const char *id = crm_store_customer_id(s, ci[i].customer, &len);
            assert_int_equal(crm_import_partition(id, len, 3), p);
            assert_true(strcmp(id, "bob") == 0 || strcmp(id, "frank") == 0);
            assert_int_equal(ci[i].blocked, 1);
        }
        crm_store_close(s);
        unlink(out[p]);
    }
    assert_int_equal(orders, 6);
    assert_int_equal(rows, 2);
    unlink(pa), unlink(pb);
}

static void test_merge_refuses_other_zone_or_money_scale(void **state)
{
    (void)state;
    const struct o a[] = {{"1", "x", 1}};
    char pz[32], ps[32], out[1][32];
    build(pz, a, 1, "Asia/Shanghai", 2, NULL);
    build(ps, a, 1, "", 3, NULL);
    struct crm_merge_stats st;
    struct crm_errinfo e;
    const char *z[] = {pz}, *sc[] = {ps};
    crm_errinfo_clear(&e);
    assert_int_equal(merge(z, 1, 1, out, &st, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "time zone \"Asia/Shanghai\", the merged store's is \"\""));
    unlink(out[0]);
    crm_errinfo_clear(&e);
    assert_int_equal(merge(sc, 1, 1, out, &st, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "money scale 3, the merged store's is 2"));
    assert_int_equal(st.orders, 0);
    unlink(out[0]), unlink(pz), unlink(ps);
}

static void test_merge_onto_appended_store_counts_its_ids(void **state)
{
    (void)state;
    const struct o a[] = {{"1", "x", 1}, {"2", "y", 2}};
    const struct o b[] = {{"2", "y", 2}, {"3", "z", 3}, {"1", "x", 1}};
    char pa[32], pb[32], got[256];
    build(pa, a, 2, "", 2, NULL);
    build(pb, b, 3, "", 2, NULL);
    int fd = open(pa, O_RDWR);
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_append(fd, pa, CRM_STORE_KEEP_IDS, &w, &e), CRM_OK);
    struct crm_merge *m;
    assert_int_equal(crm_merge_new(&w, 1, &m, &e), CRM_OK);
    assert_int_equal(crm_merge_load_existing(m, &e), CRM_OK);
    struct crm_store *s;
    assert_int_equal(crm_store_open(pb, &s, &e), CRM_OK);
    assert_int_equal(crm_merge_store(m, s, &e), CRM_OK);
    crm_store_close(s);
    assert_int_equal(crm_merge_stats(m)->orders, 1);
    assert_int_equal(crm_merge_stats(m)->duplicates, 2);
    crm_merge_free(m);
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    orders_of(pa, got, sizeof got);
    assert_string_equal(got, "1:x:1;2:y:2;3:z:3;");
    unlink(pa), unlink(pb);
}

/* 200,000 ids (the table grows many times): every second store's ids are all duplicates. */
static void test_merge_many_ids(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct o *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    char (*ids)[16] = calloc(2 * N, 16);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], 16, "A%d", i);
        snprintf(ids[N + i], 16, "%d", i * 7);
        a[i] = (struct o){ids[i], i % 2 ? "p" : "q", i};
        b[i] = (struct o){ids[N + i], "r", i};
    }
    char pa[32], pb[32], out[1][32];
    build(pa, a, N, "", 2, NULL);
    build(pb, b, N, "", 2, NULL);
    const char *paths[] = {pa, pb, pb, pa};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge(paths, 4, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.orders, 2 * N);
    assert_int_equal(st.duplicates, 2 * N);
    unlink(pa), unlink(pb), unlink(out[0]);
    free(a), free(b), free(ids);
}

static void test_merge_is_store_file(void **state)
{
    (void)state;
    const struct o a[] = {{"1", "x", 1}};
    char pa[32];
    build(pa, a, 1, "", 2, NULL);
    assert_int_equal(crm_merge_is_store_file(pa), 1);
    assert_int_equal(crm_merge_is_store_file("testdata/sample-orders.csv"), 0);
    assert_int_equal(crm_merge_is_store_file("/nonexistent"), 0);
    assert_int_equal(crm_merge_is_store_file("-"), 0);
    assert_int_equal(crm_merge_is_store_file("/dev/null"), 0);   /* not a regular file */
    unlink(pa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_skips_duplicates_keeps_order_and_empty_ids),
        cmocka_unit_test(test_merge_copies_customer_rows_and_partitions),
        cmocka_unit_test(test_merge_refuses_other_zone_or_money_scale),
        cmocka_unit_test(test_merge_onto_appended_store_counts_its_ids),
        cmocka_unit_test(test_merge_many_ids),
        cmocka_unit_test(test_merge_is_store_file),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
