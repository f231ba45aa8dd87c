/* optval: option values and the one wording of their refusal (see optval.h). */
#include "text/optval.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum crm_err crm_optval_number(const char *opt, const char *text, double lo, double hi,
                               double *out, struct crm_errinfo *e)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < lo || v > hi)
        return crm_errinfo_set(e, CRM_EUSAGE, "%s %s: expected a number from %g to %g", opt,
                               text, lo, hi);
    *out = v;
    return CRM_OK;
}

enum crm_err crm_optval_integer(const char *opt, const char *text, long lo, long hi,
                                long *out, struct crm_errinfo *e)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > hi)
        return crm_errinfo_set(e, CRM_EUSAGE, "%s %s: expected a whole number from %ld to %ld",
                               opt, text, lo, hi);
    *out = v;
    return CRM_OK;
}

enum crm_err crm_optval_days(const char *opt, const char *text, int allow_all, int32_t *out,
                             struct crm_errinfo *e)
{
    if (allow_all && strcmp(text, "all") == 0) {
        *out = 0;
        return CRM_OK;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    long mult = 1;
    if (end != text && (*end == 'd' || *end == 'w') && end[1] == '\0') {
        mult = *end == 'w' ? 7 : 1;
        end++;
    }
    if (errno || end == text || *end || v < (allow_all ? 1 : 0) || v > 1000000)
        return crm_errinfo_set(e, CRM_EUSAGE, "%s %s: expected a number of days (e.g. 90, 90d "
                               "or 13w)%s", opt, text, allow_all ? " or all" : "");
    *out = (int32_t)(v * mult);
    return CRM_OK;
}
