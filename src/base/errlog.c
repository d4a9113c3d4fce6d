/* Non-contention errors by SQLSTATE. */
#include "txstorm/errlog.h"
#include "txstorm/text.h"

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

void errlog_copy_message(char *out, const char *message)
{
    /* A server in another encoding may send bytes that are not UTF-8: each
     * becomes '?', so the JSON form keeps the entry. */
    text_copy_utf8(out, ERRLOG_MESSAGE_MAX, primary(message));
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
