/* Tests of lib/scale/scaleio: the one emit/merge template of the reports, driven here by a
 * toy report, so that what the template does (and refuses) is seen apart from any report. */
#include "testutil.h"

#include <fcntl.h>
#include <inttypes.h>

#include "teststore.h"

#include "scale/scale.h"
#include "scale/scaleio.h"

/* ---- the toy report: section "pairs" (value, id) required, "extra" (n) optional ---- */

struct toy_src {
    const int64_t *value;
    const char *const *id;
    size_t n;
    int extra;                  /* 0: no extra section */
};

static int toy_rows(const void *src, size_t k, uint64_t *n)
{
    const struct toy_src *x = src;
    *n = k == 0 ? x->n : 1;
    return k == 0 || x->extra;
}

static void toy_row(const void *src, size_t k, uint64_t i, struct crm_scaleio_cell *c)
{
    const struct toy_src *x = src;
    if (k == 1) {
        c[0].u = (uint64_t)x->extra;
        return;
    }
    c[0].i = x->value[i];
    c[1].text = x->id[i];
    c[1].len = strlen(x->id[i]);
}

struct toy_merge {
    int64_t sum;
    char ids[256];
    uint64_t extra;
    int done;
};

static enum crm_err toy_take(struct crm_scaleio_merge *m, struct crm_partial *p, size_t k,
                             uint64_t i, const struct crm_scaleio_cell *c,
                             struct crm_errinfo *e)
{
    (void)p, (void)i, (void)e;
    struct toy_merge *x = m->ctx;
    if (k == 1) {
        x->extra += c[0].u;
        return CRM_OK;
    }
    x->sum += c[0].i;
    strcat(x->ids, c[1].text);
    strcat(x->ids, ",");
    return CRM_OK;
}

static enum crm_err toy_done(struct crm_scaleio_merge *m, struct crm_partial *p,
                             const struct crm_partial_head *h, unsigned seen,
                             struct crm_errinfo *e)
{
    (void)p, (void)h, (void)e;
    ((struct toy_merge *)m->ctx)->done += (int)seen;
    return CRM_OK;
}

static const struct crm_scaleio_section TOY_SECTIONS[] = {
    {"pairs", {{"value", CRM_SCALEIO_I64}, {"id", CRM_SCALEIO_TEXT}}, 2, toy_rows, toy_row,
     NULL, toy_take, NULL, NULL},
    {"extra", {{"n", CRM_SCALEIO_U64}}, 1, toy_rows, toy_row, NULL, toy_take, NULL, NULL},
};

static const struct crm_scaleio_report TOY = {
    "toy", "the toy test", TOY_SECTIONS, 2, 1u, "the partial has no pairs", NULL, toy_done,
};

/* ---- files ---- */

static void tmp_path(char *path)
{
    strcpy(path, "/tmp/crm-scaleio-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static char *read_text(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void toy_options(struct crm_partial_opts *o)
{
    memset(o, 0, sizeof *o);
    crm_partial_opts_add(o, "as-of", "2025-01-01");
}

/* Emit src of store s to path (appending when append). */
static void emit(const char *path, int append, const struct toy_src *src,
                 const struct crm_store *s)
{
    int fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
    assert_true(fd >= 0);
    struct crm_out *o = crm_out_new(fd, path, 0);
    struct crm_partial_opts po;
    toy_options(&po);
    struct crm_errinfo e;
    assert_int_equal(crm_scaleio_emit(o, &TOY, &po, s, src, &e), CRM_OK);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    close(fd);
}

/* A partial of kind `kind` with the given sections of one-field rows ("name:row,row;…"),
 * written with a valid identity and CRC. */
static void write_raw(const char *path, const char *kind, const char *sections,
                      uint64_t fingerprint)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    struct crm_out *o = crm_out_new(fd, path, 0);
    struct crm_partial_opts po;
    toy_options(&po);
    struct crm_partial_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_partial_writer_new(o, kind, &po, &w, &e), CRM_OK);
    crm_partial_info(w, "customers", "1");
    crm_partial_info(w, "fingerprint", "%016" PRIx64, fingerprint);
    char spec[256];
    snprintf(spec, sizeof spec, "%s", sections);
    for (char *sec = strtok(spec, ";"); sec; sec = strtok(NULL, ";")) {
        char *rows = strchr(sec, ':');
        *rows++ = '\0';
        uint64_t n = *rows != '\0';
        for (const char *c = rows; *c; c++)
            n += *c == ',';
        crm_partial_section(w, sec, n);
        for (char *r = rows, *next; n && r; r = next) {
            next = strchr(r, ',');
            if (next)
                *next++ = '\0';
            for (char *f = r, *g; f; f = g) {   /* fields split by '/' */
                g = strchr(f, '/');
                if (g)
                    *g++ = '\0';
                crm_partial_text(w, f, strlen(f));
            }
            crm_partial_end_row(w);
        }
    }
    assert_int_equal(crm_partial_writer_finish(w, &e), CRM_OK);
    assert_int_equal(crm_out_close(o, &e), CRM_OK);
    close(fd);
}

