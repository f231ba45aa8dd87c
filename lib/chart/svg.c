/* svg: retained chart elements rendered to one self-contained SVG document (see svg.h).
 * Invariant: everything written goes through put_text (escaped, valid UTF-8) or
 * put_num (our own '.'-decimal formatter), so the output is well-formed and identical
 * under any locale. */
#include "chart/svg.h"

#include "text/money.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- text buffer ---------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void put_n(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 8192;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

/* ---- numbers ---------------------------------------------------------------------------- */

static const double scale10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Fixed-point text of v: `decimals` digits, thousands grouped with ',' when group,
 * trailing fractional zeros dropped when trim. buf needs 48 bytes. */
static size_t fmt(double v, int decimals, int group, int trim, char *buf)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!isfinite(v))
        v = 0;
    const double cap = 9e18 / scale10[decimals];
    if (v > cap)
        v = cap;
    if (v < -cap)
        v = -cap;
    const long long r = llround(v * scale10[decimals]);
    size_t n = group ? crm_money_format_grouped(r, decimals, buf) : crm_money_format(r, decimals, buf);
    if (decimals && trim) {
        while (buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.')
            n--;
    }
    buf[n] = '\0';
    return n;
}

size_t crm_svg_format_number(double v, int decimals, char *buf)
{
    return fmt(v, decimals, 0, 0, buf);
}

/* A coordinate: two decimals are finer than any screen. */
static void put_num(struct buf *b, double v)
{
    char t[48];
    put_n(b, t, fmt(v, 2, 0, 1, t));
}

/* ` name="v"` */
static void attr(struct buf *b, const char *name, double v)
{
    put(b, " ");
    put(b, name);
    put(b, "=\"");
    put_num(b, v);
    put(b, "\"");
}

/* ---- text --------------------------------------------------------------------------------- */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Length of the valid UTF-8 sequence at p that XML 1.0 allows, or 0. *bad_len is how
 * many bytes to replace otherwise (the lead byte and the continuations that fit). */
static size_t utf8_char(const unsigned char *p, uint32_t *cp, size_t *bad_len)
{
    unsigned c = p[0];
    size_t len = 0;
    uint32_t v;
    if (c < 0x80) {
        len = 1;
        v = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        *bad_len = 1;
        return 0;
    }
    size_t i = 1;
    for (; i < len && (p[i] & 0xC0) == 0x80; i++)
        v = v << 6 | (p[i] & 0x3Fu);
    *bad_len = i;
    if (i < len || (len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF ||
        (v < 0x20 && v != '\t' && v != '\n' && v != '\r'))
        return 0;
    *cp = v;
    return len;
}

/* Text for element content or an attribute value. */
static void put_text(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp = 0;
        size_t bad, len = utf8_char(p, &cp, &bad);
        if (!len) {
            put(b, REPLACEMENT);
            p += bad;
            continue;
        }
        switch (cp) {
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '&': put(b, "&amp;"); break;
        case '"': put(b, "&quot;"); break;
        case '\'': put(b, "&apos;"); break;
        default: put_n(b, (const char *)p, len);
        }
        p += len;
    }
}

/* Rough advance width of s at font size px, for layout only; generous (DejaVu Sans, a
 * common sans-serif, is wide) so that labels do not collide: digits 0.64 em, Latin
 * 0.6–0.72 em, CJK and other wide scripts 1 em. */
static double text_width(const char *s, double size)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        if (*p >= 0xE1)
            w += 1.0;
        else if (*p >= 0x80)
            w += 0.65;
        else if (*p >= 'A' && *p <= 'Z')
            w += 0.72;
        else if (*p >= '0' && *p <= '9')
            w += 0.64;
        else if (strchr(" .,:;'!|iljtf()[]", *p))
            w += 0.36;
        else
            w += 0.6;
    }
    return w * size;
}

/* ---- the chart model ---------------------------------------------------------------------- */

enum kind { K_BARS, K_AREA, K_LINE, K_HLINE, K_VLINE, K_BAND, K_POINT };

struct item {
    enum kind kind;
    enum crm_svg_axis axis;
    unsigned flags;
    char *name, *label;
    char color[8];
    double *x, *x1, *y; /* series data; bars run from x[i] to x1[i] */
    size_t n;
    double a, b, c; /* annotations: hline y = a; vline x = a; band a..b; point (a, b) */
};

struct axis {
    int set, used, from_data;
    double lo, hi, step;
    double data_lo, data_hi; /* the range before widening to nice ticks */
    unsigned flags;
    char *label;
};

struct crm_svg {
    double w, h;
    char *title, *subtitle;
    struct axis ax[3];
    struct item *items;
    size_t nitems, cap;
    unsigned palette_next;
    enum crm_err rc;
    char msg[160];
    struct buf out;
};

