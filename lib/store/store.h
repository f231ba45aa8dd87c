/* store: the columnar order store (byte-level format in docs/FORMAT.md).
 * A store is a header followed by blocks: DICT (new customer ids), ORDS (a chunk of up to
 * CRM_CHUNK_ROWS orders, column by column, each column zlib-compressed), CUST (customers
 * file rows) and END (cumulative totals; closes each import or append). Every byte is
 * covered by a CRC32. The dictionary travels ahead of the chunks that use it, so a reader
 * on a pipe needs no seek; an append adds blocks after the last END and then moves the
 * header's committed length, so a killed append leaves the old store valid. */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "text/numid.h"

#define CRM_CHUNK_ROWS 65536

/* What a store may hold (SPEC §13.3; the reader checks every value against these): times
 * in the years 1-9999 (civil seconds of 0001-01-01 00:00:00 and 9999-12-31 23:59:59),
 * customer and order ids of at most CRM_ID_MAX bytes (customer ids valid UTF-8), money
 * scales 0-6, quantities >= 0. */
#define CRM_TIME_MIN (-62135596800LL)
#define CRM_TIME_MAX 253402300799LL
#define CRM_ID_MAX 1024
#define CRM_STORE_MAGIC "CRMSTORE"
#define CRM_STORE_VERSION 2       /* written when the store keeps line items */
#define CRM_STORE_VERSION_ORDERS 1 /* written when it does not (still read) */

enum crm_status {
    CRM_STATUS_PAID = 0,      /* a successful sale */
    CRM_STATUS_CANCELLED = 1, /* ordered, not sold */
    CRM_STATUS_REFUNDED = 2,  /* money returned after a sale (amount = money returned) */
    CRM_STATUS_PENDING = 3,
    CRM_STATUS_COUNT
};
const char *crm_status_name(enum crm_status s);

/* Columns, as bits for crm_store_next's `columns` argument. */
#define CRM_COL_CUSTOMER 0x01u
#define CRM_COL_TIME 0x02u
#define CRM_COL_AMOUNT 0x04u
#define CRM_COL_QUANTITY 0x08u
#define CRM_COL_STATUS 0x10u
#define CRM_COL_ORDER_ID 0x20u
#define CRM_COL_CURRENCY 0x40u
#define CRM_COL_ALL 0x7fu
#define CRM_COL_ITEMS 0x80u    /* line items (format version 2); not part of CRM_COL_ALL */

/* Store-wide settings kept in the header. */
struct crm_store_meta {
    char tz[64];       /* zone of the stored wall-clock times ("" = as written / UTC) */
    int money_scale;   /* decimals of the minor unit (2) */
};

/* A line item: a product of the store's product dictionary, its quantity and money. */
struct crm_item {
    uint32_t product;         /* crm_store_writer_product / crm_store_product index */
    int32_t quantity;
    int64_t amount;           /* minor units, >= 0 */
};

/* A product of the dictionary (texts are UTF-8, not NUL-terminated as stored; the reader's
 * copies are NUL-terminated). */
struct crm_product {
    const char *id, *name, *category;
    size_t id_len, name_len, category_len;
};

/* One order as the writer takes it. */
struct crm_order {
    uint32_t customer;        /* dictionary index (crm_store_writer_customer) */
    int64_t time;             /* civil seconds (timeparse.h) in the store's zone */
    int64_t amount;           /* minor units, >= 0 */
    int32_t quantity;         /* items */
    uint8_t status;           /* enum crm_status */
    const char *order_id;     /* may be NULL/empty */
    size_t order_id_len;
    struct crm_numid order_id_num; /* crm_numid_split of order_id when the caller has it
                                      (digits 0: the writer splits it itself) */
    const char *currency;     /* may be NULL/empty */
    size_t currency_len;
    const struct crm_item *items;  /* line items (a writer made with CRM_STORE_ITEMS) */
    uint32_t item_count;
};

#define CRM_NO_DAY INT32_MIN

