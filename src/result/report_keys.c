/* The result file's top-level keys, one table: each key with how it is
 * written, how it is read back (none: derived from other keys, for people
 * and jq) and whether a result must have it. report_json writes the keys in
 * the table's order; report_load reads them in the same order. */
#include "report_internal.h"
#include "txstorm/audit_series.h"
#include "txstorm/errbuf.h"
#include "txstorm/errlog_json.h"
#include "txstorm/series_json.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct result_key {
    const char *key;
    /* The key's value; NULL leaves the key out (a part the result lacks). */
    json_t *(*encode)(const struct run_summary *s, size_t at);
    /* Reads v into s: 0, or -1 with one line in c->err. NULL: not read back. */
    int (*decode)(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c);
    size_t at; /* for the codecs of a plain field: its offset in struct run_summary */
    bool required;
};

#define FIELD(s, at, type) ((type *)((char *)(s) + (at)))
#define CFIELD(s, at, type) ((const type *)((const char *)(s) + (at)))

/* A count or a time in microseconds (int64_t), never negative. */
static json_t *enc_i64(const struct run_summary *s, size_t at)
{
    return json_integer(*CFIELD(s, at, int64_t));
}

static int dec_i64(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    if (!json_is_integer(v))
        return report_load_fail_key(c, "not a txstorm result (no integer ", ")");
    if (json_integer_value(v) < 0) return report_load_fail_key(c, "", " is negative");
    *FIELD(s, at, int64_t) = json_integer_value(v);
    return 0;
}

/* A time that may be unknown (0): the key is left out then. */
static json_t *enc_known_i64(const struct run_summary *s, size_t at)
{
    return *CFIELD(s, at, int64_t) ? enc_i64(s, at) : NULL;
}

/* A count held in an int. */
static json_t *enc_int(const struct run_summary *s, size_t at)
{
    return json_integer(*CFIELD(s, at, int));
}

static int dec_int(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
        return report_load_fail_key(c, "not a txstorm result (no integer ", ")");
    *FIELD(s, at, int) = (int)json_integer_value(v);
    return 0;
}

/* A text the result names (versions): "unknown" when absent (decode_keys). */
static json_t *enc_text(const struct run_summary *s, size_t at)
{
    return json_string(*(const char *const *)((const char *)s + at));
}

static int dec_text(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)c;
    *FIELD(s, at, const char *) = json_is_string(v) ? json_string_value(v) : "unknown";
    return 0;
}

static json_t *enc_tool(const struct run_summary *s, size_t at)
{
    (void)s, (void)at;
    return json_string("txstorm");
}

static int dec_tool(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)s, (void)at;
    const char *tool = json_string_value(v);
    return tool && strcmp(tool, "txstorm") == 0
               ? 0
               : errbuf_fail(c->err, c->err_len, "%s: not a txstorm result", c->path);
}

static json_t *enc_format(const struct run_summary *s, size_t at)
{
    (void)s, (void)at;
    return json_string(REPORT_FORMAT_VERSION);
}

/* Results from before the field are format 1. */
static int dec_format(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)s, (void)at;
    const char *format = json_string_value(v);
    if (format && atoi(format) > REPORT_FORMAT_MAJOR)
        return errbuf_fail(c->err, c->err_len,
                           "%s: written by a newer txstorm (result format %s); this one reads "
                           "format %d and older",
                           c->path, format, REPORT_FORMAT_MAJOR);
    return 0;
}

/* A wall-clock time in microseconds, written in milliseconds too for people. */
static json_t *enc_unix_ms(const struct run_summary *s, size_t at)
{
    return json_integer(*CFIELD(s, at, int64_t) / 1000);
}

/* The zero of the intervals, triggers and failover windows (the workers'
 * start); older results name none: their start less the warmup (report_load). */
static int dec_origin(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)at;
    if (!json_is_integer(v)) return report_load_fail_key(c, "", " is not a time before the start");
    s->origin_wall_us = json_integer_value(v);
    c->origin_given = true;
    return 0;
}

static json_t *enc_bool(const struct run_summary *s, size_t at)
{
    return json_boolean(*CFIELD(s, at, bool));
}

static int dec_bool(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)c;
    *FIELD(s, at, bool) = json_is_true(v);
    return 0;
}

