/* 64-bit identifiers (seeds, bank and run ids) in JSON: written as strings of
 * decimal digits, since jq 1.6 and JavaScript read every number as a double
 * and round one past 2^53 (2447579678989284000 for ...283738); read back from
 * such a string or, as older results wrote them, an integer. Pure. */
#ifndef TXSTORM_JSON_ID_H
#define TXSTORM_JSON_ID_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* "12345" (NULL when out of memory). */
json_t *json_id(int64_t id);

/* The id in v: a string of decimal digits or an integer, not negative;
 * false when v is neither (out is left alone). */
bool json_id_value(const json_t *v, int64_t *out);

#endif
