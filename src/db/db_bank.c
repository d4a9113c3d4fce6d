/* The bank's tables: creating them, reading the metadata, the consistent
 * snapshot the checker judges, run registration and the ledger scan. */
#include "db_internal.h"

#include "txstorm/clock.h"
#include "txstorm/db_bank.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Whether 'accounts' and 'txstorm_bank' exist in the current search_path. */
static enum db_status bank_tables(struct db *db, bool *accounts, bool *meta, struct db_error *err)
{
    PGresult *res = db_query(db,
                             "SELECT to_regclass('accounts') IS NOT NULL, "
                             "to_regclass('txstorm_bank') IS NOT NULL",
                             0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) return DB_FAILED;
    *accounts = PQgetvalue(res, 0, 0)[0] == 't';
    *meta = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return DB_OK;
}

static bool exec_params(struct db *db, const char *sql, int n, const char *const *params,
                        struct db_error *err)
{
    PGresult *res = db_query(db, sql, n, params, PGRES_COMMAND_OK, err);
    PQclear(res);
    return res != NULL;
}

enum db_status db_bank_create(struct db *db, int64_t n, int64_t balance, int64_t bank_id, bool drop,
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

    char n_s[24], bal_s[24], total_s[24], id_s[24];
    fmt_i64(n_s, sizeof n_s, n);
    fmt_i64(bal_s, sizeof bal_s, balance);
    fmt_i64(total_s, sizeof total_s, n * balance);
    fmt_i64(id_s, sizeof id_s, bank_id);
    const char *params[] = {n_s, bal_s, total_s, id_s};

    /* transfer_id is indexed, not unique: a duplicate is the checker's finding
     * to report, not the database's to refuse. */
    bool ok =
        db_exec_ok(db, "BEGIN", err) &&
        (!drop || db_exec_ok(db,
                             "DROP TABLE IF EXISTS accounts, txstorm_bank, transfers, "
                             "txstorm_barrier, txstorm_trigger",
                             err)) &&
        db_exec_ok(db, "CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)",
                   err) &&
        db_exec_ok(db,
                   "CREATE TABLE txstorm_bank (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),"
                   " accounts BIGINT NOT NULL, initial_balance BIGINT NOT NULL,"
                   " initial_total BIGINT NOT NULL, ledger_complete BOOLEAN NOT NULL DEFAULT TRUE,"
                   " runs BIGINT NOT NULL DEFAULT 0, bank_id BIGINT NOT NULL,"
                   " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                   err) &&
        db_exec_ok(db,
                   "CREATE TABLE transfers (run_id BIGINT NOT NULL, transfer_id BIGINT NOT NULL,"
                   " from_id BIGINT NOT NULL, to_id BIGINT NOT NULL, amount BIGINT NOT NULL,"
                   " worker INT NOT NULL, attempt_started_at TIMESTAMPTZ NOT NULL)",
                   err) &&
        db_exec_ok(db, "CREATE INDEX transfers_run_transfer ON transfers (run_id, transfer_id)",
                   err) &&
        db_exec_ok(db,
                   "CREATE TABLE txstorm_barrier (key BIGINT NOT NULL, instance INT NOT NULL,"
                   " instances INT NOT NULL, arrived_at TIMESTAMPTZ NOT NULL,"
                   " PRIMARY KEY (key, instance))",
                   err) &&
        /* The triggers instance 0 injects for all (db_trigger_share.h). */
        db_exec_ok(db,
                   "CREATE TABLE txstorm_trigger (key BIGINT NOT NULL, trigger INT NOT NULL,"
                   " instance INT NOT NULL, worker_pids INT[], worker_endpoints INT[],"
                   " start_us BIGINT, end_us BIGINT,"
                   " released TEXT, release_error TEXT, terminated BIGINT, failed BOOLEAN,"
                   " error TEXT, exit_status INT, exit_signal INT, output TEXT,"
                   " PRIMARY KEY (key, trigger, instance))",
                   err) &&
        exec_params(db,
                    "INSERT INTO accounts (id, balance) "
                    "SELECT g, $2::BIGINT FROM generate_series(1, $1::BIGINT) g",
                    2, params, err) &&
        exec_params(db,
                    "INSERT INTO txstorm_bank (accounts, initial_balance, initial_total, bank_id) "
                    "VALUES ($1::BIGINT, $2::BIGINT, $3::BIGINT, $4::BIGINT)",
                    4, params, err) &&
        db_exec_ok(db, "COMMIT", err);
    if (!ok) db_rollback(db);
    return ok ? DB_OK : DB_FAILED;
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
    PGresult *res = db_query(db,
                             "SELECT accounts, initial_balance, initial_total, ledger_complete, "
                             "bank_id FROM txstorm_bank",
                             0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) {
        /* An older bank lacks the columns: that is a bank to re-create, not an outage. */
        if (strcmp(err->sqlstate, "42703") != 0) return DB_FAILED;
        db_set_message(err, ERR_OTHER,
                       "bank is from an older txstorm (txstorm_bank lacks columns); run "
                       "'txstorm init --drop'");
        return DB_MISSING;
    }
    bool ok = PQntuples(res) == 1 && db_cell_i64(res, 0, 0, &meta->accounts) &&
              db_cell_i64(res, 0, 1, &meta->initial_balance) &&
              db_cell_i64(res, 0, 2, &meta->initial_total) &&
              db_cell_i64(res, 0, 4, &meta->bank_id);
    if (ok) meta->ledger_complete = PQgetvalue(res, 0, 3)[0] == 't';
    PQclear(res);
    if (!ok) {
        db_set_message(err, ERR_OTHER, "bank is malformed: txstorm_bank must hold one row");
        return DB_MISSING;
    }
    return DB_OK;
}

/* Runs hold this advisory lock shared; init --drop takes it alone. */
#define BANK_LOCK "8392920297584504065" /* 0x7478_7374_6f72_6d01, "txstorm" */

/* A server without advisory locks (its dialect says so, or, where it is
 * probed, answers 42883: no such function, or 0A000: not implemented) is
 * used without the guard. */
static enum db_status bank_lock(struct db *db, const char *sql, bool *held, struct db_error *err)
{
    *held = true;
    if (db->dialect->advisory_locks == ADVISORY_NO) return DB_OK;
    PGresult *res = db_query(db, sql, 0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) {
        bool unsupported =
            db->dialect->advisory_locks == ADVISORY_PROBE &&
            (strcmp(err->sqlstate, "42883") == 0 || strcmp(err->sqlstate, "0A000") == 0);
        return unsupported ? DB_OK : DB_FAILED;
    }
    *held = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return DB_OK;
}

enum db_status db_bank_hold(struct db *db, struct db_error *err)
{
    bool held;
    return bank_lock(db, "SELECT true FROM pg_advisory_lock_shared(" BANK_LOCK ")", &held, err);
}

enum db_status db_bank_claim(struct db *db, struct db_error *err)
{
    bool claimed;
    if (bank_lock(db, "SELECT pg_try_advisory_lock(" BANK_LOCK ")", &claimed, err) != DB_OK)
        return DB_FAILED;
    if (claimed) return DB_OK;
    db_set_message(err, ERR_OTHER,
                   "a txstorm run is using this bank; --drop would pull it from under the run "
                   "(wait for the run to end)");
    return DB_EXISTS;
}

enum db_status db_bank_meta(struct db *db, struct bank_meta *meta, struct db_error *err)
{
    return read_meta(db, meta, err);
}

/* Accounts whose balance is not what the ledger says it should be. */
static bool read_ledger_balances(struct db *db, struct bank_snapshot *snap, const char *as_of,
                                 struct db_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH d AS (SELECT from_id AS id, sum(amount) AS s FROM transfers%1$s GROUP BY 1),"
             " c AS (SELECT to_id AS id, sum(amount) AS s FROM transfers%1$s GROUP BY 1),"
             " bad AS (SELECT a.id, a.balance AS actual,"
             "   b.initial_balance + coalesce(c.s, 0) - coalesce(d.s, 0) AS expected"
             "   FROM accounts%1$s AS a CROSS JOIN txstorm_bank%1$s AS b"
             "   LEFT JOIN c ON c.id = a.id LEFT JOIN d ON d.id = a.id"
             "   WHERE a.balance <> b.initial_balance + coalesce(c.s, 0) - coalesce(d.s, 0))"
             " SELECT (SELECT count(*) FROM bad), id, expected, actual FROM bad"
             " ORDER BY id LIMIT 1",
             as_of);
    PGresult *res = db_query(db, sql, 0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) return false;
    snap->ledger_read = true;
    snap->ledger_mismatches = 0;
    bool ok = true;
    if (PQntuples(res) == 1)
        ok = db_cell_i64(res, 0, 0, &snap->ledger_mismatches) &&
             db_cell_i64(res, 0, 1, &snap->first_mismatch_id) &&
             db_cell_i64(res, 0, 2, &snap->first_mismatch_expected) &&
             db_cell_i64(res, 0, 3, &snap->first_mismatch_actual);
    PQclear(res);
    if (!ok) db_set_message(err, ERR_OTHER, "bank is malformed: ledger sums overflow BIGINT");
    return ok;
}

