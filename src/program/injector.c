/* The trigger injector's thread: waits for each trigger's time, injects it,
 * holds it for its span and records when it actually began and ended. */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_trigger.h"
#include "txstorm/db_trigger_share.h"
#include "txstorm/recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next event: a pending trigger's start or an active one's end. -1: none left. */
static int next_event(const struct injector *in, const int *state, int64_t *at_us)
{
    int next = -1;
    for (int i = 0; i < in->plan->n; i++) {
        int64_t t = state[i] == 0   ? injector_planned_start(in, i)
                    : state[i] == 1 ? injector_planned_end(in, i)
                                    : -1;
        if (t >= 0 && (next < 0 || t < *at_us)) {
            next = i;
            *at_us = t;
        }
    }
    return next;
}

/* Whoever cuts the intervals hears that an edge was recorded. */
static void edge_passed(struct injector *in)
{
    if (in->edge_passed) in->edge_passed(in->edge_arg);
}

/* An edge of trigger i's window: its kind's action there, or, without one,
 * only the mark of when it passed. */
static void at_edge(struct injector *in, int i, void (*action)(struct injector *, int),
                    _Atomic int64_t *mark_us)
{
    if (action)
        action(in, i);
    else
        atomic_store(mark_us, clock_now_us());
    edge_passed(in);
}

static void begin(struct injector *in, int i)
{
    const struct injector_action *act = &injector_actions[in->plan->items[i].kind];
    if (!injector_follows(in, i)) {
        at_edge(in, i, act->begin, &in->slots[i].start_us);
        return;
    }
    /* A follower marks the planned window (an instant ends as it starts),
     * once it has offered what instance 0 needs of it. */
    if (act->follow) act->follow(in, i);
    int64_t now_us = clock_now_us();
    if (in->plan->items[i].span_us == 0) atomic_store(&in->slots[i].end_us, now_us);
    atomic_store(&in->slots[i].start_us, now_us);
    edge_passed(in);
}

static void end(struct injector *in, int i)
{
    at_edge(in, i, injector_follows(in, i) ? NULL : injector_actions[in->plan->items[i].kind].end,
            &in->slots[i].end_us);
}

/* The window of a trigger that holds something that can be taken away (a
 * lock, in the injector's transaction), among the active ones; -1: none. */
static int watched(const struct injector *in, const int *state)
{
    for (int i = 0; i < in->plan->n; i++)
        if (state[i] == 1 && !injector_follows(in, i) &&
            injector_actions[in->plan->items[i].kind].watch)
            return i;
    return -1;
}

/* Whether trigger i's window is over: its events passed, and its end
 * recorded when it began (a command ends when it exits, after its start's
 * event, on a thread of its own). */
static bool over(const struct injector *in, const int *state, int i)
{
    return state[i] == 2 &&
           (atomic_load(&in->slots[i].start_us) == 0 || atomic_load(&in->slots[i].end_us) != 0);
}

/* Instance 0 of a run of several: the windows over and not yet in the bank
 * go there, but not while a lock holds the injector's transaction open (its
 * release would take them back out): they go after it. */
static void share_over(struct injector *in, const int *state)
{
    if (in->instance != 0 || watched(in, state) >= 0) return;
    for (int i = 0; i < in->plan->n; i++)
        if (over(in, state, i) && in->slots[i].shared && !in->slots[i].in_bank)
            injector_share_window(in, i);
}

/* Waits until due_us, watching what an active window holds meanwhile: one
 * taken away ends there (state 2) and the wait returns early. false: the
 * run stopped. */
static bool wait_until(struct injector *in, int *state, int64_t due_us)
{
    int w = watched(in, state);
    if (w < 0) return injector_sleep_until(in, due_us);
    bool (*watch)(struct injector *, int, int64_t) =
        injector_actions[in->plan->items[w].kind].watch;
    while (!injector_stopped(in)) {
        int64_t left = due_us - clock_now_us();
        if (left <= 0) return true;
        if (!watch(in, w, left < INJECTOR_STOP_CHECK_US ? left : INJECTOR_STOP_CHECK_US)) {
            state[w] = 2;
            edge_passed(in);
            return true;
        }
    }
    return false;
}

/* Ends active window i: released (how, unless its action finds otherwise). */
static void release(struct injector *in, int *state, int i, enum trigger_release how)
{
    state[i] = 2;
    in->slots[i].released = how;
    end(in, i);
}

static void *injector_main(void *arg)
{
    struct injector *in = arg;
    int state[TRIGGER_MAX] = {0}; /* 0 pending, 1 active, 2 over */
    int64_t at_us = 0;
    int i;
    for (;;) {
        share_over(in, state); /* a run of several: each window over, as soon as it is */
        if ((i = next_event(in, state, &at_us)) < 0 || !wait_until(in, state, at_us)) break;
        if (clock_now_us() < at_us) continue; /* a window ended early: the next event again */
        if (state[i] == 1) {
            release(in, state, i, TRIGGER_RELEASED_AS_PLANNED);
            continue;
        }
        begin(in, i);
        state[i] = in->plan->items[i].span_us && !in->slots[i].failed ? 1 : 2;
    }
    /* The run ends within a window: what is held ends with it. */
    for (int k = 0; k < in->plan->n; k++)
        if (state[k] == 1) release(in, state, k, TRIGGER_RELEASED_RUN_ENDED);
    /* What a kind left running on its own (a command) ends: its window too. */
    for (int k = 0; k < in->plan->n; k++)
        if (injector_actions[in->plan->items[k].kind].finish)
            injector_actions[in->plan->items[k].kind].finish(in, k);
    /* A run of several: instance 0 shares the rest (never injected too,
     * with why; one a server away held back, tried again); the others learn
     * every window it held for them. */
    for (int k = 0; k < in->plan->n; k++)
        state[k] = 2;
    share_over(in, state);
    if (in->instance != 0) injector_learn_windows(in);
    return NULL;
}

