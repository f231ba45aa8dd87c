/* Tests for lib/churn: parameter files (round trip, every malformed case), rounding of
 * fits, per-customer rows (values, CLV, risk labels), the holdout report, the tracking
 * series and the dormancy rules — on summaries written by hand, checked against lib/btyd's
 * single-customer functions and hand arithmetic. */
#include "testutil.h"

#include <math.h>

#include "model/churn.h"
#include "text/timeparse.h"

static void assert_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.12g want %.12g", what, got, want);
}

/* ---- parameter files ---- */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_churn_params_round_trip(void **state)
{
    (void)state;
    struct crm_churn_params p = {{CRM_BTYD_MBGNBD, 0.24259451, 4.41360204999, 0.79292204,
                                  2.4259068},
                                 7, -9582.42920671, 1, {6.24957234, 3.74422466, 15.44352104},
                                 -4055.9176948, {0.0125, 0.378, 0.1, 0.43}, {1.19, NAN, 4.1594234}};
    char path[] = "/tmp/crm-churn-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_out *o = crm_out_new(fd, path, 0);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_churn_params_write(o, &p);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    close(fd);
    FILE *f = fopen(path, "r");
    char text[1024] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_string_equal(text, "model,parameter,value,std_error\n"
                              "mbgnbd,r,0.2425945,0.0125000\n"
                              "mbgnbd,alpha,4.4136020,0.3780000\n"
                              "mbgnbd,a,0.7929220,0.1000000\n"
                              "mbgnbd,b,2.4259068,0.4300000\n"
                              "mbgnbd,loglik,-9582.4292067,\n"
                              "mbgnbd,unit_days,7.0000000,\n"
                              "gammagamma,p,6.2495723,1.1900000\n"
                              "gammagamma,q,3.7442247,\n"
                              "gammagamma,gamma,15.4435210,4.1594234\n"
                              "gammagamma,loglik,-4055.9176948,\n");
    struct crm_churn_params q;
    assert_int_equal(crm_churn_params_read(path, &q, &e), CRM_OK);
    crm_churn_params_round(&p);
    assert_int_equal(q.bg.model, CRM_BTYD_MBGNBD);
    assert_true(q.bg.r == p.bg.r && q.bg.alpha == p.bg.alpha && q.bg.a == p.bg.a &&
                q.bg.b == p.bg.b && q.bg_loglik == p.bg_loglik && q.unit_days == 7);
    assert_true(q.has_gg && q.gg.p == p.gg.p && q.gg.q == p.gg.q && q.gg.gamma == p.gg.gamma &&
                q.gg_loglik == p.gg_loglik);
    assert_true(p.bg.r == 0.2425945 && p.bg.alpha == 4.413602);
    assert_true(q.bg_se[0] == 0.0125 && q.bg_se[3] == 0.43 && q.gg_se[0] == 1.19 &&
                isnan(q.gg_se[1]) && q.gg_se[2] == 4.1594234);
    unlink(path);
}

static void test_churn_params_without_gammagamma_or_loglik(void **state)
{
    (void)state;
    char path[] = "/tmp/crm-churn-test-XXXXXX";
    close(mkstemp(path));
    write_text(path, "\xEF\xBB\xBFmodel,parameter,value\r\nbgnbd,b,2\r\nbgnbd,a,1\r\n"
                     "bgnbd,alpha,3\r\nbgnbd,r,0.5\r\n");
    struct crm_churn_params p;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_churn_params_read(path, &p, &e), CRM_OK);
    assert_int_equal(p.bg.model, CRM_BTYD_BGNBD);
    assert_true(p.bg.r == 0.5 && p.bg.alpha == 3 && p.bg.a == 1 && p.bg.b == 2);
    assert_false(p.has_gg);
    assert_true(isnan(p.bg_loglik) && isnan(p.gg_loglik));
    assert_true(p.unit_days == 0);
    unlink(path);
}

