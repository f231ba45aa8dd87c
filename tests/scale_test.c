/* Tests of lib/scale: partials of partitions merge into exactly the whole's global figures,
 * and mixed-up partials are refused (SPEC §12). */
#include "testutil.h"

#include <fcntl.h>
#include <math.h>

#include "teststore.h"

#include "customer/btsum.h"
#include "model/churn.h"
#include "import/import.h"
#include "customer/kpi.h"
#include "customer/pareto.h"
#include "customer/rfm.h"
#include "scale/scale.h"
#include "customer/segment.h"

#define CUSTOMERS 90
#define MAX_ORDERS 2000
#define PARTS 3

static char ids[CUSTOMERS][16];
static struct t_order all[MAX_ORDERS];
static size_t nall;

/* A deterministic shop: customer k orders 1 + (k*7 % 13) times over 2023-2024, amounts from
 * a small LCG (many ties, some zero), every ninth order refunded. */
static void make_orders(void)
{
    static char dates[MAX_ORDERS][11];
    uint32_t x = 12345;
    nall = 0;
    for (int k = 0; k < CUSTOMERS; k++) {
        snprintf(ids[k], sizeof ids[k], k % 5 ? "c%02d" : "客户 %d", k);
        int n = 1 + (k * 7) % 13;
        for (int j = 0; j < n; j++) {
            x = x * 1103515245u + 12345u;
            int32_t day = t_day("2023-06-01") + (int32_t)((x >> 8) % 580);
            int y;
            unsigned m, d;
            crm_civil_from_days(day, &y, &m, &d);
            snprintf(dates[nall], sizeof dates[nall], "%04d-%02u-%02u", y, m, d);
            int64_t amount = (int64_t)((x >> 4) % 7) * 5000 + (k % 3 ? 990 : 0);
            all[nall] = (struct t_order){ids[k], dates[nall], amount, 1 + (int)(x % 4),
                                         nall % 9 == 8 ? CRM_STATUS_REFUNDED : CRM_STATUS_PAID};
            nall++;
        }
    }
}

/* Buy-till-you-die customers for the churn fit (a BG/NBD fit needs such data): customer k
 * starts on a day of 2023-06..2024-05, buys at a rate of 1/(10..130) per day with
 * exponential gaps and drops out after each purchase with probability 0.05..0.45. */
static void make_churn_orders(void)
{
    static char dates[MAX_ORDERS][11];
    uint32_t x = 777;
    int32_t end = t_day("2024-12-31");
    nall = 0;
    for (int k = 0; k < CUSTOMERS && nall < MAX_ORDERS - 60; k++) {
        snprintf(ids[k], sizeof ids[k], "b%03d", k);
        x = x * 1103515245u + 12345u;
        double day = t_day("2023-06-01") + (double)((x >> 8) % 365);
        double gap = 10.0 + (double)(k * 37 % 121), drop = 0.05 + 0.1 * (k % 5);
        for (int j = 0; day <= end && j < 60; j++) {
            int y;
            unsigned m, d;
            crm_civil_from_days((int32_t)day, &y, &m, &d);
            snprintf(dates[nall], sizeof dates[nall], "%04d-%02u-%02u", y, m, d);
            x = x * 1103515245u + 12345u;
            all[nall] = (struct t_order){ids[k], dates[nall], 1000 + (int64_t)(x >> 20) % 9000,
                                         1, CRM_STATUS_PAID};
            nall++;
            x = x * 1103515245u + 12345u;
            if ((double)(x >> 8) / 16777216.0 < drop)
                break;
            x = x * 1103515245u + 12345u;
            day += 1.0 - gap * log(((double)(x >> 8) + 0.5) / 16777216.0);
        }
    }
}

struct parts {
    struct crm_store *whole, *part[PARTS];
    char path[PARTS + 1][64];
};

static void open_parts_of(struct parts *p, void (*make)(void))
{
    static struct t_order sub[PARTS][MAX_ORDERS];
    size_t n[PARTS] = {0};
    make();
    for (size_t i = 0; i < nall; i++) {
        size_t k = crm_import_partition(all[i].cust, strlen(all[i].cust), PARTS);
        sub[k][n[k]++] = all[i];
    }
    p->whole = t_store(all, nall, NULL, 0, p->path[PARTS]);
    for (int k = 0; k < PARTS; k++) {
        assert_true(n[k] > 0);
        p->part[k] = t_store(sub[k], n[k], NULL, 0, p->path[k]);
    }
}

