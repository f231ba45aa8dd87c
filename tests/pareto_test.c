/* Tests for lib/pareto: ranking, Gini, ABC classes, top-20 share, curves and the merge of
 * partials, on hand-computed cases and on seeded random data. */
#include "testutil.h"

#include <math.h>

#include "customer/agg.h"
#include "customer/pareto.h"

/* splitmix64 (Steele, Lea & Flood 2014): a seeded generator so runs repeat exactly. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Heavy-tailed values with many ties: mostly small, a few huge, some zeros. */
static int64_t heavy(uint64_t *s)
{
    uint64_t r = rnd(s);
    switch (r % 8) {
    case 0: return 0;
    case 1: return (int64_t)(r >> 40) % 5;
    case 2: return (int64_t)((r >> 20) % 1000000000u);
    default: return (int64_t)((r >> 32) % 5000u);
    }
}

static struct crm_pareto *dist(const int64_t *v, size_t n)
{
    struct crm_pareto *p = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_pareto_new(v, n, &p, &e), CRM_OK);
    assert_non_null(p);
    return p;
}

static void summary(const struct crm_pareto *p, struct crm_pareto_summary *s)
{
    assert_int_equal(crm_pareto_summarize(p, 8000, 9500, s, NULL), CRM_OK);
}

/* ---- Gini ---------------------------------------------------------------------------- */

static void test_pareto_gini_nine_tens_and_a_hundred(void **state)
{
    (void)state;
    const int64_t v[10] = {10, 10, 10, 100, 10, 10, 10, 10, 10, 10};
    struct crm_pareto *p = dist(v, 10);
    struct crm_pareto_summary s;
    summary(p, &s);
    /* 2·1450/(10·190) − 11/10 = 810/1900 */
    assert_true(s.gini == 810.0 / 1900.0);
    char buf[32];
    snprintf(buf, sizeof buf, "%.7f", s.gini);
    assert_string_equal(buf, "0.4263158");
    assert_int_equal(s.customers, 10);
    assert_int_equal(s.total_value, 190);
    assert_true(s.top20_share == 110.0 / 190.0);
    /* cum before: 0,100,110,…,150 < 152 → A (7); 160,170,180 < 180.5 → B (3) */
    assert_int_equal(s.class_customers[0], 7);
    assert_int_equal(s.class_customers[1], 3);
    assert_int_equal(s.class_customers[2], 0);
    assert_int_equal(s.class_value[0], 160);
    assert_int_equal(s.class_value[1], 30);
    assert_int_equal(s.class_value[2], 0);
    assert_true(s.customers_for_80 == 0.7);
    crm_pareto_free(p);
}

static void test_pareto_gini_all_equal_is_zero(void **state)
{
    (void)state;
    const int64_t v[6] = {42, 42, 42, 42, 42, 42};
    struct crm_pareto *p = dist(v, 6);
    assert_true(crm_pareto_gini(p) == 0.0);
    assert_true(crm_pareto_top_share(p, 1, 5) == 0.2);
    crm_pareto_free(p);
}

static void test_pareto_gini_one_has_all(void **state)
{
    (void)state;
    const int64_t v[5] = {0, 0, 50, 0, 0};
    struct crm_pareto *p = dist(v, 5);
    assert_true(crm_pareto_gini(p) == 4.0 / 5.0); /* (n−1)/n */
    /* the top 20 % is the one customer */
    assert_true(crm_pareto_top_share(p, 1, 5) == 1.0);
    crm_pareto_free(p);
}

static void test_pareto_gini_exact_beyond_64_bits(void **state)
{
    (void)state;
    /* Σ i·x = 1450·10^16 does not fit 64 bits */
    const int64_t k = 10000000000000000; /* 10^16 */
    int64_t v[10];
    for (int i = 0; i < 9; i++)
        v[i] = 10 * k;
    v[9] = 100 * k;
    struct crm_pareto *p = dist(v, 10);
    assert_true(fabs(crm_pareto_gini(p) - 810.0 / 1900.0) < 1e-15);
    assert_int_equal(crm_pareto_total(p), 190 * k);
    crm_pareto_free(p);
}

static void test_pareto_gini_equals_one_minus_twice_lorenz_area(void **state)
{
    (void)state;
    uint64_t seed = 7;
    enum { N = 997 };
    int64_t v[N];
    for (int i = 0; i < N; i++)
        v[i] = heavy(&seed);
    struct crm_pareto *p = dist(v, N);
    static double x[N + 1], y[N + 1];
    assert_int_equal(crm_pareto_curve(p, N, CRM_PARETO_LORENZ, x, y, NULL), CRM_OK);
    double area = 0;
    for (int j = 0; j < N; j++)
        area += (x[j + 1] - x[j]) * (y[j] + y[j + 1]) / 2;
    assert_true(fabs(crm_pareto_gini(p) - (1 - 2 * area)) < 1e-12);
    crm_pareto_free(p);
}

/* ---- ABC --------------------------------------------------------------------------------- */

