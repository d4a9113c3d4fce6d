/* Command-line parsing into a validated struct config. */
#include "txstorm/options.h"
#include "txstorm/compare.h"
#include "txstorm/dsn.h"
#include "txstorm/errbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS OPTIONS_MAX_WORKERS
#define MAX_ACCOUNTS 1000000000LL
#define MAX_DURATION_US (366LL * 24 * 3600 * 1000000)

/* Which commands accept a flag. */
enum {
    F_INIT = 1 << CMD_INIT,
    F_RUN = 1 << CMD_RUN,
    F_CHECK = 1 << CMD_CHECK,
    F_DEMO = 1 << CMD_DEMO,
    F_REPORT = 1 << CMD_REPORT,
    F_MERGE = 1 << CMD_MERGE,
    F_COMPARE = 1 << CMD_COMPARE
};
#define F_DB (F_INIT | F_RUN | F_CHECK | F_DEMO)
#define F_RESULTS (F_RUN | F_REPORT | F_MERGE)

enum flag_id {
    O_DB,
    O_ACCOUNTS,
    O_BALANCE,
    O_DROP,
    O_WORKERS,
    O_DURATION,
    O_TRANSACTIONS,
    O_HOT,
    O_AMOUNT,
    O_MAX_RETRIES,
    O_BACKOFF,
    O_BACKOFF_BASE,
    O_BACKOFF_CAP,
    O_SEED,
    O_JSON,
    O_PROGRESS_EVERY,
    O_SIG_FIGS,
    O_SKEW,
    O_AMOUNT_MODE,
    O_AMOUNT_FRACTION,
    O_SHAPE,
    O_LOCK_ORDER,
    O_ISOLATION,
    O_THINK_TIME,
    O_RETRY_PROTOCOL,
    O_RETRY_ON,
    O_RETRY_BUDGET,
    O_RETRY_BUDGET_REFUND,
    O_INJECT_RETRY,
    O_RATE,
    O_ARRIVAL,
    O_WARMUP,
    O_CSV,
    O_HGRM,
    O_ASSERT,
    O_LEDGER,
    O_ALLOW_OVERDRAFT,
    O_AUDIT_EVERY,
    O_AUDIT_AS_OF,
    O_WRITE_MODE,
    O_RESULT,
    O_RECONNECT_TIMEOUT,
    O_STALL_TIMEOUT,
    O_STATEMENT_TIMEOUT,
    O_INSTANCE,
    O_BARRIER_TIMEOUT,
    O_THREADS,
    O_FORMAT,
    O_MAX_FAILED,
    O_FLAG_COUNT
};

struct flag {
    const char *name;
    enum flag_id id;
    int commands;
    bool takes_value;
};

static const struct flag flags[] = {
    {"db", O_DB, F_DB, true},
    {"accounts", O_ACCOUNTS, F_INIT, true},
    {"balance", O_BALANCE, F_INIT, true},
    {"drop", O_DROP, F_INIT, false},
    {"workers", O_WORKERS, F_RUN, true},
    {"threads", O_THREADS, F_RUN, true},
    {"duration", O_DURATION, F_RUN, true},
    {"transactions", O_TRANSACTIONS, F_RUN, true},
    {"hot", O_HOT, F_RUN, true},
    {"amount", O_AMOUNT, F_RUN, true},
    {"max-retries", O_MAX_RETRIES, F_RUN | F_DEMO, true},
    {"backoff", O_BACKOFF, F_RUN | F_DEMO, true},
    {"backoff-base", O_BACKOFF_BASE, F_RUN | F_DEMO, true},
    {"backoff-cap", O_BACKOFF_CAP, F_RUN | F_DEMO, true},
    {"seed", O_SEED, F_RUN, true},
    {"json", O_JSON, F_RUN | F_MERGE, true},
    {"progress-every", O_PROGRESS_EVERY, F_RUN, true},
    {"sig-figs", O_SIG_FIGS, F_RUN, true},
    {"skew", O_SKEW, F_RUN, true},
    {"amount-mode", O_AMOUNT_MODE, F_RUN, true},
    {"amount-fraction", O_AMOUNT_FRACTION, F_RUN, true},
    {"shape", O_SHAPE, F_RUN, true},
    {"lock-order", O_LOCK_ORDER, F_RUN, true},
    {"isolation", O_ISOLATION, F_RUN, true},
    {"think-time", O_THINK_TIME, F_RUN, true},
    {"retry-protocol", O_RETRY_PROTOCOL, F_RUN, true},
    {"retry-on", O_RETRY_ON, F_RUN, true},
    {"retry-budget", O_RETRY_BUDGET, F_RUN, true},
    {"retry-budget-refund", O_RETRY_BUDGET_REFUND, F_RUN, true},
    {"inject-retry", O_INJECT_RETRY, F_RUN, true},
    {"rate", O_RATE, F_RUN, true},
    {"arrival", O_ARRIVAL, F_RUN, true},
    {"warmup", O_WARMUP, F_RUN, true},
    {"csv", O_CSV, F_RUN, true},
    {"hgrm", O_HGRM, F_RESULTS, true},
    {"assert", O_ASSERT, F_RESULTS, true},
    {"ledger", O_LEDGER, F_RUN | F_CHECK, false},
    {"allow-overdraft", O_ALLOW_OVERDRAFT, F_RUN | F_CHECK, false},
    {"audit-every", O_AUDIT_EVERY, F_RUN, true},
    {"audit-as-of", O_AUDIT_AS_OF, F_RUN, true},
    {"write-mode", O_WRITE_MODE, F_RUN, true},
    {"result", O_RESULT, F_CHECK, true},
    {"reconnect-timeout", O_RECONNECT_TIMEOUT, F_RUN, true},
    {"stall-timeout", O_STALL_TIMEOUT, F_RUN, true},
    {"statement-timeout", O_STATEMENT_TIMEOUT, F_RUN, true},
    {"instance", O_INSTANCE, F_RUN, true},
    {"barrier-timeout", O_BARRIER_TIMEOUT, F_RUN, true},
    {"format", O_FORMAT, F_COMPARE, true},
    {"max-failed", O_MAX_FAILED, F_COMPARE, true},
};

