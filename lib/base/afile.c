/* afile: write-to-temporary-then-rename output files (see afile.h). */
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
    char *path;
    char *temp;
};

/* A target that exists and is not a regular file (/dev/null, /dev/stdout, a FIFO) is
 * written in place: renaming a temporary file over it would replace the device itself. */
static enum crm_err open_special(struct crm_afile *a, struct crm_errinfo *e)
{
    a->fd = open(a->path, O_WRONLY | O_NOCTTY);
    if (a->fd < 0) {
        int err = errno;
        crm_errinfo_where(e, a->path, -1, -1, -1);
        crm_afile_abort(a);
        return crm_errinfo_set(e, CRM_EIO, "cannot open output: %s", strerror(err));
    }
    return CRM_OK;
}

enum crm_err crm_afile_open(const char *path, struct crm_afile **out, struct crm_errinfo *e)
{
    struct crm_afile *a = calloc(1, sizeof *a);
    size_t n = strlen(path);
    *out = NULL;
    if (a)
        a->fd = -1;
    if (!a || !(a->path = strdup(path))) {
        crm_afile_abort(a);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        enum crm_err rc = open_special(a, e);
        if (rc == CRM_OK)
            *out = a;
        return rc;
    }
    if (!(a->temp = malloc(n + 16))) {
        crm_afile_abort(a);
        return crm_errinfo_set(e, CRM_ENOMEM, "out of memory");
    }
    snprintf(a->temp, n + 16, "%s.tmp-XXXXXX", path);
    a->fd = mkstemp(a->temp);
    if (a->fd < 0) {
        int err = errno;
        free(a->temp);
        a->temp = NULL;
        crm_afile_abort(a);
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot create output: %s", strerror(err));
    }
    mode_t mode;
    if (stat(path, &st) == 0) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(a->fd, mode);
    *out = a;
    return CRM_OK;
}

int crm_afile_fd(const struct crm_afile *a)
{
    return a->fd;
}

const char *crm_afile_path(const struct crm_afile *a)
{
    return a->path;
}

const char *crm_afile_temp_path(const struct crm_afile *a)
{
    return a->temp;
}

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
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

enum crm_err crm_afile_commit(struct crm_afile *a, struct crm_errinfo *e)
{
    const char *what = NULL;
    int err = 0;
    if (fsync(a->fd) != 0 && errno != EINVAL && errno != EROFS) {
        what = "fsync";
        err = errno;
    }
    if (close(a->fd) != 0 && !what) {
        what = "close";
        err = errno;
    }
    a->fd = -1;
    if (!what && a->temp && rename(a->temp, a->path) != 0) {
        what = "rename";
        err = errno;
    }
    if (what) {
        crm_errinfo_where(e, a->path, -1, -1, -1);
        crm_errinfo_set(e, CRM_EIO, "%s failed: %s; previous file left untouched", what,
                        strerror(err));
        crm_afile_abort(a);
        return CRM_EIO;
    }
    if (a->temp)
        sync_dir(a->path);
    free(a->temp);
    free(a->path);
    free(a);
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
    free(a->temp);
    free(a->path);
    free(a);
}
