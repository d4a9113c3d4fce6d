/* Workload: ids per skew, the Zipf sampler against its exact pmf, amounts, parsing. */
#include "txstorm/workload.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

static char err[256];

static struct workload_config config(int64_t accounts, const char *skew)
{
    struct workload_config w = {
        .accounts = accounts, .amount_mode = AMOUNT_RANGE, .amount_lo = 1, .amount_hi = 100};
    if (workload_parse_skew(skew, &w.skew, err, sizeof err) != 0) fail_msg("%s: %s", skew, err);
    if (workload_init(&w, err, sizeof err) != 0) fail_msg("%s: %s", skew, err);
    return w;
}

/* Pearson's statistic of observed counts against expected counts. */
static double chi_square(const double *observed, const double *expected, int cells)
{
    double x2 = 0;
    for (int i = 0; i < cells; i++)
        x2 += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
    return x2;
}

/* Pearson's statistic with adjacent cells pooled until each expects at least
 * 5, as the chi-square approximation needs; *pooled gets the cell count. */
static double pooled_chi_square(const double *observed, const double *expected, int cells,
                                int *pooled)
{
    double x2 = 0, o = 0, e = 0, last_o = 0, last_e = 0;
    *pooled = 0;
    for (int i = 0; i < cells; i++) {
        o += observed[i];
        e += expected[i];
        if (e >= 5) {
            x2 += (o - e) * (o - e) / e;
            last_o = o;
            last_e = e;
            (*pooled)++;
            o = e = 0;
        }
    }
    if (e > 0 && *pooled > 0) {
        /* A short tail joins the last full cell. */
        x2 -= (last_o - last_e) * (last_o - last_e) / last_e;
        last_o += o;
        last_e += e;
        x2 += (last_o - last_e) * (last_o - last_e) / last_e;
    }
    return x2;
}

/* A chi-square with df degrees of freedom beyond mean + 6 standard deviations:
 * p well under 1e-5, so a correct sampler never trips it and a wrong one does. */
static double chi_square_limit(int df) { return df + 6 * sqrt(2.0 * df); }

static void uniform_covers_the_bank_with_distinct_ids(void **state)
{
    (void)state;
    struct workload_config w = config(50, "uniform");
    struct rng r;
    rng_seed(&r, 1, 0);
    int seen_from[51] = {0}, seen_to[51] = {0};
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < 100000; i++) {
        struct transfer t = {.fraction = 99};
        workload_next_transfer(&w, &r, &t);
        assert_true(t.from >= 1 && t.from <= 50);
        assert_true(t.to >= 1 && t.to <= 50);
        assert_int_not_equal(t.from, t.to);
        assert_true(t.amount >= 1 && t.amount <= 100);
        assert_true(t.fraction == 0);
        seen_from[t.from]++;
        seen_to[t.to]++;
        lo = t.amount < lo ? t.amount : lo;
        hi = t.amount > hi ? t.amount : hi;
    }
    for (int id = 1; id <= 50; id++) {
        /* 2000 expected each; 1500 is 11 standard deviations below. */
        assert_true(seen_from[id] > 1500);
        assert_true(seen_to[id] > 1500);
    }
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 100);
}

static void hot_pairs_are_distinct_and_uniform(void **state)
{
    (void)state;
    struct workload_config w = config(1000, "hot:5");
    struct rng r;
    rng_seed(&r, 2, 0);
    /* All 20 ordered pairs of distinct ids in 1..5, equally likely. */
    double pairs[25] = {0};
    const int draws = 100000;
    for (int i = 0; i < draws; i++) {
        struct transfer t;
        workload_next_transfer(&w, &r, &t);
        assert_true(t.from >= 1 && t.from <= 5);
        assert_true(t.to >= 1 && t.to <= 5);
        assert_int_not_equal(t.from, t.to);
        pairs[(t.from - 1) * 5 + (t.to - 1)]++;
    }
    double observed[20], expected[20];
    int c = 0;
    for (int i = 0; i < 25; i++) {
        if (i / 5 == i % 5) continue;
        observed[c] = pairs[i];
        expected[c++] = draws / 20.0;
    }
    assert_true(chi_square(observed, expected, 20) < chi_square_limit(19));

    struct workload_config two = config(2, "hot:2");
    for (int i = 0; i < 1000; i++) {
        struct transfer t;
        workload_next_transfer(&two, &r, &t);
        assert_int_equal(t.from + t.to, 3);
    }
}

