/* btsum: per-customer purchase summaries in one pass, with a second pass for customers whose
 * orders are out of time order (see btsum.h). Invariant: after a pass every customer not
 * flagged out of order has days/holdout_days equal to its distinct purchase days, and
 * repeat[] holds, per day, the purchase days counted so far. */
#include "customer/btsum.h"

#include <stdlib.h>
#include <string.h>

#include "base/ahead.h"
#include "base/bigmem.h"
#include "base/hash.h"
#include "text/timeparse.h"

#define DONE 2u                      /* second pass: the replay of pass one is over */
#define DEFAULT_BUDGET (64u << 20)
#define SET_BYTES_PER_DAY 32u        /* 8-byte slots, load between 1/4 and 1/2 */

struct run {
    struct crm_btsum *b;
    const struct crm_btsum_opts *o;
    size_t cap_repeat;
    uint64_t bound;                  /* >= distinct days of the flagged customers */
    int nomem;
};

/* One more purchase day in repeat[] (grown downwards in time, so only ever appended). */
static void add_day(struct run *R, int32_t d)
{
    struct crm_btsum *b = R->b;
    size_t k = (size_t)(b->as_of - 1 - d);
    if (k >= b->nrepeat) {
        if (k >= R->cap_repeat) {
            size_t cap = R->cap_repeat ? R->cap_repeat : 1024;
            while (cap <= k)
                cap *= 2;
            uint32_t *p = realloc(b->repeat, cap * sizeof *p);
            if (!p) {
                R->nomem = 1;
                return;
            }
            b->repeat = p;
            R->cap_repeat = cap;
        }
        memset(b->repeat + b->nrepeat, 0, (k + 1 - b->nrepeat) * sizeof *b->repeat);
        b->nrepeat = k + 1;
    }
    b->repeat[k]++;
}

static void init_cust(struct crm_btsum_cust *c, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        c[i] = (struct crm_btsum_cust){0, 0, CRM_NO_DAY, CRM_NO_DAY, CRM_NO_DAY, 0, 0, 0};
}

/* Room for `need` customers: the capacity doubles (big arrays move with mremap, not copied),
 * but only entries up to `need` are initialised, so spare capacity is never backed by memory. */
static int grow_customers(struct crm_btsum *b, uint32_t need, uint32_t *cap, uint32_t *ready)
{
    if (need > *cap) {
        uint32_t n = crm_big_capacity(*cap, need);
        struct crm_btsum_cust *c = crm_big_realloc(b->cust, (size_t)*cap * sizeof *c,
                                                   (size_t)n * sizeof *c);
        if (!c)
            return -1;
        b->cust = c;
        b->cap = *cap = n;
    }
    if (need > *ready) {
        init_cust(b->cust, *ready, need);
        *ready = need;
    }
    return 0;
}

/* With the store's customer count known up front (a file), the array is allocated at once
 * and its pages faulted in and set by a helper thread ahead of the pass, as crm_agg does
 * (crm_ahead): the kernel's page zeroing was a fifth of the pass's thread at 10 M customers.
 * AHEAD_STEP entries are 2.5 MiB; the helper stays at most AHEAD_LEAD entries (40 MB) past
 * what the dictionary has reached. */
#define AHEAD_STEP ((size_t)1 << 16)
#define AHEAD_LEAD ((size_t)1 << 20)

static void init_range(void *ctx, size_t from, size_t to)
{
    struct crm_btsum *b = ctx;
    init_cust(b->cust, from, to);
}

/* NULL (nothing allocated) without a hint or the memory for it: the array then grows. */
static struct crm_ahead *start_ahead(struct crm_btsum *b, uint32_t hint, uint32_t *cap)
{
    if (hint == 0)
        return NULL;
    uint32_t n = crm_big_capacity(0, hint);
    b->cust = crm_big_calloc((size_t)n * sizeof *b->cust);
    struct crm_ahead *ah = b->cust ? crm_ahead_start(hint, AHEAD_STEP, AHEAD_LEAD,
                                                     init_range, b) : NULL;
    if (!ah) {
        crm_big_free(b->cust, (size_t)n * sizeof *b->cust);
        b->cust = NULL;
        return NULL;
    }
    b->cap = *cap = n;
    return ah;
}

/* Room for `need` customers: prepared ahead while the hint covers it; past it (a count the
 * store's END block understated) the helper is stopped and the array grows. */
static int prepare(struct crm_btsum *b, struct crm_ahead **ah, uint32_t hint, uint32_t need,
                   uint32_t *cap, uint32_t *ready)
{
    if (crm_ahead_cover(ah, hint, need, ready))
        return 0;
    return grow_customers(b, need, cap, ready);
}

/* Pass one over a chunk: money and first/last exactly, distinct days for customers in time
 * order; the first order older than one already seen flags its customer. */
