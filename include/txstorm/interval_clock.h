/* The run's interval clock: when the collector closes an interval. Pure.
 *
 * Intervals close every tick (on a grid from the workers' start: a late
 * wake-up closes one longer interval and the grid goes on), and also at the
 * warmup's end and at each load phase's end, so that no interval mixes
 * warmup with measured time, nor two phases. */
#ifndef TXSTORM_INTERVAL_CLOCK_H
#define TXSTORM_INTERVAL_CLOCK_H

#include "txstorm/phases.h"
#include <stdbool.h>
#include <stdint.h>

struct interval_clock {
    int64_t start_us;          /* the workers' start */
    int64_t tick_us;           /* the grid's step */
    int64_t next_tick_us;      /* the next grid point */
    int64_t open_since_us;     /* the start of the interval now open */
    int64_t warmup_end_us;     /* INT64_MAX: none, or over */
    int64_t edge_us;           /* the next phase's end; INT64_MAX: none */
    const struct phases *load; /* --load's phases (NULL or n == 0: none) */
};

/* A clock from start_us with a tick of tick_us (> 0); warmup_us 0: none. */
void interval_clock_init(struct interval_clock *c, int64_t start_us, int64_t tick_us,
                         int64_t warmup_us, const struct phases *load);

/* When the next interval is due to close. */
int64_t interval_clock_due_us(const struct interval_clock *c);

/* Whether an interval is due at now_us. If so, true, with its start in
 * *from_us and whether it ends the warmup in *warmup_over; the clock moves on
 * (the next interval starts at now_us). */
bool interval_clock_close(struct interval_clock *c, int64_t now_us, int64_t *from_us,
                          bool *warmup_over);

#endif
