/* The worker thread: connect, wait for the start, run transfers, publish. */
#include "txstorm/worker.h"

#include "txstorm/clock.h"
#include "txstorm/run.h"

#include <signal.h>
#include <stdio.h>

/* Longest single sleep while waiting for a scheduled start, so a stop is
 * noticed promptly even at low rates. */
#define SCHEDULE_WAIT_SLICE_US 100000

static void publish(struct worker *w, const struct txn_outcome *o)
{
    pthread_mutex_lock(&w->sink->lock);
    stats_add_txn(&w->sink->interval, o);
    pthread_mutex_unlock(&w->sink->lock);
}

static bool stopped(const struct run *run)
{
    return atomic_load_explicit(&run->stop, memory_order_relaxed);
}

/* Waits for the next scheduled start; returns how late it is, or -1 if the
 * run stopped meanwhile. A worker behind schedule starts at once: the lag is
 * then part of the transaction's (corrected) latency, never hidden. */
static int64_t wait_for_schedule(struct worker *w)
{
    int64_t intended_us = schedule_next_us(&w->schedule, &w->jitter_rng);
    for (;;) {
        if (stopped(w->run)) return -1;
        int64_t now_us = clock_now_us();
        if (now_us >= intended_us) return now_us - intended_us;
        int64_t wait_us = intended_us - now_us;
        clock_sleep_us(wait_us < SCHEDULE_WAIT_SLICE_US ? wait_us : SCHEDULE_WAIT_SLICE_US);
    }
}

static const enum ledger_outcome ledger_outcomes[] = {
    [TXN_COMMITTED] = LEDGER_ACKED,
    [TXN_INSUFFICIENT] = LEDGER_NONE, /* nothing was written */
    [TXN_FAILED] = LEDGER_FAILED,
    [TXN_AMBIGUOUS] = LEDGER_AMBIGUOUS,
};

/* The reconnect loop's own backoff: full jitter from 50 ms up to 1 s. */
static const struct backoff_config reconnect_backoff = {
    .policy = BACKOFF_FULL_JITTER, .base_us = 50000, .cap_us = 1000000};

/* Re-establishes a lost connection, retrying with jittered backoff until
 * --reconnect-timeout; false when it gives up or the run is stopping. */
bool worker_reconnect(void *arg)
{
    struct worker *w = arg;
    const struct config *cfg = w->run->cfg;
    w->connection_losses++;
    if (cfg->reconnect_timeout_us == 0) {
        w->gave_up = true;
        return false;
    }
    int64_t start_us = clock_now_us(), prev_us = 0;
    bool ok = false;
    for (unsigned attempt = 0; !stopped(w->run); attempt++) {
        if (db_reconnect(w->db, &w->error) == DB_OK) {
            ok = true;
            w->reconnects++;
            break;
        }
        int64_t left_us = start_us + cfg->reconnect_timeout_us - clock_now_us();
        if (left_us <= 0) break;
        int64_t delay_us = backoff_delay_us(&reconnect_backoff, attempt, prev_us, &w->jitter_rng);
        clock_sleep_us(delay_us < left_us ? delay_us : left_us);
        prev_us = delay_us;
    }
    w->disconnected_us += clock_now_us() - start_us;
    w->gave_up = !ok;
    return ok;
}

static void transfer_loop(struct worker *w)
{
    struct run *run = w->run;
    bool ledger = run->cfg->ledger;
    struct transfer t;
    struct txn_outcome o;
    for (int64_t done = 0; done < w->quota && !stopped(run); done++) {
        int64_t lag_us = 0;
        if (w->open_loop && (lag_us = wait_for_schedule(w)) < 0) break;
        workload_next_transfer(&w->workload, &w->choice_rng, &t);
        t.id = ledger_transfer_id(run->cfg->instance, w->id, w->seq);
        t.run_id = run->run_id;
        t.worker = w->id;
        txn_execute(w->db, &t, &w->policy, &w->jitter_rng, &o, &w->error);
        o.lag_us = lag_us;
        publish(w, &o);
        if (ledger && ledger_record(&run->ledger, w->id, w->seq, ledger_outcomes[o.end]) != 0) {
            snprintf(w->error.message, sizeof w->error.message, "out of memory for the ledger");
            w->lost = true;
            break;
        }
        w->seq++;
        /* After an ambiguous commit, or a loss the retry loop gave up on. */
        if (w->gave_up || (!db_ok(w->db) && !worker_reconnect(w))) {
            w->lost = !stopped(run);
            break;
        }
    }
}

void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *run = w->run;

    while (sem_wait(&run->connect_slots) != 0) {
    }
    w->db = db_connect(run->cfg->dsn, &w->error);
    if (w->db == NULL ||
        db_transfer_prepare(w->db, BANK_ACCOUNTS, &run->cfg->spec, &w->error) != DB_OK)
        w->connect_failed = true;
    sem_post(&run->connect_slots);

    pthread_mutex_lock(&run->start_lock);
    run->connected++;
    pthread_cond_broadcast(&run->start_cond);
    while (!run->decided)
        pthread_cond_wait(&run->start_cond, &run->start_lock);
    bool go = !run->abort_start;
    pthread_mutex_unlock(&run->start_lock);

    if (go && w->open_loop) {
        /* Worker i of N is offset by i/R so fixed arrivals interleave evenly. */
        const struct config *cfg = run->cfg;
        schedule_init(&w->schedule, cfg->arrival, cfg->rate / run->n_workers, run->start_us,
                      cfg->arrival == ARRIVAL_FIXED ? w->id * 1e6 / cfg->rate : 0.0);
    }
    if (go) transfer_loop(w);

    /* The last worker out wakes the main thread, which waits in sigtimedwait. */
    if (atomic_fetch_sub(&run->running, 1) == 1) pthread_kill(run->main_thread, SIGUSR1);
    return NULL;
}
