/* The recovery verdict of each trigger of a result, its lines, and its JSON both ways. */
#include "txstorm/trigger_verdict.h"
#include "txstorm/errbuf.h"
#include "txstorm/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void trigger_outcome_init(struct trigger_outcome *t)
{
    *t = (struct trigger_outcome){.planned_start_s = NAN,
                                  .planned_end_s = NAN,
                                  .start_s = NAN,
                                  .end_s = NAN,
                                  .terminated = -1,
                                  .injected_by = -1};
}

/* Each way a window ends: its name in the result and its words in the report. */
static const struct {
    const char *name, *text;
} releases[TRIGGER_RELEASES] = {
    [TRIGGER_RELEASED_AS_PLANNED] = {"as_planned", "released as planned"},
    [TRIGGER_RELEASED_RUN_ENDED] = {"run_ended", "released when the run ended"},
    [TRIGGER_ENDED_BY_SERVER] = {"ended_by_server", "ended by the server"},
    [TRIGGER_CONNECTION_LOST] = {"connection_lost", "its connection lost"},
};

const char *trigger_release_name(enum trigger_release r)
{
    return (unsigned)r < TRIGGER_RELEASES ? releases[r].name : NULL;
}

/* A terminate that ended no session did nothing (a result from before that
 * rule still says when it was sent). */
bool trigger_outcome_injected(const struct trigger_outcome *t)
{
    return isfinite(t->start_s) && !(strcmp(t->kind, "terminate") == 0 && t->terminated == 0);
}

bool trigger_outcomes_append(struct trigger_outcomes *t, const struct trigger_outcome *o)
{
    struct trigger_outcome *grown = realloc(t->items, (t->n + 1) * sizeof *grown);
    if (grown == NULL) return false;
    t->items = grown;
    t->items[t->n++] = *o;
    return true;
}

void trigger_outcomes_free(struct trigger_outcomes *t)
{
    free(t->items);
    *t = (struct trigger_outcomes){0};
}

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

void trigger_outcomes_judge(struct trigger_outcomes *t, const struct series *rows,
                            double rate_per_s)
{
    size_t n_w = 0;
    struct recovery_interval *iv = recovery_series(rows, rate_per_s);
    struct recovery_window *w = calloc(t->n ? t->n : 1, sizeof *w);
    size_t *at = calloc(t->n ? t->n : 1, sizeof *at);
    if (iv == NULL || w == NULL || at == NULL) goto done;
    /* Triggers never injected have no window: they bound no baseline. */
    for (size_t i = 0; i < t->n; i++) {
        at[i] = n_w;
        /* A window whose end was never seen lasts, for the verdict, to the run's end. */
        if (trigger_outcome_injected(&t->items[i]))
            w[n_w++] = (struct recovery_window){
                .start_s = t->items[i].start_s,
                .end_s = isfinite(t->items[i].end_s) ? t->items[i].end_s : INFINITY,
                .tried_s = t->items[i].planned_start_s};
    }
    for (size_t i = 0; i < t->n; i++) {
        struct trigger_outcome *o = &t->items[i];
        o->judged = trigger_outcome_injected(o);
        if (o->judged) recovery_judge(iv, rows->n, w, n_w, at[i], &o->verdict);
    }
done:
    free(iv);
    free(w);
    free(at);
}

void trigger_outcome_verdict_text(const struct trigger_outcome *t, char *out, size_t len)
{
    if (!trigger_outcome_injected(t))
        snprintf(out, len, "not injected");
    else if (!t->judged)
        snprintf(out, len, "not judged");
    else
        recovery_verdict_text(&t->verdict, out, len);
}

static void amp_text(double v, char *out, size_t len)
{
    if (isnan(v))
        snprintf(out, len, "-");
    else
        snprintf(out, len, "%.2f", v);
}

/* " planned 1.0..4.0 s, held 1.0..2.0 s (ended by the server: ...)": the
 * plan beside what was held (an instant: "planned 1.0 s, at 1.0 s"), and how
 * it ended when not as planned. */
static void print_windows(FILE *out, const struct trigger_outcome *o)
{
    bool instant = o->end_s == o->start_s && !(o->planned_end_s > o->planned_start_s);
    if (isfinite(o->planned_start_s) && instant)
        text_printf(out, " planned %.1f s,", o->planned_start_s);
    else if (isfinite(o->planned_start_s))
        text_printf(out, " planned %.1f..%.1f s,", o->planned_start_s, o->planned_end_s);
    if (instant)
        text_printf(out, " at %.1f s", o->start_s);
    else
        text_printf(out, " held %.1f..%.1f s", o->start_s, o->end_s);
    if (o->released > TRIGGER_RELEASED_AS_PLANNED && o->released < TRIGGER_RELEASES) {
        text_printf(out, " (%s", releases[o->released].text);
        if (o->release_error[0]) text_printf(out, ": %s", o->release_error);
        fputc(')', out);
    }
}

