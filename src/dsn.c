/* Finding passwords in connection strings so they never reach output. */
#include "txstorm/dsn.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MASK "***"

static bool is_uri(const char *dsn)
{
    return strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0;
}

/* Appends n bytes of s to out (always NUL-terminated, silently truncated). */
static void put(char *out, size_t out_len, size_t *pos, const char *s, size_t n)
{
    while (n-- > 0 && *pos + 1 < out_len)
        out[(*pos)++] = *s++;
    if (out_len) out[*pos < out_len ? *pos : out_len - 1] = '\0';
}

/* Keyword/value form: walks "key = value" pairs; a value is bare or
 * single-quoted with backslash escapes. Calls back for each password value. */
static void walk_keywords(const char *dsn, char *out, size_t out_len, char *pw, size_t pw_len)
{
    size_t pos = 0;
    const char *p = dsn;
    if (out_len) out[0] = '\0';
    while (*p) {
        const char *seg = p;
        while (isspace((unsigned char)*p))
            p++;
        const char *key = p;
        while (*p && *p != '=' && !isspace((unsigned char)*p))
            p++;
        size_t key_len = (size_t)(p - key);
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=') { /* malformed: keep what is left only if no password can hide there */
            if (strstr(seg, "password") == NULL)
                put(out, out_len, &pos, seg, strlen(seg));
            else
                put(out, out_len, &pos, " " MASK, strlen(MASK) + 1);
            return;
        }
        p++;
        while (isspace((unsigned char)*p))
            p++;
        const char *val = p;
        char buf[256];
        size_t b = 0;
        if (*p == '\'') {
            p++;
            while (*p && *p != '\'') {
                if (*p == '\\' && p[1]) p++;
                if (b + 1 < sizeof buf) buf[b++] = *p;
                p++;
            }
            if (*p == '\'') p++;
        } else {
            while (*p && !isspace((unsigned char)*p)) {
                if (*p == '\\' && p[1]) p++;
                if (b + 1 < sizeof buf) buf[b++] = *p;
                p++;
            }
        }
        buf[b] = '\0';
        bool secret = key_len == 8 && strncmp(key, "password", 8) == 0;
        if (secret) {
            if (pw && pw_len) snprintf(pw, pw_len, "%s", buf);
            put(out, out_len, &pos, seg, (size_t)(val - seg));
            put(out, out_len, &pos, MASK, strlen(MASK));
        } else {
            put(out, out_len, &pos, seg, (size_t)(p - seg));
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static void percent_decode(const char *s, size_t n, char *out, size_t out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < out_len; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    if (out_len) out[o] = '\0';
}

static void copy_raw(const char *s, size_t n, char *out, size_t out_len)
{
    if (out && out_len) snprintf(out, out_len, "%.*s", (int)n, s);
}

/* URI form: the password sits in user:password@ and/or in ?password= (the key
 * may be percent-encoded too). The user info ends at the first '@' before the
 * first '/', as libpq reads it; the mask reaches the last such '@', so a
 * password with '@' in it is covered whichever way it is read. */
static void walk_uri(const char *dsn, char *out, size_t out_len, char *pw, size_t pw_len, char *raw,
                     size_t raw_len)
{
    size_t pos = 0;
    if (out_len) out[0] = '\0';
    const char *authority = strstr(dsn, "://") + 3;
    const char *end = authority + strcspn(authority, "/");
    const char *first_at = NULL, *last_at = NULL;
    for (const char *q = authority; q < end; q++) {
        if (*q != '@') continue;
        if (!first_at) first_at = q;
        last_at = q;
    }
    const char *colon = NULL;
    if (first_at)
        for (const char *q = authority; q < first_at; q++)
            if (*q == ':') {
                colon = q;
                break;
            }
    const char *p = dsn;
    if (colon) {
        size_t n = (size_t)(first_at - colon - 1);
        if (pw && pw_len) percent_decode(colon + 1, n, pw, pw_len);
        copy_raw(colon + 1, n, raw, raw_len);
        put(out, out_len, &pos, p, (size_t)(colon + 1 - p));
        put(out, out_len, &pos, MASK, strlen(MASK));
        p = last_at;
    }
    const char *query = strchr(p, '?');
    if (!query) {
        put(out, out_len, &pos, p, strlen(p));
        return;
    }
    put(out, out_len, &pos, p, (size_t)(query + 1 - p));
    p = query + 1;
    while (*p) {
        size_t n = strcspn(p, "&");
        size_t key_len = strcspn(p, "=&");
        char key[16];
        percent_decode(p, key_len, key, sizeof key);
        if (key_len < n && strcmp(key, "password") == 0) {
            const char *value = p + key_len + 1;
            size_t value_len = n - key_len - 1;
            if (pw && pw_len) percent_decode(value, value_len, pw, pw_len);
            copy_raw(value, value_len, raw, raw_len);
            put(out, out_len, &pos, p, key_len + 1);
            put(out, out_len, &pos, MASK, strlen(MASK));
        } else {
            put(out, out_len, &pos, p, n);
        }
        p += n;
        if (*p == '&') put(out, out_len, &pos, p++, 1);
    }
}

void dsn_redact(const char *dsn, char *out, size_t out_len)
{
    if (dsn == NULL || *dsn == '\0') {
        snprintf(out, out_len, "(libpq defaults)");
        return;
    }
    if (is_uri(dsn))
        walk_uri(dsn, out, out_len, NULL, 0, NULL, 0);
    else
        walk_keywords(dsn, out, out_len, NULL, 0);
}

void dsn_password(const char *dsn, char *out, size_t out_len, char *raw, size_t raw_len)
{
    char scratch[1024];
    if (out_len) out[0] = '\0';
    if (raw_len) raw[0] = '\0';
    if (dsn == NULL || *dsn == '\0') return;
    if (is_uri(dsn))
        walk_uri(dsn, scratch, sizeof scratch, out, out_len, raw, raw_len);
    else
        walk_keywords(dsn, scratch, sizeof scratch, out, out_len);
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
}
