/* What a worker counts: per-transaction outcomes, retries, backoff and latency.
 * A worker owns its stats; the run merges them after the workers stop. */
#ifndef TXSTORM_STATS_H
#define TXSTORM_STATS_H

#include "txstorm/classify.h"
#include "txstorm/hist.h"
#include <stdbool.h>
#include <stdint.h>

/* Latency histograms cover 1 us .. 1 h. */
#define STATS_LATENCY_HIGHEST_US (3600LL * 1000000LL)

struct stats {
    int64_t committed;
    int64_t failed;       /* gave up: retries exhausted or an error that is not retried */
    int64_t insufficient; /* source balance too low: ended without a transfer, not an error */
    int64_t ambiguous;    /* COMMIT outcome unknown */
    int64_t retried_txns; /* transactions that needed at least one retry */
    int64_t attempts;     /* every attempt, first or retry */
    int64_t retries;      /* attempts beyond the first */
    int64_t retries_by_class[ERR_CLASS_COUNT];
    int64_t retries_by_reason[REASON_COUNT]; /* serialization retries, by why */
    int64_t retries_in_place; /* savepoint protocol: ROLLBACK TO SAVEPOINT, not a restart */
    int64_t budget_denied;    /* failed because the retry budget was empty */
    int64_t errors_by_class[ERR_CLASS_COUNT]; /* every failed attempt, retried or not */
    int64_t backoff_us;                       /* total time slept between attempts */
    struct hist *latency_us; /* committed transactions: first attempt start to commit */
};

/* What one transaction did, accumulated by the worker while it runs. */
struct txn_outcome {
    enum { TXN_COMMITTED, TXN_INSUFFICIENT, TXN_FAILED, TXN_AMBIGUOUS } end;
    int64_t latency_us;
    int64_t attempts;
    int64_t retries;
    int64_t retries_by_class[ERR_CLASS_COUNT];
    int64_t retries_by_reason[REASON_COUNT];
    int64_t retries_in_place;
    bool budget_denied;
    int64_t errors_by_class[ERR_CLASS_COUNT];
    int64_t backoff_us;
};

/* Zeroes the counters and creates the histogram; false when out of memory. */
bool stats_init(struct stats *s, int sig_figs);
void stats_free(struct stats *s);
void stats_reset(struct stats *s);

/* Adds one finished transaction. */
void stats_add_txn(struct stats *s, const struct txn_outcome *o);

/* Adds src into dst (counters and histogram). */
void stats_merge(struct stats *dst, const struct stats *src);

#endif
