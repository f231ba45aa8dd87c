/* kpi: per-period headline figures (see kpi.h). Invariant: per[i] holds the period numbered
 * base + i; the range only grows, and never below the period before the first listed one
 * nor above the period of as_of − 1. */
#include "customer/kpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/timeparse.h"

struct period_stats {
    uint64_t orders, refunds, new_customers, paying;
    int64_t revenue;
    uint64_t *bits;            /* one bit per customer with a paid order in the period */
    size_t words;
};

struct crm_kpi {
    enum crm_kpi_period p;
    int32_t as_of;
    int32_t floor;             /* lowest period kept: the one before the first listed */
    int32_t hi;                /* period of as_of − 1 */
    int32_t base;
    size_t n;
    struct period_stats *per;
    int32_t first_paid;        /* lowest period with a paid order; INT32_MAX when none */
    int32_t memo_day, memo_period;
};

int crm_kpi_parse_period(const char *text)
{
    return strcmp(text, "month") == 0 ? CRM_KPI_MONTH : strcmp(text, "week") == 0 ? CRM_KPI_WEEK
         : strcmp(text, "quarter") == 0 ? CRM_KPI_QUARTER : -1;
}

enum crm_err crm_kpi_period_option(const char *text, enum crm_kpi_period *p,
                                   struct crm_errinfo *e)
{
    int v = crm_kpi_parse_period(text);
    if (v < 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--period %s: expected month, week or quarter",
                               text);
    *p = (enum crm_kpi_period)v;
    return CRM_OK;
}

const char *crm_kpi_period_name(enum crm_kpi_period p)
{
    return p == CRM_KPI_WEEK ? "week" : p == CRM_KPI_QUARTER ? "quarter" : "month";
}

