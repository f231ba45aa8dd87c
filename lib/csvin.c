/* csvin: bytes → UTF-8 records with line numbers (see csvin.h).
 * Pipeline per input block: read (inflating gzip) → libcsv → fields appended to the batch
 * (bytes back to back, NUL-terminated) → records handed out one by one. Line counting:
 * `line` is the physical line the parser is on; libcsv reports every unquoted CR or LF
 * (CSV_REPALL_NL), a CR followed by LF counts once, and line breaks inside quoted fields
 * are counted from the field text when the block holds a quote character. */
#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK (1u << 20)           /* bytes read and parsed at a time */
#define SNIFF (1u << 20)           /* bytes that decide the encoding */
#define MAX_FIELD (256u << 20)     /* libcsv's field buffer may not grow past this */

struct crm_csvin {
    char name[256];
    int fd, own_fd;
    const unsigned char *head;     /* bytes already read from fd by the caller */
    size_t head_len, head_pos;
    int eof_raw;                   /* fd (and head) exhausted */
    int gz;
    z_stream z;
    int z_live;
    unsigned char *rawbuf;         /* compressed input */
    unsigned long long bytes_in;
    /* decoded bytes waiting to be parsed */
    unsigned char *data;
    size_t data_len, data_pos;
    int started;                   /* BOM, encoding and delimiter decided */
    int finished;                  /* csv_fini done */
    char encoding[32];
    int utf8;                      /* fields need validation only, no conversion */
    iconv_t cd;
    int delim;
    struct csv_parser p;
    /* line counting */
    long long line;
    int pending_cr;
    int scan_fields;               /* the current block may hold quoted line breaks */
    /* the batch of parsed records */
    struct crm_buf text;           /* field bytes */
    size_t *foff, *flen;           /* per field */
    size_t nf, fcap;
    size_t *rfirst;                /* per record: first field; rfirst[nr] = nf */
    long long *rline;
    size_t nr, rcap, rnext;
    size_t rec_fields;             /* fields in the record being parsed */
    long long rec_line;
    /* the record handed out */
    const char **out_field;
    size_t *out_len;
    size_t out_cap;
    struct crm_buf conv;           /* converted field text */
    int oom;
};

/* libcsv must not buffer one absurd field without bound (a 1 GB line): refuse to grow. */
static void *bounded_realloc(void *p, size_t n)
{
    return n > MAX_FIELD ? NULL : realloc(p, n);
}

/* ---- raw input ---- */

static ssize_t read_raw(struct crm_csvin *c, unsigned char *buf, size_t n, struct crm_errinfo *e)
{
    size_t got = 0;
    while (got < n && c->head_pos < c->head_len)
        buf[got++] = c->head[c->head_pos++];
    while (got < n && !c->eof_raw) {
        ssize_t k = read(c->fd, buf + got, n - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            crm_errinfo_where(e, c->name, -1, -1, -1);
            crm_errinfo_set(e, CRM_EIO, "read failed: %s", strerror(errno));
            return -1;
        }
        if (k == 0) {
            c->eof_raw = 1;
            break;
        }
        got += (size_t)k;
    }
    c->bytes_in += got;
    return (ssize_t)got;
}

/* Append up to `want` decoded bytes to c->data. Returns bytes added (0 at end). */
static ssize_t fill(struct crm_csvin *c, size_t want, struct crm_errinfo *e)
{
    if (!c->gz) {
        ssize_t k = read_raw(c, c->data + c->data_len, want, e);
        if (k > 0)
            c->data_len += (size_t)k;
        return k;
    }
    size_t before = c->data_len;
    while (c->data_len - before < want) {
        if (c->z.avail_in == 0) {
            ssize_t k = read_raw(c, c->rawbuf, BLOCK, e);
            if (k < 0)
                return -1;
            if (k == 0) {
                if (c->z_live) {
                    crm_errinfo_where(e, c->name, -1, -1, -1);
                    crm_errinfo_set(e, CRM_ETRUNC, "gzip data ends early (truncated file?)");
                    return -1;
                }
                break;
            }
            c->z.next_in = c->rawbuf;
            c->z.avail_in = (uInt)k;
        }
        if (!c->z_live) {
            /* Another gzip member follows (concatenated .gz files are one stream). */
            if (inflateReset(&c->z) != Z_OK)
                return -1;
            c->z_live = 1;
        }
        c->z.next_out = c->data + c->data_len;
        c->z.avail_out = (uInt)(want - (c->data_len - before));
        int zrc = inflate(&c->z, Z_NO_FLUSH);
        c->data_len = (size_t)(c->z.next_out - c->data);
        if (zrc == Z_STREAM_END) {
            c->z_live = 0;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            crm_errinfo_where(e, c->name, -1, -1, -1);
            crm_errinfo_set(e, CRM_EDATA, "corrupt gzip data: %s",
                            c->z.msg ? c->z.msg : zError(zrc));
            return -1;
        }
    }
    return (ssize_t)(c->data_len - before);
}

