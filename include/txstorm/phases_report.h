/* Per-phase figures of a run over load phases (phases.h): tallied from its
 * intervals (which close at phase boundaries, so each lies in one phase),
 * written as the result's "phases" array, and printed as a table from that
 * array, so a live run and `report` of its JSON print the same. */
#ifndef TXSTORM_PHASES_REPORT_H
#define TXSTORM_PHASES_REPORT_H

#include "txstorm/phases.h"
#include "txstorm/stats.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct phase_tally {
    int64_t measured_us; /* the phase's measured intervals, summed */
    double offered;      /* transactions the phases offered in them */
    struct figure_counts counts;
    struct hist *latency_us, *lag_us;
};

/* n tallies, zeroed, with their histograms; false when out of memory
 * (what was made is freed by phase_tallies_free). */
bool phase_tallies_init(struct phase_tally *t, int n, int sig_figs);
void phase_tallies_free(struct phase_tally *t, int n);

/* Adds one measured interval of interval_us in which offered were offered. */
void phase_tally_add(struct phase_tally *t, const struct stats *interval, int64_t interval_us,
                     double offered);

/* [{"name", "start_s", "end_s", "rate_from_per_s", "rate_to_per_s", "offered",
 * "offered_per_s", "achieved_per_s", "goodput_per_s", "retries_per_commit",
 * "failed", "p50_ms", "p99_ms", "lag_p99_ms"}], one per phase that has
 * measured time; a phase ends at end_us (the run's end, since the workers
 * started) when the run ended in it, and the last one does in any case. */
json_t *phases_report_json(const struct phases *p, const struct phase_tally *t, int64_t end_us);

/* The table of a result's "phases" array (nothing when NULL or empty). */
void phases_report_print(FILE *out, const json_t *phases);

#endif