static void test_pareto_abc_exact_boundary_is_not_a(void **state)
{
    (void)state;
    /* the top two hold exactly 80 %: the third customer's predecessors do not hold
     * less than 80 %, so A is the two; 90 % < 95 % makes the fourth B */
    const int64_t v[4] = {10, 40, 10, 40};
    struct crm_pareto *p = dist(v, 4);
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_int_equal(s.class_customers[0], 2);
    assert_int_equal(s.class_customers[1], 2);
    assert_int_equal(s.class_customers[2], 0);
    assert_int_equal(s.class_value[0], 80);
    assert_true(s.customers_for_80 == 0.5);
    crm_pareto_free(p);
}

static void test_pareto_abc_tie_group_split_by_id(void **state)
{
    (void)state;
    /* five equal customers: ranks 1-4 have 0..60 % before them (A), rank 5 has 80 % (B);
     * which one is rank 5 is decided by id: the largest id, "e" */
    const int64_t v[5] = {20, 20, 20, 20, 20};
    const char *ids[5] = {"e", "b", "d", "a", "c"};
    uint32_t order[5];
    assert_int_equal(crm_pareto_rank_cmp(v, 5, crm_pareto_cmp_str, ids, order, NULL), CRM_OK);
    struct crm_pareto *p = NULL;
    assert_int_equal(crm_pareto_new_ranked(v, order, 5, &p, NULL), CRM_OK);
    struct crm_pareto_cursor c;
    struct crm_pareto_row row;
    crm_pareto_cursor_init(&c, p, 8000, 9500);
    char classes[6] = {0};
    for (int r = 0; r < 5; r++) {
        assert_int_equal(crm_pareto_cursor_next(&c, v[order[r]], &row, NULL), CRM_OK);
        classes[r] = row.abc;
    }
    assert_string_equal(classes, "AAAAB");
    assert_string_equal(ids[order[4]], "e");
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_int_equal(s.class_customers[0], 4);
    assert_int_equal(s.class_customers[1], 1);
    crm_pareto_free(p);
}

static void test_pareto_abc_cursor_agrees_with_summary(void **state)
{
    (void)state;
    uint64_t seed = 11;
    enum { N = 5000 };
    static int64_t v[N];
    static uint32_t order[N];
    for (int i = 0; i < N; i++)
        v[i] = heavy(&seed);
    assert_int_equal(crm_pareto_rank(v, N, NULL, order, NULL), CRM_OK);
    struct crm_pareto *p = NULL;
    assert_int_equal(crm_pareto_new_ranked(v, order, N, &p, NULL), CRM_OK);
    struct crm_pareto_summary s;
    assert_int_equal(crm_pareto_summarize(p, 7000, 9000, &s, NULL), CRM_OK);
    struct crm_pareto_cursor c;
    struct crm_pareto_row row = {0};
    uint64_t count[3] = {0};
    int64_t value[3] = {0};
    crm_pareto_cursor_init(&c, p, 7000, 9000);
    for (int r = 0; r < N; r++) {
        struct crm_pareto_cursor at = c;   /* what crm-pareto's threads start from */
        struct crm_pareto_row same;
        memset(&same, 0, sizeof same);
        memset(&row, 0, sizeof row);
        crm_pareto_row_at(&at, v[order[r]], &same);
        assert_int_equal(crm_pareto_cursor_next(&c, v[order[r]], &row, NULL), CRM_OK);
        assert_memory_equal(&same, &row, sizeof row);
        count[row.abc - 'A']++;
        value[row.abc - 'A'] += row.value;
    }
    assert_true(row.cum_value == 1.0);
    assert_true(row.cum_customers == 1.0);
    assert_int_equal(row.rank, N);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(count[k], s.class_customers[k]);
        assert_int_equal(value[k], s.class_value[k]);
    }
    assert_true(count[0] > 0 && count[1] > 0 && count[2] > 0);
    /* one more customer than counted is refused */
    assert_int_equal(crm_pareto_cursor_next(&c, 0, &row, NULL), CRM_EUSAGE);
    crm_pareto_free(p);
}

static void test_pareto_cursor_refuses_ascending_values(void **state)
{
    (void)state;
    const int64_t v[3] = {5, 3, 1};
    struct crm_pareto *p = dist(v, 3);
    struct crm_pareto_cursor c;
    struct crm_pareto_row row;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_pareto_cursor_init(&c, p, 8000, 9500);
    assert_int_equal(crm_pareto_cursor_next(&c, 3, &row, &e), CRM_OK);
    assert_true(row.share == 3.0 / 9.0);
    assert_int_equal(crm_pareto_cursor_next(&c, 5, &row, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "rank 2"));
    crm_pareto_free(p);
}

/* ---- degenerate inputs ------------------------------------------------------------------- */

