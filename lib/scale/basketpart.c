/* basketpart: the partial files of crm-basket's two scale-out rounds (basketpart.h; format
 * of a partial: partial.h, docs/SCALE.md). Invariant: a merge reads every partial whole
 * (its CRC checked) and refuses partials whose options differ, or, in round 2, whose
 * frequent products differ, so no count is ever added to a count of something else. */
#include "scale/basketpart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "scale/partial.h"

#define ALL_HISTORY INT32_MAX

static void put_options(struct crm_partial_opts *po, const struct crm_basket_opts *bo,
                        int round)
{
    memset(po, 0, sizeof *po);
    if (bo->as_of >= ALL_HISTORY / 86400 - 1)
        crm_partial_opts_add(po, "as-of", "all");
    else
        crm_partial_opts_add(po, "as-of", "%d", (int)bo->as_of);
    if (round >= 2) {
        crm_partial_opts_add(po, "min-support", "%.17g", bo->min_support);
        crm_partial_opts_add(po, "max-size", "%d", bo->max_size);
    }
}

static void put_pairs(struct crm_partial_writer *w, const struct crm_basket *b, uint32_t n,
                      uint64_t least);

static void put_product(struct crm_partial_writer *w, const struct crm_product *p,
                        uint64_t count)
{
    crm_partial_text(w, p->id, p->id_len);
    crm_partial_text(w, p->name, p->name_len);
    crm_partial_text(w, p->category, p->category_len);
    crm_partial_u64(w, count);
    crm_partial_end_row(w);
}

enum crm_err crm_scale_basket_emit_products(struct crm_out *o, const struct crm_basket_opts *bo,
                                            const struct crm_basket *b, struct crm_errinfo *e)
{
    struct crm_partial_opts po;
    put_options(&po, bo, 1);
    struct crm_partial_writer *w;
    enum crm_err rc = crm_partial_writer_new(o, "basket-products", &po, &w, e);
    if (rc != CRM_OK)
        return rc;
    uint32_t n = crm_basket_products(b), used = 0;
    for (uint32_t i = 0; i < n; i++)
        used += crm_basket_product_orders(b, i) > 0;
    crm_partial_section(w, "baskets", 1);
    crm_partial_u64(w, crm_basket_baskets(b));
    crm_partial_end_row(w);
    crm_partial_section(w, "products", used);
    for (uint32_t i = 0; i < n; i++)
        if (crm_basket_product_orders(b, i) > 0)
            put_product(w, crm_basket_product(b, i), crm_basket_product_orders(b, i));
    return crm_partial_writer_finish(w, e);
}

/* ---- reading product rows ---- */

struct rows {
    struct crm_buf text;        /* id, name, category of each row, NUL-ended */
    size_t *off;                /* per row: offset of its id */
    size_t *len;                /* per row: 3 lengths */
    uint64_t *count;
    size_t n, cap;
};

static void rows_free(struct rows *r)
{
    crm_buf_free(&r->text);
    free(r->off);
    free(r->len);
    free(r->count);
}

static enum crm_err rows_add(struct rows *r, char **f, uint64_t count, struct crm_errinfo *e)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        size_t *off = realloc(r->off, cap * sizeof *off);
        if (off)
            r->off = off;
        size_t *len = realloc(r->len, cap * 3 * sizeof *len);
        if (len)
            r->len = len;
        uint64_t *c = realloc(r->count, cap * sizeof *c);
        if (c)
            r->count = c;
        if (!off || !len || !c)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        r->cap = cap;
    }
    r->off[r->n] = r->text.len;
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(f[k]);
        r->len[3 * r->n + (size_t)k] = l;
        crm_buf_put(&r->text, f[k], l + 1);
    }
    r->count[r->n++] = count;
    return r->text.oom ? crm_errinfo_set(e, CRM_ENOMEM, "out of memory") : CRM_OK;
}

static struct crm_product row_product(const struct rows *r, size_t i)
{
    const char *id = (const char *)r->text.data + r->off[i];
    const size_t *l = &r->len[3 * i];
    return (struct crm_product){id, id + l[0] + 1, id + l[0] + l[1] + 2, l[0], l[1], l[2]};
}