/* ---- encoding and delimiter ---- */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. A sequence cut off
 * by `end` counts as valid when `partial_ok` (the sniff window may end mid-character). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end, int partial_ok)
{
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return c ? 1 : 0;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (p + i >= end)
            return partial_ok ? (size_t)(end - p) : 0;
        unsigned b = p[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
            return 0;
    }
    return n;
}

static int valid_utf8(const unsigned char *p, size_t n, int partial_ok)
{
    const unsigned char *end = p + n;
    while (p < end) {
        if (*p >= 0x80 || *p == 0) {
            size_t k = utf8_seq(p, end, partial_ok);
            if (!k)
                return 0;
            p += k;
        } else {
            p++;
        }
    }
    return 1;
}

int crm_csvin_parse_delimiter(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0 || strcmp(s, "\t") == 0)
        return '\t';
    if (strcmp(s, "space") == 0 || strcmp(s, "whitespace") == 0 || strcmp(s, " ") == 0)
        return CRM_CSV_WHITESPACE;
    if (strlen(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r')
        return (unsigned char)s[0];
    return -1;
}

/* The delimiter of the first line: the most frequent of , TAB ; | outside quotes; else
 * whitespace-separated when the line has inner spaces; else comma (one column). */
static int detect_delimiter(const unsigned char *p, size_t n)
{
    static const char cand[] = {',', '\t', ';', '|'};
    size_t count[4] = {0};
    int inq = 0, inner_space = 0, seen_text = 0;
    for (size_t i = 0; i < n && (inq || (p[i] != '\n' && p[i] != '\r')); i++) {
        if (p[i] == '"')
            inq = !inq;
        if (inq)
            continue;
        for (int k = 0; k < 4; k++)
            count[k] += p[i] == (unsigned char)cand[k];
        if (p[i] == ' ' && seen_text)
            inner_space = 1;
        if (p[i] != ' ')
            seen_text = 1;
    }
    int best = -1;
    for (int k = 0; k < 4; k++)
        if (count[k] && (best < 0 || count[k] > count[best]))
            best = k;
    if (best >= 0)
        return cand[best];
    return inner_space ? CRM_CSV_WHITESPACE : ',';
}

static int ws_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static enum crm_err start(struct crm_csvin *c, const struct crm_csvin_opts *o,
                          struct crm_errinfo *e)
{
    /* Gather the sniff window (the whole input when smaller). */
    while (c->data_len < SNIFF) {
        ssize_t k = fill(c, SNIFF - c->data_len, e);
        if (k < 0)
            return e->code;
        if (k == 0)
            break;
    }
    if (c->data_len >= 3 && memcmp(c->data, "\xEF\xBB\xBF", 3) == 0)
        c->data_pos = 3;
    else if (c->data_len >= 2 && ((c->data[0] == 0xFF && c->data[1] == 0xFE) ||
                                  (c->data[0] == 0xFE && c->data[1] == 0xFF))) {
        crm_errinfo_where(e, c->name, 1, -1, -1);
        return crm_errinfo_set(e, CRM_EDATA, "UTF-16 input is not supported; convert it "
                               "first (iconv -f UTF-16 -t UTF-8)");
    }
    const char *enc = o && o->encoding ? o->encoding : "auto";
    if (strcasecmp(enc, "auto") == 0) {
        int bom = c->data_pos == 3;
        int ok = bom || valid_utf8(c->data + c->data_pos, c->data_len - c->data_pos,
                                   c->data_len == SNIFF);
        enc = ok ? "UTF-8" : "GB18030";
    }
    if (strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0) {
        snprintf(c->encoding, sizeof c->encoding, "UTF-8");
        c->utf8 = 1;
    } else {
        snprintf(c->encoding, sizeof c->encoding, "%s", enc);
        for (char *q = c->encoding; *q; q++)
            if (*q >= 'a' && *q <= 'z')
                *q = (char)(*q - 'a' + 'A');
        c->cd = iconv_open("UTF-8", c->encoding);
        if (c->cd == (iconv_t)-1) {
            c->utf8 = 1;   /* keep close() simple */
            return crm_errinfo_set(e, CRM_EUSAGE, "unknown encoding \"%s\"", enc);
        }
        c->utf8 = 0;
    }
    c->delim = o && o->delimiter ? o->delimiter
                                 : detect_delimiter(c->data + c->data_pos,
                                                    c->data_len - c->data_pos);
    unsigned char opts = CSV_REPALL_NL | CSV_APPEND_NULL |
                         (c->delim == CRM_CSV_WHITESPACE ? CSV_EMPTY_IS_NULL : 0);
    if (csv_init(&c->p, opts) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    csv_set_delim(&c->p, (unsigned char)(c->delim == CRM_CSV_WHITESPACE ? ' ' : c->delim));
    if (c->delim == CRM_CSV_WHITESPACE) {
        csv_set_space_func(&c->p, ws_space);
        csv_set_delim(&c->p, ' ');
    }
    csv_set_realloc_func(&c->p, bounded_realloc);
    csv_set_blk_size(&c->p, 4096);
    c->started = 1;
    return CRM_OK;
}

/* ---- libcsv callbacks ---- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 4096;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct crm_csvin *c = data;
    c->pending_cr = 0;
    if (!s && c->delim == CRM_CSV_WHITESPACE)
        return;             /* runs of separators are one separator */
    if (c->rec_fields == 0)
        c->rec_line = c->line;
    if (s && c->scan_fields) {
        const unsigned char *f = s;
        for (size_t i = 0; i < len; i++)
            if (f[i] == '\n' || (f[i] == '\r' && (i + 1 == len || f[i + 1] != '\n')))
                c->line++;
    }
    size_t fcap = c->fcap;
    if (grow((void **)&c->foff, &fcap, c->nf + 1, sizeof *c->foff) ||
        grow((void **)&c->flen, &c->fcap, c->nf + 1, sizeof *c->flen)) {
        c->oom = 1;
        return;
    }
    c->foff[c->nf] = c->text.len;
    c->flen[c->nf] = len;
    crm_buf_put(&c->text, s ? s : "", len);
    crm_buf_u8(&c->text, 0);
    c->nf++;
    c->rec_fields++;
}

static void on_record(int ch, void *data)
{
    struct crm_csvin *c = data;
    if (ch == '\n') {
        if (c->pending_cr && c->rec_fields == 0)
            c->pending_cr = 0;       /* the LF of a CRLF */
        else
            c->line++;
    } else if (ch == '\r') {
        c->line++;
        c->pending_cr = 1;
    }
    if (c->rec_fields == 0)
        return;                      /* an empty line */
    size_t rcap = c->rcap;
    if (grow((void **)&c->rfirst, &rcap, c->nr + 2, sizeof *c->rfirst) ||
        grow((void **)&c->rline, &c->rcap, c->nr + 2, sizeof *c->rline)) {
        c->oom = 1;
        return;
    }
    c->rfirst[c->nr] = c->nf - c->rec_fields;
    c->rline[c->nr] = c->rec_line;
    c->nr++;
    c->rfirst[c->nr] = c->nf;
    c->rec_fields = 0;
}

/* Parse blocks into a fresh batch until it holds at least one record. */
static enum crm_err refill(struct crm_csvin *c, struct crm_errinfo *e)
{
    /* A record cut by the block boundary keeps its fields: move them to the front. */
    size_t keep_from = c->nf - c->rec_fields;
    size_t text_from = c->rec_fields ? c->foff[keep_from] : c->text.len;
    if (text_from > 0) {
        memmove(c->text.data, c->text.data + text_from, c->text.len - text_from);
        c->text.len -= text_from;
    }
    for (size_t i = 0; i < c->rec_fields; i++) {
        c->foff[i] = c->foff[keep_from + i] - text_from;
        c->flen[i] = c->flen[keep_from + i];
    }
    c->nf = c->rec_fields;
    c->nr = c->rnext = 0;
    while (c->nr == 0 && !c->finished) {
        if (c->data_pos == c->data_len) {
            c->data_pos = c->data_len = 0;
            ssize_t k = fill(c, BLOCK, e);
            if (k < 0)
                return e->code;
            if (k == 0) {
                csv_fini(&c->p, on_field, on_record, c);
                c->finished = 1;
                break;
            }
        }
        unsigned char *p = c->data + c->data_pos;
        size_t n = c->data_len - c->data_pos;
        if (c->delim == CRM_CSV_WHITESPACE)
            for (size_t i = 0; i < n; i++)
                if (p[i] == '\t')
                    p[i] = ' ';
        c->scan_fields = c->p.quoted || memchr(p, '"', n) != NULL;
        size_t done = csv_parse(&c->p, p, n, on_field, on_record, c);
        if (done != n) {
            crm_errinfo_where(e, c->name, c->line, -1, -1);
            if (csv_error(&c->p) == CSV_ENOMEM)
                return crm_errinfo_set(e, CRM_EDATA, "a field longer than %u MiB (broken "
                                       "quoting or not a CSV file?)", MAX_FIELD >> 20);
            return crm_errinfo_set(e, CRM_EDATA, "CSV parse error: %s",
                                   csv_strerror(csv_error(&c->p)));
        }
        c->data_pos = c->data_len;
        if (c->oom || c->text.oom)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    return CRM_OK;
}

/* ---- public ---- */

enum crm_err crm_csvin_open_fd(int fd, const char *name, const void *head, size_t head_len,
                               const struct crm_csvin_opts *o, struct crm_csvin **out,
                               struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_csvin *c = calloc(1, sizeof *c);
    if (!c)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    c->fd = fd;
    c->utf8 = 1;
    c->cd = (iconv_t)-1;
    c->line = 1;
    c->head = head;
    c->head_len = head ? head_len : 0;
    snprintf(c->name, sizeof c->name, "%s", name ? name : "stdin");
    c->data = malloc(SNIFF > BLOCK ? SNIFF : BLOCK);
    if (!c->data) {
        free(c);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    unsigned char magic[2];
    ssize_t k = read_raw(c, magic, 2, e);
    if (k < 0) {
        crm_csvin_close(c);
        return e->code;
    }
    if (k == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        c->gz = 1;
        c->rawbuf = malloc(BLOCK);
        if (!c->rawbuf || inflateInit2(&c->z, 15 + 16) != Z_OK) {
            crm_csvin_close(c);
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        }
        c->z_live = 1;
        memcpy(c->rawbuf, magic, 2);
        c->z.next_in = c->rawbuf;
        c->z.avail_in = 2;
    } else {
        memcpy(c->data, magic, (size_t)k);
        c->data_len = (size_t)k;
    }
    enum crm_err rc = start(c, o, e);
    if (rc != CRM_OK) {
        if (!e->file[0])
            crm_errinfo_where(e, c->name, -1, -1, -1);
        crm_csvin_close(c);
        return rc;
    }
    *out = c;
    return CRM_OK;
}

enum crm_err crm_csvin_open(const char *path, const struct crm_csvin_opts *o,
                            struct crm_csvin **out, struct crm_errinfo *e)
{
    if (!path || strcmp(path, "-") == 0)
        return crm_csvin_open_fd(0, "stdin", NULL, 0, o, out, e);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot open: %s", strerror(errno));
    }
    enum crm_err rc = crm_csvin_open_fd(fd, path, NULL, 0, o, out, e);
    if (rc != CRM_OK)
        close(fd);
    else
        (*out)->own_fd = 1;
    return rc;
}

void crm_csvin_close(struct crm_csvin *c)
{
    if (!c)
        return;
    if (c->started)
        csv_free(&c->p);
    if (c->cd != (iconv_t)-1)
        iconv_close(c->cd);
    if (c->gz)
        inflateEnd(&c->z);
    if (c->own_fd)
        close(c->fd);
    free(c->rawbuf);
    free(c->data);
    free(c->foff);
    free(c->flen);
    free(c->rfirst);
    free(c->rline);
    free(c->out_field);
    free(c->out_len);
    crm_buf_free(&c->text);
    crm_buf_free(&c->conv);
    free(c);
}

/* Append src to conv as UTF-8: validated (UTF-8 input) or converted; bad bytes as \xNN.
 * Returns 1 when some byte was bad. */
static int to_utf8(struct crm_csvin *c, const unsigned char *s, size_t n)
{
    int bad = 0;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] < 0x80 && s[run] != 0)
            run++;
        crm_buf_put(&c->conv, s + i, run - i);
        i = run;
        if (i == n)
            break;
        if (s[i] == 0) {
            crm_buf_put(&c->conv, "\\x00", 4);
            bad = 1;
            i++;
            continue;
        }
        if (c->utf8) {
            size_t k = utf8_seq(s + i, s + n, 0);
            if (k) {
                crm_buf_put(&c->conv, s + i, k);
                i += k;
                continue;
            }
        } else {
            /* Convert the rest of the field: GBK/GB18030 trail bytes may be ASCII, so the
             * field is never split at them; a bad byte is escaped and conversion resumes. */
            const unsigned char *nul = memchr(s + i, 0, n - i);
            size_t stop = nul ? (size_t)(nul - s) : n;   /* a NUL is escaped, not converted */
            char *in = (char *)(uintptr_t)(s + i);
            size_t inleft = stop - i;
            if (crm_buf_reserve(&c->conv, inleft * 4 + 8) != 0)
                return bad;
            char *outp = (char *)c->conv.data + c->conv.len;
            size_t outleft = c->conv.cap - c->conv.len;
            iconv(c->cd, NULL, NULL, NULL, NULL);
            size_t r = iconv(c->cd, &in, &inleft, &outp, &outleft);
            if (r != (size_t)-1)
                r = iconv(c->cd, NULL, NULL, &outp, &outleft);
            c->conv.len = (size_t)((unsigned char *)outp - c->conv.data);
            i = (size_t)((const unsigned char *)in - s);
            if (r != (size_t)-1 && inleft == 0) {
                if (stop == n)
                    break;
                continue;
            }
        }
        char esc[5];
        snprintf(esc, sizeof esc, "\\x%02X", s[i]);
        crm_buf_put(&c->conv, esc, 4);
        bad = 1;
        i++;
    }
    return bad;
}

