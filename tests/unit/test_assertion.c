/* --assert parsing (every metric, operator and unit; every kind of bad input) and judging. */
#include "txstorm/assertion.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct assertion parse_ok(const char *s)
{
    struct assertion a;
    char err[256] = "";
    if (assertion_parse(s, &a, err, sizeof err) != 0) fail_msg("'%s' refused: %s", s, err);
    return a;
}

static const char *const all_metrics[METRIC_COUNT] = {
    "p50",       "p90",          "p95",     "p99",         "p999",
    "max",       "mean",         "tps",     "committed",   "failed",
    "ambiguous", "insufficient", "retries", "failed_rate", "retry_rate",
    "client_saturated", "loop_busy", "recover_s", "reconnect_s"};

static void every_metric_and_operator_parses(void **state)
{
    (void)state;
    const char *const ops[] = {"<", "<=", ">", ">="};
    for (int m = 0; m < METRIC_COUNT; m++) {
        for (int op = 0; op < 4; op++) {
            char s[64];
            bool latency = m <= METRIC_MEAN;
            snprintf(s, sizeof s, "%s%s%s", all_metrics[m], ops[op], latency ? "12ms" : "12");
            struct assertion a = parse_ok(s);
            assert_int_equal(a.metric, m);
            assert_int_equal(a.op, op);
            assert_true(a.threshold == (latency ? 12000.0 : 12.0));
            assert_string_equal(a.text, s);
        }
    }
}

