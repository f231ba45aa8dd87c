/* churn: crm-churn's models, rules, holdout report, tracking series and parameter files
 * (see churn.h). Money enters the Gamma-Gamma model in currency units (minor units /
 * 10^scale), so γ reads like the published CDNOW figure (15.44 dollars), and leaves it
 * rounded to the minor unit. */
#include "model/churn.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart/chart.h"
#include "text/csvin.h"
#include "text/outrows.h"
#include "base/radix.h"
#include "base/thread.h"
#include "store/store.h"
#include "text/timeparse.h"

#define DECIMALS 7

const char *crm_churn_risk_name(enum crm_churn_risk r)
{
    return r == CRM_CHURN_HIGH ? "high" : r == CRM_CHURN_MEDIUM ? "medium" : "low";
}

/* ---- parameter files ---- */

static void put_param(struct crm_out *o, const char *model, const char *name, double v,
                      double se)
{
    crm_out_cstr(o, model);
    crm_out_cstr(o, name);
    crm_out_fixed(o, v, DECIMALS);
    crm_out_fixed(o, se, DECIMALS); /* NaN: empty */
    crm_out_end_row(o);
}

void crm_churn_params_write(struct crm_out *o, const struct crm_churn_params *p)
{
    const char *m = crm_btyd_model_name(p->bg.model);
    const double *v = &p->bg.r;
    crm_out_header(o, "model,parameter,value,std_error");
    for (int i = 0; i < 4; i++)
        put_param(o, m, crm_btyd_param_name(p->bg.model, i), v[i], p->bg_se[i]);
    if (isfinite(p->bg_loglik))
        put_param(o, m, "loglik", p->bg_loglik, NAN);
    if (p->unit_days > 0)
        put_param(o, m, "unit_days", p->unit_days, NAN);
    if (!p->has_gg)
        return;
    put_param(o, "gammagamma", "p", p->gg.p, p->gg_se[0]);
    put_param(o, "gammagamma", "q", p->gg.q, p->gg_se[1]);
    put_param(o, "gammagamma", "gamma", p->gg.gamma, p->gg_se[2]);
    if (isfinite(p->gg_loglik))
        put_param(o, "gammagamma", "loglik", p->gg_loglik, NAN);
}

static double round_fixed(double v)
{
    char buf[64];
    if (!isfinite(v))
        return v;
    crm_fmt_fixed(v, DECIMALS, buf);
    return strtod(buf, NULL);
}

void crm_churn_params_round(struct crm_churn_params *p)
{
    double *bg[4] = {&p->bg.r, &p->bg.alpha, &p->bg.a, &p->bg.b};
    for (int i = 0; i < 4; i++) {
        *bg[i] = round_fixed(*bg[i]);
        p->bg_se[i] = round_fixed(p->bg_se[i]);
    }
    for (int i = 0; i < 3; i++)
        p->gg_se[i] = round_fixed(p->gg_se[i]);
    p->bg_loglik = round_fixed(p->bg_loglik);
    p->gg.p = round_fixed(p->gg.p);
    p->gg.q = round_fixed(p->gg.q);
    p->gg.gamma = round_fixed(p->gg.gamma);
    p->gg_loglik = round_fixed(p->gg_loglik);
}

static const char *const PARAM_NAMES[3][6] = {{"r", "alpha", "a", "b", "loglik", "unit_days"},
                                              {"p", "q", "gamma", "loglik", NULL, NULL},
                                              {"r", "alpha", "s", "beta", "loglik", "unit_days"}};

static int model_of(const char *name)
{
    return strcmp(name, "bgnbd") == 0    ? CRM_BTYD_BGNBD
           : strcmp(name, "mbgnbd") == 0 ? CRM_BTYD_MBGNBD
           : strcmp(name, "pnbd") == 0   ? CRM_BTYD_PNBD
                                         : -1;
}

/* One data row into p; seen[] marks what was set (bit per parameter, per block). */
static enum crm_err params_row(const struct crm_record *r, struct crm_churn_params *p,
                               unsigned seen[2], int *bg_model, struct crm_errinfo *e)
{
    if (r->nfields != 3 && r->nfields != 4)
        return crm_errinfo_set(e, CRM_EUSAGE, "expected 3 or 4 fields "
                               "(model,parameter,value[,std_error]), got %zu", r->nfields);
    const char *model = r->field[0], *name = r->field[1], *text = r->field[2];
    int block, m = model_of(model);
    if (m >= 0) {
        if (*bg_model >= 0 && *bg_model != m)
            return crm_errinfo_set(e, CRM_EUSAGE, "rows of both %s and %s: one transaction "
                                   "model per file", crm_btyd_model_name(*bg_model), model);
        *bg_model = m;
        block = 0;
    } else if (strcmp(model, "gammagamma") == 0) {
        block = 1;
    } else {
        return crm_errinfo_set(e, CRM_EUSAGE, "unknown model \"%s\" (bgnbd, mbgnbd, pnbd, "
                               "gammagamma)", model);
    }
    int which = -1, names = block == 0 && m == CRM_BTYD_PNBD ? 2 : block;
    for (int i = 0; i < 6 && PARAM_NAMES[names][i]; i++)
        if (strcmp(name, PARAM_NAMES[names][i]) == 0)
            which = i;
    if (which < 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "unknown %s parameter \"%s\"", model, name);
    if (seen[block] & (1u << which))
        return crm_errinfo_set(e, CRM_EUSAGE, "%s %s given twice", model, name);
    seen[block] |= 1u << which;
    char *end;
    double v = strtod(text, &end);
    int loglik = strcmp(name, "loglik") == 0;
    if (end == text || *end || !isfinite(v) || (!loglik && !(v > 0)))
        return crm_errinfo_set(e, CRM_EUSAGE, "%s %s: \"%s\" is not a %s number", model, name,
                               text, loglik ? "finite" : "positive");
    double *slot[2][4] = {{&p->bg.r, &p->bg.alpha, &p->bg.a, &p->bg.b},
                          {&p->gg.p, &p->gg.q, &p->gg.gamma, &p->gg_loglik}};
    if (r->nfields == 4 && r->field[3][0]) {
        double se = strtod(r->field[3], &end);
        if (*end || !(se >= 0) || !isfinite(se) || which >= (block == 0 ? 4 : 3))
            return crm_errinfo_set(e, CRM_EUSAGE, "%s %s: std_error \"%s\" is not a number "
                                   ">= 0 of a parameter", model, name, r->field[3]);
        *(block == 0 ? &p->bg_se[which] : &p->gg_se[which]) = se;
    }
    if (block == 0 && which == 4)
        p->bg_loglik = v;
    else if (block == 0 && which == 5)
        p->unit_days = v;
    else
        *slot[block][which] = v;
    return CRM_OK;
}

