/* The text report, progress lines, the check section and assertion verdicts. */
#include "report_internal.h"
#include "txstorm/check_rows.h"
#include "txstorm/json_id.h"
#include "txstorm/phases_report.h"
#include "txstorm/server_timeline.h"
#include "txstorm/text.h"
#include "txstorm/trigger_verdict.h"

#include <math.h>
#include <string.h>

const double report_percentiles[] = {50, 90, 99, 99.9};
const char *const report_percentile_keys[] = {"p50", "p90", "p99", "p999"};
const int report_n_percentiles = 4;

static const char *pass(bool ok) { return ok ? "PASS" : "FAIL"; }

static void print_audit_reading(FILE *out, const char *what, const struct audit_reading *r,
                                int64_t expected)
{
    text_printf(out, "      %-6s at %8.3f s: total %lld (off by %+lld), %lld negative\n", what,
                (double)r->t_us / 1e6, (long long)r->total, (long long)(r->total - expected),
                (long long)r->negative);
}

static void print_audit_readings(FILE *out, const struct audit_summary *a)
{
    if (a->wrong_total) {
        text_printf(out, "    wrong-total in %lld readings\n", (long long)a->wrong_total);
        print_audit_reading(out, "first", &a->wrong_first, a->expected_total);
        print_audit_reading(out, "worst", &a->wrong_worst, a->expected_total);
        print_audit_reading(out, "last", &a->wrong_last, a->expected_total);
    }
    if (a->negative_value) {
        text_printf(out, "    negative-value in %lld readings\n", (long long)a->negative_value);
        print_audit_reading(out, "first", &a->negative_first, a->expected_total);
        print_audit_reading(out, "worst", &a->negative_worst, a->expected_total);
        print_audit_reading(out, "last", &a->negative_last, a->expected_total);
    }
}

/* One row of the table; a figure of the row above is indented and has no
 * verdict of its own. */
static void print_check_row(FILE *out, const struct check_row *r)
{
    if (r->detail)
        text_printf(out, "    %-34s", r->label);
    else
        text_printf(out, "  %-29s%-7s", r->label, check_verdict_word(r->verdict));
    if (r->verdict == CHECK_SKIPPED) {
        text_printf(out, ": %s\n", r->reason);
        return;
    }
    /* An allowed row's figures sit a column left of the others', as they always have. */
    text_printf(out, "%*lld %13lld", r->verdict == CHECK_ALLOWED ? 12 : 13, (long long)r->expected,
                (long long)r->actual);
    if (r->actual_unit) text_printf(out, " %s", r->actual_unit);
    /* The auditor's reason is its readings, listed below its row. */
    if (r->verdict == CHECK_FAIL && r->reason[0] && r->invariant != CHECK_AUDITOR)
        text_printf(out, "   %s", r->reason);
    fputc('\n', out);
}

/* What the table says below a row: the ledger's resolved ambiguities and the
 * transfers it names, the auditor's readings. */
static void print_check_after(FILE *out, const struct check_result *c, enum check_invariant id,
                              const struct json_where *where)
{
    if (id == CHECK_LEDGER_INVENTED) {
        text_printf(out,
                    "  ambiguous, resolved                 %13lld   -> committed %lld, not "
                    "committed %lld\n",
                    (long long)c->ambiguous, (long long)c->ambiguous_committed,
                    (long long)c->ambiguous_not_committed);
        report_print_ledger_names(out, c, where);
    } else if (id == CHECK_AUDITOR) {
        print_audit_readings(out, &c->audit);
    }
}

void report_print_check(FILE *out, const struct check_result *c, const char *json_path,
                        const char *command)
{
    const struct json_where where = {json_path, command};
    struct check_row rows[CHECK_ROWS_MAX];
    size_t n = check_rows(c, rows, CHECK_ROWS_MAX);
    text_printf(out, "check (one snapshot)           verdict   expected        actual\n");
    for (size_t i = 0; i < n; i++) {
        if (rows[i].verdict == CHECK_NOT_RUN) continue;
        print_check_row(out, &rows[i]);
        print_check_after(out, c, rows[i].invariant, &where);
    }
    text_printf(out, "check: %s\n", check_summary(c));
}

