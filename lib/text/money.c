/* money: exact decimal money from export text (see money.h). Invariant: no binary floating
 * point anywhere; a value is an integer magnitude <= INT64_MAX with a decimal scale, and
 * every rounding is a single half-away-from-zero step decided on exact integers.
 * Scientific notation ("1e5") is rejected: shop and spreadsheet exports do not write money
 * that way, and a value that looks like it is more likely a mangled id than a price. */
#include "text/money.h"

#include <string.h>

#include "text/textfield.h"

__extension__ typedef unsigned __int128 u128;

#define MAX_SCALE 18
#define MAG_MAX ((uint64_t)INT64_MAX)
#define MAG_MAX_DIV10 (MAG_MAX / 10) /* 922337203685477580 */

static const uint64_t pow10_u64[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
    10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
    1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
    10000000000000000000u,
};

static int is_digit(char c)
{
    return (unsigned)(c - '0') <= 9u;
}

/* mag = mag * 10 + d unless that exceeds INT64_MAX. */
static int push_digit(uint64_t *mag, unsigned d)
{
    if (*mag >= MAG_MAX_DIV10 && (*mag > MAG_MAX_DIV10 || d > MAG_MAX % 10))
        return 0;
    *mag = *mag * 10 + d;
    return 1;
}

/* mag *= 10^k unless that exceeds INT64_MAX. */
static int scale_up(uint64_t *mag, int k)
{
    if (k <= 0)
        return 1;
    if (k > MAX_SCALE) /* 10^19 > INT64_MAX: only zero survives */
        return *mag == 0;
    if (*mag > MAG_MAX / pow10_u64[k])
        return 0;
    *mag *= pow10_u64[k];
    return 1;
}


/* Length in bytes of a currency symbol or code at p (0 if none); `suffix` also allows 元. */
static size_t currency_at(const char *p, const char *e, int suffix)
{
    size_t n = (size_t)(e - p);
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == '$')
        return 1;
    if (n >= 2 && u[0] == 0xC2 && (u[1] == 0xA5 || u[1] == 0xA3)) /* ¥ £ */
        return 2;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBF && u[2] == 0xA5) /* ￥ fullwidth yen */
        return 3;
    if (n >= 3 && u[0] == 0xE2 && u[1] == 0x82 && u[2] == 0xAC) /* € */
        return 3;
    if (suffix && n >= 3 && u[0] == 0xE5 && u[1] == 0x85 && u[2] == 0x83) /* 元 */
        return 3;
    if (n >= 3) {
        static const char codes[][4] = {"rmb", "cny", "usd", "eur", "gbp"};
        char a = (char)(p[0] | 0x20), b = (char)(p[1] | 0x20), c = (char)(p[2] | 0x20);
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
            if (a == codes[i][0] && b == codes[i][1] && c == codes[i][2])
                return 3;
    }
    return 0;
}

/* Decoration around the number: spaces, one sign, one currency token, one pair of
 * accounting parentheses; each at most once, a sign never together with parentheses. */
struct deco {
    int sign;     /* 0 none, '+' or '-' */
    int paren;    /* 0 none, 1 open, 2 closed */
    int currency; /* a symbol or code was seen */
};

/* Integer part with optional thousands groups. Returns the status; *p advances. An overflow
 * sets *over and scanning goes on, so that text which is not a number at all is SYNTAX
 * whatever its size (the status must not depend on the scale asked for). */
static enum crm_money_status scan_integer(const char **pp, const char *e, unsigned flags,
                                          uint64_t *mag, int *ndigits, int *over)
{
    const char *p = *pp, *start = p;
    while (p < e && is_digit(*p)) {
        if (!push_digit(mag, (unsigned)(*p - '0')))
            *over = 1;
        p++;
    }
    if ((flags & CRM_MONEY_THOUSANDS) && p < e && *p == ',') {
        /* a first group of 1-3 digits not starting with 0 (so "0,123" is not taken for
         * 123), then groups of exactly three */
        if (p - start < 1 || p - start > 3 || *start == '0')
            return CRM_MONEY_SYNTAX;
        while (p < e && *p == ',') {
            if (e - p < 4 || !is_digit(p[1]) || !is_digit(p[2]) || !is_digit(p[3]))
                return CRM_MONEY_SYNTAX;
            for (int i = 1; i <= 3; i++)
                if (!push_digit(mag, (unsigned)(p[i] - '0')))
                    *over = 1;
            p += 4;
            if (p < e && is_digit(*p))
                return CRM_MONEY_SYNTAX;
        }
    }
    *ndigits = (int)(p - start);
    *pp = p;
    return CRM_MONEY_OK;
}

