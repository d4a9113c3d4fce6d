/* Text escaped for XML 1.0 and HTML, for the JUnit file and the plot page. Pure.
 * & < > " ' become entities, tab and line breaks character references (so an
 * attribute keeps them), other control characters and bytes that are not
 * well-formed UTF-8 a visible \xNN: XML 1.0 cannot carry them at all. */
#ifndef TXSTORM_MARKUP_H
#define TXSTORM_MARKUP_H

#include <stdio.h>

/* Writes s escaped for text and attribute values. */
void markup_put_escaped(FILE *out, const char *s);

#endif
