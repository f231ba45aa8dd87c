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
};

/* Flags for crm_money_parse_decimal. */
#define CRM_MONEY_THOUSANDS 1u  /* ',' may group thousands (`1,234.50`); set it when the
                                   field delimiter is not a comma or the field was quoted */

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

/* Parse straight to minor units (parse_decimal + to_minor). */
enum crm_money_status crm_money_parse(const char *s, size_t len, unsigned flags, int scale,
                                      int64_t *minor);

/* Format minor units with exactly `scale` decimals ("-1234.50"); '.' whatever the locale.
 * buf needs 32 bytes; returns the length written (no NUL counted). */
size_t crm_money_format(int64_t minor, int scale, char *buf);
/* The same with thousands grouped by ',' ("1,234,567.89"), for charts; buf needs 40. */
size_t crm_money_format_grouped(int64_t minor, int scale, char *buf);

#endif
