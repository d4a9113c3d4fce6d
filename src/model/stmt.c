/* What a statement of a transfer means for its outcome. */
#include "txstorm/stmt.h"

bool stmt_is_commit_point(const struct stmt *s, const struct dialect *d)
{
    /* The pipelined transaction carries its injection inside (value 1). */
    if ((s->prefix & STMT_WITH_INJECT) || (s->kind == STMT_PIPELINED && s->value)) return false;
    return s->kind == STMT_COMMIT || s->kind == STMT_SINGLE || s->kind == STMT_PIPELINED ||
           (s->kind == STMT_RELEASE && d->savepoint_release_commits);
}
