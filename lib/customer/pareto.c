/* pareto: ranking and concentration figures over per-customer values (see pareto.h).
 * Invariant of struct crm_pareto: runs strictly descending by value, values >= 0,
 * counts >= 1, customers <= 2^40, total <= INT64_MAX. Every figure is computed from the
 * runs in integers; with those bounds a product such as Σ i·x(i) stays below 2^105, so
 * unsigned 128-bit arithmetic never overflows. */
#include "customer/pareto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "customer/agg.h"
#include "base/buf.h"
#include "base/radix.h"
#include "base/thread.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_CUSTOMERS ((uint64_t)1 << 40)
#define BP 10000u /* basis points in 100 % */

struct crm_pareto {
    struct crm_pareto_run *runs;
    size_t nruns, cap;
    uint64_t customers;
    int64_t total;
};

/* ---- ranking --------------------------------------------------------------------------- */

/* The start position of customer i before the stable sort: its place in id order. */
static enum crm_err start_slot(const uint32_t *id_rank, size_t i, size_t n, size_t *slot,
                               struct crm_errinfo *err)
{
    *slot = id_rank ? id_rank[i] : i;
    if (*slot >= n)
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "id_rank[%zu] = %zu is not below the customer count %zu", i,
                               *slot, n);
    return CRM_OK;
}

static enum crm_err dup_slot(size_t i, struct crm_errinfo *err)
{
    return crm_errinfo_set(err, CRM_EUSAGE, "id_rank is not a permutation (customer %zu)", i);
}

/* value → key ascending in rank order is max − value (descending value). When the keys fit
 * 32 bits, key and customer index pack into one u64 and only the high half is sorted; the
 * initial placement in id order makes the stable sort break ties by id. */
static enum crm_err rank_packed(const int64_t *value, size_t n, int64_t max,
                                const uint32_t *id_rank, uint32_t *order,
                                struct crm_errinfo *err)
{
    uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    enum crm_err rc = CRM_OK;
    if (!a || !b) {
        rc = crm_errinfo_set(err, CRM_ENOMEM, "ranking %zu customers: out of memory", n);
        goto out;
    }
    if (id_rank)
        memset(a, 0xff, n * sizeof *a); /* a free slot; index 2^32-1 never occurs */
    for (size_t i = 0; i < n; i++) {
        size_t slot;
        if ((rc = start_slot(id_rank, i, n, &slot, err)) != CRM_OK)
            goto out;
        if (id_rank && a[slot] != UINT64_MAX) {
            rc = dup_slot(i, err);
            goto out;
        }
        uint64_t key = (uint64_t)max - (uint64_t)value[i];
        a[slot] = key << 32 | (uint64_t)i;
    }
    const uint64_t *sorted = crm_radix_u64(a, b, n, 4);
    for (size_t r = 0; r < n; r++)
        order[r] = (uint32_t)sorted[r];
out:
    free(a);
    free(b);
    return rc;
}

static enum crm_err rank_wide(const int64_t *value, size_t n, int64_t max,
                              const uint32_t *id_rank, uint32_t *order, struct crm_errinfo *err)
{
    struct crm_radix_pair *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    enum crm_err rc = CRM_OK;
    if (!a || !b) {
        rc = crm_errinfo_set(err, CRM_ENOMEM, "ranking %zu customers: out of memory", n);
        goto out;
    }
    if (id_rank)
        for (size_t i = 0; i < n; i++)
            a[i].idx = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t slot;
        if ((rc = start_slot(id_rank, i, n, &slot, err)) != CRM_OK)
            goto out;
        if (id_rank && a[slot].idx != UINT64_MAX) {
            rc = dup_slot(i, err);
            goto out;
        }
        a[slot].key = (uint64_t)max - (uint64_t)value[i];
        a[slot].idx = i;
    }
    const struct crm_radix_pair *sorted = crm_radix_pairs(a, b, n, 0, 0);
    for (size_t r = 0; r < n; r++)
        order[r] = (uint32_t)sorted[r].idx;
out:
    free(a);
    free(b);
    return rc;
}

enum crm_err crm_pareto_rank(const int64_t *value, size_t n, const uint32_t *id_rank,
                             uint32_t *order, struct crm_errinfo *err)
{
    if (n == 0)
        return CRM_OK;
    if (n > UINT32_MAX)
        return crm_errinfo_set(err, CRM_EUSAGE, "cannot rank %zu customers (at most %u)", n,
                               UINT32_MAX);
    int64_t min = value[0], max = value[0];
    for (size_t i = 1; i < n; i++) {
        if (value[i] < min)
            min = value[i];
        if (value[i] > max)
            max = value[i];
    }
    if ((uint64_t)max - (uint64_t)min <= UINT32_MAX)
        return rank_packed(value, n, max, id_rank, order, err);
    return rank_wide(value, n, max, id_rank, order, err);
}

