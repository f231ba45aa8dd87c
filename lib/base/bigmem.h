/* internal to lib/: the tools in cmd/ do not include it. */
/* bigmem: zeroed allocations for large random-access tables (hash tables, per-customer
 * arrays). Sizes from 2 MiB up are mapped on their own and advised to use transparent
 * huge pages: a table of tens of MiB in 4 KiB pages misses the TLB on nearly every probe,
 * which costs more than the cache miss itself. Smaller sizes come from calloc. */
#ifndef CRM_BIGMEM_H
#define CRM_BIGMEM_H

#include <stddef.h>
#include <stdint.h>

void *crm_big_calloc(size_t size);
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
