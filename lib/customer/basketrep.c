/* basketrep: crm-basket's rules and recommendations tables (see basketrep.h). Invariant: a
 * product is written by its id, or by its name in the name columns, and nothing else. */
#include "customer/basketrep.h"

#include <stdlib.h>

#include "store/store.h"

static void put_product(struct crm_out *o, const struct crm_basket *b, uint32_t p, int name)
{
    const struct crm_product *d = crm_basket_product(b, p);
    if (name)
        crm_out_str(o, d->name, d->name_len);
    else
        crm_out_str(o, d->id, d->id_len);
}

static void put_antecedent(struct crm_out *o, const struct crm_basket *b,
                           const struct crm_basket_rule *r, int names)
{
    char buf[4096];
    size_t n = crm_basket_antecedent(b, r, names, buf, sizeof buf);
    crm_out_str(o, buf, n);
}

void crm_basketrep_rules(struct crm_out *o, const struct crm_basket *b, int names)
{
    const struct crm_basket_rule *r;
    size_t n = crm_basket_rules(b, &r);
    crm_out_header(o, names ? "antecedent,consequent,antecedent_orders,consequent_orders,"
                              "both_orders,support,confidence,lift,antecedent_name,"
                              "consequent_name"
                            : "antecedent,consequent,antecedent_orders,consequent_orders,"
                              "both_orders,support,confidence,lift");
    for (size_t i = 0; i < n && !crm_out_failed(o); i++) {
        put_antecedent(o, b, &r[i], 0);
        put_product(o, b, r[i].consequent, 0);
        crm_out_int(o, (long long)r[i].antecedent_orders);
        crm_out_int(o, (long long)r[i].consequent_orders);
        crm_out_int(o, (long long)r[i].both_orders);
        crm_out_fixed(o, r[i].support, 7);
        crm_out_fixed(o, r[i].confidence, 7);
        crm_out_fixed(o, r[i].lift, 7);
        if (names) {
            put_antecedent(o, b, &r[i], 1);
            put_product(o, b, r[i].consequent, 1);
        }
        crm_out_end_row(o);
    }
}

enum crm_err crm_basketrep_recommend(struct crm_out *o, struct crm_store *s,
                                     const struct crm_basket *b, int n, int names,
                                     struct crm_errinfo *e)
{
    struct crm_basket_rec *rec;
    size_t count;
    enum crm_err rc = crm_basket_recommend(s, b, n, &rec, &count, e);
    if (rc != CRM_OK)
        return rc;
    crm_out_header(o, names ? "customer_id,rank,product_id,antecedent,confidence,lift,"
                              "product_name"
                            : "customer_id,rank,product_id,antecedent,confidence,lift");
    for (size_t i = 0; i < count && !crm_out_failed(o); i++) {
        size_t len;
        const char *id = crm_store_customer_id(s, rec[i].customer, &len);
        crm_out_str(o, id, len);
        crm_out_int(o, rec[i].rank);
        put_product(o, b, rec[i].product, 0);
        put_antecedent(o, b, rec[i].because, 0);
        crm_out_fixed(o, rec[i].because->confidence, 7);
        crm_out_fixed(o, rec[i].because->lift, 7);
        if (names)
            put_product(o, b, rec[i].product, 1);
        crm_out_end_row(o);
    }
    free(rec);
    return CRM_OK;
}

enum crm_err crm_basketrep_need_items(const struct crm_store *s, const char *input,
                                      struct crm_errinfo *e)
{
    if (crm_store_has_items(s))
        return CRM_OK;
    crm_errinfo_where(e, input, -1, -1, -1);
    return crm_errinfo_set(e, CRM_EDATA, "the store has no line items (format version 1): "
                           "import the orders with their product column (crm-import --map "
                           "product_id=COLUMN, or a header such as SKU or StockCode)");
}
