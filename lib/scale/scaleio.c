/* scaleio: the emit and merge template of every report's partial (see scaleio.h).
 * Invariant: the template alone opens, checks and walks partials; a report's hooks see
 * parsed rows of one section at a time, and its state only through m->ctx. */
#include "scale/scaleio.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scale/scale.h"

/* ---- emit ---- */

/* Start a partial of `kind` with the store's identity as info lines. */
static enum crm_err begin(struct crm_out *o, const char *kind,
                          const struct crm_partial_opts *opts, const struct crm_store *s,
                          struct crm_partial_writer **w, struct crm_errinfo *e)
{
    enum crm_err rc = crm_partial_writer_new(o, kind, opts, w, e);
    if (rc != CRM_OK)
        return rc;
    uint64_t n, f;
    crm_scale_identity(s, &n, &f);
    crm_partial_info(*w, "customers", "%" PRIu64, n);
    crm_partial_info(*w, "fingerprint", "%016" PRIx64, f);
    return CRM_OK;
}

static void put_section(struct crm_partial_writer *w, struct crm_out *o,
                        const struct crm_scaleio_section *sec, size_t k, const void *src)
{
    uint64_t n;
    if (!sec->rows(src, k, &n))
        return;
    crm_partial_section(w, sec->name, n);
    for (uint64_t i = 0; i < n && !crm_out_failed(o); i++) {
        struct crm_scaleio_cell c[CRM_SCALEIO_COLS];
        sec->row(src, k, i, c);
        for (size_t j = 0; j < sec->ncol; j++) {
            if (sec->col[j].type == CRM_SCALEIO_I64)
                crm_partial_i64(w, c[j].i);
            else if (sec->col[j].type == CRM_SCALEIO_U64)
                crm_partial_u64(w, c[j].u);
            else
                crm_partial_text(w, c[j].text, c[j].len);
        }
        crm_partial_end_row(w);
    }
}

enum crm_err crm_scaleio_emit(struct crm_out *o, const struct crm_scaleio_report *r,
                              const struct crm_partial_opts *opts, const struct crm_store *s,
                              const void *src, struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, r->kind, opts, s, &w, e);
    if (rc != CRM_OK)
        return rc;
    if (r->info)
        r->info(w, src);
    for (size_t k = 0; k < r->nsection && !crm_out_failed(o); k++)
        put_section(w, o, &r->section[k], k, src);
    if (crm_out_failed(o)) {   /* the close reports the write error */
        crm_partial_writer_free(w);
        return CRM_OK;
    }
    return crm_partial_writer_finish(w, e);
}

/* ---- merge: kind, options and partitions ---- */

struct crm_scaleio_ident {
    uint64_t customers, fingerprint;
    char file[256];
    long long line;
};

/* Options a later step may leave out: they are taken from the partials. */
static const char *const ADOPTED[] = {"as-of", "calibration-end", "cuts", "money-scale", "tz"};

/* The options of the first partial against the command line's (what it leaves out adopted),
 * of every later one against the first's. */
static enum crm_err check_options(struct crm_scaleio_merge *m, const char *file,
                                  const struct crm_partial_head *h, struct crm_errinfo *e)
{
    if (m->partials > 0)
        return crm_partial_opts_check(&h->options, file, &m->ref, m->ref_file, e);
    struct crm_partial_opts want = *m->run;
    for (size_t i = 0; i < sizeof ADOPTED / sizeof *ADOPTED; i++) {
        const char *v = crm_partial_opts_get(&h->options, ADOPTED[i]);
        if (v && !crm_partial_opts_get(&want, ADOPTED[i]))
            crm_partial_opts_add(&want, ADOPTED[i], "%s", v);
    }
    enum crm_err rc = crm_partial_opts_check(&h->options, file, &want, "the command line", e);
    if (rc != CRM_OK)
        return rc;
    m->ref = h->options;
    snprintf(m->ref_file, sizeof m->ref_file, "%s", file);
    return CRM_OK;
}

/* The partition's identity (info customers and fingerprint), kept for check_twice. */
static enum crm_err add_ident(struct crm_scaleio_merge *m, struct crm_partial *p,
                              const struct crm_partial_head *h, struct crm_errinfo *e)
{
    const char *file = crm_partial_name(p);
    uint64_t n = 0, f = 0;
    const char *cs = crm_partial_opts_get(&h->info, "customers");
    const char *fs = crm_partial_opts_get(&h->info, "fingerprint");
    char *end = NULL;
    if (cs && fs && strlen(fs) == 16) {
        f = strtoull(fs, &end, 16);
        if (crm_partial_parse_u64(p, cs, "info customers", &n, e) != CRM_OK)
            end = NULL;
    }
    if (!end || *end) {
        crm_errinfo_where(e, file, h->line, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "info customers and fingerprint missing or bad");
    }
    struct crm_scaleio_ident *ids = realloc(m->ids, (m->nids + 1) * sizeof *ids);
    if (!ids)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    m->ids = ids;
    ids[m->nids] = (struct crm_scaleio_ident){n, f, "", h->line};
    snprintf(ids[m->nids].file, sizeof ids[m->nids].file, "%s", file);
    m->nids++;
    m->customers += n;
    return CRM_OK;
}

static enum crm_err check_head(void *ctx, struct crm_partial *p,
                               const struct crm_partial_head *h, struct crm_errinfo *e)
{
    struct crm_scaleio_merge *m = ctx;
    const char *file = crm_partial_name(p);
    if (strcmp(h->kind, m->report->kind) != 0) {
        crm_errinfo_where(e, file, h->line, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "a %s partial; this step merges %s partials "
                               "(made by %s)", h->kind, m->report->kind, m->report->how);
    }
    enum crm_err rc = check_options(m, file, h, e);
    return rc == CRM_OK ? add_ident(m, p, h, e) : rc;
}

