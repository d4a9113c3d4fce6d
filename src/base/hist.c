/* Log-linear histogram after HdrHistogram's layout (lowest value 1): bucket b
 * holds sub-buckets of width 2^b, so every bucket keeps the same relative
 * precision. */
#include "txstorm/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The layout for a range and precision: what hist_create allocates. */
struct layout {
    int64_t highest;
    int half_magnitude;
    int32_t sub_bucket_count, bucket_count, counts_len;
};

static struct layout layout_for(int64_t highest, int sig_figs)
{
    int64_t single_unit_limit = 2;
    for (int i = 0; i < sig_figs; i++)
        single_unit_limit *= 10;
    int sub_bucket_count_magnitude = (int)ceil(log2((double)single_unit_limit));
    int half_magnitude = sub_bucket_count_magnitude - 1;
    int32_t sub_bucket_count = (int32_t)1 << sub_bucket_count_magnitude;
    if (highest < 2 * (int64_t)sub_bucket_count) highest = 2 * (int64_t)sub_bucket_count;

    int32_t bucket_count = 1;
    for (int64_t untrackable = sub_bucket_count; untrackable <= highest; untrackable <<= 1) {
        bucket_count++;
        if (untrackable > INT64_MAX / 2) break;
    }
    return (struct layout){.highest = highest,
                           .half_magnitude = half_magnitude,
                           .sub_bucket_count = sub_bucket_count,
                           .bucket_count = bucket_count,
                           .counts_len = (bucket_count + 1) * (sub_bucket_count / 2)};
}

size_t hist_bytes(int64_t highest, int sig_figs)
{
    if (sig_figs < 1 || sig_figs > 5 || highest < 2) return 0;
    struct layout lay = layout_for(highest, sig_figs);
    return sizeof(struct hist) + (size_t)lay.counts_len * sizeof(int64_t);
}

struct hist *hist_create(int64_t highest, int sig_figs)
{
    if (sig_figs < 1 || sig_figs > 5 || highest < 2) return NULL;
    struct layout lay = layout_for(highest, sig_figs);
    struct hist *h = calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->highest = lay.highest;
    h->sig_figs = sig_figs;
    h->sub_bucket_half_count_magnitude = lay.half_magnitude;
    h->sub_bucket_count = lay.sub_bucket_count;
    h->sub_bucket_half_count = lay.sub_bucket_count / 2;
    h->sub_bucket_mask = (int64_t)lay.sub_bucket_count - 1;
    h->bucket_count = lay.bucket_count;
    h->counts_len = lay.counts_len;
    h->counts = calloc((size_t)h->counts_len, sizeof *h->counts);
    if (h->counts == NULL) {
        free(h);
        return NULL;
    }
    hist_reset(h);
    return h;
}

void hist_destroy(struct hist *h)
{
    if (h == NULL) return;
    free(h->counts);
    free(h);
}

void hist_reset(struct hist *h)
{
    memset(h->counts, 0, (size_t)h->counts_len * sizeof *h->counts);
    h->total_count = 0;
    h->clamped = 0;
    h->sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

bool hist_merge(struct hist *dst, const struct hist *src)
{
    if (dst->highest != src->highest || dst->sig_figs != src->sig_figs) return false;
    for (int32_t i = 0; i < dst->counts_len; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count += src->total_count;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    return true;
}

/* The lowest value stored at counts index i. */
static int64_t value_at_index(const struct hist *h, int32_t i)
{
    int bucket = (i >> h->sub_bucket_half_count_magnitude) - 1;
    int64_t sub = (i & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bucket < 0) {
        sub -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return sub << bucket;
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t v)
{
    if (v < 0) v = 0;
    int bucket = hist_bucket_index_(h, v);
    int64_t sub = v >> bucket;
    int64_t lowest = sub << bucket;
    int width_bucket = sub >= h->sub_bucket_count ? bucket + 1 : bucket;
    return lowest + ((int64_t)1 << width_bucket) - 1;
}

bool hist_values_equivalent(const struct hist *h, int64_t a, int64_t b)
{
    return hist_highest_equivalent(h, a) == hist_highest_equivalent(h, b);
}

int64_t hist_value_at_percentile(const struct hist *h, double p)
{
    if (h->total_count == 0) return 0;
    if (p < 0) p = 0;
    if (p > 100) p = 100;
    /* Nearest rank; the small slack keeps 99 * 100 / 100 from rounding up to 100. */
    int64_t rank = (int64_t)ceil(p * (double)h->total_count / 100.0 - 1e-9);
    if (rank < 1) rank = 1;
    int64_t seen = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t v = hist_highest_equivalent(h, value_at_index(h, i));
            return v < h->max ? v : h->max;
        }
    }
    return h->max;
}

double hist_mean(const struct hist *h)
{
    return h->total_count ? h->sum / (double)h->total_count : 0.0;
}

int64_t hist_max(const struct hist *h) { return h->max; }

int64_t hist_min(const struct hist *h) { return h->total_count ? h->min : 0; }

int64_t hist_value_at_index(const struct hist *h, int32_t i) { return value_at_index(h, i); }

double hist_stddev(const struct hist *h)
{
    if (h->total_count == 0) return 0.0;
    double mean = hist_mean(h);
    double total = 0.0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] == 0) continue;
        int64_t lowest = value_at_index(h, i);
        int64_t width = hist_highest_equivalent(h, lowest) - lowest + 1;
        double dev = (double)(lowest + (width >> 1)) - mean;
        total += dev * dev * (double)h->counts[i];
    }
    return sqrt(total / (double)h->total_count);
}
