/* The recovery verdict on synthetic series: recovers, never recovers, a
 * noisy baseline, a trigger at the very end, none before, open loop's lag. */
#include "cmocka_prelude.h"
#include "txstorm/recovery.h"
#include "txstorm/series_json.h"
#include "txstorm/trigger_merge.h"
#include "txstorm/trigger_verdict.h"

#include <stdio.h>
#include <stdlib.h>

#include <math.h>
#include <string.h>

#define N_MAX 64

/* One-second intervals with these commits per second; attempts = finished. */
static size_t series(struct recovery_interval *iv, const double *rates, size_t n)
{
    for (size_t i = 0; i < n; i++)
        iv[i] = (struct recovery_interval){.end_s = (double)(i + 1),
                                           .interval_s = 1,
                                           .committed = (int64_t)rates[i],
                                           .finished = (int64_t)rates[i],
                                           .attempts = (int64_t)rates[i],
                                           .offered = NAN,
                                           .lag_ms = NAN};
    return n;
}

static void judge_one(const struct recovery_interval *iv, size_t n, double start_s, double end_s,
                      struct recovery_verdict *v)
{
    struct recovery_window w = {start_s, end_s, NAN};
    recovery_judge(iv, n, &w, 1, 0, v);
}

static void recovers_after_the_window(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* 5 s at 1000/s, the lock from 5 to 7 s, 2 s slow, then back. */
    const double r[] = {1000, 1000, 1000, 1000, 1000, 0, 0, 300, 700, 950, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 5.0, 7.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.baseline_per_s - 1000) < 1e-9);
    assert_true(fabs(v.band_per_s - 900) < 1e-9);
    /* Back from the interval 9..10 s on: 2 s after the end at 7 s. */
    assert_true(fabs(v.recovery_s - 2.0) < 1e-9);
    char text[128];
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "recovered in 2.0 s");
    assert_string_equal(recovery_outcome_name(v.outcome), "recovered");
}

static void a_dip_late_in_the_run_means_not_yet(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* Back for a while, then out of the band again at the end: it never stayed. */
    const double r[] = {1000, 1000, 1000, 0, 0, 1000, 1000, 500, 400, 300};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 3.0, 5.0, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
    assert_true(isnan(v.recovery_s));
    char text[128];
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "did not recover within the run (metastable)");
}

static void never_recovers(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 1000, 0, 0, 200, 200, 200, 200, 200, 200};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    /* Retries pile up after it: three attempts per finished transaction. */
    for (size_t i = 6; i < n; i++)
        iv[i].attempts = 3 * iv[i].finished;
    struct recovery_verdict v;
    judge_one(iv, n, 4.0, 6.0, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
    assert_true(fabs(v.amplification[RECOVERY_BEFORE] - 1.0) < 1e-9);
    assert_true(isnan(v.amplification[RECOVERY_DURING])); /* nothing finished in it */
    assert_true(fabs(v.amplification[RECOVERY_AFTER] - 3.0) < 1e-9);
}

static void a_noisy_baseline_widens_the_band(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* Mean 1000, spread about 160: 0.9 x 1000 would call 800 out of the band. */
    const double r[] = {800, 1200, 850, 1150, 1000, 0, 0, 820, 1180, 790, 1210, 800};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 5.0, 7.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(v.band_per_s < 800 && v.band_per_s >= 500);
    assert_true(fabs(v.recovery_s) < 1e-9);
    /* A spread so wide the band would vanish is held at half the baseline. */
    const double wild[] = {100, 1900, 100, 1900, 0, 0, 400, 400};
    n = series(iv, wild, sizeof wild / sizeof wild[0]);
    judge_one(iv, n, 4.0, 6.0, &v);
    assert_true(fabs(v.band_per_s - 500) < 1e-9);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
}

static void a_trigger_at_the_very_end_is_not_judged(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 1000, 0, 0};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 4.0, 6.0, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_DATA_AFTER);
    assert_true(isnan(v.recovery_s));
    assert_true(fabs(v.baseline_per_s - 1000) < 1e-9);
    /* The run's last sliver (a tenth of an interval) is not judged either. */
    iv[n] = (struct recovery_interval){.end_s = 6.1,
                                       .interval_s = 0.1,
                                       .committed = 100,
                                       .finished = 100,
                                       .attempts = 100,
                                       .offered = NAN,
                                       .lag_ms = NAN};
    judge_one(iv, n + 1, 4.0, 6.0, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_DATA_AFTER);
    char text[128];
    recovery_verdict_text(&v, text, sizeof text);
    assert_non_null(strstr(text, "no interval after it"));
}

static void no_baseline_before_a_trigger_at_zero(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {0, 0, 1000, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 0.0, 2.0, &v);
    assert_int_equal(v.outcome, RECOVERY_SHORT_BASELINE);
    assert_true(isnan(v.baseline_per_s));
    /* Warmup intervals are no baseline either. */
    n = series(iv, (const double[]){1000, 1000, 0, 1000}, 4);
    iv[0].warmup = iv[1].warmup = true;
    judge_one(iv, n, 2.0, 3.0, &v);
    assert_int_equal(v.outcome, RECOVERY_SHORT_BASELINE);
    /* Long enough, but nothing committed in it. */
    n = series(iv, (const double[]){0, 0, 0, 0, 1000, 1000}, 6);
    judge_one(iv, n, 3.0, 4.0, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_BASELINE);
    char text[160];
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "not judged: nothing committed before it");
}

/* The users' case: a baseline of one or two intervals has no spread to judge
 * noise by. Under 2 s, or under 3 full intervals, it is too short, and the
 * verdict says so, never "metastable". */
