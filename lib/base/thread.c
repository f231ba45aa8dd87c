/* thread: helper-thread priority (see thread.h). Invariant: only ever lowers the calling
 * thread's own priority, never another thread's and never upwards. */
#include "base/thread.h"

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
