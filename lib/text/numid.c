/* numid: ids as a prefix and a decimal number (see numid.h). Invariant: for a form f and
 * v >= 0, crm_numform_number(f, crm_numform_format(f, v)) == v, and an id of the form is
 * exactly the text crm_numform_format gives for its number. */
#include "text/numid.h"

#include <string.h>

/* The 8 bytes of w as decimal digits (byte 0 the most significant, each 0..9): pairs,
 * then quads, then the whole, each step one multiply (10 * 256 + 1 joins two digits). */
static uint64_t eight_digits(uint64_t w)
{
    w = (w * 2561) >> 8;
    w = ((w & 0x00ff00ff00ff00ffull) * 6553601) >> 16;
    return ((w & 0x0000ffff0000ffffull) * 42949672960001ull) >> 32;
}

struct crm_numid crm_numid_split(const char *id, size_t len)
{
    static const int64_t p10[CRM_NUMID_DIGITS] = {
        1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
        10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
        1000000000000000, 10000000000000000, 100000000000000000};
    struct crm_numid n = {0, 0};
    int64_t v = 0;
    size_t d = 0;
    if (len >= 8) {
        /* The last eight bytes at once: which are digits (a byte of x above 9 is not; the
         * 0x7f mask keeps the sum inside its byte), how many trail, and their value. */
        uint64_t w;
        memcpy(&w, id + len - 8, 8);
        uint64_t x = w ^ 0x3030303030303030ull;
        uint64_t nd = (((x & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | x) &
                      0x8080808080808080ull;
        d = nd ? (size_t)__builtin_clzll(nd) / 8 : 8;   /* digits above the last non-digit */
        if (d == 0)
            return n;
        v = (int64_t)eight_digits(d == 8 ? x : x & (~0ull << (8 * (8 - d))));
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

void crm_numform_of(struct crm_numform *f, const char *id, size_t len)
{
    struct crm_numid n = crm_numid_split(id, len);
    memset(f, 0, sizeof *f);
    if (!n.digits || len - n.digits > CRM_NUMID_PREFIX)
        return;
    f->plen = len - n.digits;
    memcpy(f->prefix, id, f->plen);
    f->width = n.digits;
    f->kind = id[f->plen] == '0' && n.digits > 1 ? CRM_NUMFORM_FIXED : CRM_NUMFORM_PLAIN;
}

size_t crm_numid_format(int64_t v, size_t width, char *out)
{
    char tmp[24];
    size_t k = 0, n = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    if (width && k > width)
        return 0;
    for (size_t z = k; z < width; z++)
        out[n++] = '0';
    while (k > 0)
        out[n++] = tmp[--k];
    return n;
}

size_t crm_numform_format(const struct crm_numform *f, int64_t v, char *out)
{
    memcpy(out, f->prefix, f->plen);
    return f->plen + crm_numid_format(v, f->kind == CRM_NUMFORM_FIXED ? f->width : 0,
                                      out + f->plen);
}
