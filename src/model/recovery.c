/* The recovery verdict over the interval series (see recovery.h for the rule). */
#include "txstorm/recovery.h"
#include "txstorm/figures.h"
#include "txstorm/interval_clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Interval ends and window edges are printed to the microsecond; this much
 * absorbs the rounding. */
#define EPS_S 1e-6

static double start_of(const struct recovery_interval *i) { return i->end_s - i->interval_s; }

static double rate_of(const struct recovery_interval *i)
{
    return i->interval_s > 0 ? (double)i->committed / i->interval_s : 0;
}

/* t, or the nearer boundary of [from, to] within slack of it. */
static double snap(double t, double from, double to, double slack)
{
    double near = fabs(t - from) <= fabs(t - to) ? from : to;
    return fabs(t - near) <= slack ? near : t;
}

bool recovery_window_covers(double from_s, double to_s, double start_s, double end_s,
                            double slack_s)
{
    double a = snap(start_s, from_s, to_s, slack_s), b = snap(end_s, from_s, to_s, slack_s);
    if (b < a) b = a;
    if (a >= from_s - EPS_S && b <= to_s + EPS_S && a < to_s - EPS_S) return true;
    return fmin(to_s, b) - fmax(from_s, a) >= (to_s - from_s) / 2 - EPS_S;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The measured intervals' median length (0: none; their mean when out of
 * memory: a day's series at 100 ms is too long for the stack). */
static double median_length(const struct recovery_interval *iv, size_t n)
{
    double *lengths = malloc((n > 0 ? n : 1) * sizeof *lengths), sum = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!iv[i].warmup) {
            sum += iv[i].interval_s;
            if (lengths) lengths[m] = iv[i].interval_s;
            m++;
        }
    double median = m ? sum / (double)m : 0;
    if (lengths && m) {
        qsort(lengths, m, sizeof lengths[0], by_value);
        median = m % 2 ? lengths[m / 2] : (lengths[m / 2 - 1] + lengths[m / 2]) / 2;
    }
    free(lengths);
    return median;
}

/* The measured span that ends before windows[which] begins: from the end of
 * the latest window that began before it (or the series' start). */
static double baseline_from(const struct recovery_window *w, size_t n, size_t which)
{
    double from = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (i != which && w[i].start_s < w[which].start_s && w[i].end_s > from) from = w[i].end_s;
    return from;
}

/* When window w was first tried: its planned start, when before its start. */
static double tried(const struct recovery_window *w)
{
    return w->tried_s < w->start_s ? w->tried_s : w->start_s;
}

/* When the next window after windows[which] was first tried (INFINITY: none). */
static double judged_until(const struct recovery_window *w, size_t n, size_t which)
{
    double until = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (i != which && w[i].start_s > w[which].start_s && tried(&w[i]) < until)
            until = tried(&w[i]);
    return until;
}

/* Attempts per offered (open loop) or finished transaction (closed loop: the
 * attempts per finished of figures.h) over the marked intervals. */
static double amplification(const struct recovery_interval *iv, size_t n, const bool *in)
{
    int64_t attempts = 0, finished = 0;
    double offered = 0;
    bool open_loop = true;
    for (size_t i = 0; i < n; i++) {
        if (!in[i]) continue;
        attempts += iv[i].attempts;
        finished += iv[i].finished;
        if (isnan(iv[i].offered))
            open_loop = false;
        else
            offered += iv[i].offered;
    }
    if (!open_loop) return figures_ratio(attempts, finished);
    return offered > 0 ? (double)attempts / offered : NAN;
}

/* Whether anything happened to the workers' connections in the interval. */
static bool disturbed(const struct recovery_interval *x)
{
    return x->connect_attempts > 0 || x->workers_connected < x->workers;
}

/* When the workers were last seen back in x: its last connect where known
 * (within x), else its close. */
static double back_in(const struct recovery_interval *x)
{
    if (x->connects <= 0 || !isfinite(x->last_connect_s)) return x->end_s;
    return fmax(start_of(x), fmin(x->last_connect_s, x->end_s));
}

size_t recovery_measured_n(const struct recovery_interval *iv, size_t n, double stop_s)
{
    double slack = (double)interval_edge_slack_us((int64_t)(median_length(iv, n) * 1e6)) / 1e6;
    size_t m = 0;
    while (m < n && iv[m].end_s <= stop_s + slack)
        m++;
    return m;
}

