/* Tests for lib/text/textfield.h's case-blind compare: ASCII letters lowered four bytes at
 * a time must give what lowering byte by byte gives, for every byte and every length. */
#include "testutil.h"

#include "text/textfield.h"

static unsigned char lower_byte(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* s lowered byte by byte equals t: the definition. */
static int equal_lower_bytewise(const char *s, const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (lower_byte((unsigned char)s[i]) != (unsigned char)t[i])
            return 0;
    return 1;
}

static void test_textfield_lower4_lowers_exactly_the_ascii_capitals(void **state)
{
    (void)state;
    /* every byte value in every position, beside every other byte value */
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned pos = 0; pos < 3; pos++) {
                uint32_t w = (uint32_t)a << (8 * pos) | (uint32_t)b << (8 * (pos + 1));
                uint32_t want = (uint32_t)lower_byte((unsigned char)a) << (8 * pos) |
                                (uint32_t)lower_byte((unsigned char)b) << (8 * (pos + 1));
                if (crm_text_lower4(w) != want)
                    fail_msg("lower4(%08x) = %08x, want %08x", w, crm_text_lower4(w), want);
            }
        }
    }
}

/* One pair: s copied to a buffer of exactly len bytes (a read past it shows under the
 * sanitizers), t as the status table keeps it (len bytes and a NUL). */
static void check_pair(const char *s0, const char *t0, size_t len)
{
    char *s = malloc(len ? len : 1), *t = malloc(len + 1);
    assert_true(s && t);
    memcpy(s, s0, len);
    memcpy(t, t0, len);
    t[len] = '\0';
    if (crm_text_equal_lower(s, t, len) != equal_lower_bytewise(s, t, len))
        fail_msg("\"%.*s\" against \"%.*s\": %d", (int)len, s, (int)len, t,
                 crm_text_equal_lower(s, t, len));
    free(s);
    free(t);
}

static void test_textfield_equal_lower_agrees_with_bytewise(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"paid", "paid"}, {"PAID", "paid"}, {"Paid", "paid"}, {"paid", "PAID"},
        {"refunded", "refunded"}, {"REFUNDED", "refunded"}, {"refundeD", "refunded"},
        {"refunded", "refundex"}, {"cancelled", "cancelled"}, {"CANCELLEd", "cancelled"},
        {"xancelled", "cancelled"}, {"cancelleD", "cancellex"}, {"@[`{", "@[`{"},
        {"@[`{", "`{@["}, {"\xc3\x89t\xc3\xa9", "\xc3\x89t\xc3\xa9"},
        {"\xc3\x89T\xc3\xa9", "\xc3\x89t\xc3\xa9"}, {"a", "a"}, {"A", "a"}, {"ab", "aB"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        check_pair(pairs[i][0], pairs[i][1], strlen(pairs[i][0]));
    assert_true(crm_text_equal_lower("CaNcElLeD", "cancelled", 9));
    assert_false(crm_text_equal_lower("cancellee", "cancelled", 9));
    assert_false(crm_text_equal_lower("Zaid", "paid", 4));

    /* random pairs of every length up to 20: t a lowered copy of s with one byte changed
     * now and then, bytes from letters, their neighbours in ASCII and high bytes */
    static const char bytes[] = "aApPzZ@[`{09 -\x80\xc3\xff";
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char s[24], t[24];
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = (size_t)(x % 21);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            s[i] = bytes[x % (sizeof bytes - 1)];
            t[i] = (char)lower_byte((unsigned char)s[i]);
        }
        if (len && (x >> 20) % 2)
            t[(x >> 24) % len] = bytes[(x >> 32) % (sizeof bytes - 1)];
        check_pair(s, t, len);
    }
}

static int space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The definition of crm_text_unwrap, plainly: spaces off both ends; then a leading '=' or
 * '\'' off (with the quotes of ="…"), and spaces off both ends again. */
static void unwrap_plainly(const char *s, size_t len, size_t *from, size_t *to)
{
    size_t a = 0, b = len;
    while (a < b && space_byte((unsigned char)s[a]))
        a++;
    while (b > a && space_byte((unsigned char)s[b - 1]))
        b--;
    if (a < b && (s[a] == '=' || s[a] == '\'')) {
        if (b - a >= 3 && s[a] == '=' && s[a + 1] == '"' && s[b - 1] == '"') {
            a++;
            b--;
        }
        a++;
        while (a < b && space_byte((unsigned char)s[a]))
            a++;
        while (b > a && space_byte((unsigned char)s[b - 1]))
            b--;
    }
    *from = a;
    *to = b;
}

static void check_unwrap(const char *s0, size_t len)
{
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    memcpy(s, s0, len);
    const char *p = s, *e = s + len;
    crm_text_unwrap(&p, &e);
    size_t from, to;
    unwrap_plainly(s, len, &from, &to);
    if ((size_t)(p - s) != from || (size_t)(e - s) != to)
        fail_msg("unwrap of %zu bytes %02x..%02x: [%td, %td), want [%zu, %zu)", len,
                 len ? (unsigned char)s[0] : 0, len ? (unsigned char)s[len - 1] : 0, p - s,
                 e - s, from, to);
    free(s);
}

static void test_textfield_unwrap_agrees_with_its_definition(void **state)
{
    (void)state;
    char s[4];
    check_unwrap("", 0);
    for (unsigned a = 0; a < 256; a++) {         /* every first and last byte */
        s[0] = (char)a;
        check_unwrap(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (char)b;
            check_unwrap(s, 2);
            s[1] = 'x';
            s[2] = (char)b;
            check_unwrap(s, 3);
            s[1] = '"';
            check_unwrap(s, 3);
        }
    }
    static const char *const named[] = {"=\"00123\"", "'00123", " 12 ", "\t12\r", "= 12",
                                        "=\"\"", "==1", "'", "=", "O00000001", "2024-01-02",
                                        "\xe5\xb7\xb2\xe4\xbb\x98\xe6\xac\xbe", "(12)"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        check_unwrap(named[i], strlen(named[i]));
    const char *p = "\t=\"A1\" ", *e = p + strlen(p);
    crm_text_unwrap(&p, &e);
    assert_int_equal(e - p, 2);
    assert_memory_equal(p, "A1", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textfield_lower4_lowers_exactly_the_ascii_capitals),
        cmocka_unit_test(test_textfield_equal_lower_agrees_with_bytewise),
        cmocka_unit_test(test_textfield_unwrap_agrees_with_its_definition),
    };
    return cmocka_run_group_tests_name("textfield", tests, NULL, NULL);
}
