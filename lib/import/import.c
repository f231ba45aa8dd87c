/* import: rows → orders → store (see import.h for the nothing-lost invariant).
 * Data structures: `win` is a ring of the last CRM_IMPORT_WINDOW orders begun, still open
 * for more line items, with `wmap` from order id to the order's sequence number (its ring
 * slot is that modulo the ring size); an order leaves the ring (oldest first) when the ring
 * is full or at finish, and is then written. Its map entry is not removed: only sequence
 * numbers in [win_seq, win_seq + win_count) are open, so it is dead from then on.
 * With --line-items unsorted an order leaving the ring is kept in `over` instead, open,
 * and all of them are written at finish (before the ring's, in the order they began).
 * `seen` (lib/idset) holds every written order id, as a bit or as a 64-bit hash; a row
 * whose id is there is held as a suspect and settled at finish against the exact ids the
 * writer kept: an id stored before this import (order number below `existing`) makes a
 * duplicate, skipped; one written by this import makes a far-apart line item, rejected
 * (SPEC §13.1); anything else (a hash collision) is imported. The tables of presets and
 * header names are in preset.c; --sniff (crm_import_sniff) is at the end of this file. */
#include "import/import.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/bigmem.h"
#include "base/buf.h"
#include "store/dict.h"
#include "base/hash.h"
#include "import/idset.h"
#include "import/lineitems.h"
#include "import/preset.h"
#include "text/textfield.h"
#include "text/money.h"
#include "text/timeparse.h"

#define WMAP_BUCKETS (CRM_IMPORT_WINDOW / 2)   /* ~2 open orders a bucket of 7 ways */
#define WMAP_WAYS 7

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

/* ---- presets and header names: lib/import/preset.c ---- */

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

/* ---- the importer ---- */

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
    long long line;
    int64_t time, amount, quantity, refunded;
    uint8_t status, has_time, has_amount, has_qty, has_status, confirmed, refund_order;
};

struct colmap {
    int col[CRM_F_COUNT];    /* 0-based column, -1: absent */
    size_t ncols;
    int email;               /* the customer column holds e-mail: compared without case */
};

/* Field by field: a memcmp of the struct would read its padding, which is never written. */
static int same_map(const struct colmap *a, const struct colmap *b)
{
    return a->ncols == b->ncols && memcmp(a->col, b->col, sizeof a->col) == 0;
}

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
    struct wbucket *wmap;
    struct crm_idset *seen;             /* written order ids */
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
    char first_rej[CRM_IMPORT_FIRST_REJECTS][320];
    size_t nfirst;
};

/* ---- small helpers ---- */

/* Before an option named in a hint: nothing for crm-import, "crm-import " for a tool
 * importing on the fly, which does not take import options. */
static const char *via(const struct crm_import *imp)
{
    return imp->o.on_the_fly ? "crm-import " : "";
}


/* Trim spaces and the spreadsheet text markers (lib/text/textfield.h). */
static void clean_text(const char **ps, size_t *plen)
{
    const char *e = *ps + *plen;
    crm_text_unwrap(ps, &e);
    *plen = (size_t)(e - *ps);
}

static size_t cap_len(size_t n, size_t cap)
{
    return n < cap ? n : cap;
}

/* s with control characters (0x00-0x1F but tab, and 0x7F) as \xNN, into out. */
static void escape_controls(struct crm_buf *out, const char *s, size_t len)
{
    out->len = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            char esc[5];
            snprintf(esc, sizeof esc, "\\x%02X", c);
            crm_buf_put(out, esc, 4);
        } else {
            crm_buf_u8(out, c);
        }
    }
}

static int has_controls(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
            return 1;
    return 0;
}

/* Keep the first few rejects for stderr: "file:line: reason: excerpt". */
static void note_first_reject(struct crm_import *imp, const char *file, long long line,
                              const char *reason, const char *raw, size_t raw_len)
{
    if (imp->nfirst >= CRM_IMPORT_FIRST_REJECTS || strncmp(reason, "skipped:", 8) == 0 ||
        strncmp(reason, "duplicate ", 10) == 0)
        return;
    char *d = imp->first_rej[imp->nfirst++];
    size_t cap = sizeof imp->first_rej[0];
    int n = snprintf(d, cap, "%s:%lld: %s: ", file, line, reason);
    size_t at = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    size_t room = cap - at - 1, k = 0;
    const size_t excerpt = 60;
    for (size_t i = 0; i < raw_len && k + 4 < room && i < excerpt; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c < 0x20 || c == 0x7f)
            k += (size_t)snprintf(d + at + k, room - k + 1, "\\x%02X", c);
        else
            d[at + k++] = (char)c;
    }
    /* never end inside a UTF-8 character */
    while (k > 0 && ((unsigned char)d[at + k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)d[at + k - 1] >= 0xC0)
        k--;
    if (raw_len > excerpt && k + 3 < room) {
        memcpy(d + at + k, "...", 3);
        k += 3;
    }
    d[at + k] = '\0';
}

/* Write one line to the rejects file: file,line,reason,raw (control characters as \xNN:
 * the file is read by people and spreadsheets). */
