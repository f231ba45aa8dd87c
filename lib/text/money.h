/* internal to lib/: the tools in cmd/ do not include it. */
/* money: exact decimal money. Text → int64 minor units (cents, fen) with no binary
 * floating point anywhere; products quantity × unit price are exact and rounded half away
 * from zero once, to the minor unit. */
#ifndef CRM_MONEY_H
#define CRM_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* A parsed decimal: value = units / 10^scale, 0 <= scale <= 18. */
struct crm_decimal {
    int64_t units;
    int scale;
};

enum crm_money_status {
    CRM_MONEY_OK = 0,
    CRM_MONEY_EMPTY,    /* nothing but spaces/decoration */
    CRM_MONEY_SYNTAX,   /* not a number */
    CRM_MONEY_RANGE,    /* does not fit int64 at the requested scale */
    CRM_MONEY_PRECISION, /* crm_money_parse_exact: non-zero digits past the scale */
};

/* Flags for crm_money_parse_decimal. */
#define CRM_MONEY_THOUSANDS 1u  /* ',' may group thousands (`1,234.50`); set it when the
                                   field delimiter is not a comma or the field was quoted */
#define CRM_MONEY_DECIMAL_COMMA 2u /* ',' is the decimal point and '.', ' ' or a no-break
                                   space group thousands (`1.234,50`, `89,90`, `€ 12,00`) */
#define CRM_MONEY_ROUND 4u      /* crm_money_parse_exact: round extra digits, do not refuse */

/* What crm_money_parse_exact noticed (its *note bits). */
#define CRM_MONEY_ROUNDED 1u    /* non-zero digits past the scale were rounded away */
#define CRM_MONEY_NEGATIVE 2u   /* the text was negative, even if it rounded to zero */

/* Parse money/number text as exported by shops and spreadsheets:
 *   surrounding spaces; one leading '=', '\'' or tab that exports add to keep text;
 *   the `="…"` wrapper; a currency symbol or code before or after the number
 *   (¥ ￥ $ € £ RMB CNY USD EUR GBP, 元 after); a sign before or after the symbol
 *   (-$5, $-5); accounting parentheses `(5.00)` as negative; thousands separators
 *   when CRM_MONEY_THOUSANDS is set (groups of exactly three digits); '.' as decimal point.
 * Up to 18 significant fractional digits are kept exactly. */
enum crm_money_status crm_money_parse_decimal(const char *s, size_t len, unsigned flags,
                                              struct crm_decimal *out);

/* Round d to `scale` decimals (half away from zero) as an integer of minor units. */
enum crm_money_status crm_money_to_minor(struct crm_decimal d, int scale, int64_t *minor);

/* price × quantity computed exactly, rounded half away from zero once to `scale`. */
enum crm_money_status crm_money_mul(struct crm_decimal price, struct crm_decimal quantity,
                                    int scale, int64_t *minor);

/* The usual amount, [-]digits[.digits] of 4 to 8 characters after the sign ("331.99"),
 * read as one word: 1 with its magnitude (digits without the point), the digits after the
 * point and the sign, exactly as the byte-by-byte reading of that shape; 0 for any other
 * text (then the parsers read it byte by byte). Reads s[0..len) only. The parsers call it
 * first; public for its test. */
int crm_money_scan_short(const char *s, size_t len, uint64_t *mag, int *frac_digits,
                         int *neg);

/* Parse straight to minor units (parse_decimal + to_minor). */
enum crm_money_status crm_money_parse(const char *s, size_t len, unsigned flags, int scale,
                                      int64_t *minor);

/* crm_money_parse that never changes money silently: digits past `scale` must be zeros,
 * else CRM_MONEY_PRECISION — unless CRM_MONEY_ROUND, then they are rounded half away from
 * zero and *note gets CRM_MONEY_ROUNDED. *note gets CRM_MONEY_NEGATIVE for any negative
 * text ("-0.004" too). The plain shapes cost what crm_money_parse costs. */
enum crm_money_status crm_money_parse_exact(const char *s, size_t len, unsigned flags,
                                            int scale, int64_t *minor, unsigned *note);

/* crm_money_parse_exact without its inline path for the usual amount: the same results for
 * every text (public for the test that holds the inline path to it). */
enum crm_money_status crm_money_parse_exact_general(const char *s, size_t len, unsigned flags,
                                                    int scale, int64_t *minor, unsigned *note);

/* 1 when text that failed to parse would parse as a decimal comma (`89,90`, `1.234,5`). */
int crm_money_looks_decimal_comma(const char *s, size_t len);

/* Format minor units with exactly `scale` decimals ("-1234.50"); '.' whatever the locale.
 * buf needs 32 bytes; returns the length written (no NUL counted). */
size_t crm_money_format(int64_t minor, int scale, char *buf);
/* The same with thousands grouped by ',' ("1,234,567.89"), for charts; buf needs 40. */
size_t crm_money_format_grouped(int64_t minor, int scale, char *buf);

#endif
