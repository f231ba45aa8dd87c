/* segsteps: crm-segment's emit, merge and --cuts check (see segsteps.h). */
#include "scale/segsteps.h"

#include <stdlib.h>
#include <string.h>

enum crm_err crm_segsteps_emit(struct crm_out *o, const struct crm_segsteps *st,
                               const struct crm_store *s, const struct crm_segrep *r,
                               struct crm_errinfo *e)
{
    const struct crm_segrep_opts *q = st->rep;
    struct crm_partial_opts po;
    const int32_t as_of = r->a->as_of;
    enum crm_err rc;
    if (q->report == CRM_SEGREP_KPI) {
        crm_scale_kpi_options(&po, q->period, as_of, q->window_days, s);
        rc = crm_scale_kpi_emit(o, &po, r->kpi, s, e);
    } else if (q->report == CRM_SEGREP_SUMMARY) {
        crm_scale_segment_options(&po, &q->ro, &q->so, q->rules, st->cuts, q->by, as_of,
                                  q->window_days, s);
        rc = crm_scale_segment_emit(o, &po, r->sum, s, e);
    } else {
        crm_scale_rfm_options(&po, &q->ro, as_of, q->window_days, s);
        rc = crm_scale_rfm_emit(o, &po, crm_segment_quintile(r->seg), s, e);
    }
    return rc;
}

enum crm_err crm_segsteps_merge(const char *const *paths, size_t npaths,
                                const struct crm_segsteps *st, int32_t as_of,
                                struct crm_segsteps_merged *out, struct crm_errinfo *e)
{
    const struct crm_segrep_opts *q = st->rep;
    struct crm_partial_opts run, got;
    enum crm_err rc;
    memset(out, 0, sizeof *out);
    if (q->report == CRM_SEGREP_KPI) {
        crm_scale_kpi_options(&run, q->period, as_of, q->window_days, NULL);
        rc = crm_scale_kpi_merge(paths, npaths, &run, q->period, q->window_days, &out->kpi,
                                 &got, e);
    } else if (q->report == CRM_SEGREP_SUMMARY) {
        crm_scale_segment_options(&run, &q->ro, &q->so, q->rules, st->cuts, q->by, as_of,
                                  q->window_days, NULL);
        if (!st->cuts)   /* the partials say which cut points they used */
            crm_partial_opts_remove(&run, "cuts");
        rc = crm_scale_segment_merge(paths, npaths, &run, &out->sum, &got, e);
    } else {
        crm_scale_rfm_options(&run, &q->ro, as_of, q->window_days, NULL);
        return crm_scale_rfm_merge(paths, npaths, &run, &out->cuts, e);
    }
    if (rc == CRM_OK)
        out->scale = atoi(crm_partial_opts_get(&got, "money-scale"));
    return rc;
}

void crm_segsteps_merged_free(struct crm_segsteps_merged *m)
{
    if (!m)
        return;
    crm_kpi_free(m->kpi);
    crm_scale_summary_free(m->sum);
    m->kpi = NULL;
    m->sum = NULL;
}

enum crm_err crm_segsteps_check_cuts(const struct crm_segsteps *st, const char *path,
                                     int32_t as_of, const struct crm_store *s,
                                     struct crm_errinfo *e)
{
    struct crm_partial_opts run;
    crm_scale_rfm_options(&run, &st->rep->ro, as_of, st->rep->window_days, s);
    return crm_partial_opts_check(&st->cuts->options, path, &run, "the command line", e);
}
