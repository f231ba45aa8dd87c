/* cli: shared command-line conventions (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "customer/agg.h"
#include "import/source.h"
#include "store/store.h"
#include "store/storefile.h"
#include "text/timeparse.h"

/* Temporary files of atomic outputs, removed if a signal ends the run. */
#define MAX_TEMPS 4100
static const char *volatile temps[MAX_TEMPS];

static void on_signal(int sig)
{
    for (size_t i = 0; i < MAX_TEMPS; i++)
        if (temps[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_track_temp(const char *path)
{
    for (size_t i = 0; i < MAX_TEMPS; i++) {
        if (!temps[i]) {
            temps[i] = path;
            return;
        }
    }
}

void cli_untrack_temp(const char *path)
{
    for (size_t i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == path)
            temps[i] = NULL;
}

void cli_init(struct cli *c, const char *prog, const char *usage)
{
    memset(c, 0, sizeof *c);
    c->prog = prog;
    c->usage = usage;
    c->tty = isatty(2);
    c->max_age = -1;
    crm_afile_guard(1);   /* two paths of one command naming one file: usage error */
    /* A closed pipe (`| head`) ends the tool quietly, as for any filter. */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
}

static struct cli_progress store_bar;

/* One message line on stderr: "prog: text", the text's control characters (0x00-0x1F but
 * tab, and 0x7F) written as \xNN so that a raw row never drives the terminal. */
static void put_line(const struct cli *c, const char *text)
{
    fprintf(stderr, "%s: ", c->prog);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
            fprintf(stderr, "\\x%02X", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

static void vmsg(const struct cli *c, const char *fmt, va_list ap)
{
    cli_progress_end(&store_bar);       /* a message starts on a clean line */
    char small[1024];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *text = n >= (int)sizeof small ? malloc((size_t)n + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    put_line(c, text ? text : n >= 0 ? small : fmt);   /* never cut short while memory lasts */
    free(text);
}

void cli_warn(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c, fmt, ap);
    va_end(ap);
}

void cli_info(const struct cli *c, const char *fmt, ...)
{
    if (c->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg(c, fmt, ap);
    va_end(ap);
}

noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", c->prog);
    exit(2);
}

noreturn void cli_die(const struct cli *c, const struct crm_errinfo *e)
{
    if (c->afile) {
        cli_untrack_temp(crm_afile_temp_path(c->afile));
        crm_afile_abort(((struct cli *)c)->afile);
        ((struct cli *)c)->afile = NULL;
    }
    for (size_t i = 0; i < MAX_TEMPS; i++)   /* every other unfinished atomic output */
        if (temps[i])
            unlink(temps[i]);
    if (e->code == CRM_EPIPE)
        exit(141);    /* like a filter killed by SIGPIPE; nothing to report */
    char buf[1200];
    crm_errinfo_format(e, buf, sizeof buf);
    put_line(c, buf);
    if (e->code == CRM_EUSAGE) {
        fprintf(stderr, "Try '%s --help' for more information.\n", c->prog);
        exit(2);
    }
    exit(1);
}

void cli_check(const struct cli *c, enum crm_err rc, const struct crm_errinfo *e)
{
    if (rc != CRM_OK)
        cli_die(c, e);
}

int cli_common(struct cli *c, int opt, const char *arg)
{
    switch (opt) {
    case 'h':
        fputs(c->usage, stdout);
        exit(fflush(stdout) == 0 ? 0 : 1);
    case CLI_VERSION:
        printf("%s (crmkit) %s\n", c->prog, CRM_VERSION);
        exit(fflush(stdout) == 0 ? 0 : 1);
    case 'o':
        c->output = strcmp(arg, "-") == 0 ? NULL : arg;
        return 1;
    case CLI_TSV:
        c->out_flags = (c->out_flags & ~CRM_OUT_XLSX) | CRM_OUT_TSV;
        c->format_given = 1;
        return 1;
    case CLI_FORMAT:
        if (strcmp(arg, "csv") && strcmp(arg, "tsv") && strcmp(arg, "xlsx"))
            cli_usage_error(c, "--format %s: expected csv, tsv or xlsx", arg);
        c->out_flags &= ~(CRM_OUT_TSV | CRM_OUT_XLSX);
        c->out_flags |= arg[0] == 't' ? CRM_OUT_TSV : arg[0] == 'x' ? CRM_OUT_XLSX : 0;
        c->format_given = 1;
        return 1;
    case CLI_ESCAPE_FORMULAS:
        c->out_flags |= CRM_OUT_ESCAPE;
        return 1;
    case CLI_DECIMAL_COMMA:
        c->out_flags |= CRM_OUT_DECIMAL_COMMA;
        return 1;
    case CLI_BOM:
        c->out_flags |= CRM_OUT_BOM;
        return 1;
    case CLI_AS_OF:
        c->as_of = arg;
        return 1;
    case CLI_MAX_AGE:
        c->max_age = cli_integer(c, "--max-age", arg, 0, 3650000);
        return 1;
    case 'q':
        c->quiet = 1;
        return 1;
    case 'v':
        c->verbose++;
        return 1;
    case '?':
        fprintf(stderr, "Try '%s --help' for more information.\n", c->prog);
        exit(2);
    default:
        return 0;
    }
}

static int xlsx_name(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 5 && strcasecmp(path + n - 5, ".xlsx") == 0;
}

unsigned cli_side_flags(const struct cli *c, const char *path)
{
    return (c->out_flags & ~CRM_OUT_XLSX) | (xlsx_name(path) ? CRM_OUT_XLSX : 0);
}

/* -o NAME.xlsx implies --format xlsx; --format csv or tsv with that name is a mistake. */
static unsigned output_flags(const struct cli *c)
{
    if (!xlsx_name(c->output) || (c->out_flags & CRM_OUT_XLSX))
        return c->out_flags;
    if (c->format_given)
        cli_usage_error(c, "-o %s: an .xlsx name with %s output; drop --format/--tsv or name "
                        "the file .%s", c->output, c->out_flags & CRM_OUT_TSV ? "TSV" : "CSV",
                        c->out_flags & CRM_OUT_TSV ? "tsv" : "csv");
    return c->out_flags | CRM_OUT_XLSX;
}

static struct crm_out *open_writer(struct cli *c, unsigned flags)
{
    struct crm_errinfo e;
    int fd = 1;
    crm_errinfo_clear(&e);
    if (c->output) {
        cli_check(c, crm_afile_open(c->output, &c->afile, &e), &e);
        cli_track_temp(crm_afile_temp_path(c->afile));
        fd = crm_afile_fd(c->afile);
    }
    if ((flags & CRM_OUT_XLSX) && isatty(fd)) {   /* stdout, or -o /dev/tty */
        if (c->afile) {
            cli_untrack_temp(crm_afile_temp_path(c->afile));
            crm_afile_abort(c->afile);
            c->afile = NULL;
        }
        cli_usage_error(c, "xlsx is a binary file: not written to a terminal (give -o "
                        "FILE.xlsx or redirect stdout)");
    }
    struct crm_out *o = crm_out_new(fd, c->output ? c->output : "stdout", flags);
    if (!o) {
        crm_errinfo_set(&e, CRM_ENOMEM, "out of memory");
        cli_die(c, &e);
    }
    if (flags & CRM_OUT_XLSX) {
        const char *sheet = c->sheet ? c->sheet : c->prog;
        crm_out_sheet(o, strncmp(sheet, "crm-", 4) == 0 ? sheet + 4 : sheet);
        c->scratch = crm_out_scratch(o) ? strdup(crm_out_scratch(o)) : NULL;
        if (c->scratch)   /* a copy: still valid in cli_die after the writer is freed */
            cli_track_temp(c->scratch);
    }
    return o;
}

struct crm_out *cli_open_output(struct cli *c)
{
    return open_writer(c, output_flags(c));
}

struct crm_out *cli_open_partial(struct cli *c, const char *path)
{
    if (c->output)
        cli_usage_error(c, "-o %s: --emit-partial names the output (%s)", c->output, path);
    c->output = strcmp(path, "-") == 0 ? NULL : path;
    c->out_flags = 0;
    return open_writer(c, 0);   /* a partial is never a workbook, whatever its name */
}

void cli_close_output(struct cli *c, struct crm_out *o)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_out_close(o, &e);
    if (c->scratch) {   /* crm_out_close removed the file; until then a signal may */
        cli_untrack_temp(c->scratch);
        free(c->scratch);
        c->scratch = NULL;
    }
    cli_check(c, rc, &e);
    if (c->afile) {
        struct crm_afile *a = c->afile;
        c->afile = NULL;
        cli_untrack_temp(crm_afile_temp_path(a));
        cli_check(c, crm_afile_commit(a, &e), &e);
    }
}

void cli_claim(const struct cli *c, const char *path, const char *what, int output)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, output ? crm_afile_claim(path, what, &e) : crm_afile_claim_input(path, what, &e),
              &e);
}

double cli_number(const struct cli *c, const char *opt, const char *arg, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi)
        cli_usage_error(c, "%s %s: expected a number from %g to %g", opt, arg, lo, hi);
    return v;
}

long cli_integer(const struct cli *c, const char *opt, const char *arg, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi)
        cli_usage_error(c, "%s %s: expected a whole number from %ld to %ld", opt, arg, lo, hi);
    return v;
}

