/* scale: partials and merges of the tools' global steps (see scale.h). Invariant: every row
 * a merge uses was checked on reading (order, ranges, counts), and a merge is computed from
 * the same integers, in the same sorted order, as the single-store code path. */
#include "scale/scale.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/hash.h"
#include "text/timeparse.h"

/* ---- common ---- */

void crm_scale_base_options(struct crm_partial_opts *o, int32_t as_of,
                            const struct crm_store *s)
{
    char d[16];
    if (as_of != CRM_NO_DAY) {
        crm_date_format(as_of, d);
        crm_partial_opts_add(o, "as-of", "%s", d);
    }
    if (s) {
        crm_partial_opts_add(o, "money-scale", "%d", crm_store_meta(s)->money_scale);
        crm_partial_opts_add(o, "tz", "%s", crm_store_meta(s)->tz);
    }
}

void crm_scale_window_option(struct crm_partial_opts *o, int32_t window_days)
{
    if (window_days)
        crm_partial_opts_add(o, "window", "%d", (int)window_days);
    else
        crm_partial_opts_add(o, "window", "all");
}

enum crm_err crm_scale_as_of(const struct crm_partial_opts *o, const char *file,
                             int32_t *as_of, struct crm_errinfo *e)
{
    const char *v = crm_partial_opts_get(o, "as-of");
    if (!v || crm_date_parse(v, as_of) != 0) {
        crm_errinfo_where(e, file, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "no valid as-of option");
    }
    return CRM_OK;
}

void crm_scale_identity(const struct crm_store *s, uint64_t *customers, uint64_t *fingerprint)
{
    uint32_t n = crm_store_customer_count(s);
    uint64_t f = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        const char *id = crm_store_customer_id(s, i, &len);
        f += crm_hash_stable(id, len);
    }
    *customers = n;
    *fingerprint = f;
}

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

/* ---- the merge driver ----------------------------------------------------------------
 * Reads every partial of every path, checks its kind and options (against the command
 * line's, then against the first partial's) and that no partition comes twice, and hands
 * each section to the kind's reader. */

struct ident {
    uint64_t customers, fingerprint;
    char file[256];
    long long line;
};

struct merger {
    const char *kind;
    const char *how;                   /* how such partials are made, for messages */
    const struct crm_partial_opts *run;
    struct crm_partial_opts ref;       /* the first partial's options */
    char ref_file[256];
    size_t partials;
    uint64_t customers;
    struct ident *ids;
    size_t nids;
    /* the kind's readers; section must read or skip all `rows` rows */
    enum crm_err (*section)(struct merger *m, struct crm_partial *p, const char *name,
                            uint64_t rows, const char *path, struct crm_errinfo *e);
    enum crm_err (*done)(struct merger *m, struct crm_partial *p,
                         const struct crm_partial_head *h, struct crm_errinfo *e);
    void *ctx;
};

static void merger_init(struct merger *m, const char *kind, const char *how,
                        const struct crm_partial_opts *run, void *ctx)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->how = how;
    m->run = run;
    m->ctx = ctx;
}

/* Options a later step may leave out: they are taken from the partials. */
static const char *const ADOPTED[] = {"as-of", "calibration-end", "cuts", "money-scale", "tz"};

static enum crm_err check_head(struct merger *m, struct crm_partial *p,
                               const struct crm_partial_head *h, struct crm_errinfo *e)
{
    const char *file = crm_partial_name(p);
    if (strcmp(h->kind, m->kind) != 0) {
        crm_errinfo_where(e, file, h->line, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "a %s partial; this step merges %s partials "
                               "(made by %s)", h->kind, m->kind, m->how);
    }
    if (m->partials == 0) {
        struct crm_partial_opts want = *m->run;
        for (size_t i = 0; i < sizeof ADOPTED / sizeof *ADOPTED; i++) {
            const char *v = crm_partial_opts_get(&h->options, ADOPTED[i]);
            if (v && !crm_partial_opts_get(&want, ADOPTED[i]))
                crm_partial_opts_add(&want, ADOPTED[i], "%s", v);
        }
        enum crm_err rc = crm_partial_opts_check(&h->options, file, &want, "the command line",
                                                 e);
        if (rc != CRM_OK)
            return rc;
        m->ref = h->options;
        snprintf(m->ref_file, sizeof m->ref_file, "%s", file);
    } else {
        enum crm_err rc = crm_partial_opts_check(&h->options, file, &m->ref, m->ref_file, e);
        if (rc != CRM_OK)
            return rc;
    }
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
    struct ident *ids = realloc(m->ids, (m->nids + 1) * sizeof *ids);
    if (!ids)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    m->ids = ids;
    ids[m->nids] = (struct ident){n, f, "", h->line};
    snprintf(ids[m->nids].file, sizeof ids[m->nids].file, "%s", file);
    m->nids++;
    m->customers += n;
    return CRM_OK;
}

static int cmp_ident(const void *pa, const void *pb)
{
    const struct ident *a = pa, *b = pb;
    if (a->fingerprint != b->fingerprint)
        return a->fingerprint < b->fingerprint ? -1 : 1;
    return (a->customers > b->customers) - (a->customers < b->customers);
}

