/* Per-phase figures: the tally, its JSON and its table. */
#include "txstorm/phases_report.h"

#include <math.h>

bool phase_tallies_init(struct phase_tally *t, int n, int sig_figs)
{
    for (int i = 0; i < n; i++) {
        t[i] = (struct phase_tally){0};
        t[i].latency_us = hist_create(STATS_HIST_HIGHEST, sig_figs);
        t[i].lag_us = hist_create(STATS_HIST_HIGHEST, sig_figs);
        if (t[i].latency_us == NULL || t[i].lag_us == NULL) return false;
    }
    return true;
}

void phase_tallies_free(struct phase_tally *t, int n)
{
    for (int i = 0; t && i < n; i++) {
        hist_destroy(t[i].latency_us);
        hist_destroy(t[i].lag_us);
    }
}

void phase_tally_add(struct phase_tally *t, const struct stats *interval, int64_t interval_us,
                     double offered)
{
    t->measured_us += interval_us;
    t->offered += offered;
    struct figure_counts c = stats_counts(interval);
    figures_add(&t->counts, &c);
    hist_merge(t->latency_us, interval->hist[HIST_LATENCY]);
    hist_merge(t->lag_us, interval->hist[HIST_LAG]);
}

static double p_ms(const struct hist *h, double p)
{
    return h->total_count ? (double)hist_value_at_percentile(h, p) / 1000.0 : 0;
}

json_t *phases_report_json(const struct phases *p, const struct phase_tally *t, int64_t end_us)
{
    json_t *rows = json_array();
    for (int i = 0; rows && i < p->n; i++) {
        const struct phase *ph = &p->phase[i];
        const struct phase_tally *x = &t[i];
        if (x->measured_us == 0) continue;
        /* Cut short by the run's end, or (the last) held past its own. */
        int64_t last_us = i == p->n - 1 || end_us < ph->end_us ? end_us : ph->end_us;
        struct figures f;
        figures_of(&x->counts, x->measured_us, &f);
        json_t *row = json_pack(
            "{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f, s:f}", "name",
            ph->name, "start_s", (double)ph->start_us / 1e6, "end_s", (double)last_us / 1e6,
            "rate_from_per_s", ph->from_per_s, "rate_to_per_s", ph->to_per_s, "offered", x->offered,
            "offered_per_s", figures_per_second(x->offered, x->measured_us), "achieved_per_s",
            figures_per_second((double)f.finished, x->measured_us), "goodput_per_s",
            f.goodput_per_s, "retries_per_commit", figures_or_zero(f.retries_per_commit), "failed",
            (json_int_t)x->counts.failed, "p50_ms", p_ms(x->latency_us, 50), "p99_ms",
            p_ms(x->latency_us, 99), "lag_p99_ms", p_ms(x->lag_us, 99));
        json_array_append_new(rows, row);
    }
    return rows;
}

static double num(const json_t *row, const char *key)
{
    return json_number_value(json_object_get(row, key));
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
