/* Tests for lib/chart: the Pareto chart at 10 and 100,000 customers and with none, and
 * crm-churn's tracking plot; every document is checked with xmllint when installed. */
#include "testutil.h"

#include <math.h>

#include "chart/chart.h"

static char *render_checked(struct crm_svg *s)
{
    char path[] = "/tmp/crm-chart-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(crm_svg_write_fd(s, fd, NULL), CRM_OK);
    close(fd);
    if (system("command -v xmllint >/dev/null 2>&1") == 0) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
        assert_int_equal(system(cmd), 0);
    } else {
        print_message("xmllint not installed: well-formedness not checked\n");
    }
    unlink(path);
    const char *doc;
    size_t len;
    assert_int_equal(crm_svg_render(s, &doc, &len, NULL), CRM_OK);
    char *copy = strdup(doc);
    assert_non_null(copy);
    return copy;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Number of bars: rects in the bar group. */
static size_t bars(const char *doc)
{
    const char *g = strstr(doc, "<g fill=\"#4472c4\" shape-rendering=\"crispEdges\">");
    if (!g)
        return 0;
    const char *end = strstr(g, "</g>");
    size_t n = 0;
    for (const char *p = g; (p = strstr(p, "<rect")) != NULL && p < end; p++)
        n++;
    return n;
}

static struct crm_pareto *dist(const int64_t *v, size_t n)
{
    struct crm_pareto *p = NULL;
    assert_int_equal(crm_pareto_new(v, n, &p, NULL), CRM_OK);
    return p;
}

static void test_chart_pareto_ten_customers(void **state)
{
    (void)state;
    const int64_t v[10] = {10, 10, 10, 100, 10, 10, 10, 10, 10, 10};
    struct crm_pareto *p = dist(v, 10);
    struct crm_chart_pareto_opts o = {0};
    o.a_bp = 8000;
    o.b_bp = 9500;
    struct crm_svg *s = NULL;
    assert_int_equal(crm_chart_pareto(p, &o, &s, NULL), CRM_OK);
    char *doc = render_checked(s);
    assert_non_null(strstr(doc, "<title>Pareto chart: revenue by customer</title>"));
    assert_non_null(strstr(doc, ">10 customers \xC2\xB7 total revenue 190 \xC2\xB7 top 20% of "
                                "customers hold 57.9% \xC2\xB7 Gini 0.426</text>"));
    assert_int_equal(bars(doc), 10); /* one bar per customer */
    assert_non_null(strstr(doc, ">Revenue per customer</text>"));
    assert_non_null(strstr(doc, ">Customers ranked by revenue, highest first</text>"));
    assert_non_null(strstr(doc, ">Cumulative share of revenue</text>"));
    assert_non_null(strstr(doc, ">80% of revenue</text>"));
    /* 80 % of 190 is reached 6.2 customers in */
    assert_non_null(strstr(doc, ">62.0% of customers hold 80% of revenue</text>"));
    /* A = 7 customers, B = 3, no C */
    assert_non_null(strstr(doc, ">Class A</text>"));
    assert_non_null(strstr(doc, ">Class B</text>"));
    assert_null(strstr(doc, ">Class C</text>"));
    /* the cumulative line goes through every customer: 11 points */
    const char *line = strstr(doc, "<polyline stroke=\"#ed7d31\"");
    assert_non_null(line);
    const char *pts = strstr(line, "points=\"");
    assert_non_null(pts);
    size_t points = 1;
    for (const char *c = pts + 8; *c != '"'; c++)
        points += *c == ' ';
    assert_int_equal(points, 11);
    free(doc);
    crm_svg_free(s);
    crm_pareto_free(p);
}

static void test_chart_pareto_bins_many_customers(void **state)
{
    (void)state;
    enum { N = 100000 };
    static int64_t v[N];
    for (int i = 0; i < N; i++)
        v[i] = 100 * (i % 1000) + 1;
    struct crm_pareto *p = dist(v, N);
    struct crm_chart_pareto_opts o = {0};
    o.value_name = "revenue";
    o.value_decimals = 2;
    struct crm_svg *s = NULL;
    assert_int_equal(crm_chart_pareto(p, &o, &s, NULL), CRM_OK);
    char *doc = render_checked(s);
    assert_int_equal(bars(doc), 200);
    assert_non_null(strstr(doc, ">Revenue per customer (each bar: mean of ~500 customers)<"));
    assert_non_null(strstr(doc, ">100,000 customers \xC2\xB7 total revenue 49,951,000.00 "));
    assert_null(strstr(doc, "Class A")); /* no bands asked for */
    assert_true(strlen(doc) < 100000); /* binned: size does not grow with n */
    free(doc);
    crm_svg_free(s);
    crm_pareto_free(p);
}

static void test_chart_pareto_ten_million_customers(void **state)
{
    (void)state;
    /* 10^7 customers as runs: 1,000 values from 1,000.00 down to 1.00, 10^4 customers each */
    static struct crm_pareto_run runs[1000];
    for (int k = 0; k < 1000; k++) {
        runs[k].value = (int64_t)(1000 - k) * 100;
        runs[k].count = 10000;
    }
    struct crm_pareto *p = NULL;
    assert_int_equal(crm_pareto_new_runs(runs, 1000, &p, NULL), CRM_OK);
    struct crm_chart_pareto_opts o = {0};
    o.value_decimals = 2;
    o.a_bp = 8000;
    o.b_bp = 9500;
    struct crm_svg *s = NULL;
    assert_int_equal(crm_chart_pareto(p, &o, &s, NULL), CRM_OK);
    char *doc = render_checked(s);
    assert_int_equal(bars(doc), 200);
    assert_non_null(strstr(doc, ">Revenue per customer (each bar: mean of ~50,000 customers)<"));
    assert_non_null(strstr(doc, ">10,000,000 customers \xC2\xB7 total revenue "
                                "5,005,000,000.00 \xC2\xB7 "));
    assert_non_null(strstr(doc, ">Class A</text>"));
    assert_non_null(strstr(doc, ">Class C</text>"));
    assert_true(strlen(doc) < 100000);
    free(doc);
    crm_svg_free(s);
    crm_pareto_free(p);
}

