/* Per-phase figures: tallied from the series, their JSON and their table. */
#include "txstorm/phases_report.h"
#include "txstorm/hist_hdr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct phase_tally {
    int64_t measured_us; /* the phase's measured intervals, summed */
    double offered;      /* transactions offered in them */
    struct figure_counts counts;
    struct hist *latency_us, *lag_us;
};

/* Adds an encoded histogram into *acc (made on first use); false when it
 * cannot be read or merged (the figures then leave it out). */
static bool add_hist(struct hist **acc, const char *encoded)
{
    if (encoded == NULL) return true;
    char why[160];
    struct hist *h = hist_hdr_decode(encoded, why, sizeof why);
    if (h == NULL) return false;
    if (*acc == NULL) {
        *acc = h;
        return true;
    }
    bool ok = hist_merge(*acc, h);
    hist_destroy(h);
    return ok;
}

static void tally(struct phase_tally *t, const char *name, const struct series *rows)
{
    *t = (struct phase_tally){0};
    for (size_t i = 0; i < rows->n; i++) {
        const struct interval_row *r = &rows->rows[i];
        if (r->warmup || strcmp(r->phase, name) != 0) continue;
        t->measured_us += r->length_us;
        if (isfinite(r->offered_per_s)) t->offered += r->offered_per_s * (double)r->length_us / 1e6;
        struct figure_counts c = series_row_counts(r);
        figures_add(&t->counts, &c);
        add_hist(&t->latency_us, r->latency_hdr);
        add_hist(&t->lag_us, r->lag_hdr);
    }
}

static double p_ms(const struct hist *h, double p)
{
    return h && h->total_count ? (double)hist_value_at_percentile(h, p) / 1000.0 : 0;
}

/* One phase's row; NULL when none of its time was measured. */
static json_t *phase_row(const char *name, double start_s, double end_s, double from_per_s,
                         double to_per_s, const struct series *rows)
{
    struct phase_tally x;
    tally(&x, name, rows);
    json_t *row = NULL;
    struct figures f;
    figures_of(&x.counts, x.measured_us, &f);
    if (x.measured_us > 0)
        row =
            json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f, s:f}",
                      "name", name, "start_s", start_s, "end_s", end_s, "rate_from_per_s",
                      from_per_s, "rate_to_per_s", to_per_s, "offered", x.offered, "offered_per_s",
                      figures_per_second(x.offered, x.measured_us), "achieved_per_s",
                      figures_per_second((double)f.finished, x.measured_us), "goodput_per_s",
                      f.goodput_per_s, "retries_per_commit", figures_or_zero(f.retries_per_commit),
                      "failed", (json_int_t)x.counts.failed, "p50_ms", p_ms(x.latency_us, 50),
                      "p99_ms", p_ms(x.latency_us, 99), "lag_p99_ms", p_ms(x.lag_us, 99));
    hist_destroy(x.latency_us);
    hist_destroy(x.lag_us);
    return row;
}

json_t *phases_report_json(const struct phases *p, const struct series *rows, int64_t end_us)
{
    json_t *out = json_array();
    for (int i = 0; out && i < p->n; i++) {
        const struct phase *ph = &p->phase[i];
        /* Cut short by the run's end, or (the last) held past its own. */
        int64_t last_us = i == p->n - 1 || end_us < ph->end_us ? end_us : ph->end_us;
        json_t *row = phase_row(ph->name, (double)ph->start_us / 1e6, (double)last_us / 1e6,
                                ph->from_per_s, ph->to_per_s, rows);
        if (row) json_array_append_new(out, row);
    }
    return out;
}

static double num(const json_t *row, const char *key)
{
    return json_number_value(json_object_get(row, key));
}

json_t *phases_report_again(const json_t *phases, const struct series *rows)
{
    json_t *out = json_array();
    size_t i;
    const json_t *ph;
    json_array_foreach(phases, i, ph)
    {
        const char *name = json_string_value(json_object_get(ph, "name"));
        if (name == NULL) continue;
        json_t *row = phase_row(name, num(ph, "start_s"), num(ph, "end_s"),
                                num(ph, "rate_from_per_s"), num(ph, "rate_to_per_s"), rows);
        if (row && out) json_array_append_new(out, row);
    }
    return out;
}

void phases_report_print(FILE *out, const json_t *phases)
{
    if (!json_is_array(phases) || json_array_size(phases) == 0) return;
    fprintf(out, "phases (measured)         from_s   to_s  offered/s achieved/s  goodput/s "
                 "retry/commit   failed   p50_ms   p99_ms   lag_p99_ms\n");
    size_t i;
    const json_t *row;
    json_array_foreach(phases, i, row)
    {
        const char *name = json_string_value(json_object_get(row, "name"));
        fprintf(out, "  %-22s %7.1f %6.1f %10.1f %10.1f %10.1f %12.3f %8lld %8.2f %8.2f %12.2f\n",
                name ? name : "?", num(row, "start_s"), num(row, "end_s"),
                num(row, "offered_per_s"), num(row, "achieved_per_s"), num(row, "goodput_per_s"),
                num(row, "retries_per_commit"),
                (long long)json_integer_value(json_object_get(row, "failed")), num(row, "p50_ms"),
                num(row, "p99_ms"), num(row, "lag_p99_ms"));
    }
    fprintf(out, "\n");
}
