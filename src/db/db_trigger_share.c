/* The windows instance 0 injects for every instance of a run, and the
 * sessions the others offer to its terminate: the bank's txstorm_trigger. */
#include "txstorm/db_trigger_share.h"
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

/* The key and the trigger, as a statement's first two parameters. */
struct row_key {
    char key[24], trigger[16];
};

static void row_key(struct row_key *k, int64_t key, int trigger)
{
    fmt_i64(k->key, sizeof k->key, key);
    fmt_i64(k->trigger, sizeof k->trigger, trigger);
}

static bool exec_params(struct db *db, const char *sql, int n, const char *const *params,
                        struct db_error *err)
{
    PGresult *res = db_query(db, sql, n, params, PGRES_COMMAND_OK, err);
    PQclear(res);
    return res != NULL;
}

static enum db_status no_table(struct db_error *err)
{
    db_set_message(err, ERR_OTHER,
                   "bank has no txstorm_trigger table as this txstorm makes it (made by an "
                   "older txstorm), which the "
                   "instances of a run share their triggers through; run 'txstorm init --drop'");
    return DB_MISSING;
}

enum db_status db_trigger_share_begin(struct db *db, int64_t key, bool clear, struct db_error *err)
{
    /* One without the column of the sessions' endpoints is an older one's. */
    PGresult *res = db_query(db,
                             "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid ="
                             " to_regclass('txstorm_trigger') AND attname = 'worker_endpoints')",
                             0, NULL, PGRES_TUPLES_OK, err);
    if (res == NULL) return DB_FAILED;
    bool there = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!there) return no_table(err);
    struct row_key k;
    row_key(&k, key, 0);
    const char *params[] = {k.key};
    if (clear && !exec_params(db, "DELETE FROM txstorm_trigger WHERE key = $1", 1, params, err))
        return DB_FAILED;
    return DB_OK;
}

/* A time, or NULL for none. */
static const char *time_param(char *buf, size_t len, int64_t us)
{
    if (us < 0) return NULL;
    fmt_i64(buf, len, us);
    return buf;
}

enum db_status db_trigger_window_put(struct db *db, int64_t key, int trigger,
                                     const struct db_trigger_window *w, struct db_error *err)
{
    struct row_key k;
    row_key(&k, key, trigger);
    char start[24], end[24], terminated[24], status[16], signal[16];
    fmt_i64(terminated, sizeof terminated, w->terminated);
    fmt_i64(status, sizeof status, w->exit_status);
    fmt_i64(signal, sizeof signal, w->exit_signal);
    const char *params[] = {k.key,
                            k.trigger,
                            time_param(start, sizeof start, w->start_us),
                            time_param(end, sizeof end, w->end_us),
                            trigger_release_name(w->released),
                            w->release_error,
                            terminated,
                            w->failed ? "true" : "false",
                            w->error,
                            w->exit_status >= 0 ? status : NULL,
                            w->exit_signal > 0 ? signal : NULL,
                            w->output};
    return exec_params(db,
                       "INSERT INTO txstorm_trigger (key, trigger, instance, start_us, end_us,"
                       " released, release_error, terminated, failed, error, exit_status,"
                       " exit_signal, output)"
                       " VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                       " ON CONFLICT (key, trigger, instance) DO UPDATE SET"
                       " start_us = excluded.start_us, end_us = excluded.end_us,"
                       " released = excluded.released, release_error = excluded.release_error,"
                       " terminated = excluded.terminated, failed = excluded.failed,"
                       " error = excluded.error, exit_status = excluded.exit_status,"
                       " exit_signal = excluded.exit_signal, output = excluded.output",
                       12, params, err)
               ? DB_OK
               : DB_FAILED;
}

/* A time cell: -1 when NULL. */
static bool time_cell(const PGresult *res, int col, int64_t *us)
{
    *us = -1;
    return PQgetisnull(res, 0, col) || db_cell_i64(res, 0, col, us);
}

/* A query of the trigger's rows, its $1 and $2 the key and the trigger; NULL
 * with err set when it fails. */
static PGresult *trigger_rows(struct db *db, int64_t key, int trigger, const char *sql,
                              struct db_error *err)
{
    struct row_key k;
    row_key(&k, key, trigger);
    const char *params[] = {k.key, k.trigger};
    return db_query(db, sql, 2, params, PGRES_TUPLES_OK, err);
}

