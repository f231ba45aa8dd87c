/* items: line items in the store (format version 2; bytes in docs/FORMAT.md, "PROD" and
 * "ITEM"). Invariants: products are numbered from 0 in order of first appearance and a
 * number never changes (appends only add); every product an ITEM block uses is in a PROD
 * block before it; an ITEM block immediately precedes the ORDS block of the same orders;
 * an order's items are stored sorted by product, the product column as the difference
 * from the order's previous item (the first: from 0), which is what makes a store with
 * items small. The reader checks every count, length, index, range and that names are
 * UTF-8, and never trusts a length. */
#include "store/items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "store/dict.h"
#include "store/storefmt.h"

#define ITEM_FIXED 12          /* u32 orders, u32 items, u32 columns */
#define PROD_FIXED 8           /* u32 first product, u32 count */
#define COL_I_COUNT 48         /* items per order */
#define COL_I_PRODUCT 49       /* product, as a difference within the order */
#define COL_I_QUANTITY 50
#define COL_I_AMOUNT 51         /* amount − predicted amount (see struct prices) */
#define COL_I_AMOUNT_RAW 52     /* the amounts as they are */
#define COL_I_AMOUNT_VAR 53     /* as 51, each value a zigzag LEB128 (small ones in 1 byte) */
#define VARINT_MAX 10           /* bytes of a LEB128 u64 at most */
#define COL_P_TEXT 56          /* id, name, category per product: LEB128 length + bytes */
#define MAX_ITEMS CRM_ITEMS_CHUNK_MAX
#define MAX_NAME 65535

/* The unit price each product last had in a chunk: an item's amount is stored as the
 * difference from quantity × that price (0 for a product's first line in the chunk, or
 * when the product would overflow), since most lines of a product cost what its last one
 * did. Writer and reader keep the same prices, chunk by chunk. */
struct prices {
    int64_t *price;
    uint32_t *stamp;           /* price[p] is this chunk's when stamp[p] == gen */
    size_t cap;
    uint32_t gen;
};

static int prices_start(struct prices *pr, size_t products)
{
    const struct crm_grow_array a[] = {{&pr->price, sizeof *pr->price, CRM_GROW_KEEP},
                                       {&pr->stamp, sizeof *pr->stamp, 0}};
    if (crm_grow_all(&pr->cap, products, 1024, a, 2) != 0)
        return -1;
    if (++pr->gen == 0) {
        memset(pr->stamp, 0, pr->cap * sizeof *pr->stamp);
        pr->gen = 1;
    }
    return 0;
}

static int64_t predict(const struct prices *pr, uint64_t product, int64_t quantity)
{
    int64_t v;
    if (quantity <= 0 || pr->stamp[product] != pr->gen ||
        __builtin_mul_overflow(pr->price[product], quantity, &v))
        return 0;
    return v;
}

static void remember(struct prices *pr, uint64_t product, int64_t quantity, int64_t amount)
{
    if (quantity > 0) {
        pr->price[product] = amount / quantity;
        pr->stamp[product] = pr->gen;
    }
}

static void prices_free(struct prices *pr)
{
    free(pr->price);
    free(pr->stamp);
}

/* ======================================================================== writer == */

struct crm_items_w {
    struct crm_dict *ids;
    struct crm_buf text;       /* name then category of each product, back to back */
    size_t *off;               /* per product: offset of its name in text */
    uint32_t *name_len, *cat_len;
    size_t cap;
    uint32_t snapped;          /* products already handed to a PROD block */
};

struct crm_items_w *crm_items_w_new(void)
{
    struct crm_items_w *p = calloc(1, sizeof *p);
    if (p && !(p->ids = crm_dict_new())) {
        free(p);
        return NULL;
    }
    return p;
}

void crm_items_w_free(struct crm_items_w *p)
{
    if (!p)
        return;
    crm_dict_free(p->ids);
    crm_buf_free(&p->text);
    free(p->off);
    free(p->name_len);
    free(p->cat_len);
    free(p);
}

