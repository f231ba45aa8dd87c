/* campchart: crm-campaign measure's chart (SPEC §16) — for treatment and control, by day
 * since the contact date: the share of the group that has bought (solid, left axis, %) and
 * revenue per group customer so far (dashed, right axis); the subtitle gives the
 * conversion difference with its interval and p-value. Same result → same bytes. */
#ifndef CRM_CAMPCHART_H
#define CRM_CAMPCHART_H

#include "base/err.h"
#include "chart/svg.h"
#include "customer/campaign.h"

/* from: the contact date (for the title); level: of the interval shown. */
enum crm_err crm_chart_campaign(const struct crm_campaign_result *r, int32_t from, double level,
                                struct crm_svg **out, struct crm_errinfo *e);

#endif
