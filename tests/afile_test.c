/* Tests for lib/afile: an output file appears whole or not at all, a failed run leaves the
 * previous file and no temporary behind, and a device or FIFO is written in place, never
 * replaced by a regular file. */
#define _GNU_SOURCE   /* F_GETPIPE_SZ, F_SETPIPE_SZ */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "base/afile.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/crm-afile-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_file(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, text);
}

static void test_afile_commit_replaces_the_file_whole(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    put_file(path, "old\n");
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_OK);
    assert_int_equal(write(crm_afile_fd(a), "new\n", 4), 4);
    assert_file(path, "old\n");               /* nothing visible before the commit */
    assert_int_equal(entries(), 2);
    assert_int_equal(crm_afile_commit(a, &e), CRM_OK);
    assert_file(path, "new\n");
    assert_int_equal(entries(), 1);
    unlink(path);
}

static void test_afile_abort_leaves_the_previous_file_and_no_temporary(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    put_file(path, "old\n");
    chmod(path, 0640);
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_OK);
    struct stat st;
    assert_int_equal(stat(crm_afile_temp_path(a), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);   /* the target's mode is kept */
    assert_int_equal(write(crm_afile_fd(a), "half", 4), 4);
    crm_afile_abort(a);
    assert_file(path, "old\n");
    assert_int_equal(entries(), 1);
    unlink(path);
}

/* Found by the fault tests: `-o /dev/full` (or /dev/null) renamed a regular file over the
 * device. A FIFO shows it without privileges: it must still be a FIFO and get the bytes. */
static void test_afile_writes_through_to_a_fifo(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/pipe", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {          /* the reader: report what arrived through the FIFO */
        alarm(10);           /* never outlive a failed test */
        char buf[64];
        int fd = open(path, O_RDONLY);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
        if (n > 0 && write(fds[1], buf, (size_t)n) != n)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_OK);
    int direct = crm_afile_temp_path(a) == NULL;
    assert_int_equal(write(crm_afile_fd(a), "through\n", 8), 8);
    assert_int_equal(crm_afile_commit(a, &e), CRM_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    if (!direct || !S_ISFIFO(st.st_mode)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("the FIFO was replaced by a regular file");
    }
    char got[64] = "";
    ssize_t n = read(fds[0], got, sizeof got - 1);
    assert_int_equal(n, 8);
    assert_memory_equal(got, "through\n", 8);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(entries(), 1);
    unlink(path);
}

static void test_afile_a_full_device_stays_a_device_and_reports_the_error(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/full", dir);
    if (mknod(path, S_IFCHR | 0600, makedev(1, 7)) != 0) {   /* a /dev/full of our own */
        print_message("skipped: mknod needs privileges (%s)\n", strerror(errno));
        skip();
    }
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_OK);
    assert_int_equal(write(crm_afile_fd(a), "x", 1), -1);
    assert_int_equal(errno, ENOSPC);
    crm_afile_abort(a);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(entries(), 1);
    unlink(path);
}

static void test_afile_missing_directory_is_a_clear_error(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/no/such/dir/out.csv", dir);
    struct crm_afile *a;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_EIO);
    assert_string_equal(e.file, path);
    assert_non_null(strstr(e.msg, "No such file or directory"));
}


