/* Tests for lib/customer/campaign: the specified hash (vectors from tests/campaign/group.py,
 * an implementation written from the man page), stable and nested control groups with the
 * share of F, splitting a list (quoted fields kept, errors naming the line), loading groups,
 * and a measurement computed by hand. */
#include <math.h>

#include "testutil.h"

#include "teststore.h"
#include "base/stats.h"
#include "customer/campaign.h"

#define P CRM_STATUS_PAID
#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) < (tol))

static void test_campaign_hash_matches_the_specification(void **state)
{
    (void)state;
    assert_true(crm_campaign_hash("care-2024-06-01", 15, "12345", 5) == 0xb3a0b228fd9c8f79ull);
    assert_true(crm_campaign_hash("", 0, "", 0) == 0x25fc6dd36ce04b20ull);
    assert_true(crm_campaign_hash("s", 1, "王小明", strlen("王小明")) == 0x9a2a7ed1b7cf0572ull);
    assert_true(crm_campaign_hash("spring", 6, "C-0001", 6) == 0x2fd6e2aff560cb1bull);
    /* u = 0.7016707754 and 0.1868726425 */
    assert_int_equal(crm_campaign_assign("care-2024-06-01", 15, "12345", 5, 0.70),
                     CRM_CAMPAIGN_TREATMENT);
    assert_int_equal(crm_campaign_assign("care-2024-06-01", 15, "12345", 5, 0.71),
                     CRM_CAMPAIGN_CONTROL);
    assert_int_equal(crm_campaign_assign("spring", 6, "C-0001", 6, 0.18),
                     CRM_CAMPAIGN_TREATMENT);
    assert_int_equal(crm_campaign_assign("spring", 6, "C-0001", 6, 0.19), CRM_CAMPAIGN_CONTROL);
}

/* 200,000 ids: the control share is within 3.5 standard errors of F, control at F stays
 * control at a larger F, and another salt draws a group independent of the first. */
static void test_campaign_share_nested_and_salted(void **state)
{
    (void)state;
    const double fs[3] = {0.05, 0.1, 0.5};
    const int n = 200000;
    long control[3] = {0}, both = 0;
    char id[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(id, sizeof id, "%d", 1000000 + i);
        int prev = 0;
        for (int k = 0; k < 3; k++) {
            int c = crm_campaign_assign("a", 1, id, (size_t)len, fs[k]) == CRM_CAMPAIGN_CONTROL;
            assert_true(c >= prev);   /* nested */
            prev = c;
            control[k] += c;
        }
        both += crm_campaign_assign("a", 1, id, (size_t)len, 0.5) == CRM_CAMPAIGN_CONTROL &&
                crm_campaign_assign("b", 1, id, (size_t)len, 0.5) == CRM_CAMPAIGN_CONTROL;
    }
    for (int k = 0; k < 3; k++) {
        double share = (double)control[k] / n, se = sqrt(fs[k] * (1 - fs[k]) / n);
        assert_true(fabs(share - fs[k]) < 3.5 * se);
    }
    assert_true(fabs((double)both / n - 0.25) < 3.5 * sqrt(0.25 * 0.75 / n));
}

static char *write_tmp(const char *text, char *path)
{
    strcpy(path, "/tmp/crm-campaign-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static enum crm_err split_text(const char *text, const char *column, char **got,
                               struct crm_errinfo *e)
{
    char path[64];
    struct crm_campaign_split_opts so = {"care-2024-06-01", 0.71, column};
    struct crm_campaign_counts n;
    struct crm_out *o = crm_out_new_mem(0);
    enum crm_err rc = crm_campaign_split(write_tmp(text, path), &so, o, &n, e);
    size_t len;
    const char *mem = crm_out_mem(o, &len);
    *got = strndup(mem, len);
    crm_out_free(o);
    unlink(path);
    return rc;
}

static void test_campaign_split_adds_the_group_column(void **state)
{
    (void)state;
    struct crm_errinfo e;
    char *got;
    assert_int_equal(split_text("customer_id,detail\n12345,\"born 1990-01-01, turns 34\"\n"
                                " C-0001 ,x\n", "customer_id", &got, &e), CRM_OK);
    assert_string_equal(got, "customer_id,detail,group\n"
                             "12345,\"born 1990-01-01, turns 34\",control\n"
                             "C-0001,x,control\n");   /* fields come trimmed */
    free(got);
    /* crm-campaign split --column on a TSV list */
    assert_int_equal(split_text("who\tn\n12345\t1\n", "who", &got, &e), CRM_OK);
    assert_string_equal(got, "who,n,group\n12345,1,control\n");
    free(got);
}

static void test_campaign_split_errors_name_the_line(void **state)
{
    (void)state;
    struct crm_errinfo e;
    char *got;
    crm_errinfo_clear(&e);
    assert_int_equal(split_text("id,x\n1,2\n", "customer_id", &got, &e), CRM_EUSAGE);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "no customer_id column"));
    free(got);
    assert_int_equal(split_text("customer_id,x\n1,2\n3\n", "customer_id", &got, &e),
                     CRM_EUSAGE);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "1 fields, the header has 2"));
    free(got);
    assert_int_equal(split_text("customer_id,x\n1,2\n ,4\n", "customer_id", &got, &e),
                     CRM_EUSAGE);
    assert_int_equal(e.line, 3);
    assert_int_equal(e.column, 1);
    free(got);
    assert_int_equal(split_text("customer_id,group\n1,control\n", "customer_id", &got, &e),
                     CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "already has a group column"));
    free(got);
}