static const char *const palette[] = {"#4472c4", "#ed7d31", "#70ad47",
                                      "#ffc000", "#5b9bd5", "#7f7f7f"};

struct crm_svg *crm_svg_new(double width, double height, const char *title)
{
    struct crm_svg *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->w = width > 0 ? width : 960;
    s->h = height > 0 ? height : 540;
    if (title && !(s->title = strdup(title))) {
        free(s);
        return NULL;
    }
    return s;
}

void crm_svg_free(struct crm_svg *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nitems; i++) {
        struct item *it = &s->items[i];
        free(it->name);
        free(it->label);
        free(it->x);
        free(it->x1);
        free(it->y);
    }
    for (int a = 0; a < 3; a++)
        free(s->ax[a].label);
    free(s->items);
    free(s->title);
    free(s->subtitle);
    free(s->out.p);
    free(s);
}

static enum crm_err fail(struct crm_svg *s, enum crm_err rc, const char *what)
{
    if (s->rc == CRM_OK) {
        s->rc = rc;
        snprintf(s->msg, sizeof s->msg, "svg: %s", what);
    }
    return s->rc;
}

static int dup_str(struct crm_svg *s, char **dst, const char *src)
{
    free(*dst);
    *dst = NULL;
    if (src && !(*dst = strdup(src))) {
        fail(s, CRM_ENOMEM, "out of memory");
        return -1;
    }
    return 0;
}

static int dup_doubles(struct crm_svg *s, double **dst, const double *src, size_t n)
{
    *dst = NULL;
    if (!src || n == 0)
        return 0;
    if (!(*dst = malloc(n * sizeof **dst))) {
        fail(s, CRM_ENOMEM, "out of memory");
        return -1;
    }
    memcpy(*dst, src, n * sizeof **dst);
    return 0;
}

/* "#rgb" or "#rrggbb", or the next palette colour when NULL. */
static int set_color(struct crm_svg *s, char out[8], const char *color)
{
    if (!color) {
        color = palette[s->palette_next++ % (sizeof palette / sizeof *palette)];
    } else {
        size_t n = strlen(color), i = 1;
        while (i < n && strchr("0123456789abcdefABCDEF", color[i]))
            i++;
        if (color[0] != '#' || i != n || (n != 4 && n != 7)) {
            fail(s, CRM_EUSAGE, "a colour must be #rgb or #rrggbb");
            return -1;
        }
    }
    memcpy(out, color, strlen(color) + 1);
    return 0;
}

static struct item *add(struct crm_svg *s, enum kind kind, enum crm_svg_axis axis,
                        const char *color)
{
    if (s->rc != CRM_OK)
        return NULL;
    if (axis != CRM_SVG_Y && axis != CRM_SVG_Y2 && kind != K_VLINE && kind != K_BAND) {
        fail(s, CRM_EUSAGE, "a series needs the Y or Y2 axis");
        return NULL;
    }
    if (s->nitems == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct item *p = realloc(s->items, cap * sizeof *p);
        if (!p) {
            fail(s, CRM_ENOMEM, "out of memory");
            return NULL;
        }
        s->items = p;
        s->cap = cap;
    }
    struct item *it = &s->items[s->nitems];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->axis = axis;
    if (set_color(s, it->color, color) != 0)
        return NULL;
    s->nitems++;
    if (kind != K_VLINE && kind != K_BAND)
        s->ax[axis].used = 1;
    return it;
}

enum crm_err crm_svg_subtitle(struct crm_svg *s, const char *text)
{
    dup_str(s, &s->subtitle, text);
    return s->rc;
}

enum crm_err crm_svg_axis(struct crm_svg *s, enum crm_svg_axis which, double lo, double hi,
                          const char *label, unsigned flags)
{
    const int from_data = isnan(lo) && isnan(hi);
    if ((unsigned)which > CRM_SVG_X ||
        (!from_data && !(isfinite(lo) && isfinite(hi) && lo < hi)))
        return fail(s, CRM_EUSAGE, "an axis needs finite lo < hi (or both NaN)");
    struct axis *a = &s->ax[which];
    a->set = !from_data;
    a->from_data = from_data;
    a->lo = lo;
    a->hi = hi;
    a->flags = flags;
    dup_str(s, &a->label, label);
    return s->rc;
}

static enum crm_err series(struct crm_svg *s, enum kind kind, const double *x0,
                           const double *x1, const double *y, size_t n,
                           const struct crm_svg_style *style)
{
    static const struct crm_svg_style plain = {CRM_SVG_Y, NULL, NULL, 0};
    if (!style)
        style = &plain;
    if (n && (!x0 || !y || (kind == K_BARS && !x1)))
        return fail(s, CRM_EUSAGE, "series data missing");
    struct item *it = add(s, kind, style->axis, style->color);
    if (!it)
        return s->rc;
    it->flags = style->flags;
    it->n = n;
    if (dup_str(s, &it->name, style->name) || dup_doubles(s, &it->x, x0, n) ||
        dup_doubles(s, &it->y, y, n) || (x1 && dup_doubles(s, &it->x1, x1, n)))
        return s->rc;
    return CRM_OK;
}

