/* private to lib/store/: included only by the modules of this folder (and their tests). */
/* storeidx: what an append needs of the store it appends to, read without decoding it
 * (docs/FORMAT.md, "Order-id summaries" and "Appending"). Each chunk written since format
 * version 2's summaries carries a small order-id summary as its first column (the smallest
 * and largest number of numbered ids, or the byte-wise smallest and largest id); the walk
 * reads every block header and each chunk's summary with one pread, so an append costs the
 * chunks whose summaries admit one of its ids, not the whole store. Invariant: a summary
 * admits every id its chunk holds (the writer computes it from the chunk; the exact check
 * re-verifies it whenever a chunk is decoded), so pruning by summaries never misses a
 * duplicate; a chunk without a summary is never pruned. */
#ifndef CRM_STOREIDX_H
#define CRM_STOREIDX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/colcodec.h"
#include "store/items.h"
#include "store/store.h"

enum crm_idsum_kind {
    CRM_IDSUM_NONE = 0,      /* the chunk holds no order ids */
    CRM_IDSUM_NUM = 1,       /* numbered ids: prefix, width, smallest and largest number */
    CRM_IDSUM_TEXT = 2,      /* other ids: the byte-wise smallest and largest */
    CRM_IDSUM_UNKNOWN = 255  /* no summary (a chunk written before summaries) */
};

/* The most bytes a summary column may hold: kind, then two ids with their lengths. */
#define CRM_IDSUM_MAX (1 + 2 * (10 + CRM_ID_MAX))

struct crm_idsum {
    unsigned kind;
    unsigned digits;           /* NUM: the zero-padded width, 0 for plain numbers */
    int64_t lo, hi;            /* NUM: smallest and largest number */
    size_t plen, lo_len, hi_len;
    char *text;                /* NUM: the prefix; TEXT: the smallest id, then the largest */
};

/* The summary column's raw bytes for a chunk of n ids (text/off as the writer holds them;
 * enc and idraw: what crm_col_ids_encode made of them; numbers: its scratch, the ids'
 * numbers when enc has CRM_ENC_NUMID). */
void crm_idsum_build(struct crm_buf *out, unsigned enc, const unsigned char *idraw,
                     const int64_t *numbers, const char *text, const uint32_t *off, size_t n);
/* Parse a summary column (0), or -1 when its bytes are not a valid summary. */
int crm_idsum_parse(const unsigned char *p, size_t len, struct crm_idsum *s);
void crm_idsum_free(struct crm_idsum *s);
/* 1 when the chunk summarised may hold id (always for UNKNOWN, never for NONE). */
int crm_idsum_admits(const struct crm_idsum *s, const char *id, size_t len);

/* Many chunks' summaries, sorted for lookups: a probe costs a binary search per group of
 * numbered chunks with one prefix and width, and one over the text chunks. */
struct crm_idsum_index;
struct crm_idsum_index *crm_idsum_index_new(const struct crm_idsum *const *sums, size_t n);
void crm_idsum_index_free(struct crm_idsum_index *ix);
/* Calls hit(ctx, k) for every chunk k whose summary admits id (UNKNOWN and NONE chunks are
 * not in the index); the number of hits. */
size_t crm_idsum_index_probe(const struct crm_idsum_index *ix, const char *id, size_t len,
                             void (*hit)(void *ctx, size_t k), void *ctx);

/* ---- the walk: a stored store's blocks by their headers ---- */

struct crm_walk_chunk {
    uint64_t off;              /* the ORDS block's header */
    uint32_t blk;              /* its block number */
    uint32_t len;              /* its payload length */
    uint32_t rows;
    uint64_t first;            /* order number of its first row */
    struct crm_idsum sum;
};

struct crm_walk_dict {
    uint64_t off;              /* the DICT block's header */
    uint32_t len, first, count;
    uint32_t blk;              /* its block number */
};

struct crm_store_walk {
    struct crm_store_meta meta;
    int items;                 /* format version 2 */
    uint64_t end;              /* offset after the last END block */
    uint32_t blocks;
    struct crm_store_stats stats;
    struct crm_walk_chunk *chunk;
    size_t nchunk;
    struct crm_walk_dict *dict;
    size_t ndict;
    struct crm_items_r *products;  /* version 2: the products (NULL for version 1) */
};

/* Walk the store on fd (a regular file): its header, every block header (lengths, numbers,
 * types; END blocks checksummed and their totals compared with the blocks walked), each
 * chunk's summary, and the products (PROD blocks, checksummed). Chunk payloads and DICT
 * payloads are not read. */
enum crm_err crm_store_walk(int fd, const char *name, struct crm_store_walk *w,
                            struct crm_errinfo *e);
void crm_store_walk_free(struct crm_store_walk *w);

/* Stream the stored dictionary: every DICT block read, checksummed and checked; fn gets
 * each entry in index order (nonzero stops). buf and raw are the caller's scratch. */
typedef int crm_walk_id_fn(void *ctx, uint32_t idx, const char *id, size_t len);
enum crm_err crm_store_walk_dict(int fd, const char *name, const struct crm_walk_dict *d,
                                 size_t nd, struct crm_zctx *z, struct crm_buf *buf,
                                 struct crm_buf *raw, crm_walk_id_fn *fn, void *ctx,
                                 struct crm_errinfo *e);

/* One stored chunk's order-id column as stored (block read into buf and checksummed):
 * *stored NULL when the chunk has no order-id column. */
struct crm_walk_ids {
    unsigned enc;
    int64_t base;
    size_t raw_len, stored_len;
    const unsigned char *stored;
};
enum crm_err crm_store_walk_ids(int fd, const char *name, const struct crm_walk_chunk *c,
                                long long chunk_no, struct crm_buf *buf,
                                struct crm_walk_ids *out, struct crm_errinfo *e);

#endif
