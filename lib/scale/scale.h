/* scale: the global steps of the analytic tools run over customer partitions (SPEC §12,
 * docs/SCALE.md). Every per-customer result depends only on that customer's orders, except
 * for a few figures over all customers; for each of those a partition writes a mergeable
 * partial (lib/partial) and one merge step computes the figure of the whole:
 *
 *   rfm-quintiles   sorted (value, count) runs of R, F, M    -> quintile cut points (rfm-cuts)
 *   pareto          descending value runs [+ ranked ids]     -> summary, curve, chart, rows
 *   churn           (x, t_x, T) triple counts, repeat spend  -> one BG/NBD + Gamma-Gamma fit
 *   segment-summary customers, orders, revenue per group     -> the --summary table
 *   segment-kpi     per-period order and customer counts     -> the --kpi table
 *   cohort          cohort sizes and (cohort, period) cells      -> crm-cohort's report
 *
 * Invariants: a merge reads only integers (counts, days, minor units), so the merged figure
 * is computed from exactly the numbers the single store gives and prints byte for byte the
 * same; partials whose options (as-of date, window, tool options, money scale, zone)
 * differ are refused, and so is the same partition given twice (same customers and
 * fingerprint). */
#ifndef CRM_SCALE_H
#define CRM_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "model/btyd.h"
#include "model/churn.h"
#include "base/err.h"
#include "customer/cohort.h"
#include "customer/kpi.h"
#include "text/out.h"
#include "customer/pareto.h"
#include "scale/partial.h"
#include "customer/rfm.h"
#include "customer/segment.h"
#include "store/store.h"

/* The options every partial records: as-of (YYYY-MM-DD), money-scale and tz of the store.
 * Option lists are also built for a merge step, which has no store and may have no as-of
 * date: then as_of is CRM_NO_DAY and s NULL, and those options (and calibration-end, cuts)
 * are taken from the partials. */
void crm_scale_base_options(struct crm_partial_opts *o, int32_t as_of,
                            const struct crm_store *s);

/* Add "window": the number of days, or "all" for 0. */
void crm_scale_window_option(struct crm_partial_opts *o, int32_t window_days);

/* The as-of date an option list holds (CRM_EUSAGE naming `file` when it has none). */
enum crm_err crm_scale_as_of(const struct crm_partial_opts *o, const char *file,
                             int32_t *as_of, struct crm_errinfo *e);

/* A partition's identity, written as info lines: its customers and the sum (mod 2^64) of
 * crm_hash_stable over their ids, so that the same partition given twice is recognised. */
void crm_scale_identity(const struct crm_store *s, uint64_t *customers, uint64_t *fingerprint);

/* ---- RFM quintile cut points (crm-rfm --scheme quintile, crm-segment's segments) ---- */

/* The options that give quintile values their meaning: as-of, window, monetary, net, and
 * the base options. */
void crm_scale_rfm_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                           int32_t as_of, int32_t window_days, const struct crm_store *s);

/* Write r's R, F and M runs as an "rfm-quintiles" partial (r from crm_rfm_new). */
enum crm_err crm_scale_rfm_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_rfm *r, const struct crm_store *s,
                                struct crm_errinfo *e);

struct crm_scale_cuts {
    struct crm_partial_opts options;
    struct crm_rfm_cuts cut[3];      /* r (values −recency_days), f, m */
    uint64_t partials, customers;
};

/* Merge "rfm-quintiles" partials (paths: files, "-" for stdin) into the cut points of the
 * whole. run: the options of this run (as-of may be missing: taken from the partials). */
enum crm_err crm_scale_rfm_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run,
                                 struct crm_scale_cuts *out, struct crm_errinfo *e);

/* The cut points as an "rfm-cuts" file, and back. */
enum crm_err crm_scale_cuts_write(struct crm_out *o, const struct crm_scale_cuts *c,
                                  struct crm_errinfo *e);
enum crm_err crm_scale_cuts_read(const char *path, struct crm_scale_cuts *c,
                                 struct crm_errinfo *e);

/* ---- Pareto (crm-pareto) ---- */

/* as-of, window, by (monetary, frequency or net) and the base options. */
void crm_scale_pareto_options(struct crm_partial_opts *o, enum crm_pareto_by by,
                              int32_t as_of, int32_t window_days, const struct crm_store *s);

/* Write p's runs as a "pareto" partial; with in and order (crm_pareto_rank_input) also the
 * ranked customers (value, id), which the per-customer report of the merge needs. */
enum crm_err crm_scale_pareto_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_pareto *p,
                                   const struct crm_pareto_input *in, const uint32_t *order,
                                   const struct crm_store *s, struct crm_errinfo *e);

struct crm_scale_pareto;

/* Merge "pareto" partials: the distribution of the whole; with need_customers every partial
 * must hold its ranked customers (files only: they are read again, in step). */