static void write_reject(struct crm_import *imp, const char *file, long long line,
                         const char *reason, const char *raw, size_t raw_len)
{
    note_first_reject(imp, file, line, reason, raw, raw_len);
    if (!imp->rejects)
        return;
    crm_out_cstr(imp->rejects, file);
    crm_out_int(imp->rejects, line);
    if (has_controls(reason, strlen(reason))) {
        escape_controls(&imp->scratch, reason, strlen(reason));
        crm_out_str(imp->rejects, (const char *)imp->scratch.data, imp->scratch.len);
    } else {
        crm_out_cstr(imp->rejects, reason);
    }
    if (has_controls(raw, raw_len)) {
        escape_controls(&imp->scratch, raw, raw_len);
        crm_out_str(imp->rejects, (const char *)imp->scratch.data, imp->scratch.len);
    } else {
        crm_out_str(imp->rejects, raw, raw_len);
    }
    crm_out_end_row(imp->rejects);
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

/* A record that is not stored, to the rejects file: the reason, then the record as text. */
static void vreject_record(struct crm_import *imp, struct crm_csvin *in,
                           const struct crm_record *rec, const char *fmt, va_list ap)
{
    if (!imp->rejects && imp->nfirst >= CRM_IMPORT_FIRST_REJECTS)
        return;
    char reason[512];
    vsnprintf(reason, sizeof reason, fmt, ap);
    imp->raw.len = 0;
    crm_csvin_format_record(in, rec, &imp->raw);
    write_reject(imp, crm_csvin_name(in), rec->line, reason, (const char *)imp->raw.data,
                 imp->raw.len);
}

static void reject_row(struct rowctx *r, enum crm_reject why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reject_row(struct rowctx *r, enum crm_reject why, const char *fmt, ...)
{
    va_list ap;
    if (r->quiet)
        return;
    r->imp->st.rejected[why]++;
    r->imp->st.rejected_total++;
    va_start(ap, fmt);
    vreject_record(r->imp, r->in, r->rec, fmt, ap);
    va_end(ap);
}

static void reject_record(struct crm_import *imp, struct crm_csvin *in,
                          const struct crm_record *rec, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reject_record(struct crm_import *imp, struct crm_csvin *in,
                          const struct crm_record *rec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreject_record(imp, in, rec, fmt, ap);
    va_end(ap);
}

static void skip_row(struct rowctx *r, enum crm_skip why)
{
    if (r->quiet)
        return;
    r->imp->st.skipped[why]++;
    r->imp->st.skipped_total++;
    reject_record(r->imp, r->in, r->rec, "skipped: %s for preset %s", skip_names[why],
                  r->imp->preset ? r->imp->preset->name : "-");
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
static enum crm_err add_status_spec(struct crm_import *imp, const char *spec, int groups,
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

/* s equals the lower-case key t, ASCII letters compared without case. */
static int same_status_text(const char *s, const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)t[i])
            return 0;
    }
    return 1;
}

/* -1 when the text is not in the table. */
static inline __attribute__((always_inline)) int
lookup_status(const struct crm_import *imp, size_t *last_status, const char *s, size_t len)
{
    if (!imp->nstatus)
        return -1;
    const struct status_entry *last = &imp->statuses[*last_status];
    if (last->len == len && same_status_text(s, last->text, len))
        return last->status;
    for (size_t i = 0; i < imp->nstatus; i++) {
        if (imp->statuses[i].len == len && same_status_text(s, imp->statuses[i].text, len)) {
            *last_status = i;
            return imp->statuses[i].status;
        }
    }
    return -1;
}

/* ---- the window of open orders ---- */

static size_t wbucket_of(uint64_t h)
{
    return (size_t)(h >> 40) & (WMAP_BUCKETS - 1);      /* bits the tag does not use */
}

/* The order of sequence number seq (low 32 bits) is open. */
static int wlive(const struct crm_import *imp, uint32_t seq)
{
    return (uint32_t)(seq - (uint32_t)imp->win_seq) < imp->win_count;
}

/* The open order with this id, or NULL. */
static struct open_order *wmap_find(struct crm_import *imp, uint64_t h, const char *id,
                                    size_t len)
{
    uint32_t tag = (uint32_t)h | 1;
    for (size_t b = wbucket_of(h);; b = (b + 1) & (WMAP_BUCKETS - 1)) {
        const struct wbucket *k = &imp->wmap[b];
        for (int i = 0; i < WMAP_WAYS; i++) {
            if (k->way[i].tag == tag && wlive(imp, k->way[i].seq)) {
                struct open_order *o = &imp->win[k->way[i].seq % CRM_IMPORT_WINDOW];
                if (o->hash == h && o->id_len == len && memcmp(o->id, id, len) == 0)
                    return o;
            }
        }
        if (!k->spilled || !wlive(imp, k->spill_seq))
            return NULL;
    }
}

/* Map the open order of sequence number seq (already counted in win_count). */
static void wmap_insert(struct crm_import *imp, uint64_t h, uint64_t seq)
{
    uint32_t tag = (uint32_t)h | 1;
    for (size_t b = wbucket_of(h);; b = (b + 1) & (WMAP_BUCKETS - 1)) {
        struct wbucket *k = &imp->wmap[b];
        for (int i = 0; i < WMAP_WAYS; i++) {
            if (!k->way[i].tag || !wlive(imp, k->way[i].seq)) {
                k->way[i].seq = (uint32_t)seq;
                k->way[i].tag = tag;
                return;
            }
        }
        k->spilled = 1;
        k->spill_seq = (uint32_t)seq;
    }
}

/* Write an order to the store (and its refunded part), note its id as written, free its
 * id. slot: the order's window slot, whose line items go with it (-1: none kept). */
static inline __attribute__((always_inline)) enum crm_err
write_order(struct crm_import *imp, struct open_order *o, long slot, struct crm_errinfo *e)
{
    struct crm_order ord = {
        .customer = o->customer,
        .time = o->time,
        .amount = o->amount,
        .quantity = o->quantity > INT32_MAX ? INT32_MAX : (int32_t)o->quantity,
        .status = o->status,
        .order_id = o->id,
        .order_id_len = o->id_len,
        .order_id_num = {o->id_number, o->id_digits},
        .currency = o->cur,
        .currency_len = o->cur_len,
    };
    if (imp->items && slot >= 0)
        ord.items = crm_lineitems_of(imp->items, (size_t)slot, &ord.item_count);
    if (o->rows > 1) {
        imp->st.multi_line_orders++;
        imp->st.repeated_totals += o->same_amount == 2 && o->first_amount != 0;
    }
    enum crm_err rc = crm_store_writer_add(imp->w[o->part], &ord, e);
    if (rc == CRM_OK && o->refunded > 0 && o->amount > 0 && o->status == CRM_STATUS_PAID) {
        /* the refunded part of an order that stays paid: a return record, which --net
         * subtracts; it has no order id of its own (it goes with its order) */
        struct crm_order ret = ord;
        ret.amount = o->refunded < o->amount ? o->refunded : o->amount;
        ret.quantity = 0;
        ret.status = CRM_STATUS_REFUNDED;
        ret.order_id = NULL;
        ret.order_id_len = 0;
        ret.order_id_num = (struct crm_numid){0, 0};
        ret.items = NULL;               /* the products went with the order itself */
        ret.item_count = 0;
        rc = crm_store_writer_add(imp->w[o->part], &ret, e);
        imp->st.partial_refunds++;
        imp->st.refund_records++;
    }
    if (rc == CRM_OK && o->hash &&
        crm_idset_insert(imp->seen, o->id, o->id_len, o->hash,
                         &(struct crm_numid){o->id_number, o->id_digits}) != 0)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    imp->st.orders++;
    if (o->id != o->id_inline)
        free(o->id);
    o->id = NULL;
    return rc;
}

/* --line-items unsorted: an order leaving the window is kept, open, in `over` (begin
 * order, indexed by id hash) until finish: memory O(orders). */
static struct open_order *over_find(const struct crm_import *imp, uint64_t h, const char *id,
                                    size_t len)
{
    if (!imp->nover)
        return NULL;
    for (size_t pos = (size_t)h & imp->over_mask; imp->over_index[pos];
         pos = (pos + 1) & imp->over_mask) {
        struct open_order *o = &imp->over[imp->over_index[pos] - 1];
        if (o->hash == h && o->id_len == len &&
            memcmp(o->id ? o->id : o->id_inline, id, len) == 0)
            return o;
    }
    return NULL;
}

static int over_index_put(struct crm_import *imp, size_t i)
{
    size_t pos = (size_t)imp->over[i].hash & imp->over_mask;
    while (imp->over_index[pos])
        pos = (pos + 1) & imp->over_mask;
    imp->over_index[pos] = (uint32_t)i + 1;
    return 0;
}

static enum crm_err over_keep(struct crm_import *imp, const struct open_order *o,
                              struct crm_errinfo *e)
{
    if (imp->nover == imp->over_cap) {
        size_t cap = imp->over_cap ? imp->over_cap * 2 : 4096;
        struct open_order *p = realloc(imp->over, cap * sizeof *p);
        uint32_t *ix = calloc(cap * 2, sizeof *ix);
        if (!p || !ix || cap >= UINT32_MAX / 2) {
            free(ix);
            if (p)
                imp->over = p;
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory holding %zu orders open for "
                                   "--line-items unsorted", imp->nover);
        }
        imp->over = p;
        free(imp->over_index);
        imp->over_index = ix;
        imp->over_cap = cap;
        imp->over_mask = cap * 2 - 1;
        for (size_t i = 0; i < imp->nover; i++)
            over_index_put(imp, i);
    }
    struct open_order *k = &imp->over[imp->nover];
    *k = *o;
    k->id = o->id == o->id_inline ? NULL : o->id;   /* NULL: inline (the array moves) */
    over_index_put(imp, imp->nover);
    imp->nover++;
    return CRM_OK;
}

/* The oldest open order leaves the window: written, or kept (--line-items unsorted). */
static enum crm_err close_oldest(struct crm_import *imp, struct crm_errinfo *e)
{
    struct open_order *o = &imp->win[imp->win_head];
    if (imp->win_count > 16) {      /* the order that closes 16 steps from now */
        const struct open_order *ahead = &imp->win[(imp->win_head + 16) % CRM_IMPORT_WINDOW];
        if (ahead->hash)
            crm_idset_prefetch(imp->seen, ahead->hash);
        __builtin_prefetch(&imp->win[(imp->win_head + 32) % CRM_IMPORT_WINDOW]);
    }
    enum crm_err rc;
    if (imp->o.line_items_unsorted && !imp->finishing) {
        rc = over_keep(imp, o, e);
        o->id = NULL;
    } else {
        rc = write_order(imp, o, (long)imp->win_head, e);
    }
    imp->win_head = (imp->win_head + 1) % CRM_IMPORT_WINDOW;
    imp->win_seq++;                     /* its map entry is dead from here on */
    imp->win_count--;
    return rc;
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
    struct crm_lineitem_text item;      /* product columns (line items kept) */
    int64_t time, amount, quantity, refunded;
    uint8_t has_time, has_amount, has_qty, has_status, status, refund_order, rounded;
};

/* Field by field: a struct copy of cust_num, just stored as 8 + 4 bytes, stalls. */
static void cust_key(const struct row *rw, struct crm_dict_key *k)
{
    k->id = rw->k.cust;
    k->len = rw->k.cust_len;
    k->hash = rw->k.cust_h;
    k->num.number = rw->k.cust_num.number;
    k->num.digits = rw->k.cust_num.digits;
}

/* Begin a new order from a row that has all it needs. */
static enum crm_err open_order(struct crm_import *imp, const struct row *rw, uint64_t h,
                               struct crm_errinfo *e)
{
    uint32_t cust;
    enum crm_err rc;
    int added;
    struct crm_dict_key key;
    cust_key(rw, &key);
    rc = crm_dict_intern_key(imp->dict[rw->k.part], &key, &cust, &added);
    if (rc != CRM_OK)
        return crm_errinfo_set(e, rc, "cannot add customer: %s", crm_strerror(rc));
    imp->st.customers_new += (uint64_t)added;
    if (imp->win_count == CRM_IMPORT_WINDOW && (rc = close_oldest(imp, e)) != CRM_OK)
        return rc;
    uint32_t slot = (uint32_t)((imp->win_head + imp->win_count) % CRM_IMPORT_WINDOW);
    struct open_order *o = &imp->win[slot];
    o->hash = h;
    o->customer = cust;
    o->part = rw->k.part;
    o->rows = 1;
    o->time = rw->time;
    o->amount = rw->amount;
    o->has_amount = (uint8_t)rw->has_amount;
    o->quantity = rw->has_qty ? rw->quantity : 1;
    o->status = rw->status;
    o->refunded = rw->refunded;
    o->same_amount = rw->has_amount;
    o->first_amount = rw->amount;
    imp->st.refunded_orders += rw->refund_order;
    o->cur_len = (uint8_t)cap_len(rw->cur_len, sizeof o->cur);
    memcpy(o->cur, rw->cur, o->cur_len);
    o->id_len = (uint32_t)rw->k.id_len;
    o->id_number = rw->k.id_num.number;
    o->id_digits = (uint8_t)rw->k.id_num.digits;        /* at most CRM_NUMID_DIGITS */
    if (rw->k.id_len <= sizeof o->id_inline) {
        o->id = o->id_inline;
    } else if (!(o->id = malloc(rw->k.id_len))) {
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    memcpy(o->id, rw->k.id, rw->k.id_len);
    imp->win_count++;
    if (h)
        wmap_insert(imp, h, imp->win_seq + imp->win_count - 1);
    return CRM_OK;
}

/* Add a line item to its open order; 0, or 1 with what is wrong (a conflict, or an amount
 * total past int64 that would wrap negative) and the reject reason. */
static int merge_row(struct crm_import *imp, struct open_order *o, const struct row *rw,
                     const char **what, enum crm_reject *reason)
{
    *reason = CRM_REJ_CONFLICT;
    if (rw->k.cust_len) {
        uint32_t cust;
        struct crm_dict_key key;
        cust_key(rw, &key);
        if (rw->k.part != o->part || !crm_dict_find_key(imp->dict[o->part], &key, &cust) ||
            cust != o->customer) {
            *what = "customer_id differs from the order's";
            return 1;
        }
    }
    if (rw->has_status && rw->status != o->status) {
        *what = "status differs from the order's";
        return 1;
    }
    int64_t total = o->amount;
    if (rw->has_amount) {
        if (!o->has_amount)
            o->same_amount = 1, o->first_amount = rw->amount;
        else if (o->same_amount)
            o->same_amount = rw->amount == o->first_amount ? 2 : 0;
        if (!imp->o.order_amount_once) {
            if (__builtin_add_overflow(o->amount, rw->amount, &total)) {
                *what = "the order's amount total does not fit 64 bits (not money?)";
                *reason = CRM_REJ_AMOUNT;
                return 1;
            }
        } else if (!o->has_amount) {
            total = rw->amount;
        }
        o->has_amount = 1;
    }
    o->amount = total;
    if (rw->has_time && rw->time < o->time)
        o->time = rw->time;
    o->quantity += rw->has_qty ? rw->quantity : 1;
    if (rw->refunded > o->refunded)     /* the order's refund, on its first row */
        o->refunded = rw->refunded;
    o->rows++;
    imp->st.merged++;
    return 0;
}

/* Hold a row whose order id was already written by this import or the store. */
static enum crm_err hold_suspect(struct crm_import *imp, struct rowctx *r,
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

/* ---- one data row ---- */

static int parse_time(struct crm_import *imp, const char *s, size_t len, int64_t *out)
{
    struct crm_time_parsed t;
    int ok;
    if (imp->o.date_format)
        ok = crm_time_parse_format(s, len, imp->o.date_format, &t) == 0;
    else
        ok = crm_time_parse(s, len, &t) == 0 ||
             (imp->preset && imp->preset->date_format &&
              crm_time_parse_format(s, len, imp->preset->date_format, &t) == 0);
    if (!ok)
        return -1;
    if (!t.has_offset) {
        *out = t.secs;
        return 0;
    }
    int64_t utc = t.secs - t.offset_secs;
    if (!imp->o.local_zone) {
        *out = utc;
        return 0;
    }
    time_t tt = (time_t)utc;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return -1;
    *out = (int64_t)crm_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                        (unsigned)tm.tm_mday) * CRM_SECS_PER_DAY +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return 0;
}

/* Integer quantity ("3", "3.0", "-2"); -1 when not one. */
static int parse_quantity(const char *s, size_t len, int64_t *q)
{
    if (len <= 9) {                     /* the usual "1" or "12": digits only, < 2^31 */
        int64_t v = 0;
        size_t i = 0;
        while (i < len && (unsigned)(s[i] - '0') <= 9)
            v = v * 10 + (s[i++] - '0');
        if (i == len && len > 0) {
            *q = v;
            return 0;
        }
    }
    struct crm_decimal d;
    if (crm_money_parse_decimal(s, len, CRM_MONEY_THOUSANDS, &d) != CRM_MONEY_OK)
        return -1;
    int64_t p = 1;
    for (int i = 0; i < d.scale; i++)
        p *= 10;
    if (d.units % p != 0)
        return -1;
    *q = d.units / p;
    return *q > INT32_MAX || *q < -INT32_MAX ? -1 : 0;
}

static const char *fieldtext(const struct crm_record *rec, const struct colmap *m,
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

/* An e-mail address compared without case (ANNA@x and anna@x are one customer): lowered
 * in the record's own buffer, which the reader hands out writable (so a rejected row's raw
 * text shows it lowered too). */
static void lower_ascii(const char *s, size_t len)
{
    char *p = (char *)(uintptr_t)s;
    for (size_t i = 0; i < len; i++)
        if (p[i] >= 'A' && p[i] <= 'Z')
            p[i] = (char)(p[i] - 'A' + 'a');
}

static void strip_leading_zeros(const char **s, size_t *len)
{
    size_t i = 0;
    while (i + 1 < *len && (*s)[i] == '0')
        i++;
    for (size_t k = i; k < *len; k++)
        if ((*s)[k] < '0' || (*s)[k] > '9')
            return;    /* not a plain number: keep as written */
    *s += i;
    *len -= i;
}

/* The row's line item into its order's window slot (when items are kept); 0 or -1. */
static int keep_item(struct crm_import *imp, size_t slot, const struct row *rw,
                     struct crm_errinfo *e)
{
    if (!imp->items)
        return 0;
    if (imp->win[slot].rows == 1)
        crm_lineitems_clear(imp->items, slot);
    int64_t q = rw->has_qty ? rw->quantity : 1;
    int64_t amount = imp->o.order_amount_once ? 0 : rw->amount;
    int r = crm_lineitems_add(imp->items, slot, imp->w[rw->k.part], &rw->item,
                              (int32_t)(q < 0 ? -q : q), amount, e);
    if (r < 0)
        return -1;
    imp->st.items += r == 0;
    imp->st.items_no_product += r == 1;
    return 0;
}

/* Merge a validated row into its open order `o` (the window's entry for its id, found by
 * the caller, or NULL) or begin a new order. Returns 0 when placed,
 * 1 when rejected (reason and text filled), -1 on error (e filled). */
static int place_row(struct crm_import *imp, const struct colmap *m, const struct row *rw,
                     uint64_t h, struct open_order *o, enum crm_reject *reason, char *why,
                     size_t whysz, struct crm_errinfo *e)
{
    if (o) {
        const char *what;
        if (!merge_row(imp, o, rw, &what, reason))
            return keep_item(imp, (size_t)(o - imp->win), rw, e);
        snprintf(why, whysz, "order %.*s: %s", (int)cap_len(rw->k.id_len, 64), rw->k.id, what);
        return 1;
    }
    if (!rw->k.cust_len) {
        *reason = CRM_REJ_CUSTOMER;
        snprintf(why, whysz, "empty customer_id in column %d", m->col[CRM_F_CUSTOMER] + 1);
        return 1;
    }
    if (rw->k.cust_len > CRM_ID_MAX || rw->k.id_len > CRM_ID_MAX) {
        int cust = rw->k.cust_len > CRM_ID_MAX;
        *reason = CRM_REJ_ID_LENGTH;
        snprintf(why, whysz, "%s of %zu bytes in column %d: a store keeps ids of at most %d "
                 "bytes", cust ? "customer_id" : "order_id", cust ? rw->k.cust_len : rw->k.id_len,
                 m->col[cust ? CRM_F_CUSTOMER : CRM_F_ORDER_ID] + 1, CRM_ID_MAX);
        return 1;
    }
    if (!rw->has_time) {
        *reason = CRM_REJ_TIME;
        snprintf(why, whysz, "empty order_time in column %d", m->col[CRM_F_TIME] + 1);
        return 1;
    }
    if (!rw->has_amount) {
        int amount = m->col[CRM_F_AMOUNT] >= 0;
        *reason = CRM_REJ_AMOUNT;
        snprintf(why, whysz, "empty %s in column %d", amount ? "amount" : "unit_price",
                 (amount ? m->col[CRM_F_AMOUNT] : m->col[CRM_F_UNIT_PRICE]) + 1);
        return 1;
    }
    if (m->col[CRM_F_STATUS] >= 0 && !rw->has_status) {
        *reason = CRM_REJ_STATUS;
        snprintf(why, whysz, "empty status in column %d", m->col[CRM_F_STATUS] + 1);
        return 1;
    }
    if (open_order(imp, rw, h, e) != CRM_OK)
        return -1;
    return keep_item(imp, (imp->win_head + imp->win_count - 1) % CRM_IMPORT_WINDOW, rw, e);
}

/* The hashes, split numbers and partition of k's cleaned ids (those of an empty id stay
 * as they are: zero). */
static void key_numbers(const struct crm_import *imp, struct keys *k)
{
    if (k->id_len) {
        k->id_h = crm_idset_hash(k->id, k->id_len);
        k->id_num = crm_numid_split(k->id, k->id_len);
    }
    if (k->cust_len) {
        k->cust_h = crm_dict_hash(k->cust, k->cust_len);
        k->cust_num = crm_numid_split(k->cust, k->cust_len);
        k->part = (uint32_t)crm_import_partition(k->cust, k->cust_len, imp->nw);
    }
}

static inline __attribute__((always_inline)) void
prepare_keys(const struct crm_import *imp, const struct crm_record *rec, const struct colmap *m,
             struct keys *k)
{
    k->usable = !rec->bad_bytes && rec->nfields == m->ncols && !rec->quote_lines;
    k->id = k->cust = "";
    k->part = 0;
    k->id_len = k->cust_len = 0;
    k->id_h = k->cust_h = 0;
    k->id_num = (struct crm_numid){0, 0};
    k->cust_num = (struct crm_numid){0, 0};
    if (!k->usable)
        return;
    unsigned rules = imp->preset ? imp->preset->rules : 0;
    k->id = fieldtext(rec, m, CRM_F_ORDER_ID, &k->id_len);
    clean_text(&k->id, &k->id_len);
    k->cust = fieldtext(rec, m, CRM_F_CUSTOMER, &k->cust_len);
    clean_text(&k->cust, &k->cust_len);
    if ((rules & P_UCI) && k->cust_len > 2 && memcmp(k->cust + k->cust_len - 2, ".0", 2) == 0)
        k->cust_len -= 2;
    if (rules & P_CDNOW)
        strip_leading_zeros(&k->cust, &k->cust_len);
    if (!k->cust_len && m->col[CRM_F_PHONE] >= 0) {
        k->cust = fieldtext(rec, m, CRM_F_PHONE, &k->cust_len);
        clean_text(&k->cust, &k->cust_len);
    } else if (m->email) {
        lower_ascii(k->cust, k->cust_len);
    }
    key_numbers(imp, k);
}

size_t crm_import_partition(const char *customer_id, size_t len, size_t n)
{
    return n > 1 ? (size_t)(crm_hash_stable(customer_id, len) % n) : 0;
}

static void prefetch_keys(const struct crm_import *imp, const struct keys *k)
{
    if (!k->usable)
        return;
    if (k->cust_len) {
        struct crm_dict_key key = {k->cust, k->cust_len, k->cust_h, k->cust_num};
        crm_dict_prefetch(imp->dict[k->part], &key);
    }
    if (k->id_h) {
        crm_idset_prefetch(imp->seen, k->id_h);
        __builtin_prefetch(&imp->wmap[wbucket_of(k->id_h)]);
    }
}

/* The row's time and quantity; 0, or 1 when the row was rejected. */
static int parse_time_qty(struct rowctx *r, const struct colmap *m, struct row *rw)
{
    size_t len;
    const char *s = fieldtext(r->rec, m, CRM_F_TIME, &len);
    clean_text(&s, &len);
    if (len) {
        if (parse_time(r->imp, s, len, &rw->time) != 0 || rw->time < CRM_TIME_MIN ||
            rw->time > CRM_TIME_MAX) {   /* a store keeps the years 1-9999 */
            reject_row(r, CRM_REJ_TIME, "bad order_time \"%.*s\" in column %d (give its "
                       "shape with %s--date-format, e.g. '%%d.%%m.%%Y %%H:%%M')",
                       (int)cap_len(len, 64), s, m->col[CRM_F_TIME] + 1, via(r->imp));
            return 1;
        }
        rw->has_time = 1;
    }
    s = fieldtext(r->rec, m, CRM_F_QUANTITY, &len);
    if (m->col[CRM_F_QUANTITY] >= 0 && len) {
        if (parse_quantity(s, len, &rw->quantity) != 0) {
            reject_row(r, CRM_REJ_QUANTITY, "bad quantity \"%.*s\" in column %d",
                       (int)cap_len(len, 64), s, m->col[CRM_F_QUANTITY] + 1);
            return 1;
        }
        rw->has_qty = 1;
    }
    return 0;
}

static unsigned money_flags(const struct crm_import *imp)
{
    return imp->money_flags;
}

/* A money field that did not parse: the reason, with the option that fixes it. */
static void reject_money(struct rowctx *r, enum crm_money_status ms, const char *what,
                         const char *s, size_t len, int col)
{
    const struct crm_import *imp = r->imp;
    if (ms == CRM_MONEY_PRECISION) {
        reject_row(r, CRM_REJ_PRECISION, "%s \"%.*s\" in column %d has more decimals than "
                   "the store keeps (%d): use %s--round-money to round, or --money-scale N "
                   "for a new store", what, (int)cap_len(len, 64), s, col + 1, imp->scale,
                   via(imp));
        return;
    }
    const char *hint = "";
    if (!imp->o.decimal_comma && crm_money_looks_decimal_comma(s, len))
        hint = imp->o.on_the_fly ? " (a decimal comma? import with crm-import --decimal-comma)"
                                 : " (a decimal comma? use --decimal-comma)";
    reject_row(r, CRM_REJ_AMOUNT, "bad %s \"%.*s\" in column %d%s", what,
               (int)cap_len(len, 64), s, col + 1, hint);
}

/* The row's money: the amount column, or quantity × unit_price computed exactly (and
 * rounded once per row); never changed silently (crm_money_parse_exact). */
static int parse_amount(struct rowctx *r, const struct colmap *m, struct row *rw)
{
    size_t len;
    int amount_col = m->col[CRM_F_AMOUNT] >= 0;
    enum crm_field f = amount_col ? CRM_F_AMOUNT : CRM_F_UNIT_PRICE;
    const char *s = fieldtext(r->rec, m, f, &len);
    enum crm_money_status ms;
    unsigned note = 0, flags = money_flags(r->imp);
    if (amount_col) {
        ms = crm_money_parse_exact(s, len, flags, r->imp->scale, &rw->amount, &note);
    } else {
        struct crm_decimal price, q = {rw->has_qty ? rw->quantity : 1, 0};
        ms = crm_money_parse_decimal(s, len, flags & ~CRM_MONEY_ROUND, &price);
        if (ms == CRM_MONEY_OK &&
            crm_money_mul(price, q, r->imp->scale, &rw->amount) != CRM_MONEY_OK) {
            reject_row(r, CRM_REJ_AMOUNT, "quantity × unit_price overflows");
            return 1;
        }
        note = price.units < 0 ? CRM_MONEY_NEGATIVE : 0;
    }
    if (ms == CRM_MONEY_OK) {
        rw->has_amount = 1;
        rw->rounded = (note & CRM_MONEY_ROUNDED) != 0;
        if ((note & CRM_MONEY_NEGATIVE) && rw->amount == 0)
            rw->amount = -1;            /* "-0.004": negative, whatever it rounds to */
    } else if (ms != CRM_MONEY_EMPTY) {
        reject_money(r, ms, amount_col ? "amount" : "unit_price", s, len, m->col[f]);
        return 1;
    }
    if (m->col[CRM_F_REFUNDED] >= 0) {
        s = fieldtext(r->rec, m, CRM_F_REFUNDED, &len);
        ms = crm_money_parse_exact(s, len, flags, r->imp->scale, &rw->refunded, &note);
        if (ms == CRM_MONEY_EMPTY) {
            rw->refunded = 0;
        } else if (ms != CRM_MONEY_OK) {
            reject_money(r, ms, "refunded amount", s, len, m->col[CRM_F_REFUNDED]);
            return 1;
        } else if (rw->refunded < 0) {
            rw->refunded = -rw->refunded;
        }
    }
    return 0;
}

/* The row's status (UCI: a C invoice is a refund); a refund's negative money becomes the
 * money returned, a sale's is a reject. */
static int parse_status(struct rowctx *r, const struct colmap *m, unsigned rules,
                        struct row *rw)
{
    rw->status = CRM_STATUS_PAID;
    if (m->col[CRM_F_STATUS] >= 0) {
        size_t len;
        const char *s = fieldtext(r->rec, m, CRM_F_STATUS, &len);
        clean_text(&s, &len);
        if (len) {
            int st = lookup_status(r->imp, r->last_status, s, len);
            if (st < 0) {
                reject_row(r, CRM_REJ_STATUS, "unknown status \"%.*s\" in column %d (map it "
                           "with %s--status paid=TEXT, or another status)",
                           (int)cap_len(len, 64), s, m->col[CRM_F_STATUS] + 1, via(r->imp));
                return 1;
            }
            rw->refund_order = st == STATUS_REFUNDED_ORDER;
            rw->status = (uint8_t)(rw->refund_order ? CRM_STATUS_REFUNDED : st);
            rw->has_status = 1;
        }
    }
    if ((rules & P_UCI) && rw->k.id_len && (rw->k.id[0] == 'C' || rw->k.id[0] == 'c')) {
        rw->status = CRM_STATUS_REFUNDED;
        rw->has_status = 1;
    }
    if ((rw->has_amount && rw->amount < 0) || (rw->has_qty && rw->quantity < 0)) {
        if (rw->status == CRM_STATUS_PAID || rw->status == CRM_STATUS_PENDING) {
            reject_row(r, CRM_REJ_NEGATIVE, "negative %s on a %s row (refunds need status "
                       "refunded)", rw->has_amount && rw->amount < 0 ? "amount" : "quantity",
                       crm_status_name((enum crm_status)rw->status));
            return 1;
        }
        rw->amount = rw->amount < 0 ? -rw->amount : rw->amount;   /* money returned */
        rw->quantity = rw->quantity < 0 ? -rw->quantity : rw->quantity;
        rw->refund_order = 0;           /* a return row: its money is given back */
    }
    if (rw->refund_order) {             /* never revenue: nothing for --net to subtract */
        rw->amount = 0;
        rw->refunded = 0;
    }
    return 0;
}

/* The row's product columns, cleaned (all empty when no product column is mapped). */
static void item_text(const struct crm_record *rec, const struct colmap *m,
                      struct crm_lineitem_text *t)
{
    t->id = fieldtext(rec, m, CRM_F_PRODUCT_ID, &t->id_len);
    clean_text(&t->id, &t->id_len);
    t->name = fieldtext(rec, m, CRM_F_PRODUCT_NAME, &t->name_len);
    clean_text(&t->name, &t->name_len);
    t->category = fieldtext(rec, m, CRM_F_CATEGORY, &t->category_len);
    clean_text(&t->category, &t->category_len);
}

/* A data row checked and parsed: 0, or 1 when it was rejected or skipped (written, unless
 * quiet). Depends on the row and imp's settings only. */
static int parse_row(struct rowctx *r, const struct colmap *m, struct row *rw)
{
    const struct crm_import *imp = r->imp;
    const struct crm_record *rec = r->rec;
    if (__builtin_expect(rec->quote_lines > 0, 0)) {
        /* every physical line the quote swallowed counts as a rejected row */
        if (!r->quiet) {
            r->imp->st.quote_records++;
            r->imp->st.rows += (uint64_t)rec->quote_lines - 1;
            r->imp->st.rejected[CRM_REJ_QUOTE] += (uint64_t)rec->quote_lines - 1;
            r->imp->st.rejected_total += (uint64_t)rec->quote_lines - 1;
        }
        reject_row(r, CRM_REJ_QUOTE, "unterminated quote starting at line %lld (%lld lines "
                   "swallowed; a stray \" in a field?)", rec->line, rec->quote_lines);
        return 1;
    }
    if (rec->bad_bytes) {
        reject_row(r, CRM_REJ_ENCODING, "bytes invalid in %s (shown as \\xNN)",
                   crm_csvin_encoding(r->in));
        return 1;
    }
    if (rec->nfields != m->ncols) {
        reject_row(r, CRM_REJ_FIELDS, "%zu fields, expected %zu", rec->nfields, m->ncols);
        return 1;
    }
    unsigned rules = imp->preset ? imp->preset->rules : 0;
    rw->cur = NULL;                     /* the keys are set; the values start empty */
    rw->cur_len = 0;
    rw->time = rw->amount = rw->quantity = rw->refunded = 0;
    rw->has_time = rw->has_amount = rw->has_qty = rw->has_status = 0;
    rw->status = rw->refund_order = rw->rounded = 0;
    if ((rules & P_UCI) && rw->k.id_len && (rw->k.id[0] == 'A' || rw->k.id[0] == 'a')) {
        skip_row(r, CRM_SKIP_ADJUSTMENT);
        return 1;
    }
    if ((rules & P_UCI) && rw->k.cust_len == 0) {
        skip_row(r, CRM_SKIP_NO_CUSTOMER);
        return 1;
    }
    if (parse_time_qty(r, m, rw) || parse_amount(r, m, rw) || parse_status(r, m, rules, rw))
        return 1;
    rw->cur = fieldtext(rec, m, CRM_F_CURRENCY, &rw->cur_len);
    clean_text(&rw->cur, &rw->cur_len);
    if (m->col[CRM_F_PRODUCT_ID] >= 0)          /* line items kept (start_items) */
        item_text(rec, m, &rw->item);
    else
        rw->item.id_len = 0;
    return 0;
}

/* A row prepared ahead by a reader thread: its keys, and when `parsed` its values, checked
 * (parse_row). */
struct prow {
    struct row r;
    uint8_t parsed;
    uint8_t header;                     /* the file's header line again */
};

static int same_record(const struct crm_record *a, char *const *hdr, const size_t *hlen,
                       size_t n)
{
    if (a->nfields != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (a->len[i] != hlen[i] || memcmp(a->field[i], hdr[i], hlen[i]) != 0)
            return 0;
    return 1;
}

/* The per-row hook of import_stream (crm_csvin_set_prep), run by the reader threads — or
 * by import_stream itself for a batch parsed before the hook was set. */
static void prep_rows(void *ctx, const struct crm_record *recs, size_t n, void *out)
{
    struct crm_import *imp = ctx;
    struct prow *p = out;
    size_t last_status = 0;
    struct rowctx r = {imp, NULL, NULL, 1, &last_status};
    for (size_t i = 0; i < n; i++) {
        p[i].header = imp->stream_nh &&
                      same_record(&recs[i], imp->stream_hdr, imp->stream_hlen, imp->stream_nh);
        prepare_keys(imp, &recs[i], &imp->stream_map, &p[i].r.k);
        r.rec = &recs[i];
        p[i].parsed = p[i].r.k.usable && parse_row(&r, &imp->stream_map, &p[i].r) == 0;
    }
}

/* One data row: checked, parsed, then merged, held as a suspected duplicate, begun as a
 * new order, skipped or rejected — exactly one of them (the nothing-lost invariant). */
static enum crm_err do_row(struct rowctx *r, const struct colmap *m, const struct prow *p,
                           struct crm_errinfo *e)
{
    struct crm_import *imp = r->imp;
    const struct row *rw = &p->r;
    struct row again;
    if (!p->parsed) {                   /* parsed here, so that a reject is written */
        again.k = p->r.k;
        if (parse_row(r, m, &again))
            return CRM_OK;
        rw = &again;
    }
    imp->st.money_rounded += rw->rounded;
    uint64_t h = rw->k.id_h;
    struct open_order *o = rw->k.id_len ? wmap_find(imp, h, rw->k.id, rw->k.id_len) : NULL;
    if (!o && imp->nover && rw->k.id_len)
        o = over_find(imp, h, rw->k.id, rw->k.id_len);
    if (!o && !rw->k.cust_len && imp->preset && (imp->preset->rules & P_GUEST)) {
        skip_row(r, CRM_SKIP_GUEST);    /* neither e-mail nor phone: a guest order */
        return CRM_OK;
    }
    if (rw->k.id_len && !o &&
        crm_idset_contains(imp->seen, rw->k.id, rw->k.id_len, h, &rw->k.id_num))
        return hold_suspect(imp, r, m, rw, e);
    char why[256];
    enum crm_reject reason;
    int placed = place_row(imp, m, rw, h, o, &reason, why, sizeof why, e);
    if (placed < 0)
        return e->code;
    if (placed > 0)
        reject_row(r, reason, "%s", why);
    return CRM_OK;
}

/* ---- files ---- */

static int is_digits(const char *s, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void list_columns(const struct crm_record *hdr, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < hdr->nfields && n + 4 < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", i ? ", " : "", hdr->field[i]);
    if (n >= size)
        snprintf(buf + size - 5, 5, "...");
}

/* Column of a header name: exact (trimmed) first, then normalised; -1 when absent. */
static int find_column(const struct crm_record *hdr, const char *name, size_t name_len,
                       const struct colmap *used)
{
    char want[256], have[256];
    crm_preset_normalise(name, name_len, want, sizeof want);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < hdr->nfields; c++) {
            int taken = 0;
            for (int f = 0; used && f < CRM_F_COUNT; f++)
                taken |= used->col[f] == (int)c;
            if (taken)
                continue;
            const char *h = hdr->field[c];
            size_t hl = hdr->len[c];
            clean_text(&h, &hl);
            if (pass == 0 ? (hl == name_len && memcmp(h, name, hl) == 0)
                          : (crm_preset_normalise(h, hl, have, sizeof have),
                             strcmp(have, want) == 0))
                return (int)c;
        }
    }
    return -1;
}

static int find_candidates(const struct crm_record *hdr, const char *cands,
                           const struct colmap *used)
{
    for (const char *p = cands; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        int c = find_column(hdr, p, len, used);
        if (c >= 0)
            return c;
        p = bar ? bar + 1 : p + len;
    }
    return -1;
}

size_t crm_import_missing_fields(const int *col, char *buf, size_t size)
{
    const char *names[3];
    size_t n = 0;
    if (col[CRM_F_CUSTOMER] < 0)
        names[n++] = "customer_id";
    if (col[CRM_F_TIME] < 0)
        names[n++] = "order_time";
    if (col[CRM_F_AMOUNT] < 0 && col[CRM_F_UNIT_PRICE] < 0)
        names[n++] = "amount (or unit_price)";
    if (buf && size) {
        size_t at = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && at < size; i++)
            at += (size_t)snprintf(buf + at, size - at, "%s%s",
                                   i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
    }
    return n;
}

/* Words that hint a column could serve as a field, for the error and --sniff. */
static const char *const hint_words[CRM_F_COUNT] = {
    [CRM_F_CUSTOMER] = "id|customer|client|buyer|user|member|mail|phone|account|name|买家|客户|"
                       "会员|用户|账号|帐号|手机|收货人",
    [CRM_F_TIME] = "date|time|created|paid|at|时间|日期",
    [CRM_F_AMOUNT] = "total|amount|price|paid|sum|value|金额|价|款",
};

/* The unmapped columns whose names hint at a missing required field. */
static size_t field_candidates(const struct crm_record *hdr, const struct colmap *m,
                               enum crm_field f, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < hdr->nfields && n + 8 < size; c++) {
        int taken = 0;
        for (int g = 0; g < CRM_F_COUNT; g++)
            taken |= m->col[g] == (int)c;
        char norm[128];
        crm_preset_normalise(hdr->field[c], hdr->len[c], norm, sizeof norm);
        int hit = 0;
        for (const char *w = hint_words[f]; !taken && !hit && *w;) {
            const char *bar = strchr(w, '|');
            size_t wl = bar ? (size_t)(bar - w) : strlen(w);
            char word[32];
            snprintf(word, sizeof word, "%.*s", (int)wl, w);
            hit = strstr(norm, word) != NULL;
            w += wl + (bar != NULL);
        }
        if (hit)
            n += (size_t)snprintf(buf + n, size - n, "%s\"%.40s\"", n ? ", " : "",
                                  hdr->field[c]);
    }
    if (n >= size)
        snprintf(buf + size - 4, 4, "...");
    return n;
}

/* "; could serve: customer_id ← "Buyer", ..." for the missing fields, or "". */
static void could_serve(const struct crm_record *hdr, const struct colmap *m, char *buf,
                        size_t size)
{
    static const enum crm_field req[] = {CRM_F_CUSTOMER, CRM_F_TIME, CRM_F_AMOUNT};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < 3 && n < size; i++) {
        if (m->col[req[i]] >= 0 || (req[i] == CRM_F_AMOUNT && m->col[CRM_F_UNIT_PRICE] >= 0))
            continue;
        char cand[160];
        if (field_candidates(hdr, m, req[i], cand, sizeof cand) == 0)
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%s could be %s", n ? "; " : "; ",
                              field_names[req[i]], cand);
    }
}

