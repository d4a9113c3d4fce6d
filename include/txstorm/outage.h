/* Outages, as a failover shows them: the time during which the run (or one
 * endpoint) could not commit because its connections were gone.
 *
 * An outage opens at a connection loss (a connection found broken, or a
 * COMMIT whose outcome the loss left unknown) while none is open, and
 * closes at the first commit after that loss, anywhere in its scope (the
 * whole run, or one endpoint's workers). Its window is from that loss to
 * that commit; one still open when the run ends is closed there, with no
 * first commit after. Within it: the workers that lost a connection, and
 * the ambiguous commits. A loss followed at once by another worker's commit
 * is a window of microseconds; a failover, where nothing can commit until a
 * standby is promoted and reached, is one long window.
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
    int64_t window_us;
    int64_t workers_affected;       /* workers that lost a connection within it */
    int64_t ambiguous;              /* commits whose outcome a loss within it left unknown */
};

struct outage_summary {
    int64_t count;
    int64_t total_us;               /* all windows together */
    struct outage_window longest;   /* count > 0 */
};

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

/* {"outages", "unavailable_s", "longest": {"first_loss_s", "last_commit_before_s",
 *  "first_commit_after_s" (null: none), "window_s", "workers_affected", "ambiguous"} or null} */
json_t *outage_json(const struct outage_summary *s);

/* Back from outage_json: 0, or -1 when j is not of its form. */
int outage_json_decode(const json_t *j, struct outage_summary *s);

/* The text report's part for a result's "failover" object ({the run's
 * outage_json, "endpoints": [one each]}); nothing when no window opened. */
void outage_print(FILE *out, const json_t *failover);

#endif
