/* Text escaped for XML 1.0 and HTML. */
#include "txstorm/markup.h"

#include <stdint.h>

/* The length of the well-formed UTF-8 sequence at s that XML 1.0 allows
 * (no surrogates, no U+FFFE/U+FFFF, nothing past U+10FFFF), or 0. */
static int utf8_char_len(const unsigned char *s)
{
    int len;
    uint32_t cp;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
        cp == 0xFFFF)
        return 0;
    return len;
}

void markup_put_escaped(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        case '\t':
        case '\n':
        case '\r':
            /* As references, so an attribute keeps them (a parser turns literal ones into spaces).
             */
            fprintf(out, "&#%d;", *p);
            break;
        default: {
            int len = *p < 0x20 ? 0 : utf8_char_len(p);
            if (len == 0) {
                fprintf(out, "\\x%02X", *p);
                len = 1;
            } else {
                fwrite(p, 1, (size_t)len, out);
            }
            p += len;
            continue;
        }
        }
        p++;
    }
}
