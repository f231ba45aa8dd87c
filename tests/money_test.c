/* Tests for lib/money: export text to exact minor units, rounding, products, formatting,
 * and sums over the real UCI and Tmall files checked against their published totals. */
#include "testutil.h"

#include <csv.h>
#include <zlib.h>

#include "text/money.h"

#define T CRM_MONEY_THOUSANDS

/* Parse a NUL-terminated string to a decimal; returns the status. */
static enum crm_money_status dec(const char *s, unsigned flags, struct crm_decimal *d)
{
    d->units = -12345;
    d->scale = -1;
    return crm_money_parse_decimal(s, strlen(s), flags, d);
}

/* Parse to cents; on failure returns the status negated minus 1000, so one integer
 * comparison checks both. */
static int64_t cents(const char *s, unsigned flags)
{
    int64_t m = -999;
    enum crm_money_status st = crm_money_parse(s, strlen(s), flags, 2, &m);
    return st == CRM_MONEY_OK ? m : -1000 - (int64_t)st;
}

#define SYNTAX (-1000 - (int64_t)CRM_MONEY_SYNTAX)
#define EMPTY (-1000 - (int64_t)CRM_MONEY_EMPTY)
#define RANGE (-1000 - (int64_t)CRM_MONEY_RANGE)

static void assert_dec(const char *s, unsigned flags, int64_t units, int scale)
{
    struct crm_decimal d;
    assert_int_equal(dec(s, flags, &d), CRM_MONEY_OK);
    assert_int_equal(d.units, units);
    assert_int_equal(d.scale, scale);
}

static void test_money_parses_plain_decimal(void **state)
{
    (void)state;
    assert_dec("1234.50", 0, 123450, 2);
    assert_dec("1234.56", 0, 123456, 2);
    assert_dec("0", 0, 0, 0);
    assert_dec("007.10", 0, 710, 2);
    assert_int_equal(cents("1234.56", 0), 123456);
}

static void test_money_keeps_written_scale(void **state)
{
    (void)state;
    assert_dec("18.0", 0, 180, 1);
    assert_dec("5.", 0, 5, 0);
    assert_dec(".5", 0, 5, 1);
    assert_dec("7", 0, 7, 0);
    assert_int_equal(cents("18.0", 0), 1800);
    assert_int_equal(cents("5.", 0), 500);
    assert_int_equal(cents(".5", 0), 50);
}

static void test_money_parses_signs(void **state)
{
    (void)state;
    assert_dec("-5", 0, -5, 0);
    assert_dec("+5.25", 0, 525, 2);
    assert_dec("-0.00", 0, 0, 2);
    assert_dec("-.5", 0, -5, 1);
    assert_int_equal(cents("-11062.06", 0), -1106206);
}

static void test_money_parses_currency_symbols(void **state)
{
    (void)state;
    assert_int_equal(cents("\xC2\xA5" "12.50", 0), 1250);     /* ¥ */
    assert_int_equal(cents("\xEF\xBF\xA5" "12.50", 0), 1250); /* ￥ */
    assert_int_equal(cents("$12.50", 0), 1250);
    assert_int_equal(cents("\xE2\x82\xAC" "12.50", 0), 1250); /* € */
    assert_int_equal(cents("\xC2\xA3" "12.50", 0), 1250);     /* £ */
    assert_int_equal(cents("12.50 \xE2\x82\xAC", 0), 1250);   /* symbol after */
    assert_int_equal(cents("$ 12.50", 0), 1250);
}

static void test_money_parses_currency_codes_any_case(void **state)
{
    (void)state;
    assert_int_equal(cents("RMB 12.50", 0), 1250);
    assert_int_equal(cents("cny12.50", 0), 1250);
    assert_int_equal(cents("12.50 USD", 0), 1250);
    assert_int_equal(cents("Eur 3", 0), 300);
    assert_int_equal(cents("gbp5", 0), 500);
    assert_int_equal(cents("12.50USDX", 0), SYNTAX);
    assert_int_equal(cents("HKD 5", 0), SYNTAX);
}

static void test_money_parses_yuan_suffix(void **state)
{
    (void)state;
    assert_int_equal(cents("12.50\xE5\x85\x83", 0), 1250);   /* 12.50元 */
    assert_int_equal(cents("12.50 \xE5\x85\x83", 0), 1250);
    assert_int_equal(cents("-3\xE5\x85\x83", 0), -300);
    assert_int_equal(cents("\xE5\x85\x83" "12", 0), SYNTAX);  /* 元 only after */
    assert_int_equal(cents("\xC2\xA5" "12\xE5\x85\x83", 0), SYNTAX); /* two currencies */
}

static void test_money_sign_before_or_after_symbol(void **state)
{
    (void)state;
    assert_int_equal(cents("-$5", 0), -500);
    assert_int_equal(cents("$-5", 0), -500);
    assert_int_equal(cents("+$5", 0), 500);
    assert_int_equal(cents("\xC2\xA5-1,234.00", T), -123400);
    assert_int_equal(cents("-$-5", 0), SYNTAX);
    assert_int_equal(cents("5-", 0), SYNTAX);
    assert_int_equal(cents("+-5", 0), SYNTAX);
}

