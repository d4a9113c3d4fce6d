/* Per-phase figures of a run over load phases (phases.h): tallied from its
 * series (intervals close at phase boundaries, so each lies in one phase),
 * written as the result's "phases" array, and printed as a table from that
 * array, so a live run and `report` of its JSON print the same. */
#ifndef TXSTORM_PHASES_REPORT_H
#define TXSTORM_PHASES_REPORT_H

#include "txstorm/phases.h"
#include "txstorm/series.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* [{"name", "start_s", "end_s", "rate_from_per_s", "rate_to_per_s", "offered",
 * "offered_per_s", "achieved_per_s", "goodput_per_s", "retries_per_commit",
 * "failed", "p50_ms", "p99_ms", "lag_p99_ms"}], one per phase of p that has
 * measured rows in the series; a phase ends at end_us (the run's end, since
 * the workers started) when the run ended in it, and the last one does in
 * any case. Percentiles come from the rows' histograms. */
json_t *phases_report_json(const struct phases *p, const struct series *rows, int64_t end_us);

/* The same figures for the phases a result lists (its "phases" array: their
 * names, spans and rates), tallied again from another series: a merge's. */
json_t *phases_report_again(const json_t *phases, const struct series *rows);

/* The table of a result's "phases" array (nothing when NULL or empty). */
void phases_report_print(FILE *out, const json_t *phases);

#endif
