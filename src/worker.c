/* The worker thread: connect, wait for the start, run transfers, publish. */
#include "txstorm/worker.h"

#include "txstorm/run.h"

#include <signal.h>

/* Moves one finished transaction into what the progress reader sees. */
static void publish(struct worker *w, const struct txn_outcome *o)
{
    pthread_mutex_lock(&w->lock);
    stats_add_txn(&w->stats, o);
    if (o->end == TXN_COMMITTED) hist_record(w->interval_latency, o->latency_us);
    pthread_mutex_unlock(&w->lock);
}

static void transfer_loop(struct worker *w)
{
    struct run *run = w->run;
    struct transfer t;
    struct txn_outcome o;
    for (int64_t done = 0; done < w->quota; done++) {
        if (atomic_load_explicit(&run->stop, memory_order_relaxed)) break;
        workload_next_transfer(&w->workload, &w->choice_rng, &t);
        txn_execute(w->db, &t, &w->policy, &w->jitter_rng, &o, &w->error);
        publish(w, &o);
        if (!db_ok(w->db)) {
            /* Reconnecting is a later concern; for now the worker stops and
             * the run reports it. */
            w->lost = true;
            break;
        }
    }
}

void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *run = w->run;

    w->db = db_connect(run->cfg->dsn, &w->error);
    if (w->db == NULL ||
        db_transfer_prepare(w->db, BANK_ACCOUNTS, &run->cfg->spec, &w->error) != DB_OK)
        w->connect_failed = true;

    pthread_mutex_lock(&run->start_lock);
    run->connected++;
    pthread_cond_broadcast(&run->start_cond);
    while (!run->decided)
        pthread_cond_wait(&run->start_cond, &run->start_lock);
    bool go = !run->abort_start;
    pthread_mutex_unlock(&run->start_lock);

    if (go) transfer_loop(w);

    /* The last worker out wakes the main thread, which waits in sigtimedwait. */
    if (atomic_fetch_sub(&run->running, 1) == 1) pthread_kill(run->main_thread, SIGUSR1);
    return NULL;
}
