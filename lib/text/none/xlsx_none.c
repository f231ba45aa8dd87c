/* xlsx_none: the xlsx backend of a build without libxlsxwriter — `make static` when no static
 * libxlsxwriter.a is at hand (Debian ships none; docs/SCALE.md). It keeps xlsx.h's contract
 * by failing at once: every workbook is a latched error that names the fix, so a static
 * binary asked for xlsx exits 1 with that message and writes nothing, while CSV and TSV work
 * unchanged. Built instead of xlsx.c only by the Makefile's NO_XLSX=1 (this folder is outside
 * lib/'s wildcard). */
#include "text/xlsx.h"

#include <stdlib.h>

struct crm_xlsx {
    int unused;
};

static const char why[] =
    "this static build has no xlsx output (Debian ships no static libxlsxwriter; build one and "
    "run make static STATIC_XLSX=/path/libxlsxwriter.a): write CSV, or use the dynamic build";

struct crm_xlsx *crm_xlsx_new(const char *sheet)
{
    (void)sheet;
    return calloc(1, sizeof(struct crm_xlsx));
}

void crm_xlsx_sheet(struct crm_xlsx *x, const char *sheet) { (void)x, (void)sheet; }
void crm_xlsx_text(struct crm_xlsx *x, const char *s, size_t len) { (void)x, (void)s, (void)len; }
void crm_xlsx_header_cell(struct crm_xlsx *x, const char *s, size_t len)
{
    (void)x, (void)s, (void)len;
}
void crm_xlsx_number(struct crm_xlsx *x, double v, int decimals) { (void)x, (void)v, (void)decimals; }
void crm_xlsx_date(struct crm_xlsx *x, int32_t days) { (void)x, (void)days; }
void crm_xlsx_skip(struct crm_xlsx *x) { (void)x; }
void crm_xlsx_end_row(struct crm_xlsx *x) { (void)x; }

const char *crm_xlsx_cell_text(struct crm_xlsx *x, const char *s, size_t len)
{
    (void)x, (void)len;
    return s;
}

int crm_xlsx_failed(const struct crm_xlsx *x)
{
    (void)x;
    return 1;
}

const char *crm_xlsx_error(const struct crm_xlsx *x)
{
    (void)x;
    return why;
}

const char *crm_xlsx_finish(struct crm_xlsx *x)
{
    (void)x;
    return NULL;
}

const char *crm_xlsx_scratch(const struct crm_xlsx *x)
{
    (void)x;
    return NULL;
}

void crm_xlsx_free(struct crm_xlsx *x)
{
    free(x);
}
