/* gen: seeded generator of realistic e-commerce order logs (SPEC.md §10) for the demo, the
 * tests and the benchmarks. Key invariant: the same arguments give byte-identical output on
 * every machine with IEEE-754 doubles — all randomness comes from our own PRNG streams, and
 * the only floating-point operations are + − × ÷, sqrt, floor, frexp and ldexp, which IEEE
 * and C define exactly; log and exp are our own (below), never libm's.
 *
 * Model: half the customers are regulars, already buying when the period starts; the others
 * arrive (first purchase) uniformly over it. Each buys as a Poisson process with a
 * gamma-distributed rate and, after every repeat purchase, drops out with a beta-distributed
 * probability (the BG/NBD story of Fader, Hardie & Lee 2005, §2). Purchases run on a "shop
 * clock" whose speed follows the hour of day, day of week and sale days, so orders peak in
 * the evening and on 11-11. To write exactly N rows, the purchase rates are scaled until the
 * customers make slightly more than N orders, then repeat orders are thinned uniformly at
 * random to exactly N (every customer keeps its first order). Amounts are log-normal around
 * a log-normal typical spend per customer. --bgnbd/--mbgnbd instead simulate the pure model
 * from given parameters, for the churn tool's parameter-recovery tests. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* a fused multiply-add would round differently per machine */
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/rng.h"

#define PROG "gen"
#define OUTBUF_SIZE (4u << 20)
#define ROW_MAX 256                /* longest row we ever format, with room to spare */
#define PILOT_CUSTOMERS 50000      /* customers simulated while searching the rate scale */

/* Default behaviour (rates per day of shop clock). Chosen so that --customers N/10 needs a
 * rate scale near 1 and gives ~10 orders per customer, about a fifth of customers with one
 * order, a revenue Gini near 0.69 and roughly flat monthly volume (1 M orders, seed 1). */
#define RATE_SHAPE 0.6             /* r: small → heavy-tailed purchase rates */
#define RATE_MEAN 0.05             /* r/α, purchases per day */
#define DROP_A 0.7                 /* dropout p ~ Beta(a, b); a < 1 → some never leave */
#define DROP_B 6.0
#define SPEND_MEDIAN 200.0         /* median order amount */
#define SPEND_SIGMA_CUSTOMER 0.7   /* sd of log typical spend between customers */
#define SPEND_SIGMA_ORDER 0.5      /* sd of log amount around a customer's typical spend */
#define ITEM_PRICE_MEDIAN 150.0    /* quantity ≈ amount / item price */
#define ITEM_PRICE_SIGMA 0.7
#define MAX_AMOUNT 99999999.0      /* keeps cents far inside uint64 */
#define P_CANCELLED 0.03
#define P_REFUNDED 0.025
#define P_PENDING 0.002
#define P_PENDING_RECENT 0.15      /* orders in the last two days are often still pending */
#define CHINESE_SHARE 0.5
#define REGULARS_SHARE 0.5         /* customers who bought before the period, so the shop
                                      does not start from nothing on day one */
#define REGULAR_PAST 30.0          /* a regular survived ~30 purchases: p ~ Beta(a, b + 30),
                                      the posterior of p after 30 stays (keeps the daily
                                      volume flat instead of a January rush of quitters) */

/* Independent PRNG streams: one per purpose, and one per customer from CUSTOMER_STREAM. */
enum { STREAM_BIRTH = 1, STREAM_NAMES, STREAM_PICK, STREAM_ORDERS, STREAM_BAD, STREAM_ITEMS,
       CUSTOMER_STREAM = 1000 };

enum status { PAID, CANCELLED, REFUNDED, PENDING };
static const char *const status_text[] = {"paid", "cancelled", "refunded", "pending"};

struct opts {
    uint64_t orders, customers, seed;
    int days, cohort_days;
    int end_y, end_m, end_d;
    int tsv, chinese, pure_bgnbd, gammagamma, verbose;
    int drop_first;                        /* --mbgnbd */
    double bad_rate;
    double regulars;                       /* --regulars: share of customers from before */
    double bg_r, bg_alpha, bg_a, bg_b;     /* --bgnbd, rates per week */
    double gg_p, gg_q, gg_gamma;           /* --gammagamma */
    uint64_t products;                     /* --products: line items from P products */
    const char *output;
};

/* ---- random numbers: xoshiro256** (Blackman & Vigna 2018), seeded by splitmix64 ---- */

struct rng {
    struct crm_rng x;  /* xoshiro256** state; the step is lib/rng's crm_rng_next */
    double spare;      /* the polar method makes normals in pairs */
    int has_spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t seed_key(uint64_t seed)
{
    return splitmix64(&seed);
}

static void rng_init(struct rng *r, uint64_t key, uint64_t stream)
{
    uint64_t x = key ^ (stream * 0xD1B54A32D192ED03u);
    for (int i = 0; i < 4; i++)
        r->x.s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

static inline uint64_t rng_next(struct rng *r)
{
    return crm_rng_next(&r->x);
}

/* Uniform on [0, 1). */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform on (0, 1], safe to take the log of. */
static inline double rng_open(struct rng *r)
{
    return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* ---- log and exp from exact operations only, accurate to ~1 ulp ---- */

#define LN2_HI 6.93147180369123816490e-01  /* ln 2 split so that k·LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10

/* x = m·2^e with m in [0.5, 1), for finite x > 0; exact. */
static inline double split_exponent(double x, int *e)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)(bits >> 52 & 0x7ff);
    if (biased == 0)
        return frexp(x, e);                      /* subnormal: rare, let libm scale it */
    *e = biased - 1022;
    bits = (bits & ~(UINT64_C(0x7ff) << 52)) | (UINT64_C(1022) << 52);
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* x·2^k; exact unless the result is subnormal. */
static inline double scale_pow2(double x, int k)
{
    if (k < -1022 || k > 1023)
        return ldexp(x, k);
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double p;
    memcpy(&p, &bits, sizeof p);
    return x * p;
}

/* Slow but table-free versions, used only to build the tables of the fast ones. */
static double series_log(double x)
{
    /* 1/(2k+1) for k = 1..10: the atanh series below */
    static const double odd_inv[] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11,
                                     1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21};
    int e;
    double m = split_exponent(x, &e);
    if (m < 0.70710678118654752440) {
        m *= 2;
        e--;
    }
    /* log m = 2 atanh s = 2 (s + s³/3 + s⁵/5 + …), s = (m−1)/(m+1), |s| < 0.172 */
    double s = (m - 1) / (m + 1), s2 = s * s;
    double q = odd_inv[9];
    for (int k = 8; k >= 0; k--)
        q = q * s2 + odd_inv[k];
    double de = (double)e;
    return de * LN2_HI + (de * LN2_LO + 2 * s * (1 + s2 * q));
}

static double series_exp(double x)
{
    /* 1/n! for n = 0..13: Taylor series of e^r, |r| <= 0.35, error < 1e-17 */
    static const double inv_fact[] = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
        1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
        1.0 / 6227020800.0};
    double k = floor(x * 1.44269504088896340736 + 0.5);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = inv_fact[13];
    for (int n = 12; n >= 0; n--)
        p = p * r + inv_fact[n];
    return scale_pow2(p, (int)k);
}

