/* Outages, as a failover shows them: the time during which the run (or one
 * endpoint) could not commit because its connections were gone.
 *
 * An outage is noticed at a connection loss (a connection found broken, or
 * a COMMIT whose outcome the loss left unknown) while none is open, and
 * ends at the first commit after that loss, anywhere in its scope (the
 * whole run, or one endpoint's workers). Its window, the time unavailable,
 * runs from the last commit before that loss (the workers' start when
 * nothing had committed) to that first commit after: what a client saw,
 * whatever the moment the loss was noticed. The loss comes later than the
 * last commit by the detection delay. One still open when the run ends is
 * closed there, with no first commit after. Within it: the workers that
 * lost a connection, and the ambiguous commits. A loss followed at once by
 * another worker's commit is a window of a millisecond or so; a failover,
 * where nothing can commit until a standby is promoted and reached, is one
 * long window.
 *
 * Any worker thread may call outage_loss and outage_commit; a commit costs
 * an atomic load (and a store at most once a millisecond, which is how
 * precise "the last commit before" is); losses take a lock. */
#ifndef TXSTORM_OUTAGE_H
#define TXSTORM_OUTAGE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One window; times since the workers started. */
struct outage_window {
    int64_t first_loss_us;
    int64_t last_commit_before_us;  /* -1: nothing had committed yet */
    int64_t first_commit_after_us;  /* -1: the run ended first */
    int64_t window_us;              /* last commit before (or 0) to first commit after (or end) */
    int64_t workers_affected;       /* workers that lost a connection within it */
    int64_t ambiguous;              /* commits whose outcome a loss within it left unknown */
};

/* The windows kept one by one (the rest are counted and summed). */
#define OUTAGE_WINDOWS_KEPT 32

struct outage_summary {
    int64_t count;
    int64_t total_us;               /* all windows together */
    struct outage_window longest;   /* count > 0 */
    int n_kept;                     /* the first windows, in order */
    struct outage_window kept[OUTAGE_WINDOWS_KEPT];
};

/* Where the window begins: the last commit before, or the start. */
int64_t outage_window_start_us(const struct outage_window *w);

/* The detection delay, last commit before to the loss; -1 when nothing had
 * committed before. */
int64_t outage_detection_us(const struct outage_window *w);

struct outage_watch {
    pthread_mutex_t lock;
    int64_t start_us;               /* the workers started */
    atomic_bool open;
    _Atomic int64_t last_commit_us; /* INT64_MIN: none yet */
    atomic_int_fast64_t closed;     /* windows closed so far (for the progress line) */
    int64_t serial;                 /* windows opened so far */
    struct outage_window current;   /* while open; absolute times */
    struct outage_summary summary;  /* the closed ones */
};

void outage_init(struct outage_watch *w, int64_t start_us);
void outage_destroy(struct outage_watch *w);

/* A worker lost its connection at now_us (ambiguous: during a COMMIT).
 * *seen is the worker's own note of the last window it was counted in
 * (0 at first), so a worker counts once per window. */
void outage_loss(struct outage_watch *w, int64_t now_us, int64_t *seen, bool ambiguous);

/* A transaction committed at now_us. */
void outage_commit(struct outage_watch *w, int64_t now_us);

/* Whether a window is open. */
bool outage_ongoing(struct outage_watch *w);

/* Windows closed so far. */
int64_t outage_closed(struct outage_watch *w);

/* The summary, a window still open at end_us closed there. */
void outage_summarize(struct outage_watch *w, int64_t end_us, struct outage_summary *out);

/* {"outages", "unavailable_s", "longest": WINDOW or null, "windows": [WINDOW...]}
 * where WINDOW is {"last_commit_before_s" (null: none), "first_loss_s",
 * "first_commit_after_s" (null: none), "window_s", "detection_s" (null),
 * "workers_affected", "ambiguous", and the three times again as Unix ms,
 * "..._unix_ms", from origin_unix_us, the wall-clock time of the workers'
 * start}. */
json_t *outage_json(const struct outage_summary *s, int64_t origin_unix_us);

/* Back from outage_json: 0, or -1 when j is not of its form (a result
 * from before "windows" has the longest alone). */
int outage_json_decode(const json_t *j, struct outage_summary *s);

/* Moves every time of s by offset_us (onto another clock). */
void outage_shift(struct outage_summary *s, int64_t offset_us);

/* One scope's lines of the text report's failover timeline, under its
 * heading; wall-clock times from origin_unix_us (0: unknown, none shown). */
void outage_print_scope(FILE *out, const char *scope, const struct outage_summary *s,
                        int64_t origin_unix_us);

/* Marks the rows of the interval series (series.h) that overlap one of the
 * kept windows as outage rows. */
struct series;
void outage_mark_rows(const struct outage_summary *s, struct series *rows);

#endif
