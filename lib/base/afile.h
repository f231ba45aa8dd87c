/* afile: atomic output files. Output goes to a temporary file in the target's directory
 * and is renamed over the target only on commit, after fsync: a reader (a cron job, a
 * spreadsheet) sees the old file or the complete new one, never half a file. A target that
 * exists and is not a regular file or directory (/dev/null, /dev/full, a FIFO) is written
 * directly: there is no file to replace, and a device must never be renamed over. */
#ifndef CRM_AFILE_H
#define CRM_AFILE_H

#include "base/err.h"

struct crm_afile;

/* Create the temporary file for `path`. Its mode is the target's when the target exists,
 * else 0666 & ~umask. */
enum crm_err crm_afile_open(const char *path, struct crm_afile **out, struct crm_errinfo *e);

int crm_afile_fd(const struct crm_afile *a);
const char *crm_afile_path(const struct crm_afile *a);       /* the target */
const char *crm_afile_temp_path(const struct crm_afile *a);  /* the temporary file, or NULL
                                                               when written directly */

/* fsync, close and rename into place (then fsync the directory). Frees a. */
enum crm_err crm_afile_commit(struct crm_afile *a, struct crm_errinfo *e);

/* Close and remove the temporary file; the target is untouched. Frees a; NULL is a no-op. */
void crm_afile_abort(struct crm_afile *a);

#endif
