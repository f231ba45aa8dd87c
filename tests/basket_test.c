/* Tests for lib/customer/basket: rules from counts (support, confidence, lift), the exact
 * ranking (equal lifts tie even when their doubles differ), thresholds, and triples. The
 * store side (baskets from line items) is checked end to end by the tests/basket scripts. */
#include "testutil.h"

#include <math.h>

#include "customer/basket.h"

static const struct crm_product P[4] = {
    {"A", "Stroller", "", 1, 8, 0}, {"B", "Milk", "", 1, 4, 0},
    {"C", "Bottle", "", 1, 6, 0}, {"D", "Toy", "", 1, 3, 0},
};

/* 5 baskets {A,B,C} {A,B} {B,C} {A,B,D} {A,C}: A 4, B 4, C 3, D 1; AB 3, AC 2, BC 2,
 * AD 1, BD 1, ABC 1, ABD 1. */
static struct crm_basket *five(uint64_t threshold)
{
    static const uint64_t count[4] = {4, 4, 3, 1};
    struct crm_basket *b;
    struct crm_errinfo e;
    assert_int_equal(crm_basket_from_counts(5, threshold, P, count, 4, &b, &e), CRM_OK);
    crm_basket_add_pair(b, 0, 1, 3);
    crm_basket_add_pair(b, 0, 2, 2);
    crm_basket_add_pair(b, 1, 2, 2);
    crm_basket_add_pair(b, 0, 3, 1);
    crm_basket_add_pair(b, 1, 3, 1);
    assert_int_equal(crm_basket_add_triple(b, 0, 1, 2, 1, &e), CRM_OK);
    assert_int_equal(crm_basket_add_triple(b, 0, 1, 3, 1, &e), CRM_OK);
    return b;
}

static void test_basket_rules_figures_and_rank(void **state)
{
    (void)state;
    struct crm_basket *b = five(2);
    struct crm_basket_opts o = {0.3, 0, 2, 0};
    struct crm_errinfo e;
    assert_int_equal(crm_basket_rank(b, &o, &e), CRM_OK);
    const struct crm_basket_rule *r;
    assert_int_equal(crm_basket_rules(b, &r), 6);
    /* A→B: confidence 3/4, lift 0.75 / 0.8 */
    assert_int_equal(r[0].antecedent[0], 0);
    assert_int_equal(r[0].consequent, 1);
    assert_int_equal(r[0].both_orders, 3);
    assert_true(fabs(r[0].support - 0.6) < 1e-12);
    assert_true(fabs(r[0].confidence - 0.75) < 1e-12);
    assert_true(fabs(r[0].lift - 0.9375) < 1e-12);
    /* lift 10/12 for A→C, B→C, C→A, C→B: equal exactly, so antecedent decides */
    const char *want[6] = {"A>B", "B>A", "A>C", "B>C", "C>A", "C>B"};
    for (int i = 0; i < 6; i++) {
        char got[8];
        snprintf(got, sizeof got, "%s>%s", crm_basket_product(b, r[i].antecedent[0])->id,
                 crm_basket_product(b, r[i].consequent)->id);
        assert_string_equal(got, want[i]);
    }
    crm_basket_free(b);
}

static void test_basket_min_confidence(void **state)
{
    (void)state;
    struct crm_basket *b = five(2);
    struct crm_basket_opts o = {0.3, 0.7, 2, 0};
    struct crm_errinfo e;
    assert_int_equal(crm_basket_rank(b, &o, &e), CRM_OK);
    const struct crm_basket_rule *r;
    assert_int_equal(crm_basket_rules(b, &r), 2);   /* A→B, B→A (0.75); C→A is 0.667 */
    crm_basket_free(b);
}

static void test_basket_triples_and_two_product_antecedents(void **state)
{
    (void)state;
    struct crm_basket *b = five(1);
    struct crm_basket_opts o = {0.2, 0, 3, 0};
    struct crm_errinfo e;
    assert_int_equal(crm_basket_rank(b, &o, &e), CRM_OK);
    const struct crm_basket_rule *r;
    size_t n = crm_basket_rules(b, &r), triples = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].antecedent_n < 2)
            continue;
        triples++;
        char a[16];
        crm_basket_antecedent(b, &r[i], 0, a, sizeof a);
        if (strcmp(a, "A;B") == 0 && r[i].consequent == 3) {
            /* {A,B}→D: antecedent 3 baskets, D 1, both 1: lift (1/3) / (1/5) */
            assert_int_equal(r[i].antecedent_orders, 3);
            assert_true(fabs(r[i].lift - 5.0 / 3.0) < 1e-12);
            char names[32];
            crm_basket_antecedent(b, &r[i], 1, names, sizeof names);
            assert_string_equal(names, "Stroller;Milk");
        }
    }
    assert_int_equal(triples, 6);   /* 3 rules from each of ABC and ABD */
    crm_basket_free(b);
}

static void test_basket_too_many_frequent_products_is_a_usage_error(void **state)
{
    (void)state;
    uint32_t n = CRM_BASKET_MAX_FREQUENT + 1;
    struct crm_product *p = calloc(n, sizeof *p);
    uint64_t *c = calloc(n, sizeof *c);
    struct crm_basket *b;
    struct crm_errinfo e;
    assert_int_equal(crm_basket_from_counts(10, 1, p, c, n, &b, &e), CRM_EUSAGE);
    free(p);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basket_rules_figures_and_rank),
        cmocka_unit_test(test_basket_min_confidence),
        cmocka_unit_test(test_basket_triples_and_two_product_antecedents),
        cmocka_unit_test(test_basket_too_many_frequent_products_is_a_usage_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
