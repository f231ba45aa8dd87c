/* merge_test: stores merged into one store or N partitions (lib/import/merge): duplicates
 * by order id skipped whatever store they are in, orders without an id kept, customers-file
 * rows following their customer, partitions by crm_import_partition, ids of an appended
 * store counted as met, stores of another zone or money scale refused; line items carried
 * (products remapped, a duplicate skipped with its items, mixed versions, partitions,
 * appends) and never dropped without being counted. */
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

/* Orders with line items: items "PRODUCT:QUANTITY:AMOUNT,..." ("" none). with_items 0: a
 * version-1 store (the items are not written). */
struct oi {
    const char *id, *cust, *items;
};

static void add_items(struct crm_store_writer *w, const char *spec, struct crm_order *x,
                      struct crm_item *it)
{
    struct crm_errinfo e;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    x->item_count = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char id[32], name[40];
        int q, amount;
        assert_int_equal(sscanf(t, "%31[^:]:%d:%d", id, &q, &amount), 3);
        snprintf(name, sizeof name, "name of %s", id);
        struct crm_product prod = {id, name, "cat", strlen(id), strlen(name), 3};
        assert_int_equal(crm_store_writer_product(w, &prod, &it[x->item_count].product, &e),
                         CRM_OK);
        it[x->item_count].quantity = q;
        it[x->item_count++].amount = amount;
        x->amount += amount;
    }
    x->items = it;
}

