/* Tests for lib/rfm: every boundary of the seed thresholds, exact money comparison, tiers,
 * --net, option parsing, quintiles with ties, and the worked example of SPEC §6. */
#include "testutil.h"

#include "teststore.h"
#include "customer/rfm.h"

/* An aggregate built by hand: customer i has paid[i] orders, money[i] (minor units) and
 * last paid order recency[i] days before as_of. */
static struct crm_agg *fake_agg(size_t n, const uint32_t *paid, const int64_t *money,
                                const int32_t *recency)
{
    struct crm_agg *a = calloc(1, sizeof *a);
    a->n = (uint32_t)n;
    a->as_of = t_day("2024-07-01");
    a->window_start = a->as_of - 365;
    a->cust = calloc(n ? n : 1, sizeof *a->cust);
    a->more = calloc(n ? n : 1, sizeof *a->more);
    for (size_t i = 0; i < n; i++) {
        a->cust[i].paid_orders = paid[i];
        a->cust[i].paid_money = money[i];
        a->cust[i].last_paid = paid[i] ? a->as_of - recency[i] : CRM_NO_DAY;
        a->cust[i].first_paid = a->cust[i].last_paid;
    }
    return a;
}

static struct crm_rfm *seed(const struct crm_agg *a, struct crm_rfm_opts *o)
{
    struct crm_rfm *r;
    struct crm_errinfo e;
    assert_int_equal(crm_rfm_new(o, a, 2, &r, &e), CRM_OK);
    return r;
}

