/* JUnit XML: the check's invariants and the --assert gates as test cases. */
#include "txstorm/junit.h"
#include "txstorm/check_rows.h"
#include "txstorm/markup.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *const suite_names[JUNIT_SUITE_COUNT] = {
    [JUNIT_INVARIANTS] = "invariants",
    [JUNIT_ASSERTIONS] = "assertions",
};

void junit_init(struct junit_report *r, const char *name, int64_t timestamp_unix_us, double time_s)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->timestamp_unix_us = timestamp_unix_us;
    r->time_s = time_s;
}

__attribute__((format(printf, 5, 6))) static void add(struct junit_report *r,
                                                      enum junit_suite suite, const char *name,
                                                      enum junit_verdict v, const char *fmt, ...)
{
    if (r->n_cases == JUNIT_MAX_CASES) return;
    struct junit_case *c = &r->cases[r->n_cases++];
    c->suite = suite;
    c->verdict = v;
    snprintf(c->name, sizeof c->name, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
}

static enum junit_verdict verdict(bool ok) { return ok ? JUNIT_PASS : JUNIT_FAIL; }

/* CI tracks a test case by its name, and these names are older than the
 * check's rows: each row keeps its case's name through its id, and the
 * ledger's transfer rows share one case. */
static const char *const case_names[CHECK_INVARIANT_COUNT] = {
    [CHECK_ACCOUNTS] = "accounts (ids 1..N)",
    [CHECK_CONSERVATION] = "conservation (total)",
    [CHECK_NO_OVERDRAFT] = "no overdraft",
    [CHECK_BALANCES] = "ledger: balances",
    [CHECK_LEDGER_ACKED] = "ledger: acknowledged transfers",
    [CHECK_LEDGER_LOST] = "ledger: acknowledged transfers",
    [CHECK_LEDGER_DUPLICATED] = "ledger: acknowledged transfers",
    [CHECK_LEDGER_INVENTED] = "ledger: acknowledged transfers",
    [CHECK_AUDITOR] = "auditor",
};

/* Appends to a case's message, bounded by it. */
__attribute__((format(printf, 2, 3))) static void append(struct junit_case *c, const char *fmt, ...)
{
    size_t used = strlen(c->message);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message + used, sizeof c->message - used, fmt, ap);
    va_end(ap);
}

/* A failing row's figures; its label too where the case is named otherwise. */
static void append_failure(struct junit_case *c, const struct check_row *row)
{
    if (c->message[0]) append(c, "; ");
    if (strcmp(row->label, c->name) != 0) append(c, "%s: ", row->label);
    append(c, "expected %lld, actual %lld%s%s", (long long)row->expected, (long long)row->actual,
           row->actual_unit ? " " : "", row->actual_unit ? row->actual_unit : "");
    /* A reason that is already an aside is not wrapped again. */
    if (row->reason[0]) append(c, row->reason[0] == '(' ? " %s" : " (%s)", row->reason);
}

/* Folds a row into its case: a failing row fails it, and one not judged
 * skips a case that nothing failed. */
static void add_row(struct junit_case *c, const struct check_row *row)
{
    switch (row->verdict) {
    case CHECK_PASS:
        break;
    case CHECK_FAIL:
        if (c->verdict != JUNIT_FAIL) c->message[0] = '\0';
        c->verdict = JUNIT_FAIL;
        append_failure(c, row);
        break;
    case CHECK_ALLOWED:
        if (c->verdict != JUNIT_PASS) break;
        c->verdict = JUNIT_SKIP;
        snprintf(c->message, sizeof c->message, "not judged: %s", row->reason);
        break;
    case CHECK_SKIPPED:
    case CHECK_NOT_RUN:
        if (c->verdict != JUNIT_PASS) break;
        c->verdict = JUNIT_SKIP;
        snprintf(c->message, sizeof c->message, "not checked: %s", row->reason);
        break;
    }
}

void junit_add_check(struct junit_report *r, const struct check_result *c)
{
    if (c == NULL) {
        add(r, JUNIT_INVARIANTS, "check", JUNIT_ERROR, "%s",
            "the check did not run: the database could not be read");
        return;
    }
    struct check_row rows[CHECK_ROWS_MAX];
    size_t n = check_rows(c, rows, CHECK_ROWS_MAX);
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        /* An invariant newer than the names is a case under its label. */
        const char *name =
            case_names[rows[i].invariant] ? case_names[rows[i].invariant] : rows[i].label;
        /* The rows of a shared case are adjacent. */
        if (last == NULL || strcmp(name, last) != 0) {
            int before = r->n_cases;
            add(r, JUNIT_INVARIANTS, name, JUNIT_PASS, "%s", "");
            if (r->n_cases == before) return; /* full */
            last = name;
        }
        add_row(&r->cases[r->n_cases - 1], &rows[i]);
    }
}

