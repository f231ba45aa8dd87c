/* agg: one pass over a store into dense per-customer arrays (see agg.h). Invariant: the
 * arrays always cover every dictionary entry read so far (they grow with DICT blocks). */
#include "customer/agg.h"

#include <stdlib.h>
#include <string.h>

#include "base/ahead.h"
#include "base/bigmem.h"
#include "text/timeparse.h"

/* m NULL: a pass of paid orders alone (crm_agg_opts.paid_only). */
static void init_cust(struct crm_cust *c, struct crm_cust_more *m, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        c[i] = (struct crm_cust){0, CRM_NO_DAY, CRM_NO_DAY, 0, 0, CRM_NO_DAY, CRM_NO_DAY};
    for (size_t i = from; m && i < to; i++)
        m[i] = (struct crm_cust_more){0, 0, 0, 0, CRM_NO_DAY};
}

/* Room for `need` customers. The capacity doubles (crm_big_realloc moves big arrays with
 * mremap: no copy, no fresh zeroing), but only the entries up to `need` are initialised,
 * so the pages of the spare capacity are never touched and cost no memory. */
static int grow(struct crm_agg *a, uint32_t need, uint32_t *cap, uint32_t *ready)
{
    if (need > *cap) {
        uint32_t n = crm_big_capacity(*cap, need);
        struct crm_cust *c = crm_big_realloc(a->cust, (size_t)*cap * sizeof *c,
                                             (size_t)n * sizeof *c);
        if (!c)
            return -1;
        a->cust = c;
        struct crm_cust_more *m = a->paid_only ? NULL
                                  : crm_big_realloc(a->more, (size_t)*cap * sizeof *m,
                                                    (size_t)n * sizeof *m);
        if (!m && !a->paid_only) {   /* the arrays now differ in length: give both back */
            crm_big_free(a->cust, (size_t)n * sizeof *c);
            crm_big_free(a->more, (size_t)*cap * sizeof *m);
            a->cust = NULL;
            a->more = NULL;
            *cap = *ready = 0;
            return -1;
        }
        a->more = m;
        *cap = n;
    }
    if (need > *ready) {
        init_cust(a->cust, a->more, *ready, need);
        *ready = need;
    }
    return 0;
}

/* The arrays prepared ahead of the pass (the store file's END block tells the customer
 * count before it): allocated at their final capacity at once, their pages faulted in and
 * set by crm_ahead's helper while the main thread reads the first chunks. AHEAD_STEP
 * entries are 2 MiB of struct crm_cust: one huge page. */
#define AHEAD_STEP ((size_t)1 << 16)
/* How far the helper may run ahead of the dictionary: 1 M customers (56 MB), all of them
 * at 10 M orders; a count an END block claims falsely costs no more than this. */
#define AHEAD_LEAD ((size_t)1 << 20)

static void init_range(void *ctx, size_t from, size_t to)
{
    struct crm_agg *a = ctx;
    init_cust(a->cust, a->more, from, to);
}

/* Start preparing hint entries; NULL (nothing allocated) when there is no hint or no
 * memory for it: the arrays then grow as the dictionary does. */
static struct crm_ahead *start_ahead(struct crm_agg *a, uint32_t hint, uint32_t *cap)
{
    if (hint == 0)
        return NULL;
    uint32_t n = crm_big_capacity(0, hint);
    a->cust = crm_big_calloc((size_t)n * sizeof *a->cust);
    a->more = a->paid_only ? NULL : crm_big_calloc((size_t)n * sizeof *a->more);
    struct crm_ahead *ah = NULL;
    if (a->cust && (a->more || a->paid_only))
        ah = crm_ahead_start(hint, AHEAD_STEP, AHEAD_LEAD, init_range, a);
    if (!ah) {
        crm_big_free(a->cust, (size_t)n * sizeof *a->cust);
        crm_big_free(a->more, (size_t)n * sizeof *a->more);
        a->cust = NULL;
        a->more = NULL;
        return NULL;
    }
    *cap = n;
    return ah;
}

/* Room for `need` customers: from the arrays prepared ahead while they cover it; past
 * them (an END block that undercounts: the pass will fail on it) the helper is stopped
 * and the arrays grow as without a hint. */
static int prepare(struct crm_agg *a, struct crm_ahead **ah, uint32_t hint, uint32_t need,
                   uint32_t *cap, uint32_t *ready)
{
    if (crm_ahead_cover(ah, hint, need, ready))
        return 0;
    return grow(a, need, cap, ready);
}

enum crm_err crm_agg_default_as_of(struct crm_store *s, int32_t *as_of, struct crm_errinfo *e)
{
    int64_t t;
    enum crm_err rc = crm_store_max_time(s, &t, e);
    if (rc != CRM_OK)
        return rc;
    if (crm_store_stats(s)->orders == 0)
        return crm_errinfo_set(e, CRM_EDATA, "the store has no orders; give --as-of");
    *as_of = crm_time_day(t) + 1;
    return CRM_OK;
}

static inline int32_t min_day(int32_t a, int32_t b)
{
    return a == CRM_NO_DAY || b < a ? b : a;
}

