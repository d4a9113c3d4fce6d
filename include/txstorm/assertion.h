/* CI gates: "p99<50ms", "failed_rate<0.01", "tps>500". Parsing and judging. Pure.
 *
 * metric OP threshold, no spaces needed (spaces around parts are allowed).
 * OP: <  <=  >  >=
 * Latency metrics (of committed transactions, first attempt to commit) take a
 * duration with a unit (us, ms, s): p50 p90 p95 p99 p999 max mean.
 * Plain numbers: tps (committed per second), committed, failed, ambiguous,
 * insufficient, retries, failed_rate (failed / finished transactions),
 * retry_rate (retries per committed transaction), client_saturated (1 when
 * txstorm itself set the pace, see saturation.h), loop_busy (the busiest
 * event loop's share of the run, 0..1), recover_s (seconds from the end of
 * the slowest --trigger to its recovery, trigger_verdict.h; a trigger not
 * recovered, or none, has no figure and fails), reconnect_s (seconds from
 * the end of the slowest --trigger until every worker was connected again;
 * a trigger after which they were not, or none, has no figure and fails).
 */
#ifndef TXSTORM_ASSERTION_H
#define TXSTORM_ASSERTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum assert_metric {
    METRIC_P50,
    METRIC_P90,
    METRIC_P95,
    METRIC_P99,
    METRIC_P999,
    METRIC_MAX,
    METRIC_MEAN,
    METRIC_TPS,
    METRIC_COMMITTED,
    METRIC_FAILED,
    METRIC_AMBIGUOUS,
    METRIC_INSUFFICIENT,
    METRIC_RETRIES,
    METRIC_FAILED_RATE,
    METRIC_RETRY_RATE,
    METRIC_CLIENT_SATURATED, /* 1 when txstorm itself was the bottleneck, else 0 */
    METRIC_LOOP_BUSY,        /* the busiest event loop's busy share of the run, 0..1 */
    METRIC_RECOVER_S,        /* the slowest trigger's time to recover, seconds */
    METRIC_RECONNECT_S,      /* the slowest trigger's time until all workers reconnected */
    METRIC_COUNT
};

enum assert_op { OP_LT, OP_LE, OP_GT, OP_GE };

struct assertion {
    enum assert_metric metric;
    enum assert_op op;
    double threshold; /* latency metrics in microseconds */
    char text[64];    /* as the user wrote it, for the report */
};

/* The measured figures an assertion can name. Latencies in microseconds. */
struct assert_figures {
    double value[METRIC_COUNT];
};

/* Parses one assertion. Returns 0, or -1 with one line in err, e.g.
 * "--assert 'p99<50': p99 needs a duration with a unit (us, ms, s)". */
int assertion_parse(const char *s, struct assertion *out, char *err, size_t err_len);

/* Whether the measured figure satisfies the assertion. A figure with no
 * data under it (NaN: no latency when nothing committed, no rate when
 * nothing finished) satisfies none. */
bool assertion_holds(const struct assertion *a, const struct assert_figures *f);

/* The measured figure for a, in the assertion's display unit (latencies in ms). */
double assertion_measured(const struct assertion *a, const struct assert_figures *f);

/* The display unit of m's figure: "ms" for latencies, "" for plain numbers. */
const char *assertion_unit(enum assert_metric m);

/* Why a metric can have no data, for the report: "nothing committed", ... */
const char *assertion_no_data(enum assert_metric m);

#endif
