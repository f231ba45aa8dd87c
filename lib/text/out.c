/* out: buffered CSV/TSV/XLSX writer (see out.h). Invariant: buf[0..len) is unwritten
 * output; after the first failed write `err` is set and later output is dropped. An XLSX
 * writer (x != NULL) sends every cell to text/xlsx and writes buf only at close, when the
 * finished workbook is copied to fd. */
#include "text/out.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "text/money.h"
#include "text/timeparse.h"
#include "text/xlsx.h"

#define OUT_BUFSIZE (256 * 1024)
#define DATE_CACHE 512   /* a report's dates mostly fall within a year or two */
#define ERR_XLSX (-1)    /* err: the workbook failed, crm_xlsx_error says why */
#define ERR_RAW (-2)     /* err: raw bytes sent to a workbook */

struct crm_out {
    int fd;
    unsigned flags;
    char sep;
    char point;         /* the decimal point: '.' or ',' */
    int header;         /* crm_out_header is writing */
    struct crm_xlsx *x; /* the workbook of an XLSX writer, else NULL */
    int col;            /* fields written in the current row */
    int err;            /* errno of the first failed write, 0 if none */
    int behind;         /* crm_out_write_behind: written bytes go back to disk as we go */
    long long written, behind_from;  /* bytes written to fd; of them, sent back to disk */
    size_t len;
    char name[256];
    char *mem;                      /* memory writers (crm_out_new_mem): the output so far */
    size_t mem_len, mem_cap;
    int32_t date_day[DATE_CACHE];   /* recently formatted dates, direct-mapped by day */
    char date_text[DATE_CACHE][10];
    char buf[OUT_BUFSIZE];
};

static void write_all(struct crm_out *o, const char *p, size_t len);

static void flush(struct crm_out *o)
{
    if (o->fd < 0) {   /* a memory writer */
        if (o->mem_len + o->len > o->mem_cap && !o->err) {
            size_t cap = o->mem_cap ? o->mem_cap : OUT_BUFSIZE;
            while (cap < o->mem_len + o->len)
                cap *= 2;
            char *m = realloc(o->mem, cap);
            if (m) {
                o->mem = m;
                o->mem_cap = cap;
            } else {
                o->err = ENOMEM;
            }
        }
        if (!o->err && o->len) {   /* nothing written yet: mem may still be NULL */
            memcpy(o->mem + o->mem_len, o->buf, o->len);
            o->mem_len += o->len;
        }
        o->len = 0;
        return;
    }
    write_all(o, o->buf, o->len);
    o->len = 0;
}

static void write_all(struct crm_out *o, const char *p, size_t len)
{
    size_t off = 0;
    while (off < len && !o->err) {
        ssize_t n = write(o->fd, p + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->err = errno;
        } else {
            off += (size_t)n;
        }
    }
    o->written += (long long)off;
    if (o->behind)
        crm_afile_write_behind(o->fd, &o->behind_from, o->written);
}

void crm_out_write_behind(struct crm_out *o)
{
    o->behind = o->fd >= 0;
}

