/* What each --trigger kind does from the injector's connection: one row per
 * kind, beside trigger_kinds.c's row of its notation. */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_trigger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* lock-rows without :K locks the workload's hot set, or its first ids. */
static void lock_rows_prepare(struct injector *in, int i)
{
    int64_t rows = in->plan->items[i].rows ? in->plan->items[i].rows
                   : in->hot_rows          ? in->hot_rows
                                           : TRIGGER_LOCK_ROWS_DEFAULT;
    in->slots[i].rows = rows < in->accounts ? rows : in->accounts;
}

/* Whether a lock try failed for a reason that passes: the lock_timeout (a
 * worker's lock in the way), a deadlock or serialization failure with a
 * worker, the connection lost. */
static bool lock_in_the_way(const struct db_error *e)
{
    return strcmp(e->sqlstate, "55P03") == 0 || e->cls == ERR_DEADLOCK ||
           e->cls == ERR_SERIALIZATION || e->cls == ERR_CONNECTION;
}

/* How a session that ended under a lock ended: the server said so (a FATAL
 * with its SQLSTATE), or the connection just dropped. */
static enum trigger_release ended_how(const struct db_error *e)
{
    return e->sqlstate[0] ? TRIGGER_ENDED_BY_SERVER : TRIGGER_CONNECTION_LOST;
}

/* Takes trigger i's lock with try_lock, trying again until it holds or the
 * window is over. The lock opens the injector's one transaction. */
static void take_lock(struct injector *in, int i,
                      enum db_status (*try_lock)(struct injector *in, int i))
{
    struct injector_slot *slot = &in->slots[i];
    while (!injector_stopped(in) && clock_now_us() < injector_planned_end(in, i)) {
        if (!injector_reconnected(in, &slot->error)) {
            /* the server is away: not a busy loop */
            injector_sleep_until(in, clock_now_us() + 100000);
            continue;
        }
        if (try_lock(in, i) != DB_OK) {
            if (!lock_in_the_way(&slot->error)) break; /* a privilege, a missing table: no retry */
            continue;
        }
        /* A try that waited past the window's end held nothing in it. */
        if (clock_now_us() >= injector_planned_end(in, i)) {
            db_trigger_release(in->db, &slot->error);
            snprintf(slot->error.message, sizeof slot->error.message,
                     "its lock was taken only after the window's end (workers' locks in the "
                     "way the whole span)");
            break;
        }
        atomic_store(&slot->start_us, clock_now_us());
        return;
    }
    slot->failed = true;
}

/* The window ends as the release goes out: until then the lock was surely
 * held, so no interval the window claims whole saw it released (the ack can
 * come milliseconds after other sessions have already committed). A session
 * that had already ended leaves the lock released by then, and says how. */
static void release_lock(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    atomic_store(&slot->end_us, clock_now_us());
    if (db_trigger_release(in->db, &slot->release_error) != DB_OK &&
        slot->release_error.cls == ERR_CONNECTION)
        slot->released = ended_how(&slot->release_error);
    else
        slot->release_error = (struct db_error){0};
}

/* The lock's session, watched: the server may end it under the lock (its
 * idle_in_transaction_session_timeout, a DBA's pg_terminate_backend), the
 * connection may drop; either releases the lock then, not at the plan's end. */
static bool watch_lock(struct injector *in, int i, int64_t wait_us)
{
    struct injector_slot *slot = &in->slots[i];
    int wait_ms = (int)((wait_us + 999) / 1000);
    if (db_trigger_watch(in->db, wait_ms, &slot->release_error) == DB_OK) return true;
    atomic_store(&slot->end_us, clock_now_us());
    slot->released = ended_how(&slot->release_error);
    return false;
}

static enum db_status try_lock_rows(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    return db_trigger_lock_rows(in->db, slot->rows, INJECTOR_LOCK_TRY_MS, &slot->error);
}

static void lock_rows(struct injector *in, int i) { take_lock(in, i, try_lock_rows); }

static enum db_status try_lock_table(struct injector *in, int i)
{
    return db_trigger_lock_table(in->db, INJECTOR_LOCK_TRY_MS, &in->slots[i].error);
}

static void lock_table(struct injector *in, int i) { take_lock(in, i, try_lock_table); }

const struct injector_action injector_actions[TRIGGER_N_KINDS] = {
    [TRIGGER_LOCK_ROWS] = {.prepare = lock_rows_prepare,
                           .begin = lock_rows,
                           .end = release_lock,
                           .watch = watch_lock},
    [TRIGGER_LOCK_TABLE] = {.begin = lock_table, .end = release_lock, .watch = watch_lock},
    [TRIGGER_TERMINATE] = {.begin = injector_terminate,
                           .outcome = injector_terminate_outcome,
                           .follow = injector_terminate_follow},
    [TRIGGER_SPIKE] = {.each_instance = true},
    [TRIGGER_EXEC] = {.prepare = injector_exec_prepare,
                      .begin = injector_exec_begin,
                      .end = injector_exec_end,
                      .finish = injector_exec_finish,
                      .outcome = injector_exec_outcome},
};