/* Merge sort of customer indexes by id; equal ids keep index order so the result never
 * depends on the sort's path. */
struct idsort {
    int (*cmp)(uint32_t a, uint32_t b, void *ctx);
    void *ctx;
};

static int id_before(const struct idsort *s, uint32_t a, uint32_t b)
{
    int c = s->cmp(a, b, s->ctx);
    return c < 0 || (c == 0 && a < b);
}

static void merge_sort(const struct idsort *s, uint32_t *v, uint32_t *tmp, size_t n)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = v[i];
            size_t j = i;
            for (; j > 0 && id_before(s, x, v[j - 1]); j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(s, v, tmp, h);
    merge_sort(s, v + h, tmp, n - h);
    if (!id_before(s, v[h], v[h - 1]))
        return;
    memcpy(tmp, v, h * sizeof *v);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        v[k++] = id_before(s, v[j], tmp[i]) ? v[j++] : tmp[i++];
    while (i < h)
        v[k++] = tmp[i++];
}

enum crm_err crm_pareto_rank_cmp(const int64_t *value, size_t n,
                                 int (*id_cmp)(uint32_t a, uint32_t b, void *ctx), void *ctx,
                                 uint32_t *order, struct crm_errinfo *err)
{
    enum crm_err rc = crm_pareto_rank(value, n, NULL, order, err);
    if (rc != CRM_OK || n == 0)
        return rc;
    size_t longest = 1;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && value[order[j]] == value[order[i]]; j++)
            ;
        if (j - i > longest)
            longest = j - i;
    }
    if (longest == 1)
        return CRM_OK;
    uint32_t *tmp = malloc((longest / 2 + 1) * sizeof *tmp);
    if (!tmp)
        return crm_errinfo_set(err, CRM_ENOMEM, "ranking ties: out of memory");
    const struct idsort s = {id_cmp, ctx};
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && value[order[j]] == value[order[i]]; j++)
            ;
        if (j - i > 1)
            merge_sort(&s, order + i, tmp, j - i);
    }
    free(tmp);
    return CRM_OK;
}

int crm_pareto_cmp_str(uint32_t a, uint32_t b, void *ctx)
{
    const char *const *ids = ctx;
    return strcmp(ids[a], ids[b]);
}

/* Ids as text: the customer's id bytes from the caller, compared like memcmp with the
 * shorter id first on a common prefix (strcmp order for ids without NUL). */
struct idtext {
    const char *(*id_of)(uint32_t i, size_t *len, void *ctx);
    void *ctx;
};

static int idtext_cmp(uint32_t a, uint32_t b, void *ctx)
{
    const struct idtext *t = ctx;
    size_t la, lb;
    const char *sa = t->id_of(a, &la, t->ctx), *sb = t->id_of(b, &lb, t->ctx);
    int c = memcmp(sa, sb, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

const char *crm_pareto_id_cstr(uint32_t i, size_t *len, void *ctx)
{
    const char *s = ((const char *const *)ctx)[i];
    *len = strlen(s);
    return s;
}

/* A word loaded from memory, read as its bytes in big-endian order. */
static inline uint64_t big_endian(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(w);
#else
    return w;
#endif
}

/* 8 id bytes from `from` on, big-endian and zero padded: as integers they order ids as
 * memcmp does, except for ties that a full comparison settles. */
static uint64_t id_prefix(const char *s, size_t len, size_t from)
{
    uint64_t k = 0;
    if (from + 8 <= len) {             /* the usual id: eight bytes at once */
        memcpy(&k, s + from, 8);
        return big_endian(k);
    }
    for (size_t j = 0; j < 8; j++)
        k = k << 8 | (from + j < len ? (unsigned char)s[from + j] : 0u);
    return k;
}

/* Length of the prefix ids from..to-1 share with the first id ("C000…"); the least over
 * all ids is where the keys start, so that they tell ids apart. */
static size_t common_prefix(const struct idtext *t, size_t from, size_t to)
{
    size_t lcp;
    const char *first = t->id_of(0, &lcp, t->ctx);
    for (size_t i = from; i < to && lcp; i++) {
        size_t len, j = 0;
        const char *s = t->id_of((uint32_t)i, &len, t->ctx);
        size_t m = len < lcp ? len : lcp;
        while (j < m && s[j] == first[j])
            j++;
        lcp = j;
    }
    return lcp;
}

/* Ranks by id within one value: the 8-byte keys first (in memory), the ids' text only
 * where two keys agree. */
struct keyed {
    const uint64_t *key;
    struct idsort by_id;
};

static int key_before(const struct keyed *k, uint32_t a, uint32_t b)
{
    if (k->key[a] != k->key[b])
        return k->key[a] < k->key[b];
    return id_before(&k->by_id, a, b);
}

/* order[0..m) (one value's customers) by id: a short run by insertion on the keys; a long
 * one by a radix sort of (key, customer) pairs, then comparisons within equal keys
 * (comparisons alone when the pairs' memory cannot be had). tmp holds m / 2 + 1. */
static void sort_run_by_id(const struct keyed *k, uint32_t *order, size_t m, uint32_t *tmp)
{
    struct crm_radix_pair *a = m > 32 ? malloc(2 * m * sizeof *a) : NULL;
    if (!a) {
        for (size_t i = 1; i < m; i++) {
            uint32_t x = order[i];
            size_t j = i;
            for (; j > 0 && key_before(k, x, order[j - 1]); j--)
                order[j] = order[j - 1];
            order[j] = x;
        }
        return;
    }
    for (size_t i = 0; i < m; i++) {
        a[i].key = k->key[order[i]];
        a[i].idx = order[i];
    }
    const struct crm_radix_pair *sorted = crm_radix_pairs(a, a + m, m, 0, 0);
    for (size_t i = 0; i < m; i++)
        order[i] = (uint32_t)sorted[i].idx;
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i + 1; j < m && sorted[j].key == sorted[i].key; j++)
            ;
        if (j - i > 1)
            merge_sort(&k->by_id, order + i, tmp, j - i);
    }
    free(a);
}

