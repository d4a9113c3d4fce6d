/* Reading a connection string with libpq's own parser, so that what is
 * redacted is what libpq will take as a password, never a guess. */
#include "txstorm/db.h"

#include "txstorm/dsn.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTIONS 64

static void keep_secret(struct dsn_view *v, const char *secret)
{
    if (secret == NULL || *secret == '\0' || v->n_secrets == DSN_VIEW_SECRETS) return;
    snprintf(v->secrets[v->n_secrets], sizeof v->secrets[0], "%s", secret);
    v->secret_list[v->n_secrets] = v->secrets[v->n_secrets];
    v->n_secrets++;
}

int db_dsn_inspect(const char *dsn, struct dsn_view *v, char *err, size_t err_len)
{
    memset(v, 0, sizeof *v);
    char *why = NULL;
    PQconninfoOption *parsed = PQconninfoParse(dsn ? dsn : "", &why);
    /* libpq's reason may quote the string: only an unknown option's name is
     * passed on (one a newer libpq knows, e.g. max_protocol_version). */
    char option[64];
    bool unknown = parsed == NULL && dsn_unknown_option(why, option, sizeof option);
    PQfreemem(why);
    if (unknown) {
        snprintf(err, err_len,
                 "the connection string has an option this libpq (%d) does not know, '%s' (the "
                 "rest not shown: it may hold a password)",
                 PQlibVersion() / 10000, option);
        return -1;
    }
    if (parsed == NULL) {
        snprintf(err, err_len,
                 "the connection string cannot be parsed (not shown: it may hold a password)");
        return -1;
    }
    struct dsn_option opts[MAX_OPTIONS];
    int n = 0;
    for (const PQconninfoOption *o = parsed; o->keyword && n < MAX_OPTIONS; o++) {
        if (o->val == NULL) continue;
        bool secret = o->dispchar && o->dispchar[0] == '*';
        opts[n++] = (struct dsn_option){.key = o->keyword, .value = o->val, .secret = secret};
        if (secret) keep_secret(v, o->val);
    }
    int rc = dsn_validate(opts, n, err, err_len);
    if (rc == 0) dsn_format_redacted(opts, n, v->redacted, sizeof v->redacted);
    PQconninfoFree(parsed);
    keep_secret(v, getenv("PGPASSWORD"));
    return rc;
}

void db_error_name_endpoint(struct db_error *err, const char *dsn, int i, int n)
{
    struct dsn_view v;
    char why[256], msg[sizeof err->message];
    if (db_dsn_inspect(dsn, &v, why, sizeof why) != 0) snprintf(v.redacted, sizeof v.redacted, "?");
    snprintf(msg, sizeof msg, "%s", err->message);
    /* Both cut to fit the message: the DSN to 200, the rest to 280 bytes. */
    snprintf(err->message, sizeof err->message, "endpoint %d of %d (%.200s): %.280s", i + 1, n,
             v.redacted, msg);
}
