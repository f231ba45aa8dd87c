/* crm-rfm: per-customer Recency/Frequency/Monetary values, scores and P/G/S/B tier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "cli.h"
#include "outrows.h"
#include "rfm.h"
#include "store.h"
#include "timeparse.h"

static const char usage[] =
    "Usage: crm-rfm [OPTIONS] [INPUT]\n"
    "Score every customer with paid orders in the window on Recency, Frequency and Monetary\n"
    "value, and give the weighted score and tier (P Platinum, G Gold, S Silver, B Bronze).\n"
    "INPUT is a store from crm-import, or any order file (imported on the fly); omitted or -\n"
    "is stdin. One CSV row per customer, in the store's customer order.\n"
    "\n"
    "      --as-of DATE         evaluation date, YYYY-MM-DD or today (default: the day after\n"
    "                           the latest order)\n"
    "      --window DAYS|all    orders of the DAYS days before the as-of date count (365)\n"
    "      --scheme S           seed (fixed thresholds, default) or quintile\n"
    "      --monetary M         avg (average order value, default) or total\n"
    "      --net                subtract refunds in the window from the money\n"
    "      --r-bins LIST        R 5/4/3/2 up to these days since the last order\n"
    "                           (30,90,120,210,365)\n"
    "      --f-bins LIST        F 2/3/4/5 from these order counts (2,3,4,6)\n"
    "      --m-bins LIST        M 2/3/4/5 from these amounts (300,500,1000,2000)\n"
    "      --weights W          score = wR*R + wF*F + wM*M (1,3,4)\n"
    "      --tiers LIST         lowest score of P, G and S (36,26,17); lower is B\n"
    "      --all                also list customers without paid orders (empty scores)\n"
    "  -o, --output FILE        write FILE atomically instead of stdout\n"
    "      --tsv                tab-separated output\n"
    "      --bom                UTF-8 BOM and CRLF line ends, for spreadsheets\n"
    "  -v, --verbose            as-of date, counts and quintile cut points on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import orders.csv -o shop.crm\n"
    "  crm-rfm --as-of 2024-07-01 shop.crm | head\n"
    "  crm-rfm --scheme quintile --monetary total -v shop.crm -o rfm.csv\n";

enum { OPT_WINDOW = CLI_TOOL_OPTS, OPT_RFM, OPT_NET, OPT_ALL };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    {"window", required_argument, NULL, OPT_WINDOW},
    {"scheme", required_argument, NULL, OPT_RFM},
    {"monetary", required_argument, NULL, OPT_RFM},
    {"r-bins", required_argument, NULL, OPT_RFM},
    {"f-bins", required_argument, NULL, OPT_RFM},
    {"m-bins", required_argument, NULL, OPT_RFM},
    {"weights", required_argument, NULL, OPT_RFM},
    {"tiers", required_argument, NULL, OPT_RFM},
    {"net", no_argument, NULL, OPT_NET},
    {"all", no_argument, NULL, OPT_ALL},
    {NULL, 0, NULL, 0},
};

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

int main(int argc, char **argv)
{
    struct cli c;
    struct crm_rfm_opts ro;
    struct crm_errinfo e;
    int32_t window = 365;
    int net = 0, all = 0, opt, idx;
    crm_rfm_opts_default(&ro);
    crm_errinfo_clear(&e);
    cli_init(&c, "crm-rfm", usage);
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, &idx)) != -1) {
        if (cli_common(&c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_WINDOW: window = cli_days(&c, "--window", optarg, 1); break;
        case OPT_RFM: cli_check(&c, crm_rfm_set_option(&ro, longopts[idx].name, optarg, &e), &e);
            break;
        case OPT_NET: net = 1; break;
        case OPT_ALL: all = 1; break;
        default: cli_usage_error(&c, "unexpected option");
        }
    }
    if (argc - optind > 1)
        cli_usage_error(&c, "one INPUT at most (got %d)", argc - optind);
    ro.net = net;

    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    struct crm_agg_opts ao = {.as_of = cli_resolve_as_of(&c, s), .window_days = window,
                              .no_items = 1};
    struct crm_agg *a;
    cli_check(&c, crm_agg_run(s, &ao, &a, &e), &e);
    int scale = crm_store_meta(s)->money_scale;
    struct crm_rfm *r;
    cli_check(&c, crm_rfm_new(&ro, a, scale, &r, &e), &e);
    if (c.verbose) {
        char d[16], buf[512];
        crm_date_format(a->as_of, d);
        cli_warn(&c, "as of %s, window %s%s: %llu orders read, %llu dated on or after the "
                 "as-of date ignored; %llu of %u customers scored", d,
                 window ? (snprintf(buf, sizeof buf, "%d", window), buf) : "all",
                 window ? " days" : "", (unsigned long long)a->orders,
                 (unsigned long long)a->orders_future, (unsigned long long)crm_rfm_scored(r),
                 a->n);
        for (const char *dim = "rfm"; *dim && ro.scheme == CRM_RFM_QUINTILE; dim++) {
            crm_rfm_describe_cuts(r, *dim, buf, sizeof buf);
            cli_warn(&c, "quintile cut points %s", buf);
        }
    }

    struct crm_out *o = cli_open_output(&c);
    crm_out_header(o, "customer_id,first_order,last_order,recency_days,frequency,"
                      "monetary_total,monetary_avg,r,f,m,score,rfm,tier");
    struct rows_ctx x = {s, r, scale, all};
    if (crm_outrows_write(o, a->n, customer_row, &x, &e) != CRM_OK) {
        crm_out_free(o);
        cli_die(&c, &e);
    }
    cli_close_output(&c, o);
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    return 0;
}
