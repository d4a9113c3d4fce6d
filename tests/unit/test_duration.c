/* duration: the unit table every duration parser reads. */
#include "txstorm/duration.h"

#include "cmocka_prelude.h"

#include <string.h>

static void units_and_their_microseconds(void **state)
{
    (void)state;
    assert_int_equal(duration_unit_us("us", 2), 1);
    assert_int_equal(duration_unit_us("ms", 2), 1000);
    assert_int_equal(duration_unit_us("s", 1), 1000000);
    assert_int_equal(duration_unit_us("m", 1), 60000000);
    assert_int_equal(duration_unit_us("h", 1), 3600000000LL);
    /* Only the first len characters count: a unit inside a longer spec. */
    assert_int_equal(duration_unit_us("ms+3s", 2), 1000);
}

static void anything_else_is_no_unit(void **state)
{
    (void)state;
    const char *bad[] = {"", "S", "sec", "mss", "d", "us "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (duration_unit_us(bad[i], strlen(bad[i])) != 0) fail_msg("'%s' taken as a unit", bad[i]);
    assert_int_equal(duration_unit_us("ms", 1), 60000000); /* "m" */
    assert_int_equal(duration_unit_us("ms", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_and_their_microseconds),
        cmocka_unit_test(anything_else_is_no_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
