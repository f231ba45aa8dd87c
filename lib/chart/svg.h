/* internal to lib/: the tools in cmd/ do not include it. */
/* svg: a small chart writer for reports. A struct crm_svg collects axes and series and
 * renders them into one self-contained SVG document: no scripts, no external resources,
 * the generic sans-serif font family, well-formed XML with all text escaped (invalid
 * UTF-8 and XML-forbidden characters become U+FFFD). Invariant: the same calls give the
 * same bytes whatever the locale — numbers go through our own fixed-point formatter,
 * never printf("%f").
 *
 * Coordinates are data values; the layout (margins from the tick labels, legend, title)
 * is computed when rendering. Series are drawn in the order added, clipped to the plot. */
#ifndef CRM_SVG_H
#define CRM_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct crm_svg;

enum crm_svg_axis {
    CRM_SVG_Y,  /* left; 0 so that a zeroed style means the main axis */
    CRM_SVG_Y2, /* right, secondary */
    CRM_SVG_X,
};

/* Axis flags. */
#define CRM_SVG_PERCENT 1u /* values are fractions; ticks read "20%" */
#define CRM_SVG_EXACT 2u   /* keep lo..hi as given (default: widen to 1-2-5 tick steps) */

/* Series flags. */
#define CRM_SVG_DASHED 1u
#define CRM_SVG_MARKERS 2u /* a dot at every point of a line */

struct crm_svg_style {
    enum crm_svg_axis axis; /* CRM_SVG_Y (default) or CRM_SVG_Y2 */
    const char *name;       /* legend entry; NULL: not in the legend */
    const char *color;      /* "#rgb" or "#rrggbb"; NULL: the next palette colour */
    unsigned flags;
};

/* A chart of width × height px (<= 0: 960 × 540) with a title (may be NULL).
 * NULL when out of memory. */
struct crm_svg *crm_svg_new(double width, double height, const char *title);
void crm_svg_free(struct crm_svg *s);

/* Every function below returns the first error met so far (sticky, like a FILE's error
 * flag): CRM_ENOMEM, or CRM_EUSAGE for a bad argument. crm_svg_render reports it. */

/* A second line under the title (key figures). */
enum crm_err crm_svg_subtitle(struct crm_svg *s, const char *text);

/* Range and label of an axis. lo and hi both NaN, or an axis never set, take the range
 * from the data (Y and Y2 include 0), except that a Y2 never set is 0..1 in percent.
 * When Y2 is shown and both Y axes are widened to nice steps, Y gets as many intervals
 * as Y2 so that grid lines serve both. */
enum crm_err crm_svg_axis(struct crm_svg *s, enum crm_svg_axis which, double lo, double hi,
                          const char *label, unsigned flags);

/* Bars from x0[i] to x1[i], from 0 (or the axis bottom) to y[i]; wide bars get gaps. */
enum crm_err crm_svg_bars(struct crm_svg *s, const double *x0, const double *x1,
                          const double *y, size_t n, const struct crm_svg_style *style);

/* A filled area under the points (x ascending), with its outline. */
enum crm_err crm_svg_area(struct crm_svg *s, const double *x, const double *y, size_t n,
                          const struct crm_svg_style *style);

/* A polyline; a non-finite y leaves a gap. */
enum crm_err crm_svg_line(struct crm_svg *s, const double *x, const double *y, size_t n,
                          const struct crm_svg_style *style);

/* Annotations, drawn over the series. color NULL: a default per kind. */
enum crm_err crm_svg_hline(struct crm_svg *s, enum crm_svg_axis axis, double y,
                           const char *label, const char *color);
enum crm_err crm_svg_vline(struct crm_svg *s, double x, const char *label, const char *color);
enum crm_err crm_svg_band(struct crm_svg *s, double x0, double x1, const char *label,
                          const char *color);
enum crm_err crm_svg_point(struct crm_svg *s, enum crm_svg_axis axis, double x, double y,
                           const char *label, const char *color);

/* The document, valid until the next call on s. */
enum crm_err crm_svg_render(struct crm_svg *s, const char **doc, size_t *len,
                            struct crm_errinfo *err);

/* Render and write; CRM_EIO on a write or flush error (CRM_EPIPE when the reader went
 * away). crm_svg_write flushes f but does not close it. */
enum crm_err crm_svg_write(struct crm_svg *s, FILE *f, struct crm_errinfo *err);
enum crm_err crm_svg_write_fd(struct crm_svg *s, int fd, struct crm_errinfo *err);

/* v with exactly `decimals` (0..9) digits after a '.', rounded half away from zero, '-'
 * only when the rounded value is not 0; non-finite → "0"; |v| is capped so the digits
 * fit. buf needs 32 bytes; returns the length. Locale-independent. */
size_t crm_svg_format_number(double v, int decimals, char *buf);

#endif
