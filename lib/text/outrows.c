/* outrows: two-thread row printing (see outrows.h). Invariant: the helper fills buffer k
 * only when full[k] is 0, the caller appends it only when full[k] is 1; blocks 1, 3, 5, ...
 * use buffers 0, 1, 0, ... in turn. */
#include "text/outrows.h"

#include <pthread.h>
#include <stdlib.h>

#define BLOCK 4096      /* rows per block: ~300 KB of text, a few ms of work */

struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct crm_out *buf[2];
    int full[2];
    int stop;
    size_t n, nblocks;
    void (*row)(struct crm_out *o, size_t i, void *ctx);
    void *ctx;
};

static void rows(struct shared *sh, struct crm_out *o, size_t block)
{
    size_t end = (block + 1) * BLOCK < sh->n ? (block + 1) * BLOCK : sh->n;
    for (size_t i = block * BLOCK; i < end; i++)
        sh->row(o, i, sh->ctx);
}

static void *helper(void *arg)
{
    struct shared *sh = arg;
    for (size_t b = 1, k = 0; b < sh->nblocks; b += 2, k ^= 1) {
        pthread_mutex_lock(&sh->mu);
        while (sh->full[k] && !sh->stop)
            pthread_cond_wait(&sh->cv, &sh->mu);
        int stop = sh->stop;
        pthread_mutex_unlock(&sh->mu);
        if (stop)
            break;
        crm_out_mem_clear(sh->buf[k]);
        rows(sh, sh->buf[k], b);
        pthread_mutex_lock(&sh->mu);
        sh->full[k] = 1;
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
    }
    return NULL;
}

enum crm_err crm_outrows_write(struct crm_out *o, size_t n,
                               void (*row)(struct crm_out *o, size_t i, void *ctx), void *ctx,
                               struct crm_errinfo *e)
{
    struct shared sh = {.n = n, .nblocks = (n + BLOCK - 1) / BLOCK, .row = row, .ctx = ctx};
    pthread_t th;
    if (sh.nblocks >= 2 && !(crm_out_flags(o) & CRM_OUT_XLSX)) {   /* cells, not text */
        sh.buf[0] = crm_out_new_mem(crm_out_flags(o));
        sh.buf[1] = crm_out_new_mem(crm_out_flags(o));
    }
    if (sh.nblocks < 2 || !sh.buf[0] || !sh.buf[1] ||
        pthread_mutex_init(&sh.mu, NULL) != 0) {
        crm_out_free(sh.buf[0]);
        crm_out_free(sh.buf[1]);
        for (size_t i = 0; i < n && !crm_out_failed(o); i++)   /* one thread will do */
            row(o, i, ctx);
        return CRM_OK;
    }
    enum crm_err rc = CRM_OK;
    int threaded = pthread_cond_init(&sh.cv, NULL) == 0;
    if (threaded && pthread_create(&th, NULL, helper, &sh) != 0) {
        pthread_cond_destroy(&sh.cv);
        threaded = 0;
    }
    for (size_t b = 0, k = 0; b < sh.nblocks && rc == CRM_OK && !crm_out_failed(o); b++) {
        if (b % 2 == 0 || !threaded) {
            rows(&sh, o, b);
            continue;
        }
        pthread_mutex_lock(&sh.mu);
        while (!sh.full[k])
            pthread_cond_wait(&sh.cv, &sh.mu);
        pthread_mutex_unlock(&sh.mu);
        size_t len;
        const char *text = crm_out_mem(sh.buf[k], &len);
        if (crm_out_failed(sh.buf[k]))
            rc = crm_errinfo_set(e, CRM_ENOMEM, "out of memory formatting rows");
        else
            crm_out_raw(o, text, len);
        pthread_mutex_lock(&sh.mu);
        sh.full[k] = 0;
        pthread_cond_broadcast(&sh.cv);
        pthread_mutex_unlock(&sh.mu);
        k ^= 1;
    }
    if (threaded) {
        pthread_mutex_lock(&sh.mu);
        sh.stop = 1;
        pthread_cond_broadcast(&sh.cv);
        pthread_mutex_unlock(&sh.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&sh.cv);
    }
    pthread_mutex_destroy(&sh.mu);
    crm_out_free(sh.buf[0]);
    crm_out_free(sh.buf[1]);
    return rc;
}
