/* The transfer's statements in each shape and retry protocol. All libpq. */
#include "db_internal.h"
#include "txstorm/clock.h"

#include <inttypes.h>
#include <stdio.h>
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
    {"txstorm_ledger",
     "INSERT INTO transfers (run_id, transfer_id, from_id, to_id, amount, worker, "
     "attempt_started_at) VALUES ($1, $2, $3, $4, $5, $6, now())"},
};

#define SQLSTATE_DIVISION_BY_ZERO "22012"

static void pause_between_statements(const struct db *db) { clock_sleep_us(db->spec.think_us); }

/* ---- pipeline mode helpers ---- */

/* Reads results up to and including the next sync; false if the connection broke. */
static bool pipeline_drain(struct db *db)
{
    for (;;) {
        PGresult *res = PQgetResult(db->conn);
        if (res == NULL) {
            if (PQstatus(db->conn) != CONNECTION_OK) return false;
            continue; /* the NULL that ends one statement's results */
        }
        ExecStatusType st = PQresultStatus(res);
        PQclear(res);
        if (st == PGRES_PIPELINE_SYNC) return true;
        if (PQstatus(db->conn) != CONNECTION_OK) return false;
    }
}

/* One statement without parameters, in pipeline mode, waited for. */
static bool pipeline_exec(struct db *db, const char *sql)
{
    return PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0) &&
           PQpipelineSync(db->conn) && pipeline_drain(db);
}

void db_rollback(struct db *db)
{
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR) return;
    if (db->pipeline)
        pipeline_exec(db, "ROLLBACK");
    else
        PQclear(PQexec(db->conn, "ROLLBACK"));
}

/* ---- preparation ---- */

enum db_status db_transfer_prepare(struct db *db, enum bank_table table,
                                   const struct txn_spec *spec, struct db_error *err)
{
    db->spec = *spec;
    db->table = table;
    db->prepared = true;
    db->pipeline = false;
    db->begin_sql = begin_sql[spec->isolation];
    /* The name lets an operator (or a fault test) tell the workers' sessions apart. */
    if (!db_exec_ok(db, session_isolation_sql[spec->isolation], err) ||
        !db_exec_ok(db, "SET application_name = 'txstorm-worker'", err))
        return DB_FAILED;
    if (spec->statement_timeout_us > 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "SET statement_timeout = %lld",
                 (long long)((spec->statement_timeout_us + 999) / 1000));
        if (!db_exec_ok(db, sql, err)) return DB_FAILED;
    }
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
    if (spec->shape == SHAPE_PIPELINED) {
        if (!PQenterPipelineMode(db->conn)) {
            db_set_message(err, ERR_OTHER, "cannot enter pipeline mode");
            return DB_FAILED;
        }
        db->pipeline = true;
    }
    return DB_OK;
}

/* ---- statements of the interactive and for-update shapes ---- */

/* Runs a prepared statement; on failure fills err and returns NULL. */
static PGresult *run_prepared(struct db *db, const char *name, int n, const char *const *params,
                              ExecStatusType want, struct db_error *err)
{
    PGresult *res = PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
    if (PQresultStatus(res) == want) return res;
    db_set_error(db, err, res, false);
    PQclear(res);
    return NULL;
}

/* Runs one of the single-row writes (txstorm_add: balance += value;
 * txstorm_set: balance = value) on account id; exactly one row must change. */
static bool write_balance(struct db *db, const char *stmt, int64_t id, int64_t value,
                          struct db_error *err)
{
    char id_s[24], value_s[24];
    fmt_i64(id_s, sizeof id_s, id);
    fmt_i64(value_s, sizeof value_s, value);
    const char *params[] = {id_s, value_s};
    PGresult *res = run_prepared(db, stmt, 2, params, PGRES_COMMAND_OK, err);
    if (res == NULL) return false;
    bool one = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!one) db_set_message(err, ERR_OTHER, "account %" PRId64 " is missing", id);
    return one;
}

/* Balances of both accounts (to's only when wanted): a plain read per row, or
 * both rows locked FOR UPDATE in id order with one statement. */