/* The run's set-up, read back from its configuration. */
/* A recorded value as the header prints it. */
static void shown_value(const json_t *c, const struct flag_record *r, char *out, size_t len)
{
    switch (r->as) {
    case AS_INT:
        snprintf(out, len, "%.0f", report_cfg_num(c, r->key, 0));
        break;
    case AS_ID: {
        int64_t id = 0;
        if (json_id_value(json_object_get(c, r->key), &id))
            snprintf(out, len, "%lld", (long long)id);
        else
            snprintf(out, len, "?");
        break;
    }
    case AS_REAL:
        snprintf(out, len, "%g", report_cfg_num(c, r->key, 0));
        break;
    case AS_MS:
    case AS_S: {
        /* Three figures, but no exponent: a 1 s cap is "1000 ms", not "1e+03 ms". */
        double v = report_cfg_num(c, r->key, 0);
        snprintf(out, len, fabs(v) >= 1000 ? "%.0f" : "%.3g", v);
        break;
    }
    case AS_TEXT_LIST: {
        /* Several endpoints: each in turn. */
        const json_t *list = json_object_get(c, r->key);
        if (!json_is_array(list)) {
            snprintf(out, len, "%s", report_cfg_str(c, r->key, "?"));
            break;
        }
        size_t i, pos = 0;
        json_t *item;
        out[0] = '\0';
        json_array_foreach(list, i, item)
        {
            int n = snprintf(out + pos, len - pos, "%s%zu: %s", i ? ", " : "", i + 1,
                             json_is_string(item) ? json_string_value(item) : "?");
            if (n < 0 || (size_t)n >= len - pos) break;
            pos += (size_t)n;
        }
        break;
    }
    default:
        snprintf(out, len, "%s", report_cfg_str(c, r->key, "?"));
        break;
    }
}

/* Whether a recorded value is set: a number not zero, a name not the first of
 * its list ("none"), a true switch. */
static bool is_set(const json_t *c, const char *key)
{
    const struct flag *f = options_flag_recording(key, NULL);
    json_t *v = json_object_get(c, key);
    if (json_is_number(v)) return json_number_value(v) != 0;
    if (json_is_string(v))
        return *json_string_value(v) &&
               !(f && f->names && strcmp(json_string_value(v), f->names[0]) == 0);
    return json_is_true(v);
}

/* The phrases of one part of the header, in the flag table's order. */
static void print_header_part(FILE *out, const json_t *c, enum header_part part)
{
    bool first = true;
    for (int i = 0; i < options_n_flags; i++) {
        const struct flag *f = &options_flags[i];
        const struct flag_shown *sh = &f->shown;
        if (sh->part != part) continue;
        bool on = sh->when == WHEN_ALWAYS ||
                  (sh->when == WHEN_SET && is_set(c, f->record[0].key)) ||
                  (sh->when == WHEN_KEY_SET && is_set(c, sh->key)) ||
                  (sh->when == WHEN_KEY_UNSET && !is_set(c, sh->key));
        const char *phrase = on ? sh->phrase : NULL;
        /* WHEN_SET with a key: the unset phrase only while that key is unset too. */
        if (!on && sh->when == WHEN_SET && !(sh->key && is_set(c, sh->key))) phrase = sh->unset;
        if (phrase == NULL) continue;
        char v[2][1024] = {"", ""}; /* a string value (the DSN) may be long */
        for (int r = 0; r < 2; r++)
            if (f->record[r].key) shown_value(c, &f->record[r], v[r], sizeof v[r]);
        if (!first && !sh->glued) fputs(", ", out);
        text_printf(out, phrase, v[0], v[1]);
        first = false;
    }
}

static void print_run_header(FILE *out, const struct run_summary *s)
{
    const json_t *c = s->config;
    const char *verb = s->merged_from ? "merge" : s->interrupted ? "run (interrupted)" : "run";
    text_printf(out, "txstorm %s: ", verb);
    print_header_part(out, c, HEADER_LOAD);
    text_printf(out, ", %.1f s, %.0f accounts, ", (double)s->elapsed_us / 1e6,
                report_cfg_num(c, "accounts", 0));
    print_header_part(out, c, HEADER_WORKLOAD);
    if (s->merged_from) {
        text_printf(out, "\n  merged from %d results, server %s", s->merged_from,
                    s->server_version);
    } else {
        fputs("\n  ", out);
        print_header_part(out, c, HEADER_DB);
        text_printf(out, " (server %s), ", s->server_version);
        print_header_part(out, c, HEADER_SEED);
    }
    fputs("\n  ", out);
    print_header_part(out, c, HEADER_TXN);
    fputs("\n  retries: ", out);
    print_header_part(out, c, HEADER_RETRIES);
    fputs("\n\n", out);
}

