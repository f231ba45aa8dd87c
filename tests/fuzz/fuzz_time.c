/* fuzz_time: any text as a timestamp (lib/timeparse), auto-detected or with a strftime-style
 * format (from a table, or the fuzzer's own up to the first NUL byte). Checks on every
 * accepted time: it lies in years 0000..9999 with an offset of at most 18 hours; printing
 * it and parsing the text again gives the same second (auto and "%F %T"); its day survives
 * crm_date_format/crm_date_parse and the civil-calendar round trip. Option byte: bit 0
 * format mode, bit 1 the format comes from the input, bits 2-7 pick a table format. */
#include "fuzzutil.h"

#include "text/timeparse.h"

static const char *const formats[] = {
    "%m/%d/%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%F %T", "%D %R", "%d %b %Y",
    "%B %e, %Y %I:%M %p", "%Y-%j", "%s", "%Y-%m-%dT%H:%M:%S%z", "%a, %d %b %Y %T %z",
    "%y%m%d%H%M%S", "%Y/%m/%d %H:%M:%S", "%%%Y%n%m%t%d", "%H:%M %d/%m/%Y",
};

static void check_time(const struct crm_time_parsed *t)
{
    const int64_t lo = (int64_t)crm_days_from_civil(0, 1, 1) * CRM_SECS_PER_DAY;
    const int64_t hi = (int64_t)crm_days_from_civil(10000, 1, 1) * CRM_SECS_PER_DAY;
    FUZZ_CHECK(t->secs >= lo && t->secs < hi, "secs %lld out of range", (long long)t->secs);
    FUZZ_CHECK(t->has_offset || t->offset_secs == 0, "offset without has_offset");
    FUZZ_CHECK(t->offset_secs >= -18 * 3600 && t->offset_secs <= 18 * 3600, "offset %d",
               (int)t->offset_secs);
    char buf[32];
    size_t n = crm_time_format(t->secs, buf);
    FUZZ_CHECK(n == 19 && strlen(buf) == 19, "time format length");
    struct crm_time_parsed back;
    FUZZ_CHECK(crm_time_parse(buf, n, &back) == 0 && back.secs == t->secs && !back.has_offset,
               "\"%s\" does not parse back to %lld", buf, (long long)t->secs);
    FUZZ_CHECK(crm_time_parse_format(buf, n, "%F %T", &back) == 0 && back.secs == t->secs,
               "\"%s\" with %%F %%T", buf);
    int32_t day = crm_time_day(t->secs), day2;
    FUZZ_CHECK(crm_date_format(day, buf) == 10 && crm_date_parse(buf, &day2) == 0 && day2 == day,
               "date \"%s\" does not parse back to day %d", buf, (int)day);
    int y;
    unsigned m, d;
    crm_civil_from_days(day, &y, &m, &d);
    FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && (int)d <= crm_days_in_month(y, m), "civil");
    FUZZ_CHECK(crm_days_from_civil(y, m, d) == day, "civil round trip of day %d", (int)day);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in);
    struct crm_time_parsed t;
    if (!(opt & 1)) {
        if (crm_time_parse((const char *)in.p, in.n, &t) == 0)
            check_time(&t);
        return 0;
    }
    char *fmt;
    const char *val;
    size_t val_n;
    if (opt & 2) {
        const uint8_t *nul = memchr(in.p, 0, in.n);
        size_t fl = nul ? (size_t)(nul - in.p) : in.n;
        fmt = malloc(fl + 1);
        FUZZ_CHECK(fmt != NULL, "out of memory");
        memcpy(fmt, in.p, fl);
        fmt[fl] = '\0';
        val = nul ? (const char *)nul + 1 : "";
        val_n = nul ? in.n - fl - 1 : 0;
    } else {
        fmt = strdup(formats[(opt >> 2) % (sizeof formats / sizeof formats[0])]);
        FUZZ_CHECK(fmt != NULL, "out of memory");
        val = (const char *)in.p;
        val_n = in.n;
    }
    if (crm_time_parse_format(val, val_n, fmt, &t) == 0)
        check_time(&t);
    free(fmt);
    return 0;
}
