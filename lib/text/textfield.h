/* internal to lib/: the tools in cmd/ do not include it. */
/* textfield: what every field parser strips first — surrounding spaces (space, tab, CR,
 * LF) and the text-forcing decorations spreadsheets and shop exports add to keep a value
 * as text: the `="…"` wrapper, or one leading '=' or '\''. Shared by the money, time and
 * id parsers so that all of them read the same field the same way. */
#ifndef CRM_TEXTFIELD_H
#define CRM_TEXTFIELD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int crm_text_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Narrow (*s, *len) past leading and trailing spaces and tabs only (a header cell or a
 * rules-file field, where CR and LF never stand). */
static inline void crm_text_trim_blanks(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* The high bit of each byte of x above 9 (the rest zero): x is eight bytes of text xor
 * '0', so those bytes were not digits; the 0x7f mask keeps each sum inside its byte. */
static inline uint64_t crm_text_nondigits8(uint64_t x)
{
    return (((x & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | x) & 0x8080808080808080ull;
}

/* The 8 bytes of x as decimal digits (byte 0 the most significant, each 0..9: text xor
 * '0'): pairs, then quads, then the whole, each step one multiply (10 * 256 + 1 joins two
 * digits). */
static inline uint64_t crm_text_eight_digits(uint64_t x)
{
    x = (x * 2561) >> 8;
    x = ((x & 0x00ff00ff00ff00ffull) * 6553601) >> 16;
    return ((x & 0x0000ffff0000ffffull) * 42949672960001ull) >> 32;
}

/* The four bytes of w with ASCII 'A'-'Z' lowered (bytes >= 0x80 and the rest as they are):
 * a byte is upper case when its low seven bits reach 'A' but not 'Z' + 1 and its high bit
 * is clear; adding 0x3f or 0x25 to the seven bits carries into bit 7 exactly then. */
static inline uint32_t crm_text_lower4(uint32_t w)
{
    uint32_t low7 = w & 0x7f7f7f7fu;
    uint32_t upper = (low7 + 0x3f3f3f3fu) & ~(low7 + 0x25252525u) & ~w & 0x80808080u;
    return w | upper >> 2;
}

/* 1 when s[0..len) lowered in ASCII equals t[0..len) (t already lower case), else 0; four
 * bytes at a time (the last four overlapping) from len 4 on. */
static inline int crm_text_equal_lower(const char *s, const char *t, size_t len)
{
    if (len < 4) {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            if (c != (unsigned char)t[i])
                return 0;
        }
        return 1;
    }
    uint32_t a, b;
    for (size_t i = 0; i + 4 < len; i += 4) {
        memcpy(&a, s + i, 4);
        memcpy(&b, t + i, 4);
        if (crm_text_lower4(a) != b)
            return 0;
    }
    memcpy(&a, s + len - 4, 4);
    memcpy(&b, t + len - 4, 4);
    return crm_text_lower4(a) == b;
}

/* Narrow [*ps, *pe) to the value inside the decorations. */
static inline void crm_text_unwrap(const char **ps, const char **pe)
{
    const char *p = *ps, *e = *pe;
    if (p == e)
        return;
    unsigned char first = (unsigned char)*p, last = (unsigned char)e[-1];
    if (first > '\'' && first != '=' && last > ' ')
        return;                      /* digits, letters, UTF-8: one test of each end */
    if (!crm_text_space(*p) && *p != '=' && *p != '\'' && !crm_text_space(e[-1]))
        return;                      /* the common case: nothing to strip */
    while (p < e && crm_text_space(*p))
        p++;
    while (e > p && crm_text_space(e[-1]))
        e--;
    if (p < e && (*p == '=' || *p == '\'')) {
        if (e - p >= 3 && p[0] == '=' && p[1] == '"' && e[-1] == '"') {
            p++;
            e--;
        }
        p++;
        while (p < e && crm_text_space(*p))
            p++;
        while (e > p && crm_text_space(e[-1]))
            e--;
    }
    *ps = p;
    *pe = e;
}

#endif
