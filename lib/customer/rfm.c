/* rfm: RFM scores (see rfm.h). Invariant: a struct crm_rfm holds only resolved options and
 * cut points; every per-customer figure is recomputed from the agg arrays in O(1). */
#include "customer/rfm.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/radix.h"
#include "base/thread.h"

struct crm_rfm {
    struct crm_rfm_opts o;
    int64_t m_minor[4];          /* m_bins in the store's minor units */
    const struct crm_agg *a;
    int money_scale;
    uint64_t scored;
    struct crm_rfm_cuts cuts[3]; /* quintile scheme: r (−recency), f, m */
};

void crm_rfm_opts_default(struct crm_rfm_opts *o)
{
    static const struct crm_rfm_opts d = {
        CRM_RFM_SEED, CRM_RFM_AVG, 0,
        {30, 90, 120, 210},
        {2, 3, 4, 6},
        {{300, 0}, {500, 0}, {1000, 0}, {2000, 0}},
        {1, 3, 4},
        {36, 26, 17},
    };
    *o = d;
}

/* ---- option parsing ---- */

/* Split "a,b,c" into at most max fields (pointers into buf, a copy of text). */
static int split(const char *text, char *buf, size_t size, char **field, int max)
{
    if (strlen(text) >= size)
        return -1;
    strcpy(buf, text);
    int n = 0;
    char *p = buf;
    for (;;) {
        if (n == max)
            return -1;
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static int parse_long(const char *s, long lo, long hi, long *v)
{
    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9') {
        if (!(*s == '-' && s[1] >= '0' && s[1] <= '9'))
            return -1;
    }
    char *end;
    long x = strtol(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

/* n whole numbers in [lo, hi], strictly ascending (dir 1) or descending (dir -1). */
static int parse_ints(const char *text, long lo, long hi, int dir, long *v, int nmin, int nmax)
{
    char buf[256], *f[8];
    int n = split(text, buf, sizeof buf, f, nmax);
    if (n < nmin)
        return -1;
    for (int i = 0; i < n; i++) {
        if (parse_long(f[i], lo, hi, &v[i]) != 0)
            return -1;
        if (i > 0 && dir != 0 && (dir > 0 ? v[i] <= v[i - 1] : v[i] >= v[i - 1]))
            return -1;
    }
    return n;
}

/* Compare two non-negative decimals exactly (scales up to 18, units < 2^63). */
static int dec_cmp(struct crm_decimal a, struct crm_decimal b)
{
    while (a.scale < b.scale) {
        if (a.units > INT64_MAX / 10)
            return 1;
        a.units *= 10;
        a.scale++;
    }
    while (b.scale < a.scale) {
        if (b.units > INT64_MAX / 10)
            return -1;
        b.units *= 10;
        b.scale++;
    }
    return a.units < b.units ? -1 : a.units > b.units;
}

static enum crm_err parse_money_bins(struct crm_rfm_opts *o, const char *text,
                                     struct crm_errinfo *e)
{
    char buf[256], *f[6];
    int n = split(text, buf, sizeof buf, f, 5);
    struct crm_decimal d[5];
    if (n != 4 && n != 5)
        goto bad;
    for (int i = 0; i < n; i++) {
        if (crm_money_parse_decimal(f[i], strlen(f[i]), 0, &d[i]) != CRM_MONEY_OK ||
            d[i].units < 0)
            goto bad;
        if (i > 0 && dec_cmp(d[i], d[i - 1]) <= 0)
            goto bad;
    }
    memcpy(o->m_bins, d + (n - 4), sizeof o->m_bins);
    return CRM_OK;
bad:
    return crm_errinfo_set(e, CRM_EUSAGE, "--m-bins %s: expected 4 ascending amounts such as "
                           "300,500,1000,2000 (or 5 with the lower end of M 1 first)", text);
}

enum crm_err crm_rfm_set_option(struct crm_rfm_opts *o, const char *name, const char *text,
                                struct crm_errinfo *e)
{
    long v[8];
    int n;
    if (strcmp(name, "scheme") == 0) {
        if (strcmp(text, "seed") == 0)
            o->scheme = CRM_RFM_SEED;
        else if (strcmp(text, "quintile") == 0)
            o->scheme = CRM_RFM_QUINTILE;
        else
            return crm_errinfo_set(e, CRM_EUSAGE, "--scheme %s: expected seed or quintile",
                                   text);
    } else if (strcmp(name, "monetary") == 0) {
        if (strcmp(text, "avg") == 0)
            o->monetary = CRM_RFM_AVG;
        else if (strcmp(text, "total") == 0)
            o->monetary = CRM_RFM_TOTAL;
        else
            return crm_errinfo_set(e, CRM_EUSAGE, "--monetary %s: expected avg or total", text);
    } else if (strcmp(name, "r-bins") == 0) {
        n = parse_ints(text, 1, 1000000, 1, v, 4, 5);
        if (n < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--r-bins %s: expected 4 or 5 ascending day "
                                   "counts such as 30,90,120,210,365", text);
        for (int i = 0; i < 4; i++)
            o->r_bins[i] = (int32_t)v[i];
    } else if (strcmp(name, "f-bins") == 0) {
        n = parse_ints(text, 1, 4000000000L, 1, v, 4, 5);
        if (n < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--f-bins %s: expected 4 ascending order "
                                   "counts such as 2,3,4,6 (or 5 with the lower end of F 1 "
                                   "first: 1,2,3,4,6)", text);
        for (int i = 0; i < 4; i++)
            o->f_bins[i] = (uint32_t)v[i + n - 4];
    } else if (strcmp(name, "m-bins") == 0) {
        return parse_money_bins(o, text, e);
    } else if (strcmp(name, "weights") == 0) {
        if (parse_ints(text, 0, 1000, 0, v, 3, 3) != 3)
            return crm_errinfo_set(e, CRM_EUSAGE, "--weights %s: expected 3 whole numbers "
                                   "from 0 to 1000 such as 1,3,4", text);
        for (int i = 0; i < 3; i++)
            o->weights[i] = (int)v[i];
    } else if (strcmp(name, "tiers") == 0) {
        if (parse_ints(text, -100000, 100000, -1, v, 3, 3) != 3)
            return crm_errinfo_set(e, CRM_EUSAGE, "--tiers %s: expected 3 descending scores "
                                   "(the lowest of P, G and S) such as 36,26,17", text);
        for (int i = 0; i < 3; i++)
            o->tiers[i] = (int)v[i];
    } else {
        return crm_errinfo_set(e, CRM_EUSAGE, "unknown rfm option %s", name);
    }
    return CRM_OK;
}

/* ---- quintiles ---- */

enum crm_err crm_rfm_runs(int64_t *values, size_t n, struct crm_rfm_run *runs, size_t *nruns,
                          struct crm_errinfo *e)
{
    *nruns = 0;
    if (n == 0)
        return CRM_OK;
    /* radix sort on the sign-flipped bits (recency and frequency need one or two passes) */
    uint64_t *key = (uint64_t *)values, *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory sorting %zu values", n);
    for (size_t i = 0; i < n; i++)
        key[i] = crm_radix_int_key(values[i]);
    const uint64_t *sorted = crm_radix_u64(key, tmp, n, 0);
    if (sorted != key)
        memcpy(key, sorted, n * sizeof *key);
    free(tmp);
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)(key[i] ^ crm_radix_int_key(0));
        values[i] = v;
        if (r > 0 && runs[r - 1].value == v) {
            runs[r - 1].count++;
        } else {
            runs[r].value = v;
            runs[r].count = 1;
            r++;
        }
    }
    *nruns = r;
    return CRM_OK;
}

void crm_rfm_quintile_cuts(const struct crm_rfm_run *runs, size_t nruns,
                           struct crm_rfm_cuts *cuts)
{
    memset(cuts, 0, sizeof *cuts);
    uint64_t n = 0;
    for (size_t i = 0; i < nruns; i++)
        n += runs[i].count;
    cuts->n = n;
    uint64_t below = 0;
    int reached = 1;
    for (size_t i = 0; i < nruns; i++) {
        /* score = 1 + floor(5·below/n); below < n <= 2^61 so 5·below fits */
        int score = 1 + (int)(5 * below / n);
        while (reached < score) {
            reached++;
            cuts->cut[reached - 2] = runs[i].value;
            cuts->has[reached - 2] = 1;
        }
        below += runs[i].count;
    }
}

int crm_rfm_quintile_score(const struct crm_rfm_cuts *cuts, int64_t v)
{
    int s = 1;
    for (int k = 0; k < 4; k++)
        s += cuts->has[k] && v >= cuts->cut[k];
    return s;
}

/* ---- scoring ---- */

static int64_t money_of(const struct crm_rfm *r, uint32_t c)
{
    int64_t t = r->a->cust[c].paid_money;
    return r->o.net ? t - r->a->more[c].refund_money : t;
}

/* total / n rounded half away from zero. */
static int64_t avg_of(int64_t total, uint32_t n)
{
    if (n == 0)
        return 0;
    int64_t q = total / (int64_t)n, rem = total % (int64_t)n;
    int64_t arem = rem < 0 ? -rem : rem;
    if (2 * arem >= (int64_t)n)
        q += total < 0 ? -1 : 1;
    return q;
}

int crm_rfm_seed_r(const struct crm_rfm *r, int32_t recency_days)
{
    for (int k = 0; k < 4; k++)
        if (recency_days <= r->o.r_bins[k])
            return 5 - k;
    return 1;
}

int crm_rfm_seed_f(const struct crm_rfm *r, uint32_t frequency)
{
    int s = 1;
    for (int k = 0; k < 4; k++)
        s += frequency >= r->o.f_bins[k];
    return s;
}

/* money >= threshold on the average ⇔ total >= threshold × frequency (exact). */
static int at_least(int64_t total, int64_t threshold, uint32_t frequency)
{
    int64_t need;
    if (__builtin_mul_overflow(threshold, (int64_t)frequency, &need))
        return 0;   /* threshold × frequency > INT64_MAX >= total */
    return total >= need;
}

int crm_rfm_seed_m(const struct crm_rfm *r, int64_t total, uint32_t frequency)
{
    uint32_t times = r->o.monetary == CRM_RFM_AVG ? frequency : 1;
    int s = 1;
    for (int k = 0; k < 4; k++)
        s += at_least(total, r->m_minor[k], times);
    return s;
}

char crm_rfm_tier(const struct crm_rfm *r, int score)
{
    return score >= r->o.tiers[0] ? 'P' : score >= r->o.tiers[1] ? 'G'
         : score >= r->o.tiers[2] ? 'S' : 'B';
}

static int64_t m_value(const struct crm_rfm *r, int64_t total, uint32_t frequency)
{
    return r->o.monetary == CRM_RFM_AVG ? avg_of(total, frequency) : total;
}

static int dim_index(char dim)
{
    return dim == 'r' ? 0 : dim == 'f' ? 1 : dim == 'm' ? 2 : -1;
}

static int64_t dim_value(const struct crm_rfm *r, int d, uint32_t c)
{
    const struct crm_cust *cu = &r->a->cust[c];
    return d == 0 ? -(int64_t)(r->a->as_of - cu->last_paid)
         : d == 1 ? (int64_t)cu->paid_orders
                  : m_value(r, money_of(r, c), cu->paid_orders);
}

/* Recency and frequency span few values: their runs counted in a table over the span
 * instead of sorting every customer's value (the same runs, less time and memory). 1 when
 * done (or out of memory: rc set), 0 when the span is too wide for a table. */
static int count_runs(const struct crm_rfm *r, int d, size_t n, struct crm_rfm_run **runs,
                      size_t *nruns, enum crm_err *rc, struct crm_errinfo *e)
{
    const struct crm_agg *a = r->a;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t c = 0; c < a->n; c++) {
        if (a->cust[c].paid_orders == 0)
            continue;
        int64_t v = dim_value(r, d, c);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (n == 0 || (uint64_t)hi - (uint64_t)lo >= n / 2 + 1024)   /* table <= 2 bytes a
                                                                     customer + 4 KiB */
        return 0;
    size_t span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1, k = 0;
    uint32_t *count = calloc(span, sizeof *count);
    if (!count) {
        *rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu values", span);
        return 1;
    }
    for (uint32_t c = 0; c < a->n; c++)
        if (a->cust[c].paid_orders > 0)
            count[dim_value(r, d, c) - lo]++;
    for (size_t i = 0; i < span; i++)
        k += count[i] > 0;
    struct crm_rfm_run *out = malloc(k * sizeof *out);
    if (!out) {
        free(count);
        *rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu customers", n);
        return 1;
    }
    k = 0;
    for (size_t i = 0; i < span; i++)
        if (count[i] > 0)
            out[k++] = (struct crm_rfm_run){lo + (int64_t)i, count[i]};
    free(count);
    *runs = out;
    *nruns = k;
    *rc = CRM_OK;
    return 1;
}

enum crm_err crm_rfm_dimension_runs(const struct crm_rfm *r, char dim,
                                    struct crm_rfm_run **runs, size_t *nruns,
                                    struct crm_errinfo *e)
{
    const struct crm_agg *a = r->a;
    int d = dim_index(dim);
    size_t n = (size_t)r->scored;
    *runs = NULL;
    *nruns = 0;
    if (d < 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "no RFM dimension '%c'", dim);
    enum crm_err crc;
    if (d < 2 && count_runs(r, d, n, runs, nruns, &crc, e))
        return crc;
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    struct crm_rfm_run *out = malloc((n ? n : 1) * sizeof *out);
    if (!v || !out) {
        free(v);
        free(out);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu customers", n);
    }
    size_t k = 0;
    for (uint32_t c = 0; c < a->n; c++) {
        const struct crm_cust *cu = &a->cust[c];
        if (cu->paid_orders == 0)
            continue;
        v[k++] = dim_value(r, d, c);
    }
    enum crm_err rc = crm_rfm_runs(v, k, out, nruns, e);
    free(v);
    if (rc != CRM_OK) {
        free(out);
        return rc;
    }
    *runs = out;
    return CRM_OK;
}

void crm_rfm_set_cuts(struct crm_rfm *r, char dim, const struct crm_rfm_cuts *cuts)
{
    int d = dim_index(dim);
    if (d >= 0)
        r->cuts[d] = *cuts;
}

static enum crm_err dimension_cuts(struct crm_rfm *r, char dim, struct crm_errinfo *e)
{
    struct crm_rfm_run *runs;
    size_t nruns;
    enum crm_err rc = crm_rfm_dimension_runs(r, dim, &runs, &nruns, e);
    if (rc != CRM_OK)
        return rc;
    crm_rfm_quintile_cuts(runs, nruns, &r->cuts[dim_index(dim)]);
    free(runs);
    return CRM_OK;
}

/* The cuts on two threads: monetary (the most distinct values, the most radix passes) on
 * one, recency then frequency on the other; each writes its own dimension's cuts. */
struct cuts_job {
    struct crm_rfm *r;
    enum crm_err rc[2];
    struct crm_errinfo e[2];
};

static void cuts_part(void *ctx, int part)
{
    struct cuts_job *j = ctx;
    if (part == 0) {
        j->rc[0] = dimension_cuts(j->r, 'm', &j->e[0]);
        return;
    }
    j->rc[1] = dimension_cuts(j->r, 'r', &j->e[1]);
    if (j->rc[1] == CRM_OK)
        j->rc[1] = dimension_cuts(j->r, 'f', &j->e[1]);
}

static enum crm_err compute_cuts(struct crm_rfm *r, struct crm_errinfo *e)
{
    struct cuts_job j = {.r = r, .rc = {CRM_OK, CRM_OK}};
    crm_thread_both(cuts_part, &j);
    for (int k = 1; k >= 0; k--)     /* r and f first, as when one thread did r, f, m */
        if (j.rc[k] != CRM_OK) {
            *e = j.e[k];
            return j.rc[k];
        }
    return CRM_OK;
}

enum crm_err crm_rfm_new(const struct crm_rfm_opts *o, const struct crm_agg *a, int money_scale,
                         struct crm_rfm **out, struct crm_errinfo *e)
{
    *out = NULL;
    if (o->net && !a->more)
        return crm_errinfo_set(e, CRM_EUSAGE, "--net needs the refunds: aggregate every "
                               "status (crm_agg_opts.paid_only 0)");
    struct crm_rfm *r = calloc(1, sizeof *r);
    if (!r)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    r->o = *o;
    r->a = a;
    r->money_scale = money_scale;
    for (int k = 0; k < 4; k++) {
        struct crm_decimal d = o->m_bins[k];
        if (d.scale > money_scale) {
            /* exact only when the extra digits are zeros */
            while (d.scale > money_scale && d.units % 10 == 0) {
                d.units /= 10;
                d.scale--;
            }
        }
        if (d.scale > money_scale ||
            crm_money_to_minor(d, money_scale, &r->m_minor[k]) != CRM_MONEY_OK) {
            free(r);
            return crm_errinfo_set(e, CRM_EUSAGE, "--m-bins: %lld/10^%d has more decimals "
                                   "than the store's money (%d) or is too large",
                                   (long long)o->m_bins[k].units, o->m_bins[k].scale,
                                   money_scale);
        }
    }
    for (uint32_t c = 0; c < a->n; c++)
        r->scored += a->cust[c].paid_orders > 0;
    if (o->scheme == CRM_RFM_QUINTILE) {
        enum crm_err rc = compute_cuts(r, e);
        if (rc != CRM_OK) {
            free(r);
            return rc;
        }
    }
    *out = r;
    return CRM_OK;
}

void crm_rfm_free(struct crm_rfm *r)
{
    free(r);
}

uint64_t crm_rfm_scored(const struct crm_rfm *r)
{
    return r->scored;
}

void crm_rfm_score(const struct crm_rfm *r, uint32_t c, struct crm_rfm_row *row)
{
    const struct crm_cust *cu = &r->a->cust[c];
    row->frequency = cu->paid_orders;
    row->monetary_total = money_of(r, c);
    row->first_order = cu->first_paid;
    row->last_order = cu->last_paid;
    if (cu->paid_orders == 0) {
        row->scored = 0;
        row->recency_days = 0;
        row->monetary_avg = 0;
        row->r = row->f = row->m = row->score = 0;
        row->tier = 0;
        return;
    }
    row->scored = 1;
    row->recency_days = r->a->as_of - cu->last_paid;
    row->monetary_avg = avg_of(row->monetary_total, cu->paid_orders);
    if (r->o.scheme == CRM_RFM_SEED) {
        row->r = crm_rfm_seed_r(r, row->recency_days);
        row->f = crm_rfm_seed_f(r, row->frequency);
        row->m = crm_rfm_seed_m(r, row->monetary_total, row->frequency);
    } else {
        row->r = crm_rfm_quintile_score(&r->cuts[0], -(int64_t)row->recency_days);
        row->f = crm_rfm_quintile_score(&r->cuts[1], (int64_t)row->frequency);
        row->m = crm_rfm_quintile_score(&r->cuts[2], r->o.monetary == CRM_RFM_AVG
                                                     ? row->monetary_avg : row->monetary_total);
    }
    row->score = r->o.weights[0] * row->r + r->o.weights[1] * row->f + r->o.weights[2] * row->m;
    row->tier = crm_rfm_tier(r, row->score);
}

const struct crm_rfm_cuts *crm_rfm_cuts(const struct crm_rfm *r, char dim)
{
    if (r->o.scheme != CRM_RFM_QUINTILE)
        return NULL;
    int d = dim_index(dim);
    return d < 0 ? NULL : &r->cuts[d];
}

/* Append to buf at *n (bounded). */
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    if (*n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    *n = k < 0 ? size : *n + (size_t)k;
}

size_t crm_rfm_describe_cuts(const struct crm_rfm *r, char dim, char *buf, size_t size)
{
    const struct crm_rfm_cuts *c = crm_rfm_cuts(r, dim);
    if (size)
        buf[0] = '\0';
    if (!c)
        return 0;
    return crm_rfm_describe_cut_points(c, dim, r->o.monetary, r->money_scale, buf, size);
}

size_t crm_rfm_describe_cut_points(const struct crm_rfm_cuts *c, char dim,
                                   enum crm_rfm_monetary monetary, int money_scale, char *buf,
                                   size_t size)
{
    if (size == 0)
        return 0;
    buf[0] = '\0';
    const char *what = dim == 'r' ? "recency_days <=" : dim == 'f' ? "frequency >="
                     : monetary == CRM_RFM_AVG ? "monetary_avg >=" : "monetary_total >=";
    size_t n = 0;
    int parts = 0, unused = 0;
    add(buf, size, &n, "%c:", dim);
    /* a score whose cut point equals the next one's is skipped by ties: nobody gets it */
    for (int k = 0; k < 4; k++) {
        if (!c->has[k] || (k < 3 && c->has[k + 1] && c->cut[k + 1] == c->cut[k]))
            continue;
        char v[32];
        if (dim == 'm')
            v[crm_money_format(c->cut[k], money_scale, v)] = '\0';
        else
            snprintf(v, sizeof v, "%lld", dim == 'r' ? -(long long)c->cut[k]
                                                     : (long long)c->cut[k]);
        add(buf, size, &n, "%s %d if %s %s", parts++ ? "," : "", k + 2, what, v);
    }
    if (!parts)
        add(buf, size, &n, " all 1");
    for (int k = 0; k < 4; k++)
        if (!c->has[k] || (k < 3 && c->has[k + 1] && c->cut[k + 1] == c->cut[k]))
            add(buf, size, &n, "%s%d", unused++ ? ", " : "; unused (ties): ", k + 2);
    add(buf, size, &n, " (%llu customers)", (unsigned long long)c->n);
    return n < size ? n : size - 1;
}
