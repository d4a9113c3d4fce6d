/* Passwords never leave: DSN redaction and message scrubbing. */
#include "txstorm/dsn.h"

#include "cmocka_prelude.h"

#include <string.h>

static char out[1024];

static void redacts(const char *dsn, const char *expected)
{
    dsn_redact(dsn, out, sizeof out);
    assert_string_equal(out, expected);
}

static void keyword_strings(void **state)
{
    (void)state;
    redacts("host=db port=5432 password=hunter2 user=bob",
            "host=db port=5432 password=*** user=bob");
    redacts("password = 'se cr\\'et' dbname=bank", "password = *** dbname=bank");
    redacts("host=db", "host=db");
    redacts("password=", "password=***");
    redacts("", "(libpq defaults)");
    redacts(NULL, "(libpq defaults)");
    /* Malformed strings never echo a possible password. */
    dsn_redact("host=db password hunter2", out, sizeof out);
    assert_null(strstr(out, "hunter2"));
}

static void uris(void **state)
{
    (void)state;
    redacts("postgresql://bob:hunter2@db:5432/bank", "postgresql://bob:***@db:5432/bank");
    redacts("postgres://bob@db/bank", "postgres://bob@db/bank");
    redacts("postgresql://db/bank?user=bob&password=hunter2&sslmode=require",
            "postgresql://db/bank?user=bob&password=***&sslmode=require");
    redacts("postgresql://bob:p%40ss@db/bank", "postgresql://bob:***@db/bank");
    redacts("postgresql://bob:a@b@db/bank", "postgresql://bob:***@db/bank");
    /* libpq reads the user info up to the first '@' before '/', '?' included. */
    redacts("postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db");
    /* A percent-encoded key is still the password. */
    redacts("postgresql://h/db?pass%77ord=secret&x=1", "postgresql://h/db?pass%77ord=***&x=1");
}

static void passwords_are_extracted(void **state)
{
    (void)state;
    char pw[64], raw[64];
    dsn_password("host=x password='a b\\'c'", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "a b'c");
    dsn_password("postgresql://u:p%40ss@h/d", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "p@ss");
    dsn_password("postgresql://h/d?password=zz", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "zz");
    dsn_password("host=x", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "");
    /* Messages may quote the raw token: both forms are kept. */
    dsn_password("postgresql://u:p%41ss%zz@h/d", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "pAss%zz");
    assert_string_equal(raw, "p%41ss%zz");
    dsn_password("postgresql://u:pa?ss@h/db", pw, sizeof pw, raw, sizeof raw);
    assert_string_equal(pw, "pa?ss");
}

static void messages_are_scrubbed_to_one_line(void **state)
{
    (void)state;
    const char *secrets[] = {"hunter2", "pgpw", NULL};
    dsn_scrub("FATAL: bad \"hunter2\" and pgpw\nDETAIL: hunter2hunter2\n", secrets, out,
              sizeof out);
    assert_string_equal(out, "FATAL: bad \"***\" and *** DETAIL: ******");
    const char *none[] = {"", NULL};
    dsn_scrub("plain\n", none, out, sizeof out);
    assert_string_equal(out, "plain");
    char tiny[8];
    dsn_scrub("a long message", secrets, tiny, sizeof tiny);
    assert_string_equal(tiny, "a long ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyword_strings),
        cmocka_unit_test(uris),
        cmocka_unit_test(passwords_are_extracted),
        cmocka_unit_test(messages_are_scrubbed_to_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
