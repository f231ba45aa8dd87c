/* Tests for lib/timeparse: auto-detected and strftime-style timestamps, strict calendar
 * validation, Hinnant's civil calendar at its boundaries, formatting, and the time
 * ranges of the real UCI, Tmall and CDNOW files. */
#include "testutil.h"

#include <zlib.h>

#include "text/timeparse.h"

#define D20240301 19783LL /* days from 1970-01-01 to 2024-03-01 */
#define S20240301 (D20240301 * 86400)

/* Auto-parse; returns secs, or the sentinel INT64_MIN when the parser says no. */
static int64_t tp(const char *s)
{
    struct crm_time_parsed t = {-7, -7, -7};
    if (crm_time_parse(s, strlen(s), &t) != 0) {
        assert_int_equal(t.secs, -7); /* untouched on failure */
        return INT64_MIN;
    }
    return t.secs;
}

static int64_t tpf(const char *s, const char *format)
{
    struct crm_time_parsed t = {-7, -7, -7};
    if (crm_time_parse_format(s, strlen(s), format, &t) != 0)
        return INT64_MIN;
    return t.secs;
}

static int64_t hms(int64_t h, int64_t m, int64_t s)
{
    return h * 3600 + m * 60 + s;
}

static void test_timeparse_iso_date_time(void **state)
{
    (void)state;
    struct crm_time_parsed t;
    assert_int_equal(crm_time_parse("2024-03-01 08:26:00", 19, &t), 0);
    assert_int_equal(t.secs, 1709281560);
    assert_int_equal(t.has_offset, 0);
    assert_int_equal(t.offset_secs, 0);
    assert_int_equal(tp("2011-12-09 12:50:00"), 15317 * 86400LL + hms(12, 50, 0));
    assert_int_equal(tp("2024-03-01T08:26:00"), 1709281560);
}

/* Rows in time order share a date, which the parser remembers: each row is still read in
 * full, a bad time on a remembered date is bad, a bad date is never remembered. */
static void test_timeparse_rows_of_one_date(void **state)
{
    (void)state;
    const int64_t d = (D20240301 - 1) * 86400;                  /* 2024-02-29 */
    assert_int_equal(tp("2024-02-29 10:00:00"), d + hms(10, 0, 0));
    assert_int_equal(tp("2024-02-29 23:59:59"), d + hms(23, 59, 59));
    assert_int_equal(tp("2024-02-29 24:00:00"), INT64_MIN);
    assert_int_equal(tp("2024-02-29 10:60:00"), INT64_MIN);
    assert_int_equal(tp("2024-02-29 10:00:60"), INT64_MIN);
    assert_int_equal(tp("2024-02-29 1x:00:00"), INT64_MIN);
    assert_int_equal(tp("2024-02-29T00:00:01"), d + 1);
    assert_int_equal(tp("2023-02-29 10:00:00"), INT64_MIN);      /* not a leap year */
    assert_int_equal(tp("2023-02-29 10:00:00"), INT64_MIN);      /* nor the second time */
    assert_int_equal(tp("2024-03-01 00:00:00"), S20240301);
    assert_int_equal(tp("2024-02-29 00:00:00"), d);
    assert_int_equal(tp("2024-02-2x 00:00:00"), INT64_MIN);
    assert_int_equal(tp("2024-02-29 00:00:00"), d);
}

