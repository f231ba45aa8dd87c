/* timeparse: timestamps and dates from export text without libc's locale or time-zone
 * state (see timeparse.h). Invariant: every accepted time names a real wall-clock second
 * of the proleptic Gregorian calendar in years 0000..9999 — month 1-12, day within its
 * month, hour 0-23, minute and second 0-59. "24:00:00" and leap second ":60" are
 * rejected: civil seconds have no room for them, and exports never need them. */
#include "text/timeparse.h"

#include <string.h>

#include "text/textfield.h"

#define MAX_OFFSET_SECS (18 * 3600) /* widest offset accepted, as in ISO 8601 practice */

struct civil {
    int year;
    unsigned month, day, hour, minute, second;
};

static unsigned digit(char c)
{
    return (unsigned)(c - '0'); /* > 9 when c is not a digit */
}

static int is_digit(char c)
{
    return digit(c) <= 9u;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int crm_days_in_month(int y, unsigned m)
{
    static const unsigned char days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : days[m];
}

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil: count
 * years from 1 March so the leap day ends the year, then whole 400-year eras (146097
 * days each); 719468 is the day number of 1970-01-01 counted from 0000-03-01. */
int32_t crm_days_from_civil(int y, unsigned m, unsigned d)
{
    int64_t year = (int64_t)y - (m <= 2);
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;                          /* [0, 399] */
    int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;    /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;       /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     /* [0, 146096] */
    return (int32_t)(era * 146097 + doe - 719468);
}

/* The inverse (Hinnant's civil_from_days). */
void crm_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                        /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                      /* March = 0 */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Days since 1970-01-01 for a valid date of years 0..9999: Hinnant's days_from_civil in
 * unsigned arithmetic, the year moved up one era (146097 days) so nothing is negative. */
static int32_t days_0_9999(const struct civil *c)
{
    unsigned y = (unsigned)c->year + 400 - (c->month <= 2);
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned mp = c->month > 2 ? c->month - 3 : c->month + 9;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + (153 * mp + 2) / 5 + c->day - 1;
    return (int32_t)(era * 146097 + doe) - (719468 + 146097);
}

static int valid_clock(const struct civil *c)
{
    return c->hour <= 23 && c->minute <= 59 && c->second <= 59;
}

static int valid(const struct civil *c)
{
    return c->year >= 0 && c->year <= 9999 && c->month - 1 < 12 && c->day >= 1 &&
           (c->day <= 28 || c->day <= (unsigned)crm_days_in_month(c->year, c->month)) &&
           valid_clock(c);
}

/* Store day number `day` at c's time of day with the offset; 0. */
static int store_time(int32_t day, const struct civil *c, int has_offset, int32_t offset,
                      struct crm_time_parsed *out)
{
    out->secs = (int64_t)day * CRM_SECS_PER_DAY +
                (int64_t)(c->hour * 3600 + c->minute * 60 + c->second);
    out->has_offset = has_offset;
    out->offset_secs = has_offset ? offset : 0;
    return 0;
}

/* Validate c and store it with the offset; 0 or -1. */
static int finish(const struct civil *c, int has_offset, int32_t offset,
                  struct crm_time_parsed *out)
{
    if (!valid(c))
        return -1;
    return store_time(days_0_9999(c), c, has_offset, offset, out);
}

/* 1..maxw digits into *v; returns the count (0: no digit). */
static int read_num(const char **pp, const char *e, int maxw, unsigned *v)
{
    const char *p = *pp;
    unsigned x = 0;
    int n = 0;
    while (n < maxw && p < e && is_digit(*p)) {
        x = x * 10 + digit(*p++);
        n++;
    }
    *v = x;
    *pp = p;
    return n;
}

/* Exactly n digits. */
static int read_fixed(const char **pp, const char *e, int n, unsigned *v)
{
    const char *p = *pp;
    return e - p >= n && read_num(pp, e, n, v) == n;
}

static int match_bytes(const char **pp, const char *e, const char *lit)
{
    const char *p = *pp;
    for (; *lit; lit++, p++)
        if (p == e || *p != *lit)
            return 0;
    *pp = p;
    return 1;
}

/* Z, ±HH, ±HHMM or ±HH:MM → seconds east of UTC. */
static int read_offset(const char **pp, const char *e, int32_t *offset)
{
    const char *p = *pp;
    unsigned hh, mm = 0;
    if (p < e && (*p == 'Z' || *p == 'z')) {
        *offset = 0;
        *pp = p + 1;
        return 1;
    }
    if (p == e || (*p != '+' && *p != '-'))
        return 0;
    int neg = *p++ == '-';
    if (!read_fixed(&p, e, 2, &hh))
        return 0;
    if (p < e && *p == ':') {
        p++;
        if (!read_fixed(&p, e, 2, &mm))
            return 0;
    } else if (p < e && is_digit(*p) && !read_fixed(&p, e, 2, &mm)) {
        return 0;
    }
    int32_t secs = (int32_t)(hh * 3600 + mm * 60);
    if (mm > 59 || secs > MAX_OFFSET_SECS)
        return 0;
    *offset = neg ? -secs : secs;
    *pp = p;
    return 1;
}

/* H:MM or HH:MM, then optionally :SS and a fraction (ignored). */
static int read_clock(const char **pp, const char *e, struct civil *c)
{
    const char *p = *pp;
    if (!read_num(&p, e, 2, &c->hour) || p == e || *p++ != ':' ||
        !read_fixed(&p, e, 2, &c->minute))
        return 0;
    if (p < e && *p == ':') {
        p++;
        if (!read_fixed(&p, e, 2, &c->second))
            return 0;
        if (p < e && (*p == '.' || *p == ',')) {
            p++;
            if (p == e || !is_digit(*p))
                return 0;
            while (p < e && is_digit(*p))
                p++;
        }
    }
    *pp = p;
    return 1;
}

/* Two digits at s; *bad collects any non-digit. */
static unsigned two_digits(const char *s, unsigned *bad)
{
    unsigned a = digit(s[0]), b = digit(s[1]);
    *bad |= (a > 9) | (b > 9);
    return a * 10 + b;
}

/* The last date crm_time_parse_iso19 converted on this thread. An export's rows come in time
 * order, thousands of them a day, and comparing ten bytes costs less than converting
 * them; the time of day is still read and checked on every row. Its two words are zero
 * (no time's date) until a valid date is stored with its day number. */
static _Thread_local struct {
    uint64_t head;           /* "YYYY-MM-" as loaded (zero: none yet) */
    uint16_t tail;           /* "DD" */
    int32_t day;
} last_date;

/* "HH:MM:SS" at s as seconds of the day, read as one word: each digit's byte of x is 0..9
 * (crm_text_nondigits8) and each colon's is zero. -1 when it is not that text or not a
 * time of day. */
static int clock_word(const char *s, int32_t *secs)
{
    uint64_t w;
    memcpy(&w, s, 8);
    uint64_t x = w ^ 0x30303a30303a3030ull;          /* "00:00:00", byte 0 first */
    if (crm_text_nondigits8(x) || (x & 0x0000ff0000ff0000ull))
        return -1;
    uint64_t y = x * 10 + (x >> 8);                  /* bytes 0, 3, 6: tens * 10 + units */
    unsigned hour = (unsigned)(y & 0xff);           /* (no byte of x * 10 passes 90) */
    unsigned minute = (unsigned)(y >> 24 & 0xff);
    unsigned second = (unsigned)(y >> 48 & 0xff);
    if (hour > 23 || minute > 59 || second > 59)
        return -1;
    *secs = (int32_t)(hour * 3600 + minute * 60 + second);
    return 0;
}

int crm_time_parse_iso19(const char *s, size_t len, int64_t *secs)
{
    int32_t clock;
    if (len != 19 || (s[10] != ' ' && s[10] != 'T') || clock_word(s + 11, &clock) != 0)
        return -1;
    int32_t day;
    uint64_t head;
    uint16_t tail;
    memcpy(&head, s, 8);                /* fixed-size loads: no call to memcmp per row */
    memcpy(&tail, s + 8, 2);
    if (head == last_date.head && tail == last_date.tail) {
        day = last_date.day;            /* its '-' at 4 and 7 were checked when stored */
    } else {
        unsigned bad = 0;
        struct civil c = {0, 0, 0, 0, 0, 0};
        c.year = (int)(two_digits(s, &bad) * 100 + two_digits(s + 2, &bad));
        c.month = two_digits(s + 5, &bad);
        c.day = two_digits(s + 8, &bad);
        if (bad || s[4] != '-' || s[7] != '-' || !valid(&c))
            return -1;
        day = days_0_9999(&c);
        last_date.head = head;
        last_date.tail = tail;
        last_date.day = day;
    }
    *secs = (int64_t)day * CRM_SECS_PER_DAY + clock;
    return 0;
}

#define U8_NIAN "\xE5\xB9\xB4"  /* 年 */
#define U8_YUE "\xE6\x9C\x88"   /* 月 */
#define U8_RI "\xE6\x97\xA5"    /* 日 */

/* Date part of the auto-detected formats; *cjk is set for 年月日 (time may follow it
 * directly) and *compact for YYYYMMDD (HHMMSS may follow directly). */
static int read_date(const char **pp, const char *e, struct civil *c, int *cjk, int *compact)
{
    const char *p = *pp;
    unsigned y;
    if (!read_fixed(&p, e, 4, &y))
        return 0;
    c->year = (int)y;
    if (p < e && (*p == '-' || *p == '/' || *p == '.')) {
        char sep = *p++;
        if (!read_num(&p, e, 2, &c->month) || p == e || *p++ != sep ||
            !read_num(&p, e, 2, &c->day))
            return 0;
    } else if (p < e && is_digit(*p)) {
        if (!read_fixed(&p, e, 2, &c->month) || !read_fixed(&p, e, 2, &c->day))
            return 0;
        *compact = 1;
    } else if (match_bytes(&p, e, U8_NIAN)) {
        if (!read_num(&p, e, 2, &c->month) || !match_bytes(&p, e, U8_YUE) ||
            !read_num(&p, e, 2, &c->day) || !match_bytes(&p, e, U8_RI))
            return 0;
        *cjk = 1;
    } else {
        return 0;
    }
    *pp = p;
    return 1;
}

static int parse_auto(const char *p, const char *e, struct crm_time_parsed *out)
{
    struct civil c = {0, 0, 0, 0, 0, 0};
    int cjk = 0, compact = 0, has_offset = 0;
    int32_t offset = 0;

    crm_text_unwrap(&p, &e);
    if (!read_date(&p, e, &c, &cjk, &compact))
        return -1;
    if (p == e)
        return finish(&c, 0, 0, out);
    if (compact) {
        if (!read_fixed(&p, e, 2, &c.hour) || !read_fixed(&p, e, 2, &c.minute) ||
            !read_fixed(&p, e, 2, &c.second) || p != e)
            return -1;
        return finish(&c, 0, 0, out);
    }
    if (*p == 'T') {
        p++;
    } else {
        const char *q = p;
        while (p < e && *p == ' ')
            p++;
        if (p == q && !cjk)
            return -1;
    }
    if (!read_clock(&p, e, &c))
        return -1;
    while (p < e && *p == ' ')
        p++;
    if (p < e) {
        if (!read_offset(&p, e, &offset) || p != e)
            return -1;
        has_offset = 1;
    }
    return finish(&c, has_offset, offset, out);
}

int crm_time_parse(const char *s, size_t len, struct crm_time_parsed *out)
{
    if (crm_time_parse_iso19(s, len, &out->secs) == 0) {
        out->has_offset = 0;
        out->offset_secs = 0;
        return 0;
    }
    return parse_auto(s, s + len, out);
}

/* ---- strftime-style formats ---- */

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
};
static const char *const weekday_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* Case-insensitive prefix match of an ASCII word (lower case) of length n. */
static int match_word(const char *p, const char *e, const char *word, size_t n)
{
    if ((size_t)(e - p) < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != word[i])
            return 0;
    return 1;
}

