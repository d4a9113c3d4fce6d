/* SQLSTATE to error class, 40001 message to retry reason, and the retry set. */
#include "txstorm/classify.h"
#include "txstorm/errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum error_class classify_sqlstate(const char *sqlstate, bool commit_in_flight)
{
    if (sqlstate == NULL || sqlstate[0] == '\0')
        /* No SQLSTATE means the client lost the server, not that it refused. */
        return commit_in_flight ? ERR_AMBIGUOUS : ERR_CONNECTION;
    if (strcmp(sqlstate, "40001") == 0) return ERR_SERIALIZATION;
    if (strcmp(sqlstate, "40P01") == 0) return ERR_DEADLOCK;
    if (strcmp(sqlstate, "40003") == 0) return ERR_AMBIGUOUS;
    /* 57P01-03: the server is shutting down or not yet accepting, so the
     * session is as gone as with a class 08 error. */
    if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0)
        return commit_in_flight ? ERR_AMBIGUOUS : ERR_CONNECTION;
    /* 25006 (read_only_sql_transaction): the connection reached a read-only
     * server, such as a standby after a failover. A new connection may land
     * on the writable one; the refused statement wrote nothing, so even at
     * COMMIT the outcome is a definite no, not ambiguous. */
    if (strcmp(sqlstate, "25006") == 0) return ERR_CONNECTION;
    if (strncmp(sqlstate, "23", 2) == 0) return ERR_CONSTRAINT;
    return ERR_OTHER;
}

/* First match wins, so the order below is part of the contract:
 * - txstorm's own injected text first, whatever else it quotes;
 * - CockroachDB's TransactionRetryError prints "retry txn (REASON - extra)",
 *   and RETRY_WRITE_TOO_OLD's extra is "WriteTooOld flag converted to
 *   WriteTooOldError", so the reason names come before the error type names;
 * - the ABORT_REASON_ names are prefixes of older variants
 *   (ABORT_REASON_TIMESTAMP_CACHE_REJECTED_POSSIBLE_REPLAY), so the specific
 *   ones come before the catch-all "ABORT_REASON_".
 * PostgreSQL's texts are matched without "could not" so that the same
 * wording quoted inside another server's message still counts. */
static const struct {
    const char *needle;
    enum retry_reason reason;
} reason_rules[] = {
    {CLASSIFY_INJECTED_MESSAGE, REASON_INJECTED},
    {"serialize access due to concurrent update", REASON_PG_CONCURRENT_UPDATE},
    {"serialize access due to concurrent delete", REASON_PG_CONCURRENT_DELETE},
    {"serialize access due to read/write dependencies among transactions", REASON_PG_RW_DEPENDENCY},
    {"RETRY_WRITE_TOO_OLD", REASON_RETRY_WRITE_TOO_OLD},
    {"RETRY_SERIALIZABLE", REASON_RETRY_SERIALIZABLE},
    {"RETRY_ASYNC_WRITE_FAILURE", REASON_RETRY_ASYNC_WRITE_FAILURE},
    {"RETRY_COMMIT_DEADLINE_EXCEEDED", REASON_RETRY_COMMIT_DEADLINE_EXCEEDED},
    {"ABORT_REASON_ABORTED_RECORD_FOUND", REASON_ABORT_ABORTED_RECORD_FOUND},
    {"ABORT_REASON_CLIENT_REJECT", REASON_ABORT_CLIENT_REJECT},
    {"ABORT_REASON_PUSHER_ABORTED", REASON_ABORT_PUSHER_ABORTED},
    {"ABORT_REASON_ABORT_SPAN", REASON_ABORT_ABORT_SPAN},
    {"ABORT_REASON_NEW_LEASE_PREVENTS_TXN", REASON_ABORT_NEW_LEASE_PREVENTS_TXN},
    {"ABORT_REASON_TIMESTAMP_CACHE_REJECTED", REASON_ABORT_TIMESTAMP_CACHE_REJECTED},
    {"ABORT_REASON_", REASON_ABORT_OTHER},
    {"ReadWithinUncertaintyInterval", REASON_READ_WITHIN_UNCERTAINTY},
    {"WriteTooOldError", REASON_WRITE_TOO_OLD},
};

enum retry_reason classify_reason(const char *message)
{
    if (message == NULL) return REASON_UNKNOWN;
    for (size_t i = 0; i < sizeof reason_rules / sizeof reason_rules[0]; i++)
        if (strstr(message, reason_rules[i].needle) != NULL) return reason_rules[i].reason;
    return REASON_UNKNOWN;
}

