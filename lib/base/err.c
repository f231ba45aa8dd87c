/* err: error codes and the location-carrying error record (see err.h). */
#include "base/err.h"

#include <stdio.h>
#include <string.h>

static const char *const messages[CRM_ERR_COUNT] = {
    [CRM_OK] = "success",
    [CRM_ENOMEM] = "out of memory",
    [CRM_EIO] = "input/output error",
    [CRM_EDATA] = "bad input data",
    [CRM_ECORRUPT] = "corrupt store",
    [CRM_EVERSION] = "unsupported store version",
    [CRM_ETRUNC] = "truncated input",
    [CRM_EUSAGE] = "usage error",
    [CRM_ELOCKED] = "store is locked by another writer",
    [CRM_EMODEL] = "model fit failed",
    [CRM_EPIPE] = "broken pipe",
};

const char *crm_strerror(enum crm_err code)
{
    if ((unsigned)code >= CRM_ERR_COUNT)
        return "unknown error";
    return messages[code];
}

void crm_errinfo_clear(struct crm_errinfo *e)
{
    if (!e)
        return;
    e->code = CRM_OK;
    e->file[0] = '\0';
    e->line = -1;
    e->column = -1;
    e->chunk = -1;
    e->msg[0] = '\0';
}

enum crm_err crm_errinfo_vset(struct crm_errinfo *e, enum crm_err code, const char *fmt,
                              va_list ap)
{
    if (!e)
        return code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

enum crm_err crm_errinfo_set(struct crm_errinfo *e, enum crm_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crm_errinfo_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void crm_errinfo_where(struct crm_errinfo *e, const char *file, long long line, int column,
                       long long chunk)
{
    if (!e)
        return;
    if (file)
        snprintf(e->file, sizeof e->file, "%s", file);
    e->line = line;
    e->column = column;
    e->chunk = chunk;
}

void crm_errinfo_format(const struct crm_errinfo *e, char *buf, unsigned long size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (e->file[0])
        n += (size_t)snprintf(buf + n, size - n, "%s:", e->file);
    if (n < size && e->line >= 0)
        n += (size_t)snprintf(buf + n, size - n, "%lld:", e->line);
    if (n < size && e->chunk >= 0)
        n += (size_t)snprintf(buf + n, size - n, "%schunk %lld:", n ? " " : "", e->chunk);
    if (n < size && e->column >= 0)
        n += (size_t)snprintf(buf + n, size - n, "%sfield %d:", n ? " " : "", e->column);
    if (n < size)
        snprintf(buf + n, size - n, "%s%s", n ? " " : "", e->msg[0] ? e->msg : crm_strerror(e->code));
}