void trigger_verdict_print(FILE *out, const struct trigger_outcomes *t)
{
    if (t->n == 0) return;
    text_printf(out, "triggers (attempts before/during/after: per offered transaction in open "
                     "loop, per finished in closed)\n");
    for (size_t i = 0; i < t->n; i++) {
        const struct trigger_outcome *o = &t->items[i];
        char verdict[160];
        trigger_outcome_verdict_text(o, verdict, sizeof verdict);
        text_printf(out, "  %-24s", o->spec[0] ? o->spec : "?");
        if (trigger_outcome_injected(o) && o->judged) {
            const struct recovery_verdict *v = &o->verdict;
            char b[16], d[16], a[16];
            amp_text(v->amplification[RECOVERY_BEFORE], b, sizeof b);
            amp_text(v->amplification[RECOVERY_DURING], d, sizeof d);
            amp_text(v->amplification[RECOVERY_AFTER], a, sizeof a);
            print_windows(out, o);
            if (isnan(v->baseline_per_s))
                text_printf(out, ", baseline -");
            else
                text_printf(out, ", baseline %.1f/s", v->baseline_per_s);
            text_printf(out, ", attempts %s/%s/%s: ", b, d, a);
        }
        text_printf(out, "%s", verdict);
        if (o->error[0]) text_printf(out, " (%s)", o->error);
        fputc('\n', out);
    }
    fputc('\n', out);
}

double trigger_verdict_recover_s(const struct trigger_outcomes *t)
{
    if (t == NULL || t->n == 0) return NAN;
    double worst = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct trigger_outcome *o = &t->items[i];
        if (!o->judged || o->verdict.outcome != RECOVERY_RECOVERED) return NAN;
        if (isnan(o->verdict.recovery_s)) return NAN;
        if (o->verdict.recovery_s > worst) worst = o->verdict.recovery_s;
    }
    return worst;
}

static json_t *real_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *outcome_json(const struct trigger_outcome *o)
{
    json_t *row = json_pack("{s:s, s:s, s:s, s:o, s:o}", "kind", o->kind, "spec", o->spec, "arg",
                            o->arg, "start_s", real_or_null(o->start_s), "end_s",
                            real_or_null(trigger_outcome_injected(o) ? o->end_s : NAN));
    if (row == NULL) return NULL;
    if (isfinite(o->planned_start_s) && isfinite(o->planned_end_s)) {
        json_object_set_new(row, "planned_start_s", json_real(o->planned_start_s));
        json_object_set_new(row, "planned_end_s", json_real(o->planned_end_s));
    }
    if (trigger_release_name(o->released))
        json_object_set_new(row, "released", json_string(trigger_release_name(o->released)));
    if (o->release_error[0])
        json_object_set_new(row, "release_error", json_string(o->release_error));
    if (o->terminated >= 0) json_object_set_new(row, "terminated", json_integer(o->terminated));
    if (o->injected_by >= 0) json_object_set_new(row, "injected_by", json_integer(o->injected_by));
    if (o->error[0]) json_object_set_new(row, "error", json_string(o->error));
    if (!trigger_outcome_injected(o)) {
        json_object_set_new(row, "recovered", json_false());
        json_object_set_new(row, "recovery_s", json_null());
        json_object_set_new(row, "outcome", json_string("not_injected"));
        json_object_set_new(row, "verdict", json_string("not injected"));
        return row;
    }
    if (!o->judged) return row;
    const struct recovery_verdict *v = &o->verdict;
    char text[160];
    trigger_outcome_verdict_text(o, text, sizeof text);
    json_object_set_new(row, "baseline_per_s", real_or_null(v->baseline_per_s));
    json_object_set_new(row, "band_per_s", real_or_null(v->band_per_s));
    json_object_set_new(row, "baseline_s", json_real(v->baseline_s));
    json_object_set_new(row, "baseline_intervals", json_integer(v->baseline_intervals));
    json_object_set_new(row, "recovered", json_boolean(v->outcome == RECOVERY_RECOVERED));
    json_object_set_new(row, "recovery_s", real_or_null(v->recovery_s));
    json_object_set_new(row, "outcome", json_string(recovery_outcome_name(v->outcome)));
    json_object_set_new(row, "verdict", json_string(text));
    json_t *amp = json_object();
    for (int p = 0; p < RECOVERY_PHASES; p++)
        json_object_set_new(amp, recovery_phase_name(p), real_or_null(v->amplification[p]));
    json_object_set_new(row, "amplification", amp);
    return row;
}

