/* Keeping passwords out of output: redacted DSNs and scrubbed messages. Pure. */
#ifndef TXSTORM_DSN_H
#define TXSTORM_DSN_H

#include <stdbool.h>
#include <stddef.h>

/* One connection option as libpq's own parser read it (db_dsn_inspect);
 * secret: libpq marks it as a password (password, sslpassword). */
struct dsn_option {
    const char *key;
    const char *value;
    bool secret;
};

/* A secret shorter than this is not scrubbed from messages: replacing every
 * "a" or "failed" would mangle the message and point at the password. libpq
 * quotes no password in its messages once the string has parsed; the scrub
 * guards the rest. */
#define DSN_SCRUB_MIN_LEN 8

/* Refuses options that libpq parsed but not as the user meant them: an '@'
 * in a host or database name (an unescaped '@' in a URI's password) or a
 * port that is not a number (an unescaped '/' or ':' in it), where a
 * later error message would quote part of the password. 0, or -1 with one
 * line in err that quotes nothing of the string. */
int dsn_validate(const struct dsn_option *opts, int n, char *err, size_t err_len);

/* The option that libpq's parser refused as unknown, read from its message
 * `why` ("invalid connection option \"x\"", or for a URI "invalid URI
 * query parameter: \"x\""), into name; false when why names none, or names
 * something that is no option name (letters, digits and '_', shorter than
 * len and than 64): nothing else of the string is ever shown. */
bool dsn_unknown_option(const char *why, char *name, size_t len);

/* The options in keyword form with every secret as "***": host, port, user,
 * password and dbname first, then the rest in the order given; values quoted
 * where libpq would need it, each byte that is not part of a well-formed UTF-8
 * character a '?' (text_copy_utf8). No options gives "(libpq defaults)". */
void dsn_format_redacted(const struct dsn_option *opts, int n, char *out, size_t out_len);

/* Copies msg into out with every occurrence of each secret at least
 * DSN_SCRUB_MIN_LEN long replaced by "***", on one line (newlines become
 * spaces, trailing ones are dropped), in UTF-8 (text_copy_utf8). secrets is
 * NULL-terminated. */
void dsn_scrub(const char *msg, const char *const *secrets, char *out, size_t out_len);

/* libpq's comma-separated host, hostaddr and port lists (no escapes, as
 * libpq reads them): how many items list holds (0 for NULL or ""), and the
 * i-th into out (false when there is none or it does not fit). */
int dsn_list_count(const char *list);
bool dsn_list_item(const char *list, int i, char *out, size_t out_len);

/* How many servers a connection string's lists name, one attempt each, the
 * way libpq walks them: the longer of the host and hostaddr lists (at least
 * 1). 1 when the lists disagree in length, or the ports are neither one
 * for all nor one each: libpq then refuses the string as it stands. */
int dsn_host_count(const char *host, const char *hostaddr, const char *port);

#endif