/* Without --preset: a header holding every name of a preset's signature is that export
 * (Shopify, WooCommerce, JD, Pinduoduo): its rules and statuses apply, and the notes say
 * so. Decided once, on the first file's header. */
static enum crm_err detect_preset(struct crm_import *imp, const struct crm_record *hdr,
                                  struct crm_errinfo *e)
{
    if (imp->preset || imp->o.no_header || imp->detect_done)
        return CRM_OK;
    imp->detect_done = 1;
    const struct crm_preset *pr;
    for (size_t i = 0; (pr = crm_preset_at(i)) != NULL; i++) {
        const char *sig = pr->signature;
        int all = sig != NULL;
        for (const char *p = sig; all && *p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            all = find_column(hdr, p, len, NULL) >= 0;
            p += len + (bar != NULL);
        }
        if (!all)
            continue;
        imp->preset = pr;
        imp->notes |= CRM_NOTE_PRESET_DETECTED;
        if (pr->rules & P_ONCE)
            imp->o.order_amount_once = 1;
        /* its statuses go after the user's (--status) and before the built-in ones */
        size_t before = imp->nstatus;
        enum crm_err rc = add_status_spec(imp, pr->statuses, 1, e);
        if (rc != CRM_OK)
            return rc;
        size_t added = imp->nstatus - before, user = imp->user_statuses;
        struct status_entry *tmp = malloc(added * sizeof *tmp + 1);
        if (!tmp)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        memcpy(tmp, imp->statuses + before, added * sizeof *tmp);
        memmove(imp->statuses + user + added, imp->statuses + user,
                (before - user) * sizeof *tmp);
        memcpy(imp->statuses + user, tmp, added * sizeof *tmp);
        free(tmp);
        imp->last_status = 0;
        return CRM_OK;
    }
    return CRM_OK;
}

