/* plot: the data files, the gnuplot script, the windows and the page, without gnuplot. */
#include "cmocka_prelude.h"
#include "txstorm/plot.h"
#include "txstorm/series_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a writer wrote, as a string (caller frees). */
static char *captured(int (*write)(FILE *, void *), void *arg)
{
    /* Static: the stream holds their addresses until it is closed. */
    static char *text;
    static size_t len;
    text = NULL;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(write(out, arg), 0);
    assert_int_equal(fclose(out), 0);
    return text;
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A result of two intervals: the first with retries by class, the second
 * without a commit and with reconnects; latency 1..100 ms; a failover window. */
static struct run_summary summary;

static int setup(void **state)
{
    (void)state;
    memset(&summary, 0, sizeof summary);
    if (!stats_init(&summary.total, 3)) return -1;
    for (int i = 1; i <= 100; i++) {
        struct txn_outcome o = {.end = TXN_COMMITTED, .latency_us = i * 1000, .retries = i % 3};
        o.attempts = 1 + o.retries;
        o.retries_by_class[ERR_SERIALIZATION] = o.retries;
        stats_add_txn(&summary.total, &o);
    }
    summary.elapsed_us = 2000000;
    summary.config = json_pack("{s:i, s:s}", "workers", 4, "skew", "hot:5");
    summary.server_version = "15.0";
    summary.tool_version = "0.0.test";
    json_t *intervals = json_loads(
        "[{\"elapsed_s\": 1.0, \"interval_s\": 1.0, \"committed\": 100, \"committed_per_s\": 100,"
        "  \"retries\": 99, \"retries_per_s\": 99, \"failed\": 2, \"ambiguous\": 1,"
        "  \"p50_ms\": 50, \"p99_ms\": 99, \"lag_max_ms\": 3, \"loop_busy\": 0.5,"
        "  \"retries_by_class\": {\"serialization\": 90, \"deadlock\": 9}, \"phase\": \"ramp\"},"
        " {\"elapsed_s\": 2.0, \"interval_s\": 1.0, \"committed\": 0, \"committed_per_s\": 0,"
        "  \"retries\": 0, \"retries_per_s\": 0, \"failed\": 0, \"ambiguous\": 0,"
        "  \"p50_ms\": 0, \"p99_ms\": 0, \"lag_max_ms\": 0, \"loop_busy\": 0.1,"
        "  \"retries_by_class\": {}, \"phase\": \"steady\", \"trigger\": \"lock-rows\","
        "  \"connect_attempts\": 5, \"connects\": 2, \"workers\": 4, \"workers_connected\": 3}]",
        0, NULL);
    char err[256];
    int rc = series_json_decode(intervals, &summary.series, err, sizeof err);
    json_decref(intervals);
    /* A failover window still open when the run ended, the endpoint's the same. */
    static struct outage_summary endpoint;
    struct outage_window open = {.first_loss_us = 1200000,
                                 .last_commit_before_us = 1100000,
                                 .first_commit_after_us = -1,
                                 .window_us = 900000};
    endpoint = (struct outage_summary){
        .count = 1, .total_us = 900000, .longest = open, .n_kept = 1, .kept = {open}};
    summary.failover = (struct failover_timeline){
        .present = true,
        .own = {.instance = -1, .run = endpoint, .endpoints = &endpoint, .n_endpoints = 1}};
    summary.source = json_object();
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    stats_free(&summary.total);
    json_decref(summary.config);
    series_free(&summary.series);
    json_decref(summary.source);
    return 0;
}

static void test_html_escape(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(plot_html_escape(out, "<a href='x'>&\"</a>"), 0);
    fclose(out);
    assert_string_equal(text, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
    free(text);
}

static void test_quote(void **state)
{
    (void)state;
    char out[64];
    plot_quote("it's\nok", out, sizeof out);
    assert_string_equal(out, "it\\047s ok");
    /* A quote first, quotes side by side, and what gnuplot would expand in a
     * double-quoted string: a backquote (a shell command), @ (a macro), \. */
    plot_quote("'q''.json", out, sizeof out);
    assert_string_equal(out, "\\047q\\047\\047.json");
    plot_quote("`id` @m \\\"", out, sizeof out);
    assert_string_equal(out, "\\140id\\140 \\100m \\134\\042");
    /* Bytes beyond ASCII go through as they are, escaped. */
    plot_quote("\xc3\xa9", out, sizeof out);
    assert_string_equal(out, "\\303\\251");
    /* Cut short, never in the middle of an escape. */
    plot_quote("abc'", out, 7);
    assert_string_equal(out, "abc");
    plot_quote(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_svg_inline(void **state)
{
    (void)state;
    const char *svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width=\"10\">"
                      "<g id=\"gnuplot_canvas\"><path id='gpPt0' d='M0,0'/>"
                      "<use xlink:href='#gpPt0'/><g filter='url(#textbox)'/></g></svg>\n";
    char *inl = plot_svg_inline(svg, "c3-");
    assert_non_null(inl);
    assert_int_equal(strncmp(inl, "<svg", 4), 0);
    assert_non_null(strstr(inl, "id=\"c3-gnuplot_canvas\""));
    assert_non_null(strstr(inl, "id='c3-gpPt0'"));
    assert_non_null(strstr(inl, "xlink:href='#c3-gpPt0'"));
    assert_non_null(strstr(inl, "url(#c3-textbox)"));
    assert_int_equal(count(inl, "c3-"), 4);
    free(inl);
    assert_null(plot_svg_inline("<html>no drawing</html>", "c0-"));
}

static void test_windows_from_failover_and_marks(void **state)
{
    (void)state;
    struct plot_window w[8];
    int n = plot_windows(&summary, w, 8);
    /* The endpoint's window is the run's: once. Phases and the trigger from the rows. */
    assert_int_equal(n, 4);
    assert_int_equal(w[0].kind, WINDOW_FAILOVER);
    assert_true(w[0].start_s == 1.1 && w[0].end_s == 2.0); /* still open: ends with the run */
    assert_int_equal(w[1].kind, WINDOW_TRIGGER);
    assert_string_equal(w[1].name, "lock-rows");
    assert_true(w[1].start_s == 1.0 && w[1].end_s == 2.0);
    assert_int_equal(w[2].kind, WINDOW_PHASE);
    assert_string_equal(w[2].name, "ramp");
    assert_true(w[2].start_s == 0.0 && w[2].end_s == 1.0);
    assert_string_equal(w[3].name, "steady");
    assert_int_equal(plot_windows(&summary, w, 2), 2);
}

static void test_windows_from_lists(void **state)
{
    (void)state;
    json_t *source = summary.source;
    json_t *phases = json_loads("[{\"name\": \"a\", \"start_s\": 0, \"end_s\": 1},"
                                " {\"name\": \"b\", \"start_s\": 1, \"end_s\": 0.5}]",
                                0, NULL);
    char err[128];
    assert_int_equal(phases_report_decode(phases, &summary.phases, err, sizeof err), 0);
    json_decref(phases);
    summary.source = json_object();
    /* A trigger still held when the run ended: its window ends with the run. */
    struct trigger_outcome kill;
    trigger_outcome_init(&kill);
    strcpy(kill.kind, "kill");
    kill.start_s = 0.5;
    assert_true(trigger_outcomes_append(&summary.triggers, &kill));
    struct plot_window w[8];
    int n = plot_windows(&summary, w, 8);
    trigger_outcomes_free(&summary.triggers);
    phase_table_free(&summary.phases);
    /* The lists win over the rows' marks; a window ending before it starts is left out. */
    assert_int_equal(n, 3);
    assert_int_equal(w[1].kind, WINDOW_TRIGGER);
    assert_string_equal(w[1].name, "kill");
    assert_true(w[1].start_s == 0.5 && w[1].end_s == 2.0);
    assert_int_equal(w[2].kind, WINDOW_PHASE);
    assert_string_equal(w[2].name, "a");
    json_decref(summary.source);
    summary.source = source;
}

static int write_series(FILE *out, void *arg) { return plot_write_data(out, arg, FILE_SERIES); }

static void test_series_columns(void **state)
{
    (void)state;
    struct plot_result r = {.label = "a", .s = &summary};
    char *text = captured(write_series, &r);
    char *row = strchr(text, '\n') + 1;
    double v[9 + ERR_CLASS_COUNT];
    char *p = row;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = strtod(p, &p);
    assert_true(v[0] == 1.0 && v[1] == 100 && v[3] == 2 && v[4] == 1);
    assert_true(v[5] == 50 && v[6] == 99 && v[8] == 50);
    assert_true(v[9 + ERR_SERIALIZATION] == 90 && v[9 + ERR_DEADLOCK] == 9 &&
                v[9 + ERR_OTHER] == 0);
    /* No commit in the second interval: its latencies are gaps, not zeros. */
    row = strchr(row, '\n') + 1;
    p = row;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = strtod(p, &p);
    assert_true(v[0] == 2.0 && isnan(v[5]) && isnan(v[6]) && v[9 + ERR_SERIALIZATION] == 0);
    /* After the classes: connect attempts, connects and failures per second, workers connected. */
    double c[4];
    for (size_t i = 0; i < 4; i++)
        c[i] = strtod(p, &p);
    assert_true(c[0] == 5 && c[1] == 2 && c[2] == 3 && c[3] == 3);
    free(text);
}

/* The run's last sliver (10 ms after 1 s intervals) would be a spike of rates: left out. */
static void test_series_without_sliver(void **state)
{
    (void)state;
    struct series kept = summary.series;
    json_t *intervals = json_loads(
        "[{\"elapsed_s\": 1.0, \"interval_s\": 1.0, \"committed\": 100, \"committed_per_s\": 100},"
        " {\"elapsed_s\": 1.01, \"interval_s\": 0.01, \"committed\": 3, \"committed_per_s\": 300,"
        "  \"failed\": 30}]",
        0, NULL);
    char err[256];
    assert_int_equal(series_json_decode(intervals, &summary.series, err, sizeof err), 0);
    json_decref(intervals);
    struct plot_result r = {.label = "a", .s = &summary};
    char *text = captured(write_series, &r);
    assert_non_null(strstr(text, "\n1.000000 100"));
    assert_null(strstr(text, "\n1.010000"));
    free(text);
    series_free(&summary.series);
    summary.series = kept;
}

static int write_spectrum(FILE *out, void *arg) { return plot_write_data(out, arg, FILE_SPECTRUM); }

static void test_spectrum_rows(void **state)
{
    (void)state;
    struct plot_result r = {.label = "a", .s = &summary};
    char *text = captured(write_spectrum, &r);
    /* The corrected block rises with 1/(1-p) to the largest latency; the
     * uncorrected one follows after two blank lines. */
    double last_x = 0, last_ms = 0;
    int rows = 0;
    char *line = strchr(text, '\n') + 1;
    for (; *line && *line != '\n'; line = strchr(line, '\n') + 1, rows++) {
        double x, ms;
        assert_int_equal(sscanf(line, "%lf %lf", &x, &ms), 2);
        assert_true(x >= last_x && ms >= last_ms && isfinite(x));
        last_x = x, last_ms = ms;
    }
    assert_true(rows > 10);
    assert_true(last_ms > 95 && last_ms <= 100.5);
    assert_int_equal(strncmp(line, "\n\n", 2), 0);
    free(text);
}

static int write_script(FILE *out, void *arg) { return plot_write_script(out, arg, 2); }

static void test_script(void **state)
{
    (void)state;
    struct run_summary empty = {.source = json_object()};
    assert_true(stats_init(&empty.total, 3));
    struct plot_result r[2] = {{.label = "it's <a>", .s = &summary}, {.label = "b", .s = &empty}};
    char *text = captured(write_script, r);
    /* Every chart that has data, each once; the empty result draws in none. */
    for (int c = 0; c < CHART_COUNT; c++) {
        char output[32];
        snprintf(output, sizeof output, "set output 'chart%d.svg'", c);
        assert_int_equal(count(text, output), 1);
    }
    assert_int_equal(count(text, "'r1."), 0);
    assert_non_null(strstr(text, "title \"it\\047s \\074a\\076 serialization\""));
    assert_non_null(strstr(text, "title \"it\\047s \\074a\\076 deadlock\""));
    assert_non_null(strstr(text, "'r0.spectrum' index 0 using 1:2"));
    assert_non_null(
        strstr(text, "'r0.spectrum' index 1 using 1:2 with lines lc rgb '#0072b2' lw 1.5 dt 2"));
    /* The failover, the trigger and the two phases, on each of the seven time charts. */
    assert_int_equal(count(text, "rect from"), 7 * 4);
    /* Named: the trigger, the phases, and the failover by its result (two share the charts). */
    assert_int_equal(count(text, "set label"), 7 * 4);
    /* The reconnects: attempts, connects and failures, the workers connected on the right. */
    char connects[64];
    snprintf(connects, sizeof connects, "'r0.series' using 1:%d with", 10 + ERR_CLASS_COUNT);
    assert_non_null(strstr(text, connects));
    snprintf(connects, sizeof connects, "'r0.series' using 1:%d axes x1y2 with",
             13 + ERR_CLASS_COUNT);
    assert_non_null(strstr(text, connects));
    assert_non_null(strstr(text, "set y2label 'workers connected'"));
    assert_non_null(strstr(text, "set label 1 \"it\\047s \\074a\\076\" at 1.100000"));
    assert_non_null(strstr(text, "lc rgb '#0072b2'"));
    free(text);

    /* Nothing to draw at all: no chart. */
    r[0].s = &empty;
    text = captured(write_script, r);
    assert_null(strstr(text, "set output 'chart"));
    for (int c = 0; c < CHART_COUNT; c++)
        assert_false(plot_chart_drawn(r, 2, c));
    free(text);
    stats_free(&empty.total);
    json_decref(empty.source);
}

struct page_arg {
    struct plot_result *r;
    const char *const *svgs;
};

static int write_page(FILE *out, void *arg)
{
    struct page_arg *p = arg;
    const char *texts[] = {"report <1>"};
    return plot_write_html(out, p->r, 1, texts, p->svgs);
}

static void test_page(void **state)
{
    (void)state;
    struct run_summary s = summary;
    s.check_done = true;
    s.check = (struct check_result){.ok = false,
                                    .accounts_ok = true,
                                    .total_ok = false,
                                    .negative_ok = true,
                                    .accounts_expected = 5,
                                    .accounts_actual = 5,
                                    .total_expected = 500,
                                    .total_actual = 498};
    struct trigger_outcome lock, term;
    trigger_outcome_init(&lock);
    strcpy(lock.spec, "lock-rows@8s+3s");
    lock.start_s = 8, lock.end_s = 11;
    lock.judged = true;
    lock.verdict = (struct recovery_verdict){.outcome = RECOVERY_RECOVERED, .recovery_s = 2.5};
    trigger_outcome_init(&term);
    strcpy(term.spec, "terminate@9s:0.5");
    term.start_s = term.end_s = 9; /* injected, not judged */
    assert_true(trigger_outcomes_append(&s.triggers, &lock));
    assert_true(trigger_outcomes_append(&s.triggers, &term));
    /* Two workers moved from the first node to a promoted one (a host name that needs escaping). */
    s.origin_wall_us = 1700000000000000LL;
    json_t *ws = json_loads(
        "[{\"worker\":0,\"earlier\":0,\"servers\":["
        "{\"host\":\"db<a>\",\"port\":\"5432\",\"server_addr\":\"10.0.0.1\",\"server_port\":5432,"
        "\"in_recovery\":false,\"system_id\":\"7\",\"timeline\":1,\"at_unix_ms\":1700000000000},"
        "{\"host\":\"db<a>\",\"port\":\"5432\",\"server_addr\":\"10.0.0.2\",\"server_port\":5432,"
        "\"in_recovery\":false,\"system_id\":\"7\",\"timeline\":2,\"at_unix_ms\":1700000004000}]},"
        "{\"worker\":1,\"earlier\":0,\"servers\":["
        "{\"host\":\"db<a>\",\"port\":\"5432\",\"server_addr\":\"10.0.0.1\",\"server_port\":5432,"
        "\"in_recovery\":false,\"system_id\":\"7\",\"timeline\":1,\"at_unix_ms\":1700000000000},"
        "{\"host\":\"db<a>\",\"port\":\"5432\",\"server_addr\":\"10.0.0.2\",\"server_port\":5432,"
        "\"in_recovery\":false,\"system_id\":\"7\",\"timeline\":2,\"at_unix_ms\":1700000004100}]}]",
        0, NULL);
    char err[256];
    assert_int_equal(worker_trails_decode(ws, &s.workers_servers, err, sizeof err), 0);
    json_decref(ws);
    struct plot_result r = {.label = "run<1>.json", .s = &s};
    const char *svgs[CHART_COUNT] = {
        [CHART_COMMITTED] = "<svg id='one'></svg>", [CHART_SPECTRUM] = "<svg id='two'></svg>"};
    struct page_arg arg = {&r, svgs};
    char *page = captured(write_page, &arg);
    assert_int_equal(strncmp(page, "<!DOCTYPE html>", 15), 0);
    assert_int_equal(count(page, "<figure class=\"chart\""), 2);
    assert_non_null(strstr(page, "<svg id='one'></svg>"));
    assert_non_null(strstr(page, plot_chart_title(CHART_SPECTRUM)));
    assert_int_equal(count(page, plot_chart_title(CHART_LATENCY)), 1);
    assert_non_null(
        strstr(page, "Latency per interval: p50 (dashed) and p99</b>: nothing to draw"));
    assert_int_equal(count(page, "run&lt;1&gt;.json"), 4); /* title, header, check, servers */
    /* The server timeline: both workers start on one node, then move to the promoted one. */
    assert_non_null(strstr(page, "<tr><td>0.000</td><td>22:13:20.000</td><td>all 2</td>"
                                 "<td>db&lt;a&gt;:5432</td><td>10.0.0.1:5432</td>"
                                 "<td>primary</td><td>1</td></tr>"));
    assert_non_null(strstr(page, "<tr><td>4.000</td><td>22:13:24.000</td><td>all 2</td>"
                                 "<td>db&lt;a&gt;:5432</td><td>10.0.0.2:5432</td>"));
    assert_null(strstr(page, "db<a>"));
    assert_null(strstr(page, "run<1>"));
    assert_non_null(strstr(page, "report &lt;1&gt;"));
    assert_non_null(strstr(page, "FAIL, invariant violated"));
    /* Each trigger's verdict in the header; one not judged says so. */
    assert_non_null(strstr(page, "<dt>trigger</dt><dd>lock-rows@8s+3s: recovered in 2.5 s</dd>"));
    assert_non_null(strstr(page, "<dt>trigger</dt><dd>terminate@9s:0.5: not judged</dd>"));
    assert_non_null(strstr(page, "<td>conservation (total)</td><td class=\"fail\">FAIL</td>"
                                 "<td>500</td><td>498</td>"));
    assert_non_null(strstr(page, "<td>accounts (ids 1..N)</td><td class=\"pass\">PASS</td>"));
    /* Offline: nothing fetched. */
    assert_null(strstr(page, "http://"));
    assert_null(strstr(page, "https://"));
    assert_null(strstr(page, " src="));
    free(page);
    trigger_outcomes_free(&s.triggers);
    worker_trails_free(&s.workers_servers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_svg_inline),
        cmocka_unit_test(test_windows_from_failover_and_marks),
        cmocka_unit_test(test_windows_from_lists),
        cmocka_unit_test(test_series_columns),
        cmocka_unit_test(test_series_without_sliver),
        cmocka_unit_test(test_spectrum_rows),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
