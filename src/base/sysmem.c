/* Memory headroom from /proc, the cgroup and the resource limits. */
#include "txstorm/sysmem.h"

#include "txstorm/cgroup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

uint64_t sysmem_parse_meminfo(const char *text)
{
    const char *p = strstr(text, "MemAvailable:");
    if (p == NULL) return 0;
    unsigned long long kb;
    return sscanf(p, "MemAvailable: %llu kB", &kb) == 1 ? (uint64_t)kb * 1024 : 0;
}

uint64_t sysmem_parse_limit(const char *text)
{
    if (strncmp(text, "max", 3) == 0) return UINT64_MAX;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    return end == text ? 0 : (uint64_t)v;
}

static uint64_t tighter(uint64_t a, uint64_t b) { return a == 0 || (b != 0 && b < a) ? b : a; }

/* A group's limit less what it uses (dir/limit_file, dir/usage_file), the
 * page cache it could drop (inactive files, from memory.stat's
 * inactive_key) not counted as used; 0: no limit or none readable. A
 * cgroup v1 "no limit" is a number near 2^63. */
static uint64_t group_headroom(const char *dir, const char *limit_file, const char *usage_file,
                               const char *inactive_key)
{
    char path[4400], limit_s[64], usage_s[64];
    snprintf(path, sizeof path, "%s/%s", dir, limit_file);
    if (!cgroup_read_file(path, limit_s, sizeof limit_s)) return 0;
    uint64_t limit = sysmem_parse_limit(limit_s);
    if (limit == 0 || limit >= (UINT64_C(1) << 62)) return 0;
    snprintf(path, sizeof path, "%s/%s", dir, usage_file);
    uint64_t usage =
        cgroup_read_file(path, usage_s, sizeof usage_s) ? sysmem_parse_limit(usage_s) : 0;
    char stat[8192];
    snprintf(path, sizeof path, "%s/memory.stat", dir);
    uint64_t inactive =
        cgroup_read_file(path, stat, sizeof stat) ? cgroup_parse_stat(stat, inactive_key) : 0;
    usage = inactive < usage ? usage - inactive : 0;
    return usage < limit ? limit - usage : 1;
}

/* The tightest of this process's memory cgroups: v2 (memory.max) or v1
 * (memory.limit_in_bytes). */
static void tighten_by_group(const char *dir, bool v2, void *data)
{
    uint64_t *room = data;
    *room = tighter(*room, v2 ? group_headroom(dir, "memory.max", "memory.current", "inactive_file")
                              : group_headroom(dir, "memory.limit_in_bytes",
                                               "memory.usage_in_bytes", "total_inactive_file"));
}

static uint64_t cgroup_headroom(void)
{
    uint64_t room = 0;
    cgroup_dirs("memory", tighten_by_group, &room);
    return room;
}

/* RLIMIT_AS (ulimit -v): the limit less the address space already mapped. */
static uint64_t rlimit_headroom(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
    char statm[256];
    unsigned long long pages = 0;
    if (cgroup_read_file("/proc/self/statm", statm, sizeof statm)) sscanf(statm, "%llu", &pages);
    uint64_t mapped = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
    return mapped < rl.rlim_cur ? (uint64_t)rl.rlim_cur - mapped : 1;
}

uint64_t sysmem_headroom_bytes(void)
{
    char meminfo[8192];
    uint64_t avail = cgroup_read_file("/proc/meminfo", meminfo, sizeof meminfo)
                         ? sysmem_parse_meminfo(meminfo)
                         : 0;
    return tighter(tighter(avail, cgroup_headroom()), rlimit_headroom());
}
