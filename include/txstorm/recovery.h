/* The recovery verdict: did the run come back after a trigger, and how fast.
 * Pure: it reads the per-interval series and the triggers' actual windows.
 *
 * Times are seconds on the intervals' clock (since the workers started).
 * L is the measured intervals' median length; an interval is *full* when
 * at least L/2 long (the run's last sliver is not). Window edges and
 * interval boundaries within the slack (interval_clock.h: L/4, at most
 * 50 ms) of each other are one moment (recovery_window_covers).
 * For trigger w, with windows ordered by start:
 *  - during: the measured intervals w covers.
 *  - baseline: the goodput B (committed/s) over the other measured
 *    intervals that end by the time w was first tried (its planned start,
 *    when a lock had to wait) and lie at least half in the span from the
 *    previous trigger's end (or the series' start) to then.
 *    It needs RECOVERY_BASELINE_MIN_S and RECOVERY_BASELINE_MIN_INTERVALS
 *    full intervals, else it is too short; nothing committed in it: none.
 *  - band: an interval is back when its goodput is at least
 *    max(0.5 B, min(0.9 B, B - 2 sd)), sd the spread of the full baseline
 *    intervals' goodput but never less than sqrt(B / L), the counting noise
 *    of one interval at B: a noisy baseline widens the band, and an
 *    interval at ordinary noise from B stays in it however steady the
 *    baseline was. In open loop its worst schedule lag must also be at most
 *    2 x the baseline intervals' worst + 50 ms (a backlog that never drains
 *    is the metastable case even when goodput looks fine).
 *  - judged: the full measured intervals after w (not covered, ending
 *    after its end) that end by the time the next trigger was first tried
 *    (or the run's end). None: the next trigger came first, or the run ended; never
 *    "recovered".
 *  - recovered: the first judged interval back from which no
 *    RECOVERY_RELAPSE_INTERVALS judged intervals in a row fall out of the
 *    band again (one noisy interval alone is not a relapse); the time to
 *    recover is from w's end to that interval's start. None: did not
 *    recover within the run (metastable).
 *  - amplification, before (the baseline's intervals), during and after
 *    (the judged ones): attempts per offered transaction in open loop, per
 *    finished one in closed loop; NaN when nothing was offered or finished.
 * Connections, judged whatever the baseline, over the measured intervals
 * that end after w's start and by the time the next trigger was first tried
 * (or the run's end), when each knows its workers:
 *  - disturbed: an interval with a connection attempt in it, or a worker not
 *    connected at its close (a lost connection is seen only when next used,
 *    so the first interval after w may look whole);
 *  - reconnected: from w's end to the moment every worker was back: the
 *    last disturbed interval's last connect, if every worker was connected
 *    at its close, else the next interval's close; an interval whose last
 *    connect is not known (none in it, or a result from before) gives its
 *    close. 0: none, or before w's end; none left: not reconnected within
 *    the span;
 *  - the peak: the most connection attempts per second of an interval, a
 *    sliver shorter than L/2 counted as L/2 long (it would spike). */
#ifndef TXSTORM_RECOVERY_H
#define TXSTORM_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECOVERY_BAND 0.9       /* of the baseline */
#define RECOVERY_BAND_FLOOR 0.5 /* the band never drops below this share */
#define RECOVERY_BAND_SD 2.0    /* standard deviations a noisy baseline allows */
#define RECOVERY_LAG_FACTOR 2.0 /* open loop: lag within this many times the baseline's */
#define RECOVERY_LAG_SLACK_MS 50.0
#define RECOVERY_RELAPSE_INTERVALS 2      /* judged intervals out of the band in a row: a relapse */
#define RECOVERY_BASELINE_MIN_S 2.0       /* a baseline shorter than this is too short */
#define RECOVERY_BASELINE_MIN_INTERVALS 3 /* full intervals, for a spread worth the name */

