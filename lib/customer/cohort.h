/* cohort: retention by cohort (SPEC §15). A customer's cohort is the calendar period (month,
 * ISO week or quarter, numbered as in kpi.h) of their first paid order before the as-of
 * date; for each cohort and each period index k = 0, 1, … (period cohort + k, while it
 * starts before the as-of date) the cell holds the cohort's active customers (≥ 1 paid
 * order in that period), paid orders and paid revenue. Refunds, cancelled and pending
 * orders never count; there is no window (all history before as-of).
 *
 * Two passes over the store (the cohort of an order's customer is known only once every
 * order has been seen; stores are not time-sorted): the first finds each customer's first
 * paid day, the second fills the cells, with one bit per customer and period so a customer
 * is active once per period. Memory: O(customers × periods) bits + O(periods²) cells.
 *
 * Invariants: cells are integers (counts, minor units), so partitions' cells (disjoint
 * customers) add up exactly (crm_cohort_add) and the merged report is byte-identical to the
 * single store's; period 0 of every cohort has active = cohort size. */
#ifndef CRM_COHORT_H
#define CRM_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "customer/kpi.h"
#include "store/store.h"
#include "text/out.h"

enum crm_cohort_metric {
    CRM_COHORT_CUSTOMERS, CRM_COHORT_RETENTION, CRM_COHORT_REVENUE, CRM_COHORT_ORDERS,
    CRM_COHORT_CUM_REVENUE
};

/* "customers", "retention", "revenue", "orders", "cum-revenue"; -1 when unknown. */
int crm_cohort_parse_metric(const char *text);
const char *crm_cohort_metric_name(enum crm_cohort_metric m);
/* --metric TEXT as an option: *m, or CRM_EUSAGE naming the five names (*m untouched). */
enum crm_err crm_cohort_metric_option(const char *text, enum crm_cohort_metric *m,
                                      struct crm_errinfo *e);

struct crm_cohort;

/* An empty table for cohorts before as_of (filled by crm_cohort_scan or crm_cohort_add). */
enum crm_err crm_cohort_new(enum crm_kpi_period period, int32_t as_of, struct crm_cohort **out,
                            struct crm_errinfo *e);
void crm_cohort_free(struct crm_cohort *co);

/* Both passes over s from its first chunk (on a pipe, the store must be held in memory,
 * e.g. by crm_store_max_time, before the call). *ignored gets the orders dated on or after
 * as_of (may be NULL). */
enum crm_err crm_cohort_scan(struct crm_cohort *co, struct crm_store *s, uint64_t *ignored,
                             struct crm_errinfo *e);

/* One cell (or, with k = -1, a cohort size in `active`), as partials carry them. */
struct crm_cohort_cell {
    int32_t cohort;                /* crm_kpi_period_of numbering */
    int32_t k;                     /* period index; -1: the cohort's size */
    uint64_t active, orders;
    int64_t revenue;
};

/* Add a partition's cell (CRM_EDATA for a cohort or period at or after as_of's period). */
enum crm_err crm_cohort_add(struct crm_cohort *co, const struct crm_cohort_cell *c,
                            struct crm_errinfo *e);

/* The non-empty cells and the sizes, in cohort then k order (size first), for partials:
 * their number, and each in turn (*pos = 0 first; 0 after the last). */
size_t crm_cohort_cells(const struct crm_cohort *co);
int crm_cohort_cell_next(const struct crm_cohort *co, size_t *pos, struct crm_cohort_cell *c);

/* The report: cohorts with at least one customer, oldest first. */
size_t crm_cohort_count(const struct crm_cohort *co);

struct crm_cohort_row {
    char cohort[16];               /* 2011-01, 2011-Q1, or the Monday of the week 2011-01-03 */
    int32_t period_index;          /* k */
    int32_t period_start;          /* first day of period cohort + k */
    uint64_t cohort_size, active, orders;
    double retention;              /* active / cohort_size */
    int64_t revenue;               /* paid money in the period (minor units) */
    int64_t cum_revenue_per_customer;  /* revenue of periods 0..k / cohort_size, half away
                                          from zero, minor units */
};

/* Periods of cohort i (k = 0 .. n − 1). */
size_t crm_cohort_periods(const struct crm_cohort *co, size_t i);
/* The most periods of any cohort (the first one's). */
size_t crm_cohort_max_periods(const struct crm_cohort *co);
void crm_cohort_row(const struct crm_cohort *co, size_t i, size_t k, struct crm_cohort_row *r);

/* The cohort label of a period number (buf >= 16 bytes). */
size_t crm_cohort_label(enum crm_kpi_period p, int32_t period, char *buf);

/* crm-cohort's report: the long table (a row per cohort and period index: cohort,
 * period_index, period_start, cohort_size, active, retention, revenue, orders,
 * cum_revenue_per_customer), or with matrix a row per cohort (cohort, cohort_size, then the
 * metric at period index 0, 1, … up to the longest cohort's; empty past a cohort's last).
 * Money in minor units of money_scale; retention with 7 decimals. */
void crm_cohort_write(struct crm_out *o, const struct crm_cohort *co, int matrix,
                      enum crm_cohort_metric metric, int money_scale);

#endif
