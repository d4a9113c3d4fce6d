/* The ".hgrm" percentile spectrum in HdrHistogram's CLASSIC layout, row for row. */
#include "txstorm/hgrm.h"

#include <inttypes.h>
#include <math.h>

/* HdrHistogram's default: the spectrum gets denser toward 100%. */
#define TICKS_PER_HALF_DISTANCE 5

/* The level after `level`: the step halves each time the distance to 100%
 * halves. Same arithmetic as HdrHistogram so the rows land on the same levels. */
static double next_level(double level)
{
    if (!(level < 100.0)) return level;
    int halvings = (int)(log(100.0 / (100.0 - level)) / log(2)) + 1;
    return level + 100.0 / (TICKS_PER_HALF_DISTANCE * ldexp(1.0, halvings));
}

static int write_spectrum(FILE *out, const struct hist *h, double value_scale)
{
    char row[48], last_row[48];
    snprintf(row, sizeof row, "%%12.%df %%12f %%12%s %%12.2f\n", h->sig_figs, PRId64);
    snprintf(last_row, sizeof last_row, "%%12.%df %%12f %%12%s\n", h->sig_figs, PRId64);

    const int64_t total = h->total_count;
    int64_t seen = 0;
    double level = 0.0, value = 0.0;
    for (int32_t i = 0; i < h->counts_len && seen < total; i++) {
        if (h->counts[i] == 0) continue;
        seen += h->counts[i];
        value = (double)hist_highest_equivalent(h, hist_value_at_index(h, i)) / value_scale;
        double reached = 100.0 * (double)seen / (double)total;
        /* A bucket prints one row per level it passes; the last bucket prints a
         * single one before the 100% row, as HdrHistogram's iterator does. */
        while (level <= reached) {
            double p = level / 100.0;
            if (fprintf(out, row, value, p, seen, 1.0 / (1.0 - p)) < 0) return -1;
            if (seen >= total) break;
            double next = next_level(level);
            /* Past double precision near 100% the level stops moving. */
            if (next <= level) break;
            level = next;
        }
    }
    /* 1/(1-p) is infinite here, so it is left out (as HdrHistogram's Java printer does). */
    if (fprintf(out, last_row, value, 1.0, seen) < 0) return -1;
    return 0;
}

int hgrm_write(FILE *out, const struct hist *h, double value_scale)
{
    if (fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)") < 0)
        return -1;
    /* An empty histogram has no spectrum; HdrHistogram's Java printer prints none either. */
    if (h->total_count > 0 && write_spectrum(out, h, value_scale) != 0) return -1;

    /* The mean comes from the exact sum; HdrHistogram, having no sum, takes
     * bucket midpoints. Max is reported as its bucket's top, as HdrHistogram does. */
    double max = h->max > 0 ? (double)hist_highest_equivalent(h, h->max) : 0.0;
    if (fprintf(out,
                "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n"
                "#[Max     = %12.3f, Total count    = %12" PRId64 "]\n"
                "#[Buckets = %12d, SubBuckets     = %12d]\n",
                hist_mean(h) / value_scale, hist_stddev(h) / value_scale, max / value_scale,
                h->total_count, (int)h->bucket_count, (int)h->sub_bucket_count) < 0)
        return -1;
    return ferror(out) ? -1 : 0;
}
