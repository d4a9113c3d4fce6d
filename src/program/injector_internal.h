/* What injector.c, injector_kinds.c and injector_wait.c share; nothing else includes this. */
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
};

extern const struct injector_action injector_actions[TRIGGER_N_KINDS];

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
