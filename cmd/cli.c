/* cli: the conventions every tool shares (see cli.h) — start-up, the shared options, numbers
 * in options, and the one way to fail. Invariant: every message goes through put_line (one
 * line, control characters escaped) and every failure through cli_die or cli_usage_error;
 * outputs are in cli_out.c, the input store in cli_store.c. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    cli_end_store_progress();           /* a message starts on a clean line */
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
    cli_abort_output((struct cli *)c);
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

int cli_next_option(struct cli *c, int argc, char **argv, const struct option *longopts,
                    const char **name)
{
    int opt, idx;
    do {
        idx = -1;
        opt = getopt_long(argc, argv, "ho:qv", longopts, &idx);
    } while (opt != -1 && cli_common(c, opt, optarg));
    if (name)
        *name = idx >= 0 ? longopts[idx].name : NULL;
    return opt;
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

