/* A worker's life, one step per call from its event loop: schedule, run a
 * transfer's statements, publish, reconnect. */
#include "txstorm/worker.h"

#include "txstorm/clock.h"
#include "txstorm/loop.h"
#include "txstorm/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool stopped(const struct run *run)
{
    return atomic_load_explicit(&run->stop, memory_order_relaxed);
}

static const enum ledger_outcome ledger_outcomes[] = {
    [TXN_COMMITTED] = LEDGER_ACKED,
    [TXN_INSUFFICIENT] = LEDGER_NONE, /* nothing was written */
    [TXN_FAILED] = LEDGER_FAILED,
    [TXN_AMBIGUOUS] = LEDGER_AMBIGUOUS,
};

/* The longest one reconnect attempt may block its event loop (libpq's
 * connect_timeout; its minimum is 2 s). On loopback a connect takes a few
 * milliseconds; this bounds an unreachable host. */
#define RECONNECT_CONNECT_TIMEOUT_S 5

/* The reconnect loop's own backoff: full jitter from 50 ms up to 1 s. */
static const struct backoff_config reconnect_backoff = {
    .policy = BACKOFF_FULL_JITTER, .base_us = 50000, .cap_us = 1000000};

bool worker_connect(struct worker *w)
{
    w->db = db_connect(w->run->cfg->dsn, &w->error);
    if (w->db == NULL ||
        db_transfer_prepare(w->db, BANK_ACCOUNTS, &w->run->cfg->spec, &w->error) != DB_OK)
        return false;
    return true;
}

/* Has the loop watch the connection; a connection it cannot watch is as
 * good as lost, since no reply would ever be noticed. */
static bool watch(struct worker *w)
{
    if (loop_watch(w->loop, w)) return true;
    snprintf(w->error.message, sizeof w->error.message, "cannot watch the connection: %s",
             strerror(errno));
    w->error.cls = ERR_OTHER;
    return false;
}

static void finish(struct worker *w)
{
    w->state = W_DONE;
    loop_worker_done(w->loop, w);
}

static void next_transfer(struct worker *w, int64_t now_us);
static void reconnect_begin(struct worker *w, bool for_txn, int64_t now_us);

static void publish(struct worker *w)
{
    pthread_mutex_lock(&w->sink->lock);
    stats_add_txn(&w->sink->interval, &w->o);
    pthread_mutex_unlock(&w->sink->lock);
}

static void transfer_done(struct worker *w, int64_t now_us)
{
    struct run *run = w->run;
    publish(w);
    if (run->cfg->ledger &&
        ledger_record(&run->ledger, w->id, w->seq, ledger_outcomes[w->o.end]) != 0) {
        snprintf(w->error.message, sizeof w->error.message, "out of memory for the ledger");
        w->lost = true;
        finish(w);
        return;
    }
    w->seq++;
    /* After an ambiguous commit, or a loss the retry loop gave up on. */
    if (w->gave_up) {
        w->lost = !stopped(run);
        finish(w);
    } else if (!db_ok(w->db)) {
        reconnect_begin(w, false, now_us);
    } else {
        next_transfer(w, now_us);
    }
}

/* Carries out what the transaction asks until it has to wait. */
static void apply(struct worker *w, struct txn_action act, int64_t now_us)
{
    for (;;) {
        switch (act.what) {
        case TXN_SEND:
            if (db_send(w->db, &act.stmt, &w->t, &w->reply) &&
                db_receive(w->db, false, &w->reply) == DB_IO_PENDING) {
                w->state = W_REPLY;
                return;
            }
            act = txn_reply(&w->txn, &w->reply, now_us);
            break;
        case TXN_WAIT:
            /* A stopping run cuts backoffs short, so a stop is never held up;
             * think pauses are part of the transaction and run their course.
             * Timed from now, not from when the loop woke. */
            if (act.wait_us > 0 && !(act.backoff && stopped(w->run))) {
                w->state = W_WAIT;
                w->wait_cuttable = act.backoff;
                loop_timer(w->loop, w, clock_now_us() + act.wait_us);
                return;
            }
            act = txn_resume(&w->txn, now_us);
            break;
        case TXN_RECONNECT:
            reconnect_begin(w, true, now_us);
            return;
        default:
            transfer_done(w, now_us);
            return;
        }
    }
}

static void start_transfer(struct worker *w, int64_t lag_us, int64_t now_us)
{
    struct run *run = w->run;
    workload_next_transfer(&w->workload, &w->choice_rng, &w->t);
    w->t.id = ledger_transfer_id(run->cfg->instance, w->id, w->seq);
    w->t.run_id = run->run_id;
    w->t.worker = w->id;
    struct txn_action act =
        txn_start(&w->txn, &w->policy, &run->cfg->spec, &w->t, db_is_cockroach(w->db),
                  &w->jitter_rng, &w->o, &w->error, now_us);
    w->o.lag_us = lag_us;
    apply(w, act, now_us);
}

