/* importrun: one crm-import run behind one call (see importrun.h). The commit protocol of
 * its stores, in steps: 1. every store is opened (open_stores: -o and each partition a
 * storefile, locked, written to a temporary file the tool tracks; --append locked in
 * place; a pipe a plain writer); 2. the orders go to them (crm_import_* or crm_merge_*);
 * 3. on success every store is finished, then each is renamed into place under its lock
 * (close_outputs); on any failure instead, every temporary file is untracked and removed
 * and the stores at the paths are left as they were. The rejects file is committed before
 * the stores, even when too many rows were rejected (it says why). */
#include "import/importrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "import/importint.h"
#include "import/merge.h"
#include "store/storefile.h"

/* The stores being written: one (stdout, -o or --append) or N partitions. */
struct outputs {
    size_t n;
    struct crm_store_writer **w;
    struct crm_storefile **sf;     /* NULL for a writer on stdout */
};

struct run {
    struct crm_import_job *job;
    const struct crm_import_hooks *h;
    struct outputs out;
};

static void track(const struct run *r, const char *path, int tracked)
{
    if (r->h->temp && path)
        r->h->temp(r->h->ctx, path, tracked);
}

/* STORE names partition i: the pattern with %d replaced by i. */
static enum crm_err partition_path(const char *pattern, size_t i, char **out,
                                   struct crm_errinfo *e)
{
    const char *pc = strstr(pattern, "%d");
    if (!pc || strstr(pc + 2, "%d") || strchr(pattern, '%') != pc)
        return crm_errinfo_set(e, CRM_EUSAGE, "--partition: -o %s must contain %%d once (and "
                               "no other %%)", pattern);
    size_t n = strlen(pattern) + 24;
    if (!(*out = malloc(n)))
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    snprintf(*out, n, "%.*s%zu%s", (int)(pc - pattern), pattern, i, pc + 2);
    return CRM_OK;
}

static enum crm_err alloc_outputs(struct outputs *out, size_t n, struct crm_errinfo *e)
{
    out->n = n;
    out->w = calloc(n, sizeof *out->w);
    out->sf = calloc(n, sizeof *out->sf);
    if (!out->w || !out->sf)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    return CRM_OK;
}

static void on_lock_wait(void *ctx, const char *path, long wait)
{
    const struct run *r = ctx;
    sayf(r->h->say, r->h->ctx, 1, "%s: another crm-import is writing this store; waiting up "
         "to %lds", path, wait);
}

/* A store on stdout that is a pipe or a socket goes straight to a reader that reads it
 * once: its columns are stored raw (zlib's work would cost both ends more than the bytes
 * it saves), unless --compress. A store in a file is always compressed. */