static void put(struct crm_out *o, const char *s, size_t n)
{
    if (o->err)
        return;
    if (n <= OUT_BUFSIZE - o->len) {   /* the usual case: a field that fits */
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        return;
    }
    if (o->fd >= 0 && n >= OUT_BUFSIZE) {   /* a block of rows: no copy through buf */
        flush(o);
        write_all(o, s, n);
        return;
    }
    while (n > 0) {
        if (o->len == OUT_BUFSIZE)
            flush(o);
        size_t room = OUT_BUFSIZE - o->len, k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

static inline void putc1(struct crm_out *o, char c)
{
    if (o->len == OUT_BUFSIZE)
        flush(o);
    o->buf[o->len++] = c;
}

/* Where the next `need` (<= 64) bytes go: formatters write there and add to len. After a
 * failure the bytes land in buf and are dropped by the next flush, as put drops them. */
static inline char *room(struct crm_out *o, size_t need)
{
    if (OUT_BUFSIZE - o->len < need)
        flush(o);
    return o->buf + o->len;
}

struct crm_out *crm_out_new(int fd, const char *name, unsigned flags)
{
    struct crm_out *o = malloc(sizeof *o);
    if (!o)
        return NULL;
    o->fd = fd;
    o->flags = flags;
    o->sep = (flags & CRM_OUT_TSV) ? '\t' : (flags & CRM_OUT_DECIMAL_COMMA) ? ';' : ',';
    o->point = (flags & CRM_OUT_DECIMAL_COMMA) ? ',' : '.';
    o->header = 0;
    o->x = NULL;
    o->col = 0;
    o->err = 0;
    o->behind = 0;
    o->written = o->behind_from = 0;
    o->len = 0;
    o->mem = NULL;
    o->mem_len = o->mem_cap = 0;
    for (unsigned k = 0; k < DATE_CACHE; k++)
        o->date_day[k] = (int32_t)k + 1;   /* belongs to another slot: never a hit */
    snprintf(o->name, sizeof o->name, "%s", name ? name : "stdout");
    if (flags & CRM_OUT_XLSX) {
        o->x = crm_xlsx_new("report");
        if (!o->x) {
            free(o);
            return NULL;
        }
    } else if (flags & CRM_OUT_BOM) {
        put(o, "\xEF\xBB\xBF", 3);
    }
    return o;
}

void crm_out_sheet(struct crm_out *o, const char *sheet)
{
    if (o->x)
        crm_xlsx_sheet(o->x, sheet);
}

const char *crm_out_scratch(const struct crm_out *o)
{
    return o->x ? crm_xlsx_scratch(o->x) : NULL;
}

void crm_out_free(struct crm_out *o)
{
    if (o) {
        free(o->mem);
        crm_xlsx_free(o->x);
    }
    free(o);
}

struct crm_out *crm_out_new_mem(unsigned flags)
{
    struct crm_out *o = crm_out_new(-1, "memory", flags & ~CRM_OUT_XLSX);
    if (o)
        o->len = 0;   /* no BOM: the bytes are meant for the middle of another output */
    return o;
}

const char *crm_out_mem(struct crm_out *o, size_t *len)
{
    flush(o);
    *len = o->err ? 0 : o->mem_len;
    return o->mem ? o->mem : "";
}

void crm_out_mem_clear(struct crm_out *o)
{
    o->len = o->mem_len = 0;
    o->col = 0;
}

/* XLSX: the finished workbook's bytes to fd. */
static void copy_workbook(struct crm_out *o)
{
    const char *path = crm_xlsx_finish(o->x);
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        o->err = path ? errno : ERR_XLSX;
        return;
    }
    char chunk[65536];
    size_t n;
    while (!o->err && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(o, chunk, n);
    if (ferror(f) && !o->err)
        o->err = EIO;
    fclose(f);
}

enum crm_err crm_out_close(struct crm_out *o, struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    if (!o)
        return CRM_OK;
    if (o->x && !crm_out_failed(o))
        copy_workbook(o);
    if (o->x && crm_xlsx_failed(o->x) && !o->err)
        o->err = ERR_XLSX;
    flush(o);
    free(o->mem);
    if (o->err == ERR_XLSX || o->err == ERR_RAW) {
        crm_errinfo_where(e, o->name, -1, -1, -1);
        rc = o->err == ERR_RAW
                 ? crm_errinfo_set(e, CRM_EUSAGE, "this output is not a table: it cannot be "
                                   "written as xlsx (use --format csv)")
                 : crm_errinfo_set(e, CRM_EIO, "%s", crm_xlsx_error(o->x));
    } else if (o->err == EPIPE) {
        rc = crm_errinfo_set(e, CRM_EPIPE, "broken pipe");
    } else if (o->err) {
        crm_errinfo_where(e, o->name, -1, -1, -1);
        rc = crm_errinfo_set(e, CRM_EIO, "write failed: %s", strerror(o->err));
    }
    crm_xlsx_free(o->x);
    free(o);
    return rc;
}

unsigned crm_out_flags(const struct crm_out *o)
{
    return o->flags;
}

int crm_out_failed(const struct crm_out *o)
{
    return o->err != 0 || (o->x && crm_xlsx_failed(o->x));
}

static void begin_field(struct crm_out *o)
{
    if (o->col++ > 0)
        putc1(o, o->sep);
}

/* OWASP "CSV injection": a spreadsheet reads these first characters as a formula. */
static int formula_like(const struct crm_out *o, const char *s, size_t len)
{
    return (o->flags & (CRM_OUT_BOM | CRM_OUT_ESCAPE | CRM_OUT_DECIMAL_COMMA)) && !o->header &&
           len > 0 &&
           (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
            s[0] == '\r');
}

void crm_out_str(struct crm_out *o, const char *s, size_t len)
{
    if (o->x) {
        if (o->header)
            crm_xlsx_header_cell(o->x, s, len);
        else
            crm_xlsx_text(o->x, s, len);
        return;
    }
    begin_field(o);
    if (o->err)
        return;
    int escape = formula_like(o, s, len);
    if (o->flags & CRM_OUT_TSV) {
        if (escape)
            putc1(o, '\'');
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
                put(o, s + start, i - start);
                putc1(o, ' ');
                start = i + 1;
            }
        }
        put(o, s + start, len - start);
        return;
    }
    /* the characters that need quotes (all below 64) as bits of one word: no branch a byte */
    uint64_t special = 1ULL << '"' | 1ULL << '\n' | 1ULL << '\r' | 1ULL << (o->sep & 63), quote = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        quote |= (special >> (c & 63)) & (c < 64);
    }
    if (!quote) {
        if (escape)
            putc1(o, '\'');
        put(o, s, len);
        return;
    }
    putc1(o, '"');
    if (escape)
        putc1(o, '\'');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') {
            put(o, s + start, i - start + 1);
            putc1(o, '"');
            start = i + 1;
        }
    }
    put(o, s + start, len - start);
    putc1(o, '"');
}

void crm_out_cstr(struct crm_out *o, const char *s)
{
    crm_out_str(o, s, strlen(s));
}

