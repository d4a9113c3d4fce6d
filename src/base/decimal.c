/* Plain decimal numbers: the notation every flag and spec reads. */
#include "txstorm/decimal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More integer digits than this is beyond any double; a text longer than
 * DECIMAL_TEXT_MAX loses only far digits of its fraction. */
#define DECIMAL_INT_DIGITS_MAX 320
#define DECIMAL_TEXT_MAX 400

size_t decimal_span(const char *s, size_t len, bool whole)
{
    size_t n = 0, digits = 0;
    bool point = false;
    for (; n < len; n++) {
        if (s[n] >= '0' && s[n] <= '9')
            digits++;
        else if (s[n] == '.' && !point && !whole)
            point = true;
        else
            break;
    }
    return digits > 0 ? n : 0;
}

/* The '-' that may lead s: 1 when there is one. */
static size_t sign_len(const char *s, size_t len) { return len > 0 && s[0] == '-'; }

int decimal_parse(const char *s, size_t len, double *out)
{
    size_t minus = sign_len(s, len);
    if (len == minus || decimal_span(s + minus, len - minus, false) != len - minus) return -1;
    /* Leading zeros say nothing; past them the integer part of any finite
     * double (309 digits) fits, and a fraction's far digits do not count. */
    size_t at = minus;
    while (at + 1 < len && s[at] == '0' && s[at + 1] != '.')
        at++;
    const char *point = memchr(s + at, '.', len - at);
    if ((size_t)((point ? point : s + len) - (s + at)) > DECIMAL_INT_DIGITS_MAX) {
        *out = minus ? -INFINITY : INFINITY;
        return 0;
    }
    char text[DECIMAL_TEXT_MAX];
    size_t keep = len - at < sizeof text - 1 ? len - at : sizeof text - 1;
    memcpy(text, s + at, keep);
    text[keep] = '\0';
    double v = strtod(text, NULL); /* the notation is checked: strtod reads all of it */
    *out = minus ? -v : v;
    return 0;
}

int decimal_parse_whole(const char *s, size_t len, int64_t *out)
{
    size_t minus = sign_len(s, len);
    if (len == minus || decimal_span(s + minus, len - minus, true) != len - minus) return -1;
    uint64_t v = 0, limit = minus ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t i = minus; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10) return -2;
        v = v * 10 + d;
    }
    *out = minus ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

void decimal_format(double v, char *out, size_t len)
{
    /* %f never writes an exponent; the first precision that reads back is the shortest. */
    for (int digits = 0; digits <= 340; digits++) {
        snprintf(out, len, "%.*f", digits, v);
        if (strtod(out, NULL) == v) return;
    }
}
