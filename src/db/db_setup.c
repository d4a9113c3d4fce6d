/* Setting a fresh session up for transfers: which server it reached, then
 * the session's settings and statements, one round trip at a time. Driven
 * by a worker's event loop (nothing blocks), or waited for. */
#include "db_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_transfer.h"

#include <string.h>

/* Each probe's columns begin with the next one's, so a server that refuses
 * one still tells what the next asks: the role, the address and port the
 * server itself took the connection on (behind a proxy, the node; NULL over
 * a Unix socket), its system identifier and timeline. A primary's timeline
 * is its current WAL file's (the checkpoint's lags behind after a promotion
 * until the next checkpoint ends); a standby's is the one it receives, else
 * its last restartpoint's. */
static const char *const identify_sql[] = {
    "SELECT pg_is_in_recovery(), host(inet_server_addr()), inet_server_port(),"
    " (SELECT system_identifier FROM pg_control_system()),"
    " CASE WHEN pg_is_in_recovery()"
    " THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver),"
    "               (SELECT timeline_id FROM pg_control_checkpoint()))"
    " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::bigint END",
    /* Without the control functions (or the right to them). */
    "SELECT pg_is_in_recovery(), host(inet_server_addr()), inet_server_port()",
    /* The role alone. */
    "SELECT pg_is_in_recovery()",
};

static void identify_begin(struct server_id *out, PGconn *conn)
{
    const char *host = PQhost(conn), *port = PQport(conn);
    *out = (struct server_id){.in_recovery = -1};
    snprintf(out->host, sizeof out->host, "%s", host ? host : "");
    snprintf(out->port, sizeof out->port, "%s", port ? port : "");
}

static void identify_read(struct server_id *out, const PGresult *res)
{
    if (PQntuples(res) != 1) return;
    int n = PQnfields(res);
    if (!PQgetisnull(res, 0, 0)) out->in_recovery = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    int64_t v;
    if (n >= 3 && !PQgetisnull(res, 0, 1))
        snprintf(out->server_addr, sizeof out->server_addr, "%s", PQgetvalue(res, 0, 1));
    if (n >= 3 && db_cell_i64(res, 0, 2, &v)) out->server_port = (int)v;
    if (n >= 5 && !PQgetisnull(res, 0, 3))
        snprintf(out->system_id, sizeof out->system_id, "%s", PQgetvalue(res, 0, 3));
    if (n >= 5 && db_cell_i64(res, 0, 4, &v)) out->timeline = v;
}

static enum db_opening lost(struct db *db, struct db_error *err)
{
    db_set_error(db, err, NULL, false);
    return DB_OPEN_FAILED;
}

/* Carries out the local steps and sends the next statement: READ when one
 * is on its way, OK when none is left. */
enum db_opening db_setup_advance(struct db *db, struct db_error *err)
{
    struct setup *s = &db->setup;
    for (; s->at < s->n; s->at++) {
        const struct setup_step *step = &s->steps[s->at];
        int sent = 0;
        switch (step->kind) {
        case SETUP_WRITABLE: {
            bool reported;
            const char *why = db_read_only_reported(db, &reported);
            if (why) {
                db_read_only_failure(db, why, err);
                return DB_OPEN_FAILED;
            }
            if (reported) continue;
            sent = PQsendQuery(db->conn, DB_READ_ONLY_SQL); /* an older server is asked */
            break;
        }
        case SETUP_PIPELINE:
            if (!PQenterPipelineMode(db->conn)) {
                db_set_message(err, ERR_OTHER, "cannot enter pipeline mode");
                return DB_OPEN_FAILED;
            }
            db->pipeline = true;
            continue;
        case SETUP_IDENTIFY:
            sent = PQsendQuery(db->conn, identify_sql[s->variant]);
            break;
        case SETUP_QUERY:
            sent = PQsendQuery(db->conn, step->sql);
            break;
        case SETUP_PREPARE:
            sent = PQsendPrepare(db->conn, step->name, step->sql, 0, NULL);
            break;
        }
        return sent ? DB_OPEN_READ : lost(db, err);
    }
    return DB_OPEN_OK;
}

/* The step's round trip is over, with res its first result. A probe the
 * server refuses is tried with less (it never fails the session), and a
 * server that cannot say whether it is read-only is taken as writable; any
 * other step's refusal fails it. */
static enum db_opening step_done(struct db *db, PGresult *res, struct db_error *err)
{
    struct setup *s = &db->setup;
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    const struct setup_step *step = &s->steps[s->at];
    if (PQstatus(db->conn) != CONNECTION_OK)
        ok = false;
    else if (step->kind == SETUP_WRITABLE) {
        /* One that cannot say is taken as writable; a refused write (25006) still tells. */
        const char *why = ok ? db_read_only_shown(res) : NULL;
        if (why) {
            db_read_only_failure(db, why, err);
            return DB_OPEN_FAILED;
        }
        ok = true;
    } else if (step->kind == SETUP_IDENTIFY) {
        if (ok) identify_read(s->id, res);
        if (!ok && ++s->variant < (int)(sizeof identify_sql / sizeof *identify_sql))
            return db_setup_advance(db, err);
        s->id->at_unix_ms = clock_wall_us() / 1000;
        ok = true;
    }
    if (!ok) {
        db_set_error(db, err, res, false);
        return DB_OPEN_FAILED;
    }
    s->at++;
    return db_setup_advance(db, err);
}

void db_setup_reset(struct db *db, struct server_id *id)
{
    struct setup *s = &db->setup;
    PQclear(s->res);
    *s = (struct setup){.id = id};
    if (id) {
        identify_begin(id, db->conn);
        s->steps[s->n++] = (struct setup_step){.kind = SETUP_IDENTIFY};
    }
}

void db_setup_add(struct db *db, enum setup_kind kind, const char *name, const char *sql)
{
    struct setup *s = &db->setup;
    if (s->n < SETUP_MAX_STEPS) s->steps[s->n++] = (struct setup_step){kind, name, sql};
}

enum db_opening db_setup_poll(struct db *db, bool readable, struct db_error *err)
{
    struct setup *s = &db->setup;
    /* A failed read marks the connection bad; the result then says why. */
    if (readable) PQconsumeInput(db->conn);
    while (!PQisBusy(db->conn)) {
        PGresult *res = PQgetResult(db->conn);
        if (res != NULL) {
            if (s->res == NULL)
                s->res = res;
            else
                PQclear(res);
            continue;
        }
        res = s->res;
        s->res = NULL;
        enum db_opening next = res ? step_done(db, res, err) : lost(db, err);
        PQclear(res);
        if (next != DB_OPEN_READ) return next;
    }
    return DB_OPEN_READ;
}
