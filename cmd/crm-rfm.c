/* crm-rfm: per-customer Recency/Frequency/Monetary values, scores and P/G/S/B tier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "customer/agg.h"
#include "customer/rfm.h"
#include "customer/rfmrep.h"
#include "scale/scale.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-rfm [OPTIONS] [INPUT]\n"
    "Score every customer with paid orders in the window on Recency, Frequency and Monetary\n"
    "value, and give the weighted score and tier (P Platinum, G Gold, S Silver, B Bronze).\n"
    CLI_HELP_INPUT
    "is stdin. One CSV row per customer, in the store's customer order.\n"
    "\n"
    CLI_HELP_AS_OF
    CLI_HELP_MAX_AGE
    CLI_HELP_WINDOW
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
    "      --emit-partial FILE  scale-out, quintile scheme: write this partition's R, F, M\n"
    "                           runs to FILE (- for stdout) instead of rows; needs --as-of\n"
    "      --merge-partials     read partial FILEs (the arguments; none or -: stdin) and\n"
    "                           print the quintile cut points of them all\n"
    "      --cuts FILE          score with those cut points (the whole's) instead of this\n"
    "                           input's; the as-of date defaults to theirs\n"
    "  -o, --output FILE        write FILE atomically instead of stdout\n"
    "      --tsv                tab-separated output\n"
    "      --bom                UTF-8 BOM and CRLF line ends, for spreadsheets\n"
    "      --format F           csv (default), tsv or xlsx: a workbook with typed cells\n"
    "                           (-o NAME.xlsx implies it; never written to a terminal)\n"
    "      --escape-formulas    text starting with = + - @ tab or CR gets a leading '\n"
    "                           (always with --bom and --decimal-comma)\n"
    "      --decimal-comma      decimals written 1234,50 and ';' between fields, for\n"
    "                           German/French spreadsheets\n"
    "  -v, --verbose            as-of date, counts and quintile cut points on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import orders.csv -o shop.crm\n"
    "  crm-rfm --as-of 2024-07-01 shop.crm | head\n"
    "  crm-rfm --scheme quintile --monetary total -v shop.crm -o rfm.csv\n"
    "  # partitions (docs/SCALE.md): partials, one merge, then every partition scored\n"
    "  for i in 0 1 2; do crm-rfm --scheme quintile --as-of 2025-01-01 \\\n"
    "      --emit-partial p.$i shop.$i.crm; done\n"
    "  crm-rfm --scheme quintile --merge-partials p.0 p.1 p.2 -o cuts.crmp\n"
    "  crm-rfm --scheme quintile --cuts cuts.crmp shop.1.crm | head\n";

enum { OPT_WINDOW = CLI_TOOL_OPTS, OPT_RFM, OPT_NET, OPT_ALL, OPT_EMIT, OPT_MERGE, OPT_CUTS };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    CLI_RFM_OPTIONS(OPT_WINDOW, OPT_RFM, OPT_NET),
    {"all", no_argument, NULL, OPT_ALL},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {"cuts", required_argument, NULL, OPT_CUTS},
    {NULL, 0, NULL, 0},
};

static void put_rows(struct cli *c, const struct crm_store *s, const struct crm_rfm *r,
                     int scale, int all)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_out *o = cli_open_output(c);
    if (crm_rfmrep_write(o, s, r, scale, all, &e) != CRM_OK) {
        crm_out_free(o);
        cli_die(c, &e);
    }
    cli_close_output(c, o);
}

/* --merge-partials: the cut points of every partial given. */
static void merge(struct cli *c, const struct crm_rfm_opts *ro, int32_t window, char **paths,
                  size_t npaths)
{
    struct crm_errinfo e;
    struct crm_partial_opts run;
    struct crm_scale_cuts cuts;
    int32_t as_of;
    crm_errinfo_clear(&e);
    crm_scale_rfm_options(&run, ro, cli_as_of(c, &as_of) ? as_of : CRM_NO_DAY, window, NULL);
    cli_check(c, crm_scale_rfm_merge((const char *const *)paths, npaths, &run, &cuts, &e), &e);
    const char *scale = crm_partial_opts_get(&cuts.options, "money-scale");
    for (int d = 0; d < 3 && c->verbose; d++) {
        char buf[512];
        crm_rfm_describe_cut_points(&cuts.cut[d], "rfm"[d], ro->monetary, atoi(scale), buf,
                                    sizeof buf);
        cli_warn(c, "quintile cut points %s", buf);
    }
    if (c->verbose)
        cli_warn(c, "%llu partials merged (%llu customers)", (unsigned long long)cuts.partials,
                 (unsigned long long)cuts.customers);
    c->out_flags = 0;
    struct crm_out *o = cli_open_output(c);
    cli_check(c, crm_scale_cuts_write(o, &cuts, &e), &e);
    cli_close_output(c, o);
}

