/* How many connections a role may still open on a PostgreSQL server, from
 * the settings the server reports, and which setting keeps a request from
 * fitting. PostgreSQL keeps superuser_reserved_connections for superusers
 * and, from 16, reserved_connections for them and for roles with the
 * privileges of pg_use_reserved_connections. Pure: the db module reads the
 * values, the run's preflight judges them. */
#ifndef TXSTORM_CONN_SLOTS_H
#define TXSTORM_CONN_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn_limits {
    int64_t max_connections;
    int64_t superuser_reserved; /* superuser_reserved_connections */
    int64_t reserved;           /* reserved_connections; 0 before PostgreSQL 16 */
    int64_t in_use;             /* client backends connected now */
    bool superuser;
    bool may_use_reserved; /* has pg_use_reserved_connections' privileges */
};

/* The connections this role may still open (negative: already over). */
int64_t conn_slots_free(const struct conn_limits *l);

/* Why `wanted` more connections do not fit, naming the setting that is
 * short: max_connections when not even a superuser could open them, else
 * the reserves this role may not use that the request would reach into.
 * Writes "" when they fit. */
void conn_slots_short(const struct conn_limits *l, int64_t wanted, char *out, size_t size);

#endif