/* The rows of a section of products (id name category count). */
static enum crm_err read_products(struct crm_partial *p, uint64_t nrows, struct rows *r,
                                  struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (uint64_t i = 0; i < nrows && rc == CRM_OK; i++) {
        char *f[4];
        uint64_t count;
        rc = crm_partial_row(p, f, 4, e);
        if (rc == CRM_OK)
            rc = crm_partial_parse_u64(p, f[3], "product count", &count, e);
        if (rc == CRM_OK && f[0][0] == '\0')
            rc = crm_errinfo_set(e, CRM_EDATA, "%s: empty product id", crm_partial_name(p));
        if (rc == CRM_OK)
            rc = rows_add(r, f, count, e);
    }
    return rc;
}

static enum crm_err read_u64s(struct crm_partial *p, uint64_t *v, size_t n, const char *what,
                              struct crm_errinfo *e)
{
    char *f[4];
    enum crm_err rc = crm_partial_row(p, f, n, e);
    for (size_t i = 0; i < n && rc == CRM_OK; i++)
        rc = crm_partial_parse_u64(p, f[i], what, &v[i], e);
    return rc;
}

static enum crm_err wrong(struct crm_partial *p, const char *what, struct crm_errinfo *e)
{
    crm_errinfo_where(e, crm_partial_name(p), -1, -1, -1);
    return crm_errinfo_set(e, CRM_EUSAGE, "%s", what);
}

/* Every partial of every file: kind must be `kind`, options equal the first's; sections
 * handed to fn. */
typedef enum crm_err section_fn(void *ctx, struct crm_partial *p, const char *name,
                                uint64_t rows, struct crm_errinfo *e);

struct each {
    char *kind;                 /* "": the first partial's */
    struct crm_partial_opts *first;
    size_t *count;
    section_fn *fn;
    void *ctx;
};

static enum crm_err each_head(void *ctx, struct crm_partial *p,
                              const struct crm_partial_head *h, struct crm_errinfo *e)
{
    struct each *x = ctx;
    if (!x->kind[0])
        snprintf(x->kind, CRM_PARTIAL_KEY, "%s", h->kind);
    if (strcmp(h->kind, x->kind) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "a %s partial where %s partials were expected (the two "
                 "rounds of crm-basket are merged apart)", h->kind, x->kind);
        return wrong(p, msg, e);
    }
    if ((*x->count)++ == 0) {
        *x->first = h->options;
        return CRM_OK;
    }
    return crm_partial_opts_check(&h->options, crm_partial_name(p), x->first,
                                  "the first partial", e);
}

static enum crm_err each_section(void *ctx, struct crm_partial *p, const char *name,
                                 uint64_t rows, struct crm_errinfo *e)
{
    struct each *x = ctx;
    return x->fn(x->ctx, p, name, rows, e);
}

static enum crm_err each_partial(const char *const *paths, size_t npaths, char *kind,
                                 struct crm_partial_opts *first, section_fn *fn, void *ctx,
                                 size_t *count, struct crm_errinfo *e)
{
    static const char *const stdin_only[] = {"-"};
    if (npaths == 0) {
        paths = stdin_only;
        npaths = 1;
    }
    struct each x = {kind, first, count, fn, ctx};
    const struct crm_partial_walker w = {each_head, each_section, NULL, &x};
    enum crm_err rc = CRM_OK;
    *count = 0;
    for (size_t k = 0; k < npaths && rc == CRM_OK; k++)
        rc = crm_partial_walk(paths[k], &w, NULL, e);
    if (rc == CRM_OK && *count == 0)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "no %s partial to merge",
                             kind[0] ? kind : "crm-basket");
    return rc;
}

/* ---- round 1 merge ---- */

struct products_merge {
    uint64_t baskets;
    struct rows rows;
};

static enum crm_err products_section(void *ctx, struct crm_partial *p, const char *name,
                                     uint64_t rows, struct crm_errinfo *e)
{
    struct products_merge *m = ctx;
    if (strcmp(name, "baskets") == 0 && rows == 1) {
        uint64_t n;
        enum crm_err rc = read_u64s(p, &n, 1, "baskets", e);
        m->baskets += n;
        return rc;
    }
    if (strcmp(name, "products") == 0)
        return read_products(p, rows, &m->rows, e);
    return crm_partial_skip_rows(p, e);
}