/* An English name, full or abbreviated to three letters (either for %b and %B, as
 * strptime does); returns the index or -1. */
static int read_name(const char **pp, const char *e, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        size_t n = 0;
        while (names[i][n])
            n++;
        if (match_word(*pp, e, names[i], n)) {
            *pp += n;
            return i;
        }
    }
    for (int i = 0; i < count; i++) {
        if (match_word(*pp, e, names[i], 3)) {
            *pp += 3;
            return i;
        }
    }
    return -1;
}

struct fmt_fields {
    struct civil c;
    unsigned yday;      /* %j, 0 when absent */
    int have_month_day; /* %m, %d, %b… seen */
    int hour12;         /* the hour came from %I */
    int pm;             /* -1 none, 0 AM, 1 PM */
    int have_epoch;
    int64_t epoch;
    int has_offset;
    int32_t offset;
};

/* Seconds since the epoch, limited to years 0000..9999. */
static int read_epoch(const char **pp, const char *e, int64_t *secs)
{
    const int64_t lo = (int64_t)crm_days_from_civil(0, 1, 1) * CRM_SECS_PER_DAY;
    const int64_t hi = (int64_t)crm_days_from_civil(10000, 1, 1) * CRM_SECS_PER_DAY - 1;
    const char *p = *pp;
    int neg = p < e && *p == '-';
    int64_t v = 0;
    int n = 0;
    if (neg)
        p++;
    while (p < e && is_digit(*p)) {
        v = v * 10 + digit(*p++);
        if (++n > 12) /* |hi|, |lo| < 10^12 */
            return 0;
    }
    if (n == 0)
        return 0;
    v = neg ? -v : v;
    if (v < lo || v > hi)
        return 0;
    *secs = v;
    *pp = p;
    return 1;
}

