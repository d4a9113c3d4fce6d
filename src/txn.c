/* The retry loop around one transfer: restart and savepoint protocols. */
#include "txstorm/txn.h"

#include "txstorm/clock.h"

#include <stddef.h>
#include <string.h>

static bool stopping(const struct txn_policy *p)
{
    return p->stop && atomic_load_explicit(p->stop, memory_order_relaxed);
}

/* Backoff sleeps are cut short when the run stops, so a stop is never
 * held up by a long backoff. */
static void sleep_unless_stopped(const struct txn_policy *p, int64_t delay_us)
{
    const int64_t slice_us = 50000;
    while (delay_us > 0 && !stopping(p)) {
        int64_t step = delay_us < slice_us ? delay_us : slice_us;
        clock_sleep_us(step);
        delay_us -= step;
    }
}

/* One attempt under the savepoint protocol; *in_txn tracks whether the
 * transaction (and its savepoint) is still open for an in-place retry. */
static enum transfer_result savepoint_attempt(struct db *db, const struct transfer *t, bool inject,
                                              bool *in_txn, struct db_error *err)
{
    if (!*in_txn) {
        if (!db_savepoint_begin(db, err)) return TRANSFER_ERROR;
        *in_txn = true;
    }
    enum transfer_result r = db_savepoint_attempt(db, t, inject, err);
    if (r == TRANSFER_ERROR) return r;
    *in_txn = false; /* COMMIT ends it either way */
    return db_savepoint_commit(db, err) == TRANSFER_COMMITTED ? r : TRANSFER_ERROR;
}

/* Gets the savepoint protocol ready for the next try: back to the savepoint
 * where that can help, otherwise out of the transaction. True if in place. */
static bool savepoint_unwind(struct db *db, enum error_class cls, bool *in_txn,
                             struct db_error *scratch)
{
    if (!*in_txn) return false;
    bool in_place =
        !(cls == ERR_SERIALIZATION && !db_is_cockroach(db)) && db_savepoint_rollback(db, scratch);
    if (!in_place) {
        db_rollback(db);
        *in_txn = false;
    }
    return in_place;
}

void txn_execute(struct db *db, const struct transfer *t, const struct txn_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err)
{
    /* The per-attempt arrays are written before they are read; zeroing them
     * would cost a kilobyte of stores per transaction. */
    memset(o, 0, offsetof(struct txn_outcome, attempt_us));
    int64_t start_us = clock_now_us();
    int64_t attempt_start_us = start_us;
    int64_t prev_delay_us = 0;
    bool in_txn = false;
    for (unsigned attempt = 0;; attempt++) {
        bool inject = p->inject_retry > 0 && rng_unit(jitter) < p->inject_retry;
        enum transfer_result r = p->protocol == PROTOCOL_SAVEPOINT
                                     ? savepoint_attempt(db, t, inject, &in_txn, last_err)
                                     : db_transfer(db, t, inject, last_err);
        int64_t now_us = clock_now_us();
        if (attempt < TXN_ATTEMPTS_KEPT) o->attempt_us[attempt] = now_us - attempt_start_us;
        o->attempts++;
        if (r == TRANSFER_COMMITTED) {
            o->end = TXN_COMMITTED;
            o->latency_us = now_us - start_us;
            if (attempt == 0 && p->budget) budget_refund(p->budget);
            return;
        }
        if (r == TRANSFER_INSUFFICIENT) {
            o->end = TXN_INSUFFICIENT;
            return;
        }

        enum error_class cls = last_err->cls;
        o->errors_by_class[cls]++;
        if (cls == ERR_CONNECTION && p->reconnect && attempt < (unsigned)p->max_retries &&
            !stopping(p)) {
            in_txn = false; /* the server rolled it back with the session */
            if (!p->reconnect(p->reconnect_arg)) {
                o->end = TXN_FAILED;
                return;
            }
            attempt_start_us = clock_now_us();
            o->retries++;
            o->retries_by_class[cls]++;
            continue;
        }
        bool give_up = !classify_is_retryable(&p->retry_on, cls) ||
                       attempt >= (unsigned)p->max_retries || stopping(p);
        if (!give_up && p->budget && !budget_take(p->budget)) {
            give_up = true;
            o->budget_denied = true;
        }
        if (give_up) {
            if (in_txn) db_rollback(db);
            o->end = cls == ERR_AMBIGUOUS ? TXN_AMBIGUOUS : TXN_FAILED;
            return;
        }

        /* Locks go before the sleep, so others can use the backoff time. */
        struct db_error scratch;
        if (p->protocol == PROTOCOL_SAVEPOINT && savepoint_unwind(db, cls, &in_txn, &scratch))
            o->retries_in_place++;
        int64_t delay_us = backoff_delay_us(&p->backoff, attempt, prev_delay_us, jitter);
        sleep_unless_stopped(p, delay_us);
        if (o->sleeps < TXN_ATTEMPTS_KEPT) o->sleep_us[o->sleeps] = delay_us;
        o->sleeps++;
        attempt_start_us = clock_now_us();
        prev_delay_us = delay_us;
        o->backoff_us += delay_us;
        o->retries++;
        o->retries_by_class[cls]++;
        if (cls == ERR_SERIALIZATION) o->retries_by_reason[last_err->reason]++;
    }
}
