/* segment: classes, VIP, named segments and summaries (see segment.h). Invariant: a
 * struct crm_segment holds resolved options and two scorers; every per-customer answer is
 * recomputed from the agg arrays in O(1). */
#include "customer/segment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/thread.h"
#include "text/csvin.h"
#include "text/textfield.h"

struct crm_segment {
    struct crm_segment_opts o;
    int64_t vip_money;                   /* minor units */
    int net;
    const struct crm_agg *a;
    const struct crm_customer_info *info;
    const struct crm_segment_rules *rules;
    struct crm_segment_rules *own_rules; /* the default table when none was given */
    struct crm_rfm *seed, *quint;
};

static const char *const class_names[CRM_CLASS_COUNT] = {
    "malicious", "no-order", "no-sale", "new", "dormant", "P", "G", "S", "B",
};

const char *crm_class_name(enum crm_class c)
{
    return c >= 0 && c < CRM_CLASS_COUNT ? class_names[c] : "";
}

void crm_segment_opts_default(struct crm_segment_opts *o)
{
    memset(o, 0, sizeof *o);
    o->new_days = 30;
    o->dormant_days = 180;
    o->vip_orders = 3;
    o->vip_items = 10;
    o->vip_money = (struct crm_decimal){10000, 0};
}

static int parse_whole(const char *s, long long hi, long long *v)
{
    while (*s == ' ')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    long long x = strtoll(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || x > hi)
        return -1;
    *v = x;
    return 0;
}

enum crm_err crm_segment_set_option(struct crm_segment_opts *o, const char *name,
                                    const char *text, struct crm_errinfo *e)
{
    long long v;
    if (strcmp(name, "vip-money") == 0) {
        struct crm_decimal d;
        if (crm_money_parse_decimal(text, strlen(text), CRM_MONEY_THOUSANDS, &d) != CRM_MONEY_OK
            || d.units < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--vip-money %s: expected an amount such as "
                                   "10000 or 9999.99", text);
        o->vip_money = d;
        return CRM_OK;
    }
    int days = strcmp(name, "new-days") == 0 || strcmp(name, "dormant-days") == 0;
    if (!days && strcmp(name, "vip-orders") != 0 && strcmp(name, "vip-items") != 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "unknown segment option %s", name);
    if (parse_whole(text, days ? 1000000 : 4000000000LL, &v) != 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--%s %s: expected a whole number from 0 to %s",
                               name, text, days ? "1000000" : "4000000000");
    if (strcmp(name, "new-days") == 0)
        o->new_days = (int32_t)v;
    else if (strcmp(name, "dormant-days") == 0)
        o->dormant_days = (int32_t)v;
    else if (strcmp(name, "vip-orders") == 0)
        o->vip_orders = (uint32_t)v;
    else
        o->vip_items = (uint32_t)v;
    return CRM_OK;
}

/* ---- rules ---- */

static const struct {
    const char *name;
    int lo[3], hi[3];
} default_rules[] = {
    {"Champions", {5, 5, 5}, {5, 5, 5}},
    {"Potential Loyalist", {3, 3, 2}, {5, 5, 5}},
    {"Loyal Customers", {2, 2, 2}, {4, 4, 4}},
    {"Promising", {3, 1, 3}, {4, 3, 5}},
    {"New Customers", {4, 1, 1}, {5, 3, 5}},
    {"Can't Lose Them", {1, 3, 4}, {2, 4, 5}},
    {"At Risk", {1, 2, 4}, {2, 5, 5}},
    {"Need Attention", {1, 3, 3}, {3, 5, 5}},
    {"About To Sleep", {2, 1, 1}, {3, 3, 4}},
    {"Lost", {1, 1, 1}, {1, 5, 5}},
};

void crm_segment_rules_free(struct crm_segment_rules *rules)
{
    if (!rules)
        return;
    for (size_t i = 0; i < rules->n; i++)
        free(rules->rule[i].name);
    free(rules->rule);
    free(rules);
}

