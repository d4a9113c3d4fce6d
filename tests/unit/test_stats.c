/* Stats: one transaction at a time, and merging workers. */
#include "txstorm/stats.h"

#include "cmocka_prelude.h"

#include <string.h>

static void outcomes_are_counted_where_they_belong(void **state)
{
    (void)state;
    struct stats s;
    assert_true(stats_init(&s, 3));
    struct txn_outcome o = {
        .end = TXN_COMMITTED, .latency_us = 1500, .retries = 2, .backoff_us = 300};
    o.retries_by_class[ERR_SERIALIZATION] = 1;
    o.retries_by_class[ERR_DEADLOCK] = 1;
    o.errors_by_class[ERR_SERIALIZATION] = 1;
    o.errors_by_class[ERR_DEADLOCK] = 1;
    stats_add_txn(&s, &o);
    struct txn_outcome ins = {.end = TXN_INSUFFICIENT};
    stats_add_txn(&s, &ins);
    struct txn_outcome failed = {.end = TXN_FAILED, .retries = 0};
    failed.errors_by_class[ERR_OTHER] = 1;
    stats_add_txn(&s, &failed);
    struct txn_outcome amb = {.end = TXN_AMBIGUOUS};
    stats_add_txn(&s, &amb);

    assert_int_equal(s.committed, 1);
    assert_int_equal(s.insufficient, 1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.ambiguous, 1);
    assert_int_equal(s.retried_txns, 1);
    assert_int_equal(s.retries, 2);
    assert_int_equal(s.retries_by_class[ERR_DEADLOCK], 1);
    assert_int_equal(s.errors_by_class[ERR_OTHER], 1);
    assert_int_equal(s.backoff_us, 300);
    assert_int_equal(s.hist[HIST_LATENCY]->total_count, 1); /* only committed ones */
    assert_true(hist_values_equivalent(s.hist[HIST_LATENCY], hist_max(s.hist[HIST_LATENCY]), 1500));

    stats_reset(&s);
    assert_int_equal(s.committed, 0);
    assert_int_equal(s.hist[HIST_LATENCY]->total_count, 0);
    stats_free(&s);
}

static void merge_adds_everything(void **state)
{
    (void)state;
    struct stats a, b;
    assert_true(stats_init(&a, 3));
    assert_true(stats_init(&b, 3));
    struct txn_outcome o = {
        .end = TXN_COMMITTED, .latency_us = 800, .retries = 1, .backoff_us = 50};
    o.retries_by_class[ERR_SERIALIZATION] = 1;
    for (int i = 0; i < 3; i++)
        stats_add_txn(&a, &o);
    for (int i = 0; i < 5; i++)
        stats_add_txn(&b, &o);
    stats_merge(&a, &b);
    assert_int_equal(a.committed, 8);
    assert_int_equal(a.retries, 8);
    assert_int_equal(a.retried_txns, 8);
    assert_int_equal(a.retries_by_class[ERR_SERIALIZATION], 8);
    assert_int_equal(a.backoff_us, 400);
    assert_int_equal(a.hist[HIST_LATENCY]->total_count, 8);
    stats_free(&a);
    stats_free(&b);
}

static void histograms_hold_what_they_name(void **state)
{
    (void)state;
    struct stats s;
    assert_true(stats_init(&s, 3));
    struct txn_outcome o = {.end = TXN_COMMITTED,
                            .latency_us = 1000,
                            .lag_us = 500,
                            .attempts = 3,
                            .retries = 2,
                            .attempt_us = {100, 200, 300},
                            .sleeps = 2,
                            .sleep_us = {10, 20}};
    stats_add_txn(&s, &o);
    struct hist *const *h = s.hist;
    assert_int_equal(hist_max(h[HIST_LATENCY]), 1500); /* from the intended start */
    assert_int_equal(hist_max(h[HIST_LATENCY_UNCORRECTED]), 1000);
    assert_int_equal(h[HIST_ATTEMPT]->total_count, 3);
    assert_int_equal(hist_min(h[HIST_ATTEMPT]), 100);
    assert_int_equal(hist_max(h[HIST_ATTEMPT]), 300);
    assert_int_equal(h[HIST_BACKOFF]->total_count, 2);
    assert_int_equal(hist_max(h[HIST_BACKOFF]), 20);
    assert_int_equal(h[HIST_RETRIES]->total_count, 1);
    assert_int_equal(hist_max(h[HIST_RETRIES]), 2);
    assert_int_equal(hist_max(h[HIST_LAG]), 500);

    /* A failed transaction: no latency, but its attempts, sleeps and retries count. */
    struct txn_outcome f = {.end = TXN_FAILED,
                            .attempts = 2,
                            .retries = 1,
                            .attempt_us = {50, 60},
                            .sleeps = 1,
                            .sleep_us = {5}};
    stats_add_txn(&s, &f);
    assert_int_equal(h[HIST_LATENCY]->total_count, 1);
    assert_int_equal(h[HIST_ATTEMPT]->total_count, 5);
    assert_int_equal(h[HIST_RETRIES]->total_count, 2);

    /* More attempts than are kept: the extra ones are counted, not timed. */
    struct txn_outcome many = {
        .end = TXN_FAILED, .attempts = TXN_ATTEMPTS_KEPT + 10, .retries = TXN_ATTEMPTS_KEPT + 9};
    stats_add_txn(&s, &many);
    assert_int_equal(h[HIST_ATTEMPT]->total_count, 5 + TXN_ATTEMPTS_KEPT);
    assert_int_equal(s.attempts, 5 + TXN_ATTEMPTS_KEPT + 10);
    assert_string_equal(stats_hist_name(HIST_LAG), "schedule_lag_us");
    stats_free(&s);
}