enum crm_err crm_svg_bars(struct crm_svg *s, const double *x0, const double *x1,
                          const double *y, size_t n, const struct crm_svg_style *style)
{
    return series(s, K_BARS, x0, x1, y, n, style);
}

enum crm_err crm_svg_area(struct crm_svg *s, const double *x, const double *y, size_t n,
                          const struct crm_svg_style *style)
{
    return series(s, K_AREA, x, NULL, y, n, style);
}

enum crm_err crm_svg_line(struct crm_svg *s, const double *x, const double *y, size_t n,
                          const struct crm_svg_style *style)
{
    return series(s, K_LINE, x, NULL, y, n, style);
}

static enum crm_err note(struct crm_svg *s, enum kind kind, enum crm_svg_axis axis, double a,
                         double b, const char *label, const char *color)
{
    if (!isfinite(a) || !isfinite(b))
        return fail(s, CRM_EUSAGE, "an annotation needs finite coordinates");
    struct item *it = add(s, kind, axis, color);
    if (!it)
        return s->rc;
    it->a = a;
    it->b = b;
    dup_str(s, &it->label, label);
    return s->rc;
}

enum crm_err crm_svg_hline(struct crm_svg *s, enum crm_svg_axis axis, double y,
                           const char *label, const char *color)
{
    return note(s, K_HLINE, axis, y, 0, label, color ? color : "#c00000");
}

enum crm_err crm_svg_vline(struct crm_svg *s, double x, const char *label, const char *color)
{
    return note(s, K_VLINE, CRM_SVG_X, x, 0, label, color ? color : "#595959");
}

enum crm_err crm_svg_band(struct crm_svg *s, double x0, double x1, const char *label,
                          const char *color)
{
    return note(s, K_BAND, CRM_SVG_X, x0, x1, label, color ? color : "#a5a5a5");
}

enum crm_err crm_svg_point(struct crm_svg *s, enum crm_svg_axis axis, double x, double y,
                           const char *label, const char *color)
{
    return note(s, K_POINT, axis, x, y, label, color ? color : "#c00000");
}

/* ---- axes ---------------------------------------------------------------------------------- */

/* The smallest 1, 2 or 5 × 10^k that is >= raw. */
static double nice_up(double raw)
{
    if (!(raw > 0) || !isfinite(raw))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10) * mag;
}

/* Decimals that show every multiple of step exactly. */
static int step_decimals(double step)
{
    int d = 0;
    while (d < 9) {
        double v = step * scale10[d];
        if (fabs(v - round(v)) <= 1e-6 * v)
            break;
        d++;
    }
    return d;
}

/* Range of the data drawn against an axis. */
static void data_range(const struct crm_svg *s, enum crm_svg_axis which, double *lo, double *hi)
{
    double mn = INFINITY, mx = -INFINITY;
#define SEE(v)                                                                                 \
    do {                                                                                       \
        double see_ = (v);                                                                     \
        if (isfinite(see_)) {                                                                  \
            mn = see_ < mn ? see_ : mn;                                                        \
            mx = see_ > mx ? see_ : mx;                                                        \
        }                                                                                      \
    } while (0)
    for (size_t i = 0; i < s->nitems; i++) {
        const struct item *it = &s->items[i];
        if (which == CRM_SVG_X) {
            for (size_t j = 0; j < it->n; j++) {
                SEE(it->x[j]);
                if (it->x1)
                    SEE(it->x1[j]);
            }
            if (it->kind == K_VLINE || it->kind == K_BAND || it->kind == K_POINT)
                SEE(it->a);
            if (it->kind == K_BAND)
                SEE(it->b);
        } else if (it->axis == which) {
            for (size_t j = 0; j < it->n; j++)
                SEE(it->y[j]);
            if (it->kind == K_HLINE)
                SEE(it->a);
            if (it->kind == K_POINT)
                SEE(it->b);
        }
    }
#undef SEE
    if (which != CRM_SVG_X) { /* value axes start at 0 */
        mn = mn < 0 ? mn : 0;
        mx = mx > 0 ? mx : 0;
    }
    if (!(mn <= mx)) {
        mn = 0;
        mx = 1;
    }
    if (mn == mx)
        mx = mn + (mn == 0 ? 1 : fabs(mn));
    *lo = mn;
    *hi = mx;
}