/* Names of the enumerated flags' values, indexed by the enum. */
static const char *const shape_names[] = {"interactive", "for-update", "single", "pipelined"};
static const char *const lock_order_names[] = {"random", "ordered"};
static const char *const isolation_names[] = {"serializable", "repeatable-read", "read-committed"};
static const char *const protocol_names[] = {"restart", "savepoint"};
static const char *const amount_mode_names[] = {"range", "fraction"};
static const char *const arrival_names[] = {"fixed", "poisson"};
static const char *const write_mode_names[] = {"relative", "absolute"};
static const char *const compare_format_names[] = {
    [COMPARE_TEXT] = "text", [COMPARE_CSV] = "csv", [COMPARE_MARKDOWN] = "markdown",
    [COMPARE_VERDICTS] = "verdicts"};

#define N_NAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *options_shape_name(enum txn_shape v) { return shape_names[v]; }
const char *options_lock_order_name(enum lock_order v) { return lock_order_names[v]; }
const char *options_isolation_name(enum isolation v) { return isolation_names[v]; }
const char *options_protocol_name(enum retry_protocol v) { return protocol_names[v]; }
const char *options_arrival_name(enum arrival v) { return arrival_names[v]; }
const char *options_write_mode_name(enum write_mode v) { return write_mode_names[v]; }

static const char *const command_names[] = {
    [CMD_HELP] = "help",     [CMD_VERSION] = "version", [CMD_INIT] = "init",
    [CMD_RUN] = "run",       [CMD_CHECK] = "check",     [CMD_DEMO] = "demo",
    [CMD_REPORT] = "report", [CMD_MERGE] = "merge",     [CMD_COMPARE] = "compare",
};

int options_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (s == NULL || *s == '\0') return -1;
    const char *p = s;
    if (*p == '-') p++;
    if (*p < '0' || *p > '9') return -1; /* rejects "+1", " 1", "-" */
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0') return -1;
    if (errno == ERANGE || v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_double(const char *s, double min, double max, double *out)
{
    if (s == NULL || ((*s < '0' || *s > '9') && *s != '.' && *s != '-')) return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s || v != v) return -1; /* v != v: NaN */
    if (errno == ERANGE || v < min || v > max) return -2;
    *out = v;
    return 0;
}

int options_parse_duration_us(const char *s, int64_t *out_us)
{
    static const struct {
        const char *suffix;
        int64_t us;
    } units[] = {{"us", 1}, {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000LL}};

    if (s == NULL || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno == ERANGE) return -2;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            if (n > (unsigned long long)(MAX_DURATION_US / units[i].us)) return -2;
            *out_us = (int64_t)n * units[i].us;
            return 0;
        }
    }
    return -1;
}

static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->accounts = 1000;
    cfg->balance = 1000;
    cfg->workers = 16;
    cfg->duration_us = 30LL * 1000000;
    cfg->skew = (struct skew){.kind = SKEW_HOT, .hot = 10};
    cfg->amount_mode = AMOUNT_RANGE;
    cfg->amount_lo = 1;
    cfg->amount_hi = 100;
    cfg->amount_fraction = 0.5;
    cfg->retry_on = classify_default_retry_set();
    cfg->budget_refund = 0.1;
    cfg->reconnect_timeout_us = 30LL * 1000000;
    cfg->instances = 1;
    cfg->barrier_timeout_us = 60LL * 1000000;
    cfg->max_retries = 10;
    cfg->backoff.policy = BACKOFF_FULL_JITTER;
    cfg->backoff.base_us = 2000;
    cfg->backoff.cap_us = 100000;
    cfg->progress_us = 1000000;
    cfg->sig_figs = 3;
    cfg->max_failed_pct = 1;
}