/* Fraction digits kept exactly (want_scale < 0: up to 18 digits, trailing zeros that do
 * not fit are dropped, other excess is an overflow) or rounded to want_scale (half away
 * from zero, which needs only the first dropped digit). Overflows set *over, as above. */
static enum crm_money_status scan_fraction(const char **pp, const char *e, int want_scale,
                                           uint64_t *mag, int *scale, int *ndigits, int *over)
{
    const char *p = *pp, *start = p;
    int sc = 0;
    if (want_scale < 0) {
        int zeros = 0; /* pending zeros, applied only when a later digit needs them */
        for (; p < e && is_digit(*p); p++) {
            unsigned d = (unsigned)(*p - '0');
            if (d == 0) {
                zeros++;
                continue;
            }
            if (*over || sc + zeros + 1 > MAX_SCALE || !scale_up(mag, zeros) ||
                !push_digit(mag, d)) {
                *over = 1;
                continue;
            }
            sc += zeros + 1;
            zeros = 0;
        }
        while (zeros > 0 && sc < MAX_SCALE && push_digit(mag, 0)) {
            sc++;
            zeros--;
        }
    } else {
        int round_up = -1;
        for (; p < e && is_digit(*p); p++) {
            unsigned d = (unsigned)(*p - '0');
            if (sc < want_scale) {
                if (!push_digit(mag, d))
                    *over = 1;
                sc++;
            } else if (round_up < 0) {
                round_up = d >= 5;
            }
        }
        if (!*over && !scale_up(mag, want_scale - sc))
            *over = 1;
        sc = want_scale;
        if (round_up > 0 && !*over) {
            if (*mag == MAG_MAX)
                *over = 1;
            else
                ++*mag;
        }
    }
    *ndigits = (int)(p - start);
    *scale = sc;
    *pp = p;
    return CRM_MONEY_OK;
}

/* crm_money_scan_short, inline in scan_plain. The n characters after the sign become the
 * top n bytes of one word (the last one in byte 7), so the bytes below are the leading
 * zeros of an eight-digit number. */
static inline __attribute__((always_inline)) int
scan_short(const char *s, size_t len, uint64_t *mag, int *frac_digits, int *neg)
{
    int minus = len > 0 && s[0] == '-';
    const char *p = s + minus;
    size_t n = len - (size_t)minus;
    if (n - 4 > 4)                       /* n outside 4..8 */
        return 0;
    uint32_t lo, hi;                     /* two 4-byte loads, overlapping when n < 8 */
    memcpy(&lo, p, 4);
    memcpy(&hi, p + n - 4, 4);
    unsigned lead = 8 * (unsigned)(8 - n);
    uint64_t x = ((uint64_t)hi << 32 | (uint64_t)lo << lead) ^ (0x3030303030303030ull << lead);
    uint64_t nd = crm_text_nondigits8(x);
    int frac = 0;
    if (nd) {
        unsigned at = (unsigned)__builtin_ctzll(nd) >> 3;     /* its byte in the word */
        if ((nd & (nd - 1)) || p[at - lead / 8] != '.')
            return 0;                    /* two non-digits, or one that is not the point */
        uint64_t below = (1ull << (8 * at)) - 1;
        x = (x & ~below & ~(0xffull << (8 * at))) | (x & below) << 8;   /* the point out */
        frac = (int)(7 - at);
    }
    *mag = crm_text_eight_digits(x);
    *frac_digits = frac;
    *neg = minus;
    return 1;
}

int crm_money_scan_short(const char *s, size_t len, uint64_t *mag, int *frac_digits,
                         int *neg)
{
    return scan_short(s, len, mag, frac_digits, neg);
}

