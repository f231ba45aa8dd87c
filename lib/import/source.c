/* source: store or order file → store reader (see source.h). */
#include "import/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum crm_err import_to_scratch(int fd, const char *name, const unsigned char *head,
                                      size_t head_len, struct crm_store **out,
                                      struct crm_source_info *info, struct crm_errinfo *e)
{
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/crmkit-XXXXXX", dir && *dir ? dir : "/tmp");
    int sfd = mkstemp(tmp);
    if (sfd < 0) {
        crm_errinfo_where(e, tmp, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot create a scratch store: %s", strerror(errno));
    }
    unlink(tmp);
    /* Write errors name the scratch file, not the input: "orders.csv: write failed: No
     * space left" sent users looking at the wrong disk. */
    char wname[sizeof tmp + 32];
    snprintf(wname, sizeof wname, "%s (scratch store)", tmp);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w = NULL;
    struct crm_import *imp = NULL;
    struct crm_import_opts o = {.max_reject_rate = 0.01, .on_the_fly = 1};
    enum crm_err rc = crm_store_writer_new(sfd, wname, &meta,
                                           CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC, &w, e);
    if (rc == CRM_OK)
        rc = crm_import_new(&o, &w, 1, NULL, &imp, e);
    if (rc == CRM_OK)
        rc = crm_import_fd(imp, fd, name, head, head_len, e);
    if (rc == CRM_OK)
        rc = crm_import_finish(imp, e);
    if (imp) {
        info->import = *crm_import_stats(imp);
        snprintf(info->encoding, sizeof info->encoding, "%s", crm_import_last_encoding(imp));
    }
    if (rc == CRM_OK)
        rc = crm_store_writer_finish(w, e);
    crm_import_free(imp);
    crm_store_writer_free(w);
    if (rc == CRM_OK && lseek(sfd, 0, SEEK_SET) != 0)
        rc = crm_errinfo_set(e, CRM_EIO, "cannot rewind the scratch store: %s", strerror(errno));
    if (rc == CRM_OK)
        rc = crm_store_open_fd(sfd, name, NULL, 0, out, e);
    if (rc != CRM_OK) {
        close(sfd);
        return rc;
    }
    crm_store_adopt_fd(*out);
    return CRM_OK;
}

enum crm_err crm_source_open(const char *path, struct crm_store **out,
                             struct crm_source_info *info, struct crm_errinfo *e)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    int is_stdin = !path || strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;
    int fd = is_stdin ? 0 : open(path, O_RDONLY);
    if (fd < 0) {
        crm_errinfo_where(e, path, -1, -1, -1);
        return crm_errinfo_set(e, CRM_EIO, "cannot open: %s", strerror(errno));
    }
    unsigned char head[8];
    size_t n = 0;
    while (n < sizeof head) {
        ssize_t k = read(fd, head + n, sizeof head - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int err = errno;
            if (!is_stdin)
                close(fd);
            crm_errinfo_where(e, name, -1, -1, -1);
            return crm_errinfo_set(e, CRM_EIO, "read failed: %s", strerror(err));
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    enum crm_err rc;
    if (crm_store_is_store(head, n)) {
        /* The reader needs `head` only while it reads the header, done inside open. */
        rc = crm_store_open_fd(fd, name, head, n, out, e);
        if (rc == CRM_OK && !is_stdin)
            crm_store_adopt_fd(*out);
    } else {
        info->imported = 1;
        rc = import_to_scratch(fd, name, head, n, out, info, e);
    }
    if (rc != CRM_OK && !is_stdin)
        close(fd);
    else if (info->imported && !is_stdin)
        close(fd);
    return rc;
}
