/* The faults --trigger injects: row and table locks held by the injector's
 * own session, and the termination of this run's worker sessions. */
#include "txstorm/db_trigger.h"
#include "db_internal.h"

#include "txstorm/dsn.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

enum db_status db_trigger_session(struct db *db, bool follower, struct db_error *err)
{
    return db_exec_ok(db,
                      follower ? "SET application_name = 'txstorm-follower'"
                               : "SET application_name = 'txstorm-injector'",
                      err)
               ? DB_OK
               : DB_FAILED;
}

/* Opens the injector's transaction with its lock_timeout, SET LOCAL: it ends
 * with the transaction, so a pooler never hands it on to a worker's. */
static bool begin_with_lock_timeout(struct db *db, int lock_timeout_ms, struct db_error *err)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SET LOCAL lock_timeout = %d", lock_timeout_ms);
    if (!db_exec_ok(db, "BEGIN", err)) return false;
    if (db_exec_ok(db, sql, err)) return true;
    db_rollback(db);
    return false;
}

enum db_status db_trigger_lock_rows(struct db *db, int64_t rows, int lock_timeout_ms,
                                    struct db_error *err)
{
    char n[24];
    fmt_i64(n, sizeof n, rows);
    const char *params[] = {n};
    /* In id order, as every holder of several would take them. */
    if (!begin_with_lock_timeout(db, lock_timeout_ms, err)) return DB_FAILED;
    PGresult *res = db_query(db,
                             "SELECT id FROM accounts WHERE id BETWEEN 1 AND $1 ORDER BY id "
                             "FOR UPDATE",
                             1, params, PGRES_TUPLES_OK, err);
    if (res == NULL) {
        db_rollback(db);
        return DB_FAILED;
    }
    PQclear(res);
    return DB_OK;
}

enum db_status db_trigger_lock_table(struct db *db, int lock_timeout_ms, struct db_error *err)
{
    /* EXCLUSIVE, not ACCESS EXCLUSIVE: every transfer writes, so all of them
     * wait, while plain reads (the auditor's total) go on and see it. */
    if (!begin_with_lock_timeout(db, lock_timeout_ms, err)) return DB_FAILED;
    if (!db_exec_ok(db, "LOCK TABLE accounts IN EXCLUSIVE MODE", err)) {
        db_rollback(db);
        return DB_FAILED;
    }
    return DB_OK;
}

enum db_status db_trigger_release(struct db *db, struct db_error *err)
{
    return db_exec_ok(db, "ROLLBACK", err) ? DB_OK : DB_FAILED;
}

/* What the server said while nothing was asked of it: kept by the notice
 * receiver that db_trigger_watch puts in place meanwhile. */
struct unasked {
    struct db *db;
    struct db_error *err;
    bool fatal;
};

static void keep_unasked(void *arg, const PGresult *res)
{
    struct unasked *u = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity == NULL || (strcmp(severity, "FATAL") != 0 && strcmp(severity, "PANIC") != 0))
        return; /* a notice, a warning: the session goes on */
    db_set_error(u->db, u->err, res, false);
    u->err->cls = ERR_CONNECTION;
    u->fatal = true;
}

enum db_status db_trigger_watch(struct db *db, int wait_ms, struct db_error *err)
{
    int fd = PQsocket(db->conn);
    if (fd < 0 || PQstatus(db->conn) != CONNECTION_OK) {
        db_set_message(err, ERR_CONNECTION, "the injector's connection was lost");
        return DB_FAILED;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ready = poll(&p, 1, wait_ms);
    if (ready == 0 || (ready < 0 && errno == EINTR)) return DB_OK;
    /* Idle in a transaction, the session hears nothing unless it ends: an
     * ErrorResponse (FATAL), then the close. libpq hands an unasked error
     * to the notice receiver when it parses the input (PQisBusy). */
    struct unasked u = {.db = db, .err = err};
    /* The receiver before is libpq's default, which reads no argument. */
    PQnoticeReceiver old = PQsetNoticeReceiver(db->conn, keep_unasked, &u);
    bool read = PQconsumeInput(db->conn) == 1;
    if (read) PQisBusy(db->conn);
    PQsetNoticeReceiver(db->conn, old, NULL);
    if (read && !u.fatal && PQstatus(db->conn) == CONNECTION_OK) return DB_OK;
    if (!u.fatal) {
        char msg[512];
        dsn_scrub(PQerrorMessage(db->conn), db->view.secret_list, msg, sizeof msg);
        db_set_message(err, ERR_CONNECTION, "%s", msg[0] ? msg : "the connection was lost");
    }
    return DB_FAILED;
}

char *db_int_array(const int *v, int n)
{
    char *list = malloc((size_t)n * 12 + 3);
    if (list == NULL) return NULL;
    size_t at = 0;
    list[at++] = '{';
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(list + at, 13, "%s%d", i ? "," : "", v[i]);
    list[at++] = '}';
    list[at] = '\0';
    return list;
}

enum db_status db_trigger_terminate(struct db *db, const int *pids, int n, int64_t *terminated,
                                    struct db_error *err)
{
    *terminated = 0;
    if (n == 0) return DB_OK;
    char *list = db_int_array(pids, n);
    if (list == NULL) {
        db_set_message(err, ERR_OTHER, "out of memory");
        return DB_FAILED;
    }
    const char *params[] = {list};
    /* The pids are the run's own; the filter keeps a pid reused meanwhile by
     * another session safe from it. */
    PGresult *res = db_query(db,
                             "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                             "FROM pg_stat_activity WHERE pid = ANY($1::int[]) "
                             "AND application_name = '" DB_WORKER_APPLICATION_NAME "' "
                             "AND datname = current_database()",
                             1, params, PGRES_TUPLES_OK, err);
    free(list);
    if (res == NULL) return DB_FAILED;
    bool ok = db_cell_i64(res, 0, 0, terminated);
    PQclear(res);
    if (!ok) db_set_message(err, ERR_OTHER, "pg_terminate_backend: no count returned");
    return ok ? DB_OK : DB_FAILED;
}