static void a_short_baseline_is_not_judged(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    char text[160];
    /* Two 1 s intervals: 2 s, but two intervals. */
    const double r[] = {1000, 1000, 0, 0, 1000, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    judge_one(iv, n, 2.0, 4.0, &v);
    assert_int_equal(v.outcome, RECOVERY_SHORT_BASELINE);
    assert_true(isnan(v.recovery_s));
    assert_true(fabs(v.baseline_s - 2.0) < 1e-9);
    assert_int_equal(v.baseline_intervals, 2);
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "not judged: baseline too short (2.0 s, 2 full intervals; it needs "
                              "2 s and 3)");
    assert_string_equal(recovery_outcome_name(v.outcome), "baseline_too_short");
    /* Four 0.25 s intervals: enough intervals, 1 s only. */
    const double quick[] = {250, 250, 250, 250, 0, 250, 250, 250};
    n = series(iv, quick, 8);
    for (size_t i = 0; i < n; i++)
        iv[i].end_s = 0.25 * (double)(i + 1), iv[i].interval_s = 0.25;
    judge_one(iv, n, 1.0, 1.25, &v);
    assert_int_equal(v.outcome, RECOVERY_SHORT_BASELINE);
    assert_int_equal(v.baseline_intervals, 4);
    /* Three full intervals and 2 s or more: judged. */
    const double three[] = {1000, 1000, 1000, 0, 1000, 1000};
    n = series(iv, three, 6);
    judge_one(iv, n, 3.0, 4.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_int_equal(v.baseline_intervals, 3);
}

static void the_baseline_starts_after_the_previous_trigger(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* A first trigger 3..4 s, back to 500/s only; the second at 8..9 s is
     * judged against 500/s, from 4 to 8 s. */
    const double r[] = {1000, 1000, 1000, 0, 500, 500, 500, 500, 0, 480, 500};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_window w[] = {{8.0, 9.0, NAN}, {3.0, 4.0, NAN}};
    struct recovery_verdict v;
    recovery_judge(iv, n, w, 2, 0, &v);
    assert_true(fabs(v.baseline_per_s - 500) < 1e-9);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    /* The first is judged up to the second's start only: 500/s against 1000/s. */
    recovery_judge(iv, n, w, 2, 1, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
}

/* A window whose span ends before the next trigger begins, with no full
 * interval between: the next trigger, not the run's end, left nothing to
 * judge, and the verdict says which. */
static void the_next_trigger_bounds_the_span(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 0, 200, 1000, 1000, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    /* A lock 3.0..3.5 s, a terminate at 3.8 s: no interval ends in between. */
    struct recovery_window w[] = {{3.0, 3.5, NAN}, {3.8, 3.8, NAN}};
    struct recovery_verdict v;
    recovery_judge(iv, n, w, 2, 0, &v);
    assert_int_equal(v.outcome, RECOVERY_NEXT_TRIGGER);
    char text[160];
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "not judged: no interval after it before the next trigger");
    assert_string_equal(recovery_outcome_name(v.outcome), "next_trigger");
    /* The same window with the run ending there instead: the run's end. */
    recovery_judge(iv, 4, w, 1, 0, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_DATA_AFTER);
    recovery_verdict_text(&v, text, sizeof text);
    assert_string_equal(text, "not judged: no interval after it (the run ended)");
}

/* The users' case: intervals 1 s long, the lock held 3.007..4.003 s, and the
 * interval 3.0..4.03 s (98% inside) closed a hair after the window's end.
 * It is the window's, not the first after it: with only the run's last
 * sliver after, nothing is judged, rather than "metastable". */
static void an_interval_closed_a_hair_after_the_window_is_inside_it(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 6, 20};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    iv[3].end_s = 4.03;
    iv[3].interval_s = 1.03;
    iv[3].attempts = 30; /* retries inside the lock */
    iv[4].end_s = 4.05;
    iv[4].interval_s = 0.02;
    struct recovery_verdict v;
    judge_one(iv, n, 3.007, 4.003, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_DATA_AFTER);
    assert_true(fabs(v.amplification[RECOVERY_DURING] - 5.0) < 1e-9);
    /* With time after it, the judging starts after that interval. */
    const double more[] = {1000, 1000, 1000, 6, 1000, 1000};
    n = series(iv, more, 6);
    iv[3].end_s = 4.03;
    iv[3].interval_s = 1.03;
    iv[4].interval_s = 0.97;
    judge_one(iv, n, 3.007, 4.003, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 0.027) < 1e-9);
    /* And a window edge a hair after a boundary is at it: the lock from
     * 3.004 s takes nothing of the interval before, which is baseline. */
    n = series(iv, (const double[]){1000, 1000, 1000, 0, 1000, 1000}, 6);
    iv[2].attempts = 4000;
    judge_one(iv, n, 3.004, 4.0, &v);
    assert_int_equal(v.baseline_intervals, 3);
    assert_true(isnan(v.amplification[RECOVERY_DURING])); /* nothing finished in it */
}

/* The users' case: a terminate at 3.0004 s while the interval before was
 * closed at 3.0005 s. An instant at a boundary belongs to the interval that
 * begins there: the one before stays baseline, the one after shows the
 * fault, and the time to recover counts from there. */