static enum crm_err check_twice(struct merger *m, struct crm_errinfo *e)
{
    qsort(m->ids, m->nids, sizeof *m->ids, cmp_ident);
    for (size_t i = 1; i < m->nids; i++) {
        const struct ident *a = &m->ids[i - 1], *b = &m->ids[i];
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

static enum crm_err merge_path(struct merger *m, const char *path, struct crm_errinfo *e)
{
    struct crm_partial *p;
    enum crm_err rc = crm_partial_open(path, &p, e);
    if (rc != CRM_OK)
        return rc;
    for (;;) {
        struct crm_partial_head h;
        int got;
        if ((rc = crm_partial_next(p, &h, &got, e)) != CRM_OK || !got)
            break;
        if ((rc = check_head(m, p, &h, e)) != CRM_OK)
            break;
        for (;;) {
            char name[CRM_PARTIAL_KEY];
            uint64_t rows;
            if ((rc = crm_partial_section_next(p, name, &rows, &got, e)) != CRM_OK || !got)
                break;
            if ((rc = m->section(m, p, name, rows, path, e)) != CRM_OK)
                break;
        }
        if (rc == CRM_OK && m->done)
            rc = m->done(m, p, &h, e);
        if (rc != CRM_OK)
            break;
        m->partials++;
    }
    crm_partial_close(p);
    return rc;
}

static enum crm_err merge_all(struct merger *m, const char *const *paths, size_t npaths,
                              struct crm_errinfo *e)
{
    static const char *const stdin_only[] = {"-"};
    if (npaths == 0) {
        paths = stdin_only;
        npaths = 1;
    }
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < npaths && rc == CRM_OK; i++)
        rc = merge_path(m, paths[i], e);
    if (rc == CRM_OK)
        rc = check_twice(m, e);
    free(m->ids);
    m->ids = NULL;
    return rc;
}

static enum crm_err unknown_section(struct crm_partial *p, const char *name, const char *kind,
                                    struct crm_errinfo *e)
{
    return crm_partial_fail(p, e, CRM_EDATA, "unknown section %s in a %s partial", name, kind);
}

/* Section bookkeeping: each named section once per partial. */
static enum crm_err once(struct crm_partial *p, unsigned *seen, unsigned bit, const char *name,
                         struct crm_errinfo *e)
{
    if (*seen & bit)
        return crm_partial_fail(p, e, CRM_EDATA, "section %s given twice", name);
    *seen |= bit;
    return CRM_OK;
}

/* Growable arrays of fixed-size items. */
static int grow(void **items, size_t *cap, size_t need, size_t size)
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

/* ---- RFM quintiles ---- */

void crm_scale_rfm_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                           int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "monetary", "%s", ro->monetary == CRM_RFM_AVG ? "avg" : "total");
    crm_partial_opts_add(o, "net", "%s", ro->net ? "yes" : "no");
}

static const char DIMS[] = "rfm";

enum crm_err crm_scale_rfm_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_rfm *r, const struct crm_store *s,
                                struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, "rfm-quintiles", opts, s, &w, e);
    for (int d = 0; d < 3 && rc == CRM_OK; d++) {
        struct crm_rfm_run *runs;
        size_t n;
        if ((rc = crm_rfm_dimension_runs(r, DIMS[d], &runs, &n, e)) != CRM_OK)
            break;
        char name[2] = {DIMS[d], 0};
        crm_partial_section(w, name, n);
        for (size_t i = 0; i < n; i++) {
            crm_partial_i64(w, runs[i].value);
            crm_partial_u64(w, runs[i].count);
            crm_partial_end_row(w);
        }
        free(runs);
    }
    if (rc != CRM_OK) {
        crm_partial_writer_free(w);
        return rc;
    }
    return crm_partial_writer_finish(w, e);
}

struct rfm_merge {
    struct crm_rfm_run *run[3];
    size_t n[3], cap[3];
    size_t joined[3];           /* runs after the last join: memory stays at the distinct
                                   values, not at the sum of the partials' runs */
    unsigned seen;
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

static enum crm_err rfm_section(struct merger *m, struct crm_partial *p, const char *name,
                                uint64_t rows, const char *path, struct crm_errinfo *e)
{
    (void)path;
    struct rfm_merge *x = m->ctx;
    int d = strcmp(name, "r") == 0 ? 0 : strcmp(name, "f") == 0 ? 1 : strcmp(name, "m") == 0
                                                                   ? 2 : -1;
    if (d < 0)
        return unknown_section(p, name, m->kind, e);
    enum crm_err rc = once(p, &x->seen, 1u << d, name, e);
    if (rc != CRM_OK)
        return rc;
    if (grow((void **)&x->run[d], &x->cap[d], x->n[d] + rows, sizeof *x->run[d]) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %" PRIu64 " runs", rows);
    for (uint64_t i = 0; i < rows; i++) {
        char *f[2];
        struct crm_rfm_run r;
        if ((rc = crm_partial_row(p, f, 2, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[0], "value", &r.value, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[1], "count", &r.count, e)) != CRM_OK)
            return rc;
        if (r.count == 0)
            return crm_partial_fail(p, e, CRM_EDATA, "count 0");
        if (i > 0 && r.value <= x->run[d][x->n[d] - 1].value)
            return crm_partial_fail(p, e, CRM_EDATA, "values not strictly ascending");
        x->run[d][x->n[d]++] = r;
    }
    if (x->n[d] >= 2 * x->joined[d] + 65536)
        x->joined[d] = join_runs(x->run[d], &x->n[d]);
    return CRM_OK;
}

static enum crm_err rfm_done(struct merger *m, struct crm_partial *p,
                             const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct rfm_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    if (seen != 7u)
        return crm_partial_fail(p, e, CRM_EDATA, "the partial lacks a section r, f or m");
    return CRM_OK;
}

enum crm_err crm_scale_rfm_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run,
                                 struct crm_scale_cuts *out, struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    struct rfm_merge x;
    memset(&x, 0, sizeof x);
    struct merger m;
    merger_init(&m, "rfm-quintiles", "crm-rfm or crm-segment --emit-partial", run, &x);
    m.section = rfm_section;
    m.done = rfm_done;
    enum crm_err rc = merge_all(&m, paths, npaths, e);
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

/* ---- Pareto ---- */

void crm_scale_pareto_options(struct crm_partial_opts *o, enum crm_pareto_by by,
                              int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "by", "%s", by == CRM_PARETO_FREQUENCY ? "frequency"
                                        : by == CRM_PARETO_NET ? "net" : "monetary");
}

enum crm_err crm_scale_pareto_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_pareto *p,
                                   const struct crm_pareto_input *in, const uint32_t *order,
                                   const struct crm_store *s, struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, "pareto", opts, s, &w, e);
    if (rc != CRM_OK)
        return rc;
    size_t nruns;
    const struct crm_pareto_run *runs = crm_pareto_runs(p, &nruns);
    crm_partial_section(w, "runs", nruns);
    for (size_t i = 0; i < nruns; i++) {
        crm_partial_i64(w, runs[i].value);
        crm_partial_u64(w, runs[i].count);
        crm_partial_end_row(w);
    }
    if (in && order) {
        crm_partial_section(w, "customers", in->n);
        for (size_t r = 0; r < in->n && !crm_out_failed(o); r++) {
            size_t len;
            const char *id = crm_store_customer_id(s, in->customer[order[r]], &len);
            crm_partial_i64(w, in->value[order[r]]);
            crm_partial_text(w, id, len);
            crm_partial_end_row(w);
        }
        if (crm_out_failed(o)) {   /* the close reports the write error */
            crm_partial_writer_free(w);
            return CRM_OK;
        }
    }
    return crm_partial_writer_finish(w, e);
}

