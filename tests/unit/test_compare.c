/* compare: cells, pooled percentiles, rankings and verdicts, with their edge cases. */
#include "txstorm/compare.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_MAX 32

static struct compare_run runs[N_MAX];
static int n_runs;

static int setup(void **state)
{
    (void)state;
    memset(runs, 0, sizeof runs);
    n_runs = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < n_runs; i++)
        compare_run_free(&runs[i]);
    return 0;
}

/* A run of `committed` transactions, latencies spread evenly over lo..hi us. */
static struct compare_run *add(const char *backoff, double budget, int64_t hot, double goodput,
                               int64_t committed, int64_t failed, int64_t lo_us, int64_t hi_us)
{
    struct compare_run *r = &runs[n_runs++];
    assert_int_equal(compare_run_policy(r, backoff, budget), 0);
    snprintf(r->skew, sizeof r->skew, "hot:%lld", (long long)hot);
    r->workers = 16;
    r->counts =
        (struct figure_counts){.committed = committed, .failed = failed, .retries = committed};
    r->counts.attempts = figures_attempts(committed + failed, committed);
    r->latency_us = hist_create(3600LL * 1000000, 3);
    assert_non_null(r->latency_us);
    for (int64_t i = 0; i < committed; i++)
        hist_record(r->latency_us, committed > 1 ? lo_us + (hi_us - lo_us) * i / (committed - 1)
                                                 : lo_us);
    compare_run_finish(r, goodput, 0.5);
    return r;
}

static char *verdicts_of(const struct compare_study *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    compare_print(f, s, COMPARE_TEXT);
    compare_print_csv(f, s);
    fclose(f);
    /* Whatever the input, no figure is infinite or undefined. */
    assert_null(strstr(buf, "inf"));
    assert_null(strstr(buf, "nan"));
    return buf;
}

static void build(struct compare_study *s)
{
    char err[256];
    assert_int_equal(compare_build(runs, n_runs, 1.0, s, err, sizeof err), 0);
}

static const struct compare_cell *cell(const struct compare_study *s, const char *policy)
{
    for (int i = 0; i < s->n_cells; i++)
        if (strcmp(s->cells[i].policy, policy) == 0) return &s->cells[i];
    fail_msg("no cell %s", policy);
    return NULL;
}

static void test_statistics_per_cell(void **state)
{
    (void)state;
    add("none", 0, 10, 1000, 100, 0, 1000, 2000);
    add("none", 0, 10, 1100, 100, 0, 1000, 2000);
    add("none", 0, 10, 1300, 100, 0, 1000, 2000);
    struct compare_study s;
    build(&s);
    assert_int_equal(s.n_cells, 1);
    const struct compare_stat *g = &s.cells[0].stat[CM_GOODPUT];
    assert_int_equal(g->n, 3);
    assert_true(fabs(g->mean - 1133.333333) < 1e-3);
    assert_true(g->min == 1000 && g->max == 1300);
    assert_true(fabs(g->sd - sqrt((133.333333 * 133.333333 + 33.333333 * 33.333333 +
                                   166.666667 * 166.666667) /
                                  2)) < 1e-3);
    assert_true(s.cells[0].retries_per_committed == 1.0);
    compare_free(&s);
}

/* The cell's p99 comes from the merged histogram, not from the runs' p99s. */
static void test_percentiles_pooled(void **state)
{
    (void)state;
    /* 990 fast transactions in one run, 10 slow ones in the other: the pooled
     * p99 is among the fast, while the mean of the runs' p99s is half slow. */
    add("exponential", 0, 10, 1000, 990, 0, 1000, 1000);
    add("exponential", 0, 10, 1000, 10, 0, 50000, 50000);
    struct compare_study s;
    build(&s);
    const struct compare_cell *c = &s.cells[0];
    assert_true(c->latency_pooled);
    assert_true(fabs(compare_cell_p99_ms(c) - 1.0) < 0.01);
    assert_true(fabs(c->stat[CM_P99_MS].mean - 25.5) < 0.1);
    assert_true(c->stat[CM_P99_MS].min < 1.01 && c->stat[CM_P99_MS].max > 49.9);
    compare_free(&s);
}