static void test_money_accounting_parentheses_are_negative(void **state)
{
    (void)state;
    assert_int_equal(cents("(5.00)", 0), -500);
    assert_int_equal(cents("$(5.00)", 0), -500);
    assert_int_equal(cents("($5.00)", 0), -500);
    assert_int_equal(cents("(1,234.50 USD)", T), -123450);
    assert_int_equal(cents("(5.00", 0), SYNTAX);
    assert_int_equal(cents("5.00)", 0), SYNTAX);
    assert_int_equal(cents("(-5)", 0), SYNTAX);
    assert_int_equal(cents("-(5)", 0), SYNTAX);
    assert_int_equal(cents("((5))", 0), SYNTAX);
}

static void test_money_strips_export_decorations(void **state)
{
    (void)state;
    assert_int_equal(cents("=12.50", 0), 1250);
    assert_int_equal(cents("'12.50", 0), 1250);
    assert_int_equal(cents("\t12.50", 0), 1250);
    assert_int_equal(cents("=\"12.50\"", 0), 1250);
    assert_int_equal(cents("  12.50  ", 0), 1250);
    assert_int_equal(cents("=\"$1,234.50\"", T), 123450);
    assert_int_equal(cents("==12.50", 0), SYNTAX);
    assert_int_equal(cents("12.50'", 0), SYNTAX);
}

static void test_money_thousands_need_the_flag(void **state)
{
    (void)state;
    assert_int_equal(cents("1,234.50", 0), SYNTAX);
    assert_int_equal(cents("1,234.50", T), 123450);
    assert_int_equal(cents("\xC2\xA5" "1,234.00", T), 123400);
    assert_int_equal(cents("$1,234.50", T), 123450);
    assert_int_equal(cents("1234.50", T), 123450);
}

static void test_money_thousands_only_in_groups_of_three(void **state)
{
    (void)state;
    assert_dec("1,234,567.5", T, 12345675, 1);
    assert_dec("999,999", T, 999999, 0);
    assert_int_equal(cents("12,34", T), SYNTAX);
    assert_int_equal(cents("1,2345", T), SYNTAX);
    assert_int_equal(cents("1234,567", T), SYNTAX);
    assert_int_equal(cents(",123", T), SYNTAX);
    assert_int_equal(cents("0,123", T), SYNTAX);
    assert_int_equal(cents("1,234,", T), SYNTAX);
    assert_int_equal(cents("1,,234", T), SYNTAX);
    assert_int_equal(cents("1.234,50", T), SYNTAX);
    assert_int_equal(cents("1,234.567,890", T), SYNTAX);
}

static void test_money_rejects_malformed_numbers(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1.2.3", "1e5", "1E5", "1.5e-3", "abc", "1 234", "12 .5", "12. 5", ".", "-", "+",
        "--5", "$$5", "5$$", "0x10", "12.5.", "1,5", "NaN", "inf", "5 5", "$", "\xE5\x85\x83",
        "-.", "-", "1-", "1.-", "..5", "5..",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct crm_decimal d;
        enum crm_money_status st = dec(bad[i], 0, &d);
        if (strcmp(bad[i], "$") == 0) /* decoration alone is empty, not a number */
            assert_int_equal(st, CRM_MONEY_EMPTY);
        else if (st != CRM_MONEY_SYNTAX)
            fail_msg("\"%s\" gave status %d, want SYNTAX", bad[i], (int)st);
        assert_int_equal(d.units, -12345); /* untouched on failure */
    }
}

static void test_money_empty_field(void **state)
{
    (void)state;
    assert_int_equal(cents("", 0), EMPTY);
    assert_int_equal(cents("   ", 0), EMPTY);
    assert_int_equal(cents("=", 0), EMPTY);
    assert_int_equal(cents("=\"\"", 0), EMPTY);
    assert_int_equal(cents("'", 0), EMPTY);
    assert_int_equal(cents(" RMB ", 0), EMPTY);
    assert_int_equal(cents("()", 0), SYNTAX);
    assert_int_equal(cents("-", 0), SYNTAX);
}

static void test_money_detects_int64_overflow(void **state)
{
    (void)state;
    int64_t m;
    assert_dec("9223372036854775807", 0, INT64_MAX, 0);
    assert_dec("-9223372036854775807", 0, -INT64_MAX, 0);
    assert_int_equal(cents("9223372036854775808", 0), RANGE);
    assert_int_equal(cents("99999999999999999999999", 0), RANGE);
    assert_int_equal(cents("92233720368547758.07", 0), INT64_MAX);
    assert_int_equal(cents("92233720368547758.08", 0), RANGE);
    assert_int_equal(cents("92233720368547758.069", 0), INT64_MAX);
    assert_int_equal(cents("92233720368547758.075", 0), RANGE); /* rounds up past max */
    assert_int_equal(cents("100000000000000000", 0), RANGE);     /* 1e17 × 100 */
    assert_int_equal(cents("999999999999999999", 0), RANGE);     /* short, still too big */
    assert_int_equal(cents("-92233720368547758", 0), -9223372036854775800);
    assert_int_equal(cents("9,223,372,036,854,775,808", T), RANGE);
    assert_int_equal(crm_money_parse("1", 1, 0, 19, &m), CRM_MONEY_RANGE);
    assert_int_equal(crm_money_parse("1", 1, 0, -1, &m), CRM_MONEY_RANGE);
}

