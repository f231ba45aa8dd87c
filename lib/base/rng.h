/* internal to lib/: the tools in cmd/ do not include it. */
/* rng: a small seeded pseudo-random generator for simulations and parameter-recovery tests
 * (xoshiro256** by Blackman & Vigna, seeded through splitmix64) with the continuous
 * distributions the customer-base models need.
 * Invariant: the whole state is the struct — same seed, same sequence, on every platform;
 * no global state and no rand(). Not for cryptography. */
#ifndef CRM_RNG_H
#define CRM_RNG_H

#include <stdint.h>

struct crm_rng {
    uint64_t s[4];
};

void crm_rng_seed(struct crm_rng *rng, uint64_t seed);
uint64_t crm_rng_next(struct crm_rng *rng);

/* Uniform on the open interval (0,1): never exactly 0 or 1. */
double crm_rng_uniform(struct crm_rng *rng);

/* Standard normal (Marsaglia's polar method; the second value is discarded). */
double crm_rng_normal(struct crm_rng *rng);

/* Exponential with mean 1. */
double crm_rng_exponential(struct crm_rng *rng);

/* Gamma with the given shape and scale (mean shape*scale), shape > 0: Marsaglia & Tsang
 * (2000), with the U^(1/shape) boost for shape < 1. */
double crm_rng_gamma(struct crm_rng *rng, double shape, double scale);

/* Beta(a, b), a, b > 0, from two gamma variates taken in log space so that small shapes do
 * not underflow to 0/0. */
double crm_rng_beta(struct crm_rng *rng, double a, double b);

#endif
