/* Command-line parsing: argv in, a validated config out, or one error line. Pure. */
#ifndef TXSTORM_OPTIONS_H
#define TXSTORM_OPTIONS_H

#include "txstorm/backoff.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum command { CMD_HELP, CMD_VERSION, CMD_INIT, CMD_RUN, CMD_CHECK, CMD_DEMO };

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
    int64_t duration_us;  /* 0 when --transactions bounds the run */
    int64_t transactions; /* 0 when --duration bounds the run */
    int64_t hot;
    int64_t amount_lo;
    int64_t amount_hi;
    int max_retries;
    struct backoff_config backoff;
    uint64_t seed;
    bool seed_given;
    int64_t progress_us; /* 0: no progress lines */
    int sig_figs;
    const char *json_path;
};

/* Error message buffer size that fits any parse error. */
#define OPTIONS_ERR_MAX 256

/* Parses argv (argv[0] is the program). env_database_url is DATABASE_URL's value
 * or NULL. Returns 0 and fills cfg, or -1 with one line (no newline) in err. */
int options_parse(int argc, char **argv, const char *env_database_url, struct config *cfg,
                  char *err, size_t err_len);

/* "250ms", "30s", "2m", "1h", "1500us": a unit is required. -1 on bad input. */
int options_parse_duration_us(const char *s, int64_t *out_us);

/* Decimal integer in [min, max], no sign tricks, no trailing junk. -1 on bad input. */
int options_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* Usage text for `txstorm --help` or `txstorm CMD --help`. */
const char *options_usage(enum command c);

#endif