/* Errors that are not contention, by SQLSTATE, with the first message of each. */
static void print_error_log(FILE *out, const struct errlog *l)
{
    if (errlog_total(l) == 0) return;
    text_printf(out, "errors of class other and constraint, by SQLSTATE\n");
    for (int i = 0; i < l->n; i++)
        text_printf(out, "  %-5s %-10s %15lld   %s\n", l->e[i].sqlstate[0] ? l->e[i].sqlstate : "-",
                    classify_name(l->e[i].cls), (long long)l->e[i].count, l->e[i].message);
    if (l->unlisted) text_printf(out, "  (other codes)    %15lld\n", (long long)l->unlisted);
}

/* The event loops' busy share, and the warning when the tool set the pace. */
static void print_loops(FILE *out, const struct run_summary *s)
{
    if (s->n_loops == 0) return;
    int worst;
    bool saturated = saturation_verdict(s->loops, s->n_loops, &worst);
    const struct loop_use *w = &s->loops[worst];
    text_printf(out,
                "event loops               %15d   busiest: loop %d busy %.0f%% of the run, %lld of "
                "%lld intervals above %.0f%%\n",
                s->n_loops, worst, 100 * saturation_busy_share(w), (long long)w->saturated,
                (long long)w->intervals, 100 * SATURATION_BUSY);
    if (saturated && saturation_starved(w))
        text_printf(
            out,
            "txstorm was the bottleneck: loop %d busy %.0f%% of the run, on a CPU only %.0f%% "
            "(the rest waiting for one: too few cores for client and server, or a CPU "
            "quota); the database may be faster than these figures\n",
            worst, 100 * saturation_busy_share(w),
            w->wall_us > 0 ? 100.0 * (double)w->cpu_us / (double)w->wall_us : 0.0);
    else if (saturated)
        text_printf(out,
                    "txstorm was the bottleneck: loop %d busy %.0f%% of the run; the database may "
                    "be faster than these figures; raise --threads\n",
                    worst, 100 * saturation_busy_share(w));
}

/* ", failed: 53300 N, refused M" for the reasons seen, and the line's end. */
static void print_connect_failures(FILE *out, const int64_t failures[CONNECT_REASON_COUNT])
{
    const char *sep = ", failed: ";
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        if (failures[r]) {
            text_printf(out, "%s%s %lld", sep, connect_reason_name(r), (long long)failures[r]);
            sep = ", ";
        }
    text_printf(out, "\n");
}

/* The workers' connection attempts, when there were any, and why those
 * that failed did. */
static void print_connects(FILE *out, const struct stats *t, int64_t us)
{
    if (t->connect_attempts == 0) return;
    text_printf(out, "connect attempts          %15lld %12.1f   %lld connected",
            (long long)t->connect_attempts, figures_per_second((double)t->connect_attempts, us),
            (long long)t->connects);
    print_connect_failures(out, t->connect_failures);
}

