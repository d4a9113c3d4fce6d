/* JUnit XML: a case per invariant and per assertion, and the counts in the
 * suites' attributes (the escaping: test_markup). */
#include "txstorm/junit.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *written(const struct junit_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(junit_write_to(f, r), 0);
    fclose(f);
    return text;
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) fail_msg("lacks '%s' in:\n%s", part, text);
}

/* A bank that holds, but for the invariants a test breaks. */
static struct check_result holding(void)
{
    return (struct check_result){.ok = true,
                                 .accounts_ok = true,
                                 .total_ok = true,
                                 .negative_ok = true,
                                 .accounts_expected = 100,
                                 .accounts_actual = 100,
                                 .min_id = 1,
                                 .max_id = 100,
                                 .total_expected = 100000,
                                 .total_actual = 100000};
}

static struct assertion parsed(const char *s)
{
    struct assertion a;
    char err[256];
    if (assertion_parse(s, &a, err, sizeof err) != 0) fail_msg("%s", err);
    return a;
}

static void every_invariant_is_a_case_and_unchecked_ones_are_skipped(void **state)
{
    (void)state;
    struct check_result c = holding();
    struct junit_report r;
    junit_init(&r, "txstorm run", 1764475200000000, 2.5);
    junit_add_check(&r, &c);
    assert_int_equal(r.n_cases, 6);
    assert_int_equal(junit_count(&r, JUNIT_INVARIANTS, JUNIT_PASS), 3);
    assert_int_equal(junit_count(&r, JUNIT_INVARIANTS, JUNIT_SKIP), 3); /* ledger x2, auditor */
    char *xml = written(&r);
    assert_contains(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    assert_contains(xml, "<testsuites name=\"txstorm run\" tests=\"6\" failures=\"0\" "
                         "errors=\"0\" time=\"2.500\">");
    assert_contains(xml, "<testsuite name=\"txstorm run: invariants\" tests=\"6\" failures=\"0\" "
                         "errors=\"0\" skipped=\"3\" time=\"2.500\" "
                         "timestamp=\"2025-11-30T04:00:00\">");
    assert_contains(xml, "<testcase name=\"conservation (total)\" "
                         "classname=\"txstorm.invariants\" time=\"0\"/>");
    assert_contains(xml, "<skipped>not checked: needs --ledger</skipped>");
    /* No assertions, no suite for them. */
    assert_null(strstr(xml, "assertions"));
    free(xml);
}

static void failures_carry_their_figures(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.total_actual = 99990;
    c.total_ok = false;
    c.negative_accounts = 3;
    c.negative_ok = false;
    c.ledger_checked = true;
    c.acked = 500;
    c.acked_found = 498;
    c.lost = 2;
    c.first_lost = 41;
    c.audited = true;
    c.audit = (struct audit_summary){.expected_total = 100000,
                                     .readings = 40,
                                     .violations = 5,
                                     .wrong_total = 5,
                                     .wrong_worst = {.t_us = 1500000, .total = 99900}};
    struct junit_report r;
    junit_init(&r, "txstorm check", 0, 0);
    junit_add_check(&r, &c);
    assert_int_equal(junit_count(&r, JUNIT_SUITE_COUNT, JUNIT_FAIL), 4);
    char *xml = written(&r);
    assert_contains(xml, "failures=\"4\" errors=\"0\" skipped=\"1\"");
    /* Each failing row of the check as its figures and reason; a row named
     * otherwise than its case (check_rows.h) by its label. */
    assert_contains(xml, "<failure type=\"invariant\" message=\"expected 100000, actual 99990 "
                         "(off by -10)\">expected 100000, actual 99990 (off by -10)</failure>");
    assert_contains(xml, "message=\"no overdraft (negatives): expected 0, actual 3\"");
    assert_contains(xml, "message=\"ledger: acknowledged found: expected 500, actual 498; lost "
                         "(acknowledged, absent): expected 0, actual 2 (e.g. transfer 41)\"");
    assert_contains(xml, "message=\"auditor readings: expected 40, actual 5 violating (wrong "
                         "total in 5, worst 99900 at 1.500 s)\"");
    free(xml);
}

static void overdraft_allowed_is_skipped_with_the_count(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.allow_overdraft = true;
    c.negative_accounts = 7;
    struct junit_report r;
    junit_init(&r, "txstorm run", 0, 1);
    junit_add_check(&r, &c);
    char *xml = written(&r);
    assert_contains(xml, "<skipped>not judged: --allow-overdraft (7 accounts negative)</skipped>");
    free(xml);
}

static void a_check_that_did_not_run_is_an_error(void **state)
{
    (void)state;
    struct junit_report r;
    junit_init(&r, "txstorm run", 0, 1);
    junit_add_check(&r, NULL);
    assert_int_equal(r.n_cases, 1);
    char *xml = written(&r);
    assert_contains(xml,
                    "<testsuites name=\"txstorm run\" tests=\"1\" failures=\"0\" errors=\"1\"");
    assert_contains(xml, "<error type=\"invariant\" message=\"the check did not run");
    free(xml);
}

static void assertions_are_cases_with_the_measured_figure(void **state)
{
    (void)state;
    struct assertion a[] = {parsed("p99<50ms"), parsed("tps>1000"), parsed("failed_rate<0.01")};
    struct assert_figures f = {0};
    f.value[METRIC_P99] = 73500; /* us: shown in ms */
    f.value[METRIC_TPS] = 1234.5;
    f.value[METRIC_FAILED_RATE] = NAN;
    struct junit_report r;
    junit_init(&r, "txstorm report", 0, 10);
    struct check_result c = holding();
    c.accounts_actual = 99; /* a deleted account */
    c.max_id = 99;
    c.accounts_ok = false;
    junit_add_check(&r, &c);
    junit_add_assertions(&r, a, 3, &f);
    assert_int_equal(junit_count(&r, JUNIT_ASSERTIONS, JUNIT_PASS), 1);
    assert_int_equal(junit_count(&r, JUNIT_ASSERTIONS, JUNIT_FAIL), 2);
    char *xml = written(&r);
    assert_contains(xml, "<testsuite name=\"txstorm report: assertions\" tests=\"3\" "
                         "failures=\"2\" errors=\"0\" skipped=\"0\"");
    assert_contains(xml, "<testcase name=\"p99&lt;50ms\" classname=\"txstorm.assertions\"");
    assert_contains(xml, "<failure type=\"assertion\" message=\"measured 73.5 ms\">");
    assert_contains(xml, "<testcase name=\"tps&gt;1000\" classname=\"txstorm.assertions\" "
                         "time=\"0\">\n      <system-out>measured 1234.5</system-out>");
    assert_contains(xml, "message=\"no data: ");
    /* Totals over both suites. */
    assert_contains(xml, "<testsuites name=\"txstorm report\" tests=\"9\" failures=\"3\"");
    free(xml);
}

static void a_failed_stream_is_reported(void **state)
{
    (void)state;
    struct junit_report r;
    junit_init(&r, "txstorm run", 0, 1);
    junit_add_check(&r, NULL);
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) skip();
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(junit_write_to(f, &r), -1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_invariant_is_a_case_and_unchecked_ones_are_skipped),
        cmocka_unit_test(failures_carry_their_figures),
        cmocka_unit_test(overdraft_allowed_is_skipped_with_the_count),
        cmocka_unit_test(a_check_that_did_not_run_is_an_error),
        cmocka_unit_test(assertions_are_cases_with_the_measured_figure),
        cmocka_unit_test(a_failed_stream_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
