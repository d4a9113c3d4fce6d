/* Failed connection attempts, sorted by reason; libpq's verbose connection
 * errors read for their SQLSTATE. */
#include "txstorm/connect_reason.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const names[CONNECT_REASON_COUNT] = {
    [CONNECT_TOO_MANY] = "53300",  [CONNECT_STARTING] = "57P03",  [CONNECT_AUTH] = "28P01",
    [CONNECT_TIMEOUT] = "timeout", [CONNECT_REFUSED] = "refused", [CONNECT_CLOSED] = "closed",
    [CONNECT_OTHER] = "other",
};

const char *connect_reason_name(enum connect_reason r)
{
    return (unsigned)r < CONNECT_REASON_COUNT ? names[r] : "?";
}

enum connect_reason connect_reason_of(const char *sqlstate, const char *message)
{
    if (sqlstate && sqlstate[0]) {
        for (int r = CONNECT_TOO_MANY; r <= CONNECT_AUTH; r++)
            if (strcmp(sqlstate, names[r]) == 0) return (enum connect_reason)r;
        return CONNECT_OTHER;
    }
    /* Without a SQLSTATE only libpq's own words tell; it speaks English, as
     * txstorm never sets a locale. */
    static const struct {
        const char *words;
        enum connect_reason reason;
    } below_sql[] = {
        {"Connection refused", CONNECT_REFUSED},
        {"timeout expired", CONNECT_TIMEOUT},
        {"server closed the connection unexpectedly", CONNECT_CLOSED},
        {"Connection reset by peer", CONNECT_CLOSED},
        {"EOF detected", CONNECT_CLOSED},
    };
    for (size_t i = 0; message && i < sizeof below_sql / sizeof below_sql[0]; i++)
        if (strstr(message, below_sql[i].words)) return below_sql[i].reason;
    return CONNECT_OTHER;
}

static bool code_char(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

/* Whether p starts a verbose error's "XXXXX: " after the severity's ":  ". */
static bool code_at(const char *p)
{
    for (int i = 0; i < 5; i++)
        if (!code_char(p[i])) return false;
    return p[5] == ':' && p[6] == ' ';
}

/* Appends n bytes of s to out at *pos, truncating at out_len. */
static void put(char *out, size_t out_len, size_t *pos, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *pos + 1 < out_len; i++)
        out[(*pos)++] = s[i];
}

void connect_error_tidy(const char *verbose, char sqlstate[6], char *out, size_t out_len)
{
    size_t pos = 0;
    sqlstate[0] = '\0';
    const char *line = verbose ? verbose : "";
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        /* Where the code is the severity is ("FATAL:  " in any language). */
        if (strncmp(line, "LOCATION:  ", 11) != 0) {
            const char *p = line;
            for (const char *s = strstr(line, ":  "); s && s < line + len; s = strstr(s + 1, ":  "))
                if (code_at(s + 3)) {
                    memcpy(sqlstate, s + 3, 5);
                    sqlstate[5] = '\0';
                    put(out, out_len, &pos, p, (size_t)(s + 3 - p));
                    p = s + 3 + 7;
                    break;
                }
            put(out, out_len, &pos, p, (size_t)(line + len - p));
        }
        line += len;
    }
    if (out_len) out[pos] = '\0';
}
