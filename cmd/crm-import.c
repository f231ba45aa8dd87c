/* crm-import: order files (CSV/TSV, gzip, GBK or UTF-8) → a crmkit store. Options and I/O
 * only: what a run does is lib/import/importrun.c (crm_import_run), what the options mean
 * lib/import/importjob.c (crm_import_job_option). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "import/import.h"
#include "import/importrep.h"
#include "import/importrun.h"
#include "store/store.h"
#include "store/storeinfo.h"

static const char usage[] =
    "Usage: crm-import [OPTIONS] [FILE...] [-o STORE]\n"
    "Import order files (CSV, TSV or any delimiter; gzip; UTF-8 or GBK) into a crmkit store\n"
    "that the analytic tools (crm-rfm, crm-segment, crm-pareto, crm-churn, crm-cohort,\n"
    "crm-campaign, crm-basket) read. FILE omitted or - is stdin;\n"
    "the store goes to stdout (a pipe) unless -o or --append is given.\n"
    "\n"
    "  -o, --output STORE       write a new store to STORE (atomically)\n"
    "      --append STORE       add to a store (created when missing); order ids already in\n"
    "                           it are skipped; times in the store's zone unless --tz\n"
    "      --preset NAME        cdnow, uci-online-retail, shopify, woocommerce, jd, pinduoduo\n"
    "                           or taobao: columns, statuses and rules of that export\n"
    "      --sniff              show what an import would do (mapping, statuses, formats,\n"
    "                           first rows) and write nothing; exit 1 when it would fail\n"
    "      --map FIELD=COLUMN   column (header name or 1-based number) for a field: order_id,\n"
    "                           customer_id, order_time, amount, quantity, unit_price, status,\n"
    "                           currency, refunded_amount, phone, product_id, product_name,\n"
    "                           category (repeatable)\n"
    "      --status S=TEXT,...  status texts meaning S (paid, cancelled, refunded, pending, or\n"
    "                           refunded-order: refunded in full, never revenue)\n"
    "      --money-scale N      decimals the new store keeps for money, 0-6 (2)\n"
    "      --round-money        round amounts with more decimals (counted) instead of\n"
    "                           rejecting them\n"
    "      --decimal-comma      amounts are written 1.234,50 or 89,90\n"
    "      --delimiter C        , ; | tab space (default: detected from the header line)\n"
    "      --encoding ENC       auto (default), utf-8, gb18030, gbk, latin1, ...\n"
    "      --date-format FMT    strftime-style, e.g. '%m/%d/%Y %H:%M'\n"
    "      --tz ZONE            shop time zone (e.g. Asia/Shanghai): explicit offsets are\n"
    "                           converted to it and the store remembers it\n"
    "      --order-amount MODE  sum (default) or once: the order total repeated on each row\n"
    "      --line-items MODE    sorted (default: an order's rows within 65,536 orders of its\n"
    "                           first) or unsorted (anywhere; memory grows with the orders)\n"
    "      --no-header          the first line is data (map columns by number)\n"
    "      --no-items           drop line items even when a product column is found\n"
    "      --customers FILE     customer_id with signup_time, birthday and/or blocked\n"
    "      --rejects FILE       write rejected rows here (file,line,reason,raw)\n"
    "      --max-reject-rate R  fail (exit 1, no store) when more rows are rejected (0.01)\n"
    "      --lock-wait SECONDS  how long --append or -o waits for another writer (60)\n"
    "      --partition N        write N stores, -o naming them with %d (0..N-1), each\n"
    "                           customer's orders in one: crm_hash_stable(customer_id) % N\n"
    "      --partition-key KEY  what to partition by: customer (the only key)\n"
    "      --compress           deflate the store's columns on a pipe too (a store piped\n"
    "                           to another tool is written uncompressed, to be read once)\n"
    "      --check STORE        verify every chunk of STORE and print what it holds\n"
    "      --dump STORE         print STORE's orders as CSV (with --tsv, --bom, -o)\n"
    "      --format F           --dump as csv, tsv or xlsx (-o NAME.xlsx implies xlsx)\n"
    "      --escape-formulas    --dump: text starting with = + - @ tab or CR gets a '\n"
    "  -q, --quiet              no summary on stderr\n"
    "  -v, --verbose            more detail\n"
    "  -h, --help               this help; --version\n"
    "\n"
    "Example:\n"
    "  crm-import --preset uci-online-retail online_retail.csv.gz -o retail.crm\n"
    "  crm-import orders-2024-06-01.csv --append shop.crm --rejects rejects.csv\n"
    "  crm-import orders.csv | crm-rfm --as-of 2024-07-01 | head\n"
    "  crm-import --partition 16 orders.csv -o 'shop.%d.crm'\n"
    "  crm-import day1.3.crm day2.3.crm -o shop.3.crm   (stores merged, duplicates skipped)\n";

/* Every option of the job's (crm_import_job_option) has one code; the numbers their own. */
enum { OPT_JOB = CLI_TOOL_OPTS, OPT_MONEY_SCALE, OPT_MAX_REJECT, OPT_LOCK_WAIT, OPT_PARTITION };

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    {"append", required_argument, NULL, OPT_JOB}, {"preset", required_argument, NULL, OPT_JOB},
    {"map", required_argument, NULL, OPT_JOB}, {"status", required_argument, NULL, OPT_JOB},
    {"delimiter", required_argument, NULL, OPT_JOB},
    {"encoding", required_argument, NULL, OPT_JOB},
    {"date-format", required_argument, NULL, OPT_JOB}, {"tz", required_argument, NULL, OPT_JOB},
    {"order-amount", required_argument, NULL, OPT_JOB}, {"no-header", no_argument, NULL, OPT_JOB},
    {"no-items", no_argument, NULL, OPT_JOB}, {"customers", required_argument, NULL, OPT_JOB},
    {"rejects", required_argument, NULL, OPT_JOB},
    {"max-reject-rate", required_argument, NULL, OPT_MAX_REJECT},
    {"lock-wait", required_argument, NULL, OPT_LOCK_WAIT},
    {"check", required_argument, NULL, OPT_JOB}, {"dump", required_argument, NULL, OPT_JOB},
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"partition-key", required_argument, NULL, OPT_JOB}, {"compress", no_argument, NULL, OPT_JOB},
    {"money-scale", required_argument, NULL, OPT_MONEY_SCALE},
    {"round-money", no_argument, NULL, OPT_JOB}, {"decimal-comma", no_argument, NULL, OPT_JOB},
    {"sniff", no_argument, NULL, OPT_JOB}, {"line-items", required_argument, NULL, OPT_JOB},
    {NULL, 0, NULL, 0},
};