static void test_pareto_zero_total_is_equal_shares(void **state)
{
    (void)state;
    const int64_t v[4] = {0, 0, 0, 0};
    struct crm_pareto *p = dist(v, 4);
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_int_equal(s.total_value, 0);
    assert_true(s.gini == 0.0);
    assert_true(s.top20_share == 0.2);
    /* r/4 < 0.8 for r = 0..3: all four are A, as for four equal positive values */
    assert_int_equal(s.class_customers[0], 4);
    assert_true(s.customers_for_80 == 1.0);
    double y[5];
    assert_int_equal(crm_pareto_curve(p, 4, CRM_PARETO_LORENZ, NULL, y, NULL), CRM_OK);
    for (int j = 0; j <= 4; j++)
        assert_true(y[j] == j / 4.0);
    struct crm_pareto_cursor c;
    struct crm_pareto_row row;
    crm_pareto_cursor_init(&c, p, 8000, 9500);
    assert_int_equal(crm_pareto_cursor_next(&c, 0, &row, NULL), CRM_OK);
    assert_true(row.share == 0.25);
    assert_true(row.cum_value == 0.25);
    assert_int_equal(row.abc, 'A');
    crm_pareto_free(p);

    const int64_t same[4] = {5, 5, 5, 5};
    p = dist(same, 4);
    struct crm_pareto_summary t;
    summary(p, &t);
    assert_int_equal(t.class_customers[0], s.class_customers[0]);
    crm_pareto_free(p);
}

static void test_pareto_no_customers(void **state)
{
    (void)state;
    struct crm_pareto *p = dist(NULL, 0);
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_int_equal(s.customers, 0);
    assert_int_equal(s.total_value, 0);
    assert_true(s.gini == 0.0);
    assert_true(s.customers_for_80 == 0.0);
    assert_int_equal(s.class_customers[0] + s.class_customers[1] + s.class_customers[2], 0);
    double y[3];
    assert_int_equal(crm_pareto_curve(p, 2, CRM_PARETO_CUMULATIVE, NULL, y, NULL), CRM_OK);
    assert_true(y[0] == 0.0 && y[2] == 1.0);
    assert_int_equal(crm_pareto_bins(p, 200, NULL, NULL), 0);
    crm_pareto_free(p);
}

static void test_pareto_single_customer(void **state)
{
    (void)state;
    const int64_t v[1] = {7};
    struct crm_pareto *p = dist(v, 1);
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_true(s.gini == 0.0); /* (n−1)/n with n = 1 */
    assert_true(s.top20_share == 0.2);
    assert_int_equal(s.class_customers[0], 1);
    assert_true(s.customers_for_80 == 1.0);
    double x[3], y[3];
    assert_int_equal(crm_pareto_curve(p, 2, CRM_PARETO_LORENZ, x, y, NULL), CRM_OK);
    assert_true(x[1] == 0.5 && y[1] == 0.5);
    crm_pareto_free(p);
}

static void test_pareto_rejects_negative_and_overflow(void **state)
{
    (void)state;
    struct crm_pareto *p = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    const int64_t neg[3] = {5, -1, 2};
    assert_int_equal(crm_pareto_new(neg, 3, &p, &e), CRM_EDATA);
    assert_null(p);
    assert_non_null(strstr(e.msg, "negative value -1"));
    const int64_t big[2] = {INT64_MAX, 1};
    assert_int_equal(crm_pareto_new(big, 2, &p, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "total value exceeds"));
    const int64_t up[2] = {1, 2};
    assert_int_equal(crm_pareto_new_ranked(up, NULL, 2, &p, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "descending"));
}

/* ---- top-20 share and curves -------------------------------------------------------------- */

static double top20(const int64_t *v, size_t n)
{
    struct crm_pareto *p = dist(v, n);
    double t = crm_pareto_top_share(p, 1, 5);
    crm_pareto_free(p);
    return t;
}

static void test_pareto_top20_interpolates_small_n(void **state)
{
    (void)state;
    const int64_t one[1] = {9}, two[2] = {1, 3}, three[3] = {1, 6, 3};
    const int64_t seven[7] = {0, 5, 10, 70, 5, 0, 10};
    assert_true(top20(one, 1) == 0.2);               /* 0.2 of the customer */
    assert_true(top20(two, 2) == 6.0 / 20);          /* 0.4 of the 3, of 4 */
    assert_true(top20(three, 3) == 18.0 / 50);       /* 0.6 of the 6, of 10 */
    assert_true(top20(seven, 7) == 74.0 / 100);      /* 70 + 0.4 of 10 */
}

static void test_pareto_top20_is_one_minus_lorenz_at_80(void **state)
{
    (void)state;
    const int64_t seven[7] = {0, 5, 10, 70, 5, 0, 10};
    struct crm_pareto *p = dist(seven, 7);
    double y[6];
    assert_int_equal(crm_pareto_curve(p, 5, CRM_PARETO_LORENZ, NULL, y, NULL), CRM_OK);
    assert_true(fabs(y[4] - 0.26) < 1e-15);
    assert_true(fabs(crm_pareto_top_share(p, 1, 5) - (1 - y[4])) < 1e-15);
    crm_pareto_free(p);
}

