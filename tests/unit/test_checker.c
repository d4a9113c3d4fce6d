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
    checker_evaluate(&s, &r);
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
    checker_evaluate(&s, &r);
    assert_false(r.ok);
    assert_false(r.total_ok);
    assert_true(r.accounts_ok && r.negative_ok);
    assert_int_equal(r.total_actual - r.total_expected, -10);

    s = healthy();
    s.negative = 2;
    checker_evaluate(&s, &r);
    assert_false(r.ok);
    assert_false(r.negative_ok);
    assert_int_equal(r.negative_accounts, 2);

    s = healthy();
    s.accounts = 99;
    s.max_id = 99;
    checker_evaluate(&s, &r);
    assert_false(r.ok);
    assert_false(r.accounts_ok);

    /* Same count, but id 100 replaced by id 101. */
    s = healthy();
    s.max_id = 101;
    checker_evaluate(&s, &r);
    assert_false(r.accounts_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_healthy_bank_passes),
        cmocka_unit_test(each_violation_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