static void pass_one(struct run *R, const struct crm_chunk *ch, int32_t *day)
{
    struct crm_btsum *b = R->b;
    struct crm_btsum_cust *cust = b->cust;
    const int32_t as_of = b->as_of, end = b->end;
    const int track = R->o->tracking;
    for (uint32_t i = 0; i < ch->n; i++)
        day[i] = crm_time_day(ch->time[i]);
    for (uint32_t i = 0; i < ch->n; i++) {
        if (i + 48 < ch->n) {   /* as crm_agg's pass; both lines a 40-byte entry may span */
            const char *p = (const char *)&cust[ch->customer[i + 48]];
            __builtin_prefetch(p, 1);
            __builtin_prefetch(p + sizeof *cust - 1, 1);
        }
        int32_t d = day[i];
        if (d >= as_of) {
            b->orders_future++;
            continue;
        }
        b->orders++;
        if (ch->status[i] != CRM_STATUS_PAID)
            continue;
        b->paid++;
        struct crm_btsum_cust *c = &cust[ch->customer[i]];
        if (d <= end) {
            int64_t amount = ch->amount[i];
            c->money += amount;
            if (c->first == CRM_NO_DAY || d < c->first) {
                c->first = d;
                c->first_money = amount;
            } else if (d == c->first) {
                c->first_money += amount;
            }
            if (d > c->last)
                c->last = d;
        }
        if (c->flags & CRM_BTSUM_OUT_OF_ORDER) {
            R->bound++;
        } else if (d > c->seen) {
            c->seen = d;
            if (d <= end) {
                c->days++;
                if (track)
                    add_day(R, d);
            } else {
                /* in time order the calibration days came first: days > 0 is membership */
                c->holdout_days++;
                if (track && c->days)
                    add_day(R, d);
            }
        } else if (d < c->seen) {
            c->flags |= CRM_BTSUM_OUT_OF_ORDER;
            b->out_of_order++;
            R->bound += (uint64_t)c->days + c->holdout_days + 1;
        }
    }
}

/* ---- the second pass: a set of (customer, day) pairs ---- */

/* key = customer << 32 | (as_of - 1 - day) << 1 | counted-in-pass-one; empty = all ones */
struct dayset {
    uint64_t *slot;
    size_t cap, n;
};

static size_t slot_of(uint64_t id, size_t mask)
{
    return (size_t)crm_hash_mix(id, 0x9E3779B97F4A7C15ULL) & mask;
}

static int set_grow(struct dayset *S)
{
    size_t cap = S->cap ? S->cap * 2 : 1024;
    uint64_t *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return -1;
    memset(slot, 0xff, cap * sizeof *slot);
    for (size_t i = 0; i < S->cap; i++) {
        uint64_t k = S->slot[i];
        if (k == UINT64_MAX)
            continue;
        size_t j = slot_of(k >> 1, cap - 1);
        while (slot[j] != UINT64_MAX)
            j = (j + 1) & (cap - 1);
        slot[j] = k;
    }
    free(S->slot);
    S->slot = slot;
    S->cap = cap;
    return 0;
}

/* Adds the pair unless present (an existing entry keeps its counted bit: a day pass one
 * counted was new when met, so it is never found already in the set). */
static int set_add(struct dayset *S, uint64_t key)
{
    if (2 * (S->n + 1) > S->cap && set_grow(S) != 0)
        return -1;
    size_t mask = S->cap - 1, j = slot_of(key >> 1, mask);
    while (S->slot[j] != UINT64_MAX) {
        if (S->slot[j] >> 1 == key >> 1)
            return 0;
        j = (j + 1) & mask;
    }
    S->slot[j] = key;
    S->n++;
    return 0;
}

/* Pass two over a chunk for the flagged customers of group `group` (index % groups). With
 * tracking, pass one is replayed for each of them up to its first out-of-order day, to
 * mark the days pass one already put in repeat[]. */
static int pass_two(struct run *R, const struct crm_chunk *ch, struct dayset *S, uint32_t groups,
                    uint32_t group)
{
    struct crm_btsum *b = R->b;
    const int32_t as_of = b->as_of, end = b->end;
    for (uint32_t i = 0; i < ch->n; i++) {
        uint32_t k = ch->customer[i];
        struct crm_btsum_cust *c = &b->cust[k];
        if (!(c->flags & CRM_BTSUM_OUT_OF_ORDER) || k % groups != group ||
            ch->status[i] != CRM_STATUS_PAID)
            continue;
        int32_t d = crm_time_day(ch->time[i]);
        if (d >= as_of)
            continue;
        uint64_t counted = 0;
        if (R->o->tracking && !(c->flags & DONE)) {
            if (d > c->seen) {
                c->seen = d;
                if (d <= end) {
                    c->days++;
                    counted = 1;
                } else {
                    counted = c->days > 0;
                }
            } else if (d < c->seen) {
                c->flags |= DONE;
            }
        }
        uint64_t key = (uint64_t)k << 32 | (uint64_t)(uint32_t)(as_of - 1 - d) << 1 | counted;
        if (set_add(S, key) != 0)
            return -1;
    }
    return 0;
}

