/* Tests for lib/segment: each class and its boundaries, the order of the tree, the VIP
 * thresholds, the default rule table, --rules files (good and malformed) and summaries. */
#include "testutil.h"

#include "teststore.h"
#include "customer/segment.h"

#define P CRM_STATUS_PAID

static const struct t_order ORDERS[] = {
    {"mal", "2024-06-20", 50000, 1, P},
    {"old", "2023-01-01", 10000, 1, P},                    /* before the window */
    {"can", "2024-06-01", 10000, 1, CRM_STATUS_CANCELLED},
    {"ref", "2023-01-05", 10000, 1, P},
    {"ref", "2024-05-01", 10000, 1, CRM_STATUS_REFUNDED},
    {"pend", "2024-06-15", 10000, 1, CRM_STATUS_PENDING},
    {"new30", "2024-06-01", 5000, 1, P},                   /* first paid order 30 days ago */
    {"new31", "2024-05-31", 10000, 1, P},                  /* 31 days: graded */
    {"dorm181", "2024-01-02", 7000, 1, P},                 /* 181 days: dormant */
    {"dorm180", "2024-01-03", 30000, 1, P},                /* 180 days: graded */
    {"fut", "2024-07-01", 10000, 1, P},                    /* on the as-of day: ignored */
    {"plat", "2024-01-10", 200000, 2, P},
    {"plat", "2024-02-10", 200000, 2, P},
    {"plat", "2024-03-10", 200000, 2, P},
    {"plat", "2024-04-10", 200000, 2, P},
    {"plat", "2024-05-10", 200000, 2, P},
    {"plat", "2024-06-25", 200000, 2, P},
    {"gold", "2024-02-01", 100000, 1, P},
    {"gold", "2024-03-01", 100000, 1, P},
    {"gold", "2024-04-01", 100000, 1, P},
    {"gold", "2024-06-21", 100000, 1, P},
    {"silver", "2024-01-10", 30000, 1, P},
    {"silver", "2024-02-10", 30000, 1, P},
    {"silver", "2024-03-10", 30000, 1, P},
    {"silver", "2024-04-10", 30000, 1, P},
    {"silver", "2024-05-02", 30000, 1, P},
    {"vipA", "2024-03-01", 400000, 4, P},                  /* 3 orders, 10 items, 10000.00 */
    {"vipA", "2024-04-01", 300000, 3, P},
    {"vipA", "2024-05-01", 300000, 3, P},
    {"vipA", "2024-05-02", 1, 1, CRM_STATUS_REFUNDED},     /* 0.01 back: net 9999.99 */
    {"vipB", "2024-03-01", 400000, 4, P},                  /* 9999.99 */
    {"vipB", "2024-04-01", 300000, 3, P},
    {"vipB", "2024-05-01", 299999, 3, P},
    {"vipC", "2024-03-01", 400000, 4, P},                  /* 9 items */
    {"vipC", "2024-04-01", 300000, 3, P},
    {"vipC", "2024-05-01", 300000, 2, P},
    {"vipD", "2024-04-01", 500000, 5, P},                  /* 2 orders */
    {"vipD", "2024-05-01", 500000, 5, P},
};

static const struct t_customer CUSTOMERS[] = {
    {"mal", NULL, 1, 0},
    {"cf", NULL, 0, 0},
};

struct fixture {
    char path[64];
    struct crm_store *s;
    struct crm_agg *a;
    struct crm_segment *seg;
    const struct crm_customer_info *info;
};

static void open_fixture(struct fixture *f, int net, const struct crm_segment_opts *so)
{
    f->s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], CUSTOMERS, 2, f->path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365, .history = 1};
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(f->s, &ao, &f->a, &e), CRM_OK);
    crm_store_customers(f->s, &f->info);
    struct crm_rfm_opts ro;
    struct crm_segment_opts d;
    crm_rfm_opts_default(&ro);
    ro.net = net;
    crm_segment_opts_default(&d);
    assert_int_equal(crm_segment_new(so ? so : &d, &ro, f->a, f->info, NULL, 2, &f->seg, &e),
                     CRM_OK);
}