static int cmp_ident(const void *pa, const void *pb)
{
    const struct crm_scaleio_ident *a = pa, *b = pb;
    if (a->fingerprint != b->fingerprint)
        return a->fingerprint < b->fingerprint ? -1 : 1;
    return (a->customers > b->customers) - (a->customers < b->customers);
}

static enum crm_err check_twice(struct crm_scaleio_merge *m, struct crm_errinfo *e)
{
    qsort(m->ids, m->nids, sizeof *m->ids, cmp_ident);
    for (size_t i = 1; i < m->nids; i++) {
        const struct crm_scaleio_ident *a = &m->ids[i - 1], *b = &m->ids[i];
        if (a->customers && cmp_ident(a, b) == 0) {
            crm_errinfo_where(e, b->file, b->line, -1, -1);
            return crm_errinfo_set(e, CRM_EUSAGE, "the same partition (%" PRIu64 " customers, "
                                   "fingerprint %016" PRIx64 ") as %s line %lld: a partial "
                                   "given twice?", b->customers, b->fingerprint, a->file,
                                   a->line);
        }
    }
    return CRM_OK;
}

/* ---- merge: sections and rows ---- */

/* Row i's fields, parsed to the section's columns. */
static enum crm_err read_cells(struct crm_partial *p, const struct crm_scaleio_section *sec,
                               struct crm_scaleio_cell *c, struct crm_errinfo *e)
{
    char *f[CRM_SCALEIO_COLS];
    enum crm_err rc = crm_partial_row(p, f, sec->ncol, e);
    for (size_t j = 0; j < sec->ncol && rc == CRM_OK; j++) {
        const struct crm_scaleio_col *col = &sec->col[j];
        if (col->type == CRM_SCALEIO_I64)
            rc = crm_partial_parse_i64(p, f[j], col->name, &c[j].i, e);
        else if (col->type == CRM_SCALEIO_U64)
            rc = crm_partial_parse_u64(p, f[j], col->name, &c[j].u, e);
        else
            c[j] = (struct crm_scaleio_cell){0, 0, f[j], strlen(f[j])};
    }
    return rc;
}

static enum crm_err read_section(void *ctx, struct crm_partial *p, const char *name,
                                 uint64_t rows, struct crm_errinfo *e)
{
    struct crm_scaleio_merge *m = ctx;
    const struct crm_scaleio_report *r = m->report;
    size_t k = 0;
    while (k < r->nsection && strcmp(r->section[k].name, name) != 0)
        k++;
    if (k == r->nsection)
        return crm_partial_fail(p, e, CRM_EDATA, "unknown section %s in a %s partial", name,
                                r->kind);
    if (m->seen & (1u << k))
        return crm_partial_fail(p, e, CRM_EDATA, "section %s given twice", name);
    m->seen |= 1u << k;
    const struct crm_scaleio_section *sec = &r->section[k];
    enum crm_err rc = sec->start ? sec->start(m, p, k, rows, e) : CRM_OK;
    if (rc == CRM_OK && sec->read)
        return sec->read(m, p, rows, e);
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
        struct crm_scaleio_cell c[CRM_SCALEIO_COLS];
        if ((rc = read_cells(p, sec, c, e)) == CRM_OK)
            rc = sec->take(m, p, k, i, c, e);
    }
    if (rc == CRM_OK && sec->end)
        sec->end(m, k);
    return rc;
}

static enum crm_err partial_done(void *ctx, struct crm_partial *p,
                                 const struct crm_partial_head *h, struct crm_errinfo *e)
{
    struct crm_scaleio_merge *m = ctx;
    unsigned seen = m->seen;
    m->seen = 0;
    if ((seen & m->report->required) != m->report->required)
        return crm_partial_fail(p, e, CRM_EDATA, "%s", m->report->lacks);
    enum crm_err rc = m->report->done ? m->report->done(m, p, h, seen, e) : CRM_OK;
    if (rc == CRM_OK)
        m->partials++;
    return rc;
}

enum crm_err crm_scaleio_merge(struct crm_scaleio_merge *m, const struct crm_scaleio_report *r,
                               const char *const *paths, size_t npaths,
                               const struct crm_partial_opts *run, void *ctx,
                               struct crm_errinfo *e)
{
    static const char *const stdin_only[] = {"-"};
    memset(m, 0, sizeof *m);
    m->report = r;
    m->run = run;
    m->ctx = ctx;
    if (npaths == 0) {
        paths = stdin_only;
        npaths = 1;
    }
    const struct crm_partial_walker w = {check_head, read_section, partial_done, m};
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < npaths && rc == CRM_OK; i++) {
        m->path = paths[i];
        rc = crm_partial_walk(paths[i], &w, NULL, e);
    }
    if (rc == CRM_OK)
        rc = check_twice(m, e);
    free(m->ids);
    m->ids = NULL;
    m->nids = 0;
    return rc;
}

int crm_scaleio_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = realloc(*items, c * size);
    if (!q)
        return -1;
    *items = q;
    *cap = c;
    return 0;
}

static int cmp_run(const void *pa, const void *pb)
{
    const struct crm_scaleio_run *a = pa, *b = pb;
    return (a->value > b->value) - (a->value < b->value);
}

size_t crm_scaleio_join(struct crm_scaleio_run *run, size_t *n)
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
