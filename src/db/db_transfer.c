/* The transfer's statements on the wire: preparing them, sending one, and
 * folding its results into a reply. All libpq. */
#include "txstorm/db_transfer.h"
#include "db_internal.h"
#include "txstorm/clock.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes the server raise a retryable error inside the current attempt. A DO
 * block works on PostgreSQL and on CockroachDB (PL/pgSQL, v23.2 on). */
static const char inject_sql[] =
    "DO $$BEGIN RAISE EXCEPTION '" CLASSIFY_INJECTED_MESSAGE "' USING ERRCODE = '40001'; END$$";

static const char *const table_names[] = {
    [BANK_ACCOUNTS] = "accounts",
    [BANK_DEMO] = "txstorm_demo_accounts",
};

static const char *const begin_sql[] = {
    [ISO_SERIALIZABLE] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
    [ISO_REPEATABLE_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
    [ISO_READ_COMMITTED] = "BEGIN ISOLATION LEVEL READ COMMITTED",
};

static const char *const session_isolation_sql[] = {
    [ISO_SERIALIZABLE] = "SET default_transaction_isolation TO 'serializable'",
    [ISO_REPEATABLE_READ] = "SET default_transaction_isolation TO 'repeatable read'",
    [ISO_READ_COMMITTED] = "SET default_transaction_isolation TO 'read committed'",
};

/* Statement texts; %s is the table. The guarded debit divides by zero when the
 * funds are short, which aborts a pipelined transaction that cannot ask first.
 * The names are the prepared statements' (--query-mode prepared). */
enum statement_id {
    S_READ,
    S_READ_FOR_UPDATE,
    S_ADD,
    S_DEBIT_GUARDED,
    S_SINGLE,
    S_SINGLE_LEDGER,
    S_SET,
    S_COMMIT,
    S_LEDGER,
    S_COUNT
};
static const struct {
    const char *name;
    const char *sql;
} statements[S_COUNT] = {
    [S_READ] = {"txstorm_read", "SELECT balance FROM %s WHERE id = $1"},
    [S_READ_FOR_UPDATE] =
        {"txstorm_read_for_update",
         "SELECT id, balance FROM %s WHERE id IN ($1, $2) ORDER BY id FOR UPDATE"},
    [S_ADD] = {"txstorm_add", "UPDATE %s SET balance = balance + $2 WHERE id = $1"},
    [S_DEBIT_GUARDED] = {"txstorm_debit_guarded",
                         "UPDATE %s SET balance = balance - $2 WHERE id = $1 "
                         "AND 1 / (CASE WHEN balance >= $2 THEN 1 ELSE 0 END) = 1"},
    [S_SINGLE] =
        {"txstorm_single",
         "UPDATE %1$s AS a SET balance = a.balance + CASE WHEN a.id = $1 THEN -t.amt ELSE t.amt "
         "END "
         "FROM (SELECT balance AS src, CASE WHEN $4::float8 > 0 "
         "THEN floor(balance * $4::float8)::bigint ELSE $3::bigint END AS amt "
         "FROM %1$s WHERE id = $1) AS t "
         "WHERE a.id IN ($1, $2) AND t.amt > 0 AND t.src >= t.amt"},
    /* The same, writing its ledger row only when both accounts moved. */
    [S_SINGLE_LEDGER] =
        {"txstorm_single_ledger",
         "WITH t AS (SELECT balance AS src, CASE WHEN $4::float8 > 0 "
         "THEN floor(balance * $4::float8)::bigint ELSE $3::bigint END AS amt "
         "FROM %1$s WHERE id = $1), "
         "moved AS (UPDATE %1$s AS a SET balance = a.balance + "
         "CASE WHEN a.id = $1 THEN -t.amt ELSE t.amt END FROM t "
         "WHERE a.id IN ($1, $2) AND t.amt > 0 AND t.src >= t.amt RETURNING t.amt) "
         "INSERT INTO transfers (run_id, transfer_id, from_id, to_id, amount, worker, "
         "attempt_started_at) SELECT $5, $6, $1, $2, max(amt), $7, now() FROM moved "
         "HAVING count(*) = 2"},
    [S_SET] = {"txstorm_set", "UPDATE %s SET balance = $2 WHERE id = $1"},
    [S_COMMIT] = {"txstorm_commit", "COMMIT"},
    [S_LEDGER] = {"txstorm_ledger",
                  "INSERT INTO transfers (run_id, transfer_id, from_id, to_id, amount, worker, "
                  "attempt_started_at) VALUES ($1, $2, $3, $4, $5, $6, now())"},
};

/* The texts with each table's name in, written once for every connection:
 * prepared, or sent as they are in the other query modes. */
static char statement_texts[2][S_COUNT][DB_STATEMENT_TEXT_MAX];
static pthread_once_t statement_texts_once = PTHREAD_ONCE_INIT;

static void write_statement_texts(void)
{
    for (int table = 0; table < 2; table++)
        for (int i = 0; i < S_COUNT; i++)
            snprintf(statement_texts[table][i], DB_STATEMENT_TEXT_MAX, statements[i].sql,
                     table_names[table]);
}

#define SQLSTATE_DIVISION_BY_ZERO "22012"

/* The most statements one round trip carries (the pipelined shape's, with
 * injection and ledger row: 8). */
#define FLIGHT_MAX_STATEMENTS 8

static const char *const plain_sql[] = {
    [STMT_SAVEPOINT] = "SAVEPOINT cockroach_restart",
    [STMT_INJECT] = inject_sql,
    [STMT_RELEASE] = "RELEASE SAVEPOINT cockroach_restart",
    [STMT_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT cockroach_restart",
    [STMT_ROLLBACK] = "ROLLBACK",
};

/* For the bank's own blocking work; a transfer rolls back through db_send. */
void db_rollback(struct db *db)
{
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) PQclear(PQexec(db->conn, "ROLLBACK"));
}

/* ---- preparation ---- */

/* The probe, the local steps, two SETs, every statement and BEGIN, the timeout. */
_Static_assert(1 + 2 + 2 + S_COUNT + 1 + 1 <= SETUP_MAX_STEPS, "the set-up's steps fit");

enum db_opening db_setup_start(struct db *db, enum bank_table table, const struct txn_spec *spec,
                               struct server_id *id, struct db_error *err)
{
    db_setup_reset(db, id);
    db->spec = *spec;
    db->pipeline = false;
    db->begin_sql = begin_sql[spec->isolation];
    pthread_once(&statement_texts_once, write_statement_texts);
    db->texts = statement_texts[table];
    /* Transfers write: a read-only server is the wrong place, not a failure
     * of theirs (the worker reconnects). */
    db_setup_add(db, SETUP_WRITABLE, NULL, NULL);
    db_setup_add(db, SETUP_QUERY, NULL, session_isolation_sql[spec->isolation]);
    /* The name lets an operator (or a fault test) tell the workers' sessions apart. */
    db_setup_add(db, SETUP_QUERY, NULL, "SET application_name = '" DB_WORKER_APPLICATION_NAME "'");
    /* --query-mode prepared: the statements, named, once per session; unnamed
     * statements and text are parsed afresh at each send. The demo's
     * database may have no ledger table: only what is used. */
    for (int i = 0; spec->query_mode == QUERY_PREPARED && i < S_COUNT; i++)
        if (spec->ledger || strstr(statements[i].sql, "transfers") == NULL)
            db_setup_add(db, SETUP_PREPARE, statements[i].name, db->texts[i]);
    if (spec->query_mode == QUERY_PREPARED)
        db_setup_add(db, SETUP_PREPARE, "txstorm_begin", db->begin_sql);
    /* Last, so that it bounds the transfers' statements and none of the set-up's. */
    if (spec->statement_timeout_us > 0) {
        snprintf(db->setup.timeout_sql, sizeof db->setup.timeout_sql,
                 "SET statement_timeout = %lld",
                 (long long)((spec->statement_timeout_us + 999) / 1000));
        db_setup_add(db, SETUP_QUERY, NULL, db->setup.timeout_sql);
    }
    /* Pipeline mode lets a round trip carry several statements (BEGIN with
     * the first read; the pipelined shape's whole transaction). The simple
     * protocol has none: its round trip is one text of several statements. */
    if (spec->query_mode != QUERY_SIMPLE) db_setup_add(db, SETUP_PIPELINE, NULL, NULL);
    return db_setup_advance(db, err);
}

enum db_status db_transfer_prepare(struct db *db, enum bank_table table,
                                   const struct txn_spec *spec, struct server_id *id,
                                   int64_t timeout_us, struct db_error *err)
{
    int64_t deadline_us = clock_now_us() + timeout_us;
    enum db_opening next = db_setup_start(db, table, spec, id, err);
    struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
    while (next == DB_OPEN_READ) {
        int64_t left_us = deadline_us - clock_now_us();
        if (timeout_us > 0 && left_us <= 0) {
            db_set_message(err, ERR_CONNECTION,
                           "the server let the session in but did not answer its set-up within "
                           "%.1f s",
                           (double)timeout_us / 1e6);
            return DB_FAILED;
        }
        int ms = timeout_us > 0 ? (int)((left_us + 999) / 1000) : -1;
        if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
            db_set_error(db, err, NULL, false);
            return DB_FAILED;
        }
        /* Input, or a hang-up: either is for libpq to read (a timeout is neither). */
        next = db_setup_poll(db, pfd.revents != 0, err);
    }
    return next == DB_OPEN_OK ? DB_OK : DB_FAILED;
}