/* Fix an axis's range and tick step for about `target` intervals. */
static void finish_axis(const struct crm_svg *s, enum crm_svg_axis which, struct axis *a,
                        double target)
{
    if (!a->set) {
        if (which == CRM_SVG_Y2 && !a->from_data) {
            a->lo = 0;
            a->hi = 1;
            a->flags |= CRM_SVG_PERCENT;
        } else {
            data_range(s, which, &a->lo, &a->hi);
        }
    }
    a->data_lo = a->lo;
    a->data_hi = a->hi;
    a->step = nice_up((a->hi - a->lo) / target);
    if (!(a->flags & CRM_SVG_EXACT)) {
        a->lo = floor(a->lo / a->step + 1e-9) * a->step;
        a->hi = ceil(a->hi / a->step - 1e-9) * a->step;
    }
}

/* The smallest m × 10^k >= raw, m in 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8: the finer series
 * used when Y must fit a given number of intervals. With 1-2-5 alone, data just above a
 * step (52,000 on five intervals) would be drawn in half the height (0..100,000); with
 * this series the data always fill at least 75 % of it (0..60,000). */
static double nice_up_fine(double raw)
{
    static const double m[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    if (!(raw > 0) || !isfinite(raw))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    size_t i = 0;
    while (i + 1 < sizeof m / sizeof *m && f > m[i] + 1e-9)
        i++;
    return m[i] * mag;
}

/* Y gets Y2's number of intervals so one set of grid lines serves both. */
static void align_y(struct axis *y, const struct axis *y2)
{
    double k = round((y2->hi - y2->lo) / y2->step);
    if ((y->flags | y2->flags) & CRM_SVG_EXACT || k < 1)
        return;
    double lo = y->data_lo, hi = y->data_hi, step = nice_up_fine((hi - lo) / k), first = lo;
    for (int guard = 0; guard < 64; guard++) {
        first = floor(lo / step + 1e-9) * step;
        if (first + k * step >= hi - 1e-9 * step)
            break;
        step = nice_up_fine(step * 1.01);
    }
    y->lo = first;
    y->hi = first + k * step;
    y->step = step;
}

/* Tick label: percent, or grouped digits with M/B for big ranges. */
static void tick_label(const struct axis *a, double v, char *buf)
{
    if (a->flags & CRM_SVG_PERCENT) {
        size_t n = fmt(v * 100, step_decimals(a->step * 100), 0, 0, buf);
        memcpy(buf + n, "%", 2);
        return;
    }
    double big = fmax(fabs(a->lo), fabs(a->hi)), unit = 1;
    const char *suffix = "";
    if (big >= 1e10) {
        unit = 1e9;
        suffix = "B";
    } else if (big >= 1e7) {
        unit = 1e6;
        suffix = "M";
    }
    size_t n = fmt(v / unit, step_decimals(a->step / unit), 1, 0, buf);
    memcpy(buf + n, suffix, strlen(suffix) + 1);
}

/* Number of ticks and the first one. */
static size_t ticks(const struct axis *a, double *first)
{
    *first = ceil(a->lo / a->step - 1e-9) * a->step;
    double n = floor((a->hi - *first) / a->step + 1e-9) + 1;
    return n > 0 && n < 1000 ? (size_t)n : 0;
}

static double widest_tick(const struct axis *a)
{
    double first, w = 0;
    size_t n = ticks(a, &first);
    for (size_t i = 0; i < n; i++) {
        char t[64];
        tick_label(a, first + (double)i * a->step, t);
        w = fmax(w, text_width(t, 12));
    }
    return w;
}

/* ---- rendering ------------------------------------------------------------------------------- */

struct frame {
    double left, right, top, bottom; /* plot area in px */
    double title_y, subtitle_y, legend_y;
    const struct axis *ax;
};

static double px_x(const struct frame *f, double v)
{
    const struct axis *a = &f->ax[CRM_SVG_X];
    return f->left + (v - a->lo) / (a->hi - a->lo) * (f->right - f->left);
}

static double px_y(const struct frame *f, enum crm_svg_axis which, double v)
{
    const struct axis *a = &f->ax[which];
    return f->bottom - (v - a->lo) / (a->hi - a->lo) * (f->bottom - f->top);
}

/* <text x y [anchor] [extra]>escaped</text> */
static void text(struct buf *b, double x, double y, const char *anchor, const char *extra,
                 const char *s)
{
    put(b, "<text");
    attr(b, "x", x);
    attr(b, "y", y);
    if (anchor) {
        put(b, " text-anchor=\"");
        put(b, anchor);
        put(b, "\"");
    }
    if (extra) {
        put(b, " ");
        put(b, extra);
    }
    put(b, ">");
    put_text(b, s);
    put(b, "</text>\n");
}

static void open_elem(struct buf *b, const char *name, const char *color, const char *paint)
{
    put(b, "<");
    put(b, name);
    put(b, " ");
    put(b, paint);
    put(b, "=\"");
    put(b, color);
    put(b, "\"");
}

static void draw_bars(struct buf *b, const struct frame *f, const struct item *it)
{
    const struct axis *a = &f->ax[it->axis];
    double base = px_y(f, it->axis, a->lo > 0 ? a->lo : a->hi < 0 ? a->hi : 0);
    open_elem(b, "g", it->color, "fill");
    put(b, " shape-rendering=\"crispEdges\">\n");
    for (size_t i = 0; i < it->n; i++) {
        if (!isfinite(it->x[i]) || !isfinite(it->x1[i]) || !isfinite(it->y[i]))
            continue;
        double x0 = px_x(f, fmin(it->x[i], it->x1[i])), x1 = px_x(f, fmax(it->x[i], it->x1[i]));
        double y = px_y(f, it->axis, it->y[i]), w = x1 - x0;
        double gap = w > 8 ? fmin(0.15 * w, 12) : 0;
        put(b, "<rect");
        attr(b, "x", x0 + gap / 2);
        attr(b, "y", fmin(y, base));
        attr(b, "width", w - gap);
        attr(b, "height", fabs(base - y));
        put(b, "/>\n");
    }
    put(b, "</g>\n");
}

/* Polyline pieces between non-finite points. */
static void draw_line(struct buf *b, const struct frame *f, const struct item *it)
{
    for (size_t i = 0; i < it->n;) {
        while (i < it->n && !(isfinite(it->x[i]) && isfinite(it->y[i])))
            i++;
        size_t j = i;
        while (j < it->n && isfinite(it->x[j]) && isfinite(it->y[j]))
            j++;
        if (j > i) {
            open_elem(b, "polyline", it->color, "stroke");
            put(b, " fill=\"none\" stroke-width=\"2.5\" stroke-linejoin=\"round\""
                   " stroke-linecap=\"round\"");
            if (it->flags & CRM_SVG_DASHED)
                put(b, " stroke-dasharray=\"8 5\"");
            put(b, " points=\"");
            for (size_t k = i; k < j; k++) {
                if (k > i)
                    put(b, " ");
                put_num(b, px_x(f, it->x[k]));
                put(b, ",");
                put_num(b, px_y(f, it->axis, it->y[k]));
            }
            put(b, "\"/>\n");
        }
        i = j;
    }
    if (!(it->flags & CRM_SVG_MARKERS))
        return;
    open_elem(b, "g", it->color, "fill");
    put(b, " stroke=\"#ffffff\" stroke-width=\"1.5\">\n");
    for (size_t k = 0; k < it->n; k++) {
        if (!isfinite(it->x[k]) || !isfinite(it->y[k]))
            continue;
        put(b, "<circle");
        attr(b, "cx", px_x(f, it->x[k]));
        attr(b, "cy", px_y(f, it->axis, it->y[k]));
        put(b, " r=\"3.5\"/>\n");
    }
    put(b, "</g>\n");
}

static void draw_area(struct buf *b, const struct frame *f, const struct item *it)
{
    const struct axis *a = &f->ax[it->axis];
    double base = px_y(f, it->axis, a->lo > 0 ? a->lo : a->hi < 0 ? a->hi : 0);
    size_t first = 0, last = 0, seen = 0;
    for (size_t k = 0; k < it->n; k++)
        if (isfinite(it->x[k]) && isfinite(it->y[k])) {
            first = seen++ ? first : k;
            last = k;
        }
    if (seen < 2)
        return;
    open_elem(b, "polygon", it->color, "fill");
    put(b, " fill-opacity=\"0.35\" points=\"");
    put_num(b, px_x(f, it->x[first]));
    put(b, ",");
    put_num(b, base);
    for (size_t k = first; k <= last; k++) {
        if (!isfinite(it->x[k]) || !isfinite(it->y[k]))
            continue;
        put(b, " ");
        put_num(b, px_x(f, it->x[k]));
        put(b, ",");
        put_num(b, px_y(f, it->axis, it->y[k]));
    }
    put(b, " ");
    put_num(b, px_x(f, it->x[last]));
    put(b, ",");
    put_num(b, base);
    put(b, "\"/>\n");
    draw_line(b, f, it);
}

#define HALO "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\""

static void draw_note(struct buf *b, const struct frame *f, const struct item *it)
{
    char extra[96];
    snprintf(extra, sizeof extra, "fill=\"%s\" font-weight=\"bold\" %s", it->color, HALO);
    const int right_side = it->kind != K_HLINE && px_x(f, it->a) > f->left + 0.7 * (f->right -
                                                                                   f->left);
    switch (it->kind) {
    case K_HLINE: {
        double y = px_y(f, it->axis, it->a);
        open_elem(b, "line", it->color, "stroke");
        put(b, " stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
        attr(b, "x1", f->left);
        attr(b, "y1", y);
        attr(b, "x2", f->right);
        attr(b, "y2", y);
        put(b, "/>\n");
        if (it->label)
            text(b, f->right - 6, y - 6, "end", extra, it->label);
        break;
    }
    case K_VLINE: {
        double x = px_x(f, it->a);
        open_elem(b, "line", it->color, "stroke");
        put(b, " stroke-width=\"1.5\" stroke-dasharray=\"4 4\"");
        attr(b, "x1", x);
        attr(b, "y1", f->top);
        attr(b, "x2", x);
        attr(b, "y2", f->bottom);
        put(b, "/>\n");
        if (it->label)
            text(b, right_side ? x - 6 : x + 6, f->top + 14, right_side ? "end" : "start",
                 extra, it->label);
        break;
    }
    case K_BAND: {
        double x0 = px_x(f, fmin(it->a, it->b)), x1 = px_x(f, fmax(it->a, it->b));
        open_elem(b, "rect", it->color, "fill");
        put(b, " fill-opacity=\"0.12\"");
        attr(b, "x", x0);
        attr(b, "y", f->top);
        attr(b, "width", x1 - x0);
        attr(b, "height", f->bottom - f->top);
        put(b, "/>\n");
        break;
    }
    case K_POINT: {
        double x = px_x(f, it->a), y = px_y(f, it->axis, it->b);
        open_elem(b, "circle", it->color, "fill");
        put(b, " stroke=\"#ffffff\" stroke-width=\"2\"");
        attr(b, "cx", x);
        attr(b, "cy", y);
        put(b, " r=\"5.5\"/>\n");
        if (it->label)
            text(b, right_side ? x - 10 : x + 10, y + 18, right_side ? "end" : "start", extra,
                 it->label);
        break;
    }
    default:
        break;
    }
}

/* A band's label goes over the series, centred at the top, when it fits. */
static void draw_band_label(struct buf *b, const struct frame *f, const struct item *it)
{
    double x0 = px_x(f, fmin(it->a, it->b)), x1 = px_x(f, fmax(it->a, it->b));
    x0 = fmax(x0, f->left);
    x1 = fmin(x1, f->right);
    if (it->label && x1 - x0 >= text_width(it->label, 12) + 4)
        text(b, (x0 + x1) / 2, f->top + 16, "middle",
             "fill=\"#404040\" font-weight=\"bold\" " HALO, it->label);
}

static void draw_axis_titles(struct buf *b, const struct frame *f);

/* Tick labels on every shown axis, the x baseline with its tick marks, the titles. */
static void draw_axes(struct buf *b, const struct frame *f)
{
    char t[64];
    double first;
    const struct axis *x = &f->ax[CRM_SVG_X];
    size_t n = ticks(x, &first);
    put(b, "<g fill=\"#595959\">\n");
    for (size_t i = 0; i < n; i++) {
        double v = first + (double)i * x->step, px = px_x(f, v);
        tick_label(x, v, t);
        text(b, px, f->bottom + 18, "middle", NULL, t);
    }
    for (int w = CRM_SVG_Y; w <= CRM_SVG_Y2; w++) {
        const struct axis *a = &f->ax[w];
        if (w == CRM_SVG_Y2 && !a->used)
            continue;
        n = ticks(a, &first);
        for (size_t i = 0; i < n; i++) {
            double v = first + (double)i * a->step;
            tick_label(a, v, t);
            double y = px_y(f, (enum crm_svg_axis)w, v) + 4;
            if (w == CRM_SVG_Y)
                text(b, f->left - 8, y, "end", NULL, t);
            else
                text(b, f->right + 8, y, "start", NULL, t);
        }
    }
    put(b, "</g>\n");
    /* the baseline and tick marks of x */
    put(b, "<g stroke=\"#8c8c8c\" stroke-width=\"1\" shape-rendering=\"crispEdges\">\n<line");
    attr(b, "x1", f->left);
    attr(b, "y1", f->bottom);
    attr(b, "x2", f->right);
    attr(b, "y2", f->bottom);
    put(b, "/>\n");
    n = ticks(x, &first);
    for (size_t i = 0; i < n; i++) {
        double px = px_x(f, first + (double)i * x->step);
        put(b, "<line");
        attr(b, "x1", px);
        attr(b, "y1", f->bottom);
        attr(b, "x2", px);
        attr(b, "y2", f->bottom + 5);
        put(b, "/>\n");
    }
    put(b, "</g>\n");
    draw_axis_titles(b, f);
}

/* Axis titles: x centred below, y rotated on the left, y2 rotated on the right. */
static void draw_axis_titles(struct buf *b, const struct frame *f)
{
    const struct axis *x = &f->ax[CRM_SVG_X];
    const char *title = "font-size=\"13\" fill=\"#404040\"";
    if (x->label)
        text(b, (f->left + f->right) / 2, f->bottom + 42, "middle", title, x->label);
    char rot[160];
    double mid = (f->top + f->bottom) / 2;
    if (f->ax[CRM_SVG_Y].label) {
        char xs[48], ys[48];
        fmt(16 + 8, 2, 0, 1, xs);
        fmt(mid, 2, 0, 1, ys);
        snprintf(rot, sizeof rot, "%s transform=\"rotate(-90 %s %s)\"", title, xs, ys);
        text(b, 24, mid, "middle", rot, f->ax[CRM_SVG_Y].label);
    }
    if (f->ax[CRM_SVG_Y2].used && f->ax[CRM_SVG_Y2].label) {
        char xs[48], ys[48];
        double x2 = f->right + 16 + widest_tick(&f->ax[CRM_SVG_Y2]) + 8;
        fmt(x2, 2, 0, 1, xs);
        fmt(mid, 2, 0, 1, ys);
        snprintf(rot, sizeof rot, "%s transform=\"rotate(90 %s %s)\"", title, xs, ys);
        text(b, x2, mid, "middle", rot, f->ax[CRM_SVG_Y2].label);
    }
}

static void draw_grid(struct buf *b, const struct frame *f)
{
    double first;
    const struct axis *y = &f->ax[CRM_SVG_Y];
    size_t n = ticks(y, &first);
    put(b, "<g stroke=\"#e0e0e0\" stroke-width=\"1\" shape-rendering=\"crispEdges\">\n");
    for (size_t i = 0; i < n; i++) {
        double py = px_y(f, CRM_SVG_Y, first + (double)i * y->step);
        put(b, "<line");
        attr(b, "x1", f->left);
        attr(b, "y1", py);
        attr(b, "x2", f->right);
        attr(b, "y2", py);
        put(b, "/>\n");
    }
    put(b, "</g>\n");
}

/* Legend entries in one row starting at x; returns 1 when there was any. */
static int draw_legend(struct buf *b, const struct crm_svg *s, double x, double y)
{
    int any = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct item *it = &s->items[i];
        if (!it->name || it->kind > K_LINE)
            continue;
        any = 1;
        if (it->kind == K_LINE) {
            open_elem(b, "line", it->color, "stroke");
            put(b, " stroke-width=\"2.5\"");
            if (it->flags & CRM_SVG_DASHED)
                put(b, " stroke-dasharray=\"6 3\"");
            attr(b, "x1", x);
            attr(b, "y1", y - 4);
            attr(b, "x2", x + 22);
            attr(b, "y2", y - 4);
            put(b, "/>\n");
        } else {
            open_elem(b, "rect", it->color, "fill");
            if (it->kind == K_AREA)
                put(b, " fill-opacity=\"0.5\"");
            attr(b, "x", x + 4);
            attr(b, "y", y - 10);
            put(b, " width=\"14\" height=\"12\"/>\n");
        }
        text(b, x + 28, y, NULL, "fill=\"#404040\"", it->name);
        x += 28 + text_width(it->name, 12) + 22;
    }
    return any;
}

static int has_legend(const struct crm_svg *s)
{
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].name && s->items[i].kind <= K_LINE)
            return 1;
    return 0;
}