/* The counts by class, reason or SQLSTATE: an object of counts by name. */
#define COUNTS_BY_CODEC(field, n, name, sparse)                                                    \
    static json_t *enc_##field(const struct run_summary *s, size_t at)                             \
    {                                                                                              \
        (void)at;                                                                                  \
        json_t *by = json_object();                                                                \
        for (int i = 0; by && i < (n); i++)                                                        \
            if (!(sparse) || s->total.field[i])                                                    \
                json_object_set_new(by, name(i), json_integer(s->total.field[i]));                 \
        return by;                                                                                 \
    }                                                                                              \
    static int dec_##field(const json_t *v, struct run_summary *s, size_t at,                      \
                           struct report_load_ctx *c)                                              \
    {                                                                                              \
        (void)at;                                                                                  \
        for (int i = 0; i < (n); i++)                                                              \
            if (report_get_count(v, name(i), &s->total.field[i], c)) return -1;                    \
        return 0;                                                                                  \
    }
STATS_COUNTS_BY(COUNTS_BY_CODEC)
STATS_CONNECT_COUNTS_BY(COUNTS_BY_CODEC)
#undef COUNTS_BY_CODEC

static json_t *enc_errors(const struct run_summary *s, size_t at)
{
    (void)at;
    return errlog_json_encode(&s->total.errors);
}

static int dec_errors(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)at;
    char why[160];
    if (errlog_json_decode(v, &s->total.errors, why, sizeof why) != 0)
        return errbuf_fail(c->err, c->err_len, "%s: %s", c->path, why);
    return 0;
}

static int dec_duration(const json_t *v, struct run_summary *s, size_t at,
                        struct report_load_ctx *c)
{
    (void)at;
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e9)
        return report_load_fail_key(c, "not a txstorm result (no ", ")");
    s->elapsed_us = (int64_t)(json_number_value(v) * 1e6 + 0.5);
    return 0;
}

static json_t *enc_config(const struct run_summary *s, size_t at)
{
    (void)at;
    return json_deep_copy(s->config);
}

static int dec_config(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)at;
    if (!json_is_object(v))
        return errbuf_fail(c->err, c->err_len, "%s: not a txstorm result", c->path);
    s->config = json_incref((json_t *)v);
    return 0;
}

static json_t *enc_check(const struct run_summary *s, size_t at)
{
    (void)at;
    return s->check_done ? report_check_json(&s->check) : json_null();
}

static int dec_check(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)
{
    (void)at;
    if (!json_is_object(v)) return 0; /* null: the check did not run */
    if (report_check_load(v, &s->check, c->path, c->err, c->err_len)) return -1;
    s->check_done = true;
    return 0;
}

/* The typed parts, each with its own codec: what the codec refuses, the
 * loader refuses, naming the file. */
static int refused(int rc, const char *why, struct report_load_ctx *c)
{
    return rc == 0 ? 0 : errbuf_fail(c->err, c->err_len, "%s: %s", c->path, why);
}

/* A typed part: written when the result has it, read by its codec. */
#define PART_ENCODER(fn, has, encode, field)                                                       \
    static json_t *fn(const struct run_summary *s, size_t at)                                      \
    {                                                                                              \
        (void)at;                                                                                  \
        return (has) ? encode(&s->field) : NULL;                                                   \
    }
#define PART_DECODER(fn, decode, field)                                                            \
    static int fn(const json_t *v, struct run_summary *s, size_t at, struct report_load_ctx *c)    \
    {                                                                                              \
        (void)at;                                                                                  \
        char why[256];                                                                             \
        return refused(decode(v, &s->field, why, sizeof why), why, c);                             \
    }
PART_ENCODER(enc_intervals, true, series_json_encode, series)
PART_DECODER(dec_intervals, series_json_decode, series)
PART_ENCODER(enc_phases, s->phases.n, phases_report_json, phases)
PART_DECODER(dec_phases, phases_report_decode, phases)
PART_ENCODER(enc_worker_faults, true, worker_faults_json, worker_faults)
PART_DECODER(dec_worker_faults, worker_faults_decode, worker_faults)
PART_ENCODER(enc_audit_series, s->audit_series.present, audit_series_json, audit_series)
PART_DECODER(dec_audit_series, audit_series_decode, audit_series)
PART_ENCODER(enc_ledger, s->ledger.present, ledger_record_json, ledger)
PART_DECODER(dec_ledger, ledger_record_decode, ledger)
PART_ENCODER(enc_ledgers, s->ledgers.present, ledger_records_json, ledgers)
PART_DECODER(dec_ledgers, ledger_records_decode, ledgers)
PART_ENCODER(enc_servers, s->workers_servers.present, worker_trails_json, workers_servers)
PART_DECODER(dec_servers, worker_trails_decode, workers_servers)
PART_ENCODER(enc_triggers, s->triggers.n, trigger_outcomes_json, triggers)
PART_DECODER(dec_triggers, trigger_outcomes_decode, triggers)
#undef PART_ENCODER
#undef PART_DECODER

