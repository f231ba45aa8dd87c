/* segpart: crm-segment --summary's "segment-summary" partials (customers, orders and
 * revenue per group) and their merge into the summary of the whole, with the option list
 * that decides every customer's group (scale.h). Invariant: every partial lists the same
 * groups in the same order (the first partial's), so a merged group adds only counts of
 * that group. */
#include "scale/scale.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "scale/scaleio.h"

/* A decimal as the shortest text of its value: 300, 299.99, 0.05. */
static void dec_text(struct crm_decimal d, char *buf, size_t size)
{
    int64_t u = d.units;
    int sc = d.scale;
    while (sc > 0 && u % 10 == 0) {
        u /= 10;
        sc--;
    }
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%0*" PRIu64, sc + 1,
                     u < 0 ? (uint64_t)0 - (uint64_t)u : (uint64_t)u);
    if (sc == 0)
        snprintf(buf, size, "%s%s", u < 0 ? "-" : "", digits);
    else
        snprintf(buf, size, "%s%.*s.%s", u < 0 ? "-" : "", n - sc, digits, digits + n - sc);
}

static uLong crc_text(uLong crc, const char *s)
{
    return crc32(crc, (const Bytef *)s, (uInt)strlen(s) + 1);   /* with its NUL */
}

void crm_scale_segment_options(struct crm_partial_opts *o, const struct crm_rfm_opts *ro,
                               const struct crm_segment_opts *so,
                               const struct crm_segment_rules *rules,
                               const struct crm_scale_cuts *cuts, enum crm_segment_by by,
                               int32_t as_of, int32_t window_days, const struct crm_store *s)
{
    crm_scale_rfm_options(o, ro, as_of, window_days, s);
    char m[4][64];
    for (int k = 0; k < 4; k++)
        dec_text(ro->m_bins[k], m[k], sizeof m[k]);
    crm_partial_opts_add(o, "r-bins", "%d,%d,%d,%d", (int)ro->r_bins[0], (int)ro->r_bins[1],
                         (int)ro->r_bins[2], (int)ro->r_bins[3]);
    crm_partial_opts_add(o, "f-bins", "%u,%u,%u,%u", (unsigned)ro->f_bins[0],
                         (unsigned)ro->f_bins[1], (unsigned)ro->f_bins[2],
                         (unsigned)ro->f_bins[3]);
    crm_partial_opts_add(o, "m-bins", "%s,%s,%s,%s", m[0], m[1], m[2], m[3]);
    crm_partial_opts_add(o, "weights", "%d,%d,%d", ro->weights[0], ro->weights[1],
                         ro->weights[2]);
    crm_partial_opts_add(o, "tiers", "%d,%d,%d", ro->tiers[0], ro->tiers[1], ro->tiers[2]);
    crm_partial_opts_add(o, "new-days", "%d", (int)so->new_days);
    crm_partial_opts_add(o, "dormant-days", "%d", (int)so->dormant_days);
    crm_partial_opts_add(o, "vip-orders", "%u", (unsigned)so->vip_orders);
    crm_partial_opts_add(o, "vip-items", "%u", (unsigned)so->vip_items);
    dec_text(so->vip_money, m[0], sizeof m[0]);
    crm_partial_opts_add(o, "vip-money", "%s", m[0]);
    /* rules and cut points are long: their CRC-32 stands for them */
    struct crm_segment_rules *own = NULL;
    if (!rules && crm_segment_rules_default(&own, NULL) == CRM_OK)
        rules = own;
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t i = 0; rules && i < rules->n; i++) {
        const struct crm_segment_rule *r = &rules->rule[i];
        char t[64];
        snprintf(t, sizeof t, "%d %d %d %d %d %d", r->lo[0], r->hi[0], r->lo[1], r->hi[1],
                 r->lo[2], r->hi[2]);
        crc = crc_text(crc_text(crc, r->name), t);
    }
    crm_segment_rules_free(own);
    crm_partial_opts_add(o, "rules", "%08lx", (unsigned long)crc);
    if (cuts) {
        crc = crc32(0L, Z_NULL, 0);
        for (int d = 0; d < 3; d++) {
            for (int k = 0; k < 4; k++) {
                char t[32];
                if (cuts->cut[d].has[k])
                    snprintf(t, sizeof t, "%" PRId64, cuts->cut[d].cut[k]);
                else
                    snprintf(t, sizeof t, "-");
                crc = crc_text(crc, t);
            }
        }
        crm_partial_opts_add(o, "cuts", "%08lx", (unsigned long)crc);
    } else {
        crm_partial_opts_add(o, "cuts", "own");
    }
    crm_partial_opts_add(o, "by", "%s", by == CRM_SEGMENT_BY_CLASS ? "class"
                                        : by == CRM_SEGMENT_BY_VIP ? "vip" : "segment");
}

