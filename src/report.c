/* The text report, progress lines, the check section and the JSON result. */
#include "txstorm/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const double percentiles[] = {50, 90, 99, 99.9};
static const char *const percentile_keys[] = {"p50", "p90", "p99", "p999"};
#define N_PERCENTILES (sizeof percentiles / sizeof percentiles[0])

static double ms(int64_t us)
{
    return (double)us / 1000.0;
}

static double per_second(int64_t n, int64_t us)
{
    return us > 0 ? (double)n * 1e6 / (double)us : 0;
}

static const char *pass(bool ok)
{
    return ok ? "PASS" : "FAIL";
}

static void describe_backoff(const struct backoff_config *b, char *out, size_t len)
{
    if (b->policy == BACKOFF_NONE)
        snprintf(out, len, "none");
    else
        snprintf(out, len, "%s (base %.3g ms, cap %.3g ms)", backoff_policy_name(b->policy),
                 ms(b->base_us), ms(b->cap_us));
}

void report_print_check(FILE *out, const struct check_result *c)
{
    fprintf(out, "check (one snapshot)           verdict   expected        actual\n");
    fprintf(out, "  accounts (ids 1..N)          %-4s   %13lld %13lld", pass(c->accounts_ok),
            (long long)c->accounts_expected, (long long)c->accounts_actual);
    if (!c->accounts_ok && c->accounts_actual > 0)
        fprintf(out, "   ids %lld..%lld", (long long)c->min_id, (long long)c->max_id);
    fprintf(out, "\n  conservation (total)         %-4s   %13lld %13lld", pass(c->total_ok),
            (long long)c->total_expected, (long long)c->total_actual);
    if (!c->total_ok)
        fprintf(out, "   off by %+lld", (long long)(c->total_actual - c->total_expected));
    fprintf(out, "\n  no overdraft (negatives)     %-4s   %13d %13lld\n", pass(c->negative_ok), 0,
            (long long)c->negative_accounts);
    fprintf(out, "check: %s\n", c->ok ? "PASS, all invariants hold" : "FAIL, invariant violated");
}

/* "hot:10", "zipf:1.2", ...: the skew as the flag would spell it. */
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

static void describe_amount(const struct config *cfg, char *out, size_t len)
{
    if (cfg->amount_mode == AMOUNT_FRACTION)
        snprintf(out, len, "fraction %g of the source balance", cfg->amount_fraction);
    else
        snprintf(out, len, "%lld..%lld", (long long)cfg->amount_lo, (long long)cfg->amount_hi);
}

static void print_run_header(FILE *out, const struct run_summary *s)
{
    const struct config *cfg = s->cfg;
    char skew[64], amount[64], backoff[96];
    describe_skew(&cfg->skew, skew, sizeof skew);
    describe_amount(cfg, amount, sizeof amount);
    describe_backoff(&cfg->backoff, backoff, sizeof backoff);
    fprintf(out, "txstorm %s: %d workers, %.1f s, %lld accounts, skew %s, amount %s\n",
            s->interrupted ? "run (interrupted)" : "run", cfg->workers, (double)s->elapsed_us / 1e6,
            (long long)s->meta.accounts, skew, amount);
    fprintf(out, "  database %s (server %s), seed %llu\n", s->dsn_redacted, s->server_version,
            (unsigned long long)s->seed);
    fprintf(out, "  shape %s, lock order %s, %s", options_shape_name(cfg->spec.shape),
            options_lock_order_name(cfg->spec.lock_order),
            options_isolation_name(cfg->spec.isolation));
    if (cfg->spec.think_us) fprintf(out, ", think %.3g ms", ms(cfg->spec.think_us));
    fprintf(out, "\n  retries: %s protocol, up to %d, backoff %s",
            options_protocol_name(cfg->protocol), cfg->max_retries, backoff);
    if (cfg->budget_tokens > 0)
        fprintf(out, ", budget %g tokens (refund %g)", cfg->budget_tokens, cfg->budget_refund);
    if (cfg->inject_retry > 0) fprintf(out, ", injected 40001 p=%g", cfg->inject_retry);
    fprintf(out, "\n\n");
}

