/* Tests for lib/out: number formatting at its edges, spreadsheet-safe text (formula
 * escaping, decimal commas) and the xlsx backend's edges (the CSV writer itself is exercised
 * by every tool's golden cases, the xlsx cells by tests/spreadsheet/). */
#include "testutil.h"

#include <limits.h>

#include <fcntl.h>
#include <math.h>

#include "text/out.h"
#include "text/xlsx.h"

/* Found while writing the --params fuzz target: a value past ~1e48 overran the 64-byte
 * buffer (printf's full length was used), so `crm-churn --params-out` wrote a loglik of
 * -1e300 as a cut-off number followed by 250 bytes of stack. */
static void test_out_fixed_huge_values_fit_and_read_back(void **state)
{
    (void)state;
    const double values[] = {1e300, -1e300, 1.7976931348623157e308, -4.2e60, 1e48, 9.99e47};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[64 + 16];
        memset(buf, 'Z', sizeof buf);
        size_t n = crm_fmt_fixed(values[i], 7, buf);
        assert_true(n < 64);
        assert_int_equal(strlen(buf), n);
        assert_int_equal(buf[64], 'Z');            /* nothing written past the 64 bytes */
        char *end;
        double back = strtod(buf, &end);
        assert_int_equal(*end, '\0');
        assert_true(fabs(back - values[i]) <= fabs(values[i]) * 1e-7);
    }
    char buf[64];
    assert_int_equal(crm_fmt_fixed(-1e300, 7, buf), 15);
    assert_string_equal(buf, "-1.0000000e+300");
    crm_fmt_fixed(1234.5, 7, buf);
    assert_string_equal(buf, "1234.5000000");
    crm_fmt_fixed(9.99e47, 7, buf);                /* still fits the fixed form */
    assert_null(strchr(buf, 'e'));
}

static void test_out_fixed_rounds_and_drops_negative_zero(void **state)
{
    (void)state;
    char buf[64];
    crm_fmt_fixed(0.42631578947, 7, buf);
    assert_string_equal(buf, "0.4263158");
    crm_fmt_fixed(-0.00000001, 7, buf);
    assert_string_equal(buf, "0.0000000");
    assert_int_equal(crm_fmt_fixed(NAN, 7, buf), 0);
    assert_string_equal(buf, "");
}

/* The bytes a memory writer holds after `fields` as one row (NULL ends the list). */
static char *row_text(unsigned flags, const char *const *fields)
{
    struct crm_out *o = crm_out_new_mem(flags);
    for (size_t i = 0; fields[i]; i++)
        crm_out_cstr(o, fields[i]);
    crm_out_end_row(o);
    size_t len;
    const char *text = crm_out_mem(o, &len);
    char *copy = strndup(text, len);
    crm_out_free(o);
    return copy;
}

static const char *const formula_like[] = {"=1+2", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tx",
                                           "\rx", "plain", "a=b", "'=x'", "", NULL};

/* SPEC §13.2: in spreadsheet-bound CSV a text cell starting with = + - @ tab or CR gets a
 * leading ' (inside the quotes when the field is quoted); others are untouched. */
static void test_out_bom_csv_defuses_formula_like_text(void **state)
{
    (void)state;
    char *t = row_text(CRM_OUT_BOM, formula_like);
    assert_string_equal(t, "'=1+2,\"'+SUM(1,2)\",'-2+3,'@SUM(A1),'\tx,\"'\rx\",plain,a=b,"
                           "'=x',\r\n");
    free(t);
    t = row_text(CRM_OUT_ESCAPE, formula_like);
    assert_string_equal(t, "'=1+2,\"'+SUM(1,2)\",'-2+3,'@SUM(A1),'\tx,\"'\rx\",plain,a=b,"
                           "'=x',\n");
    free(t);
    t = row_text(CRM_OUT_ESCAPE | CRM_OUT_TSV, formula_like);
    assert_string_equal(t, "'=1+2\t'+SUM(1,2)\t'-2+3\t'@SUM(A1)\t' x\t' x\tplain\ta=b\t'=x'\t\n");
    free(t);
}

/* Plain CSV/TSV (a pipe) keeps every value exactly: no escaping without the option. */
static void test_out_plain_csv_keeps_formula_like_text_exact(void **state)
{
    (void)state;
    char *t = row_text(0, formula_like);
    assert_string_equal(t, "=1+2,\"+SUM(1,2)\",-2+3,@SUM(A1),\tx,\"\rx\",plain,a=b,'=x',\n");
    free(t);
}

/* Numbers are never text cells: a negative amount, count or ratio is not escaped; nor is the
 * header (crmkit's own names). */