enum crm_err crm_churn_params_read(const char *path, struct crm_churn_params *p,
                                   struct crm_errinfo *e)
{
    memset(p, 0, sizeof *p);
    p->bg_loglik = p->gg_loglik = NAN;
    for (int i = 0; i < 4; i++)
        p->bg_se[i] = NAN;
    for (int i = 0; i < 3; i++)
        p->gg_se[i] = NAN;
    struct crm_csvin *in;
    struct crm_csvin_opts co = {.encoding = "utf-8"};
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_record r;
    unsigned seen[2] = {0, 0};
    int bg_model = -1;
    long long line = 0;
    rc = crm_csvin_next(in, &r, e);
    if (rc == CRM_OK && ((r.nfields != 3 && r.nfields != 4) || strcmp(r.field[0], "model") != 0 ||
                         strcmp(r.field[1], "parameter") != 0 || strcmp(r.field[2], "value") != 0 ||
                         (r.nfields == 4 && strcmp(r.field[3], "std_error") != 0)))
        rc = crm_errinfo_set(e, CRM_EUSAGE, "expected the header model,parameter,value or "
                             "model,parameter,value,std_error");
    line = r.line;
    while (rc == CRM_OK && (rc = crm_csvin_next(in, &r, e)) == CRM_OK && r.nfields > 0) {
        line = r.line;
        rc = params_row(&r, p, seen, &bg_model, e);
    }
    if (rc == CRM_OK) {
        line = -1;
        if (bg_model < 0 || (seen[0] & 15u) != 15u)
            rc = crm_errinfo_set(e, CRM_EUSAGE, "needs the rows r, alpha, a and b of bgnbd or "
                                 "mbgnbd, or r, alpha, s and beta of pnbd");
        else if (seen[1] && (seen[1] & 7u) != 7u)
            rc = crm_errinfo_set(e, CRM_EUSAGE, "gammagamma needs all of p, q and gamma");
        else if ((seen[0] & 32u) && p->unit_days != 7 && p->unit_days != 1)
            rc = crm_errinfo_set(e, CRM_EUSAGE, "unit_days = %g: expected 7 (weeks) or 1 (days)",
                                 p->unit_days);
        else if (seen[1] && !(p->gg.q > 1))
            rc = crm_errinfo_set(e, CRM_EUSAGE, "gammagamma q = %g <= 1: no finite mean spend",
                                 p->gg.q);
    }
    if (rc != CRM_OK) {
        if (rc == CRM_EUSAGE || rc == CRM_EDATA)
            crm_errinfo_where(e, path, line, -1, -1);
        rc = rc == CRM_EDATA ? CRM_EUSAGE : rc;
        e->code = rc;
    }
    crm_csvin_close(in);
    if (rc == CRM_OK) {
        p->bg.model = (enum crm_btyd_model)bg_model;
        p->has_gg = seen[1] != 0;
        if (!(seen[1] & 8u))
            p->gg_loglik = NAN;
    }
    return rc;
}

/* ---- the model ---- */

void crm_churn_free(struct crm_churn *c)
{
    if (!c)
        return;
    free(c->tri);
    free(c->score);
    free(c->holdout_expected);
    free(c->map);
    free(c->tri_iv);
    free(c->clv_iv);
    free(c);
}

/* (x, t_x, T) of the modelled customers in unit time, grouped into weighted triples as they
 * are read (no array of one summary a customer); c->map gets each customer's triple. */
static enum crm_err build_triples(struct crm_churn *c, const struct crm_btsum *b,
                                  struct crm_errinfo *e)
{
    struct crm_keygroup g;
    uint32_t *rank = NULL;
    c->map = malloc(((size_t)b->n ? b->n : 1) * sizeof *c->map);
    if (crm_keygroup_init(&g, 3) != 0 || !c->map)
        goto nomem;
    double u = c->days_per_unit;
    uint32_t pos = 0;
    for (uint32_t k = 0; k < b->n;) {   /* a batch of customers at a time */
        double key[3 * CRM_KEYGROUP_BATCH];
        uint32_t who[CRM_KEYGROUP_BATCH], grp[CRM_KEYGROUP_BATCH], m = 0;
        for (; k < b->n && m < CRM_KEYGROUP_BATCH; k++) {
            const struct crm_btsum_cust *s = &b->cust[k];
            c->map[k] = UINT32_MAX;
            if (!crm_btsum_has(s))
                continue;
            key[3 * m] = (double)crm_btsum_x(s);             /* x, T, t_x */
            key[3 * m + 1] = (b->end - s->first) / u;
            key[3 * m + 2] = (s->last - s->first) / u;
            who[m++] = k;
        }
        if (crm_keygroup_add_many(&g, key, NULL, m, grp) != 0)
            goto nomem;
        for (uint32_t i = 0; i < m; i++)
            c->map[who[i]] = grp[i];
        pos += m;
    }
    if (!(rank = malloc((g.n ? g.n : 1) * sizeof *rank)))
        goto nomem;
    enum crm_err rc = crm_btyd_from_groups(&g, &c->tri, &c->triples, rank, e);
    for (uint32_t k = 0; rc == CRM_OK && k < b->n; k++)
        if (c->map[k] != UINT32_MAX)
            c->map[k] = rank[c->map[k]];
    c->customers = pos;
    free(rank);
    crm_keygroup_free(&g);
    return rc;
nomem:
    crm_keygroup_free(&g);
    return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %u customer summaries",
                           b->customers);
}

/* Gamma-Gamma on m spend summaries (x, mean spend of the repeat purchases in currency units,
 * weight), distinct and sorted by x then mean spend: so that the fit (its floating-point
 * sums) depends neither on the order of the customers in the store nor on how they were
 * split into partitions. */
static enum crm_err fit_spend_sorted(struct crm_churn *c, const struct crm_btyd_spend *s,
                                     size_t m, struct crm_errinfo *e)
{
    if (m == 0)
        return CRM_OK;
    enum crm_err rc = crm_btyd_gg_fit(s, m, &c->gg_fit, e);
    if (rc == CRM_OK) {
        c->params.has_gg = 1;
        c->params.gg = c->gg_fit.params;
        c->params.gg_loglik = c->gg_fit.loglik;
        memcpy(c->params.gg_se, c->gg_fit.se, sizeof c->params.gg_se);
    }
    return rc;
}

/* Gamma-Gamma on n weighted summaries (x, mean spend), in any order: equal ones joined (their
 * weights summed in the order given) and sorted first. */
static enum crm_err fit_spend_obs(struct crm_churn *c, const struct crm_btyd_spend *s, size_t n,
                                  struct crm_errinfo *e)
{
    struct crm_keygroup g;
    int bad = crm_keygroup_init(&g, 2);
    for (size_t i = 0; !bad && i < n; i++) {
        const double key[2] = {s[i].x, s[i].mean_spend};
        bad = crm_keygroup_add(&g, key, s[i].weight) == UINT32_MAX;
    }
    size_t m = g.n;
    size_t *order = bad ? NULL : malloc((m ? m : 1) * sizeof *order);
    struct crm_btyd_spend *d = bad ? NULL : malloc((m ? m : 1) * sizeof *d);
    enum crm_err rc = CRM_ENOMEM;
    if (order && d && crm_keygroup_order(&g, order) == 0) {
        for (size_t k = 0; k < m; k++) {
            const double *key = crm_keygroup_key(&g, order[k]);
            d[k] = (struct crm_btyd_spend){key[0], key[1], g.weight[order[k]]};
        }
        rc = CRM_OK;
    }
    crm_keygroup_free(&g);
    free(order);
    if (rc == CRM_OK)
        rc = fit_spend_sorted(c, d, m, e);
    else
        crm_errinfo_set(e, rc, "out of memory for %zu spend summaries", n);
    free(d);
    return rc;
}

