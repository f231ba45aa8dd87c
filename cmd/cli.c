/* cli: what every tool does first and last (see cli.h) — start-up (signals, the temporary
 * files a signal removes), messages on stderr, and the one way to fail. Invariant: every
 * message goes through put_line (one line, control characters escaped) and every failure
 * through cli_die or cli_usage_error. Options are in cli_opts.c, outputs in cli_out.c, the
 * input store in cli_store.c. */
#include "cli.h"

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

/* SIGBUS: a store is read through a mapping of its committed bytes (lib/store/storeread.c),
 * and a file cut short under it by another program (truncated, or rewritten in place by
 * cp or >) turns the read of a lost page into this signal. Said as the error it is (exit 1,
 * as for a truncated store), the outputs' temporary files removed; async-signal-safe: write
 * and unlink only. */
static const char *volatile prog_name = "crmkit";
static const char *volatile reading = "a store";

static void put_raw(const char *s)
{
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void on_sigbus(int sig)
{
    (void)sig;
    for (size_t i = 0; i < MAX_TEMPS; i++)
        if (temps[i])
            unlink(temps[i]);
    put_raw(prog_name);
    put_raw(": ");
    put_raw(reading);
    put_raw(": the file was cut short while it was being read (truncated or rewritten in place "
            "by another program); nothing was written: run again once it is whole (replace "
            "a store with crm-import -o or mv, never cp or > onto it)\n");
    _exit(1);
}

void cli_reading(const char *path)
{
    reading = path;
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
    prog_name = prog;
    signal(SIGBUS, on_sigbus);
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

void cli_verbose_lines(const struct cli *c, char *text)
{
    for (char *line = strtok(text, "\n"); c->verbose && line; line = strtok(NULL, "\n"))
        cli_warn(c, "%s", line);
}

noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c, fmt, ap);
    va_end(ap);
    cli_try_help(c);
}

noreturn void cli_try_help(const struct cli *c)
{
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
    if (e->code == CRM_EUSAGE)
        cli_try_help(c);
    exit(1);
}

void cli_check(const struct cli *c, enum crm_err rc, const struct crm_errinfo *e)
{
    if (rc != CRM_OK)
        cli_die(c, e);
}
