/* The checker put to work against a database: the end-of-run snapshot and the
 * reconciliation of a run's own record with its ledger rows. */
#ifndef TXSTORM_VERIFY_H
#define TXSTORM_VERIFY_H

#include "txstorm/checker.h"
#include "txstorm/db.h"
#include "txstorm/ledger.h"

/* Reads one consistent snapshot (with the ledger's balances when `ledger`)
 * and judges it. DB_OK when the check ran, whatever its verdict. */
enum db_status verify_bank(struct db *db, bool ledger, bool allow_overdraft, struct check_result *r,
                           struct db_error *err);

/* Reconciles one run's record with the rows it left in `transfers` and adds
 * the verdict to r. DB_OK when the reconciliation ran. */
enum db_status verify_ledger(struct db *db, const struct ledger *l, int64_t run_id,
                             struct check_result *r, struct db_error *err);

#endif
