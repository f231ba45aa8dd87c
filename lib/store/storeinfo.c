/* storeinfo: whole-store summary and CSV dump (see storeinfo.h). */
#include "store/storeinfo.h"

#include <string.h>

#include "text/timeparse.h"

enum crm_err crm_store_summarize(struct crm_store *s, struct crm_store_summary *out,
                                 struct crm_errinfo *e)
{
    memset(out, 0, sizeof *out);
    struct crm_chunk ch;
    enum crm_err rc;
    while ((rc = crm_store_next(s, &ch, CRM_COL_ALL, e)) == CRM_OK && ch.n > 0)
        for (uint32_t i = 0; i < ch.n; i++)
            out->by_status[ch.status[i]]++;
    if (rc != CRM_OK)
        return rc;
    const struct crm_customer_info *rows;
    out->customers = crm_store_customer_count(s);
    out->customer_rows = crm_store_customers(s, &rows);
    out->stats = *crm_store_stats(s);
    out->meta = *crm_store_meta(s);
    return CRM_OK;
}

enum crm_err crm_store_dump(struct crm_store *s, struct crm_out *o, struct crm_errinfo *e)
{
    int scale = crm_store_meta(s)->money_scale;
    crm_out_header(o, "order_id,customer_id,order_time,amount,quantity,status,currency");
    struct crm_chunk ch;
    enum crm_err rc;
    while ((rc = crm_store_next(s, &ch, CRM_COL_ALL, e)) == CRM_OK && ch.n > 0) {
        for (uint32_t i = 0; i < ch.n && !crm_out_failed(o); i++) {
            char t[32];
            size_t len, tl = crm_time_format(ch.time[i], t);
            crm_out_str(o, ch.order_id_text + ch.order_id_off[i],
                        ch.order_id_off[i + 1] - ch.order_id_off[i]);
            const char *id = crm_store_customer_id(s, ch.customer[i], &len);
            crm_out_str(o, id, len);
            crm_out_str(o, t, tl);
            crm_out_money(o, ch.amount[i], scale);
            crm_out_int(o, ch.quantity[i]);
            crm_out_cstr(o, crm_status_name((enum crm_status)ch.status[i]));
            crm_out_cstr(o, ch.currency[i] == 255 ? "" : ch.currency_names[ch.currency[i]]);
            crm_out_end_row(o);
        }
        if (crm_out_failed(o))
            break;
    }
    return rc;
}
