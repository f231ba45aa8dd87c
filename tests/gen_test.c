/* Tests for scripts/gen, the order-log generator: runs the built binary ($B/scripts/gen,
 * B defaulting to build; skipped when it is not built) and checks its output row by row. */
#include "testutil.h"

#include <sys/wait.h>
#include <zlib.h>

#define SAMPLE_ARGS "--orders 20000 --seed 42 --chinese"
#define SAMPLE_FILE "testdata/sample-orders.csv"

struct run {
    char *out;          /* stdout, NUL-terminated */
    size_t len;
    int status;         /* exit status */
};

static const char *gen_path(void)
{
    static char path[512];
    const char *b = getenv("B");
    snprintf(path, sizeof path, "%s/scripts/gen", b && *b ? b : "build");
    return path;
}

/* Skip the current test with a message when the generator is not built. */
#define REQUIRE_GEN()                                                                      \
    do {                                                                                   \
        if (access(gen_path(), X_OK) != 0) {                                               \
            print_message("skipped: %s not built\n", gen_path());                          \
            skip();                                                                        \
        }                                                                                  \
    } while (0)

/* Runs `gen ARGS` (stderr discarded) and captures stdout. */
static struct run gen(const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>/dev/null", gen_path(), args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    struct run r = {NULL, 0, -1};
    size_t cap = 1 << 20;
    r.out = malloc(cap);
    assert_non_null(r.out);
    size_t k;
    while ((k = fread(r.out + r.len, 1, cap - r.len - 1, p)) > 0) {
        r.len += k;
        if (cap - r.len < 2) {
            cap *= 2;
            r.out = realloc(r.out, cap);
            assert_non_null(r.out);
        }
    }
    r.out[r.len] = '\0';
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h;
}

static size_t count_lines(const struct run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->len; i++)
        n += r->out[i] == '\n';
    return n;
}

/* One data row split in place; fields beyond 8 are not kept. */
struct row {
    char *f[8];
    int nf;
};

/* Next line of r->out from *pos, split at sep; returns 0 at the end. */
static int next_row(struct run *r, size_t *pos, char sep, struct row *row)
{
    if (*pos >= r->len)
        return 0;
    char *line = r->out + *pos, *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    *pos = (size_t)(nl - r->out) + 1;
    row->nf = 0;
    for (char *p = line;; p++) {
        if (row->nf < 8)
            row->f[row->nf] = p;
        row->nf++;
        p = strchr(p, sep);
        if (!p)
            break;
        *p = '\0';
    }
    return 1;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int valid_time(const char *s)
{
    if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':'
        || s[16] != ':')
        return 0;
    if (!all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2)
        || !all_digits(s + 11, 2) || !all_digits(s + 14, 2) || !all_digits(s + 17, 2))
        return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = atoi(s), mo = atoi(s + 5), d = atoi(s + 8), h = atoi(s + 11), mi = atoi(s + 14);
    int sec = atoi(s + 17);
    if (mo < 1 || mo > 12)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d >= 1 && d <= mdays[mo - 1] + (mo == 2 && leap) && h < 24 && mi < 60 && sec < 60;
}

static int valid_amount(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && s[n - 3] == '.' && all_digits(s, n - 3) && all_digits(s + n - 2, 2);
}

static int valid_status(const char *s)
{
    return !strcmp(s, "paid") || !strcmp(s, "cancelled") || !strcmp(s, "refunded")
           || !strcmp(s, "pending");
}

/* A row as the generator writes it when it does not break it on purpose. */
static int valid_row(const struct row *w)
{
    return w->nf == 6 && w->f[1][0] && valid_time(w->f[2]) && valid_amount(w->f[3])
           && all_digits(w->f[4], strlen(w->f[4])) && atoi(w->f[4]) >= 1
           && atoi(w->f[4]) <= 99 && valid_status(w->f[5]);
}

