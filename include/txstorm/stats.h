/* What a run counts: per-transaction outcomes, retries, backoff, connection
 * attempts, and the histograms of latency, attempts, sleeps, retries,
 * schedule lag and connects. Pure:
 * the run decides who owns a `struct stats` and when they are merged. */
#ifndef TXSTORM_STATS_H
#define TXSTORM_STATS_H

#include "txstorm/classify.h"
#include "txstorm/connect_reason.h"
#include "txstorm/errlog.h"
#include "txstorm/figures.h"
#include "txstorm/hist.h"
#include <stdbool.h>
#include <stddef.h>
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
    HIST_CONNECT,             /* each connection attempt that succeeded: its start to the
                                 session ready for transfers */
    HIST_COUNT
};

/* Stable names used in JSON ("latency_us", ...). */
const char *stats_hist_name(enum stats_hist h);

/* Whether results written before the histogram was kept lack it (it is
 * then read as empty). */
bool stats_hist_older(enum stats_hist h);

/* Every counter of struct stats, each named once here: the struct,
 * stats_add_txn, stats_merge and the JSON result's writer and loader are
 * expanded from these two lists, in this order.
 *
 * Plain counters: X(field, JSON key, what one finished transaction `o` adds,
 * whether results written before it was counted lack it: read as 0). */
#define STATS_COUNTERS(X)                                                                          \
    X(committed, "committed", o->end == TXN_COMMITTED, false)                                      \
    /* gave up: retries exhausted or an error that is not retried */                               \
    X(failed, "failed", o->end == TXN_FAILED, false)                                               \
    /* source balance too low: ended without a transfer, not an error */                           \
    X(insufficient, "insufficient", o->end == TXN_INSUFFICIENT, false)                             \
    X(ambiguous, "ambiguous", o->end == TXN_AMBIGUOUS, false) /* COMMIT outcome unknown */         \
    X(retried_txns, "retried_txns", o->retries > 0, false)    /* needed at least one retry */      \
    X(attempts, "attempts", o->attempts, false)               /* every attempt, first or retry */  \
    X(retries, "retries", o->retries, false)                  /* attempts beyond the first */      \
    /* savepoint protocol: ROLLBACK TO SAVEPOINT, not a restart */                                 \
    X(retries_in_place, "retries_in_place", o->retries_in_place, false)                            \
    /* failed because the retry budget was empty */                                                \
    X(budget_denied, "budget_denied", o->budget_denied, false)                                     \
    X(backoff_us, "backoff_us_total", o->backoff_us, false) /* time slept between attempts */      \
    /* ended by the stop's cancel (--stop-grace); older results lack it */                         \
    X(cancelled, "cancelled", o->cancelled, true)

/* Counts by error class or retry reason: X(field, length, name of index i in
 * the JSON, whether the JSON leaves zero counts out). The field is also its
 * JSON key and the txn_outcome field it adds up. */
#define STATS_COUNTS_BY(X)                                                                         \
    X(retries_by_class, ERR_CLASS_COUNT, classify_name, false)                                     \
    /* serialization retries, by why */                                                            \
    X(retries_by_reason, REASON_COUNT, classify_reason_name, true)                                 \
    /* every failed attempt, retried or not */                                                     \
    X(errors_by_class, ERR_CLASS_COUNT, classify_name, false)

/* The workers' connection attempts while the run runs (their first
 * connections are opened before the clock starts, and an attempt the stop
 * cuts short is not counted), likewise: X(field, JSON key, what one attempt
 * `c` adds, older). Every attempt either connects or fails for a reason. */
#define STATS_CONNECT_COUNTERS(X)                                                                  \
    X(connect_attempts, "connect_attempts", 1, true)                                               \
    X(connects, "connects", c->ok, true) /* sessions ready for transfers */

/* Failed attempts by reason, as STATS_COUNTS_BY: a failed attempt adds 1
 * at index c->reason. */
#define STATS_CONNECT_COUNTS_BY(X)                                                                 \
    X(connect_failures, CONNECT_REASON_COUNT, connect_reason_name, true)

#define STATS_DECLARE_COUNTER(field, key, add, older) int64_t field;
#define STATS_DECLARE_COUNTS_BY(field, n, name, sparse) int64_t field[n];

struct stats {
    STATS_COUNTERS(STATS_DECLARE_COUNTER)
    STATS_COUNTS_BY(STATS_DECLARE_COUNTS_BY)
    STATS_CONNECT_COUNTERS(STATS_DECLARE_COUNTER)
    STATS_CONNECT_COUNTS_BY(STATS_DECLARE_COUNTS_BY)
    /* connects > 0: the clock's reading when the latest was made ready (an
     * interval's row places it on its clock; not written with the totals) */
    int64_t last_connect_at_us;
    struct errlog errors; /* errors of class other and constraint, by SQLSTATE */
    struct hist *hist[HIST_COUNT];
};

/* Attempts whose duration and following sleep a transaction keeps for the
 * histograms; further ones (beyond --max-retries 63) are counted, not timed. */
#define TXN_ATTEMPTS_KEPT 64

/* Distinct non-contention SQLSTATEs one transaction keeps. */
#define TXN_NOTED 2

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
    bool cancelled; /* ended by the stop's cancel, after --stop-grace */
    int64_t errors_by_class[ERR_CLASS_COUNT];
    int64_t backoff_us;
    int64_t sleeps;                        /* backoff sleeps taken (reconnects take none) */
    int n_noted;                           /* entries of noted in use */
    int64_t attempt_us[TXN_ATTEMPTS_KEPT]; /* duration of attempt i */
    int64_t sleep_us[TXN_ATTEMPTS_KEPT];   /* backoff sleep i (i < sleeps) */
    /* Its errors of class other and constraint, by SQLSTATE (further codes
     * in one transaction count under the last). */
    struct errlog_entry noted[TXN_NOTED];
};

/* What one attempt to open a worker's connection did: one server of its
 * host list, from the attempt's start until its session is ready for
 * transfers or the attempt fails. */
struct connect_outcome {
    bool ok;
    enum connect_reason reason; /* not ok: why */
    int64_t latency_us;         /* ok: the attempt's start to the session ready */
    int64_t at_us;              /* ok: the clock's reading when it was ready */
};

/* The memory one struct stats takes at sig_figs (its histograms, mostly). */
size_t stats_bytes(int sig_figs);

/* Zeroes the counters and creates the histograms; false when out of memory. */
bool stats_init(struct stats *s, int sig_figs);
void stats_free(struct stats *s);
void stats_reset(struct stats *s);

/* Adds one finished transaction. */
void stats_add_txn(struct stats *s, const struct txn_outcome *o);

/* Adds one connection attempt. */
void stats_add_connect(struct stats *s, const struct connect_outcome *c);

/* Adds src into dst (counters and histograms); false if the histograms'
 * precision differs (nothing is added then). */
bool stats_merge(struct stats *dst, const struct stats *src);

/* The counters the derived figures are made of, and those figures over
 * span_us (figures.h defines each). */
struct figure_counts stats_counts(const struct stats *s);
void stats_figures(const struct stats *s, int64_t span_us, struct figures *out);

/* Whether the counters agree with each other and with the histograms, as
 * every run's do (a hand-edited result may not): 0, or -1 with what does
 * not hold in why. */
int stats_check_consistent(const struct stats *s, char *why, size_t why_len);

#endif