/* Append a rule (name copied). */
static int add_rule(struct crm_segment_rules *rules, size_t *cap, const char *name, size_t len,
                    const int lo[3], const int hi[3])
{
    if (rules->n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct crm_segment_rule *r = realloc(rules->rule, c * sizeof *r);
        if (!r)
            return -1;
        rules->rule = r;
        *cap = c;
    }
    struct crm_segment_rule *r = &rules->rule[rules->n];
    if (!(r->name = malloc(len + 1)))
        return -1;
    memcpy(r->name, name, len);
    r->name[len] = '\0';
    memcpy(r->lo, lo, sizeof r->lo);
    memcpy(r->hi, hi, sizeof r->hi);
    rules->n++;
    return 0;
}

enum crm_err crm_segment_rules_default(struct crm_segment_rules **out, struct crm_errinfo *e)
{
    struct crm_segment_rules *rules = calloc(1, sizeof *rules);
    size_t cap = 0;
    if (!rules)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < sizeof default_rules / sizeof default_rules[0]; i++) {
        if (add_rule(rules, &cap, default_rules[i].name, strlen(default_rules[i].name),
                     default_rules[i].lo, default_rules[i].hi) != 0) {
            crm_segment_rules_free(rules);
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        }
    }
    *out = rules;
    return CRM_OK;
}

static const char *const rule_columns[7] = {
    "segment", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max",
};

/* One data row into a rule; 0, or -1 with e filled (the caller adds file and line). */
static int parse_rule(const struct crm_record *rec, int lo[3], int hi[3], struct crm_errinfo *e)
{
    for (int k = 1; k < 7; k++) {
        const char *s = rec->field[k];
        size_t len = rec->len[k];
        crm_text_trim_blanks(&s, &len);
        if (len != 1 || s[0] < '1' || s[0] > '5') {
            e->column = k + 1;
            crm_errinfo_set(e, CRM_EUSAGE, "%s \"%.*s\": expected a whole number from 1 to 5",
                            rule_columns[k], (int)(len > 40 ? 40 : len), s);
            return -1;
        }
        int v = s[0] - '0';
        if (k % 2)
            lo[(k - 1) / 2] = v;
        else
            hi[(k - 1) / 2] = v;
    }
    for (int d = 0; d < 3; d++) {
        if (lo[d] > hi[d]) {
            e->column = 2 * d + 2;
            crm_errinfo_set(e, CRM_EUSAGE, "%s %d is above %s %d", rule_columns[2 * d + 1],
                            lo[d], rule_columns[2 * d + 2], hi[d]);
            return -1;
        }
    }
    return 0;
}

enum crm_err crm_segment_rules_load(const char *path, struct crm_segment_rules **out,
                                    struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_csvin *in;
    struct crm_csvin_opts co = {.delimiter = ','};
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_segment_rules *rules = calloc(1, sizeof *rules);
    size_t cap = 0;
    struct crm_record rec;
    long long line = 1;
    if (!rules) {
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        goto done;
    }
    rc = crm_csvin_next(in, &rec, e);
    if (rc != CRM_OK)
        goto done;
    if (rec.nfields == 0) {
        crm_errinfo_where(e, crm_csvin_name(in), 1, -1, -1);
        rc = crm_errinfo_set(e, CRM_EUSAGE, "empty rules file: expected the header "
                             "segment,r_min,r_max,f_min,f_max,m_min,m_max and rules");
        goto done;
    }
    line = rec.line;
    int header_ok = rec.nfields == 7;
    for (size_t k = 0; header_ok && k < 7; k++) {
        const char *s = rec.field[k];
        size_t len = rec.len[k];
        crm_text_trim_blanks(&s, &len);
        header_ok = len == strlen(rule_columns[k]) && strncasecmp(s, rule_columns[k], len) == 0;
    }
    if (!header_ok) {
        crm_errinfo_where(e, crm_csvin_name(in), line, -1, -1);
        rc = crm_errinfo_set(e, CRM_EUSAGE, "expected the header "
                             "segment,r_min,r_max,f_min,f_max,m_min,m_max");
        goto done;
    }
    while ((rc = crm_csvin_next(in, &rec, e)) == CRM_OK && rec.nfields > 0) {
        int lo[3], hi[3];
        const char *name = rec.field[0];
        size_t len = rec.len[0];
        crm_text_trim_blanks(&name, &len);
        line = rec.line;
        e->column = -1;
        if (rec.bad_bytes) {
            rc = crm_errinfo_set(e, CRM_EUSAGE, "bytes invalid in %s", crm_csvin_encoding(in));
        } else if (rec.nfields != 7) {
            rc = crm_errinfo_set(e, CRM_EUSAGE, "%zu fields, expected 7 "
                                 "(segment,r_min,r_max,f_min,f_max,m_min,m_max)", rec.nfields);
        } else if (len == 0) {
            e->column = 1;
            rc = crm_errinfo_set(e, CRM_EUSAGE, "empty segment name");
        } else if (parse_rule(&rec, lo, hi, e) != 0) {
            rc = CRM_EUSAGE;
        } else if (add_rule(rules, &cap, name, len, lo, hi) != 0) {
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            goto done;
        }
        if (rc != CRM_OK) {
            int col = e->column;
            crm_errinfo_where(e, crm_csvin_name(in), line, col, -1);
            goto done;
        }
    }
    if (rc == CRM_OK && rules->n == 0) {
        crm_errinfo_where(e, crm_csvin_name(in), line, -1, -1);
        rc = crm_errinfo_set(e, CRM_EUSAGE, "no rules after the header");
    }
done:
    crm_csvin_close(in);
    if (rc != CRM_OK) {
        crm_segment_rules_free(rules);
        return rc;
    }
    *out = rules;
    return CRM_OK;
}

