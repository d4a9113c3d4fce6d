/* Command-line parsing: argv in, a validated config out, or one error line. Pure. */
#ifndef TXSTORM_OPTIONS_H
#define TXSTORM_OPTIONS_H

#include "txstorm/assertion.h"
#include "txstorm/backoff.h"
#include "txstorm/classify.h"
#include "txstorm/phases.h"
#include "txstorm/schedule.h"
#include "txstorm/spec.h"
#include "txstorm/trigger.h"
#include "txstorm/workload.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A command is a value here, a row in options_table.c's command table (name,
 * usage, result files it takes), the rows of the flags it takes, and its
 * handler in main's table. */
enum command {
    CMD_HELP,
    CMD_VERSION,
    CMD_INIT,
    CMD_RUN,
    CMD_CHECK,
    CMD_DEMO,
    CMD_REPORT,
    CMD_MERGE,
    CMD_COMPARE,
    CMD_PLOT,
    CMD_COUNT
};

#define OPTIONS_MAX_ASSERTS 32
#define OPTIONS_MAX_WORKERS 10000
#define OPTIONS_MAX_THREADS 1024
#define OPTIONS_MAX_INSTANCES 512
#define OPTIONS_MAX_ENDPOINTS 64
/* merge and check --result take one result per instance: one limit for both. */
#define OPTIONS_MAX_INPUTS OPTIONS_MAX_INSTANCES

/* Values of a repeatable flag, in the order given. */
struct text_list {
    const char *items[OPTIONS_MAX_ENDPOINTS];
    int n;
};

/* What `txstorm help` prints. */
enum help_form {
    HELP_TEXT,       /* --help's text, for a command or for all */
    HELP_MARKDOWN,   /* help --markdown COMMAND | exit-codes: docs/reference.md's tables */
    HELP_MAN,        /* help --man: the man page, in roff */
    HELP_COMPLETION, /* help --completion bash: the bash completion script */
};

struct config {
    enum command command;
    enum command help_for; /* with CMD_HELP: the command whose help was asked */
    enum help_form help_form;
    /* help --markdown exit-codes | triggers: a table that is no command's
     * flags (NULL: none), by the word that names it. */
    const char *help_table;
    /* Each --db (run: several, workers round-robin over them), else
     * DATABASE_URL; none: libpq's PG* defaults. See options_endpoint. */
    struct text_list endpoints;

    /* init */
    int64_t accounts;
    int64_t balance;
    bool drop;

    /* run */
    int workers;
    int threads;          /* event loops; 0: one per CPU (resolved by the run) */
    int64_t duration_us;  /* 0 when --transactions bounds the run */
    int64_t transactions; /* 0 when --duration bounds the run */
    struct skew skew;     /* --skew, or --hot K as hot:K */
    enum amount_mode amount_mode;
    int64_t amount_lo;
    int64_t amount_hi;
    double amount_fraction;
    struct txn_spec spec;
    enum retry_protocol protocol;
    struct retry_set retry_on;
    int max_retries;
    struct backoff_config backoff;
    double budget_tokens; /* --retry-budget; 0: no budget */
    double budget_refund;
    double inject_retry; /* probability that an attempt raises a 40001 */
    uint64_t seed;
    bool seed_given;
    int64_t progress_us; /* 0: no progress lines */
    int sig_figs;
    const char *json_path; /* run: the result; merge: the merged result */
    const char *csv_path;  /* per-interval series */
    const char *hgrm_path; /* latency percentile spectrum */
    const char *hlog_path; /* per-interval latency histograms, HdrHistogram's log */
    const char *junit_path; /* JUnit XML: invariants and assertions as test cases */
    const char *html_path; /* plot: the page */
    double rate;           /* --rate: transactions/s offered across workers; 0: closed loop */
    enum arrival arrival;
    const char *load_text; /* --load as given; NULL: none */
    struct phases load;    /* --load: the open-loop rate over time (load.n 0: none) */
    int64_t warmup_us;
    struct assertion asserts[OPTIONS_MAX_ASSERTS];
    int n_asserts;

    /* compare */
    int compare_format;    /* enum compare_format */
    double max_failed_pct; /* --max-failed: p99 ranks only policies failing at most this */

    /* report, merge, compare: the result files named on the command line */
    const char *inputs[OPTIONS_MAX_INPUTS];
    int n_inputs;
    const char *labels[OPTIONS_MAX_INPUTS]; /* plot: --label for inputs[i]; NULL: none */

    /* checking (run, check) */
    bool ledger;             /* run: write a ledger row per transfer; check: reconcile it */
    bool allow_overdraft;    /* a negative balance is not a violation */
    int64_t audit_us;        /* run: the auditor reads the total every audit_us; 0: off */
    const char *audit_as_of; /* run: CockroachDB AS OF SYSTEM TIME for the auditor, e.g. "-1s" */