/* The repeat customers' (x, mean spend) as radix pairs: key the mean's bits (a positive
 * double's bits sort as the number does), idx x. *n gets how many; c counts the ones
 * left out for spending nothing. */
static void spend_pairs(struct crm_churn *c, const struct crm_btsum *b,
                        struct crm_radix_pair *p, size_t *n)
{
    size_t m = 0;
    for (uint32_t k = 0; k < b->n; k++) {
        const struct crm_btsum_cust *u = &b->cust[k];
        uint32_t x = crm_btsum_has(u) ? crm_btsum_x(u) : 0;
        if (x == 0)
            continue;
        int64_t money = crm_btsum_repeat_money(u);
        if (money <= 0) {
            c->gg_zero_spend++;
            continue;
        }
        double mean = (double)money / c->minor_per_unit / x;
        memcpy(&p[m].key, &mean, sizeof mean);
        p[m++].idx = x;
    }
    *n = m;
}

/* Gamma-Gamma on repeat customers with positive spend: mean spend of the repeat purchases
 * (FH13: the first purchase excluded) in currency units. Sorted by mean spend, then stably
 * by x, equal neighbours joined: 32 bytes a repeat customer while sorting, no more. */
static enum crm_err fit_spend(struct crm_churn *c, const struct crm_btsum *b,
                              struct crm_errinfo *e)
{
    size_t cap = b->customers ? b->customers : 1, n, m = 0;
    struct crm_radix_pair *p = malloc(cap * sizeof *p), *q = malloc(cap * sizeof *q), *r;
    struct crm_btyd_spend *s = NULL;
    if (p && q) {
        spend_pairs(c, b, p, &n);
        r = crm_radix_pairs(p, q, n, 0, 0);
        r = crm_radix_pairs(r, r == p ? q : p, n, 1, 0);
        for (size_t i = 0; i < n; i++)
            m += i == 0 || r[i].key != r[i - 1].key || r[i].idx != r[i - 1].idx;
        s = malloc((m ? m : 1) * sizeof *s);
    }
    if (!s) {
        free(p);
        free(q);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu spend summaries", cap);
    }
    c->gg_customers = (uint32_t)n;
    for (size_t i = 0, k = 0; i < n; i++) {
        if (i > 0 && r[i].key == r[i - 1].key && r[i].idx == r[i - 1].idx) {
            s[k - 1].weight += 1.0;
            continue;
        }
        double mean;
        memcpy(&mean, &r[i].key, sizeof mean);
        s[k++] = (struct crm_btyd_spend){(double)r[i].idx, mean, 1.0};
    }
    free(p);
    free(q);
    enum crm_err rc = fit_spend_sorted(c, s, m, e);
    free(s);
    return rc;
}

/* The holdout comparison, grouped by calibration frequency. */
static void holdout_groups(struct crm_churn *c, const struct crm_btsum *b)
{
    for (uint32_t k = 0; k < b->n; k++) {
        if (c->map[k] == UINT32_MAX)
            continue;
        const struct crm_btsum_cust *s = &b->cust[k];
        double pred = c->holdout_expected[c->map[k]], act = s->holdout_days;
        uint32_t x = crm_btsum_x(s);
        struct crm_churn_group *g[2] = {&c->group[x < 7 ? x : 7], &c->group[8]};
        for (int i = 0; i < 2; i++) {
            g[i]->customers += 1;
            g[i]->actual += act;
            g[i]->predicted += pred;
            g[i]->abs_err += fabs(pred - act);
            g[i]->sq_err += (pred - act) * (pred - act);
        }
    }
}

static enum crm_err score_all(struct crm_churn *c, const struct crm_btsum *b,
                              const struct crm_churn_opts *o, struct crm_errinfo *e)
{
    double u = c->days_per_unit;
    struct crm_btyd_horizon hz = {o->horizon_days / u, o->annual_discount, u};
    c->score = malloc((c->triples ? c->triples : 1) * sizeof *c->score);
    if (!c->score)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    enum crm_err rc = crm_btyd_score(&c->params.bg, c->tri, c->triples, &hz, c->score, e);
    if (rc != CRM_OK || c->holdout_days == 0)
        return rc;
    c->holdout_expected = malloc((c->triples ? c->triples : 1) * sizeof *c->holdout_expected);
    if (!c->holdout_expected)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (c->holdout_days == o->horizon_days) {
        for (size_t i = 0; i < c->triples; i++)
            c->holdout_expected[i] = c->score[i].expected;
    } else {
        struct crm_btyd_horizon hh = {c->holdout_days / u, 0.0, u};
        struct crm_btyd_score *tmp = malloc((c->triples ? c->triples : 1) * sizeof *tmp);
        if (!tmp)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        rc = crm_btyd_score(&c->params.bg, c->tri, c->triples, &hh, tmp, e);
        for (size_t i = 0; rc == CRM_OK && i < c->triples; i++)
            c->holdout_expected[i] = tmp[i].expected;
        free(tmp);
    }
    if (rc == CRM_OK)
        holdout_groups(c, b);
    return rc;
}

/* ---- intervals from parameter draws ---- */

/* The covariance of the log parameters: the fit's, or from a file's standard errors (no
 * correlations then). 0 when unknown. */
static int log_cov(const double *est, const double *se, const double *fit_cov, int fitted,
                   size_t dim, double *cov)
{
    if (fitted) {
        memcpy(cov, fit_cov, dim * dim * sizeof *cov);
        return 1;
    }
    memset(cov, 0, dim * dim * sizeof *cov);
    for (size_t i = 0; i < dim; i++) {
        if (!(se[i] > 0) || !isfinite(se[i]))
            return 0;
        cov[i * dim + i] = (se[i] / est[i]) * (se[i] / est[i]);
    }
    return 1;
}

struct draws {
    double bg[CRM_CHURN_DRAWS * 4], gg[CRM_CHURN_DRAWS * 3], pop[CRM_CHURN_DRAWS];
    double v[CRM_CHURN_DRAWS], disc[CRM_CHURN_DRAWS];
};

/* Triples are scored a block at a time under every draw, so that crm_btyd_score shares the
 * (x, T) parts between neighbours as it does for the point estimate. */
#define IV_BLOCK 1024

