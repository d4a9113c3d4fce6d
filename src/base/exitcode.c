/* What each exit code means, in a few words (--help) and in full
 * (docs/reference.md's table, `txstorm help --markdown exit-codes`): one row each. */
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

const char *const exit_code_details[EXIT_CODE_COUNT] = {
    [EXIT_OK] =
        "ok: the run finished and every invariant holds",
    [EXIT_VIOLATION] =
        "an invariant of the bank is violated (the report names it, with expected and "
        "actual)",
    [EXIT_USAGE] =
        "usage error: bad flag or value (a `--load` or `--trigger` notation included, "
        "a number not in plain decimal), a flag that takes one value given twice, "
        "a DSN that cannot be parsed, a `--db` endpoint that reaches another bank than "
        "the first, hot set larger than the bank, `init` over an "
        "existing bank without `--drop`, an unwritable or destructive "
        "`--json`/`--csv`/`--hgrm`/`--junit`/`--html` path (or one that failed at the end: "
        "the output is then saved in the file the line names), a standard output that "
        "cannot be written, a `--metrics-addr` that is "
        "malformed or whose port is in use, a result file that cannot be read or "
        "merged; one line on stderr naming it",
    [EXIT_DATABASE] =
        "database unreachable (wrong host, password, database), bank missing or "
        "malformed, a privilege the transfers need missing, workers lost their "
        "connection during the run, or no transfer committed because the database "
        "refused them all (class other or constraint); one line on stderr with libpq's "
        "message, password removed",
    [EXIT_ASSERT] =
        "an `--assert` gate failed (and every invariant holds), `recover_s` and `reconnect_s` "
        "included",
    [EXIT_MEMORY] =
        "out of memory: histograms that would not fit (refused before the run) or an "
        "allocation that failed",
    [EXIT_PLOTTER] =
        "`plot`: gnuplot is not on `PATH`, or failed; one line on stderr",
};