/* Axes ranges, then the plot area: title, subtitle and legend rows on top, tick labels
 * and axis titles around. */
static void layout(const struct crm_svg *s, struct axis ax[3], struct frame *f)
{
    ax[CRM_SVG_Y].used = 1;
    finish_axis(s, CRM_SVG_X, &ax[CRM_SVG_X], fmax(2, floor(s->w / 90)));
    const double height_target = fmax(2, floor(s->h / 80));
    finish_axis(s, CRM_SVG_Y, &ax[CRM_SVG_Y], height_target);
    if (ax[CRM_SVG_Y2].used) {
        finish_axis(s, CRM_SVG_Y2, &ax[CRM_SVG_Y2], height_target);
        align_y(&ax[CRM_SVG_Y], &ax[CRM_SVG_Y2]);
    }
    f->ax = ax;
    double y = 16;
    f->title_y = y += s->title ? 20 : 0;
    f->subtitle_y = y += s->subtitle ? 22 : 0;
    f->legend_y = y += has_legend(s) ? 26 : 0;
    f->top = y + 22;
    f->left = 16 + (ax[CRM_SVG_Y].label ? 22 : 0) + widest_tick(&ax[CRM_SVG_Y]) + 10;
    f->right = s->w - 32;
    if (ax[CRM_SVG_Y2].used)
        f->right = s->w - (16 + (ax[CRM_SVG_Y2].label ? 22 : 0) +
                           widest_tick(&ax[CRM_SVG_Y2]) + 10);
    f->bottom = s->h - 16 - (ax[CRM_SVG_X].label ? 26 : 0) - 24;
}