static void an_instant_at_an_interval_boundary_belongs_to_the_next(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 400, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    iv[2].end_s = 3.0005;
    iv[2].interval_s = 1.0005;
    iv[3].interval_s = 0.9995;
    iv[3].attempts = 3 * iv[3].finished;
    struct recovery_verdict v;
    judge_one(iv, n, 3.0004, 3.0004, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_int_equal(v.baseline_intervals, 3);
    assert_true(fabs(v.baseline_per_s - 1000) < 1);
    assert_true(fabs(v.amplification[RECOVERY_DURING] - 3.0) < 1e-9);
    assert_true(fabs(v.recovery_s - 0.9996) < 1e-9);
    /* The boundary a hair after the instant reads the same. */
    iv[2].end_s = 2.9998;
    iv[2].interval_s = 0.9998;
    iv[3].interval_s = 1.0002;
    judge_one(iv, n, 3.0004, 3.0004, &v);
    assert_int_equal(v.baseline_intervals, 3);
    assert_true(fabs(v.amplification[RECOVERY_DURING] - 3.0) < 1e-9);
    assert_true(fabs(v.recovery_s - 0.9996) < 1e-9);
}

/* The users' case: a steady baseline (no spread) made a band of 0.9 B, and
 * an interval at ordinary counting noise below it read as not back: a
 * terminate gate of recover_s<2.5 failed at 2.503 s on one 0.5 s interval
 * at 167/s against a 170.8/s band. The spread is at least sqrt(B / L). */
static void one_noisy_interval_does_not_breach_a_steady_band(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* 0.5 s intervals: 95 commits each before (190/s), the fault, then 83 (166/s). */
    const double r[] = {95, 95, 95, 95, 95, 95, 10, 83, 95, 95, 95, 95};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    for (size_t i = 0; i < n; i++)
        iv[i].end_s = 0.5 * (double)(i + 1), iv[i].interval_s = 0.5;
    struct recovery_verdict v;
    judge_one(iv, n, 3.0, 3.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    /* B - 2 sqrt(B / L) = 190 - 2 sqrt(380) = 151.0 */
    assert_true(fabs(v.band_per_s - (190 - 2 * sqrt(380))) < 1e-9);
    assert_true(fabs(v.recovery_s - 0.5) < 1e-9);
    /* Two in a row at 0.88 B at the run's end: noise, not a relapse. */
    const double tail[] = {95, 95, 95, 95, 95, 95, 0, 95, 95, 95, 84, 84};
    n = series(iv, tail, 12);
    for (size_t i = 0; i < n; i++)
        iv[i].end_s = 0.5 * (double)(i + 1), iv[i].interval_s = 0.5;
    judge_one(iv, n, 3.0, 3.5, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s) < 1e-9);
}

/* Seen in the bench: a lock-rows@3s+3s that waited 0.61 s for workers' row
 * locks. Its tries held some of the rows already (10 commits in 0.61 s), so
 * that wait is no baseline: the baseline ends at the planned start. */
static void a_lock_that_waited_is_no_baseline_while_it_waits(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {150, 150, 150, 10, 0, 0, 0, 590, 151, 150, 150};
    const double lag_ms[] = {8, 10, 4, 535, 0, 0, 0, 2943, 4, 4, 4};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    for (size_t i = 0; i < n; i++) {
        /* 3.0..3.61 s waiting, then 3.61..4 s, then whole seconds again */
        iv[i].end_s = i < 3 ? (double)(i + 1) : i == 3 ? 3.61 : (double)i;
        iv[i].interval_s = i == 3 ? 0.61 : i == 4 ? 0.39 : 1.0;
        iv[i].offered = 150 * iv[i].interval_s;
        iv[i].lag_ms = lag_ms[i];
    }
    struct recovery_window w = {.start_s = 3.61, .end_s = 6.0, .tried_s = 3.0};
    struct recovery_verdict v;
    recovery_judge(iv, n, &w, 1, 0, &v);
    assert_int_equal(v.baseline_intervals, 3);
    assert_true(fabs(v.baseline_per_s - 150) < 1e-9);
    assert_true(fabs(v.band_per_s - (150 - 2 * sqrt(150))) < 1e-9);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 1.0) < 1e-9); /* 6..7 s drains the backlog, lagging */
    /* A next trigger first tried before its lock came bounds the span there. */
    struct recovery_window two[] = {{.start_s = 3.61, .end_s = 6.0, .tried_s = 3.0},
                                    {.start_s = 8.2, .end_s = 8.5, .tried_s = 7.0}};
    recovery_judge(iv, n, two, 2, 0, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE); /* 6..7 s only: the backlog's */
}

/* The mark of the progress line and the verdict's "during": edges within
 * the slack of a boundary are at it. */
static void a_window_covers_the_intervals_it_holds(void **state)
{
    (void)state;
    const double slack = 0.05;
    /* An instant: the interval it falls in; at a boundary, the next. */
    assert_true(recovery_window_covers(1.0, 2.0, 1.5, 1.5, slack));
    assert_true(recovery_window_covers(1.0, 2.0, 1.0004, 1.0004, slack));
    assert_true(recovery_window_covers(1.0, 2.0, 0.9996, 0.9996, slack));
    assert_false(recovery_window_covers(1.0, 2.0, 1.9996, 1.9996, slack));
    assert_false(recovery_window_covers(1.0, 2.0, 2.0004, 2.0004, slack));
    /* A span: at least half of the interval, or wholly within it. */
    assert_true(recovery_window_covers(1.0, 2.03, 1.007, 2.003, slack));
    assert_false(recovery_window_covers(2.0, 2.5, 1.0, 2.003, slack));
    assert_false(recovery_window_covers(0.5, 1.0002, 0.9995, 3.0, slack));
    assert_true(recovery_window_covers(1.0, 2.0, 1.4, 1.6, slack));
    assert_false(recovery_window_covers(1.0, 2.0, 1.8, 3.0, slack));
    assert_true(recovery_window_covers(2.0, 2.013, 1.0, 2.013, slack)); /* a sliver */
}

static void open_loop_needs_the_backlog_drained(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* Goodput back at the offered 1000/s, but the schedule lag keeps growing. */
    const double r[] = {1000, 1000, 1000, 0, 1000, 1000, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    const double lag[] = {5, 6, 5, 1000, 1500, 2000, 2500, 3000};
    for (size_t i = 0; i < n; i++) {
        iv[i].offered = 1000;
        iv[i].lag_ms = lag[i];
        iv[i].attempts = 2 * iv[i].finished;
    }
    struct recovery_verdict v;
    judge_one(iv, n, 3.0, 4.0, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
    /* Attempts per offered transaction: 2 before, 0 during (nothing finished). */
    assert_true(fabs(v.amplification[RECOVERY_BEFORE] - 2.0) < 1e-9);
    assert_true(fabs(v.amplification[RECOVERY_DURING]) < 1e-9);
    /* The backlog drains: lag back within 2 x 6 ms + 50 ms from 7 s on. */
    iv[5].lag_ms = 400;
    iv[6].lag_ms = 30;
    iv[7].lag_ms = 8;
    judge_one(iv, n, 3.0, 4.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 2.0) < 1e-9);
}

static void an_instant_trigger_is_judged_from_its_interval(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 400, 1000, 1000};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_verdict v;
    judge_one(iv, n, 3.5, 3.5, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 0.5) < 1e-9);
    assert_true(fabs(v.amplification[RECOVERY_DURING] - 1.0) < 1e-9);
}

/* A result's "intervals" and "triggers" read through their codecs, the
 * triggers judged, the run stopped at stop_s. */
static void judged_stopped(const json_t *intervals, const json_t *triggers, double stop_s,
                           struct trigger_outcomes *out)
{
    struct series rows;
    char err[256];
    assert_int_equal(series_json_decode(intervals, &rows, err, sizeof err), 0);
    assert_int_equal(trigger_outcomes_decode(triggers, out, err, sizeof err), 0);
    trigger_outcomes_judge(out, &rows, 0, stop_s);
    series_free(&rows);
}

static void judged(const json_t *intervals, const json_t *triggers, struct trigger_outcomes *out)
{
    judged_stopped(intervals, triggers, INFINITY, out);
}

/* The report's lines for the triggers (the caller frees them). */
static char *printed(const struct trigger_outcomes *t)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    trigger_verdict_print(out, t);
    fclose(out);
    return text;
}

/* The triggers' JSON decodes and encodes back to the same document. */
static void reads_back_the_same(const json_t *rows)
{
    struct trigger_outcomes again;
    char err[256];
    assert_int_equal(trigger_outcomes_decode(rows, &again, err, sizeof err), 0);
    json_t *twice = trigger_outcomes_json(&again);
    assert_true(json_equal(twice, rows));
    json_decref(twice);
    trigger_outcomes_free(&again);
}

