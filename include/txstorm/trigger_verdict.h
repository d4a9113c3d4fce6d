/* The triggers of a result, typed: each trigger's window as planned and as
 * it was held (the effective window: from when its lock was actually taken
 * to when it was released, and how), and its recovery verdict (recovery.h)
 * judged on the result's series over the effective window; the report's
 * lines for them, the figure --assert recover_s reads, and their JSON both
 * ways. Pure.
 *
 * JSON, a row each: {"kind", "spec", "arg", "planned_start_s",
 * "planned_end_s" (the plan's window; absent in results from before),
 * "start_s", "end_s" (the window actually held, on the series' clock; null:
 * never injected), "released" (how a window with a span ended: "as_planned",
 * "exited", "run_ended", "timed_out", "ended_by_server", "connection_lost"),
 * "release_error" (what the server or libpq said when it ended otherwise),
 * "terminated" (terminate only), "exit_status" or "exit_signal" and
 * "output" (exec only: how its command ended, and the tail of what it
 * wrote), "injected_by" (the instance whose injector injected it for every
 * instance of a run of several, --instance: 0), "error" (why it was not
 * injected)}. A command that ran but exited non-zero or by a signal
 * *failed*: its window is kept (it bounds the other triggers' baselines),
 * it is not judged, and its "outcome" is "failed". Judged, a row gains
 * "baseline_per_s", "band_per_s", "baseline_s",
 * "baseline_intervals", "recovered",
 * "recovery_s" (null unless recovered), "outcome", "verdict",
 * "reconnect_s" (the workers' reconnect after it, recovery.h; null: not
 * all connected again) and "connect_attempts_peak_per_s" (both absent when
 * the series does not know its workers), and
 * "amplification": {"before", "during", "after"} (null where nothing was
 * offered or finished). */
#ifndef TXSTORM_TRIGGER_VERDICT_H
#define TXSTORM_TRIGGER_VERDICT_H

#include "txstorm/command_run.h"
#include "txstorm/recovery.h"
#include "txstorm/series.h"
#include "txstorm/trigger.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* How a window with a span ended, from the least to the most telling. */
enum trigger_release {
    TRIGGER_RELEASE_UNKNOWN,     /* an instant, never injected, or a result from before */
    TRIGGER_RELEASED_AS_PLANNED, /* at the planned end */
    TRIGGER_EXITED,              /* exec: its command ended by itself */
    TRIGGER_RELEASED_RUN_ENDED,  /* the run ended within the window */
    TRIGGER_TIMED_OUT,           /* exec: its command was ended at its deadline */
    TRIGGER_ENDED_BY_SERVER,     /* the server ended the injector's session under it */
    TRIGGER_CONNECTION_LOST,     /* the injector's connection dropped under it */
    TRIGGER_RELEASES
};

struct trigger_outcome {
    char kind[32];
    char spec[TRIGGER_COMMAND_MAX + 64]; /* an exec's holds its command */
    char arg[TRIGGER_COMMAND_MAX];
    double planned_start_s, planned_end_s; /* the plan's window; NaN: unknown */
    double start_s, end_s; /* the window held, on the series' clock; NaN: never injected */
    enum trigger_release released;
    char release_error[256]; /* what ended it, when not the plan or the run */
    int64_t terminated;      /* terminate: the sessions it ended; -1: not a count of its kind */
    int injected_by;         /* the instance that injected it for all; -1: each its own */
    char error[256];         /* why it was not injected, or, injected, the part of it that
                                failed (a terminate's endpoint out of reach); "": none known */
    bool judged;             /* trigger_outcomes_judge gave it a verdict */
    struct recovery_verdict verdict;
    /* exec: its command's exit status (-1: none, not exec or a signal), the
     * signal that ended it (0: none), the tail of its output */
    int exit_status, exit_signal;
    char output[COMMAND_OUTPUT_MAX + 1];
};

struct trigger_outcomes {
    struct trigger_outcome *items;
    size_t n;
};

/* A row with nothing known yet: never injected, counts absent. */
void trigger_outcome_init(struct trigger_outcome *t);

bool trigger_outcome_injected(const struct trigger_outcome *t);

/* Injected, but its command exited non-zero or by a signal: not judged. */
bool trigger_outcome_failed(const struct trigger_outcome *t);

/* Appends a copy; false when out of memory. */
bool trigger_outcomes_append(struct trigger_outcomes *t, const struct trigger_outcome *o);
void trigger_outcomes_free(struct trigger_outcomes *t);

/* Judges each injected trigger on the series. rate_per_s: the open loop's
 * rate (0: closed loop), for rows that carry no offered rate of their own.
 * stop_s: when the run was stopped, on the series' clock (INFINITY: not
 * known); the rows after it (recovery_measured_n) are not judged. */
void trigger_outcomes_judge(struct trigger_outcomes *t, const struct series *rows,
                            double rate_per_s, double stop_s);

/* "as_planned", "exited", "run_ended", "timed_out", "ended_by_server",
 * "connection_lost"; NULL: unknown, or past the last. */
const char *trigger_release_name(enum trigger_release r);

/* The way of ending that name (trigger_release_name's) names, into out;
 * false when it names none. */
bool trigger_release_parse(const char *name, enum trigger_release *out);

/* "recovered in 1.0 s", "not injected", "failed: exit status 3", "not judged". */
void trigger_outcome_verdict_text(const struct trigger_outcome *t, char *out, size_t len);

/* One line per trigger: "  lock-rows@10s+3s  planned 10.0..13.0 s, held 10.0..13.0 s,
 * baseline ...: recovered in 1.0 s", the held window followed by how it
 * ended when not as planned; an exec's then its exit and its output's
 * tail, a line each, indented. */
void trigger_verdict_print(FILE *out, const struct trigger_outcomes *t);

/* The slowest trigger's time to recover, in seconds; NaN when there is no
 * trigger or one did not recover (or could not be judged). */
double trigger_verdict_recover_s(const struct trigger_outcomes *t);

/* The slowest trigger's time until every worker was connected again, in
 * seconds; NaN when there is no trigger, or after one they were not all
 * connected again (or it was not judged, or its series does not know). */
double trigger_verdict_reconnect_s(const struct trigger_outcomes *t);

/* The "triggers" array (NULL when out of memory), and back: 0, or -1 with
 * one line in err (t is then empty). */
json_t *trigger_outcomes_json(const struct trigger_outcomes *t);
int trigger_outcomes_decode(const json_t *j, struct trigger_outcomes *t, char *err, size_t err_len);

#endif
