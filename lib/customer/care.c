/* care: the contact list of one day (see care.h). Invariant: the first pass keeps O(1) per
 * customer (VIP candidate counters, order counts) plus the few orders dated exactly 7 or
 * 28 days before D; the VIP pass keeps at most `budget` orders (one group of candidates)
 * at a time. */
#include "customer/care.h"
#include "customer/replenish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "text/money.h"
#include "text/timeparse.h"

#define DEFAULT_BUDGET ((size_t)4 << 20)

struct hit {                      /* a paid order exactly 7 or 28 days before D */
    uint32_t customer;
    int32_t day;
    int64_t money;
};

struct crm_care {
    struct crm_care_opts o;
    int32_t q_lo, q_hi;           /* the days whose orders can start a lapsing status */
    size_t cap;                   /* per-customer arrays below cover customers < cap */
    size_t alloc;                 /* entries allocated (>= cap; those past cap unwritten) */
    uint32_t *q_orders, *q_items;
    int64_t *q_money;
    uint32_t *events;             /* paid and refunded orders before D */
    struct hit *hits;
    size_t nhits, hits_cap;
    struct crm_care_item *items;
    size_t n, items_cap;
};

static const char *const reason_names[CRM_CARE_COUNT] = {
    "birthday", "after-7d", "after-28d", "vip-expiring", "win-back", "replenish",
};

const char *crm_care_reason_name(enum crm_care_reason r)
{
    return r < CRM_CARE_COUNT ? reason_names[r] : "";
}

enum crm_err crm_care_parse_reasons(const char *list, unsigned *mask, struct crm_errinfo *e)
{
    unsigned m = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        int r = 0;
        while (r < CRM_CARE_COUNT &&
               !(strlen(reason_names[r]) == len && strncmp(reason_names[r], p, len) == 0))
            r++;
        if (r == CRM_CARE_COUNT)
            return crm_errinfo_set(e, CRM_EUSAGE, "--reasons %s: \"%.*s\" is not one of "
                                   "birthday, after-7d, after-28d, vip-expiring, win-back, "
                                   "replenish",
                                   list, (int)(len > 40 ? 40 : len), p);
        m |= 1u << r;
        if (!p[len])
            break;
        p += len + 1;
    }
    *mask = m;
    return CRM_OK;
}

enum crm_err crm_care_new(const struct crm_care_opts *o, struct crm_care **out,
                          struct crm_errinfo *e)
{
    *out = NULL;
    if (o->vip_remind < 1 || o->vip_remind >= CRM_CARE_YEAR)
        return crm_errinfo_set(e, CRM_EUSAGE, "--vip-remind %d: expected 1 to %d days",
                               o->vip_remind, CRM_CARE_YEAR - 1);
    struct crm_care *k = calloc(1, sizeof *k);
    if (!k)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    k->o = *o;
    if (!k->o.budget)
        k->o.budget = DEFAULT_BUDGET;
    int32_t q = o->on + o->vip_remind - CRM_CARE_YEAR;   /* a status lapsing on D + remind
                                                             began on q */
    k->q_lo = q - CRM_CARE_YEAR;
    k->q_hi = q;
    *out = k;
    return CRM_OK;
}

void crm_care_free(struct crm_care *k)
{
    if (!k)
        return;
    free(k->q_orders);
    free(k->q_items);
    free(k->q_money);
    free(k->events);
    free(k->hits);
    free(k->items);
    free(k);
}

/* The arrays cover customers < need. Allocation doubles, but only entries up to need are
 * zeroed, so the spare allocation is never written and (for big arrays, which realloc
 * moves with mremap) never backed by memory. */
