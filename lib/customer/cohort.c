/* cohort: retention by cohort (see cohort.h). Invariant: cohorts lo .. hi (hi = the period
 * of as_of − 1) are held in a square of n × n cells, cell[(cohort − lo) · n + k], only
 * k <= hi − cohort ever non-zero; lo only moves down (the square is re-laid then). */
#include "customer/cohort.h"

#include <stdlib.h>
#include <string.h>

#include "text/timeparse.h"

#define AHEAD 32   /* rows between a prefetch and its use in the passes over orders */

struct cell {
    uint64_t active, orders;
    int64_t revenue;
};

struct crm_cohort {
    enum crm_kpi_period p;
    int32_t as_of, hi, lo;         /* lo: lowest cohort; hi + 1 when none yet */
    size_t n;                      /* hi − lo + 1 */
    struct cell *cell;
    uint64_t *size;
};

static const char *const metric_names[] = {"customers", "retention", "revenue", "orders",
                                           "cum-revenue"};

int crm_cohort_parse_metric(const char *text)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(text, metric_names[i]) == 0)
            return i;
    return -1;
}

enum crm_err crm_cohort_metric_option(const char *text, enum crm_cohort_metric *m,
                                      struct crm_errinfo *e)
{
    int v = crm_cohort_parse_metric(text);
    if (v < 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--metric %s: expected customers, retention, "
                               "revenue, orders or cum-revenue", text);
    *m = (enum crm_cohort_metric)v;
    return CRM_OK;
}

const char *crm_cohort_metric_name(enum crm_cohort_metric m)
{
    return metric_names[m];
}

size_t crm_cohort_label(enum crm_kpi_period p, int32_t period, char *buf)
{
    if (p == CRM_KPI_WEEK)
        return crm_date_format(crm_kpi_period_start(p, period), buf);
    return crm_kpi_period_label(p, period, buf);
}

enum crm_err crm_cohort_new(enum crm_kpi_period p, int32_t as_of, struct crm_cohort **out,
                            struct crm_errinfo *e)
{
    struct crm_cohort *co = calloc(1, sizeof *co);
    if (!(*out = co))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    co->p = p;
    co->as_of = as_of;
    co->hi = crm_kpi_period_of(p, as_of - 1);
    co->lo = co->hi + 1;
    return CRM_OK;
}

void crm_cohort_free(struct crm_cohort *co)
{
    if (!co)
        return;
    free(co->cell);
    free(co->size);
    free(co);
}

/* Make room for cohorts from `lo` (<= hi); -1 when out of memory. */
static int reserve(struct crm_cohort *co, int32_t lo)
{
    if (lo >= co->lo)
        return 0;
    size_t n = (size_t)(co->hi - lo) + 1, shift = n - co->n;
    struct cell *cell = calloc(n * n, sizeof *cell);
    uint64_t *size = calloc(n, sizeof *size);
    if (!cell || !size) {
        free(cell);
        free(size);
        return -1;
    }
    for (size_t i = 0; i < co->n; i++) {
        memcpy(cell + (i + shift) * n, co->cell + i * co->n, co->n * sizeof *cell);
        size[i + shift] = co->size[i];
    }
    free(co->cell);
    free(co->size);
    co->cell = cell;
    co->size = size;
    co->n = n;
    co->lo = lo;
    return 0;
}

