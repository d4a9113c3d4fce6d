/* Live metrics: a run's cumulative figures as the text a Prometheus server
 * scrapes (text format 0.0.4, or OpenMetrics 1.0.0 when asked for). Pure:
 * a snapshot in, text out; metrics_server.h serves the text.
 *
 * Counters cover the measured part of the run (after --warmup), the same
 * span as the JSON result, so they only grow and end at the result's
 * figures; txstorm_warmup is 1 while the warmup lasts. Histograms take the
 * HDR histograms' counts at METRICS_BUCKETS_S: a bucket counts the recorded
 * values of every HDR bucket whose lowest value is <= its bound, so it is
 * exact to the histogram's precision (--sig-figs). */
#ifndef TXSTORM_METRICS_H
#define TXSTORM_METRICS_H

#include "txstorm/endpoint.h"
#include "txstorm/stats.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The upper bounds of the duration histograms' buckets, in seconds (then +Inf). */
#define METRICS_BUCKETS_S(X)                                                                       \
    X(0.0005)                                                                                      \
    X(0.001) X(0.0025) X(0.005) X(0.01) X(0.025) X(0.05) X(0.1) X(0.25) X(0.5) X(1) X(2.5) X(5)    \
        X(10)

/* The bounds of the retries-per-transaction histogram (then +Inf). */
#define METRICS_BUCKETS_RETRIES(X) X(0) X(1) X(2) X(3) X(5) X(10) X(20) X(50) X(100)

enum metrics_format {
    METRICS_TEXT,        /* text/plain; version=0.0.4 */
    METRICS_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

/* The Content-Type header of each format. */
const char *metrics_content_type(enum metrics_format f);

/* The format an Accept header asks for (NULL: none given): OpenMetrics when
 * it names application/openmetrics-text, else the text format. */
enum metrics_format metrics_negotiate(const char *accept);

/* Connection faults seen so far, in the whole run or at one endpoint. */
struct metrics_faults {
    int64_t workers;           /* workers started */
    int64_t workers_connected; /* of those, with a connection up now */
    int64_t connection_losses;
    int64_t reconnects;
};

/* What the exposition is made from; nothing in it is changed. */
struct metrics_snapshot {
    const char *instance;      /* the txstorm_instance label: "I/N" of --instance */
    const struct stats *total; /* the measured part so far */
    struct metrics_faults faults;
    bool warmup;      /* the warmup is going on */
    double loop_busy; /* the busiest event loop's share of the last interval, 0..1 */
    int n_endpoints;  /* --db endpoints (at least 1): a series each */
    const struct endpoint_stats *endpoints; /* counters and latency of each */
    const char *const *endpoint_names;      /* each one's redacted DSN: its endpoint label */
    const struct metrics_faults *endpoint_faults;
    /* The last progress interval's --load phase and its offered rate, and the
     * --trigger kinds whose window it overlapped (NULL or "": none), so that a
     * dashboard can shade the windows as the HTML page does. */
    const char *phase;
    double offered_per_s;
    const char *trigger;
};

/* The exposition of s in format f, NUL-terminated, in a malloc'd buffer
 * the caller frees, its length in *len; NULL when out of memory. */
char *metrics_format(const struct metrics_snapshot *s, enum metrics_format f, size_t *len);

/* How many values of h fall into each bucket of bounds_us (n ascending
 * bounds, in h's unit), cumulative: out[i] counts the values of every HDR
 * bucket whose lowest value is <= bounds_us[i]. */
void metrics_hist_cumulative(const struct hist *h, const int64_t *bounds_us, int n, int64_t *out);

#endif