/* The fast versions reduce the argument with a 128/64-entry table (Tang's method: ACM TOMS
 * 15(2) 1989 for exp, 16(4) 1990 for log) so that a degree-6 polynomial suffices. The tables
 * are computed at start-up by the series versions: the same everywhere. Written once, by
 * math_init, before anything else runs. */
static double log_center_inv[128], log_center_log[128], exp_2_j64[64];
static double log_half_up[100];        /* log(k + 0.5): where round(e^y) passes k */

static void math_init(void)
{
    for (int j = 0; j < 128; j++) {
        double c = 1 + (j + 0.5) / 128;            /* centre of [1 + j/128, 1 + (j+1)/128) */
        log_center_inv[j] = 1 / c;
        log_center_log[j] = series_log(c);
    }
    for (int j = 0; j < 64; j++)
        exp_2_j64[j] = series_exp(j * (LN2_HI / 64) + j * (LN2_LO / 64));
    for (int k = 0; k < 100; k++)
        log_half_up[k] = series_log(k + 0.5);
}

static double dlog(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int biased = (int)(bits >> 52 & 0x7ff);
    if (biased == 0 || biased == 0x7ff)
        return series_log(x);                      /* subnormal: never in practice */
    int j = (int)(bits >> 45 & 127);
    bits = (bits & ~(UINT64_C(0x7ff) << 52)) | (UINT64_C(1023) << 52);
    double m;                                      /* x = m·2^(biased−1023), m in [1, 2) */
    memcpy(&m, &bits, sizeof m);
    double r = (m - (1 + (j + 0.5) / 128)) * log_center_inv[j];    /* |r| < 1/257 */
    /* log(1 + r) = r − r²/2 + r³/3 − …, to r⁷ (error < 1e-19) */
    double p = r * (1.0 / 7) - 1.0 / 6;
    p = p * r + 1.0 / 5;
    p = p * r - 1.0 / 4;
    p = p * r + 1.0 / 3;
    p = p * r - 1.0 / 2;
    double de = (double)(biased - 1023);
    return de * LN2_HI + (de * LN2_LO + log_center_log[j]) + (r + r * r * p);
}

static double dexp(double x)
{
    if (x < -740)
        return 0;
    if (x > 709)
        x = 709;
    double t = x * (64 * 1.44269504088896340736);
    int64_t ki = (int64_t)(t < 0 ? t - 0.5 : t + 0.5);            /* round, |ki| < 2^17 */
    double k = (double)ki;
    double r = (x - k * (LN2_HI / 64)) - k * (LN2_LO / 64);       /* |r| <= ln2/128 */
    /* e^r to r⁶ (error < 1e-18) */
    double p = r * (1.0 / 720) + 1.0 / 120;
    p = p * r + 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 1.0 / 2;
    p = p * r + 1;
    int64_t j = (ki % 64 + 64) % 64;                   /* ki = 64·hi + j, 0 <= j < 64 */
    return scale_pow2(exp_2_j64[j] * (1 + r * p), (int)((ki - j) / 64));
}

static double rng_exp(struct rng *r)
{
    return -dlog(rng_open(r));
}

/* Standard normal by Marsaglia's polar method (needs only log and sqrt). */
static double rng_normal(struct rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2 * rng_unit(r) - 1;
        v = 2 * rng_unit(r) - 1;
        q = u * u + v * v;
    } while (q >= 1 || q == 0);
    double f = sqrt(-2 * dlog(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

/* Gamma(shape, 1) by Marsaglia & Tsang (2000), ACM TOMS 26(3); shape < 1 via the boost
 * Gamma(a) = Gamma(a+1)·U^(1/a) of their §6. */
static double rng_gamma(struct rng *r, double shape)
{
    if (shape < 1) {
        double u = rng_open(r);
        return rng_gamma(r, shape + 1) * dexp(dlog(u) / shape);
    }
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x, v;
        do {
            x = rng_normal(r);
            v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        double u = rng_open(r);
        if (u < 1 - 0.0331 * (x * x) * (x * x))
            return d * v;
        if (dlog(u) < 0.5 * x * x + d * (1 - v + dlog(v)))
            return d * v;
    }
}

static double rng_beta(struct rng *r, double a, double b)
{
    double x = rng_gamma(r, a), y = rng_gamma(r, b);
    return x + y > 0 ? x / (x + y) : 0.5;
}

/* ---- calendar: days since 1970-01-01, proleptic Gregorian ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                          /* year of 400-year era */
    int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1; /* day of March-based year */
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != sizeof shape - 1)
        return -1;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i])
            return -1;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    if (*y < 1000 || *m < 1 || *m > 12 || *d < 1)
        return -1;
    int y2, m2, d2;
    civil_from_days(days_from_civil(*y, *m, *d), &y2, &m2, &d2);
    return y2 == *y && m2 == *m && d2 == *d ? 0 : -1;
}

/* ---- the shop clock: calendar seconds ↔ "operational" days of even purchase intensity ---- */

/* Share of orders by hour of day (evening peak, night trough), shaped after public Tmall
 * order timestamps; relative weights. */
static const double hour_weight[24] = {
    0.90, 0.45, 0.29, 0.16, 0.12, 0.10, 0.21, 0.48, 0.75, 1.10, 1.43, 1.41,
    1.17, 1.15, 1.29, 1.47, 1.27, 1.03, 1.09, 1.31, 1.71, 1.89, 1.82, 1.41,
};
/* Monday .. Sunday: consumers shop a little more at the weekend. */
static const double weekday_weight[7] = {0.97, 0.95, 0.96, 0.98, 1.03, 1.08, 1.10};

static double sale_day_weight(int m, int d)
{
    if (m == 11 && d == 11)
        return 3.0;                        /* 双十一 */
    if (m == 11 && d >= 1 && d <= 10)
        return 1.15;
    if (m == 6 && d == 18)
        return 2.0;                        /* 618 */
    if (m == 12 && d == 12)
        return 1.6;
    return 1.0;
}

struct clock {
    int days;
    char (*day_text)[11];      /* "YYYY-MM-DD" per day of the period, NUL-terminated */
    double *cum;               /* days*24+1 cumulative hour weights, cum[last] == days */
    uint32_t *guide;           /* per hour-long slice of shop time, the hour it starts in */
};

