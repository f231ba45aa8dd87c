/* storefile: stores on disk shared by concurrent writers (see storefile.h). Invariant: a
 * writer touches the store at a path (appends to it, or renames a new one onto it) only
 * while it holds the flock of the very file the path names at that moment. */
#include "store/storefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "text/timeparse.h"

struct crm_storefile {
    char *path;
    int lock_fd;                  /* the locked store file, -1: none (no store there yet) */
    struct crm_afile *af;         /* -o: the new store's temporary file */
    struct crm_store_writer *w;
    struct crm_storefile_opts o;
};

static enum crm_err io_fail(const char *path, const char *what, struct crm_errinfo *e)
{
    int err = errno;
    crm_errinfo_where(e, path, -1, -1, -1);
    return crm_errinfo_set(e, CRM_EIO, "%s: %s", what, strerror(err));
}

/* 1 when fd is still the file at path. */
static int still_there(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Wait for fd's exclusive lock; *tenths counts the tenths of a second waited so far. */
static enum crm_err wait_lock(int fd, const char *path, const struct crm_storefile_opts *o,
                              long *tenths, struct crm_errinfo *e)
{
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return io_fail(path, "cannot lock the store", e);
        if (*tenths == 0 && o->waiting)
            o->waiting(o->ctx, path, o->lock_wait);
        if (*tenths >= o->lock_wait * 10) {
            crm_errinfo_where(e, path, -1, -1, -1);
            return crm_errinfo_set(e, CRM_ELOCKED, "still locked by another writer after "
                                   "%lds; giving up (--lock-wait sets how long to wait)",
                                   o->lock_wait);
        }
        nanosleep(&(struct timespec){0, 100000000}, NULL);
        ++*tenths;
    }
    return CRM_OK;
}

/* Lock the store file at path: *fd is the locked file, or -1 when no file is there. A file
 * replaced while we waited is let go and the one now at the path locked instead. */
static enum crm_err lock_at(const char *path, int flags, const struct crm_storefile_opts *o,
                            int *fd, struct crm_errinfo *e)
{
    long tenths = 0;
    for (;;) {
        *fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
        if (*fd < 0)
            return errno == ENOENT ? CRM_OK : io_fail(path, "cannot open the store", e);
        enum crm_err rc = wait_lock(*fd, path, o, &tenths, e);
        if (rc == CRM_OK && still_there(*fd, path))
            return CRM_OK;
        close(*fd);
        *fd = -1;
        if (rc != CRM_OK)
            return rc;
    }
}

static struct crm_storefile *sf_new(const char *path, const struct crm_storefile_opts *o)
{
    struct crm_storefile *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->lock_fd = -1;
    f->o = *o;
    if (!(f->path = strdup(path))) {
        free(f);
        return NULL;
    }
    return f;
}

enum crm_err crm_storefile_create(const char *path, const struct crm_store_meta *meta,
                                  const struct crm_storefile_opts *o,
                                  struct crm_storefile **out, struct crm_errinfo *e)
{
    struct crm_storefile *f = sf_new(path, o);
    *out = NULL;
    if (!f)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    enum crm_err rc = crm_afile_open(path, &f->af, e);
    if (rc == CRM_OK && crm_afile_temp_path(f->af))
        rc = lock_at(crm_afile_target(f->af), O_RDONLY, o, &f->lock_fd, e);
    if (rc == CRM_OK)
        rc = crm_store_writer_new(crm_afile_fd(f->af), path, meta, o->writer_flags, &f->w, e);
    if (rc != CRM_OK) {
        crm_storefile_abort(f);
        return rc;
    }
    *out = f;
    return CRM_OK;
}

/* An empty store at path, linked into place only when none is there (another writer may
 * have made one meanwhile: then that one is used). */
static enum crm_err create_empty(const char *path, const struct crm_store_meta *meta,
                                 unsigned flags, int *created, struct crm_errinfo *e)
{
    struct crm_afile *af;
    struct crm_store_writer *w;
    int exists = 0;
    enum crm_err rc = crm_afile_open_flags(path, CRM_AFILE_UNGUARDED, &af, e);
    if (rc != CRM_OK)
        return rc;
    if (!crm_afile_temp_path(af)) {
        crm_afile_abort(af);
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EUSAGE, "--append needs a store file, not a device");
    }
    rc = crm_store_writer_new(crm_afile_fd(af), path, meta, flags, &w, e);
    if (rc == CRM_OK) {
        rc = crm_store_writer_finish(w, e);
        crm_store_writer_free(w);
    }
    if (rc == CRM_OK)
        rc = crm_afile_commit_new(af, &exists, e);
    else
        crm_afile_abort(af);
    if (rc == CRM_OK && exists)
        crm_afile_abort(af);
    if (rc == CRM_OK && !exists)
        *created = 1;
    return rc;
}

static enum crm_err check_zone_match(const struct crm_storefile *f,
                                     const struct crm_store_meta *meta, struct crm_errinfo *e)
{
    const char *tz = crm_store_writer_meta(f->w)->tz;
    if (!meta->tz[0] || strcmp(meta->tz, tz) == 0)
        return CRM_OK;
    crm_errinfo_where(e, f->path, -1, -1, -1);
    return crm_errinfo_set(e, CRM_EUSAGE, "--tz %s: the store keeps its times in %s%s; leave "
                           "--tz out to use the store's zone", meta->tz,
                           tz[0] ? "time zone " : "", tz[0] ? tz : "no time zone (as written)");
}

