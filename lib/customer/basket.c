/* basket: association rules over paid baskets (see basket.h for the definitions, the
 * ranking and the memory bound). Invariant: every count is an exact number of baskets;
 * floating point is used only to print support, confidence and lift, never to rank or
 * to filter by support (the threshold is a whole number of baskets). */
#include "customer/basket.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

__extension__ typedef unsigned __int128 u128;

#define NOT_FREQUENT UINT32_MAX

struct triple {
    uint64_t key;              /* i << 42 | j << 21 | k (dense indexes, i < j < k), 0: free */
    uint32_t count;
};

struct crm_basket {
    const struct crm_store *s;     /* NULL for a basket built from merged counts */
    const struct crm_product **ptab;   /* per product index: its id and name */
    uint32_t nptab;
    struct crm_product *own;       /* merged counts: the products (texts in own_text) */
    char *own_text;
    int given;                     /* the frequent products were given (scale-out) */
    double min_support;            /* merged counts: of their partials */
    int32_t as_of;
    uint64_t baskets, threshold;
    uint64_t *count;           /* per store product: baskets holding it */
    uint32_t nprod;
    uint32_t *dense;           /* per store product: frequent index or NOT_FREQUENT */
    uint32_t *product;         /* per frequent index: store product */
    uint32_t nfreq;
    uint32_t *pairs;           /* triangle of pair counts over frequent indexes */
    struct triple *tri;
    size_t tri_cap, tri_n;
    struct crm_basket_rule *rules;
    size_t nrules, rules_cap;
};

/* ---- reading baskets ---- */

typedef enum crm_err basket_fn(struct crm_basket *b, uint32_t customer, const uint32_t *p,
                               size_t n, uint32_t *scratch, struct crm_errinfo *e);

/* Call fn once per basket of the store (its distinct products, ascending index). */
static enum crm_err each_basket(struct crm_store *s, struct crm_basket *b, int32_t as_of,
                                basket_fn *fn, struct crm_errinfo *e)
{
    enum crm_err rc = crm_store_rewind(s, e);
    uint32_t *buf = NULL;
    size_t cap = 0;
    int64_t end = (int64_t)as_of * 86400;
    struct crm_chunk c;
    unsigned cols = CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_STATUS | CRM_COL_ITEMS;
    while (rc == CRM_OK && (rc = crm_store_next(s, &c, cols, e)) == CRM_OK && c.n > 0) {
        for (uint32_t i = 0; i < c.n && rc == CRM_OK; i++) {
            uint32_t lo = c.item_off[i], hi = c.item_off[i + 1];
            if (c.status[i] != CRM_STATUS_PAID || c.time[i] >= end || lo == hi)
                continue;
            if (hi - lo > cap) {
                size_t ncap = (hi - lo) * 2u;
                uint32_t *nb = realloc(buf, 2 * ncap * sizeof *nb);
                if (!nb) {
                    rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
                    break;
                }
                buf = nb;
                cap = ncap;
            }
            size_t n = 0;
            for (uint32_t j = lo; j < hi; j++)          /* sorted: drop repeats */
                if (n == 0 || buf[n - 1] != c.item_product[j])
                    buf[n++] = c.item_product[j];
            rc = fn(b, c.customer[i], buf, n, buf + cap, e);
        }
    }
    free(buf);
    return rc;
}

/* ---- pass 1: products ---- */

/* Basket counts for products 0..need-1, the new ones 0. */
static enum crm_err count_room(struct crm_basket *b, uint32_t need, struct crm_errinfo *e)
{
    if (need <= b->nprod)
        return CRM_OK;
    uint64_t *c = realloc(b->count, need * sizeof *c);
    if (!c)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    memset(c + b->nprod, 0, (need - b->nprod) * sizeof *c);
    b->count = c;
    b->nprod = need;
    return CRM_OK;
}

static enum crm_err count_products(struct crm_basket *b, uint32_t customer, const uint32_t *p,
                                   size_t n, uint32_t *scratch, struct crm_errinfo *e)
{
    (void)customer;
    (void)scratch;
    if (count_room(b, crm_store_product_count(b->s), e) != CRM_OK)
        return CRM_ENOMEM;
    b->baskets++;
    for (size_t i = 0; i < n; i++)
        b->count[p[i]]++;
    return CRM_OK;
}