static enum crm_err map_columns(struct crm_import *imp, struct crm_csvin *in,
                                const struct crm_record *hdr, int is_header, struct colmap *m,
                                struct crm_errinfo *e)
{
    char cols[1400];
    memset(m, 0, sizeof *m);        /* padding too: held files compare maps whole */
    m->ncols = hdr->nfields;
    for (int f = 0; f < CRM_F_COUNT; f++)
        m->col[f] = -1;
    list_columns(hdr, cols, sizeof cols);
    crm_errinfo_where(e, crm_csvin_name(in), 1, -1, -1);
    for (int f = 0; f < CRM_F_COUNT; f++) {
        const char *spec = imp->o.map[f];
        if (!spec)
            continue;
        size_t len = strlen(spec);
        if (is_digits(spec, len)) {
            long n = strtol(spec, NULL, 10);
            if (n < 1 || (size_t)n > hdr->nfields)
                return crm_errinfo_set(e, CRM_EUSAGE, "--map %s=%s: the file has %zu columns",
                                       field_names[f], spec, hdr->nfields);
            m->col[f] = (int)n - 1;
        } else if (!is_header || (m->col[f] = find_column(hdr, spec, len, NULL)) < 0) {
            return crm_errinfo_set(e, CRM_EUSAGE, "--map %s=%s: no such column (columns: %s)",
                                   field_names[f], spec, is_header ? cols : "none, --no-header");
        }
    }
    unsigned rules = imp->preset ? imp->preset->rules : 0;
    if (rules & P_CDNOW) {
        /* id, YYYYMMDD, items, dollars; or master id, sample id, YYYYMMDD, items, dollars */
        int five = hdr->nfields == 5;
        if (hdr->nfields != 4 && !five)
            return crm_errinfo_set(e, CRM_EDATA, "preset cdnow expects 4 or 5 columns, "
                                   "found %zu", hdr->nfields);
        int pos[CRM_F_COUNT] = {-1, 0, five ? 2 : 1, five ? 4 : 3, five ? 3 : 2, -1, -1, -1,
                                 -1, -1, -1, -1, -1};
        for (int f = 0; f < CRM_F_COUNT; f++)
            if (m->col[f] < 0)
                m->col[f] = pos[f];
    } else if (is_header) {
        for (int f = 0; f < CRM_F_COUNT; f++) {
            if (m->col[f] >= 0)
                continue;
            if (imp->preset && imp->preset->columns[f])
                m->col[f] = find_candidates(hdr, imp->preset->columns[f], m);
            if (m->col[f] < 0)
                m->col[f] = find_candidates(hdr, crm_preset_generic[f], m);
        }
        if (m->col[CRM_F_AMOUNT] >= 0)
            m->col[CRM_F_UNIT_PRICE] = -1;
    }
    if (!imp->sniffing && crm_import_missing_fields(m->col, NULL, 0) > 0) {
        char missing[160], could[200];
        crm_import_missing_fields(m->col, missing, sizeof missing);
        could_serve(hdr, m, could, sizeof could);
        return crm_errinfo_set(e, CRM_EDATA, "no column for %s: no header matches a known "
                               "name (columns: %s%s); name %s with %s--map FIELD=COLUMN, or "
                               "use %s--preset (%s)", missing, cols, could,
                               strchr(missing, ',') || strstr(missing, " and ") ? "them"
                                                                                : "it",
                               via(imp), via(imp), crm_import_preset_list());
    }
    if (is_header && m->col[CRM_F_CUSTOMER] >= 0) {
        char norm[64];
        int cc = m->col[CRM_F_CUSTOMER];
        crm_preset_normalise(hdr->field[cc], hdr->len[cc], norm, sizeof norm);
        m->email = (rules & P_EMAIL) || strstr(norm, "email") || strstr(norm, "e-mail") ||
                   strstr(norm, "邮箱");
    }
    if (m->col[CRM_F_STATUS] < 0 && !(rules & P_UCI))  /* UCI: the invoice number says */
        imp->notes |= CRM_NOTE_NO_STATUS;
    if (m->col[CRM_F_ORDER_ID] < 0 && !(rules & P_CDNOW))
        imp->notes |= CRM_NOTE_NO_ORDER_ID;
    crm_errinfo_where(e, NULL, -1, -1, -1);
    e->file[0] = '\0';
    return CRM_OK;
}