size_t crm_pareto_rank_scratch(size_t n)
{
    return 3 * n * sizeof(uint64_t) + (n / 2 + 1) * sizeof(uint32_t);
}

enum crm_err crm_pareto_rank_ids(const int64_t *value, size_t n,
                                 const char *(*id_of)(uint32_t i, size_t *len, void *ctx),
                                 void *ctx, uint32_t *order, struct crm_errinfo *err)
{
    return crm_pareto_rank_ids_in(value, n, id_of, ctx, order, NULL, 0, err);
}

/* The ranking's preparation, by halves of the customers: first (keys 0) each half's value
 * range and shared id prefix; then (keys 1) each customer's id key and sort word. */
struct prep {
    const int64_t *value;
    size_t n;
    const struct idtext *t;
    int64_t min[2], max[2];
    size_t lcps[2];
    int keys;
    size_t lcp;
    int64_t vmax;
    uint64_t *key, *a;
};

static void prep_part(void *ctx, int part)
{
    struct prep *j = ctx;
    const size_t from = part ? j->n / 2 : 0, to = part ? j->n : j->n / 2;
    if (!j->keys) {
        int64_t lo = j->value[from < to ? from : 0], hi = lo;
        for (size_t i = from; i < to; i++) {
            lo = j->value[i] < lo ? j->value[i] : lo;
            hi = j->value[i] > hi ? j->value[i] : hi;
        }
        j->min[part] = lo;
        j->max[part] = hi;
        j->lcps[part] = common_prefix(j->t, from, to);
        return;
    }
    for (size_t i = from; i < to; i++) {   /* in dictionary order: the ids' text in turn */
        size_t len;
        const char *s = j->t->id_of((uint32_t)i, &len, j->t->ctx);
        j->key[i] = id_prefix(s, len, j->lcp);
        j->a[i] = ((uint64_t)j->vmax - (uint64_t)j->value[i]) << 32 | (uint64_t)i;
    }
}

/* The values in rank order from the ranking itself (ranked NULL: not wanted). */
static void values_in_order(const int64_t *value, const uint32_t *order, size_t n,
                            int64_t *ranked)
{
    for (size_t r = 0; ranked && r < n; r++) {
        if (r + 16 < n)
            __builtin_prefetch(&value[order[r + 16]]);
        ranked[r] = value[order[r]];
    }
}

/* crm_pareto_rank_ids_in, also writing ranked[r] = value[order[r]] when ranked is not NULL:
 * read off the sort's keys in sequence, not fetched through order at random. */
