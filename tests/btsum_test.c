/* Tests for lib/btsum: purchases are distinct paid days, the calibration/holdout split, the
 * tracking series, and exact counts whatever the order of the orders in the store (second
 * pass, in groups under a small budget, and a clear failure on a pipe that cannot rewind). */
#include "testutil.h"

#include <sys/wait.h>

#include "teststore.h"
#include "customer/btsum.h"
#include "base/rng.h"
#include "text/timeparse.h"

struct o {
    const char *cust;
    int32_t day;
    int64_t amount;
    int status;
};

static int32_t D(const char *s)
{
    int32_t d;
    assert_int_equal(crm_date_parse(s, &d), 0);
    return d;
}

static void write_store(const struct o *orders, size_t n, char *path)
{
    strcpy(path, "/tmp/crm-btsum-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct crm_store_meta meta = {"", 2};
    struct crm_store_writer *w;
    struct crm_errinfo e;
    assert_int_equal(crm_store_writer_new(fd, path, &meta, CRM_STORE_NO_SYNC, &w, &e), CRM_OK);
    for (size_t i = 0; i < n; i++) {
        struct crm_order ord = {0};
        assert_int_equal(crm_store_writer_customer(w, orders[i].cust, strlen(orders[i].cust),
                                                   &ord.customer, &e),
                         CRM_OK);
        ord.time = (int64_t)orders[i].day * 86400 + 3600 * (int64_t)(i % 24);
        ord.amount = orders[i].amount;
        ord.quantity = 1;
        ord.status = (uint8_t)orders[i].status;
        assert_int_equal(crm_store_writer_add(w, &ord, &e), CRM_OK);
    }
    assert_int_equal(crm_store_writer_finish(w, &e), CRM_OK);
    crm_store_writer_free(w);
    close(fd);
}

static struct crm_btsum *run(const char *path, int32_t as_of, int32_t end, int tracking,
                             size_t budget)
{
    struct crm_store *s;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_btsum_opts o = {as_of, end, tracking, budget};
    struct crm_btsum *b;
    enum crm_err rc = crm_btsum_run(s, &o, &b, &e);
    if (rc != CRM_OK)
        fail_msg("btsum: %s", e.msg);
    crm_store_close(s);
    return b;
}

#define P CRM_STATUS_PAID

static void test_btsum_same_day_orders_are_one_purchase(void **state)
{
    (void)state;
    const struct o orders[] = {
        {"a", D("2024-01-01"), 100, P},
        {"a", D("2024-01-01"), 200, P},   /* same day: one purchase of 3.00 */
        {"b", D("2024-01-02"), 700, P},
        {"a", D("2024-01-05"), 50, P},
        {"a", D("2024-01-05"), 999, CRM_STATUS_CANCELLED},
        {"a", D("2024-01-09"), 999, CRM_STATUS_REFUNDED},  /* not a purchase */
        {"c", D("2024-01-09"), 999, CRM_STATUS_PENDING},   /* never bought */
        {"a", D("2024-02-01"), 25, P},
        {"b", D("2024-03-01"), 10, P},                     /* the as-of day: ignored */
    };
    char path[64];
    write_store(orders, sizeof orders / sizeof orders[0], path);
    struct crm_btsum *b = run(path, D("2024-03-01"), D("2024-02-29"), 0, 0);
    assert_int_equal(b->n, 3);
    const struct crm_btsum_cust *a = &b->cust[0];
    assert_int_equal(a->days, 3);
    assert_int_equal(crm_btsum_x(a), 2);
    assert_int_equal(a->first, D("2024-01-01"));
    assert_int_equal(a->last, D("2024-02-01"));
    assert_int_equal(a->money, 375);
    assert_int_equal(a->first_money, 300);
    assert_int_equal(crm_btsum_repeat_money(a), 75);
    assert_int_equal(b->cust[1].days, 1);
    assert_int_equal(b->cust[1].money, 700);
    assert_false(crm_btsum_has(&b->cust[2]));
    assert_int_equal(b->customers, 2);
    assert_int_equal(b->orders, 8);
    assert_int_equal(b->orders_future, 1);
    assert_int_equal(b->paid, 5);
    assert_int_equal(b->out_of_order, 0);
    assert_int_equal(b->passes, 1);
    crm_btsum_free(b);
    unlink(path);
}

static void test_btsum_splits_calibration_and_holdout(void **state)
{
    (void)state;
    const struct o orders[] = {
        {"a", D("2024-01-01"), 100, P},
        {"a", D("2024-01-31"), 100, P},   /* the calibration end: calibration */
        {"a", D("2024-02-01"), 100, P},   /* holdout */
        {"a", D("2024-02-01"), 100, P},
        {"a", D("2024-02-20"), 100, P},
        {"b", D("2024-02-02"), 100, P},   /* first purchase in the holdout: not modelled */
        {"b", D("2024-02-03"), 100, P},
    };
    char path[64];
    write_store(orders, sizeof orders / sizeof orders[0], path);
    struct crm_btsum *b = run(path, D("2024-03-01"), D("2024-01-31"), 1, 0);
    assert_int_equal(b->cust[0].days, 2);
    assert_int_equal(b->cust[0].holdout_days, 2);
    assert_int_equal(b->cust[0].money, 200);
    assert_int_equal(b->cust[0].last, D("2024-01-31"));
    assert_false(crm_btsum_has(&b->cust[1]));
    assert_int_equal(b->cust[1].holdout_days, 2);
    assert_int_equal(b->customers, 1);
    assert_int_equal(b->holdout_only, 1);
    /* repeat purchases per day: a's 01-31, 02-01, 02-20; b is outside the population */
    size_t k31 = (size_t)(D("2024-02-29") - D("2024-01-31"));
    assert_true(b->nrepeat > (size_t)(D("2024-02-29") - D("2024-01-01")));
    uint32_t total = 0;
    for (size_t k = 0; k < b->nrepeat; k++)
        total += b->repeat[k];
    assert_int_equal(total, 3);
    assert_int_equal(b->repeat[k31], 1);
    assert_int_equal(b->repeat[D("2024-02-29") - D("2024-02-01")], 1);
    assert_int_equal(b->repeat[D("2024-02-29") - D("2024-02-20")], 1);
    assert_int_equal(b->repeat[D("2024-02-29") - D("2024-01-01")], 0);
    crm_btsum_free(b);
    unlink(path);
}

/* ---- any order in the store gives the same summaries ---- */

#define NC 300
#define NO 6000

static char names[NC][16];

/* Random orders of NC customers over 2023-01-01 .. 2024-12-31 (some days repeated, some
 * statuses not paid); as written they are sorted by day. */
static void random_orders(struct o *ord, uint64_t seed)
{
    struct crm_rng r;
    crm_rng_seed(&r, seed);
    int32_t d0 = D("2023-01-01");
    for (int c = 0; c < NC; c++)
        snprintf(names[c], sizeof names[c], "c%d", c);
    for (int i = 0; i < NO; i++) {
        int c = (int)(crm_rng_uniform(&r) * NC * crm_rng_uniform(&r)); /* skewed */
        ord[i].cust = names[c];
        ord[i].day = d0 + (int32_t)(crm_rng_uniform(&r) * 60) * 12 + (c % 3);
        ord[i].amount = (int64_t)(crm_rng_uniform(&r) * 10000);
        ord[i].status = crm_rng_uniform(&r) < 0.9 ? P : CRM_STATUS_REFUNDED;
    }
    for (int i = 1; i < NO; i++) /* insertion sort by day: stable */
        for (int j = i; j > 0 && ord[j - 1].day > ord[j].day; j--) {
            struct o t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
}

/* What every summary must be, by brute force from the list of orders. */
static void check_against_brute_force(const struct crm_btsum *b, const struct o *ord,
                                      int32_t as_of, int32_t end)
{
    static uint32_t repeat[800];
    memset(repeat, 0, sizeof repeat);
    for (int c = 0; c < NC; c++) {
        static int32_t days[NO];
        int n = 0;
        int64_t money = 0;
        for (int i = 0; i < NO; i++)
            if (strcmp(ord[i].cust, names[c]) == 0 && ord[i].status == P && ord[i].day < as_of) {
                days[n++] = ord[i].day;
                if (ord[i].day <= end)
                    money += ord[i].amount;
            }
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && days[j - 1] > days[j]; j--) {
                int32_t t = days[j];
                days[j] = days[j - 1];
                days[j - 1] = t;
            }
        uint32_t cal = 0, hold = 0;
        int32_t first = CRM_NO_DAY, last = CRM_NO_DAY;
        for (int i = 0; i < n; i++) {
            if (i > 0 && days[i] == days[i - 1])
                continue;
            if (days[i] <= end) {
                cal++;
                if (first == CRM_NO_DAY)
                    first = days[i];
                last = days[i];
            } else {
                hold++;
            }
            if (first != CRM_NO_DAY && days[i] != first)
                repeat[as_of - 1 - days[i]]++;
        }
        int64_t first_money = 0;
        for (int i = 0; i < NO; i++)
            if (strcmp(ord[i].cust, names[c]) == 0 && ord[i].status == P && ord[i].day == first)
                first_money += ord[i].amount;
        /* customers are numbered in their first appearance in the store: find c's index */
        uint32_t k = 0;
        int found = 0;
        for (int i = 0, seen = 0; i < NO && !found; i++) {
            int before = 0;
            for (int j = 0; j < i && !before; j++)
                before = strcmp(ord[j].cust, ord[i].cust) == 0;
            if (!before) {
                if (strcmp(ord[i].cust, names[c]) == 0) {
                    k = (uint32_t)seen;
                    found = 1;
                }
                seen++;
            }
        }
        if (!found)
            continue;
        const struct crm_btsum_cust *s = &b->cust[k];
        if (s->days != cal || s->holdout_days != hold || s->first != first || s->last != last ||
            s->money != money || s->first_money != (first == CRM_NO_DAY ? 0 : first_money))
            fail_msg("customer %s: days %u/%u holdout %u/%u first %d/%d last %d/%d money "
                     "%lld/%lld first money %lld/%lld",
                     names[c], s->days, cal, s->holdout_days, hold, s->first, first, s->last,
                     last, (long long)s->money, (long long)money, (long long)s->first_money,
                     (long long)first_money);
    }
    assert_true(b->nrepeat <= 800);
    for (size_t k = 0; k < 800; k++)
        if ((k < b->nrepeat ? b->repeat[k] : 0) != repeat[k])
            fail_msg("repeat purchases on day as_of-1-%zu: %u, want %u", k,
                     k < b->nrepeat ? b->repeat[k] : 0, repeat[k]);
}

static struct o ORD[NO];

static void shuffle(struct o *ord, uint64_t seed)
{
    struct crm_rng r;
    crm_rng_seed(&r, seed);
    for (int i = NO - 1; i > 0; i--) {
        int j = (int)(crm_rng_uniform(&r) * (i + 1));
        struct o t = ord[i];
        ord[i] = ord[j];
        ord[j] = t;
    }
}

static void test_btsum_time_ordered_store_needs_one_pass(void **state)
{
    (void)state;
    char path[64];
    random_orders(ORD, 1);
    write_store(ORD, NO, path);
    int32_t as_of = D("2024-12-01"), end = D("2024-06-30");
    struct crm_btsum *b = run(path, as_of, end, 1, 0);
    assert_int_equal(b->passes, 1);
    assert_int_equal(b->out_of_order, 0);
    check_against_brute_force(b, ORD, as_of, end);
    crm_btsum_free(b);
    unlink(path);
}

static void test_btsum_shuffled_store_is_exact_after_a_second_pass(void **state)
{
    (void)state;
    char path[64];
    random_orders(ORD, 2);
    shuffle(ORD, 3);
    write_store(ORD, NO, path);
    int32_t as_of = D("2024-12-01"), end = D("2024-06-30");
    struct crm_btsum *b = run(path, as_of, end, 1, 0);
    assert_int_equal(b->passes, 2);
    assert_true(b->out_of_order > NC / 2);
    check_against_brute_force(b, ORD, as_of, end);
    crm_btsum_free(b);
    /* no holdout: the calibration period runs to the day before as_of */
    b = run(path, as_of, as_of - 1, 1, 0);
    check_against_brute_force(b, ORD, as_of, as_of - 1);
    crm_btsum_free(b);
    unlink(path);
}

static void test_btsum_small_budget_splits_the_second_pass(void **state)
{
    (void)state;
    char path[64];
    random_orders(ORD, 4);
    /* two "imports": the second half of the time range first */
    struct o *tmp = malloc(sizeof ORD);
    assert_non_null(tmp);
    memcpy(tmp, ORD + NO / 2, (NO - NO / 2) * sizeof *ORD);
    memcpy(tmp + (NO - NO / 2), ORD, NO / 2 * sizeof *ORD);
    memcpy(ORD, tmp, sizeof ORD);
    free(tmp);
    write_store(ORD, NO, path);
    int32_t as_of = D("2025-01-01"), end = D("2024-03-31");
    struct crm_btsum *b = run(path, as_of, end, 1, 4096);
    assert_true(b->passes > 3);
    assert_true(b->out_of_order > 0);
    check_against_brute_force(b, ORD, as_of, end);
    crm_btsum_free(b);
    unlink(path);
}

/* A store read from a pipe with a given as-of date cannot be read twice. */
static enum crm_err run_from_pipe(const char *path, struct crm_btsum **b, struct crm_errinfo *e)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        FILE *f = fopen(path, "rb");
        char buf[4096];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            if (write(fds[1], buf, n) != (ssize_t)n)
                break;
        _exit(0);
    }
    close(fds[1]);
    struct crm_store *s;
    assert_int_equal(crm_store_open_fd(fds[0], "stdin", NULL, 0, &s, e), CRM_OK);
    struct crm_btsum_opts o = {D("2024-12-01"), D("2024-11-30"), 0, 0};
    enum crm_err rc = crm_btsum_run(s, &o, b, e);
    crm_store_close(s);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return rc;
}

