/* Endpoints: which of several --db a worker uses (worker i -> endpoint i mod
 * E, as `cockroach workload` does with several URLs), and what each endpoint
 * saw, counted beside the run's totals so the per-endpoint figures add up to
 * them exactly. Pure: sums, merges and JSON; the run owns the counting. */
#ifndef TXSTORM_ENDPOINT_H
#define TXSTORM_ENDPOINT_H

#include "txstorm/stats.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An endpoint's latency histogram is kept at most this precise: there is
 * one per endpoint in every event loop's sink, and p50/p99 need no more. */
#define ENDPOINT_SIG_FIGS_MAX 3

/* Each figure once: X(field). A field named as in struct stats (counted
 * per transaction) or struct fault_summary (summed from the workers at the
 * end) is compared with that total (report_consistent). */
#define ENDPOINT_COUNTERS(X) X(committed) X(failed) X(ambiguous) X(retries)
#define ENDPOINT_COUNTS_BY(X) X(retries_by_class) X(errors_by_class)
#define ENDPOINT_FAULTS(X) X(connection_losses) X(reconnects) X(disconnected_us)
/* The workers' reconnect attempts and those made ready; absent from a result
 * written before: 0. Their failures by reason beside them. */
#define ENDPOINT_CONNECTS(X) X(connect_attempts) X(connects)

#define ENDPOINT_DECLARE(field) int64_t field;
#define ENDPOINT_DECLARE_BY(field) int64_t field[ERR_CLASS_COUNT];

struct endpoint_stats {
    char *dsn;       /* redacted; owned; NULL while a run counts */
    int64_t workers; /* workers assigned to it */
    ENDPOINT_COUNTERS(ENDPOINT_DECLARE)
    ENDPOINT_COUNTS_BY(ENDPOINT_DECLARE_BY)
    ENDPOINT_FAULTS(ENDPOINT_DECLARE)
    ENDPOINT_CONNECTS(ENDPOINT_DECLARE)
    int64_t connect_failures[CONNECT_REASON_COUNT];
    struct hist *latency_us; /* committed transfers, as HIST_LATENCY */
};

/* The endpoint worker i uses, of n (n >= 1). */
int endpoint_of_worker(int worker, int n);

/* How many of n_workers workers use endpoint e of n. */
int endpoint_workers(int e, int n_workers, int n);

/* Zeroes e and creates its histogram (at most ENDPOINT_SIG_FIGS_MAX
 * figures); false when out of memory. dsn may be NULL; it is copied. */
bool endpoint_init(struct endpoint_stats *e, int sig_figs, const char *dsn);
void endpoint_free(struct endpoint_stats *e);

/* The memory one endpoint_stats takes at sig_figs (its histogram). */
size_t endpoint_bytes(int sig_figs);

/* n of them, each endpoint_init'ed without a dsn; NULL when out of memory. */
struct endpoint_stats *endpoints_create(int n, int sig_figs);

/* Zeroes the counters and the histogram, keeping dsn and workers. */
void endpoint_reset(struct endpoint_stats *e);

/* Adds one finished transaction. */
void endpoint_add_txn(struct endpoint_stats *e, const struct txn_outcome *o);

/* Adds one connection attempt's end (stats.h's connect_outcome). */
void endpoint_add_connect(struct endpoint_stats *e, const struct connect_outcome *c);

/* Adds src into dst (its dsn aside); false when the histograms' layouts
 * differ (nothing added then). */
bool endpoint_merge(struct endpoint_stats *dst, const struct endpoint_stats *src);

/* The sum of n entries' counters and faults into sum (no histogram). */
void endpoints_sum(const struct endpoint_stats *e, int n, struct endpoint_stats *sum);

/* Adds src's n_src entries into the list *list of *n: an entry whose dsn an
 * entry of the list has sums into it, another is appended. 0, or -1 (out of
 * memory, or histograms of another layout) with the list as it was left. */
int endpoints_merge_into(struct endpoint_stats **list, int *n, const struct endpoint_stats *src,
                         int n_src);

void endpoints_free(struct endpoint_stats *list, int n);

/* {"dsn", "workers", the counters, "retries_by_class": {...},
 *  "errors_by_class": {...}, the faults, "connect_attempts", "connects",
 *  "connect_failures": {reason: n, only those seen}, "latency_ms": {"p50", "p99"},
 *  "latency_us": histogram} */
json_t *endpoint_json_encode(const struct endpoint_stats *e);

/* The keys of an endpoint's connect figures in that form (absent from a
 * result written before they were counted per endpoint), NULL-terminated. */
extern const char *const endpoint_connect_keys[];

/* Back from endpoint_json_encode's form: 0, or -1 with one line in err. */
int endpoint_json_decode(const json_t *j, struct endpoint_stats *e, char *err, size_t err_len);

#endif