static void test_timeparse_iso_variants(void **state)
{
    (void)state;
    assert_int_equal(tp("2024-03-01"), S20240301);
    assert_int_equal(tp("2024-03-01 08:26"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("2024/03/01 08:26"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("2024.03.01"), S20240301);
    assert_int_equal(tp("2024-3-1 8:26"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("2024/3/1"), S20240301);
    assert_int_equal(tp("2024-03-01T08:26:07.123456"), S20240301 + hms(8, 26, 7));
    assert_int_equal(tp("2024-03-01 08:26:07,5"), S20240301 + hms(8, 26, 7));
    assert_int_equal(tp("2024-03-01   08:26"), S20240301 + hms(8, 26, 0));
    /* 19 characters shaped like the fast path but not in it: falls back */
    assert_int_equal(tp("2024-03-01  8:26:00"), S20240301 + hms(8, 26, 0));
}

static void test_timeparse_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int32_t offset;
    } ok[] = {
        {"2024-03-01T08:26:00+08:00", 28800}, {"2024-03-01 08:26:00+0800", 28800},
        {"2024-03-01 08:26+08", 28800},       {"2024-03-01T08:26:00Z", 0},
        {"2024-03-01T08:26:00-05:30", -19800}, {"2024-03-01 08:26:00 +0800", 28800},
        {"2024-03-01T08:26:00.5+01:00", 3600}, {"2024-03-01T08:26:00-00:00", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct crm_time_parsed t = {0, 0, 0};
        if (crm_time_parse(ok[i].text, strlen(ok[i].text), &t) != 0)
            fail_msg("rejected %s", ok[i].text);
        assert_int_equal(t.has_offset, 1);
        assert_int_equal(t.offset_secs, ok[i].offset);
        assert_int_equal(t.secs - t.secs % 60, S20240301 + hms(8, 26, 0)); /* wall clock */
    }
    assert_int_equal(tp("2024-03-01 08:26:00+8"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 08:26:00+08:0"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 08:26:00+19:00"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 08:26:00+08:60"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 08:26:00+08:00x"), INT64_MIN);
    assert_int_equal(tp("2024-03-01+08:00"), INT64_MIN); /* offsets need a time */
}

static void test_timeparse_compact_digits(void **state)
{
    (void)state;
    assert_int_equal(tp("20240301"), S20240301);
    assert_int_equal(tp("19970101"), 9862 * 86400LL);
    assert_int_equal(tp("20240301082607"), S20240301 + hms(8, 26, 7));
    assert_int_equal(tp("2024030108"), INT64_MIN);
    assert_int_equal(tp("202403011"), INT64_MIN);
    assert_int_equal(tp("2024030108260"), INT64_MIN);
    assert_int_equal(tp("20240230"), INT64_MIN);
    assert_int_equal(tp("20240301250000"), INT64_MIN);
}

static void test_timeparse_chinese_date(void **state)
{
    (void)state;
    assert_int_equal(tp("2024\xE5\xB9\xB4" "3\xE6\x9C\x88" "1\xE6\x97\xA5"), S20240301);
    assert_int_equal(tp("2024\xE5\xB9\xB4" "03\xE6\x9C\x88" "01\xE6\x97\xA5 08:26"),
                     S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("2024\xE5\xB9\xB4" "3\xE6\x9C\x88" "1\xE6\x97\xA5" "8:26:05"),
                     S20240301 + hms(8, 26, 5));
    assert_int_equal(tp("2024\xE5\xB9\xB4" "3\xE6\x9C\x88" "1"), INT64_MIN);
    assert_int_equal(tp("2024\xE5\xB9\xB4" "2\xE6\x9C\x88" "30\xE6\x97\xA5"), INT64_MIN);
}

static void test_timeparse_export_wrappers(void **state)
{
    (void)state;
    assert_int_equal(tp("=\"2024-03-01\""), S20240301);
    assert_int_equal(tp("'2024-03-01"), S20240301);
    assert_int_equal(tp("=2024-03-01 08:26"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("  2024-03-01 08:26:00  "), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("2024-03-01 08:26:00\r\n"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tp("=\"20240301\""), S20240301);
    assert_int_equal(tp("\"2024-03-01\""), INT64_MIN);
}

static void test_timeparse_rejects_invalid_calendar_dates(void **state)
{
    (void)state;
    assert_int_equal(tp("2023-02-29"), INT64_MIN);
    assert_int_equal(tp("2024-02-29"), (D20240301 - 1) * 86400);
    assert_int_equal(tp("1900-02-29"), INT64_MIN); /* century, not leap */
    assert_int_equal(tp("2000-02-29"), 11016 * 86400LL); /* 400th year, leap */
    assert_int_equal(tp("2100-02-29"), INT64_MIN);
    assert_int_equal(tp("2024-04-31"), INT64_MIN);
    assert_int_equal(tp("2024-13-01"), INT64_MIN);
    assert_int_equal(tp("2024-00-10"), INT64_MIN);
    assert_int_equal(tp("2024-01-00"), INT64_MIN);
    assert_int_equal(tp("2024-01-32"), INT64_MIN);
    assert_int_equal(tp("2023-02-29 10:00:00"), INT64_MIN); /* fast path too */
}

static void test_timeparse_rejects_24h_and_leap_second(void **state)
{
    (void)state;
    assert_int_equal(tp("2024-03-01 24:00:00"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 24:00"), INT64_MIN);
    assert_int_equal(tp("2016-12-31 23:59:60"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 12:60"), INT64_MIN);
    assert_int_equal(tp("2024-03-01 23:59:59"), D20240301 * 86400 + 86399);
    assert_int_equal(tp("2024-03-01 00:00:00"), S20240301);
}

static void test_timeparse_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "   ", "abc", "2024-03", "2024-03-01x", "2024-03/01", "24-03-01", "2024-03-01 08",
        "2024-03-01 08:2", "2024-03-01 8:26:0", "2024-03-01T", "2024-03-01 08:26:00.",
        "12/1/2010 8:26", "2024-003-01", "2024-03-001", "2024-03-01T 08:26", "2024-03-01t08:26",
        "2024-03-01 08:26:00 +08:00 x", "=", "2024-1-1-1", "02024-03-01", "2024-03-01 123:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tp(bad[i]) != INT64_MIN)
            fail_msg("accepted \"%s\"", bad[i]);
}

static void test_timeparse_format_uci_month_day_year(void **state)
{
    (void)state;
    const char *f = "%m/%d/%Y %H:%M";
    assert_int_equal(tpf("12/1/2010 8:26", f), 1291191960);
    assert_int_equal(tpf("12/01/2010 08:26", f), 1291191960);
    assert_int_equal(tpf("1/1/2011 10:01", f), 14975 * 86400LL + hms(10, 1, 0));
    assert_int_equal(tpf("12/9/2011 12:50", f), 15317 * 86400LL + hms(12, 50, 0));
    assert_int_equal(tpf("2/30/2011 10:01", f), INT64_MIN);
    assert_int_equal(tpf("13/1/2011 10:01", f), INT64_MIN);
    assert_int_equal(tpf("12/1/2010 24:00", f), INT64_MIN);
    assert_int_equal(tpf("12/1/10 8:26", f), INT64_MIN); /* %Y wants four digits */
    assert_int_equal(tpf("12/1/2010 8:26:00", f), INT64_MIN); /* unconsumed input */
    assert_int_equal(tpf("  12/1/2010 8:26 ", f), 1291191960);
}

static void test_timeparse_format_day_month_year_and_compact(void **state)
{
    (void)state;
    assert_int_equal(tpf("01.03.2024", "%d.%m.%Y"), S20240301);
    assert_int_equal(tpf("1.3.2024", "%d.%m.%Y"), S20240301);
    assert_int_equal(tpf("1-3-2024", "%d.%m.%Y"), INT64_MIN);
    assert_int_equal(tpf("20240301", "%Y%m%d"), S20240301);
    assert_int_equal(tpf("2024-03-01", "%F"), S20240301);
    assert_int_equal(tpf("2024-03-01 08:26:07", "%F %T"), S20240301 + hms(8, 26, 7));
    assert_int_equal(tpf("2024-03-01 08:26", "%F %R"), S20240301 + hms(8, 26, 0));
    assert_int_equal(tpf("03/01/24", "%D"), S20240301);
    assert_int_equal(tpf("03/01/69", "%D"), (int64_t)(-306 * 86400LL));
    assert_int_equal(tpf("03/01/68", "%m/%d/%y"), 35854 * 86400LL);
}

static void test_timeparse_format_month_names(void **state)
{
    (void)state;
    const char *f = "%b %d, %Y";
    assert_int_equal(tpf("Mar 1, 2024", f), S20240301);
    assert_int_equal(tpf("March 01, 2024", f), S20240301);
    assert_int_equal(tpf("mar  1,  2024", f), S20240301);
    assert_int_equal(tpf("MARCH 1, 2024", "%B %d, %Y"), S20240301);
    assert_int_equal(tpf("Sep 30, 2024", f), 19996 * 86400LL);
    assert_int_equal(tpf("Mrz 1, 2024", f), INT64_MIN);
    assert_int_equal(tpf("Mar 1 2024", f), INT64_MIN);
    assert_int_equal(tpf("Fri, 01 Mar 2024 08:26:00 +0800", "%a, %d %b %Y %T %z"),
                     S20240301 + hms(8, 26, 0));
    assert_int_equal(tpf("Mar  1 2024", "%b %e %Y"), S20240301);
}

static void test_timeparse_format_twelve_hour_clock(void **state)
{
    (void)state;
    const char *f = "%Y-%m-%d %I:%M %p";
    assert_int_equal(tpf("2024-03-01 8:26 PM", f), S20240301 + hms(20, 26, 0));
    assert_int_equal(tpf("2024-03-01 8:26 am", f), S20240301 + hms(8, 26, 0));
    assert_int_equal(tpf("2024-03-01 12:00 AM", f), S20240301);
    assert_int_equal(tpf("2024-03-01 12:30 pm", f), S20240301 + hms(12, 30, 0));
    assert_int_equal(tpf("2024-03-01 8:26PM", f), S20240301 + hms(20, 26, 0));
    assert_int_equal(tpf("2024-03-01 13:00 PM", f), INT64_MIN);
    assert_int_equal(tpf("2024-03-01 0:00 AM", f), INT64_MIN);
    assert_int_equal(tpf("2024-03-01 8:26 XM", f), INT64_MIN);
    assert_int_equal(tpf("8:26 PM", "%I:%M %p"), hms(20, 26, 0)); /* date defaults 1970-01-01 */
}

static void test_timeparse_format_day_of_year(void **state)
{
    (void)state;
    assert_int_equal(tpf("2024-061", "%Y-%j"), S20240301); /* leap year: 31 + 29 + 1 */
    assert_int_equal(tpf("2023-060", "%Y-%j"), 19417 * 86400LL);
    assert_int_equal(tpf("2023-366", "%Y-%j"), INT64_MIN);
    assert_int_equal(tpf("2024-366", "%Y-%j"), 20088 * 86400LL);
    assert_int_equal(tpf("2024-000", "%Y-%j"), INT64_MIN);
    assert_int_equal(tpf("2024-061 03-01", "%Y-%j %m-%d"), S20240301);
    assert_int_equal(tpf("2024-061 03-02", "%Y-%j %m-%d"), INT64_MIN);
}

static void test_timeparse_format_offset_and_epoch(void **state)
{
    (void)state;
    struct crm_time_parsed t;
    const char *s = "2024-03-01 08:26:00 -0330";
    assert_int_equal(crm_time_parse_format(s, strlen(s), "%F %T %z", &t), 0);
    assert_int_equal(t.secs, S20240301 + hms(8, 26, 0));
    assert_int_equal(t.has_offset, 1);
    assert_int_equal(t.offset_secs, -12600);
    assert_int_equal(crm_time_parse_format("1709281560", 10, "%s", &t), 0);
    assert_int_equal(t.secs, 1709281560);
    assert_int_equal(t.has_offset, 1);
    assert_int_equal(t.offset_secs, 0);
    assert_int_equal(crm_time_parse_format("-1", 2, "%s", &t), 0);
    assert_int_equal(t.secs, -1);
    assert_int_equal(tpf("99999999999999", "%s"), INT64_MIN);
    assert_int_equal(tpf("-", "%s"), INT64_MIN);
}

static void test_timeparse_format_literals_and_errors(void **state)
{
    (void)state;
    assert_int_equal(tpf("2024% 03", "%Y%% %m"), 19783 * 86400LL);
    assert_int_equal(tpf("2024", "%Y%"), INT64_MIN);     /* lone % at the end */
    assert_int_equal(tpf("2024", "%Q"), INT64_MIN);      /* unknown conversion */
    assert_int_equal(tpf("2024x03", "%Yy%m"), INT64_MIN);
    assert_int_equal(tpf("2024-03-01T08", "%FT%H"), S20240301 + hms(8, 0, 0));
    assert_int_equal(tpf("=\"2024-03-01\"", "%F"), S20240301);
    assert_int_equal(tpf("", "%F"), INT64_MIN);
    assert_int_equal(tpf("12:60", "%H:%M"), INT64_MIN);
    assert_int_equal(tpf("12:59:60", "%T"), INT64_MIN);
}

static void test_timeparse_days_from_civil_boundaries(void **state)
{
    (void)state;
    assert_int_equal(crm_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(crm_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(crm_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(crm_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(crm_days_from_civil(2100, 2, 28), 47540);
    assert_int_equal(crm_days_from_civil(2100, 3, 1), 47541);
    assert_int_equal(crm_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(crm_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(crm_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(crm_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(crm_days_from_civil(-1, 12, 31), -719529);
    assert_int_equal(crm_days_from_civil(1900, 3, 1), -25508);
}

static void test_timeparse_civil_from_days_boundaries(void **state)
{
    (void)state;
    int y;
    unsigned m, d;
    crm_civil_from_days(0, &y, &m, &d);
    assert_true(y == 1970 && m == 1 && d == 1);
    crm_civil_from_days(-1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    crm_civil_from_days(11016, &y, &m, &d);
    assert_true(y == 2000 && m == 2 && d == 29);
    crm_civil_from_days(47541, &y, &m, &d);
    assert_true(y == 2100 && m == 3 && d == 1);
    crm_civil_from_days(2932896, &y, &m, &d);
    assert_true(y == 9999 && m == 12 && d == 31);
    crm_civil_from_days(-719529, &y, &m, &d);
    assert_true(y == -1 && m == 12 && d == 31);
}

/* Every day from 4000 BC to AD 12000 maps to a valid date one day after the previous. */
static void test_timeparse_days_civil_round_trip(void **state)
{
    (void)state;
    int32_t lo = crm_days_from_civil(-4000, 1, 1), hi = crm_days_from_civil(12000, 1, 1);
    int py = -4001;
    unsigned pm = 12, pd = 31;
    for (int32_t z = lo; z <= hi; z++) {
        int y;
        unsigned m, d;
        crm_civil_from_days(z, &y, &m, &d);
        int next_day = y == py && m == pm && d == pd + 1;
        int next_month = y == py && m == pm + 1 && d == 1 &&
                         pd == (unsigned)crm_days_in_month(py, pm);
        int next_year = y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31;
        if (!(next_day || next_month || next_year))
            fail_msg("day %d: %d-%u-%u after %d-%u-%u", z, y, m, d, py, pm, pd);
        if (crm_days_from_civil(y, m, d) != z)
            fail_msg("day %d does not round-trip", z);
        py = y, pm = m, pd = d;
    }
    /* extremes of int32 days survive the int64 arithmetic */
    int y;
    unsigned m, d;
    crm_civil_from_days(INT32_MAX, &y, &m, &d);
    assert_int_equal(crm_days_from_civil(y, m, d), INT32_MAX);
    crm_civil_from_days(INT32_MIN, &y, &m, &d);
    assert_int_equal(crm_days_from_civil(y, m, d), INT32_MIN);
}

static void test_timeparse_days_in_month_leap_rules(void **state)
{
    (void)state;
    assert_int_equal(crm_days_in_month(2024, 2), 29);
    assert_int_equal(crm_days_in_month(2023, 2), 28);
    assert_int_equal(crm_days_in_month(1900, 2), 28);
    assert_int_equal(crm_days_in_month(2000, 2), 29);
    assert_int_equal(crm_days_in_month(2100, 2), 28);
    assert_int_equal(crm_days_in_month(0, 2), 29);
    assert_int_equal(crm_days_in_month(2023, 4), 30);
    assert_int_equal(crm_days_in_month(2023, 12), 31);
    assert_int_equal(crm_days_in_month(2023, 0), 0);
    assert_int_equal(crm_days_in_month(2023, 13), 0);
}

static void test_timeparse_time_day_floors_negative_seconds(void **state)
{
    (void)state;
    assert_int_equal(crm_time_day(0), 0);
    assert_int_equal(crm_time_day(86399), 0);
    assert_int_equal(crm_time_day(86400), 1);
    assert_int_equal(crm_time_day(-1), -1);
    assert_int_equal(crm_time_day(-86400), -1);
    assert_int_equal(crm_time_day(-86401), -2);
    assert_int_equal(crm_time_day(1709281560), 19783);
}

static void test_timeparse_formats_dates_and_times(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(crm_date_format(0, buf), 10);
    assert_string_equal(buf, "1970-01-01");
    crm_date_format(-1, buf);
    assert_string_equal(buf, "1969-12-31");
    crm_date_format(11016, buf);
    assert_string_equal(buf, "2000-02-29");
    crm_date_format(2932896, buf);
    assert_string_equal(buf, "9999-12-31");
    crm_date_format(-719528, buf);
    assert_string_equal(buf, "0000-01-01");
    crm_date_format(2932897, buf); /* 10000-01-01 does not fit */
    assert_string_equal(buf, "0000-00-00");
    crm_date_format(-719529, buf);
    assert_string_equal(buf, "0000-00-00");
    assert_int_equal(crm_time_format(1291191960, buf), 19);
    assert_string_equal(buf, "2010-12-01 08:26:00");
    crm_time_format(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59");
    crm_time_format(INT64_MIN, buf);
    assert_string_equal(buf, "0000-00-00 00:00:00");
    crm_time_format(INT64_MAX, buf);
    assert_string_equal(buf, "0000-00-00 00:00:00");
}

static void test_timeparse_format_parse_round_trip(void **state)
{
    (void)state;
    char buf[32];
    for (int64_t s = -62167219200LL; s < 253402300800LL; s += 9876543211LL / 7) {
        assert_int_equal(crm_time_format(s, buf), 19);
        assert_int_equal(tp(buf), s);
    }
}

static void test_timeparse_date_parse_is_strict(void **state)
{
    (void)state;
    int32_t d = 42;
    assert_int_equal(crm_date_parse("2024-03-01", &d), 0);
    assert_int_equal(d, 19783);
    assert_int_equal(crm_date_parse("1969-12-31", &d), 0);
    assert_int_equal(d, -1);
    d = 42;
    assert_int_equal(crm_date_parse("2024-3-1", &d), -1);
    assert_int_equal(crm_date_parse("2024-03-01 ", &d), -1);
    assert_int_equal(crm_date_parse("2024/03/01", &d), -1);
    assert_int_equal(crm_date_parse("2023-02-29", &d), -1);
    assert_int_equal(crm_date_parse("20240301", &d), -1);
    assert_int_equal(crm_date_parse("", &d), -1);
    assert_int_equal(crm_date_parse(NULL, &d), -1);
    assert_int_equal(d, 42);
}

/* ---- real data ---- */

/* Field `col` (0-based) of a line split on `sep` with no quoting, trailing CR/LF kept. */
static const char *field(const char *line, char sep, int col, size_t *len)
{
    const char *p = line;
    for (int i = 0; i < col; i++) {
        p = strchr(p, sep);
        if (!p)
            return NULL;
        p++;
    }
    const char *q = strchr(p, sep);
    *len = q ? (size_t)(q - p) : strlen(p);
    return p;
}

/* README.md of the shared data: InvoiceDate runs 2010-12-01 08:26 .. 2011-12-09 12:50.
 * Only quoted Descriptions hold commas, and InvoiceDate is the 5th field from the end. */
static void test_timeparse_uci_invoice_date_range(void **state)
{
    (void)state;
    char path[512], line[4096];
    REQUIRE_SHARED("online_retail_uci_2010-2011.csv.gz", path);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    long long rows = 0;
    assert_non_null(gzgets(gz, line, sizeof line));
    while (gzgets(gz, line, sizeof line)) {
        const char *p = line + strlen(line);
        for (int commas = 0; p > line && commas < 4; )
            if (*--p == ',')
                commas++;
        const char *start = p + 1, *end = strchr(start, ',');
        assert_non_null(end);
        struct crm_time_parsed t;
        if (crm_time_parse(start, (size_t)(end - start), &t) != 0)
            fail_msg("line %lld: %.*s", rows + 2, (int)(end - start), start);
        lo = t.secs < lo ? t.secs : lo;
        hi = t.secs > hi ? t.secs : hi;
        rows++;
    }
    gzclose(gz);
    char buf[32];
    assert_int_equal(rows, 541909);
    crm_time_format(lo, buf);
    assert_string_equal(buf, "2010-12-01 08:26:00");
    crm_time_format(hi, buf);
    assert_string_equal(buf, "2011-12-09 12:50:00");
}

/* README.md: orders created 2020-02-01 00:14:15 .. 2020-02-29 23:59:18; 3,923 have no
 * payment time (the field is empty, which is not a time). */
static void test_timeparse_tmall_created_and_paid_times(void **state)
{
    (void)state;
    char path[512], line[1024];
    REQUIRE_SHARED("tmall_order_report_2020-02.csv.gz", path);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    long long rows = 0, unpaid = 0;
    assert_non_null(gzgets(gz, line, sizeof line));
    while (gzgets(gz, line, sizeof line)) {
        struct crm_time_parsed t;
        size_t len = 0;
        const char *f = field(line, ',', 4, &len);
        assert_non_null(f);
        assert_int_equal(crm_time_parse(f, len, &t), 0);
        lo = t.secs < lo ? t.secs : lo;
        hi = t.secs > hi ? t.secs : hi;
        f = field(line, ',', 5, &len);
        assert_non_null(f);
        if (crm_time_parse(f, len, &t) != 0) {
            assert_int_equal(len, 0);
            unpaid++;
        }
        rows++;
    }
    gzclose(gz);
    char buf[32];
    assert_int_equal(rows, 28010);
    assert_int_equal(unpaid, 3923);
    crm_time_format(lo, buf);
    assert_string_equal(buf, "2020-02-01 00:14:15");
    crm_time_format(hi, buf);
    assert_string_equal(buf, "2020-02-29 23:59:18");
}

/* README.md: CDNOW_master dates (YYYYMMDD, runs of spaces, CRLF) span 19970101..19980630
 * over 69,659 transactions. */
static void test_timeparse_cdnow_compact_dates(void **state)
{
    (void)state;
    char path[512], line[256];
    REQUIRE_SHARED("CDNOW_master.txt.gz", path);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    long long rows = 0;
    assert_non_null(gzgets(gz, line, sizeof line)); /* header */
    while (gzgets(gz, line, sizeof line)) {
        char *p = line;
        while (*p == ' ')
            p++;
        while (*p && *p != ' ') /* customer id */
            p++;
        struct crm_time_parsed t;
        assert_int_equal(crm_time_parse(p, 10, &t), 0); /* " 19970101 ": spaces trimmed */
        lo = t.secs < lo ? t.secs : lo;
        hi = t.secs > hi ? t.secs : hi;
        rows++;
    }
    gzclose(gz);
    assert_int_equal(rows, 69659);
    assert_int_equal(lo, (int64_t)crm_days_from_civil(1997, 1, 1) * 86400);
    assert_int_equal(hi, (int64_t)crm_days_from_civil(1998, 6, 30) * 86400);
}

/* One 19-byte text: the one-word path against the whole grammar (the same text after a
 * space, which takes crm_time_parse past its 19-byte shortcut). The text is copied to a
 * buffer of exactly 19 bytes, so a read past it shows under the sanitizers. */
static void check_iso19(const char *text)
{
    char *s = malloc(19), spaced[20];
    assert_non_null(s);
    memcpy(s, text, 19);
    spaced[0] = ' ';
    memcpy(spaced + 1, text, 19);
    struct crm_time_parsed want = {-7, -7, -7}, all = {-7, -7, -7};
    int64_t got = -7;
    int want_ok = crm_time_parse(spaced, 20, &want) == 0;
    int got_ok = crm_time_parse_iso19(s, 19, &got) == 0;
    int shape = 1;
    for (int i = 0; i < 19; i++) {
        int sep = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
        char c = s[i];
        shape &= sep ? (i < 10 ? c == '-' : i == 10 ? (c == ' ' || c == 'T') : c == ':')
                     : (c >= '0' && c <= '9');
    }
    if (got_ok != (shape && want_ok))
        fail_msg("\"%.19s\": one word %d, grammar %d, shape %d", s, got_ok, want_ok, shape);
    if (got_ok) {
        assert_int_equal(got, want.secs);
        assert_int_equal(want.has_offset, 0);
    } else {
        assert_int_equal(got, -7);
    }
    /* and crm_time_parse itself, shortcut or not, gives what the grammar gives */
    assert_int_equal(crm_time_parse(s, 19, &all) == 0, want_ok);
    if (want_ok)
        assert_int_equal(all.secs, want.secs);
    free(s);
}

static void test_timeparse_iso19_path_agrees_with_the_grammar(void **state)
{
    (void)state;
    static const char bytes[] = "0123456789-: T/x.\x80";
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char s[24];
    for (int round = 0; round < 300000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* a few dates, so the remembered date is hit; years at both ends; Feb 29s */
        static const char *const dates[] = {"2024-01-02", "2024-02-29", "2023-02-29",
                                            "0000-01-01", "9999-12-31", "2024-13-01",
                                            "2024-00-10", "2024-04-31", "1999-12-31"};
        unsigned h = (unsigned)(x >> 8) % 26, mi = (unsigned)(x >> 16) % 62,
                 se = (unsigned)(x >> 24) % 62;
        snprintf(s, sizeof s, "%s%c%02u:%02u:%02u", dates[(x >> 32) % 9],
                 (x >> 40) % 4 ? ' ' : 'T', h, mi, se);
        if ((x >> 44) % 3 == 0)            /* one byte changed */
            s[(x >> 48) % 19] = bytes[(x >> 56) % (sizeof bytes - 1)];
        check_iso19(s);
    }
    /* a remembered date, then texts with its first eight bytes and a bad rest */
    check_iso19("2024-03-01 10:00:00");
    check_iso19("2024-03-0x 10:00:00");
    check_iso19("2024-03-01x10:00:00");
    check_iso19("2024-03-01 10:00:0x");
    check_iso19("2024-03-01 10-00:00");
    check_iso19("2024-03-01 23:59:59");
    check_iso19("2024-03-01 24:00:00");
    check_iso19("2024-03-01 00:60:00");
    check_iso19("2024-03-01 00:00:60");
    int64_t secs = 0;
    assert_int_equal(crm_time_parse_iso19("2024-03-01 01:02:03", 19, &secs), 0);
    assert_int_equal(secs, S20240301 + 3723);
    assert_int_equal(crm_time_parse_iso19("2024-03-01 01:02:03Z", 20, &secs), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeparse_iso_date_time),
        cmocka_unit_test(test_timeparse_rows_of_one_date),
        cmocka_unit_test(test_timeparse_iso_variants),
        cmocka_unit_test(test_timeparse_offsets),
        cmocka_unit_test(test_timeparse_compact_digits),
        cmocka_unit_test(test_timeparse_chinese_date),
        cmocka_unit_test(test_timeparse_export_wrappers),
        cmocka_unit_test(test_timeparse_rejects_invalid_calendar_dates),
        cmocka_unit_test(test_timeparse_rejects_24h_and_leap_second),
        cmocka_unit_test(test_timeparse_rejects_malformed),
        cmocka_unit_test(test_timeparse_format_uci_month_day_year),
        cmocka_unit_test(test_timeparse_format_day_month_year_and_compact),
        cmocka_unit_test(test_timeparse_format_month_names),
        cmocka_unit_test(test_timeparse_format_twelve_hour_clock),
        cmocka_unit_test(test_timeparse_format_day_of_year),
        cmocka_unit_test(test_timeparse_format_offset_and_epoch),
        cmocka_unit_test(test_timeparse_format_literals_and_errors),
        cmocka_unit_test(test_timeparse_days_from_civil_boundaries),
        cmocka_unit_test(test_timeparse_civil_from_days_boundaries),
        cmocka_unit_test(test_timeparse_days_civil_round_trip),
        cmocka_unit_test(test_timeparse_days_in_month_leap_rules),
        cmocka_unit_test(test_timeparse_time_day_floors_negative_seconds),
        cmocka_unit_test(test_timeparse_formats_dates_and_times),
        cmocka_unit_test(test_timeparse_format_parse_round_trip),
        cmocka_unit_test(test_timeparse_date_parse_is_strict),
        cmocka_unit_test(test_timeparse_uci_invoice_date_range),
        cmocka_unit_test(test_timeparse_tmall_created_and_paid_times),
        cmocka_unit_test(test_timeparse_cdnow_compact_dates),
        cmocka_unit_test(test_timeparse_iso19_path_agrees_with_the_grammar),
    };
    return cmocka_run_group_tests_name("timeparse", tests, NULL, NULL);
}
