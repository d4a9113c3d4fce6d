/* Showing connection options without their secrets, and scrubbing messages. */
#include "txstorm/dsn.h"
#include "txstorm/text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MASK "***"

/* Appends n bytes of s to out (always NUL-terminated, silently truncated). */
static void put(char *out, size_t out_len, size_t *pos, const char *s, size_t n)
{
    while (n-- > 0 && *pos + 1 < out_len)
        out[(*pos)++] = *s++;
    if (out_len) out[*pos < out_len ? *pos : out_len - 1] = '\0';
}

void dsn_scrub(const char *msg, const char *const *secrets, char *out, size_t out_len)
{
    size_t pos = 0;
    if (out_len) out[0] = '\0';
    const char *p = msg ? msg : "";
    while (*p) {
        size_t hit = 0;
        for (const char *const *s = secrets; s && *s; s++) {
            size_t n = strlen(*s);
            if (n >= DSN_SCRUB_MIN_LEN && strncmp(p, *s, n) == 0 && n > hit) hit = n;
        }
        if (hit) {
            put(out, out_len, &pos, MASK, strlen(MASK));
            p += hit;
        } else {
            put(out, out_len, &pos, p, 1);
            p++;
        }
    }
    while (pos > 0 && (out[pos - 1] == '\n' || out[pos - 1] == '\r'))
        out[--pos] = '\0';
    /* Several lines from libpq become one: the contract is one line on stderr. */
    for (size_t i = 0; i < pos; i++)
        if (out[i] == '\n' || out[i] == '\r' || out[i] == '\t') out[i] = ' ';
    /* A server or a string in another encoding: kept as server messages are. */
    text_copy_utf8(out, out_len, out);
}

/* ---- options as libpq parsed them ---- */

static bool is_key(const struct dsn_option *o, const char *key) { return strcmp(o->key, key) == 0; }

int dsn_validate(const struct dsn_option *opts, int n, char *err, size_t err_len)
{
    for (int i = 0; i < n; i++) {
        const struct dsn_option *o = &opts[i];
        bool named = is_key(o, "host") || is_key(o, "hostaddr") || is_key(o, "dbname");
        if (named && strchr(o->value, '@')) {
            snprintf(err, err_len,
                     "the connection string has an '@' in its %s (not shown: it may hold a "
                     "password); percent-encode '@' in a URI's password as %%40",
                     o->key);
            return -1;
        }
        if (is_key(o, "port") && o->value[strspn(o->value, "0123456789,")] != '\0') {
            snprintf(err, err_len,
                     "the connection string has a port that is not a number (not shown: it may "
                     "hold a password); percent-encode '/' and ':' in a URI's password as %%2F "
                     "and %%3A");
            return -1;
        }
    }
    return 0;
}

bool dsn_unknown_option(const char *why, char *name, size_t len)
{
    static const char *const says[] = {"invalid connection option \"",
                                       "invalid URI query parameter: \""};
    for (size_t i = 0; why && i < sizeof says / sizeof says[0]; i++) {
        if (strncmp(why, says[i], strlen(says[i])) != 0) continue;
        const char *at = why + strlen(says[i]);
        size_t n = 0;
        while (isalnum((unsigned char)at[n]) || at[n] == '_')
            n++;
        /* The quote that closes the message: "a\"b" is no name. */
        if (n == 0 || n >= len || n >= 64 || at[n] != '"' || (at[n + 1] && at[n + 1] != '\n'))
            return false;
        memcpy(name, at, n);
        name[n] = '\0';
        return true;
    }
    return false;
}

/* Appends a keyword/value pair, quoting the value the way libpq reads it. */
static void put_option(char *out, size_t out_len, size_t *pos, const struct dsn_option *o)
{
    if (*pos > 0) put(out, out_len, pos, " ", 1);
    put(out, out_len, pos, o->key, strlen(o->key));
    put(out, out_len, pos, "=", 1);
    if (o->secret) {
        put(out, out_len, pos, MASK, strlen(MASK));
        return;
    }
    const char *v = o->value;
    bool quote = *v == '\0' || strpbrk(v, " \t\n\r\f\v'\\") != NULL;
    if (quote) put(out, out_len, pos, "'", 1);
    for (; *v; v++) {
        if (*v == '\'' || *v == '\\') put(out, out_len, pos, "\\", 1);
        put(out, out_len, pos, v, 1);
    }
    if (quote) put(out, out_len, pos, "'", 1);
}

void dsn_format_redacted(const struct dsn_option *opts, int n, char *out, size_t out_len)
{
    static const char *const first[] = {"host", "port", "user", "password", "dbname"};
    size_t pos = 0;
    if (out_len) out[0] = '\0';
    for (size_t k = 0; k < sizeof first / sizeof *first; k++)
        for (int i = 0; i < n; i++)
            if (is_key(&opts[i], first[k])) put_option(out, out_len, &pos, &opts[i]);
    for (int i = 0; i < n; i++) {
        bool done = false;
        for (size_t k = 0; k < sizeof first / sizeof *first; k++)
            done = done || is_key(&opts[i], first[k]);
        if (!done) put_option(out, out_len, &pos, &opts[i]);
    }
    if (pos == 0) snprintf(out, out_len, "(libpq defaults)");
    /* A value in another encoding (an application_name in Latin-1): the JSON
     * result and the metrics' labels carry only UTF-8, so it is kept as server
     * messages are, each stray byte a '?'. */
    text_copy_utf8(out, out_len, out);
}

int dsn_list_count(const char *list)
{
    if (list == NULL || *list == '\0') return 0;
    int n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    return n;
}

bool dsn_list_item(const char *list, int i, char *out, size_t out_len)
{
    if (i < 0 || i >= dsn_list_count(list)) return false;
    const char *start = list;
    for (; i > 0; i--)
        start = strchr(start, ',') + 1;
    size_t len = strcspn(start, ",");
    if (len >= out_len) return false;
    memcpy(out, start, len);
    out[len] = '\0';
    return true;
}

int dsn_host_count(const char *host, const char *hostaddr, const char *port)
{
    int hosts = dsn_list_count(host), addrs = dsn_list_count(hostaddr);
    int ports = dsn_list_count(port);
    if (hosts > 0 && addrs > 0 && hosts != addrs) return 1;
    int n = hosts > addrs ? hosts : addrs;
    if (n <= 1) return 1;
    return ports <= 1 || ports == n ? n : 1;
}
