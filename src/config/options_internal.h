/* What options.c, options_table.c, options_values.c and options_markdown.c share;
 * nothing else includes this. */
#ifndef TXSTORM_OPTIONS_INTERNAL_H
#define TXSTORM_OPTIONS_INTERNAL_H

#include "txstorm/options.h"

/* A command: its name and what its usage text says; main dispatches on the enum. */
struct command_def {
    const char *name;
    const char *summary; /* one line in `txstorm --help` */
    const char *args;    /* positional arguments in its usage line, or NULL */
    const char *about;   /* closing paragraph of its help */
    int min_files;       /* result files named on the command line (report, merge) */
    int max_files;       /* 0: takes none */
};

/* Indexed by enum command; CMD_HELP and CMD_VERSION have no row (name NULL). */
extern const struct command_def options_commands[];
extern const int options_n_commands;

/* What txstorm is, in one sentence (--help's and the man page's). */
extern const char options_about[];

/* How a command reaches its database (--db, DATABASE_URL, libpq's defaults):
 * "connection (COMMANDS): ...", lines indented by two after the first. */
const char *options_connection_note(void);

/* Readers shared by the generic kinds and the hand-written handlers: each
 * returns 0, or -1 with "--name: ..." in err. */
int options_int_flag(const char *name, const char *v, int64_t min, int64_t max, int64_t *out,
                     char *err, size_t err_len);
int options_double_flag(const char *name, const char *v, double min, double max, double *out,
                        char *err, size_t err_len);
int options_duration_flag(const char *name, const char *v, int64_t *out, char *err,
                          size_t err_len);

#endif