static enum crm_err rank_ids(const int64_t *value, size_t n,
                             const char *(*id_of)(uint32_t i, size_t *len, void *ctx),
                             void *ctx, uint32_t *order, void *scratch, size_t scratch_len,
                             int64_t *ranked, struct crm_errinfo *err)
{
    struct idtext t = {id_of, ctx};
    enum crm_err rc;
    if (n == 0 || n > UINT32_MAX)
        return crm_pareto_rank(value, n, NULL, order, err); /* nothing to do, or refused */
    struct prep pj = {.value = value, .n = n, .t = &t};
    crm_thread_halves(prep_part, &pj, n);     /* each half's range and id prefix */
    int64_t min = pj.min[0] < pj.min[1] ? pj.min[0] : pj.min[1];
    int64_t max = pj.max[0] > pj.max[1] ? pj.max[0] : pj.max[1];
    if ((uint64_t)max - (uint64_t)min > UINT32_MAX) { /* rare: money beyond 2^32 minor units */
        if ((rc = crm_pareto_rank_cmp(value, n, idtext_cmp, &t, order, err)) == CRM_OK)
            values_in_order(value, order, n, ranked);
        return rc;
    }
    uint64_t *a, *b, *key;
    uint32_t *tmp;
    void *own = NULL;
    if (!scratch || scratch_len < crm_pareto_rank_scratch(n))
        scratch = own = malloc(crm_pareto_rank_scratch(n));
    if (!scratch)
        return crm_errinfo_set(err, CRM_ENOMEM, "ranking %zu customers: out of memory", n);
    a = scratch;
    b = a + n;
    key = b + n;
    tmp = (uint32_t *)(key + n);
    /* By value (descending) first: (max - value) << 32 | position, a stable radix sort of
     * the top 4 bytes only, so a value's customers stay in position order; then each run of
     * one value by the ids' keys (radix-sorting every customer's key first, as before, took
     * 6-8 passes of 16-byte pairs over all customers for runs that are mostly short). */
    pj.lcp = pj.lcps[0] < pj.lcps[1] ? pj.lcps[0] : pj.lcps[1];
    pj.vmax = max;
    pj.key = key;
    pj.a = a;
    pj.keys = 1;
    crm_thread_halves(prep_part, &pj, n);     /* the keys and the sort's words */
    const struct keyed k = {key, {idtext_cmp, &t}};
    const uint64_t *sorted = crm_radix_u64(a, b, n, 4);
    for (size_t r = 0; r < n; r++)
        order[r] = (uint32_t)sorted[r];
    for (size_t r = 0; ranked && r < n; r++)   /* the sort by id below keeps each value's place */
        ranked[r] = (int64_t)((uint64_t)max - (sorted[r] >> 32));
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && sorted[j] >> 32 == sorted[i] >> 32; j++)
            ;
        if (j - i > 1)
            sort_run_by_id(&k, order + i, j - i, tmp);
    }
    free(own);
    return CRM_OK;
}

enum crm_err crm_pareto_rank_ids_in(const int64_t *value, size_t n,
                                    const char *(*id_of)(uint32_t i, size_t *len, void *ctx),
                                    void *ctx, uint32_t *order, void *scratch,
                                    size_t scratch_len, struct crm_errinfo *err)
{
    return rank_ids(value, n, id_of, ctx, order, scratch, scratch_len, NULL, err);
}

/* ---- building the distribution ----------------------------------------------------------- */

static struct crm_pareto *dist_new(void)
{
    return calloc(1, sizeof(struct crm_pareto));
}

void crm_pareto_free(struct crm_pareto *p)
{
    if (!p)
        return;
    free(p->runs);
    free(p);
}

/* Append count customers of value v, keeping every invariant. */
static enum crm_err push(struct crm_pareto *p, int64_t v, uint64_t count,
                         struct crm_errinfo *err)
{
    if (v < 0)
        return crm_errinfo_set(err, CRM_EDATA,
                               "negative value %lld: concentration needs values >= 0",
                               (long long)v);
    if (count == 0)
        return crm_errinfo_set(err, CRM_EDATA, "run of value %lld has count 0", (long long)v);
    if (count > MAX_CUSTOMERS - p->customers)
        return crm_errinfo_set(err, CRM_EDATA, "more than 2^40 customers");
    u128 add = (u128)(uint64_t)v * count;
    if (add > (u128)(INT64_MAX - p->total))
        return crm_errinfo_set(err, CRM_EDATA, "total value exceeds %lld minor units",
                               (long long)INT64_MAX);
    struct crm_pareto_run *last = p->nruns ? &p->runs[p->nruns - 1] : NULL;
    if (last && v > last->value)
        return crm_errinfo_set(err, CRM_EDATA,
                               "values not in descending order (%lld after %lld)",
                               (long long)v, (long long)last->value);
    if (last && v == last->value) {
        last->count += count;
    } else {
        struct crm_pareto_run *r = crm_grow(p->runs, &p->cap, p->nruns + 1, sizeof *r, 64);
        if (!r)
            return crm_errinfo_set(err, CRM_ENOMEM, "value runs: out of memory");
        p->runs = r;
        p->runs[p->nruns].value = v;
        p->runs[p->nruns].count = count;
        p->nruns++;
    }
    p->customers += count;
    p->total += (int64_t)add;
    return CRM_OK;
}

