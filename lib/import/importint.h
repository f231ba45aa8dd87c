/* private to lib/import/: included only by the modules of this folder (and their tests). */
/* importint: the importer's inside, shared by the files import.c was split into — struct
 * crm_import and its window, suspect and row types, the small inline helpers of the hot
 * path, and the functions one file calls in another. The design note (the window, `seen`,
 * the suspects, nothing lost) is at the top of import.c. Invariant: only lib/import/
 * includes this; the tools see struct crm_import as opaque (import.h). */
#ifndef CRM_IMPORTINT_H
#define CRM_IMPORTINT_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "import/idset.h"
#include "import/import.h"
#include "import/importrep.h"
#include "import/lineitems.h"
#include "import/preset.h"
#include "store/dict.h"
#include "text/csvin.h"
#include "text/numid.h"
#include "text/textfield.h"

#define WMAP_BUCKETS (CRM_IMPORT_WINDOW / 2)   /* ~2 open orders a bucket of 7 ways */
#define WMAP_WAYS 7

/* Internal status code: an order whose final status is refunded (Taobao 退款成功, Shopify
 * refunded). Its sale never counted, so it is stored as refunded with no money: --net
 * subtracts only real return rows and refunded parts (SPEC §13.1). */
#define STATUS_REFUNDED_ORDER CRM_STATUS_COUNT

/* ---- statuses ---- */

struct status_entry {
    char *text;          /* normalised: trimmed, ASCII lower case */
    size_t len;
    uint8_t status;
};

/* Two cache lines exactly (the ring is page-aligned), written when an order begins and
 * read when it closes 65,536 orders later. */
struct open_order {
    uint64_t hash;           /* of the order id; 0: no id */
    int64_t time, amount, quantity;
    int64_t id_number;       /* the id's crm_numid_split */
    char *id;                /* points to id_inline or to the heap */
    uint32_t customer;       /* in the dictionary of partition `part` */
    uint32_t part;
    uint32_t rows;
    uint32_t id_len;
    uint8_t id_digits, status, has_amount, cur_len;
    uint8_t same_amount;     /* rows with an amount: 1 one, 2 more all equal (JD), 0 other */
    char cur[16];
    int64_t refunded;        /* refunded part (partially refunded orders) */
    int64_t first_amount;
    char id_inline[24];
};

_Static_assert(sizeof(struct open_order) == 128, "a window entry is two cache lines");

/* A row whose order id hash was already stored: held until finish. */
struct suspect {
    size_t text;             /* offsets into imp->sus_text */
    uint32_t id_len, cust_len, cur_len, raw_len, file;
    uint32_t item_len[3];    /* its line item's product id, name, category (after raw) */
    long long line;
    int64_t time, amount, quantity, refunded;
    uint8_t status, has_time, has_amount, has_qty, has_status, confirmed, refund_order;
};

struct colmap {
    int col[CRM_F_COUNT];    /* 0-based column, -1: absent */
    size_t ncols;
    int email;               /* the customer column holds e-mail: compared without case */
};


/* Window map: one cache line a bucket, of ways holding an order's sequence number (low 32
 * bits) and a tag from the id hash (low 32 bits, | 1; 0 = never used), so a lookup rarely
 * looks at the ring. An entry is live while its order is open; a dead one is reused. A
 * bucket whose ways were all live sends an insert on to the next bucket and notes that
 * order's number in `spill_seq`: lookups go on past the bucket while that order (the
 * newest to spill, so the last to close) is open. */
struct wslot {
    uint32_t seq;
    uint32_t tag;
};

struct wbucket {
    uint32_t spill_seq, spilled;
    struct wslot way[WMAP_WAYS];
};

_Static_assert(sizeof(struct wbucket) == 64, "a window-map bucket is one cache line");

struct held_file {
    char *name;
    struct colmap map;
};

/* The first part is set up before a file's rows and then only read while the reader
 * threads run prep_rows on them; what the main thread changes row by row starts on a
 * cache line of its own (`st`), or every write there would pull the line away from the
 * readers (perf put a third of prep_rows on reading `preset` next to the counters). */