uint32_t crm_items_w_count(const struct crm_items_w *p)
{
    return crm_dict_count(p->ids);
}

void crm_items_w_mark_written(struct crm_items_w *p)
{
    p->snapped = crm_dict_count(p->ids);
}

static int grow_products(struct crm_items_w *p, uint32_t need)
{
    const struct crm_grow_array a[] = {{&p->off, sizeof *p->off, CRM_GROW_KEEP},
                                       {&p->name_len, sizeof *p->name_len, CRM_GROW_KEEP},
                                       {&p->cat_len, sizeof *p->cat_len, CRM_GROW_KEEP}};
    return crm_grow_all(&p->cap, need, 1024, a, 3);
}

enum crm_err crm_items_w_product(struct crm_items_w *p, const struct crm_product *prod,
                                 uint32_t *idx, struct crm_errinfo *e)
{
    int added = 0;
    enum crm_err rc = crm_dict_intern(p->ids, prod->id, prod->id_len, idx, &added);
    if (rc != CRM_OK)
        return crm_errinfo_set(e, rc, "cannot add product: %s", crm_strerror(rc));
    if (!added)
        return CRM_OK;
    if (grow_products(p, *idx + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    size_t nl = prod->name_len > MAX_NAME ? MAX_NAME : prod->name_len;
    size_t cl = prod->category_len > MAX_NAME ? MAX_NAME : prod->category_len;
    p->off[*idx] = p->text.len;
    p->name_len[*idx] = (uint32_t)nl;
    p->cat_len[*idx] = (uint32_t)cl;
    crm_buf_put(&p->text, prod->name, nl);
    crm_buf_put(&p->text, prod->category, cl);
    return p->text.oom ? crm_errinfo_set(e, CRM_ENOMEM, "out of memory") : CRM_OK;
}

struct line {
    int64_t product, quantity, amount;
};

struct crm_items_rows {
    int64_t count[CRM_CHUNK_ROWS];  /* items per order */
    uint32_t rows;             /* orders with their count set */
    struct line *lines;
    size_t m, cap;
    struct crm_buf prod_raw;   /* the PROD column of products [prod_from, prod_to) */
    uint32_t prod_from, prod_to;
    int64_t *col;              /* scratch for a column */
    size_t col_cap;
    struct crm_buf raw, ztmp, alt[3];
    struct prices prices;
};

struct crm_items_rows *crm_items_rows_new(void)
{
    return calloc(1, sizeof(struct crm_items_rows));
}

void crm_items_rows_free(struct crm_items_rows *r)
{
    if (!r)
        return;
    free(r->lines);
    free(r->col);
    prices_free(&r->prices);
    crm_buf_free(&r->alt[0]);
    crm_buf_free(&r->alt[1]);
    crm_buf_free(&r->alt[2]);
    crm_buf_free(&r->prod_raw);
    crm_buf_free(&r->raw);
    crm_buf_free(&r->ztmp);
    free(r);
}

size_t crm_items_rows_items(const struct crm_items_rows *r)
{
    return r->m;
}

int crm_items_rows_add(struct crm_items_rows *r, uint32_t row, const struct crm_item *it,
                       uint32_t n, uint32_t products)
{
    if (row >= CRM_CHUNK_ROWS || row < r->rows || r->m + n > MAX_ITEMS)
        return -1;
    while (r->rows < row)
        r->count[r->rows++] = 0;
    const struct crm_grow_array a[] = {{&r->lines, sizeof *r->lines, CRM_GROW_KEEP}};
    if (crm_grow_all(&r->cap, r->m + n, 4096, a, 1) != 0)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (it[i].product >= products || it[i].amount < 0)
            return -1;
        r->lines[r->m + i] = (struct line){it[i].product, it[i].quantity, it[i].amount};
    }
    r->count[row] = n;
    r->rows = row + 1;
    r->m += n;
    return 0;
}

int crm_items_rows_snapshot(struct crm_items_rows *r, struct crm_items_w *p)
{
    uint32_t to = crm_dict_count(p->ids);
    r->prod_raw.len = 0;
    r->prod_from = p->snapped;
    r->prod_to = to;
    for (uint32_t i = p->snapped; i < to; i++) {
        size_t len;
        const char *id = crm_dict_id(p->ids, i, &len);
        crm_buf_varint(&r->prod_raw, len);
        crm_buf_put(&r->prod_raw, id, len);
        /* names and categories may all be empty: then text.data is NULL, and NULL + 0 is
         * undefined behaviour in C */
        const char *text = p->text.data ? (const char *)p->text.data + p->off[i] : "";
        crm_buf_varint(&r->prod_raw, p->name_len[i]);
        crm_buf_put(&r->prod_raw, text, p->name_len[i]);
        crm_buf_varint(&r->prod_raw, p->cat_len[i]);
        crm_buf_put(&r->prod_raw, text + p->name_len[i], p->cat_len[i]);
    }
    p->snapped = to;
    return r->prod_raw.oom ? -1 : 0;
}

/* Bytes of a column, deflated (level 5, Z_FILTERED) when that saves space. */
static void put_bytes(struct crm_items_rows *r, struct crm_zctx *z, struct crm_buf *b,
                      unsigned id, unsigned enc, int64_t base)
{
    if (r->raw.len > 64 && crm_col_deflate_dense(z, r->raw.data, r->raw.len, &r->ztmp) == 0 &&
        r->ztmp.len < r->raw.len) {
        coldesc_put(b, id, enc | ENC_DEFLATE, r->raw.len, r->ztmp.len, base);
        crm_buf_put(b, r->ztmp.data, r->ztmp.len);
    } else {
        coldesc_put(b, id, enc, r->raw.len, r->raw.len, base);
        crm_buf_put(b, r->raw.data, r->raw.len);
    }
}

/* Integer column: value - min in the fewest whole bytes, as byte planes. */
static void put_ints(struct crm_items_rows *r, struct crm_zctx *z, struct crm_buf *b,
                     unsigned id, const int64_t *v, size_t n)
{
    int64_t lo = n ? v[0] : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    int width = crm_col_width((uint64_t)hi - (uint64_t)lo);
    r->raw.len = 0;
    crm_col_planes_put(&r->raw, v, n, lo, width);
    put_bytes(r, z, b, id, (unsigned)width | (width > 1 ? ENC_SHUFFLE : 0u), lo);
}

/* Integer column as zigzag LEB128 values (0, -1, 1, -2, ... as 0, 1, 2, 3, ...): the
 * residuals of predicted amounts are mostly 0 or small and deflate better so than in
 * fixed-width planes. */
static void put_varints(struct crm_items_rows *r, struct crm_zctx *z, struct crm_buf *b,
                        unsigned id, const int64_t *v, size_t n)
{
    r->raw.len = 0;
    for (size_t i = 0; i < n; i++)
        crm_buf_varint(&r->raw, ((uint64_t)v[i] << 1) ^ (uint64_t)(v[i] >> 63));
    put_bytes(r, z, b, id, ENC_VARLEN, 0);
}

static int by_product(const void *a, const void *b)
{
    const struct line *x = a, *y = b;
    if (x->product != y->product)
        return x->product < y->product ? -1 : 1;
    if (x->quantity != y->quantity)
        return x->quantity < y->quantity ? -1 : 1;
    return x->amount < y->amount ? -1 : x->amount > y->amount;
}

void crm_items_rows_encode(struct crm_items_rows *r, uint32_t n, struct crm_zctx *z,
                           struct crm_buf *prod_block, struct crm_buf *item_block)
{
    if (r->prod_to > r->prod_from) {
        crm_buf_le(prod_block, r->prod_from, 4);
        crm_buf_le(prod_block, r->prod_to - r->prod_from, 4);
        crm_buf_put(&r->raw, "", 0);
        r->raw.len = 0;
        crm_buf_put(&r->raw, r->prod_raw.data, r->prod_raw.len);
        put_bytes(r, z, prod_block, COL_P_TEXT, ENC_VARLEN, 0);
    }
    while (r->rows < n)
        r->count[r->rows++] = 0;
    size_t m = r->m;
    if (m > r->col_cap) {
        int64_t *c = realloc(r->col, m * sizeof *c);
        if (!c) {
            item_block->oom = 1;
            return;
        }
        r->col = c;
        r->col_cap = m;
    }
    crm_buf_le(item_block, n, 4);
    crm_buf_le(item_block, m, 4);
    crm_buf_le(item_block, 4, 4);
    put_ints(r, z, item_block, COL_I_COUNT, r->count, n);
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t k = (size_t)r->count[i];
        if (k > 1)                       /* (no lines at all: r->lines may be NULL) */
            qsort(r->lines + at, k, sizeof *r->lines, by_product);
        int64_t prev = 0;
        for (size_t j = at; j < at + k; j++) {
            r->col[j] = r->lines[j].product - prev;
            prev = r->lines[j].product;
        }
        at += k;
    }
    put_ints(r, z, item_block, COL_I_PRODUCT, r->col, m);
    for (size_t j = 0; j < m; j++)
        r->col[j] = r->lines[j].quantity;
    put_ints(r, z, item_block, COL_I_QUANTITY, r->col, m);
    int64_t products = 0;
    for (size_t j = 0; j < m; j++)
        products = r->lines[j].product >= products ? r->lines[j].product + 1 : products;
    if (prices_start(&r->prices, (size_t)products) != 0) {
        item_block->oom = 1;
        return;
    }
    for (size_t j = 0; j < m; j++) {
        const struct line *l = &r->lines[j];
        r->col[j] = l->amount - predict(&r->prices, (uint64_t)l->product, l->quantity);
        remember(&r->prices, (uint64_t)l->product, l->quantity, l->amount);
    }
    /* the predicted form (planes or LEB128) or the plain one, whichever is smallest
     * (amounts split evenly over an order's lines, say, do not follow the products'
     * prices); on a tie the earlier */
    r->alt[0].len = r->alt[1].len = r->alt[2].len = 0;
    put_ints(r, z, &r->alt[0], COL_I_AMOUNT, r->col, m);
    put_varints(r, z, &r->alt[2], COL_I_AMOUNT_VAR, r->col, m);
    for (size_t j = 0; j < m; j++)
        r->col[j] = r->lines[j].amount;
    put_ints(r, z, &r->alt[1], COL_I_AMOUNT_RAW, r->col, m);
    const struct crm_buf *best = &r->alt[0];
    for (int k = 1; k < 3; k++)
        best = r->alt[k].len < best->len ? &r->alt[k] : best;
    crm_buf_put(item_block, best->data, best->len);
    if (r->alt[0].oom || r->alt[1].oom || r->alt[2].oom)
        item_block->oom = 1;
    if (r->raw.oom || r->ztmp.oom)
        item_block->oom = 1;
    r->rows = 0;
    r->m = 0;
}