static int by_id(const struct crm_basket *k, uint32_t a, uint32_t b)
{
    const struct crm_product *x = k->ptab[a], *y = k->ptab[b];
    size_t n = x->id_len < y->id_len ? x->id_len : y->id_len;
    int c = memcmp(x->id, y->id, n);
    return c ? c : (x->id_len > y->id_len) - (x->id_len < y->id_len);
}

/* Every product of the store into the product table (after the first pass: all read). */
static enum crm_err product_table(struct crm_basket *b, struct crm_store *s,
                                  struct crm_errinfo *e)
{
    uint32_t n = crm_store_product_count(s);
    b->ptab = malloc((n ? n : 1) * sizeof *b->ptab);
    if (!b->ptab)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        b->ptab[i] = crm_store_product(s, i);
    b->nptab = n;
    return count_room(b, n, e);          /* products of no basket: count 0 */
}

/* The frequent products, numbered in store order (so a basket's stay ascending). */
static enum crm_err choose_frequent(struct crm_basket *b, const struct crm_basket_opts *o,
                                    struct crm_errinfo *e)
{
    double t = ceil(o->min_support * (double)b->baskets - 1e-9);
    b->threshold = t < 1 ? 1 : (uint64_t)t;
    b->dense = malloc((b->nprod ? b->nprod : 1) * sizeof *b->dense);
    b->product = malloc((b->nprod ? b->nprod : 1) * sizeof *b->product);
    if (!b->dense || !b->product)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (uint32_t p = 0; p < b->nprod; p++) {
        b->dense[p] = NOT_FREQUENT;
        if (b->count[p] >= b->threshold) {
            b->dense[p] = b->nfreq;
            b->product[b->nfreq++] = p;
        }
    }
    if (b->nfreq > CRM_BASKET_MAX_FREQUENT)
        return crm_errinfo_set(e, CRM_EUSAGE, "%u products are in at least %llu baskets "
                               "(--min-support %g of %llu): more than %d to pair; raise "
                               "--min-support", b->nfreq, (unsigned long long)b->threshold,
                               o->min_support, (unsigned long long)b->baskets,
                               CRM_BASKET_MAX_FREQUENT);
    size_t pairs = (size_t)b->nfreq * (b->nfreq > 0 ? b->nfreq - 1 : 0) / 2;
    b->pairs = calloc(pairs ? pairs : 1, sizeof *b->pairs);
    return b->pairs ? CRM_OK : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
}

/* ---- pass 2: pairs, pass 3: triples ---- */

static size_t pair_at(uint32_t f, uint32_t i, uint32_t j)
{
    return (size_t)i * (2u * (size_t)f - i - 1) / 2 + (j - i - 1);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The basket's frequent products as dense indexes (ascending) into out. */
static size_t frequent_of(const struct crm_basket *b, const uint32_t *p, size_t n,
                          uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < b->nprod && b->dense[p[i]] != NOT_FREQUENT)
            out[k++] = b->dense[p[i]];
    if (b->given)            /* given products are numbered in their list's order */
        qsort(out, k, sizeof *out, cmp_u32);
    return k;
}

static enum crm_err count_pairs(struct crm_basket *b, uint32_t customer, const uint32_t *p,
                                size_t n, uint32_t *d, struct crm_errinfo *e)
{
    (void)customer;
    (void)e;
    size_t k = frequent_of(b, p, n, d);
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            b->pairs[pair_at(b->nfreq, d[i], d[j])]++;
    return CRM_OK;
}

static int pair_frequent(const struct crm_basket *b, uint32_t i, uint32_t j)
{
    return b->pairs[pair_at(b->nfreq, i, j)] >= b->threshold;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int triple_grow(struct crm_basket *b)
{
    size_t cap = b->tri_cap ? b->tri_cap * 2 : 4096;
    struct triple *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < b->tri_cap; i++) {
        if (!b->tri[i].key)
            continue;
        size_t h = mix(b->tri[i].key) & (cap - 1);
        while (t[h].key)
            h = (h + 1) & (cap - 1);
        t[h] = b->tri[i];
    }
    free(b->tri);
    b->tri = t;
    b->tri_cap = cap;
    return 0;
}