/* The common shape, [-]digits[.digits] in at most 18 characters, cannot overflow and
 * needs none of the decoration handling; 0 sends the text to the full grammar. */
static int scan_plain(const char *s, size_t len, uint64_t *mag, int *frac_digits, int *neg)
{
    size_t i = 0, dot = len;
    uint64_t v = 0;
    if (scan_short(s, len, mag, frac_digits, neg))
        return 1;
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
    if (len - (size_t)*neg == 1 && dot != len) /* "." or "-." */
        return 0;
    *mag = v;
    *frac_digits = dot == len ? 0 : (int)(len - dot - 1);
    return 1;
}

/* The whole grammar; want_scale as in scan_fraction. */
static enum crm_money_status scan(const char *s, size_t len, unsigned flags, int want_scale,
                                  int64_t *units, int *scale)
{
    const char *p = s, *e = s + len;
    struct deco d = {0, 0, 0};
    size_t n;

    crm_text_unwrap(&p, &e);
    while (p < e && !is_digit(*p) && *p != '.') {
        if (*p == ' ') {
            p++;
        } else if (*p == '-' || *p == '+') {
            if (d.sign || d.paren)
                return CRM_MONEY_SYNTAX;
            d.sign = *p++;
        } else if (*p == '(') {
            if (d.sign || d.paren)
                return CRM_MONEY_SYNTAX;
            d.paren = 1;
            p++;
        } else if ((n = currency_at(p, e, 0)) != 0) {
            if (d.currency)
                return CRM_MONEY_SYNTAX;
            d.currency = 1;
            p += n;
        } else {
            return CRM_MONEY_SYNTAX;
        }
    }
    if (p == e)
        return d.sign || d.paren ? CRM_MONEY_SYNTAX : CRM_MONEY_EMPTY;

    uint64_t mag = 0;
    int int_digits = 0, frac_digits = 0, sc = 0, over = 0;
    enum crm_money_status st = scan_integer(&p, e, flags, &mag, &int_digits, &over);
    if (st != CRM_MONEY_OK)
        return st;
    if (p < e && *p == '.') {
        p++;
        st = scan_fraction(&p, e, want_scale, &mag, &sc, &frac_digits, &over);
    } else {
        st = scan_fraction(&p, p, want_scale, &mag, &sc, &frac_digits, &over);
    }
    if (st != CRM_MONEY_OK)
        return st;
    if (int_digits + frac_digits == 0)
        return CRM_MONEY_SYNTAX;

    while (p < e) {
        if (*p == ' ') {
            p++;
        } else if (*p == ')') {
            if (d.paren != 1)
                return CRM_MONEY_SYNTAX;
            d.paren = 2;
            p++;
        } else if ((n = currency_at(p, e, 1)) != 0) {
            if (d.currency)
                return CRM_MONEY_SYNTAX;
            d.currency = 1;
            p += n;
        } else {
            return CRM_MONEY_SYNTAX; /* a second '.', an exponent, a digit after a space */
        }
    }
    if (d.paren == 1)
        return CRM_MONEY_SYNTAX;
    if (over)
        return CRM_MONEY_RANGE;
    *units = d.sign == '-' || d.paren ? -(int64_t)mag : (int64_t)mag;
    *scale = sc;
    return CRM_MONEY_OK;
}

/* Decimal comma text rewritten as decimal point text: ',' and '.' swap roles, and a space
 * or no-break space between digits becomes a thousands ','. 0 when it does not fit out
 * (a longer text is not money). */
static size_t swap_decimal_comma(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        size_t sp = c == ' ' ? 1
                    : (len - i >= 2 && (unsigned char)c == 0xC2 &&
                       (unsigned char)s[i + 1] == 0xA0) ? 2
                    : (len - i >= 3 && (unsigned char)c == 0xE2 &&
                       (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0xAF) ? 3
                                                                                     : 0;
        if (sp && n > 0 && is_digit(out[n - 1]) && i + sp < len && is_digit(s[i + sp])) {
            c = '.';            /* swapped to ',' below */
            i += sp - 1;
        } else if (sp > 1) {
            c = ' ';
            i += sp - 1;
        }
        if (n + 1 >= cap)
            return 0;
        out[n++] = c == ',' ? '.' : c == '.' ? ',' : c;
    }
    return n;
}

