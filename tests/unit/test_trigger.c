/* The --trigger notation: each kind, and bad input refused with one line. */
#include "cmocka_prelude.h"
#include "txstorm/options.h"
#include "txstorm/trigger.h"

#include <stdio.h>
#include <string.h>

static void each_kind_parses(void **state)
{
    (void)state;
    struct trigger t;
    char err[256];
    assert_int_equal(trigger_parse("lock-rows@10s+3s", &t, err, sizeof err), 0);
    assert_int_equal(t.kind, TRIGGER_LOCK_ROWS);
    assert_int_equal(t.at_us, 10000000);
    assert_int_equal(t.span_us, 3000000);
    assert_int_equal(t.rows, 0);
    assert_int_equal(trigger_parse("lock-rows@500ms+2s:25", &t, err, sizeof err), 0);
    assert_int_equal(t.at_us, 500000);
    assert_int_equal(t.rows, 25);
    assert_int_equal(trigger_parse("lock-table@10s+2s", &t, err, sizeof err), 0);
    assert_int_equal(t.kind, TRIGGER_LOCK_TABLE);
    assert_int_equal(trigger_parse("terminate@12s:0.5", &t, err, sizeof err), 0);
    assert_int_equal(t.kind, TRIGGER_TERMINATE);
    assert_int_equal(t.span_us, 0);
    assert_true(t.share == 0.5);
    assert_int_equal(trigger_parse("terminate@0s:1", &t, err, sizeof err), 0);
    assert_int_equal(trigger_parse("spike@10s+5s:2000/s", &t, err, sizeof err), 0);
    assert_int_equal(t.kind, TRIGGER_SPIKE);
    assert_true(t.rate_per_s == 2000);
    assert_int_equal(t.span_us, 5000000);
}

static void spec_text_writes_the_notation_back(void **state)
{
    (void)state;
    const char *const specs[] = {"lock-rows@10s+3s", "lock-rows@1500ms+2s:7", "lock-table@1m+2s",
                                 "terminate@12s:0.5", "spike@10s+5s:2000/s"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct trigger t;
        char err[256], back[64];
        assert_int_equal(trigger_parse(specs[i], &t, err, sizeof err), 0);
        trigger_spec_text(&t, back, sizeof back);
        assert_string_equal(back, strcmp(specs[i], "lock-table@1m+2s") == 0 ? "lock-table@60s+2s"
                                                                          : specs[i]);
    }
}

static const struct {
    const char *s;
    const char *message;
} bad_specs[] = {
    {"lock-rows", "expected KIND@AT[+SPAN][:ARG]"},
    {"lock@10s+3s", "unknown kind 'lock'"},
    {"@10s+3s", "unknown kind ''"},
    {"lock-rows@10+3s", "time '10' is not a duration"},
    {"lock-rows@10s+3", "span '3' is not a duration"},
    {"lock-rows@s+3s", "time 's' is not a duration"},
    {"lock-rows@-1s+3s", "time '-1s' is not a duration"},
    {"lock-rows@10s", "lock-rows needs a span"},
    {"lock-table@10s", "lock-table needs a span"},
    {"lock-rows@10s+0s", "the span is empty"},
    {"lock-rows@99999999999s+1s", "is too long"},
    {"lock-rows@10s+3s:0", "number of rows in 1..1000000"},
    {"lock-rows@10s+3s:x", "number of rows"},
    {"lock-table@10s+3s:5", "lock-table takes no argument"},
    {"terminate@10s", "terminate needs the share"},
    {"terminate@10s+1s:0.5", "terminate is instantaneous"},
    {"terminate@10s:0", "share of the workers in (0,1]"},
    {"terminate@10s:1.5", "share of the workers in (0,1]"},
    {"terminate@10s:-0.5", "share of the workers in (0,1]"},
    {"terminate@10s:half", "share of the workers in (0,1]"},
    {"spike@10s+5s", "spike needs a rate"},
    {"spike@10s+5s:2000", "with its unit"},
    {"spike@10s+5s:0/s", "with its unit"},
    /* Plain decimal only, as every number in flags and specs. */
    {"terminate@1s:0x1p-1", "in plain decimal"},
    {"terminate@1s:1e-9", "in plain decimal"},
    {"terminate@1s:5e-1", "in plain decimal"},
    {"terminate@1s:+0.5", "in plain decimal"},
    {"terminate@1s: 0.5", "in plain decimal"},
    {"terminate@1s:0.5.", "in plain decimal"},
    {"terminate@1s:nan", "in plain decimal"},
    {"spike@1s+1s:0x10/s", "in plain decimal"},
    {"spike@1s+1s:1e3/s", "in plain decimal"},
    {"spike@1s+1s:inf/s", "in plain decimal"},
    {"spike@1s+1s:+5/s", "in plain decimal"},
    {"lock-rows@1s+1s:0x10", "whole number of rows"},
    {"lock-rows@1s+1s:1e3", "whole number of rows"},
    {"lock-rows@1s+1s:5.0", "whole number of rows"},
    {"lock-rows@1e3ms+1s", "time '1e3ms' is not a duration"},
    {"lock-rows@0x10s+1s", "time '0x10s' is not a duration"},
    {"lock-rows@1s+1.5s", "span '1.5s' is not a duration"},
};

