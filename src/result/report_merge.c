/* Merging the results of several processes of one run: a rule per part of
 * the result (report.h says which), or a refusal naming what cannot merge. */
#include "report_internal.h"
#include "txstorm/errbuf.h"
#include "txstorm/json_id.h"
#include "txstorm/phases_report.h"
#include "txstorm/series_merge.h"
#include "txstorm/trigger_merge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keys that may differ between the parts of one distributed run: the flag
 * table marks them. */
static bool per_instance_key(const char *key)
{
    const struct flag_record *rec;
    return options_flag_recording(key, &rec) != NULL && rec->per_instance;
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
    int64_t seed;
    char seed_text[40] = "no seed (a merge)", instance_text[40] = "every instance";
    if (json_id_value(json_object_get(s->config, "seed"), &seed))
        snprintf(seed_text, sizeof seed_text, "seed %lld", (long long)seed);
    const json_t *instance = json_object_get(s->config, "instance");
    if (json_is_integer(instance))
        snprintf(instance_text, sizeof instance_text, "instance %lld",
                 (long long)json_integer_value(instance));
    snprintf(out, out_len, "%s, %s, measured %lld..%lld us", seed_text, instance_text,
             (long long)s->start_wall_us, (long long)s->end_wall_us);
}

/* The instance a part was, for the rows it gives to a merged list. */
static int part_instance(const struct run_summary *r, int i)
{
    return r->merged_from ? -1 : (int)report_cfg_num(r->config, "instance", i);
}

/* The failover timeline: each instance's own part (on the merged clock)
 * under instances; the merge's own part is the instance's with the longest
 * window. */
static int merge_failover(struct run_summary *out, struct run_summary *const *in, int n,
                          const int64_t *offset_us)
{
    struct failover_timeline *f = &out->failover;
    int parts = 0;
    for (int i = 0; i < n; i++)
        parts += in[i]->failover.present;
    if (parts == 0) return 0;
    f->instances = calloc((size_t)parts, sizeof *f->instances);
    if (f->instances == NULL) return -1;
    f->present = true;
    int longest = -1;
    for (int i = 0; i < n; i++) {
        if (!in[i]->failover.present) continue;
        struct failover_part *p = &f->instances[f->n_instances];
        if (!failover_part_copy(&in[i]->failover.own, offset_us[i], part_instance(in[i], i), p))
            return -1;
        if (longest < 0 || p->run.longest.window_us > f->instances[longest].run.longest.window_us)
            longest = f->n_instances;
        f->n_instances++;
    }
    return failover_part_copy(&f->instances[longest], 0, -1, &f->own) ? 0 : -1;
}

/* Each trigger of the run, one row from the instances' (trigger_merge.h),
 * judged again on the merged series. Instances run the same triggers (their
 * configurations match). */
static int merge_triggers(struct run_summary *out, struct run_summary *const *in, int n,
                          const int64_t *offset_us)
{
    struct trigger_part *parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    if (parts == NULL) return -1;
    for (int i = 0; i < n; i++)
        parts[i] = (struct trigger_part){.triggers = &in[i]->triggers,
                                         .offset_s = (double)offset_us[i] / 1e6,
                                         .instance = part_instance(in[i], i)};
    int rc = trigger_outcomes_merge(parts, n, &out->triggers);
    free(parts);
    /* The rows after the last instance's stop are the workers draining: not
     * judged. A part that does not say when it stopped (an older result)
     * leaves every row judged. */
    double stop_s =
        out->stop_wall_us ? (double)(out->stop_wall_us - out->origin_wall_us) / 1e6 : INFINITY;
    if (rc == 0) trigger_outcomes_judge(&out->triggers, &out->series, 0, stop_s);
    return rc;
}

/* The per-worker rows of one part, each naming its instance (a merged
 * part's rows name theirs already): its worker faults and trails of servers,
 * its auditor's readings moved onto the merged clock, and its ledger records
 * side by side (each checks against its own instance's transfers). */