static void open_parts(struct parts *p)
{
    open_parts_of(p, make_orders);
}

static void close_parts(struct parts *p)
{
    for (int k = 0; k <= PARTS; k++) {
        crm_store_close(k < PARTS ? p->part[k] : p->whole);
        unlink(p->path[k]);
    }
}

/* A temporary partial file and a writer on it. */
struct tmpout {
    char path[64];
    int fd;
    struct crm_out *o;
};

static struct crm_out *tmp_out(struct tmpout *t)
{
    strcpy(t->path, "/tmp/crm-scale-XXXXXX");
    t->fd = mkstemp(t->path);
    assert_true(t->fd >= 0);
    t->o = crm_out_new(t->fd, t->path, 0);
    assert_non_null(t->o);
    return t->o;
}

static void tmp_close(struct tmpout *t)
{
    struct crm_errinfo e;
    assert_int_equal(crm_out_close(t->o, &e), CRM_OK);
    close(t->fd);
}

static struct crm_agg *agg(struct crm_store *s, int32_t window, int history)
{
    struct crm_agg_opts ao = {.as_of = t_day("2025-01-01"), .window_days = window,
                              .history = history};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    return a;
}

static struct crm_rfm *quintiles(const struct crm_agg *a, struct crm_rfm_opts *ro)
{
    crm_rfm_opts_default(ro);
    ro->scheme = CRM_RFM_QUINTILE;
    struct crm_rfm *r;
    struct crm_errinfo e;
    assert_int_equal(crm_rfm_new(ro, a, 2, &r, &e), CRM_OK);
    return r;
}

/* Partials of the RFM runs of every partition; paths into out[]. */
static void rfm_partials(struct parts *p, struct tmpout *out, const char *as_of_text)
{
    struct crm_errinfo e;
    for (int k = 0; k < PARTS; k++) {
        struct crm_agg *a = agg(p->part[k], 365, 0);
        struct crm_rfm_opts ro;
        struct crm_rfm *r = quintiles(a, &ro);
        struct crm_partial_opts po;
        int32_t as_of = t_day(as_of_text && k == PARTS - 1 ? as_of_text : "2025-01-01");
        crm_scale_rfm_options(&po, &ro, as_of, 365, p->part[k]);
        assert_int_equal(crm_scale_rfm_emit(tmp_out(&out[k]), &po, r, p->part[k], &e), CRM_OK);
        tmp_close(&out[k]);
        crm_rfm_free(r);
        crm_agg_free(a);
    }
}

static void test_scale_quintile_cuts_of_partitions_are_the_wholes(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout out[PARTS];
    struct crm_errinfo e;
    open_parts(&p);
    rfm_partials(&p, out, NULL);
    const char *paths[PARTS] = {out[0].path, out[1].path, out[2].path};
    struct crm_rfm_opts ro;
    struct crm_agg *a = agg(p.whole, 365, 0);
    struct crm_rfm *r = quintiles(a, &ro);
    struct crm_partial_opts run;
    crm_scale_rfm_options(&run, &ro, CRM_NO_DAY, 365, NULL);   /* as-of etc. from the files */
    struct crm_scale_cuts cuts;
    assert_int_equal(crm_scale_rfm_merge(paths, PARTS, &run, &cuts, &e), CRM_OK);
    assert_int_equal(cuts.partials, PARTS);
    assert_int_equal(cuts.customers, CUSTOMERS);
    for (int d = 0; d < 3; d++) {
        const struct crm_rfm_cuts *w = crm_rfm_cuts(r, "rfm"[d]);
        assert_int_equal(cuts.cut[d].n, w->n);
        for (int k = 0; k < 4; k++) {
            assert_int_equal(cuts.cut[d].has[k], w->has[k]);
            if (w->has[k])
                assert_int_equal(cuts.cut[d].cut[k], w->cut[k]);
        }
    }
    assert_string_equal(crm_partial_opts_get(&cuts.options, "as-of"), "2025-01-01");
    /* written and read back, the same cut points */
    struct tmpout c;
    struct crm_scale_cuts back;
    assert_int_equal(crm_scale_cuts_write(tmp_out(&c), &cuts, &e), CRM_OK);
    tmp_close(&c);
    assert_int_equal(crm_scale_cuts_read(c.path, &back, &e), CRM_OK);
    assert_memory_equal(back.cut, cuts.cut, sizeof cuts.cut);
    assert_int_equal(crm_partial_opts_check(&back.options, c.path, &cuts.options, "merge", &e),
                     CRM_OK);
    /* a partial is not a cuts file */
    assert_int_equal(crm_scale_cuts_read(out[0].path, &back, &e), CRM_EUSAGE);
    unlink(c.path);
    for (int k = 0; k < PARTS; k++)
        unlink(out[k].path);
    crm_rfm_free(r);
    crm_agg_free(a);
    close_parts(&p);
}