struct crm_import {
    /* read by the reader threads */
    struct crm_import_opts o;
    const struct crm_preset *preset;
    size_t nw;
    int scale;
    struct status_entry *statuses;
    size_t nstatus, status_cap;
    unsigned money_flags;               /* CRM_MONEY_* for amounts (from the options) */
    int cust_hash_all;                  /* 0: a customer id with a number is left unhashed
                                           (the direct map takes it by number); set once,
                                           atomically, by the main thread when many were
                                           not taken so: from then on every id is hashed */
    struct colmap stream_map;           /* the file's columns, read by prep_rows */
    char **stream_hdr;                  /* its header, to spot a repeat (prep_rows); */
    size_t *stream_hlen;                /* kept until the next file or free: the reader */
    size_t stream_nh;                   /* threads may read it until the input closes */
    /* the main thread's */
    _Alignas(64) struct crm_import_stats st;
    size_t last_status;
    struct crm_store_writer **w;        /* nw writers: the partitions */
    struct crm_dict **dict;             /* their dictionaries */
    struct crm_out *rejects;
    /* window */
    struct open_order *win;
    size_t win_head, win_count;
    uint64_t win_seq;                   /* sequence number of the order at win_head */
    uint64_t last_h, last_seq;          /* the order the last row was placed in: its id's
                                           hash (0: none) and sequence number */
    uint64_t cust_num1;                 /* the row being placed: its customer id's number
                                           in its dictionary's form + 1, found by its
                                           prefetch (0: unknown; taken by open_order).
                                           Written every row: kept with the window's
                                           fields, off the lines the readers read */
    struct wbucket *wmap;
    uint64_t wmap_upto;                 /* orders of sequence number below it are mapped
                                           (or closed): wmap_find maps the rest first */
    uint64_t wmap_finds;                /* look-ups of the map, counted */
    int wmap_hot;                       /* the last batch looked up the map: its rows'
                                           buckets are fetched ahead (prefetch_keys) */
    struct crm_idset *seen;             /* order ids begun (and stored ones loaded) */
    struct crm_idset_at seen_at;        /* where do_row found the row's id missing, for
                                           open_order (word NULL outside do_row) */
    struct crm_lineitems *items;        /* open orders' line items, NULL: not kept */
    /* suspects */
    struct suspect *sus;
    size_t nsus, sus_cap;
    struct crm_buf sus_text;
    struct held_file *files;    /* files that suspects came from */
    size_t nfiles;
    /* per file */
    char last_encoding[32];
    int last_delim;
    struct crm_buf scratch, raw, keybuf;
    int oom;
    unsigned notes;                     /* CRM_NOTE_* */
    int sniffing;                       /* --sniff: map what can be mapped, report the rest */
    int detect_done;                    /* detect_preset has looked at a header */
    size_t user_statuses;               /* entries from --status, first in the table */
    int finishing;                      /* crm_import_finish: orders leaving are written */
    struct open_order *over;            /* --line-items unsorted: orders kept open */
    size_t nover, over_cap, over_mask;
    uint32_t *over_index;               /* index + 1 by id hash, open addressing */
    uint64_t *existing;                 /* per writer: orders in the store before */
    int stored_before;                  /* some writer had orders: load_probed may load */
    char first_rej[CRM_IMPORT_FIRST_REJECTS][320];
    size_t nfirst;
};
/* ---- small helpers ---- */

/* Before an option named in a hint: nothing for crm-import, "crm-import " for a tool
 * importing on the fly, which does not take import options. */
static inline const char *via(const struct crm_import *imp)
{
    return imp->o.on_the_fly ? "crm-import " : "";
}


/* Trim spaces and the spreadsheet text markers (lib/text/textfield.h). */
static inline void clean_text(const char **ps, size_t *plen)
{
    const char *e = *ps + *plen;
    crm_text_unwrap(ps, &e);
    *plen = (size_t)(e - *ps);
}

static inline size_t cap_len(size_t n, size_t cap)
{
    return n < cap ? n : cap;
}
/* A row being read. `quiet`: a reader thread parsing ahead (import_stream), which writes
 * nothing and changes nothing in imp — a row it cannot take whole is left to the caller's
 * thread, which parses it again and rejects or skips it. */
struct rowctx {
    struct crm_import *imp;
    struct crm_csvin *in;
    const struct crm_record *rec;
    int quiet;
    size_t *last_status;     /* the status table entry matched last (a cache) */
};
/* -1 when the text is not in the table (its keys are lower case; ASCII letters of s
 * compared without case). */
static inline __attribute__((always_inline)) int
lookup_status(const struct crm_import *imp, size_t *last_status, const char *s, size_t len)
{
    if (!imp->nstatus)
        return -1;
    const struct status_entry *last = &imp->statuses[*last_status];
    if (last->len == len && crm_text_equal_lower(s, last->text, len))
        return last->status;
    for (size_t i = 0; i < imp->nstatus; i++) {
        if (imp->statuses[i].len == len && crm_text_equal_lower(s, imp->statuses[i].text, len)) {
            *last_status = i;
            return imp->statuses[i].status;
        }
    }
    return -1;
}
static inline size_t wbucket_of(uint64_t h)
{
    return (size_t)(h >> 40) & (WMAP_BUCKETS - 1);      /* bits the tag does not use */
}
/* ---- parsed rows ---- */

/* A row's order id and customer id, cleaned, with their hashes: computed for a whole batch
 * first so the hash-table slots can be prefetched a few rows ahead of their use. */
