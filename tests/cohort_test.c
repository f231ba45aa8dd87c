/* Tests for lib/customer/cohort: a hand-computed table (cohorts by first paid order, refunds
 * and cancellations never count, orders on or after the as-of date ignored, cumulative
 * revenue per customer rounded half away from zero), week labels, and partitions' cells
 * adding up to the table of the whole. */
#include "testutil.h"

#include "teststore.h"
#include "customer/cohort.h"

#define P CRM_STATUS_PAID
#define R CRM_STATUS_REFUNDED
#define C CRM_STATUS_CANCELLED

static const struct t_order ORDERS[] = {
    {"a", "2024-01-05", 10001, 1, P}, {"a", "2024-01-20", 5000, 1, P},
    {"a", "2024-03-02", 8000, 1, P},  {"b", "2024-01-31", 20000, 1, P},
    {"b", "2024-02-01", 1000, 1, R},  {"b", "2024-02-10", 900, 1, C},
    {"c", "2024-02-14", 12000, 1, P}, {"c", "2024-02-28", 6000, 1, P},
    {"c", "2024-04-01", 7000, 1, P},  {"d", "2024-01-10", 4000, 1, R},
    {"e", "2024-03-15", 3000, 1, P},  {"e", "2023-12-31", 2500, 1, C},
};

static struct crm_cohort *scan(const struct t_order *o, size_t n, enum crm_kpi_period p,
                               uint64_t *ignored)
{
    char path[64];
    struct crm_errinfo e;
    struct crm_store *s = t_store(o, n, NULL, 0, path);
    struct crm_cohort *co;
    assert_int_equal(crm_cohort_new(p, t_day("2024-04-01"), &co, &e), CRM_OK);
    assert_int_equal(crm_cohort_scan(co, s, ignored, &e), CRM_OK);
    crm_store_close(s);
    unlink(path);
    return co;
}

static void row_is(const struct crm_cohort *co, size_t i, size_t k, const char *cohort,
                   const char *start, uint64_t size, uint64_t active, uint64_t orders,
                   int64_t revenue, int64_t cum)
{
    struct crm_cohort_row r;
    crm_cohort_row(co, i, k, &r);
    assert_string_equal(r.cohort, cohort);
    assert_int_equal(r.period_index, (int)k);
    assert_int_equal(r.period_start, t_day(start));
    assert_int_equal(r.cohort_size, size);
    assert_int_equal(r.active, active);
    assert_int_equal(r.orders, orders);
    assert_int_equal(r.revenue, revenue);
    assert_int_equal(r.cum_revenue_per_customer, cum);
    assert_true(r.retention == (double)active / (double)size);
}

static void test_cohort_monthly_table_by_hand(void **state)
{
    (void)state;
    uint64_t ignored;
    struct crm_cohort *co = scan(ORDERS, sizeof ORDERS / sizeof *ORDERS, CRM_KPI_MONTH,
                                 &ignored);
    assert_int_equal(ignored, 1);   /* c's order of 2024-04-01 */
    assert_int_equal(crm_cohort_count(co), 3);   /* d only refunded; e's Dec order cancelled */
    assert_int_equal(crm_cohort_max_periods(co), 3);
    assert_int_equal(crm_cohort_periods(co, 0), 3);
    assert_int_equal(crm_cohort_periods(co, 1), 2);
    assert_int_equal(crm_cohort_periods(co, 2), 1);
    /* 2024-01: a, b; 35001 in Jan → 17500.5 per customer → 17501 (half away from zero) */
    row_is(co, 0, 0, "2024-01", "2024-01-01", 2, 2, 3, 35001, 17501);
    row_is(co, 0, 1, "2024-01", "2024-02-01", 2, 0, 0, 0, 17501);   /* refund, cancel */
    row_is(co, 0, 2, "2024-01", "2024-03-01", 2, 1, 1, 8000, 21501);
    row_is(co, 1, 0, "2024-02", "2024-02-01", 1, 1, 2, 18000, 18000);
    row_is(co, 1, 1, "2024-02", "2024-03-01", 1, 0, 0, 0, 18000);
    row_is(co, 2, 0, "2024-03", "2024-03-01", 1, 1, 1, 3000, 3000);
    crm_cohort_free(co);
}

