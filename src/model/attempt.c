/* The statements of one attempt at a transfer, step by step. Pure. */
#include "txstorm/attempt.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Where the attempt stands: mostly "waiting for the reply to X". */
enum {
    PC_START,
    PC_READ,    /* READ(from) or READ_FOR_UPDATE */
    PC_READ_TO, /* READ(to), absolute writes only */
    PC_WROTE_FIRST,
    PC_WROTE_SECOND,
    PC_LEDGER,
    PC_RELEASED,
    PC_COMMITTED,
    PC_SINGLE,
    PC_PIPELINED,
    PC_ROLLED_BACK,
    PC_PENDING, /* a think pause is over: send a->pending */
};

void attempt_begin(struct attempt *a, const struct txn_spec *spec, const struct transfer *t,
                   bool savepoint, bool inject)
{
    a->spec = spec;
    a->t = t;
    a->savepoint = savepoint;
    a->inject = inject;
    a->pc = PC_START;
    a->opening = false;
    a->result = TRANSFER_COMMITTED;
    a->balance = a->to_balance = a->amount = 0;
    a->debit_first = spec->lock_order == LOCK_TRANSFER_ORDER || t->from < t->to;
}

static struct attempt_step send(struct attempt *a, enum stmt_kind kind, int64_t account,
                                int64_t value, int next_pc)
{
    a->pc = next_pc;
    if (kind == STMT_COMMIT) a->in_txn = false; /* COMMIT ends it, whatever it answers */
    return (struct attempt_step){.what = STEP_SEND,
                                 .stmt = {.kind = kind, .account = account, .value = value}};
}

/* Sends a statement after the think pause, or at once without one. */
static struct attempt_step think_then_send(struct attempt *a, enum stmt_kind kind, int64_t account,
                                           int64_t value, int next_pc)
{
    if (a->spec->think_us <= 0) return send(a, kind, account, value, next_pc);
    a->pending = (struct stmt){.kind = kind, .account = account, .value = value};
    a->after_pending = next_pc;
    a->pc = PC_PENDING;
    return (struct attempt_step){.what = STEP_THINK, .think_us = a->spec->think_us};
}

static struct attempt_step done(enum transfer_result result)
{
    return (struct attempt_step){.what = STEP_DONE, .result = result};
}

/* The attempt failed (err is set): roll back what is open, except that the
 * savepoint protocol leaves its transaction for the retry loop to unwind. */
static struct attempt_step fail(struct attempt *a, const struct stmt_reply *r,
                                enum transfer_result result)
{
    if (a->savepoint && a->in_txn) return done(result);
    if (!r->txn_open) return done(result);
    a->result = result;
    return send(a, STMT_ROLLBACK, 0, 0, PC_ROLLED_BACK);
}

