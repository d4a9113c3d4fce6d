/* The run's interval clock: when the collector closes an interval. Pure.
 *
 * Intervals close every tick (on a grid from the workers' start: a late
 * wake-up closes one longer interval and the grid goes on), and also at the
 * warmup's end, at each load phase's end and at each trigger's edge (as
 * planned, and when its window actually began or ended), so that no interval mixes warmup
 * with measured time, two phases, or time inside a trigger's window with
 * time outside it.
 *
 * Edges are read on two threads' clocks a hair apart, so an edge within the
 * slack (interval_edge_slack_us) of an interval's boundary is taken to be at
 * it: such an edge closes nothing, and a tick that falls within the slack
 * after a close is skipped, so that no interval is a sliver of a few
 * milliseconds. The recovery verdict reads edges the same way. */
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
    int64_t cut_us;            /* the next trigger's edge to cut at; INT64_MAX: none */
    int64_t slack_us;          /* interval_edge_slack_us of the tick */
    const struct phases *load; /* --load's phases (NULL or n == 0: none) */
};

/* The most by which an edge and an interval's boundary may differ and still
 * be one moment: a quarter of the interval, at most 50 ms. */
int64_t interval_edge_slack_us(int64_t interval_us);

/* A clock from start_us with a tick of tick_us (> 0); warmup_us 0: none. */
void interval_clock_init(struct interval_clock *c, int64_t start_us, int64_t tick_us,
                         int64_t warmup_us, const struct phases *load);

/* When the next interval is due to close. */
int64_t interval_clock_due_us(const struct interval_clock *c);

/* A trigger's edge at at_us, planned (to come) or recorded (passed): the
 * interval open then closes at the edge, or at the next close after it,
 * unless it began within the slack before at_us (or after it). Repeating an
 * edge already cut changes nothing. */
void interval_clock_edge(struct interval_clock *c, int64_t at_us);

/* Whether an interval is due at now_us. If so, true, with its start in
 * *from_us and whether it ends the warmup in *warmup_over; the clock moves on
 * (the next interval starts at now_us). */
bool interval_clock_close(struct interval_clock *c, int64_t now_us, int64_t *from_us,
                          bool *warmup_over);

#endif
