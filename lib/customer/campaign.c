/* campaign: stable control groups and their measurement (see campaign.h). Invariant: the
 * groups table holds each listed customer once, with the line that first listed them; the
 * store's customers are matched to it as the dictionary grows, chunk by chunk, so each
 * order is added to its customer's entry in the one pass. */
#include "customer/campaign.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/hash.h"
#include "base/stats.h"
#include "text/csvin.h"
#include "text/timeparse.h"
#include "text/textfield.h"

static const char *const group_names[] = {"treatment", "control"};

const char *crm_campaign_group_name(enum crm_campaign_group g)
{
    return group_names[g];
}

uint64_t crm_campaign_hash(const char *salt, size_t salt_len, const char *id, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < salt_len; i++)
        h = (h ^ (unsigned char)salt[i]) * 0x100000001b3ull;
    h *= 0x100000001b3ull;   /* the 0x00 separator: h ^ 0 == h */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 0x100000001b3ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

enum crm_campaign_group crm_campaign_assign(const char *salt, size_t salt_len, const char *id,
                                            size_t len, double holdout)
{
    double u = (double)(crm_campaign_hash(salt, salt_len, id, len) >> 11) * 0x1p-53;
    return u < holdout ? CRM_CAMPAIGN_CONTROL : CRM_CAMPAIGN_TREATMENT;
}

/* Index of the header column named `name` (case-insensitive, trimmed); -1 when none. */
static long find_column(const struct crm_record *h, const char *name)
{
    for (size_t k = 0; k < h->nfields; k++) {
        const char *s = h->field[k];
        size_t len = h->len[k];
        crm_text_trim_blanks(&s, &len);
        if (len == strlen(name) && strncasecmp(s, name, len) == 0)
            return (long)k;
    }
    return -1;
}

/* The header of a list: CRM_EUSAGE naming the file when empty or without `column`. */
static enum crm_err read_header(struct crm_csvin *in, const char *column, const char *fix,
                                struct crm_record *h, long *col, struct crm_errinfo *e)
{
    enum crm_err rc = crm_csvin_next(in, h, e);
    if (rc != CRM_OK)
        return rc;
    crm_errinfo_where(e, crm_csvin_name(in), h->nfields ? h->line : 1, -1, -1);
    if (h->nfields == 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "empty list: expected a header with a %s "
                               "column and one row per customer", column);
    if ((*col = find_column(h, column)) < 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "no %s column in the header (%s)", column, fix);
    return CRM_OK;
}

/* A data row's id: CRM_EUSAGE naming its line for a wrong field count, bad bytes or an
 * empty id. */
static enum crm_err row_id(struct crm_csvin *in, const struct crm_record *r, size_t nfields,
                           long col, const char **id, size_t *len, struct crm_errinfo *e)
{
    crm_errinfo_where(e, crm_csvin_name(in), r->line, -1, -1);
    if (r->bad_bytes)
        return crm_errinfo_set(e, CRM_EUSAGE, "bytes invalid in %s", crm_csvin_encoding(in));
    if (r->nfields != nfields)
        return crm_errinfo_set(e, CRM_EUSAGE, "%zu fields, the header has %zu", r->nfields,
                               nfields);
    *id = r->field[col];
    *len = r->len[col];
    crm_text_trim_blanks(id, len);
    e->column = (int)col + 1;
    if (*len == 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "empty customer id");
    e->column = -1;
    return CRM_OK;
}

enum crm_err crm_campaign_split(const char *path, const struct crm_campaign_split_opts *so,
                                struct crm_out *o, struct crm_campaign_counts *counts,
                                struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = {0};
    memset(counts, 0, sizeof *counts);
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_record r;
    long col;
    rc = read_header(in, so->column, "--column NAME names it", &r, &col, e);
    size_t nfields = r.nfields;
    if (rc == CRM_OK && find_column(&r, "group") >= 0)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "the list already has a group column: split "
                             "the list it came from");
    if (rc == CRM_OK) {
        for (size_t k = 0; k < nfields; k++)
            crm_out_str(o, r.field[k], r.len[k]);
        crm_out_cstr(o, "group");
        crm_out_end_row(o);
    }
    size_t salt_len = strlen(so->salt);
    while (rc == CRM_OK && (rc = crm_csvin_next(in, &r, e)) == CRM_OK && r.nfields > 0 &&
           !crm_out_failed(o)) {
        const char *id;
        size_t len;
        if ((rc = row_id(in, &r, nfields, col, &id, &len, e)) != CRM_OK)
            break;
        enum crm_campaign_group g = crm_campaign_assign(so->salt, salt_len, id, len,
                                                        so->holdout);
        counts->rows++;
        counts->customers[g]++;
        for (size_t k = 0; k < nfields; k++)
            crm_out_str(o, r.field[k], r.len[k]);
        crm_out_cstr(o, group_names[g]);
        crm_out_end_row(o);
    }
    crm_csvin_close(in);
    return rc;
}

