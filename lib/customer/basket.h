/* basket: market-basket association rules over the store's line items (SPEC §17,
 * 连锁效应). A basket is the set of distinct products of one paid order dated before the
 * as-of date that has at least one item (returns, cancelled and pending orders are not
 * baskets). For an itemset X: orders(X) = baskets containing X. A rule A → B (A one
 * product, or two with --max-size 3; B one product not in A) has
 *   support    = orders(A ∪ B) / baskets
 *   confidence = orders(A ∪ B) / orders(A)
 *   lift       = confidence / (orders(B) / baskets)
 * and is kept when support ≥ min_support and confidence ≥ min_confidence. Rules are ranked
 * by lift (compared exactly, as integer cross-products), then both_orders, both
 * descending, then antecedent and consequent text ascending (byte order; a two-product
 * antecedent is written "A;B" with A < B).
 *
 * Memory (Apriori, Agrawal & Srikant 1994): pass 1 counts every product (O(products));
 * only products with orders ≥ the support threshold can be in a rule, so pass 2 counts
 * pairs of those F frequent products (a triangle of F·(F−1)/2 counters) and pass 3 the
 * triples whose three pairs are frequent (a hash table) — bounded by the frequent
 * products, not by orders. F is capped (CRM_BASKET_MAX_FREQUENT); past it the error says
 * to raise --min-support. */
#ifndef CRM_BASKET_H
#define CRM_BASKET_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

#define CRM_BASKET_MAX_FREQUENT 20000

struct crm_basket_opts {
    double min_support;        /* fraction of baskets, default 0.01 */
    double min_confidence;     /* default 0 */
    int max_size;              /* 2 (pairs) or 3 (triples too) */
    int32_t as_of;             /* orders dated before this day */
};

struct crm_basket_rule {
    uint32_t antecedent[2];    /* store product indexes, antecedent[0] < [1] by id */
    int antecedent_n;          /* 1 or 2 */
    uint32_t consequent;
    uint64_t antecedent_orders, consequent_orders, both_orders;
    double support, confidence, lift;
};

struct crm_basket;

/* Count and rank the rules of the store (read from its first chunk; rewinds it between
 * passes, so a store on a pipe must have been buffered, e.g. by crm_store_max_time). */
enum crm_err crm_basket_run(struct crm_store *s, const struct crm_basket_opts *o,
                            struct crm_basket **out, struct crm_errinfo *e);
void crm_basket_free(struct crm_basket *b);

size_t crm_basket_rules(const struct crm_basket *b, const struct crm_basket_rule **rules);
uint64_t crm_basket_baskets(const struct crm_basket *b);
uint32_t crm_basket_frequent(const struct crm_basket *b);   /* products over the threshold */
uint64_t crm_basket_threshold(const struct crm_basket *b);  /* orders a rule needs */

/* The antecedent as text ("A" or "A;B", ids or names) into buf (NUL-terminated, cut at
 * cap). */
size_t crm_basket_antecedent(const struct crm_basket *b, const struct crm_basket_rule *r,
                             int names, char *buf, size_t cap);

/* The products the rules' indexes refer to (the store's, or the merged ones), and the
 * baskets holding each. */
uint32_t crm_basket_products(const struct crm_basket *b);
const struct crm_product *crm_basket_product(const struct crm_basket *b, uint32_t idx);
uint64_t crm_basket_product_orders(const struct crm_basket *b, uint32_t idx);

/* --recommend N: for each customer with a paid basket, up to n products they never bought,
 * each the consequent of a rule with lift above 1 whose antecedent they bought, ranked by
 * the rank of the best such rule per product. Rows are ordered by customer id (byte order)
 * and rank. */
struct crm_basket_rec {
    uint32_t customer;
    uint32_t rank;             /* 1.. */
    uint32_t product;
    const struct crm_basket_rule *because;
};
enum crm_err crm_basket_recommend(struct crm_store *s, const struct crm_basket *b, int n,
                                  struct crm_basket_rec **recs, size_t *count,
                                  struct crm_errinfo *e);

/* ---- scale-out (lib/scale/basketpart.c; SPEC §12): exact counts that merge by adding.
 * A partition holds whole customers, so whole baskets: round 1 counts each product's
 * baskets (crm_basket_count_products); the sums give the frequent products; round 2 counts
 * the pairs of those given products (crm_basket_count_given, every count kept: a pair rare
 * in one partition may be frequent in all); the sums, thresholded once
 * (crm_basket_from_counts, add, crm_basket_rank), give the rules of the whole — or, for
 * max_size 3, the frequent pairs, and round 3 counts the triples of those (Apriori's
 * pruning, so a partial stays bounded by the frequent itemsets). */
enum crm_err crm_basket_count_products(struct crm_store *s, const struct crm_basket_opts *o,
                                       struct crm_basket **out, struct crm_errinfo *e);
/* given: sorted by id (byte order); pairs use their indexes in it. Without pairs_known
 * (round 2) every pair of given products is counted; with them (round 3: the pairs
 * frequent over all partitions, their counts, the threshold) the triples whose three pairs
 * are among them. */
struct crm_basket_pair {
    uint32_t i, j;             /* i < j, indexes into the given products */
    uint64_t count;
};
enum crm_err crm_basket_count_given(struct crm_store *s, const struct crm_basket_opts *o,
                                    const struct crm_product *given, uint32_t n,
                                    const struct crm_basket_pair *pairs_known, size_t npairs,
                                    uint64_t threshold, struct crm_basket **out,
                                    struct crm_errinfo *e);
uint64_t crm_basket_pair(const struct crm_basket *b, uint32_t i, uint32_t j);   /* i < j */
size_t crm_basket_triples(const struct crm_basket *b);
void crm_basket_each_triple(const struct crm_basket *b,
                            void (*fn)(void *ctx, uint32_t i, uint32_t j, uint32_t k,
                                       uint64_t count),
                            void *ctx);
/* A basket of merged counts over n products (texts copied), threshold in baskets. */
enum crm_err crm_basket_from_counts(uint64_t baskets, uint64_t threshold,
                                    const struct crm_product *prods, const uint64_t *counts,
                                    uint32_t n, struct crm_basket **out,
                                    struct crm_errinfo *e);
void crm_basket_add_pair(struct crm_basket *b, uint32_t i, uint32_t j, uint64_t count);
enum crm_err crm_basket_add_triple(struct crm_basket *b, uint32_t i, uint32_t j, uint32_t k,
                                   uint64_t count, struct crm_errinfo *e);
/* Where merged counts come from (for the partial of frequent pairs). */
void crm_basket_set_origin(struct crm_basket *b, int32_t as_of, double min_support);
int32_t crm_basket_as_of(const struct crm_basket *b);
double crm_basket_min_support(const struct crm_basket *b);
/* The rules of the added counts (thresholds of o but min_support: the given threshold). */
enum crm_err crm_basket_rank(struct crm_basket *b, const struct crm_basket_opts *o,
                             struct crm_errinfo *e);

#endif