static enum crm_err finish(struct crm_pareto *p, enum crm_err rc, struct crm_pareto **out)
{
    if (rc != CRM_OK) {
        crm_pareto_free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}

enum crm_err crm_pareto_new_ranked(const int64_t *value, const uint32_t *order, size_t n,
                                   struct crm_pareto **out, struct crm_errinfo *err)
{
    struct crm_pareto *p = dist_new();
    if (!p)
        return finish(p, crm_errinfo_set(err, CRM_ENOMEM, "out of memory"), out);
    enum crm_err rc = CRM_OK;
    for (size_t r = 0; r < n && rc == CRM_OK; r++) {
        if (order && r + 16 < n)   /* ranks visit the values at random: fetch ahead */
            __builtin_prefetch(&value[order[r + 16]]);
        rc = push(p, value[order ? order[r] : r], 1, err);
    }
    return finish(p, rc, out);
}

enum crm_err crm_pareto_new(const int64_t *value, size_t n, struct crm_pareto **out,
                            struct crm_errinfo *err)
{
    struct crm_pareto *p = dist_new();
    uint64_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    enum crm_err rc = CRM_OK;
    if (!p || !a || !b) {
        rc = crm_errinfo_set(err, CRM_ENOMEM, "sorting %zu values: out of memory", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (value[i] < 0) {
            rc = push(p, value[i], 1, err); /* reports the negative value */
            goto out;
        }
        a[i] = (uint64_t)value[i];
    }
    const uint64_t *sorted = n ? crm_radix_u64(a, b, n, 0) : a;
    for (size_t i = n; i-- > 0 && rc == CRM_OK;)
        rc = push(p, (int64_t)sorted[i], 1, err);
out:
    free(a);
    free(b);
    return finish(p, rc, out);
}

enum crm_err crm_pareto_new_runs(const struct crm_pareto_run *runs, size_t nruns,
                                 struct crm_pareto **out, struct crm_errinfo *err)
{
    struct crm_pareto *p = dist_new();
    if (!p)
        return finish(p, crm_errinfo_set(err, CRM_ENOMEM, "out of memory"), out);
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < nruns && rc == CRM_OK; i++)
        rc = push(p, runs[i].value, runs[i].count, err);
    return finish(p, rc, out);
}

/* k-way merge with a binary max-heap of partition numbers keyed by their next run. */
struct heap {
    const struct crm_pareto *const *parts;
    size_t *next; /* next run of each partition */
    size_t *h, n;
};

static int64_t head(const struct heap *q, size_t part)
{
    return q->parts[part]->runs[q->next[part]].value;
}

static void sift_down(struct heap *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->n && head(q, q->h[l]) > head(q, q->h[m]))
            m = l;
        if (r < q->n && head(q, q->h[r]) > head(q, q->h[m]))
            m = r;
        if (m == i)
            return;
        size_t t = q->h[i];
        q->h[i] = q->h[m];
        q->h[m] = t;
        i = m;
    }
}

enum crm_err crm_pareto_merge(const struct crm_pareto *const *parts, size_t nparts,
                              struct crm_pareto **out, struct crm_errinfo *err)
{
    struct crm_pareto *p = dist_new();
    struct heap q = {parts, calloc(nparts + 1, sizeof(size_t)),
                     calloc(nparts + 1, sizeof(size_t)), 0};
    enum crm_err rc = CRM_OK;
    if (!p || !q.next || !q.h) {
        rc = crm_errinfo_set(err, CRM_ENOMEM, "merging %zu partials: out of memory", nparts);
        goto out;
    }
    for (size_t i = 0; i < nparts; i++)
        if (parts[i] && parts[i]->nruns)
            q.h[q.n++] = i;
    for (size_t i = q.n / 2; i-- > 0;)
        sift_down(&q, i);
    while (q.n && rc == CRM_OK) {
        size_t part = q.h[0];
        const struct crm_pareto_run *run = &parts[part]->runs[q.next[part]];
        rc = push(p, run->value, run->count, err);
        if (++q.next[part] == parts[part]->nruns)
            q.h[0] = q.h[--q.n];
        sift_down(&q, 0);
    }
out:
    free(q.next);
    free(q.h);
    return finish(p, rc, out);
}

uint64_t crm_pareto_customers(const struct crm_pareto *p)
{
    return p->customers;
}

int64_t crm_pareto_total(const struct crm_pareto *p)
{
    return p->total;
}

const struct crm_pareto_run *crm_pareto_runs(const struct crm_pareto *p, size_t *nruns)
{
    *nruns = p->nruns;
    return p->runs;
}

/* ---- figures ---------------------------------------------------------------------------- */

/* A forward walk over ranks: cum = value held by the top `pos` customers. */
struct walk {
    const struct crm_pareto *p;
    size_t run;
    uint64_t off, pos, cum;
};

static void walk_to(struct walk *w, uint64_t pos)
{
    while (w->pos < pos) {
        const struct crm_pareto_run *r = &w->p->runs[w->run];
        uint64_t step = r->count - w->off;
        if (step > pos - w->pos)
            step = pos - w->pos;
        w->cum += (uint64_t)r->value * step;
        w->pos += step;
        w->off += step;
        if (w->off == r->count) {
            w->run++;
            w->off = 0;
        }
    }
}

