/* The command and flag tables, and the hand-written readers of the few
 * composite flags. Adding a command is a row in `options_commands` (and its
 * case in main); adding a flag is a row in `options_flags`. */
#include "options_internal.h"

#include "txstorm/errbuf.h"
#include "txstorm/metrics_server.h"

#include <stdio.h>
#include <string.h>

#define MAX_ACCOUNTS 1000000000LL

const char options_about[] =
    "Provokes, measures and explains transaction contention on PostgreSQL-wire databases.";

const struct command_def options_commands[] = {
    [CMD_INIT] = {.name = "init",
                  .summary = "create the bank (accounts table and metadata)",
                  .about = "Creation is one transaction: the bank is whole or absent.\n"},
    [CMD_RUN] = {.name = "run",
                 .summary = "run contending transfers with retries, report, then check the bank",
                 .about = "The bank is checked at the end; exit codes as in `txstorm --help`.\n"},
    [CMD_CHECK] = {.name = "check",
                   .summary = "verify the bank's invariants in one consistent snapshot",
                   .about = "Reads the bank in one snapshot: account count, total = initial "
                            "total, no negative\n"
                            "balance; with --ledger, each balance = initial + credits - debits "
                            "in `transfers`, and\n"
                            "with --result (a run's saved JSON, one per process of the run) "
                            "every transfer that run\n"
                            "acknowledged is in the ledger exactly once and none it saw fail "
                            "is.\n"
                            "Exit 0 when all hold, 1 when any is violated.\n"},
    [CMD_DEMO] = {.name = "demo",
                  .summary = "the classic hello-world: one transfer with a retry loop, balances "
                             "before and after",
                  .about = "Sets accounts 1 and 2 of table txstorm_demo_accounts to 1000 and 250, "
                           "transfers 100\n"
                           "from 1 to 2 with the retry loop, and prints the balances before and "
                           "after.\n"},
    [CMD_REPORT] = {.name = "report",
                    .summary = "re-print the report of a saved JSON result",
                    .args = "RESULT.json",
                    .about = "Re-prints the text report of a saved result (and checks assertions "
                             "against it).\n",
                    .min_files = 1,
                    .max_files = 1},
    [CMD_MERGE] = {.name = "merge",
                   .summary = "combine results of several txstorm processes into one exact report",
                   .args = "A.json B.json ...",
                   .about = "Combines results of several txstorm processes against one database "
                            "into one exact\n"
                            "report: counts add, histograms merge bucket by bucket, the duration "
                            "is the union of\n"
                            "their intervals. Refuses results with different histogram precision "
                            "or workload.\n",
                   .min_files = 1,
                   .max_files = OPTIONS_MAX_INPUTS},
    [CMD_COMPARE] = {.name = "compare",
                     .summary = "compare retry/backoff policies across runs: table, CSV, verdicts",
                     .args = "RESULT.json ...",
                     .about = "Groups runs into cells (skew and workers x policy: the backoff, "
                              "+budget with a retry\n"
                              "budget, or a pgbench baseline file, see docs/backoff.md), summarises "
                              "each metric over the\n"
                              "repetitions (mean, min, max, standard deviation), pools latency "
                              "percentiles by merging\n"
                              "the runs' histograms, and per workload names the best policy by "
                              "goodput and by p99\n"
                              "with its margin against the run-to-run spread.\n",
                     .min_files = 1,
                     .max_files = OPTIONS_MAX_INPUTS},
    [CMD_PLOT] = {.name = "plot",
                  .summary = "draw saved results as one self-contained HTML page (gnuplot)",
                  .args = "RESULT.json ...",
                  .about = "Writes --html FILE: each result's header and check, its time series "
                           "with failover,\n"
                           "trigger and phase windows shaded, the latency percentile spectrum "
                           "and the retries\n"
                           "per transaction, drawn by gnuplot as inline SVG; several results "
                           "overlaid, one\n"
                           "colour each. Needs gnuplot on PATH (exit 6 without it).\n",
                  .min_files = 1,
                  .max_files = OPTIONS_MAX_INPUTS},
};
const int options_n_commands = (int)(sizeof options_commands / sizeof options_commands[0]);

/* "hot:10", "zipf:1.2": see workload.h. */
static int read_skew(const char *v, struct config *cfg, char *err, size_t err_len)
{
    return workload_parse_skew(v, &cfg->skew, err, err_len);
}

static int read_hot(const char *v, struct config *cfg, char *err, size_t err_len)
{
    int64_t n;
    if (options_int_flag("hot", v, 2, MAX_ACCOUNTS, &n, err, err_len)) return -1;
    cfg->skew = (struct skew){.kind = SKEW_HOT, .hot = n};
    return 0;
}

/* "LO..HI" or a single "N". */
static int read_amount(const char *v, struct config *cfg, char *err, size_t err_len)
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
    if (options_int_flag("amount", lo, 1, INT32_MAX, &cfg->amount_lo, err, err_len) ||
        options_int_flag("amount", hi, 1, INT32_MAX, &cfg->amount_hi, err, err_len))
        return -1;
    if (cfg->amount_lo > cfg->amount_hi)
        return errbuf_fail(err, err_len, "--amount: low end %lld is above high end %lld",
                           (long long)cfg->amount_lo, (long long)cfg->amount_hi);
    return 0;
}

