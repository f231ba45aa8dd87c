/* Tests for lib/kpi: period arithmetic (months, ISO weeks, quarters) and the per-period
 * figures on a small hand-computed data set. */
#include <math.h>

#include "testutil.h"

#include "teststore.h"
#include "customer/kpi.h"

#define P CRM_STATUS_PAID

static void label(enum crm_kpi_period p, const char *day, const char *want, const char *start)
{
    char buf[16];
    int32_t per = crm_kpi_period_of(p, t_day(day));
    crm_kpi_period_label(p, per, buf);
    assert_string_equal(buf, want);
    assert_int_equal(crm_kpi_period_start(p, per), t_day(start));
    assert_int_equal(crm_kpi_period_of(p, t_day(start)), per);
    assert_int_equal(crm_kpi_period_of(p, t_day(start) - 1), per - 1);
}

static void test_kpi_period_labels_and_starts(void **state)
{
    (void)state;
    label(CRM_KPI_MONTH, "2024-02-29", "2024-02", "2024-02-01");
    label(CRM_KPI_MONTH, "1969-12-31", "1969-12", "1969-12-01");
    label(CRM_KPI_QUARTER, "2024-05-15", "2024-Q2", "2024-04-01");
    label(CRM_KPI_QUARTER, "2023-12-31", "2023-Q4", "2023-10-01");
    label(CRM_KPI_WEEK, "2024-01-01", "2024-W01", "2024-01-01");   /* a Monday */
    label(CRM_KPI_WEEK, "2021-01-03", "2020-W53", "2020-12-28");   /* Sunday of W53 */
    label(CRM_KPI_WEEK, "2024-12-31", "2025-W01", "2024-12-30");
    label(CRM_KPI_WEEK, "1970-01-01", "1970-W01", "1969-12-29");
    label(CRM_KPI_WEEK, "1969-12-28", "1969-W52", "1969-12-22");
    assert_int_equal(crm_kpi_parse_period("week"), CRM_KPI_WEEK);
    assert_int_equal(crm_kpi_parse_period("year"), -1);
    for (int p = CRM_KPI_MONTH; p <= CRM_KPI_QUARTER; p++)   /* the names read back */
        assert_int_equal(crm_kpi_parse_period(crm_kpi_period_name((enum crm_kpi_period)p)), p);
    assert_string_equal(crm_kpi_period_name(CRM_KPI_QUARTER), "quarter");
    enum crm_kpi_period p = CRM_KPI_WEEK;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_kpi_period_option("quarter", &p, &e), CRM_OK);
    assert_int_equal(p, CRM_KPI_QUARTER);
    assert_int_equal(crm_kpi_period_option("Month", &p, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--period Month: expected month, week or quarter");
    assert_int_equal(p, CRM_KPI_QUARTER);
}

static const struct t_order ORDERS[] = {
    {"h", "2023-12-20", 1000, 1, P},
    {"a", "2024-01-05", 10000, 1, P},
    {"b", "2024-01-10", 20000, 2, P},
    {"a", "2024-01-20", 5000, 1, P},
    {"c", "2024-01-25", 3000, 1, CRM_STATUS_REFUNDED},
    {"a", "2024-02-03", 8000, 1, P},
    {"d", "2024-02-14", 12000, 1, P},
    {"b", "2024-02-15", 2000, 1, CRM_STATUS_REFUNDED},
    {"e", "2024-02-20", 50000, 1, CRM_STATUS_CANCELLED},
    {"d", "2024-02-28", 6000, 1, P},
    {"a", "2024-03-01", 4000, 1, P},
    {"h", "2024-03-10", 9000, 1, P},
    {"f", "2024-03-15", 30000, 3, P},
    {"d", "2024-03-20", 6000, 1, CRM_STATUS_REFUNDED},
    {"b", "2024-03-31", 10000, 1, P},
    {"g", "2024-04-01", 7000, 1, P},     /* on the as-of day: not counted */
};

static struct crm_kpi *run(enum crm_kpi_period p, int32_t window, char *path,
                           struct crm_store **s)
{
    *s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], NULL, 0, path);
    int32_t as_of = t_day("2024-04-01");
    struct crm_kpi *k;
    struct crm_errinfo e;
    assert_int_equal(crm_kpi_new(p, window ? as_of - window : CRM_NO_DAY, as_of, &k, &e),
                     CRM_OK);
    struct crm_agg_opts ao = {.as_of = as_of, .window_days = window, .history = 1,
                              .visit = crm_kpi_visit, .visit_ctx = k};
    struct crm_agg *a;
    assert_int_equal(crm_agg_run(*s, &ao, &a, &e), CRM_OK);
    assert_int_equal(crm_kpi_finish(k, a, &e), CRM_OK);
    crm_agg_free(a);
    return k;
}