static int int_flag(const char *name, const char *v, int64_t min, int64_t max, int64_t *out,
                    char *err, size_t err_len)
{
    int rc = options_parse_int(v, min, max, out);
    if (rc == -1) return errbuf_fail(err, err_len, "--%s: '%s' is not a whole number", name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is out of range (%lld..%lld)", name, v,
                           (long long)min, (long long)max);
    return 0;
}

static int double_flag(const char *name, const char *v, double min, double max, double *out,
                       char *err, size_t err_len)
{
    int rc = options_parse_double(v, min, max, out);
    if (rc == -1) return errbuf_fail(err, err_len, "--%s: '%s' is not a number", name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is out of range (%g..%g)", name, v, min, max);
    return 0;
}

/* One of names[0..n-1]; stores its index. */
static int choice_flag(const char *name, const char *v, const char *const names[], int n, int *out,
                       char *err, size_t err_len)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char list[160] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    return errbuf_fail(err, err_len, "--%s: unknown value '%s' (%s)", name, v, list);
}

static int duration_flag(const char *name, const char *v, int64_t *out, char *err, size_t err_len)
{
    int rc = options_parse_duration_us(v, out);
    if (rc == -1)
        return errbuf_fail(
            err, err_len,
            "--%s: '%s' is not a duration (a whole number with a unit: us, ms, s, m, h)", name, v);
    if (rc == -2)
        return errbuf_fail(err, err_len, "--%s: %s is too long (at most 366 days)", name, v);
    return 0;
}

/* "LO..HI" or a single "N". */
static int amount_flag(const char *v, struct config *cfg, char *err, size_t err_len)
{
    char lo[32], hi[32];
    const char *dots = strstr(v, "..");
    if (dots == NULL) {
        snprintf(lo, sizeof lo, "%s", v);
        snprintf(hi, sizeof hi, "%s", v);
    } else {
        size_t n = (size_t)(dots - v);
        if (n >= sizeof lo || strlen(dots + 2) >= sizeof hi)
            return errbuf_fail(err, err_len, "--amount: '%s' is not LO..HI", v);
        memcpy(lo, v, n);
        lo[n] = '\0';
        snprintf(hi, sizeof hi, "%s", dots + 2);
    }
    if (int_flag("amount", lo, 1, INT32_MAX, &cfg->amount_lo, err, err_len) ||
        int_flag("amount", hi, 1, INT32_MAX, &cfg->amount_hi, err, err_len))
        return -1;
    if (cfg->amount_lo > cfg->amount_hi)
        return errbuf_fail(err, err_len, "--amount: low end %lld is above high end %lld",
                           (long long)cfg->amount_lo, (long long)cfg->amount_hi);
    return 0;
}

