/* Tests for lib/csvin: delimiters, encodings, gzip, line numbers and damaged input. */
#include "testutil.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <zlib.h>

#include "text/csvin.h"

static char tmpl[64];

static const char *write_temp(const void *data, size_t len)
{
    strcpy(tmpl, "/tmp/crm-csvin-test-XXXXXX");
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return tmpl;
}

static const char *write_gz(const char *text, size_t len, int members)
{
    strcpy(tmpl, "/tmp/crm-csvin-test-XXXXXX");
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    close(fd);
    size_t part = len / (size_t)members;
    for (int m = 0; m < members; m++) {
        gzFile g = gzopen(tmpl, m == 0 ? "wb" : "ab");
        size_t from = part * (size_t)m, to = m == members - 1 ? len : part * (size_t)(m + 1);
        gzwrite(g, text + from, (unsigned)(to - from));
        gzclose(g);
    }
    return tmpl;
}

struct rows {
    size_t n;
    long long line[64];
    size_t nf[64];
    char field[64][8][64];
    int bad[64];
};

static enum crm_err read_rows(const char *path, const struct crm_csvin_opts *o, struct rows *r,
                              struct crm_errinfo *e, struct crm_csvin **keep)
{
    struct crm_csvin *c;
    memset(r, 0, sizeof *r);
    enum crm_err rc = crm_csvin_open(path, o, &c, e);
    if (rc != CRM_OK)
        return rc;
    struct crm_record rec;
    while ((rc = crm_csvin_next(c, &rec, e)) == CRM_OK && rec.nfields > 0) {
        if (r->n < 64) {
            r->line[r->n] = rec.line;
            r->nf[r->n] = rec.nfields;
            r->bad[r->n] = rec.bad_bytes;
            for (size_t i = 0; i < rec.nfields && i < 8; i++)
                snprintf(r->field[r->n][i], 64, "%s", rec.field[i]);
        }
        r->n++;
    }
    if (keep)
        *keep = c;
    else
        crm_csvin_close(c);
    unlink(path);
    return rc;
}

static void test_csvin_line_numbers_count_quoted_newlines_and_blank_lines(void **state)
{
    (void)state;
    const char *t = "id,note\n1,\"two\nlines\"\n\n2,x\r\n3,\"a\r\nb\"\r\n4,y";
    struct rows r;
    struct crm_errinfo e;
    assert_int_equal(read_rows(write_temp(t, strlen(t)), NULL, &r, &e, NULL), CRM_OK);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.line[0], 1);
    assert_int_equal(r.line[1], 2);
    assert_string_equal(r.field[1][1], "two\nlines");
    assert_int_equal(r.line[2], 5);
    assert_int_equal(r.line[3], 6);
    assert_string_equal(r.field[3][1], "a\r\nb");
    assert_int_equal(r.line[4], 8);
    assert_string_equal(r.field[4][1], "y");
}

static void test_csvin_bom_and_crlf_are_accepted(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF" "customer,amount\r\nA,1.00\r\nB,2.00\r\n";
    struct rows r;
    struct crm_errinfo e;
    assert_int_equal(read_rows(write_temp(t, strlen(t)), NULL, &r, &e, NULL), CRM_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.field[0][0], "customer");
    assert_int_equal(r.line[2], 3);
    assert_string_equal(r.field[2][1], "2.00");
}

static void test_csvin_detects_tab_semicolon_and_whitespace(void **state)
{
    (void)state;
    struct rows r;
    struct crm_errinfo e;
    const char *tsv = "a\tb, c\tc\n1\t2,5\t3\n";
    assert_int_equal(read_rows(write_temp(tsv, strlen(tsv)), NULL, &r, &e, NULL), CRM_OK);
    assert_int_equal(r.nf[1], 3);
    assert_string_equal(r.field[1][1], "2,5");
    const char *semi = "a;b\n1;2\n";
    assert_int_equal(read_rows(write_temp(semi, strlen(semi)), NULL, &r, &e, NULL), CRM_OK);
    assert_string_equal(r.field[1][1], "2");
    const char *ws = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1\t  11.77\r\n";
    struct crm_csvin *c;
    assert_int_equal(read_rows(write_temp(ws, strlen(ws)), NULL, &r, &e, &c), CRM_OK);
    assert_int_equal(crm_csvin_delimiter(c), CRM_CSV_WHITESPACE);
    crm_csvin_close(c);
    assert_int_equal(r.nf[0], 4);
    assert_int_equal(r.nf[1], 4);
    assert_string_equal(r.field[1][0], "00001");
    assert_string_equal(r.field[1][3], "11.77");
}

