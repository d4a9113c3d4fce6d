/* The --trigger kinds, one row each: their notation, arguments and help.
 * A new kind is a row here and one in the injector's actions. */
#include "txstorm/trigger.h"

#include "txstorm/command.h"
#include "txstorm/decimal.h"

#include <stdio.h>
#include <string.h>

static bool lock_rows_parse(const char *arg, struct trigger *t)
{
    int64_t k;
    if (decimal_parse_whole(arg, strlen(arg), &k) != 0 || k < 1 || k > 1000000) return false;
    t->rows = k;
    return true;
}

/* Left out (0), the injector locks the hot set: the notation writes nothing. */
static void lock_rows_write(const struct trigger *t, char *out, size_t len)
{
    if (t->rows)
        snprintf(out, len, "%lld", (long long)t->rows);
    else
        snprintf(out, len, "%s", "");
}

static void lock_rows_show(const struct trigger *t, int64_t rows, char *out, size_t len)
{
    (void)t;
    snprintf(out, len, "%lld rows", (long long)rows);
}

static bool terminate_parse(const char *arg, struct trigger *t)
{
    double share;
    if (decimal_parse(arg, strlen(arg), &share) != 0 || !(share > 0 && share <= 1)) return false;
    t->share = share;
    return true;
}

static void terminate_write(const struct trigger *t, char *out, size_t len)
{
    decimal_format(t->share, out, len);
}

static bool spike_parse(const char *arg, struct trigger *t)
{
    size_t len = strlen(arg);
    double rate;
    if (len < 2 || strcmp(arg + len - 2, "/s") != 0 || decimal_parse(arg, len - 2, &rate) != 0 ||
        !(rate > 0 && rate <= 1e9))
        return false;
    t->rate_per_s = rate;
    return true;
}

static void spike_write(const struct trigger *t, char *out, size_t len)
{
    char rate[64];
    decimal_format(t->rate_per_s, rate, sizeof rate);
    snprintf(out, len, "%s/s", rate);
}

static double spike_offered_per_s(const struct trigger *t) { return t->rate_per_s; }

#define TEXT_OF(x) #x
#define NUMBER_TEXT(x) TEXT_OF(x)
#define WORDS NUMBER_TEXT(COMMAND_WORDS_MAX)
#define BYTES NUMBER_TEXT(TRIGGER_COMMAND_MAX)

/* A command of at least one word, none too many, that fits. */
static bool exec_parse(const char *arg, struct trigger *t)
{
    char buf[TRIGGER_COMMAND_MAX], *argv[COMMAND_WORDS_MAX + 1];
    if (strlen(arg) >= sizeof t->command ||
        command_words(arg, buf, sizeof buf, argv, COMMAND_WORDS_MAX) < 1)
        return false;
    memcpy(t->command, arg, strlen(arg) + 1);
    return true;
}

static void exec_write(const struct trigger *t, char *out, size_t len)
{
    snprintf(out, len, "%s", t->command);
}

/* The two locks are taken in the injector's one transaction. */
#define INJECTOR_TRANSACTION "the injector's transaction"

const struct trigger_kind_def trigger_kinds[TRIGGER_N_KINDS] = {
    [TRIGGER_LOCK_ROWS] = {.name = "lock-rows",
                           .arg = TRIGGER_ARG_OPTIONAL,
                           .arg_name = "K",
                           .arg_takes = "a whole number of rows in 1..1000000",
                           .parse_arg = lock_rows_parse,
                           .write_arg = lock_rows_write,
                           .show_arg = lock_rows_show,
                           .resource = INJECTOR_TRANSACTION,
                           .example = "lock-rows@10s+3s",
                           .help = "holds accounts 1..K's row locks (K: the hot set)",
                           .doc =
                               "holds `SELECT ... FOR UPDATE` on accounts 1..K (default: the hot "
                               "set of `hot:K`/`hotspot:K:P`, else 10) for the span"},
    [TRIGGER_LOCK_TABLE] = {.name = "lock-table",
                            .arg = TRIGGER_ARG_NONE,
                            .arg_takes = "no argument",
                            .resource = INJECTOR_TRANSACTION,
                            .example = "lock-table@10s+2s",
                            .help = "holds LOCK TABLE accounts IN EXCLUSIVE MODE",
                            .doc = "holds `LOCK TABLE accounts IN EXCLUSIVE MODE`: every transfer "
                                   "writes, so all wait; plain reads (the auditor) do not, as they "
                                   "would under ACCESS EXCLUSIVE"},
    [TRIGGER_TERMINATE] = {.name = "terminate",
                           .instantaneous = true,
                           .arg = TRIGGER_ARG_REQUIRED,
                           .arg_takes =
                               "a share of the workers in (0,1], in plain decimal (e.g. 0.5)",
                           .arg_needs = "the share of workers",
                           .parse_arg = terminate_parse,
                           .write_arg = terminate_write,
                           .example = "terminate@12s:0.5",
                           .help = "ends that share of this run's worker sessions",
                           .doc = "`pg_terminate_backend()` on that share of *this run's* worker "
                                  "sessions on every endpoint (their backend PIDs, each ended "
                                  "through a connection to its own endpoint, and only sessions "
                                  "named `txstorm-worker` on this database; with `--instance`, "
                                  "every instance's, taken round robin over the instances); the "
                                  "share of the W workers connected ends round(share × W) of them, "
                                  "a half rounded up (0.5 of 3 is 2), taken in the workers' order, "
                                  "which goes round the endpoints; instantaneous"},
    [TRIGGER_SPIKE] = {.name = "spike",
                       .arg = TRIGGER_ARG_REQUIRED,
                       .arg_takes = "a rate in plain decimal with its unit, e.g. 2000/s",
                       .arg_needs = "a rate",
                       .parse_arg = spike_parse,
                       .write_arg = spike_write,
                       .offered_per_s = spike_offered_per_s,
                       .example = "spike@10s+5s:2000/s",
                       .help = "offers that rate over the span (--rate, --load)",
                       .doc = "offers that rate over the span, over the phases of `--load` or the "
                              "rate of `--rate`; needs one of them, and must be above the rate it "
                              "replaces throughout its window (a spike raises the rate; a dip is a "
                              "`--load` phase)"},
    [TRIGGER_EXEC] = {.name = "exec",
                      .span_optional = true,
                      .arg = TRIGGER_ARG_REQUIRED,
                      .arg_takes =
                          "a command of at most " WORDS " words, shorter than " BYTES " bytes",
                      .arg_needs = "a command",
                      .parse_arg = exec_parse,
                      .write_arg = exec_write,
                      .example = "exec@10s:pg_ctl restart",
                      .help = "runs it as you, no shell, killed at AT+SPAN (default 60 s)",
                      .doc = "runs COMMAND, any outside fault (`pg_ctl restart -D /pgdata -m "
                             "fast`, `patronictl -c /etc/patroni.yml switchover --force`, "
                             "`systemctl reload pgbouncer`), once for a run of several instances "
                             "(instance 0's injector runs it); its window is from its start to its "
                             "exit; an optional +SPAN is its deadline (default 60 s): still "
                             "running at AT+SPAN, it is ended (see below)"},
};