struct hooks {
    struct cli *c;
    struct cli_progress bar;
    double total;
};

/* A line of the run's report: a summary line (-q silences it) or a note. */
static void say(void *ctx, int info, const char *line)
{
    struct hooks *h = ctx;
    if (info)
        cli_info(h->c, "%s", line);
    else
        cli_warn(h->c, "%s", line);
}

static void temp(void *ctx, const char *path, int tracked)
{
    (void)ctx;
    (tracked ? cli_track_temp : cli_untrack_temp)(path);
}

static void progress_start(void *ctx, const char *name, double bytes)
{
    struct hooks *h = ctx;
    h->total = bytes;
    cli_progress_start(&h->bar, h->c, name);
}

static void progress(void *ctx, unsigned long long bytes)
{
    struct hooks *h = ctx;
    cli_progress_update(&h->bar, (double)bytes, h->total);
}

static void progress_end(void *ctx)
{
    cli_progress_end(&((struct hooks *)ctx)->bar);
}

/* --check or --dump: the store described, or its orders as CSV. */
static int show_store(struct cli *c, const struct crm_import_job *job)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    const char *path = job->check ? job->check : job->dump;
    cli_check(c, crm_afile_claim_input(path, "input", &e), &e);
    if (job->check) {
        char text[1024];
        size_t n;
        cli_check(c, crm_import_check(path, text, sizeof text, &n, &e), &e);
        struct crm_out *o = cli_open_output(c);
        crm_out_raw(o, text, n);
        cli_close_output(c, o);
        return 0;
    }
    struct crm_store *s;
    cli_check(c, crm_store_open(path, &s, &e), &e);
    c->sheet = "orders";
    struct crm_out *o = cli_open_output(c);
    cli_check(c, crm_store_dump(s, o, &e), &e);
    cli_close_output(c, o);
    if (crm_store_has_items(s))   /* what the dump leaves out is said, never dropped unsaid */
        cli_info(c, "%s: the dump holds the orders, not their line items (%u products): to "
                 "move a store with its items, merge it (crm-import %s -o NEW.crm)", path,
                 crm_store_product_count(s), path);
    crm_store_close(s);
    return 0;
}