static void test_csvin_gb18030_is_detected_and_converted(void **state)
{
    (void)state;
    /* 买家会员名,金额 / 张三,12 in GBK; 0x81 0x30 0x81 0x30 is a 4-byte GB18030 code. */
    const char t[] = "\xC2\xF2\xBC\xD2\xBB\xE1\xD4\xB1\xC3\xFB,\xBD\xF0\xB6\xEE\n"
                     "\xD5\xC5\xC8\xFD,12\n\x81\x30\x81\x30,1\n";
    struct rows r;
    struct crm_errinfo e;
    struct crm_csvin *c;
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), NULL, &r, &e, &c), CRM_OK);
    assert_string_equal(crm_csvin_encoding(c), "GB18030");
    crm_csvin_close(c);
    assert_string_equal(r.field[0][0], "买家会员名");
    assert_string_equal(r.field[1][0], "张三");
    assert_string_equal(r.field[2][0], "\xC2\x80");   /* U+0080 */
    assert_int_equal(r.bad[1], 0);
}

static void test_csvin_invalid_bytes_flag_only_their_row(void **state)
{
    (void)state;
    const char t[] = "name,amount\n张三,1\nbad\xFF\xFEname,2\nok,3\n";
    struct rows r;
    struct crm_errinfo e;
    struct crm_csvin_opts o = {.encoding = "utf-8"};
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), &o, &r, &e, NULL), CRM_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.bad[1], 0);
    assert_int_equal(r.bad[2], 1);
    assert_string_equal(r.field[2][0], "bad\\xFF\\xFEname");
    assert_int_equal(r.line[2], 3);
    assert_int_equal(r.bad[3], 0);
}

static void test_csvin_nul_byte_is_a_bad_byte(void **state)
{
    (void)state;
    const char t[] = "a,b\nx\0y,1\n";
    struct rows r;
    struct crm_errinfo e;
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), NULL, &r, &e, NULL), CRM_OK);
    assert_int_equal(r.bad[1], 1);
    assert_string_equal(r.field[1][0], "x\\x00y");
}

/* Found by the fault tests: one NUL byte in a UTF-8 file made the sniffer choose GB18030,
 * so every Chinese customer id of the file came out garbled without a single reject. */
static void test_csvin_a_nul_byte_does_not_make_a_utf8_file_gb18030(void **state)
{
    (void)state;
    const char t[] = "id,cust\n1,张伟\n2,李\0娜\n3,王芳\n";
    struct rows r;
    struct crm_errinfo e;
    struct crm_csvin *c;
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), NULL, &r, &e, &c), CRM_OK);
    assert_string_equal(crm_csvin_encoding(c), "UTF-8");
    crm_csvin_close(c);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.field[1][1], "张伟");
    assert_int_equal(r.bad[1], 0);
    assert_string_equal(r.field[2][1], "李\\x00娜");
    assert_int_equal(r.bad[2], 1);
    assert_string_equal(r.field[3][1], "王芳");
}

static void test_csvin_spreadsheet_text_markers_are_kept_for_the_importer(void **state)
{
    (void)state;
    const char *t = "id,cust\n1,=\"0012\"\n2,'0012\n";
    struct rows r;
    struct crm_errinfo e;
    assert_int_equal(read_rows(write_temp(t, strlen(t)), NULL, &r, &e, NULL), CRM_OK);
    assert_string_equal(r.field[1][1], "=\"0012\"");
    assert_string_equal(r.field[2][1], "'0012");
}

static void test_csvin_reads_gzip_by_magic_including_multiple_members(void **state)
{
    (void)state;
    const char *t = "a,b\n1,2\n3,4\n5,6\n";
    struct rows r;
    struct crm_errinfo e;
    struct crm_csvin *c;
    assert_int_equal(read_rows(write_gz(t, strlen(t), 2), NULL, &r, &e, &c), CRM_OK);
    assert_true(crm_csvin_gzipped(c));
    crm_csvin_close(c);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.field[3][1], "6");
    assert_int_equal(r.line[3], 4);
}

static void test_csvin_truncated_gzip_is_an_error(void **state)
{
    (void)state;
    char *big = malloc(200000);
    size_t n = 0;
    n += (size_t)sprintf(big, "a,b\n");
    for (int i = 0; n < 190000; i++)
        n += (size_t)sprintf(big + n, "%d,%d\n", i, i * 7919 % 10007);
    const char *path = write_gz(big, n, 1);
    FILE *f = fopen(path, "rb");
    unsigned char buf[300000];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = fopen(path, "wb");
    fwrite(buf, 1, len / 2, f);
    fclose(f);
    struct rows r;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(read_rows(path, NULL, &r, &e, NULL), CRM_ETRUNC);
    assert_non_null(strstr(e.msg, "gzip"));
    assert_non_null(strstr(e.file, "crm-csvin-test"));
    free(big);
}

