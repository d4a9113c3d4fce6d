/* The restart retry protocol around one transfer. */
#include "txstorm/txn.h"

#include "txstorm/clock.h"

#include <string.h>

void txn_execute(struct db *db, const struct transfer *t, const struct retry_policy *p,
                 struct rng *jitter, struct txn_outcome *o, struct db_error *last_err) {
    memset(o, 0, sizeof *o);
    int64_t start_us = clock_now_us();
    for (unsigned attempt = 0;; attempt++) {
        switch (db_transfer(db, t, last_err)) {
        case TRANSFER_COMMITTED:
            o->end = TXN_COMMITTED;
            o->latency_us = clock_now_us() - start_us;
            return;
        case TRANSFER_INSUFFICIENT:
            o->end = TXN_INSUFFICIENT;
            return;
        case TRANSFER_ERROR:
            break;
        }
        enum error_class cls = last_err->cls;
        o->errors_by_class[cls]++;
        if (cls == ERR_AMBIGUOUS) {
            o->end = TXN_AMBIGUOUS;
            return;
        }
        if (!classify_is_retryable(cls) || attempt >= (unsigned)p->max_retries) {
            o->end = TXN_FAILED;
            return;
        }
        int64_t delay_us = backoff_delay_us(&p->backoff, attempt, jitter);
        clock_sleep_us(delay_us);
        o->backoff_us += delay_us;
        o->retries++;
        o->retries_by_class[cls]++;
    }
}
