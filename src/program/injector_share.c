/* What instance 0's injector shares, through the bank, with the other
 * instances of a run of several (--instance), and what they offer it: the
 * windows it held for all of them, the sessions its terminate ends. */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_trigger_share.h"

#include <stdio.h>
#include <stdlib.h>

/* How often a follower looks for the windows after its run: a modest rate,
 * for seconds at most. */
#define LEARN_POLL_US 100000

/* How often instance 0 looks for the offers at a terminate's time: they
 * come within milliseconds, and the terminate waits for them. */
#define OFFER_POLL_US 10000

void injector_share_window(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    int64_t start_us = atomic_load(&slot->start_us), end_us = atomic_load(&slot->end_us);
    /* Counted from the measured span's start, which every instance's clock has. */
    struct db_trigger_window w = {.start_us = start_us ? start_us - in->origin_us : -1,
                                  .end_us = start_us && end_us ? end_us - in->origin_us : -1,
                                  .released = slot->released,
                                  .terminated = slot->terminated,
                                  .failed = slot->failed,
                                  .exit_status = slot->command.exit_status,
                                  .exit_signal = slot->command.exit_signal};
    snprintf(w.output, sizeof w.output, "%s", slot->command.output);
    snprintf(w.release_error, sizeof w.release_error, "%s", slot->release_error.message);
    snprintf(w.error, sizeof w.error, "%s", slot->error.message);
    /* A connection the server closed while it idled shows only when used:
     * once more, then, reopened. */
    for (int attempt = 0; attempt < 2 && !slot->in_bank; attempt++) {
        struct db_error err = {0};
        slot->in_bank = injector_reconnected(in, &err) &&
                        db_trigger_window_put(in->db, in->share_key, i, &w, &err) == DB_OK;
    }
}

/* Trigger i's window as instance 0 held it, into the slot, on this clock. */
static void learn(struct injector *in, int i, const struct db_trigger_window *w)
{
    struct injector_slot *slot = &in->slots[i];
    slot->released = w->released;
    slot->terminated = w->terminated;
    slot->failed = w->failed;
    slot->command.exit_status = w->exit_status;
    slot->command.exit_signal = w->exit_signal;
    snprintf(slot->command.output, sizeof slot->command.output, "%s", w->output);
    snprintf(slot->error.message, sizeof slot->error.message, "%s", w->error);
    snprintf(slot->release_error.message, sizeof slot->release_error.message, "%s",
             w->release_error);
    bool held = w->start_us >= 0;
    /* Never injected, and nothing failed: instance 0's run ended first. */
    if (!held && !w->failed) {
        slot->failed = true;
        snprintf(slot->error.message, sizeof slot->error.message,
                 "the run of instance 0, which injects it for every instance, ended first");
    }
    atomic_store(&slot->end_us, held && w->end_us >= 0 ? in->origin_us + w->end_us : 0);
    atomic_store(&slot->start_us, held ? in->origin_us + w->start_us : 0);
    slot->in_bank = true;
}

/* The windows not learned yet, looked for once; true when none is left. */
static bool learn_round(struct injector *in)
{
    bool all = true;
    for (int i = 0; i < in->plan->n; i++) {
        if (!injector_follows(in, i) || in->slots[i].in_bank) continue;
        struct db_trigger_window w;
        struct db_error err = {0};
        if (injector_reconnected(in, &err) &&
            db_trigger_window_get(in->db, in->share_key, i, &w, &err) == DB_OK)
            learn(in, i, &w);
        else
            all = false;
    }
    return all;
}

void injector_learn_windows(struct injector *in)
{
    int64_t deadline_us = clock_now_us() + INJECTOR_LEARN_WAIT_S * 1000000LL;
    while (!learn_round(in) && clock_now_us() < deadline_us)
        clock_sleep_us(LEARN_POLL_US); /* pacing the next look, not a wait for it */
    /* Never shared: the planned window marked meanwhile was no held one. */
    for (int i = 0; i < in->plan->n; i++) {
        struct injector_slot *slot = &in->slots[i];
        if (!injector_follows(in, i) || slot->in_bank) continue;
        atomic_store(&slot->start_us, 0);
        atomic_store(&slot->end_us, 0);
        slot->failed = true;
        snprintf(slot->error.message, sizeof slot->error.message,
                 "instance 0, which injects it for every instance, shared no window for it "
                 "within %d s of this instance's end",
                 INJECTOR_LEARN_WAIT_S);
    }
}

void injector_offer_sessions(struct injector *in, int i, const int *pids, const int *endpoints,
                             int n)
{
    /* Once more on a connection reopened, as a window is shared; one that
     * cannot be offered, instance 0 goes on without. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct db_error err = {0};
        if (injector_reconnected(in, &err) &&
            db_trigger_sessions_offer(in->db, in->share_key, i, in->instance, pids, endpoints, n,
                                      &err) == DB_OK)
            return;
    }
}

int injector_gather_sessions(struct injector *in, int i, const int *own, const int *own_on, int n,
                             int **pids, int **endpoints, int **owner)
{
    int64_t deadline_us = clock_now_us() + INJECTOR_OFFER_WAIT_S * 1000000LL;
    int *theirs = NULL, *their_on = NULL, *their_owner = NULL, m = 0, offered = 0;
    for (;;) {
        struct db_error err = {0};
        if (injector_reconnected(in, &err) &&
            db_trigger_sessions_offered(in->db, in->share_key, i, &theirs, &their_on, &their_owner,
                                        &m, &offered, &err) == DB_OK &&
            offered >= in->instances - 1)
            break;
        /* Those that offered by the deadline are all it ends a share of. */
        if (injector_stopped(in) || clock_now_us() >= deadline_us) break;
        free(theirs);
        free(their_on);
        free(their_owner);
        theirs = their_on = their_owner = NULL;
        m = offered = 0;
        clock_sleep_us(OFFER_POLL_US); /* pacing the next look, not a wait for it */
    }
    size_t room = (size_t)(n + m > 0 ? n + m : 1);
    *pids = calloc(room, sizeof **pids);
    *endpoints = calloc(room, sizeof **endpoints);
    *owner = calloc(room, sizeof **owner);
    int total = *pids && *endpoints && *owner ? n + m : -1;
    for (int k = 0; total >= 0 && k < n + m; k++) {
        (*pids)[k] = k < n ? own[k] : theirs[k - n];
        (*endpoints)[k] = k < n ? own_on[k] : their_on[k - n];
        (*owner)[k] = k < n ? in->instance : their_owner[k - n];
    }
    free(theirs);
    free(their_on);
    free(their_owner);
    return total;
}
