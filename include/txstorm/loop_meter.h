/* How busy each event loop is, interval by interval: its time outside
 * waiting for events, or, when CPU was scarce, its time on a CPU plus its time
 * runnable but not given one plus the time the process's CPU quota held it
 * back, whichever is more (a starved loop spends its starvation partly inside
 * the wait, with its events already there; kernels from 6.18 on take a
 * throttled thread off the run queue, so its time held back shows only in
 * the cgroup's cpu.stat). Reads /proc/self/task/TID/schedstat and the
 * cgroup's cpu.stat; the arithmetic is saturation.h's. */
#ifndef TXSTORM_LOOP_METER_H
#define TXSTORM_LOOP_METER_H

#include "txstorm/saturation.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One loop's meter: its thread, and at the last interval its wait, CPU and
 * run-queue delay; its use over the measured intervals. */
struct loop_meter {
    _Atomic pid_t tid; /* 0 until its thread says which it is */
    int64_t last_waited_us, last_cpu_us, last_delay_us;
    struct loop_use use;
};

/* The process's meter: the CPU quota's hold at the last interval. */
struct cpu_meter {
    int64_t throttled_us;
};

/* Called from the loop's own thread once it runs. */
void loop_meter_attach(struct loop_meter *m);

/* Starts counting the quota's hold from now. */
void cpu_meter_start(struct cpu_meter *c);

/* The quota's hold since the last call (or the start). */
int64_t cpu_meter_held_back_us(struct cpu_meter *c);

/* One loop's share of an interval of wall_us, in which it waited waited_us in
 * all so far (loop_waited_us) and the quota held the process back
 * held_back_us; measured intervals count towards its use. Returns its busy
 * share, at most 1. */
double loop_meter_interval(struct loop_meter *m, int64_t waited_us, int64_t wall_us,
                           int64_t held_back_us, bool measured);

#endif
