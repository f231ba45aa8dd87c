/* import: rows → orders → store (see import.h for the nothing-lost invariant). This file:
 * the importer's life cycle (crm_import_new, crm_import_free), the names of fields, rejects
 * and skips, the status table, and what the caller reads back.
 * Data structures (importint.h): `win` is a ring of the last CRM_IMPORT_WINDOW orders begun,
 * still open for more line items, with `wmap` from order id to the order's sequence number
 * (its ring slot is that modulo the ring size; filled only when a row looks an order up, for
 * the orders begun since the last look-up: wmap_find); an order leaves the ring (oldest first) when
 * the ring is full or at finish, and is then written. Its map entry is not removed: only
 * sequence numbers in [win_seq, win_seq + win_count) are open, so it is dead from then on.
 * With --line-items unsorted an order leaving the ring is kept in `over` instead, open,
 * and all of them are written at finish (before the ring's, in the order they began).
 * `seen` (lib/idset) holds every order id this import began (noted when the order opens;
 * a row looks in the window first, so an open order's id answers there) and, appending to a
 * store written before order-id summaries, that store's ids, as a bit or as a 64-bit hash;
 * a row whose id is there and not open, or that a stored chunk's order-id summary admits
 * (an append: crm_store_writer_id_may_be_stored), is held as a suspect and settled at
 * finish against the exact ids of the chunks concerned: an id stored before this import
 * (order number below `existing`) makes a duplicate, skipped; one written by this import
 * makes a far-apart line item, rejected (SPEC §13.1); anything else (a hash collision, or
 * an id inside a chunk's range but not in it) is imported.
 * Where each step is: a file's columns → fields, importmap.c (map_columns); its rows,
 * importstream.c (import_stream); one row's keys and values, importrow.c (parse_row); the
 * window and a row's place in it, importwin.c (do_row); suspects and the final count,
 * importsus.c (crm_import_finish); rejects, importrej.c; the customers file, importcust.c;
 * --sniff, importsniff.c; the tables of presets and header names, preset.c. */
#include "import/import.h"

#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "import/idset.h"
#include "import/importint.h"
#include "text/money.h"

static const char *const field_names[CRM_F_COUNT] = {
    "order_id", "customer_id", "order_time", "amount", "quantity", "unit_price", "status",
    "currency", "refunded_amount", "phone", "product_id", "product_name", "category",
};

static const char *const reject_names[CRM_REJ_COUNT] = {
    "wrong number of fields", "invalid encoding", "empty customer_id", "bad order_time",
    "bad amount", "bad quantity", "negative amount on a paid row", "unknown status",
    "conflicts with its order", "id longer than 1024 bytes",
    "amount has more decimals than the store keeps", "line item far from its order",
    "unterminated quote",
};

static const char *const skip_names[CRM_SKIP_COUNT] = {"no customer id (expected)",
                                                       "adjustment (expected)",
                                                       "guest order (expected)"};

const char *crm_field_name(enum crm_field f)
{
    return (unsigned)f < CRM_F_COUNT ? field_names[f] : "?";
}

int crm_field_parse(const char *name)
{
    for (int f = 0; f < CRM_F_COUNT; f++)
        if (strcmp(name, field_names[f]) == 0)
            return f;
    if (strcmp(name, "customer") == 0)
        return CRM_F_CUSTOMER;
    if (strcmp(name, "time") == 0 || strcmp(name, "date") == 0)
        return CRM_F_TIME;
    if (strcmp(name, "price") == 0)
        return CRM_F_UNIT_PRICE;
    return -1;
}

const char *crm_reject_name(enum crm_reject r)
{
    return (unsigned)r < CRM_REJ_COUNT ? reject_names[r] : "?";
}

const char *crm_skip_name(enum crm_skip s)
{
    return (unsigned)s < CRM_SKIP_COUNT ? skip_names[s] : "?";
}
/* ---- status table ---- */

