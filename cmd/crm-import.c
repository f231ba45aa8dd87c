/* crm-import: order files (CSV/TSV, gzip, GBK or UTF-8) → a crmkit store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "import/import.h"
#include "import/importrep.h"
#include "import/merge.h"
#include "store/store.h"
#include "store/storefile.h"
#include "store/storeinfo.h"
#include "text/timeparse.h"

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

enum {
    OPT_APPEND = CLI_TOOL_OPTS, OPT_PRESET, OPT_MAP, OPT_STATUS, OPT_DELIM, OPT_ENCODING,
    OPT_DATEFMT, OPT_TZ, OPT_ORDER_AMOUNT, OPT_NO_HEADER, OPT_CUSTOMERS, OPT_REJECTS,
    OPT_MAX_REJECT, OPT_LOCK_WAIT, OPT_CHECK, OPT_DUMP, OPT_PARTITION, OPT_PARTITION_KEY,
    OPT_COMPRESS, OPT_NO_ITEMS, OPT_MONEY_SCALE, OPT_ROUND_MONEY, OPT_DECIMAL_COMMA,
    OPT_SNIFF, OPT_LINE_ITEMS,
};

static const struct option longopts[] = {
    CLI_LONG_OPTIONS,
    {"append", required_argument, NULL, OPT_APPEND},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"map", required_argument, NULL, OPT_MAP},
    {"status", required_argument, NULL, OPT_STATUS},
    {"delimiter", required_argument, NULL, OPT_DELIM},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"date-format", required_argument, NULL, OPT_DATEFMT},
    {"tz", required_argument, NULL, OPT_TZ},
    {"order-amount", required_argument, NULL, OPT_ORDER_AMOUNT},
    {"no-header", no_argument, NULL, OPT_NO_HEADER},
    {"no-items", no_argument, NULL, OPT_NO_ITEMS},
    {"customers", required_argument, NULL, OPT_CUSTOMERS},
    {"rejects", required_argument, NULL, OPT_REJECTS},
    {"max-reject-rate", required_argument, NULL, OPT_MAX_REJECT},
    {"lock-wait", required_argument, NULL, OPT_LOCK_WAIT},
    {"check", required_argument, NULL, OPT_CHECK},
    {"dump", required_argument, NULL, OPT_DUMP},
    {"partition", required_argument, NULL, OPT_PARTITION},
    {"partition-key", required_argument, NULL, OPT_PARTITION_KEY},
    {"compress", no_argument, NULL, OPT_COMPRESS},
    {"money-scale", required_argument, NULL, OPT_MONEY_SCALE},
    {"round-money", no_argument, NULL, OPT_ROUND_MONEY},
    {"decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA},
    {"sniff", no_argument, NULL, OPT_SNIFF},
    {"line-items", required_argument, NULL, OPT_LINE_ITEMS},
    {NULL, 0, NULL, 0},
};

struct progress_ctx {
    struct cli_progress bar;
    double total;
};

static void on_progress(void *ctx, unsigned long long bytes)
{
    struct progress_ctx *p = ctx;
    cli_progress_update(&p->bar, (double)bytes, p->total);
}

/* A line of the import's report: a summary line (-q silences it) or a note. */
static void say(void *ctx, int info, const char *line)
{
    if (info)
        cli_info(ctx, "%s", line);
    else
        cli_warn(ctx, "%s", line);
}

static int check_store(struct cli *c, const char *path)
{
    struct crm_errinfo e;
    char text[1024];
    size_t n;
    crm_errinfo_clear(&e);
    cli_check(c, crm_import_check(path, text, sizeof text, &n, &e), &e);
    struct crm_out *o = cli_open_output(c);
    crm_out_raw(o, text, n);
    cli_close_output(c, o);
    return 0;
}

