/* afile: atomic output files. Output goes to a temporary file beside the file the path
 * names (after following symbolic links: the link itself is never replaced) and is renamed
 * onto it only on commit, after fsync: a reader (a cron job, a spreadsheet) sees the old
 * file or the complete new one, never half a file. /dev/stdout, /dev/stderr, /dev/fd/N
 * (a copy of that descriptor, sharing its offset and append mode), FIFOs and character
 * or block devices are written directly: there is no file to replace, and a device must
 * never be renamed over.
 * Same-file guard (opt-in per process, crm_afile_guard): every path a command reads or
 * writes is claimed with what it is for; a claim, or an open, of a regular file (device and
 * inode after following links; for a file not there yet, its directory and name) that an
 * earlier claim already holds is a usage error, before anything is written. */
#ifndef CRM_AFILE_H
#define CRM_AFILE_H

#include <stddef.h>

#include "base/err.h"

struct crm_afile;

/* Create the temporary file for `path`. Its mode is the target's when the target exists,
 * else 0666 & ~umask. With the guard on, a target claimed as an input or already opened as
 * an output is CRM_EUSAGE. */
enum crm_err crm_afile_open(const char *path, struct crm_afile **out, struct crm_errinfo *e);

/* Flags for crm_afile_open_flags. */
#define CRM_AFILE_UNGUARDED 1u  /* skip the same-file guard (a file the caller itself
                                   claimed, e.g. the store an append creates) */
enum crm_err crm_afile_open_flags(const char *path, unsigned flags, struct crm_afile **out,
                                  struct crm_errinfo *e);

int crm_afile_fd(const struct crm_afile *a);

/* For a writer of a temporary file that its commit will fsync: once `to` bytes are written
 * and at least CRM_AFILE_BEHIND of them since *from, start writing bytes [*from, to) back to
 * the disk without waiting (Linux sync_file_range; elsewhere nothing), and set *from = to,
 * so that the commit's fsync waits for the last few megabytes, not the whole file. */
#define CRM_AFILE_BEHIND ((long long)8 << 20)
void crm_afile_write_behind(int fd, long long *from, long long to);
/* For a writer of a pipe: widen the pipe's buffer to at least `bytes` (Linux F_SETPIPE_SZ,
 * within /proc/sys/fs/pipe-max-size; never narrowed), so that a writer can leave a whole
 * block in it while the reader is still busy with the one before. Returns the buffer's size
 * after, or 0 when fd is not a pipe or the size cannot be known (a hint: nothing fails). */
#define CRM_AFILE_PIPE ((size_t)1 << 20)
size_t crm_afile_widen_pipe(int fd, size_t bytes);
const char *crm_afile_path(const struct crm_afile *a);       /* as given */
const char *crm_afile_target(const struct crm_afile *a);     /* links followed: the file
                                                                replaced on commit */
const char *crm_afile_temp_path(const struct crm_afile *a);  /* the temporary file, or NULL
                                                               when written directly */

/* fsync, close and rename into place (then fsync the directory). Frees a. */
enum crm_err crm_afile_commit(struct crm_afile *a, struct crm_errinfo *e);

/* Like crm_afile_commit, but only when no file is at the target yet (link, never replace):
 * *exists is set to 1 and a is kept open (nothing committed) when one is. */
enum crm_err crm_afile_commit_new(struct crm_afile *a, int *exists, struct crm_errinfo *e);

/* Close and remove the temporary file; the target is untouched. Frees a; NULL is a no-op. */
void crm_afile_abort(struct crm_afile *a);

/* Turn the same-file guard on (1) or off and forget every claim. */
void crm_afile_guard(int on);

/* Claim `path` as an output (written or changed: "-o", "--rejects", "--append", ...) or
 * an input (only read: "input", "--customers", ...): CRM_EUSAGE naming both uses when an
 * earlier claim names the same regular file and one of the two is an output (an input may
 * be read twice). NULL, "" and "-" are not files; devices and FIFOs may be shared. A no-op
 * with the guard off. */
enum crm_err crm_afile_claim(const char *path, const char *what, struct crm_errinfo *e);
enum crm_err crm_afile_claim_input(const char *path, const char *what, struct crm_errinfo *e);

/* 1 when both paths name the same existing file (device and inode, links followed). */
int crm_afile_same_file(const char *a, const char *b);

#endif
