/* .hgrm spectrum: a hand-derived literal, row invariants, footer figures, scaling. */
#include "txstorm/hgrm.h"
#include "txstorm/hist.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char header[] = "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n";

/* hgrm_write's output as a string the caller frees. */
static char *hgrm_string(const struct hist *h, double value_scale)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(hgrm_write(f, h, value_scale), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(strlen(buf), len);
    return buf;
}

/* Values 1..10 once each. Levels step by 10% below 50%, then by 5%, 2.5%,
 * 1.25% as the distance to 100% halves; a row is printed at the first bucket
 * whose cumulative share reaches the level, and the last bucket gives one row
 * before the closing 100% row. Every value here is its own bucket. */
static void tiny_histogram_matches_hand_derived_output(void **state)
{
    (void)state;
    struct hist *h = hist_create(10000, 3);
    for (int64_t v = 1; v <= 10; v++)
        hist_record(h, v);
    const char *expected = "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
                           "\n"
                           "       1.000     0.000000            1         1.00\n"
                           "       1.000     0.100000            1         1.11\n"
                           "       2.000     0.200000            2         1.25\n"
                           "       3.000     0.300000            3         1.43\n"
                           "       4.000     0.400000            4         1.67\n"
                           "       5.000     0.500000            5         2.00\n"
                           "       6.000     0.550000            6         2.22\n"
                           "       6.000     0.600000            6         2.50\n"
                           "       7.000     0.650000            7         2.86\n"
                           "       7.000     0.700000            7         3.33\n"
                           "       8.000     0.750000            8         4.00\n"
                           "       8.000     0.775000            8         4.44\n"
                           "       8.000     0.800000            8         5.00\n"
                           "       9.000     0.825000            9         5.71\n"
                           "       9.000     0.850000            9         6.67\n"
                           "       9.000     0.875000            9         8.00\n"
                           "       9.000     0.887500            9         8.89\n"
                           "       9.000     0.900000            9        10.00\n"
                           "      10.000     0.912500           10        11.43\n"
                           "      10.000     1.000000           10\n"
                           "#[Mean    =        5.500, StdDeviation   =        2.872]\n"
                           "#[Max     =       10.000, Total count    =           10]\n"
                           "#[Buckets =            4, SubBuckets     =         2048]\n";
    char *got = hgrm_string(h, 1.0);
    assert_string_equal(got, expected);
    free(got);
    hist_destroy(h);
}

struct row {
    double value, percentile, inverse;
    long long count;
    int fields;
};

struct footer {
    double mean, stddev, max;
    long long total;
    int buckets, sub_buckets;
};

/* Splits the text into rows and footer, checking the fixed lines on the way. */
static size_t parse(char *text, struct row *rows, size_t cap, struct footer *ft)
{
    assert_memory_equal(text, header, strlen(header));
    char *line = text + strlen(header);
    size_t n = 0;
    while (*line != '\0' && *line != '#') {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        assert_true(n < cap);
        struct row *r = &rows[n++];
        char junk;
        r->fields = sscanf(line, "%lf %lf %lld %lf %c", &r->value, &r->percentile, &r->count,
                           &r->inverse, &junk);
        line = end + 1;
    }
    int got = sscanf(line,
                     "#[Mean    = %lf, StdDeviation   = %lf]\n"
                     "#[Max     = %lf, Total count    = %lld]\n"
                     "#[Buckets = %d, SubBuckets     = %d]",
                     &ft->mean, &ft->stddev, &ft->max, &ft->total, &ft->buckets, &ft->sub_buckets);
    assert_int_equal(got, 6);
    return n;
}

