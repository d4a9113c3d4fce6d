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

/* Starts of all workers over phases, counted per phase: n[i] in phase i;
 * every worker's starts come in order. */
static void count_starts(const char *load, enum arrival arrival, int workers, uint64_t seed,
                         int64_t until_us, int *n)
{
    struct phases p;
    char err[256];
    if (phases_parse(load, &p, err, sizeof err) != 0) fail_msg("%s", err);
    struct rng r;
    rng_seed(&r, seed, 1);
    for (int w = 0; w < workers; w++) {
        struct schedule s;
        schedule_init_phases(&s, arrival, &p, w, workers, 1000, &r);
        int64_t prev = 0, at;
        while ((at = schedule_next_us(&s, &r)) < 1000 + until_us) {
            assert_true(at >= prev && at >= 1000);
            n[phases_index_at(&p, at - 1000)]++;
            prev = at;
        }
    }
}

static void fixed_over_phases_offers_each_phase_its_count(void **state)
{
    (void)state;
    int n[4] = {0};
    /* A step, a ramp from 0 and a pause: exact to a start per worker. */
    count_starts("low=200/s:3s,high=600/s:3s,ramp=0..1000/s:2s,off=0/s:2s", ARRIVAL_FIXED, 8, 1,
                 9000000, n);
    assert_int_equal(n[0], 600);
    assert_int_equal(n[1], 1800);
    assert_int_equal(n[2], 1000);
    assert_int_equal(n[3], 0);
    /* Past the end of a pause nothing more is scheduled. */
    struct phases p;
    char err[256];
    assert_int_equal(phases_parse("a=10/s:1s,z=0/s:1s", &p, err, sizeof err), 0);
    struct schedule s;
    struct rng r;
    rng_seed(&r, 1, 0);
    schedule_init_phases(&s, ARRIVAL_FIXED, &p, 0, 1, 0, &r);
    for (int k = 1; k <= 10; k++)
        assert_int_equal(schedule_next_us(&s, &r), k * 100000 - 50000);
    assert_int_equal(schedule_next_us(&s, &r), INT64_MAX);
    /* Workers interleave: worker 1 of 2 starts between worker 0's starts. */
    assert_int_equal(phases_parse("100/s:10s", &p, err, sizeof err), 0);
    struct schedule w0, w1;
    schedule_init_phases(&w0, ARRIVAL_FIXED, &p, 0, 2, 0, &r);
    schedule_init_phases(&w1, ARRIVAL_FIXED, &p, 1, 2, 0, &r);
    assert_int_equal(schedule_next_us(&w0, &r), 5000);
    assert_int_equal(schedule_next_us(&w1, &r), 15000);
    assert_int_equal(schedule_next_us(&w0, &r), 25000);
}

static void poisson_over_phases_offers_each_phase_its_count(void **state)
{
    (void)state;
    int n[4] = {0};
    /* Poisson counts: sd sqrt(mean), so 4 sd is under 5% of each. */
    count_starts("low=1000/s:10s,high=3000/s:10s,ramp=3000..0/s:10s,off=0/s:5s", ARRIVAL_POISSON,
                 4, 7, 35000000, n);
    assert_true(abs(n[0] - 10000) < 400);
    assert_true(abs(n[1] - 30000) < 700);
    assert_true(abs(n[2] - 15000) < 500);
    assert_int_equal(n[3], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_gaps_are_exact_and_offset),
        cmocka_unit_test(poisson_gaps_have_mean_and_variance_of_exp),
        cmocka_unit_test(fixed_over_phases_offers_each_phase_its_count),
        cmocka_unit_test(poisson_over_phases_offers_each_phase_its_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