static void test_scale_merge_refuses_another_as_of_date(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout out[PARTS];
    struct crm_errinfo e;
    open_parts(&p);
    rfm_partials(&p, out, "2024-12-31");
    const char *paths[PARTS] = {out[0].path, out[1].path, out[2].path};
    struct crm_rfm_opts ro;
    crm_rfm_opts_default(&ro);
    struct crm_partial_opts run;
    crm_scale_rfm_options(&run, &ro, CRM_NO_DAY, 365, NULL);
    struct crm_scale_cuts cuts;
    assert_int_equal(crm_scale_rfm_merge(paths, PARTS, &run, &cuts, &e), CRM_EUSAGE);
    assert_string_equal(e.file, out[2].path);
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "as-of 2024-12-31, but"));
    /* the command line's options are checked too */
    crm_scale_rfm_options(&run, &ro, CRM_NO_DAY, 0, NULL);
    assert_int_equal(crm_scale_rfm_merge(paths, 1, &run, &cuts, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "window 365, but the command line has window all"));
    for (int k = 0; k < PARTS; k++)
        unlink(out[k].path);
    close_parts(&p);
}

static void test_scale_merge_refuses_a_partition_given_twice(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout out[PARTS];
    struct crm_errinfo e;
    open_parts(&p);
    rfm_partials(&p, out, NULL);
    const char *paths[PARTS + 1] = {out[0].path, out[1].path, out[2].path, out[1].path};
    struct crm_rfm_opts ro;
    crm_rfm_opts_default(&ro);
    struct crm_partial_opts run;
    crm_scale_rfm_options(&run, &ro, CRM_NO_DAY, 365, NULL);
    struct crm_scale_cuts cuts;
    assert_int_equal(crm_scale_rfm_merge(paths, PARTS + 1, &run, &cuts, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "the same partition"));
    /* and another kind of partial is not merged as quintile runs */
    struct crm_agg *a = agg(p.part[0], 365, 0);
    struct crm_pareto_input in;
    struct crm_pareto *pd;
    struct crm_partial_opts po;
    struct tmpout t;
    assert_int_equal(crm_pareto_collect(a, CRM_PARETO_MONETARY, &in, &e), CRM_OK);
    assert_int_equal(crm_pareto_new(in.value, in.n, &pd, &e), CRM_OK);
    crm_scale_pareto_options(&po, CRM_PARETO_MONETARY, t_day("2025-01-01"), 365, p.part[0]);
    assert_int_equal(crm_scale_pareto_emit(tmp_out(&t), &po, pd, NULL, NULL, p.part[0], &e),
                     CRM_OK);
    tmp_close(&t);
    const char *other[1] = {t.path};
    assert_int_equal(crm_scale_rfm_merge(other, 1, &run, &cuts, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "a pareto partial"));
    unlink(t.path);
    crm_pareto_free(pd);
    crm_pareto_input_free(&in);
    crm_agg_free(a);
    for (int k = 0; k < PARTS; k++)
        unlink(out[k].path);
    close_parts(&p);
}

struct ranked {
    char id[PARTS * CUSTOMERS][32];
    int64_t value[PARTS * CUSTOMERS];
    size_t n;
};

