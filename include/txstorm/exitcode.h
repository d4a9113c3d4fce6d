/* The process exit codes, and what each means: --help lists them from here,
 * and docs/reference.md's table (txstorm help --markdown exit-codes) says more of each. */
#ifndef TXSTORM_EXITCODE_H
#define TXSTORM_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,
    EXIT_VIOLATION = 1,
    EXIT_USAGE = 2,
    EXIT_DATABASE = 3,
    EXIT_ASSERT = 4,
    EXIT_MEMORY = 5,
    EXIT_PLOTTER = 6,
    EXIT_CODE_COUNT
};

/* Each code's meaning in a few words, indexed by the code. */
extern const char *const exit_code_meanings[EXIT_CODE_COUNT];

/* Each code's meaning in full: when it happens, what is printed. */
extern const char *const exit_code_details[EXIT_CODE_COUNT];

#endif