static int apply_flag(enum flag_id id, const char *name, const char *v, struct config *cfg,
                      char *err, size_t err_len)
{
    int64_t n = 0;
    switch (id) {
    case O_DB:
        cfg->dsn = v;
        return 0;
    case O_ACCOUNTS:
        return int_flag(name, v, 2, MAX_ACCOUNTS, &cfg->accounts, err, err_len);
    case O_BALANCE:
        return int_flag(name, v, 0, INT32_MAX, &cfg->balance, err, err_len);
    case O_DROP:
        cfg->drop = true;
        return 0;
    case O_WORKERS:
        if (int_flag(name, v, 1, MAX_WORKERS, &n, err, err_len)) return -1;
        cfg->workers = (int)n;
        return 0;
    case O_THREADS:
        if (int_flag(name, v, 1, OPTIONS_MAX_THREADS, &n, err, err_len)) return -1;
        cfg->threads = (int)n;
        return 0;
    case O_DURATION:
        if (duration_flag(name, v, &cfg->duration_us, err, err_len)) return -1;
        if (cfg->duration_us == 0)
            return errbuf_fail(err, err_len, "--duration: must be above zero");
        return 0;
    case O_TRANSACTIONS:
        return int_flag(name, v, 1, INT64_MAX, &cfg->transactions, err, err_len);
    case O_HOT:
        if (int_flag(name, v, 2, MAX_ACCOUNTS, &n, err, err_len)) return -1;
        cfg->skew = (struct skew){.kind = SKEW_HOT, .hot = n};
        return 0;
    case O_AMOUNT:
        return amount_flag(v, cfg, err, err_len);
    case O_MAX_RETRIES:
        if (int_flag(name, v, 0, 1000000, &n, err, err_len)) return -1;
        cfg->max_retries = (int)n;
        return 0;
    case O_BACKOFF:
        if (backoff_policy_parse(v, &cfg->backoff.policy) != 0)
            return errbuf_fail(err, err_len,
                               "--backoff: unknown policy '%s' (none, constant, exponential, "
                               "full-jitter, equal-jitter, decorrelated-jitter)",
                               v);
        return 0;
    case O_BACKOFF_BASE:
        return duration_flag(name, v, &cfg->backoff.base_us, err, err_len);
    case O_BACKOFF_CAP:
        return duration_flag(name, v, &cfg->backoff.cap_us, err, err_len);
    case O_SEED:
        if (int_flag(name, v, 0, INT64_MAX, &n, err, err_len)) return -1;
        cfg->seed = (uint64_t)n;
        cfg->seed_given = true;
        return 0;
    case O_JSON:
        if (*v == '\0') return errbuf_fail(err, err_len, "--json: needs a file name");
        cfg->json_path = v;
        return 0;
    case O_PROGRESS_EVERY:
        if (strcmp(v, "0") == 0) {
            cfg->progress_us = 0;
            return 0;
        }
        return duration_flag(name, v, &cfg->progress_us, err, err_len);
    case O_SIG_FIGS:
        if (int_flag(name, v, 1, 5, &n, err, err_len)) return -1;
        cfg->sig_figs = (int)n;
        return 0;
    case O_SKEW:
        return workload_parse_skew(v, &cfg->skew, err, err_len);
    case O_AMOUNT_MODE:
        return choice_flag(name, v, amount_mode_names, N_NAMES(amount_mode_names),
                           (int *)&cfg->amount_mode, err, err_len);
    case O_AMOUNT_FRACTION:
        if (double_flag(name, v, 0, 1, &cfg->amount_fraction, err, err_len)) return -1;
        if (cfg->amount_fraction <= 0)
            return errbuf_fail(err, err_len, "--%s: must be above 0", name);
        return 0;
    case O_SHAPE:
        return choice_flag(name, v, shape_names, N_NAMES(shape_names), (int *)&cfg->spec.shape, err,
                           err_len);
    case O_LOCK_ORDER:
        return choice_flag(name, v, lock_order_names, N_NAMES(lock_order_names),
                           (int *)&cfg->spec.lock_order, err, err_len);
    case O_ISOLATION:
        return choice_flag(name, v, isolation_names, N_NAMES(isolation_names),
                           (int *)&cfg->spec.isolation, err, err_len);
    case O_THINK_TIME:
        return duration_flag(name, v, &cfg->spec.think_us, err, err_len);
    case O_RETRY_PROTOCOL:
        return choice_flag(name, v, protocol_names, N_NAMES(protocol_names), (int *)&cfg->protocol,
                           err, err_len);
    case O_RETRY_ON:
        return classify_parse_retry_set(v, &cfg->retry_on, err, err_len);
    case O_RETRY_BUDGET:
        if (double_flag(name, v, 0, 1e9, &cfg->budget_tokens, err, err_len)) return -1;
        if (cfg->budget_tokens < 1)
            return errbuf_fail(err, err_len, "--%s: needs at least 1 token", name);
        return 0;
    case O_RETRY_BUDGET_REFUND:
        return double_flag(name, v, 0, 1e6, &cfg->budget_refund, err, err_len);
    case O_INJECT_RETRY:
        return double_flag(name, v, 0, 1, &cfg->inject_retry, err, err_len);
    case O_RATE:
        /* At least one transaction a day per worker keeps every schedule in range. */
        return double_flag(name, v, 0.001, 1e9, &cfg->rate, err, err_len);
    case O_ARRIVAL:
        return choice_flag(name, v, arrival_names, N_NAMES(arrival_names), (int *)&cfg->arrival,
                           err, err_len);
    case O_WARMUP:
        return duration_flag(name, v, &cfg->warmup_us, err, err_len);
    case O_CSV:
    case O_HGRM:
        if (*v == '\0') return errbuf_fail(err, err_len, "--%s: needs a file name", name);
        *(id == O_CSV ? &cfg->csv_path : &cfg->hgrm_path) = v;
        return 0;
    case O_ASSERT:
        if (cfg->n_asserts == OPTIONS_MAX_ASSERTS)
            return errbuf_fail(err, err_len, "--assert: at most %d", OPTIONS_MAX_ASSERTS);
        return assertion_parse(v, &cfg->asserts[cfg->n_asserts++], err, err_len);
    case O_LEDGER:
        cfg->ledger = cfg->spec.ledger = true;
        return 0;
    case O_ALLOW_OVERDRAFT:
        cfg->allow_overdraft = true;
        return 0;
    case O_AUDIT_EVERY:
        if (duration_flag(name, v, &cfg->audit_us, err, err_len)) return -1;
        if (cfg->audit_us == 0)
            return errbuf_fail(err, err_len, "--audit-every: must be above zero");
        return 0;
    case O_AUDIT_AS_OF: {
        /* It is spliced into SQL as a literal, so only "-<digits><unit>" passes. */
        int64_t us;
        if (v[0] != '-' || options_parse_duration_us(v + 1, &us) != 0)
            return errbuf_fail(err, err_len,
                               "--audit-as-of: '%s' is not a negative interval like -1s", v);
        cfg->audit_as_of = v;
        return 0;
    }
    case O_WRITE_MODE:
        return choice_flag(name, v, write_mode_names, N_NAMES(write_mode_names),
                           (int *)&cfg->spec.write_mode, err, err_len);
    case O_RESULT:
        if (cfg->n_inputs == OPTIONS_MAX_INPUTS)
            return errbuf_fail(err, err_len, "--result: at most %d", OPTIONS_MAX_INPUTS);
        if (*v == '\0') return errbuf_fail(err, err_len, "--result: needs a file name");
        cfg->inputs[cfg->n_inputs++] = v;
        return 0;
    case O_RECONNECT_TIMEOUT:
        return duration_flag(name, v, &cfg->reconnect_timeout_us, err, err_len);
    case O_STALL_TIMEOUT:
        return duration_flag(name, v, &cfg->stall_timeout_us, err, err_len);
    case O_STATEMENT_TIMEOUT:
        return duration_flag(name, v, &cfg->spec.statement_timeout_us, err, err_len);
    case O_INSTANCE: {
        /* "I/N": this process is instance I (from 0) of N. */
        char i_s[16], n_s[16];
        const char *slash = strchr(v, '/');
        if (slash == NULL || (size_t)(slash - v) >= sizeof i_s || strlen(slash + 1) >= sizeof n_s)
            return errbuf_fail(err, err_len, "--instance: '%s' is not I/N (e.g. 0/3)", v);
        memcpy(i_s, v, (size_t)(slash - v));
        i_s[slash - v] = '\0';
        snprintf(n_s, sizeof n_s, "%s", slash + 1);
        int64_t i, count;
        if (options_parse_int(n_s, 1, OPTIONS_MAX_INSTANCES, &count) != 0 ||
            options_parse_int(i_s, 0, count - 1, &i) != 0)
            return errbuf_fail(err, err_len, "--instance: '%s' is not I/N with 0 <= I < N <= %d", v,
                               OPTIONS_MAX_INSTANCES);
        cfg->instance = (int)i;
        cfg->instances = (int)count;
        return 0;
    }
    case O_BARRIER_TIMEOUT:
        return duration_flag(name, v, &cfg->barrier_timeout_us, err, err_len);
    case O_FORMAT:
        return choice_flag(name, v, compare_format_names, N_NAMES(compare_format_names),
                           &cfg->compare_format, err, err_len);
    case O_MAX_FAILED:
        return double_flag(name, v, 0, 100, &cfg->max_failed_pct, err, err_len);
    case O_FLAG_COUNT:
        break;
    }
    return 0;
}

