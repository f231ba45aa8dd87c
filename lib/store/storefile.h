/* storefile: a store on disk as concurrent writers share it. Every writer — a new store
 * (-o) as well as an append — holds an exclusive flock on the store file it replaces or
 * extends, from before it reads the store until its commit; a writer that waited checks
 * that the path still names the file it locked (another writer may have renamed a new
 * store over it) and locks the new one instead. So -o and --append jobs run one after the
 * other in the order they got the lock, and none writes into a replaced, deleted file.
 * An append to a path with no store creates an empty one first (linked into place only
 * if still absent) and appends to it. The store's time zone is checked here too: a zone
 * must name a TZif file. */
#ifndef CRM_STOREFILE_H
#define CRM_STOREFILE_H

#include "base/err.h"
#include "store/store.h"

struct crm_storefile;

struct crm_storefile_opts {
    long lock_wait;              /* seconds to wait for another writer */
    unsigned writer_flags;       /* CRM_STORE_KEEP_IDS, ... */
    /* called once, when the lock is held by another writer and we start waiting */
    void (*waiting)(void *ctx, const char *path, long lock_wait);
    void *ctx;
    unsigned create_flags;       /* the flags of a store an append creates (CRM_STORE_ITEMS:
                                    format version 2, for inputs known to have items) */
};

/* A new store at path (-o; "-"/NULL: none, use crm_store_writer_new on stdout), written to
 * a temporary file beside it and renamed into place under the lock by
 * crm_storefile_commit. When a store is there already, its lock is taken now. */
enum crm_err crm_storefile_create(const char *path, const struct crm_store_meta *meta,
                                  const struct crm_storefile_opts *o,
                                  struct crm_storefile **out, struct crm_errinfo *e);

/* Append to the store at path, locked; created empty first (with `meta` and
 * o->create_flags) when missing, which *created reports. meta->tz "" takes the store's
 * zone; another zone than the store's is CRM_EUSAGE. */
enum crm_err crm_storefile_append(const char *path, const struct crm_store_meta *meta,
                                  const struct crm_storefile_opts *o,
                                  struct crm_storefile **out, int *created,
                                  struct crm_errinfo *e);

struct crm_store_writer *crm_storefile_writer(struct crm_storefile *f);
/* The temporary file (remove it if a signal ends the run), or NULL. */
const char *crm_storefile_temp_path(const struct crm_storefile *f);

/* Finish the store (last chunk, END block, fsync); nothing visible yet for -o. */
enum crm_err crm_storefile_finish(struct crm_storefile *f, struct crm_errinfo *e);
/* Make a finished store visible (rename under the lock) and release the lock. Frees f. */
enum crm_err crm_storefile_commit(struct crm_storefile *f, struct crm_errinfo *e);
/* Drop everything not committed; the store at the path is left as it was. NULL: no-op. */
void crm_storefile_abort(struct crm_storefile *f);

/* CRM_OK when zone names a real time zone: "UTC", or a TZif file under the zone
 * directory ($TZDIR or /usr/share/zoneinfo). A directory ("Asia"), any other file, an
 * absolute name or one with a ".." component is CRM_EUSAGE naming the zone. */
enum crm_err crm_store_zone_check(const char *zone, struct crm_errinfo *e);

/* Today's day number (days since 1970-01-01) in zone ("": the process's TZ). */
int32_t crm_store_zone_today(const char *zone);

#endif
