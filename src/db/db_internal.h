/* What the db module's files share; nothing outside src/db*.c includes this. */
#ifndef TXSTORM_DB_INTERNAL_H
#define TXSTORM_DB_INTERNAL_H

#include "txstorm/db.h"
#include "txstorm/servers.h"
#include "txstorm/spec.h"
#include "txstorm/stmt.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

struct sql_batch;

/* The longest statement text of a transfer, its table's name in. */
#define DB_STATEMENT_TEXT_MAX 1024

/* The statement in flight on a connection and how far its reply has come. */
struct flight {
    enum stmt_kind kind;
    int64_t account, from, to;
    bool commit;             /* a lost connection leaves its outcome unknown */
    int debit_at, credit_at; /* the pipelined transaction's debit and credit */
    int main_at;             /* the statement's own index, after its prefix */
    int index;               /* the statement whose results are being read */
    bool synced;             /* the sync's result arrived: the round trip is over */
};

/* Setting a fresh session up, one step at a time (db_setup.c): the steps
 * that need a round trip send one statement each; the others are local. */
enum setup_kind { SETUP_IDENTIFY, SETUP_WRITABLE, SETUP_QUERY, SETUP_PREPARE, SETUP_PIPELINE };
struct setup_step {
    enum setup_kind kind;
    const char *name; /* SETUP_PREPARE: the statement's name */
    const char *sql;
};
#define SETUP_MAX_STEPS 24
struct setup {
    struct setup_step steps[SETUP_MAX_STEPS];
    int n, at;
    int variant;          /* SETUP_IDENTIFY: the probe being tried */
    PGresult *res;        /* the step's first result, until the step's round trip ends
                             (PQclear'd with the connection) */
    struct server_id *id; /* where SETUP_IDENTIFY writes, or NULL */
    char timeout_sql[64]; /* SET statement_timeout = N */
};

struct db {
    PGconn *conn;
    const char *dsn;      /* as given to db_connect (the caller keeps it alive) */
    struct dsn_view view; /* its secrets are scrubbed from every message */
    /* What db_cancel uses from another thread; swapped at every (re)connect. */
    pthread_mutex_t cancel_lock;
    struct db_cancel_ref *cancel; /* NULL: no session */
    int backend_pid;                            /* the current session's, under cancel_lock */
    struct txn_spec spec;                       /* set by db_transfer_prepare */
    const char *begin_sql;                      /* BEGIN ISOLATION LEVEL ... for spec */
    const char (*texts)[DB_STATEMENT_TEXT_MAX]; /* the transfer statements' texts for its table */
    struct sql_batch *batch;       /* the simple protocol's round trip, while db_send builds it */
    bool pipeline;                 /* in libpq pipeline mode (prepared for transfers) */
    const struct dialect *dialect; /* what the server is (dialect.h) */
    char server_version[128];      /* a copy: libpq's own string dies with a reconnect */
    struct flight flight;
    struct setup setup;
};

/* A session's cancel handle, counted: db_cancel sends it with the lock
 * released (PQcancel may wait long on a server that does not answer), so
 * the thread that owns the db is never held up by a cancel in flight. */
struct db_cancel_ref {
    PGcancel *cancel;
    atomic_int refs;
};

/* Sets db's handle (NULL: none) and backend pid, dropping the old one. */
void db_cancel_swap(struct db *db, PGcancel *fresh, int backend_pid);

/* A connection just opened (or re-opened) becomes db's session: notices
 * muted, the cancel handle renewed, prepared for nothing yet. */
void db_session_begins(struct db *db);

/* What a worker's session is named: an operator (or a terminate) tells the
 * workers' sessions apart by it. */
#define DB_WORKER_APPLICATION_NAME "txstorm-worker"

/* Whether the server is read-only, the parts of db_check_writable: why, from
 * what it reports (*reported: false when it reports neither, and must be
 * asked DB_READ_ONLY_SQL), or from that question's answer; NULL: writable.
 * db_read_only_failure fills err with the why (25006) and returns false. */
#define DB_READ_ONLY_SQL "SHOW transaction_read_only"
const char *db_read_only_reported(const struct db *db, bool *reported);
const char *db_read_only_shown(const PGresult *res);
bool db_read_only_failure(struct db *db, const char *why, struct db_error *err);

/* Runs db->setup (db_setup.c): db_setup_reset empties it, with the probe
 * as its first step when id is not NULL; the caller appends its steps;
 * db_setup_advance carries out the local ones and sends the next. */
void db_setup_reset(struct db *db, struct server_id *id);
void db_setup_add(struct db *db, enum setup_kind kind, const char *name, const char *sql);
enum db_opening db_setup_advance(struct db *db, struct db_error *err);

/* Fills err from a failed result: SQLSTATE, class, reason, scrubbed message.
 * commit: the failed statement was (or included) a COMMIT. */
void db_set_error(struct db *db, struct db_error *err, const PGresult *res, bool commit);

/* Fills err with a message of txstorm's own. */
void db_set_message(struct db_error *err, enum error_class cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether the server takes writes: false, with err a connection-class
 * 25006, when it is a standby or read-only by default. */
bool db_check_writable(struct db *db, struct db_error *err);

/* Runs a statement expecting success; false with err set otherwise. */
bool db_exec_ok(struct db *db, const char *sql, struct db_error *err);

/* Runs sql (with text params when n > 0) expecting status want; NULL with
 * err set otherwise. The caller PQclears the result. */
PGresult *db_query(struct db *db, const char *sql, int n, const char *const *params,
                   ExecStatusType want, struct db_error *err);

/* Statement parameters are sent as decimal text, written by hand: several
 * go out per statement, and snprintf's format machinery costs more than
 * the digits. buf must hold 21 bytes. */
static inline void fmt_i64(char *buf, size_t len, int64_t v)
{
    char digits[20];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t at = 0;
    if (v < 0 && at + 1 < len) buf[at++] = '-';
    while (n > 0 && at + 1 < len)
        buf[at++] = digits[--n];
    buf[at] = '\0';
}

/* v as a PostgreSQL array literal, "{1,2,3}" (malloc'd; NULL: no memory). */
char *db_int_array(const int *v, int n);

/* Reads a decimal int64 cell; false when NULL or out of range. */
bool db_cell_i64(const PGresult *res, int row, int col, int64_t *out);

#endif