static enum crm_err load(const char *text, struct crm_campaign_groups **g,
                         struct crm_errinfo *e)
{
    char path[64];
    enum crm_err rc = crm_campaign_groups_load(write_tmp(text, path), "customer_id", g, e);
    unlink(path);
    return rc;
}

static void test_campaign_groups_refuse_conflicts(void **state)
{
    (void)state;
    struct crm_errinfo e;
    struct crm_campaign_groups *g = NULL;
    assert_int_equal(load("customer_id,reason,group\na,x,control\nb,x,treatment\n"
                          "a,y,treatment\n", &g, &e), CRM_EUSAGE);
    assert_int_equal(e.line, 4);
    assert_non_null(strstr(e.msg, "in treatment here and in control on line 2"));
    assert_null(g);
    assert_int_equal(load("customer_id,group\na,test\n", &g, &e), CRM_EUSAGE);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 2);
    assert_int_equal(load("customer_id,reason\na,x\n", &g, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "no group column"));
}

static const struct t_order ORDERS[] = {
    {"t1", "2024-06-02", 10000, 1, P}, {"t1", "2024-06-05", 5000, 1, P},
    {"t2", "2024-05-31", 8000, 1, P},  {"t3", "2024-06-11", 7000, 1, P},
    {"t3", "2024-06-03", 2000, 1, CRM_STATUS_REFUNDED},
    {"c1", "2024-06-10", 3000, 1, P},  {"c2", "2024-06-04", 900, 1, CRM_STATUS_CANCELLED},
    {"c3", "2024-06-01", 4000, 1, P},  {"c3", "2024-06-01", 1000, 1, P},
    {"x", "2024-06-02", 99900, 1, P},  {"t2", "2024-06-30", 100, 1, P},
};

static const char GROUPS[] = "customer_id,reason,group\nt1,after-7d,treatment\n"
                             "t1,birthday,treatment\nt2,x,treatment\nt3,x,treatment\n"
                             "t4,x,treatment\nc1,x,control\nc2,x,control\nc3,x,control\n";

static void measure(const char *as_of, struct crm_campaign_result *r, enum crm_err want)
{
    char path[64];
    struct crm_errinfo e;
    struct crm_store *s = t_store(ORDERS, sizeof ORDERS / sizeof *ORDERS, NULL, 0, path);
    struct crm_campaign_groups *g;
    assert_int_equal(load(GROUPS, &g, &e), CRM_OK);
    struct crm_campaign_opts o = {t_day("2024-06-01"), 10, t_day(as_of), 0.95};
    assert_int_equal(crm_campaign_measure(s, g, &o, 2, r, &e), want);
    crm_campaign_groups_free(g);
    crm_store_close(s);
    unlink(path);
}