static enum crm_err draw_all(const struct crm_churn *c, struct draws *w, struct crm_errinfo *e)
{
    const struct crm_churn_params *p = &c->params;
    double cov[16];
    if (!log_cov(&p->bg.r, p->bg_se, c->bg_fit.cov, c->fitted, 4, cov))
        return crm_errinfo_set(e, CRM_EUSAGE, "--intervals needs the standard errors of the "
                               "parameters: fit the model here, or give --params a file with "
                               "the std_error column");
    if (!crm_btyd_draw(&p->bg.r, cov, 4, CRM_CHURN_DRAWS, CRM_CHURN_SEED, w->bg))
        return crm_errinfo_set(e, CRM_EMODEL, "--intervals: the covariance of the %s estimate "
                               "is not positive definite", crm_btyd_model_name(p->bg.model));
    if (!p->has_gg)
        return CRM_OK;
    if (!log_cov(&p->gg.p, p->gg_se, c->gg_fit.cov, c->fitted, 3, cov) ||
        !crm_btyd_draw(&p->gg.p, cov, 3, CRM_CHURN_DRAWS, CRM_CHURN_SEED + 1u, w->gg))
        return crm_errinfo_set(e, CRM_EMODEL, "--intervals needs the standard errors of the "
                               "gammagamma parameters (std_error column), positive definite");
    for (int d = 0; d < CRM_CHURN_DRAWS; d++) {
        struct crm_btyd_gg_params g = {w->gg[3 * d], w->gg[3 * d + 1], w->gg[3 * d + 2]};
        if (crm_btyd_gg_population_mean(&g, &w->pop[d], NULL) != CRM_OK)
            w->pop[d] = NAN; /* q <= 1 in this draw: no finite mean */
    }
    return CRM_OK;
}

/* The clv interval of customer k (triple disc[] filled) from the spend draws. */
static void clv_interval(struct crm_churn *c, const struct crm_btsum *b, uint32_t k,
                         struct draws *w, double q)
{
    const struct crm_btsum_cust *u = &b->cust[k];
    double x = c->tri[c->map[k]].x;
    int64_t money = crm_btsum_repeat_money(u);
    size_t n = 0;
    for (int d = 0; d < CRM_CHURN_DRAWS; d++) {
        struct crm_btyd_gg_params g = {w->gg[3 * d], w->gg[3 * d + 1], w->gg[3 * d + 2]};
        double value = w->pop[d];
        if (x > 0 && money > 0 &&
            crm_btyd_gg_expected_value(&g, x, (double)money / c->minor_per_unit / x, &value,
                                       NULL) != CRM_OK)
            value = NAN;
        if (isfinite(value))
            w->v[n++] = value * w->disc[d] * c->minor_per_unit;
    }
    c->clv_iv[2 * k] = (int64_t)llround(crm_btyd_quantile(w->v, n, q));
    c->clv_iv[2 * k + 1] = (int64_t)llround(crm_btyd_quantile(w->v, n, 1.0 - q));
}

/* One block of triples [i0, i0+nb): their scores under every draw (sc[d * IV_BLOCK + j]),
 * their quantiles, and their customers' clv intervals. */
static enum crm_err interval_block(struct crm_churn *c, const struct crm_btsum *b,
                                   struct draws *w, struct crm_btyd_score *sc, size_t i0,
                                   size_t nb, const uint32_t *start, const uint32_t *who,
                                   const struct crm_btyd_horizon *hz, double q,
                                   struct crm_errinfo *e)
{
    for (int d = 0; d < CRM_CHURN_DRAWS; d++) {
        struct crm_btyd_params pd = {c->params.bg.model, w->bg[4 * d], w->bg[4 * d + 1],
                                     w->bg[4 * d + 2], w->bg[4 * d + 3]};
        enum crm_err rc = crm_btyd_score(&pd, &c->tri[i0], nb, hz,
                                         &sc[(size_t)d * IV_BLOCK], e);
        if (rc != CRM_OK)
            return rc;
    }
    for (size_t j = 0; j < nb; j++) {
        double *iv = &c->tri_iv[4 * (i0 + j)];
        for (int d = 0; d < CRM_CHURN_DRAWS; d++)
            w->v[d] = sc[(size_t)d * IV_BLOCK + j].p_alive;
        iv[0] = crm_btyd_quantile(w->v, CRM_CHURN_DRAWS, q);
        iv[1] = crm_btyd_quantile(w->v, CRM_CHURN_DRAWS, 1.0 - q);
        for (int d = 0; d < CRM_CHURN_DRAWS; d++)
            w->v[d] = sc[(size_t)d * IV_BLOCK + j].expected;
        iv[2] = crm_btyd_quantile(w->v, CRM_CHURN_DRAWS, q);
        iv[3] = crm_btyd_quantile(w->v, CRM_CHURN_DRAWS, 1.0 - q);
        for (int d = 0; d < CRM_CHURN_DRAWS; d++)
            w->disc[d] = sc[(size_t)d * IV_BLOCK + j].discounted_expected;
        for (uint32_t k = start[i0 + j]; c->clv_iv && k < start[i0 + j + 1]; k++)
            clv_interval(c, b, who[k], w, q);
    }
    return CRM_OK;
}

static enum crm_err intervals(struct crm_churn *c, const struct crm_btsum *b,
                              const struct crm_churn_opts *o, struct crm_errinfo *e)
{
    struct draws *w = malloc(sizeof *w);
    size_t nt = c->triples ? c->triples : 1;
    uint32_t *start = calloc(nt + 1, sizeof *start), *who = malloc((b->n + 1) * sizeof *who);
    struct crm_btyd_score *sc = malloc((size_t)CRM_CHURN_DRAWS * IV_BLOCK * sizeof *sc);
    c->tri_iv = malloc(4 * nt * sizeof *c->tri_iv);
    c->clv_iv = c->params.has_gg ? malloc(2 * ((size_t)b->n + 1) * sizeof *c->clv_iv) : NULL;
    enum crm_err rc = CRM_ENOMEM;
    if (!w || !start || !who || !sc || !c->tri_iv || (c->params.has_gg && !c->clv_iv)) {
        crm_errinfo_set(e, rc, "out of memory for the intervals");
        goto done;
    }
    rc = draw_all(c, w, e);
    /* customers by triple (a counting sort): who[start[i] .. start[i+1]) are triple i's */
    for (uint32_t k = 0; k < b->n; k++)
        if (c->map[k] != UINT32_MAX)
            start[c->map[k] + 1]++;
    for (size_t i = 0; i < nt; i++)
        start[i + 1] += start[i];
    for (uint32_t k = 0; k < b->n; k++)
        if (c->map[k] != UINT32_MAX)
            who[start[c->map[k]]++] = k;
    for (size_t i = nt; i > 0; i--) /* each start[i] moved on to start[i+1]: back */
        start[i] = start[i - 1];
    start[0] = 0;
    double u = c->days_per_unit, q = (1.0 - o->interval_level) / 2.0;
    struct crm_btyd_horizon hz = {o->horizon_days / u, o->annual_discount, u};
    c->level = o->interval_level;
    for (size_t i = 0; rc == CRM_OK && i < c->triples; i += IV_BLOCK) {
        size_t nb = c->triples - i < IV_BLOCK ? c->triples - i : IV_BLOCK;
        rc = interval_block(c, b, w, sc, i, nb, start, who, &hz, q, e);
    }
done:
    free(w);
    free(start);
    free(who);
    free(sc);
    return rc;
}

