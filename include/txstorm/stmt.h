/* A transfer's statements as the attempt (attempt.h) asks for them and the db
 * module (db.h) sends them: what goes to the server and what came back.
 * Plain data, shared by both without either knowing the other. */
#ifndef TXSTORM_STMT_H
#define TXSTORM_STMT_H

#include "txstorm/classify.h"
#include "txstorm/dialect.h"
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

/* Whether a statement may commit the transaction, so that losing the
 * connection while it is in flight leaves the outcome unknown. On
 * CockroachDB the savepoint protocol commits at RELEASE; an injected error
 * sent ahead of the statement aborts it, so nothing can commit then. */
bool stmt_is_commit_point(const struct stmt *s, const struct dialect *d);

#endif