static int collect_ranked(void *ctx, const char *id, size_t len, int64_t value)
{
    struct ranked *r = ctx;
    assert_true(len < sizeof r->id[0]);
    memcpy(r->id[r->n], id, len);
    r->id[r->n][len] = '\0';
    r->value[r->n++] = value;
    return 0;
}

static void test_scale_pareto_of_partitions_is_the_wholes(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout out[PARTS];
    struct crm_errinfo e;
    open_parts(&p);
    for (int k = 0; k < PARTS; k++) {
        struct crm_agg *a = agg(p.part[k], 0, 0);
        struct crm_pareto_input in;
        struct crm_pareto *pd;
        uint32_t order[CUSTOMERS];
        struct crm_partial_opts po;
        assert_int_equal(crm_pareto_collect(a, CRM_PARETO_FREQUENCY, &in, &e), CRM_OK);
        assert_int_equal(crm_pareto_rank_input(&in, p.part[k], order, NULL, 0, NULL, &e), CRM_OK);
        assert_int_equal(crm_pareto_new_ranked(in.value, order, in.n, &pd, &e), CRM_OK);
        crm_scale_pareto_options(&po, CRM_PARETO_FREQUENCY, a->as_of, 0, p.part[k]);
        assert_int_equal(crm_scale_pareto_emit(tmp_out(&out[k]), &po, pd, &in, order,
                                               p.part[k], &e), CRM_OK);
        tmp_close(&out[k]);
        crm_pareto_free(pd);
        crm_pareto_input_free(&in);
        crm_agg_free(a);
    }
    const char *paths[PARTS] = {out[0].path, out[1].path, out[2].path};
    struct crm_partial_opts run;
    crm_scale_pareto_options(&run, CRM_PARETO_FREQUENCY, CRM_NO_DAY, 0, NULL);
    struct crm_scale_pareto *m;
    assert_int_equal(crm_scale_pareto_merge(paths, PARTS, &run, 1, &m, &e), CRM_OK);
    /* the whole */
    struct crm_agg *a = agg(p.whole, 0, 0);
    struct crm_pareto_input in;
    struct crm_pareto *pd;
    uint32_t order[CUSTOMERS];
    assert_int_equal(crm_pareto_collect(a, CRM_PARETO_FREQUENCY, &in, &e), CRM_OK);
    assert_int_equal(crm_pareto_rank_input(&in, p.whole, order, NULL, 0, NULL, &e), CRM_OK);
    assert_int_equal(crm_pareto_new_ranked(in.value, order, in.n, &pd, &e), CRM_OK);
    struct crm_pareto_summary sw, sm;
    assert_int_equal(crm_pareto_summarize(pd, 8000, 9500, &sw, &e), CRM_OK);
    assert_int_equal(crm_pareto_summarize(crm_scale_pareto_distribution(m), 8000, 9500, &sm,
                                          &e), CRM_OK);
    assert_memory_equal(&sw, &sm, sizeof sw);
    /* ranked customers: the whole's order, ties (many: frequencies) by id */
    static struct ranked got;
    got.n = 0;
    assert_int_equal(crm_scale_pareto_each(m, collect_ranked, &got, &e), CRM_OK);
    assert_int_equal(got.n, in.n);
    for (size_t r = 0; r < in.n; r++) {
        assert_string_equal(got.id[r], crm_store_customer_id(p.whole, in.customer[order[r]],
                                                             NULL));
        assert_int_equal(got.value[r], in.value[order[r]]);
    }
    crm_scale_pareto_free(m);
    /* without ranked customers, summaries merge but rows cannot */
    assert_int_equal(crm_scale_pareto_merge(paths, PARTS, &run, 0, &m, &e), CRM_OK);
    crm_scale_pareto_free(m);
    crm_pareto_free(pd);
    crm_pareto_input_free(&in);
    crm_agg_free(a);
    for (int k = 0; k < PARTS; k++)
        unlink(out[k].path);
    close_parts(&p);
}

static struct crm_btsum *summaries(struct crm_store *s)
{
    struct crm_btsum_opts bo = {t_day("2025-01-01"), t_day("2024-09-30"), 0, 0};
    struct crm_btsum *b;
    struct crm_errinfo e;
    assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
    assert_int_equal(crm_btsum_run(s, &bo, &b, &e), CRM_OK);
    return b;
}

