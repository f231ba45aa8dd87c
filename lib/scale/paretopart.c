/* paretopart: crm-pareto's "pareto" partials (descending value runs and, for per-customer
 * rows, the ranked customers) and their merge: the distribution of the whole, and every
 * customer of the whole in rank order by a k-way merge of the partials' ranked customers,
 * read again from their files (scale.h). Invariant: a partial's customers are checked once,
 * on the first read, to follow its runs in rank order, so the k-way merge ranks exactly as
 * crm_pareto_rank_input does on the single store. */
#include "scale/scale.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scale/scaleio.h"

void crm_scale_pareto_options(struct crm_partial_opts *o, enum crm_pareto_by by,
                              int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    o->n = 0;
    crm_scale_base_options(o, as_of, s);
    crm_scale_window_option(o, window_days);
    crm_partial_opts_add(o, "by", "%s", by == CRM_PARETO_FREQUENCY ? "frequency"
                                        : by == CRM_PARETO_NET ? "net" : "monetary");
}

/* ---- emit ---- */

struct pareto_src {
    const struct crm_pareto_run *runs;
    size_t nruns;
    const struct crm_pareto_input *in;
    const uint32_t *order;
    const struct crm_store *s;
};

static int pareto_rows(const void *src, size_t k, uint64_t *n)
{
    const struct pareto_src *x = src;
    *n = k == 0 ? x->nruns : x->in ? x->in->n : 0;
    return k == 0 || (x->in && x->order);
}

static void pareto_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    const struct pareto_src *x = src;
    if (k == 0) {
        c[0].i = x->runs[i].value;
        c[1].u = x->runs[i].count;
        return;
    }
    c[0].i = x->in->value[x->order[i]];
    c[1].text = crm_store_customer_id(x->s, x->in->customer[x->order[i]], &c[1].len);
}

/* ---- merge ---- */

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
    struct crm_scaleio_run *run;   /* each partial's descending; joined: ascending */
    size_t n, cap, joined;
    size_t first;               /* this partial's runs start here */
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

static enum crm_err runs_start(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                               uint64_t rows, struct crm_errinfo *e)
{
    (void)p, (void)k;
    struct pareto_merge *x = m->ctx;
    if (crm_scaleio_grow((void **)&x->run, &x->cap, x->n + rows, sizeof *x->run) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %" PRIu64 " runs", rows);
    x->first = x->n;
    return CRM_OK;
}

static enum crm_err runs_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                              uint64_t i, const struct crm_scaleio_cell *c,
                              struct crm_errinfo *e)
{
    (void)k;
    struct pareto_merge *x = m->ctx;
    if (c[1].u == 0 || c[0].i < 0)
        return crm_partial_fail(p, e, CRM_EDATA, "a run needs a value >= 0 and a count >= 1");
    if (i > 0 && c[0].i >= x->run[x->n - 1].value)
        return crm_partial_fail(p, e, CRM_EDATA, "values not strictly descending");
    x->run[x->n++] = (struct crm_scaleio_run){c[0].i, c[1].u};
    return CRM_OK;
}

static enum crm_err customers_start(struct crm_scaleio_merge *m, struct crm_partial *p,
                                    size_t k, uint64_t rows, struct crm_errinfo *e)
{
    (void)k, (void)rows;
    return m->seen & 1u ? CRM_OK : crm_partial_fail(p, e, CRM_EDATA, "section customers "
                                                    "before runs");
}

