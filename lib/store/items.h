/* private to lib/store/: included only by the modules of this folder (and their tests). */
/* items: the line items of orders (store format version 2, docs/FORMAT.md "PROD" and
 * "ITEM"): a product dictionary that travels ahead of the chunks that use it, like the
 * customer dictionary, and one ITEM block right before each ORDS block it belongs to.
 * Writer side: crm_items_w (products, on the caller's thread) and crm_items_rows (one
 * chunk's items, travelling with the chunk to the writer's thread). Reader side:
 * crm_items_r (products read so far) and crm_items_dec (a chunk's ITEM payload and its
 * decoded columns, owned by one decoder). Every length, index and name is checked here;
 * nothing of an item block is trusted. */
#ifndef CRM_ITEMS_H
#define CRM_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/colcodec.h"
#include "store/store.h"

#define T_PROD 0x444f5250u   /* "PROD" little-endian */
#define T_ITEM 0x4d455449u   /* "ITEM" */

/* Items in one chunk at most (a reader's memory for a chunk is bounded by it: 48 MB): the
 * writer starts a new chunk before an order whose items would pass it. */
#define CRM_ITEMS_CHUNK_MAX (1u << 21)

/* ---- writer ---- */

struct crm_items_w;
struct crm_items_w *crm_items_w_new(void);
void crm_items_w_free(struct crm_items_w *p);
enum crm_err crm_items_w_product(struct crm_items_w *p, const struct crm_product *prod,
                                 uint32_t *idx, struct crm_errinfo *e);
uint32_t crm_items_w_count(const struct crm_items_w *p);
/* The products so far are in the store already (an append): no PROD block repeats them. */
void crm_items_w_mark_written(struct crm_items_w *p);

/* One chunk's items. */
struct crm_items_rows;
struct crm_items_rows *crm_items_rows_new(void);
void crm_items_rows_free(struct crm_items_rows *r);
size_t crm_items_rows_items(const struct crm_items_rows *r);
/* Items of order `row` (rows are added in order, 0, 1, ...). */
int crm_items_rows_add(struct crm_items_rows *r, uint32_t row, const struct crm_item *it,
                       uint32_t n, uint32_t products);
/* At hand-over: copy the products not yet snapshotted (they go in a PROD block first). */
int crm_items_rows_snapshot(struct crm_items_rows *r, struct crm_items_w *p);
/* Append the PROD payload (empty when no new products) and then, into item_block, the
 * ITEM payload for n orders; the rows are emptied. */
void crm_items_rows_encode(struct crm_items_rows *r, uint32_t n, struct crm_zctx *z,
                           struct crm_buf *prod_block, struct crm_buf *item_block);

/* ---- reader ---- */

struct crm_items_r;
struct crm_items_r *crm_items_r_new(void);
void crm_items_r_free(struct crm_items_r *r);
uint32_t crm_items_r_count(const struct crm_items_r *r);
const struct crm_product *crm_items_r_product(const struct crm_items_r *r, uint32_t idx);
void crm_items_r_rewind(struct crm_items_r *r);
/* A PROD payload; already-known entries (a second pass) are skipped. */
enum crm_err crm_items_r_read(struct crm_items_r *r, const unsigned char *p, size_t len,
                              const char *name, long long chunk, struct crm_errinfo *e);

struct crm_items_dec;
struct crm_items_dec *crm_items_dec_new(void);
void crm_items_dec_free(struct crm_items_dec *d);
/* Keep a copy of an ITEM payload for the chunk that follows; 0 or -1 (no memory). */
int crm_items_dec_take(struct crm_items_dec *d, const unsigned char *p, size_t len);
int crm_items_dec_pending(const struct crm_items_dec *d);
void crm_items_dec_drop(struct crm_items_dec *d);
/* Mark the taken payload as belonging to the chunk just read (or none) with `products`
 * known then. */
void crm_items_dec_bind(struct crm_items_dec *d, uint32_t products);
/* Decode into c->item_* (all empty when the chunk has no ITEM block). */
enum crm_err crm_items_dec_decode(struct crm_items_dec *d, struct crm_zctx *z,
                                  struct crm_chunk *c, const char *name,
                                  struct crm_errinfo *e);

#endif
