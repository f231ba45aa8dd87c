/* merge: stores → store(s), duplicates skipped (see merge.h). The ids met so far live in one
 * open-addressing table of (hash, offset) pairs over an arena of the id bytes, so a hit is
 * always checked against the id itself: a hash collision never drops an order. Products
 * are renumbered through one map per writer (input product → that writer's number), reset
 * for each input store: a product enters a writer's dictionary when an item of it is first
 * written there, as on import. */
#include "import/merge.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/grow.h"
#include "base/hash.h"
#include "import/import.h"

struct seen_slot {
    uint64_t h;      /* 0: empty */
    uint64_t off;    /* id bytes at arena + off, length len */
    uint32_t len;
};

/* An input store's product numbers → a writer's (UINT32_MAX: not met yet in this store). */
struct product_map {
    uint32_t *to;
    size_t cap;
};

struct crm_merge {
    struct crm_store_writer *const *w;
    size_t nw;
    struct seen_slot *slot;
    size_t cap, used;          /* cap: a power of two */
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t *map;             /* input store's customer index -> output index */
    uint16_t *part;            /* ... and its writer */
    size_t map_cap;
    int oom;                   /* load_existing ran out of memory */
    int items;                 /* the writers keep line items */
    struct product_map *pmap;  /* per writer (when items) */
    struct crm_item *it;       /* one order's items, renumbered */
    size_t it_cap;
    struct crm_merge_stats st;
};

enum crm_err crm_merge_new(struct crm_store_writer *const *w, size_t nw, struct crm_merge **out,
                           struct crm_errinfo *e)
{
    struct crm_merge *m = calloc(1, sizeof *m);
    if (!m || nw == 0 || nw > 65535) {
        free(m);
        return crm_errinfo_set(e, nw ? CRM_ENOMEM : CRM_EUSAGE, "merge: cannot start");
    }
    m->w = w;
    m->nw = nw;
    *out = m;
    return CRM_OK;
}

void crm_merge_free(struct crm_merge *m)
{
    if (!m)
        return;
    free(m->slot);
    free(m->arena);
    free(m->map);
    free(m->part);
    for (size_t i = 0; m->pmap && i < m->nw; i++)
        free(m->pmap[i].to);
    free(m->pmap);
    free(m->it);
    free(m);
}

const struct crm_merge_stats *crm_merge_stats(const struct crm_merge *m)
{
    return &m->st;
}

