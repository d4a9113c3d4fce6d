/* One row per trigger from the rows of several instances' results. */
#include "txstorm/trigger_merge.h"

#include <math.h>
#include <string.h>

/* The row of part i for trigger t. */
static const struct trigger_outcome *row(const struct trigger_part *parts, int i, size_t t)
{
    return &parts[i].triggers->items[t];
}

/* The window one instance injected for all: the injector's own part's row
 * (else the first part's: they all learned the same window), moved onto the
 * merged clock. */
static void one_window(const struct trigger_part *parts, int n, size_t t, struct trigger_outcome *m)
{
    int by = row(parts, 0, t)->injected_by, from = 0;
    for (int i = 0; i < n; i++)
        if (parts[i].instance == by) {
            from = i;
            break;
        }
    const struct trigger_outcome *x = row(parts, from, t);
    double off = parts[from].offset_s;
    *m = *x;
    m->judged = false;
    m->planned_start_s = x->planned_start_s + off;
    m->planned_end_s = x->planned_end_s + off;
    m->start_s = x->start_s + off;
    m->end_s = x->end_s + off;
}

/* Windows each instance held itself, reconciled into one. */
static void reconciled(const struct trigger_part *parts, int n, size_t t, struct trigger_outcome *m)
{
    const struct trigger_outcome *first = row(parts, 0, t);
    memcpy(m->kind, first->kind, sizeof m->kind);
    memcpy(m->spec, first->spec, sizeof m->spec);
    memcpy(m->arg, first->arg, sizeof m->arg);
    double start = INFINITY, end = -INFINITY, planned_start = INFINITY, planned_end = -INFINITY;
    bool injected_error = false; /* an injected part's error is in m->error */
    for (int i = 0; i < n; i++) {
        const struct trigger_outcome *x = row(parts, i, t);
        double off = parts[i].offset_s;
        if (trigger_outcome_injected(x) && x->start_s + off < start) start = x->start_s + off;
        if (isfinite(x->end_s) && x->end_s + off > end) end = x->end_s + off;
        if (x->planned_start_s + off < planned_start) planned_start = x->planned_start_s + off;
        if (x->planned_end_s + off > planned_end) planned_end = x->planned_end_s + off;
        /* The most telling way an instance's window ended, with what was said. */
        if (trigger_outcome_injected(x) && x->released > m->released) {
            m->released = x->released;
            memcpy(m->release_error, x->release_error, sizeof m->release_error);
        }
        if (x->terminated >= 0)
            m->terminated = (m->terminated > 0 ? m->terminated : 0) + x->terminated;
        /* A command's end: the first part's that failed, else the first's. */
        bool ran = x->exit_status >= 0 || x->exit_signal > 0;
        bool none_yet = m->exit_status < 0 && m->exit_signal == 0;
        bool failed_yet = m->exit_status > 0 || m->exit_signal > 0;
        if (ran && (none_yet || (trigger_outcome_failed(x) && !failed_yet))) {
            m->exit_status = x->exit_status;
            m->exit_signal = x->exit_signal;
            memcpy(m->output, x->output, sizeof m->output);
        }
        /* Why it was not injected; once injected, only what of it failed. */
        if (m->error[0] == '\0' || (trigger_outcome_injected(x) && !injected_error))
            memcpy(m->error, x->error, sizeof m->error);
        injected_error = injected_error || (trigger_outcome_injected(x) && x->error[0]);
    }
    if (isfinite(planned_start) && isfinite(planned_end)) {
        m->planned_start_s = planned_start;
        m->planned_end_s = planned_end;
    }
    if (isfinite(start)) {
        m->start_s = start;
        m->end_s = end >= start ? end : NAN;
        if (!injected_error) m->error[0] = '\0';
    }
}

int trigger_outcomes_merge(const struct trigger_part *parts, int n, struct trigger_outcomes *out)
{
    if (n < 1) return 0;
    size_t count = parts[0].triggers->n;
    for (int i = 1; i < n; i++)
        if (parts[i].triggers->n != count) return -1;
    for (size_t t = 0; t < count; t++) {
        /* Injected for all by one instance, or by each: the same in every part. */
        int by = row(parts, 0, t)->injected_by;
        for (int i = 1; i < n; i++)
            if (row(parts, i, t)->injected_by != by) return -1;
        struct trigger_outcome m;
        trigger_outcome_init(&m);
        if (by >= 0)
            one_window(parts, n, t, &m);
        else
            reconciled(parts, n, t, &m);
        if (!trigger_outcomes_append(out, &m)) return -1;
    }
    return 0;
}
