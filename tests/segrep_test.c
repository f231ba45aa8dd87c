/* segrep_test: crm-segment's options as lib/segrep owns them (exact messages, the checks
 * after the last option) and one store evaluated for each report. */
#include "testutil.h"

#include "customer/segrep.h"
#include "store/store.h"
#include "text/timeparse.h"

static int32_t D(const char *s)
{
    int32_t d;
    assert_int_equal(crm_date_parse(s, &d), 0);
    return d;
}

static enum crm_err set(struct crm_segrep_opts *o, const char *name, const char *text,
                        struct crm_errinfo *e)
{
    crm_errinfo_clear(e);
    return crm_segrep_set_option(o, name, text, e);
}

static void test_segrep_options_defaults(void **state)
{
    (void)state;
    struct crm_segrep_opts o;
    struct crm_errinfo e;
    crm_segrep_opts_default(&o);
    assert_int_equal(o.by, CRM_SEGMENT_BY_CLASS);
    assert_int_equal(o.window_days, 365);
    assert_int_equal(o.period, CRM_KPI_MONTH);
    assert_int_equal(o.care.reasons, CRM_CARE_ALL);
    assert_int_equal(o.care.vip_remind, 30);
    assert_int_equal(o.ro.scheme, CRM_RFM_SEED);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_OK);
    assert_int_equal(o.report, CRM_SEGREP_CUSTOMERS);
}

static void test_segrep_options_set_each(void **state)
{
    (void)state;
    struct crm_segrep_opts o;
    struct crm_errinfo e;
    crm_segrep_opts_default(&o);
    assert_int_equal(set(&o, "by", "vip", &e), CRM_OK);
    assert_int_equal(o.by, CRM_SEGMENT_BY_VIP);
    assert_int_equal(set(&o, "vip-remind", "364", &e), CRM_OK);
    assert_int_equal(o.care.vip_remind, 364);
    assert_int_equal(set(&o, "period", "quarter", &e), CRM_OK);
    assert_int_equal(o.period, CRM_KPI_QUARTER);
    assert_int_equal(set(&o, "holdout", "0.25", &e), CRM_OK);
    assert_true(o.holdout == 0.25);
    assert_int_equal(set(&o, "salt", "c1", &e), CRM_OK);
    assert_int_equal(set(&o, "care", NULL, &e), CRM_OK);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_OK);
    assert_int_equal(o.report, CRM_SEGREP_CARE);
}

static void test_segrep_options_malformed_name_the_option(void **state)
{
    (void)state;
    struct crm_segrep_opts o;
    struct crm_errinfo e;
    crm_segrep_opts_default(&o);
    assert_int_equal(set(&o, "by", "tier", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--by tier: expected class, segment or vip");
    assert_int_equal(set(&o, "vip-remind", "365", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--vip-remind 365: expected a whole number from 1 to 364");
    assert_int_equal(set(&o, "vip-remind", "3x", &e), CRM_EUSAGE);
    assert_int_equal(set(&o, "holdout", "1.5", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--holdout 1.5: expected a number from 0 to 1");
    assert_int_equal(set(&o, "holdout", "nan", &e), CRM_EUSAGE);
    assert_int_equal(set(&o, "period", "day", &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--period day: expected month, week or quarter");
    assert_int_equal(set(&o, "window", "30", &e), CRM_EUSAGE);
    assert_int_equal(o.care.vip_remind, 30);    /* unchanged by the refused values */
}

static void test_segrep_options_finish_checks(void **state)
{
    (void)state;
    struct crm_segrep_opts o;
    struct crm_errinfo e;
    crm_segrep_opts_default(&o);
    set(&o, "summary", NULL, &e);
    set(&o, "kpi", NULL, &e);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_EUSAGE);
    assert_string_equal(e.msg, "--summary, --care and --kpi are separate reports; give one");
    crm_segrep_opts_default(&o);
    set(&o, "salt", "x", &e);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "--holdout and --salt split the care list"));
    crm_segrep_opts_default(&o);
    set(&o, "care", NULL, &e);
    set(&o, "holdout", "0.1", &e);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "--care needs both --holdout F (0 < F < 1) and --salt NAME"));
    crm_segrep_opts_default(&o);
    set(&o, "kpi", NULL, &e);
    assert_int_equal(crm_segrep_opts_finish(&o, &e), CRM_OK);
    assert_int_equal(o.report, CRM_SEGREP_KPI);
}

static void write_store(char *path)
{
    static const char *const cust[] = {"a", "b", "a", "c", "a"};
    strcpy(path, "/tmp/crm-segrep-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    for (size_t i = 0; i < 5; i++) {
        struct crm_order ord = {0};
        assert_int_equal(crm_store_writer_customer(w, cust[i], 1, &ord.customer, &e), CRM_OK);
        ord.time = ((int64_t)D("2024-03-01") + 40 * (int64_t)i) * 86400;
        ord.amount = 10000;
        ord.quantity = 2;
        ord.status = CRM_STATUS_PAID;
        assert_int_equal(crm_store_writer_add(w, &ord, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

static void test_segrep_run_gives_what_each_report_needs(void **state)
{
    (void)state;
    char path[64];
    struct crm_errinfo e;
    write_store(path);
    const enum crm_segment_report reports[] = {CRM_SEGREP_CUSTOMERS, CRM_SEGREP_SUMMARY,
                                               CRM_SEGREP_CARE, CRM_SEGREP_KPI};
    for (int i = 0; i < 4; i++) {
        struct crm_store *s;
        struct crm_segrep_opts o;
        struct crm_segrep r;
        crm_segrep_opts_default(&o);
        o.report = reports[i];
        o.as_of = D("2024-12-01");
        assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
        assert_int_equal(crm_segrep_run(s, &o, &r, &e), CRM_OK);
        assert_int_equal(r.a->n, 3);
        assert_int_equal(r.scale, 2);
        assert_true((r.seg != NULL) == (reports[i] != CRM_SEGREP_KPI));
        assert_true((r.sum != NULL) == (reports[i] == CRM_SEGREP_SUMMARY));
        assert_true((r.care != NULL) == (reports[i] == CRM_SEGREP_CARE));
        assert_true((r.kpi != NULL) == (reports[i] == CRM_SEGREP_KPI));
        if (r.sum) {
            uint64_t customers = 0;
            for (size_t k = 0; k < r.sum->n; k++)
                customers += r.sum->group[k].customers;
            assert_int_equal(customers, 3);
        }
        crm_segrep_free(&r);
        crm_store_close(s);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segrep_options_defaults),
        cmocka_unit_test(test_segrep_options_set_each),
        cmocka_unit_test(test_segrep_options_malformed_name_the_option),
        cmocka_unit_test(test_segrep_options_finish_checks),
        cmocka_unit_test(test_segrep_run_gives_what_each_report_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
