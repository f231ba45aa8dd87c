/* agg: per-customer aggregation, the one streaming pass every analytic tool makes over a
 * store. Customers are indexed by their dense dictionary index, so each order costs a few
 * array updates, and memory grows with customers, never with orders. Window (SPEC §2): an
 * order of day d counts when 1 <= as_of - d <= window_days, i.e. window_start <= d < as_of;
 * orders dated on or after as_of are ignored (counted in orders_future). */
#ifndef CRM_AGG_H
#define CRM_AGG_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* Touched by every paid order: kept small (32 bytes) for the cache. */
struct crm_cust {
    int64_t paid_money;        /* sum of paid amounts in the window (minor units) */
    int32_t first_paid;        /* day of the first paid order in the window, CRM_NO_DAY */
    int32_t last_paid;         /* day of the last paid order in the window, CRM_NO_DAY */
    uint32_t paid_orders;      /* paid orders in the window */
    uint32_t items;            /* items in those orders (saturates at UINT32_MAX) */
    int32_t first_paid_ever;   /* first paid order before as_of, any date; CRM_NO_DAY */
    int32_t last_paid_ever;    /* last paid order before as_of; CRM_NO_DAY */
};

/* Touched by cancelled, refunded and pending orders. */
struct crm_cust_more {
    int64_t refund_money;      /* money refunded in the window */
    uint32_t cancelled, refunded, pending;   /* orders in the window, by status */
    int32_t first_other_ever;  /* first non-paid order before as_of; CRM_NO_DAY */
};

struct crm_agg_opts {
    int32_t as_of;             /* evaluation day (days since 1970-01-01) */
    int32_t window_days;       /* 0: all history */
    int history;               /* read chunks older than the window too (for *_ever) */
    int no_items;              /* skip the quantity column: items stay 0 (faster) */
    int paid_only;             /* paid orders alone: `more` stays NULL (no refunds, no
                                  other statuses, no crm_agg_first_order): 24 bytes a
                                  customer neither zeroed nor written */
    /* Optional: called with every decoded chunk (columns asked for in `columns`, plus
     * customer, time, amount, quantity, status) and its orders' days. */
    enum crm_err (*visit)(void *ctx, const struct crm_chunk *c, const int32_t *day,
                          struct crm_errinfo *e);
    void *visit_ctx;
    unsigned columns;
};

struct crm_agg {
    uint32_t n;                /* customers (the store's dictionary size) */
    int32_t as_of, window_start;
    struct crm_cust *cust;
    struct crm_cust_more *more;   /* NULL after a paid_only pass */
    int paid_only;
    int32_t *info;             /* index into crm_store_customers() rows (the last one for the
                                  customer), -1 when none; NULL when the store has none */
    uint32_t cap;              /* allocated entries of cust and more; only the first n are
                                  initialised (the rest are never touched) */
    uint64_t orders;           /* orders read before as_of */
    uint64_t orders_future;    /* orders dated on or after as_of (ignored) */
};

/* The default evaluation date: the day after the latest order of any status. On a pipe
 * this keeps the (compressed) store in memory. CRM_EDATA when the store has no orders. */
enum crm_err crm_agg_default_as_of(struct crm_store *s, int32_t *as_of, struct crm_errinfo *e);

enum crm_err crm_agg_run(struct crm_store *s, const struct crm_agg_opts *o, struct crm_agg **out,
                         struct crm_errinfo *e);
void crm_agg_free(struct crm_agg *a);
/* Give back `more` (refunds and other statuses) early, for a caller done with it: its
 * fields and crm_agg_first_order / crm_agg_known_before must not be used afterwards. */
void crm_agg_free_more(struct crm_agg *a);

/* The customer knew the shop before the window: any order (any status) before it. */
int crm_agg_known_before(const struct crm_agg *a, uint32_t c);
/* First order of any status before as_of; CRM_NO_DAY when none. */
int32_t crm_agg_first_order(const struct crm_agg *a, uint32_t c);

#endif