enum db_status db_bank_snapshot(struct db *db, bool ledger, const char *as_of,
                                struct bank_snapshot *snap, struct db_error *err)
{
    memset(snap, 0, sizeof *snap);
    /* One snapshot for everything: the metadata and every balance are read
     * at the same moment, so in-flight transfers cannot skew the sums. */
    char clause[64] = "";
    if (as_of) snprintf(clause, sizeof clause, " AS OF SYSTEM TIME '%s'", as_of);
    if (!db_exec_ok(db, as_of ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err))
        return DB_FAILED;
    enum db_status st = read_meta(db, &snap->meta, err);
    if (st != DB_OK) {
        db_rollback(db);
        return st;
    }
    /* sum() of BIGINT is NUMERIC: a total beyond int64 shows up as a parse failure. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*), coalesce(sum(balance), 0), count(*) FILTER (WHERE balance < 0), "
             "coalesce(min(id), 0), coalesce(max(id), 0) FROM accounts%s",
             clause);
    PGresult *res = db_query(db, sql, 0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) {
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
    if (ledger && snap->meta.ledger_complete && !read_ledger_balances(db, snap, clause, err)) {
        db_rollback(db);
        return DB_FAILED;
    }
    return db_exec_ok(db, "COMMIT", err) ? DB_OK : DB_FAILED;
}

/* What the workers' statements need, checked before the first transfer: a
 * missing privilege would otherwise fail every transfer, one by one. */
static enum db_status check_privileges(struct db *db, bool ledger, struct db_error *err)
{
    /* Per column, as the statements use them (db_transfer.c): a table-wide
     * grant answers yes for every column, and so does a least-privilege role
     * granted just these. */
    PGresult *res = db_query(
        db,
        "SELECT has_column_privilege('accounts', 'id', 'SELECT') AND"
        "       has_column_privilege('accounts', 'balance', 'SELECT') AND"
        "       has_column_privilege('accounts', 'balance', 'UPDATE'),"
        "       bool_and(has_column_privilege('transfers', c, 'INSERT'))"
        " FROM unnest(ARRAY['run_id', 'transfer_id', 'from_id', 'to_id', 'amount', 'worker',"
        "                   'attempt_started_at']) AS c",
        0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) return DB_FAILED;
    bool accounts = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    bool transfers = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    PQclear(res);
    if (!accounts)
        db_set_message(err, ERR_OTHER,
                       "the user may not read and update table accounts (SELECT on id and "
                       "balance, UPDATE on balance); grant them or connect as another user");
    else if (ledger && !transfers)
        db_set_message(err, ERR_OTHER,
                       "--ledger: the user may not insert into table transfers (INSERT on its "
                       "columns); grant it or connect as another user");
    return accounts && (!ledger || transfers) ? DB_OK : DB_FAILED;
}

enum db_status db_bank_begin_run(struct db *db, bool ledger, int64_t *run_id, struct db_error *err)
{
    *run_id = 0;
    if (check_privileges(db, ledger, err) != DB_OK) return DB_FAILED;
    if (!ledger) {
        /* Written only when it changes: a run without the ledger leaves the
         * per-account ledger invariant nothing to stand on. */
        return exec_params(db,
                           "UPDATE txstorm_bank SET ledger_complete = false WHERE ledger_complete",
                           0, NULL, err)
                   ? DB_OK
                   : DB_FAILED;
    }
    PGresult *res = db_query(db, "UPDATE txstorm_bank SET runs = runs + 1 RETURNING runs", 0, NULL,
                             PGRES_TUPLES_OK, err);
    if (res == NULL) return DB_FAILED;
    bool ok = PQntuples(res) == 1 && db_cell_i64(res, 0, 0, run_id);
    PQclear(res);
    if (!ok) db_set_message(err, ERR_OTHER, "bank is malformed: txstorm_bank must hold one row");
    return ok ? DB_OK : DB_MISSING;
}

enum db_status db_ledger_scan(struct db *db, int64_t run_id, void (*row)(void *, int64_t),
                              void *arg, struct db_error *err)
{
    char run_s[24];
    fmt_i64(run_s, sizeof run_s, run_id);
    const char *params[] = {run_s};
    /* Single-row mode streams millions of ids without holding them all. */
    if (!PQsendQueryParams(db->conn, "SELECT transfer_id FROM transfers WHERE run_id = $1", 1, NULL,
                           params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(db->conn)) {
        db_set_error(db, err, NULL, false);
        return DB_FAILED;
    }
    enum db_status st = DB_OK;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(res);
        int64_t id;
        if (s == PGRES_SINGLE_TUPLE && db_cell_i64(res, 0, 0, &id))
            row(arg, id);
        else if (s != PGRES_TUPLES_OK && st == DB_OK) {
            db_set_error(db, err, res, false);
            st = DB_FAILED;
        }
        PQclear(res);
    }
    return st;
}

/* How often an instance looks at the barrier while it waits. */
#define BARRIER_POLL_US 50000

/* An interrupted wait: the instance leaves, so no partner counts it as arrived. */
static enum db_status barrier_interrupted(struct db *db, int64_t key, int instance, int n, int sig,
                                          int64_t waited_us, int64_t arrived, struct db_error *err)
{
    db_barrier_leave(db, key, instance);
    db_set_message(err, ERR_OTHER,
                   "barrier: interrupted (%s) after %.1f s, with %lld of %d instances arrived "
                   "(seed %lld); this instance left the barrier and ran nothing",
                   sig == SIGINT    ? "SIGINT"
                   : sig == SIGTERM ? "SIGTERM"
                   : sig == SIGHUP  ? "SIGHUP"
                                    : "a signal",
                   (double)waited_us / 1e6, (long long)arrived, n, (long long)key);
    return DB_FAILED;
}

enum db_status db_barrier_wait(struct db *db, int64_t key, int instance, int n, int64_t timeout_us,
                               int (*pause)(void *pause_arg, int64_t us), void *pause_arg,
                               struct db_error *err)
{
    char key_s[24], instance_s[16], n_s[16], timeout_s[32];
    fmt_i64(key_s, sizeof key_s, key);
    snprintf(instance_s, sizeof instance_s, "%d", instance);
    snprintf(n_s, sizeof n_s, "%d", n);
    snprintf(timeout_s, sizeof timeout_s, "%lld microseconds", (long long)timeout_us);
    const char *params[] = {key_s, instance_s, n_s};
    PGresult *res = db_query(db,
                             "INSERT INTO txstorm_barrier (key, instance, instances, arrived_at)"
                             " VALUES ($1, $2, $3, clock_timestamp())"
                             " ON CONFLICT (key, instance) DO UPDATE"
                             " SET instances = excluded.instances, arrived_at = excluded.arrived_at"
                             " RETURNING arrived_at::text",
                             3, params, PGRES_TUPLES_OK, err);
    if (res == NULL) {
        if (strcmp(err->sqlstate, "42P01") == 0)
            db_set_message(err, ERR_OTHER,
                           "bank has no txstorm_barrier table (made by an older txstorm); run "
                           "'txstorm init --drop'");
        return DB_FAILED;
    }
    char arrived_s[64];
    snprintf(arrived_s, sizeof arrived_s, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    /* Rows from before this arrival minus the timeout are an earlier run's leftovers. */
    const char *count_params[] = {key_s, n_s, arrived_s, timeout_s};
    int64_t since_us = clock_now_us(), deadline_us = since_us + timeout_us, arrived = 0,
            start_in_us = 0;
    for (;;) {
        res = db_query(
            db,
            "SELECT count(*), coalesce((extract(epoch FROM max(arrived_at) + interval '1 second'"
            " - clock_timestamp()) * 1e6)::bigint, 0) FROM txstorm_barrier"
            " WHERE key = $1 AND instances = $2 AND arrived_at > $3::timestamptz - $4::interval",
            4, count_params, PGRES_TUPLES_OK, err);
        if (res == NULL) return DB_FAILED;
        bool ok = db_cell_i64(res, 0, 0, &arrived) && db_cell_i64(res, 0, 1, &start_in_us);
        PQclear(res);
        if (!ok) return DB_FAILED;
        if (arrived >= n) break;
        if (clock_now_us() >= deadline_us) {
            db_set_message(err, ERR_OTHER,
                           "barrier: %lld of %d instances arrived within %.3g s (seed %lld); "
                           "start them all with the same --seed and --instance I/%d",
                           (long long)arrived, n, (double)timeout_us / 1e6, (long long)key, n);
            db_barrier_leave(db, key, instance);
            return DB_MISSING;
        }
        int sig = pause(pause_arg, BARRIER_POLL_US);
        if (sig)
            return barrier_interrupted(db, key, instance, n, sig, clock_now_us() - since_us,
                                       arrived, err);
    }
    int sig = start_in_us > 0 ? pause(pause_arg, start_in_us) : 0;
    if (sig)
        return barrier_interrupted(db, key, instance, n, sig, clock_now_us() - since_us, arrived,
                                   err);
    return DB_OK;
}

void db_barrier_leave(struct db *db, int64_t key, int instance)
{
    char key_s[24], instance_s[16];
    fmt_i64(key_s, sizeof key_s, key);
    snprintf(instance_s, sizeof instance_s, "%d", instance);
    const char *params[] = {key_s, instance_s};
    struct db_error ignored;
    exec_params(db, "DELETE FROM txstorm_barrier WHERE key = $1 AND instance = $2", 2, params,
                &ignored);
    /* The last to leave takes the run's trigger rows with it: each instance
     * leaves first, then looks, so whichever leaves last sees none left (a
     * bank from before the table has nothing to take). */
    exec_params(db,
                "DELETE FROM txstorm_trigger WHERE key = $1 AND NOT EXISTS"
                " (SELECT 1 FROM txstorm_barrier WHERE key = $1)",
                1, params, &ignored);
}

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