static void close_fixture(struct fixture *f)
{
    crm_segment_free(f->seg);
    crm_agg_free(f->a);
    crm_store_close(f->s);
    unlink(f->path);
}

static struct crm_segment_row row_of(struct fixture *f, const char *id)
{
    struct crm_segment_row row;
    crm_segment_customer(f->seg, t_cust(f->s, id), &row);
    assert_int_equal(crm_segment_class(f->seg, t_cust(f->s, id)), row.cls);
    return row;
}

static void test_segment_each_class(void **state)
{
    (void)state;
    struct fixture f;
    open_fixture(&f, 0, NULL);
    static const struct {
        const char *id;
        enum crm_class cls;
    } want[] = {
        {"mal", CRM_CLASS_MALICIOUS}, {"cf", CRM_CLASS_NO_ORDER}, {"old", CRM_CLASS_NO_ORDER},
        {"can", CRM_CLASS_NO_SALE}, {"ref", CRM_CLASS_NO_SALE}, {"pend", CRM_CLASS_NO_SALE},
        {"new30", CRM_CLASS_NEW}, {"new31", CRM_CLASS_B}, {"dorm181", CRM_CLASS_DORMANT},
        {"dorm180", CRM_CLASS_B}, {"fut", CRM_CLASS_NONE}, {"plat", CRM_CLASS_P},
        {"gold", CRM_CLASS_G}, {"silver", CRM_CLASS_S}, {"vipA", CRM_CLASS_G},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct crm_segment_row row = row_of(&f, want[i].id);
        if (row.cls != want[i].cls)
            fail_msg("%s: class %s, expected %s", want[i].id, crm_class_name(row.cls),
                     crm_class_name(want[i].cls));
    }
    struct crm_segment_row row = row_of(&f, "dorm180");
    assert_int_equal(row.seed.score, 2 + 3 + 8);
    row = row_of(&f, "plat");
    assert_int_equal(row.seed.score, 40);
    close_fixture(&f);
}

static void test_segment_new_and_dormant_days_are_options(void **state)
{
    (void)state;
    struct crm_segment_opts so;
    struct crm_errinfo e;
    crm_segment_opts_default(&so);
    assert_int_equal(crm_segment_set_option(&so, "new-days", "31", &e), CRM_OK);
    assert_int_equal(crm_segment_set_option(&so, "dormant-days", "179", &e), CRM_OK);
    struct fixture f;
    open_fixture(&f, 0, &so);
    assert_int_equal(row_of(&f, "new31").cls, CRM_CLASS_NEW);
    assert_int_equal(row_of(&f, "dorm180").cls, CRM_CLASS_DORMANT);
    close_fixture(&f);
}

static void test_segment_vip_needs_all_three_thresholds(void **state)
{
    (void)state;
    struct fixture f;
    open_fixture(&f, 0, NULL);
    assert_true(row_of(&f, "vipA").vip);
    assert_false(row_of(&f, "vipB").vip);    /* 9999.99 */
    assert_false(row_of(&f, "vipC").vip);    /* 9 items */
    assert_false(row_of(&f, "vipD").vip);    /* 2 orders */
    assert_true(row_of(&f, "plat").vip);
    assert_false(row_of(&f, "gold").vip);
    close_fixture(&f);
    /* --net: vipA's refund of 0.01 takes it below 10000 */
    open_fixture(&f, 1, NULL);
    assert_false(row_of(&f, "vipA").vip);
    close_fixture(&f);
    struct crm_segment_opts so;
    struct crm_errinfo e;
    crm_segment_opts_default(&so);
    assert_int_equal(crm_segment_set_option(&so, "vip-money", "9999.99", &e), CRM_OK);
    assert_int_equal(crm_segment_set_option(&so, "vip-items", "9", &e), CRM_OK);
    assert_int_equal(crm_segment_set_option(&so, "vip-orders", "2", &e), CRM_OK);
    open_fixture(&f, 0, &so);
    assert_true(row_of(&f, "vipB").vip);
    assert_true(row_of(&f, "vipC").vip);
    assert_true(row_of(&f, "vipD").vip);
    close_fixture(&f);
}