static void hotspot_hits_the_hot_set_with_probability_p(void **state)
{
    (void)state;
    struct workload_config w = config(100, "hotspot:10:0.3");
    struct rng r;
    rng_seed(&r, 3, 0);
    const int draws = 200000;
    int hot = 0;
    double cold_ids[90] = {0};
    double cold_draws = 0;
    for (int i = 0; i < draws; i++) {
        struct transfer t;
        workload_next_transfer(&w, &r, &t);
        assert_int_not_equal(t.from, t.to);
        bool from_hot = t.from <= 10, to_hot = t.to <= 10;
        /* Never one hot and one cold account. */
        assert_int_equal(from_hot, to_hot);
        assert_true(t.from >= 1 && t.from <= 100 && t.to >= 1 && t.to <= 100);
        if (from_hot) {
            hot++;
        } else {
            cold_ids[t.from - 11]++;
            cold_ids[t.to - 11]++;
            cold_draws++;
        }
    }
    double p = (double)hot / draws;
    if (fabs(p - 0.3) > 0.01) fail_msg("hot share %.4f, want 0.3 +- 0.01", p);
    double expected[90];
    for (int i = 0; i < 90; i++)
        expected[i] = 2 * cold_draws / 90;
    double x2 = chi_square(cold_ids, expected, 90);
    if (x2 > chi_square_limit(89)) fail_msg("cold ids not uniform: chi-square %.1f", x2);

    struct workload_config never = config(20, "hotspot:5:0");
    struct workload_config always = config(20, "hotspot:5:1");
    for (int i = 0; i < 10000; i++) {
        struct transfer t;
        workload_next_transfer(&never, &r, &t);
        assert_true(t.from > 5 && t.to > 5);
        workload_next_transfer(&always, &r, &t);
        assert_true(t.from <= 5 && t.to <= 5);
    }
}

/* H(n, s) = sum of k^-s over 1..n. */
static double harmonic(int64_t n, double s)
{
    double h = 0;
    for (int64_t k = n; k >= 1; k--) /* smallest first, for accuracy */
        h += pow((double)k, -s);
    return h;
}

/* Ranks 1..20 one by one, then wider bins, and ranks 999 and 1000 alone: the
 * top edge is where clamping and half-open-interval mistakes show. */
static const int bin_end[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,   10,  11,  12,  13,  14,
                              15, 16, 17, 18, 19, 20, 30, 50, 100, 200, 500, 998, 999, 1000};
#define N_BINS ((int)(sizeof bin_end / sizeof bin_end[0]))

static void bin_pmf(double s, double draws, double *expected)
{
    double norm = harmonic(1000, s);
    int k = 1;
    for (int b = 0; b < N_BINS; b++) {
        double mass = 0;
        for (; k <= bin_end[b]; k++)
            mass += pow(k, -s) / norm;
        expected[b] = mass * draws;
    }
}

static void zipf_matches_the_exact_distribution(void **state)
{
    (void)state;
    const double exponents[] = {0.5, 0.99, 1.0, 1.2, 2.0};
    const int draws = 1000000;
    for (size_t e = 0; e < sizeof exponents / sizeof exponents[0]; e++) {
        double s = exponents[e];
        struct zipf z;
        assert_int_equal(zipf_init(&z, 1000, s), 0);
        struct rng r;
        rng_seed(&r, 4, e);
        double observed[N_BINS] = {0};
        for (int i = 0; i < draws; i++) {
            int64_t k = zipf_sample(&z, &r);
            assert_true(k >= 1 && k <= 1000);
            int b = 0;
            while (bin_end[b] < k)
                b++;
            observed[b]++;
        }
        double expected[N_BINS];
        bin_pmf(s, draws, expected);
        int cells;
        double x2 = pooled_chi_square(observed, expected, N_BINS, &cells);
        double limit = chi_square_limit(cells - 1);
        print_message(
            "zipf s=%.2f: chi-square %.1f over %d cells (limit %.1f); P(1) %.5f vs %.5f\n", s, x2,
            cells, limit, observed[0] / draws, expected[0] / draws);
        if (x2 > limit) fail_msg("s=%g: chi-square %.1f over %d cells", s, x2, cells);
        /* Each of ranks 1..20 within 4.5 standard errors of its probability. */
        for (int b = 0; b < 20; b++) {
            double p = expected[b] / draws, se = sqrt(p * (1 - p) / draws);
            if (fabs(observed[b] / draws - p) > 4.5 * se)
                fail_msg("s=%g rank %d: %.6f vs %.6f", s, b + 1, observed[b] / draws, p);
        }
        /* The same counts against a 2% different exponent must fail: the
         * test can tell a slightly wrong sampler from a right one. */
        double wrong[N_BINS];
        bin_pmf(s * 1.02, draws, wrong);
        double x2_wrong = pooled_chi_square(observed, wrong, N_BINS, &cells);
        print_message("  against s=%.4f: chi-square %.1f\n", s * 1.02, x2_wrong);
        assert_true(x2_wrong > chi_square_limit(cells - 1));
    }
}