json_t *trigger_outcomes_json(const struct trigger_outcomes *t)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < t->n; i++) {
        json_t *row = outcome_json(&t->items[i]);
        if (row == NULL || json_array_append_new(rows, row) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

/* A number, or NaN for null or absent. */
static double num_or_nan(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static bool copy_text(char *out, size_t len, const json_t *v)
{
    const char *s = json_string_value(v);
    if (v == NULL) return true; /* absent: empty */
    if (s == NULL || strlen(s) >= len) return false;
    memcpy(out, s, strlen(s) + 1);
    return true;
}

/* The verdict a judged row carries: its outcome's name read back. */
static bool read_verdict(const json_t *row, struct trigger_outcome *o)
{
    const char *outcome = json_string_value(json_object_get(row, "outcome"));
    if (outcome == NULL) return true; /* not judged */
    for (int k = 0; k < RECOVERY_OUTCOMES; k++)
        if (strcmp(outcome, recovery_outcome_name(k)) == 0) {
            struct recovery_verdict *v = &o->verdict;
            v->outcome = k;
            v->baseline_per_s = num_or_nan(row, "baseline_per_s");
            v->band_per_s = num_or_nan(row, "band_per_s");
            /* Results from before these were kept: unknown, read as none. */
            double baseline_s = num_or_nan(row, "baseline_s");
            v->baseline_s = isfinite(baseline_s) ? baseline_s : 0;
            const json_t *intervals = json_object_get(row, "baseline_intervals");
            v->baseline_intervals =
                json_is_integer(intervals) ? (int)json_integer_value(intervals) : 0;
            v->recovery_s = num_or_nan(row, "recovery_s");
            const json_t *amp = json_object_get(row, "amplification");
            for (int p = 0; p < RECOVERY_PHASES; p++)
                v->amplification[p] = num_or_nan(amp, recovery_phase_name(p));
            o->judged = true;
            /* A row that says it recovered has a time to recover, and the other way round. */
            return (k == RECOVERY_RECOVERED) == isfinite(v->recovery_s);
        }
    return strcmp(outcome, "not_injected") == 0 && !trigger_outcome_injected(o);
}

bool trigger_release_parse(const char *name, enum trigger_release *out)
{
    for (int r = TRIGGER_RELEASED_AS_PLANNED; name && r < TRIGGER_RELEASES; r++)
        if (strcmp(name, releases[r].name) == 0) {
            *out = (enum trigger_release)r;
            return true;
        }
    return false;
}

/* A "released" that names a way a window ends. */
static bool read_release(const char *name, struct trigger_outcome *o)
{
    return trigger_release_parse(name, &o->released);
}

int trigger_outcomes_decode(const json_t *j, struct trigger_outcomes *t, char *err, size_t err_len)
{
    *t = (struct trigger_outcomes){0};
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'triggers' is not an array");
    size_t i;
    const json_t *row;
    json_array_foreach(j, i, row)
    {
        struct trigger_outcome o;
        trigger_outcome_init(&o);
        const json_t *start = json_object_get(row, "start_s"), *end = json_object_get(row, "end_s");
        const json_t *terminated = json_object_get(row, "terminated");
        const json_t *by = json_object_get(row, "injected_by");
        const json_t *released = json_object_get(row, "released");
        bool ok = json_is_object(row) &&
                  copy_text(o.release_error, sizeof o.release_error,
                            json_object_get(row, "release_error")) &&
                  (released == NULL || read_release(json_string_value(released), &o)) &&
                  copy_text(o.kind, sizeof o.kind, json_object_get(row, "kind")) &&
                  copy_text(o.spec, sizeof o.spec, json_object_get(row, "spec")) &&
                  copy_text(o.arg, sizeof o.arg, json_object_get(row, "arg")) &&
                  copy_text(o.error, sizeof o.error, json_object_get(row, "error")) &&
                  (start == NULL || json_is_null(start) || json_is_number(start)) &&
                  (end == NULL || json_is_null(end) || json_is_number(end)) &&
                  (terminated == NULL ||
                   (json_is_integer(terminated) && json_integer_value(terminated) >= 0)) &&
                  (by == NULL || (json_is_integer(by) && json_integer_value(by) >= 0));
        if (ok) {
            o.start_s = num_or_nan(row, "start_s");
            o.end_s = num_or_nan(row, "end_s");
            o.planned_start_s = num_or_nan(row, "planned_start_s");
            o.planned_end_s = num_or_nan(row, "planned_end_s");
            if (terminated) o.terminated = json_integer_value(terminated);
            if (by) o.injected_by = (int)json_integer_value(by);
            /* A window, held or planned, is a start and an end no earlier than it. */
            ok = !trigger_outcome_injected(&o) || isnan(o.end_s) || o.end_s >= o.start_s;
            ok = ok && !(o.planned_end_s < o.planned_start_s) &&
                 !isfinite(o.planned_start_s) == !isfinite(o.planned_end_s);
            ok = ok && read_verdict(row, &o);
        }
        if (!ok || !trigger_outcomes_append(t, &o)) {
            trigger_outcomes_free(t);
            return errbuf_fail(err, err_len, "triggers[%zu]: malformed, or contradicts itself", i);
        }
    }
    return 0;
}
