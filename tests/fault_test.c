/* Fault injection against the built tools ($B/bin, B=build by default): full disks, output
 * to /dev/full, kill -9 during --append (at spread-out moments and at exact byte offsets of
 * the growing store), two appends at once, truncated gzip, every byte of a store file
 * flipped, and degenerate inputs (no rows, a header only, a 1 GB line, NUL bytes, mixed line
 * ends). Each test states the guarantee it checks (docs/RELIABILITY.md lists them). */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <zlib.h>

static char dir[64];     /* a fresh directory per test */
static char null_dev[96];

/* Paths in it: the same name gives the same pointer for the whole test. */
static char paths[32][256];
static int npaths;

static double t_setup;
static double now(void);

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/crm-fault-test-XXXXXX");
    npaths = 0;
    t_setup = now();
    if (!mkdtemp(dir))
        return -1;
    /* The tools' stdin and stdout default to a null device of our own when root may make
     * one: on a shared machine a tool without the afile fix, run as root with -o /dev/null,
     * renames a regular file over the real one. */
    snprintf(null_dev, sizeof null_dev, "%s/.null", dir);
    if (mknod(null_dev, S_IFCHR | 0666, makedev(1, 3)) != 0)
        snprintf(null_dev, sizeof null_dev, "/dev/null");
    struct stat st;
    if (stat(null_dev, &st) != 0 || !S_ISCHR(st.st_mode)) {
        fprintf(stderr, "fault_test: %s is not a character device\n", null_dev);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("FAULT_TIMES"))   /* how long each test takes, for keeping `make test` short */
        fprintf(stderr, "  %.2f s\n", now() - t_setup);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}


static const char *in_dir(const char *name)
{
    char want[512];
    snprintf(want, sizeof want, "%s/%s", dir, name);
    for (int i = 0; i < npaths; i++)
        if (strcmp(paths[i], want) == 0)
            return paths[i];
    assert_true(npaths < 32);
    strcpy(paths[npaths], want);
    return paths[npaths++];
}

static const char *tool(const char *name)
{
    static char buf[4][256];
    static int k;
    const char *b = getenv("B");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s/%s", b && *b ? b : "build",
             strcmp(name, "gen") == 0 ? "scripts" : "bin", name);
    return buf[k];
}

/* ---- running a tool ---- */

struct run_opts {
    const char *in;         /* stdin file (default /dev/null) */
    const char *out;        /* stdout file (default /dev/null) */
    int out_append;         /* open stdout with O_APPEND (as `>>`) */
    long long fsize;        /* RLIMIT_FSIZE when > 0 */
    int xfsz_kills;         /* with fsize: SIGXFSZ kills (default: ignored, writes fail) */
};

struct proc {
    pid_t pid;
    char errpath[256];
};

static void spawn(const char *const *argv, const struct run_opts *o, struct proc *p)
{
    static int seq;
    snprintf(p->errpath, sizeof p->errpath, "%s/.stderr-%d", dir, seq++);
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        int in = open(o && o->in ? o->in : null_dev, O_RDONLY);
        int out = o && o->out ? open(o->out, O_WRONLY | O_CREAT |
                                     (o->out_append ? O_APPEND : O_TRUNC), 0644)
                              : open(null_dev, O_WRONLY);
        int err = open(p->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        if (o && o->fsize > 0) {
            struct rlimit rl = {(rlim_t)o->fsize, (rlim_t)o->fsize};
            setrlimit(RLIMIT_FSIZE, &rl);
            signal(SIGXFSZ, o->xfsz_kills ? SIG_DFL : SIG_IGN);
        }
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
}

/* Wait; returns the exit status, or 128 + signal. */
static int finish(struct proc *p, struct rusage *ru)
{
    int st;
    struct rusage tmp;
    assert_int_equal(wait4(p->pid, &st, 0, ru ? ru : &tmp), p->pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return b;
}

/* Run to the end; *err gets stderr (caller frees). */
static int run(const char *const *argv, const struct run_opts *o, char **err)
{
    struct proc p;
    spawn(argv, o, &p);
    int rc = finish(&p, NULL);
    char *e = slurp(p.errpath, NULL);
    unlink(p.errpath);
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}

static void assert_matches(const char *text, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    if (!ok)
        fail_msg("stderr \"%s\" does not match /%s/", text, pattern);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries of the test directory that are not ours (temporary files left behind). */
static int stray_files(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)))
        n += strstr(de->d_name, ".tmp-") != NULL;
    closedir(d);
    return n;
}

/* Remove temporary files a killed tool could not (kill -9 runs no clean-up). */
static void remove_strays(void)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".tmp-"))
            unlink(in_dir(de->d_name));
    closedir(d);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    char *b = slurp(from, &n);
    assert_non_null(b);
    write_file(to, b, n);
    free(b);
}

