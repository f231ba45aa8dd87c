/* rfmpart: crm-rfm's and crm-segment's "rfm-quintiles" partials (sorted (value, count) runs
 * of R, F and M per partition) and their merge into the quintile cut points of the whole,
 * with the "rfm-cuts" file that carries them (scale.h). Invariant: the merged runs are the
 * union's distinct values with their counts summed, in ascending order, so the cut points
 * are those crm_rfm_quintile_cuts gives on the single store. */
#include "scale/scale.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scale/scaleio.h"

static const char DIMS[] = "rfm";

void crm_scale_rfm_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                           int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "monetary", "%s", ro->monetary == CRM_RFM_AVG ? "avg" : "total");
    crm_partial_opts_add(o, "net", "%s", ro->net ? "yes" : "no");
}

/* ---- emit ---- */

struct rfm_runs {
    struct crm_rfm_run *run[3];
    size_t n[3];
};

static int runs_rows(const void *src, size_t k, uint64_t *n)
{
    *n = ((const struct rfm_runs *)src)->n[k];
    return 1;
}

static void runs_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    const struct crm_rfm_run *r = &((const struct rfm_runs *)src)->run[k][i];
    c[0].i = r->value;
    c[1].u = r->count;
}

/* ---- merge ---- */

struct rfm_merge {
    struct crm_scaleio_run *run[3];
    size_t n[3], cap[3];
    size_t joined[3];           /* runs after the last join: memory stays at the distinct
                                   values, not at the sum of the partials' runs */
};

static enum crm_err runs_start(struct crm_scaleio_merge *m, struct crm_partial *p, size_t d,
                               uint64_t rows, struct crm_errinfo *e)
{
    (void)p;
    struct rfm_merge *x = m->ctx;
    if (crm_scaleio_grow((void **)&x->run[d], &x->cap[d], x->n[d] + rows,
                         sizeof *x->run[d]) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %" PRIu64 " runs", rows);
    return CRM_OK;
}

static enum crm_err runs_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t d,
                              uint64_t i, const struct crm_scaleio_cell *c,
                              struct crm_errinfo *e)
{
    struct rfm_merge *x = m->ctx;
    if (c[1].u == 0)
        return crm_partial_fail(p, e, CRM_EDATA, "count 0");
    if (i > 0 && c[0].i <= x->run[d][x->n[d] - 1].value)
        return crm_partial_fail(p, e, CRM_EDATA, "values not strictly ascending");
    x->run[d][x->n[d]++] = (struct crm_scaleio_run){c[0].i, c[1].u};
    return CRM_OK;
}

static void runs_end(struct crm_scaleio_merge *m, size_t d)
{
    struct rfm_merge *x = m->ctx;
    if (x->n[d] >= 2 * x->joined[d] + 65536)
        x->joined[d] = crm_scaleio_join(x->run[d], &x->n[d]);
}

#define RUNS(name) {name, {{"value", CRM_SCALEIO_I64}, {"count", CRM_SCALEIO_U64}}, 2, \
                    runs_rows, runs_row, runs_start, runs_take, runs_end, NULL}

static const struct crm_scaleio_section SECTIONS[] = {RUNS("r"), RUNS("f"), RUNS("m")};

static const struct crm_scaleio_report REPORT = {
    "rfm-quintiles", "crm-rfm or crm-segment --emit-partial", SECTIONS, 3, 7u,
    "the partial lacks a section r, f or m", NULL, NULL,
};

enum crm_err crm_scale_rfm_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_rfm *r, const struct crm_store *s,
                                struct crm_errinfo *e)
{
    struct rfm_runs src;
    memset(&src, 0, sizeof src);
    enum crm_err rc = CRM_OK;
    for (int d = 0; d < 3 && rc == CRM_OK; d++)
        rc = crm_rfm_dimension_runs(r, DIMS[d], &src.run[d], &src.n[d], e);
    if (rc == CRM_OK)
        rc = crm_scaleio_emit(o, &REPORT, opts, s, &src, e);
    for (int d = 0; d < 3; d++)
        free(src.run[d]);
    return rc;
}

/* The quintile cut points of a dimension's merged runs (*run freed as soon as it is copied). */
static enum crm_err cuts_of(struct crm_scaleio_run **run, size_t *n, struct crm_rfm_cuts *cut,
                            struct crm_errinfo *e)
{
    size_t k = crm_scaleio_join(*run, n);
    struct crm_rfm_run *r = malloc((k ? k : 1) * sizeof *r);
    if (!r)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu runs", k);
    for (size_t i = 0; i < k; i++)
        r[i] = (struct crm_rfm_run){(*run)[i].value, (*run)[i].count};
    free(*run);
    *run = NULL;
    crm_rfm_quintile_cuts(r, k, cut);
    free(r);
    return CRM_OK;
}

