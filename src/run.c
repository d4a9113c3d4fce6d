/* Running the workers: start them together, collect each interval, stop. */
#include "txstorm/run.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKER_STACK_BYTES (512 * 1024)
#define PROGRESS_HEADER_EVERY 20
#define DEFAULT_INTERVAL_US 1000000 /* intervals are kept even when nothing is printed */

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

void run_unblock_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void worker_setup(struct worker *w, struct run *run, uint64_t seed, int64_t quota)
{
    const struct config *cfg = run->cfg;
    w->run = run;
    w->sink = &run->sinks[w->id % run->n_sinks];
    w->workload = run->workload;
    w->policy = (struct txn_policy){.protocol = cfg->protocol,
                                    .retry_on = cfg->retry_on,
                                    .max_retries = cfg->max_retries,
                                    .backoff = cfg->backoff,
                                    .budget = run->budget.enabled ? &run->budget : NULL,
                                    .inject_retry = cfg->inject_retry,
                                    .reconnect = worker_reconnect,
                                    .reconnect_arg = w,
                                    .stop = &run->stop};
    w->quota = quota;
    w->open_loop = cfg->rate > 0;
    /* Streams are numbered across instances, so every worker of a distributed
     * run draws its own sequence from the shared seed. */
    uint64_t stream = (uint64_t)cfg->instance * OPTIONS_MAX_WORKERS + (uint64_t)w->id;
    rng_seed(&w->choice_rng, seed, stream);
    rng_seed(&w->jitter_rng, seed, stream | (UINT64_C(1) << 32));
}

/* Allocates workers, sinks and the run's own stats; false when out of memory. */
static bool run_alloc(struct run *run, int sig_figs)
{
    run->n_sinks = run->n_workers < RUN_MAX_SINKS ? run->n_workers : RUN_MAX_SINKS;
    run->workers = calloc((size_t)run->n_workers, sizeof *run->workers);
    run->sinks = calloc((size_t)run->n_sinks, sizeof *run->sinks);
    run->intervals = json_array();
    if (!run->workers || !run->sinks || !run->intervals) return false;
    for (int i = 0; i < run->n_sinks; i++) {
        pthread_mutex_init(&run->sinks[i].lock, NULL);
        if (!stats_init(&run->sinks[i].interval, sig_figs)) return false;
    }
    return stats_init(&run->total, sig_figs) && stats_init(&run->tick, sig_figs);
}

void run_free(struct run *run)
{
    for (int i = 0; run->workers && i < run->n_workers; i++)
        db_close(run->workers[i].db);
    for (int i = 0; run->sinks && i < run->n_sinks; i++) {
        stats_free(&run->sinks[i].interval);
        pthread_mutex_destroy(&run->sinks[i].lock);
    }
    free(run->workers);
    free(run->sinks);
    run->workers = NULL;
    run->sinks = NULL;
    stats_free(&run->total);
    stats_free(&run->tick);
    json_decref(run->intervals);
    run->intervals = NULL;
    ledger_free(&run->ledger);
    auditor_free(&run->auditor);
    pthread_mutex_destroy(&run->start_lock);
    pthread_cond_destroy(&run->start_cond);
    sem_destroy(&run->connect_slots);
}

static void workers_join(struct run *run)
{
    for (int i = 0; i < run->started; i++)
        pthread_join(run->workers[i].thread, NULL);
}

/* Lets the connected workers go, or sends them home when abort is set. */
static void start_decide(struct run *run, bool abort)
{
    pthread_mutex_lock(&run->start_lock);
    run->abort_start = abort;
    run->start_us = clock_now_us();
    run->measure_start_us = run->start_us + run->cfg->warmup_us;
    run->measure_start_wall_us = clock_wall_us() + run->cfg->warmup_us;
    run->last_commit_us = run->start_us;
    run->decided = true;
    pthread_cond_broadcast(&run->start_cond);
    pthread_mutex_unlock(&run->start_lock);
}

