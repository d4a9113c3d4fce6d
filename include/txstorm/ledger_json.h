/* The tool's record (ledger.h) as JSON, for the result file and back. Pure. */
#ifndef TXSTORM_LEDGER_JSON_H
#define TXSTORM_LEDGER_JSON_H

#include "txstorm/ledger.h"
#include <jansson.h>

/* {"instance": I, "origin_unix_ms": T,
 *  "workers": [{"n": N, "outcomes": "<base64 of the 2-bit array>",
 *               "at_ms": "<base64 of each outcome's ms since T, as zigzag varint deltas>"}, ...],
 *  "acked": .., "failed": .., "ambiguous": .., "failed_sample": [ids], "acked_sample": [ids]}
 * The samples hold up to 8 ids each, for humans and tests. origin_unix_ms and
 * at_ms are absent from older results: their times read as unknown. */
json_t *ledger_json_encode(const struct ledger *l);

/* Rebuilds a ledger from ledger_json_encode's form; -1 with one line in err. */
int ledger_json_decode(const json_t *j, struct ledger *l, char *err, size_t err_len);

#endif
