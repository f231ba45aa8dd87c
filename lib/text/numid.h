/* internal to lib/: the tools in cmd/ do not include it. */
/* numid: ids that are a prefix and a decimal number ("O00000123", "C0468932", "12346")
 * read as numbers. A form is fixed by one id: its prefix (at most CRM_NUMID_PREFIX bytes)
 * and either the width of its zero-padded number (fixed) or no leading zeros (plain).
 * Within one form an id's text and its number determine each other, so a set or a map can
 * key on the number alone. Splitting off the number needs no form, so it can be done
 * ahead, on another thread; matching a form then only compares the prefix. */
#ifndef CRM_NUMID_H
#define CRM_NUMID_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "text/textfield.h"

#define CRM_NUMID_PREFIX 16
#define CRM_NUMID_DIGITS 18        /* numbers up to 10^18 - 1: they fit int64 */

/* An id's trailing decimal number: `digits` of them (0: none, or more than
 * CRM_NUMID_DIGITS), worth `number`. */
struct crm_numid {
    int64_t number;
    uint32_t digits;
};

enum crm_numform_kind { CRM_NUMFORM_NONE, CRM_NUMFORM_FIXED, CRM_NUMFORM_PLAIN };

struct crm_numform {
    enum crm_numform_kind kind;
    char prefix[CRM_NUMID_PREFIX];
    size_t plen, width;            /* width: digits of a fixed form's numbers */
};

/* crm_numid_split, inline: for the reader threads, which split two ids a row (numid.c's
 * crm_numid_split is this one out of line). */
static inline struct crm_numid crm_numid_split_inline(const char *id, size_t len)
{
    static const int64_t p10[CRM_NUMID_DIGITS] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
        10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
        1000000000000000, 10000000000000000, 100000000000000000};
    struct crm_numid n = {0, 0};
    int64_t v = 0;
    size_t d = 0;
    if (len >= 8) {
        /* The last eight bytes at once: which are digits, how many trail, their value. */
        uint64_t w;
        memcpy(&w, id + len - 8, 8);
        uint64_t x = w ^ 0x3030303030303030ull;
        uint64_t nd = crm_text_nondigits8(x);
        d = nd ? (size_t)__builtin_clzll(nd) / 8 : 8;   /* digits above the last non-digit */
        if (d == 0)
            return n;
        v = (int64_t)crm_text_eight_digits(d == 8 ? x : x & (~0ull << (8 * (8 - d))));
        if (d < 8) {
            n.number = v;
            n.digits = (uint32_t)d;
            return n;
        }
    }
    for (; d < len; d++) {                     /* one pass, from the last digit back */
        unsigned c = (unsigned char)id[len - 1 - d] - '0';
        if (c > 9)
            break;
        if (d == CRM_NUMID_DIGITS)
            return n;                          /* too many digits: no number */
        v += (int64_t)c * p10[d];
    }
    n.number = v;
    n.digits = (uint32_t)d;
    return n;
}

struct crm_numid crm_numid_split(const char *id, size_t len);

/* The form of id (kind NONE when id does not end in a number or its prefix is too long). */
void crm_numform_of(struct crm_numform *f, const char *id, size_t len);

/* The number of id in form f, or -1 when id is not of that form; number and digits are
 * crm_numid_split(id)'s, passed apart: a struct copy of what was just stored field by
 * field (8 + 4 bytes and padding) fails store forwarding. Inline: it runs for every row
 * on the importer's main thread. */
static inline int64_t crm_numform_number(const struct crm_numform *f, const char *id, size_t len,
                                         int64_t number, uint32_t digits)
{
    if (f->kind == CRM_NUMFORM_NONE || !digits || len - digits != f->plen)
        return -1;
    for (size_t i = 0; i < f->plen; i++)     /* a few bytes: no call to memcmp */
        if (id[i] != f->prefix[i])
            return -1;
    if (f->kind == CRM_NUMFORM_FIXED ? digits != f->width : id[f->plen] == '0' && digits > 1)
        return -1;
    return number;
}

/* v (>= 0) in decimal, zero-padded to `width` digits (0: no padding), written to out
 * (room for 20 bytes, or width); its length, or 0 when v has more than `width` digits. */
size_t crm_numid_format(int64_t v, size_t width, char *out);

/* The id of number v (>= 0) in form f, written to out (room for CRM_NUMID_PREFIX + 20
 * bytes); its length. */
size_t crm_numform_format(const struct crm_numform *f, int64_t v, char *out);

#endif