static void test_out_escape_leaves_numbers_and_header(void **state)
{
    (void)state;
    struct crm_out *o = crm_out_new_mem(CRM_OUT_ESCAPE | CRM_OUT_BOM);
    crm_out_header(o, "-a,b");
    crm_out_int(o, -3);
    crm_out_money(o, -1250, 2);
    crm_out_fixed(o, -0.5, 7);
    crm_out_end_row(o);
    size_t len;
    const char *text = crm_out_mem(o, &len);
    assert_int_equal(len, strlen("-a,b\r\n-3,-12.50,-0.5000000\r\n"));
    assert_memory_equal(text, "-a,b\r\n-3,-12.50,-0.5000000\r\n", len);
    crm_out_free(o);
}

/* --decimal-comma: ',' as the decimal point, ';' between fields (quoted when in a field,
 * ',' no longer needs quotes); TSV keeps its tab. Dates and counts are unchanged. */
static void test_out_decimal_comma(void **state)
{
    (void)state;
    struct crm_out *o = crm_out_new_mem(CRM_OUT_DECIMAL_COMMA);
    crm_out_cstr(o, "a,b");
    crm_out_cstr(o, "a;b");
    crm_out_money(o, 123450, 2);
    crm_out_money(o, -5, 2);
    crm_out_fixed(o, 0.42631578947, 7);
    crm_out_int(o, 1234);
    crm_out_date(o, 19723);   /* 2024-01-01 */
    crm_out_end_row(o);
    size_t len;
    const char *text = crm_out_mem(o, &len);
    const char *want = "a,b;\"a;b\";1234,50;-0,05;0,4263158;1234;2024-01-01\n";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(text, want, len);
    crm_out_free(o);
    o = crm_out_new_mem(CRM_OUT_DECIMAL_COMMA | CRM_OUT_TSV);
    crm_out_cstr(o, "a;b");
    crm_out_money(o, 123450, 2);
    crm_out_end_row(o);
    text = crm_out_mem(o, &len);
    assert_int_equal(len, strlen("a;b\t1234,50\n"));
    assert_memory_equal(text, "a;b\t1234,50\n", len);
    crm_out_free(o);
}

static int temp_fd(char *path)
{
    strcpy(path, "/tmp/crm-out-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

/* An xlsx writer holds tables only: raw bytes (SVG, a text report) are a usage error that
 * names the fix, and its scratch file is gone after close. */
static void test_out_xlsx_refuses_raw_bytes_and_removes_scratch(void **state)
{
    (void)state;
    char path[32];
    int fd = temp_fd(path);
    struct crm_out *o = crm_out_new(fd, "report.xlsx", CRM_OUT_XLSX);
    char *scratch = strdup(crm_out_scratch(o));
    assert_int_equal(access(scratch, F_OK), 0);
    crm_out_header(o, "a,b");
    crm_out_raw(o, "text\n", 5);
    assert_true(crm_out_failed(o));
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_out_close(o, &e), CRM_EUSAGE);
    assert_string_equal(e.file, "report.xlsx");
    assert_non_null(strstr(e.msg, "not a table"));
    assert_int_equal(access(scratch, F_OK), -1);
    assert_int_equal(lseek(fd, 0, SEEK_END), 0);   /* nothing written to the target */
    free(scratch);
    close(fd);
    unlink(path);
}

/* A workbook goes to a descriptor that cannot seek (a pipe) whole: a zip from its local
 * header to its end-of-central-directory record. */
static void test_out_xlsx_to_a_pipe(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct crm_out *o = crm_out_new(p[1], "pipe", CRM_OUT_XLSX | CRM_OUT_BOM);
    crm_out_sheet(o, "kpi");
    crm_out_header(o, "id,when,money,ratio,n");
    crm_out_cstr(o, "00123");
    crm_out_date(o, 19724);
    crm_out_money(o, -1250, 2);
    crm_out_fixed(o, 0.5, 7);
    crm_out_int(o, 7);
    crm_out_end_row(o);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    close(p[1]);
    static char buf[65536];
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], buf + len, sizeof buf - len)) > 0)
        len += (size_t)n;
    close(p[0]);
    assert_true(len > 1000 && len < sizeof buf);
    assert_memory_equal(buf, "PK\3\4", 4);               /* no BOM before the zip */
    assert_memory_equal(buf + len - 22, "PK\5\6", 4);   /* ends with its directory */
}

/* A sheet holds 1,048,576 rows: one more is an error naming the fix, not a cut report. */
static void test_out_xlsx_row_limit(void **state)
{
    (void)state;
    char path[32];
    int fd = temp_fd(path);
    struct crm_out *o = crm_out_new(fd, "big.xlsx", CRM_OUT_XLSX);
    crm_out_header(o, "n");
    for (long long i = 1; i < 1048576; i++) {
        crm_out_int(o, i);
        crm_out_end_row(o);
    }
    assert_false(crm_out_failed(o));
    crm_out_int(o, 1048576);
    crm_out_end_row(o);
    assert_true(crm_out_failed(o));
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_out_close(o, &e), CRM_EIO);
    assert_non_null(strstr(e.msg, "more than 1048576 rows"));
    assert_non_null(strstr(e.msg, "--format csv"));
    close(fd);
    unlink(path);
}