size_t crm_segment_rules_match(const struct crm_segment_rules *rules, int r, int f, int m)
{
    for (size_t i = 0; i < rules->n; i++) {
        const struct crm_segment_rule *u = &rules->rule[i];
        if (r >= u->lo[0] && r <= u->hi[0] && f >= u->lo[1] && f <= u->hi[1] &&
            m >= u->lo[2] && m <= u->hi[2])
            return i;
    }
    return rules->n;
}

const char *crm_segment_rules_name(const struct crm_segment_rules *rules, size_t idx)
{
    return idx < rules->n ? rules->rule[idx].name : "Others";
}

/* ---- classifier ---- */

/* d as minor units of `scale` decimals, exactly (extra decimals must be zeros). */
static int exact_minor(struct crm_decimal d, int scale, int64_t *minor)
{
    while (d.scale > scale && d.units % 10 == 0) {
        d.units /= 10;
        d.scale--;
    }
    return d.scale > scale || crm_money_to_minor(d, scale, minor) != CRM_MONEY_OK ? -1 : 0;
}

enum crm_err crm_segment_new(const struct crm_segment_opts *o, const struct crm_rfm_opts *ro,
                             const struct crm_agg *a, const struct crm_customer_info *info,
                             const struct crm_segment_rules *rules, int money_scale,
                             struct crm_segment **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_segment *s = calloc(1, sizeof *s);
    if (!s)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    s->o = *o;
    s->net = ro->net;
    s->a = a;
    s->info = info;
    enum crm_err rc = CRM_OK;
    if (exact_minor(o->vip_money, money_scale, &s->vip_money) != 0) {
        rc = crm_errinfo_set(e, CRM_EUSAGE, "--vip-money: more decimals than the store's "
                             "money (%d) or too large", money_scale);
        goto fail;
    }
    if (!rules && (rc = crm_segment_rules_default(&s->own_rules, e)) != CRM_OK)
        goto fail;
    s->rules = rules ? rules : s->own_rules;
    struct crm_rfm_opts so = *ro, qo = *ro;
    so.scheme = CRM_RFM_SEED;
    qo.scheme = CRM_RFM_QUINTILE;
    if ((rc = crm_rfm_new(&so, a, money_scale, &s->seed, e)) != CRM_OK ||
        (!o->classes_only && (rc = crm_rfm_new(&qo, a, money_scale, &s->quint, e)) != CRM_OK))
        goto fail;
    *out = s;
    return CRM_OK;
fail:
    crm_segment_free(s);
    return rc;
}

void crm_segment_free(struct crm_segment *s)
{
    if (!s)
        return;
    crm_rfm_free(s->seed);
    crm_rfm_free(s->quint);
    crm_segment_rules_free(s->own_rules);
    free(s);
}

const struct crm_rfm *crm_segment_seed(const struct crm_segment *s)
{
    return s->seed;
}

const struct crm_rfm *crm_segment_quintile(const struct crm_segment *s)
{
    return s->quint;
}

const struct crm_segment_opts *crm_segment_options(const struct crm_segment *s)
{
    return &s->o;
}

