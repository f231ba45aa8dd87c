/* importjob: what crm-import's options mean (struct crm_import_job, importrun.h) — each
 * option's value checked here, with the message naming the option and what it takes —
 * and --sniff's importer, which writes nowhere. Invariant: an option's bad value is
 * CRM_EUSAGE before anything is read or written. */
#include "import/importrun.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void crm_import_job_init(struct crm_import_job *job)
{
    memset(job, 0, sizeof *job);
    job->o.max_reject_rate = 0.01;
    job->meta.money_scale = 2;
    job->partitions = 1;
    job->lock_wait = 60;
}

static enum crm_err parse_map(struct crm_import_opts *o, char *arg, struct crm_errinfo *e)
{
    char *eq = strchr(arg, '=');
    int f = -1;
    if (eq) {
        *eq = '\0';
        f = crm_field_parse(arg);
    }
    if (f < 0 || !eq[1])
        return crm_errinfo_set(e, CRM_EUSAGE, "--map %s: expected FIELD=COLUMN with FIELD one "
                               "of order_id, customer_id, order_time, amount, quantity, "
                               "unit_price, status, currency", arg);
    o->map[f] = eq + 1;
    return CRM_OK;
}

static enum crm_err parse_preset(struct crm_import_opts *o, const char *arg,
                                 struct crm_errinfo *e)
{
    if (!crm_import_preset_known(arg)) {
        const char *near = crm_import_preset_suggest(arg);
        return crm_errinfo_set(e, CRM_EUSAGE, "--preset %s: unknown preset%s%s%s (known: %s)",
                               arg, near ? "; did you mean " : "", near ? near : "",
                               near ? "?" : "", crm_import_preset_list());
    }
    o->preset = arg;
    return CRM_OK;
}

/* A choice between two words: 1 for `yes`, 0 for `no`, -1 for anything else. */
static int choice(const char *arg, const char *yes, const char *no)
{
    return strcmp(arg, yes) == 0 ? 1 : strcmp(arg, no) == 0 ? 0 : -1;
}

/* The options that take a word (or a name) and check it. */
static enum crm_err word_option(struct crm_import_job *job, const char *name, char *arg,
                                struct crm_errinfo *e)
{
    struct crm_import_opts *o = &job->o;
    int v;
    if (strcmp(name, "line-items") == 0) {
        if ((v = choice(arg, "unsorted", "sorted")) < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--line-items %s: expected sorted or "
                                   "unsorted", arg);
        o->line_items_unsorted = v;
    } else if (strcmp(name, "order-amount") == 0) {
        if ((v = choice(arg, "once", "sum")) < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--order-amount %s: expected sum or once",
                                   arg);
        o->order_amount_once = v;
    } else if (strcmp(name, "delimiter") == 0) {
        if ((o->csv.delimiter = crm_csvin_parse_delimiter(arg)) < 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--delimiter %s: expected one character, "
                                   "tab or space", arg);
    } else if (strcmp(name, "tz") == 0) {
        if (!*arg || strchr(arg, '\n') || strlen(arg) >= sizeof job->meta.tz)
            return crm_errinfo_set(e, CRM_EUSAGE, "--tz %s: not a time zone name", arg);
        snprintf(job->meta.tz, sizeof job->meta.tz, "%s", arg);
    } else if (strcmp(name, "partition-key") == 0) {
        if (strcmp(arg, "customer") != 0)
            return crm_errinfo_set(e, CRM_EUSAGE, "--partition-key %s: only customer is "
                                   "supported (every per-customer result needs all of a "
                                   "customer's orders)", arg);
    } else if (strcmp(name, "status") == 0) {
        if (job->nstatus == CRM_IMPORT_MAX_STATUS)
            return crm_errinfo_set(e, CRM_EUSAGE, "too many --status options");
        job->statuses[job->nstatus++] = arg;
    } else if (strcmp(name, "map") == 0) {
        return parse_map(o, arg, e);
    } else if (strcmp(name, "preset") == 0) {
        return parse_preset(o, arg, e);
    } else {
        return crm_errinfo_set(e, CRM_EUSAGE, "unexpected option");
    }
    return CRM_OK;
}

enum crm_err crm_import_job_option(struct crm_import_job *job, const char *name, char *arg,
                                   struct crm_errinfo *e)
{
    struct crm_import_opts *o = &job->o;
    /* the options that only name something, and the flags */
    struct { const char *name; const char **text; int *flag; } const plain[] = {
        {"append", &job->append, NULL}, {"customers", &job->customers, NULL},
        {"rejects", &job->rejects, NULL}, {"check", &job->check, NULL},
        {"dump", &job->dump, NULL}, {"encoding", &o->csv.encoding, NULL},
        {"date-format", &o->date_format, NULL}, {"no-header", NULL, &o->no_header},
        {"no-items", NULL, &o->no_items}, {"round-money", NULL, &o->round_money},
        {"decimal-comma", NULL, &o->decimal_comma}, {"sniff", NULL, &job->sniff},
        {"compress", NULL, &job->compress},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (strcmp(name, plain[i].name) != 0)
            continue;
        if (plain[i].text)
            *plain[i].text = arg;
        else
            *plain[i].flag = 1;
        return CRM_OK;
    }
    return word_option(job, name, arg, e);
}

/* --sniff: an importer whose store writer writes to /dev/null. */
struct crm_import_sniffer {
    int fd;
    struct crm_store_writer *w;
    struct crm_import *imp;
};

enum crm_err crm_import_sniffer_new(const struct crm_import_job *job,
                                    struct crm_import_sniffer **out, struct crm_errinfo *e)
{
    struct crm_import_sniffer *sn = calloc(1, sizeof *sn);
    if (!(*out = sn))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if ((sn->fd = open("/dev/null", O_WRONLY)) < 0)
        return crm_errinfo_set(e, CRM_EIO, "/dev/null: %s", strerror(errno));
    enum crm_err rc = crm_store_writer_new(sn->fd, "/dev/null", &job->meta, CRM_STORE_NO_SYNC,
                                           &sn->w, e);
    if (rc == CRM_OK)
        rc = crm_import_new(&job->o, &sn->w, 1, NULL, &sn->imp, e);
    for (size_t i = 0; rc == CRM_OK && i < job->nstatus; i++)
        rc = crm_import_add_status(sn->imp, job->statuses[i], e);
    return rc;
}

enum crm_err crm_import_sniffer_file(struct crm_import_sniffer *sn, const char *path,
                                     struct crm_buf *out, int *would_work,
                                     struct crm_errinfo *e)
{
    return crm_import_sniff(sn->imp, path, out, would_work, e);
}

void crm_import_sniffer_free(struct crm_import_sniffer *sn)
{
    if (!sn)
        return;
    crm_import_free(sn->imp);
    crm_store_writer_free(sn->w);
    if (sn->fd >= 0)
        close(sn->fd);
    free(sn);
}