static void zipf_stays_in_range_for_extreme_parameters(void **state)
{
    (void)state;
    const int64_t sizes[] = {1, 2, 3, 10, 1000000, 1000000000000000LL, INT64_MAX};
    const double exponents[] = {1e-12, 1e-3, 0.5, 1 - 1e-12, 1, 1 + 1e-12, 2, 10, 100, 1e6, 1e300};
    struct rng r;
    rng_seed(&r, 5, 0);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (size_t j = 0; j < sizeof exponents / sizeof exponents[0]; j++) {
            struct zipf z;
            assert_int_equal(zipf_init(&z, sizes[i], exponents[j]), 0);
            for (int d = 0; d < 2000; d++) {
                int64_t k = zipf_sample(&z, &r);
                if (k < 1 || k > sizes[i])
                    fail_msg("n=%lld s=%g gave %lld", (long long)sizes[i], exponents[j],
                             (long long)k);
            }
        }
    }
    /* Near s = 0 the distribution is flat: all of 1..10 turn up. */
    struct zipf flat;
    zipf_init(&flat, 10, 1e-12);
    int seen[11] = {0};
    for (int d = 0; d < 10000; d++)
        seen[zipf_sample(&flat, &r)]++;
    for (int k = 1; k <= 10; k++)
        assert_true(seen[k] > 800);
    /* A huge exponent puts everything on 1. */
    struct zipf steep;
    zipf_init(&steep, 1000, 1e300);
    for (int d = 0; d < 1000; d++)
        assert_int_equal(zipf_sample(&steep, &r), 1);

    struct zipf z;
    assert_int_equal(zipf_init(&z, 0, 1), -1);
    assert_int_equal(zipf_init(&z, 10, 0), -1);
    assert_int_equal(zipf_init(&z, 10, -1), -1);
    assert_int_equal(zipf_init(&z, 10, NAN), -1);
    assert_int_equal(zipf_init(&z, 10, INFINITY), -1);
}

/* 1e300 in plain decimal, as --skew takes it. */
#define ZEROS_10 "0000000000"
#define ZEROS_100                                                                                  \
    ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10 ZEROS_10
#define ZEROS_300 ZEROS_100 ZEROS_100 ZEROS_100

static void zipf_transfers_are_distinct_even_when_s_is_huge(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 6, 0);
    /* n = 2, s = 10: the second draw is 1 again 99.9% of the time, so the
     * bounded redraw must fall back rather than spin. */
    struct workload_config two = config(2, "zipf:10");
    int from_one = 0;
    for (int i = 0; i < 10000; i++) {
        struct transfer t;
        workload_next_transfer(&two, &r, &t);
        assert_int_equal(t.from + t.to, 3);
        from_one += t.from == 1;
    }
    assert_true(from_one > 9900);

    struct workload_config steep = config(1000, "zipf:1" ZEROS_300);
    for (int i = 0; i < 1000; i++) {
        struct transfer t;
        workload_next_transfer(&steep, &r, &t);
        assert_int_equal(t.from, 1);
        assert_true(t.to >= 2 && t.to <= 1000);
    }

    /* The first id is exactly Zipf: P(1) = 1 / H(1000, 1). */
    struct workload_config w = config(1000, "zipf:1.0");
    const int draws = 200000;
    int ones = 0;
    for (int i = 0; i < draws; i++) {
        struct transfer t;
        workload_next_transfer(&w, &r, &t);
        assert_int_not_equal(t.from, t.to);
        assert_true(t.from >= 1 && t.from <= 1000 && t.to >= 1 && t.to <= 1000);
        ones += t.from == 1;
    }
    double p = 1 / harmonic(1000, 1.0), se = sqrt(p * (1 - p) / draws);
    assert_true(fabs((double)ones / draws - p) < 4.5 * se);
}

