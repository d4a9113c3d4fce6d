/* Option parsing: defaults, every flag, and every kind of bad input; the flag
 * table is well formed and each flag reaches --help, the JSON config and the
 * report's header. */
#include "txstorm/options.h"
#include "txstorm/report.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct config cfg;
static char err[OPTIONS_ERR_MAX];

static int parse(int argc, char **argv)
{
    return options_parse(argc, argv, NULL, &cfg, err, sizeof err);
}

/* Parsing must fail, with one line that mentions `needle`. */
static void expect_error(int argc, char **argv, const char *needle)
{
    err[0] = '\0';
    assert_int_equal(parse(argc, argv), -1);
    if (strstr(err, needle) == NULL) fail_msg("error '%s' does not mention '%s'", err, needle);
    assert_null(strchr(err, '\n'));
}

static void defaults_match_the_documentation(void **state)
{
    (void)state;
    char *argv[] = {"txstorm", "run"};
    assert_int_equal(parse(ARGC(argv), argv), 0);
    assert_int_equal(cfg.command, CMD_RUN);
    assert_int_equal(cfg.workers, 16);
    assert_int_equal(cfg.threads, 0); /* resolved by the run: one loop per 256 workers */
    assert_int_equal(cfg.duration_us, 30000000);
    assert_int_equal(cfg.transactions, 0);
    assert_int_equal(cfg.skew.kind, SKEW_HOT);
    assert_int_equal(cfg.skew.hot, 10);
    assert_int_equal(cfg.amount_lo, 1);
    assert_int_equal(cfg.amount_hi, 100);
    assert_int_equal(cfg.max_retries, 10);
    assert_int_equal(cfg.backoff.policy, BACKOFF_FULL_JITTER);
    assert_int_equal(cfg.backoff.base_us, 2000);
    assert_int_equal(cfg.backoff.cap_us, 100000);
    assert_false(cfg.seed_given);
    assert_null(options_endpoint(&cfg, 0));
    assert_int_equal(options_n_endpoints(&cfg), 1);
    assert_int_equal(cfg.sig_figs, 3);

    char *init[] = {"txstorm", "init"};
    assert_int_equal(parse(ARGC(init), init), 0);
    assert_int_equal(cfg.accounts, 1000);
    assert_int_equal(cfg.balance, 1000);
    assert_false(cfg.drop);
}

static void every_flag_is_read(void **state)
{
    (void)state;
    char *argv[] = {"txstorm",
                    "run",
                    "--db",
                    "host=x",
                    "--workers=4",
                    "--duration",
                    "2m",
                    "--hot",
                    "5",
                    "--amount",
                    "3..7",
                    "--max-retries",
                    "0",
                    "--backoff",
                    "exponential",
                    "--backoff-base",
                    "250us",
                    "--backoff-cap",
                    "1s",
                    "--seed",
                    "123",
                    "--json",
                    "out.json",
                    "--progress-every",
                    "500ms",
                    "--sig-figs",
                    "2"};
    assert_int_equal(parse(ARGC(argv), argv), 0);
    assert_string_equal(options_endpoint(&cfg, 0), "host=x");
    assert_int_equal(cfg.workers, 4);
    assert_int_equal(cfg.duration_us, 120000000);
    assert_int_equal(cfg.skew.hot, 5);
    assert_int_equal(cfg.amount_lo, 3);
    assert_int_equal(cfg.amount_hi, 7);
    assert_int_equal(cfg.max_retries, 0);
    assert_int_equal(cfg.backoff.policy, BACKOFF_EXPONENTIAL);
    assert_int_equal(cfg.backoff.base_us, 250);
    assert_int_equal(cfg.backoff.cap_us, 1000000);
    assert_true(cfg.seed_given);
    assert_int_equal(cfg.seed, 123);
    assert_string_equal(cfg.json_path, "out.json");
    assert_int_equal(cfg.progress_us, 500000);
    assert_int_equal(cfg.sig_figs, 2);

    char *tx[] = {"txstorm",  "run", "--transactions",   "500",
                  "--amount", "9",   "--progress-every", "0"};
    assert_int_equal(parse(ARGC(tx), tx), 0);
    assert_int_equal(cfg.transactions, 500);
    assert_int_equal(cfg.duration_us, 0);
    assert_int_equal(cfg.amount_lo, 9);
    assert_int_equal(cfg.amount_hi, 9);
    assert_int_equal(cfg.progress_us, 0);

    char *init[] = {"txstorm", "init", "--accounts", "50", "--balance", "0", "--drop"};
    assert_int_equal(parse(ARGC(init), init), 0);
    assert_int_equal(cfg.accounts, 50);
    assert_int_equal(cfg.balance, 0);
    assert_true(cfg.drop);
}

static void dsn_comes_from_flag_then_environment(void **state)
{
    (void)state;
    char *argv[] = {"txstorm", "check"};
    assert_int_equal(options_parse(ARGC(argv), argv, "postgresql://env", &cfg, err, sizeof err), 0);
    assert_string_equal(options_endpoint(&cfg, 0), "postgresql://env");
    char *flag[] = {"txstorm", "check", "--db", "dbname=flag"};
    assert_int_equal(options_parse(ARGC(flag), flag, "postgresql://env", &cfg, err, sizeof err), 0);
    assert_string_equal(options_endpoint(&cfg, 0), "dbname=flag");
    assert_int_equal(options_n_endpoints(&cfg), 1);
    assert_int_equal(options_parse(ARGC(argv), argv, "", &cfg, err, sizeof err), 0);
    assert_null(options_endpoint(&cfg, 0));
}

static void db_repeats_for_run_only(void **state)
{
    (void)state;
    char *run[] = {"txstorm", "run", "--db", "dbname=a", "--db=dbname=b", "--db", "host=c,d"};
    assert_int_equal(options_parse(ARGC(run), run, "postgresql://env", &cfg, err, sizeof err), 0);
    assert_int_equal(options_n_endpoints(&cfg), 3);
    assert_string_equal(options_endpoint(&cfg, 0), "dbname=a");
    assert_string_equal(options_endpoint(&cfg, 1), "dbname=b");
    assert_string_equal(options_endpoint(&cfg, 2), "host=c,d");
    char *check[] = {"txstorm", "check", "--db", "dbname=a", "--db", "dbname=b"};
    expect_error(ARGC(check), check, "--db: given more than once (check takes one)");
    char *empty[] = {"txstorm", "run", "--db", ""};
    expect_error(ARGC(empty), empty, "--db: the value is empty");
    char *empty_eq[] = {"txstorm", "init", "--db="};
    expect_error(ARGC(empty_eq), empty_eq, "--db: the value is empty");
}

