/* Reading a saved result back: the decoders of more than a field (the key
 * table, report_keys.c, names them), and freeing what they made. */
#include "report_internal.h"
#include "txstorm/errbuf.h"
#include "txstorm/hist_json.h"

#include <stdlib.h>
#include <string.h>

void report_summary_free(struct run_summary *s)
{
    stats_free(&s->total);
    hist_destroy(s->audit_latency_us);
    audit_series_free(&s->audit_series);
    ledger_record_free(&s->ledger);
    ledger_records_free(&s->ledgers);
    worker_faults_free(&s->worker_faults);
    worker_trails_free(&s->workers_servers);
    failover_free(&s->failover);
    trigger_outcomes_free(&s->triggers);
    json_decref(s->config);
    series_free(&s->series);
    phase_table_free(&s->phases);
    json_decref(s->source);
    free(s->loops);
    endpoints_free(s->endpoints, s->n_endpoints);
    checker_free(&s->check);
    memset(s, 0, sizeof *s);
}

int report_load_fail_key(const struct report_load_ctx *c, const char *before, const char *after)
{
    return errbuf_fail(c->err, c->err_len, "%s: %s'%s'%s", c->path, before, c->key, after);
}

/* One count of an object of counts by name; absent names count 0 (older or
 * sparse results). */
int report_get_count(const json_t *by, const char *name, int64_t *out,
                     const struct report_load_ctx *c)
{
    json_t *v = json_object_get(by, name);
    if (v == NULL) return 0;
    if (!json_is_integer(v))
        return errbuf_fail(c->err, c->err_len, "%s: '%s' is not an integer", c->path, name);
    *out = json_integer_value(v);
    return 0;
}

int report_histograms_decode(const json_t *hists, struct run_summary *s, size_t at,
                             struct report_load_ctx *c)
{
    (void)at;
    struct stats *t = &s->total;
    for (int i = 0; i < HIST_COUNT; i++) {
        char herr[200];
        const json_t *h = json_object_get(hists, stats_hist_name(i));
        /* An older result's: empty, in the layout of the first. */
        if (h == NULL && i > 0 && stats_hist_older(i)) {
            t->hist[i] = hist_create(STATS_HIST_HIGHEST, t->hist[0]->sig_figs);
            if (t->hist[i] == NULL)
                return errbuf_fail(c->err, c->err_len, "%s: out of memory", c->path);
            continue;
        }
        t->hist[i] = hist_json_decode(h, herr, sizeof herr);
        if (t->hist[i] == NULL)
            return errbuf_fail(c->err, c->err_len, "%s: histogram %s: %s", c->path,
                               stats_hist_name(i), herr);
        /* All of a result's histograms share one layout, or none of them merge. */
        if (t->hist[i]->highest != STATS_HIST_HIGHEST ||
            t->hist[i]->sig_figs != t->hist[0]->sig_figs)
            return errbuf_fail(c->err, c->err_len, "%s: histogram %s has another layout", c->path,
                               stats_hist_name(i));
    }
    const json_t *audit = json_object_get(hists, "auditor_read_us");
    char why[256];
    if (audit && (s->audit_latency_us = hist_json_decode(audit, why, sizeof why)) == NULL)
        return errbuf_fail(c->err, c->err_len, "%s: histogram auditor_read_us: %s", c->path, why);
    return 0;
}

/* Zeroed room for the rows of v, an array of at most max rows under key
 * (one more, so that an empty array has some); NULL with one line in c's err. */
static void *rows_of(const json_t *v, const char *key, size_t max, size_t size,
                     struct report_load_ctx *c)
{
    void *rows = NULL;
    if (!json_is_array(v) || json_array_size(v) > max)
        errbuf_fail(c->err, c->err_len, "%s: malformed '%s'", c->path, key);
    else if ((rows = calloc(json_array_size(v) + 1, size)) == NULL)
        errbuf_fail(c->err, c->err_len, "%s: out of memory", c->path);
    return rows;
}

