/* A transfer's statements on a connection (libpq, db.h's companion): one at
 * a time without waiting, for the event loops, or waiting, for the demo. */
#ifndef TXSTORM_DB_TRANSFER_H
#define TXSTORM_DB_TRANSFER_H

#include "txstorm/db.h"
#include "txstorm/servers.h"
#include "txstorm/spec.h"
#include "txstorm/stmt.h"
#include "txstorm/workload.h"

/* The demo uses its own table so it never disturbs a bank under test. */
enum bank_table { BANK_ACCOUNTS, BANK_DEMO };

/* Prepares a fresh session for transfers of the given shape on the given
 * table (session isolation, application_name, statements, pipeline mode),
 * after noting in *id, unless id is NULL, which server it reached (db.h's
 * probe: host and port as libpq reports them, and where the server offers
 * them pg_is_in_recovery(), the system identifier and the timeline; a
 * server without those functions leaves them unknown, and the probe never
 * fails the session; at_unix_ms: when it answered, 0 if it never did).
 * DB_FAILED, with a connection-class 25006 in err, when the server is
 * read-only. Waits for each round trip, timeout_us in all (0: as long as it
 * takes); a server that does not answer within it fails the set-up. */
enum db_status db_transfer_prepare(struct db *db, enum bank_table table,
                                   const struct txn_spec *spec, struct server_id *id,
                                   int64_t timeout_us, struct db_error *err);

/* The same without waiting, for an event loop: one statement at a time,
 * DB_OPEN_READ while one is on its way (call db_setup_poll once the socket
 * is readable), DB_OPEN_OK when the session is ready, DB_OPEN_FAILED with
 * err set (the connection is then the caller's to abandon). */
enum db_opening db_setup_start(struct db *db, enum bank_table table, const struct txn_spec *spec,
                               struct server_id *id, struct db_error *err);
enum db_opening db_setup_poll(struct db *db, bool readable, struct db_error *err);

/* Takes the connection out of pipeline mode, for other work after transfers. */
void db_transfer_finish(struct db *db);

/* The shape db_transfer_prepare was given. */
const struct txn_spec *db_transfer_spec(const struct db *db);

/* Statements of a transfer (see stmt.h), one at a time, without waiting:
 * db_send sends s and starts r; db_receive reads what has arrived (from the
 * socket when readable, else only what libpq holds) and says whether r is
 * complete. A send that fails completes r at once and returns false. The
 * connection stays in blocking mode for sends: a statement is a few hundred
 * bytes, far below what a socket buffers, so a send never waits. */
bool db_send(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r);
enum db_io { DB_IO_PENDING, DB_IO_DONE };
enum db_io db_receive(struct db *db, bool readable, struct stmt_reply *r);

/* db_send and db_receive, waiting for the reply. */
void db_exec(struct db *db, const struct stmt *s, const struct transfer *t, struct stmt_reply *r);

#endif
