/* scale: the options and the identity every report's partial records (see scale.h); the
 * reports are in rfmpart, paretopart, churnpart, segpart, kpipart and cohortpart, all on the
 * one template of scaleio. Invariant: an option list is built in one fixed order, so the
 * same run writes the same option lines byte for byte. */
#include "scale/scale.h"

#include <stdio.h>

#include "base/hash.h"
#include "text/timeparse.h"

void crm_scale_base_options(struct crm_partial_opts *o, int32_t as_of,
                            const struct crm_store *s)
{
    char d[16];
    if (as_of != CRM_NO_DAY) {
        crm_date_format(as_of, d);
        crm_partial_opts_add(o, "as-of", "%s", d);
    }
    if (s) {
        crm_partial_opts_add(o, "money-scale", "%d", crm_store_meta(s)->money_scale);
        crm_partial_opts_add(o, "tz", "%s", crm_store_meta(s)->tz);
    }
}

void crm_scale_window_option(struct crm_partial_opts *o, int32_t window_days)
{
    if (window_days)
        crm_partial_opts_add(o, "window", "%d", (int)window_days);
    else
        crm_partial_opts_add(o, "window", "all");
}

enum crm_err crm_scale_as_of(const struct crm_partial_opts *o, const char *file,
                             int32_t *as_of, struct crm_errinfo *e)
{
    const char *v = crm_partial_opts_get(o, "as-of");
    if (!v || crm_date_parse(v, as_of) != 0) {
        crm_errinfo_where(e, file, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "no valid as-of option");
    }
    return CRM_OK;
}

void crm_scale_identity(const struct crm_store *s, uint64_t *customers, uint64_t *fingerprint)
{
    uint32_t n = crm_store_customer_count(s);
    uint64_t f = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        const char *id = crm_store_customer_id(s, i, &len);
        f += crm_hash_stable(id, len);
    }
    *customers = n;
    *fingerprint = f;
}
