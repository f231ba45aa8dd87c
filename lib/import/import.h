/* import: order files → store (SPEC §4, §13.1). Rows are mapped to the canonical schema
 * (by --map, a preset, or recognised header names in English and Chinese), validated,
 * merged into orders (rows sharing an order_id among the last CRM_IMPORT_WINDOW orders
 * begun, or anywhere with --line-items unsorted), checked against the order ids already in
 * the store (duplicates are skipped and counted) and handed to the store writer. Nothing
 * is silent: money is never changed without an option, assumptions are noted
 * (crm_import_notes), the first rejects are kept for stderr. Invariant — nothing is lost:
 * rows read = orders + merged + rejected + duplicates + expected skips, every data row
 * counted in exactly one (a record a broken quote made counts as each physical line it
 * swallowed, all rejected; a refund record written for a partially refunded order is not a
 * row and is counted apart, in refund_records). */
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

#include <stdint.h>

#include "text/csvin.h"
#include "base/err.h"
#include "text/out.h"
#include "store/store.h"

#define CRM_IMPORT_WINDOW 65536

enum crm_field {
    CRM_F_ORDER_ID, CRM_F_CUSTOMER, CRM_F_TIME, CRM_F_AMOUNT, CRM_F_QUANTITY,
    CRM_F_UNIT_PRICE, CRM_F_STATUS, CRM_F_CURRENCY,
    CRM_F_REFUNDED,       /* refunded_amount: money given back on a partially refunded order */
    CRM_F_PHONE,          /* phone: the customer when customer_id is empty (Shopify guests) */
    CRM_F_PRODUCT_ID, CRM_F_PRODUCT_NAME, CRM_F_CATEGORY,   /* line items (SPEC §17) */
    CRM_F_COUNT
};
const char *crm_field_name(enum crm_field f);   /* "customer_id", ... */
int crm_field_parse(const char *name);           /* -1 when unknown */

enum crm_reject {
    CRM_REJ_FIELDS,       /* wrong number of fields */
    CRM_REJ_ENCODING,     /* bytes invalid in the file's encoding */
    CRM_REJ_CUSTOMER,     /* empty customer_id */
    CRM_REJ_TIME,         /* missing or unparseable time */
    CRM_REJ_AMOUNT,       /* missing or unparseable amount/price */
    CRM_REJ_QUANTITY,     /* unparseable quantity */
    CRM_REJ_NEGATIVE,     /* negative amount on a paid row */
    CRM_REJ_STATUS,       /* status text not in the status map */
    CRM_REJ_CONFLICT,     /* row disagrees with its order's customer or status */
    CRM_REJ_ID_LENGTH,    /* customer or order id longer than a store keeps (CRM_ID_MAX) */
    CRM_REJ_PRECISION,    /* amount has more decimals than the store keeps */
    CRM_REJ_FAR,          /* line item of an order begun > CRM_IMPORT_WINDOW orders earlier */
    CRM_REJ_QUOTE,        /* a physical line swallowed by an unterminated quote */
    CRM_REJ_COUNT
};
const char *crm_reject_name(enum crm_reject r);

enum crm_skip {
    CRM_SKIP_NO_CUSTOMER, /* preset: rows without a customer are expected (UCI) */
    CRM_SKIP_ADJUSTMENT,  /* preset: bookkeeping rows (UCI 'A' invoices) */
    CRM_SKIP_GUEST,       /* preset: an order with neither e-mail nor phone (Shopify) */
    CRM_SKIP_COUNT
};
const char *crm_skip_name(enum crm_skip s);

struct crm_import_opts {
    const char *preset;                 /* NULL, cdnow, uci-online-retail, shopify, taobao */
    const char *map[CRM_F_COUNT];       /* column header name or 1-based number */
    struct crm_csvin_opts csv;
    const char *date_format;            /* strftime-style; NULL: auto-detect per value */
    int local_zone;                     /* convert explicit offsets to the process's local
                                           zone (TZ) instead of UTC */
    int order_amount_once;              /* amount repeated on every row of an order */
    int round_money;                    /* --round-money: round digits past the store's
                                           money scale (counted) instead of rejecting */
    int decimal_comma;                  /* --decimal-comma: 1.234,50 */
    int line_items_unsorted;            /* --line-items unsorted: merge line items wherever
                                           they are (orders kept open: memory O(orders)) */
    int on_the_fly;                     /* an analytic tool imports: hints name crm-import,
                                           whose options these are */
    int no_header;                      /* the first line is data */
    int no_items;                       /* drop line items even when a product column is
                                           mapped (a version-1 store) */
    double max_reject_rate;             /* default 0.01 */
    /* called now and then with the input bytes read so far in the current file */
    void (*progress)(void *ctx, unsigned long long bytes);
    void *progress_ctx;
};

struct crm_import_stats {
    uint64_t rows;                      /* data rows read (headers not counted) */
    uint64_t repeated_headers;          /* header lines met again inside the data */
    uint64_t orders;                    /* orders written */
    uint64_t merged;                    /* rows merged into an order another row began */
    uint64_t rejected[CRM_REJ_COUNT];
    uint64_t rejected_total;
    uint64_t duplicates;                /* rows whose order_id was already stored */
    uint64_t skipped[CRM_SKIP_COUNT];
    uint64_t skipped_total;
    uint64_t customers_new;             /* ids added to the dictionary */
    uint64_t customer_rows;             /* customers-file rows stored */
    uint64_t customer_rejects;
    uint64_t future_rows;               /* (not used by import) */
    uint64_t items;                     /* line items kept (a product column mapped) */
    uint64_t items_no_product;          /* rows of such a file with an empty product id */
    uint64_t items_refused;             /* files whose product column was not kept: the
                                           store was written without line items */
    uint64_t money_rounded;             /* amounts rounded by --round-money */
    uint64_t refunded_orders;           /* orders refunded in full (stored with 0.00) */
    uint64_t partial_refunds;           /* orders with a refunded part (a refund record) */
    uint64_t refund_records;            /* orders written for those parts (not rows) */
    uint64_t multi_line_orders;         /* orders of more than one row */
    uint64_t repeated_totals;           /* ... whose every row has the same amount */
    uint64_t quote_records;             /* records a broken quote made (each counted as the
                                           rejected[CRM_REJ_QUOTE] lines it swallowed) */
};

