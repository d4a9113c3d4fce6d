/* Checking the bank against the database: snapshot, then ledger reconciliation. */
#include "txstorm/verify.h"
#include "txstorm/db_bank.h"

#include <stdio.h>

enum db_status verify_bank(struct db *db, bool ledger, bool allow_overdraft, struct check_result *r,
                           struct db_error *err)
{
    struct bank_snapshot snap;
    enum db_status st = db_bank_snapshot(db, ledger, NULL, &snap, err);
    if (st != DB_OK) return st;
    checker_evaluate(&snap, allow_overdraft, r);
    r->balances_skipped = ledger && !snap.meta.ledger_complete;
    return DB_OK;
}

struct feed {
    struct ledger_audit *audit;
    const struct ledger *const *ledgers;
};

static void feed_row(void *arg, int64_t id)
{
    struct feed *f = arg;
    ledger_audit_row(f->audit, f->ledgers, 1, id);
}

enum db_status verify_ledger(struct db *db, const struct ledger *l, int64_t run_id,
                             struct check_result *r, struct db_error *err)
{
    const struct ledger *ledgers[] = {l};
    struct ledger_audit audit;
    if (ledger_audit_begin(&audit, ledgers, 1) != 0) {
        snprintf(err->message, sizeof err->message, "out of memory for the ledger check");
        return DB_FAILED;
    }
    struct feed f = {.audit = &audit, .ledgers = ledgers};
    enum db_status st = db_ledger_scan(db, run_id, feed_row, &f, err);
    if (st == DB_OK) {
        ledger_audit_end(&audit, ledgers, 1);
        checker_add_ledger(r, &audit);
    }
    ledger_audit_free(&audit);
    return st;
}