static void uniform_spectrum_is_consistent(void **state)
{
    (void)state;
    const int64_t n = 10000;
    struct hist *h = hist_create(3600LL * 1000000, 3);
    for (int64_t v = 1; v <= n; v++)
        hist_record(h, v);
    char *text = hgrm_string(h, 1000.0);
    static struct row rows[1000];
    struct footer ft;
    size_t nrows = parse(text, rows, 1000, &ft);
    assert_true(nrows > 20);

    assert_true(rows[0].percentile == 0.0);
    for (size_t i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        bool last = i == nrows - 1;
        assert_int_equal(r->fields, last ? 3 : 4);
        if (i > 0) {
            assert_true(r->percentile >= rows[i - 1].percentile);
            assert_true(r->value >= rows[i - 1].value);
            assert_true(r->count >= rows[i - 1].count);
        }
        /* Each value once: the count up to a bucket is the bucket's top value. */
        long long top_us = llround(r->value * 1000.0);
        assert_int_equal(r->count, top_us < n ? top_us : n);
        /* The row's level is one the bucket has reached. */
        assert_true(r->percentile <= (double)r->count / (double)n + 1e-6);
        if (!last) {
            double inv = 1.0 / (1.0 - r->percentile);
            double slack = 0.006 + inv * inv * 6e-7;
            assert_true(fabs(r->inverse - inv) <= slack);
        }
    }
    assert_true(rows[nrows - 1].percentile == 1.0);
    assert_int_equal(rows[nrows - 1].count, n);
    assert_true(rows[nrows - 2].percentile < 1.0);

    double exact_mean = (double)(n + 1) / 2.0 / 1000.0;
    double exact_sd = sqrt(((double)n * (double)n - 1.0) / 12.0) / 1000.0;
    assert_true(fabs(ft.mean - exact_mean) <= 0.0005 + 1e-9);
    assert_true(fabs(ft.stddev - exact_sd) <= exact_sd * 1e-3 + 0.0005);
    assert_true(fabs(ft.max - (double)hist_highest_equivalent(h, n) / 1000.0) < 1e-9);
    assert_true(fabs(ft.max - (double)n / 1000.0) <= (double)n / 1000.0 * 1e-3);
    assert_int_equal(ft.total, n);
    assert_int_equal(ft.buckets, h->bucket_count);
    assert_int_equal(ft.sub_buckets, h->sub_bucket_count);
    free(text);
    hist_destroy(h);
}

static void value_scale_divides_values_only(void **state)
{
    (void)state;
    struct hist *h = hist_create(3600LL * 1000000, 2);
    for (int64_t v = 100; v <= 900000; v += 37)
        hist_record(h, v);
    char *us = hgrm_string(h, 1.0), *ms = hgrm_string(h, 1000.0);
    static struct row a[1000], b[1000];
    struct footer fa, fb;
    size_t na = parse(us, a, 1000, &fa), nb = parse(ms, b, 1000, &fb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_true(fabs(a[i].value / 1000.0 - b[i].value) <= 0.006);
        assert_true(a[i].percentile == b[i].percentile);
        assert_int_equal(a[i].count, b[i].count);
    }
    assert_true(fabs(fa.mean / 1000.0 - fb.mean) <= 0.001);
    assert_true(fabs(fa.stddev / 1000.0 - fb.stddev) <= 0.001);
    assert_true(fabs(fa.max / 1000.0 - fb.max) <= 0.001);
    assert_int_equal(fa.total, fb.total);
    free(us);
    free(ms);
    hist_destroy(h);
}

/* The value column carries as many decimals as the histogram has figures. */
static void value_precision_follows_sig_figs(void **state)
{
    (void)state;
    for (int sf = 1; sf <= 5; sf++) {
        struct hist *h = hist_create(1000000, sf);
        hist_record(h, 1234);
        char *text = hgrm_string(h, 1000.0);
        char *row = text + strlen(header);
        char *dot = strchr(row, '.');
        assert_non_null(dot);
        size_t decimals = strspn(dot + 1, "0123456789");
        assert_int_equal(decimals, (size_t)sf);
        assert_int_equal(dot + 1 + decimals - row, 12); /* right-aligned in 12 */
        free(text);
        hist_destroy(h);
    }
}

static void empty_histogram_prints_header_and_zero_footer(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000000, 3);
    char *text = hgrm_string(h, 1000.0);
    const char *expected = "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
                           "\n"
                           "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
                           "#[Max     =        0.000, Total count    =            0]\n";
    assert_memory_equal(text, expected, strlen(expected));
    free(text);
    hist_destroy(h);
}

static void write_error_is_reported(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000000, 3);
    hist_record(h, 5);
    FILE *f = fopen("/dev/null", "r");
    assert_non_null(f);
    assert_int_equal(hgrm_write(f, h, 1.0), -1);
    fclose(f);
    hist_destroy(h);
}

static void stddev_uses_bucket_midpoints(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000000, 1);
    assert_true(hist_stddev(h) == 0.0);
    hist_record(h, 7);
    hist_record(h, 7);
    assert_true(hist_stddev(h) == 0.0);
    /* At 1 figure 1000 falls in 992..1023, whose middle is 1008. */
    hist_reset(h);
    hist_record(h, 1000);
    hist_record(h, 3);
    double mean = (1000.0 + 3.0) / 2.0;
    double expected = sqrt(((1008.0 - mean) * (1008.0 - mean) + (3.0 - mean) * (3.0 - mean)) / 2);
    assert_true(fabs(hist_stddev(h) - expected) < 1e-9);
    hist_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_histogram_matches_hand_derived_output),
        cmocka_unit_test(uniform_spectrum_is_consistent),
        cmocka_unit_test(value_scale_divides_values_only),
        cmocka_unit_test(value_precision_follows_sig_figs),
        cmocka_unit_test(empty_histogram_prints_header_and_zero_footer),
        cmocka_unit_test(write_error_is_reported),
        cmocka_unit_test(stddev_uses_bucket_midpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