/* Cross-flag rules, checked once every flag is read. */
static int validate(struct config *cfg, const bool seen[], char *err, size_t err_len)
{
    /* --accounts <= 1e9 and --balance <= 2^31-1 keep the total within int64. */
    if (cfg->command == CMD_REPORT && cfg->n_inputs != 1)
        return errbuf_fail(err, err_len, "report: needs exactly one result file, got %d",
                           cfg->n_inputs);
    if (cfg->command == CMD_MERGE && cfg->n_inputs < 1)
        return errbuf_fail(err, err_len, "merge: needs at least one result file");
    if (cfg->command == CMD_COMPARE && cfg->n_inputs < 1)
        return errbuf_fail(err, err_len, "compare: needs at least one result file");
    if (cfg->command == CMD_CHECK && cfg->n_inputs > 0 && !cfg->ledger)
        return errbuf_fail(err, err_len, "--result: needs --ledger");
    if (cfg->command != CMD_RUN) return 0;
    if (seen[O_INSTANCE] && !cfg->seed_given)
        return errbuf_fail(err, err_len,
                           "--instance: needs --seed (the instances share it; it also names "
                           "their barrier)");
    if (seen[O_BARRIER_TIMEOUT] && !seen[O_INSTANCE])
        return errbuf_fail(err, err_len, "--barrier-timeout: needs --instance");
    if (seen[O_AUDIT_AS_OF] && !seen[O_AUDIT_EVERY])
        return errbuf_fail(err, err_len, "--audit-as-of: needs --audit-every");
    if (seen[O_ARRIVAL] && !seen[O_RATE])
        return errbuf_fail(err, err_len, "--arrival: needs --rate");

    if (seen[O_DURATION] && seen[O_TRANSACTIONS])
        return errbuf_fail(err, err_len, "--duration and --transactions: give one, not both");
    if (seen[O_TRANSACTIONS]) cfg->duration_us = 0;
    if (seen[O_HOT] && seen[O_SKEW])
        return errbuf_fail(err, err_len,
                           "--hot and --skew: give one, not both (--hot K is --skew hot:K)");
    const struct txn_spec *spec = &cfg->spec;
    bool explicit_txn = spec->shape == SHAPE_INTERACTIVE || spec->shape == SHAPE_FOR_UPDATE;
    if (cfg->protocol == PROTOCOL_SAVEPOINT && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--retry-protocol savepoint: needs --shape interactive or for-update "
                           "(the %s shape has no client-visible transaction to roll back to)",
                           shape_names[spec->shape]);
    if (spec->think_us > 0 && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--think-time: the %s shape sends the transaction at once; "
                           "use --shape interactive or for-update",
                           shape_names[spec->shape]);
    if (spec->write_mode == WRITE_ABSOLUTE && !explicit_txn)
        return errbuf_fail(err, err_len,
                           "--write-mode absolute: needs --shape interactive or for-update "
                           "(it writes balances the client read)");
    if (cfg->amount_mode == AMOUNT_FRACTION && spec->shape == SHAPE_PIPELINED)
        return errbuf_fail(
            err, err_len,
            "--amount-mode fraction: the pipelined shape sends the amount before the "
            "balance is read; use another shape");
    if (seen[O_AMOUNT_FRACTION] && cfg->amount_mode != AMOUNT_FRACTION)
        return errbuf_fail(err, err_len, "--amount-fraction: needs --amount-mode fraction");
    if (seen[O_RETRY_BUDGET_REFUND] && !seen[O_RETRY_BUDGET])
        return errbuf_fail(err, err_len, "--retry-budget-refund: needs --retry-budget");
    if (cfg->backoff.cap_us < cfg->backoff.base_us)
        return errbuf_fail(err, err_len, "--backoff-cap: %lldus is below --backoff-base %lldus",
                           (long long)cfg->backoff.cap_us, (long long)cfg->backoff.base_us);
    return 0;
}