static void thresholds_are_kept_in_microseconds(void **state)
{
    (void)state;
    const struct {
        const char *s;
        double threshold;
    } cases[] = {
        {"p99<50ms", 50000},        {"p50<=2.5ms", 2500},         {"max<1s", 1000000},
        {"mean>=750us", 750},       {"p999 < 0.1 ms", 100},       {"  p90>=.5s  ", 500000},
        {"p95<3.ms", 3000},         {"p99<0.000001s", 1},         {"tps>500", 500},
        {"failed_rate<0.01", 0.01}, {"retry_rate <= 1.25", 1.25}, {"committed>=0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct assertion a = parse_ok(cases[i].s);
        if (a.threshold != cases[i].threshold)
            fail_msg("'%s': %.17g, not %.17g", cases[i].s, a.threshold, cases[i].threshold);
    }
}

/* Below, at and above the threshold, for each operator. */
static void holds_at_the_boundaries(void **state)
{
    (void)state;
    const struct {
        const char *s;
        bool below, at, above;
    } cases[] = {
        {"tps<100", true, false, false},
        {"tps<=100", true, true, false},
        {"tps>100", false, false, true},
        {"tps>=100", false, true, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct assertion a = parse_ok(cases[i].s);
        struct assert_figures f = {{0}};
        f.value[METRIC_TPS] = nextafter(100.0, 0.0);
        assert_int_equal(assertion_holds(&a, &f), cases[i].below);
        f.value[METRIC_TPS] = 100.0;
        assert_int_equal(assertion_holds(&a, &f), cases[i].at);
        f.value[METRIC_TPS] = nextafter(100.0, 200.0);
        assert_int_equal(assertion_holds(&a, &f), cases[i].above);
    }
}

static void latencies_compare_in_microseconds_and_show_in_milliseconds(void **state)
{
    (void)state;
    struct assertion a = parse_ok("p99<50ms");
    struct assert_figures f = {{0}};
    f.value[METRIC_P99] = 49999;
    f.value[METRIC_P50] = 1e9; /* other figures do not count */
    assert_true(assertion_holds(&a, &f));
    assert_true(fabs(assertion_measured(&a, &f) - 49.999) < 1e-12);
    f.value[METRIC_P99] = 50000;
    assert_false(assertion_holds(&a, &f));

    struct assertion r = parse_ok("failed_rate<0.01");
    f.value[METRIC_FAILED_RATE] = 0.02;
    assert_false(assertion_holds(&r, &f));
    assert_true(assertion_measured(&r, &f) == 0.02);

    f.value[METRIC_P99] = NAN; /* nothing measured holds nothing */
    assert_false(assertion_holds(&a, &f));
}

static void long_text_is_truncated(void **state)
{
    (void)state;
    char s[200];
    snprintf(s, sizeof s, "tps%120s>5", "");
    struct assertion a = parse_ok(s);
    assert_int_equal(strlen(a.text), sizeof a.text - 1);
    assert_memory_equal(a.text, s, sizeof a.text - 1);
}

static const struct {
    const char *s;
    const char *message; /* a part of the error after the prefix */
} bad_inputs[] = {
    {"", "empty"},
    {"   ", "empty"},
    {"p98<5ms", "unknown metric 'p98' (p50, p90, p95, p99, p999, max, mean, tps, committed, "
                "failed, ambiguous, insufficient, retries, failed_rate, retry_rate, "
                "client_saturated, loop_busy, recover_s, reconnect_s)"},
    {"P99<5ms", "unknown metric 'P99'"},
    {"p99.9<5ms", "unknown metric 'p99.9'"},
    {"latency<5ms", "unknown metric 'latency'"},
    {"<5ms", "missing metric"},
    {"p99", "missing operator after p99"},
    {"p99 50ms", "missing operator after p99"},
    {"p99=50ms", "unknown operator '='"},
    {"p99==50ms", "unknown operator '=='"},
    {"p99=<50ms", "unknown operator '=<'"},
    {"p99<<50ms", "unknown operator '<<'"},
    {"p99!=50ms", "unknown operator '!='"},
    {"p99 < = 50ms", "bad number '='"},
    {"p99<", "missing threshold after '<'"},
    {"tps >=  ", "missing threshold after '>='"},
    {"p99<abc", "bad number 'abc'"},
    {"p99<-5ms", "bad number '-5ms'"},
    {"tps>-1", "bad number '-1'"},
    {"tps>+1", "bad number '+1'"},
    {"p99<1.2.3ms", "bad number '1.2.3ms'"},
    {"p99<.ms", "bad number '.ms'"},
    {"p99<nan", "bad number 'nan'"},
    {"p99<NaNms", "bad number 'NaNms'"},
    {"p99<infms", "bad number 'infms'"},
    {"tps>inf", "bad number 'inf'"},
    {"tps>nan", "bad number 'nan'"},
    {"tps>Infinity", "bad number 'Infinity'"},
    {"p99<50", "p99 needs a duration with a unit (us, ms, s)"},
    {"mean < 2.5", "mean needs a duration with a unit (us, ms, s)"},
    {"p99<50xs", "unknown unit 'xs' for p99 (us, ms, s)"},
    {"p99<50 min", "unknown unit 'min' for p99"},
    {"p99<50%", "unknown unit '%' for p99"},
    {"p99<1e3ms", "bad number '1e3ms'"},
    {"tps>500ms", "tps takes a plain number, not a duration ('ms')"},
    {"failed_rate<0.01s", "failed_rate takes a plain number, not a duration ('s')"},
    {"tps>1e3", "bad number '1e3'"},
    {"tps>0x10", "bad number '0x10'"},
    {"p99<0x1p-1s", "bad number '0x1p-1s'"},
    {"tps>500 %", "unexpected '%' after the threshold"},
    {"failed_rate<1%", "unexpected '%' after the threshold"},
    {"p99<50ms junk", "unexpected 'junk' after the threshold"},
    {"p99<50ms,p95<10ms", "unexpected ',p95<10ms' after the threshold"},
    {"tps>5 0", "unexpected '0' after the threshold"},
    {"tps>"
     "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
     "too many digits"},
};

static void bad_inputs_are_refused_with_the_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        struct assertion a = {.metric = METRIC_TPS, .threshold = 42};
        char err[512] = "";
        if (assertion_parse(bad_inputs[i].s, &a, err, sizeof err) != -1)
            fail_msg("'%s' accepted", bad_inputs[i].s);
        char prefix[160];
        snprintf(prefix, sizeof prefix, "--assert '%s': ", bad_inputs[i].s);
        if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, bad_inputs[i].message) == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", bad_inputs[i].s, err, bad_inputs[i].message);
        assert_null(strchr(err, '\n'));
        assert_true(a.threshold == 42); /* untouched on failure */
    }
}

static void the_documented_example_message(void **state)
{
    (void)state;
    struct assertion a;
    char err[256];
    assert_int_equal(assertion_parse("p99<50", &a, err, sizeof err), -1);
    assert_string_equal(err, "--assert 'p99<50': p99 needs a duration with a unit (us, ms, s)");
    assert_int_equal(assertion_parse(NULL, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_metric_and_operator_parses),
        cmocka_unit_test(thresholds_are_kept_in_microseconds),
        cmocka_unit_test(holds_at_the_boundaries),
        cmocka_unit_test(latencies_compare_in_microseconds_and_show_in_milliseconds),
        cmocka_unit_test(long_text_is_truncated),
        cmocka_unit_test(bad_inputs_are_refused_with_the_reason),
        cmocka_unit_test(the_documented_example_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
