/* btyd_bench: times the crm-churn model core on simulated customers — simulate, compact the
 * (x, t_x, T) triples, fit BG/NBD, score every distinct triple (P(alive), expected purchases,
 * P(no purchase)) and copy the scores back to customers. Prints one line per phase.
 * Usage: btyd_bench [CUSTOMERS [SEED [bgnbd|mbgnbd|pnbd]]]   (default 1000000 1 bgnbd)
 * Customers follow the CDNOW fit of the model (Pareto/NBD: BTYD's walkthrough); first
 * purchases are spread over 52 weeks, calibration ends
 * at week 78, times are whole days (in weeks), the horizon is 90 days. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/btyd.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
    int mbg = argc > 3 && strcmp(argv[3], "mbgnbd") == 0;
    int pnbd = argc > 3 && strcmp(argv[3], "pnbd") == 0;
    struct crm_btyd_params truth = {mbg ? CRM_BTYD_MBGNBD : CRM_BTYD_BGNBD, 0.243, 4.414, 0.793,
                                    2.426};
    if (pnbd)
        truth = (struct crm_btyd_params){CRM_BTYD_PNBD, 0.553, 10.58, 0.606, 11.67};
    struct crm_btyd_obs *obs = malloc(n * sizeof *obs), *tri = NULL;
    size_t *map = malloc(n * sizeof *map), ntri = 0;
    struct crm_btyd_score *per_customer = malloc(n * sizeof *per_customer), *score = NULL;
    struct crm_errinfo err;
    crm_errinfo_clear(&err);
    if (!obs || !map || !per_customer) {
        fprintf(stderr, "btyd_bench: out of memory\n");
        return 1;
    }
    struct crm_rng rng;
    crm_rng_seed(&rng, seed);
    double t0 = now(), held;
    for (size_t i = 0; i < n; i++) {
        double first_day = floor(crm_rng_uniform(&rng) * 364.0);
        crm_btyd_simulate(&truth, &rng, (546.0 - first_day) / 7.0, 0.0, &obs[i], &held);
        obs[i].t_x = fmin(ceil(obs[i].t_x * 7.0) / 7.0, obs[i].T); /* whole days */
    }
    double t1 = now();
    struct crm_btyd_fit fit;
    struct crm_btyd_horizon horizon = {90.0 / 7.0, 0.0, 7.0};
    enum crm_err e = crm_btyd_compact(obs, n, &tri, &ntri, map, &err);
    double t2 = now();
    if (e == CRM_OK)
        e = crm_btyd_fit(truth.model, tri, ntri, &fit, &err);
    double t3 = now();
    if (e == CRM_OK && !(score = malloc(ntri * sizeof *score)))
        e = CRM_ENOMEM;
    if (e == CRM_OK)
        e = crm_btyd_score(&fit.params, tri, ntri, &horizon, score, &err);
    if (e == CRM_OK)
        for (size_t i = 0; i < n; i++)
            per_customer[i] = score[map[i]];
    double t4 = now();
    /* for comparison: the same scores customer by customer, without compaction */
    if (e == CRM_OK)
        e = crm_btyd_score(&fit.params, obs, n, &horizon, per_customer, &err);
    double t5 = now();
    /* and the distinct triples again with 10 %/year monthly discounting for CLV */
    struct crm_btyd_horizon discounted = {90.0 / 7.0, 0.10, 7.0};
    if (e == CRM_OK)
        e = crm_btyd_score(&fit.params, tri, ntri, &discounted, score, &err);
    double t6 = now();
    if (e != CRM_OK) {
        fprintf(stderr, "btyd_bench: %s\n", err.msg[0] ? err.msg : crm_strerror(e));
        return 1;
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += per_customer[i].expected;
    printf("customers %zu, distinct triples %zu, model %s\n", n, ntri,
           crm_btyd_model_name(truth.model));
    printf("simulate      %8.1f ms (not part of the tool's work)\n", (t1 - t0) * 1e3);
    printf("compact       %8.1f ms\n", (t2 - t1) * 1e3);
    printf("fit           %8.1f ms (%d iterations, %d likelihood evaluations)\n",
           (t3 - t2) * 1e3, fit.iterations, fit.evaluations);
    printf("score+scatter %8.1f ms\n", (t4 - t3) * 1e3);
    printf("total         %8.1f ms (compact + fit + score)\n", (t4 - t1) * 1e3);
    printf("(scoring the %zu customers one by one instead: %.1f ms)\n", n, (t5 - t4) * 1e3);
    printf("(scoring the triples with monthly discounting for CLV: %.1f ms)\n",
           (t6 - t5) * 1e3);
    printf("fit r=%.4f alpha=%.4f %s=%.4f %s=%.4f loglik=%.1f; expected purchases in 90 days "
           "%.1f\n",
           fit.params.r, fit.params.alpha, crm_btyd_param_name(truth.model, 2), fit.params.a,
           crm_btyd_param_name(truth.model, 3), fit.params.b, fit.loglik, sum);
    free(obs);
    free(tri);
    free(map);
    free(per_customer);
    free(score);
    return 0;
}