static void test_pareto_curve_end_points_and_shape(void **state)
{
    (void)state;
    uint64_t seed = 3;
    enum { N = 333 };
    int64_t v[N];
    for (int i = 0; i < N; i++)
        v[i] = heavy(&seed);
    struct crm_pareto *p = dist(v, N);
    const size_t points = 100;
    double x[101], lor[101], cum[101];
    assert_int_equal(crm_pareto_curve(p, points, CRM_PARETO_LORENZ, x, lor, NULL), CRM_OK);
    assert_int_equal(crm_pareto_curve(p, points, CRM_PARETO_CUMULATIVE, NULL, cum, NULL),
                     CRM_OK);
    assert_true(x[0] == 0.0 && lor[0] == 0.0 && cum[0] == 0.0);
    assert_true(x[points] == 1.0 && lor[points] == 1.0 && cum[points] == 1.0);
    for (size_t j = 0; j <= points; j++) {
        assert_true(lor[j] <= x[j] + 1e-15);          /* Lorenz below the diagonal */
        assert_true(fabs(cum[j] - (1 - lor[points - j])) < 1e-12);
        if (j)
            assert_true(lor[j] >= lor[j - 1]);
    }
    assert_int_equal(crm_pareto_curve(p, 0, CRM_PARETO_LORENZ, x, lor, NULL), CRM_EUSAGE);
    crm_pareto_free(p);
}

static void test_pareto_customers_at_share(void **state)
{
    (void)state;
    const int64_t v[10] = {10, 10, 10, 100, 10, 10, 10, 10, 10, 10};
    struct crm_pareto *p = dist(v, 10);
    /* 80 % of 190 = 152 = 100 + 5.2 × 10 → 6.2 of 10 customers */
    assert_true(fabs(crm_pareto_customers_at_share(p, 8000) - 0.62) < 1e-15);
    assert_true(crm_pareto_customers_at_share(p, 0) == 0.0);
    assert_true(crm_pareto_customers_at_share(p, 10000) == 1.0);
    crm_pareto_free(p);
}

static void test_pareto_bins_split_ranks_evenly(void **state)
{
    (void)state;
    const int64_t v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct crm_pareto *p = dist(v, 10);
    uint64_t end[10];
    int64_t sum[10];
    assert_int_equal(crm_pareto_bins(p, 4, end, sum), 4);
    /* ranks [0,2) [2,5) [5,7) [7,10) of 10,9,…,1 */
    const uint64_t want_end[4] = {2, 5, 7, 10};
    const int64_t want_sum[4] = {19, 21, 9, 6};
    for (int b = 0; b < 4; b++) {
        assert_int_equal(end[b], want_end[b]);
        assert_int_equal(sum[b], want_sum[b]);
    }
    assert_int_equal(crm_pareto_bins(p, 200, end, sum), 10);
    assert_int_equal(sum[0], 10);
    crm_pareto_free(p);
}

/* ---- ranking ----------------------------------------------------------------------------- */

struct ref {
    const int64_t *v;
    const uint32_t *id_rank;
};
static struct ref ref_ctx; /* test-only: qsort has no context argument */

static int ref_cmp(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    if (ref_ctx.v[a] != ref_ctx.v[b])
        return ref_ctx.v[a] > ref_ctx.v[b] ? -1 : 1;
    uint32_t ka = ref_ctx.id_rank ? ref_ctx.id_rank[a] : a;
    uint32_t kb = ref_ctx.id_rank ? ref_ctx.id_rank[b] : b;
    return ka < kb ? -1 : ka > kb;
}

static int rank_cmp_by_key(uint32_t a, uint32_t b, void *ctx)
{
    const uint32_t *key = ctx;
    return key[a] < key[b] ? -1 : key[a] > key[b];
}

static void check_ranking(const int64_t *v, size_t n, uint32_t *id_rank)
{
    uint32_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    for (size_t i = 0; i < n; i++)
        want[i] = (uint32_t)i;
    ref_ctx.v = v;
    ref_ctx.id_rank = id_rank;
    qsort(want, n, sizeof *want, ref_cmp);
    assert_int_equal(crm_pareto_rank(v, n, id_rank, got, NULL), CRM_OK);
    assert_memory_equal(got, want, n * sizeof *got);
    if (id_rank) {
        memset(got, 0, n * sizeof *got);
        assert_int_equal(crm_pareto_rank_cmp(v, n, rank_cmp_by_key, id_rank, got, NULL),
                         CRM_OK);
        assert_memory_equal(got, want, n * sizeof *got);
    }
    free(want);
    free(got);
}

