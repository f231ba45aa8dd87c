/* cohortpart: crm-cohort's "cohort" partials (cohort sizes and (cohort, period) cells) and
 * their merge into the table of the whole (scale.h). Invariant: the cohorts of disjoint
 * customers add up cell by cell, and a cell at or after the first partial's as-of period is
 * refused (crm_cohort_add), so the merged table is the single store's. */
#include "scale/scale.h"

#include "scale/scaleio.h"

void crm_scale_cohort_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                              int32_t as_of, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_partial_opts_add(o, "period", "%s", crm_kpi_period_name(period));
}

/* ---- emit: the cells in crm_cohort_cell_next's order ---- */

struct cohort_src {
    const struct crm_cohort *co;
    size_t *pos;                /* the walk over the cells, one row at a time */
};

static int cells_rows(const void *src, size_t k, uint64_t *n)
{
    (void)k;
    *n = crm_cohort_cells(((const struct cohort_src *)src)->co);
    return 1;
}

static void cells_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    (void)k, (void)i;
    const struct cohort_src *x = src;
    struct crm_cohort_cell cell = {0, 0, 0, 0, 0};
    crm_cohort_cell_next(x->co, x->pos, &cell);
    c[0].i = cell.cohort;
    c[1].i = cell.k;
    c[2].u = cell.active;
    c[3].u = cell.orders;
    c[4].i = cell.revenue;
}

/* ---- merge ---- */

struct cohort_merge {
    struct crm_cohort *co;      /* made at the first section: the range needs the as-of */
    enum crm_kpi_period period;
};

static enum crm_err cells_start(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                uint64_t rows, struct crm_errinfo *e)
{
    (void)k, (void)rows;
    struct cohort_merge *x = m->ctx;
    if (x->co)
        return CRM_OK;
    int32_t as_of;
    enum crm_err rc = crm_scale_as_of(&m->ref, crm_partial_name(p), &as_of, e);
    return rc == CRM_OK ? crm_cohort_new(x->period, as_of, &x->co, e) : rc;
}

static enum crm_err cells_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                               uint64_t i, const struct crm_scaleio_cell *c,
                               struct crm_errinfo *e)
{
    (void)k, (void)i;
    struct cohort_merge *x = m->ctx;
    if (c[0].i < INT32_MIN || c[0].i > INT32_MAX || c[1].i < -1 || c[1].i > INT32_MAX)
        return crm_partial_fail(p, e, CRM_EDATA, "cohort or period index out of range");
    struct crm_cohort_cell cell = {(int32_t)c[0].i, (int32_t)c[1].i, c[2].u, c[3].u, c[4].i};
    enum crm_err rc = crm_cohort_add(x->co, &cell, e);
    return rc == CRM_OK ? CRM_OK : crm_partial_fail(p, e, rc, "%s", e->msg);
}

static const struct crm_scaleio_section SECTIONS[] = {
    {"cells", {{"cohort", CRM_SCALEIO_I64}, {"period index", CRM_SCALEIO_I64},
               {"active", CRM_SCALEIO_U64}, {"orders", CRM_SCALEIO_U64},
               {"revenue", CRM_SCALEIO_I64}}, 5,
     cells_rows, cells_row, cells_start, cells_take, NULL, NULL},
};

static const struct crm_scaleio_report REPORT = {
    "cohort", "crm-cohort --emit-partial", SECTIONS, 1, 1u, "the partial has no cells",
    NULL, NULL,
};

enum crm_err crm_scale_cohort_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_cohort *co, const struct crm_store *s,
                                   struct crm_errinfo *e)
{
    size_t pos = 0;
    struct cohort_src src = {co, &pos};
    return crm_scaleio_emit(o, &REPORT, opts, s, &src, e);
}

enum crm_err crm_scale_cohort_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run,
                                    enum crm_kpi_period period, struct crm_cohort **out,
                                    struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct cohort_merge x = {NULL, period};
    struct crm_scaleio_merge m;
    enum crm_err rc = crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e);
    if (rc != CRM_OK) {
        crm_cohort_free(x.co);
        return rc;
    }
    if (options)
        *options = m.ref;
    *out = x.co;
    return CRM_OK;
}