static void test_churn_params_read_rejects_malformed_files(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
        long long line;
    } cases[] = {
        {"model,param,value\nbgnbd,r,1\n", "header", 1},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,alpha,1\nbgnbd,a,1\n", "r, alpha, a and b", -1},
        {"model,parameter,value\nparetonbd,r,1\n", "unknown model", 2},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,s,1\n", "unknown bgnbd parameter", 3},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,r,2\n", "given twice", 3},
        {"model,parameter,value\nbgnbd,r,0\n", "not a positive number", 2},
        {"model,parameter,value\nbgnbd,r,-1\n", "not a positive number", 2},
        {"model,parameter,value\nbgnbd,r,1x\n", "not a positive number", 2},
        {"model,parameter,value\nbgnbd,r,1\nmbgnbd,alpha,1\n", "one transaction model per "
         "file", 3},
        {"model,parameter,value\nbgnbd,r,1\npnbd,alpha,1\n", "one transaction model per file", 3},
        {"model,parameter,value\npnbd,r,1\npnbd,a,1\n", "unknown pnbd parameter \"a\"", 3},
        {"model,parameter,value\npnbd,r,1\npnbd,alpha,1\npnbd,s,1\n", "r, alpha, s and beta",
         -1},
        {"model,parameter,value,std_error\npnbd,r,1,x\n", "std_error \"x\"", 2},
        {"model,parameter,value,std_error\npnbd,loglik,-1,0.5\n", "std_error \"0.5\"", 2},
        {"model,parameter,value,stderr\npnbd,r,1,1\n", "header", 1},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,r\n", "expected 3 or 4 fields", 3},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,alpha,1\nbgnbd,a,1\nbgnbd,b,1\n"
         "gammagamma,p,1\ngammagamma,q,2\n", "all of p, q and gamma", -1},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,alpha,1\nbgnbd,a,1\nbgnbd,b,1\n"
         "gammagamma,p,1\ngammagamma,q,1\ngammagamma,gamma,1\n", "q = 1 <= 1", -1},
        {"model,parameter,value\nbgnbd,r,1\nbgnbd,alpha,1\nbgnbd,a,1\nbgnbd,b,1\n"
         "bgnbd,unit_days,3\n", "unit_days = 3: expected 7 (weeks) or 1 (days)", -1},
    };
    char path[] = "/tmp/crm-churn-test-XXXXXX";
    close(mkstemp(path));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(path, cases[i].text);
        struct crm_churn_params p;
        struct crm_errinfo e;
        crm_errinfo_clear(&e);
        assert_int_equal(crm_churn_params_read(path, &p, &e), CRM_EUSAGE);
        if (!strstr(e.msg, cases[i].msg) || e.line != cases[i].line ||
            strcmp(e.file, path) != 0)
            fail_msg("case %zu: %s:%lld: %s", i, e.file, e.line, e.msg);
    }
    unlink(path);
    struct crm_churn_params p;
    struct crm_errinfo e;
    assert_int_equal(crm_churn_params_read("/nonexistent/fit.csv", &p, &e), CRM_EIO);
}

/* ---- summaries by hand ---- */

/* Customers: (first, last, days, money, first money, holdout days) relative to day 1000;
 * the calibration ends on day 1000 + end, as_of is 1000 + as_of. */
struct hand {
    int first, last;
    uint32_t days;
    int64_t money, first_money;
    uint32_t holdout_days;
};

static struct crm_btsum *hand_btsum(const struct hand *h, uint32_t n, int end, int as_of)
{
    struct crm_btsum *b = calloc(1, sizeof *b);
    b->n = n;
    b->cust = calloc(n, sizeof *b->cust);
    b->as_of = 1000 + as_of;
    b->end = 1000 + end;
    for (uint32_t k = 0; k < n; k++) {
        struct crm_btsum_cust *c = &b->cust[k];
        if (h[k].days == 0) {
            *c = (struct crm_btsum_cust){0, 0, CRM_NO_DAY, CRM_NO_DAY, CRM_NO_DAY, 0,
                                         h[k].holdout_days, 0};
            continue;
        }
        *c = (struct crm_btsum_cust){h[k].money, h[k].first_money, 1000 + h[k].first,
                                     1000 + h[k].last, 1000 + h[k].last, h[k].days,
                                     h[k].holdout_days, 0};
        b->customers++;
    }
    return b;
}