/* Where a partial's ranked customers are, to read them again for the k-way merge. */
struct where {
    char *path;
    long long offset, line;
    uint64_t rows;
};

struct crm_scale_pareto {
    struct crm_partial_opts options;
    struct crm_pareto *dist;
    size_t partials;
    struct where *where;
    size_t nwhere;
    int all_customers;          /* every partial had its customers section */
};

struct pareto_merge {
    struct crm_pareto_run *run;
    size_t n, cap, joined;
    size_t first;               /* this partial's runs start here */
    unsigned seen;
    struct where *where;
    size_t nwhere, wcap;
    int need;
    int missing;                /* a partial without customers */
};

/* Compare ranked ids as crm_pareto_rank_ids does: bytes, the shorter first on a prefix. */
static int id_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static enum crm_err pareto_customers(struct pareto_merge *x, struct crm_partial *p,
                                     uint64_t rows, const char *path, struct crm_errinfo *e)
{
    long long line, offset = crm_partial_offset(p, &line);
    if (x->need && offset < 0)
        return crm_partial_fail(p, e, CRM_EUSAGE, "ranked customers are merged from files, "
                                "not from a pipe (they are read again, all partials in step)");
    if (x->need) {
        char *copy = strdup(path);
        if (!copy || grow((void **)&x->where, &x->wcap, x->nwhere + 1, sizeof *x->where) != 0) {
            free(copy);
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        }
        x->where[x->nwhere++] = (struct where){copy, offset, line, rows};
    }
    /* the rows must be the runs' values in rank order: check it now, once */
    size_t r = x->first;
    uint64_t left = r < x->n ? x->run[r].count : 0;
    char *prev = NULL;
    size_t prev_len = 0;
    int64_t prev_value = 0;
    enum crm_err rc = CRM_OK;
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
        char *f[2];
        int64_t v;
        if ((rc = crm_partial_row(p, f, 2, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[0], "value", &v, e)) != CRM_OK)
            break;
        while (left == 0 && r + 1 < x->n) {
            r++;
            left = x->run[r].count;
        }
        size_t len = strlen(f[1]);
        if (left == 0 || v != x->run[r].value)
            rc = crm_partial_fail(p, e, CRM_EDATA, "customer value %" PRId64 " does not follow "
                                  "the runs", v);
        else if (prev && v == prev_value && id_cmp(prev, prev_len, f[1], len) >= 0)
            rc = crm_partial_fail(p, e, CRM_EDATA, "customers of equal value not in id order");
        left--;
        char *copy = rc == CRM_OK ? realloc(prev, len + 1) : NULL;
        if (rc == CRM_OK && !copy)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (copy) {
            memcpy(copy, f[1], len + 1);
            prev = copy;
            prev_len = len;
            prev_value = v;
        }
    }
    free(prev);
    if (rc == CRM_OK && (left != 0 || r + 1 < x->n))
        rc = crm_partial_fail(p, e, CRM_EDATA, "fewer customers than the runs count");
    return rc;
}