static int cmp_text(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

struct keyed {                 /* a row with its id, for sorting */
    const char *id;
    size_t len, row;
};

static int by_row_id(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    int c = cmp_text(a->id, a->len, b->id, b->len);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

/* Products of f from the rows: same ids summed, the first non-empty name and category. */
static enum crm_err sum_rows(struct rows *r, struct crm_scale_basket_frequent *f,
                             struct crm_errinfo *e)
{
    struct keyed *ord = malloc((r->n ? r->n : 1) * sizeof *ord);
    struct rows out = {0};
    if (!ord)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++)
        ord[i] = (struct keyed){(const char *)r->text.data + r->off[i], r->len[3 * i], i};
    qsort(ord, r->n, sizeof *ord, by_row_id);
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < r->n && rc == CRM_OK;) {
        struct crm_product p = row_product(r, ord[i].row);
        uint64_t count = 0;
        const char *name = "", *cat = "";
        size_t j = i;
        for (; j < r->n; j++) {
            struct crm_product q = row_product(r, ord[j].row);
            if (q.id_len != p.id_len || memcmp(q.id, p.id, p.id_len) != 0)
                break;
            count += r->count[ord[j].row];
            name = *name ? name : q.name;
            cat = *cat ? cat : q.category;
        }
        i = j;
        if (count >= f->threshold) {
            char *fields[3] = {(char *)(uintptr_t)p.id, (char *)(uintptr_t)name,
                               (char *)(uintptr_t)cat};
            rc = rows_add(&out, fields, count, e);
        }
    }
    free(ord);
    if (rc == CRM_OK) {
        f->n = (uint32_t)out.n;
        f->prod = malloc((out.n ? out.n : 1) * sizeof *f->prod);
        f->count = malloc((out.n ? out.n : 1) * sizeof *f->count);
        f->text = malloc(out.text.len + 1);
        if (!f->prod || !f->count || !f->text)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    if (rc == CRM_OK) {
        memcpy(f->text, out.text.data ? (const char *)out.text.data : "", out.text.len);
        for (size_t i = 0; i < out.n; i++) {
            struct crm_product q = row_product(&out, i);
            size_t at = (size_t)(q.id - (const char *)out.text.data);
            f->prod[i] = (struct crm_product){f->text + at, f->text + at + q.id_len + 1,
                                              f->text + at + q.id_len + q.name_len + 2,
                                              q.id_len, q.name_len, q.category_len};
            f->count[i] = out.count[i];
        }
    }
    rows_free(&out);
    return rc;
}

/* Start a partial of `kind`: the baskets row (baskets, threshold) of f, then the header of
 * its section of f's products, named `products`. */
static enum crm_err begin_counts(struct crm_out *o, const char *kind,
                                 const struct crm_partial_opts *po,
                                 const struct crm_scale_basket_frequent *f, const char *products,
                                 struct crm_partial_writer **w, struct crm_errinfo *e)
{
    enum crm_err rc = crm_partial_writer_new(o, kind, po, w, e);
    if (rc != CRM_OK)
        return rc;
    crm_partial_section(*w, "baskets", 1);
    crm_partial_u64(*w, f->baskets);
    crm_partial_u64(*w, f->threshold);
    crm_partial_end_row(*w);
    crm_partial_section(*w, products, f->n);
    return CRM_OK;
}

static int32_t as_of_of(const struct crm_partial_opts *o)
{
    const char *v = crm_partial_opts_get(o, "as-of");
    return !v || strcmp(v, "all") == 0 ? ALL_HISTORY / 86400 - 1 : (int32_t)atol(v);
}

static enum crm_err write_frequent(struct crm_out *o, const struct crm_scale_basket_frequent *f,
                                   struct crm_errinfo *e)
{
    struct crm_basket_opts bo = {f->min_support, 0, 2, f->as_of};
    struct crm_partial_opts po;
    put_options(&po, &bo, 1);
    crm_partial_opts_add(&po, "min-support", "%.17g", f->min_support);
    struct crm_partial_writer *w;
    enum crm_err rc = begin_counts(o, "basket-frequent", &po, f, "products", &w, e);
    if (rc != CRM_OK)
        return rc;
    for (uint32_t i = 0; i < f->n; i++)
        put_product(w, &f->prod[i], f->count[i]);
    return crm_partial_writer_finish(w, e);
}

enum crm_err crm_scale_basket_merge_products(const char *const *paths, size_t npaths,
                                             double min_support, struct crm_out *o,
                                             struct crm_scale_basket_frequent *f,
                                             struct crm_errinfo *e)
{
    memset(f, 0, sizeof *f);
    struct products_merge m = {0};
    struct crm_partial_opts first;
    size_t count;
    char kind[CRM_PARTIAL_KEY] = "basket-products";
    enum crm_err rc = each_partial(paths, npaths, kind, &first, products_section, &m, &count,
                                   e);
    if (rc == CRM_OK) {
        double t = ceil(min_support * (double)m.baskets - 1e-9);
        f->baskets = m.baskets;
        f->threshold = t < 1 ? 1 : (uint64_t)t;
        f->min_support = min_support;
        f->as_of = as_of_of(&first);
        rc = sum_rows(&m.rows, f, e);
    }
    rows_free(&m.rows);
    if (rc == CRM_OK && f->n > CRM_BASKET_MAX_FREQUENT)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "%u products are in at least %llu baskets: more "
                             "than %d to pair; raise --min-support", f->n,
                             (unsigned long long)f->threshold, CRM_BASKET_MAX_FREQUENT);
    if (rc == CRM_OK && o)
        rc = write_frequent(o, f, e);
    return rc;
}

