/* out: buffered writer for every tool's report. RFC 4180 CSV (quote only when a
 * field holds the delimiter, a quote, CR or LF) or TSV (tabs and line breaks inside a
 * field become spaces); optional UTF-8 BOM with CRLF line ends for spreadsheets; or an
 * XLSX workbook (text/xlsx) whose cells keep the type of the call that wrote them (text,
 * count, money, fixed, date). Numbers are formatted here, never by printf under a user
 * locale: '.' is the decimal point unless CRM_OUT_DECIMAL_COMMA asks for ','. Text cells
 * are never formulas: in spreadsheet-bound CSV (BOM or DECIMAL_COMMA) and with
 * CRM_OUT_ESCAPE one starting with = + - @ tab or CR gets a leading '. Write errors latch:
 * the first one is kept and reported by crm_out_close. */
#ifndef CRM_OUT_H
#define CRM_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CRM_OUT_TSV 1u  /* tab-separated */
#define CRM_OUT_BOM 2u  /* UTF-8 BOM first, CRLF line ends; text cells escaped as ESCAPE */
#define CRM_OUT_XLSX 4u           /* an XLSX workbook (TSV, BOM, DECIMAL_COMMA ignored) */
#define CRM_OUT_ESCAPE 8u         /* a text cell starting with = + - @ tab CR gets a ' */
#define CRM_OUT_DECIMAL_COMMA 16u /* decimals 1234,50, ';' delimiter; text escaped as ESCAPE */

struct crm_out;

/* Writes to fd (not closed by crm_out). name is used in error messages. With CRM_OUT_XLSX
 * the workbook is built in a scratch file and copied to fd by crm_out_close (fd need not
 * seek: a pipe will do); its one sheet is named "report" until crm_out_sheet. */
struct crm_out *crm_out_new(int fd, const char *name, unsigned flags);

/* XLSX: the sheet's name (the report's: "rfm", "kpi", …); before the first row. */
void crm_out_sheet(struct crm_out *o, const char *sheet);

/* XLSX: the scratch file behind the workbook (to remove if a signal ends the run), or NULL
 * (not XLSX, or none could be made). Valid until crm_out_close / crm_out_free. */
const char *crm_out_scratch(const struct crm_out *o);

/* Output to a temporary file that will be fsynced (crm_afile): its bytes are sent back to
 * the disk as they are written (crm_afile_write_behind), so the fsync at the end is short. */
void crm_out_write_behind(struct crm_out *o);

/* A writer into memory (same flags; no BOM is written, CRLF line ends are kept), for
 * formatting rows in another thread: crm_out_mem flushes and returns the bytes so far
 * (valid until the next write; length 0 after an allocation failure), crm_out_mem_clear
 * empties it for reuse. Free it with crm_out_free. */
struct crm_out *crm_out_new_mem(unsigned flags);
const char *crm_out_mem(struct crm_out *o, size_t *len);
void crm_out_mem_clear(struct crm_out *o);

/* Flush and report the first write error (CRM_EPIPE when the reader went away).
 * Frees o in every case. */
enum crm_err crm_out_close(struct crm_out *o, struct crm_errinfo *e);
void crm_out_free(struct crm_out *o);

/* One field each; the separator is added before every field but the first of a row. */
void crm_out_str(struct crm_out *o, const char *s, size_t len);
void crm_out_cstr(struct crm_out *o, const char *s);
void crm_out_empty(struct crm_out *o);
void crm_out_int(struct crm_out *o, long long v);
void crm_out_money(struct crm_out *o, int64_t minor, int scale);  /* 1234.50 */
void crm_out_fixed(struct crm_out *o, double v, int decimals);    /* 0.4263158; NaN: empty */
void crm_out_date(struct crm_out *o, int32_t days);               /* YYYY-MM-DD */
void crm_out_end_row(struct crm_out *o);

/* A whole header row from a comma-separated list of names ("customer_id,r,f,m"). */
void crm_out_header(struct crm_out *o, const char *names);

/* Raw bytes, no quoting or separators (for non-tabular output such as SVG). An XLSX
 * writer holds only tables: raw bytes are a latched error naming the fix. */
void crm_out_raw(struct crm_out *o, const char *s, size_t len);

/* The flags the writer was made with (CRM_OUT_TSV, CRM_OUT_BOM, CRM_OUT_XLSX, …). */
unsigned crm_out_flags(const struct crm_out *o);

/* Nonzero once a write has failed (callers may stop producing rows early). */
int crm_out_failed(const struct crm_out *o);

/* Format v with `decimals` digits after '.', locale-independently, into buf (>= 64 bytes).
 * Returns the length; "-0.0000" is written as "0.0000". A value too large for 63
 * characters (|v| >= ~1e48) is written in scientific notation ("-1.0000000e+300"). */
size_t crm_fmt_fixed(double v, int decimals, char *buf);

#endif
