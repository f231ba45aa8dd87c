/* fuzz_money: any text as money (lib/money). Checks that the exact and the rounding parser
 * agree on what is a number and on its value, that formatting and parsing again gives the
 * same minor units, and that price × quantity is symmetric and × 1 is plain rounding.
 * Option byte: thousands flag (bit 0), scale 0..7 (bits 1-3). */
#include "fuzzutil.h"

#include "text/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in);
    unsigned flags = opt & 1 ? CRM_MONEY_THOUSANDS : 0;
    int scale = (int)((opt >> 1) & 7);
    const char *s = (const char *)in.p;
    size_t len = in.n;

    struct crm_decimal d;
    int64_t minor = 0, via = 0;
    enum crm_money_status sd = crm_money_parse_decimal(s, len, flags, &d);
    enum crm_money_status sp = crm_money_parse(s, len, flags, scale, &minor);
    /* What is a number does not depend on the scale asked for. */
    FUZZ_CHECK((sd == CRM_MONEY_SYNTAX) == (sp == CRM_MONEY_SYNTAX), "syntax %d vs %d", sd, sp);
    FUZZ_CHECK((sd == CRM_MONEY_EMPTY) == (sp == CRM_MONEY_EMPTY), "empty %d vs %d", sd, sp);
    if (sd == CRM_MONEY_OK) {
        FUZZ_CHECK(d.scale >= 0 && d.scale <= 18, "scale %d", d.scale);
        enum crm_money_status st = crm_money_to_minor(d, scale, &via);
        /* Rounding the exact value once must give what the rounding parser gives. */
        FUZZ_CHECK(st == sp, "to_minor %d, parse %d", st, sp);
        if (st == CRM_MONEY_OK)
            FUZZ_CHECK(via == minor, "to_minor %lld, parse %lld", (long long)via,
                       (long long)minor);
        struct crm_decimal one = {1, 0};
        int64_t m1 = 0, m2 = 0;
        enum crm_money_status s1 = crm_money_mul(d, one, scale, &m1);
        enum crm_money_status s2 = crm_money_mul(one, d, scale, &m2);
        FUZZ_CHECK(s1 == st && s2 == st, "× 1: %d %d vs %d", s1, s2, st);
        if (st == CRM_MONEY_OK)
            FUZZ_CHECK(m1 == via && m2 == via, "× 1 gives %lld", (long long)m1);
        /* Squares must not overflow silently (u128 inside); any quantity both ways round. */
        (void)crm_money_mul(d, d, scale, &m1);
        struct crm_decimal q = {(int64_t)(opt >> 4) - 8, (int)(opt & 1)};
        s1 = crm_money_mul(d, q, scale, &m1);
        s2 = crm_money_mul(q, d, scale, &m2);
        FUZZ_CHECK(s1 == s2 && (s1 != CRM_MONEY_OK || m1 == m2), "mul not symmetric");
    }
    /* The parser that never changes money silently: exact when it says OK, the rounding
     * parser's value with CRM_MONEY_ROUND, and PRECISION only for digits past the scale. */
    unsigned note = 0;
    int64_t ex = 0;
    enum crm_money_status se = crm_money_parse_exact(s, len, flags, scale, &ex, &note);
    FUZZ_CHECK(se == sp || se == CRM_MONEY_PRECISION, "exact %d, parse %d", se, sp);
    if (se == CRM_MONEY_OK)
        FUZZ_CHECK(ex == minor && !(note & CRM_MONEY_ROUNDED), "exact %lld vs %lld",
                   (long long)ex, (long long)minor);
    if (se == CRM_MONEY_PRECISION)
        FUZZ_CHECK(sd == CRM_MONEY_OK || sd == CRM_MONEY_RANGE, "precision of a non-number");
    enum crm_money_status sr = crm_money_parse_exact(s, len, flags | CRM_MONEY_ROUND, scale,
                                                     &ex, &note);
    FUZZ_CHECK(sr == sp, "rounding exact %d, parse %d", sr, sp);
    if (sr == CRM_MONEY_OK)
        FUZZ_CHECK(ex == minor, "rounded %lld vs %lld", (long long)ex, (long long)minor);
    /* Decimal commas: whatever they read is a decimal in range; the same text with ',' and
     * '.' swapped reads the same under the other convention. */
    struct crm_decimal dc;
    if (crm_money_parse_decimal(s, len, CRM_MONEY_DECIMAL_COMMA, &dc) == CRM_MONEY_OK)
        FUZZ_CHECK(dc.scale >= 0 && dc.scale <= 18, "comma scale %d", dc.scale);
    (void)crm_money_looks_decimal_comma(s, len);
    if (sp == CRM_MONEY_OK) {
        char buf[32], *dup;
        size_t n = crm_money_format(minor, scale, buf);
        FUZZ_CHECK(n == strlen(buf) && n < sizeof buf, "format length");
        int64_t back = 0;
        FUZZ_CHECK(crm_money_parse(buf, n, 0, scale, &back) == CRM_MONEY_OK && back == minor,
                   "\"%s\" parses back as %lld, not %lld", buf, (long long)back,
                   (long long)minor);
        dup = malloc(len + 1);   /* a NUL-terminated copy must parse the same */
        FUZZ_CHECK(dup != NULL, "out of memory");
        memcpy(dup, s, len);
        dup[len] = '\0';
        FUZZ_CHECK(crm_money_parse(dup, len, flags, scale, &back) == CRM_MONEY_OK &&
                   back == minor, "copy parses differently");
        free(dup);
    }
    return 0;
}