int run_start(struct run *run, const struct config *cfg, const struct workload_config *workload,
              uint64_t seed, int64_t run_id, int (*before_go)(void *, struct db_error *),
              void *before_go_arg, struct db_error *err)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->run_id = run_id;
    run->workload = *workload;
    run->n_workers = cfg->workers;
    run->main_thread = pthread_self();
    pthread_mutex_init(&run->start_lock, NULL);
    pthread_cond_init(&run->start_cond, NULL);
    sem_init(&run->connect_slots, 0, RUN_CONNECT_CONCURRENCY);
    budget_init(&run->budget, cfg->budget_tokens, cfg->budget_refund);
    if (!run_alloc(run, cfg->sig_figs) ||
        (cfg->ledger && ledger_init(&run->ledger, cfg->instance, cfg->workers) != 0)) {
        snprintf(err->message, sizeof err->message, "out of memory for %d workers", cfg->workers);
        run_free(run);
        return -1;
    }

    /* --transactions is a total: split it, the remainder to the first workers. */
    int64_t share = cfg->transactions / cfg->workers, extra = cfg->transactions % cfg->workers;
    for (int i = 0; i < run->n_workers; i++) {
        run->workers[i].id = i;
        worker_setup(&run->workers[i], run, seed,
                     cfg->transactions ? share + (i < extra) : INT64_MAX);
    }

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES);
    bool ok = true;
    atomic_store(&run->running, 0);
    for (int i = 0; i < run->n_workers && ok; i++) {
        atomic_fetch_add(&run->running, 1);
        int rc = pthread_create(&run->workers[i].thread, &attr, worker_main, &run->workers[i]);
        if (rc != 0) {
            atomic_fetch_sub(&run->running, 1);
            snprintf(err->message, sizeof err->message, "cannot start worker thread %d: %s", i,
                     strerror(rc));
            ok = false;
            break;
        }
        run->started++;
    }
    pthread_attr_destroy(&attr);

    /* The workers keep SIGINT and SIGTERM blocked; the main thread lets them
     * through while it waits for connections and the barrier, so an interrupt
     * then ends the process at once. They are blocked again before the run. */
    run_unblock_signals();
    pthread_mutex_lock(&run->start_lock);
    while (run->connected < run->started)
        pthread_cond_wait(&run->start_cond, &run->start_lock);
    pthread_mutex_unlock(&run->start_lock);

    for (int i = 0; i < run->started && ok; i++) {
        if (run->workers[i].connect_failed) {
            *err = run->workers[i].error;
            ok = false;
        }
    }
    if (ok && cfg->audit_us) {
        run->auditor = (struct auditor){.dsn = cfg->dsn,
                                        .as_of = cfg->audit_as_of,
                                        .allow_overdraft = cfg->allow_overdraft,
                                        .every_us = cfg->audit_us,
                                        .stop = &run->stop};
        /* Its thread must be born with the run's signals blocked, like the workers. */
        run_block_signals();
        int rc = auditor_start(&run->auditor, cfg->sig_figs);
        run_unblock_signals();
        if (rc != 0) {
            *err = run->auditor.error;
            ok = false;
        }
    }
    if (ok && before_go && before_go(before_go_arg, err) != 0) ok = false;
    run_block_signals();
    start_decide(run, !ok);
    if (!ok) {
        workers_join(run);
        atomic_store(&run->stop, true);
        auditor_stop(&run->auditor);
        run_free(run);
        return -1;
    }
    return 0;
}

/* Moves what the workers published since the last call into run->tick. */
static void collect(struct run *run)
{
    for (int i = 0; i < run->n_sinks; i++) {
        struct sink *s = &run->sinks[i];
        pthread_mutex_lock(&s->lock);
        stats_merge(&run->tick, &s->interval);
        stats_reset(&s->interval);
        pthread_mutex_unlock(&s->lock);
    }
}

/* The stall detector, after the bank roachtest: no commit for --stall-timeout
 * is a stall, reported as it happens and summed up at the end. */
static bool watch_for_stall(struct run *run, int64_t now_us, int64_t committed)
{
    struct stall_summary *s = &run->stalls;
    if (committed > 0) {
        run->last_commit_us = now_us;
        run->in_stall = false;
        return false;
    }
    int64_t quiet_us = now_us - run->last_commit_us;
    if (run->cfg->stall_timeout_us == 0 || quiet_us < run->cfg->stall_timeout_us) return false;
    if (!run->in_stall) {
        run->in_stall = true;
        if (s->count++ == 0) s->first_at_us = run->last_commit_us - run->start_us;
    }
    if (quiet_us > s->longest_us) s->longest_us = quiet_us;
    return true;
}

