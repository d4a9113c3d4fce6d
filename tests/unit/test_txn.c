/* The transfer's statements and the retry loop, driven against a scripted
 * server: which statements go out, in which round trips, and what the
 * outcome counts. */
#include "txstorm/txn.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <string.h>

/* One scripted answer: the statement kind it is for (checked), and how it fails. */
struct answer {
    enum stmt_kind kind;
    const char *sqlstate; /* NULL: success */
    enum error_class cls;
    int64_t rows;
    int n_ok; /* statements of the round trip that succeeded; -1: all of them */
};

static const char *const kind_names[] = {
    [STMT_BEGIN] = "BEGIN",
    [STMT_SAVEPOINT] = "SAVEPOINT",
    [STMT_INJECT] = "INJECT",
    [STMT_READ] = "READ",
    [STMT_READ_FOR_UPDATE] = "READ_FOR_UPDATE",
    [STMT_ADD] = "ADD",
    [STMT_SET] = "SET",
    [STMT_LEDGER] = "LEDGER",
    [STMT_SINGLE] = "SINGLE",
    [STMT_PIPELINED] = "PIPELINED",
    [STMT_RELEASE] = "RELEASE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK_TO] = "ROLLBACK_TO",
    [STMT_ROLLBACK] = "ROLLBACK",
};

struct bench {
    struct txn_policy policy;
    struct txn_spec spec;
    struct transfer t;
    struct rng jitter;
    struct txn_outcome o;
    struct db_error err;
    int64_t balance, to_balance; /* what reads return */
    char log[1024];              /* "BEGIN+READ ADD ..." */
    int64_t set_values[4];
    int n_sets;
    int64_t now_us;
    atomic_bool *stop_on_backoff;  /* set when a backoff begins: a stop during it */
    const struct dialect *dialect; /* the server's (PostgreSQL unless set) */
};

static void bench_init(struct bench *b)
{
    memset(b, 0, sizeof *b);
    b->policy = (struct txn_policy){
        .protocol = PROTOCOL_RESTART,
        .retry_on = classify_default_retry_set(),
        .max_retries = 5,
        .backoff = {.policy = BACKOFF_CONSTANT, .base_us = 1000, .cap_us = 1000}};
    b->spec = (struct txn_spec){.shape = SHAPE_INTERACTIVE, .isolation = ISO_SERIALIZABLE};
    b->t = (struct transfer){.from = 3, .to = 7, .amount = 40};
    rng_seed(&b->jitter, 1, 0);
    b->balance = b->to_balance = 100;
    b->now_us = 1000000;
    b->dialect = dialect_of(DIALECT_POSTGRESQL);
}

static void log_stmt(struct bench *b, const struct stmt *s)
{
    char one[64] = "";
    if (s->prefix & STMT_WITH_BEGIN) strcat(one, "BEGIN+");
    if (s->prefix & STMT_WITH_SAVEPOINT) strcat(one, "SAVEPOINT+");
    if (s->prefix & STMT_WITH_INJECT) strcat(one, "INJECT+");
    strcat(one, kind_names[s->kind]);
    if (b->log[0]) strcat(b->log, " ");
    strcat(b->log, one);
}

/* Runs the transfer to its end: each statement takes 100 us, each answer
 * comes from the script in order (statements past its end succeed). */
