/* private to lib/scale/: included only by the modules of this folder (and their tests). */
/* scaleio: the one template every report of scale.h writes and merges its partials with.
 * A report is a descriptor (struct crm_scaleio_report): its kind, its sections and, per
 * section, the columns of a row (name and type) and small hooks that give the rows to
 * write or take the rows read. crm_scaleio_emit writes a partial with the partition's
 * identity; crm_scaleio_merge reads every partial of every path, checks its kind and
 * options (against the command line's, then the first partial's) and that no partition
 * comes twice, and hands each row, parsed to its columns' types, to the section's hook.
 *
 * Invariants: a hook sees only rows with the right number of fields and well-formed
 * numbers (an error names the file, the line and the column); each section is read at most
 * once per partial, and a partial without one of the report's required sections is an
 * error when its end line (CRC checked) is reached. */
#ifndef CRM_SCALEIO_H
#define CRM_SCALEIO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "scale/partial.h"
#include "store/store.h"
#include "text/out.h"

#define CRM_SCALEIO_COLS 6      /* columns of a row, at most */

enum crm_scaleio_type { CRM_SCALEIO_I64, CRM_SCALEIO_U64, CRM_SCALEIO_TEXT };

struct crm_scaleio_col {
    const char *name;           /* in messages about a bad field */
    enum crm_scaleio_type type;
};

/* One field of a row: i (I64), u (U64) or text and len (TEXT; read: valid until the next
 * row, NUL-ended). */
struct crm_scaleio_cell {
    int64_t i;
    uint64_t u;
    const char *text;
    size_t len;
};

struct crm_scaleio_merge;

/* A section: its rows are written by rows and row, and read by start, take and end (each
 * hook gets k, the section's index in its report). */
struct crm_scaleio_section {
    const char *name;
    struct crm_scaleio_col col[CRM_SCALEIO_COLS];
    size_t ncol;
    /* emit: the number of rows (returning 0 leaves the section out), and row i */
    int (*rows)(const void *src, size_t k, uint64_t *n);
    void (*row)(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c);
    /* merge: before the rows (may be NULL); row i; after the rows (may be NULL) */
    enum crm_err (*start)(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                          uint64_t rows, struct crm_errinfo *e);
    enum crm_err (*take)(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                         uint64_t i, const struct crm_scaleio_cell *c, struct crm_errinfo *e);
    void (*end)(struct crm_scaleio_merge *m, size_t k);
    /* merge, instead of take: read (or skip) all the rows itself (start is still called) */
    enum crm_err (*read)(struct crm_scaleio_merge *m, struct crm_partial *p, uint64_t rows,
                         struct crm_errinfo *e);
};

struct crm_scaleio_report {
    const char *kind;
    const char *how;            /* how such partials are made, for messages */
    const struct crm_scaleio_section *section;
    size_t nsection;            /* at most 8 */
    unsigned required;          /* bit k: every partial has section k */
    const char *lacks;          /* the message when one is missing */
    /* emit: info lines after the identity (may be NULL) */
    void (*info)(struct crm_partial_writer *w, const void *src);
    /* merge: after each partial's end line and the required-sections check (may be NULL);
     * seen: bit k set when section k was read */
    enum crm_err (*done)(struct crm_scaleio_merge *m, struct crm_partial *p,
                         const struct crm_partial_head *h, unsigned seen,
                         struct crm_errinfo *e);
};

/* Write src as a partial of report r: the options, the store's identity (crm_scale_identity)
 * as info lines, r->info, then every section. A write error latches in o (its close reports
 * it); the rows stop at the first one. */
enum crm_err crm_scaleio_emit(struct crm_out *o, const struct crm_scaleio_report *r,
                              const struct crm_partial_opts *opts, const struct crm_store *s,
                              const void *src, struct crm_errinfo *e);

struct crm_scaleio_ident;

/* A merge in progress, as the hooks see it. */
struct crm_scaleio_merge {
    const struct crm_scaleio_report *report;
    const struct crm_partial_opts *run;
    struct crm_partial_opts ref;       /* the first partial's options */
    char ref_file[256];
    const char *path;                  /* the file being read */
    size_t partials;                   /* read whole so far */
    uint64_t customers;                /* of those partials */
    unsigned seen;                     /* sections of the current partial */
    void *ctx;                         /* the report's merge state */
    struct crm_scaleio_ident *ids;
    size_t nids;
};

/* Merge every partial of paths (none: stdin) into ctx through r's hooks; m gets the options
 * (m->ref), partials and customers. run: the options of this run; as-of, calibration-end,
 * cuts, money-scale and tz may be missing: then they are taken from the first partial. */
enum crm_err crm_scaleio_merge(struct crm_scaleio_merge *m, const struct crm_scaleio_report *r,
                               const char *const *paths, size_t npaths,
                               const struct crm_partial_opts *run, void *ctx,
                               struct crm_errinfo *e);

/* A value and how many customers have it: the runs of the rfm-quintiles and pareto
 * partials. */
struct crm_scaleio_run {
    int64_t value;
    uint64_t count;
};

/* Sort runs by value, ascending, and join equal values (their counts add up); *n and the
 * return value are the runs left. */
size_t crm_scaleio_join(struct crm_scaleio_run *run, size_t *n);

/* Grow *items (of `size` bytes each, capacity *cap) to hold need; -1 when out of memory. */
int crm_scaleio_grow(void **items, size_t *cap, size_t need, size_t size);

#endif