/* Value of the customer at w->pos (0 past the end). */
static uint64_t walk_value(const struct walk *w)
{
    return w->run < w->p->nruns ? (uint64_t)w->p->runs[w->run].value : 0;
}

static double ratio(u128 num, u128 den)
{
    return den ? (double)num / (double)den : 0.0;
}

/* Numerator over den·total of C(j/den): the top j/den of customers, interpolated. */
static u128 top_numer(struct walk *w, uint64_t j, uint64_t den)
{
    u128 at = (u128)j * w->p->customers;
    walk_to(w, (uint64_t)(at / den));
    uint64_t rem = (uint64_t)(at % den);
    return (u128)w->cum * den + (rem ? (u128)rem * walk_value(w) : 0);
}

double crm_pareto_top_share(const struct crm_pareto *p, uint64_t num, uint64_t den)
{
    if (den == 0)
        return 0.0;
    if (num > den)
        num = den;
    if (p->total == 0)
        return (double)num / (double)den;
    struct walk w = {p, 0, 0, 0, 0};
    return ratio(top_numer(&w, num, den), (u128)den * (uint64_t)p->total);
}

double crm_pareto_gini(const struct crm_pareto *p)
{
    if (p->total == 0)
        return 0.0;
    const uint64_t n = p->customers;
    u128 s = 0; /* Σ i·x(i), i = ascending position 1..n */
    uint64_t d = 0; /* descending position where the run starts */
    for (size_t k = 0; k < p->nruns; k++) {
        const uint64_t c = p->runs[k].count;
        /* the run occupies ascending positions n-d-c+1 .. n-d */
        u128 pos_sum = (u128)c * (n - d) - (u128)c * (c - 1) / 2;
        s += pos_sum * (uint64_t)p->runs[k].value;
        d += c;
    }
    const u128 t = (uint64_t)p->total, lhs = 2 * s, rhs = (u128)(n + 1) * t;
    return lhs > rhs ? ratio(lhs - rhs, (u128)n * t) : 0.0;
}

uint64_t crm_pareto_count_below(const struct crm_pareto *p, unsigned cut_bp)
{
    const uint64_t n = p->customers;
    if (p->total == 0) { /* customer r holds r/n before it */
        u128 k = ((u128)cut_bp * n + BP - 1) / BP;
        return k < n ? (uint64_t)k : n;
    }
    const u128 limit = (u128)cut_bp * (uint64_t)p->total;
    uint64_t count = 0, cum = 0;
    for (size_t k = 0; k < p->nruns; k++) {
        const uint64_t v = (uint64_t)p->runs[k].value, c = p->runs[k].count;
        if ((u128)cum * BP >= limit)
            break;
        /* j-th customer of the run counts when (cum + j·v)·BP < limit */
        u128 room = limit - (u128)cum * BP;
        u128 fit = v ? (room + (u128)v * BP - 1) / ((u128)v * BP) : c;
        if (fit < c) {
            count += (uint64_t)fit;
            break;
        }
        count += c;
        cum += v * c;
    }
    return count;
}

double crm_pareto_customers_at_share(const struct crm_pareto *p, unsigned cut_bp)
{
    const uint64_t n = p->customers;
    if (n == 0 || p->total == 0 || cut_bp == 0)
        return n ? (double)cut_bp / BP : 0.0;
    const u128 limit = (u128)cut_bp * (uint64_t)p->total;
    uint64_t cum = 0, d = 0;
    for (size_t k = 0; k < p->nruns; k++) {
        const uint64_t v = (uint64_t)p->runs[k].value, c = p->runs[k].count;
        if ((u128)(cum + v * c) * BP >= limit) {
            double within = ratio(limit - (u128)cum * BP, (u128)v * BP);
            return ((double)d + within) / (double)n;
        }
        cum += v * c;
        d += c;
    }
    return 1.0;
}

enum crm_err crm_pareto_curve(const struct crm_pareto *p, size_t npoints,
                              enum crm_pareto_curve_order order, double *x, double *y,
                              struct crm_errinfo *err)
{
    if (npoints == 0 || npoints > UINT32_MAX)
        return crm_errinfo_set(err, CRM_EUSAGE, "curve points must be 1..%u, not %zu",
                               UINT32_MAX, npoints);
    const uint64_t N = npoints;
    const u128 den = (u128)N * (uint64_t)p->total;
    struct walk w = {p, 0, 0, 0, 0};
    for (uint64_t j = 0; j <= N; j++) {
        if (x)
            x[j] = (double)j / (double)N;
        if (!y)
            continue;
        if (p->total == 0) {
            y[j] = (double)j / (double)N;
        } else if (order == CRM_PARETO_CUMULATIVE) {
            y[j] = ratio(top_numer(&w, j, N), den);
        } else { /* L(p) = 1 − C(1 − p), exactly, walking C forwards */
            y[N - j] = ratio(den - top_numer(&w, j, N), den);
        }
    }
    return CRM_OK;
}

