/* forecast: crm-churn --forecast week:N | month:N | quarter:N (SPEC §14) — expected purchases
 * and expected value per customer and future period, for budgets. Invariant: a customer's
 * periods add up to the expected purchases over the whole forecast window (the increments of
 * one cumulative curve), and rows depend only on the customer and the parameters. */
#include "model/churn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "text/outrows.h"
#include "text/timeparse.h"

#define DECIMALS 7

struct forecast {
    const struct crm_churn_report *r;
    int n;
    int32_t *start, *end;   /* days of each period, inclusive */
    double *inc;            /* per triple, n increments */
    double *disc;           /* per period: the discount factor */
};

/* The first day of period i (0-based) after `first`: weeks, months or quarters. */
static int32_t period_start(int32_t first, enum crm_churn_period unit, int i)
{
    if (unit == CRM_CHURN_WEEK)
        return first + 7 * i;
    int y;
    unsigned m, d;
    crm_civil_from_days(first, &y, &m, &d);
    long months = (long)(m - 1) + (long)i * (unit == CRM_CHURN_QUARTER ? 3 : 1);
    int yy = y + (int)(months / 12);
    unsigned mm = (unsigned)(months % 12) + 1, dim = (unsigned)crm_days_in_month(yy, mm);
    return crm_days_from_civil(yy, mm, d < dim ? d : dim);
}

static void forecast_row(struct crm_out *o, size_t i, void *ctx)
{
    const struct forecast *f = ctx;
    const struct crm_churn_report *r = f->r;
    struct crm_churn_row m;
    if (!crm_churn_row(r->model, r->summaries, (uint32_t)i, &m))
        return;
    size_t len;
    const char *id = crm_store_customer_id(r->store, (uint32_t)i, &len);
    const double *inc = &f->inc[(size_t)r->model->map[i] * (size_t)f->n];
    double value = m.has_value ? (double)m.value_minor : NAN;
    for (int p = 0; p < f->n; p++) {
        crm_out_str(o, id, len);
        crm_out_int(o, p + 1);
        crm_out_date(o, f->start[p]);
        crm_out_date(o, f->end[p]);
        crm_out_fixed(o, inc[p], DECIMALS);
        if (m.has_value)
            crm_out_money(o, llround(value * inc[p] * f->disc[p]), r->money_scale);
        else
            crm_out_empty(o);
        crm_out_end_row(o);
    }
}

enum crm_err crm_churn_forecast_write(struct crm_out *o, const struct crm_churn_report *r,
                                      const struct crm_churn_forecast_opts *fo,
                                      struct crm_errinfo *e)
{
    const struct crm_churn *c = r->model;
    if (!c || fo->periods < 1 || fo->periods > 1000)
        return crm_errinfo_set(e, CRM_EUSAGE, "forecast: needs a model and 1 to 1000 periods");
    struct forecast f = {r, fo->periods, NULL, NULL, NULL, NULL};
    size_t n = (size_t)fo->periods, nt = c->triples ? c->triples : 1;
    f.start = malloc(n * sizeof *f.start);
    f.end = malloc(n * sizeof *f.end);
    f.disc = malloc(n * sizeof *f.disc);
    f.inc = malloc(nt * n * sizeof *f.inc);
    enum crm_err rc = CRM_OK;
    if (!f.start || !f.end || !f.disc || !f.inc) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the forecast");
        goto done;
    }
    int32_t cal_end = r->summaries->end;
    for (int p = 0; p < fo->periods; p++) {
        f.start[p] = period_start(cal_end + 1, fo->unit, p);
        f.end[p] = period_start(cal_end + 1, fo->unit, p + 1) - 1;
        f.disc[p] = pow(1.0 + fo->annual_discount, -(double)(f.end[p] - cal_end) / 365.25);
    }
    for (size_t i = 0; i < c->triples && rc == CRM_OK; i++) {
        const struct crm_btyd_obs *t = &c->tri[i];
        double before = 0.0, upto;
        for (size_t p = 0; p < n && rc == CRM_OK; p++) {
            rc = crm_btyd_expected(&c->params.bg, t->x, t->t_x, t->T,
                                   (f.end[p] - cal_end) / c->days_per_unit, &upto, e);
            f.inc[i * n + p] = upto - before;
            before = upto;
        }
    }
    if (rc == CRM_OK) {
        crm_out_header(o, "customer_id,period,period_start,period_end,expected_purchases,"
                          "expected_value");
        rc = crm_outrows_write(o, r->summaries->n, forecast_row, &f, e);
    }
done:
    free(f.start);
    free(f.end);
    free(f.disc);
    free(f.inc);
    return rc;
}
