/* The triggers of a result, judged: the recovery verdict (recovery.h) of each
 * trigger added to the result's "triggers" array from its series, the
 * report's lines for them, and the figure --assert recover_s reads. Pure.
 *
 * A trigger row: {"kind", "spec", "arg", "start_s", "end_s" (the window
 * actually held, on the intervals' clock; null: never injected), "error"
 * (why not, if it failed)}; judged, it gains "baseline_per_s", "band_per_s",
 * "recovered", "recovery_s" (null unless recovered), "outcome",
 * "verdict" and "amplification": {"before", "during", "after"} (null where
 * nothing was offered or finished). */
#ifndef TXSTORM_TRIGGER_VERDICT_H
#define TXSTORM_TRIGGER_VERDICT_H

#include "txstorm/series.h"
#include <jansson.h>
#include <stdio.h>

/* Judges each trigger in place. rate_per_s: the open loop's rate (0: closed
 * loop), for intervals that do not carry their own "offered_per_s". */
void trigger_verdict_add(json_t *triggers, const struct series *rows, double rate_per_s);

/* One line per trigger: "  lock-rows@10s+3s  held 10.0..13.0 s  baseline ...: recovered in 1.0 s". */
void trigger_verdict_print(FILE *out, const json_t *triggers);

/* The slowest trigger's time to recover, in seconds; NaN when there is no
 * trigger or one did not recover (or could not be judged). */
double trigger_verdict_recover_s(const json_t *triggers);

#endif
