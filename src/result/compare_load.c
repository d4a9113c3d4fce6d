/* Reading the runs `txstorm compare` compares: txstorm results, and the
 * pgbench baseline's small result form (see docs/backoff.md). */
#include "txstorm/compare.h"
#include "txstorm/backoff.h"
#include "txstorm/errbuf.h"
#include "txstorm/report.h"
#include "txstorm/trigger_verdict.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The pgbench baseline's latency histograms get txstorm's layout. */
#define BASELINE_SIG_FIGS 3

/* Appends ", TEXT" (or TEXT first) to out. */
static void add(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *out, size_t len, const char *fmt, ...)
{
    size_t used = strlen(out);
    if (used + 3 >= len) return;
    if (used) used += (size_t)snprintf(out + used, len - used, ", ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + used, len - used, fmt, ap);
    va_end(ap);
}

/* What defines the offered load besides the skew and the workers, as the
 * result's config and triggers record it: the loop (closed, a rate, or
 * phases), the shape, isolation, lock order, think time and the triggers.
 * Runs that differ in any of it are different experiments. A key an older
 * result lacks is left out. */
static void load_text(const json_t *cfg, const struct trigger_outcomes *t, char *out, size_t len)
{
    out[0] = '\0';
    const char *phases = json_string_value(json_object_get(cfg, "load"));
    double rate = json_number_value(json_object_get(cfg, "rate"));
    const char *arrival = json_string_value(json_object_get(cfg, "arrival"));
    if (phases && *phases)
        add(out, len, "load %s", phases);
    else if (rate > 0)
        add(out, len, "rate %g/s%s%s", rate, arrival ? " " : "", arrival ? arrival : "");
    else
        add(out, len, "closed loop");
    static const char *const keys[] = {"shape", "isolation", "lock_order"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const char *v = json_string_value(json_object_get(cfg, keys[k]));
        if (v) add(out, len, "%s%s", k == 2 ? "lock " : "", v);
    }
    double think_ms = json_number_value(json_object_get(cfg, "think_time_ms"));
    if (think_ms > 0) add(out, len, "think %g ms", think_ms);
    for (size_t i = 0; i < t->n; i++)
        add(out, len, "trigger %s", t->items[i].spec);
}

static int load_txstorm(const char *path, struct compare_run *run, char *err, size_t err_len)
{
    struct run_summary s;
    if (report_load_checked(path, &s, err, err_len) != 0) return -1;
    int rc = 0;
    const json_t *cfg = s.config;
    const char *skew = json_string_value(json_object_get(cfg, "skew"));
    json_t *workers = json_object_get(cfg, "workers"), *budget = json_object_get(cfg, "retry_budget");
    const char *backoff = json_string_value(json_object_get(cfg, "backoff"));
    if (skew == NULL || !json_is_integer(workers)) {
        rc = errbuf_fail(err, err_len, "%s: the config has no skew or workers", path);
    } else if (compare_run_policy(run, backoff, json_number_value(budget)) != 0) {
        rc = errbuf_fail(err, err_len, "%s: unknown backoff '%s'", path,
                         backoff ? backoff : "(none given)");
    } else {
        snprintf(run->skew, sizeof run->skew, "%s", skew);
        load_text(cfg, &s.triggers, run->load, sizeof run->load);
        report_run_identity(&s, run->identity, sizeof run->identity);
        run->workers = json_integer_value(workers);
        const struct stats *t = &s.total;
        run->counts = stats_counts(t);
        run->latency_us = t->hist[HIST_LATENCY];
        s.total.hist[HIST_LATENCY] = NULL; /* the run owns it now */
        struct figures f;
        stats_figures(t, s.elapsed_us, &f);
        compare_run_finish(run, f.goodput_per_s, (double)t->backoff_us / 1e6);
        run->triggered = s.triggers.n > 0;
        double recover_s = trigger_verdict_recover_s(&s.triggers);
        run->recovered = run->triggered && !isnan(recover_s);
        run->recover_s = run->recovered ? recover_s : 0;
    }
    report_summary_free(&s);
    return rc;
}

static int count_of(const json_t *root, const char *key, bool required, int64_t *out,
                    const char *path, char *err, size_t err_len)
{
    json_t *v = json_object_get(root, key);
    if (v == NULL && !required) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return errbuf_fail(err, err_len, "%s: pgbench result: '%s' must be a count", path, key);
    *out = json_integer_value(v);
    return 0;
}

/* "latency_us": [each committed transaction's latency], pooled exactly; or
 * "latency_ms": {"p50", "p99", "p999"}, the run's own percentiles. */
static int baseline_latency(const json_t *root, struct compare_run *run, const char *path,
                            char *err, size_t err_len)
{
    json_t *values = json_object_get(root, "latency_us");
    if (json_is_array(values)) {
        run->latency_us = hist_create(3600LL * 1000000, BASELINE_SIG_FIGS);
        if (run->latency_us == NULL) return errbuf_fail(err, err_len, "compare: out of memory");
        size_t i;
        json_t *v;
        json_array_foreach(values, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) < 0)
                return errbuf_fail(err, err_len,
                                   "%s: pgbench result: latency_us[%zu] is not a count of "
                                   "microseconds",
                                   path, i);
            hist_record(run->latency_us, json_integer_value(v));
        }
        if (run->latency_us->total_count != run->counts.committed)
            return errbuf_fail(
                err, err_len, "%s: pgbench result: %lld latencies for %lld committed", path,
                (long long)run->latency_us->total_count, (long long)run->counts.committed);
        return 0;
    }
    json_t *ms = json_object_get(root, "latency_ms");
    static const char *const keys[3] = {"p50", "p99", "p999"};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(ms, keys[i]);
        if (json_is_null(v) && run->counts.committed == 0) continue;
        if (!json_is_number(v) || json_number_value(v) < 0)
            return errbuf_fail(err, err_len,
                               "%s: pgbench result: needs latency_us or latency_ms.%s", path,
                               keys[i]);
        run->value[CM_P50_MS + i] = json_number_value(v);
        run->has[CM_P50_MS + i] = true;
    }
    return 0;
}