static const struct flag *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

int options_parse(int argc, char **argv, const char *env_database_url, struct config *cfg,
                  char *err, size_t err_len)
{
    set_defaults(cfg);
    cfg->dsn = (env_database_url && *env_database_url) ? env_database_url : NULL;
    if (argc < 2)
        return errbuf_fail(err, err_len,
                           "missing command (init, run, check, demo, report, merge, compare; see --help)");

    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cfg->command = CMD_HELP;
        cfg->help_for = CMD_HELP;
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        cfg->command = CMD_VERSION;
        return 0;
    }
    bool known = false;
    for (int c = CMD_INIT; c <= CMD_COMPARE; c++) {
        if (strcmp(cmd, command_names[c]) == 0) {
            cfg->command = (enum command)c;
            known = true;
        }
    }
    if (!known)
        return errbuf_fail(err, err_len,
                           "unknown command '%s' (init, run, check, demo, report, merge, compare)", cmd);

    bool seen[O_FLAG_COUNT] = {false};
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cfg->help_for = cfg->command;
            cfg->command = CMD_HELP;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0) {
            bool takes_files = cfg->command == CMD_REPORT || cfg->command == CMD_MERGE ||
                               cfg->command == CMD_COMPARE;
            if (!takes_files) {
                char shown[128]; /* it may be a DSN given without --db */
                dsn_redact(arg, shown, sizeof shown);
                return errbuf_fail(err, err_len, "unexpected argument '%s'", shown);
            }
            if (cfg->n_inputs == OPTIONS_MAX_INPUTS)
                return errbuf_fail(err, err_len, "%s: at most %d result files", cmd,
                                   OPTIONS_MAX_INPUTS);
            cfg->inputs[cfg->n_inputs++] = arg;
            continue;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct flag *f = find_flag(name, name_len);
        if (f == NULL || !(f->commands & (1 << cfg->command)))
            return errbuf_fail(err, err_len, "unknown flag '--%.*s' for 'txstorm %s'",
                               (int)name_len, name, cmd);
        const char *value = NULL;
        if (f->takes_value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                value = argv[++i];
            else
                return errbuf_fail(err, err_len, "--%s: missing its value", f->name);
        } else if (eq) {
            return errbuf_fail(err, err_len, "--%s: takes no value", f->name);
        }
        if (apply_flag(f->id, f->name, value, cfg, err, err_len) != 0) return -1;
        seen[f->id] = true;
    }
    return validate(cfg, seen, err, err_len);
}

