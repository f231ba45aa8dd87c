/* segment: customer classes, VIP flag and named RFM segments (SPEC §7), and the summary
 * table a manager reads. Invariants: the classes are mutually exclusive and checked in the
 * order of the enum (malicious, no-order, no-sale, new, dormant, then the seed tier); a
 * customer's class, VIP flag and segment depend only on that customer's aggregate, the
 * customers file and the quintile cut points, so each is O(1) per customer. The agg must
 * have been run with history = 1 (the "new" class needs the first paid order ever, and
 * "no-order" the orders before the window). */
#ifndef CRM_SEGMENT_H
#define CRM_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "customer/agg.h"
#include "base/err.h"
#include "text/money.h"
#include "customer/rfm.h"
#include "store/store.h"

enum crm_class {
    CRM_CLASS_NONE = -1,   /* not a customer at the as-of date: no order before it and no
                              customers-file row (only orders dated on or after it) */
    CRM_CLASS_MALICIOUS,   /* 恶意顾客: blocked in the customers file */
    CRM_CLASS_NO_ORDER,    /* 无订购顾客: known, no order at all in the window */
    CRM_CLASS_NO_SALE,     /* 无销售顾客: orders in the window, none of them paid */
    CRM_CLASS_NEW,         /* 新顾客: first paid order ever within new_days */
    CRM_CLASS_DORMANT,     /* 休眠顾客: paid in the window, not in the last dormant_days */
    CRM_CLASS_P, CRM_CLASS_G, CRM_CLASS_S, CRM_CLASS_B,
    CRM_CLASS_COUNT
};

/* "malicious", "no-order", "no-sale", "new", "dormant", "P", "G", "S", "B" ("" for NONE). */
const char *crm_class_name(enum crm_class c);

struct crm_segment_opts {
    int32_t new_days;              /* 30: first paid order at most this many days ago */
    int32_t dormant_days;          /* 180: no paid order in this many days */
    uint32_t vip_orders;           /* 3 paid orders in the window, */
    uint32_t vip_items;            /* 10 items in them, */
    struct crm_decimal vip_money;  /* 10000 in money (net of refunds with the rfm net) */
    int classes_only;              /* set by a caller that asks for classes alone (crm-segment
                                      --summary --by class): no quintile cuts are made, and
                                      crm_segment_customer fills cls and seed only (quint
                                      unscored, vip 0, segment -1); the agg may skip items */
};

void crm_segment_opts_default(struct crm_segment_opts *o);

/* "new-days", "dormant-days" (whole days >= 0), "vip-orders", "vip-items" (whole numbers
 * >= 0), "vip-money" (an amount >= 0, e.g. 10000 or 9999.99). CRM_EUSAGE when malformed. */
enum crm_err crm_segment_set_option(struct crm_segment_opts *o, const char *name,
                                    const char *text, struct crm_errinfo *e);

/* ---- named segments ------------------------------------------------------------------- */

struct crm_segment_rule {
    char *name;
    int lo[3], hi[3];              /* inclusive ranges of the quintile R, F, M (1..5) */
};

struct crm_segment_rules {
    size_t n;
    struct crm_segment_rule *rule;
};

/* The table of SPEC §7 (Champions ... Lost). */
enum crm_err crm_segment_rules_default(struct crm_segment_rules **out, struct crm_errinfo *e);

/* A rules CSV: header segment,r_min,r_max,f_min,f_max,m_min,m_max, then one rule per row
 * (a non-empty name, whole numbers 1..5, min <= max). Rows are tried in file order. A
 * malformed file is CRM_EUSAGE with its file and line; an unreadable one CRM_EIO. */
enum crm_err crm_segment_rules_load(const char *path, struct crm_segment_rules **out,
                                    struct crm_errinfo *e);
void crm_segment_rules_free(struct crm_segment_rules *rules);

/* Index of the first rule whose ranges hold (r, f, m); rules->n when none does. */
size_t crm_segment_rules_match(const struct crm_segment_rules *rules, int r, int f, int m);

/* Name of the segment index from crm_segment_rules_match: rules->n is "Others". */
const char *crm_segment_rules_name(const struct crm_segment_rules *rules, size_t idx);