static void test_segment_bad_options_are_usage_errors(void **state)
{
    (void)state;
    struct crm_segment_opts so;
    struct crm_errinfo e;
    crm_segment_opts_default(&so);
    assert_int_equal(crm_segment_set_option(&so, "new-days", "-1", &e), CRM_EUSAGE);
    assert_int_equal(crm_segment_set_option(&so, "dormant-days", "x", &e), CRM_EUSAGE);
    assert_int_equal(crm_segment_set_option(&so, "vip-money", "lots", &e), CRM_EUSAGE);
    assert_int_equal(crm_segment_set_option(&so, "vip-money", "-5", &e), CRM_EUSAGE);
    assert_int_equal(crm_segment_set_option(&so, "vip-items", "1.5", &e), CRM_EUSAGE);
    assert_int_equal(so.new_days, 30);
    assert_int_equal(crm_segment_set_option(&so, "vip-money", "10,000.00", &e), CRM_OK);
    assert_int_equal(so.vip_money.units, 1000000);
}

static void test_segment_default_rules_first_match_wins(void **state)
{
    (void)state;
    struct crm_segment_rules *r;
    struct crm_errinfo e;
    assert_int_equal(crm_segment_rules_default(&r, &e), CRM_OK);
    assert_int_equal(r->n, 10);
    static const struct {
        int r, f, m;
        const char *name;
    } want[] = {
        {5, 5, 5, "Champions"}, {5, 5, 4, "Potential Loyalist"}, {3, 3, 2, "Potential Loyalist"},
        {2, 2, 2, "Loyal Customers"}, {4, 4, 4, "Potential Loyalist"},
        {3, 1, 3, "Promising"}, {4, 3, 5, "Potential Loyalist"}, {5, 1, 1, "New Customers"},
        {4, 3, 1, "New Customers"}, {2, 3, 5, "Can't Lose Them"}, {1, 5, 4, "At Risk"},
        {1, 4, 4, "Can't Lose Them"}, {3, 5, 3, "Potential Loyalist"},
        {1, 3, 3, "Need Attention"}, {2, 1, 4, "About To Sleep"}, {1, 1, 1, "Lost"},
        {1, 2, 3, "Lost"}, {2, 1, 5, "Others"}, {3, 2, 1, "About To Sleep"},
        {2, 5, 1, "Others"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = crm_segment_rules_name(r, crm_segment_rules_match(r, want[i].r,
                                                                            want[i].f,
                                                                            want[i].m));
        if (strcmp(got, want[i].name) != 0)
            fail_msg("%d%d%d: %s, expected %s", want[i].r, want[i].f, want[i].m, got,
                     want[i].name);
    }
    crm_segment_rules_free(r);
}

static void write_file(char *path, const char *text)
{
    strcpy(path, "/tmp/crm-rules-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_segment_rules_file_replaces_table(void **state)
{
    (void)state;
    char path[64];
    write_file(path, "\xEF\xBB\xBFSegment, r_min,r_max,f_min,f_max,m_min,m_max\r\n"
                     "\"Big, recent\",4,5,1,5,4,5\r\n"
                     "\r\n"
                     "Sleepers,1,2,1,5,1,5\r\n"
                     "Big, recent,1,3,1,5,5,5\r\n");
    struct crm_segment_rules *r;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_segment_rules_load(path, &r, &e), CRM_EUSAGE);   /* 8 fields */
    assert_int_equal(e.line, 5);
    write_file(path, "segment,r_min,r_max,f_min,f_max,m_min,m_max\n"
                     "\"Big, recent\",4,5,1,5,4,5\n"
                     "\n"
                     "Sleepers,1,2,1,5,1,5\n"
                     "\"Big, recent\",1,3,1,5,5,5\n");
    assert_int_equal(crm_segment_rules_load(path, &r, &e), CRM_OK);
    assert_int_equal(r->n, 3);
    assert_string_equal(crm_segment_rules_name(r, crm_segment_rules_match(r, 5, 1, 4)),
                        "Big, recent");
    assert_string_equal(crm_segment_rules_name(r, crm_segment_rules_match(r, 2, 5, 5)),
                        "Sleepers");
    assert_string_equal(crm_segment_rules_name(r, crm_segment_rules_match(r, 3, 5, 5)),
                        "Big, recent");
    assert_string_equal(crm_segment_rules_name(r, crm_segment_rules_match(r, 3, 5, 4)),
                        "Others");
    crm_segment_rules_free(r);
    unlink(path);
}

static void test_segment_malformed_rules_name_the_line(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long long line;
        const char *msg;
    } bad[] = {
        {"name,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,1,5,1,5\n", 1, "expected the header"},
        {"segment,r_min,r_max,f_min,f_max,m_min\nA,1,5,1,5,1\n", 1, "expected the header"},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,1,5,1,5\nB,1,5,1,5,1\n", 3,
         "6 fields"},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,1,5,1,6\n", 2, "m_max \"6\""},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,0,5,1,5,1,5\n", 2, "r_min \"0\""},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,x,5,1,5\n", 2, "f_min \"x\""},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,1,5,1,2.5\n", 2, "m_max"},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\nA,1,5,4,3,1,5\n", 2,
         "f_min 4 is above f_max 3"},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\n\n\n ,1,5,1,5,1,5\n", 4,
         "empty segment name"},
        {"segment,r_min,r_max,f_min,f_max,m_min,m_max\n", 1, "no rules"},
        {"", 1, "empty rules file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[64];
        write_file(path, bad[i].text);
        struct crm_segment_rules *r = (void *)1;
        struct crm_errinfo e;
        crm_errinfo_clear(&e);
        assert_int_equal(crm_segment_rules_load(path, &r, &e), CRM_EUSAGE);
        assert_null(r);
        if (e.line != bad[i].line || !strstr(e.msg, bad[i].msg) || strcmp(e.file, path) != 0)
            fail_msg("case %zu: %s:%lld: %s", i, e.file, e.line, e.msg);
        unlink(path);
    }
    struct crm_segment_rules *r;
    struct crm_errinfo e;
    assert_int_equal(crm_segment_rules_load("/nonexistent/rules.csv", &r, &e), CRM_EIO);
}

