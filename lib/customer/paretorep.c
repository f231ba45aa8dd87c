/* paretorep: crm-pareto's options, ranked store and report tables (see paretorep.h). The
 * tables are written here once, for a store and for merged partials alike. */
#include "customer/paretorep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "base/thread.h"
#include "customer/agg.h"
#include "store/store.h"
#include "text/outrows.h"

/* ---- options --------------------------------------------------------------------------- */

void crm_pareto_opts_default(struct crm_pareto_opts *o)
{
    memset(o, 0, sizeof *o);
    o->by = CRM_PARETO_MONETARY;
    o->a_bp = 8000;
    o->b_bp = 9500;
}

enum crm_err crm_pareto_set_option(struct crm_pareto_opts *o, const char *name,
                                   const char *text, struct crm_errinfo *err)
{
    if (strcmp(name, "net") == 0) {
        o->net = 1;
    } else if (strcmp(name, "abc") == 0) {
        return crm_pareto_parse_abc(text, &o->a_bp, &o->b_bp, err);
    } else if (strcmp(name, "by") == 0) {
        if (strcmp(text, "monetary") == 0)
            o->by = CRM_PARETO_MONETARY;
        else if (strcmp(text, "frequency") == 0)
            o->by = CRM_PARETO_FREQUENCY;
        else
            return crm_errinfo_set(err, CRM_EUSAGE, "--by %s: expected monetary or frequency",
                                   text);
    } else {
        return crm_errinfo_set(err, CRM_EUSAGE, "--%s: unknown pareto option", name);
    }
    return CRM_OK;
}

enum crm_err crm_pareto_opts_finish(struct crm_pareto_opts *o, struct crm_errinfo *err)
{
    if (o->net && o->by == CRM_PARETO_FREQUENCY)
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "--net applies to --by monetary (refunds are money)");
    if (o->net)
        o->by = CRM_PARETO_NET;
    return CRM_OK;
}

/* ---- one store ranked ------------------------------------------------------------------ */

enum crm_err crm_pareto_rank_store(struct crm_store *s, enum crm_pareto_by by, int32_t as_of,
                                   int32_t window_days, int rows,
                                   struct crm_pareto_ranking *out, struct crm_errinfo *err)
{
    struct crm_agg_opts ao = {0};
    struct crm_agg *a;
    memset(out, 0, sizeof *out);
    ao.as_of = as_of;
    ao.window_days = window_days;
    ao.no_items = 1;   /* ranking needs money or order counts, never items */
    ao.paid_only = by != CRM_PARETO_NET;   /* refunds only for --net */
    enum crm_err rc = crm_agg_run(s, &ao, &a, err);
    if (rc != CRM_OK)
        return rc;
    rc = crm_pareto_collect(a, by, &out->in, err);
    out->as_of = a->as_of;
    out->window_start = a->window_start;
    out->store_customers = a->n;
    out->orders_future = a->orders_future;
    if (rc != CRM_OK || !rows)
        crm_agg_free(a);
    if (rc != CRM_OK)
        return rc;
    /* Rows need the ranking with ties by id; the other reports only the sorted values. */
    if (rows) {
        /* The sort works in the aggregation's customer array (32 bytes a store customer,
         * faulted in: the sort's 26 a ranked one fit), so no fresh pages are zeroed for it;
         * the refunds array goes first so the peak stays the aggregation's. */
        crm_agg_free_more(a);
        size_t n = out->in.n ? out->in.n : 1;
        out->order = malloc(n * sizeof *out->order);
        out->ranked = malloc(n * sizeof *out->ranked);
        rc = out->order && out->ranked
           ? crm_pareto_rank_input(&out->in, s, out->order, a->cust,
                                   (size_t)a->n * sizeof *a->cust, out->ranked, err)
           : crm_errinfo_set(err, CRM_ENOMEM, "ranking: out of memory");
        out->spare = a->cust;       /* kept for the rows (crm_pareto_gather) */
        out->spare_size = (size_t)a->cap * sizeof *a->cust;
        out->spare_used = (size_t)a->n * sizeof *a->cust;
        a->cust = NULL;
        crm_agg_free(a);
        if (rc == CRM_OK)   /* the values in rank order, read in sequence */
            rc = crm_pareto_new_ranked(out->ranked, NULL, out->in.n, &out->p, err);
    } else {
        rc = crm_pareto_new(out->in.value, out->in.n, &out->p, err);
    }
    if (rc != CRM_OK)
        crm_pareto_ranking_free(out);
    return rc;
}