/* ---- the groups table ---- */

struct entry {
    uint64_t hash;
    size_t off;              /* into ids */
    uint32_t len;
    int8_t group;
    long long line;
    /* what the store says, in the measured days */
    uint32_t orders;
    int64_t revenue;
    int32_t first;           /* first day with a paid order (index from `from`); -1 none */
    int found;
};

struct crm_campaign_groups {
    struct entry *e;
    size_t n, cap;           /* cap: a power of two; n <= cap / 2 */
    char *ids;
    size_t ids_len, ids_cap;
};

void crm_campaign_groups_free(struct crm_campaign_groups *g)
{
    if (!g)
        return;
    free(g->e);
    free(g->ids);
    free(g);
}

/* The slot of id (empty: len 0 and hash 0 never used by a real entry since len > 0). */
static size_t slot(const struct crm_campaign_groups *g, uint64_t h, const char *id, size_t len)
{
    size_t i = (size_t)h & (g->cap - 1);
    while (g->e[i].len != 0 && !(g->e[i].hash == h && g->e[i].len == len &&
                                 memcmp(g->ids + g->e[i].off, id, len) == 0))
        i = (i + 1) & (g->cap - 1);
    return i;
}

static int grow(struct crm_campaign_groups *g)
{
    size_t cap = g->cap ? g->cap * 2 : 1024, oldcap = g->cap;
    struct entry *old = g->e, *ne = calloc(cap, sizeof *ne);
    if (!ne)
        return -1;
    for (size_t i = 0; i < oldcap; i++) {   /* ids are distinct: probe on the hash only */
        if (!old[i].len)
            continue;
        size_t j = (size_t)old[i].hash & (cap - 1);
        while (ne[j].len)
            j = (j + 1) & (cap - 1);
        ne[j] = old[i];
    }
    free(old);
    g->e = ne;
    g->cap = cap;
    return 0;
}

/* Add id with group; CRM_EUSAGE when it is there with the other group. */
static enum crm_err add_id(struct crm_campaign_groups *g, const char *id, size_t len, int grp,
                           long long line, struct crm_errinfo *e)
{
    if ((g->n + 1) * 2 > g->cap && grow(g) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the groups");
    uint64_t h = crm_hash_bytes(id, len, 0x6361);
    size_t i = slot(g, h, id, len);
    if (g->e[i].len) {
        if (g->e[i].group != grp)
            return crm_errinfo_set(e, CRM_EUSAGE, "customer \"%.*s\" is in %s here and in "
                                   "%s on line %lld", (int)(len > 80 ? 80 : len), id,
                                   group_names[grp], group_names[g->e[i].group],
                                   g->e[i].line);
        return CRM_OK;
    }
    char *ids = crm_grow(g->ids, &g->ids_cap, g->ids_len + len, 1, 65536);
    if (!ids)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the groups");
    g->ids = ids;
    memcpy(g->ids + g->ids_len, id, len);
    g->e[i] = (struct entry){.hash = h, .off = g->ids_len, .len = (uint32_t)len,
                             .group = (int8_t)grp, .line = line, .first = -1};
    g->ids_len += len;
    g->n++;
    return CRM_OK;
}

static int parse_group(const char *s, size_t len)
{
    crm_text_trim_blanks(&s, &len);
    for (int k = 0; k < 2; k++)
        if (len == strlen(group_names[k]) && strncasecmp(s, group_names[k], len) == 0)
            return k;
    return -1;
}

enum crm_err crm_campaign_groups_load(const char *path, const char *column,
                                      struct crm_campaign_groups **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_csvin *in;
    struct crm_csvin_opts co = {0};
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_campaign_groups *g = calloc(1, sizeof *g);
    struct crm_record r;
    long col, gcol = -1;
    if (!g)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK)
        rc = read_header(in, column, "--column NAME names it", &r, &col, e);
    if (rc == CRM_OK && (gcol = find_column(&r, "group")) < 0)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "no group column in the header (make the list "
                             "with crm-campaign split or crm-segment --care --holdout)");
    size_t nfields = r.nfields;
    while (rc == CRM_OK && (rc = crm_csvin_next(in, &r, e)) == CRM_OK && r.nfields > 0) {
        const char *id;
        size_t len;
        if ((rc = row_id(in, &r, nfields, col, &id, &len, e)) != CRM_OK)
            break;
        int grp = parse_group(r.field[gcol], r.len[gcol]);
        if (grp < 0) {
            e->column = (int)gcol + 1;
            rc = crm_errinfo_set(e, CRM_EUSAGE, "group \"%.*s\": expected treatment or "
                                 "control", (int)(r.len[gcol] > 40 ? 40 : r.len[gcol]),
                                 r.field[gcol]);
            break;
        }
        rc = add_id(g, id, len, grp, r.line, e);
    }
    crm_csvin_close(in);
    if (rc != CRM_OK) {
        crm_campaign_groups_free(g);
        return rc;
    }
    *out = g;
    return CRM_OK;
}