int injector_connect(struct injector *in, struct db_error *err)
{
    bool shares = false;
    for (int i = 0; i < in->plan->n; i++) {
        const struct injector_action *act = &injector_actions[in->plan->items[i].kind];
        if (act->prepare) act->prepare(in, i);
        in->slots[i].shared = in->instances > 1 && !act->each_instance;
        shares = shares || in->slots[i].shared;
    }
    if (in->n_endpoints > 1 &&
        (in->controls = calloc((size_t)in->n_endpoints, sizeof *in->controls)) == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    in->db = db_connect(in->dsn, err);
    if (in->db == NULL) return -1;
    /* The faults are the primary's: a host list with a standby first moves on. */
    db_prefer_writable(in->db, INJECTOR_RECONNECT_S);
    if (db_trigger_session(in->db, in->instance != 0, err) != DB_OK) return -1;
    /* Before the barrier: no instance of this run has written under the key yet. */
    return !shares || db_trigger_share_begin(in->db, in->share_key, in->instance == 0, err) == DB_OK
               ? 0
               : -1;
}

int injector_start(struct injector *in, int64_t origin_us, struct db_error *err)
{
    in->origin_us = origin_us;
    int rc = pthread_create(&in->thread, NULL, injector_main, in);
    if (rc != 0) {
        snprintf(err->message, sizeof err->message, "cannot start the trigger injector: %s",
                 strerror(rc));
        return -1;
    }
    in->running = true;
    return 0;
}

void injector_stop(struct injector *in)
{
    if (!in->running) return;
    pthread_join(in->thread, NULL);
    in->running = false;
}

void injector_free(struct injector *in)
{
    injector_stop(in);
    injector_controls_close(in);
    db_close(in->db);
    in->db = NULL;
}

bool injector_active(struct injector *in, int64_t from_us, int64_t to_us, int64_t slack_us,
                     char *out, size_t len)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; in->plan && i < in->plan->n; i++) {
        int64_t start_us = atomic_load(&in->slots[i].start_us);
        int64_t end_us = atomic_load(&in->slots[i].end_us);
        if (start_us == 0) continue;
        /* Still held: to the interval's end at least. On the interval's own
         * clock, from its start, so that the microseconds survive. */
        if (end_us == 0 || end_us < start_us) end_us = to_us > start_us ? to_us : start_us;
        if (!recovery_window_covers(0, (double)(to_us - from_us) / 1e6,
                                    (double)(start_us - from_us) / 1e6,
                                    (double)(end_us - from_us) / 1e6, (double)slack_us / 1e6))
            continue;
        int n = snprintf(out + at, len - at, "%s%s", at ? "+" : "",
                         trigger_kind_name(in->plan->items[i].kind));
        if (n < 0 || (size_t)n >= len - at) break;
        at += (size_t)n;
    }
    return at > 0;
}

int injector_edges(struct injector *in, bool effective, int64_t *out, int max)
{
    int n = 0;
    for (int i = 0; in->plan && i < in->plan->n; i++) {
        int64_t edges[] = {injector_planned_start(in, i), injector_planned_end(in, i),
                           effective ? atomic_load(&in->slots[i].start_us) : 0,
                           effective ? atomic_load(&in->slots[i].end_us) : 0};
        for (int e = 0; e < 4 && n < max; e++)
            if (edges[e] > 0) out[n++] = edges[e];
    }
    return n;
}

void injector_outcomes(const struct injector *in, int64_t clock_origin_us,
                       struct trigger_outcomes *out)
{
    for (int i = 0; in->plan && i < in->plan->n; i++) {
        const struct trigger *t = &in->plan->items[i];
        const struct injector_slot *slot = &in->slots[i];
        struct trigger_outcome o;
        trigger_outcome_init(&o);
        snprintf(o.kind, sizeof o.kind, "%s", trigger_kind_name(t->kind));
        trigger_spec_text(t, o.spec, sizeof o.spec);
        trigger_arg_text(t, slot->rows, o.arg, sizeof o.arg);
        int64_t start_us = atomic_load(&slot->start_us), end_us = atomic_load(&slot->end_us);
        o.planned_start_s = (double)(injector_planned_start(in, i) - clock_origin_us) / 1e6;
        o.planned_end_s = (double)(injector_planned_end(in, i) - clock_origin_us) / 1e6;
        if (start_us) o.start_s = (double)(start_us - clock_origin_us) / 1e6;
        if (start_us && end_us) o.end_s = (double)(end_us - clock_origin_us) / 1e6;
        if (start_us && t->span_us) {
            o.released = slot->released;
            snprintf(o.release_error, sizeof o.release_error, "%s", slot->release_error.message);
        }
        if (injector_actions[t->kind].outcome) injector_actions[t->kind].outcome(&o, slot);
        if (slot->shared) o.injected_by = 0;
        if (slot->failed)
            snprintf(o.error, sizeof o.error, "%s",
                     slot->error.message[0] ? slot->error.message : "the run ended first");
        else if (!start_us)
            snprintf(o.error, sizeof o.error, "the run ended first");
        trigger_outcomes_append(out, &o); /* no memory: the trigger is left out */
    }
}
