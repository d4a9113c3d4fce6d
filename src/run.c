/* Running the workers: start them together, pace progress, stop, merge. */
#include "txstorm/run.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKER_STACK_BYTES (512 * 1024)
#define PROGRESS_HEADER_EVERY 20

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

static bool worker_setup(struct worker *w, struct run *run, uint64_t seed, int64_t quota)
{
    const struct config *cfg = run->cfg;
    w->run = run;
    w->workload = run->workload;
    w->policy = (struct txn_policy){.protocol = cfg->protocol,
                                    .retry_on = cfg->retry_on,
                                    .max_retries = cfg->max_retries,
                                    .backoff = cfg->backoff,
                                    .budget = run->budget.enabled ? &run->budget : NULL,
                                    .inject_retry = cfg->inject_retry};
    w->quota = quota;
    rng_seed(&w->choice_rng, seed, (uint64_t)w->id);
    rng_seed(&w->jitter_rng, seed, (uint64_t)w->id | (UINT64_C(1) << 32));
    pthread_mutex_init(&w->lock, NULL);
    w->interval_latency = hist_create(STATS_LATENCY_HIGHEST_US, cfg->sig_figs);
    return stats_init(&w->stats, cfg->sig_figs) && w->interval_latency != NULL;
}

static void workers_join(struct run *run)
{
    for (int i = 0; i < run->started; i++)
        pthread_join(run->workers[i].thread, NULL);
}

static void workers_free(struct run *run)
{
    for (int i = 0; i < run->n_workers; i++) {
        struct worker *w = &run->workers[i];
        db_close(w->db);
        stats_free(&w->stats);
        hist_destroy(w->interval_latency);
        pthread_mutex_destroy(&w->lock);
    }
    free(run->workers);
    run->workers = NULL;
    pthread_mutex_destroy(&run->start_lock);
    pthread_cond_destroy(&run->start_cond);
}

/* Lets the connected workers go, or sends them home when abort is set. */
static void start_decide(struct run *run, bool abort)
{
    pthread_mutex_lock(&run->start_lock);
    run->abort_start = abort;
    run->decided = true;
    pthread_cond_broadcast(&run->start_cond);
    pthread_mutex_unlock(&run->start_lock);
}

int run_start(struct run *run, const struct config *cfg, const struct workload_config *workload,
              uint64_t seed, struct db_error *err)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->workload = *workload;
    budget_init(&run->budget, cfg->budget_tokens, cfg->budget_refund);
    run->n_workers = cfg->workers;
    run->main_thread = pthread_self();
    pthread_mutex_init(&run->start_lock, NULL);
    pthread_cond_init(&run->start_cond, NULL);
    run->workers = calloc((size_t)run->n_workers, sizeof *run->workers);
    if (run->workers == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory for %d workers", cfg->workers);
        return -1;
    }

    /* --transactions is a total: split it, the remainder to the first workers. */
    int64_t share = cfg->transactions / cfg->workers, extra = cfg->transactions % cfg->workers;
    bool ok = true;
    for (int i = 0; i < run->n_workers && ok; i++) {
        struct worker *w = &run->workers[i];
        w->id = i;
        int64_t quota = cfg->transactions ? share + (i < extra) : INT64_MAX;
        ok = worker_setup(w, run, seed, quota);
    }
    if (!ok) snprintf(err->message, sizeof err->message, "out of memory for worker statistics");

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES);
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
    run->start_us = clock_now_us();
    start_decide(run, !ok);
    if (!ok) {
        workers_join(run);
        workers_free(run);
        return -1;
    }
    return 0;
}

/* Reduces the workers' last interval into one progress sample. */
static void progress_sample(struct run *run, struct hist *scratch, struct stats *prev,
                            int64_t now_us, int64_t last_us, struct progress_sample *p)
{
    int64_t committed = 0, retries = 0, failed = 0;
    hist_reset(scratch);
    for (int i = 0; i < run->started; i++) {
        struct worker *w = &run->workers[i];
        pthread_mutex_lock(&w->lock);
        hist_merge(scratch, w->interval_latency);
        hist_reset(w->interval_latency);
        committed += w->stats.committed;
        retries += w->stats.retries;
        failed += w->stats.failed;
        pthread_mutex_unlock(&w->lock);
    }
    p->elapsed_us = now_us - run->start_us;
    p->interval_us = now_us - last_us;
    p->committed = committed - prev->committed;
    p->retries = retries - prev->retries;
    p->failed_total = failed;
    p->p99_us = hist_value_at_percentile(scratch, 99.0);
    prev->committed = committed;
    prev->retries = retries;
}

void run_wait(struct run *run, FILE *progress)
{
    const struct config *cfg = run->cfg;
    sigset_t set = run_signals();
    int64_t deadline_us = cfg->duration_us ? run->start_us + cfg->duration_us : INT64_MAX;
    int64_t tick_us = cfg->progress_us && progress ? cfg->progress_us : INT64_MAX;
    int64_t next_tick_us = tick_us == INT64_MAX ? INT64_MAX : run->start_us + tick_us;
    int64_t last_tick_us = run->start_us;
    struct hist *scratch = hist_create(STATS_LATENCY_HIGHEST_US, cfg->sig_figs);
    struct stats prev = {0};
    int lines = 0;

    while (atomic_load(&run->running) > 0) {
        int64_t now_us = clock_now_us();
        if (now_us >= deadline_us) {
            atomic_store(&run->stop, true);
            deadline_us = INT64_MAX;
        }
        if (now_us >= next_tick_us && scratch) {
            struct progress_sample p;
            progress_sample(run, scratch, &prev, now_us, last_tick_us, &p);
            if (lines++ % PROGRESS_HEADER_EVERY == 0) report_progress_header(progress);
            report_progress_line(progress, &p);
            last_tick_us = now_us;
            while (next_tick_us <= now_us)
                next_tick_us += tick_us;
        }
        int64_t wake_us = deadline_us < next_tick_us ? deadline_us : next_tick_us;
        int64_t wait_us = wake_us == INT64_MAX ? 1000000 : wake_us - now_us;
        if (wait_us < 0) wait_us = 0;
        struct timespec ts = {.tv_sec = wait_us / 1000000, .tv_nsec = (wait_us % 1000000) * 1000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) {
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
    }
    hist_destroy(scratch);
}

void run_finish(struct run *run, struct stats *total, int *workers_lost,
                struct db_error *first_error)
{
    workers_join(run);
    run->end_us = clock_now_us();
    *workers_lost = 0;
    for (int i = 0; i < run->started; i++) {
        struct worker *w = &run->workers[i];
        stats_merge(total, &w->stats);
        if (w->lost && (*workers_lost)++ == 0) *first_error = w->error;
    }
    workers_free(run);
}
