/* Tests for lib/svg: number formatting, escaping, well-formed documents (checked with
 * xmllint when it is installed), deterministic output and write errors. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <signal.h>

#include "chart/svg.h"

static int have_xmllint(void)
{
    return system("command -v xmllint >/dev/null 2>&1") == 0;
}

/* Writes the chart to a temporary file, runs xmllint --noout on it and returns the
 * document (malloc'd). */
static char *render_checked(struct crm_svg *s)
{
    char path[] = "/tmp/crm-svg-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w+");
    assert_non_null(f);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_svg_write(s, f, &e), CRM_OK);
    long size = ftell(f);
    assert_true(size > 0);
    char *doc = malloc((size_t)size + 1);
    assert_non_null(doc);
    rewind(f);
    assert_int_equal(fread(doc, 1, (size_t)size, f), (size_t)size);
    doc[size] = '\0';
    fclose(f);
    if (have_xmllint()) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
        assert_int_equal(system(cmd), 0);
    } else {
        print_message("xmllint not installed: well-formedness not checked\n");
    }
    unlink(path);
    return doc;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A chart that uses every element kind. */
static struct crm_svg *sample_chart(const char *title)
{
    struct crm_svg *s = crm_svg_new(800, 500, title);
    assert_non_null(s);
    const double x0[3] = {0, 1, 2}, x1[3] = {1, 2, 3}, y[3] = {1234, 600, 10};
    const double lx[4] = {0, 1, 2, 3}, ly[4] = {0, 0.65, 0.97, 1};
    const struct crm_svg_style bars = {CRM_SVG_Y, "Revenue <per> customer", NULL, 0};
    const struct crm_svg_style line = {CRM_SVG_Y2, "Cumulative & share", "#ed7d31",
                                       CRM_SVG_MARKERS};
    assert_int_equal(crm_svg_subtitle(s, "客户 \"VIP\" & others"), CRM_OK);
    assert_int_equal(crm_svg_axis(s, CRM_SVG_X, 0, 3, "Customer rank", 0), CRM_OK);
    assert_int_equal(crm_svg_axis(s, CRM_SVG_Y, NAN, NAN, "Revenue", 0), CRM_OK);
    assert_int_equal(crm_svg_axis(s, CRM_SVG_Y2, 0, 1, "Cumulative share", CRM_SVG_PERCENT),
                     CRM_OK);
    assert_int_equal(crm_svg_band(s, 0, 1, "A", "#70ad47"), CRM_OK);
    assert_int_equal(crm_svg_bars(s, x0, x1, y, 3, &bars), CRM_OK);
    assert_int_equal(crm_svg_line(s, lx, ly, 4, &line), CRM_OK);
    assert_int_equal(crm_svg_hline(s, CRM_SVG_Y2, 0.8, "80% of revenue", NULL), CRM_OK);
    assert_int_equal(crm_svg_vline(s, 1.5, "cut", NULL), CRM_OK);
    assert_int_equal(crm_svg_point(s, CRM_SVG_Y2, 1.2, 0.8, "here", NULL), CRM_OK);
    return s;
}

static void test_svg_format_number_fixed_point(void **state)
{
    (void)state;
    char b[32];
    assert_int_equal(crm_svg_format_number(1234.5, 2, b), 7);
    assert_string_equal(b, "1234.50");
    crm_svg_format_number(0.4263158, 7, b);
    assert_string_equal(b, "0.4263158");
    crm_svg_format_number(-0.004, 2, b); /* rounds to zero: no sign */
    assert_string_equal(b, "0.00");
    crm_svg_format_number(2.5, 0, b); /* half away from zero */
    assert_string_equal(b, "3");
    crm_svg_format_number(-2.5, 0, b);
    assert_string_equal(b, "-3");
    crm_svg_format_number(NAN, 1, b);
    assert_string_equal(b, "0.0");
    crm_svg_format_number(1e300, 0, b); /* capped, still digits */
    assert_string_equal(b, "9000000000000000000");
    crm_svg_format_number(7, -3, b);
    assert_string_equal(b, "7");
}

