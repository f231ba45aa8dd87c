/* importrej: the rows an import does not store — each to the rejects file as file, line,
 * reason, raw text, and the first few kept for stderr. Invariant: a reject or skip is
 * counted where it is written (reject_row, skip_row), never by a reader thread parsing
 * ahead (rowctx.quiet), so every row is counted once. */
#include <stdio.h>
#include <string.h>

#include "import/importint.h"

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
void write_reject(struct crm_import *imp, const char *file, long long line,
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

/* A record that is not stored, to the rejects file: the reason, then the record as text. */
void vreject_record(struct crm_import *imp, struct crm_csvin *in,
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

void reject_row(struct rowctx *r, enum crm_reject why, const char *fmt, ...)
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

void skip_row(struct rowctx *r, enum crm_skip why)
{
    if (r->quiet)
        return;
    r->imp->st.skipped[why]++;
    r->imp->st.skipped_total++;
    reject_record(r->imp, r->in, r->rec, "skipped: %s for preset %s", crm_skip_name(why),
                  r->imp->preset ? r->imp->preset->name : "-");
}