static struct triple *triple_slot(struct crm_basket *b, uint64_t key, int add)
{
    if (add && (b->tri_n + 1) * 2 > b->tri_cap && triple_grow(b) != 0)
        return NULL;
    if (!b->tri_cap)
        return NULL;
    size_t h = mix(key) & (b->tri_cap - 1);
    while (b->tri[h].key && b->tri[h].key != key)
        h = (h + 1) & (b->tri_cap - 1);
    if (!b->tri[h].key) {
        if (!add)
            return NULL;
        b->tri[h].key = key;
        b->tri_n++;
    }
    return &b->tri[h];
}

static uint64_t triple_key(uint32_t i, uint32_t j, uint32_t k)
{
    return (uint64_t)(i + 1u) << 42 | (uint64_t)j << 21 | k;
}

static enum crm_err count_triples(struct crm_basket *b, uint32_t customer, const uint32_t *p,
                                  size_t n, uint32_t *d, struct crm_errinfo *e)
{
    (void)customer;
    size_t k = frequent_of(b, p, n, d);
    for (size_t x = 0; x < k; x++)
        for (size_t y = x + 1; y < k; y++) {
            if (!pair_frequent(b, d[x], d[y]))
                continue;
            for (size_t z = y + 1; z < k; z++) {
                if (!pair_frequent(b, d[x], d[z]) || !pair_frequent(b, d[y], d[z]))
                    continue;
                struct triple *t = triple_slot(b, triple_key(d[x], d[y], d[z]), 1);
                if (!t)
                    return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
                t->count++;
            }
        }
    return CRM_OK;
}

/* ---- rules ---- */

static enum crm_err add_rule(struct crm_basket *b, const struct crm_basket_opts *o,
                             const uint32_t *ante, int ante_n, uint64_t ante_orders,
                             uint32_t cons, uint64_t both, struct crm_errinfo *e)
{
    uint64_t cons_orders = b->count[cons];
    /* confidence >= min_confidence, and the printed figures */
    double confidence = (double)both / (double)ante_orders;
    if (confidence < o->min_confidence - 1e-12)
        return CRM_OK;
    struct crm_basket_rule *rules = crm_grow(b->rules, &b->rules_cap, b->nrules + 1,
                                             sizeof *rules, 256);
    if (!rules)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    b->rules = rules;
    struct crm_basket_rule *r = &b->rules[b->nrules++];
    r->antecedent[0] = ante[0];
    r->antecedent[1] = ante_n > 1 ? ante[1] : ante[0];
    if (ante_n > 1 && by_id(b, r->antecedent[0], r->antecedent[1]) > 0) {
        r->antecedent[0] = ante[1];
        r->antecedent[1] = ante[0];
    }
    r->antecedent_n = ante_n;
    r->consequent = cons;
    r->antecedent_orders = ante_orders;
    r->consequent_orders = cons_orders;
    r->both_orders = both;
    r->support = (double)both / (double)b->baskets;
    r->confidence = confidence;
    r->lift = confidence / ((double)cons_orders / (double)b->baskets);
    return CRM_OK;
}

static enum crm_err pair_rules(struct crm_basket *b, const struct crm_basket_opts *o,
                               struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (uint32_t i = 0; i < b->nfreq && rc == CRM_OK; i++)
        for (uint32_t j = i + 1; j < b->nfreq && rc == CRM_OK; j++) {
            uint64_t both = b->pairs[pair_at(b->nfreq, i, j)];
            if (both < b->threshold)
                continue;
            uint32_t pi = b->product[i], pj = b->product[j];
            rc = add_rule(b, o, &pi, 1, b->count[pi], pj, both, e);
            if (rc == CRM_OK)
                rc = add_rule(b, o, &pj, 1, b->count[pj], pi, both, e);
        }
    return rc;
}

static enum crm_err triple_rules(struct crm_basket *b, const struct crm_basket_opts *o,
                                 struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (size_t t = 0; t < b->tri_cap && rc == CRM_OK; t++) {
        if (!b->tri[t].key || b->tri[t].count < b->threshold)
            continue;
        uint64_t key = b->tri[t].key;
        uint32_t d[3] = {(uint32_t)(key >> 42) - 1u, (uint32_t)(key >> 21) & 0x1fffffu,
                         (uint32_t)key & 0x1fffffu};
        for (int c = 0; c < 3 && rc == CRM_OK; c++) {
            uint32_t a = d[c == 0 ? 1 : 0], bb = d[c == 2 ? 1 : 2];
            uint32_t ante[2] = {b->product[a], b->product[bb]};
            uint64_t ante_orders = b->pairs[pair_at(b->nfreq, a, bb)];
            rc = add_rule(b, o, ante, 2, ante_orders, b->product[d[c]], b->tri[t].count, e);
        }
    }
    return rc;
}