static void test_cohort_weeks_are_named_by_their_monday(void **state)
{
    (void)state;
    struct crm_cohort *co = scan(ORDERS, sizeof ORDERS / sizeof *ORDERS, CRM_KPI_WEEK, NULL);
    assert_int_equal(crm_cohort_count(co), 4);   /* a, b, c, e: one week each */
    /* a: Fri 2024-01-05 → week of Mon 2024-01-01; b: Wed 2024-01-31 → 2024-01-29 */
    row_is(co, 0, 0, "2024-01-01", "2024-01-01", 1, 1, 1, 10001, 10001);
    row_is(co, 0, 2, "2024-01-01", "2024-01-15", 1, 1, 1, 5000, 15001);
    row_is(co, 1, 0, "2024-01-29", "2024-01-29", 1, 1, 1, 20000, 20000);
    char buf[16];
    crm_cohort_label(CRM_KPI_QUARTER, crm_kpi_period_of(CRM_KPI_QUARTER, t_day("2024-05-01")),
                     buf);
    assert_string_equal(buf, "2024-Q2");
    crm_cohort_free(co);
}

/* Customers split over two partitions: their cells add up to the whole's table. */
static void test_cohort_partitions_add_up(void **state)
{
    (void)state;
    size_t n = sizeof ORDERS / sizeof *ORDERS;
    struct t_order one[16], two[16];
    size_t n1 = 0, n2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr("ace", ORDERS[i].cust[0]))
            one[n1++] = ORDERS[i];
        else
            two[n2++] = ORDERS[i];
    }
    struct crm_cohort *whole = scan(ORDERS, n, CRM_KPI_MONTH, NULL);
    struct crm_cohort *part[2] = {scan(two, n2, CRM_KPI_MONTH, NULL),
                                  scan(one, n1, CRM_KPI_MONTH, NULL)};
    struct crm_cohort *merged;
    struct crm_errinfo e;
    assert_int_equal(crm_cohort_new(CRM_KPI_MONTH, t_day("2024-04-01"), &merged, &e), CRM_OK);
    for (int p = 0; p < 2; p++) {
        size_t pos = 0, cells = 0;
        struct crm_cohort_cell c;
        while (crm_cohort_cell_next(part[p], &pos, &c)) {
            assert_int_equal(crm_cohort_add(merged, &c, &e), CRM_OK);
            cells++;
        }
        assert_int_equal(cells, crm_cohort_cells(part[p]));
    }
    assert_int_equal(crm_cohort_count(merged), crm_cohort_count(whole));
    for (size_t i = 0; i < crm_cohort_count(whole); i++) {
        assert_int_equal(crm_cohort_periods(merged, i), crm_cohort_periods(whole, i));
        for (size_t k = 0; k < crm_cohort_periods(whole, i); k++) {
            struct crm_cohort_row a, b;
            crm_cohort_row(whole, i, k, &a);
            crm_cohort_row(merged, i, k, &b);
            assert_memory_equal(&a, &b, sizeof a);
        }
    }
    struct crm_cohort_cell late = {crm_kpi_period_of(CRM_KPI_MONTH, t_day("2024-03-01")), 1,
                                   1, 1, 100};
    assert_int_equal(crm_cohort_add(merged, &late, &e), CRM_EDATA);
    for (int p = 0; p < 2; p++)
        crm_cohort_free(part[p]);
    crm_cohort_free(whole);
    crm_cohort_free(merged);
}