static void test_tie_keeps_policy_order(void **state)
{
    (void)state;
    add("full-jitter", 0, 10, 2000, 100, 0, 1000, 3000);
    add("exponential", 0, 10, 2000, 100, 0, 1000, 3000);
    struct compare_study s;
    build(&s);
    const struct compare_group *g = &s.groups[0];
    assert_int_equal(g->goodput.judgement, JUDGE_TIE);
    assert_int_equal(g->p99.judgement, JUDGE_TIE);
    assert_string_equal(s.cells[g->goodput.order[0]].policy, "exponential");
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "by goodput exponential and full-jitter tie at 2000/s."));
    assert_non_null(strstr(text, "By p99 exponential and full-jitter tie at"));
    free(text);
    compare_free(&s);
}

/* No commits: no latency to win with, and no percentage above a zero. */
static void test_zero_commits(void **state)
{
    (void)state;
    add("none", 0, 2, 0, 0, 500, 0, 0);
    add("none", 0, 2, 0, 0, 400, 0, 0);
    add("full-jitter", 0, 2, 300, 900, 0, 2000, 90000);
    add("full-jitter", 0, 2, 320, 960, 0, 2000, 90000);
    struct compare_study s;
    build(&s);
    const struct compare_group *g = &s.groups[0];
    assert_false(cell(&s, "none")->has_latency);
    assert_false(cell(&s, "none")->has_retries_per_committed);
    assert_int_equal(g->p99.n, 1);
    assert_int_equal(g->p99.n_no_commits, 1);
    assert_string_equal(s.cells[g->p99.order[0]].policy, "full-jitter");
    assert_false(g->goodput.has_margin_pct);
    assert_true(isfinite(g->goodput.margin_pct));
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "ahead of none, which committed nothing;"));
    assert_non_null(strstr(text, "By p99 only full-jitter has commits to rank"));
    assert_non_null(strstr(text, "Not ranked by p99, for committing nothing: none."));
    free(text);
    compare_free(&s);
}

static void test_nobody_commits(void **state)
{
    (void)state;
    add("none", 0, 2, 0, 0, 10, 0, 0);
    add("constant", 0, 2, 0, 0, 10, 0, 0);
    struct compare_study s;
    build(&s);
    assert_int_equal(s.groups[0].p99.n, 0);
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "No policy committed a transaction: nothing to rank."));
    assert_non_null(strstr(text, "p99 is not ranked: no policy committed a transaction."));
    free(text);
    compare_free(&s);
}

static void test_single_repetition(void **state)
{
    (void)state;
    add("none", 0, 100, 3000, 9000, 0, 1000, 5000);
    add("full-jitter", 0, 100, 2900, 8700, 0, 1000, 8000);
    struct compare_study s;
    build(&s);
    assert_int_equal(s.groups[0].goodput.judgement, JUDGE_ONE_REP);
    assert_int_equal(s.groups[0].p99.judgement, JUDGE_ONE_REP);
    assert_int_equal(s.noise.cells, 0);
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "by goodput none is best at 3000/s, 3.4% above full-jitter "
                                 "(2900/s); with one repetition the run-to-run spread is "
                                 "unknown."));
    assert_non_null(strstr(text, "Noise: every cell ran once, so the run-to-run spread is "
                                 "unknown."));
    free(text);
    compare_free(&s);
}

static void test_margin_against_spread(void **state)
{
    (void)state;
    add("none", 0, 10, 1000, 1000, 0, 1000, 30000);
    add("none", 0, 10, 1100, 1000, 0, 1000, 34000);
    add("full-jitter", 0, 10, 1200, 1000, 0, 1000, 100000);
    add("full-jitter", 0, 10, 1260, 1000, 0, 1000, 120000);
    struct compare_study s;
    build(&s);
    const struct compare_group *g = &s.groups[0];
    assert_string_equal(s.cells[g->goodput.order[0]].policy, "full-jitter");
    assert_true(fabs(g->goodput.margin - 180) < 1e-9);
    assert_true(fabs(g->goodput.spread - 100) < 1e-9);
    assert_int_equal(g->goodput.judgement, JUDGE_CLEAR);
    assert_string_equal(s.cells[g->p99.order[0]].policy, "none");
    assert_int_equal(s.noise.cells, 2);
    compare_free(&s);

    /* The same runs, one of none's faster: the lead is within the spread. */
    runs[1].value[CM_GOODPUT] = 1250;
    build(&s);
    assert_int_equal(s.groups[0].goodput.judgement, JUDGE_WITHIN_SPREAD);
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "is within the run-to-run spread of 250/s: not a clear win"));
    free(text);
    compare_free(&s);
}

