/* The db module's connections and errors (and the demo's table). With
 * db_bank.c and db_transfer.c it holds every libpq call of txstorm: nothing
 * above these files sees a PGconn or PGresult. */
#include "txstorm/db.h"

#include "db_internal.h"
#include "txstorm/dsn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
    dsn_scrub(msg, db->view.secret_list, err->message, sizeof err->message);
    /* A transaction pooler hands each transaction another server session,
     * where the named statements were never prepared (26000) or another
     * client's already were (42P05, at preparation). */
    if (state && (strcmp(state, "26000") == 0 || strcmp(state, "42P05") == 0) &&
        db->spec.query_mode == QUERY_PREPARED) {
        size_t n = strcspn(err->message, "\n");
        snprintf(err->message + n, sizeof err->message - n,
                 " (behind a transaction pooler? use --query-mode extended)");
    }
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

void db_cancel_release(struct db_cancel_ref *ref)
{
    if (ref == NULL || atomic_fetch_sub(&ref->refs, 1) != 1) return;
    PQfreeCancel(ref->cancel);
    free(ref);
}

void db_cancel_swap(struct db *db, PGcancel *fresh, int backend_pid)
{
    struct db_cancel_ref *ref = fresh ? malloc(sizeof *ref) : NULL;
    if (ref) {
        ref->cancel = fresh;
        atomic_init(&ref->refs, 1);
    } else if (fresh) {
        PQfreeCancel(fresh); /* out of memory: this session cannot be cancelled */
    }
    pthread_mutex_lock(&db->cancel_lock);
    struct db_cancel_ref *old = db->cancel;
    db->cancel = ref;
    db->backend_pid = backend_pid;
    pthread_mutex_unlock(&db->cancel_lock);
    db_cancel_release(old);
}

/* The cancel handle of the current session, for db_cancel. */
static void renew_cancel(struct db *db)
{
    db_cancel_swap(db, PQgetCancel(db->conn), PQbackendPID(db->conn));
}

static PGconn *connect_within(const char *dsn, int timeout_s);

struct db *db_connect(const char *dsn, struct db_error *err)
{
    return db_connect_within(dsn, 0, err);
}

struct db *db_connect_within(const char *dsn, int timeout_s, struct db_error *err)
{
    struct db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        db_set_message(err, ERR_OTHER, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&db->cancel_lock, NULL);
    char why[256];
    if (db_dsn_inspect(dsn, &db->view, why, sizeof why) != 0) {
        db_set_message(err, ERR_CONNECTION, "cannot connect to the database: %s", why);
        db_close(db);
        return NULL;
    }
    db->dsn = dsn;
    db->conn = timeout_s > 0 ? connect_within(dsn, timeout_s) : PQconnectdb(dsn ? dsn : "");
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        char msg[512];
        dsn_scrub(db->conn ? PQerrorMessage(db->conn) : "out of memory", db->view.secret_list, msg,
                  sizeof msg);
        db_set_message(err, ERR_CONNECTION, "cannot connect to the database: %s", msg);
        db_close(db);
        return NULL;
    }
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    renew_cancel(db);
    const char *version = PQparameterStatus(db->conn, "server_version");
    db->dialect = dialect_detect(PQparameterStatus(db->conn, "crdb_version"), version);
    snprintf(db->server_version, sizeof db->server_version, "%s", version ? version : "unknown");
    return db;
}

int db_backend_pid(struct db *db)
{
    pthread_mutex_lock(&db->cancel_lock);
    int pid = db->backend_pid;
    pthread_mutex_unlock(&db->cancel_lock);
    return pid;
}

void db_close(struct db *db)
{
    if (db == NULL) return;
    db_cancel_swap(db, NULL, 0);
    pthread_mutex_destroy(&db->cancel_lock);
    PQclear(db->setup.res);
    db->setup.res = NULL;
    if (db->conn) PQfinish(db->conn);
    free(db);
}

struct db_cancel_ref *db_cancel_hold(struct db *db)
{
    pthread_mutex_lock(&db->cancel_lock);
    struct db_cancel_ref *ref = db->cancel;
    if (ref) atomic_fetch_add(&ref->refs, 1);
    pthread_mutex_unlock(&db->cancel_lock);
    return ref;
}

bool db_cancel_send(struct db_cancel_ref *ref)
{
    char why[256];
    return ref && PQcancel(ref->cancel, why, sizeof why);
}