/* Per-customer order counts of a run, via a sorted copy of the customer ids. */
struct counts {
    size_t customers, one_order, max_orders, median;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static struct counts customer_counts(struct run *r, size_t rows)
{
    char **ids = malloc(rows * sizeof *ids);
    size_t *per = malloc(rows * sizeof *per);
    assert_true(ids && per);
    size_t pos = 0, n = 0;
    struct row w;
    next_row(r, &pos, ',', &w);
    while (next_row(r, &pos, ',', &w))
        ids[n++] = w.f[1];
    assert_int_equal(n, rows);
    qsort(ids, n, sizeof *ids, cmp_str);
    struct counts c = {0, 0, 0, 0};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(ids[i], ids[j]))
            j++;
        per[c.customers++] = j - i;
        c.one_order += j - i == 1;
        c.max_orders = j - i > c.max_orders ? j - i : c.max_orders;
        i = j;
    }
    qsort(per, c.customers, sizeof *per, cmp_size);
    c.median = per[c.customers / 2];
    free(ids);
    free(per);
    return c;
}

static void test_gen_writes_exact_row_count(void **state)
{
    (void)state;
    REQUIRE_GEN();
    static const struct {
        const char *args;
        size_t rows;
    } cases[] = {
        {"--orders 0", 0},
        {"--orders 1", 1},
        {"--orders 999 --seed 3", 999},
        {"--orders 20000", 20000},
        {"--orders 5000 --customers 5000", 5000},
        {"--orders 3000 --customers 1", 3000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r = gen(cases[i].args);
        assert_int_equal(r.status, 0);
        assert_int_equal(count_lines(&r), cases[i].rows + 1);
        free(r.out);
    }
}

static void test_gen_same_arguments_same_bytes(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run a = gen("--orders 30000 --seed 7 --chinese --bad-rate 0.01");
    struct run b = gen("--orders 30000 --seed 7 --chinese --bad-rate 0.01");
    struct run c = gen("--orders 30000 --seed 8 --chinese --bad-rate 0.01");
    assert_int_equal(a.len, b.len);
    assert_true(fnv1a(a.out, a.len) == fnv1a(b.out, b.len));
    assert_true(fnv1a(a.out, a.len) != fnv1a(c.out, c.len));
    free(a.out);
    free(b.out);
    free(c.out);
}

/* The committed sample was made on another machine: equal bytes here show the output does
 * not depend on the machine, compiler or libm. */
static void test_gen_matches_committed_sample(void **state)
{
    (void)state;
    REQUIRE_GEN();
    gzFile f = gzopen(SAMPLE_FILE, "rb");
    if (!f)
        f = gzopen(SAMPLE_FILE ".gz", "rb");
    assert_non_null(f);
    struct run r = gen(SAMPLE_ARGS);
    char *want = malloc(r.len + 2);
    assert_non_null(want);
    int k = gzread(f, want, (unsigned)r.len + 1);
    gzclose(f);
    assert_int_equal(k, r.len);
    assert_memory_equal(want, r.out, r.len);
    free(want);
    free(r.out);
}

static void test_gen_writes_header(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 10");
    assert_true(!strncmp(r.out, "order_id,customer_id,order_time,amount,quantity,status\n", 55));
    free(r.out);
    r = gen("--orders 10 --tsv");
    assert_true(!strncmp(r.out, "order_id\tcustomer_id\torder_time\tamount\tquantity\tstatus\n",
                         55));
    free(r.out);
}

static void test_gen_rows_are_valid_and_in_time_order(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 20000 --days 30 --end 2023-03-05 --chinese");
    size_t pos = 0, n = 0;
    struct row w;
    char prev[20] = "", id[16];
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w)) {
        n++;
        snprintf(id, sizeof id, "O%08zu", n);
        assert_string_equal(w.f[0], id);                     /* ids follow the rows */
        assert_true(valid_row(&w));
        assert_true(strcmp(w.f[2], "2023-02-04") > 0);       /* 30 days to 2023-03-05 */
        assert_true(strcmp(w.f[2], "2023-03-06") < 0);
        assert_true(strcmp(w.f[2], prev) >= 0);
        memcpy(prev, w.f[2], 20);
        assert_true(atof(w.f[3]) >= 1.0);
    }
    assert_int_equal(n, 20000);
    free(r.out);
}

static void test_gen_every_customer_orders_mean_ten(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 20000 --seed 5");
    struct counts c = customer_counts(&r, 20000);
    assert_int_equal(c.customers, 2000);         /* default N/10, each at least once */
    free(r.out);
    r = gen("--orders 5000 --customers 1234");
    c = customer_counts(&r, 5000);
    assert_int_equal(c.customers, 1234);
    free(r.out);
}