static const char *const class_names[ERR_CLASS_COUNT] = {
    [ERR_SERIALIZATION] = "serialization", [ERR_DEADLOCK] = "deadlock",
    [ERR_AMBIGUOUS] = "ambiguous",         [ERR_CONNECTION] = "connection",
    [ERR_CONSTRAINT] = "constraint",       [ERR_OTHER] = "other",
};

const char *classify_name(enum error_class c)
{
    return (unsigned)c < ERR_CLASS_COUNT ? class_names[c] : "?";
}

const char *classify_reason_name(enum retry_reason r)
{
    static const char *const names[REASON_COUNT] = {
        [REASON_UNKNOWN] = "unknown",
        [REASON_PG_CONCURRENT_UPDATE] = "concurrent_update",
        [REASON_PG_CONCURRENT_DELETE] = "concurrent_delete",
        [REASON_PG_RW_DEPENDENCY] = "rw_dependency",
        [REASON_RETRY_WRITE_TOO_OLD] = "RETRY_WRITE_TOO_OLD",
        [REASON_RETRY_SERIALIZABLE] = "RETRY_SERIALIZABLE",
        [REASON_RETRY_ASYNC_WRITE_FAILURE] = "RETRY_ASYNC_WRITE_FAILURE",
        [REASON_RETRY_COMMIT_DEADLINE_EXCEEDED] = "RETRY_COMMIT_DEADLINE_EXCEEDED",
        [REASON_READ_WITHIN_UNCERTAINTY] = "ReadWithinUncertaintyInterval",
        [REASON_WRITE_TOO_OLD] = "WriteTooOld",
        [REASON_ABORT_ABORTED_RECORD_FOUND] = "ABORT_REASON_ABORTED_RECORD_FOUND",
        [REASON_ABORT_CLIENT_REJECT] = "ABORT_REASON_CLIENT_REJECT",
        [REASON_ABORT_PUSHER_ABORTED] = "ABORT_REASON_PUSHER_ABORTED",
        [REASON_ABORT_ABORT_SPAN] = "ABORT_REASON_ABORT_SPAN",
        [REASON_ABORT_NEW_LEASE_PREVENTS_TXN] = "ABORT_REASON_NEW_LEASE_PREVENTS_TXN",
        [REASON_ABORT_TIMESTAMP_CACHE_REJECTED] = "ABORT_REASON_TIMESTAMP_CACHE_REJECTED",
        [REASON_ABORT_OTHER] = "ABORT_REASON_other",
        [REASON_INJECTED] = "injected",
    };
    return (unsigned)r < REASON_COUNT ? names[r] : "?";
}

struct retry_set classify_default_retry_set(void)
{
    struct retry_set s = {{false}};
    char err[128];
    if (classify_parse_retry_set(CLASSIFY_DEFAULT_RETRY_ON, &s, err, sizeof err) != 0) abort();
    return s;
}

int classify_parse_retry_set(const char *list, struct retry_set *out, char *err, size_t err_len)
{
    if (list == NULL || list[0] == '\0')
        return errbuf_fail(
            err, err_len,
            "--retry-on: empty; give classes from serialization, deadlock, constraint, "
            "other");
    struct retry_set s = {{false}};
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        if (len == 0)
            return errbuf_fail(err, err_len, "--retry-on: empty class name in '%s'", list);
        int found = -1;
        for (int c = 0; c < ERR_CLASS_COUNT; c++)
            if (strlen(class_names[c]) == len && strncmp(p, class_names[c], len) == 0) found = c;
        if (found == ERR_AMBIGUOUS)
            return errbuf_fail(
                err, err_len,
                "--retry-on: ambiguous is never retried in place: the attempt may have "
                "committed");
        if (found == ERR_CONNECTION)
            return errbuf_fail(
                err, err_len,
                "--retry-on: connection is never retried in place: the session is gone "
                "and a new connection starts a new transaction");
        if (found < 0)
            return errbuf_fail(
                err, err_len,
                "--retry-on: unknown class '%.*s' (serialization, deadlock, constraint, "
                "other)",
                (int)len, p);
        s.retry[found] = true;
        p += len;
        if (*p == '\0') break;
    }
    *out = s;
    return 0;
}

bool classify_is_retryable(const struct retry_set *s, enum error_class c)
{
    /* Refused here too, so a hand-built set cannot retry an attempt whose
     * outcome is unknown. */
    if ((unsigned)c >= ERR_CLASS_COUNT || c == ERR_AMBIGUOUS || c == ERR_CONNECTION) return false;
    return s->retry[c];
}