/* One customers-file row. */
struct crm_customer_info {
    uint32_t customer;
    int32_t signup_day;    /* days since 1970-01-01, CRM_NO_DAY when unknown */
    int32_t birth_day;     /* days since 1970-01-01 of the birth date, CRM_NO_DAY if unknown;
                              when only month and day are known the year is stored as 2000 */
    uint8_t birth_year_known;
    uint8_t blocked;
};

/* A decoded chunk; arrays are owned by the reader and valid until the next call. Only
 * the requested columns are filled (others NULL). */
struct crm_chunk {
    uint32_t n;
    long long index;           /* chunk number in the store, from 0 */
    int64_t min_time, max_time;
    uint32_t *customer;
    int64_t *time;
    int64_t *amount;
    int32_t *quantity;
    uint8_t *status;
    uint32_t *order_id_off;    /* n + 1 offsets into order_id_text */
    const char *order_id_text;
    uint8_t *currency;         /* index into currency_names; 255 = none */
    const char *currency_names[255];
    unsigned currency_count;
    /* CRM_COL_ITEMS: order i's items are [item_off[i], item_off[i + 1]), sorted by product
     * (all empty for a chunk without items) */
    uint32_t *item_off;
    uint32_t *item_product;
    int32_t *item_quantity;
    int64_t *item_amount;
};

/* Totals, as stored in the last END block. */
struct crm_store_stats {
    uint64_t orders;
    uint64_t chunks;
    uint32_t customers;
    uint64_t customer_rows;
    int64_t min_time, max_time;   /* 0 when orders == 0 */
    uint64_t commits;             /* 1 after the first import, +1 per append */
};

/* ---- reading ---- */

struct crm_store;

/* 1 when the bytes start with the store magic. */
int crm_store_is_store(const void *head, size_t n);

/* Open path ("-" or NULL: stdin) for reading. */
enum crm_err crm_store_open(const char *path, struct crm_store **out, struct crm_errinfo *e);
/* Read from fd (not closed). `head` holds bytes already read from fd (may be NULL/0). */
enum crm_err crm_store_open_fd(int fd, const char *name, const void *head, size_t head_len,
                               struct crm_store **out, struct crm_errinfo *e);
/* Read from memory (buffer owned by the caller; must outlive the reader). */
enum crm_err crm_store_open_mem(const void *data, size_t len, const char *name,
                                struct crm_store **out, struct crm_errinfo *e);
void crm_store_close(struct crm_store *s);

/* The reader closes fd when it is closed. */
void crm_store_adopt_fd(struct crm_store *s);

const struct crm_store_meta *crm_store_meta(const struct crm_store *s);

/* Called after each chunk is read with the bytes read so far and the store's size (0 when
 * unknown, e.g. on a pipe): for a progress bar. */
void crm_store_set_progress(struct crm_store *s,
                            void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx);

/* Skip (CRC-check but do not decode) chunks whose times lie outside [lo, hi]. */
void crm_store_set_time_filter(struct crm_store *s, int64_t lo, int64_t hi);

/* Next chunk with the requested columns; c->n == 0 at the end of the store. After the
 * end, the totals were checked against the END blocks. */
enum crm_err crm_store_next(struct crm_store *s, struct crm_chunk *c, unsigned columns,
                            struct crm_errinfo *e);

/* Latest order time in the whole store. On a pipe this reads (and keeps in memory, still
 * compressed) the rest of the stream; reading then continues from memory. */
enum crm_err crm_store_max_time(struct crm_store *s, int64_t *max_time, struct crm_errinfo *e);

/* Start again from the first chunk (after crm_store_max_time or on a seekable file). */
enum crm_err crm_store_rewind(struct crm_store *s, struct crm_errinfo *e);

