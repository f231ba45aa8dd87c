/* internal to lib/: the tools in cmd/ do not include it. */
/* csvin: order files in, records out. Reads a file or stdin, inflates gzip (detected by
 * its magic bytes, never the name), strips a UTF-8 BOM, decides the encoding
 * (auto: UTF-8 when the first 1 MiB is valid UTF-8, else GB18030) and the delimiter
 * (auto: from the first line), parses with libcsv and returns records whose fields are
 * UTF-8. Every record knows the physical line it starts on (the header is line 1). A
 * record with bytes that are invalid in the chosen encoding is flagged, its bad bytes
 * shown as \xNN, so the caller can reject exactly that row; so is a record swallowed by a
 * broken quote (quote_lines). Blank and whitespace-only lines count as lines and take no
 * memory. */
#ifndef CRM_CSVIN_H
#define CRM_CSVIN_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define CRM_CSV_WHITESPACE ' '   /* delimiter: runs of spaces/tabs separate fields */

struct crm_csvin_opts {
    int delimiter;            /* 0: detect; ',', '\t', ';', '|', CRM_CSV_WHITESPACE, ... */
    const char *encoding;     /* NULL/"auto", or an iconv name ("gbk", "latin1", ...) */
    size_t segment_bytes;     /* a regular file larger than this is parsed in segments on
                                 two threads; 0: 1 MiB; (size_t)-1: never (tests) */
    int libcsv_only;          /* tests: every line through libcsv, none split directly */
    size_t seg_block_bytes;   /* tests: bytes a segment reader reads at a time; 0: 128 KiB */
};

struct crm_record {
    size_t nfields;
    const char *const *field; /* NUL-terminated UTF-8 */
    const size_t *len;
    long long line;           /* physical line where the record starts */
    int bad_bytes;            /* some bytes were invalid in the input encoding (or NUL) */
    long long quote_lines;    /* 0, or the physical lines this record swallowed in a quoted
                                 field still open at the end of the input or spanning more
                                 than CRM_CSV_QUOTE_LINES lines: a broken quote */
};

#define CRM_CSV_QUOTE_LINES 100

struct crm_csvin;

/* path NULL or "-": stdin. head/head_len: bytes already read from fd (may be NULL/0). */
enum crm_err crm_csvin_open(const char *path, const struct crm_csvin_opts *o,
                            struct crm_csvin **out, struct crm_errinfo *e);
enum crm_err crm_csvin_open_fd(int fd, const char *name, const void *head, size_t head_len,
                               const struct crm_csvin_opts *o, struct crm_csvin **out,
                               struct crm_errinfo *e);
void crm_csvin_close(struct crm_csvin *c);

/* Next non-empty record; returns CRM_OK with rec->nfields == 0 at the end of input.
 * The record is valid until the next call. */
enum crm_err crm_csvin_next(struct crm_csvin *c, struct crm_record *rec, struct crm_errinfo *e);

/* The next batch of records (all valid until the next call of either function); *n == 0
 * at the end of input. After crm_csvin_next, it returns the rest of that record's batch. */
enum crm_err crm_csvin_next_batch(struct crm_csvin *c, const struct crm_record **recs,
                                  size_t *n, struct crm_errinfo *e);

/* A per-row hook run by the reader threads on each batch once set (batches parsed before
 * come without): fn(ctx, recs, n, out) fills n entries of `size` bytes at out. It runs
 * while the caller works on earlier batches, so it may only read what the caller leaves
 * unchanged; ctx must outlive the reader (crm_csvin_close). */
typedef void (*crm_csvin_prep_fn)(void *ctx, const struct crm_record *recs, size_t n,
                                  void *out);
void crm_csvin_set_prep(struct crm_csvin *c, crm_csvin_prep_fn fn, void *ctx, size_t size);

/* crm_csvin_next_batch, and the hook's entries for those records (*prep NULL when the
 * batch was parsed before the hook was set). */
enum crm_err crm_csvin_next_batch_prep(struct crm_csvin *c, const struct crm_record **recs,
                                       size_t *n, const void **prep, struct crm_errinfo *e);

const char *crm_csvin_name(const struct crm_csvin *c);
const char *crm_csvin_encoding(const struct crm_csvin *c);   /* "UTF-8", "GB18030", ... */
int crm_csvin_delimiter(const struct crm_csvin *c);
int crm_csvin_gzipped(const struct crm_csvin *c);
unsigned long long crm_csvin_bytes(const struct crm_csvin *c);   /* input bytes read */

/* The record as text for a rejects file: fields joined by the delimiter, quoted where
 * needed (unquoted fields lose their surrounding spaces, as libcsv trims them). */
void crm_csvin_format_record(const struct crm_csvin *c, const struct crm_record *rec,
                             struct crm_buf *out);

/* Parse a delimiter option: "," ";" "|" "tab" "\t" "space" "whitespace"; -1 if bad. */
int crm_csvin_parse_delimiter(const char *s);

#endif
