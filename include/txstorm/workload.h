/* Which accounts a transfer touches and how much it moves. */
#ifndef TXSTORM_WORKLOAD_H
#define TXSTORM_WORKLOAD_H

#include "txstorm/rng.h"
#include <stdint.h>

struct workload_config {
    int64_t accounts;  /* bank size; account ids are 1..accounts */
    int64_t hot;       /* transfers pick two distinct ids from 1..hot */
    int64_t amount_lo; /* amount is uniform in [amount_lo, amount_hi] */
    int64_t amount_hi;
};

struct transfer {
    int64_t from;
    int64_t to;
    int64_t amount;
};

/* Draws the next transfer; from != to always. Requires hot >= 2. */
void workload_next_transfer(const struct workload_config *w, struct rng *r, struct transfer *t);

#endif
