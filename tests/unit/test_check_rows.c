/* check_rows: the rows of a check, and the renderings that must name each of them. */
#include "cmocka_prelude.h"
#include "txstorm/check_rows.h"
#include "txstorm/junit.h"
#include "txstorm/plot.h"
#include "txstorm/report.h"

#include <stdlib.h>
#include <string.h>

/* A bank of 50 accounts and 5000 that holds; a test breaks what it needs. */
static struct check_result holding(void)
{
    return (struct check_result){.ok = true,
                                 .accounts_ok = true,
                                 .total_ok = true,
                                 .negative_ok = true,
                                 .accounts_expected = 50,
                                 .accounts_actual = 50,
                                 .min_id = 1,
                                 .max_id = 50,
                                 .total_expected = 5000,
                                 .total_actual = 5000};
}

/* The rows of c, indexed by id (the rows come in the ids' order). */
static void rows_of(const struct check_result *c, struct check_row *rows)
{
    assert_int_equal(check_rows(c, rows, CHECK_ROWS_MAX), CHECK_ROWS_MAX);
    for (int id = 0; id < CHECK_INVARIANT_COUNT; id++)
        assert_int_equal(rows[id].invariant, id);
}

static void a_passing_check(void **state)
{
    (void)state;
    struct check_result c = holding();
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    assert_string_equal(rows[CHECK_CONSERVATION].label, "conservation (total)");
    for (int id = CHECK_ACCOUNTS; id <= CHECK_NO_OVERDRAFT; id++) {
        assert_int_equal(rows[id].verdict, CHECK_PASS);
        assert_string_equal(rows[id].reason, "");
    }
    assert_int_equal(rows[CHECK_ACCOUNTS].expected, 50);
    assert_int_equal(rows[CHECK_CONSERVATION].actual, 5000);
    /* What was not asked for says what it needs. */
    assert_int_equal(rows[CHECK_BALANCES].verdict, CHECK_NOT_RUN);
    assert_string_equal(rows[CHECK_BALANCES].reason, "needs --ledger");
    for (int id = CHECK_LEDGER_ACKED; id <= CHECK_LEDGER_INVENTED; id++)
        assert_int_equal(rows[id].verdict, CHECK_NOT_RUN);
    assert_int_equal(rows[CHECK_AUDITOR].verdict, CHECK_NOT_RUN);
    assert_string_equal(rows[CHECK_AUDITOR].reason, "needs --audit-every");
    assert_string_equal(check_summary(&c), "PASS, all invariants hold");
}

static void a_failing_conservation(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.total_actual = 5007;
    c.total_ok = c.ok = false;
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    const struct check_row *r = &rows[CHECK_CONSERVATION];
    assert_int_equal(r->verdict, CHECK_FAIL);
    assert_int_equal(r->expected, 5000);
    assert_int_equal(r->actual, 5007);
    assert_string_equal(r->reason, "off by +7");
    assert_int_equal(rows[CHECK_ACCOUNTS].verdict, CHECK_PASS);
    assert_string_equal(check_summary(&c), "FAIL, invariant violated");
}

static void missing_accounts_name_their_ids(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.accounts_actual = 48;
    c.min_id = 3;
    c.accounts_ok = c.ok = false;
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    assert_string_equal(rows[CHECK_ACCOUNTS].reason, "ids 3..50");
    /* No rows, no ids. */
    c.accounts_actual = 0;
    rows_of(&c, rows);
    assert_int_equal(rows[CHECK_ACCOUNTS].verdict, CHECK_FAIL);
    assert_string_equal(rows[CHECK_ACCOUNTS].reason, "");
}

static void an_allowed_overdraft(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.allow_overdraft = true;
    c.negative_accounts = 7;
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    const struct check_row *r = &rows[CHECK_NO_OVERDRAFT];
    assert_int_equal(r->verdict, CHECK_ALLOWED);
    assert_int_equal(r->actual, 7);
    assert_string_equal(r->reason, "--allow-overdraft (7 accounts negative)");
    assert_string_equal(check_verdict_word(r->verdict), "allowed");
}

static void a_ledger_with_lost_transfers(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.balances_checked = c.balances_ok = true;
    c.ledger_checked = true;
    c.ledger_ok = c.ok = false;
    c.acked = 500;
    c.acked_found = 498;
    c.lost = 2;
    c.first_lost = 41;
    c.first_duplicated = c.first_invented = -1;
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    assert_int_equal(rows[CHECK_BALANCES].verdict, CHECK_PASS);
    const struct check_row *acked = &rows[CHECK_LEDGER_ACKED], *lost = &rows[CHECK_LEDGER_LOST];
    assert_int_equal(acked->verdict, CHECK_FAIL);
    assert_false(acked->detail);
    assert_int_equal(acked->expected, 500);
    assert_int_equal(acked->actual, 498);
    assert_int_equal(lost->verdict, CHECK_FAIL);
    assert_true(lost->detail);
    assert_int_equal(lost->actual, 2);
    assert_string_equal(lost->reason, "e.g. transfer 41");
    assert_int_equal(rows[CHECK_LEDGER_DUPLICATED].verdict, CHECK_PASS);
    assert_true(rows[CHECK_LEDGER_DUPLICATED].detail);
    assert_int_equal(rows[CHECK_LEDGER_INVENTED].verdict, CHECK_PASS);
    /* Conservation holds: whole transfers were lost. */
    assert_int_equal(rows[CHECK_CONSERVATION].verdict, CHECK_PASS);
}

