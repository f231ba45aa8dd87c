/* rfmrep: crm-rfm's report (SPEC §6) on top of lib/rfm — the table of per-customer R, F, M
 * values, scores, RFM cell and tier. Invariant: the columns are written here once; a row's
 * bytes depend only on that customer's score, so rows may be formatted by two threads
 * (lib/outrows) and still come out in the store's customer order. */
#ifndef CRM_RFMREP_H
#define CRM_RFMREP_H

#include "base/err.h"
#include "customer/rfm.h"
#include "text/out.h"

struct crm_store;

/* The header and one row per scored customer of s (every customer with all: the unscored
 * with empty dates and scores, frequency 0 and their money), in the store's order. Money in
 * minor units of money_scale. CRM_ENOMEM when the rows cannot be buffered; a failed write
 * is left in o (crm_out_close reports it). */
enum crm_err crm_rfmrep_write(struct crm_out *o, const struct crm_store *s,
                              const struct crm_rfm *r, int money_scale, int all,
                              struct crm_errinfo *e);

#endif
