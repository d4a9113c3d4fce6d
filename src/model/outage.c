/* Outage windows: noticed at a connection loss, over at the next commit,
 * measured from the last commit before (see outage.h for the definition);
 * their summary, JSON and text. */
#include "txstorm/outage.h"

#include "txstorm/clock.h"
#include "txstorm/series.h"
#include "txstorm/text.h"

#include <string.h>

/* "The last commit before" is kept to this precision, so that commits
 * write the shared stamp at most this often. */
#define OUTAGE_COMMIT_STAMP_US 1000

void outage_init(struct outage_watch *w, int64_t start_us)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    w->start_us = start_us;
    atomic_init(&w->open, false);
    atomic_init(&w->last_commit_us, INT64_MIN);
    atomic_init(&w->closed, 0);
}

void outage_destroy(struct outage_watch *w) { pthread_mutex_destroy(&w->lock); }

void outage_loss(struct outage_watch *w, int64_t now_us, int64_t *seen, bool ambiguous)
{
    pthread_mutex_lock(&w->lock);
    if (!atomic_load(&w->open)) {
        int64_t last = atomic_load(&w->last_commit_us);
        w->serial++;
        w->current = (struct outage_window){.first_loss_us = now_us,
                                            .last_commit_before_us = last,
                                            .first_commit_after_us = -1};
        atomic_store(&w->open, true);
    }
    if (*seen != w->serial) {
        w->current.workers_affected++;
        *seen = w->serial;
    }
    if (ambiguous) w->current.ambiguous++;
    pthread_mutex_unlock(&w->lock);
}

int64_t outage_window_start_us(const struct outage_window *w)
{
    return w->last_commit_before_us >= 0 ? w->last_commit_before_us : 0;
}

int64_t outage_detection_us(const struct outage_window *w)
{
    return w->last_commit_before_us >= 0 ? w->first_loss_us - w->last_commit_before_us : -1;
}

/* Times since the start (a last commit of none stays -1), and the window's
 * length up to end_us (absolute): the first commit after, or the run's end. */
static struct outage_window relative(const struct outage_watch *w, struct outage_window c,
                                     int64_t end_us)
{
    c.first_loss_us -= w->start_us;
    c.last_commit_before_us =
        c.last_commit_before_us == INT64_MIN ? -1 : c.last_commit_before_us - w->start_us;
    if (c.first_commit_after_us >= 0) c.first_commit_after_us -= w->start_us;
    int64_t from = outage_window_start_us(&c), to = end_us - w->start_us;
    c.window_us = to > from ? to - from : 0;
    return c;
}

static void add_window(struct outage_summary *s, const struct outage_window *c)
{
    if (s->count == 0 || c->window_us > s->longest.window_us) s->longest = *c;
    if (s->n_kept < OUTAGE_WINDOWS_KEPT) s->kept[s->n_kept++] = *c;
    s->count++;
    s->total_us += c->window_us;
}

void outage_commit(struct outage_watch *w, int64_t now_us)
{
    int64_t last = atomic_load_explicit(&w->last_commit_us, memory_order_relaxed);
    if (now_us - OUTAGE_COMMIT_STAMP_US >= last || last == INT64_MIN)
        atomic_store_explicit(&w->last_commit_us, now_us, memory_order_relaxed);
    if (!atomic_load_explicit(&w->open, memory_order_relaxed)) return;
    pthread_mutex_lock(&w->lock);
    if (!atomic_load(&w->open)) {
        /* another commit closed it meanwhile */
    } else if (now_us < w->current.first_loss_us) {
        /* A commit from before the loss, published after it. */
        if (now_us > w->current.last_commit_before_us) w->current.last_commit_before_us = now_us;
    } else {
        w->current.first_commit_after_us = now_us;
        struct outage_window c = relative(w, w->current, now_us);
        add_window(&w->summary, &c);
        atomic_store(&w->open, false);
        atomic_fetch_add(&w->closed, 1);
    }
    pthread_mutex_unlock(&w->lock);
}

