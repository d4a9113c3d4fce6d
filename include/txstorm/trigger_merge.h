/* The triggers of several results of one run (--instance), merged into one
 * row per trigger: report_merge.c's rule for them. Pure.
 *
 * A window one instance injected for all of them (every part's row names the
 * same injected_by) is one window: the injector's own part's, on the merged
 * clock, its counts as they are. Windows each instance held itself (a spike,
 * each instance's own load; results of a txstorm from before one instance
 * injected for all) are reconciled: from the earliest start to the latest end
 * among the instances that injected it, planned the same way, how it ended the
 * most telling of theirs, counts added, a command's exit the first that
 * failed (else the first), why not only when none did. */
#ifndef TXSTORM_TRIGGER_MERGE_H
#define TXSTORM_TRIGGER_MERGE_H

#include "txstorm/trigger_verdict.h"

struct trigger_part {
    const struct trigger_outcomes *triggers;
    double offset_s; /* its clock's origin on the merged clock */
    int instance;    /* its --instance; -1: a merge itself */
};

/* Appends the merged rows to out, not yet judged. 0, or -1 when the parts'
 * triggers differ (their number, who injected a window) or memory runs out. */
int trigger_outcomes_merge(const struct trigger_part *parts, int n, struct trigger_outcomes *out);

#endif