static int walk(const char *f, const char **pp, const char *e, struct fmt_fields *t);

/* One conversion (the character after '%'); 1 ok, 0 no match. One piece: a switch with
 * one short case per strftime conversion, read as a table; split, the cases would only
 * move apart. */
static int convert(char conv, const char **pp, const char *e, struct fmt_fields *t)
{
    unsigned v;
    int i;
    switch (conv) {
    case 'Y': /* exactly four digits: a two-digit year here is a wrong format, not AD 24 */
        if (!read_fixed(pp, e, 4, &v))
            return 0;
        t->c.year = (int)v;
        return 1;
    case 'y': /* POSIX: 69-99 → 19xx, 00-68 → 20xx */
        if (!read_num(pp, e, 2, &v))
            return 0;
        t->c.year = (int)(v >= 69 ? 1900 + v : 2000 + v);
        return 1;
    case 'm':
        t->have_month_day = 1;
        return read_num(pp, e, 2, &t->c.month) > 0;
    case 'e':
        while (*pp < e && **pp == ' ')
            ++*pp;
        /* fall through */
    case 'd':
        t->have_month_day = 1;
        return read_num(pp, e, 2, &t->c.day) > 0;
    case 'H':
        t->hour12 = 0;
        return read_num(pp, e, 2, &t->c.hour) > 0;
    case 'I':
        t->hour12 = 1;
        return read_num(pp, e, 2, &t->c.hour) > 0 && t->c.hour >= 1 && t->c.hour <= 12;
    case 'M':
        return read_num(pp, e, 2, &t->c.minute) > 0;
    case 'S':
        return read_num(pp, e, 2, &t->c.second) > 0;
    case 'j':
        return read_num(pp, e, 3, &t->yday) > 0 && t->yday >= 1;
    case 'p':
        if (match_word(*pp, e, "am", 2) || match_word(*pp, e, "pm", 2)) {
            t->pm = ((*pp)[0] | 0x20) == 'p';
            *pp += 2;
            return 1;
        }
        return 0;
    case 'b':
    case 'h':
    case 'B':
        if ((i = read_name(pp, e, month_names, 12)) < 0)
            return 0;
        t->c.month = (unsigned)i + 1;
        t->have_month_day = 1;
        return 1;
    case 'a':
    case 'A': /* parsed and ignored: the date decides the weekday */
        return read_name(pp, e, weekday_names, 7) >= 0;
    case 'F':
        return walk("%Y-%m-%d", pp, e, t);
    case 'T':
        return walk("%H:%M:%S", pp, e, t);
    case 'R':
        return walk("%H:%M", pp, e, t);
    case 'D':
        return walk("%m/%d/%y", pp, e, t);
    case 'z':
        t->has_offset = 1;
        return read_offset(pp, e, &t->offset);
    case 's':
        t->have_epoch = 1;
        return read_epoch(pp, e, &t->epoch);
    case 'n':
    case 't':
        while (*pp < e && crm_text_space(**pp))
            ++*pp;
        return 1;
    case '%':
        if (*pp < e && **pp == '%') {
            ++*pp;
            return 1;
        }
        return 0;
    default: /* unknown conversion or a lone '%' at the end */
        return 0;
    }
}