/* Pass 1: every customer's first paid day before as_of (CRM_NO_DAY: none). */
static enum crm_err first_days(struct crm_cohort *co, struct crm_store *s, int32_t **first,
                               uint32_t *ncust, uint64_t *ignored, struct crm_errinfo *e)
{
    struct crm_chunk ch;
    enum crm_err rc;
    uint32_t cap = 0;
    int32_t *f = NULL;
    while ((rc = crm_store_next(s, &ch, CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_STATUS, e))
               == CRM_OK && ch.n > 0) {
        uint32_t need = crm_store_customer_count(s);
        if (need > cap) {
            uint32_t nc = cap ? cap : 1024;
            while (nc < need)
                nc *= 2;
            int32_t *g = realloc(f, (size_t)nc * sizeof *g);
            if (!g) {
                rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %u customers", need);
                break;
            }
            for (uint32_t i = cap; i < nc; i++)
                g[i] = CRM_NO_DAY;
            f = g;
            cap = nc;
        }
        for (uint32_t i = 0; i < ch.n; i++) {
            if (i + AHEAD < ch.n)   /* f[] is 4 bytes a customer: random access */
                __builtin_prefetch(&f[ch.customer[i + AHEAD]], 1);
            int32_t d = crm_time_day(ch.time[i]);
            if (d >= co->as_of) {
                *ignored += 1;
                continue;
            }
            uint32_t c = ch.customer[i];
            if (ch.status[i] == CRM_STATUS_PAID && (f[c] == CRM_NO_DAY || d < f[c]))
                f[c] = d;
        }
    }
    *first = f;
    *ncust = cap < crm_store_customer_count(s) ? cap : crm_store_customer_count(s);
    return rc;
}

/* The cohort of each customer (overwrites first[] with period numbers) and the sizes. */
static enum crm_err assign(struct crm_cohort *co, int32_t *first, uint32_t n,
                           struct crm_errinfo *e)
{
    int32_t lo = co->hi + 1;
    for (uint32_t c = 0; c < n; c++) {
        if (first[c] == CRM_NO_DAY)
            continue;
        first[c] = crm_kpi_period_of(co->p, first[c]);
        if (first[c] < lo)
            lo = first[c];
    }
    if (lo <= co->hi && reserve(co, lo) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %d cohorts",
                               (int)(co->hi - lo + 1));
    for (uint32_t c = 0; c < n; c++)
        if (first[c] != CRM_NO_DAY)
            co->size[first[c] - co->lo]++;
    return CRM_OK;
}

/* Pass 2: the cells; bits[k] marks the customers active in period lo + k. */
static enum crm_err fill(struct crm_cohort *co, struct crm_store *s, const int32_t *cohort,
                         uint32_t n, struct crm_errinfo *e)
{
    size_t words = ((size_t)n + 63) / 64;
    uint64_t *bits = co->n ? calloc(co->n * words + 1, sizeof *bits) : NULL;
    if (co->n && !bits)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu periods of %u customers",
                               co->n, n);
    int32_t *period = malloc(CRM_CHUNK_ROWS * sizeof *period);
    if (!period) {
        free(bits);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    struct crm_chunk ch;
    enum crm_err rc = crm_store_rewind(s, e);
    int32_t memo_day = CRM_NO_DAY, memo_period = 0;
    while (rc == CRM_OK && (rc = crm_store_next(s, &ch, CRM_COL_CUSTOMER | CRM_COL_TIME |
                                                CRM_COL_AMOUNT | CRM_COL_STATUS, e)) == CRM_OK
           && ch.n > 0) {
        /* Each row's period first (lo when it is not counted), so the loop below can fetch
         * a row's random cohort[] entry and activity word AHEAD rows early. */
        for (uint32_t i = 0; i < ch.n; i++) {
            int32_t d = crm_time_day(ch.time[i]);
            if (d >= co->as_of || ch.status[i] != CRM_STATUS_PAID || ch.customer[i] >= n) {
                period[i] = INT32_MIN;
                continue;
            }
            if (d != memo_day) {
                memo_day = d;
                memo_period = crm_kpi_period_of(co->p, d);
            }
            period[i] = memo_period;
        }
        for (uint32_t i = 0; i < ch.n; i++) {
            if (i + AHEAD < ch.n && period[i + AHEAD] != INT32_MIN) {
                uint32_t c = ch.customer[i + AHEAD];
                __builtin_prefetch(&cohort[c]);
                __builtin_prefetch(&bits[(size_t)(period[i + AHEAD] - co->lo) * words + c / 64],
                                   1);
            }
            if (period[i] == INT32_MIN)
                continue;
            uint32_t c = ch.customer[i];
            int32_t pi = period[i];
            size_t ci = (size_t)(cohort[c] - co->lo), k = (size_t)(pi - cohort[c]);
            struct cell *x = &co->cell[ci * co->n + k];
            uint64_t *w = &bits[(size_t)(pi - co->lo) * words + c / 64], b = 1ULL << (c % 64);
            x->active += !(*w & b);
            *w |= b;
            x->orders++;
            x->revenue += ch.amount[i];
        }
    }
    free(period);
    free(bits);
    return rc;
}

