/* decimal: the one notation of every number in flags and specs. */
#include "txstorm/decimal.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <string.h>

static int parse(const char *s, double *out) { return decimal_parse(s, strlen(s), out); }

static void plain_decimals_are_read(void **state)
{
    (void)state;
    double v;
    assert_int_equal(parse("250", &v), 0);
    assert_true(v == 250);
    assert_int_equal(parse("0.25", &v), 0);
    assert_true(v == 0.25);
    assert_int_equal(parse(".5", &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(parse("5.", &v), 0);
    assert_true(v == 5);
    assert_int_equal(parse("-1.5", &v), 0); /* for the caller's range to refuse */
    assert_true(v == -1.5);
    assert_int_equal(parse("0000000000000000000000000000000000000000000000000000000000007", &v), 0);
    assert_true(v == 7);
    /* Only the first len bytes: a number inside a longer spec. */
    assert_int_equal(decimal_parse("20/s", 2, &v), 0);
    assert_true(v == 20);
}

static void every_other_notation_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {"",    "-",   ".",        "1e3",  "1E3", "1.5e-3", "0x10", "0x1p-1",
                         "inf", "nan", "+5",       " 5",   "5 ",  "1.2.3",  "1..2", "--5",
                         "5-",  "1,5", "infinity", "0X10", "\t1", "5s",     "٥"};
    double v = 42;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i], &v) != -1) fail_msg("'%s' taken as a number", bad[i]);
    assert_true(v == 42); /* left alone */
    int64_t n = 42;
    const char *bad_whole[] = {"", "-", "1.0", "1e3", "0x10", "+1", " 1", "1 "};
    for (size_t i = 0; i < sizeof bad_whole / sizeof bad_whole[0]; i++)
        if (decimal_parse_whole(bad_whole[i], strlen(bad_whole[i]), &n) != -1)
            fail_msg("'%s' taken as a whole number", bad_whole[i]);
    assert_int_equal(n, 42);
}

static void whole_numbers_to_the_ends_of_int64(void **state)
{
    (void)state;
    int64_t n;
    assert_int_equal(decimal_parse_whole("9223372036854775807", 19, &n), 0);
    assert_true(n == INT64_MAX);
    assert_int_equal(decimal_parse_whole("-9223372036854775808", 20, &n), 0);
    assert_true(n == INT64_MIN);
    assert_int_equal(decimal_parse_whole("9223372036854775808", 19, &n), -2);
    assert_int_equal(decimal_parse_whole("-9223372036854775809", 20, &n), -2);
    assert_int_equal(decimal_parse_whole("99999999999999999999999999", 26, &n), -2);
}

static void a_number_beyond_a_double_is_infinite(void **state)
{
    (void)state;
    char big[701];
    memset(big, '9', 700);
    big[700] = '\0';
    double v = 0;
    assert_int_equal(parse(big, &v), 0);
    assert_true(isinf(v) && v > 0);
    /* 1e300 written out is finite; a fraction's far digits do not matter. */
    char e300[302] = "1";
    memset(e300 + 1, '0', 300);
    e300[301] = '\0';
    assert_int_equal(parse(e300, &v), 0);
    assert_true(v > 9.9e299 && v < 1.1e300);
    char tiny[600] = "0.";
    memset(tiny + 2, '0', 590);
    strcpy(tiny + 592, "1");
    assert_int_equal(parse(tiny, &v), 0);
    assert_true(v == 0);
}

static void the_span_a_spec_starts_with(void **state)
{
    (void)state;
    assert_int_equal(decimal_span("1.5s", 4, false), 3);
    assert_int_equal(decimal_span("1.5s", 4, true), 1);
    assert_int_equal(decimal_span("10s+3s", 6, true), 2);
    assert_int_equal(decimal_span("1.2.3", 5, false), 3);
    assert_int_equal(decimal_span(".s", 2, false), 0);
    assert_int_equal(decimal_span("s", 1, false), 0);
    assert_int_equal(decimal_span("-1s", 3, false), 0);
    assert_int_equal(decimal_span("123", 2, true), 2);
}

static void written_back_in_the_same_notation(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0.5, "0.5"},
                 {2000, "2000"},
                 {1e-9, "0.000000001"},
                 {1500000.5, "1500000.5"},
                 {1e9, "1000000000"},
                 {0.1, "0.1"},
                 {1.0 / 3, "0.3333333333333333"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        decimal_format(cases[i].v, out, sizeof out);
        if (strcmp(out, cases[i].text) != 0)
            fail_msg("%.17g written as '%s', not '%s'", cases[i].v, out, cases[i].text);
        double back;
        assert_int_equal(parse(out, &back), 0);
        assert_true(back == cases[i].v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_decimals_are_read),
        cmocka_unit_test(every_other_notation_is_refused),
        cmocka_unit_test(whole_numbers_to_the_ends_of_int64),
        cmocka_unit_test(a_number_beyond_a_double_is_infinite),
        cmocka_unit_test(the_span_a_spec_starts_with),
        cmocka_unit_test(written_back_in_the_same_notation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
