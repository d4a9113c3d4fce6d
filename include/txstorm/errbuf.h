/* One-line error messages into a caller's buffer, for the pure parsers. */
#ifndef TXSTORM_ERRBUF_H
#define TXSTORM_ERRBUF_H

#include <stddef.h>

/* Formats into err (always terminated) and returns -1, so a parser can say
 * `return errbuf_fail(err, len, "...", ...);`. */
int errbuf_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
