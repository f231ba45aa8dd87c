/* basketrep: crm-basket's report tables (SPEC §17) on top of lib/basket — the ranked rules
 * and the per-customer recommendations, with product ids or also their names. Invariant: the
 * columns are written here once, for a store and for merged partials alike. */
#ifndef CRM_BASKETREP_H
#define CRM_BASKETREP_H

#include "base/err.h"
#include "customer/basket.h"
#include "text/out.h"

struct crm_store;

/* The rules of b in rank order: antecedent, consequent, the three basket counts, support,
 * confidence and lift (7 decimals); with names also antecedent_name and consequent_name.
 * A failed write is left in o (crm_out_close reports it). */
void crm_basketrep_rules(struct crm_out *o, const struct crm_basket *b, int names);

/* --recommend n: crm_basket_recommend's rows — customer_id, rank, product_id, the antecedent
 * of the rule behind it, its confidence and lift; with names also product_name. */
enum crm_err crm_basketrep_recommend(struct crm_out *o, struct crm_store *s,
                                     const struct crm_basket *b, int n, int names,
                                     struct crm_errinfo *e);

/* CRM_EDATA naming input (the user's name for the store) and the fix when s keeps no line
 * items (a format version 1 store, or one imported without a product column). */
enum crm_err crm_basketrep_need_items(const struct crm_store *s, const char *input,
                                      struct crm_errinfo *e);

#endif