static enum crm_err pareto_section(struct merger *m, struct crm_partial *p, const char *name,
                                   uint64_t rows, const char *path, struct crm_errinfo *e)
{
    struct pareto_merge *x = m->ctx;
    enum crm_err rc;
    if (strcmp(name, "customers") == 0) {
        if (!(x->seen & 1u))
            return crm_partial_fail(p, e, CRM_EDATA, "section customers before runs");
        if ((rc = once(p, &x->seen, 2u, name, e)) != CRM_OK)
            return rc;
        return pareto_customers(x, p, rows, path, e);
    }
    if (strcmp(name, "runs") != 0)
        return unknown_section(p, name, m->kind, e);
    if ((rc = once(p, &x->seen, 1u, name, e)) != CRM_OK)
        return rc;
    if (grow((void **)&x->run, &x->cap, x->n + rows, sizeof *x->run) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %" PRIu64 " runs", rows);
    x->first = x->n;
    for (uint64_t i = 0; i < rows; i++) {
        char *f[2];
        struct crm_pareto_run r;
        if ((rc = crm_partial_row(p, f, 2, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[0], "value", &r.value, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[1], "count", &r.count, e)) != CRM_OK)
            return rc;
        if (r.count == 0 || r.value < 0)
            return crm_partial_fail(p, e, CRM_EDATA, "a run needs a value >= 0 and a count "
                                    ">= 1");
        if (i > 0 && r.value >= x->run[x->n - 1].value)
            return crm_partial_fail(p, e, CRM_EDATA, "values not strictly descending");
        x->run[x->n++] = r;
    }
    return CRM_OK;
}

static int cmp_run_desc(const void *pa, const void *pb)
{
    const struct crm_pareto_run *a = pa, *b = pb;
    return (a->value < b->value) - (a->value > b->value);
}

/* Sort the runs descending and join equal values. */
static size_t join_desc(struct crm_pareto_run *run, size_t *n)
{
    qsort(run, *n, sizeof *run, cmp_run_desc);
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

static enum crm_err pareto_done(struct merger *m, struct crm_partial *p,
                                const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct pareto_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    /* the customers section was checked against this partial's runs: they may join now */
    if (x->n >= 2 * x->joined + 65536)
        x->joined = join_desc(x->run, &x->n);
    if (!(seen & 1u))
        return crm_partial_fail(p, e, CRM_EDATA, "the partial has no section runs");
    if (!(seen & 2u)) {
        x->missing = 1;
        if (x->need)
            return crm_partial_fail(p, e, CRM_EUSAGE, "the partial has no ranked customers: "
                                    "for per-customer rows emit it without --summary or "
                                    "--curve");
    }
    return CRM_OK;
}

void crm_scale_pareto_free(struct crm_scale_pareto *m)
{
    if (!m)
        return;
    crm_pareto_free(m->dist);
    for (size_t i = 0; i < m->nwhere; i++)
        free(m->where[i].path);
    free(m->where);
    free(m);
}

enum crm_err crm_scale_pareto_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run, int need_customers,
                                    struct crm_scale_pareto **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct pareto_merge x;
    memset(&x, 0, sizeof x);
    x.need = need_customers;
    struct merger m;
    merger_init(&m, "pareto", "crm-pareto --emit-partial", run, &x);
    m.section = pareto_section;
    m.done = pareto_done;
    struct crm_scale_pareto *sp = calloc(1, sizeof *sp);
    enum crm_err rc = sp ? merge_all(&m, paths, npaths, e)
                         : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK) {
        join_desc(x.run, &x.n);
        rc = crm_pareto_new_runs(x.run, x.n, &sp->dist, e);
    }
    free(x.run);
    if (sp) {
        sp->where = x.where;
        sp->nwhere = x.nwhere;
    } else {
        for (size_t i = 0; i < x.nwhere; i++)
            free(x.where[i].path);
        free(x.where);
    }
    if (rc != CRM_OK) {
        crm_scale_pareto_free(sp);
        return rc;
    }
    sp->options = m.ref;
    sp->partials = m.partials;
    sp->all_customers = !x.missing;
    *out = sp;
    return CRM_OK;
}

const struct crm_pareto *crm_scale_pareto_distribution(const struct crm_scale_pareto *m)
{
    return m->dist;
}

const struct crm_partial_opts *crm_scale_pareto_options_of(const struct crm_scale_pareto *m)
{
    return &m->options;
}

size_t crm_scale_pareto_partials(const struct crm_scale_pareto *m)
{
    return m->partials;
}

/* One stream of ranked customers in the k-way merge. */
struct stream {
    struct crm_partial *p;
    uint64_t left;
    int64_t value;
    const char *id;           /* in p's line buffer: valid until p advances */
    size_t len;
};

static enum crm_err advance(struct stream *s, struct crm_errinfo *e)
{
    if (s->left == 0) {
        s->id = NULL;
        return CRM_OK;
    }
    char *f[2];
    enum crm_err rc = crm_partial_row(s->p, f, 2, e);
    if (rc == CRM_OK)
        rc = crm_partial_parse_i64(s->p, f[0], "value", &s->value, e);
    s->left--;
    s->id = f[1];
    s->len = strlen(f[1]);
    return rc;
}

/* a ranks before b: value descending, then id ascending */
static int before(const struct stream *a, const struct stream *b)
{
    if (a->value != b->value)
        return a->value > b->value;
    return id_cmp(a->id, a->len, b->id, b->len) < 0;
}

static void sift_down(struct stream **heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < n && before(heap[l], heap[best]))
            best = l;
        if (r < n && before(heap[r], heap[best]))
            best = r;
        if (best == i)
            return;
        struct stream *t = heap[i];
        heap[i] = heap[best];
        heap[best] = t;
        i = best;
    }
}

enum crm_err crm_scale_pareto_each(struct crm_scale_pareto *m,
                                   int (*fn)(void *ctx, const char *id, size_t len,
                                             int64_t value),
                                   void *ctx, struct crm_errinfo *e)
{
    if (!m->all_customers)
        return crm_errinfo_set(e, CRM_EUSAGE, "a partial has no ranked customers: for "
                               "per-customer rows emit it without --summary or --curve");
    size_t n = m->nwhere, live = 0;
    struct stream *st = calloc(n ? n : 1, sizeof *st);
    struct stream **heap = calloc(n ? n : 1, sizeof *heap);
    enum crm_err rc = st && heap ? CRM_OK : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == CRM_OK; i++) {
        const struct where *w = &m->where[i];
        rc = crm_partial_open_rows(w->path, w->offset, w->line, w->rows, &st[i].p, e);
        st[i].left = w->rows;
        if (rc == CRM_OK && (rc = advance(&st[i], e)) == CRM_OK && st[i].id)
            heap[live++] = &st[i];
    }
    for (size_t i = live / 2; rc == CRM_OK && i-- > 0;)
        sift_down(heap, live, i);
    while (rc == CRM_OK && live > 0) {
        struct stream *top = heap[0];
        if (fn(ctx, top->id, top->len, top->value))
            break;
        if ((rc = advance(top, e)) != CRM_OK)
            break;
        if (!top->id)
            heap[0] = heap[--live];
        sift_down(heap, live, 0);
    }
    for (size_t i = 0; st && i < n; i++)
        crm_partial_close(st[i].p);
    free(st);
    free(heap);
    return rc;
}