static const struct crm_churn_params PARAMS = {{CRM_BTYD_BGNBD, 0.243, 4.414, 0.793, 2.426},
                                               7, NAN, 1, {6.25, 3.74, 15.44}, NAN,
                                               {NAN, NAN, NAN, NAN}, {NAN, NAN, NAN}};

static struct crm_churn *model(const struct crm_btsum *b, int32_t horizon, double discount)
{
    struct crm_churn_opts o = {CRM_BTYD_BGNBD, 7.0, horizon, discount, 0.5, 0.8, 2, &PARAMS,
                               0.0, 0.0};
    struct crm_churn *c;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (crm_churn_model(b, &o, &c, &e) != CRM_OK)
        fail_msg("model: %s", e.msg);
    return c;
}

static void test_churn_rows_value_clv_and_risk(void **state)
{
    (void)state;
    const struct hand h[] = {
        {0, 210, 3, 10000, 4000, 0},   /* x = 2, repeat spend 60.00 over 2: mean 30.00 */
        {0, 0, 1, 2500, 2500, 0},      /* one-time buyer */
        {0, 14, 2, 900, 900, 0},       /* repeat purchase for free: population mean */
        {0, 0, 0, 0, 0, 3},            /* no calibration purchase: not modelled */
        {0, 7, 8, 80000, 100, 0},      /* x = 7, last purchase long ago: dead */
    };
    struct crm_btsum *b = hand_btsum(h, 5, 272, 273);
    struct crm_churn *c = model(b, 91, 0.0);
    struct crm_churn_row r;
    const struct crm_btyd_params *p = &PARAMS.bg;
    const struct crm_btyd_gg_params *g = &PARAMS.gg;
    double mean = 6.25 * 15.44 / 2.74, v, want;

    assert_int_equal(crm_churn_row(c, b, 0, &r), 1);
    assert_near(r.x, 2, 0, "x");
    assert_near(r.t_x, 30.0, 1e-12, "t_x");
    assert_near(r.T, 272.0 / 7, 1e-12, "T");
    assert_near(r.p_alive, crm_btyd_p_alive(p, 2, 30, 272.0 / 7), 1e-15, "p_alive");
    assert_int_equal(crm_btyd_expected(p, 2, 30, 272.0 / 7, 13, &want, NULL), CRM_OK);
    assert_near(r.expected, want, 1e-14, "expected");
    assert_near(r.prob_no_purchase, crm_btyd_prob_no_purchase(p, 2, 30, 272.0 / 7, 13), 1e-15,
                "P(no purchase)");
    v = (6.25 * 15.44 + 6.25 * 2 * 30.0) / (6.25 * 2 + 3.74 - 1); /* FHL05b eq. 5 */
    assert_true(r.has_value);
    assert_int_equal(r.value_minor, llround(v * 100));
    assert_int_equal(r.clv_minor, llround(v * want * 100));
    assert_int_equal(r.risk, r.p_alive < 0.5 ? CRM_CHURN_HIGH : r.p_alive < 0.8 ? CRM_CHURN_MEDIUM
                                                                               : CRM_CHURN_LOW);

    assert_int_equal(crm_churn_row(c, b, 1, &r), 1);
    assert_near(r.p_alive, 1.0, 0, "one-time buyer alive under BG/NBD");
    assert_int_equal(r.risk, CRM_CHURN_LOW);
    assert_int_equal(r.value_minor, llround(mean * 100));
    assert_int_equal(crm_churn_row(c, b, 2, &r), 1);
    assert_int_equal(r.value_minor, llround(mean * 100));
    assert_near(c->population_mean, mean, 1e-12, "population mean");
    assert_int_equal(crm_churn_row(c, b, 3, &r), 0);
    assert_int_equal(crm_churn_row(c, b, 4, &r), 1);
    assert_true(r.p_alive < 1e-5);
    assert_int_equal(r.risk, CRM_CHURN_HIGH);
    assert_int_equal(c->customers, 4);
    (void)g;
    crm_churn_free(c);
    /* monthly discounting lowers the CLV, never the value */
    c = model(b, 91, 0.2);
    struct crm_churn_row r0;
    assert_int_equal(crm_churn_row(c, b, 0, &r0), 1);
    assert_int_equal(r0.value_minor, llround(v * 100));
    assert_true(r0.clv_minor < llround(v * want * 100));
    double clv;
    struct crm_btyd_horizon hz = {13, 0.2, 7};
    assert_int_equal(crm_btyd_clv(p, 2, 30, 272.0 / 7, v, &hz, &clv, NULL), CRM_OK);
    assert_int_equal(r0.clv_minor, llround(clv * 100));
    crm_churn_free(c);
    free(b->cust);
    free(b);
}

