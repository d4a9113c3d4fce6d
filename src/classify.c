/* SQLSTATE to error class. */
#include "txstorm/classify.h"

#include <string.h>

enum error_class classify_sqlstate(const char *sqlstate, bool commit_in_flight) {
    if (sqlstate == NULL || sqlstate[0] == '\0')
        /* No SQLSTATE means the client lost the server, not that it refused. */
        return commit_in_flight ? ERR_AMBIGUOUS : ERR_CONNECTION;
    if (strcmp(sqlstate, "40001") == 0) return ERR_SERIALIZATION;
    if (strcmp(sqlstate, "40P01") == 0) return ERR_DEADLOCK;
    if (strcmp(sqlstate, "40003") == 0) return ERR_AMBIGUOUS;
    if (strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
        strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0)
        return commit_in_flight ? ERR_AMBIGUOUS : ERR_CONNECTION;
    return ERR_OTHER;
}

bool classify_is_retryable(enum error_class c) {
    return c == ERR_SERIALIZATION || c == ERR_DEADLOCK;
}

const char *classify_name(enum error_class c) {
    static const char *const names[ERR_CLASS_COUNT] = {
        [ERR_SERIALIZATION] = "serialization",
        [ERR_DEADLOCK] = "deadlock",
        [ERR_AMBIGUOUS] = "ambiguous",
        [ERR_CONNECTION] = "connection",
        [ERR_OTHER] = "other",
    };
    return (unsigned)c < ERR_CLASS_COUNT ? names[c] : "?";
}
