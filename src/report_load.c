/* Reading a saved result back, and merging several into one. */
#include "report_internal.h"
#include "txstorm/errbuf.h"
#include "txstorm/errlog_json.h"
#include "txstorm/hist_json.h"
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
    json_decref(s->worker_faults);
    json_decref(s->workers_servers);
    json_decref(s->failover);
    json_decref(s->triggers);
    json_decref(s->config);
    series_free(&s->series);
    json_decref(s->phases);
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
#undef COUNTER
#define COUNTS_BY(field, n, name, sparse)                                                          \
    for (int i = 0; i < (n); i++)                                                                  \
        if (get_count(json_object_get(root, #field), name(i), &t->field[i], path, err, err_len))   \
            return -1;
    STATS_COUNTS_BY(COUNTS_BY)
#undef COUNTS_BY
    char eerr[160];
    if (errlog_json_decode(json_object_get(root, "errors_by_sqlstate"), &t->errors, eerr,
                           sizeof eerr) != 0)
        return errbuf_fail(err, err_len, "%s: %s", path, eerr);
    const json_t *hists = json_object_get(root, "histograms");
    for (int i = 0; i < HIST_COUNT; i++) {
        char herr[200];
        t->hist[i] =
            hist_json_decode(json_object_get(hists, stats_hist_name(i)), herr, sizeof herr);
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

bool report_opt_i64(const json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL) return true;
    if (!json_is_integer(v)) return false;
    *out = json_integer_value(v);
    return true;
}

/* The event loops' use ("loops"; older results have none). */
static int load_loops(const json_t *loops, struct run_summary *s, const char *path, char *err,
                      size_t err_len)
{
    if (loops == NULL) return 0;
    if (!json_is_array(loops) || json_array_size(loops) > (size_t)OPTIONS_MAX_THREADS * OPTIONS_MAX_INSTANCES)
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
    }
    return 0;
}

int report_load(const char *path, struct run_summary *s, char *err, size_t err_len)
{
    memset(s, 0, sizeof *s);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return errbuf_fail(err, err_len, "%s: %s (line %d)", path, jerr.text, jerr.line);
    s->source = root;
    const char *tool = json_string_value(json_object_get(root, "tool"));
    json_t *config = json_object_get(root, "config");
    if (!json_is_object(root) || tool == NULL || strcmp(tool, "txstorm") != 0 ||
        !json_is_object(config)) {
        errbuf_fail(err, err_len, "%s: not a txstorm result", path);
        goto fail;
    }
    s->config = json_incref(config);
    s->server_version = json_string_value(json_object_get(root, "server_version"));
    s->tool_version = json_string_value(json_object_get(root, "tool_version"));
    if (s->server_version == NULL) s->server_version = "unknown";
    if (s->tool_version == NULL) s->tool_version = "unknown";

    int64_t merged = 0, lost = 0;
    json_t *duration = json_object_get(root, "duration_s");
    if (load_stats(root, &s->total, path, err, err_len) ||
        get_i64(root, "start_unix_us", &s->start_wall_us, path, err, err_len) ||
        get_i64(root, "end_unix_us", &s->end_wall_us, path, err, err_len) ||
        get_i64(root, "merged_from", &merged, path, err, err_len) ||
        get_i64(root, "workers_lost", &lost, path, err, err_len))
        goto fail;
    if (!json_is_number(duration) || json_number_value(duration) < 0 ||
        json_number_value(duration) > 1e9) {
        errbuf_fail(err, err_len, "%s: not a txstorm result (no 'duration_s')", path);
        goto fail;
    }
    s->elapsed_us = (int64_t)(json_number_value(duration) * 1e6 + 0.5);
    s->merged_from = (int)merged;
    s->workers_lost = (int)lost;
    if (!report_opt_i64(root, "client_cpu_us", &s->client_cpu_us) || s->client_cpu_us < 0) {
        errbuf_fail(err, err_len, "%s: 'client_cpu_us' is not a count of microseconds", path);
        goto fail;
    }
    s->interrupted = json_is_true(json_object_get(root, "interrupted"));
    if (load_loops(json_object_get(root, "loops"), s, path, err, err_len) ||
        load_endpoints(json_object_get(root, "endpoints"), s, path, err, err_len))
        goto fail;
    json_t *check = json_object_get(root, "check");
    if (json_is_object(check)) {
        if (report_check_load(check, &s->check, path, err, err_len)) goto fail;
        s->check_done = true;
    }
    json_t *intervals = json_object_get(root, "intervals");
    char serr[256];
    if (intervals && series_json_decode(intervals, &s->series, serr, sizeof serr) != 0) {
        errbuf_fail(err, err_len, "%s: %s", path, serr);
        goto fail;
    }
    json_t *phases = json_object_get(root, "phases");
    if (json_is_array(phases)) s->phases = json_incref(phases);
    json_t *audit_hist = json_object_get(json_object_get(root, "histograms"), "auditor_read_us");
    if (audit_hist) {
        char herr[200];
        s->audit_latency_us = hist_json_decode(audit_hist, herr, sizeof herr);
        if (s->audit_latency_us == NULL) {
            errbuf_fail(err, err_len, "%s: histogram auditor_read_us: %s", path, herr);
            goto fail;
        }
    }
    json_t *series = json_object_get(root, "auditor_series");
    if (json_is_array(series)) s->audit_series = json_incref(series);
    json_t *ledger = json_object_get(root, "ledger");
    if (json_is_object(ledger)) s->ledger = json_incref(ledger);
    json_t *conn = json_object_get(root, "connection"), *stalls = json_object_get(root, "stalls");
    double disc_ms = 0, worst_ms = 0, longest_s = 0, first_s = 0;
    if (conn && json_unpack(conn, "{s:I, s:I, s:F, s:F}", "losses", &s->faults.connection_losses,
                            "reconnects", &s->faults.reconnects, "disconnected_ms", &disc_ms,
                            "worst_worker_disconnected_ms", &worst_ms) != 0) {
        errbuf_fail(err, err_len, "%s: malformed 'connection'", path);
        goto fail;
    }
    if (stalls && json_unpack(stalls, "{s:I, s:F, s:F}", "count", &s->stalls.count, "longest_s",
                              &longest_s, "first_at_s", &first_s) != 0) {
        errbuf_fail(err, err_len, "%s: malformed 'stalls'", path);
        goto fail;
    }
    s->faults.disconnected_us = (int64_t)(disc_ms * 1000.0 + 0.5);
    s->faults.worst_disconnected_us = (int64_t)(worst_ms * 1000.0 + 0.5);
    s->stalls.longest_us = (int64_t)(longest_s * 1e6 + 0.5);
    s->stalls.first_at_us = (int64_t)(first_s * 1e6 + 0.5);
    json_t *wf = json_object_get(root, "worker_faults");
    if (json_is_array(wf)) s->worker_faults = json_incref(wf);
    json_t *ws = json_object_get(root, "workers_servers"), *fo = json_object_get(root, "failover");
    if (json_is_array(ws)) s->workers_servers = json_incref(ws);
    if (json_is_object(fo)) s->failover = json_incref(fo);
    json_t *triggers = json_object_get(root, "triggers");
    if (json_is_array(triggers)) s->triggers = json_incref(triggers);
    return 0;
fail:
    report_summary_free(s);
    return -1;
}

/* Whether the per-endpoint counts add up to the totals, as a run's do
 * (time disconnected aside: the total is saved in rounded milliseconds). */
static bool endpoints_add_up(const struct run_summary *s)
{
    struct endpoint_stats sum;
    endpoints_sum(s->endpoints, s->n_endpoints, &sum);
    bool ok = sum.connection_losses == s->faults.connection_losses &&
              sum.reconnects == s->faults.reconnects;
#define SAME(field) ok = ok && sum.field == s->total.field;
    ENDPOINT_COUNTERS(SAME)
#undef SAME
#define SAME_BY(field)                                                                             \
    for (int c = 0; c < ERR_CLASS_COUNT; c++)                                                      \
        ok = ok && sum.field[c] == s->total.field[c];
    ENDPOINT_COUNTS_BY(SAME_BY)
#undef SAME_BY
    return ok;
}

int report_consistent(const struct run_summary *s, const char *path, char *err, size_t err_len)
{
    char why[160];
    if (stats_check_consistent(&s->total, why, sizeof why) != 0)
        return errbuf_fail(err, err_len, "%s: inconsistent counters: %s", path, why);
    if (s->n_endpoints > 0 && !endpoints_add_up(s))
        return errbuf_fail(err, err_len,
                           "%s: inconsistent counters: the endpoints' figures do not add up to "
                           "the totals",
                           path);
    if (s->check_done && !checker_consistent(&s->check))
        return errbuf_fail(err, err_len, "%s: the check's verdicts do not follow from its figures",
                           path);
    return 0;
}

/* Keys that may differ between the parts of one distributed run. */
static bool per_instance_key(const char *key)
{
    static const char *const keys[] = {"db",       "workers", "seed", "transactions_target",
                                       "instance", "threads"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0) return true;
    return false;
}

/* Equal as values: a number is the same whether written 0 or 0.0 (a result
 * re-formatted by another JSON tool still merges). */
static bool same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b)) return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i))) return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b)) return false;
        const char *key;
        json_t *va;
        json_object_foreach((json_t *)a, key, va)
        {
            const json_t *vb = json_object_get(b, key);
            if (vb == NULL || !same_value(va, vb)) return false;
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static int same_workload(const json_t *a, const json_t *b, int ia, int ib, char *err,
                         size_t err_len)
{
    const char *key;
    json_t *va;
    json_object_foreach((json_t *)a, key, va)
    {
        if (per_instance_key(key)) continue;
        json_t *vb = json_object_get(b, key);
        if (vb == NULL || !same_value(va, vb)) {
            char *sa = json_dumps(va, JSON_ENCODE_ANY | JSON_COMPACT);
            char *sb = vb ? json_dumps(vb, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            errbuf_fail(err, err_len,
                        "merge: results %d and %d differ in %s (%s vs %s); only results of one "
                        "workload merge",
                        ia + 1, ib + 1, key, sa ? sa : "?", sb ? sb : "absent");
            free(sa);
            free(sb);
            return -1;
        }
    }
    return 0;
}

struct span {
    int64_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct span *)a)->start, y = ((const struct span *)b)->start;
    return (x > y) - (x < y);
}

