/* Every libpq call of txstorm lives behind this interface and its three
 * companions (db_bank.h: the bank, the barrier, the ledger; db_transfer.h:
 * a transfer's statements; db_trigger.h: the --trigger faults). This one: a
 * connection, its session and its server. Error messages that leave any of
 * them have passwords scrubbed. */
#ifndef TXSTORM_DB_H
#define TXSTORM_DB_H

#include "txstorm/classify.h"
#include "txstorm/conn_slots.h"
#include "txstorm/dialect.h"
#include <stdbool.h>
#include <stdint.h>

struct db;

/* What txstorm shows of a connection string, and the secrets it keeps out
 * of every message: the string's passwords as libpq reads them, and
 * PGPASSWORD. */
#define DSN_VIEW_SECRETS 4
struct dsn_view {
    char redacted[1024];
    char secrets[DSN_VIEW_SECRETS][256];
    const char *secret_list[DSN_VIEW_SECRETS + 1]; /* NULL-terminated, for dsn_scrub */
    int n_secrets;
};

/* Reads dsn (NULL: libpq's defaults) with libpq's own parser: 0 and v
 * filled, or -1 with one line in err, quoting nothing of dsn, when libpq
 * cannot parse it or reads it in a way that would show a password. */
int db_dsn_inspect(const char *dsn, struct dsn_view *v, char *err, size_t err_len);

/* Says which endpoint err is about: its message becomes "endpoint I of N
 * (redacted dsn): message" (i from 0). */
void db_error_name_endpoint(struct db_error *err, const char *dsn, int i, int n);

/* Opens a connection (dsn NULL: libpq's PG* defaults). NULL on failure, with
 * err set. The db keeps dsn for reconnecting: it must outlive the db. */
struct db *db_connect(const char *dsn, struct db_error *err);

/* The same within timeout_s (> 0), to a writable server: unless the string
 * sets connect_timeout or target_session_attrs itself (as db_reconnect). */
struct db *db_connect_within(const char *dsn, int timeout_s, struct db_error *err);

/* The server process of db's current session (0: none); like db_cancel,
 * any thread may ask, e.g. to aim a --trigger terminate at the run's own
 * sessions only. */
int db_backend_pid(struct db *db);

void db_close(struct db *db);

/* Hangs up on the server without a word (shutdown of the socket): what is
 * awaited from it then ends as a lost connection, read the usual way (its
 * socket turns readable). For a server that no longer answers. */
void db_hang_up(struct db *db);

/* The stop's cancel of a session, held apart from its db so that another
 * thread can send it however long the server takes (PQcancel waits for the
 * server; one that never answers holds it for good): NULL when db has no
 * session. db_cancel_send asks the server to cancel what the session runs
 * (false: it could not); every hold is released once. */
struct db_cancel_ref;
struct db_cancel_ref *db_cancel_hold(struct db *db);
bool db_cancel_send(struct db_cancel_ref *ref);
void db_cancel_release(struct db_cancel_ref *ref);

/* A connection that reached a read-only server (a host list with a standby
 * first) moves to a writable one when libpq, asked for read-write within
 * timeout_s, finds one; else it stays where it is. Whether it is writable. */
bool db_prefer_writable(struct db *db, int timeout_s);

/* "15.18 (Debian ...)"-style version string the server reported. */
const char *db_server_version(struct db *db);

enum db_status { DB_OK, DB_EXISTS, DB_MISSING, DB_FAILED };

/* The connection's socket, for poll/epoll; -1 when there is none. */
int db_socket(const struct db *db);

/* Reads what a connection not waiting for a reply has been sent (a notice,
 * or the server's goodbye); false when the connection is gone. */
bool db_absorb(struct db *db);

/* Rolls back whatever transaction is open; a no-op when none is. Blocking:
 * not for a connection prepared for transfers (those roll back via db_send). */
void db_rollback(struct db *db);

/* Whether the connection is still usable. */
bool db_ok(struct db *db);

/* Re-opens a lost connection with the same parameters: a fresh session,
 * prepared for nothing (db_transfer_prepare again for transfers). timeout_s
 * > 0 caps how long connecting may take and asks for a writable server
 * (target_session_attrs=read-write), unless the DSN sets connect_timeout or
 * target_session_attrs itself; 0 leaves both to libpq. */
enum db_status db_reconnect(struct db *db, int timeout_s, struct db_error *err);

/* Re-opening a lost connection without blocking, for an event loop: one
 * attempt per server of the connection string's host list (db_open_hosts;
 * host from 0), each started by db_open_start and carried on by
 * db_open_poll whenever db_socket (which may change between calls) is
 * ready in the direction the last call asked for, until DB_OPEN_OK or
 * DB_OPEN_FAILED. The lost connection is closed at the start; a failed
 * attempt's socket at once. libpq ignores connect_timeout here: the caller
 * bounds each attempt (db_open_timeout_us: the string's connect_timeout,
 * else fallback_us) and calls db_open_abandon when time is up. Asks for a
 * writable server (target_session_attrs=read-write) unless the string says
 * otherwise. Host names are still resolved by libpq, blocking: a list of
 * addresses (hostaddr) avoids it. A session that opens is prepared for
 * nothing (db_transfer_prepare again for transfers). */
enum db_opening { DB_OPEN_READ, DB_OPEN_WRITE, DB_OPEN_OK, DB_OPEN_FAILED };
int db_open_hosts(const struct db *db);
int64_t db_open_timeout_us(const struct db *db, int64_t fallback_us);
enum db_opening db_open_start(struct db *db, int host, struct db_error *err);
enum db_opening db_open_poll(struct db *db, int host, struct db_error *err);
void db_open_abandon(struct db *db);

/* The server's connection limits as they bear on this role (conn_slots.h
 * judges them). DB_MISSING when the server does not say (CockroachDB has no
 * such limit to read). */
enum db_status db_connection_limits(struct db *db, struct conn_limits *out, struct db_error *err);

/* What the server is (dialect.h), detected at connect. */
const struct dialect *db_dialect(const struct db *db);

#endif
