/* bigmem: huge-page-friendly zeroed allocations (see bigmem.h). Invariant: a block is
 * mmap'ed exactly when its size is >= BIG, so crm_big_free knows how to release it from
 * the size alone. */
#define _GNU_SOURCE   /* mremap */
#include "base/bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BIG (2u << 20)

void *crm_big_calloc(size_t size)
{
    if (size < BIG)
        return calloc(1, size ? size : 1);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

void *crm_calloc_aligned(size_t align, size_t size)
{
    void *p = aligned_alloc(align, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void crm_big_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size < BIG)
        free(p);
    else
        munmap(p, size);
}

void *crm_big_realloc(void *p, size_t old_size, size_t new_size)
{
#ifdef MREMAP_MAYMOVE
    if (p && old_size >= BIG && new_size >= BIG) {   /* move the page tables: no copy, and
                                                        pages never touched stay unbacked */
        void *q = mremap(p, old_size, new_size, MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            return NULL;
#ifdef MADV_HUGEPAGE
        (void)madvise(q, new_size, MADV_HUGEPAGE);
#endif
        return q;
    }
#endif
    void *q = crm_big_calloc(new_size);
    if (!q)
        return NULL;
    if (p) {
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        crm_big_free(p, old_size);
    }
    return q;
}

uint32_t crm_big_capacity(uint32_t cap, uint32_t need)
{
    if (need <= cap)
        return cap;
    uint32_t n = cap ? cap : 4096;
    while (n < need)
        n = n > UINT32_MAX / 2 ? UINT32_MAX : n * 2;
    return n;
}
