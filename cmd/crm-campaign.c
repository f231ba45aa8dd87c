/* crm-campaign: care that proves it works (SPEC §16) — `split` puts each customer of a
 * contact list in treatment or control by a stable hash; `measure` compares both groups'
 * buying in the days after the contact. Options and I/O only: lib/customer/campaign
 * computes, lib/chart/campchart draws. */
#include <stdlib.h>
#include <string.h>

#include "chart/campchart.h"
#include "cli.h"
#include "customer/campaign.h"
#include "store/store.h"
#include "text/timeparse.h"

static const char usage[] =
    "Usage: crm-campaign split --holdout F --salt NAME [OPTIONS] [LIST]\n"
    "       crm-campaign measure --groups FILE --from DATE --days N [OPTIONS] [INPUT]\n"
    "A test group and a control group to prove what the care achieves (實驗組與對照組).\n"
    "\n"
    "split: LIST (CSV or TSV with a customer_id column, e.g. crm-segment --care output;\n"
    "omitted or -: stdin) with a `group` column added: control for about F of the customers,\n"
    "treatment for the others, by a stable hash of NAME and the customer id (the same\n"
    "customer, salt and F always give the same group; see the man page for the hash).\n"
    "      --holdout F          share of customers held out as control, 0 < F < 1\n"
    "      --salt NAME          names the campaign; a new salt draws new groups\n"
    "      --column NAME        the customer id column (customer_id)\n"
    "\n"
    "measure: for treatment and control, the customers listed in FILE (columns customer_id\n"
    "and group), their paid orders in the N days from DATE in INPUT (a store, or any order\n"
    "file): rows metric,treatment,control,difference,difference_lo,difference_hi,lift,\n"
    "p_value for customers, buyers, conversion_rate, orders_per_customer and\n"
    "revenue_per_customer (Newcombe's interval for the rate, Welch's for the means).\n"
    "      --groups FILE        the split list (crm-campaign split, crm-segment --holdout)\n"
    "      --from DATE          the contact date: first day measured (YYYY-MM-DD)\n"
    "      --days N             days measured from DATE\n"
    "      --level L            of the intervals (0.95)\n"
    "      --svg FILE           also draw both groups day by day into FILE (atomically)\n"
    "      --column NAME        the customer id column of FILE (customer_id)\n"
    "      --as-of DATE         orders from DATE on are not seen (default: the day after the\n"
    "                           latest order)\n"
    "\n"
    CLI_HELP_OUTPUT
    "  -v, --verbose            counts on stderr\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-segment --care shop.crm | crm-campaign split --holdout 0.1 --salt care-2024-06-01\n"
    "  crm-campaign measure --groups care-2024-06-01.csv --from 2024-06-01 --days 30 shop.crm\n";

enum {
    OPT_HOLDOUT = CLI_TOOL_OPTS, OPT_SALT, OPT_COLUMN, OPT_GROUPS, OPT_FROM, OPT_DAYS,
    OPT_LEVEL, OPT_SVG
};

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    CLI_REPORT_OPTIONS,
    {"holdout", required_argument, NULL, OPT_HOLDOUT},
    {"salt", required_argument, NULL, OPT_SALT},
    {"column", required_argument, NULL, OPT_COLUMN},
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"from", required_argument, NULL, OPT_FROM},
    {"days", required_argument, NULL, OPT_DAYS},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"svg", required_argument, NULL, OPT_SVG},
    {NULL, 0, NULL, 0},
};

