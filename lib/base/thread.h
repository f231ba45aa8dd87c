/* internal to lib/: the tools in cmd/ do not include it. */
/* thread: what crmkit's helper threads share. The importer's main thread must see every
 * row in order and sets the pace; the helpers (CSV readers, the store writer) work ahead
 * of it or behind it, bounded by their queues. With more runnable threads than cores, an
 * even share left the main thread waiting for a core; helpers therefore give way. */
#ifndef CRM_THREAD_H
#define CRM_THREAD_H

#include <stddef.h>

/* Lower the calling thread's priority a little (Linux: 5 nice levels, relative to where
 * it is, so never a request to raise it); elsewhere, or if refused, nothing changes. */
void crm_thread_set_helper(void);

/* Run fn(ctx, 1) on a new thread and fn(ctx, 0) on the caller's, and return when both are
 * done (the two calls must touch disjoint data). When no thread can be started, both run
 * on the caller's, part 0 first. For the analytic tools' per-customer work after the pass,
 * when the store decoder's core is free. */
void crm_thread_both(void (*fn)(void *ctx, int part), void *ctx);

/* fn(ctx, 0) and fn(ctx, 1) for the two halves of a job over n items: on two threads
 * (crm_thread_both) when n is large enough to pay for one (65,536), else in turn here. */
void crm_thread_halves(void (*fn)(void *ctx, int part), void *ctx, size_t n);

#endif