/* ======================================================================== reader == */

struct crm_items_r {
    char *text;                /* id\0name\0category\0 per product */
    size_t text_len, text_cap;
    size_t *toff;              /* per product: offsets of its id, name and category */
    struct crm_product *prod;
    size_t cap;
    uint32_t count, seen;      /* seen: entries covered by PROD blocks in this pass */
};

struct crm_items_r *crm_items_r_new(void)
{
    return calloc(1, sizeof(struct crm_items_r));
}

void crm_items_r_free(struct crm_items_r *r)
{
    if (!r)
        return;
    free(r->text);
    free(r->toff);
    free(r->prod);
    free(r);
}

uint32_t crm_items_r_count(const struct crm_items_r *r)
{
    return r ? r->count : 0;
}

const struct crm_product *crm_items_r_product(const struct crm_items_r *r, uint32_t idx)
{
    return r && idx < r->count ? &r->prod[idx] : NULL;
}

void crm_items_r_rewind(struct crm_items_r *r)
{
    if (r)
        r->seen = 0;
}

static enum crm_err bad(const char *name, long long chunk, struct crm_errinfo *e,
                        const char *what)
{
    crm_errinfo_where(e, name, -1, -1, chunk);
    return crm_errinfo_set(e, CRM_ECORRUPT, "corrupt store: %s", what);
}

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF)
 * without NUL bytes. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
        if (k == 0 || c > 0xf4 || n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
        unsigned c1 = s[i + 1];
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) ||
            (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* One column descriptor at *pos; its stored bytes must lie inside the payload. */
static int read_desc(const unsigned char *p, size_t len, size_t *pos, unsigned *id,
                     unsigned *enc, size_t *raw_len, size_t *stored_len, int64_t *base,
                     const unsigned char **data)
{
    if (len - *pos < COLDESC)
        return -1;
    const unsigned char *d = p + *pos;
    *id = d[0];
    *enc = d[1];
    *raw_len = (size_t)crm_le_get(d + 4, 4);
    *stored_len = (size_t)crm_le_get(d + 8, 4);
    *base = (int64_t)crm_le_get(d + 12, 8);
    *pos += COLDESC;
    if (crm_le_get(d + 2, 2) != 0 || *stored_len > len - *pos || *raw_len > MAX_PAYLOAD)
        return -1;
    *data = p + *pos;
    *pos += *stored_len;
    return 0;
}

/* The raw bytes of a column (inflated into buf when deflated). */
static int col_bytes(struct crm_zctx *z, struct crm_buf *buf, unsigned enc, size_t raw_len,
                     const unsigned char *data, size_t stored_len, const unsigned char **raw)
{
    if (!(enc & ENC_DEFLATE)) {
        *raw = data;
        return stored_len == raw_len ? 0 : -1;
    }
    buf->len = 0;
    if (crm_buf_reserve(buf, raw_len + 1) != 0 ||
        crm_col_inflate(z, data, stored_len, buf->data, raw_len) != 0)
        return -1;
    *raw = buf->data;
    return 0;
}

static int add_text(struct crm_items_r *r, const unsigned char *s, size_t n, size_t *off)
{
    const struct crm_grow_array a[] = {{&r->text, 1, CRM_GROW_KEEP}};
    if (crm_grow_all(&r->text_cap, r->text_len + n + 1, 65536, a, 1) != 0)
        return -1;
    memcpy(r->text + r->text_len, s, n);
    r->text[r->text_len + n] = '\0';
    *off = r->text_len;
    r->text_len += n + 1;
    return 0;
}

/* Product entries from a PROD column; text pointers are fixed up at the end, as the
 * text buffer may move while it grows. */
static enum crm_err read_products(struct crm_items_r *r, const unsigned char *raw,
                                  size_t raw_len, uint32_t count, const char *name,
                                  long long chunk, struct crm_errinfo *e)
{
    /* an entry takes at least 4 bytes (three lengths and a non-empty id): a count the
     * column cannot hold is refused before anything is allocated for it */
    if (count > raw_len / 4 || count > UINT32_MAX / 4 - r->count)
        return bad(name, chunk, e, "more products than the block holds");
    const struct crm_grow_array a[] = {{&r->prod, sizeof *r->prod, CRM_GROW_KEEP},
                                       {&r->toff, 3 * sizeof *r->toff, CRM_GROW_KEEP}};
    if (crm_grow_all(&r->cap, (size_t)r->count + count, 1024, a, 2) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    size_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        size_t off[3], n[3];
        for (int k = 0; k < 3; k++) {
            uint64_t l;
            if (crm_varint_get(raw, raw_len, &at, &l) != 0 || l > raw_len - at)
                return bad(name, chunk, e, "product entry runs past its block");
            if (!utf8_ok(raw + at, (size_t)l) || (k == 0 && l == 0))
                return bad(name, chunk, e, k == 0 && l == 0 ? "empty product id"
                                                            : "product text is not UTF-8");
            if (add_text(r, raw + at, (size_t)l, &off[k]) != 0)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            n[k] = (size_t)l;
            at += (size_t)l;
        }
        struct crm_product *p = &r->prod[r->count + i];
        memcpy(&r->toff[3 * (size_t)(r->count + i)], off, sizeof off);
        p->id_len = n[0];
        p->name_len = n[1];
        p->category_len = n[2];
    }
    if (at != raw_len)
        return bad(name, chunk, e, "product block has stray bytes");
    r->count += count;
    return CRM_OK;
}

enum crm_err crm_items_r_read(struct crm_items_r *r, const unsigned char *p, size_t len,
                              const char *name, long long chunk, struct crm_errinfo *e)
{
    if (len < PROD_FIXED)
        return bad(name, chunk, e, "product block too short");
    uint32_t first = (uint32_t)crm_le_get(p, 4), count = (uint32_t)crm_le_get(p + 4, 4);
    if (first != r->seen || count == 0 || count > UINT32_MAX - first)
        return bad(name, chunk, e, "product block out of step");
    size_t pos = PROD_FIXED, raw_len, stored_len;
    unsigned id, enc;
    int64_t base;
    const unsigned char *data, *raw;
    if (read_desc(p, len, &pos, &id, &enc, &raw_len, &stored_len, &base, &data) != 0 ||
        id != COL_P_TEXT || (enc & ~(unsigned)ENC_DEFLATE) != ENC_VARLEN || pos != len)
        return bad(name, chunk, e, "product block layout");
    r->seen = first + count;
    if (first + count <= r->count)      /* a second pass (rewind): already loaded */
        return CRM_OK;
    if (first != r->count)
        return bad(name, chunk, e, "products out of step");
    struct crm_zctx z = {0};
    struct crm_buf buf = {0};
    enum crm_err rc = CRM_OK;
    if (col_bytes(&z, &buf, enc, raw_len, data, stored_len, &raw) != 0)
        rc = bad(name, chunk, e, "product block does not decompress");
    else
        rc = read_products(r, raw, raw_len, count, name, chunk, e);
    crm_buf_free(&buf);
    crm_zctx_free(&z);
    if (rc != CRM_OK)
        return rc;
    for (uint32_t i = 0; i < r->count; i++) {    /* offsets to pointers (text may move) */
        struct crm_product *q = &r->prod[i];
        q->id = r->text + r->toff[3 * (size_t)i];
        q->name = r->text + r->toff[3 * (size_t)i + 1];
        q->category = r->text + r->toff[3 * (size_t)i + 2];
    }
    return CRM_OK;
}

/* ---- a chunk's items ---- */

struct crm_items_dec {
    struct crm_buf payload;
    int taken, bound;
    uint32_t products;
    struct crm_buf inflated;
    uint32_t off[CRM_CHUNK_ROWS + 1];
    int64_t *wide;             /* cap entries each, a column as read */
    uint32_t *product;
    int32_t *quantity;
    int64_t *amount;
    size_t cap;
    struct prices prices;
};

struct crm_items_dec *crm_items_dec_new(void)
{
    return calloc(1, sizeof(struct crm_items_dec));
}

void crm_items_dec_free(struct crm_items_dec *d)
{
    if (!d)
        return;
    crm_buf_free(&d->payload);
    crm_buf_free(&d->inflated);
    free(d->wide);
    free(d->product);
    free(d->quantity);
    free(d->amount);
    prices_free(&d->prices);
    free(d);
}

int crm_items_dec_take(struct crm_items_dec *d, const unsigned char *p, size_t len)
{
    d->payload.len = 0;
    if (crm_buf_reserve(&d->payload, len + 1) != 0)
        return -1;
    crm_buf_put(&d->payload, p, len);
    d->taken = 1;
    return 0;
}

int crm_items_dec_pending(const struct crm_items_dec *d)
{
    return d && d->taken;
}

void crm_items_dec_drop(struct crm_items_dec *d)
{
    if (d)
        d->taken = d->bound = 0;
}

void crm_items_dec_bind(struct crm_items_dec *d, uint32_t products)
{
    d->bound = d->taken;
    d->taken = 0;
    d->products = products;
}

static int reserve(struct crm_items_dec *d, size_t m)
{
    /* exactly m, never doubled: a chunk's items bound the reader's memory (items.h) */
    size_t cap = 0;
    const struct crm_grow_array a[] = {{&d->wide, sizeof *d->wide, CRM_GROW_KEEP},
                                       {&d->product, sizeof *d->product, CRM_GROW_KEEP},
                                       {&d->quantity, sizeof *d->quantity, CRM_GROW_KEEP},
                                       {&d->amount, sizeof *d->amount, CRM_GROW_KEEP}};
    if (m <= d->cap)
        return 0;
    if (crm_grow_all(&cap, m ? m : 1, m ? m : 1, a, 4) != 0)
        return -1;
    d->cap = cap;
    return 0;
}

/* Column 53 of n zigzag LEB128 values into d->wide: exactly n values filling its raw
 * length, each at most 10 bytes (so the raw length is bounded by n before inflating). */
static int get_varints(struct crm_items_dec *d, struct crm_zctx *z, unsigned enc,
                       size_t raw_len, const unsigned char *data, size_t stored_len,
                       int64_t base, size_t n)
{
    const unsigned char *raw;
    if ((enc & ~(unsigned)ENC_DEFLATE) != ENC_VARLEN || base != 0 || raw_len < n ||
        raw_len > n * VARINT_MAX ||
        col_bytes(z, &d->inflated, enc, raw_len, data, stored_len, &raw) != 0)
        return -1;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        if (crm_varint_get(raw, raw_len, &at, &u) != 0)
            return -1;
        d->wide[i] = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    }
    return at == raw_len ? 0 : -1;
}