size_t crm_pareto_bins(const struct crm_pareto *p, size_t nbins, uint64_t *bin_end,
                       int64_t *bin_sum)
{
    const uint64_t n = p->customers;
    if (nbins > n)
        nbins = (size_t)n;
    struct walk w = {p, 0, 0, 0, 0};
    for (size_t b = 0; b < nbins; b++) {
        uint64_t before = w.cum;
        walk_to(&w, (uint64_t)((u128)(b + 1) * n / nbins));
        if (bin_end)
            bin_end[b] = w.pos;
        if (bin_sum)
            bin_sum[b] = (int64_t)(w.cum - before);
    }
    return nbins;
}

static enum crm_err check_cuts(unsigned a_bp, unsigned b_bp, struct crm_errinfo *err)
{
    if (a_bp > b_bp || b_bp > BP)
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "ABC cuts must satisfy A <= B <= 100 %% (got %u, %u bp)", a_bp,
                               b_bp);
    return CRM_OK;
}

enum crm_err crm_pareto_summarize(const struct crm_pareto *p, unsigned a_bp, unsigned b_bp,
                                  struct crm_pareto_summary *out, struct crm_errinfo *err)
{
    enum crm_err rc = check_cuts(a_bp, b_bp, err);
    if (rc != CRM_OK)
        return rc;
    memset(out, 0, sizeof *out);
    const uint64_t n = p->customers;
    out->customers = n;
    out->total_value = p->total;
    out->top20_share = crm_pareto_top_share(p, 1, 5);
    out->customers_for_80 = n ? (double)crm_pareto_count_below(p, 8000) / (double)n : 0.0;
    out->gini = crm_pareto_gini(p);
    const uint64_t a = crm_pareto_count_below(p, a_bp), ab = crm_pareto_count_below(p, b_bp);
    struct walk w = {p, 0, 0, 0, 0};
    walk_to(&w, a);
    const uint64_t value_a = w.cum;
    walk_to(&w, ab);
    out->class_customers[0] = a;
    out->class_customers[1] = ab - a;
    out->class_customers[2] = n - ab;
    out->class_value[0] = (int64_t)value_a;
    out->class_value[1] = (int64_t)(w.cum - value_a);
    out->class_value[2] = p->total - (int64_t)w.cum;
    return CRM_OK;
}

/* One percentage with at most two decimals, as basis points. */
static const char *parse_percent(const char *s, unsigned *bp)
{
    unsigned whole = 0, frac = 0, digits = 0, fdigits = 0;
    while (*s == ' ')
        s++;
    for (; *s >= '0' && *s <= '9' && whole <= 100; s++, digits++)
        whole = whole * 10 + (unsigned)(*s - '0');
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9' && fdigits < 3; s++, fdigits++)
            frac = frac * 10 + (unsigned)(*s - '0');
    while (*s == ' ')
        s++;
    if (digits == 0 || fdigits > 2 || whole > 100)
        return NULL;
    *bp = whole * 100 + (fdigits == 1 ? frac * 10 : frac);
    return s;
}

enum crm_err crm_pareto_parse_abc(const char *text, unsigned *a_bp, unsigned *b_bp,
                                  struct crm_errinfo *err)
{
    unsigned a = 0, b = 0;
    const char *s = parse_percent(text, &a);
    if (s && *s == ',')
        s = parse_percent(s + 1, &b);
    else
        s = NULL;
    if (!s || *s || a == 0 || a > b || b > BP)
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "--abc wants two percents A,B with 0 < A <= B <= 100 "
                               "(e.g. 80,95), not \"%s\"",
                               text);
    *a_bp = a;
    *b_bp = b;
    return CRM_OK;
}

/* ---- per-customer rows ---------------------------------------------------------------- */

void crm_pareto_cursor_init(struct crm_pareto_cursor *c, const struct crm_pareto *p,
                            unsigned a_bp, unsigned b_bp)
{
    c->customers = p->customers;
    c->rank = 0;
    c->total = p->total;
    c->cum = 0;
    c->last = INT64_MAX;
    c->a_bp = a_bp;
    c->b_bp = b_bp;
}

