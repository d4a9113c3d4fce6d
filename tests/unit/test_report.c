/* Report: the JSON result parses and carries the promised keys; text and
 * progress lines carry the figures. */
#include "txstorm/report.h"
#include "txstorm/series_json.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct config cfg;
static struct run_summary summary;

static int setup(void **state)
{
    (void)state;
    char *argv[] = {"txstorm", "run", "--workers", "4", "--hot", "3", "--seed", "9"};
    char err[OPTIONS_ERR_MAX];
    if (options_parse(8, argv, NULL, &cfg, err, sizeof err) != 0) return -1;
    memset(&summary, 0, sizeof summary);
    struct text_list redacted = {.items = {"postgresql://u:***@h/d"}, .n = 1};
    summary.config = report_config_json(&cfg, &redacted, 9, 10, 1);
    summary.server_version = "15.0";
    summary.tool_version = "0.0.test";
    summary.elapsed_us = 2000000;
    summary.start_wall_us = 1700000000000000;
    summary.end_wall_us = summary.start_wall_us + summary.elapsed_us;
    if (!stats_init(&summary.total, 3)) return -1;
    for (int i = 1; i <= 100; i++) {
        struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = i * 1000, .retries = i % 2};
        o.retries_by_class[ERR_SERIALIZATION] = i % 2;
        o.retries_by_reason[REASON_PG_CONCURRENT_UPDATE] = i % 2;
        o.attempts = 1 + i % 2;
        o.errors_by_class[ERR_SERIALIZATION] = i % 2;
        stats_add_txn(&summary.total, &o);
    }
    struct txn_outcome f = {.end = TXN_FAILED, .retries = 10, .backoff_us = 5000};
    f.retries_by_class[ERR_DEADLOCK] = 10;
    stats_add_txn(&summary.total, &f);
    summary.check_done = true;
    summary.client_cpu_us = 250000;
    summary.check = (struct check_result){.ok = true,
                                          .accounts_ok = true,
                                          .total_ok = true,
                                          .negative_ok = true,
                                          .accounts_expected = 10,
                                          .accounts_actual = 10,
                                          .total_expected = 10000,
                                          .total_actual = 10000};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    report_summary_free(&summary);
    return 0;
}

static json_int_t get_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) fail_msg("key %s is not an integer", key);
    return json_integer_value(v);
}

static double get_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) fail_msg("key %s is not a number", key);
    return json_number_value(v);
}

static void json_round_trips_with_every_promised_key(void **state)
{
    (void)state;
    json_t *root = report_json(&summary);
    char *text = json_dumps(root, 0);
    json_decref(root);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    free(text);
    assert_non_null(back);

    assert_int_equal(get_int(back, "committed"), 100);
    assert_int_equal(get_int(back, "failed"), 1);
    assert_int_equal(get_int(back, "insufficient"), 0);
    assert_int_equal(get_int(back, "retried_txns"), 51);
    assert_int_equal(get_int(back, "retries"), 60);
    json_t *by = json_object_get(back, "retries_by_sqlstate");
    assert_int_equal(get_int(by, "40001"), 50);
    assert_int_equal(get_int(by, "40P01"), 10);
    assert_int_equal(get_int(by, "other"), 0);
    assert_int_equal(get_int(json_object_get(back, "retries_by_reason"), "concurrent_update"), 50);
    assert_int_equal(get_int(json_object_get(back, "retries_by_class"), "deadlock"), 10);
    assert_int_equal(get_int(back, "attempts"), 150);
    assert_true(get_num(back, "backoff_ms_total") == 5.0);
    assert_true(get_num(back, "duration_s") == 2.0);
    assert_true(get_num(back, "throughput_tps") == 50.0);
    json_t *lat = json_object_get(back, "latency_ms");
    assert_true(get_num(lat, "p50") >= 50.0 && get_num(lat, "p50") <= 50.05);
    assert_true(get_num(lat, "p99") >= 99.0 && get_num(lat, "p99") <= 99.1);
    assert_true(get_num(lat, "p90") > 0 && get_num(lat, "p999") > 0);
    assert_true(get_num(lat, "max") >= 100.0 && get_num(lat, "max") <= 100.1);
    assert_true(get_num(lat, "mean") > 50.4 && get_num(lat, "mean") < 50.6);
    json_t *c = json_object_get(back, "config");
    assert_int_equal(get_int(c, "workers"), 4);
    assert_int_equal(get_int(c, "hot"), 3);
    assert_string_equal(json_string_value(json_object_get(c, "backoff")), "full-jitter");
    assert_string_equal(json_string_value(json_object_get(c, "shape")), "interactive");
    assert_string_equal(json_string_value(json_object_get(c, "skew")), "hot:3");
    assert_string_equal(json_string_value(json_object_get(c, "retry_protocol")), "restart");
    json_t *retry_on = json_object_get(c, "retry_on");
    assert_int_equal(json_array_size(retry_on), 2);
    assert_string_equal(json_string_value(json_array_get(retry_on, 0)), "serialization");
    assert_string_equal(json_string_value(json_object_get(c, "db")), "postgresql://u:***@h/d");
    json_t *chk = json_object_get(back, "check");
    assert_true(json_is_true(json_object_get(chk, "ok")));
    assert_int_equal(get_int(chk, "total_expected"), 10000);
    assert_int_equal(get_int(chk, "total_actual"), 10000);
    assert_int_equal(get_int(chk, "negative_accounts"), 0);
    json_decref(back);
}