/* ---- BG/NBD and Gamma-Gamma ---- */

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

enum crm_err crm_scale_churn_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                  const struct crm_btsum *b, const struct crm_store *s,
                                  struct crm_errinfo *e)
{
    struct crm_churn_summary sum;
    enum crm_err rc = crm_churn_summarize(b, &sum, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_partial_writer *w;
    if ((rc = begin(o, "churn", opts, s, &w, e)) != CRM_OK) {
        crm_churn_summary_free(&sum);
        return rc;
    }
    crm_partial_info(w, "zero-spend", "%" PRIu64, sum.zero_spend);
    crm_partial_section(w, "triples", sum.ntri);
    for (size_t i = 0; i < sum.ntri; i++) {
        crm_partial_u64(w, sum.tri[i].x);
        crm_partial_i64(w, sum.tri[i].t_x);
        crm_partial_i64(w, sum.tri[i].T);
        crm_partial_u64(w, sum.tri[i].count);
        crm_partial_end_row(w);
    }
    crm_partial_section(w, "spend", sum.nspend);
    for (size_t i = 0; i < sum.nspend; i++) {
        crm_partial_u64(w, sum.spend[i].x);
        crm_partial_i64(w, sum.spend[i].money);
        crm_partial_u64(w, sum.spend[i].count);
        crm_partial_end_row(w);
    }
    crm_churn_summary_free(&sum);
    return crm_partial_writer_finish(w, e);
}

struct churn_merge {
    struct crm_churn_summary sum;
    size_t joined;              /* rows after the last join */
    unsigned seen;
};

static enum crm_err churn_section(struct merger *m, struct crm_partial *p, const char *name,
                                  uint64_t rows, const char *path, struct crm_errinfo *e)
{
    (void)path;
    struct churn_merge *x = m->ctx;
    int tri = strcmp(name, "triples") == 0;
    if (!tri && strcmp(name, "spend") != 0)
        return unknown_section(p, name, m->kind, e);
    enum crm_err rc = once(p, &x->seen, tri ? 1u : 2u, name, e);
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
        char *f[4];
        uint64_t xx, count;
        int64_t a, b = 0;
        if ((rc = crm_partial_row(p, f, tri ? 4 : 3, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[0], "x", &xx, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[1], tri ? "t_x" : "money", &a, e)) != CRM_OK ||
            (tri && (rc = crm_partial_parse_i64(p, f[2], "T", &b, e)) != CRM_OK) ||
            (rc = crm_partial_parse_u64(p, f[tri ? 3 : 2], "count", &count, e)) != CRM_OK)
            break;
        if (tri) {
            if (count == 0 || xx > UINT32_MAX || a < 0 || a > b || b > INT32_MAX ||
                (xx == 0 && a != 0))
                return crm_partial_fail(p, e, CRM_EDATA, "a triple needs 0 <= t_x <= T, t_x "
                                        "= 0 when x = 0, and a count >= 1");
            struct crm_churn_triple t = {(uint32_t)xx, (int32_t)a, (int32_t)b, count};
            rc = crm_churn_summary_add_triple(&x->sum, &t, e);
        } else {
            if (count == 0 || xx == 0 || xx > UINT32_MAX || a <= 0)
                return crm_partial_fail(p, e, CRM_EDATA, "a spend row needs x >= 1, money > 0 "
                                        "and a count >= 1");
            struct crm_churn_spend s = {(uint32_t)xx, a, count};
            rc = crm_churn_summary_add_spend(&x->sum, &s, e);
        }
    }
    return rc;
}

static enum crm_err churn_done(struct merger *m, struct crm_partial *p,
                               const struct crm_partial_head *h, struct crm_errinfo *e)
{
    struct churn_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    if (seen != 3u)
        return crm_partial_fail(p, e, CRM_EDATA, "the partial lacks section triples or spend");
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

enum crm_err crm_scale_churn_merge(const char *const *paths, size_t npaths,
                                   const struct crm_partial_opts *run,
                                   enum crm_btyd_model model, double days_per_unit,
                                   double penalty, struct crm_churn **out,
                                   struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct churn_merge x;
    memset(&x, 0, sizeof x);
    struct merger m;
    merger_init(&m, "churn", "crm-churn --emit-partial", run, &x);
    m.section = churn_section;
    m.done = churn_done;
    enum crm_err rc = merge_all(&m, paths, npaths, e);
    const char *scale = crm_partial_opts_get(&m.ref, "money-scale");
    if (rc == CRM_OK)
        rc = crm_churn_fit(&x.sum, model, days_per_unit, penalty, scale ? atoi(scale) : 2, out,
                           e);
    crm_churn_summary_free(&x.sum);
    if (rc == CRM_OK && options)
        *options = m.ref;
    return rc;
}

/* ---- crm-segment --summary ---- */

/* A decimal as the shortest text of its value: 300, 299.99, 0.05. */
static void dec_text(struct crm_decimal d, char *buf, size_t size)
{
    int64_t u = d.units;
    int sc = d.scale;
    while (sc > 0 && u % 10 == 0) {
        u /= 10;
        sc--;
    }
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%0*" PRIu64, sc + 1,
                     u < 0 ? (uint64_t)0 - (uint64_t)u : (uint64_t)u);
    if (sc == 0)
        snprintf(buf, size, "%s%s", u < 0 ? "-" : "", digits);
    else
        snprintf(buf, size, "%s%.*s.%s", u < 0 ? "-" : "", n - sc, digits, digits + n - sc);
}

