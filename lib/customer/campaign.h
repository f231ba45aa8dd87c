/* campaign: care that proves it works (SPEC §16, 實驗組與對照組) — a stable split of a
 * contact list into treatment and control, and the measurement of both groups afterwards.
 *
 * The split (crm_campaign_is_control) is a pure function of salt, customer id and holdout
 * F, specified so that any machine can reproduce it:
 *     h = FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over the bytes of the
 *         salt, one 0x00 byte, and the bytes of the customer id (UTF-8, as stored: leading
 *         and trailing spaces trimmed);
 *     z = splitmix64's finaliser of h: z ^= z >> 30; z *= 0xbf58476d1ce4e5b9;
 *         z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31   (mod 2^64);
 *     u = (z >> 11) / 2^53   (uniform on [0, 1));   control ⇔ u < F.
 * So the same customer, salt and F always land in the same group, whatever the list's
 * order, and a customer in control at F stays in control at any larger F.
 *
 * The measurement reads the groups file (customer_id and group columns), then one pass
 * over the store: paid orders dated from .. from + days − 1 (and before as_of) per listed
 * customer. A listed customer absent from the store is a customer who did not buy.
 * Invariants: money is summed in minor units; each customer counts once (a list with one
 * row per customer and reason gives each customer's group once; two different groups for
 * one customer are an error). */
#ifndef CRM_CAMPAIGN_H
#define CRM_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"
#include "text/out.h"

enum crm_campaign_group { CRM_CAMPAIGN_TREATMENT = 0, CRM_CAMPAIGN_CONTROL = 1 };

const char *crm_campaign_group_name(enum crm_campaign_group g);   /* treatment, control */

/* The stable hash and the group (see above). */
uint64_t crm_campaign_hash(const char *salt, size_t salt_len, const char *id, size_t len);
enum crm_campaign_group crm_campaign_assign(const char *salt, size_t salt_len, const char *id,
                                            size_t len, double holdout);

struct crm_campaign_split_opts {
    const char *salt;
    double holdout;          /* F, 0 < F < 1 */
    const char *column;      /* the id column's header name (customer_id) */
};

struct crm_campaign_counts {
    uint64_t rows, customers[2];   /* rows read; distinct customers per group */
};

/* LIST (path, NULL or "-": stdin; CSV or TSV, delimiter detected) to o: its header plus
 * `group`, each row plus its customer's group. CRM_EUSAGE naming file and line when the id
 * column is missing, a row has another number of fields, or an id is empty. */
enum crm_err crm_campaign_split(const char *path, const struct crm_campaign_split_opts *so,
                                struct crm_out *o, struct crm_campaign_counts *counts,
                                struct crm_errinfo *e);

/* ---- measure ---- */

struct crm_campaign_groups;

/* Read a groups file (columns customer_id and group; other columns ignored). */
enum crm_err crm_campaign_groups_load(const char *path, const char *column,
                                      struct crm_campaign_groups **out, struct crm_errinfo *e);
void crm_campaign_groups_free(struct crm_campaign_groups *g);

struct crm_campaign_opts {
    int32_t from;            /* first day measured (the contact date) */
    int32_t days;            /* N */
    int32_t as_of;           /* orders on or after it are not seen */
    double level;            /* of the intervals (0.95) */
};

/* One group's figures. */
struct crm_campaign_side {
    uint64_t customers, buyers, orders, missing;   /* missing: listed, not in the store */
    int64_t revenue;                               /* minor units */
    double conversion;                             /* buyers / customers */
    double opc_mean, opc_var;                      /* orders per customer (n − 1 variance) */
    double rpc_mean, rpc_var;                      /* revenue per customer, major units */
};

/* A compared metric: the difference treatment − control, its interval, the relative lift
 * (difference / control; NaN when control is 0) and the two-sided p-value; NaN where not
 * defined (one customer in a group). */
struct crm_campaign_diff {
    double diff, lo, hi, lift, p;
};

struct crm_campaign_result {
    struct crm_campaign_side side[2];
    int32_t days_measured;                 /* <= days: fewer when as_of comes first */
    struct crm_campaign_diff conversion;   /* Newcombe interval, pooled z test */
    struct crm_campaign_diff buyers;       /* incremental buyers: customers_t × conversion */
    struct crm_campaign_diff opc;          /* Welch */
    struct crm_campaign_diff rpc;          /* Welch, major units */
    /* by day d = 0 .. days_measured − 1, per group: share of customers who have bought by
     * the end of day d, revenue per customer so far (major units) */
    double *cum_conversion[2], *cum_rpc[2];
};

/* One pass over s (g's per-customer tallies are reset and refilled). CRM_EDATA when a group
 * is empty or from is on or after as_of. */
enum crm_err crm_campaign_measure(struct crm_store *s, struct crm_campaign_groups *g,
                                  const struct crm_campaign_opts *o, int money_scale,
                                  struct crm_campaign_result *r, struct crm_errinfo *e);
void crm_campaign_result_free(struct crm_campaign_result *r);

/* crm-campaign measure's table: a row per metric (customers, buyers, conversion_rate,
 * orders_per_customer, revenue_per_customer) with the treatment and control figures, the
 * difference, its interval, lift and p-value; rates and means with 7 decimals, money with
 * money_scale, incremental buyers with 2; NaN as an empty field. */
void crm_campaign_write_result(struct crm_out *o, const struct crm_campaign_result *r,
                               int money_scale);

#endif
