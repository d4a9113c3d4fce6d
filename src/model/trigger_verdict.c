/* The recovery verdict of each trigger of a result, read from and written to its JSON. */
#include "txstorm/trigger_verdict.h"
#include "txstorm/recovery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double num(const json_t *o, const char *key, double def)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : def;
}

static json_t *real_or_null(double v) { return isnan(v) ? json_null() : json_real(v); }

/* The series as recovery.h reads it; NULL when out of memory. */
static struct recovery_interval *recovery_series(const struct series *rows, double rate_per_s)
{
    struct recovery_interval *iv = calloc(rows->n ? rows->n : 1, sizeof *iv);
    if (iv == NULL) return NULL;
    for (size_t i = 0; i < rows->n; i++) {
        const struct interval_row *row = &rows->rows[i];
        struct figure_counts c = series_row_counts(row);
        double interval_s = (double)row->length_us / 1e6;
        /* Load phases give each interval its own offered rate; else the run's.
         * Either way it is open loop, and the schedule's lag counts. */
        bool phased = isfinite(row->offered_per_s);
        double offered_per_s = phased ? row->offered_per_s : rate_per_s;
        iv[i] = (struct recovery_interval){
            .end_s = series_row_end_s(row),
            .interval_s = interval_s,
            .warmup = row->warmup,
            .committed = c.committed,
            .finished = figures_finished(c.committed, c.failed, c.insufficient, c.ambiguous),
            .attempts = c.attempts,
            .offered = offered_per_s > 0 ? offered_per_s * interval_s : NAN,
            .lag_ms = phased || rate_per_s > 0 ? (double)row->lag_max_us / 1e3 : NAN};
    }
    return iv;
}

static bool injected(const json_t *t) { return json_is_number(json_object_get(t, "start_s")); }

void trigger_verdict_add(json_t *triggers, const struct series *rows, double rate_per_s)
{
    size_t n_iv = rows->n, n_t = json_array_size(triggers), n_w = 0;
    struct recovery_interval *iv = recovery_series(rows, rate_per_s);
    struct recovery_window *w = calloc(n_t ? n_t : 1, sizeof *w);
    size_t *at = calloc(n_t ? n_t : 1, sizeof *at);
    if (iv == NULL || w == NULL || at == NULL) goto done;
    /* Triggers never injected have no window: they bound no baseline. */
    for (size_t i = 0; i < n_t; i++) {
        const json_t *t = json_array_get(triggers, i);
        at[i] = n_w;
        if (injected(t))
            w[n_w++] = (struct recovery_window){num(t, "start_s", 0), num(t, "end_s", 0)};
    }
    for (size_t i = 0; i < n_t; i++) {
        json_t *t = json_array_get(triggers, i);
        if (!injected(t)) {
            json_object_set_new(t, "recovered", json_false());
            json_object_set_new(t, "recovery_s", json_null());
            json_object_set_new(t, "outcome", json_string("not_injected"));
            json_object_set_new(t, "verdict", json_string("not injected"));
            continue;
        }
        struct recovery_verdict v;
        recovery_judge(iv, n_iv, w, n_w, at[i], &v);
        char text[128];
        recovery_verdict_text(&v, text, sizeof text);
        json_object_set_new(t, "baseline_per_s", real_or_null(v.baseline_per_s));
        json_object_set_new(t, "band_per_s", real_or_null(v.band_per_s));
        json_object_set_new(t, "recovered", json_boolean(v.outcome == RECOVERY_RECOVERED));
        json_object_set_new(t, "recovery_s", real_or_null(v.recovery_s));
        json_object_set_new(t, "outcome", json_string(recovery_outcome_name(v.outcome)));
        json_object_set_new(t, "verdict", json_string(text));
        json_t *amp = json_object();
        for (int p = 0; p < RECOVERY_PHASES; p++)
            json_object_set_new(amp, recovery_phase_name(p), real_or_null(v.amplification[p]));
        json_object_set_new(t, "amplification", amp);
    }
done:
    free(iv);
    free(w);
    free(at);
}

static void amp_text(const json_t *amp, const char *key, char *out, size_t len)
{
    const json_t *v = json_object_get(amp, key);
    if (json_is_number(v))
        snprintf(out, len, "%.2f", json_number_value(v));
    else
        snprintf(out, len, "-");
}

void trigger_verdict_print(FILE *out, const json_t *triggers)
{
    if (json_array_size(triggers) == 0) return;
    fprintf(out, "triggers (attempts before/during/after: per offered transaction in open "
                 "loop, per finished in closed)\n");
    size_t i;
    const json_t *t;
    json_array_foreach(triggers, i, t)
    {
        const char *spec = json_string_value(json_object_get(t, "spec"));
        const char *verdict = json_string_value(json_object_get(t, "verdict"));
        const char *error = json_string_value(json_object_get(t, "error"));
        fprintf(out, "  %-24s", spec ? spec : "?");
        if (injected(t)) {
            const json_t *amp = json_object_get(t, "amplification");
            char b[16], d[16], a[16];
            amp_text(amp, "before", b, sizeof b);
            amp_text(amp, "during", d, sizeof d);
            amp_text(amp, "after", a, sizeof a);
            double base = num(t, "baseline_per_s", NAN);
            fprintf(out, " held %.1f..%.1f s, baseline %.1f/s, attempts %s/%s/%s: ",
                    num(t, "start_s", 0), num(t, "end_s", 0), isnan(base) ? 0.0 : base, b, d, a);
        }
        fprintf(out, "%s", verdict ? verdict : "?");
        if (error) fprintf(out, " (%s)", error);
        fputc('\n', out);
    }
    fputc('\n', out);
}

double trigger_verdict_recover_s(const json_t *triggers)
{
    if (json_array_size(triggers) == 0) return NAN;
    double worst = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(triggers, i, t)
    {
        if (!json_is_true(json_object_get(t, "recovered"))) return NAN;
        double s = num(t, "recovery_s", NAN);
        if (isnan(s)) return NAN;
        if (s > worst) worst = s;
    }
    return worst;
}