static void test_kpi_monthly_figures_by_hand(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    struct crm_kpi *k = run(CRM_KPI_MONTH, 0, path, &s);
    assert_int_equal(crm_kpi_count(k), 4);
    struct crm_kpi_row r;
    crm_kpi_row(k, 0, &r);
    assert_string_equal(r.label, "2023-12");
    assert_true(isnan(r.revenue_growth) && isnan(r.customer_growth));
    crm_kpi_row(k, 1, &r);   /* a (2 orders), b: both new; c's refund */
    assert_string_equal(r.label, "2024-01");
    assert_int_equal(r.orders, 3);
    assert_int_equal(r.paying, 2);
    assert_int_equal(r.new_customers, 2);
    assert_int_equal(r.returning, 0);
    assert_int_equal(r.revenue, 35000);
    assert_int_equal(r.avg_order_value, 11667);
    assert_true(r.orders_per_customer == 1.5);
    assert_true(r.revenue_growth == 34.0);
    assert_true(r.customer_growth == 1.0);
    assert_int_equal(r.refunds, 1);
    assert_true(fabs(r.refund_rate - 1.0 / 3.0) < 1e-15);
    crm_kpi_row(k, 2, &r);   /* a returns, d is new; the cancelled order does not count */
    assert_int_equal(r.orders, 3);
    assert_int_equal(r.paying, 2);
    assert_int_equal(r.new_customers, 1);
    assert_true(r.repeat_rate == 0.5);
    assert_int_equal(r.revenue, 26000);
    assert_true(fabs(r.revenue_growth - (26000.0 - 35000.0) / 35000.0) < 1e-15);
    assert_true(r.customer_growth == 0.0);
    crm_kpi_row(k, 3, &r);   /* a, b, h return (h last bought in December), f is new */
    assert_int_equal(r.end, t_day("2024-03-31"));
    assert_int_equal(r.orders, 4);
    assert_int_equal(r.paying, 4);
    assert_int_equal(r.new_customers, 1);
    assert_int_equal(r.returning, 3);
    assert_true(r.repeat_rate == 0.75);
    assert_int_equal(r.revenue, 53000);
    assert_int_equal(r.avg_order_value, 13250);
    assert_true(r.refund_rate == 0.25);
    crm_kpi_free(k);
    crm_store_close(s);
    unlink(path);
}

static void test_kpi_window_lists_from_its_first_period(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    /* 60 days before 2024-04-01 is 2024-02-01: February and March are listed, and
     * February's growth is still on January */
    struct crm_kpi *k = run(CRM_KPI_MONTH, 60, path, &s);
    assert_int_equal(crm_kpi_count(k), 2);
    struct crm_kpi_row r;
    crm_kpi_row(k, 0, &r);
    assert_string_equal(r.label, "2024-02");
    assert_true(fabs(r.revenue_growth - (26000.0 - 35000.0) / 35000.0) < 1e-15);
    crm_kpi_free(k);
    crm_store_close(s);
    unlink(path);
}

static void test_kpi_weeks_without_orders_are_listed(void **state)
{
    (void)state;
    char path[64];
    struct crm_store *s;
    struct crm_kpi *k = run(CRM_KPI_WEEK, 0, path, &s);
    assert_int_equal(crm_kpi_count(k), 15);   /* 2023-W51 .. 2024-W13 */
    struct crm_kpi_row r;
    crm_kpi_row(k, 1, &r);                    /* 2023-W52: nothing */
    assert_string_equal(r.label, "2023-W52");
    assert_int_equal(r.orders, 0);
    assert_false(r.has_avg);
    assert_true(isnan(r.repeat_rate) && isnan(r.refund_rate));
    assert_true(r.revenue_growth == -1.0);
    crm_kpi_row(k, 2, &r);                    /* after an empty week: no growth figure */
    assert_true(isnan(r.revenue_growth));
    crm_kpi_row(k, 10, &r);                   /* 2024-W09: Feb 26 .. Mar 3 */
    assert_string_equal(r.label, "2024-W09");
    assert_int_equal(r.orders, 2);
    assert_int_equal(r.revenue, 10000);
    crm_kpi_free(k);
    crm_store_close(s);
    unlink(path);
}

static void test_kpi_period_name_is_what_parse_reads(void **state)
{
    (void)state;
    assert_string_equal(crm_kpi_period_name(CRM_KPI_MONTH), "month");
    assert_string_equal(crm_kpi_period_name(CRM_KPI_WEEK), "week");
    assert_string_equal(crm_kpi_period_name(CRM_KPI_QUARTER), "quarter");
    for (int p = CRM_KPI_MONTH; p <= CRM_KPI_QUARTER; p++)
        assert_int_equal(crm_kpi_parse_period(crm_kpi_period_name((enum crm_kpi_period)p)), p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kpi_period_labels_and_starts),
        cmocka_unit_test(test_kpi_period_name_is_what_parse_reads),
        cmocka_unit_test(test_kpi_monthly_figures_by_hand),
        cmocka_unit_test(test_kpi_window_lists_from_its_first_period),
        cmocka_unit_test(test_kpi_weeks_without_orders_are_listed),
    };
    return cmocka_run_group_tests_name("kpi", tests, NULL, NULL);
}
