/* importsniff: --sniff, what an import of a file would do, without writing — the mapping,
 * the dates, decimals and statuses seen, the first rows as parsed, and whether it would
 * work. Invariant: it reads at most SNIFF_ROWS rows and changes no store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/importint.h"
#include "text/money.h"
#include "text/timeparse.h"

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
        const char *name = crm_field_name((enum crm_field)f);
        if (c >= 0 && is_header) {
            bufprintf(out, "  %-16s <- \"%s\" (column %d)%s\n", name, hdr->field[c],
                      c + 1, f == CRM_F_CUSTOMER && m->email ? ", e-mail: compared without case"
                                                             : "");
            continue;
        }
        if (c >= 0) {
            bufprintf(out, "  %-16s <- column %d\n", name, c + 1);
            continue;
        }
        int required = f == CRM_F_CUSTOMER || f == CRM_F_TIME ||
                       (f == CRM_F_AMOUNT && m->col[CRM_F_UNIT_PRICE] < 0);
        char cand[200] = "";
        if (required && is_header)
            field_candidates(hdr, m, (enum crm_field)f, cand, sizeof cand);
        bufprintf(out, "  %-16s %s%s%s%s\n", name,
                  required ? "NOT FOUND (required)" : "not found",
                  f == CRM_F_STATUS ? ": every row taken as paid" : "",
                  f == CRM_F_ORDER_ID ? ": duplicates cannot be detected" : "",
                  cand[0] ? "" : "");
        if (cand[0])
            bufprintf(out, "  %-16s could be %s (--map %s=COLUMN)\n", "", cand, name);
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
        prepare_keys_of(imp, &rec, &m, &rw.k);
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