static void drive(struct bench *b, const struct answer *script, int n_script, bool reconnect_ok)
{
    int next = 0;
    struct txn x;
    struct txn_action act = txn_start(&x, &b->policy, &b->spec, &b->t, b->dialect, &b->jitter,
                                      &b->o, &b->err, b->now_us);
    for (int steps = 0; act.what != TXN_DONE; steps++) {
        assert_true(steps < 200);
        if (act.what == TXN_WAIT) {
            if (b->log[0]) strcat(b->log, " ");
            strcat(b->log, act.backoff ? "~b" : "~"); /* a backoff, or a think pause */
            if (act.backoff && b->stop_on_backoff) atomic_store(b->stop_on_backoff, true);
            b->now_us += act.wait_us;
            act = txn_resume(&x, b->now_us);
            continue;
        }
        if (act.what == TXN_RECONNECT) {
            strcat(b->log, " RECONNECT");
            act = txn_reconnected(&x, reconnect_ok, b->now_us);
            continue;
        }
        log_stmt(b, &act.stmt);
        b->now_us += 100;
        struct stmt_reply r = {.ok = true, .txn_open = true, .rows = 1};
        const struct answer *a = next < n_script ? &script[next] : NULL;
        if (a && a->kind == act.stmt.kind) {
            next++;
            r.rows = a->rows;
            r.n_ok = a->n_ok;
            if (a->sqlstate) {
                r.ok = false;
                r.err.cls = a->cls;
                snprintf(r.err.sqlstate, sizeof r.err.sqlstate, "%s", a->sqlstate);
                snprintf(r.err.message, sizeof r.err.message, "scripted %s", a->sqlstate);
                /* A lost connection takes its transaction with it. */
                if (a->cls == ERR_CONNECTION || a->cls == ERR_AMBIGUOUS) r.txn_open = false;
            }
        }
        /* COMMIT and ROLLBACK end the transaction; SINGLE is one of its own. */
        if (act.stmt.kind == STMT_COMMIT || act.stmt.kind == STMT_ROLLBACK ||
            act.stmt.kind == STMT_SINGLE)
            r.txn_open = false;
        if (r.ok && act.stmt.kind == STMT_READ) {
            r.n_read = 1;
            r.balance[0] = act.stmt.account == b->t.from ? b->balance : b->to_balance;
        }
        if (r.ok && act.stmt.kind == STMT_READ_FOR_UPDATE) {
            r.n_read = 2;
            r.id[0] = b->t.from < b->t.to ? b->t.from : b->t.to;
            r.id[1] = b->t.from < b->t.to ? b->t.to : b->t.from;
            r.balance[0] = r.id[0] == b->t.from ? b->balance : b->to_balance;
            r.balance[1] = r.id[1] == b->t.from ? b->balance : b->to_balance;
        }
        if (act.stmt.kind == STMT_SET && b->n_sets < 4) b->set_values[b->n_sets++] = act.stmt.value;
        if (r.ok) r.n_ok = 4;
        act = txn_reply(&x, &r, b->now_us);
    }
    assert_int_equal(next, n_script); /* every scripted answer was asked for */
}

static void interactive_commits_in_four_round_trips(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "BEGIN+READ ADD ADD COMMIT");
    assert_int_equal(b.o.end, TXN_COMMITTED);
    assert_int_equal(b.o.attempts, 1);
    assert_int_equal(b.o.retries, 0);
    assert_int_equal(b.o.latency_us, 400);
}

static void short_funds_commit_without_writes(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.balance = 39;
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "BEGIN+READ COMMIT");
    assert_int_equal(b.o.end, TXN_INSUFFICIENT);
}

static void serialization_failure_rolls_back_and_retries_after_backoff(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    const struct answer script[] = {{STMT_ADD, "40001", ERR_SERIALIZATION, 0, 1}};
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+READ ADD ROLLBACK ~b BEGIN+READ ADD ADD COMMIT");
    assert_int_equal(b.o.end, TXN_COMMITTED);
    assert_int_equal(b.o.attempts, 2);
    assert_int_equal(b.o.retries, 1);
    assert_int_equal(b.o.retries_by_class[ERR_SERIALIZATION], 1);
    assert_int_equal(b.o.sleeps, 1);
    assert_int_equal(b.o.backoff_us, 1000);
    /* The latency spans both attempts and the backoff between them. */
    assert_int_equal(b.o.latency_us, 300 + 1000 + 400);
    assert_int_equal(b.o.attempt_us[0], 300);
    assert_int_equal(b.o.attempt_us[1], 400);
}

