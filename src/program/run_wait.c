/* Waiting for a run's end: the duration, the workers' quota or a signal;
 * closing its intervals on the way, and stopping it with grace. */
#include "run_internal.h"

#include "txstorm/clock.h"
#include "txstorm/interval_clock.h"
#include "txstorm/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_INTERVAL_US 1000000 /* intervals are kept even when nothing is printed */

/* The stop's grace is over: think pauses are cut, and every session is asked
 * to cancel what it runs (a statement waiting on a lock held elsewhere would
 * otherwise hold the run for as long as the lock). Repeated until the
 * workers are gone, since a worker may send its next statement after a
 * cancel went out. */
/* A round of cancels is being sent. The process's own, not the run's: a
 * round held up by a server that never answers outlives the run. */
static atomic_bool cancelling;

struct cancel_round {
    int n;
    struct db_cancel_ref *refs[];
};

/* Sends a round of cancels off the main thread: a server that never
 * answers holds PQcancel for good, and the main thread must go on. */
static void *send_cancels(void *arg)
{
    struct cancel_round *r = arg;
    for (int i = 0; i < r->n; i++) {
        db_cancel_send(r->refs[i]);
        db_cancel_release(r->refs[i]);
    }
    atomic_store(&cancelling, false);
    free(r);
    return NULL;
}

static void run_halt(struct run *run)
{
    atomic_store(&run->halt, true);
    for (int i = 0; i < run->started; i++)
        loop_wake(&run->loops[i].loop);
    /* One round at a time: while the last is held up, none is added. */
    if (atomic_exchange(&cancelling, true)) return;
    struct cancel_round *r = malloc(sizeof *r + (size_t)run->n_workers * sizeof r->refs[0]);
    if (r == NULL) {
        atomic_store(&cancelling, false);
        return;
    }
    *r = (struct cancel_round){.n = 0};
    for (int i = 0; i < run->n_workers; i++)
        if (run->workers[i].db && atomic_load(&run->workers[i].in_flight)) {
            struct db_cancel_ref *ref = db_cancel_hold(run->workers[i].db);
            if (ref) r->refs[r->n++] = ref;
        }
    pthread_t thread;
    pthread_attr_t attr;
    bool started = pthread_attr_init(&attr) == 0 &&
                   pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                   pthread_create(&thread, &attr, send_cancels, r) == 0;
    pthread_attr_destroy(&attr);
    if (!started) { /* no thread: this round is not sent */
        for (int i = 0; i < r->n; i++)
            db_cancel_release(r->refs[i]);
        free(r);
        atomic_store(&cancelling, false);
    }
}

/* The cancels have had this long and workers still wait for replies: the
 * loops hang up on those servers. */
#define HANG_UP_AFTER_US 5000000

static void run_hang_up(struct run *run)
{
    atomic_store(&run->hang_up, true);
    for (int i = 0; i < run->started; i++)
        loop_wake(&run->loops[i].loop);
}

/* The first stop signal (SIGINT, SIGTERM, SIGHUP) stops the run (in-flight
 * work gets --stop-grace), the second cancels what is in flight at once, so
 * the partial report and results are still written; the third exits without
 * them. */
static void on_signal(struct run *run, int sig)
{
    if (!run_is_stop_signal(sig)) return;
    if (run->interrupts++ == 2) {
        static const char msg[] = "txstorm: interrupted three times, exiting at once\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(130);
    }
    run->interrupted = true;
    if (run->interrupts == 1) {
        run_stop(run);
        text_printf(stderr,
                    "txstorm: stopping: in-flight transactions get %.1f s to finish "
                    "(interrupt again to cancel them now)\n",
                    (double)run->cfg->stop_grace_us / 1e6);
    } else {
        run_halt(run);
        text_printf(stderr, "txstorm: cancelling in-flight statements (interrupt again to exit at "
                            "once, without the report)\n");
    }
}

/* How often the cancel goes out again while workers remain after the halt. */
#define CANCEL_AGAIN_US 1000000

void run_wait(struct run *run, FILE *progress)
{
    const struct config *cfg = run->cfg;
    sigset_t set = run_signal_set();
    struct interval_clock clock;
    interval_clock_init(&clock, run->start_us,
                        cfg->progress_us ? cfg->progress_us : DEFAULT_INTERVAL_US, cfg->warmup_us,
                        &cfg->load);
    int64_t deadline_us = cfg->duration_us ? run->measure_start_us + cfg->duration_us : INT64_MAX;
    int64_t next_cancel_us = INT64_MAX, hang_up_us = INT64_MAX;
    run->edge_slack_us = clock.slack_us;
    interval_collector_start(&run->collector, &clock, run_interval_row, run, &run->series);
    run_print_progress(run, cfg->progress_us ? progress : NULL);

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
            hang_up_us = now_us + HANG_UP_AFTER_US;
        } else if (now_us >= next_cancel_us) {
            run_halt(run);
            next_cancel_us = clock_now_us() + CANCEL_AGAIN_US;
        }
        if (now_us >= hang_up_us) {
            run_hang_up(run);
            hang_up_us = now_us + CANCEL_AGAIN_US; /* again for what was sent since */
        }
        /* Every edge each time: the clock cuts each once. The instances of
         * one run cut at the planned edges only, which they share, so that
         * their rows line up when merged. */
        int64_t edges[4 * TRIGGER_MAX];
        int n_edges = injector_edges(&run->injector, cfg->instances <= 1, edges, 4 * TRIGGER_MAX);
        bool warmup_over;
        if (interval_collector_step(&run->collector, edges, n_edges, now_us, &warmup_over) &&
            warmup_over)
            run->cpu_start_us = clock_process_cpu_us();
        int64_t wake_us = interval_clock_due_us(&run->collector.clock);
        if (deadline_us < wake_us) wake_us = deadline_us;
        if (next_cancel_us == INT64_MAX && halt_at_us < wake_us) wake_us = halt_at_us;
        if (next_cancel_us < wake_us) wake_us = next_cancel_us;
        if (hang_up_us < wake_us) wake_us = hang_up_us;
        int64_t wait_us = wake_us - now_us;
        if (wait_us < 0) wait_us = 0;
        struct timespec ts = {.tv_sec = wait_us / 1000000, .tv_nsec = (wait_us % 1000000) * 1000};
        on_signal(run, sigtimedwait(&set, NULL, &ts));
    }
    /* Every worker has published before it left, so this interval is the last;
     * a sliver after the final tick with nothing in it is not worth a row. */
    run->end_us = clock_now_us();
    run->cpu_end_us = clock_process_cpu_us();
    run_collect(run);
    if (run->tick.attempts > 0) interval_collector_finish(&run->collector, run->end_us);
}
