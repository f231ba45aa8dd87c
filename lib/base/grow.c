/* grow: parallel arrays grown together (see grow.h), each by crm_grow (base/buf.h), the
 * one owner of the doubling rule. The array pointers are read and written with memcpy, so
 * any object pointer type can be grown through one void pointer. */
#include "base/grow.h"

#include <string.h>

#include "base/buf.h"

int crm_grow_all(size_t *cap, size_t need, size_t first, const struct crm_grow_array *a,
                 size_t n)
{
    if (need <= *cap)
        return 0;
    size_t to = *cap;
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        void *old;
        memcpy(&old, a[i].ptr, sizeof old);
        size_t c = *cap;
        void *p = crm_grow(old, &c, need, a[i].size, first ? first : 1);
        if (!p) {
            failed = 1;
            continue;
        }
        if (a[i].fill != CRM_GROW_KEEP)
            memset((char *)p + *cap * a[i].size, a[i].fill, (c - *cap) * a[i].size);
        memcpy(a[i].ptr, &p, sizeof p);
        to = c;
    }
    if (failed)
        return -1;
    *cap = to;
    return 0;
}