static void test_csvin_records_across_block_boundaries_stay_whole(void **state)
{
    (void)state;
    /* Lines of varying length so records straddle the 1 MiB parse blocks. */
    size_t cap = 5u << 20, n = 0;
    char *t = malloc(cap);
    n += (size_t)sprintf(t, "id,text,amount\n");
    int rows = 0;
    while (n < (3u << 20)) {
        rows++;
        n += (size_t)sprintf(t + n, "%d,\"%.*s\nx\",%d.%02d\n", rows, rows % 97, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                             rows, rows % 100);
    }
    const char *path = write_temp(t, n);
    struct crm_csvin *c;
    struct crm_errinfo e;
    assert_int_equal(crm_csvin_open(path, NULL, &c, &e), CRM_OK);
    struct crm_record rec;
    int seen = 0;
    assert_int_equal(crm_csvin_next(c, &rec, &e), CRM_OK);   /* header */
    while (crm_csvin_next(c, &rec, &e) == CRM_OK && rec.nfields > 0) {
        seen++;
        assert_int_equal(rec.nfields, 3);
        assert_int_equal(atoi(rec.field[0]), seen);
        assert_int_equal(rec.line, 2 + 2LL * (seen - 1));
        assert_int_equal(rec.len[1], (size_t)(seen % 97) + 2);
    }
    assert_int_equal(seen, rows);
    crm_csvin_close(c);
    unlink(path);
    free(t);
}

/* Found by the fault tests: a 1 GB line of short fields ("a,a,a,...") took gigabytes of
 * field offsets and ended in "out of memory" with no line. A record past a million fields
 * (or 256 MiB of text) is now an error naming its line, in bounded memory. */
static void test_csvin_a_record_of_too_many_fields_is_an_error_naming_its_line(void **state)
{
    (void)state;
    size_t nf = (1u << 20) + 10, n = 0;
    char *t = malloc(2 * nf + 64);
    n += (size_t)sprintf(t, "a,b\n1,2\n");
    for (size_t i = 0; i < nf; i++) {
        t[n++] = 'x';
        t[n++] = ',';
    }
    t[n++] = '\n';
    n += (size_t)sprintf(t + n, "3,4\n");
    /* blocks of 128 KiB: the line reaches libcsv; of 8 MiB: the in-place split sees it */
    const struct crm_csvin_opts big = {.seg_block_bytes = 8u << 20};
    const struct crm_csvin_opts *opts[] = {NULL, &big};
    for (int k = 0; k < 2; k++) {
        struct rows r;
        struct crm_errinfo e;
        crm_errinfo_clear(&e);
        assert_int_equal(read_rows(write_temp(t, n), opts[k], &r, &e, NULL), CRM_EDATA);
        assert_int_equal(e.line, 3);
        assert_non_null(strstr(e.msg, "more than 1048576 fields"));
    }
    free(t);
}

/* The field limit exactly: a record of 2^20 fields is read (with its line and the records
 * after it), one of 2^20 + 1 is the error — by libcsv (128 KiB blocks) and by the in-place
 * split (8 MiB blocks) alike. */
static void test_csvin_the_field_limit_is_exact(void **state)
{
    (void)state;
    const size_t limit = 1u << 20;
    char *t = malloc(2 * limit + 64);
    assert_non_null(t);
    const struct crm_csvin_opts big = {.seg_block_bytes = 8u << 20};
    const struct crm_csvin_opts *opts[] = {NULL, &big};
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t n = (size_t)sprintf(t, "a,b\n\n1,2\n");
        for (size_t i = 0; i < limit + extra; i++) {
            t[n++] = 'x';
            t[n++] = ',';
        }
        t[n - 1] = '\n';                               /* the last field's comma */
        n += (size_t)sprintf(t + n, "3,4\n");
        for (int k = 0; k < 2; k++) {
            struct rows r;
            struct crm_errinfo e;
            crm_errinfo_clear(&e);
            enum crm_err rc = read_rows(write_temp(t, n), opts[k], &r, &e, NULL);
            if (extra) {
                assert_int_equal(rc, CRM_EDATA);
                assert_int_equal(e.line, 4);
                assert_non_null(strstr(e.msg, "more than 1048576 fields"));
                continue;
            }
            assert_int_equal(rc, CRM_OK);
            assert_int_equal(r.n, 4);
            assert_int_equal(r.nf[2], limit);
            assert_int_equal(r.line[2], 4);
            assert_int_equal(r.line[3], 5);
            assert_string_equal(r.field[3][1], "4");
        }
    }
    free(t);
}

/* Found by the fault tests under ASan: libcsv grew a field's buffer 4 KiB at a time, so a
 * long field was copied quadratically (16 MB took a minute); now growth is geometric and a
 * 48 MB quoted field (a stray quote swallowing the rest of a file) reads at once. */
