/* The Prometheus / OpenMetrics exposition of a run's figures. */
#define _GNU_SOURCE /* open_memstream */
#include "txstorm/metrics.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOUND_US(b) (int64_t)((b)*1e6 + 0.5),
#define BOUND_NAME(b) #b,
#define BOUND_INT(b) (int64_t)(b),
static const int64_t duration_bounds_us[] = {METRICS_BUCKETS_S(BOUND_US)};
static const char *const duration_bound_names[] = {METRICS_BUCKETS_S(BOUND_NAME)};
static const int64_t retries_bounds[] = {METRICS_BUCKETS_RETRIES(BOUND_INT)};
static const char *const retries_bound_names[] = {METRICS_BUCKETS_RETRIES(BOUND_NAME)};
#define N_DURATION_BOUNDS (int)(sizeof duration_bounds_us / sizeof duration_bounds_us[0])
#define N_RETRIES_BOUNDS (int)(sizeof retries_bounds / sizeof retries_bounds[0])

const char *metrics_content_type(enum metrics_format f)
{
    return f == METRICS_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                    : "text/plain; version=0.0.4; charset=utf-8";
}

enum metrics_format metrics_negotiate(const char *accept)
{
    /* Prometheus lists OpenMetrics first and the text format as a fallback;
     * anyone naming OpenMetrics at all can read it. */
    return accept && strstr(accept, "application/openmetrics-text") ? METRICS_OPENMETRICS
                                                                    : METRICS_TEXT;
}