static const char usage_main[] =
    "usage: txstorm COMMAND [flags]\n"
    "\n"
    "Provokes, measures and explains transaction contention on PostgreSQL-wire databases.\n"
    "\n"
    "commands:\n"
    "  init    create the bank (accounts table and metadata)\n"
    "  run     run contending transfers with retries, report, then check the bank\n"
    "  check   verify the bank's invariants in one consistent snapshot\n"
    "  demo    the classic hello-world: one transfer with a retry loop, balances before and after\n"
    "  report  re-print the report of a saved JSON result\n"
    "  merge   combine results of several txstorm processes into one exact report\n"
    "  compare compare retry/backoff policies across runs: table, CSV, verdicts\n"
    "\n"
    "connection (init, run, check, demo): --db DSN (libpq keyword string or postgresql:// URI);\n"
    "  else $DATABASE_URL; else libpq's PG* variables and defaults. Passwords are never printed.\n"
    "\n"
    "exit codes:\n"
    "  0 ok   1 an invariant is violated   2 usage error   3 database unreachable,\n"
    "  or bank missing/malformed   4 an --assert failed (1 takes precedence)\n"
    "\n"
    "`txstorm COMMAND --help` lists a command's flags.\n";

static const char usage_init[] =
    "usage: txstorm init [--db DSN] [--accounts N] [--balance B] [--drop]\n"
    "  --accounts N   number of accounts, ids 1..N (default 1000)\n"
    "  --balance B    starting balance of each account (default 1000)\n"
    "  --drop         replace an existing bank (otherwise init refuses, exit 2)\n"
    "Creation is one transaction: the bank is whole or absent.\n";

static const char usage_run[] =
    "usage: txstorm run [--db DSN] [flags]\n"
    "\n"
    "load:\n"
    "  --workers N            concurrent workers, one connection each (default 16)\n"
    "  --threads T            event-loop threads driving the workers' connections\n"
    "                         (default: one per 256 workers, at most one per CPU)\n"
    "  --duration D           run for D, e.g. 500ms, 30s, 2m, 1h (default 30s)\n"
    "  --transactions N       or: finish N transactions in total, split across workers\n"
    "  --seed N               makes the transfer choices reproducible (default: random, reported)\n"
    "\n"
    "who and how much:\n"
    "  --skew S               uniform | hot:K | hotspot:K:P | zipf:S (default hot:10)\n"
    "                         hot:K two distinct accounts from ids 1..K; hotspot:K:P both from\n"
    "                         1..K with probability P, else both from the rest; zipf:S Zipfian\n"
    "                         over all accounts with exponent S\n"
    "  --hot K                same as --skew hot:K\n"
    "  --amount LO..HI        amount uniform in LO..HI, or a single N (default 1..100)\n"
    "  --amount-mode M        range | fraction (default range)\n"
    "  --amount-fraction F    with fraction: move floor(F x source balance), 0<F<=1 (default 0.5)\n"
    "\n"
    "transaction shape:\n"
    "  --shape S              interactive | for-update | single | pipelined (default interactive)\n"
    "                         interactive: BEGIN; read source; check funds in the client; debit;\n"
    "                           credit; COMMIT, one round trip each\n"
    "                         for-update: the same, reading both rows FOR UPDATE in id order\n"
    "                         single: one UPDATE statement with the funds check, as an implicit\n"
    "                           transaction\n"
    "                         pipelined: BEGIN; read; guarded debit; credit; COMMIT in one round\n"
    "                           trip (libpq pipeline mode)\n"
    "  --lock-order O         random | ordered: updates in transfer order (deadlocks possible) or\n"
    "                         in id order (default random)\n"
    "  --isolation I          serializable | repeatable-read | read-committed (default "
    "serializable)\n"
    "  --think-time D         pause between statements inside a transaction (default 0)\n"
    "\n"
    "retries:\n"
    "  --retry-protocol P     restart: ROLLBACK, back off, run again (default)\n"
    "                         savepoint: CockroachDB's SAVEPOINT cockroach_restart protocol\n"
    "  --retry-on LIST        classes retried: serialization,deadlock (default); also constraint,\n"
    "                         other. Ambiguous and connection errors are never retried in place\n"
    "  --max-retries N        retries per transaction before it counts as failed (default 10)\n"
    "  --backoff P            none | constant | exponential | full-jitter | equal-jitter |\n"
    "                         decorrelated-jitter (default full-jitter)\n"
    "  --backoff-base D       first retry's delay scale (default 2ms)\n"
    "  --backoff-cap D        longest delay (default 100ms)\n"
    "  --retry-budget N       token bucket of N retries shared by all workers; empty: fail fast\n"
    "  --retry-budget-refund F  tokens returned per first-try commit (default 0.1)\n"
    "  --inject-retry P       with probability P an attempt makes the server raise 40001\n"
    "\n"
    "open loop:\n"
    "  --rate R               offer R transactions/s across all workers; latency counts from\n"
    "                         each transaction's intended start (coordinated omission corrected)\n"
    "  --arrival A            fixed | poisson gaps between intended starts (default fixed)\n"
    "  --warmup D             run D first without counting it (shown in progress)\n"
    "\n"
    "checking:\n"
    "  --ledger               each transfer also writes a row into `transfers`; afterwards every\n"
    "                         acknowledged transfer must be there exactly once, no failed one may "
    "be\n"
    "                         (ambiguous ones are resolved), and each balance must match the "
    "ledger\n"
    "  --audit-every D        an auditor on its own connection reads the total every D, in one\n"
    "                         snapshot, and reports the first, worst and last wrong reading\n"
    "  --audit-as-of I        CockroachDB: the auditor reads AS OF SYSTEM TIME I (e.g. -1s)\n"
    "  --allow-overdraft      a negative balance is not a violation\n"
    "  --write-mode M         relative: balance = balance + x (default); absolute: write the\n"
    "                         balance the client computed (lost updates below serializable)\n"
    "\n"
    "several processes, one run:\n"
    "  --instance I/N         this process is instance I (0..N-1) of N; all give the same --seed,\n"
    "                         wait for each other in a table of the database, and start together\n"
    "  --barrier-timeout D    how long to wait for the other instances (default 60s)\n"
    "\n"
    "faults:\n"
    "  --reconnect-timeout D  a worker whose connection is lost reconnects with jittered backoff\n"
    "                         for up to D, then gives up (exit 3); 0us: never (default 30s)\n"
    "  --statement-timeout D  the server cancels any statement running longer than D\n"
    "  --stall-timeout D      no commit for D is reported as a stall (default off)\n"
    "\n"
    "output:\n"
    "  --json FILE            write the result as JSON (written whole or not at all)\n"
    "  --csv FILE             the per-interval series as CSV\n"
    "  --hgrm FILE            the latency percentile spectrum in HdrHistogram's .hgrm format\n"
    "  --progress-every D     progress line on stderr every D; 0 turns it off (default 1s)\n"
    "  --sig-figs N           histogram precision in significant figures, 1..5 (default 3)\n"
    "  --assert EXPR          CI gate, repeatable: p99<50ms, failed_rate<0.01, tps>500 ...;\n"
    "                         any failure exits 4\n"
    "\n"
    "The bank is checked at the end; exit codes as in `txstorm --help`.\n";

