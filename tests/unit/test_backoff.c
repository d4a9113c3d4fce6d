/* Backoff policies: bounds, growth, cap, jitter range, reproducibility. */
#include "txstorm/backoff.h"

#include "cmocka_prelude.h"

static void none_never_sleeps(void **state) {
    (void)state;
    struct backoff_config b = {BACKOFF_NONE, 1000, 100000};
    struct rng r;
    rng_seed(&r, 1, 0);
    for (unsigned n = 0; n < 40; n++)
        assert_int_equal(backoff_delay_us(&b, n, &r), 0);
}

static void exponential_doubles_then_caps(void **state) {
    (void)state;
    struct backoff_config b = {BACKOFF_EXPONENTIAL, 1000, 50000};
    struct rng r;
    rng_seed(&r, 1, 0);
    assert_int_equal(backoff_delay_us(&b, 0, &r), 1000);
    assert_int_equal(backoff_delay_us(&b, 1, &r), 2000);
    assert_int_equal(backoff_delay_us(&b, 4, &r), 16000);
    assert_int_equal(backoff_delay_us(&b, 5, &r), 32000);
    assert_int_equal(backoff_delay_us(&b, 6, &r), 50000);
    /* Huge retry numbers neither overflow nor exceed the cap. */
    assert_int_equal(backoff_delay_us(&b, 63, &r), 50000);
    assert_int_equal(backoff_delay_us(&b, 4000000000u, &r), 50000);
    struct backoff_config big = {BACKOFF_EXPONENTIAL, INT64_MAX / 4, INT64_MAX};
    assert_true(backoff_delay_us(&big, 70, &r) <= INT64_MAX);
    assert_true(backoff_delay_us(&big, 70, &r) > 0);
}

static void full_jitter_stays_in_range_and_spreads(void **state) {
    (void)state;
    struct backoff_config b = {BACKOFF_FULL_JITTER, 1000, 50000};
    struct rng r;
    rng_seed(&r, 7, 0);
    for (unsigned n = 0; n < 10; n++) {
        int64_t ceiling = n >= 6 ? 50000 : 1000LL << n;
        int64_t lo = INT64_MAX, hi = -1;
        double sum = 0;
        const int draws = 20000;
        for (int i = 0; i < draws; i++) {
            int64_t d = backoff_delay_us(&b, n, &r);
            assert_true(d >= 0 && d <= ceiling);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
            sum += (double)d;
        }
        /* Uniform on [0, ceiling]: the extremes are approached, the mean is half. */
        assert_true(lo < ceiling / 50 + 1);
        assert_true(hi > ceiling - ceiling / 50 - 1);
        double mean = sum / draws;
        assert_true(mean > ceiling * 0.47 && mean < ceiling * 0.53);
    }
}

static void jitter_is_reproducible_with_a_seed(void **state) {
    (void)state;
    struct backoff_config b = {BACKOFF_FULL_JITTER, 500, 100000};
    struct rng r1, r2, r3;
    rng_seed(&r1, 42, 3);
    rng_seed(&r2, 42, 3);
    rng_seed(&r3, 43, 3);
    int differs = 0;
    for (unsigned n = 0; n < 100; n++) {
        int64_t a = backoff_delay_us(&b, n % 8, &r1);
        assert_int_equal(a, backoff_delay_us(&b, n % 8, &r2));
        differs += a != backoff_delay_us(&b, n % 8, &r3);
    }
    assert_true(differs > 50);
}

static void names_round_trip(void **state) {
    (void)state;
    enum backoff_policy p;
    const char *names[] = {"none", "exponential", "full-jitter"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(backoff_policy_parse(names[i], &p), 0);
        assert_string_equal(backoff_policy_name(p), names[i]);
    }
    assert_int_equal(backoff_policy_parse("linear", &p), -1);
    assert_int_equal(backoff_policy_parse("", &p), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_never_sleeps),
        cmocka_unit_test(exponential_doubles_then_caps),
        cmocka_unit_test(full_jitter_stays_in_range_and_spreads),
        cmocka_unit_test(jitter_is_reproducible_with_a_seed),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
