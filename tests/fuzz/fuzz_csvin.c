/* fuzz_csvin: any bytes as an order file → records (lib/csvin: gzip, BOM, encoding and
 * delimiter detection, libcsv, the reader thread, \xNN escaping). Checks on every record:
 * each field is valid UTF-8 without NUL and as long as stated; records with bad bytes are
 * flagged; line numbers start at 1, never go back and never pass the input's line count,
 * nor do the lines a broken quote swallowed;
 * the rejects-file text of a record is valid UTF-8. Option byte: delimiter (bits 0-2),
 * encoding (bits 3-4), gzip the rest (bit 5), read by batches (bit 6). */
#include "fuzzutil.h"

#include "text/csvin.h"

/* Physical lines of a text: LF, CR LF and a lone CR each end one. */
static long long count_lines(const unsigned char *p, size_t n)
{
    long long lines = 1;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
            lines++;
    return lines;
}

static void check_record(struct crm_csvin *in, const struct crm_record *r, long long *last,
                         long long max_line, struct crm_buf *fmt)
{
    FUZZ_CHECK(r->nfields > 0, "empty record handed out");
    FUZZ_CHECK(r->line >= 1 && r->line >= *last && r->line <= max_line,
               "line %lld after %lld (input has %lld lines)", r->line, *last, max_line);
    *last = r->line;
    /* a broken quote's record swallowed lines that exist, from its own on */
    FUZZ_CHECK(r->quote_lines >= 0 && r->line + r->quote_lines - 1 <= max_line,
               "line %lld swallowed %lld lines (input has %lld)", r->line, r->quote_lines,
               max_line);
    for (size_t i = 0; i < r->nfields; i++) {
        FUZZ_CHECK(strlen(r->field[i]) == r->len[i], "field %zu: length %zu, text %zu", i,
                   r->len[i], strlen(r->field[i]));
        FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)r->field[i], r->len[i]),
                   "field %zu of line %lld is not valid UTF-8", i, r->line);
    }
    fmt->len = 0;
    crm_csvin_format_record(in, r, fmt);
    FUZZ_CHECK(!fmt->oom, "out of memory");
    FUZZ_CHECK(fuzz_utf8_ok(fmt->data ? fmt->data : (const unsigned char *)"", fmt->len),
               "rejects text of line %lld is not valid UTF-8", r->line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    static const int delims[8] = {0, 0, 0, ',', '\t', ';', '|', CRM_CSV_WHITESPACE};
    static const char *const encs[4] = {NULL, "utf-8", "gbk", "latin1"};
    unsigned opt = fuzz_byte(&in);
    struct crm_csvin_opts o = {delims[opt & 7], encs[(opt >> 3) & 3]};
    const unsigned char *text = in.p;
    size_t text_n = in.n;
    unsigned char *gz = NULL;
    size_t gz_n = 0;
    if (opt & 0x20)
        gz = fuzz_gzip(text, text_n, &gz_n);
    int fd = gz ? fuzz_memfd(gz, gz_n) : fuzz_memfd(text, text_n);
    long long max_line = count_lines(text, text_n);

    struct crm_csvin *c;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    enum crm_err rc = crm_csvin_open_fd(fd, "fuzz.csv", NULL, 0, &o, &c, &e);
    if (rc == CRM_OK) {
        struct crm_buf fmt = {0};
        long long last = 1;
        if (opt & 0x40) {
            const struct crm_record *recs;
            size_t n;
            while ((rc = crm_csvin_next_batch(c, &recs, &n, &e)) == CRM_OK && n > 0)
                for (size_t i = 0; i < n; i++)
                    check_record(c, &recs[i], &last, max_line, &fmt);
        } else {
            struct crm_record r;
            while ((rc = crm_csvin_next(c, &r, &e)) == CRM_OK && r.nfields > 0)
                check_record(c, &r, &last, max_line, &fmt);
        }
        FUZZ_CHECK(gz == NULL || rc == CRM_OK || rc == CRM_EDATA,
                   "valid gzip failed with %d: %s", rc, e.msg);
        crm_buf_free(&fmt);
        crm_csvin_close(c);
    }
    if (rc != CRM_OK)
        FUZZ_CHECK(e.msg[0] != '\0' && e.code == rc, "error %d without a message", rc);
    close(fd);
    free(gz);
    return 0;
}
