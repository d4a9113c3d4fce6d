/* The trigger injector's thread: waits for each trigger's time, injects it,
 * holds it for its span and records when it actually began and ended. */
#include "txstorm/injector.h"
#include "txstorm/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often a wait looks at the run's stop flag. */
#define STOP_CHECK_SLICE_US 20000

static bool stopped(const struct injector *in) { return atomic_load(in->stop); }

/* Sleeps until due_us; false if the run stops meanwhile. */
static bool sleep_until(const struct injector *in, int64_t due_us)
{
    for (;;) {
        if (stopped(in)) return false;
        int64_t left = due_us - clock_now_us();
        if (left <= 0) return true;
        clock_sleep_us(left < STOP_CHECK_SLICE_US ? left : STOP_CHECK_SLICE_US);
    }
}

static int64_t planned_start(const struct injector *in, int i)
{
    return in->origin_us + in->plan->items[i].at_us;
}

static int64_t planned_end(const struct injector *in, int i)
{
    return planned_start(in, i) + in->plan->items[i].span_us;
}

static bool is_lock(enum trigger_kind k) { return k == TRIGGER_LOCK_ROWS || k == TRIGGER_LOCK_TABLE; }

/* Whether a lock try failed for a reason that passes: the lock_timeout (a
 * worker's lock in the way), a deadlock or serialization failure with a
 * worker, the connection lost. */
static bool lock_in_the_way(const struct db_error *e)
{
    return strcmp(e->sqlstate, "55P03") == 0 || e->cls == ERR_DEADLOCK ||
           e->cls == ERR_SERIALIZATION || e->cls == ERR_CONNECTION;
}

/* Takes trigger i's lock, trying again until it holds or the window is over. */
static void take_lock(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    const struct trigger *t = &in->plan->items[i];
    while (!stopped(in) && clock_now_us() < planned_end(in, i)) {
        if (!db_ok(in->db) && db_reconnect(in->db, 5, &slot->error) != DB_OK) {
            sleep_until(in, clock_now_us() + 100000); /* the server is away: not a busy loop */
            continue;
        }
        enum db_status st =
            t->kind == TRIGGER_LOCK_ROWS
                ? db_trigger_lock_rows(in->db, slot->rows, INJECTOR_LOCK_TRY_MS, &slot->error)
                : db_trigger_lock_table(in->db, INJECTOR_LOCK_TRY_MS, &slot->error);
        if (st == DB_OK) {
            atomic_store(&slot->start_us, clock_now_us());
            return;
        }
        if (!lock_in_the_way(&slot->error)) break; /* a privilege, a missing table: no retry */
    }
    slot->failed = true;
}

static void release_lock(struct injector *in, int i)
{
    db_trigger_release(in->db);
    atomic_store(&in->slots[i].end_us, clock_now_us());
}

static void terminate(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    int *pids = calloc((size_t)(in->max_pids > 0 ? in->max_pids : 1), sizeof *pids);
    if (pids == NULL) {
        slot->failed = true;
        snprintf(slot->error.message, sizeof slot->error.message, "out of memory");
        return;
    }
    int n = in->worker_pids(in->pids_arg, in->plan->items[i].share, pids, in->max_pids);
    /* Marked before it goes out, so the interval it falls in shows it. */
    int64_t now_us = clock_now_us();
    atomic_store(&slot->end_us, now_us);
    atomic_store(&slot->start_us, now_us);
    if (db_trigger_terminate(in->db, pids, n, &slot->terminated, &slot->error) != DB_OK) {
        slot->failed = true;
        atomic_store(&slot->start_us, 0);
    }
    free(pids);
}

/* The next event: a pending trigger's start or an active one's end. -1: none left. */
static int next_event(const struct injector *in, const int *state, int64_t *at_us)
{
    int next = -1;
    for (int i = 0; i < in->plan->n; i++) {
        int64_t t = state[i] == 0 ? planned_start(in, i) : state[i] == 1 ? planned_end(in, i) : -1;
        if (t >= 0 && (next < 0 || t < *at_us)) {
            next = i;
            *at_us = t;
        }
    }
    return next;
}

