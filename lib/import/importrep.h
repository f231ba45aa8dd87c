/* importrep: crm-import's report after an import (lib/import/importrep.c) — the summary
 * counts, the notes on what the import assumed, the first rejects — as lines for the tool
 * to print. */
#ifndef CRM_IMPORTREP_H
#define CRM_IMPORTREP_H

#include <stddef.h>

#include "import/import.h"

/* One line of the report (no newline); info 1: a summary line (-q silences it), 0: a note
 * or warning printed even with -q. */
typedef void crm_import_say(void *ctx, int info, const char *line);

/* The summary ("N rows read, ..."), line items, refunds, repeated headers, customers file;
 * the notes (preset detected, no status, no order id, repeated totals, far line items,
 * rounded money); the first rejected rows and how many more (all in rejects when given).
 * written 0 (the run failed at its finish, e.g. over the reject rate): the orders are
 * said to be accepted, none written. */
void crm_import_report(const struct crm_import *imp, const char *rejects, int written,
                       crm_import_say *say, void *ctx);

/* --check: open and summarize the store at path and describe it as crm-import
 * --check prints it (store, format, orders by status, customers, dates, chunks, commits,
 * "check: ok"), into text (size bytes; *len the length written). */
enum crm_err crm_import_check(const char *path, char *text, size_t size, size_t *len,
                              struct crm_errinfo *e);

#endif
