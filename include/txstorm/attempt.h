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
#include "txstorm/workload.h"
#include <stdbool.h>
#include <stdint.h>

enum stmt_kind {
    STMT_BEGIN,           /* BEGIN ISOLATION LEVEL <the spec's> */
    STMT_SAVEPOINT,       /* SAVEPOINT cockroach_restart */
    STMT_INJECT,          /* a DO block raising 40001 (--inject-retry) */
    STMT_READ,            /* balance of `account` */
    STMT_READ_FOR_UPDATE, /* ids and balances of from and to, locked in id order */
    STMT_ADD,             /* balance of `account` += value */
    STMT_SET,             /* balance of `account` = value (absolute writes) */
    STMT_LEDGER,          /* the transfer's ledger row, amount `value` */
    STMT_SINGLE,          /* the whole transfer in one statement */
    STMT_PIPELINED,       /* BEGIN ... COMMIT in one round trip, funds checked by the debit */
    STMT_RELEASE,         /* RELEASE SAVEPOINT cockroach_restart */
    STMT_COMMIT,
    STMT_ROLLBACK_TO, /* ROLLBACK TO SAVEPOINT cockroach_restart */
    STMT_ROLLBACK,
};

/* Statements sent ahead of a statement in the same round trip. */
enum { STMT_WITH_BEGIN = 1, STMT_WITH_SAVEPOINT = 2, STMT_WITH_INJECT = 4 };

struct stmt {
    enum stmt_kind kind;
    unsigned prefix; /* STMT_WITH_* */
    int64_t account;
    int64_t value;
};

/* What the server answered to one statement. */
struct stmt_reply {
    bool ok;
    int n_ok;          /* statements of the round trip that succeeded, prefix included */
    bool insufficient; /* single/pipelined: the server found the funds short */
    bool txn_open;     /* a transaction is still open on the connection */
    int64_t rows;      /* rows changed or returned */
    int n_read;        /* rows read into id/balance (READ: id is the account) */
    int64_t id[2], balance[2];
    struct db_error err; /* when !ok */
};

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

/* Whether a statement may commit the transaction, so that losing the
 * connection while it is in flight leaves the outcome unknown. On
 * CockroachDB the savepoint protocol commits at RELEASE; an injected error
 * sent ahead of the statement aborts it, so nothing can commit then. */
bool stmt_is_commit_point(const struct stmt *s, bool cockroach);

#endif