static int read_retry_on(const char *v, struct config *cfg, char *err, size_t err_len)
{
    return classify_parse_retry_set(v, &cfg->retry_on, err, err_len);
}

static int read_seed(const char *v, struct config *cfg, char *err, size_t err_len)
{
    int64_t n;
    if (options_int_flag("seed", v, 0, INT64_MAX, &n, err, err_len)) return -1;
    cfg->seed = (uint64_t)n;
    cfg->seed_given = true;
    return 0;
}

/* The phases of --load: see phases.h. */
static int read_load(const char *v, struct config *cfg, char *err, size_t err_len)
{
    cfg->load_text = v;
    return phases_parse(v, &cfg->load, err, err_len);
}

/* A duration, or a bare 0 for no progress lines. */
static int read_progress_every(const char *v, struct config *cfg, char *err, size_t err_len)
{
    if (strcmp(v, "0") == 0) {
        cfg->progress_us = 0;
        return 0;
    }
    return options_duration_flag("progress-every", v, &cfg->progress_us, err, err_len);
}

static int read_retry_budget(const char *v, struct config *cfg, char *err, size_t err_len)
{
    if (options_double_flag("retry-budget", v, 0, 1e9, &cfg->budget_tokens, err, err_len))
        return -1;
    if (cfg->budget_tokens < 1)
        return errbuf_fail(err, err_len, "--retry-budget: needs at least 1 token");
    return 0;
}

static int read_assert(const char *v, struct config *cfg, char *err, size_t err_len)
{
    if (cfg->n_asserts == OPTIONS_MAX_ASSERTS)
        return errbuf_fail(err, err_len, "--assert: at most %d", OPTIONS_MAX_ASSERTS);
    return assertion_parse(v, &cfg->asserts[cfg->n_asserts++], err, err_len);
}

static int read_trigger(const char *v, struct config *cfg, char *err, size_t err_len)
{
    return trigger_plan_add(&cfg->triggers, v, err, err_len);
}

/* One line per kind, from the kinds' table. */
static const char *trigger_help(void)
{
    static char text[1024];
    char kinds[768];
    trigger_kinds_help(kinds, sizeof kinds);
    snprintf(text, sizeof text,
             "inject a fault, repeatable: KIND@AT[+SPAN][:ARG], AT after the warmup:\n%s;\n"
             "the report judges the recovery after each",
             kinds);
    return text;
}

/* run --ledger: the transfers write ledger rows, and the check reconciles them. */
static int read_run_ledger(const char *v, struct config *cfg, char *err, size_t err_len)
{
    (void)v, (void)err, (void)err_len;
    cfg->ledger = cfg->spec.ledger = true;
    return 0;
}

static int read_audit_as_of(const char *v, struct config *cfg, char *err, size_t err_len)
{
    /* It is spliced into SQL as a literal, so only "-<digits><unit>" passes. */
    int64_t us;
    if (v[0] != '-' || options_parse_duration_us(v + 1, &us) != 0)
        return errbuf_fail(err, err_len, "--audit-as-of: '%s' is not a negative interval like -1s",
                           v);
    cfg->audit_as_of = v;
    return 0;
}

static int read_result(const char *v, struct config *cfg, char *err, size_t err_len)
{
    if (cfg->n_inputs == OPTIONS_MAX_INPUTS)
        return errbuf_fail(err, err_len, "--result: at most %d", OPTIONS_MAX_INPUTS);
    if (*v == '\0') return errbuf_fail(err, err_len, "--result: needs a file name");
    cfg->inputs[cfg->n_inputs++] = v;
    return 0;
}

/* plot: --label names the result given just before it. */
static int read_label(const char *v, struct config *cfg, char *err, size_t err_len)
{
    if (cfg->n_inputs == 0)
        return errbuf_fail(err, err_len, "--label: names the RESULT.json before it; give one first");
    if (*v == '\0') return errbuf_fail(err, err_len, "--label: the value is empty");
    const char **label = &cfg->labels[cfg->n_inputs - 1];
    if (*label)
        return errbuf_fail(err, err_len, "--label: %s has a label already ('%s')",
                           cfg->inputs[cfg->n_inputs - 1], *label);
    *label = v;
    return 0;
}

/* --metrics-addr: its form is checked here, its binding before the run. */
const char *const compare_format_names[] = {[COMPARE_TEXT] = "text",
                                            [COMPARE_CSV] = "csv",
                                            [COMPARE_MARKDOWN] = "markdown",
                                            [COMPARE_VERDICTS] = "verdicts",
                                            NULL};

static int read_metrics_addr(const char *v, struct config *cfg, char *err, size_t err_len)
{
    char host[METRICS_HOST_MAX];
    int port;
    if (metrics_addr_parse(v, host, &port, err, err_len) != 0) return -1;
    cfg->metrics_addr = v;
    return 0;
}

