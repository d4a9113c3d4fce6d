/* Monotonic and wall clocks in microseconds. */
#ifndef TXSTORM_CLOCK_H
#define TXSTORM_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Monotonic time in microseconds: for intervals, never for timestamps. */
static inline int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Wall-clock time in microseconds since the epoch: for timestamps in results. */
static inline int64_t clock_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time (user + system) this process has used, in microseconds. */
int64_t clock_process_cpu_us(void);

/* Sleeps for delay_us microseconds, resuming after signals. */
void clock_sleep_us(int64_t delay_us);

/* A wall-clock time (Unix ms) as UTC time of day, "HH:MM:SS.mmm"; "-" when
 * unix_ms < 0 or it cannot be read. out holds 13 bytes at least. */
void clock_utc_time_of_day(int64_t unix_ms, char *out, size_t len);

#endif