void crm_pareto_ranking_free(struct crm_pareto_ranking *r)
{
    if (!r)
        return;
    free(r->order);
    r->order = NULL;
    free(r->ranked);
    r->ranked = NULL;
    crm_big_free(r->spare, r->spare_size);
    r->spare = NULL;
    crm_pareto_free(r->p);
    r->p = NULL;
    crm_pareto_input_free(&r->in);
}

/* Half of the ranks' customers, fetched through the order at random: on two threads for
 * many customers (the values in rank order are the ranking's `ranked`). */
struct gather_job {
    const struct crm_pareto_ranking *r;
    struct crm_pareto_gathered *out;
};

static void gather_part(void *ctx, int part)
{
    const struct gather_job *j = ctx;
    const struct crm_pareto_input *in = &j->r->in;
    const uint32_t *order = j->r->order;
    const size_t to = part ? in->n : in->n / 2;
    for (size_t k = part ? in->n / 2 : 0; k < to; k++) {
        if (k + 16 < to)
            __builtin_prefetch(&in->customer[order[k + 16]]);
        j->out->customer[k] = in->customer[order[k]];
    }
}

enum crm_err crm_pareto_gather(const struct crm_pareto_ranking *r, unsigned a_bp,
                               unsigned b_bp, struct crm_pareto_gathered *out,
                               struct crm_errinfo *err)
{
    const struct crm_pareto_input *in = &r->in;
    size_t n = in->n ? in->n : 1;
    memset(out, 0, sizeof *out);
    crm_pareto_cursor_init(&out->start, r->p, a_bp, b_bp);
    if (r->spare && r->spare_used >= n * (sizeof *out->cum + sizeof *out->customer)) {
        /* memory already faulted in: no fresh pages zeroed for the rows */
        out->borrowed = 1;
        out->cum = r->spare;
        out->customer = (uint32_t *)(void *)((char *)r->spare + n * sizeof *out->cum);
    } else {
        out->cum = malloc(n * sizeof *out->cum);
        out->customer = malloc(n * sizeof *out->customer);
    }
    out->value = r->ranked;    /* made with the order (crm_pareto_rank_store) */
    if (!out->cum || !out->value || !out->customer) {
        crm_pareto_gathered_free(out);
        return crm_errinfo_set(err, CRM_ENOMEM, "ranks of %zu customers: out of memory",
                               in->n);
    }
    struct gather_job j = {r, out};
    crm_thread_halves(gather_part, &j, in->n);
    struct crm_pareto_cursor cur = out->start;
    for (size_t k = 0; k < in->n; k++) {       /* in sequence: checked, running totals */
        out->cum[k] = cur.cum;
        enum crm_err rc = crm_pareto_cursor_next(&cur, out->value[k], NULL, err);
        if (rc != CRM_OK) {
            crm_pareto_gathered_free(out);
            return rc;
        }
    }
    out->n = in->n;
    return CRM_OK;
}

void crm_pareto_gathered_row(const struct crm_pareto_gathered *g, size_t rank,
                             struct crm_pareto_row *row)
{
    struct crm_pareto_cursor cur = g->start;
    cur.rank = rank;
    cur.cum = g->cum[rank];
    crm_pareto_row_at(&cur, g->value[rank], row);
}

void crm_pareto_gathered_free(struct crm_pareto_gathered *g)
{
    if (!g)
        return;
    if (!g->borrowed) {
        free(g->cum);
        free(g->customer);
    }
    g->cum = NULL;
    g->value = NULL;
    g->customer = NULL;
    g->borrowed = 0;
    g->n = 0;
}

/* ---- the report's tables --------------------------------------------------------------- */

/* A value: money with the store's decimals, or a count. */
static void put_value(struct crm_out *o, const struct crm_pareto_opts *po, int64_t v, int scale)
{
    if (po->by == CRM_PARETO_FREQUENCY)
        crm_out_int(o, v);
    else
        crm_out_money(o, v, scale);
}

/* One report row. */
static void put_row(struct crm_out *o, const struct crm_pareto_opts *po, int scale,
                    const char *id, size_t len, const struct crm_pareto_row *row)
{
    crm_out_int(o, (long long)row->rank);
    crm_out_str(o, id, len);
    put_value(o, po, row->value, scale);
    crm_out_fixed(o, row->share, 7);
    crm_out_fixed(o, row->cum_customers, 7);
    crm_out_fixed(o, row->cum_value, 7);
    crm_out_str(o, &row->abc, 1);
    crm_out_end_row(o);
}

#define ROWS_HEADER "rank,customer_id,value,share,cum_customers,cum_value,class"

struct ranked_rows {
    const struct crm_pareto_opts *po;
    const struct crm_store *s;
    const struct crm_pareto_gathered *g;
    int scale;
};

