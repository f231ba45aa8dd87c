/* afile: write-to-temporary-then-rename output files, written through links, direct to
 * devices, and the same-file guard (see afile.h). Invariant: the only file a commit
 * replaces is the regular file (or new name) at the end of the path's links. */
#define _GNU_SOURCE   /* sync_file_range, F_SETPIPE_SZ */
#include "base/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct crm_afile {
    int fd;
    char *path;    /* as given */
    char *target;  /* links followed */
    char *temp;    /* NULL: written directly */
};

/* ---- following links ---- */

/* The descriptor a /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N path names, or
 * -1 when the path is not one of those. */
static int fd_path(const char *p)
{
    if (strcmp(p, "/dev/stdout") == 0)
        return 1;
    if (strcmp(p, "/dev/stderr") == 0)
        return 2;
    const char *num = strncmp(p, "/dev/fd/", 8) == 0 ? p + 8
                      : strncmp(p, "/proc/self/fd/", 14) == 0 ? p + 14 : NULL;
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long n = strtol(num, &end, 10);
    return *end || n > INT_MAX ? -1 : (int)n;
}

/* `link` read from a link at `at`: absolute as it is, else relative to at's directory. */
static char *join_link(const char *at, const char *link)
{
    if (link[0] == '/')
        return strdup(link);
    const char *slash = strrchr(at, '/');
    size_t dl = slash ? (size_t)(slash - at) + 1 : 0, n = dl + strlen(link) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%.*s%s", (int)dl, at, link);
    return p;
}

/* Follow `path`'s links to the file they end at (which may not exist yet). Sets *fdn to
 * the descriptor when a step is a /dev/fd-style name (then the result is that name).
 * NULL with errno set on failure (ELOOP after 40 links). */
static char *follow(const char *path, int *fdn)
{
    char *p = strdup(path);
    for (int hops = 0; p; hops++) {
        if ((*fdn = fd_path(p)) >= 0)
            return p;
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
            return p;
        if (hops == 40) {
            free(p);
            errno = ELOOP;
            return NULL;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n < 0) {
            free(p);
            return NULL;
        }
        link[n] = '\0';
        char *next = join_link(p, link);
        free(p);
        p = next;
    }
    errno = ENOMEM;
    return NULL;
}

/* ---- identity of a file ---- */

struct fid {
    int known;            /* 0: not a file to compare (stdin, a device, a FIFO) */
    int exists;
    dev_t dev, ddev;
    ino_t ino, dino;
    char name[256];       /* last component of the target */
};

static void fid_of(const char *path, struct fid *f)
{
    memset(f, 0, sizeof *f);
    if (!path || !*path || strcmp(path, "-") == 0)
        return;
    int fdn;
    char *t = follow(path, &fdn);
    if (!t)
        return;
    struct stat st;
    int there = fdn >= 0 ? fstat(fdn, &st) == 0 : stat(t, &st) == 0;
    if (there && !S_ISREG(st.st_mode)) {
        free(t);
        return;
    }
    f->known = 1;
    if (there) {
        f->exists = 1;
        f->dev = st.st_dev;
        f->ino = st.st_ino;
    }
    if (fdn < 0) {
        char *slash = strrchr(t, '/');
        const char *base = slash ? slash + 1 : t;
        snprintf(f->name, sizeof f->name, "%s", base);
        if (slash == t)
            t[1] = '\0';
        else if (slash)
            *slash = '\0';
        if (stat(slash ? t : ".", &st) == 0) {
            f->ddev = st.st_dev;
            f->dino = st.st_ino;
        } else {
            f->name[0] = '\0';
        }
    }
    free(t);
}

static int fid_same(const struct fid *a, const struct fid *b)
{
    if (!a->known || !b->known)
        return 0;
    if (a->exists && b->exists)
        return a->dev == b->dev && a->ino == b->ino;
    return a->name[0] && b->name[0] && a->ddev == b->ddev && a->dino == b->dino &&
           strcmp(a->name, b->name) == 0;
}

int crm_afile_same_file(const char *a, const char *b)
{
    struct fid fa, fb;
    fid_of(a, &fa);
    fid_of(b, &fb);
    return fa.exists && fb.exists && fid_same(&fa, &fb);
}

/* ---- the guard: claims of one command (the main thread's) ---- */

struct claim {
    struct fid id;
    char what[32];
    char path[224];
    int output;           /* written (else only read) */
    int opened;           /* an output already opened by crm_afile_open */
};

static struct {
    int on;
    struct claim *c;
    size_t n, cap;
} guard;

void crm_afile_guard(int on)
{
    free(guard.c);
    guard.c = NULL;
    guard.n = guard.cap = 0;
    guard.on = on;
}