static uLong crc_text(uLong crc, const char *s)
{
    return crc32(crc, (const Bytef *)s, (uInt)strlen(s) + 1);   /* with its NUL */
}

void crm_scale_segment_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                               const struct crm_segment_opts *so,
                               const struct crm_segment_rules *rules,
                               const struct crm_scale_cuts *cuts, enum crm_segment_by by,
                               int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    crm_scale_rfm_options(o, ro, as_of, window_days, s);
    char m[4][64];
    for (int k = 0; k < 4; k++)
        dec_text(ro->m_bins[k], m[k], sizeof m[k]);
    crm_partial_opts_add(o, "r-bins", "%d,%d,%d,%d", (int)ro->r_bins[0], (int)ro->r_bins[1],
                         (int)ro->r_bins[2], (int)ro->r_bins[3]);
    crm_partial_opts_add(o, "f-bins", "%u,%u,%u,%u", (unsigned)ro->f_bins[0],
                         (unsigned)ro->f_bins[1], (unsigned)ro->f_bins[2],
                         (unsigned)ro->f_bins[3]);
    crm_partial_opts_add(o, "m-bins", "%s,%s,%s,%s", m[0], m[1], m[2], m[3]);
    crm_partial_opts_add(o, "weights", "%d,%d,%d", ro->weights[0], ro->weights[1],
                         ro->weights[2]);
    crm_partial_opts_add(o, "tiers", "%d,%d,%d", ro->tiers[0], ro->tiers[1], ro->tiers[2]);
    crm_partial_opts_add(o, "new-days", "%d", (int)so->new_days);
    crm_partial_opts_add(o, "dormant-days", "%d", (int)so->dormant_days);
    crm_partial_opts_add(o, "vip-orders", "%u", (unsigned)so->vip_orders);
    crm_partial_opts_add(o, "vip-items", "%u", (unsigned)so->vip_items);
    dec_text(so->vip_money, m[0], sizeof m[0]);
    crm_partial_opts_add(o, "vip-money", "%s", m[0]);
    /* rules and cut points are long: their CRC-32 stands for them */
    struct crm_segment_rules *own = NULL;
    if (!rules && crm_segment_rules_default(&own, NULL) == CRM_OK)
        rules = own;
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t i = 0; rules && i < rules->n; i++) {
        const struct crm_segment_rule *r = &rules->rule[i];
        char t[64];
        snprintf(t, sizeof t, "%d %d %d %d %d %d", r->lo[0], r->hi[0], r->lo[1], r->hi[1],
                 r->lo[2], r->hi[2]);
        crc = crc_text(crc_text(crc, r->name), t);
    }
    crm_segment_rules_free(own);
    crm_partial_opts_add(o, "rules", "%08lx", (unsigned long)crc);
    if (cuts) {
        crc = crc32(0L, Z_NULL, 0);
        for (int d = 0; d < 3; d++) {
            for (int k = 0; k < 4; k++) {
                char t[32];
                if (cuts->cut[d].has[k])
                    snprintf(t, sizeof t, "%" PRId64, cuts->cut[d].cut[k]);
                else
                    snprintf(t, sizeof t, "-");
                crc = crc_text(crc, t);
            }
        }
        crm_partial_opts_add(o, "cuts", "%08lx", (unsigned long)crc);
    } else {
        crm_partial_opts_add(o, "cuts", "own");
    }
    crm_partial_opts_add(o, "by", "%s", by == CRM_SEGMENT_BY_CLASS ? "class"
                                        : by == CRM_SEGMENT_BY_VIP ? "vip" : "segment");
}

enum crm_err crm_scale_segment_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                    const struct crm_segment_summary *sum,
                                    const struct crm_store *s, struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, "segment-summary", opts, s, &w, e);
    if (rc != CRM_OK)
        return rc;
    crm_partial_section(w, "groups", sum->n);
    for (size_t k = 0; k < sum->n; k++) {
        const struct crm_segment_group *g = &sum->group[k];
        crm_partial_text(w, g->name, strlen(g->name));
        crm_partial_u64(w, g->customers);
        crm_partial_u64(w, g->orders);
        crm_partial_i64(w, g->revenue);
        crm_partial_end_row(w);
    }
    return crm_partial_writer_finish(w, e);
}

struct segment_merge {
    struct crm_segment_group *group;
    char **name;
    size_t n;
    int have;                   /* the first partial's groups are set */
    unsigned seen;
};

static enum crm_err segment_section(struct merger *m, struct crm_partial *p, const char *name,
                                    uint64_t rows, const char *path, struct crm_errinfo *e)
{
    (void)path;
    struct segment_merge *x = m->ctx;
    if (strcmp(name, "groups") != 0)
        return unknown_section(p, name, m->kind, e);
    enum crm_err rc = once(p, &x->seen, 1u, name, e);
    if (rc != CRM_OK)
        return rc;
    if (x->have && rows != x->n)
        return crm_partial_fail(p, e, CRM_EDATA, "%" PRIu64 " groups, but the first partial "
                                "has %zu", rows, x->n);
    if (!x->have) {
        if (rows > 4096)
            return crm_partial_fail(p, e, CRM_EDATA, "too many groups");
        x->group = calloc(rows ? rows : 1, sizeof *x->group);
        x->name = calloc(rows ? rows : 1, sizeof *x->name);
        if (!x->group || !x->name)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        x->n = (size_t)rows;
        x->have = 1;
    }
    for (size_t k = 0; k < x->n; k++) {
        char *f[4];
        uint64_t customers, orders;
        int64_t revenue;
        if ((rc = crm_partial_row(p, f, 4, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[1], "customers", &customers, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[2], "orders", &orders, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[3], "revenue", &revenue, e)) != CRM_OK)
            return rc;
        if (!x->name[k] && !(x->name[k] = strdup(f[0])))
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        if (strcmp(x->name[k], f[0]) != 0)
            return crm_partial_fail(p, e, CRM_EDATA, "group \"%s\", but the first partial "
                                    "has \"%s\" here", f[0], x->name[k]);
        struct crm_segment_group *g = &x->group[k];
        if (__builtin_add_overflow(g->revenue, revenue, &g->revenue))
            return crm_partial_fail(p, e, CRM_EDATA, "revenue overflows");
        g->customers += customers;
        g->orders += orders;
    }
    return CRM_OK;
}

