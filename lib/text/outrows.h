/* outrows: print the rows of a per-customer report with two threads. Rows are formatted in
 * blocks; odd blocks are formatted by a helper thread into memory while the caller formats
 * even blocks straight into the output, and are appended in order — so the output is
 * byte-identical to printing rows 0..n−1 one by one, and memory stays at two blocks. An XLSX
 * writer takes typed cells, not text: its rows are written by the caller's thread alone.
 * Invariant: row(o, i, ctx) is called exactly once for each i < n (until the output fails),
 * possibly from two threads at once, so it may only read shared data. */
#ifndef CRM_OUTROWS_H
#define CRM_OUTROWS_H

#include <stddef.h>

#include "base/err.h"
#include "text/out.h"

/* row writes zero or more whole rows for index i into o. CRM_ENOMEM when a block cannot be
 * held in memory; a failed write of o stops early (crm_out_close reports it). */
enum crm_err crm_outrows_write(struct crm_out *o, size_t n,
                               void (*row)(struct crm_out *o, size_t i, void *ctx), void *ctx,
                               struct crm_errinfo *e);

#endif