/* Length of the union of the measured spans: overlapping parts count once. */
static int64_t union_us(struct run_summary *const *in, int n)
{
    struct span *spans = malloc((size_t)n * sizeof *spans);
    if (spans == NULL) return 0;
    for (int i = 0; i < n; i++)
        spans[i] = (struct span){in[i]->start_wall_us, in[i]->end_wall_us};
    qsort(spans, (size_t)n, sizeof *spans, span_cmp);
    int64_t total = 0, cur_start = spans[0].start, cur_end = spans[0].end;
    for (int i = 1; i < n; i++) {
        if (spans[i].start > cur_end) {
            total += cur_end - cur_start;
            cur_start = spans[i].start;
            cur_end = spans[i].end;
        } else if (spans[i].end > cur_end) {
            cur_end = spans[i].end;
        }
    }
    total += cur_end - cur_start;
    free(spans);
    return total;
}

void report_run_identity(const struct run_summary *s, char *out, size_t out_len)
{
    const json_t *seed = json_object_get(s->config, "seed");
    const json_t *instance = json_object_get(s->config, "instance");
    snprintf(out, out_len, "seed %.17g, instance %lld, measured %lld..%lld us",
             json_is_number(seed) ? json_number_value(seed) : -1.0,
             json_is_integer(instance) ? (long long)json_integer_value(instance) : -1LL,
             (long long)s->start_wall_us, (long long)s->end_wall_us);
}