static enum crm_err segment_done(struct merger *m, struct crm_partial *p,
                                 const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct segment_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    return seen ? CRM_OK : crm_partial_fail(p, e, CRM_EDATA, "the partial has no groups");
}

void crm_scale_summary_free(struct crm_segment_summary *sum)
{
    if (!sum)
        return;
    for (size_t k = 0; k < sum->n; k++)
        free((char *)sum->group[k].name);
    crm_segment_summary_free(sum);
}

enum crm_err crm_scale_segment_merge(const char *const *paths, size_t npaths,
                                     const struct crm_partial_opts *run,
                                     struct crm_segment_summary **out,
                                     struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct segment_merge x;
    memset(&x, 0, sizeof x);
    struct merger m;
    merger_init(&m, "segment-summary", "crm-segment --summary --emit-partial", run, &x);
    m.section = segment_section;
    m.done = segment_done;
    enum crm_err rc = merge_all(&m, paths, npaths, e);
    struct crm_segment_summary *sum = rc == CRM_OK ? calloc(1, sizeof *sum) : NULL;
    if (rc == CRM_OK && !sum)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc != CRM_OK) {
        for (size_t k = 0; k < x.n; k++)
            free(x.name[k]);
        free(x.name);
        free(x.group);
        return rc;
    }
    for (size_t k = 0; k < x.n; k++)
        x.group[k].name = x.name[k];   /* owned by the summary now */
    free(x.name);
    sum->n = x.n;
    sum->group = x.group;
    crm_segment_summary_finish(sum);
    if (options)
        *options = m.ref;
    *out = sum;
    return CRM_OK;
}

/* ---- crm-segment --kpi ---- */

void crm_scale_kpi_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                           int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "period", "%s", period == CRM_KPI_WEEK ? "week"
                                            : period == CRM_KPI_QUARTER ? "quarter" : "month");
}

enum crm_err crm_scale_kpi_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_kpi *k, const struct crm_store *s,
                                struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, "segment-kpi", opts, s, &w, e);
    if (rc != CRM_OK)
        return rc;
    size_t n = crm_kpi_periods(k);
    crm_partial_section(w, "periods", n);
    for (size_t i = 0; i < n; i++) {
        struct crm_kpi_counts c;
        crm_kpi_counts_at(k, i, &c);
        crm_partial_i64(w, c.period);
        crm_partial_u64(w, c.orders);
        crm_partial_u64(w, c.paying);
        crm_partial_u64(w, c.new_customers);
        crm_partial_u64(w, c.refunds);
        crm_partial_i64(w, c.revenue);
        crm_partial_end_row(w);
    }
    return crm_partial_writer_finish(w, e);
}

struct kpi_merge {
    struct crm_kpi *k;
    unsigned seen;
};

static enum crm_err kpi_section(struct merger *m, struct crm_partial *p, const char *name,
                                uint64_t rows, const char *path, struct crm_errinfo *e)
{
    (void)path;
    struct kpi_merge *x = m->ctx;
    if (strcmp(name, "periods") != 0)
        return unknown_section(p, name, m->kind, e);
    enum crm_err rc = once(p, &x->seen, 1u, name, e);
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
        char *f[6];
        int64_t period;
        struct crm_kpi_counts c;
        if ((rc = crm_partial_row(p, f, 6, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[0], "period", &period, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[1], "orders", &c.orders, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[2], "paying", &c.paying, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[3], "new", &c.new_customers, e)) != CRM_OK ||
            (rc = crm_partial_parse_u64(p, f[4], "refunds", &c.refunds, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[5], "revenue", &c.revenue, e)) != CRM_OK)
            break;
        if (period < INT32_MIN || period > INT32_MAX)
            return crm_partial_fail(p, e, CRM_EDATA, "period out of range");
        c.period = (int32_t)period;
        if ((rc = crm_kpi_add_counts(x->k, &c, e)) != CRM_OK)
            return crm_partial_fail(p, e, rc, "%s", e->msg);
    }
    return rc;
}

static enum crm_err kpi_done(struct merger *m, struct crm_partial *p,
                             const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct kpi_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    return seen ? CRM_OK : crm_partial_fail(p, e, CRM_EDATA, "the partial has no periods");
}

/* The first partial's as-of date, once its header is read: the figures' range needs it. */
struct kpi_lazy {
    struct kpi_merge x;
    enum crm_kpi_period period;
    int32_t window;
};

static enum crm_err kpi_section_lazy(struct merger *m, struct crm_partial *p, const char *name,
                                     uint64_t rows, const char *path, struct crm_errinfo *e)
{
    struct kpi_lazy *l = m->ctx;
    if (!l->x.k) {
        int32_t as_of;
        enum crm_err rc = crm_scale_as_of(&m->ref, crm_partial_name(p), &as_of, e);
        if (rc == CRM_OK)
            rc = crm_kpi_new(l->period, l->window ? as_of - l->window : CRM_NO_DAY, as_of,
                             &l->x.k, e);
        if (rc != CRM_OK)
            return rc;
    }
    m->ctx = &l->x;
    enum crm_err rc = kpi_section(m, p, name, rows, path, e);
    m->ctx = l;
    return rc;
}

