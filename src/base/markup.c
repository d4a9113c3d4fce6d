/* Text escaped for XML 1.0 and HTML. */
#include "txstorm/markup.h"
#include "txstorm/text.h"

/* The length of the well-formed UTF-8 character at s that XML 1.0 allows
 * (not U+FFFE or U+FFFF either), or 0. */
static size_t xml_char_len(const unsigned char *s)
{
    size_t len = text_utf8_len((const char *)s);
    if (len == 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF)) return 0;
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
            size_t len = *p < 0x20 ? 0 : xml_char_len(p);
            if (len == 0) {
                fprintf(out, "\\x%02X", *p);
                len = 1;
            } else {
                fwrite(p, 1, len, out);
            }
            p += len;
            continue;
        }
        }
        p++;
    }
}