void crm_scale_basket_frequent_free(struct crm_scale_basket_frequent *f)
{
    free(f->pairs);
    free(f->prod);
    free(f->count);
    free(f->text);
    memset(f, 0, sizeof *f);
}

/* ---- the frequent list, read back ---- */

struct frequent_read {
    uint64_t head[2];          /* baskets, threshold */
    int have_head;
    struct rows rows;
    const char *section;       /* "products" or "frequent" */
    struct crm_basket_pair *pairs;
    size_t npairs;
    uint64_t pairs_sum;        /* a checksum of the pairs section, to compare partials */
    int have_pairs;
};

static enum crm_err read_pairs(struct crm_partial *p, uint64_t rows, struct frequent_read *x,
                               struct crm_errinfo *e)
{
    free(x->pairs);
    x->pairs = malloc((rows ? rows : 1) * sizeof *x->pairs);
    x->npairs = 0;
    x->have_pairs = 1;
    if (!x->pairs || rows > SIZE_MAX / sizeof *x->pairs)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    enum crm_err rc = CRM_OK;
    for (uint64_t r = 0; r < rows && rc == CRM_OK; r++) {
        uint64_t v[3];
        rc = read_u64s(p, v, 3, "pair", e);
        if (rc == CRM_OK && (v[0] >= v[1] || v[1] >= x->rows.n))
            rc = wrong(p, "a pair of products outside the frequent list", e);
        if (rc == CRM_OK) {
            x->pairs[x->npairs++] = (struct crm_basket_pair){(uint32_t)v[0], (uint32_t)v[1],
                                                             v[2]};
            x->pairs_sum = x->pairs_sum * 1000003u + v[0] * 7919u + v[1] * 104729u + v[2];
        }
    }
    return rc;
}

static enum crm_err frequent_section(void *ctx, struct crm_partial *p, const char *name,
                                     uint64_t rows, struct crm_errinfo *e)
{
    struct frequent_read *x = ctx;
    if (strcmp(name, "baskets") == 0 && rows == 1 && !x->have_head) {
        x->have_head = 1;
        return read_u64s(p, x->head, 2, "baskets", e);
    }
    if (strcmp(name, x->section) == 0 && x->rows.n == 0)
        return read_products(p, rows, &x->rows, e);
    if (strcmp(name, "pairs") == 0 && strcmp(x->section, "products") == 0)
        return read_pairs(p, rows, x, e);
    return crm_partial_skip_rows(p, e);
}

