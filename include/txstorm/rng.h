/* Fast seeded pseudo-random numbers (xoshiro256**), one generator per worker. */
#ifndef TXSTORM_RNG_H
#define TXSTORM_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Seeds a generator. Distinct streams from the same seed are independent, so a
 * worker's choices depend only on (seed, stream), never on other workers. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

uint64_t rng_next(struct rng *r);

/* Uniform integer in [0, n), unbiased; n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Uniform integer in [lo, hi], lo <= hi. */
int64_t rng_between(struct rng *r, int64_t lo, int64_t hi);

/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);

#endif
