/* The tool's own saturation, judged from its loops' busy time. */
#include "txstorm/saturation.h"

#include <stddef.h>

void saturation_add(struct loop_use *u, int64_t busy_us, int64_t wall_us)
{
    if (wall_us <= 0) return;
    if (busy_us < 0) busy_us = 0;
    if (busy_us > wall_us) busy_us = wall_us;
    u->busy_us += busy_us;
    u->wall_us += wall_us;
    u->intervals++;
    if ((double)busy_us >= SATURATION_BUSY * (double)wall_us) u->saturated++;
}

double saturation_busy_share(const struct loop_use *u)
{
    return u->wall_us > 0 ? (double)u->busy_us / (double)u->wall_us : 0.0;
}

bool saturation_starved(const struct loop_use *u) { return 2 * u->cpu_us < u->busy_us; }

static bool saturated(const struct loop_use *u)
{
    return u->intervals > 0 && (double)u->saturated >= SATURATION_SHARE * (double)u->intervals;
}

bool saturation_verdict(const struct loop_use *loops, int n, int *worst)
{
    *worst = -1;
    for (int i = 0; i < n; i++) {
        const struct loop_use *u = &loops[i], *w = *worst >= 0 ? &loops[*worst] : NULL;
        if (w == NULL || u->saturated > w->saturated ||
            (u->saturated == w->saturated &&
             saturation_busy_share(u) > saturation_busy_share(w)))
            *worst = i;
    }
    return *worst >= 0 && saturated(&loops[*worst]);
}

int saturation_default_loops(int workers, int cpus)
{
    if (cpus < 1) cpus = 1;
    int loops = cpus / SATURATION_CPUS_PER_LOOP;
    int by_workers = (workers + SATURATION_WORKERS_PER_LOOP - 1) / SATURATION_WORKERS_PER_LOOP;
    if (by_workers > loops) loops = by_workers;
    if (loops > cpus) loops = cpus;
    if (loops > workers) loops = workers;
    return loops < 1 ? 1 : loops;
}
