/* Why an attempt to open a connection failed, sorted into the kinds a
 * reconnect storm is made of, and the SQLSTATE of a refused connection read
 * out of libpq's verbose error text (libpq keeps it to itself otherwise).
 * Pure. */
#ifndef TXSTORM_CONNECT_REASON_H
#define TXSTORM_CONNECT_REASON_H

#include <stddef.h>

enum connect_reason {
    CONNECT_TOO_MANY, /* 53300: max_connections, or a role's or a database's limit */
    CONNECT_STARTING, /* 57P03: the server is starting up, shutting down or in recovery */
    CONNECT_AUTH,     /* 28P01: the password was refused */
    CONNECT_TIMEOUT,  /* no answer within the attempt's time */
    CONNECT_REFUSED,  /* nothing listening: the TCP connection was refused */
    CONNECT_CLOSED,   /* the server hung up without saying why */
    CONNECT_OTHER,    /* anything else: another SQLSTATE, a read-only server, a name not found */
    CONNECT_REASON_COUNT
};

/* Stable names, used in reports, JSON and metrics labels: "53300", "57P03",
 * "28P01", "timeout", "refused", "closed", "other". */
const char *connect_reason_name(enum connect_reason r);

/* The reason of a failed attempt from the SQLSTATE the server sent (NULL
 * or "": none) and the error's text (libpq's words for what happened
 * below SQL). A timeout is the caller's to say: it set the deadline. */
enum connect_reason connect_reason_of(const char *sqlstate, const char *message);

/* libpq's connection error as PQERRORS_VERBOSE words it ("... failed:
 * FATAL:  53300: sorry, too many clients already\nLOCATION:  ...") into
 * the last SQLSTATE it names ("" when none) and the text as the default
 * verbosity words it: the code and the LOCATION lines left out. */
void connect_error_tidy(const char *verbose, char sqlstate[6], char *out, size_t out_len);

#endif
