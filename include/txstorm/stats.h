/* What a run counts: per-transaction outcomes, retries, backoff, and the
 * histograms of latency, attempts, sleeps, retries and schedule lag. Pure:
 * the run decides who owns a `struct stats` and when they are merged. */
#ifndef TXSTORM_STATS_H
#define TXSTORM_STATS_H

#include "txstorm/classify.h"
#include "txstorm/hist.h"
#include <stdbool.h>
#include <stdint.h>

/* Every histogram covers 1 .. 1 h in microseconds (retry counts fit too). */
#define STATS_HIST_HIGHEST (3600LL * 1000000LL)

/* The histograms, by what they hold. */
enum stats_hist {
    HIST_LATENCY,             /* committed: intended start to commit, retries and sleeps
                                 included (the first attempt's start in closed loop) */
    HIST_LATENCY_UNCORRECTED, /* committed: first attempt's actual start to commit */
    HIST_ATTEMPT,             /* every attempt's own duration, committed or not */
    HIST_BACKOFF,             /* every backoff sleep */
    HIST_RETRIES,             /* finished transactions: the retries each needed */
    HIST_LAG,                 /* actual start minus intended start (open loop) */
    HIST_COUNT
};

/* Stable names used in JSON ("latency_us", ...). */
const char *stats_hist_name(enum stats_hist h);

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
    struct hist *hist[HIST_COUNT];
};

/* Attempts whose duration and following sleep a transaction keeps for the
 * histograms; further ones (beyond --max-retries 63) are counted, not timed. */
#define TXN_ATTEMPTS_KEPT 64

/* What one transaction did, filled in by the retry loop. */
struct txn_outcome {
    enum { TXN_COMMITTED, TXN_INSUFFICIENT, TXN_FAILED, TXN_AMBIGUOUS } end;
    int64_t latency_us; /* first attempt's start to the end */
    int64_t lag_us;     /* how late the first attempt started against its schedule */
    int64_t attempts;
    int64_t retries;
    int64_t retries_by_class[ERR_CLASS_COUNT];
    int64_t retries_by_reason[REASON_COUNT];
    int64_t retries_in_place;
    bool budget_denied;
    int64_t errors_by_class[ERR_CLASS_COUNT];
    int64_t backoff_us;
    int64_t sleeps;                        /* backoff sleeps taken (reconnects take none) */
    int64_t attempt_us[TXN_ATTEMPTS_KEPT]; /* duration of attempt i */
    int64_t sleep_us[TXN_ATTEMPTS_KEPT];   /* backoff sleep i (i < sleeps) */
};

/* Zeroes the counters and creates the histograms; false when out of memory. */
bool stats_init(struct stats *s, int sig_figs);
void stats_free(struct stats *s);
void stats_reset(struct stats *s);

/* Adds one finished transaction. */
void stats_add_txn(struct stats *s, const struct txn_outcome *o);

/* Adds src into dst (counters and histograms); false if the histograms'
 * precision differs (nothing is added then). */
bool stats_merge(struct stats *dst, const struct stats *src);

#endif
