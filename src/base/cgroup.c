/* This process's control groups, from /proc/self/cgroup and /sys/fs/cgroup. */
#include "txstorm/cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cgroup_read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return false;
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n > 0;
}

/* Whether a v1 line's controller list ("cpu,cpuacct") names controller. */
static bool names_controller(const char *list, size_t len, const char *controller)
{
    size_t n = strlen(controller);
    for (const char *p = list, *end = list + len; p < end;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t word = comma ? (size_t)(comma - p) : (size_t)(end - p);
        if (word == n && strncmp(p, controller, n) == 0) return true;
        p += word + 1;
    }
    return false;
}

void cgroup_dirs(const char *controller, void (*each)(const char *dir, bool v2, void *data),
                 void *data)
{
    char buf[4096], dir[4400];
    if (!cgroup_read_file("/proc/self/cgroup", buf, sizeof buf)) return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* hierarchy-id:controller-list:path */
        char *list = strchr(line, ':'), *path = list ? strchr(list + 1, ':') : NULL;
        if (path == NULL) continue;
        list++;
        if (path == list) {
            snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", path + 1);
            each(dir, true, data);
        } else if (names_controller(list, (size_t)(path - list), controller)) {
            snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s%s", controller, path + 1);
            each(dir, false, data);
        }
    }
}

uint64_t cgroup_parse_stat(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, key, n) == 0 && p[n] == ' ') return strtoull(p + n + 1, NULL, 10);
    return 0;
}

static void add_throttled(const char *dir, bool v2, void *data)
{
    char path[4500], stat[2048];
    snprintf(path, sizeof path, "%s/cpu.stat", dir);
    if (!cgroup_read_file(path, stat, sizeof stat)) return;
    int64_t us = v2 ? (int64_t)cgroup_parse_stat(stat, "throttled_usec")
                    : (int64_t)(cgroup_parse_stat(stat, "throttled_time") / 1000);
    int64_t *most = data;
    if (us > *most) *most = us;
}

int64_t cgroup_cpu_throttled_us(void)
{
    int64_t most = 0;
    cgroup_dirs("cpu", add_throttled, &most);
    return most;
}
