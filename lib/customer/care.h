/* care: the CRM desk's dated contact list (客户关怀, SPEC §7a) for one day D — who to
 * contact and why:
 *   birthday      the customers-file birthday falls on D (29 February on 28 February in
 *                 years without one);
 *   after-7d      a paid order exactly 7 days before D (the follow-up after purchase);
 *   after-28d     a paid order exactly 28 days before D;
 *   vip-expiring  the customer's VIP status lapses `vip_remind` days after D and the
 *                 orders of the current status year do not already renew it;
 *   win-back      the customer entered the dormant class on D (last paid order exactly
 *                 dormant_days + 1 days before D).
 * Blocked (malicious) customers are never listed.
 *
 * VIP status over time: a customer qualifies on day d when the paid orders of the 365 days
 * d − 364 .. d meet the VIP thresholds (the same test as the VIP flag evaluated the next
 * morning). Status begins on the first qualifying day Q and is valid for 365 days, lapsing
 * on E = Q + 365; on E it is re-evaluated on the orders of the status year Q .. E − 1 and,
 * when they qualify, renewed from E for another 365 days. After a lapse, the next
 * qualifying day starts a new status. This is a function of each customer's orders in time
 * order; stores are not time-sorted, so the orders of the customers who can have a status
 * lapsing on D + vip_remind (those whose paid orders of the 366 days before the status
 * would have begun meet the thresholds — counted in the first pass) are gathered in a
 * second pass over the store, sorted by day per customer and replayed. The second pass
 * holds at most `budget` orders at a time (more passes when needed), so memory stays
 * O(customers) + O(budget).
 *
 * Invariants: one item per customer and reason; items sorted by due date, reason (in the
 * order of enum crm_care_reason) and customer id (byte order). */
#ifndef CRM_CARE_H
#define CRM_CARE_H

#include <stddef.h>
#include <stdint.h>

#include "customer/agg.h"
#include "base/err.h"
#include "customer/segment.h"
#include "store/store.h"

enum crm_care_reason {
    CRM_CARE_BIRTHDAY, CRM_CARE_AFTER_7D, CRM_CARE_AFTER_28D, CRM_CARE_VIP_EXPIRING,
    CRM_CARE_WIN_BACK, CRM_CARE_REPLENISH, CRM_CARE_COUNT
};

#define CRM_CARE_ALL ((1u << CRM_CARE_COUNT) - 1)
#define CRM_CARE_YEAR 365           /* days of VIP status */

/* "birthday", "after-7d", "after-28d", "vip-expiring", "win-back", "replenish" (a product
 * bought on at least two days is due again: customer/replenish.h; stores with line items
 * only). */
const char *crm_care_reason_name(enum crm_care_reason r);

/* A comma-separated list of reason names into a bit mask (1 << reason). CRM_EUSAGE naming
 * an unknown one. */
enum crm_err crm_care_parse_reasons(const char *list, unsigned *mask, struct crm_errinfo *e);

struct crm_care_opts {
    int32_t on;              /* the day D of the list: the agg must run with as_of = D */
    unsigned reasons;        /* mask of reasons to list */
    int32_t vip_remind;      /* days before the status lapses, 1..364 (30) */
    size_t budget;           /* orders held at once by the VIP pass; 0: 4 Mi */
};

struct crm_care_item {
    uint32_t customer;
    enum crm_care_reason reason;
    int32_t due;             /* the day the contact is due (D) */
    enum crm_class cls;      /* class on D */
    char tier;               /* seed tier on D; 0 without paid orders in the window */
    int32_t last_order;      /* last paid order before D; CRM_NO_DAY */
    /* detail: birthday: born (day), year_known; after-*: day of the order(s), count, money;
     * vip-expiring: since (Q), until (the lapse day E); win-back: days since last order */
    int32_t day, until;
    int year_known;
    uint32_t count;
    int64_t money;
    const char *product;     /* replenish: the product id (the store's text); day = last
                                purchase, count = purchase days, until = cycle in days,
                                year_known = other products due the same day */
    size_t product_len;
};

struct crm_care;

enum crm_err crm_care_new(const struct crm_care_opts *o, struct crm_care **out,
                          struct crm_errinfo *e);
void crm_care_free(struct crm_care *k);

/* The agg visit hook (ctx: the struct crm_care). */
enum crm_err crm_care_visit(void *ctx, const struct crm_chunk *c, const int32_t *day,
                            struct crm_errinfo *e);

/* After crm_agg_run (as_of = D, history = 1, visit = crm_care_visit): the VIP pass, which
 * reads s again from its first chunk (on a pipe the store must be held in memory, e.g. by
 * crm_store_max_time before the first pass), then the sorted list. seg gives classes,
 * tiers, VIP thresholds and dormant days; info the customers-file rows. */
enum crm_err crm_care_finish(struct crm_care *k, struct crm_store *s, const struct crm_agg *a,
                             const struct crm_segment *seg,
                             const struct crm_customer_info *info, struct crm_errinfo *e);

size_t crm_care_count(const struct crm_care *k);
const struct crm_care_item *crm_care_item(const struct crm_care *k, size_t i);

/* The detail column, without commas: "born 1992-02-29; turns 32" (or "born --02-29" when
 * the year is unknown), "2 paid orders of 123.45 on 2024-06-24", "VIP since 2023-08-01;
 * lapses 2024-07-31", "no paid order for 181 days". */
size_t crm_care_detail(const struct crm_care_item *it, int money_scale, char *buf, size_t size);

/* The VIP status replay for one customer, exposed for tests: events sorted by day
 * (paid orders, and refunds as negative money with zero orders and items), the thresholds,
 * and the day D. Returns 1 when a status is valid on D − 1 (or renewed on D), with its
 * start *since and lapse day *until, and *assured when the orders of its year so far
 * (since .. D − 1) already qualify for renewal; 0 when no status is valid. */
struct crm_care_event {
    int32_t day;
    uint32_t orders, items;
    int64_t money;
};
int crm_care_vip_status(const struct crm_care_event *ev, size_t n, uint32_t vip_orders,
                        uint32_t vip_items, int64_t vip_money, int32_t on, int32_t *since,
                        int32_t *until, int *assured);

#endif
