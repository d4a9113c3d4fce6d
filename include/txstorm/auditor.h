/* The continuous auditor: a thread with its own connection that reads the
 * bank's total and negatives in one snapshot every interval while the
 * workers run, so a violation is caught when it happens, not only at the end.
 * Its reads are a workload of their own: their latency is kept apart. */
#ifndef TXSTORM_AUDITOR_H
#define TXSTORM_AUDITOR_H

#include "txstorm/audit_series.h"
#include "txstorm/checker.h"
#include "txstorm/db.h"
#include "txstorm/hist.h"
#include <pthread.h>
#include <stdatomic.h>

/* Readings kept in the series; beyond that only the summary counts. */
#define AUDITOR_SERIES_MAX 100000

struct auditor {
    const char *dsn;
    const char *as_of; /* CockroachDB AS OF SYSTEM TIME, or NULL */
    bool allow_overdraft;
    int64_t every_us;
    int64_t start_us;        /* monotonic time the readings are measured from */
    const atomic_bool *stop; /* the run's stop flag */
    pthread_t thread;
    bool running;

    /* Written by the auditor thread; read after auditor_stop. */
    struct db *db;
    struct db_error error;
    int64_t read_errors; /* readings that failed (counted, not judged) */
    struct audit_summary summary;
    struct hist *latency_us;
    struct audit_series series; /* the first AUDITOR_SERIES_MAX readings */
};

/* Connects and starts the thread. Returns 0, or -1 with a->error set. */
int auditor_start(struct auditor *a, int sig_figs);

/* Waits for the thread to see the stop flag and end. */
void auditor_stop(struct auditor *a);

void auditor_free(struct auditor *a);

#endif
