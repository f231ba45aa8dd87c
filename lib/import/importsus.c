/* importsus: rows whose order id is already in `seen` (written by this import, or stored
 * in chunks without an order-id summary) or that a stored chunk's summary admits, held
 * until finish and settled against the exact ids the writers kept; and
 * crm_import_finish, which checks the nothing-lost count. Invariant: a suspect is settled
 * exactly once — a duplicate (skipped), a far-apart line item (rejected), or imported (a
 * hash collision). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/idset.h"
#include "import/importint.h"

/* Field by field: a memcmp of the struct would read its padding, which is never written. */
static int same_map(const struct colmap *a, const struct colmap *b)
{
    return a->ncols == b->ncols && memcmp(a->col, b->col, sizeof a->col) == 0;
}
/* Hold a row whose order id was already written by this import or the store. */
enum crm_err hold_suspect(struct crm_import *imp, struct rowctx *r,
                          const struct colmap *m, const struct row *rw,
                          struct crm_errinfo *e)
{
    if (imp->nsus == imp->sus_cap) {
        size_t cap = imp->sus_cap ? imp->sus_cap * 2 : 256;
        struct suspect *p = realloc(imp->sus, cap * sizeof *p);
        if (!p)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        imp->sus = p;
        imp->sus_cap = cap;
    }
    if (imp->nfiles == 0 || strcmp(imp->files[imp->nfiles - 1].name, crm_csvin_name(r->in)) ||
        !same_map(&imp->files[imp->nfiles - 1].map, m)) {
        struct held_file *f = realloc(imp->files, (imp->nfiles + 1) * sizeof *f);
        if (!f)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        imp->files = f;
        if (!(f[imp->nfiles].name = strdup(crm_csvin_name(r->in))))
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        f[imp->nfiles].map = *m;
        imp->nfiles++;
    }
    struct suspect *s = &imp->sus[imp->nsus];
    memset(s, 0, sizeof *s);
    s->text = imp->sus_text.len;
    s->id_len = (uint32_t)rw->k.id_len;
    s->cust_len = (uint32_t)rw->k.cust_len;
    s->cur_len = (uint32_t)rw->cur_len;
    crm_buf_put(&imp->sus_text, rw->k.id, rw->k.id_len);
    crm_buf_put(&imp->sus_text, rw->k.cust, rw->k.cust_len);
    crm_buf_put(&imp->sus_text, rw->cur, rw->cur_len);
    imp->raw.len = 0;
    crm_csvin_format_record(r->in, r->rec, &imp->raw);
    s->raw_len = (uint32_t)imp->raw.len;
    crm_buf_put(&imp->sus_text, imp->raw.data, imp->raw.len);
    /* the line item goes with it: a suspect that is imported keeps its product */
    const char *item[3] = {rw->item.id, rw->item.name, rw->item.category};
    size_t item_len[3] = {rw->item.id_len, rw->item.name_len, rw->item.category_len};
    for (int k = 0; k < 3; k++) {
        s->item_len[k] = (uint32_t)(imp->items && rw->item.id_len ? item_len[k] : 0);
        crm_buf_put(&imp->sus_text, item[k], s->item_len[k]);
    }
    if (imp->sus_text.oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    s->file = (uint32_t)(imp->nfiles - 1);
    s->line = r->rec->line;
    s->time = rw->time;
    s->amount = rw->amount;
    s->quantity = rw->quantity;
    s->refunded = rw->refunded;
    s->refund_order = rw->refund_order;
    s->status = rw->status;
    s->has_time = (uint8_t)rw->has_time;
    s->has_amount = (uint8_t)rw->has_amount;
    s->has_qty = (uint8_t)rw->has_qty;
    s->has_status = (uint8_t)rw->has_status;
    imp->nsus++;
    return CRM_OK;
}
/* ---- existing orders, suspects, finish ---- */

static int register_existing(void *ctx, uint64_t order_no, const char *id, size_t len)
{
    struct crm_import *imp = ctx;
    (void)order_no;
    struct crm_numid num = crm_numid_split(id, len);
    if (crm_idset_insert(imp->seen, id, len, crm_idset_hash(id, len), &num) != 0) {
        imp->oom = 1;
        return 1;
    }
    return 0;
}

/* An append: the ids of the stored chunks whose order-id summary admits id and that were
 * not read yet go into `seen`, so that `seen` answers for id exactly as when it held every
 * stored id (*loaded = 1 when some were read; the row is then looked up again). A night's
 * new ids meet no chunk: nothing is read. */
enum crm_err load_probed(struct crm_import *imp, const char *id, size_t len, int *loaded,
                         struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    *loaded = 0;
    for (size_t i = 0; i < imp->nw && rc == CRM_OK; i++) {
        if (crm_store_writer_id_may_be_stored(imp->w[i], id, len) != 2)
            continue;
        *loaded = 1;
        rc = crm_store_writer_each_order_id_of(imp->w[i], CRM_IDS_PROBED_UNREAD,
                                               register_existing, imp, e);
    }
    if (rc == CRM_OK && imp->oom)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return rc;
}

/* The ids of stored chunks written before order-id summaries (every other stored chunk is
 * read when a new id meets its summary: load_probed). */
enum crm_err crm_import_load_existing(struct crm_import *imp, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < imp->nw && rc == CRM_OK; i++)
        rc = crm_store_writer_each_order_id_of(imp->w[i], CRM_IDS_UNSUMMARIZED,
                                               register_existing, imp, e);
    if (rc == CRM_OK && imp->oom)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return rc;
}