static void bad_specs_are_refused_with_one_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
        struct trigger t;
        char err[256] = "";
        if (trigger_parse(bad_specs[i].s, &t, err, sizeof err) != -1)
            fail_msg("'%s' was accepted", bad_specs[i].s);
        if (strstr(err, bad_specs[i].message) == NULL)
            fail_msg("'%s': got \"%s\", wanted \"%s\"", bad_specs[i].s, err, bad_specs[i].message);
        assert_null(strchr(err, '\n'));
        assert_true(strncmp(err, "--trigger '", 11) == 0);
    }
}

static int check(const char *const *specs, int n, int64_t duration_us, bool open_loop, char *err,
                 size_t len)
{
    struct trigger_plan p = {0};
    for (int i = 0; i < n; i++)
        assert_int_equal(trigger_plan_add(&p, specs[i], err, len), 0);
    return trigger_plan_check(&p, duration_us, open_loop, 0, err, len);
}

static void the_plan_is_checked_against_the_run(void **state)
{
    (void)state;
    char err[256];
    const char *fine[] = {"lock-rows@2s+3s", "lock-rows@6s+1s", "terminate@3s:0.5",
                          "terminate@4s:0.5", "lock-table@8s+1s"};
    assert_int_equal(check(fine, 5, 10000000, false, err, sizeof err), 0);
    /* --transactions bounds the run: no end to check against. */
    const char *late[] = {"lock-rows@30s+1s"};
    assert_int_equal(check(late, 1, 0, false, err, sizeof err), 0);
    assert_int_equal(check(late, 1, 30000000, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "starts at or after the run's end"));
    /* Ending after the run's end is allowed: it is judged "no data after". */
    const char *long_one[] = {"lock-rows@25s+10s"};
    assert_int_equal(check(long_one, 1, 30000000, false, err, sizeof err), 0);

    const char *overlap[] = {"lock-rows@2s+3s", "lock-rows@4s+3s"};
    assert_int_equal(check(overlap, 2, 10000000, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "'lock-rows@4s+3s': overlaps 'lock-rows@2s+3s'"));
    const char *meet[] = {"lock-rows@2s+3s", "lock-rows@5s+1s"};
    assert_int_equal(check(meet, 2, 10000000, false, err, sizeof err), -1);
    const char *twice[] = {"terminate@3s:0.5", "terminate@3s:0.2"};
    assert_int_equal(check(twice, 2, 10000000, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "overlaps"));
    const char *locks[] = {"lock-table@2s+3s", "lock-rows@3s+1s"};
    assert_int_equal(check(locks, 2, 10000000, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "overlaps"));
    const char *mixed[] = {"lock-rows@2s+3s", "terminate@3s:0.5"};
    assert_int_equal(check(mixed, 2, 10000000, false, err, sizeof err), 0);

    const char *spike[] = {"spike@2s+3s:500/s"};
    assert_int_equal(check(spike, 1, 10000000, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs --rate"));
    assert_int_equal(check(spike, 1, 10000000, true, err, sizeof err), 0);
}

static void at_most_trigger_max(void **state)
{
    (void)state;
    struct trigger_plan p = {0};
    char err[256], spec[32];
    for (int i = 0; i < TRIGGER_MAX; i++) {
        snprintf(spec, sizeof spec, "terminate@%ds:0.1", i);
        assert_int_equal(trigger_plan_add(&p, spec, err, sizeof err), 0);
    }
    assert_int_equal(trigger_plan_add(&p, "terminate@99s:0.1", err, sizeof err), -1);
    assert_non_null(strstr(err, "at most"));
}

static void arg_text(void **state)
{
    (void)state;
    struct trigger t;
    char err[256], out[32];
    assert_int_equal(trigger_parse("lock-rows@1s+1s", &t, err, sizeof err), 0);
    trigger_arg_text(&t, 10, out, sizeof out);
    assert_string_equal(out, "10 rows");
    assert_int_equal(trigger_parse("lock-table@1s+1s", &t, err, sizeof err), 0);
    trigger_arg_text(&t, 0, out, sizeof out);
    assert_string_equal(out, "");
    assert_string_equal(trigger_kind_name(TRIGGER_TERMINATE), "terminate");
}

/* Each row of the kinds' table is whole: its example parses back to it, and
 * what its ARG column says holds for the notation. */
static void every_kind_parses_its_example(void **state)
{
    (void)state;
    for (int k = 0; k < TRIGGER_N_KINDS; k++) {
        const struct trigger_kind_def *d = &trigger_kinds[k];
        if (d->name == NULL || d->example == NULL || d->help == NULL || d->doc == NULL ||
            d->arg_takes == NULL)
            fail_msg("kind %d: a row without its name, example, help, doc or arg_takes", k);
        assert_string_equal(trigger_kind_name((enum trigger_kind)k), d->name);
        struct trigger t;
        char err[256], back[64], spec[96];
        if (trigger_parse(d->example, &t, err, sizeof err) != 0)
            fail_msg("%s: its example '%s' is refused: %s", d->name, d->example, err);
        assert_int_equal(t.kind, k);
        if (!d->span_optional) assert_int_equal(t.span_us == 0, d->instantaneous);
        trigger_spec_text(&t, back, sizeof back);
        assert_string_equal(back, d->example);
        /* Its ARG: refused when malformed (blank is, for every kind); left
         * out, refused only when required. */
        snprintf(spec, sizeof spec, "%.*s: ", (int)strcspn(d->example, ":"), d->example);
        assert_int_equal(trigger_parse(spec, &t, err, sizeof err), -1);
        assert_non_null(strstr(err, d->arg_takes));
        snprintf(spec, sizeof spec, "%.*s", (int)strcspn(d->example, ":"), d->example);
        assert_int_equal(trigger_parse(spec, &t, err, sizeof err),
                         d->arg == TRIGGER_ARG_REQUIRED ? -1 : 0);
        assert_int_equal(strchr(d->example, ':') != NULL, d->arg == TRIGGER_ARG_REQUIRED);
        assert_int_equal(d->arg_needs != NULL, d->arg == TRIGGER_ARG_REQUIRED);
        assert_int_equal(d->arg_name != NULL, d->arg == TRIGGER_ARG_OPTIONAL);
        assert_int_equal(d->parse_arg != NULL, d->arg != TRIGGER_ARG_NONE);
        assert_int_equal(d->write_arg != NULL, d->arg != TRIGGER_ARG_NONE);
    }
}

static void help_names_every_kind(void **state)
{
    (void)state;
    const char *usage = options_usage(CMD_RUN);
    for (int k = 0; k < TRIGGER_N_KINDS; k++)
        if (strstr(usage, trigger_kinds[k].example) == NULL ||
            strstr(usage, trigger_kinds[k].help) == NULL)
            fail_msg("run --help lacks %s's example or help", trigger_kinds[k].name);
    char err[256];
    struct trigger t;
    assert_int_equal(trigger_parse("nope@1s+1s", &t, err, sizeof err), -1);
    for (int k = 0; k < TRIGGER_N_KINDS; k++)
        assert_non_null(strstr(err, trigger_kinds[k].name));
}

/* The kinds' facts the run reads: which sets the offered rate, which contend. */
static void kinds_set_the_rate_and_contend_by_their_rows(void **state)
{
    (void)state;
    struct trigger t;
    char err[256];
    assert_int_equal(trigger_parse("spike@1s+1s:300/s", &t, err, sizeof err), 0);
    assert_true(trigger_offered_per_s(&t) == 300);
    assert_int_equal(trigger_parse("lock-rows@1s+1s", &t, err, sizeof err), 0);
    assert_true(trigger_offered_per_s(&t) == 0);
    const char *spike_and_lock[] = {"spike@2s+3s:500/s", "lock-table@3s+1s"};
    assert_int_equal(check(spike_and_lock, 2, 10000000, true, err, sizeof err), 0);
}

/* A spec written back (results, messages) parses again: no "1e-09" that
 * the notation refuses. */
static void a_spec_written_back_parses_again(void **state)
{
    (void)state;
    const char *specs[] = {"terminate@1s:0.000000001", "spike@1s+1s:1500000.5/s",
                           "spike@1s+1s:1000000000/s", "terminate@2s:0.1"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct trigger t, again;
        char err[256], text[64];
        assert_int_equal(trigger_parse(specs[i], &t, err, sizeof err), 0);
        trigger_spec_text(&t, text, sizeof text);
        assert_string_equal(text, specs[i]);
        if (trigger_parse(text, &again, err, sizeof err) != 0) fail_msg("%s: %s", text, err);
    }
}

static void a_share_ends_the_nearest_whole_number_of_workers(void **state)
{
    (void)state;
    assert_int_equal(trigger_share_count(0.5, 16), 8);
    assert_int_equal(trigger_share_count(0.5, 3), 2); /* a half rounds up */
    assert_int_equal(trigger_share_count(0.3, 4), 1);
    assert_int_equal(trigger_share_count(1, 7), 7);
    assert_int_equal(trigger_share_count(0.03, 16), 0);
    assert_int_equal(trigger_share_count(0.000000001, 10000), 0);
    struct trigger_plan p = {0};
    char err[256];
    assert_int_equal(trigger_plan_add(&p, "terminate@1s:0.01", err, sizeof err), 0);
    assert_int_equal(trigger_plan_check(&p, 0, false, 16, err, sizeof err), -1);
    assert_non_null(strstr(err, "rounds to none"));
    assert_int_equal(trigger_plan_check(&p, 0, false, 100, err, sizeof err), 0);
    assert_int_equal(trigger_plan_check(&p, 0, false, 0, err, sizeof err), 0); /* unknown */
}

/* exec: everything after the first ':' past AT is the command, ':' '@' and
 * '+' of its own included; its span, the deadline, may be left out. */
static void exec_takes_the_rest_as_its_command(void **state)
{
    (void)state;
    struct trigger t;
    char err[256], back[TRIGGER_COMMAND_MAX + 64];
    assert_int_equal(trigger_parse("exec@2s:pg_ctl restart -D /pgdata", &t, err, sizeof err), 0);
    assert_int_equal(t.kind, TRIGGER_EXEC);
    assert_int_equal(t.at_us, 2000000);
    assert_int_equal(t.span_us, 0);
    assert_string_equal(t.command, "pg_ctl restart -D /pgdata");
    const char *spec = "exec@1500ms+30s:psql postgresql://u@h:5432/d -c select 1+1; x@y:z";
    assert_int_equal(trigger_parse(spec, &t, err, sizeof err), 0);
    assert_int_equal(t.at_us, 1500000);
    assert_int_equal(t.span_us, 30000000);
    assert_string_equal(t.command, "psql postgresql://u@h:5432/d -c select 1+1; x@y:z");
    trigger_spec_text(&t, back, sizeof back);
    assert_string_equal(back, spec);
    trigger_arg_text(&t, 0, back, sizeof back);
    assert_string_equal(back, t.command);
    /* A '+' in the command is no span. */
    assert_int_equal(trigger_parse("exec@1s:expr 1 + 1", &t, err, sizeof err), 0);
    assert_int_equal(t.span_us, 0);
    assert_string_equal(t.command, "expr 1 + 1");
    assert_int_equal(trigger_parse("exec@1s:sh -c kill -TERM $PPID", &t, err, sizeof err), 0);
    assert_string_equal(t.command, "sh -c kill -TERM $PPID");
    /* Refused: none, blank, too long, too many words, a bad span. */
    const struct {
        const char *s, *message;
    } bad[] = {
        {"exec@1s", "exec needs a command, e.g. :pg_ctl restart"},
        {"exec@1s+5s", "exec needs a command"},
        {"exec@1s:", "exec takes a command of at most 64 words, shorter than 512 bytes"},
        {"exec@1s: \t ", "exec takes a command"},
        {"exec@1s+0s:true", "the span is empty"},
        {"exec@1s+5:true", "span '5' is not a duration"},
        {"exec@x:true", "time 'x' is not a duration"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(trigger_parse(bad[i].s, &t, err, sizeof err), -1);
        if (strstr(err, bad[i].message) == NULL)
            fail_msg("'%s': '%s' lacks '%s'", bad[i].s, err, bad[i].message);
    }
    char longer[TRIGGER_COMMAND_MAX + 16] = "exec@1s:";
    memset(longer + 8, 'a', TRIGGER_COMMAND_MAX);
    longer[8 + TRIGGER_COMMAND_MAX] = '\0';
    assert_int_equal(trigger_parse(longer, &t, err, sizeof err), -1);
    char many[512] = "exec@1s:";
    for (int i = 0; i <= 64; i++)
        strcat(many, "w ");
    assert_int_equal(trigger_parse(many, &t, err, sizeof err), -1);
    /* Two commands may run at once, but not two windows of exec at one moment. */
    struct trigger_plan p = {0};
    assert_int_equal(trigger_plan_add(&p, "exec@1s:true", err, sizeof err), 0);
    assert_int_equal(trigger_plan_add(&p, "exec@2s+5s:true", err, sizeof err), 0);
    assert_int_equal(trigger_plan_add(&p, "lock-rows@2s+2s", err, sizeof err), 0);
    assert_int_equal(trigger_plan_check(&p, 10000000, false, 4, err, sizeof err), 0);
    assert_int_equal(trigger_plan_add(&p, "exec@6s:true", err, sizeof err), 0);
    assert_int_equal(trigger_plan_check(&p, 10000000, false, 4, err, sizeof err), -1);
    assert_non_null(strstr(err, "overlaps 'exec@2s+5s:true'"));
}

/* The sessions of several instances lose their parts round robin; those of
 * one instance, its first ones. */
static void a_share_is_picked_round_robin_over_the_instances(void **state)
{
    (void)state;
    int picked[16];
    const int one[] = {0, 0, 0, 0, 0};
    assert_int_equal(trigger_share_pick(0.5, one, 5, picked), 3);
    assert_int_equal(picked[0], 0);
    assert_int_equal(picked[1], 1);
    assert_int_equal(picked[2], 2);
    /* Two instances of two: one each. */
    const int two[] = {0, 0, 1, 1};
    assert_int_equal(trigger_share_pick(0.5, two, 4, picked), 2);
    assert_int_equal(picked[0], 0);
    assert_int_equal(picked[1], 2);
    /* Uneven, 3 + 1 + 2 sessions, 4 of them (0.6): a round takes 0, 3 and 4, the
     * fourth is the first instance's second. */
    const int uneven[] = {0, 0, 0, 1, 2, 2};
    assert_int_equal(trigger_share_pick(0.6, uneven, 6, picked), 4);
    const int want[] = {0, 1, 3, 4};
    for (int k = 0; k < 4; k++)
        assert_int_equal(picked[k], want[k]);
    /* 5 of them (0.8): two full rounds. */
    assert_int_equal(trigger_share_pick(0.8, uneven, 6, picked), 5);
    const int more[] = {0, 1, 3, 4, 5};
    for (int k = 0; k < 5; k++)
        assert_int_equal(picked[k], more[k]);
    assert_int_equal(trigger_share_pick(1, uneven, 6, picked), 6);
    assert_int_equal(trigger_share_pick(0.5, uneven, 0, picked), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_kind_parses),
        cmocka_unit_test(spec_text_writes_the_notation_back),
        cmocka_unit_test(bad_specs_are_refused_with_one_line),
        cmocka_unit_test(a_share_ends_the_nearest_whole_number_of_workers),
        cmocka_unit_test(a_share_is_picked_round_robin_over_the_instances),
        cmocka_unit_test(a_spec_written_back_parses_again),
        cmocka_unit_test(the_plan_is_checked_against_the_run),
        cmocka_unit_test(at_most_trigger_max),
        cmocka_unit_test(arg_text),
        cmocka_unit_test(every_kind_parses_its_example),
        cmocka_unit_test(help_names_every_kind),
        cmocka_unit_test(kinds_set_the_rate_and_contend_by_their_rows),
        cmocka_unit_test(exec_takes_the_rest_as_its_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
