/* The check's verdict as rows: each invariant the checker judges, with its one
 * name, its verdict, its figures and why it failed. Pure. The text report's
 * table, the JUnit cases and the plot page all render these rows, so an
 * invariant is named and judged in one place; a renderer lays rows out and
 * knows no invariant but by its id.
 *
 * Every invariant has a row, in this order, whether or not it was checked:
 * one that was not asked for is CHECK_NOT_RUN with what it needs as its
 * reason (JUnit reports it skipped; the tables leave it out). */
#ifndef TXSTORM_CHECK_ROWS_H
#define TXSTORM_CHECK_ROWS_H

#include "txstorm/checker.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stable ids, in the rows' order. */
enum check_invariant {
    CHECK_ACCOUNTS,          /* ids are exactly 1..N */
    CHECK_CONSERVATION,      /* the sum of balances is the initial total */
    CHECK_NO_OVERDRAFT,      /* no negative balance */
    CHECK_BALANCES,          /* each balance = initial + credits - debits in the ledger */
    CHECK_LEDGER_ACKED,      /* every acknowledged transfer is in the ledger once */
    CHECK_LEDGER_LOST,       /* a figure of CHECK_LEDGER_ACKED: acknowledged, absent */
    CHECK_LEDGER_DUPLICATED, /* a figure of CHECK_LEDGER_ACKED: present twice */
    CHECK_LEDGER_INVENTED,   /* no transfer seen to fail, or never acknowledged, is there */
    CHECK_AUDITOR,           /* every reading during the run conserved the total */
    CHECK_INVARIANT_COUNT
};

#define CHECK_ROWS_MAX CHECK_INVARIANT_COUNT

enum check_verdict {
    CHECK_PASS,
    CHECK_FAIL,
    CHECK_ALLOWED, /* not judged by choice (--allow-overdraft); the reason names the choice */
    CHECK_SKIPPED, /* asked for, but could not be judged; the reason says why */
    CHECK_NOT_RUN, /* not asked for; the reason says what it needs */
};

struct check_row {
    enum check_invariant invariant;
    const char *label; /* the one human name, e.g. "conservation (total)" */
    enum check_verdict verdict;
    bool detail; /* a figure of the row above, judged with it: the table indents it */
    int64_t expected;
    int64_t actual;
    const char *actual_unit; /* what actual counts where the label does not say, or NULL */
    char reason[128];        /* e.g. "off by +7"; "" when there is nothing to add */
};

/* Fills out with the rows of c, in the ids' order; returns how many it wrote
 * (CHECK_ROWS_MAX, or max when that is fewer). */
size_t check_rows(const struct check_result *c, struct check_row *out, size_t max);

/* A verdict as the tables print it: "PASS", "FAIL", "allowed", "skipped", "not run". */
const char *check_verdict_word(enum check_verdict v);

/* The whole check's verdict in words, after "check: ". */
const char *check_summary(const struct check_result *c);

#endif
