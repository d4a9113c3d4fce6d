/* Open-loop arrival schedule: when each transaction is meant to start. Pure.
 *
 * A worker given a share r of the total rate R starts transaction k at its
 * intended time, not when the previous one ends, so a stalled server shows up
 * as latency (measured from the intended start) instead of silently lowering
 * the offered load: no coordinated omission.
 *   fixed    intended(k) = start + offset + k / r
 *   poisson  gaps between intended starts drawn from Exp(r) (mean 1/r), so
 *            the workers together offer a Poisson process of rate R
 * Over load phases (phases.h) the same in the offered count C(t) instead of
 * time: worker i of N starts where C reaches i + 1/2, i + 1/2 + N, ... (fixed),
 * or after unit-exponential gaps scaled by N (poisson), each mapped back to
 * a time through C's inverse: a time-changed Poisson process.
 */
#ifndef TXSTORM_SCHEDULE_H
#define TXSTORM_SCHEDULE_H

#include "txstorm/phases.h"
#include "txstorm/rng.h"
#include <stdint.h>

enum arrival { ARRIVAL_FIXED, ARRIVAL_POISSON };
/* Their names, indexed by the enum, ending in NULL. */
extern const char *const schedule_arrival_names[];

struct schedule {
    enum arrival arrival;
    double interval_us; /* mean gap between one worker's intended starts */
    double next_us;     /* the next intended start, monotonic clock */
    /* Over phases: NULL for a constant rate. */
    const struct phases *phases;
    int64_t start_us;  /* where the phases' clock starts */
    double next_count; /* the next start's place in the offered count */
    double count_step; /* the workers sharing the count */
};

/* rate_per_s: this worker's share. offset_us staggers fixed schedules so N
 * workers do not all fire at once (worker i of N: i * interval / N). */
void schedule_init(struct schedule *s, enum arrival arrival, double rate_per_s, int64_t start_us,
                   double offset_us);

/* Worker `worker` of `workers` over phases (kept by the caller, unchanged
 * while the schedule is in use); the first poisson gap is drawn from r. */
void schedule_init_phases(struct schedule *s, enum arrival arrival, const struct phases *phases,
                          int worker, int workers, int64_t start_us, struct rng *r);

/* The intended start of the next transaction; advances the schedule.
 * INT64_MAX: none (the phases' rate stays 0 from here on). */
int64_t schedule_next_us(struct schedule *s, struct rng *r);

#endif
