/* Base64 with the standard alphabet and padding; decoding accepts only the
 * canonical text of a byte string. */
#include "txstorm/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int digit(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

void base64_encode(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i += 3) {
        size_t take = len - i < 3 ? len - i : 3;
        uint32_t v = (uint32_t)in[i] << 16;
        if (take > 1) v |= (uint32_t)in[i + 1] << 8;
        if (take > 2) v |= in[i + 2];
        for (size_t k = 0; k < 4; k++)
            *out++ = k <= take ? alphabet[(v >> (18 - 6 * k)) & 63] : '=';
    }
    *out = '\0';
}

int64_t base64_decoded_len(const char *s, size_t len)
{
    if (len % 4 != 0) return -1;
    size_t pad = 0;
    if (len > 0 && s[len - 1] == '=') pad++;
    if (pad == 1 && len > 1 && s[len - 2] == '=') pad++;
    for (size_t i = 0; i < len - pad; i++)
        if (digit(s[i]) < 0) return -1;
    if (pad == 1 && (digit(s[len - 2]) & 3) != 0) return -1;
    if (pad == 2 && (digit(s[len - 3]) & 15) != 0) return -1;
    return (int64_t)(len / 4 * 3 - pad);
}

void base64_decode(const char *s, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        size_t digits = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = s[i + k] == '=' ? 0 : digit(s[i + k]);
            if (s[i + k] != '=') digits++;
            v = v << 6 | (uint32_t)d;
        }
        for (size_t k = 0; k + 1 < digits; k++)
            *out++ = (uint8_t)(v >> (16 - 8 * k));
    }
}
