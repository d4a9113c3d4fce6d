/* How much memory this process may still take: the tightest of what the
 * machine has available, the cgroup's limit and the address-space limit.
 * Used to refuse up front a run whose histograms would not fit. */
#ifndef TXSTORM_SYSMEM_H
#define TXSTORM_SYSMEM_H

#include <stdint.h>

/* Bytes this process may still allocate, as far as can be told; 0: unknown. */
uint64_t sysmem_headroom_bytes(void);

/* Parsers of the kernel's files, apart from reading them. "MemAvailable:"
 * of /proc/meminfo in bytes (0: absent); a cgroup v2 memory.max ("max":
 * UINT64_MAX; unreadable: 0). */
uint64_t sysmem_parse_meminfo(const char *text);
uint64_t sysmem_parse_limit(const char *text);

#endif
