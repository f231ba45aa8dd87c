/* merge: stores → one store, or N partition stores (SPEC §18). `crm-import A.crm B.crm -o
 * C.crm` copies the orders of every store given, store after store and each in its own
 * order, to the writer(s); an order whose id was met before — earlier in the same store, in
 * an earlier store, or already in the store appended to — is skipped and counted, as
 * crm-import skips a duplicate row. Customers-file rows follow their customer. With nw > 1
 * each customer's orders go to writer crm_import_partition(customer_id, nw), as on import.
 * So the per-partition stores of input splits (each split partitioned by its own task),
 * merged split after split, hold the orders --partition gives when it reads the splits in
 * one go (equal by --dump).
 * Line items (SPEC §17) go with their order: crm_merge_items makes the writers keep them
 * when any input has them; products are unified by id into each writer's dictionary and
 * renumbered; a duplicate is skipped with its items.
 * Invariant — nothing is lost: every order read is written or counted as a duplicate;
 * every line item of a written order is written or counted in items_dropped (the output
 * cannot keep items: an appended version-1 store); orders without an id are never
 * duplicates; stores of another money scale or time zone than the output are refused
 * (CRM_EUSAGE), never converted. */
#ifndef CRM_MERGE_H
#define CRM_MERGE_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct crm_merge_stats {
    uint64_t stores;          /* stores merged */
    uint64_t orders_read;     /* orders read from them */
    uint64_t orders;          /* orders written */
    uint64_t duplicates;      /* orders skipped: their id was met before */
    uint64_t customer_rows;   /* customers-file rows copied */
    uint64_t items;           /* line items written */
    uint64_t items_dropped;   /* line items of written orders not kept (see above) */
    uint64_t orders_without_items; /* orders written into stores that keep line items from
                                      stores that have none (format version 1) */
};

struct crm_merge;

/* w[0..nw): the writers (the partitions when nw > 1). */
enum crm_err crm_merge_new(struct crm_store_writer *const *w, size_t nw, struct crm_merge **out,
                           struct crm_errinfo *e);
void crm_merge_free(struct crm_merge *m);

/* Appending (nw == 1, writer from crm_store_writer_append with CRM_STORE_KEEP_IDS): the ids
 * already stored count as met. */
enum crm_err crm_merge_load_existing(struct crm_merge *m, struct crm_errinfo *e);

/* *any = 1 when one of the stores at paths keeps line items (format version 2). */
enum crm_err crm_merge_any_items(const char *const *paths, size_t n, int *any,
                                 struct crm_errinfo *e);

/* Line items: before the first crm_merge_store, with crm_merge_any_items's answer for
 * every store to be merged (asked once by the caller, which needs it to create the output
 * stores). When any of them keeps line items, so do the writers (new stores become format
 * version 2; an appended version-2 store keeps them anyway); an appended version-1 store
 * cannot, and its merge counts the items in items_dropped. */
enum crm_err crm_merge_items(struct crm_merge *m, int any, struct crm_errinfo *e);
/* 1 when the merged store(s) keep line items. */
int crm_merge_keeps_items(const struct crm_merge *m);

/* Copy every order and customers-file row of s (read from its start to its end). */
enum crm_err crm_merge_store(struct crm_merge *m, struct crm_store *s, struct crm_errinfo *e);

const struct crm_merge_stats *crm_merge_stats(const struct crm_merge *m);

/* 1 when path is a regular file that begins with the store magic (0 when not, when
 * unreadable — the importer then reports it — and for pipes, which are never read here). */
int crm_merge_is_store_file(const char *path);

#endif
