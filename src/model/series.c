/* The run's series of interval rows: made from an interval's stats, kept, freed. */
#include "txstorm/series.h"
#include "txstorm/hist_hdr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void series_row_of_stats(const struct stats *interval, int64_t origin_us, int64_t end_us,
                         int64_t length_us, bool warmup, bool open_loop, struct interval_row *row)
{
    const struct hist *lat = interval->hist[HIST_LATENCY];
    *row = (struct interval_row){.end_us = end_us,
                                 .length_us = length_us,
                                 .warmup = warmup,
                                 .open_loop = open_loop,
                                 .offered_per_s = NAN,
                                 .committed = interval->committed,
                                 .retries = interval->retries,
                                 .failed = interval->failed,
                                 .ambiguous = interval->ambiguous,
                                 .insufficient = interval->insufficient,
                                 .p50_us = hist_value_at_percentile(lat, 50),
                                 .p90_us = hist_value_at_percentile(lat, 90),
                                 .p99_us = hist_value_at_percentile(lat, 99),
                                 .max_us = hist_max(lat),
                                 .lag_max_us = hist_max(interval->hist[HIST_LAG]),
                                 .loop_busy = NAN,
                                 .connect_attempts = interval->connect_attempts,
                                 .connects = interval->connects,
                                 .last_connect_us = SERIES_UNKNOWN_US,
                                 .errors = errlog_total(&interval->errors)};
    if (interval->connects > 0) {
        int64_t at_us = interval->last_connect_at_us - origin_us;
        row->last_connect_us = at_us < end_us - length_us ? end_us - length_us
                               : at_us > end_us           ? end_us
                                                          : at_us;
    }
    memcpy(row->retries_by_class, interval->retries_by_class, sizeof row->retries_by_class);
    const struct errlog_entry *top = errlog_top(&interval->errors);
    if (top) {
        snprintf(row->error_sqlstate, sizeof row->error_sqlstate, "%s", top->sqlstate);
        snprintf(row->error_message, sizeof row->error_message, "%s", top->message);
    }
}

bool series_row_keep_hists(struct interval_row *row, const struct stats *interval)
{
    const struct hist *lat = interval->hist[HIST_LATENCY], *lag = interval->hist[HIST_LAG];
    if (lat->total_count > 0 && (row->latency_hdr = hist_hdr_encode(lat)) == NULL) return false;
    if (row->open_loop && lag->total_count > 0 && (row->lag_hdr = hist_hdr_encode(lag)) == NULL) {
        free(row->latency_hdr);
        row->latency_hdr = NULL;
        return false;
    }
    return true;
}

bool series_append(struct series *s, struct interval_row *row)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        struct interval_row *grown = realloc(s->rows, cap * sizeof *grown);
        if (grown == NULL) {
            series_row_free(row);
            return false;
        }
        s->rows = grown;
        s->cap = cap;
    }
    s->rows[s->n++] = *row;
    row->latency_hdr = row->lag_hdr = NULL; /* the series owns them now */
    return true;
}

void series_row_free(struct interval_row *row)
{
    free(row->latency_hdr);
    free(row->lag_hdr);
    row->latency_hdr = row->lag_hdr = NULL;
}

void series_free(struct series *s)
{
    for (size_t i = 0; i < s->n; i++)
        series_row_free(&s->rows[i]);
    free(s->rows);
    *s = (struct series){0};
}

double series_row_start_s(const struct interval_row *row)
{
    return (double)(row->end_us - row->length_us) / 1e6;
}

double series_row_end_s(const struct interval_row *row) { return (double)row->end_us / 1e6; }

struct figure_counts series_row_counts(const struct interval_row *row)
{
    struct figure_counts c = {.committed = row->committed,
                              .failed = row->failed,
                              .insufficient = row->insufficient,
                              .ambiguous = row->ambiguous,
                              .retries = row->retries};
    c.attempts = figures_attempts(
        figures_finished(c.committed, c.failed, c.insufficient, c.ambiguous), row->retries);
    return c;
}

int64_t series_longest_us(const struct series *s)
{
    int64_t longest = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->rows[i].length_us > longest) longest = s->rows[i].length_us;
    return longest;
}
