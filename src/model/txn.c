/* The retry loop around one transfer, as a state machine. Pure. */
#include "txstorm/txn.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum {
    X_ATTEMPT,         /* an attempt's statements are under way */
    X_UNWIND_TO,       /* ROLLBACK TO SAVEPOINT sent, for a retry in place */
    X_UNWIND_ROLLBACK, /* ROLLBACK sent, before backing off */
    X_GIVE_UP,         /* ROLLBACK sent, then the end */
    X_BACKOFF,
    X_RECONNECT,
    X_DONE,
};

static bool stopping(const struct txn_policy *p)
{
    return p->stop && atomic_load_explicit(p->stop, memory_order_relaxed);
}

static struct txn_action send(struct txn *x, int state, enum stmt_kind kind)
{
    x->state = state;
    return (struct txn_action){.what = TXN_SEND, .stmt = {.kind = kind}};
}

static struct txn_action finished(struct txn *x)
{
    x->state = X_DONE;
    return (struct txn_action){.what = TXN_DONE};
}

/* Counts the retry and waits out its backoff. */
static struct txn_action back_off(struct txn *x)
{
    struct txn_outcome *o = x->o;
    enum error_class cls = x->err->cls;
    int64_t delay_us = backoff_delay_us(&x->p->backoff, x->attempt_no, x->prev_delay_us, x->jitter);
    if (o->sleeps < TXN_ATTEMPTS_KEPT) o->sleep_us[o->sleeps] = delay_us;
    o->sleeps++;
    o->backoff_us += delay_us;
    o->retries++;
    o->retries_by_class[cls]++;
    if (cls == ERR_SERIALIZATION) o->retries_by_reason[x->err->reason]++;
    x->prev_delay_us = delay_us;
    x->state = X_BACKOFF;
    return (struct txn_action){.what = TXN_WAIT, .wait_us = delay_us, .backoff = true};
}

static struct txn_action attempt_over(struct txn *x, enum transfer_result r, int64_t now_us);

static struct txn_action from_step(struct txn *x, struct attempt_step s, int64_t now_us)
{
    switch (s.what) {
    case STEP_SEND:
        x->state = X_ATTEMPT;
        return (struct txn_action){.what = TXN_SEND, .stmt = s.stmt};
    case STEP_THINK:
        x->state = X_ATTEMPT;
        return (struct txn_action){.what = TXN_WAIT, .wait_us = s.think_us};
    default:
        return attempt_over(x, s.result, now_us);
    }
}

static struct txn_action begin_attempt(struct txn *x, int64_t now_us)
{
    const struct txn_policy *p = x->p;
    bool inject = p->inject_retry > 0 && rng_unit(x->jitter) < p->inject_retry;
    attempt_begin(&x->attempt, x->spec, x->t, p->protocol == PROTOCOL_SAVEPOINT, inject);
    return from_step(x, attempt_next(&x->attempt, NULL, x->err), now_us);
}

/* An attempt has ended: finish, reconnect, give up, or unwind and back off. */
/* A non-contention error, by SQLSTATE, with its first message. */
static void note_error(struct txn_outcome *o, const struct db_error *err)
{
    for (int i = 0; i < o->n_noted; i++) {
        if (strcmp(o->noted[i].sqlstate, err->sqlstate) == 0) {
            o->noted[i].count++;
            return;
        }
    }
    if (o->n_noted == TXN_NOTED) {
        o->noted[TXN_NOTED - 1].count++;
        return;
    }
    struct errlog_entry *e = &o->noted[o->n_noted++];
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", err->sqlstate);
    e->cls = err->cls;
    e->count = 1;
    errlog_copy_message(e->message, err->message);
}

static struct txn_action attempt_over(struct txn *x, enum transfer_result r, int64_t now_us)
{
    const struct txn_policy *p = x->p;
    struct txn_outcome *o = x->o;
    if (x->attempt_no < TXN_ATTEMPTS_KEPT)
        o->attempt_us[x->attempt_no] = now_us - x->attempt_start_us;
    o->attempts++;
    if (r == TRANSFER_COMMITTED) {
        o->end = TXN_COMMITTED;
        o->latency_us = now_us - x->start_us;
        if (x->attempt_no == 0 && p->budget) budget_refund(p->budget);
        return finished(x);
    }
    if (r == TRANSFER_INSUFFICIENT) {
        o->end = TXN_INSUFFICIENT;
        return finished(x);
    }

