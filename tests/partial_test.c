/* Tests of lib/partial: the partial-result text format of scale-out (docs/SCALE.md). */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "text/out.h"
#include "scale/partial.h"

/* A temporary file name (the file is created empty). */
static void tmp_path(char *path)
{
    strcpy(path, "/tmp/crm-partial-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A partial of kind "test": two options, one info, section a (2 rows), section b (0 rows). */
static void write_sample(const char *path)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    struct crm_out *o = crm_out_new(fd, path, 0);
    struct crm_partial_opts opts = {0};
    crm_partial_opts_add(&opts, "as-of", "2025-01-01");
    crm_partial_opts_add(&opts, "tz", "%s", "");
    struct crm_partial_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_partial_writer_new(o, "test", &opts, &w, &e), CRM_OK);
    crm_partial_info(w, "note", "a b%%c");
    crm_partial_section(w, "a", 2);
    crm_partial_i64(w, -42);
    crm_partial_text(w, "a b,c%\"d", 8);
    crm_partial_end_row(w);
    crm_partial_u64(w, UINT64_MAX);
    crm_partial_text(w, "", 0);
    crm_partial_end_row(w);
    crm_partial_section(w, "b", 0);
    assert_int_equal(crm_partial_writer_finish(w, &e), CRM_OK);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    close(fd);
}

static void test_partial_writes_escaped_tokens(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    const char *text = read_text(path);
    const char *want = "crmkit-partial 1 test\n"
                       "option as-of 2025-01-01\n"
                       "option tz %\n"
                       "info note a%20b%25c\n"
                       "section a 2\n"
                       "-42 a%20b,c%25\"d\n"
                       "18446744073709551615 %\n"
                       "section b 0\n";
    assert_memory_equal(text, want, strlen(want));
    /* then "end " and 8 hex digits */
    assert_string_equal(text + strlen(want) + 12, "\n");
    assert_memory_equal(text + strlen(want), "end ", 4);
    unlink(path);
}

static void test_partial_reads_back_what_was_written(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    struct crm_partial *p;
    struct crm_partial_head h;
    struct crm_errinfo e;
    int got;
    assert_int_equal(crm_partial_open(path, &p, &e), CRM_OK);
    assert_int_equal(crm_partial_next(p, &h, &got, &e), CRM_OK);
    assert_int_equal(got, 1);
    assert_string_equal(h.kind, "test");
    assert_int_equal(h.options.n, 2);
    assert_string_equal(crm_partial_opts_get(&h.options, "as-of"), "2025-01-01");
    assert_string_equal(crm_partial_opts_get(&h.options, "tz"), "");
    assert_int_equal(h.options.kv[1].line, 3);
    assert_string_equal(crm_partial_opts_get(&h.info, "note"), "a b%c");
    char name[CRM_PARTIAL_KEY], *f[2];
    uint64_t rows, u;
    int64_t v;
    assert_int_equal(crm_partial_section_next(p, name, &rows, &got, &e), CRM_OK);
    assert_string_equal(name, "a");
    assert_int_equal(rows, 2);
    assert_int_equal(crm_partial_row(p, f, 2, &e), CRM_OK);
    assert_int_equal(crm_partial_parse_i64(p, f[0], "v", &v, &e), CRM_OK);
    assert_int_equal(v, -42);
    assert_string_equal(f[1], "a b,c%\"d");
    assert_int_equal(crm_partial_row(p, f, 2, &e), CRM_OK);
    assert_int_equal(crm_partial_parse_u64(p, f[0], "u", &u, &e), CRM_OK);
    assert_true(u == UINT64_MAX);
    assert_string_equal(f[1], "");
    assert_int_equal(crm_partial_section_next(p, name, &rows, &got, &e), CRM_OK);
    assert_string_equal(name, "b");
    assert_int_equal(rows, 0);
    assert_int_equal(crm_partial_section_next(p, name, &rows, &got, &e), CRM_OK);
    assert_int_equal(got, 0);   /* the end line, CRC checked */
    assert_int_equal(crm_partial_next(p, &h, &got, &e), CRM_OK);
    assert_int_equal(got, 0);
    crm_partial_close(p);
    unlink(path);
}

