/* cli_opts: the options of a tool (see cli.h) — the shared ones (cli_common), the loop over
 * a tool's own (cli_next_option), option values (numbers and days, read by lib/text/optval,
 * refused as usage errors) and the scale-out steps' combinations. Invariant: a refused option
 * is a usage error — its message, "Try 'TOOL --help'", exit 2. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/optval.h"

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
    case '?':   /* getopt said what */
        cli_try_help(c);
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

/* A refused option value: its message, "Try --help", exit 2. */
static void check_value(const struct cli *c, enum crm_err rc, const struct crm_errinfo *e)
{
    if (rc != CRM_OK)
        cli_usage_error(c, "%s", e->msg);
}

double cli_number(const struct cli *c, const char *opt, const char *arg, double lo, double hi)
{
    struct crm_errinfo e;
    double v = 0;
    check_value(c, crm_optval_number(opt, arg, lo, hi, &v, &e), &e);
    return v;
}

long cli_integer(const struct cli *c, const char *opt, const char *arg, long lo, long hi)
{
    struct crm_errinfo e;
    long v = 0;
    check_value(c, crm_optval_integer(opt, arg, lo, hi, &v, &e), &e);
    return v;
}

int32_t cli_days(const struct cli *c, const char *opt, const char *arg, int allow_all)
{
    struct crm_errinfo e;
    int32_t v = 0;
    check_value(c, crm_optval_days(opt, arg, allow_all, &v, &e), &e);
    return v;
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

