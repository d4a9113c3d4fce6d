/* Errors that are not contention — class other or constraint: a missing
 * privilege, a trigger raising, a statement timeout — counted by SQLSTATE,
 * each with the first message seen, so a run that failed for a reason of
 * its own says which. Pure; merged like the stats that hold it. */
#ifndef TXSTORM_ERRLOG_H
#define TXSTORM_ERRLOG_H

#include "txstorm/classify.h"
#include <stdbool.h>
#include <stdint.h>

/* Distinct SQLSTATEs kept; more are counted in `unlisted`. */
#define ERRLOG_CODES 16
#define ERRLOG_MESSAGE_MAX 160

struct errlog_entry {
    char sqlstate[6]; /* "" when the server sent none */
    enum error_class cls;
    int64_t count;
    char message[ERRLOG_MESSAGE_MAX]; /* the first one, without libpq's "ERROR:  " */
};

struct errlog {
    int n;
    struct errlog_entry e[ERRLOG_CODES];
    int64_t unlisted; /* errors of codes beyond the first ERRLOG_CODES */
};

/* Copies message into out (ERRLOG_MESSAGE_MAX bytes), without libpq's
 * "ERROR:  " prefix, cut at a character boundary, each byte that is not
 * part of a well-formed UTF-8 character replaced by '?'. */
void errlog_copy_message(char *out, const char *message);

/* Whether an error of this class is logged here (other, constraint). */
bool errlog_wants(enum error_class cls);

void errlog_reset(struct errlog *l);

/* Counts one error (count of them) of sqlstate; keeps message if it is the
 * code's first. */
void errlog_add(struct errlog *l, enum error_class cls, const char *sqlstate, const char *message,
                int64_t count);

/* Adds src's counts into dst. */
void errlog_merge(struct errlog *dst, const struct errlog *src);

/* Every error counted, listed or not. */
int64_t errlog_total(const struct errlog *l);

/* The code counted most (the first of equals); NULL when none. */
const struct errlog_entry *errlog_top(const struct errlog *l);

#endif
