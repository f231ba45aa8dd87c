/* segrep: crm-segment's one-store evaluation and report tables (see segrep.h). */
#include "customer/segrep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer/campaign.h"
#include "store/store.h"
#include "text/optval.h"
#include "text/outrows.h"

void crm_segrep_opts_default(struct crm_segrep_opts *o)
{
    memset(o, 0, sizeof *o);
    o->report = CRM_SEGREP_CUSTOMERS;
    o->by = CRM_SEGMENT_BY_CLASS;
    o->window_days = 365;
    o->period = CRM_KPI_MONTH;
    o->care.reasons = CRM_CARE_ALL;
    o->care.vip_remind = 30;
    crm_rfm_opts_default(&o->ro);
    crm_segment_opts_default(&o->so);
}

static enum crm_err parse_by(const char *text, enum crm_segment_by *by, struct crm_errinfo *e)
{
    if (strcmp(text, "class") == 0)
        *by = CRM_SEGMENT_BY_CLASS;
    else if (strcmp(text, "segment") == 0)
        *by = CRM_SEGMENT_BY_SEGMENT;
    else if (strcmp(text, "vip") == 0)
        *by = CRM_SEGMENT_BY_VIP;
    else
        return crm_errinfo_set(e, CRM_EUSAGE, "--by %s: expected class, segment or vip", text);
    return CRM_OK;
}

/* A number of the option `name` within lo..hi (whole: an integer), read by lib/optval. */
static enum crm_err parse_number(const char *name, const char *text, double lo, double hi,
                                 int whole, double *out, struct crm_errinfo *e)
{
    char opt[64];
    long v;
    snprintf(opt, sizeof opt, "--%s", name);
    if (!whole)
        return crm_optval_number(opt, text, lo, hi, out, e);
    enum crm_err rc = crm_optval_integer(opt, text, (long)lo, (long)hi, &v, e);
    if (rc == CRM_OK)
        *out = (double)v;
    return rc;
}

enum crm_err crm_segrep_set_option(struct crm_segrep_opts *o, const char *name,
                                   const char *text, struct crm_errinfo *e)
{
    double v = 0;
    enum crm_err rc = CRM_OK;
    if (strcmp(name, "summary") == 0) {
        o->summary = 1;
    } else if (strcmp(name, "care") == 0) {
        o->care_list = 1;
    } else if (strcmp(name, "kpi") == 0) {
        o->kpi_table = 1;
    } else if (strcmp(name, "by") == 0) {
        rc = parse_by(text, &o->by, e);
    } else if (strcmp(name, "reasons") == 0) {
        rc = crm_care_parse_reasons(text, &o->care.reasons, e);
    } else if (strcmp(name, "vip-remind") == 0) {
        if ((rc = parse_number(name, text, 1, CRM_CARE_YEAR - 1, 1, &v, e)) == CRM_OK)
            o->care.vip_remind = (int32_t)v;
    } else if (strcmp(name, "period") == 0) {
        rc = crm_kpi_period_option(text, &o->period, e);
    } else if (strcmp(name, "holdout") == 0) {
        rc = parse_number(name, text, 0, 1, 0, &o->holdout, e);
    } else if (strcmp(name, "salt") == 0) {
        o->salt = text;
    } else {
        return crm_errinfo_set(e, CRM_EUSAGE, "--%s: unknown crm-segment option", name);
    }
    return rc;
}

enum crm_err crm_segrep_opts_finish(struct crm_segrep_opts *o, struct crm_errinfo *e)
{
    if (o->summary + o->care_list + o->kpi_table > 1)
        return crm_errinfo_set(e, CRM_EUSAGE, "--summary, --care and --kpi are separate "
                               "reports; give one");
    if ((o->holdout > 0 || o->salt) && !o->care_list)
        return crm_errinfo_set(e, CRM_EUSAGE, "--holdout and --salt split the care list: add "
                               "--care (or use crm-campaign split on another list)");
    if (o->care_list && (o->holdout > 0 || o->salt) &&
        (!o->salt || !*o->salt || !(o->holdout > 0 && o->holdout < 1)))
        return crm_errinfo_set(e, CRM_EUSAGE, "--care needs both --holdout F (0 < F < 1) and "
                               "--salt NAME to draw a control group, e.g. --holdout 0.1 "
                               "--salt care-2024-06-01");
    o->report = o->care_list ? CRM_SEGREP_CARE : o->kpi_table ? CRM_SEGREP_KPI
              : o->summary ? CRM_SEGREP_SUMMARY : CRM_SEGREP_CUSTOMERS;
    return CRM_OK;
}

