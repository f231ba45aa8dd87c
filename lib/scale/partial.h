/* private to lib/scale/: included only by the modules of this folder (and their tests). */
/* partial: the text file that carries a partition's partial result to the merge step of a
 * scale-out run (SPEC §12; the format is documented in docs/SCALE.md). A file holds one or
 * more partials back to back (a cluster's output files concatenated); each is
 *
 *     crmkit-partial 1 KIND
 *     option KEY VALUE      what the numbers mean: as-of date, window, options (must agree)
 *     info KEY VALUE        what this partition holds: customers, fingerprint
 *     section NAME ROWS     then exactly ROWS lines of space-separated fields
 *     end CRC               CRC-32 of every byte of the partial before this line
 *
 * Tokens never hold bytes <= 0x20, 0x7f or '%': text is escaped as %XX (and the empty text
 * is "%"), so ids with spaces, commas or quotes survive. Invariants: a reader never returns
 * a row of a partial whose structure is wrong (an error names the file and line), and a
 * partial whose end line is missing (truncated) or whose CRC differs (edited, damaged) is an
 * error when its end is reached. One trailing tab and one CR per line are ignored before
 * the CRC is taken: Hadoop Streaming appends a tab to output lines without one. */
#ifndef CRM_PARTIAL_H
#define CRM_PARTIAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "text/out.h"

#define CRM_PARTIAL_VERSION 1
#define CRM_PARTIAL_MAX_KV 32   /* option and info lines per partial, each */
#define CRM_PARTIAL_KEY 32      /* bytes of a key or section name, with its NUL */
#define CRM_PARTIAL_VALUE 256   /* bytes of an option or info value (unescaped), with NUL */

/* KEY VALUE pairs: the options (or infos) of a partial, in file order. */
struct crm_partial_kv {
    char key[CRM_PARTIAL_KEY];
    char value[CRM_PARTIAL_VALUE];
    long long line;             /* where it was read; 0 when built in memory */
};

struct crm_partial_opts {
    size_t n;
    struct crm_partial_kv kv[CRM_PARTIAL_MAX_KV];
};

