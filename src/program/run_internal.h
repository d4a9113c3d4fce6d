/* What the run's files share: the run itself and its loops. Nothing outside
 * src/run*.c includes this. run.c sets a run up and starts it; run_wait.c
 * waits for its end; run_collect.c closes its intervals; run_side.c wires
 * the auditor and the trigger injector; run_results.c hands over what it
 * measured; run_signals.c keeps the signals for run_wait. */
#ifndef TXSTORM_RUN_INTERNAL_H
#define TXSTORM_RUN_INTERNAL_H

#include "txstorm/run.h"

#include "txstorm/auditor.h"
#include "txstorm/budget.h"
#include "txstorm/injector.h"
#include "txstorm/interval_collector.h"
#include "txstorm/loop.h"
#include "txstorm/loop_meter.h"
#include "txstorm/series.h"
#include "txstorm/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct run;

/* One event loop's share of the run: its thread, its workers, and the sink
 * they publish to. */
struct loop_thread {
    struct run *run;
    struct loop loop;
    struct sink sink;
    struct worker **workers;
    int n_workers;
    pthread_t thread;
    struct loop_meter meter; /* how busy it is (loop_meter.h) */
};

struct run {
    const struct config *cfg;
    struct workload_config workload;
    struct retry_budget budget; /* shared by the workers when --retry-budget is set */
    struct worker_env env;      /* what the workers see of the run */
    int n_workers;
    struct worker *workers;
    int n_loops;
    struct loop_thread *loops;
    int loops_made;     /* loops initialised (and so to be freed) */
    int started;        /* loop threads created */
    int loop_errno;     /* why a loop could not be created */
    atomic_bool stop;   /* workers finish their transaction and leave */
    atomic_bool halt;   /* the stop's grace is over: in-flight statements are cancelled */
    atomic_bool hang_up; /* no cancel ended them: the loops hang up on the servers */
    int64_t stop_us;    /* when the run was told to stop; INT64_MAX: not yet */
    atomic_int running; /* loops still running */
    atomic_int next_to_connect;
    pthread_t main_thread;

    int64_t start_us;         /* workers released (monotonic) */
    int64_t measure_start_us; /* warmup over: what counts starts here */
    int64_t measure_start_wall_us;
    int64_t end_us;
    int64_t cpu_start_us, cpu_end_us; /* the process's CPU at the measured span's ends */
    struct cpu_meter cpu;             /* the CPU quota's hold on the process */
    bool interrupted;
    int interrupts; /* stop signals received */

    struct ledger ledger; /* each worker writes its own book */
    struct auditor auditor;
    struct injector injector; /* --trigger */
    int64_t edge_slack_us;    /* the interval clock's (interval_clock.h) */

    struct stall_watch stalls; /* every commit stamps it (--stall-timeout) */
    int64_t stalls_shown;      /* stalls already marked in a progress line */
    /* Outage windows: [0] the whole run's, [1 + e] endpoint e's; NULL until made. */
    struct outage_watch *outages;
    int64_t outages_shown; /* windows closed and already marked in a progress line */

    struct stats total; /* everything measured, collected interval by interval */
    struct stats tick;  /* one interval, being collected */
    int n_endpoints;    /* the same two, per endpoint */
    struct endpoint_stats *total_endpoints, *tick_endpoints;
    /* One row per interval, warmup included and marked: plain structs with
     * their histograms compressed (bench_result_size: about 4 KB a row). */
    struct series series; /* a row per closed interval */
    /* Closes the intervals: the series keeps each row, then the progress
     * lines and the metrics server hear of it. */
    struct interval_collector collector;
    FILE *progress;     /* run_wait's progress lines (NULL: none) */
    int progress_lines; /* printed so far: a header every PROGRESS_HEADER_EVERY */

    /* --metrics-addr: where each interval's figures go (NULL: nowhere), the
     * labels they carry, and each endpoint's faults as last published. */
    struct metrics_server *metrics;
    char metrics_instance[32];
    char **endpoint_names;
    struct metrics_faults *endpoint_faults;
};

/* The workers' connection faults, summed once, per endpoint and for the run:
 * live (from the collector, while the workers run) or joined (after them,
 * when the time each spent disconnected can be read too). */
struct fault_tally {
    int64_t workers, workers_connected, losses, reconnects;
    int64_t disconnected_us, worst_disconnected_us; /* joined only */
};
void run_tally_faults(const struct run *run, struct fault_tally *per_endpoint,
                      struct fault_tally *all, bool joined);

/* The wall-clock time (Unix us) of the workers' start: what every time
 * since the start in the result counts from, with or without --warmup. */
int64_t run_origin_wall_us(const struct run *run);

/* Prints a progress line for each closed interval to progress (NULL: none). */
void run_print_progress(struct run *run, FILE *progress);

/* Moves what the workers published since the last call into run->tick. */
void run_collect(struct run *run);

/* The collector's row maker (interval_collector.h; ctx: the run): the
 * interval from from_us to now_us as a row, its counts (after the warmup)
 * into the total. last: the loops have left (the interval does not count
 * towards saturation). */
void run_interval_row(void *run, int64_t from_us, int64_t now_us, bool last,
                      struct interval_row *row);

/* Stops the run: workers finish the transaction in hand and leave. */
void run_stop(struct run *run);

/* Joins the loop threads started so far. */
void run_join_loops(struct run *run);

/* The auditor (--audit-every) and the trigger injector (--trigger), each
 * connected to the first endpoint; false with err set when one cannot start. */
bool run_audit_start(struct run *run, struct db_error *err);
bool run_injector_setup(struct run *run, struct db_error *err);

/* The stop signals (SIGINT, SIGTERM, SIGHUP) and SIGUSR1: what run_wait
 * waits for. */
sigset_t run_signal_set(void);

/* Whether sig is one of the stop signals, which end a run with its report. */
bool run_is_stop_signal(int sig);

#endif
