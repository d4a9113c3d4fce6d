/* Free connection slots for a role and the setting that is short, on
 * PostgreSQL 15 (no reserved_connections) and 16+ (with it). */
#include "txstorm/conn_slots.h"

#include "cmocka_prelude.h"

#include <string.h>

/* 20 slots, 3 for superusers, 5 more for pg_use_reserved_connections, 2 in use. */
static struct conn_limits pg16(bool superuser, bool may_use_reserved)
{
    return (struct conn_limits){.max_connections = 20,
                                .superuser_reserved = 3,
                                .reserved = 5,
                                .in_use = 2,
                                .superuser = superuser,
                                .may_use_reserved = may_use_reserved};
}

/* What conn_slots_short says of `wanted` more connections. */
static const char *short_of(const struct conn_limits *l, int64_t wanted)
{
    static char why[256];
    conn_slots_short(l, wanted, why, sizeof why);
    return why;
}

static void each_role_gets_what_postgres_lets_it_have(void **state)
{
    (void)state;
    struct conn_limits plain = pg16(false, false), member = pg16(false, true),
                       su = pg16(true, false);
    assert_int_equal(conn_slots_free(&plain), 10);
    assert_int_equal(conn_slots_free(&member), 15);
    assert_int_equal(conn_slots_free(&su), 18);
}

static void postgres_15_has_only_the_superuser_reserve(void **state)
{
    (void)state;
    struct conn_limits l = {.max_connections = 100, .superuser_reserved = 3, .in_use = 7};
    assert_int_equal(conn_slots_free(&l), 90);
    assert_string_equal(short_of(&l, 92),
                        "superuser_reserved_connections 3 keeps the rest for superusers");
    assert_string_equal(short_of(&l, 94), "max_connections is short");
    assert_string_equal(short_of(&l, 90), "");
}

static void the_short_setting_is_named(void **state)
{
    (void)state;
    struct conn_limits plain = pg16(false, false), member = pg16(false, true),
                       su = pg16(true, false);
    /* 12..16 workers for a plain role on a 20-slot server: reserved_connections. */
    assert_string_equal(short_of(&plain, 13),
                        "reserved_connections 5 keeps the rest for superusers and roles with "
                        "pg_use_reserved_connections");
    assert_non_null(strstr(short_of(&plain, 16),
                           "superuser_reserved_connections 3 and reserved_connections 5"));
    assert_string_equal(short_of(&member, 16),
                        "superuser_reserved_connections 3 keeps the rest for superusers");
    assert_string_equal(short_of(&member, 15), "");
    assert_string_equal(short_of(&su, 19), "max_connections is short");
    assert_string_equal(short_of(&plain, 19), "max_connections is short");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_role_gets_what_postgres_lets_it_have),
        cmocka_unit_test(postgres_15_has_only_the_superuser_reserve),
        cmocka_unit_test(the_short_setting_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
