/* Checking the bank against the database: snapshot, then ledger reconciliation. */
#include "txstorm/verify.h"
#include "txstorm/db_bank.h"

#include <stdio.h>
#include <string.h>

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

/* Whether dsns[i] repeats an earlier endpoint's string (already visited). */
static bool seen_before(const char *const *dsns, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(dsns[j], dsns[i]) == 0) return true;
    return false;
}

enum db_status verify_endpoints_bank(const char *const *dsns, int n, int64_t bank_id,
                                     int writable_timeout_s, struct db_error *err)
{
    for (int i = 1; i < n; i++) {
        if (seen_before(dsns, i)) continue;
        struct db *db = db_connect(dsns[i], err);
        struct bank_meta meta;
        enum db_status st = DB_FAILED;
        if (db) {
            /* Where a worker's connection lands: the writable server of a host list. */
            db_prefer_writable(db, writable_timeout_s);
            st = db_bank_meta(db, &meta, err);
            db_close(db);
        }
        if (st == DB_OK && meta.bank_id != bank_id) {
            *err = (struct db_error){.cls = ERR_OTHER};
            snprintf(err->message, sizeof err->message,
                     "reaches another bank than endpoint 1 (bank %lld; endpoint 1's is %lld): "
                     "every --db of a run must reach the same bank",
                     (long long)meta.bank_id, (long long)bank_id);
            st = DB_EXISTS;
        }
        if (st != DB_OK) {
            db_error_name_endpoint(err, dsns[i], i, n);
            return st;
        }
    }
    return DB_OK;
}