void crm_pareto_row_at(const struct crm_pareto_cursor *c, int64_t value,
                       struct crm_pareto_row *row)
{
    const double n = (double)c->customers;
    u128 before, a_lim, b_lim; /* class test: before < cut · whole */
    if (c->total > 0) {
        before = (u128)(uint64_t)c->cum * BP;
        a_lim = (u128)c->a_bp * (uint64_t)c->total;
        b_lim = (u128)c->b_bp * (uint64_t)c->total;
        row->share = (double)value / (double)c->total;
        row->cum_value = (double)(c->cum + value) / (double)c->total;
    } else {
        before = (u128)c->rank * BP;
        a_lim = (u128)c->a_bp * c->customers;
        b_lim = (u128)c->b_bp * c->customers;
        row->share = 1.0 / n;
        row->cum_value = (double)(c->rank + 1) / n;
    }
    row->abc = before < a_lim ? 'A' : before < b_lim ? 'B' : 'C';
    row->rank = c->rank + 1;
    row->value = value;
    row->cum_customers = (double)(c->rank + 1) / n;
}

enum crm_err crm_pareto_cursor_next(struct crm_pareto_cursor *c, int64_t value,
                                    struct crm_pareto_row *row, struct crm_errinfo *err)
{
    if (c->rank >= c->customers)
        return crm_errinfo_set(err, CRM_EUSAGE, "more ranked customers than the %llu counted",
                               (unsigned long long)c->customers);
    if (value < 0 || value > c->last || value > c->total - c->cum)
        return crm_errinfo_set(err, CRM_EUSAGE,
                               "rank %llu: value %lld does not follow the ranked values",
                               (unsigned long long)c->rank + 1, (long long)value);
    if (row)
        crm_pareto_row_at(c, value, row);
    c->rank++;
    c->cum += value;
    c->last = value;
    return CRM_OK;
}

/* ---- the ranked population ------------------------------------------------------------ */

/* Who is ranked, by halves of the store's customers: first (fill 0) each half counts its
 * customers with a paid order, then (fill 1) writes them from its place in the output. */
struct collect {
    const struct crm_agg *a;
    enum crm_pareto_by by;
    struct crm_pareto_input *out;
    int fill;
    size_t count[2];
    uint64_t floored[2];
};

static void collect_part(void *ctx, int part)
{
    struct collect *j = ctx;
    const struct crm_agg *a = j->a;
    const uint32_t from = part ? a->n / 2 : 0, to = part ? a->n : a->n / 2;
    if (!j->fill) {
        size_t n = 0;
        for (uint32_t c = from; c < to; c++)
            n += a->cust[c].paid_orders > 0;
        j->count[part] = n;
        return;
    }
    size_t k = part ? j->count[0] : 0;
    for (uint32_t c = from; c < to; c++) {
        const struct crm_cust *cu = &a->cust[c];
        if (cu->paid_orders == 0)
            continue;
        int64_t v = j->by == CRM_PARETO_FREQUENCY ? (int64_t)cu->paid_orders : cu->paid_money;
        if (j->by == CRM_PARETO_NET) {
            v -= a->more[c].refund_money; /* both >= 0: no overflow */
            if (v < 0) {
                v = 0;
                j->floored[part]++;
            }
        }
        j->out->customer[k] = c;
        j->out->value[k++] = v;
    }
}

enum crm_err crm_pareto_collect(const struct crm_agg *a, enum crm_pareto_by by,
                                struct crm_pareto_input *out, struct crm_errinfo *err)
{
    memset(out, 0, sizeof *out);
    struct collect j = {.a = a, .by = by, .out = out};
    crm_thread_halves(collect_part, &j, a->n);
    size_t n = j.count[0] + j.count[1];
    out->customer = malloc((n ? n : 1) * sizeof *out->customer);
    out->value = malloc((n ? n : 1) * sizeof *out->value);
    if (!out->customer || !out->value) {
        crm_pareto_input_free(out);
        return crm_errinfo_set(err, CRM_ENOMEM, "values of %zu customers: out of memory", n);
    }
    j.fill = 1;
    crm_thread_halves(collect_part, &j, a->n);
    out->n = n;
    out->floored = j.floored[0] + j.floored[1];
    return CRM_OK;
}

void crm_pareto_input_free(struct crm_pareto_input *in)
{
    if (!in)
        return;
    free(in->customer);
    free(in->value);
    in->customer = NULL;
    in->value = NULL;
    in->n = 0;
}

/* Ids of the input's customers, by position in the input. */
struct input_ids {
    const struct crm_store *store;
    const uint32_t *customer;
};

static const char *input_id(uint32_t i, size_t *len, void *ctx)
{
    const struct input_ids *t = ctx;
    return crm_store_customer_id(t->store, t->customer[i], len);
}

enum crm_err crm_pareto_rank_input(const struct crm_pareto_input *in,
                                   const struct crm_store *s, uint32_t *order,
                                   void *scratch, size_t scratch_len, int64_t *ranked,
                                   struct crm_errinfo *err)
{
    struct input_ids ids = {s, in->customer};
    enum crm_err rc = rank_ids(in->value, in->n, input_id, &ids, order, scratch, scratch_len,
                               ranked, err);
    return rc;
}