static int dump_store(struct cli *c, const char *path)
{
    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
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

/* The stores being written: one (stdout, -o or --append) or N partitions, each a storefile
 * (lib/store/storefile.h: locked against other writers, renamed into place on commit). */
struct outputs {
    size_t n;
    struct crm_store_writer **w;
    struct crm_storefile **sf;
};

/* STORE names partition i: the pattern with %d replaced by i. */
static char *partition_path(const struct cli *c, const char *pattern, size_t i)
{
    const char *pc = strstr(pattern, "%d");
    if (!pc || strstr(pc + 2, "%d") || strchr(pattern, '%') != pc)
        cli_usage_error(c, "--partition: -o %s must contain %%d once (and no other %%)", pattern);
    size_t n = strlen(pattern) + 24;
    char *p = malloc(n);
    if (!p)
        exit(1);
    snprintf(p, n, "%.*s%zu%s", (int)(pc - pattern), pattern, i, pc + 2);
    return p;
}

/* A store on stdout that is a pipe or a socket goes straight to a reader that reads it
 * once: its columns are stored raw (zlib's work would cost both ends more than the bytes
 * it saves), unless --compress. A store in a file is always compressed. */
static int stdout_streams(void)
{
    struct stat st;
    return fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static void alloc_outputs(struct outputs *out, size_t n)
{
    out->n = n;
    out->w = calloc(n, sizeof *out->w);
    out->sf = calloc(n, sizeof *out->sf);
    if (!out->w || !out->sf)
        exit(1);
}

static void on_lock_wait(void *ctx, const char *path, long wait)
{
    cli_info(ctx, "%s: another crm-import is writing this store; waiting up to %lds", path, wait);
}

static void open_outputs(struct cli *c, struct outputs *out, size_t n, int pattern,
                         int compress, const struct crm_store_meta *meta, long lock_wait)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    alloc_outputs(out, n);
    struct crm_storefile_opts so = {lock_wait, CRM_STORE_KEEP_IDS, on_lock_wait, c, 0};
    for (size_t i = 0; i < n; i++) {
        if (!c->output) {
            unsigned flags = CRM_STORE_KEEP_IDS;
            if (!compress && stdout_streams())
                flags |= CRM_STORE_RAW;
            cli_check(c, crm_store_writer_new(1, "stdout", meta, flags, &out->w[i], &e), &e);
            continue;
        }
        char *path = pattern ? partition_path(c, c->output, i) : strdup(c->output);
        if (!path)
            exit(1);
        cli_check(c, crm_afile_claim(path, "-o", &e), &e);
        cli_check(c, crm_storefile_create(path, meta, &so, &out->sf[i], &e), &e);
        cli_track_temp(crm_storefile_temp_path(out->sf[i]));
        out->w[i] = crm_storefile_writer(out->sf[i]);
        free(path);
    }
}

/* On success: finish every store, then rename them all into place (each under its lock).
 * On failure (rc): remove the temporary files, leaving any previous stores untouched. */
static void close_outputs(struct cli *c, struct outputs *out, enum crm_err rc,
                          struct crm_errinfo *e)
{
    for (size_t i = 0; i < out->n && rc == CRM_OK; i++)
        rc = out->sf[i] ? crm_storefile_finish(out->sf[i], e)
                        : crm_store_writer_finish(out->w[i], e);
    for (size_t i = 0; i < out->n; i++) {
        if (!out->sf[i]) {
            crm_store_writer_free(out->w[i]);
            continue;
        }
        cli_untrack_temp(crm_storefile_temp_path(out->sf[i]));
        if (rc == CRM_OK)
            rc = crm_storefile_commit(out->sf[i], e);
        else
            crm_storefile_abort(out->sf[i]);
    }
    free(out->w);
    free(out->sf);
    cli_check(c, rc, e);
}

struct options {
    struct crm_import_opts o;
    struct crm_store_meta meta;
    const char *append, *customers, *rejects_path, *check, *dump, *statuses[32];
    size_t nstatus, partitions;
    int partitioned;   /* --partition given: -o is a pattern, even for N = 1 */
    int compress;      /* --compress: deflate the columns even on a pipe */
    int sniff;         /* --sniff: a dry run */
    int money_scale;   /* --money-scale given (a new store's; an appended store keeps its) */
    long lock_wait;
    unsigned create_flags;   /* of a store --append creates (merging stores with items) */
};

static void parse_map(struct cli *c, struct crm_import_opts *o, char *arg)
{
    char *eq = strchr(arg, '=');
    int f = -1;
    if (eq) {
        *eq = '\0';
        f = crm_field_parse(arg);
    }
    if (f < 0 || !eq[1])
        cli_usage_error(c, "--map %s: expected FIELD=COLUMN with FIELD one of order_id, "
                        "customer_id, order_time, amount, quantity, unit_price, status, "
                        "currency", arg);
    o->map[f] = eq + 1;
}

/* A long option getopt would not take (unknown or ambiguous) gets "did you mean". */
static void suggest_options(const struct cli *c, int argc, char **argv)
{
    const char *names[sizeof longopts / sizeof longopts[0]];
    size_t n = 0;
    for (const struct option *lo = longopts; lo->name; lo++)
        names[n++] = lo->name;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || !argv[i][2])
            continue;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)strcspn(argv[i] + 2, "="), argv[i] + 2);
        size_t matches = 0, exact = 0;
        for (size_t k = 0; k < n; k++) {
            exact += strcmp(names[k], word) == 0;
            matches += strncmp(names[k], word, strlen(word)) == 0;
        }
        const char *near = exact || matches == 1 ? NULL : crm_import_nearest(word, names, n);
        if (near)
            cli_usage_error(c, "unknown option --%s; did you mean --%s?", word, near);
    }
}

