/* The metrics exposition: names, label escaping, cumulative histogram
 * buckets, both formats; and reading --metrics-addr. */
#include "txstorm/metrics.h"
#include "txstorm/metrics_server.h"

#include "cmocka_prelude.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct stats total;
    struct endpoint_stats endpoint[2];
    const char *names[2];
    struct metrics_faults faults[2];
    struct metrics_snapshot snap;
};

/* Latencies (microseconds) chosen around the bucket bounds: two at or
 * under 0.5 ms, one just over, one at 1 ms, one at 2 ms, one over 10 s. */
static const int64_t latencies_us[] = {400, 500, 501, 1000, 2000, 20000000};
#define N_LATENCIES (sizeof latencies_us / sizeof latencies_us[0])

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_true(stats_init(&f->total, 3));
    assert_true(endpoint_init(&f->endpoint[0], 3, NULL));
    assert_true(endpoint_init(&f->endpoint[1], 3, NULL));
    for (size_t i = 0; i < N_LATENCIES; i++) {
        struct txn_outcome o = {.end = TXN_COMMITTED,
                                .latency_us = latencies_us[i],
                                .attempts = 1 + (int64_t)i % 2,
                                .retries = (int64_t)i % 2};
        o.retries_by_class[ERR_SERIALIZATION] = o.retries;
        o.errors_by_class[ERR_SERIALIZATION] = o.retries;
        o.attempt_us[0] = latencies_us[i];
        stats_add_txn(&f->total, &o);
        endpoint_add_txn(&f->endpoint[i % 2], &o);
    }
    struct txn_outcome failed = {.end = TXN_FAILED, .attempts = 1, .n_noted = 1};
    failed.errors_by_class[ERR_OTHER] = 1;
    failed.noted[0] = (struct errlog_entry){.sqlstate = "42501", .cls = ERR_OTHER, .count = 1};
    stats_add_txn(&f->total, &failed);
    /* Two connects (1 ms and 3 s) and three refusals: two 53300, one refused. */
    struct connect_outcome ok = {.ok = true, .latency_us = 1000},
                           slow = {.ok = true, .latency_us = 3000000},
                           full = {.ok = false, .reason = CONNECT_TOO_MANY},
                           refused = {.ok = false, .reason = CONNECT_REFUSED};
    /* Endpoint 1 saw the fast connect and the two 53300, endpoint 2 the rest. */
    const struct connect_outcome *attempts[] = {&ok, &slow, &full, &full, &refused};
    const int at[] = {0, 1, 0, 0, 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        stats_add_connect(&f->total, attempts[i]);
        endpoint_add_connect(&f->endpoint[at[i]], attempts[i]);
    }
    f->names[0] = "host=a password=***";
    f->names[1] = "host=\"b\\c\"\nx";
    f->faults[0] = (struct metrics_faults){
        .workers = 2, .workers_connected = 1, .connection_losses = 3, .reconnects = 2};
    f->faults[1] = (struct metrics_faults){.workers = 1, .workers_connected = 1};
    f->snap = (struct metrics_snapshot){
        .instance = "1/3",
        .total = &f->total,
        .faults = {.workers = 3, .workers_connected = 2, .connection_losses = 3, .reconnects = 2},
        .loop_busy = 0.25,
        .n_endpoints = 2,
        .endpoints = f->endpoint,
        .endpoint_names = f->names,
        .endpoint_faults = f->faults};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    stats_free(&f->total);
    endpoint_free(&f->endpoint[0]);
    endpoint_free(&f->endpoint[1]);
    free(f);
    return 0;
}

/* The value of the sample whose line starts with `head` (name and labels). */
static double value_of(const char *text, const char *head)
{
    size_t n = strlen(head);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, head, n) == 0 && p[n] == ' ') return strtod(p + n + 1, NULL);
    }
    fail_msg("no sample '%s' in:\n%s", head, text);
    return -1;
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, line, n) == 0 && p[n] == '\n') return true;
    return false;
}

