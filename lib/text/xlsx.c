/* xlsx: one typed worksheet through libxlsxwriter (see xlsx.h). Invariant: wb is NULL until
 * the first cell (so the sheet can still be renamed); row/col is where the next cell goes;
 * once `failed` is set nothing more reaches the workbook. */
#include "text/xlsx.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "text/timeparse.h"

#define MAX_DECIMALS 15
#define SIZED_COLS 256      /* columns whose width is fitted to their contents */
#define MAX_WIDTH 60.0
#define EXCEL_EPOCH 25569   /* serial number of 1970-01-01 (Excel's 1900 date system) */
#define FIRST_SERIAL 61     /* 1900-03-01: earlier serials meet Excel's 1900-02-29 bug */
#define SOURCE_EPOCH 315532800   /* 1980-01-01T00:00:00Z, the zip format's first moment */

struct crm_xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *date, *fixed[MAX_DECIMALS + 1];
    uint32_t row;           /* the row being written */
    uint16_t col;           /* the next cell's column */
    uint16_t ncols;         /* widest row so far */
    int header;             /* row 0 is a header */
    int failed;
    double width[SIZED_COLS];
    char sheet[32];
    char scratch[PATH_MAX];
    char *tmp;              /* NUL-terminated copy of a text cell */
    size_t tmp_cap;
    char msg[320];
};

static void check(struct crm_xlsx *x, lxw_error err);

static void fail(struct crm_xlsx *x, const char *fmt, const char *arg)
{
    if (x->failed)
        return;
    x->failed = 1;
    snprintf(x->msg, sizeof x->msg, fmt, arg);
}

static const char *tmp_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

struct crm_xlsx *crm_xlsx_new(const char *sheet)
{
    struct crm_xlsx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    crm_xlsx_sheet(x, sheet);
    int n = snprintf(x->scratch, sizeof x->scratch, "%s/crmkit-xlsx-XXXXXX", tmp_dir());
    int fd = n > 0 && (size_t)n < sizeof x->scratch ? mkstemp(x->scratch) : -1;
    if (fd < 0) {
        x->scratch[0] = '\0';
        fail(x, "cannot make a scratch file for the workbook in %s (set TMPDIR to a "
                "writable directory)", tmp_dir());
    } else {
        close(fd);
    }
    return x;
}

void crm_xlsx_sheet(struct crm_xlsx *x, const char *sheet)
{
    if (x->wb)
        return;
    size_t n = 0;
    for (const char *p = sheet ? sheet : ""; *p && n < 31; p++)   /* Excel's name rules */
        x->sheet[n++] = strchr("[]:*?/\\", *p) ? '-' : *p;
    x->sheet[n] = '\0';
    if (n == 0)
        snprintf(x->sheet, sizeof x->sheet, "report");
}

/* The workbook, made at the first cell (the sheet is named by then): sheet and formats. */
static int ensure(struct crm_xlsx *x)
{
    if (x->wb || x->failed)
        return !x->failed;
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL,
                                .use_zip64 = LXW_FALSE};
    if (getenv("TMPDIR") && *getenv("TMPDIR"))
        opt.tmpdir = getenv("TMPDIR");
    x->wb = workbook_new_opt(x->scratch, &opt);
    x->ws = x->wb ? workbook_add_worksheet(x->wb, x->sheet) : NULL;
    x->bold = x->wb ? workbook_add_format(x->wb) : NULL;
    x->date = x->wb ? workbook_add_format(x->wb) : NULL;
    if (!x->ws || !x->bold || !x->date) {
        fail(x, "%s: out of memory starting the workbook", "xlsx");
        return 0;
    }
    format_set_bold(x->bold);
    format_set_num_format(x->date, "yyyy-mm-dd");
    /* Same input, same bytes (SPEC §2): the creation time is fixed like the zip entries'
     * 1980-01-01, not the clock's. */
    lxw_doc_properties props = {.title = x->sheet, .author = "crmkit",
                                .created = SOURCE_EPOCH};
    check(x, workbook_set_properties(x->wb, &props));
    return !x->failed;
}

static lxw_format *fixed_format(struct crm_xlsx *x, int decimals)
{
    if (decimals < 0)
        return NULL;
    if (decimals > MAX_DECIMALS)
        decimals = MAX_DECIMALS;
    if (!x->fixed[decimals]) {
        char pattern[MAX_DECIMALS + 3] = "0.";
        memset(pattern + 2, '0', (size_t)decimals);
        pattern[decimals ? 2 + decimals : 1] = '\0';
        x->fixed[decimals] = workbook_add_format(x->wb);
        if (x->fixed[decimals])
            format_set_num_format(x->fixed[decimals], pattern);
    }
    return x->fixed[decimals];
}

/* Room for the next cell; 0 (and a latched error) past what a sheet holds. */
static int cell(struct crm_xlsx *x)
{
    if (!ensure(x))
        return 0;
    if (x->row >= LXW_ROW_MAX) {
        fail(x, "more than 1048576 rows: a spreadsheet cannot hold them; write %s instead",
             "CSV (--format csv) or split the report");
        return 0;
    }
    if (x->col >= LXW_COL_MAX) {
        fail(x, "more than 16384 columns: a spreadsheet cannot hold them; write %s instead",
             "CSV (--format csv)");
        return 0;
    }
    return 1;
}

static void check(struct crm_xlsx *x, lxw_error err)
{
    if (err != LXW_NO_ERROR)
        fail(x, "writing the workbook: %s", lxw_strerror(err));
}

static void fit(struct crm_xlsx *x, double w)
{
    if (x->col < SIZED_COLS && w > x->width[x->col])
        x->width[x->col] = w;
    x->col++;
    if (x->col > x->ncols)
        x->ncols = x->col;
}