/* The triples of the modelled customers; CRM_EMODEL when there are none. */
static enum crm_err model_customers(struct crm_churn *c, const struct crm_btsum *b,
                                    struct crm_errinfo *e)
{
    enum crm_err rc = build_triples(c, b, e);
    if (rc == CRM_OK && c->customers == 0)
        rc = crm_errinfo_set(e, CRM_EMODEL, "no customer has a paid order in the calibration "
                             "period: nothing to model");
    return rc;
}

/* The two fits of crm_churn_model, side by side: part 0 the customers' triples and the
 * purchase model, part 1 the spend summaries and Gamma-Gamma. They read b and write
 * disjoint fields of c; each is the same serial computation as alone, so the results do not
 * depend on the threads. An error of part 0 is reported before one of part 1. */
struct fits {
    struct crm_churn *c;
    const struct crm_btsum *b;
    const struct crm_churn_opts *o;
    enum crm_err rc[2];
    struct crm_errinfo e[2];
};

static void fit_part(void *ctx, int part)
{
    struct fits *F = ctx;
    struct crm_churn *c = F->c;
    if (part == 1) {
        F->rc[1] = fit_spend(c, F->b, &F->e[1]);
        return;
    }
    enum crm_err rc = model_customers(c, F->b, &F->e[0]);
    if (rc == CRM_OK)
        rc = crm_btyd_fit_penalized(F->o->model, c->tri, c->triples, F->o->penalty, &c->bg_fit,
                                    &F->e[0]);
    if (rc == CRM_OK) {
        c->params.bg = c->bg_fit.params;
        c->params.bg_loglik = c->bg_fit.loglik;
        memcpy(c->params.bg_se, c->bg_fit.se, sizeof c->params.bg_se);
    }
    F->rc[0] = rc;
}

enum crm_err crm_churn_model(const struct crm_btsum *b, const struct crm_churn_opts *o,
                             struct crm_churn **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_churn *c = calloc(1, sizeof *c);
    if (!c)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    c->days_per_unit = o->days_per_unit;
    c->horizon = o->horizon_days / o->days_per_unit;
    c->risk_high = o->risk_high;
    c->risk_medium = o->risk_medium;
    c->minor_per_unit = pow(10.0, o->money_scale);
    c->holdout_days = b->end < b->as_of - 1 ? b->as_of - 1 - b->end : 0;
    c->population_mean = NAN;
    enum crm_err rc;
    if (o->params) {
        rc = model_customers(c, b, e);
        if (rc == CRM_OK)
            c->params = *o->params;
    } else {
        c->fitted = 1;
        c->params.bg_loglik = c->params.gg_loglik = NAN;
        c->params.unit_days = o->days_per_unit;
        c->penalty = o->penalty;
        struct fits F = {.c = c, .b = b, .o = o, .rc = {CRM_OK, CRM_OK}};
        crm_errinfo_clear(&F.e[0]);
        crm_errinfo_clear(&F.e[1]);
        crm_thread_both(fit_part, &F);
        rc = F.rc[0] != CRM_OK ? F.rc[0] : F.rc[1];
        if (rc != CRM_OK)
            *e = F.e[F.rc[0] != CRM_OK ? 0 : 1];
        crm_churn_params_round(&c->params);
    }
    if (rc == CRM_OK && c->params.has_gg)
        rc = crm_btyd_gg_population_mean(&c->params.gg, &c->population_mean, e);
    if (rc == CRM_OK)
        rc = score_all(c, b, o, e);
    if (rc == CRM_OK && o->interval_level > 0)
        rc = intervals(c, b, o, e);
    if (rc != CRM_OK) {
        crm_churn_free(c);
        return rc;
    }
    *out = c;
    return CRM_OK;
}

/* ---- scale-out summaries ---- */

static int cmp_triple(const void *pa, const void *pb)
{
    const struct crm_churn_triple *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return (a->t_x > b->t_x) - (a->t_x < b->t_x);
}

static int cmp_spend_money(const void *pa, const void *pb)
{
    const struct crm_churn_spend *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->money > b->money) - (a->money < b->money);
}