static int stdout_streams(void)
{
    struct stat st;
    return fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Store i of the job's: on stdout, at -o, or partition i of the -o pattern. */
static enum crm_err open_one(struct run *r, size_t i, struct crm_errinfo *e)
{
    const struct crm_import_job *job = r->job;
    struct outputs *out = &r->out;
    if (!job->output) {
        unsigned flags = CRM_STORE_KEEP_IDS;
        if (!job->compress && stdout_streams())
            flags |= CRM_STORE_RAW;
        return crm_store_writer_new(1, "stdout", &job->meta, flags, &out->w[i], e);
    }
    struct crm_storefile_opts so = {job->lock_wait, CRM_STORE_KEEP_IDS, on_lock_wait, r, 0};
    char *path = NULL;
    enum crm_err rc = job->partitioned ? partition_path(job->output, i, &path, e)
                    : (path = strdup(job->output)) ? CRM_OK
                    : crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    if (rc == CRM_OK)
        rc = crm_afile_claim(path, "-o", e);
    if (rc == CRM_OK)
        rc = crm_storefile_create(path, &job->meta, &so, &out->sf[i], e);
    if (rc == CRM_OK) {
        track(r, crm_storefile_temp_path(out->sf[i]), 1);
        out->w[i] = crm_storefile_writer(out->sf[i]);
    }
    free(path);
    return rc;
}

/* An existing store (--append: locked, created when missing; its time zone rules the
 * import when --tz is not given). */
static enum crm_err open_append(struct run *r, struct crm_errinfo *e)
{
    struct crm_import_job *job = r->job;
    struct crm_storefile_opts so = {job->lock_wait, CRM_STORE_KEEP_IDS, on_lock_wait, r,
                                    job->create_flags};
    int created;
    enum crm_err rc = alloc_outputs(&r->out, 1, e);
    if (rc == CRM_OK)
        rc = crm_storefile_append(job->append, &job->meta, &so, &r->out.sf[0], &created, e);
    if (rc != CRM_OK)
        return rc;
    r->out.w[0] = crm_storefile_writer(r->out.sf[0]);
    if (created)
        sayf(r->h->say, r->h->ctx, 0, "%s: no store there yet; created it (time zone %s)",
             job->append, job->meta.tz[0] ? job->meta.tz : "as written");
    if (!job->meta.tz[0])
        snprintf(job->meta.tz, sizeof job->meta.tz, "%s",
                 crm_store_writer_meta(r->out.w[0])->tz);
    return CRM_OK;
}

/* Where the orders go: the appended store or new stores. */
static enum crm_err open_stores(struct run *r, struct crm_errinfo *e)
{
    if (r->job->append)
        return open_append(r, e);
    enum crm_err rc = alloc_outputs(&r->out, r->job->partitions, e);
    for (size_t i = 0; rc == CRM_OK && i < r->out.n; i++)
        rc = open_one(r, i, e);
    return rc;
}

/* On success (rc CRM_OK): finish every store, then rename them all into place (each under
 * its lock). On failure: remove the temporary files, leaving any previous stores
 * untouched. Returns the run's result. */
static enum crm_err close_outputs(struct run *r, enum crm_err rc, struct crm_errinfo *e)
{
    struct outputs *out = &r->out;
    for (size_t i = 0; i < out->n && rc == CRM_OK; i++)
        rc = out->sf[i] ? crm_storefile_finish(out->sf[i], e)
                        : crm_store_writer_finish(out->w[i], e);
    for (size_t i = 0; i < out->n; i++) {
        if (!out->sf[i]) {
            crm_store_writer_free(out->w[i]);
            continue;
        }
        track(r, crm_storefile_temp_path(out->sf[i]), 0);
        if (rc == CRM_OK)
            rc = crm_storefile_commit(out->sf[i], e);
        else
            crm_storefile_abort(out->sf[i]);
    }
    free(out->w);
    free(out->sf);
    memset(out, 0, sizeof *out);
    return rc;
}

/* Every file this run reads or writes, claimed so that two naming the same file are a
 * usage error before anything is written (SPEC §13.3). */
static enum crm_err claim_files(const struct crm_import_job *job, char **files, int nfiles,
                                struct crm_errinfo *e)
{
    enum crm_err rc = CRM_OK;
    for (int i = 0; i < nfiles && rc == CRM_OK; i++)
        rc = crm_afile_claim_input(files[i], "input", e);
    if (rc == CRM_OK)
        rc = crm_afile_claim_input(job->customers, "--customers", e);
    if (rc == CRM_OK)
        rc = crm_afile_claim(job->append, "--append", e);
    if (rc == CRM_OK)
        rc = crm_afile_claim(job->rejects, "--rejects", e);
    return rc;
}

/* The merged stores' settings are the output's: the first store's, --tz agreeing. */
static enum crm_err first_store(struct crm_import_job *job, const char *path,
                                struct crm_store **s, struct crm_errinfo *e)
{
    enum crm_err rc = crm_store_open(path, s, e);
    if (rc != CRM_OK)
        return rc;
    if (job->meta.tz[0] && strcmp(job->meta.tz, crm_store_meta(*s)->tz) != 0) {
        rc = crm_errinfo_set(e, CRM_EUSAGE, "--tz %s: %s was imported with time zone \"%s\"",
                             job->meta.tz, path, crm_store_meta(*s)->tz);
        crm_store_close(*s);
        return rc;
    }
    job->meta = *crm_store_meta(*s);
    return CRM_OK;
}

/* Merge one input store (closed after); a store without line items in a merge that keeps
 * them is said, even with -q. */
static enum crm_err merge_one(const struct run *r, struct crm_merge *m, struct crm_store *s,
                              const char *path, struct crm_errinfo *e)
{
    const struct crm_merge_stats *st = crm_merge_stats(m);
    uint64_t bare = st->orders_without_items;
    enum crm_err rc = crm_merge_store(m, s, e);
    if (rc != CRM_OK && !e->file[0])
        crm_errinfo_where(e, path, -1, -1, -1);
    crm_store_close(s);
    if (rc == CRM_OK && st->orders_without_items > bare)
        sayf(r->h->say, r->h->ctx, 0, "%s: %llu orders merged without line items (the store "
             "has none: format version 1; import its orders with their product column to "
             "have them); the other stores' items are kept", path,
             (unsigned long long)(st->orders_without_items - bare));
    return rc;
}

/* The merge's summary; line items not kept (onto a version-1 store) said even with -q. */
static void say_merged(const struct run *r, const struct crm_merge *m)
{
    const struct crm_merge_stats *st = crm_merge_stats(m);
    sayf(r->h->say, r->h->ctx, 1, "%llu stores merged: %llu orders read, %llu orders "
         "written, %llu duplicates skipped, %llu customers-file rows",
         (unsigned long long)st->stores, (unsigned long long)st->orders_read,
         (unsigned long long)st->orders, (unsigned long long)st->duplicates,
         (unsigned long long)st->customer_rows);
    if (crm_merge_keeps_items(m))
        sayf(r->h->say, r->h->ctx, 1, "%llu line items kept", (unsigned long long)st->items);
    if (st->items_dropped)
        sayf(r->h->say, r->h->ctx, 0, "%s: the store keeps no line items (format version 1): "
             "%llu line items of the merged stores were not kept; merge into a new store (-o) "
             "to keep them", r->job->append ? r->job->append : "output",
             (unsigned long long)st->items_dropped);
}

static enum crm_err merge_all(struct run *r, struct crm_store *s, char **files, int nfiles,
                              int items, struct crm_errinfo *e)
{
    struct crm_merge *m;
    enum crm_err rc = crm_merge_new(r->out.w, r->out.n, &m, e);
    if (rc == CRM_OK && r->job->append)
        rc = crm_merge_load_existing(m, e);
    if (rc == CRM_OK)
        rc = crm_merge_items(m, items, e);
    for (int i = 0; rc == CRM_OK && i < nfiles; i++) {
        if (i > 0 && (rc = crm_store_open(files[i], &s, e)) != CRM_OK)
            break;
        rc = merge_one(r, m, s, files[i], e);
    }
    if (rc == CRM_OK)
        say_merged(r, m);
    crm_merge_free(m);
    return rc;
}

/* Stores given as input are merged (SPEC §18), duplicates skipped: into -o, into N
 * partitions (--partition) or onto --append. */
static enum crm_err merge_stores(struct run *r, char **files, int nfiles, int mixed,
                                 struct crm_errinfo *e)
{
    if (mixed || r->job->customers || r->job->rejects)
        return crm_errinfo_set(e, CRM_EUSAGE, "stores and order files cannot be mixed (nor "
                               "--customers or --rejects given with stores): merge the "
                               "stores, then --append the order files");
    struct crm_store *s;
    enum crm_err rc = first_store(r->job, files[0], &s, e);
    if (rc != CRM_OK)
        return rc;
    int items;   /* a store --append creates keeps them when any input has them */
    if ((rc = crm_merge_any_items((const char *const *)files, (size_t)nfiles, &items, e))
        != CRM_OK) {
        crm_store_close(s);
        return rc;
    }
    r->job->create_flags = items ? CRM_STORE_ITEMS : 0u;
    if ((rc = open_stores(r, e)) != CRM_OK) {
        crm_store_close(s);
        return close_outputs(r, rc, e);
    }
    return close_outputs(r, merge_all(r, s, files, nfiles, items, e), e);
}

/* The rejects file: written atomically, its temporary file tracked. */
static enum crm_err open_rejects(const struct run *r, struct crm_afile **af,
                                 struct crm_out **out, struct crm_errinfo *e)
{
    if (!r->job->rejects)
        return CRM_OK;
    enum crm_err rc = crm_afile_open(r->job->rejects, af, e);
    if (rc != CRM_OK)
        return rc;
    track(r, crm_afile_temp_path(*af), 1);
    *out = crm_out_new(crm_afile_fd(*af), r->job->rejects, r->job->rejects_flags);
    return CRM_OK;
}

/* Commit the rejects file (commit 1) or drop it; the commit's failure, in e. */
static enum crm_err close_rejects(const struct run *r, struct crm_afile *af,
                                  struct crm_out *out, int commit, struct crm_errinfo *e)
{
    if (!af)
        return CRM_OK;
    track(r, crm_afile_temp_path(af), 0);
    enum crm_err rc = crm_out_close(out, e);
    if (commit && rc == CRM_OK)
        rc = crm_afile_commit(af, e);
    else
        crm_afile_abort(af);
    return commit ? rc : CRM_OK;
}

/* Read every input file (stdin without any), its progress to the hooks. */
static enum crm_err import_files(const struct run *r, struct crm_import *imp, char **files,
                                 int nfiles, struct crm_errinfo *e)
{
    const struct crm_import_hooks *h = r->h;
    if (h->progress)
        crm_import_set_progress(imp, h->progress, h->ctx);
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        const char *path = nfiles ? files[i] : "-";
        const char *name = strcmp(path, "-") ? path : "stdin";
        struct stat st;
        double total = strcmp(path, "-") != 0 && stat(path, &st) == 0 ? (double)st.st_size : 0;
        if (h->progress_start)
            h->progress_start(h->ctx, name, total);
        enum crm_err rc = crm_import_file(imp, path, e);
        if (h->progress_end)
            h->progress_end(h->ctx);
        if (rc != CRM_OK)
            return rc;
        int d = crm_import_last_delimiter(imp);
        sayf(h->say, h->ctx, 1, "%s: %s, %s-separated", name, crm_import_last_encoding(imp),
             d == '\t' ? "tab" : d == ' ' ? "space" : d == ',' ? "comma"
                                                    : (char[]){(char)d, 0});
    }
    return CRM_OK;
}