enum db_status db_trigger_window_get(struct db *db, int64_t key, int trigger,
                                     struct db_trigger_window *w, struct db_error *err)
{
    PGresult *res = trigger_rows(db, key, trigger,
                                 "SELECT start_us, end_us, released, release_error, terminated,"
                                 " failed, error, exit_status, exit_signal, output"
                                 " FROM txstorm_trigger"
                                 " WHERE key = $1 AND trigger = $2 AND instance = 0",
                                 err);
    if (res == NULL) return DB_FAILED;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return DB_MISSING;
    }
    *w = (struct db_trigger_window){0};
    bool ok =
        time_cell(res, 0, &w->start_us) && time_cell(res, 1, &w->end_us) &&
        db_cell_i64(res, 0, 4, &w->terminated) &&
        (PQgetisnull(res, 0, 2) || trigger_release_parse(PQgetvalue(res, 0, 2), &w->released));
    w->failed = PQgetvalue(res, 0, 5)[0] == 't';
    snprintf(w->release_error, sizeof w->release_error, "%s", PQgetvalue(res, 0, 3));
    snprintf(w->error, sizeof w->error, "%s", PQgetvalue(res, 0, 6));
    /* A command's end, when the window is an exec's. */
    int64_t status = -1, signal = 0;
    ok = ok && (PQgetisnull(res, 0, 7) || db_cell_i64(res, 0, 7, &status)) &&
         (PQgetisnull(res, 0, 8) || db_cell_i64(res, 0, 8, &signal));
    w->exit_status = (int)status;
    w->exit_signal = (int)signal;
    snprintf(w->output, sizeof w->output, "%s", PQgetvalue(res, 0, 9));
    PQclear(res);
    if (!ok) db_set_message(err, ERR_OTHER, "txstorm_trigger: a malformed window row");
    return ok ? DB_OK : DB_FAILED;
}

enum db_status db_trigger_sessions_offer(struct db *db, int64_t key, int trigger, int instance,
                                         const int *pids, const int *endpoints, int n,
                                         struct db_error *err)
{
    struct row_key k;
    row_key(&k, key, trigger);
    char instance_s[16];
    fmt_i64(instance_s, sizeof instance_s, instance);
    char *list = db_int_array(pids, n), *on = db_int_array(endpoints, n);
    bool ok = list && on;
    if (!ok) db_set_message(err, ERR_OTHER, "out of memory");
    const char *params[] = {k.key, k.trigger, instance_s, list, on};
    ok = ok && exec_params(db,
                           "INSERT INTO txstorm_trigger (key, trigger, instance, worker_pids,"
                           " worker_endpoints) VALUES ($1, $2, $3, $4::int[], $5::int[])"
                           " ON CONFLICT (key, trigger, instance) DO UPDATE"
                           " SET worker_pids = excluded.worker_pids,"
                           " worker_endpoints = excluded.worker_endpoints",
                           5, params, err);
    free(list);
    free(on);
    return ok ? DB_OK : DB_FAILED;
}

enum db_status db_trigger_sessions_offered(struct db *db, int64_t key, int trigger, int **pids,
                                           int **endpoints, int **owner, int *n, int *offered,
                                           struct db_error *err)
{
    *pids = *endpoints = *owner = NULL;
    *n = *offered = 0;
    /* An instance that offered none still counts as having answered. */
    PGresult *res = trigger_rows(db, key, trigger,
                                 "SELECT t.instance, s.pid, s.endpoint FROM txstorm_trigger t"
                                 " LEFT JOIN LATERAL unnest(t.worker_pids, t.worker_endpoints)"
                                 " WITH ORDINALITY AS s(pid, endpoint, n)"
                                 " ON true WHERE t.key = $1 AND t.trigger = $2 AND t.instance > 0"
                                 " AND t.worker_pids IS NOT NULL ORDER BY t.instance, s.n",
                                 err);
    if (res == NULL) return DB_FAILED;
    int rows = PQntuples(res);
    *pids = calloc(rows ? (size_t)rows : 1, sizeof **pids);
    *endpoints = calloc(rows ? (size_t)rows : 1, sizeof **endpoints);
    *owner = calloc(rows ? (size_t)rows : 1, sizeof **owner);
    bool ok = *pids && *endpoints && *owner;
    for (int r = 0, last = -1; ok && r < rows; r++) {
        int64_t instance, pid = 0, endpoint = 0;
        ok = db_cell_i64(res, r, 0, &instance);
        if (!ok) break;
        if (instance != last) ++*offered;
        last = (int)instance;
        if (PQgetisnull(res, r, 1)) continue;
        ok = db_cell_i64(res, r, 1, &pid) && db_cell_i64(res, r, 2, &endpoint);
        (*pids)[*n] = (int)pid;
        (*endpoints)[*n] = (int)endpoint;
        (*owner)[(*n)++] = (int)instance;
    }
    PQclear(res);
    if (ok) return DB_OK;
    free(*pids);
    free(*endpoints);
    free(*owner);
    *pids = *endpoints = *owner = NULL;
    *n = *offered = 0;
    db_set_message(err, ERR_OTHER, "txstorm_trigger: the offered sessions could not be read");
    return DB_FAILED;
}