/* Grow an array of `size`-byte items to hold one more. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 1024;
    void *p = realloc(*items, c * size);
    if (!p)
        return -1;
    *items = p;
    *cap = c;
    return 0;
}

enum crm_err crm_churn_summary_add_triple(struct crm_churn_summary *s,
                                          const struct crm_churn_triple *t,
                                          struct crm_errinfo *e)
{
    if (grow((void **)&s->tri, &s->tri_cap, s->ntri, sizeof *s->tri) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu triples", s->ntri);
    s->tri[s->ntri++] = *t;
    s->customers += t->count;
    return CRM_OK;
}

enum crm_err crm_churn_summary_add_spend(struct crm_churn_summary *s,
                                         const struct crm_churn_spend *sp,
                                         struct crm_errinfo *e)
{
    if (grow((void **)&s->spend, &s->spend_cap, s->nspend, sizeof *s->spend) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu spend summaries",
                               s->nspend);
    s->spend[s->nspend++] = *sp;
    return CRM_OK;
}

void crm_churn_summary_free(struct crm_churn_summary *s)
{
    if (!s)
        return;
    free(s->tri);
    free(s->spend);
    memset(s, 0, sizeof *s);
}

enum crm_err crm_churn_summarize(const struct crm_btsum *b, struct crm_churn_summary *out,
                                 struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    enum crm_err rc = CRM_OK;
    for (uint32_t k = 0; k < b->n && rc == CRM_OK; k++) {
        const struct crm_btsum_cust *u = &b->cust[k];
        if (!crm_btsum_has(u))
            continue;
        uint32_t x = crm_btsum_x(u);
        struct crm_churn_triple t = {x, u->last - u->first, b->end - u->first, 1};
        rc = crm_churn_summary_add_triple(out, &t, e);
        int64_t money = crm_btsum_repeat_money(u);
        if (rc != CRM_OK || x == 0)
            continue;
        if (money <= 0) {
            out->zero_spend++;
            continue;
        }
        struct crm_churn_spend sp = {x, money, 1};
        rc = crm_churn_summary_add_spend(out, &sp, e);
    }
    if (rc != CRM_OK) {
        crm_churn_summary_free(out);
        return rc;
    }
    crm_churn_summary_join(out);
    return CRM_OK;
}

void crm_churn_summary_join(struct crm_churn_summary *out)
{
    qsort(out->tri, out->ntri, sizeof *out->tri, cmp_triple);
    size_t m = 0;
    for (size_t i = 0; i < out->ntri; i++) {
        if (m && cmp_triple(&out->tri[m - 1], &out->tri[i]) == 0)
            out->tri[m - 1].count += out->tri[i].count;
        else
            out->tri[m++] = out->tri[i];
    }
    out->ntri = m;
    qsort(out->spend, out->nspend, sizeof *out->spend, cmp_spend_money);
    m = 0;
    for (size_t i = 0; i < out->nspend; i++) {
        if (m && cmp_spend_money(&out->spend[m - 1], &out->spend[i]) == 0)
            out->spend[m - 1].count += out->spend[i].count;
        else
            out->spend[m++] = out->spend[i];
    }
    out->nspend = m;
}

enum crm_err crm_churn_fit(const struct crm_churn_summary *s, enum crm_btyd_model model,
                           double days_per_unit, double penalty, int money_scale,
                           struct crm_churn **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_churn *c = calloc(1, sizeof *c);
    struct crm_btyd_obs *obs = malloc((s->ntri ? s->ntri : 1) * sizeof *obs);
    struct crm_btyd_spend *sp = malloc((s->nspend ? s->nspend : 1) * sizeof *sp);
    enum crm_err rc = CRM_OK;
    if (!c || !obs || !sp) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for %zu summaries", s->ntri);
        goto done;
    }
    c->days_per_unit = days_per_unit;
    c->minor_per_unit = pow(10.0, money_scale);
    c->population_mean = NAN;
    /* the same unit times as build_triples computes per customer: (int days) / unit */
    uint64_t customers = 0, gg_customers = 0;
    for (size_t i = 0; i < s->ntri; i++) {
        const struct crm_churn_triple *t = &s->tri[i];
        obs[i] = (struct crm_btyd_obs){(double)t->x, t->t_x / days_per_unit,
                                       t->T / days_per_unit, (double)t->count};
        customers += t->count;
    }
    if (customers == 0 || customers > UINT32_MAX) {
        rc = crm_errinfo_set(e, CRM_EMODEL, customers ? "more than 2^32 customers" :
                             "no customer has a paid order in the calibration period: nothing "
                             "to model");
        goto done;
    }
    c->customers = (uint32_t)customers;
    if ((rc = crm_btyd_compact(obs, s->ntri, &c->tri, &c->triples, NULL, e)) != CRM_OK)
        goto done;
    c->fitted = 1;
    c->params.bg_loglik = c->params.gg_loglik = NAN;
    c->params.unit_days = days_per_unit;
    c->penalty = penalty;
    rc = crm_btyd_fit_penalized(model, c->tri, c->triples, penalty, &c->bg_fit, e);
    if (rc == CRM_OK) {
        c->params.bg = c->bg_fit.params;
        c->params.bg_loglik = c->bg_fit.loglik;
        memcpy(c->params.bg_se, c->bg_fit.se, sizeof c->params.bg_se);
        for (size_t i = 0; i < s->nspend; i++) {
            const struct crm_churn_spend *u = &s->spend[i];
            sp[i] = (struct crm_btyd_spend){u->x, (double)u->money / c->minor_per_unit / u->x,
                                            (double)u->count};
            gg_customers += u->count;
        }
        c->gg_customers = (uint32_t)gg_customers;
        c->gg_zero_spend = (uint32_t)s->zero_spend;
        rc = fit_spend_obs(c, sp, s->nspend, e);
    }
    crm_churn_params_round(&c->params);
    if (rc == CRM_OK && c->params.has_gg)
        rc = crm_btyd_gg_population_mean(&c->params.gg, &c->population_mean, e);
done:
    free(obs);
    free(sp);
    if (rc != CRM_OK) {
        crm_churn_free(c);
        return rc;
    }
    *out = c;
    return CRM_OK;
}

static int64_t to_minor(double v)
{
    return (int64_t)llround(v);
}

int crm_churn_row(const struct crm_churn *c, const struct crm_btsum *b, uint32_t k,
                  struct crm_churn_row *row)
{
    if (k >= b->n || c->map[k] == UINT32_MAX)
        return 0;
    const struct crm_btsum_cust *s = &b->cust[k];
    const struct crm_btyd_obs *t = &c->tri[c->map[k]];
    const struct crm_btyd_score *sc = &c->score[c->map[k]];
    row->x = t->x;
    row->t_x = t->t_x;
    row->T = t->T;
    row->p_alive = sc->p_alive;
    row->expected = sc->expected;
    row->prob_no_purchase = sc->prob_no_purchase;
    row->risk = sc->p_alive < c->risk_high     ? CRM_CHURN_HIGH
                : sc->p_alive < c->risk_medium ? CRM_CHURN_MEDIUM
                                               : CRM_CHURN_LOW;
    row->has_value = c->params.has_gg;
    row->value_minor = row->clv_minor = 0;
    if (row->has_value) {
        /* FHL05b eq. 5 for repeat customers with spend; the population mean otherwise
         * (one-time buyers, and repeat customers whose repeat purchases were all free) */
        int64_t money = crm_btsum_repeat_money(s);
        double value = c->population_mean;
        if (t->x > 0 && money > 0)
            crm_btyd_gg_expected_value(&c->params.gg, t->x,
                                       (double)money / c->minor_per_unit / t->x, &value, NULL);
        row->value_minor = to_minor(value * c->minor_per_unit);
        row->clv_minor = to_minor(value * sc->discounted_expected * c->minor_per_unit);
    }
    row->has_interval = c->tri_iv != NULL;
    if (row->has_interval) {
        const double *iv = &c->tri_iv[4 * (size_t)c->map[k]];
        row->p_alive_lo = iv[0];
        row->p_alive_hi = iv[1];
        row->expected_lo = iv[2];
        row->expected_hi = iv[3];
        row->clv_lo_minor = c->clv_iv ? c->clv_iv[2 * (size_t)k] : 0;
        row->clv_hi_minor = c->clv_iv ? c->clv_iv[2 * (size_t)k + 1] : 0;
    }
    row->holdout_expected = c->holdout_expected ? c->holdout_expected[c->map[k]] : NAN;
    row->holdout_actual = s->holdout_days;
    return 1;
}

/* ---- the holdout report ---- */

void crm_churn_report_write(const struct crm_churn *c, struct crm_out *o)
{
    crm_out_header(o, "calibration_x,customers,mean_actual,mean_predicted,total_actual,"
                      "total_predicted,mae,rmse");
    for (int i = 0; i < CRM_CHURN_GROUPS; i++) {
        const struct crm_churn_group *g = &c->group[i];
        char label[8];
        snprintf(label, sizeof label, i < 7 ? "%d" : i == 7 ? "7+" : "all", i);
        crm_out_cstr(o, label);
        crm_out_int(o, (long long)g->customers);
        if (g->customers > 0) {
            crm_out_fixed(o, g->actual / g->customers, DECIMALS);
            crm_out_fixed(o, g->predicted / g->customers, DECIMALS);
            crm_out_int(o, (long long)g->actual);
            crm_out_fixed(o, g->predicted, DECIMALS);
            crm_out_fixed(o, g->abs_err / g->customers, DECIMALS);
            crm_out_fixed(o, sqrt(g->sq_err / g->customers), DECIMALS);
        } else {
            for (int j = 0; j < 6; j++)
                crm_out_empty(o);
        }
        crm_out_end_row(o);
    }
}

