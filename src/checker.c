/* Judging the bank's invariants from one snapshot. */
#include "txstorm/checker.h"

#include <string.h>

void checker_evaluate(const struct bank_snapshot *snap, struct check_result *r)
{
    memset(r, 0, sizeof *r);
    r->accounts_expected = snap->meta.accounts;
    r->accounts_actual = snap->accounts;
    r->min_id = snap->min_id;
    r->max_id = snap->max_id;
    r->total_expected = snap->meta.initial_total;
    r->total_actual = snap->total;
    r->negative_accounts = snap->negative;
    /* Ids must still be exactly 1..N: a deleted row plus an inserted one would
     * keep the count but not the bank. */
    r->accounts_ok = snap->accounts == snap->meta.accounts && snap->min_id == 1 &&
                     snap->max_id == snap->meta.accounts;
    r->total_ok = snap->total == snap->meta.initial_total;
    r->negative_ok = snap->negative == 0;
    r->ok = r->accounts_ok && r->total_ok && r->negative_ok;
}
