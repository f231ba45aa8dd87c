/* importrun: one crm-import run behind one call (lib/import/importrun.c) — what its options
 * mean (crm_import_job_option), the stores it writes (stdout, -o, N partitions named by a
 * %d pattern, or --append; each a storefile: locked, then renamed into place together on
 * commit), the shop's time zone, the rejects file, the import of every input file or the
 * merge of input stores, and the report; and --sniff's dry run. The tool keeps the option
 * loop and the I/O of messages, temporary files and progress (struct crm_import_hooks).
 * Invariant: a run that fails removes every temporary file it made and commits no store;
 * one that succeeds commits every store (and the rejects file). */
#ifndef CRM_IMPORTRUN_H
#define CRM_IMPORTRUN_H

#include "base/buf.h"
#include "import/import.h"
#include "import/importrep.h"
#include "store/store.h"

#define CRM_IMPORT_MAX_STATUS 32

/* What a run does: crm-import's options. */
struct crm_import_job {
    struct crm_import_opts o;
    struct crm_store_meta meta;   /* a new store's; tz "": none (--append: the store's) */
    const char *output;           /* -o STORE, a %d pattern when partitioned; NULL: stdout */
    const char *append, *customers, *rejects, *check, *dump;
    const char *statuses[CRM_IMPORT_MAX_STATUS];
    size_t nstatus, partitions;
    int partitioned;              /* --partition given: output is a pattern, even for N = 1 */
    int compress;                 /* --compress: deflate the columns even on a pipe */
    int sniff;                    /* --sniff: a dry run */
    int money_scale;              /* --money-scale given (an appended store keeps its own) */
    unsigned create_flags;        /* of a store --append creates (merging stores with items) */
    unsigned rejects_flags;       /* crm_out flags of the rejects file (CRM_OUT_BOM) */
    long lock_wait;               /* seconds --append or -o waits for another writer */
};

/* The defaults: --max-reject-rate 0.01, money scale 2, one store, --lock-wait 60. */
void crm_import_job_init(struct crm_import_job *job);

/* Apply the option --name with its argument (NULL for a flag); CRM_EUSAGE naming the
 * option and what it expects, or "unexpected option" for a name that is not the job's (the
 * numbers --money-scale, --max-reject-rate, --lock-wait and --partition are the tool's to
 * read). arg stays referenced (and --map writes a NUL into it). */
enum crm_err crm_import_job_option(struct crm_import_job *job, const char *name, char *arg,
                                   struct crm_errinfo *e);

/* What the tool does with a run's lines (say: importrep.h), with the temporary files it
 * makes (tracked 1: remove it if a signal ends the run; 0: no more) and with the progress
 * of each input file (bytes read of `bytes`, 0 when unknown). Any but say may be NULL. */
struct crm_import_hooks {
    crm_import_say *say;
    void (*temp)(void *ctx, const char *path, int tracked);
    void (*progress_start)(void *ctx, const char *name, double bytes);
    void (*progress)(void *ctx, unsigned long long bytes);
    void (*progress_end)(void *ctx);
    void *ctx;
};

/* Import files[0..nfiles) (none: stdin) — or merge them when they are stores (SPEC §18) —
 * into the job's stores, and report. job->meta takes the appended or merged store's. */
enum crm_err crm_import_run(struct crm_import_job *job, char **files, int nfiles,
                            const struct crm_import_hooks *h, struct crm_errinfo *e);

/* --sniff: an importer writing nowhere; each file's report (crm_import_sniff) into out. */
struct crm_import_sniffer;
enum crm_err crm_import_sniffer_new(const struct crm_import_job *job,
                                    struct crm_import_sniffer **out, struct crm_errinfo *e);
enum crm_err crm_import_sniffer_file(struct crm_import_sniffer *sn, const char *path,
                                     struct crm_buf *out, int *would_work,
                                     struct crm_errinfo *e);
void crm_import_sniffer_free(struct crm_import_sniffer *sn);

#endif