/* A reply the server was happy with that still makes no sense for a bank. */
static struct attempt_step fail_own(struct attempt *a, const struct stmt_reply *r,
                                    struct db_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct attempt_step fail_own(struct attempt *a, const struct stmt_reply *r,
                                    struct db_error *err, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->cls = ERR_OTHER;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return fail(a, r, TRANSFER_ERROR);
}

static struct attempt_step write_step(struct attempt *a, int i, int next_pc)
{
    bool debit = (i == 0) == a->debit_first;
    int64_t id = debit ? a->t->from : a->t->to;
    if (a->spec->write_mode == WRITE_ABSOLUTE)
        return think_then_send(a, STMT_SET, id,
                               debit ? a->balance - a->amount : a->to_balance + a->amount, next_pc);
    return think_then_send(a, STMT_ADD, id, debit ? -a->amount : a->amount, next_pc);
}

static int64_t write_account(const struct attempt *a, int i)
{
    return ((i == 0) == a->debit_first) ? a->t->from : a->t->to;
}

/* The end of the statements: RELEASE then COMMIT, or COMMIT. */
static struct attempt_step finish(struct attempt *a, bool think)
{
    enum stmt_kind kind = a->savepoint ? STMT_RELEASE : STMT_COMMIT;
    int next_pc = a->savepoint ? PC_RELEASED : PC_COMMITTED;
    return think ? think_then_send(a, kind, 0, 0, next_pc) : send(a, kind, 0, 0, next_pc);
}

/* With both balances known: the amount, or the end for short funds. An
 * insufficient transfer wrote nothing, but under SSI even ending a read-only
 * transaction can fail, so it commits like any other. */
static struct attempt_step after_reads(struct attempt *a)
{
    a->amount = a->t->fraction > 0 ? (int64_t)((double)a->balance * a->t->fraction) : a->t->amount;
    if (a->amount <= 0 || a->balance < a->amount) {
        a->result = TRANSFER_INSUFFICIENT;
        return finish(a, false);
    }
    return write_step(a, 0, PC_WROTE_FIRST);
}

static struct attempt_step reads(struct attempt *a)
{
    if (a->spec->shape == SHAPE_FOR_UPDATE)
        return send(a, STMT_READ_FOR_UPDATE, a->t->from, a->t->to, PC_READ);
    return send(a, STMT_READ, a->t->from, 0, PC_READ);
}

/* The first statement of an attempt carries what must run before it, in
 * the same round trip: BEGIN (and SAVEPOINT) and the injected error. */
static struct attempt_step with_prefix(struct attempt_step s, unsigned prefix)
{
    s.stmt.prefix = prefix;
    return s;
}

static struct attempt_step first_statement(struct attempt *a)
{
    unsigned prefix = a->inject ? STMT_WITH_INJECT : 0;
    if (a->spec->shape == SHAPE_SINGLE)
        return with_prefix(send(a, STMT_SINGLE, 0, 0, PC_SINGLE), prefix);
    /* The pipelined transaction carries its own BEGIN and injection (value 1). */
    if (a->spec->shape == SHAPE_PIPELINED)
        return send(a, STMT_PIPELINED, 0, a->inject, PC_PIPELINED);
    if (!(a->savepoint && a->in_txn))
        prefix |= STMT_WITH_BEGIN | (a->savepoint ? STMT_WITH_SAVEPOINT : 0);
    a->opening = a->savepoint && !a->in_txn;
    return with_prefix(reads(a), prefix);
}

static struct attempt_step missing_pair(struct attempt *a, const struct stmt_reply *r,
                                        struct db_error *err)
{
    return fail_own(a, r, err, "account %" PRId64 " or %" PRId64 " is missing", a->t->from,
                    a->t->to);
}

/* The reply to the first read: from's balance, and to's when both rows
 * were locked at once; an absolute write reads to's next if it must. */
static struct attempt_step read_reply(struct attempt *a, const struct stmt_reply *r,
                                      struct db_error *err)
{
    const struct transfer *t = a->t;
    bool absolute = a->spec->write_mode == WRITE_ABSOLUTE;
    if (a->spec->shape != SHAPE_FOR_UPDATE) {
        if (r->n_read != 1) return missing_pair(a, r, err);
        a->balance = r->balance[0];
        if (absolute) return think_then_send(a, STMT_READ, t->to, 0, PC_READ_TO);
        return after_reads(a);
    }
    int found = 0;
    for (int i = 0; i < r->n_read; i++) {
        if (r->id[i] == t->from) {
            a->balance = r->balance[i];
            found++;
        } else if (r->id[i] == t->to && absolute) {
            a->to_balance = r->balance[i];
            found++;
        }
    }
    if (found != (absolute ? 2 : 1)) return missing_pair(a, r, err);
    return after_reads(a);
}

struct attempt_step attempt_next(struct attempt *a, const struct stmt_reply *r,
                                 struct db_error *err)
{
    if (a->pc == PC_PENDING) {
        struct stmt s = a->pending;
        return send(a, s.kind, s.account, s.value, a->after_pending);
    }
    /* A failed ROLLBACK changes nothing: the attempt already has its end. */
    if (a->pc == PC_ROLLED_BACK) return done(a->result);
    /* BEGIN and SAVEPOINT both succeeded: whatever failed after them, the
     * transaction is there for a retry in place. */
    if (a->opening && r) {
        a->opening = false;
        a->in_txn = r->n_ok >= 2;
    }
    if (r && !r->ok) {
        if (r->insufficient) return fail(a, r, TRANSFER_INSUFFICIENT);
        *err = r->err;
        return fail(a, r, TRANSFER_ERROR);
    }
    switch (a->pc) {
    case PC_START:
        return first_statement(a);
    case PC_READ:
        return read_reply(a, r, err);
    case PC_READ_TO:
        if (r->n_read != 1) return missing_pair(a, r, err);
        a->to_balance = r->balance[0];
        return after_reads(a);
    case PC_WROTE_FIRST:
    case PC_WROTE_SECOND: {
        int i = a->pc == PC_WROTE_FIRST ? 0 : 1;
        if (r->rows != 1)
            return fail_own(a, r, err, "account %" PRId64 " is missing", write_account(a, i));
        if (i == 0) return write_step(a, 1, PC_WROTE_SECOND);
        if (a->spec->ledger) return think_then_send(a, STMT_LEDGER, 0, a->amount, PC_LEDGER);
        return finish(a, true);
    }
    case PC_LEDGER:
        return finish(a, false);
    case PC_RELEASED:
        return send(a, STMT_COMMIT, 0, 0, PC_COMMITTED);
    case PC_COMMITTED:
        return done(a->result);
    case PC_SINGLE:
        /* Rows updated: 2, or 0 for short funds; with the ledger, rows inserted: 1 or 0. */
        if (r->rows == 0) return done(TRANSFER_INSUFFICIENT);
        if (r->rows == (a->spec->ledger ? 1 : 2)) return done(TRANSFER_COMMITTED);
        return fail_own(a, r, err,
                        "transfer updated %" PRId64 " rows, not 2: the bank is malformed", r->rows);
    case PC_PIPELINED:
        return done(TRANSFER_COMMITTED);
    default:
        return done(TRANSFER_ERROR);
    }
}
