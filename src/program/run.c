/* A run set up and started: its workers connected, its loops running. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "run_internal.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREAD_STACK_BYTES (512 * 1024)

int run_loops(const struct config *cfg)
{
    int loops = cfg->threads ? cfg->threads : run_default_threads(cfg->workers);
    return loops > cfg->workers ? cfg->workers : loops;
}

size_t run_memory_bytes(const struct config *cfg)
{
    /* A sink per loop, the run's total and the interval being collected
     * (each also per endpoint); the auditor's read latency. */
    size_t sets = (size_t)run_loops(cfg) + 2;
    return sets * (stats_bytes(cfg->sig_figs) +
                   (size_t)options_n_endpoints(cfg) * endpoint_bytes(cfg->sig_figs)) +
           (cfg->audit_us ? hist_bytes(STATS_HIST_HIGHEST, cfg->sig_figs) : 0);
}

int run_default_threads(int workers)
{
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                           : (int)sysconf(_SC_NPROCESSORS_ONLN);
    return saturation_default_loops(workers, cpus);
}

static void worker_setup(struct worker *w, int id, struct run *run, uint64_t seed, int64_t quota)
{
    const struct config *cfg = run->cfg;
    /* Worker i belongs to loop i mod T: neighbours spread over the threads. */
    struct loop_thread *t = &run->loops[id % run->n_loops];
    t->workers[t->n_workers++] = w;
    worker_init(w, id, &run->env, &t->loop, &t->sink);
    w->endpoint = endpoint_of_worker(id, run->n_endpoints);
    w->dsn = options_endpoint(cfg, w->endpoint);
    w->workload = run->workload;
    w->policy = (struct txn_policy){.protocol = cfg->protocol,
                                    .retry_on = cfg->retry_on,
                                    .max_retries = cfg->max_retries,
                                    .backoff = cfg->backoff,
                                    .budget = run->budget.enabled ? &run->budget : NULL,
                                    .inject_retry = cfg->inject_retry,
                                    .reconnect = true,
                                    .stop = &run->stop};
    w->quota = quota;
    w->open_loop = options_open_loop(cfg);
    /* Streams are numbered across instances, so every worker of a distributed
     * run draws its own sequence from the shared seed. */
    uint64_t stream = (uint64_t)cfg->instance * OPTIONS_MAX_WORKERS + (uint64_t)id;
    rng_seed(&w->choice_rng, seed, stream);
    rng_seed(&w->jitter_rng, seed, stream | (UINT64_C(1) << 32));
}

/* Allocates workers, loops, sinks and the run's own stats; false when out
 * of memory or out of file descriptors. */
static void loop_woken(void *arg, int64_t now_us);

static bool run_alloc(struct run *run, int sig_figs)
{
    int per_loop = (run->n_workers + run->n_loops - 1) / run->n_loops;
    run->workers = calloc((size_t)run->n_workers, sizeof *run->workers);
    run->loops = calloc((size_t)run->n_loops, sizeof *run->loops);
    if (!run->workers || !run->loops) return false;
    /* Everything run_free may touch is valid before anything can fail. */
    for (int i = 0; i < run->n_loops; i++)
        pthread_mutex_init(&run->loops[i].sink.lock, NULL);
    for (; run->loops_made < run->n_loops; run->loops_made++) {
        struct loop_thread *t = &run->loops[run->loops_made];
        t->run = run;
        t->workers = calloc((size_t)per_loop, sizeof *t->workers);
        if (t->workers == NULL || !stats_init(&t->sink.interval, sig_figs)) return false;
        t->sink.endpoints = endpoints_create(run->n_endpoints, sig_figs);
        if (t->sink.endpoints == NULL) return false;
        /* A worker has at most one timer armed. */
        if (loop_init(&t->loop, &run->stop, per_loop) != 0) {
            run->loop_errno = errno;
            run->loops_made++;
            return false;
        }
        loop_set_halt(&t->loop, &run->halt);
        loop_on_wake(&t->loop, loop_woken, t);
    }
    run->total_endpoints = endpoints_create(run->n_endpoints, sig_figs);
    run->tick_endpoints = endpoints_create(run->n_endpoints, sig_figs);
    run->outages = calloc((size_t)run->n_endpoints + 1, sizeof *run->outages);
    if (run->outages == NULL) return false;
    for (int i = 0; i <= run->n_endpoints; i++)
        outage_init(&run->outages[i], 0);
    run->env.outage = &run->outages[0];
    run->env.endpoint_outages = &run->outages[1];
    return run->total_endpoints && run->tick_endpoints && stats_init(&run->total, sig_figs) &&
           stats_init(&run->tick, sig_figs);
}