static int load_baseline(const json_t *root, const char *path, struct compare_run *run,
                         char *err, size_t err_len)
{
    const json_t *cfg = json_object_get(root, "config");
    json_t *hot = json_object_get(cfg, "hot"), *workers = json_object_get(cfg, "workers");
    json_t *tps = json_object_get(root, "throughput_tps");
    const char *skew = json_string_value(json_object_get(cfg, "skew"));
    snprintf(run->policy, sizeof run->policy, "%s", COMPARE_BASELINE);
    run->policy_rank = 2 * BACKOFF_POLICY_COUNT;
    run->baseline = true;
    if (skew)
        snprintf(run->skew, sizeof run->skew, "%s", skew);
    else if (json_is_integer(hot) && json_integer_value(hot) >= 2)
        snprintf(run->skew, sizeof run->skew, "hot:%lld", (long long)json_integer_value(hot));
    else
        return errbuf_fail(err, err_len, "%s: pgbench result: config needs hot (or skew)", path);
    if (!json_is_integer(workers) || json_integer_value(workers) < 1)
        return errbuf_fail(err, err_len, "%s: pgbench result: config needs workers", path);
    run->workers = json_integer_value(workers);
    if (!json_is_number(tps) || json_number_value(tps) < 0)
        return errbuf_fail(err, err_len, "%s: pgbench result: 'throughput_tps' must be a rate",
                           path);
    struct figure_counts *c = &run->counts;
    if (count_of(root, "committed", true, &c->committed, path, err, err_len) ||
        count_of(root, "failed", true, &c->failed, path, err, err_len) ||
        count_of(root, "retries", true, &c->retries, path, err, err_len) ||
        count_of(root, "insufficient", false, &c->insufficient, path, err, err_len) ||
        baseline_latency(root, run, path, err, err_len))
        return -1;
    /* pgbench counts retries, not attempts, and has no backoff. */
    c->attempts = figures_attempts(
        figures_finished(c->committed, c->failed, c->insufficient, c->ambiguous), c->retries);
    compare_run_finish(run, json_number_value(tps), 0);
    return 0;
}

int compare_load(const char *path, struct compare_run *run, char *err, size_t err_len)
{
    memset(run, 0, sizeof *run);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL)
        return errbuf_fail(err, err_len, "%s: %s (line %d)", path, jerr.text, jerr.line);
    const char *tool = json_string_value(json_object_get(root, "tool"));
    int rc;
    if (tool && strcmp(tool, "pgbench") == 0)
        rc = load_baseline(root, path, run, err, err_len);
    else if (tool && strcmp(tool, "txstorm") == 0)
        rc = load_txstorm(path, run, err, err_len);
    else
        rc = errbuf_fail(err, err_len, "%s: neither a txstorm nor a pgbench result", path);
    json_decref(root);
    if (rc) compare_run_free(run);
    return rc;
}

int compare_files(const char *const *paths, int n, double max_failed_pct, enum compare_format f,
                  FILE *out, char *err, size_t err_len)
{
    struct compare_run *runs = calloc(n > 0 ? (size_t)n : 1, sizeof *runs);
    if (runs == NULL) return errbuf_fail(err, err_len, "compare: out of memory");
    int loaded = 0, rc = 0;
    for (; loaded < n && rc == 0; loaded++) {
        rc = compare_load(paths[loaded], &runs[loaded], err, err_len);
        /* The same run twice would weigh it twice in its cell. */
        for (int j = 0; rc == 0 && runs[loaded].identity[0] && j < loaded; j++)
            if (strcmp(runs[j].identity, runs[loaded].identity) == 0)
                rc = errbuf_fail(err, err_len, "compare: %s and %s are the same run (%s)",
                                 paths[j], paths[loaded], runs[loaded].identity);
    }
    struct compare_study study;
    if (rc == 0 && compare_build(runs, n, max_failed_pct, &study, err, err_len) == 0) {
        compare_print(out, &study, f);
        compare_free(&study);
    } else {
        rc = -1;
    }
    for (int i = 0; i < loaded; i++)
        compare_run_free(&runs[i]);
    free(runs);
    return rc;
}