struct keys {
    const char *id, *cust;
    size_t id_len, cust_len;
    struct crm_numid id_num;
    uint64_t id_h, cust_h;
    struct crm_numid cust_num;
    uint32_t part;
    int usable;                         /* field count and bytes fine */
};

/* A data row: its keys, and its values once parse_row has checked them. The reader threads
 * fill one in place in a struct prow (no copy crosses between threads). */
struct row {
    struct keys k;
    const char *cur;
    size_t cur_len;
    int64_t time, amount, quantity, refunded;
    uint8_t has_time, has_amount, has_qty, has_status, status, refund_order, rounded;
    struct crm_lineitem_text item;      /* product columns (line items kept); last: the main
                                           thread reads it only when items are kept */
};
static inline const char *fieldtext(const struct crm_record *rec, const struct colmap *m,
                                    enum crm_field f, size_t *len)
{
    int c = m->col[f];
    if (c < 0) {
        *len = 0;
        return "";
    }
    const char *s = rec->field[c];
    *len = rec->len[c];
    return s;
}
/* A row prepared ahead by a reader thread: its keys, and when `parsed` its values, checked
 * (parse_row). */
struct prow {
    uint8_t parsed;
    uint8_t header;                     /* the file's header line again */
    struct row r;                       /* what the main thread reads of a row (all but
                                           the item, at the end) in its first 152 bytes:
                                           fewer of the lines a reader wrote cross over */
};

/* ---- between the files ---- */

/* importrej.c: the rejects file and the first rejects kept for stderr */
void write_reject(struct crm_import *imp, const char *file, long long line,
                  const char *reason, const char *raw, size_t raw_len);
/* A record not stored, to the rejects file (reason, then the record), counted in *count. */
void reject_record(struct crm_import *imp, struct crm_csvin *in, const struct crm_record *rec,
                   uint64_t *count, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void reject_row(struct rowctx *r, enum crm_reject why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void skip_row(struct rowctx *r, enum crm_skip why);

/* import.c: the status table */
enum crm_err add_status_spec(struct crm_import *imp, const char *spec, int groups,
                             struct crm_errinfo *e);

/* importmap.c: a file's columns → fields */
int is_digits(const char *s, size_t len);
void list_columns(const struct crm_record *hdr, char *buf, size_t size);
int find_candidates(const struct crm_record *hdr, const char *cands,
                    const struct colmap *used);
size_t field_candidates(const struct crm_record *hdr, const struct colmap *m,
                        enum crm_field f, char *buf, size_t size);
enum crm_err detect_preset(struct crm_import *imp, const struct crm_record *hdr,
                           struct crm_errinfo *e);
enum crm_err first_record(struct crm_import *imp, const struct crm_record *rec, int *is_header,
                          struct crm_errinfo *e);
enum crm_err map_columns(struct crm_import *imp, struct crm_csvin *in,
                         const struct crm_record *hdr, int is_header, struct colmap *m,
                         struct crm_errinfo *e);
enum crm_err start_items(struct crm_import *imp, struct colmap *m, const char *file,
                         struct crm_errinfo *e);

/* importrow.c: one row's keys and values */
int parse_time(struct crm_import *imp, const char *s, size_t len, int64_t *out);
void key_numbers(const struct crm_import *imp, struct keys *k);
void prepare_keys_of(const struct crm_import *imp, const struct crm_record *rec,
                     const struct colmap *m, struct keys *k);
int parse_row(struct rowctx *r, const struct colmap *m, struct row *rw);
void prep_rows(void *ctx, const struct crm_record *recs, size_t n, void *out);

/* importwin.c: the window of open orders */
struct open_order *wmap_find(struct crm_import *imp, uint64_t h, const char *id, size_t len);
struct open_order *over_find(const struct crm_import *imp, uint64_t h, const char *id,
                             size_t len);
enum crm_err close_oldest(struct crm_import *imp, struct crm_errinfo *e);
int place_row(struct crm_import *imp, const struct colmap *m, const struct row *rw,
              uint64_t h, struct open_order *o, enum crm_reject *reason, char *why,
              size_t whysz, struct crm_errinfo *e);
enum crm_err do_row(struct rowctx *r, const struct colmap *m, const struct prow *p,
                    struct crm_errinfo *e);
enum crm_err write_kept(struct crm_import *imp, struct crm_errinfo *e);

/* importsus.c: rows whose order id was already written */
enum crm_err load_probed(struct crm_import *imp, const char *id, size_t len, int *loaded,
                         struct crm_errinfo *e);
enum crm_err hold_suspect(struct crm_import *imp, struct rowctx *r, const struct colmap *m,
                          const struct row *rw, struct crm_errinfo *e);

/* importrep.c: one line of a report, formatted (never cut short while memory lasts) */
void sayf(crm_import_say *say, void *ctx, int info, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* importstream.c: one input file's rows */
void free_stream_header(struct crm_import *imp);

#endif