static void test_btsum_pipe_cannot_take_a_second_pass(void **state)
{
    (void)state;
    char path[64];
    struct crm_btsum *b;
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    random_orders(ORD, 5);
    write_store(ORD, NO, path);
    assert_int_equal(run_from_pipe(path, &b, &e), CRM_OK); /* in time order: fine */
    assert_int_equal(b->passes, 1);
    crm_btsum_free(b);
    unlink(path);
    shuffle(ORD, 6);
    write_store(ORD, NO, path);
    assert_int_equal(run_from_pipe(path, &b, &e), CRM_EDATA);
    assert_null(b);
    assert_non_null(strstr(e.msg, "not in time order"));
    assert_non_null(strstr(e.msg, "cannot be read twice"));
    unlink(path);
}

static void test_btsum_rejects_calibration_end_after_as_of(void **state)
{
    (void)state;
    char path[64];
    const struct o orders[] = {{"a", D("2024-01-01"), 100, P}};
    write_store(orders, 1, path);
    struct crm_store *s;
    struct crm_errinfo e;
    assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
    struct crm_btsum_opts o = {D("2024-02-01"), D("2024-02-01"), 0, 0};
    struct crm_btsum *b;
    assert_int_equal(crm_btsum_run(s, &o, &b, &e), CRM_EUSAGE);
    crm_store_close(s);
    unlink(path);
}

