/* Tests for lib/import/importrun.c and importjob.c: crm-import's options as a job, one run
 * behind one call (stores committed together or not at all, the rejects file, temporary
 * files tracked and untracked, the lines said), merging stores, and --sniff's importer. */
#include "testutil.h"

#include <sys/stat.h>

#include "import/importrun.h"

/* What the hooks saw. */
struct seen {
    char lines[16][320];
    int n;
    int temps;            /* tracked minus untracked */
    int temps_max;
    int progress_files;
};

static void say(void *ctx, int info, const char *line)
{
    struct seen *s = ctx;
    if (s->n < 16)
        snprintf(s->lines[s->n++], sizeof s->lines[0], "%d %s", info, line);
}

static void temp(void *ctx, const char *path, int tracked)
{
    struct seen *s = ctx;
    assert_non_null(path);
    s->temps += tracked ? 1 : -1;
    if (s->temps > s->temps_max)
        s->temps_max = s->temps;
}

static void start(void *ctx, const char *name, double bytes)
{
    (void)name;
    (void)bytes;
    ((struct seen *)ctx)->progress_files++;
}

static char dir[64];

static const char *in_dir(const char *name)
{
    static char paths[8][128];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    return p;
}

static const char *write_csv(const char *name, const char *text)
{
    const char *path = in_dir(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char orders[] = "order_id,customer_id,order_time,amount\n"
                             "1,anna,2024-01-01,10.00\n"
                             "2,bert,2024-01-02,5.00\n"
                             "3,carl,2024-01-03,oops\n";

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/crm-importrun-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static enum crm_err run(struct crm_import_job *job, const char *file, struct seen *s,
                        struct crm_errinfo *e)
{
    char *files[2] = {(char *)file, (char *)file};
    struct crm_import_hooks h = {say, temp, start, NULL, NULL, s};
    memset(s, 0, sizeof *s);
    crm_errinfo_clear(e);
    return crm_import_run(job, files, 1, &h, e);
}

static void test_job_options_checked_by_name(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    crm_import_job_init(&job);
    crm_errinfo_clear(&e);
    assert_true(job.o.max_reject_rate == 0.01);
    assert_int_equal(job.meta.money_scale, 2);
    assert_int_equal(job.lock_wait, 60);
    char unsorted[] = "unsorted", map[] = "amount=Total", bad_map[] = "price=", once[] = "x";
    assert_int_equal(crm_import_job_option(&job, "line-items", unsorted, &e), CRM_OK);
    assert_int_equal(job.o.line_items_unsorted, 1);
    assert_int_equal(crm_import_job_option(&job, "map", map, &e), CRM_OK);
    assert_string_equal(job.o.map[CRM_F_AMOUNT], "Total");
    assert_int_equal(crm_import_job_option(&job, "sniff", NULL, &e), CRM_OK);
    assert_int_equal(job.sniff, 1);
    assert_int_equal(crm_import_job_option(&job, "map", bad_map, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--map price: expected FIELD=COLUMN with FIELD one of order_id, "
                               "customer_id, order_time, amount, quantity, unit_price, status, "
                               "currency");
    assert_int_equal(crm_import_job_option(&job, "order-amount", once, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--order-amount x: expected sum or once");
    char empty[] = "";
    assert_int_equal(crm_import_job_option(&job, "tz", empty, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--tz : not a time zone name");
    char paid[] = "paid=ok";
    for (int i = 0; i < CRM_IMPORT_MAX_STATUS; i++)
        assert_int_equal(crm_import_job_option(&job, "status", paid, &e), CRM_OK);
    assert_int_equal(crm_import_job_option(&job, "status", paid, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "too many --status options");
    assert_int_equal(crm_import_job_option(&job, "money-scale", once, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "unexpected option");
}

static void test_run_commits_the_store_and_the_rejects(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    struct seen s;
    crm_import_job_init(&job);
    job.o.max_reject_rate = 0.5;
    job.output = in_dir("ok.crm");
    job.rejects = in_dir("ok-rejects.csv");
    const char *csv = write_csv("ok.csv", orders);
    assert_int_equal(run(&job, csv, &s, &e), CRM_OK);
    assert_int_equal(access(job.output, R_OK), 0);
    assert_int_equal(access(job.rejects, R_OK), 0);
    assert_int_equal(s.temps, 0);              /* every temporary file untracked */
    assert_int_equal(s.temps_max, 2);          /* the store's and the rejects file's */
    assert_int_equal(s.progress_files, 1);
    char want[320];
    snprintf(want, sizeof want, "1 %s: UTF-8, comma-separated", csv);
    assert_string_equal(s.lines[0], want);
    assert_string_equal(s.lines[1], "1 3 rows read, 2 orders written (0 rows merged into "
                                    "orders), 1 rejected (1 bad amount), 0 duplicates "
                                    "skipped; 2 new customers");
    struct crm_store *st;
    assert_int_equal(crm_store_open(job.output, &st, &e), CRM_OK);
    crm_store_close(st);
}

static void test_run_over_the_reject_rate_commits_no_store(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    struct seen s;
    crm_import_job_init(&job);
    job.output = in_dir("over.crm");
    job.rejects = in_dir("over-rejects.csv");
    assert_int_equal(run(&job, write_csv("over.csv", orders), &s, &e), CRM_EDATA);
    assert_non_null(strstr(e.msg, "1 of 3 rows rejected (33.33%), over --max-reject-rate 0.01; "
                                  "no store written"));
    /* the summary before it does not claim the orders were written */
    assert_string_equal(s.lines[1], "1 3 rows read, 2 orders accepted, none written (0 rows "
                                    "merged into orders), 1 rejected (1 bad amount), 0 "
                                    "duplicates skipped; 2 new customers");
    assert_int_not_equal(access(job.output, F_OK), 0);
    assert_int_equal(access(job.rejects, R_OK), 0);  /* kept: it says why */
    assert_int_equal(s.temps, 0);
}

static void test_run_partition_pattern_needs_one_percent_d(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    struct seen s;
    crm_import_job_init(&job);
    job.partitioned = 1;
    job.partitions = 2;
    job.output = in_dir("nopattern.crm");
    assert_int_equal(run(&job, write_csv("p.csv", orders), &s, &e), CRM_EUSAGE);
    char want[320];
    snprintf(want, sizeof want, "--partition: -o %s must contain %%d once (and no other %%)",
             job.output);
    assert_string_equal(e.msg, want);
    job.output = in_dir("part.%d.crm");
    job.o.max_reject_rate = 0.5;
    assert_int_equal(run(&job, in_dir("p.csv"), &s, &e), CRM_OK);
    assert_int_equal(access(in_dir("part.0.crm"), R_OK), 0);
    assert_int_equal(access(in_dir("part.1.crm"), R_OK), 0);
    assert_int_not_equal(access(in_dir("part.2.crm"), F_OK), 0);
    assert_int_equal(s.temps, 0);
    assert_int_equal(s.temps_max, 2);
}

static void test_run_merges_stores_given_as_input(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    struct seen s;
    crm_import_job_init(&job);
    job.o.max_reject_rate = 0.5;
    job.output = in_dir("one.crm");
    assert_int_equal(run(&job, write_csv("m.csv", orders), &s, &e), CRM_OK);
    crm_import_job_init(&job);
    job.output = in_dir("merged.crm");
    char *files[2] = {(char *)in_dir("one.crm"), (char *)in_dir("one.crm")};
    struct crm_import_hooks h = {say, temp, NULL, NULL, NULL, &s};
    memset(&s, 0, sizeof s);
    assert_int_equal(crm_import_run(&job, files, 2, &h, &e), CRM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "1 2 stores merged: 4 orders read, 2 orders written, 2 "
                                    "duplicates skipped, 0 customers-file rows");
    files[1] = (char *)in_dir("m.csv");
    job.output = in_dir("mixed.crm");
    assert_int_equal(crm_import_run(&job, files, 2, &h, &e), CRM_EUSAGE);
    assert_int_not_equal(access(job.output, F_OK), 0);
}

static void test_sniffer_reports_without_writing(void **state)
{
    (void)state;
    struct crm_import_job job;
    struct crm_errinfo e;
    struct crm_import_sniffer *sn;
    crm_import_job_init(&job);
    crm_errinfo_clear(&e);
    assert_int_equal(crm_import_sniffer_new(&job, &sn, &e), CRM_OK);
    struct crm_buf out = {0};
    int would_work = 1;
    assert_int_equal(crm_import_sniffer_file(sn, write_csv("s.csv", orders), &out, &would_work,
                                             &e), CRM_OK);
    crm_buf_u8(&out, 0);
    /* one row of three rejected is over the default rate of 1% */
    assert_non_null(strstr((const char *)out.data, "rows read: 3; would be rejected: 1; "
                                                   "expected skips: 0\nwould import: no\n"));
    assert_int_equal(would_work, 0);
    crm_buf_free(&out);
    crm_import_sniffer_free(sn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_options_checked_by_name),
        cmocka_unit_test(test_run_commits_the_store_and_the_rejects),
        cmocka_unit_test(test_run_over_the_reject_rate_commits_no_store),
        cmocka_unit_test(test_run_partition_pattern_needs_one_percent_d),
        cmocka_unit_test(test_run_merges_stores_given_as_input),
        cmocka_unit_test(test_sniffer_reports_without_writing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