int report_merge(struct run_summary *const *in, int n, struct run_summary *out, char *err,
                 size_t err_len)
{
    memset(out, 0, sizeof *out);
    /* The same result twice would count every transfer twice. */
    for (int i = 0; i < n; i++) {
        char a[128], b[128];
        report_run_identity(in[i], a, sizeof a);
        for (int j = i + 1; j < n; j++) {
            report_run_identity(in[j], b, sizeof b);
            if (strcmp(a, b) == 0)
                return errbuf_fail(err, err_len,
                                   "merge: results %d and %d are the same run (%s); give each "
                                   "once",
                                   i + 1, j + 1, a);
        }
    }
    int sig_figs = in[0]->total.hist[0]->sig_figs;
    for (int i = 1; i < n; i++) {
        int other = in[i]->total.hist[0]->sig_figs;
        if (other != sig_figs)
            return errbuf_fail(err, err_len,
                               "merge: results 1 and %d have different histogram precision "
                               "(%d vs %d significant figures)",
                               i + 1, sig_figs, other);
        if (same_workload(in[0]->config, in[i]->config, 0, i, err, err_len) ||
            same_workload(in[i]->config, in[0]->config, i, 0, err, err_len))
            return -1;
    }
    if (!stats_init(&out->total, sig_figs))
        return errbuf_fail(err, err_len, "merge: out of memory");

    out->config = json_deep_copy(in[0]->config);
    int64_t workers = 0, target = 0, latest_check_end = INT64_MIN;
    out->start_wall_us = INT64_MAX;
    out->end_wall_us = INT64_MIN;
    for (int i = 0; i < n; i++) {
        const struct run_summary *r = in[i];
        if (!stats_merge(&out->total, &r->total)) {
            report_summary_free(out);
            return errbuf_fail(err, err_len,
                               "merge: result %d's histograms differ in layout from the others",
                               i + 1);
        }
        workers += (int64_t)report_cfg_num(r->config, "workers", 0);
        target += (int64_t)report_cfg_num(r->config, "transactions_target", 0);
        out->merged_from += r->merged_from ? r->merged_from : 1;
        /* Per-phase percentiles cannot be merged from their summaries: left out, and said. */
        out->phases_dropped = out->phases_dropped || r->phases || r->phases_dropped;
        out->workers_lost += r->workers_lost;
        out->faults.connection_losses += r->faults.connection_losses;
        out->faults.reconnects += r->faults.reconnects;
        out->faults.disconnected_us += r->faults.disconnected_us;
        if (r->faults.worst_disconnected_us > out->faults.worst_disconnected_us)
            out->faults.worst_disconnected_us = r->faults.worst_disconnected_us;
        out->client_cpu_us += r->client_cpu_us;
        /* Every process's loops, side by side: any one saturated, the run was. */
        if (r->n_loops > 0) {
            struct loop_use *grown =
                realloc(out->loops, (size_t)(out->n_loops + r->n_loops) * sizeof *grown);
            if (grown == NULL) {
                report_summary_free(out);
                return errbuf_fail(err, err_len, "merge: out of memory");
            }
            memcpy(grown + out->n_loops, r->loops, (size_t)r->n_loops * sizeof *grown);
            out->loops = grown;
            out->n_loops += r->n_loops;
        }
        if (endpoints_merge_into(&out->endpoints, &out->n_endpoints, r->endpoints,
                                 r->n_endpoints) != 0) {
            report_summary_free(out);
            return errbuf_fail(err, err_len,
                               "merge: result %d's endpoint figures cannot be merged (out of "
                               "memory, or histograms of another layout)",
                               i + 1);
        }
        out->interrupted = out->interrupted || r->interrupted;
        if (r->start_wall_us < out->start_wall_us) out->start_wall_us = r->start_wall_us;
        if (r->end_wall_us > out->end_wall_us) out->end_wall_us = r->end_wall_us;
        /* The database is shared: the check that ran last speaks for it. */
        if (r->check_done && r->end_wall_us > latest_check_end) {
            latest_check_end = r->end_wall_us;
            checker_copy(&out->check, &r->check);
            out->check_done = true;
        }
    }
    json_object_set_new(out->config, "workers", json_integer(workers));
    json_object_set_new(out->config, "transactions_target", json_integer(target));
    json_object_del(out->config, "seed");
    json_object_del(out->config, "threads");
    json_object_del(out->config, "db");
    out->elapsed_us = union_us(in, n);
    out->server_version = in[0]->server_version;
    out->tool_version = in[0]->tool_version;
    return 0;
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
    if (s.ledger == NULL)
        rc = errbuf_fail(err, err_len,
                         "%s: the run kept no ledger record (it ran without --ledger)", path);
    else if (!json_is_integer(json_object_get(s.ledger, "run_id")))
        rc = errbuf_fail(err, err_len, "%s: ledger record has no run_id", path);
    else if (ledger_json_decode(s.ledger, l, lerr, sizeof lerr) != 0)
        rc = errbuf_fail(err, err_len, "%s: %s", path, lerr);
    else
        *run_id = json_integer_value(json_object_get(s.ledger, "run_id"));
    /* Older results name no bank: 0. */
    if (rc == 0 && json_is_integer(json_object_get(s.ledger, "bank_id")))
        *bank_id = json_integer_value(json_object_get(s.ledger, "bank_id"));
    report_summary_free(&s);
    return rc;
}