/* ---- per customer ---------------------------------------------------------------------- */

struct crm_segment;

struct crm_segment_row {
    enum crm_class cls;
    int vip;
    long segment;                  /* rule index (n = Others); -1 when not scored */
    struct crm_rfm_row seed;       /* seed-scheme scores (the tier of the class) */
    struct crm_rfm_row quint;      /* quintile scores (the segment) */
};

/* Build the classifier over a (run with history = 1). ro gives monetary, net and the seed
 * thresholds; the segment always uses the quintile scheme and the class the seed scheme.
 * info: the store's customers-file rows (crm_store_customers), indexed by a->info. rules
 * may be NULL for the default table; a, info and rules must outlive the result. */
enum crm_err crm_segment_new(const struct crm_segment_opts *o, const struct crm_rfm_opts *ro,
                             const struct crm_agg *a, const struct crm_customer_info *info,
                             const struct crm_segment_rules *rules, int money_scale,
                             struct crm_segment **out, struct crm_errinfo *e);
void crm_segment_free(struct crm_segment *s);

/* Customer c's class, VIP flag, segment and scores (with classes_only: class and seed). */
void crm_segment_customer(const struct crm_segment *s, uint32_t c, struct crm_segment_row *row);

/* The class alone (no scores computed for classes before the tier). */
enum crm_class crm_segment_class(const struct crm_segment *s, uint32_t c);

/* Segment name of a row ("" when not scored). */
const char *crm_segment_name(const struct crm_segment *s, long segment);

const struct crm_rfm *crm_segment_seed(const struct crm_segment *s);
const struct crm_segment_opts *crm_segment_options(const struct crm_segment *s);
int64_t crm_segment_vip_money(const struct crm_segment *s);   /* minor units */

/* The VIP rule (SPEC §7), written once: at least vip_orders paid orders, vip_items items and
 * vip_money minor units, all three. crm-segment's vip flag and the care list's VIP status
 * (care.c) both ask it. */
int crm_segment_vip_qualifies(uint32_t vip_orders, uint32_t vip_items, int64_t vip_money,
                              int64_t orders, int64_t items, int64_t money);
int crm_segment_net(const struct crm_segment *s);
const struct crm_rfm *crm_segment_quintile(const struct crm_segment *s);   /* NULL: classes_only */

/* Scale-out (SPEC §12): score the segments with the quintile cut points of all partitions
 * (dimension 'r', 'f' or 'm'; see crm_rfm_set_cuts). */
void crm_segment_set_cuts(struct crm_segment *s, char dim, const struct crm_rfm_cuts *cuts);

/* ---- summary ---------------------------------------------------------------------------- */

enum crm_segment_by { CRM_SEGMENT_BY_CLASS, CRM_SEGMENT_BY_SEGMENT, CRM_SEGMENT_BY_VIP };

struct crm_segment_group {
    const char *name;
    uint64_t customers;
    uint64_t orders;               /* paid orders in the window */
    int64_t revenue;               /* their money (net of refunds with the rfm net) */
    double share;                  /* customers / all listed customers (NaN when none) */
    double revenue_share;          /* revenue / all revenue (NaN when that is 0) */
    int64_t avg_order_value;       /* revenue / orders, rounded half away from zero */
    int has_avg;                   /* 0 when the group has no paid orders */
};

struct crm_segment_summary {
    size_t n;
    struct crm_segment_group *group;
    uint64_t customers;
    int64_t revenue;
};

/* One group per class (all nine, in tree order), per segment name (in rule order, joined
 * by name; then Others, then "(none)" for customers without paid orders in the window) or
 * per VIP flag ("yes", "no"), over every listed customer (class other than NONE). */
enum crm_err crm_segment_summarize(const struct crm_segment *s, enum crm_segment_by by,
                                   struct crm_segment_summary **out, struct crm_errinfo *e);
void crm_segment_summary_free(struct crm_segment_summary *sum);

/* Fill customers, revenue, every share and average of a summary from its groups' customers,
 * orders and revenue (what crm_segment_summarize ends with; a merge of partitions' groups
 * ends with it too, so the shares are the same numbers). */
void crm_segment_summary_finish(struct crm_segment_summary *sum);

#endif
