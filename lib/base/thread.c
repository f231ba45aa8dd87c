/* thread: helper-thread priority and a two-way split (see thread.h). Invariant: only ever
 * lowers the calling thread's own priority, never another thread's and never upwards; a
 * thread started here is joined before the call that started it returns. */
#include "base/thread.h"

#include <pthread.h>

#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define HELPER_NICE 5              /* measured on 10 M orders: 5 and 10 alike, 3 worse */

void crm_thread_set_helper(void)
{
#ifdef __linux__
    /* On Linux, PRIO_PROCESS with a thread id addresses that thread alone. */
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (now == -1 && errno != 0)
        return;
    int want = now + HELPER_NICE > 19 ? 19 : now + HELPER_NICE;
    (void)setpriority(PRIO_PROCESS, tid, want);
#endif
}

struct both {
    void (*fn)(void *ctx, int part);
    void *ctx;
};

static void *run_part1(void *arg)
{
    struct both *b = arg;
    b->fn(b->ctx, 1);
    return NULL;
}

void crm_thread_both(void (*fn)(void *ctx, int part), void *ctx)
{
    struct both b = {fn, ctx};
    pthread_t t;
    if (pthread_create(&t, NULL, run_part1, &b) != 0) {
        fn(ctx, 0);
        fn(ctx, 1);
        return;
    }
    fn(ctx, 0);
    pthread_join(t, NULL);
}

void crm_thread_halves(void (*fn)(void *ctx, int part), void *ctx, size_t n)
{
    if (n >= ((size_t)1 << 16)) {
        crm_thread_both(fn, ctx);
        return;
    }
    fn(ctx, 0);
    fn(ctx, 1);
}
