/* Histogram: percentiles against exact sorted data, merge, bounds. */
#include "txstorm/hist.h"
#include "txstorm/rng.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted data. */
static int64_t exact_percentile(const int64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p * (double)n / 100.0 - 1e-9);
    if (rank < 1) rank = 1;
    return sorted[rank - 1];
}

/* Log-uniform values across [lo, hi]: every bucket of the range gets hits. */
static int64_t *log_uniform(struct rng *r, size_t n, int64_t lo, int64_t hi)
{
    int64_t *v = malloc(n * sizeof *v);
    double a = log((double)lo), b = log((double)hi);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)exp(a + (b - a) * rng_unit(r));
    return v;
}

static void check_percentiles(int sig_figs, int64_t lo, int64_t hi)
{
    const int64_t highest = 3600LL * 1000000;
    const size_t n = 200000;
    struct rng r;
    rng_seed(&r, (uint64_t)sig_figs * 7919 + (uint64_t)lo, 1);
    int64_t *v = log_uniform(&r, n, lo, hi);
    struct hist *h = hist_create(highest, sig_figs);
    assert_non_null(h);
    for (size_t i = 0; i < n; i++)
        hist_record(h, v[i]);
    qsort(v, n, sizeof *v, cmp_i64);

    double bound = pow(10.0, -sig_figs);
    const double ps[] = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        int64_t exact = exact_percentile(v, n, ps[i]);
        int64_t got = hist_value_at_percentile(h, ps[i]);
        assert_true(hist_values_equivalent(h, exact, got));
        assert_true(got >= exact);
        double rel = (double)(got - exact) / (double)exact;
        if (rel > bound)
            fail_msg("sig %d p%.2f exact %lld got %lld rel %g", sig_figs, ps[i], (long long)exact,
                     (long long)got, rel);
    }
    assert_int_equal(hist_max(h), v[n - 1]);
    assert_int_equal(hist_min(h), v[0]);
    assert_int_equal(h->total_count, (int64_t)n);
    hist_destroy(h);
    free(v);
}

static void percentiles_match_sorted_reference(void **state)
{
    (void)state;
    for (int sig = 1; sig <= 5; sig++) {
        check_percentiles(sig, 1, 3600LL * 1000000); /* 1 us .. 1 h */
        check_percentiles(sig, 200, 50000);          /* a typical latency band */
    }
}

static void small_values_are_exact(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000000, 3);
    for (int64_t v = 1; v <= 100; v++)
        hist_record(h, v);
    assert_int_equal(hist_value_at_percentile(h, 50), 50);
    assert_int_equal(hist_value_at_percentile(h, 99), 99);
    assert_int_equal(hist_value_at_percentile(h, 100), 100);
    assert_int_equal(hist_value_at_percentile(h, 0), 1);
    assert_true(fabs(hist_mean(h) - 50.5) < 1e-9);
    hist_destroy(h);
}

static void merge_equals_pooled(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 99, 0);
    struct hist *a = hist_create(3600LL * 1000000, 3), *b = hist_create(3600LL * 1000000, 3);
    struct hist *pooled = hist_create(3600LL * 1000000, 3);
    for (int i = 0; i < 50000; i++) {
        int64_t v = 1 + (int64_t)rng_below(&r, 10000000);
        hist_record(i % 3 ? a : b, v);
        hist_record(pooled, v);
    }
    assert_true(hist_merge(a, b));
    assert_int_equal(a->total_count, pooled->total_count);
    for (int32_t i = 0; i < a->counts_len; i++)
        assert_int_equal(a->counts[i], pooled->counts[i]);
    assert_int_equal(hist_value_at_percentile(a, 99.9), hist_value_at_percentile(pooled, 99.9));
    assert_int_equal(hist_max(a), hist_max(pooled));

    struct hist *other = hist_create(3600LL * 1000000, 2);
    assert_false(hist_merge(a, other));
    hist_destroy(a);
    hist_destroy(b);
    hist_destroy(pooled);
    hist_destroy(other);
}

static void out_of_range_values_are_clamped_and_counted(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000000, 2);
    hist_record(h, 5000000);
    hist_record(h, -3);
    assert_int_equal(h->clamped, 1);
    assert_int_equal(h->total_count, 2);
    assert_int_equal(hist_max(h), 1000000);
    assert_int_equal(hist_value_at_percentile(h, 0), 0);
    hist_reset(h);
    assert_int_equal(h->total_count, 0);
    assert_int_equal(hist_value_at_percentile(h, 50), 0);
    hist_destroy(h);
}

static void bad_arguments_are_refused_and_memory_is_fixed(void **state)
{
    (void)state;
    assert_null(hist_create(1000, 0));
    assert_null(hist_create(1000, 6));
    assert_null(hist_create(1, 3));
    struct hist *h = hist_create(3600LL * 1000000, 3);
    /* The counts are allocated once: recording never grows them. */
    const int64_t *counts = h->counts;
    size_t before = (size_t)h->counts_len * sizeof *h->counts;
    for (int i = 0; i < 1000; i++)
        hist_record(h, i * 1000);
    assert_ptr_equal(h->counts, counts);
    assert_int_equal((size_t)h->counts_len * sizeof *h->counts, before);
    assert_true(before < 256 * 1024);
    hist_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percentiles_match_sorted_reference),
        cmocka_unit_test(small_values_are_exact),
        cmocka_unit_test(merge_equals_pooled),
        cmocka_unit_test(out_of_range_values_are_clamped_and_counted),
        cmocka_unit_test(bad_arguments_are_refused_and_memory_is_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