/* ---- sending ---- */

/* Decimal text parameters of a statement; libpq copies them at the send. */
struct params {
    char buf[8][32];
    const char *v[8];
    int n;
};

static void param_i64(struct params *p, int64_t v)
{
    fmt_i64(p->buf[p->n], sizeof p->buf[p->n], v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static void param_f64(struct params *p, double v)
{
    snprintf(p->buf[p->n], sizeof p->buf[p->n], "%.17g", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static const struct params no_params = {.n = 0};

/* The simple protocol's round trip: its statements, joined by "; ". */
struct sql_batch {
    char sql[4096];
    size_t len;
    bool overflow;
};

static void batch_put(struct sql_batch *b, const char *text, size_t n)
{
    if (b->overflow || b->len + n >= sizeof b->sql) {
        b->overflow = true;
        return;
    }
    memcpy(b->sql + b->len, text, n);
    b->len += n;
    b->sql[b->len] = '\0';
}

/* The simple protocol has no parameters, so each $n is replaced by its value
 * in the text. That is safe because every value is a number txstorm wrote
 * itself: integers by fmt_i64 and the amount fraction (0..1) by %.17g, so a
 * value holds only digits, '-', '+', '.' and 'e', never a quote, a semicolon
 * or a comment; and no text puts a '-' right before a $n. */
static bool batch_add(struct sql_batch *b, const char *sql, const struct params *p)
{
    if (b->len > 0) batch_put(b, "; ", 2);
    for (const char *c = sql; *c; c++) {
        int k = c[0] == '$' && c[1] >= '1' && c[1] <= '9' ? c[1] - '1' : -1;
        if (k >= 0 && k < p->n) {
            batch_put(b, p->v[k], strlen(p->v[k]));
            c++;
        } else {
            batch_put(b, c, 1);
        }
    }
    return !b->overflow;
}

/* One statement of the round trip, as the run's query mode sends it; name
 * NULL: never prepared, sent unnamed (pipeline mode allows only the
 * extended protocol). */
static bool send_text(struct db *db, const char *name, const char *sql, const struct params *p)
{
    switch (db->spec.query_mode) {
    case QUERY_PREPARED:
        if (name) return PQsendQueryPrepared(db->conn, name, p->n, p->v, NULL, NULL, 0);
        /* fall through */
    case QUERY_EXTENDED:
        return PQsendQueryParams(db->conn, sql, p->n, NULL, p->v, NULL, NULL, 0);
    default:
        return batch_add(db->batch, sql, p);
    }
}

static bool send_prepared(struct db *db, enum statement_id id, const struct params *p)
{
    return send_text(db, statements[id].name, db->texts[id], p);
}

static bool send_begin(struct db *db)
{
    return send_text(db, "txstorm_begin", db->begin_sql, &no_params);
}

static bool send_plain(struct db *db, const char *sql)
{
    return send_text(db, NULL, sql, &no_params);
}

static bool send_ledger(struct db *db, const struct transfer *t, int64_t amount)
{
    struct params p = {.n = 0};
    param_i64(&p, t->run_id);
    param_i64(&p, t->id);
    param_i64(&p, t->from);
    param_i64(&p, t->to);
    param_i64(&p, amount);
    param_i64(&p, t->worker);
    return send_prepared(db, S_LEDGER, &p);
}

/* The pipelined transaction: every statement queued, then one sync, one
 * round trip. Remembers where the debit and credit are to read their replies. */
static bool send_pipelined(struct db *db, const struct transfer *t, bool inject)
{
    struct params read = {.n = 0}, debit = {.n = 0}, credit = {.n = 0};
    param_i64(&read, t->from);
    param_i64(&debit, t->from);
    param_i64(&debit, t->amount);
    param_i64(&credit, t->to);
    param_i64(&credit, t->amount);
    bool debit_first = db->spec.lock_order == LOCK_TRANSFER_ORDER || t->from < t->to;
    int n = 0;
    bool ok = send_begin(db);
    n++;
    if (inject) {
        ok = ok && send_plain(db, inject_sql);
        n++;
    }
    ok = ok && send_prepared(db, S_READ, &read);
    n++;
    for (int i = 0; i < 2; i++) {
        bool is_debit = (i == 0) == debit_first;
        *(is_debit ? &db->flight.debit_at : &db->flight.credit_at) = n++;
        ok = ok && send_prepared(db, is_debit ? S_DEBIT_GUARDED : S_ADD,
                                 is_debit ? &debit : &credit);
    }
    if (db->spec.ledger) ok = ok && send_ledger(db, t, t->amount);
    return ok && send_prepared(db, S_COMMIT, &no_params);
}

static bool send_one(struct db *db, const struct stmt *s, const struct transfer *t);

/* The statement and, ahead of it in the same round trip, its prefix. */
static bool send_statement(struct db *db, const struct stmt *s, const struct transfer *t)
{
    static const struct {
        unsigned flag;
        enum stmt_kind kind;
    } prefixes[] = {{STMT_WITH_BEGIN, STMT_BEGIN},
                    {STMT_WITH_SAVEPOINT, STMT_SAVEPOINT},
                    {STMT_WITH_INJECT, STMT_INJECT}};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (!(s->prefix & prefixes[i].flag)) continue;
        if (!send_one(db, &(struct stmt){.kind = prefixes[i].kind}, t)) return false;
        db->flight.main_at++;
    }
    return send_one(db, s, t);
}

static bool send_one(struct db *db, const struct stmt *s, const struct transfer *t)
{
    struct params p = {.n = 0};
    switch (s->kind) {
    case STMT_BEGIN:
        return send_begin(db);
    case STMT_COMMIT:
        return send_prepared(db, S_COMMIT, &p);
    case STMT_READ:
        param_i64(&p, s->account);
        return send_prepared(db, S_READ, &p);
    case STMT_READ_FOR_UPDATE:
        param_i64(&p, s->account);
        param_i64(&p, s->value);
        return send_prepared(db, S_READ_FOR_UPDATE, &p);
    case STMT_ADD:
    case STMT_SET:
        param_i64(&p, s->account);
        param_i64(&p, s->value);
        return send_prepared(db, s->kind == STMT_ADD ? S_ADD : S_SET, &p);
    case STMT_LEDGER:
        return send_ledger(db, t, s->value);
    case STMT_SINGLE:
        param_i64(&p, t->from);
        param_i64(&p, t->to);
        param_i64(&p, t->amount);
        param_f64(&p, t->fraction);
        if (!db->spec.ledger) return send_prepared(db, S_SINGLE, &p);
        param_i64(&p, t->run_id);
        param_i64(&p, t->id);
        param_i64(&p, t->worker);
        return send_prepared(db, S_SINGLE_LEDGER, &p);
    case STMT_PIPELINED:
        return send_pipelined(db, t, s->value != 0);
    default:
        return send_plain(db, plain_sql[s->kind]);
    }
}

/* ---- receiving ---- */

/* The first failure is the one the reply reports. */
static void reply_fail(struct db *db, struct stmt_reply *r, const PGresult *res)
{
    if (!r->ok) return;
    r->ok = false;
    db_set_error(db, &r->err, res, db->flight.commit);
}

/* Rows a read returned: READ gives a balance, READ_FOR_UPDATE id and balance. */
static void read_rows(struct db *db, const PGresult *res, struct stmt_reply *r)
{
    bool with_id = db->flight.kind == STMT_READ_FOR_UPDATE;
    for (int row = 0; row < PQntuples(res) && r->n_read < 2; row++) {
        int64_t *id = &r->id[r->n_read], *balance = &r->balance[r->n_read];
        *id = db->flight.account;
        if ((with_id && !db_cell_i64(res, row, 0, id)) ||
            !db_cell_i64(res, row, with_id ? 1 : 0, balance))
            break;
        r->n_read++;
    }
}

/* Folds one of the pipelined transaction's results into the reply. Short
 * funds show as a division by zero in the debit; once a statement fails,
 * the rest come back PGRES_PIPELINE_ABORTED. */
static void fold_pipelined(struct db *db, PGresult *res, struct stmt_reply *r)
{
    const struct flight *f = &db->flight;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR && r->ok) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (f->index == f->debit_at && state && strcmp(state, SQLSTATE_DIVISION_BY_ZERO) == 0) {
            r->ok = false;
            r->insufficient = true;
        } else {
            reply_fail(db, r, res);
        }
    } else if ((f->index == f->debit_at || f->index == f->credit_at) && st == PGRES_COMMAND_OK &&
               strcmp(PQcmdTuples(res), "1") != 0 && r->ok) {
        /* The COMMIT is already on its way: the bank is malformed, and the
         * checker will say what this transfer did to it. */
        r->ok = false;
        db_set_message(&r->err, ERR_OTHER, "account %" PRId64 " is missing",
                       f->index == f->debit_at ? f->from : f->to);
    }
}

/* Folds one result of the round trip into the reply: the prefix's only
 * count, the statement's own give rows. */
static void fold(struct db *db, PGresult *res, struct stmt_reply *r)
{
    ExecStatusType st = PQresultStatus(res);
    bool own = db->flight.index == db->flight.main_at;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) r->n_ok++;
    if (db->flight.kind == STMT_PIPELINED) {
        fold_pipelined(db, res, r);
    } else if (st == PGRES_TUPLES_OK && own) {
        r->rows = PQntuples(res);
        read_rows(db, res, r);
    } else if (st == PGRES_COMMAND_OK && own) {
        r->rows = strtoll(PQcmdTuples(res), NULL, 10);
    } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_ABORTED) {
        reply_fail(db, r, res);
    }
}