/* plot: --label names the result given just before it. */
static void a_label_names_the_result_before_it(void **state)
{
    (void)state;
    char *plot[] = {"txstorm", "plot", "a.json", "--label", "A", "b.json",
                    "c.json", "--label=C", "--html", "p.html"};
    assert_int_equal(parse(ARGC(plot), plot), 0);
    assert_int_equal(cfg.n_inputs, 3);
    assert_string_equal(cfg.labels[0], "A");
    assert_null(cfg.labels[1]);
    assert_string_equal(cfg.labels[2], "C");
    char *first[] = {"txstorm", "plot", "--label", "A", "a.json", "--html", "p.html"};
    expect_error(ARGC(first), first, "--label: names the RESULT.json before it");
    char *twice[] = {"txstorm", "plot", "a.json", "--label", "A", "--label", "B",
                     "--html", "p.html"};
    expect_error(ARGC(twice), twice, "--label: a.json has a label already ('A')");
    char *run[] = {"txstorm", "run", "--label", "A"};
    expect_error(ARGC(run), run, "--label");
}

static void help_and_version(void **state)
{
    (void)state;
    char *h[] = {"txstorm", "--help"};
    assert_int_equal(parse(ARGC(h), h), 0);
    assert_int_equal(cfg.command, CMD_HELP);
    assert_non_null(strstr(options_usage(cfg.help_for), "exit codes"));
    char *rh[] = {"txstorm", "run", "--workers", "3", "--help"};
    assert_int_equal(parse(ARGC(rh), rh), 0);
    assert_int_equal(cfg.command, CMD_HELP);
    assert_int_equal(cfg.help_for, CMD_RUN);
    assert_non_null(strstr(options_usage(CMD_RUN), "--backoff"));
    char *v[] = {"txstorm", "--version"};
    assert_int_equal(parse(ARGC(v), v), 0);
    assert_int_equal(cfg.command, CMD_VERSION);
    char *man[] = {"txstorm", "help", "--man"};
    assert_int_equal(parse(ARGC(man), man), 0);
    assert_int_equal(cfg.help_form, HELP_MAN);
    char *bash[] = {"txstorm", "help", "--completion", "bash"};
    assert_int_equal(parse(ARGC(bash), bash), 0);
    assert_int_equal(cfg.help_form, HELP_COMPLETION);
    char *zsh[] = {"txstorm", "help", "--completion", "zsh"};
    expect_error(ARGC(zsh), zsh, "help --completion: only bash");
    char *odd[] = {"txstorm", "help", "--mna"};
    expect_error(ARGC(odd), odd, "help: unknown command or form '--mna'");
}

static void bad_commands_and_flags(void **state)
{
    (void)state;
    char *none[] = {"txstorm"};
    expect_error(ARGC(none), none, "missing command");
    char *cmd[] = {"txstorm", "explode"};
    expect_error(ARGC(cmd), cmd, "unknown command 'explode'");
    char *unknown[] = {"txstorm", "run", "--wrokers", "3"};
    expect_error(ARGC(unknown), unknown, "unknown flag '--wrokers'");
    char *wrong_cmd[] = {"txstorm", "check", "--workers", "3"};
    expect_error(ARGC(wrong_cmd), wrong_cmd, "unknown flag '--workers' for 'txstorm check'");
    char *stray[] = {"txstorm", "run", "16"};
    expect_error(ARGC(stray), stray, "unexpected argument '16'");
    char *dsn[] = {"txstorm", "run", "postgresql://u:hunter2@h/db"};
    expect_error(ARGC(dsn), dsn,
                 "unexpected argument (not shown: it looks like a connection string; give it "
                 "with --db)");
    assert_null(strstr(err, "hunter2"));
    char *missing[] = {"txstorm", "run", "--workers"};
    expect_error(ARGC(missing), missing, "--workers: missing its value");
    char *missing_mid[] = {"txstorm", "run", "--workers", "--hot", "3"};
    expect_error(ARGC(missing_mid), missing_mid, "--workers: missing its value");
    char *value_on_switch[] = {"txstorm", "init", "--drop=yes"};
    expect_error(ARGC(value_on_switch), value_on_switch, "--drop: takes no value");
}

static void bad_numbers(void **state)
{
    (void)state;
    char *threads[] = {"txstorm", "run", "--threads", "3"};
    assert_int_equal(parse(ARGC(threads), threads), 0);
    assert_int_equal(cfg.threads, 3);
    char *no_threads[] = {"txstorm", "run", "--threads", "0"};
    expect_error(ARGC(no_threads), no_threads, "--threads: 0 is out of range (1..1024)");
    char *nan[] = {"txstorm", "run", "--workers", "abc"};
    expect_error(ARGC(nan), nan, "--workers: 'abc' is not a whole number");
    char *neg[] = {"txstorm", "run", "--workers", "-4"};
    expect_error(ARGC(neg), neg, "--workers: -4 is out of range");
    char *zero[] = {"txstorm", "run", "--workers", "0"};
    expect_error(ARGC(zero), zero, "--workers: 0 is out of range (1..10000)");
    char *huge[] = {"txstorm", "run", "--transactions", "99999999999999999999"};
    expect_error(ARGC(huge), huge, "out of range");
    char *frac[] = {"txstorm", "run", "--hot", "2.5"};
    expect_error(ARGC(frac), frac, "not a whole number");
    char *plus[] = {"txstorm", "run", "--hot", "+3"};
    expect_error(ARGC(plus), plus, "not a whole number");
    char *empty[] = {"txstorm", "run", "--hot="};
    expect_error(ARGC(empty), empty, "not a whole number");
    char *hot1[] = {"txstorm", "run", "--hot", "1"};
    expect_error(ARGC(hot1), hot1, "--hot: 1 is out of range");
    char *accounts[] = {"txstorm", "init", "--accounts", "0"};
    expect_error(ARGC(accounts), accounts, "--accounts");
    char *balance[] = {"txstorm", "init", "--balance", "-1"};
    expect_error(ARGC(balance), balance, "--balance: -1 is out of range");
    char *sig[] = {"txstorm", "run", "--sig-figs", "6"};
    expect_error(ARGC(sig), sig, "--sig-figs: 6 is out of range (1..5)");
    char *seed[] = {"txstorm", "run", "--seed", "-1"};
    expect_error(ARGC(seed), seed, "--seed");
}

