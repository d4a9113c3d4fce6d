/* Running the workers: start them together, collect each interval, stop. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "txstorm/run.h"

#include "txstorm/auditor.h"
#include "txstorm/budget.h"
#include "txstorm/cgroup.h"
#include "txstorm/injector.h"
#include "txstorm/clock.h"
#include "txstorm/loop.h"
#include "txstorm/phases_report.h"
#include "txstorm/metrics.h"
#include "txstorm/metrics_server.h"
#include "txstorm/trigger_verdict.h"
#include "txstorm/worker.h"

#include <errno.h>
#include <math.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREAD_STACK_BYTES (512 * 1024)
#define PROGRESS_HEADER_EVERY 20
#define DEFAULT_INTERVAL_US 1000000 /* intervals are kept even when nothing is printed */

/* One event loop's share of the run: its thread, its workers, and the sink
 * they publish to. */
struct loop_thread {
    struct run *run;
    struct loop loop;
    struct sink sink;
    struct worker **workers;
    int n_workers;
    pthread_t thread;
    /* How busy it is: its thread, and at the last interval its wait time,
     * CPU time and time runnable but not running; its use over the
     * measured intervals. */
    _Atomic pid_t tid;
    int64_t last_waited_us, last_cpu_us, last_delay_us;
    struct loop_use use;
};

/* A thread's time on a CPU and waiting for one, from the scheduler's
 * statistics; false once it has gone (or without /proc). */
static bool thread_schedstat(pid_t tid, int64_t *cpu_us, int64_t *delay_us)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int)tid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    unsigned long long cpu_ns, delay_ns;
    bool ok = fscanf(f, "%llu %llu", &cpu_ns, &delay_ns) == 2;
    fclose(f);
    *cpu_us = (int64_t)(cpu_ns / 1000);
    *delay_us = (int64_t)(delay_ns / 1000);
    return ok;
}

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
    int64_t stop_us;    /* when the run was told to stop; INT64_MAX: not yet */
    atomic_int running; /* loops still running */
    atomic_int next_to_connect;
    pthread_t main_thread;

    int64_t start_us;         /* workers released (monotonic) */
    int64_t measure_start_us; /* warmup over: what counts starts here */
    int64_t measure_start_wall_us;
    int64_t end_us;
    int64_t cpu_start_us, cpu_end_us; /* the process's CPU at the measured span's ends */
    int64_t throttled_us; /* the CPU quota's hold on the process, at the last interval */
    bool interrupted;
    int interrupts; /* SIGINT/SIGTERM received */

    struct ledger ledger; /* each worker writes its own book */
    struct auditor auditor;
    struct injector injector; /* --trigger */

    struct stall_watch stalls; /* every commit stamps it (--stall-timeout) */
    int64_t stalls_shown;      /* stalls already marked in a progress line */
    /* Outage windows: [0] the whole run's, [1 + e] endpoint e's; NULL until made. */
    struct outage_watch *outages;
    int64_t outages_shown; /* windows closed and already marked in a progress line */

    struct stats total; /* everything measured, collected interval by interval */
    struct stats tick;  /* one interval, being collected */
    int n_endpoints;    /* the same two, per endpoint */
    struct endpoint_stats *total_endpoints, *tick_endpoints;
    /* One row per interval, warmup included and marked: plain structs, a
     * hundred bytes each, so an hour-long run's series costs half a megabyte
     * (JSON objects would cost twenty times that, growing all run long). */
    struct series series; /* a row per closed interval */

    /* --metrics-addr: where each interval's figures go (NULL: nowhere), the
     * labels they carry, and each endpoint's faults as last published. */
    struct metrics_server *metrics;
    char metrics_instance[32];
    char **endpoint_names;
    struct metrics_faults *endpoint_faults;
};

static sigset_t run_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    return set;
}

