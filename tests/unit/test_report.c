/* Report: the JSON result parses and carries the promised keys; text and
 * progress lines carry the figures. */
#include "txstorm/report.h"

#include "cmocka_prelude.h"

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
    summary.cfg = &cfg;
    summary.dsn_redacted = "postgresql://u:***@h/d";
    summary.server_version = "15.0";
    summary.tool_version = "0.0.test";
    summary.meta = (struct bank_meta){.accounts = 10, .initial_total = 10000};
    summary.seed = 9;
    summary.elapsed_us = 2000000;
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
    stats_free(&summary.total);
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

static void json_file_is_written_whole(void **state)
{
    (void)state;
    char dir[] = "/tmp/txstorm-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/r.json", dir);
    assert_int_equal(report_write_json(path, &summary, err, sizeof err), 0);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    assert_non_null(back);
    assert_int_equal(get_int(back, "committed"), 100);
    json_decref(back);
    unlink(path);
    rmdir(dir);

    snprintf(path, sizeof path, "%s/missing/r.json", dir);
    assert_int_equal(report_write_json(path, &summary, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot write"));
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

static void print_text(FILE *f, const void *s)
{
    report_print_text(f, s);
}
static void print_check(FILE *f, const void *c)
{
    report_print_check(f, c);
}

static void text_report_shows_the_figures(void **state)
{
    (void)state;
    char *text = capture(print_text, &summary);
    assert_non_null(strstr(text, "4 workers, 2.0 s, 10 accounts, skew hot:3, amount 1..100"));
    assert_non_null(strstr(text, "shape interactive, lock order random, serializable"));
    assert_non_null(strstr(text, "committed                           100         50.0"));
    assert_non_null(strstr(text, "40P01 deadlock                       10"));
    assert_non_null(strstr(text, "postgresql://u:***@h/d"));
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

static void progress_line_has_rates(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    report_progress_header(f);
    struct progress_sample p = {.elapsed_us = 3000000,
                                .interval_us = 500000,
                                .committed = 50,
                                .retries = 5,
                                .failed_total = 2,
                                .p99_us = 12340};
    report_progress_line(f, &p);
    fclose(f);
    assert_non_null(strstr(buf, "elapsed_s  committed/s  retries/s    failed     p99_ms\n"));
    assert_non_null(strstr(buf, "      3.0        100.0       10.0         2      12.34\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_round_trips_with_every_promised_key),
        cmocka_unit_test(json_file_is_written_whole),
        cmocka_unit_test(text_report_shows_the_figures),
        cmocka_unit_test(progress_line_has_rates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
