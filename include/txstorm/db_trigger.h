/* The --trigger faults, from the run's own injector connection (libpq,
 * db.h's companion). */
#ifndef TXSTORM_DB_TRIGGER_H
#define TXSTORM_DB_TRIGGER_H

#include "txstorm/db.h"

/* Names the injector's session (application_name txstorm-injector), so that
 * a DBA sees whose lock it is; at each (re)connect. */
enum db_status db_trigger_session(struct db *db, struct db_error *err);

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
