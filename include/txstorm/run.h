/* A run: spawning the workers, collecting their stats each interval,
 * warmup, progress, stopping. */
#ifndef TXSTORM_RUN_H
#define TXSTORM_RUN_H

#include "txstorm/auditor.h"
#include "txstorm/budget.h"
#include "txstorm/db.h"
#include "txstorm/ledger.h"
#include "txstorm/loop.h"
#include "txstorm/options.h"
#include "txstorm/report.h"
#include "txstorm/worker.h"
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

/* Connections opened at once: a thousand workers ramp up in waves instead of
 * storming the server's authentication all at the same instant. */
#define RUN_CONNECT_CONCURRENCY 32

/* --threads by default: one event loop per this many workers, at most one per
 * CPU. One loop drives 16 workers at under half a core; with the server on
 * the same machine every extra client thread takes CPU from it, while a
 * thousand connections need a second loop to keep up. */
#define RUN_WORKERS_PER_THREAD 256

int run_default_threads(int workers);

struct run {
    const struct config *cfg;
    struct workload_config workload;
    struct retry_budget budget; /* shared by the workers when --retry-budget is set */
    int n_workers;
    struct worker *workers;
    int n_loops;
    struct loop *loops;
    int started;        /* loop threads created */
    int loop_errno;     /* why a loop could not be created */
    struct sink *sinks; /* one per loop */
    atomic_bool stop;   /* workers finish their transaction and leave */
    atomic_int running; /* loops still running */
    atomic_int next_to_connect;
    pthread_t main_thread;

    int64_t start_us;         /* workers released (monotonic) */
    int64_t measure_start_us; /* warmup over: what counts starts here */
    int64_t measure_start_wall_us;
    int64_t end_us;
    int64_t cpu_start_us, cpu_end_us; /* the process's CPU at the measured span's ends */
    bool interrupted;

    int64_t run_id;       /* the ledger's run number (--ledger) */
    struct ledger ledger; /* each worker writes its own book */
    struct auditor auditor;

    int64_t last_commit_us; /* end of the last interval with a commit */
    bool in_stall;
    struct stall_summary stalls;

    struct stats total; /* everything measured, collected interval by interval */
    struct stats tick;  /* one interval, being collected */
    /* One row per interval, warmup included and marked: plain structs, a
     * hundred bytes each, so an hour-long run's series costs half a megabyte
     * (JSON objects would cost twenty times that, growing all run long). */
    struct progress_sample *samples;
    size_t n_samples, cap_samples;
};

/* Blocks SIGINT, SIGTERM and SIGUSR1 in the calling thread (and so in every
 * thread it spawns) so that only run_wait receives them. Call before run_start. */
void run_block_signals(void);

/* Gives SIGINT and SIGTERM back their default effect once the workers are done. */
void run_unblock_signals(void);

/* Creates the workers and connects them, RUN_CONNECT_CONCURRENCY at a time;
 * once all are connected, calls before_go (if any: e.g. the multi-instance
 * barrier) and starts the event loops (--threads) that drive them.
 * Returns 0 when every worker is connected and started; -1 with err set (no
 * worker runs) otherwise, or when before_go returns non-zero. */
int run_start(struct run *run, const struct config *cfg, const struct workload_config *workload,
              uint64_t seed, int64_t run_id, int (*before_go)(void *, struct db_error *),
              void *before_go_arg, struct db_error *err);

/* Waits for the end (duration, quota, or SIGINT/SIGTERM), collecting each
 * interval and printing progress to `progress` (NULL: silent). */
void run_wait(struct run *run, FILE *progress);

/* Stops the run: workers finish the transaction in hand and leave. */
void run_stop(struct run *run);

/* Joins the loops and the auditor. */
void run_finish(struct run *run, int *workers_lost, struct db_error *first_error);

/* Sums up the workers' faults into f; returns the per-worker rows (only
 * workers that lost their connection) as JSON. */
json_t *run_faults_json(const struct run *run, struct fault_summary *f);

/* The per-interval series as a JSON array (a new reference). */
json_t *run_intervals_json(const struct run *run);

/* Frees what the run holds (after the caller is done with total). */
void run_free(struct run *run);

#endif