/* The time zone the times are read in (--tz, or the appended store's). */
static void use_zone(struct crm_import_job *job)
{
    if (!job->meta.tz[0])
        return;
    setenv("TZ", job->meta.tz, 1);
    tzset();
    job->o.local_zone = 1;
}

/* The importer's setup, its files, the finish and its report (*finished: reached). */
static enum crm_err import_into(struct run *r, struct crm_import *imp, char **files,
                                int nfiles, int *finished, struct crm_errinfo *e)
{
    const struct crm_import_job *job = r->job;
    enum crm_err rc = CRM_OK;
    for (size_t i = 0; i < job->nstatus && rc == CRM_OK; i++)
        rc = crm_import_add_status(imp, job->statuses[i], e);
    if (rc == CRM_OK && job->append)
        rc = crm_import_load_existing(imp, e);
    if (rc == CRM_OK && job->customers)
        rc = crm_import_customers(imp, job->customers, e);
    if (rc == CRM_OK)
        rc = import_files(r, imp, files, nfiles, e);
    if (rc != CRM_OK)
        return rc;
    rc = crm_import_finish(imp, e);
    *finished = 1;
    crm_import_report(imp, job->rejects, rc == CRM_OK, r->h->say, r->h->ctx);
    return rc;
}

/* Order files into the stores opened for them. */
static enum crm_err import_orders(struct run *r, char **files, int nfiles,
                                  struct crm_errinfo *e)
{
    struct crm_import_job *job = r->job;
    enum crm_err rc = open_stores(r, e);
    if (rc == CRM_OK && job->append && job->money_scale &&
        crm_store_writer_meta(r->out.w[0])->money_scale != job->meta.money_scale)
        rc = crm_errinfo_set(e, CRM_EUSAGE, "--money-scale %d: the store keeps money with %d "
                             "decimals (chosen when it was created)", job->meta.money_scale,
                             crm_store_writer_meta(r->out.w[0])->money_scale);
    if (rc != CRM_OK)
        return close_outputs(r, rc, e);
    use_zone(job);
    struct crm_afile *af = NULL;
    struct crm_out *rejects = NULL;
    struct crm_import *imp = NULL;
    rc = open_rejects(r, &af, &rejects, e);
    if (rc == CRM_OK)
        rc = crm_import_new(&job->o, r->out.w, r->out.n, rejects, &imp, e);
    int finished = 0;
    if (rc == CRM_OK)
        rc = import_into(r, imp, files, nfiles, &finished, e);
    /* once finished, the rejects file is kept even over the reject rate: it says why */
    struct crm_errinfo e2;
    crm_errinfo_clear(&e2);
    if (close_rejects(r, af, rejects, finished, &e2) != CRM_OK) {
        *e = e2;
        rc = e2.code;
    }
    crm_import_free(imp);
    /* Over the reject rate: no END block, nothing committed, temporary files removed. */
    return close_outputs(r, rc, e);
}

enum crm_err crm_import_run(struct crm_import_job *job, char **files, int nfiles,
                            const struct crm_import_hooks *h, struct crm_errinfo *e)
{
    struct run r = {job, h, {0, NULL, NULL}};
    enum crm_err rc = CRM_OK;
    if (job->meta.tz[0])
        rc = crm_store_zone_check(job->meta.tz, e);
    if (rc == CRM_OK)
        rc = claim_files(job, files, nfiles, e);
    if (rc != CRM_OK)
        return rc;
    int stores = 0;
    for (int i = 0; i < nfiles; i++)
        stores += crm_merge_is_store_file(files[i]);
    if (stores == 0)
        return import_orders(&r, files, nfiles, e);
    return merge_stores(&r, files, nfiles, stores < nfiles, e);
}
