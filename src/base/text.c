/* Text from outside made safe to keep: UTF-8. */
#include "txstorm/text.h"

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