static void bad_amounts(void **state)
{
    (void)state;
    char *rev[] = {"txstorm", "run", "--amount", "9..3"};
    expect_error(ARGC(rev), rev, "low end 9 is above high end 3");
    char *zero[] = {"txstorm", "run", "--amount", "0..3"};
    expect_error(ARGC(zero), zero, "--amount: 0 is out of range");
    char *half[] = {"txstorm", "run", "--amount", "3.."};
    expect_error(ARGC(half), half, "--amount");
    char *junk[] = {"txstorm", "run", "--amount", "a..b"};
    expect_error(ARGC(junk), junk, "not a whole number");
}

static void bad_durations(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(options_parse_duration_us("1500us", &us), 0);
    assert_int_equal(us, 1500);
    assert_int_equal(options_parse_duration_us("3h", &us), 0);
    assert_int_equal(us, 3LL * 3600 * 1000000);
    assert_int_equal(options_parse_duration_us("0ms", &us), 0);
    assert_int_equal(us, 0);
    const char *bad[] = {"30", "30x", "s", "-5s", "1.5s", " 5s", "5 s", "5sec", "", "ms5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (options_parse_duration_us(bad[i], &us) != -1) fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(options_parse_duration_us("99999999999999999999999s", &us), -2);
    assert_int_equal(options_parse_duration_us("9000h", &us), -2);

    char *unit[] = {"txstorm", "run", "--duration", "30"};
    expect_error(ARGC(unit), unit, "--duration: '30' is not a duration");
    char *zero[] = {"txstorm", "run", "--duration", "0s"};
    expect_error(ARGC(zero), zero, "--duration: must be above zero");
    char *long_[] = {"txstorm", "run", "--duration", "400000h"};
    expect_error(ARGC(long_), long_, "too long");
    char *cap[] = {"txstorm", "run", "--backoff-base", "10ms", "--backoff-cap", "1ms"};
    expect_error(ARGC(cap), cap, "--backoff-cap: 1000us is below --backoff-base 10000us");
    char *policy[] = {"txstorm", "run", "--backoff", "linear"};
    expect_error(ARGC(policy), policy, "--backoff: unknown policy 'linear'");
    char *both[] = {"txstorm", "run", "--duration", "5s", "--transactions", "10"};
    expect_error(ARGC(both), both, "give one, not both");
    char *json[] = {"txstorm", "run", "--json", ""};
    expect_error(ARGC(json), json, "--json: needs a file name");
}

static void contention_flags_are_read(void **state)
{
    (void)state;
    char *argv[] = {"txstorm",
                    "run",
                    "--skew",
                    "zipf:1.2",
                    "--shape",
                    "for-update",
                    "--lock-order",
                    "ordered",
                    "--isolation",
                    "repeatable-read",
                    "--think-time",
                    "3ms",
                    "--retry-protocol",
                    "savepoint",
                    "--retry-on",
                    "serialization,deadlock,constraint",
                    "--retry-budget",
                    "50",
                    "--retry-budget-refund",
                    "0.25",
                    "--inject-retry",
                    "0.1",
                    "--amount-mode",
                    "fraction",
                    "--amount-fraction",
                    "0.3",
                    "--backoff",
                    "decorrelated-jitter"};
    assert_int_equal(parse(ARGC(argv), argv), 0);
    assert_int_equal(cfg.skew.kind, SKEW_ZIPF);
    assert_true(cfg.skew.zipf_s == 1.2);
    assert_int_equal(cfg.spec.shape, SHAPE_FOR_UPDATE);
    assert_int_equal(cfg.spec.lock_order, LOCK_ID_ORDER);
    assert_int_equal(cfg.spec.isolation, ISO_REPEATABLE_READ);
    assert_int_equal(cfg.spec.think_us, 3000);
    assert_int_equal(cfg.protocol, PROTOCOL_SAVEPOINT);
    assert_true(cfg.retry_on.retry[ERR_CONSTRAINT]);
    assert_false(cfg.retry_on.retry[ERR_OTHER]);
    assert_true(cfg.budget_tokens == 50 && cfg.budget_refund == 0.25);
    assert_true(cfg.inject_retry == 0.1);
    assert_int_equal(cfg.amount_mode, AMOUNT_FRACTION);
    assert_true(cfg.amount_fraction == 0.3);
    assert_int_equal(cfg.backoff.policy, BACKOFF_DECORRELATED_JITTER);

    char *hot[] = {"txstorm", "run", "--hot", "7"};
    assert_int_equal(parse(ARGC(hot), hot), 0);
    assert_int_equal(cfg.skew.kind, SKEW_HOT);
    assert_int_equal(cfg.skew.hot, 7);
    char *defaults[] = {"txstorm", "run"};
    assert_int_equal(parse(ARGC(defaults), defaults), 0);
    assert_int_equal(cfg.spec.shape, SHAPE_INTERACTIVE);
    assert_int_equal(cfg.spec.isolation, ISO_SERIALIZABLE);
    assert_int_equal(cfg.protocol, PROTOCOL_RESTART);
    assert_true(cfg.retry_on.retry[ERR_SERIALIZATION] && cfg.retry_on.retry[ERR_DEADLOCK]);
    assert_false(cfg.retry_on.retry[ERR_CONSTRAINT]);
    assert_true(cfg.budget_tokens == 0);
}

static void contention_flags_refuse_bad_input(void **state)
{
    (void)state;
    char *shape[] = {"txstorm", "run", "--shape", "batch"};
    expect_error(ARGC(shape), shape,
                 "--shape: unknown value 'batch' (interactive, for-update, single, pipelined)");
    char *iso[] = {"txstorm", "run", "--isolation", "snapshot"};
    expect_error(ARGC(iso), iso, "--isolation: unknown value 'snapshot'");
    char *both[] = {"txstorm", "run", "--hot", "5", "--skew", "uniform"};
    expect_error(ARGC(both), both, "--hot and --skew: give one, not both");
    char *sp[] = {"txstorm", "run", "--shape", "single", "--retry-protocol", "savepoint"};
    expect_error(ARGC(sp), sp,
                 "--retry-protocol savepoint: needs --shape interactive or for-update");
    char *think[] = {"txstorm", "run", "--shape", "pipelined", "--think-time", "1ms"};
    expect_error(ARGC(think), think, "--think-time: the pipelined shape");
    char *frac[] = {"txstorm", "run", "--shape", "pipelined", "--amount-mode", "fraction"};
    expect_error(ARGC(frac), frac, "--amount-mode fraction: the pipelined shape");
    char *frac_alone[] = {"txstorm", "run", "--amount-fraction", "0.5"};
    expect_error(ARGC(frac_alone), frac_alone, "--amount-fraction: needs --amount-mode fraction");
    char *frac_zero[] = {"txstorm", "run", "--amount-mode", "fraction", "--amount-fraction", "0"};
    expect_error(ARGC(frac_zero), frac_zero, "--amount-fraction: must be above 0");
    char *frac_big[] = {"txstorm", "run", "--amount-mode", "fraction", "--amount-fraction", "1.5"};
    expect_error(ARGC(frac_big), frac_big, "--amount-fraction: 1.5 is out of range");
    char *inject[] = {"txstorm", "run", "--inject-retry", "nan"};
    expect_error(ARGC(inject), inject, "--inject-retry: 'nan' is not a number");
    char *inject_big[] = {"txstorm", "run", "--inject-retry", "2"};
    expect_error(ARGC(inject_big), inject_big, "--inject-retry: 2 is out of range");
    char *budget[] = {"txstorm", "run", "--retry-budget", "0.5"};
    expect_error(ARGC(budget), budget, "--retry-budget: needs at least 1 token");
    char *refund[] = {"txstorm", "run", "--retry-budget-refund", "0.5"};
    expect_error(ARGC(refund), refund, "--retry-budget-refund: needs --retry-budget");
    char *retry_on[] = {"txstorm", "run", "--retry-on", "ambiguous"};
    expect_error(ARGC(retry_on), retry_on, "--retry-on:");
    char *skew[] = {"txstorm", "run", "--skew", "zipf:0"};
    expect_error(ARGC(skew), skew, "--skew:");
    char *think_unit[] = {"txstorm", "run", "--think-time", "5"};
    expect_error(ARGC(think_unit), think_unit, "--think-time: '5' is not a duration");
    double d;
    assert_int_equal(options_parse_double("0.25", 0, 1, &d), 0);
    assert_true(d == 0.25);
    assert_int_equal(options_parse_double("1e-3", 0, 1, &d), -1);
    assert_int_equal(options_parse_double("", 0, 1, &d), -1);
    assert_int_equal(options_parse_double("0.5x", 0, 1, &d), -1);
    assert_int_equal(options_parse_double("inf", 0, 1, &d), -1);
    assert_int_equal(options_parse_double("-0.1", 0, 1, &d), -2);
}

static void later_flags_refuse_bad_input(void **state)
{
    (void)state;
    char *rate[] = {"txstorm", "run", "--rate", "10/s"};
    expect_error(ARGC(rate), rate, "--rate: '10/s' is not a number");
    char *rate0[] = {"txstorm", "run", "--rate", "0"};
    expect_error(ARGC(rate0), rate0, "--rate: 0 is out of range");
    char *arrival[] = {"txstorm", "run", "--arrival", "poisson"};
    expect_error(ARGC(arrival), arrival, "--arrival: needs --rate");
    char *warmup[] = {"txstorm", "run", "--warmup", "2"};
    expect_error(ARGC(warmup), warmup, "--warmup: '2' is not a duration");
    char *inst[] = {"txstorm", "run", "--instance", "3/3", "--seed", "1"};
    expect_error(ARGC(inst), inst, "--instance: '3/3' is not I/N");
    char *inst2[] = {"txstorm", "run", "--instance", "1", "--seed", "1"};
    expect_error(ARGC(inst2), inst2, "--instance: '1' is not I/N");
    char *inst3[] = {"txstorm", "run", "--instance", "0/2"};
    expect_error(ARGC(inst3), inst3, "--instance: needs --seed");
    char *asof[] = {"txstorm", "run", "--audit-every", "1s", "--audit-as-of", "1s'; DROP"};
    expect_error(ARGC(asof), asof, "--audit-as-of: '1s'; DROP' is not a negative interval");
    char *wm[] = {"txstorm", "run", "--write-mode", "absolute", "--shape", "single"};
    expect_error(ARGC(wm), wm, "--write-mode absolute: needs --shape interactive or for-update");
    char *result[] = {"txstorm", "check", "--result", "r.json"};
    expect_error(ARGC(result), result, "--result: needs --ledger");
    char *report[] = {"txstorm", "report"};
    expect_error(ARGC(report), report, "report: needs exactly one result file, got 0");
    char *merge[] = {"txstorm", "merge", "--json", "m.json"};
    expect_error(ARGC(merge), merge, "merge: needs at least one result file");

    char *ok[] = {"txstorm",    "run",
                  "--instance", "2/3",
                  "--seed",     "5",
                  "--rate",     "250.5",
                  "--arrival",  "poisson",
                  "--warmup",   "3s",
                  "--ledger",   "--audit-every",
                  "100ms",      "--audit-as-of",
                  "-1s",        "--reconnect-timeout",
                  "0us",        "--stall-timeout",
                  "5s"};
    assert_int_equal(parse(ARGC(ok), ok), 0);
    assert_int_equal(cfg.instance, 2);
    assert_int_equal(cfg.instances, 3);
    assert_true(cfg.rate == 250.5);
    assert_int_equal(cfg.arrival, ARRIVAL_POISSON);
    assert_int_equal(cfg.warmup_us, 3000000);
    assert_true(cfg.ledger && cfg.spec.ledger);
    assert_string_equal(cfg.audit_as_of, "-1s");
    assert_int_equal(cfg.reconnect_timeout_us, 0);
    assert_int_equal(cfg.stall_timeout_us, 5000000);
    char *files[] = {"txstorm", "merge", "a.json", "b.json", "--json", "m.json"};
    assert_int_equal(parse(ARGC(files), files), 0);
    assert_int_equal(cfg.n_inputs, 2);
    assert_string_equal(cfg.inputs[1], "b.json");
}

static void init_total_must_fit(void **state)
{
    (void)state;
    char *argv[] = {"txstorm", "init", "--accounts", "1000000000", "--balance", "2147483647"};
    assert_int_equal(parse(ARGC(argv), argv), 0);
    char *ok[] = {"txstorm", "init", "--balance", "2147483648"};
    expect_error(ARGC(ok), ok, "--balance: 2147483648 is out of range");
}

/* A row of that name taken by one of the commands. */
static const struct flag *flag_named(const char *name, unsigned commands)
{
    for (int i = 0; i < options_n_flags; i++)
        if (strcmp(options_flags[i].name, name) == 0 && (options_flags[i].commands & commands))
            return &options_flags[i];
    return NULL;
}

static int count_conversions(const char *phrase)
{
    int n = 0;
    for (const char *p = phrase; (p = strchr(p, '%')) != NULL; p += 2) {
        if (p[1] != 's') fail_msg("phrase '%s' has a conversion other than %%s", phrase);
        n++;
    }
    return n;
}

/* Every row says how it is read, where it lands, and, for a run flag, whether
 * the JSON config records it and the header shows it: a row that forgets one
 * fails here. */
/* What a hostile user tried: numbers in other notations, flags that would
 * silently do nothing, a warmup that eats a transaction count. */
/* --query-mode: prepared by default, the other two by name; simple cannot
 * carry the pipelined shape's single round trip. */
static void query_mode_is_read_and_simple_refuses_pipelined(void **state)
{
    (void)state;
    char *defaults[] = {"txstorm", "run"};
    assert_int_equal(parse(ARGC(defaults), defaults), 0);
    assert_int_equal(cfg.spec.query_mode, QUERY_PREPARED);
    char *ext[] = {"txstorm", "run", "--query-mode", "extended", "--shape", "pipelined"};
    assert_int_equal(parse(ARGC(ext), ext), 0);
    assert_int_equal(cfg.spec.query_mode, QUERY_EXTENDED);
    char *simple[] = {"txstorm", "run", "--query-mode=simple", "--shape", "single"};
    assert_int_equal(parse(ARGC(simple), simple), 0);
    assert_int_equal(cfg.spec.query_mode, QUERY_SIMPLE);
    char *prep[] = {"txstorm", "run", "--shape", "pipelined", "--query-mode", "prepared"};
    assert_int_equal(parse(ARGC(prep), prep), 0);
    assert_int_equal(cfg.spec.query_mode, QUERY_PREPARED);

    char *piped[] = {"txstorm", "run", "--shape", "pipelined", "--query-mode", "simple"};
    expect_error(ARGC(piped), piped,
                 "--query-mode simple: the pipelined shape needs the extended protocol");
    char *order[] = {"txstorm", "run", "--query-mode", "simple", "--shape", "pipelined"};
    expect_error(ARGC(order), order, "--query-mode simple: the pipelined shape");
    char *bad[] = {"txstorm", "run", "--query-mode", "binary"};
    expect_error(ARGC(bad), bad,
                 "--query-mode: unknown value 'binary' (prepared, extended, simple)");
    char *init[] = {"txstorm", "init", "--query-mode", "simple"};
    expect_error(ARGC(init), init, "--query-mode");
}

/* "repeatable" as a word about the flag ("repeatable-read" is a level). */
static bool says_repeatable(const char *text)
{
    for (const char *const *word = (const char *const[]){"repeatable", "Repeatable", NULL}; *word;
         word++)
        for (const char *p = text; p && (p = strstr(p, *word)) != NULL; p++)
            if (p[10] != '-') return true;
    return false;
}

static void a_flag_that_takes_one_value_is_given_once(void **state)
{
    (void)state;
    char *load[] = {"txstorm", "run", "--load", "100/s:1s", "--load", "200/s:1s"};
    expect_error(ARGC(load), load,
                 "--load: given more than once (of run's flags only --db, --trigger and --assert "
                 "repeat)");
    char *json[] = {"txstorm", "run", "--json", "a.json", "--json=b.json"};
    expect_error(ARGC(json), json, "--json: given more than once");
    char *metrics[] = {"txstorm", "run", "--metrics-addr", ":9650", "--metrics-addr", ":9651"};
    expect_error(ARGC(metrics), metrics, "--metrics-addr: given more than once");
    char *workers[] = {"txstorm", "run", "--workers", "2", "--workers", "2"};
    expect_error(ARGC(workers), workers, "--workers: given more than once");
    char *ledger[] = {"txstorm", "run", "--ledger", "--ledger"};
    expect_error(ARGC(ledger), ledger, "--ledger: given more than once");
    char *drop[] = {"txstorm", "init", "--drop", "--drop"};
    expect_error(ARGC(drop), drop, "--drop: given more than once (init repeats no flag)");
    char *result[] = {"txstorm", "check",  "--ledger", "--result", "a", "--result",
                      "b",       "--json", "x",        "--json",   "y"};
    expect_error(ARGC(result), result,
                 "--json: given more than once (of check's flags only --result repeats)");
    /* The repeatable ones still repeat, as their rows say. */
    char *many[] = {"txstorm",   "run",
                    "--rate",    "100",
                    "--db",      "a",
                    "--db",      "b",
                    "--trigger", "lock-rows@1s+1s",
                    "--trigger", "lock-table@5s+1s",
                    "--assert",  "p99<1s",
                    "--assert",  "tps>1"};
    assert_int_equal(parse(ARGC(many), many), 0);
    assert_int_equal(cfg.endpoints.n, 2);
    assert_int_equal(cfg.triggers.n, 2);
    assert_int_equal(cfg.n_asserts, 2);
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        bool says = says_repeatable(f->help) || says_repeatable(f->doc);
        if (says && !f->repeatable && f->kind != FLAG_LIST)
            fail_msg("--%s: its help says repeatable, its row does not", f->name);
    }
}

