/* Open-loop schedule: fixed gaps are exact, Poisson gaps have the right mean
 * and spread. */
#include "txstorm/schedule.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdlib.h>

static void fixed_gaps_are_exact_and_offset(void **state)
{
    (void)state;
    struct schedule s;
    struct rng r;
    rng_seed(&r, 1, 0);
    schedule_init(&s, ARRIVAL_FIXED, 250.0, 1000000, 1000.0); /* 4 ms apart */
    assert_int_equal(schedule_next_us(&s, &r), 1001000);
    assert_int_equal(schedule_next_us(&s, &r), 1005000);
    for (int k = 2; k < 1000; k++)
        assert_int_equal(schedule_next_us(&s, &r), 1001000 + 4000 * k);
    /* Fractional gaps do not drift: 3 per second for 3000 starts is 1000 s. */
    schedule_init(&s, ARRIVAL_FIXED, 3.0, 0, 0);
    int64_t last = 0;
    for (int k = 0; k <= 3000; k++)
        last = schedule_next_us(&s, &r);
    assert_true(llabs(last - 1000000000LL) <= 1);
}

static void poisson_gaps_have_mean_and_variance_of_exp(void **state)
{
    (void)state;
    struct schedule s;
    struct rng r;
    rng_seed(&r, 9, 3);
    const double rate = 1000.0; /* mean gap 1000 us */
    schedule_init(&s, ARRIVAL_POISSON, rate, 0, 0);
    const int n = 200000;
    int64_t prev = schedule_next_us(&s, &r);
    double sum = 0, sum_sq = 0;
    int over_3_means = 0;
    for (int i = 0; i < n; i++) {
        int64_t next = schedule_next_us(&s, &r);
        double gap = (double)(next - prev);
        assert_true(gap >= 0);
        sum += gap;
        sum_sq += gap * gap;
        over_3_means += gap > 3000;
        prev = next;
    }
    double mean = sum / n, var = sum_sq / n - mean * mean;
    assert_true(fabs(mean - 1000.0) < 10.0);                         /* sd of the mean is ~2.2 */
    assert_true(fabs(sqrt(var) - 1000.0) < 20.0);                    /* Exp: sd equals the mean */
    assert_true(fabs(over_3_means / (double)n - exp(-3.0)) < 0.003); /* the tail */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_gaps_are_exact_and_offset),
        cmocka_unit_test(poisson_gaps_have_mean_and_variance_of_exp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
