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
                                  .exit_status = -1,
                                  .injected_by = -1};
}

/* Each way a window ends: its name in the result and its words in the report. */
static const struct {
    const char *name, *text;
} releases[TRIGGER_RELEASES] = {
    [TRIGGER_RELEASED_AS_PLANNED] = {"as_planned", "released as planned"},
    [TRIGGER_EXITED] = {"exited", "its command ended"},
    [TRIGGER_RELEASED_RUN_ENDED] = {"run_ended", "released when the run ended"},
    [TRIGGER_TIMED_OUT] = {"timed_out", "its command ended at its deadline"},
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

bool trigger_outcome_failed(const struct trigger_outcome *t)
{
    return trigger_outcome_injected(t) && (t->exit_status > 0 || t->exit_signal > 0);
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
            .lag_ms = phased || rate_per_s > 0 ? (double)row->lag_max_us / 1e3 : NAN,
            .connect_attempts = row->connect_attempts,
            .connects = row->connects,
            .last_connect_s = row->connects > 0 && row->last_connect_us != SERIES_UNKNOWN_US
                                  ? (double)row->last_connect_us / 1e6
                                  : NAN,
            .workers = row->workers,
            .workers_connected = row->workers_connected};
    }
    return iv;
}

void trigger_outcomes_judge(struct trigger_outcomes *t, const struct series *rows,
                            double rate_per_s, double stop_s)
{
    size_t n_w = 0;
    struct recovery_interval *iv = recovery_series(rows, rate_per_s);
    struct recovery_window *w = calloc(t->n ? t->n : 1, sizeof *w);
    size_t *at = calloc(t->n ? t->n : 1, sizeof *at);
    if (iv == NULL || w == NULL || at == NULL) goto done;
    /* The rows of the workers draining after the stop are judged by none. */
    size_t n = recovery_measured_n(iv, rows->n, stop_s);
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
        o->judged = trigger_outcome_injected(o) && !trigger_outcome_failed(o);
        if (o->judged) recovery_judge(iv, n, w, n_w, at[i], &o->verdict);
    }
done:
    free(iv);
    free(w);
    free(at);
}

/* Why a command failed: "exit status 3", "signal 15" (how it came to end
 * is the window's release). */
static void failure_text(const struct trigger_outcome *t, char *out, size_t len)
{
    if (t->exit_status > 0)
        snprintf(out, len, "failed: exit status %d", t->exit_status);
    else
        snprintf(out, len, "failed: signal %d", t->exit_signal);
}

