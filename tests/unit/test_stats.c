/* Stats: one transaction at a time, and merging workers. */
#include "txstorm/stats.h"

#include "cmocka_prelude.h"

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
    assert_int_equal(s.latency_us->total_count, 1); /* only committed ones */
    assert_true(hist_values_equivalent(s.latency_us, hist_max(s.latency_us), 1500));

    stats_reset(&s);
    assert_int_equal(s.committed, 0);
    assert_int_equal(s.latency_us->total_count, 0);
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
    assert_int_equal(a.latency_us->total_count, 8);
    stats_free(&a);
    stats_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcomes_are_counted_where_they_belong),
        cmocka_unit_test(merge_adds_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