/* §13.3: a symlink is written through: the target gets the new content, the link stays. */
static void test_afile_symlink_is_written_through_never_replaced(void **state)
{
    (void)state;
    int base = entries();
    char target[128], link_[128], dangling[128], made[128];
    snprintf(target, sizeof target, "%s/real.csv", dir);
    snprintf(link_, sizeof link_, "%s/link.csv", dir);
    snprintf(dangling, sizeof dangling, "%s/dangling.csv", dir);
    snprintf(made, sizeof made, "%s/made.csv", dir);
    put_file(target, "old\n");
    assert_int_equal(symlink("real.csv", link_), 0);         /* relative link */
    assert_int_equal(symlink(made, dangling), 0);            /* target not there yet */
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(link_, &a, &e), CRM_OK);
    assert_string_equal(crm_afile_target(a), target);
    assert_int_equal(write(crm_afile_fd(a), "new\n", 4), 4);
    assert_int_equal(crm_afile_commit(a, &e), CRM_OK);
    struct stat st;
    assert_int_equal(lstat(link_, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file(target, "new\n");
    assert_int_equal(crm_afile_open(dangling, &a, &e), CRM_OK);
    assert_int_equal(write(crm_afile_fd(a), "x\n", 2), 2);
    assert_int_equal(crm_afile_commit(a, &e), CRM_OK);
    assert_int_equal(lstat(dangling, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_file(made, "x\n");
    assert_int_equal(entries(), base + 4);                         /* no temporary left */
}

/* /dev/fd/N is a copy of descriptor N: its append mode and offset are kept, so a log
 * opened with >> is appended to, never truncated or replaced. */
static void test_afile_dev_fd_writes_to_the_descriptor(void **state)
{
    (void)state;
    int base = entries();
    char log[128], name[64];
    snprintf(log, sizeof log, "%s/cron.log", dir);
    put_file(log, "night 1\n");
    int fd = open(log, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    snprintf(name, sizeof name, "/dev/fd/%d", fd);
    struct crm_afile *a;
    struct crm_errinfo e;
    assert_int_equal(crm_afile_open(name, &a, &e), CRM_OK);
    assert_null(crm_afile_temp_path(a));
    assert_int_equal(write(crm_afile_fd(a), "night 2\n", 8), 8);
    assert_int_equal(crm_afile_commit(a, &e), CRM_OK);
    assert_int_equal(write(fd, "night 3\n", 8), 8);
    close(fd);
    assert_file(log, "night 1\nnight 2\nnight 3\n");
    assert_int_equal(entries(), base + 1);
    snprintf(name, sizeof name, "/dev/fd/%d", 987);          /* not open */
    crm_errinfo_clear(&e);
    assert_int_equal(crm_afile_open(name, &a, &e), CRM_EIO);
    assert_non_null(strstr(e.msg, "Bad file descriptor"));
}

/* §13.3: the same file (device and inode, links followed, hard links included) as an input
 * or another output is refused before anything is written. */
static void test_afile_guard_refuses_the_same_file_twice(void **state)
{
    (void)state;
    int base = entries();
    char in[128], link_[128], hard[128], out[128];
    snprintf(in, sizeof in, "%s/in.csv", dir);
    snprintf(link_, sizeof link_, "%s/in-link.csv", dir);
    snprintf(hard, sizeof hard, "%s/in-hard.csv", dir);
    snprintf(out, sizeof out, "%s/new.csv", dir);
    put_file(in, "data\n");
    assert_int_equal(symlink(in, link_), 0);
    assert_int_equal(link(in, hard), 0);
    struct crm_afile *a;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    crm_afile_guard(1);
    assert_int_equal(crm_afile_claim_input(in, "input", &e), CRM_OK);
    assert_int_equal(crm_afile_claim_input(hard, "input", &e), CRM_OK);  /* read twice: fine */
    assert_int_equal(crm_afile_claim_input("-", "input", &e), CRM_OK);
    assert_int_equal(crm_afile_claim("/dev/null", "--rejects", &e), CRM_OK);
    assert_int_equal(crm_afile_claim("/dev/null", "-o", &e), CRM_OK);  /* devices shared */
    assert_int_equal(crm_afile_claim(hard, "--rejects", &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "--rejects"));
    assert_non_null(strstr(e.msg, "the same file as input"));
    assert_int_equal(crm_afile_open(link_, &a, &e), CRM_EUSAGE);
    assert_int_equal(crm_afile_claim(out, "-o", &e), CRM_OK);     /* not there yet */
    assert_int_equal(crm_afile_open(out, &a, &e), CRM_OK);        /* its own claim */
    crm_afile_abort(a);
    assert_int_equal(crm_afile_open(out, &a, &e), CRM_EUSAGE);    /* a second output */
    assert_int_equal(crm_afile_open_flags(out, CRM_AFILE_UNGUARDED, &a, &e), CRM_OK);
    crm_afile_abort(a);
    crm_afile_guard(0);
    assert_int_equal(crm_afile_open(out, &a, &e), CRM_OK);        /* guard off */
    crm_afile_abort(a);
    assert_file(in, "data\n");
    assert_int_equal(entries(), base + 3);
    assert_true(crm_afile_same_file(link_, hard));
    assert_false(crm_afile_same_file(in, out));
}

/* commit_new links the file into place only when nothing is there. */
static void test_afile_commit_new_never_replaces(void **state)
{
    (void)state;
    int base = entries();
    char path[128];
    snprintf(path, sizeof path, "%s/store", dir);
    struct crm_afile *a, *b;
    struct crm_errinfo e;
    int exists;
    assert_int_equal(crm_afile_open(path, &a, &e), CRM_OK);
    assert_int_equal(crm_afile_open(path, &b, &e), CRM_OK);
    assert_int_equal(write(crm_afile_fd(a), "a", 1), 1);
    assert_int_equal(write(crm_afile_fd(b), "b", 1), 1);
    assert_int_equal(crm_afile_commit_new(a, &exists, &e), CRM_OK);
    assert_int_equal(exists, 0);
    assert_int_equal(crm_afile_commit_new(b, &exists, &e), CRM_OK);
    assert_int_equal(exists, 1);
    assert_file(path, "a");
    crm_afile_abort(b);
    assert_int_equal(entries(), base + 1);
}

/* The write-behind hint waits for CRM_AFILE_BEHIND bytes, then covers everything written
 * since the last one; on a pipe it is harmless (the hint fails quietly). */
static void test_afile_write_behind_steps(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/wb", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    long long from = 0;
    crm_afile_write_behind(fd, &from, CRM_AFILE_BEHIND - 1);
    assert_int_equal(from, 0);                        /* not yet */
    crm_afile_write_behind(fd, &from, CRM_AFILE_BEHIND);
    assert_int_equal(from, CRM_AFILE_BEHIND);         /* [0, BEHIND) sent */
    crm_afile_write_behind(fd, &from, 2 * CRM_AFILE_BEHIND - 1);
    assert_int_equal(from, CRM_AFILE_BEHIND);
    crm_afile_write_behind(fd, &from, 3 * CRM_AFILE_BEHIND);
    assert_int_equal(from, 3 * CRM_AFILE_BEHIND);
    close(fd);
    int p[2];
    assert_int_equal(pipe(p), 0);
    from = 0;
    crm_afile_write_behind(p[1], &from, CRM_AFILE_BEHIND);
    assert_int_equal(from, CRM_AFILE_BEHIND);
    close(p[0]);
    close(p[1]);
}

/* The size a pipe may be given here: /proc/sys/fs/pipe-max-size. */
static long pipe_max(void)
{
    FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
    long max = 0;
    if (f) {
        if (fscanf(f, "%ld", &max) != 1)
            max = 0;
        fclose(f);
    }
    return max;
}

static void test_afile_widen_pipe_to_a_chunk_never_narrower(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int before = fcntl(p[1], F_GETPIPE_SZ);
    assert_int_equal(crm_afile_widen_pipe(p[1], 4096), (size_t)before);   /* never narrowed */
    assert_int_equal(fcntl(p[1], F_GETPIPE_SZ), before);
    size_t got = crm_afile_widen_pipe(p[1], CRM_AFILE_PIPE);
    assert_int_equal(got, (size_t)fcntl(p[0], F_GETPIPE_SZ));   /* what the pipe now holds */
    if (pipe_max() >= (long)CRM_AFILE_PIPE)
        assert_int_equal(got, CRM_AFILE_PIPE);
    else
        assert_int_equal(got, (size_t)before);                    /* refused: unchanged */
    /* wider already (where this may be set: root's CAP_SYS_RESOURCE): kept */
    if (fcntl(p[1], F_SETPIPE_SZ, 2 * (int)CRM_AFILE_PIPE) == 2 * (int)CRM_AFILE_PIPE) {
        assert_int_equal(crm_afile_widen_pipe(p[1], CRM_AFILE_PIPE), 2 * CRM_AFILE_PIPE);
        assert_int_equal(fcntl(p[1], F_GETPIPE_SZ), 2 * (int)CRM_AFILE_PIPE);
    }
    close(p[0]);
    close(p[1]);
    char path[128];                                               /* not a pipe: 0 */
    snprintf(path, sizeof path, "%s/plain", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(crm_afile_widen_pipe(fd, CRM_AFILE_PIPE), 0);
    close(fd);
    assert_int_equal(crm_afile_widen_pipe(-1, CRM_AFILE_PIPE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_afile_commit_replaces_the_file_whole),
        cmocka_unit_test(test_afile_abort_leaves_the_previous_file_and_no_temporary),
        cmocka_unit_test(test_afile_writes_through_to_a_fifo),
        cmocka_unit_test(test_afile_a_full_device_stays_a_device_and_reports_the_error),
        cmocka_unit_test(test_afile_missing_directory_is_a_clear_error),
        cmocka_unit_test(test_afile_symlink_is_written_through_never_replaced),
        cmocka_unit_test(test_afile_dev_fd_writes_to_the_descriptor),
        cmocka_unit_test(test_afile_guard_refuses_the_same_file_twice),
        cmocka_unit_test(test_afile_commit_new_never_replaces),
        cmocka_unit_test(test_afile_write_behind_steps),
        cmocka_unit_test(test_afile_widen_pipe_to_a_chunk_never_narrower),
    };
    return cmocka_run_group_tests_name("afile", tests, setup, teardown);
}