static void parse(struct cli *c, struct options *op, int argc, char **argv)
{
    suggest_options(c, argc, argv);
    int opt;
    struct crm_import_opts *o = &op->o;
    while ((opt = getopt_long(argc, argv, "ho:qv", longopts, NULL)) != -1) {
        if (cli_common(c, opt, optarg))
            continue;
        switch (opt) {
        case OPT_APPEND: op->append = optarg; break;
        case OPT_PRESET:
            if (!crm_import_preset_known(optarg)) {
                const char *near = crm_import_preset_suggest(optarg);
                cli_usage_error(c, "--preset %s: unknown preset%s%s%s (known: %s)", optarg,
                                near ? "; did you mean " : "", near ? near : "",
                                near ? "?" : "", crm_import_preset_list());
            }
            o->preset = optarg;
            break;
        case OPT_MONEY_SCALE:
            op->meta.money_scale = (int)cli_integer(c, "--money-scale", optarg, 0, 6);
            op->money_scale = 1;
            break;
        case OPT_ROUND_MONEY: o->round_money = 1; break;
        case OPT_DECIMAL_COMMA: o->decimal_comma = 1; break;
        case OPT_SNIFF: op->sniff = 1; break;
        case OPT_LINE_ITEMS:
            if (strcmp(optarg, "sorted") != 0 && strcmp(optarg, "unsorted") != 0)
                cli_usage_error(c, "--line-items %s: expected sorted or unsorted", optarg);
            o->line_items_unsorted = strcmp(optarg, "unsorted") == 0;
            break;
        case OPT_MAP: parse_map(c, o, optarg); break;
        case OPT_STATUS:
            if (op->nstatus == 32)
                cli_usage_error(c, "too many --status options");
            op->statuses[op->nstatus++] = optarg;
            break;
        case OPT_DELIM:
            if ((o->csv.delimiter = crm_csvin_parse_delimiter(optarg)) < 0)
                cli_usage_error(c, "--delimiter %s: expected one character, tab or space", optarg);
            break;
        case OPT_ENCODING: o->csv.encoding = optarg; break;
        case OPT_DATEFMT: o->date_format = optarg; break;
        case OPT_TZ:
            if (!*optarg || strchr(optarg, '\n') || strlen(optarg) >= sizeof op->meta.tz)
                cli_usage_error(c, "--tz %s: not a time zone name", optarg);
            snprintf(op->meta.tz, sizeof op->meta.tz, "%s", optarg);
            break;
        case OPT_ORDER_AMOUNT:
            if (strcmp(optarg, "once") != 0 && strcmp(optarg, "sum") != 0)
                cli_usage_error(c, "--order-amount %s: expected sum or once", optarg);
            o->order_amount_once = strcmp(optarg, "once") == 0;
            break;
        case OPT_NO_HEADER: o->no_header = 1; break;
        case OPT_NO_ITEMS: o->no_items = 1; break;
        case OPT_CUSTOMERS: op->customers = optarg; break;
        case OPT_REJECTS: op->rejects_path = optarg; break;
        case OPT_MAX_REJECT:
            o->max_reject_rate = cli_number(c, "--max-reject-rate", optarg, 0, 1);
            break;
        case OPT_LOCK_WAIT: op->lock_wait = cli_integer(c, "--lock-wait", optarg, 0, 86400); break;
        case OPT_COMPRESS: op->compress = 1; break;
        case OPT_CHECK: op->check = optarg; break;   /* after all options: -o, --tsv apply */
        case OPT_DUMP: op->dump = optarg; break;
        case OPT_PARTITION:
            op->partitions = (size_t)cli_integer(c, "--partition", optarg, 1, 4096);
            op->partitioned = 1;
            break;
        case OPT_PARTITION_KEY:
            if (strcmp(optarg, "customer") != 0)
                cli_usage_error(c, "--partition-key %s: only customer is supported (every "
                                "per-customer result needs all of a customer's orders)", optarg);
            break;
        default: cli_usage_error(c, "unexpected option");
        }
    }
}