/* What every run's counters satisfy, and a hand-edited result may not. */
static void counters_that_contradict_each_other_are_caught(void **state)
{
    (void)state;
    struct stats s;
    char why[160];
    assert_true(stats_init(&s, 3));
    struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = 900, .attempts = 3, .retries = 2};
    stats_add_txn(&s, &o);
    struct txn_outcome f = {.end = TXN_FAILED, .attempts = 1, .budget_denied = true};
    stats_add_txn(&s, &f);
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), 0);

    s.attempts = 0; /* attempts below committed */
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), -1);
    assert_non_null(strstr(why, "attempts below committed"));
    s.attempts = 4;
    s.committed = 2; /* a commit the histograms never saw */
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), -1);
    assert_non_null(strstr(why, "latency histogram"));
    s.committed = 1;
    s.retried_txns = 3;
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), -1);
    s.retried_txns = 1;
    s.budget_denied = 2;
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), -1);
    s.budget_denied = 1;
    assert_int_equal(stats_check_consistent(&s, why, sizeof why), 0);
    stats_free(&s);
}

/* Connection attempts: each connects or fails for one reason, only the
 * connects are timed, merge adds them up, and a count that does not add up
 * is caught. */
static void connect_attempts_are_counted_by_outcome(void **state)
{
    (void)state;
    struct stats a, b;
    char why[160];
    assert_true(stats_init(&a, 3));
    assert_true(stats_init(&b, 3));
    const struct connect_outcome ok = {.ok = true, .latency_us = 4000},
                                 full = {.ok = false, .reason = CONNECT_TOO_MANY},
                                 refused = {.ok = false, .reason = CONNECT_REFUSED};
    stats_add_connect(&a, &ok);
    stats_add_connect(&a, &full);
    stats_add_connect(&a, &full);
    stats_add_connect(&b, &refused);
    stats_add_connect(&b, &ok);
    assert_int_equal(a.connect_attempts, 3);
    assert_int_equal(a.connects, 1);
    assert_int_equal(a.connect_failures[CONNECT_TOO_MANY], 2);
    assert_int_equal(a.hist[HIST_CONNECT]->total_count, 1);
    assert_true(hist_values_equivalent(a.hist[HIST_CONNECT], hist_max(a.hist[HIST_CONNECT]), 4000));
    /* Transactions leave them alone. */
    struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = 900, .attempts = 1};
    stats_add_txn(&a, &o);
    assert_int_equal(a.connect_attempts, 3);
    assert_int_equal(a.hist[HIST_CONNECT]->total_count, 1);

    assert_true(stats_merge(&a, &b));
    assert_int_equal(a.connect_attempts, 5);
    assert_int_equal(a.connects, 2);
    assert_int_equal(a.connect_failures[CONNECT_TOO_MANY], 2);
    assert_int_equal(a.connect_failures[CONNECT_REFUSED], 1);
    assert_int_equal(a.hist[HIST_CONNECT]->total_count, 2);
    assert_int_equal(stats_check_consistent(&a, why, sizeof why), 0);

    a.connect_attempts = 6; /* an attempt that neither connected nor failed */
    assert_int_equal(stats_check_consistent(&a, why, sizeof why), -1);
    assert_non_null(strstr(why, "connection attempts"));
    a.connect_attempts = 5;
    a.connect_failures[CONNECT_OTHER] = INT64_MIN; /* no overflow on the way to the verdict */
    assert_int_equal(stats_check_consistent(&a, why, sizeof why), -1);
    a.connect_failures[CONNECT_OTHER] = INT64_MAX;
    assert_int_equal(stats_check_consistent(&a, why, sizeof why), -1);
    a.connect_failures[CONNECT_OTHER] = 0;
    a.connects = 3; /* a connect the histogram never saw */
    a.connect_failures[CONNECT_TOO_MANY] = 1;
    assert_int_equal(stats_check_consistent(&a, why, sizeof why), -1);
    assert_non_null(strstr(why, "connect histogram"));

    stats_reset(&a);
    assert_int_equal(a.connect_attempts, 0);
    assert_int_equal(a.connect_failures[CONNECT_TOO_MANY], 0);
    assert_int_equal(a.hist[HIST_CONNECT]->total_count, 0);
    assert_string_equal(stats_hist_name(HIST_CONNECT), "connect_us");
    assert_true(stats_hist_older(HIST_CONNECT));
    assert_false(stats_hist_older(HIST_LATENCY));
    stats_free(&a);
    stats_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcomes_are_counted_where_they_belong),
        cmocka_unit_test(merge_adds_everything),
        cmocka_unit_test(histograms_hold_what_they_name),
        cmocka_unit_test(counters_that_contradict_each_other_are_caught),
        cmocka_unit_test(connect_attempts_are_counted_by_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