static enum crm_err second_passes(struct crm_store *s, struct run *R, struct crm_errinfo *e)
{
    struct crm_btsum *b = R->b;
    size_t budget = R->o->budget ? R->o->budget : DEFAULT_BUDGET;
    uint64_t groups = (R->bound * SET_BYTES_PER_DAY + budget - 1) / budget;
    if (groups < 1)
        groups = 1;
    if (groups > b->out_of_order)
        groups = b->out_of_order;
    struct dayset S = {NULL, 0, 0};
    enum crm_err rc = CRM_OK;
    for (uint32_t g = 0; g < groups && rc == CRM_OK; g++) {
        struct crm_errinfo e2;
        crm_errinfo_clear(&e2);
        if (crm_store_rewind(s, &e2) != CRM_OK) {
            crm_errinfo_where(e, e2.file, -1, -1, -1);
            return crm_errinfo_set(e, CRM_EDATA,
                                   "the orders of %u customers are not in time order (several "
                                   "imports or appends); counting their distinct purchase days "
                                   "needs a second pass, and this input cannot be read twice "
                                   "(a pipe with --as-of): give the store as a file, or leave "
                                   "out --as-of",
                                   b->out_of_order);
        }
        b->passes++;
        for (uint32_t k = 0; k < b->n; k++) {
            struct crm_btsum_cust *c = &b->cust[k];
            if ((c->flags & CRM_BTSUM_OUT_OF_ORDER) && k % groups == g) {
                c->seen = CRM_NO_DAY;
                c->days = c->holdout_days = 0;
                c->flags &= ~DONE;
            }
        }
        S.n = 0;
        if (S.slot)
            memset(S.slot, 0xff, S.cap * sizeof *S.slot);
        struct crm_chunk ch;
        while ((rc = crm_store_next(s, &ch, CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_STATUS,
                                    e)) == CRM_OK &&
               ch.n > 0)
            if (pass_two(R, &ch, &S, (uint32_t)groups, g) != 0) {
                rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the purchase days of "
                                     "out-of-order customers");
                break;
            }
        if (rc != CRM_OK)
            break;
        for (uint32_t k = 0; k < b->n; k++)
            if ((b->cust[k].flags & CRM_BTSUM_OUT_OF_ORDER) && k % groups == g)
                b->cust[k].days = 0;
        for (size_t i = 0; i < S.cap; i++) {
            uint64_t key = S.slot[i];
            if (key == UINT64_MAX)
                continue;
            struct crm_btsum_cust *c = &b->cust[key >> 32];
            int32_t d = b->as_of - 1 - (int32_t)((uint32_t)key >> 1);
            if (d <= b->end)
                c->days++;
            else
                c->holdout_days++;
            if (R->o->tracking && !(key & 1) && c->first != CRM_NO_DAY)
                add_day(R, d);
        }
        if (R->nomem)
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    free(S.slot);
    return rc;
}

enum crm_err crm_btsum_run(struct crm_store *s, const struct crm_btsum_opts *o,
                           struct crm_btsum **out, struct crm_errinfo *e)
{
    *out = NULL;
    if (!(o->end < o->as_of))
        return crm_errinfo_set(e, CRM_EUSAGE, "the calibration period must end before the "
                               "as-of date");
    struct crm_btsum *b = calloc(1, sizeof *b);
    int32_t *day = malloc(CRM_CHUNK_ROWS * sizeof *day);
    if (!b || !day) {
        free(b);
        free(day);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    b->as_of = o->as_of;
    b->end = o->end;
    b->passes = 1;
    struct run R = {b, o, 0, 0, 0};
    uint32_t cap = 0, ready = 0, hint = crm_store_customer_hint(s);
    struct crm_ahead *ah = start_ahead(b, hint, &cap);
    struct crm_chunk ch;
    enum crm_err rc;
    unsigned cols = CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_AMOUNT | CRM_COL_STATUS;
    while ((rc = crm_store_next(s, &ch, cols, e)) == CRM_OK && ch.n > 0) {
        if (prepare(b, &ah, hint, crm_store_customer_count(s), &cap, &ready) != 0) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %u customers",
                                 crm_store_customer_count(s));
            break;
        }
        pass_one(&R, &ch, day);
        if (R.nomem) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            break;
        }
    }
    free(day);
    b->n = crm_store_customer_count(s);
    if (rc == CRM_OK && prepare(b, &ah, hint, b->n, &cap, &ready) != 0)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %u customers", b->n);
    crm_ahead_stop(ah);   /* before the array can be freed */
    if (rc == CRM_OK && b->out_of_order > 0)
        rc = second_passes(s, &R, e);
    if (rc != CRM_OK) {
        crm_btsum_free(b);
        return rc;
    }
    for (uint32_t k = 0; k < b->n; k++) {
        struct crm_btsum_cust *c = &b->cust[k];
        c->flags &= ~DONE;
        if (c->first != CRM_NO_DAY) {
            b->customers++;
            if (o->tracking)
                b->repeat[b->as_of - 1 - c->first]--; /* a first purchase is no repeat */
        } else if (c->holdout_days > 0) {
            b->holdout_only++;
        }
    }
    *out = b;
    return CRM_OK;
}

void crm_btsum_free(struct crm_btsum *b)
{
    if (!b)
        return;
    crm_big_free(b->cust, (size_t)b->cap * sizeof *b->cust);
    free(b->repeat);
    free(b);
}
