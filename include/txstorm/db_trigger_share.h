/* The --trigger windows that instance 0 of a run of several (--instance)
 * injects for all of them, shared through the bank (libpq, db.h's
 * companion): table txstorm_trigger, beside the barrier's, a row per
 * (key, trigger, instance) under the run's barrier key (its seed). Instance
 * 0's row holds the window it held; another instance's, the sessions its
 * workers offer to a terminate. The last instance to leave the barrier takes
 * the key's rows away (db_barrier_leave); instance 0 clears what an earlier
 * run left under the key before it arrives at the barrier. */
#ifndef TXSTORM_DB_TRIGGER_SHARE_H
#define TXSTORM_DB_TRIGGER_SHARE_H

#include "txstorm/db.h"
#include "txstorm/trigger_verdict.h"

/* A trigger's window as instance 0 held it, its times counted from the
 * measured span's start (each instance's own clock reads them from its own). */
struct db_trigger_window {
    int64_t start_us, end_us; /* -1: none (never injected; an end not seen) */
    enum trigger_release released;
    char release_error[256]; /* what ended it, when not the plan or the run */
    int64_t terminated;      /* terminate: the sessions it ended */
    bool failed;
    char error[256]; /* failed: why */
    /* exec: its command's exit status (-1: none) or signal (0: none), and
     * the tail of its output */
    int exit_status, exit_signal;
    char output[COMMAND_OUTPUT_MAX + 1];
};

/* Before the barrier: instance 0 (clear) removes the key's rows of an
 * earlier run; the others check the table is there. DB_MISSING, with a
 * message, when the bank has none, or one without worker_endpoints (made by
 * an older txstorm). */
enum db_status db_trigger_share_begin(struct db *db, int64_t key, bool clear, struct db_error *err);

/* Instance 0: trigger's window, once it is over. */
enum db_status db_trigger_window_put(struct db *db, int64_t key, int trigger,
                                     const struct db_trigger_window *w, struct db_error *err);

/* Another instance: trigger's window as instance 0 put it; DB_MISSING: not
 * (yet) there. */
enum db_status db_trigger_window_get(struct db *db, int64_t key, int trigger,
                                     struct db_trigger_window *w, struct db_error *err);

/* Another instance, at a terminate's time: the sessions of its workers that
 * the terminate may end, each with the index of the endpoint it is on (n may
 * be 0: it offers none). */
enum db_status db_trigger_sessions_offer(struct db *db, int64_t key, int trigger, int instance,
                                         const int *pids, const int *endpoints, int n,
                                         struct db_error *err);

/* Instance 0, at a terminate's time: the sessions the other instances
 * offered, into *pids, *endpoints (each one's endpoint index) and *owner
 * (each one's instance, ascending; malloc'd, the caller frees them), *n of
 * them, from *offered instances. */
enum db_status db_trigger_sessions_offered(struct db *db, int64_t key, int trigger, int **pids,
                                           int **endpoints, int **owner, int *n, int *offered,
                                           struct db_error *err);

#endif
