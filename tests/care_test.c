/* Tests for lib/care: each reason on hand-made customers (a birthday on 29 February, orders
 * exactly 7 and 28 days before, a VIP lapsing in 30 days, one who qualifies again, one
 * renewed, one who crossed into dormant), the VIP status replay at its boundaries, the
 * order of the list and the memory budget of the VIP pass. */
#include "testutil.h"

#include "teststore.h"
#include "customer/care.h"

#define P CRM_STATUS_PAID

struct run {
    char path[64];
    struct crm_store *s;
    struct crm_agg *a;
    struct crm_segment *seg;
    struct crm_care *care;
};

static void run_care(struct run *r, const struct t_order *o, size_t n,
                     const struct t_customer *cu, size_t ncu, const char *on, unsigned reasons,
                     size_t budget)
{
    r->s = t_store(o, n, cu, ncu, r->path);
    struct crm_care_opts co = {t_day(on), reasons, 30, budget};
    struct crm_errinfo e;
    assert_int_equal(crm_care_new(&co, &r->care, &e), CRM_OK);
    struct crm_agg_opts ao = {.as_of = t_day(on), .window_days = 365, .history = 1,
                              .visit = crm_care_visit, .visit_ctx = r->care};
    assert_int_equal(crm_agg_run(r->s, &ao, &r->a, &e), CRM_OK);
    const struct crm_customer_info *info;
    crm_store_customers(r->s, &info);
    struct crm_rfm_opts ro;
    struct crm_segment_opts so;
    crm_rfm_opts_default(&ro);
    crm_segment_opts_default(&so);
    assert_int_equal(crm_segment_new(&so, &ro, r->a, info, NULL, 2, &r->seg, &e), CRM_OK);
    assert_int_equal(crm_care_finish(r->care, r->s, r->a, r->seg, info, &e), CRM_OK);
}

static void end_run(struct run *r)
{
    crm_care_free(r->care);
    crm_segment_free(r->seg);
    crm_agg_free(r->a);
    crm_store_close(r->s);
    unlink(r->path);
}

/* The list as "id reason detail" lines joined by '|'. */
static const char *list(struct run *r)
{
    static char buf[2048];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < crm_care_count(r->care); i++) {
        const struct crm_care_item *it = crm_care_item(r->care, i);
        char d[160];
        crm_care_detail(it, 2, d, sizeof d);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s %s", i ? "|" : "",
                              crm_store_customer_id(r->s, it->customer, NULL),
                              crm_care_reason_name(it->reason), d);
    }
    return buf;
}

static const struct t_order ONE[] = {{"x", "2020-01-01", 100, 1, P}};

static const struct t_customer BIRTHDAYS[] = {
    {"leap", "1992-02-29", 0, 0},
    {"feb28", "1990-02-28", 0, 0},
    {"noyear", "2000-03-15", 0, 1},
    {"blocked", "1992-02-29", 1, 0},
};