/* Many customers arriving chunk by chunk: the array grows past bigmem's 2 MiB line several
 * times; every customer's summary against a plain model (customer k first appears k-th). */
#define MANY_C 120000u
#define MANY_N 200000u

static char many_ids[MANY_C][12];
static struct o many[MANY_N];

/* A store of MANY_C customers over MANY_N orders in time order (the dictionary comes in many
 * DICT blocks); its path in path. */
static void write_many(char *path)
{
    const int32_t day0 = D("2024-01-01");
    for (uint32_t i = 0; i < MANY_N; i++) {
        uint32_t k = i < MANY_C ? i : (i * 7919u) % MANY_C;
        snprintf(many_ids[k], sizeof many_ids[k], "m%u", k);
        many[i] = (struct o){many_ids[k], day0 + (int32_t)(i / 1000), 100 + i % 97,
                             i % 6 == 5 ? CRM_STATUS_CANCELLED : P};
    }
    write_store(many, MANY_N, path);
}

/* b's summaries of write_many's store against a count made here. */
static void check_many(const struct crm_btsum *b)
{
    assert_int_equal(b->n, MANY_C);
    assert_true(b->cap >= MANY_C);
    static struct crm_btsum_cust want[MANY_C];
    for (uint32_t k = 0; k < MANY_C; k++)
        want[k] = (struct crm_btsum_cust){0, 0, CRM_NO_DAY, CRM_NO_DAY, 0, 0, 0, 0};
    for (uint32_t i = 0; i < MANY_N; i++) {
        struct crm_btsum_cust *w = &want[i < MANY_C ? i : (i * 7919u) % MANY_C];
        if (many[i].status != P)
            continue;
        if (many[i].day != w->last)
            w->days++;
        if (w->first == CRM_NO_DAY)
            w->first = many[i].day;
        w->last = many[i].day;
        w->money += many[i].amount;
    }
    uint32_t bad = 0, none = 0;
    for (uint32_t k = 0; k < MANY_C; k++) {
        const struct crm_btsum_cust *c = &b->cust[k], *w = &want[k];
        if (c->first != w->first || c->last != w->last || c->days != w->days ||
            c->money != w->money) {
            if (bad++ == 0)
                print_message("customer %u: first %d/%d last %d/%d days %u/%u money %lld/%lld\n",
                              k, c->first, w->first, c->last, w->last, c->days, w->days,
                              (long long)c->money, (long long)w->money);
        }
        none += w->first == CRM_NO_DAY;
    }
    assert_int_equal(bad, 0);
    assert_true(none > 100);   /* never-paying customers read "no day" */
}

