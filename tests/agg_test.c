/* Tests for lib/agg: the window rule, statuses, history and the visit hook. */
#include "testutil.h"

#include "teststore.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agg_window_includes_age_365_and_excludes_as_of_day),
        cmocka_unit_test(test_agg_default_as_of_is_day_after_latest_order),
        cmocka_unit_test(test_agg_all_history_and_visit_hook),
    };
    return cmocka_run_group_tests_name("agg", tests, NULL, NULL);
}
