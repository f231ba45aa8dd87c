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
    struct crm_rfm_run *run[3];
    size_t n[3], cap[3];
    size_t joined[3];           /* runs after the last join: memory stays at the distinct
                                   values, not at the sum of the partials' runs */
};

static int cmp_run(const void *pa, const void *pb)
{
    const struct crm_rfm_run *a = pa, *b = pb;
    return (a->value > b->value) - (a->value < b->value);
}

/* The union's runs: sorted, equal values joined (their counts add up). */
static size_t join_runs(struct crm_rfm_run *run, size_t *n)
{
    qsort(run, *n, sizeof *run, cmp_run);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k && run[k - 1].value == run[i].value)
            run[k - 1].count += run[i].count;
        else
            run[k++] = run[i];
    }
    *n = k;
    return k;
}

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
    x->run[d][x->n[d]++] = (struct crm_rfm_run){c[0].i, c[1].u};
    return CRM_OK;
}

static void runs_end(struct crm_scaleio_merge *m, size_t d)
{
    struct rfm_merge *x = m->ctx;
    if (x->n[d] >= 2 * x->joined[d] + 65536)
        x->joined[d] = join_runs(x->run[d], &x->n[d]);
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
        if (rc == CRM_OK) {
            size_t k = join_runs(x.run[d], &x.n[d]);
            crm_rfm_quintile_cuts(x.run[d], k, &out->cut[d]);
        }
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

enum crm_err crm_scale_cuts_read(const char *path, struct crm_scale_cuts *c,
                                 struct crm_errinfo *e)
{
    memset(c, 0, sizeof *c);
    struct crm_partial *p;
    enum crm_err rc = crm_partial_open(path, &p, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_partial_head h;
    int got;
    unsigned seen = 0;
    if ((rc = crm_partial_next(p, &h, &got, e)) != CRM_OK)
        goto done;
    if (strcmp(h.kind, "rfm-cuts") != 0) {
        rc = crm_partial_fail(p, e, CRM_EUSAGE, "a %s partial, not quintile cut points (made "
                              "by crm-rfm --merge-partials)", h.kind);
        goto done;
    }
    c->options = h.options;
    for (;;) {
        char name[CRM_PARTIAL_KEY];
        uint64_t rows;
        if ((rc = crm_partial_section_next(p, name, &rows, &got, e)) != CRM_OK || !got)
            break;
        if (strcmp(name, "cuts") != 0 || rows != 3) {
            rc = crm_partial_fail(p, e, CRM_EDATA, "expected \"section cuts 3\"");
            break;
        }
        for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
            char *f[6];
            if ((rc = crm_partial_row(p, f, 6, e)) != CRM_OK)
                break;
            const char *hit = f[0][1] == '\0' ? strchr(DIMS, f[0][0]) : NULL;
            int d = hit && *hit ? (int)(hit - DIMS) : -1;
            if (d < 0 || (seen & (1u << d))) {
                rc = crm_partial_fail(p, e, CRM_EDATA, "expected one row each for r, f and m");
                break;
            }
            seen |= 1u << d;
            rc = crm_partial_parse_u64(p, f[1], "customers", &c->cut[d].n, e);
            for (int k = 0; k < 4 && rc == CRM_OK; k++) {
                c->cut[d].has[k] = strcmp(f[2 + k], "-") != 0;
                if (c->cut[d].has[k])
                    rc = crm_partial_parse_i64(p, f[2 + k], "cut point", &c->cut[d].cut[k], e);
                if (rc == CRM_OK && k && c->cut[d].has[k] && c->cut[d].has[k - 1] &&
                    c->cut[d].cut[k] < c->cut[d].cut[k - 1])
                    rc = crm_partial_fail(p, e, CRM_EDATA, "cut points not ascending");
            }
        }
        if (rc != CRM_OK)
            break;
    }
    if (rc == CRM_OK && seen != 7u)
        rc = crm_partial_fail(p, e, CRM_EDATA, "no cut points");
    if (rc == CRM_OK && (rc = crm_partial_next(p, &h, &got, e)) == CRM_OK && got)
        rc = crm_partial_fail(p, e, CRM_EUSAGE, "more than one partial: give the cut points "
                              "file that --merge-partials wrote");
done:
    crm_partial_close(p);
    return rc;
}
