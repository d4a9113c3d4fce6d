/* One transfer run to its end under a retry protocol: attempt, classify,
 * back off, retry. Shared by `run`'s workers and `demo`.
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

#include "txstorm/backoff.h"
#include "txstorm/budget.h"
#include "txstorm/db.h"
#include "txstorm/rng.h"
#include "txstorm/stats.h"
#include <stdatomic.h>

struct txn_policy {
    enum retry_protocol protocol;
    struct retry_set retry_on;
    int max_retries;
    struct backoff_config backoff;
    struct retry_budget *budget; /* shared by all workers; NULL: no budget */
    double inject_retry;         /* probability an attempt has the server raise 40001 */
    /* Re-establishes a lost connection, after which the transfer is retried
     * (an attempt that lost its connection before COMMIT did not commit).
     * Returns false when reconnecting is given up. NULL: the transfer fails. */
    bool (*reconnect)(void *arg);
    void *reconnect_arg;
    /* The run's stop flag: once set, a transaction still retrying gives up
     * (counted failed) instead of backing off again. NULL: never. */
    const atomic_bool *stop;
};

/* Runs t until it commits, ends for insufficient funds, fails, or turns out
 * ambiguous. Fills o (latency only meaningful when committed); last_err holds
 * the last error seen, if any. jitter drives backoff and injection draws. */
void txn_execute(struct db *db, const struct transfer *t, const struct txn_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err);

#endif
