/* JUnit XML for CI systems: one test case per invariant the check judged
 * (or skipped) and one per --assert, the measured figure in each failure's
 * message. Pure: the caller gathers the figures and writes the file.
 *
 * The format is the Ant/Jenkins one that CI systems read (testsuites ›
 * testsuite › testcase with failure, error or skipped). Text is escaped for
 * XML 1.0 (markup.h). */
#ifndef TXSTORM_JUNIT_H
#define TXSTORM_JUNIT_H

#include "txstorm/assertion.h"
#include "txstorm/checker.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum junit_verdict { JUNIT_PASS, JUNIT_FAIL, JUNIT_SKIP, JUNIT_ERROR };

enum junit_suite { JUNIT_INVARIANTS, JUNIT_ASSERTIONS, JUNIT_SUITE_COUNT };

struct junit_case {
    enum junit_suite suite;
    char name[96];
    enum junit_verdict verdict;
    char message[512]; /* why it failed, erred or was skipped; "" for a pass */
};

/* The six invariants, and every assertion a command may take. */
#define JUNIT_MAX_CASES (6 + 64)

struct junit_report {
    const char *name;          /* the suites' prefix, e.g. "txstorm run" */
    int64_t timestamp_unix_us; /* when the measured span began (or the check ran) */
    double time_s;             /* the measured span; 0 for a check */
    struct junit_case cases[JUNIT_MAX_CASES];
    int n_cases;
};

/* Starts an empty report. */
void junit_init(struct junit_report *r, const char *name, int64_t timestamp_unix_us, double time_s);

/* Adds a case per invariant, from the check's rows (check_rows.h): passed,
 * failed with each failing row's figures and reason, or skipped with why it
 * was not judged. c NULL: the check could not run (one error case). */
void junit_add_check(struct junit_report *r, const struct check_result *c);

/* Adds a case per assertion, judged against the figures. */
void junit_add_assertions(struct junit_report *r, const struct assertion *a, int n,
                          const struct assert_figures *f);

/* How many cases of suite (JUNIT_SUITE_COUNT: all) have the verdict. */
int junit_count(const struct junit_report *r, enum junit_suite suite, enum junit_verdict v);

/* Writes the report as XML (report: const struct junit_report *); 0, or -1
 * when the stream failed. Its signature is outfile_write's writer's. */
int junit_write_to(FILE *out, const void *report);

#endif