/* Assumptions an import made that the user must hear about (crm_import_notes). */
#define CRM_NOTE_NO_STATUS 1u           /* no status column: every row taken as paid */
#define CRM_NOTE_NO_ORDER_ID 2u         /* no order id: duplicates cannot be detected */
#define CRM_NOTE_REPEATED_TOTALS 4u     /* multi-line orders repeat their total (JD) */
#define CRM_NOTE_FAR_LINE_ITEMS 8u      /* line items far apart were rejected */
#define CRM_NOTE_PRESET_DETECTED 16u    /* the header is a known export's: its preset applied */

#define CRM_IMPORT_FIRST_REJECTS 5      /* rejects kept for stderr */

struct crm_import;

/* w[0..nw): the store writers (their dictionaries and, with CRM_STORE_KEEP_IDS, their
 * order ids are used). With nw > 1 each customer's orders (and customers-file row) go to
 * writer crm_hash_stable(customer_id) % nw — the partitions of SPEC §12. rejects: where
 * rejected rows go (CSV file,line,reason,raw), may be NULL. */
enum crm_err crm_import_new(const struct crm_import_opts *o, struct crm_store_writer *const *w,
                            size_t nw, struct crm_out *rejects, struct crm_import **out,
                            struct crm_errinfo *e);

/* The partition of a customer id among n (what crm_import_new routes by). */
size_t crm_import_partition(const char *customer_id, size_t len, size_t n);
void crm_import_free(struct crm_import *imp);

/* --status STATUS=TEXT[,TEXT...]: these texts map to STATUS (paid, cancelled, refunded,
 * pending), ahead of the built-in table. CRM_EUSAGE on a malformed spec. */
enum crm_err crm_import_add_status(struct crm_import *imp, const char *spec,
                                   struct crm_errinfo *e);

/* Appending: register the order ids already in the store (needs CRM_STORE_KEEP_IDS). */
enum crm_err crm_import_load_existing(struct crm_import *imp, struct crm_errinfo *e);

/* Import one order file (NULL or "-": stdin). head: bytes already read from fd. */
enum crm_err crm_import_file(struct crm_import *imp, const char *path, struct crm_errinfo *e);
enum crm_err crm_import_fd(struct crm_import *imp, int fd, const char *name, const void *head,
                           size_t head_len, struct crm_errinfo *e);

/* The customers file (customer_id + any of signup_time, birthday, blocked). */
enum crm_err crm_import_customers(struct crm_import *imp, const char *path,
                                  struct crm_errinfo *e);

/* Write the orders still open, settle suspected duplicates, and check the reject rate
 * (CRM_EDATA when over it: the caller must not commit the store). */
enum crm_err crm_import_finish(struct crm_import *imp, struct crm_errinfo *e);

const struct crm_import_stats *crm_import_stats(const struct crm_import *imp);

/* Set (or replace) the progress callback of crm_import_opts. */
void crm_import_set_progress(struct crm_import *imp,
                             void (*fn)(void *ctx, unsigned long long bytes), void *ctx);

/* Encoding and delimiter chosen for the last file read (for the summary line). */
const char *crm_import_last_encoding(const struct crm_import *imp);
int crm_import_last_delimiter(const struct crm_import *imp);

/* 1 when name is a known preset. */
int crm_import_preset_known(const char *name);
/* The known presets, comma-separated ("cdnow, uci-online-retail, ..."). */
const char *crm_import_preset_list(void);
/* Of names[0..n), the one nearest to a misspelt word (two edits at most, or one of 4+
 * letters starting the other), or NULL: for "did you mean". */
const char *crm_import_nearest(const char *word, const char *const *names, size_t n);
/* The known preset nearest to a misspelt name, or NULL when none is close. */
const char *crm_import_preset_suggest(const char *name);

/* The required fields missing from col[CRM_F_COUNT] (-1: absent), all of them, as
 * "customer_id, order_time and amount (or unit_price)" into buf (may be NULL); the count. */
size_t crm_import_missing_fields(const int *col, char *buf, size_t size);

/* --sniff: what importing path would do, as text appended to out (encoding, delimiter,
 * each field's column or candidates, date examples, decimal style, every status text with
 * its count and mapping, the first rows as parsed). *would_work is cleared when the import
 * would fail (a required field missing, unknown statuses, too many rejects). Writes no
 * store and no rejects. */
enum crm_err crm_import_sniff(struct crm_import *imp, const char *path, struct crm_buf *out,
                              int *would_work, struct crm_errinfo *e);

/* The preset in use (given, or detected from the header), or NULL. */
const char *crm_import_preset_name(const struct crm_import *imp);

/* CRM_NOTE_* bits for what the import assumed (print them even when quiet). */
unsigned crm_import_notes(const struct crm_import *imp);

/* The first CRM_IMPORT_FIRST_REJECTS rejected rows as "file:line: reason: excerpt"
 * (i < count); NULL past them. */
const char *crm_import_first_reject(const struct crm_import *imp, size_t i);

#endif