static void test_segment_row_uses_quintile_scores_for_the_segment(void **state)
{
    (void)state;
    struct fixture f;
    open_fixture(&f, 0, NULL);
    struct crm_segment_rules *r;
    struct crm_errinfo e;
    assert_int_equal(crm_segment_rules_default(&r, &e), CRM_OK);
    uint32_t scored = 0;
    for (uint32_t c = 0; c < f.a->n; c++) {
        struct crm_segment_row row;
        crm_segment_customer(f.seg, c, &row);
        if (!row.quint.scored) {
            assert_int_equal(row.segment, -1);
            assert_string_equal(crm_segment_name(f.seg, row.segment), "");
            continue;
        }
        scored++;
        assert_int_equal(row.segment, (long)crm_segment_rules_match(r, row.quint.r, row.quint.f,
                                                                    row.quint.m));
    }
    assert_int_equal(scored, 12);   /* paid in the window: all but cf, old, can, ref, pend, fut */
    /* plat: the most recent (6 days) of 12 and the most orders: 11 below → 5; its average
     * 2000.00 has 7 below (three 3333.33 and one 5000.00 above) → 1 + floor(35/12) = 3 */
    struct crm_segment_row row = row_of(&f, "plat");
    assert_int_equal(row.quint.r, 5);
    assert_int_equal(row.quint.f, 5);
    assert_int_equal(row.quint.m, 3);
    assert_string_equal(crm_segment_name(f.seg, row.segment), "Potential Loyalist");
    crm_segment_rules_free(r);
    close_fixture(&f);
}