static void test_pareto_rank_value_desc_ties_by_id(void **state)
{
    (void)state;
    const int64_t v[6] = {5, 9, 5, 0, 9, 5};
    const char *ids[6] = {"c", "z", "a", "q", "b", "客户"};
    uint32_t order[6];
    assert_int_equal(crm_pareto_rank_cmp(v, 6, crm_pareto_cmp_str, ids, order, NULL), CRM_OK);
    const char *want[6] = {"b", "z", "a", "c", "客户", "q"};
    for (int r = 0; r < 6; r++)
        assert_string_equal(ids[order[r]], want[r]);
    /* the same with id ranks: c=2 z=4 a=0 q=3 b=1 客户=5 */
    uint32_t id_rank[6] = {2, 4, 0, 3, 1, 5};
    uint32_t order2[6];
    assert_int_equal(crm_pareto_rank(v, 6, id_rank, order2, NULL), CRM_OK);
    assert_memory_equal(order, order2, sizeof order);
}

static void test_pareto_rank_matches_reference_sort(void **state)
{
    (void)state;
    uint64_t seed = 99;
    enum { N = 20000 };
    static int64_t v[N];
    static uint32_t id_rank[N];
    for (size_t i = 0; i < N; i++) {
        v[i] = heavy(&seed);
        id_rank[i] = (uint32_t)i;
    }
    for (size_t i = N - 1; i > 0; i--) { /* Fisher–Yates */
        size_t j = rnd(&seed) % (i + 1);
        uint32_t t = id_rank[i];
        id_rank[i] = id_rank[j];
        id_rank[j] = t;
    }
    check_ranking(v, N, NULL);
    check_ranking(v, N, id_rank);
}

static void test_pareto_rank_wide_value_range(void **state)
{
    (void)state;
    /* max − min beyond 2^32 takes the 128-bit-record path; negatives are fine here */
    uint64_t seed = 5;
    enum { N = 3000 };
    static int64_t v[N];
    static uint32_t id_rank[N];
    for (size_t i = 0; i < N; i++) {
        v[i] = (int64_t)(rnd(&seed) % 7) * 3000000000000 - 9000000000000;
        id_rank[i] = (uint32_t)(N - 1 - i);
    }
    v[0] = INT64_MIN;
    v[1] = INT64_MAX;
    check_ranking(v, N, NULL);
    check_ranking(v, N, id_rank);
}

static const char *const *ref_ids; /* test-only, for qsort */

static int ref_cmp_text(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    if (ref_ctx.v[a] != ref_ctx.v[b])
        return ref_ctx.v[a] > ref_ctx.v[b] ? -1 : 1;
    return strcmp(ref_ids[a], ref_ids[b]);
}

static void check_rank_ids(const int64_t *v, size_t n, const char *const *ids)
{
    uint32_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    for (size_t i = 0; i < n; i++)
        want[i] = (uint32_t)i;
    ref_ctx.v = v;
    ref_ids = ids;
    qsort(want, n, sizeof *want, ref_cmp_text);
    assert_int_equal(crm_pareto_rank_ids(v, n, crm_pareto_id_cstr, (void *)ids, got, NULL),
                     CRM_OK);
    assert_memory_equal(got, want, n * sizeof *got);
    /* the same in lent work space holding garbage, exactly the size asked for, and in
     * one a byte short (then allocated inside, the lent bytes untouched) */
    size_t len = crm_pareto_rank_scratch(n);
    unsigned char *scratch = malloc(len);
    assert_non_null(scratch);
    memset(scratch, 0xa5, len);
    memset(got, 0, n * sizeof *got);
    assert_int_equal(crm_pareto_rank_ids_in(v, n, crm_pareto_id_cstr, (void *)ids, got,
                                            scratch, len, NULL), CRM_OK);
    assert_memory_equal(got, want, n * sizeof *got);
    memset(scratch, 0x5a, len);
    memset(got, 0, n * sizeof *got);
    assert_int_equal(crm_pareto_rank_ids_in(v, n, crm_pareto_id_cstr, (void *)ids, got,
                                            scratch, len - 1, NULL), CRM_OK);
    assert_memory_equal(got, want, n * sizeof *got);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(scratch[i], 0x5a);
    free(scratch);
    free(want);
    free(got);
}

static void test_pareto_rank_ids_matches_reference_sort(void **state)
{
    (void)state;
    /* ids share "CUST-", differ in length ("CUST-7" < "CUST-70" < "CUST-8"), some are
     * longer than the 8 key bytes, some are Chinese; in the second half most are
     * "CUSTOMER-…", so the two halves (two threads past 65,536 customers) share prefixes of
     * different lengths and the keys must start after the shorter */
    uint64_t seed = 17;
    enum { N = 70000 };
    static int64_t v[N];
    static char text[N][40];
    static const char *ids[N];
    for (size_t i = 0; i < N; i++) {
        v[i] = heavy(&seed) % 50; /* many ties */
        uint64_t r = rnd(&seed);
        if (r % 10 == 0)
            snprintf(text[i], sizeof text[i], "CUST-客户%zu", i);
        else if (r % 10 == 1)
            snprintf(text[i], sizeof text[i], "CUST-%zu-long-suffix-%zu", i % 100, i);
        else if (i >= N / 2)
            snprintf(text[i], sizeof text[i], "CUSTOMER-%zu", (i * 7919) % N);
        else
            snprintf(text[i], sizeof text[i], "CUST-%zu", (i * 7919) % N);
        ids[i] = text[i];
    }
    check_rank_ids(v, N, ids);
    for (size_t i = 0; i < N; i++) /* short runs of a value (<= 64: compared one by one) */
        v[i] = (int64_t)(rnd(&seed) % 3000);
    check_rank_ids(v, N, ids);
    for (size_t i = 0; i < N; i++) /* runs of every length, a long one of zeros */
        v[i] = i % 4 == 0 ? 0 : (int64_t)(rnd(&seed) % (1 + i % 200));
    check_rank_ids(v, N, ids);
    for (size_t i = 0; i < N; i += 3) /* a value range past 2^32: the comparison path */
        v[i] = (int64_t)(rnd(&seed) % 4) * 5000000000;
    check_rank_ids(v, N, ids);
    const int64_t one[1] = {3};
    const char *one_id[1] = {"x"};
    check_rank_ids(one, 1, one_id);
}

