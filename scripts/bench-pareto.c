/* bench-pareto: times lib/pareto's ranking and figures on seeded random customers
 * (log-normal money, heavy-tailed frequencies). Usage: bench-pareto [N ...] (default
 * 1000000 10000000). A benchmark, not a test: it checks nothing but prints seconds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "customer/pareto.h"

static uint64_t rnd(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return ((double)(rnd(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what, const struct crm_errinfo *e)
{
    fprintf(stderr, "bench-pareto: %s: %s\n", what, e->msg);
    exit(1);
}

static void run(size_t n, const char *kind, const int64_t *value, const uint32_t *id_rank,
                const char *const *ids)
{
    struct crm_errinfo e;
    crm_errinfo_clear(&e);
    uint32_t *order = malloc(n * sizeof *order);
    if (!order)
        die("order", &e);
    double t0 = now();
    if (crm_pareto_rank(value, n, NULL, order, &e))
        die("rank", &e);
    double t1 = now();
    if (crm_pareto_rank(value, n, id_rank, order, &e))
        die("rank id_rank", &e);
    double t2 = now();
    if (crm_pareto_rank_ids(value, n, crm_pareto_id_cstr, (void *)ids, order, &e))
        die("rank_ids", &e);
    double t3 = now();
    uint32_t *check = malloc(n * sizeof *check);
    if (!check || crm_pareto_rank(value, n, id_rank, check, &e) ||
        memcmp(check, order, n * sizeof *order) != 0) {
        fprintf(stderr, "bench-pareto: rank_ids and rank with id_rank disagree\n");
        exit(1);
    }
    free(check);
    double t3b = now(); /* the check above is not timed */
    struct crm_pareto *p = NULL;
    if (crm_pareto_new_ranked(value, order, n, &p, &e))
        die("new_ranked", &e);
    double t4 = now();
    struct crm_pareto_summary s;
    if (crm_pareto_summarize(p, 8000, 9500, &s, &e))
        die("summarize", &e);
    double t5 = now();
    struct crm_pareto_cursor c;
    struct crm_pareto_row row;
    crm_pareto_cursor_init(&c, p, 8000, 9500);
    for (size_t r = 0; r < n; r++)
        if (crm_pareto_cursor_next(&c, value[order[r]], &row, &e))
            die("cursor", &e);
    double t6 = now();
    size_t nruns;
    crm_pareto_runs(p, &nruns);
    printf("%-9s n=%-9zu runs=%-9zu rank %.3fs  rank+id_rank %.3fs  rank_ids(text) %.3fs"
           "  build %.3fs  gini+abc+top20 %.3fs  rows %.3fs  (gini %.7f, A %llu)\n",
           kind, n, nruns, t1 - t0, t2 - t1, t3 - t2, t4 - t3b, t5 - t4, t6 - t5, s.gini,
           (unsigned long long)s.class_customers[0]);
    crm_pareto_free(p);
    free(order);
}

static void bench(size_t n)
{
    uint64_t seed = 42;
    int64_t *money = malloc(n * sizeof *money), *freq = malloc(n * sizeof *freq);
    uint32_t *id_rank = malloc(n * sizeof *id_rank);
    char *blob = malloc(n * 16);
    const char **ids = malloc(n * sizeof *ids);
    if (!money || !freq || !id_rank || !blob || !ids) {
        fprintf(stderr, "bench-pareto: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        /* Box–Muller normal → log-normal money around 300.00, sd of log 1.2 */
        double z = sqrt(-2 * log(uniform(&seed))) * cos(6.283185307179586 * uniform(&seed));
        money[i] = (int64_t)llround(30000.0 * exp(1.2 * z));
        freq[i] = 1 + (int64_t)floor(-log(uniform(&seed)) * 3.0);
        id_rank[i] = (uint32_t)i;
    }
    for (size_t i = n - 1; i > 0; i--) { /* ids in random order */
        size_t j = rnd(&seed) % (i + 1);
        uint32_t t = id_rank[i];
        id_rank[i] = id_rank[j];
        id_rank[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = blob + 16 * i;
        snprintf(blob + 16 * i, 16, "C%09u", (unsigned)id_rank[i]);
    }
    run(n, "monetary", money, id_rank, ids);
    run(n, "frequency", freq, id_rank, ids);
    free(money);
    free(freq);
    free(id_rank);
    free(blob);
    free(ids);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        bench(1000000);
        bench(10000000);
    }
    for (int i = 1; i < argc; i++)
        bench((size_t)strtoull(argv[i], NULL, 10));
    return 0;
}