/* Where the orders go: an existing store (--append: locked, created when missing; its time
 * zone rules the import when --tz is not given) or new stores. */
static void open_stores(struct cli *c, struct options *op, struct outputs *out)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (!op->append) {
        open_outputs(c, out, op->partitions, op->partitioned, op->compress, &op->meta,
                     op->lock_wait);
        return;
    }
    struct crm_storefile_opts so = {op->lock_wait, CRM_STORE_KEEP_IDS, on_lock_wait, c,
                                    op->create_flags};
    int created;
    alloc_outputs(out, 1);
    cli_check(c, crm_storefile_append(op->append, &op->meta, &so, &out->sf[0], &created, &e),
              &e);
    out->w[0] = crm_storefile_writer(out->sf[0]);
    if (created)
        cli_warn(c, "%s: no store there yet; created it (time zone %s)", op->append,
                 op->meta.tz[0] ? op->meta.tz : "as written");
    if (!op->meta.tz[0])
        snprintf(op->meta.tz, sizeof op->meta.tz, "%s", crm_store_writer_meta(out->w[0])->tz);
}

/* The time zone the times are read in (--tz, or the appended store's). */
static void use_zone(struct options *op)
{
    if (!op->meta.tz[0])
        return;
    setenv("TZ", op->meta.tz, 1);
    tzset();
    op->o.local_zone = 1;
}

/* Every file this run reads or writes, claimed so that two naming the same file are a
 * usage error before anything is written (SPEC §13.3). */
static void claim_files(struct cli *c, const struct options *op, char **files, int nfiles)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    for (int i = 0; i < nfiles; i++)
        cli_check(c, crm_afile_claim_input(files[i], "input", &e), &e);
    cli_check(c, crm_afile_claim_input(op->customers, "--customers", &e), &e);
    cli_check(c, crm_afile_claim(op->append, "--append", &e), &e);
    cli_check(c, crm_afile_claim(op->rejects_path, "--rejects", &e), &e);
}

/* --sniff: the report of every file on stdout, nothing written; exit 1 when an import of
 * any of them would fail. */
static int sniff(struct cli *c, struct options *op, char **files, int nfiles)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    int fd = open("/dev/null", O_WRONLY);
    struct crm_store_writer *w;
    struct crm_import *imp;
    if (fd < 0) {
        cli_warn(c, "/dev/null: %s", strerror(errno));
        exit(1);
    }
    cli_check(c, crm_store_writer_new(fd, "/dev/null", &op->meta, CRM_STORE_NO_SYNC, &w, &e),
              &e);
    cli_check(c, crm_import_new(&op->o, &w, 1, NULL, &imp, &e), &e);
    for (size_t i = 0; i < op->nstatus; i++)
        cli_check(c, crm_import_add_status(imp, op->statuses[i], &e), &e);
    int would_work = 1;
    struct crm_buf report = {0};
    struct crm_out *o = cli_open_output(c);
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        report.len = 0;
        cli_check(c, crm_import_sniff(imp, nfiles ? files[i] : "-", &report, &would_work, &e),
                  &e);
        crm_out_raw(o, (const char *)report.data, report.len);
    }
    cli_close_output(c, o);
    crm_buf_free(&report);
    crm_import_free(imp);
    crm_store_writer_free(w);
    close(fd);
    return would_work ? 0 : 1;
}