static void test_campaign_measure_by_hand(void **state)
{
    (void)state;
    struct crm_campaign_result r;
    measure("2024-07-01", &r, CRM_OK);
    const struct crm_campaign_side *t = &r.side[0], *c = &r.side[1];
    assert_int_equal(r.days_measured, 10);
    assert_int_equal(t->customers, 4);   /* t1 listed twice counts once */
    assert_int_equal(t->missing, 1);     /* t4 */
    assert_int_equal(t->buyers, 1);
    assert_int_equal(t->orders, 2);
    assert_int_equal(t->revenue, 15000);
    assert_int_equal(c->customers, 3);
    assert_int_equal(c->buyers, 2);
    assert_int_equal(c->orders, 3);
    assert_int_equal(c->revenue, 8000);
    NEAR(t->opc_var, 1, 1e-12);          /* 2,0,0,0 */
    NEAR(t->rpc_var, 5625, 1e-9);        /* 150,0,0,0 */
    NEAR(c->opc_var, 1, 1e-12);          /* 1,0,2 */
    NEAR(c->rpc_var, 1900.0 / 3, 1e-9);  /* 30,0,50 */
    double d, lo, hi;
    crm_stats_newcombe(1, 4, 2, 3, 1.959963984540054, &d, &lo, &hi);
    NEAR(r.conversion.diff, 0.25 - 2.0 / 3, 1e-15);
    NEAR(r.conversion.lo, lo, 1e-13);
    NEAR(r.conversion.hi, hi, 1e-13);
    NEAR(r.conversion.lift, -0.625, 1e-15);
    assert_true(r.conversion.p == crm_stats_two_prop_p(1, 4, 2, 3));
    NEAR(r.buyers.diff, 4 * (0.25 - 2.0 / 3), 1e-12);
    struct crm_stats_welch w;
    crm_stats_welch(37.5, 5625, 4, 80.0 / 3, 1900.0 / 3, 3, 0.95, &w);
    NEAR(r.rpc.diff, 37.5 - 80.0 / 3, 1e-12);
    NEAR(r.rpc.lo, w.lo, 1e-9);
    NEAR(r.rpc.p, w.p, 1e-12);
    NEAR(r.opc.lift, -0.5, 1e-15);
    NEAR(r.cum_conversion[0][0], 0, 1e-15);
    NEAR(r.cum_conversion[0][1], 0.25, 1e-15);
    NEAR(r.cum_conversion[1][0], 1.0 / 3, 1e-15);
    NEAR(r.cum_conversion[1][9], 2.0 / 3, 1e-15);
    NEAR(r.cum_rpc[1][0], 50.0 / 3, 1e-12);
    NEAR(r.cum_rpc[0][4], 37.5, 1e-12);
    crm_campaign_result_free(&r);
}

static void test_campaign_measure_stops_at_the_as_of_date(void **state)
{
    (void)state;
    struct crm_campaign_result r;
    measure("2024-06-05", &r, CRM_OK);   /* 06-01 .. 06-04: t1's order of 06-05 unseen */
    assert_int_equal(r.days_measured, 4);
    assert_int_equal(r.side[0].orders, 1);
    assert_int_equal(r.side[1].buyers, 1);
    crm_campaign_result_free(&r);
    measure("2024-06-01", &r, CRM_EDATA);
}

/* crm-campaign measure's table: a row per metric, money in the store's decimals, rates with
 * 7 decimals, incremental buyers with 2, an undefined bound (NaN) as an empty field. */
static void test_campaign_result_table(void **state)
{
    (void)state;
    struct crm_campaign_result r;
    memset(&r, 0, sizeof r);
    r.side[0] = (struct crm_campaign_side){900, 90, 120, 0, 1102500, 0.1, 0.15, 0, 12.25, 0};
    r.side[1] = (struct crm_campaign_side){100, 5, 7, 3, 55000, 0.05, 0.07, 0, 5.5, 0};
    r.buyers = (struct crm_campaign_diff){45.0, 10.5, 79.25, 1.0, 0.0123};
    r.conversion = (struct crm_campaign_diff){0.05, 0.01, 0.09, 1.0, 0.0123};
    r.opc = (struct crm_campaign_diff){0.08, NAN, 0.2, 0.08 / 0.07, 0.3};
    r.rpc = (struct crm_campaign_diff){6.75, 1.0, NAN, 6.75 / 5.5, 0.04};
    struct crm_out *o = crm_out_new_mem(0);
    crm_campaign_write_result(o, &r, 2);
    size_t len;
    const char *mem = crm_out_mem(o, &len);
    char *got = strndup(mem, len);
    crm_out_free(o);
    assert_string_equal(got,
                        "metric,treatment,control,difference,difference_lo,difference_hi,lift,"
                        "p_value\n"
                        "customers,900,100,,,,,\n"
                        "buyers,90,5,45.00,10.50,79.25,1.0000000,0.0123000\n"
                        "conversion_rate,0.1000000,0.0500000,0.0500000,0.0100000,0.0900000,"
                        "1.0000000,0.0123000\n"
                        "orders_per_customer,0.1500000,0.0700000,0.0800000,,0.2000000,"
                        "1.1428571,0.3000000\n"
                        "revenue_per_customer,12.25,5.50,6.75,1.00,,1.2272727,0.0400000\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_campaign_result_table),
        cmocka_unit_test(test_campaign_hash_matches_the_specification),
        cmocka_unit_test(test_campaign_share_nested_and_salted),
        cmocka_unit_test(test_campaign_split_adds_the_group_column),
        cmocka_unit_test(test_campaign_split_errors_name_the_line),
        cmocka_unit_test(test_campaign_groups_refuse_conflicts),
        cmocka_unit_test(test_campaign_measure_by_hand),
        cmocka_unit_test(test_campaign_measure_stops_at_the_as_of_date),
    };
    return cmocka_run_group_tests_name("campaign", tests, NULL, NULL);
}
