/* The stall detector: every quiet stretch of at least the threshold is
 * counted, with its true length, whatever the progress interval. */
#include "txstorm/stall.h"

#include "cmocka_prelude.h"

#define S 1000000

static void each_gap_is_measured_commit_to_commit(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 1 * S, 100 * S);
    stall_commit(&w, 100 * S + 200000);
    /* A 1.6 s lock between two commits: one stall of 1.6 s, not "2.0 s" or none. */
    stall_commit(&w, 100 * S + 1800000);
    stall_commit(&w, 100 * S + 1900000);
    /* 3 s later: another, longer one. */
    stall_commit(&w, 104 * S + 900000);
    struct stall_summary s;
    stall_summarize(&w, 105 * S, &s);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.longest_us, 3 * S);
    assert_int_equal(s.first_at_us, 200000);
}

static void just_under_the_threshold_is_no_stall(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 1 * S, 0);
    stall_commit(&w, 999999);
    stall_commit(&w, 1999998);
    struct stall_summary s;
    stall_summarize(&w, 2 * S, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.longest_us, 0);
    assert_false(stall_ongoing(&w, 2 * S));
    assert_true(stall_ongoing(&w, 2999998));
}

static void the_first_stretch_counts_from_the_start(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 1 * S, 10 * S);
    stall_commit(&w, 12 * S);
    struct stall_summary s;
    stall_summarize(&w, 12 * S, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.first_at_us, 0);
    assert_int_equal(s.longest_us, 2 * S);
}

static void a_stall_still_going_at_the_end_counts(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 1 * S, 0);
    stall_commit(&w, 500000);
    struct stall_summary s;
    stall_summarize(&w, 4 * S, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.longest_us, 3500000);
    assert_int_equal(s.first_at_us, 500000);
    assert_true(stall_ongoing(&w, 4 * S));
}

static void a_late_stamp_closes_no_gap(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 1 * S, 0);
    stall_commit(&w, 500000);
    /* Threads stamp out of order: an older stamp after a newer one is not a gap. */
    stall_commit(&w, 300000);
    stall_commit(&w, 900000);
    struct stall_summary s;
    stall_summarize(&w, 1 * S, &s);
    assert_int_equal(s.count, 0);
}

static void off_counts_nothing(void **state)
{
    (void)state;
    struct stall_watch w;
    stall_init(&w, 0, 0);
    stall_commit(&w, 50 * S);
    struct stall_summary s;
    stall_summarize(&w, 100 * S, &s);
    assert_int_equal(s.count, 0);
    assert_false(stall_ongoing(&w, 100 * S));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_gap_is_measured_commit_to_commit),
        cmocka_unit_test(just_under_the_threshold_is_no_stall),
        cmocka_unit_test(the_first_stretch_counts_from_the_start),
        cmocka_unit_test(a_stall_still_going_at_the_end_counts),
        cmocka_unit_test(a_late_stamp_closes_no_gap),
        cmocka_unit_test(off_counts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
