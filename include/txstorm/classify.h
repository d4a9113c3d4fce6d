/* Classification of server errors: every failure lands in exactly one class. */
#ifndef TXSTORM_CLASSIFY_H
#define TXSTORM_CLASSIFY_H

#include <stdbool.h>

enum error_class {
    ERR_SERIALIZATION, /* 40001: retry the transaction */
    ERR_DEADLOCK,      /* 40P01: retry the transaction */
    ERR_AMBIGUOUS,     /* 40003, or the connection lost while COMMIT was in flight */
    ERR_CONNECTION,    /* 08xxx, 57P01-57P03, or no server answer at all */
    ERR_OTHER,         /* anything else: never retried */
    ERR_CLASS_COUNT
};

/* Maps a five-character SQLSTATE (or NULL/"" when the server sent none) to a class.
 * commit_in_flight says whether the failure happened while COMMIT was outstanding,
 * which turns a lost connection into an ambiguous outcome. */
enum error_class classify_sqlstate(const char *sqlstate, bool commit_in_flight);

/* Whether the restart protocol retries this class. */
bool classify_is_retryable(enum error_class c);

/* Short stable name used in reports and JSON: "serialization", "deadlock", ... */
const char *classify_name(enum error_class c);

#endif