static void build_items(char *path, const struct oi *ord, size_t n, int with_items)
{
    strcpy(path, "/tmp/crm-merge-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, with_items ? CRM_STORE_ITEMS : 0,
                                          &w, &e), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        struct crm_item it[8];
        struct crm_order x = {.time = 1700000000 + (int64_t)i * 60, .quantity = 1,
                              .order_id = ord[i].id, .order_id_len = strlen(ord[i].id)};
        if (with_items)
            add_items(w, ord[i].items, &x, it);
        assert_int_equal(crm_store_writer_customer(w, ord[i].cust, strlen(ord[i].cust),
                                                   &x.customer, &e), CRM_OK);
        assert_int_equal(crm_store_writer_add(w, &x, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

/* "id:cust=PRODUCT/NAME:QUANTITY:AMOUNT ...;" of every order of the store at path (items
 * by product id as stored); version and product count in front. */
static void items_of(const char *path, char *buf, size_t size)
{
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_chunk ch;
    size_t n = (size_t)snprintf(buf, size, "v%d ", crm_store_has_items(s) ? 2 : 1);
    enum crm_err rc;
    while ((rc = crm_store_next(s, &ch, CRM_COL_ALL | CRM_COL_ITEMS, &e)) == CRM_OK && ch.n)
        for (uint32_t i = 0; i < ch.n; i++) {
            n += (size_t)snprintf(buf + n, size - n, "%.*s:%s=",
                                  (int)(ch.order_id_off[i + 1] - ch.order_id_off[i]),
                                  ch.order_id_text + ch.order_id_off[i],
                                  crm_store_customer_id(s, ch.customer[i], NULL));
            for (uint32_t j = ch.item_off[i]; j < ch.item_off[i + 1]; j++) {
                const struct crm_product *p = crm_store_product(s, ch.item_product[j]);
                n += (size_t)snprintf(buf + n, size - n, "%s/%s:%d:%lld ", p->id, p->name,
                                      ch.item_quantity[j], (long long)ch.item_amount[j]);
            }
            n += (size_t)snprintf(buf + n, size - n, ";");
        }
    assert_int_equal(rc, CRM_OK);
    snprintf(buf + n, size - n, " %u products", crm_store_product_count(s));
    crm_store_close(s);
}

/* Merge with line items (crm_merge_items first), like merge(). */
static enum crm_err merge_items(const char *const *paths, size_t n, size_t nw, char out[][32],
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
    int any;
    enum crm_err rc = crm_merge_any_items(paths, n, &any, e);
    if (rc == CRM_OK)
        rc = crm_merge_items(m, any, e);
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

/* Two stores numbering their products differently: the merged store holds one product
 * dictionary (numbered as first used) and each kept order's items under the right product;
 * a duplicate order is skipped with its items. */
static void test_merge_carries_items_remapped(void **state)
{
    (void)state;
    const struct oi a[] = {{"1", "x", "P:1:100,Q:2:50"}, {"2", "y", "Q:1:25"}};
    const struct oi b[] = {{"3", "z", "R:3:30,Q:1:20"}, {"1", "x", "R:9:99"},
                           {"4", "x", "P:1:90,R:1:10"}, {"", "y", ""}};
    char pa[32], pb[32], out[1][32], got[1024];
    build_items(pa, a, 2, 1);
    build_items(pb, b, 4, 1);
    const char *paths[] = {pa, pb};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge_items(paths, 2, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.orders, 5);
    assert_int_equal(st.duplicates, 1);
    assert_int_equal(st.items, 7);
    assert_int_equal(st.items_dropped, 0);
    assert_int_equal(st.orders_without_items, 0);
    items_of(out[0], got, sizeof got);
    assert_string_equal(got, "v2 1:x=P/name of P:1:100 Q/name of Q:2:50 ;2:y=Q/name of Q:1:25 ;"
                             "3:z=Q/name of Q:1:20 R/name of R:3:30 ;"
                             "4:x=P/name of P:1:90 R/name of R:1:10 ;:y=; 3 products");
    unlink(pa), unlink(pb), unlink(out[0]);
}

/* A version-1 store and one with items: the merged store keeps the items there are (format
 * version 2) and counts the orders that came without. Two version-1 stores: version 1. */
static void test_merge_mixed_versions(void **state)
{
    (void)state;
    const struct oi a[] = {{"1", "x", ""}, {"2", "y", ""}};
    const struct oi b[] = {{"3", "z", "R:3:30"}, {"2", "y", "P:1:1"}};
    char pa[32], pb[32], out[1][32], got[512];
    build_items(pa, a, 2, 0);
    build_items(pb, b, 2, 1);
    const char *paths[] = {pa, pb}, *v1[] = {pa, pa};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge_items(paths, 2, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.orders, 3);
    assert_int_equal(st.orders_without_items, 2);
    assert_int_equal(st.items, 1);
    items_of(out[0], got, sizeof got);
    assert_string_equal(got, "v2 1:x=;2:y=;3:z=R/name of R:3:30 ; 1 products");
    unlink(out[0]);
    assert_int_equal(merge_items(v1, 2, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.orders_without_items, 0);
    items_of(out[0], got, sizeof got);
    assert_string_equal(got, "v1 1:x=;2:y=; 0 products");
    unlink(pa), unlink(pb), unlink(out[0]);
}

/* Partitions: each writer numbers its own products; every item lands with its order. */
static void test_merge_items_into_partitions(void **state)
{
    (void)state;
    const struct oi a[] = {{"1", "alice", "P:1:1,Q:1:2"}, {"2", "carol", "Q:2:4"},
                           {"3", "dave", "R:1:5,P:1:1"}, {"4", "gina", "S:1:7"}};
    char pa[32], out[3][32], got[512];
    build_items(pa, a, 4, 1);
    const char *paths[] = {pa};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge_items(paths, 1, 3, out, &st, &e), CRM_OK);
    assert_int_equal(st.items, 6);
    char all[2048] = "";
    for (size_t p = 0; p < 3; p++) {
        items_of(out[p], got, sizeof got);
        strcat(all, got);
        strcat(all, "|");
        unlink(out[p]);
    }
    /* alice and dave in partition 0, carol in 1, gina in 2 (crm_import_partition) */
    assert_int_equal(crm_import_partition("alice", 5, 3), 0);
    assert_int_equal(crm_import_partition("dave", 4, 3), 0);
    assert_int_equal(crm_import_partition("carol", 5, 3), 1);
    assert_int_equal(crm_import_partition("gina", 4, 3), 2);
    assert_string_equal(all, "v2 1:alice=P/name of P:1:1 Q/name of Q:1:2 ;"
                             "3:dave=P/name of P:1:1 R/name of R:1:5 ; 3 products|"
                             "v2 2:carol=Q/name of Q:2:4 ; 1 products|"
                             "v2 4:gina=S/name of S:1:7 ; 1 products|");
    unlink(pa);
}

/* --append of stores with items: onto a version-2 store the items are kept (products
 * numbered after the stored ones); onto a version-1 store they cannot be, and are counted. */
static void test_merge_items_onto_appended_store(void **state)
{
    (void)state;
    const struct oi a[] = {{"1", "x", "P:1:10"}};
    const struct oi b[] = {{"2", "y", "Q:1:20,P:2:20"}, {"1", "x", "Q:5:5"}};
    char pa[32], pv1[32], pb[32], got[512];
    build_items(pa, a, 1, 1);
    build_items(pv1, a, 1, 0);
    build_items(pb, b, 2, 1);
    const char *targets[] = {pa, pv1};
    const char *want[] = {"v2 1:x=P/name of P:1:10 ;2:y=P/name of P:2:20 Q/name of Q:1:20 ;"
                          " 2 products", "v1 1:x=;2:y=; 0 products"};
    for (int t = 0; t < 2; t++) {
        int fd = open(targets[t], O_RDWR);
        struct crm_store_writer *w;
        struct crm_errinfo e;
        assert_int_equal(crm_store_writer_append(fd, targets[t], CRM_STORE_KEEP_IDS, &w, &e),
                         CRM_OK);
        struct crm_merge *m;
        assert_int_equal(crm_merge_new(&w, 1, &m, &e), CRM_OK);
        assert_int_equal(crm_merge_load_existing(m, &e), CRM_OK);
        const char *paths[] = {pb};
        int any;
        assert_int_equal(crm_merge_any_items(paths, 1, &any, &e), CRM_OK);
        assert_int_equal(any, 1);
        assert_int_equal(crm_merge_items(m, any, &e), CRM_OK);
        struct crm_store *s;
        assert_int_equal(crm_store_open(pb, &s, &e), CRM_OK);
        assert_int_equal(crm_merge_store(m, s, &e), CRM_OK);
        crm_store_close(s);
        assert_int_equal(crm_merge_stats(m)->orders, 1);
        assert_int_equal(crm_merge_stats(m)->items, t == 0 ? 2 : 0);
        assert_int_equal(crm_merge_stats(m)->items_dropped, t == 0 ? 0 : 2);
        crm_merge_free(m);
        assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
        crm_store_writer_free(w);
        close(fd);
        items_of(targets[t], got, sizeof got);
        assert_string_equal(got, want[t]);
    }
    unlink(pa), unlink(pv1), unlink(pb);
}

/* Without crm_merge_items the items are not kept, and never silently: they are counted. */
static void test_merge_items_not_asked_for_are_counted(void **state)
{
    (void)state;
    const struct oi a[] = {{"1", "x", "P:1:10,Q:1:1"}, {"2", "x", ""}};
    char pa[32], out[1][32], got[256];
    build_items(pa, a, 2, 1);
    const char *paths[] = {pa};
    struct crm_merge_stats st;
    struct crm_errinfo e;
    assert_int_equal(merge(paths, 1, 1, out, &st, &e), CRM_OK);
    assert_int_equal(st.items, 0);
    assert_int_equal(st.items_dropped, 2);
    items_of(out[0], got, sizeof got);
    assert_string_equal(got, "v1 1:x=;2:x=; 0 products");
    unlink(pa), unlink(out[0]);
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
        cmocka_unit_test(test_merge_carries_items_remapped),
        cmocka_unit_test(test_merge_mixed_versions),
        cmocka_unit_test(test_merge_items_into_partitions),
        cmocka_unit_test(test_merge_items_onto_appended_store),
        cmocka_unit_test(test_merge_items_not_asked_for_are_counted),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
