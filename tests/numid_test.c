/* Tests for lib/numid: an id's trailing number, forms fixed by one id, and the text of a
 * number in a form. */
#include "testutil.h"

#include "text/numid.h"
#include "base/rng.h"

static int64_t num(const struct crm_numform *f, const char *id)
{
    struct crm_numid n = crm_numid_split(id, strlen(id));
    return crm_numform_number(f, id, strlen(id), n.number, n.digits);
}

static void test_numid_split_takes_the_trailing_digits(void **state)
{
    (void)state;
    struct crm_numid n = crm_numid_split("O00000123", 9);
    assert_int_equal(n.digits, 8);
    assert_int_equal(n.number, 123);
    n = crm_numid_split("A1B22", 5);
    assert_int_equal(n.digits, 2);
    assert_int_equal(n.number, 22);
    assert_int_equal(crm_numid_split("abc", 3).digits, 0);
    assert_int_equal(crm_numid_split("", 0).digits, 0);
    assert_int_equal(crm_numid_split("999999999999999999", 18).number, 999999999999999999LL);
    assert_int_equal(crm_numid_split("1000000000000000000", 19).digits, 0);   /* 19 digits */
}

/* The definition, one byte at a time. */
static struct crm_numid split_slowly(const char *id, size_t len)
{
    struct crm_numid n = {0, 0};
    size_t d = 0;
    while (d < len && id[len - 1 - d] >= '0' && id[len - 1 - d] <= '9')
        d++;
    if (d > CRM_NUMID_DIGITS)
        return n;
    for (size_t i = len - d; i < len; i++)
        n.number = n.number * 10 + (id[i] - '0');
    n.digits = (uint32_t)d;
    return n;
}

/* Random ids of every length up to 24, digits mixed with their byte neighbours ('/', ':'),
 * letters, NUL and bytes >= 0x80: the word-at-a-time split agrees with the definition. */
static void test_numid_split_agrees_with_the_definition(void **state)
{
    (void)state;
    static const char other[] = {'/', ':', 'A', 'z', ' ', '.', '\0', (char)0x80, (char)0xb0,
                                 (char)0xff, (char)0xb9};
    struct crm_rng r;
    crm_rng_seed(&r, 42);
    char id[32];
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(crm_rng_next(&r) % 25);
        unsigned digit_pct = (unsigned)(crm_rng_next(&r) % 101);
        for (size_t i = 0; i < len; i++) {
            uint64_t x = crm_rng_next(&r);
            id[i] = x % 100 < digit_pct ? (char)('0' + (x >> 8) % 10)
                                        : other[(x >> 8) % sizeof other];
        }
        struct crm_numid want = split_slowly(id, len), got = crm_numid_split(id, len);
        if (got.digits != want.digits || got.number != want.number)
            fail_msg("\"%.*s\": %u digits %lld, expected %u digits %lld", (int)len, id,
                     got.digits, (long long)got.number, want.digits, (long long)want.number);
        got = crm_numid_split_inline(id, len);      /* the readers' copy, inlined */
        if (got.digits != want.digits || got.number != want.number)
            fail_msg("inline \"%.*s\": %u digits %lld, expected %u digits %lld", (int)len, id,
                     got.digits, (long long)got.number, want.digits, (long long)want.number);
    }
}

static void test_numid_fixed_form_keeps_its_width(void **state)
{
    (void)state;
    struct crm_numform f;
    crm_numform_of(&f, "C0468932", 8);
    assert_int_equal(f.kind, CRM_NUMFORM_FIXED);
    assert_int_equal(num(&f, "C0000001"), 1);
    assert_int_equal(num(&f, "C9999999"), 9999999);
    assert_int_equal(num(&f, "C1"), -1);           /* other width */
    assert_int_equal(num(&f, "C00000001"), -1);
    assert_int_equal(num(&f, "D0000001"), -1);     /* other prefix */
    assert_int_equal(num(&f, "C"), -1);
    assert_int_equal(num(&f, "C00000x1"), -1);
    char out[48];
    size_t n = crm_numform_format(&f, 42, out);
    assert_int_equal(n, 8);
    assert_memory_equal(out, "C0000042", 8);
}

static void test_numid_plain_form_refuses_leading_zeros(void **state)
{
    (void)state;
    struct crm_numform f;
    crm_numform_of(&f, "12346", 5);
    assert_int_equal(f.kind, CRM_NUMFORM_PLAIN);
    assert_int_equal(f.plen, 0);
    assert_int_equal(num(&f, "7"), 7);
    assert_int_equal(num(&f, "0"), 0);
    assert_int_equal(num(&f, "123456789"), 123456789);
    assert_int_equal(num(&f, "012"), -1);          /* "012" is not the text of 12 */
    assert_int_equal(num(&f, "x12"), -1);
    char out[48];
    assert_int_equal(crm_numform_format(&f, 0, out), 1);
    assert_int_equal(out[0], '0');
}

static void test_numid_no_form_without_a_number_or_with_a_long_prefix(void **state)
{
    (void)state;
    struct crm_numform f;
    crm_numform_of(&f, "alice@example.com", 17);
    assert_int_equal(f.kind, CRM_NUMFORM_NONE);
    assert_int_equal(num(&f, "1"), -1);
    crm_numform_of(&f, "a-very-long-prefix-1", 20);
    assert_int_equal(f.kind, CRM_NUMFORM_NONE);
}

/* Every number's text in a form reads back as that number, and only its text does. */
static void test_numid_format_and_number_are_inverse(void **state)
{
    (void)state;
    const char *firsts[] = {"INV000123", "X7", "5"};
    for (int k = 0; k < 3; k++) {
        struct crm_numform f;
        crm_numform_of(&f, firsts[k], strlen(firsts[k]));
        for (int64_t v = 0; v < 200000; v += 7) {
            char out[48];
            size_t n = crm_numform_format(&f, v, out);
            if (f.kind == CRM_NUMFORM_FIXED && v >= 1000000)
                break;
            struct crm_numid s = crm_numid_split(out, n);
            assert_int_equal(crm_numform_number(&f, out, n, s.number, s.digits), v);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numid_split_takes_the_trailing_digits),
        cmocka_unit_test(test_numid_split_agrees_with_the_definition),
        cmocka_unit_test(test_numid_fixed_form_keeps_its_width),
        cmocka_unit_test(test_numid_plain_form_refuses_leading_zeros),
        cmocka_unit_test(test_numid_no_form_without_a_number_or_with_a_long_prefix),
        cmocka_unit_test(test_numid_format_and_number_are_inverse),
    };
    return cmocka_run_group_tests_name("numid", tests, NULL, NULL);
}