/* Rows of two fields, read (not skipped): the row checks run too. */
static enum crm_err read_rows(void *ctx, struct crm_partial *p, const char *name,
                              uint64_t rows, struct crm_errinfo *e)
{
    (void)ctx, (void)name;
    enum crm_err rc = CRM_OK;
    char *f[2];
    for (uint64_t i = 0; i < rows && rc == CRM_OK; i++)
        rc = crm_partial_row(p, f, 2, e);
    return rc;
}

/* Read every partial of path to its end (crm_partial_walk); the first error. */
static enum crm_err read_all(const char *path, struct crm_errinfo *e, int *partials)
{
    const struct crm_partial_walker w = {NULL, read_rows, NULL, NULL};
    size_t n = 0;
    enum crm_err rc = crm_partial_walk(path, &w, &n, e);
    *partials = (int)n;
    return rc;
}

static void test_partial_crc_catches_an_edited_digit(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    char *text = strdup(read_text(path));
    char *digit = strstr(text, "-42");
    digit[2] = '3';
    write_text(path, text);
    free(text);
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_ECORRUPT);
    assert_int_equal(e.line, 9);   /* the end line */
    assert_string_equal(e.file, path);
    assert_non_null(strstr(e.msg, "damaged or edited"));
    unlink(path);
}

static void test_partial_truncated_file_is_an_error(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    char *text = strdup(read_text(path));
    *strstr(text, "section b") = '\0';
    write_text(path, text);
    free(text);
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_ETRUNC);
    assert_int_equal(e.line, 7);
    unlink(path);
}

/* Hadoop Streaming appends a tab to output lines without one; CRLF from a copy on Windows. */
static void test_partial_ignores_a_trailing_tab_and_cr(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    const char *text = read_text(path);
    char out[8192];
    size_t k = 0;
    for (const char *s = text; *s; s++) {
        if (*s == '\n') {
            out[k++] = '\t';
            out[k++] = '\r';
        }
        out[k++] = *s;
    }
    out[k] = '\0';
    write_text(path, out);
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_OK);
    assert_int_equal(n, 1);
    unlink(path);
}

static void test_partial_reads_partials_back_to_back(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    char *one = strdup(read_text(path));
    char both[8192];
    snprintf(both, sizeof both, "%s\n%s", one, one);   /* a blank line between is allowed */
    free(one);
    write_text(path, both);
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_OK);
    assert_int_equal(n, 2);
    unlink(path);
}

static void test_partial_refuses_other_files(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_EUSAGE);   /* empty */
    write_text(path, "customer_id,r,f,m\n");
    assert_int_equal(read_all(path, &e, &n), CRM_EUSAGE);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.msg, "not a crmkit partial"));
    write_text(path, "crmkit-partial 2 test\nend 00000000\n");
    assert_int_equal(read_all(path, &e, &n), CRM_EVERSION);
    assert_int_equal(read_all("/nonexistent/p", &e, &n), CRM_EUSAGE);
    unlink(path);
}

static void test_partial_row_with_wrong_field_count_names_its_line(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    struct crm_partial *p;
    struct crm_partial_head h;
    struct crm_errinfo e;
    int got;
    char name[CRM_PARTIAL_KEY], *f[3];
    uint64_t rows;
    assert_int_equal(crm_partial_open(path, &p, &e), CRM_OK);
    assert_int_equal(crm_partial_next(p, &h, &got, &e), CRM_OK);
    assert_int_equal(crm_partial_section_next(p, name, &rows, &got, &e), CRM_OK);
    assert_int_equal(crm_partial_row(p, f, 3, &e), CRM_EDATA);
    assert_int_equal(e.line, 6);
    assert_string_equal(e.file, path);
    crm_partial_close(p);
    unlink(path);
}