static void test_scale_churn_fit_of_partitions_is_the_wholes(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout out[PARTS];
    struct crm_errinfo e;
    open_parts_of(&p, make_churn_orders);
    for (int k = 0; k < PARTS; k++) {
        struct crm_btsum *b = summaries(p.part[k]);
        struct crm_partial_opts po;
        crm_scale_churn_options(&po, b->as_of, b->end, p.part[k]);
        assert_int_equal(crm_scale_churn_emit(tmp_out(&out[k]), &po, b, p.part[k], &e), CRM_OK);
        tmp_close(&out[k]);
        crm_btsum_free(b);
    }
    const char *paths[PARTS] = {out[0].path, out[1].path, out[2].path};
    struct crm_partial_opts run;
    crm_scale_churn_options(&run, CRM_NO_DAY, CRM_NO_DAY, NULL);
    struct crm_churn *merged, *whole;
    enum crm_err rc = crm_scale_churn_merge(paths, PARTS, &run, CRM_BTYD_BGNBD, 7.0, 0.0, &merged,
                                            NULL, &e);
    if (rc != CRM_OK)
        fail_msg("%s", e.msg);
    struct crm_btsum *b = summaries(p.whole);
    struct crm_churn_opts co = {CRM_BTYD_BGNBD, 7.0, 90, 0.0, 0.5, 0.8, 2, NULL, 0.0, 0.0};
    assert_int_equal(crm_churn_model(b, &co, &whole, &e), CRM_OK);
    /* bit for bit: the same arrays reach the optimiser */
    assert_memory_equal(&merged->bg_fit, &whole->bg_fit, sizeof whole->bg_fit);
    assert_int_equal(merged->params.has_gg, 1);
    assert_memory_equal(&merged->gg_fit, &whole->gg_fit, sizeof whole->gg_fit);
    assert_memory_equal(&merged->params.bg, &whole->params.bg, sizeof whole->params.bg);
    assert_int_equal(merged->triples, whole->triples);
    assert_int_equal(merged->customers, whole->customers);
    assert_int_equal(merged->gg_customers, whole->gg_customers);
    assert_true(merged->population_mean == whole->population_mean);
    crm_churn_free(merged);
    crm_churn_free(whole);
    crm_btsum_free(b);
    for (int k = 0; k < PARTS; k++)
        unlink(out[k].path);
    close_parts(&p);
}