    /* several processes, one run (run) */
    int instance; /* --instance I/N: this process is I of N; 0 of 1 alone */
    int instances;
    int64_t barrier_timeout_us;

    /* faults (run) */
    int64_t reconnect_timeout_us; /* a worker gives up reconnecting after this; 0: never tries */
    struct backoff_config reconnect_backoff; /* the wait between a worker's reconnect attempts */
    int64_t stall_timeout_us;     /* no commit for this long is reported as a stall; 0: off */
    int64_t stop_grace_us;        /* after a stop, in-flight work's time before it is cancelled */
    struct trigger_plan triggers; /* --trigger: faults the run injects itself */

    /* live metrics (run) */
    const char *metrics_addr; /* --metrics-addr HOST:PORT; NULL: not served */
};

/* The connection string of endpoint i (NULL: libpq's defaults), and how
 * many endpoints there are (at least 1). The first is the one init, check,
 * demo and a run's own connection (preflight, barrier, final check) and its
 * auditor use. */
const char *options_endpoint(const struct config *cfg, int i);
int options_n_endpoints(const struct config *cfg);

/* The command's name as typed ("run"); NULL for help and version. */
const char *options_command_name(enum command c);

/* Whether command c takes the flag --name (e.g. "db": it uses a database). */
bool options_takes(enum command c, const char *name);

/* The files the command writes, one per FLAG_PATH flag it takes, in the
 * flag table's order: each one's value (NULL: not given) and flag name.
 * Returns how many (at most max). */
int options_outputs(const struct config *cfg, const char **paths, const char **flags, int max);

/* --rate or --load: each transaction has an intended start (open loop). */
bool options_open_loop(const struct config *cfg);

/* Error message buffer size that fits any parse error. */
#define OPTIONS_ERR_MAX 256

/* Parses argv (argv[0] is the program). env_database_url is DATABASE_URL's value
 * or NULL. Returns 0 and fills cfg, or -1 with one line (no newline) in err. */
int options_parse(int argc, char **argv, const char *env_database_url, struct config *cfg,
                  char *err, size_t err_len);

/* "250ms", "30s", "2m", "1h", "1500us": a unit is required. -1 on bad input. */
int options_parse_duration_us(const char *s, int64_t *out_us);

/* Decimal integer in [min, max], no sign tricks, no trailing junk. -1 on bad
 * input, -2 when out of range. */
int options_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* Decimal fraction like "0.25" or "1" in [min, max]; same return values. */
int options_parse_double(const char *s, double min, double max, double *out);

/* Usage text for `txstorm --help` or `txstorm CMD --help`, generated from the
 * command and flag tables. */
const char *options_usage(enum command c);

/* The flags of command c as docs/reference.md's Markdown table (flag, default,
 * meaning): `txstorm help --markdown COMMAND`. */
void options_markdown(FILE *out, enum command c);

/* The exit codes as docs/reference.md's Markdown table (code, meaning in full):
 * `txstorm help --markdown exit-codes`. */
void options_markdown_exit_codes(FILE *out);

/* The --trigger kinds as docs/storms.md's Markdown table (spec, fault), from
 * the kind table: `txstorm help --markdown triggers`. */
void options_markdown_triggers(FILE *out);

/* The man page txstorm(1), in roff, from the command and flag tables and
 * exitcode.c: `txstorm help --man` (the build installs its output). */
void options_man(FILE *out);

/* A bash completion of the commands, their flags and the choices' values,
 * from the same tables: `txstorm help --completion bash`. */
void options_completion_bash(FILE *out);

/* The flag table. Each flag is one row: its name, the commands that take it,
 * how its value is read and where in struct config it lands, its default, its
 * help line, how the result's JSON config records it and how the report's
 * header shows it. The parser, --help, report_config_json and the report header
 * are all driven by these rows. */

/* How a value is read: kinds with a range or a name list are checked by the
 * parser; FLAG_CUSTOM rows bring their own parse function. */
enum flag_kind {
    FLAG_SWITCH,   /* takes no value; sets a bool */
    FLAG_TEXT,     /* a string, kept as given */
    FLAG_PATH,     /* a file the command writes, not empty (see options_outputs) */
    FLAG_INT,      /* whole number in [min, max], into an int or an int64_t */
    FLAG_DOUBLE,   /* number in [lo, hi] */
    FLAG_DURATION, /* whole number with a unit, into an int64_t of microseconds */
    FLAG_CHOICE,   /* one of names[], its index into an enum */
    FLAG_LIST,     /* repeatable: a non-empty string appended to a struct text_list,
                      at most max of them */
    FLAG_CUSTOM    /* parse() reads it */
};

/* compare's output formats (--format), and their names, indexed by the enum,
 * ending in NULL. */
