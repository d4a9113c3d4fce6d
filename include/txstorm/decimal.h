/* The one notation of a number in txstorm's flags and specs (--rate,
 * --load's rates and spans, --trigger's times and arguments, --skew,
 * --assert, durations): plain decimal. Digits with at most one point ("250",
 * "0.5", ".5"), a leading '-' where a caller reads it only to refuse it by
 * its range. No '+', exponent, hex, blank, inf or nan: strtod's other
 * forms never reach it. Pure. */
#ifndef TXSTORM_DECIMAL_H
#define TXSTORM_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length of the unsigned plain decimal that s (len bytes) starts with:
 * at least one digit, at most one point (none when whole); 0 when s starts
 * with none. */
size_t decimal_span(const char *s, size_t len, bool whole);

/* All of s (len bytes) as [-]DECIMAL: 0 with *out (one too long for a double
 * reads as infinity, for the caller's range to refuse), or -1 when it is not
 * that notation. */
int decimal_parse(const char *s, size_t len, double *out);

/* All of s (len bytes) as [-]DIGITS: 0 with *out, -1 when it is not that
 * notation, -2 when it lies beyond int64. */
int decimal_parse_whole(const char *s, size_t len, int64_t *out);

/* v written back in that notation, the fewest digits that read back as v
 * ("0.5", "2000", "0.000000001"; never "1e-09"), so a spec a message
 * or a result quotes parses again. Finite v. */
void decimal_format(double v, char *out, size_t len);

#endif
