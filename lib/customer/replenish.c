/* replenish: the purchase-cycle reminder (definitions in replenish.h). Invariant: the
 * (customer, product, day) entries are sorted and made unique before any gap is taken, so
 * two orders of one day are one purchase and the result does not depend on store order. */
#include "customer/replenish.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "text/timeparse.h"

struct buy {
    uint64_t key;              /* customer << 32 | product */
    int32_t day;
};

struct buys {
    struct buy *v;
    size_t n, cap;
};

static int push(struct buys *b, uint64_t key, int32_t day)
{
    struct buy *v = crm_grow(b->v, &b->cap, b->n + 1, sizeof *v, 65536);
    if (!v)
        return -1;
    b->v = v;
    b->v[b->n++] = (struct buy){key, day};
    return 0;
}

static int by_key_day(const void *pa, const void *pb)
{
    const struct buy *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->day > b->day) - (a->day < b->day);
}

static int cmp_i32(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

static enum crm_err gather(struct crm_store *s, int32_t on, struct buys *b,
                           struct crm_errinfo *e)
{
    enum crm_err rc = crm_store_rewind(s, e);
    struct crm_chunk c;
    unsigned cols = CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_STATUS | CRM_COL_ITEMS;
    while (rc == CRM_OK && (rc = crm_store_next(s, &c, cols, e)) == CRM_OK && c.n > 0)
        for (uint32_t i = 0; i < c.n; i++) {
            int32_t day = crm_time_day(c.time[i]);
            if (c.status[i] != CRM_STATUS_PAID || day >= on)
                continue;
            for (uint32_t j = c.item_off[i]; j < c.item_off[i + 1]; j++)
                if ((j == c.item_off[i] || c.item_product[j] != c.item_product[j - 1]) &&
                    push(b, (uint64_t)c.customer[i] << 32 | c.item_product[j], day) != 0)
                    return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for purchase days");
        }
    return rc;
}

static int by_id(const struct crm_store *s, uint32_t a, uint32_t b)
{
    const struct crm_product *x = crm_store_product(s, a), *y = crm_store_product(s, b);
    size_t n = x->id_len < y->id_len ? x->id_len : y->id_len;
    int c = memcmp(x->id, y->id, n);
    return c ? c : (x->id_len > y->id_len) - (x->id_len < y->id_len);
}

/* The cycle of one (customer, product) run of unique days d[0..n); -1 when under 2. */
static int32_t cycle_of(const int32_t *d, size_t n, int32_t *gaps)
{
    if (n < 2)
        return -1;
    for (size_t i = 1; i < n; i++)
        gaps[i - 1] = d[i] - d[i - 1];
    size_t m = n - 1;
    qsort(gaps, m, sizeof *gaps, cmp_i32);
    return m % 2 ? gaps[m / 2] : (int32_t)(((int64_t)gaps[m / 2 - 1] + gaps[m / 2]) / 2);
}

/* Keep the better of two hits of one customer (more purchase days, then product id). */
static void keep_best(const struct crm_store *s, struct crm_replenish_hit *h,
                      const struct crm_replenish_hit *cand)
{
    uint32_t more = h->more + 1;
    if (cand->purchases > h->purchases ||
        (cand->purchases == h->purchases && by_id(s, cand->product, h->product) < 0))
        *h = *cand;
    h->more = more;
}

enum crm_err crm_replenish_due(struct crm_store *s, int32_t on, struct crm_replenish_hit **hits,
                               size_t *n, struct crm_errinfo *e)
{
    *hits = NULL;
    *n = 0;
    if (!crm_store_has_items(s))
        return CRM_OK;
    struct buys b = {0};
    enum crm_err rc = gather(s, on, &b, e);
    qsort(b.v, b.n, sizeof *b.v, by_key_day);
    int32_t *days = malloc((b.n ? b.n : 1) * sizeof *days);
    int32_t *gaps = malloc((b.n ? b.n : 1) * sizeof *gaps);
    struct crm_replenish_hit *out = NULL;
    size_t nout = 0, cap = 0;
    if (rc == CRM_OK && (!days || !gaps))
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for purchase days");
    for (size_t i = 0; rc == CRM_OK && i < b.n;) {
        uint64_t key = b.v[i].key;
        size_t k = 0;
        for (; i < b.n && b.v[i].key == key; i++)
            if (k == 0 || days[k - 1] != b.v[i].day)
                days[k++] = b.v[i].day;
        int32_t cycle = cycle_of(days, k, gaps);
        if (cycle < 0 || days[k - 1] + cycle != on)
            continue;
        struct crm_replenish_hit h = {(uint32_t)(key >> 32), (uint32_t)key, days[k - 1], cycle,
                                      (uint32_t)k, 0};
        if (nout && out[nout - 1].customer == h.customer) {
            keep_best(s, &out[nout - 1], &h);
            continue;
        }
        if (nout == cap) {
            cap = cap ? cap * 2 : 256;
            struct crm_replenish_hit *p = realloc(out, cap * sizeof *p);
            if (!p) {
                rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
                break;
            }
            out = p;
        }
        out[nout++] = h;
    }
    free(b.v);
    free(days);
    free(gaps);
    if (rc != CRM_OK) {
        free(out);
        return rc;
    }
    *hits = out;
    *n = nout;
    return CRM_OK;
}
