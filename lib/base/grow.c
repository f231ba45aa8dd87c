/* grow: parallel arrays grown together (see grow.h). The array pointers are read and
 * written with memcpy, so any object pointer type can be grown through one void pointer. */
#include "base/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int crm_grow(size_t *cap, size_t need, size_t first, const struct crm_grow_array *a,
             size_t n)
{
    if (need <= *cap)
        return 0;
    size_t to = *cap ? *cap : (first ? first : 1);
    while (to < need) {
        if (to > SIZE_MAX / 2)
            return -1;
        to *= 2;
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        void *old, *p = NULL;
        memcpy(&old, a[i].ptr, sizeof old);
        if (to <= SIZE_MAX / a[i].size)
            p = realloc(old, to * a[i].size);
        if (!p) {
            failed = 1;
            continue;
        }
        if (a[i].fill != CRM_GROW_KEEP)
            memset((char *)p + *cap * a[i].size, a[i].fill, (to - *cap) * a[i].size);
        memcpy(a[i].ptr, &p, sizeof p);
    }
    if (failed)
        return -1;
    *cap = to;
    return 0;
}