static void test_churn_zero_horizon(void **state)
{
    (void)state;
    const struct hand h[] = {{0, 100, 5, 5000, 1000, 0}, {3, 3, 1, 100, 100, 0}};
    struct crm_btsum *b = hand_btsum(h, 2, 200, 201);
    struct crm_churn *c = model(b, 0, 0.1);
    struct crm_churn_row r;
    for (uint32_t k = 0; k < 2; k++) {
        assert_int_equal(crm_churn_row(c, b, k, &r), 1);
        assert_near(r.expected, 0, 0, "expected");
        assert_near(r.prob_no_purchase, 1, 0, "P(no purchase)");
        assert_int_equal(r.clv_minor, 0);
    }
    crm_churn_free(c);
    free(b->cust);
    free(b);
}

static void test_churn_holdout_report_groups_by_frequency(void **state)
{
    (void)state;
    const struct hand h[] = {
        {0, 0, 1, 100, 100, 0}, {10, 10, 1, 100, 100, 2}, {0, 70, 3, 300, 100, 1},
        {0, 140, 9, 900, 100, 4}, {0, 210, 12, 900, 100, 5},
    };
    struct crm_btsum *b = hand_btsum(h, 5, 272, 546);
    struct crm_churn *c = model(b, 90, 0.0);
    assert_int_equal(c->holdout_days, 273);
    double pred[5];
    for (int k = 0; k < 5; k++) {
        double x = h[k].days - 1.0, tx = (h[k].last - h[k].first) / 7.0;
        double T = (272 - h[k].first) / 7.0;
        assert_int_equal(crm_btyd_expected(&PARAMS.bg, x, tx, T, 39, &pred[k], NULL), CRM_OK);
        struct crm_churn_row r;
        assert_int_equal(crm_churn_row(c, b, (uint32_t)k, &r), 1);
        assert_near(r.holdout_expected, pred[k], 1e-13, "holdout expected");
        assert_int_equal(r.holdout_actual, h[k].holdout_days);
    }
    const struct crm_churn_group *g = c->group;
    assert_near(g[0].customers, 2, 0, "x=0 customers");
    assert_near(g[0].actual, 2, 0, "x=0 actual");
    assert_near(g[0].predicted, pred[0] + pred[1], 1e-12, "x=0 predicted");
    assert_near(g[0].abs_err, fabs(pred[0]) + fabs(pred[1] - 2), 1e-12, "x=0 abs");
    assert_near(g[2].customers, 1, 0, "x=2");
    assert_near(g[7].customers, 2, 0, "x=7+ customers");
    assert_near(g[7].actual, 9, 0, "x=7+ actual");
    assert_near(g[8].customers, 5, 0, "all");
    double sq = 0;
    int act[5] = {0, 2, 1, 4, 5};
    for (int k = 0; k < 5; k++)
        sq += (pred[k] - act[k]) * (pred[k] - act[k]);
    assert_near(g[8].sq_err, sq, 1e-12, "all squared error");
    char path[] = "/tmp/crm-churn-test-XXXXXX";
    int fd = mkstemp(path);
    struct crm_out *o = crm_out_new(fd, path, 0);
    crm_churn_report_write(c, o);
    assert_int_equal(crm_out_close(o, NULL), CRM_OK);
    close(fd);
    FILE *f = fopen(path, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "calibration_x,customers,mean_actual,mean_predicted,total_actual,"
                              "total_predicted,mae,rmse\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(strncmp(line, "0,2,1.0000000,", 14), 0);
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "1,0,,,,,,\n");
    int rows = 3;
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    assert_int_equal(rows, 10);
    assert_int_equal(strncmp(line, "all,5,2.4000000,", 16), 0);
    unlink(path);
    crm_churn_free(c);
    free(b->cust);
    free(b);
}