/* Integer column `want` (or `want2`, when not 0) of n values into d->wide; *got = its id. */
static int get_ints2(struct crm_items_dec *d, struct crm_zctx *z, const unsigned char *p,
                     size_t len, size_t *pos, unsigned want, unsigned want2, size_t n,
                     unsigned *got)
{
    unsigned id, enc;
    size_t raw_len, stored_len;
    int64_t base;
    const unsigned char *data, *raw;
    if (read_desc(p, len, pos, &id, &enc, &raw_len, &stored_len, &base, &data) != 0)
        return -1;
    if (want == COL_I_AMOUNT && id == COL_I_AMOUNT_VAR) {
        *got = id;
        return get_varints(d, z, enc, raw_len, data, stored_len, base, n);
    }
    unsigned width = enc & ENC_WIDTH;
    if ((id != want && (!want2 || id != want2)) || (enc & (ENC_VARLEN | ENC_NUMID)) ||
        width > 8 || raw_len != n * width || (width == 1 && (enc & ENC_SHUFFLE)))
        return -1;
    if (col_bytes(z, &d->inflated, enc, raw_len, data, stored_len, &raw) != 0)
        return -1;
    crm_col_planes_get(raw, n, (int)width, (enc & ENC_SHUFFLE) != 0, base, d->wide);
    *got = id;
    return 0;
}