/* ---- the tracking plot ---- */

void crm_churn_tracking_free(struct crm_churn_tracking *t)
{
    free(t->x);
    free(t->actual);
    free(t->predicted);
    memset(t, 0, sizeof *t);
}

enum crm_err crm_churn_tracking(const struct crm_churn *c, const struct crm_btsum *b,
                                struct crm_churn_tracking *t, struct crm_errinfo *e)
{
    memset(t, 0, sizeof *t);
    if (!b->repeat)
        return crm_errinfo_set(e, CRM_EUSAGE, "tracking plot: the summaries were built "
                               "without tracking");
    int32_t start = INT32_MAX, last = b->as_of - 1;
    for (uint32_t k = 0; k < b->n; k++)
        if (crm_btsum_has(&b->cust[k]) && b->cust[k].first < start)
            start = b->cust[k].first;
    if (start == INT32_MAX)
        return crm_errinfo_set(e, CRM_EMODEL, "tracking plot: no modelled customer");
    size_t span = (size_t)(last - start) + 1;   /* days start .. last */
    size_t weeks = (span + 6) / 7;
    double *cohort = calloc(span, sizeof *cohort);     /* first purchases per day */
    double *ex = malloc((span + 1) * sizeof *ex);      /* E[X(m days)], m = 0 .. span */
    t->n = weeks + 1;
    t->x = malloc(t->n * sizeof *t->x);
    t->actual = malloc(t->n * sizeof *t->actual);
    t->predicted = malloc(t->n * sizeof *t->predicted);
    enum crm_err rc = CRM_OK;
    if (!cohort || !ex || !t->x || !t->actual || !t->predicted) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the tracking plot");
        goto done;
    }
    for (uint32_t k = 0; k < b->n; k++)
        if (crm_btsum_has(&b->cust[k]))
            cohort[b->cust[k].first - start] += 1;
    /* BTYD's convention (pnbd.ExpectedCumulativeTransactions): week k ends 7k days after the
     * start, and a customer who first bought s days after the start has made E[X(7k - s)]
     * repeat purchases by then (s < 7k) */
    for (size_t m = 0; m <= span && rc == CRM_OK; m++)
        rc = crm_btyd_expected_unconditional(&c->params.bg, (double)m / c->days_per_unit,
                                             &ex[m], e);
    if (rc != CRM_OK)
        goto done;
    t->start = start;
    t->calibration_end = (double)(b->end - start + 1) / 7.0;
    t->x[0] = t->actual[0] = t->predicted[0] = 0.0;
    double cum = 0.0;
    for (size_t w = 1; w <= weeks; w++) {
        size_t from = (w - 1) * 7, to = w * 7 < span ? w * 7 : span; /* day offsets [from, to) */
        for (size_t d = from; d < to; d++) {
            size_t k = (size_t)(last - start) - d;               /* repeat[] runs backwards */
            cum += k < b->nrepeat ? b->repeat[k] : 0;
        }
        double pred = 0.0;
        for (size_t s = 0; s < to; s++)
            if (cohort[s] > 0)
                pred += cohort[s] * ex[to - s];
        t->x[w] = (double)to / 7.0;
        t->actual[w] = cum;
        t->predicted[w] = pred;
    }
done:
    free(cohort);
    free(ex);
    if (rc != CRM_OK)
        crm_churn_tracking_free(t);
    return rc;
}

enum crm_err crm_churn_chart(const struct crm_churn *c, const struct crm_btsum *b,
                             struct crm_svg **out, struct crm_errinfo *e)
{
    struct crm_churn_tracking t;
    char sub[160], d0[16], d1[16];
    *out = NULL;
    enum crm_err rc = crm_churn_tracking(c, b, &t, e);
    if (rc != CRM_OK)
        return rc;
    crm_date_format(t.start, d0);
    crm_date_format(b->end, d1);
    snprintf(sub, sizeof sub, "%s fit on %u customers; week 0 begins %s; calibration to %s",
             crm_btyd_model_name(c->params.bg.model), c->customers, d0, d1);
    struct crm_chart_tracking_opts co = {.subtitle = sub, .calibration_end = t.calibration_end};
    rc = crm_chart_tracking(t.x, t.actual, t.predicted, t.n, &co, out, e);
    crm_churn_tracking_free(&t);
    return rc;
}

/* ---- the fit report ---- */

