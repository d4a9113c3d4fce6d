/* The bank's invariants: account count unchanged, total conserved, no overdraft. */
#ifndef TXSTORM_CHECKER_H
#define TXSTORM_CHECKER_H

#include "txstorm/db.h" /* struct bank_snapshot; no libpq */
#include <stdbool.h>
#include <stdint.h>

struct check_result {
    bool ok; /* all invariants hold */
    bool accounts_ok;
    bool total_ok;
    bool negative_ok;
    int64_t accounts_expected;
    int64_t accounts_actual;
    int64_t min_id; /* ids must be exactly 1..accounts_expected */
    int64_t max_id;
    int64_t total_expected;
    int64_t total_actual;
    int64_t negative_accounts;
};

/* Judges a snapshot against the bank's metadata. Pure. */
void checker_evaluate(const struct bank_snapshot *snap, struct check_result *r);

#endif