enum crm_err crm_cohort_scan(struct crm_cohort *co, struct crm_store *s, uint64_t *ignored,
                             struct crm_errinfo *e)
{
    int32_t *first = NULL;
    uint32_t n = 0;
    uint64_t skipped = 0;
    enum crm_err rc = first_days(co, s, &first, &n, &skipped, e);
    if (rc == CRM_OK)
        rc = assign(co, first, n, e);
    if (rc == CRM_OK)
        rc = fill(co, s, first, n, e);
    free(first);
    if (ignored)
        *ignored = skipped;
    return rc;
}

enum crm_err crm_cohort_add(struct crm_cohort *co, const struct crm_cohort_cell *c,
                            struct crm_errinfo *e)
{
    if (c->cohort > co->hi || c->k < -1 || (int64_t)c->cohort + c->k > co->hi)
        return crm_errinfo_set(e, CRM_EDATA, "cohort %d period %d is on or after the as-of "
                               "date", (int)c->cohort, (int)c->k);
    if (reserve(co, c->cohort) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for cohorts");
    size_t ci = (size_t)(c->cohort - co->lo);
    if (c->k < 0) {
        co->size[ci] += c->active;
        return CRM_OK;
    }
    struct cell *x = &co->cell[ci * co->n + (size_t)c->k];
    x->active += c->active;
    x->orders += c->orders;
    x->revenue += c->revenue;
    return CRM_OK;
}

size_t crm_cohort_cells(const struct crm_cohort *co)
{
    size_t m = 0;
    for (size_t i = 0; i < co->n; i++) {
        m += co->size[i] != 0;
        for (size_t k = 0; k < co->n - i; k++)
            m += co->cell[i * co->n + k].orders != 0;
    }
    return m;
}

int crm_cohort_cell_next(const struct crm_cohort *co, size_t *pos,
                         struct crm_cohort_cell *c)
{
    size_t w = co->n + 1;
    for (; *pos < co->n * w; (*pos)++) {
        size_t i = *pos / w, kk = *pos % w;
        if (kk > co->n - i)
            continue;
        memset(c, 0, sizeof *c);
        c->cohort = co->lo + (int32_t)i;
        c->k = (int32_t)kk - 1;
        if (kk == 0) {
            c->active = co->size[i];
        } else {
            const struct cell *x = &co->cell[i * co->n + kk - 1];
            c->active = x->active;
            c->orders = x->orders;
            c->revenue = x->revenue;
        }
        if (c->active || c->orders) {
            (*pos)++;
            return 1;
        }
    }
    return 0;
}

/* Index into size[] of the i-th non-empty cohort. */
static size_t nth_cohort(const struct crm_cohort *co, size_t i)
{
    for (size_t j = 0; j < co->n; j++)
        if (co->size[j] != 0 && i-- == 0)
            return j;
    return co->n;
}

size_t crm_cohort_count(const struct crm_cohort *co)
{
    size_t m = 0;
    for (size_t j = 0; j < co->n; j++)
        m += co->size[j] != 0;
    return m;
}

size_t crm_cohort_periods(const struct crm_cohort *co, size_t i)
{
    return co->n - nth_cohort(co, i);
}

size_t crm_cohort_max_periods(const struct crm_cohort *co)
{
    return crm_cohort_count(co) ? crm_cohort_periods(co, 0) : 0;
}

static int64_t div_round(int64_t a, int64_t b)
{
    int64_t q = a / b, r = a % b;
    if (2 * (r < 0 ? -r : r) >= b)
        q += a < 0 ? -1 : 1;
    return q;
}

void crm_cohort_row(const struct crm_cohort *co, size_t i, size_t k, struct crm_cohort_row *r)
{
    size_t j = nth_cohort(co, i);
    int32_t cohort = co->lo + (int32_t)j;
    memset(r, 0, sizeof *r);
    crm_cohort_label(co->p, cohort, r->cohort);
    r->period_index = (int32_t)k;
    r->period_start = crm_kpi_period_start(co->p, cohort + (int32_t)k);
    r->cohort_size = co->size[j];
    const struct cell *x = &co->cell[j * co->n + k];
    r->active = x->active;
    r->orders = x->orders;
    r->revenue = x->revenue;
    r->retention = (double)x->active / (double)r->cohort_size;
    int64_t cum = 0;
    for (size_t q = 0; q <= k; q++)
        cum += co->cell[j * co->n + q].revenue;
    r->cum_revenue_per_customer = div_round(cum, (int64_t)r->cohort_size);
}

/* ---- the report (crm-cohort) ---- */

static void put_long(struct crm_out *o, const struct crm_cohort *co, int scale)
{
    crm_out_header(o, "cohort,period_index,period_start,cohort_size,active,retention,revenue,"
                      "orders,cum_revenue_per_customer");
    for (size_t i = 0; i < crm_cohort_count(co) && !crm_out_failed(o); i++) {
        for (size_t k = 0; k < crm_cohort_periods(co, i); k++) {
            struct crm_cohort_row r;
            crm_cohort_row(co, i, k, &r);
            crm_out_cstr(o, r.cohort);
            crm_out_int(o, r.period_index);
            crm_out_date(o, r.period_start);
            crm_out_int(o, (long long)r.cohort_size);
            crm_out_int(o, (long long)r.active);
            crm_out_fixed(o, r.retention, 7);
            crm_out_money(o, r.revenue, scale);
            crm_out_int(o, (long long)r.orders);
            crm_out_money(o, r.cum_revenue_per_customer, scale);
            crm_out_end_row(o);
        }
    }
}

static void put_cell(struct crm_out *o, const struct crm_cohort_row *r, int metric, int scale)
{
    switch (metric) {
    case CRM_COHORT_RETENTION: crm_out_fixed(o, r->retention, 7); break;
    case CRM_COHORT_REVENUE: crm_out_money(o, r->revenue, scale); break;
    case CRM_COHORT_ORDERS: crm_out_int(o, (long long)r->orders); break;
    case CRM_COHORT_CUM_REVENUE: crm_out_money(o, r->cum_revenue_per_customer, scale); break;
    default: crm_out_int(o, (long long)r->active);
    }
}

static void put_matrix(struct crm_out *o, const struct crm_cohort *co, int metric, int scale)
{
    size_t cols = crm_cohort_max_periods(co);
    crm_out_cstr(o, "cohort");
    crm_out_cstr(o, "cohort_size");
    for (size_t k = 0; k < cols; k++)
        crm_out_int(o, (long long)k);
    crm_out_end_row(o);
    for (size_t i = 0; i < crm_cohort_count(co) && !crm_out_failed(o); i++) {
        struct crm_cohort_row r;
        size_t n = crm_cohort_periods(co, i);
        for (size_t k = 0; k < cols; k++) {
            if (k < n) {
                crm_cohort_row(co, i, k, &r);
                if (k == 0) {
                    crm_out_cstr(o, r.cohort);
                    crm_out_int(o, (long long)r.cohort_size);
                }
                put_cell(o, &r, metric, scale);
            } else {
                crm_out_empty(o);
            }
        }
        crm_out_end_row(o);
    }
}

void crm_cohort_write(struct crm_out *o, const struct crm_cohort *co, int matrix,
                      enum crm_cohort_metric metric, int money_scale)
{
    if (matrix)
        put_matrix(o, co, (int)metric, money_scale);
    else
        put_long(o, co, money_scale);
}
