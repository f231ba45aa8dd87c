/* pareto: how concentrated customer value is (二八法则, SPEC §8) — ranking, ABC classes,
 * Gini, top-20 % share, the Lorenz curve and mergeable partials for scale-out (§12).
 *
 * A struct crm_pareto is the multiset of per-customer values (minor units or counts) kept
 * as runs of equal value in strictly descending order. Invariants: every value >= 0,
 * every run count >= 1, customers <= 2^40, total <= INT64_MAX (so it prints as money).
 * Sums are exact integers (128-bit where a product could overflow); a ratio is divided
 * once, at the end. Everything but per-customer ranking depends only on the multiset,
 * which is why partitions can be merged exactly.
 *
 * Zero total (every value 0, or no customer): there is no concentration to measure, so
 * the library treats it as the limit of "everyone holds the same": each customer's share
 * is 1/n, the curves are the diagonal, gini 0, top20_share 0.2, and customer r (0-based)
 * is class A when r/n < the A cut. With n = 0 the counts are 0 and customers_for_80 is 0.
 */
#ifndef CRM_PARETO_H
#define CRM_PARETO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* ---- ranking -------------------------------------------------------------------------- */

/* Rank customers 0..n-1 by value descending, ties by customer id ascending, and write
 * order[r] = the customer at rank r (0-based). id_rank[i] is customer i's position among
 * the n ids sorted ascending (a permutation of 0..n-1, checked); id_rank NULL means the
 * customer indexes themselves are in id order. Any int64 values; n <= UINT32_MAX.
 * Stable LSD radix sort on the value bits that vary, O(n). */
enum crm_err crm_pareto_rank(const int64_t *value, size_t n, const uint32_t *id_rank,
                             uint32_t *order, struct crm_errinfo *err);

/* The same ranking when ids are compared by a function: id_cmp(a, b, ctx) < 0 when
 * customer a's id sorts before customer b's. Values are radix-sorted first, and only
 * groups of equal value are sorted with id_cmp (merge sort; equal ids fall back to index
 * order), so it is as fast as crm_pareto_rank when values are mostly distinct (money)
 * and a comparison sort of each tie group when they are not (frequency). */
enum crm_err crm_pareto_rank_cmp(const int64_t *value, size_t n,
                                 int (*id_cmp)(uint32_t a, uint32_t b, void *ctx), void *ctx,
                                 uint32_t *order, struct crm_errinfo *err);

/* An id_cmp for NUL-terminated ids: ctx is a `const char *const *` array indexed by
 * customer; byte order (strcmp), which for UTF-8 is code point order. */
int crm_pareto_cmp_str(uint32_t a, uint32_t b, void *ctx);

/* The same ranking when ids are text: id_of(i, &len, ctx) returns customer i's id bytes
 * (len of them; they must stay valid during the call). Ids compare as memcmp with the
 * shorter first on a common prefix (strcmp order for ids without NUL bytes). The fast
 * path: a radix sort on the value, then within each run of one value a sort by id (by 8
 * id bytes after the run's common prefix when the run is long, then a full comparison
 * where those agree). Use this when the dictionary has no sorted order. */
enum crm_err crm_pareto_rank_ids(const int64_t *value, size_t n,
                                 const char *(*id_of)(uint32_t i, size_t *len, void *ctx),
                                 void *ctx, uint32_t *order, struct crm_errinfo *err);

/* The same with the sort's work space in scratch (8-byte aligned, crm_pareto_rank_scratch(n)
 * bytes or more; when NULL or shorter it is allocated and freed here). A caller that holds
 * memory it no longer needs, already faulted in, lends it so the kernel zeroes no fresh
 * pages for the sort (crm-pareto lends the aggregation's per-customer array). */
size_t crm_pareto_rank_scratch(size_t n);
enum crm_err crm_pareto_rank_ids_in(const int64_t *value, size_t n,
                                    const char *(*id_of)(uint32_t i, size_t *len, void *ctx),
                                    void *ctx, uint32_t *order, void *scratch,
                                    size_t scratch_len, struct crm_errinfo *err);

/* An id_of for NUL-terminated ids: ctx is a `const char *const *` array by customer. */
const char *crm_pareto_id_cstr(uint32_t i, size_t *len, void *ctx);

/* ---- the value distribution --------------------------------------------------------- */

struct crm_pareto;

/* From per-customer values in any order (sorted internally). Values must be >= 0. */
enum crm_err crm_pareto_new(const int64_t *value, size_t n, struct crm_pareto **out,
                            struct crm_errinfo *err);

