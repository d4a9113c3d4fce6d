/* Each event loop's busy share per interval, from its wait, its scheduler
 * statistics and the CPU quota's hold. */
#define _GNU_SOURCE /* gettid's syscall number */
#include "txstorm/loop_meter.h"
#include "txstorm/cgroup.h"

#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A thread's time on a CPU and waiting for one, from the scheduler's
 * statistics; false once it has gone (or without /proc). */
static bool thread_schedstat(pid_t tid, int64_t *cpu_us, int64_t *delay_us)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int)tid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    unsigned long long cpu_ns, delay_ns;
    bool ok = fscanf(f, "%llu %llu", &cpu_ns, &delay_ns) == 2;
    fclose(f);
    *cpu_us = (int64_t)(cpu_ns / 1000);
    *delay_us = (int64_t)(delay_ns / 1000);
    return ok;
}

void loop_meter_attach(struct loop_meter *m) { atomic_store(&m->tid, (pid_t)syscall(SYS_gettid)); }

void cpu_meter_start(struct cpu_meter *c) { c->throttled_us = cgroup_cpu_throttled_us(); }

int64_t cpu_meter_held_back_us(struct cpu_meter *c)
{
    int64_t throttled_us = cgroup_cpu_throttled_us();
    int64_t held_back_us = throttled_us > c->throttled_us ? throttled_us - c->throttled_us : 0;
    c->throttled_us = throttled_us;
    return held_back_us;
}

double loop_meter_interval(struct loop_meter *m, int64_t waited_us, int64_t wall_us,
                           int64_t held_back_us, bool measured)
{
    int64_t busy_us = wall_us - (waited_us - m->last_waited_us), cpu_us = 0, delay_us = 0;
    m->last_waited_us = waited_us;
    pid_t tid = atomic_load(&m->tid);
    if (tid > 0 && thread_schedstat(tid, &cpu_us, &delay_us)) {
        int64_t demand_us =
            (cpu_us - m->last_cpu_us) + (delay_us - m->last_delay_us) + held_back_us;
        if (measured) m->use.cpu_us += cpu_us - m->last_cpu_us;
        if (demand_us > busy_us) busy_us = demand_us;
        m->last_cpu_us = cpu_us;
        m->last_delay_us = delay_us;
    }
    if (measured) saturation_add(&m->use, busy_us, wall_us);
    double share = wall_us > 0 ? (double)busy_us / (double)wall_us : 0;
    return share > 1 ? 1 : share;
}
