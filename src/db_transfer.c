/* The transfer's statements on the wire: preparing them, sending one, and
 * folding its results into a reply. All libpq. */
#include "db_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes the server raise a retryable error inside the current attempt. A DO
 * block works on PostgreSQL and on CockroachDB (PL/pgSQL, v23.2 on). */
static const char inject_sql[] =
    "DO $$BEGIN RAISE EXCEPTION '" CLASSIFY_INJECTED_MESSAGE "' USING ERRCODE = '40001'; END$$";

static const char *const table_names[] = {
    [BANK_ACCOUNTS] = "accounts",
    [BANK_DEMO] = "txstorm_demo_accounts",
};

static const char *const begin_sql[] = {
    [ISO_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
    [ISO_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    [ISO_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
};

static const char *const session_isolation_sql[] = {
    [ISO_SERIALIZABLE] = "SET default_transaction_isolation TO 'serializable'",
    [ISO_REPEATABLE_READ] = "SET default_transaction_isolation TO 'repeatable read'",
    [ISO_READ_COMMITTED] = "SET default_transaction_isolation TO 'read committed'",
};

/* Statement texts; %s is the table. The guarded debit divides by zero when the
 * funds are short, which aborts a pipelined transaction that cannot ask first. */
static const struct {
    const char *name;
    const char *sql;
} statements[] = {
    {"txstorm_read", "SELECT balance FROM %s WHERE id = $1"},
    {"txstorm_read_for_update",
     "SELECT id, balance FROM %s WHERE id IN ($1, $2) ORDER BY id FOR UPDATE"},
    {"txstorm_add", "UPDATE %s SET balance = balance + $2 WHERE id = $1"},
    {"txstorm_debit_guarded", "UPDATE %s SET balance = balance - $2 WHERE id = $1 "
                              "AND 1 / (CASE WHEN balance >= $2 THEN 1 ELSE 0 END) = 1"},
    {"txstorm_single",
     "UPDATE %1$s AS a SET balance = a.balance + CASE WHEN a.id = $1 THEN -t.amt ELSE t.amt END "
     "FROM (SELECT balance AS src, CASE WHEN $4::float8 > 0 "
     "THEN floor(balance * $4::float8)::bigint ELSE $3::bigint END AS amt "
     "FROM %1$s WHERE id = $1) AS t "
     "WHERE a.id IN ($1, $2) AND t.amt > 0 AND t.src >= t.amt"},
    /* The same, writing its ledger row only when both accounts moved. */
    {"txstorm_single_ledger",
     "WITH t AS (SELECT balance AS src, CASE WHEN $4::float8 > 0 "
     "THEN floor(balance * $4::float8)::bigint ELSE $3::bigint END AS amt "
     "FROM %1$s WHERE id = $1), "
     "moved AS (UPDATE %1$s AS a SET balance = a.balance + "
     "CASE WHEN a.id = $1 THEN -t.amt ELSE t.amt END FROM t "
     "WHERE a.id IN ($1, $2) AND t.amt > 0 AND t.src >= t.amt RETURNING t.amt) "
     "INSERT INTO transfers (run_id, transfer_id, from_id, to_id, amount, worker, "
     "attempt_started_at) SELECT $5, $6, $1, $2, max(amt), $7, now() FROM moved "
     "HAVING count(*) = 2"},
    {"txstorm_set", "UPDATE %s SET balance = $2 WHERE id = $1"},
    {"txstorm_commit", "COMMIT"},
    {"txstorm_ledger",
     "INSERT INTO transfers (run_id, transfer_id, from_id, to_id, amount, worker, "
     "attempt_started_at) VALUES ($1, $2, $3, $4, $5, $6, now())"},
};

#define SQLSTATE_DIVISION_BY_ZERO "22012"

/* The most statements one round trip carries (the pipelined shape's, with
 * injection and ledger row: 8). */
#define FLIGHT_MAX_STATEMENTS 8

static const char *const plain_sql[] = {
    [STMT_SAVEPOINT] = "SAVEPOINT cockroach_restart",
    [STMT_INJECT] = inject_sql,
    [STMT_RELEASE] = "RELEASE SAVEPOINT cockroach_restart",
    [STMT_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT cockroach_restart",
    [STMT_ROLLBACK] = "ROLLBACK",
};

/* For the bank's own blocking work; a transfer rolls back through db_send. */
void db_rollback(struct db *db)
{
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) PQclear(PQexec(db->conn, "ROLLBACK"));
}

/* ---- preparation ---- */

enum db_status db_transfer_prepare(struct db *db, enum bank_table table,
                                   const struct txn_spec *spec, struct db_error *err)
{
    db->spec = *spec;
    db->pipeline = false;
    db->begin_sql = begin_sql[spec->isolation];
    /* The name lets an operator (or a fault test) tell the workers' sessions apart. */
    if (!db_exec_ok(db, session_isolation_sql[spec->isolation], err) ||
        !db_exec_ok(db, "SET application_name = 'txstorm-worker'", err))
        return DB_FAILED;
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        /* The demo's database may have no ledger table: prepare only what is used. */
        if (strstr(statements[i].sql, "transfers") && !spec->ledger) continue;
        char sql[1024];
        snprintf(sql, sizeof sql, statements[i].sql, table_names[table]);
        PGresult *res = PQprepare(db->conn, statements[i].name, sql, 0, NULL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) db_set_error(db, err, res, false);
        PQclear(res);
        if (!ok) return DB_FAILED;
    }
    PGresult *res = PQprepare(db->conn, "txstorm_begin", db->begin_sql, 0, NULL);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) db_set_error(db, err, res, false);
    PQclear(res);
    if (!ok) return DB_FAILED;
    /* Last, so that it bounds the transfers' statements and none of the set-up's. */
    if (spec->statement_timeout_us > 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "SET statement_timeout = %lld",
                 (long long)((spec->statement_timeout_us + 999) / 1000));
        if (!db_exec_ok(db, sql, err)) return DB_FAILED;
    }
    /* Pipeline mode lets a round trip carry several statements (BEGIN with
     * the first read; the pipelined shape's whole transaction). */
    if (!PQenterPipelineMode(db->conn)) {
        db_set_message(err, ERR_OTHER, "cannot enter pipeline mode");
        return DB_FAILED;
    }
    db->pipeline = true;
    return DB_OK;
}

