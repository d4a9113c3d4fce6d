/* Per-phase figures of a run over load phases (phases.h): tallied from its
 * series (intervals close at phase boundaries, so each lies in one phase)
 * into a table, printed from it, and written to and read from the result's
 * "phases" array, so a live run and `report` of its JSON print the same. */
#ifndef TXSTORM_PHASES_REPORT_H
#define TXSTORM_PHASES_REPORT_H

#include "txstorm/phases.h"
#include "txstorm/series.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* One phase's figures over its measured rows. */
struct phase_figures {
    char name[PHASES_NAME_MAX];
    double start_s, end_s; /* since the workers started */
    double rate_from_per_s, rate_to_per_s;
    double offered, offered_per_s, achieved_per_s, goodput_per_s, retries_per_commit;
    int64_t failed;
    double p50_ms, p99_ms, lag_p99_ms;
};

struct phase_table {
    struct phase_figures *items;
    size_t n;
};

/* One row per phase of p that has measured rows in the series; a phase ends
 * at end_us (the run's end, since the workers started) when the run ended in
 * it, and the last one does in any case. Percentiles come from the rows'
 * histograms. False when out of memory (out is then empty). */
bool phases_report_tally(const struct phases *p, const struct series *rows, int64_t end_us,
                         struct phase_table *out);

/* The same figures for the phases a result lists (their names, spans and
 * rates), tallied again from another series: a merge's. */
bool phases_report_again(const struct phase_table *phases, const struct series *rows,
                         struct phase_table *out);

void phase_table_free(struct phase_table *t);

/* The table of a result's phases (nothing when there are none). */
void phases_report_print(FILE *out, const struct phase_table *phases);

/* The result's "phases": [{"name", "start_s", "end_s", "rate_from_per_s",
 * "rate_to_per_s", "offered", "offered_per_s", "achieved_per_s",
 * "goodput_per_s", "retries_per_commit", "failed", "p50_ms", "p99_ms",
 * "lag_p99_ms"}] (NULL when out of memory), and back: 0, or -1 with one line
 * in err (out is then empty). */
json_t *phases_report_json(const struct phase_table *phases);
int phases_report_decode(const json_t *j, struct phase_table *out, char *err, size_t err_len);

#endif