static void a_dash_is_no_output_file(void **state)
{
    (void)state;
    char *json[] = {"txstorm", "run", "--json", "-"};
    expect_error(ARGC(json), json,
                 "--json: '-' is not standard output here: outputs are files, written whole or "
                 "not at all; name one (./- for a file called '-')");
    char *html[] = {"txstorm", "plot", "a.json", "--html", "-"};
    expect_error(ARGC(html), html, "--html: '-' is not standard output here");
    char *hgrm[] = {"txstorm", "report", "a.json", "--hgrm", "-"};
    expect_error(ARGC(hgrm), hgrm, "--hgrm: '-' is not standard output here");
    char *named[] = {"txstorm", "run", "--json", "./-"};
    assert_int_equal(parse(ARGC(named), named), 0);
}

static void a_spike_only_raises_the_rate(void **state)
{
    (void)state;
    char *below[] = {"txstorm", "run", "--rate", "100", "--trigger", "spike@1s+1s:20/s"};
    expect_error(ARGC(below), below,
                 "--trigger 'spike@1s+1s:20/s': 20/s is not above the 100/s it replaces (a "
                 "spike raises the offered rate; --load lowers it)");
    char *equal[] = {"txstorm", "run", "--rate", "100", "--trigger", "spike@1s+1s:100/s"};
    expect_error(ARGC(equal), equal, "100/s is not above the 100/s it replaces");
    /* A ramp: the peak within the window (400/s at 2 s of 0..2000/s over 10 s) counts. */
    char *ramp[] = {"txstorm", "run", "--load", "0..2000/s:10s", "--trigger", "spike@1s+1s:300/s"};
    expect_error(ARGC(ramp), ramp, "300/s is not above the 400/s it replaces");
    /* Past the phases the closing rate holds. */
    char *tail[] = {"txstorm",    "run", "--load",    "100..1000/s:2s",
                    "--duration", "10s", "--trigger", "spike@5s+1s:500/s"};
    expect_error(ARGC(tail), tail, "500/s is not above the 1000/s it replaces");
    char *above[] = {"txstorm", "run", "--load", "0..2000/s:10s", "--trigger", "spike@1s+1s:401/s"};
    assert_int_equal(parse(ARGC(above), above), 0);
}

