/* The failover timeline of a result: the run's outage windows (outage.h),
 * each endpoint's, and after a merge each instance's on the merged clock.
 * Typed, with its JSON both ways and its text; pure. */
#ifndef TXSTORM_FAILOVER_H
#define TXSTORM_FAILOVER_H

#include "txstorm/outage.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One scope's windows: the run's (or an instance's), and its endpoints'. */
struct failover_part {
    int instance; /* an instance's part of a merge; -1: the result's own */
    struct outage_summary run;
    struct outage_summary *endpoints;
    int n_endpoints;
};

struct failover_timeline {
    bool present; /* false: the result has none (a result from before the timeline) */
    struct failover_part own;
    struct failover_part *instances; /* after a merge; the own part is the longest one's */
    int n_instances;
};

/* {outage_json of the run's, "endpoints": [one each], "instances": [each
 * instance's, with "instance"] (after a merge)}, times in Unix ms from
 * origin_unix_us; NULL when not present or out of memory. */
json_t *failover_json(const struct failover_timeline *f, int64_t origin_unix_us);

/* Back from failover_json (j NULL: not present): 0, or -1 when it is not
 * of that form (f then freed and empty). */
int failover_decode(const json_t *j, struct failover_timeline *f);

/* A deep copy of part into *out, moved by offset_us and named instance;
 * false when out of memory. */
bool failover_part_copy(const struct failover_part *part, int64_t offset_us, int instance,
                        struct failover_part *out);

void failover_part_free(struct failover_part *p);
void failover_free(struct failover_timeline *f);

/* The text report's part; nothing when no window opened. */
void failover_print(FILE *out, const struct failover_timeline *f, int64_t origin_unix_us);

#endif
