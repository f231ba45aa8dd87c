/* basketrep_test: crm-basket's rules table — header, counts, support, confidence and lift
 * with 7 decimals, rank order, the name columns — and the refusal of a store without line
 * items, naming the input and the fix. (Recommendations read a store's line items: checked
 * end to end by tests/basket.) */
#include "testutil.h"

#include "teststore.h"
#include "customer/basketrep.h"

static const struct crm_product P[3] = {
    {"A", "Stroller", "", 1, 8, 0}, {"B", "Milk", "", 1, 4, 0}, {"C", "Bottle", "", 1, 6, 0},
};

/* 5 baskets {A,B,C} {A,B} {B,C} {A,B} {A,C}: A 4, B 4, C 3; AB 3, AC 2, BC 2. */
static struct crm_basket *ranked(void)
{
    static const uint64_t count[3] = {4, 4, 3};
    struct crm_basket *b;
    struct crm_errinfo e;
    assert_int_equal(crm_basket_from_counts(5, 2, P, count, 3, &b, &e), CRM_OK);
    crm_basket_add_pair(b, 0, 1, 3);
    crm_basket_add_pair(b, 0, 2, 2);
    crm_basket_add_pair(b, 1, 2, 2);
    struct crm_basket_opts o = {0.3, 0, 2, 0};
    assert_int_equal(crm_basket_rank(b, &o, &e), CRM_OK);
    return b;
}

static void test_basketrep_rules_table(void **state)
{
    (void)state;
    struct crm_basket *b = ranked();
    struct t_sink k;
    crm_basketrep_rules(t_sink_open(&k, 0), b, 0);
    /* A→B: 3 of 5 baskets, 3 of A's 4, lift 0.75 / (4/5); A→C: 2/5, 2/4, 0.5 / (3/5) */
    assert_string_equal(t_sink_text(&k),
                        "antecedent,consequent,antecedent_orders,consequent_orders,"
                        "both_orders,support,confidence,lift\n"
                        "A,B,4,4,3,0.6000000,0.7500000,0.9375000\n"
                        "B,A,4,4,3,0.6000000,0.7500000,0.9375000\n"
                        "A,C,4,3,2,0.4000000,0.5000000,0.8333333\n"
                        "B,C,4,3,2,0.4000000,0.5000000,0.8333333\n"
                        "C,A,3,4,2,0.4000000,0.6666667,0.8333333\n"
                        "C,B,3,4,2,0.4000000,0.6666667,0.8333333\n");
    crm_basket_free(b);
}

static void test_basketrep_rules_with_names(void **state)
{
    (void)state;
    struct crm_basket *b = ranked();
    struct t_sink k;
    crm_basketrep_rules(t_sink_open(&k, 0), b, 1);
    const char *text = t_sink_text(&k);
    const char *want = "antecedent,consequent,antecedent_orders,consequent_orders,"
                       "both_orders,support,confidence,lift,antecedent_name,consequent_name\n"
                       "A,B,4,4,3,0.6000000,0.7500000,0.9375000,Stroller,Milk\n"
                       "B,A,4,4,3,0.6000000,0.7500000,0.9375000,Milk,Stroller\n"
                       "A,C,4,3,2,0.4000000,0.5000000,0.8333333,Stroller,Bottle\n";
    assert_memory_equal(text, want, strlen(want));
    crm_basket_free(b);
}

static void test_basketrep_store_without_items_names_input_and_fix(void **state)
{
    (void)state;
    static const struct t_order orders[] = {{"c1", "2024-06-01", 100, 1, CRM_STATUS_PAID}};
    char path[64];
    struct crm_store *s = t_store(orders, 1, NULL, 0, path);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_basketrep_need_items(s, "shop.crm", &e), CRM_EDATA);
    char text[1024];
    crm_errinfo_format(&e, text, sizeof text);
    assert_string_equal(text, "shop.crm: the store has no line items (format version 1): "
                              "import the orders with their product column (crm-import --map "
                              "product_id=COLUMN, or a header such as SKU or StockCode)");
    crm_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basketrep_rules_table),
        cmocka_unit_test(test_basketrep_rules_with_names),
        cmocka_unit_test(test_basketrep_store_without_items_names_input_and_fix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