static void test_churn_tracking_sums_cohorts(void **state)
{
    (void)state;
    /* two customers first buying on days 0 and 3, one on day 10; calibration to day 13,
     * data to day 20 (as_of 21) */
    const struct hand h[] = {{0, 5, 2, 0, 0, 1}, {3, 3, 1, 0, 0, 0}, {3, 12, 3, 0, 0, 2},
                             {10, 10, 1, 0, 0, 0}};
    struct crm_btsum *b = hand_btsum(h, 4, 13, 21);
    b->nrepeat = 21;
    b->repeat = calloc(21, sizeof *b->repeat);
    /* repeat purchases on days 5, 8, 12 (calibration) and 15, 15, 20 (holdout) */
    int days[] = {5, 8, 12, 15, 15, 20};
    for (int i = 0; i < 6; i++)
        b->repeat[20 - days[i]]++;
    struct crm_churn *c = model(b, 90, 0);
    struct crm_churn_tracking t;
    assert_int_equal(crm_churn_tracking(c, b, &t, NULL), CRM_OK);
    assert_int_equal(t.start, 1000);
    assert_int_equal(t.n, 4); /* 0, week 1, week 2, the partial week 3 (days 14..20) */
    assert_near(t.calibration_end, 2.0, 1e-15, "calibration end");
    const double want_x[4] = {0, 1, 2, 3}, want_act[4] = {0, 1, 3, 6};
    for (size_t i = 0; i < 4; i++) {
        assert_near(t.x[i], want_x[i], 1e-15, "x");
        assert_near(t.actual[i], want_act[i], 0, "actual");
    }
    double e0, e1, e2, want;
    /* BTYD's convention: week 2 ends 14 days after the start: cohorts at 0 (1), 3 (2),
     * 10 (1) have had 14, 11 and 4 days */
    crm_btyd_expected_unconditional(&PARAMS.bg, 14 / 7.0, &e0, NULL);
    crm_btyd_expected_unconditional(&PARAMS.bg, 11 / 7.0, &e1, NULL);
    crm_btyd_expected_unconditional(&PARAMS.bg, 4 / 7.0, &e2, NULL);
    want = e0 + 2 * e1 + e2;
    assert_near(t.predicted[2], want, 1e-13, "predicted week 2");
    /* week 1 ends on day 7: the cohort of day 10 has not started */
    crm_btyd_expected_unconditional(&PARAMS.bg, 7 / 7.0, &e0, NULL);
    crm_btyd_expected_unconditional(&PARAMS.bg, 4 / 7.0, &e1, NULL);
    assert_near(t.predicted[1], e0 + 2 * e1, 1e-13, "predicted week 1");
    crm_churn_tracking_free(&t);
    crm_churn_free(c);
    free(b->repeat);
    free(b->cust);
    free(b);
}

/* A small population drawn from the CDNOW fit, in whole days; every 50th repeat customer's
 * repeat purchases were free. */
enum { N = 3000 };
static struct hand *population(void)
{
    struct hand *h = calloc(N, sizeof *h);
    struct crm_rng rng;
    crm_rng_seed(&rng, 11);
    for (int i = 0; i < N; i++) {
        int first = (int)(crm_rng_uniform(&rng) * 84);
        struct crm_btyd_obs o;
        double held;
        crm_btyd_simulate(&PARAMS.bg, &rng, (272 - first) / 7.0, 0, &o, &held);
        h[i].first = first;
        h[i].last = first + (int)floor(o.t_x * 7);
        h[i].days = (uint32_t)o.x + 1;
        h[i].first_money = 1000;
        h[i].money = 1000 + (i % 50 == 0 ? 0 : (int64_t)(o.x * (1500 + 100 * (i % 17))));
    }
    return h;
}

