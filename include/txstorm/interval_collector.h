/* The run's collector: the interval clock (interval_clock.h) driven by the
 * run's wake-ups and the triggers' edges; each interval it closes is made
 * into a row (by the run: what the workers published), kept in the series,
 * then told to each listener (the progress lines, the metrics server) in the
 * order they subscribed. Pure: the run supplies the row, tests a fake. */
#ifndef TXSTORM_INTERVAL_COLLECTOR_H
#define TXSTORM_INTERVAL_COLLECTOR_H

#include "txstorm/interval_clock.h"
#include "txstorm/series.h"
#include <stdbool.h>
#include <stdint.h>

#define INTERVAL_LISTENERS_MAX 4

/* Hears of a closed interval: its row, once, after the series kept it. */
typedef void interval_heard_fn(const struct interval_row *row, void *ctx);

/* Makes the row of the interval [from_us, now_us) (monotonic clock); last:
 * the run's final interval, after the workers left. */
typedef void interval_row_fn(void *ctx, int64_t from_us, int64_t now_us, bool last,
                             struct interval_row *row);

struct interval_collector {
    struct interval_clock clock;
    interval_row_fn *make_row;
    void *row_ctx;
    struct series *series; /* where each row is kept (NULL: nowhere) */
    struct {
        interval_heard_fn *closed;
        void *ctx;
    } listeners[INTERVAL_LISTENERS_MAX];
    int n_listeners;
};

/* A zeroed collector has no listeners; they may subscribe before it starts. */

/* Starts c on clock (copied), rows made by make_row, kept in series; the
 * listeners stay. */
void interval_collector_start(struct interval_collector *c, const struct interval_clock *clock,
                              interval_row_fn *make_row, void *row_ctx, struct series *series);

/* Subscribes closed to every interval closed from now on; false when
 * INTERVAL_LISTENERS_MAX already listen. */
bool interval_collector_listen(struct interval_collector *c, interval_heard_fn *closed, void *ctx);

/* Takes the triggers' edges (interval_clock_edge: each cut once, however
 * often given), then closes the interval due at now_us, if one is: true,
 * with whether it ended the warmup in *warmup_over. The edges are taken
 * again after a close, so that one still to come is due when it comes. */
bool interval_collector_step(struct interval_collector *c, const int64_t *edges, int n_edges,
                             int64_t now_us, bool *warmup_over);

/* Closes the interval open since the last close at end_us, the run's last. */
void interval_collector_finish(struct interval_collector *c, int64_t end_us);

#endif
