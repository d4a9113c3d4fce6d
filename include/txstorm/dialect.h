/* The database a connection reached, and what txstorm does differently for
 * it: one row per dialect, detected once at connect (db.c) from what the
 * server says of itself. The retry machine, the statements and the bank's
 * guard read the row, never the server's name. Pure.
 *
 *   dialect      commit point        after 40001 (savepoint)   advisory locks   connection limits
 *   postgresql   COMMIT              ROLLBACK, restart         yes              max_connections
 *   cockroachdb  RELEASE SAVEPOINT   ROLLBACK TO SAVEPOINT     none             none to read
 *   yugabytedb   COMMIT              ROLLBACK, restart         probed           max_connections */
#ifndef TXSTORM_DIALECT_H
#define TXSTORM_DIALECT_H

#include <stdbool.h>

enum dialect_kind { DIALECT_POSTGRESQL, DIALECT_COCKROACHDB, DIALECT_YUGABYTEDB, DIALECT_COUNT };

/* Whether the server has pg_advisory_lock: yes, no, or try it and take
 * 42883 (no such function) or 0A000 (not implemented) for no. */
enum dialect_advisory { ADVISORY_YES, ADVISORY_NO, ADVISORY_PROBE };

struct dialect {
    enum dialect_kind kind;
    const char *name;
    /* RELEASE SAVEPOINT cockroach_restart commits (a lost connection then
     * leaves the outcome unknown), and a serialization failure inside the
     * savepoint protocol is retried with ROLLBACK TO SAVEPOINT. */
    bool savepoint_release_commits;
    enum dialect_advisory advisory_locks;
    /* max_connections and pg_stat_activity say how many connections are free. */
    bool connection_limits;
};

const struct dialect *dialect_of(enum dialect_kind kind);

/* The dialect of a server from its parameter statuses (NULL when not sent):
 * crdb_version is CockroachDB's; a server_version with "-YB-" is YugabyteDB's;
 * anything else speaks PostgreSQL. */
const struct dialect *dialect_detect(const char *crdb_version, const char *server_version);

#endif