static void test_churn_fit_is_rounded_before_scoring(void **state)
{
    (void)state;
    struct hand *h = population();
    struct crm_btsum *b = hand_btsum(h, N, 272, 273);
    struct crm_churn_opts o = {CRM_BTYD_BGNBD, 7.0, 90, 0, 0.5, 0.8, 2, NULL, 0.0, 0.0};
    struct crm_churn *c;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_churn_model(b, &o, &c, &e), CRM_OK);
    assert_true(c->fitted);
    const double *fit = &c->bg_fit.params.r, *used = &c->params.bg.r;
    for (int i = 0; i < 4; i++) {
        assert_true(used[i] == round(fit[i] * 1e7) / 1e7);
        assert_true(fabs(used[i] - fit[i]) <= 5e-8);
    }
    assert_true(c->params.has_gg);
    assert_true(c->params.gg.q == round(c->gg_fit.params.q * 1e7) / 1e7);
    uint32_t repeaters = 0, free_repeaters = 0;
    for (int i = 0; i < N; i++) {
        repeaters += h[i].days > 1;
        free_repeaters += h[i].days > 1 && h[i].money == h[i].first_money;
    }
    assert_true(free_repeaters > 10);
    assert_int_equal(c->gg_zero_spend, free_repeaters);
    assert_int_equal(c->gg_customers, repeaters - free_repeaters);
    crm_churn_free(c);
    free(b->cust);
    free(b);
    free(h);
}

/* The same customers in another store order: bit-identical fits (the spend summaries are
 * sorted before the Gamma-Gamma fit, the triples by crm_btyd_compact). */
static void test_churn_fit_does_not_depend_on_customer_order(void **state)
{
    (void)state;
    struct hand *h = population();
    struct crm_churn *c[2];
    struct crm_churn_opts o = {CRM_BTYD_BGNBD, 7.0, 90, 0, 0.5, 0.8, 2, NULL, 0.0, 0.0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            for (int i = 0; i < N / 2; i++) { /* reverse */
                struct hand t = h[i];
                h[i] = h[N - 1 - i];
                h[N - 1 - i] = t;
            }
        struct crm_btsum *b = hand_btsum(h, N, 272, 273);
        assert_int_equal(crm_churn_model(b, &o, &c[pass], NULL), CRM_OK);
        free(b->cust);
        free(b);
    }
    assert_memory_equal(&c[0]->bg_fit.params, &c[1]->bg_fit.params, sizeof c[0]->bg_fit.params);
    assert_memory_equal(&c[0]->gg_fit.params, &c[1]->gg_fit.params, sizeof c[0]->gg_fit.params);
    assert_true(c[0]->gg_fit.loglik == c[1]->gg_fit.loglik);
    crm_churn_free(c[0]);
    crm_churn_free(c[1]);
    free(h);
}

/* crm_churn_model (the triples grouped as the customers are read, the spend summaries
 * radix-sorted, the two fits side by side on two threads) and the scale-out path
 * (crm_churn_summarize, then crm_churn_fit on the joined summaries) make bit-identical
 * triples and fits of the same customers. */
static void test_churn_fit_from_customers_equals_fit_from_summaries(void **state)
{
    (void)state;
    struct hand *h = population();
    struct crm_btsum *b = hand_btsum(h, N, 272, 273);
    struct crm_churn_opts o = {CRM_BTYD_BGNBD, 7.0, 90, 0, 0.5, 0.8, 2, NULL, 0.0, 0.0};
    struct crm_churn *a, *z;
    assert_int_equal(crm_churn_model(b, &o, &a, NULL), CRM_OK);
    struct crm_churn_summary sum;
    assert_int_equal(crm_churn_summarize(b, &sum, NULL), CRM_OK);
    assert_int_equal(crm_churn_fit(&sum, CRM_BTYD_BGNBD, 7.0, 0.0, 2, &z, NULL), CRM_OK);
    assert_int_equal(a->triples, z->triples);
    assert_true(a->triples > 100 && a->triples < N);   /* some customers share a triple */
    assert_memory_equal(a->tri, z->tri, a->triples * sizeof *a->tri);
    assert_int_equal(a->customers, z->customers);
    assert_int_equal(a->gg_customers, z->gg_customers);
    assert_int_equal(a->gg_zero_spend, z->gg_zero_spend);
    assert_memory_equal(&a->bg_fit.params, &z->bg_fit.params, sizeof a->bg_fit.params);
    assert_true(a->bg_fit.loglik == z->bg_fit.loglik);
    assert_memory_equal(&a->gg_fit.params, &z->gg_fit.params, sizeof a->gg_fit.params);
    assert_true(a->gg_fit.loglik == z->gg_fit.loglik);
    crm_churn_free(a);
    crm_churn_free(z);
    crm_churn_summary_free(&sum);
    free(b->cust);
    free(b);
    free(h);
}