/* The result's JSON: rows in, verdict fields out, the report's line, the gate's figure. */
static void the_result_json_is_judged_and_printed(void **state)
{
    (void)state;
    json_t *intervals = json_array();
    const int committed[] = {100, 100, 100, 0, 0, 60, 100, 100};
    for (int i = 0; i < 8; i++)
        json_array_append_new(intervals, json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f}",
                                                   "elapsed_s", (double)(i + 1), "interval_s", 1.0,
                                                   "warmup", 0, "committed", committed[i], "failed",
                                                   0, "ambiguous", 0, "insufficient", 0, "retries",
                                                   committed[i], "lag_max_ms", 1.0));
    json_t *triggers =
        json_pack("[{s:s, s:s, s:s, s:f, s:f}, {s:s, s:s, s:s, s:n, s:n, s:s}]", "kind",
                  "lock-rows", "spec", "lock-rows@3s+2s", "arg", "10 rows", "start_s", 3.0, "end_s",
                  5.0, "kind", "terminate", "spec", "terminate@9s:0.5", "arg", "0.5", "start_s",
                  "end_s", "error", "the run ended first");
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    /* Judged, and written back as the result's JSON. */
    json_decref(triggers);
    triggers = trigger_outcomes_json(&outcomes);
    const json_t *t = json_array_get(triggers, 0);
    assert_true(json_is_true(json_object_get(t, "recovered")));
    assert_true(fabs(json_real_value(json_object_get(t, "recovery_s")) - 1.0) < 1e-9);
    assert_true(fabs(json_real_value(json_object_get(t, "baseline_per_s")) - 100) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(t, "outcome")), "recovered");
    /* Two attempts per finished transaction before it. */
    const json_t *amp = json_object_get(t, "amplification");
    assert_true(fabs(json_real_value(json_object_get(amp, "before")) - 2.0) < 1e-9);
    assert_true(json_is_null(json_object_get(amp, "during"))); /* nothing finished in it */
    /* The second never happened: not recovered, so the gate has no figure. */
    assert_string_equal(json_string_value(json_object_get(json_array_get(triggers, 1), "outcome")),
                        "not_injected");
    assert_true(isnan(trigger_verdict_recover_s(&outcomes)));
    char *text = printed(&outcomes);
    assert_non_null(strstr(text, "lock-rows@3s+2s"));
    assert_non_null(strstr(text, "recovered in 1.0 s"));
    assert_non_null(strstr(text, "not injected (the run ended first)"));
    free(text);
    outcomes.n = 1; /* the second left out */
    assert_true(fabs(trigger_verdict_recover_s(&outcomes) - 1.0) < 1e-9);
    assert_true(isnan(trigger_verdict_recover_s(NULL)));
    /* Read back, the judged rows are the same document. */
    reads_back_the_same(triggers);
    trigger_outcomes_free(&outcomes);
    json_decref(triggers);
    json_decref(intervals);
}

/* An instant terminate shows the moment and the sessions it ended; one from a result
 * that kept no count shows the moment alone, never a window besides. */
static void a_terminate_shows_what_it_ended(void **state)
{
    (void)state;
    for (int counted = 0; counted < 2; counted++) {
        json_t *intervals = json_array();
        for (int i = 0; i < 8; i++)
            json_array_append_new(intervals,
                                  json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f}",
                                            "elapsed_s", (double)(i + 1), "interval_s", 1.0,
                                            "warmup", 0, "committed", 100, "failed", 0, "ambiguous",
                                            0, "insufficient", 0, "retries", 0, "lag_max_ms", 1.0));
        json_t *triggers = json_pack("[{s:s, s:s, s:s, s:f, s:f, s:f, s:f}]", "kind", "terminate",
                                     "spec", "terminate@3s:1", "arg", "1", "planned_start_s", 3.0,
                                     "planned_end_s", 3.0, "start_s", 3.0, "end_s", 3.0);
        if (counted)
            json_object_set_new(json_array_get(triggers, 0), "terminated", json_integer(4));
        struct trigger_outcomes outcomes;
        judged(intervals, triggers, &outcomes);
        char *text = printed(&outcomes);
        assert_non_null(strstr(text, counted ? "planned 3.0 s, at 3.0 s, 4 sessions ended, baseline"
                                             : "planned 3.0 s, at 3.0 s, baseline"));
        assert_null(strstr(text, "held"));
        free(text);
        trigger_outcomes_free(&outcomes);
        json_decref(intervals);
        json_decref(triggers);
    }
}

/* The users' case: the server ended the injector's lock 1 s into a 3 s
 * window (idle_in_transaction_session_timeout). The verdict is judged on the
 * window held, not the plan; the report shows the plan beside what was held
 * and how it ended; the result reads back the same. */
static void a_window_the_server_ended_early(void **state)
{
    (void)state;
    json_t *intervals = json_array();
    /* Back at 4 s, when the lock went; one dip at 6..7 s, noise after the plan's end. */
    const int committed[] = {100, 100, 100, 0, 100, 100, 50, 100};
    for (int i = 0; i < 8; i++)
        json_array_append_new(intervals,
                              json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f}",
                                        "elapsed_s", (double)(i + 1), "interval_s", 1.0, "warmup",
                                        0, "committed", committed[i], "failed", 0, "ambiguous", 0,
                                        "insufficient", 0, "retries", 0, "lag_max_ms", 1.0));
    const char *said = "FATAL:  terminating connection due to idle-in-transaction timeout";
    json_t *triggers = json_pack(
        "[{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:s}]", "kind", "lock-table", "spec",
        "lock-table@3s+3s", "arg", "", "planned_start_s", 3.0, "planned_end_s", 6.0, "start_s", 3.0,
        "end_s", 4.0, "released", "ended_by_server", "release_error", said);
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    const struct trigger_outcome *o = &outcomes.items[0];
    assert_int_equal(o->released, TRIGGER_ENDED_BY_SERVER);
    assert_int_equal(o->verdict.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(o->verdict.recovery_s) < 1e-9); /* from 4 s, not from the plan's 6 s */
    char *text = printed(&outcomes);
    assert_non_null(strstr(text, "lock-table@3s+3s         planned 3.0..6.0 s, held 3.0..4.0 s "
                                 "(ended by the server: FATAL:  terminating connection due to "
                                 "idle-in-transaction timeout), baseline 100.0/s"));
    free(text);
    json_t *back = trigger_outcomes_json(&outcomes);
    const json_t *row = json_array_get(back, 0);
    assert_string_equal(json_string_value(json_object_get(row, "released")), "ended_by_server");
    assert_string_equal(json_string_value(json_object_get(row, "release_error")), said);
    assert_true(json_real_value(json_object_get(row, "planned_end_s")) == 6.0);
    reads_back_the_same(back);
    struct trigger_outcomes again;
    char err[256];
    /* A way of ending it that is none, or a plan that ends before it starts: refused. */
    json_object_set_new(json_array_get(back, 0), "released", json_string("evaporated"));
    assert_int_equal(trigger_outcomes_decode(back, &again, err, sizeof err), -1);
    json_object_set_new(json_array_get(back, 0), "released", json_string("as_planned"));
    json_object_set_new(json_array_get(back, 0), "planned_end_s", json_real(2.0));
    assert_int_equal(trigger_outcomes_decode(back, &again, err, sizeof err), -1);
    json_decref(back);
    trigger_outcomes_free(&outcomes);
    json_decref(triggers);
    json_decref(intervals);
}

