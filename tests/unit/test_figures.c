/* figures: each derived figure's edge cases, and compare and the --assert
 * gates reading the same failed rate from one result. */
#include "txstorm/compare.h"
#include "txstorm/figures.h"
#include "txstorm/report.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void add_txns(struct stats *s, int n, int end, int retries)
{
    struct txn_outcome o = {
        .end = end, .latency_us = 1000, .attempts = 1 + retries, .retries = retries};
    for (int i = 0; i < n; i++)
        stats_add_txn(s, &o);
}

/* One result with ambiguous commits: `txstorm compare`'s failed % and the
 * failed_rate of `--assert` are the same figure. */
static void compare_and_the_gate_agree_on_failed(void **state)
{
    (void)state;
    /* What compare reads of the configuration. */
    struct run_summary s = {.config = json_pack("{s:s, s:i, s:s, s:f}", "skew", "hot:3", "workers",
                                                4, "backoff", "full-jitter", "retry_budget", 0.0),
                            .server_version = "15.0",
                            .tool_version = "0.0.test",
                            .elapsed_us = 2000000};
    assert_non_null(s.config);
    assert_true(stats_init(&s.total, 3));
    add_txns(&s.total, 90, TXN_COMMITTED, 1);
    add_txns(&s.total, 6, TXN_FAILED, 10);
    add_txns(&s.total, 4, TXN_AMBIGUOUS, 0);

    struct assert_figures gate;
    report_figures(&s, &gate);
    assert_true(gate.value[METRIC_FAILED_RATE] == 0.06);

    char dir[] = "/tmp/test_figures.XXXXXX", path[64], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/run.json", dir);
    assert_int_equal(report_write_file(path, report_write_json_to, &s, err, sizeof err), 0);
    struct compare_run run;
    if (compare_load(path, &run, err, sizeof err) != 0) fail_msg("%s", err);
    assert_true(run.has[CM_FAILED_PCT]);
    assert_true(run.value[CM_FAILED_PCT] == 100 * gate.value[METRIC_FAILED_RATE]);
    struct compare_study study;
    assert_int_equal(compare_build(&run, 1, 1.0, &study, err, sizeof err), 0);
    assert_true(study.cells[0].has_failed_pct);
    assert_true(study.cells[0].failed_pct == 100 * gate.value[METRIC_FAILED_RATE]);
    compare_free(&study);
    compare_run_free(&run);
    report_summary_free(&s);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_finished_has_no_ratio),
        cmocka_unit_test(a_zero_span_has_no_rate),
        cmocka_unit_test(no_commits_no_retries_per_commit),
        cmocka_unit_test(ambiguous_commits_are_finished),
        cmocka_unit_test(sums_pool_counts),
        cmocka_unit_test(compare_and_the_gate_agree_on_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