static void print_counts(FILE *out, const struct run_summary *s)
{
    const struct stats *t = &s->total;
    fprintf(out, "transactions                       count        per s\n");
    fprintf(out, "  committed               %15lld %12.1f\n", (long long)t->committed,
            per_second(t->committed, s->elapsed_us));
    fprintf(out, "  failed (gave up)        %15lld %12.1f\n", (long long)t->failed,
            per_second(t->failed, s->elapsed_us));
    if (t->budget_denied)
        fprintf(out, "    retry budget empty    %15lld\n", (long long)t->budget_denied);
    fprintf(out, "  insufficient funds      %15lld %12.1f\n", (long long)t->insufficient,
            per_second(t->insufficient, s->elapsed_us));
    fprintf(out, "  ambiguous commit        %15lld\n", (long long)t->ambiguous);
    fprintf(out, "  retried (>= 1 retry)    %15lld\n", (long long)t->retried_txns);
    fprintf(out, "attempts                  %15lld %12.1f\n", (long long)t->attempts,
            per_second(t->attempts, s->elapsed_us));
    fprintf(out, "retries                   %15lld %12.1f   %.3f per committed\n",
            (long long)t->retries, per_second(t->retries, s->elapsed_us),
            t->committed ? (double)t->retries / (double)t->committed : 0.0);
    fprintf(out, "  40001 serialization     %15lld\n",
            (long long)t->retries_by_class[ERR_SERIALIZATION]);
    for (int r = 0; r < REASON_COUNT; r++)
        if (t->retries_by_reason[r])
            fprintf(out, "    %-30s %8lld\n", classify_reason_name(r),
                    (long long)t->retries_by_reason[r]);
    fprintf(out, "  40P01 deadlock          %15lld\n",
            (long long)t->retries_by_class[ERR_DEADLOCK]);
    for (int c = ERR_AMBIGUOUS; c < ERR_CLASS_COUNT; c++)
        if (t->retries_by_class[c])
            fprintf(out, "  %-22s  %15lld\n", classify_name(c), (long long)t->retries_by_class[c]);
    if (s->cfg->protocol == PROTOCOL_SAVEPOINT)
        fprintf(out, "  in place (to savepoint) %15lld\n", (long long)t->retries_in_place);
    fprintf(out, "errors (every failed attempt, by class)\n");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        fprintf(out, "  %-22s  %15lld\n", classify_name(c), (long long)t->errors_by_class[c]);
    fprintf(out, "backoff sleep total (s)   %15.3f\n", (double)t->backoff_us / 1e6);
    if (s->workers_lost) fprintf(out, "workers lost (connection) %15d\n", s->workers_lost);
    fprintf(out, "\n");
}

void report_print_text(FILE *out, const struct run_summary *s)
{
    const struct stats *t = &s->total;
    print_run_header(out, s);
    print_counts(out, s);
    fprintf(out,
            "latency of committed (ms)      p50      p90      p99    p99.9      max     mean\n");
    fprintf(out, "  first attempt to commit ");
    for (size_t i = 0; i < N_PERCENTILES; i++)
        fprintf(out, " %8.2f", ms(hist_value_at_percentile(t->latency_us, percentiles[i])));
    fprintf(out, " %8.2f %8.2f\n", ms(hist_max(t->latency_us)), hist_mean(t->latency_us) / 1000.0);
    fprintf(out, "\n");
    if (s->check_done)
        report_print_check(out, &s->check);
    else
        fprintf(out, "check: not run (the database could not be read)\n");
}

void report_progress_header(FILE *out)
{
    fprintf(out, "%9s %12s %10s %9s %10s\n", "elapsed_s", "committed/s", "retries/s", "failed",
            "p99_ms");
    fflush(out);
}

void report_progress_line(FILE *out, const struct progress_sample *p)
{
    fprintf(out, "%9.1f %12.1f %10.1f %9lld %10.2f\n", (double)p->elapsed_us / 1e6,
            per_second(p->committed, p->interval_us), per_second(p->retries, p->interval_us),
            (long long)p->failed_total, ms(p->p99_us));
    fflush(out);
}

static json_t *latency_json(const struct hist *h)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_PERCENTILES; i++)
        json_object_set_new(o, percentile_keys[i],
                            json_real(ms(hist_value_at_percentile(h, percentiles[i]))));
    json_object_set_new(o, "max", json_real(ms(hist_max(h))));
    json_object_set_new(o, "mean", json_real(hist_mean(h) / 1000.0));
    json_object_set_new(o, "count", json_integer(h->total_count));
    return o;
}

static json_t *config_json(const struct run_summary *s)
{
    const struct config *cfg = s->cfg;
    char skew[64];
    describe_skew(&cfg->skew, skew, sizeof skew);
    json_t *retry_on = json_array();
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        if (cfg->retry_on.retry[c]) json_array_append_new(retry_on, json_string(classify_name(c)));
    json_t *o = json_pack(
        "{s:s, s:i, s:I, s:s, s:s, s:I, s:I, s:f, s:I, s:s, s:s, s:s, s:f, s:s, s:o, s:i, s:s, "
        "s:f, s:f, s:f, s:f, s:f, s:I, s:i}",
        "db", s->dsn_redacted, "workers", cfg->workers, "accounts", (json_int_t)s->meta.accounts,
        "skew", skew, "amount_mode", cfg->amount_mode == AMOUNT_FRACTION ? "fraction" : "range",
        "amount_lo", (json_int_t)cfg->amount_lo, "amount_hi", (json_int_t)cfg->amount_hi,
        "amount_fraction", cfg->amount_mode == AMOUNT_FRACTION ? cfg->amount_fraction : 0.0,
        "transactions_target", (json_int_t)cfg->transactions, "shape",
        options_shape_name(cfg->spec.shape), "lock_order",
        options_lock_order_name(cfg->spec.lock_order), "isolation",
        options_isolation_name(cfg->spec.isolation), "think_time_ms", ms(cfg->spec.think_us),
        "retry_protocol", options_protocol_name(cfg->protocol), "retry_on", retry_on, "max_retries",
        cfg->max_retries, "backoff", backoff_policy_name(cfg->backoff.policy), "backoff_base_ms",
        ms(cfg->backoff.base_us), "backoff_cap_ms", ms(cfg->backoff.cap_us), "retry_budget",
        cfg->budget_tokens, "retry_budget_refund",
        cfg->budget_tokens > 0 ? cfg->budget_refund : 0.0, "inject_retry", cfg->inject_retry,
        "seed", (json_int_t)s->seed, "sig_figs", cfg->sig_figs);
    /* The foundation's key: the hot set, when the skew has one. */
    if (cfg->skew.kind == SKEW_HOT || cfg->skew.kind == SKEW_HOTSPOT)
        json_object_set_new(o, "hot", json_integer(cfg->skew.hot));
    return o;
}