/* The hot loop: one chunk's orders into the arrays. */
static void add_chunk(struct crm_agg *a, const struct crm_chunk *ch, int32_t *day)
{
    const int32_t as_of = a->as_of, start = a->window_start;
    struct crm_cust *cust = a->cust;
    for (uint32_t i = 0; i < ch->n; i++)
        day[i] = crm_time_day(ch->time[i]);
    for (uint32_t i = 0; i < ch->n; i++) {
        if (i + 48 < ch->n) {         /* 48 rows ahead: 16 was too late for memory on 1 M
                                         customers (-5 % wall); 96 too early */
            __builtin_prefetch(&cust[ch->customer[i + 48]], 1);
            if (ch->status[i + 48] != CRM_STATUS_PAID && a->more)
                __builtin_prefetch(&a->more[ch->customer[i + 48]], 1);
        }
        int32_t d = day[i];
        if (d >= as_of) {
            a->orders_future++;
            continue;
        }
        uint32_t k = ch->customer[i];
        struct crm_cust *c = &cust[k];
        if (ch->status[i] == CRM_STATUS_PAID) {
            c->first_paid_ever = min_day(c->first_paid_ever, d);
            if (c->last_paid_ever == CRM_NO_DAY || d > c->last_paid_ever)
                c->last_paid_ever = d;
            if (d >= start) {
                c->paid_orders++;
                c->paid_money += ch->amount[i];
                if (ch->quantity) {
                    uint64_t items = (uint64_t)c->items + (uint64_t)(ch->quantity[i] > 0 ? ch->quantity[i] : 0);
                    c->items = items > UINT32_MAX ? UINT32_MAX : (uint32_t)items;
                }
                c->first_paid = min_day(c->first_paid, d);
                if (c->last_paid == CRM_NO_DAY || d > c->last_paid)
                    c->last_paid = d;
            }
        } else if (a->more) {
            struct crm_cust_more *m = &a->more[k];
            m->first_other_ever = min_day(m->first_other_ever, d);
            if (d >= start) {
                if (ch->status[i] == CRM_STATUS_REFUNDED) {
                    m->refunded++;
                    m->refund_money += ch->amount[i];
                } else if (ch->status[i] == CRM_STATUS_CANCELLED) {
                    m->cancelled++;
                } else {
                    m->pending++;
                }
            }
        }
    }
    a->orders += ch->n;
}

enum crm_err crm_agg_run(struct crm_store *s, const struct crm_agg_opts *o, struct crm_agg **out,
                         struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_agg *a = calloc(1, sizeof *a);
    int32_t *day = malloc(CRM_CHUNK_ROWS * sizeof *day);
    if (!a || !day) {
        free(a);
        free(day);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    a->as_of = o->as_of;
    a->paid_only = o->paid_only != 0;
    a->window_start = o->window_days > 0 ? o->as_of - o->window_days : INT32_MIN + 1;
    if (!o->history && o->window_days > 0)
        crm_store_set_time_filter(s, (int64_t)a->window_start * CRM_SECS_PER_DAY, INT64_MAX);
    unsigned cols = CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_AMOUNT | CRM_COL_STATUS |
                    (o->no_items ? 0u : CRM_COL_QUANTITY) | o->columns;
    uint32_t cap = 0, ready = 0, hint = crm_store_customer_hint(s);
    struct crm_ahead *ah = start_ahead(a, hint, &cap);
    struct crm_chunk ch;
    enum crm_err rc;
    while ((rc = crm_store_next(s, &ch, cols, e)) == CRM_OK && ch.n > 0) {
        a->cap = cap;
        if (prepare(a, &ah, hint, crm_store_customer_count(s), &cap, &ready) != 0) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %u customers",
                                 crm_store_customer_count(s));
            break;
        }
        add_chunk(a, &ch, day);
        if (o->visit && (rc = o->visit(o->visit_ctx, &ch, day, e)) != CRM_OK)
            break;
    }
    if (rc == CRM_OK && prepare(a, &ah, hint, crm_store_customer_count(s), &cap, &ready) != 0)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    crm_ahead_stop(ah);   /* before the arrays can be freed */
    a->cap = cap;
    a->n = crm_store_customer_count(s);
    const struct crm_customer_info *rows;
    size_t nrows = crm_store_customers(s, &rows);
    if (rc == CRM_OK && nrows > 0) {
        a->info = malloc((a->n ? a->n : 1) * sizeof *a->info);
        if (!a->info) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        } else {
            memset(a->info, 0xff, a->n * sizeof *a->info);
            for (size_t i = 0; i < nrows; i++)
                a->info[rows[i].customer] = (int32_t)i;
        }
    }
    free(day);
    if (rc != CRM_OK) {
        crm_agg_free(a);
        return rc;
    }
    *out = a;
    return CRM_OK;
}

void crm_agg_free(struct crm_agg *a)
{
    if (!a)
        return;
    crm_big_free(a->cust, (size_t)a->cap * sizeof *a->cust);
    crm_big_free(a->more, (size_t)a->cap * sizeof *a->more);
    free(a->info);
    free(a);
}

void crm_agg_free_more(struct crm_agg *a)
{
    crm_big_free(a->more, (size_t)a->cap * sizeof *a->more);
    a->more = NULL;
}

int32_t crm_agg_first_order(const struct crm_agg *a, uint32_t c)
{
    int32_t p = a->cust[c].first_paid_ever, q = a->more[c].first_other_ever;
    if (p == CRM_NO_DAY)
        return q;
    return q == CRM_NO_DAY || p < q ? p : q;
}

int crm_agg_known_before(const struct crm_agg *a, uint32_t c)
{
    int32_t f = crm_agg_first_order(a, c);
    return f != CRM_NO_DAY && f < a->window_start;
}