static void a_share_of_the_workers_ends_at_least_one(void **state)
{
    (void)state;
    char *none[] = {"txstorm", "run", "--workers", "16", "--trigger", "terminate@1s:0.03"};
    expect_error(ARGC(none), none,
                 "--trigger 'terminate@1s:0.03': 0.03 of the 16 workers is 0.48, "
                 "which rounds to none (a share ends the nearest whole number of "
                 "workers)");
    char *tiny[] = {"txstorm", "run", "--trigger", "terminate@1s:0.000000001"};
    expect_error(ARGC(tiny), tiny, "rounds to none");
    /* Every endpoint's workers: all 5 over two endpoints, not the first's 3. */
    char *every[] = {"txstorm", "run",  "--workers", "5",         "--db",
                     "a",       "--db", "b",         "--trigger", "terminate@1s:0.1"};
    assert_int_equal(parse(ARGC(every), every), 0);
    char *few[] = {"txstorm", "run",  "--workers", "5",         "--db",
                   "a",       "--db", "b",         "--trigger", "terminate@1s:0.08"};
    expect_error(ARGC(few), few, "0.08 of the 5 workers is 0.4,");
    char *half[] = {"txstorm", "run", "--workers", "16", "--trigger", "terminate@1s:0.04"};
    assert_int_equal(parse(ARGC(half), half), 0);
}