static void test_segment_summary_by_class(void **state)
{
    (void)state;
    struct fixture f;
    open_fixture(&f, 0, NULL);
    struct crm_segment_summary *sum;
    struct crm_errinfo e;
    assert_int_equal(crm_segment_summarize(f.seg, CRM_SEGMENT_BY_CLASS, &sum, &e), CRM_OK);
    assert_int_equal(sum->n, 9);
    static const uint64_t customers[] = {1, 2, 3, 1, 1, 1, 5, 1, 2};
    static const int64_t revenue[] = {50000, 0, 0, 5000, 7000, 1200000, 4399999, 150000,
                                      40000};
    for (size_t k = 0; k < 9; k++) {
        assert_string_equal(sum->group[k].name, crm_class_name((enum crm_class)k));
        assert_int_equal(sum->group[k].customers, customers[k]);
        assert_int_equal(sum->group[k].revenue, revenue[k]);
    }
    assert_int_equal(sum->customers, 17);
    assert_int_equal(sum->revenue, 5851999);
    assert_int_equal(sum->group[CRM_CLASS_G].orders, 15);
    assert_int_equal(sum->group[CRM_CLASS_G].avg_order_value, 293333);   /* 43999.99 / 15 */
    assert_true(sum->group[CRM_CLASS_G].share == 5.0 / 17.0);
    assert_true(sum->group[CRM_CLASS_G].revenue_share == 4399999.0 / 5851999.0);
    assert_false(sum->group[CRM_CLASS_NO_ORDER].has_avg);
    crm_segment_summary_free(sum);
    assert_int_equal(crm_segment_summarize(f.seg, CRM_SEGMENT_BY_VIP, &sum, &e), CRM_OK);
    assert_int_equal(sum->n, 2);
    assert_string_equal(sum->group[0].name, "yes");
    assert_int_equal(sum->group[0].customers, 2);
    assert_int_equal(sum->group[0].revenue, 2200000);
    assert_int_equal(sum->group[1].customers, 15);
    crm_segment_summary_free(sum);
    close_fixture(&f);
}

/* crm-segment --summary --by class: classes alone (no quintile cuts, the agg without items)
 * give each customer the same class and seed scores, and the same summary, as the whole. */
static void test_segment_classes_only_same_classes_and_summary(void **state)
{
    (void)state;
    struct fixture f;
    open_fixture(&f, 0, NULL);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365, .history = 1,
                              .no_items = 1};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_store_rewind(f.s, &e), CRM_OK);
    assert_int_equal(crm_agg_run(f.s, &ao, &a, &e), CRM_OK);
    assert_int_equal(a->n, f.a->n);
    struct crm_rfm_opts ro;
    struct crm_segment_opts so;
    crm_rfm_opts_default(&ro);
    crm_segment_opts_default(&so);
    so.classes_only = 1;
    struct crm_segment *seg;
    assert_int_equal(crm_segment_new(&so, &ro, a, f.info, NULL, 2, &seg, &e), CRM_OK);
    assert_null(crm_segment_quintile(seg));
    assert_non_null(crm_segment_quintile(f.seg));
    uint32_t vips = 0, segments = 0;
    for (uint32_t c = 0; c < a->n; c++) {
        struct crm_segment_row whole, cls;
        crm_segment_customer(f.seg, c, &whole);
        crm_segment_customer(seg, c, &cls);
        assert_int_equal(cls.cls, whole.cls);
        assert_int_equal(crm_segment_class(seg, c), whole.cls);
        assert_int_equal(cls.seed.scored, whole.seed.scored);
        assert_int_equal(cls.seed.frequency, whole.seed.frequency);
        assert_int_equal(cls.seed.monetary_total, whole.seed.monetary_total);
        assert_int_equal(cls.seed.score, whole.seed.score);
        assert_int_equal(cls.seed.tier, whole.seed.tier);
        assert_false(cls.quint.scored);
        assert_int_equal(cls.segment, -1);
        assert_int_equal(cls.vip, 0);
        vips += (uint32_t)whole.vip;
        segments += whole.segment >= 0;
    }
    assert_int_equal(vips, 2);       /* the whole knows them: the test is not vacuous */
    assert_int_equal(segments, 12);
    struct crm_segment_summary *s1, *s2;
    assert_int_equal(crm_segment_summarize(f.seg, CRM_SEGMENT_BY_CLASS, &s1, &e), CRM_OK);
    assert_int_equal(crm_segment_summarize(seg, CRM_SEGMENT_BY_CLASS, &s2, &e), CRM_OK);
    assert_int_equal(s1->n, s2->n);
    for (size_t k = 0; k < s1->n; k++) {
        assert_int_equal(s2->group[k].customers, s1->group[k].customers);
        assert_int_equal(s2->group[k].orders, s1->group[k].orders);
        assert_int_equal(s2->group[k].revenue, s1->group[k].revenue);
    }
    crm_segment_summary_free(s1);
    crm_segment_summary_free(s2);
    crm_segment_free(seg);
    crm_agg_free(a);
    close_fixture(&f);
}