static int walk(const char *f, const char **pp, const char *e, struct fmt_fields *t)
{
    for (; *f; f++) {
        if (crm_text_space(*f)) {
            while (*pp < e && crm_text_space(**pp))
                ++*pp;
        } else if (*f != '%') {
            if (*pp == e || **pp != *f)
                return 0;
            ++*pp;
        } else if (!convert(*++f, pp, e, t)) {
            return 0;
        }
    }
    return 1;
}

/* Month and day from a day of the year; 0 when yday is past the year's end. */
static int from_yday(int year, unsigned yday, unsigned *month, unsigned *day)
{
    unsigned m = 1;
    while (m <= 12 && yday > (unsigned)crm_days_in_month(year, m))
        yday -= (unsigned)crm_days_in_month(year, m++);
    if (m > 12)
        return 0;
    *month = m;
    *day = yday;
    return 1;
}

int crm_time_parse_format(const char *s, size_t len, const char *format,
                          struct crm_time_parsed *out)
{
    const char *p = s, *e = s + len;
    struct fmt_fields t = {{1970, 1, 1, 0, 0, 0}, 0, 0, 0, -1, 0, 0, 0, 0};

    crm_text_unwrap(&p, &e);
    if (!walk(format, &p, e, &t) || p != e)
        return -1;
    if (t.have_epoch) { /* an instant: wall clock in UTC */
        out->secs = t.epoch;
        out->has_offset = 1;
        out->offset_secs = 0;
        return 0;
    }
    if (t.hour12 && t.pm >= 0)
        t.c.hour = t.c.hour % 12 + (t.pm ? 12u : 0u);
    if (t.yday) {
        unsigned m, d;
        if (!from_yday(t.c.year, t.yday, &m, &d))
            return -1;
        if (t.have_month_day && (m != t.c.month || d != t.c.day))
            return -1;
        t.c.month = m;
        t.c.day = d;
    }
    return finish(&t.c, t.has_offset, t.offset, out);
}

