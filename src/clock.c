/* Sleeping for a span of microseconds. */
#include "txstorm/clock.h"

#include <errno.h>

void clock_sleep_us(int64_t delay_us)
{
    if (delay_us <= 0) return;
    struct timespec ts = {.tv_sec = delay_us / 1000000, .tv_nsec = (delay_us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}
