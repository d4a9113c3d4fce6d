/* Micro-benchmark of --metrics-addr's work per progress interval: both
 * expositions formatted from a run's stats (what the collector does once an
 * interval); prints microseconds per interval. */
#include "txstorm/clock.h"
#include "txstorm/metrics.h"
#include "txstorm/rng.h"

#include <stdio.h>
#include <stdlib.h>

/* A run's worth of figures at sig_figs: n transactions with latencies of
 * 100 us .. 100 ms, a retry in ten. */
static void fill(struct stats *s, struct endpoint_stats *e, int sig_figs, long n)
{
    struct rng r;
    rng_seed(&r, 42, 0);
    if (!stats_init(s, sig_figs) || !endpoint_init(e, sig_figs, NULL)) exit(1);
    for (long i = 0; i < n; i++) {
        int64_t us = 100 + (int64_t)rng_below(&r, 100000);
        struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = us, .attempts = 1};
        if (i % 10 == 0) {
            o.attempts = 2;
            o.retries = o.retries_by_class[ERR_SERIALIZATION] = 1;
            o.errors_by_class[ERR_SERIALIZATION] = 1;
            o.retries_by_reason[REASON_PG_CONCURRENT_UPDATE] = 1;
            o.sleeps = 1;
            o.sleep_us[0] = 2000;
        }
        o.attempt_us[0] = us;
        stats_add_txn(s, &o);
        endpoint_add_txn(e, &o);
    }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    if (rounds <= 0) {
        fprintf(stderr, "usage: bench_metrics_format [ROUNDS]\n");
        return 2;
    }
    for (int sig_figs = 3; sig_figs <= 5; sig_figs += 2) {
        struct stats s;
        struct endpoint_stats e;
        fill(&s, &e, sig_figs, 1000000);
        const char *name = "host=127.0.0.1 port=5432 user=txstorm password=*** dbname=bank";
        struct metrics_faults f = {.workers = 16, .workers_connected = 16};
        struct metrics_snapshot snap = {.instance = "0/1", .total = &s, .faults = f,
                                        .loop_busy = 0.5, .n_endpoints = 1, .endpoints = &e,
                                        .endpoint_names = &name, .endpoint_faults = &f};
        size_t bytes = 0, om_bytes = 0;
        int64_t t0 = clock_now_us();
        for (int i = 0; i < rounds; i++) {
            free(metrics_format(&snap, METRICS_TEXT, &bytes));
            free(metrics_format(&snap, METRICS_OPENMETRICS, &om_bytes));
        }
        double us = (double)(clock_now_us() - t0) / rounds;
        printf("both expositions, --sig-figs %d: %8.1f us per interval (%zu + %zu bytes)\n",
               sig_figs, us, bytes, om_bytes);
        stats_free(&s);
        endpoint_free(&e);
    }
    return 0;
}