static void test_csvin_a_long_field_is_read_whole(void **state)
{
    (void)state;
    size_t big = 48u << 20, n = 0;
    char *t = malloc(big + 64);
    n += (size_t)sprintf(t, "a,b\n1,\"");
    memset(t + n, 'x', big);
    n += big;
    n += (size_t)sprintf(t + n, "\"\n2,y\n");
    const char *path = write_temp(t, n);
    free(t);
    struct crm_csvin *c;
    struct crm_errinfo e;
    struct crm_record rec;
    assert_int_equal(crm_csvin_open(path, NULL, &c, &e), CRM_OK);
    assert_int_equal(crm_csvin_next(c, &rec, &e), CRM_OK);
    assert_int_equal(crm_csvin_next(c, &rec, &e), CRM_OK);
    assert_int_equal(rec.nfields, 2);
    assert_int_equal(rec.len[1], big);
    assert_int_equal(crm_csvin_next(c, &rec, &e), CRM_OK);
    assert_int_equal(rec.line, 3);
    assert_string_equal(rec.field[1], "y");
    crm_csvin_close(c);
    unlink(path);
}

static void test_csvin_format_record_quotes_what_needs_it(void **state)
{
    (void)state;
    const char *t = "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",plain\n";
    const char *path = write_temp(t, strlen(t));
    struct crm_csvin *c;
    struct crm_errinfo e;
    assert_int_equal(crm_csvin_open(path, NULL, &c, &e), CRM_OK);
    struct crm_record rec;
    crm_csvin_next(c, &rec, &e);
    crm_csvin_next(c, &rec, &e);
    struct crm_buf b = {0};
    crm_csvin_format_record(c, &rec, &b);
    crm_buf_u8(&b, 0);
    assert_string_equal((char *)b.data, "\"x,y\",\"say \"\"hi\"\"\",plain");
    crm_buf_free(&b);
    crm_csvin_close(c);
    unlink(path);
}

static void test_csvin_utf16_is_refused_with_advice(void **state)
{
    (void)state;
    const char t[] = "\xFF\xFE" "a\0,\0b\0";
    struct rows r;
    struct crm_errinfo e;
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), NULL, &r, &e, NULL), CRM_EDATA);
    assert_non_null(strstr(e.msg, "UTF-16"));
}

static void test_csvin_parse_delimiter_option(void **state)
{
    (void)state;
    assert_int_equal(crm_csvin_parse_delimiter("tab"), '\t');
    assert_int_equal(crm_csvin_parse_delimiter("\\t"), '\t');
    assert_int_equal(crm_csvin_parse_delimiter(";"), ';');
    assert_int_equal(crm_csvin_parse_delimiter("space"), CRM_CSV_WHITESPACE);
    assert_int_equal(crm_csvin_parse_delimiter("ab"), -1);
    assert_int_equal(crm_csvin_parse_delimiter("\""), -1);
}

/* ---- segments: a large file parsed on two threads gives what one parser gives ---- */

struct dump {
    char *p;
    size_t len, cap;
};

static void dump_put(struct dump *d, const void *s, size_t n)
{
    if (d->len + n > d->cap) {
        d->cap = (d->len + n) * 2 + 256;
        d->p = realloc(d->p, d->cap);
        assert_non_null(d->p);
    }
    memcpy(d->p + d->len, s, n);
    d->len += n;
}

/* The prep hook of the test: per record, its field count plus the sum of its bytes. */
static void prep_sum(void *ctx, const struct crm_record *recs, size_t n, void *out)
{
    (void)ctx;
    uint64_t *o = out;
    for (size_t r = 0; r < n; r++) {
        uint64_t v = recs[r].nfields;
        for (size_t i = 0; i < recs[r].nfields; i++)
            for (size_t k = 0; k < recs[r].len[i]; k++)
                v = v * 31 + (unsigned char)recs[r].field[i][k];
        o[r] = v;
    }
}

static size_t seg_block;   /* the segment readers' block size (0: the default) */

/* Every record (line, bad flag, fields) and the final status, as bytes; checks the prep
 * hook's entries against the records whenever a batch has them. */
