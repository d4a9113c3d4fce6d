/* The units of a duration. */
#include "txstorm/duration.h"

#include <string.h>

int64_t duration_unit_us(const char *unit, size_t len)
{
    static const struct {
        const char *suffix;
        int64_t us;
    } units[] = {{"us", 1}, {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000LL}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].suffix) == len && strncmp(unit, units[i].suffix, len) == 0)
            return units[i].us;
    return 0;
}
