/* One transfer run to its end under a retry protocol: attempt, classify,
 * back off, retry. A state machine that does no I/O itself: it asks its
 * driver to send a statement, to wait, or to reconnect, and is told what
 * came of it. The event loop (loop.c) drives many at once; txn_execute
 * drives one with blocking calls (the demo).
 *
 * restart    ROLLBACK (done by the attempt), back off, run the whole
 *            transaction again.
 * savepoint  BEGIN; SAVEPOINT cockroach_restart; statements; RELEASE; COMMIT.
 *            A retryable error rolls back to the savepoint and runs the
 *            statements again in the same transaction, which is how
 *            CockroachDB keeps a retried transaction's place in line. On
 *            PostgreSQL a transaction's snapshot cannot move forward, so a
 *            serialization failure (40001) there restarts the whole
 *            transaction instead; a deadlock (40P01) is retried in place.
 */
#ifndef TXSTORM_TXN_H
#define TXSTORM_TXN_H

#include "txstorm/attempt.h"
#include "txstorm/backoff.h"
#include "txstorm/budget.h"
#include "txstorm/dialect.h"
#include "txstorm/rng.h"
#include "txstorm/spec.h"
#include "txstorm/stats.h"
#include <stdatomic.h>

struct db;

struct txn_policy {
    enum retry_protocol protocol;
    struct retry_set retry_on;
    int max_retries;
    struct backoff_config backoff;
    struct retry_budget *budget; /* shared by all workers; NULL: no budget */
    double inject_retry;         /* probability an attempt has the server raise 40001 */
    /* A lost connection is re-established (TXN_RECONNECT) and the transfer
     * retried: an attempt that lost its connection before COMMIT did not
     * commit. false: the transfer fails. */
    bool reconnect;
    /* The run's stop flag: once set, a transaction still retrying gives up
     * (counted failed) instead of backing off again. NULL: never. */
    const atomic_bool *stop;
};

struct txn {
    const struct txn_policy *p;
    const struct txn_spec *spec;
    const struct transfer *t;
    struct rng *jitter; /* backoff and injection draws */
    const struct dialect *dialect;
    struct txn_outcome *o;
    struct db_error *err; /* the last failure */
    struct attempt attempt;
    int state;
    unsigned attempt_no;
    int64_t start_us, attempt_start_us, prev_delay_us;
};

/* What the driver does next, then which call it makes:
 *   TXN_SEND       send stmt; txn_reply with its reply
 *   TXN_WAIT       wait wait_us (a think pause, or a backoff, which is cut
 *                  short when the run stops); txn_resume
 *   TXN_RECONNECT  re-establish the connection; txn_reconnected
 *   TXN_DONE       the outcome is complete */
struct txn_action {
    enum { TXN_SEND, TXN_WAIT, TXN_RECONNECT, TXN_DONE } what;
    struct stmt stmt;
    int64_t wait_us;
    bool backoff; /* the wait is a backoff, not a think pause */
};

/* Starts transfer t at now_us. x keeps pointers to everything passed. */
struct txn_action txn_start(struct txn *x, const struct txn_policy *p, const struct txn_spec *spec,
                            const struct transfer *t, const struct dialect *dialect,
                            struct rng *jitter,
                            struct txn_outcome *o, struct db_error *err, int64_t now_us);
struct txn_action txn_reply(struct txn *x, const struct stmt_reply *r, int64_t now_us);
struct txn_action txn_resume(struct txn *x, int64_t now_us);
struct txn_action txn_reconnected(struct txn *x, bool ok, int64_t now_us);

/* Runs t to its end on db with blocking calls (no reconnects). Fills o
 * (latency only meaningful when committed); last_err holds the last error
 * seen, if any. */
void txn_execute(struct db *db, const struct transfer *t, const struct txn_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err);

#endif
