/* csvin: bytes → UTF-8 records with line numbers (see csvin.h).
 * Two threads: a reader thread reads (inflating gzip), runs libcsv and appends fields to a
 * batch (bytes back to back, NUL-terminated, with per-record line numbers and a flag for
 * records holding non-ASCII or NUL bytes); the caller's thread takes whole batches and
 * converts/validates only flagged records. Batches circulate through a small pool, so
 * memory stays bounded whatever the input size. Line counting: `line` is the physical
 * line the parser is on; libcsv reports every unquoted CR or LF (CSV_REPALL_NL), a CR
 * followed by LF counts once, and line breaks inside quoted fields are counted from the
 * field text when the block holds a quote character. */
#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
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
#define MAX_RECORD (256u << 20)    /* bytes of one record's fields, NULs included */
#define MAX_FIELDS (1u << 20)      /* fields of one record */

#define POOL 4                     /* batches in circulation */

/* Parsed records: filled by the reader thread, read by the caller. */
struct batch {
    struct crm_buf text;           /* field bytes, each field NUL-terminated */
    size_t *foff, *flen;           /* per field */
    size_t nf, fcap;
    size_t *rfirst;                /* per record: first field; rfirst[nr] = nf */
    long long *rline;
    unsigned char *rhigh;          /* the record has a byte >= 0x80 or a NUL */
    size_t nr, rcap;
    struct batch *next;
};

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
    _Atomic unsigned long long bytes_in;
    /* decoded bytes waiting to be parsed */
    unsigned char *data;
    size_t data_len, data_pos;
    int started;                   /* BOM, encoding and delimiter decided */
    char encoding[32];
    int utf8;                      /* fields need validation only, no conversion */
    iconv_t cd;
    int delim;
    struct csv_parser p;
    /* reader side: parser state and the batch being filled */
    long long line;
    int pending_cr;
    int scan_fields;               /* the current block may hold quoted line breaks */
    size_t rec_fields;             /* fields of the record being parsed */
    size_t rec_bytes;              /* and their bytes: a record must fit in memory */
    long long too_long;            /* line of a record past MAX_RECORD or MAX_FIELDS, or 0 */
    long long rec_line;
    int rec_high;
    int oom;
    struct batch *fill;
    int finished;                  /* the reader has handed over its last batch */
    struct crm_errinfo rerr;       /* the reader's error, if any */
    /* hand-over between the threads */
    pthread_t thread;
    int threaded, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *full_head, *full_tail, *free_list;
    struct batch pool[POOL];
    /* caller side */
    struct batch *cur;             /* the batch being handed out */
    size_t rnext;
    struct crm_record *recs;       /* records of cur */
    size_t recs_cap;
    const char **out_field;        /* fields of cur's records */
    size_t *out_len;
    size_t out_cap;
    struct crm_buf conv;           /* converted field text */
};

/* libcsv's field buffer. libcsv grows it by a fixed block per call, which copies a long
 * field quadratically wherever realloc cannot grow in place (under ASan it took a minute
 * for 16 MB); the real capacity lives in a header in front of the buffer so growth is
 * geometric. libcsv must not buffer one absurd field without bound (a 1 GB line): past
 * MAX_FIELD the allocation is refused. */
#define FIELD_HDR 16               /* keeps the buffer max_align_t aligned */

static void *field_realloc(void *p, size_t n)
{
    unsigned char *base = p ? (unsigned char *)p - FIELD_HDR : NULL;
    size_t cap = 0;
    if (n > MAX_FIELD)
        return NULL;
    if (base)
        memcpy(&cap, base, sizeof cap);
    if (n <= cap)
        return p;
    size_t want = cap > MAX_FIELD / 2 ? MAX_FIELD : cap * 2;
    if (want < n)
        want = n;
    unsigned char *nb = realloc(base, want + FIELD_HDR);
    if (!nb)
        return NULL;
    memcpy(nb, &want, sizeof want);
    return nb + FIELD_HDR;
}