static void print_counts(FILE *out, const struct run_summary *s)
{
    const struct stats *t = &s->total;
    int64_t us = s->elapsed_us;
    struct figures fig;
    stats_figures(t, us, &fig);
    text_printf(out, "transactions                       count        per s\n");
    text_printf(out, "  committed               %15lld %12.1f\n", (long long)t->committed,
                fig.goodput_per_s);
    text_printf(out, "  failed (gave up)        %15lld %12.1f\n", (long long)t->failed,
                figures_per_second((double)t->failed, us));
    if (t->budget_denied)
        text_printf(out, "    retry budget empty    %15lld\n", (long long)t->budget_denied);
    text_printf(out, "  insufficient funds      %15lld %12.1f\n", (long long)t->insufficient,
                figures_per_second((double)t->insufficient, us));
    text_printf(out, "  ambiguous commit        %15lld\n", (long long)t->ambiguous);
    if (t->cancelled)
        text_printf(out,
                    "    cancelled at stop     %15lld   (after --stop-grace, counted failed)\n",
                    (long long)t->cancelled);
    text_printf(out, "  retried (>= 1 retry)    %15lld\n", (long long)t->retried_txns);
    text_printf(out, "attempts                  %15lld %12.1f\n", (long long)t->attempts,
                figures_per_second((double)t->attempts, us));
    text_printf(out, "retries                   %15lld %12.1f   %.3f per committed\n",
                (long long)t->retries, figures_per_second((double)t->retries, us),
                figures_or_zero(fig.retries_per_commit));
    text_printf(out, "  40001 serialization     %15lld\n",
                (long long)t->retries_by_class[ERR_SERIALIZATION]);
    for (int r = 0; r < REASON_COUNT; r++)
        if (t->retries_by_reason[r])
            text_printf(out, "    %-30s %8lld\n", classify_reason_name(r),
                        (long long)t->retries_by_reason[r]);
    text_printf(out, "  40P01 deadlock          %15lld\n",
                (long long)t->retries_by_class[ERR_DEADLOCK]);
    for (int c = ERR_AMBIGUOUS; c < ERR_CLASS_COUNT; c++)
        if (t->retries_by_class[c])
            text_printf(out, "  %-22s  %15lld\n", classify_name(c),
                        (long long)t->retries_by_class[c]);
    if (strcmp(report_cfg_str(s->config, "retry_protocol", ""), "savepoint") == 0)
        text_printf(out, "  in place (to savepoint) %15lld\n", (long long)t->retries_in_place);
    text_printf(out, "errors (every failed attempt, by class)\n");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        text_printf(out, "  %-22s  %15lld\n", classify_name(c), (long long)t->errors_by_class[c]);
    print_error_log(out, &t->errors);
    text_printf(out, "backoff sleep total (s)   %15.3f\n", (double)t->backoff_us / 1e6);
    /* Is the tool the bottleneck? Its own CPU per commit says. */
    if (s->client_cpu_us > 0)
        text_printf(out, "txstorm CPU (s)           %15.3f   %.1f us per committed\n",
                    (double)s->client_cpu_us / 1e6,
                    t->committed ? (double)s->client_cpu_us / (double)t->committed : 0.0);
    print_loops(out, s);
    const struct fault_summary *f = &s->faults;
    if (f->connection_losses || s->workers_lost)
        text_printf(out,
                    "connections lost          %15lld   reconnected %lld, %d workers gave up, "
                    "%.3f s disconnected (worst worker %.3f s)\n",
                    (long long)f->connection_losses, (long long)f->reconnects, s->workers_lost,
                    (double)f->disconnected_us / 1e6, (double)f->worst_disconnected_us / 1e6);
    print_connects(out, t, us);
    if (s->stalls.count)
        text_printf(out, "stalls (no commit for %gs) %14lld   longest %.1f s, first at %.1f s\n",
                    report_cfg_num(s->config, "stall_timeout_s", 0), (long long)s->stalls.count,
                    (double)s->stalls.longest_us / 1e6, (double)s->stalls.first_at_us / 1e6);
    text_printf(out, "\n");
}

/* Per endpoint, when there are several: where the figures came from. */
static void print_endpoints(FILE *out, const struct run_summary *s)
{
    if (s->n_endpoints < 2) return;
    /* Connections lost, not transfers: a --ledger run's lost transfers are the check's. */
    text_printf(out, "endpoints          workers  committed   failed  ambiguous   retries   "
                     "p50_ms   p99_ms  conn_lost  reconn  disconn_s\n");
    for (int i = 0; i < s->n_endpoints; i++) {
        const struct endpoint_stats *e = &s->endpoints[i];
        text_printf(out, "  %2d %21lld %10lld %8lld %10lld %9lld %8.2f %8.2f %10lld %7lld %10.3f\n",
                    i + 1, (long long)e->workers, (long long)e->committed, (long long)e->failed,
                    (long long)e->ambiguous, (long long)e->retries,
                    (double)hist_value_at_percentile(e->latency_us, 50) / 1000.0,
                    (double)hist_value_at_percentile(e->latency_us, 99) / 1000.0,
                    (long long)e->connection_losses, (long long)e->reconnects,
                    (double)e->disconnected_us / 1e6);
        text_printf(out, "     %s\n", e->dsn ? e->dsn : "?");
        for (int c = 0; c < ERR_CLASS_COUNT; c++)
            if (e->errors_by_class[c] || e->retries_by_class[c])
                text_printf(out, "     %-12s errors %lld, retried %lld\n", classify_name(c),
                            (long long)e->errors_by_class[c], (long long)e->retries_by_class[c]);
        if (e->connect_attempts) {
            text_printf(out, "     connect attempts %lld, %lld connected",
                        (long long)e->connect_attempts, (long long)e->connects);
            print_connect_failures(out, e->connect_failures);
        }
    }
    text_printf(out, "\n");
}