/* "I/N": this process is instance I (from 0) of N. */
static int read_instance(const char *v, struct config *cfg, char *err, size_t err_len)
{
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

#define ON(c) (1u << (c))
#define INIT ON(CMD_INIT)
#define RUN ON(CMD_RUN)
#define CHECK ON(CMD_CHECK)
#define DEMO ON(CMD_DEMO)
#define REPORT ON(CMD_REPORT)
#define MERGE ON(CMD_MERGE)
#define COMPARE ON(CMD_COMPARE)
#define PLOT ON(CMD_PLOT)

#define FIELD_SIZE(f) sizeof(((struct config *)0)->f)
/* Where a flag's value lands. */
#define AT(f) .offset = offsetof(struct config, f), .size = FIELD_SIZE(f)
/* A key of the JSON config, and the field it records; REC_PER_INSTANCE: one
 * that each instance of a run (--instance) may set its own way. */
#define RECORD(key, as, f, per_instance)                                                           \
    {                                                                                              \
        key, as, offsetof(struct config, f), FIELD_SIZE(f), per_instance                           \
    }
#define REC(key, as, f) RECORD(key, as, f, false)
#define REC_PER_INSTANCE(key, as, f) RECORD(key, as, f, true)
#define SHOWN(where, ...) .shown = {.part = where, .phrase = __VA_ARGS__}

const struct flag options_flags[] = {
    {"db", RUN, FLAG_LIST, AT(endpoints), .max = OPTIONS_MAX_ENDPOINTS, .arg = "DSN",
     .help = "libpq keyword string or postgresql:// URI; else $DATABASE_URL,\n"
             "else libpq's PG* variables and defaults. Passwords are never printed.\n"
             "Repeatable: each is an endpoint, worker i uses endpoint i mod E; each\n"
             "may be a multi-host string (host=a,b target_session_attrs=read-write);\n"
             "all must reach one bank (another is refused before the run).\n"
             "The first also serves the preflight, the --instance barrier, the\n"
             "auditor and the final check",
     .doc = "the database: a libpq keyword string or `postgresql://` URI; repeatable, one endpoint "
            "each, worker i uses endpoint i mod E (see [Connection](#connection))",
     .doc_default = "`$DATABASE_URL`, else libpq's `PG*` defaults",
     .record = {REC_PER_INSTANCE("db", AS_TEXT_LIST, endpoints)}, SHOWN(HEADER_DB, "database %s")},
    {"db", INIT | CHECK | DEMO, FLAG_LIST, AT(endpoints), .max = 1, .arg = "DSN",
     .help = "libpq keyword string or postgresql:// URI; else $DATABASE_URL,\n"
             "else libpq's PG* variables and defaults. Passwords are never printed.\n"
             "Once: for a run over several endpoints, give the first",
     .unrecorded = true},

    {"accounts", INIT, FLAG_INT, AT(accounts), .min = 2, .max = MAX_ACCOUNTS, .def = "1000",
     .arg = "N", .help = "number of accounts, ids 1..N",
     /* A run records the bank's own count here. */
     .record = {REC("accounts", AS_INT, accounts)}, .unshown = true},
    {"balance", INIT, FLAG_INT, AT(balance), .min = 0, .max = INT32_MAX, .def = "1000", .arg = "B",
     .help = "starting balance of each account", .unrecorded = true},
    {"drop", INIT, FLAG_SWITCH, AT(drop),
     .help = "replace an existing bank (otherwise init refuses, exit 2)", .unrecorded = true},

    {"workers", RUN, FLAG_INT, AT(workers), .min = 1, .max = OPTIONS_MAX_WORKERS, .def = "16",
     .group = "load", .arg = "N", .help = "concurrent workers, one connection each",
     .doc = "concurrent workers, one connection each (1..10000)",
     .record = {REC_PER_INSTANCE("workers", AS_INT, workers)}, SHOWN(HEADER_LOAD, "%s workers")},
    {"threads", RUN, FLAG_INT, AT(threads), .min = 1, .max = OPTIONS_MAX_THREADS, .group = "load",
     .arg = "T",
     .help = "event-loop threads driving the workers' connections\n"
             "(default: one per 4 CPUs or per 256 workers, whichever is more)",
     .doc = "event-loop threads driving the workers' connections, at most one per worker (1..1024)",
     .doc_default = "one per 4 CPUs or per 256 workers, whichever is more",
     .record = {REC_PER_INSTANCE("threads", AS_INT, threads)}, .unshown = true},
    {"duration", RUN, FLAG_DURATION, AT(duration_us), .above_zero = true, .def = "30s",
     .group = "load", .arg = "D", .help = "run for D, e.g. 500ms, 30s, 2m, 1h", .doc = "run for D",
     .record = {REC("duration_target_s", AS_S, duration_us)}, .unshown = true},
    {"transactions", RUN, FLAG_INT, AT(transactions), .min = 1, .max = INT64_MAX, .group = "load",
     .arg = "N", .help = "or: finish N transactions in total, split across workers",
     .doc = "instead: finish N transactions in total, split evenly across workers",
     .record = {REC_PER_INSTANCE("transactions_target", AS_INT, transactions)}, .unshown = true},
    {"seed", RUN, FLAG_CUSTOM, AT(seed), .parse = read_seed, .group = "load", .arg = "N",
     .help = "makes the transfer choices reproducible (default: random, reported)",
     .doc = "makes the transfer choices reproducible; the seed used is always reported",
     .doc_default = "random", .record = {REC_PER_INSTANCE("seed", AS_ID, seed)},
     SHOWN(HEADER_SEED, "seed %s")},

    {"skew", RUN, FLAG_CUSTOM, AT(skew), .parse = read_skew, .def = "hot:10",
     .group = "who and how much", .arg = "S",
     .help = "uniform | hot:K | hotspot:K:P | zipf:S\n"
             "hot:K two distinct accounts from ids 1..K; hotspot:K:P both from\n"
             "1..K with probability P, else both from the rest; zipf:S Zipfian\n"
             "over all accounts with exponent S",
     .doc = "who transfers to whom: `uniform`, `hot:K`, `hotspot:K:P`, `zipf:S` (below)",
     .record = {REC("skew", AS_SKEW, skew)}, SHOWN(HEADER_WORKLOAD, "skew %s")},
    {"hot", RUN, FLAG_CUSTOM, AT(skew), .parse = read_hot, .group = "who and how much", .arg = "K",
     .help = "same as --skew hot:K", .doc = "same as `--skew hot:K`", .same_as = "skew"},
    {"amount", RUN, FLAG_CUSTOM, AT(amount_lo), .parse = read_amount, .def = "1..100",
     .group = "who and how much", .arg = "LO..HI",
     .help = "amount uniform in LO..HI, or a single N",
     .doc = "amount uniform in LO..HI (or one value `N`)",
     .record = {REC("amount_lo", AS_INT, amount_lo), REC("amount_hi", AS_INT, amount_hi)},
     SHOWN(HEADER_WORKLOAD, "amount %s..%s", .when = WHEN_KEY_UNSET, .key = "amount_fraction")},
    {"amount-mode", RUN, FLAG_CHOICE, AT(amount_mode), .names = workload_amount_mode_names,
     .def = "range", .group = "who and how much", .arg = "M",
     .help = "range: uniform in --amount; fraction: a share of the source balance",
     .doc = "`range`, or `fraction`: move floor(F × source balance), like the SQLAlchemy sample's "
            "\"transfer half\"",
     .record = {REC("amount_mode", AS_NAME, amount_mode)}, .shown_via = "amount-fraction"},
    {"amount-fraction", RUN, FLAG_DOUBLE, AT(amount_fraction), .lo = 0, .hi = 1, .above_zero = true,
     .def = "0.5", .group = "who and how much", .arg = "F",
     .help = "with fraction: move floor(F x source balance), 0<F<=1",
     .doc = "F for `fraction`, 0 < F ≤ 1",
     .record = {REC("amount_fraction", AS_REAL, amount_fraction)},
     SHOWN(HEADER_WORKLOAD, "amount fraction %s of the source balance", .when = WHEN_SET)},

    {"shape", RUN, FLAG_CHOICE, AT(spec.shape), .names = spec_shape_names, .def = "interactive",
     .group = "transaction shape", .arg = "S",
     .help = "interactive: BEGIN; read source; check funds in the client; debit;\n"
             "  credit; COMMIT, one round trip each\n"
             "for-update: the same, reading both rows FOR UPDATE in id order\n"
             "single: one UPDATE statement with the funds check, as an implicit\n"
             "  transaction\n"
             "pipelined: BEGIN; read; guarded debit; credit; COMMIT in one round\n"
             "  trip (libpq pipeline mode)",
     .doc = "`interactive`, `for-update`, `single`, `pipelined` (below)",
     .record = {REC("shape", AS_NAME, spec.shape)}, SHOWN(HEADER_TXN, "shape %s")},
    {"lock-order", RUN, FLAG_CHOICE, AT(spec.lock_order), .names = spec_lock_order_names,
     .def = "random", .group = "transaction shape", .arg = "O",
     .help = "random: updates in transfer order (deadlocks possible);\n"
             "ordered: in id order",
     .doc = "`random`: debit then credit, in transfer order, so two opposite transfers lock in "
            "opposite orders (deadlocks); `ordered`: lower id first",
     .record = {REC("lock_order", AS_NAME, spec.lock_order)}, SHOWN(HEADER_TXN, "lock order %s")},
    {"isolation", RUN, FLAG_CHOICE, AT(spec.isolation), .names = spec_isolation_names,
     .def = "serializable", .group = "transaction shape", .arg = "I",
     .help = "the transactions' isolation level; read-committed lets the\n"
             "interactive and single shapes overdraw (run warns)",
     .doc = "`serializable`, `repeatable-read`, `read-committed` (lets `interactive` and "
            "`single` overdraw: see [Which shapes are safe](workload.md#which-shapes-are-safe-at-which-isolation))",
     .record = {REC("isolation", AS_NAME, spec.isolation)}, SHOWN(HEADER_TXN, "%s")},
    {"think-time", RUN, FLAG_DURATION, AT(spec.think_us), .group = "transaction shape", .arg = "D",
     .help = "pause between statements inside a transaction (default 0)",
     .doc = "pause after each statement inside a transaction: widens the conflict window",
     .doc_default = "0", .record = {REC("think_time_ms", AS_MS, spec.think_us)},
     SHOWN(HEADER_TXN, "think %s ms", .when = WHEN_SET)},
    {"query-mode", RUN, FLAG_CHOICE, AT(spec.query_mode), .names = spec_query_mode_names,
     .def = "prepared", .group = "transaction shape", .arg = "M",
     .help = "prepared: named prepared statements\n"
             "extended: unnamed statements (runs through a transaction-pooling\n"
             "  pgbouncer); simple: SQL text with the values in, no pipeline",
     .doc = "how statements go out (pgbench's `-M`): `prepared` (named prepared statements), "
            "`extended` (unnamed statements, for a transaction-pooling pgbouncer, which has no "
            "prepared statements before 1.21), `simple` (SQL text with the values written in, no "
            "pipeline)",
     .record = {REC("query_mode", AS_NAME, spec.query_mode)},
     SHOWN(HEADER_TXN, "%s statements", .when = WHEN_SET)},

    {"retry-protocol", RUN, FLAG_CHOICE, AT(protocol), .names = spec_protocol_names,
     .def = "restart", .group = "retries", .arg = "P",
     .help = "restart: ROLLBACK, back off, run again\n"
             "savepoint: CockroachDB's SAVEPOINT cockroach_restart protocol",
     .doc = "`restart` or `savepoint` (below)",
     .record = {REC("retry_protocol", AS_NAME, protocol)}, SHOWN(HEADER_RETRIES, "%s protocol")},
    {"retry-on", RUN, FLAG_CUSTOM, AT(retry_on), .parse = read_retry_on,
     .def = CLASSIFY_DEFAULT_RETRY_ON, .group = "retries", .arg = "LIST",
     .help = "error classes retried\n"
             "also constraint, other; ambiguous and connection errors are never\n"
             "retried in place",
     .doc = "error classes that are retried; `constraint` and `other` may be added; `ambiguous` "
            "and `connection` never are",
     .record = {REC("retry_on", AS_RETRY_SET, retry_on)}, .unshown = true},
    {"max-retries", RUN | DEMO, FLAG_INT, AT(max_retries), .min = 0, .max = 1000000, .def = "10",
     .group = "retries", .arg = "N", .help = "retries per transaction before it counts as failed",
     .doc = "retries per transaction; after that it counts as *failed*",
     .record = {REC("max_retries", AS_INT, max_retries)}, SHOWN(HEADER_RETRIES, "up to %s")},
    {"backoff", RUN | DEMO, FLAG_CHOICE, AT(backoff.policy), .names = backoff_policy_names,
     .noun = "policy", .def = "full-jitter", .group = "retries", .arg = "P",
     .help = "how long to wait before a retry (formulas in backoff.h)",
     .doc = "`none`, `constant`, `exponential`, `full-jitter`, `equal-jitter`, "
            "`decorrelated-jitter` (below)",
     .record = {REC("backoff", AS_NAME, backoff.policy)}, SHOWN(HEADER_RETRIES, "backoff %s")},
    {"backoff-base", RUN | DEMO, FLAG_DURATION, AT(backoff.base_us), .def = "2ms",
     .group = "retries", .arg = "D", .help = "first retry's delay scale", .doc = "the delay scale",
     .record = {REC("backoff_base_ms", AS_MS, backoff.base_us)},
     SHOWN(HEADER_RETRIES, " (base %s ms", .when = WHEN_KEY_SET, .key = "backoff", .glued = true)},
    {"backoff-cap", RUN | DEMO, FLAG_DURATION, AT(backoff.cap_us), .def = "100ms",
     .group = "retries", .arg = "D", .help = "longest delay", .doc = "longest single delay",
     .record = {REC("backoff_cap_ms", AS_MS, backoff.cap_us)},
     SHOWN(HEADER_RETRIES, ", cap %s ms)", .when = WHEN_KEY_SET, .key = "backoff", .glued = true)},
    {"retry-budget", RUN, FLAG_CUSTOM, AT(budget_tokens), .parse = read_retry_budget,
     .group = "retries", .arg = "N",
     .help = "token bucket of N retries shared by all workers; empty: fail fast",
     .doc = "a bucket of N retry tokens shared by all workers (below)", .doc_default = "off",
     .record = {REC("retry_budget", AS_REAL, budget_tokens)},
     SHOWN(HEADER_RETRIES, "budget %s tokens", .when = WHEN_SET)},
    {"retry-budget-refund", RUN, FLAG_DOUBLE, AT(budget_refund), .lo = 0, .hi = 1e6, .def = "0.1",
     .needs = "retry-budget", .group = "retries", .arg = "F",
     .help = "tokens returned per first-try commit",
     .doc = "tokens put back per transaction that commits on its first attempt",
     .record = {REC("retry_budget_refund", AS_REAL, budget_refund)},
     SHOWN(HEADER_RETRIES, " (refund %s)", .when = WHEN_KEY_SET, .key = "retry_budget",
           .glued = true)},
    {"inject-retry", RUN, FLAG_DOUBLE, AT(inject_retry), .lo = 0, .hi = 1, .group = "retries",
     .arg = "P", .help = "with probability P an attempt makes the server raise 40001",
     .doc = "with probability P an attempt makes the *server* raise 40001", .doc_default = "0",
     .record = {REC("inject_retry", AS_REAL, inject_retry)},
     SHOWN(HEADER_RETRIES, "injected 40001 p=%s", .when = WHEN_SET)},

    /* At least one transaction a day per worker keeps every schedule in range. */
    {"rate", RUN, FLAG_DOUBLE, AT(rate), .lo = 0.001, .hi = 1e9, .group = "open loop", .arg = "R",
     .help = "offer R transactions/s across all workers; latency counts from\n"
             "each transaction's intended start (coordinated omission corrected)",
     .doc = "offer R transactions/s across all workers, latency counted from each intended start",
     .doc_default = "closed loop", .record = {REC("rate", AS_REAL, rate)},
     SHOWN(HEADER_TXN, "open loop %s/s", .unset = "closed loop", .when = WHEN_SET, .key = "load")},
    {"load", RUN, FLAG_CUSTOM, AT(load_text), .parse = read_load, .group = "open loop",
     .arg = "PHASES",
     .help = "offer a rate that changes over time: phases [NAME=]RATE[..RATE]/s:SPAN\n"
             "separated by commas, a rate held or ramped linearly over the span,\n"
             "from the workers' start (the warmup is its first part), e.g.\n"
             "'ramp=0..2000/s:30s,peak=2000/s:10s,after=500/s:60s'; names default\n"
             "to phase1, phase2...; the run lasts their sum unless --duration\n"
             "says otherwise (past the last phase its closing rate holds)",
     .doc = "open loop with a rate that changes over time, e.g. "
            "`'ramp=0..2000/s:30s,peak=2000/s:10s'` (see [Load phases](workload.md#load-phases))",
     .record = {REC("load", AS_TEXT, load_text)},
     SHOWN(HEADER_TXN, "open loop in phases %s", .when = WHEN_SET)},
    {"arrival", RUN, FLAG_CHOICE, AT(arrival), .names = schedule_arrival_names, .def = "fixed",
     .group = "open loop", .arg = "A",
     .help = "gaps between intended starts (with --rate or --load)",
     .doc = "`fixed` or `poisson` gaps between intended starts (with `--rate` or `--load`)",
     .record = {REC("arrival", AS_NAME, arrival)},
     SHOWN(HEADER_TXN, " (%s arrivals)", .when = WHEN_KEY_SET, .key = "rate", .glued = true)},
    {"warmup", RUN, FLAG_DURATION, AT(warmup_us), .group = "open loop", .arg = "D",
     .help = "run D first without counting it (shown in progress)",
     .doc = "run D first, shown but not counted; `--duration` is the measured part after it",
     .doc_default = "0", .record = {REC("warmup_s", AS_S, warmup_us)},
     SHOWN(HEADER_TXN, "warmup %s s excluded", .when = WHEN_SET)},

    {"ledger", RUN, FLAG_CUSTOM, AT(ledger), .parse = read_run_ledger, .group = "checking",
     .help = "each transfer also writes a row into `transfers`; afterwards every\n"
             "acknowledged transfer must be there exactly once, no failed one may be\n"
             "(ambiguous ones are resolved), and each balance must match the ledger",
     .doc = "each transfer also writes a `transfers` row; checked after the run",
     .record = {REC("ledger", AS_BOOL, ledger)}, .unshown = true},
    {"ledger", CHECK, FLAG_SWITCH, AT(ledger), .group = "checking",
     .help = "each balance must equal initial + credits - debits in `transfers`",
     .unrecorded = true},
    {"audit-every", RUN, FLAG_DURATION, AT(audit_us), .above_zero = true, .group = "checking",
     .arg = "D",
     .help = "an auditor on its own connection reads the total every D, in one\n"
             "snapshot, and reports the first, worst and last wrong reading",
     .doc = "the continuous auditor's interval", .doc_default = "off",
     .record = {REC("audit_every_ms", AS_MS, audit_us)}, .unshown = true},
    {"audit-as-of", RUN, FLAG_CUSTOM, AT(audit_as_of), .parse = read_audit_as_of,
     .needs = "audit-every", .group = "checking", .arg = "I",
     .help = "CockroachDB: the auditor reads AS OF SYSTEM TIME I (e.g. -1s)",
     .doc = "CockroachDB: the auditor reads `AS OF SYSTEM TIME I` (e.g. `-1s`)",
     .unrecorded = true},
    {"allow-overdraft", RUN | CHECK, FLAG_SWITCH, AT(allow_overdraft), .group = "checking",
     .help = "a negative balance is not a violation",
     .doc = "a negative balance is not a violation",
     .record = {REC("allow_overdraft", AS_BOOL, allow_overdraft)}, .unshown = true},
    {"write-mode", RUN, FLAG_CHOICE, AT(spec.write_mode), .names = spec_write_mode_names,
     .def = "relative", .group = "checking", .arg = "M",
     .help = "relative: balance = balance + x; absolute: write the balance\n"
             "the client computed (lost updates under read committed)",
     .doc = "`relative` (`balance = balance + x`) or `absolute` (write the balance the client "
            "computed: lost updates under READ COMMITTED)",
     .record = {REC("write_mode", AS_NAME, spec.write_mode)}, .unshown = true},
    {"result", CHECK, FLAG_CUSTOM, AT(inputs), .parse = read_result, .repeatable = true,
     .needs = "ledger", .group = "checking", .arg = "RUN.json",
     .help = "a run's saved result, repeatable (one per process of the run)", .unrecorded = true},

    {"instance", RUN, FLAG_CUSTOM, AT(instance), .parse = read_instance, .def = "0/1",
     .group = "several processes, one run", .arg = "I/N",
     .help = "this process is instance I (0..N-1) of N\n"
             "all give the same --seed, wait for each other in a table of the\n"
             "database, and start together",
     .doc = "this process is instance I of N running one benchmark together (needs `--seed`)",
     .record = {REC_PER_INSTANCE("instance", AS_INT, instance),
                REC("instances", AS_INT, instances)},
     .unshown = true},
    {"barrier-timeout", RUN, FLAG_DURATION, AT(barrier_timeout_us), .def = "60s",
     .needs = "instance", .group = "several processes, one run", .arg = "D",
     .help = "how long to wait for the other instances",
     .doc = "how long the instances wait for each other at the start", .unrecorded = true},

    {"reconnect-timeout", RUN, FLAG_DURATION, AT(reconnect_timeout_us), .def = "30s",
     .group = "faults", .arg = "D",
     .help = "how long a worker reconnects a lost connection\n"
             "(--reconnect-backoff between attempts) before it gives up, exit 3;\n"
             "0us: never",
     .doc = "how long a worker tries to get a lost connection back (`0us`: never)",
     .record = {REC("reconnect_timeout_s", AS_S, reconnect_timeout_us)}, .unshown = true},
    {"reconnect-backoff", RUN, FLAG_CHOICE, AT(reconnect_backoff.policy),
     .names = backoff_policy_names, .noun = "policy", .def = "full-jitter", .group = "faults",
     .arg = "P",
     .help = "the wait between a worker's attempts to reconnect: --backoff's\n"
             "policies, counting attempts from the loss",
     .doc = "how long a worker waits between reconnect attempts: the policies of `--backoff`, "
            "counting attempts since the loss (see [Reconnect storms](storms.md#reconnect-storms))",
     .record = {REC("reconnect_backoff", AS_NAME, reconnect_backoff.policy)},
     SHOWN(HEADER_RETRIES, "reconnect backoff %s")},
    {"reconnect-backoff-base", RUN, FLAG_DURATION, AT(reconnect_backoff.base_us), .def = "50ms",
     .group = "faults", .arg = "D", .help = "the reconnect backoff's delay scale",
     .doc = "the reconnect backoff's delay scale",
     .record = {REC("reconnect_backoff_base_ms", AS_MS, reconnect_backoff.base_us)},
     SHOWN(HEADER_RETRIES, " (base %s ms", .when = WHEN_KEY_SET, .key = "reconnect_backoff",
           .glued = true)},
    {"reconnect-backoff-cap", RUN, FLAG_DURATION, AT(reconnect_backoff.cap_us), .def = "1s",
     .group = "faults", .arg = "D", .help = "the longest wait between reconnect attempts",
     .doc = "the longest wait between reconnect attempts",
     .record = {REC("reconnect_backoff_cap_ms", AS_MS, reconnect_backoff.cap_us)},
     SHOWN(HEADER_RETRIES, ", cap %s ms)", .when = WHEN_KEY_SET, .key = "reconnect_backoff",
           .glued = true)},
    {"statement-timeout", RUN, FLAG_DURATION, AT(spec.statement_timeout_us), .group = "faults",
     .arg = "D", .help = "the server cancels any statement running longer than D",
     .doc = "the server cancels a statement running longer than D", .doc_default = "none",
     .record = {REC("statement_timeout_ms", AS_MS, spec.statement_timeout_us)}, .unshown = true},
    {"stop-grace", RUN, FLAG_DURATION, AT(stop_grace_us), .def = "5s", .group = "faults",
     .arg = "D",
     .help = "at the end of --duration or at the first signal, what is in flight\n"
             "gets D to finish; then its statements are cancelled (PQcancel)\n"
             "and think pauses cut short",
     .doc =
         "at the end or the first signal, in-flight work gets D; then its statements are cancelled",
     .record = {REC("stop_grace_s", AS_S, stop_grace_us)}, .unshown = true},
    {"stall-timeout", RUN, FLAG_DURATION, AT(stall_timeout_us), .group = "faults", .arg = "D",
     .help = "no commit for D is reported as a stall (default off)",
     .doc = "report any stretch of D without a commit", .doc_default = "off",
     .record = {REC("stall_timeout_s", AS_S, stall_timeout_us)}, .unshown = true},
    {"trigger", RUN, FLAG_CUSTOM, AT(triggers), .parse = read_trigger, .repeatable = true,
     .group = "faults", .arg = "SPEC", .help_text = trigger_help,
     .doc = "inject a fault, repeatable: `lock-rows@10s+3s`, `lock-table@10s+2s`, "
            "`terminate@12s:0.5`, `spike@10s+5s:2000/s`, `exec@10s:pg_ctl restart` (any outside "
            "fault, your command); each judged for recovery (see "
            "[Triggers and recovery](storms.md#triggers-and-recovery))",
     .unrecorded = true, .unshown = true},

    {"json", RUN | MERGE | CHECK, FLAG_PATH, AT(json_path), .group = "output", .arg = "FILE",
     .help = "write the result (check: its verdict) as JSON (written whole or not at all)",
     .doc = "write the result as JSON; written to a temporary file and renamed, so it is whole or "
            "absent; checked for writability before the run starts",
     .unrecorded = true},
    {"csv", RUN, FLAG_PATH, AT(csv_path), .group = "output", .arg = "FILE",
     .help = "the per-interval series as CSV", .doc = "the per-interval series",
     .unrecorded = true},
    {"hgrm", RUN | REPORT | MERGE, FLAG_PATH, AT(hgrm_path), .group = "output", .arg = "FILE",
     .help = "the latency percentile spectrum in HdrHistogram's .hgrm format",
     .doc = "the latency percentile spectrum in HdrHistogram's format", .unrecorded = true},
    {"hlog", RUN | REPORT | MERGE, FLAG_PATH, AT(hlog_path), .group = "output", .arg = "FILE",
     .help = "each measured interval's latency histogram, as HdrHistogram's\n"
             "interval log (compressed V2), for its log processing tools",
     .doc = "each measured interval's latency histogram, as HdrHistogram's interval log",
     .unrecorded = true},
    {"junit", RUN | CHECK | REPORT | MERGE, FLAG_PATH, AT(junit_path), .group = "output",
     .arg = "FILE",
     .help = "JUnit XML for CI: a test case per invariant and per --assert\n"
             "(written whole or not at all)",
     .doc = "the invariants and the gates as JUnit XML test cases (see [JUnit for CI](ci.md#junit-for-ci))",
     .unrecorded = true},
    {"metrics-addr", RUN, FLAG_CUSTOM, AT(metrics_addr), .parse = read_metrics_addr,
     .group = "output", .arg = "HOST:PORT",
     .help = "serve Prometheus metrics at http://HOST:PORT/metrics while the\n"
             "run lasts, refreshed every progress interval; :PORT is 127.0.0.1;\n"
             "port 0: any free port, said on stderr",
     .doc = "serve Prometheus metrics at `http://HOST:PORT/metrics` while the run lasts; `:PORT` "
            "means 127.0.0.1; port 0 takes any free port and says which on stderr (see "
            "[Live metrics](results.md#live-metrics---metrics-addr))",
     .unrecorded = true},
    {"progress-every", RUN, FLAG_CUSTOM, AT(progress_us), .parse = read_progress_every, .def = "1s",
     .group = "output", .arg = "D", .help = "progress line on stderr every D; 0 turns it off",
     .doc = "progress line on stderr every D; `0` turns it off", .unrecorded = true},
    {"sig-figs", RUN, FLAG_INT, AT(sig_figs), .min = 1, .max = 5, .def = "3", .group = "output",
     .arg = "N", .help = "histogram precision in significant figures, 1..5",
     .doc = "histogram precision, 1..5 significant figures",
     .record = {REC("sig_figs", AS_INT, sig_figs)}, .unshown = true},
    {"assert", RUN | REPORT | MERGE, FLAG_CUSTOM, AT(asserts), .parse = read_assert,
     .repeatable = true, .group = "output", .arg = "EXPR",
     .help = "CI gate, repeatable: p99<50ms, failed_rate<0.01, tps>500 ...;\n"
             "any failure exits 4",
     .doc = "a CI gate such as `p99<50ms`; repeatable; any failure exits 4", .unrecorded = true},

    {"html", PLOT, FLAG_PATH, AT(html_path), .arg = "FILE",
     .help = "the page to write (required; written whole or not at all)", .unrecorded = true},
    {"label", PLOT, FLAG_CUSTOM, AT(labels), .parse = read_label, .repeatable = true, .arg = "NAME",
     .help = "the name of the RESULT.json just before it on the page; without it\n"
             "a result is named by its file, or by as much of its path as tells it\n"
             "from the others' (a/run.json, b/run.json)",
     .unrecorded = true},
    {"format", COMPARE, FLAG_CHOICE, AT(compare_format), .names = compare_format_names,
     .def = "text", .arg = "F",
     .help = "text: table and verdicts; csv; markdown (the table); verdicts", .unrecorded = true},
    {"max-failed", COMPARE, FLAG_DOUBLE, AT(max_failed_pct), .lo = 0, .hi = 100, .def = "1",
     .arg = "PCT", .help = "rank by p99 only policies that gave up on at most PCT%",
     .unrecorded = true},
};
const int options_n_flags = (int)(sizeof options_flags / sizeof options_flags[0]);
