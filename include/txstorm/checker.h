/* The bank's invariants, judged from what the database and the tool saw. Pure.
 *   accounts      ids are exactly 1..N, as created
 *   conservation  the sum of balances is the initial total
 *   no overdraft  no negative balance (unless allowed)
 *   ledger        each balance = initial + credits - debits in `transfers`;
 *                 every acknowledged transfer is there exactly once, no
 *                 failed one is, ambiguous ones are resolved
 *   auditor       every reading taken during the run conserved the total
 */
#ifndef TXSTORM_CHECKER_H
#define TXSTORM_CHECKER_H

#include "txstorm/bank.h"
#include "txstorm/ledger_reconcile.h"
#include <stdbool.h>
#include <stdint.h>

/* One auditor reading, at t_us after the run's start. */
struct audit_reading {
    int64_t t_us;
    int64_t total;
    int64_t negative;
};

/* The auditor's readings, reduced Jepsen-style: for each kind of violation,
 * how many readings showed it, and the first, worst and last of them. */
struct audit_summary {
    int64_t expected_total;
    int64_t readings;
    int64_t violations; /* readings with any violation */
    int64_t wrong_total;
    struct audit_reading wrong_first, wrong_worst,
        wrong_last; /* worst: largest |total - expected| */
    int64_t negative_value;
    struct audit_reading negative_first, negative_worst, negative_last; /* worst: most negatives */
};

struct check_result {
    bool ok; /* every invariant that was checked holds */
    bool accounts_ok;
    bool total_ok;
    bool negative_ok; /* true when overdraft is allowed */
    bool allow_overdraft;
    int64_t accounts_expected;
    int64_t accounts_actual;
    int64_t min_id; /* ids must be exactly 1..accounts_expected */
    int64_t max_id;
    int64_t total_expected;
    int64_t total_actual;
    int64_t negative_accounts;

    /* Each balance against the ledger (only when every transfer since init had one). */
    bool balances_checked;
    bool balances_skipped; /* asked for, but a run without --ledger moved money */
    bool balances_ok;
    int64_t balance_mismatches;
    int64_t first_mismatch_id, first_mismatch_expected, first_mismatch_actual;

    /* The run's own record against the ledger table. */
    bool ledger_checked;
    bool ledger_ok;
    int64_t acked, acked_found, lost, duplicated, invented_failed, invented_unknown;
    int64_t ambiguous, ambiguous_committed, ambiguous_not_committed;
    int64_t first_lost, first_duplicated, first_invented;
    /* Every acknowledged transfer missing, and every one seen to fail yet
     * present, by name (owned: checker_free). */
    struct ledger_named_list lost_named, invented_failed_named, ambiguous_named;

    /* The continuous auditor. */
    bool audited;
    struct audit_summary audit;
};

/* Judges a snapshot against the bank's metadata (and, when the snapshot read
 * it, the ledger's balances). */
void checker_evaluate(const struct bank_snapshot *snap, bool allow_overdraft,
                      struct check_result *r);

/* Adds a finished ledger reconciliation to the verdict. */
void checker_add_ledger(struct check_result *r, const struct ledger_audit *a);

/* Frees the lists a verdict owns and empties them; r must have been
 * zero-initialized or filled by the functions here. */
void checker_free(struct check_result *r);

/* dst becomes a copy of src, lists included (dst's own are freed first). */
void checker_copy(struct check_result *dst, const struct check_result *src);

/* Adds the auditor's summary to the verdict. */
void checker_add_audit(struct check_result *r, const struct audit_summary *a);

/* Whether each verdict follows from the figures beside it, as the checker
 * would judge them (a hand-edited result's may not). */
bool checker_consistent(const struct check_result *r);

/* Records one auditor reading; returns true if it violates an invariant. */
bool checker_audit_reading(struct audit_summary *a, const struct bank_snapshot *snap, int64_t t_us,
                           bool allow_overdraft);

#endif