struct verify_ctx {
    struct crm_import *imp;
    uint64_t existing;       /* orders of the writer being read that were stored before */
    uint32_t *map;           /* suspect index + 1, open addressing by id hash */
    uint64_t *hash;
    size_t mask;
};

static int verify_one(void *ctx, uint64_t order_no, const char *id, size_t len)
{
    struct verify_ctx *v = ctx;
    uint64_t h = crm_idset_hash(id, len);
    for (size_t pos = (size_t)h & v->mask; v->map[pos]; pos = (pos + 1) & v->mask) {
        size_t i = v->map[pos] - 1;
        struct suspect *s = &v->imp->sus[i];
        if (v->hash[i] == h && s->id_len == len &&
            memcmp(v->imp->sus_text.data + s->text, id, len) == 0 && !s->confirmed)
            s->confirmed = order_no < v->existing ? 1 : 2;   /* 2: begun in this input */
    }
    return 0;
}

/* The suspects indexed by id hash, then marked `confirmed` by every id the writers kept. */
static enum crm_err verify_suspects(struct crm_import *imp, struct verify_ctx *v,
                                    struct crm_errinfo *e)
{
    size_t size = 16;
    while (size < imp->nsus * 2)
        size *= 2;
    v->mask = size - 1;
    v->map = calloc(size, sizeof *v->map);
    v->hash = malloc(imp->nsus * sizeof *v->hash);
    if (!v->map || !v->hash)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < imp->nsus; i++) {
        struct suspect *s = &imp->sus[i];
        v->hash[i] = crm_idset_hash((const char *)imp->sus_text.data + s->text, s->id_len);
        size_t pos = (size_t)v->hash[i] & v->mask;
        while (v->map[pos])
            pos = (pos + 1) & v->mask;
        v->map[pos] = (uint32_t)i + 1;
    }
    enum crm_err rc = CRM_OK;
    for (size_t w = 0; w < imp->nw && rc == CRM_OK; w++) {
        v->existing = imp->existing[w];
        rc = crm_store_writer_each_order_id_of(imp->w[w], CRM_IDS_UNSUMMARIZED |
                                               CRM_IDS_PROBED | CRM_IDS_NEW, verify_one, v, e);
    }
    return rc;
}

/* A suspect no stored id matched (a hash collision): imported as the row it was. */
static enum crm_err import_suspect(struct crm_import *imp, const struct suspect *s,
                                   uint64_t h, struct crm_errinfo *e)
{
    const char *text = (const char *)imp->sus_text.data + s->text;
    const char *raw = text + s->id_len + s->cust_len + s->cur_len;
    struct row rw = {
        .k = {.id = text, .id_len = s->id_len, .cust = text + s->id_len,
              .cust_len = s->cust_len, .usable = 1},
        .cur = text + s->id_len + s->cust_len, .cur_len = s->cur_len,
        .time = s->time, .amount = s->amount, .quantity = s->quantity,
        .has_time = s->has_time, .has_amount = s->has_amount, .has_qty = s->has_qty,
        .has_status = s->has_status, .status = s->status, .refunded = s->refunded,
        .refund_order = s->refund_order,
    };
    const char *item = raw + s->raw_len;   /* the line item kept after the raw row */
    rw.item = (struct crm_lineitem_text){item, item + s->item_len[0],
                                         item + s->item_len[0] + s->item_len[1],
                                         s->item_len[0], s->item_len[1], s->item_len[2]};
    key_numbers(imp, &rw.k);             /* id_h: h again */
    enum crm_reject reason;
    char why[256];
    struct open_order *o = wmap_find(imp, h, rw.k.id, rw.k.id_len);
    if (!o)
        o = over_find(imp, h, rw.k.id, rw.k.id_len);
    int placed = place_row(imp, &imp->files[s->file].map, &rw, h, o, &reason, why, sizeof why,
                           e);
    if (placed < 0)
        return e->code;
    if (placed > 0) {
        imp->st.rejected[reason]++;
        imp->st.rejected_total++;
        write_reject(imp, imp->files[s->file].name, s->line, why, raw, s->raw_len);
    }
    return CRM_OK;
}

