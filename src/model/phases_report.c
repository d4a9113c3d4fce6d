/* Per-phase figures: tallied from the series, their table, their JSON both ways. */
#include "txstorm/phases_report.h"
#include "txstorm/errbuf.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/text.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
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

/* One phase's figures from the series; false when none of its time was measured. */
static bool phase_figures_of(const char *name, double start_s, double end_s, double from_per_s,
                             double to_per_s, const struct series *rows, struct phase_figures *out)
{
    struct phase_tally x;
    tally(&x, name, rows);
    struct figures f;
    figures_of(&x.counts, x.measured_us, &f);
    *out = (struct phase_figures){.start_s = start_s,
                                  .end_s = end_s,
                                  .rate_from_per_s = from_per_s,
                                  .rate_to_per_s = to_per_s,
                                  .offered = x.offered,
                                  .offered_per_s = figures_per_second(x.offered, x.measured_us),
                                  .achieved_per_s =
                                      figures_per_second((double)f.finished, x.measured_us),
                                  .goodput_per_s = f.goodput_per_s,
                                  .retries_per_commit = figures_or_zero(f.retries_per_commit),
                                  .failed = x.counts.failed,
                                  .p50_ms = p_ms(x.latency_us, 50),
                                  .p99_ms = p_ms(x.latency_us, 99),
                                  .lag_p99_ms = p_ms(x.lag_us, 99)};
    snprintf(out->name, sizeof out->name, "%s", name);
    hist_destroy(x.latency_us);
    hist_destroy(x.lag_us);
    return x.measured_us > 0;
}

static bool table_append(struct phase_table *t, const struct phase_figures *p)
{
    struct phase_figures *grown = realloc(t->items, (t->n + 1) * sizeof *grown);
    if (grown == NULL) return false;
    t->items = grown;
    t->items[t->n++] = *p;
    return true;
}

void phase_table_free(struct phase_table *t)
{
    free(t->items);
    *t = (struct phase_table){0};
}

bool phases_report_tally(const struct phases *p, const struct series *rows, int64_t end_us,
                         struct phase_table *out)
{
    *out = (struct phase_table){0};
    for (int i = 0; i < p->n; i++) {
        const struct phase *ph = &p->phase[i];
        /* Cut short by the run's end, or (the last) held past its own. */
        int64_t last_us = i == p->n - 1 || end_us < ph->end_us ? end_us : ph->end_us;
        struct phase_figures f;
        if (phase_figures_of(ph->name, (double)ph->start_us / 1e6, (double)last_us / 1e6,
                             ph->from_per_s, ph->to_per_s, rows, &f) &&
            !table_append(out, &f)) {
            phase_table_free(out);
            return false;
        }
    }
    return true;
}

bool phases_report_again(const struct phase_table *phases, const struct series *rows,
                         struct phase_table *out)
{
    *out = (struct phase_table){0};
    for (size_t i = 0; i < phases->n; i++) {
        const struct phase_figures *ph = &phases->items[i];
        struct phase_figures f;
        if (phase_figures_of(ph->name, ph->start_s, ph->end_s, ph->rate_from_per_s,
                             ph->rate_to_per_s, rows, &f) &&
            !table_append(out, &f)) {
            phase_table_free(out);
            return false;
        }
    }
    return true;
}

void phases_report_print(FILE *out, const struct phase_table *phases)
{
    if (phases->n == 0) return;
    text_printf(out, "phases (measured)         from_s   to_s  offered/s achieved/s  goodput/s "
                     "retry/commit   failed   p50_ms   p99_ms   lag_p99_ms\n");
    for (size_t i = 0; i < phases->n; i++) {
        const struct phase_figures *p = &phases->items[i];
        text_printf(
            out, "  %-22s %7.1f %6.1f %10.1f %10.1f %10.1f %12.3f %8lld %8.2f %8.2f %12.2f\n",
            p->name, p->start_s, p->end_s, p->offered_per_s, p->achieved_per_s, p->goodput_per_s,
            p->retries_per_commit, (long long)p->failed, p->p50_ms, p->p99_ms, p->lag_p99_ms);
    }
    text_printf(out, "\n");
}

/* The JSON keys, each once: the writer and the reader go through this table. */
#define FIELD(f) offsetof(struct phase_figures, f)
static const struct {
    const char *key;
    size_t offset;
} reals[] = {{"start_s", FIELD(start_s)},
             {"end_s", FIELD(end_s)},
             {"rate_from_per_s", FIELD(rate_from_per_s)},
             {"rate_to_per_s", FIELD(rate_to_per_s)},
             {"offered", FIELD(offered)},
             {"offered_per_s", FIELD(offered_per_s)},
             {"achieved_per_s", FIELD(achieved_per_s)},
             {"goodput_per_s", FIELD(goodput_per_s)},
             {"retries_per_commit", FIELD(retries_per_commit)},
             {"p50_ms", FIELD(p50_ms)},
             {"p99_ms", FIELD(p99_ms)},
             {"lag_p99_ms", FIELD(lag_p99_ms)}};
#define N_REALS (sizeof reals / sizeof reals[0])

json_t *phases_report_json(const struct phase_table *phases)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < phases->n; i++) {
        const struct phase_figures *p = &phases->items[i];
        json_t *row = json_pack("{s:s}", "name", p->name);
        for (size_t k = 0; row && k < N_REALS; k++) {
            double v = *(const double *)((const char *)p + reals[k].offset);
            json_object_set_new(row, reals[k].key, isfinite(v) ? json_real(v) : json_null());
        }
        if (row) json_object_set_new(row, "failed", json_integer(p->failed));
        if (row == NULL || json_array_append_new(rows, row) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

int phases_report_decode(const json_t *j, struct phase_table *out, char *err, size_t err_len)
{
    *out = (struct phase_table){0};
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'phases' is not an array");
    size_t i;
    const json_t *row;
    json_array_foreach(j, i, row)
    {
        struct phase_figures p = {0};
        const char *name = json_string_value(json_object_get(row, "name"));
        const json_t *failed = json_object_get(row, "failed");
        /* A phase needs its name and start; a figure absent (or null) is unknown. */
        bool ok = name && strlen(name) < sizeof p.name &&
                  json_is_number(json_object_get(row, "start_s")) &&
                  (failed == NULL || (json_is_integer(failed) && json_integer_value(failed) >= 0));
        for (size_t k = 0; ok && k < N_REALS; k++) {
            const json_t *v = json_object_get(row, reals[k].key);
            ok = v == NULL || json_is_null(v) || json_is_number(v);
            *(double *)((char *)&p + reals[k].offset) =
                json_is_number(v) ? json_number_value(v) : NAN;
        }
        if (ok) {
            snprintf(p.name, sizeof p.name, "%s", name);
            p.failed = failed ? json_integer_value(failed) : 0;
        }
        if (!ok || !table_append(out, &p)) {
            phase_table_free(out);
            return errbuf_fail(err, err_len, "phases[%zu]: malformed", i);
        }
    }
    return 0;
}