/* Dictionary as read so far (complete once crm_store_next returned the end). */
uint32_t crm_store_customer_count(const struct crm_store *s);
/* The customer count the store's last END block records, read without moving the reader
 * (its CRC checked, never trusted further): known up front for a store file, 0 for a pipe,
 * memory, or when it cannot be read. A hint for sizing per-customer arrays before the pass;
 * the count the pass ends with is crm_store_customer_count. */
uint32_t crm_store_customer_hint(const struct crm_store *s);
const char *crm_store_customer_id(const struct crm_store *s, uint32_t idx, size_t *len);
/* Hints that customer idx's id will be wanted soon: step 1 fetches where it is, step 2
 * (some rows later) the text itself. Loops over customers in random order use both. */
void crm_store_customer_id_prefetch(const struct crm_store *s, uint32_t idx, int step);

/* Line items: 1 when the store is format version 2 (it may hold items). The products
 * read so far (complete once crm_store_next returned the end; every product a chunk's
 * items use is known when the chunk is returned). */
int crm_store_has_items(const struct crm_store *s);
uint32_t crm_store_product_count(const struct crm_store *s);
const struct crm_product *crm_store_product(const struct crm_store *s, uint32_t idx);

/* Customers-file rows read so far (later rows for a customer override earlier ones;
 * this returns them all in store order). */
size_t crm_store_customers(const struct crm_store *s, const struct crm_customer_info **rows);

/* Totals after the end was reached (or from the header/last END when known). */
const struct crm_store_stats *crm_store_stats(const struct crm_store *s);

/* ---- writing ---- */

struct crm_store_writer;

/* Writer flags. */
#define CRM_STORE_KEEP_IDS 1u  /* keep every chunk's order-id column (as written:
                                  compressed unless CRM_STORE_RAW) so
                                  crm_store_writer_order_id can look ids up */
#define CRM_STORE_NO_SYNC 2u   /* a scratch store: skip fsync */
#define CRM_STORE_RAW 4u       /* columns not deflated (a store streamed to a reader that
                                  reads it once: compressing costs more than it saves) */
#define CRM_STORE_ITEMS 8u     /* keep line items: format version 2 */

/* Start a new store on fd (stdout, a temporary file, ...). When fd is a regular file the
 * header's committed length is filled in by crm_store_writer_finish. */
enum crm_err crm_store_writer_new(int fd, const char *name, const struct crm_store_meta *m,
                                  unsigned flags, struct crm_store_writer **out,
                                  struct crm_errinfo *e);

/* Continue an existing store open read-write on fd (a regular file, locked by the caller):
 * walks the blocks by their headers (numbers, lengths, END totals; lib/store/storeidx.h)
 * without loading the dictionary or the order ids, drops any bytes past the committed
 * length (left by a killed append). Nothing is visible to readers until
 * crm_store_writer_finish. */
enum crm_err crm_store_writer_append(int fd, const char *name, unsigned flags,
                                     struct crm_store_writer **out, struct crm_errinfo *e);

const struct crm_store_meta *crm_store_writer_meta(const struct crm_store_writer *w);

/* Dictionary index of a customer id, adding it when new. */
enum crm_err crm_store_writer_customer(struct crm_store_writer *w, const char *id, size_t len,
                                       uint32_t *idx, struct crm_errinfo *e);
/* The writer's customer dictionary, for batched lookups (lib/store/dict.h). */
struct crm_dict *crm_store_writer_dict(struct crm_store_writer *w);

/* Existing index without adding; 1 when found. (An append's stored customers not yet met
 * are found by one pass over the stored dictionary: for tests and rare lookups.) */
int crm_store_writer_find_customer(const struct crm_store_writer *w, const char *id, size_t len,
                                   uint32_t *idx);

/* An append does not load the stored dictionary: the indexes it gives for the customers it
 * meets are provisional (from the stored count on) and become final (the stored customer's
 * index, or the next new one, in order of first appearance) when they are resolved against
 * the stored DICT blocks, streamed once; chunks are resolved as they are written. Resolve
 * now (e.g. before counting new customers); customers the store did not hold, from the
 * writer's start (valid once resolved, and always for a new store). */
