/* HdrHistogram's interval log: header lines, then one CSV line per interval
 * with the histogram in its compressed base64 encoding. */
#include "txstorm/hlog.h"
#include "txstorm/hist_hdr.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

/* Thousandths as "S.mmm", with integers: printf's %f follows the locale's
 * decimal point, and a comma there would split the CSV field. */
static int print_thousandths(FILE *out, int64_t thousandths)
{
    return fprintf(out, "%lld.%03lld", (long long)(thousandths / 1000),
                   (long long)(thousandths % 1000));
}

/* Seconds to whole milliseconds; -1 for what a log cannot carry. */
static int64_t seconds_to_ms(double s)
{
    if (!isfinite(s) || s < 0 || s > 9e15) return -1;
    return (int64_t)llround(s * 1000.0);
}

int hlog_write_header(FILE *out, int64_t start_unix_us)
{
    /* Floor to the millisecond, also before 1970. */
    int64_t start_ms = start_unix_us / 1000 - (start_unix_us % 1000 < 0);
    int64_t sec = start_ms / 1000 - (start_ms % 1000 < 0);
    char when[48], date[64] = "";
    snprintf(when, sizeof when, "%lld.%03d", (long long)sec, (int)(start_ms - sec * 1000));
    time_t t = (time_t)sec;
    struct tm tm;
    /* The date as Java's Date.toString() writes it, in UTC. */
    if (gmtime_r(&t, &tm) != NULL) strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
    /* BaseTime equal to StartTime says the timestamps below are relative to it. */
    int rc =
        fprintf(out,
                "#[Histogram log format version 1.3]\n"
                "#[StartTime: %s (seconds since epoch), %s]\n"
                "#[BaseTime: %s (seconds since epoch)]\n"
                "#[Values are in microseconds; Interval_Max is in milliseconds (value / 1000)]\n"
                "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                "\"Interval_Compressed_Histogram\"\n",
                when, date, when);
    return rc < 0 ? -1 : 0;
}

int hlog_write_encoded(FILE *out, double start_s, double length_s, int64_t max_us,
                       const char *encoded)
{
    int64_t start_ms = seconds_to_ms(start_s), length_ms = seconds_to_ms(length_s);
    if (start_ms < 0 || length_ms < 0) return -1;
    int ok = print_thousandths(out, start_ms) >= 0 && fputc(',', out) != EOF &&
             print_thousandths(out, length_ms) >= 0 && fputc(',', out) != EOF &&
             print_thousandths(out, max_us) >= 0 && fprintf(out, ",%s\n", encoded) >= 0;
    return ok ? 0 : -1;
}

int hlog_write_interval(FILE *out, const struct hlog_interval *row)
{
    char *text = hist_hdr_encode(row->h);
    if (text == NULL) return -1;
    int rc = hlog_write_encoded(out, row->start_s, row->length_s, hist_max(row->h), text);
    free(text);
    return rc;
}

int hlog_write(FILE *out, int64_t start_unix_us, const struct hlog_interval *rows, size_t n)
{
    if (hlog_write_header(out, start_unix_us) != 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (hlog_write_interval(out, &rows[i]) != 0) return -1;
    return fflush(out) == 0 ? 0 : -1;
}
