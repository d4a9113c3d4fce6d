/* The blocking driver of a transaction's state machine: one connection, one
 * statement at a time, real sleeps. The demo's. */
#include "txstorm/txn.h"

#include "txstorm/clock.h"
#include "txstorm/db.h"
#include "txstorm/db_transfer.h"

/* Backoff sleeps are cut short when the run stops, so a stop is never
 * held up by a long backoff; think pauses are part of the transaction. */
static void sleep_unless_stopped(const struct txn_policy *p, int64_t delay_us, bool backoff)
{
    if (!backoff) {
        clock_sleep_us(delay_us);
        return;
    }
    const int64_t slice_us = 50000;
    while (delay_us > 0 && !(p->stop && atomic_load(p->stop))) {
        int64_t step = delay_us < slice_us ? delay_us : slice_us;
        clock_sleep_us(step);
        delay_us -= step;
    }
}

void txn_execute(struct db *db, const struct transfer *t, const struct txn_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err)
{
    struct txn x;
    struct stmt_reply r;
    struct txn_action act = txn_start(&x, p, db_transfer_spec(db), t, db_dialect(db), jitter,
                                      o, last_err, clock_now_us());
    for (;;) {
        switch (act.what) {
        case TXN_SEND:
            db_exec(db, &act.stmt, t, &r);
            act = txn_reply(&x, &r, clock_now_us());
            break;
        case TXN_WAIT:
            sleep_unless_stopped(p, act.wait_us, act.backoff);
            act = txn_resume(&x, clock_now_us());
            break;
        case TXN_RECONNECT: /* not asked for: a blocking driver has no one to wait for */
            act = txn_reconnected(&x, false, clock_now_us());
            break;
        default:
            return;
        }
    }
}