enum crm_err crm_storefile_append(const char *path, const struct crm_store_meta *meta,
                                  const struct crm_storefile_opts *o,
                                  struct crm_storefile **out, int *created,
                                  struct crm_errinfo *e)
{
    struct crm_storefile *f = sf_new(path, o);
    *out = NULL;
    *created = 0;
    if (!f)
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    enum crm_err rc;
    for (int tries = 0;; tries++) {
        rc = lock_at(path, O_RDWR, o, &f->lock_fd, e);
        if (rc != CRM_OK || f->lock_fd >= 0)
            break;
        if (tries == 100) {
            crm_errinfo_where(e, path, -1, -1, -1);
            rc = crm_errinfo_set(e, CRM_EIO, "the store keeps disappearing; giving up");
            break;
        }
        if ((rc = create_empty(path, meta, o->create_flags, created, e)) != CRM_OK)
            break;
    }
    struct stat st;
    if (rc == CRM_OK && (fstat(f->lock_fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        crm_errinfo_where(e, path, -1, -1, -1);
        rc = crm_errinfo_set(e, CRM_EUSAGE, "--append needs a store file");
    }
    if (rc == CRM_OK)
        rc = crm_store_writer_append(f->lock_fd, path, o->writer_flags, &f->w, e);
    if (rc == CRM_OK)
        rc = check_zone_match(f, meta, e);
    if (rc != CRM_OK) {
        crm_storefile_abort(f);
        return rc;
    }
    *out = f;
    return CRM_OK;
}

struct crm_store_writer *crm_storefile_writer(struct crm_storefile *f)
{
    return f->w;
}

const char *crm_storefile_temp_path(const struct crm_storefile *f)
{
    return f->af ? crm_afile_temp_path(f->af) : NULL;
}

enum crm_err crm_storefile_finish(struct crm_storefile *f, struct crm_errinfo *e)
{
    return crm_store_writer_finish(f->w, e);
}

/* -o: rename the new store onto the path while holding the lock of the file there. */
static enum crm_err publish(struct crm_storefile *f, struct crm_errinfo *e)
{
    struct crm_afile *af = f->af;
    f->af = NULL;
    if (!crm_afile_temp_path(af) || f->lock_fd >= 0)
        return crm_afile_commit(af, e);
    int exists;
    enum crm_err rc = crm_afile_commit_new(af, &exists, e);
    if (rc != CRM_OK || !exists)
        return rc;
    /* a store appeared meanwhile (an append created it): replace it under its lock */
    rc = lock_at(crm_afile_target(af), O_RDONLY, &f->o, &f->lock_fd, e);
    if (rc != CRM_OK) {
        crm_afile_abort(af);
        return rc;
    }
    return crm_afile_commit(af, e);
}

enum crm_err crm_storefile_commit(struct crm_storefile *f, struct crm_errinfo *e)
{
    enum crm_err rc = f->af ? publish(f, e) : CRM_OK;
    crm_storefile_abort(f);    /* the lock goes only now: after the rename */
    return rc;
}

void crm_storefile_abort(struct crm_storefile *f)
{
    if (!f)
        return;
    crm_store_writer_free(f->w);
    crm_afile_abort(f->af);
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    free(f->path);
    free(f);
}

/* ---- time zones ---- */

static enum crm_err bad_zone(const char *zone, const char *why, struct crm_errinfo *e)
{
    return crm_errinfo_set(e, CRM_EUSAGE, "--tz %s: %s; give a zone name such as "
                           "Asia/Shanghai or Europe/Berlin (see /usr/share/zoneinfo)",
                           zone, why);
}

enum crm_err crm_store_zone_check(const char *zone, struct crm_errinfo *e)
{
    if (strcmp(zone, "UTC") == 0)
        return CRM_OK;
    if (!zone[0] || zone[0] == '/' || strcmp(zone, "..") == 0 || strncmp(zone, "../", 3) == 0 ||
        strstr(zone, "/../") || (strlen(zone) >= 3 && strcmp(zone + strlen(zone) - 3, "/..") == 0))
        return bad_zone(zone, "not a zone name (no absolute path, no ..)", e);
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return bad_zone(zone, "unknown time zone", e);
    struct stat st;
    char magic[4] = "";
    int isdir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    int ok = !isdir && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 &&
             memcmp(magic, "TZif", 4) == 0;
    close(fd);
    if (isdir)
        return bad_zone(zone, "a region, not a zone", e);
    return ok ? CRM_OK : bad_zone(zone, "not a time zone file (TZif)", e);
}

int32_t crm_store_zone_today(const char *zone)
{
    char *old = NULL;
    if (zone && zone[0]) {
        const char *cur = getenv("TZ");
        old = cur ? strdup(cur) : NULL;
        setenv("TZ", zone, 1);
        tzset();
    }
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (zone && zone[0]) {
        if (old)
            setenv("TZ", old, 1);
        else
            unsetenv("TZ");
        tzset();
        free(old);
    }
    return crm_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                               (unsigned)tm.tm_mday);
}