static enum crm_err merge(const char *const *paths, size_t n, struct crm_scaleio_merge *m,
                          struct toy_merge *x, struct crm_errinfo *e)
{
    memset(x, 0, sizeof *x);
    struct crm_partial_opts run = {0};
    return crm_scaleio_merge(m, &TOY, paths, n, &run, x, e);
}

/* ---- tests ---- */

static const struct t_order ORDERS_A[] = {
    {"a1", "2024-01-02", 100, 1, CRM_STATUS_PAID}, {"a2", "2024-02-03", 200, 1, CRM_STATUS_PAID},
};
static const struct t_order ORDERS_B[] = {{"b1", "2024-03-04", 300, 1, CRM_STATUS_PAID}};

/* A store whose customers are known: its orders read once (as a tool does before it emits). */
static struct crm_store *loaded(const struct t_order *orders, size_t n, char *path)
{
    struct crm_store *s = t_store(orders, n, NULL, 0, path);
    struct crm_agg_opts ao = {.as_of = t_day("2025-01-01")};
    struct crm_agg *a;
    struct crm_errinfo e;
    assert_int_equal(crm_agg_run(s, &ao, &a, &e), CRM_OK);
    crm_agg_free(a);
    return s;
}

static void test_scaleio_emits_the_descriptors_sections_and_merges_them(void **state)
{
    (void)state;
    char sa[64], sb[64], path[64];
    struct crm_store *a = loaded(ORDERS_A, 2, sa);
    struct crm_store *b = loaded(ORDERS_B, 1, sb);
    tmp_path(path);
    static const int64_t va[] = {-5, 7};
    static const char *const ia[] = {"x y", "z"};
    static const int64_t vb[] = {11};
    static const char *const ib[] = {"w"};
    struct toy_src src_a = {va, ia, 2, 0}, src_b = {vb, ib, 1, 3};
    emit(path, 0, &src_a, a);
    uint64_t n, f;
    crm_scale_identity(a, &n, &f);
    char want[512];
    const char *text = read_text(path);
    snprintf(want, sizeof want, "crmkit-partial 1 toy\noption as-of 2025-01-01\n"
             "info customers 2\ninfo fingerprint %016" PRIx64 "\nsection pairs 2\n-5 x%%20y\n"
             "7 z\nend ", f);
    assert_int_equal(strncmp(text, want, strlen(want)), 0);   /* no extra section: left out */
    emit(path, 1, &src_b, b);
    struct crm_scaleio_merge m;
    struct toy_merge x;
    struct crm_errinfo e;
    const char *paths[] = {path};
    assert_int_equal(merge(paths, 1, &m, &x, &e), CRM_OK);
    assert_int_equal(x.sum, 13);
    assert_string_equal(x.ids, "x y,z,w,");
    assert_int_equal(x.extra, 3);
    assert_int_equal(x.done, 1 + 3);   /* the seen bits each partial's done hook got */
    assert_int_equal(m.partials, 2);
    assert_int_equal(m.customers, 3);
    assert_string_equal(crm_partial_opts_get(&m.ref, "as-of"), "2025-01-01");
    /* the same partition twice */
    emit(path, 1, &src_a, a);
    assert_int_equal(merge(paths, 1, &m, &x, &e), CRM_EUSAGE);
    assert_non_null(strstr(e.msg, "the same partition (2 customers"));
    assert_int_equal(e.line, 18);   /* the third partial's first line */
    crm_store_close(a);
    crm_store_close(b);
    unlink(sa);
    unlink(sb);
    unlink(path);
}