/* Open loop: a worker behind schedule starts at once, and the lag is then
 * part of the transaction's (corrected) latency, never hidden. */
static void next_transfer(struct worker *w, int64_t now_us)
{
    if (w->seq >= w->quota || stopped(w->run)) {
        finish(w);
        return;
    }
    if (!w->open_loop) {
        start_transfer(w, 0, now_us);
        return;
    }
    w->intended_us = schedule_next_us(&w->schedule, &w->jitter_rng);
    if (now_us >= w->intended_us) {
        start_transfer(w, now_us - w->intended_us, now_us);
        return;
    }
    w->state = W_SCHEDULED;
    loop_timer(w->loop, w, w->intended_us);
}

static void reconnect_end(struct worker *w, bool ok)
{
    int64_t now_us = clock_now_us();
    if (w->run->cfg->reconnect_timeout_us > 0) w->disconnected_us += now_us - w->reconnect_start_us;
    if (ok) ok = watch(w);
    w->gave_up = !ok;
    if (w->reconnect_for_txn) {
        apply(w, txn_reconnected(&w->txn, ok, now_us), now_us);
    } else if (ok) {
        next_transfer(w, now_us);
    } else {
        w->lost = !stopped(w->run);
        finish(w);
    }
}

/* libpq's connect_timeout for one attempt: the time left, within libpq's
 * minimum of 2 s and RECONNECT_CONNECT_TIMEOUT_S. */
static int connect_timeout_s(int64_t left_us)
{
    int64_t s = left_us / 1000000;
    if (s < 2) return 2;
    return s > RECONNECT_CONNECT_TIMEOUT_S ? RECONNECT_CONNECT_TIMEOUT_S : (int)s;
}

/* One attempt to reconnect; on failure a jittered wait before the next,
 * until --reconnect-timeout. The connect itself blocks the loop (for the
 * few milliseconds a local one takes); the waits between attempts do not. */
static void reconnect_try(struct worker *w)
{
    const struct config *cfg = w->run->cfg;
    if (stopped(w->run)) {
        reconnect_end(w, false);
        return;
    }
    int64_t left_us = w->reconnect_start_us + cfg->reconnect_timeout_us - clock_now_us();
    if (db_reconnect(w->db, connect_timeout_s(left_us), &w->error) == DB_OK) {
        w->reconnects++;
        reconnect_end(w, true);
        return;
    }
    int64_t now_us = clock_now_us();
    left_us = w->reconnect_start_us + cfg->reconnect_timeout_us - now_us;
    if (left_us <= 0) {
        reconnect_end(w, false);
        return;
    }
    int64_t delay_us = backoff_delay_us(&reconnect_backoff, w->reconnect_attempt++,
                                        w->reconnect_prev_us, &w->jitter_rng);
    w->reconnect_prev_us = delay_us;
    w->state = W_RECONNECT_WAIT;
    loop_timer(w->loop, w, now_us + (delay_us < left_us ? delay_us : left_us));
}

static void reconnect_begin(struct worker *w, bool for_txn, int64_t now_us)
{
    loop_unwatch(w->loop, w);
    w->connection_losses++;
    w->reconnect_for_txn = for_txn;
    w->reconnect_start_us = now_us;
    w->reconnect_attempt = 0;
    w->reconnect_prev_us = 0;
    if (w->run->cfg->reconnect_timeout_us == 0)
        reconnect_end(w, false);
    else
        reconnect_try(w);
}

void worker_start(struct worker *w, int64_t now_us)
{
    if (watch(w)) {
        next_transfer(w, now_us);
        return;
    }
    w->lost = true;
    finish(w);
}

void worker_readable(struct worker *w, int64_t now_us)
{
    if (w->state != W_REPLY) {
        /* Nothing was asked: a notice, or the server hanging up on an idle
         * session, which the next statement will find out about. */
        if (!db_absorb(w->db)) loop_unwatch(w->loop, w);
        return;
    }
    if (db_receive(w->db, true, &w->reply) == DB_IO_PENDING) return;
    apply(w, txn_reply(&w->txn, &w->reply, now_us), now_us);
}

bool worker_wait_cuttable(const struct worker *w) { return w->state != W_WAIT || w->wait_cuttable; }

void worker_timer(struct worker *w, int64_t now_us)
{
    switch (w->state) {
    case W_SCHEDULED:
        if (stopped(w->run))
            finish(w);
        else
            start_transfer(w, now_us - w->intended_us, now_us);
        break;
    case W_WAIT:
        apply(w, txn_resume(&w->txn, now_us), now_us);
        break;
    case W_RECONNECT_WAIT:
        reconnect_try(w);
        break;
    default:
        break;
    }
}
