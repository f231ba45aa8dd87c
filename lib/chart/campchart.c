/* campchart: both groups of a campaign day by day (see campchart.h). Invariant: it only
 * reads the result; numbers in text go through crm_svg_format_number (locale-free). */
#include "chart/campchart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/timeparse.h"

static size_t pct(double v, int decimals, char *buf)
{
    size_t n = crm_svg_format_number(v * 100, decimals, buf);
    memcpy(buf + n, "%", 2);
    return n + 1;
}

static void subtitle(struct crm_svg *s, const struct crm_campaign_result *r, double level)
{
    char a[40], b[40], lo[40], hi[40], lv[40], p[40], t[320];
    pct(r->side[0].conversion, 1, a);
    pct(r->side[1].conversion, 1, b);
    pct(r->conversion.lo, 1, lo);
    pct(r->conversion.hi, 1, hi);
    pct(level, 0, lv);
    crm_svg_format_number(r->conversion.p, 4, p);
    snprintf(t, sizeof t, "conversion %s (treatment, %llu) vs %s (control, %llu); "
             "difference %s interval %s to %s, p = %s", a,
             (unsigned long long)r->side[0].customers, b,
             (unsigned long long)r->side[1].customers, lv, lo, hi, p);
    crm_svg_subtitle(s, t);
}

enum crm_err crm_chart_campaign(const struct crm_campaign_result *r, int32_t from, double level,
                                struct crm_svg **out, struct crm_errinfo *e)
{
    *out = NULL;
    size_t n = (size_t)r->days_measured;
    char d[16], title[96];
    crm_date_format(from, d);
    snprintf(title, sizeof title, "Campaign of %s: treatment and control", d);
    struct crm_svg *s = crm_svg_new(0, 0, title);
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!s || !x) {
        crm_svg_free(s);
        free(x);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory for the chart");
    }
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i + 1;
    subtitle(s, r, level);
    crm_svg_axis(s, CRM_SVG_X, n > 1 ? 1 : 0, n > 1 ? (double)n : 1,
                 "Days since the contact date", 0);
    crm_svg_axis(s, CRM_SVG_Y, NAN, NAN, "Share of the group who bought", CRM_SVG_PERCENT);
    crm_svg_axis(s, CRM_SVG_Y2, NAN, NAN, "Revenue per customer so far", 0);
    static const char *const color[2] = {"#2f6fb0", "#ed7d31"};
    static const char *const conv_name[2] = {"Treatment: bought", "Control: bought"};
    static const char *const rev_name[2] = {"Treatment: revenue per customer",
                                            "Control: revenue per customer"};
    for (int g = 0; g < 2; g++) {
        struct crm_svg_style cs = {CRM_SVG_Y, conv_name[g], color[g], 0};
        struct crm_svg_style rs = {CRM_SVG_Y2, rev_name[g], color[g], CRM_SVG_DASHED};
        crm_svg_line(s, x, r->cum_conversion[g], n, &cs);
        crm_svg_line(s, x, r->cum_rpc[g], n, &rs);
    }
    free(x);
    const char *doc;
    size_t len;
    enum crm_err rc = crm_svg_render(s, &doc, &len, e);
    if (rc != CRM_OK) {
        crm_svg_free(s);
        return rc;
    }
    *out = s;
    return CRM_OK;
}
