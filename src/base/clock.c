/* Sleeping for a span of microseconds, and the process's CPU time. */
#include "txstorm/clock.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

int64_t clock_process_cpu_us(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

void clock_sleep_us(int64_t delay_us)
{
    if (delay_us <= 0) return;
    struct timespec ts = {.tv_sec = delay_us / 1000000, .tv_nsec = (delay_us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

void clock_utc_time_of_day(int64_t unix_ms, char *out, size_t len)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    if (unix_ms < 0 || gmtime_r(&secs, &tm) == NULL) {
        snprintf(out, len, "-");
        return;
    }
    snprintf(out, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(unix_ms % 1000));
}