/* The XML prologue, the clip path of the plot area, the background and the headings. */
static void draw_head(struct buf *b, const struct crm_svg *s, const struct frame *f)
{
    put(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
    attr(b, "width", s->w);
    attr(b, "height", s->h);
    put(b, " viewBox=\"0 0 ");
    put_num(b, s->w);
    put(b, " ");
    put_num(b, s->h);
    put(b, "\" font-family=\"sans-serif\" font-size=\"12\">\n<title>");
    put_text(b, s->title ? s->title : "chart");
    put(b, "</title>\n<defs><clipPath id=\"crm-plot\"><rect");
    attr(b, "x", f->left);
    attr(b, "y", f->top - 1);
    attr(b, "width", f->right - f->left);
    attr(b, "height", f->bottom - f->top + 1);
    put(b, "/></clipPath></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    if (s->title)
        text(b, 16, f->title_y, NULL, "font-size=\"18\" font-weight=\"bold\" fill=\"#262626\"",
             s->title);
    if (s->subtitle)
        text(b, 16, f->subtitle_y, NULL, "font-size=\"13\" fill=\"#595959\"", s->subtitle);
    draw_legend(b, s, 16, f->legend_y);
}

/* Layers, bottom up: grid, bands, series (clipped), band labels, axes, reference lines,
 * points. */
static void render(struct crm_svg *s)
{
    struct buf *b = &s->out;
    struct axis ax[3];
    struct frame f;
    memcpy(ax, s->ax, sizeof ax);
    layout(s, ax, &f);
    b->len = 0;
    b->oom = 0;
    draw_head(b, s, &f);
    draw_grid(b, &f);
    put(b, "<g clip-path=\"url(#crm-plot)\">\n");
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].kind == K_BAND)
            draw_note(b, &f, &s->items[i]);
    for (size_t i = 0; i < s->nitems; i++) {
        const struct item *it = &s->items[i];
        if (it->kind == K_BARS)
            draw_bars(b, &f, it);
        else if (it->kind == K_AREA)
            draw_area(b, &f, it);
        else if (it->kind == K_LINE)
            draw_line(b, &f, it);
    }
    put(b, "</g>\n");
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].kind == K_BAND)
            draw_band_label(b, &f, &s->items[i]);
    draw_axes(b, &f);
    for (int pass = 0; pass < 2; pass++) /* points above lines */
        for (size_t i = 0; i < s->nitems; i++)
            if ((s->items[i].kind == K_POINT) == pass &&
                (s->items[i].kind == K_HLINE || s->items[i].kind == K_VLINE ||
                 s->items[i].kind == K_POINT))
                draw_note(b, &f, &s->items[i]);
    put(b, "</svg>\n");
}

