/* Tests for lib/base/ahead: every entry prepared exactly once, whoever prepares it; the
 * prefix asked for is ready when crm_ahead_need returns, in steps that do not divide n, in
 * prefixes asked in many small steps or at once; nothing to prepare; stopping early; the
 * helper never further ahead than its lead. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

#include "base/ahead.h"

struct fill {
    uint32_t *v;              /* entry i becomes i * 3 + 1 */
    atomic_uint *times;       /* how often entry i was prepared */
    atomic_uint calls;
    int slow;                 /* sleep in each step: the caller meets steps in progress */
};

static void fill_range(void *ctx, size_t from, size_t to)
{
    struct fill *f = ctx;
    atomic_fetch_add(&f->calls, 1);
    if (f->slow)
        usleep(300);
    for (size_t i = from; i < to; i++) {
        f->v[i] = (uint32_t)(i * 3 + 1);
        atomic_fetch_add(&f->times[i], 1);
    }
}

static void new_fill(struct fill *f, size_t n, int slow)
{
    f->slow = slow;
    f->v = calloc(n ? n : 1, sizeof *f->v);
    f->times = calloc(n ? n : 1, sizeof *f->times);
    atomic_init(&f->calls, 0);
    assert_non_null(f->v);
    assert_non_null(f->times);
}

/* Ask for prefixes growing by `by` (the pass's DICT blocks), checking each as it comes. */
static void run_prefixes(size_t n, size_t step, size_t lead, size_t by, int slow)
{
    struct fill f;
    new_fill(&f, n, slow);
    struct crm_ahead *ah = crm_ahead_start(n, step, lead, fill_range, &f);
    assert_non_null(ah);
    size_t checked = 0;
    for (size_t upto = 0; upto < n + by; upto += by) {
        crm_ahead_need(ah, upto);
        size_t lim = upto < n ? upto : n;
        for (size_t i = checked; i < lim; i++)
            if (f.v[i] != (uint32_t)(i * 3 + 1))
                fail_msg("entry %zu not ready after need(%zu)", i, upto);
        checked = lim;
    }
    crm_ahead_stop(ah);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(atomic_load(&f.times[i]), 1);
    assert_int_equal(atomic_load(&f.calls), n / step + (n % step != 0));
    free(f.v);
    free(f.times);
}

static void test_ahead_prefixes_ready_and_each_entry_prepared_once(void **state)
{
    (void)state;
    run_prefixes(1000003, 4096, 1000003, 977, 0);   /* steps not dividing n, small asks */
    run_prefixes(1000003, 4096, 1000003, 1000003, 0);   /* all at once: both race */
    run_prefixes(1000003, 4096, 10000, 977, 0);     /* the helper held close behind */
    run_prefixes(65536, 65536, 65536, 1, 0);        /* one step */
    run_prefixes(10, 3, 10, 2, 0);
    run_prefixes(10, 3, 0, 2, 0);                   /* no lead: the caller does it all */
    for (int round = 0; round < 20; round++)        /* steps in progress when asked */
        run_prefixes(40000, 1000, 40000, 40000, 1);
    run_prefixes(40000, 1000, 5000, 300, 1);
}

static void test_ahead_nothing_to_prepare(void **state)
{
    (void)state;
    struct fill f;
    new_fill(&f, 0, 0);
    struct crm_ahead *ah = crm_ahead_start(0, 4096, 4096, fill_range, &f);
    assert_non_null(ah);
    crm_ahead_need(ah, 0);
    crm_ahead_need(ah, 100);                   /* past n: n */
    crm_ahead_stop(ah);
    assert_int_equal(atomic_load(&f.calls), 0);
    crm_ahead_stop(NULL);
    free(f.v);
    free(f.times);
}

static void test_ahead_stop_early_prepares_nothing_twice(void **state)
{
    (void)state;
    size_t n = 2000000;
    struct fill f;
    new_fill(&f, n, 0);
    struct crm_ahead *ah = crm_ahead_start(n, 1024, n, fill_range, &f);
    assert_non_null(ah);
    crm_ahead_need(ah, 5000);
    crm_ahead_stop(ah);                         /* the helper may be anywhere past 5000 */
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned t = atomic_load(&f.times[i]);
        assert_true(t <= 1);
        assert_true(i >= 5000 || t == 1);
        done += t;
    }
    assert_int_equal(done % 1024, 0);           /* whole steps only (n is a multiple) */
    free(f.v);
    free(f.times);
}

/* With a lead of L entries the helper prepares nothing past the prefix asked for + L, however
 * long it is left alone (the count may be a lie). */
static void test_ahead_helper_stays_within_its_lead(void **state)
{
    (void)state;
    size_t n = 1000000;
    struct fill f;
    new_fill(&f, n, 0);
    struct crm_ahead *ah = crm_ahead_start(n, 1000, 5500, fill_range, &f);   /* 6 steps */
    assert_non_null(ah);
    usleep(50000);
    assert_true(atomic_load(&f.calls) <= 6);
    crm_ahead_need(ah, 20000);                  /* 20 steps asked: 26 at most */
    usleep(50000);
    crm_ahead_stop(ah);
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
        done += atomic_load(&f.times[i]);
    assert_true(done >= 20000);
    assert_true(done <= 26000);
    free(f.v);
    free(f.times);
}

/* crm_ahead_cover: a prefix within the hint is prepared and the helper runs on; one past it
 * stops the helper and hands the caller the prepared count to grow from; no helper: 0. */
static void test_ahead_cover_within_and_past_the_hint(void **state)
{
    (void)state;
    struct fill f;
    new_fill(&f, 1000, 0);
    struct crm_ahead *ah = crm_ahead_start(1000, 64, 256, fill_range, &f);
    assert_non_null(ah);
    uint32_t ready = 7;
    assert_int_equal(crm_ahead_cover(&ah, 1000, 300, &ready), 1);
    assert_non_null(ah);
    assert_int_equal(ready, 7);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(f.v[i], i * 3 + 1);
    assert_int_equal(crm_ahead_cover(&ah, 1000, 1000, &ready), 1);
    assert_int_equal(f.v[999], 999 * 3 + 1);
    assert_int_equal(crm_ahead_cover(&ah, 1000, 1001, &ready), 0);
    assert_null(ah);
    assert_int_equal(ready, 1000);
    ready = 5;
    assert_int_equal(crm_ahead_cover(&ah, 1000, 10, &ready), 0);   /* no helper */
    assert_int_equal(ready, 5);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(atomic_load(&f.times[i]), 1);
    free(f.v);
    free(f.times);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ahead_prefixes_ready_and_each_entry_prepared_once),
        cmocka_unit_test(test_ahead_nothing_to_prepare),
        cmocka_unit_test(test_ahead_stop_early_prepares_nothing_twice),
        cmocka_unit_test(test_ahead_helper_stays_within_its_lead),
        cmocka_unit_test(test_ahead_cover_within_and_past_the_hint),
    };
    return cmocka_run_group_tests_name("ahead", tests, NULL, NULL);
}