/* The reply is complete: a reply without any answer means the server is gone. */
static void reply_end(struct db *db, struct stmt_reply *r, bool complete)
{
    if (!complete) reply_fail(db, r, NULL);
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    r->txn_open = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

bool db_send(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r)
{
    /* Field by field: r->err (half a kilobyte) is written only on failure. */
    r->ok = true;
    r->n_ok = 0;
    r->insufficient = r->txn_open = false;
    r->rows = 0;
    r->n_read = 0;
    db->flight = (struct flight){.kind = s->kind,
                                 .account = s->account,
                                 .from = t->from,
                                 .to = t->to,
                                 .commit = stmt_is_commit_point(s, db->dialect),
                                 .debit_at = -1,
                                 .credit_at = -1};
    struct sql_batch batch = {.len = 0};
    db->batch = &batch;
    bool ok = send_statement(db, s, t);
    if (db->spec.query_mode == QUERY_SIMPLE)
        ok = ok && PQsendQuery(db->conn, batch.sql);
    else
        ok = ok && PQpipelineSync(db->conn);
    db->batch = NULL;
    if (!ok) {
        /* Nothing went out that could commit. */
        db->flight.commit = false;
        reply_end(db, r, false);
    }
    return ok;
}

enum db_io db_receive(struct db *db, bool readable, struct stmt_reply *r)
{
    PGconn *c = db->conn;
    /* A failed read marks the connection bad; the results below then say why. */
    if (readable) PQconsumeInput(c);
    for (;;) {
        if (PQisBusy(c)) return DB_IO_PENDING;
        PGresult *res = PQgetResult(c);
        if (res == NULL && !db->pipeline) {
            /* Outside pipeline mode (the simple protocol) one NULL ends the
             * round trip; a lost connection leaves it incomplete. */
            db->flight.synced = PQstatus(c) == CONNECTION_OK;
            break;
        }
        if (res == NULL) {
            /* NULL ends one statement's results; the sync ends the round trip.
             * More NULLs than statements sent means no sync is coming: the
             * reply ends incomplete rather than waiting forever. */
            if (PQstatus(c) != CONNECTION_OK || ++db->flight.index > FLIGHT_MAX_STATEMENTS) break;
            continue;
        }
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        if (sync)
            db->flight.synced = true;
        else
            fold(db, res, r);
        PQclear(res);
        /* The simple protocol's statements come back without a NULL between. */
        if (!db->pipeline) db->flight.index++;
        if (sync) break;
    }
    reply_end(db, r, db->flight.synced);
    return DB_IO_DONE;
}

void db_exec(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r)
{
    if (!db_send(db, s, t, r)) return;
    struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
    for (bool readable = false; db_receive(db, readable, r) == DB_IO_PENDING; readable = true)
        while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        }
}

void db_transfer_finish(struct db *db)
{
    if (db->pipeline && PQexitPipelineMode(db->conn)) db->pipeline = false;
}

const struct txn_spec *db_transfer_spec(const struct db *db) { return &db->spec; }

int db_socket(const struct db *db) { return PQsocket(db->conn); }

bool db_absorb(struct db *db)
{
    PQconsumeInput(db->conn);
    return PQstatus(db->conn) == CONNECTION_OK;
}
