/* partial: the partial-result text files of scale-out (see partial.h). Invariant: the CRC of
 * a partial covers its canonical lines (each without the Hadoop tab or a CR, plus "\n"),
 * exactly the bytes the writer produced. */
#include "scale/partial.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/buf.h"

#define MAGIC "crmkit-partial"

/* ---- option lists ---- */

void crm_partial_opts_add(struct crm_partial_opts *o, const char *key, const char *fmt, ...)
{
    if (o->n >= CRM_PARTIAL_MAX_KV)
        return;
    struct crm_partial_kv *kv = &o->kv[o->n++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kv->value, sizeof kv->value, fmt, ap);
    va_end(ap);
    kv->line = 0;
}

void crm_partial_opts_remove(struct crm_partial_opts *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++) {
        if (strcmp(o->kv[i].key, key) == 0) {
            memmove(&o->kv[i], &o->kv[i + 1], (o->n - i - 1) * sizeof o->kv[i]);
            o->n--;
            return;
        }
    }
}

const char *crm_partial_opts_get(const struct crm_partial_opts *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->kv[i].key, key) == 0)
            return o->kv[i].value;
    return NULL;
}

enum crm_err crm_partial_opts_check(const struct crm_partial_opts *have, const char *file,
                                    const struct crm_partial_opts *want, const char *what,
                                    struct crm_errinfo *e)
{
    for (size_t i = 0; i < want->n; i++) {
        const struct crm_partial_kv *w = &want->kv[i];
        const struct crm_partial_kv *h = NULL;
        for (size_t k = 0; k < have->n && !h; k++)
            if (strcmp(have->kv[k].key, w->key) == 0)
                h = &have->kv[k];
        if (!h) {
            crm_errinfo_where(e, file, -1, -1, -1);
            return crm_errinfo_set(e, CRM_EUSAGE, "has no option %s (%s has %s %s): made by "
                                   "another crmkit tool or version?", w->key, what, w->key,
                                   w->value);
        }
        if (strcmp(h->value, w->value) != 0) {
            crm_errinfo_where(e, file, h->line > 0 ? h->line : -1, -1, -1);
            return crm_errinfo_set(e, CRM_EUSAGE, "%s %s, but %s has %s %s: every step of a "
                                   "partitioned run needs the same options", w->key, h->value,
                                   what, w->key, w->value);
        }
    }
    for (size_t k = 0; k < have->n; k++) {
        if (!crm_partial_opts_get(want, have->kv[k].key)) {
            crm_errinfo_where(e, file, have->kv[k].line > 0 ? have->kv[k].line : -1, -1, -1);
            return crm_errinfo_set(e, CRM_EUSAGE, "option %s is unknown to %s: made by another "
                                   "crmkit tool or version?", have->kv[k].key, what);
        }
    }
    return CRM_OK;
}

/* ---- escaping ---- */

static int plain(unsigned char c)
{
    return c > 0x20 && c != 0x7f && c != '%';
}