/* A workbook's XML holds characters only: bytes that are not UTF-8 are shown as \xNN,
 * valid UTF-8 (Chinese, 4-byte emoji) is kept, overlong forms and surrogates are not valid. */
static void test_xlsx_cell_text_shows_invalid_bytes(void **state)
{
    (void)state;
    struct crm_xlsx *x = crm_xlsx_new("t");
    assert_string_equal(crm_xlsx_cell_text(x, "\xE5\x86\xAF\xE8\x8A\xB3", 6), "冯芳");
    assert_string_equal(crm_xlsx_cell_text(x, "a\xF0\x9F\x98\x80" "b", 6),
                        "a\xF0\x9F\x98\x80" "b");
    assert_string_equal(crm_xlsx_cell_text(x, "a\xFF" "b", 3), "a\\xFFb");
    assert_string_equal(crm_xlsx_cell_text(x, "\xC0\xAF", 2), "\\xC0\\xAF");       /* overlong */
    assert_string_equal(crm_xlsx_cell_text(x, "\xED\xA0\x80", 3), "\\xED\\xA0\\x80");
    assert_string_equal(crm_xlsx_cell_text(x, "\xE5\x86", 2), "\\xE5\\x86");      /* cut short */
    assert_string_equal(crm_xlsx_cell_text(x, "00123", 5), "00123");
    crm_xlsx_free(x);
}

/* A cell holds 32767 characters: a longer text is an error naming CSV, not a cut value. */
static void test_out_xlsx_text_too_long(void **state)
{
    (void)state;
    char path[32];
    int fd = temp_fd(path);
    struct crm_out *o = crm_out_new(fd, "long.xlsx", CRM_OUT_XLSX);
    static char text[40000];
    memset(text, 'x', sizeof text);
    crm_out_header(o, "id");
    crm_out_str(o, text, 32767);
    crm_out_end_row(o);
    assert_false(crm_out_failed(o));
    crm_out_str(o, text, sizeof text);
    crm_out_end_row(o);
    assert_true(crm_out_failed(o));
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_out_close(o, &e), CRM_EIO);
    assert_non_null(strstr(e.msg, "longer than 32767 characters"));
    close(fd);
    unlink(path);
}

/* Integers of every length and both signs, the extremes, and a block of rows bigger than
 * the writer's buffer between small fields: the bytes are what printf writes, in order. */
static void test_out_int_and_big_blocks_keep_the_bytes(void **state)
{
    (void)state;
    char path[32];
    int fd = temp_fd(path);
    struct crm_out *o = crm_out_new(fd, "n.csv", 0);
    size_t cap = 4u << 20, len = 0;
    char *want = malloc(cap), *block = malloc(600000);
    assert_non_null(want);
    assert_non_null(block);
    long long v[] = {0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 12345, -12345, 1LL << 40,
                     LLONG_MAX, LLONG_MIN, LLONG_MIN + 1, 9999999999LL, -10000000000LL};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        crm_out_int(o, v[i]);
        crm_out_int(o, v[i] / 7);
        crm_out_end_row(o);
        len += (size_t)sprintf(want + len, "%lld,%lld\n", v[i], v[i] / 7);
    }
    for (size_t i = 0; i < 600000; i++)
        block[i] = (char)('a' + i % 26);
    for (size_t round = 0; round < 3; round++) {   /* 600 KB, then 300 B: both orders */
        crm_out_raw(o, block, 600000 - round);
        memcpy(want + len, block, 600000 - round);
        len += 600000 - round;
        crm_out_int(o, (long long)round);
        crm_out_end_row(o);
        len += (size_t)sprintf(want + len, "%zu\n", round);
    }
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    char *got = malloc(cap);
    assert_non_null(got);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(got, 1, cap, f);
    fclose(f);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    free(got);
    free(want);
    free(block);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_bom_csv_defuses_formula_like_text),
        cmocka_unit_test(test_out_plain_csv_keeps_formula_like_text_exact),
        cmocka_unit_test(test_out_escape_leaves_numbers_and_header),
        cmocka_unit_test(test_out_decimal_comma),
        cmocka_unit_test(test_out_xlsx_refuses_raw_bytes_and_removes_scratch),
        cmocka_unit_test(test_out_xlsx_to_a_pipe),
        cmocka_unit_test(test_out_xlsx_row_limit),
        cmocka_unit_test(test_xlsx_cell_text_shows_invalid_bytes),
        cmocka_unit_test(test_out_xlsx_text_too_long),
        cmocka_unit_test(test_out_fixed_huge_values_fit_and_read_back),
        cmocka_unit_test(test_out_fixed_rounds_and_drops_negative_zero),
        cmocka_unit_test(test_out_int_and_big_blocks_keep_the_bytes),
    };
    return cmocka_run_group_tests_name("out", tests, NULL, NULL);
}
