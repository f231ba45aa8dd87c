/* compare: crm-churn --compare and --model best (SPEC §14) — the three transaction models
 * fitted on the same summaries, with information criteria and, when there is a holdout, the
 * holdout errors that decide which model scores the customers. Invariant: every model sees
 * the same customers and options; the choice is deterministic (ties go to the earlier model
 * in the order bgnbd, mbgnbd, pnbd). */
#include "model/churn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DECIMALS 7

static const enum crm_btyd_model MODELS[CRM_CHURN_MODELS] = {CRM_BTYD_BGNBD, CRM_BTYD_MBGNBD,
                                                             CRM_BTYD_PNBD};

static void fill(struct crm_churn_compare_row *r, const struct crm_churn *c)
{
    const double k = 4.0;
    r->ok = 1;
    r->params = c->params.bg;
    r->loglik = c->bg_fit.loglik;
    r->customers = c->customers;
    r->aic = 2.0 * k - 2.0 * r->loglik;
    r->bic = k * log(r->customers) - 2.0 * r->loglik;
    r->holdout = c->holdout_days > 0;
    if (r->holdout) {
        const struct crm_churn_group *g = &c->group[CRM_CHURN_GROUPS - 1];
        r->mae = g->abs_err / g->customers;
        r->rmse = sqrt(g->sq_err / g->customers);
        r->total_predicted = g->predicted;
        r->total_actual = g->actual;
    }
}

enum crm_err crm_churn_compare(const struct crm_btsum *b, const struct crm_churn_opts *o,
                               struct crm_churn_compare *out, struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    out->best = -1;
    char first[sizeof ((struct crm_errinfo *)0)->msg] = "";
    for (int i = 0; i < CRM_CHURN_MODELS; i++) {
        struct crm_churn_opts m = *o;
        struct crm_churn *c;
        struct crm_errinfo why;
        crm_errinfo_clear(&why);
        m.model = MODELS[i];
        m.params = NULL;
        out->row[i].model = MODELS[i];
        enum crm_err rc = crm_churn_model(b, &m, &c, &why);
        if (rc == CRM_ENOMEM)
            return crm_errinfo_set(e, rc, "%s", why.msg);
        if (rc != CRM_OK) {
            snprintf(out->row[i].why, sizeof out->row[i].why, "%s", why.msg);
            if (!first[0])
                snprintf(first, sizeof first, "%s", why.msg);
            continue;
        }
        fill(&out->row[i], c);
        crm_churn_free(c);
        const struct crm_churn_compare_row *r = &out->row[i], *best =
            out->best >= 0 ? &out->row[out->best] : NULL;
        if (!best || (r->holdout ? r->mae < best->mae : r->bic < best->bic))
            out->best = i;
    }
    if (out->best < 0)
        return crm_errinfo_set(e, CRM_EMODEL, "no model could be fitted (bgnbd: %s)", first);
    return CRM_OK;
}

void crm_churn_compare_write(const struct crm_churn_compare *c, struct crm_out *o)
{
    int holdout = c->best >= 0 && c->row[c->best].holdout;
    crm_out_header(o, holdout ? "model,status,r,alpha,a,b,s,beta,loglik,aic,bic,customers,mae,"
                                "rmse,total_predicted,total_actual,best"
                              : "model,status,r,alpha,a,b,s,beta,loglik,aic,bic,customers,best");
    for (int i = 0; i < CRM_CHURN_MODELS; i++) {
        const struct crm_churn_compare_row *r = &c->row[i];
        int pn = r->model == CRM_BTYD_PNBD, cols = holdout ? 14 : 10;
        crm_out_cstr(o, crm_btyd_model_name(r->model));
        crm_out_cstr(o, r->ok ? "ok" : r->why);
        if (!r->ok) {
            for (int j = 0; j < cols; j++)
                crm_out_empty(o);
            crm_out_empty(o);
            crm_out_end_row(o);
            continue;
        }
        crm_out_fixed(o, r->params.r, DECIMALS);
        crm_out_fixed(o, r->params.alpha, DECIMALS);
        crm_out_fixed(o, pn ? NAN : r->params.a, DECIMALS);
        crm_out_fixed(o, pn ? NAN : r->params.b, DECIMALS);
        crm_out_fixed(o, pn ? r->params.a : NAN, DECIMALS);
        crm_out_fixed(o, pn ? r->params.b : NAN, DECIMALS);
        crm_out_fixed(o, r->loglik, DECIMALS);
        crm_out_fixed(o, r->aic, DECIMALS);
        crm_out_fixed(o, r->bic, DECIMALS);
        crm_out_int(o, (long long)r->customers);
        if (holdout) {
            crm_out_fixed(o, r->mae, DECIMALS);
            crm_out_fixed(o, r->rmse, DECIMALS);
            crm_out_fixed(o, r->total_predicted, DECIMALS);
            crm_out_int(o, (long long)r->total_actual);
        }
        crm_out_cstr(o, i == c->best ? "yes" : "");
        crm_out_end_row(o);
    }
}
