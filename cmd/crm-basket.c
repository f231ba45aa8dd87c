/* crm-basket: market-basket association rules (SPEC §17, 连锁效应) — which products are
 * bought together, with support, confidence and lift, and per-customer recommendations.
 * Every figure comes from lib/customer/basket; this file reads options and writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "customer/basket.h"
#include "customer/basketrep.h"
#include "scale/basketpart.h"
#include "store/store.h"

static const char usage[] =
    "Usage: crm-basket [OPTIONS] [STORE]\n"
    "Association rules over the line items of paid orders (a basket = the distinct products\n"
    "of one paid order): for each rule A -> B, the baskets with A, with B and with both,\n"
    "support, confidence and lift, ranked by lift. The store must keep line items\n"
    "(crm-import with a product column, e.g. --map product_id=SKU). STORE omitted or - is\n"
    "stdin.\n"
    "\n"
    "  -o, --output FILE       write the report here (atomically) instead of stdout\n"
    "      --min-support F     rules in at least F of the baskets (default 0.01)\n"
    "      --min-confidence F  rules with confidence at least F (default 0)\n"
    "      --max-size N        2: pairs (default); 3: also rules {A,B} -> C\n"
    "      --names             add the product names (antecedent_name, consequent_name)\n"
    "      --recommend N       instead: per customer, up to N products they never bought,\n"
    "                          from the best-ranked rules whose antecedent they bought\n"
    "      --as-of DATE        baskets dated before DATE (default: all)\n"
    "      --emit-partial FILE scale-out (docs/SCALE.md), round 1: this partition's basket\n"
    "                          and product counts; with --frequent, round 2: its pair (and\n"
    "                          triple) counts of the frequent products\n"
    "      --frequent FILE     round 2: the frequent products (round 1's merge)\n"
    "      --merge-partials    merge the partial FILEs (the arguments): round 1's into the\n"
    "                          frequent products (a partial for --frequent), round 2's into\n"
    "                          the rules, the same as on one store\n"
    "      --tsv, --bom        tab-separated; UTF-8 BOM and CRLF for spreadsheets\n"
    "  -v, --verbose           baskets, products and the support threshold on stderr\n"
    "  -h, --help              this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import --preset uci-online-retail online_retail.csv -o shop.crm\n"
    "  crm-basket --min-support 0.02 --names shop.crm | head\n"
    "  crm-basket --max-size 3 --recommend 3 shop.crm\n"
    "  crm-basket --merge-partials products.* -o frequent; crm-basket --merge-partials pairs.*\n";

enum { OPT_SUPPORT = CLI_TOOL_OPTS, OPT_CONFIDENCE, OPT_MAX_SIZE, OPT_NAMES, OPT_RECOMMEND,
       OPT_EMIT, OPT_FREQUENT, OPT_MERGE };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    {"min-support", required_argument, NULL, OPT_SUPPORT},
    {"min-confidence", required_argument, NULL, OPT_CONFIDENCE},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"names", no_argument, NULL, OPT_NAMES},
    {"recommend", required_argument, NULL, OPT_RECOMMEND},
    CLI_PARTIAL_OPTIONS(OPT_EMIT, OPT_MERGE),
    {"frequent", required_argument, NULL, OPT_FREQUENT},
    {NULL, 0, NULL, 0},
};

struct opts {
    struct crm_basket_opts b;
    int names;
    long recommend;
    const char *emit, *frequent;
    int merge;
};

static void parse(struct cli *c, struct opts *op, int argc, char **argv)
{
    int opt;
    while ((opt = cli_next_option(c, argc, argv, longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_SUPPORT: op->b.min_support = cli_number(c, "--min-support", optarg, 0, 1); break;
        case OPT_CONFIDENCE:
            op->b.min_confidence = cli_number(c, "--min-confidence", optarg, 0, 1);
            break;
        case OPT_MAX_SIZE: op->b.max_size = (int)cli_integer(c, "--max-size", optarg, 2, 3); break;
        case OPT_NAMES: op->names = 1; break;
        case OPT_RECOMMEND:
            op->recommend = cli_integer(c, "--recommend", optarg, 1, 1000);
            break;
        case OPT_EMIT: op->emit = optarg; break;
        case OPT_FREQUENT: op->frequent = optarg; break;
        case OPT_MERGE: op->merge = 1; break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
    if (op->emit && op->merge)
        cli_usage_error(c, "--emit-partial and --merge-partials are separate steps; give one");
    if (op->recommend && (op->emit || op->merge))
        cli_usage_error(c, "--recommend is per customer: run it on each partition");
    if (op->frequent && !op->emit)
        cli_usage_error(c, "--frequent goes with --emit-partial (round 2 of a scale-out run)");
    if (op->merge)
        return;
    if (argc - optind > 1)
        cli_usage_error(c, "one STORE at most (got %d)", argc - optind);
}

/* --merge-partials: round 1's partials into the frequent products, round 2's into the
 * rules. */
