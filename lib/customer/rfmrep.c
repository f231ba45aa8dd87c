/* rfmrep: crm-rfm's customer rows (see rfmrep.h). Invariant: customer_row only reads, so two
 * threads may format rows at once. */
#include "customer/rfmrep.h"

#include "store/store.h"
#include "text/outrows.h"

static void put_row(struct crm_out *o, const struct crm_store *s, uint32_t c,
                    const struct crm_rfm_row *r, int scale)
{
    size_t len;
    const char *id = crm_store_customer_id(s, c, &len);
    crm_out_str(o, id, len);
    if (!r->scored) {
        crm_out_empty(o);
        crm_out_empty(o);
        crm_out_empty(o);
        crm_out_int(o, 0);
        crm_out_money(o, r->monetary_total, scale);
        for (int k = 0; k < 7; k++)
            crm_out_empty(o);
        crm_out_end_row(o);
        return;
    }
    crm_out_date(o, r->first_order);
    crm_out_date(o, r->last_order);
    crm_out_int(o, r->recency_days);
    crm_out_int(o, r->frequency);
    crm_out_money(o, r->monetary_total, scale);
    crm_out_money(o, r->monetary_avg, scale);
    crm_out_int(o, r->r);
    crm_out_int(o, r->f);
    crm_out_int(o, r->m);
    crm_out_int(o, r->score);
    char rfm[4] = {(char)('0' + r->r), (char)('0' + r->f), (char)('0' + r->m), 0};
    crm_out_str(o, rfm, 3);
    crm_out_str(o, &r->tier, 1);
    crm_out_end_row(o);
}

struct rows_ctx {
    const struct crm_store *s;
    const struct crm_rfm *r;
    int scale, all;
};

/* One customer's row (called from two threads: reads only). */
static void customer_row(struct crm_out *o, size_t k, void *ctx)
{
    const struct rows_ctx *x = ctx;
    struct crm_rfm_row row;
    crm_rfm_score(x->r, (uint32_t)k, &row);
    if (row.scored || x->all)
        put_row(o, x->s, (uint32_t)k, &row, x->scale);
}

enum crm_err crm_rfmrep_write(struct crm_out *o, const struct crm_store *s,
                              const struct crm_rfm *r, int money_scale, int all,
                              struct crm_errinfo *e)
{
    struct rows_ctx x = {s, r, money_scale, all};
    crm_out_header(o, "customer_id,first_order,last_order,recency_days,frequency,"
                      "monetary_total,monetary_avg,r,f,m,score,rfm,tier");
    return crm_outrows_write(o, crm_store_customer_count(s), customer_row, &x, e);
}