static int32_t floor_div(int32_t a, int32_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int32_t crm_kpi_period_of(enum crm_kpi_period p, int32_t day)
{
    if (p == CRM_KPI_WEEK)
        return floor_div(day + 3, 7);   /* day 0, 1970-01-01, is a Thursday */
    int y;
    unsigned m, d;
    crm_civil_from_days(day, &y, &m, &d);
    return p == CRM_KPI_MONTH ? y * 12 + (int32_t)m - 1 : y * 4 + (int32_t)(m - 1) / 3;
}

int32_t crm_kpi_period_start(enum crm_kpi_period p, int32_t period)
{
    if (p == CRM_KPI_WEEK)
        return period * 7 - 3;
    int per_year = p == CRM_KPI_MONTH ? 12 : 4;
    int32_t y = floor_div(period, per_year), k = period - y * per_year;
    return crm_days_from_civil(y, (unsigned)(p == CRM_KPI_MONTH ? k + 1 : 3 * k + 1), 1);
}

size_t crm_kpi_period_label(enum crm_kpi_period p, int32_t period, char *buf)
{
    int32_t start = crm_kpi_period_start(p, period);
    int y;
    unsigned m, d;
    if (p == CRM_KPI_WEEK) {
        /* ISO 8601: the week belongs to the year of its Thursday */
        crm_civil_from_days(start + 3, &y, &m, &d);
        int32_t week = (start + 3 - crm_days_from_civil(y, 1, 1)) / 7 + 1;
        return (size_t)snprintf(buf, 16, "%04d-W%02d", y, (int)week);
    }
    crm_civil_from_days(start, &y, &m, &d);
    if (p == CRM_KPI_MONTH)
        return (size_t)snprintf(buf, 16, "%04d-%02u", y, m);
    return (size_t)snprintf(buf, 16, "%04d-Q%u", y, (m - 1) / 3 + 1);
}

enum crm_err crm_kpi_new(enum crm_kpi_period p, int32_t first_day, int32_t as_of,
                         struct crm_kpi **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_kpi *k = calloc(1, sizeof *k);
    if (!k)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    k->p = p;
    k->as_of = as_of;
    k->hi = crm_kpi_period_of(p, as_of - 1);
    k->floor = first_day == CRM_NO_DAY ? INT32_MIN : crm_kpi_period_of(p, first_day) - 1;
    k->first_paid = INT32_MAX;
    k->memo_day = CRM_NO_DAY;
    *out = k;
    return CRM_OK;
}

void crm_kpi_free(struct crm_kpi *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        free(k->per[i].bits);
    free(k->per);
    free(k);
}

/* The stats of period p, widening the range to hold it; NULL when out of memory. */
static struct period_stats *slot(struct crm_kpi *k, int32_t p)
{
    if (k->n == 0) {
        if (!(k->per = calloc(1, sizeof *k->per)))
            return NULL;
        k->base = p;
        k->n = 1;
    }
    if (p < k->base) {
        size_t add = (size_t)(k->base - p), n = k->n + add;
        struct period_stats *s = realloc(k->per, n * sizeof *s);
        if (!s)
            return NULL;
        memmove(s + add, s, k->n * sizeof *s);
        memset(s, 0, add * sizeof *s);
        k->per = s;
        k->n = n;
        k->base = p;
    } else if ((size_t)(p - k->base) >= k->n) {
        size_t n = (size_t)(p - k->base) + 1;
        struct period_stats *s = realloc(k->per, n * sizeof *s);
        if (!s)
            return NULL;
        memset(s + k->n, 0, (n - k->n) * sizeof *s);
        k->per = s;
        k->n = n;
    }
    return &k->per[p - k->base];
}

static int set_bit(struct period_stats *s, uint32_t c)
{
    size_t w = c / 64;
    if (w >= s->words) {
        size_t words = s->words ? s->words : 1024;
        while (words <= w)
            words *= 2;
        uint64_t *b = realloc(s->bits, words * sizeof *b);
        if (!b)
            return -1;
        memset(b + s->words, 0, (words - s->words) * sizeof *b);
        s->bits = b;
        s->words = words;
    }
    uint64_t bit = 1ULL << (c % 64);
    s->paying += !(s->bits[w] & bit);
    s->bits[w] |= bit;
    return 0;
}

enum crm_err crm_kpi_visit(void *ctx, const struct crm_chunk *c, const int32_t *day,
                           struct crm_errinfo *e)
{
    struct crm_kpi *k = ctx;
    for (uint32_t i = 0; i < c->n; i++) {
        int32_t d = day[i];
        uint8_t st = c->status[i];
        if (d >= k->as_of || (st != CRM_STATUS_PAID && st != CRM_STATUS_REFUNDED))
            continue;
        if (d != k->memo_day) {
            k->memo_day = d;
            k->memo_period = crm_kpi_period_of(k->p, d);
        }
        int32_t p = k->memo_period;
        if (p < k->floor)
            continue;
        struct period_stats *s = slot(k, p);
        if (!s)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for period figures");
        if (st == CRM_STATUS_REFUNDED) {
            s->refunds++;
            continue;
        }
        s->orders++;
        s->revenue += c->amount[i];
        if (p < k->first_paid)
            k->first_paid = p;
        if (set_bit(s, c->customer[i]) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for period figures");
    }
    return CRM_OK;
}

enum crm_err crm_kpi_finish(struct crm_kpi *k, const struct crm_agg *a, struct crm_errinfo *e)
{
    (void)e;
    for (uint32_t c = 0; c < a->n; c++) {
        int32_t d = a->cust[c].first_paid_ever;
        if (d == CRM_NO_DAY || d >= k->as_of)
            continue;
        int32_t p = crm_kpi_period_of(k->p, d);
        if (k->n && p >= k->base && (size_t)(p - k->base) < k->n)
            k->per[p - k->base].new_customers++;
    }
    for (size_t i = 0; i < k->n; i++) {
        free(k->per[i].bits);
        k->per[i].bits = NULL;
    }
    return CRM_OK;
}

/* First listed period: the one after floor, but not before the first paid order. */
static int32_t first_listed(const struct crm_kpi *k)
{
    int32_t lo = k->floor == INT32_MIN ? INT32_MIN : k->floor + 1;
    return k->first_paid > lo ? k->first_paid : lo;
}

size_t crm_kpi_count(const struct crm_kpi *k)
{
    if (k->first_paid == INT32_MAX)
        return 0;
    int32_t lo = first_listed(k);
    return lo > k->hi ? 0 : (size_t)(k->hi - lo) + 1;
}

static const struct period_stats none;

static const struct period_stats *stats_of(const struct crm_kpi *k, int32_t p)
{
    if (k->n == 0 || p < k->base || (size_t)(p - k->base) >= k->n)
        return &none;
    return &k->per[p - k->base];
}

static double ratio(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

void crm_kpi_row(const struct crm_kpi *k, size_t i, struct crm_kpi_row *row)
{
    int32_t p = first_listed(k) + (int32_t)i;
    const struct period_stats *s = stats_of(k, p), *prev = stats_of(k, p - 1);
    memset(row, 0, sizeof *row);
    crm_kpi_period_label(k->p, p, row->label);
    row->start = crm_kpi_period_start(k->p, p);
    row->end = crm_kpi_period_start(k->p, p + 1) - 1;
    if (row->end >= k->as_of)
        row->end = k->as_of - 1;
    row->orders = s->orders;
    row->paying = s->paying;
    row->new_customers = s->new_customers;
    row->returning = s->paying - s->new_customers;
    row->repeat_rate = ratio((double)row->returning, (double)s->paying);
    row->revenue = s->revenue;
    row->has_avg = s->orders > 0;
    if (s->orders) {
        int64_t n = (int64_t)s->orders, q = s->revenue / n, r = s->revenue % n;
        row->avg_order_value = q + (2 * r >= n);
    }
    row->orders_per_customer = ratio((double)s->orders, (double)s->paying);
    row->revenue_growth = ratio((double)s->revenue - (double)prev->revenue,
                                (double)prev->revenue);
    row->customer_growth = ratio((double)s->paying - (double)prev->paying, (double)prev->paying);
    row->refunds = s->refunds;
    row->refund_rate = ratio((double)s->refunds, (double)s->orders);
}

size_t crm_kpi_periods(const struct crm_kpi *k)
{
    return k->n;
}

void crm_kpi_counts_at(const struct crm_kpi *k, size_t i, struct crm_kpi_counts *c)
{
    const struct period_stats *s = &k->per[i];
    c->period = k->base + (int32_t)i;
    c->orders = s->orders;
    c->paying = s->paying;
    c->new_customers = s->new_customers;
    c->refunds = s->refunds;
    c->revenue = s->revenue;
}

enum crm_err crm_kpi_add_counts(struct crm_kpi *k, const struct crm_kpi_counts *c,
                                struct crm_errinfo *e)
{
    if (c->period < k->floor || c->period > k->hi)
        return crm_errinfo_set(e, CRM_EDATA, "period %d is outside the figures' range",
                               (int)c->period);
    struct period_stats *s = slot(k, c->period);
    if (!s)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for period figures");
    s->orders += c->orders;
    s->paying += c->paying;
    s->new_customers += c->new_customers;
    s->refunds += c->refunds;
    s->revenue += c->revenue;
    if (c->orders && c->period < k->first_paid)
        k->first_paid = c->period;
    return CRM_OK;
}