static void savepoint_protocol_retries_a_deadlock_in_place(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    const struct answer script[] = {{STMT_ADD, "40P01", ERR_DEADLOCK, 0, 0}};
    drive(&b, script, 1, false);
    assert_string_equal(b.log,
                        "BEGIN+SAVEPOINT+READ ADD ROLLBACK_TO ~b READ ADD ADD RELEASE COMMIT");
    assert_int_equal(b.o.end, TXN_COMMITTED);
    assert_int_equal(b.o.retries_in_place, 1);
}

static void savepoint_protocol_restarts_a_postgres_serialization_failure(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    const struct answer script[] = {{STMT_READ, "40001", ERR_SERIALIZATION, 0, 2}};
    drive(&b, script, 1, false);
    /* BEGIN and SAVEPOINT succeeded (n_ok 2): the transaction is open, and
     * PostgreSQL cannot move its snapshot, so it is rolled back whole. */
    assert_string_equal(
        b.log, "BEGIN+SAVEPOINT+READ ROLLBACK ~b BEGIN+SAVEPOINT+READ ADD ADD RELEASE COMMIT");
    assert_int_equal(b.o.retries_in_place, 0);
    assert_int_equal(b.o.end, TXN_COMMITTED);
}

/* CockroachDB retries a serialization failure inside the savepoint (its
 * dialect's row says so): ROLLBACK TO, not a restart. */
static void savepoint_protocol_retries_a_cockroach_serialization_failure_in_place(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    b.dialect = dialect_of(DIALECT_COCKROACHDB);
    const struct answer script[] = {{STMT_READ, "40001", ERR_SERIALIZATION, 0, 2}};
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+SAVEPOINT+READ ROLLBACK_TO ~b READ ADD ADD RELEASE COMMIT");
    assert_int_equal(b.o.retries_in_place, 1);
    assert_int_equal(b.o.end, TXN_COMMITTED);
}

static void failed_savepoint_rolls_back_the_begin(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    const struct answer script[] = {{STMT_READ, "42601", ERR_OTHER, 0, 1}};
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+SAVEPOINT+READ ROLLBACK");
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.o.errors_by_class[ERR_OTHER], 1);
}

/* Only BEGIN succeeded (n_ok 1): there is no savepoint to go back to, so a
 * deadlock there is retried from the start, not in place. */
static void no_savepoint_no_retry_in_place(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    const struct answer script[] = {{STMT_READ, "40P01", ERR_DEADLOCK, 0, 1}};
    drive(&b, script, 1, false);
    assert_string_equal(
        b.log, "BEGIN+SAVEPOINT+READ ROLLBACK ~b BEGIN+SAVEPOINT+READ ADD ADD RELEASE COMMIT");
    assert_int_equal(b.o.retries_in_place, 0);
    assert_int_equal(b.o.end, TXN_COMMITTED);
}

static void absolute_writes_store_the_computed_balances(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.spec.write_mode = WRITE_ABSOLUTE;
    b.spec.lock_order = LOCK_TRANSFER_ORDER;
    b.to_balance = 500;
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "BEGIN+READ READ SET SET COMMIT");
    assert_int_equal(b.n_sets, 2);
    assert_int_equal(b.set_values[0], 100 - 40); /* the debit first: transfer order */
    assert_int_equal(b.set_values[1], 500 + 40);

    bench_init(&b);
    b.spec.shape = SHAPE_FOR_UPDATE;
    b.spec.write_mode = WRITE_ABSOLUTE;
    b.spec.lock_order = LOCK_ID_ORDER;
    b.t = (struct transfer){.from = 9, .to = 2, .amount = 40}; /* id order: credit first */
    b.to_balance = 500;
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "BEGIN+READ_FOR_UPDATE SET SET COMMIT");
    assert_int_equal(b.set_values[0], 500 + 40);
    assert_int_equal(b.set_values[1], 100 - 40);
}

