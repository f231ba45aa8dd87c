/* lineitems: the open orders' line items, one small growable array per window slot (see
 * lineitems.h). A slot keeps its array when emptied, so the window's memory settles at
 * what its largest orders needed and an import of one-line orders allocates once per slot. */
#include "import/lineitems.h"

#include <stdlib.h>

struct slot {
    struct crm_item *v;
    uint32_t n, cap;
};

struct crm_lineitems {
    struct slot *slot;
    size_t slots;
};

struct crm_lineitems *crm_lineitems_new(size_t slots)
{
    struct crm_lineitems *li = calloc(1, sizeof *li);
    if (li && !(li->slot = calloc(slots, sizeof *li->slot))) {
        free(li);
        return NULL;
    }
    if (li)
        li->slots = slots;
    return li;
}

void crm_lineitems_free(struct crm_lineitems *li)
{
    if (!li)
        return;
    for (size_t i = 0; i < li->slots; i++)
        free(li->slot[i].v);
    free(li->slot);
    free(li);
}

void crm_lineitems_clear(struct crm_lineitems *li, size_t slot)
{
    li->slot[slot].n = 0;
}

int crm_lineitems_add(struct crm_lineitems *li, size_t slot, struct crm_store_writer *w,
                      const struct crm_lineitem_text *t, int32_t quantity, int64_t amount,
                      struct crm_errinfo *e)
{
    if (t->id_len == 0)
        return 1;
    struct slot *s = &li->slot[slot];
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        struct crm_item *v = cap > s->cap ? realloc(s->v, cap * sizeof *v) : NULL;
        if (!v) {
            crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
            return -1;
        }
        s->v = v;
        s->cap = cap;
    }
    struct crm_product p = {t->id, t->name, t->category, t->id_len, t->name_len,
                            t->category_len};
    uint32_t idx;
    if (crm_store_writer_product(w, &p, &idx, e) != CRM_OK)
        return -1;
    s->v[s->n++] = (struct crm_item){idx, quantity, amount < 0 ? -amount : amount};
    return 0;
}

const struct crm_item *crm_lineitems_of(const struct crm_lineitems *li, size_t slot,
                                        uint32_t *n)
{
    *n = li->slot[slot].n;
    return li->slot[slot].v;
}
