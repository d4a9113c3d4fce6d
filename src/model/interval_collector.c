/* The collector: the clock decides when, the run makes the row, the series
 * keeps it and the listeners hear of it. */
#include "txstorm/interval_collector.h"

#include <string.h>

void interval_collector_start(struct interval_collector *c, const struct interval_clock *clock,
                              interval_row_fn *make_row, void *row_ctx, struct series *series)
{
    c->clock = *clock;
    c->make_row = make_row;
    c->row_ctx = row_ctx;
    c->series = series;
}

bool interval_collector_listen(struct interval_collector *c, interval_heard_fn *closed, void *ctx)
{
    if (c->n_listeners == INTERVAL_LISTENERS_MAX) return false;
    c->listeners[c->n_listeners].closed = closed;
    c->listeners[c->n_listeners].ctx = ctx;
    c->n_listeners++;
    return true;
}

/* Makes the row of [from_us, now_us), keeps it, tells it. */
static void close_interval(struct interval_collector *c, int64_t from_us, int64_t now_us, bool last)
{
    struct interval_row row;
    memset(&row, 0, sizeof row);
    c->make_row(c->row_ctx, from_us, now_us, last, &row);
    /* The series keeps the row; with no memory for it, the listeners still hear. */
    const struct interval_row *kept = &row;
    if (c->series && series_append(c->series, &row)) kept = &c->series->rows[c->series->n - 1];
    for (int i = 0; i < c->n_listeners; i++)
        c->listeners[i].closed(kept, c->listeners[i].ctx);
    series_row_free(&row); /* its histograms, if the series could not take them */
}

bool interval_collector_step(struct interval_collector *c, const int64_t *edges, int n_edges,
                             int64_t now_us, bool *warmup_over)
{
    for (int i = 0; i < n_edges; i++)
        interval_clock_edge(&c->clock, edges[i]);
    int64_t from_us;
    if (!interval_clock_close(&c->clock, now_us, &from_us, warmup_over)) return false;
    close_interval(c, from_us, now_us, false);
    /* A close forgets the cuts: the edges still to come cut the interval now
     * open, or the next wake-up (computed from the clock) would pass them by. */
    for (int i = 0; i < n_edges; i++)
        interval_clock_edge(&c->clock, edges[i]);
    return true;
}

void interval_collector_finish(struct interval_collector *c, int64_t end_us)
{
    close_interval(c, c->clock.open_since_us, end_us, true);
}
