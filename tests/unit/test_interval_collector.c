/* The collector: every closed interval is made into a row once, kept in the
 * series, then heard by each listener once, in order; the warmup's end, the
 * phases' ends and the triggers' edges close intervals, as the clock says.
 * Fake sinks stand for the progress lines and the metrics server. */
#include "cmocka_prelude.h"
#include "txstorm/interval_collector.h"

#include <stdlib.h>
#include <string.h>

#define S 1000000LL
#define MAX_HEARD 32

/* The run's part, faked: each row says which interval it is. */
struct fake_run {
    int64_t start_us, warmup_end_us;
    int made;
};

static void fake_row(void *ctx, int64_t from_us, int64_t now_us, bool last,
                     struct interval_row *row)
{
    struct fake_run *r = ctx;
    row->end_us = now_us - r->start_us;
    row->length_us = now_us - from_us;
    row->warmup = from_us < r->warmup_end_us;
    row->committed = ++r->made; /* its number, from 1 */
    row->stall = last;
    row->latency_hdr = strdup("hdr"); /* the series takes it, or the collector frees it */
}

/* A sink: what it heard, in order. */
struct sink {
    int n;
    int64_t end_us[MAX_HEARD], length_us[MAX_HEARD], number[MAX_HEARD];
    bool warmup[MAX_HEARD], last[MAX_HEARD], had_hdr[MAX_HEARD];
};

static void heard(const struct interval_row *row, void *ctx)
{
    struct sink *s = ctx;
    assert_true(s->n < MAX_HEARD);
    s->end_us[s->n] = row->end_us;
    s->length_us[s->n] = row->length_us;
    s->number[s->n] = row->committed;
    s->warmup[s->n] = row->warmup;
    s->last[s->n] = row->stall;
    s->had_hdr[s->n] = row->latency_hdr != NULL;
    s->n++;
}

/* Wakes at each due time (late by late_us) until until_us, giving the
 * trigger edges every time as the run does; then the last interval at
 * end_us. Returns how many closes said the warmup ended. */
static int drive(struct interval_collector *c, const int64_t *edges, int n_edges, int64_t late_us,
                 int64_t until_us, int64_t end_us)
{
    int warmups_over = 0;
    bool over;
    /* A wake-up before anything is due closes nothing. */
    assert_false(interval_collector_step(c, edges, n_edges, c->clock.open_since_us + 1, &over));
    for (int64_t now = interval_clock_due_us(&c->clock) + late_us; now <= until_us;
         now = interval_clock_due_us(&c->clock) + late_us) {
        assert_true(interval_collector_step(c, edges, n_edges, now, &over));
        warmups_over += over;
    }
    interval_collector_finish(c, end_us);
    return warmups_over;
}

static void assert_heard_all_in_order(const struct sink *s, const int64_t *ends, int n,
                                      int64_t last_end_us)
{
    assert_int_equal(s->n, n);
    int64_t prev_end = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(s->number[i], i + 1); /* each once, in order */
        assert_int_equal(s->end_us[i], ends[i]);
        assert_int_equal(s->length_us[i], ends[i] - prev_end); /* no gap, no overlap */
        assert_int_equal(s->last[i], i == n - 1);
        prev_end = ends[i];
    }
    assert_int_equal(s->end_us[n - 1], last_end_us);
}

static void every_listener_hears_every_interval_once_in_order(void **state)
{
    (void)state;
    struct phases load;
    char err[256];
    assert_int_equal(phases_parse("a=100/s:2300ms,b=200/s:1s", &load, err, sizeof err), 0);
    int64_t start = 10 * S;
    struct interval_clock clock;
    interval_clock_init(&clock, start, S, 1500000, &load);
    struct fake_run run = {.start_us = start, .warmup_end_us = start + 1500000};
    struct series kept = {0};
    struct interval_collector c = {0};
    struct sink progress = {0}, metrics = {0};
    /* Listeners may subscribe before the collector starts (metrics) or after (progress). */
    assert_true(interval_collector_listen(&c, heard, &metrics));
    interval_collector_start(&c, &clock, fake_row, &run, &kept);
    assert_true(interval_collector_listen(&c, heard, &progress));
    assert_int_equal(drive(&c, NULL, 0, 0, start + 4 * S, start + 4200000), 1);

    /* The grid, cut at the warmup's end (1.5) and the phases' ends (2.3,
     * 3.3); the last at the end (4.2). */
    const int64_t ends[] = {1000000, 1500000, 2000000, 2300000, 3000000, 3300000, 4000000, 4200000};
    int n = (int)(sizeof ends / sizeof ends[0]);
    assert_heard_all_in_order(&metrics, ends, n, 4200000);
    assert_heard_all_in_order(&progress, ends, n, 4200000);
    assert_true(metrics.warmup[0] && metrics.warmup[1] && !metrics.warmup[2]);
    /* The series kept each row before anyone heard: the listeners saw its copy. */
    assert_int_equal(kept.n, (size_t)n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(kept.rows[i].end_us, ends[i]);
        assert_non_null(kept.rows[i].latency_hdr);
        assert_true(progress.had_hdr[i]);
    }
    assert_int_equal(run.made, n);
    series_free(&kept);
}

