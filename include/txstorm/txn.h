/* One transfer run to its end under the retry protocol: attempt, classify,
 * back off, retry. Shared by `run`'s workers and `demo`. */
#ifndef TXSTORM_TXN_H
#define TXSTORM_TXN_H

#include "txstorm/backoff.h"
#include "txstorm/db.h"
#include "txstorm/rng.h"
#include "txstorm/stats.h"

struct retry_policy {
    int max_retries;
    struct backoff_config backoff;
};

/* Runs t until it commits, ends for insufficient funds, fails, or turns out
 * ambiguous. Fills o (latency only meaningful when committed); last_err holds
 * the last error seen, if any. */
void txn_execute(struct db *db, const struct transfer *t, const struct retry_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err);

#endif
