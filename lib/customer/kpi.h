/* kpi: the shop's headline figures per calendar period (SPEC §7a, 分级制度 statistics):
 * orders, paying, new and returning customers, repeat rate (回头率), revenue, average order
 * value (客单价), orders per customer, growth on the previous period (增长率) and refund
 * rate. Fed by agg's visit hook in the same single pass; new customers come from each
 * customer's first paid order ever (agg with history = 1).
 *
 * Invariants: an order belongs to the period of its date; only orders dated before the
 * as-of date count; paying customers are counted once per period (one bit per customer and
 * period), so memory is O(customers × periods listed) bits plus O(periods). */
#ifndef CRM_KPI_H
#define CRM_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "customer/agg.h"
#include "base/err.h"
#include "store/store.h"

enum crm_kpi_period { CRM_KPI_MONTH, CRM_KPI_WEEK, CRM_KPI_QUARTER };

/* "month", "week", "quarter"; -1 when unknown. */
int crm_kpi_parse_period(const char *text);
/* --period TEXT as an option: *p, or CRM_EUSAGE "--period TEXT: expected month, week or
 * quarter" (*p untouched). */
enum crm_err crm_kpi_period_option(const char *text, enum crm_kpi_period *p,
                                   struct crm_errinfo *e);
/* The name crm_kpi_parse_period reads: "month", "week" or "quarter". */
const char *crm_kpi_period_name(enum crm_kpi_period p);

/* Period arithmetic: the number of the period holding `day` (consecutive periods have
 * consecutive numbers), its first day, and its label (2024-03, 2024-W09 for ISO weeks,
 * which start on Monday, or 2024-Q1; buf >= 16 bytes). */
int32_t crm_kpi_period_of(enum crm_kpi_period p, int32_t day);
int32_t crm_kpi_period_start(enum crm_kpi_period p, int32_t period);
size_t crm_kpi_period_label(enum crm_kpi_period p, int32_t period, char *buf);

struct crm_kpi;

/* Figures for the periods from the one holding `first_day` (CRM_NO_DAY: the first period
 * with an order) to the one holding as_of − 1. */
enum crm_err crm_kpi_new(enum crm_kpi_period p, int32_t first_day, int32_t as_of,
                         struct crm_kpi **out, struct crm_errinfo *e);
void crm_kpi_free(struct crm_kpi *k);

/* The agg visit hook (ctx: the struct crm_kpi). */
enum crm_err crm_kpi_visit(void *ctx, const struct crm_chunk *c, const int32_t *day,
                           struct crm_errinfo *e);

/* After the pass: new customers from a's first paid order ever (a run with history = 1). */
enum crm_err crm_kpi_finish(struct crm_kpi *k, const struct crm_agg *a, struct crm_errinfo *e);

struct crm_kpi_row {
    char label[16];
    int32_t start, end;            /* first day, last day counted (as_of − 1 at the latest) */
    uint64_t orders;               /* paid orders */
    uint64_t paying;               /* customers with a paid order in the period */
    uint64_t new_customers;        /* ... whose first paid order ever is in the period */
    uint64_t returning;            /* paying − new: a paid order before the period */
    double repeat_rate;            /* returning / paying */
    int64_t revenue;               /* paid money */
    int64_t avg_order_value;       /* revenue / orders, half away from zero; 0 when none */
    int has_avg;
    double orders_per_customer;    /* orders / paying */
    double revenue_growth;         /* on the previous period; NaN when that had none */
    double customer_growth;        /* paying customers on the previous period; NaN likewise */
    uint64_t refunds;              /* refunded orders */
    double refund_rate;            /* refunded orders / paid orders */
};

/* Rows, oldest period first (NaN for a ratio with a zero denominator). */
size_t crm_kpi_count(const struct crm_kpi *k);
void crm_kpi_row(const struct crm_kpi *k, size_t i, struct crm_kpi_row *row);

/* Scale-out (SPEC §12): the counters of one period, so that partitions' figures merge. The
 * customers of partitions are disjoint, so paying and new customers add up like orders. */
struct crm_kpi_counts {
    int32_t period;                /* crm_kpi_period_of numbering */
    uint64_t orders, paying, new_customers, refunds;
    int64_t revenue;
};

/* The periods counted so far (after crm_kpi_finish: complete), i < crm_kpi_periods. */
size_t crm_kpi_periods(const struct crm_kpi *k);
void crm_kpi_counts_at(const struct crm_kpi *k, size_t i, struct crm_kpi_counts *c);

/* Add another partition's counters of a period, for a crm_kpi made with the same period,
 * first day and as_of, instead of visiting orders (CRM_EDATA for a period outside them). */
enum crm_err crm_kpi_add_counts(struct crm_kpi *k, const struct crm_kpi_counts *c,
                                struct crm_errinfo *e);

#endif
