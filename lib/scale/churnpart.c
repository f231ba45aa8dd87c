/* churnpart: crm-churn's "churn" partials (weighted (x, t_x, T) triples and repeat-spend
 * rows per partition) and their merge into one BG/NBD (or MBG/NBD, Pareto/NBD) and
 * Gamma-Gamma fit (scale.h). Invariant: the merged summary holds the same weighted rows as
 * crm_churn_summarize gives on the single store, so the one fit sees the same numbers. */
#include "scale/scale.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scale/scaleio.h"
#include "text/timeparse.h"

void crm_scale_churn_options(struct crm_partial_opts *o, int32_t as_of, int32_t end,
                             const struct crm_store *s)
{
    char d[16];
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    if (end != CRM_NO_DAY) {
        crm_date_format(end, d);
        crm_partial_opts_add(o, "calibration-end", "%s", d);
    }
}

/* ---- emit: src is the struct crm_churn_summary ---- */

static void churn_info(struct crm_partial_writer *w, const void *src)
{
    const struct crm_churn_summary *sum = src;
    crm_partial_info(w, "zero-spend", "%" PRIu64, sum->zero_spend);
}

static int churn_rows(const void *src, size_t k, uint64_t *n)
{
    const struct crm_churn_summary *sum = src;
    *n = k == 0 ? sum->ntri : sum->nspend;
    return 1;
}

static void churn_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    const struct crm_churn_summary *sum = src;
    if (k == 0) {
        const struct crm_churn_triple *t = &sum->tri[i];
        c[0].u = t->x;
        c[1].i = t->t_x;
        c[2].i = t->T;
        c[3].u = t->count;
    } else {
        const struct crm_churn_spend *s = &sum->spend[i];
        c[0].u = s->x;
        c[1].i = s->money;
        c[2].u = s->count;
    }
}

/* ---- merge ---- */

struct churn_merge {
    struct crm_churn_summary sum;
    size_t joined;              /* rows after the last join */
};

static enum crm_err triple_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                uint64_t i, const struct crm_scaleio_cell *c,
                                struct crm_errinfo *e)
{
    (void)k, (void)i;
    struct churn_merge *x = m->ctx;
    uint64_t xx = c[0].u, count = c[3].u;
    int64_t a = c[1].i, b = c[2].i;
    if (count == 0 || xx > UINT32_MAX || a < 0 || a > b || b > INT32_MAX || (xx == 0 && a != 0))
        return crm_partial_fail(p, e, CRM_EDATA, "a triple needs 0 <= t_x <= T, t_x = 0 when "
                                "x = 0, and a count >= 1");
    struct crm_churn_triple t = {(uint32_t)xx, (int32_t)a, (int32_t)b, count};
    return crm_churn_summary_add_triple(&x->sum, &t, e);
}

static enum crm_err spend_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                               uint64_t i, const struct crm_scaleio_cell *c,
                               struct crm_errinfo *e)
{
    (void)k, (void)i;
    struct churn_merge *x = m->ctx;
    uint64_t xx = c[0].u, count = c[2].u;
    if (count == 0 || xx == 0 || xx > UINT32_MAX || c[1].i <= 0)
        return crm_partial_fail(p, e, CRM_EDATA, "a spend row needs x >= 1, money > 0 and a "
                                "count >= 1");
    struct crm_churn_spend s = {(uint32_t)xx, c[1].i, count};
    return crm_churn_summary_add_spend(&x->sum, &s, e);
}

static enum crm_err churn_done(struct crm_scaleio_merge *m, struct crm_partial *p,
                               const struct crm_partial_head *h, unsigned seen,
                               struct crm_errinfo *e)
{
    (void)seen;
    struct churn_merge *x = m->ctx;
    const char *z = crm_partial_opts_get(&h->info, "zero-spend");
    uint64_t zero;
    if (!z)
        return crm_partial_fail(p, e, CRM_EDATA, "the partial lacks info zero-spend");
    enum crm_err rc = crm_partial_parse_u64(p, z, "info zero-spend", &zero, e);
    x->sum.zero_spend += zero;
    if (x->sum.ntri + x->sum.nspend >= 2 * x->joined + 65536) {
        crm_churn_summary_join(&x->sum);
        x->joined = x->sum.ntri + x->sum.nspend;
    }
    return rc;
}

static const struct crm_scaleio_section SECTIONS[] = {
    {"triples", {{"x", CRM_SCALEIO_U64}, {"t_x", CRM_SCALEIO_I64}, {"T", CRM_SCALEIO_I64},
                 {"count", CRM_SCALEIO_U64}}, 4, churn_rows, churn_row, NULL, triple_take,
     NULL, NULL},
    {"spend", {{"x", CRM_SCALEIO_U64}, {"money", CRM_SCALEIO_I64}, {"count", CRM_SCALEIO_U64}},
     3, churn_rows, churn_row, NULL, spend_take, NULL, NULL},
};

static const struct crm_scaleio_report REPORT = {
    "churn", "crm-churn --emit-partial", SECTIONS, 2, 3u,
    "the partial lacks section triples or spend", churn_info, churn_done,
};

enum crm_err crm_scale_churn_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                  const struct crm_btsum *b, const struct crm_store *s,
                                  struct crm_errinfo *e)
{
    struct crm_churn_summary sum;
    enum crm_err rc = crm_churn_summarize(b, &sum, e);
    if (rc != CRM_OK)
        return rc;
    rc = crm_scaleio_emit(o, &REPORT, opts, s, &sum, e);
    crm_churn_summary_free(&sum);
    return rc;
}

enum crm_err crm_scale_churn_merge(const char *const *paths, size_t npaths,
                                   const struct crm_partial_opts *run,
                                   enum crm_btyd_model model, double days_per_unit,
                                   double penalty, struct crm_churn **out,
                                   struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct churn_merge x;
    memset(&x, 0, sizeof x);
    struct crm_scaleio_merge m;
    enum crm_err rc = crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e);
    const char *scale = crm_partial_opts_get(&m.ref, "money-scale");
    if (rc == CRM_OK)
        rc = crm_churn_fit(&x.sum, model, days_per_unit, penalty, scale ? atoi(scale) : 2, out,
                           e);
    crm_churn_summary_free(&x.sum);
    if (rc == CRM_OK && options)
        *options = m.ref;
    return rc;
}
