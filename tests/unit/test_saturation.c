/* The tool's own saturation verdict on synthetic loop timings. */
#include "txstorm/saturation.h"

#include "cmocka_prelude.h"

#define S 1000000

static void a_loop_busy_most_of_the_run_is_the_bottleneck(void **state)
{
    (void)state;
    struct loop_use loops[3] = {0};
    for (int i = 0; i < 10; i++) {
        saturation_add(&loops[0], S / 4, S);
        saturation_add(&loops[1], i < 6 ? 97 * S / 100 : S / 2, S); /* 6 of 10 saturated */
        saturation_add(&loops[2], S / 10, S);
    }
    int worst;
    assert_true(saturation_verdict(loops, 3, &worst));
    assert_int_equal(worst, 1);
    assert_true(saturation_busy_share(&loops[1]) > 0.78 && saturation_busy_share(&loops[1]) < 0.79);
}

static void thresholds_are_inclusive_and_a_minority_is_not_enough(void **state)
{
    (void)state;
    struct loop_use at = {0}, few = {0};
    saturation_add(&at, 9 * S / 10, S); /* exactly SATURATION_BUSY */
    saturation_add(&at, S / 10, S);     /* one of two: exactly SATURATION_SHARE */
    int worst;
    assert_true(saturation_verdict(&at, 1, &worst));
    for (int i = 0; i < 10; i++)
        saturation_add(&few, i < 4 ? S : 0, S); /* 4 of 10 */
    assert_false(saturation_verdict(&few, 1, &worst));
    assert_int_equal(worst, 0);
}

static void nothing_measured_is_never_saturated(void **state)
{
    (void)state;
    struct loop_use none = {0};
    int worst;
    assert_false(saturation_verdict(&none, 1, &worst));
    assert_false(saturation_verdict(NULL, 0, &worst));
    assert_int_equal(worst, -1);
    saturation_add(&none, S, 0); /* an empty interval adds nothing */
    assert_int_equal(none.intervals, 0);
    assert_true(saturation_busy_share(&none) == 0.0);
}

static void busy_time_is_clamped_to_the_interval(void **state)
{
    (void)state;
    struct loop_use u = {0};
    saturation_add(&u, 2 * S, S);
    saturation_add(&u, -5, S);
    assert_int_equal(u.busy_us, S);
    assert_int_equal(u.saturated, 1);
    assert_int_equal(u.intervals, 2);
}

static void a_loop_waiting_for_a_cpu_is_starved_not_short_of_loops(void **state)
{
    (void)state;
    struct loop_use own = {.busy_us = 950, .wall_us = 1000, .cpu_us = 900};
    struct loop_use starved = {.busy_us = 950, .wall_us = 1000, .cpu_us = 300};
    struct loop_use half = {.busy_us = 1000, .wall_us = 1000, .cpu_us = 500};
    assert_false(saturation_starved(&own));
    assert_true(saturation_starved(&starved));
    assert_false(saturation_starved(&half));
}

static void default_loops_follow_the_cpus_and_the_workers(void **state)
{
    (void)state;
    /* A small machine shares its few cores with the server: one loop. */
    assert_int_equal(saturation_default_loops(16, 2), 1);
    assert_int_equal(saturation_default_loops(16, 3), 1);
    /* One loop per 4 CPUs... */
    assert_int_equal(saturation_default_loops(16, 16), 4);
    assert_int_equal(saturation_default_loops(1000, 16), 4);
    assert_int_equal(saturation_default_loops(64, 64), 16);
    /* ... or per 256 workers, whichever is more, at most one per CPU. */
    assert_int_equal(saturation_default_loops(1000, 2), 2);
    assert_int_equal(saturation_default_loops(1000, 8), 4);
    assert_int_equal(saturation_default_loops(4096, 8), 8);
    /* Never more loops than workers, never none. */
    assert_int_equal(saturation_default_loops(2, 64), 2);
    assert_int_equal(saturation_default_loops(1, 0), 1);
    assert_int_equal(saturation_default_loops(300, -1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_loop_busy_most_of_the_run_is_the_bottleneck),
        cmocka_unit_test(thresholds_are_inclusive_and_a_minority_is_not_enough),
        cmocka_unit_test(nothing_measured_is_never_saturated),
        cmocka_unit_test(busy_time_is_clamped_to_the_interval),
        cmocka_unit_test(default_loops_follow_the_cpus_and_the_workers),
        cmocka_unit_test(a_loop_waiting_for_a_cpu_is_starved_not_short_of_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