json_t *report_json(const struct run_summary *s)
{
    const struct stats *t = &s->total;
    double secs = (double)s->elapsed_us / 1e6;
    json_t *root = json_object();
    json_object_set_new(root, "tool", json_string("txstorm"));
    json_object_set_new(root, "tool_version", json_string(s->tool_version));
    json_object_set_new(root, "server_version", json_string(s->server_version));
    json_object_set_new(root, "start_unix_ms", json_integer(s->start_wall_us / 1000));
    json_object_set_new(root, "end_unix_ms", json_integer(s->end_wall_us / 1000));
    json_object_set_new(root, "interrupted", json_boolean(s->interrupted));
    json_object_set_new(root, "committed", json_integer(t->committed));
    json_object_set_new(root, "failed", json_integer(t->failed));
    json_object_set_new(root, "insufficient", json_integer(t->insufficient));
    json_object_set_new(root, "ambiguous", json_integer(t->ambiguous));
    json_object_set_new(root, "retried_txns", json_integer(t->retried_txns));
    json_object_set_new(root, "attempts", json_integer(t->attempts));
    json_object_set_new(root, "retries", json_integer(t->retries));
    json_object_set_new(root, "retries_in_place", json_integer(t->retries_in_place));
    json_object_set_new(root, "budget_denied", json_integer(t->budget_denied));
    json_t *reasons = json_object();
    for (int r = 0; r < REASON_COUNT; r++)
        if (t->retries_by_reason[r])
            json_object_set_new(reasons, classify_reason_name(r),
                                json_integer(t->retries_by_reason[r]));
    json_object_set_new(root, "retries_by_reason", reasons);
    json_t *by_class = json_object();
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        json_object_set_new(by_class, classify_name(c), json_integer(t->retries_by_class[c]));
    json_object_set_new(root, "retries_by_class", by_class);
    json_object_set_new(root, "retries_by_sqlstate",
                        json_pack("{s:I, s:I, s:I}", "40001",
                                  (json_int_t)t->retries_by_class[ERR_SERIALIZATION], "40P01",
                                  (json_int_t)t->retries_by_class[ERR_DEADLOCK], "other",
                                  (json_int_t)(t->retries - t->retries_by_class[ERR_SERIALIZATION] -
                                               t->retries_by_class[ERR_DEADLOCK])));
    json_t *errors = json_object();
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        json_object_set_new(errors, classify_name(c), json_integer(t->errors_by_class[c]));
    json_object_set_new(root, "errors_by_class", errors);
    json_object_set_new(root, "workers_lost", json_integer(s->workers_lost));
    json_object_set_new(root, "backoff_ms_total", json_real(ms(t->backoff_us)));
    json_object_set_new(root, "duration_s", json_real(secs));
    json_object_set_new(root, "throughput_tps", json_real(per_second(t->committed, s->elapsed_us)));
    json_object_set_new(root, "latency_ms", latency_json(t->latency_us));
    json_object_set_new(root, "config", config_json(s));
    if (s->check_done) {
        const struct check_result *c = &s->check;
        json_object_set_new(
            root, "check",
            json_pack("{s:b, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I}", "ok", c->ok, "accounts_ok",
                      c->accounts_ok, "total_ok", c->total_ok, "negative_ok", c->negative_ok,
                      "accounts_expected", (json_int_t)c->accounts_expected, "accounts_actual",
                      (json_int_t)c->accounts_actual, "total_expected",
                      (json_int_t)c->total_expected, "total_actual", (json_int_t)c->total_actual,
                      "negative_accounts", (json_int_t)c->negative_accounts));
    } else {
        json_object_set_new(root, "check", json_null());
    }
    return root;
}

int report_write_json(const char *path, const struct run_summary *s, char *err, size_t err_len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(err, err_len, "--json: path too long");
        return -1;
    }
    json_t *root = report_json(s);
    int rc = root ? json_dump_file(root, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : -1;
    json_decref(root);
    if (rc != 0 || rename(tmp, path) != 0) {
        snprintf(err, err_len, "--json: cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