/* Found by fuzz_money: an overflowing number followed by junk was RANGE or SYNTAX depending
 * on the scale asked for; text that is not a number is SYNTAX at every scale. */
static void test_money_junk_after_a_huge_number_is_syntax(void **state)
{
    (void)state;
    struct crm_decimal d;
    int64_t m;
    static const char junk[] = "99999999999999999\x12";
    assert_int_equal(dec(junk, T, &d), CRM_MONEY_SYNTAX);
    for (int scale = 0; scale <= 6; scale++)
        assert_int_equal(crm_money_parse(junk, strlen(junk), T, scale, &m), CRM_MONEY_SYNTAX);
    assert_int_equal(cents("99999999999999999999x", 0), SYNTAX);
    assert_int_equal(cents("9,999,999,999,999,999,999 $ $", T), SYNTAX);
    assert_int_equal(dec("0.1234567890123456789.5", 0, &d), CRM_MONEY_SYNTAX);
    assert_int_equal(cents("92233720368547758.075 kg", 0), SYNTAX);
    assert_int_equal(cents("99999999999999999999 元", 0), RANGE);   /* a number, too big */
}

static void test_money_keeps_eighteen_fraction_digits(void **state)
{
    (void)state;
    struct crm_decimal d;
    assert_dec("0.123456789012345678", 0, 123456789012345678, 18);
    assert_int_equal(dec("0.1234567890123456789", 0, &d), CRM_MONEY_RANGE);
    assert_int_equal(cents("0.1234567890123456789", 0), 12);
    /* trailing zeros beyond what fits are dropped, the value stays exact */
    assert_dec("1.5000000000000000000000000", 0, 1500000000000000000, 18);
    assert_dec("12345.00000000000000000000", 0, 1234500000000000000, 14);
    assert_dec("0.000000000000000001", 0, 1, 18);
}

static void test_money_parse_rounds_half_away_from_zero(void **state)
{
    (void)state;
    int64_t m;
    assert_int_equal(cents("0.125", 0), 13);
    assert_int_equal(cents("-0.125", 0), -13);
    assert_int_equal(cents("0.124999", 0), 12);
    assert_int_equal(cents("2.675", 0), 268); /* 2.67499999… as a double */
    assert_int_equal(cents("-1.005", 0), -101);
    assert_int_equal(cents("0.005", 0), 1);
    assert_int_equal(cents("0.0049999", 0), 0);
    assert_int_equal(cents("(0.005)", 0), -1);
    assert_int_equal(crm_money_parse("0.5", 3, 0, 0, &m), CRM_MONEY_OK);
    assert_int_equal(m, 1);
    assert_int_equal(crm_money_parse("-2.5", 4, 0, 0, &m), CRM_MONEY_OK);
    assert_int_equal(m, -3);
    assert_int_equal(crm_money_parse("7", 1, 0, 4, &m), CRM_MONEY_OK);
    assert_int_equal(m, 70000);
}

static void test_money_to_minor_rounds_and_scales(void **state)
{
    (void)state;
    int64_t m = 0;
    assert_int_equal(crm_money_to_minor((struct crm_decimal){1005, 3}, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, 101);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){-1005, 3}, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, -101);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){1004, 3}, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, 100);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){5, 0}, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, 500);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){-123, 2}, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, -123);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){INT64_MIN, 2}, 0, &m),
                     CRM_MONEY_OK);
    assert_int_equal(m, -92233720368547758);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){INT64_MAX, 0}, 2, &m),
                     CRM_MONEY_RANGE);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){1, 19}, 2, &m), CRM_MONEY_RANGE);
    assert_int_equal(crm_money_to_minor((struct crm_decimal){1, 2}, 19, &m), CRM_MONEY_RANGE);
}

static int64_t product(const char *price, const char *qty, int scale)
{
    struct crm_decimal p, q;
    int64_t m = -999;
    assert_int_equal(dec(price, 0, &p), CRM_MONEY_OK);
    assert_int_equal(dec(qty, 0, &q), CRM_MONEY_OK);
    enum crm_money_status st = crm_money_mul(p, q, scale, &m);
    return st == CRM_MONEY_OK ? m : -1000 - (int64_t)st;
}

static void test_money_mul_rounds_once_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(product("2.55", "6", 2), 1530);
    assert_int_equal(product("0.165", "3", 2), 50);    /* 0.495 → 0.50 */
    assert_int_equal(product("-1.005", "1", 2), -101);
    assert_int_equal(product("1.005", "-1", 2), -101);
    assert_int_equal(product("-1.005", "-1", 2), 101);
    assert_int_equal(product("1.5", "0.3333", 2), 50);  /* 0.49995: rounded once, not twice */
    assert_int_equal(product("0.333", "3", 2), 100);
    assert_int_equal(product("0.001", "4", 2), 0);
    assert_int_equal(product("0.00", "5", 2), 0);
    assert_int_equal(product("12.5", "2", 0), 25);
    assert_int_equal(product("3", "4", 4), 120000);
}