static enum crm_err refuse(const struct claim *c, const char *what, const char *path,
                           struct crm_errinfo *e)
{
    crm_errinfo_where(e, path, -1, -1, -1);
    return crm_errinfo_set(e, CRM_EUSAGE, "%s %s is the same file as %s %s; nothing was "
                           "written (give %s another path)", what, path, c->what, c->path,
                           what);
}

static enum crm_err add_claim(const struct fid *id, const char *what, const char *path,
                              int output, int opened, struct crm_errinfo *e)
{
    if (guard.n == guard.cap) {
        size_t cap = guard.cap ? guard.cap * 2 : 16;
        struct claim *c = realloc(guard.c, cap * sizeof *c);
        if (!c)
            return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
        guard.c = c;
        guard.cap = cap;
    }
    struct claim *c = &guard.c[guard.n++];
    c->id = *id;
    c->output = output;
    c->opened = opened;
    snprintf(c->what, sizeof c->what, "%s", what);
    snprintf(c->path, sizeof c->path, "%s", path);
    return CRM_OK;
}

static enum crm_err claim(const char *path, const char *what, int output,
                          struct crm_errinfo *e)
{
    struct fid id;
    if (!guard.on)
        return CRM_OK;
    fid_of(path, &id);
    if (!id.known)
        return CRM_OK;
    for (size_t i = 0; i < guard.n; i++)
        if ((output || guard.c[i].output) && fid_same(&guard.c[i].id, &id))
            return refuse(&guard.c[i], what, path, e);
    return add_claim(&id, what, path, output, 0, e);
}

enum crm_err crm_afile_claim(const char *path, const char *what, struct crm_errinfo *e)
{
    return claim(path, what, 1, e);
}

enum crm_err crm_afile_claim_input(const char *path, const char *what, struct crm_errinfo *e)
{
    return claim(path, what, 0, e);
}

/* An output being opened: refused when an input or an opened output holds its file; an
 * output claimed ahead (with crm_afile_claim) is marked opened. */
static enum crm_err guard_open(const char *path, struct crm_errinfo *e)
{
    struct fid id;
    if (!guard.on)
        return CRM_OK;
    fid_of(path, &id);
    if (!id.known)
        return CRM_OK;
    struct claim *mine = NULL;
    for (size_t i = 0; i < guard.n; i++) {
        struct claim *c = &guard.c[i];
        if (!fid_same(&c->id, &id))
            continue;
        if (!mine && c->output && !c->opened)
            mine = c;                  /* its own claim, made ahead */
        else
            return refuse(c, "output", path, e);
    }
    if (mine) {
        mine->opened = 1;
        return CRM_OK;
    }
    return add_claim(&id, "output", path, 1, 1, e);
}

/* ---- opening ---- */

static enum crm_err open_fail(struct crm_afile *a, const char *path, const char *what, int err,
                              struct crm_errinfo *e)
{
    crm_errinfo_where(e, path, -1, -1, -1);
    crm_errinfo_set(e, CRM_EIO, "%s: %s", what, strerror(err));
    crm_afile_abort(a);
    return CRM_EIO;
}