static enum crm_err rows_to_frequent(struct frequent_read *x,
                                     struct crm_scale_basket_frequent *f,
                                     struct crm_errinfo *e)
{
    f->baskets = x->head[0];
    f->threshold = x->head[1];
    f->n = (uint32_t)x->rows.n;
    f->prod = malloc((x->rows.n ? x->rows.n : 1) * sizeof *f->prod);
    f->count = malloc((x->rows.n ? x->rows.n : 1) * sizeof *f->count);
    f->text = malloc(x->rows.text.len + 1);
    if (!f->prod || !f->count || !f->text)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (x->rows.text.len)
        memcpy(f->text, x->rows.text.data, x->rows.text.len);
    for (size_t i = 0; i < x->rows.n; i++) {
        struct crm_product q = row_product(&x->rows, i);
        size_t at = x->rows.off[i];
        f->prod[i] = (struct crm_product){f->text + at, f->text + at + q.id_len + 1,
                                          f->text + at + q.id_len + q.name_len + 2,
                                          q.id_len, q.name_len, q.category_len};
        f->count[i] = x->rows.count[i];
        if (i && cmp_text(f->prod[i - 1].id, f->prod[i - 1].id_len, f->prod[i].id,
                          q.id_len) >= 0)
            return crm_errinfo_set(e, CRM_EDATA, "frequent products not sorted by id");
    }
    return CRM_OK;
}

enum crm_err crm_scale_basket_read_frequent(const char *path,
                                            struct crm_scale_basket_frequent *f,
                                            struct crm_errinfo *e)
{
    memset(f, 0, sizeof *f);
    struct frequent_read x;
    memset(&x, 0, sizeof x);
    x.section = "products";
    struct crm_partial_opts first;
    size_t count;
    const char *paths[1] = {path};
    char kind[CRM_PARTIAL_KEY] = "basket-frequent";
    enum crm_err rc = each_partial(paths, 1, kind, &first, frequent_section, &x, &count, e);
    if (rc == CRM_OK && count != 1)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "%s: %zu frequent lists in one file", path, count);
    if (rc == CRM_OK && !x.have_head)
        rc = crm_errinfo_set(e, CRM_EDATA, "%s: no baskets section", path);
    if (rc == CRM_OK) {
        const char *ms = crm_partial_opts_get(&first, "min-support");
        const char *mx = crm_partial_opts_get(&first, "max-size");
        f->min_support = ms ? atof(ms) : 0;
        f->max_size = mx ? atoi(mx) : 0;
        f->as_of = as_of_of(&first);
        rc = rows_to_frequent(&x, f, e);
        f->pairs = x.pairs;
        f->npairs = x.npairs;
        x.pairs = NULL;
    }
    rows_free(&x.rows);
    free(x.pairs);
    if (rc != CRM_OK)
        crm_scale_basket_frequent_free(f);
    return rc;
}

/* ---- round 2 ---- */

struct triple_out {
    struct crm_partial_writer *w;
};

static void put_triple(void *ctx, uint32_t i, uint32_t j, uint32_t k, uint64_t count)
{
    struct crm_partial_writer *w = ((struct triple_out *)ctx)->w;
    crm_partial_u64(w, i);
    crm_partial_u64(w, j);
    crm_partial_u64(w, k);
    crm_partial_u64(w, count);
    crm_partial_end_row(w);
}

enum crm_err crm_scale_basket_emit_pairs(struct crm_out *o, const struct crm_basket_opts *bo,
                                         const struct crm_scale_basket_frequent *f,
                                         const struct crm_basket *b, struct crm_errinfo *e)
{
    struct crm_basket_opts run = *bo;
    run.min_support = f->min_support;
    if (f->pairs)
        run.max_size = 3;
    struct crm_partial_opts po;
    put_options(&po, &run, 2);
    struct crm_partial_writer *w;
    enum crm_err rc = begin_counts(o, f->pairs ? "basket-triples" : "basket-pairs", &po, f,
                                   "frequent", &w, e);
    if (rc != CRM_OK)
        return rc;
    for (uint32_t i = 0; i < f->n; i++)
        put_product(w, &f->prod[i], f->count[i]);
    put_pairs(w, b, f->n, 1);
    if (f->pairs) {
        crm_partial_section(w, "triples", crm_basket_triples(b));
        struct triple_out t = {w};
        crm_basket_each_triple(b, put_triple, &t);
    }
    return crm_partial_writer_finish(w, e);
}

