/* The interval clock: the tick's grid, late wake-ups, the warmup's and the phases' ends,
 * the triggers' edges. */
#include "cmocka_prelude.h"
#include "txstorm/interval_clock.h"

#include <string.h>

#define S 1000000LL

/* Wakes at each due time (late by late_us) until until_us; returns the
 * closes' ends in ends[]. */
static int drive(struct interval_clock *c, int64_t late_us, int64_t until_us, int64_t *ends,
                 int max)
{
    int n = 0;
    for (int64_t now = interval_clock_due_us(c) + late_us; now <= until_us && n < max;
         now = interval_clock_due_us(c) + late_us) {
        int64_t from;
        bool over;
        assert_true(interval_clock_close(c, now, &from, &over));
        ends[n++] = now;
    }
    return n;
}

static void ticks_on_a_grid(void **state)
{
    (void)state;
    struct interval_clock c;
    interval_clock_init(&c, 10 * S, S, 0, NULL);
    assert_int_equal(interval_clock_due_us(&c), 11 * S);
    int64_t from;
    bool over;
    assert_false(interval_clock_close(&c, 11 * S - 1, &from, &over)); /* not yet */
    assert_true(interval_clock_close(&c, 11 * S + 300, &from, &over));
    assert_int_equal(from, 10 * S);
    assert_false(over);
    /* The grid goes on from the start, not from the late close. */
    assert_int_equal(interval_clock_due_us(&c), 12 * S);
    /* A wake-up 2.7 ticks late: one long interval, then back on the grid. */
    assert_true(interval_clock_close(&c, 14 * S + 700000, &from, &over));
    assert_int_equal(from, 11 * S + 300);
    assert_int_equal(interval_clock_due_us(&c), 15 * S);
}

static void the_warmup_ends_an_interval(void **state)
{
    (void)state;
    struct interval_clock c;
    interval_clock_init(&c, 0, S, 1500000, NULL);
    int64_t ends[8];
    int n = drive(&c, 0, 3 * S, ends, 8);
    assert_int_equal(n, 4);
    assert_int_equal(ends[0], S);
    assert_int_equal(ends[1], 1500000);
    assert_int_equal(ends[2], 2 * S);
    assert_int_equal(ends[3], 3 * S);
    /* Only the close at the warmup's end says so. */
    interval_clock_init(&c, 0, S, 1500000, NULL);
    int64_t from;
    bool over;
    assert_true(interval_clock_close(&c, S, &from, &over) && !over);
    assert_true(interval_clock_close(&c, 1500000, &from, &over) && over);
    assert_true(interval_clock_close(&c, 2 * S, &from, &over) && !over);
}

static void phases_end_intervals(void **state)
{
    (void)state;
    struct phases p;
    char err[128];
    assert_int_equal(phases_parse("a=100/s:2300ms,b=200/s:1s", &p, err, sizeof err), 0);
    struct interval_clock c;
    interval_clock_init(&c, 0, S, 0, &p);
    int64_t ends[8];
    int n = drive(&c, 0, 5 * S, ends, 8);
    int64_t want[] = {S, 2 * S, 2300000, 3 * S, 3300000, 4 * S, 5 * S};
    assert_int_equal(n, 7);
    for (int i = 0; i < n; i++)
        assert_int_equal(ends[i], want[i]);
}

/* The users' case: a lock held from 1.007 s to 2.003 s under 500 ms ticks.
 * Its edges are read on the injector's clock; those within the slack (50 ms
 * here) of a close are at it and cut nothing, the others cut the interval
 * open, and a tick right after such a cut is skipped: no sliver. */
static void trigger_edges_cut_intervals(void **state)
{
    (void)state;
    struct interval_clock c;
    interval_clock_init(&c, 0, S / 2, 0, NULL);
    assert_int_equal(c.slack_us, 50000);
    int64_t from;
    bool over;
    assert_true(interval_clock_close(&c, 1000100, &from, &over)); /* the tick at 1 s */
    interval_clock_edge(&c, 1007000);                             /* the lock, 7 ms later */
    assert_int_equal(interval_clock_due_us(&c), 1500000);         /* nothing cut */
    /* A lock that had to wait: taken at 1.3 s, cut at the next wake-up. */
    interval_clock_init(&c, 0, S / 2, 0, NULL);
    assert_true(interval_clock_close(&c, 1000100, &from, &over));
    interval_clock_edge(&c, 1300000);
    assert_int_equal(interval_clock_due_us(&c), 1300000);
    assert_true(interval_clock_close(&c, 1300200, &from, &over));
    assert_int_equal(from, 1000100);
    interval_clock_edge(&c, 1300000); /* told again: already cut */
    assert_int_equal(interval_clock_due_us(&c), 1500000);
    /* Ended by the server at 1.47 s: cut there, and the tick at 1.5 s,
     * 30 ms later, skipped. */
    interval_clock_edge(&c, 1470000);
    assert_true(interval_clock_close(&c, 1470100, &from, &over));
    assert_int_equal(from, 1300200);
    assert_int_equal(interval_clock_due_us(&c), 2000000);
    /* Two edges in one interval: the earlier first. */
    interval_clock_edge(&c, 1800000);
    interval_clock_edge(&c, 1700000);
    assert_int_equal(interval_clock_due_us(&c), 1700000);
    /* A planned edge, off the grid and still to come, is due when it comes,
     * like a phase's end. */
    interval_clock_init(&c, 0, S, 0, NULL);
    interval_clock_edge(&c, 2500000);
    assert_int_equal(interval_clock_due_us(&c), S);
    assert_true(interval_clock_close(&c, S, &from, &over));
    interval_clock_edge(&c, 2500000);
    assert_true(interval_clock_close(&c, 2 * S, &from, &over));
    interval_clock_edge(&c, 2500000);
    assert_int_equal(interval_clock_due_us(&c), 2500000);
    assert_true(interval_clock_close(&c, 2500000, &from, &over));
    interval_clock_edge(&c, 2500000);
    assert_int_equal(interval_clock_due_us(&c), 3 * S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ticks_on_a_grid),
        cmocka_unit_test(the_warmup_ends_an_interval),
        cmocka_unit_test(phases_end_intervals),
        cmocka_unit_test(trigger_edges_cut_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