static void test_rfm_worked_example_is_silver(void **state)
{
    (void)state;
    /* SPEC §6: last order 60 days ago, 5 orders of 300 → R4 F4 M2 = 4 + 12 + 8 = 24 → S */
    static const struct t_order orders[] = {
        {"w", "2024-01-10", 30000, 1, CRM_STATUS_PAID},
        {"w", "2024-02-10", 30000, 1, CRM_STATUS_PAID},
        {"w", "2024-03-10", 30000, 1, CRM_STATUS_PAID},
        {"w", "2024-04-10", 30000, 1, CRM_STATUS_PAID},
        {"w", "2024-05-02", 30000, 1, CRM_STATUS_PAID},
    };
    char path[64];
    struct crm_store *s = t_store(orders, 5, NULL, 0, path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.recency_days, 60);
    assert_int_equal(row.frequency, 5);
    assert_int_equal(row.monetary_total, 150000);
    assert_int_equal(row.monetary_avg, 30000);
    assert_int_equal(row.r, 4);
    assert_int_equal(row.f, 4);
    assert_int_equal(row.m, 2);
    assert_int_equal(row.score, 24);
    assert_int_equal(row.tier, 'S');
    assert_int_equal(row.first_order, t_day("2024-01-10"));
    assert_int_equal(row.last_order, t_day("2024-05-02"));
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

static void test_rfm_seed_r_boundaries(void **state)
{
    (void)state;
    struct crm_agg *a = fake_agg(0, NULL, NULL, NULL);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    static const int32_t days[] = {1, 30, 31, 90, 91, 120, 121, 210, 211, 365, 366, 1000};
    static const int want[] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        assert_int_equal(crm_rfm_seed_r(r, days[i]), want[i]);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_seed_f_boundaries(void **state)
{
    (void)state;
    struct crm_agg *a = fake_agg(0, NULL, NULL, NULL);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    static const int want[] = {0, 1, 2, 3, 4, 4, 5, 5, 5};
    for (uint32_t f = 1; f <= 8; f++)
        assert_int_equal(crm_rfm_seed_f(r, f), want[f]);
    assert_int_equal(crm_rfm_seed_f(r, 4000000000u), 5);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_seed_m_boundaries_on_average(void **state)
{
    (void)state;
    struct crm_agg *a = fake_agg(0, NULL, NULL, NULL);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    static const int64_t avg[] = {0, 29999, 30000, 49999, 50000, 99999, 100000, 199999, 200000,
                                  999999999};
    static const int want[] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (size_t i = 0; i < sizeof avg / sizeof avg[0]; i++) {
        assert_int_equal(crm_rfm_seed_m(r, avg[i], 1), want[i]);
        assert_int_equal(crm_rfm_seed_m(r, avg[i] * 7, 7), want[i]);
    }
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_seed_m_average_is_exact_not_rounded(void **state)
{
    (void)state;
    /* 3 orders totalling 899.99: average 299.9966..., printed 300.00, but below 300 */
    static const uint32_t paid[] = {3, 3};
    static const int64_t money[] = {89999, 90000};
    static const int32_t rec[] = {10, 10};
    struct crm_agg *a = fake_agg(2, paid, money, rec);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.monetary_avg, 30000);
    assert_int_equal(row.m, 1);
    crm_rfm_score(r, 1, &row);
    assert_int_equal(row.m, 2);
    /* the product threshold × frequency overflowing int64 means "below" */
    assert_int_equal(crm_rfm_seed_m(r, INT64_MAX, 4000000000u), 5);
    struct crm_errinfo e;
    assert_int_equal(crm_rfm_set_option(&o, "m-bins", "1,2,3,92233720368547758", &e), CRM_OK);
    crm_rfm_free(r);
    r = seed(a, &o);
    assert_int_equal(crm_rfm_seed_m(r, INT64_MAX, 4000000000u), 4);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_monetary_total_scores_the_sum(void **state)
{
    (void)state;
    static const uint32_t paid[] = {5};
    static const int64_t money[] = {150000};
    static const int32_t rec[] = {60};
    struct crm_agg *a = fake_agg(1, paid, money, rec);
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    assert_int_equal(crm_rfm_set_option(&o, "monetary", "total", &e), CRM_OK);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.m, 4);       /* 1500.00 total: 1000–1999.99 */
    assert_int_equal(row.score, 4 + 12 + 16);
    assert_int_equal(row.tier, 'G');
    assert_int_equal(crm_rfm_seed_m(r, 199999, 9), 4);
    assert_int_equal(crm_rfm_seed_m(r, 200000, 9), 5);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_tier_boundaries(void **state)
{
    (void)state;
    struct crm_agg *a = fake_agg(0, NULL, NULL, NULL);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    assert_int_equal(crm_rfm_tier(r, 40), 'P');
    assert_int_equal(crm_rfm_tier(r, 36), 'P');
    assert_int_equal(crm_rfm_tier(r, 35), 'G');
    assert_int_equal(crm_rfm_tier(r, 26), 'G');
    assert_int_equal(crm_rfm_tier(r, 25), 'S');
    assert_int_equal(crm_rfm_tier(r, 17), 'S');
    assert_int_equal(crm_rfm_tier(r, 16), 'B');
    assert_int_equal(crm_rfm_tier(r, 8), 'B');
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_score_extremes_are_8_and_40(void **state)
{
    (void)state;
    static const uint32_t paid[] = {1, 6};
    static const int64_t money[] = {100, 1200000};
    static const int32_t rec[] = {365, 1};
    struct crm_agg *a = fake_agg(2, paid, money, rec);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.score, 8);
    assert_int_equal(row.tier, 'B');
    crm_rfm_score(r, 1, &row);
    assert_int_equal(row.score, 40);
    assert_int_equal(row.tier, 'P');
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_custom_bins_weights_and_tiers(void **state)
{
    (void)state;
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    assert_int_equal(crm_rfm_set_option(&o, "r-bins", "7,14,28,56", &e), CRM_OK);
    assert_int_equal(crm_rfm_set_option(&o, "f-bins", "1,2,5,10,20", &e), CRM_OK);
    assert_int_equal(crm_rfm_set_option(&o, "m-bins", "0,49.99,99.5,150,1000", &e), CRM_OK);
    assert_int_equal(crm_rfm_set_option(&o, "weights", "1,1,1", &e), CRM_OK);
    assert_int_equal(crm_rfm_set_option(&o, "tiers", "13,10,7", &e), CRM_OK);
    static const uint32_t paid[] = {5};
    static const int64_t money[] = {5 * 9950};
    static const int32_t rec[] = {14};
    struct crm_agg *a = fake_agg(1, paid, money, rec);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.r, 4);
    assert_int_equal(row.f, 3);
    assert_int_equal(row.m, 3);
    assert_int_equal(row.score, 10);
    assert_int_equal(row.tier, 'G');
    assert_int_equal(crm_rfm_seed_m(r, 4998, 1), 1);
    assert_int_equal(crm_rfm_seed_m(r, 4999, 1), 2);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_bad_options_are_usage_errors(void **state)
{
    (void)state;
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    static const char *const bad[][2] = {
        {"r-bins", "30,90,120"}, {"r-bins", "30,90,90,210"}, {"r-bins", "0,90,120,210"},
        {"r-bins", "30,90,120,210,200"}, {"r-bins", "30,90,x,210"}, {"f-bins", "2,3,4"},
        {"f-bins", "2,3,4,4"}, {"m-bins", "300,500,1000"}, {"m-bins", "300,500,1000,abc"},
        {"m-bins", "300,500,400,2000"}, {"m-bins", "-1,500,1000,2000"}, {"weights", "1,3"},
        {"weights", "1,3,1001"}, {"tiers", "17,26,36"}, {"scheme", "median"},
        {"monetary", "mean"}, {"r-bins", ""}, {"weights", "1,,4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct crm_rfm_opts before = o;
        assert_int_equal(crm_rfm_set_option(&o, bad[i][0], bad[i][1], &e), CRM_EUSAGE);
        assert_memory_equal(&before, &o, sizeof o);
        assert_non_null(strstr(e.msg, bad[i][0]));
    }
    /* an m-bin finer than the store's money cannot compare exactly */
    assert_int_equal(crm_rfm_set_option(&o, "m-bins", "299.995,500,1000,2000", &e), CRM_OK);
    struct crm_agg *a = fake_agg(0, NULL, NULL, NULL);
    struct crm_rfm *r;
    assert_int_equal(crm_rfm_new(&o, a, 2, &r, &e), CRM_EUSAGE);
    assert_int_equal(crm_rfm_set_option(&o, "m-bins", "299.990,500,1000,2000", &e), CRM_OK);
    assert_int_equal(crm_rfm_new(&o, a, 2, &r, &e), CRM_OK);
    assert_int_equal(crm_rfm_seed_m(r, 29999, 1), 2);
    assert_int_equal(crm_rfm_seed_m(r, 29998, 1), 1);
    crm_rfm_free(r);
    crm_agg_free(a);
}

/* crm-rfm aggregates paid orders alone unless --net: --net on such an aggregate is refused,
 * not read through a missing array. */
static void test_rfm_net_needs_the_refunds_array(void **state)
{
    (void)state;
    const uint32_t paid[2] = {1, 2};
    const int64_t money[2] = {500, 700};
    const int32_t rec[2] = {10, 20};
    struct crm_agg *a = fake_agg(2, paid, money, rec);
    free(a->more);
    a->more = NULL;
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r;
    struct crm_errinfo e;
    o.net = 1;
    assert_int_equal(crm_rfm_new(&o, a, 2, &r, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "--net"));
    o.net = 0;
    assert_int_equal(crm_rfm_new(&o, a, 2, &r, &e), CRM_OK);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_net_subtracts_refunds_and_can_go_negative(void **state)
{
    (void)state;
    static const struct t_order orders[] = {
        {"a", "2024-06-01", 40000, 1, CRM_STATUS_PAID},
        {"a", "2024-06-10", 20000, 1, CRM_STATUS_PAID},
        {"a", "2024-06-11", 25000, 1, CRM_STATUS_REFUNDED},
        {"b", "2024-06-01", 1000, 1, CRM_STATUS_PAID},
        {"b", "2024-06-02", 5000, 1, CRM_STATUS_REFUNDED},
        {"b", "2023-01-02", 9000, 1, CRM_STATUS_REFUNDED},   /* before the window */
    };
    char path[64];
    struct crm_store *s = t_store(orders, 6, NULL, 0, path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.monetary_total, 60000);
    assert_int_equal(row.m, 2);
    crm_rfm_free(r);
    o.net = 1;
    r = seed(a, &o);
    crm_rfm_score(r, 0, &row);
    assert_int_equal(row.monetary_total, 35000);
    assert_int_equal(row.monetary_avg, 17500);
    assert_int_equal(row.m, 1);
    crm_rfm_score(r, 1, &row);
    assert_true(row.scored);
    assert_int_equal(row.monetary_total, -4000);
    assert_int_equal(row.monetary_avg, -4000);
    assert_int_equal(row.m, 1);
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    unlink(path);
}

static void test_rfm_unscored_customer_has_zero_scores(void **state)
{
    (void)state;
    static const uint32_t paid[] = {0};
    static const int64_t money[] = {0};
    static const int32_t rec[] = {0};
    struct crm_agg *a = fake_agg(1, paid, money, rec);
    struct crm_rfm_opts o;
    crm_rfm_opts_default(&o);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);
    assert_false(row.scored);
    assert_int_equal(row.r, 0);
    assert_int_equal(row.tier, 0);
    assert_int_equal(crm_rfm_scored(r), 0);
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_runs_sort_values_and_count_ties(void **state)
{
    (void)state;
    int64_t v[] = {5, -3, 5, 1000000000000, -3, 0, 5, INT64_MIN, INT64_MAX, 256};
    struct crm_rfm_run runs[10];
    size_t n;
    struct crm_errinfo e;
    assert_int_equal(crm_rfm_runs(v, 10, runs, &n, &e), CRM_OK);
    assert_int_equal(n, 7);
    static const int64_t want_v[] = {INT64_MIN, -3, 0, 5, 256, 1000000000000, INT64_MAX};
    static const uint64_t want_c[] = {1, 2, 1, 3, 1, 1, 1};
    for (size_t i = 0; i < n; i++) {
        assert_true(runs[i].value == want_v[i]);
        assert_int_equal(runs[i].count, want_c[i]);
    }
    assert_true(v[0] == INT64_MIN && v[3] == 0 && v[4] == 5 && v[9] == INT64_MAX);
}

static void test_rfm_quintiles_of_distinct_values(void **state)
{
    (void)state;
    struct crm_rfm_run runs[10];
    for (int i = 0; i < 10; i++)
        runs[i] = (struct crm_rfm_run){(i + 1) * 10, 1};
    struct crm_rfm_cuts c;
    crm_rfm_quintile_cuts(runs, 10, &c);
    assert_int_equal(c.n, 10);
    static const int want[] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < 10; i++)
        assert_int_equal(crm_rfm_quintile_score(&c, (i + 1) * 10), want[i]);
    assert_true(c.has[0] && c.cut[0] == 30 && c.cut[3] == 90);
}

static void test_rfm_quintile_ties_stay_together(void **state)
{
    (void)state;
    /* six customers with 1 order, two with 2, one with 3, one with 4: the six share score
     * 1; "2" has 6 of 10 below it → 1 + floor(30/10) = 4; scores 2 and 3 go unused */
    struct crm_rfm_run runs[] = {{1, 6}, {2, 2}, {3, 1}, {4, 1}};
    struct crm_rfm_cuts c;
    crm_rfm_quintile_cuts(runs, 4, &c);
    assert_int_equal(crm_rfm_quintile_score(&c, 1), 1);
    assert_int_equal(crm_rfm_quintile_score(&c, 2), 4);
    assert_int_equal(crm_rfm_quintile_score(&c, 3), 5);
    assert_int_equal(crm_rfm_quintile_score(&c, 4), 5);
    assert_true(c.has[0] && c.has[1] && c.has[2] && c.has[3]);
    assert_true(c.cut[0] == 2 && c.cut[1] == 2 && c.cut[2] == 2 && c.cut[3] == 3);
    /* everyone tied: everyone scores 1 and no cut point exists */
    struct crm_rfm_run same[] = {{7, 50}};
    crm_rfm_quintile_cuts(same, 1, &c);
    assert_false(c.has[0] || c.has[1] || c.has[2] || c.has[3]);
    assert_int_equal(crm_rfm_quintile_score(&c, 7), 1);
    /* a big tie at the top: 1 customer below, 9 tied above → 1 + floor(5/10) = 1 */
    struct crm_rfm_run top[] = {{1, 1}, {9, 9}};
    crm_rfm_quintile_cuts(top, 2, &c);
    assert_int_equal(crm_rfm_quintile_score(&c, 9), 1);
    struct crm_rfm_run top2[] = {{1, 2}, {9, 8}};
    crm_rfm_quintile_cuts(top2, 2, &c);
    assert_int_equal(crm_rfm_quintile_score(&c, 9), 2);
    assert_false(c.has[1]);
}

static void test_rfm_quintile_scheme_reverses_recency(void **state)
{
    (void)state;
    static const uint32_t paid[] = {1, 2, 3, 4, 5, 0, 1, 1, 1, 1, 1};
    static const int64_t money[] = {100, 200, 300, 400, 500, 0, 600, 700, 800, 900, 1000};
    static const int32_t rec[] = {100, 90, 80, 70, 60, 0, 50, 40, 30, 20, 10};
    struct crm_agg *a = fake_agg(11, paid, money, rec);
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    assert_int_equal(crm_rfm_set_option(&o, "scheme", "quintile", &e), CRM_OK);
    assert_int_equal(crm_rfm_set_option(&o, "monetary", "total", &e), CRM_OK);
    struct crm_rfm *r = seed(a, &o);
    assert_int_equal(crm_rfm_scored(r), 10);
    struct crm_rfm_row row;
    crm_rfm_score(r, 0, &row);    /* least recent, 1 order, least money */
    assert_int_equal(row.r, 1);
    assert_int_equal(row.f, 1);
    assert_int_equal(row.m, 1);
    crm_rfm_score(r, 10, &row);   /* most recent, most money */
    assert_int_equal(row.r, 5);
    assert_int_equal(row.f, 1);   /* six customers with 1 order tie at the bottom */
    assert_int_equal(row.m, 5);
    assert_int_equal(row.score, 5 + 3 + 20);
    crm_rfm_score(r, 4, &row);    /* 5 orders, recency 60 (6th of 10 from the worst) */
    assert_int_equal(row.f, 5);
    assert_int_equal(row.r, 3);
    const struct crm_rfm_cuts *rc = crm_rfm_cuts(r, 'r');
    assert_true(rc->has[0] && rc->cut[0] == -80);
    char buf[256];
    crm_rfm_describe_cuts(r, 'r', buf, sizeof buf);
    assert_string_equal(buf, "r: 2 if recency_days <= 80, 3 if recency_days <= 60, "
                             "4 if recency_days <= 40, 5 if recency_days <= 20 (10 customers)");
    crm_rfm_describe_cuts(r, 'f', buf, sizeof buf);
    assert_string_equal(buf, "f: 4 if frequency >= 2, 5 if frequency >= 4; unused (ties): "
                             "2, 3 (10 customers)");
    crm_rfm_describe_cuts(r, 'm', buf, sizeof buf);
    assert_string_equal(buf, "m: 2 if monetary_total >= 3.00, 3 if monetary_total >= 5.00, "
                             "4 if monetary_total >= 7.00, 5 if monetary_total >= 9.00 "
                             "(10 customers)");
    crm_rfm_free(r);
    crm_agg_free(a);
}

static void test_rfm_quintile_average_ties_on_printed_value(void **state)
{
    (void)state;
    /* 100.004 and 100.001 both print as 100.00 and tie */
    static const uint32_t paid[] = {1000, 1000, 1, 1, 1};
    static const int64_t money[] = {10000004 / 1, 10000001, 5000, 20000, 30000};
    static const int32_t rec[] = {5, 5, 5, 5, 5};
    struct crm_agg *a = fake_agg(5, paid, money, rec);
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    assert_int_equal(crm_rfm_set_option(&o, "scheme", "quintile", &e), CRM_OK);
    struct crm_rfm *r = seed(a, &o);
    struct crm_rfm_row r0, r1;
    crm_rfm_score(r, 0, &r0);
    crm_rfm_score(r, 1, &r1);
    assert_int_equal(r0.monetary_avg, 10000);
    assert_int_equal(r1.monetary_avg, 10000);
    assert_int_equal(r0.m, r1.m);
    assert_int_equal(r0.m, 2);
    crm_rfm_free(r);
    crm_agg_free(a);
}

/* Merge two ascending run lists (equal values add their counts). */
static size_t merge(const struct crm_rfm_run *a, size_t na, const struct crm_rfm_run *b,
                    size_t nb, struct crm_rfm_run *out)
{
    size_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i].value < b[j].value))
            out[n++] = a[i++];
        else if (i == na || b[j].value < a[i].value)
            out[n++] = b[j++];
        else {
            out[n++] = (struct crm_rfm_run){a[i].value, a[i].count + b[j].count};
            i++;
            j++;
        }
    }
    return n;
}

static void test_rfm_quintile_cuts_from_merged_partitions(void **state)
{
    (void)state;
    /* 40 customers split into two partitions by parity: the cut points from the merged
     * runs equal those of the whole, and scoring a partition with them gives the scores
     * of the whole */
    uint32_t paid[40];
    int64_t money[40];
    int32_t rec[40];
    for (int i = 0; i < 40; i++) {
        paid[i] = (uint32_t)(1 + (i * 7) % 9);
        money[i] = (int64_t)paid[i] * (1000 + (i * 37) % 500);
        rec[i] = 1 + (i * 13) % 200;
    }
    uint32_t pp[2][20];
    int64_t pm[2][20];
    int32_t pr[2][20];
    for (int i = 0; i < 40; i++) {
        pp[i % 2][i / 2] = paid[i];
        pm[i % 2][i / 2] = money[i];
        pr[i % 2][i / 2] = rec[i];
    }
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    assert_int_equal(crm_rfm_set_option(&o, "scheme", "quintile", &e), CRM_OK);
    struct crm_agg *whole = fake_agg(40, paid, money, rec);
    struct crm_agg *part[2] = {fake_agg(20, pp[0], pm[0], pr[0]),
                               fake_agg(20, pp[1], pm[1], pr[1])};
    struct crm_rfm *rw = seed(whole, &o), *rp[2] = {seed(part[0], &o), seed(part[1], &o)};
    for (const char *dim = "rfm"; *dim; dim++) {
        struct crm_rfm_run *a, *b, merged[40];
        size_t na, nb;
        assert_int_equal(crm_rfm_dimension_runs(rp[0], *dim, &a, &na, &e), CRM_OK);
        assert_int_equal(crm_rfm_dimension_runs(rp[1], *dim, &b, &nb, &e), CRM_OK);
        struct crm_rfm_cuts c;
        crm_rfm_quintile_cuts(merged, merge(a, na, b, nb, merged), &c);
        assert_memory_equal(&c, crm_rfm_cuts(rw, *dim), sizeof c);
        crm_rfm_set_cuts(rp[0], *dim, &c);
        crm_rfm_set_cuts(rp[1], *dim, &c);
        free(a);
        free(b);
    }
    for (int i = 0; i < 40; i++) {
        struct crm_rfm_row x, y;
        crm_rfm_score(rw, (uint32_t)i, &x);
        crm_rfm_score(rp[i % 2], (uint32_t)(i / 2), &y);
        assert_int_equal(x.r * 100 + x.f * 10 + x.m, y.r * 100 + y.f * 10 + y.m);
    }
    crm_rfm_free(rw);
    for (int k = 0; k < 2; k++) {
        crm_rfm_free(rp[k]);
        crm_agg_free(part[k]);
    }
    crm_agg_free(whole);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Runs of dimension dim against a plain qsort of the scored customers' values. */
static void check_runs_against_qsort(const struct crm_rfm *r, const struct crm_agg *a, char dim)
{
    struct crm_rfm_run *runs;
    size_t nruns, k = 0, at = 0;
    struct crm_errinfo e;
    assert_int_equal(crm_rfm_dimension_runs(r, dim, &runs, &nruns, &e), CRM_OK);
    int64_t *v = malloc((a->n + 1) * sizeof *v);
    assert_non_null(v);
    for (uint32_t c = 0; c < a->n; c++) {
        const struct crm_cust *cu = &a->cust[c];
        if (cu->paid_orders == 0)
            continue;
        v[k++] = dim == 'r' ? -(int64_t)(a->as_of - cu->last_paid)
               : dim == 'f' ? (int64_t)cu->paid_orders : cu->paid_money;
    }
    qsort(v, k, sizeof *v, cmp_i64);
    for (size_t i = 0; i < nruns; i++) {
        assert_true(i == 0 || runs[i].value > runs[i - 1].value);
        for (uint64_t j = 0; j < runs[i].count; j++)
            assert_int_equal(v[at++], runs[i].value);
    }
    assert_int_equal(at, k);
    free(v);
    free(runs);
}

static void test_rfm_dimension_runs_table_and_sort_agree_with_qsort(void **state)
{
    (void)state;
    /* 50000 customers, one in 7 unscored: recency over 0..1999 and frequency over 1..60
     * take the counting table; frequency spread over 0..4 billion (wider than the
     * customers) and money take the sort; the cuts are those of one thread doing all */
    enum { N = 50000 };
    uint32_t *paid = malloc(N * sizeof *paid), *wide = malloc(N * sizeof *wide);
    int64_t *money = malloc(N * sizeof *money);
    int32_t *rec = malloc(N * sizeof *rec);
    assert_non_null(paid);
    assert_non_null(wide);
    assert_non_null(money);
    assert_non_null(rec);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        paid[i] = i % 7 == 3 ? 0 : (uint32_t)(1 + x % 60);
        wide[i] = i % 7 == 3 ? 0 : (uint32_t)(1 + (x >> 20) % 4000000000u);
        money[i] = (int64_t)(x >> 8) % 10000000;
        rec[i] = (int32_t)((x >> 40) % 2000);
    }
    struct crm_rfm_opts o;
    struct crm_errinfo e;
    crm_rfm_opts_default(&o);
    o.monetary = CRM_RFM_TOTAL;
    assert_int_equal(crm_rfm_set_option(&o, "scheme", "quintile", &e), CRM_OK);
    const uint32_t *freqs[2] = {paid, wide};
    for (int w = 0; w < 2; w++) {
        struct crm_agg *a = fake_agg(N, freqs[w], money, rec);
        struct crm_rfm *r = seed(a, &o);
        for (const char *dim = "rfm"; *dim; dim++) {
            check_runs_against_qsort(r, a, *dim);
            struct crm_rfm_run *runs;
            size_t nruns;
            struct crm_rfm_cuts c;
            assert_int_equal(crm_rfm_dimension_runs(r, *dim, &runs, &nruns, &e), CRM_OK);
            crm_rfm_quintile_cuts(runs, nruns, &c);
            assert_memory_equal(&c, crm_rfm_cuts(r, *dim), sizeof c);
            free(runs);
        }
        crm_rfm_free(r);
        crm_agg_free(a);
    }
    free(paid);
    free(wide);
    free(money);
    free(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfm_worked_example_is_silver),
        cmocka_unit_test(test_rfm_seed_r_boundaries),
        cmocka_unit_test(test_rfm_seed_f_boundaries),
        cmocka_unit_test(test_rfm_seed_m_boundaries_on_average),
        cmocka_unit_test(test_rfm_seed_m_average_is_exact_not_rounded),
        cmocka_unit_test(test_rfm_monetary_total_scores_the_sum),
        cmocka_unit_test(test_rfm_tier_boundaries),
        cmocka_unit_test(test_rfm_score_extremes_are_8_and_40),
        cmocka_unit_test(test_rfm_custom_bins_weights_and_tiers),
        cmocka_unit_test(test_rfm_bad_options_are_usage_errors),
        cmocka_unit_test(test_rfm_net_subtracts_refunds_and_can_go_negative),
        cmocka_unit_test(test_rfm_unscored_customer_has_zero_scores),
        cmocka_unit_test(test_rfm_runs_sort_values_and_count_ties),
        cmocka_unit_test(test_rfm_quintiles_of_distinct_values),
        cmocka_unit_test(test_rfm_dimension_runs_table_and_sort_agree_with_qsort),
        cmocka_unit_test(test_rfm_quintile_ties_stay_together),
        cmocka_unit_test(test_rfm_quintile_scheme_reverses_recency),
        cmocka_unit_test(test_rfm_quintile_average_ties_on_printed_value),
        cmocka_unit_test(test_rfm_quintile_cuts_from_merged_partitions),
        cmocka_unit_test(test_rfm_net_needs_the_refunds_array),
    };
    return cmocka_run_group_tests_name("rfm", tests, NULL, NULL);
}
