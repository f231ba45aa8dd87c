/* kpipart: crm-segment --kpi's "segment-kpi" partials (order and customer counts per
 * period) and their merge into the figures of the whole (scale.h). Invariant: the merged
 * table has the range crm_kpi_new gives for the first partial's as-of date and window, and
 * each period's counts are the sums of the partitions' counts of that period. */
#include "scale/scale.h"

#include <string.h>

#include "scale/scaleio.h"

void crm_scale_kpi_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                           int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "period", "%s", crm_kpi_period_name(period));
}

/* ---- emit: src is the struct crm_kpi ---- */

static int periods_rows(const void *src, size_t k, uint64_t *n)
{
    (void)k;
    *n = crm_kpi_periods(src);
    return 1;
}

static void periods_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    (void)k;
    struct crm_kpi_counts n;
    crm_kpi_counts_at(src, (size_t)i, &n);
    c[0].i = n.period;
    c[1].u = n.orders;
    c[2].u = n.paying;
    c[3].u = n.new_customers;
    c[4].u = n.refunds;
    c[5].i = n.revenue;
}

/* ---- merge ---- */

struct kpi_merge {
    struct crm_kpi *k;          /* made at the first section: the range needs the as-of */
    enum crm_kpi_period period;
    int32_t window;
};

static enum crm_err periods_start(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                  uint64_t rows, struct crm_errinfo *e)
{
    (void)k, (void)rows;
    struct kpi_merge *x = m->ctx;
    if (x->k)
        return CRM_OK;
    int32_t as_of;
    enum crm_err rc = crm_scale_as_of(&m->ref, crm_partial_name(p), &as_of, e);
    if (rc == CRM_OK)
        rc = crm_kpi_new(x->period, x->window ? as_of - x->window : CRM_NO_DAY, as_of, &x->k,
                         e);
    return rc;
}

static enum crm_err periods_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                 uint64_t i, const struct crm_scaleio_cell *c,
                                 struct crm_errinfo *e)
{
    (void)k, (void)i;
    struct kpi_merge *x = m->ctx;
    if (c[0].i < INT32_MIN || c[0].i > INT32_MAX)
        return crm_partial_fail(p, e, CRM_EDATA, "period out of range");
    struct crm_kpi_counts n = {(int32_t)c[0].i, c[1].u, c[2].u, c[3].u, c[4].u, c[5].i};
    enum crm_err rc = crm_kpi_add_counts(x->k, &n, e);
    return rc == CRM_OK ? CRM_OK : crm_partial_fail(p, e, rc, "%s", e->msg);
}

static const struct crm_scaleio_section SECTIONS[] = {
    {"periods", {{"period", CRM_SCALEIO_I64}, {"orders", CRM_SCALEIO_U64},
                 {"paying", CRM_SCALEIO_U64}, {"new", CRM_SCALEIO_U64},
                 {"refunds", CRM_SCALEIO_U64}, {"revenue", CRM_SCALEIO_I64}}, 6,
     periods_rows, periods_row, periods_start, periods_take, NULL, NULL},
};

static const struct crm_scaleio_report REPORT = {
    "segment-kpi", "crm-segment --kpi --emit-partial", SECTIONS, 1, 1u,
    "the partial has no periods", NULL, NULL,
};

enum crm_err crm_scale_kpi_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_kpi *k, const struct crm_store *s,
                                struct crm_errinfo *e)
{
    return crm_scaleio_emit(o, &REPORT, opts, s, k, e);
}

enum crm_err crm_scale_kpi_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run, enum crm_kpi_period period,
                                 int32_t window_days, struct crm_kpi **out,
                                 struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct kpi_merge x = {NULL, period, window_days};
    struct crm_scaleio_merge m;
    enum crm_err rc = crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e);
    if (rc != CRM_OK) {
        crm_kpi_free(x.k);
        return rc;
    }
    if (options)
        *options = m.ref;
    *out = x.k;
    return CRM_OK;
}
