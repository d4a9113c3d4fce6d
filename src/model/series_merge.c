/* Several processes' series on one clock, merged interval by interval. */
#include "txstorm/series_merge.h"
#include "txstorm/errbuf.h"
#include "txstorm/hist_hdr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct placed {
    const struct interval_row *row;
    int part;
    int64_t end_us; /* on the common clock */
};

static int placed_cmp(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    if (x->end_us != y->end_us) return (x->end_us > y->end_us) - (x->end_us < y->end_us);
    return (x->part > y->part) - (x->part < y->part);
}

/* Adds the encoded histogram into *acc (made on first use). */
static int add_hist(struct hist **acc, const char *encoded, const char *what, const char *part,
                    double end_s, char *err, size_t err_len)
{
    char why[160];
    struct hist *h = hist_hdr_decode(encoded, why, sizeof why);
    if (h == NULL)
        return errbuf_fail(err, err_len, "merge: %s: interval ending at %.3f s: %s: %s", part,
                           end_s, what, why);
    if (*acc == NULL) {
        *acc = h;
        return 0;
    }
    bool ok = hist_merge(*acc, h);
    hist_destroy(h);
    return ok ? 0
              : errbuf_fail(err, err_len,
                            "merge: %s: interval ending at %.3f s: its %s histogram has another "
                            "precision than the others'",
                            part, end_s, what);
}

/* Names each trigger kind once: "lock-rows", "lock-rows+terminate". */
static void add_trigger(char *into, size_t len, const char *kinds)
{
    if (kinds[0] == '\0' || strstr(into, kinds) != NULL) return;
    size_t used = strlen(into);
    snprintf(into + used, len - used, "%s%s", used ? "+" : "", kinds);
}

/* What a merged row gathers from its parts besides the sums it holds. */
struct gathered {
    double end_us, length_us; /* summed, for their means */
    bool workers_known, last_connect_known;
    int64_t last_connect_us; /* the latest, on the common clock */
    int64_t most_errors;
};

/* Adds one part's row r (its part p) into out's counts and g. */
static void add_row(struct interval_row *out, struct gathered *g, const struct interval_row *r,
                    const struct series_part *p, int64_t end_us)
{
    g->end_us += (double)end_us;
    g->length_us += (double)r->length_us;
    out->warmup |= r->warmup;
    out->stall |= r->stall;
    out->outage |= r->outage;
    out->open_loop |= r->open_loop;
    out->committed += r->committed;
    out->retries += r->retries;
    out->failed += r->failed;
    out->ambiguous += r->ambiguous;
    out->insufficient += r->insufficient;
    for (int e = 0; e < ERR_CLASS_COUNT; e++)
        out->retries_by_class[e] += r->retries_by_class[e];
    double offered = isfinite(r->offered_per_s) ? r->offered_per_s
                     : p->rate_per_s > 0        ? p->rate_per_s
                                                : NAN;
    if (isfinite(offered))
        out->offered_per_s = (isfinite(out->offered_per_s) ? out->offered_per_s : 0) + offered;
    if (isfinite(r->loop_busy) && !(out->loop_busy >= r->loop_busy)) out->loop_busy = r->loop_busy;
    if (r->max_us > out->max_us) out->max_us = r->max_us;
    if (r->lag_max_us > out->lag_max_us) out->lag_max_us = r->lag_max_us;
    if (out->phase[0] == '\0') memcpy(out->phase, r->phase, sizeof out->phase);
    add_trigger(out->trigger, sizeof out->trigger, r->trigger);
    out->connect_attempts += r->connect_attempts;
    out->connects += r->connects;
    /* The latest of the parts' last connects; one not known (a result
     * from before) may have been the latest. */
    if (r->connects > 0) {
        g->last_connect_known = g->last_connect_known && r->last_connect_us != SERIES_UNKNOWN_US;
        int64_t at_us = r->last_connect_us + p->offset_us;
        if (at_us > g->last_connect_us) g->last_connect_us = at_us;
    }
    /* The workers of every part, or unknown when a part does not know its own. */
    g->workers_known = g->workers_known && r->workers > 0;
    out->workers += r->workers;
    out->workers_connected += r->workers_connected;
    out->errors += r->errors;
    if (r->errors > g->most_errors) {
        g->most_errors = r->errors;
        memcpy(out->error_sqlstate, r->error_sqlstate, sizeof out->error_sqlstate);
    }
}

/* The merged row's span (its rows' means) and its last connect, held within it. */
static void place_row(struct interval_row *out, const struct gathered *g, int k)
{
    if (!g->workers_known) out->workers = out->workers_connected = 0;
    out->end_us = (int64_t)llround(g->end_us / k);
    out->length_us = (int64_t)llround(g->length_us / k);
    if (out->length_us > out->end_us) out->length_us = out->end_us;
    if (out->connects > 0 && g->last_connect_known) {
        int64_t from_us = out->end_us - out->length_us;
        out->last_connect_us = g->last_connect_us < from_us       ? from_us
                               : g->last_connect_us > out->end_us ? out->end_us
                                                                  : g->last_connect_us;
    }
}