/* The time zone of the store the tool reads ("" before one is open, or none kept). */
static char store_zone[sizeof ((struct crm_store_meta *)0)->tz];

int cli_as_of(const struct cli *c, int32_t *days)
{
    if (!c->as_of)
        return 0;
    if (strcmp(c->as_of, "today") == 0) {
        *days = crm_store_zone_today(store_zone);
        return 1;
    }
    if (crm_date_parse(c->as_of, days) != 0)
        cli_usage_error(c, "--as-of %s: expected YYYY-MM-DD or today", c->as_of);
    return 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(struct cli_progress *p, const struct cli *c, const char *what)
{
    p->c = c;
    p->what = what;
    p->start = p->last = now_seconds();
    p->shown = 0;
}

void cli_progress_update(struct cli_progress *p, double done, double total)
{
    if (!p->c || !p->c->tty || p->c->quiet)
        return;
    double t = now_seconds();
    if (t - p->start < 1.0 || t - p->last < 0.2)
        return;
    p->last = t;
    p->shown = 1;
    double rate = done / (t - p->start);
    if (total > 0 && done <= total) {
        int width = 30, fill = (int)(width * done / total);
        double eta = rate > 0 ? (total - done) / rate : 0;
        fprintf(stderr, "\r%s: %s [%.*s%*s] %3.0f%%  %.1f MB/s  ETA %.0fs ", p->c->prog, p->what,
                fill, "##############################", width - fill, "", 100.0 * done / total,
                rate / 1e6, eta);
    } else {
        fprintf(stderr, "\r%s: %s %.1f MB  %.1f MB/s ", p->c->prog, p->what, done / 1e6,
                rate / 1e6);
    }
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

static void store_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    cli_progress_update(&store_bar, (double)done, (double)total);
}

/* Clear the store's progress line before the tool writes anything else to stderr. */
static void end_store_progress(void)
{
    cli_progress_end(&store_bar);
}

struct crm_store *cli_open_store(const struct cli *c, const char *path)
{
    struct crm_store *s;
    struct crm_source_info info;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_afile_claim_input(path, "input", &e), &e);
    cli_check(c, crm_afile_claim(c->output, "-o", &e), &e);
    cli_check(c, crm_source_open(path, &s, &info, &e), &e);
    snprintf(store_zone, sizeof store_zone, "%s", crm_store_meta(s)->tz);
    const char *name = path && strcmp(path, "-") != 0 ? path : "stdin";
    if (info.imported && (info.import.rejected_total || info.import.duplicates))
        cli_warn(c, "%s: imported on the fly: %llu of %llu rows rejected, %llu duplicates "
                 "skipped (see them with crm-import --rejects FILE)", name,
                 (unsigned long long)info.import.rejected_total,
                 (unsigned long long)info.import.rows,
                 (unsigned long long)info.import.duplicates);
    if (info.imported && c->verbose)
        cli_warn(c, "%s: not a store: imported on the fly (%s, %llu rows, %llu orders)", name,
                 info.encoding, (unsigned long long)info.import.rows,
                 (unsigned long long)info.import.orders);
    if (c->tty && !c->quiet) {
        cli_progress_start(&store_bar, c, "reading");
        crm_store_set_progress(s, store_progress, NULL);
        atexit(end_store_progress);
    }
    return s;
}

