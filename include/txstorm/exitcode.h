/* The process exit codes, documented in README and --help. */
#ifndef TXSTORM_EXITCODE_H
#define TXSTORM_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,        /* all invariants hold */
    EXIT_VIOLATION = 1, /* an invariant of the bank is violated */
    EXIT_USAGE = 2,     /* bad flag or value */
    EXIT_DATABASE = 3,  /* database unreachable, or bank missing or malformed */
    EXIT_ASSERT = 4,    /* a --assert gate failed (a violated invariant takes precedence) */
    EXIT_MEMORY = 5,    /* out of memory (e.g. histograms at high --sig-figs under a limit) */
    EXIT_PLOTTER = 6,   /* plot: gnuplot is not installed, or failed */
};

#endif
