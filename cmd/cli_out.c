/* cli_out: the writers of a tool's outputs (see cli.h) — the report on stdout or atomically
 * to -o (XLSX too, never to a terminal), a partial, side files, and the claims that keep two
 * paths of one command from naming one file. Invariant: every temporary file of an
 * unfinished output is tracked (cli_track_temp), so that a signal or cli_die removes it. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void cli_abort_output(struct cli *c)
{
    if (!c->afile)
        return;
    cli_untrack_temp(crm_afile_temp_path(c->afile));
    crm_afile_abort(c->afile);
    c->afile = NULL;
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
        cli_abort_output(c);
        cli_usage_error(c, "xlsx is a binary file: not written to a terminal (give -o "
                        "FILE.xlsx or redirect stdout)");
    }
    struct crm_out *o = crm_out_new(fd, c->output ? c->output : "stdout", flags);
    if (!o) {
        crm_errinfo_set(&e, CRM_ENOMEM, "out of memory");
        cli_die(c, &e);
    }
    if (c->afile && crm_afile_temp_path(c->afile))   /* fsynced at the end */
        crm_out_write_behind(o);
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