static int grow(struct crm_care *k, size_t need)
{
    if (need <= k->cap)
        return 0;
    if (need > k->alloc) {
        size_t n = k->alloc ? k->alloc : 4096;
        while (n < need)
            n *= 2;
        uint32_t *a = realloc(k->q_orders, n * sizeof *a);
        if (a)
            k->q_orders = a;
        uint32_t *b = a ? realloc(k->q_items, n * sizeof *b) : NULL;
        if (b)
            k->q_items = b;
        int64_t *c = b ? realloc(k->q_money, n * sizeof *c) : NULL;
        if (c)
            k->q_money = c;
        uint32_t *d = c ? realloc(k->events, n * sizeof *d) : NULL;
        if (!d)
            return -1;
        k->events = d;
        k->alloc = n;
    }
    size_t add = need - k->cap;
    memset(k->q_orders + k->cap, 0, add * sizeof *k->q_orders);
    memset(k->q_items + k->cap, 0, add * sizeof *k->q_items);
    memset(k->q_money + k->cap, 0, add * sizeof *k->q_money);
    memset(k->events + k->cap, 0, add * sizeof *k->events);
    k->cap = need;
    return 0;
}

static uint32_t add_sat(uint32_t a, int32_t b)
{
    uint64_t s = (uint64_t)a + (uint64_t)(b > 0 ? b : 0);
    return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

enum crm_err crm_care_visit(void *ctx, const struct crm_chunk *c, const int32_t *day,
                            struct crm_errinfo *e)
{
    struct crm_care *k = ctx;
    const int32_t on = k->o.on;
    const int vip = (k->o.reasons >> CRM_CARE_VIP_EXPIRING) & 1;
    const int after = (k->o.reasons >> CRM_CARE_AFTER_7D & 1) |
                      (k->o.reasons >> CRM_CARE_AFTER_28D & 1);
    uint32_t max = 0;
    for (uint32_t i = 0; i < c->n; i++)
        max = c->customer[i] > max ? c->customer[i] : max;
    if (vip && grow(k, (size_t)max + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the care list");
    for (uint32_t i = 0; i < c->n; i++) {
        int32_t d = day[i];
        uint32_t cu = c->customer[i];
        if (d >= on)
            continue;
        if (c->status[i] == CRM_STATUS_REFUNDED) {
            if (vip)
                k->events[cu] = add_sat(k->events[cu], 1);
            continue;
        }
        if (c->status[i] != CRM_STATUS_PAID)
            continue;
        if (vip) {
            k->events[cu] = add_sat(k->events[cu], 1);
            if (d >= k->q_lo && d <= k->q_hi) {
                k->q_orders[cu] = add_sat(k->q_orders[cu], 1);
                k->q_items[cu] = add_sat(k->q_items[cu], c->quantity[i]);
                k->q_money[cu] += c->amount[i];
            }
        }
        if (after && (d == on - 7 || d == on - 28)) {
            struct hit *h = crm_grow(k->hits, &k->hits_cap, k->nhits + 1, sizeof *h, 256);
            if (!h)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the care list");
            k->hits = h;
            k->hits[k->nhits++] = (struct hit){cu, d, c->amount[i]};
        }
    }
    return CRM_OK;
}

/* ---- VIP status ---- */

int crm_care_vip_status(const struct crm_care_event *ev, size_t n, uint32_t vip_orders,
                        uint32_t vip_items, int64_t vip_money, int32_t on, int32_t *since,
                        int32_t *until, int *assured)
{
    int vip = 0;
    int32_t q = 0, lapse = 0;
    int64_t wo = 0, wi = 0, wm = 0;   /* the 365 days up to the last order day */
    int64_t to = 0, ti = 0, tm = 0;   /* the current status year so far */
    size_t i = 0, j = 0;
    for (;;) {
        int32_t next = i < n && ev[i].day < on ? ev[i].day : INT32_MAX;
        if (vip && lapse <= next && lapse <= on) {
            /* re-evaluation on the lapse day: the orders of the status year q .. lapse − 1 */
            if (crm_segment_vip_qualifies(vip_orders, vip_items, vip_money, to, ti, tm)) {
                q = lapse;
                lapse = q + CRM_CARE_YEAR;
                to = ti = tm = 0;
            } else {
                vip = 0;
            }
            continue;
        }
        if (next == INT32_MAX)
            break;
        int64_t dor = 0, di = 0, dm = 0;
        for (; i < n && ev[i].day == next; i++) {
            dor += ev[i].orders;
            di += ev[i].items;
            dm += ev[i].money;
        }
        wo += dor;
        wi += di;
        wm += dm;
        if (vip) {
            to += dor;
            ti += di;
            tm += dm;
        }
        for (; ev[j].day <= next - CRM_CARE_YEAR; j++) {
            wo -= ev[j].orders;
            wi -= ev[j].items;
            wm -= ev[j].money;
        }
        if (!vip && crm_segment_vip_qualifies(vip_orders, vip_items, vip_money, wo, wi, wm)) {
            vip = 1;
            q = next;
            lapse = next + CRM_CARE_YEAR;
            to = dor;
            ti = di;
            tm = dm;
        }
    }
    if (!vip)
        return 0;
    *since = q;
    *until = lapse;
    *assured = crm_segment_vip_qualifies(vip_orders, vip_items, vip_money, to, ti, tm);
    return 1;
}

static int by_day(const void *a, const void *b)
{
    const struct crm_care_event *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

static enum crm_err add_item(struct crm_care *k, const struct crm_care_item *it,
                             struct crm_errinfo *e)
{
    struct crm_care_item *p = crm_grow(k->items, &k->items_cap, k->n + 1, sizeof *p, 256);
    if (!p)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the care list");
    k->items = p;
    k->items[k->n++] = *it;
    return CRM_OK;
}

/* An item for customer c with class and tier filled in. */
static struct crm_care_item item_for(const struct crm_segment *seg, const struct crm_agg *a,
                                     uint32_t c, enum crm_class cls, enum crm_care_reason r,
                                     int32_t on)
{
    struct crm_care_item it;
    memset(&it, 0, sizeof it);
    struct crm_rfm_row row;
    crm_rfm_score(crm_segment_seed(seg), c, &row);
    it.customer = c;
    it.reason = r;
    it.due = on;
    it.cls = cls;
    it.tier = row.tier;
    it.last_order = a->cust[c].last_paid_ever;
    return it;
}

/* The orders of one chunk that belong to the group's candidates (slot_of[c] >= 0): paid
 * orders before the day, and refunds with --net, into each candidate's slice of ev. */
static void gather_events(const struct crm_care *k, const struct crm_chunk *ch, int net,
                          const int32_t *slot_of, const size_t *start, size_t *fill,
                          struct crm_care_event *ev)
{
    for (uint32_t i = 0; i < ch->n; i++) {
        uint32_t c = ch->customer[i];
        if (c >= k->cap || slot_of[c] < 0)
            continue;
        int32_t d = crm_time_day(ch->time[i]);
        uint8_t st = ch->status[i];
        if (d >= k->o.on || (st != CRM_STATUS_PAID && !(net && st == CRM_STATUS_REFUNDED)))
            continue;
        size_t g = (size_t)slot_of[c];
        if (fill[g] == start[g + 1] - start[g])
            continue;   /* cannot happen: the first pass counted these orders */
        struct crm_care_event *x = &ev[start[g] + fill[g]++];
        x->day = d;
        if (st == CRM_STATUS_PAID) {
            x->orders = 1;
            x->items = ch->quantity[i] > 0 ? (uint32_t)ch->quantity[i] : 0;
            x->money = ch->amount[i];
        } else {
            x->orders = x->items = 0;
            x->money = -ch->amount[i];
        }
    }
}

/* One group of candidates [from, to) of cand[]: gather their orders, replay each. */
static enum crm_err vip_group(struct crm_care *k, struct crm_store *s, const struct crm_agg *a,
                              const struct crm_segment *seg, const uint32_t *cand, size_t from,
                              size_t to, int32_t *slot_of, struct crm_errinfo *e)
{
    const struct crm_segment_opts *so = crm_segment_options(seg);
    const int net = crm_segment_net(seg);
    const int64_t vm = crm_segment_vip_money(seg);
    size_t total = 0;
    for (size_t g = from; g < to; g++) {
        total += k->events[cand[g]];
        slot_of[cand[g]] = (int32_t)(g - from);
    }
    size_t *start = malloc((to - from + 1) * sizeof *start);
    size_t *fill = calloc(to - from, sizeof *fill);
    struct crm_care_event *ev = malloc((total ? total : 1) * sizeof *ev);
    enum crm_err rc = CRM_OK;
    if (!start || !fill || !ev) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu orders of VIP candidates",
                             total);
        goto out;
    }
    start[0] = 0;
    for (size_t g = from; g < to; g++)
        start[g - from + 1] = start[g - from] + k->events[cand[g]];
    if ((rc = crm_store_rewind(s, e)) != CRM_OK)
        goto out;
    struct crm_chunk ch;
    unsigned cols = CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_AMOUNT | CRM_COL_QUANTITY |
                    CRM_COL_STATUS;
    while ((rc = crm_store_next(s, &ch, cols, e)) == CRM_OK && ch.n > 0)
        gather_events(k, &ch, net, slot_of, start, fill, ev);
    if (rc != CRM_OK)
        goto out;
    for (size_t g = from; g < to; g++) {
        uint32_t c = cand[g];
        struct crm_care_event *x = ev + start[g - from];
        size_t n = fill[g - from];
        int32_t since, until;
        int assured;
        qsort(x, n, sizeof *x, by_day);
        if (crm_care_vip_status(x, n, so->vip_orders, so->vip_items, vm, k->o.on, &since,
                                &until, &assured) &&
            until == k->o.on + k->o.vip_remind && !assured) {
            struct crm_care_item it = item_for(seg, a, c, crm_segment_class(seg, c),
                                               CRM_CARE_VIP_EXPIRING, k->o.on);
            it.day = since;
            it.until = until;
            if ((rc = add_item(k, &it, e)) != CRM_OK)
                break;
        }
    }
out:
    for (size_t g = from; g < to; g++)
        slot_of[cand[g]] = -1;
    free(start);
    free(fill);
    free(ev);
    return rc;
}

static enum crm_err vip_reminders(struct crm_care *k, struct crm_store *s,
                                  const struct crm_agg *a, const struct crm_segment *seg,
                                  struct crm_errinfo *e)
{
    const struct crm_segment_opts *so = crm_segment_options(seg);
    const int64_t vm = crm_segment_vip_money(seg);
    size_t ncand = 0;
    uint32_t *cand = malloc((k->cap ? k->cap : 1) * sizeof *cand);
    int32_t *slot_of = malloc((k->cap ? k->cap : 1) * sizeof *slot_of);
    enum crm_err rc = CRM_OK;
    if (!cand || !slot_of) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the care list");
        goto out;
    }
    for (size_t c = 0; c < k->cap && c < a->n; c++) {
        slot_of[c] = -1;
        enum crm_class cls;
        if (crm_segment_vip_qualifies(so->vip_orders, so->vip_items, vm, k->q_orders[c],
                                      k->q_items[c], k->q_money[c]) &&
            (cls = crm_segment_class(seg, (uint32_t)c)) != CRM_CLASS_MALICIOUS &&
            cls != CRM_CLASS_NONE)
            cand[ncand++] = (uint32_t)c;
    }
    for (size_t c = a->n; c < k->cap; c++)
        slot_of[c] = -1;
    for (size_t from = 0; from < ncand && rc == CRM_OK;) {
        size_t to = from, held = 0;
        while (to < ncand && (to == from || held + k->events[cand[to]] <= k->o.budget))
            held += k->events[cand[to++]];
        rc = vip_group(k, s, a, seg, cand, from, to, slot_of, e);
        from = to;
    }
out:
    free(cand);
    free(slot_of);
    return rc;
}

/* ---- the list ---- */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int birthday_on(int32_t born, int32_t on)
{
    int by, y;
    unsigned bm, bd, m, d;
    crm_civil_from_days(born, &by, &bm, &bd);
    crm_civil_from_days(on, &y, &m, &d);
    return (bm == m && bd == d) || (bm == 2 && bd == 29 && m == 2 && d == 28 && !leap(y));
}

static int by_hit(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;
    if (a->customer != b->customer)
        return a->customer < b->customer ? -1 : 1;
    return (a->day < b->day) ? 1 : (a->day > b->day) ? -1 : 0;   /* 7 days before first */
}

static enum crm_err after_items(struct crm_care *k, const struct crm_agg *a,
                                const struct crm_segment *seg, struct crm_errinfo *e)
{
    if (k->nhits)   /* qsort(NULL, 0, ...) is undefined */
        qsort(k->hits, k->nhits, sizeof *k->hits, by_hit);
    for (size_t i = 0; i < k->nhits;) {
        size_t j = i;
        struct crm_care_item it;
        uint32_t c = k->hits[i].customer;
        int64_t money = 0;
        while (j < k->nhits && k->hits[j].customer == c && k->hits[j].day == k->hits[i].day)
            money += k->hits[j++].money;
        enum crm_care_reason r = k->hits[i].day == k->o.on - 7 ? CRM_CARE_AFTER_7D
                                                                : CRM_CARE_AFTER_28D;
        enum crm_class cls = crm_segment_class(seg, c);
        if ((k->o.reasons >> r & 1) && cls != CRM_CLASS_MALICIOUS) {
            it = item_for(seg, a, c, cls, r, k->o.on);
            it.day = k->hits[i].day;
            it.count = (uint32_t)(j - i);
            it.money = money;
            enum crm_err rc = add_item(k, &it, e);
            if (rc != CRM_OK)
                return rc;
        }
        i = j;
    }
    return CRM_OK;
}

struct keyed {                    /* an item with its customer id, for sorting */
    struct crm_care_item it;
    const char *id;
};

static int by_item(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    if (a->it.due != b->it.due)
        return a->it.due < b->it.due ? -1 : 1;
    if (a->it.reason != b->it.reason)
        return a->it.reason < b->it.reason ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Sort by due date, reason and customer id (byte order). */
static enum crm_err sort_items(struct crm_care *k, const struct crm_store *s,
                               struct crm_errinfo *e)
{
    struct keyed *t = malloc((k->n ? k->n : 1) * sizeof *t);
    if (!t)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the care list");
    for (size_t i = 0; i < k->n; i++) {
        t[i].it = k->items[i];
        t[i].id = crm_store_customer_id(s, k->items[i].customer, NULL);
    }
    qsort(t, k->n, sizeof *t, by_item);
    for (size_t i = 0; i < k->n; i++)
        k->items[i] = t[i].it;
    free(t);
    return CRM_OK;
}

/* replenish: customers due to buy a product again on D (customer/replenish.h). */
static enum crm_err replenish_items(struct crm_care *k, struct crm_store *s,
                                    const struct crm_agg *a, const struct crm_segment *seg,
                                    struct crm_errinfo *e)
{
    struct crm_replenish_hit *h;
    size_t n;
    enum crm_err rc = crm_replenish_due(s, k->o.on, &h, &n, e);
    for (size_t i = 0; rc == CRM_OK && i < n; i++) {
        enum crm_class cls = h[i].customer < a->n ? crm_segment_class(seg, h[i].customer)
                                                  : CRM_CLASS_NONE;
        if (cls == CRM_CLASS_MALICIOUS || cls == CRM_CLASS_NONE)
            continue;
        struct crm_care_item it = item_for(seg, a, h[i].customer, cls, CRM_CARE_REPLENISH,
                                           k->o.on);
        const struct crm_product *p = crm_store_product(s, h[i].product);
        it.product = p->id;
        it.product_len = p->id_len;
        it.day = h[i].last;
        it.until = h[i].cycle;
        it.count = h[i].purchases;
        it.year_known = (int)h[i].more;
        rc = add_item(k, &it, e);
    }
    free(h);
    return rc;
}

enum crm_err crm_care_finish(struct crm_care *k, struct crm_store *s, const struct crm_agg *a,
                             const struct crm_segment *seg,
                             const struct crm_customer_info *info, struct crm_errinfo *e)
{
    const int32_t on = k->o.on;
    const int32_t dormant = crm_segment_options(seg)->dormant_days;
    enum crm_err rc = CRM_OK;
    for (uint32_t c = 0; c < a->n && rc == CRM_OK; c++) {
        enum crm_class cls = crm_segment_class(seg, c);
        if (cls == CRM_CLASS_MALICIOUS || cls == CRM_CLASS_NONE)
            continue;
        const struct crm_customer_info *ci = a->info && a->info[c] >= 0 ? &info[a->info[c]]
                                                                         : NULL;
        if ((k->o.reasons >> CRM_CARE_BIRTHDAY & 1) && ci && ci->birth_day != CRM_NO_DAY &&
            birthday_on(ci->birth_day, on)) {
            struct crm_care_item it = item_for(seg, a, c, cls, CRM_CARE_BIRTHDAY, on);
            it.day = ci->birth_day;
            it.year_known = ci->birth_year_known;
            int by, y;
            unsigned m, d;
            crm_civil_from_days(ci->birth_day, &by, &m, &d);
            crm_civil_from_days(on, &y, &m, &d);
            it.count = ci->birth_year_known && y > by ? (uint32_t)(y - by) : 0;
            rc = add_item(k, &it, e);
        }
        if (rc == CRM_OK && (k->o.reasons >> CRM_CARE_WIN_BACK & 1) &&
            cls == CRM_CLASS_DORMANT && on - a->cust[c].last_paid == dormant + 1) {
            struct crm_care_item it = item_for(seg, a, c, cls, CRM_CARE_WIN_BACK, on);
            it.count = (uint32_t)(dormant + 1);
            rc = add_item(k, &it, e);
        }
    }
    if (rc == CRM_OK)
        rc = after_items(k, a, seg, e);
    if (rc == CRM_OK && (k->o.reasons >> CRM_CARE_VIP_EXPIRING & 1))
        rc = vip_reminders(k, s, a, seg, e);
    if (rc == CRM_OK && (k->o.reasons >> CRM_CARE_REPLENISH & 1))
        rc = replenish_items(k, s, a, seg, e);
    if (rc != CRM_OK)
        return rc;
    return sort_items(k, s, e);
}

size_t crm_care_count(const struct crm_care *k)
{
    return k->n;
}

const struct crm_care_item *crm_care_item(const struct crm_care *k, size_t i)
{
    return &k->items[i];
}

size_t crm_care_detail(const struct crm_care_item *it, int money_scale, char *buf, size_t size)
{
    char d1[16], d2[16], money[32];
    int n = 0;
    switch (it->reason) {
    case CRM_CARE_BIRTHDAY:
        crm_date_format(it->day, d1);
        if (it->year_known && it->count)
            n = snprintf(buf, size, "born %s; turns %u", d1, it->count);
        else if (it->year_known)
            n = snprintf(buf, size, "born %s", d1);
        else
            n = snprintf(buf, size, "born --%s", d1 + 5);
        break;
    case CRM_CARE_AFTER_7D:
    case CRM_CARE_AFTER_28D:
        crm_date_format(it->day, d1);
        money[crm_money_format(it->money, money_scale, money)] = '\0';
        n = snprintf(buf, size, "%u paid order%s of %s on %s", it->count,
                     it->count == 1 ? "" : "s", money, d1);
        break;
    case CRM_CARE_VIP_EXPIRING:
        crm_date_format(it->day, d1);
        crm_date_format(it->until, d2);
        n = snprintf(buf, size, "VIP since %s; lapses %s", d1, d2);
        break;
    case CRM_CARE_WIN_BACK:
        n = snprintf(buf, size, "no paid order for %u days", it->count);
        break;
    case CRM_CARE_REPLENISH:
        crm_date_format(it->day, d1);
        n = snprintf(buf, size, "%.*s every %d days; last %s; bought on %u days%s",
                     (int)(it->product_len > 200 ? 200 : it->product_len), it->product,
                     it->until, d1, it->count, it->year_known ? " (more products due)" : "");
        break;
    default:
        n = snprintf(buf, size, "%s", "");
    }
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}