static void ranked_row(struct crm_out *o, size_t r, void *ctx)
{
    const struct ranked_rows *x = ctx;
    struct crm_pareto_row row;
    if (r + 16 < x->g->n)
        crm_store_customer_id_prefetch(x->s, x->g->customer[r + 16], 1);
    if (r + 4 < x->g->n)
        crm_store_customer_id_prefetch(x->s, x->g->customer[r + 4], 2);
    crm_pareto_gathered_row(x->g, r, &row);
    size_t len;
    const char *id = crm_store_customer_id(x->s, x->g->customer[r], &len);
    put_row(o, x->po, x->scale, id, len, &row);
}

enum crm_err crm_pareto_write_rows(struct crm_out *o, const struct crm_pareto_ranking *rk,
                                   const struct crm_store *s, const struct crm_pareto_opts *po,
                                   int scale, struct crm_errinfo *err)
{
    struct crm_pareto_gathered g;
    crm_out_header(o, ROWS_HEADER);
    enum crm_err rc = crm_pareto_gather(rk, po->a_bp, po->b_bp, &g, err);
    if (rc != CRM_OK)
        return rc;
    struct ranked_rows x = {po, s, &g, scale};
    rc = crm_outrows_write(o, g.n, ranked_row, &x, err);
    crm_pareto_gathered_free(&g);
    return rc;
}

void crm_pareto_feed_init(struct crm_pareto_feed *f, struct crm_out *o,
                          const struct crm_pareto *p, const struct crm_pareto_opts *po,
                          int scale)
{
    memset(f, 0, sizeof *f);
    f->o = o;
    f->po = po;
    f->scale = scale;
    f->rc = CRM_OK;
    crm_errinfo_clear(&f->e);
    crm_out_header(o, ROWS_HEADER);
    crm_pareto_cursor_init(&f->cur, p, po->a_bp, po->b_bp);
}

int crm_pareto_feed_row(void *feed, const char *id, size_t len, int64_t value)
{
    struct crm_pareto_feed *f = feed;
    struct crm_pareto_row row;
    if ((f->rc = crm_pareto_cursor_next(&f->cur, value, &row, &f->e)) != CRM_OK)
        return 1;
    put_row(f->o, f->po, f->scale, id, len, &row);
    return crm_out_failed(f->o);
}

enum crm_err crm_pareto_write_summary(struct crm_out *o, const struct crm_pareto *p,
                                      const struct crm_pareto_opts *po, int scale,
                                      struct crm_errinfo *err)
{
    struct crm_pareto_summary sum;
    enum crm_err rc = crm_pareto_summarize(p, po->a_bp, po->b_bp, &sum, err);
    if (rc != CRM_OK)
        return rc;
    const uint64_t *n = sum.class_customers;
    const int64_t *v = sum.class_value;
    const struct { const char *name; char kind; int64_t integer; double ratio; } m[] = {
        {"customers", 'n', (int64_t)sum.customers, 0}, {"total_value", 'v', sum.total_value, 0},
        {"top20_share", 'r', 0, sum.top20_share},
        {"customers_for_80", 'r', 0, sum.customers_for_80}, {"gini", 'r', 0, sum.gini},
        {"a_customers", 'n', (int64_t)n[0], 0}, {"a_value", 'v', v[0], 0},
        {"b_customers", 'n', (int64_t)n[1], 0}, {"b_value", 'v', v[1], 0},
        {"c_customers", 'n', (int64_t)n[2], 0}, {"c_value", 'v', v[2], 0},
    };
    crm_out_header(o, "metric,value");
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        crm_out_cstr(o, m[i].name);
        if (m[i].kind == 'n')
            crm_out_int(o, m[i].integer);
        else if (m[i].kind == 'v')
            put_value(o, po, m[i].integer, scale);
        else
            crm_out_fixed(o, sum.customers ? m[i].ratio : NAN, 7);
        crm_out_end_row(o);
    }
    return CRM_OK;
}

enum crm_err crm_pareto_write_curve(struct crm_out *o, const struct crm_pareto *p,
                                    size_t points, struct crm_errinfo *err)
{
    double *x = malloc((points + 1) * sizeof *x), *y = malloc((points + 1) * sizeof *y);
    enum crm_err rc = x && y ? crm_pareto_curve(p, points, CRM_PARETO_LORENZ, x, y, err)
                             : crm_errinfo_set(err, CRM_ENOMEM, "--curve %zu: out of memory",
                                               points);
    if (rc == CRM_OK) {
        crm_out_header(o, "customer_share,value_share");
        for (size_t j = 0; j <= points && !crm_out_failed(o); j++) {
            crm_out_fixed(o, x[j], 7);
            crm_out_fixed(o, y[j], 7);
            crm_out_end_row(o);
        }
    }
    free(x);
    free(y);
    return rc;
}
