/* Keeping passwords out of output: redacted DSNs and scrubbed messages. Pure. */
#ifndef TXSTORM_DSN_H
#define TXSTORM_DSN_H

#include <stddef.h>

/* Copies dsn (keyword/value string or postgresql:// URI) into out with any
 * password replaced by "***". NULL or empty dsn gives "(libpq defaults)". */
void dsn_redact(const char *dsn, char *out, size_t out_len);

/* Extracts the password from dsn into out, decoded ("" when there is none),
 * and into raw as written (a URI's percent-encoded form; "" for keyword
 * strings, where the two are the same). Messages may quote either. */
void dsn_password(const char *dsn, char *out, size_t out_len, char *raw, size_t raw_len);

/* Copies msg into out with every occurrence of each non-empty secret replaced by
 * "***", and trailing newlines removed. secrets is NULL-terminated. */
void dsn_scrub(const char *msg, const char *const *secrets, char *out, size_t out_len);

#endif
