/* internal to lib/: parallel arrays grown together, used across lib/ folders. */
/* grow: several arrays indexed alike (per product, per customer, per item) that grow to one
 * capacity at once, doubling from a first capacity. Invariant: *cap changes only when every
 * array was reallocated; an array reallocated before a later one failed is kept (it is
 * larger than *cap needs), so the owner's free stays right and nothing leaks. */
#ifndef CRM_GROW_H
#define CRM_GROW_H

#include <stddef.h>

#define CRM_GROW_KEEP (-1)     /* new elements left uninitialised */

struct crm_grow_array {
    void *ptr;                 /* address of the array's pointer (e.g. &p->price) */
    size_t size;               /* bytes of one element */
    int fill;                  /* byte the new elements are set to, or CRM_GROW_KEEP */
};

/* Make every array hold at least `need` elements: *cap doubles from `first` (or from
 * itself) until it does. 0, or -1 when out of memory (or the size overflows). */
int crm_grow_all(size_t *cap, size_t need, size_t first, const struct crm_grow_array *a,
                 size_t n);

#endif
