/* The recovery verdict: did the run come back after a trigger, and how fast.
 * Pure: it reads the per-interval series and the triggers' actual windows.
 *
 * Times are seconds on the intervals' clock (since the workers started).
 * For trigger w, with windows ordered by start:
 *  - baseline: the goodput (committed/s) over the measured intervals at
 *    least half inside the span from the previous trigger's end (or the
 *    warmup's end) to w's start, and not reached by w itself. None, or
 *    nothing committed in them: no baseline.
 *  - band: an interval is back when its goodput is at least
 *    max(0.5 B, min(0.9 B, B - 2 sd)), B the baseline and sd the spread of
 *    its intervals' goodput (a noisy baseline widens the band, down to half
 *    of B at most); in open loop its worst schedule lag must also be at most
 *    2 x the baseline intervals' worst + 50 ms (a backlog that never drains
 *    is the metastable case even when goodput looks fine).
 *  - judged: the measured intervals ending after w's end and wholly before
 *    the next trigger's start (or the run's end), leaving out intervals
 *    shorter than half the longest (the run's last sliver). None: no data
 *    after (the trigger ended with the run), never "recovered".
 *  - recovered: the first judged interval back from which no
 *    RECOVERY_RELAPSE_INTERVALS judged intervals in a row fall out of the
 *    band again (one noisy interval alone is not a relapse); the time to
 *    recover is from w's end to that interval's start (0 when it began
 *    inside the window). None: did not recover within the run (metastable).
 *  - amplification, before (the baseline's intervals), during (those
 *    overlapping the window) and after (the judged ones): attempts per
 *    offered transaction in open loop, per finished one in closed loop;
 *    NaN when nothing was offered or finished. */
#ifndef TXSTORM_RECOVERY_H
#define TXSTORM_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECOVERY_BAND 0.9         /* of the baseline */
#define RECOVERY_BAND_FLOOR 0.5   /* the band never drops below this share */
#define RECOVERY_BAND_SD 2.0      /* standard deviations a noisy baseline allows */
#define RECOVERY_LAG_FACTOR 2.0   /* open loop: lag within this many times the baseline's */
#define RECOVERY_LAG_SLACK_MS 50.0
#define RECOVERY_RELAPSE_INTERVALS 2 /* judged intervals out of the band in a row: a relapse */

struct recovery_interval {
    double end_s;      /* the interval's end */
    double interval_s; /* its length */
    bool warmup;
    int64_t committed;
    int64_t finished; /* committed, failed, ambiguous, insufficient */
    int64_t attempts; /* of the finished transactions */
    double offered;   /* transactions offered in it; NaN: closed loop */
    double lag_ms;    /* its worst schedule lag; NaN: closed loop */
};

struct recovery_window {
    double start_s, end_s; /* end = start for an instantaneous trigger */
};

enum recovery_outcome {
    RECOVERY_RECOVERED,
    RECOVERY_METASTABLE,    /* did not recover within the run */
    RECOVERY_NO_DATA_AFTER, /* no interval to judge after the trigger */
    RECOVERY_NO_BASELINE    /* nothing measured (or committed) before it */
};

enum recovery_phase { RECOVERY_BEFORE, RECOVERY_DURING, RECOVERY_AFTER, RECOVERY_PHASES };

struct recovery_verdict {
    enum recovery_outcome outcome;
    double baseline_per_s;    /* NaN: no baseline */
    double band_per_s;        /* NaN: no baseline */
    double recovery_s;        /* RECOVERY_RECOVERED only; else NaN */
    double amplification[RECOVERY_PHASES];
};

/* Judges windows[which] among n_windows (any order) over the series. */
void recovery_judge(const struct recovery_interval *iv, size_t n,
                    const struct recovery_window *windows, size_t n_windows, size_t which,
                    struct recovery_verdict *out);

/* "recovered", "metastable", "no_data_after", "no_baseline". */
const char *recovery_outcome_name(enum recovery_outcome o);

/* "recovered in 1.2 s", "did not recover within the run (metastable)", ... */
void recovery_verdict_text(const struct recovery_verdict *v, char *out, size_t len);

/* "before", "during", "after". */
const char *recovery_phase_name(enum recovery_phase p);

#endif