static void numbers_are_decimal_and_no_flag_is_ignored(void **state)
{
    (void)state;
    char *hex_rate[] = {"txstorm", "run", "--rate", "0x10"};
    expect_error(ARGC(hex_rate), hex_rate, "--rate: '0x10' is not a number");
    char *hex_budget[] = {"txstorm", "run", "--retry-budget", "0x10"};
    expect_error(ARGC(hex_budget), hex_budget, "--retry-budget: '0x10' is not a number");
    char *inf[] = {"txstorm", "run", "--inject-retry", "infinity"};
    expect_error(ARGC(inf), inf, "is not a number");
    char *exponent[] = {"txstorm", "run", "--rate", "1.5e3"};
    expect_error(ARGC(exponent), exponent, "--rate: '1.5e3' is not a number (plain decimal");
    /* One notation for every number a flag or spec holds: each refused, one line. */
    static const struct {
        const char *flag, *value, *says;
    } other[] = {
        {"--workers", "1e3", "--workers: '1e3' is not a whole number"},
        {"--workers", "0x10", "--workers: '0x10' is not a whole number"},
        {"--duration", "1e3ms", "--duration: '1e3ms' is not a duration"},
        {"--duration", "0x10s", "--duration: '0x10s' is not a duration"},
        {"--amount", "0x10", "--amount: '0x10' is not a whole number"},
        {"--seed", "1e3", "--seed: '1e3' is not a whole number"},
        {"--instance", "0x1/2", "--instance: '0x1/2' is not I/N"},
        {"--skew", "zipf:1e-1", "S is not a number"},
        {"--skew", "hotspot:10:5e-1", "P is not a number"},
        {"--amount-fraction", "5e-1", "--amount-fraction: '5e-1' is not a number"},
        {"--inject-retry", "+0.5", "--inject-retry: '+0.5' is not a number"},
        {"--retry-budget", "1e2", "--retry-budget: '1e2' is not a number"},
        {"--assert", "p99<1e3ms", "bad number"},
        {"--load", "1e3/s:10s", "'1e3' is not a rate"},
        {"--trigger", "terminate@1s:0x1p-1", "in plain decimal"},
        {"--trigger", "spike@1s+1s:1e3/s", "in plain decimal"},
        {"--metrics-addr", ":0x10", "the port is not 1..65535"},
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        char *argv[] = {"txstorm", "run", (char *)other[i].flag, (char *)other[i].value};
        expect_error(ARGC(argv), argv, other[i].says);
    }
    char *base[] = {"txstorm", "run", "--backoff", "none", "--backoff-base", "5ms"};
    expect_error(ARGC(base), base, "--backoff-base: has no effect with --backoff none");
    char *cap[] = {"txstorm", "demo", "--backoff-cap", "5ms", "--backoff", "none"};
    expect_error(ARGC(cap), cap, "--backoff-cap: has no effect with --backoff none");
    char *warm[] = {"txstorm", "run", "--warmup", "1s", "--transactions", "10"};
    expect_error(ARGC(warm), warm, "--warmup and --transactions");
    char *warm_ok[] = {"txstorm", "run", "--warmup", "1s", "--duration", "10s"};
    assert_int_equal(parse(ARGC(warm_ok), warm_ok), 0);
}

/* The reconnect loop's wait is a backoff of its own: by default what it
 * always was (full jitter, 50 ms up to 1 s), any policy of --backoff when
 * asked, and refused with the same rules as --backoff's flags. */