/* ---- emit: src is the struct crm_segment_summary ---- */

static int groups_rows(const void *src, size_t k, uint64_t *n)
{
    (void)k;
    *n = ((const struct crm_segment_summary *)src)->n;
    return 1;
}

static void groups_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    (void)k;
    const struct crm_segment_group *g = &((const struct crm_segment_summary *)src)->group[i];
    c[0].text = g->name;
    c[0].len = strlen(g->name);
    c[1].u = g->customers;
    c[2].u = g->orders;
    c[3].i = g->revenue;
}

/* ---- merge ---- */

struct segment_merge {
    struct crm_segment_group *group;
    char **name;
    size_t n;
    int have;                   /* the first partial's groups are set */
};

static enum crm_err groups_start(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                 uint64_t rows, struct crm_errinfo *e)
{
    (void)k;
    struct segment_merge *x = m->ctx;
    if (x->have && rows != x->n)
        return crm_partial_fail(p, e, CRM_EDATA, "%" PRIu64 " groups, but the first partial "
                                "has %zu", rows, x->n);
    if (x->have)
        return CRM_OK;
    if (rows > 4096)
        return crm_partial_fail(p, e, CRM_EDATA, "too many groups");
    x->group = calloc(rows ? rows : 1, sizeof *x->group);
    x->name = calloc(rows ? rows : 1, sizeof *x->name);
    if (!x->group || !x->name)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    x->n = (size_t)rows;
    x->have = 1;
    return CRM_OK;
}

static enum crm_err groups_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                                uint64_t i, const struct crm_scaleio_cell *c,
                                struct crm_errinfo *e)
{
    (void)k;
    struct segment_merge *x = m->ctx;
    if (!x->name[i] && !(x->name[i] = strdup(c[0].text)))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (strcmp(x->name[i], c[0].text) != 0)
        return crm_partial_fail(p, e, CRM_EDATA, "group \"%s\", but the first partial has "
                                "\"%s\" here", c[0].text, x->name[i]);
    struct crm_segment_group *g = &x->group[i];
    if (__builtin_add_overflow(g->revenue, c[3].i, &g->revenue))
        return crm_partial_fail(p, e, CRM_EDATA, "revenue overflows");
    g->customers += c[1].u;
    g->orders += c[2].u;
    return CRM_OK;
}

static const struct crm_scaleio_section SECTIONS[] = {
    {"groups", {{"name", CRM_SCALEIO_TEXT}, {"customers", CRM_SCALEIO_U64},
                {"orders", CRM_SCALEIO_U64}, {"revenue", CRM_SCALEIO_I64}}, 4,
     groups_rows, groups_row, groups_start, groups_take, NULL, NULL},
};

static const struct crm_scaleio_report REPORT = {
    "segment-summary", "crm-segment --summary --emit-partial", SECTIONS, 1, 1u,
    "the partial has no groups", NULL, NULL,
};

enum crm_err crm_scale_segment_emit(struct crm_out *o, const struct crm_partial_opts *opts,
                                    const struct crm_segment_summary *sum,
                                    const struct crm_store *s, struct crm_errinfo *e)
{
    return crm_scaleio_emit(o, &REPORT, opts, s, sum, e);
}

void crm_scale_summary_free(struct crm_segment_summary *sum)
{
    if (!sum)
        return;
    for (size_t k = 0; k < sum->n; k++)
        free((char *)sum->group[k].name);
    crm_segment_summary_free(sum);
}

enum crm_err crm_scale_segment_merge(const char *const *paths, size_t npaths,
                                     const struct crm_partial_opts *run,
                                     struct crm_segment_summary **out,
                                     struct crm_partial_opts *options, struct crm_errinfo *e)
{
    *out = NULL;
    struct segment_merge x;
    memset(&x, 0, sizeof x);
    struct crm_scaleio_merge m;
    enum crm_err rc = crm_scaleio_merge(&m, &REPORT, paths, npaths, run, &x, e);
    struct crm_segment_summary *sum = rc == CRM_OK ? calloc(1, sizeof *sum) : NULL;
    if (rc == CRM_OK && !sum)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc != CRM_OK) {
        for (size_t k = 0; k < x.n; k++)
            free(x.name[k]);
        free(x.name);
        free(x.group);
        return rc;
    }
    for (size_t k = 0; k < x.n; k++)
        x.group[k].name = x.name[k];   /* owned by the summary now */
    free(x.name);
    sum->n = x.n;
    sum->group = x.group;
    crm_segment_summary_finish(sum);
    if (options)
        *options = m.ref;
    *out = sum;
    return CRM_OK;
}
