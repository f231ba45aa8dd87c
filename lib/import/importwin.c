/* importwin: the window of open orders (the design note is at the top of import.c) — a
 * parsed row is merged into its open order, begun as a new one, held as a suspect, skipped
 * or rejected (do_row), and orders leave the window oldest first to the store
 * (close_oldest). Invariant: only sequence numbers in [win_seq, win_seq + win_count) are
 * open; an order's id is freed when it is written. */
#include <stdio.h>
#include <stdlib.h>

#include "import/idset.h"
#include "import/importint.h"

/* ---- the window of open orders ---- */
/* The order of sequence number seq (low 32 bits) is open. */
static int wlive(const struct crm_import *imp, uint32_t seq)
{
    return (uint32_t)(seq - (uint32_t)imp->win_seq) < imp->win_count;
}

static void wmap_insert(struct crm_import *imp, uint64_t h, uint64_t seq);

/* Map the open orders begun since the map was last brought up to date, in the order they
 * began (as their inserts would have been made when each began: a spilled bucket's
 * spill_seq is still the newest order to spill); the orders that closed in between are
 * never mapped. The bucket of the order 8 ahead is fetched while one is inserted. */
static void wmap_catch_up(struct crm_import *imp)
{
    uint64_t end = imp->win_seq + imp->win_count;
    uint64_t seq = imp->wmap_upto > imp->win_seq ? imp->wmap_upto : imp->win_seq;
    for (; seq < end; seq++) {
        if (seq + 8 < end)
            __builtin_prefetch(&imp->wmap[wbucket_of(imp->win[(seq + 8) %
                                                              CRM_IMPORT_WINDOW].hash)]);
        uint64_t h = imp->win[seq % CRM_IMPORT_WINDOW].hash;
        if (h)
            wmap_insert(imp, h, seq);
    }
    imp->wmap_upto = end;
}

/* The open order with this id, or NULL. The map is brought up to date first: an order is
 * not mapped when it begins, since most orders (one row each) are never looked up. */
struct open_order *wmap_find(struct crm_import *imp, uint64_t h, const char *id,
                             size_t len)
{
    if (imp->wmap_upto != imp->win_seq + imp->win_count)
        wmap_catch_up(imp);
    imp->wmap_finds++;
    uint32_t tag = (uint32_t)h | 1;
    for (size_t b = wbucket_of(h);; b = (b + 1) & (WMAP_BUCKETS - 1)) {
        const struct wbucket *k = &imp->wmap[b];
        for (int i = 0; i < WMAP_WAYS; i++) {
            if (k->way[i].tag == tag && wlive(imp, k->way[i].seq)) {
                struct open_order *o = &imp->win[k->way[i].seq % CRM_IMPORT_WINDOW];
                if (o->hash == h && o->id_len == len && memcmp(o->id, id, len) == 0)
                    return o;
            }
        }
        if (!k->spilled || !wlive(imp, k->spill_seq))
            return NULL;
    }
}

/* Map the open order of sequence number seq (already counted in win_count). */
static void wmap_insert(struct crm_import *imp, uint64_t h, uint64_t seq)
{
    uint32_t tag = (uint32_t)h | 1;
    for (size_t b = wbucket_of(h);; b = (b + 1) & (WMAP_BUCKETS - 1)) {
        struct wbucket *k = &imp->wmap[b];
        for (int i = 0; i < WMAP_WAYS; i++) {
            if (!k->way[i].tag || !wlive(imp, k->way[i].seq)) {
                k->way[i].seq = (uint32_t)seq;
                k->way[i].tag = tag;
                return;
            }
        }
        k->spilled = 1;
        k->spill_seq = (uint32_t)seq;
    }
}

/* Write an order to the store (and its refunded part), note its id as written, free its
 * id. slot: the order's window slot, whose line items go with it (-1: none kept). */
