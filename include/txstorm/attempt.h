/* One attempt at a transfer as a state machine: which statement goes to the
 * server next, and what its reply means. Pure: the caller does the I/O
 * (db_send/db_receive, or db_exec), so one connection or a thousand on a
 * few threads run the same statements in the same order.
 *
 * Interactive and for-update shapes, one round trip per line:
 *   BEGIN [SAVEPOINT] [INJECT] READ      the first statement carries the prefix
 *   [READ(to)]                           absolute writes, interactive shape
 *   WRITE, WRITE, [LEDGER]
 *   [RELEASE], COMMIT
 * with --think-time between statements. BEGIN rides with the first
 * statement, as pgJDBC sends it: it does nothing on its own, so a round
 * trip for it alone would only add latency. Single: [INJECT] SINGLE.
 * Pipelined: PIPELINED, the whole transaction in one round trip. After a failed statement under the
 * restart protocol the attempt rolls back; under the savepoint protocol it leaves the transaction
 * open for the retry loop to unwind.
 */
#ifndef TXSTORM_ATTEMPT_H
#define TXSTORM_ATTEMPT_H

#include "txstorm/classify.h"
#include "txstorm/spec.h"
#include "txstorm/stmt.h"
#include "txstorm/workload.h"
#include <stdbool.h>
#include <stdint.h>

enum transfer_result { TRANSFER_COMMITTED, TRANSFER_INSUFFICIENT, TRANSFER_ERROR };

struct attempt {
    const struct txn_spec *spec;
    const struct transfer *t;
    bool savepoint; /* the savepoint protocol */
    bool inject;
    /* Savepoint protocol: the transaction and its savepoint are open, so the
     * next attempt starts at the statements. Kept across attempts. */
    bool in_txn;
    bool opening; /* the first reply says whether BEGIN and SAVEPOINT succeeded */
    int pc;
    struct stmt pending; /* sent after a think pause */
    int after_pending;
    enum transfer_result result;
    int64_t balance, to_balance, amount;
    bool debit_first;
};

/* What to do next: send a statement and call attempt_next with its reply;
 * pause for think_us and call attempt_next with NULL; or stop with result
 * (TRANSFER_ERROR: the error is in err). */
struct attempt_step {
    enum { STEP_SEND, STEP_THINK, STEP_DONE } what;
    struct stmt stmt;
    int64_t think_us;
    enum transfer_result result;
};

/* Starts an attempt at t; a->in_txn must carry over from the previous one. */
void attempt_begin(struct attempt *a, const struct txn_spec *spec, const struct transfer *t,
                   bool savepoint, bool inject);

/* The next step, given the reply to the statement last sent (NULL at the
 * start and after a think pause). err receives the failure that ends the
 * attempt: the server's, or txstorm's own ("account 7 is missing"). */
struct attempt_step attempt_next(struct attempt *a, const struct stmt_reply *r,
                                 struct db_error *err);

#endif
