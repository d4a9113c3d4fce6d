/* Reading a saved result back, and merging several into one. */
#include "report_internal.h"
#include "txstorm/errbuf.h"
#include "txstorm/errlog_json.h"
#include "txstorm/hist_json.h"
#include "txstorm/json_id.h"
#include "txstorm/ledger_json.h"
#include "txstorm/series_json.h"

#include <stdlib.h>
#include <string.h>

void report_summary_free(struct run_summary *s)
{
    stats_free(&s->total);
    hist_destroy(s->audit_latency_us);
    json_decref(s->audit_series);
    json_decref(s->ledger);
    json_decref(s->ledgers);
    worker_faults_free(&s->worker_faults);
    json_decref(s->workers_servers);
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

/* An integer member, required. */
static int get_i64(const json_t *o, const char *key, int64_t *out, const char *path, char *err,
                   size_t err_len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return errbuf_fail(err, err_len, "%s: not a txstorm result (no integer '%s')", path, key);
    *out = json_integer_value(v);
    return 0;
}

/* One count of an object of counts by name; absent names count 0 (older or
 * sparse results). */
static int get_count(const json_t *by, const char *name, int64_t *out, const char *path, char *err,
                     size_t err_len)
{
    json_t *v = json_object_get(by, name);
    if (v == NULL) return 0;
    if (!json_is_integer(v))
        return errbuf_fail(err, err_len, "%s: '%s' is not an integer", path, name);
    *out = json_integer_value(v);
    return 0;
}

static int load_stats(const json_t *root, struct stats *t, const char *path, char *err,
                      size_t err_len)
{
    memset(t, 0, sizeof *t);
#define COUNTER(field, key, add, older)                                                            \
    if ((older) && json_object_get(root, key) == NULL)                                             \
        t->field = 0;                                                                              \
    else if (get_i64(root, key, &t->field, path, err, err_len))                                    \
        return -1;                                                                                 \
    if (t->field < 0) return errbuf_fail(err, err_len, "%s: '%s' is negative", path, key);
    STATS_COUNTERS(COUNTER)
    STATS_CONNECT_COUNTERS(COUNTER)
#undef COUNTER
#define COUNTS_BY(field, n, name, sparse)                                                          \
    for (int i = 0; i < (n); i++)                                                                  \
        if (get_count(json_object_get(root, #field), name(i), &t->field[i], path, err, err_len))   \
            return -1;
    STATS_COUNTS_BY(COUNTS_BY)
    STATS_CONNECT_COUNTS_BY(COUNTS_BY)
#undef COUNTS_BY
    char eerr[160];
    if (errlog_json_decode(json_object_get(root, "errors_by_sqlstate"), &t->errors, eerr,
                           sizeof eerr) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, eerr);
    const json_t *hists = json_object_get(root, "histograms");
    for (int i = 0; i < HIST_COUNT; i++) {
        char herr[200];
        const json_t *h = json_object_get(hists, stats_hist_name(i));
        /* An older result's: empty, in the layout of the first. */
        if (h == NULL && i > 0 && stats_hist_older(i)) {
            t->hist[i] = hist_create(STATS_HIST_HIGHEST, t->hist[0]->sig_figs);
            if (t->hist[i] == NULL) return errbuf_fail(err, err_len, "%s: out of memory", path);
            continue;
        }
        t->hist[i] = hist_json_decode(h, herr, sizeof herr);
        if (t->hist[i] == NULL)
            return errbuf_fail(err, err_len, "%s: histogram %s: %s", path, stats_hist_name(i),
                               herr);
        /* All of a result's histograms share one layout, or none of them merge. */
        if (t->hist[i]->highest != STATS_HIST_HIGHEST ||
            t->hist[i]->sig_figs != t->hist[0]->sig_figs)
            return errbuf_fail(err, err_len, "%s: histogram %s has another layout", path,
                               stats_hist_name(i));
    }
    return 0;
}

/* The event loops' use ("loops"; older results have none). */
static int load_loops(const json_t *loops, struct run_summary *s, const char *path, char *err,
                      size_t err_len)
{
    if (loops == NULL) return 0;
    if (!json_is_array(loops) ||
        json_array_size(loops) > (size_t)OPTIONS_MAX_THREADS * OPTIONS_MAX_INSTANCES)
        return errbuf_fail(err, err_len, "%s: malformed 'loops'", path);
    s->loops = calloc(json_array_size(loops) + 1, sizeof *s->loops);
    if (s->loops == NULL) return errbuf_fail(err, err_len, "%s: out of memory", path);
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
static int load_endpoints(const json_t *eps, struct run_summary *s, const char *path, char *err,
                          size_t err_len)
{
    if (eps == NULL) return 0;
    if (!json_is_array(eps) ||
        json_array_size(eps) > (size_t)OPTIONS_MAX_ENDPOINTS * OPTIONS_MAX_INSTANCES)
        return errbuf_fail(err, err_len, "%s: malformed 'endpoints'", path);
    s->endpoints = calloc(json_array_size(eps) + 1, sizeof *s->endpoints);
    if (s->endpoints == NULL) return errbuf_fail(err, err_len, "%s: out of memory", path);
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

/* What the result is and who wrote it: a txstorm result of a format this
 * txstorm reads, its configuration and versions. */
static int load_identity(json_t *root, struct run_summary *s, const char *path, char *err,
                         size_t err_len)
{
    const char *tool = json_string_value(json_object_get(root, "tool"));
    json_t *config = json_object_get(root, "config");
    if (!json_is_object(root) || tool == NULL || strcmp(tool, "txstorm") != 0 ||
        !json_is_object(config))
        return errbuf_fail(err, err_len, "%s: not a txstorm result", path);
    /* Results from before the field are format 1. */
    const char *format = json_string_value(json_object_get(root, "format_version"));
    if (format && atoi(format) > REPORT_FORMAT_MAJOR)
        return errbuf_fail(err, err_len,
                           "%s: written by a newer txstorm (result format %s); this one reads "
                           "format %d and older",
                           path, format, REPORT_FORMAT_MAJOR);
    s->config = json_incref(config);
    s->server_version = json_string_value(json_object_get(root, "server_version"));
    s->tool_version = json_string_value(json_object_get(root, "tool_version"));
    if (s->server_version == NULL) s->server_version = "unknown";
    if (s->tool_version == NULL) s->tool_version = "unknown";
    return 0;
}

/* The counters, the measured span and its clock's origin, the process's CPU. */
static int load_span(const json_t *root, struct run_summary *s, const char *path, char *err,
                     size_t err_len)
{
    int64_t merged = 0, lost = 0;
    json_t *duration = json_object_get(root, "duration_s");
    if (load_stats(root, &s->total, path, err, err_len) ||
        get_i64(root, "start_unix_us", &s->start_wall_us, path, err, err_len) ||
        get_i64(root, "end_unix_us", &s->end_wall_us, path, err, err_len) ||
        get_i64(root, "merged_from", &merged, path, err, err_len) ||
        get_i64(root, "workers_lost", &lost, path, err, err_len))
        return -1;
    if (!json_is_number(duration) || json_number_value(duration) < 0 ||
        json_number_value(duration) > 1e9)
        return errbuf_fail(err, err_len, "%s: not a txstorm result (no 'duration_s')", path);
    s->elapsed_us = (int64_t)(json_number_value(duration) * 1e6 + 0.5);
    /* Older results name no origin: their start less the warmup. */
    s->origin_wall_us =
        s->start_wall_us - (int64_t)(report_cfg_num(s->config, "warmup_s", 0) * 1e6 + 0.5);
    if (!report_opt_i64(root, "clock_origin_unix_us", &s->origin_wall_us) ||
        s->origin_wall_us > s->start_wall_us)
        return errbuf_fail(err, err_len,
                           "%s: 'clock_origin_unix_us' is not a time before the start", path);
    s->merged_from = (int)merged;
    s->workers_lost = (int)lost;
    if (!report_opt_i64(root, "client_cpu_us", &s->client_cpu_us) || s->client_cpu_us < 0)
        return errbuf_fail(err, err_len, "%s: 'client_cpu_us' is not a count of microseconds",
                           path);
    s->interrupted = json_is_true(json_object_get(root, "interrupted"));
    return 0;
}

/* The connection faults and the stalls, summed. */
static int load_faults(const json_t *root, struct run_summary *s, const char *path, char *err,
                       size_t err_len)
{
    json_t *conn = json_object_get(root, "connection"), *stalls = json_object_get(root, "stalls");
    double disc_ms = 0, worst_ms = 0, longest_s = 0, first_s = 0;
    if (conn && json_unpack(conn, "{s:I, s:I, s:F, s:F}", "losses", &s->faults.connection_losses,
                            "reconnects", &s->faults.reconnects, "disconnected_ms", &disc_ms,
                            "worst_worker_disconnected_ms", &worst_ms) != 0)
        return errbuf_fail(err, err_len, "%s: malformed 'connection'", path);
    if (stalls && json_unpack(stalls, "{s:I, s:F, s:F}", "count", &s->stalls.count, "longest_s",
                              &longest_s, "first_at_s", &first_s) != 0)
        return errbuf_fail(err, err_len, "%s: malformed 'stalls'", path);
    s->faults.disconnected_us = (int64_t)(disc_ms * 1000.0 + 0.5);
    s->faults.worst_disconnected_us = (int64_t)(worst_ms * 1000.0 + 0.5);
    s->stalls.longest_us = (int64_t)(longest_s * 1e6 + 0.5);
    s->stalls.first_at_us = (int64_t)(first_s * 1e6 + 0.5);
    return 0;
}

/* The series, the check and the auditor's histogram: typed, checked. */
static int load_typed(const json_t *root, struct run_summary *s, const char *path, char *err,
                      size_t err_len)
{
    if (load_loops(json_object_get(root, "loops"), s, path, err, err_len) ||
        load_endpoints(json_object_get(root, "endpoints"), s, path, err, err_len))
        return -1;
    json_t *check = json_object_get(root, "check");
    if (json_is_object(check)) {
        if (report_check_load(check, &s->check, path, err, err_len)) return -1;
        s->check_done = true;
    }
    json_t *intervals = json_object_get(root, "intervals");
    char why[256];
    if (intervals && series_json_decode(intervals, &s->series, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, why);
    json_t *phases = json_object_get(root, "phases");
    if (phases && phases_report_decode(phases, &s->phases, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, why);
    json_t *faults = json_object_get(root, "worker_faults");
    if (faults && worker_faults_decode(faults, &s->worker_faults, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, why);
    json_t *triggers = json_object_get(root, "triggers");
    if (triggers && trigger_outcomes_decode(triggers, &s->triggers, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, why);
    json_t *audit_hist = json_object_get(json_object_get(root, "histograms"), "auditor_read_us");
    if (audit_hist && (s->audit_latency_us = hist_json_decode(audit_hist, why, sizeof why)) == NULL)
        return errbuf_fail(err, err_len, "%s: histogram auditor_read_us: %s", path, why);
    return 0;
}

/* A part kept as its JSON, when it is of the type expected. */
static json_t *kept(const json_t *root, const char *key, bool array)
{
    json_t *v = json_object_get(root, key);
    return (array ? json_is_array(v) : json_is_object(v)) ? json_incref(v) : NULL;
}

int report_load(const char *path, struct run_summary *s, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return errbuf_fail(err, err_len, "%s: %s (line %d)", path, jerr.text, jerr.line);
    s->source = root;
    s->json_path = path;
    if (load_identity(root, s, path, err, err_len) || load_span(root, s, path, err, err_len) ||
        load_typed(root, s, path, err, err_len) || load_faults(root, s, path, err, err_len)) {
        report_summary_free(s);
        return -1;
    }
    s->audit_series = kept(root, "auditor_series", true);
    s->ledger = kept(root, "ledger", false);
    s->ledgers = kept(root, "ledgers", true);
    s->workers_servers = kept(root, "workers_servers", true);
    if (failover_decode(json_object_get(root, "failover"), &s->failover) != 0) {
        report_summary_free(s);
        return errbuf_fail(err, err_len, "%s: 'failover' is not a failover timeline", path);
    }
    return 0;
}

/* The key of the first per-endpoint count that does not add up to the
 * total, as a run's do (time disconnected aside: the total is saved in
 * rounded milliseconds); NULL: they all do. */
static const char *endpoints_not_adding_up(const struct run_summary *s)
{
    struct endpoint_stats sum;
    endpoints_sum(s->endpoints, s->n_endpoints, &sum);
    if (sum.connection_losses != s->faults.connection_losses) return "connection_losses";
    if (sum.reconnects != s->faults.reconnects) return "reconnects";
#define SAME(field)                                                                                \
    if (sum.field != s->total.field) return #field;
    ENDPOINT_COUNTERS(SAME)
    if (!s->endpoint_connects_unknown) {
        ENDPOINT_CONNECTS(SAME)
    }
#undef SAME
#define SAME_BY(field, n)                                                                          \
    for (int c = 0; c < (n); c++)                                                                  \
        if (sum.field[c] != s->total.field[c]) return #field;
#define SAME_BY_CLASS(field) SAME_BY(field, ERR_CLASS_COUNT)
    ENDPOINT_COUNTS_BY(SAME_BY_CLASS)
    if (!s->endpoint_connects_unknown) SAME_BY(connect_failures, CONNECT_REASON_COUNT)
#undef SAME_BY_CLASS
#undef SAME_BY
    return NULL;
}

/* Whether the measured rows add up to the totals, as a run's and a merge's
 * do (every measured interval's counts went into the total, and only those). */
static bool series_adds_up(const struct run_summary *s)
{
    struct figure_counts sum = {0};
    for (size_t i = 0; i < s->series.n; i++) {
        if (s->series.rows[i].warmup) continue;
        struct figure_counts c = series_row_counts(&s->series.rows[i]);
        figures_add(&sum, &c);
    }
    const struct stats *t = &s->total;
    return sum.committed == t->committed && sum.failed == t->failed &&
           sum.insufficient == t->insufficient && sum.ambiguous == t->ambiguous &&
           sum.retries == t->retries;
}

int report_consistent(const struct run_summary *s, const char *path, char *err, size_t err_len)
{
    char why[160];
    if (stats_check_consistent(&s->total, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: inconsistent counters: %s", path, why);
    const char *key = s->n_endpoints > 0 ? endpoints_not_adding_up(s) : NULL;
    if (key)
        return errbuf_fail(err, err_len,
                           "%s: inconsistent counters: the endpoints' '%s' do not add up to "
                           "the total",
                           path, key);
    if (s->check_done && !checker_consistent(&s->check))
        return errbuf_fail(err, err_len, "%s: the check's verdicts do not follow from its figures",
                           path);
    if (s->series.n > 0 && !series_adds_up(s))
        return errbuf_fail(err, err_len,
                           "%s: inconsistent counters: the measured intervals do not add up to "
                           "the totals",
                           path);
    return 0;
}

int report_load_checked(const char *path, struct run_summary *s, char *err, size_t err_len)
{
    if (report_load(path, s, err, err_len) != 0) return -1;
    if (report_consistent(s, path, err, err_len) == 0) return 0;
    report_summary_free(s);
    return -1;
}

int report_load_ledger(const char *path, struct ledger *l, int64_t *run_id, int64_t *bank_id,
                       char *err, size_t err_len)
{
    *bank_id = 0;
    memset(l, 0, sizeof *l);
    struct run_summary s;
    if (report_load(path, &s, err, err_len) != 0) return -1;
    int rc = 0;
    char lerr[256];
    if (s.ledger == NULL && s.ledgers)
        rc = errbuf_fail(err, err_len,
                         "%s: a merged result keeps each instance's ledger record; give each "
                         "instance's own result to check --ledger",
                         path);
    else if (s.ledger == NULL)
        rc = errbuf_fail(err, err_len,
                         "%s: the run kept no ledger record (it ran without --ledger)", path);
    else if (!json_id_value(json_object_get(s.ledger, "run_id"), run_id))
        rc = errbuf_fail(err, err_len, "%s: ledger record has no run_id", path);
    else if (ledger_json_decode(s.ledger, l, lerr, sizeof lerr) != 0)
        rc = errbuf_fail(err, err_len, "%s: %s", path, lerr);
    /* Older results name no bank: 0. */
    if (rc == 0) json_id_value(json_object_get(s.ledger, "bank_id"), bank_id);
    report_summary_free(&s);
    return rc;
}