void db_hang_up(struct db *db)
{
    int fd = db->conn ? PQsocket(db->conn) : -1;
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

const char *db_server_version(struct db *db) { return db->server_version; }

bool db_ok(struct db *db) { return db && PQstatus(db->conn) == CONNECTION_OK; }

const struct dialect *db_dialect(const struct db *db) { return db->dialect; }

/* A fresh connection with the same DSN, its connect_timeout capped (the
 * DSN's own setting, if any, still wins). */
static PGconn *connect_within(const char *dsn, int timeout_s)
{
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", timeout_s);
    /* A worker reconnects to write: among several hosts, the writable one. */
    const char *const keys[] = {"connect_timeout", "target_session_attrs", "dbname", NULL};
    const char *const values[] = {timeout, "read-write", dsn ? dsn : "", NULL};
    return PQconnectdbParams(keys, values, 1);
}

enum db_status db_reconnect(struct db *db, int timeout_s, struct db_error *err)
{
    if (timeout_s > 0) {
        PGconn *fresh = connect_within(db->dsn, timeout_s);
        if (fresh == NULL) {
            db_set_message(err, ERR_CONNECTION, "cannot reconnect: out of memory");
            return DB_FAILED;
        }
        PQfinish(db->conn);
        db->conn = fresh;
    } else {
        PQreset(db->conn);
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        char msg[512];
        dsn_scrub(PQerrorMessage(db->conn), db->view.secret_list, msg, sizeof msg);
        db_set_message(err, ERR_CONNECTION, "cannot reconnect: %s", msg);
        return DB_FAILED;
    }
    db_session_begins(db);
    return DB_OK;
}

void db_session_begins(struct db *db)
{
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    renew_cancel(db);
    db->pipeline = false; /* a fresh session: prepared for nothing yet */
}

bool db_prefer_writable(struct db *db, int timeout_s)
{
    struct db_error ignored;
    if (db_check_writable(db, &ignored)) return true;
    PGconn *fresh = connect_within(db->dsn, timeout_s);
    if (fresh == NULL || PQstatus(fresh) != CONNECTION_OK) {
        PQfinish(fresh);
        return false;
    }
    PQfinish(db->conn);
    db->conn = fresh;
    db_session_begins(db);
    return db_check_writable(db, &ignored);
}

enum db_status db_connection_limits(struct db *db, struct conn_limits *out, struct db_error *err)
{
    /* reserved_connections and pg_use_reserved_connections exist from
     * PostgreSQL 16; before, the setting reads as NULL and the role as absent. */
    PGresult *res = db_query(
        db,
        "SELECT current_setting('max_connections')::bigint,"
        " current_setting('superuser_reserved_connections')::bigint,"
        " coalesce(current_setting('reserved_connections', true)::bigint, 0),"
        " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
        " coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)::int,"
        " (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_use_reserved_connections'"
        "          AND pg_has_role(current_user, oid, 'USAGE')))::int",
        0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) return db->dialect->connection_limits ? DB_FAILED : DB_MISSING;
    int64_t superuser = 0, may_use_reserved = 0;
    bool ok = db_cell_i64(res, 0, 0, &out->max_connections) &&
              db_cell_i64(res, 0, 1, &out->superuser_reserved) &&
              db_cell_i64(res, 0, 2, &out->reserved) && db_cell_i64(res, 0, 3, &out->in_use) &&
              db_cell_i64(res, 0, 4, &superuser) && db_cell_i64(res, 0, 5, &may_use_reserved);
    PQclear(res);
    if (!ok) return DB_MISSING;
    out->superuser = superuser != 0;
    out->may_use_reserved = may_use_reserved != 0;
    return DB_OK;
}

const char *db_read_only_reported(const struct db *db, bool *reported)
{
    /* PostgreSQL 14 and later report both at connect and at every change. */
    const char *standby = PQparameterStatus(db->conn, "in_hot_standby");
    const char *read_only = PQparameterStatus(db->conn, "default_transaction_read_only");
    *reported = standby || read_only;
    if (standby && strcmp(standby, "on") == 0) return "in hot standby";
    if (read_only && strcmp(read_only, "on") == 0) return "default_transaction_read_only is on";
    return NULL;
}

const char *db_read_only_shown(const PGresult *res)
{
    return PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                   strcmp(PQgetvalue(res, 0, 0), "on") == 0
               ? "transaction_read_only is on"
               : NULL;
}

bool db_read_only_failure(struct db *db, const char *why, struct db_error *err)
{
    db_set_message(err, ERR_CONNECTION, "the server at %s:%s is read-only (%s)", PQhost(db->conn),
                   PQport(db->conn), why);
    snprintf(err->sqlstate, sizeof err->sqlstate, "25006");
    return false;
}

bool db_check_writable(struct db *db, struct db_error *err)
{
    bool reported;
    const char *why = db_read_only_reported(db, &reported);
    if (!reported) {
        /* Older servers and other kinds are asked; one that cannot say is
         * taken as writable, and a refused write (25006) still tells. */
        PGresult *res = PQexec(db->conn, DB_READ_ONLY_SQL);
        why = db_read_only_shown(res);
        PQclear(res);
    }
    return why == NULL || db_read_only_failure(db, why, err);
}

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
PGresult *db_query(struct db *db, const char *sql, int n, const char *const *params,
                   ExecStatusType want, struct db_error *err)
{
    PGresult *res =
        n ? PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0) : PQexec(db->conn, sql);
    if (PQresultStatus(res) == want) return res;
    db_set_error(db, err, res, false);
    PQclear(res);
    return NULL;
}

bool db_cell_i64(const PGresult *res, int row, int col, int64_t *out)
{
    if (PQgetisnull(res, row, col)) return false;
    char *end;
    const char *s = PQgetvalue(res, row, col);
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE) return false;
    if (*end != '\0' || end == s) return false;
    *out = v;
    return true;
}

/* ---- the bank ---- */

/* ---- the demo's table ---- */