struct opts {
    int measure;
    double holdout, level;
    const char *salt, *column, *groups, *from, *svg;
    long days;
};

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt;
    while ((opt = cli_next_option(c, argc, argv, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_HOLDOUT: op->holdout = cli_number(c, "--holdout", optarg, 0, 1); break;
        case OPT_SALT: op->salt = optarg; break;
        case OPT_COLUMN: op->column = optarg; break;
        case OPT_GROUPS: op->groups = optarg; break;
        case OPT_FROM: op->from = optarg; break;
        case OPT_DAYS: op->days = cli_integer(c, "--days", optarg, 1, 36600); break;
        case OPT_LEVEL: op->level = cli_number(c, "--level", optarg, 0, 1); break;
        case OPT_SVG: op->svg = optarg; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (argc - optind > 1)
        cli_usage_error(c, "one %s at most (got %d)", op->measure ? "INPUT" : "LIST",
                        argc - optind);
    const char *only = op->measure ? (op->holdout ? "--holdout" : op->salt ? "--salt" : NULL)
                                   : (op->groups ? "--groups" : op->from ? "--from"
                                      : op->days ? "--days" : op->svg ? "--svg"
                                      : op->level > 0 ? "--level" : NULL);
    if (only)
        cli_usage_error(c, "%s belongs to crm-campaign %s", only,
                        op->measure ? "split" : "measure");
    if (!op->measure && (!op->salt || !(op->holdout > 0 && op->holdout < 1)))
        cli_usage_error(c, "split needs --holdout F (0 < F < 1) and --salt NAME, e.g. "
                        "--holdout 0.1 --salt care-2024-06-01");
    if (!op->measure && !*op->salt)
        cli_usage_error(c, "--salt: give the campaign a name");
    if (op->measure && (!op->groups || !op->from || !op->days))
        cli_usage_error(c, "measure needs --groups FILE, --from DATE and --days N");
    if (op->level == 0)
        op->level = 0.95;
    if (!(op->level > 0 && op->level < 1))
        cli_usage_error(c, "--level %g: expected a number between 0 and 1, e.g. 0.95",
                        op->level);
}

static void split(struct cli *c, const struct opts *op, const char *list)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_campaign_split_opts so = {op->salt, op->holdout, op->column};
    struct crm_campaign_counts n;
    struct crm_out *o = cli_open_output(c);
    enum crm_err rc = crm_campaign_split(list, &so, o, &n, &e);
    if (rc != CRM_OK) {
        crm_out_free(o);
        cli_die(c, &e);
    }
    cli_close_output(c, o);
    if (c->verbose)
        cli_warn(c, "%llu rows: %llu treatment, %llu control", (unsigned long long)n.rows,
                 (unsigned long long)n.customers[0], (unsigned long long)n.customers[1]);
}

static void write_svg(const struct cli *c, const struct opts *op,
                      const struct crm_campaign_result *r, int32_t from)
{
    struct crm_errinfo e;
    struct crm_svg *svg;
    crm_errinfo_clear(&e);
    cli_check(c, crm_chart_campaign(r, from, op->level, &svg, &e), &e);
    struct crm_afile *af = cli_open_side(c, op->svg);
    enum crm_err rc = crm_svg_write_fd(svg, crm_afile_fd(af), &e);
    crm_svg_free(svg);
    cli_close_side(c, af, rc, &e);
}

static void measure(struct cli *c, const struct opts *op, const char *input)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    int32_t from;
    if (crm_date_parse(op->from, &from) != 0)
        cli_usage_error(c, "--from %s: expected a date YYYY-MM-DD", op->from);
    struct crm_campaign_groups *g;
    cli_check(c, crm_campaign_groups_load(op->groups, op->column, &g, &e), &e);
    struct crm_store *s = cli_open_store(c, input);
    struct crm_campaign_opts mo = {from, (int32_t)op->days, cli_resolve_as_of(c, s),
                                   op->level};
    struct crm_campaign_result r;
    crm_errinfo_clear(&e);
    cli_check(c, crm_campaign_measure(s, g, &mo, crm_store_meta(s)->money_scale, &r, &e), &e);
    if (r.days_measured < mo.days) {
        char last[16];
        crm_date_format(mo.as_of - 1, last);
        cli_warn(c, "the %d days from %s run past the last day of the orders (%s): %d days "
                 "measured", (int)mo.days, op->from, last, (int)r.days_measured);
    }
    if (c->verbose)
        for (int k = 0; k < 2; k++)
            cli_warn(c, "%s: %llu customers (%llu not in the store: no orders), %llu buyers, "
                     "%llu orders", crm_campaign_group_name((enum crm_campaign_group)k),
                     (unsigned long long)r.side[k].customers,
                     (unsigned long long)r.side[k].missing,
                     (unsigned long long)r.side[k].buyers,
                     (unsigned long long)r.side[k].orders);
    if (op->svg)
        write_svg(c, op, &r, from);
    struct crm_out *o = cli_open_output(c);
    crm_campaign_write_result(o, &r, crm_store_meta(s)->money_scale);
    cli_close_output(c, o);
    crm_campaign_result_free(&r);
    crm_campaign_groups_free(g);
    crm_store_close(s);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {0, 0, 0, NULL, "customer_id", NULL, NULL, NULL, 0};
    cli_init(&c, "crm-campaign", usage);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        cli_common(&c, 'h', NULL);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0)
        cli_common(&c, CLI_VERSION, NULL);
    if (argc < 2 || argv[1][0] == '-')
        cli_usage_error(&c, "give a step first: crm-campaign split ... or crm-campaign "
                        "measure ... (see --help)");
    if (strcmp(argv[1], "measure") == 0)
        op.measure = 1;
    else if (strcmp(argv[1], "split") != 0)
        cli_usage_error(&c, "unknown step \"%s\": expected split or measure", argv[1]);
    parse(&c, &op, argc - 1, argv + 1);
    const char *in = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (op.measure)
        measure(&c, &op, in);
    else
        split(&c, &op, in);
    return 0;
}