/* Read every input file (stdin without any), with a progress bar on a terminal. */
static void import_files(struct cli *c, struct crm_import *imp, char **files, int nfiles)
{
    struct crm_errinfo e;
    struct progress_ctx pc = {0};
    crm_errinfo_clear(&e);
    crm_import_set_progress(imp, on_progress, &pc);
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *path = nfiles ? files[i] : "-";
        struct stat st;
        pc.total = strcmp(path, "-") != 0 && stat(path, &st) == 0 ? (double)st.st_size : 0;
        cli_progress_start(&pc.bar, c, strcmp(path, "-") ? path : "stdin");
        enum crm_err rc = crm_import_file(imp, path, &e);
        cli_progress_end(&pc.bar);
        if (rc != CRM_OK)
            cli_die(c, &e);   /* removes every temporary output, rejects included */
        int d = crm_import_last_delimiter(imp);
        cli_info(c, "%s: %s, %s-separated", strcmp(path, "-") ? path : "stdin",
                 crm_import_last_encoding(imp),
                 d == '\t' ? "tab" : d == ' ' ? "space" : d == ',' ? "comma" : (char[]){(char)d, 0});
    }
}

/* Stores given as input are merged (SPEC §18), duplicates skipped: into -o, into N
 * partitions (--partition) or onto --append. Returns 1 when the inputs are stores. */
static int merge_stores(struct cli *c, struct options *op, char **files, int nfiles)
{
    int stores = 0;
    for (int i = 0; i < nfiles; i++)
        stores += crm_merge_is_store_file(files[i]);
    if (stores == 0)
        return 0;
    if (stores < nfiles || op->customers || op->rejects_path)
        cli_usage_error(c, "stores and order files cannot be mixed (nor --customers or "
                        "--rejects given with stores): merge the stores, then --append the "
                        "order files");
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    struct crm_store *s;
    cli_check(c, crm_store_open(files[0], &s, &e), &e);
    if (op->meta.tz[0] && strcmp(op->meta.tz, crm_store_meta(s)->tz) != 0)
        cli_usage_error(c, "--tz %s: %s was imported with time zone \"%s\"", op->meta.tz,
                        files[0], crm_store_meta(s)->tz);
    op->meta = *crm_store_meta(s);
    int items;
    cli_check(c, crm_merge_any_items((const char *const *)files, (size_t)nfiles, &items, &e),
              &e);
    op->create_flags = items ? CRM_STORE_ITEMS : 0u;   /* a store --append creates */
    struct outputs out = {0};
    open_stores(c, op, &out);
    struct crm_merge *m;
    enum crm_err rc = crm_merge_new(out.w, out.n, &m, &e);
    if (rc == CRM_OK && op->append)
        rc = crm_merge_load_existing(m, &e);
    if (rc == CRM_OK)
        rc = crm_merge_items(m, (const char *const *)files, (size_t)nfiles, &e);
    const struct crm_merge_stats *st = crm_merge_stats(m);
    for (int i = 0; rc == CRM_OK && i < nfiles; i++) {
        if (i > 0 && (rc = crm_store_open(files[i], &s, &e)) != CRM_OK)
            break;
        uint64_t bare = st->orders_without_items;
        if ((rc = crm_merge_store(m, s, &e)) != CRM_OK && !e.file[0])
            crm_errinfo_where(&e, files[i], -1, -1, -1);
        crm_store_close(s);
        if (st->orders_without_items > bare)   /* said even with -q: a mixed merge */
            cli_warn(c, "%s: %llu orders merged without line items (the store has none: "
                     "format version 1; import its orders with their product column to have "
                     "them); the other stores' items are kept", files[i],
                     (unsigned long long)(st->orders_without_items - bare));
    }
    if (rc != CRM_OK)
        cli_die(c, &e);
    cli_info(c, "%llu stores merged: %llu orders read, %llu orders written, %llu duplicates "
             "skipped, %llu customers-file rows", (unsigned long long)st->stores,
             (unsigned long long)st->orders_read, (unsigned long long)st->orders,
             (unsigned long long)st->duplicates, (unsigned long long)st->customer_rows);
    if (crm_merge_keeps_items(m))
        cli_info(c, "%llu line items kept", (unsigned long long)st->items);
    if (st->items_dropped)
        cli_warn(c, "%s: the store keeps no line items (format version 1): %llu line items of "
                 "the merged stores were not kept; merge into a new store (-o) to keep them",
                 op->append ? op->append : "output", (unsigned long long)st->items_dropped);
    crm_merge_free(m);
    close_outputs(c, &out, rc, &e);
    return 1;
}