void trigger_outcome_verdict_text(const struct trigger_outcome *t, char *out, size_t len)
{
    if (!trigger_outcome_injected(t))
        snprintf(out, len, "not injected");
    else if (trigger_outcome_failed(t))
        failure_text(t, out, len);
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
 * plan beside what was held (an instant: "planned 1.0 s, at 1.0 s"; a
 * command planned with no deadline of its own: "planned 1.0 s, held
 * 1.0..1.3 s"), and how it ended when not as planned. */
static void print_windows(FILE *out, const struct trigger_outcome *o)
{
    bool planned_instant = !(o->planned_end_s > o->planned_start_s);
    bool instant = o->end_s == o->start_s && planned_instant;
    if (isfinite(o->planned_start_s) && planned_instant)
        text_printf(out, " planned %.1f s,", o->planned_start_s);
    else if (isfinite(o->planned_start_s))
        text_printf(out, " planned %.1f..%.1f s,", o->planned_start_s, o->planned_end_s);
    if (instant) {
        text_printf(out, " at %.1f s", o->start_s);
        if (o->terminated >= 0)
            text_printf(out, ", %lld session%s ended", (long long)o->terminated,
                        o->terminated == 1 ? "" : "s");
    } else if (isfinite(o->end_s)) {
        text_printf(out, " held %.1f..%.1f s", o->start_s, o->end_s);
    } else {
        text_printf(out, " held from %.1f s", o->start_s);
    }
    if (o->released > TRIGGER_RELEASED_AS_PLANNED && o->released < TRIGGER_RELEASES) {
        text_printf(out, " (%s", releases[o->released].text);
        if (o->release_error[0]) text_printf(out, ": %s", o->release_error);
        fputc(')', out);
    }
}

/* "; workers connected again in 0.213 s (at most 40.0 connection attempts/s)",
 * when any worker's connection was disturbed (to the millisecond: it is
 * timed to the last connect, not to an interval's close). */
static void print_connections(FILE *out, const struct recovery_verdict *v)
{
    if (v->reconnect == RECONNECT_NOT_BACK)
        text_printf(out, "; workers not all connected again");
    else if (v->reconnect == RECONNECT_BACK && (v->reconnect_s > 0 || v->connect_peak_per_s > 0))
        text_printf(out, "; workers connected again in %.3f s", v->reconnect_s);
    else
        return;
    if (v->connect_peak_per_s > 0)
        text_printf(out, " (at most %.1f connection attempts/s)", v->connect_peak_per_s);
}

/* An exec's end, then the tail of its output, each line indented and
 * shown as a terminal may show it (text.h). */
static void print_command(FILE *out, const struct trigger_outcome *o)
{
    if (o->exit_status >= 0)
        text_printf(out, "    exit status %d", o->exit_status);
    else if (o->exit_signal > 0)
        text_printf(out, "    ended by signal %d", o->exit_signal);
    else
        return;
    fputs(o->output[0] ? ", its output's tail:\n" : ", no output\n", out);
    /* A line at a time (a precision would cut the shown form, escapes and all). */
    char line[sizeof o->output];
    for (const char *p = o->output; o->output[0] && p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        memcpy(line, p, len);
        line[len] = '\0';
        text_printf(out, "    | %s\n", line);
        p = nl ? nl + 1 : NULL;
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
        /* A long spec (a command) is kept apart from a verdict that follows it. */
        if (!trigger_outcome_injected(o) && strlen(o->spec) >= 24) fputc(' ', out);
        if (trigger_outcome_injected(o) && !o->judged) {
            print_windows(out, o);
            fputs(": ", out);
        }
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
        if (o->judged) print_connections(out, &o->verdict);
        if (o->error[0]) text_printf(out, " (%s)", o->error);
        fputc('\n', out);
        print_command(out, o);
    }
    fputc('\n', out);
}

/* The largest of each trigger's figure; NaN when there is no trigger or one
 * has none (NaN). */
static double slowest(const struct trigger_outcomes *t,
                      double (*figure)(const struct trigger_outcome *))
{
    if (t == NULL || t->n == 0) return NAN;
    double worst = 0;
    for (size_t i = 0; i < t->n; i++) {
        double v = figure(&t->items[i]);
        if (isnan(v)) return NAN;
        if (v > worst) worst = v;
    }
    return worst;
}

static double recover_s(const struct trigger_outcome *o)
{
    return o->judged && o->verdict.outcome == RECOVERY_RECOVERED ? o->verdict.recovery_s : NAN;
}

static double reconnect_s(const struct trigger_outcome *o)
{
    return o->judged && o->verdict.reconnect == RECONNECT_BACK ? o->verdict.reconnect_s : NAN;
}

double trigger_verdict_recover_s(const struct trigger_outcomes *t) { return slowest(t, recover_s); }

double trigger_verdict_reconnect_s(const struct trigger_outcomes *t)
{
    return slowest(t, reconnect_s);
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
    if (o->exit_status >= 0) json_object_set_new(row, "exit_status", json_integer(o->exit_status));
    if (o->exit_signal > 0) json_object_set_new(row, "exit_signal", json_integer(o->exit_signal));
    if (o->exit_status >= 0 || o->exit_signal > 0)
        json_object_set_new(row, "output", json_string(o->output));
    if (o->injected_by >= 0) json_object_set_new(row, "injected_by", json_integer(o->injected_by));
    if (o->error[0]) json_object_set_new(row, "error", json_string(o->error));
    if (!trigger_outcome_injected(o)) {
        json_object_set_new(row, "recovered", json_false());
        json_object_set_new(row, "recovery_s", json_null());
        json_object_set_new(row, "outcome", json_string("not_injected"));
        json_object_set_new(row, "verdict", json_string("not injected"));
        return row;
    }
    if (trigger_outcome_failed(o)) {
        char text[160];
        trigger_outcome_verdict_text(o, text, sizeof text);
        json_object_set_new(row, "recovered", json_false());
        json_object_set_new(row, "recovery_s", json_null());
        json_object_set_new(row, "outcome", json_string("failed"));
        json_object_set_new(row, "verdict", json_string(text));
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
    if (v->reconnect != RECONNECT_UNKNOWN) {
        json_object_set_new(row, "reconnect_s", real_or_null(v->reconnect_s));
        json_object_set_new(row, "connect_attempts_peak_per_s", json_real(v->connect_peak_per_s));
    }
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
            /* Results from before connections were judged know none. */
            v->connect_peak_per_s = num_or_nan(row, "connect_attempts_peak_per_s");
            v->reconnect_s = num_or_nan(row, "reconnect_s");
            v->reconnect = isnan(v->connect_peak_per_s) ? RECONNECT_UNKNOWN
                           : isfinite(v->reconnect_s)   ? RECONNECT_BACK
                                                        : RECONNECT_NOT_BACK;
            if (v->reconnect == RECONNECT_UNKNOWN) v->reconnect_s = NAN;
            o->judged = true;
            /* A time to reconnect comes with its peak, neither negative. */
            if (json_object_get(row, "reconnect_s") && v->reconnect == RECONNECT_UNKNOWN)
                return false;
            if (v->connect_peak_per_s < 0 || v->reconnect_s < 0) return false;
            /* A row that says it recovered has a time to recover, and the other way round. */
            return (k == RECOVERY_RECOVERED) == isfinite(v->recovery_s);
        }
    if (strcmp(outcome, "failed") == 0) return trigger_outcome_failed(o);
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
        const json_t *status = json_object_get(row, "exit_status");
        const json_t *signal = json_object_get(row, "exit_signal");
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
                  copy_text(o.output, sizeof o.output, json_object_get(row, "output")) &&
                  (status == NULL || (json_is_integer(status) && json_integer_value(status) >= 0 &&
                                      json_integer_value(status) <= 255)) &&
                  (signal == NULL || (json_is_integer(signal) && json_integer_value(signal) > 0 &&
                                      json_integer_value(signal) < 128)) &&
                  !(status && signal) &&
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
            if (status) o.exit_status = (int)json_integer_value(status);
            if (signal) o.exit_signal = (int)json_integer_value(signal);
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
