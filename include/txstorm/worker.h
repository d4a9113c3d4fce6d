/* A worker: one connection, its own RNGs and schedule, running transfers
 * until told to stop or its quota is done. It has no thread of its own: an
 * event loop (loop.h) drives it, calling in when its connection has
 * something to read or its timer is due, and each call runs it until it
 * next waits. */
#ifndef TXSTORM_WORKER_H
#define TXSTORM_WORKER_H

#include "txstorm/backoff.h"
#include "txstorm/db.h"
#include "txstorm/endpoint.h"
#include "txstorm/ledger.h"
#include "txstorm/loop.h"
#include "txstorm/outage.h"
#include "txstorm/rng.h"
#include "txstorm/schedule.h"
#include "txstorm/servers.h"
#include "txstorm/stall.h"
#include "txstorm/stats.h"
#include "txstorm/txn.h"
#include "txstorm/workload.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* Where workers publish finished transactions, and the main thread collects
 * them once per interval: one per event loop, so the lock a worker takes
 * once per transaction is only ever contended by the collector. */
struct sink {
    pthread_mutex_t lock;
    struct stats interval;
    struct endpoint_stats *endpoints; /* the same, by the worker's endpoint */
};

/* What a worker may see of the run it is part of: shared by all its
 * workers, read-only but for the ledger, where each writes only its book. */
struct worker_env {
    const struct txn_spec *spec;
    int instance;                 /* this process's number in a distributed run */
    int64_t run_id;               /* the ledger's run number */
    struct ledger *ledger;        /* NULL: the run keeps no record (--ledger off) */
    int64_t reconnect_timeout_us; /* 0: a lost connection is not re-established */
    /* The wait between a worker's attempts to reconnect. */
    const struct backoff_config *reconnect_backoff;
    struct stall_watch *stalls;   /* NULL: no stall detector (--stall-timeout off) */
    struct outage_watch *outage;  /* the whole run's outages, or NULL */
    struct outage_watch *endpoint_outages; /* each endpoint's, or NULL */
    const atomic_bool *stop;      /* the run is stopping */
    const atomic_bool *halt;      /* the stop's grace is over: what is in flight is cancelled */
};

enum worker_state {
    W_IDLE,           /* not started */
    W_SCHEDULED,      /* open loop: waiting for the next intended start */
    W_REPLY,          /* waiting for the server's reply */
    W_WAIT,           /* a think pause or a backoff */
    W_RECONNECT_WAIT, /* between attempts to reconnect */
    W_CONNECTING,     /* opening a connection and setting its session up, its socket
                         and a deadline watched */
    W_DONE,
};

struct worker {
    int id;
    int endpoint;    /* its index in the sink's endpoints */
    const char *dsn; /* that endpoint's connection string (NULL: libpq's defaults) */
    const struct worker_env *env;
    struct loop *loop;
    struct sink *sink;
    struct workload_config workload;
    struct txn_policy policy;
    int64_t quota;         /* transactions to finish; INT64_MAX = until stopped */
    struct rng choice_rng; /* transfer choices: reproducible from the seed */
    struct rng jitter_rng; /* backoff jitter, injection, arrivals: kept apart so
                              retries never shift the choices */
    bool open_loop;        /* --rate: start each transaction at its scheduled time */
    int64_t seq;           /* transfers finished so far: the next ledger sequence number */
    struct schedule schedule;
    struct db *db;

    /* The transaction in progress. */
    enum worker_state state;
    atomic_bool in_flight; /* a statement awaits its reply: what the stop's cancel is for
                              (the one field another thread reads while it runs) */
    struct loop_timer timer;
    struct loop_watch watch; /* its connection's socket */
    int64_t intended_us;     /* open loop: the intended start */
    struct transfer t;
    struct txn txn;
    struct txn_outcome o;
    struct stmt_reply reply;

    /* Reconnecting: for the transaction in progress, or between two. */
    bool reconnect_for_txn;
    unsigned reconnect_attempt;
    int64_t reconnect_start_us, reconnect_prev_us;
    int connect_server;          /* the server of the host list being tried */
    int64_t connect_timeout_us;  /* that server's share */
    int64_t connect_start_us;    /* when its attempt began */
    struct loop_timer deadline;  /* ends that share */
    struct server_id setup_server; /* the server its session being set up reached */

    bool connect_failed;
    bool lost; /* stopped early: it could not reconnect in time */
    struct db_error error;

    /* Faults, read after the worker has stopped; the two counts also while
     * it runs, for the live metrics (atomic: they change at a fault only). */
    _Atomic int64_t connection_losses; /* times the connection was found broken */
    _Atomic int64_t reconnects;        /* times it was re-established */
    int64_t disconnected_us;   /* time spent without a connection */
    bool gave_up;              /* the last reconnect attempt was abandoned */
    int64_t outage_seen[2];    /* the last window (run's, endpoint's) it was counted in */
    struct server_trail servers; /* which server each (re)connect reached */
};

/* Sets the worker up as number id, driven by loop, publishing to sink.
 * The caller fills in its workload, policy, quota, RNGs and schedule. */
void worker_init(struct worker *w, int id, const struct worker_env *env, struct loop *loop,
                 struct sink *sink);

/* Opens and prepares the worker's connection (blocking); false with
 * w->error set when it cannot. */
bool worker_connect(struct worker *w);

/* Starts the worker on its first transaction (or its first wait). */
void worker_start(struct worker *w, int64_t now_us);

/* On its loop's thread: a worker still awaiting a reply hangs up on the
 * server (db_hang_up), so its transfer ends as a lost connection would end
 * it (ambiguous during a COMMIT). For a stop that no cancel could end. */
void worker_hang_up(struct worker *w);

/* Its loop cannot go on (error: the errno): unless done, the worker stops
 * where it is, lost. */
void worker_abandon(struct worker *w, int error);

#endif
