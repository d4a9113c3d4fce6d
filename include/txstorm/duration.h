/* The units a duration is written in, one table for every parser of one
 * (--duration and the other duration flags, --load's spans, --trigger's
 * times). Pure. */
#ifndef TXSTORM_DURATION_H
#define TXSTORM_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* As the messages name them. */
#define DURATION_UNITS "us, ms, s, m, h"

/* The microseconds in one `unit` (its first len characters: "ms" in "ms"),
 * or 0 when it is none of the units. */
int64_t duration_unit_us(const char *unit, size_t len);

#endif
