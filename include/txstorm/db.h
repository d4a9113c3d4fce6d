/* Every libpq call of txstorm lives behind this interface. Error messages that
 * leave it have passwords scrubbed. */
#ifndef TXSTORM_DB_H
#define TXSTORM_DB_H

#include "txstorm/bank.h"
#include "txstorm/classify.h"
#include "txstorm/servers.h"
#include "txstorm/spec.h"
#include "txstorm/stmt.h"
#include "txstorm/workload.h"
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
/* Asks the server to cancel whatever db's session is running (PQcancel):
 * the only call any thread may make on a db another thread uses. A session
 * running nothing ignores it. Whether the request went out. */
bool db_cancel(struct db *db);

/* The server process of db's current session (0: none); like db_cancel,
 * any thread may ask, e.g. to aim a --trigger terminate at the run's own
 * sessions only. */
int db_backend_pid(struct db *db);

void db_close(struct db *db);

/* A connection that reached a read-only server (a host list with a standby
 * first) moves to a writable one when libpq, asked for read-write within
 * timeout_s, finds one; else it stays where it is. Whether it is writable. */
bool db_prefer_writable(struct db *db, int timeout_s);

/* Which server the connection reached (one probe, once per connection):
 * host and port as libpq reports them, and where the server offers them
 * pg_is_in_recovery(), the system identifier and the timeline. A server
 * without those functions (CockroachDB, YugabyteDB) leaves them unknown;
 * the probe never fails the connection. at_unix_ms is the caller's. */
void db_server_identify(struct db *db, struct server_id *out);

/* "15.18 (Debian ...)"-style version string the server reported. */
const char *db_server_version(struct db *db);

/* ---- the bank ---- */

/* The demo uses its own table so it never disturbs a bank under test. */
enum bank_table { BANK_ACCOUNTS, BANK_DEMO };

enum db_status { DB_OK, DB_EXISTS, DB_MISSING, DB_FAILED };

/* Creates accounts 1..n with `balance` each, the metadata row (with bank_id)
 * and the empty `transfers` ledger, in one transaction. DB_EXISTS when a bank is there and
 * drop is false. */
enum db_status db_bank_create(struct db *db, int64_t n, int64_t balance, int64_t bank_id,
                              bool drop, struct db_error *err);

/* Reads the metadata row. DB_MISSING when the bank is not there or not txstorm's. */
enum db_status db_bank_meta(struct db *db, struct bank_meta *meta, struct db_error *err);

/* A run holds the bank (shared, for as long as db's session lasts) so that
 * init --drop cannot re-create it under the run; init --drop claims it
 * alone first (DB_EXISTS, err set, while a run holds it). Servers without
 * advisory locks (CockroachDB) go unguarded. */
enum db_status db_bank_hold(struct db *db, struct db_error *err);
enum db_status db_bank_claim(struct db *db, struct db_error *err);

/* Reads metadata and the accounts' count, sum and negatives in one snapshot;
 * with ledger, also each account against the ledger's credits and debits.
 * as_of (CockroachDB, e.g. "-1s"; NULL elsewhere) reads AS OF SYSTEM TIME
 * instead of in a REPEATABLE READ transaction; it must already be validated. */
enum db_status db_bank_snapshot(struct db *db, bool ledger, const char *as_of,
                                struct bank_snapshot *snap, struct db_error *err);

/* Before a run: checks the user may do what the transfers do (DB_FAILED
 * with err naming the privilege if not); with ledger, registers the run and returns its number in
 * *run_id (its ledger rows carry it); without, marks the ledger incomplete,
 * since balances will move with no rows to explain them. */
enum db_status db_bank_begin_run(struct db *db, bool ledger, int64_t *run_id, struct db_error *err);

/* The barrier of a run spread over n processes, kept in the table
 * txstorm_barrier of the database under test: registers this instance under
 * key, waits until all n have registered (within timeout_us), then sleeps
 * until their common start (the last arrival plus one second, by the
 * server's clock). DB_MISSING, with a message naming who is missing, when not
 * all arrive in time. */
enum db_status db_barrier_wait(struct db *db, int64_t key, int instance, int n, int64_t timeout_us,
                               struct db_error *err);

/* Removes this instance's barrier row, so the key can be used again. */
void db_barrier_leave(struct db *db, int64_t key, int instance);

/* Streams the transfer ids of one run's ledger rows to `row`. */
enum db_status db_ledger_scan(struct db *db, int64_t run_id, void (*row)(void *, int64_t),
                              void *arg, struct db_error *err);

/* Sets a balance directly, outside any transfer (demo set-up). */
enum db_status db_demo_reset(struct db *db, struct db_error *err);
enum db_status db_demo_balances(struct db *db, int64_t balances[2], struct db_error *err);

/* ---- transfers ---- */

/* Prepares this connection for transfers of the given shape on the given table
 * (statements, session isolation, pipeline mode). DB_FAILED, with a
 * connection-class 25006 in err, when the server is read-only. */
enum db_status db_transfer_prepare(struct db *db, enum bank_table table,
                                   const struct txn_spec *spec, struct db_error *err);

/* Takes the connection out of pipeline mode, for other work after transfers. */
void db_transfer_finish(struct db *db);

/* The shape db_transfer_prepare was given. */
const struct txn_spec *db_transfer_spec(const struct db *db);

/* Statements of a transfer (see stmt.h), one at a time, without waiting:
 * db_send sends s and starts r; db_receive reads what has arrived (from the
 * socket when readable, else only what libpq holds) and says whether r is
 * complete. A send that fails completes r at once and returns false. The
 * connection stays in blocking mode for sends: a statement is a few hundred
 * bytes, far below what a socket buffers, so a send never waits. */
bool db_send(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r);
enum db_io { DB_IO_PENDING, DB_IO_DONE };
enum db_io db_receive(struct db *db, bool readable, struct stmt_reply *r);

/* db_send and db_receive, waiting for the reply. */
void db_exec(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r);

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

/* How many more connections this user may open: max_connections, less the
 * superuser reserve for others, less the connections in use. DB_MISSING when
 * the server does not say (CockroachDB has no such limit to read). */
enum db_status db_free_connections(struct db *db, int64_t *free_slots, int64_t *max_connections,
                                   struct db_error *err);

/* What the server is (dialect.h), detected at connect. */
const struct dialect *db_dialect(const struct db *db);


/* ---- triggers (--trigger), from the run's own injector connection ---- */

/* Opens a transaction holding the row locks of accounts 1..rows (FOR
 * UPDATE), or LOCK TABLE accounts IN EXCLUSIVE MODE: writers wait, readers
 * (the auditor, a check) do not. A wait longer than lock_timeout_ms (a
 * worker's lock in the way, a deadlock) fails with err set and nothing
 * held, to be tried again. db_trigger_release ends the transaction. */
enum db_status db_trigger_lock_rows(struct db *db, int64_t rows, int lock_timeout_ms,
                                    struct db_error *err);
enum db_status db_trigger_lock_table(struct db *db, int lock_timeout_ms, struct db_error *err);
void db_trigger_release(struct db *db);

/* pg_terminate_backend() on those of pids that are txstorm workers' sessions
 * on this database (application_name txstorm-worker): never anyone else's.
 * *terminated: how many were. */
enum db_status db_trigger_terminate(struct db *db, const int *pids, int n, int64_t *terminated,
                                    struct db_error *err);

#endif