/* A result's "intervals": one-second rows with these commits, nothing else. */
static json_t *one_second_rows(const int *committed, int n)
{
    json_t *intervals = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(intervals,
                              json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i}", "elapsed_s",
                                        (double)(i + 1), "interval_s", 1.0, "warmup", 0,
                                        "committed", committed[i], "failed", 0, "ambiguous", 0,
                                        "insufficient", 0, "retries", 0));
    return intervals;
}

/* The rows after the run's stop, the workers draining (nothing new begun),
 * are no evidence after a trigger: back at 6 s, the stop at 8 s, then two
 * rows with next to nothing committed, which judged would make two out of
 * the band in a row (metastable). A row partly after the stop, by more than
 * the slack (50 ms here), is not judged either. */
static void the_rows_after_the_stop_are_not_judged(void **state)
{
    (void)state;
    const int committed[] = {1000, 1000, 1000, 1000, 1000, 0, 1000, 1000, 3, 0};
    json_t *intervals = one_second_rows(committed, 10);
    json_t *triggers = json_pack("[{s:s, s:s, s:s, s:f, s:f, s:f, s:f}]", "kind", "lock-rows",
                                 "spec", "lock-rows@5s+1s", "arg", "10 rows", "planned_start_s",
                                 5.0, "planned_end_s", 6.0, "start_s", 5.0, "end_s", 6.0);
    struct trigger_outcomes stopped, unknown;
    judged_stopped(intervals, triggers, 8.0, &stopped);
    assert_int_equal(stopped.items[0].verdict.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(stopped.items[0].verdict.recovery_s) < 1e-9);
    /* Where the stop is not known, every row is judged. */
    judged(intervals, triggers, &unknown);
    assert_int_equal(unknown.items[0].verdict.outcome, RECOVERY_METASTABLE);
    trigger_outcomes_free(&stopped);
    trigger_outcomes_free(&unknown);
    /* The row 7..8 s: 30 ms after a stop at 7.97 s is within the slack, 100 ms is not. */
    struct recovery_interval iv[N_MAX];
    const double r[] = {1000, 1000, 1000, 1000, 1000, 0, 1000, 1000, 3, 0};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    assert_int_equal(recovery_measured_n(iv, n, 7.97), 8);
    assert_int_equal(recovery_measured_n(iv, n, 7.9), 7);
    assert_int_equal(recovery_measured_n(iv, n, INFINITY), n);
    json_decref(triggers);
    json_decref(intervals);
}

/* exec: a command that exited 0 is judged like any trigger, its exit and
 * output kept; one that exited 3 failed: its window stays (the next one's
 * baseline starts after it), it is not judged, the gate has no figure; a
 * terminal-control byte in its output is shown escaped. Both read back. */
static void a_command_is_judged_unless_it_failed(void **state)
{
    (void)state;
    const int committed[] = {100, 100, 100, 0, 100, 100, 100, 100, 100, 100, 100};
    json_t *intervals = one_second_rows(committed, 11);
    json_t *triggers = json_pack(
        "[{s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:i, s:s},"
        " {s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:s, s:i, s:s}]",
        "kind", "exec", "spec", "exec@3s:pg_ctl restart", "arg", "pg_ctl restart",
        "planned_start_s", 3.0, "planned_end_s", 3.0, "start_s", 3.0, "end_s", 4.0, "released",
        "exited", "exit_status", 0, "output", "waiting for server to shut down....\x1b[2J done",
        "kind", "exec", "spec", "exec@7s:sh -c exit 3", "arg", "sh -c exit 3", "planned_start_s",
        7.0, "planned_end_s", 7.0, "start_s", 7.0, "end_s", 7.5, "released", "exited",
        "exit_status", 3, "output", "");
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    assert_true(outcomes.items[0].judged);
    assert_int_equal(outcomes.items[0].verdict.outcome, RECOVERY_RECOVERED);
    assert_false(trigger_outcome_failed(&outcomes.items[0]));
    assert_true(trigger_outcome_failed(&outcomes.items[1]));
    assert_false(outcomes.items[1].judged);
    assert_true(isnan(trigger_verdict_recover_s(&outcomes)));
    char *text = printed(&outcomes);
    assert_non_null(strstr(text, "exec@3s:pg_ctl restart   planned 3.0 s, held 3.0..4.0 s (its "
                                 "command ended), baseline 100.0/s"));
    assert_non_null(strstr(text, "    exit status 0, its output's tail:\n"
                                 "    | waiting for server to shut down....\\x1B[2J done\n"));
    assert_non_null(strstr(text, "exec@7s:sh -c exit 3     planned 7.0 s, held 7.0..7.5 s (its "
                                 "command ended): failed: exit status 3\n"
                                 "    exit status 3, no output\n"));
    assert_null(strchr(text, '\x1b'));
    free(text);
    json_t *back = trigger_outcomes_json(&outcomes);
    const json_t *ok = json_array_get(back, 0), *bad = json_array_get(back, 1);
    assert_string_equal(json_string_value(json_object_get(ok, "outcome")), "recovered");
    assert_int_equal(json_integer_value(json_object_get(ok, "exit_status")), 0);
    assert_string_equal(json_string_value(json_object_get(ok, "output")),
                        "waiting for server to shut down....\x1b[2J done");
    assert_string_equal(json_string_value(json_object_get(bad, "outcome")), "failed");
    assert_string_equal(json_string_value(json_object_get(bad, "verdict")),
                        "failed: exit status 3");
    assert_true(json_is_false(json_object_get(bad, "recovered")));
    assert_true(json_is_null(json_object_get(bad, "recovery_s")));
    reads_back_the_same(back);
    struct trigger_outcomes again;
    char err[256];
    /* A row that says it failed but exited 0, or both an exit and a signal: refused. */
    json_object_set_new(json_array_get(back, 1), "exit_status", json_integer(0));
    assert_int_equal(trigger_outcomes_decode(back, &again, err, sizeof err), -1);
    json_object_set_new(json_array_get(back, 1), "exit_signal", json_integer(15));
    assert_int_equal(trigger_outcomes_decode(back, &again, err, sizeof err), -1);
    json_decref(back);
    trigger_outcomes_free(&outcomes);
    json_decref(triggers);
    json_decref(intervals);
}