static void parse(struct cli *c, struct crm_import_job *job, int argc, char **argv)
{
    cli_suggest_option(c, argc, argv, longopts);
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    int opt, at;
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, &at)) != -1) {
        if (cli_common(c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_JOB:
            cli_check(c, crm_import_job_option(job, longopts[at].name, optarg, &e), &e);
            break;
        case OPT_MONEY_SCALE:
            job->meta.money_scale = (int)cli_integer(c, "--money-scale", optarg, 0, 6);
            job->money_scale = 1;
            break;
        case OPT_MAX_REJECT:
            job->o.max_reject_rate = cli_number(c, "--max-reject-rate", optarg, 0, 1);
            break;
        case OPT_LOCK_WAIT: job->lock_wait = cli_integer(c, "--lock-wait", optarg, 0, 86400); break;
        case OPT_PARTITION:
            job->partitions = (size_t)cli_integer(c, "--partition", optarg, 1, 4096);
            job->partitioned = 1;
            break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
}

/* --sniff: the report of every file on stdout, nothing written; exit 1 when an import of
 * any of them would fail. */
static int sniff(struct cli *c, const struct crm_import_job *job, char **files, int nfiles)
{
    struct crm_errinfo e;
    struct crm_import_sniffer *sn;
    crm_errinfo_clear(&e);
    cli_check(c, crm_import_sniffer_new(job, &sn, &e), &e);
    int would_work = 1;
    struct crm_buf report = {0};
    struct crm_out *o = cli_open_output(c);
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        report.len = 0;
        cli_check(c, crm_import_sniffer_file(sn, nfiles ? files[i] : "-", &report, &would_work,
                                             &e), &e);
        crm_out_raw(o, (const char *)report.data, report.len);
    }
    cli_close_output(c, o);
    crm_buf_free(&report);
    crm_import_sniffer_free(sn);
    return would_work ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct cli c;
    struct crm_import_job job;
    crm_import_job_init(&job);
    cli_init(&c, "crm-import", usage);
    parse(&c, &job, argc, argv);
    if (c.max_age >= 0)
        cli_usage_error(&c, "--max-age is for the tools that read a store (crm-rfm, "
                        "crm-segment, crm-pareto, crm-churn)");
    if (job.check || job.dump)
        return show_store(&c, &job);
    if (job.sniff)
        return sniff(&c, &job, argv + optind, argc - optind);
    if (job.append && c.output)
        cli_usage_error(&c, "--append and -o both name the store; give one");
    if (job.partitioned && (!c.output || job.append))
        cli_usage_error(&c, "--partition needs -o with %%d naming the stores (not --append)");
    if (!job.append && !c.output && isatty(1))
        cli_usage_error(&c, "refusing to write a binary store to a terminal; use -o STORE or "
                        "a pipe");
    job.output = c.output;
    job.rejects_flags = c.out_flags & CRM_OUT_BOM;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct hooks hk = {.c = &c};
    struct crm_import_hooks h = {say, temp, progress_start, progress, progress_end, &hk};
    cli_check(&c, crm_import_run(&job, argv + optind, argc - optind, &h, &e), &e);
    return 0;
}
