/* paretorep_test: crm-pareto's options, one store ranked, and the report tables — rows of a
 * ranked store and rows fed from merged partials are the same bytes. */
#include "testutil.h"

#include <fcntl.h>

#include "customer/paretorep.h"
#include "store/store.h"
#include "text/timeparse.h"

static int32_t D(const char *s)
{
    int32_t d;
    assert_int_equal(crm_date_parse(s, &d), 0);
    return d;
}

struct o {
    const char *cust;
    int64_t amount;
    int status;
};

static void write_store(const struct o *orders, size_t n, char *path)
{
    strcpy(path, "/tmp/crm-paretorep-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        struct crm_order ord = {0};
        assert_int_equal(crm_store_writer_customer(w, orders[i].cust, strlen(orders[i].cust),
                                                   &ord.customer, &e), CRM_OK);
        ord.time = (int64_t)D("2024-06-01") * 86400 + 3600 * (int64_t)i;
        ord.amount = orders[i].amount;
        ord.quantity = 1;
        ord.status = (uint8_t)orders[i].status;
        assert_int_equal(crm_store_writer_add(w, &ord, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

/* What a table writer wrote, as text. */
struct sink {
    char path[64];
    int fd;
    struct crm_out *o;
};

static void sink_open(struct sink *k)
{
    strcpy(k->path, "/tmp/crm-paretorep-out-XXXXXX");
    k->fd = mkstemp(k->path);
    assert_true(k->fd >= 0);
    k->o = crm_out_new(k->fd, k->path, 0);
    assert_non_null(k->o);
}

static char *sink_text(struct sink *k)
{
    struct crm_errinfo e;
    static char buf[4096];
    assert_int_equal(crm_out_close(k->o, &e), CRM_OK);
    ssize_t n = pread(k->fd, buf, sizeof buf - 1, 0);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(k->fd);
    unlink(k->path);
    return buf;
}

static void test_paretorep_options_default_and_set(void **state)
{
    (void)state;
    struct crm_pareto_opts o;
    struct crm_errinfo e;
    crm_pareto_opts_default(&o);
    assert_int_equal(o.by, CRM_PARETO_MONETARY);
    assert_int_equal(o.a_bp, 8000);
    assert_int_equal(o.b_bp, 9500);
    assert_int_equal(crm_pareto_set_option(&o, "by", "frequency", &e), CRM_OK);
    assert_int_equal(o.by, CRM_PARETO_FREQUENCY);
    assert_int_equal(crm_pareto_set_option(&o, "abc", "70,90.5", &e), CRM_OK);
    assert_int_equal(o.a_bp, 7000);
    assert_int_equal(o.b_bp, 9050);
    assert_int_equal(crm_pareto_opts_finish(&o, &e), CRM_OK);
    assert_int_equal(o.by, CRM_PARETO_FREQUENCY);
}

static void test_paretorep_options_refuse_bad_by_and_net_frequency(void **state)
{
    (void)state;
    struct crm_pareto_opts o;
    struct crm_errinfo e;
    crm_pareto_opts_default(&o);
    crm_errinfo_clear(&e);
    assert_int_equal(crm_pareto_set_option(&o, "by", "revenue", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--by revenue: expected monetary or frequency");
    assert_int_equal(crm_pareto_set_option(&o, "net", NULL, &e), CRM_OK);
    assert_int_equal(crm_pareto_opts_finish(&o, &e), CRM_OK);
    assert_int_equal(o.by, CRM_PARETO_NET);
    crm_pareto_opts_default(&o);
    assert_int_equal(crm_pareto_set_option(&o, "net", NULL, &e), CRM_OK);
    assert_int_equal(crm_pareto_set_option(&o, "by", "frequency", &e), CRM_OK);
    assert_int_equal(crm_pareto_opts_finish(&o, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--net applies to --by monetary (refunds are money)");
    assert_int_equal(crm_pareto_set_option(&o, "curve", "3", &e), CRM_EUSAGE);
}

static const struct o shop[] = {
    {"c2", 10000, CRM_STATUS_PAID}, {"c3", 30000, CRM_STATUS_PAID},
    {"c1", 20000, CRM_STATUS_PAID}, {"c1", 10000, CRM_STATUS_PAID},
    {"c4", 0, CRM_STATUS_PAID},     {"c5", 5000, CRM_STATUS_CANCELLED},
};

static const char rows[] =
    "rank,customer_id,value,share,cum_customers,cum_value,class\n"
    "1,c1,300.00,0.4285714,0.2500000,0.4285714,A\n"
    "2,c3,300.00,0.4285714,0.5000000,0.8571429,A\n"
    "3,c2,100.00,0.1428571,0.7500000,1.0000000,B\n"
    "4,c4,0.00,0.0000000,1.0000000,1.0000000,C\n";

static void test_paretorep_store_rows_rank_ties_by_id(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    struct crm_pareto_ranking rk;
    struct crm_pareto_opts po;
    struct crm_errinfo e;
    struct sink k;
    write_store(shop, sizeof shop / sizeof *shop, path);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    crm_pareto_opts_default(&po);
    assert_int_equal(crm_pareto_rank_store(s, po.by, D("2024-07-01"), 365, 1, &rk, &e), CRM_OK);
    assert_int_equal(rk.in.n, 4);               /* c5 has no paid order: not ranked */
    assert_int_equal(rk.store_customers, 5);
    assert_int_equal(rk.window_start, D("2024-07-01") - 365);
    assert_int_equal(rk.orders_future, 0);
    sink_open(&k);
    assert_int_equal(crm_pareto_write_rows(k.o, &rk, s, &po, 2, &e), CRM_OK);
    assert_string_equal(sink_text(&k), rows);

    /* The same customers fed in rank order, as from merged partials: the same bytes. */
    sink_open(&k);
    struct crm_pareto_feed f;
    crm_pareto_feed_init(&f, k.o, rk.p, &po, 2);
    const char *id[] = {"c1", "c3", "c2", "c4"};
    const int64_t value[] = {30000, 30000, 10000, 0};
    for (int r = 0; r < 4; r++)
        assert_int_equal(crm_pareto_feed_row(&f, id[r], 2, value[r]), 0);
    assert_int_equal(f.rc, CRM_OK);
    assert_string_equal(sink_text(&k), rows);
    crm_pareto_ranking_free(&rk);
    crm_store_close(s);
    unlink(path);
}

static void test_paretorep_feed_refuses_ascending_values(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    struct crm_pareto_ranking rk;
    struct crm_pareto_opts po;
    struct crm_errinfo e;
    struct sink k;
    write_store(shop, sizeof shop / sizeof *shop, path);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    crm_pareto_opts_default(&po);
    assert_int_equal(crm_pareto_rank_store(s, po.by, D("2024-07-01"), 365, 0, &rk, &e), CRM_OK);
    assert_null(rk.order);                      /* no rows asked for: no ranking */
    sink_open(&k);
    struct crm_pareto_feed f;
    crm_pareto_feed_init(&f, k.o, rk.p, &po, 2);
    assert_int_equal(crm_pareto_feed_row(&f, "c2", 2, 10000), 0);
    assert_int_equal(crm_pareto_feed_row(&f, "c1", 2, 30000), 1);
    assert_int_equal(f.rc, CRM_EUSAGE);
    sink_text(&k);
    crm_pareto_ranking_free(&rk);
    crm_store_close(s);
    unlink(path);
}

static void test_paretorep_summary_and_curve(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    struct crm_pareto_ranking rk;
    struct crm_pareto_opts po;
    struct crm_errinfo e;
    struct sink k;
    write_store(shop, sizeof shop / sizeof *shop, path);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    crm_pareto_opts_default(&po);
    assert_int_equal(crm_pareto_rank_store(s, po.by, D("2024-07-01"), 0, 0, &rk, &e), CRM_OK);
    sink_open(&k);
    assert_int_equal(crm_pareto_write_curve(k.o, rk.p, 2, &e), CRM_OK);
    assert_string_equal(sink_text(&k), "customer_share,value_share\n"
                                       "0.0000000,0.0000000\n"
                                       "0.5000000,0.1428571\n"
                                       "1.0000000,1.0000000\n");
    sink_open(&k);
    assert_int_equal(crm_pareto_write_summary(k.o, rk.p, &po, 2, &e), CRM_OK);
    const char *text = sink_text(&k);
    assert_non_null(strstr(text, "metric,value\ncustomers,4\ntotal_value,700.00\n"));
    assert_non_null(strstr(text, "a_customers,2\na_value,600.00\nb_customers,1\n"
                                 "b_value,100.00\nc_customers,1\nc_value,0.00\n"));
    crm_pareto_ranking_free(&rk);
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paretorep_options_default_and_set),
        cmocka_unit_test(test_paretorep_options_refuse_bad_by_and_net_frequency),
        cmocka_unit_test(test_paretorep_store_rows_rank_ties_by_id),
        cmocka_unit_test(test_paretorep_feed_refuses_ascending_values),
        cmocka_unit_test(test_paretorep_summary_and_curve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
