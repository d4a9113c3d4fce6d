/* Non-contention errors by SQLSTATE. */
#include "txstorm/errlog.h"

#include <stdio.h>
#include <string.h>

bool errlog_wants(enum error_class cls) { return cls == ERR_OTHER || cls == ERR_CONSTRAINT; }

void errlog_reset(struct errlog *l)
{
    l->n = 0;
    l->unlisted = 0;
}

/* libpq prefixes a server message with its severity; the code says enough. */
static const char *primary(const char *message)
{
    static const char *const severities[] = {"ERROR:  ", "FATAL:  ", "PANIC:  "};
    for (size_t i = 0; i < sizeof severities / sizeof *severities; i++)
        if (strncmp(message, severities[i], strlen(severities[i])) == 0)
            return message + strlen(severities[i]);
    return message;
}

/* The length of the well-formed UTF-8 character at m, or 0 if it is not
 * one (a stray byte, an overlong form, a surrogate, past U+10FFFF). */
static size_t utf8_char(const unsigned char *m)
{
    if (m[0] < 0x80) return 1;
    size_t n = m[0] >= 0xC2 && m[0] <= 0xDF   ? 2
               : m[0] >= 0xE0 && m[0] <= 0xEF ? 3
               : m[0] >= 0xF0 && m[0] <= 0xF4 ? 4
                                              : 0;
    for (size_t k = 1; k < n; k++)
        if ((m[k] & 0xC0) != 0x80) return 0;
    if ((m[0] == 0xE0 && m[1] < 0xA0) || (m[0] == 0xED && m[1] >= 0xA0) ||
        (m[0] == 0xF0 && m[1] < 0x90) || (m[0] == 0xF4 && m[1] >= 0x90))
        return 0;
    return n;
}

void errlog_copy_message(char *out, const char *message)
{
    /* A server in another encoding may send bytes that are not UTF-8: each
     * becomes '?', so the JSON form keeps the entry. */
    const unsigned char *m = (const unsigned char *)primary(message);
    size_t o = 0;
    while (*m) {
        size_t n = utf8_char(m);
        size_t width = n ? n : 1;
        if (o + width > ERRLOG_MESSAGE_MAX - 1) break;
        if (n)
            memcpy(out + o, m, n);
        else
            out[o] = '?';
        o += width;
        m += width;
    }
    out[o] = '\0';
}

void errlog_add(struct errlog *l, enum error_class cls, const char *sqlstate, const char *message,
                int64_t count)
{
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->e[i].sqlstate, sqlstate) == 0) {
            l->e[i].count += count;
            return;
        }
    }
    if (l->n == ERRLOG_CODES) {
        l->unlisted += count;
        return;
    }
    struct errlog_entry *e = &l->e[l->n++];
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", sqlstate);
    e->cls = cls;
    e->count = count;
    errlog_copy_message(e->message, message ? message : "");
}

void errlog_merge(struct errlog *dst, const struct errlog *src)
{
    for (int i = 0; i < src->n; i++)
        errlog_add(dst, src->e[i].cls, src->e[i].sqlstate, src->e[i].message, src->e[i].count);
    dst->unlisted += src->unlisted;
}

int64_t errlog_total(const struct errlog *l)
{
    int64_t total = l->unlisted;
    for (int i = 0; i < l->n; i++)
        total += l->e[i].count;
    return total;
}

const struct errlog_entry *errlog_top(const struct errlog *l)
{
    const struct errlog_entry *top = NULL;
    for (int i = 0; i < l->n; i++)
        if (top == NULL || l->e[i].count > top->count) top = &l->e[i];
    return top;
}
