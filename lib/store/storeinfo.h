/* storeinfo: a store seen whole — a verified summary (every chunk and column decoded, so
 * every checksum and total is checked) and its orders written back out as CSV. What
 * `crm-import --check` and `--dump` print. */
#ifndef CRM_STOREINFO_H
#define CRM_STOREINFO_H

#include <stdint.h>

#include "text/out.h"
#include "store/store.h"

struct crm_store_summary {
    uint64_t by_status[CRM_STATUS_COUNT];
    uint32_t customers;
    size_t customer_rows;
    struct crm_store_stats stats;
    struct crm_store_meta meta;
};

/* Read the whole store, decoding every column. */
enum crm_err crm_store_summarize(struct crm_store *s, struct crm_store_summary *out,
                                 struct crm_errinfo *e);

/* Every order as a CSV row: order_id, customer_id, order_time, amount, quantity, status,
 * currency (header first). */
enum crm_err crm_store_dump(struct crm_store *s, struct crm_out *o, struct crm_errinfo *e);

#endif