static void test_cohort_metric_names(void **state)
{
    (void)state;
    assert_int_equal(crm_cohort_parse_metric("revenue"), CRM_COHORT_REVENUE);
    assert_int_equal(crm_cohort_parse_metric("cum-revenue"), CRM_COHORT_CUM_REVENUE);
    assert_int_equal(crm_cohort_parse_metric("Revenue"), -1);
    assert_string_equal(crm_cohort_metric_name(CRM_COHORT_RETENTION), "retention");
    enum crm_cohort_metric m = CRM_COHORT_ORDERS;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_cohort_metric_option("cum-revenue", &m, &e), CRM_OK);
    assert_int_equal(m, CRM_COHORT_CUM_REVENUE);
    assert_int_equal(crm_cohort_metric_option("sales", &m, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--metric sales: expected customers, retention, revenue, orders "
                               "or cum-revenue");
    assert_int_equal(m, CRM_COHORT_CUM_REVENUE);
}

/* The long table and the matrix of the hand-computed table (money with 2 decimals). */
static const char *table(int matrix, enum crm_cohort_metric metric)
{
    uint64_t ignored;
    struct crm_cohort *co = scan(ORDERS, sizeof ORDERS / sizeof *ORDERS, CRM_KPI_MONTH,
                                 &ignored);
    struct t_sink k;
    crm_cohort_write(t_sink_open(&k, 0), co, matrix, metric, 2);
    crm_cohort_free(co);
    return t_sink_text(&k);
}

static void test_cohort_long_table(void **state)
{
    (void)state;
    assert_string_equal(table(0, CRM_COHORT_CUSTOMERS),
                        "cohort,period_index,period_start,cohort_size,active,retention,revenue,"
                        "orders,cum_revenue_per_customer\n"
                        "2024-01,0,2024-01-01,2,2,1.0000000,350.01,3,175.01\n"
                        "2024-01,1,2024-02-01,2,0,0.0000000,0.00,0,175.01\n"
                        "2024-01,2,2024-03-01,2,1,0.5000000,80.00,1,215.01\n"
                        "2024-02,0,2024-02-01,1,1,1.0000000,180.00,2,180.00\n"
                        "2024-02,1,2024-03-01,1,0,0.0000000,0.00,0,180.00\n"
                        "2024-03,0,2024-03-01,1,1,1.0000000,30.00,1,30.00\n");
}

/* A column per period index; cells past a cohort's last period are empty. */
static void test_cohort_matrix_of_each_metric(void **state)
{
    (void)state;
    assert_string_equal(table(1, CRM_COHORT_CUSTOMERS),
                        "cohort,cohort_size,0,1,2\n2024-01,2,2,0,1\n2024-02,1,1,0,\n"
                        "2024-03,1,1,,\n");
    assert_string_equal(table(1, CRM_COHORT_RETENTION),
                        "cohort,cohort_size,0,1,2\n2024-01,2,1.0000000,0.0000000,0.5000000\n"
                        "2024-02,1,1.0000000,0.0000000,\n2024-03,1,1.0000000,,\n");
    assert_string_equal(table(1, CRM_COHORT_REVENUE),
                        "cohort,cohort_size,0,1,2\n2024-01,2,350.01,0.00,80.00\n"
                        "2024-02,1,180.00,0.00,\n2024-03,1,30.00,,\n");
    assert_string_equal(table(1, CRM_COHORT_ORDERS),
                        "cohort,cohort_size,0,1,2\n2024-01,2,3,0,1\n2024-02,1,2,0,\n"
                        "2024-03,1,1,,\n");
    assert_string_equal(table(1, CRM_COHORT_CUM_REVENUE),
                        "cohort,cohort_size,0,1,2\n2024-01,2,175.01,175.01,215.01\n"
                        "2024-02,1,180.00,180.00,\n2024-03,1,30.00,,\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cohort_monthly_table_by_hand),
        cmocka_unit_test(test_cohort_weeks_are_named_by_their_monday),
        cmocka_unit_test(test_cohort_partitions_add_up),
        cmocka_unit_test(test_cohort_metric_names),
        cmocka_unit_test(test_cohort_long_table),
        cmocka_unit_test(test_cohort_matrix_of_each_metric),
    };
    return cmocka_run_group_tests_name("cohort", tests, NULL, NULL);
}