/* ---- the measurement ---- */

struct pass {
    const struct crm_campaign_opts *o;
    int32_t end;                 /* first day not measured */
    size_t *map;                 /* store customer → slot; SIZE_MAX: not listed */
    uint32_t mapped, map_cap;
    int64_t *day_revenue[2];     /* per measured day */
};

/* Match the store customers that appeared since the last chunk to the groups. */
static int map_new(struct pass *p, struct crm_campaign_groups *g, const struct crm_store *s)
{
    uint32_t n = crm_store_customer_count(s);
    if (n > p->map_cap) {
        uint32_t cap = p->map_cap ? p->map_cap : 4096;
        while (cap < n)
            cap *= 2;
        size_t *m = realloc(p->map, (size_t)cap * sizeof *m);
        if (!m)
            return -1;
        p->map = m;
        p->map_cap = cap;
    }
    for (uint32_t c = p->mapped; c < n; c++) {
        size_t len;
        const char *id = crm_store_customer_id(s, c, &len);
        size_t i = g->cap ? slot(g, crm_hash_bytes(id, len, 0x6361), id, len) : 0;
        p->map[c] = g->cap && g->e[i].len ? i : SIZE_MAX;
        if (p->map[c] != SIZE_MAX)
            g->e[i].found = 1;
    }
    p->mapped = n;
    return 0;
}

static enum crm_err scan(struct crm_store *s, struct crm_campaign_groups *g, struct pass *p,
                         struct crm_errinfo *e)
{
    struct crm_chunk ch;
    enum crm_err rc;
    while ((rc = crm_store_next(s, &ch, CRM_COL_CUSTOMER | CRM_COL_TIME | CRM_COL_AMOUNT |
                                CRM_COL_STATUS, e)) == CRM_OK && ch.n > 0) {
        if (map_new(p, g, s) != 0)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the store's customers");
        for (uint32_t i = 0; i < ch.n; i++) {
            int32_t d = crm_time_day(ch.time[i]);
            size_t at = p->map[ch.customer[i]];
            if (at == SIZE_MAX || ch.status[i] != CRM_STATUS_PAID || d < p->o->from ||
                d >= p->end)
                continue;
            struct entry *x = &g->e[at];
            int32_t k = d - p->o->from;
            x->orders++;
            x->revenue += ch.amount[i];
            if (x->first < 0 || k < x->first)
                x->first = k;
            p->day_revenue[x->group][k] += ch.amount[i];
        }
    }
    return rc;
}