bool outage_ongoing(struct outage_watch *w) { return atomic_load(&w->open); }

int64_t outage_closed(struct outage_watch *w) { return atomic_load(&w->closed); }

void outage_summarize(struct outage_watch *w, int64_t end_us, struct outage_summary *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->summary;
    if (atomic_load(&w->open)) {
        struct outage_window c = relative(w, w->current, end_us);
        add_window(out, &c);
    }
    pthread_mutex_unlock(&w->lock);
}

static json_t *seconds_or_null(int64_t us)
{
    return us < 0 ? json_null() : json_real((double)us / 1e6);
}

static json_t *unix_ms_or_null(int64_t us, int64_t origin_unix_us)
{
    return us < 0 ? json_null() : json_integer((json_int_t)((origin_unix_us + us) / 1000));
}

static json_t *window_json(const struct outage_window *l, int64_t origin_unix_us)
{
    return json_pack(
        "{s:o, s:f, s:o, s:f, s:o, s:I, s:I, s:o, s:I, s:o}", "last_commit_before_s",
        seconds_or_null(l->last_commit_before_us), "first_loss_s", (double)l->first_loss_us / 1e6,
        "first_commit_after_s", seconds_or_null(l->first_commit_after_us), "window_s",
        (double)l->window_us / 1e6, "detection_s", seconds_or_null(outage_detection_us(l)),
        "workers_affected", (json_int_t)l->workers_affected, "ambiguous",
        (json_int_t)l->ambiguous, "last_commit_before_unix_ms",
        unix_ms_or_null(l->last_commit_before_us, origin_unix_us), "first_loss_unix_ms",
        (json_int_t)((origin_unix_us + l->first_loss_us) / 1000), "first_commit_after_unix_ms",
        unix_ms_or_null(l->first_commit_after_us, origin_unix_us));
}

json_t *outage_json(const struct outage_summary *s, int64_t origin_unix_us)
{
    json_t *windows = json_array();
    for (int i = 0; windows && i < s->n_kept; i++)
        json_array_append_new(windows, window_json(&s->kept[i], origin_unix_us));
    return json_pack("{s:I, s:f, s:o, s:o}", "outages", (json_int_t)s->count, "unavailable_s",
                     (double)s->total_us / 1e6, "longest",
                     s->count == 0 ? json_null() : window_json(&s->longest, origin_unix_us),
                     "windows", windows);
}

static int64_t us_of(const json_t *j) { return (int64_t)(json_number_value(j) * 1e6 + 0.5); }

static bool seconds_or_null_ok(const json_t *j) { return json_is_null(j) || json_is_number(j); }

static int window_decode(const json_t *j, struct outage_window *w)
{
    json_t *first, *before, *after, *window;
    json_int_t affected, ambiguous;
    if (json_unpack((json_t *)j, "{s:o, s:o, s:o, s:o, s:I, s:I}", "first_loss_s", &first,
                    "last_commit_before_s", &before, "first_commit_after_s", &after, "window_s",
                    &window, "workers_affected", &affected, "ambiguous", &ambiguous) != 0 ||
        !json_is_number(first) || !json_is_number(window) || !seconds_or_null_ok(before) ||
        !seconds_or_null_ok(after) || json_number_value(window) < 0)
        return -1;
    *w = (struct outage_window){.first_loss_us = us_of(first),
                                .last_commit_before_us = json_is_null(before) ? -1 : us_of(before),
                                .first_commit_after_us = json_is_null(after) ? -1 : us_of(after),
                                .window_us = us_of(window),
                                .workers_affected = affected,
                                .ambiguous = ambiguous};
    return 0;
}