void recovery_judge_connections(const struct recovery_interval *iv, size_t n,
                                const struct recovery_window *windows, size_t n_windows,
                                size_t which, struct recovery_verdict *out)
{
    const struct recovery_window *w = &windows[which];
    double until = judged_until(windows, n_windows, which), typical = median_length(iv, n);
    double slack = (double)interval_edge_slack_us((int64_t)(typical * 1e6)) / 1e6;
    out->reconnect = RECONNECT_UNKNOWN;
    out->reconnect_s = out->connect_peak_per_s = NAN;
    bool any = false,
         back = true; /* at the last disturbed interval's last connect, or the next's close */
    double peak = 0, back_at = w->end_s;
    for (size_t i = 0; i < n; i++) {
        const struct recovery_interval *x = &iv[i];
        if (x->warmup || x->end_s <= w->start_s + slack || x->end_s > until + slack) continue;
        if (x->workers <= 0) return; /* a row that does not know */
        any = true;
        double rate = (double)x->connect_attempts / fmax(x->interval_s, typical / 2);
        if (rate > peak) peak = rate;
        if (disturbed(x)) {
            back = x->workers_connected == x->workers;
            back_at = back_in(x);
        } else if (!back) {
            back = true; /* connected by the close of the one after the last disturbed */
            back_at = x->end_s;
        }
    }
    if (!any) return;
    out->connect_peak_per_s = peak;
    out->reconnect = back ? RECONNECT_BACK : RECONNECT_NOT_BACK;
    if (out->reconnect == RECONNECT_BACK) out->reconnect_s = fmax(0, back_at - w->end_s);
}

void recovery_judge(const struct recovery_interval *iv, size_t n,
                    const struct recovery_window *windows, size_t n_windows, size_t which,
                    struct recovery_verdict *out)
{
    const struct recovery_window *w = &windows[which];
    *out = (struct recovery_verdict){.baseline_per_s = NAN, .band_per_s = NAN, .recovery_s = NAN};
    double from = baseline_from(windows, n_windows, which), first = tried(w);
    double until = judged_until(windows, n_windows, which);
    double typical = median_length(iv, n);
    double slack = (double)interval_edge_slack_us((int64_t)(typical * 1e6)) / 1e6;

    bool in_phase[RECOVERY_PHASES][n > 0 ? n : 1];
    double time = 0, committed = 0, lag_ms = 0, last_end = -INFINITY;
    size_t n_full = 0, n_judged = 0;
    for (size_t i = 0; i < n; i++) {
        const struct recovery_interval *x = &iv[i];
        double s = start_of(x);
        bool measured = !x->warmup, full = x->interval_s >= typical / 2 - EPS_S;
        if (measured && x->end_s > last_end) last_end = x->end_s;
        bool during = measured && recovery_window_covers(s, x->end_s, w->start_s, w->end_s, slack);
        in_phase[RECOVERY_DURING][i] = during;
        /* An interval the trigger reached is no baseline for it. */
        in_phase[RECOVERY_BEFORE][i] = measured && !during && x->end_s <= first + slack &&
                                       recovery_window_covers(s, x->end_s, from, first, slack);
        in_phase[RECOVERY_AFTER][i] =
            measured && !during && full && x->end_s > w->end_s + slack && x->end_s <= until + slack;
        if (in_phase[RECOVERY_BEFORE][i]) {
            n_full += full;
            time += x->interval_s;
            committed += (double)x->committed;
            if (!isnan(x->lag_ms) && x->lag_ms > lag_ms) lag_ms = x->lag_ms;
        }
        n_judged += in_phase[RECOVERY_AFTER][i];
    }
    for (int p = 0; p < RECOVERY_PHASES; p++)
        out->amplification[p] = amplification(iv, n, in_phase[p]);
    recovery_judge_connections(iv, n, windows, n_windows, which, out);
    out->baseline_s = time;
    out->baseline_intervals = (int)n_full;

