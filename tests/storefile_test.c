/* Tests for lib/store/storefile: -o and --append share one lock and a writer that waited
 * follows the store now at the path; --append creates a missing store; the store's zone
 * rules appends; a zone must be a TZif file; today is today in a zone (SPEC §13.3). */
#include "testutil.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "store/storefile.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/crm-storefile-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct crm_storefile_opts opts = {5, CRM_STORE_KEEP_IDS | CRM_STORE_NO_SYNC, NULL,
                                               NULL, 0};

/* Add n orders with ids PREFIX-0 .. PREFIX-(n-1). */
static void add_orders(struct crm_store_writer *w, const char *prefix, int n)
{
    struct crm_errinfo e;
    for (int i = 0; i < n; i++) {
        char id[32];
        struct crm_order o = {0};
        int len = snprintf(id, sizeof id, "%s-%d", prefix, i);
        assert_int_equal(crm_store_writer_customer(w, id, (size_t)len, &o.customer, &e), CRM_OK);
        o.time = 1700000000 + i;
        o.amount = 100;
        o.quantity = 1;
        o.order_id = id;
        o.order_id_len = (size_t)len;
        assert_int_equal(crm_store_writer_add(w, &o, &e), CRM_OK);
    }
}

static uint64_t orders_in(const char *path, char *tz)
{
    struct crm_store *s;
    struct crm_chunk c;
    struct crm_errinfo e;
    uint64_t n = 0;
    enum crm_err rc;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    while ((rc = crm_store_next(s, &c, CRM_COL_TIME, &e)) == CRM_OK && c.n)
        n += c.n;
    if (rc != CRM_OK)
        fail_msg("%s: %s", path, e.msg);
    if (tz)
        strcpy(tz, crm_store_meta(s)->tz);
    crm_store_close(s);
    return n;
}

static void new_store(const char *path, const char *tz, const char *prefix, int n)
{
    struct crm_storefile *f;
    struct crm_errinfo e;
    struct crm_store_meta m = {"", 2};
    snprintf(m.tz, sizeof m.tz, "%s", tz);
    assert_int_equal(crm_storefile_create(path, &m, &opts, &f, &e), CRM_OK);
    add_orders(crm_storefile_writer(f), prefix, n);
    assert_int_equal(crm_storefile_finish(f, &e), CRM_OK);
    assert_int_equal(crm_storefile_commit(f, &e), CRM_OK);
}

static void test_storefile_append_creates_a_missing_store_in_the_zone_given(void **state)
{
    (void)state;
    char path[128], tz[64];
    snprintf(path, sizeof path, "%s/first-night.crm", dir);
    struct crm_storefile *f;
    struct crm_errinfo e;
    struct crm_store_meta m = {"Asia/Shanghai", 2};
    int created = 0;
    assert_int_equal(crm_storefile_append(path, &m, &opts, &f, &created, &e), CRM_OK);
    assert_int_equal(created, 1);
    add_orders(crm_storefile_writer(f), "n1", 3);
    assert_int_equal(crm_storefile_finish(f, &e), CRM_OK);
    assert_int_equal(crm_storefile_commit(f, &e), CRM_OK);
    assert_int_equal(orders_in(path, tz), 3);
    assert_string_equal(tz, "Asia/Shanghai");
    /* the next night: no zone given takes the store's; another zone is refused */
    struct crm_store_meta none = {"", 2}, berlin = {"Europe/Berlin", 2};
    assert_int_equal(crm_storefile_append(path, &none, &opts, &f, &created, &e), CRM_OK);
    assert_int_equal(created, 0);
    assert_string_equal(crm_store_writer_meta(crm_storefile_writer(f))->tz, "Asia/Shanghai");
    crm_storefile_abort(f);
    crm_errinfo_clear(&e);
    assert_int_equal(crm_storefile_append(path, &berlin, &opts, &f, &created, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "the store keeps its times in time zone Asia/Shanghai"));
    assert_null(f);
    assert_int_equal(orders_in(path, NULL), 3);
}