static int clock_init(struct clock *ck, const struct opts *o, int flat)
{
    int64_t start = days_from_civil(o->end_y, o->end_m, o->end_d) - (o->days - 1);
    size_t hours = (size_t)o->days * 24;
    ck->days = o->days;
    ck->day_text = malloc((size_t)o->days * sizeof *ck->day_text);
    ck->cum = malloc((hours + 1) * sizeof *ck->cum);
    if (!ck->day_text || !ck->cum)
        return -1;
    ck->cum[0] = 0;
    for (int i = 0; i < o->days; i++) {
        int y, m, d;
        civil_from_days(start + i, &y, &m, &d);
        snprintf(ck->day_text[i], sizeof ck->day_text[i], "%04d-%02d-%02d", y, m, d);
        int64_t wd = ((start + i) % 7 + 7 + 3) % 7;      /* 1970-01-01 was a Thursday */
        double w = weekday_weight[wd] * sale_day_weight(m, d);
        for (int h = 0; h < 24; h++) {
            size_t k = (size_t)i * 24 + (size_t)h;
            ck->cum[k + 1] = ck->cum[k] + (flat ? 1.0 : w * hour_weight[h]);
        }
    }
    double scale = o->days / ck->cum[hours];
    for (size_t k = 0; k <= hours; k++)
        ck->cum[k] *= scale;
    ck->cum[hours] = o->days;
    ck->guide = malloc(hours * sizeof *ck->guide);
    if (!ck->guide)
        return -1;
    size_t h = 0;
    for (size_t g = 0; g < hours; g++) {
        while (h + 1 < hours && ck->cum[h + 1] <= (double)g / 24)
            h++;
        ck->guide[g] = (uint32_t)h;
    }
    return 0;
}

/* Calendar second of the period (0 = start day 00:00:00) at operational time t in [0, days). */
static uint64_t clock_second(const struct clock *ck, double t)
{
    size_t hours = (size_t)ck->days * 24, g = (size_t)(t * 24), lo;
    lo = ck->guide[g < hours ? g : hours - 1];
    while (lo > 0 && ck->cum[lo] > t)            /* the guide is a hint: make it exact */
        lo--;
    while (lo + 1 < hours && ck->cum[lo + 1] <= t)
        lo++;
    double frac = (t - ck->cum[lo]) / (ck->cum[lo + 1] - ck->cum[lo]);
    uint64_t s = frac > 0 ? (uint64_t)(frac * 3600) : 0;
    return lo * 3600 + (s < 3600 ? s : 3599);
}

/* ---- customers ---- */

struct model {
    double rate_shape, rate_scale;       /* purchase rate λ ~ Gamma(shape, scale), per day */
    double drop_a, drop_b;               /* dropout p ~ Beta(a, b) */
    double spend_mu;                     /* log median amount */
    double log_item_price;
    int pure;                            /* --bgnbd: no rate scale, no thinning */
    int drop_first;                      /* MBG/NBD: may drop out after the first purchase */
};

/* Per customer, what writing an order needs, in one 16-byte record (one cache miss). */
struct trait {
    double spend;              /* log typical amount, or ν of Gamma-Gamma */
    uint64_t name;             /* Chinese name: offset in names << 8 | length; 0: C-number */
};

struct customer {
    double rate, drop, spend;            /* spend: log typical amount, or ν of Gamma-Gamma */
    double first_u;                      /* uniform that places a regular's first order */
};

struct sim {
    const struct opts *opt;
    struct model mdl;
    uint64_t key;                        /* seed_key(--seed) */
    uint64_t ncust;
    uint64_t regulars;                   /* customers 0 .. regulars-1 predate the period */
    double days;
    double *birth;                       /* newcomers' first purchase, operational days,
                                            ascending */
    double scale;                        /* multiplies every purchase rate */
};

/* Newcomers' first purchases as sorted uniforms on [0, cohort): normalised partial sums of
 * exponentials are uniform order statistics, so customer numbers follow sign-up order. */
static void draw_births(struct sim *sm)
{
    struct rng r;
    rng_init(&r, sm->key, STREAM_BIRTH);
    double sum = 0;
    for (uint64_t i = sm->regulars; i < sm->ncust; i++) {
        sum += rng_exp(&r);
        sm->birth[i] = sum;
    }
    sum += rng_exp(&r);
    double cohort = sm->opt->cohort_days, last = sm->days * (1 - 1e-12);
    for (uint64_t i = sm->regulars; i < sm->ncust; i++) {
        double b = sm->birth[i] / sum * cohort;
        sm->birth[i] = b < last ? b : last;
    }
}

/* A customer's traits come first in its stream, so every pass of the simulation sees the
 * same random numbers: the order count can only grow with the rate scale. */
static void draw_customer(const struct sim *sm, uint64_t i, struct rng *r, struct customer *c)
{
    const struct opts *o = sm->opt;
    rng_init(r, sm->key, CUSTOMER_STREAM + i);
    c->rate = rng_gamma(r, sm->mdl.rate_shape) * sm->mdl.rate_scale * sm->scale;
    double past = i < sm->regulars ? REGULAR_PAST : 0;
    c->drop = rng_beta(r, sm->mdl.drop_a, sm->mdl.drop_b + past);
    if (sm->scale > 1)
        c->drop /= sm->scale;            /* asked-for loyalty: buy more often, stay longer */
    if (o->gammagamma)
        c->spend = rng_gamma(r, o->gg_q) / o->gg_gamma;
    else
        c->spend = sm->mdl.spend_mu + SPEND_SIGMA_CUSTOMER * rng_normal(r);
    c->first_u = rng_unit(r);
}

/* When customer i first buys in the period. A newcomer: at sign-up. A regular (alive when
 * the period starts): at the first event of its purchase process after the start, given
 * that it falls inside the period — an exponential truncated at the period's end, which
 * comes earlier, never later, as the rate grows. */
static double first_purchase(const struct sim *sm, uint64_t i, const struct customer *c)
{
    if (i >= sm->regulars)
        return sm->birth[i];
    double span = c->rate * sm->days, last = sm->days * (1 - 1e-12);
    if (span < 1e-9)
        return c->first_u * last;        /* the limit as the rate goes to 0: uniform */
    double t = -dlog(1 - c->first_u * (1 - dexp(-span))) / c->rate;
    return t < last ? t : last;
}

/* Advance *t to the next purchase; 0 when the customer has dropped out or the period ended.
 * In BG/NBD a customer may drop out only after a repeat purchase (Fader, Hardie & Lee 2005,
 * §2: likelihood (1−p)^x for x repeats); in MBG/NBD also right after the first (Batislam,
 * Denizel & Filiztekin 2007). */
static int next_purchase(const struct sim *sm, struct rng *r, const struct customer *c,
                         double *t, int first)
{
    if ((!first || sm->mdl.drop_first) && rng_unit(r) < c->drop)
        return 0;
    *t += rng_exp(r) / c->rate;
    return *t < sm->days;
}

/* Orders (first + repeat) of customers 0, stride, 2·stride, …; stops counting above cap. */
static uint64_t count_orders(const struct sim *sm, uint64_t stride, uint64_t cap)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < sm->ncust; i += stride) {
        struct rng r;
        struct customer c;
        draw_customer(sm, i, &r, &c);
        double t = first_purchase(sm, i, &c);
        n++;
        for (int first = 1; next_purchase(sm, &r, &c, &t, first); first = 0)
            if (++n > cap)
                return n;
    }
    return n;
}

/* log of (predicted repeat orders / wanted repeat orders) at the current scale, from a
 * pilot sample of customers; non-decreasing in the scale. */
static double pilot_gap(const struct sim *sm, double target)
{
    uint64_t stride = (sm->ncust + PILOT_CUSTOMERS - 1) / PILOT_CUSTOMERS;
    uint64_t pilot = (sm->ncust + stride - 1) / stride;
    double per = (double)sm->ncust / (double)pilot, m = (double)sm->ncust;
    uint64_t cap = (uint64_t)(4 * target / per) + 1;
    double repeats = (double)count_orders(sm, stride, cap) * per - m;
    return dlog((repeats > 1 ? repeats : 1) / (target - m));
}