static void test_btsum_many_customers_grow_in_steps(void **state)
{
    (void)state;
    char path[64];
    write_many(path);
    const int32_t day0 = D("2024-01-01");
    struct crm_btsum *b = run(path, day0 + 300, day0 + 299, 0, 0);
    check_many(b);
    crm_btsum_free(b);
    unlink(path);
}

/* The END block's customer count only sizes the array prepared ahead: a count that is too
 * small (the helper stops, the array grows past it) or too large fails the pass on the END
 * block's totals, as it would without the hint; the right count gives the right figures. */
static void test_btsum_end_block_count_is_only_a_hint(void **state)
{
    (void)state;
    const uint64_t claims[] = {1000, MANY_C + 70000, MANY_C};
    const int32_t day0 = D("2024-01-01");
    for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++) {
        char path[64];
        write_many(path);
        t_set_end_customers(path, claims[k]);
        struct crm_store *s;
        struct crm_errinfo e;
        assert_int_equal(crm_store_open(path, &s, &e), CRM_OK);
        assert_int_equal(crm_store_customer_hint(s), claims[k]);
        struct crm_btsum_opts o = {day0 + 300, day0 + 299, 0, 0};
        struct crm_btsum *b = NULL;
        enum crm_err rc = crm_btsum_run(s, &o, &b, &e);
        if (claims[k] == MANY_C) {
            assert_int_equal(rc, CRM_OK);
            check_many(b);
            crm_btsum_free(b);
        } else {
            assert_int_equal(rc, CRM_ECORRUPT);
            assert_null(b);
            assert_non_null(strstr(e.msg, "end block totals"));
        }
        crm_store_close(s);
        unlink(path);
    }
}

static void test_btsum_store_without_orders(void **state)
{
    (void)state;
    char path[64];
    write_store(NULL, 0, path);
    struct crm_btsum *b = run(path, D("2024-12-01"), D("2024-11-30"), 1, 0);
    assert_int_equal(b->n, 0);
    assert_int_equal(b->customers, 0);
    assert_int_equal(b->orders, 0);
    assert_int_equal(b->nrepeat, 0);
    crm_btsum_free(b);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_btsum_same_day_orders_are_one_purchase),
        cmocka_unit_test(test_btsum_splits_calibration_and_holdout),
        cmocka_unit_test(test_btsum_time_ordered_store_needs_one_pass),
        cmocka_unit_test(test_btsum_shuffled_store_is_exact_after_a_second_pass),
        cmocka_unit_test(test_btsum_small_budget_splits_the_second_pass),
        cmocka_unit_test(test_btsum_pipe_cannot_take_a_second_pass),
        cmocka_unit_test(test_btsum_rejects_calibration_end_after_as_of),
        cmocka_unit_test(test_btsum_many_customers_grow_in_steps),
        cmocka_unit_test(test_btsum_end_block_count_is_only_a_hint),
        cmocka_unit_test(test_btsum_store_without_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