int crm_merge_is_store_file(const char *path)
{
    struct stat st;
    /* Only a regular file is peeked at: reading a pipe (a FIFO, /dev/fd/N) would take its
     * first bytes from the importer. */
    if (!path || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    unsigned char head[8];
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return n > 0 && crm_store_is_store(head, (size_t)n);
}

static uint64_t id_hash(const char *id, size_t len)
{
    uint64_t h = crm_hash_bytes(id, len, 0x6d65726765ull);
    return h ? h : 1;
}

static int grow_table(struct crm_merge *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct seen_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slot[i].h)
            continue;
        size_t j = (size_t)m->slot[i].h & (cap - 1);
        while (s[j].h)
            j = (j + 1) & (cap - 1);
        s[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = s;
    m->cap = cap;
    return 0;
}

static int keep_bytes(struct crm_merge *m, const char *id, size_t len)
{
    if (m->arena_len + len > m->arena_cap) {
        size_t cap = m->arena_cap ? m->arena_cap : 1 << 16;
        while (cap < m->arena_len + len)
            cap *= 2;
        char *a = realloc(m->arena, cap);
        if (!a)
            return -1;
        m->arena = a;
        m->arena_cap = cap;
    }
    memcpy(m->arena + m->arena_len, id, len);
    m->arena_len += len;
    return 0;
}

/* 1 when id was met before, 0 when it is new (and now remembered), -1 out of memory. */
static int seen(struct crm_merge *m, const char *id, size_t len)
{
    if ((m->used + 1) * 4 > m->cap * 3 && grow_table(m) != 0)
        return -1;
    uint64_t h = id_hash(id, len);
    size_t j = (size_t)h & (m->cap - 1);
    for (; m->slot[j].h; j = (j + 1) & (m->cap - 1))
        if (m->slot[j].h == h && m->slot[j].len == len &&
            memcmp(m->arena + m->slot[j].off, id, len) == 0)
            return 1;
    if (len > UINT32_MAX || keep_bytes(m, id, len) != 0)
        return -1;
    m->slot[j] = (struct seen_slot){h, m->arena_len - len, (uint32_t)len};
    m->used++;
    return 0;
}

static int remember(void *ctx, uint64_t order_no, const char *id, size_t len)
{
    (void)order_no;
    struct crm_merge *m = ctx;
    if (len && seen(m, id, len) < 0) {
        m->oom = 1;
        return 1;
    }
    return 0;
}

enum crm_err crm_merge_load_existing(struct crm_merge *m, struct crm_errinfo *e)
{
    enum crm_err rc = crm_store_writer_each_order_id(m->w[0], remember, m, e);
    if (rc == CRM_OK && m->oom)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory remembering stored order ids");
    return rc;
}

static enum crm_err same_meta(const struct crm_merge *m, struct crm_store *s,
                              struct crm_errinfo *e)
{
    const struct crm_store_meta *in = crm_store_meta(s), *out = crm_store_writer_meta(m->w[0]);
    if (in->money_scale != out->money_scale)
        return crm_errinfo_set(e, CRM_EUSAGE, "money scale %d, the merged store's is %d: "
                               "stores of different money scales cannot be merged",
                               in->money_scale, out->money_scale);
    if (strcmp(in->tz, out->tz) != 0)
        return crm_errinfo_set(e, CRM_EUSAGE, "time zone \"%s\", the merged store's is \"%s\": "
                               "import every split with the same --tz", in->tz, out->tz);
    return CRM_OK;
}

/* Make room in the customer map for the input's dictionary as read so far. */
static int fit_map(struct crm_merge *m, uint32_t count)
{
    const struct crm_grow_array a[] = {{&m->map, sizeof *m->map, 0xff},
                                       {&m->part, sizeof *m->part, CRM_GROW_KEEP}};
    return crm_grow_all(&m->map_cap, count, 4096, a, 2);
}

/* The output writer and index of input customer c (added to that writer when new). */
static enum crm_err customer_of(struct crm_merge *m, struct crm_store *s, uint32_t c,
                                struct crm_errinfo *e)
{
    if (c < m->map_cap && m->map[c] != UINT32_MAX)
        return CRM_OK;
    if (fit_map(m, crm_store_customer_count(s) > c ? crm_store_customer_count(s) : c + 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory merging customers");
    size_t len;
    const char *id = crm_store_customer_id(s, c, &len);
    size_t p = crm_import_partition(id, len, m->nw);
    m->part[c] = (uint16_t)p;
    return crm_store_writer_customer(m->w[p], id, len, &m->map[c], e);
}

enum crm_err crm_merge_any_items(const char *const *paths, size_t n, int *any,
                                 struct crm_errinfo *e)
{
    *any = 0;
    for (size_t i = 0; i < n && !*any; i++) {
        struct crm_store *s;
        enum crm_err rc = crm_store_open(paths[i], &s, e);
        if (rc != CRM_OK)
            return rc;
        *any = crm_store_has_items(s);
        crm_store_close(s);
    }
    return CRM_OK;
}

enum crm_err crm_merge_items(struct crm_merge *m, int any, struct crm_errinfo *e)
{
    for (size_t i = 0; any && i < m->nw; i++) {
        enum crm_err rc = crm_store_writer_keep_items(m->w[i], e);
        if (rc == CRM_EUSAGE) {        /* an appended version-1 store: items counted */
            crm_errinfo_clear(e);
            return CRM_OK;
        }
        if (rc != CRM_OK)
            return rc;
    }
    if (any && !(m->pmap = calloc(m->nw, sizeof *m->pmap)))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    m->items = any;
    return CRM_OK;
}

int crm_merge_keeps_items(const struct crm_merge *m)
{
    return m->items;
}

/* Writer w's number of input product p (added to its dictionary when first met). */
static enum crm_err product_of(struct crm_merge *m, struct crm_store *s, size_t w, uint32_t p,
                               uint32_t *out, struct crm_errinfo *e)
{
    struct product_map *pm = &m->pmap[w];
    const struct crm_grow_array a[] = {{&pm->to, sizeof *pm->to, 0xff}};
    if (crm_grow_all(&pm->cap, (size_t)p + 1, 1024, a, 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory merging products");
    if (pm->to[p] == UINT32_MAX) {
        enum crm_err rc = crm_store_writer_product(m->w[w], crm_store_product(s, p),
                                                   &pm->to[p], e);
        if (rc != CRM_OK)
            return rc;
    }
    *out = pm->to[p];
    return CRM_OK;
}

/* Order i's line items, renumbered for writer w, into o (or counted when not kept). */
static enum crm_err order_items(struct crm_merge *m, struct crm_store *s,
                                const struct crm_chunk *ch, uint32_t i, size_t w,
                                struct crm_order *o, struct crm_errinfo *e)
{
    if (!crm_store_has_items(s)) {
        m->st.orders_without_items += (uint64_t)m->items;
        return CRM_OK;
    }
    uint32_t lo = ch->item_off[i], n = ch->item_off[i + 1] - lo;
    if (!m->items || n == 0) {
        m->st.items_dropped += n;
        return CRM_OK;
    }
    const struct crm_grow_array a[] = {{&m->it, sizeof *m->it, CRM_GROW_KEEP}};
    if (crm_grow_all(&m->it_cap, n, 64, a, 1) != 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory merging line items");
    for (uint32_t j = 0; j < n; j++) {
        enum crm_err rc = product_of(m, s, w, ch->item_product[lo + j], &m->it[j].product, e);
        if (rc != CRM_OK)
            return rc;
        m->it[j].quantity = ch->item_quantity[lo + j];
        m->it[j].amount = ch->item_amount[lo + j];
    }
    o->items = m->it;
    o->item_count = n;
    m->st.items += n;
    return CRM_OK;
}

static enum crm_err copy_order(struct crm_merge *m, struct crm_store *s,
                               const struct crm_chunk *ch, uint32_t i, struct crm_errinfo *e)
{
    const char *id = ch->order_id_text + ch->order_id_off[i];
    size_t len = ch->order_id_off[i + 1] - ch->order_id_off[i];
    m->st.orders_read++;
    int dup = len ? seen(m, id, len) : 0;
    if (dup < 0)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory remembering order ids");
    if (dup) {
        m->st.duplicates++;
        return CRM_OK;
    }
    enum crm_err rc = customer_of(m, s, ch->customer[i], e);
    if (rc != CRM_OK)
        return rc;
    const char *cur = ch->currency[i] == 255 ? NULL : ch->currency_names[ch->currency[i]];
    struct crm_order o = {
        .customer = m->map[ch->customer[i]], .time = ch->time[i], .amount = ch->amount[i],
        .quantity = ch->quantity[i], .status = ch->status[i], .order_id = id,
        .order_id_len = len, .currency = cur, .currency_len = cur ? strlen(cur) : 0,
    };
    size_t w = m->part[ch->customer[i]];
    if ((rc = order_items(m, s, ch, i, w, &o, e)) != CRM_OK)
        return rc;
    m->st.orders++;
    return crm_store_writer_add(m->w[w], &o, e);
}

static enum crm_err copy_customer_rows(struct crm_merge *m, struct crm_store *s,
                                       struct crm_errinfo *e)
{
    const struct crm_customer_info *rows;
    size_t n = crm_store_customers(s, &rows);
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < n && rc == CRM_OK; i++) {
        rc = customer_of(m, s, rows[i].customer, e);
        struct crm_customer_info c = rows[i];
        c.customer = m->map[rows[i].customer];
        if (rc == CRM_OK)
            rc = crm_store_writer_add_customer(m->w[m->part[rows[i].customer]], &c, e);
        m->st.customer_rows += rc == CRM_OK;
    }
    return rc;
}

enum crm_err crm_merge_store(struct crm_merge *m, struct crm_store *s, struct crm_errinfo *e)
{
    enum crm_err rc = same_meta(m, s, e);
    if (m->map_cap)
        memset(m->map, 0xff, m->map_cap * sizeof *m->map);
    for (size_t i = 0; m->pmap && i < m->nw; i++)
        if (m->pmap[i].cap)
            memset(m->pmap[i].to, 0xff, m->pmap[i].cap * sizeof *m->pmap[i].to);
    unsigned cols = CRM_COL_ALL | (crm_store_has_items(s) ? CRM_COL_ITEMS : 0u);
    struct crm_chunk ch;
    while (rc == CRM_OK && (rc = crm_store_next(s, &ch, cols, e)) == CRM_OK && ch.n)
        for (uint32_t i = 0; i < ch.n && rc == CRM_OK; i++)
            rc = copy_order(m, s, &ch, i, e);
    if (rc == CRM_OK)
        rc = copy_customer_rows(m, s, e);
    m->st.stores += rc == CRM_OK;
    return rc;
}
