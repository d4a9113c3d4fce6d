/* The checker's verdicts on fixed snapshots. */
#include "txstorm/checker.h"

#include "cmocka_prelude.h"

static struct bank_snapshot healthy(void)
{
    struct bank_snapshot s = {.meta = {.accounts = 100, .initial_total = 100000},
                              .accounts = 100,
                              .total = 100000,
                              .negative = 0,
                              .min_id = 1,
                              .max_id = 100};
    return s;
}

static void a_healthy_bank_passes(void **state)
{
    (void)state;
    struct bank_snapshot s = healthy();
    struct check_result r;
    checker_evaluate(&s, false, &r);
    assert_true(r.ok && r.accounts_ok && r.total_ok && r.negative_ok);
    assert_int_equal(r.total_expected, 100000);
    assert_int_equal(r.total_actual, 100000);
}

static void each_violation_is_named(void **state)
{
    (void)state;
    struct check_result r;
    struct bank_snapshot s = healthy();
    s.total = 99990;
    checker_evaluate(&s, false, &r);
    assert_false(r.ok);
    assert_false(r.total_ok);
    assert_true(r.accounts_ok && r.negative_ok);
    assert_int_equal(r.total_actual - r.total_expected, -10);

    s = healthy();
    s.negative = 2;
    checker_evaluate(&s, false, &r);
    assert_false(r.ok);
    assert_false(r.negative_ok);
    assert_int_equal(r.negative_accounts, 2);

    s = healthy();
    s.accounts = 99;
    s.max_id = 99;
    checker_evaluate(&s, false, &r);
    assert_false(r.ok);
    assert_false(r.accounts_ok);

    /* Same count, but id 100 replaced by id 101. */
    s = healthy();
    s.max_id = 101;
    checker_evaluate(&s, false, &r);
    assert_false(r.accounts_ok);
}

static void overdraft_can_be_allowed(void **state)
{
    (void)state;
    struct check_result r;
    struct bank_snapshot s = healthy();
    s.negative = 3;
    checker_evaluate(&s, true, &r);
    assert_true(r.ok && r.negative_ok && r.allow_overdraft);
    assert_int_equal(r.negative_accounts, 3);
}

static void ledger_balances_are_judged(void **state)
{
    (void)state;
    struct check_result r;
    struct bank_snapshot s = healthy();
    s.ledger_read = true;
    checker_evaluate(&s, false, &r);
    assert_true(r.ok && r.balances_checked && r.balances_ok);
    s.ledger_mismatches = 2;
    s.first_mismatch_id = 7;
    s.first_mismatch_expected = 100;
    s.first_mismatch_actual = 93;
    checker_evaluate(&s, false, &r);
    assert_false(r.ok);
    assert_false(r.balances_ok);
    assert_int_equal(r.first_mismatch_actual - r.first_mismatch_expected, -7);
}

static void ledger_reconciliations_add_up(void **state)
{
    (void)state;
    struct check_result r;
    struct bank_snapshot s = healthy();
    checker_evaluate(&s, false, &r);
    struct ledger_audit clean = {.acked = 10,
                                 .acked_found = 10,
                                 .ambiguous = 2,
                                 .ambiguous_committed = 1,
                                 .ambiguous_not_committed = 1,
                                 .first_lost = -1,
                                 .first_duplicated = -1,
                                 .first_invented = -1};
    checker_add_ledger(&r, &clean);
    assert_true(r.ok && r.ledger_checked && r.ledger_ok);
    struct ledger_audit lossy = clean;
    lossy.lost = 1;
    lossy.acked_found = 9;
    lossy.first_lost = 1234;
    checker_add_ledger(&r, &lossy);
    assert_false(r.ok);
    assert_int_equal(r.acked, 20);
    assert_int_equal(r.lost, 1);
    assert_int_equal(r.first_lost, 1234);
    assert_int_equal(r.ambiguous_committed, 2);
}

static void auditor_keeps_first_worst_and_last(void **state)
{
    (void)state;
    struct audit_summary a = {0};
    struct bank_snapshot s = healthy();
    assert_false(checker_audit_reading(&a, &s, 1000, false));
    s.total = 100005;
    assert_true(checker_audit_reading(&a, &s, 2000, false));
    s.total = 99950; /* off by 50: the worst */
    assert_true(checker_audit_reading(&a, &s, 3000, false));
    s.total = 100010;
    s.negative = 1;
    assert_true(checker_audit_reading(&a, &s, 4000, false));
    s.total = 100000;
    s.negative = 0;
    assert_false(checker_audit_reading(&a, &s, 5000, false));
    assert_int_equal(a.readings, 5);
    assert_int_equal(a.violations, 3);
    assert_int_equal(a.wrong_total, 3);
    assert_int_equal(a.wrong_first.t_us, 2000);
    assert_int_equal(a.wrong_worst.total, 99950);
    assert_int_equal(a.wrong_last.t_us, 4000);
    assert_int_equal(a.negative_value, 1);
    assert_int_equal(a.negative_first.t_us, 4000);

    struct check_result r;
    checker_evaluate(&s, false, &r);
    checker_add_audit(&r, &a);
    assert_false(r.ok); /* the final snapshot is fine, but the run was not */
    s.negative = 2;
    struct audit_summary allowed = {0};
    assert_false(checker_audit_reading(&allowed, &s, 1, true));
}