static void merge(struct cli *c, const struct opts *op, char **paths, size_t n)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    char kind[64];
    cli_check(c, crm_scale_basket_kind(n ? paths[0] : NULL, kind, sizeof kind, &e), &e);
    struct crm_out *o = cli_open_output(c);
    if (strcmp(kind, "basket-products") == 0) {
        struct crm_scale_basket_frequent f;
        cli_check(c, crm_scale_basket_merge_products((const char *const *)paths, n,
                                                     op->b.min_support, o, &f, &e), &e);
        if (c->verbose)
            cli_warn(c, "%llu baskets; %u products in at least %llu of them",
                     (unsigned long long)f.baskets, f.n, (unsigned long long)f.threshold);
        crm_scale_basket_frequent_free(&f);
    } else if (strcmp(kind, "basket-pairs") == 0 || strcmp(kind, "basket-triples") == 0) {
        struct crm_basket *b;
        int ranked;
        cli_check(c, crm_scale_basket_merge_pairs((const char *const *)paths, n, &op->b, &b,
                                                  &ranked, &e), &e);
        if (ranked)
            crm_basketrep_rules(o, b, op->names);
        else
            cli_check(c, crm_scale_basket_write_pairs(o, b, &e), &e);
        crm_basket_free(b);
    } else {
        cli_usage_error(c, "%s: a %s partial, not crm-basket's", paths[0], kind);
    }
    cli_close_output(c, o);
}

/* --emit-partial: round 1 (product counts) or, with --frequent, round 2 (pair counts). */
static void emit(struct cli *c, const struct opts *op, struct crm_store *s)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_basket *b;
    struct crm_scale_basket_frequent f;
    memset(&f, 0, sizeof f);
    if (op->frequent) {
        cli_check(c, crm_scale_basket_read_frequent(op->frequent, &f, &e), &e);
        if (f.as_of != op->b.as_of)
            cli_usage_error(c, "--frequent %s was made with another --as-of", op->frequent);
        cli_check(c, crm_basket_count_given(s, &op->b, f.prod, f.n, f.pairs, f.npairs,
                                            f.threshold, &b, &e), &e);
    } else {
        cli_check(c, crm_basket_count_products(s, &op->b, &b, &e), &e);
    }
    struct crm_out *o = cli_open_partial(c, op->emit);
    cli_check(c, op->frequent ? crm_scale_basket_emit_pairs(o, &op->b, &f, b, &e)
                              : crm_scale_basket_emit_products(o, &op->b, b, &e), &e);
    cli_close_output(c, o);
    crm_scale_basket_frequent_free(&f);
    crm_basket_free(b);
}

int main(int argc, char **argv)
{
    struct cli c;
    struct opts op = {{0.01, 0, 2, 0}, 0, 0, NULL, NULL, 0};
    cli_init(&c, "crm-basket", usage);
    parse(&c, &op, argc, argv);
    int32_t as_of;
    op.b.as_of = cli_as_of(&c, &as_of) ? as_of : INT32_MAX / 86400 - 1;
    if (op.merge) {
        merge(&c, &op, argv + optind, (size_t)(argc - optind));
        return 0;
    }
    const char *path = optind < argc ? argv[optind] : NULL;
    struct crm_store *s = cli_open_store(&c, path);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    int64_t max_time;   /* a store on a pipe is kept (compressed) for the later passes */
    cli_check(&c, crm_store_max_time(s, &max_time, &e), &e);
    cli_check(&c, crm_basketrep_need_items(s, path && strcmp(path, "-") ? path : "stdin", &e),
              &e);
    if (op.emit) {
        emit(&c, &op, s);
        crm_store_close(s);
        return 0;
    }
    struct crm_basket *b;
    cli_check(&c, crm_basket_run(s, &op.b, &b, &e), &e);
    if (c.verbose) {
        const struct crm_basket_rule *r;
        cli_warn(&c, "%llu baskets, %u products; %u in at least %llu baskets; %zu rules",
                 (unsigned long long)crm_basket_baskets(b), crm_store_product_count(s),
                 crm_basket_frequent(b), (unsigned long long)crm_basket_threshold(b),
                 crm_basket_rules(b, &r));
    }
    struct crm_out *o = cli_open_output(&c);
    if (op.recommend)
        cli_check(&c, crm_basketrep_recommend(o, s, b, (int)op.recommend, op.names, &e), &e);
    else
        crm_basketrep_rules(o, b, op.names);
    cli_close_output(&c, o);
    crm_basket_free(b);
    crm_store_close(s);
    return 0;
}