static void test_chart_pareto_frequency_and_no_customers(void **state)
{
    (void)state;
    struct crm_pareto *p = dist(NULL, 0);
    struct crm_chart_pareto_opts o = {0};
    o.title = "订单集中度 <frequency>";
    o.value_name = "orders";
    struct crm_svg *s = NULL;
    assert_int_equal(crm_chart_pareto(p, &o, &s, NULL), CRM_OK);
    char *doc = render_checked(s);
    assert_non_null(strstr(doc, "<title>订单集中度 &lt;frequency&gt;</title>"));
    assert_non_null(strstr(doc, ">0 customers \xC2\xB7 total orders 0 "));
    assert_int_equal(bars(doc), 0);
    assert_null(strstr(doc, "<circle")); /* no crossing point without customers */
    assert_non_null(strstr(doc, ">80% of orders</text>"));
    free(doc);
    crm_svg_free(s);
    crm_pareto_free(p);

    o.a_bp = 9000;
    o.b_bp = 8000;
    const int64_t one[1] = {1};
    p = dist(one, 1);
    assert_int_equal(crm_chart_pareto(p, &o, &s, NULL), CRM_EUSAGE);
    assert_null(s);
    crm_pareto_free(p);
}

static void test_chart_tracking_plot(void **state)
{
    (void)state;
    enum { W = 79 };
    double x[W], actual[W], predicted[W];
    for (int w = 0; w < W; w++) {
        x[w] = w;
        predicted[w] = 4000 * (1 - exp(-w / 40.0));
        actual[w] = w < 70 ? predicted[w] * (1 + 0.05 * sin(w / 3.0)) : NAN;
    }
    struct crm_chart_tracking_opts o = {0};
    o.calibration_end = 39;
    o.predicted_name = "BG/NBD";
    struct crm_svg *s = NULL;
    assert_int_equal(crm_chart_tracking(x, actual, predicted, W, &o, &s, NULL), CRM_OK);
    char *doc = render_checked(s);
    assert_non_null(strstr(doc, "<title>Tracking plot: cumulative repeat purchases</title>"));
    assert_int_equal(count(doc, "<polyline"), 2);
    assert_int_equal(count(doc, "stroke-dasharray=\"8 5\""), 1); /* the prediction */
    assert_non_null(strstr(doc, ">Actual</text>"));
    assert_non_null(strstr(doc, ">BG/NBD</text>"));
    assert_non_null(strstr(doc, ">End of calibration</text>"));
    assert_non_null(strstr(doc, ">Week</text>"));
    assert_non_null(strstr(doc, ">Cumulative repeat purchases</text>"));
    assert_non_null(strstr(doc, ">80</text>")); /* weeks 0..78 on a 0..80 axis */
    assert_non_null(strstr(doc, ">4,000</text>"));
    free(doc);
    crm_svg_free(s);

    o.calibration_end = 0; /* at the first period: no line */
    assert_int_equal(crm_chart_tracking(x, actual, predicted, W, &o, &s, NULL), CRM_OK);
    const char *d;
    size_t len;
    assert_int_equal(crm_svg_render(s, &d, &len, NULL), CRM_OK);
    assert_null(strstr(d, "End of calibration"));
    crm_svg_free(s);
    assert_int_equal(crm_chart_tracking(x, actual, predicted, 1, &o, &s, NULL), CRM_EUSAGE);
}

/* crm-pareto's chart options from its report options: what was ranked, its decimals, the
 * ABC bands. */
static void test_chart_pareto_opts_of_the_report(void **state)
{
    (void)state;
    struct crm_pareto_opts po;
    struct crm_chart_pareto_opts co;
    struct crm_errinfo e;
    crm_pareto_opts_default(&po);
    crm_chart_pareto_opts_of(&po, 2, &co);
    assert_string_equal(co.value_name, "revenue");
    assert_int_equal(co.value_decimals, 2);
    assert_int_equal(co.a_bp, 8000);
    assert_int_equal(co.b_bp, 9500);
    assert_null(co.title);
    assert_int_equal(co.max_bins, 0);
    assert_int_equal(crm_pareto_set_option(&po, "net", NULL, &e), CRM_OK);
    assert_int_equal(crm_pareto_opts_finish(&po, &e), CRM_OK);
    crm_chart_pareto_opts_of(&po, 3, &co);
    assert_string_equal(co.value_name, "net revenue");
    assert_int_equal(co.value_decimals, 3);
    crm_pareto_opts_default(&po);
    assert_int_equal(crm_pareto_set_option(&po, "by", "frequency", &e), CRM_OK);
    assert_int_equal(crm_pareto_set_option(&po, "abc", "70,90", &e), CRM_OK);
    crm_chart_pareto_opts_of(&po, 2, &co);
    assert_string_equal(co.value_name, "orders");
    assert_int_equal(co.value_decimals, 0);
    assert_int_equal(co.a_bp, 7000);
    assert_int_equal(co.b_bp, 9000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chart_pareto_ten_customers),
        cmocka_unit_test(test_chart_pareto_bins_many_customers),
        cmocka_unit_test(test_chart_pareto_ten_million_customers),
        cmocka_unit_test(test_chart_pareto_frequency_and_no_customers),
        cmocka_unit_test(test_chart_tracking_plot),
        cmocka_unit_test(test_chart_pareto_opts_of_the_report),
    };
    return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
