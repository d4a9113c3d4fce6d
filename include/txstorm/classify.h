/* Classification of server errors: every failure lands in exactly one class,
 * and a serialization failure also in one reason. Pure. */
#ifndef TXSTORM_CLASSIFY_H
#define TXSTORM_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

enum error_class {
    ERR_SERIALIZATION, /* 40001 */
    ERR_DEADLOCK,      /* 40P01 */
    ERR_AMBIGUOUS,     /* 40003, or the connection lost while COMMIT was in flight */
    ERR_CONNECTION,    /* 08xxx, 57P01-57P03, 25006 (a read-only server), or no answer */
    ERR_CONSTRAINT,    /* 23xxx integrity constraint violations */
    ERR_OTHER,         /* anything else */
    ERR_CLASS_COUNT
};

/* Why a serialization failure (40001) happened, read from the message text:
 * PostgreSQL's own wording, CockroachDB's retry reasons, or txstorm's
 * injected retries. */
enum retry_reason {
    REASON_UNKNOWN,              /* a 40001 whose message matches nothing below */
    REASON_PG_CONCURRENT_UPDATE, /* "could not serialize access due to concurrent update" */
    REASON_PG_CONCURRENT_DELETE, /* "... due to concurrent delete" */
    REASON_PG_RW_DEPENDENCY,     /* "... due to read/write dependencies among transactions" */
    REASON_RETRY_WRITE_TOO_OLD,  /* CockroachDB TransactionRetryWithProtoRefreshError reasons */
    REASON_RETRY_SERIALIZABLE,
    REASON_RETRY_ASYNC_WRITE_FAILURE,
    REASON_RETRY_COMMIT_DEADLINE_EXCEEDED,
    REASON_READ_WITHIN_UNCERTAINTY,    /* ReadWithinUncertaintyIntervalError */
    REASON_WRITE_TOO_OLD,              /* WriteTooOldError */
    REASON_ABORT_ABORTED_RECORD_FOUND, /* TransactionAbortedError(ABORT_REASON_...) */
    REASON_ABORT_CLIENT_REJECT,
    REASON_ABORT_PUSHER_ABORTED,
    REASON_ABORT_ABORT_SPAN,
    REASON_ABORT_NEW_LEASE_PREVENTS_TXN,
    REASON_ABORT_TIMESTAMP_CACHE_REJECTED,
    REASON_ABORT_OTHER, /* any other ABORT_REASON_* */
    REASON_INJECTED,    /* raised by txstorm --inject-retry */
    REASON_COUNT
};

/* One failure as the retry loop sees it. */
struct db_error {
    enum error_class cls;
    enum retry_reason reason; /* for serialization failures */
    char sqlstate[6];         /* "" when the server sent none */
    char message[512];        /* one line, passwords scrubbed */
};

/* The text txstorm's injected retries carry, so they are told apart. */
#define CLASSIFY_INJECTED_MESSAGE "txstorm injected retry"

/* Maps a five-character SQLSTATE (or NULL/"" when the server sent none) to a class.
 * commit_in_flight says whether the failure happened while COMMIT was outstanding,
 * which turns a lost connection into an ambiguous outcome. */
enum error_class classify_sqlstate(const char *sqlstate, bool commit_in_flight);

/* The reason of a serialization failure, from its message (NULL gives UNKNOWN). */
enum retry_reason classify_reason(const char *message);

/* Short stable names used in reports and JSON: "serialization", "deadlock", ...;
 * reasons as "concurrent_update", "RETRY_WRITE_TOO_OLD", "injected", ... */
const char *classify_name(enum error_class c);
const char *classify_reason_name(enum retry_reason r);

/* Which classes the retry loop retries. Ambiguous and connection errors are
 * never retried in place: the outcome of the attempt is unknown. */
struct retry_set {
    bool retry[ERR_CLASS_COUNT];
};

/* The default set (--retry-on's default), as one would type it. */
#define CLASSIFY_DEFAULT_RETRY_ON "serialization,deadlock"

/* The default set, read from CLASSIFY_DEFAULT_RETRY_ON. */
struct retry_set classify_default_retry_set(void);

/* Parses a comma-separated list of class names (serialization, deadlock,
 * constraint, other). Returns 0, or -1 with one line in err. */
int classify_parse_retry_set(const char *list, struct retry_set *out, char *err, size_t err_len);

bool classify_is_retryable(const struct retry_set *s, enum error_class c);

#endif