enum crm_err crm_scale_pareto_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run, int need_customers,
                                    struct crm_scale_pareto **out, struct crm_errinfo *e);
void crm_scale_pareto_free(struct crm_scale_pareto *m);

const struct crm_pareto *crm_scale_pareto_distribution(const struct crm_scale_pareto *m);
const struct crm_partial_opts *crm_scale_pareto_options_of(const struct crm_scale_pareto *m);
size_t crm_scale_pareto_partials(const struct crm_scale_pareto *m);

/* Every customer of the whole in rank order (value descending, ties by id in byte order, as
 * crm_pareto_rank_input ranks them): a k-way merge of the partials' ranked customers. fn
 * returning nonzero stops early (CRM_OK). */
enum crm_err crm_scale_pareto_each(struct crm_scale_pareto *m,
                                   int (*fn)(void *ctx, const char *id, size_t len,
                                             int64_t value),
                                   void *ctx, struct crm_errinfo *e);

/* ---- BG/NBD and Gamma-Gamma fit (crm-churn) ---- */

/* as-of, calibration-end and the base options. */
void crm_scale_churn_options(struct crm_partial_opts *o, int32_t as_of, int32_t end,
                             const struct crm_store *s);

/* Write b's weighted triples and repeat-spend summaries (crm_churn_summarize) as a "churn"
 * partial. */
enum crm_err crm_scale_churn_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                  const struct crm_btsum *b, const struct crm_store *s,
                                  struct crm_errinfo *e);

/* Merge "churn" partials and fit once (crm_churn_fit): model (bgnbd, mbgnbd or pnbd: the
 * partials are the same weighted triples for each), unit of time (days per unit) and L2
 * penalty as for crm_churn_model. The money scale is the partials'; options (may be NULL)
 * gets the partials' options. */
enum crm_err crm_scale_churn_merge(const char *const *paths, size_t npaths,
                                   const struct crm_partial_opts *run,
                                   enum crm_btyd_model model, double days_per_unit,
                                   double penalty, struct crm_churn **out,
                                   struct crm_partial_opts *options, struct crm_errinfo *e);

/* ---- crm-segment --summary and --kpi ---- */

/* Every option that decides a customer's class, VIP flag and segment: the RFM options (seed
 * thresholds, weights, tiers, monetary, net), the segment options, the rules (names and
 * ranges), the cut points used (NULL: the partition's own), the grouping, and the base. */
void crm_scale_segment_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                               const struct crm_segment_opts *so,
                               const struct crm_segment_rules *rules,
                               const struct crm_scale_cuts *cuts, enum crm_segment_by by,
                               int32_t as_of, int32_t window_days, const struct crm_store *s);

enum crm_err crm_scale_segment_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                    const struct crm_segment_summary *sum,
                                    const struct crm_store *s, struct crm_errinfo *e);

/* The summary of the whole (free with crm_scale_summary_free: it owns the group names);
 * options (may be NULL) gets the partials' options. */
enum crm_err crm_scale_segment_merge(const char *const *paths, size_t npaths,
                                     const struct crm_partial_opts *run,
                                     struct crm_segment_summary **out,
                                     struct crm_partial_opts *options, struct crm_errinfo *e);
void crm_scale_summary_free(struct crm_segment_summary *sum);

/* as-of, window, period and the base options. */
void crm_scale_kpi_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                           int32_t as_of, int32_t window_days, const struct crm_store *s);

enum crm_err crm_scale_kpi_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                const struct crm_kpi *k, const struct crm_store *s,
                                struct crm_errinfo *e);

/* The figures of the whole, as crm_kpi_new(period, window start, as_of) would count them;
 * options (may be NULL) gets the partials' options. */
enum crm_err crm_scale_kpi_merge(const char *const *paths, size_t npaths,
                                 const struct crm_partial_opts *run, enum crm_kpi_period period,
                                 int32_t window_days, struct crm_kpi **out,
                                 struct crm_partial_opts *options, struct crm_errinfo *e);

/* ---- crm-cohort ---- */

/* as-of, period and the base options. */
void crm_scale_cohort_options(struct crm_partial_opts *o, enum crm_kpi_period period,
                              int32_t as_of, const struct crm_store *s);

enum crm_err crm_scale_cohort_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                   const struct crm_cohort *co, const struct crm_store *s,
                                   struct crm_errinfo *e);

/* The table of the whole (cells of disjoint customers add up); options (may be NULL) gets
 * the partials' options. */
enum crm_err crm_scale_cohort_merge(const char *const *paths, size_t npaths,
                                    const struct crm_partial_opts *run,
                                    enum crm_kpi_period period, struct crm_cohort **out,
                                    struct crm_partial_opts *options, struct crm_errinfo *e);

#endif
