/* A histogram as JSON and back, compactly: its parameters and the non-zero
 * counts as [index, count] pairs, so a saved result can be re-plotted and
 * merged exactly. */
#ifndef TXSTORM_HIST_JSON_H
#define TXSTORM_HIST_JSON_H

#include "txstorm/hist.h"
#include <jansson.h>
#include <stddef.h>

/* {"sig_figs": 3, "highest": 3600000000, "unit": "us", "total_count": N,
 *  "min": .., "max": .., "sum": .., "clamped": .., "counts": [[i, c], ...]} */
json_t *hist_json_encode(const struct hist *h);

/* Rebuilds a histogram from hist_json_encode's form; NULL with one line in err
 * when the JSON is malformed or inconsistent (counts not adding up to
 * total_count, indexes out of range, ...). */
struct hist *hist_json_decode(const json_t *j, char *err, size_t err_len);

#endif
