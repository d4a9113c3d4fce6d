/* A worker's life, one step per call from its event loop: schedule, run a
 * transfer's statements, publish, reconnect. */
#include "txstorm/worker.h"
#include "txstorm/db_transfer.h"

#include "txstorm/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool stopped(const struct worker *w)
{
    return atomic_load_explicit(w->env->stop, memory_order_relaxed);
}

static const enum ledger_outcome ledger_outcomes[] = {
    [TXN_COMMITTED] = LEDGER_ACKED,
    [TXN_INSUFFICIENT] = LEDGER_NONE, /* nothing was written */
    [TXN_FAILED] = LEDGER_FAILED,
    [TXN_AMBIGUOUS] = LEDGER_AMBIGUOUS,
};

/* How long one server may take to answer a reconnect, unless the
 * connection string's connect_timeout says otherwise. On loopback a
 * connect takes a few milliseconds; this bounds an unreachable host. */
#define RECONNECT_CONNECT_TIMEOUT_US 5000000
#define RECONNECT_CONNECT_TIMEOUT_S (RECONNECT_CONNECT_TIMEOUT_US / 1000000)

void worker_init(struct worker *w, int id, const struct worker_env *env, struct loop *loop,
                 struct sink *sink)
{
    w->id = id;
    w->env = env;
    w->loop = loop;
    w->sink = sink;
    w->watch = LOOP_WATCH_NONE;
    w->deadline = LOOP_TIMER_NONE;
}

/* Notes which server the connection it just opened reached, once the
 * server has answered the probe. */
static void note_server(struct worker *w, const struct server_id *s)
{
    if (s->at_unix_ms != 0) server_trail_add(&w->servers, s);
}

/* A fresh connection, prepared for transfers, waiting. */
static bool prepare(struct worker *w)
{
    struct server_id s;
    enum db_status st =
        db_transfer_prepare(w->db, BANK_ACCOUNTS, w->env->spec, &s,
                            db_open_timeout_us(w->db, RECONNECT_CONNECT_TIMEOUT_US), &w->error);
    note_server(w, &s);
    return st == DB_OK;
}

/* A read-only server found at connect (25006, connection class). */
static bool read_only(const struct db_error *e)
{
    return e->cls == ERR_CONNECTION && strcmp(e->sqlstate, "25006") == 0;
}

bool worker_connect(struct worker *w)
{
    w->db = db_connect(w->dsn, &w->error);
    if (w->db == NULL) return false;
    if (prepare(w)) return true;
    /* A host list that reaches a standby first: a connection fault, and
     * libpq is asked once for the writable server instead. The first error
     * stands when there is none. */
    struct db_error first = w->error;
    if (!read_only(&first)) return false;
    w->connection_losses++;
    if (db_reconnect(w->db, RECONNECT_CONNECT_TIMEOUT_S, &w->error) == DB_OK) {
        if (prepare(w)) {
            w->reconnects++;
            return true;
        }
    }
    w->error = first;
    return false;
}

static void readable(void *w, int64_t now_us);
static void timer_due(void *w, int64_t now_us);

/* Has the loop watch the connection; a connection it cannot watch is as
 * good as lost, since no reply would ever be noticed. */
static bool watch(struct worker *w)
{
    int fd = db_socket(w->db);
    if (fd < 0)
        errno = ENOTCONN;
    else if (loop_watch(w->loop, &w->watch, fd, readable, w))
        return true;
    snprintf(w->error.message, sizeof w->error.message, "cannot watch the connection: %s",
             strerror(errno));
    w->error.cls = ERR_OTHER;
    return false;
}

/* A socket libpq has already closed left the epoll set by itself, and its
 * number may now be another connection's: the loop must leave that alone. */
static void unwatch(struct worker *w)
{
    loop_unwatch(w->loop, &w->watch, db_socket(w->db) != w->watch.fd);
}

/* Waits until due_us; cuttable: a stopping run may cut the wait short. */
static void wait_until(struct worker *w, enum worker_state state, int64_t due_us, bool cuttable)
{
    w->state = state;
    loop_timer(w->loop, &w->timer, due_us, cuttable, timer_due, w);
}

static void finish(struct worker *w)
{
    w->state = W_DONE;
    unwatch(w);
}

static void next_transfer(struct worker *w, int64_t now_us);
static void reconnect_begin(struct worker *w, bool for_txn, int64_t now_us);