/* A run over --load (rate 0, each row its own offered rate) is open loop:
 * goodput back at the offered rate with a backlog that keeps growing is not
 * a recovery. */
static void load_phases_judge_the_lag_too(void **state)
{
    (void)state;
    json_t *intervals = json_array();
    const int committed[] = {100, 100, 100, 0, 0, 100, 100, 100};
    const double lag_ms[] = {5, 5, 5, 0, 0, 2000, 2500, 3000};
    for (int i = 0; i < 8; i++)
        json_array_append_new(
            intervals, json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f, s:f}", "elapsed_s",
                                 (double)(i + 1), "interval_s", 1.0, "warmup", 0, "committed",
                                 committed[i], "failed", 0, "ambiguous", 0, "insufficient", 0,
                                 "retries", 0, "lag_max_ms", lag_ms[i], "offered_per_s", 100.0));
    json_t *triggers = json_pack("[{s:s, s:s, s:s, s:f, s:f}]", "kind", "lock-rows", "spec",
                                 "lock-rows@3s+2s", "arg", "10 rows", "start_s", 3.0, "end_s", 5.0);
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    assert_int_equal(outcomes.items[0].verdict.outcome, RECOVERY_METASTABLE);
    trigger_outcomes_free(&outcomes);
    json_decref(triggers);
    json_decref(intervals);
}

/* One interval out of the band alone is noise, in the middle or at the very
 * end; two in a row are a relapse, and the recovery counts from after them. */
static void one_noisy_interval_is_no_relapse(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    const double last_dips[] = {1000, 1000, 1000, 0, 0, 950, 1000, 1000, 1000, 850};
    size_t n = series(iv, last_dips, sizeof last_dips / sizeof last_dips[0]);
    judge_one(iv, n, 3.0, 5.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 0.0) < 1e-9);

    const double middle_dips[] = {1000, 1000, 1000, 0, 0, 400, 950, 700, 1000, 1000};
    n = series(iv, middle_dips, sizeof middle_dips / sizeof middle_dips[0]);
    judge_one(iv, n, 3.0, 5.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 1.0) < 1e-9); /* from 6 s, the 700 forgiven */

    const double relapses[] = {1000, 1000, 1000, 0, 0, 950, 1000, 600, 700, 1000, 1000};
    n = series(iv, relapses, sizeof relapses / sizeof relapses[0]);
    judge_one(iv, n, 3.0, 5.0, &v);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    assert_true(fabs(v.recovery_s - 4.0) < 1e-9); /* back again from 9 s */

    const double ends_out[] = {1000, 1000, 1000, 0, 0, 950, 1000, 600, 700};
    n = series(iv, ends_out, sizeof ends_out / sizeof ends_out[0]);
    judge_one(iv, n, 3.0, 5.0, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
}

/* Ten one-second intervals of four workers, all connected, no attempts:
 * the connections to judge once some are set. */
static size_t connected_series(struct recovery_interval *iv)
{
    const double rates[] = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
    size_t n = series(iv, rates, 10);
    for (size_t i = 0; i < n; i++)
        iv[i].workers = iv[i].workers_connected = 4;
    return n;
}

static void connections_of(const struct recovery_interval *iv, size_t n, double start_s,
                           double end_s, struct recovery_verdict *v)
{
    struct recovery_window w = {start_s, end_s, NAN};
    recovery_judge_connections(iv, n, &w, 1, 0, v);
}

/* A terminate at 3 s: the workers reconnect in the interval after it, or in
 * the one after that when it closed with some still down, or when the loss
 * was seen only later; the peak is the busiest interval's attempts. */
static void workers_reconnect_after_a_trigger(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    size_t n = connected_series(iv);
    connections_of(iv, n, 3, 3, &v); /* nothing happened to them */
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(v.reconnect_s == 0 && v.connect_peak_per_s == 0);

    iv[3].connect_attempts = 4; /* 3..4 s: all back by its close */
    connections_of(iv, n, 3, 3, &v);
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(fabs(v.reconnect_s - 1.0) < 1e-9);
    assert_true(fabs(v.connect_peak_per_s - 4.0) < 1e-9);

    iv[3].workers_connected = 1; /* three still down at 4 s, back by 5 s */
    iv[3].connect_attempts = 30;
    connections_of(iv, n, 3, 3, &v);
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(fabs(v.reconnect_s - 2.0) < 1e-9);
    assert_true(fabs(v.connect_peak_per_s - 30.0) < 1e-9);

    iv[3] = iv[2]; /* the loss seen only at 5..6 s */
    iv[3].end_s = 4;
    iv[5].connect_attempts = 2;
    connections_of(iv, n, 3, 3, &v);
    assert_true(fabs(v.reconnect_s - 3.0) < 1e-9);
    assert_true(fabs(v.connect_peak_per_s - 2.0) < 1e-9);
}

/* The moment they were all back is the last disturbed interval's last
 * connect, when every worker was connected at its close; not its close, so
 * reconnect_s is finer than the interval. An interval that does not know its
 * last connect (a result from before), or has none, gives its close; one
 * closing with workers still down gives the next one's close. */