static void test_money_mul_uci_outliers(void **state)
{
    (void)state;
    assert_int_equal(product("2.08", "80995", 2), 16846960);   /* 168469.60 */
    assert_int_equal(product("2.08", "-80995", 2), -16846960);
    assert_int_equal(product("1.04", "74215", 2), 7718360);    /* 77183.60 */
    assert_int_equal(product("38970", "1", 2), 3897000);
}

static void test_money_mul_detects_overflow(void **state)
{
    (void)state;
    int64_t m = 0;
    struct crm_decimal big = {INT64_MAX, 0}, two = {2, 0}, one = {1, 0};
    assert_int_equal(crm_money_mul(big, two, 0, &m), CRM_MONEY_RANGE);
    assert_int_equal(crm_money_mul(big, one, 2, &m), CRM_MONEY_RANGE);
    assert_int_equal(crm_money_mul((struct crm_decimal){INT64_MAX, 2}, one, 2, &m),
                     CRM_MONEY_OK);
    assert_int_equal(m, INT64_MAX);
    assert_int_equal(crm_money_mul((struct crm_decimal){INT64_MIN, 0}, one, 0, &m),
                     CRM_MONEY_RANGE); /* magnitudes are limited to INT64_MAX */
    /* a product needing all 126 bits, scaled back down: (2^63-1)^2 / 10^34 = 8507.06… */
    struct crm_decimal tiny = {INT64_MAX, 18};
    assert_int_equal(crm_money_mul(tiny, tiny, 2, &m), CRM_MONEY_OK);
    assert_int_equal(m, 8507);
    assert_int_equal(crm_money_mul(tiny, (struct crm_decimal){-1, 0}, 0, &m), CRM_MONEY_OK);
    assert_int_equal(m, -9);
    assert_int_equal(crm_money_mul(one, one, 19, &m), CRM_MONEY_RANGE);
    /* an exact half past 64 bits: 0.005 × 1 written with 18 decimals each (5·10^33) */
    assert_int_equal(product("0.005000000000000000", "1.000000000000000000", 2), 1);
    assert_int_equal(product("-0.005000000000000000", "1.000000000000000000", 2), -1);
    assert_int_equal(product("0.004999999999999999", "1.000000000000000000", 2), 0);
}

static void test_money_format_two_decimals(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(crm_money_format(123450, 2, buf), 7);
    assert_string_equal(buf, "1234.50");
    assert_int_equal(crm_money_format(-5, 2, buf), 5);
    assert_string_equal(buf, "-0.05");
    crm_money_format(0, 2, buf);
    assert_string_equal(buf, "0.00");
    crm_money_format(-100, 2, buf);
    assert_string_equal(buf, "-1.00");
    crm_money_format(7, 0, buf);
    assert_string_equal(buf, "7");
    crm_money_format(1, 18, buf);
    assert_string_equal(buf, "0.000000000000000001");
    assert_int_equal(crm_money_format(INT64_MIN, 2, buf), 21);
    assert_string_equal(buf, "-92233720368547758.08");
    assert_int_equal(crm_money_format(INT64_MAX, 18, buf), 20);
    assert_string_equal(buf, "9.223372036854775807");
}

static void test_money_format_parse_round_trip(void **state)
{
    (void)state;
    char buf[32];
    uint64_t v = 1;
    for (int i = 0; i < 2000; i++) {
        v = v * 6364136223846793005u + 1442695040888963407u; /* Knuth's MMIX LCG */
        int64_t x = (int64_t)(v >> (i % 63 + 1));
        if (i & 1)
            x = -x;
        int scale = i % 19;
        size_t n = crm_money_format(x, scale, buf);
        int64_t back = 0;
        assert_int_equal(crm_money_parse(buf, n, 0, scale, &back), CRM_MONEY_OK);
        assert_int_equal(back, x);
    }
}

/* ---- real data ---- */

struct uci_sum {
    int field;      /* 0-based field within the current record */
    long long rows; /* data rows (header excluded) */
    long long bad;
    struct crm_decimal quantity;
    int64_t total_cents;
    int row_ok;
};

static void uci_field(void *s, size_t len, void *data)
{
    struct uci_sum *u = data;
    struct crm_decimal price;
    int64_t m;
    if (u->rows >= 0 && u->field == 3)
        u->row_ok = crm_money_parse_decimal(s, len, 0, &u->quantity) == CRM_MONEY_OK;
    if (u->rows >= 0 && u->field == 5) {
        if (u->row_ok && crm_money_parse_decimal(s, len, 0, &price) == CRM_MONEY_OK &&
            crm_money_mul(price, u->quantity, 2, &m) == CRM_MONEY_OK)
            u->total_cents += m;
        else
            u->bad++;
    }
    u->field++;
}

static void uci_row(int c, void *data)
{
    struct uci_sum *u = data;
    (void)c;
    u->field = 0;
    u->rows++;
}

