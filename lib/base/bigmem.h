/* internal to lib/: the tools in cmd/ do not include it. */
/* bigmem: zeroed allocations for large random-access tables (hash tables, per-customer
 * arrays). Sizes from 2 MiB up are mapped on their own and advised to use transparent
 * huge pages when free ones are at hand (crm_big_want_huge): a table of tens of MiB in
 * 4 KiB pages misses the TLB on nearly every probe. Smaller sizes come from calloc. */
#ifndef CRM_BIGMEM_H
#define CRM_BIGMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *crm_big_calloc(size_t size);

/* Whether a block of size bytes is advised to use huge pages, given the texts of
 * /sys/kernel/mm/transparent_hugepage/defrag and /proc/buddyinfo (NULL when unreadable):
 * yes when a fault cannot compact memory synchronously (defrag "defer" or "never"), else
 * only when the free blocks of 2 MiB or more cover it twice over — on memory fragmented by
 * the page cache a huge-page fault waits on compaction (1.4 s for 800 MB measured), far
 * more than the TLB misses of 4 KiB pages cost (docs/BENCHMARKS.md, issue 25). */
bool crm_big_want_huge(const char *defrag, const char *buddyinfo, size_t size);
void crm_big_free(void *p, size_t size);
/* Grow to new_size keeping the first old_size bytes; the rest zeroed. NULL on failure
 * (p untouched). A big block (both sizes >= 2 MiB) is moved with mremap: its bytes are
 * not copied and the new part is backed by memory only where it is written. */
void *crm_big_realloc(void *p, size_t old_size, size_t new_size);

/* The capacity of a growing per-customer table that must hold need entries: cap doubled
 * (from 4096 when 0) until it does, UINT32_MAX at most; cap itself when it already does. */
uint32_t crm_big_capacity(uint32_t cap, uint32_t need);

/* A zeroed struct aligned as its type asks (align: its _Alignof, a power of two dividing
 * size), so members marked _Alignas(64) start cache lines of their own; freed with free(). */
void *crm_calloc_aligned(size_t align, size_t size);

#endif