/* The pairs section: every pair of b's n products with at least `least` baskets. */
static void put_pairs(struct crm_partial_writer *w, const struct crm_basket *b, uint32_t n,
                      uint64_t least)
{
    uint64_t pairs = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++)
            pairs += crm_basket_pair(b, i, j) >= least;
    crm_partial_section(w, "pairs", pairs);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            uint64_t c = crm_basket_pair(b, i, j);
            if (c >= least) {
                crm_partial_u64(w, i);
                crm_partial_u64(w, j);
                crm_partial_u64(w, c);
                crm_partial_end_row(w);
            }
        }
}

enum crm_err crm_scale_basket_write_pairs(struct crm_out *o, const struct crm_basket *b,
                                          struct crm_errinfo *e)
{
    struct crm_scale_basket_frequent f;
    memset(&f, 0, sizeof f);
    f.baskets = crm_basket_baskets(b);
    f.threshold = crm_basket_threshold(b);
    f.n = crm_basket_products(b);
    f.as_of = b ? crm_basket_as_of(b) : 0;
    f.min_support = crm_basket_min_support(b);
    struct crm_basket_opts bo = {f.min_support, 0, 3, f.as_of};
    struct crm_partial_opts po;
    put_options(&po, &bo, 2);
    struct crm_partial_writer *w;
    enum crm_err rc = begin_counts(o, "basket-frequent", &po, &f, "products", &w, e);
    if (rc != CRM_OK)
        return rc;
    for (uint32_t i = 0; i < f.n; i++)
        put_product(w, crm_basket_product(b, i), crm_basket_product_orders(b, i));
    put_pairs(w, b, f.n, f.threshold);
    return crm_partial_writer_finish(w, e);
}

struct pairs_merge {
    const struct crm_basket_opts *bo;
    struct crm_basket *b;
    struct frequent_read first;
    struct frequent_read cur;
    int triples;               /* round 3: the pairs are the same global counts in each */
    size_t partials;
};

static enum crm_err same_frequent(struct crm_partial *p, const struct frequent_read *a,
                                  const struct frequent_read *b, struct crm_errinfo *e)
{
    int same = a->head[0] == b->head[0] && a->head[1] == b->head[1] &&
               a->rows.n == b->rows.n && a->rows.text.len == b->rows.text.len &&
               (a->rows.text.len == 0 ||
                memcmp(a->rows.text.data, b->rows.text.data, a->rows.text.len) == 0);
    for (size_t i = 0; same && i < a->rows.n; i++)
        same = a->rows.count[i] == b->rows.count[i];
    return same ? CRM_OK : wrong(p, "counted against another frequent list than the first "
                                 "partial: run round 2 of every partition with the same "
                                 "--frequent file", e);
}

static enum crm_err pairs_section(void *ctx, struct crm_partial *p, const char *name,
                                  uint64_t rows, struct crm_errinfo *e)
{
    struct pairs_merge *m = ctx;
    if (strcmp(name, "baskets") == 0 || strcmp(name, "frequent") == 0) {
        struct frequent_read *x = m->b ? &m->cur : &m->first;
        if (strcmp(name, "baskets") == 0) {
            rows_free(&x->rows);
            free(x->pairs);
            memset(x, 0, sizeof *x);
            x->section = "frequent";
        }
        enum crm_err rc = frequent_section(x, p, name, rows, e);
        if (rc != CRM_OK || strcmp(name, "frequent") != 0)
            return rc;
        if (m->b)
            return same_frequent(p, &m->first, &m->cur, e);
        struct crm_scale_basket_frequent f = {0};
        rc = rows_to_frequent(&m->first, &f, e);
        if (rc == CRM_OK)
            rc = crm_basket_from_counts(f.baskets, f.threshold, f.prod, f.count, f.n, &m->b, e);
        crm_scale_basket_frequent_free(&f);
        return rc;
    }
    if (!m->b)
        return wrong(p, "pair counts before the frequent list", e);
    size_t width = strcmp(name, "pairs") == 0 ? 3 : strcmp(name, "triples") == 0 ? 4 : 0;
    if (!width)
        return crm_partial_skip_rows(p, e);
    if (width == 3 && m->triples) {      /* global counts: added once, the same in each */
        struct frequent_read *x = m->partials++ ? &m->cur : &m->first;
        x->pairs_sum = 0;
        enum crm_err rc = read_pairs(p, rows, x, e);
        for (size_t k = 0; rc == CRM_OK && x == &m->first && k < x->npairs; k++)
            crm_basket_add_pair(m->b, x->pairs[k].i, x->pairs[k].j, x->pairs[k].count);
        if (rc == CRM_OK && x == &m->cur &&
            (x->npairs != m->first.npairs || x->pairs_sum != m->first.pairs_sum))
            rc = wrong(p, "counted against other frequent pairs than the first partial", e);
        return rc;
    }
    enum crm_err rc = CRM_OK;
    uint32_t n = crm_basket_products(m->b);
    for (uint64_t r = 0; r < rows && rc == CRM_OK; r++) {
        uint64_t v[4];
        rc = read_u64s(p, v, width, "count", e);
        if (rc != CRM_OK)
            break;
        if (v[0] >= v[1] || v[1] >= n || (width == 4 && (v[1] >= v[2] || v[2] >= n)))
            return wrong(p, "a pair or triple of products outside the frequent list", e);
        if (width == 3)
            crm_basket_add_pair(m->b, (uint32_t)v[0], (uint32_t)v[1], v[2]);
        else
            rc = crm_basket_add_triple(m->b, (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2],
                                       v[3], e);
    }
    return rc;
}