static void test_svg_numbers_ignore_the_locale(void **state)
{
    (void)state;
    struct crm_svg *a = sample_chart("Locale");
    const char *doc;
    size_t len;
    assert_int_equal(crm_svg_render(a, &doc, &len, NULL), CRM_OK);
    char *c_doc = strdup(doc);
    assert_non_null(c_doc);
    /* a locale with ',' as the decimal point, when the machine has one */
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !got; i++)
        got = setlocale(LC_ALL, names[i]);
    if (!got)
        print_message("no comma-decimal locale installed: compared under C only\n");
    char b[32];
    crm_svg_format_number(1.25, 2, b);
    assert_string_equal(b, "1.25");
    assert_int_equal(crm_svg_render(a, &doc, &len, NULL), CRM_OK);
    assert_string_equal(doc, c_doc);
    setlocale(LC_ALL, "C");
    free(c_doc);
    crm_svg_free(a);
}

static void test_svg_document_is_well_formed_and_complete(void **state)
{
    (void)state;
    struct crm_svg *s = sample_chart("Top <customers> & \"friends\" 客户分析");
    char *doc = render_checked(s);
    assert_true(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    assert_non_null(strstr(doc, "font-family=\"sans-serif\""));
    assert_non_null(strstr(doc, "<title>Top &lt;customers&gt; &amp; &quot;friends&quot; "
                                "客户分析</title>"));
    assert_non_null(strstr(doc, ">客户 &quot;VIP&quot; &amp; others</text>"));
    assert_non_null(strstr(doc, ">Revenue &lt;per&gt; customer</text>"));
    assert_non_null(strstr(doc, ">Cumulative &amp; share</text>"));
    assert_non_null(strstr(doc, ">Customer rank</text>"));
    assert_non_null(strstr(doc, ">Revenue</text>"));
    assert_non_null(strstr(doc, ">Cumulative share</text>"));
    assert_non_null(strstr(doc, ">80% of revenue</text>"));
    assert_int_equal(count(doc, "<polyline"), 1);
    assert_true(count(doc, "<rect") >= 3 + 1); /* bars and the band */
    assert_int_equal(count(doc, "<circle"), 4 + 1); /* markers and the point */
    /* percent ticks on the right, grouped thousands on the left (Y aligned to 5 steps) */
    assert_non_null(strstr(doc, ">100%</text>"));
    assert_non_null(strstr(doc, ">1,250</text>"));
    /* self-contained: no scripts, no links out, no external fonts */
    assert_null(strstr(doc, "<script"));
    assert_null(strstr(doc, "href"));
    assert_null(strstr(doc, "@import"));
    assert_int_equal(count(doc, "http://"), 1); /* the xmlns */
    assert_string_equal(doc + strlen(doc) - 7, "</svg>\n");
    free(doc);
    crm_svg_free(s);
}

static void test_svg_escapes_invalid_utf8_and_controls(void **state)
{
    (void)state;
    /* a lone continuation byte, a truncated 3-byte sequence, an overlong '/' (two bytes
     * that cannot start a character), an encoded UTF-16 surrogate (one bad character) and
     * a control character each become U+FFFD */
    struct crm_svg *s = crm_svg_new(0, 0, "a\x80" "b\xE4\xBD" "c\xC0\xAF" "d\xED\xA0\x80"
                                          "e\x01" "f");
    assert_non_null(s);
    char *doc = render_checked(s);
    const char *want = "<title>a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                       "d\xEF\xBF\xBD" "e\xEF\xBF\xBD" "f</title>";
    assert_non_null(strstr(doc, want));
    free(doc);
    crm_svg_free(s);
}

static void test_svg_output_is_deterministic(void **state)
{
    (void)state;
    struct crm_svg *a = sample_chart("Same"), *b = sample_chart("Same");
    const char *da, *db;
    size_t la, lb;
    assert_int_equal(crm_svg_render(a, &da, &la, NULL), CRM_OK);
    assert_int_equal(crm_svg_render(b, &db, &lb, NULL), CRM_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    /* rendering twice gives the same bytes too */
    char *first = strdup(da);
    assert_non_null(first);
    assert_int_equal(crm_svg_render(a, &da, &la, NULL), CRM_OK);
    assert_string_equal(first, da);
    free(first);
    crm_svg_free(a);
    crm_svg_free(b);
}

static void test_svg_axis_ticks_are_nice(void **state)
{
    (void)state;
    struct crm_svg *s = crm_svg_new(960, 540, "Ticks");
    const double x[2] = {0, 78}, y[2] = {0, 1234};
    assert_int_equal(crm_svg_line(s, x, y, 2, NULL), CRM_OK);
    const char *doc;
    size_t len;
    assert_int_equal(crm_svg_render(s, &doc, &len, NULL), CRM_OK);
    /* x: 0..78 widened to 0..80 in steps of 10; y: 0..1234 → 0..1,500 in steps of 500 */
    assert_non_null(strstr(doc, ">80</text>"));
    assert_non_null(strstr(doc, ">70</text>"));
    assert_null(strstr(doc, ">90</text>"));
    assert_non_null(strstr(doc, ">1,500</text>"));
    assert_non_null(strstr(doc, ">500</text>"));
    assert_null(strstr(doc, ">2,000</text>"));
    crm_svg_free(s);

    s = crm_svg_new(960, 540, "Small and big");
    const double small[2] = {0, 0.37}, big[2] = {0, 4.2e7};
    assert_int_equal(crm_svg_axis(s, CRM_SVG_X, 0, 0.37, NULL, 0), CRM_OK);
    assert_int_equal(crm_svg_line(s, small, big, 2, NULL), CRM_OK);
    assert_int_equal(crm_svg_render(s, &doc, &len, NULL), CRM_OK);
    assert_non_null(strstr(doc, ">0.35</text>"));
    assert_non_null(strstr(doc, ">40M</text>"));
    crm_svg_free(s);
}

static void test_svg_secondary_axis_aligned_without_waste(void **state)
{
    (void)state;
    /* bars up to 52,000 beside a 0..100 % line: Y gets Y2's five intervals, in steps of
     * 12,000 (0..60,000), not 20,000 (0..100,000, the data in half the height) */
    struct crm_svg *s = crm_svg_new(960, 540, "Aligned");
    const double x0[2] = {0, 1}, x1[2] = {1, 2}, y[2] = {52000, 3000};
    const double lx[3] = {0, 1, 2}, ly[3] = {0, 0.9, 1};
    const struct crm_svg_style line = {CRM_SVG_Y2, NULL, NULL, 0};
    assert_int_equal(crm_svg_axis(s, CRM_SVG_Y2, 0, 1, NULL, CRM_SVG_PERCENT), CRM_OK);
    assert_int_equal(crm_svg_bars(s, x0, x1, y, 2, NULL), CRM_OK);
    assert_int_equal(crm_svg_line(s, lx, ly, 3, &line), CRM_OK);
    const char *doc;
    size_t len;
    assert_int_equal(crm_svg_render(s, &doc, &len, NULL), CRM_OK);
    assert_non_null(strstr(doc, ">60,000</text>"));
    assert_non_null(strstr(doc, ">12,000</text>"));
    assert_non_null(strstr(doc, ">100%</text>"));
    assert_null(strstr(doc, ">100,000</text>"));
    crm_svg_free(s);
}

static void test_svg_line_breaks_at_missing_values(void **state)
{
    (void)state;
    struct crm_svg *s = crm_svg_new(0, 0, NULL);
    const double x[5] = {0, 1, 2, 3, 4}, y[5] = {1, 2, NAN, 3, 4};
    const struct crm_svg_style dashed = {CRM_SVG_Y, "Predicted", NULL, CRM_SVG_DASHED};
    assert_int_equal(crm_svg_line(s, x, y, 5, &dashed), CRM_OK);
    char *doc = render_checked(s);
    assert_int_equal(count(doc, "<polyline"), 2);
    assert_int_equal(count(doc, "stroke-dasharray=\"8 5\""), 2);
    assert_non_null(strstr(doc, "<title>chart</title>"));
    free(doc);
    crm_svg_free(s);
}

static void test_svg_area_is_filled_to_zero_with_outline(void **state)
{
    (void)state;
    struct crm_svg *s = crm_svg_new(400, 300, "Area");
    const double x[3] = {0, 1, 2}, y[3] = {10, 20, 5};
    const struct crm_svg_style st = {CRM_SVG_Y, "Value", "#5b9bd5", 0};
    assert_int_equal(crm_svg_axis(s, CRM_SVG_X, 0, 2, NULL, CRM_SVG_EXACT), CRM_OK);
    assert_int_equal(crm_svg_axis(s, CRM_SVG_Y, 0, 20, NULL, CRM_SVG_EXACT), CRM_OK);
    assert_int_equal(crm_svg_area(s, x, y, 3, &st), CRM_OK);
    char *doc = render_checked(s);
    const char *poly = strstr(doc, "<polygon fill=\"#5b9bd5\" fill-opacity=\"0.35\" points=\"");
    assert_non_null(poly);
    /* five corners: the three points and the baseline under each end */
    const char *pts = strchr(strstr(poly, "points="), '"') + 1;
    size_t corners = 1;
    for (const char *c = pts; *c != '"'; c++)
        corners += *c == ' ';
    assert_int_equal(corners, 5);
    assert_int_equal(count(doc, "<polyline stroke=\"#5b9bd5\""), 1);
    free(doc);
    crm_svg_free(s);
}

static void test_svg_bad_arguments_are_sticky(void **state)
{
    (void)state;
    struct crm_svg *s = crm_svg_new(0, 0, "x");
    const double x[1] = {0}, y[1] = {1};
    const struct crm_svg_style red = {CRM_SVG_Y, NULL, "red\" onload=\"x", 0};
    assert_int_equal(crm_svg_axis(s, CRM_SVG_Y, 5, 5, NULL, 0), CRM_EUSAGE);
    assert_int_equal(crm_svg_line(s, x, y, 1, &red), CRM_EUSAGE);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    const char *doc;
    size_t len;
    assert_int_equal(crm_svg_render(s, &doc, &len, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "lo < hi")); /* the first error is kept */
    crm_svg_free(s);

    s = crm_svg_new(0, 0, "x");
    assert_int_equal(crm_svg_line(s, x, y, 1, &red), CRM_EUSAGE);
    assert_int_equal(crm_svg_render(s, &doc, &len, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "colour"));
    crm_svg_free(s);
    crm_svg_free(NULL);
}

static void test_svg_write_errors_are_reported(void **state)
{
    (void)state;
    struct crm_svg *s = sample_chart("Errors");
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        assert_int_equal(crm_svg_write(s, full, &e), CRM_EIO);
        assert_non_null(strstr(e.msg, "writing the chart"));
        fclose(full);
        int fd = open("/dev/full", O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(crm_svg_write_fd(s, fd, &e), CRM_EIO);
        close(fd);
    } else {
        print_message("/dev/full missing: disk-full case not checked\n");
    }
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    assert_int_equal(crm_svg_write_fd(s, p[1], &e), CRM_EPIPE);
    signal(SIGPIPE, old);
    close(p[1]);
    crm_svg_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_format_number_fixed_point),
        cmocka_unit_test(test_svg_numbers_ignore_the_locale),
        cmocka_unit_test(test_svg_document_is_well_formed_and_complete),
        cmocka_unit_test(test_svg_escapes_invalid_utf8_and_controls),
        cmocka_unit_test(test_svg_output_is_deterministic),
        cmocka_unit_test(test_svg_axis_ticks_are_nice),
        cmocka_unit_test(test_svg_secondary_axis_aligned_without_waste),
        cmocka_unit_test(test_svg_line_breaks_at_missing_values),
        cmocka_unit_test(test_svg_area_is_filled_to_zero_with_outline),
        cmocka_unit_test(test_svg_bad_arguments_are_sticky),
        cmocka_unit_test(test_svg_write_errors_are_reported),
    };
    return cmocka_run_group_tests_name("svg", tests, NULL, NULL);
}