static enum crm_err kpi_done_lazy(struct merger *m, struct crm_partial *p,
                                  const struct crm_partial_head *h, struct crm_errinfo *e)
{
    struct kpi_lazy *l = m->ctx;
    m->ctx = &l->x;
    enum crm_err rc = kpi_done(m, p, h, e);
    m->ctx = l;
    return rc;
}

enum crm_err crm_scale_kpi_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run, enum crm_kpi_period period,
                                 int32_t window_days, struct crm_kpi **out,
                                 struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct kpi_lazy l;
    memset(&l, 0, sizeof l);
    l.period = period;
    l.window = window_days;
    struct merger m;
    merger_init(&m, "segment-kpi", "crm-segment --kpi --emit-partial", run, &l);
    m.section = kpi_section_lazy;
    m.done = kpi_done_lazy;
    enum crm_err rc = merge_all(&m, paths, npaths, e);
    if (rc != CRM_OK) {
        crm_kpi_free(l.x.k);
        return rc;
    }
    if (options)
        *options = m.ref;
    *out = l.x.k;
    return CRM_OK;
}

/* ---- crm-cohort ---- */

void crm_scale_cohort_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                              int32_t as_of, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_partial_opts_add(o, "period", "%s", period == CRM_KPI_WEEK ? "week"
                                            : period == CRM_KPI_QUARTER ? "quarter" : "month");
}

enum crm_err crm_scale_cohort_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_cohort *co, const struct crm_store *s,
                                   struct crm_errinfo *e)
{
    struct crm_partial_writer *w;
    enum crm_err rc = begin(o, "cohort", opts, s, &w, e);
    if (rc != CRM_OK)
        return rc;
    crm_partial_section(w, "cells", crm_cohort_cells(co));
    size_t pos = 0;
    struct crm_cohort_cell c;
    while (crm_cohort_cell_next(co, &pos, &c)) {
        crm_partial_i64(w, c.cohort);
        crm_partial_i64(w, c.k);
        crm_partial_u64(w, c.active);
        crm_partial_u64(w, c.orders);
        crm_partial_i64(w, c.revenue);
        crm_partial_end_row(w);
    }
    return crm_partial_writer_finish(w, e);
}

struct cohort_merge {
    struct crm_cohort *co;
    enum crm_kpi_period period;
    unsigned seen;
};

static enum crm_err cohort_cell(struct crm_partial *p, struct crm_cohort *co,
                                struct crm_errinfo *e)
{
    char *f[5];
    int64_t cohort, k;
    struct crm_cohort_cell c;
    enum crm_err rc;
    if ((rc = crm_partial_row(p, f, 5, e)) != CRM_OK ||
        (rc = crm_partial_parse_i64(p, f[0], "cohort", &cohort, e)) != CRM_OK ||
        (rc = crm_partial_parse_i64(p, f[1], "period index", &k, e)) != CRM_OK ||
        (rc = crm_partial_parse_u64(p, f[2], "active", &c.active, e)) != CRM_OK ||
        (rc = crm_partial_parse_u64(p, f[3], "orders", &c.orders, e)) != CRM_OK ||
        (rc = crm_partial_parse_i64(p, f[4], "revenue", &c.revenue, e)) != CRM_OK)
        return rc;
    if (cohort < INT32_MIN || cohort > INT32_MAX || k < -1 || k > INT32_MAX)
        return crm_partial_fail(p, e, CRM_EDATA, "cohort or period index out of range");
    c.cohort = (int32_t)cohort;
    c.k = (int32_t)k;
    if ((rc = crm_cohort_add(co, &c, e)) != CRM_OK)
        return crm_partial_fail(p, e, rc, "%s", e->msg);
    return CRM_OK;
}

static enum crm_err cohort_section(struct merger *m, struct crm_partial *p, const char *name,
                                   uint64_t rows, const char *path, struct crm_errinfo *e)
{
    (void)path;
    struct cohort_merge *x = m->ctx;
    if (strcmp(name, "cells") != 0)
        return unknown_section(p, name, m->kind, e);
    enum crm_err rc = once(p, &x->seen, 1u, name, e);
    if (rc == CRM_OK && !x->co) {   /* the first partial's as-of date sets the range */
        int32_t as_of;
        rc = crm_scale_as_of(&m->ref, crm_partial_name(p), &as_of, e);
        if (rc == CRM_OK)
            rc = crm_cohort_new(x->period, as_of, &x->co, e);
    }
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++)
        rc = cohort_cell(p, x->co, e);
    return rc;
}

static enum crm_err cohort_done(struct merger *m, struct crm_partial *p,
                                const struct crm_partial_head *h, struct crm_errinfo *e)
{
    (void)h;
    struct cohort_merge *x = m->ctx;
    unsigned seen = x->seen;
    x->seen = 0;
    return seen ? CRM_OK : crm_partial_fail(p, e, CRM_EDATA, "the partial has no cells");
}

enum crm_err crm_scale_cohort_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run,
                                    enum crm_kpi_period period, struct crm_cohort **out,
                                    struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct cohort_merge x = {NULL, period, 0};
    struct merger m;
    merger_init(&m, "cohort", "crm-cohort --emit-partial", run, &x);
    m.section = cohort_section;
    m.done = cohort_done;
    enum crm_err rc = merge_all(&m, paths, npaths, e);
    if (rc != CRM_OK) {
        crm_cohort_free(x.co);
        return rc;
    }
    if (options)
        *options = m.ref;
    *out = x.co;
    return CRM_OK;
}
