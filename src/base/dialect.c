/* The dialects' table and their detection. */
#include "txstorm/dialect.h"

#include <string.h>

static const struct dialect dialects[DIALECT_COUNT] = {
    [DIALECT_POSTGRESQL] = {DIALECT_POSTGRESQL, "postgresql", false, ADVISORY_YES, true},
    [DIALECT_COCKROACHDB] = {DIALECT_COCKROACHDB, "cockroachdb", true, ADVISORY_NO, false},
    /* Its advisory locks came late (2.20, behind a flag): tried, not assumed. */
    [DIALECT_YUGABYTEDB] = {DIALECT_YUGABYTEDB, "yugabytedb", false, ADVISORY_PROBE, true},
};

const struct dialect *dialect_of(enum dialect_kind kind)
{
    return &dialects[kind < DIALECT_COUNT ? kind : DIALECT_POSTGRESQL];
}

const struct dialect *dialect_detect(const char *crdb_version, const char *server_version)
{
    if (crdb_version) return dialect_of(DIALECT_COCKROACHDB);
    if (server_version && strstr(server_version, "-YB-")) return dialect_of(DIALECT_YUGABYTEDB);
    return dialect_of(DIALECT_POSTGRESQL);
}