    enum error_class cls = x->err->cls;
    bool retries_left = x->attempt_no < (unsigned)p->max_retries && !stopping(p);
    o->errors_by_class[cls]++;
    if (errlog_wants(cls)) note_error(o, x->err);
    if (cls == ERR_CONNECTION && p->reconnect && retries_left) {
        x->attempt.in_txn = false; /* the server rolled it back with the session */
        x->state = X_RECONNECT;
        return (struct txn_action){.what = TXN_RECONNECT};
    }
    bool give_up = !classify_is_retryable(&p->retry_on, cls) || !retries_left;
    if (!give_up && p->budget && !budget_take(p->budget)) {
        give_up = true;
        o->budget_denied = true;
    }
    if (give_up) {
        o->end = cls == ERR_AMBIGUOUS ? TXN_AMBIGUOUS : TXN_FAILED;
        if (!x->attempt.in_txn) return finished(x);
        x->attempt.in_txn = false;
        return send(x, X_GIVE_UP, STMT_ROLLBACK);
    }
    /* Locks go before the backoff, so others can use the time. */
    if (!x->attempt.in_txn) return back_off(x);
    if (cls == ERR_SERIALIZATION && !x->dialect->savepoint_release_commits) {
        x->attempt.in_txn = false;
        return send(x, X_UNWIND_ROLLBACK, STMT_ROLLBACK);
    }
    return send(x, X_UNWIND_TO, STMT_ROLLBACK_TO);
}

struct txn_action txn_start(struct txn *x, const struct txn_policy *p, const struct txn_spec *spec,
                            const struct transfer *t, const struct dialect *dialect,
                            struct rng *jitter,
                            struct txn_outcome *o, struct db_error *err, int64_t now_us)
{
    /* The per-attempt arrays are written before they are read; zeroing them
     * would cost a kilobyte of stores per transaction. */
    memset(o, 0, offsetof(struct txn_outcome, attempt_us));
    *x = (struct txn){.p = p,
                      .spec = spec,
                      .t = t,
                      .jitter = jitter,
                      .dialect = dialect,
                      .o = o,
                      .err = err,
                      .start_us = now_us,
                      .attempt_start_us = now_us};
    return begin_attempt(x, now_us);
}

struct txn_action txn_reply(struct txn *x, const struct stmt_reply *r, int64_t now_us)
{
    switch (x->state) {
    case X_ATTEMPT:
        return from_step(x, attempt_next(&x->attempt, r, x->err), now_us);
    case X_UNWIND_TO:
        if (r->ok) {
            x->o->retries_in_place++;
            return back_off(x);
        }
        x->attempt.in_txn = false;
        if (r->txn_open) return send(x, X_UNWIND_ROLLBACK, STMT_ROLLBACK);
        return back_off(x);
    case X_UNWIND_ROLLBACK:
        return back_off(x);
    default: /* X_GIVE_UP: whatever ROLLBACK said, the outcome stands */
        return finished(x);
    }
}

struct txn_action txn_resume(struct txn *x, int64_t now_us)
{
    if (x->state == X_ATTEMPT) return from_step(x, attempt_next(&x->attempt, NULL, x->err), now_us);
    /* X_BACKOFF cut short by a stop: the transaction gives up, as it would
     * had the stop come before the error; the retry it was waiting for is
     * not made, so it is not counted. */
    if (stopping(x->p)) {
        struct txn_outcome *o = x->o;
        enum error_class cls = x->err->cls;
        o->retries--;
        o->retries_by_class[cls]--;
        if (cls == ERR_SERIALIZATION) o->retries_by_reason[x->err->reason]--;
        o->end = TXN_FAILED;
        if (!x->attempt.in_txn) return finished(x);
        x->attempt.in_txn = false;
        return send(x, X_GIVE_UP, STMT_ROLLBACK);
    }
    /* X_BACKOFF: the next attempt. */
    x->attempt_start_us = now_us;
    x->attempt_no++;
    return begin_attempt(x, now_us);
}

struct txn_action txn_reconnected(struct txn *x, bool ok, int64_t now_us)
{
    if (!ok) {
        x->o->end = TXN_FAILED;
        return finished(x);
    }
    x->attempt_start_us = now_us;
    x->attempt_no++;
    x->o->retries++;
    x->o->retries_by_class[ERR_CONNECTION]++;
    return begin_attempt(x, now_us);
}
