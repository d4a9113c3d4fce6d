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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_loop_busy_most_of_the_run_is_the_bottleneck),
        cmocka_unit_test(thresholds_are_inclusive_and_a_minority_is_not_enough),
        cmocka_unit_test(nothing_measured_is_never_saturated),
        cmocka_unit_test(busy_time_is_clamped_to_the_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
