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
    const char *secrets[] = {"hunter2!", "pgpw-9876", NULL};
    dsn_scrub("FATAL: bad \"hunter2!\" and pgpw-9876\nDETAIL: hunter2!hunter2!\n", secrets, out,
              sizeof out);
    assert_string_equal(out, "FATAL: bad \"***\" and *** DETAIL: ******");
    const char *none[] = {"", NULL};
    dsn_scrub("plain\n", none, out, sizeof out);
    assert_string_equal(out, "plain");
    char tiny[8];
    dsn_scrub("a long message", secrets, tiny, sizeof tiny);
    assert_string_equal(tiny, "a long ");
}

#define N(a) ((int)(sizeof(a) / sizeof *(a)))

static void options_are_shown_in_keyword_form_with_secrets_masked(void **state)
{
    (void)state;
    const struct dsn_option uri[] = {{"user", "bob", false},
                                     {"password", "hunter2", true},
                                     {"dbname", "bank", false},
                                     {"host", "db1,db2", false},
                                     {"port", "5432,5433", false},
                                     {"sslpassword", "keypass", true},
                                     {"application_name", "a b'c", false}};
    dsn_format_redacted(uri, N(uri), out, sizeof out);
    assert_string_equal(out, "host=db1,db2 port=5432,5433 user=bob password=*** dbname=bank "
                             "sslpassword=*** application_name='a b\\'c'");
    const struct dsn_option empty_value[] = {{"dbname", "", false}};
    dsn_format_redacted(empty_value, N(empty_value), out, sizeof out);
    assert_string_equal(out, "dbname=''");
    dsn_format_redacted(NULL, 0, out, sizeof out);
    assert_string_equal(out, "(libpq defaults)");
}

static void a_misread_password_is_refused_without_quoting_it(void **state)
{
    (void)state;
    char err[256];
    /* postgresql://u:Tr0ub4dor@3xyzSECRET@127.0.0.1/db as libpq reads it. */
    const struct dsn_option at[] = {{"user", "u", false},
                                    {"password", "Tr0ub4dor", true},
                                    {"host", "3xyzSECRET@127.0.0.1", false}};
    assert_int_equal(dsn_validate(at, N(at), err, sizeof err), -1);
    assert_null(strstr(err, "3xyzSECRET"));
    assert_non_null(strstr(err, "%40"));
    /* postgresql://u:Pw9/ss@127.0.0.1/db: the password became a port and a database. */
    const struct dsn_option slash[] = {{"dbname", "ss@127.0.0.1/db", false},
                                       {"host", "u", false},
                                       {"port", "Pw9", false}};
    assert_int_equal(dsn_validate(slash, N(slash), err, sizeof err), -1);
    assert_null(strstr(err, "Pw9"));
    const struct dsn_option port[] = {{"port", "Pw9", false}};
    assert_int_equal(dsn_validate(port, N(port), err, sizeof err), -1);
    const struct dsn_option fine[] = {{"host", "/tmp,db", false},
                                      {"port", "5432,", false},
                                      {"password", "a@b/c:d", true}};
    assert_int_equal(dsn_validate(fine, N(fine), err, sizeof err), 0);
}

static void short_secrets_do_not_mangle_messages(void **state)
{
    (void)state;
    const char *secrets[] = {"failed", "a", NULL};
    dsn_scrub("password authentication failed for user \"a\"", secrets, out, sizeof out);
    assert_string_equal(out, "password authentication failed for user \"a\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyword_strings),
        cmocka_unit_test(uris),
        cmocka_unit_test(passwords_are_extracted),
        cmocka_unit_test(messages_are_scrubbed_to_one_line),
        cmocka_unit_test(options_are_shown_in_keyword_form_with_secrets_masked),
        cmocka_unit_test(a_misread_password_is_refused_without_quoting_it),
        cmocka_unit_test(short_secrets_do_not_mangle_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
