/* private to lib/text/: xlsx — the spreadsheet backend of crm_out (out.c): one worksheet
 * written with libxlsxwriter in constant-memory mode (one row held at a time), to a scratch
 * file that crm_out copies to its descriptor at close. Cells are typed: text is always a
 * string cell (never a formula, never a number: "00123" stays "00123"), numbers carry a
 * number format with the report's decimals, dates are date cells shown yyyy-mm-dd. The
 * first row written with crm_xlsx_header is bold, frozen and filtered.
 * Invariant: cells arrive in row order, left to right; the first failure is latched and
 * described by crm_xlsx_error, later cells are dropped. */
#ifndef CRM_XLSX_H
#define CRM_XLSX_H

#include <stddef.h>
#include <stdint.h>

struct crm_xlsx;

/* A workbook with one sheet named `sheet` (at most 31 characters, no []:*?/\), written to a
 * scratch file made now in $TMPDIR (or /tmp). NULL when out of memory; a scratch file that
 * cannot be made is a latched error. */
struct crm_xlsx *crm_xlsx_new(const char *sheet);

/* Rename the sheet; only before the first cell. */
void crm_xlsx_sheet(struct crm_xlsx *x, const char *sheet);

void crm_xlsx_text(struct crm_xlsx *x, const char *s, size_t len);
/* The text a cell holds for s: s itself, with any byte that is not part of valid UTF-8
 * written \xNN (a workbook's XML holds only characters). Valid until the next cell; NULL
 * when out of memory (latched). */
const char *crm_xlsx_cell_text(struct crm_xlsx *x, const char *s, size_t len);
void crm_xlsx_header_cell(struct crm_xlsx *x, const char *s, size_t len);  /* bold, row 0 */
void crm_xlsx_number(struct crm_xlsx *x, double v, int decimals);  /* <0: general (counts) */
void crm_xlsx_date(struct crm_xlsx *x, int32_t days);   /* days since 1970-01-01 */
void crm_xlsx_skip(struct crm_xlsx *x);                  /* an empty cell */
void crm_xlsx_end_row(struct crm_xlsx *x);

/* Nonzero once something failed; the message says what (and the fix). */
int crm_xlsx_failed(const struct crm_xlsx *x);
const char *crm_xlsx_error(const struct crm_xlsx *x);

/* Widths, filter and freeze set; the workbook written to the scratch file. Returns its path
 * (to be read by the caller), NULL on failure (see crm_xlsx_error). */
const char *crm_xlsx_finish(struct crm_xlsx *x);

/* The scratch file's path (for removal if a signal ends the run), NULL when none. */
const char *crm_xlsx_scratch(const struct crm_xlsx *x);

/* Remove the scratch file and free everything; NULL is a no-op. */
void crm_xlsx_free(struct crm_xlsx *x);

#endif