static void test_partial_section_shorter_than_announced(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    /* the end line is taken for the third row, and then the file ends */
    write_text(path, "crmkit-partial 1 test\nsection a 3\n1 2\n2 3\nend 00000000\n");
    struct crm_errinfo e;
    int n;
    assert_int_equal(read_all(path, &e, &n), CRM_ETRUNC);
    assert_int_equal(e.line, 5);
    unlink(path);
}

static void test_partial_reopens_a_section_at_its_offset(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    struct crm_partial *p, *q;
    struct crm_partial_head h;
    struct crm_errinfo e;
    int got;
    char name[CRM_PARTIAL_KEY], *f[2];
    uint64_t rows;
    long long line;
    assert_int_equal(crm_partial_open(path, &p, &e), CRM_OK);
    assert_int_equal(crm_partial_next(p, &h, &got, &e), CRM_OK);
    assert_int_equal(crm_partial_section_next(p, name, &rows, &got, &e), CRM_OK);
    long long off = crm_partial_offset(p, &line);
    assert_int_equal(line, 6);
    assert_int_equal(off, 22 + 24 + 12 + 20 + 12);   /* the bytes of the five lines before */
    assert_int_equal(crm_partial_open_rows(path, off, line, 2, &q, &e), CRM_OK);
    assert_int_equal(crm_partial_row(q, f, 2, &e), CRM_OK);
    assert_string_equal(f[0], "-42");
    assert_int_equal(crm_partial_row(q, f, 2, &e), CRM_OK);
    assert_int_equal(crm_partial_row(q, f, 2, &e), CRM_EDATA);   /* only 2 rows */
    crm_partial_close(q);
    crm_partial_close(p);
    unlink(path);
}

static void test_partial_option_check_names_the_difference(void **state)
{
    (void)state;
    struct crm_partial_opts have = {0}, want = {0};
    struct crm_errinfo e;
    crm_partial_opts_add(&have, "as-of", "2025-01-01");
    crm_partial_opts_add(&have, "window", "365");
    have.kv[1].line = 3;
    crm_partial_opts_add(&want, "window", "365");
    crm_partial_opts_add(&want, "as-of", "2025-01-01");
    assert_int_equal(crm_partial_opts_check(&have, "p.1", &want, "p.0", &e), CRM_OK);
    snprintf(want.kv[0].value, sizeof want.kv[0].value, "all");
    assert_int_equal(crm_partial_opts_check(&have, "p.1", &want, "p.0", &e), CRM_EUSAGE);
    assert_string_equal(e.file, "p.1");
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "window 365, but p.0 has window all"));
    crm_partial_opts_remove(&want, "window");
    assert_int_equal(crm_partial_opts_check(&have, "p.1", &want, "p.0", &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "option window is unknown"));
}