static int needs_conversion(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80 || s[i] == 0)
            return 1;
    return 0;
}

enum crm_err crm_csvin_next(struct crm_csvin *c, struct crm_record *rec, struct crm_errinfo *e)
{
    memset(rec, 0, sizeof *rec);
    if (c->rnext == c->nr) {
        enum crm_err rc = refill(c, e);
        if (rc != CRM_OK)
            return rc;
        if (c->nr == 0)
            return CRM_OK;
    }
    size_t r = c->rnext++;
    size_t first = c->rfirst[r], n = c->rfirst[r + 1] - first;
    size_t cap = c->out_cap;
    if (grow((void **)&c->out_field, &cap, n, sizeof *c->out_field) ||
        grow((void **)&c->out_len, &c->out_cap, n, sizeof *c->out_len))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    c->conv.len = 0;
    int bad = 0;
    /* First pass: convert what must be converted (offsets, since conv may move). */
    for (size_t i = 0; i < n; i++) {
        const unsigned char *f = c->text.data + c->foff[first + i];
        size_t len = c->flen[first + i];
        if (!needs_conversion(f, len)) {
            c->out_len[i] = (size_t)-1;
            continue;
        }
        size_t at = c->conv.len;
        bad |= to_utf8(c, f, len);
        c->out_len[i] = c->conv.len - at;
        crm_buf_u8(&c->conv, 0);
        c->out_field[i] = (const char *)(uintptr_t)at;
    }
    if (c->conv.oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (c->out_len[i] == (size_t)-1) {
            c->out_field[i] = (const char *)c->text.data + c->foff[first + i];
            c->out_len[i] = c->flen[first + i];
        } else {
            c->out_field[i] = (const char *)c->conv.data + (uintptr_t)c->out_field[i];
        }
    }
    rec->nfields = n;
    rec->field = c->out_field;
    rec->len = c->out_len;
    rec->line = c->rline[r];
    rec->bad_bytes = bad;
    return CRM_OK;
}

