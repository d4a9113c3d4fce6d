/* The JSON result, the per-interval series as JSON rows and CSV, and writing
 * any of them to a file whole or not at all. */
#include "report_internal.h"
#include "txstorm/errlog_json.h"
#include "txstorm/hist_json.h"
#include "txstorm/json_id.h"
#include "txstorm/ledger_json.h"
#include "txstorm/outfile.h"
#include "txstorm/series_json.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void describe_skew(const struct skew *k, char *out, size_t len)
{
    switch (k->kind) {
    case SKEW_UNIFORM:
        snprintf(out, len, "uniform");
        break;
    case SKEW_HOT:
        snprintf(out, len, "hot:%lld", (long long)k->hot);
        break;
    case SKEW_HOTSPOT:
        snprintf(out, len, "hotspot:%lld:%g", (long long)k->hot, k->hot_probability);
        break;
    case SKEW_ZIPF:
        snprintf(out, len, "zipf:%g", k->zipf_s);
        break;
    }
}

/* One config field into o, as its flag's row records it. */
static void record_json(json_t *o, const struct flag *f, const struct flag_record *r,
                        const struct config *cfg)
{
    const char *at = (const char *)cfg + r->offset;
    int64_t us = 0;
    if (r->as == AS_MS || r->as == AS_S) memcpy(&us, at, sizeof us);
    json_t *v = NULL;
    switch (r->as) {
    case AS_NONE:
        return;
    case AS_INT:
        v = json_integer(r->size == sizeof(int) ? *(const int *)at
                                                : (json_int_t) * (const int64_t *)at);
        break;
    case AS_ID:
        v = json_id(*(const int64_t *)at);
        break;
    case AS_REAL:
        v = json_real(*(const double *)at);
        break;
    case AS_MS:
        v = json_real(report_ms(us));
        break;
    case AS_S:
        v = json_real((double)us / 1e6);
        break;
    case AS_NAME:
        v = json_string(f->names[*(const int *)at]);
        break;
    case AS_TEXT:
        v = json_string(*(const char *const *)at ? *(const char *const *)at : ""); /* "": unset */
        break;
    case AS_TEXT_LIST: {
        const struct text_list *list = (const struct text_list *)at;
        if (list->n == 1) {
            v = json_string(list->items[0]);
            break;
        }
        v = json_array();
        for (int i = 0; i < list->n; i++)
            json_array_append_new(v, json_string(list->items[i]));
        break;
    }
    case AS_BOOL:
        v = json_boolean(*(const bool *)at);
        break;
    case AS_SKEW: {
        const struct skew *k = (const struct skew *)at;
        char skew[64];
        describe_skew(k, skew, sizeof skew);
        v = json_string(skew);
        /* The foundation's key: the hot set, when the skew has one. */
        if (k->kind == SKEW_HOT || k->kind == SKEW_HOTSPOT)
            json_object_set_new(o, "hot", json_integer(k->hot));
        break;
    }
    case AS_RETRY_SET: {
        const struct retry_set *set = (const struct retry_set *)at;
        v = json_array();
        for (int c = 0; c < ERR_CLASS_COUNT; c++)
            if (set->retry[c]) json_array_append_new(v, json_string(classify_name(c)));
        break;
    }
    }
    json_object_set_new(o, r->key, v);
}

json_t *report_config_json(const struct config *cfg, const struct text_list *endpoints_redacted,
                           uint64_t seed, int64_t accounts, int threads)
{
    /* The config as the run resolved it, with zero for what does not apply. */
    struct config resolved = *cfg;
    resolved.endpoints = *endpoints_redacted;
    resolved.seed = seed;
    resolved.accounts = accounts;
    resolved.threads = threads;
    if (resolved.amount_mode != AMOUNT_FRACTION) resolved.amount_fraction = 0;
    if (resolved.budget_tokens <= 0) resolved.budget_refund = 0;
    json_t *o = json_object();
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        for (size_t r = 0; r < sizeof f->record / sizeof f->record[0]; r++)
            if (f->record[r].key) record_json(o, f, &f->record[r], &resolved);
    }
    return o;
}

/* Percentiles, max, mean and count of a histogram, divided by scale. */
static json_t *summary_json(const struct hist *h, double scale)
{
    static const double more[] = {0, 25, 75, 95, 99.99};
    static const char *const more_keys[] = {"p0", "p25", "p75", "p95", "p9999"};
    json_t *o = json_object();
    for (int i = 0; i < report_n_percentiles; i++)
        json_object_set_new(
            o, report_percentile_keys[i],
            json_real((double)hist_value_at_percentile(h, report_percentiles[i]) / scale));
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        json_object_set_new(o, more_keys[i],
                            json_real((double)hist_value_at_percentile(h, more[i]) / scale));
    json_object_set_new(o, "max", json_real((double)hist_max(h) / scale));
    json_object_set_new(o, "mean", json_real(hist_mean(h) / scale));
    json_object_set_new(o, "stddev", json_real(hist_stddev(h) / scale));
    json_object_set_new(o, "count", json_integer(h->total_count));
    return o;
}