static const char usage_check[] =
    "usage: txstorm check [--db DSN] [--allow-overdraft] [--ledger [--result RUN.json ...]]\n"
    "Reads the bank in one snapshot: account count, total = initial total, no negative\n"
    "balance; with --ledger, each balance = initial + credits - debits in `transfers`, and\n"
    "with --result (a run's saved JSON, one per process of the run) every transfer that run\n"
    "acknowledged is in the ledger exactly once and none it saw fail is.\n"
    "Exit 0 when all hold, 1 when any is violated.\n";

static const char usage_report[] =
    "usage: txstorm report RESULT.json [--hgrm FILE] [--assert EXPR ...]\n"
    "Re-prints the text report of a saved result (and checks assertions against it).\n";

static const char usage_merge[] =
    "usage: txstorm merge A.json B.json ... [--json OUT] [--hgrm FILE] [--assert EXPR ...]\n"
    "Combines results of several txstorm processes against one database into one exact\n"
    "report: counts add, histograms merge bucket by bucket, the duration is the union of\n"
    "their intervals. Refuses results with different histogram precision or workload.\n";

static const char usage_compare[] =
    "usage: txstorm compare RESULT.json ... [--format text|csv|markdown|verdicts]\n"
    "                       [--max-failed PCT]\n"
    "Groups runs into cells (skew and workers x policy: the backoff, +budget with a retry\n"
    "budget, or a pgbench baseline file, see the README), summarises each metric over the\n"
    "repetitions (mean, min, max, standard deviation), pools latency percentiles by merging\n"
    "the runs' histograms, and per workload names the best policy by goodput and by p99\n"
    "with its margin against the run-to-run spread.\n"
    "  --format F       text: table and verdicts (default); csv; markdown (the table);\n"
    "                   verdicts\n"
    "  --max-failed P   leave a policy that gave up on more than P% of its transactions out\n"
    "                   of the p99 ranking (default 1)\n";

static const char usage_demo[] =
    "usage: txstorm demo [--db DSN] [--max-retries N] [--backoff P] [--backoff-base D]\n"
    "                    [--backoff-cap D]\n"
    "Sets accounts 1 and 2 of table txstorm_demo_accounts to 1000 and 250, transfers 100\n"
    "from 1 to 2 with the retry loop, and prints the balances before and after.\n";

const char *options_usage(enum command c)
{
    switch (c) {
    case CMD_INIT:
        return usage_init;
    case CMD_RUN:
        return usage_run;
    case CMD_CHECK:
        return usage_check;
    case CMD_DEMO:
        return usage_demo;
    case CMD_REPORT:
        return usage_report;
    case CMD_MERGE:
        return usage_merge;
    case CMD_COMPARE:
        return usage_compare;
    default:
        return usage_main;
    }
}