static bool concat_part(struct run_summary *out, const struct run_summary *r, int instance,
                        int64_t offset_us)
{
    for (size_t k = 0; k < r->worker_faults.n; k++) {
        struct worker_fault w = r->worker_faults.items[k];
        if (w.instance < 0) w.instance = instance;
        if (!worker_faults_append(&out->worker_faults, &w)) return false;
    }
    if (r->workers_servers.present) out->workers_servers.present = true;
    for (size_t k = 0; k < r->workers_servers.n; k++)
        if (!worker_trails_append(&out->workers_servers, &r->workers_servers.items[k], instance))
            return false;
    if (!audit_series_concat(&out->audit_series, &r->audit_series, offset_us, instance))
        return false;
    if (r->ledgers.present || r->ledger.present) out->ledgers.present = true;
    for (size_t k = 0; k < r->ledgers.n; k++)
        if (!ledger_records_append(&out->ledgers, &r->ledgers.items[k])) return false;
    return !r->ledger.present || ledger_records_append(&out->ledgers, &r->ledger);
}

/* The auditor's read latency, pooled. */
static int merge_audit_latency(struct run_summary *out, const struct run_summary *r)
{
    if (r->audit_latency_us == NULL) return 0;
    if (out->audit_latency_us == NULL)
        out->audit_latency_us =
            hist_create(r->audit_latency_us->highest, r->audit_latency_us->sig_figs);
    return out->audit_latency_us && hist_merge(out->audit_latency_us, r->audit_latency_us) ? 0 : -1;
}

/* The parts of the result that are more than counts: the series, the
 * triggers, the phases, the timelines and the per-worker rows. */