static void dump_file(const char *path, size_t segment, int libcsv_only, struct dump *d,
                      size_t *prepped)
{
    struct crm_csvin_opts o = {.segment_bytes = segment, .libcsv_only = libcsv_only,
                               .seg_block_bytes = seg_block};
    struct crm_csvin *c;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    d->len = 0;
    enum crm_err rc = crm_csvin_open(path, &o, &c, &e);
    char head[2600];
    if (rc != CRM_OK) {
        snprintf(head, sizeof head, "open %d %lld %s\n", rc, e.line, e.msg);
        dump_put(d, head, strlen(head));
        return;
    }
    struct crm_record rec;
    rc = crm_csvin_next(c, &rec, &e);
    int first = 1;
    crm_csvin_set_prep(c, prep_sum, NULL, sizeof(uint64_t));
    for (;;) {
        const struct crm_record *recs = &rec;
        size_t n = rc == CRM_OK && rec.nfields ? 1 : 0;
        const void *prep = NULL;
        if (!first) {
            rc = crm_csvin_next_batch_prep(c, &recs, &n, &prep, &e);
            if (rc != CRM_OK || n == 0)
                break;
        } else if (!n) {
            break;
        }
        first = 0;
        uint64_t want[1];
        for (size_t r = 0; r < n; r++) {
            if (prep) {
                prep_sum(NULL, &recs[r], 1, want);
                assert_true(((const uint64_t *)prep)[r] == want[0]);
                ++*prepped;
            }
            snprintf(head, sizeof head, "L%lld B%d Q%lld N%zu:", recs[r].line,
                     recs[r].bad_bytes, recs[r].quote_lines, recs[r].nfields);
            dump_put(d, head, strlen(head));
            for (size_t i = 0; i < recs[r].nfields; i++) {
                snprintf(head, sizeof head, "%zu=", recs[r].len[i]);
                dump_put(d, head, strlen(head));
                dump_put(d, recs[r].field[i], recs[r].len[i] + 1);
            }
        }
    }
    snprintf(head, sizeof head, "end %d %lld %s %s %d\n", rc, rc ? e.line : 0,
             rc ? e.msg : "", crm_csvin_encoding(c), crm_csvin_delimiter(c));
    dump_put(d, head, strlen(head));
    crm_csvin_close(c);
}

/* The file `text` read by libcsv alone on one thread (into ref), then as usual with each
 * of the segment sizes (into got): the same records, or the input is saved (save_as) and
 * the test fails. */
static void check_file(const char *text, size_t len, const size_t *sizes, size_t nsizes,
                       struct dump *ref, struct dump *got, size_t *prepped,
                       const char *save_as, const char *whose, int round)
{
    const char *path = write_temp(text, len);
    dump_file(path, (size_t)-1, 1, ref, prepped);
    for (size_t k = 0; k < nsizes; k++) {
        dump_file(path, sizes[k], 0, got, prepped);
        if (ref->len == got->len && memcmp(ref->p, got->p, ref->len) == 0)
            continue;
        FILE *f = fopen(save_as, "wb");
        if (f) {
            fwrite(text, 1, len, f);
            fclose(f);
        }
        fail_msg("round %d, segments of %zu bytes: records differ from %s", round, sizes[k],
                 whose);
    }
    unlink(path);
}

static void test_csvin_segments_give_the_records_of_one_parser(void **state)
{
    (void)state;
    static const char *const tok[] = {"a", "bc", "12.5", ",", ",", ",", "\"", "\"\"", "\n",
                                      "\n", "\r\n", "\r", " ", "\t", "\xE4\xB8\xAD", "\n\n",
                                      "x,\"q\nq\",y\n", "\xFF", "\"a,b\""};
    const size_t ntok = sizeof tok / sizeof *tok;
    const size_t sizes[] = {3, 16, 61, 250};
    struct dump one = {0}, seg = {0};
    char *text = malloc(1 << 16);
    assert_non_null(text);
    size_t prepped = 0, absorbed_files = 0;
    uint64_t rng = 12345;
    for (int round = 0; round < 160; round++) {
        size_t len = 0, want = 200 + (size_t)(round * 37 % 3000);
        if (round % 5 == 0) {
            memcpy(text, "\xEF\xBB\xBF", 3);
            len = 3;
        }
        memcpy(text + len, round % 3 ? "id,name,amount\n" : "id name amount\r\n", 15);
        len += 15;
        while (len < want) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            unsigned pick = (unsigned)(rng >> 33);
            /* mostly plain rows; some rounds heavy in quotes and odd bytes */
            const char *t = pick % 4 == 0 || round % 7 == 3 ? tok[(pick >> 3) % ntok]
                                                             : tok[(pick >> 3) % 8];
            if (round % 11 == 5 && (pick >> 12) % 97 == 0)
                t = "\0";
            size_t tl = t[0] ? strlen(t) : 1;
            memcpy(text + len, t, tl);
            len += tl;
        }
        if (round % 2)
            text[len++] = '\n';
        if (memchr(text, '"', len))
            absorbed_files++;
        check_file(text, len, sizes, sizeof sizes / sizeof *sizes, &one, &seg, &prepped,
                   "/tmp/crm-csvin-seg-input", "one parser's", round);
    }
    assert_true(prepped > 10000);
    assert_true(absorbed_files > 50);
    free(text);
    free(one.p);
    free(seg.p);
}

/* Random CSV text: head, then tokens drawn with rng (an LCG) until want bytes. Tokens
 * quote_lo..quote_hi (quoted fields) are replaced by token 0 unless quotes, token nul (a
 * NUL byte, written as one byte) by token 1 unless nuls. Returns the length. */
struct mix {
    const char *const *tok;
    size_t ntok, quote_lo, quote_hi, nul;
};