enum crm_err crm_store_writer_resolve(struct crm_store_writer *w, struct crm_errinfo *e);
uint32_t crm_store_writer_new_customers(const struct crm_store_writer *w);

/* Line items: 1 when the writer keeps them (CRM_STORE_ITEMS, or appending to a version-2
 * store). The product dictionary index of a product id, adding it when new (its name and
 * category are the first non-empty ones given). */
int crm_store_writer_has_items(const struct crm_store_writer *w);
/* Keep line items from now on: a new store still before its first order becomes format
 * version 2; an appended version-2 store keeps them anyway; anything else is CRM_EUSAGE. */
enum crm_err crm_store_writer_keep_items(struct crm_store_writer *w, struct crm_errinfo *e);
enum crm_err crm_store_writer_product(struct crm_store_writer *w, const struct crm_product *p,
                                      uint32_t *idx, struct crm_errinfo *e);

enum crm_err crm_store_writer_add(struct crm_store_writer *w, const struct crm_order *o,
                                  struct crm_errinfo *e);
enum crm_err crm_store_writer_add_customer(struct crm_store_writer *w,
                                           const struct crm_customer_info *c,
                                           struct crm_errinfo *e);

/* Orders added so far by this writer (not counting an appended store's old ones), and the
 * number of chunks written before this writer started. */
uint64_t crm_store_writer_orders(const struct crm_store_writer *w);
uint64_t crm_store_writer_base_chunks(const struct crm_store_writer *w);

/* Orders in the store so far, old and new: the next order's number (orders are numbered
 * from 0 in store order). */
uint64_t crm_store_writer_order_count(struct crm_store_writer *w);

/* With CRM_STORE_KEEP_IDS: the order id of order number `order_no` (valid until the next
 * call into the writer), and every stored id in order. fn returning nonzero stops. */
enum crm_err crm_store_writer_order_id(struct crm_store_writer *w, uint64_t order_no,
                                       const char **id, size_t *len, struct crm_errinfo *e);
enum crm_err crm_store_writer_each_order_id(struct crm_store_writer *w,
                                            int (*fn)(void *ctx, uint64_t order_no,
                                                      const char *id, size_t len),
                                            void *ctx, struct crm_errinfo *e);

/* An append's duplicate check by order-id summaries (docs/FORMAT.md): 0 when no summarized
 * chunk can hold id; else the chunks whose summary admits it are marked (CRM_IDS_PROBED)
 * and the result is 2 when one of them was not marked before, 1 when all were. Chunks
 * written before summaries are never probed: their ids are read with
 * CRM_IDS_UNSUMMARIZED. */
int crm_store_writer_id_may_be_stored(struct crm_store_writer *w, const char *id, size_t len);
#define CRM_IDS_STORED 1u        /* every chunk stored before this writer */
#define CRM_IDS_UNSUMMARIZED 2u  /* stored chunks without an order-id summary */
#define CRM_IDS_PROBED 4u        /* stored chunks marked by crm_store_writer_id_may_be_stored */
#define CRM_IDS_NEW 8u           /* this writer's orders (with CRM_STORE_KEEP_IDS) */
#define CRM_IDS_PROBED_UNREAD 16u /* marked stored chunks not read with this flag before */
/* each_order_id over the chunks selected by `which` (stored ones are read from the file,
 * one chunk at a time); each_order_id is CRM_IDS_STORED | CRM_IDS_NEW. */
enum crm_err crm_store_writer_each_order_id_of(struct crm_store_writer *w, unsigned which,
                                               int (*fn)(void *ctx, uint64_t order_no,
                                                         const char *id, size_t len),
                                               void *ctx, struct crm_errinfo *e);

/* Write the last chunk and the END block, fsync, then commit (regular files). */
enum crm_err crm_store_writer_finish(struct crm_store_writer *w, struct crm_errinfo *e);
void crm_store_writer_free(struct crm_store_writer *w);

#endif