static void test_pareto_rank_rejects_bad_id_rank(void **state)
{
    (void)state;
    const int64_t v[3] = {1, 2, 3};
    uint32_t dup[3] = {0, 2, 0}, out_of_range[3] = {0, 1, 3}, order[3];
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_pareto_rank(v, 3, dup, order, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "permutation"));
    assert_int_equal(crm_pareto_rank(v, 3, out_of_range, order, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "id_rank[2]"));
}

/* ---- partials ---------------------------------------------------------------------------- */

static void assert_same_figures(const struct crm_pareto *a, const struct crm_pareto *b)
{
    struct crm_pareto_summary sa, sb;
    summary(a, &sa);
    summary(b, &sb);
    assert_int_equal(sa.customers, sb.customers);
    assert_int_equal(sa.total_value, sb.total_value);
    assert_true(sa.gini == sb.gini);
    assert_true(sa.top20_share == sb.top20_share);
    assert_true(sa.customers_for_80 == sb.customers_for_80);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sa.class_customers[k], sb.class_customers[k]);
        assert_int_equal(sa.class_value[k], sb.class_value[k]);
    }
    double ya[51], yb[51];
    for (int o = 0; o < 2; o++) {
        enum crm_pareto_curve_order ord = o ? CRM_PARETO_CUMULATIVE : CRM_PARETO_LORENZ;
        assert_int_equal(crm_pareto_curve(a, 50, ord, NULL, ya, NULL), CRM_OK);
        assert_int_equal(crm_pareto_curve(b, 50, ord, NULL, yb, NULL), CRM_OK);
        assert_memory_equal(ya, yb, sizeof ya);
    }
    size_t na, nb;
    const struct crm_pareto_run *ra = crm_pareto_runs(a, &na), *rb = crm_pareto_runs(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ra, rb, na * sizeof *ra);
}

static void test_pareto_merge_of_partials_equals_whole(void **state)
{
    (void)state;
    uint64_t seed = 2024;
    enum { N = 30000, K = 6 };
    static int64_t all[N], part[K][N];
    size_t len[K] = {0};
    for (size_t i = 0; i < N; i++) {
        all[i] = heavy(&seed);
        size_t k = rnd(&seed) % (K - 1); /* partition K-1 stays empty */
        part[k][len[k]++] = all[i];
    }
    struct crm_pareto *whole = dist(all, N), *parts[K + 1];
    for (int k = 0; k < K; k++)
        parts[k] = dist(part[k], len[k]);
    parts[K] = NULL;
    struct crm_pareto *merged = NULL;
    assert_int_equal(crm_pareto_merge((const struct crm_pareto *const *)parts, K + 1, &merged,
                                      NULL),
                     CRM_OK);
    assert_same_figures(whole, merged);
    struct crm_pareto_summary s;
    summary(whole, &s);
    assert_true(s.gini > 0.5 && s.gini < 1.0); /* the data really is concentrated */

    /* a partial read back from its runs merges the same */
    size_t nruns;
    const struct crm_pareto_run *runs = crm_pareto_runs(parts[0], &nruns);
    struct crm_pareto *copy = NULL;
    assert_int_equal(crm_pareto_new_runs(runs, nruns, &copy, NULL), CRM_OK);
    crm_pareto_free(parts[0]);
    parts[0] = copy;
    struct crm_pareto *again = NULL;
    assert_int_equal(crm_pareto_merge((const struct crm_pareto *const *)parts, K, &again, NULL),
                     CRM_OK);
    assert_same_figures(whole, again);

    crm_pareto_free(again);
    crm_pareto_free(merged);
    for (int k = 0; k < K; k++)
        crm_pareto_free(parts[k]);
    crm_pareto_free(whole);
}

