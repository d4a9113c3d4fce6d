/* All of txstorm's libpq calls: connecting, the bank's DDL and reads, and the
 * transfer's statements. Nothing above this file sees a PGconn or PGresult. */
#include "txstorm/db.h"

#include "db_internal.h"
#include "txstorm/dsn.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

void db_set_error(struct db *db, struct db_error *err, const PGresult *res, bool commit)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state ? state : "");
    /* Without a SQLSTATE the client made the error: a lost server if the
     * connection is gone, something else (a protocol error) if not. */
    if (state == NULL && PQstatus(db->conn) == CONNECTION_OK)
        err->cls = ERR_OTHER;
    else
        err->cls = classify_sqlstate(state, commit);
    err->reason = REASON_UNKNOWN;
    if (err->cls == ERR_SERIALIZATION)
        err->reason = classify_reason(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (msg == NULL || *msg == '\0') msg = PQerrorMessage(db->conn);
    dsn_scrub(msg, db->secrets, err->message, sizeof err->message);
}

void db_set_message(struct db_error *err, enum error_class cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->cls = cls;
    err->reason = REASON_UNKNOWN;
    err->sqlstate[0] = '\0';
}

/* ---- connections ---- */

/* Server notices (e.g. NOTICEs from DDL) are not txstorm's output. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

struct db *db_connect(const char *dsn, struct db_error *err)
{
    struct db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        db_set_message(err, ERR_OTHER, "out of memory");
        return NULL;
    }
    dsn_password(dsn, db->password, sizeof db->password);
    int n = 0;
    if (db->password[0]) db->secrets[n++] = db->password;
    const char *env_pw = getenv("PGPASSWORD");
    if (env_pw && *env_pw) db->secrets[n++] = env_pw;
    db->secrets[n] = NULL;

    db->conn = PQconnectdb(dsn ? dsn : "");
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        char msg[512];
        dsn_scrub(db->conn ? PQerrorMessage(db->conn) : "out of memory", db->secrets, msg,
                  sizeof msg);
        db_set_message(err, ERR_CONNECTION, "cannot connect to the database: %s", msg);
        db_close(db);
        return NULL;
    }
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    db->cockroach = PQparameterStatus(db->conn, "crdb_version") != NULL;
    return db;
}

void db_close(struct db *db)
{
    if (db == NULL) return;
    if (db->conn) PQfinish(db->conn);
    free(db);
}

const char *db_server_version(struct db *db)
{
    const char *v = PQparameterStatus(db->conn, "server_version");
    return v ? v : "unknown";
}

bool db_ok(struct db *db) { return db && PQstatus(db->conn) == CONNECTION_OK; }

bool db_is_cockroach(struct db *db) { return db->cockroach; }

/* Runs a statement expecting success; on failure fills err and returns false. */
bool db_exec_ok(struct db *db, const char *sql, struct db_error *err)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) db_set_error(db, err, res, false);
    PQclear(res);
    return ok;
}

/* Reads a decimal int64 cell; false when NULL or out of range. */
bool db_cell_i64(const PGresult *res, int row, int col, int64_t *out)
{
    if (PQgetisnull(res, row, col)) return false;
    char *end;
    const char *s = PQgetvalue(res, row, col);
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || end == s) return false;
    *out = v;
    return true;
}

/* ---- the bank ---- */

/* 'accounts' exists / 'txstorm_bank' exists, in the current search_path. */
static enum db_status bank_tables(struct db *db, bool *accounts, bool *meta, struct db_error *err)
{
    PGresult *res = PQexec(db->conn, "SELECT to_regclass('accounts') IS NOT NULL, "
                                     "to_regclass('txstorm_bank') IS NOT NULL");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_set_error(db, err, res, false);
        PQclear(res);
        return DB_FAILED;
    }
    *accounts = PQgetvalue(res, 0, 0)[0] == 't';
    *meta = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return DB_OK;
}

enum db_status db_bank_create(struct db *db, int64_t n, int64_t balance, bool drop,
                              struct db_error *err)
{
    bool has_accounts, has_meta;
    if (bank_tables(db, &has_accounts, &has_meta, err) != DB_OK) return DB_FAILED;
    if ((has_accounts || has_meta) && !drop) {
        db_set_message(err, ERR_OTHER,
                       "a bank is already there (table %s exists); pass --drop to replace it",
                       has_accounts ? "accounts" : "txstorm_bank");
        return DB_EXISTS;
    }

    char n_s[24], bal_s[24], total_s[24];
    snprintf(n_s, sizeof n_s, "%" PRId64, n);
    snprintf(bal_s, sizeof bal_s, "%" PRId64, balance);
    snprintf(total_s, sizeof total_s, "%" PRId64, n * balance);
    const char *params[] = {n_s, bal_s, total_s};