enum crm_err crm_scale_rfm_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run,
                                 struct crm_scale_cuts *out, struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    struct rfm_merge x;
    memset(&x, 0, sizeof x);
    struct crm_scaleio_merge m;
    enum crm_err rc = crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e);
    for (int d = 0; d < 3; d++) {
        if (rc == CRM_OK)
            rc = cuts_of(&x.run[d], &x.n[d], &out->cut[d], e);
        free(x.run[d]);
    }
    if (rc != CRM_OK)
        return rc;
    out->options = m.ref;
    for (size_t i = 0; i < out->options.n; i++)
        out->options.kv[i].line = 0;
    out->partials = m.partials;
    out->customers = m.customers;
    return CRM_OK;
}

/* ---- the cut points file ---- */

enum crm_err crm_scale_cuts_write(struct crm_out *o, const struct crm_scale_cuts *c,
                                  struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = crm_partial_writer_new(o, "rfm-cuts", &c->options, &w, e);
    if (rc != CRM_OK)
        return rc;
    crm_partial_info(w, "partials", "%" PRIu64, c->partials);
    crm_partial_info(w, "customers", "%" PRIu64, c->customers);
    crm_partial_section(w, "cuts", 3);
    for (int d = 0; d < 3; d++) {
        char name[2] = {DIMS[d], 0};
        crm_partial_text(w, name, 1);
        crm_partial_u64(w, c->cut[d].n);
        for (int k = 0; k < 4; k++) {
            if (c->cut[d].has[k])
                crm_partial_i64(w, c->cut[d].cut[k]);
            else
                crm_partial_text(w, "-", 1);
        }
        crm_partial_end_row(w);
    }
    return crm_partial_writer_finish(w, e);
}

/* Reading the cut points back: one rfm-cuts partial with one section of three rows. */
struct cuts_read {
    struct crm_scale_cuts *c;
    unsigned seen;              /* bit d: the row of dimension d */
    int partials;
};

static enum crm_err cuts_head(void *ctx, struct crm_partial *p, const struct crm_partial_head *h,
                              struct crm_errinfo *e)
{
    struct cuts_read *x = ctx;
    if (x->partials++ > 0)
        return crm_partial_fail(p, e, CRM_EUSAGE, "more than one partial: give the cut points "
                                "file that --merge-partials wrote");
    if (strcmp(h->kind, "rfm-cuts") != 0)
        return crm_partial_fail(p, e, CRM_EUSAGE, "a %s partial, not quintile cut points (made "
                                "by crm-rfm --merge-partials)", h->kind);
    x->c->options = h->options;
    return CRM_OK;
}

/* A row "DIM customers cut1 cut2 cut3 cut4" ("-" for a cut point that is not there). */
static enum crm_err cuts_row(struct cuts_read *x, struct crm_partial *p, struct crm_errinfo *e)
{
    char *f[6];
    enum crm_err rc = crm_partial_row(p, f, 6, e);
    if (rc != CRM_OK)
        return rc;
    const char *hit = f[0][1] == '\0' ? strchr(DIMS, f[0][0]) : NULL;
    int d = hit && *hit ? (int)(hit - DIMS) : -1;
    if (d < 0 || (x->seen & (1u << d)))
        return crm_partial_fail(p, e, CRM_EDATA, "expected one row each for r, f and m");
    x->seen |= 1u << d;
    struct crm_rfm_cuts *cut = &x->c->cut[d];
    rc = crm_partial_parse_u64(p, f[1], "customers", &cut->n, e);
    for (int k = 0; k < 4 && rc == CRM_OK; k++) {
        cut->has[k] = strcmp(f[2 + k], "-") != 0;
        if (cut->has[k])
            rc = crm_partial_parse_i64(p, f[2 + k], "cut point", &cut->cut[k], e);
        if (rc == CRM_OK && k && cut->has[k] && cut->has[k - 1] && cut->cut[k] < cut->cut[k - 1])
            rc = crm_partial_fail(p, e, CRM_EDATA, "cut points not ascending");
    }
    return rc;
}

static enum crm_err cuts_section(void *ctx, struct crm_partial *p, const char *name,
                                 uint64_t rows, struct crm_errinfo *e)
{
    if (strcmp(name, "cuts") != 0 || rows != 3)
        return crm_partial_fail(p, e, CRM_EDATA, "expected \"section cuts 3\"");
    enum crm_err rc = CRM_OK;
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++)
        rc = cuts_row(ctx, p, e);
    return rc;
}

static enum crm_err cuts_done(void *ctx, struct crm_partial *p,
                              const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct cuts_read *x = ctx;
    return x->seen == 7u ? CRM_OK : crm_partial_fail(p, e, CRM_EDATA, "no cut points");
}

enum crm_err crm_scale_cuts_read(const char *path, struct crm_scale_cuts *c,
                                 struct crm_errinfo *e)
{
    memset(c, 0, sizeof *c);
    struct cuts_read x = {c, 0, 0};
    const struct crm_partial_walker w = {cuts_head, cuts_section, cuts_done, &x};
    return crm_partial_walk(path, &w, NULL, e);
}