void run_free(struct run *run)
{
    if (run == NULL) return;
    for (int i = 0; run->workers && i < run->n_workers; i++)
        db_close(run->workers[i].db);
    for (int i = 0; run->loops && i < run->n_loops; i++) {
        struct loop_thread *t = &run->loops[i];
        stats_free(&t->sink.interval);
        endpoints_free(t->sink.endpoints, run->n_endpoints);
        pthread_mutex_destroy(&t->sink.lock);
        if (i < run->loops_made) loop_free(&t->loop);
        free(t->workers);
    }
    free(run->workers);
    free(run->loops);
    stats_free(&run->total);
    stats_free(&run->tick);
    endpoints_free(run->total_endpoints, run->n_endpoints);
    endpoints_free(run->tick_endpoints, run->n_endpoints);
    series_free(&run->series);
    for (int i = 0; run->outages && i <= run->n_endpoints; i++)
        outage_destroy(&run->outages[i]);
    free(run->outages);
    for (int e = 0; run->endpoint_names && e < run->n_endpoints; e++)
        free(run->endpoint_names[e]);
    free(run->endpoint_names);
    free(run->endpoint_faults);
    ledger_free(&run->ledger);
    auditor_free(&run->auditor);
    injector_free(&run->injector);
    free(run);
}

void run_stop(struct run *run)
{
    if (run->stop_us == INT64_MAX) run->stop_us = clock_now_us();
    atomic_store(&run->stop, true);
    for (int i = 0; i < run->started; i++)
        loop_wake(&run->loops[i].loop);
}

void run_join_loops(struct run *run)
{
    for (int i = 0; i < run->started; i++)
        pthread_join(run->loops[i].thread, NULL);
}

/* A connector thread: opens the connections of the workers it takes, one
 * at a time, until none is left. */
static void *connector_main(void *arg)
{
    struct run *run = arg;
    int i;
    while ((i = atomic_fetch_add(&run->next_to_connect, 1)) < run->n_workers)
        run->workers[i].connect_failed = !worker_connect(&run->workers[i]);
    return NULL;
}

/* Opens every worker's connection with a bounded number at once. The stop
 * signals stay deliverable to the main thread meanwhile, so an interrupt
 * then ends the process at once. */
static bool connect_all(struct run *run, struct db_error *err)
{
    pthread_t threads[RUN_CONNECT_CONCURRENCY];
    int n = run->n_workers < RUN_CONNECT_CONCURRENCY ? run->n_workers : RUN_CONNECT_CONCURRENCY;
    int created = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES);
    atomic_store(&run->next_to_connect, 0);
    for (; created < n; created++)
        if (pthread_create(&threads[created], &attr, connector_main, run) != 0) break;
    pthread_attr_destroy(&attr);
    run_unblock_signals();
    if (created == 0) connector_main(run);
    for (int i = 0; i < created; i++)
        pthread_join(threads[i], NULL);
    run_block_signals();
    for (int i = 0; i < run->n_workers; i++) {
        const struct worker *w = &run->workers[i];
        if (w->connect_failed) {
            *err = w->error;
            if (run->n_endpoints > 1)
                db_error_name_endpoint(err, w->dsn, w->endpoint, run->n_endpoints);
            return false;
        }
    }
    return true;
}

static void start_clock(struct run *run)
{
    run->start_us = clock_now_us();
    run->measure_start_us = run->start_us + run->cfg->warmup_us;
    int64_t wall_us = clock_wall_us();
    run->measure_start_wall_us = wall_us + run->cfg->warmup_us;
    ledger_set_origin(&run->ledger, run->start_us, wall_us / 1000);
    stall_init(&run->stalls, run->cfg->stall_timeout_us, run->start_us);
    for (int i = 0; i <= run->n_endpoints; i++)
        run->outages[i].start_us = run->start_us;
    run->cpu_start_us = clock_process_cpu_us();
    cpu_meter_start(&run->cpu);
}

/* Woken by the main thread: once told to, its workers hang up on servers
 * that never answered the stop's cancel. */
static void loop_woken(void *arg, int64_t now_us)
{
    struct loop_thread *t = arg;
    (void)now_us;
    if (!atomic_load(&t->run->hang_up)) return;
    for (int i = 0; i < t->n_workers; i++)
        worker_hang_up(t->workers[i]);
}

/* A loop's thread: starts its workers and drives them until all are done. */
static void *loop_thread_main(void *arg)
{
    struct loop_thread *t = arg;
    struct run *run = t->run;
    loop_meter_attach(&t->meter);
    int64_t now_us = clock_now_us();
    for (int i = 0; i < t->n_workers; i++)
        worker_start(t->workers[i], now_us);
    int error = loop_run(&t->loop);
    if (error != 0) {
        /* The loop cannot wait any more: its workers stop where they are, lost. */
        for (int i = 0; i < t->n_workers; i++)
            worker_abandon(t->workers[i], error);
        /* The main thread sees the flag when woken, and stops the others. */
        atomic_store(&run->stop, true);
        pthread_kill(run->main_thread, SIGUSR1);
    }
    /* The last loop out wakes the main thread, which waits in sigtimedwait. */
    if (atomic_fetch_sub(&run->running, 1) == 1) pthread_kill(run->main_thread, SIGUSR1);
    return NULL;
}

/* Starts the loops; false (with the started ones stopped and joined) if a
 * thread cannot be created. */