static void test_partial_number_fields_are_strict(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    struct crm_partial *p;
    struct crm_errinfo e;
    int64_t v;
    uint64_t u;
    assert_int_equal(crm_partial_open(path, &p, &e), CRM_OK);
    assert_int_equal(crm_partial_parse_i64(p, "-9223372036854775808", "v", &v, &e), CRM_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(crm_partial_parse_i64(p, "9223372036854775808", "v", &v, &e), CRM_EDATA);
    assert_int_equal(crm_partial_parse_i64(p, "-0", "v", &v, &e), CRM_EDATA);
    assert_int_equal(crm_partial_parse_u64(p, "01", "u", &u, &e), CRM_EDATA);
    assert_int_equal(crm_partial_parse_u64(p, "18446744073709551616", "u", &u, &e), CRM_EDATA);
    assert_int_equal(crm_partial_parse_u64(p, "-1", "u", &u, &e), CRM_EDATA);
    assert_int_equal(crm_partial_parse_u64(p, "0", "u", &u, &e), CRM_OK);
    assert_int_equal(u, 0);
    crm_partial_close(p);
    unlink(path);
}

/* What the walk's hooks saw, as text: "h" per head, the section name, "d" per done. */
struct walk_log {
    char seen[64];
    int stop_at_b;              /* section b's hook fails */
};

static enum crm_err log_head(void *ctx, struct crm_partial *p, const struct crm_partial_head *h,
                             struct crm_errinfo *e)
{
    (void)p, (void)e;
    struct walk_log *l = ctx;
    strcat(l->seen, strcmp(h->kind, "test") == 0 ? "h" : "?");
    return CRM_OK;
}

static enum crm_err log_section(void *ctx, struct crm_partial *p, const char *name,
                                uint64_t rows, struct crm_errinfo *e)
{
    struct walk_log *l = ctx;
    strcat(l->seen, name);
    if (l->stop_at_b && strcmp(name, "b") == 0)
        return crm_errinfo_set(e, CRM_EDATA, "stop");
    return rows ? crm_partial_skip_rows(p, e) : CRM_OK;
}

static enum crm_err log_done(void *ctx, struct crm_partial *p, const struct crm_partial_head *h,
                             struct crm_errinfo *e)
{
    (void)p, (void)h, (void)e;
    strcat(((struct walk_log *)ctx)->seen, "d");
    return CRM_OK;
}

static void test_partial_walk_hands_every_partial_to_its_hooks(void **state)
{
    (void)state;
    char path[64];
    tmp_path(path);
    write_sample(path);
    char one[8192];
    snprintf(one, sizeof one, "%s", read_text(path));
    char both[16384];
    snprintf(both, sizeof both, "%s%s", one, one);
    write_text(path, both);
    struct crm_errinfo e;
    struct walk_log l = {"", 0};
    const struct crm_partial_walker w = {log_head, log_section, log_done, &l};
    size_t n = 9;
    assert_int_equal(crm_partial_walk(path, &w, &n, &e), CRM_OK);
    assert_string_equal(l.seen, "habdhabd");
    assert_int_equal(n, 2);
    /* a hook's error stops the walk: nothing after it, and only whole partials count */
    struct walk_log stop = {"", 1};
    const struct crm_partial_walker ws = {log_head, log_section, log_done, &stop};
    assert_int_equal(crm_partial_walk(path, &ws, &n, &e), CRM_EDATA);
    assert_string_equal(stop.seen, "hab");
    assert_int_equal(n, 0);
    /* no hooks: every section skipped, the CRCs still checked */
    const struct crm_partial_walker none = {NULL, NULL, NULL, NULL};
    assert_int_equal(crm_partial_walk(path, &none, &n, &e), CRM_OK);
    assert_int_equal(n, 2);
    both[strlen(one) + 60] ^= 1;   /* a byte of the second partial */
    write_text(path, both);
    assert_int_not_equal(crm_partial_walk(path, &none, &n, &e), CRM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(crm_partial_walk("/nonexistent/p", &none, &n, &e), CRM_EUSAGE);
    assert_int_equal(n, 0);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partial_writes_escaped_tokens),
        cmocka_unit_test(test_partial_reads_back_what_was_written),
        cmocka_unit_test(test_partial_crc_catches_an_edited_digit),
        cmocka_unit_test(test_partial_truncated_file_is_an_error),
        cmocka_unit_test(test_partial_ignores_a_trailing_tab_and_cr),
        cmocka_unit_test(test_partial_reads_partials_back_to_back),
        cmocka_unit_test(test_partial_refuses_other_files),
        cmocka_unit_test(test_partial_row_with_wrong_field_count_names_its_line),
        cmocka_unit_test(test_partial_section_shorter_than_announced),
        cmocka_unit_test(test_partial_reopens_a_section_at_its_offset),
        cmocka_unit_test(test_partial_option_check_names_the_difference),
        cmocka_unit_test(test_partial_number_fields_are_strict),
        cmocka_unit_test(test_partial_walk_hands_every_partial_to_its_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
