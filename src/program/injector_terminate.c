/* terminate's actions: the sessions of this run's workers it ends, picked
 * over every instance and every endpoint, and ended endpoint by endpoint
 * through a connection to each (a backend pid names a session only on the
 * server that has it). */
#include "injector_internal.h"
#include "txstorm/clock.h"
#include "txstorm/db_trigger.h"

#include <stdio.h>
#include <stdlib.h>

/* Room for n ints, at least one (calloc of 0 may return NULL). */
static int *ints(int n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(int)); }

/* The sessions a terminate ends: its share of this instance's workers', or,
 * injected for every instance of the run, of all of theirs, round robin
 * over the instances (each one's in its workers' order, which goes round
 * the endpoints). Into *victims and *on (each one's endpoint; malloc'd);
 * how many, -1 out of memory. */
static int victims_of(struct injector *in, int i, int **victims, int **on)
{
    int *own = ints(in->max_pids), *own_on = ints(in->max_pids);
    int *pids = NULL, *endpoints = NULL, *owner = NULL, *picked = NULL, n = -1, total = -1;
    if (own && own_on) {
        int n_own = in->worker_pids(in->pids_arg, own, own_on, in->max_pids);
        if (in->slots[i].shared) {
            total = injector_gather_sessions(in, i, own, own_on, n_own, &pids, &endpoints, &owner);
        } else { /* this instance's alone: all its own */
            total = n_own;
            pids = own;
            endpoints = own_on;
            own = own_on = NULL;
            owner = ints(total);
        }
    }
    *on = NULL;
    if (total >= 0 && owner && (picked = ints(total)) && (*on = ints(total))) {
        n = trigger_share_pick(in->plan->items[i].share, owner, total, picked);
        for (int k = 0; k < n; k++) {
            (*on)[k] = endpoints[picked[k]];
            picked[k] = pids[picked[k]];
        }
        *victims = picked;
    } else {
        free(picked);
    }
    free(own);
    free(own_on);
    free(pids);
    free(endpoints);
    free(owner);
    return n;
}

/* The connection to endpoint e, open (again): the injector's own for the
 * first (it follows the primary there), one of its own for any other; NULL
 * with err set when it cannot be. */
static struct db *control(struct injector *in, int e, struct db_error *err)
{
    if (e == 0) return injector_reconnected(in, err) ? in->db : NULL;
    struct db **c = &in->controls[e];
    bool open =
        *c ? db_ok(*c) || db_reconnect(*c, INJECTOR_RECONNECT_S, err) == DB_OK
           : (*c = db_connect_within(in->endpoint_dsns[e], INJECTOR_RECONNECT_S, err)) != NULL;
    if (open && db_trigger_session(*c, false, err) == DB_OK) return *c;
    db_error_name_endpoint(err, in->endpoint_dsns[e], e, in->n_endpoints);
    return NULL;
}

/* The victims (pids, n of them) on endpoint e, into batch; how many. */
static int on_endpoint(const int *pids, const int *on, int n, int e, int *batch)
{
    int m = 0;
    for (int k = 0; k < n; k++)
        if (on[k] == e) batch[m++] = pids[k];
    return m;
}

/* Ends the victims on each endpoint that has some, through its connection
 * (dbs[e]; NULL: unreachable, left alone); the sessions ended, summed. The
 * first failure, if any, into err. */
static int64_t end_sessions(struct injector *in, struct db **dbs, const int *pids, const int *on,
                            int n, int *batch, struct db_error *err)
{
    int64_t ended = 0;
    for (int e = 0; e < in->n_endpoints; e++) {
        int m = on_endpoint(pids, on, n, e, batch);
        struct db_error e_err = {0};
        int64_t count = 0;
        if (m == 0 || dbs[e] == NULL) continue;
        if (db_trigger_terminate(dbs[e], batch, m, &count, &e_err) == DB_OK) {
            ended += count;
            continue;
        }
        if (in->n_endpoints > 1)
            db_error_name_endpoint(&e_err, in->endpoint_dsns[e], e, in->n_endpoints);
        if (!err->message[0]) *err = e_err;
    }
    return ended;
}

void injector_terminate(struct injector *in, int i)
{
    struct injector_slot *slot = &in->slots[i];
    int *pids = NULL, *on = NULL;
    int n = victims_of(in, i, &pids, &on);
    int *batch = n >= 0 ? ints(n) : NULL;
    struct db **dbs =
        batch ? calloc((size_t)(in->n_endpoints > 0 ? in->n_endpoints : 1), sizeof *dbs) : NULL;
    if (dbs == NULL) {
        slot->failed = true;
        snprintf(slot->error.message, sizeof slot->error.message, "out of memory");
        free(pids);
        free(on);
        free(batch);
        return;
    }
    /* Every connection open first (one may have been ended meanwhile: a
     * server's idle timeout), so that the mark is when they go out. */
    for (int e = 0; e < in->n_endpoints; e++) {
        struct db_error err = {0};
        if (on_endpoint(pids, on, n, e, batch) == 0) continue;
        dbs[e] = control(in, e, &err);
        if (dbs[e] == NULL && !slot->error.message[0]) slot->error = err;
    }
    /* Marked before it goes out, so the interval it falls in shows it. */
    int64_t now_us = clock_now_us();
    atomic_store(&slot->end_us, now_us);
    atomic_store(&slot->start_us, now_us);
    slot->terminated = end_sessions(in, dbs, pids, on, n, batch, &slot->error);
    if (slot->terminated == 0) {
        slot->failed = true;
        atomic_store(&slot->start_us, 0);
        /* Nothing happened (the sessions are elsewhere: a standby, a pooler's). */
        if (!slot->error.message[0])
            snprintf(slot->error.message, sizeof slot->error.message,
                     "no session of this run was ended (%d asked): they are not on the server "
                     "the injector reached",
                     n);
    }
    /* Else an endpoint's failure, if any, stays: the others' sessions were
     * ended, and the outcome says which part was not. */
    free(pids);
    free(on);
    free(batch);
    free(dbs);
}

void injector_terminate_follow(struct injector *in, int i)
{
    int *pids = ints(in->max_pids), *on = ints(in->max_pids);
    if (pids && on) { /* no memory: instance 0 goes on without them */
        int n = in->worker_pids(in->pids_arg, pids, on, in->max_pids);
        injector_offer_sessions(in, i, pids, on, n);
    }
    free(pids);
    free(on);
}

void injector_terminate_outcome(struct trigger_outcome *o, const struct injector_slot *slot)
{
    o->terminated = slot->terminated;
    if (slot->terminated > 0 && slot->error.message[0])
        snprintf(o->error, sizeof o->error, "not all ended: %.*s", (int)sizeof o->error - 16,
                 slot->error.message);
}

void injector_controls_close(struct injector *in)
{
    for (int e = 1; in->controls && e < in->n_endpoints; e++)
        db_close(in->controls[e]);
    free(in->controls);
    in->controls = NULL;
}