/* An append waiting for the lock while -o replaces the store appends to the new store. */
static void test_storefile_append_that_waited_follows_the_replaced_store(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/shop.crm", dir);
    new_store(path, "", "old", 5);
    struct crm_storefile *o;
    struct crm_errinfo e;
    struct crm_store_meta m = {"", 2};
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();      /* before the lock: a child must not share its descriptor */
    assert_true(pid >= 0);
    if (pid == 0) {          /* the append: waits for -o, then must find the new store */
        struct crm_storefile *a;
        int created;
        char byte;
        close(go[1]);
        if (read(go[0], &byte, 1) != 1)
            _exit(9);
        if (crm_storefile_append(path, &m, &opts, &a, &created, &e) != CRM_OK) {
            fprintf(stderr, "append: %s\n", e.msg);
            _exit(10);
        }
        add_orders(crm_storefile_writer(a), "app", 2);
        if (crm_storefile_finish(a, &e) != CRM_OK || crm_storefile_commit(a, &e) != CRM_OK)
            _exit(11);
        _exit(0);
    }
    close(go[0]);
    assert_int_equal(crm_storefile_create(path, &m, &opts, &o, &e), CRM_OK);  /* holds lock */
    add_orders(crm_storefile_writer(o), "new", 7);
    assert_int_equal(write(go[1], "x", 1), 1);
    close(go[1]);
    nanosleep(&(struct timespec){0, 300000000}, NULL);   /* the child is waiting now */
    assert_int_equal(crm_storefile_finish(o, &e), CRM_OK);
    assert_int_equal(crm_storefile_commit(o, &e), CRM_OK);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(orders_in(path, NULL), 7 + 2);      /* nothing written into the old one */
}

static void test_storefile_a_held_lock_is_a_clear_error_after_the_wait(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/busy.crm", dir);
    new_store(path, "", "b", 1);
    int fd = open(path, O_RDONLY);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    struct crm_storefile_opts quick = opts;
    quick.lock_wait = 0;
    struct crm_storefile *f;
    struct crm_errinfo e;
    struct crm_store_meta m = {"", 2};
    int created;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_storefile_append(path, &m, &quick, &f, &created, &e), CRM_ELOCKED);
    assert_non_null(strstr(e.msg, "still locked by another writer"));
    assert_int_equal(crm_storefile_create(path, &m, &quick, &f, &e), CRM_ELOCKED);
    close(fd);
    struct stat st;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "ls %s | grep -q tmp-", dir);
    assert_int_not_equal(system(tmp), 0);                 /* -o removed its temporary */
    assert_int_equal(stat(path, &st), 0);
}

static void test_storefile_zone_must_be_a_tzif_file(void **state)
{
    (void)state;
    struct crm_errinfo e;
    static const char *const good[] = {"Asia/Shanghai", "UTC", "Etc/GMT+12", "Europe/Berlin"};
    static const char *const bad[] = {"Asia", "zone.tab", "../../../etc/passwd", "/etc/localtime",
                                      "Nowhere/City", "", "Asia/..", "..", "Asia/../Asia/Tokyo"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(crm_store_zone_check(good[i], &e), CRM_OK);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        crm_errinfo_clear(&e);
        assert_int_equal(crm_store_zone_check(bad[i], &e), CRM_EUSAGE);
        assert_non_null(strstr(e.msg, "--tz"));
    }
    /* $TZDIR is where zones are looked up */
    char zdir[128], zfile[160];
    snprintf(zdir, sizeof zdir, "%s/zones", dir);
    mkdir(zdir, 0755);
    snprintf(zfile, sizeof zfile, "%s/Fake", zdir);
    FILE *f = fopen(zfile, "w");
    fputs("TZif2 and more", f);
    fclose(f);
    setenv("TZDIR", zdir, 1);
    assert_int_equal(crm_store_zone_check("Fake", &e), CRM_OK);
    assert_int_equal(crm_store_zone_check("Asia/Shanghai", &e), CRM_EUSAGE);
    unsetenv("TZDIR");
}

static void test_storefile_today_is_today_in_the_zone(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    int32_t east = crm_store_zone_today("Etc/GMT-14"), west = crm_store_zone_today("Etc/GMT+12");
    assert_true(east - west == 1 || east - west == 2);   /* 26 hours apart */
    assert_string_equal(getenv("TZ"), "UTC");              /* restored */
    int32_t utc = (int32_t)(time(NULL) / 86400);
    assert_int_equal(crm_store_zone_today(""), utc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storefile_append_creates_a_missing_store_in_the_zone_given),
        cmocka_unit_test(test_storefile_append_that_waited_follows_the_replaced_store),
        cmocka_unit_test(test_storefile_a_held_lock_is_a_clear_error_after_the_wait),
        cmocka_unit_test(test_storefile_zone_must_be_a_tzif_file),
        cmocka_unit_test(test_storefile_today_is_today_in_the_zone),
    };
    return cmocka_run_group_tests_name("storefile", tests, setup, teardown);
}