/* Line items are kept when a product column is mapped (and not --no-items): the writers
 * turn to format version 2 and the window gets its item slots. Otherwise the product
 * columns are dropped from the map — also when a writer cannot keep items (an append to a
 * version-1 store: a nightly job that worked keeps working; the count of such files tells
 * the tool to warn). */
static enum crm_err start_items(struct crm_import *imp, struct colmap *m, const char *file,
                                struct crm_errinfo *e)
{
    (void)file;
    if (imp->o.line_items_unsorted && !imp->o.no_items && m->col[CRM_F_PRODUCT_ID] >= 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "--line-items unsorted does not keep line items "
                               "(products): add --no-items to import the orders without them, "
                               "or sort the export by order id");
    int refused = 0;
    for (size_t i = 0; i < imp->nw && !imp->o.no_items && m->col[CRM_F_PRODUCT_ID] >= 0; i++) {
        enum crm_err rc = crm_store_writer_keep_items(imp->w[i], e);
        if (rc == CRM_EUSAGE) {
            crm_errinfo_clear(e);
            refused = 1;
            break;
        }
        if (rc != CRM_OK)
            return rc;
    }
    imp->st.items_refused += (uint64_t)refused;
    if (imp->o.no_items || refused || m->col[CRM_F_PRODUCT_ID] < 0) {
        m->col[CRM_F_PRODUCT_ID] = m->col[CRM_F_PRODUCT_NAME] = m->col[CRM_F_CATEGORY] = -1;
        return CRM_OK;
    }
    if (!imp->items && !(imp->items = crm_lineitems_new(CRM_IMPORT_WINDOW)))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

static void free_stream_header(struct crm_import *imp)
{
    for (size_t i = 0; i < imp->stream_nh; i++)
        free(imp->stream_hdr[i]);
    free(imp->stream_hdr);
    free(imp->stream_hlen);
    imp->stream_hdr = NULL;
    imp->stream_hlen = NULL;
    imp->stream_nh = 0;
}

static enum crm_err import_stream(struct crm_import *imp, struct crm_csvin *in,
                                  struct crm_errinfo *e)
{
    struct crm_record rec;
    struct colmap m;
    snprintf(imp->last_encoding, sizeof imp->last_encoding, "%s", crm_csvin_encoding(in));
    imp->last_delim = crm_csvin_delimiter(in);
    enum crm_err rc = crm_csvin_next(in, &rec, e);
    if (rc != CRM_OK)
        return rc;
    if (rec.nfields == 0) {
        /* Not even a header: an export that failed, or `crm-import x | crm-rfm` where the
         * import failed before writing, which must not become an empty report and exit 0. */
        crm_errinfo_where(e, crm_csvin_name(in), -1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "empty input: no header line and no rows (from "
                               "a pipe: did the command before it fail?)");
    }
    int is_header = !imp->o.no_header;
    if ((rc = detect_preset(imp, &rec, e)) != CRM_OK)
        return rc;
    if (imp->preset && (imp->preset->rules & P_CDNOW)) {
        int tcol = rec.nfields == 5 ? 2 : 1;
        is_header = (size_t)tcol >= rec.nfields || !is_digits(rec.field[tcol], rec.len[tcol]);
    }
    rc = map_columns(imp, in, &rec, is_header, &m, e);
    if (rc == CRM_OK)
        rc = start_items(imp, &m, crm_csvin_name(in), e);
    if (rc != CRM_OK)
        return rc;
    /* Keep the header to recognise it when repeated inside concatenated exports. */
    size_t nh = is_header ? rec.nfields : 0;
    char **hdr = calloc(nh + 1, sizeof *hdr);
    size_t *hlen = calloc(nh + 1, sizeof *hlen);
    if (!hdr || !hlen) {
        free(hdr);
        free(hlen);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nh && rc == CRM_OK; i++) {
        hlen[i] = rec.len[i];
        if (!(hdr[i] = malloc(rec.len[i] + 1)))
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        else
            memcpy(hdr[i], rec.field[i], rec.len[i] + 1);
    }
    struct rowctx r = {imp, in, &rec, 0, &imp->last_status};
    imp->stream_map = m;
    free_stream_header(imp);            /* the last file's input is closed by now */
    imp->stream_hdr = hdr;
    imp->stream_hlen = hlen;
    imp->stream_nh = nh;
    crm_csvin_set_prep(in, prep_rows, imp, sizeof(struct prow));
    const struct crm_record *recs = &rec;
    size_t n = is_header ? 0 : 1;     /* without a header the first record is data */
    const size_t ahead = 8;           /* prefetch distance in rows */
    for (;;) {
        if (rc != CRM_OK)
            break;
        const void *prep = NULL;
        if (n == 0) {
            rc = crm_csvin_next_batch_prep(in, &recs, &n, &prep, e);
            if (rc != CRM_OK || n == 0)
                break;
        }
        if (!prep) {               /* parsed before the hook was set: prepare here */
            if (crm_buf_reserve(&imp->keybuf, n * sizeof(struct prow)) != 0) {
                rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
                break;
            }
            prep_rows(imp, recs, n, imp->keybuf.data);
            prep = imp->keybuf.data;
        }
        const struct prow *p = prep;
        for (size_t i = 0; i < n && i < ahead; i++)
            prefetch_keys(imp, &p[i].r.k);
        for (size_t i = 0; i < n && rc == CRM_OK; i++) {
            if (i + ahead < n)
                prefetch_keys(imp, &p[i + ahead].r.k);
            r.rec = &recs[i];
            if (p[i].header) {
                imp->st.repeated_headers++;
                continue;
            }
            if ((++imp->st.rows & 0x3fff) == 0 && imp->o.progress)
                imp->o.progress(imp->o.progress_ctx, crm_csvin_bytes(in));
            rc = do_row(&r, &m, &p[i], e);
        }
        if (rc == CRM_OK && imp->rejects && crm_out_failed(imp->rejects))
            rc = crm_errinfo_set(e, CRM_EIO, "cannot write the rejects file");
        n = 0;
    }
    crm_csvin_set_prep(in, NULL, NULL, 0);
    return rc;
}

enum crm_err crm_import_fd(struct crm_import *imp, int fd, const char *name, const void *head,
                           size_t head_len, struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = imp->o.csv;
    enum crm_err rc = crm_csvin_open_fd(fd, name, head, head_len, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    rc = import_stream(imp, in, e);
    crm_csvin_close(in);
    return rc;
}

enum crm_err crm_import_file(struct crm_import *imp, const char *path, struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = imp->o.csv;
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    rc = import_stream(imp, in, e);
    crm_csvin_close(in);
    return rc;
}

/* ---- customers file ---- */

static const char *const cust_names[4] = {
    "customerid|customer|customerno|clientid|userid|buyerid|memberid|email|买家会员名|会员名|"
    "客户编号|客户id|客户|用户id|会员id",
    "signuptime|signup|signupdate|signedup|registered|registeredat|registrationdate|"
    "registrationtime|createdat|joined|joindate|注册时间|注册日期|入会时间",
    "birthday|birthdate|dateofbirth|dob|生日|出生日期",
    "blocked|isblocked|blacklisted|blacklist|banned|malicious|黑名单|是否拉黑|拉黑",
};

static int parse_bool(const char *s, size_t len, uint8_t *v)
{
    static const char *const yes[] = {"true", "1", "yes", "y", "t", "是", "x"};
    static const char *const no[] = {"false", "0", "no", "n", "f", "否", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
            *v = 1;
            return 0;
        }
        if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

/* Birthday: a full date, or month and day only (MM-DD, --MM-DD, MM/DD, M月D日). */
static int parse_birthday(const char *s, size_t len, int32_t *day, uint8_t *year_known)
{
    struct crm_time_parsed t;
    if (crm_time_parse(s, len, &t) == 0) {
        *day = crm_time_day(t.secs);
        *year_known = 1;
        return 0;
    }
    while (len && *s == '-') {
        s++;
        len--;
    }
    unsigned mm = 0, dd = 0;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 2)
        mm = mm * 10 + (unsigned)(s[i++] - '0');
    if (i == 0 || i >= len)
        return -1;
    if (s[i] == '-' || s[i] == '/' || s[i] == '.')
        i++;
    else if (len - i >= 3 && memcmp(s + i, "月", 3) == 0)
        i += 3;
    else
        return -1;
    size_t d0 = i;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i - d0 < 2)
        dd = dd * 10 + (unsigned)(s[i++] - '0');
    if (i == d0 || !(i == len || (len - i == 3 && memcmp(s + i, "日", 3) == 0)))
        return -1;
    if (mm < 1 || mm > 12 || dd < 1 || (int)dd > crm_days_in_month(2000, mm))
        return -1;
    *day = crm_days_from_civil(2000, mm, dd);
    *year_known = 0;
    return 0;
}

static void reject_customer(struct crm_import *imp, struct crm_csvin *in,
                            const struct crm_record *rec, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reject_customer(struct crm_import *imp, struct crm_csvin *in,
                            const struct crm_record *rec, const char *fmt, ...)
{
    va_list ap;
    imp->st.customer_rejects++;
    va_start(ap, fmt);
    vreject_record(imp, in, rec, fmt, ap);
    va_end(ap);
}

enum crm_err crm_import_customers(struct crm_import *imp, const char *path,
                                  struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = {.encoding = imp->o.csv.encoding};
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_record rec;
    rc = crm_csvin_next(in, &rec, e);
    if (rc != CRM_OK || rec.nfields == 0) {
        crm_csvin_close(in);
        return rc;
    }
    int col[4];
    size_t ncols = rec.nfields;
    for (int k = 0; k < 4; k++)
        col[k] = find_candidates(&rec, cust_names[k], NULL);
    if (col[0] < 0 || (col[1] < 0 && col[2] < 0 && col[3] < 0)) {
        char cols[512];
        list_columns(&rec, cols, sizeof cols);
        crm_errinfo_where(e, crm_csvin_name(in), 1, -1, -1);
        crm_csvin_close(in);
        return crm_errinfo_set(e, CRM_EDATA, "customers file needs customer_id and at least one "
                               "of signup_time, birthday, blocked (columns: %s)", cols);
    }
    while ((rc = crm_csvin_next(in, &rec, e)) == CRM_OK && rec.nfields > 0) {
        if (rec.bad_bytes) {
            reject_customer(imp, in, &rec, "bytes invalid in %s", crm_csvin_encoding(in));
            continue;
        }
        if (rec.nfields != ncols) {
            reject_customer(imp, in, &rec, "%zu fields, expected %zu", rec.nfields, ncols);
            continue;
        }
        struct crm_customer_info ci = {0, CRM_NO_DAY, CRM_NO_DAY, 0, 0};
        const char *s = rec.field[col[0]];
        size_t len = rec.len[col[0]];
        clean_text(&s, &len);
        if (!len) {
            reject_customer(imp, in, &rec, "empty customer_id in column %d", col[0] + 1);
            continue;
        }
        if (len > CRM_ID_MAX) {
            reject_customer(imp, in, &rec, "customer_id of %zu bytes in column %d: a store "
                            "keeps ids of at most %d bytes", len, col[0] + 1, CRM_ID_MAX);
            continue;
        }
        const char *v;
        size_t vl;
        if (col[1] >= 0 && (v = rec.field[col[1]], vl = rec.len[col[1]], clean_text(&v, &vl), vl)) {
            int64_t t;
            if (parse_time(imp, v, vl, &t) != 0) {
                reject_customer(imp, in, &rec, "bad signup_time \"%.*s\" in column %d",
                                (int)cap_len(vl, 64), v, col[1] + 1);
                continue;
            }
            ci.signup_day = crm_time_day(t);
        }
        if (col[2] >= 0 && (v = rec.field[col[2]], vl = rec.len[col[2]], clean_text(&v, &vl), vl) &&
            parse_birthday(v, vl, &ci.birth_day, &ci.birth_year_known) != 0) {
            reject_customer(imp, in, &rec, "bad birthday \"%.*s\" in column %d",
                            (int)cap_len(vl, 64), v, col[2] + 1);
            continue;
        }
        if (col[3] >= 0 && (v = rec.field[col[3]], vl = rec.len[col[3]], clean_text(&v, &vl), 1) &&
            parse_bool(v, vl, &ci.blocked) != 0) {
            reject_customer(imp, in, &rec, "bad blocked flag \"%.*s\" in column %d (true/false)",
                            (int)cap_len(vl, 64), v, col[3] + 1);
            continue;
        }
        uint32_t idx;
        struct crm_store_writer *w = imp->w[crm_import_partition(s, len, imp->nw)];
        if (!crm_store_writer_find_customer(w, s, len, &idx)) {
            rc = crm_store_writer_customer(w, s, len, &idx, e);
            if (rc != CRM_OK)
                break;
            imp->st.customers_new++;
        }
        ci.customer = idx;
        rc = crm_store_writer_add_customer(w, &ci, e);
        if (rc != CRM_OK)
            break;
        imp->st.customer_rows++;
    }
    crm_csvin_close(in);
    return rc;
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

enum crm_err crm_import_load_existing(struct crm_import *imp, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < imp->nw && rc == CRM_OK; i++)
        rc = crm_store_writer_each_order_id(imp->w[i], register_existing, imp, e);
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

/* Settle the suspects: exact duplicates are skipped; the rest (hash collisions) import. */
static enum crm_err settle_suspects(struct crm_import *imp, struct crm_errinfo *e)
{
    if (imp->nsus == 0)
        return CRM_OK;
    struct verify_ctx v = {imp, 0, NULL, NULL, 0};
    size_t size = 16;
    while (size < imp->nsus * 2)
        size *= 2;
    v.mask = size - 1;
    v.map = calloc(size, sizeof *v.map);
    v.hash = malloc(imp->nsus * sizeof *v.hash);
    if (!v.map || !v.hash) {
        free(v.map);
        free(v.hash);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < imp->nsus; i++) {
        struct suspect *s = &imp->sus[i];
        v.hash[i] = crm_idset_hash((const char *)imp->sus_text.data + s->text, s->id_len);
        size_t pos = (size_t)v.hash[i] & v.mask;
        while (v.map[pos])
            pos = (pos + 1) & v.mask;
        v.map[pos] = (uint32_t)i + 1;
    }
    enum crm_err rc = CRM_OK;
    for (size_t w = 0; w < imp->nw && rc == CRM_OK; w++) {
        v.existing = imp->existing[w];
        rc = crm_store_writer_each_order_id(imp->w[w], verify_one, &v, e);
    }
    for (size_t i = 0; rc == CRM_OK && i < imp->nsus; i++) {
        struct suspect *s = &imp->sus[i];
        const char *text = (const char *)imp->sus_text.data + s->text;
        const char *raw = text + s->id_len + s->cust_len + s->cur_len;
        const char *file = imp->files[s->file].name;
        if (s->confirmed == 2) {
            /* a line item of an order written > CRM_IMPORT_WINDOW orders before it */
            char why[200];
            imp->st.rejected[CRM_REJ_FAR]++;
            imp->st.rejected_total++;
            imp->notes |= CRM_NOTE_FAR_LINE_ITEMS;
            snprintf(why, sizeof why, "line item of order %.*s begun more than %d orders "
                     "earlier in the input (sort by order id, or use --line-items unsorted)",
                     (int)cap_len(s->id_len, 64), text, CRM_IMPORT_WINDOW);
            write_reject(imp, file, s->line, why, raw, s->raw_len);
            continue;
        }
        if (s->confirmed) {
            char why[160];
            imp->st.duplicates++;
            snprintf(why, sizeof why, "duplicate order_id %.*s (already stored)",
                     (int)cap_len(s->id_len, 64), text);
            write_reject(imp, file, s->line, why, raw, s->raw_len);
            continue;
        }
        struct row rw = {
            .k = {.id = text, .id_len = s->id_len, .cust = text + s->id_len,
                  .cust_len = s->cust_len, .usable = 1},
            .cur = text + s->id_len + s->cust_len, .cur_len = s->cur_len,
            .time = s->time, .amount = s->amount, .quantity = s->quantity,
            .has_time = s->has_time, .has_amount = s->has_amount, .has_qty = s->has_qty,
            .has_status = s->has_status, .status = s->status, .refunded = s->refunded,
            .refund_order = s->refund_order,
        };
        key_numbers(imp, &rw.k);             /* id_h: v.hash[i] again */
        enum crm_reject reason;
        char why[256];
        struct open_order *o = wmap_find(imp, v.hash[i], rw.k.id, rw.k.id_len);
        if (!o)
            o = over_find(imp, v.hash[i], rw.k.id, rw.k.id_len);
        int placed = place_row(imp, &imp->files[s->file].map, &rw, v.hash[i], o, &reason,
                               why, sizeof why, e);
        if (placed < 0) {
            rc = e->code;
        } else if (placed > 0) {
            imp->st.rejected[reason]++;
            imp->st.rejected_total++;
            write_reject(imp, file, s->line, why, raw, s->raw_len);
        }
    }
    free(v.map);
    free(v.hash);
    imp->nsus = 0;
    while (rc == CRM_OK && imp->win_count > 0)
        rc = close_oldest(imp, e);
    return rc;
}

/* --line-items unsorted: write the orders kept open, in the order they began. */
static enum crm_err write_kept(struct crm_import *imp, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < imp->nover && rc == CRM_OK; i++) {
        struct open_order *o = &imp->over[i];
        if (!o->id)
            o->id = o->id_inline;
        rc = write_order(imp, o, -1, e);
    }
    imp->nover = 0;
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

/* ---- --sniff: what an import would do, without writing ---- */

#define SNIFF_ROWS 100000        /* rows read for the status counts and the reject sample */
#define SNIFF_SHOW 5             /* rows shown as parsed */
#define SNIFF_STATUSES 40        /* distinct status texts listed */

struct sniff_status {
    char text[64];
    uint64_t rows;
    int status;                  /* -1: unknown */
};

struct sniff {
    struct sniff_status st[SNIFF_STATUSES];
    size_t nst;
    uint64_t more_statuses;      /* rows with texts past SNIFF_STATUSES */
    char time_ex[3][2][48];      /* raw, parsed */
    size_t ntime;
    char amount_ex[48];
    int comma_amounts;           /* amounts that only a decimal comma reads */
};

static void sniff_status(struct crm_import *imp, struct sniff *sn, const struct crm_record *rec,
                         const struct colmap *m)
{
    size_t len;
    const char *s = fieldtext(rec, m, CRM_F_STATUS, &len);
    clean_text(&s, &len);
    len = cap_len(len, sizeof sn->st[0].text - 1);
    for (size_t i = 0; i < sn->nst; i++) {
        if (strlen(sn->st[i].text) == len && memcmp(sn->st[i].text, s, len) == 0) {
            sn->st[i].rows++;
            return;
        }
    }
    if (sn->nst == SNIFF_STATUSES) {
        sn->more_statuses++;
        return;
    }
    struct sniff_status *t = &sn->st[sn->nst++];
    memcpy(t->text, s, len);
    t->text[len] = '\0';
    t->rows = 1;
    t->status = len ? lookup_status(imp, &imp->last_status, s, len) : CRM_STATUS_PAID;
}

static void sniff_examples(struct crm_import *imp, struct sniff *sn, const struct crm_record *rec,
                           const struct colmap *m)
{
    size_t len;
    const char *s = fieldtext(rec, m, CRM_F_TIME, &len);
    clean_text(&s, &len);
    int64_t t;
    int seen = 0;
    for (size_t i = 0; i < sn->ntime; i++)
        seen |= strlen(sn->time_ex[i][0]) == len && memcmp(sn->time_ex[i][0], s, len) == 0;
    if (len && !seen && sn->ntime < 3 && parse_time(imp, s, len, &t) == 0) {
        snprintf(sn->time_ex[sn->ntime][0], sizeof sn->time_ex[0][0], "%.*s",
                 (int)cap_len(len, 40), s);
        crm_time_format(t, sn->time_ex[sn->ntime][1]);
        sn->ntime++;
    }
    int col = m->col[CRM_F_AMOUNT] >= 0 ? m->col[CRM_F_AMOUNT] : m->col[CRM_F_UNIT_PRICE];
    if (col < 0)
        return;
    s = rec->field[col];
    len = rec->len[col];
    clean_text(&s, &len);
    if (len && !sn->amount_ex[0])
        snprintf(sn->amount_ex, sizeof sn->amount_ex, "%.*s", (int)cap_len(len, 40), s);
    struct crm_decimal d;
    if (len && !imp->o.decimal_comma &&
        crm_money_parse_decimal(s, len, CRM_MONEY_THOUSANDS, &d) != CRM_MONEY_OK &&
        crm_money_looks_decimal_comma(s, len))
        sn->comma_amounts++;
}

static void sniff_show_row(struct crm_buf *out, const struct crm_record *rec, const struct row *rw,
                           int scale)
{
    char t[32] = "-", a[40] = "-", line[640];
    if (rw->has_time)
        crm_time_format(rw->time, t);
    if (rw->has_amount)
        crm_money_format(rw->amount, scale, a);
    int n = snprintf(line, sizeof line, "  line %lld: order_id=%.*s customer_id=%.*s "
                     "order_time=%s amount=%s quantity=%lld status=%s\n", rec->line,
                     (int)cap_len(rw->k.id_len, 40), rw->k.id, (int)cap_len(rw->k.cust_len, 60),
                     rw->k.cust, t, a, (long long)(rw->has_qty ? rw->quantity : 1),
                     crm_status_name((enum crm_status)rw->status));
    crm_buf_put(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void bufprintf(struct crm_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bufprintf(struct crm_buf *out, const char *fmt, ...)
{
    char text[1600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n > 0)
        crm_buf_put(out, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

static void sniff_mapping(struct crm_buf *out, const struct crm_record *hdr, int is_header,
                          const struct colmap *m)
{
    bufprintf(out, "fields:\n");
    for (int f = 0; f < CRM_F_COUNT; f++) {
        int c = m->col[f];
        if (c >= 0 && is_header) {
            bufprintf(out, "  %-16s <- \"%s\" (column %d)%s\n", field_names[f], hdr->field[c],
                      c + 1, f == CRM_F_CUSTOMER && m->email ? ", e-mail: compared without case"
                                                             : "");
            continue;
        }
        if (c >= 0) {
            bufprintf(out, "  %-16s <- column %d\n", field_names[f], c + 1);
            continue;
        }
        int required = f == CRM_F_CUSTOMER || f == CRM_F_TIME ||
                       (f == CRM_F_AMOUNT && m->col[CRM_F_UNIT_PRICE] < 0);
        char cand[200] = "";
        if (required && is_header)
            field_candidates(hdr, m, (enum crm_field)f, cand, sizeof cand);
        bufprintf(out, "  %-16s %s%s%s%s\n", field_names[f],
                  required ? "NOT FOUND (required)" : "not found",
                  f == CRM_F_STATUS ? ": every row taken as paid" : "",
                  f == CRM_F_ORDER_ID ? ": duplicates cannot be detected" : "",
                  cand[0] ? "" : "");
        if (cand[0])
            bufprintf(out, "  %-16s could be %s (--map %s=COLUMN)\n", "", cand, field_names[f]);
    }
}

static void sniff_statuses(struct crm_buf *out, const struct sniff *sn, int col,
                           const struct crm_record *hdr, int *unknown)
{
    if (col < 0) {
        bufprintf(out, "statuses: no status column (every row taken as paid)\n");
        return;
    }
    bufprintf(out, "statuses seen (column %d \"%s\"):\n", col + 1,
              (size_t)col < hdr->nfields ? hdr->field[col] : "");
    for (size_t i = 0; i < sn->nst; i++) {
        const struct sniff_status *t = &sn->st[i];
        const char *to = t->status < 0                       ? "UNKNOWN: rows rejected; map "
                                                                "it with --status paid=TEXT "
                                                                "(or cancelled, refunded, "
                                                                "pending, refunded-order)"
                         : t->status == STATUS_REFUNDED_ORDER ? "refunded (refunded in full: "
                                                                "never revenue)"
                         : t->text[0] == '\0'                 ? "the order's (a line item)"
                                                              : crm_status_name(
                                                                    (enum crm_status)t->status);
        *unknown += t->status < 0;
        bufprintf(out, "  %-24s %8llu rows -> %s\n", t->text[0] ? t->text : "(empty)",
                  (unsigned long long)t->rows, to);
    }
    if (sn->more_statuses)
        bufprintf(out, "  ... %llu rows with other texts\n",
                  (unsigned long long)sn->more_statuses);
}

/* Read the header and up to SNIFF_ROWS rows of one file; the report goes to out. */
static enum crm_err sniff_file(struct crm_import *imp, struct crm_csvin *in, struct crm_buf *out,
                               int *would_work, struct crm_errinfo *e)
{
    struct crm_record rec;
    enum crm_err rc = crm_csvin_next(in, &rec, e);
    if (rc != CRM_OK)
        return rc;
    int d = crm_csvin_delimiter(in);
    bufprintf(out, "file: %s\nencoding: %s%s\ndelimiter: %s\n", crm_csvin_name(in),
              crm_csvin_encoding(in), crm_csvin_gzipped(in) ? " (gzip)" : "",
              d == '\t' ? "tab" : d == ' ' ? "whitespace" : d == ',' ? "comma"
                                                          : (char[]){(char)d, 0});
    if (rec.nfields == 0) {
        bufprintf(out, "empty input: no header line and no rows\nwould import: no\n\n");
        *would_work = 0;
        return CRM_OK;
    }
    int is_header = !imp->o.no_header;
    if ((rc = detect_preset(imp, &rec, e)) != CRM_OK)
        return rc;
    bufprintf(out, "preset: %s%s\n", imp->preset ? imp->preset->name : "none (header names)",
              imp->notes & CRM_NOTE_PRESET_DETECTED ? " (recognised from the header)" : "");
    if (imp->preset && (imp->preset->rules & P_CDNOW)) {
        int tcol = rec.nfields == 5 ? 2 : 1;
        is_header = (size_t)tcol >= rec.nfields || !is_digits(rec.field[tcol], rec.len[tcol]);
    }
    struct colmap m;
    if ((rc = map_columns(imp, in, &rec, is_header, &m, e)) != CRM_OK)
        return rc;
    bufprintf(out, "header: %s, %zu columns\n", is_header ? "line 1" : "none", rec.nfields);
    /* the header's text is needed after the rows are read: keep a copy of its names */
    struct crm_record hdr = rec;
    char **names = calloc(rec.nfields + 1, sizeof *names);
    size_t *lens = calloc(rec.nfields + 1, sizeof *lens);
    for (size_t i = 0; names && lens && i < rec.nfields; i++) {
        names[i] = strdup(rec.field[i]);
        lens[i] = rec.len[i];
        if (!names[i])
            rc = CRM_ENOMEM;
    }
    if (!names || !lens || rc != CRM_OK) {
        for (size_t i = 0; names && i < rec.nfields; i++)
            free(names[i]);
        free(names);
        free(lens);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    hdr.field = (const char *const *)names;
    hdr.len = lens;
    sniff_mapping(out, &hdr, is_header, &m);
    struct sniff *sn = calloc(1, sizeof *sn);
    struct crm_buf shown = {0};
    uint64_t rows = 0, rejected = 0, skipped = 0;
    size_t nshow = 0;
    int first = !is_header;
    size_t last_status = 0;
    struct rowctx r = {imp, in, &rec, 0, &last_status};
    while (sn && crm_import_missing_fields(m.col, NULL, 0) == 0 && rows < SNIFF_ROWS &&
           (first || ((rc = crm_csvin_next(in, &rec, e)) == CRM_OK && rec.nfields > 0))) {
        first = 0;
        rows++;
        struct row rw;
        prepare_keys(imp, &rec, &m, &rw.k);
        if (rec.nfields == m.ncols && !rec.bad_bytes) {
            if (m.col[CRM_F_STATUS] >= 0)
                sniff_status(imp, sn, &rec, &m);
            sniff_examples(imp, sn, &rec, &m);
        }
        int guest = imp->preset && (imp->preset->rules & P_GUEST);
        uint64_t skips = imp->st.skipped_total;
        if (parse_row(&r, &m, &rw) != 0 || (!rw.k.cust_len && !guest)) {
            if (imp->st.skipped_total == skips)
                rejected++;
            else
                skipped++;
            continue;
        }
        if (!rw.k.cust_len) {
            skipped++;                  /* a guest order */
            continue;
        }
        if (nshow < SNIFF_SHOW) {
            sniff_show_row(&shown, &rec, &rw, imp->scale);
            nshow++;
        }
    }
    if (sn && crm_import_missing_fields(m.col, NULL, 0) == 0) {
        bufprintf(out, "dates: %s\n", imp->o.date_format ? imp->o.date_format
                                      : "auto (ISO 8601, YYYY/MM/DD, YYYYMMDD; offsets honoured)");
        for (size_t i = 0; i < sn->ntime; i++)
            bufprintf(out, "  \"%s\" -> %s\n", sn->time_ex[i][0], sn->time_ex[i][1]);
        bufprintf(out, "decimals: %s, money scale %d%s%s%s\n",
                  imp->o.decimal_comma ? "comma (--decimal-comma)" : "point",
                  imp->scale, sn->amount_ex[0] ? " (e.g. \"" : "", sn->amount_ex,
                  sn->amount_ex[0] ? "\")" : "");
        if (sn->comma_amounts)
            bufprintf(out, "  %llu amounts look like decimal commas: use --decimal-comma\n",
                      (unsigned long long)sn->comma_amounts);
        int unknown = 0;
        sniff_statuses(out, sn, m.col[CRM_F_STATUS], &hdr, &unknown);
        bufprintf(out, "first rows as parsed:\n");
        crm_buf_put(out, shown.data, shown.len);
        bufprintf(out, "rows read: %llu%s; would be rejected: %llu; expected skips: %llu\n",
                  (unsigned long long)rows, rows == SNIFF_ROWS ? " (the first)" : "",
                  (unsigned long long)rejected, (unsigned long long)skipped);
        if (unknown || (rows && (double)rejected > imp->o.max_reject_rate * (double)rows))
            *would_work = 0;
    } else {
        char missing[160];
        crm_import_missing_fields(m.col, missing, sizeof missing);
        bufprintf(out, "missing: %s\n", missing);
        *would_work = 0;
    }
    bufprintf(out, "would import: %s\n\n", *would_work ? "yes" : "no");
    crm_buf_free(&shown);
    free(sn);
    for (size_t i = 0; i < hdr.nfields; i++)
        free(names[i]);
    free(names);
    free(lens);
    if (!sn)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return rc;
}

enum crm_err crm_import_sniff(struct crm_import *imp, const char *path, struct crm_buf *out,
                              int *would_work, struct crm_errinfo *e)
{
    struct crm_csvin *in;
    struct crm_csvin_opts co = imp->o.csv;
    co.segment_bytes = (size_t)-1;
    enum crm_err rc = crm_csvin_open(path, &co, &in, e);
    if (rc != CRM_OK)
        return rc;
    imp->sniffing = 1;
    imp->nfirst = CRM_IMPORT_FIRST_REJECTS;         /* nothing kept for stderr */
    rc = sniff_file(imp, in, out, would_work, e);
    imp->sniffing = 0;
    crm_csvin_close(in);
    if (out->oom && rc == CRM_OK)
        rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return rc;
}

const char *crm_import_preset_name(const struct crm_import *imp)
{
    return imp->preset ? imp->preset->name : NULL;
}
