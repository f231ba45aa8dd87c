/* btsum: the per-customer purchase summaries of the customer-base models (SPEC §9), built in
 * one streaming pass over a store in O(customers) memory. A purchase is a customer's DAY
 * with at least one paid order (several orders on one day are one purchase; other statuses
 * do not count). For the calibration period (days <= end) each customer gets the first and
 * last purchase day, the number of distinct purchase days, the paid money and the part of
 * it spent on the first purchase day; for the holdout (end < day < as_of) the number of
 * distinct purchase days. Orders dated on or after as_of are ignored (counted).
 *
 * Distinct days without keeping every order: a customer whose orders arrive in time order
 * (the usual case: one import of a time-sorted export) is counted on the fly with only
 * the latest day seen — a day later than it is a new purchase, the same day is not. A
 * customer with an order older than one already seen (several files in any order,
 * appends of older data) is flagged, and once the pass is over the store is read again
 * (crm_store_rewind: files, and pipes whose store was buffered) to collect the flagged
 * customers' (customer, day) pairs in a hash set, about 16 bytes per distinct day, in as
 * many passes over customer groups (index modulo the pass count) as keep that set under
 * the memory budget. Money, first and last days are exact in any order (sums, minimum,
 * maximum). Invariant: every summary is exactly what the orders say, whatever their order
 * in the store; when a second pass would be needed and the input cannot be rewound, the
 * run fails with an error saying so, never with approximate counts. */
#ifndef CRM_BTSUM_H
#define CRM_BTSUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* One customer (40 bytes: the pass touches one cache line per order). */
struct crm_btsum_cust {
    int64_t money;         /* paid money in the calibration period (minor units) */
    int64_t first_money;   /* the part of it paid on the first purchase day */
    int32_t first, last;   /* first and last purchase day in calibration; CRM_NO_DAY: none */
    int32_t seen;          /* bookkeeping: the latest purchase day met in store order */
    uint32_t days;         /* distinct purchase days in the calibration period */
    uint32_t holdout_days; /* distinct purchase days in the holdout period */
    uint32_t flags;        /* CRM_BTSUM_OUT_OF_ORDER, ... */
};

#define CRM_BTSUM_OUT_OF_ORDER 1u /* orders not in time order: days counted in a later pass */

struct crm_btsum_opts {
    int32_t as_of;     /* orders of this day or later are ignored */
    int32_t end;       /* last day of the calibration period (< as_of): as_of - 1 when there
                          is no holdout */
    int tracking;      /* fill repeat[] (the tracking plot's actual series) */
    size_t budget;     /* bytes for the second pass's day set; 0: 64 MiB */
};

struct crm_btsum {
    uint32_t n;                  /* customers: the store's dictionary size */
    struct crm_btsum_cust *cust; /* n entries, by dictionary index */
    int32_t as_of, end;
    /* With opts.tracking: repeat purchases (distinct purchase days other than the first)
     * of the calibration population per day: repeat[k] is day as_of - 1 - k, k < nrepeat
     * (nrepeat covers the earliest purchase day). NULL otherwise. */
    uint32_t *repeat;
    size_t nrepeat;
    uint64_t orders;         /* orders read that are dated before as_of (any status) */
    uint64_t orders_future;  /* dated on or after as_of: ignored */
    uint64_t paid;           /* paid orders before as_of */
    uint32_t customers;      /* with a purchase in the calibration period */
    uint32_t holdout_only;   /* first purchase after the calibration end: not modelled */
    uint32_t out_of_order;   /* customers whose days needed the second pass */
    int passes;              /* passes over the store: 1, more with out-of-order customers */
    uint32_t cap;            /* allocated entries of cust (only the first n are written) */
};

enum crm_err crm_btsum_run(struct crm_store *s, const struct crm_btsum_opts *o,
                           struct crm_btsum **out, struct crm_errinfo *e);
void crm_btsum_free(struct crm_btsum *b);

/* The customer made a purchase in the calibration period (is in the modelled population). */
static inline int crm_btsum_has(const struct crm_btsum_cust *c)
{
    return c->first != CRM_NO_DAY;
}

/* Repeat purchases in the calibration period: distinct purchase days - 1 (0 if none). */
static inline uint32_t crm_btsum_x(const struct crm_btsum_cust *c)
{
    return c->days ? c->days - 1 : 0;
}

/* Money of the repeat purchases (the first purchase day excluded), minor units. */
static inline int64_t crm_btsum_repeat_money(const struct crm_btsum_cust *c)
{
    return c->money - c->first_money;
}

#endif
