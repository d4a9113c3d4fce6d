/* The commands (main.c's table) and what they share: the first endpoint's
 * connection, the outputs every command checks and writes. Inside
 * src/program only. */
#ifndef TXSTORM_CMD_INTERNAL_H
#define TXSTORM_CMD_INTERNAL_H

#include "txstorm/assertion.h"
#include "txstorm/checker.h"
#include "txstorm/db.h"
#include "txstorm/options.h"
#include "txstorm/report.h"

#include <stdint.h>

#ifndef TXSTORM_VERSION
#define TXSTORM_VERSION "0.1.0"
#endif

/* How long a command's connection may take to find the writable server. */
#define PREFER_WRITABLE_TIMEOUT_S 5

/* Says err on stderr; the exit code of a database failure. */
int die_db(const struct db_error *err);

/* The first endpoint: the one every command's own connection uses, followed
 * to the writable server. NULL, with *rc the exit code, told on stderr. */
struct db *connect_or_die(const struct config *cfg, int *rc);

/* A seed nobody gave: from /dev/urandom, else the clock. */
uint64_t fresh_seed(void);

/* Fails early, before a long run, when an output could not be written or
 * would destroy something: a directory, the same file twice, an input. The
 * outputs are the command's file flags (options_outputs). 0, or -1 told. */
int outputs_writable(const struct config *cfg);

/* --junit: the check's invariants (check NULL: it did not run) and the
 * assertions (figures NULL: none) as test cases. 0, or -1 with one line on stderr. */
int write_junit(const struct config *cfg, const struct check_result *check,
                const struct assert_figures *figures, int64_t start_unix_us, double time_s);

/* The outputs every result shares: text on stdout, then the files asked for,
 * then the assertions. Returns the exit code the outputs call for. */
int present(const struct config *cfg, const struct run_summary *s);

/* The commands, one a file's job: init, check and demo (cmd_bank.c); run
 * (cmd_run.c); report, merge, compare and plot (cmd_results.c). */
int cmd_init(const struct config *cfg);
int cmd_check(const struct config *cfg);
int cmd_demo(const struct config *cfg);
int cmd_run(const struct config *cfg);
int cmd_report(const struct config *cfg);
int cmd_merge(const struct config *cfg);
int cmd_compare(const struct config *cfg);
int cmd_plot(const struct config *cfg);

#endif
