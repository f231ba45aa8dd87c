/* rng: xoshiro256** and the distributions built on it (see rng.h). */
#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void crm_rng_seed(struct crm_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t crm_rng_next(struct crm_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double crm_rng_uniform(struct crm_rng *rng)
{
    /* 53 random bits, shifted by half a step: (k + 1/2) / 2^53 */
    return ((double)(crm_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

double crm_rng_normal(struct crm_rng *rng)
{
    for (;;) {
        double u = 2.0 * crm_rng_uniform(rng) - 1.0, v = 2.0 * crm_rng_uniform(rng) - 1.0;
        double s = u * u + v * v;
        if (s < 1.0 && s > 0.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

double crm_rng_exponential(struct crm_rng *rng)
{
    return -log(crm_rng_uniform(rng));
}

/* ln of a Gamma(shape, 1) variate; for shape < 1 the boost Gamma(shape+1) U^(1/shape)
 * is kept as a logarithm, since U^(1/shape) underflows for small shapes. */
static double log_gamma_variate(struct crm_rng *rng, double shape)
{
    double boost = 0.0;
    if (shape < 1.0) {
        boost = log(crm_rng_uniform(rng)) / shape;
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = crm_rng_normal(rng), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = crm_rng_uniform(rng);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return log(d * v) + boost;
    }
}

double crm_rng_gamma(struct crm_rng *rng, double shape, double scale)
{
    return exp(log_gamma_variate(rng, shape)) * scale;
}

double crm_rng_beta(struct crm_rng *rng, double a, double b)
{
    double la = log_gamma_variate(rng, a), lb = log_gamma_variate(rng, b);
    /* X/(X+Y) = 1/(1 + e^(lb-la)) */
    return 1.0 / (1.0 + exp(lb - la));
}