void run_block_signals(void)
{
    sigset_t set = run_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void run_release_signals(void)
{
    /* Signals that came while the outputs were being written were taken
     * as waiting; dropped now, so that they do not end the process late. */
    sigset_t set = run_signals();
    struct timespec now = {0, 0};
    while (sigtimedwait(&set, NULL, &now) > 0) {
    }
    run_unblock_signals();
}

void run_unblock_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int run_loops(const struct config *cfg)
{
    int loops = cfg->threads ? cfg->threads : run_default_threads(cfg->workers);
    return loops > cfg->workers ? cfg->workers : loops;
}

size_t run_memory_bytes(const struct config *cfg)
{
    /* A sink per loop, the run's total and the interval being collected
     * (each also per endpoint); the auditor's read latency; the phases'. */
    size_t sets = (size_t)run_loops(cfg) + 2;
    return sets * (stats_bytes(cfg->sig_figs) +
                   (size_t)options_n_endpoints(cfg) * endpoint_bytes(cfg->sig_figs)) +
           (cfg->audit_us ? hist_bytes(STATS_HIST_HIGHEST, cfg->sig_figs) : 0) +
           /* --load: each phase's latency and lag */
           (size_t)cfg->load.n * 2 * hist_bytes(STATS_HIST_HIGHEST, cfg->sig_figs);
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

/* Stops the run: workers finish the transaction in hand and leave. */
static void run_stop(struct run *run)
{
    if (run->stop_us == INT64_MAX) run->stop_us = clock_now_us();
    atomic_store(&run->stop, true);
    for (int i = 0; i < run->started; i++)
        loop_wake(&run->loops[i].loop);
}

/* The stop's grace is over: think pauses are cut, and every session is asked
 * to cancel what it runs (a statement waiting on a lock held elsewhere would
 * otherwise hold the run for as long as the lock). Repeated until the
 * workers are gone, since a worker may send its next statement after a
 * cancel went out. */
static void run_halt(struct run *run)
{
    atomic_store(&run->halt, true);
    for (int i = 0; i < run->started; i++)
        loop_wake(&run->loops[i].loop);
    for (int i = 0; i < run->n_workers; i++)
        if (run->workers[i].db && atomic_load(&run->workers[i].in_flight))
            db_cancel(run->workers[i].db);
}

static void loops_join(struct run *run)
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

/* Opens every worker's connection with a bounded number at once. SIGINT
 * and SIGTERM stay deliverable to the main thread meanwhile, so an
 * interrupt then ends the process at once. */
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
    run->throttled_us = cgroup_cpu_throttled_us();
}

/* A loop's thread: starts its workers and drives them until all are done. */
static void *loop_thread_main(void *arg)
{
    struct loop_thread *t = arg;
    struct run *run = t->run;
    atomic_store(&t->tid, (pid_t)syscall(SYS_gettid));
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
            loops_join(run);
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

/* Starts the auditor (--audit-interval); false with err set when it cannot. */
static bool audit_start(struct run *run, struct db_error *err)
{
    const struct config *cfg = run->cfg;
    run->auditor = (struct auditor){.dsn = options_endpoint(cfg, 0),
                                    .as_of = cfg->audit_as_of,
                                    .allow_overdraft = cfg->allow_overdraft,
                                    .every_us = cfg->audit_us,
                                    .stop = &run->stop};
    if (auditor_start(&run->auditor, cfg->sig_figs) == 0) return true;
    *err = run->auditor.error;
    return false;
}

/* --trigger terminate: the sessions of the first share of the workers on
 * the injector's server (the first endpoint's). */
static int worker_pids(void *arg, double share, int *pids, int max)
{
    struct run *run = arg;
    int on_first = 0, n = 0;
    for (int i = 0; i < run->n_workers; i++)
        on_first += run->workers[i].endpoint == 0;
    int want = (int)ceil(share * on_first - 1e-9);
    for (int i = 0; i < run->n_workers && n < want && n < max; i++) {
        int pid = run->workers[i].endpoint == 0 ? db_backend_pid(run->workers[i].db) : 0;
        if (pid > 0) pids[n++] = pid;
    }
    return n;
}

/* Connects the trigger injector (--trigger); false with err set when it cannot. */
static bool injector_setup(struct run *run, struct db_error *err)
{
    const struct config *cfg = run->cfg;
    const struct skew *skew = &run->workload.skew;
    run->injector = (struct injector){
        .dsn = options_endpoint(cfg, 0),
        .plan = &cfg->triggers,
        .stop = &run->stop,
        .hot_rows = skew->kind == SKEW_HOT || skew->kind == SKEW_HOTSPOT ? skew->hot : 0,
        .accounts = run->workload.accounts,
        .worker_pids = worker_pids,
        .pids_arg = run,
        .max_pids = run->n_workers};
    return injector_connect(&run->injector, err) == 0;
}

struct run *run_start(const struct config *cfg, const struct workload_config *workload,
                      uint64_t seed, int64_t run_id, int (*before_go)(void *, struct db_error *),
                      void *before_go_arg, struct db_error *err)
{
    struct run *run = run_create(cfg, workload, seed, run_id, err);
    if (run == NULL) return NULL;
    bool ok = connect_all(run, err) && (!cfg->audit_us || audit_start(run, err)) &&
              (!cfg->triggers.n || injector_setup(run, err));
    /* The barrier may wait long: an interrupt meanwhile ends the process. */
    if (ok && before_go) {
        run_unblock_signals();
        ok = before_go(before_go_arg, err) == 0;
        run_block_signals();
    }
    if (ok) {
        start_clock(run);
        ok = (!cfg->triggers.n || injector_start(&run->injector, run->measure_start_us, err) == 0) &&
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

/* Moves what the workers published since the last call into run->tick. */
static void collect(struct run *run)
{
    for (int i = 0; i < run->n_loops; i++) {
        struct sink *s = &run->loops[i].sink;
        pthread_mutex_lock(&s->lock);
        stats_merge(&run->tick, &s->interval);
        stats_reset(&s->interval);
        for (int e = 0; e < run->n_endpoints; e++) {
            endpoint_merge(&run->tick_endpoints[e], &s->endpoints[e]);
            endpoint_reset(&s->endpoints[e]);
        }
        pthread_mutex_unlock(&s->lock);
    }
}

/* Publishes the run's figures so far to the metrics server, if any. The
 * workers' fault counts are atomics; everything else is the collector's. */
static void publish_metrics(struct run *run, double loop_busy, bool warmup)
{
    if (run->metrics == NULL) return;
    struct metrics_faults all = {0};
    memset(run->endpoint_faults, 0, (size_t)run->n_endpoints * sizeof *run->endpoint_faults);
    for (int i = 0; i < run->n_workers; i++) {
        const struct worker *w = &run->workers[i];
        int64_t losses = atomic_load(&w->connection_losses);
        int64_t reconnects = atomic_load(&w->reconnects);
        struct metrics_faults *f = &run->endpoint_faults[w->endpoint];
        f->workers++;
        f->workers_connected += losses == reconnects; /* a loss not yet made good: down */
        f->connection_losses += losses;
        f->reconnects += reconnects;
    }
    for (int e = 0; e < run->n_endpoints; e++) {
        all.workers += run->endpoint_faults[e].workers;
        all.workers_connected += run->endpoint_faults[e].workers_connected;
        all.connection_losses += run->endpoint_faults[e].connection_losses;
        all.reconnects += run->endpoint_faults[e].reconnects;
    }
    struct metrics_snapshot snap = {.instance = run->metrics_instance,
                                    .total = &run->total,
                                    .faults = all,
                                    .warmup = warmup,
                                    .loop_busy = loop_busy,
                                    .n_endpoints = run->n_endpoints,
                                    .endpoints = run->total_endpoints,
                                    .endpoint_names = (const char *const *)run->endpoint_names,
                                    .endpoint_faults = run->endpoint_faults};
    size_t text_len = 0, om_len = 0;
    char *text = metrics_format(&snap, METRICS_TEXT, &text_len);
    char *om = metrics_format(&snap, METRICS_OPENMETRICS, &om_len);
    metrics_server_publish(run->metrics, text, text_len, om, om_len);
}

void run_serve_metrics(struct run *run, struct metrics_server *server)
{
    run->endpoint_names = calloc((size_t)run->n_endpoints, sizeof *run->endpoint_names);
    run->endpoint_faults = calloc((size_t)run->n_endpoints, sizeof *run->endpoint_faults);
    if (run->endpoint_names == NULL || run->endpoint_faults == NULL) return; /* no metrics then */
    for (int e = 0; e < run->n_endpoints; e++) {
        /* The endpoint label: its redacted DSN, as the result names it. */
        struct dsn_view view;
        char why[256], name[32];
        snprintf(name, sizeof name, "endpoint %d", e);
        bool ok = db_dsn_inspect(options_endpoint(run->cfg, e), &view, why, sizeof why) == 0;
        run->endpoint_names[e] = strdup(ok ? view.redacted : name);
        if (run->endpoint_names[e] == NULL) return;
    }
    snprintf(run->metrics_instance, sizeof run->metrics_instance, "%d/%d", run->cfg->instance,
             run->cfg->instances);
    run->metrics = server;
    publish_metrics(run, 0, run->cfg->warmup_us > 0);
}

/* Closes one interval ending at now_us: a progress line, a row in the series,
 * and (after the warmup) its counts into the total. */
/* Each loop's busy time in the interval: the time outside waiting for
 * events, or — when the CPU was scarce — its time on a CPU plus its time
 * runnable but not given one plus the time the process's CPU quota held it
 * back, whichever is more (a starved loop spends its starvation partly
 * inside the wait, with its events already there; kernels from 6.18 on take
 * a throttled thread off the run queue, so its time held back shows only
 * in the cgroup's cpu.stat).
 * Measured intervals count towards the saturation verdict (not the last,
 * after the loops have left). Returns the busiest loop's share. */
static double account_loops(struct run *run, int64_t wall_us, bool measured)
{
    double busiest = 0;
    int64_t throttled_us = cgroup_cpu_throttled_us();
    int64_t held_back_us = throttled_us > run->throttled_us ? throttled_us - run->throttled_us : 0;
    run->throttled_us = throttled_us;
    for (int i = 0; i < run->started; i++) {
        struct loop_thread *t = &run->loops[i];
        int64_t waited = loop_waited_us(&t->loop, clock_now_us()), cpu_us = 0, delay_us = 0;
        int64_t busy_us = wall_us - (waited - t->last_waited_us);
        t->last_waited_us = waited;
        pid_t tid = atomic_load(&t->tid);
        if (tid > 0 && thread_schedstat(tid, &cpu_us, &delay_us)) {
            int64_t demand_us =
                (cpu_us - t->last_cpu_us) + (delay_us - t->last_delay_us) + held_back_us;
            if (measured) t->use.cpu_us += cpu_us - t->last_cpu_us;
            if (demand_us > busy_us) busy_us = demand_us;
            t->last_cpu_us = cpu_us;
            t->last_delay_us = delay_us;
        }
        if (measured) saturation_add(&t->use, busy_us, wall_us);
        double share = wall_us > 0 ? (double)busy_us / (double)wall_us : 0;
        if (share > busiest) busiest = share > 1 ? 1 : share;
    }
    return busiest;
}

/* Over --load: the interval's phase and offered rate in its sample, and
 * (measured) its figures into its phase's tally. Nothing is offered after
 * the stop. Intervals close at phase boundaries, so one phase holds it. */
static void account_phase(struct run *run, int64_t now_us, int64_t last_us,
                          struct interval_row *p)
{
    const struct phases *load = &run->cfg->load;
    if (load->n == 0) return;
    int i = phases_index_at(load, last_us - run->start_us);
    int64_t offer_end_us = now_us < run->stop_us ? now_us : run->stop_us;
    double offered = offer_end_us > last_us
                         ? phases_cum(load, (double)(offer_end_us - run->start_us)) -
                               phases_cum(load, (double)(last_us - run->start_us))
                         : 0;
    snprintf(p->phase, sizeof p->phase, "%s", load->phase[i].name);
    p->offered_per_s = now_us > last_us ? offered * 1e6 / (double)(now_us - last_us) : 0;
}

/* The next phase boundary after now_us; INT64_MAX: none (or no --load). */
static int64_t next_phase_edge_us(const struct run *run, int64_t now_us)
{
    const struct phases *load = &run->cfg->load;
    for (int i = 0; i < load->n; i++)
        if (run->start_us + load->phase[i].end_us > now_us)
            return run->start_us + load->phase[i].end_us;
    return INT64_MAX;
}

static void close_interval(struct run *run, int64_t now_us, int64_t last_us, bool last,
                           FILE *progress, int *lines)
{
    collect(run);
    struct interval_row p;
    bool warmup = last_us < run->measure_start_us;
    series_row_of_stats(&run->tick, now_us - run->start_us, now_us - last_us, warmup,
                        options_open_loop(run->cfg), &p);
    /* A row that finds no memory for its histograms keeps its figures. */
    series_row_keep_hists(&p, &run->tick);
    account_phase(run, now_us, last_us, &p);
    p.loop_busy = account_loops(run, now_us - last_us, !warmup && !last);
    /* A stall in the interval: one that ended in it, or one still going. */
    int64_t stalls = atomic_load(&run->stalls.count);
    p.stall = stalls > run->stalls_shown || stall_ongoing(&run->stalls, now_us);
    run->stalls_shown = stalls;
    /* An outage in the interval: one that ended in it, or one still open. */
    int64_t outages = outage_closed(&run->outages[0]);
    p.outage = outages > run->outages_shown || outage_ongoing(&run->outages[0]);
    run->outages_shown = outages;
    injector_active(&run->injector, last_us, now_us, p.trigger, sizeof p.trigger);
    if (progress) {
        if ((*lines)++ % PROGRESS_HEADER_EVERY == 0) report_progress_header(progress, p.open_loop);
        report_progress_line(progress, &p);
    }
    series_append(&run->series, &p); /* no memory: the row is dropped, the run goes on */
    if (!warmup) stats_merge(&run->total, &run->tick);
    stats_reset(&run->tick);
    for (int e = 0; e < run->n_endpoints; e++) {
        if (!warmup) endpoint_merge(&run->total_endpoints[e], &run->tick_endpoints[e]);
        endpoint_reset(&run->tick_endpoints[e]);
    }
    publish_metrics(run, p.loop_busy, now_us < run->measure_start_us);
}

/* The first SIGINT/SIGTERM stops the run (in-flight work gets --stop-grace),
 * the second cancels what is in flight at once, so the partial report and
 * results are still written; the third exits without them. */
static void on_signal(struct run *run, int sig)
{
    if (sig != SIGINT && sig != SIGTERM) return;
    if (run->interrupts++ == 2) {
        static const char msg[] = "txstorm: interrupted three times, exiting at once\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(130);
    }
    run->interrupted = true;
    if (run->interrupts == 1) {
        run_stop(run);
        fprintf(stderr,
                "txstorm: stopping: in-flight transactions get %.1f s to finish "
                "(interrupt again to cancel them now)\n",
                (double)run->cfg->stop_grace_us / 1e6);
    } else {
        run_halt(run);
        fprintf(stderr, "txstorm: cancelling in-flight statements (interrupt again to exit at "
                        "once, without the report)\n");
    }
}

/* How often the cancel goes out again while workers remain after the halt. */
#define CANCEL_AGAIN_US 1000000

void run_wait(struct run *run, FILE *progress)
{
    const struct config *cfg = run->cfg;
    sigset_t set = run_signals();
    int64_t tick_us = cfg->progress_us ? cfg->progress_us : DEFAULT_INTERVAL_US;
    int64_t deadline_us = cfg->duration_us ? run->measure_start_us + cfg->duration_us : INT64_MAX;
    int64_t warmup_end_us = cfg->warmup_us ? run->measure_start_us : INT64_MAX;
    int64_t next_tick_us = run->start_us + tick_us;
    int64_t last_us = run->start_us;
    int64_t next_cancel_us = INT64_MAX;
    int64_t phase_edge_us = next_phase_edge_us(run, run->start_us);
    int lines = 0;
    if (!cfg->progress_us) progress = NULL;

    while (atomic_load(&run->running) > 0) {
        int64_t now_us = clock_now_us();
        if (now_us >= deadline_us) {
            run_stop(run);
            deadline_us = INT64_MAX;
        }
        /* The grace after a stop; then cancels, again while anyone is left. */
        int64_t halt_at_us =
            run->stop_us == INT64_MAX ? INT64_MAX : run->stop_us + cfg->stop_grace_us;
        /* A loop that could not go on stopped the run from its own thread. */
        if (atomic_load(&run->stop) && run->stop_us == INT64_MAX) run_stop(run);
        if (next_cancel_us == INT64_MAX && (now_us >= halt_at_us || atomic_load(&run->halt))) {
            if (!atomic_load(&run->halt)) run_halt(run); /* a second signal may have already */
            next_cancel_us = clock_now_us() + CANCEL_AGAIN_US;
        } else if (now_us >= next_cancel_us) {
            run_halt(run);
            next_cancel_us = clock_now_us() + CANCEL_AGAIN_US; /* after the round, however long */
        }
        /* The warmup's end closes an interval of its own, so nothing measured
         * falls into a warmup interval or the other way round; so does each
         * phase's end, so each interval lies in one phase. */
        if (now_us >= next_tick_us || now_us >= warmup_end_us || now_us >= phase_edge_us) {
            close_interval(run, now_us, last_us, false, progress, &lines);
            last_us = now_us;
            if (now_us >= warmup_end_us) {
                warmup_end_us = INT64_MAX;
                run->cpu_start_us = clock_process_cpu_us();
            }
            while (next_tick_us <= now_us)
                next_tick_us += tick_us;
            phase_edge_us = next_phase_edge_us(run, now_us);
        }
        int64_t wake_us = next_tick_us;
        if (deadline_us < wake_us) wake_us = deadline_us;
        if (warmup_end_us < wake_us) wake_us = warmup_end_us;
        if (phase_edge_us < wake_us) wake_us = phase_edge_us;
        if (next_cancel_us == INT64_MAX && halt_at_us < wake_us) wake_us = halt_at_us;
        if (next_cancel_us < wake_us) wake_us = next_cancel_us;
        int64_t wait_us = wake_us - now_us;
        if (wait_us < 0) wait_us = 0;
        struct timespec ts = {.tv_sec = wait_us / 1000000, .tv_nsec = (wait_us % 1000000) * 1000};
        on_signal(run, sigtimedwait(&set, NULL, &ts));
    }
    /* Every worker has published before it left, so this interval is the last;
     * a sliver after the final tick with nothing in it is not worth a row. */
    run->end_us = clock_now_us();
    run->cpu_end_us = clock_process_cpu_us();
    collect(run);
    if (run->tick.attempts > 0) close_interval(run, run->end_us, last_us, true, progress, &lines);
}

/* Joins the loops and the auditor; counts the workers lost, keeping the
 * first one's error. */
static int finish(struct run *run, struct db_error *first_lost)
{
    loops_join(run);
    atomic_store(&run->stop, true);
    auditor_stop(&run->auditor);
    injector_stop(&run->injector);
    int lost = 0;
    for (int i = 0; i < run->n_workers; i++) {
        struct worker *w = &run->workers[i];
        if (w->lost && lost++ == 0) *first_lost = w->error;
    }
    return lost;
}

/* Each worker's sequence of servers: [{worker, servers, earlier}]. */
static json_t *servers_json(const struct run *run)
{
    json_t *rows = json_array();
    for (int i = 0; rows && i < run->n_workers; i++)
        json_array_append_new(rows, server_trail_json(&run->workers[i].servers, run->workers[i].id));
    return rows;
}

/* The failover timeline: the run's outage windows, and each endpoint's. */
static json_t *failover_json(struct run *run)
{
    struct outage_summary sum;
    outage_summarize(&run->outages[0], run->end_us, &sum);
    json_t *j = outage_json(&sum), *endpoints = json_array();
    for (int e = 0; j && endpoints && e < run->n_endpoints; e++) {
        outage_summarize(&run->outages[1 + e], run->end_us, &sum);
        json_array_append_new(endpoints, outage_json(&sum));
    }
    json_object_set_new(j, "endpoints", endpoints);
    return j;
}

/* Sums up the workers' faults into f and their endpoints' figures (with
 * the workers each has); returns the per-worker rows (only workers that
 * lost their connection) as JSON. */
static json_t *faults_json(const struct run *run, struct fault_summary *f)
{
    json_t *rows = json_array();
    memset(f, 0, sizeof *f);
    for (int i = 0; i < run->n_workers; i++) {
        const struct worker *w = &run->workers[i];
        struct endpoint_stats *e = &run->total_endpoints[w->endpoint];
        e->workers++;
        e->connection_losses += w->connection_losses;
        e->reconnects += w->reconnects;
        e->disconnected_us += w->disconnected_us;
        f->connection_losses += w->connection_losses;
        f->reconnects += w->reconnects;
        f->disconnected_us += w->disconnected_us;
        if (w->disconnected_us > f->worst_disconnected_us)
            f->worst_disconnected_us = w->disconnected_us;
        if (w->connection_losses || w->lost)
            json_array_append_new(
                rows,
                json_pack("{s:i, s:I, s:I, s:f, s:b}", "worker", w->id, "connection_losses",
                          (json_int_t)w->connection_losses, "reconnects", (json_int_t)w->reconnects,
                          "disconnected_ms", (double)w->disconnected_us / 1000.0, "lost", w->lost));
    }
    return rows;
}

void run_results(struct run *run, struct run_results *out)
{
    *out = (struct run_results){.threads = run->n_loops};
    struct run_summary *s = &out->summary;
    s->interrupted = run->interrupted;
    s->series = run->series;
    run->series = (struct series){0};
    if (run->cfg->load.n)
        s->phases =
            phases_report_json(&run->cfg->load, &s->series, run->end_us - run->start_us);
    s->workers_lost = finish(run, &out->first_lost);
    s->worker_faults = faults_json(run, &s->faults);
    s->workers_servers = servers_json(run);
    s->failover = failover_json(run);
    if (run->cfg->triggers.n) {
        s->triggers = injector_json(&run->injector, run->start_us);
        trigger_verdict_add(s->triggers, &s->series, run->cfg->rate);
    }
    stall_summarize(&run->stalls, run->end_us, &s->stalls);
    s->total = run->total;
    run->total = (struct stats){0};
    for (int e = 0; e < run->n_endpoints; e++) {
        struct dsn_view view;
        char why[256]; /* main() has checked that each parses */
        if (db_dsn_inspect(options_endpoint(run->cfg, e), &view, why, sizeof why) == 0)
            run->total_endpoints[e].dsn = strdup(view.redacted);
    }
    s->endpoints = run->total_endpoints;
    s->n_endpoints = run->n_endpoints;
    run->total_endpoints = NULL;
    s->elapsed_us = run->end_us > run->measure_start_us ? run->end_us - run->measure_start_us : 0;
    s->start_wall_us = run->measure_start_wall_us;
    s->origin_wall_us = run->measure_start_wall_us - (run->measure_start_us - run->start_us);
    s->end_wall_us = s->start_wall_us + s->elapsed_us;
    s->client_cpu_us = run->cpu_end_us - run->cpu_start_us;
    s->loops = calloc((size_t)run->started + 1, sizeof *s->loops);
    for (int i = 0; s->loops && i < run->started; i++) {
        struct loop_thread *t = &run->loops[i];
        s->loops[i] = t->use;
    }
    s->n_loops = s->loops ? run->started : 0;
    out->ledger = run->ledger;
    run->ledger = (struct ledger){0};
    out->audit = run->auditor.summary;
    s->audit_latency_us = run->auditor.latency_us;
    s->audit_series = run->auditor.series;
    run->auditor.latency_us = NULL;
    run->auditor.series = NULL;
}

void run_results_free(struct run_results *r)
{
    report_summary_free(&r->summary);
    ledger_free(&r->ledger);
}
