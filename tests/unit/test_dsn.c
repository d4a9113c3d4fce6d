/* Passwords never leave: DSN redaction and message scrubbing. */
#include "txstorm/dsn.h"

#include "cmocka_prelude.h"

#include <string.h>

static char out[1024];

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

static void a_value_in_another_encoding_is_kept_as_utf8(void **state)
{
    (void)state;
    /* Latin-1 "café": the JSON result and the metrics labels carry only UTF-8. */
    const struct dsn_option latin1[] = {{"dbname", "bank", false},
                                        {"application_name", "caf\xe9 \xc3\xa9", false}};
    dsn_format_redacted(latin1, N(latin1), out, sizeof out);
    assert_string_equal(out, "dbname=bank application_name='caf? \xc3\xa9'");
    dsn_scrub("database \"caf\xe9\" does not exist", NULL, out, sizeof out);
    assert_string_equal(out, "database \"caf?\" does not exist");
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


/* libpq's host, hostaddr and port lists, item by item; a list pair libpq
 * would refuse counts as one server (libpq then says why). */
static void host_lists_split_as_libpq_walks_them(void **state)
{
    (void)state;
    char item[16];
    assert_int_equal(dsn_list_count(NULL), 0);
    assert_int_equal(dsn_list_count(""), 0);
    assert_int_equal(dsn_list_count("a"), 1);
    assert_int_equal(dsn_list_count("a,,b"), 3);
    assert_true(dsn_list_item("a,bb,ccc", 2, item, sizeof item));
    assert_string_equal(item, "ccc");
    assert_true(dsn_list_item("a,,b", 1, item, sizeof item));
    assert_string_equal(item, "");
    assert_false(dsn_list_item("a,b", 2, item, sizeof item));
    assert_false(dsn_list_item("a,0123456789abcdefgh", 1, item, sizeof item));

    assert_int_equal(dsn_host_count(NULL, NULL, NULL), 1);
    assert_int_equal(dsn_host_count("h1,h2,h3", NULL, "5432"), 3);
    assert_int_equal(dsn_host_count("h1,h2", NULL, "1,2"), 2);
    assert_int_equal(dsn_host_count(NULL, "127.0.0.1,127.0.0.2", NULL), 2);
    assert_int_equal(dsn_host_count("h1,h2", "127.0.0.1,127.0.0.2", "1"), 2);
    assert_int_equal(dsn_host_count("h1,h2", "127.0.0.1", NULL), 1);
    assert_int_equal(dsn_host_count("h1,h2,h3", NULL, "1,2"), 1);
}

static void an_unknown_option_is_named_and_nothing_else(void **state)
{
    (void)state;
    char name[64];
    assert_true(dsn_unknown_option("invalid connection option \"max_protocol_version\"\n", name,
                                   sizeof name));
    assert_string_equal(name, "max_protocol_version");
    assert_true(
        dsn_unknown_option("invalid URI query parameter: \"bogus_1\"\n", name, sizeof name));
    assert_string_equal(name, "bogus_1");
    /* Messages that quote the string itself, or what is no option name: nothing. */
    const char *none[] = {
        NULL,
        "",
        "missing \"=\" after \"Tr0ub4dor3x\" in connection info string\n",
        "invalid percent-encoded token: \"Tr0ub4dor%zz\"\n",
        "unterminated quoted string in connection info string\n",
        "invalid connection option \"pass word\"\n",
        "invalid URI query parameter: \"a\"Tr0ub4dor3x\"\n",
        "invalid URI query parameter: \"\"\n",
        "invalid connection option \"unterminated",
        "invalid connection option "
        "\"a234567890123456789012345678901234567890123456789012345678901234\"\n",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (dsn_unknown_option(none[i], name, sizeof name))
            fail_msg("'%s' gave a name: '%s'", none[i] ? none[i] : "(null)", name);
    char small[4];
    assert_false(dsn_unknown_option("invalid connection option \"abcd\"\n", small, sizeof small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_are_scrubbed_to_one_line),
        cmocka_unit_test(options_are_shown_in_keyword_form_with_secrets_masked),
        cmocka_unit_test(a_value_in_another_encoding_is_kept_as_utf8),
        cmocka_unit_test(a_misread_password_is_refused_without_quoting_it),
        cmocka_unit_test(short_secrets_do_not_mangle_messages),
        cmocka_unit_test(host_lists_split_as_libpq_walks_them),
        cmocka_unit_test(an_unknown_option_is_named_and_nothing_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
