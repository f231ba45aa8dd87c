/* Tests for lib/afile: an output file appears whole or not at all, a failed run leaves the
 * previous file and no temporary behind, and a device or FIFO is written in place, never
 * replaced by a regular file. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_afile_commit_replaces_the_file_whole),
        cmocka_unit_test(test_afile_abort_leaves_the_previous_file_and_no_temporary),
        cmocka_unit_test(test_afile_writes_through_to_a_fifo),
        cmocka_unit_test(test_afile_a_full_device_stays_a_device_and_reports_the_error),
        cmocka_unit_test(test_afile_missing_directory_is_a_clear_error),
    };
    return cmocka_run_group_tests_name("afile", tests, setup, teardown);
}