json_t *report_ledger_json(const struct ledger *l, int64_t run_id, int64_t bank_id)
{
    json_t *o = ledger_json_encode(l);
    if (o) json_object_set_new(o, "run_id", json_id(run_id));
    if (o) json_object_set_new(o, "bank_id", json_id(bank_id));
    return o;
}

/* Which servers the workers reached, and the failover timeline. */
static void add_cluster_json(json_t *root, const struct run_summary *s)
{
    if (s->workers_servers)
        json_object_set_new(root, "workers_servers", json_deep_copy(s->workers_servers));
    if (s->failover.present)
        json_object_set_new(root, "failover", failover_json(&s->failover, s->origin_wall_us));
    if (s->triggers.n) json_object_set_new(root, "triggers", trigger_outcomes_json(&s->triggers));
}

/* Every counter, and the counts by class, reason and SQLSTATE. */
static void add_counters(json_t *root, const struct stats *t)
{
#define COUNTER(field, key, add, older) json_object_set_new(root, key, json_integer(t->field));
    STATS_COUNTERS(COUNTER)
    STATS_CONNECT_COUNTERS(COUNTER)
#undef COUNTER
    int64_t other =
        t->retries - t->retries_by_class[ERR_SERIALIZATION] - t->retries_by_class[ERR_DEADLOCK];
    json_object_set_new(root, "retries_by_sqlstate",
                        json_pack("{s:I, s:I, s:I}", "40001",
                                  (json_int_t)t->retries_by_class[ERR_SERIALIZATION], "40P01",
                                  (json_int_t)t->retries_by_class[ERR_DEADLOCK], "other",
                                  (json_int_t)other));
#define COUNTS_BY(field, n, name, sparse)                                                          \
    {                                                                                              \
        json_t *by = json_object();                                                                \
        for (int i = 0; i < (n); i++)                                                              \
            if (!(sparse) || t->field[i])                                                          \
                json_object_set_new(by, name(i), json_integer(t->field[i]));                       \
        json_object_set_new(root, #field, by);                                                     \
    }
    STATS_COUNTS_BY(COUNTS_BY)
    STATS_CONNECT_COUNTS_BY(COUNTS_BY)
#undef COUNTS_BY
    json_object_set_new(root, "errors_by_sqlstate", errlog_json_encode(&t->errors));
}

/* Each event loop's use, and whether any was saturated. */
static void add_loops(json_t *root, const struct run_summary *s)
{
    if (s->loops) {
        int worst;
        json_t *loops = json_array();
        for (int i = 0; i < s->n_loops; i++) {
            const struct loop_use *u = &s->loops[i];
            json_array_append_new(
                loops,
                json_pack("{s:f, s:I, s:I, s:I, s:I, s:I}", "busy", saturation_busy_share(u),
                          "busy_us", (json_int_t)u->busy_us, "wall_us", (json_int_t)u->wall_us,
                          "intervals", (json_int_t)u->intervals, "saturated_intervals",
                          (json_int_t)u->saturated, "cpu_us", (json_int_t)u->cpu_us));
        }
        json_object_set_new(root, "loops", loops);
        json_object_set_new(root, "client_saturated",
                            json_boolean(saturation_verdict(s->loops, s->n_loops, &worst)));
    }
}

/* Connection faults, endpoints, stalls and the workers that lost connections. */
static void add_faults(json_t *root, const struct run_summary *s)
{
    json_object_set_new(
        root, "connection",
        json_pack("{s:I, s:I, s:f, s:f}", "losses", (json_int_t)s->faults.connection_losses,
                  "reconnects", (json_int_t)s->faults.reconnects, "disconnected_ms",
                  report_ms(s->faults.disconnected_us), "worst_worker_disconnected_ms",
                  report_ms(s->faults.worst_disconnected_us)));
    if (s->endpoints) {
        json_t *eps = json_array();
        for (int i = 0; i < s->n_endpoints; i++) {
            json_t *e = endpoint_json_encode(&s->endpoints[i]);
            /* Not known (a merge with an older result): left out, as it wrote them. */
            for (const char *const *k = endpoint_connect_keys;
                 e && s->endpoint_connects_unknown && *k; k++)
                json_object_del(e, *k);
            json_array_append_new(eps, e);
        }
        json_object_set_new(root, "endpoints", eps);
    }
    json_object_set_new(root, "stalls",
                        json_pack("{s:I, s:f, s:f}", "count", (json_int_t)s->stalls.count,
                                  "longest_s", (double)s->stalls.longest_us / 1e6, "first_at_s",
                                  (double)s->stalls.first_at_us / 1e6));
    json_object_set_new(root, "worker_faults",
                        worker_faults_json(&s->worker_faults));
}

/* Totals over the span, each histogram's summary, and the histograms themselves. */
static void add_distributions(json_t *root, const struct run_summary *s)
{
    const struct stats *t = &s->total;
    json_object_set_new(root, "backoff_ms_total", json_real(report_ms(t->backoff_us)));
    json_object_set_new(root, "duration_s", json_real((double)s->elapsed_us / 1e6));
    json_object_set_new(root, "throughput_tps",
                        json_real(figures_per_second((double)t->committed, s->elapsed_us)));
    json_object_set_new(root, "latency_ms", summary_json(t->hist[HIST_LATENCY], 1000.0));
    json_object_set_new(root, "latency_uncorrected_ms",
                        summary_json(t->hist[HIST_LATENCY_UNCORRECTED], 1000.0));
    json_object_set_new(root, "attempt_latency_ms", summary_json(t->hist[HIST_ATTEMPT], 1000.0));
    json_object_set_new(root, "backoff_sleep_ms", summary_json(t->hist[HIST_BACKOFF], 1000.0));
    json_object_set_new(root, "schedule_lag_ms", summary_json(t->hist[HIST_LAG], 1000.0));
    json_object_set_new(root, "retries_per_txn", summary_json(t->hist[HIST_RETRIES], 1.0));
    json_object_set_new(root, "connect_ms", summary_json(t->hist[HIST_CONNECT], 1000.0));
    json_t *hists = json_object();
    for (int i = 0; i < HIST_COUNT; i++)
        json_object_set_new(hists, stats_hist_name(i), hist_json_encode(t->hist[i]));
    json_object_set_new(root, "histograms", hists);
    if (s->audit_latency_us) {
        json_object_set_new(root, "auditor_latency_ms", summary_json(s->audit_latency_us, 1000.0));
        json_object_set_new(hists, "auditor_read_us", hist_json_encode(s->audit_latency_us));
    }
}

json_t *report_json(const struct run_summary *s)
{
    const struct stats *t = &s->total;
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string("txstorm"));
    json_object_set_new(root, "tool_version", json_string(s->tool_version));
    json_object_set_new(root, "format_version", json_string(REPORT_FORMAT_VERSION));
    json_object_set_new(root, "server_version", json_string(s->server_version));
    json_object_set_new(root, "start_unix_ms", json_integer(s->start_wall_us / 1000));
    json_object_set_new(root, "end_unix_ms", json_integer(s->end_wall_us / 1000));
    /* Microseconds too, so merge can take the union of spans exactly. */
    json_object_set_new(root, "start_unix_us", json_integer(s->start_wall_us));
    json_object_set_new(root, "end_unix_us", json_integer(s->end_wall_us));
    /* The zero of the intervals, triggers and failover windows (the workers' start). */
    json_object_set_new(root, "clock_origin_unix_us", json_integer(s->origin_wall_us));
    json_object_set_new(root, "interrupted", json_boolean(s->interrupted));
    json_object_set_new(root, "merged_from", json_integer(s->merged_from));
    add_counters(root, t);
    json_object_set_new(root, "workers_lost", json_integer(s->workers_lost));
    json_object_set_new(root, "client_cpu_us", json_integer(s->client_cpu_us));
    add_loops(root, s);
    add_faults(root, s);
    add_distributions(root, s);
    json_object_set_new(root, "config", json_deep_copy(s->config));
    json_object_set_new(root, "check", s->check_done ? report_check_json(&s->check) : json_null());
    json_object_set_new(root, "intervals", series_json_encode(&s->series));
    if (s->phases.n) json_object_set_new(root, "phases", phases_report_json(&s->phases));
    if (s->audit_series)
        json_object_set_new(root, "auditor_series", json_deep_copy(s->audit_series));
    if (s->ledger) json_object_set_new(root, "ledger", json_deep_copy(s->ledger));
    if (s->ledgers) json_object_set_new(root, "ledgers", json_deep_copy(s->ledgers));
    add_cluster_json(root, s);
    return root;
}

int report_write_json_to(FILE *out, const void *summary)
{
    json_t *root = report_json(summary);
    int rc = root ? json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : -1;
    json_decref(root);
    return rc == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

int report_write_file(const char *path, int (*write)(FILE *, const void *), const void *arg,
                      char *err, size_t err_len)
{
    return outfile_write(path, write, arg, err, err_len);
}
