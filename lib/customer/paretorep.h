/* paretorep: crm-pareto's report (SPEC §8) on top of lib/pareto — the options as the user
 * gives them, one store ranked (window aggregate, who is ranked, distribution, ranking) and
 * the report's tables: per-customer rows, the summary and the Lorenz curve. Invariant: the
 * rows of a store and of merged partials come from one cursor rule (crm_pareto_cursor), so
 * they are byte-identical for the same customers. */
#ifndef CRM_PARETOREP_H
#define CRM_PARETOREP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "customer/pareto.h"
#include "text/out.h"

struct crm_store;

/* ---- options as the user gives them (crm-pareto) --------------------------------------- */
struct crm_pareto_opts {
    enum crm_pareto_by by;      /* CRM_PARETO_NET only after crm_pareto_opts_finish */
    unsigned a_bp, b_bp;        /* --abc cuts in basis points */
    int net;                    /* --net given */
};

/* --by monetary, --abc 80,95, no --net. */
void crm_pareto_opts_default(struct crm_pareto_opts *o);

/* Set one option from its command-line text. name is the long option without dashes:
 * "by" (monetary|frequency), "abc" (crm_pareto_parse_abc), "net" (text ignored).
 * CRM_EUSAGE naming the option when the text is malformed or name is not a pareto option. */
enum crm_err crm_pareto_set_option(struct crm_pareto_opts *o, const char *name,
                                   const char *text, struct crm_errinfo *err);

/* After the last option: --net makes the value CRM_PARETO_NET; CRM_EUSAGE with
 * --by frequency (refunds are money). */
enum crm_err crm_pareto_opts_finish(struct crm_pareto_opts *o, struct crm_errinfo *err);

/* ---- one store ranked (crm-pareto) -------------------------------------------------------
 * The one call behind a report of a store: aggregate the window (lib/agg), collect who is
 * ranked (crm_pareto_collect), build the distribution and, when rows are wanted, rank them
 * (crm_pareto_rank_input; ties by id). */
struct crm_pareto_ranking {
    struct crm_pareto_input in;
    struct crm_pareto *p;
    uint32_t *order;            /* rank order of `in` when rows were asked for, else NULL */
    int64_t *ranked;            /* with order: the value at each rank (in->value[order[r]]) */
    void *spare;                /* with order: the aggregation's array, faulted in and free
                                   now, lent to crm_pareto_gather (one gather at a time) */
    size_t spare_size, spare_used;   /* its mapping's size; the bytes faulted in */
    int32_t as_of, window_start;     /* of the aggregate, for -v */
    uint32_t store_customers;        /* customers in the store */
    uint64_t orders_future;          /* orders dated on or after as_of (ignored) */
};

enum crm_err crm_pareto_rank_store(struct crm_store *s, enum crm_pareto_by by, int32_t as_of,
                                   int32_t window_days, int rows,
                                   struct crm_pareto_ranking *out, struct crm_errinfo *err);
void crm_pareto_ranking_free(struct crm_pareto_ranking *r);

/* The ranked customers gathered into rank order for the per-customer rows: one pass checks
 * the values, keeps the running totals and copies values and customers in rank order (the
 * formatting threads of lib/outrows then read them in sequence, not at random through
 * `order`); crm_pareto_gathered_row computes any row on its own, byte for byte as one
 * cursor would. */
struct crm_pareto_gathered {
    size_t n;
    uint32_t *customer;              /* store customer index at each rank */
    const int64_t *value;            /* its value: the ranking's `ranked` */
    int64_t *cum;                    /* value of the ranks before it */
    struct crm_pareto_cursor start;  /* the cursor before the first row */
    int borrowed;                    /* cum and customer are in the ranking's spare */
};

enum crm_err crm_pareto_gather(const struct crm_pareto_ranking *r, unsigned a_bp,
                               unsigned b_bp, struct crm_pareto_gathered *out,
                               struct crm_errinfo *err);
void crm_pareto_gathered_row(const struct crm_pareto_gathered *g, size_t rank,
                             struct crm_pareto_row *row);
void crm_pareto_gathered_free(struct crm_pareto_gathered *g);


/* ---- the report's tables ------------------------------------------------------------------
 * Values are money with the store's `scale` decimals (monetary, net) or counts (frequency).
 * Each writes its header line and rows to o; a write error shows in crm_out_close. */

/* rank,customer_id,value,share,cum_customers,cum_value,class of a ranked store (its
 * ranking made with rows): gathered, then formatted on two threads (lib/outrows). */
enum crm_err crm_pareto_write_rows(struct crm_out *o, const struct crm_pareto_ranking *rk,
                                   const struct crm_store *s, const struct crm_pareto_opts *po,
                                   int scale, struct crm_errinfo *err);

/* The same rows fed one ranked customer at a time (the merge of partials): init writes the
 * header; crm_pareto_feed_row fits crm_scale_pareto_each and returns nonzero to stop (an
 * error, kept in rc and e, or a failed write). */
struct crm_pareto_feed {
    struct crm_out *o;
    const struct crm_pareto_opts *po;
    struct crm_pareto_cursor cur;
    int scale;
    enum crm_err rc;
    struct crm_errinfo e;
};
void crm_pareto_feed_init(struct crm_pareto_feed *f, struct crm_out *o,
                          const struct crm_pareto *p, const struct crm_pareto_opts *po,
                          int scale);
int crm_pareto_feed_row(void *feed, const char *id, size_t len, int64_t value);

/* metric,value rows: counts, values and ratios — ratios empty when there are no customers
 * (undefined, not made up). */
enum crm_err crm_pareto_write_summary(struct crm_out *o, const struct crm_pareto *p,
                                      const struct crm_pareto_opts *po, int scale,
                                      struct crm_errinfo *err);

/* customer_share,value_share: the Lorenz curve at points+1 points (--curve N). */
enum crm_err crm_pareto_write_curve(struct crm_out *o, const struct crm_pareto *p,
                                    size_t points, struct crm_errinfo *err);

#endif