/* Counts, sums and variances per group; per-day curves. */
static enum crm_err summarise(const struct crm_campaign_groups *g, const struct pass *p,
                              double unit, struct crm_campaign_result *r,
                              struct crm_errinfo *e)
{
    size_t days = (size_t)r->days_measured;
    for (int k = 0; k < 2; k++) {
        r->cum_conversion[k] = calloc(days ? days : 1, sizeof(double));
        r->cum_rpc[k] = calloc(days ? days : 1, sizeof(double));
        if (!r->cum_conversion[k] || !r->cum_rpc[k])
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < g->cap; i++) {
        const struct entry *x = &g->e[i];
        if (!x->len)
            continue;
        struct crm_campaign_side *sd = &r->side[x->group];
        sd->customers++;
        sd->buyers += x->orders > 0;
        sd->orders += x->orders;
        sd->revenue += x->revenue;
        sd->missing += !x->found;
        if (x->first >= 0)
            r->cum_conversion[x->group][x->first] += 1;
    }
    for (int k = 0; k < 2; k++) {
        struct crm_campaign_side *sd = &r->side[k];
        double n = (double)sd->customers;
        if (sd->customers == 0)
            return crm_errinfo_set(e, CRM_EDATA, "the %s group is empty: nothing to compare",
                                   group_names[k]);
        sd->conversion = (double)sd->buyers / n;
        sd->opc_mean = (double)sd->orders / n;
        sd->rpc_mean = (double)sd->revenue / unit / n;
        double buyers = 0, money = 0;
        for (size_t d = 0; d < days; d++) {
            buyers += r->cum_conversion[k][d];
            money += (double)p->day_revenue[k][d];
            r->cum_conversion[k][d] = buyers / n;
            r->cum_rpc[k][d] = money / unit / n;
        }
    }
    double ss[2][2] = {{0, 0}, {0, 0}};   /* [group][orders, revenue] */
    for (size_t i = 0; i < g->cap; i++) {
        const struct entry *x = &g->e[i];
        if (!x->len)
            continue;
        const struct crm_campaign_side *sd = &r->side[x->group];
        double a = x->orders - sd->opc_mean, b = (double)x->revenue / unit - sd->rpc_mean;
        ss[x->group][0] += a * a;
        ss[x->group][1] += b * b;
    }
    for (int k = 0; k < 2; k++) {
        double n1 = (double)r->side[k].customers - 1;
        r->side[k].opc_var = n1 > 0 ? ss[k][0] / n1 : NAN;
        r->side[k].rpc_var = n1 > 0 ? ss[k][1] / n1 : NAN;
    }
    return CRM_OK;
}

static double lift(double diff, double control)
{
    return control != 0 ? diff / control : NAN;
}

static void welch(const struct crm_campaign_side *t, const struct crm_campaign_side *c,
                  int revenue, double level, struct crm_campaign_diff *d)
{
    double mt = revenue ? t->rpc_mean : t->opc_mean, mc = revenue ? c->rpc_mean : c->opc_mean;
    d->diff = mt - mc;
    d->lift = lift(d->diff, mc);
    d->lo = d->hi = d->p = NAN;
    if (t->customers < 2 || c->customers < 2)
        return;
    struct crm_stats_welch w;
    crm_stats_welch(mt, revenue ? t->rpc_var : t->opc_var, (double)t->customers, mc,
                    revenue ? c->rpc_var : c->opc_var, (double)c->customers, level, &w);
    d->lo = w.lo;
    d->hi = w.hi;
    d->p = w.p;
}

static void compare(struct crm_campaign_result *r, double level)
{
    const struct crm_campaign_side *t = &r->side[0], *c = &r->side[1];
    double z = crm_stats_normal_quantile(1 - (1 - level) / 2);
    struct crm_campaign_diff *cv = &r->conversion;
    crm_stats_newcombe(t->buyers, t->customers, c->buyers, c->customers, z, &cv->diff,
                       &cv->lo, &cv->hi);
    cv->lift = lift(cv->diff, c->conversion);
    cv->p = crm_stats_two_prop_p(t->buyers, t->customers, c->buyers, c->customers);
    double nt = (double)t->customers;
    r->buyers = (struct crm_campaign_diff){cv->diff * nt, cv->lo * nt, cv->hi * nt, cv->lift,
                                           cv->p};
    welch(t, c, 0, level, &r->opc);
    welch(t, c, 1, level, &r->rpc);
}