static void all_back_at_the_last_connect(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    size_t n = connected_series(iv);
    iv[3].connect_attempts = 6; /* 3..4 s */
    iv[3].connects = 4;
    iv[3].last_connect_s = 3.25;
    connections_of(iv, n, 3, 3, &v);
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(fabs(v.reconnect_s - 0.25) < 1e-9);

    iv[4].connect_attempts = iv[4].connects = 1; /* one more at 4.6 s: the last */
    iv[4].last_connect_s = 4.6;
    connections_of(iv, n, 3, 3, &v);
    assert_true(fabs(v.reconnect_s - 1.6) < 1e-9);

    iv[4].last_connect_s = NAN; /* not known: its close */
    connections_of(iv, n, 3, 3, &v);
    assert_true(fabs(v.reconnect_s - 2.0) < 1e-9);

    iv[4].connects = 0; /* attempts that failed and none made: its close */
    iv[4].last_connect_s = 4.6;
    connections_of(iv, n, 3, 3, &v);
    assert_true(fabs(v.reconnect_s - 2.0) < 1e-9);

    n = connected_series(iv); /* one still down at 4 s: back by the next close */
    iv[3].connect_attempts = iv[3].connects = 3;
    iv[3].last_connect_s = 3.5;
    iv[3].workers_connected = 3;
    connections_of(iv, n, 3, 3, &v);
    assert_true(fabs(v.reconnect_s - 2.0) < 1e-9);

    n = connected_series(iv); /* within a 3..6 s window: 0 after its end */
    iv[3].connect_attempts = iv[3].connects = 4;
    iv[3].last_connect_s = 3.5;
    connections_of(iv, n, 3, 6, &v);
    assert_true(v.reconnect_s == 0);
}

/* One worker never comes back: not reconnected, however long the run goes;
 * and a series that does not know its workers says nothing. */
static void a_worker_that_never_reconnects(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    size_t n = connected_series(iv);
    for (size_t i = 3; i < n; i++)
        iv[i].workers_connected = 3;
    iv[3].connect_attempts = 5;
    connections_of(iv, n, 3, 3, &v);
    assert_int_equal(v.reconnect, RECONNECT_NOT_BACK);
    assert_true(isnan(v.reconnect_s));
    assert_true(fabs(v.connect_peak_per_s - 5.0) < 1e-9);

    n = connected_series(iv);
    iv[6].workers = iv[6].workers_connected = 0; /* written before workers were kept */
    connections_of(iv, n, 3, 3, &v);
    assert_int_equal(v.reconnect, RECONNECT_UNKNOWN);
    assert_true(isnan(v.reconnect_s) && isnan(v.connect_peak_per_s));
    connections_of(iv, n, 10, 10, &v); /* no interval after it */
    assert_int_equal(v.reconnect, RECONNECT_UNKNOWN);
}

/* The span: a window's own intervals count, a reconnect within it is 0 s
 * after its end; the next trigger (first tried) ends it, the warmup and the
 * interval that closes at the start are not in it; a sliver's attempts
 * count over half an interval. */
static void the_span_of_the_reconnect(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    struct recovery_verdict v;
    size_t n = connected_series(iv);
    iv[3].connect_attempts = 8; /* inside a 3..6 s window */
    iv[3].workers_connected = 2;
    connections_of(iv, n, 3, 6, &v);
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(v.reconnect_s == 0);

    n = connected_series(iv);
    iv[2].connect_attempts = 50; /* closes at the trigger's start: before it */
    iv[0].warmup = true;
    iv[0].connect_attempts = 90;
    iv[8].connect_attempts = 6; /* after the next trigger, tried at 7 s */
    iv[8].workers_connected = 0;
    struct recovery_window w[] = {{3, 3, NAN}, {7.5, 7.5, 7.0}};
    recovery_judge_connections(iv, n, w, 2, 0, &v);
    assert_int_equal(v.reconnect, RECONNECT_BACK);
    assert_true(v.reconnect_s == 0 && v.connect_peak_per_s == 0);

    n = connected_series(iv);
    iv[n] = iv[n - 1]; /* a 0.1 s sliver after the last interval */
    iv[n].end_s = 10.1;
    iv[n].interval_s = 0.1;
    iv[n].connect_attempts = 2;
    connections_of(iv, n + 1, 3, 3, &v);
    assert_true(fabs(v.connect_peak_per_s - 4.0) < 1e-9); /* 2 over 0.5 s, not 0.1 s */
    assert_true(fabs(v.reconnect_s - 7.1) < 1e-9);
}

/* Through the result: rows with workers in, a terminate judged, its
 * reconnect in the JSON, the report's line and the gate's figure; read back. */
static void the_reconnect_in_the_result(void **state)
{
    (void)state;
    json_t *intervals = json_array();
    for (int i = 0; i < 8; i++)
        json_array_append_new(
            intervals, json_pack("{s:f, s:f, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                                 "elapsed_s", (double)(i + 1), "interval_s", 1.0, "committed", 100,
                                 "failed", 0, "ambiguous", 0, "insufficient", 0, "retries", 0,
                                 "connect_attempts", i == 4 ? 6 : 0, "connects", i == 4 ? 2 : 0,
                                 "workers", 4, "workers_connected", i == 4 ? 2 : 4));
    json_t *triggers = json_pack("[{s:s, s:s, s:s, s:f, s:f, s:I}]", "kind", "terminate", "spec",
                                 "terminate@4s:0.5", "arg", "0.5", "start_s", 4.0, "end_s", 4.0,
                                 "terminated", (json_int_t)2);
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    assert_true(fabs(trigger_verdict_reconnect_s(&outcomes) - 2.0) < 1e-9);
    char *text = printed(&outcomes);
    assert_non_null(strstr(text, "; workers connected again in 2.000 s (at most 6.0 connection "
                                 "attempts/s)\n"));
    free(text);
    json_t *back = trigger_outcomes_json(&outcomes);
    const json_t *row = json_array_get(back, 0);
    assert_true(json_real_value(json_object_get(row, "reconnect_s")) == 2.0);
    assert_true(json_real_value(json_object_get(row, "connect_attempts_peak_per_s")) == 6.0);
    reads_back_the_same(back);
    /* Not back: null, and the gate has no figure; a time without its peak is refused. */
    outcomes.items[0].verdict.reconnect = RECONNECT_NOT_BACK;
    outcomes.items[0].verdict.reconnect_s = NAN;
    assert_true(isnan(trigger_verdict_reconnect_s(&outcomes)));
    json_decref(back);
    back = trigger_outcomes_json(&outcomes);
    assert_true(json_is_null(json_object_get(json_array_get(back, 0), "reconnect_s")));
    reads_back_the_same(back);
    struct trigger_outcomes again;
    char err[256];
    json_object_del(json_array_get(back, 0), "connect_attempts_peak_per_s");
    assert_int_equal(trigger_outcomes_decode(back, &again, err, sizeof err), -1);
    assert_true(isnan(trigger_verdict_reconnect_s(NULL)));
    json_decref(back);
    trigger_outcomes_free(&outcomes);

    /* All four back at 4.3 s, within the row that closes at 5 s: its last connect. */
    json_t *row4 = json_array_get(intervals, 4);
    json_object_set_new(row4, "workers_connected", json_integer(4));
    json_object_set_new(row4, "last_connect_s", json_real(4.3));
    judged(intervals, triggers, &outcomes);
    assert_true(fabs(trigger_verdict_reconnect_s(&outcomes) - 0.3) < 1e-9);
    text = printed(&outcomes);
    assert_non_null(strstr(text, "; workers connected again in 0.300 s"));
    free(text);
    trigger_outcomes_free(&outcomes);
    json_decref(triggers);
    json_decref(intervals);
}