static void fraction_mode_carries_the_fraction(void **state)
{
    (void)state;
    struct workload_config w = config(100, "hot:10");
    w.amount_mode = AMOUNT_FRACTION;
    w.amount_fraction = 0.25;
    assert_int_equal(workload_init(&w, err, sizeof err), 0);
    struct rng r;
    rng_seed(&r, 7, 0);
    for (int i = 0; i < 1000; i++) {
        struct transfer t = {.amount = 99};
        workload_next_transfer(&w, &r, &t);
        assert_int_equal(t.amount, 0);
        assert_true(t.fraction == 0.25);
        assert_int_not_equal(t.from, t.to);
    }
}

static void every_form_parses(void **state)
{
    (void)state;
    struct skew k;
    assert_int_equal(workload_parse_skew("uniform", &k, err, sizeof err), 0);
    assert_int_equal(k.kind, SKEW_UNIFORM);
    assert_int_equal(workload_parse_skew("hot:7", &k, err, sizeof err), 0);
    assert_int_equal(k.kind, SKEW_HOT);
    assert_int_equal(k.hot, 7);
    assert_int_equal(workload_parse_skew("hotspot:5:0.25", &k, err, sizeof err), 0);
    assert_int_equal(k.kind, SKEW_HOTSPOT);
    assert_int_equal(k.hot, 5);
    assert_true(k.hot_probability == 0.25);
    assert_int_equal(workload_parse_skew("hotspot:2:1", &k, err, sizeof err), 0);
    assert_true(k.hot_probability == 1);
    assert_int_equal(workload_parse_skew("zipf:1.2", &k, err, sizeof err), 0);
    assert_int_equal(k.kind, SKEW_ZIPF);
    assert_true(k.zipf_s == 1.2);
}

/* Parsing fails, leaves out alone, and says so in one line naming the input. */
static void expect_parse_error(const char *input, const char *needle)
{
    struct skew k = {.kind = SKEW_HOT, .hot = 42};
    err[0] = '\0';
    assert_int_equal(workload_parse_skew(input, &k, err, sizeof err), -1);
    assert_int_equal(k.kind, SKEW_HOT);
    assert_int_equal(k.hot, 42);
    if (strncmp(err, "--skew: ", 8) != 0) fail_msg("'%s' does not start with --skew: ", err);
    if (strstr(err, needle) == NULL) fail_msg("error '%s' does not mention '%s'", err, needle);
    assert_null(strchr(err, '\n'));
}

static void bad_skews_are_refused(void **state)
{
    (void)state;
    expect_parse_error("zipf:", "'zipf:'");
    expect_parse_error("zipf:0", "'zipf:0'");
    expect_parse_error("zipf:-1", "above 0");
    expect_parse_error("zipf:x", "'zipf:x'");
    expect_parse_error("zipf:nan", "not a number");
    expect_parse_error("zipf:inf", "not a number");
    expect_parse_error("zipf:1.0x", "not a number");
    expect_parse_error("hot:1", "at least 2");
    expect_parse_error("hot:abc", "'hot:abc'");
    expect_parse_error("hot:", "not a whole number");
    expect_parse_error("hot:-3", "not a whole number");
    expect_parse_error("hot:99999999999999999999", "not a whole number");
    expect_parse_error("hotspot:5", "hotspot:K:P");
    expect_parse_error("hotspot:5:1.5", "[0, 1]");
    expect_parse_error("hotspot:5:-0.1", "[0, 1]");
    expect_parse_error("hotspot:1:0.5", "at least 2");
    expect_parse_error("hotspot::0.5", "not a whole number");
    expect_parse_error("hotspot:5:", "P is not a number");
    expect_parse_error("bogus", "'bogus'");
    expect_parse_error("", "empty");
    expect_parse_error("Uniform", "unknown");
}