    if (!db_exec_ok(db, "BEGIN", err)) return DB_FAILED;
    if ((drop && !db_exec_ok(db, "DROP TABLE IF EXISTS accounts, txstorm_bank", err)) ||
        !db_exec_ok(db, "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                    err) ||
        !db_exec_ok(
            db,
            "CREATE TABLE txstorm_bank (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),"
            " accounts BIGINT NOT NULL, initial_balance BIGINT NOT NULL,"
            " initial_total BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            err))
        goto fail;

    PGresult *res = PQexecParams(db->conn,
                                 "INSERT INTO accounts (id, balance) "
                                 "SELECT g, $2::BIGINT FROM generate_series(1, $1::BIGINT) g",
                                 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) db_set_error(db, err, res, false);
    PQclear(res);
    if (!ok) goto fail;

    res = PQexecParams(db->conn,
                       "INSERT INTO txstorm_bank (accounts, initial_balance, initial_total) "
                       "VALUES ($1::BIGINT, $2::BIGINT, $3::BIGINT)",
                       3, NULL, params, NULL, NULL, 0);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) db_set_error(db, err, res, false);
    PQclear(res);
    if (!ok) goto fail;

    if (!db_exec_ok(db, "COMMIT", err)) return DB_FAILED;
    return DB_OK;
fail:
    db_rollback(db);
    return DB_FAILED;
}

static enum db_status read_meta(struct db *db, struct bank_meta *meta, struct db_error *err)
{
    bool has_accounts, has_meta;
    if (bank_tables(db, &has_accounts, &has_meta, err) != DB_OK) return DB_FAILED;
    if (!has_meta) {
        db_set_message(err, ERR_OTHER,
                       has_accounts ? "table accounts exists but was not created by txstorm "
                                      "(no txstorm_bank metadata); run 'txstorm init --drop'"
                                    : "no bank here; run 'txstorm init' first");
        return DB_MISSING;
    }
    if (!has_accounts) {
        db_set_message(err, ERR_OTHER, "bank is malformed: table accounts is missing");
        return DB_MISSING;
    }
    PGresult *res = PQexec(db->conn, "SELECT accounts, initial_total FROM txstorm_bank");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_set_error(db, err, res, false);
        PQclear(res);
        return DB_FAILED;
    }
    bool ok = PQntuples(res) == 1 && PQnfields(res) == 2 &&
              db_cell_i64(res, 0, 0, &meta->accounts) &&
              db_cell_i64(res, 0, 1, &meta->initial_total);
    PQclear(res);
    if (!ok) {
        db_set_message(err, ERR_OTHER, "bank is malformed: txstorm_bank must hold one row");
        return DB_MISSING;
    }
    return DB_OK;
}

enum db_status db_bank_meta(struct db *db, struct bank_meta *meta, struct db_error *err)
{
    return read_meta(db, meta, err);
}

enum db_status db_bank_snapshot(struct db *db, struct bank_snapshot *snap, struct db_error *err)
{
    /* One REPEATABLE READ transaction: the metadata and every balance are read
     * from the same snapshot, so in-flight transfers cannot skew the sum. */
    if (!db_exec_ok(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) return DB_FAILED;
    enum db_status st = read_meta(db, &snap->meta, err);
    if (st != DB_OK) {
        db_rollback(db);
        return st;
    }
    /* sum() of BIGINT is NUMERIC: a total beyond int64 shows up as a parse failure. */
    PGresult *res = PQexec(db->conn, "SELECT count(*), coalesce(sum(balance), 0), "
                                     "count(*) FILTER (WHERE balance < 0), "
                                     "coalesce(min(id), 0), coalesce(max(id), 0) FROM accounts");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_set_error(db, err, res, false);
        PQclear(res);
        db_rollback(db);
        return DB_FAILED;
    }
    bool ok = db_cell_i64(res, 0, 0, &snap->accounts) && db_cell_i64(res, 0, 1, &snap->total) &&
              db_cell_i64(res, 0, 2, &snap->negative) && db_cell_i64(res, 0, 3, &snap->min_id) &&
              db_cell_i64(res, 0, 4, &snap->max_id);
    PQclear(res);
    if (!ok) {
        db_set_message(err, ERR_OTHER, "bank is malformed: the total of balances overflows BIGINT");
        db_rollback(db);
        return DB_MISSING;
    }
    return db_exec_ok(db, "COMMIT", err) ? DB_OK : DB_FAILED;
}

/* ---- the demo's table ---- */

enum db_status db_demo_reset(struct db *db, struct db_error *err)
{
    if (!db_exec_ok(db,
                    "CREATE TABLE IF NOT EXISTS txstorm_demo_accounts "
                    "(id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                    err) ||
        !db_exec_ok(db,
                    "INSERT INTO txstorm_demo_accounts (id, balance) VALUES (1, 1000), (2, 250) "
                    "ON CONFLICT (id) DO UPDATE SET balance = excluded.balance",
                    err))
        return DB_FAILED;
    return DB_OK;
}

enum db_status db_demo_balances(struct db *db, int64_t balances[2], struct db_error *err)
{
    PGresult *res =
        PQexec(db->conn, "SELECT id, balance FROM txstorm_demo_accounts WHERE id IN (1, 2) "
                         "ORDER BY id");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_set_error(db, err, res, false);
        PQclear(res);
        return DB_FAILED;
    }
    bool ok = PQntuples(res) == 2 && db_cell_i64(res, 0, 1, &balances[0]) &&
              db_cell_i64(res, 1, 1, &balances[1]);
    PQclear(res);
    if (!ok) {
        db_set_message(err, ERR_OTHER, "demo accounts 1 and 2 are missing");
        return DB_MISSING;
    }
    return DB_OK;
}