static void test_gen_orders_per_customer_heavy_tailed(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 50000 --seed 11");
    struct counts c = customer_counts(&r, 50000);
    double one = (double)c.one_order / (double)c.customers;
    assert_true(one > 0.15 && one < 0.35);       /* many one-time buyers */
    assert_true(c.median < 10);                  /* median below the mean of 10 */
    assert_true(c.max_orders > 100);             /* and a few very heavy buyers */
    free(r.out);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Gini of paid revenue per customer (SPEC §8): 2 Σ i·x(i) / (n Σx) − (n+1)/n. */
static void test_gen_revenue_concentrated(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 50000 --seed 12");
    size_t pos = 0, n = 0;
    struct row w;
    double *rev = calloc(5000, sizeof *rev);
    assert_non_null(rev);
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w))
        if (!strcmp(w.f[5], "paid"))
            rev[atoi(w.f[1] + 1) - 1] += atof(w.f[3]);
    qsort(rev, 5000, sizeof *rev, cmp_double);
    double sum = 0, weighted = 0;
    for (n = 0; n < 5000; n++) {
        sum += rev[n];
        weighted += (double)(n + 1) * rev[n];
    }
    double gini = 2 * weighted / (5000 * sum) - 5001.0 / 5000;
    assert_true(gini > 0.55 && gini < 0.8);
    free(rev);
    free(r.out);
}

static void test_gen_amounts_log_normal_quantity_follows(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 20000 --seed 13");
    size_t pos = 0, n = 0, n1 = 0, n3 = 0, above_1000 = 0;
    double *amount = malloc(20000 * sizeof *amount), sum1 = 0, sum3 = 0;
    struct row w;
    assert_non_null(amount);
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w)) {
        double a = atof(w.f[3]);
        amount[n++] = a;
        above_1000 += a >= 1000;
        if (atoi(w.f[4]) == 1)
            sum1 += a, n1++;
        else if (atoi(w.f[4]) >= 3)
            sum3 += a, n3++;
    }
    qsort(amount, n, sizeof *amount, cmp_double);
    assert_true(amount[n / 2] > 150 && amount[n / 2] < 250);     /* median ≈ 200 */
    assert_true(above_1000 > n / 100 && above_1000 < n / 10);    /* a long right tail */
    assert_true(sum3 / (double)n3 > 2 * sum1 / (double)n1);      /* more items, more money */
    assert_true(n1 > n / 3);                                      /* one item is common */
    free(amount);
    free(r.out);
}

static void test_gen_statuses_in_proportion(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 50000 --seed 14");
    size_t pos = 0, paid = 0, cancelled = 0, refunded = 0, pending = 0;
    struct row w;
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w)) {
        paid += !strcmp(w.f[5], "paid");
        cancelled += !strcmp(w.f[5], "cancelled");
        refunded += !strcmp(w.f[5], "refunded");
        pending += !strcmp(w.f[5], "pending");
    }
    assert_int_equal(paid + cancelled + refunded + pending, 50000);
    assert_true(paid > 46000 && paid < 48000);
    assert_true(cancelled > 1000 && cancelled < 2000);            /* 3 % */
    assert_true(refunded > 800 && refunded < 1700);               /* 2.5 % */
    assert_true(pending > 0 && pending < 400);                    /* a fraction of 1 % */
    free(r.out);
}

static void test_gen_evening_busier_than_night(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 20000 --seed 15");
    size_t pos = 0, hours[24] = {0};
    struct row w;
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w))
        hours[atoi(w.f[2] + 11)]++;
    assert_true(hours[20] + hours[21] + hours[22] > 5 * (hours[3] + hours[4] + hours[5]));
    free(r.out);
}

/* Regulars (customers from before the period) keep the volume steady from the first month;
 * with none, the shop starts from nothing and grows. */
static size_t month_orders(struct run *r, const char *month)
{
    size_t pos = 0, n = 0;
    struct row w;
    while (next_row(r, &pos, ',', &w))
        n += !strncmp(w.f[2], month, 7);
    return n;
}