static inline __attribute__((always_inline)) enum crm_err
write_order(struct crm_import *imp, struct open_order *o, long slot, struct crm_errinfo *e)
{
    struct crm_order ord = {
        .customer = o->customer,
        .time = o->time,
        .amount = o->amount,
        .quantity = o->quantity > INT32_MAX ? INT32_MAX : (int32_t)o->quantity,
        .status = o->status,
        .order_id = o->id,
        .order_id_len = o->id_len,
        .order_id_num = {o->id_number, o->id_digits},
        .currency = o->cur,
        .currency_len = o->cur_len,
    };
    if (imp->items && slot >= 0)
        ord.items = crm_lineitems_of(imp->items, (size_t)slot, &ord.item_count);
    if (o->rows > 1) {
        imp->st.multi_line_orders++;
        imp->st.repeated_totals += o->same_amount == 2 && o->first_amount != 0;
    }
    enum crm_err rc = crm_store_writer_add(imp->w[o->part], &ord, e);
    if (rc == CRM_OK && o->refunded > 0 && o->amount > 0 && o->status == CRM_STATUS_PAID) {
        /* the refunded part of an order that stays paid: a return record, which --net
         * subtracts; it has no order id of its own (it goes with its order) */
        struct crm_order ret = ord;
        ret.amount = o->refunded < o->amount ? o->refunded : o->amount;
        ret.quantity = 0;
        ret.status = CRM_STATUS_REFUNDED;
        ret.order_id = NULL;
        ret.order_id_len = 0;
        ret.order_id_num = (struct crm_numid){0, 0};
        ret.items = NULL;               /* the products went with the order itself */
        ret.item_count = 0;
        rc = crm_store_writer_add(imp->w[o->part], &ret, e);
        imp->st.partial_refunds++;
        imp->st.refund_records++;
    }
    imp->st.orders++;
    if (o->id != o->id_inline)
        free(o->id);
    o->id = NULL;
    return rc;
}

/* --line-items unsorted: an order leaving the window is kept, open, in `over` (begin
 * order, indexed by id hash) until finish: memory O(orders). */
struct open_order *over_find(const struct crm_import *imp, uint64_t h, const char *id,
                             size_t len)
{
    if (!imp->nover)
        return NULL;
    for (size_t pos = (size_t)h & imp->over_mask; imp->over_index[pos];
         pos = (pos + 1) & imp->over_mask) {
        struct open_order *o = &imp->over[imp->over_index[pos] - 1];
        if (o->hash == h && o->id_len == len &&
            memcmp(o->id ? o->id : o->id_inline, id, len) == 0)
            return o;
    }
    return NULL;
}

static int over_index_put(struct crm_import *imp, size_t i)
{
    size_t pos = (size_t)imp->over[i].hash & imp->over_mask;
    while (imp->over_index[pos])
        pos = (pos + 1) & imp->over_mask;
    imp->over_index[pos] = (uint32_t)i + 1;
    return 0;
}

static enum crm_err over_keep(struct crm_import *imp, const struct open_order *o,
                              struct crm_errinfo *e)
{
    if (imp->nover == imp->over_cap) {
        size_t cap = imp->over_cap ? imp->over_cap * 2 : 4096;
        struct open_order *p = realloc(imp->over, cap * sizeof *p);
        uint32_t *ix = calloc(cap * 2, sizeof *ix);
        if (!p || !ix || cap >= UINT32_MAX / 2) {
            free(ix);
            if (p)
                imp->over = p;
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory holding %zu orders open for "
                                   "--line-items unsorted", imp->nover);
        }
        imp->over = p;
        free(imp->over_index);
        imp->over_index = ix;
        imp->over_cap = cap;
        imp->over_mask = cap * 2 - 1;
        for (size_t i = 0; i < imp->nover; i++)
            over_index_put(imp, i);
    }
    struct open_order *k = &imp->over[imp->nover];
    *k = *o;
    k->id = o->id == o->id_inline ? NULL : o->id;   /* NULL: inline (the array moves) */
    over_index_put(imp, imp->nover);
    imp->nover++;
    return CRM_OK;
}

/* The oldest open order leaves the window: written, or kept (--line-items unsorted).
 * Inline in open_order, where it runs once a row once the window is full. */
static inline __attribute__((always_inline)) enum crm_err
close_oldest_here(struct crm_import *imp, struct crm_errinfo *e)
{
    struct open_order *o = &imp->win[imp->win_head];
    if (imp->win_count > 32)        /* the order that closes 32 steps from now */
        __builtin_prefetch(&imp->win[(imp->win_head + 32) % CRM_IMPORT_WINDOW]);
    enum crm_err rc;
    if (imp->o.line_items_unsorted && !imp->finishing) {
        rc = over_keep(imp, o, e);
        o->id = NULL;
    } else {
        rc = write_order(imp, o, (long)imp->win_head, e);
    }
    imp->win_head = (imp->win_head + 1) % CRM_IMPORT_WINDOW;
    imp->win_seq++;                     /* its map entry is dead from here on */
    imp->win_count--;
    return rc;
}

