/* private to lib/import/: included only by the modules of this folder (and their tests). */
/* lineitems: the line items of the orders still open in the importer's window (SPEC §17).
 * When a product column is mapped, each row of an order adds one item (product, quantity,
 * amount) to its window slot; the items go to the store with the order when it closes, and
 * the slot is emptied when a new order begins there. Products are numbered by the store
 * writer of the row's partition. Invariant: a slot holds exactly the items of the rows
 * merged into the order open in it. */
#ifndef CRM_LINEITEMS_H
#define CRM_LINEITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct crm_lineitems;

struct crm_lineitems *crm_lineitems_new(size_t slots);
void crm_lineitems_free(struct crm_lineitems *li);

/* A row's product columns, cleaned (id empty: the row has no product). */
struct crm_lineitem_text {
    const char *id, *name, *category;
    size_t id_len, name_len, category_len;
};

/* Empty slot (a new order begins there). */
void crm_lineitems_clear(struct crm_lineitems *li, size_t slot);
/* Add a row's item to slot; a row without a product id adds nothing and returns 1. */
int crm_lineitems_add(struct crm_lineitems *li, size_t slot, struct crm_store_writer *w,
                      const struct crm_lineitem_text *t, int32_t quantity, int64_t amount,
                      struct crm_errinfo *e);
/* The slot's items (valid until the slot changes). */
const struct crm_item *crm_lineitems_of(const struct crm_lineitems *li, size_t slot,
                                        uint32_t *n);

#endif