/* Written directly: a copy of descriptor fdn, or the device or FIFO at a->target. */
static enum crm_err open_direct(struct crm_afile *a, int fdn, struct crm_errinfo *e)
{
    a->fd = fdn >= 0 ? fcntl(fdn, F_DUPFD_CLOEXEC, 3)
                     : open(a->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (a->fd < 0)
        return open_fail(a, a->path, "cannot open output", errno, e);
    return CRM_OK;
}

static enum crm_err open_temp(struct crm_afile *a, struct crm_errinfo *e)
{
    size_t n = strlen(a->target) + 16;
    if (!(a->temp = malloc(n))) {
        crm_afile_abort(a);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    snprintf(a->temp, n, "%s.tmp-XXXXXX", a->target);
    a->fd = mkstemp(a->temp);
    if (a->fd < 0) {
        free(a->temp);
        a->temp = NULL;
        return open_fail(a, a->path, "cannot create output", errno, e);
    }
    (void)fcntl(a->fd, F_SETFD, FD_CLOEXEC);
    struct stat st;
    mode_t mode;
    if (stat(a->target, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(a->fd, mode);
    return CRM_OK;
}

enum crm_err crm_afile_open_flags(const char *path, unsigned flags, struct crm_afile **out,
                                  struct crm_errinfo *e)
{
    *out = NULL;
    if (!(flags & CRM_AFILE_UNGUARDED)) {
        enum crm_err rc = guard_open(path, e);
        if (rc != CRM_OK)
            return rc;
    }
    struct crm_afile *a = calloc(1, sizeof *a);
    if (a)
        a->fd = -1;
    if (!a || !(a->path = strdup(path))) {
        crm_afile_abort(a);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    int fdn;
    if (!(a->target = follow(path, &fdn)))
        return open_fail(a, path, "cannot follow the output's links", errno, e);
    struct stat st;
    enum crm_err rc;
    if (fdn >= 0 || (stat(a->target, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
        rc = open_direct(a, fdn, e);
    else if (stat(a->target, &st) == 0 && S_ISDIR(st.st_mode))
        rc = open_fail(a, path, "cannot write output", EISDIR, e);
    else
        rc = open_temp(a, e);
    if (rc == CRM_OK)
        *out = a;
    return rc;
}

enum crm_err crm_afile_open(const char *path, struct crm_afile **out, struct crm_errinfo *e)
{
    return crm_afile_open_flags(path, 0, out, e);
}

int crm_afile_fd(const struct crm_afile *a)
{
    return a->fd;
}

const char *crm_afile_path(const struct crm_afile *a)
{
    return a->path;
}

const char *crm_afile_target(const struct crm_afile *a)
{
    return a->target;
}

const char *crm_afile_temp_path(const struct crm_afile *a)
{
    return a->temp;
}

/* ---- committing ---- */

static void sync_dir(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static void afile_free(struct crm_afile *a)
{
    free(a->temp);
    free(a->target);
    free(a->path);
    free(a);
}

static enum crm_err commit_fail(struct crm_afile *a, const char *what, int err,
                                struct crm_errinfo *e)
{
    crm_errinfo_where(e, a->path, -1, -1, -1);
    crm_errinfo_set(e, CRM_EIO, "%s failed: %s; previous file left untouched", what,
                    strerror(err));
    crm_afile_abort(a);
    return CRM_EIO;
}

void crm_afile_write_behind(int fd, long long *from, long long to)
{
    if (to - *from < CRM_AFILE_BEHIND)
        return;
#ifdef SYNC_FILE_RANGE_WRITE
    /* a hint: a failure (not a regular file, an old kernel) shows at the commit's fsync */
    (void)sync_file_range(fd, (off_t)*from, (off_t)(to - *from), SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
    *from = to;
}

size_t crm_afile_widen_pipe(int fd, size_t bytes)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
        return 0;
#if defined(F_GETPIPE_SZ) && defined(F_SETPIPE_SZ)
    int now = fcntl(fd, F_GETPIPE_SZ);
    if (now < 0)
        return 0;
    if ((size_t)now < bytes && bytes <= INT_MAX) {
        /* EPERM past pipe-max-size for a user, EBUSY when the data would not fit: the
         * pipe keeps its size */
        int got = fcntl(fd, F_SETPIPE_SZ, (int)bytes);
        if (got > now)
            now = got;
    }
    return (size_t)now;
#else
    (void)bytes;
    return 0;
#endif
}

/* fsync and close; the name of what failed, or NULL. */
static const char *flush_close(struct crm_afile *a, int *err)
{
    const char *what = NULL;
    if (fsync(a->fd) != 0 && errno != EINVAL && errno != EROFS) {
        what = "fsync";
        *err = errno;
    }
    if (close(a->fd) != 0 && !what) {
        what = "close";
        *err = errno;
    }
    a->fd = -1;
    return what;
}

enum crm_err crm_afile_commit(struct crm_afile *a, struct crm_errinfo *e)
{
    int err = 0;
    const char *what = a->fd >= 0 ? flush_close(a, &err) : NULL;
    if (!what && a->temp && rename(a->temp, a->target) != 0) {
        what = "rename";
        err = errno;
    }
    if (what)
        return commit_fail(a, what, err, e);
    if (a->temp)
        sync_dir(a->target);
    afile_free(a);
    return CRM_OK;
}

enum crm_err crm_afile_commit_new(struct crm_afile *a, int *exists, struct crm_errinfo *e)
{
    *exists = 0;
    if (!a->temp)
        return crm_afile_commit(a, e);
    int err = 0;
    const char *what = a->fd >= 0 ? flush_close(a, &err) : NULL;
    if (what)
        return commit_fail(a, what, err, e);
    if (link(a->temp, a->target) != 0) {
        if (errno == EEXIST) {
            *exists = 1;       /* kept: the caller may still commit over it, or abort */
            return CRM_OK;
        }
        return commit_fail(a, "link", errno, e);
    }
    (void)unlink(a->temp);
    sync_dir(a->target);
    afile_free(a);
    return CRM_OK;
}

void crm_afile_abort(struct crm_afile *a)
{
    if (!a)
        return;
    if (a->fd >= 0)
        close(a->fd);
    if (a->temp)
        unlink(a->temp);
    afile_free(a);
}