#define SWAP_MAX 96

enum crm_money_status crm_money_parse_decimal(const char *s, size_t len, unsigned flags,
                                              struct crm_decimal *out)
{
    int64_t units;
    int scale, neg;
    uint64_t mag;
    char swapped[SWAP_MAX];
    if (flags & CRM_MONEY_DECIMAL_COMMA) {
        if (!(len = swap_decimal_comma(s, len, swapped, sizeof swapped)))
            return CRM_MONEY_SYNTAX;
        s = swapped;
        flags = (flags & ~CRM_MONEY_DECIMAL_COMMA) | CRM_MONEY_THOUSANDS;
    }
    if (scan_plain(s, len, &mag, &scale, &neg)) {
        out->units = neg ? -(int64_t)mag : (int64_t)mag;
        out->scale = scale;
        return CRM_MONEY_OK;
    }
    enum crm_money_status st = scan(s, len, flags, -1, &units, &scale);
    if (st == CRM_MONEY_OK) {
        out->units = units;
        out->scale = scale;
    }
    return st;
}

enum crm_money_status crm_money_parse(const char *s, size_t len, unsigned flags, int scale,
                                      int64_t *minor)
{
    int64_t units;
    int got, neg;
    uint64_t mag;
    if (scale < 0 || scale > MAX_SCALE)
        return CRM_MONEY_RANGE;
    if (scan_plain(s, len, &mag, &got, &neg) && got <= scale) {
        if (!scale_up(&mag, scale - got))
            return CRM_MONEY_RANGE;
        *minor = neg ? -(int64_t)mag : (int64_t)mag;
        return CRM_MONEY_OK;
    }
    enum crm_money_status st = scan(s, len, flags, scale, &units, &got);
    if (st == CRM_MONEY_OK)
        *minor = units;
    return st;
}

/* Divide a magnitude by 10^k rounding half away from zero (the sign is applied later). */
static u128 round_div(u128 mag, int k)
{
    u128 p = 1;
    for (int i = 0; i < k; i++)
        p *= 10;
    u128 q = mag / p, r = mag % p;
    return r >= p - r ? q + 1 : q;
}

/* Give the rounded magnitude its sign, or report that it does not fit int64. */
static enum crm_money_status signed_result(u128 mag, int neg, int64_t *minor)
{
    if (mag > MAG_MAX)
        return CRM_MONEY_RANGE;
    *minor = neg ? -(int64_t)mag : (int64_t)mag;
    return CRM_MONEY_OK;
}

/* mag × 10^k (k >= 0) as a signed result, or RANGE. */
static enum crm_money_status scaled_result(u128 mag, int k, int neg, int64_t *minor)
{
    for (int i = 0; i < k; i++) {
        if (mag > MAG_MAX / 10)
            return CRM_MONEY_RANGE;
        mag *= 10;
    }
    return signed_result(mag, neg, minor);
}

static u128 magnitude(int64_t v)
{
    return v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v;
}

enum crm_money_status crm_money_to_minor(struct crm_decimal d, int scale, int64_t *minor)
{
    if (scale < 0 || scale > MAX_SCALE || d.scale < 0 || d.scale > MAX_SCALE)
        return CRM_MONEY_RANGE;
    if (d.scale == scale) {
        *minor = d.units;
        return CRM_MONEY_OK;
    }
    int neg = d.units < 0;
    if (d.scale < scale)
        return scaled_result(magnitude(d.units), scale - d.scale, neg, minor);
    int k = d.scale - scale;
    uint64_t mag = (uint64_t)magnitude(d.units), p = pow10_u64[k];
    uint64_t q = mag / p, r = mag % p;
    return signed_result(r >= p - r ? (u128)q + 1 : q, neg, minor);
}