/* Which servers the connections reached, and the failover timeline. */
static void print_cluster(FILE *out, const struct run_summary *s)
{
    if (!s->workers_servers.present && !s->failover.present) return;
    servers_print(out, &s->workers_servers);
    server_timeline_print(out, &s->workers_servers, s->origin_wall_us);
    failover_print(out, &s->failover, s->origin_wall_us);
    text_printf(out, "\n");
}

static void print_hist_row(FILE *out, const char *label, const struct hist *h, double scale)
{
    text_printf(out, "  %-24s", label);
    for (int i = 0; i < report_n_percentiles; i++)
        text_printf(out, " %8.2f",
                    (double)hist_value_at_percentile(h, report_percentiles[i]) / scale);
    text_printf(out, " %8.2f %8.2f %9lld\n", (double)hist_max(h) / scale, hist_mean(h) / scale,
                (long long)h->total_count);
}

static void print_distributions(FILE *out, const struct run_summary *s)
{
    struct hist *const *h = s->total.hist;
    bool open_loop =
        report_cfg_num(s->config, "rate", 0) > 0 || *report_cfg_str(s->config, "load", "") != '\0';
    text_printf(out,
                "distributions (ms)              p50      p90      p99    p99.9      max     mean"
                "     count\n");
    print_hist_row(out, open_loop ? "committed, corrected" : "committed (from 1st try)",
                   h[HIST_LATENCY], 1000.0);
    if (open_loop) {
        print_hist_row(out, "committed, uncorrected", h[HIST_LATENCY_UNCORRECTED], 1000.0);
        print_hist_row(out, "schedule lag", h[HIST_LAG], 1000.0);
    }
    print_hist_row(out, "each attempt", h[HIST_ATTEMPT], 1000.0);
    print_hist_row(out, "each backoff sleep", h[HIST_BACKOFF], 1000.0);
    print_hist_row(out, "retries per transaction", h[HIST_RETRIES], 1.0);
    if (h[HIST_CONNECT]->total_count) print_hist_row(out, "each connect", h[HIST_CONNECT], 1000.0);
    if (s->audit_latency_us) print_hist_row(out, "auditor read", s->audit_latency_us, 1000.0);
    text_printf(out, "\n");
}

void report_print_text(FILE *out, const struct run_summary *s)
{
    print_run_header(out, s);
    print_counts(out, s);
    print_endpoints(out, s);
    print_cluster(out, s);
    trigger_verdict_print(out, &s->triggers);
    print_distributions(out, s);
    phases_report_print(out, &s->phases);
    if (s->check_done)
        report_print_check(out, &s->check, s->json_path, s->merged_from > 0 ? "merge" : "run");
    else
        text_printf(out, "check: not run (the database could not be read)\n");
}

void report_progress_header(FILE *out, bool open_loop)
{
    text_printf(out, "%9s %11s %10s %7s %9s %9s %9s %9s%s %6s\n", "elapsed_s", "committed/s",
                "retries/s", "failed", "ambiguous", "p50_ms", "p99_ms", "max_ms",
                open_loop ? "    lag_ms" : "", "loop%");
    fflush(out);
}