/* Tells the run's and its endpoint's outage watches of a commit, or of a
 * lost connection (ambiguous: during a COMMIT). */
static void outage_note(struct worker *w, int64_t now_us, bool lost, bool ambiguous)
{
    struct outage_watch *watches[2] = {
        w->env->outage, w->env->endpoint_outages ? &w->env->endpoint_outages[w->endpoint] : NULL};
    for (int i = 0; i < 2; i++) {
        if (watches[i] == NULL) continue;
        if (lost)
            outage_loss(watches[i], now_us, &w->outage_seen[i], ambiguous);
        else
            outage_commit(watches[i], now_us);
    }
}

static void publish(struct worker *w)
{
    pthread_mutex_lock(&w->sink->lock);
    stats_add_txn(&w->sink->interval, &w->o);
    endpoint_add_txn(&w->sink->endpoints[w->endpoint], &w->o);
    pthread_mutex_unlock(&w->sink->lock);
}

static void transfer_done(struct worker *w, int64_t now_us)
{
    /* Cancelled by the stop (SQLSTATE 57014, query_canceled), not by the server's own timeout. */
    w->o.cancelled = w->o.end == TXN_FAILED && w->env->halt &&
                     atomic_load_explicit(w->env->halt, memory_order_relaxed) &&
                     strcmp(w->error.sqlstate, "57014") == 0;
    /* The stop's own cancel is not an error of the database's. */
    if (w->o.cancelled) w->o.errors_by_class[ERR_OTHER]--;
    for (int i = 0; w->o.cancelled && i < w->o.n_noted; i++)
        if (strcmp(w->o.noted[i].sqlstate, "57014") == 0 && --w->o.noted[i].count == 0)
            w->o.noted[i--] = w->o.noted[--w->o.n_noted];
    publish(w);
    if (w->env->stalls && w->o.end == TXN_COMMITTED) stall_commit(w->env->stalls, now_us);
    if (w->o.end == TXN_COMMITTED) outage_note(w, now_us, false, false);
    if (w->o.end == TXN_AMBIGUOUS) outage_note(w, now_us, true, true);
    if (w->env->ledger &&
        ledger_record(w->env->ledger, w->id, w->seq, ledger_outcomes[w->o.end], now_us) != 0) {
        snprintf(w->error.message, sizeof w->error.message, "out of memory for the ledger");
        w->lost = true;
        finish(w);
        return;
    }
    w->seq++;
    /* After an ambiguous commit, or a loss the retry loop gave up on. */
    if (w->gave_up) {
        w->lost = !stopped(w);
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
                atomic_store_explicit(&w->in_flight, true, memory_order_relaxed);
                return;
            }
            act = txn_reply(&w->txn, &w->reply, now_us);
            break;
        case TXN_WAIT:
            /* A stopping run cuts backoffs short, so a stop is never held up;
             * think pauses are part of the transaction and run their course.
             * Timed from now, not from when the loop woke. */
            if (act.wait_us > 0 && !(act.backoff && stopped(w))) {
                wait_until(w, W_WAIT, clock_now_us() + act.wait_us, act.backoff);
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
    workload_next_transfer(&w->workload, &w->choice_rng, &w->t);
    w->t.id = ledger_transfer_id(w->env->instance, w->id, w->seq);
    w->t.run_id = w->env->run_id;
    w->t.worker = w->id;
    struct txn_action act =
        txn_start(&w->txn, &w->policy, w->env->spec, &w->t, db_dialect(w->db), &w->jitter_rng,
                  &w->o, &w->error, now_us);
    w->o.lag_us = lag_us;
    apply(w, act, now_us);
}

/* Open loop: a worker behind schedule starts at once, and the lag is then
 * part of the transaction's (corrected) latency, never hidden. */
static void next_transfer(struct worker *w, int64_t now_us)
{
    if (w->seq >= w->quota || stopped(w)) {
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
    wait_until(w, W_SCHEDULED, w->intended_us, true);
}

static void reconnect_end(struct worker *w, bool ok)
{
    int64_t now_us = clock_now_us();
    if (w->env->reconnect_timeout_us > 0) w->disconnected_us += now_us - w->reconnect_start_us;
    if (ok) ok = watch(w);
    w->gave_up = !ok;
    if (w->reconnect_for_txn) {
        apply(w, txn_reconnected(&w->txn, ok, now_us), now_us);
    } else if (ok) {
        next_transfer(w, now_us);
    } else {
        w->lost = !stopped(w);
        finish(w);
    }
}

/* One server's share of an attempt to reconnect; when it fails, the next
 * server of the list at once, and after the last a jittered wait before
 * the next attempt, until --reconnect-timeout. Nothing here blocks the
 * loop: the connection is opened as its socket becomes ready, and a timer
 * bounds each server's share. */
static void connect_server(struct worker *w, int64_t now_us);

static void reconnect_try(struct worker *w)
{
    /* A wait that ran to the deadline leaves no time for another attempt:
     * one begun now would time out at once, an attempt in name only. */
    if (stopped(w) || clock_now_us() >= w->reconnect_start_us + w->env->reconnect_timeout_us) {
        reconnect_end(w, false);
        return;
    }
    w->connect_server = 0;
    connect_server(w, clock_now_us());
}

/* Every server of the list has failed this attempt: wait, then try again. */
static void attempt_failed(struct worker *w)
{
    int64_t now_us = clock_now_us();
    int64_t left_us = w->reconnect_start_us + w->env->reconnect_timeout_us - now_us;
    if (left_us <= 0 || stopped(w)) {
        reconnect_end(w, false);
        return;
    }
    int64_t delay_us = backoff_delay_us(w->env->reconnect_backoff, w->reconnect_attempt++,
                                        w->reconnect_prev_us, &w->jitter_rng);
    w->reconnect_prev_us = delay_us;
    wait_until(w, W_RECONNECT_WAIT, now_us + (delay_us < left_us ? delay_us : left_us), true);
}

/* One attempt's end, into the interval's figures. */
static void count_attempt(struct worker *w, bool ok, enum connect_reason why)
{
    int64_t now_us = ok ? clock_now_us() : 0; /* a failure needs no clock */
    struct connect_outcome c = {.ok = ok,
                                .reason = why,
                                .latency_us = ok ? now_us - w->connect_start_us : 0,
                                .at_us = now_us};
    pthread_mutex_lock(&w->sink->lock);
    stats_add_connect(&w->sink->interval, &c);
    endpoint_add_connect(&w->sink->endpoints[w->endpoint], &c);
    pthread_mutex_unlock(&w->sink->lock);
}

/* An attempt that failed with w->error. */
static void count_failure(struct worker *w)
{
    count_attempt(w, false, connect_reason_of(w->error.sqlstate, w->error.message));
}

static void server_failed(struct worker *w)
{
    loop_cancel(w->loop, &w->deadline);
    int64_t now_us = clock_now_us();
    bool time_left = now_us < w->reconnect_start_us + w->env->reconnect_timeout_us;
    if (++w->connect_server < db_open_hosts(w->db) && time_left && !stopped(w))
        connect_server(w, now_us);
    else
        attempt_failed(w);
}

static void setting_up(void *w, int64_t now_us);

/* The attempt on this server failed with w->error: the connection goes. */
static void server_abandoned(struct worker *w)
{
    count_failure(w);
    unwatch(w);
    db_open_abandon(w->db);
    server_failed(w);
}

/* Watches the socket for what opening or setting up the session asks next;
 * false, the attempt failed, when the loop cannot. The socket may be a new
 * one (libpq tries each address of a name in turn, closing the last). */
static bool watch_step(struct worker *w, enum db_opening next, loop_fn *ready)
{
    int fd = db_socket(w->db);
    if (fd != w->watch.fd) loop_unwatch(w->loop, &w->watch, true);
    if (loop_watch_io(w->loop, &w->watch, fd, next == DB_OPEN_WRITE, ready, w)) return true;
    snprintf(w->error.message, sizeof w->error.message, "cannot watch the connection: %s",
             strerror(errno));
    w->error.cls = ERR_CONNECTION;
    w->error.sqlstate[0] = '\0';
    server_abandoned(w);
    return false;
}

/* Follows the set-up of a session that has just opened: a few round trips,
 * each waited for by the loop, the attempt's deadline still running (a
 * server that lets a session in and then never answers is a failed attempt,
 * not a stalled loop). */
static void setup_step(struct worker *w, enum db_opening next)
{
    switch (next) {
    case DB_OPEN_READ:
    case DB_OPEN_WRITE:
        watch_step(w, next, setting_up);
        return;
    case DB_OPEN_OK:
        loop_cancel(w->loop, &w->deadline);
        note_server(w, &w->setup_server);
        count_attempt(w, true, CONNECT_OTHER);
        w->reconnects++;
        reconnect_end(w, true);
        return;
    case DB_OPEN_FAILED:
        note_server(w, &w->setup_server);
        server_abandoned(w);
        return;
    }
}

static void setting_up(void *arg, int64_t now_us)
{
    struct worker *w = arg;
    (void)now_us;
    setup_step(w, db_setup_poll(w->db, true, &w->error));
}

static void connecting(void *w, int64_t now_us);

/* Follows what opening the connection asks for next. */
static void connect_step(struct worker *w, enum db_opening next)
{
    switch (next) {
    case DB_OPEN_READ:
    case DB_OPEN_WRITE:
        watch_step(w, next, connecting);
        return;
    case DB_OPEN_OK:
        setup_step(w,
                   db_setup_start(w->db, BANK_ACCOUNTS, w->env->spec, &w->setup_server, &w->error));
        return;
    case DB_OPEN_FAILED:
        count_failure(w);
        /* libpq has closed the socket: it left the epoll set by itself. */
        loop_unwatch(w->loop, &w->watch, true);
        server_failed(w);
        return;
    }
}

static void connect_timed_out(void *arg, int64_t now_us)
{
    struct worker *w = arg;
    (void)now_us;
    unwatch(w);
    db_open_abandon(w->db);
    /* An attempt the stop cut short is no failure of the server's: not counted. */
    if (stopped(w)) {
        snprintf(w->error.message, sizeof w->error.message, "cannot reconnect: the run stopped");
    } else {
        snprintf(w->error.message, sizeof w->error.message,
                 "cannot reconnect: no answer within %.1f s", (double)w->connect_timeout_us / 1e6);
        count_attempt(w, false, CONNECT_TIMEOUT);
    }
    w->error.cls = ERR_CONNECTION;
    w->error.sqlstate[0] = '\0';
    server_failed(w);
}

static void connect_server(struct worker *w, int64_t now_us)
{
    w->state = W_CONNECTING;
    w->connect_start_us = now_us;
    int64_t left_us = w->reconnect_start_us + w->env->reconnect_timeout_us - now_us;
    int64_t timeout_us = db_open_timeout_us(w->db, RECONNECT_CONNECT_TIMEOUT_US);
    w->connect_timeout_us = timeout_us < left_us ? timeout_us : left_us;
    loop_timer(w->loop, &w->deadline, now_us + w->connect_timeout_us, true, connect_timed_out, w);
    connect_step(w, db_open_start(w->db, w->connect_server, &w->error));
}

static void connecting(void *arg, int64_t now_us)
{
    struct worker *w = arg;
    (void)now_us;
    connect_step(w, db_open_poll(w->db, w->connect_server, &w->error));
}

static void reconnect_begin(struct worker *w, bool for_txn, int64_t now_us)
{
    unwatch(w);
    w->connection_losses++;
    outage_note(w, now_us, true, false);
    w->reconnect_for_txn = for_txn;
    w->reconnect_start_us = now_us;
    w->reconnect_attempt = 0;
    w->reconnect_prev_us = 0;
    if (w->env->reconnect_timeout_us == 0)
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

static void readable(void *arg, int64_t now_us)
{
    struct worker *w = arg;
    if (w->state != W_REPLY) {
        /* Nothing was asked: a notice, or the server hanging up on an idle
         * session, which the next statement will find out about. */
        if (!db_absorb(w->db)) unwatch(w);
        return;
    }
    if (db_receive(w->db, true, &w->reply) == DB_IO_PENDING) return;
    atomic_store_explicit(&w->in_flight, false, memory_order_relaxed);
    apply(w, txn_reply(&w->txn, &w->reply, now_us), now_us);
}

/* Its timer is due, or the run is stopping and cut the wait short. */
static void timer_due(void *arg, int64_t now_us)
{
    struct worker *w = arg;
    switch (w->state) {
    case W_SCHEDULED:
        if (stopped(w))
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

void worker_hang_up(struct worker *w)
{
    if (w->state == W_REPLY) db_hang_up(w->db);
}

void worker_abandon(struct worker *w, int error)
{
    if (w->state == W_DONE) return;
    w->lost = true;
    snprintf(w->error.message, sizeof w->error.message, "event loop: %s", strerror(error));
}
