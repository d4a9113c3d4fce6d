/* Backoff policies: bounds, growth, cap, jitter ranges and means, reproducibility. */
#include "txstorm/backoff.h"

#include "cmocka_prelude.h"

static struct rng seeded(uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    return r;
}

/* min(cap, base * 2^n) for small n, computed the obvious way. */
static int64_t e_of(int64_t base, int64_t cap, unsigned n)
{
    int64_t e = base << n;
    return e < cap ? e : cap;
}

static void none_never_sleeps(void **state)
{
    (void)state;
    struct backoff_config b = {BACKOFF_NONE, 1000, 100000};
    struct rng r = seeded(1);
    for (unsigned n = 0; n < 40; n++)
        assert_int_equal(backoff_delay_us(&b, n, 5000, &r), 0);
}

static void constant_is_base_within_cap(void **state)
{
    (void)state;
    struct backoff_config b = {BACKOFF_CONSTANT, 1500, 100000};
    struct rng r = seeded(1);
    for (unsigned n = 0; n < 40; n++)
        assert_int_equal(backoff_delay_us(&b, n, 99999, &r), 1500);
    assert_int_equal(backoff_delay_us(&b, 4000000000u, 0, &r), 1500);
    struct backoff_config over = {BACKOFF_CONSTANT, 7000, 5000};
    assert_int_equal(backoff_delay_us(&over, 0, 0, &r), 5000);
}

static void exponential_doubles_then_caps(void **state)
{
    (void)state;
    struct backoff_config b = {BACKOFF_EXPONENTIAL, 1000, 50000};
    struct rng r = seeded(1);
    assert_int_equal(backoff_delay_us(&b, 0, 0, &r), 1000);
    assert_int_equal(backoff_delay_us(&b, 1, 0, &r), 2000);
    assert_int_equal(backoff_delay_us(&b, 4, 0, &r), 16000);
    assert_int_equal(backoff_delay_us(&b, 5, 0, &r), 32000);
    assert_int_equal(backoff_delay_us(&b, 6, 0, &r), 50000);
    assert_int_equal(backoff_delay_us(&b, 62, 0, &r), 50000);
    assert_int_equal(backoff_delay_us(&b, 63, 0, &r), 50000);
    assert_int_equal(backoff_delay_us(&b, 64, 0, &r), 50000);
    assert_int_equal(backoff_delay_us(&b, 4000000000u, 0, &r), 50000);
    /* Exactly at the cap is not above it. */
    struct backoff_config exact = {BACKOFF_EXPONENTIAL, 1000, 8000};
    assert_int_equal(backoff_delay_us(&exact, 3, 0, &r), 8000);
    assert_int_equal(backoff_delay_us(&exact, 2, 0, &r), 4000);
    /* A base of 1 still reaches a cap of INT64_MAX without wrapping. */
    struct backoff_config one = {BACKOFF_EXPONENTIAL, 1, INT64_MAX};
    assert_int_equal(backoff_delay_us(&one, 62, 0, &r), INT64_C(1) << 62);
    assert_int_equal(backoff_delay_us(&one, 63, 0, &r), INT64_MAX);
}

/* Draws 20000 delays for retry n; each must lie in [min, max]. Reports the
 * smallest, the largest and the mean. */
static void sample(const struct backoff_config *b, unsigned n, struct rng *r, int64_t min,
                   int64_t max, int64_t *lo, int64_t *hi, double *mean)
{
    const int draws = 20000;
    double sum = 0;
    *lo = INT64_MAX;
    *hi = -1;
    for (int i = 0; i < draws; i++) {
        int64_t d = backoff_delay_us(b, n, 0, r);
        if (d < min || d > max)
            fail_msg("retry %u: %lld outside [%lld, %lld]", n, (long long)d, (long long)min,
                     (long long)max);
        *lo = d < *lo ? d : *lo;
        *hi = d > *hi ? d : *hi;
        sum += (double)d;
    }
    *mean = sum / draws;
}

static void full_jitter_is_uniform_below_e(void **state)
{
    (void)state;
    struct backoff_config b = {BACKOFF_FULL_JITTER, 1000, 50000};
    struct rng r = seeded(7);
    for (unsigned n = 0; n < 10; n++) {
        int64_t e = e_of(1000, 50000, n), lo, hi;
        double mean;
        sample(&b, n, &r, 0, e, &lo, &hi, &mean);
        /* Uniform on [0, e]: the extremes are approached, the mean is half. */
        assert_true(lo < e / 50 + 1);
        assert_true(hi > e - e / 50 - 1);
        assert_true(mean > e * 0.48 && mean < e * 0.52);
    }
}

