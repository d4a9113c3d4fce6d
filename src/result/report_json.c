/* The JSON result's encoders of more than a field (the key table,
 * report_keys.c, names them) and the configuration's record, and writing a
 * file whole or not at all. */
#include "report_internal.h"
#include "txstorm/hist_json.h"
#include "txstorm/json_id.h"
#include "txstorm/outfile.h"

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

json_t *report_summary_json(const struct hist *h, double scale)
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

json_t *report_retries_by_sqlstate_json(const struct run_summary *s, size_t at)
{
    (void)at;
    const struct stats *t = &s->total;
    int64_t other =
        t->retries - t->retries_by_class[ERR_SERIALIZATION] - t->retries_by_class[ERR_DEADLOCK];
    return json_pack("{s:I, s:I, s:I}", "40001", (json_int_t)t->retries_by_class[ERR_SERIALIZATION],
                     "40P01", (json_int_t)t->retries_by_class[ERR_DEADLOCK], "other",
                     (json_int_t)other);
}

json_t *report_loops_json(const struct run_summary *s, size_t at)
{
    (void)at;
    if (s->loops == NULL) return NULL;
    json_t *loops = json_array();
    for (int i = 0; i < s->n_loops; i++) {
        const struct loop_use *u = &s->loops[i];
        json_array_append_new(
            loops, json_pack("{s:f, s:I, s:I, s:I, s:I, s:I}", "busy", saturation_busy_share(u),
                             "busy_us", (json_int_t)u->busy_us, "wall_us", (json_int_t)u->wall_us,
                             "intervals", (json_int_t)u->intervals, "saturated_intervals",
                             (json_int_t)u->saturated, "cpu_us", (json_int_t)u->cpu_us));
    }
    return loops;
}

json_t *report_client_saturated_json(const struct run_summary *s, size_t at)
{
    (void)at;
    int worst;
    return s->loops ? json_boolean(saturation_verdict(s->loops, s->n_loops, &worst)) : NULL;
}

json_t *report_connection_json(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_pack("{s:I, s:I, s:f, s:f}", "losses", (json_int_t)s->faults.connection_losses,
                     "reconnects", (json_int_t)s->faults.reconnects, "disconnected_ms",
                     report_ms(s->faults.disconnected_us), "worst_worker_disconnected_ms",
                     report_ms(s->faults.worst_disconnected_us));
}

json_t *report_endpoints_json(const struct run_summary *s, size_t at)
{
    (void)at;
    if (s->endpoints == NULL) return NULL;
    json_t *eps = json_array();
    for (int i = 0; i < s->n_endpoints; i++) {
        json_t *e = endpoint_json_encode(&s->endpoints[i]);
        /* Not known (a merge with an older result): left out, as it wrote them. */
        for (const char *const *k = endpoint_connect_keys; e && s->endpoint_connects_unknown && *k;
             k++)
            json_object_del(e, *k);
        json_array_append_new(eps, e);
    }
    return eps;
}

json_t *report_stalls_json(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_pack("{s:I, s:f, s:f}", "count", (json_int_t)s->stalls.count, "longest_s",
                     (double)s->stalls.longest_us / 1e6, "first_at_s",
                     (double)s->stalls.first_at_us / 1e6);
}

json_t *report_backoff_ms_json(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_real(report_ms(s->total.backoff_us));
}

json_t *report_duration_json(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_real((double)s->elapsed_us / 1e6);
}

json_t *report_throughput_json(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_real(figures_per_second((double)s->total.committed, s->elapsed_us));
}

/* Each histogram whole (hist_json.h), the auditor's read latency among them. */
json_t *report_histograms_json(const struct run_summary *s, size_t at)
{
    (void)at;
    json_t *hists = json_object();
    for (int i = 0; i < HIST_COUNT; i++)
        json_object_set_new(hists, stats_hist_name(i), hist_json_encode(s->total.hist[i]));
    if (s->audit_latency_us)
        json_object_set_new(hists, "auditor_read_us", hist_json_encode(s->audit_latency_us));
    return hists;
}

int report_write_file(const char *path, int (*write)(FILE *, const void *), const void *arg,
                      char *err, size_t err_len)
{
    return outfile_write(path, write, arg, err, err_len);
}
