/* The series (series.h) as the result's "intervals" array, as CSV and as
 * HdrHistogram's interval log; the first two from
 * one table of fields in series_json.c: each key is named there once, with
 * its unit, when a row carries it and whether it is a CSV column. The loader
 * is the writer's inverse, and refuses a series that contradicts itself (a
 * rate that is not its count over its length, a histogram whose count is not
 * the row's commits, rows out of order). Pure.
 *
 * A row: {"elapsed_s", "interval_s", "warmup", "stall", "committed",
 * "committed_per_s", "retries", "retries_per_s", "failed", "ambiguous",
 * "insufficient", "p50_ms", "p90_ms", "p99_ms", "max_ms", "lag_max_ms",
 * "loop_busy", "outage", "retries_by_class": {class: n} (classes that
 * retried), and where they apply "phase", "offered_per_s", "trigger",
 * "errors", "error_sqlstate", "latency_hist", "lag_hist" (HdrHistogram V2
 * compressed, base64, microseconds)}. */
#ifndef TXSTORM_SERIES_JSON_H
#define TXSTORM_SERIES_JSON_H

#include "txstorm/series.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* The rows as a JSON array (NULL when out of memory). */
json_t *series_json_encode(const struct series *s);

/* One row as JSON (NULL when out of memory). */
json_t *series_row_json(const struct interval_row *row);

/* Reads an "intervals" array into s (empty first). Returns 0, or -1 with one
 * line in err naming the row and key at fault (s is then empty). */
int series_json_decode(const json_t *intervals, struct series *s, char *err, size_t err_len);

/* The CSV: a header, then a row per interval; columns that only some runs
 * have (phase, offered rate, trigger) appear when any row has them. For
 * outfile_write: arg is a const struct series *. */
int series_write_csv(FILE *out, const void *series);

/* What series_write_hlog writes: the rows, the wall-clock time of their
 * zero, and the precision of the histograms (for an interval with none). */
struct series_hlog {
    const struct series *series;
    int64_t origin_unix_us;
    int sig_figs;
};

/* HdrHistogram's interval log (hlog.h) of the measured rows' latency: a
 * line per row after the warmup, an interval without commits as an empty
 * histogram. For outfile_write: arg is a const struct series_hlog *. */
int series_write_hlog(FILE *out, const void *arg);

#endif
