/* HdrHistogram's interval log ("histogram log format version 1.3"): a run's
 * histograms, one per interval, in the text that HdrHistogram's
 * HistogramLogReader and HistogramLogProcessor (Java), hdr_log_read (C) and
 * hdr-histogram-js read (the interop test reads it with the last). Pure: it
 * writes to a FILE it is given.
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
 *   #[BaseTime: 1700000000.123 (seconds since epoch)]
 *   #[Values are in microseconds; Interval_Max is in milliseconds (value / 1000)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   0.000,1.000,12.345,HISTF...
 *
 * An interval's start is in seconds after StartTime (BaseTime equals it, so
 * readers add it back), its length in seconds, both to the millisecond.
 * Interval_Max is the interval's largest value divided by 1000, so milliseconds
 * as HdrHistogram's Java writer makes of nanoseconds (its max-value unit ratio
 * is 10^6 there, 10^3 here); the histogram itself keeps microseconds.
 */
#ifndef TXSTORM_HLOG_H
#define TXSTORM_HLOG_H

#include "txstorm/hist.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hlog_interval {
    double start_s;  /* after the log's start time, >= 0 */
    double length_s; /* >= 0 */
    const struct hist *h;
};

/* The header lines, for a log whose intervals count from start_unix_us
 * (microseconds since the epoch). 0, or -1 on a write error. */
int hlog_write_header(FILE *out, int64_t start_unix_us);

/* One interval's line. 0, or -1 on a write error, out of memory, or a
 * negative or non-finite start or length. */
int hlog_write_interval(FILE *out, const struct hlog_interval *row);

/* One interval's line from a histogram already in hist_hdr's encoding, whose
 * largest value is max_us. 0 or -1 as above. */
int hlog_write_encoded(FILE *out, double start_s, double length_s, int64_t max_us,
                       const char *encoded);

/* The header and then n intervals: a whole log. 0 or -1 as above. */
int hlog_write(FILE *out, int64_t start_unix_us, const struct hlog_interval *rows, size_t n);

#endif