static void *injector_main(void *arg)
{
    struct injector *in = arg;
    int state[TRIGGER_MAX] = {0}; /* 0 pending, 1 active, 2 over */
    int held = -1;                /* the lock trigger holding the injector's transaction */
    int64_t at_us = 0;
    int i;
    while ((i = next_event(in, state, &at_us)) >= 0 && sleep_until(in, at_us)) {
        const struct trigger *t = &in->plan->items[i];
        if (state[i] == 1) {
            state[i] = 2;
            if (held == i) {
                release_lock(in, i);
                held = -1;
            } else if (t->kind == TRIGGER_SPIKE) {
                atomic_store(&in->slots[i].end_us, clock_now_us());
            }
            continue;
        }
        state[i] = t->span_us ? 1 : 2;
        if (is_lock(t->kind)) {
            take_lock(in, i);
            if (in->slots[i].failed)
                state[i] = 2;
            else
                held = i;
        } else if (t->kind == TRIGGER_TERMINATE) {
            terminate(in, i);
        } else {
            /* A spike: the load phases raise the offered rate; its window is
             * marked here like the others. */
            atomic_store(&in->slots[i].start_us, clock_now_us());
        }
    }
    /* The run ends within a window: what is held ends with it. */
    if (held >= 0) release_lock(in, held);
    for (int k = 0; k < in->plan->n; k++)
        if (atomic_load(&in->slots[k].start_us) && !atomic_load(&in->slots[k].end_us))
            atomic_store(&in->slots[k].end_us, clock_now_us());
    return NULL;
}

int injector_connect(struct injector *in, struct db_error *err)
{
    in->db = db_connect(in->dsn, err);
    return in->db ? 0 : -1;
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
    db_close(in->db);
    in->db = NULL;
}

bool injector_active(struct injector *in, int64_t from_us, int64_t to_us, char *out, size_t len)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; in->plan && i < in->plan->n; i++) {
        int64_t start_us = atomic_load(&in->slots[i].start_us);
        int64_t end_us = atomic_load(&in->slots[i].end_us);
        if (start_us == 0 || start_us > to_us || (end_us != 0 && end_us <= from_us)) continue;
        int n = snprintf(out + at, len - at, "%s%s", at ? "+" : "",
                         trigger_kind_name(in->plan->items[i].kind));
        if (n < 0 || (size_t)n >= len - at) break;
        at += (size_t)n;
    }
    return at > 0;
}

json_t *injector_json(const struct injector *in, int64_t clock_origin_us)
{
    json_t *rows = json_array();
    for (int i = 0; rows && in->plan && i < in->plan->n; i++) {
        const struct trigger *t = &in->plan->items[i];
        const struct injector_slot *slot = &in->slots[i];
        char spec[64], arg[32];
        trigger_spec_text(t, spec, sizeof spec);
        trigger_arg_text(t, slot->rows, arg, sizeof arg);
        int64_t start_us = atomic_load(&slot->start_us), end_us = atomic_load(&slot->end_us);
        json_t *row = json_pack("{s:s, s:s, s:s}", "kind", trigger_kind_name(t->kind), "spec",
                                spec, "arg", arg);
        if (row == NULL) continue;
        json_object_set_new(row, "start_s",
                            start_us ? json_real((double)(start_us - clock_origin_us) / 1e6)
                                     : json_null());
        json_object_set_new(row, "end_s",
                            start_us && end_us
                                ? json_real((double)(end_us - clock_origin_us) / 1e6)
                                : json_null());
        if (t->kind == TRIGGER_TERMINATE)
            json_object_set_new(row, "terminated", json_integer(slot->terminated));
        if (slot->failed)
            json_object_set_new(row, "error", json_string(slot->error.message[0]
                                                              ? slot->error.message
                                                              : "the run ended first"));
        else if (!start_us)
            json_object_set_new(row, "error", json_string("the run ended first"));
        json_array_append_new(rows, row);
    }
    return rows;
}
