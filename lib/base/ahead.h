/* internal to lib/: the tools in cmd/ do not include it. */
/* ahead: a range [0, n) prepared in steps on a helper thread ahead of the caller, who asks
 * for growing prefixes of it as it goes. Made for fresh per-customer arrays: their page
 * faults (the kernel zeroing each page) and their initial values cost the analytic tools'
 * main thread a fifth of its time at 1 M customers, while the store decoder's core was
 * idle half the time. Whoever comes first prepares a step: the helper walks the steps in
 * order; the caller, when the helper has not reached a step it needs, prepares it itself,
 * and waits only for a step the helper is in the middle of. */
#ifndef CRM_AHEAD_H
#define CRM_AHEAD_H

#include <stddef.h>
#include <stdint.h>

struct crm_ahead;

/* Prepares entries [from, to) — called on the helper or on the caller's thread, never twice
 * for an entry, and never for two overlapping ranges at once. */
typedef void (*crm_ahead_fn)(void *ctx, size_t from, size_t to);

/* Start preparing [0, n) in steps of `step` entries (step > 0), the helper staying at most
 * `lead` entries (rounded up to whole steps) past the largest prefix asked for: n may come
 * from a file that lies, and memory is touched only near what is really needed. NULL when
 * out of memory (nothing was prepared then). When no thread can be started,
 * crm_ahead_need prepares everything on the caller's thread. */
struct crm_ahead *crm_ahead_start(size_t n, size_t step, size_t lead, crm_ahead_fn fn,
                                  void *ctx);

/* Return once entries [0, upto) are prepared (upto > n counts as n). Caller's thread only. */
void crm_ahead_need(struct crm_ahead *ah, size_t upto);

/* For arrays prepared ahead up to `hint` entries (hint was crm_ahead_start's n): 1 when
 * entries [0, need) are prepared (after waiting for the helper if it must); else 0, the
 * helper stopped and *ah NULL, and *ready set to hint when it had been running — the
 * caller then grows its arrays past what was prepared. *ah NULL (no helper): 0. */
int crm_ahead_cover(struct crm_ahead **ah, size_t hint, size_t need, uint32_t *ready);

/* Stop the helper after its current step, wait for it and free ah (NULL: nothing). Entries
 * past the last prefix crm_ahead_need returned may be prepared or not. */
void crm_ahead_stop(struct crm_ahead *ah);

#endif