static size_t random_csv(char *text, const char *head, const struct mix *m, size_t want,
                         uint64_t *rng, int quotes, int nuls)
{
    size_t len = strlen(head);
    memcpy(text, head, len);
    while (len < want) {
        *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
        unsigned pick = (unsigned)(*rng >> 33);
        size_t k = (pick >> 3) % m->ntok;
        if (k >= m->quote_lo && k <= m->quote_hi && !quotes)
            k = 0;
        if (k == m->nul && !nuls)
            k = 1;
        const char *t = m->tok[k];
        size_t tl = t[0] ? strlen(t) : 1;
        memcpy(text + len, t, tl);
        len += tl;
    }
    return len;
}

/* Quote-free lines are split without libcsv (split_plain); what comes out must be what
 * libcsv alone gives, whatever the spaces, tabs, line ends, delimiters, empty and blank
 * lines, NUL or high bytes — and with quoted fields in some blocks, so the two hand over
 * mid-file. One reader (whole blocks) and segments of 3 to 250 bytes (many boundaries). */
static void test_csvin_quote_free_lines_split_as_libcsv_does(void **state)
{
    (void)state;
    static const char *const tok[] = {"a", "bc", "12.5", " x ", " ", "  ", "\t", "\t \t",
                                      ",", ",", ";", "\t", "|", "\n", "\n", "\r\n", "\r",
                                      "\n\n", "  \n", " \t\r\n", ",\n", "\xE4\xB8\xAD", "\xFF",
                                      "\0", "\"q,\nq\""};
    static const char *const head[] = {"id,name,amount\n", "id;name;amount\n",
                                       "id\tname\tamount\n", "id|name|amount\r\n"};
    const size_t ntok = sizeof tok / sizeof *tok;
    const size_t sizes[] = {(size_t)-1, 3, 16, 61, 250};
    struct dump ref = {0}, got = {0};
    char *text = malloc(1 << 16);
    assert_non_null(text);
    size_t prepped = 0, dumped = 0;
    uint64_t rng = 987654321;
    for (int round = 0; round < 200; round++) {
        /* quotes in a third of the files, NUL bytes in a fifth */
        const struct mix m = {tok, ntok, ntok - 1, ntok - 1, ntok - 2};
        size_t len = random_csv(text, head[round % 4], &m, 100 + (size_t)(round * 53 % 4000),
                                &rng, round % 3 == 0, round % 5 == 0);
        if (round % 2)
            text[len++] = '\n';
        check_file(text, len, sizes, sizeof sizes / sizeof *sizes, &ref, &got, &prepped,
                   "/tmp/crm-csvin-plain-input", "libcsv's", round);
        dumped += ref.len;
    }
    assert_true(prepped > 10000);
    assert_true(dumped > 100000);
    free(text);
    free(ref.p);
    free(got.p);
}

/* A segment reader reads a block straight into the batch and splits its quote-free lines
 * in place, the cut line left for the next block; a block with a quote or no line end goes
 * through a copy to libcsv. Small blocks (5 to 300 bytes) in segments of 400 bytes to the
 * whole file put every kind of line at a block boundary: a quoted field (with line ends)
 * cut, a quote in an otherwise plain block, CRLF cut between CR and LF, lines longer than
 * a block, blank lines, NUL and high bytes. The records must be libcsv's alone. */
static void test_csvin_blocks_read_in_place_give_libcsv_records(void **state)
{
    (void)state;
    static const char *const tok[] = {"a", "bc", "12.5", " x ", ",", ",", ",", "\n", "\n",
                                      "\r\n", "\r", "\n\n", "  \n", ";", "\t",
                                      "\xE4\xB8\xAD", "\xFF", "\0", "\"q,\nq\"",
                                      "\"a\"\"b\"", "longlonglonglonglonglonglonglong"};
    static const char *const head[] = {"id,name,amount\n", "id;name;amount\r\n",
                                       "id\tname\tamount\n"};
    const size_t ntok = sizeof tok / sizeof *tok;
    const size_t blocks[] = {5, 17, 64, 300};
    struct dump ref = {0}, got = {0};
    char *text = malloc(1 << 16);
    assert_non_null(text);
    size_t prepped = 0;
    uint64_t rng = 55555;
    for (int round = 0; round < 120; round++) {
        /* quotes in a quarter of the files, NUL bytes in a fifth */
        const struct mix m = {tok, ntok, 18, 19, 17};
        size_t len = random_csv(text, head[round % 3], &m, 500 + (size_t)(round * 71 % 5000),
                                &rng, round % 4 == 0, round % 5 == 0);
        if (round % 2)
            text[len++] = '\n';
        const size_t sizes[] = {400, 1500, len / 2 + 1};
        seg_block = blocks[round % 4];
        check_file(text, len, sizes, sizeof sizes / sizeof *sizes, &ref, &got, &prepped,
                   "/tmp/crm-csvin-inplace-input", "libcsv's", round);
        seg_block = 0;
    }
    assert_true(prepped > 10000);
    free(text);
    free(ref.p);
    free(got.p);
}