void crm_out_empty(struct crm_out *o)
{
    if (o->x)
        crm_xlsx_skip(o->x);
    else
        begin_field(o);
}

void crm_out_raw(struct crm_out *o, const char *s, size_t len)
{
    if (o->x && !o->err)
        o->err = ERR_RAW;
    put(o, s, len);
}

/* A formatted number's '.' as the writer's decimal point. */
static void put_number(struct crm_out *o, char *text, size_t n)
{
    if (o->point != '.')
        for (size_t i = 0; i < n; i++)
            if (text[i] == '.')
                text[i] = o->point;
    begin_field(o);
    put(o, text, n);
}

void crm_out_int(struct crm_out *o, long long v)
{
    if (o->x) {
        crm_xlsx_number(o->x, (double)v, -1);
        return;
    }
    /* by hand, two digits a step, straight into the buffer: snprintf was the largest cost
     * of printing a million rows */
    static const char pairs[] = "0001020304050607080910111213141516171819"
                                "2021222324252627282930313233343536373839"
                                "4041424344454647484950515253545556575859"
                                "6061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t digits = 1;
    for (unsigned long long t = u; t >= 10; t /= 10)
        digits++;
    begin_field(o);
    char *p = room(o, 24);
    size_t n = digits + (v < 0);
    if (v < 0)
        p[0] = '-';
    char *q = p + n;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        q -= 2;
        memcpy(q, pairs + 2 * r, 2);
    }
    if (u >= 10)
        memcpy(q - 2, pairs + 2 * u, 2);
    else
        q[-1] = (char)('0' + u);
    o->len += n;
}

static const double ten_pow[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

void crm_out_money(struct crm_out *o, int64_t minor, int scale)
{
    if (o->x) {
        double unit = scale >= 0 && scale <= 9 ? ten_pow[scale] : 1;
        crm_xlsx_number(o->x, (double)minor / unit, scale);
        return;
    }
    begin_field(o);
    char *p = room(o, 32);   /* at most 22 characters and the NUL */
    size_t n = crm_money_format(minor, scale, p);
    if (o->point != '.')
        for (size_t i = 0; i < n; i++)
            if (p[i] == '.')
                p[i] = o->point;
    o->len += n;
}

size_t crm_fmt_fixed(double v, int decimals, char *buf)
{
    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals <= 9 && fabs(v) * ten_pow[decimals] < 9e15) {
        /* Exact path: round to an integer of 10^-decimals units, then place the point. */
        return crm_money_format((int64_t)round(v * ten_pow[decimals]), decimals, buf);
    }
    /* Huge values: printf, then force '.' whatever LC_NUMERIC says. Past 63 characters
     * (|v| >= ~1e48) the fixed form cannot fit the buffer: scientific notation, which
     * reads back (a loglik of -1e300 printed 300 bytes of stack after a cut-off number). */
    int prec = decimals > 30 ? 30 : decimals;
    int n = snprintf(buf, 64, "%.*f", prec, v);
    if (n >= 64)
        n = snprintf(buf, 64, "%.*e", prec, v);
    for (int i = 0; i < n; i++)
        if (buf[i] == ',')
            buf[i] = '.';
    return (size_t)n;
}

void crm_out_fixed(struct crm_out *o, double v, int decimals)
{
    if (o->x) {   /* the value the CSV shows: rounded to `decimals`, never -0 */
        if (decimals >= 0 && decimals <= 9 && fabs(v) * ten_pow[decimals] < 9e15)
            v = round(v * ten_pow[decimals]) / ten_pow[decimals] + 0.0;
        crm_xlsx_number(o->x, v, decimals < 0 ? 0 : decimals);
        return;
    }
    char tmp[64];
    size_t n = crm_fmt_fixed(v, decimals, tmp);
    put_number(o, tmp, n);
}

void crm_out_date(struct crm_out *o, int32_t days)
{
    /* a cache: converting days to a civil date was a visible cost of a million rows */
    if (o->x) {
        crm_xlsx_date(o->x, days);
        return;
    }
    unsigned k = (unsigned)days % DATE_CACHE;
    begin_field(o);
    char *p = room(o, 16);
    if (o->date_day[k] == days) {
        memcpy(p, o->date_text[k], 10);
        o->len += 10;
        return;
    }
    size_t n = crm_date_format(days, p);
    if (n == 10) {
        o->date_day[k] = days;
        memcpy(o->date_text[k], p, 10);
    }
    o->len += n;
}

void crm_out_end_row(struct crm_out *o)
{
    if (o->x) {
        crm_xlsx_end_row(o->x);
        return;
    }
    if (o->flags & CRM_OUT_BOM)
        putc1(o, '\r');
    putc1(o, '\n');
    o->col = 0;
}

void crm_out_header(struct crm_out *o, const char *names)
{
    const char *p = names;
    o->header = 1;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        crm_out_str(o, p, n);
        if (!q)
            break;
        p = q + 1;
    }
    o->header = 0;
    crm_out_end_row(o);
}