int outage_json_decode(const json_t *j, struct outage_summary *s)
{
    json_int_t count;
    double total_s;
    json_t *longest;
    memset(s, 0, sizeof *s);
    if (json_unpack((json_t *)j, "{s:I, s:F, s:o}", "outages", &count, "unavailable_s", &total_s,
                    "longest", &longest) != 0 || count < 0)
        return -1;
    s->count = count;
    s->total_us = (int64_t)(total_s * 1e6 + 0.5);
    if (count == 0) return json_is_null(longest) ? 0 : -1;
    if (window_decode(longest, &s->longest) != 0) return -1;
    const json_t *windows = json_object_get(j, "windows");
    if (windows == NULL) { /* a result from before the list: the longest alone */
        s->kept[s->n_kept++] = s->longest;
        return 0;
    }
    if (!json_is_array(windows) || json_array_size(windows) > OUTAGE_WINDOWS_KEPT ||
        (json_int_t)json_array_size(windows) > count)
        return -1;
    size_t i;
    const json_t *w;
    json_array_foreach(windows, i, w) if (window_decode(w, &s->kept[s->n_kept++]) != 0) return -1;
    return 0;
}

static void shift_window(struct outage_window *w, int64_t offset_us)
{
    w->first_loss_us += offset_us;
    if (w->last_commit_before_us >= 0) w->last_commit_before_us += offset_us;
    if (w->first_commit_after_us >= 0) w->first_commit_after_us += offset_us;
}

void outage_shift(struct outage_summary *s, int64_t offset_us)
{
    if (s->count > 0) shift_window(&s->longest, offset_us);
    for (int i = 0; i < s->n_kept; i++)
        shift_window(&s->kept[i], offset_us);
}

void outage_mark_rows(const struct outage_summary *s, struct series *rows)
{
    for (size_t r = 0; r < rows->n; r++) {
        struct interval_row *row = &rows->rows[r];
        int64_t from = row->end_us - row->length_us, to = row->end_us;
        for (int i = 0; i < s->n_kept && !row->outage; i++) {
            const struct outage_window *w = &s->kept[i];
            int64_t start = outage_window_start_us(w);
            int64_t end = w->first_commit_after_us >= 0 ? w->first_commit_after_us
                                                        : start + w->window_us;
            row->outage = from < end && to > start;
        }
    }
}

static void print_seconds(FILE *out, const char *label, int64_t us, const char *none)
{
    if (us < 0)
        text_printf(out, "  %-26s %s\n", label, none);
    else
        text_printf(out, "  %-26s %.3f s\n", label, (double)us / 1e6);
}

/* A time of a window (us since the origin; < 0: none) as UTC time of day. */
static void utc_of(int64_t us, int64_t origin_unix_us, char *buf, size_t len)
{
    clock_utc_time_of_day(us < 0 || origin_unix_us <= 0 ? -1 : (origin_unix_us + us) / 1000, buf,
                          len);
}

void outage_print_scope(FILE *out, const char *scope, const struct outage_summary *s,
                        int64_t origin_unix_us)
{
    const struct outage_window *l = &s->longest;
    text_printf(out, "%s: %lld window%s, unavailable %.3f s in all\n", scope, (long long)s->count,
                s->count == 1 ? "" : "s", (double)s->total_us / 1e6);
    if (s->count == 0) return;
    text_printf(out, "  the longest window         %.3f s\n", (double)l->window_us / 1e6);
    print_seconds(out, "last commit before at", l->last_commit_before_us, "none (from the start)");
    print_seconds(out, "first connection lost at", l->first_loss_us, "-");
    print_seconds(out, "detected after", outage_detection_us(l), "-");
    print_seconds(out, "first commit after at", l->first_commit_after_us, "none (the run ended)");
    if (origin_unix_us > 0) {
        char from[16], to[16];
        utc_of(outage_window_start_us(l), origin_unix_us, from, sizeof from);
        utc_of(l->first_commit_after_us, origin_unix_us, to, sizeof to);
        text_printf(out, "  %-26s %s to %s\n", "wall clock (UTC)", from, to);
    }
    text_printf(out, "  %-26s %lld\n", "workers affected", (long long)l->workers_affected);
    text_printf(out, "  %-26s %lld\n", "ambiguous commits in it", (long long)l->ambiguous);
}
