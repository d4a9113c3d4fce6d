/* Free connection slots for a role, and the setting that is short. */
#include "txstorm/conn_slots.h"

#include <stdio.h>

/* The reserves the role may not use, as PostgreSQL's InitPostgres checks them. */
static int64_t superuser_reserve(const struct conn_limits *l)
{
    return l->superuser ? 0 : l->superuser_reserved;
}

static int64_t plain_reserve(const struct conn_limits *l)
{
    return l->superuser || l->may_use_reserved ? 0 : l->reserved;
}

int64_t conn_slots_free(const struct conn_limits *l)
{
    return l->max_connections - l->in_use - superuser_reserve(l) - plain_reserve(l);
}

void conn_slots_short(const struct conn_limits *l, int64_t wanted, char *out, size_t size)
{
    int64_t all = l->max_connections - l->in_use;
    int64_t su = superuser_reserve(l), plain = plain_reserve(l);
    if (wanted <= all - su - plain) {
        snprintf(out, size, "%s", "");
    } else if (wanted > all) {
        snprintf(out, size, "max_connections is short");
    } else if (wanted > all - su && plain > 0) {
        /* Past both reserves: membership in pg_use_reserved_connections alone would not do. */
        snprintf(out, size,
                 "superuser_reserved_connections %lld and reserved_connections %lld keep the "
                 "rest for superusers and roles with pg_use_reserved_connections",
                 (long long)l->superuser_reserved, (long long)l->reserved);
    } else if (wanted > all - su) {
        snprintf(out, size, "superuser_reserved_connections %lld keeps the rest for superusers",
                 (long long)l->superuser_reserved);
    } else {
        snprintf(out, size,
                 "reserved_connections %lld keeps the rest for superusers and roles with "
                 "pg_use_reserved_connections",
                 (long long)l->reserved);
    }
}
