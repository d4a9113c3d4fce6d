/* RNG and transfer choice: reproducible, in range, distinct, unbiased. */
#include "txstorm/rng.h"
#include "txstorm/workload.h"

#include "cmocka_prelude.h"

static void same_seed_and_stream_repeat_others_differ(void **state)
{
    (void)state;
    struct rng a, b, c;
    rng_seed(&a, 5, 1);
    rng_seed(&b, 5, 1);
    rng_seed(&c, 5, 2);
    int same_as_other_stream = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        assert_true(x == rng_next(&b));
        same_as_other_stream += x == rng_next(&c);
    }
    assert_int_equal(same_as_other_stream, 0);
}

static void below_is_in_range_and_roughly_uniform(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 11, 0);
    int counts[7] = {0};
    const int draws = 70000;
    for (int i = 0; i < draws; i++) {
        uint64_t v = rng_below(&r, 7);
        assert_true(v < 7);
        counts[v]++;
    }
    for (int k = 0; k < 7; k++)
        assert_true(counts[k] > 9400 && counts[k] < 10600);
    for (int i = 0; i < 1000; i++) {
        int64_t v = rng_between(&r, -3, 3);
        assert_true(v >= -3 && v <= 3);
        double u = rng_unit(&r);
        assert_true(u >= 0.0 && u < 1.0);
    }
    assert_int_equal(rng_between(&r, 9, 9), 9);
}

static void transfer_sequence_is_reproducible(void **state)
{
    (void)state;
    struct workload_config w = {.accounts = 100,
                                .skew = {.kind = SKEW_ZIPF, .zipf_s = 1.1},
                                .amount_lo = 1,
                                .amount_hi = 1000};
    char err[128];
    assert_int_equal(workload_init(&w, err, sizeof err), 0);
    struct rng a, b, c;
    rng_seed(&a, 77, 4);
    rng_seed(&b, 77, 4);
    rng_seed(&c, 77, 5);
    int same_as_other_stream = 0;
    for (int i = 0; i < 1000; i++) {
        struct transfer x, y, z;
        workload_next_transfer(&w, &a, &x);
        workload_next_transfer(&w, &b, &y);
        workload_next_transfer(&w, &c, &z);
        assert_true(x.from == y.from && x.to == y.to && x.amount == y.amount);
        same_as_other_stream += x.from == z.from && x.to == z.to && x.amount == z.amount;
    }
    assert_true(same_as_other_stream < 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_and_stream_repeat_others_differ),
        cmocka_unit_test(below_is_in_range_and_roughly_uniform),
        cmocka_unit_test(transfer_sequence_is_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