static void equal_jitter_is_uniform_in_the_upper_half(void **state)
{
    (void)state;
    struct backoff_config b = {BACKOFF_EQUAL_JITTER, 1000, 50000};
    struct rng r = seeded(8);
    for (unsigned n = 0; n < 10; n++) {
        int64_t e = e_of(1000, 50000, n), lo, hi;
        double mean;
        sample(&b, n, &r, e / 2, e, &lo, &hi, &mean);
        assert_true(lo < e / 2 + e / 100 + 1);
        assert_true(hi > e - e / 100 - 1);
        assert_true(mean > e * 0.74 && mean < e * 0.76);
    }
    /* An odd e still reaches e: 3 gives 1, 2 or 3. */
    struct backoff_config odd = {BACKOFF_EQUAL_JITTER, 3, 1000};
    int seen[4] = {0};
    for (int i = 0; i < 3000; i++) {
        int64_t d = backoff_delay_us(&odd, 0, 0, &r);
        assert_true(d >= 1 && d <= 3);
        seen[d]++;
    }
    assert_true(seen[1] > 0 && seen[2] > 0 && seen[3] > 0);
}

static void decorrelated_jitter_stays_between_base_and_three_prev(void **state)
{
    (void)state;
    const int64_t base = 1000, cap = 100000;
    struct backoff_config b = {BACKOFF_DECORRELATED_JITTER, base, cap};
    struct rng r = seeded(9);
    /* The first retry, or no previous delay, starts from base: [base, 3 base]. */
    for (int i = 0; i < 5000; i++) {
        int64_t d0 = backoff_delay_us(&b, 0, 77777, &r);
        assert_true(d0 >= base && d0 <= 3 * base);
        int64_t dz = backoff_delay_us(&b, 5, 0, &r);
        assert_true(dz >= base && dz <= 3 * base);
        int64_t dn = backoff_delay_us(&b, 5, -40, &r);
        assert_true(dn >= base && dn <= 3 * base);
    }
    /* Given prev, uniform on [base, min(cap, 3 prev)] with the expected mean. */
    const int64_t prevs[] = {1000, 2500, 20000, 40000, 1000000};
    for (size_t p = 0; p < sizeof prevs / sizeof prevs[0]; p++) {
        int64_t top = 3 * prevs[p] < cap ? 3 * prevs[p] : cap;
        int64_t lo = INT64_MAX, hi = -1;
        double sum = 0;
        const int draws = 20000;
        for (int i = 0; i < draws; i++) {
            int64_t d = backoff_delay_us(&b, 3, prevs[p], &r);
            if (d < base || d > top)
                fail_msg("prev %lld: %lld outside [%lld, %lld]", (long long)prevs[p], (long long)d,
                         (long long)base, (long long)top);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
            sum += (double)d;
        }
        assert_true(lo < base + (top - base) / 50 + 1);
        assert_true(hi == top || hi > top - (top - base) / 50 - 1);
        if (3 * prevs[p] <= cap) {
            double want = (double)(base + 3 * prevs[p]) / 2;
            double mean = sum / draws;
            if (mean < want * 0.98 || mean > want * 1.02)
                fail_msg("prev %lld: mean %.1f, want %.1f", (long long)prevs[p], mean, want);
        }
    }
}

