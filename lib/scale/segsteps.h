/* segsteps: crm-segment's scale-out steps (SPEC §12, docs/SCALE.md) over lib/scale — which
 * partial a partition emits (quintile runs, group counts or period counts), what a merge of
 * them gives (the quintile cut points, the --summary or the --kpi table of the whole), and
 * the check that --cuts were computed with this run's options. Invariant: emit and merge
 * build their option lists from the same struct crm_segsteps, so a merge refuses partials
 * of another run. */
#ifndef CRM_SEGSTEPS_H
#define CRM_SEGSTEPS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "customer/segrep.h"
#include "scale/scale.h"
#include "text/out.h"

/* What a scale-out step needs to know of the command line. */
struct crm_segsteps {
    const struct crm_segrep_opts *rep;    /* report (CUSTOMERS: the quintile runs, SUMMARY
                                             or KPI), by, period, window, ro, so, rules */
    const struct crm_scale_cuts *cuts;    /* --cuts, NULL when not given */
};

/* --emit-partial: this partition's quintile runs, group counts or period counts, as of
 * r's as-of date. */
enum crm_err crm_segsteps_emit(struct crm_out *o, const struct crm_segsteps *st,
                               const struct crm_store *s, const struct crm_segrep *r,
                               struct crm_errinfo *e);

/* What a merge gives: kpi (KPI), sum (SUMMARY) or cuts (else); scale: the money decimals of
 * the partials. */
struct crm_segsteps_merged {
    struct crm_kpi *kpi;
    struct crm_segment_summary *sum;
    struct crm_scale_cuts cuts;
    int scale;
};

/* --merge-partials of paths; as_of CRM_NO_DAY: taken from the partials. */
enum crm_err crm_segsteps_merge(const char *const *paths, size_t npaths,
                                const struct crm_segsteps *st, int32_t as_of,
                                struct crm_segsteps_merged *out, struct crm_errinfo *e);
void crm_segsteps_merged_free(struct crm_segsteps_merged *m);

/* --cuts FILE (read to st->cuts): refused unless computed with this run's options. */
enum crm_err crm_segsteps_check_cuts(const struct crm_segsteps *st, const char *path,
                                     int32_t as_of, const struct crm_store *s,
                                     struct crm_errinfo *e);

#endif
