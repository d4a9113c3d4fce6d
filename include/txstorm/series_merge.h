/* Merging the series of several processes of one run into one. Pure.
 *
 * Each part's rows are placed on a common clock (its offset added: how much
 * later its workers started than the earliest part's). Rows of different
 * parts, both warmup or both measured, that share at least half of the
 * shorter one's span are one interval
 * of the merged run; each part gives at most one row to it, and a row that
 * matches none (a part's last sliver after the stop) stands alone, so every
 * commit is counted once. The merged rows are in order of their ends.
 * A merged row:
 *  - ends at the mean of its rows' ends and lasts their mean length;
 *  - adds up the counts (committed, retries, failed, ambiguous,
 *    insufficient, errors, retries by class, connection attempts and
 *    connects, workers and workers connected: unknown when a row does not
 *    know its own) and the offered rates (a part without a row offered rate
 *    gives its --rate, rate_per_s);
 *  - takes its percentiles from the merged latency histograms (exact), its
 *    max and lag max as the largest, the busiest loop as the busiest, its
 *    last connect as the latest on the common clock (held within its span;
 *    not known when a row with connects does not know its own);
 *  - is warmup, a stall or an outage when any of its rows is; names the
 *    phase and the triggers its rows name.
 * A part with commits in a row that keeps no histogram (a result written
 * before rows kept them) cannot give exact percentiles: refused. */
#ifndef TXSTORM_SERIES_MERGE_H
#define TXSTORM_SERIES_MERGE_H

#include "txstorm/series.h"

struct series_part {
    const struct series *series;
    int64_t offset_us; /* added to its rows' times */
    double rate_per_s; /* its --rate (0: none), for rows that carry no offered rate */
    const char *name;  /* for errors: "result 2" */
};

/* Merges n parts into out (emptied first). Returns 0, or -1 with one line in
 * err (out is then empty). */
int series_merge(const struct series_part *parts, int n, struct series *out, char *err,
                 size_t err_len);

#endif