/* README.md of the shared data: Σ Quantity×UnitPrice over all 541,909 rows is
 * 9,747,747.93 GBP (each row rounded to the penny gives the same). */
static void test_money_uci_quantity_times_price_total(void **state)
{
    (void)state;
    char path[512], buf[65536];
    REQUIRE_SHARED("online_retail_uci_2010-2011.csv.gz", path);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    struct csv_parser csv;
    assert_int_equal(csv_init(&csv, 0), 0);
    struct uci_sum u = {0, -1, 0, {0, 0}, 0, 0};
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0)
        assert_int_equal(csv_parse(&csv, buf, (size_t)n, uci_field, uci_row, &u), (size_t)n);
    assert_int_equal(n, 0);
    csv_fini(&csv, uci_field, uci_row, &u);
    csv_free(&csv);
    gzclose(gz);
    assert_int_equal(u.rows, 541909);
    assert_int_equal(u.bad, 0);
    assert_int_equal(u.total_cents, 974774793);
}

/* Split a plain comma line (no quoting) into at most max fields; returns the count. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == ',') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

/* README.md of the shared data: Σ 总金额 = 2,995,760.61, Σ 买家实际支付金额 =
 * 1,902,487.15, Σ 退款金额 = 572,335.92 over 28,010 orders. */
static void test_money_tmall_column_totals(void **state)
{
    (void)state;
    char path[512], line[1024];
    REQUIRE_SHARED("tmall_order_report_2020-02.csv.gz", path);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    int64_t total = 0, paid = 0, refund = 0;
    long long rows = 0;
    assert_non_null(gzgets(gz, line, sizeof line)); /* header */
    while (gzgets(gz, line, sizeof line)) {
        char *f[8];
        assert_int_equal(split(line, f, 8), 7);
        int64_t a, b, c;
        /* the last field keeps its CRLF: trailing spaces are part of what is accepted */
        assert_int_equal(crm_money_parse(f[1], strlen(f[1]), 0, 2, &a), CRM_MONEY_OK);
        assert_int_equal(crm_money_parse(f[2], strlen(f[2]), 0, 2, &b), CRM_MONEY_OK);
        assert_int_equal(crm_money_parse(f[6], strlen(f[6]), 0, 2, &c), CRM_MONEY_OK);
        total += a;
        paid += b;
        refund += c;
        rows++;
    }
    gzclose(gz);
    assert_int_equal(rows, 28010);
    assert_int_equal(total, 299576061);
    assert_int_equal(paid, 190248715);
    assert_int_equal(refund, 57233592);
}

static void test_money_format_grouped_thousands(void **state)
{
    (void)state;
    char buf[48];
    assert_int_equal(crm_money_format_grouped(123456789, 2, buf), 12);
    assert_string_equal(buf, "1,234,567.89");
    crm_money_format_grouped(-100000, 0, buf);
    assert_string_equal(buf, "-100,000");
    crm_money_format_grouped(99999, 2, buf);
    assert_string_equal(buf, "999.99");
    crm_money_format_grouped(100000, 2, buf);
    assert_string_equal(buf, "1,000.00");
    crm_money_format_grouped(5, 2, buf);
    assert_string_equal(buf, "0.05");
    crm_money_format_grouped(INT64_MAX, 0, buf);
    assert_string_equal(buf, "9,223,372,036,854,775,807");
}


/* SPEC §13.1: money is never changed without saying so. */
static int64_t exact(const char *s, unsigned flags, int scale, unsigned *note)
{
    int64_t m = -999;
    enum crm_money_status st = crm_money_parse_exact(s, strlen(s), flags, scale, &m, note);
    return st == CRM_MONEY_OK ? m : -1000 - (int64_t)st;
}

#define PRECISION (-1000 - (int64_t)CRM_MONEY_PRECISION)

static void test_money_exact_refuses_extra_decimals(void **state)
{
    (void)state;
    unsigned note;
    assert_int_equal(exact("1.234", 0, 2, &note), PRECISION);      /* was stored as 1.23 */
    assert_int_equal(exact("$1,234.567", T, 2, &note), PRECISION);
    assert_int_equal(exact("1.230", 0, 2, &note), 123);            /* extra zeros are fine */
    assert_int_equal(note, 0u);
    assert_int_equal(exact("1.2300000000000000000000", 0, 2, &note), 123);
    assert_int_equal(exact("1.234", 0, 3, &note), 1234);           /* --money-scale 3 */
    assert_int_equal(exact("12", 0, 0, &note), 12);
    assert_int_equal(exact("12.5", 0, 0, &note), PRECISION);
    /* past 18 significant digits (found by fuzz_money) */
    assert_int_equal(exact("99999001.04344368981", 0, 2, &note), PRECISION);
    assert_int_equal(exact("99999001.04344368981", CRM_MONEY_ROUND, 2, &note), 9999900104);
    assert_int_equal(note, CRM_MONEY_ROUNDED);
    assert_int_equal(exact("99999001.04000000000", 0, 2, &note), 9999900104);
    assert_int_equal(note, 0u);
}

