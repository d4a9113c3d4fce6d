/* Writes an HdrHistogram interval log of a few known histograms to the path
 * given, and prints as JSON what any reader of it must find: per interval the
 * total count, percentiles, min, max and mean. Used by the interop test
 * (tests/integration/hdr_interop.sh); not a unit test. */
#include "txstorm/hist.h"
#include "txstorm/hlog.h"
#include "txstorm/rng.h"

#include <math.h>
#include <stdio.h>

#define N_HISTS 6

static const int64_t start_unix_us = 1700000000123456;

/* Readers report a percentile as the highest value equivalent to it. */
static int64_t at(const struct hist *h, double p)
{
    return hist_highest_equivalent(h, hist_value_at_percentile(h, p));
}

/* The smallest non-zero value's bucket, as HdrHistogram's minNonZeroValue. */
static int64_t min_non_zero(const struct hist *h)
{
    for (int32_t i = 1; i < h->counts_len; i++)
        if (h->counts[i] != 0) return hist_value_at_index(h, i);
    return 0;
}

static void print_expected(const struct hlog_interval *row, const char *sep)
{
    const struct hist *h = row->h;
    printf("%s{\"start_ms\": %.3f, \"end_ms\": %.3f, \"sig_figs\": %d, \"count\": %lld, "
           "\"p50\": %lld, \"p90\": %lld, \"p99\": %lld, \"p99_9\": %lld, \"p100\": %lld, "
           "\"max\": %lld, \"min_non_zero\": %lld, \"mean\": %.6f}",
           sep, (double)start_unix_us / 1000 + row->start_s * 1000,
           (double)start_unix_us / 1000 + (row->start_s + row->length_s) * 1000, h->sig_figs,
           (long long)h->total_count, (long long)at(h, 50), (long long)at(h, 90),
           (long long)at(h, 99), (long long)at(h, 99.9), (long long)at(h, 100),
           (long long)(h->total_count ? hist_highest_equivalent(h, h->max) : 0),
           (long long)min_non_zero(h), hist_mean(h));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hlog_sample LOG_PATH\n");
        return 2;
    }
    struct hist *h[N_HISTS];
    const int sig_figs[N_HISTS] = {3, 3, 3, 1, 5, 2};
    for (int i = 0; i < N_HISTS; i++) {
        h[i] = hist_create(60LL * 1000000, sig_figs[i]);
        if (h[i] == NULL) return 1;
    }
    /* 0: empty. 1: one value. 2..4: log-uniform latencies from 10 us to 10 s
     * at 3, 1 and 5 figures, a few zeros among them. 5: the range's ends,
     * clamped values included. */
    hist_record(h[1], 42);
    struct rng r;
    rng_seed(&r, 7, 0);
    for (int i = 2; i <= 4; i++)
        for (int k = 0; k < 10000; k++)
            hist_record(h[i], k % 997 == 0 ? 0 : (int64_t)(10 * exp(log(1e6) * rng_unit(&r))));
    hist_record(h[5], 1);
    hist_record(h[5], 60LL * 1000000);
    hist_record(h[5], 61LL * 1000000);
    for (int k = 0; k < 100; k++)
        hist_record(h[5], 1000 + k);

    struct hlog_interval rows[N_HISTS];
    for (int i = 0; i < N_HISTS; i++)
        rows[i] = (struct hlog_interval){.start_s = 1.5 * i, .length_s = 1.5, .h = h[i]};
    FILE *out = fopen(argv[1], "w");
    if (out == NULL || hlog_write(out, start_unix_us, rows, N_HISTS) != 0 || fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("[");
    for (int i = 0; i < N_HISTS; i++)
        print_expected(&rows[i], i ? ",\n " : "");
    printf("]\n");
    for (int i = 0; i < N_HISTS; i++)
        hist_destroy(h[i]);
    return 0;
}