/* The pass riding along the aggregate: the care list's or the KPI periods'. */
static enum crm_err start_pass(struct crm_store *s, const struct crm_segrep_opts *o,
                               struct crm_agg_opts *ao, struct crm_segrep *r,
                               struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    if (o->report == CRM_SEGREP_CARE) {
        int64_t t;   /* the VIP pass reads the store again: hold a pipe in memory */
        struct crm_care_opts co = o->care;
        co.on = ao->as_of;
        if (co.reasons & (1u << CRM_CARE_VIP_EXPIRING | 1u << CRM_CARE_REPLENISH))
            rc = crm_store_max_time(s, &t, e);
        if (rc == CRM_OK)
            rc = crm_care_new(&co, &r->care, e);
        ao->visit = crm_care_visit;
        ao->visit_ctx = r->care;
    } else if (o->report == CRM_SEGREP_KPI) {
        rc = crm_kpi_new(o->period, o->window_days ? ao->as_of - o->window_days : CRM_NO_DAY,
                         ao->as_of, &r->kpi, e);
        ao->visit = crm_kpi_visit;
        ao->visit_ctx = r->kpi;
    }
    return rc;
}

enum crm_err crm_segrep_run(struct crm_store *s, const struct crm_segrep_opts *o,
                            struct crm_segrep *out, struct crm_errinfo *e)
{
    /* --summary --by class asks for classes alone: no quintile cuts, no items (VIP only) */
    const int classes_only = o->report == CRM_SEGREP_SUMMARY && o->by == CRM_SEGMENT_BY_CLASS;
    struct crm_agg_opts ao = {.as_of = o->as_of, .window_days = o->window_days, .history = 1,
                              .no_items = classes_only};
    struct crm_segment_opts so = o->so;
    so.classes_only = classes_only;
    memset(out, 0, sizeof *out);
    enum crm_err rc = start_pass(s, o, &ao, out, e);
    if (rc == CRM_OK)
        rc = crm_agg_run(s, &ao, &out->a, e);
    if (rc != CRM_OK) {
        crm_segrep_free(out);
        return rc;
    }
    out->scale = crm_store_meta(s)->money_scale;
    crm_store_customers(s, &out->info);
    if (o->report != CRM_SEGREP_KPI)   /* the KPIs need no classes */
        rc = crm_segment_new(&so, &o->ro, out->a, out->info, o->rules, out->scale, &out->seg,
                             e);
    for (int d = 0; d < 3 && rc == CRM_OK && out->seg && o->cuts; d++)
        crm_segment_set_cuts(out->seg, "rfm"[d], &o->cuts[d]);
    if (rc == CRM_OK && o->report == CRM_SEGREP_KPI)
        rc = crm_kpi_finish(out->kpi, out->a, e);
    if (rc == CRM_OK && o->report == CRM_SEGREP_CARE)
        rc = crm_care_finish(out->care, s, out->a, out->seg, out->info, e);
    if (rc == CRM_OK && o->report == CRM_SEGREP_SUMMARY)
        rc = crm_segment_summarize(out->seg, o->by, &out->sum, e);
    if (rc != CRM_OK)
        crm_segrep_free(out);
    return rc;
}

void crm_segrep_free(struct crm_segrep *r)
{
    if (!r)
        return;
    crm_segment_summary_free(r->sum);
    crm_care_free(r->care);
    crm_kpi_free(r->kpi);
    crm_segment_free(r->seg);
    crm_agg_free(r->a);
    memset(r, 0, sizeof *r);
}

/* ---- tables ------------------------------------------------------------------------------ */

void crm_segrep_write_summary(struct crm_out *o, const struct crm_segment_summary *sum,
                              enum crm_segment_by by, int scale)
{
    crm_out_header(o, by == CRM_SEGMENT_BY_CLASS ? "class,customers,share,revenue,"
                      "revenue_share,avg_order_value"
                      : by == CRM_SEGMENT_BY_VIP ? "vip,customers,share,revenue,revenue_share,"
                      "avg_order_value" : "segment,customers,share,revenue,revenue_share,"
                      "avg_order_value");
    for (size_t k = 0; k < sum->n; k++) {
        const struct crm_segment_group *g = &sum->group[k];
        crm_out_cstr(o, g->name);
        crm_out_int(o, (long long)g->customers);
        crm_out_fixed(o, g->share, 7);
        crm_out_money(o, g->revenue, scale);
        crm_out_fixed(o, g->revenue_share, 7);
        if (g->has_avg)
            crm_out_money(o, g->avg_order_value, scale);
        else
            crm_out_empty(o);
        crm_out_end_row(o);
    }
}

struct rows_ctx {
    const struct crm_store *s;
    const struct crm_segment *seg;
    int quintile, scale;
};

/* One customer's row (called from two threads: reads only). */
static void customer_row(struct crm_out *o, size_t k, void *ctx)
{
    const struct rows_ctx *x = ctx;
    struct crm_segment_row row;
    crm_segment_customer(x->seg, (uint32_t)k, &row);
    if (row.cls == CRM_CLASS_NONE)
        return;
    const struct crm_rfm_row *r = x->quintile ? &row.quint : &row.seed;
    size_t len;
    const char *id = crm_store_customer_id(x->s, (uint32_t)k, &len);
    crm_out_str(o, id, len);
    crm_out_cstr(o, crm_class_name(row.cls));
    crm_out_cstr(o, row.vip ? "yes" : "no");
    crm_out_cstr(o, crm_segment_name(x->seg, row.segment));
    if (r->scored) {
        crm_out_int(o, r->r);
        crm_out_int(o, r->f);
        crm_out_int(o, r->m);
        crm_out_int(o, r->score);
        crm_out_int(o, r->recency_days);
    } else {
        for (int i = 0; i < 5; i++)
            crm_out_empty(o);
    }
    crm_out_int(o, r->frequency);
    crm_out_money(o, r->monetary_total, x->scale);
    crm_out_end_row(o);
}