static void test_scale_segment_summary_and_kpi_of_partitions_are_the_wholes(void **state)
{
    (void)state;
    struct parts p;
    struct tmpout sum_out[PARTS], kpi_out[PARTS];
    struct crm_errinfo e;
    struct crm_rfm_opts ro;
    struct crm_segment_opts so;
    crm_rfm_opts_default(&ro);
    crm_segment_opts_default(&so);
    int32_t as_of = t_day("2025-01-01");
    open_parts(&p);
    for (int k = 0; k <= PARTS; k++) {   /* the partitions, then the whole */
        struct crm_store *s = k < PARTS ? p.part[k] : p.whole;
        struct crm_kpi *kk;
        assert_int_equal(crm_kpi_new(CRM_KPI_MONTH, as_of - 365, as_of, &kk, &e), CRM_OK);
        struct crm_agg_opts ao = {.as_of = as_of, .window_days = 365, .history = 1,
                                  .visit = crm_kpi_visit, .visit_ctx = kk};
        struct crm_agg *a;
        assert_int_equal(crm_store_rewind(s, &e), CRM_OK);
        assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
        assert_int_equal(crm_kpi_finish(kk, a, &e), CRM_OK);
        struct crm_segment *seg;
        struct crm_segment_summary *sum;
        assert_int_equal(crm_segment_new(&so, &ro, a, NULL, NULL, 2, &seg, &e), CRM_OK);
        assert_int_equal(crm_segment_summarize(seg, CRM_SEGMENT_BY_CLASS, &sum, &e), CRM_OK);
        if (k < PARTS) {
            struct crm_partial_opts po;
            crm_scale_segment_options(&po, &ro, &so, NULL, NULL, CRM_SEGMENT_BY_CLASS, as_of,
                                      365, s);
            assert_int_equal(crm_scale_segment_emit(tmp_out(&sum_out[k]), &po, sum, s, &e),
                             CRM_OK);
            tmp_close(&sum_out[k]);
            crm_scale_kpi_options(&po, CRM_KPI_MONTH, as_of, 365, s);
            assert_int_equal(crm_scale_kpi_emit(tmp_out(&kpi_out[k]), &po, kk, s, &e), CRM_OK);
            tmp_close(&kpi_out[k]);
        } else {
            const char *sp[PARTS] = {sum_out[0].path, sum_out[1].path, sum_out[2].path};
            const char *kp[PARTS] = {kpi_out[0].path, kpi_out[1].path, kpi_out[2].path};
            struct crm_partial_opts run;
            struct crm_segment_summary *ms;
            crm_scale_segment_options(&run, &ro, &so, NULL, NULL, CRM_SEGMENT_BY_CLASS, as_of,
                                      365, NULL);
            assert_int_equal(crm_scale_segment_merge(sp, PARTS, &run, &ms, NULL, &e), CRM_OK);
            assert_int_equal(ms->n, sum->n);
            assert_int_equal(ms->customers, sum->customers);
            assert_int_equal(ms->revenue, sum->revenue);
            for (size_t g = 0; g < sum->n; g++) {
                assert_string_equal(ms->group[g].name, sum->group[g].name);
                assert_int_equal(ms->group[g].customers, sum->group[g].customers);
                assert_int_equal(ms->group[g].revenue, sum->group[g].revenue);
                assert_int_equal(ms->group[g].avg_order_value, sum->group[g].avg_order_value);
            }
            crm_scale_summary_free(ms);
            /* the VIP money differs: refused */
            so.vip_money.units = 5000;
            crm_scale_segment_options(&run, &ro, &so, NULL, NULL, CRM_SEGMENT_BY_CLASS, as_of,
                                      365, NULL);
            assert_int_equal(crm_scale_segment_merge(sp, PARTS, &run, &ms, NULL, &e),
                             CRM_EUSAGE);
            assert_non_null(strstr(e.msg, "vip-money 10000, but the command line has "
                                          "vip-money 5000"));
            struct crm_kpi *mk;
            crm_scale_kpi_options(&run, CRM_KPI_MONTH, CRM_NO_DAY, 365, NULL);
            assert_int_equal(crm_scale_kpi_merge(kp, PARTS, &run, CRM_KPI_MONTH, 365, &mk,
                                                 NULL, &e), CRM_OK);
            assert_int_equal(crm_kpi_count(mk), crm_kpi_count(kk));
            assert_true(crm_kpi_count(kk) >= 12);
            for (size_t i = 0; i < crm_kpi_count(kk); i++) {
                struct crm_kpi_row x, y;
                crm_kpi_row(kk, i, &x);
                crm_kpi_row(mk, i, &y);
                assert_memory_equal(&x, &y, offsetof(struct crm_kpi_row, repeat_rate));
                assert_int_equal(x.revenue, y.revenue);
                assert_true(x.repeat_rate == y.repeat_rate);
                assert_int_equal(x.refunds, y.refunds);
            }
            crm_kpi_free(mk);
        }
        crm_segment_summary_free(sum);
        crm_segment_free(seg);
        crm_kpi_free(kk);
        crm_agg_free(a);
    }
    for (int k = 0; k < PARTS; k++) {
        unlink(sum_out[k].path);
        unlink(kpi_out[k].path);
    }
    close_parts(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_quintile_cuts_of_partitions_are_the_wholes),
        cmocka_unit_test(test_scale_merge_refuses_another_as_of_date),
        cmocka_unit_test(test_scale_merge_refuses_a_partition_given_twice),
        cmocka_unit_test(test_scale_pareto_of_partitions_is_the_wholes),
        cmocka_unit_test(test_scale_churn_fit_of_partitions_is_the_wholes),
        cmocka_unit_test(test_scale_segment_summary_and_kpi_of_partitions_are_the_wholes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