/* ---- formatting ---- */

static char *put2(char *b, unsigned v)
{
    b[0] = (char)('0' + v / 10);
    b[1] = (char)('0' + v % 10);
    return b + 2;
}

/* Years outside 0000..9999 do not fit the fixed width: they print as "0000-00-00",
 * which no parser here accepts, rather than as a plausible wrong date. */
size_t crm_date_format(int32_t days, char *buf)
{
    int y;
    unsigned m, d;
    crm_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        y = 0;
        m = 0;
        d = 0;
    }
    char *b = put2(buf, (unsigned)y / 100);
    b = put2(b, (unsigned)y % 100);
    *b++ = '-';
    b = put2(b, m);
    *b++ = '-';
    b = put2(b, d);
    *b = '\0';
    return 10;
}

size_t crm_time_format(int64_t secs, char *buf)
{
    const int64_t lo = (int64_t)crm_days_from_civil(0, 1, 1) * CRM_SECS_PER_DAY;
    const int64_t hi = (int64_t)crm_days_from_civil(10000, 1, 1) * CRM_SECS_PER_DAY;
    int32_t day = INT32_MIN; /* out of range: "0000-00-00 00:00:00" */
    unsigned rem = 0;
    if (secs >= lo && secs < hi) {
        day = crm_time_day(secs);
        rem = (unsigned)(secs - (int64_t)day * CRM_SECS_PER_DAY);
    }
    crm_date_format(day, buf);
    char *b = buf + 10;
    *b++ = ' ';
    b = put2(b, rem / 3600);
    *b++ = ':';
    b = put2(b, rem / 60 % 60);
    *b++ = ':';
    b = put2(b, rem % 60);
    *b = '\0';
    return 19;
}

int crm_date_parse(const char *s, int32_t *days)
{
    struct civil c = {0, 0, 0, 0, 0, 0};
    unsigned y;
    const char *p = s, *e = s;
    if (!s)
        return -1;
    while (*e && e - s <= 10)
        e++;
    if (e - s != 10 || !read_fixed(&p, e, 4, &y) || *p++ != '-' ||
        !read_fixed(&p, e, 2, &c.month) || *p++ != '-' || !read_fixed(&p, e, 2, &c.day))
        return -1;
    c.year = (int)y;
    if (!valid(&c))
        return -1;
    *days = days_0_9999(&c);
    return 0;
}