/* ---- dormancy rules ---- */

static void test_churn_rules_labels_and_reasons(void **state)
{
    (void)state;
    const struct hand h[] = {
        {0, 100, 5, 0, 0, 0},  /* gap 25, recency 100 > 2 x 25: high */
        {0, 160, 5, 0, 0, 0},  /* gap 40, recency 40: not over the gap: low */
        {0, 150, 4, 0, 0, 0},  /* gap 50, recency 50: not over; 51 would be medium */
        {0, 120, 4, 0, 0, 0},  /* gap 40, recency 80: not over 2 x 40: medium */
        {10, 10, 1, 0, 0, 0},  /* one-time buyer, 190 days ago: over the floor 180 */
        {100, 100, 1, 0, 0, 0},/* 100 days ago: over 180 / 2 = 90: medium */
        {150, 150, 1, 0, 0, 0},/* 50 days ago: low */
        {0, 0, 0, 0, 0, 0},    /* not modelled */
    };
    struct crm_btsum *b = hand_btsum(h, 8, 200, 201);
    struct crm_churn_rules rules = {2.0, 180};
    struct crm_churn_rule_row r;
    static const struct {
        enum crm_churn_risk risk;
        int recency;
        const char *reason;
    } want[] = {
        {CRM_CHURN_HIGH, 100, "no purchase for 100 days: over 2 x the mean gap of 25.0 days"},
        {CRM_CHURN_LOW, 40, "last purchase 40 days ago: within the mean gap of 40.0 days"},
        {CRM_CHURN_LOW, 50, "last purchase 50 days ago: within the mean gap of 50.0 days"},
        {CRM_CHURN_MEDIUM, 80, "no purchase for 80 days: over the mean gap of 40.0 days"},
        {CRM_CHURN_HIGH, 190, "single purchase 190 days ago: over the floor of 180 days"},
        {CRM_CHURN_MEDIUM, 100, "single purchase 100 days ago: over 1/2 of the floor of 180 days"},
        {CRM_CHURN_LOW, 50, "single purchase 50 days ago: within 1/2 of the floor of 180 days"},
    };
    for (uint32_t k = 0; k < 7; k++) {
        assert_int_equal(crm_churn_rule(b, k, &rules, &r), 1);
        assert_int_equal(r.risk, want[k].risk);
        assert_int_equal(r.recency_days, want[k].recency);
        assert_string_equal(r.reason, want[k].reason);
    }
    assert_int_equal(crm_churn_rule(b, 7, &rules, &r), 0);
    assert_int_equal(crm_churn_rule(b, 0, &rules, &r), 1);
    assert_near(r.gap_days, 25, 0, "gap");
    assert_near(r.threshold_days, 50, 0, "threshold");
    rules.k = 1.5;
    assert_int_equal(crm_churn_rule(b, 3, &rules, &r), 1);
    assert_int_equal(r.risk, CRM_CHURN_HIGH);
    assert_string_equal(r.reason, "no purchase for 80 days: over 1.5 x the mean gap of 40.0 days");
    free(b->cust);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_churn_params_round_trip),
        cmocka_unit_test(test_churn_params_without_gammagamma_or_loglik),
        cmocka_unit_test(test_churn_params_read_rejects_malformed_files),
        cmocka_unit_test(test_churn_rows_value_clv_and_risk),
        cmocka_unit_test(test_churn_zero_horizon),
        cmocka_unit_test(test_churn_holdout_report_groups_by_frequency),
        cmocka_unit_test(test_churn_tracking_sums_cohorts),
        cmocka_unit_test(test_churn_fit_is_rounded_before_scoring),
        cmocka_unit_test(test_churn_fit_does_not_depend_on_customer_order),
        cmocka_unit_test(test_churn_fit_from_customers_equals_fit_from_summaries),
        cmocka_unit_test(test_churn_rules_labels_and_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
