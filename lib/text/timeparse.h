/* timeparse: timestamps and calendar dates without libc's locale or time-zone state.
 * A timestamp is int64 seconds since 1970-01-01 00:00:00 of a proleptic Gregorian
 * calendar with no leap seconds ("civil seconds"); a date is int32 days since
 * 1970-01-01. Parsers return the wall-clock time as written plus any explicit UTC offset;
 * converting between zones is the caller's business (lib/import does it for --tz). */
#ifndef CRM_TIMEPARSE_H
#define CRM_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>

#define CRM_SECS_PER_DAY 86400

struct crm_time_parsed {
    int64_t secs;          /* wall clock as written, civil seconds */
    int has_offset;        /* an explicit offset (Z, +08:00, +0800) was given */
    int32_t offset_secs;   /* east of UTC; UTC time = secs - offset_secs */
};

/* Auto-detected formats (leading/trailing spaces, a leading '=' or '\'' and `="…"` are
 * accepted as in exports):
 *   YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (1- or 2-digit month and day),
 *   each optionally followed by ' ' or 'T' and HH:MM or HH:MM:SS (fraction ignored),
 *   then optionally Z, ±HH, ±HHMM or ±HH:MM;
 *   YYYYMMDD and YYYYMMDDHHMMSS; YYYY年M月D日[ HH:MM[:SS]].
 * Returns 0 on success, -1 when the text is not a valid time (including 2023-02-29). */
int crm_time_parse(const char *s, size_t len, struct crm_time_parsed *out);

/* The usual shape alone, "YYYY-MM-DD HH:MM:SS" (or 'T') in exactly 19 bytes, as civil
 * seconds: 0 with the value crm_time_parse gives it (no offset), -1 for any other text or
 * an invalid time (crm_time_parse then tries the other shapes). crm_time_parse calls it
 * first. The last date read is remembered per thread, so a run of rows of one day converts
 * its date once. */
int crm_time_parse_iso19(const char *s, size_t len, int64_t *secs);

/* Parse with a strftime-style format: %Y %y %m %d %e %H %I %M %S %p %b %h %B %j %F %T %R
 * %D %z %s %% and literal characters; a space in the format matches any run of spaces.
 * Month names are English. Returns 0 or -1 like crm_time_parse. */
int crm_time_parse_format(const char *s, size_t len, const char *format,
                          struct crm_time_parsed *out);

/* Civil calendar (Howard Hinnant's algorithms). */
int32_t crm_days_from_civil(int y, unsigned m, unsigned d);
void crm_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d);
int crm_days_in_month(int y, unsigned m);

/* floor(secs / 86400) for negative times too. */
static inline int32_t crm_time_day(int64_t secs)   /* inline: once per order in agg */
{
    int64_t q = secs / CRM_SECS_PER_DAY;
    if (secs % CRM_SECS_PER_DAY < 0)
        q--;
    return (int32_t)q;
}

/* "YYYY-MM-DD" (buf >= 11 bytes) / "YYYY-MM-DD HH:MM:SS" (buf >= 20); return length. */
size_t crm_date_format(int32_t days, char *buf);
size_t crm_time_format(int64_t secs, char *buf);

/* Strict YYYY-MM-DD for options such as --as-of; 0 ok, -1 bad. */
int crm_date_parse(const char *s, int32_t *days);

#endif