/* The event loops' use ("loops"; older results have none). */
int report_loops_decode(const json_t *loops, struct run_summary *s, size_t at,
                        struct report_load_ctx *c)
{
    (void)at;
    const char *path = c->path;
    char *err = c->err;
    size_t err_len = c->err_len;
    s->loops = rows_of(loops, "loops", (size_t)OPTIONS_MAX_THREADS * OPTIONS_MAX_INSTANCES,
                       sizeof *s->loops, c);
    if (s->loops == NULL) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(loops, i, v)
    {
        struct loop_use *u = &s->loops[i];
        json_int_t busy, wall, intervals, saturated, cpu;
        if (json_unpack(v, "{s:I, s:I, s:I, s:I, s:I}", "busy_us", &busy, "wall_us", &wall,
                        "intervals", &intervals, "saturated_intervals", &saturated, "cpu_us",
                        &cpu) != 0 ||
            busy < 0 || wall < busy || intervals < 0 || saturated < 0 || saturated > intervals)
            return errbuf_fail(err, err_len, "%s: malformed 'loops' entry %zu", path, i + 1);
        *u = (struct loop_use){.busy_us = busy,
                               .wall_us = wall,
                               .intervals = intervals,
                               .saturated = saturated,
                               .cpu_us = cpu};
    }
    s->n_loops = (int)json_array_size(loops);
    return 0;
}

/* The per-endpoint figures ("endpoints"; older results have none). */
int report_endpoints_decode(const json_t *eps, struct run_summary *s, size_t at,
                            struct report_load_ctx *c)
{
    (void)at;
    const char *path = c->path;
    char *err = c->err;
    size_t err_len = c->err_len;
    s->endpoints = rows_of(eps, "endpoints", (size_t)OPTIONS_MAX_ENDPOINTS * OPTIONS_MAX_INSTANCES,
                           sizeof *s->endpoints, c);
    if (s->endpoints == NULL) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(eps, i, v)
    {
        char eerr[256];
        if (endpoint_json_decode(v, &s->endpoints[i], eerr, sizeof eerr) != 0)
            return errbuf_fail(err, err_len, "%s: endpoints entry %zu: %s", path, i + 1, eerr);
        s->n_endpoints++;
        if (json_object_get(v, endpoint_connect_keys[0]) == NULL)
            s->endpoint_connects_unknown = true;
    }
    return 0;
}

int report_connection_decode(const json_t *conn, struct run_summary *s, size_t at,
                             struct report_load_ctx *c)
{
    (void)at;
    double disc_ms = 0, worst_ms = 0;
    if (json_unpack((json_t *)conn, "{s:I, s:I, s:F, s:F}", "losses", &s->faults.connection_losses,
                    "reconnects", &s->faults.reconnects, "disconnected_ms", &disc_ms,
                    "worst_worker_disconnected_ms", &worst_ms) != 0)
        return report_load_fail_key(c, "malformed ", "");
    s->faults.disconnected_us = (int64_t)(disc_ms * 1000.0 + 0.5);
    s->faults.worst_disconnected_us = (int64_t)(worst_ms * 1000.0 + 0.5);
    return 0;
}

int report_stalls_decode(const json_t *stalls, struct run_summary *s, size_t at,
                         struct report_load_ctx *c)
{
    (void)at;
    double longest_s = 0, first_s = 0;
    if (json_unpack((json_t *)stalls, "{s:I, s:F, s:F}", "count", &s->stalls.count, "longest_s",
                    &longest_s, "first_at_s", &first_s) != 0)
        return report_load_fail_key(c, "malformed ", "");
    s->stalls.longest_us = (int64_t)(longest_s * 1e6 + 0.5);
    s->stalls.first_at_us = (int64_t)(first_s * 1e6 + 0.5);
    return 0;
}