static void test_pareto_new_runs_checks_input(void **state)
{
    (void)state;
    const struct crm_pareto_run up[2] = {{3, 1}, {5, 2}}, zero[1] = {{3, 0}};
    const struct crm_pareto_run join[3] = {{5, 2}, {5, 1}, {0, 4}};
    struct crm_pareto *p = NULL;
    assert_int_equal(crm_pareto_new_runs(up, 2, &p, NULL), CRM_EDATA);
    assert_int_equal(crm_pareto_new_runs(zero, 1, &p, NULL), CRM_EDATA);
    assert_int_equal(crm_pareto_new_runs(join, 3, &p, NULL), CRM_OK);
    size_t n;
    const struct crm_pareto_run *r = crm_pareto_runs(p, &n);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].count, 3);
    assert_int_equal(crm_pareto_customers(p), 7);
    assert_int_equal(crm_pareto_total(p), 15);
    crm_pareto_free(p);
    crm_pareto_free(NULL);
}

static void test_pareto_parse_abc(void **state)
{
    (void)state;
    unsigned a = 0, b = 0;
    assert_int_equal(crm_pareto_parse_abc("80,95", &a, &b, NULL), CRM_OK);
    assert_int_equal(a, 8000);
    assert_int_equal(b, 9500);
    assert_int_equal(crm_pareto_parse_abc("70.5, 90.25", &a, &b, NULL), CRM_OK);
    assert_int_equal(a, 7050);
    assert_int_equal(b, 9025);
    assert_int_equal(crm_pareto_parse_abc("80,80", &a, &b, NULL), CRM_OK);
    const char *bad[] = {"95,80", "80", "0,50", "80,101", "80.123,90", "x,90", "80,95,99",
                         "", "1000,2000"};
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(crm_pareto_parse_abc(bad[i], &a, &b, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "--abc"));
    struct crm_pareto *p = dist(NULL, 0);
    struct crm_pareto_summary s;
    assert_int_equal(crm_pareto_summarize(p, 9000, 8000, &s, NULL), CRM_EUSAGE);
    crm_pareto_free(p);
}

static void test_pareto_abc_all_equal(void **state)
{
    (void)state;
    /* six at 42 of 252: before = 0, 42, …, 168 < 201.6 (80 %) → five A; 210 < 239.4 → B */
    const int64_t v[6] = {42, 42, 42, 42, 42, 42};
    struct crm_pareto *p = dist(v, 6);
    struct crm_pareto_summary s;
    summary(p, &s);
    assert_int_equal(s.class_customers[0], 5);
    assert_int_equal(s.class_customers[1], 1);
    assert_int_equal(s.class_customers[2], 0);
    assert_int_equal(s.class_value[0], 210);
    assert_true(s.customers_for_80 == 5.0 / 6.0);
    crm_pareto_free(p);
}

/* ---- the ranked population ------------------------------------------------------------- */

/* Four customers: 0 paid twice (500) and refunded 100; 1 only refunded; 2 paid once with
 * amount 0; 3 paid 200 and was refunded 700 (a sale before the window). */
static void collect(enum crm_pareto_by by, struct crm_pareto_input *in)
{
    static struct crm_cust cust[4];
    static struct crm_cust_more more[4];
    memset(cust, 0, sizeof cust);
    memset(more, 0, sizeof more);
    cust[0].paid_orders = 2;
    cust[0].paid_money = 500;
    more[0].refund_money = 100;
    more[1].refunded = 1;
    more[1].refund_money = 300;
    cust[2].paid_orders = 1;
    cust[3].paid_orders = 1;
    cust[3].paid_money = 200;
    more[3].refund_money = 700;
    struct crm_agg a = {0};
    a.n = 4;
    a.cust = cust;
    a.more = more;
    assert_int_equal(crm_pareto_collect(&a, by, in, NULL), CRM_OK);
}

static void test_pareto_collect_ranks_customers_with_paid_orders(void **state)
{
    (void)state;
    struct crm_pareto_input in;
    collect(CRM_PARETO_MONETARY, &in);
    assert_int_equal(in.n, 3); /* the refund-only customer is not ranked */
    const uint32_t who[3] = {0, 2, 3};
    const int64_t money[3] = {500, 0, 200}, orders[3] = {2, 1, 1};
    assert_memory_equal(in.customer, who, sizeof who);
    assert_memory_equal(in.value, money, sizeof money);
    assert_int_equal(in.floored, 0);
    crm_pareto_input_free(&in);
    collect(CRM_PARETO_FREQUENCY, &in);
    assert_int_equal(in.n, 3);
    assert_memory_equal(in.value, orders, sizeof orders);
    crm_pareto_input_free(&in);
    crm_pareto_input_free(&in); /* twice is harmless */
    crm_pareto_input_free(NULL);
}

static void test_pareto_collect_net_floors_at_zero(void **state)
{
    (void)state;
    struct crm_pareto_input in;
    collect(CRM_PARETO_NET, &in);
    assert_int_equal(in.n, 3); /* --net changes values, never who is ranked */
    const int64_t net[3] = {400, 0, 0};
    assert_memory_equal(in.value, net, sizeof net);
    assert_int_equal(in.floored, 1);
    crm_pareto_input_free(&in);
}