static void test_gen_monthly_volume_steady(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 50000 --seed 19");
    size_t jan = month_orders(&r, "2024-01");
    free(r.out);
    r = gen("--orders 50000 --seed 19");
    size_t jul = month_orders(&r, "2024-07");
    free(r.out);
    assert_true(jan > jul * 8 / 10 && jan < jul * 12 / 10);
    r = gen("--orders 50000 --seed 19 --regulars 0");
    jan = month_orders(&r, "2024-01");
    free(r.out);
    r = gen("--orders 50000 --seed 19 --regulars 0");
    jul = month_orders(&r, "2024-07");
    free(r.out);
    assert_true(jan < jul / 2);
}

/* Broken rows come at the requested rate, all four kinds, and leave the other rows as in
 * a clean run. */
static void test_gen_bad_rate_breaks_that_share(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run clean = gen("--orders 20000 --seed 16");
    struct run bad = gen("--orders 20000 --seed 16 --bad-rate 0.02");
    assert_int_equal(count_lines(&bad), 20001);
    size_t pc = 0, pb = 0, broken = 0, kinds[4] = {0}, short_rows = 0;
    struct row a, b;
    while (next_row(&clean, &pc, ',', &a) && next_row(&bad, &pb, ',', &b)) {
        if (!strcmp(a.f[0], "order_id"))
            continue;
        if (valid_row(&b)) {
            for (int i = 0; i < 6; i++)
                assert_string_equal(a.f[i], b.f[i]);
            continue;
        }
        broken++;
        assert_string_equal(a.f[0], b.f[0]);
        kinds[0] += b.nf == 6 && !b.f[1][0];
        kinds[1] += b.nf == 6 && !valid_time(b.f[2]);
        kinds[2] += b.nf == 6 && !valid_amount(b.f[3]);
        kinds[3] += b.nf != 6;
        short_rows += b.nf == 5;
    }
    assert_true(broken > 320 && broken < 480);                    /* 2 % of 20000 */
    for (int k = 0; k < 4; k++)
        assert_true(kinds[k] > 50);
    assert_int_equal(kinds[0] + kinds[1] + kinds[2] + kinds[3], broken);
    assert_true(short_rows > 20 && kinds[3] - short_rows > 20);  /* a field short or extra */
    free(clean.out);
    free(bad.out);
}

static void test_gen_tsv_is_csv_with_tabs(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run c = gen("--orders 5000 --chinese");
    struct run t = gen("--orders 5000 --chinese --tsv");
    for (size_t i = 0; i < c.len; i++)
        if (c.out[i] == ',')
            c.out[i] = '\t';
    assert_int_equal(c.len, t.len);
    assert_memory_equal(c.out, t.out, c.len);
    free(c.out);
    free(t.out);
}