static void test_money_exact_rounds_when_asked(void **state)
{
    (void)state;
    unsigned note;
    assert_int_equal(exact("1.235", CRM_MONEY_ROUND, 2, &note), 124);
    assert_int_equal(note, CRM_MONEY_ROUNDED);
    assert_int_equal(exact("-1.235", CRM_MONEY_ROUND, 2, &note), -124);
    assert_int_equal(note, CRM_MONEY_ROUNDED | CRM_MONEY_NEGATIVE);
    assert_int_equal(exact("1.20", CRM_MONEY_ROUND, 2, &note), 120);
    assert_int_equal(note, 0u);
}

static void test_money_exact_notes_negative_that_rounds_to_zero(void **state)
{
    (void)state;
    unsigned note;
    assert_int_equal(exact("-0.004", 0, 2, &note), PRECISION);
    assert_int_equal(exact("-0.004", CRM_MONEY_ROUND, 2, &note), 0);
    assert_int_equal(note, CRM_MONEY_ROUNDED | CRM_MONEY_NEGATIVE);
    assert_int_equal(exact("-0.00", 0, 2, &note), 0);
    assert_int_equal(note, CRM_MONEY_NEGATIVE);
    assert_int_equal(exact("(0.50)", 0, 2, &note), -50);
    assert_int_equal(note, CRM_MONEY_NEGATIVE);
}

static void test_money_decimal_comma(void **state)
{
    (void)state;
    unsigned note;
    const unsigned D = CRM_MONEY_DECIMAL_COMMA;
    assert_int_equal(exact("1.234,50", D, 2, &note), 123450);
    assert_int_equal(exact("89,90", D, 2, &note), 8990);
    assert_int_equal(exact("\xE2\x82\xAC 12,00", D, 2, &note), 1200);
    assert_int_equal(exact("12,00 \xE2\x82\xAC", D, 2, &note), 1200);
    assert_int_equal(exact("1 234,5", D, 2, &note), 123450);
    assert_int_equal(exact("1\xC2\xA0" "234,5", D, 2, &note), 123450);
    assert_int_equal(exact("-3,5", D, 2, &note), -350);
    assert_int_equal(exact("1.234.567", D, 2, &note), 123456700);
    assert_int_equal(exact("1,234", D, 2, &note), PRECISION);
    assert_int_equal(exact("12.34", D, 2, &note), SYNTAX);         /* not a group of three */
    assert_int_equal(exact("1,2,3", D, 2, &note), SYNTAX);
    struct crm_decimal d;
    assert_int_equal(crm_money_parse_decimal("4,995", 5, D, &d), CRM_MONEY_OK);
    assert_int_equal(d.units, 4995);
    assert_int_equal(d.scale, 3);
}

static void test_money_spots_decimal_comma_text(void **state)
{
    (void)state;
    assert_true(crm_money_looks_decimal_comma("89,90", 5));
    assert_true(crm_money_looks_decimal_comma("1.234,50", 8));
    assert_false(crm_money_looks_decimal_comma("89.90", 5));
    assert_false(crm_money_looks_decimal_comma("abc,de", 6));
}

/* crm_money_format against a plain model (printf of the magnitude, the point placed by
 * hand) over every scale 0..18 and values of every length, both signs, the extremes. */
static void model_format(int64_t minor, int scale, char *buf)
{
    char digits[32];
    unsigned long long mag = minor < 0 ? 0ULL - (unsigned long long)minor
                                       : (unsigned long long)minor;
    int n = snprintf(digits, sizeof digits, "%0*llu", scale + 1, mag);
    size_t len = 0;
    if (minor < 0)
        buf[len++] = '-';
    memcpy(buf + len, digits, (size_t)(n - scale));
    len += (size_t)(n - scale);
    if (scale > 0) {
        buf[len++] = '.';
        memcpy(buf + len, digits + n - scale, (size_t)scale);
        len += (size_t)scale;
    }
    buf[len] = '\0';
}

static void test_money_format_matches_model(void **state)
{
    (void)state;
    int64_t v[200];
    size_t k = 0;
    v[k++] = 0;
    v[k++] = INT64_MAX;
    v[k++] = INT64_MIN;
    v[k++] = INT64_MIN + 1;
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {   /* 1, 9, 10, 11, 99... per length */
        int64_t each[] = {p, p - 1, p + 1, 10 * p - 1, 5 * p + 7};
        for (size_t j = 0; j < 5; j++) {
            v[k++] = each[j];
            v[k++] = -each[j];
        }
    }
    for (size_t i = 0; i < k; i++)
        for (int scale = 0; scale <= 18; scale++) {
            char got[64], want[64];
            size_t n = crm_money_format(v[i], scale, got);
            model_format(v[i], scale, want);
            if (strcmp(got, want) != 0 || n != strlen(want))
                fail_msg("%lld at scale %d: \"%s\", expected \"%s\"", (long long)v[i], scale,
                         got, want);
        }
}

/* The byte-by-byte reading of [-]digits[.digits] (at most 18 characters) that the one-word
 * short path must agree with: the parsers' plain shape as it was before that path. */