static void field_free(void *p)
{
    if (p)
        free((unsigned char *)p - FIELD_HDR);
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

/* For the encoding decision only: a NUL byte is not evidence of another encoding (one NUL
 * made a whole UTF-8 file decode as GB18030, every Chinese id silently garbled); the row
 * holding it is rejected on its own later. */
static int valid_utf8(const unsigned char *p, size_t n, int partial_ok)
{
    const unsigned char *end = p + n;
    while (p < end) {
        if (*p >= 0x80) {
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
    csv_set_realloc_func(&c->p, field_realloc);
    csv_set_free_func(&c->p, field_free);
    csv_set_blk_size(&c->p, 4096);
    c->started = 1;
    return CRM_OK;
}

/* ---- the reader side: libcsv callbacks into the batch being filled ---- */

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

/* Nonzero when some byte is >= 0x80 or NUL (8 bytes at a time). */
static int has_high(const unsigned char *s, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        acc |= v | ((v - 0x0101010101010101ull) & ~v);
    }
    for (; i < n; i++)
        acc |= (s[i] >= 0x80 || s[i] == 0) ? 0x80 : 0;
    return (acc & 0x8080808080808080ull) != 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct crm_csvin *c = data;
    struct batch *b = c->fill;
    c->pending_cr = 0;
    if (!s && c->delim == CRM_CSV_WHITESPACE)
        return;             /* runs of separators are one separator */
    if (c->rec_fields == 0) {
        c->rec_line = c->line;
        c->rec_high = 0;
        c->rec_bytes = 0;
    }
    /* A 1 GB line of short fields must not take gigabytes of field offsets: stop here and
     * let reader_step report the record (the import fails; nothing is half-written). */
    if (c->too_long || c->rec_fields >= MAX_FIELDS || len >= MAX_RECORD - c->rec_bytes) {
        if (!c->too_long)
            c->too_long = c->rec_line;
        return;
    }
    c->rec_bytes += len + 1;
    if (s && c->scan_fields) {
        const unsigned char *f = s;
        for (size_t i = 0; i < len; i++)
            if (f[i] == '\n' || (f[i] == '\r' && (i + 1 == len || f[i + 1] != '\n')))
                c->line++;
    }
    if (s && !c->rec_high)
        c->rec_high = has_high(s, len);
    if (b->nf == b->fcap) {
        size_t fcap = b->fcap;
        if (grow((void **)&b->foff, &fcap, b->nf + 1, sizeof *b->foff) ||
            grow((void **)&b->flen, &b->fcap, b->nf + 1, sizeof *b->flen)) {
            c->oom = 1;
            return;
        }
    }
    if (crm_buf_reserve(&b->text, len + 1) != 0)
        return;                      /* text.oom is checked after the block */
    unsigned char *dst = b->text.data + b->text.len;
    if (len)
        memcpy(dst, s, len);
    dst[len] = '\0';
    b->foff[b->nf] = b->text.len;
    b->flen[b->nf] = len;
    b->text.len += len + 1;
    b->nf++;
    c->rec_fields++;
}

static void on_record(int ch, void *data)
{
    struct crm_csvin *c = data;
    struct batch *b = c->fill;
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
    size_t rcap = b->rcap, rcap2 = b->rcap;
    if (grow((void **)&b->rfirst, &rcap, b->nr + 2, sizeof *b->rfirst) ||
        grow((void **)&b->rhigh, &rcap2, b->nr + 2, sizeof *b->rhigh) ||
        grow((void **)&b->rline, &b->rcap, b->nr + 2, sizeof *b->rline)) {
        c->oom = 1;
        return;
    }
    b->rfirst[b->nr] = b->nf - c->rec_fields;
    b->rline[b->nr] = c->rec_line;
    b->rhigh[b->nr] = (unsigned char)c->rec_high;
    b->nr++;
    b->rfirst[b->nr] = b->nf;
    c->rec_fields = 0;
}

/* Take a free batch (waiting for the caller to return one); NULL when told to stop. */
static struct batch *take_free(struct crm_csvin *c)
{
    pthread_mutex_lock(&c->mu);
    while (!c->free_list && !c->stop)
        pthread_cond_wait(&c->cv, &c->mu);
    struct batch *b = c->stop ? NULL : c->free_list;
    if (b)
        c->free_list = b->next;
    pthread_mutex_unlock(&c->mu);
    return b;
}

/* Queue the filled batch for the caller and start a new one, carrying over the fields
 * of a record the block boundary cut. Returns -1 when told to stop. */
static int hand_over(struct crm_csvin *c, int last)
{
    struct batch *b = c->fill, *nb = NULL;
    if (!last) {
        if (!(nb = take_free(c)))
            return -1;
        nb->text.len = nb->nf = nb->nr = 0;
        size_t keep = b->nf - c->rec_fields;
        size_t from = c->rec_fields ? b->foff[keep] : b->text.len;
        crm_buf_put(&nb->text, b->text.data + from, b->text.len - from);
        size_t fcap = nb->fcap;
        if (grow((void **)&nb->foff, &fcap, c->rec_fields + 1, sizeof *nb->foff) ||
            grow((void **)&nb->flen, &nb->fcap, c->rec_fields + 1, sizeof *nb->flen)) {
            c->oom = 1;
        } else {
            for (size_t i = 0; i < c->rec_fields; i++) {
                nb->foff[i] = b->foff[keep + i] - from;
                nb->flen[i] = b->flen[keep + i];
            }
            nb->nf = c->rec_fields;
        }
        b->text.len = from;
        b->nf = keep;
    }
    b->next = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->full_tail)
        c->full_tail->next = b;
    else
        c->full_head = b;
    c->full_tail = b;
    if (last)
        c->finished = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    c->fill = nb;
    return 0;
}

static int record_too_long(struct crm_csvin *c)
{
    crm_errinfo_where(&c->rerr, c->name, c->too_long, -1, -1);
    crm_errinfo_set(&c->rerr, CRM_EDATA, "a record with more than %u fields or %u MiB of text "
                    "(broken quoting or not a CSV file?)", MAX_FIELDS, MAX_RECORD >> 20);
    return -1;
}

/* Parse the next block; hand over a batch when it holds records. 0 to go on, 1 at the
 * end (last batch handed over), -1 on error (in c->rerr) or stop. */
static int reader_step(struct crm_csvin *c)
{
    if (c->data_pos == c->data_len) {
        c->data_pos = c->data_len = 0;
        ssize_t k = fill(c, BLOCK, &c->rerr);
        if (k < 0)
            return -1;
        if (k == 0) {
            csv_fini(&c->p, on_field, on_record, c);
            if (c->too_long)
                return record_too_long(c);
            if (c->oom || c->fill->text.oom) {
                crm_errinfo_set(&c->rerr, CRM_ENOMEM, "out of memory");
                return -1;
            }
            return hand_over(c, 1) == 0 ? 1 : -1;
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
    c->data_pos = c->data_len;
    if (done != n) {
        crm_errinfo_where(&c->rerr, c->name, c->line, -1, -1);
        if (csv_error(&c->p) == CSV_ENOMEM)
            crm_errinfo_set(&c->rerr, CRM_EDATA, "a field longer than %u MiB (broken quoting "
                            "or not a CSV file?)", MAX_FIELD >> 20);
        else
            crm_errinfo_set(&c->rerr, CRM_EDATA, "CSV parse error: %s",
                            csv_strerror(csv_error(&c->p)));
        return -1;
    }
    if (c->too_long)
        return record_too_long(c);
    if (c->oom || c->fill->text.oom) {
        crm_errinfo_set(&c->rerr, CRM_ENOMEM, "out of memory");
        return -1;
    }
    if (c->fill->nr > 0 && hand_over(c, 0) != 0)
        return -1;
    return 0;
}

static void reader_fail(struct crm_csvin *c)
{
    pthread_mutex_lock(&c->mu);
    c->finished = 1;
    if (c->rerr.code == CRM_OK)
        c->rerr.code = CRM_EIO;   /* stopped: the caller is closing anyway */
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void *reader_main(void *arg)
{
    struct crm_csvin *c = arg;
    int r;
    while ((r = reader_step(c)) == 0)
        ;
    if (r < 0)
        reader_fail(c);
    return NULL;
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
    crm_errinfo_clear(&c->rerr);
    snprintf(c->name, sizeof c->name, "%s", name ? name : "stdin");
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    for (int i = 0; i < POOL; i++) {
        c->pool[i].next = c->free_list;
        c->free_list = &c->pool[i];
    }
    c->fill = c->free_list;
    c->free_list = c->fill->next;
    c->data = malloc(SNIFF > BLOCK ? SNIFF : BLOCK);
    if (!c->data) {
        crm_csvin_close(c);
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
    /* Without a thread (none to be had) the caller parses on demand: same steps. */
    c->threaded = pthread_create(&c->thread, NULL, reader_main, c) == 0;
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
    if (c->threaded) {
        pthread_mutex_lock(&c->mu);
        c->stop = 1;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->thread, NULL);
    }
    if (c->started)
        csv_free(&c->p);
    if (c->cd != (iconv_t)-1)
        iconv_close(c->cd);
    if (c->gz)
        inflateEnd(&c->z);
    if (c->own_fd)
        close(c->fd);
    for (int i = 0; i < POOL; i++) {
        struct batch *b = &c->pool[i];
        crm_buf_free(&b->text);
        free(b->foff);
        free(b->flen);
        free(b->rfirst);
        free(b->rline);
        free(b->rhigh);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->rawbuf);
    free(c->data);
    free(c->recs);
    free(c->out_field);
    free(c->out_len);
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

/* Give the current batch back and take the next one; NULL at the end or on error. */
static struct batch *next_full(struct crm_csvin *c, struct crm_errinfo *e)
{
    pthread_mutex_lock(&c->mu);
    if (c->cur) {
        c->cur->next = c->free_list;
        c->free_list = c->cur;
        c->cur = NULL;
        pthread_cond_broadcast(&c->cv);
    }
    for (;;) {
        if (c->full_head) {
            struct batch *b = c->full_head;
            c->full_head = b->next;
            if (!c->full_head)
                c->full_tail = NULL;
            pthread_mutex_unlock(&c->mu);
            return b;
        }
        if (c->finished)
            break;
        if (c->threaded) {
            pthread_cond_wait(&c->cv, &c->mu);
            continue;
        }
        pthread_mutex_unlock(&c->mu);
        int r = reader_step(c);   /* no thread: parse here */
        if (r < 0)
            reader_fail(c);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    if (c->rerr.code != CRM_OK) {
        *e = c->rerr;
        return NULL;
    }
    return NULL;
}

enum crm_err crm_csvin_next_batch(struct crm_csvin *c, const struct crm_record **recs,
                                  size_t *n, struct crm_errinfo *e)
{
    *recs = NULL;
    *n = 0;
    if (c->cur && c->rnext < c->cur->nr) {    /* the rest of a batch begun by _next */
        *recs = c->recs + c->rnext;
        *n = c->cur->nr - c->rnext;
        c->rnext = c->cur->nr;
        return CRM_OK;
    }
    struct batch *b = next_full(c, e);
    if (!b)
        return c->rerr.code;
    c->cur = b;
    c->rnext = b->nr;
    size_t rc_cap = c->recs_cap, fcap = c->out_cap;
    if (grow((void **)&c->recs, &rc_cap, b->nr + 1, sizeof *c->recs) ||
        grow((void **)&c->out_field, &fcap, b->nf + 1, sizeof *c->out_field) ||
        grow((void **)&c->out_len, &c->out_cap, b->nf + 1, sizeof *c->out_len))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    c->recs_cap = rc_cap;
    c->conv.len = 0;
    /* Converted fields go to conv, which may move: note offsets, fix pointers after. */
    for (size_t r = 0; r < b->nr; r++) {
        struct crm_record *rec = &c->recs[r];
        size_t first = b->rfirst[r];
        rec->nfields = b->rfirst[r + 1] - first;
        rec->line = b->rline[r];
        rec->bad_bytes = 0;
        for (size_t i = first; i < first + rec->nfields; i++) {
            const unsigned char *f = b->text.data + b->foff[i];
            if (!b->rhigh[r] || !has_high(f, b->flen[i])) {
                c->out_field[i] = (const char *)f;
                c->out_len[i] = b->flen[i];
                continue;
            }
            size_t at = c->conv.len;
            rec->bad_bytes |= to_utf8(c, f, b->flen[i]);
            c->out_len[i] = c->conv.len - at;
            crm_buf_u8(&c->conv, 0);
            c->out_len[i] |= (size_t)1 << (sizeof(size_t) * 8 - 1);
            c->out_field[i] = (const char *)(uintptr_t)at;
        }
    }
    if (c->conv.oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    const size_t flag = (size_t)1 << (sizeof(size_t) * 8 - 1);
    for (size_t i = 0; i < b->nf; i++) {
        if (c->out_len[i] & flag) {
            c->out_len[i] &= ~flag;
            c->out_field[i] = (const char *)c->conv.data + (uintptr_t)c->out_field[i];
        }
    }
    for (size_t r = 0; r < b->nr; r++) {
        c->recs[r].field = c->out_field + b->rfirst[r];
        c->recs[r].len = c->out_len + b->rfirst[r];
    }
    *recs = c->recs;
    *n = b->nr;
    return CRM_OK;
}

enum crm_err crm_csvin_next(struct crm_csvin *c, struct crm_record *rec, struct crm_errinfo *e)
{
    memset(rec, 0, sizeof *rec);
    while (!c->cur || c->rnext == c->cur->nr) {
        const struct crm_record *recs;
        size_t n;
        enum crm_err rc = crm_csvin_next_batch(c, &recs, &n, e);
        if (rc != CRM_OK || !c->cur)
            return rc;
        c->rnext = 0;
    }
    *rec = c->recs[c->rnext++];
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
    return atomic_load_explicit(&((struct crm_csvin *)(uintptr_t)c)->bytes_in,
                                memory_order_relaxed);
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