/* From ranked values: value[order[r]] for r = 0..n-1 must be descending (order from
 * crm_pareto_rank); order NULL means value[] itself is descending. No sorting. */
enum crm_err crm_pareto_new_ranked(const int64_t *value, const uint32_t *order, size_t n,
                                   struct crm_pareto **out, struct crm_errinfo *err);

void crm_pareto_free(struct crm_pareto *p);

uint64_t crm_pareto_customers(const struct crm_pareto *p);
int64_t crm_pareto_total(const struct crm_pareto *p);

/* ---- mergeable partials (SPEC §12) ----------------------------------------------------
 * A partition's partial summary is its runs: (value, count) pairs, value strictly
 * descending — its sorted values, run-length encoded (frequencies collapse to a few
 * hundred runs). Merging partials is a k-way merge of the runs, so every figure below of
 * the merged distribution is exactly that of the whole. */
struct crm_pareto_run {
    int64_t value;
    uint64_t count;
};

/* The runs of p, valid while p lives. */
const struct crm_pareto_run *crm_pareto_runs(const struct crm_pareto *p, size_t *nruns);

/* Rebuild a distribution from runs (e.g. read back from a partial file): values must be
 * >= 0 and descending (equal neighbours are joined), counts >= 1. */
enum crm_err crm_pareto_new_runs(const struct crm_pareto_run *runs, size_t nruns,
                                 struct crm_pareto **out, struct crm_errinfo *err);

/* The distribution of the union of nparts partitions (NULL entries are skipped). */
enum crm_err crm_pareto_merge(const struct crm_pareto *const *parts, size_t nparts,
                              struct crm_pareto **out, struct crm_errinfo *err);

/* ---- figures ----------------------------------------------------------------------------
 * Cuts are in basis points of the total value: 8000 = 80 %. */

/* Parse `--abc A,B` ("80,95", "80.5,95"): percents with at most 2 decimals,
 * 0 < A <= B <= 100. */
enum crm_err crm_pareto_parse_abc(const char *text, unsigned *a_bp, unsigned *b_bp,
                                  struct crm_errinfo *err);

/* Gini coefficient G = 2·Σ i·x(i) / (n·Σx) − (n+1)/n, x ascending, i = 1..n: the Gini
 * mean-difference form for n equally weighted values (Gini 1912; the sorted-sum form as in
 * Wolfram MathWorld, "Gini Coefficient"), equal to 1 − 2 × the area under the
 * piecewise-linear Lorenz curve through all n customers. */
double crm_pareto_gini(const struct crm_pareto *p);

/* Share of the total held by the top num/den of customers (descending order), read off
 * the piecewise-linear curve: top20_share = crm_pareto_top_share(p, 1, 5). 0 <= num <= den,
 * den >= 1. */
double crm_pareto_top_share(const struct crm_pareto *p, uint64_t num, uint64_t den);

/* Number of customers whose predecessors (in rank order) hold less than cut_bp of the
 * total: the smallest top group reaching cut_bp. Exact: cum_before·10000 < cut_bp·total. */
uint64_t crm_pareto_count_below(const struct crm_pareto *p, unsigned cut_bp);

/* The inverse of the descending curve: the fraction of customers (interpolated, 0..1)
 * at which the top customers reach cut_bp of the total; for charts. */
double crm_pareto_customers_at_share(const struct crm_pareto *p, unsigned cut_bp);

enum crm_pareto_curve_order {
    CRM_PARETO_LORENZ,      /* classic Lorenz: customers ascending, L(p) <= p */
    CRM_PARETO_CUMULATIVE,  /* Pareto order: customers descending, C(p) = 1 − L(1 − p) */
};

/* The curve at npoints+1 evenly spaced customer fractions x[j] = j/npoints, j = 0..N,
 * with linear interpolation between customers: (0,0) … (1,1) exactly. SPEC §8's
 * `--curve N` is CRM_PARETO_LORENZ (Gini = 1 − 2 × its area); top20_share is
 * 1 − L(0.8) = C(0.2). x or y may be NULL. 1 <= npoints <= UINT32_MAX. */
enum crm_err crm_pareto_curve(const struct crm_pareto *p, size_t npoints,
                              enum crm_pareto_curve_order order, double *x, double *y,
                              struct crm_errinfo *err);