static void test_care_birthday_on_29_february(void **state)
{
    (void)state;
    static const struct {
        const char *on, *want;
    } cases[] = {
        {"2025-02-28", "feb28 birthday born 1990-02-28; turns 35|"
                       "leap birthday born 1992-02-29; turns 33"},
        {"2024-02-28", "feb28 birthday born 1990-02-28; turns 34"},
        {"2024-02-29", "leap birthday born 1992-02-29; turns 32"},
        {"2025-03-01", ""},
        {"2024-03-15", "noyear birthday born --03-15"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        run_care(&r, ONE, 1, BIRTHDAYS, 4, cases[i].on, CRM_CARE_ALL, 0);
        assert_string_equal(list(&r), cases[i].want);
        if (crm_care_count(r.care)) {
            const struct crm_care_item *it = crm_care_item(r.care, 0);
            assert_int_equal(it->cls, CRM_CLASS_NO_ORDER);
            assert_int_equal(it->tier, 0);
            assert_int_equal(it->last_order, CRM_NO_DAY);
            assert_int_equal(it->due, t_day(cases[i].on));
        }
        end_run(&r);
    }
}

static void test_care_orders_exactly_7_and_28_days_before(void **state)
{
    (void)state;
    static const struct t_order orders[] = {
        {"a7", "2024-06-24", 1000, 1, P},
        {"a7", "2024-06-24", 1550, 2, P},
        {"a6", "2024-06-25", 1000, 1, P},
        {"a8", "2024-06-23", 1000, 1, P},
        {"a28", "2024-06-03", 4200, 1, P},
        {"a27", "2024-06-04", 4200, 1, P},
        {"both", "2024-06-03", 100, 1, P},
        {"both", "2024-06-24", 200, 1, P},
        {"cxl7", "2024-06-24", 1000, 1, CRM_STATUS_CANCELLED},
        {"mal7", "2024-06-24", 1000, 1, P},
        {"late", "2024-07-01", 1000, 1, P},     /* on D itself */
    };
    static const struct t_customer cust[] = {{"mal7", NULL, 1, 0}};
    struct run r;
    run_care(&r, orders, sizeof orders / sizeof orders[0], cust, 1, "2024-07-01", CRM_CARE_ALL,
             0);
    assert_string_equal(list(&r), "a7 after-7d 2 paid orders of 25.50 on 2024-06-24|"
                                  "both after-7d 1 paid order of 2.00 on 2024-06-24|"
                                  "a28 after-28d 1 paid order of 42.00 on 2024-06-03|"
                                  "both after-28d 1 paid order of 1.00 on 2024-06-03");
    const struct crm_care_item *it = crm_care_item(r.care, 1);
    assert_int_equal(it->cls, CRM_CLASS_NEW);
    assert_int_equal(it->tier, 'B');
    assert_int_equal(it->last_order, t_day("2024-06-24"));
    end_run(&r);
    unsigned mask;
    struct crm_errinfo e;
    assert_int_equal(crm_care_parse_reasons("after-28d,win-back", &mask, &e), CRM_OK);
    run_care(&r, orders, sizeof orders / sizeof orders[0], cust, 1, "2024-07-01", mask, 0);
    assert_string_equal(list(&r), "a28 after-28d 1 paid order of 42.00 on 2024-06-03|"
                                  "both after-28d 1 paid order of 1.00 on 2024-06-03");
    end_run(&r);
}

static void test_care_bad_reason_is_a_usage_error(void **state)
{
    (void)state;
    unsigned mask = 7;
    struct crm_errinfo e;
    assert_int_equal(crm_care_parse_reasons("birthday,anniversary", &mask, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "\"anniversary\""));
    assert_int_equal(mask, 7);
    assert_int_equal(crm_care_parse_reasons("", &mask, &e), CRM_EUSAGE);
    struct crm_care_opts co = {0, CRM_CARE_ALL, 365, 0};
    struct crm_care *k;
    assert_int_equal(crm_care_new(&co, &k, &e), CRM_EUSAGE);
}

/* v1 qualifies on 2023-08-20 (third order, 10 items, 10000.00): status lapses 2024-08-19 and
 * is listed 30 days before, on 2024-07-20. v2 has qualifying orders again within its
 * status year (renewal assured): not listed. v3 qualified on 2022-08-20 and was renewed on
 * 2023-08-20 by the orders of its first year: lapses 2024-08-19 too. v4 lapsed on
 * 2023-08-20 and qualified afresh on 2023-09-10: lapses 2024-09-09. vmal is blocked. */
static const struct t_order VIPS[] = {
    {"v1", "2023-08-01", 400000, 4, P}, {"v1", "2023-08-10", 300000, 3, P},
    {"v1", "2023-08-20", 300000, 3, P},
    {"v2", "2023-08-01", 400000, 4, P}, {"v2", "2023-08-10", 300000, 3, P},
    {"v2", "2023-08-20", 300000, 3, P}, {"v2", "2024-03-01", 400000, 4, P},
    {"v2", "2024-04-01", 300000, 3, P}, {"v2", "2024-05-01", 300000, 3, P},
    {"v3", "2023-01-10", 400000, 4, P}, {"v3", "2022-08-01", 400000, 4, P},
    {"v3", "2022-08-10", 300000, 3, P}, {"v3", "2023-03-10", 300000, 3, P},
    {"v3", "2022-08-20", 300000, 3, P}, {"v3", "2023-02-10", 300000, 3, P},
    {"v4", "2022-08-01", 400000, 4, P}, {"v4", "2022-08-10", 300000, 3, P},
    {"v4", "2022-08-20", 300000, 3, P}, {"v4", "2023-09-01", 400000, 4, P},
    {"v4", "2023-09-05", 300000, 3, P}, {"v4", "2023-09-10", 300000, 3, P},
    {"vmal", "2023-08-01", 400000, 4, P}, {"vmal", "2023-08-10", 300000, 3, P},
    {"vmal", "2023-08-20", 300000, 3, P},
    {"small", "2023-08-01", 100, 4, P}, {"small", "2023-08-10", 100, 3, P},
    {"small", "2023-08-20", 100, 3, P},
};
static const struct t_customer VIP_CUST[] = {{"vmal", NULL, 1, 0}};

static void test_care_vip_expiring_in_30_days(void **state)
{
    (void)state;
    unsigned vip = 1u << CRM_CARE_VIP_EXPIRING;
    size_t n = sizeof VIPS / sizeof VIPS[0];
    struct run r;
    run_care(&r, VIPS, n, VIP_CUST, 1, "2024-07-20", vip, 0);
    assert_string_equal(list(&r), "v1 vip-expiring VIP since 2023-08-20; lapses 2024-08-19|"
                                  "v3 vip-expiring VIP since 2023-08-20; lapses 2024-08-19");
    const struct crm_care_item *it = crm_care_item(r.care, 0);
    assert_int_equal(it->cls, CRM_CLASS_DORMANT);   /* last paid 335 days ago */
    assert_int_equal(it->last_order, t_day("2023-08-20"));
    end_run(&r);
    run_care(&r, VIPS, n, VIP_CUST, 1, "2024-07-19", vip, 0);
    assert_string_equal(list(&r), "");
    end_run(&r);
    run_care(&r, VIPS, n, VIP_CUST, 1, "2024-07-21", vip, 0);
    assert_string_equal(list(&r), "");
    end_run(&r);
    run_care(&r, VIPS, n, VIP_CUST, 1, "2024-08-10", vip, 0);
    assert_string_equal(list(&r), "v4 vip-expiring VIP since 2023-09-10; lapses 2024-09-09");
    end_run(&r);
    /* a budget of one order per group: every candidate gets its own pass, same list */
    run_care(&r, VIPS, n, VIP_CUST, 1, "2024-07-20", vip, 1);
    assert_string_equal(list(&r), "v1 vip-expiring VIP since 2023-08-20; lapses 2024-08-19|"
                                  "v3 vip-expiring VIP since 2023-08-20; lapses 2024-08-19");
    end_run(&r);
}

static struct crm_care_event ev(const char *day, uint32_t items, int64_t money)
{
    return (struct crm_care_event){t_day(day), 1, items, money};
}

static void test_care_vip_status_window_and_renewal_boundaries(void **state)
{
    (void)state;
    int32_t since, until;
    int assured;
    /* three orders spanning 364 days qualify on the third; 365 days do not */
    struct crm_care_event a[] = {ev("2023-01-01", 4, 400000), ev("2023-06-01", 3, 300000),
                                 ev("2023-12-31", 3, 300000)};
    assert_int_equal(crm_care_vip_status(a, 3, 3, 10, 1000000, t_day("2024-06-01"), &since,
                                         &until, &assured), 1);
    assert_int_equal(since, t_day("2023-12-31"));
    assert_int_equal(until, t_day("2024-12-30"));
    assert_false(assured);   /* only one order of its year so far */
    struct crm_care_event b[] = {ev("2023-01-01", 4, 400000), ev("2023-06-01", 3, 300000),
                                 ev("2024-01-01", 3, 300000)};
    assert_int_equal(crm_care_vip_status(b, 3, 3, 10, 1000000, t_day("2024-06-01"), &since,
                                         &until, &assured), 0);
    /* the status is valid up to the day before it lapses; on the lapse day it is gone */
    assert_int_equal(crm_care_vip_status(a, 3, 3, 10, 1000000, t_day("2024-12-29"), &since,
                                         &until, &assured), 1);
    assert_int_equal(crm_care_vip_status(a, 3, 3, 10, 1000000, t_day("2024-12-30"), &since,
                                         &until, &assured), 0);
    /* renewal: the status year 2023-12-31 .. 2024-12-29 holds 3 orders, 10 items, 10000 */
    struct crm_care_event c[] = {ev("2023-01-01", 4, 400000), ev("2023-06-01", 3, 300000),
                                 ev("2023-12-31", 3, 300000), ev("2024-05-01", 4, 400000),
                                 ev("2024-12-01", 3, 300000)};
    assert_int_equal(crm_care_vip_status(c, 5, 3, 10, 1000000, t_day("2024-12-01"), &since,
                                         &until, &assured), 1);
    assert_false(assured);   /* the order of 2024-12-01 is not before D */
    assert_int_equal(crm_care_vip_status(c, 5, 3, 10, 1000000, t_day("2024-12-02"), &since,
                                         &until, &assured), 1);
    assert_true(assured);
    assert_int_equal(since, t_day("2023-12-31"));
    /* renewed on the lapse day, for another 365 days */
    assert_int_equal(crm_care_vip_status(c, 5, 3, 10, 1000000, t_day("2024-12-30"), &since,
                                         &until, &assured), 1);
    assert_int_equal(since, t_day("2024-12-30"));
    assert_int_equal(until, t_day("2025-12-30"));
    assert_false(assured);
    /* one item short in the status year: lapses on 2024-12-30 */
    c[3].items = 3;
    assert_int_equal(crm_care_vip_status(c, 5, 3, 10, 1000000, t_day("2024-12-31"), &since,
                                         &until, &assured), 0);
    /* a refund (net) inside the window takes the money below the threshold */
    struct crm_care_event d[] = {ev("2023-01-01", 4, 400000), ev("2023-06-01", 3, 300000),
                                 {t_day("2023-06-02"), 0, 0, -1}, ev("2023-12-31", 3, 300000)};
    assert_int_equal(crm_care_vip_status(d, 4, 3, 10, 1000000, t_day("2024-06-01"), &since,
                                         &until, &assured), 0);
}

static void test_care_win_back_on_the_day_of_crossing(void **state)
{
    (void)state;
    static const struct t_order orders[] = {
        {"w180", "2024-01-03", 5000, 1, P},
        {"w181", "2024-01-02", 5000, 1, P},
        {"w181", "2024-05-02", 5000, 1, CRM_STATUS_CANCELLED},
        {"w182", "2024-01-01", 5000, 1, P},
        {"wmal", "2024-01-02", 5000, 1, P},
    };
    static const struct t_customer cust[] = {{"wmal", NULL, 1, 0}};
    struct run r;
    run_care(&r, orders, 5, cust, 1, "2024-07-01", CRM_CARE_ALL, 0);
    assert_string_equal(list(&r), "w181 win-back no paid order for 181 days");
    assert_int_equal(crm_care_item(r.care, 0)->cls, CRM_CLASS_DORMANT);
    assert_int_equal(crm_care_item(r.care, 0)->tier, 'B');
    end_run(&r);
}

static void test_care_list_is_sorted_by_reason_then_id(void **state)
{
    (void)state;
    static const struct t_order orders[] = {
        {"zed", "2024-06-24", 100, 1, P},
        {"Ann", "2024-06-24", 100, 1, P},
        {"zed", "2024-01-02", 100, 1, P},
        {"bob", "2024-01-02", 100, 1, P},
    };
    static const struct t_customer cust[] = {
        {"zed", "1980-07-01", 0, 0},
        {"bob", "1981-07-01", 0, 0},
    };
    struct run r;
    run_care(&r, orders, 4, cust, 2, "2024-07-01", CRM_CARE_ALL, 0);
    assert_string_equal(list(&r), "bob birthday born 1981-07-01; turns 43|"
                                  "zed birthday born 1980-07-01; turns 44|"
                                  "Ann after-7d 1 paid order of 1.00 on 2024-06-24|"
                                  "zed after-7d 1 paid order of 1.00 on 2024-06-24|"
                                  "bob win-back no paid order for 181 days");
    end_run(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_care_birthday_on_29_february),
        cmocka_unit_test(test_care_orders_exactly_7_and_28_days_before),
        cmocka_unit_test(test_care_bad_reason_is_a_usage_error),
        cmocka_unit_test(test_care_vip_expiring_in_30_days),
        cmocka_unit_test(test_care_vip_status_window_and_renewal_boundaries),
        cmocka_unit_test(test_care_win_back_on_the_day_of_crossing),
        cmocka_unit_test(test_care_list_is_sorted_by_reason_then_id),
    };
    return cmocka_run_group_tests_name("care", tests, NULL, NULL);
}