/* Named meeting points of the in-place blocks and libcsv, blocks of 16 bytes: the exact
 * records (fields, lines) of each. */
static void test_csvin_in_place_meets_libcsv_at_named_points(void **state)
{
    (void)state;
    /* a quote in the middle of a plain block; a quoted field cut by a block end, holding
     * a line end; a line with one field too many; a CRLF cut between its CR and LF; a
     * line of 40 bytes (longer than a block) */
    const char *file = "id,v\n1,a\n2,\"b\"\n3,c\n4,\"x\ny,z\"\n5,d,extra\r\n"
                       "6,e\r\n7,ffffffffffffffffffffffffffffffffffffff\n8,g\n";
    const char *want = "L1 B0 Q0 N2:2=id\0" "1=v\0" "L2 B0 Q0 N2:1=1\0" "1=a\0"
                       "L3 B0 Q0 N2:1=2\0" "1=b\0" "L4 B0 Q0 N2:1=3\0" "1=c\0"
                       "L5 B0 Q0 N2:1=4\0" "5=x\ny,z\0" "L7 B0 Q0 N3:1=5\0" "1=d\0" "5=extra\0"
                       "L8 B0 Q0 N2:1=6\0" "1=e\0"
                       "L9 B0 Q0 N2:1=7\0" "38=ffffffffffffffffffffffffffffffffffffff\0"
                       "L10 B0 Q0 N2:1=8\0" "1=g\0" "end 0 0  UTF-8 44\n";
    size_t want_len = 0;
    while (strncmp(want + want_len, "end", 3) != 0)
        want_len += strlen(want + want_len) + 1;
    want_len += strlen(want + want_len);
    const char *path = write_temp(file, strlen(file));
    struct dump d = {0};
    size_t prepped = 0;
    const size_t segs[] = {(size_t)-1, 30, 60};
    for (size_t k = 0; k < 3; k++) {
        seg_block = 16;
        dump_file(path, segs[k], 0, &d, &prepped);
        seg_block = 0;
        assert_int_equal(d.len, want_len);
        assert_memory_equal(d.p, want, want_len);
    }
    unlink(path);
    free(d.p);
}

/* ---- SPEC §13.1 ---- */

static void test_csvin_spaces_between_cr_and_lf_end_two_lines(void **state)
{
    (void)state;
    /* CR line, whitespace-only line ended by LF, then a row: physical line 4 */
    const char *files[] = {"id,v\r1,a\r   \n2,b\n", "id,v\r1,\"a\"\r \t\n2,b\n",
                           "id,v\r\n1,a\r\n  \r\n2,b\r\n"};
    for (int libcsv_only = 0; libcsv_only < 2; libcsv_only++) {
        for (size_t i = 0; i < 3; i++) {
            struct rows r;
            struct crm_errinfo e;
            struct crm_csvin_opts o = {.libcsv_only = libcsv_only};
            assert_int_equal(read_rows(write_temp(files[i], strlen(files[i])), &o, &r, &e, NULL),
                             CRM_OK);
            assert_int_equal(r.n, 3);
            assert_int_equal(r.line[1], 2);
            assert_int_equal(r.line[2], 4);
        }
    }
}

/* The quote_lines of every record, in order. */
static size_t quote_lines_of(const char *text, long long *q, long long *line, size_t max)
{
    struct crm_csvin *c;
    struct crm_errinfo e;
    const char *path = write_temp(text, strlen(text));
    assert_int_equal(crm_csvin_open(path, NULL, &c, &e), CRM_OK);
    struct crm_record rec;
    size_t n = 0;
    while (crm_csvin_next(c, &rec, &e) == CRM_OK && rec.nfields > 0) {
        if (n < max) {
            q[n] = rec.quote_lines;
            line[n] = rec.line;
        }
        n++;
    }
    crm_csvin_close(c);
    unlink(path);
    return n;
}

static void test_csvin_a_quote_open_at_the_end_flags_the_lines_it_swallowed(void **state)
{
    (void)state;
    long long q[8], line[8];
    assert_int_equal(quote_lines_of("id,v\n1,\"a\n2,b\n3,c\n", q, line, 8), 2);
    assert_int_equal(q[0], 0);
    assert_int_equal(line[1], 2);
    assert_int_equal(q[1], 3);                        /* lines 2, 3 and 4 */
    assert_int_equal(quote_lines_of("id,v\n1,\"a\n2,b", q, line, 8), 2);
    assert_int_equal(q[1], 2);                        /* no line end after the last */
    assert_int_equal(quote_lines_of("id,v\n1,\"two\nlines\"\n2,b\n", q, line, 8), 3);
    assert_int_equal(q[1], 0);                        /* a closed quote is fine */
    assert_int_equal(q[2], 0);
    assert_int_equal(line[2], 4);
}