    if (time < RECOVERY_BASELINE_MIN_S - EPS_S || n_full < RECOVERY_BASELINE_MIN_INTERVALS) {
        out->outcome = RECOVERY_SHORT_BASELINE;
        return;
    }
    if (committed == 0) {
        out->outcome = RECOVERY_NO_BASELINE;
        return;
    }
    double base = committed / time, var = 0;
    for (size_t i = 0; i < n; i++)
        if (in_phase[RECOVERY_BEFORE][i] && iv[i].interval_s >= typical / 2 - EPS_S)
            var += pow(rate_of(&iv[i]) - base, 2);
    /* Never steadier than counting: commits in an interval of L seconds at
     * B/s vary by about sqrt(B L), so its goodput by sqrt(B / L). */
    double sd = fmax(sqrt(var / (double)(n_full - 1)), sqrt(base / typical));
    double band = fmin(RECOVERY_BAND * base, base - RECOVERY_BAND_SD * sd);
    band = fmax(band, RECOVERY_BAND_FLOOR * base);
    double lag_limit_ms = RECOVERY_LAG_FACTOR * lag_ms + RECOVERY_LAG_SLACK_MS;
    out->baseline_per_s = base;
    out->band_per_s = band;
    if (n_judged == 0) {
        /* Measured time after the next trigger's start: it, not the run's end, came first. */
        out->outcome = last_end > until + slack ? RECOVERY_NEXT_TRIGGER : RECOVERY_NO_DATA_AFTER;
        return;
    }
    /* The first judged interval of the stretch back in the band that lasts to
     * the end; one interval out of it alone does not end a stretch, two in a
     * row do (noise on a busy machine is not a relapse). */
    const struct recovery_interval *back = NULL;
    int out_in_a_row = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_phase[RECOVERY_AFTER][i]) continue;
        bool ok = rate_of(&iv[i]) >= band && (isnan(iv[i].lag_ms) || iv[i].lag_ms <= lag_limit_ms);
        if (ok) {
            out_in_a_row = 0;
            if (back == NULL) back = &iv[i];
        } else if (++out_in_a_row >= RECOVERY_RELAPSE_INTERVALS) {
            back = NULL;
        }
    }
    if (back == NULL) {
        out->outcome = RECOVERY_METASTABLE;
        return;
    }
    out->outcome = RECOVERY_RECOVERED;
    out->recovery_s = fmax(0, start_of(back) - w->end_s);
}

/* Each outcome's name in the result and the start of its verdict. */
static const struct {
    const char *name, *text;
} outcomes[RECOVERY_OUTCOMES] = {
    [RECOVERY_RECOVERED] = {"recovered", "recovered in"},
    [RECOVERY_METASTABLE] = {"metastable", "did not recover within the run (metastable)"},
    [RECOVERY_NO_DATA_AFTER] = {"no_data_after",
                                "not judged: no interval after it (the run ended)"},
    [RECOVERY_NO_BASELINE] = {"no_baseline", "not judged: nothing committed before it"},
    [RECOVERY_SHORT_BASELINE] = {"baseline_too_short", "not judged: baseline too short"},
    [RECOVERY_NEXT_TRIGGER] = {"next_trigger",
                               "not judged: no interval after it before the next trigger"},
};

const char *recovery_outcome_name(enum recovery_outcome o)
{
    return (unsigned)o < RECOVERY_OUTCOMES ? outcomes[o].name : NULL;
}

const char *recovery_phase_name(enum recovery_phase p)
{
    static const char *const names[] = {"before", "during", "after"};
    return (unsigned)p < RECOVERY_PHASES ? names[p] : "?";
}

void recovery_verdict_text(const struct recovery_verdict *v, char *out, size_t len)
{
    if ((unsigned)v->outcome >= RECOVERY_OUTCOMES)
        snprintf(out, len, "?");
    else if (v->outcome == RECOVERY_RECOVERED)
        snprintf(out, len, "%s %.1f s", outcomes[v->outcome].text, v->recovery_s);
    else if (v->outcome == RECOVERY_SHORT_BASELINE)
        snprintf(out, len, "%s (%.1f s, %d full interval%s; it needs %.0f s and %d)",
                 outcomes[v->outcome].text, v->baseline_s, v->baseline_intervals,
                 v->baseline_intervals == 1 ? "" : "s", RECOVERY_BASELINE_MIN_S,
                 RECOVERY_BASELINE_MIN_INTERVALS);
    else
        snprintf(out, len, "%s", outcomes[v->outcome].text);
}
