/* heatmap: crm-cohort's retention heatmap (SPEC §15) — one row per cohort (label and size
 * on the left), one column per period index, each cell shaded by the cohort-relative value
 * of the metric (retention; revenue, orders or cumulative revenue per cohort customer) and
 * labelled with the metric itself when the cell is wide enough. A self-contained SVG
 * document: no scripts, no external resources. Same table → same bytes, in any locale. */
#ifndef CRM_HEATMAP_H
#define CRM_HEATMAP_H

#include <stddef.h>

#include "base/err.h"
#include "customer/cohort.h"

/* The document in *doc (malloc'ed, *len bytes; the caller frees it). period_name: "month",
 * "week" or "quarter", for the title; money_scale: decimals of the store's minor unit. */
enum crm_err crm_chart_heatmap(const struct crm_cohort *co, enum crm_cohort_metric metric,
                               const char *period_name, int money_scale, char **doc,
                               size_t *len, struct crm_errinfo *e);

#endif