static void test_segment_summary_by_segment_joins_names(void **state)
{
    (void)state;
    char path[64];
    write_file(path, "segment,r_min,r_max,f_min,f_max,m_min,m_max\n"
                     "Top,5,5,1,5,1,5\n"
                     "Rest,1,3,1,5,1,5\n"
                     "Top,4,4,1,5,1,5\n");
    struct crm_segment_rules *rules;
    struct crm_errinfo e;
    assert_int_equal(crm_segment_rules_load(path, &rules, &e), CRM_OK);
    unlink(path);
    struct fixture f;
    f.s = t_store(ORDERS, sizeof ORDERS / sizeof ORDERS[0], CUSTOMERS, 2, f.path);
    struct crm_agg_opts ao = {.as_of = t_day("2024-07-01"), .window_days = 365, .history = 1};
    assert_int_equal(crm_agg_run(f.s, &ao, &f.a, &e), CRM_OK);
    crm_store_customers(f.s, &f.info);
    struct crm_rfm_opts ro;
    struct crm_segment_opts so;
    crm_rfm_opts_default(&ro);
    crm_segment_opts_default(&so);
    assert_int_equal(crm_segment_new(&so, &ro, f.a, f.info, rules, 2, &f.seg, &e), CRM_OK);
    struct crm_segment_summary *sum;
    assert_int_equal(crm_segment_summarize(f.seg, CRM_SEGMENT_BY_SEGMENT, &sum, &e), CRM_OK);
    assert_int_equal(sum->n, 4);
    assert_string_equal(sum->group[0].name, "Top");
    assert_string_equal(sum->group[1].name, "Rest");
    assert_string_equal(sum->group[2].name, "Others");
    assert_string_equal(sum->group[3].name, "(none)");
    /* every scored customer has R 1..5, so Top + Rest hold all 15 and Others none */
    assert_int_equal(sum->group[0].customers + sum->group[1].customers, 12);
    assert_int_equal(sum->group[2].customers, 0);
    assert_int_equal(sum->group[3].customers, 2 + 3);   /* no-order and no-sale */
    crm_segment_summary_free(sum);
    close_fixture(&f);
    crm_segment_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_each_class),
        cmocka_unit_test(test_segment_new_and_dormant_days_are_options),
        cmocka_unit_test(test_segment_vip_needs_all_three_thresholds),
        cmocka_unit_test(test_segment_bad_options_are_usage_errors),
        cmocka_unit_test(test_segment_default_rules_first_match_wins),
        cmocka_unit_test(test_segment_rules_file_replaces_table),
        cmocka_unit_test(test_segment_malformed_rules_name_the_line),
        cmocka_unit_test(test_segment_row_uses_quintile_scores_for_the_segment),
        cmocka_unit_test(test_segment_summary_by_class),
        cmocka_unit_test(test_segment_classes_only_same_classes_and_summary),
        cmocka_unit_test(test_segment_summary_by_segment_joins_names),
    };
    return cmocka_run_group_tests_name("segment", tests, NULL, NULL);
}
