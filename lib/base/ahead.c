/* ahead: preparing a range ahead of its user on a helper thread (see ahead.h). Invariant:
 * step k is claimed once (next, under mu) and marked done (done[k], under mu) after its
 * preparation, so the caller reads an entry only after the thread that wrote it released
 * mu; `have` (the caller's own) is a prefix of steps all known done; the helper claims no
 * step at or past `limit`. */
#include "base/ahead.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/thread.h"

struct crm_ahead {
    size_t n, step, nsteps;
    crm_ahead_fn fn;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;                  /* first step not claimed (under mu) */
    size_t lead, limit;           /* steps the helper may be ahead; its bound (under mu) */
    bool *done;                   /* per step (under mu) */
    bool stop, thread_up;
    pthread_t thread;
    size_t have;                  /* caller: steps [0, have) done */
};

static void run_step(struct crm_ahead *ah, size_t k)
{
    size_t from = k * ah->step, to = from + ah->step < ah->n ? from + ah->step : ah->n;
    ah->fn(ah->ctx, from, to);
}

static void *helper_main(void *arg)
{
    struct crm_ahead *ah = arg;
    crm_thread_set_helper();
    pthread_mutex_lock(&ah->mu);
    while (!ah->stop && ah->next < ah->nsteps) {
        if (ah->next >= ah->limit) {      /* far enough ahead: wait for the caller */
            pthread_cond_wait(&ah->cv, &ah->mu);
            continue;
        }
        size_t k = ah->next++;
        pthread_mutex_unlock(&ah->mu);
        run_step(ah, k);
        pthread_mutex_lock(&ah->mu);
        ah->done[k] = true;
        pthread_cond_broadcast(&ah->cv);
    }
    pthread_mutex_unlock(&ah->mu);
    return NULL;
}

struct crm_ahead *crm_ahead_start(size_t n, size_t step, size_t lead, crm_ahead_fn fn,
                                  void *ctx)
{
    struct crm_ahead *ah = calloc(1, sizeof *ah);
    if (!ah)
        return NULL;
    ah->n = n;
    ah->step = step ? step : 1;
    ah->nsteps = n / ah->step + (n % ah->step != 0);
    ah->lead = lead / ah->step + (lead % ah->step != 0);
    ah->limit = ah->lead;
    ah->fn = fn;
    ah->ctx = ctx;
    ah->done = calloc(ah->nsteps ? ah->nsteps : 1, sizeof *ah->done);
    if (!ah->done) {
        free(ah);
        return NULL;
    }
    pthread_mutex_init(&ah->mu, NULL);
    pthread_cond_init(&ah->cv, NULL);
    if (ah->nsteps > 0 && pthread_create(&ah->thread, NULL, helper_main, ah) == 0)
        ah->thread_up = true;
    return ah;
}

void crm_ahead_need(struct crm_ahead *ah, size_t upto)
{
    size_t want = (upto < ah->n ? upto : ah->n) / ah->step;
    if ((upto < ah->n ? upto : ah->n) % ah->step != 0)
        want++;
    if (want <= ah->have)
        return;
    pthread_mutex_lock(&ah->mu);
    if (want + ah->lead > ah->limit) {
        ah->limit = want + ah->lead;
        pthread_cond_broadcast(&ah->cv);
    }
    while (ah->have < want) {
        if (ah->done[ah->have]) {
            ah->have++;
        } else if (ah->next < want) {     /* not claimed yet: do it here, in order */
            size_t k = ah->next++;
            pthread_mutex_unlock(&ah->mu);
            run_step(ah, k);
            pthread_mutex_lock(&ah->mu);
            ah->done[k] = true;
        } else {                          /* the helper is on it */
            pthread_cond_wait(&ah->cv, &ah->mu);
        }
    }
    pthread_mutex_unlock(&ah->mu);
}

void crm_ahead_stop(struct crm_ahead *ah)
{
    if (!ah)
        return;
    pthread_mutex_lock(&ah->mu);
    ah->stop = true;
    pthread_cond_broadcast(&ah->cv);
    pthread_mutex_unlock(&ah->mu);
    if (ah->thread_up)
        pthread_join(ah->thread, NULL);
    pthread_mutex_destroy(&ah->mu);
    pthread_cond_destroy(&ah->cv);
    free(ah->done);
    free(ah);
}

int crm_ahead_cover(struct crm_ahead **ah, size_t hint, size_t need, uint32_t *ready)
{
    if (!*ah)
        return 0;
    crm_ahead_need(*ah, need < hint ? need : hint);
    if (need <= hint)
        return 1;
    crm_ahead_stop(*ah);
    *ah = NULL;
    *ready = (uint32_t)hint;
    return 0;
}