enum crm_err crm_segrep_write_customers(struct crm_out *o, const struct crm_store *s,
                                        const struct crm_segrep *r, int quintile,
                                        struct crm_errinfo *e)
{
    crm_out_header(o, "customer_id,class,vip,segment,r,f,m,score,recency_days,frequency,"
                      "monetary_total");
    struct rows_ctx x = {s, r->seg, quintile, r->scale};
    return crm_outrows_write(o, r->a->n, customer_row, &x, e);
}

void crm_segrep_write_care(struct crm_out *o, const struct crm_store *s,
                           const struct crm_care *k, int scale, double holdout,
                           const char *salt)
{
    crm_out_header(o, salt ? "customer_id,reason,due_date,class,tier,last_order,detail,group"
                           : "customer_id,reason,due_date,class,tier,last_order,detail");
    for (size_t i = 0; i < crm_care_count(k) && !crm_out_failed(o); i++) {
        const struct crm_care_item *it = crm_care_item(k, i);
        char detail[160];
        size_t len, dl = crm_care_detail(it, scale, detail, sizeof detail);
        const char *id = crm_store_customer_id(s, it->customer, &len);
        crm_out_str(o, id, len);
        crm_out_cstr(o, crm_care_reason_name(it->reason));
        crm_out_date(o, it->due);
        crm_out_cstr(o, crm_class_name(it->cls));
        crm_out_str(o, &it->tier, it->tier ? 1 : 0);
        if (it->last_order != CRM_NO_DAY)
            crm_out_date(o, it->last_order);
        else
            crm_out_empty(o);
        crm_out_str(o, detail, dl);
        if (salt)
            crm_out_cstr(o, crm_campaign_group_name(crm_campaign_assign(salt, strlen(salt), id,
                                                                        len, holdout)));
        crm_out_end_row(o);
    }
}

void crm_segrep_write_kpi(struct crm_out *o, const struct crm_kpi *k, int scale)
{
    crm_out_header(o, "period,start,end,orders,paying_customers,new_customers,"
                      "returning_customers,repeat_rate,revenue,avg_order_value,"
                      "orders_per_customer,revenue_growth,customer_growth,refund_rate");
    for (size_t i = 0; i < crm_kpi_count(k); i++) {
        struct crm_kpi_row r;
        crm_kpi_row(k, i, &r);
        crm_out_cstr(o, r.label);
        crm_out_date(o, r.start);
        crm_out_date(o, r.end);
        crm_out_int(o, (long long)r.orders);
        crm_out_int(o, (long long)r.paying);
        crm_out_int(o, (long long)r.new_customers);
        crm_out_int(o, (long long)r.returning);
        crm_out_fixed(o, r.repeat_rate, 7);
        crm_out_money(o, r.revenue, scale);
        if (r.has_avg)
            crm_out_money(o, r.avg_order_value, scale);
        else
            crm_out_empty(o);
        crm_out_fixed(o, r.orders_per_customer, 7);
        crm_out_fixed(o, r.revenue_growth, 7);
        crm_out_fixed(o, r.customer_growth, 7);
        crm_out_fixed(o, r.refund_rate, 7);
        crm_out_end_row(o);
    }
}

const char *crm_segrep_sheet(enum crm_segment_report report)
{
    switch (report) {
    case CRM_SEGREP_CARE: return "care";
    case CRM_SEGREP_KPI: return "kpi";
    case CRM_SEGREP_SUMMARY: return "segment-summary";
    case CRM_SEGREP_CUSTOMERS:
    default: return NULL;
    }
}

enum crm_err crm_segrep_write(struct crm_out *out, const struct crm_store *s,
                              const struct crm_segrep_opts *o, const struct crm_segrep *r,
                              struct crm_errinfo *e)
{
    switch (o->report) {
    case CRM_SEGREP_CARE:
        crm_segrep_write_care(out, s, r->care, r->scale, o->holdout, o->salt);
        return CRM_OK;
    case CRM_SEGREP_KPI:
        crm_segrep_write_kpi(out, r->kpi, r->scale);
        return CRM_OK;
    case CRM_SEGREP_SUMMARY:
        crm_segrep_write_summary(out, r->sum, o->by, r->scale);
        return CRM_OK;
    case CRM_SEGREP_CUSTOMERS:
    default:
        return crm_segrep_write_customers(out, s, r, o->ro.scheme == CRM_RFM_QUINTILE, e);
    }
}
