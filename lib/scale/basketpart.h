/* basketpart: crm-basket over partitions (SPEC §12, §17) — exact partial counts that merge
 * by adding (customer/basket.h, "scale-out"). Two rounds, each an emit per partition and
 * one merge (docs/SCALE.md):
 *   1. crm-basket --emit-partial P.i STORE.i        partial "basket-products": baskets and
 *                                                    the baskets of every product
 *      crm-basket --merge-partials P.* -o FREQ       partial "basket-frequent": the products
 *                                                    reaching --min-support of all baskets
 *   2. crm-basket --frequent FREQ --emit-partial Q.i STORE.i
 *                                                    partial "basket-pairs": the counts of
 *                                                    the pairs of those products
 *      crm-basket --merge-partials Q.*               the rules, as on one store; with
 *                                                    --max-size 3 (given in round 2) instead
 *                                                    a "basket-frequent" partial FREQ2 that
 *                                                    also holds the frequent pairs, and
 *   3. crm-basket --frequent FREQ2 --emit-partial R.i STORE.i
 *                                                    partial "basket-triples": the counts of
 *                                                    the triples of frequent pairs
 *      crm-basket --merge-partials R.*               the rules of pairs and triples
 * Invariants: every partial of a merge has the same options (as-of, support, size) and a
 * round-2 partial carries the frequent list it counted against, which must be the same in
 * all of them; every count is a whole number of baskets, so sums are exact. */
#ifndef CRM_BASKETPART_H
#define CRM_BASKETPART_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "customer/basket.h"
#include "store/store.h"
#include "text/out.h"

/* Round 1: the baskets and product counts of one partition (b: crm_basket_count_products). */
enum crm_err crm_scale_basket_emit_products(struct crm_out *o, const struct crm_basket_opts *bo,
                                            const struct crm_basket *b, struct crm_errinfo *e);

/* The frequent products (of round 1's merge, or read back from its file). */
struct crm_scale_basket_frequent {
    uint64_t baskets, threshold;
    uint32_t n;
    struct crm_product *prod;      /* sorted by id; texts owned */
    uint64_t *count;
    char *text;
    int32_t as_of;
    int max_size;                  /* of round 2 (0 in round 1) */
    double min_support;
    struct crm_basket_pair *pairs; /* FREQ2: the frequent pairs (round 3) */
    size_t npairs;
};
void crm_scale_basket_frequent_free(struct crm_scale_basket_frequent *f);

/* Kind of the first partial of path ("basket-products", "basket-pairs", ...) into kind. */
enum crm_err crm_scale_basket_kind(const char *path, char *kind, size_t size,
                                   struct crm_errinfo *e);

/* Round 1 merge: sum the product partials, keep those in at least min_support of all
 * baskets, write them as a "basket-frequent" partial on o. */
enum crm_err crm_scale_basket_merge_products(const char *const *paths, size_t npaths,
                                             double min_support, struct crm_out *o,
                                             struct crm_scale_basket_frequent *f,
                                             struct crm_errinfo *e);
enum crm_err crm_scale_basket_read_frequent(const char *path,
                                            struct crm_scale_basket_frequent *f,
                                            struct crm_errinfo *e);

/* Round 2 (f without pairs): the pair counts of one partition; round 3 (f with pairs): its
 * triple counts (b: crm_basket_count_given over f). */
enum crm_err crm_scale_basket_emit_pairs(struct crm_out *o, const struct crm_basket_opts *bo,
                                         const struct crm_scale_basket_frequent *f,
                                         const struct crm_basket *b, struct crm_errinfo *e);

/* Round 2 or 3 merge: the rules of the whole (ranked with bo's confidence), or, when round
 * 2 was run for --max-size 3, the counts only (*ranked = 0) for
 * crm_scale_basket_write_pairs. */
enum crm_err crm_scale_basket_merge_pairs(const char *const *paths, size_t npaths,
                                          const struct crm_basket_opts *bo,
                                          struct crm_basket **out, int *ranked,
                                          struct crm_errinfo *e);
/* FREQ2: the frequent products and pairs of merged round-2 counts, for round 3. */
enum crm_err crm_scale_basket_write_pairs(struct crm_out *o, const struct crm_basket *b,
                                          struct crm_errinfo *e);

#endif