enum crm_err close_oldest(struct crm_import *imp, struct crm_errinfo *e)
{
    return close_oldest_here(imp, e);
}
/* Field by field: a struct copy of cust_num, just stored as 8 + 4 bytes, stalls. */
static void cust_key(const struct row *rw, struct crm_dict_key *k)
{
    k->id = rw->k.cust;
    k->len = rw->k.cust_len;
    k->hash = rw->k.cust_h;
    k->num.number = rw->k.cust_num.number;
    k->num.digits = rw->k.cust_num.digits;
}

/* Begin a new order from a row that has all it needs. */
static enum crm_err open_order(struct crm_import *imp, const struct row *rw, uint64_t h,
                               struct crm_errinfo *e)
{
    uint32_t cust;
    enum crm_err rc;
    int added;
    struct crm_dict_key key;
    cust_key(rw, &key);
    uint64_t num1 = imp->cust_num1;     /* this row's, once: a suspect placed later has 0 */
    imp->cust_num1 = 0;
    rc = crm_dict_intern_keynum(imp->dict[rw->k.part], &key, num1, &cust, &added);
    if (rc != CRM_OK)
        return crm_errinfo_set(e, rc, "cannot add customer: %s", crm_strerror(rc));
    imp->st.customers_new += (uint64_t)added;
    if (imp->win_count == CRM_IMPORT_WINDOW && (rc = close_oldest_here(imp, e)) != CRM_OK)
        return rc;
    uint32_t slot = (uint32_t)((imp->win_head + imp->win_count) % CRM_IMPORT_WINDOW);
    struct open_order *o = &imp->win[slot];
    o->hash = h;
    o->customer = cust;
    o->part = rw->k.part;
    o->rows = 1;
    o->time = rw->time;
    o->amount = rw->amount;
    o->has_amount = (uint8_t)rw->has_amount;
    o->quantity = rw->has_qty ? rw->quantity : 1;
    o->status = rw->status;
    o->refunded = rw->refunded;
    o->same_amount = rw->has_amount;
    o->first_amount = rw->amount;
    imp->st.refunded_orders += rw->refund_order;
    o->cur_len = (uint8_t)cap_len(rw->cur_len, sizeof o->cur);
    if (o->cur_len)                     /* most files have no currency column */
        memcpy(o->cur, rw->cur, o->cur_len);
    o->id_len = (uint32_t)rw->k.id_len;
    o->id_number = rw->k.id_num.number;
    o->id_digits = (uint8_t)rw->k.id_num.digits;        /* at most CRM_NUMID_DIGITS */
    _Static_assert(sizeof o->id_inline == 24, "crm_copy_upto24 fills id_inline");
    if (rw->k.id_len <= sizeof o->id_inline) {
        o->id = o->id_inline;
        crm_copy_upto24(o->id, rw->k.id, rw->k.id_len);
    } else if (!(o->id = malloc(rw->k.id_len))) {
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    } else {
        memcpy(o->id, rw->k.id, rw->k.id_len);
    }
    /* its id is noted as taken now, while do_row's lookup has the line in cache: an open
     * order is found in the window before `seen` is asked, so noting it at its begin
     * instead of when written changes no answer */
    if (h && crm_idset_insert_at(imp->seen, &imp->seen_at, rw->k.id, rw->k.id_len, h,
                                 &rw->k.id_num) != 0) {
        if (o->id != o->id_inline)
            free(o->id);
        o->id = NULL;
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    imp->win_count++;                   /* mapped when a look-up needs it (wmap_find) */
    return CRM_OK;
}

/* Add a line item to its open order; 0, or 1 with what is wrong (a conflict, or an amount
 * total past int64 that would wrap negative) and the reject reason. */
static int merge_row(struct crm_import *imp, struct open_order *o, const struct row *rw,
                     const char **what, enum crm_reject *reason)
{
    *reason = CRM_REJ_CONFLICT;
    if (rw->k.cust_len) {
        uint32_t cust;
        struct crm_dict_key key;
        cust_key(rw, &key);
        if (rw->k.part != o->part || !crm_dict_find_key(imp->dict[o->part], &key, &cust) ||
            cust != o->customer) {
            *what = "customer_id differs from the order's";
            return 1;
        }
    }
    if (rw->has_status && rw->status != o->status) {
        *what = "status differs from the order's";
        return 1;
    }
    int64_t total = o->amount;
    if (rw->has_amount) {
        if (!o->has_amount)
            o->same_amount = 1, o->first_amount = rw->amount;
        else if (o->same_amount)
            o->same_amount = rw->amount == o->first_amount ? 2 : 0;
        if (!imp->o.order_amount_once) {
            if (__builtin_add_overflow(o->amount, rw->amount, &total)) {
                *what = "the order's amount total does not fit 64 bits (not money?)";
                *reason = CRM_REJ_AMOUNT;
                return 1;
            }
        } else if (!o->has_amount) {
            total = rw->amount;
        }
        o->has_amount = 1;
    }
    o->amount = total;
    if (rw->has_time && rw->time < o->time)
        o->time = rw->time;
    o->quantity += rw->has_qty ? rw->quantity : 1;
    if (rw->refunded > o->refunded)     /* the order's refund, on its first row */
        o->refunded = rw->refunded;
    o->rows++;
    imp->st.merged++;
    return 0;
}

/* The row's line item into its order's window slot (when items are kept); 0 or -1. */
static int keep_item(struct crm_import *imp, size_t slot, const struct row *rw,
                     struct crm_errinfo *e)
{
    if (!imp->items)
        return 0;
    if (imp->win[slot].rows == 1)
        crm_lineitems_clear(imp->items, slot);
    int64_t q = rw->has_qty ? rw->quantity : 1;
    int64_t amount = imp->o.order_amount_once ? 0 : rw->amount;
    int r = crm_lineitems_add(imp->items, slot, imp->w[rw->k.part], &rw->item,
                              (int32_t)(q < 0 ? -q : q), amount, e);
    if (r < 0)
        return -1;
    imp->st.items += r == 0;
    imp->st.items_no_product += r == 1;
    return 0;
}

/* Merge a validated row into its open order `o` (the window's entry for its id, found by
 * the caller, or NULL) or begin a new order. Returns 0 when placed,
 * 1 when rejected (reason and text filled), -1 on error (e filled). */
int place_row(struct crm_import *imp, const struct colmap *m, const struct row *rw,
              uint64_t h, struct open_order *o, enum crm_reject *reason, char *why,
              size_t whysz, struct crm_errinfo *e)
{
    if (o) {
        const char *what;
        if (!merge_row(imp, o, rw, &what, reason))
            return keep_item(imp, (size_t)(o - imp->win), rw, e);
        snprintf(why, whysz, "order %.*s: %s", (int)cap_len(rw->k.id_len, 64), rw->k.id, what);
        return 1;
    }
    if (!rw->k.cust_len) {
        *reason = CRM_REJ_CUSTOMER;
        snprintf(why, whysz, "empty customer_id in column %d", m->col[CRM_F_CUSTOMER] + 1);
        return 1;
    }
    if (rw->k.cust_len > CRM_ID_MAX || rw->k.id_len > CRM_ID_MAX) {
        int cust = rw->k.cust_len > CRM_ID_MAX;
        *reason = CRM_REJ_ID_LENGTH;
        snprintf(why, whysz, "%s of %zu bytes in column %d: a store keeps ids of at most %d "
                 "bytes", cust ? "customer_id" : "order_id", cust ? rw->k.cust_len : rw->k.id_len,
                 m->col[cust ? CRM_F_CUSTOMER : CRM_F_ORDER_ID] + 1, CRM_ID_MAX);
        return 1;
    }
    if (!rw->has_time) {
        *reason = CRM_REJ_TIME;
        snprintf(why, whysz, "empty order_time in column %d", m->col[CRM_F_TIME] + 1);
        return 1;
    }
    if (!rw->has_amount) {
        int amount = m->col[CRM_F_AMOUNT] >= 0;
        *reason = CRM_REJ_AMOUNT;
        snprintf(why, whysz, "empty %s in column %d", amount ? "amount" : "unit_price",
                 (amount ? m->col[CRM_F_AMOUNT] : m->col[CRM_F_UNIT_PRICE]) + 1);
        return 1;
    }
    if (m->col[CRM_F_STATUS] >= 0 && !rw->has_status) {
        *reason = CRM_REJ_STATUS;
        snprintf(why, whysz, "empty status in column %d", m->col[CRM_F_STATUS] + 1);
        return 1;
    }
    if (open_order(imp, rw, h, e) != CRM_OK)
        return -1;
    if (!imp->items)                    /* no call a row when items are not kept */
        return 0;
    return keep_item(imp, (imp->win_head + imp->win_count - 1) % CRM_IMPORT_WINDOW, rw, e);
}


/* The order the previous row was placed in, when this row's id is its id and it is still
 * open (line items in a run: no look-up), or NULL. */
static struct open_order *last_order(const struct crm_import *imp, uint64_t h,
                                     const struct keys *k)
{
    if (h != imp->last_h || !wlive(imp, (uint32_t)imp->last_seq))
        return NULL;
    struct open_order *o = &imp->win[imp->last_seq % CRM_IMPORT_WINDOW];
    return o->hash == h && o->id_len == k->id_len && memcmp(o->id, k->id, k->id_len) == 0
           ? o : NULL;
}

/* A row was placed in window order o (merged) or began the newest (o NULL): remember it
 * for last_order (an order kept in `over`, or without an id, is not remembered). */
static void note_last_order(struct crm_import *imp, uint64_t h, const struct open_order *o)
{
    if (!o) {
        imp->last_seq = imp->win_seq + imp->win_count - 1;
    } else if (o >= imp->win && o < imp->win + CRM_IMPORT_WINDOW) {
        size_t slot = (size_t)(o - imp->win);
        imp->last_seq = imp->win_seq +
                        (slot + CRM_IMPORT_WINDOW - imp->win_head) % CRM_IMPORT_WINDOW;
    } else {
        h = 0;
    }
    imp->last_h = h;
}

/* One data row: checked, parsed, then merged, held as a suspected duplicate, begun as a
 * new order, skipped or rejected — exactly one of them (the nothing-lost invariant). */
enum crm_err do_row(struct rowctx *r, const struct colmap *m, const struct prow *p,
                    struct crm_errinfo *e)
{
    struct crm_import *imp = r->imp;
    const struct row *rw = &p->r;
    struct row again;
    if (!p->parsed) {                   /* parsed here, so that a reject is written */
        again.k = p->r.k;
        if (parse_row(r, m, &again))
            return CRM_OK;
        rw = &again;
    }
    imp->st.money_rounded += rw->rounded;
    uint64_t h = rw->k.id_h;
    struct crm_idset_at *at = &imp->seen_at;
    int held = 0;
    struct open_order *o = rw->k.id_len ? last_order(imp, h, &rw->k) : NULL;
    if (rw->k.id_len && !o) {
        /* every open order's id is in `seen` (noted when it began): an id not there has
         * no open order, and the window is not asked */
        held = crm_idset_contains_at(imp->seen, rw->k.id, rw->k.id_len, h, &rw->k.id_num, at);
        if (held)
            o = wmap_find(imp, h, rw->k.id, rw->k.id_len);
        if (held && !o && imp->nover)
            o = over_find(imp, h, rw->k.id, rw->k.id_len);
    }
    if (!o && !rw->k.cust_len && imp->preset && (imp->preset->rules & P_GUEST)) {
        at->word = NULL;
        skip_row(r, CRM_SKIP_GUEST);    /* neither e-mail nor phone: a guest order */
        return CRM_OK;
    }
    if (rw->k.id_len && !o) {
        int loaded = 0;
        enum crm_err rc;
        /* a new store has no stored ids to probe (a call per row saved) */
        if (!held && imp->stored_before &&
            (rc = load_probed(imp, rw->k.id, rw->k.id_len, &loaded, e)) != CRM_OK) {
            at->word = NULL;
            return rc;
        }
        if (loaded)                     /* ids were inserted: look again (and where) */
            held = crm_idset_contains_at(imp->seen, rw->k.id, rw->k.id_len, h, &rw->k.id_num,
                                         at);
        if (held) {
            at->word = NULL;
            return hold_suspect(imp, r, m, rw, e);
        }
    }
    char why[256];
    enum crm_reject reason = CRM_REJ_CONFLICT;     /* set by place_row when it returns 1 */
    int placed = place_row(imp, m, rw, h, o, &reason, why, sizeof why, e);
    imp->seen_at.word = NULL;           /* no use after this row (nor stale in importsus) */
    if (placed < 0)
        return e->code;
    if (placed == 0)
        note_last_order(imp, h, o);
    if (placed > 0)
        reject_row(r, reason, "%s", why);
    return CRM_OK;
}
/* --line-items unsorted: write the orders kept open, in the order they began. */
enum crm_err write_kept(struct crm_import *imp, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < imp->nover && rc == CRM_OK; i++) {
        struct open_order *o = &imp->over[i];
        if (!o->id)
            o->id = o->id_inline;
        rc = write_order(imp, o, -1, e);
    }
    imp->nover = 0;
    return rc;
}