static int plain_bytewise(const char *s, size_t len, uint64_t *mag, int *frac_digits, int *neg)
{
    size_t i, dot = len;
    uint64_t v = 0;
    *neg = len > 0 && s[0] == '-';
    i = (size_t)*neg;
    if (len > 18 || len == i)
        return 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d <= 9)
            v = v * 10 + d;
        else if (s[i] == '.' && dot == len)
            dot = i;
        else
            return 0;
    }
    if (len - (size_t)*neg == 1 && dot != len)
        return 0;
    *mag = v;
    *frac_digits = dot == len ? 0 : (int)(len - dot - 1);
    return 1;
}

/* One text: the short path takes it exactly when it has the plain shape in 4 to 8
 * characters after the sign, and then gives the byte-by-byte values; the public parsers
 * give those values too. The text is copied to a buffer of exactly len bytes, so a read
 * past it shows under the sanitizers and valgrind. */
static void check_short(const char *text, size_t len)
{
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    memcpy(s, text, len);
    uint64_t m1 = 7, m2 = 9;
    int f1 = -1, f2 = -2, n1 = -1, n2 = -2;
    int want = plain_bytewise(s, len, &m1, &f1, &n1);
    size_t body = len - (size_t)(len > 0 && s[0] == '-');
    int got = crm_money_scan_short(s, len, &m2, &f2, &n2);
    if (got != (want && body >= 4 && body <= 8))
        fail_msg("short path %d, byte by byte %d on \"%.*s\"", got, want, (int)len, s);
    if (got && (m1 != m2 || f1 != f2 || n1 != n2))
        fail_msg("\"%.*s\": %llu/%d/%d against %llu/%d/%d", (int)len, s,
                 (unsigned long long)m2, f2, n2, (unsigned long long)m1, f1, n1);
    struct crm_decimal d;
    if (want) {
        assert_int_equal(crm_money_parse_decimal(s, len, 0, &d), CRM_MONEY_OK);
        assert_int_equal(d.units, n1 ? -(int64_t)m1 : (int64_t)m1);
        assert_int_equal(d.scale, f1);
    }
    free(s);
}

/* len bytes of a random money-like text from the xorshift state *x: mostly digits, a point
 * and a sign, with commas when asked, sometimes any byte. */
static void random_text(uint64_t *x, char *s, size_t len, int commas)
{
    for (size_t i = 0; i < len; i++) {
        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
        unsigned pick = (unsigned)(*x % 64);
        s[i] = pick < 50             ? (char)('0' + pick % 10)
               : pick < 55           ? '.'
               : pick < 58           ? '-'
               : commas && pick < 60 ? ','
                                     : (char)(*x >> 24);
    }
}

static void test_money_short_path_reads_as_byte_by_byte(void **state)
{
    (void)state;
    /* every text of up to 9 bytes over digits, the point, signs and a stray byte */
    static const char alphabet[] = "09.-/";
    char s[16];
    for (size_t len = 0; len <= 9; len++) {
        size_t count = 1;
        for (size_t i = 0; i < len; i++)
            count *= sizeof alphabet - 1;
        for (size_t k = 0; k < count; k++) {
            size_t r = k;
            for (size_t i = 0; i < len; i++, r /= sizeof alphabet - 1)
                s[i] = alphabet[r % (sizeof alphabet - 1)];
            check_short(s, len);
        }
    }
    /* random texts of up to 10 bytes: mostly digits, a point and a sign, sometimes any byte */
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 400000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = (size_t)(x % 11);
        random_text(&x, s, len, 0);
        check_short(s, len);
    }
    /* named edges: leading zeros, the largest values, the point first or last */
    static const char *const edges[] = {"0000", "00000000", "99999999", "-99999999", "9999.999",
                                        ".1234567", "1234567.", "-.123", "-123.", "0.00",
                                        "-0.00", "331.99", "12345.67", "1.2.3", "12-3",
                                        "+123", "12 3", "1e10", "12:3"};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        check_short(edges[i], strlen(edges[i]));
    uint64_t m;
    int f, n;
    assert_true(crm_money_scan_short("-9999.99", 8, &m, &f, &n));
    assert_true(m == 999999 && f == 2 && n == 1);
}

/* One text at one scale and flags: crm_money_parse_exact (its inline path for the usual
 * amount) gives exactly what the general reading gives, in a buffer of exactly len bytes. */
static void check_exact_paths(const char *text, size_t len, unsigned flags, int scale)
{
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    memcpy(s, text, len);
    int64_t m1 = -7, m2 = -9;
    unsigned n1 = 77, n2 = 99;
    enum crm_money_status st1 = crm_money_parse_exact(s, len, flags, scale, &m1, &n1);
    enum crm_money_status st2 = crm_money_parse_exact_general(s, len, flags, scale, &m2, &n2);
    if (st1 != st2 || (st1 == CRM_MONEY_OK && (m1 != m2 || n1 != n2)))
        fail_msg("\"%.*s\" scale %d flags %u: %d/%lld/%u against %d/%lld/%u", (int)len, s,
                 scale, flags, (int)st1, (long long)m1, n1, (int)st2, (long long)m2, n2);
    free(s);
}