/* Append KEY with a printf-formatted value (truncated to CRM_PARTIAL_VALUE - 1 bytes). */
void crm_partial_opts_add(struct crm_partial_opts *o, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Remove key (no-op when absent). */
void crm_partial_opts_remove(struct crm_partial_opts *o, const char *key);

/* The value of key, NULL when absent. */
const char *crm_partial_opts_get(const struct crm_partial_opts *o, const char *key);

/* CRM_OK when `have` (read from `file`) holds exactly the options of `want` with the same
 * values; else CRM_EUSAGE naming the file, the line and the first difference, with `what`
 * naming the other side ("this run", "part.0"). */
enum crm_err crm_partial_opts_check(const struct crm_partial_opts *have, const char *file,
                                    const struct crm_partial_opts *want, const char *what,
                                    struct crm_errinfo *e);

/* ---- writing ----------------------------------------------------------------------- */

struct crm_partial_writer;

/* Start a partial of `kind` on o (the caller closes o). Write errors latch in o. */
enum crm_err crm_partial_writer_new(struct crm_out *o, const char *kind,
                                    const struct crm_partial_opts *options,
                                    struct crm_partial_writer **out, struct crm_errinfo *e);

void crm_partial_info(struct crm_partial_writer *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A section of exactly `rows` rows; each row is fields then crm_partial_end_row. */
void crm_partial_section(struct crm_partial_writer *w, const char *name, uint64_t rows);
void crm_partial_i64(struct crm_partial_writer *w, int64_t v);
void crm_partial_u64(struct crm_partial_writer *w, uint64_t v);
void crm_partial_text(struct crm_partial_writer *w, const char *s, size_t len);
void crm_partial_end_row(struct crm_partial_writer *w);

/* Write the end line and free w. CRM_EDATA (a bug in the caller) when a section got another
 * number of rows than announced, or a line was too long. */
enum crm_err crm_partial_writer_finish(struct crm_partial_writer *w, struct crm_errinfo *e);
void crm_partial_writer_free(struct crm_partial_writer *w);

/* ---- reading ----------------------------------------------------------------------- */

struct crm_partial;

/* Open path ("-" or NULL: stdin) holding partials. */
enum crm_err crm_partial_open(const char *path, struct crm_partial **out, struct crm_errinfo *e);
void crm_partial_close(struct crm_partial *p);

/* The name used in messages ("stdin" for stdin). */
const char *crm_partial_name(const struct crm_partial *p);

struct crm_partial_head {
    char kind[CRM_PARTIAL_KEY];
    struct crm_partial_opts options;
    struct crm_partial_opts info;
    long long line;             /* of the first line */
};

/* The next partial's header; *got = 0 (CRM_OK) at the end of the file. The previous partial
 * must have been read to its end (crm_partial_section returned *got = 0). A file that is
 * empty or holds something else is CRM_EUSAGE; another format version CRM_EVERSION. */
enum crm_err crm_partial_next(struct crm_partial *p, struct crm_partial_head *h, int *got,
                              struct crm_errinfo *e);

/* The next section of the current partial (name and number of rows); *got = 0 when its end
 * line was read and its CRC checked (CRM_ECORRUPT when it differs, CRM_ETRUNC when the file
 * ends first). The previous section's rows must all have been read. */
enum crm_err crm_partial_section_next(struct crm_partial *p, char name[CRM_PARTIAL_KEY],
                                      uint64_t *rows, int *got, struct crm_errinfo *e);

/* The next row of the current section, split into exactly nfield fields (unescaped, valid
 * until the next call); CRM_EDATA naming the line when the count differs or no row is left. */
enum crm_err crm_partial_row(struct crm_partial *p, char **field, size_t nfield,
                             struct crm_errinfo *e);

/* Skip the rest of the current section (CRC still taken). */
enum crm_err crm_partial_skip_rows(struct crm_partial *p, struct crm_errinfo *e);

/* Hooks of crm_partial_walk, each may be NULL: head, each partial's header; section, each
 * of its sections (it must read or skip all `rows` rows; NULL: skipped); done, after the
 * partial's end line (its CRC checked). A hook's error stops the walk. */
struct crm_partial_walker {
    enum crm_err (*head)(void *ctx, struct crm_partial *p, const struct crm_partial_head *h,
                         struct crm_errinfo *e);
    enum crm_err (*section)(void *ctx, struct crm_partial *p, const char *name, uint64_t rows,
                            struct crm_errinfo *e);
    enum crm_err (*done)(void *ctx, struct crm_partial *p, const struct crm_partial_head *h,
                         struct crm_errinfo *e);
    void *ctx;
};

/* Read every partial of path ("-" or NULL: stdin) to its end through w's hooks; *partials
 * (may be NULL) counts the partials read whole. */
enum crm_err crm_partial_walk(const char *path, const struct crm_partial_walker *w,
                              size_t *partials, struct crm_errinfo *e);

/* Where the next row starts (byte offset in the file, line number), for
 * crm_partial_open_rows; -1 when the input is not a regular file. */
long long crm_partial_offset(const struct crm_partial *p, long long *line);

/* Reopen a section's rows at `offset` (as given by crm_partial_offset before its first row)
 * to read `rows` rows with crm_partial_row only: for a k-way merge of sections that were
 * already read once (and CRC-checked) by crm_partial_open. */
enum crm_err crm_partial_open_rows(const char *path, long long offset, long long line,
                                   uint64_t rows, struct crm_partial **out,
                                   struct crm_errinfo *e);

/* Field parsers: whole decimal numbers only (optional '-' for int64). CRM_EDATA naming the
 * reader's current line and `what` when the text is not one. */
enum crm_err crm_partial_parse_i64(const struct crm_partial *p, const char *text,
                                   const char *what, int64_t *v, struct crm_errinfo *e);
enum crm_err crm_partial_parse_u64(const struct crm_partial *p, const char *text,
                                   const char *what, uint64_t *v, struct crm_errinfo *e);

/* CRM_EDATA at the reader's current line with a message. */
enum crm_err crm_partial_fail(const struct crm_partial *p, struct crm_errinfo *e,
                              enum crm_err code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