/* Rate scale at which the pilot predicts `target` orders, by the secant method on
 * log(scale) ↦ log(repeat orders), which is close to linear. */
static double search_scale(struct sim *sm, double target)
{
    double x0 = 0, x1, f0, f1;             /* x = log scale */
    sm->scale = 1;
    f0 = pilot_gap(sm, target);
    x1 = f0 > 0 ? -0.5 : 0.5;
    for (int iter = 0; iter < 40; iter++) {
        sm->scale = dexp(x1);
        f1 = pilot_gap(sm, target);
        if (f1 > -0.002 && f1 < 0.002)
            break;
        double step = f1 != f0 ? -f1 * (x1 - x0) / (f1 - f0) : (f1 > 0 ? -1 : 1);
        if (!(step > -2))                  /* at most ×/÷ e² a step; also catches NaN */
            step = -2;
        if (step > 2)
            step = 2;
        x0 = x1;
        f0 = f1;
        x1 += step;
        if (x1 > 60 || x1 < -60)
            break;
    }
    return sm->scale;
}

/* Set sm->scale so that all customers make at least `orders` orders (a few % more);
 * returns that number. */
static uint64_t fit_scale(struct sim *sm, uint64_t orders)
{
    if (orders <= sm->ncust) {
        sm->scale = 0;                   /* first orders only */
        return sm->ncust;
    }
    search_scale(sm, (double)orders * 1.02 + 50);
    uint64_t n;
    while ((n = count_orders(sm, 1, UINT64_MAX)) < orders)
        sm->scale *= 1.01 + 0.5 * (double)(orders - n) / (double)orders;
    return n;
}

/* Order key: calendar second << cust_bits | customer number. The keys are made in customer
 * order and sorted stably by the second alone, so ties go by customer number. */
struct keyfmt {
    int cust_bits, time_bits;
};

/* Simulate every customer again, keeping all first orders and `keep` of the `repeats`
 * repeat orders by selection sampling (Knuth, TAOCP vol. 2, §3.4.2, Algorithm S).
 * Also records each customer's spend trait. Returns the number of keys written. */
static uint64_t fill_orders(const struct sim *sm, const struct clock *ck, struct keyfmt kf,
                            uint64_t repeats, uint64_t keep, uint64_t *keys,
                            struct trait *trait)
{
    struct rng pick;
    rng_init(&pick, sm->key, STREAM_PICK);
    uint64_t n = 0, seen = 0, kept = 0;
    for (uint64_t i = 0; i < sm->ncust; i++) {
        struct rng r;
        struct customer c;
        draw_customer(sm, i, &r, &c);
        trait[i].spend = c.spend;
        double t = first_purchase(sm, i, &c);
        keys[n++] = clock_second(ck, t) << kf.cust_bits | i;
        for (int first = 1; next_purchase(sm, &r, &c, &t, first); first = 0) {
            if (rng_unit(&pick) * (double)(repeats - seen) < (double)(keep - kept)) {
                keys[n++] = clock_second(ck, t) << kf.cust_bits | i;
                kept++;
            }
            seen++;
        }
    }
    return n;
}

/* Stable LSD radix sort on bits [lo, lo + width) of the keys, in as few passes of at most
 * 11 bits as will do; returns whichever buffer holds the result. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *tmp, uint64_t n, int lo, int width)
{
    uint64_t count[2048];
    int passes = (width + 10) / 11;
    for (int p = 0; p < passes; p++) {
        int shift = lo + width * p / passes, digit = lo + width * (p + 1) / passes - shift;
        uint64_t mask = (UINT64_C(1) << digit) - 1;
        memset(count, 0, sizeof count);
        for (uint64_t i = 0; i < n; i++)
            count[(a[i] >> shift) & mask]++;
        if (count[(a[0] >> shift) & mask] == n)
            continue;                    /* every key has the same digit here */
        uint64_t sum = 0;
        for (uint64_t b = 0; b <= mask; b++) {
            uint64_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (uint64_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & mask]++] = a[i];
        uint64_t *swap = a;
        a = tmp;
        tmp = swap;
    }
    return a;
}

static int bits_for(uint64_t max_value)
{
    int b = 0;
    while (b < 64 && (max_value >> b) != 0)
        b++;
    return b;
}