static void test_csvin_a_quote_spanning_more_than_100_lines_is_flagged(void **state)
{
    (void)state;
    char *t = malloc(4096);
    size_t n = (size_t)sprintf(t, "id,v\n1,\"");
    for (int i = 0; i < 101; i++)
        n += (size_t)sprintf(t + n, "x\n");
    sprintf(t + n, "\"\n2,b\n");
    long long q[8], line[8];
    assert_int_equal(quote_lines_of(t, q, line, 8), 3);
    assert_int_equal(q[1], 102);
    assert_int_equal(line[2], 104);
    free(t);
}

static void test_csvin_one_stray_byte_does_not_make_utf8_gb18030(void **state)
{
    (void)state;
    /* \xB0\xA1 is 啊 in GBK: valid GB18030 at that spot, but the file is UTF-8 */
    const char t[] = "name,amount\n张伟,1\n王芳,2\n李\xB0\xA1,3\n张伟,4\n";
    struct rows r;
    struct crm_errinfo e;
    struct crm_csvin *c;
    assert_int_equal(read_rows(write_temp(t, sizeof t - 1), NULL, &r, &e, &c), CRM_OK);
    assert_string_equal(crm_csvin_encoding(c), "UTF-8");
    crm_csvin_close(c);
    assert_string_equal(r.field[1][0], "张伟");
    assert_int_equal(r.bad[3], 1);
    assert_int_equal(r.bad[4], 0);
}

static void test_csvin_blank_lines_take_no_memory(void **state)
{
    (void)state;
    size_t blank = 64u << 20;
    char *t = malloc(blank + 64);
    size_t n = (size_t)sprintf(t, "id,v\n1,a\n");
    memset(t + n, '\n', blank);
    n += blank;
    n += (size_t)sprintf(t + n, "2,b\n");
    char path[64];
    snprintf(path, sizeof path, "%s", write_gz(t, n, 1));
    free(t);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {                                   /* the peak it adds, in KiB */
        struct rows r;
        struct crm_errinfo e;
        struct rusage before, after;
        getrusage(RUSAGE_SELF, &before);
        int ok = read_rows(path, NULL, &r, &e, NULL) == CRM_OK && r.n == 3 &&
                 r.line[2] == (long long)blank + 3;
        getrusage(RUSAGE_SELF, &after);
        _exit(!ok ? 1 : after.ru_maxrss - before.ru_maxrss > 24 * 1024 ? 2 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);         /* 2: memory grew with the blanks */
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csvin_line_numbers_count_quoted_newlines_and_blank_lines),
        cmocka_unit_test(test_csvin_bom_and_crlf_are_accepted),
        cmocka_unit_test(test_csvin_detects_tab_semicolon_and_whitespace),
        cmocka_unit_test(test_csvin_gb18030_is_detected_and_converted),
        cmocka_unit_test(test_csvin_invalid_bytes_flag_only_their_row),
        cmocka_unit_test(test_csvin_nul_byte_is_a_bad_byte),
        cmocka_unit_test(test_csvin_a_nul_byte_does_not_make_a_utf8_file_gb18030),
        cmocka_unit_test(test_csvin_spreadsheet_text_markers_are_kept_for_the_importer),
        cmocka_unit_test(test_csvin_reads_gzip_by_magic_including_multiple_members),
        cmocka_unit_test(test_csvin_truncated_gzip_is_an_error),
        cmocka_unit_test(test_csvin_records_across_block_boundaries_stay_whole),
        cmocka_unit_test(test_csvin_a_record_of_too_many_fields_is_an_error_naming_its_line),
        cmocka_unit_test(test_csvin_the_field_limit_is_exact),
        cmocka_unit_test(test_csvin_a_long_field_is_read_whole),
        cmocka_unit_test(test_csvin_format_record_quotes_what_needs_it),
        cmocka_unit_test(test_csvin_utf16_is_refused_with_advice),
        cmocka_unit_test(test_csvin_parse_delimiter_option),
        cmocka_unit_test(test_csvin_segments_give_the_records_of_one_parser),
        cmocka_unit_test(test_csvin_quote_free_lines_split_as_libcsv_does),
        cmocka_unit_test(test_csvin_blocks_read_in_place_give_libcsv_records),
        cmocka_unit_test(test_csvin_in_place_meets_libcsv_at_named_points),
        cmocka_unit_test(test_csvin_spaces_between_cr_and_lf_end_two_lines),
        cmocka_unit_test(test_csvin_a_quote_open_at_the_end_flags_the_lines_it_swallowed),
        cmocka_unit_test(test_csvin_a_quote_spanning_more_than_100_lines_is_flagged),
        cmocka_unit_test(test_csvin_one_stray_byte_does_not_make_utf8_gb18030),
        cmocka_unit_test(test_csvin_blank_lines_take_no_memory),
    };
    return cmocka_run_group_tests_name("csvin", tests, NULL, NULL);
}
