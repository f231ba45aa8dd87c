/* Tests for lib/outrows and the memory writer of lib/out: two-thread row printing gives the
 * same bytes as printing rows one by one, for every block boundary and output flag (an xlsx
 * workbook included: its rows are written on one thread, in order). */
#include <fcntl.h>
#include <signal.h>

#include "testutil.h"

#include "text/out.h"
#include "text/outrows.h"

/* Rows of varying length (some quoted, some skipped, dates and money), index-determined. */
static void row(struct crm_out *o, size_t i, void *ctx)
{
    const int *sparse = ctx;   /* when set, whole blocks print nothing (as crm-churn skips) */
    if (i % 7 == 3 || (sparse && *sparse && i >= 4096 && i < 3 * 4096))
        return;
    char id[32];
    snprintf(id, sizeof id, i % 11 == 1 ? "-c%zu" : i % 5 ? "c%zu" : "\"c,%zu\"", i);
    crm_out_cstr(o, id);
    crm_out_int(o, (long long)i * 37 - 1000);
    crm_out_money(o, (int64_t)i * 12345, 2);
    crm_out_date(o, (int32_t)(19000 + i % 900));
    crm_out_end_row(o);
}

static char *print(size_t n, unsigned flags, int parallel, int sparse, size_t *len)
{
    char path[] = "/tmp/crm-outrows-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_out *o = crm_out_new(fd, path, flags);
    struct crm_errinfo e;
    crm_out_header(o, "id,n,money,day");
    if (parallel) {
        assert_int_equal(crm_outrows_write(o, n, row, &sparse, &e), CRM_OK);
    } else {
        for (size_t i = 0; i < n; i++)
            row(o, i, &sparse);
    }
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    off_t size = lseek(fd, 0, SEEK_END);
    char *buf = malloc((size_t)size + 1);
    assert_int_equal(pread(fd, buf, (size_t)size, 0), size);
    close(fd);
    unlink(path);
    *len = (size_t)size;
    return buf;
}

static void test_outrows_same_bytes_as_one_by_one(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 8192, 3 * 4096 + 5, 40000};
    static const unsigned flags[] = {0, CRM_OUT_TSV, CRM_OUT_BOM, CRM_OUT_TSV | CRM_OUT_BOM,
                                     CRM_OUT_ESCAPE, CRM_OUT_DECIMAL_COMMA, CRM_OUT_XLSX};
    for (int sparse = 0; sparse < 2; sparse++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
                size_t la, lb;
                char *a = print(sizes[s], flags[f], 0, sparse, &la);
                char *b = print(sizes[s], flags[f], 1, sparse, &lb);
                if (la != lb || memcmp(a, b, la) != 0)
                    fail_msg("n=%zu flags=%u sparse=%d: %zu vs %zu bytes differ", sizes[s],
                             flags[f], sparse, la, lb);
                free(a);
                free(b);
            }
        }
    }
}

static void test_outrows_memory_writer_keeps_crlf_without_bom(void **state)
{
    (void)state;
    struct crm_out *m = crm_out_new_mem(CRM_OUT_BOM);
    size_t empty_len = 99;   /* nothing written yet: empty text, not NULL */
    const char *empty = crm_out_mem(m, &empty_len);
    assert_non_null(empty);
    assert_int_equal(empty_len, 0);
    crm_out_cstr(m, "a");
    crm_out_int(m, -5);
    crm_out_end_row(m);
    size_t len;
    const char *text = crm_out_mem(m, &len);
    assert_int_equal(len, 6);
    assert_memory_equal(text, "a,-5\r\n", 6);
    crm_out_mem_clear(m);
    crm_out_int(m, 7);
    crm_out_end_row(m);
    text = crm_out_mem(m, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(text, "7\r\n", 3);
    assert_int_equal(crm_out_flags(m), CRM_OUT_BOM);
    crm_out_free(m);
}

static void test_outrows_stops_quietly_on_a_closed_pipe(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    struct crm_out *o = crm_out_new(p[1], "pipe", 0);
    struct crm_errinfo e;
    assert_int_equal(crm_outrows_write(o, 100000, row, NULL, &e), CRM_OK);
    assert_true(crm_out_failed(o));
    assert_int_equal(crm_out_close(o, &e), CRM_EPIPE);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outrows_same_bytes_as_one_by_one),
        cmocka_unit_test(test_outrows_memory_writer_keeps_crlf_without_bom),
        cmocka_unit_test(test_outrows_stops_quietly_on_a_closed_pipe),
    };
    return cmocka_run_group_tests_name("outrows", tests, NULL, NULL);
}