static int get_ints(struct crm_items_dec *d, struct crm_zctx *z, const unsigned char *p,
                    size_t len, size_t *pos, unsigned want, size_t n)
{
    unsigned got;
    return get_ints2(d, z, p, len, pos, want, 0, n, &got);
}

static enum crm_err decode_items(struct crm_items_dec *d, struct crm_zctx *z, uint32_t n,
                                 const char *name, long long chunk, struct crm_errinfo *e)
{
    const unsigned char *p = d->payload.data;
    size_t len = d->payload.len, pos = ITEM_FIXED;
    if (len < ITEM_FIXED || crm_le_get(p, 4) != n || crm_le_get(p + 8, 4) != 4)
        return bad(name, chunk, e, "item block does not match its chunk");
    size_t m = (size_t)crm_le_get(p + 4, 4);
    if (m > MAX_ITEMS || reserve(d, m > n ? m : n) != 0)
        return m > MAX_ITEMS ? bad(name, chunk, e, "item block: impossible item count")
                             : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (get_ints(d, z, p, len, &pos, COL_I_COUNT, n) != 0)
        return bad(name, chunk, e, "item counts column damaged");
    d->off[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (d->wide[i] < 0 || (uint64_t)d->wide[i] > m - d->off[i])
            return bad(name, chunk, e, "item counts do not add up to the items");
        d->off[i + 1] = d->off[i] + (uint32_t)d->wide[i];
    }
    if (d->off[n] != m)
        return bad(name, chunk, e, "item counts do not add up to the items");
    if (get_ints(d, z, p, len, &pos, COL_I_PRODUCT, m) != 0)
        return bad(name, chunk, e, "item product column damaged");
    for (uint32_t i = 0; i < n; i++) {
        int64_t prev = 0;
        for (uint32_t j = d->off[i]; j < d->off[i + 1]; j++) {
            if (d->wide[j] < 0 || d->wide[j] >= (int64_t)d->products - prev)
                return bad(name, chunk, e, "item product not in the product dictionary");
            prev += d->wide[j];
            d->product[j] = (uint32_t)prev;
        }
    }
    if (get_ints(d, z, p, len, &pos, COL_I_QUANTITY, m) != 0)
        return bad(name, chunk, e, "item quantity column damaged");
    for (size_t j = 0; j < m; j++) {
        if (d->wide[j] < INT32_MIN || d->wide[j] > INT32_MAX)
            return bad(name, chunk, e, "item quantity out of range");
        d->quantity[j] = (int32_t)d->wide[j];
    }
    unsigned form;
    if (get_ints2(d, z, p, len, &pos, COL_I_AMOUNT, COL_I_AMOUNT_RAW, m, &form) != 0)
        return bad(name, chunk, e, "item amount column damaged");
    if (prices_start(&d->prices, d->products) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t j = 0; j < m; j++) {
        int64_t q = d->quantity[j];
        int64_t pred = form != COL_I_AMOUNT_RAW ? predict(&d->prices, d->product[j], q) : 0;
        if (__builtin_add_overflow(d->wide[j], pred, &d->amount[j]) || d->amount[j] < 0)
            return bad(name, chunk, e, "negative item amount");
        remember(&d->prices, d->product[j], q, d->amount[j]);
    }
    if (pos != len)
        return bad(name, chunk, e, "item block has stray bytes");
    return CRM_OK;
}

enum crm_err crm_items_dec_decode(struct crm_items_dec *d, struct crm_zctx *z,
                                  struct crm_chunk *c, const char *name,
                                  struct crm_errinfo *e)
{
    if (!d->bound) {
        memset(d->off, 0, (c->n + 1) * sizeof d->off[0]);
    } else {
        enum crm_err rc = decode_items(d, z, c->n, name, c->index, e);
        if (rc != CRM_OK)
            return rc;
    }
    c->item_off = d->off;
    c->item_product = d->product;
    c->item_quantity = d->quantity;
    c->item_amount = d->amount;
    return CRM_OK;
}