static void test_pareto_rank_input_ties_by_store_ids(void **state)
{
    (void)state;
    /* the dictionary holds "b", "c", "a" (arrival order); equal values rank in id order */
    char path[] = "/tmp/crm-pareto-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, 0, &w, NULL), CRM_OK);
    const char *ids[3] = {"b", "c", "a"};
    for (int i = 0; i < 3; i++) {
        struct crm_order o = {0};
        assert_int_equal(crm_store_writer_customer(w, ids[i], 1, &o.customer, NULL), CRM_OK);
        o.time = 86400;
        o.amount = 100;
        assert_int_equal(crm_store_writer_add(w, &o, NULL), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, NULL), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
    struct crm_store *s;
    assert_int_equal(crm_store_open(path, &s, NULL), CRM_OK);
    struct crm_chunk ch;
    assert_int_equal(crm_store_next(s, &ch, CRM_COL_CUSTOMER, NULL), CRM_OK);
    /* input positions 0..3 hold dictionary customers 1 ("c"), 2 ("a"), 0 ("b") and 0 again
     * with a larger value: id order, not input order ({3,0,1,2}) nor dictionary order
     * ({3,2,0,1}) */
    uint32_t customer[4] = {1, 2, 0, 0};
    int64_t value[4] = {7, 7, 7, 9};
    const struct crm_pareto_input in = {4, customer, value, 0};
    uint32_t order[4];
    int64_t ranked[4];
    assert_int_equal(crm_pareto_rank_input(&in, s, order, NULL, 0, NULL, NULL), CRM_OK);
    const uint32_t want[4] = {3, 1, 2, 0};
    assert_memory_equal(order, want, sizeof want);
    /* the values in rank order, read off the sort: the same order, each rank's value */
    assert_int_equal(crm_pareto_rank_input(&in, s, order, NULL, 0, ranked, NULL), CRM_OK);
    assert_memory_equal(order, want, sizeof want);
    const int64_t want_ranked[4] = {9, 7, 7, 7};
    assert_memory_equal(ranked, want_ranked, sizeof want_ranked);
    /* values more than 2^32 apart take the comparison sort: the values still come along */
    int64_t wide[4] = {7, (int64_t)1 << 40, 7, 0};
    const struct crm_pareto_input win = {4, customer, wide, 0};
    assert_int_equal(crm_pareto_rank_input(&win, s, order, NULL, 0, ranked, NULL), CRM_OK);
    const uint32_t want_wide[4] = {1, 2, 0, 3};   /* "a" (2^40), then "b" and "c" tie on 7 */
    const int64_t wide_ranked[4] = {(int64_t)1 << 40, 7, 7, 0};
    assert_memory_equal(order, want_wide, sizeof want_wide);
    assert_memory_equal(ranked, wide_ranked, sizeof wide_ranked);
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pareto_gini_nine_tens_and_a_hundred),
        cmocka_unit_test(test_pareto_gini_all_equal_is_zero),
        cmocka_unit_test(test_pareto_gini_one_has_all),
        cmocka_unit_test(test_pareto_gini_exact_beyond_64_bits),
        cmocka_unit_test(test_pareto_gini_equals_one_minus_twice_lorenz_area),
        cmocka_unit_test(test_pareto_abc_exact_boundary_is_not_a),
        cmocka_unit_test(test_pareto_abc_tie_group_split_by_id),
        cmocka_unit_test(test_pareto_abc_cursor_agrees_with_summary),
        cmocka_unit_test(test_pareto_cursor_refuses_ascending_values),
        cmocka_unit_test(test_pareto_zero_total_is_equal_shares),
        cmocka_unit_test(test_pareto_no_customers),
        cmocka_unit_test(test_pareto_single_customer),
        cmocka_unit_test(test_pareto_rejects_negative_and_overflow),
        cmocka_unit_test(test_pareto_top20_interpolates_small_n),
        cmocka_unit_test(test_pareto_top20_is_one_minus_lorenz_at_80),
        cmocka_unit_test(test_pareto_curve_end_points_and_shape),
        cmocka_unit_test(test_pareto_customers_at_share),
        cmocka_unit_test(test_pareto_bins_split_ranks_evenly),
        cmocka_unit_test(test_pareto_rank_value_desc_ties_by_id),
        cmocka_unit_test(test_pareto_rank_matches_reference_sort),
        cmocka_unit_test(test_pareto_rank_wide_value_range),
        cmocka_unit_test(test_pareto_rank_ids_matches_reference_sort),
        cmocka_unit_test(test_pareto_rank_rejects_bad_id_rank),
        cmocka_unit_test(test_pareto_merge_of_partials_equals_whole),
        cmocka_unit_test(test_pareto_new_runs_checks_input),
        cmocka_unit_test(test_pareto_parse_abc),
        cmocka_unit_test(test_pareto_abc_all_equal),
        cmocka_unit_test(test_pareto_collect_ranks_customers_with_paid_orders),
        cmocka_unit_test(test_pareto_collect_net_floors_at_zero),
        cmocka_unit_test(test_pareto_rank_input_ties_by_store_ids),
    };
    return cmocka_run_group_tests_name("pareto", tests, NULL, NULL);
}