/* A store of testdata/sample-orders.csv (20,000 orders). */
static void make_base_store(const char *path)
{
    const char *argv[] = {tool("crm-import"), "-q", "testdata/sample-orders.csv", "-o", path,
                          NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
}

/* `crm-import --dump store` as bytes; NULL when the dump fails. */
static char *dump(const char *store, size_t *len)
{
    const char *out = in_dir("dump.csv");
    const char *argv[] = {tool("crm-import"), "--dump", store, NULL};
    struct run_opts o = {.out = out};
    if (run(argv, &o, NULL) != 0)
        return NULL;
    char *b = slurp(out, len);
    unlink(out);
    return b;
}

static int same(const char *a, size_t an, const char *b, size_t bn)
{
    return a && b && an == bn && memcmp(a, b, an) == 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A /dev/full of the test's own when root may make one (so a broken build can never touch
 * the real device), else the real one. */
static const char *full_device(void)
{
    const char *p = in_dir("full");
    if (mknod(p, S_IFCHR | 0666, makedev(1, 7)) == 0)
        return p;
    return "/dev/full";
}

/* ---- output that cannot be written ---- */

static void test_fault_output_to_a_full_device_fails_with_a_message(void **state)
{
    (void)state;
    const char *full = full_device(), *store = in_dir("s.crm");
    make_base_store(store);
    char *err;
    struct run_opts to_full = {.out = full};
    const char *dump_stdout[] = {tool("crm-import"), "--dump", store, NULL};
    assert_int_equal(run(dump_stdout, &to_full, &err), 1);
    assert_matches(err, "^crm-import: stdout: write failed: No space left on device");
    free(err);
    const char *dump_o[] = {tool("crm-import"), "--dump", store, "-o", full, NULL};
    assert_int_equal(run(dump_o, NULL, &err), 1);
    assert_matches(err, "^crm-import: .*full: write failed: No space left on device");
    free(err);
    const char *import_stdout[] = {tool("crm-import"), "-q", "testdata/sample-orders.csv", NULL};
    assert_int_equal(run(import_stdout, &to_full, &err), 1);
    assert_matches(err, "^crm-import: stdout: write failed: No space left on device");
    free(err);
    const char *import_o[] = {tool("crm-import"), "-q", "testdata/sample-orders.csv", "-o",
                              full, NULL};
    assert_int_equal(run(import_o, NULL, &err), 1);
    assert_matches(err, "No space left on device");
    free(err);
    const char *pareto[] = {tool("crm-pareto"), store, NULL};
    assert_int_equal(run(pareto, &to_full, &err), 1);
    assert_matches(err, "^crm-pareto: stdout: write failed: No space left on device");
    free(err);
    const char *pareto_o[] = {tool("crm-pareto"), store, "-o", full, NULL};
    assert_int_equal(run(pareto_o, NULL, &err), 1);
    assert_matches(err, "^crm-pareto: .*full: write failed: No space left on device");
    free(err);
    const char *rejects[] = {tool("crm-import"), "-q", "--max-reject-rate", "1", "--rejects", full,
                             "testdata/messy-orders.csv", "-o", in_dir("r.crm"), NULL};
    assert_int_equal(run(rejects, NULL, &err), 1);
    assert_matches(err, "No space left on device");
    free(err);
    assert_false(exists(in_dir("r.crm")));    /* no store when its rejects were lost */
    struct stat st;
    assert_int_equal(stat(full, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(stray_files(), 0);
}

/* A disk that fills up half-way (RLIMIT_FSIZE: writes past 64 KiB fail with EFBIG): exit 1
 * with a message, the previous file untouched, no temporary file left behind. */
static void test_fault_disk_full_leaves_the_previous_file_and_no_temporary(void **state)
{
    (void)state;
    const char *store = in_dir("s.crm"), *csv = in_dir("out.csv");
    write_file(store, "previous store\n", 15);
    write_file(csv, "previous report\n", 16);
    struct run_opts small = {.fsize = 64 * 1024};
    char *err;
    const char *import[] = {tool("crm-import"), "-q", "testdata/sample-orders.csv", "-o", store,
                            NULL};
    assert_int_equal(run(import, &small, &err), 1);
    assert_matches(err, "^crm-import: .*s\\.crm.*(File too large|No space)");
    free(err);
    char *b = slurp(store, NULL);
    assert_string_equal(b, "previous store\n");
    free(b);
    const char *base = in_dir("base.crm");
    make_base_store(base);
    const char *pareto[] = {tool("crm-pareto"), base, "-o", csv, NULL};
    assert_int_equal(run(pareto, &small, &err), 1);
    assert_matches(err, "^crm-pareto: .*out\\.csv.*(File too large|No space)");
    free(err);
    b = slurp(csv, NULL);
    assert_string_equal(b, "previous report\n");
    free(b);
    /* an order file imported on the fly: the scratch store is named, not the input */
    const char *rfm[] = {tool("crm-rfm"), "testdata/sample-orders.csv", NULL};
    assert_int_equal(run(rfm, &small, &err), 1);
    assert_matches(err, "^crm-rfm: [^ ]*crmkit-[^ ]* \\(scratch store\\): write failed: File too "
                        "large");
    free(err);
    /* an append that runs out of room leaves the store as it was */
    size_t n0, n1;
    char *d0 = dump(base, &n0);
    struct stat st;
    stat(base, &st);
    struct run_opts tight = {.fsize = st.st_size + 5000};
    const char *append[] = {tool("crm-import"), "-q", "--append", base,
                            "testdata/sample-orders.csv", NULL};
    /* the same orders again are duplicates: use a file with new ids */
    char *sample = slurp("testdata/sample-orders.csv", &n1);
    for (char *p = sample; (p = strstr(p, "\nO")); p += 2)
        p[1] = 'N';
    const char *renamed = in_dir("new-ids.csv");
    write_file(renamed, sample, n1);
    free(sample);
    append[4] = renamed;
    assert_int_equal(run(append, &tight, &err), 1);
    assert_matches(err, "^crm-import: .*base\\.crm.*(File too large|No space)");
    free(err);
    char *d1 = dump(base, &n1);
    assert_true(same(d0, n0, d1, n1));
    free(d0);
    free(d1);
    assert_int_equal(stray_files(), 0);
}

/* Every tool's report files (-o, --svg) on a disk that fills up (writes past 2 KiB fail): exit 1 naming the file, the previous file untouched, no temporary left.
 * Killed at the limit instead (SIGXFSZ, as a kill -9 would): the previous file untouched. */
static void test_fault_reports_on_a_full_disk_or_killed_leave_the_previous_file(void **state)
{
    (void)state;
    const char *store = in_dir("s.crm"), *out = in_dir("out.csv");
    make_base_store(store);
    struct {
        const char *tool, *opt;
    } reports[] = {
        {"crm-rfm", "-o"}, {"crm-segment", "-o"}, {"crm-churn", "-o"}, {"crm-pareto", "-o"},
        {"crm-pareto", "--svg"}, {"crm-churn", "--svg"},
    };
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
        for (int killed = 0; killed < 2; killed++) {
            write_file(out, "previous\n", 9);
            const char *argv[] = {tool(reports[i].tool), store, reports[i].opt, out, NULL, NULL,
                                  NULL};
            if (strcmp(reports[i].opt, "--svg") == 0) {   /* the rows go to /dev/null */
                argv[4] = strcmp(reports[i].tool, "crm-churn") == 0 ? "--calibration-end"
                                                                     : "--summary";
                argv[5] = strcmp(reports[i].tool, "crm-churn") == 0 ? "2024-09-30" : NULL;
            }
            struct run_opts o = {.fsize = 2048, .xfsz_kills = killed};
            char *err;
            int rc = run(argv, &o, &err);
            if (killed) {
                assert_int_equal(rc, 128 + SIGXFSZ);
                remove_strays();    /* left next to the target, which is what matters */
            } else {
                if (rc != 1)
                    fail_msg("%s %s on a full disk: exit %d (%s)", reports[i].tool,
                             reports[i].opt, rc, err);
                char pattern[128];
                snprintf(pattern, sizeof pattern, "^%s: .*out\\.csv.*(File too large|No space)",
                         reports[i].tool);
                assert_matches(err, pattern);
                if (stray_files() != 0)
                    fail_msg("%s %s on a full disk left its temporary file", reports[i].tool,
                             reports[i].opt);
            }
            free(err);
            char *b = slurp(out, NULL);
            if (strcmp(b, "previous\n") != 0)
                fail_msg("%s %s %s: the previous file changed", reports[i].tool,
                         reports[i].opt, killed ? "killed" : "on a full disk");
            free(b);
        }
    }
}

/* SIGTERM while a report is being made (its input arriving through a FIFO, held half-way):
 * the previous file stays, and the temporary file is removed by the signal handler. */
static void test_fault_terminated_report_removes_its_temporary(void **state)
{
    (void)state;
    const char *store = in_dir("s.crm"), *out = in_dir("out.csv"), *fifo = in_dir("in.fifo");
    make_base_store(store);
    size_t n;
    char *b = slurp(store, &n);
    const char *tools[] = {"crm-rfm", "crm-segment", "crm-churn", "crm-pareto"};
    for (size_t i = 0; i < 4; i++) {
        write_file(out, "previous\n", 9);
        unlink(fifo);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        const char *argv[] = {tool(tools[i]), "--as-of", "2025-01-01", "-o", out, "-", NULL};
        struct run_opts o = {.in = fifo};
        struct proc p;
        spawn(argv, &o, &p);
        int feed = open(fifo, O_WRONLY | O_CLOEXEC);
        assert_true(feed >= 0);
        assert_int_equal(write(feed, b, n / 2), (ssize_t)(n / 2));
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        kill(p.pid, SIGTERM);
        int rc = finish(&p, NULL);
        close(feed);
        unlink(p.errpath);
        assert_int_equal(rc, 128 + SIGTERM);
        char *got = slurp(out, NULL);
        assert_string_equal(got, "previous\n");
        free(got);
        assert_int_equal(stray_files(), 0);
    }
    free(b);
}

/* ---- kill -9 during --append ---- */

struct append_case {
    const char *base;      /* pristine store */
    const char *store;     /* the store appended to */
    const char *input;     /* orders to append */
    char *old_dump, *new_dump;
    size_t old_len, new_len;
    double seconds;        /* a whole append */
    long long old_size, new_size;
};

static void prepare_append(struct append_case *c, int streamed)
{
    c->base = in_dir("base.crm");
    c->store = in_dir("store.crm");
    c->input = in_dir("more.csv");
    if (streamed) {   /* a store saved from a pipe: no committed length in its header */
        struct run_opts o = {.out = c->base, .out_append = 1};
        const char *argv[] = {tool("crm-import"), "-q", "testdata/sample-orders.csv", NULL};
        assert_int_equal(run(argv, &o, NULL), 0);
    } else {
        make_base_store(c->base);
    }
    /* 60,000 generated orders; their ids overlap the base's, so 20,000 are duplicates */
    struct run_opts o = {.out = c->input};
    const char *gen[] = {tool("gen"), "-n", "60000", "-s", "9", NULL};
    assert_int_equal(run(gen, &o, NULL), 0);
    c->old_dump = dump(c->base, &c->old_len);
    assert_non_null(c->old_dump);
    copy_file(c->base, c->store);
    const char *argv[] = {tool("crm-import"), "-q", "--append", c->store, c->input, NULL};
    double t0 = now();
    assert_int_equal(run(argv, NULL, NULL), 0);
    c->seconds = now() - t0;
    c->new_dump = dump(c->store, &c->new_len);
    assert_non_null(c->new_dump);
    assert_false(same(c->old_dump, c->old_len, c->new_dump, c->new_len));
    struct stat st;
    stat(c->base, &st);
    c->old_size = st.st_size;
    stat(c->store, &st);
    c->new_size = st.st_size;
}

/* The store after a killed append: --check passes and the orders are the old or the new
 * ones exactly. Returns 0 for old, 1 for new. */
static int old_or_new(const struct append_case *c, const char *when)
{
    const char *check[] = {tool("crm-import"), "--check", c->store, NULL};
    char *err;
    if (run(check, NULL, &err) != 0)
        fail_msg("after a kill %s: --check fails: %s", when, err);
    free(err);
    size_t n;
    char *d = dump(c->store, &n);
    int is_old = same(d, n, c->old_dump, c->old_len), is_new = same(d, n, c->new_dump, c->new_len);
    free(d);
    if (!is_old && !is_new)
        fail_msg("after a kill %s the store holds neither the old nor the new orders", when);
    return is_new;
}

static void kill_at_moments(int streamed)
{
    struct append_case c;
    prepare_append(&c, streamed);
    const int kills = 24;
    int outcome[2] = {0, 0};
    for (int i = 0; i < kills; i++) {
        copy_file(c.base, c.store);
        /* moments spread from the start to well past the end of an uninterrupted append */
        double delay = c.seconds * 1.6 * (i + 0.5) / kills;
        const char *argv[] = {tool("crm-import"), "-q", "--append", c.store, c.input, NULL};
        struct proc p;
        spawn(argv, NULL, &p);
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(p.pid, SIGKILL);
        finish(&p, NULL);
        unlink(p.errpath);
        char when[64];
        snprintf(when, sizeof when, "after %.0f ms", delay * 1000);
        outcome[old_or_new(&c, when)]++;
    }
    /* and the next append after a killed one completes the job */
    const char *argv[] = {tool("crm-import"), "-q", "--append", c.store, c.input, NULL};
    assert_int_equal(run(argv, NULL, NULL), 0);
    assert_int_equal(old_or_new(&c, "then a full append"), 1);
    print_message("%d kills over %.0f ms: %d left the old store, %d the new one\n", kills,
                  c.seconds * 1600, outcome[0], outcome[1]);
    free(c.old_dump);
    free(c.new_dump);
}

static void test_fault_append_killed_at_any_moment_leaves_old_or_new(void **state)
{
    (void)state;
    kill_at_moments(0);
}

/* The same for a store that was saved from a pipe (its header has no committed length). */
static void test_fault_append_to_a_streamed_store_killed_leaves_old_or_new(void **state)
{
    (void)state;
    kill_at_moments(1);
}

/* Killed at exact byte offsets of the growing store: RLIMIT_FSIZE lets the file grow to N
 * bytes and SIGXFSZ kills the writer at its next write, for N across the whole append. */
static void test_fault_append_killed_at_byte_offsets_leaves_old_or_new(void **state)
{
    (void)state;
    struct append_case c;
    prepare_append(&c, 0);
    const int points = 24;
    for (int i = 0; i <= points; i++) {
        copy_file(c.base, c.store);
        long long limit = c.old_size + (c.new_size - c.old_size) * i / points;
        struct run_opts o = {.fsize = limit, .xfsz_kills = 1};
        const char *argv[] = {tool("crm-import"), "-q", "--append", c.store, c.input, NULL};
        int rc = run(argv, &o, NULL);
        char when[64];
        snprintf(when, sizeof when, "at byte %lld of %lld", limit, c.new_size);
        int is_new = old_or_new(&c, when);
        if (i < points) {
            assert_int_equal(rc, 128 + SIGXFSZ);
            assert_int_equal(is_new, 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(is_new, 1);
        }
    }
    free(c.old_dump);
    free(c.new_dump);
}

/* Readers while appends run (a report started by cron during an import): every read sees
 * the old or the new store whole, never an error. Between appends the store is put back by
 * renaming a copy over it, as an atomic writer would. */
static void test_fault_readers_during_appends_see_old_or_new(void **state)
{
    (void)state;
    struct append_case c;
    prepare_append(&c, 0);
    copy_file(c.base, c.store);
    pid_t writer = fork();
    if (writer == 0) {
        for (int i = 0; i < 6; i++) {
            const char *argv[] = {tool("crm-import"), "-q", "--append", c.store, c.input, NULL};
            if (run(argv, NULL, NULL) != 0)
                _exit(1);
            nanosleep(&(struct timespec){0, 20000000}, NULL);
            const char *tmp = in_dir("store.tmp");
            copy_file(c.base, tmp);
            if (rename(tmp, c.store) != 0)
                _exit(1);
        }
        _exit(0);
    }
    int outcome[2] = {0, 0}, status;
    const char *check = in_dir("check.txt");
    while (waitpid(writer, &status, WNOHANG) == 0) {
        const char *argv[] = {tool("crm-import"), "--check", c.store, NULL};
        struct run_opts o = {.out = check};
        char *err;
        if (run(argv, &o, &err) != 0) {
            kill(writer, SIGKILL);
            waitpid(writer, NULL, 0);
            fail_msg("a reader during an append failed: %s", err);
        }
        free(err);
        char *text = slurp(check, NULL), *at = strstr(text, "\norders: ");
        long long n = at ? atoll(at + 9) : -1;
        free(text);
        if (n != 20000 && n != 60000) {   /* old: 20,000; new: + 60,000 rows - 20,000 known ids */
            kill(writer, SIGKILL);
            waitpid(writer, NULL, 0);
            fail_msg("a reader during an append saw %lld orders", n);
        }
        outcome[n != 20000]++;
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    print_message("%d reads during 6 appends: %d saw the old store, %d the new one\n",
                  outcome[0] + outcome[1], outcome[0], outcome[1]);
    free(c.old_dump);
    free(c.new_dump);
}

/* ---- two writers ---- */

static int is_locked(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    int locked = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    return locked;
}

static void wait_for(int (*cond)(const char *), const char *arg, const char *what)
{
    for (int i = 0; i < 2000; i++) {
        if (cond(arg))
            return;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    fail_msg("timed out waiting for %s", what);
}

static int says_waiting(const char *errpath)
{
    char *e = slurp(errpath, NULL);
    int yes = e && strstr(e, "waiting up to") != NULL;
    free(e);
    return yes;
}

/* Writer A holds the lock (reading its orders from a pipe we feed later). B with
 * --lock-wait 0 fails clearly; C waits, then appends after A. The result is old + A + C in
 * that order, exactly what appending A then C one after the other gives. */
static void test_fault_concurrent_appends_wait_or_fail_never_interleave(void **state)
{
    (void)state;
    const char *base = in_dir("base.crm"), *store = in_dir("store.crm"), *ref = in_dir("ref.crm");
    make_base_store(base);
    copy_file(base, store);
    copy_file(base, ref);
    const char *a_csv = in_dir("a.csv"), *b_csv = in_dir("b.csv"), *c_csv = in_dir("c.csv");
    struct run_opts oa = {.out = a_csv}, oc = {.out = c_csv};
    const char *gen_a[] = {tool("gen"), "-n", "30000", "-s", "21", NULL};
    const char *gen_c[] = {tool("gen"), "-n", "30000", "-s", "22", NULL};
    assert_int_equal(run(gen_a, &oa, NULL), 0);
    assert_int_equal(run(gen_c, &oc, NULL), 0);
    /* distinct order ids: A's begin with A, C's with C */
    size_t na, nc;
    char *a = slurp(a_csv, &na), *cc = slurp(c_csv, &nc);
    for (char *p = a; (p = strstr(p, "\nO")); p += 2)
        p[1] = 'A';
    for (char *p = cc; (p = strstr(p, "\nO")); p += 2)
        p[1] = 'C';
    write_file(a_csv, a, na);
    write_file(c_csv, cc, nc);
    write_file(b_csv, "order_id,customer_id,order_time,amount\nB1,b,2024-05-05,1.00\n", 58);

    const char *pipe_in = in_dir("a.fifo");
    assert_int_equal(mkfifo(pipe_in, 0600), 0);
    struct run_opts from_fifo = {.in = pipe_in};
    const char *argv_a[] = {tool("crm-import"), "-q", "--append", store, "-", NULL};
    struct proc pa;
    spawn(argv_a, &from_fifo, &pa);
    /* A's stdin: held open, empty for now (close-on-exec: C must not keep it open) */
    int feed = open(pipe_in, O_WRONLY | O_CLOEXEC);
    assert_true(feed >= 0);
    wait_for(is_locked, store, "the first append to take the lock");

    char *err;
    const char *argv_b[] = {tool("crm-import"), "-q", "--append", store, "--lock-wait", "0",
                            b_csv, NULL};
    assert_int_equal(run(argv_b, NULL, &err), 1);
    assert_matches(err, "^crm-import: .*store\\.crm: still locked by another writer");
    free(err);

    const char *argv_c[] = {tool("crm-import"), "--append", store, "--lock-wait", "60", c_csv,
                            NULL};
    struct proc pc;
    spawn(argv_c, NULL, &pc);
    wait_for(says_waiting, pc.errpath, "the third append to wait");

    assert_int_equal(write(feed, a, na), (ssize_t)na);
    close(feed);
    int rc_a = finish(&pa, NULL), rc_c = finish(&pc, NULL);
    if (rc_a != 0 || rc_c != 0) {
        char *ea = slurp(pa.errpath, NULL), *ec = slurp(pc.errpath, NULL);
        fail_msg("appends exit %d and %d: %s / %s", rc_a, rc_c, ea, ec);
    }
    unlink(pa.errpath);
    unlink(pc.errpath);

    const char *ref_a[] = {tool("crm-import"), "-q", "--append", ref, a_csv, NULL};
    const char *ref_c[] = {tool("crm-import"), "-q", "--append", ref, c_csv, NULL};
    assert_int_equal(run(ref_a, NULL, NULL), 0);
    assert_int_equal(run(ref_c, NULL, NULL), 0);
    size_t n1, n2;
    char *got = dump(store, &n1), *want = dump(ref, &n2);
    assert_true(same(got, n1, want, n2));
    assert_non_null(strstr(got, "\nA00030000,"));
    assert_non_null(strstr(got, "\nC00030000,"));
    assert_null(strstr(got, "\nB1,"));
    free(got);
    free(want);
    free(a);
    free(cc);
}

/* ---- damaged input ---- */

static void test_fault_truncated_gzip_input_fails_and_writes_no_store(void **state)
{
    (void)state;
    size_t n;
    char *csv = slurp("testdata/sample-orders.csv", &n);
    const char *gz = in_dir("orders.csv.gz"), *store = in_dir("s.crm");
    gzFile g = gzopen(gz, "wb");
    assert_int_equal(gzwrite(g, csv, (unsigned)n), (int)n);
    gzclose(g);
    size_t gn;
    char *gzb = slurp(gz, &gn);
    /* cut points: inside the header, spread over the data, and the last trailer byte */
    size_t cuts[] = {5, 11, gn / 10, gn / 3, gn / 2, gn * 9 / 10, gn - 9, gn - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(gz, gzb, cuts[i]);
        char *err;
        const char *argv[] = {tool("crm-import"), "-q", gz, "-o", store, NULL};
        assert_int_equal(run(argv, NULL, &err), 1);
        assert_matches(err, "^crm-import: .*orders\\.csv\\.gz: (gzip data ends early|corrupt "
                            "gzip)");
        free(err);
        assert_false(exists(store));
    }
    /* a damaged byte in the middle: inflate or the gzip CRC catches it */
    gzb[gn / 2] ^= 0x55;
    write_file(gz, gzb, gn);
    char *err;
    const char *argv[] = {tool("crm-import"), "-q", gz, "-o", store, NULL};
    assert_int_equal(run(argv, NULL, &err), 1);
    assert_matches(err, "^crm-import: .*orders\\.csv\\.gz: corrupt gzip data");
    free(err);
    assert_false(exists(store));
    assert_int_equal(stray_files(), 0);
    free(gzb);
    free(csv);
}

/* Every byte of a small store file flipped in turn (bit i mod 8 of byte i): the tools fail
 * with a message naming the store and the chunk (or what is wrong with the header), and
 * write nothing: no -o file, no report rows. */
static void test_fault_every_flipped_byte_of_a_store_file_is_a_clear_error(void **state)
{
    (void)state;
    const char *good = in_dir("good.crm"), *bad = in_dir("bad.crm"), *out = in_dir("out.csv");
    const char *cust = in_dir("cust.csv");
    write_file(cust, "customer_id,signup_time,blocked\n冯芳2,2023-05-06,no\n马红,,yes\n", 63);
    /* 15 orders and 2 customers-file rows: a store of about 700 bytes */
    const char *head = in_dir("head.csv");
    size_t n;
    char *csv = slurp("testdata/sample-orders.csv", &n);
    char *p = csv;
    for (int line = 0; line < 16; line++)
        p = strchr(p, '\n') + 1;
    write_file(head, csv, (size_t)(p - csv));
    free(csv);
    struct run_opts o = {.in = head};
    const char *argv[] = {tool("crm-import"), "-q", "--customers", cust, "-", "-o", good, NULL};
    assert_int_equal(run(argv, &o, NULL), 0);
    size_t len;
    char *b = slurp(good, &len);
    int flips = 0;
    for (size_t i = 0; i < len; i++) {
        b[i] ^= (char)(1u << (i % 8));
        write_file(bad, b, len);
        b[i] ^= (char)(1u << (i % 8));
        char *err;
        int rc;
        if (i % 2 == 0) {
            const char *d[] = {tool("crm-import"), "--dump", bad, "-o", out, NULL};
            rc = run(d, NULL, &err);
            if (exists(out))
                fail_msg("byte %zu flipped: --dump wrote %s", i, out);
        } else {
            struct run_opts to = {.out = out};
            const char *r[] = {tool("crm-pareto"), "--as-of", "2025-01-01", bad, NULL};
            rc = run(r, &to, &err);
            size_t on;
            char *got = slurp(out, &on);
            if (on != 0)
                fail_msg("byte %zu flipped: crm-pareto printed %zu bytes", i, on);
            free(got);
            unlink(out);
        }
        if (rc != 1)
            fail_msg("byte %zu flipped: exit %d, stderr %s", i, rc, err);
        /* a damaged magic number makes it no store: crm-pareto then reads it as an order
         * file (and finds no header it knows), crm-import --dump says it is no store */
        assert_matches(err, i < 8 ? "^crm-(import|pareto): [^ ]*bad\\.crm:( not a crmkit "
                                    "store|1: no (customer_id column|column for customer_id))"
                                  : "^crm-(import|pareto): [^ ]*bad\\.crm:( chunk [0-9]+:| "
                                    "store format version)");
        free(err);
        flips++;
    }
    free(b);
    print_message("%d flipped bytes, each a clear error\n", flips);
}

/* ---- degenerate inputs ---- */

/* A header and no rows is a day without orders: an empty store, exit 0. No header at all
 * (0 bytes, blank lines) is a failed export, or a failed `crm-import x | crm-rfm` upstream:
 * exit 1, no store, no report (it was an empty report and exit 0). */
static void test_fault_no_rows_header_only_and_empty_input(void **state)
{
    (void)state;
    const char *empty = in_dir("empty.csv"), *blank = in_dir("blank.csv");
    const char *hdr = in_dir("hdr.csv"), *store = in_dir("s.crm"), *out = in_dir("out.csv");
    write_file(empty, "", 0);
    write_file(blank, "\r\n\n", 3);
    write_file(hdr, "order_id,customer_id,order_time,amount\r\n", 40);
    char *err;
    const char *argv[] = {tool("crm-import"), hdr, "-o", store, NULL};
    assert_int_equal(run(argv, NULL, &err), 0);
    assert_matches(err, "0 rows read, 0 orders written");
    free(err);
    const char *check[] = {tool("crm-import"), "--check", store, NULL};
    struct run_opts o = {.out = in_dir("check.txt")};
    assert_int_equal(run(check, &o, NULL), 0);
    char *c = slurp(in_dir("check.txt"), NULL);
    assert_non_null(strstr(c, "orders: 0 "));
    free(c);
    const char *pareto[] = {tool("crm-pareto"), "--as-of", "2025-01-01", "--summary", store, NULL};
    o.out = in_dir("summary.csv");
    assert_int_equal(run(pareto, &o, NULL), 0);
    c = slurp(in_dir("summary.csv"), NULL);
    assert_non_null(strstr(c, "customers,0\n"));
    free(c);
    unlink(store);

    const char *inputs[] = {empty, blank};
    for (int i = 0; i < 2; i++) {
        const char *imp[] = {tool("crm-import"), inputs[i], "-o", store, NULL};
        assert_int_equal(run(imp, NULL, &err), 1);
        assert_matches(err, "^crm-import: .*\\.csv: empty input: no header line");
        free(err);
        assert_false(exists(store));
        /* an analytic tool fed nothing, as after a failed command before the pipe */
        struct run_opts from = {.in = inputs[i], .out = out};
        const char *rfm[] = {tool("crm-rfm"), "--as-of", "2025-01-01", "-", NULL};
        assert_int_equal(run(rfm, &from, &err), 1);
        assert_matches(err, "^crm-rfm: stdin: empty input: no header line and no rows \\(from "
                            "a pipe: did the command before it fail\\?\\)");
        free(err);
        size_t n;
        free(slurp(out, &n));
        assert_int_equal(n, 0);
    }
}

/* A writer process feeding `header`, then `bytes` of a repeated pattern, then a good row. */
static pid_t feed_big_line(const char *fifo, const char *pattern, long long bytes)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int fd = open(fifo, O_WRONLY);
        static char buf[1 << 16];
        size_t pl = strlen(pattern);
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = pattern[i % pl];
        const char *h = "customer_id,order_time,amount\nc1,2024-01-01,5\n";
        if (fd < 0 || write(fd, h, strlen(h)) < 0)
            _exit(1);
        for (long long done = 0; done < bytes; done += (long long)sizeof buf)
            if (write(fd, buf, sizeof buf) < 0)
                _exit(0);
        if (write(fd, "\nc2,2024-01-02,6\n", 17) < 0)
            _exit(0);
        _exit(0);
    }
    return pid;
}

/* A 1 GB line, as one field or as half a billion short ones: a clear error naming line 3,
 * in bounded memory and time, and no store. */
static void test_fault_a_1gb_line_fails_clearly_in_bounded_memory(void **state)
{
    (void)state;
    const char *patterns[] = {"a", "a,"};
    for (int i = 0; i < 2; i++) {
        const char *fifo = in_dir(i ? "many.fifo" : "one.fifo"), *store = in_dir("s.crm");
        assert_int_equal(mkfifo(fifo, 0600), 0);
        pid_t w = feed_big_line(fifo, patterns[i], 1LL << 30);
        const char *argv[] = {tool("crm-import"), "-q", fifo, "-o", store, NULL};
        struct proc p;
        spawn(argv, NULL, &p);
        struct rusage ru;
        int rc = finish(&p, &ru);
        kill(w, SIGKILL);
        waitpid(w, NULL, 0);
        char *err = slurp(p.errpath, NULL);
        assert_int_equal(rc, 1);
        assert_matches(err, i ? "^crm-import: .*many\\.fifo:3: a record with more than "
                              : "^crm-import: .*one\\.fifo:3: a field longer than 256 MiB");
        free(err);
        unlink(p.errpath);
        assert_false(exists(store));
        print_message("1 GB line of \"%s\": peak %ld MB\n", patterns[i], ru.ru_maxrss / 1024);
        assert_true(ru.ru_maxrss < 1024 * 1024);   /* KiB: under 1 GiB whatever the build */
    }
}

/* NUL bytes and LF, CRLF and lone CR line ends in one file: rows are split where the line
 * ends are, the row holding NUL is rejected with its physical line and the NUL shown as
 * \x00, everything else is imported and counted. */
static void test_fault_nul_bytes_and_mixed_line_endings(void **state)
{
    (void)state;
    static const char csv[] = "order_id,customer_id,order_time,amount\r\n"   /* line 1 */
                              "1,a,2024-01-01,1.00\n"                        /* 2 */
                              "2,b,2024-01-02,2.00\r"                        /* 3 */
                              "3,c\0x,2024-01-03,3.00\r\n"                   /* 4: NUL */
                              "4,\"d\r\nd\",2024-01-04,4.00\n"               /* 5-6 */
                              "5,e,2024-01-05,5.00\r"                        /* 7 */
                              "\n"                                           /* (CR LF) */
                              "6,f,2024-01-06\n"                             /* 8: short */
                              "7,g,2024-01-07,7.00";                         /* 9: no end */
    const char *in = in_dir("mixed.csv"), *store = in_dir("s.crm"), *rej = in_dir("rej.csv");
    write_file(in, csv, sizeof csv - 1);
    char *err;
    const char *argv[] = {tool("crm-import"), "--max-reject-rate", "1", in, "--rejects", rej,
                          "-o", store, NULL};
    assert_int_equal(run(argv, NULL, &err), 0);
    assert_matches(err, "7 rows read, 5 orders written .* 2 rejected");
    free(err);
    char *r = slurp(rej, NULL);
    assert_non_null(strstr(r, "file,line,reason,raw\n"));
    char line4[8300], line8[8300];
    snprintf(line4, sizeof line4, "%s,4,", in);
    snprintf(line8, sizeof line8, "%s,8,", in);
    assert_non_null(strstr(r, line4));
    assert_non_null(strstr(r, "3,c\\x00x,2024-01-03,3.00"));
    assert_non_null(strstr(r, line8));
    assert_non_null(strstr(r, "6,f,2024-01-06"));
    free(r);
    size_t n;
    char *d = dump(store, &n);
    assert_string_equal(d,
                        "order_id,customer_id,order_time,amount,quantity,status,currency\n"
                        "1,a,2024-01-01 00:00:00,1.00,1,paid,\n"
                        "2,b,2024-01-02 00:00:00,2.00,1,paid,\n"
                        "4,\"d\r\nd\",2024-01-04 00:00:00,4.00,1,paid,\n"
                        "5,e,2024-01-05 00:00:00,5.00,1,paid,\n"
                        "7,g,2024-01-07 00:00:00,7.00,1,paid,\n");
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fault_output_to_a_full_device_fails_with_a_message,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_disk_full_leaves_the_previous_file_and_no_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_reports_on_a_full_disk_or_killed_leave_the_previous_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_terminated_report_removes_its_temporary,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_append_killed_at_any_moment_leaves_old_or_new,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_append_to_a_streamed_store_killed_leaves_old_or_new, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_append_killed_at_byte_offsets_leaves_old_or_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_readers_during_appends_see_old_or_new,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_concurrent_appends_wait_or_fail_never_interleave, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_truncated_gzip_input_fails_and_writes_no_store, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_fault_every_flipped_byte_of_a_store_file_is_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_no_rows_header_only_and_empty_input, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fault_a_1gb_line_fails_clearly_in_bounded_memory,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_fault_nul_bytes_and_mixed_line_endings, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
