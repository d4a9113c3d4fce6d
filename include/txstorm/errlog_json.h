/* The error log in a result file: {"codes": [{"sqlstate", "class", "count",
 * "message"}, ...], "unlisted": N}, written and read back by one pair. */
#ifndef TXSTORM_ERRLOG_JSON_H
#define TXSTORM_ERRLOG_JSON_H

#include "txstorm/errlog.h"
#include <jansson.h>
#include <stddef.h>

json_t *errlog_json_encode(const struct errlog *l);

/* Reads what errlog_json_encode wrote into l (NULL o: an older result, empty).
 * 0, or -1 with one line in err. */
int errlog_json_decode(const json_t *o, struct errlog *l, char *err, size_t err_len);

#endif