int crm_segment_vip_qualifies(uint32_t vip_orders, uint32_t vip_items, int64_t vip_money,
                              int64_t orders, int64_t items, int64_t money)
{
    return orders >= (int64_t)vip_orders && items >= (int64_t)vip_items && money >= vip_money;
}

int64_t crm_segment_vip_money(const struct crm_segment *s)
{
    return s->vip_money;
}

int crm_segment_net(const struct crm_segment *s)
{
    return s->net;
}

static const struct crm_customer_info *info_of(const struct crm_segment *s, uint32_t c)
{
    if (!s->a->info || s->a->info[c] < 0)
        return NULL;
    return &s->info[s->a->info[c]];
}

/* The tree up to "dormant"; CRM_CLASS_COUNT means "graded by tier". */
static enum crm_class tree(const struct crm_segment *s, uint32_t c)
{
    const struct crm_agg *a = s->a;
    const struct crm_cust *cu = &a->cust[c];
    const struct crm_cust_more *mo = &a->more[c];
    const struct crm_customer_info *ci = info_of(s, c);
    if (ci && ci->blocked)
        return CRM_CLASS_MALICIOUS;
    if (cu->paid_orders == 0) {
        if (mo->cancelled || mo->refunded || mo->pending)
            return CRM_CLASS_NO_SALE;
        return ci || crm_agg_known_before(a, c) ? CRM_CLASS_NO_ORDER : CRM_CLASS_NONE;
    }
    if (a->as_of - cu->first_paid_ever <= s->o.new_days)
        return CRM_CLASS_NEW;
    if (a->as_of - cu->last_paid > s->o.dormant_days)
        return CRM_CLASS_DORMANT;
    return CRM_CLASS_COUNT;
}

static enum crm_class tier_class(char tier)
{
    return tier == 'P' ? CRM_CLASS_P : tier == 'G' ? CRM_CLASS_G
         : tier == 'S' ? CRM_CLASS_S : CRM_CLASS_B;
}

enum crm_class crm_segment_class(const struct crm_segment *s, uint32_t c)
{
    enum crm_class k = tree(s, c);
    if (k != CRM_CLASS_COUNT)
        return k;
    struct crm_rfm_row row;
    crm_rfm_score(s->seed, c, &row);
    return tier_class(row.tier);
}

void crm_segment_customer(const struct crm_segment *s, uint32_t c, struct crm_segment_row *row)
{
    crm_rfm_score(s->seed, c, &row->seed);
    enum crm_class k = tree(s, c);
    row->cls = k == CRM_CLASS_COUNT ? tier_class(row->seed.tier) : k;
    if (!s->quint) {   /* classes_only */
        memset(&row->quint, 0, sizeof row->quint);
        row->vip = 0;
        row->segment = -1;
        return;
    }
    crm_rfm_score(s->quint, c, &row->quint);
    const struct crm_cust *cu = &s->a->cust[c];
    row->vip = crm_segment_vip_qualifies(s->o.vip_orders, s->o.vip_items, s->vip_money,
                                         cu->paid_orders, cu->items, row->seed.monetary_total);
    row->segment = row->quint.scored
                   ? (long)crm_segment_rules_match(s->rules, row->quint.r, row->quint.f,
                                                   row->quint.m)
                   : -1;
}

const char *crm_segment_name(const struct crm_segment *s, long segment)
{
    return segment < 0 ? "" : crm_segment_rules_name(s->rules, (size_t)segment);
}

/* ---- summary ---- */

static int64_t avg_of(int64_t total, uint64_t n)
{
    int64_t q = total / (int64_t)n, rem = total % (int64_t)n;
    if (2 * (uint64_t)(rem < 0 ? -rem : rem) >= n)
        q += total < 0 ? -1 : 1;
    return q;
}

void crm_segment_summary_free(struct crm_segment_summary *sum)
{
    if (!sum)
        return;
    free(sum->group);
    free(sum);
}

/* Group names and each segment index's group (segments joined by name). */
static size_t segment_groups(const struct crm_segment *s, struct crm_segment_group *g,
                             size_t *group_of)
{
    size_t n = 0;
    for (size_t i = 0; i <= s->rules->n; i++) {
        const char *name = crm_segment_rules_name(s->rules, i);
        size_t k = 0;
        while (k < n && strcmp(g[k].name, name) != 0)
            k++;
        if (k == n)
            g[n++].name = name;
        group_of[i] = k;
    }
    g[n].name = "(none)";
    return n + 1;
}