static int merge_rows(const struct placed *c, int k, const struct series_part *parts,
                      struct interval_row *out, char *err, size_t err_len)
{
    *out = (struct interval_row){
        .loop_busy = NAN, .offered_per_s = NAN, .last_connect_us = SERIES_UNKNOWN_US};
    struct hist *latency = NULL, *lag = NULL;
    struct gathered g = {
        .workers_known = true, .last_connect_known = true, .last_connect_us = INT64_MIN};
    for (int i = 0; i < k; i++) {
        const struct interval_row *r = c[i].row;
        const struct series_part *p = &parts[c[i].part];
        add_row(out, &g, r, p, c[i].end_us);
        double end_s = series_row_end_s(r);
        if (r->committed > 0 && r->latency_hdr == NULL) {
            hist_destroy(latency);
            hist_destroy(lag);
            return errbuf_fail(err, err_len,
                               "merge: %s: its interval ending at %.3f s keeps no latency "
                               "histogram (written by an older txstorm), so merged percentiles "
                               "cannot be exact",
                               p->name, end_s);
        }
        if ((r->latency_hdr &&
             add_hist(&latency, r->latency_hdr, "latency", p->name, end_s, err, err_len)) ||
            (r->lag_hdr && add_hist(&lag, r->lag_hdr, "lag", p->name, end_s, err, err_len))) {
            hist_destroy(latency);
            hist_destroy(lag);
            return -1;
        }
    }
    place_row(out, &g, k);
    bool ok = true;
    if (latency) {
        out->p50_us = hist_value_at_percentile(latency, 50);
        out->p90_us = hist_value_at_percentile(latency, 90);
        out->p99_us = hist_value_at_percentile(latency, 99);
        ok = (out->latency_hdr = hist_hdr_encode(latency)) != NULL;
    }
    if (ok && lag) ok = (out->lag_hdr = hist_hdr_encode(lag)) != NULL;
    hist_destroy(latency);
    hist_destroy(lag);
    if (!ok) {
        series_row_free(out);
        return errbuf_fail(err, err_len, "merge: out of memory");
    }
    return 0;
}

/* How much of their spans two placed rows share. */
static int64_t overlap_us(const struct placed *a, const struct placed *b)
{
    int64_t start_a = a->end_us - a->row->length_us, start_b = b->end_us - b->row->length_us;
    int64_t from = start_a > start_b ? start_a : start_b;
    int64_t to = a->end_us < b->end_us ? a->end_us : b->end_us;
    return to > from ? to - from : 0;
}

/* Whether two rows of different parts are one interval of the run: both
 * warmup or both measured, sharing at least half of the shorter one's span
 * (an instant row: the same end). */
static bool same_interval(const struct placed *a, const struct placed *b)
{
    /* A warmup row and a measured one never merge: the measured rows of a
     * merge add up to its totals, as a run's do. */
    if (a->row->warmup != b->row->warmup) return false;
    int64_t shorter = a->row->length_us < b->row->length_us ? a->row->length_us : b->row->length_us;
    if (shorter == 0) return a->end_us == b->end_us;
    return 2 * overlap_us(a, b) >= shorter;
}

static int row_end_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct interval_row *)a)->end_us,
            y = ((const struct interval_row *)b)->end_us;
    return (x > y) - (x < y);
}

int series_merge(const struct series_part *parts, int n, struct series *out, char *err,
                 size_t err_len)
{
    *out = (struct series){0};
    size_t total = 0;
    int64_t longest_us = 0;
    for (int p = 0; p < n; p++) {
        total += parts[p].series->n;
        int64_t l = series_longest_us(parts[p].series);
        if (l > longest_us) longest_us = l;
    }
    size_t cells = total ? total : 1;
    struct placed *all = calloc(cells, sizeof *all), *cluster = calloc(cells, sizeof *cluster);
    bool *used = calloc((size_t)n, sizeof *used), *taken = calloc(cells, sizeof *taken);
    if (all == NULL || cluster == NULL || used == NULL || taken == NULL) {
        free(all);
        free(cluster);
        free(used);
        free(taken);
        return errbuf_fail(err, err_len, "merge: out of memory");
    }
    size_t m = 0;
    for (int p = 0; p < n; p++)
        for (size_t i = 0; i < parts[p].series->n; i++) {
            const struct interval_row *r = &parts[p].series->rows[i];
            all[m++] = (struct placed){r, p, r->end_us + parts[p].offset_us};
        }
    qsort(all, total, sizeof *all, placed_cmp);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < total; i++) {
        if (taken[i]) continue;
        memset(used, 0, (size_t)n * sizeof *used);
        int k = 0;
        cluster[k++] = all[i];
        taken[i] = used[all[i].part] = true;
        /* Rows of other parts sharing most of this one's span; none can end
         * more than the longest interval after it and still overlap it. */
        for (size_t j = i + 1; j < total && all[j].end_us - all[i].end_us <= longest_us; j++) {
            if (taken[j] || used[all[j].part] || !same_interval(&all[i], &all[j])) continue;
            cluster[k++] = all[j];
            taken[j] = used[all[j].part] = true;
        }
        struct interval_row row;
        rc = merge_rows(cluster, k, parts, &row, err, err_len);
        if (rc == 0 && !series_append(out, &row))
            rc = errbuf_fail(err, err_len, "merge: out of memory");
    }
    /* A row that matched none (a part's last sliver) may end before a merged
     * row ends: in order of their ends, as a series is. */
    if (rc == 0 && out->n > 1) qsort(out->rows, out->n, sizeof *out->rows, row_end_cmp);
    free(all);
    free(cluster);
    free(used);
    free(taken);
    if (rc != 0) series_free(out);
    return rc;
}
