/* Micro-benchmark of the per-transaction client work: prints ns per operation. */
#include "txstorm/backoff.h"
#include "txstorm/budget.h"
#include "txstorm/clock.h"
#include "txstorm/endpoint.h"
#include "txstorm/hist.h"
#include "txstorm/rng.h"
#include "txstorm/stats.h"
#include "txstorm/workload.h"

#include <stdio.h>
#include <stdlib.h>

#define OPS 20000000L

static volatile int64_t sink;

static void report(const char *what, int64_t start_us, long ops)
{
    double ns = (double)(clock_now_us() - start_us) * 1000.0 / (double)ops;
    printf("%-44s %8.2f ns/op  (%ld ops)\n", what, ns, ops);
}

int main(int argc, char **argv)
{
    long ops = argc > 1 ? atol(argv[1]) : OPS;
    if (ops <= 0) {
        fprintf(stderr, "usage: bench_hot_path [OPS]\n");
        return 2;
    }
    struct rng r;
    rng_seed(&r, 42, 0);

    /* Latency-like values: 100 us .. ~100 ms, drawn up front so only recording is timed. */
    enum { N_VALUES = 1 << 16 };
    int64_t *values = malloc(N_VALUES * sizeof *values);
    for (int i = 0; i < N_VALUES; i++)
        values[i] = 100 + (int64_t)rng_below(&r, 100000);
    struct hist *h = hist_create(STATS_HIST_HIGHEST, 3);
    int64_t t0 = clock_now_us();
    for (long i = 0; i < ops; i++)
        hist_record(h, values[i & (N_VALUES - 1)]);
    report("hist_record (3 sig figs)", t0, ops);
    sink = hist_value_at_percentile(h, 99);

    char err[256];
    struct workload_config w = {.accounts = 1000,
                                .skew = {.kind = SKEW_HOT, .hot = 10},
                                .amount_mode = AMOUNT_RANGE,
                                .amount_lo = 1,
                                .amount_hi = 100};
    struct workload_config zw = {.accounts = 1000000,
                                 .skew = {.kind = SKEW_ZIPF, .zipf_s = 1.0},
                                 .amount_mode = AMOUNT_RANGE,
                                 .amount_lo = 1,
                                 .amount_hi = 100};
    if (workload_init(&w, err, sizeof err) != 0 || workload_init(&zw, err, sizeof err) != 0) {
        fprintf(stderr, "bench_hot_path: %s\n", err);
        return 1;
    }
    struct transfer t;
    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        workload_next_transfer(&w, &r, &t);
        sink += t.amount;
    }
    report("workload_next_transfer (rng+choice)", t0, ops);

    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        workload_next_transfer(&zw, &r, &t);
        sink += t.from;
    }
    report("workload_next_transfer (zipf:1.0 over 1e6)", t0, ops);

    struct backoff_config b = {.policy = BACKOFF_FULL_JITTER, .base_us = 2000, .cap_us = 100000};
    int64_t prev = 0;
    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        prev = backoff_delay_us(&b, (unsigned)(i & 7), prev, &r);
        sink += prev;
    }
    report("backoff_delay_us (full-jitter)", t0, ops);

    struct retry_budget budget;
    budget_init(&budget, 100, 1);
    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        sink += budget_take(&budget);
        budget_refund(&budget);
    }
    report("budget_take + budget_refund", t0, ops);

    t0 = clock_now_us();
    for (long i = 0; i < ops; i++)
        sink += clock_now_us();
    report("clock_now_us", t0, ops);

    /* What a worker records per finished transfer: the stats, and (with
     * several --db endpoints) its endpoint's figures too. */
    struct stats st;
    struct endpoint_stats ep;
    if (!stats_init(&st, 3) || !endpoint_init(&ep, 3, NULL)) return 1;
    struct txn_outcome o = {.end = TXN_COMMITTED, .attempts = 1};
    o.attempt_us[0] = 500;
    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        o.latency_us = values[i & (N_VALUES - 1)];
        stats_add_txn(&st, &o);
    }
    report("stats_add_txn (a committed transfer)", t0, ops);
    t0 = clock_now_us();
    for (long i = 0; i < ops; i++) {
        o.latency_us = values[i & (N_VALUES - 1)];
        endpoint_add_txn(&ep, &o);
    }
    report("endpoint_add_txn (the same, per endpoint)", t0, ops);
    stats_free(&st);
    endpoint_free(&ep);

    hist_destroy(h);
    free(values);
    return 0;
}