/* Every verdict the checker reaches is consistent; an edited one is not. */
static void verdicts_must_follow_from_the_figures(void **state)
{
    (void)state;
    struct bank_snapshot s = healthy();
    struct check_result r;
    checker_evaluate(&s, false, &r);
    assert_true(checker_consistent(&r));
    r.ok = false; /* "check: FAIL" under all-PASS lines */
    assert_false(checker_consistent(&r));
    s.total = 99990;
    checker_evaluate(&s, false, &r);
    assert_true(checker_consistent(&r));
    r.total_ok = true; /* a total marked conserved that is not */
    assert_false(checker_consistent(&r));
    checker_evaluate(&s, false, &r);
    struct ledger_named seven = {.id = 7, .worker = 0, .seq = 7, .outcome_unix_ms = 1234};
    struct ledger_audit lost = {.acked = 10, .acked_found = 9, .lost = 1, .first_lost = 7};
    ledger_named_append(&lost.lost_named, &seven);
    checker_add_ledger(&r, &lost);
    assert_true(checker_consistent(&r));
    r.ledger_ok = true;
    assert_false(checker_consistent(&r));
    r.ledger_ok = false;
    /* A lost transfer counted but not named (a result edited by hand)... */
    r.lost_named.n = 0;
    assert_false(checker_consistent(&r));
    /* ... unless the names are known to be incomplete (an older result). */
    r.lost_named.incomplete = true;
    assert_true(checker_consistent(&r));
    checker_free(&r);
    ledger_named_free(&lost.lost_named);
}

/* Several processes' reconciliations add their named transfers up, by id; a
 * copy owns its own lists. */
static void named_transfers_add_up_across_reconciliations(void **state)
{
    (void)state;
    struct bank_snapshot s = healthy();
    struct check_result r, copy = {0};
    checker_evaluate(&s, false, &r);
    struct ledger_audit a = {.acked = 3, .lost = 2, .invented_failed = 1};
    struct ledger_audit b = {.acked = 1, .lost = 1};
    const struct ledger_named n9 = {.id = 9, .worker = 0, .seq = 9, .outcome_unix_ms = 5},
                              n4 = {.id = 4, .worker = 0, .seq = 4, .outcome_unix_ms = 3},
                              n6 = {.id = 6, .worker = 0, .seq = 6, .outcome_unix_ms = -1},
                              f2 = {.id = 2, .worker = 0, .seq = 2, .outcome_unix_ms = 1};
    ledger_named_append(&a.lost_named, &n9);
    ledger_named_append(&a.lost_named, &n6);
    ledger_named_append(&a.invented_failed_named, &f2);
    ledger_named_append(&b.lost_named, &n4);
    checker_add_ledger(&r, &a);
    checker_add_ledger(&r, &b);
    assert_false(r.ledger_ok);
    assert_true(r.total_ok); /* whole transfers lost: the total still holds */
    assert_int_equal(r.lost, 3);
    assert_int_equal(r.lost_named.n, 3);
    assert_int_equal(r.lost_named.items[0].id, 4);
    assert_int_equal(r.lost_named.items[1].id, 6);
    assert_int_equal(r.lost_named.items[1].outcome_unix_ms, -1);
    assert_int_equal(r.lost_named.items[2].id, 9);
    assert_int_equal(r.invented_failed_named.n, 1);
    assert_true(checker_consistent(&r));
    checker_copy(&copy, &r);
    checker_free(&r);
    assert_int_equal(copy.lost_named.n, 3);
    assert_int_equal(copy.lost_named.items[2].outcome_unix_ms, 5);
    assert_true(checker_consistent(&copy));
    checker_free(&copy);
    ledger_named_free(&a.lost_named);
    ledger_named_free(&a.invented_failed_named);
    ledger_named_free(&b.lost_named);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_healthy_bank_passes),
        cmocka_unit_test(named_transfers_add_up_across_reconciliations),
        cmocka_unit_test(each_violation_is_named),
        cmocka_unit_test(overdraft_can_be_allowed),
        cmocka_unit_test(ledger_balances_are_judged),
        cmocka_unit_test(ledger_reconciliations_add_up),
        cmocka_unit_test(auditor_keeps_first_worst_and_last),
        cmocka_unit_test(verdicts_must_follow_from_the_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