/* ---- sending ---- */

/* Decimal text parameters of a statement; libpq copies them at the send. */
struct params {
    char buf[8][32];
    const char *v[8];
    int n;
};

static void param_i64(struct params *p, int64_t v)
{
    fmt_i64(p->buf[p->n], sizeof p->buf[p->n], v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static void param_f64(struct params *p, double v)
{
    snprintf(p->buf[p->n], sizeof p->buf[p->n], "%.17g", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static const struct params no_params = {.n = 0};

static bool send_prepared(struct db *db, const char *name, const struct params *p)
{
    return PQsendQueryPrepared(db->conn, name, p->n, p->v, NULL, NULL, 0);
}

/* A statement without parameters, unnamed: pipeline mode allows only the
 * extended protocol. */
static bool send_plain(struct db *db, const char *sql)
{
    return PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

static bool send_ledger(struct db *db, const struct transfer *t, int64_t amount)
{
    struct params p = {.n = 0};
    param_i64(&p, t->run_id);
    param_i64(&p, t->id);
    param_i64(&p, t->from);
    param_i64(&p, t->to);
    param_i64(&p, amount);
    param_i64(&p, t->worker);
    return send_prepared(db, "txstorm_ledger", &p);
}

/* The pipelined transaction: every statement queued, then one sync, one
 * round trip. Remembers where the debit and credit are to read their replies. */
static bool send_pipelined(struct db *db, const struct transfer *t, bool inject)
{
    struct params read = {.n = 0}, debit = {.n = 0}, credit = {.n = 0};
    param_i64(&read, t->from);
    param_i64(&debit, t->from);
    param_i64(&debit, t->amount);
    param_i64(&credit, t->to);
    param_i64(&credit, t->amount);
    bool debit_first = db->spec.lock_order == LOCK_TRANSFER_ORDER || t->from < t->to;
    int n = 0;
    bool ok = send_prepared(db, "txstorm_begin", &no_params);
    n++;
    if (inject) {
        ok = ok && send_plain(db, inject_sql);
        n++;
    }
    ok = ok && send_prepared(db, "txstorm_read", &read);
    n++;
    for (int i = 0; i < 2; i++) {
        bool is_debit = (i == 0) == debit_first;
        *(is_debit ? &db->flight.debit_at : &db->flight.credit_at) = n++;
        ok = ok && send_prepared(db, is_debit ? "txstorm_debit_guarded" : "txstorm_add",
                                 is_debit ? &debit : &credit);
    }
    if (db->spec.ledger) ok = ok && send_ledger(db, t, t->amount);
    return ok && send_prepared(db, "txstorm_commit", &no_params);
}

static bool send_one(struct db *db, const struct stmt *s, const struct transfer *t);

/* The statement and, ahead of it in the same round trip, its prefix. */
static bool send_statement(struct db *db, const struct stmt *s, const struct transfer *t)
{
    static const struct {
        unsigned flag;
        enum stmt_kind kind;
    } prefixes[] = {{STMT_WITH_BEGIN, STMT_BEGIN},
                    {STMT_WITH_SAVEPOINT, STMT_SAVEPOINT},
                    {STMT_WITH_INJECT, STMT_INJECT}};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (!(s->prefix & prefixes[i].flag)) continue;
        if (!send_one(db, &(struct stmt){.kind = prefixes[i].kind}, t)) return false;
        db->flight.main_at++;
    }
    return send_one(db, s, t);
}

static bool send_one(struct db *db, const struct stmt *s, const struct transfer *t)
{
    struct params p = {.n = 0};
    switch (s->kind) {
    case STMT_BEGIN:
        return send_prepared(db, "txstorm_begin", &p);
    case STMT_COMMIT:
        return send_prepared(db, "txstorm_commit", &p);
    case STMT_READ:
        param_i64(&p, s->account);
        return send_prepared(db, "txstorm_read", &p);
    case STMT_READ_FOR_UPDATE:
        param_i64(&p, s->account);
        param_i64(&p, s->value);
        return send_prepared(db, "txstorm_read_for_update", &p);
    case STMT_ADD:
    case STMT_SET:
        param_i64(&p, s->account);
        param_i64(&p, s->value);
        return send_prepared(db, s->kind == STMT_ADD ? "txstorm_add" : "txstorm_set", &p);
    case STMT_LEDGER:
        return send_ledger(db, t, s->value);
    case STMT_SINGLE:
        param_i64(&p, t->from);
        param_i64(&p, t->to);
        param_i64(&p, t->amount);
        param_f64(&p, t->fraction);
        if (!db->spec.ledger) return send_prepared(db, "txstorm_single", &p);
        param_i64(&p, t->run_id);
        param_i64(&p, t->id);
        param_i64(&p, t->worker);
        return send_prepared(db, "txstorm_single_ledger", &p);
    case STMT_PIPELINED:
        return send_pipelined(db, t, s->value != 0);
    default:
        return send_plain(db, plain_sql[s->kind]);
    }
}

/* ---- receiving ---- */

/* The first failure is the one the reply reports. */
static void reply_fail(struct db *db, struct stmt_reply *r, const PGresult *res)
{
    if (!r->ok) return;
    r->ok = false;
    db_set_error(db, &r->err, res, db->flight.commit);
}

/* Rows a read returned: READ gives a balance, READ_FOR_UPDATE id and balance. */
static void read_rows(struct db *db, const PGresult *res, struct stmt_reply *r)
{
    bool with_id = db->flight.kind == STMT_READ_FOR_UPDATE;
    for (int row = 0; row < PQntuples(res) && r->n_read < 2; row++) {
        int64_t *id = &r->id[r->n_read], *balance = &r->balance[r->n_read];
        *id = db->flight.account;
        if ((with_id && !db_cell_i64(res, row, 0, id)) ||
            !db_cell_i64(res, row, with_id ? 1 : 0, balance))
            break;
        r->n_read++;
    }
}

/* Folds one of the pipelined transaction's results into the reply. Short
 * funds show as a division by zero in the debit; once a statement fails,
 * the rest come back PGRES_PIPELINE_ABORTED. */
static void fold_pipelined(struct db *db, PGresult *res, struct stmt_reply *r)
{
    const struct flight *f = &db->flight;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR && r->ok) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (f->index == f->debit_at && state && strcmp(state, SQLSTATE_DIVISION_BY_ZERO) == 0) {
            r->ok = false;
            r->insufficient = true;
        } else {
            reply_fail(db, r, res);
        }
    } else if ((f->index == f->debit_at || f->index == f->credit_at) && st == PGRES_COMMAND_OK &&
               strcmp(PQcmdTuples(res), "1") != 0 && r->ok) {
        /* The COMMIT is already on its way: the bank is malformed, and the
         * checker will say what this transfer did to it. */
        r->ok = false;
        db_set_message(&r->err, ERR_OTHER, "account %" PRId64 " is missing",
                       f->index == f->debit_at ? f->from : f->to);
    }
}

/* Folds one result of the round trip into the reply: the prefix's only
 * count, the statement's own give rows. */
static void fold(struct db *db, PGresult *res, struct stmt_reply *r)
{
    ExecStatusType st = PQresultStatus(res);
    bool own = db->flight.index == db->flight.main_at;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) r->n_ok++;
    if (db->flight.kind == STMT_PIPELINED) {
        fold_pipelined(db, res, r);
    } else if (st == PGRES_TUPLES_OK && own) {
        r->rows = PQntuples(res);
        read_rows(db, res, r);
    } else if (st == PGRES_COMMAND_OK && own) {
        r->rows = strtoll(PQcmdTuples(res), NULL, 10);
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_ABORTED) {
        reply_fail(db, r, res);
    }
}

/* The reply is complete: a reply without any answer means the server is gone. */
static void reply_end(struct db *db, struct stmt_reply *r, bool complete)
{
    if (!complete) reply_fail(db, r, NULL);
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    r->txn_open = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

bool db_send(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r)
{
    /* Field by field: r->err (half a kilobyte) is written only on failure. */
    r->ok = true;
    r->n_ok = 0;
    r->insufficient = r->txn_open = false;
    r->rows = 0;
    r->n_read = 0;
    db->flight = (struct flight){.kind = s->kind,
                                 .account = s->account,
                                 .from = t->from,
                                 .to = t->to,
                                 .commit = stmt_is_commit_point(s, db->cockroach),
                                 .debit_at = -1,
                                 .credit_at = -1};
    bool ok = send_statement(db, s, t) && PQpipelineSync(db->conn);
    if (!ok) {
        /* Nothing went out that could commit. */
        db->flight.commit = false;
        reply_end(db, r, false);
    }
    return ok;
}

enum db_io db_receive(struct db *db, bool readable, struct stmt_reply *r)
{
    PGconn *c = db->conn;
    /* A failed read marks the connection bad; the results below then say why. */
    if (readable) PQconsumeInput(c);
    for (;;) {
        if (PQisBusy(c)) return DB_IO_PENDING;
        PGresult *res = PQgetResult(c);
        if (res == NULL) {
            /* NULL ends one statement's results; the sync ends the round trip.
             * More NULLs than statements sent means no sync is coming: the
             * reply ends incomplete rather than waiting forever. */
            if (PQstatus(c) != CONNECTION_OK || ++db->flight.index > FLIGHT_MAX_STATEMENTS) break;
            continue;
        }
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        if (sync)
            db->flight.synced = true;
        else
            fold(db, res, r);
        PQclear(res);
        if (sync) break;
    }
    reply_end(db, r, db->flight.synced);
    return DB_IO_DONE;
}

void db_exec(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r)
{
    if (!db_send(db, s, t, r)) return;
    struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
    for (bool readable = false; db_receive(db, readable, r) == DB_IO_PENDING; readable = true)
        while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        }
}

void db_transfer_finish(struct db *db)
{
    if (db->pipeline && PQexitPipelineMode(db->conn)) db->pipeline = false;
}

const struct txn_spec *db_transfer_spec(const struct db *db) { return &db->spec; }

int db_socket(const struct db *db) { return PQsocket(db->conn); }

bool db_absorb(struct db *db)
{
    PQconsumeInput(db->conn);
    return PQstatus(db->conn) == CONNECTION_OK;
}
