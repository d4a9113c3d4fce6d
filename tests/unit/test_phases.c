/* Load phases: the notation (good and bad), the rate, its integral and its
 * inverse over ramps, zero-rate phases and boundaries, and spikes. */
#include "txstorm/phases.h"
#include "txstorm/phases_report.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000LL /* a second in microseconds */

static struct phases parsed(const char *text)
{
    struct phases p;
    char err[256] = "";
    if (phases_parse(text, &p, err, sizeof err) != 0) fail_msg("%s: %s", text, err);
    return p;
}

static void parses_names_rates_and_spans(void **state)
{
    (void)state;
    struct phases p = parsed("ramp=0..2000/s:30s,peak=2000/s:10s,after=500/s:60s");
    assert_int_equal(p.n, 3);
    assert_string_equal(p.phase[0].name, "ramp");
    assert_string_equal(p.phase[2].name, "after");
    assert_int_equal(p.phase[0].start_us, 0);
    assert_int_equal(p.phase[1].start_us, 30 * S);
    assert_int_equal(p.phase[2].end_us, 100 * S);
    assert_true(p.phase[0].from_per_s == 0 && p.phase[0].to_per_s == 2000);
    assert_true(p.phase[1].from_per_s == 2000 && p.phase[1].to_per_s == 2000);
    assert_int_equal(phases_end_us(&p), 100 * S);

    /* Names default by position; spans take fractions and every unit; ramps go down too. */
    p = parsed("10/s:1.5s,x=1.5..0.5/s:250ms,7/s:2m,0/s:1h,3/s:10us");
    assert_int_equal(p.n, 5);
    assert_string_equal(p.phase[0].name, "phase1");
    assert_string_equal(p.phase[1].name, "x");
    assert_string_equal(p.phase[2].name, "phase3");
    assert_int_equal(p.phase[0].end_us, 1500000);
    assert_int_equal(p.phase[1].end_us - p.phase[1].start_us, 250000);
    assert_int_equal(p.phase[2].end_us - p.phase[2].start_us, 120 * S);
    assert_int_equal(p.phase[3].end_us - p.phase[3].start_us, 3600 * S);
    assert_int_equal(p.phase[4].end_us - p.phase[4].start_us, 10);
    assert_true(p.phase[1].from_per_s == 1.5 && p.phase[1].to_per_s == 0.5);
}