static enum crm_err add_status_text(struct crm_import *imp, uint8_t status, const char *t,
                                    size_t len)
{
    while (len && crm_text_space(*t)) {
        t++;
        len--;
    }
    while (len && crm_text_space(t[len - 1]))
        len--;
    if (len == 0)
        return CRM_OK;
    if (imp->nstatus == imp->status_cap) {
        size_t cap = imp->status_cap ? imp->status_cap * 2 : 64;
        struct status_entry *p = realloc(imp->statuses, cap * sizeof *p);
        if (!p)
            return CRM_ENOMEM;
        imp->statuses = p;
        imp->status_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return CRM_ENOMEM;
    for (size_t i = 0; i < len; i++)
        copy[i] = t[i] >= 'A' && t[i] <= 'Z' ? (char)(t[i] - 'A' + 'a') : t[i];
    copy[len] = '\0';
    imp->statuses[imp->nstatus].text = copy;
    imp->statuses[imp->nstatus].len = len;
    imp->statuses[imp->nstatus].status = status;
    imp->nstatus++;
    return CRM_OK;
}

static int status_code(const char *name, size_t len)
{
    if (len == 14 && strncmp(name, "refunded-order", len) == 0)
        return STATUS_REFUNDED_ORDER;
    for (int s = 0; s < CRM_STATUS_COUNT; s++)
        if (strlen(crm_status_name((enum crm_status)s)) == len &&
            strncmp(crm_status_name((enum crm_status)s), name, len) == 0)
            return s;
    return -1;
}

/* "status=text,text" groups separated by ';' (one group when from the command line). */
enum crm_err add_status_spec(struct crm_import *imp, const char *spec, int groups,
                             struct crm_errinfo *e)
{
    const char *p = spec;
    while (*p) {
        const char *end = groups ? strchr(p, ';') : NULL;
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        int st = eq ? status_code(p, (size_t)(eq - p)) : -1;
        if (st < 0)
            return crm_errinfo_set(e, CRM_EUSAGE,
                                   "--status %s: expected STATUS=TEXT[,TEXT...] with STATUS one "
                                   "of paid, cancelled, refunded, pending, refunded-order",
                                   spec);
        for (const char *t = eq + 1; t < end;) {
            const char *comma = memchr(t, ',', (size_t)(end - t));
            const char *stop = comma ? comma : end;
            if (add_status_text(imp, (uint8_t)st, t, (size_t)(stop - t)) != CRM_OK)
                return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            t = comma ? comma + 1 : end;
        }
        p = *end ? end + 1 : end;
    }
    return CRM_OK;
}

enum crm_err crm_import_add_status(struct crm_import *imp, const char *spec,
                                   struct crm_errinfo *e)
{
    /* User entries go first: insert them ahead of what is there. */
    size_t before = imp->nstatus;
    enum crm_err rc = add_status_spec(imp, spec, 0, e);
    if (rc != CRM_OK)
        return rc;
    size_t added = imp->nstatus - before;
    struct status_entry *tmp = malloc(added * sizeof *tmp + 1);
    if (!tmp)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    memcpy(tmp, imp->statuses + before, added * sizeof *tmp);
    memmove(imp->statuses + added, imp->statuses, before * sizeof *tmp);
    memcpy(imp->statuses, tmp, added * sizeof *tmp);
    free(tmp);
    imp->user_statuses += added;
    imp->last_status = 0;
    return CRM_OK;
}

/* ---- life cycle ---- */

enum crm_err crm_import_new(const struct crm_import_opts *o, struct crm_store_writer *const *w,
                            size_t nw, struct crm_out *rejects, struct crm_import **out,
                            struct crm_errinfo *e)
{
    *out = NULL;
    /* aligned as the struct asks, so `st` is on a cache line of its own */
    struct crm_import *imp = crm_calloc_aligned(_Alignof(struct crm_import), sizeof *imp);
    if (!imp)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    imp->o = *o;
    imp->nw = nw;
    imp->w = malloc(nw * sizeof *imp->w);
    imp->dict = malloc(nw * sizeof *imp->dict);
    if (!imp->w || !imp->dict || nw == 0) {
        crm_import_free(imp);
        return crm_errinfo_set(e, nw ? CRM_ENOMEM : CRM_EUSAGE, "no store to write");
    }
    imp->existing = calloc(nw, sizeof *imp->existing);
    if (!imp->existing) {
        crm_import_free(imp);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nw; i++) {
        imp->w[i] = w[i];
        imp->dict[i] = crm_store_writer_dict(w[i]);
        imp->existing[i] = crm_store_writer_order_count(w[i]);
        imp->stored_before |= imp->existing[i] > 0;
    }
    imp->rejects = rejects;
    imp->scale = crm_store_writer_meta(w[0])->money_scale;
    imp->preset = crm_preset_find(o->preset);
    if (o->preset && !imp->preset) {
        crm_import_free(imp);
        return crm_errinfo_set(e, CRM_EUSAGE, "unknown preset \"%s\" (known: cdnow, "
                               "uci-online-retail, shopify, taobao)", o->preset);
    }
    if (imp->preset && (imp->preset->rules & P_ONCE))
        imp->o.order_amount_once = 1;
    imp->money_flags = (o->decimal_comma ? CRM_MONEY_DECIMAL_COMMA : CRM_MONEY_THOUSANDS) |
                       (o->round_money ? CRM_MONEY_ROUND : 0);
    if (imp->preset && (imp->preset->rules & P_CDNOW) && !o->csv.delimiter)
        imp->o.csv.delimiter = 0;   /* whitespace (.txt) or comma (.csv): detected */
    imp->win = crm_big_calloc(CRM_IMPORT_WINDOW * sizeof *imp->win);   /* page-aligned */
    /* 2 MiB: mapped (page-aligned buckets, pages zeroed as they are touched) */
    imp->wmap = crm_big_calloc(WMAP_BUCKETS * sizeof *imp->wmap);
    imp->seen = crm_idset_new();
    if (!imp->win || !imp->wmap || !imp->seen) {
        crm_import_free(imp);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    enum crm_err rc = CRM_OK;
    if (imp->preset && imp->preset->statuses)
        rc = add_status_spec(imp, imp->preset->statuses, 1, e);
    if (rc == CRM_OK)
        rc = add_status_spec(imp, crm_preset_statuses, 1, e);
    if (rc != CRM_OK) {
        crm_import_free(imp);
        return rc;
    }
    if (rejects)
        crm_out_header(rejects, "file,line,reason,raw");
    *out = imp;
    return CRM_OK;
}

void crm_import_free(struct crm_import *imp)
{
    if (!imp)
        return;
    for (size_t i = 0; i < imp->nstatus; i++)
        free(imp->statuses[i].text);
    free(imp->statuses);
    crm_lineitems_free(imp->items);
    if (imp->win) {
        /* Only the open orders (the ring's used slots) can own an id: a closed order's id is
         * freed when it is written. Scanning all 65,536 slots touched 6 MB of pages for
         * nothing (half the time of a small import under the fuzzer). */
        for (size_t k = 0; k < imp->win_count; k++) {
            struct open_order *o = &imp->win[(imp->win_head + k) % CRM_IMPORT_WINDOW];
            if (o->id && o->id != o->id_inline)
                free(o->id);
        }
    }
    crm_big_free(imp->win, CRM_IMPORT_WINDOW * sizeof *imp->win);
    crm_big_free(imp->wmap, WMAP_BUCKETS * sizeof *imp->wmap);
    crm_idset_free(imp->seen);
    free_stream_header(imp);
    free(imp->w);
    free(imp->dict);
    free(imp->existing);
    for (size_t i = 0; i < imp->nover; i++)
        free(imp->over[i].id);                      /* NULL when inline */
    free(imp->over);
    free(imp->over_index);
    free(imp->sus);
    for (size_t i = 0; i < imp->nfiles; i++)
        free(imp->files[i].name);
    free(imp->files);
    crm_buf_free(&imp->sus_text);
    crm_buf_free(&imp->scratch);
    crm_buf_free(&imp->raw);
    crm_buf_free(&imp->keybuf);
    free(imp);
}

const struct crm_import_stats *crm_import_stats(const struct crm_import *imp)
{
    return &imp->st;
}

void crm_import_set_progress(struct crm_import *imp,
                             void (*fn)(void *ctx, unsigned long long bytes), void *ctx)
{
    imp->o.progress = fn;
    imp->o.progress_ctx = ctx;
}

const char *crm_import_last_encoding(const struct crm_import *imp)
{
    return imp->last_encoding;
}

int crm_import_last_delimiter(const struct crm_import *imp)
{
    return imp->last_delim;
}

unsigned crm_import_notes(const struct crm_import *imp)
{
    return imp->notes;
}

const char *crm_import_first_reject(const struct crm_import *imp, size_t i)
{
    return i < imp->nfirst ? imp->first_rej[i] : NULL;
}
const char *crm_import_preset_name(const struct crm_import *imp)
{
    return imp->preset ? imp->preset->name : NULL;
}