static void test_money_exact_inline_path_agrees_with_general(void **state)
{
    (void)state;
    static const unsigned flag_sets[] = {0, CRM_MONEY_ROUND, CRM_MONEY_DECIMAL_COMMA,
                                         CRM_MONEY_THOUSANDS, CRM_MONEY_ROUND |
                                         CRM_MONEY_DECIMAL_COMMA};
    static const char *const edges[] = {"331.99", "64.00", "42.6", "7", "-0.00", "-0.004",
                                        "99999999", "-99999999", "9999.999", ".1234567",
                                        "1234567.", "-.123", "-123.", "0000", "1.234",
                                        "1.230", "12,5", "1,234", "+123", "1e10", "", "-",
                                        "12345678.9", "123456789", " 12.50", "12.50 "};
    char s[16];
    for (int scale = -1; scale <= 20; scale++)
        for (size_t f = 0; f < sizeof flag_sets / sizeof *flag_sets; f++)
            for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
                check_exact_paths(edges[i], strlen(edges[i]), flag_sets[f], scale);
    /* named values: the inline path's own arithmetic */
    int64_t m;
    unsigned note;
    assert_int_equal(crm_money_parse_exact("42.6", 4, 0, 2, &m, &note), CRM_MONEY_OK);
    assert_true(m == 4260 && note == 0);
    assert_int_equal(crm_money_parse_exact("-9999.99", 8, 0, 12, &m, &note), CRM_MONEY_OK);
    assert_true(m == -9999990000000000 && note == CRM_MONEY_NEGATIVE);
    assert_int_equal(crm_money_parse_exact("99999999", 8, 0, 10, &m, &note), CRM_MONEY_OK);
    assert_true(m == 999999990000000000 && note == 0);
    assert_int_equal(crm_money_parse_exact("99999999", 8, 0, 11, &m, &note), CRM_MONEY_RANGE);
    assert_int_equal(crm_money_parse_exact("-0.00", 5, 0, 2, &m, &note), CRM_MONEY_OK);
    assert_true(m == 0 && note == CRM_MONEY_NEGATIVE);
    assert_int_equal(crm_money_parse_exact("1.234", 5, 0, 2, &m, &note), CRM_MONEY_PRECISION);
    assert_int_equal(crm_money_parse_exact("1.234", 5, CRM_MONEY_DECIMAL_COMMA, 3, &m, &note),
                     CRM_MONEY_OK);
    assert_int_equal(m, 1234000);     /* a decimal-comma file: the '.' groups thousands */
    /* random texts of up to 11 bytes at every scale and flag set */
    uint64_t x = 2463534242ull;
    for (int round = 0; round < 300000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = (size_t)(x % 12);
        int scale = (int)(x >> 8 & 31) - 2;
        unsigned flags = flag_sets[(x >> 16) % 5];
        random_text(&x, s, len, 1);
        check_exact_paths(s, len, flags, scale);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_format_grouped_thousands),
        cmocka_unit_test(test_money_parses_plain_decimal),
        cmocka_unit_test(test_money_keeps_written_scale),
        cmocka_unit_test(test_money_parses_signs),
        cmocka_unit_test(test_money_parses_currency_symbols),
        cmocka_unit_test(test_money_parses_currency_codes_any_case),
        cmocka_unit_test(test_money_parses_yuan_suffix),
        cmocka_unit_test(test_money_sign_before_or_after_symbol),
        cmocka_unit_test(test_money_accounting_parentheses_are_negative),
        cmocka_unit_test(test_money_strips_export_decorations),
        cmocka_unit_test(test_money_thousands_need_the_flag),
        cmocka_unit_test(test_money_thousands_only_in_groups_of_three),
        cmocka_unit_test(test_money_rejects_malformed_numbers),
        cmocka_unit_test(test_money_empty_field),
        cmocka_unit_test(test_money_detects_int64_overflow),
        cmocka_unit_test(test_money_junk_after_a_huge_number_is_syntax),
        cmocka_unit_test(test_money_keeps_eighteen_fraction_digits),
        cmocka_unit_test(test_money_parse_rounds_half_away_from_zero),
        cmocka_unit_test(test_money_to_minor_rounds_and_scales),
        cmocka_unit_test(test_money_mul_rounds_once_half_away_from_zero),
        cmocka_unit_test(test_money_mul_uci_outliers),
        cmocka_unit_test(test_money_mul_detects_overflow),
        cmocka_unit_test(test_money_format_two_decimals),
        cmocka_unit_test(test_money_format_parse_round_trip),
        cmocka_unit_test(test_money_uci_quantity_times_price_total),
        cmocka_unit_test(test_money_tmall_column_totals),
        cmocka_unit_test(test_money_exact_refuses_extra_decimals),
        cmocka_unit_test(test_money_exact_rounds_when_asked),
        cmocka_unit_test(test_money_exact_notes_negative_that_rounds_to_zero),
        cmocka_unit_test(test_money_decimal_comma),
        cmocka_unit_test(test_money_spots_decimal_comma_text),
        cmocka_unit_test(test_money_format_matches_model),
        cmocka_unit_test(test_money_short_path_reads_as_byte_by_byte),
        cmocka_unit_test(test_money_exact_inline_path_agrees_with_general),
    };
    return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
