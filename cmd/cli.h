/* cli: what every crmkit tool shares — common options (-o, --tsv, --bom, --as-of, -q, -v,
 * --help, --version, --format, --escape-formulas), one way to fail (message "tool: where:
 * what" on stderr with control characters written \xNN, exit 1 for data/IO, 2 for usage,
 * silent on a closed pipe), atomic output files (XLSX too, never to a terminal), and a
 * progress bar that appears only when stderr is a terminal and the work takes over a
 * second. The code: cli.c (start-up, messages, failing), cli_opts.c (options and their
 * values), cli_out.c (outputs, side files, claims), cli_store.c (the input store, the
 * evaluation day, progress). */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "base/afile.h"
#include "base/err.h"
#include "text/out.h"

#define CRM_VERSION "1.0.0"

/* Long-option codes shared by every tool (short options: h o: q v). */
enum {
    CLI_VERSION = 1000, CLI_TSV, CLI_BOM, CLI_AS_OF, CLI_MAX_AGE,
    CLI_TOOL_OPTS = 1100   /* tools number their own long-only options from here */
};

#define CLI_LONG_OPTIONS                                                                   \
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, CLI_VERSION},         \
    {"output", required_argument, NULL, 'o'}, {"tsv", no_argument, NULL, CLI_TSV},         \
    {"bom", no_argument, NULL, CLI_BOM}, {"as-of", required_argument, NULL, CLI_AS_OF},    \
    {"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'},                \
    {"max-age", required_argument, NULL, CLI_MAX_AGE}, CLI_SHEET_OPTIONS

/* Spreadsheet-safe output (SPEC §13.2), shared by every tool. */
enum { CLI_FORMAT = 1050, CLI_ESCAPE_FORMULAS, CLI_DECIMAL_COMMA };
#define CLI_SHEET_OPTIONS                                                                  \
    {"format", required_argument, NULL, CLI_FORMAT},                                       \
    {"escape-formulas", no_argument, NULL, CLI_ESCAPE_FORMULAS}
/* --decimal-comma for report output: the analytic tools add it to their option table
 * (crm-import's --decimal-comma is about its input). */
#define CLI_REPORT_OPTIONS {"decimal-comma", no_argument, NULL, CLI_DECIMAL_COMMA}

/* The scoring options of crm-rfm and crm-segment: --window, the RFM options (lib/rfm's
 * crm_rfm_set_option takes each by its name, code rfm) and --net. */
#define CLI_RFM_OPTIONS(window, rfm, net)                                                  \
    {"window", required_argument, NULL, (window)}, CLI_RFM_SET_OPTIONS(rfm),               \
    {"net", no_argument, NULL, (net)}
#define CLI_RFM_SET_OPTIONS(code)                                                          \
    {"scheme", required_argument, NULL, (code)},                                           \
    {"monetary", required_argument, NULL, (code)},                                         \
    {"r-bins", required_argument, NULL, (code)}, {"f-bins", required_argument, NULL, (code)}, \
    {"m-bins", required_argument, NULL, (code)},                                           \
    {"weights", required_argument, NULL, (code)}, {"tiers", required_argument, NULL, (code)}

/* The scale-out steps (docs/SCALE.md) of the tools that have them. */
#define CLI_PARTIAL_OPTIONS(emit, merge)                                                   \
    {"emit-partial", required_argument, NULL, (emit)},                                     \
    {"merge-partials", no_argument, NULL, (merge)}

/* --help lines that read the same in several tools (string literals, for concatenation). */
#define CLI_HELP_INPUT                                                                     \
    "INPUT is a store from crm-import, or any order file (imported on the fly); omitted or -\n"
#define CLI_HELP_AS_OF                                                                     \
    "      --as-of DATE         evaluation date, YYYY-MM-DD or today (default: the day after\n" \
    "                           the latest order)\n"
#define CLI_HELP_MAX_AGE                                                                   \
    "      --max-age DAYS       exit 1 when the newest order is more than DAYS days\n"      \
    "                           before the as-of date (a stale export)\n"
#define CLI_HELP_WINDOW                                                                    \
    "      --window DAYS|all    orders of the DAYS days before the as-of date count (365)\n"
#define CLI_HELP_SHEET                                                                     \
    "      --format F           csv (default), tsv or xlsx (-o NAME.xlsx implies xlsx)\n"  \
    "      --escape-formulas, --decimal-comma\n"                                            \
    "                           spreadsheet-safe CSV, as in crm-rfm(1)\n"
#define CLI_HELP_OUTPUT                                                                    \
    "  -o, --output FILE        write FILE atomically instead of stdout\n"                 \
    "      --tsv, --bom         tab-separated; UTF-8 BOM and CRLF for spreadsheets\n"      \
    CLI_HELP_SHEET

struct cli {
    const char *prog;
    const char *usage;        /* full --help text */
    const char *output;       /* -o FILE, NULL: stdout */
    unsigned out_flags;       /* CRM_OUT_TSV, CRM_OUT_BOM */
    int quiet, verbose;
    const char *as_of;        /* --as-of text as given */
    struct crm_afile *afile;  /* the temporary file behind -o */
    int tty;                  /* stderr is a terminal */
    long max_age;             /* --max-age DAYS, -1: not given */
    int format_given;         /* --format or --tsv named the output's format */
    const char *sheet;        /* XLSX: the report's sheet name (default: the tool's) */
    char *scratch;            /* XLSX: a copy of the open writer's scratch path (tracked) */
};

void cli_init(struct cli *c, const char *prog, const char *usage);

/* Handle a shared option; 1 when it was one. Exits for --help/--version. */
int cli_common(struct cli *c, int opt, const char *arg);

/* The next option of the tool's own (getopt_long over longopts and the short options h o: q v,
 * the shared ones handled on the way by cli_common); -1 after the last. name (may be NULL):
 * the long option's name, NULL for a short one. The option's argument is in optarg. */
int cli_next_option(struct cli *c, int argc, char **argv, const struct option *longopts,
                    const char **name);

noreturn void cli_die(const struct cli *c, const struct crm_errinfo *e);
/* The end of every usage error: "Try 'TOOL --help' for more information." and exit 2. */
noreturn void cli_try_help(const struct cli *c);
noreturn void cli_usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_warn(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A summary/information line: suppressed by -q. */
void cli_info(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -v: each line of a multi-line description as a message of its own (text is cut in
 * place); nothing without -v. */
void cli_verbose_lines(const struct cli *c, char *text);

/* Exit via cli_die when rc is an error. */
void cli_check(const struct cli *c, enum crm_err rc, const struct crm_errinfo *e);

/* Remove this temporary file (of an atomic output) if a signal ends the run; untrack it
 * once committed or aborted. */
void cli_track_temp(const char *path);
void cli_untrack_temp(const char *path);
/* The store being read (named by the message if a SIGBUS ends the run: its file was cut
 * short under the reader's mapping); "a store" until set. */
void cli_reading(const char *path);

/* Remove the temporary file of -o, if one is open (cli_die does it before exiting). */
void cli_abort_output(struct cli *c);

/* The report's writer: stdout, or the temporary file of -o (renamed by cli_close_output).
 * XLSX with --format xlsx or -o NAME.xlsx (a sheet named c->sheet); a usage error when
 * that would go to a terminal. */
struct crm_out *cli_open_output(struct cli *c);
void cli_close_output(struct cli *c, struct crm_out *o);

/* The writer flags for a side file at path (--report FILE, --params-out FILE): XLSX when
 * its name ends in .xlsx, else the CSV/TSV of the main output. */
unsigned cli_side_flags(const struct cli *c, const char *path);

/* Scale-out (docs/SCALE.md): the writer of a partial, to FILE ("-": stdout) atomically like
 * -o (which must not be given too); --tsv and --bom do not apply to partials. Close it with
 * cli_close_output. */
struct crm_out *cli_open_partial(struct cli *c, const char *path);

/* Scale-out checks every tool makes (usage error, exit 2): --emit-partial and
 * --merge-partials are separate steps; a partial needs --as-of, so that every partition is
 * `verb` (ranked, scored, evaluated) as of the same day; without --merge-partials one INPUT
 * at most. emit: the --emit-partial FILE or NULL; ninputs: arguments after the options. */
void cli_partial_check(const struct cli *c, const char *emit, int merging, int ninputs,
                       const char *verb);

/* An atomic side file (--svg FILE and the like, besides the report): cli_open_side creates
 * its temporary file (removed if a signal ends the run) or dies naming path;
 * cli_close_side commits it when rc is CRM_OK, else removes it, and dies naming path on
 * any error (e holds rc's message). */
struct crm_afile *cli_open_side(const struct cli *c, const char *path);
void cli_close_side(const struct cli *c, struct crm_afile *af, enum crm_err rc,
                    struct crm_errinfo *e);

/* Claim a path this run writes (output 1: "-o", "--svg", ...) or reads ("--params"): exit 2
 * when an earlier claim names the same file and one of them is written (afile.h), before
 * anything is written. */
void cli_claim(const struct cli *c, const char *path, const char *what, int output);

/* Numbers for options; usage error (exit 2) naming the option when malformed. */
double cli_number(const struct cli *c, const char *opt, const char *arg, double lo, double hi);
long cli_integer(const struct cli *c, const char *opt, const char *arg, long lo, long hi);

/* A long option in argv that getopt would not take (unknown, or a prefix of several):
 * usage error "did you mean --NAME?" naming the nearest of longopts (cli_suggest.c). */
void cli_suggest_option(const struct cli *c, int argc, char **argv,
                        const struct option *longopts);

/* --as-of: YYYY-MM-DD or "today" (in the zone of the store cli_open_store opened, else of
 * TZ). 0 when not given. */
int cli_as_of(const struct cli *c, int32_t *days);

/* Analytic tools: open INPUT (a store, or any order file imported on the fly, with a
 * warning when rows were rejected) — exits on failure. INPUT is claimed (afile.h): an output
 * naming the same file is a usage error. */
struct crm_store;
struct crm_store *cli_open_store(const struct cli *c, const char *path);

/* The evaluation day: --as-of (YYYY-MM-DD or today), else the day after the latest order
 * in the store (on a pipe this holds the compressed store in memory). With --max-age DAYS,
 * exits 1 when the newest order is more than DAYS days before it (a stale export). */
int32_t cli_resolve_as_of(const struct cli *c, struct crm_store *s);

/* Days from an option such as --window 365 / all (0), --horizon 90d / 13w. */
int32_t cli_days(const struct cli *c, const char *opt, const char *arg, int allow_all);

/* Progress on stderr (terminal only, after ~1 s): what, done and total in any unit. */
struct cli_progress {
    const struct cli *c;
    const char *what;
    double start, last;
    int shown;
};
void cli_progress_start(struct cli_progress *p, const struct cli *c, const char *what);
void cli_progress_update(struct cli_progress *p, double done, double total);
void cli_progress_end(struct cli_progress *p);
/* Clear the progress line of the store cli_open_store opened (before any other stderr text). */
void cli_end_store_progress(void);

#endif
