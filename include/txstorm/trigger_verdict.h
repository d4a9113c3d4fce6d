/* The triggers of a result, typed: each trigger's window as it was held and
 * its recovery verdict (recovery.h) judged on the result's series; the
 * report's lines for them, the figure --assert recover_s reads, and their
 * JSON both ways. Pure.
 *
 * JSON, a row each: {"kind", "spec", "arg", "start_s", "end_s" (the window
 * actually held, on the series' clock; null: never injected), "terminated"
 * (terminate only), "injected_by" (a merge's only), "error" (why it was not
 * injected)}; judged, it gains "baseline_per_s", "band_per_s", "baseline_s",
 * "baseline_intervals", "recovered",
 * "recovery_s" (null unless recovered), "outcome", "verdict" and
 * "amplification": {"before", "during", "after"} (null where nothing was
 * offered or finished). */
#ifndef TXSTORM_TRIGGER_VERDICT_H
#define TXSTORM_TRIGGER_VERDICT_H

#include "txstorm/recovery.h"
#include "txstorm/series.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct trigger_outcome {
    char kind[32];
    char spec[96];
    char arg[64];
    double start_s, end_s; /* the window held, on the series' clock; NaN: never injected */
    int64_t terminated;    /* terminate: the sessions it ended; -1: not a count of its kind */
    int injected_by;       /* a merge: the instances that injected it; -1: one run's */
    char error[256];       /* why it was not injected; "": it was, or no reason known */
    bool judged;           /* trigger_outcomes_judge gave it a verdict */
    struct recovery_verdict verdict;
};

struct trigger_outcomes {
    struct trigger_outcome *items;
    size_t n;
};

/* A row with nothing known yet: never injected, counts absent. */
void trigger_outcome_init(struct trigger_outcome *t);

bool trigger_outcome_injected(const struct trigger_outcome *t);

/* Appends a copy; false when out of memory. */
bool trigger_outcomes_append(struct trigger_outcomes *t, const struct trigger_outcome *o);
void trigger_outcomes_free(struct trigger_outcomes *t);

/* Judges each injected trigger on the series. rate_per_s: the open loop's
 * rate (0: closed loop), for rows that carry no offered rate of their own. */
void trigger_outcomes_judge(struct trigger_outcomes *t, const struct series *rows,
                            double rate_per_s);

/* "recovered in 1.0 s", "not injected", "not judged". */
void trigger_outcome_verdict_text(const struct trigger_outcome *t, char *out, size_t len);

/* One line per trigger: "  lock-rows@10s+3s  held 10.0..13.0 s  baseline ...: recovered in 1.0 s".
 */
void trigger_verdict_print(FILE *out, const struct trigger_outcomes *t);

/* The slowest trigger's time to recover, in seconds; NaN when there is no
 * trigger or one did not recover (or could not be judged). */
double trigger_verdict_recover_s(const struct trigger_outcomes *t);

/* The "triggers" array (NULL when out of memory), and back: 0, or -1 with
 * one line in err (t is then empty). */
json_t *trigger_outcomes_json(const struct trigger_outcomes *t);
int trigger_outcomes_decode(const json_t *j, struct trigger_outcomes *t, char *err, size_t err_len);

#endif