enum compare_format { COMPARE_TEXT, COMPARE_CSV, COMPARE_MARKDOWN, COMPARE_VERDICTS };
extern const char *const compare_format_names[];

/* How a config field is written into the result's JSON config. */
enum record_as {
    AS_NONE,
    AS_INT,       /* an int, int64_t or uint64_t, as a JSON integer */
    AS_ID,        /* a 64-bit identifier (int64_t or uint64_t), as json_id.h writes it */
    AS_REAL,      /* a double */
    AS_MS,        /* int64_t microseconds as milliseconds */
    AS_S,         /* int64_t microseconds as seconds */
    AS_NAME,      /* an enum, as its name from the flag's names[] */
    AS_TEXT,      /* a string */
    AS_TEXT_LIST, /* struct text_list: one string as itself, several as an array */
    AS_BOOL,      /* a bool */
    AS_SKEW,      /* struct skew, as "hot:K" etc. (and "hot" when it has a hot set) */
    AS_RETRY_SET, /* struct retry_set, as an array of class names */
};

struct flag_record {
    const char *key;
    enum record_as as;
    size_t offset; /* in struct config */
    size_t size;
    bool per_instance; /* may differ between the instances of one run: merge lets it */
};

/* The report's header: its lines, in the order printed. */
enum header_part {
    HEADER_NONE,
    HEADER_LOAD,     /* "txstorm run: 16 workers" */
    HEADER_WORKLOAD, /* "skew hot:10, amount 1..100" */
    HEADER_DB,       /* "database ..." */
    HEADER_SEED,     /* "seed 42" */
    HEADER_TXN,      /* "shape interactive, lock order random, ..." */
    HEADER_RETRIES   /* "retries: restart protocol, up to 10, ..." */
};

/* When a phrase is printed: always, when the flag's own recorded value is set
 * (not zero, not its first name), or when another key's value is (un)set. */
enum header_when { WHEN_ALWAYS, WHEN_SET, WHEN_KEY_SET, WHEN_KEY_UNSET };

struct flag_shown {
    enum header_part part;
    const char *phrase; /* a format with one %s per record of the flag */
    const char *unset;  /* WHEN_SET: what is printed instead when unset (and key, if
                           given, is unset too); NULL: nothing */
    enum header_when when;
    const char *key; /* WHEN_KEY_SET, WHEN_KEY_UNSET; WHEN_SET: see unset */
    bool glued;      /* follows the previous phrase without ", " */
};

struct flag {
    const char *name;  /* --name */
    unsigned commands; /* bit (1 << CMD_x) for each command that takes it */
    enum flag_kind kind;
    size_t offset; /* where its value lands in struct config; size: of that field */
    size_t size;
    int64_t min, max; /* FLAG_INT; max: FLAG_LIST */
    double lo, hi;    /* FLAG_DOUBLE */
    bool above_zero;  /* FLAG_DOUBLE, FLAG_DURATION: zero is refused too */
    const char *const *names; /* FLAG_CHOICE (and AS_NAME): ending in NULL */
    const char *noun;         /* FLAG_CHOICE: "unknown NOUN '...'"; NULL: "value" */
    int (*parse)(const char *value, struct config *cfg, char *err, size_t err_len);
    const char *def;   /* the default, as one would type it; NULL: zero, off or none */
    const char *needs; /* another flag that must be given with it */
    bool repeatable;   /* may be given more than once (FLAG_LIST always may, up to max);
                          any other flag given twice is refused */
    const char *group; /* help heading it is listed under; NULL: none */
    const char *arg;   /* the value's placeholder in help ("N", "D"); NULL for a switch */
    const char *help;  /* help text; '\n' starts a continuation line */
    const char *(*help_text)(void); /* or: builds it (from another table, e.g. of kinds) */
    /* docs/reference.md's flag table (options_markdown): its words, in Markdown
     * (NULL: the help's), and its default where def is NULL ("random", "off";
     * NULL: "off" for a switch, else none). */
    const char *doc;
    const char *doc_default;
    struct flag_record record[2]; /* in the JSON config */
    bool unrecorded;              /* on purpose not in the JSON config */
    const char *same_as;          /* recorded and shown as that flag */
    struct flag_shown shown;      /* in the report's header */
    bool unshown;                 /* on purpose not in the header */
    const char *shown_via;        /* its effect shows in that flag's phrase */
};

/* Most flags there can be; options.c keeps a "given" mark per flag. */
#define OPTIONS_MAX_FLAGS 128

extern const struct flag options_flags[];
extern const int options_n_flags;

/* f's help text, as --help shows it (after the flag, before its default). */
const char *options_flag_help(const struct flag *f);

/* The row that records key, or NULL. */
const struct flag *options_flag_recording(const char *key, const struct flag_record **rec);

#endif