static void decorrelated_jitter_grows_then_sits_near_the_cap(void **state)
{
    (void)state;
    /* Chained as the retry loop does: E[d'] = (base + 3 E[d]) / 2, so while
     * far below the cap the mean grows by about 1.5x a retry. */
    const int64_t base = 1000;
    struct backoff_config b = {BACKOFF_DECORRELATED_JITTER, base, INT64_C(1) << 40};
    struct rng r = seeded(10);
    enum { CHAINS = 20000, STEPS = 8 };
    double mean[STEPS] = {0};
    for (int c = 0; c < CHAINS; c++) {
        int64_t prev = 0;
        for (unsigned n = 0; n < STEPS; n++) {
            prev = backoff_delay_us(&b, n, prev, &r);
            mean[n] += (double)prev / CHAINS;
        }
    }
    double want = 2.0 * base;
    for (unsigned n = 0; n < STEPS; n++) {
        if (mean[n] < want * 0.95 || mean[n] > want * 1.05)
            fail_msg("retry %u: mean %.0f, want about %.0f", n, mean[n], want);
        want = (base + 3 * want) / 2;
    }

    /* Near the cap the chain settles: in the long run about 41% of delays
     * are the cap itself and the mean is about 0.66 cap (by simulation of
     * d' = min(cap, uniform(base, 3d)) with base = cap / 20). */
    struct backoff_config capped = {BACKOFF_DECORRELATED_JITTER, base, 20000};
    int at_cap = 0;
    double sum = 0;
    const int chains = 4000;
    for (int c = 0; c < chains; c++) {
        int64_t prev = 0;
        for (unsigned n = 0; n < 20; n++) {
            prev = backoff_delay_us(&capped, n, prev, &r);
            assert_true(prev >= base && prev <= 20000);
        }
        at_cap += prev == 20000;
        sum += (double)prev;
    }
    double share = (double)at_cap / chains, level = sum / chains / 20000;
    if (share < 0.37 || share > 0.45 || level < 0.63 || level > 0.69)
        fail_msg("at cap %.3f (want ~0.41), mean %.3f cap (want ~0.66)", share, level);
}

static void decorrelated_jitter_edge_settings(void **state)
{
    (void)state;
    struct rng r = seeded(11);
    /* Base 0: nothing to grow from, so no sleep, as with exponential. */
    struct backoff_config zero = {BACKOFF_DECORRELATED_JITTER, 0, 100000};
    int64_t prev = 0;
    for (unsigned n = 0; n < 10; n++) {
        prev = backoff_delay_us(&zero, n, prev, &r);
        assert_int_equal(prev, 0);
    }
    /* Base above cap: always the cap. */
    struct backoff_config over = {BACKOFF_DECORRELATED_JITTER, 9000, 5000};
    for (unsigned n = 0; n < 10; n++)
        assert_int_equal(backoff_delay_us(&over, n, 5000, &r), 5000);
    /* A prev far below base cannot make the range empty. */
    struct backoff_config b = {BACKOFF_DECORRELATED_JITTER, 3000, 100000};
    for (int i = 0; i < 100; i++)
        assert_int_equal(backoff_delay_us(&b, 2, 1, &r), 3000);
}

static void every_policy_stays_in_zero_to_cap(void **state)
{
    (void)state;
    const int64_t values[] = {-5,
                              0,
                              1,
                              2,
                              3,
                              999,
                              1000,
                              1 << 20,
                              INT64_MAX / 4,
                              INT64_MAX / 3,
                              INT64_MAX / 2,
                              INT64_MAX - 1,
                              INT64_MAX};
    const unsigned retries[] = {0, 1, 2, 31, 32, 61, 62, 63, 64, 1000, 4000000000u};
    const size_t nv = sizeof values / sizeof values[0];
    struct rng r = seeded(12);
    for (int p = 0; p < BACKOFF_POLICY_COUNT; p++) {
        for (size_t bi = 0; bi < nv; bi++) {
            for (size_t ci = 0; ci < nv; ci++) {
                struct backoff_config b = {(enum backoff_policy)p, values[bi], values[ci]};
                int64_t cap = values[ci] > 0 ? values[ci] : 0;
                for (size_t n = 0; n < sizeof retries / sizeof retries[0]; n++) {
                    for (size_t pi = 0; pi < nv; pi++) {
                        int64_t d = backoff_delay_us(&b, retries[n], values[pi], &r);
                        if (d < 0 || d > cap)
                            fail_msg("%s base %lld cap %lld retry %u prev %lld: %lld",
                                     backoff_policy_name(b.policy), (long long)values[bi],
                                     (long long)values[ci], retries[n], (long long)values[pi],
                                     (long long)d);
                    }
                }
            }
        }
    }
}

