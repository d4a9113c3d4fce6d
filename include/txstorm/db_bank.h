/* The bank in the database under test (libpq, db.h's companion): creating
 * it, reading it whole, guarding it during a run; the multi-process barrier;
 * the ledger's rows; the demo's two accounts. */
#ifndef TXSTORM_DB_BANK_H
#define TXSTORM_DB_BANK_H

#include "txstorm/bank.h"
#include "txstorm/db.h"

/* Creates accounts 1..n with `balance` each, the metadata row (with bank_id)
 * and the empty `transfers` ledger, in one transaction. DB_EXISTS when a bank is there and
 * drop is false. */
enum db_status db_bank_create(struct db *db, int64_t n, int64_t balance, int64_t bank_id, bool drop,
                              struct db_error *err);

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
 * all arrive in time. Each wait goes through pause(pause_arg, us), which
 * sleeps up to us and returns a signal that ends the wait (0: none): then
 * this instance leaves the barrier, so that no partner starts counting it,
 * and DB_FAILED says it was interrupted. */
enum db_status db_barrier_wait(struct db *db, int64_t key, int instance, int n, int64_t timeout_us,
                               int (*pause)(void *pause_arg, int64_t us), void *pause_arg,
                               struct db_error *err);

/* Removes this instance's barrier row, so the key can be used again. */
void db_barrier_leave(struct db *db, int64_t key, int instance);

/* Streams the transfer ids of one run's ledger rows to `row`. */
enum db_status db_ledger_scan(struct db *db, int64_t run_id, void (*row)(void *, int64_t),
                              void *arg, struct db_error *err);

/* Sets a balance directly, outside any transfer (demo set-up). */
enum db_status db_demo_reset(struct db *db, struct db_error *err);
enum db_status db_demo_balances(struct db *db, int64_t balances[2], struct db_error *err);

#endif