void report_progress_line(FILE *out, const struct interval_row *p)
{
    text_printf(out, "%9.1f %11.1f %10.1f %7lld %9lld %9.2f %9.2f %9.2f", series_row_end_s(p),
                figures_per_second((double)p->committed, p->length_us),
                figures_per_second((double)p->retries, p->length_us), (long long)p->failed,
                (long long)p->ambiguous, report_ms(p->p50_us), report_ms(p->p99_us),
                report_ms(p->max_us));
    if (p->open_loop) text_printf(out, " %9.2f", report_ms(p->lag_max_us));
    /* The busiest event loop: near 100, txstorm sets the pace. */
    text_printf(out, " %6.0f", 100 * (isfinite(p->loop_busy) ? p->loop_busy : 0));
    text_printf(out, "%s%s%s", p->warmup ? "  warmup" : "", p->stall ? "  STALL" : "",
                p->outage ? "  OUTAGE" : "");
    if (p->phase[0]) text_printf(out, "  %s %.0f/s", p->phase, p->offered_per_s);
    if (p->trigger[0]) text_printf(out, "  TRIGGER %s", p->trigger);
    /* Reconnects as they happen: sessions made ready of the attempts. */
    if (p->connect_attempts)
        text_printf(out, "  CONNECTS %lld/%lld", (long long)p->connects,
                    (long long)p->connect_attempts);
    /* Errors that are not contention are named as they happen. */
    if (p->errors)
        text_printf(out, "  ERRORS %lld, %s: %s", (long long)p->errors,
                    p->error_sqlstate[0] ? p->error_sqlstate : "no SQLSTATE", p->error_message);
    fputc('\n', out);
    fflush(out);
}

void report_figures(const struct run_summary *s, struct assert_figures *f)
{
    const struct stats *t = &s->total;
    const struct hist *lat = t->hist[HIST_LATENCY];
    struct figures fig;
    stats_figures(t, s->elapsed_us, &fig);
    double *v = f->value;
    /* A figure with nothing under it is NaN, which no gate accepts: a run
     * where nothing committed has no p99 below anything. */
    bool latencies = lat->total_count > 0;
    v[METRIC_P50] = latencies ? (double)hist_value_at_percentile(lat, 50) : NAN;
    v[METRIC_P90] = latencies ? (double)hist_value_at_percentile(lat, 90) : NAN;
    v[METRIC_P95] = latencies ? (double)hist_value_at_percentile(lat, 95) : NAN;
    v[METRIC_P99] = latencies ? (double)hist_value_at_percentile(lat, 99) : NAN;
    v[METRIC_P999] = latencies ? (double)hist_value_at_percentile(lat, 99.9) : NAN;
    v[METRIC_MAX] = latencies ? (double)hist_max(lat) : NAN;
    v[METRIC_MEAN] = latencies ? hist_mean(lat) : NAN;
    v[METRIC_TPS] = s->elapsed_us > 0 ? fig.goodput_per_s : NAN;
    v[METRIC_COMMITTED] = (double)t->committed;
    v[METRIC_FAILED] = (double)t->failed;
    v[METRIC_AMBIGUOUS] = (double)t->ambiguous;
    v[METRIC_INSUFFICIENT] = (double)t->insufficient;
    v[METRIC_RETRIES] = (double)t->retries;
    v[METRIC_FAILED_RATE] = fig.failed_rate;
    v[METRIC_RETRY_RATE] = fig.retries_per_commit;
    int worst;
    bool saturated = saturation_verdict(s->loops, s->n_loops, &worst);
    v[METRIC_CLIENT_SATURATED] = worst < 0 ? NAN : saturated;
    double busiest = 0;
    for (int i = 0; i < s->n_loops; i++)
        if (saturation_busy_share(&s->loops[i]) > busiest)
            busiest = saturation_busy_share(&s->loops[i]);
    v[METRIC_LOOP_BUSY] = worst < 0 ? NAN : busiest;
    v[METRIC_RECOVER_S] = trigger_verdict_recover_s(&s->triggers);
    v[METRIC_RECONNECT_S] = trigger_verdict_reconnect_s(&s->triggers);
}

bool report_print_assertions(FILE *out, const struct assertion *a, int n,
                             const struct assert_figures *f)
{
    bool all = true;
    if (n) text_printf(out, "\nassertions\n");
    for (int i = 0; i < n; i++) {
        bool ok = assertion_holds(&a[i], f);
        all = all && ok;
        double measured = assertion_measured(&a[i], f);
        if (isnan(measured))
            text_printf(out, "  %-4s %-28s no data: %s\n", pass(ok), a[i].text,
                        assertion_no_data(a[i].metric));
        else
            text_printf(out, "  %-4s %-28s measured %g\n", pass(ok), a[i].text, measured);
    }
    return all;
}
