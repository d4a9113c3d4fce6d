/* The run's series: one typed row per interval, on the workers' clock (since
 * the workers started, warmup included). The run appends a row as it closes
 * each interval; the progress line, the trigger verdicts, the plot, the CSV,
 * the phases and merge read rows, never JSON keys. series_json.h is the one
 * codec between rows and the result's "intervals" array and the CSV. Pure.
 *
 * Each row may keep its interval's latency (and, open loop, schedule lag)
 * histogram in HdrHistogram's compressed V2 encoding (hist_hdr.h), so a
 * merge of several processes' series has exact percentiles, and --hlog can
 * write HdrHistogram's interval log. */
#ifndef TXSTORM_SERIES_H
#define TXSTORM_SERIES_H

#include "txstorm/classify.h"
#include "txstorm/errlog.h"
#include "txstorm/figures.h"
#include "txstorm/phases.h"
#include "txstorm/stats.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIES_TRIGGER_MAX 48
#define SERIES_UNKNOWN_US (-1) /* a moment not known */

struct interval_row {
    int64_t end_us;                   /* since the workers started */
    int64_t length_us;                /* the interval's length */
    bool warmup;                      /* inside --warmup: shown, not counted */
    bool stall;                       /* no commit for --stall-timeout or longer */
    bool outage;                      /* a connection lost and no commit since (outage.h) */
    bool open_loop;                   /* a rate was offered (the progress line shows the lag) */
    char trigger[SERIES_TRIGGER_MAX]; /* the --trigger kinds held in it ("": none) */
    char phase[PHASES_NAME_MAX];      /* --load: its phase ("": none) */
    double offered_per_s;             /* --load: the offered rate averaged over it */
    int64_t committed, retries, failed, ambiguous, insufficient;
    int64_t retries_by_class[ERR_CLASS_COUNT];
    int64_t p50_us, p90_us, p99_us, max_us; /* latency of its commits */
    int64_t lag_max_us;                     /* open loop: worst start lag */
    double loop_busy;                       /* the busiest event loop's share; NaN: unknown */
    int64_t connect_attempts, connects;     /* the workers' connection attempts, and
                                               of those the sessions made ready */
    /* connects > 0: when the last of them was made ready, within the row's
     * span; SERIES_UNKNOWN_US: not known (none, or a result from before,
     * read as the row's close) */
    int64_t last_connect_us;
    /* At the interval's close: the workers, and of them those connected (one
     * whose lost connection is not yet made good is not); 0 workers: unknown
     * (a result from before). */
    int64_t workers, workers_connected;
    int64_t errors;                         /* of class other and constraint */
    char error_sqlstate[6];                 /* the most frequent of them */
    char error_message[ERRLOG_MESSAGE_MAX]; /* shown live, not saved */
    char *latency_hdr; /* its commits' latency (us), hist_hdr encoded; NULL: not kept */
    char *lag_hdr;     /* open loop: its schedule lag (us), likewise */
};

struct series {
    struct interval_row *rows;
    size_t n, cap;
};

/* A row from one interval's stats; the histograms are not encoded (see
 * series_row_keep_hists). end_us and length_us on the workers' clock, whose
 * 0 is origin_us on the clock the stats' moments were read from; its last
 * connect is held within the row's span (a connect counted just after the
 * previous close, or before this one was gathered, is placed at that edge). */
void series_row_of_stats(const struct stats *interval, int64_t origin_us, int64_t end_us,
                         int64_t length_us, bool warmup, bool open_loop, struct interval_row *row);

/* Encodes the interval's latency and (open loop) lag histograms into row
 * (empty ones stay NULL); false when out of memory (the row keeps none). */
bool series_row_keep_hists(struct interval_row *row, const struct stats *interval);

/* Appends row, taking its encoded histograms; false when out of memory (the
 * row and its histograms are dropped). */
bool series_append(struct series *s, struct interval_row *row);

void series_row_free(struct interval_row *row);
void series_free(struct series *s);

/* Where a row starts, in seconds on the workers' clock. */
double series_row_start_s(const struct interval_row *row);
double series_row_end_s(const struct interval_row *row);

/* A row's counts, for figures.h (its attempts: a first one per finished
 * transaction, and its retries). */
struct figure_counts series_row_counts(const struct interval_row *row);

/* The length of the longest row; rows shorter than half of it are the run's
 * last sliver, which rates would turn into a spike (the plot and the
 * recovery verdict leave them out). */
int64_t series_longest_us(const struct series *s);

#endif