static char *format(const struct fixture *f, enum metrics_format fmt)
{
    size_t len = 0;
    char *text = metrics_format(&f->snap, fmt, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    return text;
}

static void counters_carry_total_and_the_instance(void **state)
{
    struct fixture *f = *state;
    char *text = format(f, METRICS_TEXT);
    assert_true(has_line(text, "# TYPE txstorm_transactions_total counter"));
    assert_true(value_of(text, "txstorm_transactions_total{txstorm_instance=\"1/3\","
                               "outcome=\"committed\"}") == 6);
    assert_true(value_of(text, "txstorm_transactions_total{txstorm_instance=\"1/3\","
                               "outcome=\"failed\"}") == 1);
    assert_true(value_of(text, "txstorm_retries_total{txstorm_instance=\"1/3\","
                               "class=\"serialization\"}") == 3);
    assert_true(value_of(text, "txstorm_sqlstate_errors_total{txstorm_instance=\"1/3\","
                               "sqlstate=\"42501\",class=\"other\"}") == 1);
    assert_true(value_of(text, "txstorm_connections_lost_total{txstorm_instance=\"1/3\"}") == 3);
    assert_true(value_of(text, "txstorm_workers_connected{txstorm_instance=\"1/3\"}") == 2);
    assert_true(value_of(text, "txstorm_loop_utilisation_ratio{txstorm_instance=\"1/3\"}") == 0.25);
    assert_true(has_line(text, "# TYPE txstorm_backoff_seconds_total counter"));
    assert_true(value_of(text, "txstorm_connect_attempts_total{txstorm_instance=\"1/3\"}") == 5);
    assert_true(value_of(text, "txstorm_connects_total{txstorm_instance=\"1/3\"}") == 2);
    assert_true(value_of(text, "txstorm_connect_failures_total{txstorm_instance=\"1/3\","
                               "reason=\"53300\"}") == 2);
    assert_true(value_of(text, "txstorm_connect_failures_total{txstorm_instance=\"1/3\","
                               "reason=\"refused\"}") == 1);
    assert_true(value_of(text, "txstorm_connect_failures_total{txstorm_instance=\"1/3\","
                               "reason=\"57P03\"}") == 0);
    assert_true(value_of(text, "txstorm_connect_duration_seconds_bucket{txstorm_instance=\"1/3\","
                               "le=\"0.001\"}") == 1);
    assert_true(
        value_of(text, "txstorm_connect_duration_seconds_count{txstorm_instance=\"1/3\"}") == 2);
    assert_null(strstr(text, "# EOF"));
    free(text);
}

/* The value of txstorm_endpoint_<what>_total at the endpoint labelled
 * endpoint (as escaped), its further labels after it. */
static double endpoint_value(const char *text, const char *what, const char *endpoint,
                             const char *more)
{
    char head[256];
    snprintf(head, sizeof head,
             "txstorm_endpoint_%s_total{txstorm_instance=\"1/3\",endpoint=\"%s\"%s}", what,
             endpoint, more);
    return value_of(text, head);
}

/* Each endpoint's connect attempts, connects and failures by reason, labelled
 * with the endpoint as its other figures are; they add up to the run's. */
static void connects_by_endpoint(void **state)
{
    struct fixture *f = *state;
    char *text = format(f, METRICS_TEXT);
    assert_true(has_line(text, "# TYPE txstorm_endpoint_connect_attempts_total counter"));
    const char *a = "host=a password=***", *b = "host=\\\"b\\\\c\\\"\\nx"; /* escaped */
    assert_true(endpoint_value(text, "connect_attempts", a, "") == 3);
    assert_true(endpoint_value(text, "connect_attempts", b, "") == 2);
    assert_true(endpoint_value(text, "connects", a, "") == 1);
    assert_true(endpoint_value(text, "connects", b, "") == 1);
    assert_true(endpoint_value(text, "connect_failures", a, ",reason=\"53300\"") == 2);
    assert_true(endpoint_value(text, "connect_failures", b, ",reason=\"refused\"") == 1);
    assert_true(endpoint_value(text, "connect_failures", b, ",reason=\"53300\"") == 0);
    free(text);
    char *om = format(f, METRICS_OPENMETRICS);
    assert_true(has_line(om, "# TYPE txstorm_endpoint_connect_failures counter"));
    free(om);
}

/* Every line a comment (HELP or TYPE of a txstorm_ name) or a sample of a
 * valid txstorm_ name whose family was typed before it. */
static void check_lines(const char *text, enum metrics_format fmt)
{
    char family[128] = "", type[16] = "";
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        assert_non_null(end);
        char line[1024];
        size_t n = (size_t)(end - p);
        assert_true(n < sizeof line);
        memcpy(line, p, n);
        line[n] = '\0';
        p = end + 1;
        if (strcmp(line, "# EOF") == 0) {
            assert_int_equal(fmt, METRICS_OPENMETRICS);
            assert_int_equal(*p, '\0'); /* the last line */
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            assert_int_equal(sscanf(line + 7, "%127s %15s", family, type), 2);
            size_t fl = strlen(family);
            bool total = fl > 6 && strcmp(family + fl - 6, "_total") == 0;
            /* A counter's family: name_total in text, name in OpenMetrics. */
            if (strcmp(type, "counter") == 0) assert_true(total == (fmt == METRICS_TEXT));
            continue;
        }
        if (strncmp(line, "# HELP ", 7) == 0) continue;
        assert_int_equal(line[0] != '#', 1);
        assert_int_equal(strncmp(line, "txstorm_", 8), 0);
        for (const char *c = line; *c != '{' && *c != ' '; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
        /* The sample belongs to the family last typed. */
        size_t fl = strlen(family);
        const char *base_end = strchr(line, '{');
        assert_non_null(base_end);
        if (fmt == METRICS_TEXT || strcmp(type, "counter") != 0)
            assert_int_equal(strncmp(line, family, fl), 0);
        else
            assert_true(strncmp(line, family, fl) == 0 && strncmp(line + fl, "_total{", 7) == 0);
        if (strcmp(type, "counter") == 0) assert_int_equal(strncmp(base_end - 6, "_total", 6), 0);
    }
}

static void names_and_families_are_well_formed(void **state)
{
    struct fixture *f = *state;
    char *text = format(f, METRICS_TEXT);
    check_lines(text, METRICS_TEXT);
    char *om = format(f, METRICS_OPENMETRICS);
    check_lines(om, METRICS_OPENMETRICS);
    assert_true(has_line(om, "# TYPE txstorm_transactions counter"));
    size_t n = strlen(om);
    assert_string_equal(om + n - 6, "# EOF\n");
    free(text);
    free(om);
}

static void label_values_are_escaped(void **state)
{
    struct fixture *f = *state;
    f->snap.instance = "a\"b\\c\nd";
    char *text = format(f, METRICS_TEXT);
    assert_non_null(strstr(text, "{txstorm_instance=\"a\\\"b\\\\c\\nd\""));
    assert_non_null(strstr(text,
                           "txstorm_endpoint_reconnects_total{txstorm_instance=\"a\\\"b\\\\c\\nd\","
                           "endpoint=\"host=\\\"b\\\\c\\\"\\nx\"} 0\n"));
    /* No raw newline inside any sample: every line starts with # or a name. */
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        assert_true(*p == '#' || strncmp(p, "txstorm_", 8) == 0);
    free(text);
}

/* The phase and the trigger of the last interval are series while they last. */
static void phase_and_trigger_are_series_while_they_last(void **state)
{
    struct fixture *f = *state;
    char *text = format(f, METRICS_TEXT);
    assert_null(strstr(text, "txstorm_phase_active"));
    assert_null(strstr(text, "txstorm_trigger_active"));
    free(text);
    f->snap.phase = "high";
    f->snap.offered_per_s = 600;
    f->snap.trigger = "lock-rows";
    for (int fmt = METRICS_TEXT; fmt <= METRICS_OPENMETRICS; fmt++) {
        text = format(f, (enum metrics_format)fmt);
        check_lines(text, (enum metrics_format)fmt);
        assert_true(value_of(text, "txstorm_phase_active{txstorm_instance=\"1/3\",phase=\"high\"}") == 1);
        assert_true(value_of(text, "txstorm_offered_rate{txstorm_instance=\"1/3\",phase=\"high\"}") == 600);
        assert_true(value_of(text, "txstorm_trigger_active{txstorm_instance=\"1/3\",trigger=\"lock-rows\"}") == 1);
        free(text);
    }
}

static void histogram_buckets_are_cumulative_and_end_in_the_count(void **state)
{
    struct fixture *f = *state;
    char *text = format(f, METRICS_TEXT);
#define LAT "txstorm_latency_seconds_bucket{txstorm_instance=\"1/3\",le="
    assert_true(value_of(text, LAT "\"0.0005\"}") == 2); /* 400, 500 */
    assert_true(value_of(text, LAT "\"0.001\"}") == 4);  /* 501, 1000 */
    assert_true(value_of(text, LAT "\"0.0025\"}") == 5); /* 2000 */
    assert_true(value_of(text, LAT "\"10\"}") == 5);
    assert_true(value_of(text, LAT "\"+Inf\"}") == 6); /* 20 s */
    assert_true(value_of(text, "txstorm_latency_seconds_count{txstorm_instance=\"1/3\"}") == 6);
    double sum_s = 0;
    for (size_t i = 0; i < N_LATENCIES; i++)
        sum_s += (double)latencies_us[i] / 1e6;
    assert_float_equal(value_of(text, "txstorm_latency_seconds_sum{txstorm_instance=\"1/3\"}"),
                       sum_s, 1e-9);
    /* Retries per transaction: 0, 1, 0, 1, 0, 1 and the failed one's 0. */
    assert_true(value_of(text, "txstorm_transaction_retries_bucket{txstorm_instance=\"1/3\","
                               "le=\"0\"}") == 4);
    assert_true(value_of(text, "txstorm_transaction_retries_bucket{txstorm_instance=\"1/3\","
                               "le=\"1\"}") == 7);
    /* Every histogram's buckets never decrease and end at +Inf = _count. */
    int histograms = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
        const char *eol = strchr(p, '\n');
        if (strncmp(p, "# TYPE ", 7) != 0 || strncmp(eol - 10, " histogram", 10) != 0) continue;
        histograms++;
        double last = 0;
        const char *q = strchr(p, '\n') + 1;
        while (strstr(q, "_bucket{") && strstr(q, "_bucket{") < strchr(q, '\n')) {
            double v = strtod(strchr(q, ' ') + 1, NULL);
            bool inf = strstr(q, "le=\"+Inf\"") && strstr(q, "le=\"+Inf\"") < strchr(q, '\n');
            assert_true(v >= last);
            last = v;
            q = strchr(q, '\n') + 1;
            /* A new series (the next endpoint) starts after +Inf: _count follows. */
            if (inf) {
                assert_non_null(strstr(q, "_count{"));
                assert_true(strtod(strchr(q, ' ') + 1, NULL) == v);
                q = strchr(strchr(q, '\n') + 1, '\n') + 1; /* past _count and _sum */
                last = 0;
            }
        }
    }
    assert_int_equal(histograms, 8);
    free(text);
#undef LAT
}