/* Each kind of bad input: -1 and one line naming the piece. */
static void refuses_bad_notation_naming_the_piece(void **state)
{
    (void)state;
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"", "phase 1 is empty"},
        {"a=1/s:1s,,b=2/s:1s", "phase 2 is empty"},
        {"a=1/s:1s,", "phase 2 is empty"},
        {"500:10s", "phase 1 '500:10s': the rate '500' needs its unit, /s"},
        {"500/m:10s", "needs its unit, /s"},
        {"1/s:1s,500/s:10", "phase 2 '500/s:10': the span 10 needs a unit"},
        {"500/s", "needs a span after ':'"},
        {"-5/s:1s", "the rate -5 is negative"},
        {"1..-2/s:1s", "the rate -2 is negative"},
        {"5/s:-1s", "the span -1s is negative"},
        {"5/s:0s", "the span 0s must be above zero"},
        {"5/s:0.1us", "must be above zero"},
        {"x/s:1s", "'x' is not a rate"},
        {"1e3/s:1s", "'1e3' is not a rate"},
        {"1..x/s:1s", "'x' is not a rate"},
        {"/s:1s", "'' is not a rate"},
        {"nan/s:1s", "'nan' is not a rate"},
        {"0x10/s:1s", "'0x10' is not a rate"},
        {"inf/s:1s", "'inf' is not a rate"},
        {"+5/s:1s", "'+5' is not a rate"},
        {"1.2.3/s:1s", "'1.2.3' is not a rate"},
        {"5/s:1e3ms", "'1e3ms' is not a span"},
        {"5/s:0x1s", "'0x1s' is not a span"},
        {"5/s:1.2.3s", "is not a span"},
        {"5/s:1sec", "is not a span"},
        {"2000000000/s:1s", "is above 1e9/s"},
        {"5/s:400d", "is not a span"},
        {"5/s:9000h", "too long"},
        {"=5/s:1s", "the name before '=' is empty"},
        {"a b=5/s:1s", "the name may hold only"},
        {"a=1/s:1s,a=2/s:1s", "phase 2 'a=2/s:1s': the name 'a' is used twice"},
        {"0123456789012345678901234567890123=1/s:1s", "longer than 31"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct phases p;
        char err[256] = "";
        if (phases_parse(bad[i].text, &p, err, sizeof err) != -1)
            fail_msg("'%s' was accepted", bad[i].text);
        if (strncmp(err, "--load: ", 8) != 0 || strstr(err, bad[i].says) == NULL ||
            strchr(err, '\n'))
            fail_msg("'%s': '%s' does not say '%s'", bad[i].text, err, bad[i].says);
    }
    /* More phases than fit. */
    char many[2048] = "";
    for (int i = 0; i <= PHASES_MAX; i++)
        strcat(many, i ? ",1/s:1s" : "1/s:1s");
    struct phases p;
    char err[256];
    assert_int_equal(phases_parse(many, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than 32 phases"));
}

static void near(double got, double want, double tol)
{
    if (fabs(got - want) > tol) fail_msg("got %.9g, want %.9g (+-%g)", got, want, tol);
}

static void rate_count_and_inverse_over_a_ramp(void **state)
{
    (void)state;
    struct phases p = parsed("ramp=0..2000/s:30s,peak=2000/s:10s,after=500/s:60s");
    near(phases_rate_at(&p, -1), 0, 0);
    near(phases_rate_at(&p, 0), 0, 0);
    near(phases_rate_at(&p, 15 * S), 1000, 1e-9);
    near(phases_rate_at(&p, 30 * S), 2000, 1e-9); /* a boundary belongs to the phase it opens */
    near(phases_rate_at(&p, 45 * S), 500, 0);
    near(phases_rate_at(&p, 500 * S), 500, 0); /* the last rate holds past the end */
    near(phases_cum(&p, 0), 0, 0);
    near(phases_cum(&p, 15 * S), 7500, 1e-6);
    near(phases_cum(&p, 30 * S), 30000, 1e-6);
    near(phases_cum(&p, 40 * S), 50000, 1e-6);
    near(phases_cum(&p, 100 * S), 80000, 1e-6);
    near(phases_cum(&p, 110 * S), 85000, 1e-6);
    assert_int_equal(phases_time_of(&p, 0), 0);
    assert_int_equal(phases_time_of(&p, -3), 0);
    assert_int_equal(phases_time_of(&p, 7500), 15 * S);
    assert_int_equal(phases_time_of(&p, 30000), 30 * S);
    assert_int_equal(phases_time_of(&p, 50000), 40 * S);
    assert_int_equal(phases_time_of(&p, 85000), 110 * S);
    /* The inverse undoes the count everywhere, to the microsecond. */
    for (int64_t t = 1000; t < 120 * S; t += 777777) {
        int64_t back = phases_time_of(&p, phases_cum(&p, (double)t));
        if (llabs(back - t) > 1)
            fail_msg("t %lld came back as %lld", (long long)t, (long long)back);
    }
    assert_int_equal(phases_index_at(&p, -5), 0);
    assert_int_equal(phases_index_at(&p, 30 * S - 1), 0);
    assert_int_equal(phases_index_at(&p, 30 * S), 1);
    assert_int_equal(phases_index_at(&p, 99 * S), 2);
    assert_int_equal(phases_index_at(&p, 1000 * S), 2);

    /* A ramp down: the root in the segment, not the other one. */
    p = parsed("down=1000..0/s:10s");
    near(phases_cum(&p, 10 * S), 5000, 1e-6);
    assert_int_equal(phases_time_of(&p, 5000), 10 * S);
    near((double)phases_time_of(&p, 3750), 5.0 * S, 1); /* half the time, 3/4 of the count */
    assert_int_equal(phases_time_of(&p, 5000.5), INT64_MAX);
}

/* An interval is its phase's: one the collector closed 100 ms late, past a
 * step from 200/s to 600/s, offers 200/s over the whole of it (not 280/s,
 * the next phase's rate lent to this one); nothing is offered after the
 * stop; the last phase's closing rate holds past its end. */
static void an_interval_closed_late_offers_its_phase_rate(void **state)
{
    (void)state;
    struct phases p = parsed("low=200/s:3s,high=600/s:3s");
    int64_t ms = S / 1000;
    near(phases_interval_offered(&p, 2600 * ms, 3000 * ms, INT64_MAX), 80, 1e-9);
    near(phases_interval_offered(&p, 2600 * ms, 3100 * ms, INT64_MAX), 100, 1e-6);
    near(phases_interval_offered(&p, 3100 * ms, 3500 * ms, INT64_MAX), 240, 1e-9);
    /* The stop at 6 s: a row to 6.3 s offers up to 6 s only. */
    near(phases_interval_offered(&p, 5800 * ms, 6300 * ms, 6 * S), 120, 1e-9);
    near(phases_interval_offered(&p, 6000 * ms, 6300 * ms, 6 * S), 0, 0);
    /* Past the last phase's end its rate holds (a --duration beyond the sum). */
    near(phases_interval_offered(&p, 5800 * ms, 6300 * ms, INT64_MAX), 300, 1e-9);
    /* A ramp's row closed late: the rest at the rate the ramp ended at. */
    p = parsed("up=0..1000/s:1s,flat=0/s:1s");
    near(phases_interval_offered(&p, 500 * ms, 1200 * ms, INT64_MAX), 375 + 200, 1e-3);
    struct phases none = {0};
    near(phases_interval_offered(&none, 0, S, INT64_MAX), 0, 0);
}

static void zero_rate_phases_offer_nothing(void **state)
{
    (void)state;
    struct phases p = parsed("a=100/s:1s,z=0/s:2s,b=100/s:1s");
    near(phases_cum(&p, 1 * S), 100, 1e-9);
    near(phases_cum(&p, 3 * S), 100, 1e-9);
    near(phases_rate_at(&p, 2 * S), 0, 0);
    assert_int_equal(phases_time_of(&p, 100), 1 * S);
    /* The next start after the pause comes once b has offered it. */
    assert_int_equal(phases_time_of(&p, 100.5), 3 * S + 5000);
    /* Ending at 0: the count never grows past what was offered. */
    p = parsed("a=10/s:1s,z=0/s:1s");
    assert_int_equal(phases_time_of(&p, 10), 1 * S);
    assert_int_equal(phases_time_of(&p, 10.001), INT64_MAX);
    near(phases_cum(&p, 100 * S), 10, 1e-9);
    /* All zero: nothing, ever. */
    p = parsed("0/s:5s");
    assert_int_equal(phases_time_of(&p, 1), INT64_MAX);
}

static void spikes_override_the_rate_in_their_window(void **state)
{
    (void)state;
    struct phases p = parsed("ramp=0..2000/s:30s,peak=2000/s:10s");
    double before = phases_cum(&p, 40 * S);
    assert_int_equal(phases_add_spike(&p, 5 * S, 2 * S, 3000), 0);
    near(phases_rate_at(&p, 4 * S), 2000.0 * 4 / 30, 1e-9);
    near(phases_rate_at(&p, 5 * S), 3000, 0);
    near(phases_rate_at(&p, 7 * S - 1), 3000, 0);
    near(phases_rate_at(&p, 7 * S), 2000.0 * 7 / 30, 1e-9); /* the ramp resumes where it was */
    /* 2 s at 3000/s instead of the ramp's 800 between 5 and 7 s. */
    near(phases_cum(&p, 40 * S), before - 800 + 6000, 1e-6);
    near(phases_cum(&p, 7 * S), 2000.0 / 30 * 25 / 2 + 6000, 1e-6);
    assert_int_equal(phases_time_of(&p, phases_cum(&p, 6 * S)), 6 * S);
    /* The phases keep their names and spans. */
    assert_int_equal(p.n, 2);
    assert_int_equal(phases_index_at(&p, 6 * S), 0);
    assert_int_equal(phases_end_us(&p), 40 * S);

    /* A spike across a boundary and past the end: the closing rate resumes after it. */
    p = parsed("a=100/s:1s,b=200/s:1s");
    assert_int_equal(phases_add_spike(&p, 1500000, 2 * S, 0), 0);
    near(phases_rate_at(&p, 1 * S), 200, 0);
    near(phases_rate_at(&p, 1600000), 0, 0);
    near(phases_rate_at(&p, 3 * S), 0, 0);
    near(phases_rate_at(&p, 3500000), 200, 0);
    near(phases_cum(&p, 4 * S), 100 + 100 + 200 * 0.5, 1e-9);
    /* A spike after the end, over the tail. */
    p = parsed("a=100/s:1s");
    assert_int_equal(phases_add_spike(&p, 10 * S, 1 * S, 1000), 0);
    near(phases_rate_at(&p, 5 * S), 100, 0);
    near(phases_rate_at(&p, 10 * S), 1000, 0);
    near(phases_rate_at(&p, 12 * S), 100, 0);
    near(phases_cum(&p, 12 * S), 1200 + 900, 1e-9);

    /* A constant rate as one phase, spiked. */
    phases_init_constant(&p, "rate", 100, 10 * S);
    assert_string_equal(p.phase[0].name, "rate");
    near(phases_cum(&p, 10 * S), 1000, 1e-9);
    assert_int_equal(phases_add_spike(&p, 2 * S, S, 600), 0);
    near(phases_cum(&p, 10 * S), 1500, 1e-9);
    near(phases_rate_at(&p, 20 * S), 100, 0);

    /* Invalid windows and rates, and too many spikes. */
    assert_int_equal(phases_add_spike(&p, -1, S, 10), -1);
    assert_int_equal(phases_add_spike(&p, 0, 0, 10), -1);
    assert_int_equal(phases_add_spike(&p, 0, S, -1), -1);
    assert_int_equal(phases_add_spike(&p, 0, S, NAN), -1);
    struct phases none = {0};
    assert_int_equal(phases_add_spike(&none, 0, S, 10), -1);
    p = parsed("a=100/s:100s");
    for (int i = 0; i < PHASES_SPIKES_MAX; i++)
        assert_int_equal(phases_add_spike(&p, (2 * i + 1) * S, S, 50), 0);
    assert_int_equal(phases_add_spike(&p, 90 * S, S, 50), -1);
    near(phases_cum(&p, 100 * S), 100 * 100 - PHASES_SPIKES_MAX * 50, 1e-6);
}

/* Intervals tallied per phase: rates over measured time, percentiles from
 * the merged histograms; a phase never reached is left out; the table is
 * printed from the JSON. */
static void tallies_give_per_phase_figures(void **state)
{
    (void)state;
    struct phases p = parsed("low=100/s:2s,high=300/s:2s,never=5/s:1s");
    struct series series = {0};
    struct stats iv;
    assert_true(stats_init(&iv, 3));
    for (int k = 0; k < 4; k++) { /* two 1 s intervals per phase */
        stats_reset(&iv);
        int64_t n = k < 2 ? 100 : 290;
        iv.committed = n;
        iv.failed = k < 2 ? 0 : 5;
        iv.retries = k < 2 ? 10 : 145;
        for (int64_t i = 0; i < n; i++) {
            hist_record(iv.hist[HIST_LATENCY], k < 2 ? 2000 : 40000);
            hist_record(iv.hist[HIST_LAG], k < 2 ? 100 : 30000);
        }
        struct interval_row row;
        series_row_of_stats(&iv, 0, (k + 1) * S, S, false, true, &row);
        snprintf(row.phase, sizeof row.phase, "%s", k < 2 ? "low" : "high");
        row.offered_per_s = k < 2 ? 100 : 300;
        assert_true(series_row_keep_hists(&row, &iv));
        assert_true(series_append(&series, &row));
    }
    /* A warmup row counts in no phase. */
    struct interval_row warm;
    series_row_of_stats(&iv, 0, S / 2, S / 2, true, true, &warm);
    strcpy(warm.phase, "high");
    assert_true(series_append(&series, &warm));
    struct phase_table table, cut_table, again_table, read_back;
    assert_true(phases_report_tally(&p, &series, 4 * S + 50000, &table));
    /* The checks below read the result's JSON: the table as written. */
    json_t *rows = phases_report_json(&table);
    assert_int_equal(json_array_size(rows), 2);
    json_t *low = json_array_get(rows, 0), *high = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(low, "name")), "low");
    near(json_number_value(json_object_get(low, "offered_per_s")), 100, 1e-9);
    near(json_number_value(json_object_get(low, "goodput_per_s")), 100, 1e-9);
    near(json_number_value(json_object_get(low, "retries_per_commit")), 0.1, 1e-9);
    near(json_number_value(json_object_get(low, "end_s")), 2, 0);
    near(json_number_value(json_object_get(high, "achieved_per_s")), 295, 1e-9);
    near(json_number_value(json_object_get(high, "goodput_per_s")), 290, 1e-9);
    near(json_number_value(json_object_get(high, "retries_per_commit")), 0.5, 1e-9);
    assert_int_equal(json_integer_value(json_object_get(high, "failed")), 10);
    near(json_number_value(json_object_get(high, "p99_ms")), 40, 0.1);
    near(json_number_value(json_object_get(high, "lag_p99_ms")), 30, 0.1);
    near(json_number_value(json_object_get(low, "p50_ms")), 2, 0.01);
    near(json_number_value(json_object_get(high, "end_s")), 4, 0); /* the run went on past it */
    assert_true(phases_report_tally(&p, &series, 3500000, &cut_table)); /* ended in high */
    near(cut_table.items[1].end_s, 3.5, 0);
    phase_table_free(&cut_table);
    /* Read back from the JSON, then tallied again from the result's own rows
     * (as a merge does): the same figures. */
    char err[128];
    assert_int_equal(phases_report_decode(rows, &read_back, err, sizeof err), 0);
    assert_true(phases_report_again(&read_back, &series, &again_table));
    json_t *again = phases_report_json(&again_table);
    assert_true(json_equal(again, rows));
    json_decref(again);
    phase_table_free(&again_table);
    phase_table_free(&read_back);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    phases_report_print(f, &table);
    phases_report_print(f, &(struct phase_table){0});
    fclose(f);
    assert_non_null(strstr(text, "phases (measured)"));
    assert_non_null(strstr(text, "  high "));
    assert_null(strstr(text, "never"));
    free(text);
    json_decref(rows);
    phase_table_free(&table);
    stats_free(&iv);
    series_free(&series);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_names_rates_and_spans),
        cmocka_unit_test(refuses_bad_notation_naming_the_piece),
        cmocka_unit_test(rate_count_and_inverse_over_a_ramp),
        cmocka_unit_test(an_interval_closed_late_offers_its_phase_rate),
        cmocka_unit_test(zero_rate_phases_offer_nothing),
        cmocka_unit_test(spikes_override_the_rate_in_their_window),
        cmocka_unit_test(tallies_give_per_phase_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
