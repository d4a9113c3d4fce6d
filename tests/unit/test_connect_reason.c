/* Failed connection attempts by reason, and SQLSTATEs read out of libpq's
 * verbose connection errors (the texts are libpq 15's and PostgreSQL 15's). */
#include "txstorm/connect_reason.h"

#include "cmocka_prelude.h"

#include <string.h>

static void reasons_come_from_the_sqlstate_then_the_words(void **state)
{
    (void)state;
    static const struct {
        const char *sqlstate, *message;
        enum connect_reason want;
    } cases[] = {
        {"53300", "sorry, too many clients already", CONNECT_TOO_MANY},
        {"53300", "too many connections for role \"app\"", CONNECT_TOO_MANY},
        {"57P03", "the database system is starting up", CONNECT_STARTING},
        {"57P03", "the database system is not yet accepting connections", CONNECT_STARTING},
        {"28P01", "password authentication failed for user \"app\"", CONNECT_AUTH},
        /* No pg_hba.conf entry: another refusal, not a wrong password. */
        {"28000", "no pg_hba.conf entry for host", CONNECT_OTHER},
        {"25006", "the server is read-only", CONNECT_OTHER},
        {"57P01", "terminating connection due to administrator command", CONNECT_OTHER},
        {NULL,
         "connection to server at \"127.0.0.1\", port 1 failed: Connection refused  Is the "
         "server running on that host and accepting TCP/IP connections?",
         CONNECT_REFUSED},
        {"",
         "server closed the connection unexpectedly  This probably means the server "
         "terminated abnormally",
         CONNECT_CLOSED},
        {"", "could not receive data from server: Connection reset by peer", CONNECT_CLOSED},
        {"", "timeout expired", CONNECT_TIMEOUT},
        {"", "could not translate host name \"nowhere\" to address", CONNECT_OTHER},
        {NULL, NULL, CONNECT_OTHER},
        /* A SQLSTATE outranks the words around it. */
        {"53300", "Connection refused", CONNECT_TOO_MANY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (connect_reason_of(cases[i].sqlstate, cases[i].message) != cases[i].want)
            fail_msg("case %zu (%s, %s): %s, expected %s", i,
                     cases[i].sqlstate ? cases[i].sqlstate : "NULL",
                     cases[i].message ? cases[i].message : "NULL",
                     connect_reason_name(connect_reason_of(cases[i].sqlstate, cases[i].message)),
                     connect_reason_name(cases[i].want));
}

static void names_are_stable(void **state)
{
    (void)state;
    static const char *const want[CONNECT_REASON_COUNT] = {"53300",   "57P03",  "28P01", "timeout",
                                                           "refused", "closed", "other"};
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        assert_string_equal(connect_reason_name((enum connect_reason)r), want[r]);
    assert_string_equal(connect_reason_name(CONNECT_REASON_COUNT), "?");
}

/* The verbose text libpq 15 gives for a refused connection: the code out,
 * the LOCATION line gone, the rest as the default verbosity words it. */
static void verbose_errors_give_their_sqlstate(void **state)
{
    (void)state;
    char code[6], text[512];
    connect_error_tidy("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  53300: "
                       "too many connections for role \"lim\"\n"
                       "LOCATION:  InitializeSessionUserId, miscinit.c:842\n",
                       code, text, sizeof text);
    assert_string_equal(code, "53300");
    assert_string_equal(text, "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  "
                              "too many connections for role \"lim\"\n");

    /* Two addresses of one name: the last one's code is the attempt's. */
    connect_error_tidy("connection to server at \"localhost\" (::1), port 5432 failed: FATAL:  "
                       "57P03: the database system is starting up\n"
                       "LOCATION:  ProcessStartupPacket, postmaster.c:2354\n"
                       "connection to server at \"localhost\" (127.0.0.1), port 5432 failed: "
                       "FATAL:  28P01: password authentication failed for user \"app\"\n"
                       "LOCATION:  auth_failed, auth.c:334\n",
                       code, text, sizeof text);
    assert_string_equal(code, "28P01");
    assert_null(strstr(text, "LOCATION"));
    assert_null(strstr(text, "57P03"));
    assert_non_null(strstr(text, "FATAL:  the database system is starting up\n"));
    assert_non_null(strstr(text, "FATAL:  password authentication failed"));

    /* Another language's severity: the code is found by its shape. */
    connect_error_tidy("Verbindung fehlgeschlagen: FATAL:  53300: zu viele Verbindungen", code,
                       text, sizeof text);
    assert_string_equal(code, "53300");
    assert_string_equal(text, "Verbindung fehlgeschlagen: FATAL:  zu viele Verbindungen");

    /* Below SQL there is no code, and the text stays as it was. */
    const char *refused = "connection to server at \"127.0.0.1\", port 1 failed: Connection "
                          "refused\n\tIs the server running on that host and accepting TCP/IP "
                          "connections?\n";
    connect_error_tidy(refused, code, text, sizeof text);
    assert_string_equal(code, "");
    assert_string_equal(text, refused);

    /* Not a code: too short, lower case, no colon after it. */
    connect_error_tidy("failed: FATAL:  5330: x", code, text, sizeof text);
    assert_string_equal(code, "");
    connect_error_tidy("failed: FATAL:  abcde: x", code, text, sizeof text);
    assert_string_equal(code, "");
    connect_error_tidy("failed: FATAL:  53300 x", code, text, sizeof text);
    assert_string_equal(code, "");

    /* Nothing, and a buffer too small: cut, terminated. */
    connect_error_tidy(NULL, code, text, sizeof text);
    assert_string_equal(code, "");
    assert_string_equal(text, "");
    char small[8];
    connect_error_tidy("failed: FATAL:  53300: too many", code, small, sizeof small);
    assert_string_equal(code, "53300");
    assert_string_equal(small, "failed:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reasons_come_from_the_sqlstate_then_the_words),
        cmocka_unit_test(names_are_stable),
        cmocka_unit_test(verbose_errors_give_their_sqlstate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