/* Sums of value over nbins bins of consecutive ranks (bin b holds ranks
 * [b·n/nbins, (b+1)·n/nbins), so sizes differ by at most one); bin_end[b] is the first
 * rank after bin b. nbins is cut to n when larger; returns the number of bins used. */
size_t crm_pareto_bins(const struct crm_pareto *p, size_t nbins, uint64_t *bin_end,
                       int64_t *bin_sum);

/* The `--summary` figures. ABC counts use the cuts given; customers_for_80 always uses
 * 80 % (equal to |A| / n with the default --abc 80,95). */
struct crm_pareto_summary {
    uint64_t customers;
    int64_t total_value;
    double top20_share;
    double customers_for_80;
    double gini;
    uint64_t class_customers[3]; /* A, B, C */
    int64_t class_value[3];
};

enum crm_err crm_pareto_summarize(const struct crm_pareto *p, unsigned a_bp, unsigned b_bp,
                                  struct crm_pareto_summary *out, struct crm_errinfo *err);

/* ---- per-customer rows ----------------------------------------------------------------
 * A cursor turns the values of ranked customers, fed in rank order, into output rows
 * (the classes agree with crm_pareto_summarize's counts). */
struct crm_pareto_row {
    uint64_t rank;          /* 1-based */
    int64_t value;
    double share;           /* value / total */
    double cum_customers;   /* rank / n */
    double cum_value;       /* value of ranks 1..rank / total */
    char abc;               /* 'A', 'B' or 'C' */
};

struct crm_pareto_cursor {  /* fields are the cursor's own; read-only for callers */
    uint64_t customers, rank;
    int64_t total, cum, last;
    unsigned a_bp, b_bp;
};

void crm_pareto_cursor_init(struct crm_pareto_cursor *c, const struct crm_pareto *p,
                            unsigned a_bp, unsigned b_bp);

/* The row of the next ranked customer, whose value is `value` (row may be NULL: only check
 * and advance). CRM_EUSAGE when the values are not descending, negative, or more than the
 * distribution holds. */
enum crm_err crm_pareto_cursor_next(struct crm_pareto_cursor *c, int64_t value,
                                    struct crm_pareto_row *row, struct crm_errinfo *err);

/* The row crm_pareto_cursor_next would give for `value` from the state c (unchecked, c not
 * advanced): a copy of the cursor with rank and cum set from a first pass computes any row
 * on its own, so rows can be formatted out of order (on two threads). */
void crm_pareto_row_at(const struct crm_pareto_cursor *c, int64_t value,
                       struct crm_pareto_row *row);

/* ---- who is ranked: the population from lib/agg (SPEC §8) ------------------------------
 * crm-pareto ranks the customers with at least one paid order in the window — the
 * customers crm-rfm scores — whatever their value: one whose paid orders all had amount 0
 * holds 0 and is ranked (class C), so `customers` is the number of paying customers and
 * every figure counts them. The value never changes who is ranked. */
enum crm_pareto_by {
    CRM_PARETO_MONETARY, /* paid revenue in the window (crm_cust.paid_money), minor units */
    CRM_PARETO_FREQUENCY, /* paid orders in the window */
    CRM_PARETO_NET,      /* paid revenue minus refunds in the window, floored at 0: refunds
                            of sales before the window can exceed the window's sales, and a
                            share of value cannot be negative */
};

struct crm_agg;

struct crm_pareto_input {
    size_t n;
    uint32_t *customer; /* dictionary index of each ranked customer, ascending */
    int64_t *value;     /* its value (>= 0) */
    uint64_t floored;   /* CRM_PARETO_NET: customers whose refunds exceeded their sales */
};

/* The ranked customers and their values. Free the arrays with crm_pareto_input_free. */
enum crm_err crm_pareto_collect(const struct crm_agg *a, enum crm_pareto_by by,
                                struct crm_pareto_input *out, struct crm_errinfo *err);
void crm_pareto_input_free(struct crm_pareto_input *in);

/* Rank them (crm_pareto_rank_ids_in, with its scratch): order[r] is the position in `in`
 * of the customer at rank r, value descending, ties by the customer id text of store s
 * (byte order). With ranked (n entries, or NULL), also ranked[r] = in->value[order[r]],
 * read off the sort in sequence. */
struct crm_store;
enum crm_err crm_pareto_rank_input(const struct crm_pareto_input *in,
                                   const struct crm_store *s, uint32_t *order,
                                   void *scratch, size_t scratch_len, int64_t *ranked,
                                   struct crm_errinfo *err);

#endif
