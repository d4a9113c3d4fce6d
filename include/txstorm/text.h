/* Text from outside — a server's message, a connection string, a result file
 * someone edited — made safe to keep and to show. Pure.
 * Kept: JSON and Prometheus carry only UTF-8, so a byte that is not part of a
 * well-formed UTF-8 character becomes '?' (jansson refuses such a string, and
 * the key would be missing). Shown: a terminal takes control characters as
 * commands (a window title, a cleared screen, a forged report line), so every
 * string a text writer prints from such a source goes through text_escape,
 * which text_printf applies to each %s. JSON keeps the exact text. */
#ifndef TXSTORM_TEXT_H
#define TXSTORM_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* The length (1..4) of the well-formed UTF-8 character at s, or 0 when s
 * starts none: a stray byte, an overlong form, a surrogate, past U+10FFFF.
 * s must not be at its terminating NUL. */
size_t text_utf8_len(const char *s);

/* Copies s into out (out_len bytes, always terminated), cut at a character
 * boundary, each byte that is not part of a well-formed UTF-8 character
 * replaced by '?'. out may be s itself. */
void text_copy_utf8(char *out, size_t out_len, const char *s);

/* s as a terminal may show it, into out (always terminated): control
 * characters (C0, DEL, C1) and bytes that are not part of a well-formed UTF-8
 * character become a visible \xNN, one for each byte; the rest is copied. Cut
 * before a character or an escape that would not fit. Returns out. */
char *text_escape(char *out, size_t out_len, const char *s);

/* fprintf, each %s argument written as text_escape shows it (a precision cuts
 * the shown form, never inside an escape or a character); the format's own
 * text, line breaks included, is written as it is. */
int text_printf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