/* How wide text looks: one per character, two for CJK and other wide characters. */
static double text_width(const char *s, size_t len)
{
    double w = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80 || b >= 0xC0)
            w += b >= 0xE1 ? 2 : 1;
    }
    return w;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t k = p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
             : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    if (k == 0 || k > n)
        return 0;
    unsigned char lo = p[0] == 0xE0 ? 0xA0 : p[0] == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = p[0] == 0xED ? 0x9F : p[0] == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return k;
}

const char *crm_xlsx_cell_text(struct crm_xlsx *x, const char *s, size_t len)
{
    if (4 * len >= x->tmp_cap) {   /* room for every byte written \xNN */
        char *t = realloc(x->tmp, 4 * len + 1);
        if (!t) {
            fail(x, "%s: out of memory", "xlsx");
            return NULL;
        }
        x->tmp = t;
        x->tmp_cap = 4 * len + 1;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0, k; i < len; i += k) {
        k = utf8_seq(p + i, len - i);
        if (k == 0) {   /* XML holds only characters: a stray byte is shown, not dropped */
            o += (size_t)snprintf(x->tmp + o, 5, "\\x%02X", p[i]);
            k = 1;
        } else {
            memcpy(x->tmp + o, p + i, k);
            o += k;
        }
    }
    x->tmp[o] = '\0';
    return x->tmp;
}

static void text_cell(struct crm_xlsx *x, const char *s, size_t len, lxw_format *f)
{
    if (!cell(x))
        return;
    const char *text = crm_xlsx_cell_text(x, s, len);
    if (text && *text) {   /* worksheet_write_string: a string cell, never a formula */
        lxw_error err = worksheet_write_string(x->ws, x->row, x->col, text, f);
        if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
            fail(x, "a text longer than 32767 characters: a spreadsheet cell cannot hold it; "
                    "write %s instead", "CSV (--format csv)");
        check(x, err);
    }
    fit(x, text_width(s, len) + (f == x->bold ? 4 : 0));   /* header: room for the filter */
}

void crm_xlsx_text(struct crm_xlsx *x, const char *s, size_t len)
{
    text_cell(x, s, len, NULL);
}

void crm_xlsx_header_cell(struct crm_xlsx *x, const char *s, size_t len)
{
    x->header = 1;
    if (ensure(x))
        text_cell(x, s, len, x->bold);
}

static double digits(double v)
{
    double n = 1;
    for (double a = fabs(v); a >= 10 && n < 20; a /= 10)
        n++;
    return n;
}

void crm_xlsx_number(struct crm_xlsx *x, double v, int decimals)
{
    if (!isfinite(v)) {
        crm_xlsx_skip(x);
        return;
    }
    if (!cell(x))
        return;
    lxw_format *f = fixed_format(x, decimals);
    check(x, worksheet_write_number(x->ws, x->row, x->col, v, f));
    fit(x, digits(v) + (v < 0) + (decimals > 0 ? decimals + 1 : 0));
}

void crm_xlsx_date(struct crm_xlsx *x, int32_t days)
{
    double serial = (double)days + EXCEL_EPOCH;
    if (serial < FIRST_SERIAL) {   /* before 1900-03-01: no date cell shows it right */
        char d[16];
        size_t n = crm_date_format(days, d);
        crm_xlsx_text(x, d, n);
        return;
    }
    if (!cell(x))
        return;
    check(x, worksheet_write_number(x->ws, x->row, x->col, serial, x->date));
    fit(x, 10);
}

void crm_xlsx_skip(struct crm_xlsx *x)
{
    if (x->col < LXW_COL_MAX)
        fit(x, 0);
}

void crm_xlsx_end_row(struct crm_xlsx *x)
{
    x->row++;
    x->col = 0;
}

int crm_xlsx_failed(const struct crm_xlsx *x)
{
    return x->failed;
}

const char *crm_xlsx_error(const struct crm_xlsx *x)
{
    return x->msg;
}

const char *crm_xlsx_finish(struct crm_xlsx *x)
{
    if (!ensure(x))
        return NULL;
    for (uint16_t c = 0; c < x->ncols && c < SIZED_COLS; c++) {
        double w = x->width[c] + 2;
        check(x, worksheet_set_column(x->ws, c, c, w > MAX_WIDTH ? MAX_WIDTH : w, NULL));
    }
    if (x->header && x->ncols > 0) {
        worksheet_freeze_panes(x->ws, 1, 0);
        lxw_row_t last = x->row > 0 ? x->row - 1 : 0;
        check(x, worksheet_autofilter(x->ws, 0, 0, last, (lxw_col_t)(x->ncols - 1)));
    }
    lxw_workbook *wb = x->wb;
    x->wb = NULL;
    x->ws = NULL;
    if (x->failed) {
        lxw_workbook_free(wb);
        return NULL;
    }
    errno = 0;
    lxw_error err = workbook_close(wb);
    if (err != LXW_NO_ERROR) {
        char why[160];
        snprintf(why, sizeof why, "%s%s%s", lxw_strerror(err), errno ? ": " : "",
                 errno ? strerror(errno) : "");
        fail(x, "writing the workbook: %s", why);
        return NULL;
    }
    return x->scratch;
}

const char *crm_xlsx_scratch(const struct crm_xlsx *x)
{
    return x && x->scratch[0] ? x->scratch : NULL;
}

void crm_xlsx_free(struct crm_xlsx *x)
{
    if (!x)
        return;
    if (x->wb)   /* abandoned before finish: nothing is written */
        lxw_workbook_free(x->wb);
    if (x->scratch[0])
        unlink(x->scratch);
    free(x->tmp);
    free(x);
}
