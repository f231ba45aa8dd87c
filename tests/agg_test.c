/* Tests for lib/agg: the window rule, statuses, history and the visit hook; arrays that grow
 * with the dictionary over many DICT blocks (file: prepared ahead from the END block's count;
 * pipe: grown), stores with no orders, and an END block whose count is wrong. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "teststore.h"
#include "store/storefmt.h"

static const struct t_order ORDERS[] = {
    {"a", "2023-07-01", 10000, 1, CRM_STATUS_PAID},     /* age 366: outside a 365-day window */
    {"a", "2023-07-02", 20000, 2, CRM_STATUS_PAID},     /* age 365: inside */
    {"a", "2024-06-30", 30000, 3, CRM_STATUS_PAID},     /* age 1 */
    {"a", "2024-07-01", 99999, 9, CRM_STATUS_PAID},     /* age 0: the as-of day, ignored */
    {"b", "2024-05-01", 5000, 1, CRM_STATUS_REFUNDED},
    {"b", "2024-05-02", 7000, 1, CRM_STATUS_CANCELLED},
    {"b", "2024-05-03", 7000, 1, CRM_STATUS_PENDING},
    {"c", "2020-01-01", 100, 1, CRM_STATUS_CANCELLED},  /* known long before */
};

static void test_agg_window_includes_age_365_and_excludes_as_of_day(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], NULL, 0, path);
    struct crm_agg_opts o = {0};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_date_parse("2024-07-01", &o.as_of), 0);
    o.window_days = 365;
    o.history = 1;
    assert_int_equal(crm_agg_run(s, &o, &a, &e), CRM_OK);
    assert_int_equal(a->n, 3);
    assert_int_equal(a->cust[0].paid_orders, 2);
    assert_int_equal(a->cust[0].paid_money, 50000);
    assert_int_equal(a->cust[0].items, 5);
    int32_t d;
    crm_date_parse("2023-07-02", &d);
    assert_int_equal(a->cust[0].first_paid, d);
    crm_date_parse("2024-06-30", &d);
    assert_int_equal(a->cust[0].last_paid, d);
    crm_date_parse("2023-07-01", &d);
    assert_int_equal(a->cust[0].first_paid_ever, d);
    assert_int_equal(a->orders_future, 1);
    assert_int_equal(a->orders, 8);
    assert_int_equal(a->cust[1].paid_orders, 0);
    assert_int_equal(a->cust[1].last_paid, CRM_NO_DAY);
    assert_int_equal(a->more[1].refunded, 1);
    assert_int_equal(a->more[1].refund_money, 5000);
    assert_int_equal(a->more[1].cancelled, 1);
    assert_int_equal(a->more[1].pending, 1);
    assert_true(crm_agg_known_before(a, 2));
    assert_false(crm_agg_known_before(a, 1));
    assert_true(crm_agg_known_before(a, 0));
    assert_null(a->info);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

static void test_agg_default_as_of_is_day_after_latest_order(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], NULL, 0, path);
    int32_t as_of, want;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_default_as_of(s, &as_of, &e), CRM_OK);
    crm_date_parse("2024-07-02", &want);
    assert_int_equal(as_of, want);
    crm_store_close(s);
    unlink(path);
}

static enum crm_err count_visits(void *ctx, const struct crm_chunk *c, const int32_t *day,
                                 struct crm_errinfo *e)
{
    (void)e;
    (void)day;
    *(uint32_t *)ctx += c->n;
    return CRM_OK;
}

static void test_agg_all_history_and_visit_hook(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], NULL, 0, path);
    uint32_t visited = 0;
    struct crm_agg_opts o = {.window_days = 0, .visit = count_visits, .visit_ctx = &visited};
    crm_date_parse("2024-07-01", &o.as_of);
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &o, &a, &e), CRM_OK);
    assert_int_equal(visited, 8);
    assert_int_equal(a->cust[0].paid_orders, 3);
    assert_int_equal(a->more[2].cancelled, 1);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

/* BIG_C customers over BIG_N orders in time order, so each chunk brings new customers and
 * the dictionary arrives in several DICT blocks; the arrays pass bigmem's 2 MiB line. */
#define BIG_C 150000u
#define BIG_N 230000u
#define BIG_DAY0 19000

static uint32_t big_cust(uint32_t i)
{
    return i < BIG_C ? i : (i * 7919u) % BIG_C;
}

static int big_status(uint32_t i)
{
    return i % 5 == 4 ? CRM_STATUS_CANCELLED : i % 11 == 3 ? CRM_STATUS_REFUNDED : CRM_STATUS_PAID;
}