/* Closes one interval ending at now_us: a progress line, a row in the series,
 * and (after the warmup) its counts into the total. */
static void close_interval(struct run *run, int64_t now_us, int64_t last_us, FILE *progress,
                           int *lines)
{
    collect(run);
    struct progress_sample p;
    bool warmup = last_us < run->measure_start_us;
    report_progress_sample(&run->tick, now_us - run->start_us, now_us - last_us, warmup,
                           run->cfg->rate > 0, &p);
    p.stall = watch_for_stall(run, now_us, run->tick.committed);
    if (progress) {
        if ((*lines)++ % PROGRESS_HEADER_EVERY == 0) report_progress_header(progress, p.open_loop);
        report_progress_line(progress, &p);
    }
    json_array_append_new(run->intervals, report_interval_json(&p));
    if (!warmup) stats_merge(&run->total, &run->tick);
    stats_reset(&run->tick);
}

static void on_signal(struct run *run, int sig)
{
    if (sig != SIGINT && sig != SIGTERM) return;
    if (run->interrupted) {
        static const char msg[] = "txstorm: interrupted twice, exiting at once\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(130);
    }
    run->interrupted = true;
    atomic_store(&run->stop, true);
    fprintf(stderr, "txstorm: stopping: letting in-flight transactions finish "
                    "(interrupt again to exit at once)\n");
}

void run_wait(struct run *run, FILE *progress)
{
    const struct config *cfg = run->cfg;
    sigset_t set = run_signals();
    int64_t tick_us = cfg->progress_us ? cfg->progress_us : DEFAULT_INTERVAL_US;
    int64_t deadline_us = cfg->duration_us ? run->measure_start_us + cfg->duration_us : INT64_MAX;
    int64_t warmup_end_us = cfg->warmup_us ? run->measure_start_us : INT64_MAX;
    int64_t next_tick_us = run->start_us + tick_us;
    int64_t last_us = run->start_us;
    int lines = 0;
    if (!cfg->progress_us) progress = NULL;

    while (atomic_load(&run->running) > 0) {
        int64_t now_us = clock_now_us();
        if (now_us >= deadline_us) {
            atomic_store(&run->stop, true);
            deadline_us = INT64_MAX;
        }
        /* The warmup's end closes an interval of its own, so nothing measured
         * falls into a warmup interval or the other way round. */
        if (now_us >= next_tick_us || now_us >= warmup_end_us) {
            close_interval(run, now_us, last_us, progress, &lines);
            last_us = now_us;
            if (now_us >= warmup_end_us) warmup_end_us = INT64_MAX;
            while (next_tick_us <= now_us)
                next_tick_us += tick_us;
        }
        int64_t wake_us = next_tick_us;
        if (deadline_us < wake_us) wake_us = deadline_us;
        if (warmup_end_us < wake_us) wake_us = warmup_end_us;
        int64_t wait_us = wake_us - now_us;
        if (wait_us < 0) wait_us = 0;
        struct timespec ts = {.tv_sec = wait_us / 1000000, .tv_nsec = (wait_us % 1000000) * 1000};
        on_signal(run, sigtimedwait(&set, NULL, &ts));
    }
    /* Every worker has published before it left, so this interval is the last;
     * a sliver after the final tick with nothing in it is not worth a row. */
    run->end_us = clock_now_us();
    collect(run);
    if (run->tick.attempts > 0) close_interval(run, run->end_us, last_us, progress, &lines);
}

void run_finish(struct run *run, int *workers_lost, struct db_error *first_error)
{
    workers_join(run);
    atomic_store(&run->stop, true);
    auditor_stop(&run->auditor);
    *workers_lost = 0;
    for (int i = 0; i < run->started; i++) {
        struct worker *w = &run->workers[i];
        if (w->lost && (*workers_lost)++ == 0) *first_error = w->error;
    }
}

json_t *run_faults_json(const struct run *run, struct fault_summary *f)
{
    json_t *rows = json_array();
    memset(f, 0, sizeof *f);
    for (int i = 0; i < run->started; i++) {
        const struct worker *w = &run->workers[i];
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