/* Text order of two antecedents as written ("A" or "A;B"). */
static int cmp_antecedent(const struct crm_basket *k, const struct crm_basket_rule *x,
                          const struct crm_basket_rule *y)
{
    char a[1024], b[1024];
    size_t la = crm_basket_antecedent(k, x, 0, a, sizeof a);
    size_t lb = crm_basket_antecedent(k, y, 0, b, sizeof b);
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static int by_rank(const struct crm_basket *s, const struct crm_basket_rule *x,
                   const struct crm_basket_rule *y)
{
    /* lift_x > lift_y  <=>  both_x · ante_y · cons_y > both_y · ante_x · cons_x */
    u128 lx = (u128)x->both_orders * y->antecedent_orders * y->consequent_orders;
    u128 ly = (u128)y->both_orders * x->antecedent_orders * x->consequent_orders;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    if (x->both_orders != y->both_orders)
        return x->both_orders > y->both_orders ? -1 : 1;
    int c = cmp_antecedent(s, x, y);
    return c ? c : by_id(s, x->consequent, y->consequent);
}

/* Merge sort with the store as context (qsort_r is not C11). */
static void sort_rules(const struct crm_basket *s, struct crm_basket_rule *r, size_t n,
                       struct crm_basket_rule *tmp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_rules(s, r, h, tmp);
    sort_rules(s, r + h, n - h, tmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = by_rank(s, &r[j], &r[i]) < 0 ? r[j++] : r[i++];
    while (i < h)
        tmp[k++] = r[i++];
    while (j < n)
        tmp[k++] = r[j++];
    memcpy(r, tmp, n * sizeof *r);
}

enum crm_err crm_basket_run(struct crm_store *s, const struct crm_basket_opts *o,
                            struct crm_basket **out, struct crm_errinfo *e)
{
    struct crm_basket *b;
    enum crm_err rc = crm_basket_count_products(s, o, &b, e);   /* sets *out to NULL */
    if (rc != CRM_OK)
        return rc;
    rc = choose_frequent(b, o, e);
    if (rc == CRM_OK && b->nfreq > 1)
        rc = each_basket(s, b, o->as_of, count_pairs, e);
    if (rc == CRM_OK && o->max_size >= 3 && b->nfreq > 2)
        rc = each_basket(s, b, o->as_of, count_triples, e);
    if (rc == CRM_OK)
        rc = pair_rules(b, o, e);
    if (rc == CRM_OK && b->tri)
        rc = triple_rules(b, o, e);
    if (rc == CRM_OK && b->nrules > 1) {
        struct crm_basket_rule *tmp = malloc(b->nrules * sizeof *tmp);
        if (!tmp)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        else
            sort_rules(b, b->rules, b->nrules, tmp);
        free(tmp);
    }
    if (rc != CRM_OK) {
        crm_basket_free(b);
        return rc;
    }
    *out = b;
    return CRM_OK;
}

void crm_basket_free(struct crm_basket *b)
{
    if (!b)
        return;
    free(b->count);
    free(b->dense);
    free(b->product);
    free(b->pairs);
    free(b->tri);
    free(b->rules);
    free(b->ptab);
    free(b->own);
    free(b->own_text);
    free(b);
}

const struct crm_product *crm_basket_product(const struct crm_basket *b, uint32_t idx)
{
    return idx < b->nptab ? b->ptab[idx] : NULL;
}

uint32_t crm_basket_products(const struct crm_basket *b)
{
    return b->nptab;
}

uint64_t crm_basket_product_orders(const struct crm_basket *b, uint32_t idx)
{
    return idx < b->nprod ? b->count[idx] : 0;
}

size_t crm_basket_rules(const struct crm_basket *b, const struct crm_basket_rule **rules)
{
    *rules = b->rules;
    return b->nrules;
}

uint64_t crm_basket_baskets(const struct crm_basket *b)
{
    return b->baskets;
}

uint32_t crm_basket_frequent(const struct crm_basket *b)
{
    return b->nfreq;
}

uint64_t crm_basket_threshold(const struct crm_basket *b)
{
    return b->threshold;
}

size_t crm_basket_antecedent(const struct crm_basket *b, const struct crm_basket_rule *r,
                             int names, char *buf, size_t cap)
{
    size_t n = 0;
    for (int k = 0; k < r->antecedent_n; k++) {
        const struct crm_product *p = b->ptab[r->antecedent[k]];
        const char *t = names ? p->name : p->id;
        size_t len = names ? p->name_len : p->id_len;
        if (k > 0 && n + 1 < cap)
            buf[n++] = ';';
        if (len > cap - 1 - n)
            len = cap - 1 - n;
        memcpy(buf + n, t, len);
        n += len;
    }
    buf[n] = '\0';
    return n;
}

/* ---- recommendations ---- */

struct owned {
    uint64_t *v;               /* customer << 32 | frequent index, one per basket product */
    size_t n, cap;
};

struct rec_ctx {
    struct crm_basket base;    /* only its frequent-product map is used */
    struct owned own;
};

static enum crm_err collect_owned(struct crm_basket *b, uint32_t customer, const uint32_t *p,
                                  size_t n, uint32_t *d, struct crm_errinfo *e)
{
    struct rec_ctx *x = (struct rec_ctx *)b;
    size_t k = frequent_of(b, p, n, d);
    if (x->own.n + k > x->own.cap) {
        size_t cap = x->own.cap ? x->own.cap * 2 : 65536;
        while (cap < x->own.n + k)
            cap *= 2;
        uint64_t *v = realloc(x->own.v, cap * sizeof *v);
        if (!v)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        x->own.v = v;
        x->own.cap = cap;
    }
    for (size_t i = 0; i < k; i++)
        x->own.v[x->own.n++] = (uint64_t)customer << 32 | d[i];
    return CRM_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int by_customer_id(const struct crm_store *s, uint32_t a, uint32_t b)
{
    size_t la, lb;
    const char *x = crm_store_customer_id(s, a, &la), *y = crm_store_customer_id(s, b, &lb);
    int c = memcmp(x, y, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static void sort_customers(const struct crm_store *s, uint32_t *v, size_t n, uint32_t *tmp)
{
    if (n < 2)
        return;
    size_t h = n / 2, i = 0, j = h, k = 0;
    sort_customers(s, v, h, tmp);
    sort_customers(s, v + h, n - h, tmp);
    while (i < h && j < n)
        tmp[k++] = by_customer_id(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* Rules by the frequent index of their first antecedent product (CSR: start[d] ..). */
static int index_rules(const struct crm_basket *b, uint32_t **start, uint32_t **list)
{
    *start = calloc((size_t)b->nfreq + 1, sizeof **start);
    *list = malloc((b->nrules ? b->nrules : 1) * sizeof **list);
    if (!*start || !*list)
        return -1;
    for (size_t r = 0; r < b->nrules; r++)
        (*start)[b->dense[b->rules[r].antecedent[0]] + 1]++;
    for (uint32_t d = 0; d < b->nfreq; d++)
        (*start)[d + 1] += (*start)[d];
    uint32_t *fill = malloc(((size_t)b->nfreq + 1) * sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, *start, ((size_t)b->nfreq + 1) * sizeof *fill);
    for (size_t r = 0; r < b->nrules; r++)      /* in rank order within each list */
        (*list)[fill[b->dense[b->rules[r].antecedent[0]]]++] = (uint32_t)r;
    free(fill);
    return 0;
}

struct rec_out {
    struct crm_basket_rec *v;
    size_t n, cap;
};

/* One customer's recommendations from the products they own (frequent indexes). */
static int recommend_one(const struct crm_basket *b, const uint32_t *start,
                         const uint32_t *list, uint32_t customer, const uint32_t *own,
                         size_t n_own, uint64_t *mark, uint32_t *cand, int n,
                         struct rec_out *out)
{
    uint64_t stamp = (uint64_t)customer + 1;
    for (size_t i = 0; i < n_own; i++)
        mark[own[i]] = stamp;
    size_t nc = 0;
    for (size_t i = 0; i < n_own; i++)
        for (uint32_t k = start[own[i]]; k < start[own[i] + 1]; k++) {
            const struct crm_basket_rule *r = &b->rules[list[k]];
            if (r->both_orders * b->baskets <= r->antecedent_orders * r->consequent_orders)
                continue;                 /* lift <= 1: not associated, or negatively */
            if (mark[b->dense[r->consequent]] == stamp ||
                (r->antecedent_n > 1 && mark[b->dense[r->antecedent[1]]] != stamp))
                continue;
            cand[nc++] = list[k];
        }
    qsort(cand, nc, sizeof *cand, cmp_u32);
    uint32_t rank = 0;
    for (size_t i = 0; i < nc && (int)rank < n; i++) {
        const struct crm_basket_rule *r = &b->rules[cand[i]];
        uint32_t d = b->dense[r->consequent];
        if (mark[d] == stamp + (1ULL << 40))
            continue;                     /* already recommended through a better rule */
        mark[d] = stamp + (1ULL << 40);
        struct crm_basket_rec *v = crm_grow(out->v, &out->cap, out->n + 1, sizeof *v, 1024);
        if (!v)
            return -1;
        out->v = v;
        out->v[out->n++] = (struct crm_basket_rec){customer, ++rank, r->consequent, r};
    }
    return 0;
}

enum crm_err crm_basket_recommend(struct crm_store *s, const struct crm_basket *b, int n,
                                  struct crm_basket_rec **recs, size_t *count,
                                  struct crm_errinfo *e)
{
    *recs = NULL;
    *count = 0;
    struct rec_ctx x = {0};
    x.base = *b;
    enum crm_err rc = each_basket(s, &x.base, b->as_of, collect_owned, e);
    uint32_t *start = NULL, *list = NULL, *cust = NULL, *tmp = NULL, *cand = NULL;
    uint64_t *mark = NULL;
    struct rec_out out = {0};
    if (rc == CRM_OK) {
        qsort(x.own.v, x.own.n, sizeof *x.own.v, cmp_u64);
        mark = calloc((size_t)b->nfreq + 1, sizeof *mark);
        cand = malloc((b->nrules ? b->nrules : 1) * sizeof *cand);
        if (!mark || !cand || index_rules(b, &start, &list) != 0)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    uint32_t own[CRM_BASKET_MAX_FREQUENT];
    for (size_t i = 0; rc == CRM_OK && i < x.own.n;) {
        uint32_t c = (uint32_t)(x.own.v[i] >> 32);
        size_t k = 0;
        for (; i < x.own.n && (uint32_t)(x.own.v[i] >> 32) == c; i++)
            if (k == 0 || own[k - 1] != (uint32_t)x.own.v[i])
                own[k++] = (uint32_t)x.own.v[i];
        if (recommend_one(b, start, list, c, own, k, mark, cand, n, &out) != 0)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    /* rows by customer id: order the customers, then copy their runs */
    size_t nrow = out.n, ncust = 0;
    struct crm_basket_rec *sorted = NULL;
    if (rc == CRM_OK && nrow) {
        cust = malloc(nrow * sizeof *cust);
        tmp = malloc(nrow * sizeof *tmp);
        sorted = malloc(nrow * sizeof *sorted);
        if (!cust || !tmp || !sorted)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        for (size_t i = 0; rc == CRM_OK && i < nrow; i++)
            if (out.v[i].rank == 1)
                cust[ncust++] = (uint32_t)i;   /* run start */
    }
    if (rc == CRM_OK && nrow) {
        for (size_t i = 0; i < ncust; i++)
            tmp[i] = out.v[cust[i]].customer;
        uint32_t *ids = malloc(ncust * sizeof *ids), *t2 = malloc(ncust * sizeof *t2);
        uint32_t *runof = calloc(crm_store_customer_count(s) + 1u, sizeof *runof);
        if (!ids || !t2 || !runof) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        } else {
            memcpy(ids, tmp, ncust * sizeof *ids);
            for (size_t i = 0; i < ncust; i++)
                runof[ids[i]] = cust[i];
            sort_customers(s, ids, ncust, t2);
            size_t k = 0;
            for (size_t i = 0; i < ncust; i++)
                for (size_t j = runof[ids[i]]; j < nrow && out.v[j].customer == ids[i]; j++)
                    sorted[k++] = out.v[j];
        }
        free(ids);
        free(t2);
        free(runof);
    }
    free(x.own.v);
    free(start);
    free(list);
    free(cust);
    free(tmp);
    free(cand);
    free(mark);
    free(out.v);
    if (rc != CRM_OK) {
        free(sorted);
        return rc;
    }
    *recs = sorted;
    *count = nrow;
    return CRM_OK;
}

/* ---- scale-out: counts that merge (lib/scale/basketpart.c) ---- */

enum crm_err crm_basket_count_products(struct crm_store *s, const struct crm_basket_opts *o,
                                       struct crm_basket **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_basket *b = calloc(1, sizeof *b);
    if (!b)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    b->s = s;
    b->as_of = o->as_of;
    enum crm_err rc = each_basket(s, b, o->as_of, count_products, e);
    if (rc == CRM_OK)
        rc = product_table(b, s, e);
    if (rc != CRM_OK) {
        crm_basket_free(b);
        return rc;
    }
    *out = b;
    return CRM_OK;
}

static int cmp_text(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* dense[store product] = its index in the given list (sorted by id), else NOT_FREQUENT. */
static enum crm_err map_given(struct crm_basket *b, const struct crm_product *given,
                              uint32_t n, struct crm_errinfo *e)
{
    b->dense = malloc((b->nprod ? b->nprod : 1) * sizeof *b->dense);
    b->product = malloc((n ? n : 1) * sizeof *b->product);
    if (!b->dense || !b->product)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (uint32_t g = 0; g < n; g++) {
        b->product[g] = NOT_FREQUENT;
        if (g && cmp_text(given[g - 1].id, given[g - 1].id_len, given[g].id,
                          given[g].id_len) >= 0)
            return crm_errinfo_set(e, CRM_EDATA, "frequent products not sorted by id");
    }
    for (uint32_t p = 0; p < b->nprod; p++) {
        const struct crm_product *x = b->ptab[p];
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            int c = cmp_text(given[mid].id, given[mid].id_len, x->id, x->id_len);
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        int hit = lo < n && cmp_text(given[lo].id, given[lo].id_len, x->id, x->id_len) == 0;
        b->dense[p] = hit ? lo : NOT_FREQUENT;
        if (hit)
            b->product[lo] = p;
    }
    b->nfreq = n;
    return CRM_OK;
}

enum crm_err crm_basket_count_given(struct crm_store *s, const struct crm_basket_opts *o,
                                    const struct crm_product *given, uint32_t n,
                                    const struct crm_basket_pair *pairs_known, size_t npairs,
                                    uint64_t threshold, struct crm_basket **out,
                                    struct crm_errinfo *e)
{
    if (n > CRM_BASKET_MAX_FREQUENT)
        return crm_errinfo_set(e, CRM_EUSAGE, "%u frequent products: more than %d to pair; "
                               "raise --min-support", n, CRM_BASKET_MAX_FREQUENT);
    enum crm_err rc = crm_basket_count_products(s, o, out, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_basket *b = *out;
    b->given = 1;
    b->threshold = 1;                    /* round 2: count every pair, they merge */
    rc = map_given(b, given, n, e);
    size_t pairs = (size_t)n * (n > 0 ? n - 1 : 0) / 2;
    if (rc == CRM_OK && !(b->pairs = calloc(pairs ? pairs : 1, sizeof *b->pairs)))
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK && !pairs_known && n > 1)
        rc = each_basket(s, b, o->as_of, count_pairs, e);
    if (rc == CRM_OK && pairs_known) {   /* round 3: triples of the pairs frequent overall */
        b->threshold = threshold ? threshold : 1;
        for (size_t k = 0; k < npairs; k++)
            if (pairs_known[k].i < pairs_known[k].j && pairs_known[k].j < n)
                b->pairs[pair_at(n, pairs_known[k].i, pairs_known[k].j)] =
                    (uint32_t)pairs_known[k].count;
        if (n > 2)
            rc = each_basket(s, b, o->as_of, count_triples, e);
    }
    if (rc != CRM_OK) {
        crm_basket_free(b);
        *out = NULL;
    }
    return rc;
}

uint64_t crm_basket_pair(const struct crm_basket *b, uint32_t i, uint32_t j)
{
    return i < j && j < b->nfreq ? b->pairs[pair_at(b->nfreq, i, j)] : 0;
}

void crm_basket_each_triple(const struct crm_basket *b,
                            void (*fn)(void *ctx, uint32_t i, uint32_t j, uint32_t k,
                                       uint64_t count),
                            void *ctx)
{
    for (size_t t = 0; t < b->tri_cap; t++)
        if (b->tri[t].key) {
            uint64_t key = b->tri[t].key;
            fn(ctx, (uint32_t)(key >> 42) - 1u, (uint32_t)(key >> 21) & 0x1fffffu,
               (uint32_t)key & 0x1fffffu, b->tri[t].count);
        }
}

size_t crm_basket_triples(const struct crm_basket *b)
{
    return b->tri_n;
}

enum crm_err crm_basket_from_counts(uint64_t baskets, uint64_t threshold,
                                    const struct crm_product *prods, const uint64_t *counts,
                                    uint32_t n, struct crm_basket **out,
                                    struct crm_errinfo *e)
{
    *out = NULL;
    if (n > CRM_BASKET_MAX_FREQUENT)
        return crm_errinfo_set(e, CRM_EUSAGE, "%u frequent products: more than %d to pair",
                               n, CRM_BASKET_MAX_FREQUENT);
    struct crm_basket *b = calloc(1, sizeof *b);
    size_t text = 0;
    for (uint32_t i = 0; i < n; i++)
        text += prods[i].id_len + prods[i].name_len + prods[i].category_len + 3;
    size_t np = n ? n : 1;
    if (b) {
        b->own = malloc(np * sizeof *b->own);
        b->own_text = malloc(text + 1);
        b->ptab = malloc(np * sizeof *b->ptab);
        b->count = malloc(np * sizeof *b->count);
        b->dense = malloc(np * sizeof *b->dense);
        b->product = malloc(np * sizeof *b->product);
        size_t pairs = (size_t)n * (n > 0 ? n - 1 : 0) / 2;
        b->pairs = calloc(pairs ? pairs : 1, sizeof *b->pairs);
    }
    if (!b || !b->own || !b->own_text || !b->ptab || !b->count || !b->dense || !b->product ||
        !b->pairs) {
        crm_basket_free(b);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    char *t = b->own_text;
    for (uint32_t i = 0; i < n; i++) {
        struct crm_product *q = &b->own[i];
        *q = prods[i];
        const char *src[3] = {prods[i].id, prods[i].name, prods[i].category};
        size_t len[3] = {prods[i].id_len, prods[i].name_len, prods[i].category_len};
        const char **dst[3] = {&q->id, &q->name, &q->category};
        for (int k = 0; k < 3; k++) {
            memcpy(t, src[k], len[k]);
            t[len[k]] = '\0';
            *dst[k] = t;
            t += len[k] + 1;
        }
        b->ptab[i] = q;
        b->count[i] = counts[i];
        b->dense[i] = b->product[i] = i;
    }
    b->nptab = b->nprod = b->nfreq = n;
    b->baskets = baskets;
    b->threshold = threshold ? threshold : 1;
    b->as_of = INT32_MAX;
    *out = b;
    return CRM_OK;
}

void crm_basket_add_pair(struct crm_basket *b, uint32_t i, uint32_t j, uint64_t count)
{
    if (i < j && j < b->nfreq)
        b->pairs[pair_at(b->nfreq, i, j)] += (uint32_t)count;
}

enum crm_err crm_basket_add_triple(struct crm_basket *b, uint32_t i, uint32_t j, uint32_t k,
                                   uint64_t count, struct crm_errinfo *e)
{
    if (!(i < j && j < k && k < b->nfreq))
        return CRM_OK;
    struct triple *t = triple_slot(b, triple_key(i, j, k), 1);
    if (!t)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    t->count += (uint32_t)count;
    return CRM_OK;
}

enum crm_err crm_basket_rank(struct crm_basket *b, const struct crm_basket_opts *o,
                             struct crm_errinfo *e)
{
    enum crm_err rc = pair_rules(b, o, e);
    if (rc == CRM_OK && b->tri && o->max_size >= 3)
        rc = triple_rules(b, o, e);
    if (rc == CRM_OK && b->nrules > 1) {
        struct crm_basket_rule *tmp = malloc(b->nrules * sizeof *tmp);
        if (!tmp)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        sort_rules(b, b->rules, b->nrules, tmp);
        free(tmp);
    }
    return rc;
}

void crm_basket_set_origin(struct crm_basket *b, int32_t as_of, double min_support)
{
    b->as_of = as_of;
    b->min_support = min_support;
}

int32_t crm_basket_as_of(const struct crm_basket *b)
{
    return b->as_of;
}

double crm_basket_min_support(const struct crm_basket *b)
{
    return b->min_support;
}
