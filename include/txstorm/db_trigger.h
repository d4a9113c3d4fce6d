/* The --trigger faults, from the run's own injector connection (libpq,
 * db.h's companion). */
#ifndef TXSTORM_DB_TRIGGER_H
#define TXSTORM_DB_TRIGGER_H

#include "txstorm/db.h"

/* Names the injector's session (application_name txstorm-injector), so that
 * a DBA sees whose lock it is; at each (re)connect. A follower (an instance
 * of a run of several other than 0, which injects nothing on the server:
 * db_trigger_share.h) is txstorm-follower. */
enum db_status db_trigger_session(struct db *db, bool follower, struct db_error *err);

/* Opens a transaction holding the row locks of accounts 1..rows (FOR
 * UPDATE), or LOCK TABLE accounts IN EXCLUSIVE MODE: writers wait, readers
 * (the auditor, a check) do not. A wait longer than lock_timeout_ms (a
 * worker's lock in the way, a deadlock) fails with err set and nothing
 * held, to be tried again. db_trigger_release ends the transaction: DB_OK,
 * or DB_FAILED with err set when the session was gone by then. */
enum db_status db_trigger_lock_rows(struct db *db, int64_t rows, int lock_timeout_ms,
                                    struct db_error *err);
enum db_status db_trigger_lock_table(struct db *db, int lock_timeout_ms, struct db_error *err);
enum db_status db_trigger_release(struct db *db, struct db_error *err);

/* While a lock is held: waits at most wait_ms for the session to end under
 * it. DB_OK: nothing happened, the lock holds. DB_FAILED: the session is
 * over, err says how: the server's own FATAL message and SQLSTATE when it
 * ended it (idle_in_transaction_session_timeout: 25P03, pg_terminate_backend:
 * 57P01), libpq's word and no SQLSTATE when the connection was lost. */
enum db_status db_trigger_watch(struct db *db, int wait_ms, struct db_error *err);

/* pg_terminate_backend() on those of pids that are txstorm workers' sessions
 * on this database (application_name txstorm-worker): never anyone else's.
 * *terminated: how many were. */
enum db_status db_trigger_terminate(struct db *db, const int *pids, int n, int64_t *terminated,
                                    struct db_error *err);

#endif
