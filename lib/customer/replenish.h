/* replenish: care by purchase cycle (购买物品的周期性, SPEC §17) — who is due to buy a
 * product again. A purchase of product P by customer C is a day with a paid order of C
 * holding P, before day D. When C bought P on at least two days, C's gaps for P are the
 * days between consecutive purchases and the cycle is their median (an even count: the
 * mean of the two middle gaps, rounded down to whole days). C is due for P on
 * last purchase + cycle; the care list of day D names those due exactly on D (one row a
 * day, like after-7d: a daily job reminds each cycle once). Several products due on D for
 * one customer: the one bought on the most days first, then product id (byte order).
 * Memory: one 12-byte entry per distinct (customer, product, day) of paid orders. */
#ifndef CRM_REPLENISH_H
#define CRM_REPLENISH_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct crm_replenish_hit {
    uint32_t customer, product;
    int32_t last;              /* day of the last purchase */
    int32_t cycle;             /* median gap in days */
    uint32_t purchases;        /* days the customer bought the product */
    uint32_t more;             /* other products due the same day */
};

/* One hit per customer due on day `on`, in customer-index order. Reads s from its first
 * chunk (crm_store_rewind); a store without items has none. */
enum crm_err crm_replenish_due(struct crm_store *s, int32_t on, struct crm_replenish_hit **hits,
                               size_t *n, struct crm_errinfo *e);

#endif
