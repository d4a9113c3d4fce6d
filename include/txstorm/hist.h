/* Log-linear (HDR-style) histogram of non-negative integer values.
 *
 * Values from 1 to `highest` are kept with `sig_figs` significant decimal
 * digits: a reported value is within 10^-sig_figs relative of the recorded one
 * (at 2 figures, under 1%). Memory is fixed at creation; recording is O(1),
 * allocation-free and lock-free (a histogram has one writer). Values above
 * `highest` are clamped to it and counted in `clamped`.
 */
#ifndef TXSTORM_HIST_H
#define TXSTORM_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hist {
    int64_t highest;
    int sig_figs;
    int sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count;
    int32_t sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int32_t bucket_count;
    int32_t counts_len;
    int64_t total_count;
    int64_t min;
    int64_t max;
    int64_t clamped;
    double sum; /* for the mean; exact up to 2^53 */
    int64_t *counts;
};

/* Creates a histogram for values 1..highest at sig_figs in 1..5.
 * Returns NULL on bad arguments or out of memory. */
struct hist *hist_create(int64_t highest, int sig_figs);

/* The memory hist_create(highest, sig_figs) takes (0 on bad arguments): all
 * of it is touched, so it is resident. */
size_t hist_bytes(int64_t highest, int sig_figs);
void hist_destroy(struct hist *h);

static inline int hist_bucket_index_(const struct hist *h, int64_t v)
{
    /* Position of the highest set bit of (v | mask) decides the bucket. */
    int pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
    return pow2ceiling - (h->sub_bucket_half_count_magnitude + 1);
}

/* Records one occurrence of value (negative values count as 0). */
static inline void hist_record(struct hist *h, int64_t v)
{
    if (v < 0) v = 0;
    if (v > h->highest) {
        v = h->highest;
        h->clamped++;
    }
    int b = hist_bucket_index_(h, v);
    int sub = (int)(v >> b);
    int idx = ((b + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
    h->counts[idx]++;
    h->total_count++;
    h->sum += (double)v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

/* Adds src's counts into dst. Both must have the same highest and sig_figs;
 * returns false (and changes nothing) otherwise. Exact: merging then querying
 * equals querying a histogram that recorded the pooled values. */
bool hist_merge(struct hist *dst, const struct hist *src);

void hist_reset(struct hist *h);

/* Value at percentile p in [0, 100]: the highest value equivalent to the
 * recorded value of rank ceil(p/100 * count). 0 for an empty histogram. */
int64_t hist_value_at_percentile(const struct hist *h, double p);

double hist_mean(const struct hist *h);
int64_t hist_max(const struct hist *h);
int64_t hist_min(const struct hist *h);

/* Whether two values fall in the same bucket (are indistinguishable). */
bool hist_values_equivalent(const struct hist *h, int64_t a, int64_t b);

/* Largest value that falls into the same bucket as v. */
int64_t hist_highest_equivalent(const struct hist *h, int64_t v);

/* Lowest value stored at counts index i, for 0 <= i < counts_len. */
int64_t hist_value_at_index(const struct hist *h, int32_t i);

/* Standard deviation as HdrHistogram computes it: each bucket's count taken at
 * the bucket's median-equivalent value, about hist_mean. 0 when empty. */
double hist_stddev(const struct hist *h);

#endif