void junit_add_assertions(struct junit_report *r, const struct assertion *a, int n,
                          const struct assert_figures *f)
{
    /* A pass keeps its figure too: the writer shows it as the case's output. */
    for (int i = 0; i < n; i++) {
        bool ok = assertion_holds(&a[i], f);
        double measured = assertion_measured(&a[i], f);
        if (isnan(measured))
            add(r, JUNIT_ASSERTIONS, a[i].text, verdict(ok), "no data: %s",
                assertion_no_data(a[i].metric));
        else
            add(r, JUNIT_ASSERTIONS, a[i].text, verdict(ok), "measured %g%s%s", measured,
                *assertion_unit(a[i].metric) ? " " : "", assertion_unit(a[i].metric));
    }
}

int junit_count(const struct junit_report *r, enum junit_suite suite, enum junit_verdict v)
{
    int n = 0;
    for (int i = 0; i < r->n_cases; i++)
        if ((suite == JUNIT_SUITE_COUNT || r->cases[i].suite == suite) && r->cases[i].verdict == v)
            n++;
    return n;
}

static void put_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    markup_put_escaped(out, value);
    fputc('"', out);
}

static void put_suite(FILE *out, const struct junit_report *r, enum junit_suite suite)
{
    int tests = 0;
    for (int i = 0; i < r->n_cases; i++)
        tests += r->cases[i].suite == suite;
    if (tests == 0) return;
    char name[160], stamp[32] = "1970-01-01T00:00:00";
    snprintf(name, sizeof name, "%s: %s", r->name, suite_names[suite]);
    time_t t = (time_t)(r->timestamp_unix_us / 1000000);
    struct tm tm;
    if (r->timestamp_unix_us >= 0 && gmtime_r(&t, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(out, "  <testsuite");
    put_attr(out, "name", name);
    fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"", tests,
            junit_count(r, suite, JUNIT_FAIL), junit_count(r, suite, JUNIT_ERROR),
            junit_count(r, suite, JUNIT_SKIP), r->time_s);
    fprintf(out, " timestamp=\"%s\">\n", stamp);
    for (int i = 0; i < r->n_cases; i++) {
        const struct junit_case *c = &r->cases[i];
        if (c->suite != suite) continue;
        fprintf(out, "    <testcase");
        put_attr(out, "name", c->name);
        fprintf(out, " classname=\"txstorm.%s\" time=\"0\"", suite_names[suite]);
        switch (c->verdict) {
        case JUNIT_PASS:
            if (c->message[0] == '\0') {
                fprintf(out, "/>\n");
                continue;
            }
            fprintf(out, ">\n      <system-out>");
            markup_put_escaped(out, c->message);
            fprintf(out, "</system-out>\n");
            break;
        case JUNIT_SKIP:
            /* The Jenkins schema gives <skipped> text, no attributes. */
            fprintf(out, ">\n      <skipped>");
            markup_put_escaped(out, c->message);
            fprintf(out, "</skipped>\n");
            break;
        case JUNIT_FAIL:
        case JUNIT_ERROR: {
            const char *element = c->verdict == JUNIT_FAIL ? "failure" : "error";
            fprintf(out, ">\n      <%s", element);
            put_attr(out, "type", suite == JUNIT_INVARIANTS ? "invariant" : "assertion");
            put_attr(out, "message", c->message);
            fputc('>', out);
            markup_put_escaped(out, c->message);
            fprintf(out, "</%s>\n", element);
            break;
        }
        }
        fprintf(out, "    </testcase>\n");
    }
    fprintf(out, "  </testsuite>\n");
}

int junit_write_to(FILE *out, const void *report)
{
    const struct junit_report *r = report;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    put_attr(out, "name", r->name);
    fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", r->n_cases,
            junit_count(r, JUNIT_SUITE_COUNT, JUNIT_FAIL),
            junit_count(r, JUNIT_SUITE_COUNT, JUNIT_ERROR), r->time_s);
    for (int s = 0; s < JUNIT_SUITE_COUNT; s++)
        put_suite(out, r, (enum junit_suite)s);
    fprintf(out, "</testsuites>\n");
    return ferror(out) ? -1 : 0;
}
