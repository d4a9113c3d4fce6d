/* txstorm: provoke, measure and explain transaction contention. main reads
 * the command line and hands it to its command (cmd_*.c). */
#include "cmd_internal.h"
#include "txstorm/exitcode.h"
#include "txstorm/outfile.h"
#include "txstorm/text.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_help(const struct config *cfg)
{
    if (cfg->help_table && strcmp(cfg->help_table, "exit-codes") == 0)
        options_markdown_exit_codes(stdout);
    else if (cfg->help_table)
        options_markdown_triggers(stdout);
    else if (cfg->help_form == HELP_MARKDOWN)
        options_markdown(stdout, cfg->help_for);
    else if (cfg->help_form == HELP_MAN)
        options_man(stdout);
    else if (cfg->help_form == HELP_COMPLETION)
        options_completion_bash(stdout);
    else
        fputs(options_usage(cfg->help_for), stdout);
    return EXIT_OK;
}

static int cmd_version(const struct config *cfg)
{
    (void)cfg;
    text_printf(stdout, "txstorm %s\n", TXSTORM_VERSION);
    return EXIT_OK;
}

/* What each command does. Its name, usage and flags are its rows in
 * options_table.c; whether it uses a database is whether it takes --db. */
static int (*const commands[CMD_COUNT])(const struct config *) = {
    [CMD_HELP] = cmd_help,     [CMD_VERSION] = cmd_version, [CMD_INIT] = cmd_init,
    [CMD_RUN] = cmd_run,       [CMD_CHECK] = cmd_check,     [CMD_DEMO] = cmd_demo,
    [CMD_REPORT] = cmd_report, [CMD_MERGE] = cmd_merge,     [CMD_COMPARE] = cmd_compare,
    [CMD_PLOT] = cmd_plot,
};

int main(int argc, char **argv)
{
    struct config cfg;
    char err[OPTIONS_ERR_MAX];
    if (options_parse(argc, argv, getenv("DATABASE_URL"), &cfg, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    /* A connection string libpq cannot read, or would read so that an error
     * could quote its password, is bad input: refused before connecting. */
    bool uses_db = options_takes(cfg.command, "db");
    struct dsn_view dsn;
    for (int i = 0; uses_db && i < options_n_endpoints(&cfg); i++) {
        if (db_dsn_inspect(options_endpoint(&cfg, i), &dsn, err, sizeof err) != 0) {
            if (options_n_endpoints(&cfg) > 1)
                text_printf(stderr, "txstorm: --db (endpoint %d of %d): %s\n", i + 1,
                            options_n_endpoints(&cfg), err);
            else
                text_printf(stderr, "txstorm: --db: %s\n", err);
            return EXIT_USAGE;
        }
    }
    /* A report piped to a reader that has gone (`| tee` closed with the
     * terminal) must not end the process before the result files are written:
     * the write fails instead, and is told below. Help and version may die
     * quietly, as any filter's output does. */
    if (cfg.command != CMD_HELP && cfg.command != CMD_VERSION) signal(SIGPIPE, SIG_IGN);
    int rc = commands[cfg.command](&cfg);
    /* Output lost to a full disk or a closed pipe is an error, not a silent
     * success; an exit code already set says more. */
    if (outfile_flush_stdout(err, sizeof err) != 0) {
        fprintf(stderr, "txstorm: %s\n", err);
        if (rc == EXIT_OK) rc = EXIT_USAGE;
    }
    return rc;
}