enum crm_money_status crm_money_mul(struct crm_decimal price, struct crm_decimal quantity,
                                    int scale, int64_t *minor)
{
    if (scale < 0 || scale > MAX_SCALE || price.scale < 0 || price.scale > MAX_SCALE ||
        quantity.scale < 0 || quantity.scale > MAX_SCALE)
        return CRM_MONEY_RANGE;
    /* |a|,|b| <= 2^63, so the exact product (< 2^126) and 10^36 both fit u128. */
    u128 mag = magnitude(price.units) * magnitude(quantity.units);
    int neg = (price.units < 0) != (quantity.units < 0);
    int pscale = price.scale + quantity.scale;
    if (pscale <= scale)
        return scaled_result(mag, scale - pscale, neg, minor);
    int k = pscale - scale;
    if (mag <= UINT64_MAX && k <= 19) { /* the usual case: 64-bit division */
        uint64_t m = (uint64_t)mag, p = pow10_u64[k];
        uint64_t q = m / p, r = m % p;
        return signed_result(r >= p - r ? (u128)q + 1 : q, neg, minor);
    }
    return signed_result(round_div(mag, k), neg, minor);
}

/* A non-zero digit past `scale` decimals in number text that scan accepted ('.' is its
 * decimal point). */
static int digits_past(const char *s, size_t len, int scale)
{
    const char *dot = memchr(s, '.', len);
    if (!dot)
        return 0;
    int k = 0;
    for (const char *p = dot + 1; p < s + len && is_digit(*p); p++, k++)
        if (k >= scale && *p != '0')
            return 1;
    return 0;
}

/* crm_money_parse_exact past the short shape (public for the test that compares the two):
 * kept out of line, so the usual amount pays for none of its registers or calls. */
__attribute__((noinline)) enum crm_money_status
crm_money_parse_exact_general(const char *s, size_t len, unsigned flags, int scale,
                              int64_t *minor, unsigned *note)
{
    uint64_t mag;
    int got, neg;
    if (scan_plain(s, len, &mag, &got, &neg) && got <= scale &&
        (!(flags & CRM_MONEY_DECIMAL_COMMA) || got == 0) && scale <= MAX_SCALE) {
        if (!scale_up(&mag, scale - got))
            return CRM_MONEY_RANGE;
        *minor = neg ? -(int64_t)mag : (int64_t)mag;
        *note = neg ? CRM_MONEY_NEGATIVE : 0;
        return CRM_MONEY_OK;
    }
    *note = 0;
    if (scale < 0 || scale > MAX_SCALE)
        return CRM_MONEY_RANGE;
    struct crm_decimal d;
    enum crm_money_status st = crm_money_parse_decimal(s, len, flags & ~CRM_MONEY_ROUND, &d);
    if (st == CRM_MONEY_RANGE) {
        /* more than 18 significant digits: rounding may take it, and says whether any
         * digit past the scale was not zero */
        char swapped[SWAP_MAX];
        if (flags & CRM_MONEY_DECIMAL_COMMA) {
            if (!(len = swap_decimal_comma(s, len, swapped, sizeof swapped)))
                return CRM_MONEY_SYNTAX;
            s = swapped;
            flags |= CRM_MONEY_THOUSANDS;
        }
        int64_t units;
        st = scan(s, len, flags, scale, &units, &got);
        if (st != CRM_MONEY_OK)
            return st;
        int rounded = digits_past(s, len, scale);
        if (rounded && !(flags & CRM_MONEY_ROUND))
            return CRM_MONEY_PRECISION;
        *minor = units;
        *note = (rounded ? CRM_MONEY_ROUNDED : 0) | (units < 0 || memchr(s, '-', len) ||
                                                     memchr(s, '(', len) ? CRM_MONEY_NEGATIVE
                                                                         : 0);
        return st;
    }
    if (st != CRM_MONEY_OK)
        return st;
    if (d.units < 0)
        *note |= CRM_MONEY_NEGATIVE;
    if (d.scale > scale) {
        uint64_t m = (uint64_t)magnitude(d.units);
        if (m % pow10_u64[d.scale - scale] != 0) {
            if (!(flags & CRM_MONEY_ROUND))
                return CRM_MONEY_PRECISION;
            *note |= CRM_MONEY_ROUNDED;
        }
    }
    return crm_money_to_minor(d, scale, minor);
}

/* The usual amount ("331.99": scan_short's shape, no more decimals than the store keeps)
 * read inline, with no call; at most 8 digits, so times 10^10 or less it cannot overflow.
 * Anything else goes to crm_money_parse_exact_general, which reads the short shape again
 * the same way (the same results: it is the code this path was taken from). */
