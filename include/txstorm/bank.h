/* What the bank holds, as read from the database: its metadata and one
 * snapshot of its accounts. Plain data: db fills it, checker judges it. */
#ifndef TXSTORM_BANK_H
#define TXSTORM_BANK_H

#include <stdbool.h>
#include <stdint.h>

struct bank_meta {
    int64_t accounts;        /* number of accounts at creation */
    int64_t initial_balance; /* each account's balance at creation */
    int64_t initial_total;   /* sum of balances at creation */
    bool ledger_complete;    /* every transfer since init wrote a ledger row */
    int64_t bank_id;         /* drawn at init: tells this bank from any other, or a re-created one */
};

struct bank_snapshot {
    struct bank_meta meta;
    int64_t accounts; /* rows now */
    int64_t total;    /* sum of balances now */
    int64_t negative; /* accounts with a negative balance */
    int64_t min_id, max_id;
    /* With the ledger read (db_bank_snapshot's `ledger`): accounts whose
     * balance differs from initial + credits - debits in `transfers`. */
    bool ledger_read;
    int64_t ledger_mismatches;
    int64_t first_mismatch_id, first_mismatch_expected, first_mismatch_actual;
};

#endif