/* The summary's sums over one half of the customers (part 0 the first, 1 the second),
 * each into its own groups. */
struct sum_job {
    const struct crm_segment *s;
    enum crm_segment_by by;
    size_t ng;
    const size_t *group_of;
    struct crm_segment_group *g[2];
};

static void sum_part(void *ctx, int part)
{
    const struct sum_job *j = ctx;
    const struct crm_segment *s = j->s;
    struct crm_segment_group *g = j->g[part];
    uint32_t half = s->a->n / 2, lo = part ? half : 0, hi = part ? s->a->n : half;
    for (uint32_t c = lo; c < hi; c++) {
        struct crm_segment_row row;
        crm_segment_customer(s, c, &row);
        if (row.cls == CRM_CLASS_NONE)
            continue;
        size_t k = j->by == CRM_SEGMENT_BY_CLASS ? (size_t)row.cls
                 : j->by == CRM_SEGMENT_BY_VIP ? (size_t)!row.vip
                 : row.segment < 0 ? j->ng - 1 : j->group_of[row.segment];
        g[k].customers++;
        g[k].orders += row.seed.frequency;
        g[k].revenue += row.seed.monetary_total;
    }
}

enum crm_err crm_segment_summarize(const struct crm_segment *s, enum crm_segment_by by,
                                   struct crm_segment_summary **out, struct crm_errinfo *e)
{
    *out = NULL;
    size_t ng = by == CRM_SEGMENT_BY_CLASS ? CRM_CLASS_COUNT
              : by == CRM_SEGMENT_BY_VIP ? 2 : s->rules->n + 2;
    struct crm_segment_summary *sum = calloc(1, sizeof *sum);
    struct crm_segment_group *g = sum ? calloc(ng, sizeof *g) : NULL;
    struct crm_segment_group *g1 = calloc(ng, sizeof *g1);   /* the second half's sums */
    size_t *group_of = by == CRM_SEGMENT_BY_SEGMENT ? malloc(ng * sizeof *group_of) : NULL;
    if (!sum || !g || !g1 || (by == CRM_SEGMENT_BY_SEGMENT && !group_of)) {
        free(sum);
        free(g);
        free(g1);
        free(group_of);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    if (by == CRM_SEGMENT_BY_CLASS) {
        for (size_t k = 0; k < ng; k++)
            g[k].name = class_names[k];
    } else if (by == CRM_SEGMENT_BY_VIP) {
        g[0].name = "yes";
        g[1].name = "no";
    } else {
        ng = segment_groups(s, g, group_of);
    }
    struct sum_job job = {s, by, ng, group_of, {g, g1}};
    crm_thread_both(sum_part, &job);
    for (size_t k = 0; k < ng; k++) {   /* integer sums: the same in any order */
        g[k].customers += g1[k].customers;
        g[k].orders += g1[k].orders;
        g[k].revenue += g1[k].revenue;
    }
    free(g1);
    free(group_of);
    sum->n = ng;
    sum->group = g;
    crm_segment_summary_finish(sum);
    *out = sum;
    return CRM_OK;
}

void crm_segment_summary_finish(struct crm_segment_summary *sum)
{
    struct crm_segment_group *g = sum->group;
    sum->customers = 0;
    sum->revenue = 0;
    for (size_t k = 0; k < sum->n; k++) {
        sum->customers += g[k].customers;
        sum->revenue += g[k].revenue;
    }
    for (size_t k = 0; k < sum->n; k++) {
        g[k].share = sum->customers ? (double)g[k].customers / (double)sum->customers : NAN;
        g[k].revenue_share = sum->revenue ? (double)g[k].revenue / (double)sum->revenue : NAN;
        g[k].has_avg = g[k].orders > 0;
        g[k].avg_order_value = g[k].orders ? avg_of(g[k].revenue, g[k].orders) : 0;
    }
}

void crm_segment_set_cuts(struct crm_segment *s, char dim, const struct crm_rfm_cuts *cuts)
{
    if (s->quint)   /* classes_only: no segments to name */
        crm_rfm_set_cuts(s->quint, dim, cuts);
}