/* The counts index holding value v, as hist_record files it. */
static int32_t index_of(const struct hist *h, int64_t v)
{
    if (v > h->highest) return h->counts_len - 1;
    int b = hist_bucket_index_(h, v);
    int sub = (int)(v >> b);
    return ((b + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
}

void metrics_hist_cumulative(const struct hist *h, const int64_t *bounds_us, int n, int64_t *out)
{
    /* Indices ascend with the values they hold, and the index holding a
     * bound is the last whose lowest value is <= it: one pass of sums,
     * ending where every recorded value has been counted. */
    int64_t below = 0;
    int32_t i = 0;
    for (int j = 0; j < n; j++) {
        int32_t last = index_of(h, bounds_us[j] < 0 ? 0 : bounds_us[j]);
        for (; i <= last && below < h->total_count; i++)
            below += h->counts[i];
        out[j] = below;
    }
}

/* Where the text goes, and what every sample carries. */
struct out {
    FILE *f;
    enum metrics_format fmt;
    const char *instance;
};

/* A label value with backslash, double quote and newline escaped. */
static void put_label_value(FILE *f, const char *v)
{
    for (;;) {
        size_t plain = strcspn(v, "\\\"\n");
        fwrite(v, 1, plain, f);
        v += plain;
        if (*v == '\0') return;
        fputs(*v == '\n' ? "\\n" : *v == '"' ? "\\\"" : "\\\\", f);
        v++;
    }
}

/* The HELP and TYPE lines. A counter's family is named without _total in
 * OpenMetrics, with it in the text format. */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
    const char *suffix = strcmp(type, "counter") == 0 && o->fmt == METRICS_TEXT ? "_total" : "";
    fprintf(o->f, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, suffix, help, name, suffix, type);
}

/* One sample's name and labels: txstorm_instance, then up to two more
 * (a NULL key: none). */
static void sample_head(struct out *o, const char *name, const char *suffix, const char *k1,
                        const char *v1, const char *k2, const char *v2)
{
    fprintf(o->f, "%s%s{txstorm_instance=\"", name, suffix);
    put_label_value(o->f, o->instance);
    fputc('"', o->f);
    const char *k[2] = {k1, k2}, *v[2] = {v1, v2};
    for (int i = 0; i < 2; i++) {
        if (k[i] == NULL) continue;
        fprintf(o->f, ",%s=\"", k[i]);
        put_label_value(o->f, v[i]);
        fputc('"', o->f);
    }
    fputc('}', o->f);
}

static void sample_int(struct out *o, const char *name, const char *suffix, const char *k1,
                       const char *v1, const char *k2, const char *v2, int64_t value)
{
    sample_head(o, name, suffix, k1, v1, k2, v2);
    fprintf(o->f, " %lld\n", (long long)value);
}

static void sample_double(struct out *o, const char *name, const char *suffix, const char *k1,
                          const char *v1, const char *k2, const char *v2, double value)
{
    sample_head(o, name, suffix, k1, v1, k2, v2);
    fprintf(o->f, " %.15g\n", value);
}

/* A counter's sample: name_total in either format. */
static void counter(struct out *o, const char *name, const char *k1, const char *v1, const char *k2,
                    const char *v2, int64_t value)
{
    sample_int(o, name, "_total", k1, v1, k2, v2, value);
}

/* The buckets, count and sum of h (values in microseconds shown in seconds,
 * or plain counts), with an optional label k=v (NULL: none) before le. */
static void histogram(struct out *o, const char *name, const struct hist *h, bool seconds,
                      const char *k, const char *v)
{
    int64_t cum[N_DURATION_BOUNDS > N_RETRIES_BOUNDS ? N_DURATION_BOUNDS : N_RETRIES_BOUNDS];
    const int64_t *bounds = seconds ? duration_bounds_us : retries_bounds;
    const char *const *names = seconds ? duration_bound_names : retries_bound_names;
    int n = seconds ? N_DURATION_BOUNDS : N_RETRIES_BOUNDS;
    metrics_hist_cumulative(h, bounds, n, cum);
    /* le goes last: after k=v when there is one. */
    for (int i = 0; i <= n; i++) {
        const char *le = i < n ? names[i] : "+Inf";
        int64_t count = i < n ? cum[i] : h->total_count;
        if (k)
            sample_int(o, name, "_bucket", k, v, "le", le, count);
        else
            sample_int(o, name, "_bucket", "le", le, NULL, NULL, count);
    }
    sample_int(o, name, "_count", k, v, NULL, NULL, h->total_count);
    sample_double(o, name, "_sum", k, v, NULL, NULL, seconds ? h->sum / 1e6 : h->sum);
}

static void transactions(struct out *o, const struct stats *t)
{
    family(o, "txstorm_transactions", "counter",
           "Transactions finished, by outcome (measured part of the run).");
    counter(o, "txstorm_transactions", "outcome", "committed", NULL, NULL, t->committed);
    counter(o, "txstorm_transactions", "outcome", "failed", NULL, NULL, t->failed);
    counter(o, "txstorm_transactions", "outcome", "ambiguous", NULL, NULL, t->ambiguous);
    counter(o, "txstorm_transactions", "outcome", "insufficient", NULL, NULL, t->insufficient);
    family(o, "txstorm_attempts", "counter", "Attempts, first or retry.");
    counter(o, "txstorm_attempts", NULL, NULL, NULL, NULL, t->attempts);
    family(o, "txstorm_retries", "counter",
           "Attempts beyond the first, by the class of the error retried.");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        counter(o, "txstorm_retries", "class", classify_name(c), NULL, NULL,
                t->retries_by_class[c]);
    family(o, "txstorm_serialization_retries", "counter",
           "Serialization failures (40001) retried, by reason.");
    for (int r = 0; r < REASON_COUNT; r++)
        counter(o, "txstorm_serialization_retries", "reason", classify_reason_name(r), NULL, NULL,
                t->retries_by_reason[r]);
    family(o, "txstorm_errors", "counter", "Failed attempts, retried or not, by error class.");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        counter(o, "txstorm_errors", "class", classify_name(c), NULL, NULL, t->errors_by_class[c]);
    family(o, "txstorm_sqlstate_errors", "counter",
           "Failed attempts of class other or constraint, by SQLSTATE.");
    for (int i = 0; i < t->errors.n; i++)
        counter(o, "txstorm_sqlstate_errors", "sqlstate", t->errors.e[i].sqlstate, "class",
                classify_name(t->errors.e[i].cls), t->errors.e[i].count);
    family(o, "txstorm_retry_budget_denied", "counter",
           "Transactions failed because the retry budget was empty.");
    counter(o, "txstorm_retry_budget_denied", NULL, NULL, NULL, NULL, t->budget_denied);
    family(o, "txstorm_backoff_seconds", "counter", "Time slept between attempts.");
    sample_double(o, "txstorm_backoff_seconds", "_total", NULL, NULL, NULL, NULL,
                  (double)t->backoff_us / 1e6);
}

static void faults(struct out *o, const struct metrics_snapshot *s)
{
    family(o, "txstorm_connections_lost", "counter", "Connections found broken.");
    counter(o, "txstorm_connections_lost", NULL, NULL, NULL, NULL, s->faults.connection_losses);
    family(o, "txstorm_reconnects", "counter", "Lost connections re-established.");
    counter(o, "txstorm_reconnects", NULL, NULL, NULL, NULL, s->faults.reconnects);
    const struct stats *t = s->total;
    family(o, "txstorm_connect_attempts", "counter",
           "The workers' attempts to open a connection (measured part of the run).");
    counter(o, "txstorm_connect_attempts", NULL, NULL, NULL, NULL, t->connect_attempts);
    family(o, "txstorm_connects", "counter", "Connection attempts that made a session ready.");
    counter(o, "txstorm_connects", NULL, NULL, NULL, NULL, t->connects);
    family(o, "txstorm_connect_failures", "counter",
           "Connection attempts that failed, by reason (a SQLSTATE, timeout, refused, closed, "
           "other).");
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        counter(o, "txstorm_connect_failures", "reason", connect_reason_name(r), NULL, NULL,
                t->connect_failures[r]);
    family(o, "txstorm_workers", "gauge", "Workers (one connection each).");
    sample_int(o, "txstorm_workers", "", NULL, NULL, NULL, NULL, s->faults.workers);
    family(o, "txstorm_workers_connected", "gauge", "Workers with their connection up.");
    sample_int(o, "txstorm_workers_connected", "", NULL, NULL, NULL, NULL,
               s->faults.workers_connected);
    family(o, "txstorm_loop_utilisation_ratio", "gauge",
           "The busiest event loop's busy share of the last progress interval.");
    sample_double(o, "txstorm_loop_utilisation_ratio", "", NULL, NULL, NULL, NULL, s->loop_busy);
    family(o, "txstorm_warmup", "gauge", "1 while the warmup lasts (counters start after it).");
    sample_int(o, "txstorm_warmup", "", NULL, NULL, NULL, NULL, s->warmup);
}

/* The phase and the triggers of the last interval: a series each while they
 * last, none otherwise (a dashboard shades where it is 1). */
static void windows(struct out *o, const struct metrics_snapshot *s)
{
    if (s->phase && *s->phase) {
        family(o, "txstorm_phase_active", "gauge",
               "1 for the --load phase of the last progress interval.");
        sample_int(o, "txstorm_phase_active", "", "phase", s->phase, NULL, NULL, 1);
        family(o, "txstorm_offered_rate", "gauge",
               "The --load phase's offered rate over the last progress interval, per second.");
        sample_double(o, "txstorm_offered_rate", "", "phase", s->phase, NULL, NULL,
                      s->offered_per_s);
    }
    if (s->trigger && *s->trigger) {
        family(o, "txstorm_trigger_active", "gauge",
               "1 for the --trigger kinds whose window the last progress interval overlapped.");
        sample_int(o, "txstorm_trigger_active", "", "trigger", s->trigger, NULL, NULL, 1);
    }
}

static void histograms(struct out *o, const struct stats *t)
{
    static const struct {
        const char *name, *help;
        enum stats_hist h;
        bool seconds;
    } rows[] = {
        {"txstorm_latency_seconds",
         "Committed transactions: intended start to commit, retries and sleeps included.",
         HIST_LATENCY, true},
        {"txstorm_latency_uncorrected_seconds",
         "Committed transactions: first attempt's actual start to commit.",
         HIST_LATENCY_UNCORRECTED, true},
        {"txstorm_attempt_duration_seconds", "Every attempt's own duration, committed or not.",
         HIST_ATTEMPT, true},
        {"txstorm_backoff_sleep_seconds", "Every backoff sleep between attempts.", HIST_BACKOFF,
         true},
        {"txstorm_schedule_lag_seconds", "Open loop: actual start minus intended start.", HIST_LAG,
         true},
        {"txstorm_transaction_retries", "Finished transactions: the retries each needed.",
         HIST_RETRIES, false},
        {"txstorm_connect_duration_seconds",
         "Connection attempts that succeeded: the attempt's start to the session ready.",
         HIST_CONNECT, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        family(o, rows[i].name, "histogram", rows[i].help);
        histogram(o, rows[i].name, t->hist[rows[i].h], rows[i].seconds, NULL, NULL);
    }
}

static void endpoints(struct out *o, const struct metrics_snapshot *s)
{
    const char *const *names = s->endpoint_names;
    family(o, "txstorm_endpoint_transactions", "counter",
           "Transactions finished at each endpoint (--db), by outcome.");
    for (int e = 0; e < s->n_endpoints; e++) {
        const struct endpoint_stats *p = &s->endpoints[e];
        counter(o, "txstorm_endpoint_transactions", "endpoint", names[e], "outcome", "committed",
                p->committed);
        counter(o, "txstorm_endpoint_transactions", "endpoint", names[e], "outcome", "failed",
                p->failed);
        counter(o, "txstorm_endpoint_transactions", "endpoint", names[e], "outcome", "ambiguous",
                p->ambiguous);
    }
    family(o, "txstorm_endpoint_retries", "counter",
           "Retries at each endpoint, by the class of the error retried.");
    for (int e = 0; e < s->n_endpoints; e++)
        for (int c = 0; c < ERR_CLASS_COUNT; c++)
            counter(o, "txstorm_endpoint_retries", "endpoint", names[e], "class", classify_name(c),
                    s->endpoints[e].retries_by_class[c]);
    /* One counter an endpoint: where its value lies in each endpoint's
     * entry (the run's faults, or its connect figures). */
    static const struct {
        const char *name, *help;
        bool faults; /* in endpoint_faults, else in endpoints */
        size_t offset;
    } plain[] = {
        {"txstorm_endpoint_connections_lost", "Connections found broken, at each endpoint.", true,
         offsetof(struct metrics_faults, connection_losses)},
        {"txstorm_endpoint_reconnects", "Lost connections re-established, at each endpoint.", true,
         offsetof(struct metrics_faults, reconnects)},
        {"txstorm_endpoint_connect_attempts",
         "The workers' attempts to open a connection to each endpoint (measured part of the run).",
         false, offsetof(struct endpoint_stats, connect_attempts)},
        {"txstorm_endpoint_connects",
         "Connection attempts that made a session ready, at each "
         "endpoint.",
         false, offsetof(struct endpoint_stats, connects)},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        family(o, plain[i].name, "counter", plain[i].help);
        for (int e = 0; e < s->n_endpoints; e++) {
            const char *entry = plain[i].faults ? (const char *)&s->endpoint_faults[e]
                                                : (const char *)&s->endpoints[e];
            counter(o, plain[i].name, "endpoint", names[e], NULL, NULL,
                    *(const int64_t *)(entry + plain[i].offset));
        }
    }
    family(o, "txstorm_endpoint_connect_failures", "counter",
           "Connection attempts that failed at each endpoint, by reason.");
    for (int e = 0; e < s->n_endpoints; e++)
        for (int r = 0; r < CONNECT_REASON_COUNT; r++)
            counter(o, "txstorm_endpoint_connect_failures", "endpoint", names[e], "reason",
                    connect_reason_name(r), s->endpoints[e].connect_failures[r]);
    family(o, "txstorm_endpoint_workers_connected", "gauge",
           "Workers with their connection up, at each endpoint.");
    for (int e = 0; e < s->n_endpoints; e++)
        sample_int(o, "txstorm_endpoint_workers_connected", "", "endpoint", names[e], NULL, NULL,
                   s->endpoint_faults[e].workers_connected);
    family(o, "txstorm_endpoint_latency_seconds", "histogram",
           "Committed transactions at each endpoint: intended start to commit.");
    for (int e = 0; e < s->n_endpoints; e++)
        histogram(o, "txstorm_endpoint_latency_seconds", s->endpoints[e].latency_us, true,
                  "endpoint", names[e]);
}

char *metrics_format(const struct metrics_snapshot *s, enum metrics_format f, size_t *len)
{
    char *text = NULL;
    size_t size = 0;
    struct out o = {.f = open_memstream(&text, &size), .fmt = f, .instance = s->instance};
    if (o.f == NULL) return NULL;
    transactions(&o, s->total);
    faults(&o, s);
    windows(&o, s);
    histograms(&o, s->total);
    endpoints(&o, s);
    if (f == METRICS_OPENMETRICS) fputs("# EOF\n", o.f);
    bool failed = ferror(o.f);
    if (fclose(o.f) != 0 || failed) {
        free(text);
        return NULL;
    }
    *len = size;
    return text;
}