/* workload_init fails with exactly this one line. */
static void expect_init_error(struct workload_config w, const char *message)
{
    err[0] = '\0';
    assert_int_equal(workload_init(&w, err, sizeof err), -1);
    assert_string_equal(err, message);
}

static void init_checks_against_the_bank(void **state)
{
    (void)state;
    struct workload_config w = {.accounts = 20, .amount_lo = 1, .amount_hi = 100};
    w.skew = (struct skew){.kind = SKEW_HOT, .hot = 50};
    expect_init_error(w, "--skew: hot set 50 is larger than the bank (20 accounts)");
    w.skew = (struct skew){.kind = SKEW_HOT, .hot = 1};
    expect_init_error(w, "--skew: hot set 1 is too small; a transfer needs 2");
    w.skew = (struct skew){.kind = SKEW_HOTSPOT, .hot = 19, .hot_probability = 0.5};
    expect_init_error(
        w, "--skew: hot set 19 leaves 1 account of 20 outside it; hotspot needs at least 2 there");
    w.skew = (struct skew){.kind = SKEW_HOTSPOT, .hot = 30, .hot_probability = 0.5};
    expect_init_error(
        w, "--skew: hot set 30 leaves 0 accounts of 20 outside it; hotspot needs at least 2 there");
    w.skew = (struct skew){.kind = SKEW_HOTSPOT, .hot = 5, .hot_probability = 1.5};
    expect_init_error(w, "--skew: hot probability 1.5 is not in [0, 1]");
    w.skew = (struct skew){.kind = SKEW_ZIPF, .zipf_s = 0};
    expect_init_error(w, "--skew: zipf exponent 0 must be a number above 0");
    w.skew = (struct skew){.kind = SKEW_UNIFORM};
    w.accounts = 1;
    expect_init_error(w, "--skew: the bank has 1 account; a transfer needs 2");
    w.skew = (struct skew){.kind = SKEW_ZIPF, .zipf_s = 1};
    expect_init_error(w, "--skew: the bank has 1 account; a transfer needs 2");

    /* The edges that are allowed. */
    w.accounts = 20;
    w.skew = (struct skew){.kind = SKEW_HOT, .hot = 20};
    assert_int_equal(workload_init(&w, err, sizeof err), 0);
    w.skew = (struct skew){.kind = SKEW_HOTSPOT, .hot = 18, .hot_probability = 0};
    assert_int_equal(workload_init(&w, err, sizeof err), 0);
    w.accounts = 2;
    w.skew = (struct skew){.kind = SKEW_UNIFORM};
    assert_int_equal(workload_init(&w, err, sizeof err), 0);

    w.accounts = 20;
    w.amount_mode = AMOUNT_FRACTION;
    w.amount_fraction = 0;
    expect_init_error(w, "--amount-fraction: 0 is not in (0, 1]");
    w.amount_fraction = 1.5;
    expect_init_error(w, "--amount-fraction: 1.5 is not in (0, 1]");
    w.amount_fraction = 1;
    assert_int_equal(workload_init(&w, err, sizeof err), 0);
    w.amount_mode = AMOUNT_RANGE;
    w.amount_lo = 7;
    w.amount_hi = 3;
    expect_init_error(w, "--amount: low end 7 is above high end 3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uniform_covers_the_bank_with_distinct_ids),
        cmocka_unit_test(hot_pairs_are_distinct_and_uniform),
        cmocka_unit_test(hotspot_hits_the_hot_set_with_probability_p),
        cmocka_unit_test(zipf_matches_the_exact_distribution),
        cmocka_unit_test(zipf_stays_in_range_for_extreme_parameters),
        cmocka_unit_test(zipf_transfers_are_distinct_even_when_s_is_huge),
        cmocka_unit_test(fraction_mode_carries_the_fraction),
        cmocka_unit_test(every_form_parses),
        cmocka_unit_test(bad_skews_are_refused),
        cmocka_unit_test(init_checks_against_the_bank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