static void reconnect_backoff_is_a_policy(void **state)
{
    (void)state;
    char *def[] = {"txstorm", "run"};
    assert_int_equal(parse(ARGC(def), def), 0);
    assert_int_equal(cfg.reconnect_backoff.policy, BACKOFF_FULL_JITTER);
    assert_int_equal(cfg.reconnect_backoff.base_us, 50000);
    assert_int_equal(cfg.reconnect_backoff.cap_us, 1000000);

    char *set[] = {"txstorm", "run", "--reconnect-backoff", "exponential",
                   "--reconnect-backoff-base", "100ms", "--reconnect-backoff-cap", "5s"};
    assert_int_equal(parse(ARGC(set), set), 0);
    assert_int_equal(cfg.reconnect_backoff.policy, BACKOFF_EXPONENTIAL);
    assert_int_equal(cfg.reconnect_backoff.base_us, 100000);
    assert_int_equal(cfg.reconnect_backoff.cap_us, 5000000);
    /* The transactions' backoff is left alone. */
    assert_int_equal(cfg.backoff.policy, BACKOFF_FULL_JITTER);
    assert_int_equal(cfg.backoff.base_us, 2000);

    char *none[] = {"txstorm", "run", "--reconnect-backoff", "none"};
    assert_int_equal(parse(ARGC(none), none), 0);
    assert_int_equal(cfg.reconnect_backoff.policy, BACKOFF_NONE);

    char *unknown[] = {"txstorm", "run", "--reconnect-backoff", "linear"};
    expect_error(ARGC(unknown), unknown, "--reconnect-backoff: unknown policy 'linear'");
    char *idle[] = {"txstorm", "run", "--reconnect-backoff-cap", "2s", "--reconnect-backoff",
                    "none"};
    expect_error(ARGC(idle), idle,
                 "--reconnect-backoff-cap: has no effect with --reconnect-backoff none");
    char *below[] = {"txstorm", "run", "--reconnect-backoff-cap", "10ms"};
    expect_error(ARGC(below), below,
                 "--reconnect-backoff-cap: 10000us is below --reconnect-backoff-base 50000us");
    char *unit[] = {"txstorm", "run", "--reconnect-backoff-base", "50"};
    expect_error(ARGC(unit), unit, "--reconnect-backoff-base");
    char *demo[] = {"txstorm", "demo", "--reconnect-backoff", "none"};
    expect_error(ARGC(demo), demo, "--reconnect-backoff");
}

static void flag_table_is_well_formed(void **state)
{
    (void)state;
    const unsigned commands =
        ((1u << CMD_COUNT) - 1) & ~(1u << CMD_HELP | 1u << CMD_VERSION);
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        const char *n = f->name;
        if (n == NULL || strspn(n, "abcdefghijklmnopqrstuvwxyz-") != strlen(n) || n[0] == '-')
            fail_msg("row %d: bad name '%s'", i, n ? n : "(null)");
        if (f->commands == 0 || (f->commands & ~commands)) fail_msg("--%s: bad commands", n);
        const char *help = options_flag_help(f);
        if (help == NULL || help[0] == '\0') fail_msg("--%s: no help", n);
        if ((f->help == NULL) == (f->help_text == NULL)) fail_msg("--%s: help or help_text", n);
        if (f->def && strstr(help, "(default")) fail_msg("--%s: its default twice", n);
        if (f->def && f->doc_default) fail_msg("--%s: its README default twice", n);
        if (f->offset + f->size > sizeof(struct config)) fail_msg("--%s: lands outside", n);
        bool switch_ = f->kind == FLAG_SWITCH || (f->kind == FLAG_CUSTOM && f->arg == NULL);
        if (switch_ != (f->arg == NULL)) fail_msg("--%s: a value placeholder iff it takes one", n);
        if ((f->kind == FLAG_CUSTOM) != (f->parse != NULL)) fail_msg("--%s: parse iff custom", n);
        if (f->kind == FLAG_SWITCH && f->size != sizeof(bool)) fail_msg("--%s: not a bool", n);
        if (f->kind == FLAG_INT &&
            (f->min > f->max || (f->size != sizeof(int) && f->size != sizeof(int64_t))))
            fail_msg("--%s: bad int range or field", n);
        if (f->kind == FLAG_DOUBLE && (f->lo > f->hi || f->size != sizeof(double)))
            fail_msg("--%s: bad range or field", n);
        if (f->kind == FLAG_DURATION && f->size != sizeof(int64_t)) fail_msg("--%s: field", n);
        if (f->kind == FLAG_CHOICE &&
            (f->names == NULL || f->names[0] == NULL || f->names[1] == NULL || f->size != sizeof(int)))
            fail_msg("--%s: a choice needs two names and an enum", n);
        for (int j = 0; j < i; j++)
            if (strcmp(options_flags[j].name, n) == 0 && (options_flags[j].commands & f->commands))
                fail_msg("--%s: twice for one command", n);
        if (f->needs && flag_named(f->needs, f->commands) == NULL)
            fail_msg("--%s: needs an unknown flag --%s", n, f->needs);

        int records = 0;
        for (int r = 0; r < 2; r++) {
            const struct flag_record *rec = &f->record[r];
            if (rec->key == NULL) continue;
            records++;
            const struct flag_record *found;
            if (options_flag_recording(rec->key, &found) != f || found != rec)
                fail_msg("--%s: key %s recorded twice", n, rec->key);
            if (rec->as == AS_NONE || (rec->as == AS_NAME && f->names == NULL) ||
                rec->offset + rec->size > sizeof(struct config))
                fail_msg("--%s: key %s is recorded wrongly", n, rec->key);
        }
        const struct flag_shown *sh = &f->shown;
        if (sh->part != HEADER_NONE) {
            if (records == 0 || sh->phrase == NULL || count_conversions(sh->phrase) != records)
                fail_msg("--%s: its phrase needs one %%s per recorded key", n);
            if (sh->unset && (sh->when != WHEN_SET || count_conversions(sh->unset) != 0))
                fail_msg("--%s: bad unset phrase", n);
            if ((sh->when == WHEN_KEY_SET || sh->when == WHEN_KEY_UNSET) &&
                (sh->key == NULL || options_flag_recording(sh->key, NULL) == NULL))
                fail_msg("--%s: its phrase depends on an unrecorded key", n);
        }
        const char *other = f->same_as ? f->same_as : f->shown_via;
        if (other && flag_named(other, f->commands) == NULL) fail_msg("--%s: refers to unknown --%s", n, other);
        if (!(f->commands & (1u << CMD_RUN))) continue;
        /* A run flag: in the JSON config, or said not to be, or recorded as another. */
        if ((records > 0) + f->unrecorded + (f->same_as != NULL) != 1)
            fail_msg("--%s: record it, or mark it unrecorded or same_as", n);
        if (records > 0 && (sh->part != HEADER_NONE) + f->unshown + (f->shown_via != NULL) != 1)
            fail_msg("--%s: show it in the header, or mark it unshown or shown_via", n);
        if (records == 0 && sh->part != HEADER_NONE) fail_msg("--%s: shown but not recorded", n);
    }
}