static char tmpdir[64];

static void path_in_tmp(char *out, size_t len, const char *name)
{
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/txstorm-test-XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
    }
    snprintf(out, len, "%s/%s", tmpdir, name);
}

static void json_file_is_written_whole(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "r.json");
    assert_int_equal(report_write_file(path, report_write_json_to, &summary, err, sizeof err), 0);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    assert_non_null(back);
    assert_int_equal(get_int(back, "committed"), 100);
    json_decref(back);

    path_in_tmp(path, sizeof path, "missing/r.json");
    assert_int_equal(report_write_file(path, report_write_json_to, &summary, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot write"));
}

/* Saving and loading gives back the same result, histograms and all. */
static void a_saved_result_loads_back_exactly(void **state)
{
    (void)state;
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "load.json");
    assert_int_equal(report_write_file(path, report_write_json_to, &summary, err, sizeof err), 0);
    struct run_summary back;
    if (report_load(path, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(back.total.committed, 100);
    assert_int_equal(back.total.retries, 60);
    assert_int_equal(back.total.retries_by_reason[REASON_PG_CONCURRENT_UPDATE], 50);
    assert_int_equal(back.total.backoff_us, 5000);
    assert_int_equal(back.elapsed_us, summary.elapsed_us);
    assert_int_equal(back.start_wall_us, summary.start_wall_us);
    assert_int_equal(back.client_cpu_us, 250000);
    assert_true(back.check_done && back.check.ok);
    for (int h = 0; h < HIST_COUNT; h++) {
        assert_int_equal(back.total.hist[h]->total_count, summary.total.hist[h]->total_count);
        for (int32_t i = 0; i < back.total.hist[h]->counts_len; i++)
            assert_int_equal(back.total.hist[h]->counts[i], summary.total.hist[h]->counts[i]);
    }
    /* The reloaded result serialises to the same JSON. */
    json_t *a = report_json(&summary), *b = report_json(&back);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    report_summary_free(&back);

    /* A stop before the workers started, or after the end, contradicts the rest. */
    json_t *doc = report_json(&summary);
    const int64_t stops[] = {summary.origin_wall_us - 1, summary.end_wall_us + 1};
    for (int i = 0; i < 2; i++) {
        json_object_set_new(doc, "stop_unix_us", json_integer(stops[i]));
        assert_int_equal(json_dump_file(doc, path, 0), 0);
        assert_int_equal(report_load(path, &back, err, sizeof err), -1);
        assert_non_null(strstr(err, "stop_unix_us"));
    }
    json_object_set_new(doc, "stop_unix_us", json_integer(summary.end_wall_us));
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    if (report_load(path, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(back.stop_wall_us, summary.end_wall_us);
    report_summary_free(&back);
    json_decref(doc);

    path_in_tmp(path, sizeof path, "bad.json");
    FILE *f = fopen(path, "w");
    fputs("{\"tool\": \"txstorm\", \"config\": {}}", f);
    fclose(f);
    assert_int_equal(report_load(path, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a txstorm result"));
    path_in_tmp(path, sizeof path, "nothing-here.json");
    assert_int_equal(report_load(path, &back, err, sizeof err), -1);
}

/* Every counter of struct stats, each given its own value, comes back from
 * the saved file: one the writer or the loader missed comes back as 0 or as
 * another counter's value. */
static void every_counter_survives_the_json_round_trip(void **state)
{
    (void)state;
    struct run_summary s = summary; /* shares summary's JSON; only total is its own */
    assert_true(stats_init(&s.total, 3));
    int64_t v = 1000;
#define SET(field, key, add, older) s.total.field = v++;
#define SET_BY(field, n, name, sparse)                                                             \
    for (int i = 0; i < (n); i++)                                                                  \
        s.total.field[i] = v++;
    STATS_COUNTERS(SET)
    STATS_COUNTS_BY(SET_BY)
    STATS_CONNECT_COUNTERS(SET)
    STATS_CONNECT_COUNTS_BY(SET_BY)
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "counters.json");
    assert_int_equal(report_write_file(path, report_write_json_to, &s, err, sizeof err), 0);
    stats_free(&s.total);
    struct run_summary back;
    if (report_load(path, &back, err, sizeof err) != 0) fail_msg("%s", err);
    v = 1000;
#define SAME(field, want)                                                                          \
    if ((field) != (want))                                                                         \
        fail_msg("%s came back as %lld, not %lld", #field, (long long)(field), (long long)(want)); \
    v++;
#define CHECK(field, key, add, older) SAME(back.total.field, v)
#define CHECK_BY(field, n, name, sparse)                                                           \
    for (int i = 0; i < (n); i++) {                                                                \
        SAME(back.total.field[i], v)                                                               \
    }
    STATS_COUNTERS(CHECK)
    STATS_COUNTS_BY(CHECK_BY)
    STATS_CONNECT_COUNTERS(CHECK)
    STATS_CONNECT_COUNTS_BY(CHECK_BY)
    report_summary_free(&back);
}

/* Saves a summary whose check is c and loads it back into back. */
static void check_through_file(const struct check_result *c, struct run_summary *back)
{
    struct run_summary s = summary; /* shares summary's JSON and stats, reads only */
    s.check = *c;
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "check.json");
    assert_int_equal(report_write_file(path, report_write_json_to, &s, err, sizeof err), 0);
    if (report_load(path, back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_true(back->check_done);
}

/* Every member of the check's verdict, each given its own value, comes back
 * from the saved file byte for byte (both sides start zeroed, padding too). */
static void every_check_part_survives_the_json_round_trip(void **state)
{
    (void)state;
    struct check_result c;
    memset(&c, 0, sizeof c);
    c.ok = c.total_ok = c.allow_overdraft = c.balances_checked = c.ledger_checked = c.audited =
        true;
    c.accounts_ok = c.negative_ok = c.balances_ok = c.ledger_ok = false;
    int64_t v = 100;
    int64_t *ints[] = {&c.accounts_expected,
                       &c.accounts_actual,
                       &c.min_id,
                       &c.max_id,
                       &c.total_expected,
                       &c.total_actual,
                       &c.negative_accounts,
                       &c.balance_mismatches,
                       &c.first_mismatch_id,
                       &c.first_mismatch_expected,
                       &c.first_mismatch_actual,
                       &c.acked,
                       &c.acked_found,
                       &c.lost,
                       &c.duplicated,
                       &c.invented_failed,
                       &c.invented_unknown,
                       &c.ambiguous,
                       &c.ambiguous_committed,
                       &c.ambiguous_not_committed,
                       &c.first_lost,
                       &c.first_duplicated,
                       &c.first_invented,
                       &c.audit.expected_total,
                       &c.audit.readings,
                       &c.audit.violations,
                       &c.audit.wrong_total,
                       &c.audit.negative_value};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        *ints[i] = v++;
    struct audit_reading *readings[] = {&c.audit.wrong_first,    &c.audit.wrong_worst,
                                        &c.audit.wrong_last,     &c.audit.negative_first,
                                        &c.audit.negative_worst, &c.audit.negative_last};
    for (size_t i = 0; i < sizeof readings / sizeof readings[0]; i++) {
        readings[i]->t_us = v++ * 1000000;
        readings[i]->total = v++;
        readings[i]->negative = v++;
    }

    struct run_summary back;
    check_through_file(&c, &back);
    const unsigned char *want = (const void *)&c, *got = (const void *)&back.check;
    for (size_t i = 0; i < sizeof c; i++)
        if (want[i] != got[i]) fail_msg("check_result byte %zu differs after the round trip", i);
    report_summary_free(&back);

    /* A skipped balance check stays skipped, not checked. */
    memset(&c, 0, sizeof c);
    c.balances_skipped = true;
    check_through_file(&c, &back);
    assert_true(back.check.balances_skipped && !back.check.balances_checked);
    report_summary_free(&back);
}

/* What the loader refuses in "check", and what it reads leniently, as before. */
static void a_malformed_check_is_refused(void **state)
{
    (void)state;
    json_t *root = report_json(&summary);
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "check-bad.json");
    struct run_summary back;
    struct {
        const char *key;
        json_t *value; /* NULL: removed */
        bool refused;
    } cases[] = {
        {"total_ok", NULL, true},                          /* required */
        {"total_actual", json_string("1"), true},          /* required, of another type */
        {"min_id", json_string("1"), false},               /* lenient: reads 0 */
        {"allow_overdraft", json_integer(1), false},       /* lenient: reads false */
        {"ledger", json_pack("{s:s}", "lost", "x"), true}, /* optional, of another type */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = json_deep_copy(root);
        json_t *c = json_object_get(doc, "check");
        if (cases[i].value)
            json_object_set_new(c, cases[i].key, cases[i].value);
        else
            json_object_del(c, cases[i].key);
        assert_int_equal(json_dump_file(doc, path, 0), 0);
        json_decref(doc);
        int rc = report_load(path, &back, err, sizeof err);
        if (cases[i].refused) {
            if (rc != -1) fail_msg("check.%s: loaded, should be refused", cases[i].key);
            assert_non_null(strstr(err, "malformed 'check'"));
        } else {
            if (rc != 0) fail_msg("check.%s: %s", cases[i].key, err);
            assert_int_equal(back.check.min_id, 0);
            assert_false(back.check.allow_overdraft);
            report_summary_free(&back);
        }
    }
    json_decref(root);
}

/* Two halves merged equal the whole: counts add, histograms merge exactly, the
 * duration is the union of the spans. */
/* A part's per-worker servers, auditor readings and ledger record, told
 * apart by mark. */
static void add_records(struct run_summary *r, int mark)
{
    struct server_trail *t = calloc(1, sizeof *t);
    struct server_id id = {.port = "5432", .in_recovery = 0, .at_unix_ms = 1000 * mark};
    snprintf(id.host, sizeof id.host, "node%d", mark);
    server_trail_add(t, &id);
    assert_true(worker_trails_add_ring(&r->workers_servers, t, 10 + mark));
    free(t);
    assert_true(audit_series_append(
        &r->audit_series,
        &(struct audit_point){
            .instance = -1, .t_us = 2000000, .total = 1000 * mark, .ok = true, .latency_us = 300}));
    r->ledger = (struct ledger_record){.present = true, .run_id = mark, .bank_id = 9};
    assert_int_equal(ledger_init(&r->ledger.ledger, mark, 1), 0);
    assert_int_equal(ledger_record(&r->ledger.ledger, 0, 0, LEDGER_ACKED, 0), 0);
}

/* The merge's rule for the per-worker rows and the records: each part's,
 * in order, naming its instance, on the merged clock; and what it makes
 * saves and loads back the same. */
static void records_are_concatenated(const struct run_summary *m)
{
    assert_int_equal(m->workers_servers.n, 2);
    assert_int_equal(m->workers_servers.items[0].instance, 0);
    assert_int_equal(m->workers_servers.items[1].instance, 1);
    assert_int_equal(m->workers_servers.items[1].worker, 12);
    assert_string_equal(m->workers_servers.items[1].servers[0].host, "node2");
    assert_int_equal(m->audit_series.n, 2);
    assert_int_equal(m->audit_series.items[0].t_us, 2000000);
    assert_int_equal(m->audit_series.items[1].t_us, 7000000);
    assert_int_equal(m->audit_series.items[1].instance, 1);
    assert_int_equal(m->audit_series.items[1].total, 2000);
    assert_false(m->ledger.present); /* a merge has no record of its own */
    assert_int_equal(m->ledgers.n, 2);
    assert_int_equal(m->ledgers.items[1].run_id, 2);
    assert_int_equal(m->ledgers.items[1].ledger.instance, 2);
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "merged.json");
    assert_int_equal(report_write_file(path, report_write_json_to, m, err, sizeof err), 0);
    struct run_summary back;
    if (report_load(path, &back, err, sizeof err) != 0) fail_msg("%s", err);
    json_t *x = report_json(m), *y = report_json(&back);
    assert_true(json_equal(x, y));
    json_decref(x);
    json_decref(y);
    report_summary_free(&back);
}

static void merge_equals_pooled(void **state)
{
    (void)state;
    struct run_summary a = {.config = json_deep_copy(summary.config),
                            .server_version = "15.0",
                            .tool_version = "t",
                            .elapsed_us = 10000000,
                            .start_wall_us = 1000000000,
                            .end_wall_us = 1010000000,
                            .client_cpu_us = 700000};
    struct run_summary b = a;
    b.config = json_deep_copy(summary.config);
    json_object_set_new(b.config, "workers", json_integer(6));
    json_object_set_new(b.config, "seed", json_integer(12345));
    json_object_set_new(b.config, "instance", json_integer(1));
    b.start_wall_us = 1005000000; /* overlaps a by 5 s */
    b.end_wall_us = 1015000000;
    struct stats pooled;
    assert_true(stats_init(&a.total, 3) && stats_init(&b.total, 3) && stats_init(&pooled, 3));
    for (int i = 0; i < 3000; i++) {
        struct txn_outcome o = {.end = i % 7 ? TXN_COMMITTED : TXN_FAILED,
                                .latency_us = 100 + i * 37 % 50000,
                                .attempts = 1 + i % 3,
                                .retries = i % 3};
        stats_add_txn(i % 2 ? &a.total : &b.total, &o);
        stats_add_txn(&pooled, &o);
    }
    for (int i = 0; i < 300; i++) {
        struct connect_outcome c = {.ok = i % 3 == 0,
                                    .reason = (enum connect_reason)(i % CONNECT_REASON_COUNT),
                                    .latency_us = 1000 + i * 53 % 20000};
        stats_add_connect(i % 2 ? &a.total : &b.total, &c);
        stats_add_connect(&pooled, &c);
    }
    add_records(&a, 1);
    add_records(&b, 2);
    a.origin_wall_us = 999000000;
    b.origin_wall_us = 1004000000; /* started 5 s after a */
    a.stop_wall_us = 1009990000;
    b.stop_wall_us = 1014990000;
    struct run_summary *in[] = {&a, &b}, merged;
    char err[256];
    if (report_merge(in, 2, &merged, err, sizeof err) != 0) fail_msg("%s", err);
    records_are_concatenated(&merged);
    assert_int_equal(merged.stop_wall_us, 1014990000); /* the last instance's stop */
    assert_int_equal(merged.total.committed, pooled.committed);
    assert_int_equal(merged.total.failed, pooled.failed);
    assert_int_equal(merged.total.retries, pooled.retries);
    assert_int_equal(merged.total.connect_attempts, 300);
    assert_int_equal(merged.total.connects, pooled.connects);
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        assert_int_equal(merged.total.connect_failures[r], pooled.connect_failures[r]);
    assert_int_equal(merged.total.hist[HIST_CONNECT]->total_count, pooled.connects);
    for (int h = 0; h < HIST_COUNT; h++)
        for (int32_t i = 0; i < pooled.hist[h]->counts_len; i++)
            assert_int_equal(merged.total.hist[h]->counts[i], pooled.hist[h]->counts[i]);
    assert_int_equal(hist_value_at_percentile(merged.total.hist[HIST_LATENCY], 99.9),
                     hist_value_at_percentile(pooled.hist[HIST_LATENCY], 99.9));
    assert_int_equal(merged.elapsed_us, 15000000);
    assert_int_equal(merged.merged_from, 2);
    assert_int_equal(merged.client_cpu_us, 1400000); /* each process's CPU adds up */
    assert_int_equal(json_integer_value(json_object_get(merged.config, "workers")), 10);
    report_summary_free(&merged);
    /* A part that does not say when it stopped (an older result): unknown. */
    a.stop_wall_us = 0;
    if (report_merge(in, 2, &merged, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(merged.stop_wall_us, 0);
    report_summary_free(&merged);
    a.stop_wall_us = 1009990000;

    /* A different workload is refused, naming the difference. */
    json_object_set_new(b.config, "shape", json_string("single"));
    assert_int_equal(report_merge(in, 2, &merged, err, sizeof err), -1);
    assert_non_null(strstr(err, "differ in shape"));
    json_object_set_new(b.config, "shape", json_string("interactive"));
    /* So is a different histogram precision. */
    stats_free(&b.total);
    assert_true(stats_init(&b.total, 2));
    assert_int_equal(report_merge(in, 2, &merged, err, sizeof err), -1);
    assert_non_null(strstr(err, "different histogram precision"));
    report_summary_free(&a);
    report_summary_free(&b);
    stats_free(&pooled);
}

static char *capture(void (*print)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    print(f, arg);
    fclose(f);
    return buf;
}

static void print_text(FILE *f, const void *s) { report_print_text(f, s); }
static void print_check(FILE *f, const void *c) { report_print_check(f, c, NULL, "check"); }
static void print_check_saved(FILE *f, const void *c)
{
    report_print_check(f, c, "out/r.json", "run");
}
static void print_csv(FILE *f, const void *rows) { series_write_csv(f, rows); }

static void text_report_shows_the_figures(void **state)
{
    (void)state;
    char *text = capture(print_text, &summary);
    assert_non_null(strstr(text, "4 workers, 2.0 s, 10 accounts, skew hot:3, amount 1..100"));
    assert_non_null(strstr(text, "shape interactive, lock order random, serializable"));
    assert_non_null(strstr(text, "committed                           100         50.0"));
    assert_non_null(strstr(text, "40P01 deadlock                       10"));
    assert_non_null(strstr(text, "postgresql://u:***@h/d"));
    assert_non_null(strstr(text, "retries per transaction"));
    assert_non_null(
        strstr(text, "txstorm CPU (s)                     0.250   2500.0 us per committed"));
    assert_non_null(strstr(text, "check: PASS"));
    free(text);

    struct check_result bad = summary.check;
    bad.ok = bad.total_ok = false;
    bad.total_actual = 9990;
    text = capture(print_check, &bad);
    assert_non_null(strstr(text, "conservation (total)         FAIL"));
    assert_non_null(strstr(text, "off by -10"));
    assert_non_null(strstr(text, "check: FAIL"));
    free(text);
}

/* Lost transfers are named: the first 20 in the text, every one in the JSON
 * (a time unknown travels as null), and lost work under a conserved total is
 * said in one line. */
static void the_check_names_lost_transfers(void **state)
{
    (void)state;
    struct check_result c = summary.check;
    c.lost_named = c.invented_failed_named = (struct ledger_named_list){0};
    c.ledger_checked = true;
    c.ok = c.ledger_ok = false;
    c.min_id = 1;
    c.max_id = 10;
    c.acked = 100;
    c.acked_found = 75;
    c.lost = 25;
    c.invented_failed = 1;
    for (int64_t i = 0; i < 25; i++) {
        struct ledger_named t = {.id = ((int64_t)1 << 40) + i,
                                 .worker = 1,
                                 .seq = i,
                                 .outcome_unix_ms = i == 3 ? -1 : 1700000000000 + i * 1001};
        ledger_named_append(&c.lost_named, &t);
    }
    struct ledger_named f = {.id = 5, .worker = 0, .seq = 5, .outcome_unix_ms = 1700000000123};
    ledger_named_append(&c.invented_failed_named, &f);
    c.first_lost = c.lost_named.items[0].id;
    c.first_invented = 5;
    assert_true(checker_consistent(&c));

    char *text = capture(print_check, &c);
    const char *const shown[] = {
        "acknowledged by COMMIT, missing from the server (25):",
        "transfer 1099511627776  worker 1  seq 0  acknowledged 2023-11-14T22:13:20.000Z",
        "seq 3  acknowledged at an unknown time",
        "seq 19  acknowledged",
        /* Without a file, the command that writes one. */
        "... and 5 more (all in the JSON that `txstorm check --json FILE` writes: "
        "check.ledger.lost_transfers)",
        "transfer 5  worker 0  seq 5  failed 2023-11-14T22:13:20.123Z",
        ("conservation holds, but 25 acknowledged transfers are missing: the server lost "
         "committed work"),
    };
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (strstr(text, shown[i]) == NULL) fail_msg("the text lacks '%s':\n%s", shown[i], text);
    assert_null(strstr(text, "seq 20  acknowledged"));
    free(text);
    /* With one, that file. */
    text = capture(print_check_saved, &c);
    assert_non_null(strstr(text, "... and 5 more (all in out/r.json: check.ledger.lost_transfers)"));
    free(text);

    struct run_summary back;
    check_through_file(&c, &back);
    assert_int_equal(back.check.lost_named.n, 25);
    assert_false(back.check.lost_named.incomplete);
    for (int64_t i = 0; i < 25; i++) {
        const struct ledger_named *want = &c.lost_named.items[i],
                                  *got = &back.check.lost_named.items[i];
        assert_int_equal(got->id, want->id);
        assert_int_equal(got->worker, want->worker);
        assert_int_equal(got->seq, want->seq);
        assert_int_equal(got->outcome_unix_ms, want->outcome_unix_ms);
    }
    assert_int_equal(back.check.invented_failed_named.n, 1);
    assert_int_equal(back.check.invented_failed_named.items[0].outcome_unix_ms, 1700000000123);
    report_summary_free(&back);

    /* With the total off too, the plain line would mislead: it is not printed. */
    c.total_ok = false;
    text = capture(print_check, &c);
    assert_null(strstr(text, "conservation holds"));
    free(text);
    checker_free(&c);
}

static void progress_lines_and_series(void **state)
{
    (void)state;
    struct interval_row p;
    series_row_of_stats(&summary.total, 0, 3000000, 500000, true, true, &p);
    assert_int_equal(p.committed, 100);
    assert_true(p.warmup && p.open_loop);
    assert_true(p.p99_us >= 99000 && p.p99_us <= 99100);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    report_progress_header(f, true);
    report_progress_line(f, &p);
    fclose(f);
    assert_non_null(strstr(buf, "elapsed_s committed/s  retries/s  failed ambiguous"));
    assert_non_null(strstr(buf, "lag_ms  loop%\n"));
    assert_non_null(strstr(buf, "      3.0       200.0      120.0       1         0"));
    assert_non_null(strstr(buf, "  warmup\n"));
    free(buf);

    struct series rows = {0};
    struct interval_row copy = p;
    series_append(&rows, &copy);
    char *csv = capture(print_csv, &rows);
    assert_non_null(strstr(csv, "elapsed_s,interval_s,warmup,committed,committed_per_s,"));
    assert_non_null(strstr(csv, "\n3,0.5,1,100,200,60,120,1,0,0,"));
    assert_null(strstr(csv, "trigger"));
    free(csv);
    /* A trigger's window in a later row: the column appears, empty where none was. */
    strcpy(p.trigger, "lock-rows");
    copy = p;
    series_append(&rows, &copy);
    char *marked = capture(print_csv, &rows);
    assert_non_null(strstr(marked, ",lag_max_ms,trigger\n"));
    size_t first_row = strcspn(marked, "\n") + 1;
    size_t second_row = first_row + strcspn(marked + first_row, "\n") + 1;
    assert_int_equal(marked[second_row - 2], ',');
    assert_non_null(strstr(marked + second_row, ",lock-rows\n"));
    free(marked);
    series_free(&rows);
}

static void assertions_are_judged_on_the_figures(void **state)
{
    (void)state;
    struct assert_figures fig;
    report_figures(&summary, &fig);
    assert_true(fig.value[METRIC_TPS] == 50.0);
    assert_true(fabs(fig.value[METRIC_FAILED_RATE] - 1.0 / 101.0) < 1e-12);
    assert_true(fig.value[METRIC_RETRY_RATE] == 0.6);
    struct assertion a[2];
    char err[256];
    assert_int_equal(assertion_parse("tps>40", &a[0], err, sizeof err), 0);
    assert_int_equal(assertion_parse("p99<50ms", &a[1], err, sizeof err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_false(report_print_assertions(f, a, 2, &fig));
    fclose(f);
    assert_non_null(strstr(buf, "PASS tps>40"));
    assert_non_null(strstr(buf, "FAIL p99<50ms"));
    free(buf);
}

/* A result written before connection attempts were counted loads with none,
 * and its report says nothing of them; one with attempts names them. */
static void connects_are_absent_from_older_results(void **state)
{
    (void)state;
    json_t *root = report_json(&summary);
    for (const char *const *k = (const char *const[]){"connect_attempts", "connects",
                                                      "connect_failures", "connect_ms", NULL};
         *k; k++)
        assert_int_equal(json_object_del(root, *k), 0);
    assert_int_equal(json_object_del(json_object_get(root, "histograms"), "connect_us"), 0);
    char path[512], err[256];
    path_in_tmp(path, sizeof path, "older.json");
    assert_int_equal(json_dump_file(root, path, 0), 0);
    json_decref(root);
    struct run_summary back;
    if (report_load(path, &back, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(back.total.connect_attempts, 0);
    assert_int_equal(back.total.hist[HIST_CONNECT]->total_count, 0);
    assert_int_equal(back.total.hist[HIST_CONNECT]->sig_figs, 3);
    char *text = capture(print_text, &back);
    assert_null(strstr(text, "connect attempts"));
    assert_null(strstr(text, "each connect"));
    free(text);
    report_summary_free(&back);

    struct run_summary s = summary; /* shares summary's JSON; only total is its own */
    assert_true(stats_init(&s.total, 3));
    struct connect_outcome ok = {.ok = true, .latency_us = 3000},
                           full = {.ok = false, .reason = CONNECT_TOO_MANY},
                           late = {.ok = false, .reason = CONNECT_TIMEOUT};
    stats_add_connect(&s.total, &ok);
    for (int i = 0; i < 3; i++)
        stats_add_connect(&s.total, &full);
    stats_add_connect(&s.total, &late);
    text = capture(print_text, &s);
    assert_non_null(strstr(text, "connect attempts                        5          2.5   1 "
                                 "connected, failed: 53300 3, timeout 1\n"));
    assert_non_null(strstr(text, "  each connect"));
    free(text);
    json_t *j = report_json(&s);
    assert_int_equal(get_int(j, "connect_attempts"), 5);
    assert_int_equal(get_int(j, "connects"), 1);
    json_t *failures = json_object_get(j, "connect_failures");
    assert_int_equal(json_object_size(failures), 2); /* reasons that never happened left out */
    assert_int_equal(get_int(failures, "53300"), 3);
    assert_int_equal(get_int(failures, "timeout"), 1);
    assert_int_equal(get_int(json_object_get(j, "connect_ms"), "count"), 1);
    json_decref(j);
    stats_free(&s.total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_round_trips_with_every_promised_key),
        cmocka_unit_test(json_file_is_written_whole),
        cmocka_unit_test(a_saved_result_loads_back_exactly),
        cmocka_unit_test(every_counter_survives_the_json_round_trip),
        cmocka_unit_test(connects_are_absent_from_older_results),
        cmocka_unit_test(every_check_part_survives_the_json_round_trip),
        cmocka_unit_test(a_malformed_check_is_refused),
        cmocka_unit_test(merge_equals_pooled),
        cmocka_unit_test(text_report_shows_the_figures),
        cmocka_unit_test(the_check_names_lost_transfers),
        cmocka_unit_test(progress_lines_and_series),
        cmocka_unit_test(assertions_are_judged_on_the_figures),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    if (tmpdir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0) rc = 1;
    }
    return rc;
}