int main(int argc, char **argv)
{
    struct cli c;
    struct options op = {.o = {.max_reject_rate = 0.01}, .meta = {"", 2}, .partitions = 1,
                         .lock_wait = 60};
    cli_init(&c, "crm-import", usage);
    parse(&c, &op, argc, argv);
    if (c.max_age >= 0)
        cli_usage_error(&c, "--max-age is for the tools that read a store (crm-rfm, "
                        "crm-segment, crm-pareto, crm-churn)");
    if (op.check || op.dump) {
        struct crm_errinfo ce;
        crm_errinfo_clear(&ce);
        cli_check(&c, crm_afile_claim_input(op.check ? op.check : op.dump, "input", &ce), &ce);
    }
    if (op.check)
        return check_store(&c, op.check);
    if (op.dump)
        return dump_store(&c, op.dump);
    if (op.sniff)
        return sniff(&c, &op, argv + optind, argc - optind);
    if (op.append && c.output)
        cli_usage_error(&c, "--append and -o both name the store; give one");
    if (op.partitioned && (!c.output || op.append))
        cli_usage_error(&c, "--partition needs -o with %%d naming the stores (not --append)");
    if (!op.append && !c.output && isatty(1))
        cli_usage_error(&c, "refusing to write a binary store to a terminal; use -o STORE or a pipe");
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (op.meta.tz[0])
        cli_check(&c, crm_store_zone_check(op.meta.tz, &e), &e);
    claim_files(&c, &op, argv + optind, argc - optind);
    if (merge_stores(&c, &op, argv + optind, argc - optind))
        return 0;
    struct outputs out = {0};
    open_stores(&c, &op, &out);
    if (op.append && op.money_scale &&
        crm_store_writer_meta(out.w[0])->money_scale != op.meta.money_scale)
        cli_usage_error(&c, "--money-scale %d: the store keeps money with %d decimals (chosen "
                        "when it was created)", op.meta.money_scale,
                        crm_store_writer_meta(out.w[0])->money_scale);
    use_zone(&op);
    struct crm_afile *rej_file = NULL;
    struct crm_out *rejects = NULL;
    if (op.rejects_path) {
        cli_check(&c, crm_afile_open(op.rejects_path, &rej_file, &e), &e);
        cli_track_temp(crm_afile_temp_path(rej_file));
        rejects = crm_out_new(crm_afile_fd(rej_file), op.rejects_path,
                              c.out_flags & CRM_OUT_BOM);
    }
    struct crm_import *imp;
    cli_check(&c, crm_import_new(&op.o, out.w, out.n, rejects, &imp, &e), &e);
    for (size_t i = 0; i < op.nstatus; i++)
        cli_check(&c, crm_import_add_status(imp, op.statuses[i], &e), &e);
    if (op.append)
        cli_check(&c, crm_import_load_existing(imp, &e), &e);
    if (op.customers)
        cli_check(&c, crm_import_customers(imp, op.customers, &e), &e);
    import_files(&c, imp, argv + optind, argc - optind);
    enum crm_err rc = crm_import_finish(imp, &e);
    crm_import_report(imp, op.rejects_path, say, &c);
    if (rejects) {
        struct crm_errinfo e2;
        crm_errinfo_clear(&e2);
        cli_untrack_temp(crm_afile_temp_path(rej_file));
        enum crm_err rrc = crm_out_close(rejects, &e2);
        if (rrc == CRM_OK)
            rrc = crm_afile_commit(rej_file, &e2);
        else
            crm_afile_abort(rej_file);
        cli_check(&c, rrc, &e2);
    }
    crm_import_free(imp);
    /* Over the reject rate: no END block, nothing committed, temporary files removed. */
    close_outputs(&c, &out, rc, &e);
    return 0;
}