/* A trigger held from 2.7 s to 3.1 s, its edges given at every wake-up as
 * the run gives them: the intervals are cut at both, though the wake-up
 * before each was a close. */
static void trigger_edges_cut_at_their_time(void **state)
{
    (void)state;
    struct interval_clock clock;
    interval_clock_init(&clock, 0, S, 0, NULL);
    struct fake_run run = {0};
    struct interval_collector c = {0};
    struct sink s = {0};
    interval_collector_start(&c, &clock, fake_row, &run, NULL);
    assert_true(interval_collector_listen(&c, heard, &s));
    const int64_t edges[] = {2700000, 3100000};
    assert_int_equal(drive(&c, edges, 2, 0, 4 * S, 4200000), 0);
    const int64_t ends[] = {1000000, 2000000, 2700000, 3000000, 3100000, 4000000, 4200000};
    assert_heard_all_in_order(&s, ends, (int)(sizeof ends / sizeof ends[0]), 4200000);
    /* Late wake-ups: an edge already passed at a close cuts nothing more. */
    interval_clock_init(&clock, 0, S, 0, NULL);
    run = (struct fake_run){0};
    s = (struct sink){0};
    interval_collector_start(&c, &clock, fake_row, &run, NULL);
    assert_int_equal(drive(&c, edges, 2, 10000, 4 * S + 10000, 4200000), 0);
    const int64_t late[] = {1010000, 2010000, 2710000, 3010000, 3110000, 4010000, 4200000};
    assert_heard_all_in_order(&s, late, (int)(sizeof late / sizeof late[0]), 4200000);
}

static void a_late_wake_up_closes_one_longer_interval(void **state)
{
    (void)state;
    struct interval_clock clock;
    interval_clock_init(&clock, 0, S, 0, NULL);
    struct fake_run run = {0};
    struct interval_collector c = {0};
    struct sink s = {0};
    interval_collector_start(&c, &clock, fake_row, &run, NULL); /* nothing kept: still heard */
    assert_true(interval_collector_listen(&c, heard, &s));
    bool over;
    assert_true(interval_collector_step(&c, NULL, 0, S, &over));
    assert_true(interval_collector_step(&c, NULL, 0, 3 * S + 700000, &over)); /* 2.7 ticks late */
    assert_false(interval_collector_step(&c, NULL, 0, 3 * S + 800000, &over));
    assert_true(interval_collector_step(&c, NULL, 0, 4 * S, &over));
    assert_int_equal(s.n, 3);
    assert_int_equal(s.length_us[1], 2 * S + 700000);
    assert_int_equal(s.end_us[2], 4 * S);
    assert_false(s.had_hdr[0] && !s.had_hdr[0]); /* freed by the collector (ASan would tell) */
}

static void listeners_beyond_the_limit_are_refused(void **state)
{
    (void)state;
    struct interval_collector c = {0};
    struct sink s = {0};
    for (int i = 0; i < INTERVAL_LISTENERS_MAX; i++)
        assert_true(interval_collector_listen(&c, heard, &s));
    assert_false(interval_collector_listen(&c, heard, &s));
    assert_int_equal(c.n_listeners, INTERVAL_LISTENERS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_listener_hears_every_interval_once_in_order),
        cmocka_unit_test(trigger_edges_cut_at_their_time),
        cmocka_unit_test(a_late_wake_up_closes_one_longer_interval),
        cmocka_unit_test(listeners_beyond_the_limit_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