static int merge_parts(struct run_summary *out, struct run_summary *const *in, int n, char *err,
                       size_t err_len)
{
    size_t count = n > 0 ? (size_t)n : 1;
    int64_t *offset_us = calloc(count, sizeof *offset_us);
    struct series_part *parts = calloc(count, sizeof *parts);
    char(*names)[32] = calloc(count, sizeof *names);
    int rc = 0;
    if (offset_us == NULL || parts == NULL || names == NULL) {
        rc = errbuf_fail(err, err_len, "merge: out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        offset_us[i] = in[i]->origin_wall_us - out->origin_wall_us;
        snprintf(names[i], sizeof names[i], "result %d", i + 1);
        parts[i] = (struct series_part){.series = &in[i]->series,
                                        .offset_us = offset_us[i],
                                        .rate_per_s = report_cfg_num(in[i]->config, "rate", 0),
                                        .name = names[i]};
    }
    if ((rc = series_merge(parts, n, &out->series, err, err_len)) != 0) goto done;
    /* The phases the instances went through (one workload: the same), tallied again. */
    if (!phases_report_again(&in[0]->phases, &out->series, &out->phases)) {
        rc = errbuf_fail(err, err_len, "merge: out of memory");
        goto done;
    }
    if (merge_triggers(out, in, n, offset_us) != 0) {
        rc = errbuf_fail(err, err_len,
                         "merge: the results' triggers differ (or out of memory); only results "
                         "of one run merge");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (!concat_part(out, in[i], part_instance(in[i], i), offset_us[i]) ||
            merge_audit_latency(out, in[i])) {
            rc = errbuf_fail(err, err_len, "merge: out of memory");
            goto done;
        }
    }
    if (merge_failover(out, in, n, offset_us) != 0)
        rc = errbuf_fail(err, err_len, "merge: out of memory for the failover timelines");
done:
    free(offset_us);
    free(parts);
    free(names);
    return rc;
}

/* Whether the results can be one run's: no run given twice, one histogram
 * precision, one workload. 0, or -1 with one line in err. */
static int mergeable(struct run_summary *const *in, int n, char *err, size_t err_len)
{
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
    return 0;
}

/* The merged run's clock: its zero the earliest start of the workers, its
 * span the union, its stop the last instance's (unknown if any part's is). */
static void merge_clock(struct run_summary *out, struct run_summary *const *in, int n)
{
    out->start_wall_us = out->origin_wall_us = INT64_MAX;
    out->end_wall_us = INT64_MIN;
    bool stops_known = true;
    for (int i = 0; i < n; i++) {
        const struct run_summary *r = in[i];
        if (r->origin_wall_us < out->origin_wall_us) out->origin_wall_us = r->origin_wall_us;
        if (r->start_wall_us < out->start_wall_us) out->start_wall_us = r->start_wall_us;
        if (r->end_wall_us > out->end_wall_us) out->end_wall_us = r->end_wall_us;
        stops_known = stops_known && r->stop_wall_us != 0;
        if (r->stop_wall_us > out->stop_wall_us) out->stop_wall_us = r->stop_wall_us;
    }
    if (!stops_known) out->stop_wall_us = 0;
    out->elapsed_us = union_us(in, n);
}

/* Adds part i's counts, histograms, faults, loops and endpoints into out.
 * 0, or -1 with one line in err. */
static int add_part(struct run_summary *out, const struct run_summary *r, int i, char *err,
                    size_t err_len)
{
    if (!stats_merge(&out->total, &r->total))
        return errbuf_fail(err, err_len,
                           "merge: result %d's histograms differ in layout from the others", i + 1);
    out->merged_from += r->merged_from ? r->merged_from : 1;
    out->workers_lost += r->workers_lost;
    out->faults.connection_losses += r->faults.connection_losses;
    out->faults.reconnects += r->faults.reconnects;
    out->faults.disconnected_us += r->faults.disconnected_us;
    if (r->faults.worst_disconnected_us > out->faults.worst_disconnected_us)
        out->faults.worst_disconnected_us = r->faults.worst_disconnected_us;
    out->client_cpu_us += r->client_cpu_us;
    out->interrupted = out->interrupted || r->interrupted;
    /* Every process's loops, side by side: any one saturated, the run was. */
    if (r->n_loops > 0) {
        struct loop_use *grown =
            realloc(out->loops, (size_t)(out->n_loops + r->n_loops) * sizeof *grown);
        if (grown == NULL) return errbuf_fail(err, err_len, "merge: out of memory");
        memcpy(grown + out->n_loops, r->loops, (size_t)r->n_loops * sizeof *grown);
        out->loops = grown;
        out->n_loops += r->n_loops;
    }
    if (endpoints_merge_into(&out->endpoints, &out->n_endpoints, r->endpoints, r->n_endpoints) != 0)
        return errbuf_fail(err, err_len,
                           "merge: result %d's endpoint figures cannot be merged (out of "
                           "memory, or histograms of another layout)",
                           i + 1);
    out->endpoint_connects_unknown |= r->endpoint_connects_unknown;
    return 0;
}

/* The first part's configuration, less what each instance had of its own,
 * with the sums (workers, transactions_target). */
static void merge_config(struct run_summary *out, struct run_summary *const *in, int n)
{
    int64_t workers = 0, target = 0;
    for (int i = 0; i < n; i++) {
        workers += (int64_t)report_cfg_num(in[i]->config, "workers", 0);
        target += (int64_t)report_cfg_num(in[i]->config, "transactions_target", 0);
    }
    out->config = json_deep_copy(in[0]->config);
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(out->config, tmp, key, value)
    {
        if (per_instance_key(key)) json_object_del(out->config, key);
    }
    json_object_set_new(out->config, "workers", json_integer(workers));
    json_object_set_new(out->config, "transactions_target", json_integer(target));
}

int report_merge(struct run_summary *const *in, int n, struct run_summary *out, char *err,
                 size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (mergeable(in, n, err, err_len) != 0) return -1;
    if (!stats_init(&out->total, in[0]->total.hist[0]->sig_figs))
        return errbuf_fail(err, err_len, "merge: out of memory");
    merge_config(out, in, n);
    merge_clock(out, in, n);
    out->server_version = in[0]->server_version;
    out->tool_version = in[0]->tool_version;
    int64_t latest_check_end = INT64_MIN;
    for (int i = 0; i < n; i++) {
        if (add_part(out, in[i], i, err, err_len) != 0) {
            report_summary_free(out);
            return -1;
        }
        /* The database is shared: the check that ran last speaks for it. */
        if (in[i]->check_done && in[i]->end_wall_us > latest_check_end) {
            latest_check_end = in[i]->end_wall_us;
            checker_copy(&out->check, &in[i]->check);
            out->check_done = true;
        }
    }
    if (merge_parts(out, in, n, err, err_len) != 0) {
        report_summary_free(out);
        return -1;
    }
    return 0;
}