enum crm_err crm_campaign_measure(struct crm_store *s, struct crm_campaign_groups *g,
                                  const struct crm_campaign_opts *o, int money_scale,
                                  struct crm_campaign_result *r, struct crm_errinfo *e)
{
    memset(r, 0, sizeof *r);
    if (o->from >= o->as_of) {
        char d[16], a[16];
        crm_date_format(o->from, d);
        crm_date_format(o->as_of - 1, a);
        return crm_errinfo_set(e, CRM_EDATA, "no orders from %s: the store's last day is %s "
                               "(measure once the days after the contact are imported)", d,
                               a);
    }
    struct pass p = {.o = o, .end = o->from + o->days};
    if (p.end > o->as_of)
        p.end = o->as_of;
    r->days_measured = p.end - o->from;
    for (size_t i = 0; i < g->cap; i++) {
        g->e[i].orders = 0;
        g->e[i].revenue = 0;
        g->e[i].first = -1;
        g->e[i].found = 0;
    }
    enum crm_err rc = CRM_OK;
    for (int k = 0; k < 2; k++)
        if (!(p.day_revenue[k] = calloc((size_t)r->days_measured, sizeof(int64_t))))
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK)
        rc = scan(s, g, &p, e);
    double unit = 1;
    for (int i = 0; i < money_scale; i++)
        unit *= 10;
    if (rc == CRM_OK)
        rc = summarise(g, &p, unit, r, e);
    if (rc == CRM_OK)
        compare(r, o->level);
    free(p.map);
    free(p.day_revenue[0]);
    free(p.day_revenue[1]);
    if (rc != CRM_OK)
        crm_campaign_result_free(r);
    return rc;
}

void crm_campaign_result_free(struct crm_campaign_result *r)
{
    for (int k = 0; k < 2; k++) {
        free(r->cum_conversion[k]);
        free(r->cum_rpc[k]);
        r->cum_conversion[k] = r->cum_rpc[k] = NULL;
    }
}

/* ---- the measure table (crm-campaign measure) ---- */

static void put_diff(struct crm_out *o, const struct crm_campaign_diff *d, int money, int scale,
                     int decimals)
{
    const double v[3] = {d->diff, d->lo, d->hi};
    for (int i = 0; i < 3; i++) {
        if (money && isfinite(v[i]))
            crm_out_money(o, (int64_t)llround(v[i] * pow(10, scale)), scale);
        else
            crm_out_fixed(o, v[i], decimals);
    }
    crm_out_fixed(o, d->lift, 7);
    crm_out_fixed(o, d->p, 7);
}

void crm_campaign_write_result(struct crm_out *o, const struct crm_campaign_result *r,
                               int scale)
{
    const struct crm_campaign_side *t = &r->side[0], *k = &r->side[1];
    double unit = pow(10, scale);
    crm_out_header(o, "metric,treatment,control,difference,difference_lo,difference_hi,lift,"
                      "p_value");
    crm_out_cstr(o, "customers");
    crm_out_int(o, (long long)t->customers);
    crm_out_int(o, (long long)k->customers);
    for (int i = 0; i < 5; i++)
        crm_out_empty(o);
    crm_out_end_row(o);
    crm_out_cstr(o, "buyers");
    crm_out_int(o, (long long)t->buyers);
    crm_out_int(o, (long long)k->buyers);
    put_diff(o, &r->buyers, 0, scale, 2);
    crm_out_end_row(o);
    crm_out_cstr(o, "conversion_rate");
    crm_out_fixed(o, t->conversion, 7);
    crm_out_fixed(o, k->conversion, 7);
    put_diff(o, &r->conversion, 0, scale, 7);
    crm_out_end_row(o);
    crm_out_cstr(o, "orders_per_customer");
    crm_out_fixed(o, t->opc_mean, 7);
    crm_out_fixed(o, k->opc_mean, 7);
    put_diff(o, &r->opc, 0, scale, 7);
    crm_out_end_row(o);
    crm_out_cstr(o, "revenue_per_customer");
    crm_out_money(o, (int64_t)llround(t->rpc_mean * unit), scale);
    crm_out_money(o, (int64_t)llround(k->rpc_mean * unit), scale);
    put_diff(o, &r->rpc, 1, scale, scale);
    crm_out_end_row(o);
}