static void put_escaped(struct crm_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (len == 0) {
        crm_buf_u8(b, '%');
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (plain(c)) {
            crm_buf_u8(b, c);
        } else {
            char t[3] = {'%', hex[c >> 4], hex[c & 15]};
            crm_buf_put(b, t, 3);
        }
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode a token in place; -1 when an escape is malformed or decodes to NUL. */
static int unescape(char *s)
{
    if (s[0] == '%' && s[1] == '\0') {
        s[0] = '\0';
        return 0;
    }
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return -1;
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    return 0;
}

/* ---- writing ---- */

struct crm_partial_writer {
    struct crm_out *o;
    struct crm_buf line;
    uLong crc;
    int fields;              /* fields in the current row */
    int in_section;
    uint64_t rows_left;      /* of the current section */
    int bad;                 /* a section got the wrong number of rows */
};

static void emit(struct crm_partial_writer *w)
{
    crm_buf_u8(&w->line, '\n');
    if (w->line.oom)
        return;
    w->crc = crc32(w->crc, w->line.data, (uInt)w->line.len);
    crm_out_raw(w->o, (const char *)w->line.data, w->line.len);
    w->line.len = 0;
}

static void word(struct crm_partial_writer *w, const char *s)
{
    if (w->line.len)
        crm_buf_u8(&w->line, ' ');
    crm_buf_put(&w->line, s, strlen(s));
}

static void keyed_line(struct crm_partial_writer *w, const char *kind, const char *key,
                       const char *value)
{
    word(w, kind);
    word(w, key);
    crm_buf_u8(&w->line, ' ');
    put_escaped(&w->line, value, strlen(value));
    emit(w);
}

enum crm_err crm_partial_writer_new(struct crm_out *o, const char *kind,
                                    const struct crm_partial_opts *options,
                                    struct crm_partial_writer **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_partial_writer *w = calloc(1, sizeof *w);
    if (!w)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    w->o = o;
    w->crc = crc32(0L, Z_NULL, 0);
    char first[96];
    snprintf(first, sizeof first, "%s %d %s", MAGIC, CRM_PARTIAL_VERSION, kind);
    word(w, first);
    emit(w);
    for (size_t i = 0; options && i < options->n; i++)
        keyed_line(w, "option", options->kv[i].key, options->kv[i].value);
    *out = w;
    return CRM_OK;
}

void crm_partial_info(struct crm_partial_writer *w, const char *key, const char *fmt, ...)
{
    char value[CRM_PARTIAL_VALUE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    if (w->in_section)
        w->bad = 1;   /* infos belong before the sections */
    keyed_line(w, "info", key, value);
}

void crm_partial_section(struct crm_partial_writer *w, const char *name, uint64_t rows)
{
    if (w->rows_left)
        w->bad = 1;
    char text[64];
    snprintf(text, sizeof text, "section %s %" PRIu64, name, rows);
    word(w, text);
    emit(w);
    w->in_section = 1;
    w->rows_left = rows;
}

void crm_partial_i64(struct crm_partial_writer *w, int64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRId64, v);
    word(w, t);
}

void crm_partial_u64(struct crm_partial_writer *w, uint64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRIu64, v);
    word(w, t);
}

void crm_partial_text(struct crm_partial_writer *w, const char *s, size_t len)
{
    if (w->line.len)
        crm_buf_u8(&w->line, ' ');
    put_escaped(&w->line, s, len);
}

void crm_partial_end_row(struct crm_partial_writer *w)
{
    if (w->rows_left == 0)
        w->bad = 1;
    else
        w->rows_left--;
    emit(w);
}

enum crm_err crm_partial_writer_finish(struct crm_partial_writer *w, struct crm_errinfo *e)
{
    int bad = w->bad || w->rows_left != 0, oom = w->line.oom;
    char t[32];
    snprintf(t, sizeof t, "end %08lx", (unsigned long)w->crc);
    crm_out_raw(w->o, t, strlen(t));
    crm_out_raw(w->o, "\n", 1);
    crm_partial_writer_free(w);
    if (oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory writing a partial");
    if (bad)
        return crm_errinfo_set(e, CRM_EDATA, "internal error: a partial section got another "
                               "number of rows than announced");
    return CRM_OK;
}

void crm_partial_writer_free(struct crm_partial_writer *w)
{
    if (!w)
        return;
    crm_buf_free(&w->line);
    free(w);
}

/* ---- reading ---- */

enum state { BETWEEN, HEADER, SECTIONS, ROWS_ONLY };

struct crm_partial {
    FILE *f;
    int own;                 /* fclose on close */
    char name[256];
    char *line;              /* the current line, canonical (no \n, tab, CR) */
    size_t cap;
    size_t len;
    long long lineno;        /* of the current line */
    long long next_offset;   /* byte offset of the next line; -1 when unknown */
    int pending;             /* the current line is read but not yet consumed */
    enum state state;
    uLong crc;
    uint64_t rows_left;
    char section[CRM_PARTIAL_KEY];
    char *field[64];
};

const char *crm_partial_name(const struct crm_partial *p)
{
    return p->name;
}

enum crm_err crm_partial_fail(const struct crm_partial *p, struct crm_errinfo *e,
                              enum crm_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crm_errinfo_vset(e, code, fmt, ap);
    va_end(ap);
    crm_errinfo_where(e, p->name, p->lineno > 0 ? p->lineno : -1, -1, -1);
    return code;
}

static enum crm_err open_file(const char *path, struct crm_partial **out, struct crm_errinfo *e)
{
    *out = NULL;
    struct crm_partial *p = calloc(1, sizeof *p);
    if (!p)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    int std = !path || strcmp(path, "-") == 0;
    snprintf(p->name, sizeof p->name, "%s", std ? "stdin" : path);
    p->f = std ? stdin : fopen(path, "r");
    if (!p->f) {
        int err = errno;
        crm_errinfo_where(e, path, -1, -1, -1);
        free(p);
        return crm_errinfo_set(e, err == ENOENT ? CRM_EUSAGE : CRM_EIO, "cannot open: %s",
                               strerror(err));
    }
    p->own = !std;
    p->crc = crc32(0L, Z_NULL, 0);
    off_t at = ftello(p->f);
    p->next_offset = at < 0 ? -1 : (long long)at;
    *out = p;
    return CRM_OK;
}

enum crm_err crm_partial_open(const char *path, struct crm_partial **out, struct crm_errinfo *e)
{
    return open_file(path, out, e);
}

void crm_partial_close(struct crm_partial *p)
{
    if (!p)
        return;
    if (p->own)
        fclose(p->f);
    free(p->line);
    free(p);
}

/* Read the next line into p->line (canonical); 0 at the end of the file. */
static enum crm_err read_line(struct crm_partial *p, int *got, struct crm_errinfo *e)
{
    errno = 0;
    ssize_t n = getline(&p->line, &p->cap, p->f);
    if (n < 0) {
        if (ferror(p->f))
            return crm_partial_fail(p, e, CRM_EIO, "read error: %s", strerror(errno));
        *got = 0;
        return CRM_OK;
    }
    p->lineno++;
    if (p->next_offset >= 0)
        p->next_offset += n;
    size_t len = (size_t)n;
    if (len && p->line[len - 1] == '\n')
        len--;
    if (len && p->line[len - 1] == '\r')
        len--;
    if (len && p->line[len - 1] == '\t')
        len--;
    p->line[len] = '\0';
    if (memchr(p->line, '\0', len))
        return crm_partial_fail(p, e, CRM_EDATA, "NUL byte in a partial line");
    p->len = len;
    *got = 1;
    return CRM_OK;
}

static void take_crc(struct crm_partial *p)
{
    p->crc = crc32(p->crc, (const Bytef *)p->line, (uInt)p->len);
    p->crc = crc32(p->crc, (const Bytef *)"\n", 1);
}

/* Split the current line at single spaces into at most max fields; -1 on an empty field. */
static int split(struct crm_partial *p, size_t max)
{
    size_t n = 0;
    char *s = p->line;
    for (;;) {
        if (n == max)
            return (int)max + 1;
        p->field[n++] = s;
        char *sp = strchr(s, ' ');
        if (!sp)
            break;
        *sp = '\0';
        s = sp + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (p->field[i][0] == '\0')
            return -1;
    return (int)n;
}

static enum crm_err truncated(struct crm_partial *p, struct crm_errinfo *e)
{
    return crm_partial_fail(p, e, CRM_ETRUNC, "the partial ends before its end line (a "
                            "truncated file?)");
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
        return -1;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return 0;
}

static enum crm_err add_kv(struct crm_partial *p, struct crm_partial_opts *o, const char *what,
                           struct crm_errinfo *e)
{
    if (split(p, 3) != 3)
        return crm_partial_fail(p, e, CRM_EDATA, "expected \"%s KEY VALUE\"", what);
    if (strlen(p->field[1]) >= CRM_PARTIAL_KEY || strlen(p->field[2]) >= CRM_PARTIAL_VALUE * 3)
        return crm_partial_fail(p, e, CRM_EDATA, "%s line too long", what);
    if (unescape(p->field[2]) != 0 || strlen(p->field[2]) >= CRM_PARTIAL_VALUE)
        return crm_partial_fail(p, e, CRM_EDATA, "bad %s value", what);
    if (crm_partial_opts_get(o, p->field[1]))
        return crm_partial_fail(p, e, CRM_EDATA, "%s %s given twice", what, p->field[1]);
    if (o->n >= CRM_PARTIAL_MAX_KV)
        return crm_partial_fail(p, e, CRM_EDATA, "more than %d %s lines", CRM_PARTIAL_MAX_KV,
                                what);
    crm_partial_opts_add(o, p->field[1], "%s", p->field[2]);
    o->kv[o->n - 1].line = p->lineno;
    return CRM_OK;
}

enum crm_err crm_partial_next(struct crm_partial *p, struct crm_partial_head *h, int *got,
                              struct crm_errinfo *e)
{
    memset(h, 0, sizeof *h);
    *got = 0;
    if (p->state != BETWEEN)
        return crm_partial_fail(p, e, CRM_EDATA, "internal error: the previous partial was "
                                "not read to its end");
    int have;
    enum crm_err rc;
    do {   /* blank lines between partials are allowed */
        if ((rc = read_line(p, &have, e)) != CRM_OK)
            return rc;
        if (!have) {
            if (p->lineno == 0)
                return crm_partial_fail(p, e, CRM_EUSAGE, "empty: not a crmkit partial");
            return CRM_OK;
        }
    } while (p->len == 0);
    size_t ml = strlen(MAGIC);
    if (strncmp(p->line, MAGIC, ml) != 0 || p->line[ml] != ' ')
        return crm_partial_fail(p, e, CRM_EUSAGE, "not a crmkit partial (it should start "
                                "with \"%s 1 KIND\")", MAGIC);
    p->crc = crc32(0L, Z_NULL, 0);
    take_crc(p);
    h->line = p->lineno;
    uint64_t version;
    if (split(p, 3) != 3 || parse_u64(p->field[1], &version) != 0)
        return crm_partial_fail(p, e, CRM_EDATA, "expected \"%s VERSION KIND\"", MAGIC);
    if (version != CRM_PARTIAL_VERSION)
        return crm_partial_fail(p, e, CRM_EVERSION, "partial format version %s; this crmkit "
                                "reads version %d", p->field[1], CRM_PARTIAL_VERSION);
    if (strlen(p->field[2]) >= sizeof h->kind)
        return crm_partial_fail(p, e, CRM_EDATA, "kind too long");
    strcpy(h->kind, p->field[2]);
    for (;;) {
        if ((rc = read_line(p, &have, e)) != CRM_OK)
            return rc;
        if (!have)
            return truncated(p, e);
        if (strncmp(p->line, "option ", 7) == 0 || strncmp(p->line, "info ", 5) == 0) {
            take_crc(p);
            int opt = p->line[0] == 'o';
            rc = add_kv(p, opt ? &h->options : &h->info, opt ? "option" : "info", e);
            if (rc != CRM_OK)
                return rc;
            continue;
        }
        p->pending = 1;   /* a section or the end line */
        break;
    }
    p->state = SECTIONS;
    *got = 1;
    return CRM_OK;
}

enum crm_err crm_partial_section_next(struct crm_partial *p, char name[CRM_PARTIAL_KEY],
                                      uint64_t *rows, int *got, struct crm_errinfo *e)
{
    *got = 0;
    if (p->state != SECTIONS || p->rows_left)
        return crm_partial_fail(p, e, CRM_EDATA, "internal error: section %s not read to its "
                                "end", p->section);
    enum crm_err rc;
    if (!p->pending) {
        int have;
        if ((rc = read_line(p, &have, e)) != CRM_OK)
            return rc;
        if (!have)
            return truncated(p, e);
    }
    p->pending = 0;
    if (strncmp(p->line, "end ", 4) == 0) {
        char *end;
        unsigned long want = strtoul(p->line + 4, &end, 16);
        if (p->len != 12 || *end)
            return crm_partial_fail(p, e, CRM_EDATA, "expected \"end CRC\" (8 hex digits)");
        if (want != p->crc)
            return crm_partial_fail(p, e, CRM_ECORRUPT, "checksum %08lx, but the partial's "
                                    "bytes give %08lx: it was damaged or edited", want,
                                    (unsigned long)p->crc);
        p->state = BETWEEN;
        return CRM_OK;
    }
    take_crc(p);
    if (strncmp(p->line, "section ", 8) != 0 || split(p, 3) != 3 ||
        parse_u64(p->field[2], rows) != 0 || strlen(p->field[1]) >= CRM_PARTIAL_KEY)
        return crm_partial_fail(p, e, CRM_EDATA, "expected \"section NAME ROWS\" or \"end "
                                "CRC\"");
    strcpy(name, p->field[1]);
    strcpy(p->section, name);
    p->rows_left = *rows;
    *got = 1;
    return CRM_OK;
}

enum crm_err crm_partial_row(struct crm_partial *p, char **field, size_t nfield,
                             struct crm_errinfo *e)
{
    if (p->rows_left == 0)
        return crm_partial_fail(p, e, CRM_EDATA, "section %s has no more rows", p->section);
    int have;
    enum crm_err rc = read_line(p, &have, e);
    if (rc != CRM_OK)
        return rc;
    if (!have)
        return truncated(p, e);
    if (p->state != ROWS_ONLY)
        take_crc(p);
    p->rows_left--;
    int n = split(p, nfield < 64 ? nfield : 64);
    if (n != (int)nfield)
        return crm_partial_fail(p, e, CRM_EDATA, "expected %zu fields in a row of section %s "
                                "(a section shorter than announced?)", nfield, p->section);
    for (size_t i = 0; i < nfield; i++) {
        if (unescape(p->field[i]) != 0)
            return crm_partial_fail(p, e, CRM_EDATA, "field %zu: bad %%-escape", i + 1);
        field[i] = p->field[i];
    }
    return CRM_OK;
}

enum crm_err crm_partial_skip_rows(struct crm_partial *p, struct crm_errinfo *e)
{
    while (p->rows_left) {
        int have = 0;
        enum crm_err rc = read_line(p, &have, e);
        if (rc != CRM_OK)
            return rc;
        if (!have)
            return truncated(p, e);
        take_crc(p);
        p->rows_left--;
    }
    return CRM_OK;
}

/* The sections of the current partial, each handed to w->section or skipped. */
static enum crm_err walk_sections(struct crm_partial *p, const struct crm_partial_walker *w,
                                  struct crm_errinfo *e)
{
    for (;;) {
        char name[CRM_PARTIAL_KEY];
        uint64_t rows;
        int got;
        enum crm_err rc = crm_partial_section_next(p, name, &rows, &got, e);
        if (rc != CRM_OK || !got)
            return rc;
        rc = w->section ? w->section(w->ctx, p, name, rows, e) : crm_partial_skip_rows(p, e);
        if (rc != CRM_OK)
            return rc;
    }
}

enum crm_err crm_partial_walk(const char *path, const struct crm_partial_walker *w,
                              size_t *partials, struct crm_errinfo *e)
{
    struct crm_partial *p = NULL;
    size_t n = 0;
    enum crm_err rc = crm_partial_open(path, &p, e);
    while (rc == CRM_OK) {
        struct crm_partial_head h;
        int got;
        if ((rc = crm_partial_next(p, &h, &got, e)) != CRM_OK || !got)
            break;
        if (w->head && (rc = w->head(w->ctx, p, &h, e)) != CRM_OK)
            break;
        if ((rc = walk_sections(p, w, e)) != CRM_OK)
            break;
        if (w->done && (rc = w->done(w->ctx, p, &h, e)) != CRM_OK)
            break;
        n++;
    }
    crm_partial_close(p);
    if (partials)
        *partials = n;
    return rc;
}

long long crm_partial_offset(const struct crm_partial *p, long long *line)
{
    *line = p->lineno + 1;
    return p->next_offset;
}

enum crm_err crm_partial_open_rows(const char *path, long long offset, long long line,
                                   uint64_t rows, struct crm_partial **out,
                                   struct crm_errinfo *e)
{
    struct crm_partial *p;
    enum crm_err rc = open_file(path, &p, e);
    if (rc != CRM_OK)
        return rc;
    if (offset < 0 || fseeko(p->f, (off_t)offset, SEEK_SET) != 0) {
        crm_partial_close(p);
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot seek to byte %lld: %s", offset,
                               strerror(errno));
    }
    p->lineno = line - 1;
    p->next_offset = offset;
    p->state = ROWS_ONLY;
    p->rows_left = rows;
    snprintf(p->section, sizeof p->section, "(reopened)");
    *out = p;
    return CRM_OK;
}

enum crm_err crm_partial_parse_i64(const struct crm_partial *p, const char *text,
                                   const char *what, int64_t *v, struct crm_errinfo *e)
{
    uint64_t u;
    int neg = text[0] == '-';
    if (parse_u64(text + neg, &u) != 0 || u > (uint64_t)INT64_MAX + (uint64_t)neg ||
        (neg && u == 0))
        return crm_partial_fail(p, e, CRM_EDATA, "%s \"%s\": expected a whole number", what,
                                text);
    *v = neg ? (int64_t)(0 - u) : (int64_t)u;
    return CRM_OK;
}

enum crm_err crm_partial_parse_u64(const struct crm_partial *p, const char *text,
                                   const char *what, uint64_t *v, struct crm_errinfo *e)
{
    if (parse_u64(text, v) != 0)
        return crm_partial_fail(p, e, CRM_EDATA, "%s \"%s\": expected a whole number >= 0",
                                what, text);
    return CRM_OK;
}
