/* The error log to and from JSON. */
#include "txstorm/errlog_json.h"

#include "txstorm/errbuf.h"

#include <string.h>

json_t *errlog_json_encode(const struct errlog *l)
{
    json_t *codes = json_array();
    for (int i = 0; i < l->n; i++) {
        const struct errlog_entry *e = &l->e[i];
        json_array_append_new(codes, json_pack("{s:s, s:s, s:I, s:s}", "sqlstate", e->sqlstate,
                                               "class", classify_name(e->cls), "count",
                                               (json_int_t)e->count, "message", e->message));
    }
    return json_pack("{s:o, s:I}", "codes", codes, "unlisted", (json_int_t)l->unlisted);
}

static int class_of(const char *name, enum error_class *out)
{
    for (int c = 0; c < ERR_CLASS_COUNT; c++) {
        if (strcmp(classify_name(c), name) == 0 && errlog_wants(c)) {
            *out = c;
            return 0;
        }
    }
    return -1;
}

int errlog_json_decode(const json_t *o, struct errlog *l, char *err, size_t err_len)
{
    errlog_reset(l);
    if (o == NULL) return 0;
    json_t *codes = NULL;
    json_int_t unlisted = 0;
    if (json_unpack((json_t *)o, "{s:o, s:I}", "codes", &codes, "unlisted", &unlisted) != 0 ||
        !json_is_array(codes) || unlisted < 0)
        return errbuf_fail(err, err_len, "malformed 'errors_by_sqlstate'");
    size_t i;
    json_t *v;
    json_array_foreach(codes, i, v)
    {
        const char *sqlstate, *cls_name, *message;
        json_int_t count;
        enum error_class cls;
        if (json_unpack(v, "{s:s, s:s, s:I, s:s}", "sqlstate", &sqlstate, "class", &cls_name,
                        "count", &count, "message", &message) != 0 ||
            count < 0 || strlen(sqlstate) > 5 || class_of(cls_name, &cls) != 0)
            return errbuf_fail(err, err_len, "malformed 'errors_by_sqlstate' entry %zu", i + 1);
        errlog_add(l, cls, sqlstate, message, count);
    }
    l->unlisted += unlisted;
    return 0;
}