static char *header_of(const json_t *config)
{
    struct run_summary s;
    memset(&s, 0, sizeof s);
    s.config = (json_t *)config;
    s.server_version = "15.0";
    s.elapsed_us = 2000000;
    if (!stats_init(&s.total, 3)) fail_msg("stats_init");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    report_print_text(f, &s);
    fclose(f);
    s.config = NULL;
    report_summary_free(&s);
    char *end = strstr(text, "\n\n"); /* the header ends at the first blank line */
    if (end) *end = '\0';
    return text;
}

/* Long, as a DSN may be: the header must not cut it. */
#define STRING_MARKER                                                                              \
    "zz-marker-host=a.very.long.host.name.example port=5432 user=someone dbname=somewhere "     \
    "sslmode=verify-full sslrootcert=/a/long/path/to/the/ca.crt"

/* A value of the key's type that counts as set (on) or unset. */
static json_t *marker(const struct flag_record *r, bool on)
{
    const struct flag *f = options_flag_recording(r->key, NULL);
    switch (r->as) {
    case AS_INT:
        return json_integer(on ? 77 : 0);
    case AS_ID:
        return json_string(on ? "77" : "0");
    case AS_REAL:
    case AS_MS:
    case AS_S:
        return json_real(on ? 77 : 0);
    case AS_BOOL:
        return json_boolean(on);
    default:
        return json_string(on ? STRING_MARKER : f->names ? f->names[0] : "");
    }
}

/* What merge lets differ between the instances of one run: each process's
 * share of the load and its identity, nothing about the workload. */
static void per_instance_keys_are_the_shares(void **state)
{
    (void)state;
    const char *keys[] = {"db", "workers", "seed", "transactions_target", "instance", "threads"};
    int marked = 0;
    for (int i = 0; i < options_n_flags; i++)
        for (int r = 0; r < 2; r++)
            marked += options_flags[i].record[r].per_instance;
    assert_int_equal(marked, (int)(sizeof keys / sizeof keys[0]));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const struct flag_record *rec;
        if (options_flag_recording(keys[k], &rec) == NULL || !rec->per_instance)
            fail_msg("%s: not marked per instance", keys[k]);
    }
}

static void every_flag_reaches_help_json_and_header(void **state)
{
    (void)state;
    for (int c = CMD_INIT; c <= CMD_MERGE; c++) {
        const char *usage = options_usage((enum command)c);
        for (int i = 0; i < options_n_flags; i++) {
            char head[64];
            snprintf(head, sizeof head, "  --%s ", options_flags[i].name);
            if ((options_flags[i].commands & (1u << c)) && strstr(usage, head) == NULL)
                fail_msg("--%s is missing from the help of command %d", options_flags[i].name, c);
        }
    }

    char *argv[] = {"txstorm", "run"};
    assert_int_equal(parse(ARGC(argv), argv), 0);
    struct text_list redacted = {.items = {"host=h"}, .n = 1};
    json_t *config = report_config_json(&cfg, &redacted, 9, 10, 1);
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        for (int r = 0; r < 2; r++)
            if (f->record[r].key && json_object_get(config, f->record[r].key) == NULL)
                fail_msg("--%s: %s is missing from the JSON config", f->name, f->record[r].key);
        if (f->shown.part == HEADER_NONE) continue;
        /* Its recorded values made distinctive, its phrase must be in the header. */
        json_t *c = json_deep_copy(config);
        const struct flag_record *dep;
        if (f->shown.key && options_flag_recording(f->shown.key, &dep))
            json_object_set_new(c, f->shown.key, marker(dep, f->shown.when == WHEN_KEY_SET));
        const char *v[2] = {"", ""};
        for (int r = 0; r < 2; r++) {
            if (f->record[r].key == NULL) continue;
            json_t *m = marker(&f->record[r], true);
            v[r] = json_is_string(m) && f->record[r].as != AS_ID ? STRING_MARKER : "77";
            json_object_set_new(c, f->record[r].key, m);
        }
        char phrase[512];
        snprintf(phrase, sizeof phrase, f->shown.phrase, v[0], v[1]);
        char *header = header_of(c);
        if (strstr(header, phrase) == NULL)
            fail_msg("--%s: '%s' is missing from the header:\n%s", f->name, phrase, header);
        free(header);
        json_decref(c);
    }
    json_decref(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_the_documentation),
        cmocka_unit_test(every_flag_is_read),
        cmocka_unit_test(dsn_comes_from_flag_then_environment),
        cmocka_unit_test(db_repeats_for_run_only),
        cmocka_unit_test(a_label_names_the_result_before_it),
        cmocka_unit_test(help_and_version),
        cmocka_unit_test(bad_commands_and_flags),
        cmocka_unit_test(bad_numbers),
        cmocka_unit_test(bad_amounts),
        cmocka_unit_test(bad_durations),
        cmocka_unit_test(init_total_must_fit),
        cmocka_unit_test(later_flags_refuse_bad_input),
        cmocka_unit_test(contention_flags_are_read),
        cmocka_unit_test(contention_flags_refuse_bad_input),
        cmocka_unit_test(query_mode_is_read_and_simple_refuses_pipelined),
        cmocka_unit_test(numbers_are_decimal_and_no_flag_is_ignored),
        cmocka_unit_test(a_flag_that_takes_one_value_is_given_once),
        cmocka_unit_test(a_dash_is_no_output_file),
        cmocka_unit_test(a_spike_only_raises_the_rate),
        cmocka_unit_test(a_share_of_the_workers_ends_at_least_one),
        cmocka_unit_test(reconnect_backoff_is_a_policy),
        cmocka_unit_test(flag_table_is_well_formed),
        cmocka_unit_test(every_flag_reaches_help_json_and_header),
        cmocka_unit_test(per_instance_keys_are_the_shares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