static void missing_account_is_an_error_of_its_own(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    const struct answer script[] = {{STMT_ADD, NULL, ERR_OTHER, 0, 1}}; /* 0 rows changed */
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+READ ADD ROLLBACK");
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.err.cls, ERR_OTHER);
    assert_non_null(strstr(b.err.message, "is missing"));
}

static void think_time_pauses_between_statements(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.spec.think_us = 5000;
    b.spec.ledger = true;
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "BEGIN+READ ~ ADD ~ ADD ~ LEDGER COMMIT");
    assert_int_equal(b.o.latency_us, 5 * 100 + 3 * 5000);
    assert_int_equal(b.o.sleeps, 0); /* think time is not backoff */
}

static void lost_connection_reconnects_then_retries(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.reconnect = true;
    const struct answer script[] = {{STMT_ADD, "08006", ERR_CONNECTION, 0, 0}};
    drive(&b, script, 1, true);
    assert_string_equal(b.log, "BEGIN+READ ADD RECONNECT BEGIN+READ ADD ADD COMMIT");
    assert_int_equal(b.o.end, TXN_COMMITTED);
    assert_int_equal(b.o.retries_by_class[ERR_CONNECTION], 1);
    assert_int_equal(b.o.sleeps, 0);

    bench_init(&b);
    b.policy.reconnect = true;
    drive(&b, script, 1, false);
    assert_int_equal(b.o.end, TXN_FAILED);
}

static void ambiguous_commit_is_never_retried(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    const struct answer script[] = {{STMT_COMMIT, "08006", ERR_AMBIGUOUS, 0, 0}};
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+READ ADD ADD COMMIT");
    assert_int_equal(b.o.end, TXN_AMBIGUOUS);
}

static void gives_up_after_max_retries_or_once_stopped(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.policy.max_retries = 2;
    const struct answer script[] = {{STMT_READ, "40001", ERR_SERIALIZATION, 0, 1},
                                    {STMT_READ, "40001", ERR_SERIALIZATION, 0, 1},
                                    {STMT_READ, "40001", ERR_SERIALIZATION, 0, 1}};
    drive(&b, script, 3, false);
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.o.attempts, 3);
    assert_int_equal(b.o.retries, 2);

    atomic_bool stop = true;
    bench_init(&b);
    b.policy.stop = &stop;
    drive(&b, script, 1, false);
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.o.attempts, 1);

    /* A stop while waiting to retry: no further attempt, no retry counted. */
    atomic_bool later = false;
    bench_init(&b);
    b.policy.stop = &later;
    b.stop_on_backoff = &later;
    drive(&b, script, 1, false);
    assert_string_equal(b.log, "BEGIN+READ ROLLBACK ~b"); /* and nothing after */
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.o.attempts, 1);
    assert_int_equal(b.o.retries, 0);
    assert_int_equal(b.o.retries_by_class[ERR_SERIALIZATION], 0);

    /* ... and inside a transaction (savepoint protocol), it rolls back first. */
    const struct answer deadlock[] = {{STMT_ADD, "40P01", ERR_DEADLOCK, 0, 1}};
    later = false;
    bench_init(&b);
    b.policy.stop = &later;
    b.stop_on_backoff = &later;
    b.policy.protocol = PROTOCOL_SAVEPOINT;
    drive(&b, deadlock, 1, false);
    assert_int_equal(b.o.end, TXN_FAILED);
    assert_int_equal(b.o.retries, 0);
    assert_non_null(strstr(b.log, "ROLLBACK_TO ~b ROLLBACK"));
}

static void one_statement_shapes_carry_the_injection(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    b.spec.shape = SHAPE_SINGLE;
    b.policy.inject_retry = 1.0;
    b.policy.max_retries = 0;
    const struct answer single[] = {{STMT_SINGLE, "40001", ERR_SERIALIZATION, 0, 0}};
    drive(&b, single, 1, false);
    assert_string_equal(b.log, "INJECT+SINGLE");
    assert_int_equal(b.o.end, TXN_FAILED);

    bench_init(&b);
    b.spec.shape = SHAPE_SINGLE;
    const struct answer short_funds[] = {{STMT_SINGLE, NULL, ERR_OTHER, 0, 1}};
    drive(&b, short_funds, 1, false);
    assert_int_equal(b.o.end, TXN_INSUFFICIENT);

    bench_init(&b);
    b.spec.shape = SHAPE_PIPELINED;
    drive(&b, NULL, 0, false);
    assert_string_equal(b.log, "PIPELINED");
    assert_int_equal(b.o.end, TXN_COMMITTED);
}

