/* Text from outside made safe to keep (UTF-8) and to show (no control characters). */
#include "txstorm/text.h"

#include <stdbool.h>
#include <string.h>

size_t text_utf8_len(const char *s)
{
    const unsigned char *m = (const unsigned char *)s;
    if (m[0] < 0x80) return 1;
    size_t n = m[0] >= 0xC2 && m[0] <= 0xDF   ? 2
               : m[0] >= 0xE0 && m[0] <= 0xEF ? 3
               : m[0] >= 0xF0 && m[0] <= 0xF4 ? 4
                                              : 0;
    for (size_t k = 1; k < n; k++)
        if ((m[k] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
    if ((m[0] == 0xE0 && m[1] < 0xA0) || (m[0] == 0xED && m[1] >= 0xA0) ||
        (m[0] == 0xF0 && m[1] < 0x90) || (m[0] == 0xF4 && m[1] >= 0x90))
        return 0;
    return n;
}

void text_copy_utf8(char *out, size_t out_len, const char *s)
{
    if (out_len == 0) return;
    size_t o = 0;
    while (*s) {
        size_t n = text_utf8_len(s);
        size_t width = n ? n : 1;
        if (o + width > out_len - 1) break;
        if (n)
            memmove(out + o, s, n); /* out may be s: o never passes it */
        else
            out[o] = '?';
        o += width;
        s += width;
    }
    out[o] = '\0';
}

/* Whether the character of n bytes at s is a control character: C0, DEL, or
 * C1 (U+0080..U+009F, which some terminals obey as ESC sequences). */
static bool is_control(const unsigned char *s, size_t n)
{
    return (n == 1 && (s[0] < 0x20 || s[0] == 0x7F)) || (n == 2 && s[0] == 0xC2 && s[1] < 0xA0);
}

char *text_escape(char *out, size_t out_len, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (out_len == 0) return out;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = text_utf8_len((const char *)p);
        bool shown = n == 0 || is_control(p, n);
        size_t bytes = n ? n : 1, width = shown ? 4 * bytes : bytes;
        if (o + width > out_len - 1) break;
        for (size_t k = 0; k < bytes; k++) {
            if (shown) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[p[k] >> 4];
                out[o++] = hex[p[k] & 0xF];
            } else {
                out[o++] = (char)p[k];
            }
        }
        p += bytes;
    }
    out[o] = '\0';
    return out;
}
