/* The checker put to work against a database: the end-of-run snapshot and the
 * reconciliation of a run's own record with its ledger rows. */
#ifndef TXSTORM_VERIFY_H
#define TXSTORM_VERIFY_H

#include "txstorm/bank.h"
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

/* A run's endpoints after the first must reach the bank the first does
 * (bank_id, as each endpoint's writable server reads it; another server of
 * its cluster or a pooler in front of it does): the workers write where
 * their endpoint leads, and the check reads the first alone. Each endpoint
 * is visited once (one that repeats an earlier string is not) and left
 * unwritten. DB_OK; DB_EXISTS when one holds another bank; else the
 * failure to read it; err names the endpoint (i of n, redacted). */
enum db_status verify_endpoints_bank(const char *const *dsns, int n, int64_t bank_id,
                                     int writable_timeout_s, struct db_error *err);

#endif
