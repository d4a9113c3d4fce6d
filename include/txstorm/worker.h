/* A worker: one thread, one connection, its own RNGs and stats, running
 * transfers until told to stop or its quota is done. */
#ifndef TXSTORM_WORKER_H
#define TXSTORM_WORKER_H

#include "txstorm/db.h"
#include "txstorm/options.h"
#include "txstorm/rng.h"
#include "txstorm/stats.h"
#include "txstorm/txn.h"
#include "txstorm/workload.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct run;

struct worker {
    int id;
    struct run *run;
    struct workload_config workload;
    struct txn_policy policy;
    int64_t quota;         /* transactions to finish; INT64_MAX = until stopped */
    struct rng choice_rng; /* transfer choices: reproducible from the seed */
    struct rng jitter_rng; /* backoff jitter: kept apart so retries never shift choices */
    pthread_t thread;
    struct db *db;

    /* The progress reader takes `lock` once a second; the worker takes it once
     * per transaction to publish. Uncontended, it costs tens of nanoseconds
     * against milliseconds of database work. */
    pthread_mutex_t lock;
    struct stats stats;            /* since the start */
    struct hist *interval_latency; /* since the last progress sample */

    bool connect_failed;
    bool lost; /* stopped early: its connection broke */
    struct db_error error;
};

/* Thread body: connects, waits for the start, runs, signals its end. */
void *worker_main(void *arg);

#endif