const char *crm_csvin_name(const struct crm_csvin *c)
{
    return c->name;
}

const char *crm_csvin_encoding(const struct crm_csvin *c)
{
    return c->encoding;
}

int crm_csvin_delimiter(const struct crm_csvin *c)
{
    return c->delim;
}

int crm_csvin_gzipped(const struct crm_csvin *c)
{
    return c->gz;
}

unsigned long long crm_csvin_bytes(const struct crm_csvin *c)
{
    return c->bytes_in;
}

void crm_csvin_format_record(const struct crm_csvin *c, const struct crm_record *rec,
                             struct crm_buf *out)
{
    char sep = c->delim == CRM_CSV_WHITESPACE ? ' ' : (char)c->delim;
    for (size_t i = 0; i < rec->nfields; i++) {
        const char *f = rec->field[i];
        size_t len = rec->len[i];
        if (i)
            crm_buf_put(out, &sep, 1);
        int quote = 0;
        for (size_t k = 0; k < len && !quote; k++)
            quote = f[k] == sep || f[k] == '"' || f[k] == '\n' || f[k] == '\r' ||
                    ((k == 0 || k == len - 1) && (f[k] == ' ' || f[k] == '\t'));
        if (!quote) {
            crm_buf_put(out, f, len);
            continue;
        }
        crm_buf_u8(out, '"');
        for (size_t k = 0; k < len; k++) {
            if (f[k] == '"')
                crm_buf_u8(out, '"');
            crm_buf_u8(out, (unsigned char)f[k]);
        }
        crm_buf_u8(out, '"');
    }
}