struct recovery_interval {
    double end_s;      /* the interval's end */
    double interval_s; /* its length */
    bool warmup;
    int64_t committed;
    int64_t finished; /* committed, failed, ambiguous, insufficient */
    int64_t attempts; /* of the finished transactions */
    double offered;   /* transactions offered in it; NaN: closed loop */
    double lag_ms;    /* its worst schedule lag; NaN: closed loop */
    int64_t connect_attempts;
    int64_t connects;      /* of those, the sessions made ready */
    double last_connect_s; /* connects > 0: when the last was made ready; NaN: not known */
    int64_t workers, workers_connected; /* at its close; 0 workers: unknown */
};

struct recovery_window {
    double start_s, end_s; /* the window held; end = start for an instantaneous trigger */
    /* When the injector began to take it (its planned start): a lock waited
     * for already disturbs the run (its tries hold some of the rows), so the
     * time from here to start_s is neither baseline nor inside it. NaN, or
     * not before start_s: start_s. */
    double tried_s;
};

enum recovery_outcome {
    RECOVERY_RECOVERED,
    RECOVERY_METASTABLE,     /* did not recover within the run */
    RECOVERY_NO_DATA_AFTER,  /* no interval to judge after the trigger: the run ended */
    RECOVERY_NO_BASELINE,    /* nothing committed before it */
    RECOVERY_SHORT_BASELINE, /* too little measured before it */
    RECOVERY_NEXT_TRIGGER,   /* no interval to judge before the next trigger began */
    RECOVERY_OUTCOMES
};

enum recovery_phase { RECOVERY_BEFORE, RECOVERY_DURING, RECOVERY_AFTER, RECOVERY_PHASES };

enum recovery_reconnect {
    RECONNECT_UNKNOWN,  /* no interval in the span, or one that does not know its workers */
    RECONNECT_BACK,     /* every worker connected again: reconnect_s */
    RECONNECT_NOT_BACK, /* not within the span */
};

struct recovery_verdict {
    enum recovery_outcome outcome;
    double baseline_per_s;  /* NaN: no baseline */
    double band_per_s;      /* NaN: no baseline */
    double baseline_s;      /* the baseline's length */
    int baseline_intervals; /* its full intervals */
    double recovery_s;      /* RECOVERY_RECOVERED only; else NaN */
    double amplification[RECOVERY_PHASES];
    enum recovery_reconnect reconnect;
    double reconnect_s;        /* RECONNECT_BACK only; else NaN */
    double connect_peak_per_s; /* known (not RECONNECT_UNKNOWN) only; else NaN */
};

/* Whether the window [start_s, end_s] (end = start: an instant) covers the
 * interval [from_s, to_s]: its edges within slack_s of the interval's are
 * taken to be at them; then it covers the interval when it lies within it
 * (an instant at the interval's end belongs to the next one), or covers at
 * least half of it. The progress line's trigger mark and the verdict's
 * "during" both read it. */
bool recovery_window_covers(double from_s, double to_s, double start_s, double end_s,
                            double slack_s);

/* How many of the series' first rows (in time order) end by the run's stop
 * at stop_s (within the slack; INFINITY: all): the rows after it, or partly
 * after it, while the workers drain, are no evidence of the run under its
 * offered load, before or after a trigger. recovery_judge reads that many. */
size_t recovery_measured_n(const struct recovery_interval *iv, size_t n, double stop_s);

/* Judges windows[which] among n_windows (any order) over the series. */
void recovery_judge(const struct recovery_interval *iv, size_t n,
                    const struct recovery_window *windows, size_t n_windows, size_t which,
                    struct recovery_verdict *out);

/* "recovered", "metastable", "no_data_after", "no_baseline",
 * "baseline_too_short", "next_trigger"; NULL past the last. */
const char *recovery_outcome_name(enum recovery_outcome o);

/* "recovered in 1.2 s", "did not recover within the run (metastable)", ... */
void recovery_verdict_text(const struct recovery_verdict *v, char *out, size_t len);

/* The connections of windows[which] over the series (see above), into
 * out's reconnect, reconnect_s and connect_peak_per_s. recovery_judge
 * calls it; pure. */
void recovery_judge_connections(const struct recovery_interval *iv, size_t n,
                                const struct recovery_window *windows, size_t n_windows,
                                size_t which, struct recovery_verdict *out);

/* "before", "during", "after". */
const char *recovery_phase_name(enum recovery_phase p);

#endif
