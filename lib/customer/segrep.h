/* segrep: crm-segment's report (SPEC §7, §13) on top of lib/segment, lib/care and lib/kpi —
 * one store evaluated in one call (the window aggregate with the care or KPI pass riding
 * along, the classes, the care list or the KPI periods) and the report's tables: customer
 * rows, the summary by class/segment/vip, the care list and the KPI table. Invariant: a
 * table is written here once, for a store and for merged partials alike. */
#ifndef CRM_SEGREP_H
#define CRM_SEGREP_H

#include <stdint.h>

#include "base/err.h"
#include "customer/agg.h"
#include "customer/care.h"
#include "customer/kpi.h"
#include "customer/rfm.h"
#include "customer/segment.h"
#include "text/out.h"

enum crm_segment_report { CRM_SEGREP_CUSTOMERS, CRM_SEGREP_SUMMARY, CRM_SEGREP_CARE,
                          CRM_SEGREP_KPI };

struct crm_segrep_opts {
    enum crm_segment_report report;           /* set by crm_segrep_opts_finish */
    int summary, care_list, kpi_table;        /* --summary, --care, --kpi given */
    enum crm_segment_by by;                   /* --by, for --summary */
    double holdout;                           /* --holdout F with --care, else 0 */
    const char *salt;                         /* --salt NAME with --care, else NULL */
    struct crm_rfm_opts ro;                   /* crm_rfm_set_option */
    struct crm_segment_opts so;               /* crm_segment_set_option */
    const struct crm_segment_rules *rules;    /* NULL: the default segments */
    const struct crm_rfm_cuts *cuts;          /* r, f, m cut points of the whole (--cuts), or
                                                 NULL: this store's quintiles */
    struct crm_care_opts care;                /* CARE: `on` is set to as_of */
    enum crm_kpi_period period;               /* KPI */
    int32_t as_of, window_days;
};

/* Defaults: customer rows, --by class, window 365 days, --period month, every care reason,
 * --vip-remind 30, the default rfm and segment options; rules and cuts NULL. */
void crm_segrep_opts_default(struct crm_segrep_opts *o);

/* Set one option from its command-line text. name is the long option without dashes:
 * "summary", "care", "kpi" (text ignored), "by" (class|segment|vip), "reasons" (a list of
 * care reasons), "vip-remind" (days, 1..364), "period" (month|week|quarter), "holdout"
 * (a fraction 0..1), "salt". CRM_EUSAGE naming the option when the text is malformed or
 * name is not one of these. */
enum crm_err crm_segrep_set_option(struct crm_segrep_opts *o, const char *name,
                                   const char *text, struct crm_errinfo *e);

/* After the last option: one report at most; --holdout and --salt only with --care, and
 * then both (0 < F < 1, a salt that is not empty). CRM_EUSAGE otherwise. */
enum crm_err crm_segrep_opts_finish(struct crm_segrep_opts *o, struct crm_errinfo *e);

/* One store evaluated: every field the report needs (seg NULL for KPI; care only for
 * CARE, kpi only for KPI, sum only for SUMMARY: the groups by o->by). */
struct crm_segrep {
    struct crm_agg *a;
    const struct crm_customer_info *info;
    struct crm_segment *seg;
    struct crm_care *care;
    struct crm_kpi *kpi;
    struct crm_segment_summary *sum;
    int scale;                                /* the store's money decimals */
};

/* The one pass over s (and, for CARE with vip-expiring or replenish, the second pass: on a
 * pipe the store is held in memory), the classes with the cut points given, the KPI periods finished, the
 * care list made, the summary summed. */
enum crm_err crm_segrep_run(struct crm_store *s, const struct crm_segrep_opts *o,
                            struct crm_segrep *out, struct crm_errinfo *e);
void crm_segrep_free(struct crm_segrep *r);

/* ---- the report's tables: header line and rows to o (a write error shows in
 * crm_out_close); money with `scale` decimals. */

/* customer_id,class,vip,segment,r,f,m,score,recency_days,frequency,monetary_total, in the
 * store's customer order, scores of the seed or the quintile scheme; two threads. */
enum crm_err crm_segrep_write_customers(struct crm_out *o, const struct crm_store *s,
                                        const struct crm_segrep *r, int quintile,
                                        struct crm_errinfo *e);
void crm_segrep_write_summary(struct crm_out *o, const struct crm_segment_summary *sum,
                              enum crm_segment_by by, int scale);
/* The care list; with a salt, each row's control or treatment group (crm-campaign split). */
void crm_segrep_write_care(struct crm_out *o, const struct crm_store *s,
                           const struct crm_care *k, int scale, double holdout,
                           const char *salt);
void crm_segrep_write_kpi(struct crm_out *o, const struct crm_kpi *k, int scale);

/* The XLSX sheet name of a report: "segment-summary", "care", "kpi", or NULL for customer
 * rows and cut points (the tool's name). */
const char *crm_segrep_sheet(enum crm_segment_report report);

/* The report o->report of one evaluated store: care list, KPI table, summary or customer
 * rows (scores of o->ro.scheme). */
enum crm_err crm_segrep_write(struct crm_out *out, const struct crm_store *s,
                              const struct crm_segrep_opts *o, const struct crm_segrep *r,
                              struct crm_errinfo *e);

#endif
