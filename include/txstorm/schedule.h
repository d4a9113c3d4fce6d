/* Open-loop arrival schedule: when each transaction is meant to start. Pure.
 *
 * A worker given a share r of the total rate R starts transaction k at its
 * intended time, not when the previous one ends, so a stalled server shows up
 * as latency (measured from the intended start) instead of silently lowering
 * the offered load: no coordinated omission.
 *   fixed    intended(k) = start + offset + k / r
 *   poisson  gaps between intended starts drawn from Exp(r) (mean 1/r), so
 *            the workers together offer a Poisson process of rate R
 */
#ifndef TXSTORM_SCHEDULE_H
#define TXSTORM_SCHEDULE_H

#include "txstorm/rng.h"
#include <stdint.h>

enum arrival { ARRIVAL_FIXED, ARRIVAL_POISSON };
/* Their names, indexed by the enum, ending in NULL. */
extern const char *const schedule_arrival_names[];

struct schedule {
    enum arrival arrival;
    double interval_us; /* mean gap between one worker's intended starts */
    double next_us;     /* the next intended start, monotonic clock */
};

/* rate_per_s: this worker's share. offset_us staggers fixed schedules so N
 * workers do not all fire at once (worker i of N: i * interval / N). */
void schedule_init(struct schedule *s, enum arrival arrival, double rate_per_s, int64_t start_us,
                   double offset_us);

/* The intended start of the next transaction; advances the schedule. */
int64_t schedule_next_us(struct schedule *s, struct rng *r);

#endif
