/* The recovery verdict on synthetic series: recovers, never recovers, a
 * noisy baseline, a trigger at the very end, none before, open loop's lag. */
#include "cmocka_prelude.h"
#include "txstorm/recovery.h"
#include "txstorm/series_json.h"
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
    struct recovery_window w = {start_s, end_s};
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
    assert_int_equal(v.outcome, RECOVERY_NO_BASELINE);
    assert_true(isnan(v.baseline_per_s));
    /* Warmup intervals are no baseline either. */
    n = series(iv, (const double[]){1000, 1000, 0, 1000}, 4);
    iv[0].warmup = iv[1].warmup = true;
    judge_one(iv, n, 2.0, 3.0, &v);
    assert_int_equal(v.outcome, RECOVERY_NO_BASELINE);
}

static void the_baseline_starts_after_the_previous_trigger(void **state)
{
    (void)state;
    struct recovery_interval iv[N_MAX];
    /* A first trigger 1..2 s, back to 500/s only; the second at 6..7 s is
     * judged against 500/s, from 2 to 6 s. */
    const double r[] = {1000, 0, 500, 500, 500, 500, 0, 480, 500};
    size_t n = series(iv, r, sizeof r / sizeof r[0]);
    struct recovery_window w[] = {{6.0, 7.0}, {1.0, 2.0}};
    struct recovery_verdict v;
    recovery_judge(iv, n, w, 2, 0, &v);
    assert_true(fabs(v.baseline_per_s - 500) < 1e-9);
    assert_int_equal(v.outcome, RECOVERY_RECOVERED);
    /* The first is judged up to the second's start only: 500/s against 1000/s. */
    recovery_judge(iv, n, w, 2, 1, &v);
    assert_int_equal(v.outcome, RECOVERY_METASTABLE);
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

/* A result's "intervals" and "triggers" read through their codecs, the triggers judged. */
static void judged(const json_t *intervals, const json_t *triggers, struct trigger_outcomes *out)
{
    struct series rows;
    char err[256];
    assert_int_equal(series_json_decode(intervals, &rows, err, sizeof err), 0);
    assert_int_equal(trigger_outcomes_decode(triggers, out, err, sizeof err), 0);
    trigger_outcomes_judge(out, &rows, 0);
    series_free(&rows);
}

/* The result's JSON: rows in, verdict fields out, the report's line, the gate's figure. */
static void the_result_json_is_judged_and_printed(void **state)
{
    (void)state;
    json_t *intervals = json_array();
    const int committed[] = {100, 100, 0, 0, 60, 100, 100};
    for (int i = 0; i < 7; i++)
        json_array_append_new(intervals, json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f}",
                                                   "elapsed_s", (double)(i + 1), "interval_s", 1.0,
                                                   "warmup", 0, "committed", committed[i], "failed",
                                                   0, "ambiguous", 0, "insufficient", 0, "retries",
                                                   committed[i], "lag_max_ms", 1.0));
    json_t *triggers =
        json_pack("[{s:s, s:s, s:s, s:f, s:f}, {s:s, s:s, s:s, s:n, s:n, s:s}]", "kind",
                  "lock-rows", "spec", "lock-rows@2s+2s", "arg", "10 rows", "start_s", 2.0, "end_s",
                  4.0, "kind", "terminate", "spec", "terminate@9s:0.5", "arg", "0.5", "start_s",
                  "end_s", "error", "the run ended first");
    struct trigger_outcomes outcomes;
    judged(intervals, triggers, &outcomes);
    char err[256];
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
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    trigger_verdict_print(out, &outcomes);
    fclose(out);
    assert_non_null(strstr(text, "lock-rows@2s+2s"));
    assert_non_null(strstr(text, "recovered in 1.0 s"));
    assert_non_null(strstr(text, "not injected (the run ended first)"));
    free(text);
    outcomes.n = 1; /* the second left out */
    assert_true(fabs(trigger_verdict_recover_s(&outcomes) - 1.0) < 1e-9);
    assert_true(isnan(trigger_verdict_recover_s(NULL)));
    /* Read back, the judged rows are the same document. */
    struct trigger_outcomes back;
    assert_int_equal(trigger_outcomes_decode(triggers, &back, err, sizeof err), 0);
    json_t *again = trigger_outcomes_json(&back);
    assert_true(json_equal(again, triggers));
    json_decref(again);
    trigger_outcomes_free(&back);
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
    const int committed[] = {100, 100, 0, 0, 100, 100, 100};
    const double lag_ms[] = {5, 5, 0, 0, 2000, 2500, 3000};
    for (int i = 0; i < 7; i++)
        json_array_append_new(
            intervals, json_pack("{s:f, s:f, s:b, s:i, s:i, s:i, s:i, s:i, s:f, s:f}", "elapsed_s",
                                 (double)(i + 1), "interval_s", 1.0, "warmup", 0, "committed",
                                 committed[i], "failed", 0, "ambiguous", 0, "insufficient", 0,
                                 "retries", 0, "lag_max_ms", lag_ms[i], "offered_per_s", 100.0));
    json_t *triggers = json_pack("[{s:s, s:s, s:s, s:f, s:f}]", "kind", "lock-rows", "spec",
                                 "lock-rows@2s+2s", "arg", "10 rows", "start_s", 2.0, "end_s", 4.0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovers_after_the_window),
        cmocka_unit_test(load_phases_judge_the_lag_too),
        cmocka_unit_test(a_dip_late_in_the_run_means_not_yet),
        cmocka_unit_test(one_noisy_interval_is_no_relapse),
        cmocka_unit_test(never_recovers),
        cmocka_unit_test(a_noisy_baseline_widens_the_band),
        cmocka_unit_test(a_trigger_at_the_very_end_is_not_judged),
        cmocka_unit_test(no_baseline_before_a_trigger_at_zero),
        cmocka_unit_test(the_baseline_starts_after_the_previous_trigger),
        cmocka_unit_test(open_loop_needs_the_backlog_drained),
        cmocka_unit_test(an_instant_trigger_is_judged_from_its_interval),
        cmocka_unit_test(the_result_json_is_judged_and_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
