/* The trigger injector: a thread with its own connection that injects the
 * run's --trigger faults at their times (trigger.h) and records the window
 * each was actually held. Its faults touch only the bank under test: the
 * accounts table's locks, and the sessions of this run's own workers.
 *
 * A run of several instances (--instance I/N) injects each fault on the
 * server once: instance 0's injector injects it for all of them (a terminate
 * ends its share of every instance's workers) and shares each window through
 * the bank (db_trigger_share.h); the others, followers, mark the planned
 * window meanwhile and take the held one from there once their run is over,
 * so that every instance's result holds the same window. A kind that acts on
 * the instance's own load (a spike) each instance applies itself.
 *
 * A terminate reaches the workers on every endpoint (--db given more than
 * once): their sessions, picked over all of them, are ended endpoint by
 * endpoint, each through a connection to that endpoint, since a backend pid
 * means something only on the server that has it. */
#ifndef TXSTORM_INJECTOR_H
#define TXSTORM_INJECTOR_H

#include "txstorm/command_run.h"
#include "txstorm/db.h"
#include "txstorm/trigger.h"
#include "txstorm/trigger_verdict.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A lock waits this long at most per try (a worker's lock in the way, a
 * deadlock with one); tried again until the window is over. While held, its
 * session is watched: one the server ends (idle_in_transaction_session_timeout,
 * pg_terminate_backend) or that drops ends the window then, and says how. */
#define INJECTOR_LOCK_TRY_MS 200

/* How long one (re)connect of the injector may take, to a writable server. */
#define INJECTOR_RECONNECT_S 5

/* A follower's wait, after its run, for the windows instance 0 shares (its
 * run ends about when this one does, and shares the last window then). */
#define INJECTOR_LEARN_WAIT_S 10

/* How long instance 0's terminate waits for the other instances to offer
 * their sessions (they offer them at the same planned time). */
#define INJECTOR_OFFER_WAIT_S 2

struct injector;

/* exec: its command, and the thread that waits for it to end (so that the
 * injector's own thread goes on to the other triggers meanwhile). */
struct injector_command {
    struct injector *in;
    int index;           /* its trigger's */
    int64_t deadline_us; /* monotonic: ended then if still running */
    struct command_proc proc;
    pthread_t waiter;
    bool waiting;                    /* the waiter was started, not yet joined */
    char shown[TRIGGER_COMMAND_MAX]; /* the command with the run's secrets scrubbed */
    /* How it ended, set by the waiter before the window's end is recorded
     * (or, by a follower, learned from instance 0): its exit status (-1:
     * none) or signal (0: none), how its window ended, and its output's
     * tail, the run's secrets scrubbed. */
    int exit_status, exit_signal;
    enum trigger_release released;
    char output[COMMAND_OUTPUT_MAX + 1];
};

struct injector_slot {
    _Atomic int64_t start_us; /* monotonic; 0: not (yet) injected */
    _Atomic int64_t end_us;   /* 0: still held */
    int64_t rows;             /* lock-rows: accounts 1..rows */
    int64_t terminated;       /* terminate: sessions ended */
    /* exec: its command */
    struct injector_command command;
    bool failed;
    struct db_error error;         /* failed: why */
    enum trigger_release released; /* how a window with a span ended */
    struct db_error release_error; /* ended by the server, or its connection lost: what was said */
    bool shared;                   /* instance 0 injects it for every instance of the run */
    bool in_bank;                  /* instance 0: its window is in the bank; a follower: learned */
};

struct injector {
    const char *dsn;
    const struct trigger_plan *plan;
    const atomic_bool *stop; /* the run's stop flag */
    int64_t origin_us;       /* a trigger's AT counts from here (the warmup's end) */
    /* The bank the locks aim at: its hot set (0: the workload has none) and size. */
    int64_t hot_rows;
    int64_t accounts;
    /* Instance `instance` of `instances` (1: a run alone); the rows it
     * shares its triggers under in the bank (the barrier's key, the seed). */
    int instance, instances;
    int64_t share_key;
    /* terminate: fills pids with the sessions of this instance's workers,
     * in the workers' order, and endpoints with the index of the endpoint
     * each is on (a share of them, or of every instance's, ends); returns
     * how many. */
    int (*worker_pids)(void *arg, int *pids, int *endpoints, int max);
    void *pids_arg;
    int max_pids;
    /* The run's endpoints (dsn is the first's): a terminate ends the
     * sessions on each through a connection of its own to it (the first's,
     * the injector's own), opened at the first terminate, kept to the end. */
    const char *const *endpoint_dsns;
    int n_endpoints;
    struct db **controls; /* [e] for e >= 1; NULL: not (yet) open */
    /* Called on the injector's thread right after a window's edge is
     * recorded (its intervals are cut there); NULL: nobody listens. */
    void (*edge_passed)(void *arg);
    void *edge_arg;
    pthread_t thread;
    bool running;
    struct db *db;
    struct injector_slot slots[TRIGGER_MAX]; /* one per plan item */
};

/* Before the run starts (before the --instance barrier): settles what each
 * trigger acts on (its slot) and connects; instance 0 clears what an
 * earlier run left under its key in the bank. 0, or -1 with err set. */
int injector_connect(struct injector *in, struct db_error *err);

/* Starts the thread, times counted from origin_us. 0, or -1 with err set. */
int injector_start(struct injector *in, int64_t origin_us, struct db_error *err);

/* Waits for the thread to see the stop flag, release what it holds and end. */
void injector_stop(struct injector *in);
void injector_free(struct injector *in);

/* Whether a held window covers the interval (from_us, to_us] (recovery.h's
 * recovery_window_covers, edges within slack_us of the interval's taken to
 * be at them); their kinds, joined by '+', into out. Any thread. */
bool injector_active(struct injector *in, int64_t from_us, int64_t to_us, int64_t slack_us,
                     char *out, size_t len);

/* The windows' planned edges and, with effective, the edges recorded so far
 * (monotonic), at most max into out; how many. Any thread, once started. */
int injector_edges(struct injector *in, bool effective, int64_t *out, int max);

/* After injector_stop: each trigger's window as held (seconds since
 * clock_origin_us; never injected: none, with why; one instance 0 injected
 * for all, injected_by 0), appended to out, not yet judged. */
void injector_outcomes(const struct injector *in, int64_t clock_origin_us,
                       struct trigger_outcomes *out);

#endif