static void write_big_store(char *path)
{
    strcpy(path, "/tmp/crm-agg-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    for (uint32_t i = 0; i < BIG_N; i++) {
        char id[16];
        int len = snprintf(id, sizeof id, "k%u", big_cust(i));
        struct crm_order ord = {0};
        assert_int_equal(crm_store_writer_customer(w, id, (size_t)len, &ord.customer, &e), CRM_OK);
        ord.time = (int64_t)(BIG_DAY0 + i / 1000) * 86400 + 60 * (int64_t)(i % 1000);
        ord.amount = 100 + i % 997;
        ord.quantity = 1 + (int)(i % 3);
        ord.status = (uint8_t)big_status(i);
        assert_int_equal(crm_store_writer_add(w, &ord, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

struct growth {
    struct crm_store *s;
    uint32_t counts[16];     /* dictionary size at each chunk */
    int chunks;
};

static enum crm_err note_growth(void *ctx, const struct crm_chunk *c, const int32_t *day,
                                struct crm_errinfo *e)
{
    (void)c;
    (void)day;
    (void)e;
    struct growth *g = ctx;
    if (g->chunks < 16)
        g->counts[g->chunks++] = crm_store_customer_count(g->s);
    return CRM_OK;
}

/* Every customer's figures against a plain model of the orders (customer k's index is k:
 * ids enter the dictionary in the order they first appear). */
static void check_big(const struct crm_agg *a)
{
    assert_int_equal(a->n, BIG_C);
    assert_true(a->cap >= BIG_C);
    assert_int_equal(a->orders, BIG_N);
    struct crm_cust *want = calloc(BIG_C, sizeof *want);
    struct crm_cust_more *more = calloc(BIG_C, sizeof *more);
    assert_non_null(want);
    assert_non_null(more);
    for (uint32_t k = 0; k < BIG_C; k++) {
        want[k] = (struct crm_cust){0, CRM_NO_DAY, CRM_NO_DAY, 0, 0, CRM_NO_DAY, CRM_NO_DAY};
        more[k] = (struct crm_cust_more){0, 0, 0, 0, CRM_NO_DAY};
    }
    for (uint32_t i = 0; i < BIG_N; i++) {
        uint32_t k = big_cust(i);
        int32_t d = (int32_t)(BIG_DAY0 + i / 1000);
        if (big_status(i) == CRM_STATUS_PAID) {
            if (want[k].first_paid == CRM_NO_DAY)
                want[k].first_paid = want[k].first_paid_ever = d;
            want[k].last_paid = want[k].last_paid_ever = d;
            want[k].paid_orders++;
            want[k].paid_money += 100 + i % 997;
            want[k].items += 1 + i % 3;
        } else {
            if (more[k].first_other_ever == CRM_NO_DAY)
                more[k].first_other_ever = d;
            if (big_status(i) == CRM_STATUS_REFUNDED) {
                more[k].refunded++;
                more[k].refund_money += 100 + i % 997;
            } else {
                more[k].cancelled++;
            }
        }
    }
    uint32_t bad = 0, never_paid = 0;
    for (uint32_t k = 0; k < BIG_C; k++) {
        bad += memcmp(&a->cust[k], &want[k], sizeof want[k]) != 0;
        bad += a->paid_only ? 0 : a->more[k].refund_money != more[k].refund_money ||
               a->more[k].cancelled != more[k].cancelled ||
               a->more[k].refunded != more[k].refunded || a->more[k].pending != 0 ||
               a->more[k].first_other_ever != more[k].first_other_ever;
        never_paid += a->cust[k].first_paid == CRM_NO_DAY;
    }
    assert_int_equal(bad, 0);
    assert_true(never_paid > 1000);    /* untouched entries must read "no day", not 0 */
    assert_int_equal(a->cust[0].first_paid, BIG_DAY0);
    if (a->paid_only)    /* paid orders alone: the other statuses' array is never made */
        assert_null(a->more);
    else
        assert_int_equal(a->more[4].first_other_ever, BIG_DAY0);
    assert_int_equal(a->orders, BIG_N);
    free(want);
    free(more);
}

static struct crm_agg *run_big(struct crm_store *s, struct growth *g, int paid_only)
{
    g->s = s;
    struct crm_agg_opts o = {.as_of = BIG_DAY0 + 400, .visit = note_growth, .visit_ctx = g,
                             .paid_only = paid_only};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &o, &a, &e), CRM_OK);
    return a;
}

static void test_agg_arrays_grow_with_the_dictionary_from_a_file(void **state)
{
    (void)state;
    char path[64];
    write_big_store(path);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    for (int paid_only = 0; paid_only < 2; paid_only++) {   /* the END block's hint */
        struct growth g = {0};
        if (paid_only)
            assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
        struct crm_agg *a = run_big(s, &g, paid_only);
        assert_int_equal(a->paid_only, paid_only);
        check_big(a);
        crm_agg_free(a);
    }
    crm_store_close(s);
    unlink(path);
}

/* The store file (1.5 MB) is past the reader's 1 MiB line, so it is read through a mapping
 * that is given back when the pass ends; a second pass after crm_store_rewind reads the
 * given-back bytes again, and both agree with the model (and with the pipe below). */
static void test_agg_mapped_file_read_twice(void **state)
{
    (void)state;
    char path[64];
    write_big_store(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 1024 * 1024);   /* mapped */
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    for (int pass = 0; pass < 2; pass++) {
        if (pass)
            assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
        struct growth g = {0};
        struct crm_agg *a = run_big(s, &g, 0);
        check_big(a);
        crm_agg_free(a);
    }
    crm_store_close(s);
    unlink(path);
}

static void pipe_pass(int paid_only)
{
    char path[64];
    write_big_store(path);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        FILE *f = fopen(path, "rb");
        char buf[4096];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            if (write(fds[1], buf, n) != (ssize_t)n)
                break;
        _exit(0);
    }
    close(fds[1]);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open_fd(fds[0], "stdin", NULL, 0, &s, &e), CRM_OK);
    struct growth g = {0};
    struct crm_agg *a = run_big(s, &g, paid_only);
    assert_int_equal(a->paid_only, paid_only);
    assert_int_equal(g.chunks, (BIG_N + CRM_CHUNK_ROWS - 1) / CRM_CHUNK_ROWS);
    /* the dictionary came in blocks with the chunks (the reader may be a chunk ahead), so
     * the arrays grew after the first chunk */
    assert_true(g.counts[0] >= CRM_CHUNK_ROWS);
    assert_true(g.counts[0] < BIG_C);
    assert_int_equal(g.counts[g.chunks - 1], BIG_C);
    check_big(a);
    crm_agg_free(a);
    crm_store_close(s);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    unlink(path);
}