static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
                : (*s & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0)
            return 0;
        for (s++; n > 0; n--, s++)
            if ((*s & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_gen_chinese_names_mixed_in(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--orders 20000 --chinese --seed 17");
    struct counts c = customer_counts(&r, 20000);
    assert_int_equal(c.customers, 2000);         /* suffixes keep the names apart */
    free(r.out);
    r = gen("--orders 20000 --chinese --seed 17");
    size_t pos = 0, chinese = 0, suffixed = 0;
    struct row w;
    next_row(&r, &pos, ',', &w);
    while (next_row(&r, &pos, ',', &w)) {
        assert_true(valid_utf8((const unsigned char *)w.f[1]));
        size_t len = strlen(w.f[1]);
        chinese += (unsigned char)w.f[1][0] >= 0x80;
        suffixed += (unsigned char)w.f[1][0] >= 0x80 && w.f[1][len - 1] >= '0'
                    && w.f[1][len - 1] <= '9';
    }
    assert_true(chinese > 6000 && chinese < 14000);               /* about half */
    assert_true(suffixed > 0);
    free(r.out);
}

static void test_gen_output_file_same_as_stdout(void **state)
{
    (void)state;
    REQUIRE_GEN();
    char path[] = "/tmp/gen_test_XXXXXX", args[128];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(args, sizeof args, "--orders 3000 -o %s", path);
    struct run a = gen(args);
    assert_int_equal(a.status, 0);
    assert_int_equal(a.len, 0);
    free(a.out);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct run b = gen("--orders 3000");
    char *buf = malloc(b.len + 1);
    assert_int_equal(fread(buf, 1, b.len + 1, f), b.len);
    fclose(f);
    assert_memory_equal(buf, b.out, b.len);
    unlink(path);
    free(buf);
    free(b.out);
}

static void test_gen_bgnbd_mode_all_paid_every_customer(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run r = gen("--bgnbd 0.243,4.414,0.793,2.426 --customers 3000 --seed 18");
    assert_int_equal(r.status, 0);
    size_t rows = count_lines(&r) - 1, pos = 0;
    struct row w;
    while (next_row(&r, &pos, ',', &w))
        assert_true(!strcmp(w.f[5], "paid") || !strcmp(w.f[5], "status"));
    free(r.out);
    r = gen("--bgnbd 0.243,4.414,0.793,2.426 --customers 3000 --seed 18");
    struct counts c = customer_counts(&r, rows);
    assert_int_equal(c.customers, 3000);
    assert_true(rows > 4500 && rows < 9000);     /* ≈ 1.1 repeats each at these rates */
    free(r.out);
}

/* MBG/NBD lets a customer leave right after the first purchase (probability E[p] ≈ 0.25
 * here), so it has clearly more one-time buyers than BG/NBD with the same parameters. */
static void test_gen_mbgnbd_more_one_time_buyers(void **state)
{
    (void)state;
    REQUIRE_GEN();
    struct run bg = gen("--bgnbd 0.5,4,0.8,2.4 --customers 5000 --seed 20");
    struct run mbg = gen("--mbgnbd 0.5,4,0.8,2.4 --customers 5000 --seed 20");
    struct counts cb = customer_counts(&bg, count_lines(&bg) - 1);
    struct counts cm = customer_counts(&mbg, count_lines(&mbg) - 1);
    assert_int_equal(cb.customers, 5000);
    assert_int_equal(cm.customers, 5000);
    assert_true(cm.one_order > cb.one_order + 500);
    free(bg.out);
    free(mbg.out);
}

static void test_gen_rejects_bad_arguments(void **state)
{
    (void)state;
    REQUIRE_GEN();
    static const char *const bad[] = {
        "--orders -5", "--orders 10x", "--orders 10 --customers 11", "--customers 0",
        "--end 2024-02-30", "--end 2024-1-05", "--days 0", "--bad-rate 1.5",
        "--bgnbd 1,2,3", "--bgnbd 1,2,3,4 --orders 10", "--gammagamma 1,0,2", "extra",
        "--regulars 2",
        "--nonsense",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run r = gen(bad[i]);
        assert_int_equal(r.status, 2);
        assert_int_equal(r.len, 0);
        free(r.out);
    }
    struct run h = gen("--help");
    assert_int_equal(h.status, 0);
    assert_non_null(strstr(h.out, "--bad-rate"));
    assert_non_null(strstr(h.out, "empty customer id"));
    free(h.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_writes_exact_row_count),
        cmocka_unit_test(test_gen_same_arguments_same_bytes),
        cmocka_unit_test(test_gen_matches_committed_sample),
        cmocka_unit_test(test_gen_writes_header),
        cmocka_unit_test(test_gen_rows_are_valid_and_in_time_order),
        cmocka_unit_test(test_gen_every_customer_orders_mean_ten),
        cmocka_unit_test(test_gen_orders_per_customer_heavy_tailed),
        cmocka_unit_test(test_gen_revenue_concentrated),
        cmocka_unit_test(test_gen_amounts_log_normal_quantity_follows),
        cmocka_unit_test(test_gen_statuses_in_proportion),
        cmocka_unit_test(test_gen_evening_busier_than_night),
        cmocka_unit_test(test_gen_monthly_volume_steady),
        cmocka_unit_test(test_gen_bad_rate_breaks_that_share),
        cmocka_unit_test(test_gen_tsv_is_csv_with_tabs),
        cmocka_unit_test(test_gen_chinese_names_mixed_in),
        cmocka_unit_test(test_gen_output_file_same_as_stdout),
        cmocka_unit_test(test_gen_bgnbd_mode_all_paid_every_customer),
        cmocka_unit_test(test_gen_mbgnbd_more_one_time_buyers),
        cmocka_unit_test(test_gen_rejects_bad_arguments),
    };
    return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
