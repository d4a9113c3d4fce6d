/* A worker: one thread, one connection, its own RNGs and schedule, running
 * transfers until told to stop or its quota is done. */
#ifndef TXSTORM_WORKER_H
#define TXSTORM_WORKER_H

#include "txstorm/db.h"
#include "txstorm/rng.h"
#include "txstorm/schedule.h"
#include "txstorm/stats.h"
#include "txstorm/txn.h"
#include "txstorm/workload.h"
#include <pthread.h>
#include <stdbool.h>

struct run;

/* Where workers publish finished transactions, and the main thread collects
 * them once per interval. The worker takes the lock once per transaction and
 * the collector once per interval: uncontended, it costs tens of nanoseconds
 * against milliseconds of database work. With more workers than sinks,
 * neighbours share one, which keeps memory flat at any worker count. */
struct sink {
    pthread_mutex_t lock;
    struct stats interval;
};

struct worker {
    int id;
    struct run *run;
    struct sink *sink;
    struct workload_config workload;
    struct txn_policy policy;
    int64_t quota;         /* transactions to finish; INT64_MAX = until stopped */
    struct rng choice_rng; /* transfer choices: reproducible from the seed */
    struct rng jitter_rng; /* backoff jitter, injection, arrivals: kept apart so
                              retries never shift the choices */
    bool open_loop;        /* --rate: start each transaction at its scheduled time */
    int64_t seq;           /* transfers made so far: the next ledger sequence number */
    struct schedule schedule;
    pthread_t thread;
    struct db *db;

    bool connect_failed;
    bool lost; /* stopped early: it could not reconnect in time */
    struct db_error error;

    /* Faults, read after the worker has stopped. */
    int64_t connection_losses; /* times the connection was found broken */
    int64_t reconnects;        /* times it was re-established */
    int64_t disconnected_us;   /* time spent without a connection */
    bool gave_up;              /* the last reconnect attempt was abandoned */
};

/* Re-establishes the worker's lost connection with jittered backoff, for up
 * to --reconnect-timeout (the retry loop's reconnect hook; arg is the worker). */
bool worker_reconnect(void *arg);

/* Thread body: connects, waits for the start, runs, signals its end. */
void *worker_main(void *arg);

#endif
