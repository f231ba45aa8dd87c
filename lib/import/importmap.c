/* importmap: a file's columns → the canonical fields — --map, the preset's names, the
 * generic header names, a preset recognised from the header — and the line items that
 * follow from a product column. Invariant: a required field without a column is an error
 * naming the columns seen and the fix (--map, --preset), except under --sniff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importint.h"

/* ---- files ---- */

int is_digits(const char *s, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void list_columns(const struct crm_record *hdr, char *buf, size_t size)
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

int find_candidates(const struct crm_record *hdr, const char *cands,
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
size_t field_candidates(const struct crm_record *hdr, const struct colmap *m,
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
                              crm_field_name(req[i]), cand);
    }
}

/* Without --preset: a header holding every name of a preset's signature is that export
 * (Shopify, WooCommerce, JD, Pinduoduo): its rules and statuses apply, and the notes say
 * so. Decided once, on the first file's header. */
enum crm_err detect_preset(struct crm_import *imp, const struct crm_record *hdr,
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
        if (!pr->statuses)   /* uci-online-retail: the invoice number says */
            return CRM_OK;
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

/* A file's first record: the preset it names (detect_preset), and whether it is a header
 * (--no-header: no; a cdnow file: when no date is where the header's name would be). */
enum crm_err first_record(struct crm_import *imp, const struct crm_record *rec, int *is_header,
                          struct crm_errinfo *e)
{
    *is_header = !imp->o.no_header;
    enum crm_err rc = detect_preset(imp, rec, e);
    if (rc != CRM_OK)
        return rc;
    if (imp->preset && (imp->preset->rules & P_CDNOW)) {
        int tcol = rec->nfields == 5 ? 2 : 1;
        *is_header = (size_t)tcol >= rec->nfields ||
                     !is_digits(rec->field[tcol], rec->len[tcol]);
    }
    return CRM_OK;
}

enum crm_err map_columns(struct crm_import *imp, struct crm_csvin *in,
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
                                       crm_field_name((enum crm_field)f), spec, hdr->nfields);
            m->col[f] = (int)n - 1;
        } else if (!is_header || (m->col[f] = find_column(hdr, spec, len, NULL)) < 0) {
            return crm_errinfo_set(e, CRM_EUSAGE, "--map %s=%s: no such column (columns: %s)",
                                   crm_field_name((enum crm_field)f), spec,
                                   is_header ? cols : "none, --no-header");
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
enum crm_err start_items(struct crm_import *imp, struct colmap *m, const char *file,
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