static void cumulative_counts_take_the_hdr_buckets(void **state)
{
    (void)state;
    struct hist *h = hist_create(3600000000LL, 2);
    assert_non_null(h);
    const int64_t bounds[] = {0, 100, 10000, 10000000};
    int64_t out[4];
    metrics_hist_cumulative(h, bounds, 4, out);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], 0);
    hist_record(h, 0);
    hist_record(h, 100);
    hist_record(h, 10000);
    hist_record(h, 10001); /* at 2 figures, one HDR bucket with 10000 */
    hist_record(h, 10100); /* the next one */
    hist_record(h, 3000000000LL);
    metrics_hist_cumulative(h, bounds, 4, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 4);
    assert_int_equal(out[3], 5);
    hist_destroy(h);
}

static void the_scraper_chooses_the_format(void **state)
{
    (void)state;
    /* What Prometheus 2.42 sends. */
    assert_int_equal(metrics_negotiate("application/openmetrics-text;version=1.0.0,"
                                       "application/openmetrics-text;version=0.0.1;q=0.75,"
                                       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
                     METRICS_OPENMETRICS);
    assert_int_equal(metrics_negotiate(NULL), METRICS_TEXT);
    assert_int_equal(metrics_negotiate("*/*"), METRICS_TEXT);
    assert_int_equal(metrics_negotiate("text/plain"), METRICS_TEXT);
    assert_non_null(strstr(metrics_content_type(METRICS_TEXT), "version=0.0.4"));
    assert_non_null(
        strstr(metrics_content_type(METRICS_OPENMETRICS), "application/openmetrics-text"));
}

static void addresses_are_read_loopback_first(void **state)
{
    (void)state;
    char host[METRICS_HOST_MAX], err[256];
    int port = 0;
    assert_int_equal(metrics_addr_parse(":9187", host, &port, err, sizeof err), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 9187);
    assert_int_equal(metrics_addr_parse("0.0.0.0:80", host, &port, err, sizeof err), 0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 80);
    assert_int_equal(metrics_addr_parse("[::1]:65535", host, &port, err, sizeof err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(metrics_addr_parse("localhost:1", host, &port, err, sizeof err), 0);
    assert_string_equal(host, "localhost");
    /* Port 0: a free port the system picks (the run says which). */
    assert_int_equal(metrics_addr_parse(":0", host, &port, err, sizeof err), 0);
    assert_int_equal(port, 0);
    const char *bad[] = {"9187",  "::1:9187", "[::1:9187", "[]:9187", "h:",
                         "h:65536", "h:12x",  "h:-1",      "h: 80",   ":"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(metrics_addr_parse(bad[i], host, &port, err, sizeof err), -1);
        assert_non_null(strstr(err, "--metrics-addr"));
        assert_null(strchr(err, '\n'));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(counters_carry_total_and_the_instance, setup, teardown),
        cmocka_unit_test_setup_teardown(connects_by_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(names_and_families_are_well_formed, setup, teardown),
        cmocka_unit_test_setup_teardown(label_values_are_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(phase_and_trigger_are_series_while_they_last, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(histogram_buckets_are_cumulative_and_end_in_the_count,
                                        setup, teardown),
        cmocka_unit_test(cumulative_counts_take_the_hdr_buckets),
        cmocka_unit_test(the_scraper_chooses_the_format),
        cmocka_unit_test(addresses_are_read_loopback_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
