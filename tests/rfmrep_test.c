/* rfmrep_test: crm-rfm's report table — the header, a scored row (dates, recency, money,
 * scores, cell, tier), an unscored customer left out or listed with empty scores (--all),
 * and many rows in the store's customer order. */
#include "testutil.h"

#include "teststore.h"
#include "customer/rfmrep.h"

static const struct t_order shop[] = {
    {"c1", "2024-06-01", 10000, 1, CRM_STATUS_PAID},
    {"c2", "2024-05-01", 5000, 1, CRM_STATUS_CANCELLED},
    {"c1", "2024-06-21", 30000, 2, CRM_STATUS_PAID},
    {"c3", "2023-01-01", 70000, 1, CRM_STATUS_PAID},   /* before the window: unscored */
};

/* The rows of shop as of 2024-07-01, window 365, seed scheme. */
static const char *report(int all)
{
    char path[64];
    struct crm_store *s = t_store(shop, 4, NULL, 0, path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365, .no_items = 1};
    struct crm_agg *a;
    struct crm_rfm *r;
    struct crm_rfm_opts ro;
    struct crm_errinfo e;
    crm_rfm_opts_default(&ro);
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    assert_int_equal(crm_rfm_new(&ro, a, 2, &r, &e), CRM_OK);
    struct t_sink k;
    assert_int_equal(crm_rfmrep_write(t_sink_open(&k, 0), s, r, 2, all, &e), CRM_OK);
    const char *text = t_sink_text(&k);
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
    return text;
}

static void test_rfmrep_scored_customers_only(void **state)
{
    (void)state;
    /* c1: last order 10 days before → R5; 2 orders → F2; average 200.00 < 300 → M1;
     * 1*5 + 3*2 + 4*1 = 15 < 17 → B */
    assert_string_equal(report(0),
                        "customer_id,first_order,last_order,recency_days,frequency,"
                        "monetary_total,monetary_avg,r,f,m,score,rfm,tier\n"
                        "c1,2024-06-01,2024-06-21,10,2,400.00,200.00,5,2,1,15,521,B\n");
}

static void test_rfmrep_all_lists_unscored_with_empty_scores(void **state)
{
    (void)state;
    assert_string_equal(report(1),
                        "customer_id,first_order,last_order,recency_days,frequency,"
                        "monetary_total,monetary_avg,r,f,m,score,rfm,tier\n"
                        "c1,2024-06-01,2024-06-21,10,2,400.00,200.00,5,2,1,15,521,B\n"
                        "c2,,,,0,0.00,,,,,,,\n"
                        "c3,,,,0,0.00,,,,,,,\n");
}

/* Enough customers for lib/outrows to format blocks on two threads: still one row each, in
 * the store's customer order. */
static void test_rfmrep_many_rows_in_store_order(void **state)
{
    (void)state;
    enum { N = 3000 };
    static struct t_order many[N];
    static char ids[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "k%d", i);
        many[i] = (struct t_order){ids[i], "2024-06-30", 100 * (i + 1), 1, CRM_STATUS_PAID};
    }
    char path[64];
    struct crm_store *s = t_store(many, N, NULL, 0, path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365, .no_items = 1};
    struct crm_agg *a;
    struct crm_rfm *r;
    struct crm_rfm_opts ro;
    struct crm_errinfo e;
    crm_rfm_opts_default(&ro);
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    assert_int_equal(crm_rfm_new(&ro, a, 2, &r, &e), CRM_OK);
    struct t_sink k;
    assert_int_equal(crm_rfmrep_write(t_sink_open(&k, 0), s, r, 2, 0, &e), CRM_OK);
    const char *text = t_sink_text(&k);
    const char *p = strchr(text, '\n') + 1;
    for (int i = 0; i < N; i++) {
        char want[96];
        /* one order of (i+1).00 one day before: R5 F1 M1 (under 300.00) or M2 from 300.00 */
        int m = i + 1 >= 2000 ? 5 : i + 1 >= 1000 ? 4 : i + 1 >= 500 ? 3 : i + 1 >= 300 ? 2 : 1;
        snprintf(want, sizeof want, "k%d,2024-06-30,2024-06-30,1,1,%d.00,%d.00,5,1,%d,", i,
                 i + 1, i + 1, m);
        assert_memory_equal(p, want, strlen(want));
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    assert_string_equal(p, "");
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfmrep_scored_customers_only),
        cmocka_unit_test(test_rfmrep_all_lists_unscored_with_empty_scores),
        cmocka_unit_test(test_rfmrep_many_rows_in_store_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