/* One suspect settled: a far line item (rejected), a duplicate (skipped) or imported. */
static enum crm_err settle_one(struct crm_import *imp, const struct suspect *s, uint64_t h,
                               struct crm_errinfo *e)
{
    const char *text = (const char *)imp->sus_text.data + s->text;
    const char *raw = text + s->id_len + s->cust_len + s->cur_len;
    const char *file = imp->files[s->file].name;
    char why[200];
    if (s->confirmed == 2) {
        /* a line item of an order written > CRM_IMPORT_WINDOW orders before it */
        imp->st.rejected[CRM_REJ_FAR]++;
        imp->st.rejected_total++;
        imp->notes |= CRM_NOTE_FAR_LINE_ITEMS;
        snprintf(why, sizeof why, "line item of order %.*s begun more than %d orders "
                 "earlier in the input (sort by order id, or use --line-items unsorted)",
                 (int)cap_len(s->id_len, 64), text, CRM_IMPORT_WINDOW);
        write_reject(imp, file, s->line, why, raw, s->raw_len);
        return CRM_OK;
    }
    if (s->confirmed) {
        imp->st.duplicates++;
        snprintf(why, sizeof why, "duplicate order_id %.*s (already stored)",
                 (int)cap_len(s->id_len, 64), text);
        write_reject(imp, file, s->line, why, raw, s->raw_len);
        return CRM_OK;
    }
    return import_suspect(imp, s, h, e);
}

/* Settle the suspects: exact duplicates are skipped; the rest (hash collisions) import. */
static enum crm_err settle_suspects(struct crm_import *imp, struct crm_errinfo *e)
{
    if (imp->nsus == 0)
        return CRM_OK;
    struct verify_ctx v = {imp, 0, NULL, NULL, 0};
    enum crm_err rc = verify_suspects(imp, &v, e);
    for (size_t i = 0; rc == CRM_OK && i < imp->nsus; i++)
        rc = settle_one(imp, &imp->sus[i], v.hash[i], e);
    free(v.map);
    free(v.hash);
    imp->nsus = 0;
    while (rc == CRM_OK && imp->win_count > 0)
        rc = close_oldest(imp, e);
    return rc;
}


enum crm_err crm_import_finish(struct crm_import *imp, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    imp->finishing = 1;
    rc = write_kept(imp, e);            /* they began before those still in the window */
    while (rc == CRM_OK && imp->win_count > 0)
        rc = close_oldest(imp, e);
    if (rc == CRM_OK)
        rc = settle_suspects(imp, e);
    imp->st.customers_new = 0;           /* an append's batch resolved against the store */
    for (size_t i = 0; rc == CRM_OK && i < imp->nw; i++) {
        rc = crm_store_writer_resolve(imp->w[i], e);
        imp->st.customers_new += crm_store_writer_new_customers(imp->w[i]);
    }
    if (rc != CRM_OK)
        return rc;
    const struct crm_import_stats *st = &imp->st;
    if (st->rows != st->orders + st->merged + st->rejected_total + st->duplicates +
                        st->skipped_total)
        return crm_errinfo_set(e, CRM_EDATA, "internal error: %llu rows read but %llu "
                               "accounted for", (unsigned long long)st->rows,
                               (unsigned long long)(st->orders + st->merged +
                                                    st->rejected_total + st->duplicates +
                                                    st->skipped_total));
    if (!imp->o.order_amount_once && st->repeated_totals > 0 &&
        st->repeated_totals * 2 >= st->multi_line_orders)
        imp->notes |= CRM_NOTE_REPEATED_TOTALS;
    if (st->rows > 0 && (double)st->rejected_total > imp->o.max_reject_rate * (double)st->rows)
        return crm_errinfo_set(e, CRM_EDATA, "%llu of %llu rows rejected (%.2f%%), over "
                               "--max-reject-rate %g; no store written%s%s",
                               (unsigned long long)st->rejected_total,
                               (unsigned long long)st->rows,
                               100.0 * (double)st->rejected_total / (double)st->rows,
                               imp->o.max_reject_rate, imp->nfirst ? "; the first: " : "",
                               imp->nfirst ? imp->first_rej[0] : "");
    return CRM_OK;
}
