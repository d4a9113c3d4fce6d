/* The recovery verdict over the interval series (see recovery.h for the rule). */
#include "txstorm/recovery.h"
#include "txstorm/figures.h"

#include <math.h>
#include <stdio.h>

/* Interval ends and window edges come from one clock printed to the
 * microsecond; this much slack absorbs the rounding. */
#define EPS_S 1e-6

static double start_of(const struct recovery_interval *i) { return i->end_s - i->interval_s; }

static double rate_of(const struct recovery_interval *i)
{
    return i->interval_s > 0 ? (double)i->committed / i->interval_s : 0;
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

/* The next window's start after windows[which] begins (INFINITY: none). */
static double judged_until(const struct recovery_window *w, size_t n, size_t which)
{
    double until = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (i != which && w[i].start_s > w[which].start_s && w[i].start_s < until)
            until = w[i].start_s;
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

void recovery_judge(const struct recovery_interval *iv, size_t n,
                    const struct recovery_window *windows, size_t n_windows, size_t which,
                    struct recovery_verdict *out)
{
    const struct recovery_window *w = &windows[which];
    *out = (struct recovery_verdict){.baseline_per_s = NAN, .band_per_s = NAN, .recovery_s = NAN};
    double from = baseline_from(windows, n_windows, which);
    double until = judged_until(windows, n_windows, which);
    double longest = 0;
    for (size_t i = 0; i < n; i++)
        if (!iv[i].warmup && iv[i].interval_s > longest) longest = iv[i].interval_s;

    bool in_phase[RECOVERY_PHASES][n > 0 ? n : 1];
    double time = 0, committed = 0, lag_ms = 0;
    size_t n_base = 0, n_judged = 0;
    for (size_t i = 0; i < n; i++) {
        const struct recovery_interval *x = &iv[i];
        double s = start_of(x);
        bool measured = !x->warmup;
        /* Interval edges never meet a trigger's exactly: half inside will do. */
        double inside_s = fmin(x->end_s, w->start_s) - fmax(s, from);
        /* An instant belongs to the interval that ends at or after it. */
        in_phase[RECOVERY_DURING][i] =
            measured && s < w->end_s - EPS_S &&
            (w->end_s > w->start_s ? x->end_s > w->start_s + EPS_S : x->end_s >= w->start_s - EPS_S);
        /* An interval the trigger reached is no baseline for it. */
        in_phase[RECOVERY_BEFORE][i] = measured && inside_s >= x->interval_s / 2 - EPS_S &&
                                       !in_phase[RECOVERY_DURING][i];
        in_phase[RECOVERY_AFTER][i] = measured && x->end_s > w->end_s + EPS_S &&
                                      x->end_s <= until + EPS_S && x->interval_s >= longest / 2;
        if (in_phase[RECOVERY_BEFORE][i]) {
            n_base++;
            time += x->interval_s;
            committed += (double)x->committed;
            if (!isnan(x->lag_ms) && x->lag_ms > lag_ms) lag_ms = x->lag_ms;
        }
        n_judged += in_phase[RECOVERY_AFTER][i];
    }
    for (int p = 0; p < RECOVERY_PHASES; p++)
        out->amplification[p] = amplification(iv, n, in_phase[p]);

    if (n_base == 0 || committed == 0 || time <= 0) {
        out->outcome = RECOVERY_NO_BASELINE;
        return;
    }
    double base = committed / time, var = 0;
    for (size_t i = 0; i < n; i++)
        if (in_phase[RECOVERY_BEFORE][i]) var += pow(rate_of(&iv[i]) - base, 2);
    double sd = n_base > 1 ? sqrt(var / (double)(n_base - 1)) : 0;
    double band = fmin(RECOVERY_BAND * base, base - RECOVERY_BAND_SD * sd);
    band = fmax(band, RECOVERY_BAND_FLOOR * base);
    double lag_limit_ms = RECOVERY_LAG_FACTOR * lag_ms + RECOVERY_LAG_SLACK_MS;
    out->baseline_per_s = base;
    out->band_per_s = band;
    if (n_judged == 0) {
        out->outcome = RECOVERY_NO_DATA_AFTER;
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

const char *recovery_outcome_name(enum recovery_outcome o)
{
    switch (o) {
    case RECOVERY_RECOVERED: return "recovered";
    case RECOVERY_METASTABLE: return "metastable";
    case RECOVERY_NO_DATA_AFTER: return "no_data_after";
    case RECOVERY_NO_BASELINE: return "no_baseline";
    }
    return "?";
}

const char *recovery_phase_name(enum recovery_phase p)
{
    static const char *const names[] = {"before", "during", "after"};
    return (unsigned)p < RECOVERY_PHASES ? names[p] : "?";
}

void recovery_verdict_text(const struct recovery_verdict *v, char *out, size_t len)
{
    switch (v->outcome) {
    case RECOVERY_RECOVERED:
        snprintf(out, len, "recovered in %.1f s", v->recovery_s);
        return;
    case RECOVERY_METASTABLE:
        snprintf(out, len, "did not recover within the run (metastable)");
        return;
    case RECOVERY_NO_DATA_AFTER:
        snprintf(out, len, "not judged: no interval after it (it ended with the run)");
        return;
    case RECOVERY_NO_BASELINE:
        snprintf(out, len, "not judged: no baseline before it (nothing measured or committed)");
        return;
    }
    snprintf(out, len, "?");
}