static json_t *enc_failover(const struct run_summary *s, size_t at)
{
    (void)at;
    return s->failover.present ? failover_json(&s->failover, s->origin_wall_us) : NULL;
}

static int dec_failover(const json_t *v, struct run_summary *s, size_t at,
                        struct report_load_ctx *c)
{
    (void)at;
    return failover_decode(v, &s->failover) == 0
               ? 0
               : report_load_fail_key(c, "", " is not a failover timeline");
}

/* A histogram's summary for people (report_summary_json), not read back. */
#define SUMMARY_CODEC(fn, which, scale)                                                            \
    static json_t *fn(const struct run_summary *s, size_t at)                                      \
    {                                                                                              \
        (void)at;                                                                                  \
        return report_summary_json(s->total.hist[which], scale);                                   \
    }
SUMMARY_CODEC(enc_latency, HIST_LATENCY, 1000.0)
SUMMARY_CODEC(enc_latency_uncorrected, HIST_LATENCY_UNCORRECTED, 1000.0)
SUMMARY_CODEC(enc_attempt_latency, HIST_ATTEMPT, 1000.0)
SUMMARY_CODEC(enc_backoff_sleep, HIST_BACKOFF, 1000.0)
SUMMARY_CODEC(enc_schedule_lag, HIST_LAG, 1000.0)
SUMMARY_CODEC(enc_retries_per_txn, HIST_RETRIES, 1.0)
SUMMARY_CODEC(enc_connect, HIST_CONNECT, 1000.0)
#undef SUMMARY_CODEC

static json_t *enc_auditor_latency(const struct run_summary *s, size_t at)
{
    (void)at;
    return s->audit_latency_us ? report_summary_json(s->audit_latency_us, 1000.0) : NULL;
}

#define AT(field) offsetof(struct run_summary, field)
#define REQUIRED(key, enc, dec, at) {key, enc, dec, at, true},
#define OPTIONAL(key, enc, dec, at) {key, enc, dec, at, false},
#define DERIVED(key, enc, at) {key, enc, NULL, at, false},
#define COUNTER_KEY(field, key, add, older) {key, enc_i64, dec_i64, AT(total.field), !(older)},
#define COUNTS_BY_KEY(field, n, name, sparse) OPTIONAL(#field, enc_##field, dec_##field, 0)