static void balances_skipped_by_a_run_without_ledger(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.balances_skipped = true;
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    assert_int_equal(rows[CHECK_BALANCES].verdict, CHECK_SKIPPED);
    assert_string_equal(rows[CHECK_BALANCES].reason,
                        "a run without --ledger moved money since init");
}

static void an_audit(void **state)
{
    (void)state;
    struct check_result c = holding();
    c.audited = true;
    c.audit = (struct audit_summary){.expected_total = 5000, .readings = 40};
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    assert_int_equal(rows[CHECK_AUDITOR].verdict, CHECK_PASS);
    assert_int_equal(rows[CHECK_AUDITOR].expected, 40);
    assert_string_equal(rows[CHECK_AUDITOR].actual_unit, "violating");
    c.ok = false;
    c.audit.violations = c.audit.wrong_total = 5;
    c.audit.wrong_worst = (struct audit_reading){.t_us = 1234000, .total = 4900};
    c.audit.negative_value = 1;
    c.audit.negative_worst = (struct audit_reading){.t_us = 1500000, .total = 5000, .negative = 2};
    rows_of(&c, rows);
    const struct check_row *r = &rows[CHECK_AUDITOR];
    assert_int_equal(r->verdict, CHECK_FAIL);
    assert_int_equal(r->actual, 5);
    assert_string_equal(r->reason, "wrong total in 5, worst 4900 at 1.234 s; negative balances "
                                   "in 1, worst 2 accounts at 1.500 s");
}

static void fewer_rows_when_asked_for_fewer(void **state)
{
    (void)state;
    struct check_result c = holding();
    struct check_row rows[2];
    assert_int_equal(check_rows(&c, rows, 2), 2);
    assert_int_equal(rows[1].invariant, CHECK_CONSERVATION);
}

static void labels_are_one_name_each(void **state)
{
    (void)state;
    struct check_result c = holding();
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    for (int i = 0; i < CHECK_INVARIANT_COUNT; i++) {
        assert_non_null(rows[i].label);
        assert_true(rows[i].label[0] != '\0');
        for (int j = 0; j < i; j++)
            assert_true(strcmp(rows[i].label, rows[j].label) != 0);
    }
}

/* A bank where every invariant was checked and every one fails, so that each
 * rendering has every row to show. */
static struct check_result all_failing(void)
{
    struct check_result c = holding();
    c.ok = c.accounts_ok = c.total_ok = c.negative_ok = false;
    c.accounts_actual = 48;
    c.min_id = 3;
    c.total_actual = 5007;
    c.negative_accounts = 3;
    c.balances_checked = true;
    c.balance_mismatches = 2;
    c.ledger_checked = true;
    c.acked = 500;
    c.acked_found = 498;
    c.lost = 2;
    c.duplicated = 1;
    c.invented_failed = 2;
    c.invented_unknown = 1;
    c.audited = true;
    c.audit = (struct audit_summary){
        .expected_total = 5000, .readings = 40, .violations = 5, .wrong_total = 5};
    return c;
}

static void junit_render(FILE *out, const struct check_result *c)
{
    static struct junit_report r; /* large */
    junit_init(&r, "txstorm check", 0, 0);
    junit_add_check(&r, c);
    assert_int_equal(junit_write_to(out, &r), 0);
}

static void html_render(FILE *out, const struct check_result *c)
{
    static struct run_summary s;
    memset(&s, 0, sizeof s);
    s.check_done = true;
    s.check = *c;
    struct plot_result r = {.label = "run.json", .s = &s};
    const char *svgs[CHART_COUNT] = {0};
    assert_int_equal(plot_write_html(out, &r, 1, NULL, svgs), 0);
}

static void text_render(FILE *out, const struct check_result *c)
{
    report_print_check(out, c, NULL, "check");
}

/* What a rendering wrote, as a string (caller frees). */
static char *rendered(void (*render)(FILE *, const struct check_result *),
                      const struct check_result *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    render(out, c);
    assert_int_equal(fclose(out), 0);
    return text;
}

/* No rendering may leave a row out: a new invariant shows everywhere or this fails.
 * (The labels hold nothing that XML or HTML escapes.) */
static void every_rendering_names_every_row(void **state)
{
    (void)state;
    struct check_result c = all_failing();
    struct check_row rows[CHECK_ROWS_MAX];
    rows_of(&c, rows);
    void (*const render[])(FILE *, const struct check_result *) = {text_render, junit_render,
                                                                   html_render};
    const char *const names[] = {"text", "JUnit", "HTML"};
    for (size_t k = 0; k < sizeof render / sizeof render[0]; k++) {
        char *out = rendered(render[k], &c);
        for (int i = 0; i < CHECK_INVARIANT_COUNT; i++)
            if (strstr(out, rows[i].label) == NULL)
                fail_msg("the %s rendering lacks '%s':\n%s", names[k], rows[i].label, out);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_passing_check),
        cmocka_unit_test(a_failing_conservation),
        cmocka_unit_test(missing_accounts_name_their_ids),
        cmocka_unit_test(an_allowed_overdraft),
        cmocka_unit_test(a_ledger_with_lost_transfers),
        cmocka_unit_test(balances_skipped_by_a_run_without_ledger),
        cmocka_unit_test(an_audit),
        cmocka_unit_test(fewer_rows_when_asked_for_fewer),
        cmocka_unit_test(labels_are_one_name_each),
        cmocka_unit_test(every_rendering_names_every_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
