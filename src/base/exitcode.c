/* What each exit code means: one row each. */
#include "txstorm/exitcode.h"

const char *const exit_code_meanings[EXIT_CODE_COUNT] = {
    [EXIT_OK] = "ok",
    [EXIT_VIOLATION] = "an invariant is violated",
    [EXIT_USAGE] = "usage error",
    [EXIT_DATABASE] = "database unreachable, bank missing/malformed, or every transfer refused",
    /* A violated invariant says more than a missed gate. */
    [EXIT_ASSERT] = "an --assert failed (1 takes precedence)",
    [EXIT_MEMORY] = "out of memory",
    [EXIT_PLOTTER] = "plot: gnuplot missing or failed",
};