enum crm_err crm_svg_render(struct crm_svg *s, const char **doc, size_t *len,
                            struct crm_errinfo *err)
{
    if (s->rc != CRM_OK)
        return crm_errinfo_set(err, s->rc, "%s", s->msg);
    render(s);
    if (s->out.oom)
        return crm_errinfo_set(err, CRM_ENOMEM, "svg: out of memory rendering the chart");
    *doc = s->out.p;
    *len = s->out.len;
    return CRM_OK;
}

static enum crm_err write_failed(struct crm_errinfo *err, int e)
{
    return crm_errinfo_set(err, e == EPIPE ? CRM_EPIPE : CRM_EIO, "writing the chart: %s",
                           strerror(e));
}

enum crm_err crm_svg_write(struct crm_svg *s, FILE *f, struct crm_errinfo *err)
{
    const char *doc = NULL;
    size_t len = 0;
    enum crm_err rc = crm_svg_render(s, &doc, &len, err);
    if (rc != CRM_OK)
        return rc;
    errno = 0;
    if (fwrite(doc, 1, len, f) != len || fflush(f) != 0 || ferror(f))
        return write_failed(err, errno ? errno : EIO);
    return CRM_OK;
}

enum crm_err crm_svg_write_fd(struct crm_svg *s, int fd, struct crm_errinfo *err)
{
    const char *doc = NULL;
    size_t len = 0;
    enum crm_err rc = crm_svg_render(s, &doc, &len, err);
    if (rc != CRM_OK)
        return rc;
    while (len) {
        ssize_t n = write(fd, doc, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return write_failed(err, n < 0 ? errno : EIO);
        doc += n;
        len -= (size_t)n;
    }
    return CRM_OK;
}