/* Keep where the customers are (when they are needed). */
static enum crm_err keep_where(struct pareto_merge *x, struct crm_partial *p, uint64_t rows,
                               const char *path, struct crm_errinfo *e)
{
    long long line, offset = crm_partial_offset(p, &line);
    if (!x->need)
        return CRM_OK;
    if (offset < 0)
        return crm_partial_fail(p, e, CRM_EUSAGE, "ranked customers are merged from files, "
                                "not from a pipe (they are read again, all partials in step)");
    char *copy = strdup(path);
    if (!copy || crm_scaleio_grow((void **)&x->where, &x->wcap, x->nwhere + 1,
                                  sizeof *x->where) != 0) {
        free(copy);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    x->where[x->nwhere++] = (struct where){copy, offset, line, rows};
    return CRM_OK;
}

/* The customers must be the runs' values in rank order: checked now, once. (One piece: the
 * walk over the runs and the previous id are the state of a single pass.) */
static enum crm_err customers_read(struct crm_scaleio_merge *m, struct crm_partial *p,
                                   uint64_t rows, struct crm_errinfo *e)
{
    struct pareto_merge *x = m->ctx;
    enum crm_err rc = keep_where(x, p, rows, m->path, e);
    size_t r = x->first;
    uint64_t left = r < x->n ? x->run[r].count : 0;
    char *prev = NULL;
    size_t prev_len = 0;
    int64_t prev_value = 0;
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++) {
        char *f[2];
        int64_t v;
        if ((rc = crm_partial_row(p, f, 2, e)) != CRM_OK ||
            (rc = crm_partial_parse_i64(p, f[0], "value", &v, e)) != CRM_OK)
            break;
        while (left == 0 && r + 1 < x->n)
            left = x->run[++r].count;
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

static enum crm_err pareto_done(struct crm_scaleio_merge *m, struct crm_partial *p,
                                const struct crm_partial_head *h, unsigned seen,
                                struct crm_errinfo *e)
{
    (void)h;
    struct pareto_merge *x = m->ctx;
    /* the customers section was checked against this partial's runs: they may join now */
    if (x->n >= 2 * x->joined + 65536)
        x->joined = crm_scaleio_join(x->run, &x->n);
    if (!(seen & 2u)) {
        x->missing = 1;
        if (x->need)
            return crm_partial_fail(p, e, CRM_EUSAGE, "the partial has no ranked customers: "
                                    "for per-customer rows emit it without --summary or "
                                    "--curve");
    }
    return CRM_OK;
}

static const struct crm_scaleio_section SECTIONS[] = {
    {"runs", {{"value", CRM_SCALEIO_I64}, {"count", CRM_SCALEIO_U64}}, 2,
     pareto_rows, pareto_row, runs_start, runs_take, NULL, NULL},
    {"customers", {{"value", CRM_SCALEIO_I64}, {"id", CRM_SCALEIO_TEXT}}, 2,
     pareto_rows, pareto_row, customers_start, NULL, NULL, customers_read},
};

static const struct crm_scaleio_report REPORT = {
    "pareto", "crm-pareto --emit-partial", SECTIONS, 2, 1u, "the partial has no section runs",
    NULL, pareto_done,
};

enum crm_err crm_scale_pareto_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_pareto *p,
                                   const struct crm_pareto_input *in, const uint32_t *order,
                                   const struct crm_store *s, struct crm_errinfo *e)
{
    struct pareto_src src = {NULL, 0, in, order, s};
    src.runs = crm_pareto_runs(p, &src.nruns);
    return crm_scaleio_emit(o, &REPORT, opts, s, &src, e);
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

/* The distribution of the merged runs: joined, then descending (*run freed as soon as it is
 * copied, so that the peak stays at two copies of the runs). */
static enum crm_err distribution(struct crm_scaleio_run **run, size_t *n,
                                 struct crm_pareto **out, struct crm_errinfo *e)
{
    size_t k = crm_scaleio_join(*run, n);
    struct crm_pareto_run *r = malloc((k ? k : 1) * sizeof *r);
    if (!r)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu runs", k);
    for (size_t i = 0; i < k; i++)
        r[i] = (struct crm_pareto_run){(*run)[k - 1 - i].value, (*run)[k - 1 - i].count};
    free(*run);
    *run = NULL;
    enum crm_err rc = crm_pareto_new_runs(r, k, out, e);
    free(r);
    return rc;
}

enum crm_err crm_scale_pareto_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run, int need_customers,
                                    struct crm_scale_pareto **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct pareto_merge x;
    memset(&x, 0, sizeof x);
    x.need = need_customers;
    struct crm_scaleio_merge m;
    struct crm_scale_pareto *sp = calloc(1, sizeof *sp);
    enum crm_err rc = sp ? crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e)
                         : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK)
        rc = distribution(&x.run, &x.n, &sp->dist, e);
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