static void huge_settings_do_not_overflow(void **state)
{
    (void)state;
    struct rng r = seeded(13);
    const int64_t base = INT64_MAX / 4;
    struct backoff_config e = {BACKOFF_EXPONENTIAL, base, INT64_MAX};
    assert_int_equal(backoff_delay_us(&e, 0, 0, &r), base);
    assert_int_equal(backoff_delay_us(&e, 1, 0, &r), base * 2);
    assert_int_equal(backoff_delay_us(&e, 2, 0, &r), base * 4);
    assert_int_equal(backoff_delay_us(&e, 3, 0, &r), INT64_MAX);
    assert_int_equal(backoff_delay_us(&e, 4000000000u, 0, &r), INT64_MAX);
    struct backoff_config eq = {BACKOFF_EQUAL_JITTER, base, INT64_MAX};
    for (int i = 0; i < 1000; i++) {
        int64_t d = backoff_delay_us(&eq, 4000000000u, 0, &r);
        assert_true(d >= INT64_MAX / 2);
    }
    struct backoff_config dj = {BACKOFF_DECORRELATED_JITTER, base, INT64_MAX};
    int64_t prev = 0;
    for (unsigned n = 0; n < 100; n++) {
        prev = backoff_delay_us(&dj, n, prev, &r);
        assert_true(prev >= base);
    }
    /* 3 prev saturates at INT64_MAX rather than wrapping to something small. */
    const int64_t huge_prevs[] = {INT64_MAX / 3 + 1, INT64_MAX / 2, INT64_MAX};
    for (size_t i = 0; i < 3; i++) {
        int64_t top = 0;
        for (int d = 0; d < 100; d++) {
            int64_t v = backoff_delay_us(&dj, 1, huge_prevs[i], &r);
            assert_true(v >= base);
            top = v > top ? v : top;
        }
        assert_true(top > INT64_MAX / 4 * 3);
    }
}

static void jitter_is_reproducible_with_a_seed(void **state)
{
    (void)state;
    const enum backoff_policy jittered[] = {BACKOFF_FULL_JITTER, BACKOFF_EQUAL_JITTER,
                                            BACKOFF_DECORRELATED_JITTER};
    for (size_t p = 0; p < 3; p++) {
        struct backoff_config b = {jittered[p], 500, 100000};
        struct rng r1, r2, r3;
        rng_seed(&r1, 42, 3);
        rng_seed(&r2, 42, 3);
        rng_seed(&r3, 43, 3);
        int differs = 0;
        int64_t prev1 = 0, prev3 = 0;
        for (unsigned n = 0; n < 100; n++) {
            int64_t a = backoff_delay_us(&b, n % 8, prev1, &r1);
            assert_int_equal(a, backoff_delay_us(&b, n % 8, prev1, &r2));
            int64_t c = backoff_delay_us(&b, n % 8, prev3, &r3);
            differs += a != c;
            prev1 = a;
            prev3 = c;
        }
        assert_true(differs > 50);
    }
}

static void names_round_trip(void **state)
{
    (void)state;
    const char *names[BACKOFF_POLICY_COUNT] = {
        "none", "constant", "exponential", "full-jitter", "equal-jitter", "decorrelated-jitter"};
    for (int i = 0; i < BACKOFF_POLICY_COUNT; i++) {
        enum backoff_policy p = BACKOFF_POLICY_COUNT;
        assert_int_equal(backoff_policy_parse(names[i], &p), 0);
        assert_int_equal(p, i);
        assert_string_equal(backoff_policy_name(p), names[i]);
    }
    enum backoff_policy p;
    assert_int_equal(backoff_policy_parse("linear", &p), -1);
    assert_int_equal(backoff_policy_parse("", &p), -1);
    assert_int_equal(backoff_policy_parse("Full-Jitter", &p), -1);
    assert_string_equal(backoff_policy_name(BACKOFF_POLICY_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_never_sleeps),
        cmocka_unit_test(constant_is_base_within_cap),
        cmocka_unit_test(exponential_doubles_then_caps),
        cmocka_unit_test(full_jitter_is_uniform_below_e),
        cmocka_unit_test(equal_jitter_is_uniform_in_the_upper_half),
        cmocka_unit_test(decorrelated_jitter_stays_between_base_and_three_prev),
        cmocka_unit_test(decorrelated_jitter_grows_then_sits_near_the_cap),
        cmocka_unit_test(decorrelated_jitter_edge_settings),
        cmocka_unit_test(every_policy_stays_in_zero_to_cap),
        cmocka_unit_test(huge_settings_do_not_overflow),
        cmocka_unit_test(jitter_is_reproducible_with_a_seed),
        cmocka_unit_test(names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
