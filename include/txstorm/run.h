/* A run: spawning the workers, collecting their stats each interval,
 * warmup, progress, stopping. */
#ifndef TXSTORM_RUN_H
#define TXSTORM_RUN_H

#include "txstorm/checker.h"
#include "txstorm/db.h"
#include "txstorm/ledger.h"
#include "txstorm/options.h"
#include "txstorm/report.h"
#include "txstorm/workload.h"
#include <stdio.h>

/* Connections opened at once: a thousand workers ramp up in waves instead of
 * storming the server's authentication all at the same instant. */
#define RUN_CONNECT_CONCURRENCY 32

/* --threads by default: saturation_default_loops() for the CPUs this
 * process may run on (its affinity mask). */
int run_default_threads(int workers);

/* The event loops a run of cfg drives: --threads, else the default, at most
 * one per worker. */
int run_loops(const struct config *cfg);

/* The memory a run of cfg takes for its histograms, which dominate (about
 * 100 MB per loop at --sig-figs 5): checked against what is free before it starts. */
size_t run_memory_bytes(const struct config *cfg);

/* run_start's err->sqlstate when it ran out of memory (PostgreSQL's code
 * for it): the caller exits with its own code then. */
#define RUN_OUT_OF_MEMORY "53200"

/* A run in progress: its workers, loops, auditor and what they measure. */
struct run;

/* What a finished run hands over; the caller owns all of it and frees it
 * with run_results_free. */
struct run_results {
    /* The run's part of its result: total, intervals, stalls, timings,
     * client CPU, interrupted, workers_lost, faults and worker_faults, and
     * with --audit-interval the audit series and latency. The caller adds
     * the rest (config, versions, the check, the ledger's JSON). */
    struct run_summary summary;
    int threads;                /* event loops the run used */
    struct db_error first_lost; /* why the first lost worker stopped (summary.workers_lost > 0) */
    struct ledger ledger;       /* --ledger: the run's own record of its transfers; else empty */
    struct audit_summary audit; /* --audit-interval: what the auditor saw */
};

/* Blocks the stop signals (SIGINT, SIGTERM, SIGHUP) and SIGUSR1 in the calling
 * thread (and so in every thread it spawns) so that only run_wait receives
 * them. Call before run_start. */
void run_block_signals(void);

/* Sleeps up to us with the run's signals blocked (run_block_signals) and
 * returns a stop signal (SIGINT, SIGTERM, SIGHUP) if one came meanwhile
 * (taken), else 0: a wait
 * before the run starts (the --instance barrier) that a Ctrl-C ends with a
 * word, not a silent death. arg is unused (db_barrier_wait's pause). */
int run_signal_pause(void *arg, int64_t us);

/* After the run's outputs are written: drops the signals that arrived
 * meanwhile and unblocks them (a Ctrl-C during the final check and report
 * does not cut the outputs short). */
void run_release_signals(void);

/* Gives the stop signals back their default effect once the workers are done. */
void run_unblock_signals(void);

/* Creates the workers and connects them, RUN_CONNECT_CONCURRENCY at a time;
 * once all are connected, calls before_go (if any: e.g. the multi-instance
 * barrier) and starts the event loops (--threads) that drive them.
 * Returns the run when every worker is connected and started; NULL with err
 * set (no worker runs) otherwise, or when before_go returns non-zero. */
struct run *run_start(const struct config *cfg, const struct workload_config *workload,
                      uint64_t seed, int64_t run_id, int (*before_go)(void *, struct db_error *),
                      void *before_go_arg, struct db_error *err);

/* --metrics-addr: from now on each closed interval publishes the run's
 * cumulative figures to server (metrics.h says which), the first at once;
 * the last stays published after run_wait. The caller stops the server. */
struct metrics_server;
void run_serve_metrics(struct run *run, struct metrics_server *server);

/* Waits for the end (duration, quota, or a stop signal), collecting each
 * interval and printing progress to `progress` (NULL: silent). */
void run_wait(struct run *run, FILE *progress);

/* After run_wait: joins the loops and the auditor and moves everything the
 * run measured into out. */
void run_results(struct run *run, struct run_results *out);
void run_results_free(struct run_results *r);

/* Closes the workers' connections and frees the run. */
void run_free(struct run *run);

#endif
