/* importrow: one data row checked and parsed — its keys (ids cleaned and hashed), time,
 * quantity, money and status — by the reader threads ahead of the main thread (prep_rows)
 * or again by it to write a reject. Invariant: parse_row depends on the row and imp's
 * settings only, and writes nothing when quiet. */
#include <stdio.h>
#include <time.h>

#include "base/hash.h"
#include "import/idset.h"
#include "import/importint.h"
#include "text/money.h"
#include "text/timeparse.h"

/* ---- one data row ---- */

int parse_time(struct crm_import *imp, const char *s, size_t len, int64_t *out)
{
    struct crm_time_parsed t;
    int ok;
    if (!imp->o.date_format && crm_time_parse_iso19(s, len, out) == 0)
        return 0;                       /* the usual shape: what crm_time_parse gives */
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

/* The hashes, split numbers and partition of k's cleaned ids (those of an empty id stay
 * as they are: zero). */
static inline __attribute__((always_inline)) void
keys_numbered(const struct crm_import *imp, struct keys *k)
{
    if (k->id_len) {
        k->id_h = crm_idset_hash(k->id, k->id_len);
        k->id_num = crm_numid_split_inline(k->id, k->id_len);
    }
    if (k->cust_len) {
        k->cust_num = crm_numid_split_inline(k->cust, k->cust_len);
        /* an id with a number usually goes to the dictionary's direct map, which needs no
         * hash: 0 (the dictionary hashes it if it must) until the main thread says such ids
         * miss the map */
        if (!k->cust_num.digits || __atomic_load_n(&imp->cust_hash_all, __ATOMIC_RELAXED))
            k->cust_h = crm_dict_hash(k->cust, k->cust_len);
        k->part = (uint32_t)crm_import_partition(k->cust, k->cust_len, imp->nw);
    }
}

void key_numbers(const struct crm_import *imp, struct keys *k)
{
    keys_numbered(imp, k);
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
    keys_numbered(imp, k);
}

/* prepare_keys for --sniff, which reads a row at a time (the hot path inlines it). */
void prepare_keys_of(const struct crm_import *imp, const struct crm_record *rec,
                     const struct colmap *m, struct keys *k)
{
    prepare_keys(imp, rec, m, k);
}

size_t crm_import_partition(const char *customer_id, size_t len, size_t n)
{
    return n > 1 ? (size_t)(crm_hash_stable(customer_id, len) % n) : 0;
}
/* The row's time and quantity; 0, or 1 when the row was rejected. */
static int parse_time_qty(struct rowctx *r, const struct colmap *m, struct row *rw)
{
    size_t len;
    const char *s = fieldtext(r->rec, m, CRM_F_TIME, &len);
    clean_text(&s, &len);
    if (len) {
        /* the usual shape read here, without parse_time's frame (which tries it first too) */
        int bad = (r->imp->o.date_format || crm_time_parse_iso19(s, len, &rw->time) != 0) &&
                  parse_time(r->imp, s, len, &rw->time) != 0;
        if (bad || rw->time < CRM_TIME_MIN ||
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
int parse_row(struct rowctx *r, const struct colmap *m, struct row *rw)
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
/* n >= 1 (a header has a field): the first field's length, which a data row's rarely
 * shares, is told before the loop is set up. */
static int same_record(const struct crm_record *a, char *const *hdr, const size_t *hlen,
                       size_t n)
{
    if (a->nfields != n || a->len[0] != hlen[0])
        return 0;
    for (size_t i = 0; i < n; i++)
        if (a->len[i] != hlen[i] || memcmp(a->field[i], hdr[i], hlen[i]) != 0)
            return 0;
    return 1;
}

/* The per-row hook of import_stream (crm_csvin_set_prep), run by the reader threads — or
 * by import_stream itself for a batch parsed before the hook was set. */
void prep_rows(void *ctx, const struct crm_record *recs, size_t n, void *out)
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