static bool read_balances(struct db *db, const struct transfer *t, int64_t *from_balance,
                          int64_t *to_balance, struct db_error *err)
{
    char from_s[24], to_s[24];
    fmt_i64(from_s, sizeof from_s, t->from);
    fmt_i64(to_s, sizeof to_s, t->to);
    const char *params[] = {from_s, to_s};
    int found = 0, wanted = to_balance ? 2 : 1;
    if (db->spec.shape == SHAPE_FOR_UPDATE) {
        PGresult *res =
            run_prepared(db, "txstorm_read_for_update", 2, params, PGRES_TUPLES_OK, err);
        if (res == NULL) return false;
        for (int row = 0; row < PQntuples(res); row++) {
            int64_t id, balance;
            if (!db_cell_i64(res, row, 0, &id) || !db_cell_i64(res, row, 1, &balance)) break;
            if (id == t->from) {
                *from_balance = balance;
                found++;
            } else if (id == t->to && to_balance) {
                *to_balance = balance;
                found++;
            }
        }
        PQclear(res);
    } else {
        for (int i = 0; i < wanted; i++) {
            PGresult *res = run_prepared(db, "txstorm_read", 1, &params[i], PGRES_TUPLES_OK, err);
            if (res == NULL) return false;
            if (PQntuples(res) == 1 && db_cell_i64(res, 0, 0, i == 0 ? from_balance : to_balance))
                found++;
            PQclear(res);
            if (i + 1 < wanted) pause_between_statements(db);
        }
    }
    if (found != wanted)
        db_set_message(err, ERR_OTHER, "account %" PRId64 " or %" PRId64 " is missing", t->from,
                       t->to);
    return found == wanted;
}

static bool write_ledger_row(struct db *db, const struct transfer *t, int64_t amount,
                             struct db_error *err)
{
    char run_s[24], id_s[24], from_s[24], to_s[24], amount_s[24], worker_s[16];
    fmt_i64(run_s, sizeof run_s, t->run_id);
    fmt_i64(id_s, sizeof id_s, t->id);
    fmt_i64(from_s, sizeof from_s, t->from);
    fmt_i64(to_s, sizeof to_s, t->to);
    fmt_i64(amount_s, sizeof amount_s, amount);
    snprintf(worker_s, sizeof worker_s, "%d", t->worker);
    const char *params[] = {run_s, id_s, from_s, to_s, amount_s, worker_s};
    PGresult *res = run_prepared(db, "txstorm_ledger", 6, params, PGRES_COMMAND_OK, err);
    PQclear(res);
    return res != NULL;
}

/* The statements between BEGIN and COMMIT: read, check, debit, credit, and
 * the ledger row. Relative writes add to the balance the database holds;
 * absolute writes store what the client computed from its reads, which is
 * how lost updates happen below SERIALIZABLE. */
static enum transfer_result transfer_body(struct db *db, const struct transfer *t, bool inject,
                                          struct db_error *err)
{
    if (inject && !db_exec_ok(db, inject_sql, err)) return TRANSFER_ERROR;
    bool absolute = db->spec.write_mode == WRITE_ABSOLUTE;
    int64_t balance = 0, to_balance = 0;
    if (!read_balances(db, t, &balance, absolute ? &to_balance : NULL, err)) return TRANSFER_ERROR;
    int64_t amount = t->fraction > 0 ? (int64_t)((double)balance * t->fraction) : t->amount;
    if (amount <= 0 || balance < amount) return TRANSFER_INSUFFICIENT;
    pause_between_statements(db);

    bool debit_first = db->spec.lock_order == LOCK_TRANSFER_ORDER || t->from < t->to;
    for (int i = 0; i < 2; i++) {
        bool debit = (i == 0) == debit_first;
        int64_t id = debit ? t->from : t->to;
        bool ok = absolute ? write_balance(db, "txstorm_set", id,
                                           debit ? balance - amount : to_balance + amount, err)
                           : write_balance(db, "txstorm_add", id, debit ? -amount : amount, err);
        if (!ok) return TRANSFER_ERROR;
        pause_between_statements(db);
    }
    if (db->spec.ledger && !write_ledger_row(db, t, amount, err)) return TRANSFER_ERROR;
    return TRANSFER_COMMITTED;
}

/* A statement after which the transaction may have committed: losing the
 * connection while it is in flight leaves the outcome unknown. */
static bool exec_commit_point(struct db *db, const char *sql, bool commits, struct db_error *err)
{
    PGresult *res = PQexec(db->conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) db_set_error(db, err, res, commits);
    PQclear(res);
    return ok;
}