/* A lost connection leaves the outcome unknown only where a commit can happen. */
static void commit_points(void **state)
{
    (void)state;
    const struct dialect *pg = dialect_of(DIALECT_POSTGRESQL),
                         *crdb = dialect_of(DIALECT_COCKROACHDB);
    assert_true(stmt_is_commit_point(&(struct stmt){.kind = STMT_COMMIT}, pg));
    assert_true(stmt_is_commit_point(&(struct stmt){.kind = STMT_SINGLE}, pg));
    assert_true(stmt_is_commit_point(&(struct stmt){.kind = STMT_PIPELINED}, pg));
    assert_false(stmt_is_commit_point(&(struct stmt){.kind = STMT_RELEASE}, pg));
    assert_true(stmt_is_commit_point(&(struct stmt){.kind = STMT_RELEASE}, crdb));
    assert_false(
        stmt_is_commit_point(&(struct stmt){.kind = STMT_READ, .prefix = STMT_WITH_BEGIN}, crdb));
    /* An injected error aborts what follows it: nothing can commit. */
    assert_false(
        stmt_is_commit_point(&(struct stmt){.kind = STMT_SINGLE, .prefix = STMT_WITH_INJECT}, pg));
    assert_false(stmt_is_commit_point(&(struct stmt){.kind = STMT_PIPELINED, .value = 1}, pg));
}

/* Which server it is, from what it says of itself at connect. */
static void dialects_are_detected(void **state)
{
    (void)state;
    assert_int_equal(dialect_detect(NULL, "15.18 (Debian 15.18-0+deb12u1)")->kind,
                     DIALECT_POSTGRESQL);
    assert_int_equal(dialect_detect("CockroachDB CCL v23.1.11", "13.0.0")->kind,
                     DIALECT_COCKROACHDB);
    assert_int_equal(dialect_detect(NULL, "11.2-YB-2.20.1.0-b0")->kind, DIALECT_YUGABYTEDB);
    assert_int_equal(dialect_detect(NULL, NULL)->kind, DIALECT_POSTGRESQL);
    assert_string_equal(dialect_of(DIALECT_YUGABYTEDB)->name, "yugabytedb");
    assert_int_equal(dialect_of(DIALECT_COCKROACHDB)->advisory_locks, ADVISORY_NO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interactive_commits_in_four_round_trips),
        cmocka_unit_test(short_funds_commit_without_writes),
        cmocka_unit_test(serialization_failure_rolls_back_and_retries_after_backoff),
        cmocka_unit_test(savepoint_protocol_retries_a_deadlock_in_place),
        cmocka_unit_test(savepoint_protocol_restarts_a_postgres_serialization_failure),
        cmocka_unit_test(failed_savepoint_rolls_back_the_begin),
        cmocka_unit_test(no_savepoint_no_retry_in_place),
        cmocka_unit_test(absolute_writes_store_the_computed_balances),
        cmocka_unit_test(missing_account_is_an_error_of_its_own),
        cmocka_unit_test(think_time_pauses_between_statements),
        cmocka_unit_test(lost_connection_reconnects_then_retries),
        cmocka_unit_test(ambiguous_commit_is_never_retried),
        cmocka_unit_test(gives_up_after_max_retries_or_once_stopped),
        cmocka_unit_test(one_statement_shapes_carry_the_injection),
        cmocka_unit_test(commit_points),
        cmocka_unit_test(dialects_are_detected),
        cmocka_unit_test(savepoint_protocol_retries_a_cockroach_serialization_failure_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
