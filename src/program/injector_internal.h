/* What injector.c, injector_kinds.c, injector_share.c, injector_terminate.c
 * and injector_wait.c share; nothing else includes this. */
#ifndef TXSTORM_INJECTOR_INTERNAL_H
#define TXSTORM_INJECTOR_INTERNAL_H

#include "txstorm/injector.h"

/* What a trigger kind does to the database: one row per enum trigger_kind
 * (injector_kinds.c), beside trigger.h's row of its notation. A NULL member
 * does nothing but mark the window, which is all a spike needs (the load
 * phases raise its rate). */
struct injector_action {
    /* Before the run: what trigger i will act on, into its slot. */
    void (*prepare)(struct injector *in, int i);
    /* At the window's start: injects trigger i and sets its slot's start_us
     * once it holds (end_us too, if instantaneous), or marks it failed. */
    void (*begin)(struct injector *in, int i);
    /* At the window's end, or at the run's within it, after begin held:
     * releases what it holds and sets end_us (and released, when it finds
     * the session gone). */
    void (*end)(struct injector *in, int i);
    /* While held: waits at most wait_us for what it holds to be taken away.
     * true: it still holds; false: it ended, end_us and released set. NULL:
     * nothing can take it away (a spike's window). */
    bool (*watch)(struct injector *in, int i, int64_t wait_us);
    /* After the plan's last event, on the injector's thread: waits for
     * what the kind left running on its own (a command) to end. */
    void (*finish)(struct injector *in, int i);
    /* Fills in the kind's own figures of its outcome. */
    void (*outcome)(struct trigger_outcome *o, const struct injector_slot *slot);
    /* Acts on this instance's own load (a spike): in a run of several
     * instances, each applies it. Any other kind acts on the server, and
     * instance 0 injects it for all of them. */
    bool each_instance;
    /* A follower, at the window's start, in place of begin: what instance 0
     * needs of it (terminate: its workers' sessions). NULL: nothing; either
     * way the planned edges are marked. */
    void (*follow)(struct injector *in, int i);
};

extern const struct injector_action injector_actions[TRIGGER_N_KINDS];

/* Whether this instance leaves trigger i to instance 0, marking its planned
 * window while the run lasts and learning the held one after. */
static inline bool injector_follows(const struct injector *in, int i)
{
    return in->slots[i].shared && in->instance != 0;
}

/* Instance 0, once trigger i's window is over: shares it through the bank
 * (slot in_bank once there; a server away leaves it for a later try). */
void injector_share_window(struct injector *in, int i);

/* A follower, after its run: waits (INJECTOR_LEARN_WAIT_S at most) for the
 * windows instance 0 shares and takes each into its slot; one that never
 * comes is not injected, with why. */
void injector_learn_windows(struct injector *in);

/* A follower at a terminate's time: offers its workers' sessions (pids, each
 * with its endpoint's index in endpoints). */
void injector_offer_sessions(struct injector *in, int i, const int *pids, const int *endpoints,
                             int n);

/* Instance 0 at a terminate's time: its own sessions (own, on own_on's
 * endpoints, n of them) and those every other instance offers (waiting
 * INJECTOR_OFFER_WAIT_S at most for their offers), into *pids, *endpoints
 * and *owner (each one's instance, its own first; malloc'd, the caller
 * frees them); how many, or -1 when out of memory. */
int injector_gather_sessions(struct injector *in, int i, const int *own, const int *own_on, int n,
                             int **pids, int **endpoints, int **owner);

/* Its connection, open (again, to a writable server, named, when it was
 * lost); false with err set when it cannot be. */
bool injector_reconnected(struct injector *in, struct db_error *err);

/* terminate's actions (injector_terminate.c): the sessions ended on every
 * endpoint, a follower's offered, the count in the outcome. */
void injector_terminate(struct injector *in, int i);
void injector_terminate_follow(struct injector *in, int i);
void injector_terminate_outcome(struct trigger_outcome *o, const struct injector_slot *slot);

/* Closes the connections a terminate opened to the endpoints but the first. */
void injector_controls_close(struct injector *in);

/* exec's actions (injector_exec.c). */
void injector_exec_prepare(struct injector *in, int i);
void injector_exec_begin(struct injector *in, int i);
void injector_exec_end(struct injector *in, int i);
void injector_exec_finish(struct injector *in, int i);
void injector_exec_outcome(struct trigger_outcome *o, const struct injector_slot *slot);

/* Whether the run is stopping. */
bool injector_stopped(const struct injector *in);

/* Sleeps until due_us (monotonic); false if the run stops meanwhile. */
bool injector_sleep_until(const struct injector *in, int64_t due_us);

/* How long one wait lasts at most before it looks at the run's stop flag. */
#define INJECTOR_STOP_CHECK_US 20000

/* When trigger i's window is due to start (monotonic). */
int64_t injector_planned_start(const struct injector *in, int i);

/* When trigger i's window is due to end (monotonic). */
int64_t injector_planned_end(const struct injector *in, int i);

#endif
