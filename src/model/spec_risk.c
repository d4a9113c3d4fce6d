/* Which transfer specs can break the bank's invariants, and the warning. Pure. */
#include "txstorm/spec_risk.h"

#include "txstorm/exitcode.h"

#include <stdio.h>

/* Under READ COMMITTED each statement sees what was committed when it began,
 * and an UPDATE that waited for a row lock re-checks its WHERE clause on the
 * row's newest version, but nothing else it read. By shape and write mode:
 * what that lets through, and why. Every other isolation level PostgreSQL has
 * fails a write to a row changed since the transaction's snapshot (40001), so
 * a stale read can never be acted on there. */
static const struct {
    unsigned risks;
    const char *why;
} read_committed[][2] = {
    [SHAPE_INTERACTIVE] =
        {[WRITE_RELATIVE] = {SPEC_RISK_OVERDRAFT,
                             "the funds check reads a balance that another transfer can "
                             "lower before the debit"},
         [WRITE_ABSOLUTE] = {SPEC_RISK_OVERDRAFT | SPEC_RISK_LOST_UPDATE,
                             "it writes balances computed from reads that another transfer "
                             "can change before the write"}},
    /* FOR UPDATE returns the newest version of both rows, locked until COMMIT. */
    [SHAPE_FOR_UPDATE] = {{0, NULL}, {0, NULL}},
    [SHAPE_SINGLE] = {[WRITE_RELATIVE] = {SPEC_RISK_OVERDRAFT,
                                          "the statement re-checks the rows it updates after a "
                                          "lock wait, but not its read of the source balance"}},
    /* The guard is in the debit's own WHERE clause, re-checked on the newest row. */
    [SHAPE_PIPELINED] = {{0, NULL}, {0, NULL}},
};

unsigned spec_risks(const struct txn_spec *spec)
{
    if (spec->isolation != ISO_READ_COMMITTED) return 0;
    return read_committed[spec->shape][spec->write_mode].risks;
}

bool spec_risk_warning(const struct txn_spec *spec, bool allow_overdraft, char *out, size_t len)
{
    unsigned risks = spec_risks(spec);
    if (allow_overdraft) risks &= ~(unsigned)SPEC_RISK_OVERDRAFT;
    if (risks == 0) return false;
    const char *what = risks == SPEC_RISK_OVERDRAFT ? "overdraw an account"
                       : risks == SPEC_RISK_LOST_UPDATE
                           ? "lose updates (the total is not conserved)"
                           : "lose updates (the total is not conserved) and overdraw an account";
    snprintf(out, len,
             "warning: --shape %s under --isolation %s can %s: %s; the check reports it "
             "(exit %d). Use --shape for-update or --isolation repeatable-read%s",
             spec_shape_names[spec->shape], spec_isolation_names[spec->isolation], what,
             read_committed[spec->shape][spec->write_mode].why, EXIT_VIOLATION,
             risks == SPEC_RISK_OVERDRAFT ? ", or --allow-overdraft to accept it" : "");
    return true;
}