static enum transfer_result commit(struct db *db, struct db_error *err)
{
    return exec_commit_point(db, "COMMIT", true, err) ? TRANSFER_COMMITTED : TRANSFER_ERROR;
}

static enum transfer_result explicit_transaction(struct db *db, const struct transfer *t,
                                                 bool inject, struct db_error *err)
{
    if (!db_exec_ok(db, db->begin_sql, err)) goto fail;
    enum transfer_result r = transfer_body(db, t, inject, err);
    if (r == TRANSFER_ERROR) goto fail;
    /* An insufficient transfer wrote nothing, but under SSI even ending a
     * read-only transaction can fail, so it commits like any other. */
    if (commit(db, err) != TRANSFER_COMMITTED) goto fail;
    return r;
fail:
    db_rollback(db);
    return TRANSFER_ERROR;
}

/* ---- the single-statement shape ---- */

static enum transfer_result single_statement(struct db *db, const struct transfer *t, bool inject,
                                             struct db_error *err)
{
    if (inject && !db_exec_ok(db, inject_sql, err)) return TRANSFER_ERROR;
    char from_s[24], to_s[24], amount_s[24], fraction_s[32], run_s[24], id_s[24], worker_s[16];
    fmt_i64(from_s, sizeof from_s, t->from);
    fmt_i64(to_s, sizeof to_s, t->to);
    fmt_i64(amount_s, sizeof amount_s, t->amount);
    snprintf(fraction_s, sizeof fraction_s, "%.17g", t->fraction);
    fmt_i64(run_s, sizeof run_s, t->run_id);
    fmt_i64(id_s, sizeof id_s, t->id);
    snprintf(worker_s, sizeof worker_s, "%d", t->worker);
    const char *params[] = {from_s, to_s, amount_s, fraction_s, run_s, id_s, worker_s};
    bool ledger = db->spec.ledger;
    PGresult *res = PQexecPrepared(db->conn, ledger ? "txstorm_single_ledger" : "txstorm_single",
                                   ledger ? 7 : 4, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        /* An implicit transaction commits with its statement: a lost
         * connection leaves the outcome unknown. */
        db_set_error(db, err, res, true);
        PQclear(res);
        return TRANSFER_ERROR;
    }
    /* Rows updated: 2, or 0 for short funds; with the ledger, rows inserted: 1 or 0. */
    const char *rows = PQcmdTuples(res);
    enum transfer_result r = TRANSFER_COMMITTED;
    if (strcmp(rows, "0") == 0)
        r = TRANSFER_INSUFFICIENT;
    else if (strcmp(rows, ledger ? "1" : "2") != 0) {
        db_set_message(err, ERR_OTHER, "transfer updated %s rows, not 2: the bank is malformed",
                       rows);
        r = TRANSFER_ERROR;
    }
    PQclear(res);
    return r;
}

/* ---- the pipelined shape ---- */

static enum transfer_result pipelined(struct db *db, const struct transfer *t, bool inject,
                                      struct db_error *err)
{
    char from_s[24], to_s[24], amount_s[24];
    fmt_i64(from_s, sizeof from_s, t->from);
    fmt_i64(to_s, sizeof to_s, t->to);
    fmt_i64(amount_s, sizeof amount_s, t->amount);
    const char *read_params[] = {from_s};
    const char *debit_params[] = {from_s, amount_s};
    const char *credit_params[] = {to_s, amount_s};
    char run_s[24], id_s[24], worker_s[16];
    fmt_i64(run_s, sizeof run_s, t->run_id);
    fmt_i64(id_s, sizeof id_s, t->id);
    snprintf(worker_s, sizeof worker_s, "%d", t->worker);
    const char *ledger_params[] = {run_s, id_s, from_s, to_s, amount_s, worker_s};
    bool debit_first = db->spec.lock_order == LOCK_TRANSFER_ORDER || t->from < t->to;

