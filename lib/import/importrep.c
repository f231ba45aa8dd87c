/* importrep: what crm-import tells the user after an import — the summary counts, the notes
 * on what it assumed, and the first rejected rows — as lines handed to the caller.
 *
 * Invariant: lib prints nothing; every line goes through say, flagged info (a summary line
 * -q silences) or not (a note or warning printed even with -q, SPEC §13.1). */
#include "import/importrep.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/importint.h"
#include "store/store.h"
#include "store/storeinfo.h"
#include "text/timeparse.h"

/* Format one line (never cut short while memory lasts) and hand it over. */
void sayf(crm_import_say *say, void *ctx, int info, const char *fmt, ...)
{
    char small[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    char *text = n >= (int)sizeof small ? malloc((size_t)n + 1) : NULL;
    if (text) {
        va_start(ap, fmt);
        vsnprintf(text, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    say(ctx, info, text ? text : small);
    free(text);
}

static void counts(const struct crm_import_stats *st, int written, crm_import_say *say,
                   void *ctx)
{
    char rej[512] = "", skip[256] = "";
    size_t n = 0;
    for (int r = 0; r < CRM_REJ_COUNT; r++)
        if (st->rejected[r])
            n += (size_t)snprintf(rej + n, sizeof rej - n, "%s%llu %s", n ? ", " : " (",
                                  (unsigned long long)st->rejected[r], crm_reject_name(r));
    if (n)
        snprintf(rej + n, sizeof rej - n, ")");
    n = 0;
    for (int s = 0; s < CRM_SKIP_COUNT; s++)
        if (st->skipped[s])
            n += (size_t)snprintf(skip + n, sizeof skip - n, "%s%llu %s", n ? ", " : "; ",
                                  (unsigned long long)st->skipped[s], crm_skip_name(s));
    sayf(say, ctx, 1, "%llu rows read, %llu orders %s (%llu rows merged into orders), "
         "%llu rejected%s, %llu duplicates skipped%s; %llu new customers",
         (unsigned long long)st->rows, (unsigned long long)st->orders,
         written ? "written" : "accepted, none written",
         (unsigned long long)st->merged, (unsigned long long)st->rejected_total, rej,
         (unsigned long long)st->duplicates, skip, (unsigned long long)st->customers_new);
}

static void summary(const struct crm_import_stats *st, int written, crm_import_say *say,
                    void *ctx)
{
    counts(st, written, say, ctx);
    if (st->items || st->items_no_product)
        sayf(say, ctx, 1, "%llu line items kept (%llu rows without a product id)",
             (unsigned long long)st->items, (unsigned long long)st->items_no_product);
    if (st->items_refused)
        sayf(say, ctx, 0, "products not kept (%llu file%s with a product column): the store "
             "was written (or begun, by a first file without one) without line items, format "
             "version 1; import into a new store to keep them, or give --no-items",
             (unsigned long long)st->items_refused, st->items_refused == 1 ? "" : "s");
    if (st->refunded_orders || st->partial_refunds)
        sayf(say, ctx, 1, "%llu orders refunded in full (stored as refunded with 0.00: never "
             "revenue), %llu partially refunded (their refunded parts stored as refund "
             "records for --net)", (unsigned long long)st->refunded_orders,
             (unsigned long long)st->partial_refunds);
    if (st->repeated_headers)
        sayf(say, ctx, 1, "%llu repeated header lines skipped",
             (unsigned long long)st->repeated_headers);
    if (st->customer_rows || st->customer_rejects)
        sayf(say, ctx, 1, "customers file: %llu rows stored, %llu rejected",
             (unsigned long long)st->customer_rows, (unsigned long long)st->customer_rejects);
}

static void notes(const struct crm_import *imp, crm_import_say *say, void *ctx)
{
    unsigned nt = crm_import_notes(imp);
    const struct crm_import_stats *st = crm_import_stats(imp);
    if (nt & CRM_NOTE_PRESET_DETECTED)
        sayf(say, ctx, 0, "note: the header is a %s export's: --preset %s applied",
             crm_import_preset_name(imp), crm_import_preset_name(imp));
    if (nt & CRM_NOTE_NO_STATUS)
        sayf(say, ctx, 0, "note: no status column: every row taken as paid (map one with "
             "--map status=COLUMN)");
    if (nt & CRM_NOTE_NO_ORDER_ID)
        sayf(say, ctx, 0, "note: no order id column: duplicates cannot be detected; --append "
             "cannot skip re-imported orders (map one with --map order_id=COLUMN)");
    if (nt & CRM_NOTE_REPEATED_TOTALS)
        sayf(say, ctx, 0, "note: %llu of %llu multi-line orders repeat the same amount on "
             "every line (an order total, as JD writes it?): they were summed; use "
             "--order-amount once to take it once per order",
             (unsigned long long)st->repeated_totals, (unsigned long long)st->multi_line_orders);
    if (nt & CRM_NOTE_FAR_LINE_ITEMS)
        sayf(say, ctx, 0, "warning: %llu line items came more than %d orders after their "
             "order began and were rejected; sort the file by order id, or use --line-items "
             "unsorted", (unsigned long long)st->rejected[CRM_REJ_FAR], CRM_IMPORT_WINDOW);
    if (st->money_rounded)
        sayf(say, ctx, 0, "note: %llu amounts rounded to the store's money scale "
             "(--round-money)", (unsigned long long)st->money_rounded);
}

void crm_import_report(const struct crm_import *imp, const char *rejects, int written,
                       crm_import_say *say, void *ctx)
{
    const struct crm_import_stats *st = crm_import_stats(imp);
    summary(st, written, say, ctx);
    notes(imp, say, ctx);
    const char *r;
    for (size_t i = 0; (r = crm_import_first_reject(imp, i)) != NULL; i++)
        sayf(say, ctx, 1, "rejected %s", r);
    if (st->rejected_total > CRM_IMPORT_FIRST_REJECTS)
        sayf(say, ctx, 1, "... and %llu more rejected rows%s%s",
             (unsigned long long)(st->rejected_total - CRM_IMPORT_FIRST_REJECTS),
             rejects ? ": all in " : " (--rejects FILE writes them all)", rejects ? rejects : "");
}

enum crm_err crm_import_check(const char *path, char *text, size_t size, size_t *len,
                              struct crm_errinfo *e)
{
    struct crm_store *s;
    struct crm_store_summary sum;
    enum crm_err rc = crm_store_open(path, &s, e);
    if (rc != CRM_OK)
        return rc;
    if ((rc = crm_store_summarize(s, &sum, e)) != CRM_OK) {
        crm_store_close(s);
        return rc;
    }
    int version = crm_store_has_items(s) ? CRM_STORE_VERSION : CRM_STORE_VERSION_ORDERS;
    crm_store_close(s);
    char lo[16] = "-", hi[16] = "-";
    if (sum.stats.orders) {
        crm_date_format(crm_time_day(sum.stats.min_time), lo);
        crm_date_format(crm_time_day(sum.stats.max_time), hi);
    }
    int n = snprintf(text, size,
                     "store: %s\nformat: crmkit store version %d, money scale %d, time zone %s\n"
                     "orders: %llu (paid %llu, cancelled %llu, refunded %llu, pending %llu)\n"
                     "customers: %u (%zu customers-file rows)\n"
                     "dates: %s .. %s\nchunks: %llu\ncommits: %llu\ncheck: ok\n",
                     path, version, sum.meta.money_scale,
                     sum.meta.tz[0] ? sum.meta.tz : "(as written)",
                     (unsigned long long)sum.stats.orders, (unsigned long long)sum.by_status[0],
                     (unsigned long long)sum.by_status[1], (unsigned long long)sum.by_status[2],
                     (unsigned long long)sum.by_status[3], sum.customers, sum.customer_rows, lo,
                     hi, (unsigned long long)sum.stats.chunks,
                     (unsigned long long)sum.stats.commits);
    *len = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    return CRM_OK;
}
