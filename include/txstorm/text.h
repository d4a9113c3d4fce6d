/* Text from outside — a server's message, a connection string — made safe to
 * keep. Pure. JSON and Prometheus carry only UTF-8, so a byte that is not part
 * of a well-formed UTF-8 character becomes '?' (jansson refuses such a string,
 * and the key would be missing). */
#ifndef TXSTORM_TEXT_H
#define TXSTORM_TEXT_H

#include <stddef.h>

/* The length (1..4) of the well-formed UTF-8 character at s, or 0 when s
 * starts none: a stray byte, an overlong form, a surrogate, past U+10FFFF.
 * s must not be at its terminating NUL. */
size_t text_utf8_len(const char *s);

/* Copies s into out (out_len bytes, always terminated), cut at a character
 * boundary, each byte that is not part of a well-formed UTF-8 character
 * replaced by '?'. out may be s itself. */
void text_copy_utf8(char *out, size_t out_len, const char *s);

#endif