    PGconn *c = db->conn;
    int sent = 0, debit_at = -1, credit_at = -1;
    bool ok = PQsendQueryParams(c, db->begin_sql, 0, NULL, NULL, NULL, NULL, 0);
    sent++;
    if (inject) {
        ok = ok && PQsendQueryParams(c, inject_sql, 0, NULL, NULL, NULL, NULL, 0);
        sent++;
    }
    ok = ok && PQsendQueryPrepared(c, "txstorm_read", 1, read_params, NULL, NULL, 0);
    sent++;
    for (int i = 0; i < 2; i++) {
        bool debit = (i == 0) == debit_first;
        if (debit)
            debit_at = sent;
        else
            credit_at = sent;
        ok = ok && PQsendQueryPrepared(c, debit ? "txstorm_debit_guarded" : "txstorm_add", 2,
                                       debit ? debit_params : credit_params, NULL, NULL, 0);
        sent++;
    }
    if (db->spec.ledger) {
        ok = ok && PQsendQueryPrepared(c, "txstorm_ledger", 6, ledger_params, NULL, NULL, 0);
        sent++;
    }
    ok = ok && PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    sent++;
    ok = ok && PQpipelineSync(c);
    if (!ok) {
        db_set_error(db, err, NULL, false);
        return TRANSFER_ERROR;
    }

    /* Every statement answers with one result and a NULL; an error makes the
     * rest PGRES_PIPELINE_ABORTED. The COMMIT was sent with the rest, so a
     * connection lost before any statement failed leaves the outcome unknown. */
    enum transfer_result r = TRANSFER_COMMITTED;
    for (int i = 0; i < sent; i++) {
        PGresult *res = PQgetResult(c);
        if (res == NULL) {
            if (r != TRANSFER_ERROR) db_set_error(db, err, NULL, true);
            return TRANSFER_ERROR;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_FATAL_ERROR && r != TRANSFER_ERROR) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            bool short_funds =
                i == debit_at && state && strcmp(state, SQLSTATE_DIVISION_BY_ZERO) == 0;
            if (short_funds)
                r = TRANSFER_INSUFFICIENT;
            else {
                db_set_error(db, err, res, true);
                r = TRANSFER_ERROR;
            }
        } else if ((i == debit_at || i == credit_at) && st == PGRES_COMMAND_OK &&
                   strcmp(PQcmdTuples(res), "1") != 0 && r == TRANSFER_COMMITTED) {
            /* The COMMIT is already on its way: the bank is malformed, and the
             * checker will say what this transfer did to it. */
            db_set_message(err, ERR_OTHER, "account %" PRId64 " is missing",
                           i == debit_at ? t->from : t->to);
            r = TRANSFER_ERROR;
        }
        PQclear(res);
        res = PQgetResult(c); /* the NULL after each statement */
        if (res != NULL) PQclear(res);
    }
    if (!pipeline_drain(db)) {
        if (r != TRANSFER_ERROR) db_set_error(db, err, NULL, true);
        return TRANSFER_ERROR;
    }
    if (r != TRANSFER_COMMITTED) db_rollback(db);
    return r;
}

/* ---- entry points ---- */

enum transfer_result db_transfer(struct db *db, const struct transfer *t, bool inject,
                                 struct db_error *err)
{
    switch (db->spec.shape) {
    case SHAPE_SINGLE:
        return single_statement(db, t, inject, err);
    case SHAPE_PIPELINED:
        return pipelined(db, t, inject, err);
    default:
        return explicit_transaction(db, t, inject, err);
    }
}

bool db_savepoint_begin(struct db *db, struct db_error *err)
{
    if (db_exec_ok(db, db->begin_sql, err) && db_exec_ok(db, "SAVEPOINT cockroach_restart", err))
        return true;
    db_rollback(db);
    return false;
}

enum transfer_result db_savepoint_attempt(struct db *db, const struct transfer *t, bool inject,
                                          struct db_error *err)
{
    enum transfer_result r = transfer_body(db, t, inject, err);
    if (r == TRANSFER_ERROR) return r;
    /* On CockroachDB the RELEASE is where the transaction commits. */
    return exec_commit_point(db, "RELEASE SAVEPOINT cockroach_restart", db->cockroach, err)
               ? r
               : TRANSFER_ERROR;
}

bool db_savepoint_rollback(struct db *db, struct db_error *err)
{
    return db_exec_ok(db, "ROLLBACK TO SAVEPOINT cockroach_restart", err);
}

enum transfer_result db_savepoint_commit(struct db *db, struct db_error *err)
{
    enum transfer_result r = commit(db, err);
    if (r != TRANSFER_COMMITTED) db_rollback(db);
    return r;
}