static bool loops_start(struct run *run, struct db_error *err)
{
    const struct config *cfg = run->cfg;
    for (int i = 0; i < run->n_workers && cfg->rate > 0; i++) {
        /* Worker i of N is offset by i/R so fixed arrivals interleave evenly. */
        struct worker *w = &run->workers[i];
        schedule_init(&w->schedule, cfg->arrival, cfg->rate / run->n_workers, run->start_us,
                      cfg->arrival == ARRIVAL_FIXED ? w->id * 1e6 / cfg->rate : 0.0);
    }
    for (int i = 0; i < run->n_workers && cfg->load.n > 0; i++) {
        struct worker *w = &run->workers[i];
        schedule_init_phases(&w->schedule, cfg->arrival, &cfg->load, w->id, run->n_workers,
                             run->start_us, &w->jitter_rng);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK_BYTES);
    atomic_store(&run->running, run->n_loops);
    for (int i = 0; i < run->n_loops; i++) {
        int rc = pthread_create(&run->loops[i].thread, &attr, loop_thread_main, &run->loops[i]);
        if (rc != 0) {
            snprintf(err->message, sizeof err->message, "cannot start thread %d: %s", i,
                     strerror(rc));
            atomic_fetch_sub(&run->running, run->n_loops - i);
            run_stop(run);
            run_join_loops(run);
            pthread_attr_destroy(&attr);
            return false;
        }
        run->started++;
    }
    pthread_attr_destroy(&attr);
    return true;
}

/* The run with its workers set up, not yet connected; NULL with err set. */
static void out_of_memory(struct db_error *err, const struct config *cfg)
{
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", RUN_OUT_OF_MEMORY);
    snprintf(err->message, sizeof err->message,
             "out of memory for %d workers (histograms at --sig-figs %d: %.1f MB)", cfg->workers,
             cfg->sig_figs, (double)run_memory_bytes(cfg) / 1e6);
}

static struct run *run_create(const struct config *cfg, const struct workload_config *workload,
                              uint64_t seed, int64_t run_id, struct db_error *err)
{
    struct run *run = calloc(1, sizeof *run);
    if (run == NULL) {
        out_of_memory(err, cfg);
        return NULL;
    }
    run->cfg = cfg;
    run->stop_us = INT64_MAX;
    run->workload = *workload;
    run->n_workers = cfg->workers;
    run->n_loops = run_loops(cfg);
    run->n_endpoints = options_n_endpoints(cfg);
    run->main_thread = pthread_self();
    budget_init(&run->budget, cfg->budget_tokens, cfg->budget_refund);
    run->env = (struct worker_env){.spec = &cfg->spec,
                                   .instance = cfg->instance,
                                   .run_id = run_id,
                                   .ledger = cfg->ledger ? &run->ledger : NULL,
                                   .reconnect_timeout_us = cfg->reconnect_timeout_us,
                                   .reconnect_backoff = &cfg->reconnect_backoff,
                                   .stalls = cfg->stall_timeout_us ? &run->stalls : NULL,
                                   .stop = &run->stop,
                                   .halt = &run->halt};
    if (!run_alloc(run, cfg->sig_figs) ||
        (cfg->ledger && ledger_init(&run->ledger, cfg->instance, cfg->workers) != 0)) {
        if (run->loop_errno && run->loop_errno != ENOMEM)
            snprintf(err->message, sizeof err->message, "cannot create an event loop: %s",
                     strerror(run->loop_errno));
        else
            out_of_memory(err, cfg);
        run_free(run);
        return NULL;
    }

    /* --transactions is a total: split it, the remainder to the first workers. */
    int64_t share = cfg->transactions / cfg->workers, extra = cfg->transactions % cfg->workers;
    for (int i = 0; i < run->n_workers; i++)
        worker_setup(&run->workers[i], i, run, seed,
                     cfg->transactions ? share + (i < extra) : INT64_MAX);
    return run;
}

struct run *run_start(const struct config *cfg, const struct workload_config *workload,
                      uint64_t seed, int64_t run_id, int (*before_go)(void *, struct db_error *),
                      void *before_go_arg, struct db_error *err)
{
    struct run *run = run_create(cfg, workload, seed, run_id, err);
    if (run == NULL) return NULL;
    bool ok = connect_all(run, err) && (!cfg->audit_us || run_audit_start(run, err)) &&
              (!cfg->triggers.n || run_injector_setup(run, err));
    /* The barrier may wait long: it takes an interrupt itself (run_signal_pause). */
    if (ok && before_go) ok = before_go(before_go_arg, err) == 0;
    if (ok) {
        start_clock(run);
        ok =
            (!cfg->triggers.n || injector_start(&run->injector, run->measure_start_us, err) == 0) &&
            loops_start(run, err);
    }
    if (!ok) {
        atomic_store(&run->stop, true);
        auditor_stop(&run->auditor);
        injector_stop(&run->injector);
        run_free(run);
        return NULL;
    }
    return run;
}