enum crm_err crm_scale_basket_merge_pairs(const char *const *paths, size_t npaths,
                                          const struct crm_basket_opts *bo,
                                          struct crm_basket **out, int *ranked,
                                          struct crm_errinfo *e)
{
    *out = NULL;
    *ranked = 0;
    struct pairs_merge m;
    memset(&m, 0, sizeof m);
    m.bo = bo;
    m.first.section = m.cur.section = "frequent";
    struct crm_partial_opts first;
    size_t count;
    char kind[CRM_PARTIAL_KEY] = "";
    enum crm_err rc = crm_scale_basket_kind(npaths ? paths[0] : NULL, kind, sizeof kind, e);
    if (rc == CRM_OK && strcmp(kind, "basket-pairs") && strcmp(kind, "basket-triples"))
        rc = crm_errinfo_set(e, CRM_EUSAGE, "%s: a %s partial", paths[0], kind);
    m.triples = strcmp(kind, "basket-triples") == 0;
    if (rc == CRM_OK)
        rc = each_partial(paths, npaths, kind, &first, pairs_section, &m, &count, e);
    rows_free(&m.first.rows);
    rows_free(&m.cur.rows);
    free(m.first.pairs);
    free(m.cur.pairs);
    struct crm_basket_opts run = *bo;
    const char *ms = crm_partial_opts_get(&first, "max-size");
    run.max_size = ms ? atoi(ms) : 2;
    if (rc == CRM_OK && !m.b)
        rc = crm_errinfo_set(e, CRM_EDATA, "no frequent list in the partials");
    if (rc == CRM_OK) {
        const char *sup = crm_partial_opts_get(&first, "min-support");
        crm_basket_set_origin(m.b, as_of_of(&first), sup ? atof(sup) : 0);
    }
    if (rc == CRM_OK && (m.triples || run.max_size < 3)) {
        rc = crm_basket_rank(m.b, &run, e);
        *ranked = 1;
    }
    if (rc != CRM_OK) {
        crm_basket_free(m.b);
        return rc;
    }
    *out = m.b;
    return CRM_OK;
}

enum crm_err crm_scale_basket_kind(const char *path, char *kind, size_t size,
                                   struct crm_errinfo *e)
{
    if (!path || strcmp(path, "-") == 0) {
        crm_errinfo_where(e, "stdin", -1, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "crm-basket --merge-partials reads partial "
                               "files: name them (the two rounds are told apart by their "
                               "first line)");
    }
    struct crm_partial *p;
    enum crm_err rc = crm_partial_open(path, &p, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_partial_head h;
    int got;
    rc = crm_partial_next(p, &h, &got, e);
    if (rc == CRM_OK && !got)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "%s: no partial in it", path);
    if (rc == CRM_OK)
        snprintf(kind, size, "%s", h.kind);
    crm_partial_close(p);
    return rc;
}