static const struct result_key keys[] = {
    REQUIRED("tool", enc_tool, dec_tool, 0)
        OPTIONAL("tool_version", enc_text, dec_text, AT(tool_version))
            OPTIONAL("format_version", enc_format, dec_format, 0)
                OPTIONAL("server_version", enc_text, dec_text, AT(server_version))
                    DERIVED("start_unix_ms", enc_unix_ms, AT(start_wall_us))
                        DERIVED("end_unix_ms", enc_unix_ms, AT(end_wall_us))
    /* Microseconds too, so merge can take the union of spans exactly. */
    REQUIRED("start_unix_us", enc_i64, dec_i64, AT(start_wall_us)) REQUIRED(
        "end_unix_us", enc_i64, dec_i64, AT(end_wall_us)) OPTIONAL("clock_origin_unix_us", enc_i64,
                                                                   dec_origin, AT(origin_wall_us))
        OPTIONAL("stop_unix_us", enc_known_i64, dec_i64, AT(stop_wall_us)) OPTIONAL(
            "interrupted", enc_bool, dec_bool, AT(interrupted)) REQUIRED("merged_from", enc_int,
                                                                         dec_int, AT(merged_from))
            STATS_COUNTERS(COUNTER_KEY) STATS_CONNECT_COUNTERS(COUNTER_KEY) DERIVED(
                "retries_by_sqlstate", report_retries_by_sqlstate_json,
                0) STATS_COUNTS_BY(COUNTS_BY_KEY) STATS_CONNECT_COUNTS_BY(COUNTS_BY_KEY)
                OPTIONAL("errors_by_sqlstate", enc_errors, dec_errors,
                         0) REQUIRED("workers_lost", enc_int, dec_int, AT(workers_lost))
                    OPTIONAL("client_cpu_us", enc_i64, dec_i64, AT(client_cpu_us)) OPTIONAL(
                        "loops", report_loops_json, report_loops_decode,
                        0) DERIVED("client_saturated", report_client_saturated_json,
                                   0) OPTIONAL("connection", report_connection_json,
                                               report_connection_decode, 0)
                        OPTIONAL("endpoints", report_endpoints_json, report_endpoints_decode,
                                 0) OPTIONAL("stalls", report_stalls_json, report_stalls_decode, 0)
                            OPTIONAL("worker_faults", enc_worker_faults, dec_worker_faults,
                                     0) DERIVED("backoff_ms_total", report_backoff_ms_json, 0)
                                REQUIRED("duration_s", report_duration_json, dec_duration,
                                         0) DERIVED("throughput_tps", report_throughput_json, 0)
                                    DERIVED("latency_ms", enc_latency, 0) DERIVED(
                                        "latency_uncorrected_ms", enc_latency_uncorrected,
                                        0) DERIVED("attempt_latency_ms", enc_attempt_latency, 0)
                                        DERIVED("backoff_sleep_ms", enc_backoff_sleep, 0) DERIVED(
                                            "schedule_lag_ms", enc_schedule_lag,
                                            0) DERIVED("retries_per_txn", enc_retries_per_txn, 0)
                                            DERIVED("connect_ms", enc_connect, 0) REQUIRED(
                                                "histograms", report_histograms_json,
                                                report_histograms_decode,
                                                0) DERIVED("auditor_latency_ms",
                                                           enc_auditor_latency,
                                                           0) REQUIRED("config", enc_config,
                                                                       dec_config, 0)
                                                OPTIONAL("check", enc_check, dec_check, 0) OPTIONAL(
                                                    "intervals",
                                                    enc_intervals, dec_intervals,
                                                    0) OPTIONAL("phases", enc_phases, dec_phases, 0)
                                                    OPTIONAL("auditor_series", enc_audit_series,
                                                             dec_audit_series, 0)
                                                        OPTIONAL("ledger", enc_ledger, dec_ledger,
                                                                 0) OPTIONAL("ledgers", enc_ledgers,
                                                                             dec_ledgers, 0)
                                                            OPTIONAL("workers_servers", enc_servers,
                                                                     dec_servers, 0)
                                                                OPTIONAL("failover", enc_failover,
                                                                         dec_failover, 0)
                                                                    OPTIONAL("triggers",
                                                                             enc_triggers,
                                                                             dec_triggers, 0)};

json_t *report_json(const struct run_summary *s)
{
    json_t *root = json_object();
    for (size_t i = 0; root && i < sizeof keys / sizeof keys[0]; i++) {
        const struct result_key *k = &keys[i];
        json_t *v = k->encode(s, k->at);
        if (v) json_object_set_new(root, k->key, v);
    }
    return root;
}

int report_write_json_to(FILE *out, const void *summary)
{
    json_t *root = report_json(summary);
    int rc = root ? json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : -1;
    json_decref(root);
    return rc == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

/* Every key of the table from root into s. */
static int decode_keys(const json_t *root, struct run_summary *s, struct report_load_ctx *c)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct result_key *k = &keys[i];
        const json_t *v = json_object_get(root, k->key);
        c->key = k->key;
        if (k->decode == NULL) continue;
        if (v == NULL && k->required)
            return report_load_fail_key(c, "not a txstorm result (no ", ")");
        if (v && k->decode(v, s, k->at, c) != 0) return -1;
    }
    /* Older results name no origin: their start less the warmup. */
    if (!c->origin_given)
        s->origin_wall_us =
            s->start_wall_us - (int64_t)(report_cfg_num(s->config, "warmup_s", 0) * 1e6 + 0.5);
    if (s->server_version == NULL) s->server_version = "unknown";
    if (s->tool_version == NULL) s->tool_version = "unknown";
    c->key = "clock_origin_unix_us";
    if (s->origin_wall_us > s->start_wall_us)
        return report_load_fail_key(c, "", " is not a time before the start");
    /* The stop came after the workers started, and the run ended after it. */
    c->key = "stop_unix_us";
    if (s->stop_wall_us &&
        (s->stop_wall_us < s->origin_wall_us || s->stop_wall_us > s->end_wall_us))
        return report_load_fail_key(c, "", " is not a time between the workers' start and the end");
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
    s->json_path = path;
    struct report_load_ctx c = {.path = path, .err = err, .err_len = err_len};
    int rc = json_is_object(root) ? decode_keys(root, s, &c)
                                  : errbuf_fail(err, err_len, "%s: not a txstorm result", path);
    if (rc != 0) report_summary_free(s);
    return rc;
}
