/* This process's control groups, read from the kernel's files: the
 * directory of each (v2, and v1 per controller) and the CPU time its quota
 * held it back. Shared by the memory headroom and the loops' busy time. */
#ifndef TXSTORM_CGROUP_H
#define TXSTORM_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a small file whole into buf (NUL-terminated); false when it cannot. */
bool cgroup_read_file(const char *path, char *buf, size_t len);

/* Calls each(dir, v2, data) for this process's cgroup v2 directory and for
 * its cgroup v1 directory of controller ("memory", "cpu"), where
 * /proc/self/cgroup names them. */
void cgroup_dirs(const char *controller, void (*each)(const char *dir, bool v2, void *data),
                 void *data);

/* The value of key in a "key value" text (memory.stat, cpu.stat); 0: absent. */
uint64_t cgroup_parse_stat(const char *text, const char *key);

/* How long, in all, this process's CPU quota has held it back (cpu.stat's
 * throttled_usec, or throttled_time on v1), in µs; 0: no quota or unknown. */
int64_t cgroup_cpu_throttled_us(void);

#endif