/* --max-age: exit 1 when the newest order is more than max_age days before as_of. */
static void check_age(const struct cli *c, struct crm_store *s, int32_t as_of)
{
    struct crm_errinfo e;
    int64_t newest;
    crm_errinfo_clear(&e);
    cli_check(c, crm_store_max_time(s, &newest, &e), &e);
    char d[16], a[16];
    crm_date_format(as_of, a);
    if (crm_store_stats(s)->orders == 0) {
        cli_warn(c, "the store has no orders; --max-age %ld wants one within %ld days of %s",
                 c->max_age, c->max_age, a);
        exit(1);
    }
    int32_t day = crm_time_day(newest);
    if (as_of - day <= c->max_age)
        return;
    crm_date_format(day, d);
    cli_warn(c, "stale data: the newest order is from %s, %ld days before the as-of date %s "
             "(--max-age %ld); did the last import run?", d, (long)as_of - day, a, c->max_age);
    exit(1);
}

static int32_t resolve_as_of(const struct cli *c, struct crm_store *s)
{
    int32_t as_of;
    if (cli_as_of(c, &as_of))
        return as_of;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    cli_check(c, crm_agg_default_as_of(s, &as_of, &e), &e);
    if (c->verbose) {
        char d[16];
        crm_date_format(as_of, d);
        cli_warn(c, "as-of date %s (the day after the latest order)", d);
    }
    return as_of;
}

