/* JUnit XML: the check's invariants and the --assert gates as test cases. */
#include "txstorm/junit.h"
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

static void add_ledger(struct junit_report *r, const struct check_result *c)
{
    if (c->balances_checked && c->balances_ok)
        add(r, JUNIT_INVARIANTS, "ledger: balances", JUNIT_PASS, "%s", "");
    else if (c->balances_checked)
        add(r, JUNIT_INVARIANTS, "ledger: balances", JUNIT_FAIL,
            "%lld balances differ from initial + credits - debits in the ledger; first: "
            "account %lld, expected %lld, actual %lld",
            (long long)c->balance_mismatches, (long long)c->first_mismatch_id,
            (long long)c->first_mismatch_expected, (long long)c->first_mismatch_actual);
    else
        add(r, JUNIT_INVARIANTS, "ledger: balances", JUNIT_SKIP, "%s",
            c->balances_skipped ? "not checked: a run without --ledger moved money since init"
                                : "not checked: needs --ledger");
    if (c->ledger_checked && c->ledger_ok)
        add(r, JUNIT_INVARIANTS, "ledger: acknowledged transfers", JUNIT_PASS, "%s", "");
    else if (c->ledger_checked)
        add(r, JUNIT_INVARIANTS, "ledger: acknowledged transfers", JUNIT_FAIL,
            "%lld of %lld acknowledged transfers lost (first: transfer %lld), %lld duplicated, "
            "%lld present though seen to fail, %lld present though not acknowledged",
            (long long)c->lost, (long long)c->acked, (long long)c->first_lost,
            (long long)c->duplicated, (long long)c->invented_failed,
            (long long)c->invented_unknown);
    else
        add(r, JUNIT_INVARIANTS, "ledger: acknowledged transfers", JUNIT_SKIP, "%s",
            "not checked: needs run --ledger (or check --ledger --result RUN.json)");
}

static void add_auditor(struct junit_report *r, const struct check_result *c)
{
    const struct audit_summary *a = &c->audit;
    if (!c->audited) {
        add(r, JUNIT_INVARIANTS, "auditor", JUNIT_SKIP, "%s", "not run: needs --audit-every");
        return;
    }
    if (a->violations == 0) {
        add(r, JUNIT_INVARIANTS, "auditor", JUNIT_PASS, "%s", "");
        return;
    }
    add(r, JUNIT_INVARIANTS, "auditor", JUNIT_FAIL,
        "%lld of %lld readings violated: wrong total in %lld (worst: %lld at %.3f s, expected "
        "%lld), negative balances in %lld (worst: %lld accounts at %.3f s)",
        (long long)a->violations, (long long)a->readings, (long long)a->wrong_total,
        (long long)a->wrong_worst.total, (double)a->wrong_worst.t_us / 1e6,
        (long long)a->expected_total, (long long)a->negative_value,
        (long long)a->negative_worst.negative, (double)a->negative_worst.t_us / 1e6);
}

void junit_add_check(struct junit_report *r, const struct check_result *c)
{
    if (c == NULL) {
        add(r, JUNIT_INVARIANTS, "check", JUNIT_ERROR, "%s",
            "the check did not run: the database could not be read");
        return;
    }
    if (c->accounts_ok)
        add(r, JUNIT_INVARIANTS, "accounts (ids 1..N)", JUNIT_PASS, "%s", "");
    else
        add(r, JUNIT_INVARIANTS, "accounts (ids 1..N)", JUNIT_FAIL,
            "expected %lld accounts with ids 1..%lld, actual %lld with ids %lld..%lld",
            (long long)c->accounts_expected, (long long)c->accounts_expected,
            (long long)c->accounts_actual, (long long)c->min_id, (long long)c->max_id);
    if (c->total_ok)
        add(r, JUNIT_INVARIANTS, "conservation (total)", JUNIT_PASS, "%s", "");
    else
        add(r, JUNIT_INVARIANTS, "conservation (total)", JUNIT_FAIL,
            "expected total %lld, actual %lld (off by %+lld)", (long long)c->total_expected,
            (long long)c->total_actual, (long long)(c->total_actual - c->total_expected));
    if (c->allow_overdraft)
        add(r, JUNIT_INVARIANTS, "no overdraft", JUNIT_SKIP,
            "not judged: --allow-overdraft (%lld accounts negative)",
            (long long)c->negative_accounts);
    else if (c->negative_ok)
        add(r, JUNIT_INVARIANTS, "no overdraft", JUNIT_PASS, "%s", "");
    else
        add(r, JUNIT_INVARIANTS, "no overdraft", JUNIT_FAIL,
            "%lld accounts have a negative balance", (long long)c->negative_accounts);
    add_ledger(r, c);
    add_auditor(r, c);
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