/* Giving up buys a low p99; past --max-failed it is not ranked by p99. */
static void test_every_policy_excluded(void **state)
{
    (void)state;
    add("none", 0, 5, 300, 1000, 100, 1000, 200000);
    add("exponential", 0, 5, 330, 1000, 20, 1000, 400000);
    struct compare_study s;
    build(&s);
    const struct compare_group *g = &s.groups[0];
    assert_int_equal(g->p99.n, 0);
    assert_int_equal(g->p99.n_failing, 2);
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "p99 is not ranked: every policy gave up on more than 1.0% of "
                                 "its transactions; the fewest, exponential, gave up on 2.0%"));
    free(text);
    compare_free(&s);
}

static void test_budget_is_its_own_policy(void **state)
{
    (void)state;
    add("full-jitter", 20, 2, 650, 1950, 100, 1000, 16000);
    add("full-jitter", 0, 2, 620, 1860, 0, 1000, 50000);
    add("none", 0, 2, 500, 1500, 10, 1000, 20000);
    struct compare_study s;
    build(&s);
    assert_int_equal(s.n_cells, 3);
    assert_string_equal(s.cells[0].policy, "none");
    assert_string_equal(s.cells[2].policy, "full-jitter+budget");
    const struct compare_group *g = &s.groups[0];
    assert_int_equal(g->p99.n_failing, 1);
    assert_string_equal(s.cells[g->p99.failing[0]].policy, "full-jitter+budget");
    compare_free(&s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* pgbench rows: the documented file form, shown beside the policies, never ranked. */
/* Runs of one skew and worker count that offered different loads are split
 * into groups never ranked against each other, each named with its load; a
 * baseline joins the runs of its skew and workers only when they ran one load. */
static void test_unlike_loads_split(void **state)
{
    (void)state;
    const char *closed = "closed loop, interactive, serializable, lock random";
    const char *rate = "rate 300/s fixed, interactive, serializable, lock random";
    snprintf(add("none", 0, 10, 1000, 1000, 0, 1000, 30000)->load, COMPARE_LOAD_MAX, "%s", closed);
    snprintf(add("full-jitter", 0, 10, 1200, 1000, 0, 1000, 60000)->load, COMPARE_LOAD_MAX, "%s", closed);
    struct compare_run *b = &runs[n_runs++];
    snprintf(b->policy, sizeof b->policy, "%s", COMPARE_BASELINE);
    b->baseline = true;
    b->policy_rank = 99;
    snprintf(b->skew, sizeof b->skew, "hot:10");
    b->workers = 16;
    compare_run_finish(b, 900, 0);

    struct compare_study s;
    build(&s);
    assert_int_equal(s.n_groups, 1); /* one load: the baseline joins it */
    assert_int_equal(s.n_split, 0);
    assert_true(s.groups[0].baseline >= 0);
    char *text = verdicts_of(&s);
    assert_null(strstr(text, ",load"));
    free(text);
    compare_free(&s);

    snprintf(add("none", 0, 10, 5000, 1000, 0, 1000, 3000)->load, COMPARE_LOAD_MAX, "%s", rate);
    snprintf(add("full-jitter", 0, 10, 100, 1000, 0, 1000, 3000)->load, COMPARE_LOAD_MAX, "%s", rate);
    build(&s);
    assert_int_equal(s.n_groups, 3); /* closed, rate, and the baseline on its own */
    int split = 0;
    for (int i = 0; i < s.n_groups; i++) {
        const struct compare_group *g = &s.groups[i];
        if (g->n_policies == 2) {
            assert_true(g->split > 0);
            split++;
            /* Never ranked across loads: each group's best is its own. */
            assert_string_equal(s.cells[g->goodput.order[0]].load, g->load);
        }
    }
    assert_int_equal(split, 2);
    assert_int_equal(s.n_split, 3);
    text = verdicts_of(&s);
    assert_non_null(strstr(text, "hot 10, 16 workers, L"));
    assert_non_null(strstr(text, "(rate 300/s fixed, interactive, serializable, lock random): by goodput none is best at 5000/s"));
    assert_non_null(strstr(text, "(closed loop, interactive, serializable, lock random): by goodput full-jitter is best at 1200/s"));
    assert_non_null(strstr(text, "were split, never ranked against each other"));
    assert_non_null(strstr(text, ",load\n"));
    assert_non_null(strstr(text, ",\"rate 300/s fixed, interactive, serializable, lock random\"\n"));
    free(text);
    compare_free(&s);
}

static void test_pgbench_baseline(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_compare.XXXXXX", a[64], b[64], bad[64];
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof a, "%s/a.json", dir);
    snprintf(b, sizeof b, "%s/b.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    write_file(a, "{\"tool\": \"pgbench\", \"committed\": 4, \"failed\": 1, \"retries\": 6,"
                  " \"throughput_tps\": 900, \"latency_us\": [1000, 2000, 3000, 40000],"
                  " \"config\": {\"hot\": 10, \"workers\": 16}}");
    write_file(b, "{\"tool\": \"pgbench\", \"committed\": 3, \"failed\": 0, \"retries\": 0,"
                  " \"throughput_tps\": 1000, \"latency_ms\": {\"p50\": 7, \"p99\": 48.5,"
                  " \"p999\": 70}, \"config\": {\"hot\": 10, \"workers\": 16}}");
    write_file(bad, "{\"tool\": \"pgbench\", \"committed\": 4, \"failed\": 0, \"retries\": 0,"
                    " \"throughput_tps\": 900, \"latency_us\": [1000],"
                    " \"config\": {\"hot\": 10, \"workers\": 16}}");
    char err[256];
    struct compare_run *r = &runs[n_runs++];
    assert_int_equal(compare_load(a, r, err, sizeof err), 0);
    assert_true(r->baseline);
    assert_string_equal(r->skew, "hot:10");
    assert_true(r->value[CM_WASTED] == 7);
    assert_true(fabs(r->value[CM_P99_MS] - 40.0) < 0.05);
    struct compare_run junk;
    assert_int_equal(compare_load(bad, &junk, err, sizeof err), -1);
    assert_non_null(strstr(err, "1 latencies for 4 committed"));

    add("none", 0, 10, 1000, 1000, 0, 1000, 30000);
    add("full-jitter", 0, 10, 1200, 1000, 0, 1000, 60000);
    struct compare_study s;
    build(&s);
    const struct compare_group *g = &s.groups[0];
    assert_int_equal(g->goodput.n, 2);
    assert_true(g->baseline >= 0 && s.cells[g->baseline].latency_pooled);
    assert_string_equal(s.cells[s.n_cells - 1].policy, COMPARE_BASELINE);
    char *text = verdicts_of(&s);
    assert_non_null(strstr(text, "Baseline pgbench (no backoff): 900/s, p99 40.0 ms, 1.500 "
                                 "retries per committed, gave up on 20.0%."));
    free(text);
    compare_free(&s);

    /* A run that brought only its percentiles: the cell says they are averaged. */
    r = &runs[n_runs++];
    assert_int_equal(compare_load(b, r, err, sizeof err), 0);
    build(&s);
    const struct compare_cell *c = cell(&s, COMPARE_BASELINE);
    assert_int_equal(c->reps, 2);
    assert_false(c->latency_pooled);
    assert_true(fabs(compare_cell_p99_ms(c) - (40.0 + 48.5) / 2) < 0.05);
    text = verdicts_of(&s);
    assert_non_null(strstr(text, "(the mean of its runs' p99)"));
    assert_non_null(strstr(text, "run-means"));
    free(text);
    compare_free(&s);
    remove(a);
    remove(b);
    remove(bad);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_statistics_per_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percentiles_pooled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tie_keeps_policy_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nobody_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_repetition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_margin_against_spread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_policy_excluded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_is_its_own_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pgbench_baseline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlike_loads_split, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