/* --cuts FILE: the whole's cut points replace this input's; the run's options must be the
 * ones they were computed with. */
static void use_cuts(struct cli *c, const struct crm_scale_cuts *cuts, const char *path,
                     const struct crm_rfm_opts *ro, int32_t as_of, int32_t window,
                     const struct crm_store *s, struct crm_rfm *r)
{
    struct crm_errinfo e;
    struct crm_partial_opts run;
    crm_errinfo_clear(&e);
    crm_scale_rfm_options(&run, ro, as_of, window, s);
    cli_check(c, crm_partial_opts_check(&cuts->options, path, &run, "the command line", &e), &e);
    for (int d = 0; d < 3; d++)
        crm_rfm_set_cuts(r, "rfm"[d], &cuts->cut[d]);
}

struct opts {
    struct crm_rfm_opts ro;
    int32_t window;
    int all, merging;
    const char *emit, *cuts_path;
};

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    struct crm_errinfo e;
    int net = 0, opt;
    const char *name;
    crm_errinfo_clear(&e);
    while ((opt = cli_next_option(c, argc, argv, longopts, &name)) != -1) {
        switch (opt) {
        case OPT_WINDOW: op->window = cli_days(c, "--window", optarg, 1); break;
        case OPT_RFM:
            cli_check(c, crm_rfm_set_option(&op->ro, name, optarg, &e), &e);
            break;
        case OPT_NET: net = 1; break;
        case OPT_ALL: op->all = 1; break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_MERGE: op->merging = 1; break;
        case OPT_CUTS: op->cuts_path = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    op->ro.net = net;
    if ((op->emit || op->merging || op->cuts_path) && op->ro.scheme != CRM_RFM_QUINTILE)
        cli_usage_error(c, "--emit-partial, --merge-partials and --cuts are for --scheme "
                        "quintile (seed scores need no global step: score each partition)");
    if (!!op->emit + op->merging + !!op->cuts_path > 1)
        cli_usage_error(c, "--emit-partial, --merge-partials and --cuts are separate steps; "
                        "give one");
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {.window = 365};
    struct crm_errinfo e;
    struct crm_scale_cuts cuts;
    crm_rfm_opts_default(&op.ro);
    crm_errinfo_clear(&e);
    cli_init(&c, "crm-rfm", usage);
    parse(&c, &op, argc, argv);
    const struct crm_rfm_opts ro = op.ro;
    const int32_t window = op.window;
    const char *emit = op.emit, *cuts_path = op.cuts_path;
    if (op.merging) {
        merge(&c, &ro, window, argv + optind, (size_t)(argc - optind));
        return 0;
    }
    cli_partial_check(&c, emit, op.merging, argc - optind, "scored");
    if (cuts_path) {
        cli_check(&c, crm_scale_cuts_read(cuts_path, &cuts, &e), &e);
        if (!c.as_of)
            c.as_of = crm_partial_opts_get(&cuts.options, "as-of");
    }

    struct crm_store *s = cli_open_store(&c, optind < argc ? argv[optind] : NULL);
    struct crm_agg_opts ao = {.as_of = cli_resolve_as_of(&c, s), .window_days = window,
                              .no_items = 1, .paid_only = !ro.net};  /* refunds for --net */
    struct crm_agg *a;
    cli_check(&c, crm_agg_run(s, &ao, &a, &e), &e);
    int scale = crm_store_meta(s)->money_scale;
    struct crm_rfm *r;
    cli_check(&c, crm_rfm_new(&ro, a, scale, &r, &e), &e);
    if (cuts_path)
        use_cuts(&c, &cuts, cuts_path, &ro, ao.as_of, window, s, r);
    if (emit) {
        struct crm_partial_opts po;
        crm_scale_rfm_options(&po, &ro, ao.as_of, window, s);
        struct crm_out *o = cli_open_partial(&c, emit);
        cli_check(&c, crm_scale_rfm_emit(o, &po, r, s, &e), &e);
        cli_close_output(&c, o);
    }
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

    if (!emit)
        put_rows(&c, s, r, scale, op.all);
    crm_rfm_free(r);
    crm_agg_free(a);
    crm_store_close(s);
    return 0;
}
