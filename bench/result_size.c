/* The size of a result's series: an hour of 1 s intervals (or SECONDS),
 * each with RATE commits whose latencies spread over four decades (a storm's
 * worst case for the histograms, which grow with the distinct buckets used)
 * and open-loop lag; prints bytes per interval in the JSON result, in the
 * interval log (--hlog), the whole series' JSON size, and the time to encode
 * a row's histograms. usage: bench_result_size [SECONDS [RATE]] */
#include "txstorm/clock.h"
#include "txstorm/rng.h"
#include "txstorm/series_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long seconds = argc > 1 ? atol(argv[1]) : 3600, rate = argc > 2 ? atol(argv[2]) : 2000;
    if (seconds <= 0 || rate <= 0) {
        fprintf(stderr, "usage: bench_result_size [SECONDS [RATE]]\n");
        return 2;
    }
    struct rng r;
    rng_seed(&r, 7, 0);
    struct stats st;
    struct series s = {0};
    if (!stats_init(&st, 3)) return 1;
    int64_t encode_us = 0;
    for (long k = 0; k < seconds; k++) {
        stats_reset(&st);
        for (long i = 0; i < rate; i++) {
            /* log-uniform from 100 us to 1 s */
            double u = (double)rng_below(&r, 1000000) / 1e6;
            int64_t us = (int64_t)(100.0 * pow(10.0, 4.0 * u));
            struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = us, .attempts = 1,
                                    .lag_us = us / 10};
            stats_add_txn(&st, &o);
        }
        struct interval_row row;
        series_row_of_stats(&st, 0, (k + 1) * 1000000, 1000000, false, true, &row);
        int64_t t0 = clock_now_us();
        if (!series_row_keep_hists(&row, &st)) return 1;
        encode_us += clock_now_us() - t0;
        if (!series_append(&s, &row)) return 1;
    }
    json_t *j = series_json_encode(&s);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    size_t json_bytes = strlen(text);
    char *log = NULL;
    size_t log_bytes = 0;
    FILE *f = open_memstream(&log, &log_bytes);
    struct series_hlog h = {&s, 0, 3};
    if (f == NULL || series_write_hlog(f, &h) != 0 || fclose(f) != 0) return 1;
    printf("intervals %ld, %ld commits each, latencies 100 us .. 1 s\n", seconds, rate);
    printf("JSON series       %10zu bytes  %7.0f bytes per interval\n", json_bytes,
           (double)json_bytes / (double)seconds);
    printf("interval log      %10zu bytes  %7.0f bytes per interval\n", log_bytes,
           (double)log_bytes / (double)seconds);
    printf("histograms kept   %10.1f us per interval to encode\n",
           (double)encode_us / (double)seconds);
    free(text);
    free(log);
    json_decref(j);
    series_free(&s);
    stats_free(&st);
    return 0;
}