/* The error a merge of one raw partial gives: its code, and its message in msg. */
static enum crm_err merge_raw(const char *kind, const char *sections, char *msg, long long *line)
{
    char path[64];
    tmp_path(path);
    write_raw(path, kind, sections, 1);
    struct crm_scaleio_merge m;
    struct toy_merge x;
    struct crm_errinfo e;
    const char *paths[] = {path};
    enum crm_err rc = merge(paths, 1, &m, &x, &e);
    snprintf(msg, 256, "%.255s", rc == CRM_OK ? "" : e.msg);
    *line = rc == CRM_OK ? 0 : e.line;
    unlink(path);
    return rc;
}

static void test_scaleio_refuses_what_the_descriptor_does_not_describe(void **state)
{
    (void)state;
    char msg[256];
    long long line;
    assert_int_equal(merge_raw("toy", "pairs:1/a,2/b;extra:4", msg, &line), CRM_OK);
    assert_int_equal(merge_raw("rfm-quintiles", "pairs:1/a", msg, &line), CRM_EUSAGE);
    assert_string_equal(msg, "a rfm-quintiles partial; this step merges toy partials (made by "
                        "the toy test)");
    assert_int_equal(line, 1);
    assert_int_equal(merge_raw("toy", "pairs:1/a;zz:1", msg, &line), CRM_EDATA);
    assert_string_equal(msg, "unknown section zz in a toy partial");
    assert_int_equal(line, 7);
    assert_int_equal(merge_raw("toy", "pairs:1/a;pairs:2/b", msg, &line), CRM_EDATA);
    assert_string_equal(msg, "section pairs given twice");
    assert_int_equal(merge_raw("toy", "extra:1", msg, &line), CRM_EDATA);
    assert_string_equal(msg, "the partial has no pairs");
    assert_int_equal(line, 7);   /* at the end line: the CRC was checked first */
    /* a field is named by its column */
    assert_int_equal(merge_raw("toy", "pairs:1/a,x/b", msg, &line), CRM_EDATA);
    assert_string_equal(msg, "value \"x\": expected a whole number");
    assert_int_equal(line, 7);
    assert_int_equal(merge_raw("toy", "pairs:1/a;extra:-4", msg, &line), CRM_EDATA);
    assert_string_equal(msg, "n \"-4\": expected a whole number >= 0");
    assert_int_equal(merge_raw("toy", "pairs:1/a/c", msg, &line), CRM_EDATA);
    assert_int_equal(line, 6);
}

static void test_scaleio_grow_doubles_from_256(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    assert_int_equal(crm_scaleio_grow((void **)&v, &cap, 1, sizeof *v), 0);
    assert_int_equal(cap, 256);
    assert_int_equal(crm_scaleio_grow((void **)&v, &cap, 256, sizeof *v), 0);
    assert_int_equal(cap, 256);
    assert_int_equal(crm_scaleio_grow((void **)&v, &cap, 1000, sizeof *v), 0);
    assert_int_equal(cap, 1024);
    v[999] = 7;
    assert_int_equal(v[999], 7);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scaleio_emits_the_descriptors_sections_and_merges_them),
        cmocka_unit_test(test_scaleio_refuses_what_the_descriptor_does_not_describe),
        cmocka_unit_test(test_scaleio_grow_doubles_from_256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