enum crm_money_status crm_money_parse_exact(const char *s, size_t len, unsigned flags,
                                            int scale, int64_t *minor, unsigned *note)
{
    uint64_t mag;
    int got, neg;
    if (scan_short(s, len, &mag, &got, &neg) && got <= scale && scale - got <= 10 &&
        (!(flags & CRM_MONEY_DECIMAL_COMMA) || got == 0)) {
        mag *= pow10_u64[scale - got];
        *minor = neg ? -(int64_t)mag : (int64_t)mag;
        *note = neg ? CRM_MONEY_NEGATIVE : 0;
        return CRM_MONEY_OK;
    }
    return crm_money_parse_exact_general(s, len, flags, scale, minor, note);
}

int crm_money_looks_decimal_comma(const char *s, size_t len)
{
    struct crm_decimal d;
    const char *comma = memchr(s, ',', len);
    return comma && crm_money_parse_decimal(s, len, CRM_MONEY_DECIMAL_COMMA, &d) ==
                        CRM_MONEY_OK;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* Exactly `count` digits of u (zero-padded on the left) ending just before `end`, two a
 * step; returns where they start. */
static char *digits_before(char *end, uint64_t u, size_t count)
{
    for (; count >= 2; count -= 2) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (u % 100), 2);
        u /= 100;
    }
    if (count)
        *--end = (char)('0' + u % 10);
    return end;
}

/* format_units without grouping: the whole part and the `scale` decimals are each written
 * two digits a step straight into buf (a million report rows print two amounts each). The
 * same bytes as the general loop below. Inlined for each scale the reports print most (2 for
 * money, 7 for the models' figures), so the division by 10^scale becomes a multiplication. */
static inline __attribute__((always_inline)) size_t format_plain_k(int64_t minor, size_t k,
                                                                   char *buf)
{
    uint64_t mag = (uint64_t)magnitude(minor), whole = mag, frac = 0;
    if (k > 0) {
        whole = mag / pow10_u64[k];
        frac = mag % pow10_u64[k];
    }
    size_t digits = 1;
    for (uint64_t t = whole; t >= 10; t /= 10)
        digits++;
    size_t len = (minor < 0) + digits + (k > 0 ? k + 1 : 0);
    char *q = buf + len;
    *q = '\0';
    if (k > 0) {
        q = digits_before(q, frac, k);
        *--q = '.';
    }
    digits_before(q, whole, digits);
    if (minor < 0)
        buf[0] = '-';
    return len;
}

static size_t format_plain(int64_t minor, int scale, char *buf)
{
    switch (scale) {
    case 2:
        return format_plain_k(minor, 2, buf);
    case 7:
        return format_plain_k(minor, 7, buf);
    default:
        return format_plain_k(minor, (size_t)scale, buf);
    }
}

/* Digits of |minor| with a point `scale` digits from the right (at least "0."), thousands
 * grouped by ',' when group. */
static size_t format_units(int64_t minor, int scale, int group, char *buf)
{
    char tmp[32];
    size_t n = 0, len = 0;
    uint64_t mag = (uint64_t)magnitude(minor);
    if (scale < 0)
        scale = 0;
    if (scale > MAX_SCALE)
        scale = MAX_SCALE;
    if (!group)
        return format_plain(minor, scale, buf);
    /* digits in reverse, at least scale + 1 of them so there is a leading "0." */
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0 || n < (size_t)scale + 1);
    if (minor < 0)
        buf[len++] = '-';
    while (n > 0) {
        buf[len++] = tmp[--n];
        if (n == (size_t)scale && n > 0)
            buf[len++] = '.';
        else if (group && n > (size_t)scale && (n - (size_t)scale) % 3 == 0)
            buf[len++] = ',';
    }
    buf[len] = '\0';
    return len;
}

size_t crm_money_format(int64_t minor, int scale, char *buf)
{
    return format_units(minor, scale, 0, buf);
}

size_t crm_money_format_grouped(int64_t minor, int scale, char *buf)
{
    return format_units(minor, scale, 1, buf);
}
