/* Judging the bank's invariants. */
#include "txstorm/checker.h"

#include <string.h>

static void recompute_ok(struct check_result *r)
{
    r->ok = r->accounts_ok && r->total_ok && r->negative_ok &&
            (!r->balances_checked || r->balances_ok) && (!r->ledger_checked || r->ledger_ok) &&
            (!r->audited || r->audit.violations == 0);
}

/* The verdicts that follow from the figures beside them: the one place each
 * rule is written, for the checker and for a loaded result alike. */
static void judge(struct check_result *r)
{
    /* Ids must still be exactly 1..N: a deleted row plus an inserted one would
     * keep the count but not the bank. */
    r->accounts_ok = r->accounts_actual == r->accounts_expected && r->min_id == 1 &&
                     r->max_id == r->accounts_expected;
    r->total_ok = r->total_actual == r->total_expected;
    r->negative_ok = r->allow_overdraft || r->negative_accounts == 0;
    if (r->balances_checked) r->balances_ok = r->balance_mismatches == 0;
    if (r->ledger_checked) {
        struct ledger_audit sum = {.lost = r->lost,
                                   .duplicated = r->duplicated,
                                   .invented_failed = r->invented_failed,
                                   .invented_unknown = r->invented_unknown};
        r->ledger_ok = ledger_audit_ok(&sum);
    }
    recompute_ok(r);
}

void checker_evaluate(const struct bank_snapshot *snap, bool allow_overdraft,
                      struct check_result *r)
{
    memset(r, 0, sizeof *r);
    r->allow_overdraft = allow_overdraft;
    r->accounts_expected = snap->meta.accounts;
    r->accounts_actual = snap->accounts;
    r->min_id = snap->min_id;
    r->max_id = snap->max_id;
    r->total_expected = snap->meta.initial_total;
    r->total_actual = snap->total;
    r->negative_accounts = snap->negative;
    r->balances_checked = snap->ledger_read;
    if (snap->ledger_read) {
        r->balance_mismatches = snap->ledger_mismatches;
        r->first_mismatch_id = snap->first_mismatch_id;
        r->first_mismatch_expected = snap->first_mismatch_expected;
        r->first_mismatch_actual = snap->first_mismatch_actual;
    }
    judge(r);
}

void checker_add_ledger(struct check_result *r, const struct ledger_audit *a)
{
    /* Several runs' reconciliations add up (one per process of a distributed run). */
    if (!r->ledger_checked) {
        r->ledger_checked = true;
        r->ledger_ok = true;
        r->first_lost = r->first_duplicated = r->first_invented = -1;
    }
    r->ledger_ok = r->ledger_ok && ledger_audit_ok(a);
    r->acked += a->acked;
    r->acked_found += a->acked_found;
    r->lost += a->lost;
    r->duplicated += a->duplicated;
    r->invented_failed += a->invented_failed;
    r->invented_unknown += a->invented_unknown;
    r->ambiguous += a->ambiguous;
    r->ambiguous_committed += a->ambiguous_committed;
    r->ambiguous_not_committed += a->ambiguous_not_committed;
    if (r->first_lost < 0) r->first_lost = a->first_lost;
    if (r->first_duplicated < 0) r->first_duplicated = a->first_duplicated;
    if (r->first_invented < 0) r->first_invented = a->first_invented;
    ledger_named_extend(&r->lost_named, &a->lost_named);
    ledger_named_extend(&r->invented_failed_named, &a->invented_failed_named);
    ledger_named_extend(&r->ambiguous_named, &a->ambiguous_named);
    ledger_named_sort(&r->lost_named);
    ledger_named_sort(&r->invented_failed_named);
    ledger_named_sort(&r->ambiguous_named);
    recompute_ok(r);
}

void checker_free(struct check_result *r)
{
    ledger_named_free(&r->lost_named);
    ledger_named_free(&r->invented_failed_named);
    ledger_named_free(&r->ambiguous_named);
}

void checker_copy(struct check_result *dst, const struct check_result *src)
{
    checker_free(dst);
    *dst = *src;
    dst->lost_named = dst->invented_failed_named = dst->ambiguous_named =
        (struct ledger_named_list){0};
    ledger_named_extend(&dst->lost_named, &src->lost_named);
    ledger_named_extend(&dst->invented_failed_named, &src->invented_failed_named);
    ledger_named_extend(&dst->ambiguous_named, &src->ambiguous_named);
}

void checker_add_audit(struct check_result *r, const struct audit_summary *a)
{
    r->audited = true;
    r->audit = *a;
    recompute_ok(r);
}

static int64_t distance(int64_t total, int64_t expected)
{
    return total > expected ? total - expected : expected - total;
}

bool checker_audit_reading(struct audit_summary *a, const struct bank_snapshot *snap, int64_t t_us,
                           bool allow_overdraft)
{
    struct audit_reading now = {.t_us = t_us, .total = snap->total, .negative = snap->negative};
    a->expected_total = snap->meta.initial_total;
    a->readings++;
    bool wrong = snap->total != a->expected_total;
    bool negative = !allow_overdraft && snap->negative > 0;
    if (wrong) {
        if (a->wrong_total++ == 0) a->wrong_first = a->wrong_worst = now;
        if (distance(now.total, a->expected_total) >
            distance(a->wrong_worst.total, a->expected_total))
            a->wrong_worst = now;
        a->wrong_last = now;
    }
    if (negative) {
        if (a->negative_value++ == 0) a->negative_first = a->negative_worst = now;
        if (now.negative > a->negative_worst.negative) a->negative_worst = now;
        a->negative_last = now;
    }
    a->violations += wrong || negative;
    return wrong || negative;
}

/* The named ambiguous commits agree with the counts (when all are named). */
static bool ambiguous_named_agree(const struct check_result *r)
{
    const struct ledger_named_list *l = &r->ambiguous_named;
    if (l->incomplete) return true;
    int64_t committed = 0, not_committed = 0;
    for (int64_t i = 0; i < l->n; i++) {
        committed += l->items[i].resolution == LEDGER_COMMITTED;
        not_committed += l->items[i].resolution == LEDGER_NOT_COMMITTED;
    }
    return l->n == r->ambiguous && committed == r->ambiguous_committed &&
           not_committed == r->ambiguous_not_committed;
}

bool checker_consistent(const struct check_result *r)
{
    struct check_result again = *r;
    judge(&again);
    return again.ok == r->ok && again.accounts_ok == r->accounts_ok &&
           again.total_ok == r->total_ok && again.negative_ok == r->negative_ok &&
           again.balances_ok == r->balances_ok && again.ledger_ok == r->ledger_ok &&
           (r->lost_named.incomplete || r->lost_named.n == r->lost) &&
           (r->invented_failed_named.incomplete ||
            r->invented_failed_named.n == r->invented_failed) &&
           ambiguous_named_agree(r);
}