/* A row of a trigger as an instance's result holds it. */
static struct trigger_outcome instance_row(const char *kind, double start_s, double end_s,
                                           int64_t terminated, int injected_by)
{
    struct trigger_outcome o;
    trigger_outcome_init(&o);
    snprintf(o.kind, sizeof o.kind, "%s", kind);
    o.planned_start_s = start_s;
    o.planned_end_s = end_s;
    o.start_s = start_s;
    o.end_s = end_s;
    o.released = TRIGGER_RELEASED_AS_PLANNED;
    o.terminated = terminated;
    o.injected_by = injected_by;
    return o;
}

/* Instances that learned one window from instance 0 merge into that window,
 * counted once; instances that each held their own are reconciled. */
static void merged_instances_keep_one_window_or_reconcile_theirs(void **state)
{
    (void)state;
    struct trigger_outcomes a = {0}, b = {0}, out = {0};
    /* Instance 1's clock starts 0.1 s later: its copy of the window reads the same. */
    assert_true(trigger_outcomes_append(&a, &(struct trigger_outcome){0}));
    a.items[0] = instance_row("terminate", 3.0, 3.0, 2, 0);
    assert_true(trigger_outcomes_append(&b, &a.items[0]));
    struct trigger_part parts[] = {{.triggers = &b, .offset_s = 0.1, .instance = 1},
                                   {.triggers = &a, .offset_s = 0, .instance = 0}};
    assert_int_equal(trigger_outcomes_merge(parts, 2, &out), 0);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.items[0].injected_by, 0);
    assert_int_equal(out.items[0].terminated, 2);         /* one terminate, not two */
    assert_true(fabs(out.items[0].start_s - 3.0) < 1e-9); /* instance 0's own */
    trigger_outcomes_free(&out);

    /* Each its own (a spike; results from before): the earliest start to the latest end. */
    a.items[0] = instance_row("terminate", 3.0, 3.0, 1, -1);
    b.items[0] = instance_row("terminate", 3.0, 3.0, 1, -1);
    assert_int_equal(trigger_outcomes_merge(parts, 2, &out), 0);
    assert_int_equal(out.items[0].injected_by, -1);
    assert_int_equal(out.items[0].terminated, 2);
    assert_true(fabs(out.items[0].start_s - 3.0) < 1e-9);
    assert_true(fabs(out.items[0].end_s - 3.1) < 1e-9);
    trigger_outcomes_free(&out);

    /* An injected part's partial failure stays in the merge; a part's reason for not
     * being injected goes once another part was. */
    a.items[0] = instance_row("terminate", 3.0, 3.0, 2, -1);
    b.items[0] = instance_row("terminate", 3.0, 3.0, 1, -1);
    snprintf(b.items[0].error, sizeof b.items[0].error, "not all ended: out of reach");
    assert_int_equal(trigger_outcomes_merge(parts, 2, &out), 0);
    assert_string_equal(out.items[0].error, "not all ended: out of reach");
    trigger_outcomes_free(&out);
    b.items[0] = instance_row("terminate", NAN, NAN, 0, -1);
    snprintf(b.items[0].error, sizeof b.items[0].error, "the run ended first");
    assert_int_equal(trigger_outcomes_merge(parts, 2, &out), 0);
    assert_string_equal(out.items[0].error, "");
    trigger_outcomes_free(&out);

    /* One shared, one its own: not one run's results. */
    b.items[0] = instance_row("terminate", 3.0, 3.0, 1, -1);
    b.items[0].injected_by = 0;
    assert_int_equal(trigger_outcomes_merge(parts, 2, &out), -1);
    trigger_outcomes_free(&out);
    trigger_outcomes_free(&a);
    trigger_outcomes_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_after_the_window),
        cmocka_unit_test(a_terminate_shows_what_it_ended),
        cmocka_unit_test(load_phases_judge_the_lag_too),
        cmocka_unit_test(a_dip_late_in_the_run_means_not_yet),
        cmocka_unit_test(one_noisy_interval_is_no_relapse),
        cmocka_unit_test(never_recovers),
        cmocka_unit_test(a_noisy_baseline_widens_the_band),
        cmocka_unit_test(a_trigger_at_the_very_end_is_not_judged),
        cmocka_unit_test(no_baseline_before_a_trigger_at_zero),
        cmocka_unit_test(a_short_baseline_is_not_judged),
        cmocka_unit_test(the_next_trigger_bounds_the_span),
        cmocka_unit_test(an_interval_closed_a_hair_after_the_window_is_inside_it),
        cmocka_unit_test(an_instant_at_an_interval_boundary_belongs_to_the_next),
        cmocka_unit_test(one_noisy_interval_does_not_breach_a_steady_band),
        cmocka_unit_test(a_window_covers_the_intervals_it_holds),
        cmocka_unit_test(a_lock_that_waited_is_no_baseline_while_it_waits),
        cmocka_unit_test(the_baseline_starts_after_the_previous_trigger),
        cmocka_unit_test(open_loop_needs_the_backlog_drained),
        cmocka_unit_test(an_instant_trigger_is_judged_from_its_interval),
        cmocka_unit_test(the_result_json_is_judged_and_printed),
        cmocka_unit_test(a_window_the_server_ended_early),
        cmocka_unit_test(a_command_is_judged_unless_it_failed),
        cmocka_unit_test(workers_reconnect_after_a_trigger),
        cmocka_unit_test(all_back_at_the_last_connect),
        cmocka_unit_test(a_worker_that_never_reconnects),
        cmocka_unit_test(the_span_of_the_reconnect),
        cmocka_unit_test(the_reconnect_in_the_result),
        cmocka_unit_test(merged_instances_keep_one_window_or_reconcile_theirs),
        cmocka_unit_test(the_rows_after_the_stop_are_not_judged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
