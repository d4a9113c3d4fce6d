/* Is txstorm itself the bottleneck? Each event loop's share of wall time
 * spent outside waiting for events — so a loop starved of CPU (throttled,
 * preempted) reads as busy too — is added up interval by interval after the
 * warmup; a loop busy beyond SATURATION_BUSY for at least SATURATION_SHARE
 * of the measured intervals set the pace, not the database. Pure. */
#ifndef TXSTORM_SATURATION_H
#define TXSTORM_SATURATION_H

#include <stdbool.h>
#include <stdint.h>

/* A loop at least this busy in an interval could not have gone faster. */
#define SATURATION_BUSY 0.90
/* ... and for at least this share of the measured intervals, the run's
 * figures are the tool's, not the database's. */
#define SATURATION_SHARE 0.50

/* One loop over the measured part of a run. */
struct loop_use {
    int64_t busy_us, wall_us;      /* outside waiting for events / elapsed */
    int64_t intervals, saturated;  /* measured intervals; those busy beyond SATURATION_BUSY */
    int64_t cpu_us;                /* the loop thread's own CPU time */
};

/* Adds one interval of one loop. */
void saturation_add(struct loop_use *u, int64_t busy_us, int64_t wall_us);

/* A loop's busy share over what was measured (0 when nothing was). */
double saturation_busy_share(const struct loop_use *u);

/* The verdict over n loops: whether the tool was the bottleneck, and which
 * loop was busiest (by saturated intervals, then busy share; -1 when n is
 * 0). A run shorter than one measured interval is never judged saturated. */
bool saturation_verdict(const struct loop_use *loops, int n, int *worst);

/* Whether a loop was busy mostly waiting for a CPU rather than on one (its
 * own CPU time under half its busy time): more loops will not help, the
 * machine is short of cores for client and server, or a quota holds the
 * client back. */
bool saturation_starved(const struct loop_use *u);

/* --threads by default, so that the tool is not the bottleneck: one event
 * loop per SATURATION_CPUS_PER_LOOP CPUs this process may use (the server
 * beside it keeps the rest), and one per SATURATION_WORKERS_PER_LOOP
 * workers, whichever is more; at least one, at most one per CPU and per
 * worker. cpus <= 0: unknown, taken as one. */
#define SATURATION_CPUS_PER_LOOP 4
#define SATURATION_WORKERS_PER_LOOP 256
int saturation_default_loops(int workers, int cpus);

#endif
