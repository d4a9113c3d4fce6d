/* The transfer's spec: how one transaction talks to the database, fixed for a
 * run, with the names its enums are given on the command line and in reports.
 * Pure data; options produces it, attempt, db and txn consume it. */
#ifndef TXSTORM_SPEC_H
#define TXSTORM_SPEC_H

#include <stdbool.h>
#include <stdint.h>

/* How a transfer talks to the database (see `txstorm run --help`). */
enum txn_shape { SHAPE_INTERACTIVE, SHAPE_FOR_UPDATE, SHAPE_SINGLE, SHAPE_PIPELINED };
enum lock_order { LOCK_TRANSFER_ORDER, LOCK_ID_ORDER };
enum isolation { ISO_SERIALIZABLE, ISO_REPEATABLE_READ, ISO_READ_COMMITTED };
enum retry_protocol { PROTOCOL_RESTART, PROTOCOL_SAVEPOINT };
enum write_mode { WRITE_RELATIVE, WRITE_ABSOLUTE };
/* How statements go out (pgbench's -M): named prepared statements; unnamed
 * ones (the extended protocol, which a transaction pooler passes through); or
 * text with the values written in (the simple protocol, no pipeline). */
enum query_mode { QUERY_PREPARED, QUERY_EXTENDED, QUERY_SIMPLE };

/* Everything that shapes one transaction, fixed for a run. */
struct txn_spec {
    enum txn_shape shape;
    enum lock_order lock_order;
    enum isolation isolation;
    int64_t think_us;             /* pause between statements inside a transaction */
    enum write_mode write_mode;   /* absolute: write computed balances (lost updates under RC) */
    bool ledger;                  /* insert a `transfers` row in each transfer */
    int64_t statement_timeout_us; /* the server cancels a longer statement; 0: none */
    enum query_mode query_mode;
};

/* Each enum's names, indexed by its values and ending in NULL: the one list
 * that parsing and printing both use. */
extern const char *const spec_shape_names[];
extern const char *const spec_lock_order_names[];
extern const char *const spec_isolation_names[];
extern const char *const spec_protocol_names[];
extern const char *const spec_write_mode_names[];
extern const char *const spec_query_mode_names[];

#endif
