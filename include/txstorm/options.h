/* Command-line parsing: argv in, a validated config out, or one error line. Pure. */
#ifndef TXSTORM_OPTIONS_H
#define TXSTORM_OPTIONS_H

#include "txstorm/assertion.h"
#include "txstorm/backoff.h"
#include "txstorm/classify.h"
#include "txstorm/schedule.h"
#include "txstorm/workload.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum command {
    CMD_HELP,
    CMD_VERSION,
    CMD_INIT,
    CMD_RUN,
    CMD_CHECK,
    CMD_DEMO,
    CMD_REPORT,
    CMD_MERGE,
    CMD_COMPARE
};

#define OPTIONS_MAX_ASSERTS 32
#define OPTIONS_MAX_WORKERS 10000
#define OPTIONS_MAX_THREADS 1024
#define OPTIONS_MAX_INSTANCES 512
#define OPTIONS_MAX_INPUTS 256

/* How a transfer talks to the database (see the run usage text). */
enum txn_shape { SHAPE_INTERACTIVE, SHAPE_FOR_UPDATE, SHAPE_SINGLE, SHAPE_PIPELINED };
enum lock_order { LOCK_TRANSFER_ORDER, LOCK_ID_ORDER };
enum isolation { ISO_SERIALIZABLE, ISO_REPEATABLE_READ, ISO_READ_COMMITTED };
enum retry_protocol { PROTOCOL_RESTART, PROTOCOL_SAVEPOINT };

/* Everything that shapes one transaction, fixed for a run. */
enum write_mode { WRITE_RELATIVE, WRITE_ABSOLUTE };

struct txn_spec {
    enum txn_shape shape;
    enum lock_order lock_order;
    enum isolation isolation;
    int64_t think_us;             /* pause between statements inside a transaction */
    enum write_mode write_mode;   /* absolute: write computed balances (lost updates under RC) */
    bool ledger;                  /* insert a `transfers` row in each transfer */
    int64_t statement_timeout_us; /* the server cancels a longer statement; 0: none */
};

const char *options_shape_name(enum txn_shape s);
const char *options_lock_order_name(enum lock_order o);
const char *options_isolation_name(enum isolation i);
const char *options_protocol_name(enum retry_protocol p);
const char *options_arrival_name(enum arrival a);
const char *options_write_mode_name(enum write_mode m);

struct config {
    enum command command;
    enum command help_for; /* with CMD_HELP: the command whose help was asked */
    const char *dsn;       /* --db, else DATABASE_URL, else NULL (libpq's PG* defaults) */

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
    double rate;           /* --rate: transactions/s offered across workers; 0: closed loop */
    enum arrival arrival;
    int64_t warmup_us;
    struct assertion asserts[OPTIONS_MAX_ASSERTS];
    int n_asserts;

    /* compare */
    int compare_format;    /* enum compare_format */
    double max_failed_pct; /* --max-failed: p99 ranks only policies failing at most this */

    /* report, merge, compare: the result files named on the command line */
    const char *inputs[OPTIONS_MAX_INPUTS];
    int n_inputs;

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
    int64_t stall_timeout_us;     /* no commit for this long is reported as a stall; 0: off */
};

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

/* Usage text for `txstorm --help` or `txstorm CMD --help`. */
const char *options_usage(enum command c);

#endif