int32_t cli_resolve_as_of(const struct cli *c, struct crm_store *s)
{
    int32_t as_of = resolve_as_of(c, s);
    if (c->max_age >= 0)
        check_age(c, s, as_of);
    return as_of;
}

int32_t cli_days(const struct cli *c, const char *opt, const char *arg, int allow_all)
{
    if (allow_all && strcmp(arg, "all") == 0)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    long mult = 1;
    if (end != arg && (*end == 'd' || *end == 'w') && end[1] == '\0') {
        mult = *end == 'w' ? 7 : 1;
        end++;
    }
    if (errno || end == arg || *end || v < (allow_all ? 1 : 0) || v > 1000000)
        cli_usage_error(c, "%s %s: expected a number of days (e.g. 90, 90d or 13w)%s", opt, arg,
                        allow_all ? " or all" : "");
    return (int32_t)(v * mult);
}

void cli_partial_check(const struct cli *c, const char *emit, int merging, int ninputs,
                       const char *verb)
{
    if (emit && merging)
        cli_usage_error(c, "--emit-partial and --merge-partials are separate steps; give one");
    if (emit && !c->as_of)
        cli_usage_error(c, "--emit-partial needs --as-of: every partition must be %s as of "
                        "the same day", verb);
    if (ninputs > 1 && !merging)
        cli_usage_error(c, "one INPUT at most (got %d)", ninputs);
}

struct crm_afile *cli_open_side(const struct cli *c, const char *path)
{
    struct crm_afile *af = NULL;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    if (crm_afile_open(path, &af, &e) != CRM_OK) {
        crm_errinfo_where(&e, path, -1, -1, -1);
        cli_die(c, &e);
    }
    if (crm_afile_temp_path(af))
        cli_track_temp(crm_afile_temp_path(af));
    return af;
}

void cli_close_side(const struct cli *c, struct crm_afile *af, enum crm_err rc,
                    struct crm_errinfo *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", crm_afile_path(af));
    if (crm_afile_temp_path(af))
        cli_untrack_temp(crm_afile_temp_path(af));
    if (rc == CRM_OK)
        rc = crm_afile_commit(af, e);
    else
        crm_afile_abort(af);
    if (rc != CRM_OK) {
        crm_errinfo_where(e, path, -1, -1, -1);
        cli_die(c, e);
    }
}