static void test_agg_arrays_grow_with_the_dictionary_on_a_pipe(void **state)
{
    (void)state;
    pipe_pass(0);
}

/* Without the END block's hint the arrays grow, and with paid orders alone only one does. */
static void test_agg_paid_only_grows_one_array_on_a_pipe(void **state)
{
    (void)state;
    pipe_pass(1);
}

/* A damaged END block that undercounts the customers (the helper prepares too few: the
 * arrays grow past them) or overcounts them: the pass fails on the END block's totals, as
 * without the hint; the right count gives the right figures. */
static void test_agg_end_block_count_is_only_a_hint(void **state)
{
    (void)state;
    const uint64_t claims[] = {1000, BIG_C + 70000, BIG_C};
    for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++) {
        char path[64];
        write_big_store(path);
        t_set_end_customers(path, claims[k]);
        struct crm_store *s;
        struct crm_errinfo e;
        assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
        assert_int_equal(crm_store_customer_hint(s), claims[k]);
        struct crm_agg_opts o = {.as_of = BIG_DAY0 + 1000, .history = 1};
        struct crm_agg *a = NULL;
        enum crm_err rc = crm_agg_run(s, &o, &a, &e);
        if (claims[k] == BIG_C) {
            assert_int_equal(rc, CRM_OK);
            check_big(a);
            crm_agg_free(a);
        } else {
            assert_int_equal(rc, CRM_ECORRUPT);
            assert_null(a);
            assert_non_null(strstr(e.msg, "end block totals"));
        }
        crm_store_close(s);
        unlink(path);
    }
}

static void test_agg_store_without_orders(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s = t_store(NULL, 0, NULL, 0, path);
    struct crm_agg_opts o = {.as_of = BIG_DAY0};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &o, &a, &e), CRM_OK);
    assert_int_equal(a->n, 0);
    assert_int_equal(a->orders, 0);
    assert_null(a->info);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
    /* customers-file rows but no orders: every customer is there, with no day at all */
    const struct t_customer cust[] = {{"x", "1990-05-06", 0, 0}, {"y", NULL, 1, 0}};
    s = t_store(NULL, 0, cust, 2, path);
    assert_int_equal(crm_agg_run(s, &o, &a, &e), CRM_OK);
    assert_int_equal(a->n, 2);
    assert_int_equal(a->orders, 0);
    for (uint32_t k = 0; k < 2; k++) {
        assert_int_equal(a->cust[k].first_paid, CRM_NO_DAY);
        assert_int_equal(a->cust[k].last_paid_ever, CRM_NO_DAY);
        assert_int_equal(a->cust[k].paid_orders, 0);
        assert_int_equal(crm_agg_first_order(a, k), CRM_NO_DAY);
        assert_int_equal(a->info[k], (int32_t)k);
    }
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agg_window_includes_age_365_and_excludes_as_of_day),
        cmocka_unit_test(test_agg_default_as_of_is_day_after_latest_order),
        cmocka_unit_test(test_agg_all_history_and_visit_hook),
        cmocka_unit_test(test_agg_arrays_grow_with_the_dictionary_from_a_file),
        cmocka_unit_test(test_agg_arrays_grow_with_the_dictionary_on_a_pipe),
        cmocka_unit_test(test_agg_paid_only_grows_one_array_on_a_pipe),
        cmocka_unit_test(test_agg_mapped_file_read_twice),
        cmocka_unit_test(test_agg_store_without_orders),
        cmocka_unit_test(test_agg_end_block_count_is_only_a_hint),
    };
    return cmocka_run_group_tests_name("agg", tests, NULL, NULL);
}
