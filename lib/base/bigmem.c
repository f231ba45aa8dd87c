/* bigmem: huge-page-friendly zeroed allocations (see bigmem.h). Invariant: a block is
 * mmap'ed exactly when its size is >= BIG, so crm_big_free knows how to release it from
 * the size alone; it is advised to use huge pages only when crm_big_want_huge says that
 * faulting it in cannot wait on the kernel compacting memory. */
#define _GNU_SOURCE   /* mremap */
#include "base/bigmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BIG (2u << 20)
#define HUGE_ORDER 9          /* a 2 MiB page is 2^9 pages of 4 KiB in /proc/buddyinfo */
#define HUGE_MARGIN 2         /* free huge-page blocks needed per block asked for */

/* Whether the kernel's defrag setting makes a fault in an madvised region compact memory
 * synchronously: "always", "madvise" and "defer+madvise" do, "defer" and "never" do not. */
static bool defrag_stalls(const char *defrag)
{
    const char *open = strchr(defrag, '[');
    if (!open)
        return true;
    return !(strncmp(open, "[never]", 7) == 0 || strncmp(open, "[defer]", 7) == 0);
}

/* The free 2 MiB blocks in a /proc/buddyinfo text: each line's counts of free blocks of
 * order 0, 1, …; an order-k block (k >= 9) holds 2^(k-9) huge pages. */
static size_t free_huge_blocks(const char *buddyinfo)
{
    size_t total = 0;
    for (const char *line = buddyinfo; line && *line;) {
        const char *zone = strstr(line, "zone");
        const char *end = strchr(line, '\n');
        if (zone && (!end || zone < end)) {
            const char *p = zone + 4;
            while (*p == ' ')
                p++;
            while (*p && *p != ' ' && *p != '\n')   /* the zone's name */
                p++;
            for (unsigned order = 0; *p && *p != '\n'; order++) {
                char *after;
                unsigned long long n = strtoull(p, &after, 10);
                if (after == p)
                    break;
                if (order >= HUGE_ORDER && order - HUGE_ORDER < 20)
                    total += (size_t)n << (order - HUGE_ORDER);
                p = after;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return total;
}

bool crm_big_want_huge(const char *defrag, const char *buddyinfo, size_t size)
{
    if (!defrag || !defrag_stalls(defrag))
        return true;
    if (!buddyinfo)
        return false;
    size_t need = (size + BIG - 1) / BIG;
    return free_huge_blocks(buddyinfo) / HUGE_MARGIN >= need;
}

/* A small text file read whole into buf (NUL-terminated); NULL when it cannot be read. */
static const char *slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n ? buf : NULL;
}

static void advise(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    char defrag[128], buddy[4096];
    const char *d = slurp("/sys/kernel/mm/transparent_hugepage/defrag", defrag, sizeof defrag);
    if (!d)
        return;                       /* no transparent huge pages here */
    if (crm_big_want_huge(d, slurp("/proc/buddyinfo", buddy, sizeof buddy), size))
        (void)madvise(p, size, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

void *crm_big_calloc(size_t size)
{
    if (size < BIG)
        return calloc(1, size ? size : 1);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    advise(p, size);
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
        advise(q, new_size);
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
