/* figures: each derived figure's edge cases. */
#include "txstorm/figures.h"

#include "cmocka_prelude.h"

#include <math.h>

static void nothing_finished_has_no_ratio(void **state)
{
    (void)state;
    struct figure_counts c = {0};
    struct figures f;
    figures_of(&c, 1000000, &f);
    assert_int_equal(f.finished, 0);
    assert_int_equal(f.wasted_attempts, 0);
    assert_true(f.goodput_per_s == 0);
    assert_true(isnan(f.failed_rate));
    assert_true(isnan(f.retries_per_commit));
    assert_true(isnan(f.attempts_per_finished));
    assert_true(figures_or_zero(f.failed_rate) == 0);
}

static void a_zero_span_has_no_rate(void **state)
{
    (void)state;
    assert_true(figures_per_second(5, 0) == 0);
    assert_true(figures_per_second(5, -1) == 0);
    assert_true(figures_per_second(5, 500000) == 10);
    struct figure_counts c = {.committed = 4, .attempts = 4};
    struct figures f;
    figures_of(&c, 0, &f);
    assert_true(f.goodput_per_s == 0);
    /* The ratios do not depend on the span. */
    assert_true(f.failed_rate == 0);
    assert_true(f.retries_per_commit == 0);
    assert_true(f.attempts_per_finished == 1);
}

static void no_commits_no_retries_per_commit(void **state)
{
    (void)state;
    struct figure_counts c = {.failed = 3, .attempts = 12, .retries = 9};
    struct figures f;
    figures_of(&c, 2000000, &f);
    assert_int_equal(f.finished, 3);
    assert_true(f.goodput_per_s == 0);
    assert_true(f.failed_rate == 1);
    assert_true(isnan(f.retries_per_commit));
    assert_true(f.attempts_per_finished == 4);
    assert_int_equal(f.wasted_attempts, 12);
}

/* An ambiguous commit ended: it is finished, and its attempt was not a commit. */
static void ambiguous_commits_are_finished(void **state)
{
    (void)state;
    assert_int_equal(figures_finished(5, 2, 1, 2), 10);
    struct figure_counts c = {.committed = 5,
                              .failed = 2,
                              .insufficient = 1,
                              .ambiguous = 2,
                              .attempts = 16,
                              .retries = 6};
    struct figures f;
    figures_of(&c, 4000000, &f);
    assert_int_equal(f.finished, 10);
    assert_true(f.failed_rate == 0.2);
    assert_true(f.goodput_per_s == 1.25);
    assert_true(f.retries_per_commit == 1.2);
    assert_true(f.attempts_per_finished == 1.6);
    /* the 6 retried attempts, the 2 failures' last and the 2 ambiguous COMMITs */
    assert_int_equal(f.wasted_attempts, 10);
    /* A source counting only retries has the same attempts. */
    assert_int_equal(figures_attempts(f.finished, c.retries), c.attempts);
}

static void sums_pool_counts(void **state)
{
    (void)state;
    struct figure_counts sum = {0}, a = {1, 2, 3, 4, 5, 6}, b = {10, 20, 30, 40, 50, 60};
    figures_add(&sum, &a);
    figures_add(&sum, &b);
    struct figure_counts want = {11, 22, 33, 44, 55, 66};
    assert_memory_equal(&sum, &want, sizeof want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_finished_has_no_ratio),
        cmocka_unit_test(a_zero_span_has_no_rate),
        cmocka_unit_test(no_commits_no_retries_per_commit),
        cmocka_unit_test(ambiguous_commits_are_finished),
        cmocka_unit_test(sums_pool_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
