/* Opening a connection without blocking: libpq's PQconnectStartParams and
 * PQconnectPoll, one server of the connection string at a time, so that the
 * caller's event loop can bound each server's share with a timer of its own
 * (libpq's connect_timeout does nothing for a connection opened this way). */
#include "txstorm/db.h"

#include "db_internal.h"
#include "txstorm/connect_reason.h"
#include "txstorm/dsn.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 64
#define LIST_ITEM_MAX 256

/* The connection string's options as libpq parsed them; NULL when it
 * cannot be parsed (db_connect has already refused such a string). */
static PQconninfoOption *parse(const struct db *db)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(db->dsn ? db->dsn : "", &why);
    PQfreemem(why); /* it may quote the string */
    return opts;
}

static const char *option(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0) return o->val;
    return NULL;
}

int db_open_hosts(const struct db *db)
{
    PQconninfoOption *opts = parse(db);
    int n = dsn_host_count(option(opts, "host"), option(opts, "hostaddr"), option(opts, "port"));
    PQconninfoFree(opts);
    return n;
}

int64_t db_open_timeout_us(const struct db *db, int64_t fallback_us)
{
    PQconninfoOption *opts = parse(db);
    const char *v = option(opts, "connect_timeout");
    char *end;
    long s = v ? strtol(v, &end, 10) : 0;
    /* libpq's own reading: 0 or less waits forever, 1 counts as 2. */
    int64_t us = v && *end == '\0' && s > 0 ? (s < 2 ? 2 : s) * 1000000LL : fallback_us;
    PQconninfoFree(opts);
    return us;
}

/* Closes the connection at once, socket and all; what db_cancel would
 * reach goes with it. */
static void drop(struct db *db)
{
    db_cancel_swap(db, NULL, 0);
    PQclear(db->setup.res);
    db->setup.res = NULL;
    PQfinish(db->conn);
    db->conn = NULL;
    db->pipeline = false;
}

/* what: libpq's error, verbose while connecting, so a refusal's SQLSTATE
 * (53300, 57P03...) is in err and out of the message. */
static void failed(struct db *db, int host, int hosts, const char *what, struct db_error *err)
{
    char msg[512], tidy[1024], sqlstate[6];
    connect_error_tidy(what, sqlstate, tidy, sizeof tidy);
    dsn_scrub(tidy, db->view.secret_list, msg, sizeof msg);
    if (hosts > 1)
        db_set_message(err, ERR_CONNECTION, "cannot reconnect (server %d of %d): %s", host + 1,
                       hosts, msg);
    else
        db_set_message(err, ERR_CONNECTION, "cannot reconnect: %s", msg);
    memcpy(err->sqlstate, sqlstate, sizeof err->sqlstate);
}

enum db_opening db_open_start(struct db *db, int host, struct db_error *err)
{
    drop(db);
    PQconninfoOption *opts = parse(db);
    const char *hosts_list = option(opts, "host"), *addrs = option(opts, "hostaddr"),
               *ports = option(opts, "port");
    int hosts = dsn_host_count(hosts_list, addrs, ports);
    const char *keys[MAX_PARAMS + 3], *values[MAX_PARAMS + 3];
    char item[3][LIST_ITEM_MAX];
    int n = 0;
    bool session_attrs = false;
    for (const PQconninfoOption *o = opts; o && o->keyword && n < MAX_PARAMS; o++) {
        if (o->val == NULL) continue;
        const char *v = o->val;
        /* Each attempt names one server of the lists. */
        if (hosts > 1) {
            int which = strcmp(o->keyword, "host") == 0       ? 0
                        : strcmp(o->keyword, "hostaddr") == 0 ? 1
                        : strcmp(o->keyword, "port") == 0     ? 2
                                                              : -1;
            if (which >= 0 && dsn_list_count(v) > 1) {
                if (!dsn_list_item(v, host, item[which], sizeof item[which])) {
                    PQconninfoFree(opts);
                    failed(db, host, hosts, "a host name or port is too long", err);
                    return DB_OPEN_FAILED;
                }
                v = item[which];
            }
        }
        session_attrs = session_attrs || strcmp(o->keyword, "target_session_attrs") == 0;
        if (strcmp(o->keyword, "application_name") == 0) continue; /* a worker's, below */
        keys[n] = o->keyword;
        values[n++] = v;
    }
    /* Named from the start, not only once set up: a terminate that comes
     * meanwhile finds it among the workers' sessions, as it was told. */
    keys[n] = "application_name";
    values[n++] = DB_WORKER_APPLICATION_NAME;
    /* A worker reconnects to write: among several servers, the writable one. */
    if (!session_attrs) {
        keys[n] = "target_session_attrs";
        values[n++] = "read-write";
    }
    keys[n] = values[n] = NULL;
    db->conn = PQconnectStartParams(keys, values, 0);
    PQconninfoFree(opts);
    if (db->conn == NULL) {
        failed(db, host, hosts, "out of memory", err);
        return DB_OPEN_FAILED;
    }
    if (PQstatus(db->conn) == CONNECTION_BAD) {
        failed(db, host, hosts, PQerrorMessage(db->conn), err);
        drop(db);
        return DB_OPEN_FAILED;
    }
    /* libpq names a refused connection's SQLSTATE only in its verbose text. */
    PQsetErrorVerbosity(db->conn, PQERRORS_VERBOSE);
    /* libpq's rule: start as if the last poll had asked to write. */
    return DB_OPEN_WRITE;
}

enum db_opening db_open_poll(struct db *db, int host, struct db_error *err)
{
    if (db->conn == NULL) return DB_OPEN_FAILED;
    switch (PQconnectPoll(db->conn)) {
    case PGRES_POLLING_READING:
        return DB_OPEN_READ;
    case PGRES_POLLING_WRITING:
        return DB_OPEN_WRITE;
    case PGRES_POLLING_OK:
        PQsetErrorVerbosity(db->conn, PQERRORS_DEFAULT);
        db_session_begins(db);
        return DB_OPEN_OK;
    default:
        failed(db, host, db_open_hosts(db), PQerrorMessage(db->conn), err);
        drop(db);
        return DB_OPEN_FAILED;
    }
}

void db_open_abandon(struct db *db) { drop(db); }