struct text {
    char *buf;
    size_t size, len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->len < t->size ? t->buf + t->len : NULL,
                      t->len < t->size ? t->size - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

size_t crm_churn_describe(const struct crm_churn *c, char *buf, size_t size)
{
    struct text t = {buf, size, 0};
    const struct crm_churn_params *p = &c->params;
    const char *m = crm_btyd_model_name(p->bg.model);
    if (size)
        buf[0] = '\0';
    if (!c->fitted) {
        add(&t, "%s parameters from the file: r=%.7f alpha=%.7f %s=%.7f %s=%.7f\n", m, p->bg.r,
            p->bg.alpha, crm_btyd_param_name(p->bg.model, 2), p->bg.a,
            crm_btyd_param_name(p->bg.model, 3), p->bg.b);
    } else {
        const struct crm_btyd_fit *f = &c->bg_fit;
        if (c->penalty > 0)
            add(&t, "%s fit with lifetimes' L2 penalty %g (penalizer_coef); the log-likelihood "
                "below is the unpenalised one at the penalised estimate\n", m, c->penalty);
        add(&t, "%s fit on %u customers (%zu distinct x, t_x, T): r=%.7f (se %.4g) alpha=%.7f "
            "(se %.4g) %s=%.7f (se %.4g) %s=%.7f (se %.4g); log-likelihood %.7f; converged in %d "
            "iterations (%d evaluations, gradient %.2g)\n", m, c->customers, c->triples, p->bg.r,
            f->se[0], p->bg.alpha, f->se[1], crm_btyd_param_name(p->bg.model, 2), p->bg.a,
            f->se[2], crm_btyd_param_name(p->bg.model, 3), p->bg.b, f->se[3], f->loglik,
            f->iterations, f->evaluations, f->grad_norm);
        const struct crm_btyd_gg_fit *g = &c->gg_fit;
        if (p->has_gg)
            add(&t, "gammagamma fit on %u repeat customers: p=%.7f (se %.4g) q=%.7f (se %.4g) "
                "gamma=%.7f (se %.4g); log-likelihood %.7f; converged in %d iterations\n",
                c->gg_customers, p->gg.p, g->se[0], p->gg.q, g->se[1], p->gg.gamma, g->se[2],
                g->loglik, g->iterations);
        if (c->gg_zero_spend)
            add(&t, "gammagamma: %u repeat customer%s with mean spend 0 left out of the fit "
                "(given the population mean)\n",
                c->gg_zero_spend, c->gg_zero_spend == 1 ? "" : "s");
    }
    if (p->has_gg)
        add(&t, "gammagamma: population mean order value %.2f\n", c->population_mean);
    if (size && t.len >= size)
        buf[size - 1] = '\0';
    return t.len;
}

/* ---- the per-customer report ---- */

static void put_time(struct crm_out *o, double days, double unit)
{
    if (unit == 1.0)
        crm_out_int(o, (long long)days);
    else
        crm_out_fixed(o, days / unit, DECIMALS);
}

/* Rows are printed in customer order, their triples and scores are read at random (a
 * million distinct triples are 64 MB): fetched ROW_AHEAD customers ahead. */
#define ROW_AHEAD 16

static void prefetch_row(const struct crm_churn *c, uint32_t k)
{
    uint32_t t = c->map[k];
    if (t != UINT32_MAX) {
        __builtin_prefetch(&c->tri[t]);
        __builtin_prefetch(&c->score[t]);
    }
}

/* The row of customer k, if modelled (called from two threads: reads only). */
static void churn_row(struct crm_out *o, size_t i, void *ctx)
{
    const struct crm_churn_report *r = ctx;
    const struct crm_btsum *b = r->summaries;
    const double u = r->days_per_unit;
    const uint32_t k = (uint32_t)i;
    const struct crm_btsum_cust *s = &b->cust[k];
    struct crm_churn_row m;
    struct crm_churn_rule_row q;
    if (r->model && k + ROW_AHEAD < b->n)
        prefetch_row(r->model, k + ROW_AHEAD);
    if (r->model ? !crm_churn_row(r->model, b, k, &m) : !crm_churn_rule(b, k, r->rules, &q))
        return;
    size_t len;
    const char *id = crm_store_customer_id(r->store, k, &len);
    crm_out_str(o, id, len);
    crm_out_int(o, crm_btsum_x(s));
    put_time(o, s->last - s->first, u);
    put_time(o, b->end - s->first, u);
    if (r->model) {
        crm_out_fixed(o, m.p_alive, DECIMALS);
        crm_out_fixed(o, m.expected, DECIMALS);
        crm_out_fixed(o, m.prob_no_purchase, DECIMALS);
        if (m.has_value) {
            crm_out_money(o, m.value_minor, r->money_scale);
            crm_out_money(o, m.clv_minor, r->money_scale);
        } else {
            crm_out_empty(o);
            crm_out_empty(o);
        }
        crm_out_cstr(o, crm_churn_risk_name(m.risk));
        if (m.has_interval) {
            crm_out_fixed(o, m.expected_lo, DECIMALS);
            crm_out_fixed(o, m.expected_hi, DECIMALS);
            crm_out_fixed(o, m.p_alive_lo, DECIMALS);
            crm_out_fixed(o, m.p_alive_hi, DECIMALS);
            if (m.has_value) {
                crm_out_money(o, m.clv_lo_minor, r->money_scale);
                crm_out_money(o, m.clv_hi_minor, r->money_scale);
            } else {
                crm_out_empty(o);
                crm_out_empty(o);
            }
        }
    } else {
        put_time(o, q.recency_days, u);
        if (isnan(q.gap_days))
            crm_out_empty(o);
        else
            crm_out_fixed(o, q.gap_days / u, DECIMALS);
        crm_out_fixed(o, q.threshold_days / u, DECIMALS);
        crm_out_cstr(o, crm_churn_risk_name(q.risk));
        crm_out_cstr(o, q.reason);
    }
    if (r->holdout)
        crm_out_int(o, s->holdout_days);
    crm_out_end_row(o);
}

enum crm_err crm_churn_write(struct crm_out *o, const struct crm_churn_report *r,
                             struct crm_errinfo *e)
{
    char header[320];
    snprintf(header, sizeof header, "customer_id,x,t_x,T,%s%s%s",
             r->model ? "p_alive,expected_purchases,prob_no_purchase,expected_avg_value,clv,"
                        "churn_risk"
                      : "recency,mean_gap,threshold,churn_risk,reason",
             r->model && r->model->tri_iv ? ",expected_purchases_lo,expected_purchases_hi,"
                                            "p_alive_lo,p_alive_hi,clv_lo,clv_hi"
                                          : "",
             r->holdout ? ",actual_holdout" : "");
    crm_out_header(o, header);
    return crm_outrows_write(o, r->summaries->n, churn_row, (void *)r, e);
}

/* ---- dormancy rules ---- */

static void days_text(double v, int decimals, char *buf)
{
    crm_fmt_fixed(v, decimals, buf);
}

int crm_churn_rule(const struct crm_btsum *b, uint32_t k, const struct crm_churn_rules *r,
                   struct crm_churn_rule_row *row)
{
    if (k >= b->n || !crm_btsum_has(&b->cust[k]))
        return 0;
    const struct crm_btsum_cust *s = &b->cust[k];
    uint32_t x = crm_btsum_x(s);
    char rec[32], lim[32], kk[32];
    row->recency_days = b->end - s->last;
    days_text(row->recency_days, 0, rec);
    days_text(r->k, 2, kk);
    /* drop trailing zeros of k: "2", "1.5" */
    for (size_t n = strlen(kk); n > 0 && (kk[n - 1] == '0' || kk[n - 1] == '.'); n--) {
        char ch = kk[n - 1];
        kk[n - 1] = '\0';
        if (ch == '.')
            break;
    }
    if (x > 0) {
        row->gap_days = (double)(s->last - s->first) / x;
        row->threshold_days = r->k * row->gap_days;
        days_text(row->gap_days, 1, lim);
        if (row->recency_days > row->threshold_days) {
            row->risk = CRM_CHURN_HIGH;
            snprintf(row->reason, sizeof row->reason,
                     "no purchase for %s days: over %s x the mean gap of %s days", rec, kk, lim);
        } else if (row->recency_days > row->gap_days) {
            row->risk = CRM_CHURN_MEDIUM;
            snprintf(row->reason, sizeof row->reason,
                     "no purchase for %s days: over the mean gap of %s days", rec, lim);
        } else {
            row->risk = CRM_CHURN_LOW;
            snprintf(row->reason, sizeof row->reason,
                     "last purchase %s days ago: within the mean gap of %s days", rec, lim);
        }
        return 1;
    }
    row->gap_days = NAN;
    row->threshold_days = r->floor_days;
    days_text(r->floor_days, 0, lim);
    if (row->recency_days > r->floor_days) {
        row->risk = CRM_CHURN_HIGH;
        snprintf(row->reason, sizeof row->reason,
                 "single purchase %s days ago: over the floor of %s days", rec, lim);
    } else if (row->recency_days > r->floor_days / r->k) {
        row->risk = CRM_CHURN_MEDIUM;
        snprintf(row->reason, sizeof row->reason,
                 "single purchase %s days ago: over 1/%s of the floor of %s days", rec, kk, lim);
    } else {
        row->risk = CRM_CHURN_LOW;
        snprintf(row->reason, sizeof row->reason,
                 "single purchase %s days ago: within 1/%s of the floor of %s days", rec, kk, lim);
    }
    return 1;
}