static int digits_for(uint64_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* ---- customer ids: C0001234, or with --chinese a Chinese name made unique by a number ---- */

/* Common Chinese surnames with rough relative frequencies (per mille of the population). */
static const struct { const char *name; int weight; } surnames[] = {
    {"王", 71}, {"李", 70}, {"张", 67}, {"刘", 54}, {"陈", 45}, {"杨", 31},
    {"黄", 22}, {"赵", 20}, {"吴", 20}, {"周", 19}, {"徐", 17}, {"孙", 15},
    {"马", 14}, {"朱", 13}, {"胡", 13}, {"郭", 12}, {"何", 12}, {"高", 11},
    {"林", 11}, {"罗", 10}, {"郑", 9}, {"梁", 9}, {"谢", 8}, {"宋", 8},
    {"唐", 8}, {"许", 7}, {"韩", 7}, {"冯", 7}, {"邓", 7}, {"曹", 7},
    {"彭", 6}, {"曾", 6}, {"肖", 6}, {"田", 6}, {"董", 6}, {"袁", 5},
    {"潘", 5}, {"于", 5}, {"蒋", 5}, {"蔡", 5}, {"余", 5}, {"杜", 5},
    {"叶", 5}, {"程", 5}, {"苏", 4}, {"魏", 4}, {"吕", 4}, {"丁", 4},
    {"任", 4}, {"沈", 4}, {"姚", 3}, {"卢", 3}, {"姜", 3}, {"崔", 3},
    {"钟", 3}, {"谭", 3}, {"陆", 3}, {"汪", 3}, {"范", 3}, {"金", 3},
    {"石", 3}, {"廖", 3}, {"贾", 3}, {"夏", 3}, {"韦", 3}, {"付", 3},
    {"方", 3}, {"白", 3}, {"邹", 3}, {"孟", 3}, {"熊", 3}, {"秦", 3},
    {"邱", 3}, {"江", 3}, {"尹", 2}, {"薛", 2}, {"段", 2}, {"雷", 2},
    {"侯", 2}, {"龙", 2}, {"史", 2}, {"陶", 2}, {"黎", 2}, {"贺", 2},
    {"顾", 2}, {"毛", 2}, {"郝", 2}, {"龚", 2}, {"邵", 2}, {"万", 2},
    {"钱", 2}, {"严", 2}, {"武", 2}, {"戴", 2}, {"莫", 2}, {"孔", 2},
    {"汤", 2}, {"欧阳", 1}, {"司马", 1}, {"诸葛", 1}, {"上官", 1},
};

static const char *const given_names[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平", "刚", "丹", "浩", "宇", "鹏", "辉", "玲", "婷", "雪",
    "慧", "琳", "颖", "欣", "怡", "萍", "红", "华", "斌", "波", "宁", "凯", "飞", "帆",
    "佳", "倩", "晨", "阳", "亮", "峰", "鑫", "博", "俊", "健", "彬", "莉", "楠", "琪",
    "璐", "悦", "梅", "兰", "秀英", "秀兰", "桂英", "玉兰", "建华", "建国", "建军", "志强",
    "志明", "晓东", "晓明", "小红", "海燕", "文静", "春梅", "国庆", "子涵", "梓涵", "一诺",
    "欣怡", "浩然", "宇轩", "雨涵", "思远", "子轩", "诗涵", "皓轩", "雨萱", "佳怡", "家豪",
    "俊杰", "婉婷", "嘉怡", "晓燕", "丽娟", "志伟", "文博", "天宇", "梦瑶", "若曦",
};

#define NSURNAMES (sizeof surnames / sizeof surnames[0])
#define NGIVEN (sizeof given_names / sizeof given_names[0])

struct people {
    struct trait *trait;
    char *names;               /* Chinese names, concatenated, NAME_PAD zero bytes after */
    int id_width;              /* digits after the C of C-numbers */
};

#define NAME_PAD 32            /* every name is shorter: copy 32 bytes, keep the length */

static size_t chinese_name(struct rng *r, uint32_t *uses, char *out)
{
    int total = 0;
    for (size_t k = 0; k < NSURNAMES; k++)
        total += surnames[k].weight;
    double u = rng_unit(r) * total;
    size_t s = 0;
    for (double acc = surnames[0].weight; acc <= u && s + 1 < NSURNAMES;)
        acc += surnames[++s].weight;
    size_t g = (size_t)(rng_unit(r) * (double)NGIVEN);
    uint32_t n = ++uses[s * NGIVEN + g];
    int len = n == 1 ? snprintf(out, NAME_PAD, "%s%s", surnames[s].name, given_names[g])
                     : snprintf(out, NAME_PAD, "%s%s%u", surnames[s].name, given_names[g], n);
    return (size_t)len;
}

/* Customer ids: C-numbers in order of first purchase; with --chinese about half of them
 * Chinese names instead, the k-th use of a name suffixed with k (张伟, 张伟2, …). */
static int people_build(struct people *pp, const struct sim *sm)
{
    uint64_t m = sm->ncust;
    pp->id_width = digits_for(m) > 7 ? digits_for(m) : 7;
    pp->trait = calloc((size_t)(m ? m : 1), sizeof *pp->trait);
    size_t cap = 4096, len = 1;            /* offset 0 is never a name */
    pp->names = calloc(cap, 1);
    uint32_t *uses = sm->opt->chinese ? calloc(NSURNAMES * NGIVEN, sizeof *uses) : NULL;
    if (!pp->trait || !pp->names || (sm->opt->chinese && !uses)) {
        free(uses);
        return -1;
    }
    struct rng r;
    rng_init(&r, sm->key, STREAM_NAMES);
    for (uint64_t i = 0; sm->opt->chinese && i < m; i++) {
        if (rng_unit(&r) >= CHINESE_SHARE)
            continue;
        if (len + 2 * NAME_PAD > cap) {
            char *grown = realloc(pp->names, cap * 2);
            if (!grown) {
                free(uses);
                return -1;
            }
            memset(grown + cap, 0, cap);
            pp->names = grown;
            cap *= 2;
        }
        size_t n = chinese_name(&r, uses, pp->names + len);
        pp->trait[i].name = (uint64_t)len << 8 | n;
        len += n;
    }
    free(uses);
    return 0;
}

static void people_free(struct people *pp)
{
    free(pp->trait);
    free(pp->names);
}

/* ---- output ---- */

struct out {
    int fd;
    char *buf;
    size_t len;
};

static int out_flush(struct out *w)
{
    size_t done = 0;
    while (done < w->len) {
        ssize_t k = write(w->fd, w->buf + done, w->len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        done += (size_t)k;
    }
    w->len = 0;
    return 0;
}

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put_2(char *p, unsigned v)
{
    memcpy(p, digit_pairs + 2 * v, 2);
    return p + 2;
}

/* v written with exactly `width` digits (zero-padded; v must fit). */
static inline char *put_fixed(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static inline char *put_uint(char *p, uint64_t v)
{
    return put_fixed(p, v, digits_for(v));
}

static inline char *put_text(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* One order's amount, quantity and status, drawn in output order from one stream. */
struct order {
    uint64_t cents;
    uint64_t quantity;
    enum status status;
};

/* Amounts cluster on price points as shop prices do: whole yuan, x.90, x.99. */
static uint64_t price_point(double amount, double u)
{
    uint64_t c = (uint64_t)(amount * 100 + 0.5);
    if (u < 0.50)
        c = (c + 50) / 100 * 100;
    else if (u < 0.65)
        c = c / 100 * 100 + 90;
    else if (u < 0.75)
        c = c / 100 * 100 + 99;
    return c < 100 ? 100 : c;
}

static void draw_order(struct rng *r, const struct sim *sm, double spend, int recent,
                       struct order *ord)
{
    const struct opts *o = sm->opt;
    double log_amount;
    if (o->gammagamma) {
        double amount = rng_gamma(r, o->gg_p) / spend;
        amount = amount < MAX_AMOUNT ? amount : MAX_AMOUNT;
        ord->cents = (uint64_t)(amount * 100 + 0.5);
        if (ord->cents == 0)
            ord->cents = 1;
        log_amount = dlog(amount > 0.01 ? amount : 0.01);
    } else {
        log_amount = spend + SPEND_SIGMA_ORDER * rng_normal(r);
        double amount = dexp(log_amount);
        ord->cents = price_point(amount < MAX_AMOUNT ? amount : MAX_AMOUNT, rng_unit(r));
    }
    /* quantity = round(amount / item price), item price log-normal, done in log space */
    double y = log_amount - sm->mdl.log_item_price - ITEM_PRICE_SIGMA * rng_normal(r);
    uint64_t q = 1;
    while (q < 99 && y >= log_half_up[q])
        q++;
    ord->quantity = q;
    double u = rng_unit(r), pend = recent ? P_PENDING_RECENT : P_PENDING;
    if (sm->mdl.pure)
        ord->status = PAID;
    else if (u < pend)
        ord->status = PENDING;
    else if (u < pend + P_CANCELLED)
        ord->status = CANCELLED;
    else if (u < pend + P_CANCELLED + P_REFUNDED)
        ord->status = REFUNDED;
    else
        ord->status = PAID;
}

/* The four kinds of broken rows of --bad-rate (see usage). */
enum fault { FAULT_NONE = -1, FAULT_CUSTOMER, FAULT_TIME, FAULT_AMOUNT, FAULT_FIELDS };
static const char *const bad_times[] = {"2024-13-45 10:00:00", "2024-02-30 12:00:00",
                                        "yesterday", "31/02/2024 25:61"};
static const char *const bad_amounts[] = {"N/A", "12.34.56", "abc", "1e5x"};

struct row_ctx {
    const struct clock *ck;
    const struct people *people;
    int order_width;
    char sep;
};

static char *put_customer(char *p, const struct people *pp, uint64_t cust)
{
    uint64_t name = pp->trait[cust].name;
    if (name) {
        memcpy(p, pp->names + (name >> 8), NAME_PAD);      /* padded: one fixed-size copy */
        return p + (name & 0xff);
    }
    *p++ = 'C';
    return put_fixed(p, cust + 1, pp->id_width);
}

static char *put_row(char *p, const struct row_ctx *rc, uint64_t order_no, uint64_t cust,
                     uint64_t second, const struct order *ord, enum fault f, unsigned variant)
{
    *p++ = 'O';
    p = put_fixed(p, order_no, rc->order_width);
    *p++ = rc->sep;
    if (f != FAULT_CUSTOMER)
        p = put_customer(p, rc->people, cust);
    *p++ = rc->sep;
    if (f == FAULT_TIME) {
        p = put_text(p, bad_times[variant], strlen(bad_times[variant]));
    } else {
        uint64_t day = second / 86400, sec = second % 86400;
        p = put_text(p, rc->ck->day_text[day], 10);
        *p++ = ' ';
        p = put_2(p, (unsigned)(sec / 3600));
        *p++ = ':';
        p = put_2(p, (unsigned)(sec / 60 % 60));
        *p++ = ':';
        p = put_2(p, (unsigned)(sec % 60));
    }
    *p++ = rc->sep;
    if (f == FAULT_AMOUNT) {
        p = put_text(p, bad_amounts[variant], strlen(bad_amounts[variant]));
    } else {
        p = put_uint(p, ord->cents / 100);
        *p++ = '.';
        p = put_2(p, (unsigned)(ord->cents % 100));
    }
    *p++ = rc->sep;
    p = put_uint(p, ord->quantity);
    if (f == FAULT_FIELDS && variant % 2 == 0) {
        *p++ = '\n';                     /* status field missing */
        return p;
    }
    *p++ = rc->sep;
    p = put_text(p, status_text[ord->status], strlen(status_text[ord->status]));
    if (f == FAULT_FIELDS) {
        *p++ = rc->sep;
        p = put_text(p, "extra", 5);
    }
    *p++ = '\n';
    return p;
}

/* --products: a product drawn log-uniformly over 1..P (product k about 1/k as often). */
static uint64_t popular_product(struct rng *r, uint64_t products)
{
    uint64_t p = (uint64_t)dexp(rng_unit(r) * dlog((double)products));
    return p >= 1 && p <= products ? p - 1 : 0;
}

/* A customer's staple: fixed per customer and seed (bought again and again). */
static uint64_t staple_of(const struct sim *sm, uint64_t cust, uint64_t products)
{
    uint64_t x = sm->key ^ (cust * 0x9e3779b97f4a7c15ULL);
    return splitmix64(&x) % products;
}

static char *put_sku(char *p, char sep, uint64_t product, int width)
{
    p[-1] = sep;                         /* replaces the row's newline */
    *p++ = 'P';
    p = put_fixed(p, product + 1, width);
    *p++ = '\n';
    return p;
}

/* One order as 1..6 line rows (a row each: the amount split in whole cents, quantity 1 but
 * the last line's), each with a sku: the first line is the customer's staple half the time,
 * a line after another is the other half of its bundle (P2k, P2k+1) half the time, else a
 * popular product. Drawn from the items stream only, so the orders are as without
 * --products. A broken row (--bad-rate) stays one row. */
static char *put_lines(char *p, const struct row_ctx *rc, const struct sim *sm, struct rng *r,
                       uint64_t order_no, uint64_t cust, uint64_t second,
                       const struct order *ord, enum fault f, unsigned variant)
{
    uint64_t np = sm->opt->products;
    int width = digits_for(np);
    uint64_t lines = 1 + (uint64_t)(rng_exp(r) * 1.2);
    lines = lines > 6 ? 6 : lines;
    if (f != FAULT_NONE)
        lines = 1;
    uint64_t prev = 0;
    for (uint64_t l = 0; l < lines; l++) {
        uint64_t product = l == 0 && rng_unit(r) < 0.5   ? staple_of(sm, cust, np)
                           : l > 0 && rng_unit(r) < 0.5 ? (prev ^ 1) % np
                                                         : popular_product(r, np);
        struct order line = *ord;
        line.cents = ord->cents / lines + (l + 1 == lines ? ord->cents % lines : 0);
        line.quantity = l + 1 < lines ? 1
                        : ord->quantity > lines - 1 ? ord->quantity - (lines - 1) : 1;
        p = put_row(p, rc, order_no, cust, second, &line, f, variant);
        p = put_sku(p, rc->sep, product, width);
        prev = product;
    }
    return p;
}

#if defined(__GNUC__)
#define PREFETCH(addr) __builtin_prefetch(addr)
#else
#define PREFETCH(addr) ((void)(addr))
#endif
#define AHEAD 16               /* rows ahead whose customer record is fetched early */

static int write_orders(struct out *w, const struct sim *sm, const struct row_ctx *rc,
                        const uint64_t *keys, uint64_t n, struct keyfmt kf)
{
    const struct trait *trait = rc->people->trait;
    struct rng r, bad, items;
    rng_init(&r, sm->key, STREAM_ORDERS);
    rng_init(&bad, sm->key, STREAM_BAD);
    rng_init(&items, sm->key, STREAM_ITEMS);
    uint64_t mask = (UINT64_C(1) << kf.cust_bits) - 1;
    int days = sm->opt->days;
    uint64_t recent_from = days > 2 ? (uint64_t)(days - 2) * 86400 : UINT64_MAX;
    for (uint64_t k = 0; k < n; k++) {
        if (k + AHEAD < n)
            PREFETCH(&trait[keys[k + AHEAD] & mask]);
        if (k + AHEAD / 2 < n && trait[keys[k + AHEAD / 2] & mask].name)
            PREFETCH(rc->people->names + (trait[keys[k + AHEAD / 2] & mask].name >> 8));
        uint64_t cust = keys[k] & mask, second = keys[k] >> kf.cust_bits;
        struct order ord;
        draw_order(&r, sm, trait[cust].spend, second >= recent_from, &ord);
        enum fault f = FAULT_NONE;
        unsigned variant = 0;
        if (rng_unit(&bad) < sm->opt->bad_rate) {     /* drawn for every row: the clean */
            uint64_t x = rng_next(&bad);              /* rows do not depend on the rate */
            f = (enum fault)(x % 4);
            variant = (unsigned)(x >> 32) % 4;
        }
        if (sm->opt->products)
            w->len = (size_t)(put_lines(w->buf + w->len, rc, sm, &items, k + 1, cust, second,
                                        &ord, f, variant) - w->buf);
        else
            w->len = (size_t)(put_row(w->buf + w->len, rc, k + 1, cust, second, &ord, f,
                                      variant) - w->buf);
        if (w->len > OUTBUF_SIZE - 8 * ROW_MAX && out_flush(w) != 0)
            return -1;
    }
    return out_flush(w);
}

/* ---- options ---- */

static void usage(FILE *f)
{
    fputs(
        "usage: gen [OPTIONS]\n"
        "Writes a seeded, realistic e-commerce order log as CSV to stdout, one row per order\n"
        "in time order: order_id,customer_id,order_time,amount,quantity,status.\n"
        "Customers arrive over the period, buy at their own (gamma-distributed) rate and\n"
        "drop out as in BG/NBD; amounts are log-normal around a per-customer typical spend;\n"
        "orders peak in the evening, at weekends and on sale days (6-18, 11-11, 12-12).\n"
        "\n"
        "  -n, --orders N         exactly N data rows (default 10000)\n"
        "  -c, --customers M      M customers, each with at least one order (default N/10)\n"
        "  -s, --seed S           random seed (default 1); the same arguments give the same\n"
        "                         bytes on any machine\n"
        "      --days D           length of the period in days (default 365)\n"
        "      --end DATE         last day of the period, YYYY-MM-DD (default 2024-12-31)\n"
        "      --regulars F       share of customers who bought before the period and\n"
        "                         appear from day one (default 0.5; 0 with --bgnbd); the\n"
        "                         rest are newcomers, C-numbered in sign-up order\n"
        "      --cohort-days C    newcomers' first purchases fall in the first C days\n"
        "                         (default: the whole period)\n"
        "      --tsv              tab-separated instead of comma-separated\n"
        "      --chinese          about half the customers are Chinese names (张伟, 王芳2)\n"
        "      --bad-rate F       break a fraction F of the rows on purpose (reliability\n"
        "                         tests); each broken row has one fault, equally often:\n"
        "                           empty customer id;\n"
        "                           unparseable order_time (2024-13-45 10:00:00, yesterday);\n"
        "                           bad amount (N/A, 12.34.56, abc);\n"
        "                           wrong field count (status missing, or an extra field)\n"
        "      --bgnbd R,ALPHA,A,B  pure BG/NBD for parameter recovery: rates per week\n"
        "                         λ ~ Gamma(R, ALPHA), dropout p ~ Beta(A, B); no rate\n"
        "                         scaling, no thinning, even clock, all orders paid; the\n"
        "                         number of orders is whatever the customers make, so\n"
        "                         --orders is not allowed (--customers default 1000)\n"
        "      --mbgnbd R,ALPHA,A,B the same for MBG/NBD: a customer may also drop out\n"
        "                         right after the first purchase\n"
        "      --gammagamma P,Q,G  Gamma-Gamma spend: ν ~ Gamma(Q, rate G) per customer,\n"
        "                         amount ~ Gamma(P, rate ν) per order\n"
        "      --products P       line items: each order becomes 1 to 6 rows (one per line,\n"
        "                         the order's amount split over them, quantity 1 each but\n"
        "                         the last) with a sku column P0001 ... from P products:\n"
        "                         popular ones more often (log-uniform), bundles (P2k and\n"
        "                         P2k+1 often together) and a staple per customer, bought\n"
        "                         again and again (purchase cycles); without it the output\n"
        "                         is unchanged\n"
        "  -o, --output FILE      write FILE (replaced only when complete), not stdout\n"
        "  -v, --verbose          print the rate scale and order counts to stderr\n"
        "  -h, --help             show this help\n"
        "\n"
        "Example: gen --orders 1000000 --seed 7 > orders-1m.csv\n",
        f);
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

static int parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno || end == s || *end || !(*v == *v) ? -1 : 0;
}

static int parse_list(const char *s, double *v, int n)
{
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    for (int i = 0; i < n; i++, tok = strtok_r(NULL, ",", &save))
        if (!tok || parse_double(tok, &v[i]) != 0 || !(v[i] > 0) || v[i] > 1e9)
            return -1;
    return tok ? -1 : 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '" PROG " --help'.\n");
    return 2;
}

enum { OPT_DAYS = 256, OPT_END, OPT_COHORT, OPT_TSV, OPT_CHINESE, OPT_BAD, OPT_BGNBD, OPT_GG,
       OPT_REGULARS, OPT_MBGNBD, OPT_PRODUCTS };

static int parse_opt(struct opts *o, int c, const char *arg, int *have_orders)
{
    uint64_t v;
    switch (c) {
    case 'n':
        *have_orders = 1;
        return parse_u64(arg, &o->orders) || o->orders > UINT32_MAX
                   ? bad_usage("bad --orders '%s'", arg) : 0;
    case 'c':
        return parse_u64(arg, &o->customers) || o->customers < 1 || o->customers > UINT32_MAX
                   ? bad_usage("bad --customers '%s'", arg) : 0;
    case 's':
        return parse_u64(arg, &o->seed) ? bad_usage("bad --seed '%s'", arg) : 0;
    case OPT_DAYS:
    case OPT_COHORT:
        if (parse_u64(arg, &v) || v < 1 || v > 36500)
            return bad_usage("bad day count '%s' (1 to 36500)", arg);
        *(c == OPT_DAYS ? &o->days : &o->cohort_days) = (int)v;
        return 0;
    case OPT_END:
        return parse_date(arg, &o->end_y, &o->end_m, &o->end_d)
                   ? bad_usage("bad --end '%s' (want YYYY-MM-DD)", arg) : 0;
    case OPT_TSV:
        o->tsv = 1;
        return 0;
    case OPT_CHINESE:
        o->chinese = 1;
        return 0;
    case OPT_BAD:
        return parse_double(arg, &o->bad_rate) || o->bad_rate < 0 || o->bad_rate > 1
                   ? bad_usage("bad --bad-rate '%s' (0 to 1)", arg) : 0;
    case OPT_REGULARS:
        return parse_double(arg, &o->regulars) || o->regulars < 0 || o->regulars > 1
                   ? bad_usage("bad --regulars '%s' (0 to 1)", arg) : 0;
    case OPT_MBGNBD:
        o->drop_first = 1;
        /* fall through */
    case OPT_BGNBD:
        o->pure_bgnbd = 1;
        return parse_list(arg, &o->bg_r, 4) ? bad_usage("bad model parameters '%s'", arg) : 0;
    case OPT_PRODUCTS:
        return parse_u64(arg, &o->products) || o->products < 2 || o->products > 10000000
                   ? bad_usage("bad --products '%s' (2 to 10000000)", arg) : 0;
    case OPT_GG:
        o->gammagamma = 1;
        return parse_list(arg, &o->gg_p, 3) ? bad_usage("bad --gammagamma '%s'", arg) : 0;
    case 'o':
        o->output = arg;
        return 0;
    case 'v':
        o->verbose = 1;
        return 0;
    default:
        return 2;
    }
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"orders", required_argument, NULL, 'n'},
        {"customers", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"days", required_argument, NULL, OPT_DAYS},
        {"end", required_argument, NULL, OPT_END},
        {"cohort-days", required_argument, NULL, OPT_COHORT},
        {"tsv", no_argument, NULL, OPT_TSV},
        {"chinese", no_argument, NULL, OPT_CHINESE},
        {"bad-rate", required_argument, NULL, OPT_BAD},
        {"regulars", required_argument, NULL, OPT_REGULARS},
        {"bgnbd", required_argument, NULL, OPT_BGNBD},
        {"mbgnbd", required_argument, NULL, OPT_MBGNBD},
        {"gammagamma", required_argument, NULL, OPT_GG},
        {"products", required_argument, NULL, OPT_PRODUCTS},
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, have_orders = 0;
    *o = (struct opts){.orders = 10000, .seed = 1, .days = 365, .regulars = -1,
                       .end_y = 2024, .end_m = 12, .end_d = 31};
    opterr = 0;
    while ((c = getopt_long(argc, argv, "n:c:s:o:vh", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return -1;
        }
        if (c == '?')
            return bad_usage("unknown option or missing argument: '%s'", argv[optind - 1]);
        int rc = parse_opt(o, c, optarg, &have_orders);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return bad_usage("unexpected argument '%s'", argv[optind]);
    if (o->pure_bgnbd && have_orders)
        return bad_usage("%s", "--orders cannot be combined with --bgnbd or --mbgnbd");
    if (!o->customers)
        o->customers = o->pure_bgnbd ? 1000 : (o->orders / 10 ? o->orders / 10 : 1);
    if (!o->pure_bgnbd && o->customers > o->orders && o->orders > 0)
        return bad_usage("%s", "--customers is larger than --orders (each buys at least once)");
    if (o->regulars < 0)
        o->regulars = o->pure_bgnbd ? 0 : REGULARS_SHARE;
    if (!o->cohort_days || o->cohort_days > o->days)
        o->cohort_days = o->days;
    int64_t start = days_from_civil(o->end_y, o->end_m, o->end_d) - (o->days - 1);
    if (start < days_from_civil(1000, 1, 1))
        return bad_usage("%s", "--days reaches before the year 1000");
    return 0;
}

/* ---- main ---- */

static int die(const char *what)
{
    fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
    return 1;
}

static void model_init(struct model *mdl, const struct opts *o)
{
    if (o->pure_bgnbd) {
        *mdl = (struct model){o->bg_r, 1 / (o->bg_alpha * 7), o->bg_a, o->bg_b, 0, 0, 1,
                              o->drop_first};
    } else {
        *mdl = (struct model){RATE_SHAPE, RATE_MEAN / RATE_SHAPE, DROP_A, DROP_B, 0, 0, 0, 0};
    }
    mdl->spend_mu = dlog(SPEND_MEDIAN);
    mdl->log_item_price = dlog(ITEM_PRICE_MEDIAN);
}

/* Everything one run builds. */
struct gen {
    struct opts opt;
    struct sim sim;
    struct clock clock;
    struct people people;
    struct keyfmt kf;
    uint64_t *keys;            /* the orders, sorted: calendar second << cust_bits | customer */
    uint64_t norders;
};

/* Simulate, thin to the wanted count and sort into g->keys. */
static int simulate(struct gen *g)
{
    struct sim *sm = &g->sim;
    sm->birth = malloc((size_t)(sm->ncust ? sm->ncust : 1) * sizeof *sm->birth);
    if (!sm->birth)
        return -1;
    draw_births(sm);
    uint64_t total;
    if (sm->mdl.pure) {
        sm->scale = 1;
        total = count_orders(sm, 1, UINT64_MAX);
    } else {
        total = fit_scale(sm, g->opt.orders);
    }
    uint64_t n = sm->mdl.pure ? total : g->opt.orders;
    if (g->opt.verbose)
        fprintf(stderr, PROG ": rate scale %.4f: %llu orders simulated, %llu written\n",
                sm->scale, (unsigned long long)total, (unsigned long long)n);
    uint64_t *keys = malloc((size_t)(n ? n : 1) * sizeof *keys);
    uint64_t *tmp = malloc((size_t)(n ? n : 1) * sizeof *tmp);
    if (!keys || !tmp) {
        free(keys);
        free(tmp);
        return -1;
    }
    g->kf.cust_bits = sm->ncust > 1 ? bits_for(sm->ncust - 1) : 0;
    g->kf.time_bits = bits_for((uint64_t)sm->days * 86400 - 1);
    if (n > 0)
        fill_orders(sm, &g->clock, g->kf, total - sm->ncust, n - sm->ncust, keys,
                    g->people.trait);
    free(sm->birth);
    sm->birth = NULL;
    g->keys = n > 0 ? radix_sort(keys, tmp, n, g->kf.cust_bits, g->kf.time_bits) : keys;
    free(g->keys == keys ? tmp : keys);
    g->norders = n;
    return 0;
}

static int open_output(const struct opts *o, char *tmpname, size_t size)
{
    if (!o->output)
        return STDOUT_FILENO;
    snprintf(tmpname, size, "%s.tmp.%ld", o->output, (long)getpid());
    return open(tmpname, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

static int finish_output(const struct opts *o, int fd, const char *tmpname)
{
    if (!o->output)
        return 0;
    if (close(fd) != 0 || rename(tmpname, o->output) != 0) {
        int saved = errno;
        unlink(tmpname);
        errno = saved;
        return -1;
    }
    return 0;
}

static int write_all(struct gen *g)
{
    char tmpname[4096];
    struct out w = {.fd = open_output(&g->opt, tmpname, sizeof tmpname)};
    if (w.fd < 0)
        return die(g->opt.output);
    w.buf = malloc(OUTBUF_SIZE);
    if (!w.buf)
        return die("out of memory");
    char sep = g->opt.tsv ? '\t' : ',';
    struct row_ctx rc = {&g->clock, &g->people,
                         digits_for(g->norders) > 8 ? digits_for(g->norders) : 8, sep};
    w.len = (size_t)snprintf(w.buf, ROW_MAX,
                             "order_id%ccustomer_id%corder_time%camount%cquantity%cstatus%s\n",
                             sep, sep, sep, sep, sep,
                             g->opt.products ? (g->opt.tsv ? "\tsku" : ",sku") : "");
    if (write_orders(&w, &g->sim, &rc, g->keys, g->norders, g->kf) != 0
        || finish_output(&g->opt, w.fd, tmpname) != 0) {
        int saved = errno;
        if (g->opt.output)
            unlink(tmpname);
        errno = saved;
        free(w.buf);
        return die(g->opt.output ? g->opt.output : "write");
    }
    free(w.buf);
    return 0;
}

int main(int argc, char **argv)
{
    static struct gen g;
    math_init();
    int rc = parse_args(argc, argv, &g.opt);
    if (rc)
        return rc < 0 ? 0 : rc;
    g.sim = (struct sim){.opt = &g.opt, .key = seed_key(g.opt.seed), .days = g.opt.days};
    g.sim.ncust = g.opt.orders == 0 && !g.opt.pure_bgnbd ? 0 : g.opt.customers;
    g.sim.regulars = (uint64_t)((double)g.sim.ncust * g.opt.regulars + 0.5);
    model_init(&g.sim.mdl, &g.opt);
    if (clock_init(&g.clock, &g.opt, g.opt.pure_bgnbd) || people_build(&g.people, &g.sim)
        || simulate(&g))
        return die("out of memory");
    rc = write_all(&g);
    free(g.keys);
    people_free(&g.people);
    free(g.clock.day_text);
    free(g.clock.cum);
    free(g.clock.guide);
    return rc;
}
