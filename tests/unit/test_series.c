/* The series: its codec's round trip and refusals, and the merge's rules. */
#include "cmocka_prelude.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/series_json.h"
#include "txstorm/series_merge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000LL

/* A row of n commits at latency lat_us each (and lag lag_us, open loop). */
static struct interval_row row_of(int64_t end_us, int64_t length_us, int64_t n, int64_t lat_us,
                                  int64_t lag_us)
{
    struct stats st;
    assert_true(stats_init(&st, 3));
    for (int64_t i = 0; i < n; i++) {
        struct txn_outcome o = {.end = TXN_COMMITTED,
                                .latency_us = lat_us + i,
                                .attempts = 2,
                                .retries = 1,
                                .lag_us = lag_us};
        o.retries_by_class[ERR_SERIALIZATION] = 1;
        stats_add_txn(&st, &o);
        hist_record(st.hist[HIST_LAG], lag_us);
    }
    struct interval_row r;
    series_row_of_stats(&st, 0, end_us, length_us, false, lag_us > 0, &r);
    assert_true(series_row_keep_hists(&r, &st));
    stats_free(&st);
    return r;
}

static json_t *round_trip(const struct series *s, struct series *back)
{
    json_t *j = series_json_encode(s);
    assert_non_null(j);
    char err[256];
    assert_int_equal(series_json_decode(j, back, err, sizeof err), 0);
    return j;
}

/* The series' CSV (the caller frees it). */
static char *csv_of(const struct series *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(series_write_csv(f, s), 0);
    fclose(f);
    return text;
}

static void rows_round_trip(void **state)
{
    (void)state;
    struct series s = {0};
    struct interval_row r = row_of(S, S, 100, 2000, 500);
    strcpy(r.phase, "peak");
    r.offered_per_s = 120.5;
    strcpy(r.trigger, "lock-rows");
    r.errors = 3;
    strcpy(r.error_sqlstate, "23505");
    r.loop_busy = 0.25;
    r.stall = true;
    assert_true(series_append(&s, &r));
    struct interval_row plain = row_of(2 * S, S, 0, 0, 0);
    assert_true(series_append(&s, &plain));
    struct series back;
    json_t *j = round_trip(&s, &back);
    assert_int_equal(back.n, 2);
    const struct interval_row *a = &s.rows[0], *b = &back.rows[0];
    assert_int_equal(b->end_us, a->end_us);
    assert_int_equal(b->committed, 100);
    assert_int_equal(b->retries, 100);
    assert_int_equal(b->retries_by_class[ERR_SERIALIZATION], 100);
    assert_int_equal(b->p99_us, a->p99_us);
    assert_string_equal(b->phase, "peak");
    assert_string_equal(b->trigger, "lock-rows");
    assert_string_equal(b->error_sqlstate, "23505");
    assert_true(b->stall && b->open_loop && b->loop_busy == 0.25 && b->offered_per_s == 120.5);
    assert_string_equal(b->latency_hdr, a->latency_hdr);
    assert_non_null(b->lag_hdr);
    /* Written again, the same document. */
    json_t *again = series_json_encode(&back);
    assert_true(json_equal(j, again));
    /* An empty row keeps no histogram; its optional keys are absent. */
    const json_t *second = json_array_get(j, 1);
    assert_null(json_object_get(second, "latency_hist"));
    assert_null(json_object_get(second, "phase"));
    assert_null(json_object_get(second, "loop_busy"));
    json_decref(j);
    json_decref(again);
    series_free(&s);
    series_free(&back);
}

/* decode(text) fails with err containing want. */
static void refused(const char *text, const char *want)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    struct series s;
    char err[256] = "";
    assert_int_equal(series_json_decode(j, &s, err, sizeof err), -1);
    if (strstr(err, want) == NULL) fail_msg("'%s' lacks '%s'", err, want);
    assert_int_equal(s.n, 0);
    json_decref(j);
}

static void contradictions_are_refused(void **state)
{
    (void)state;
    refused("{}", "not an array");
    refused("[{\"interval_s\": 1}]", "intervals[0]: 'elapsed_s' is missing");
    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"committed\": -1}]",
            "'committed': not a count");
    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"committed\": 10, \"committed_per_s\": 11}]",
            "'committed_per_s' is not its count over the interval");
    refused("[{\"elapsed_s\": 2, \"interval_s\": 1}, {\"elapsed_s\": 1, \"interval_s\": 1}]",
            "intervals[1]: ends before the row before it");
    refused("[{\"elapsed_s\": 1, \"interval_s\": 2}]", "starts before the run");
    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"trigger\": 7}]", "'trigger': not a string");
    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"latency_hist\": \"garbage\"}]",
            "'latency_hist'");
    /* A histogram that does not hold the row's commits. */
    struct series s = {0};
    struct interval_row r = row_of(S, S, 10, 1000, 0);
    assert_true(series_append(&s, &r));
    json_t *j = series_json_encode(&s);
    json_object_set_new(json_array_get(j, 0), "committed", json_integer(11));
    json_object_set_new(json_array_get(j, 0), "committed_per_s", json_real(11));
    char *text = json_dumps(j, 0);
    refused(text, "'latency_hist' does not hold the interval's commits");
    free(text);
    json_decref(j);
    series_free(&s);
}

static void csv_columns_follow_the_rows(void **state)
{
    (void)state;
    struct series s = {0};
    struct interval_row r = row_of(S, S, 5, 1000, 0);
    assert_true(series_append(&s, &r));
    char *text = csv_of(&s);
    assert_non_null(strstr(text, "elapsed_s,interval_s,warmup,committed,committed_per_s,retries,"
                                 "retries_per_s,failed,ambiguous,insufficient,p50_ms,p90_ms,"
                                 "p99_ms,max_ms,lag_max_ms\n1,1,0,5,5,5,5,0,0,0,"));
    assert_null(strstr(text, "phase"));
    free(text);
    series_free(&s);
}

/* Two processes, the second started 30 ms later: rows line up on the common
 * clock, counts add, percentiles are those of the pooled latencies. */
static void merge_adds_rows_on_one_clock(void **state)
{
    (void)state;
    struct series a = {0}, b = {0};
    for (int k = 1; k <= 3; k++) {
        struct interval_row ra = row_of(k * S, S, 100, 1000, 0);
        struct interval_row rb = row_of(k * S, S, 50, 9000, 0);
        strcpy(rb.trigger, k == 2 ? "lock-rows" : "");
        assert_true(series_append(&a, &ra) && series_append(&b, &rb));
    }
    /* b's last sliver: 10 ms after its last full interval, matching none of a's. */
    struct interval_row sliver = row_of(3 * S + 10000, 10000, 2, 500, 0);
    assert_true(series_append(&b, &sliver));
    struct series_part parts[2] = {{&a, 0, 0, "result 1"}, {&b, 30000, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.n, 4);
    assert_int_equal(m.rows[0].committed, 150);
    assert_int_equal(m.rows[0].retries, 150);
    assert_int_equal(m.rows[0].end_us, S + 15000); /* the mean of 1.000 and 1.030 s */
    assert_string_equal(m.rows[1].trigger, "lock-rows");
    assert_int_equal(m.rows[3].committed, 2);
    /* The pooled p50 is a's latency (100 of 150), the p99 b's: not an average. */
    assert_true(m.rows[0].p50_us >= 1000 && m.rows[0].p50_us < 1200);
    assert_true(m.rows[0].p99_us >= 9000 && m.rows[0].p99_us < 9100);
    struct hist *h = hist_hdr_decode(m.rows[0].latency_hdr, err, sizeof err);
    assert_non_null(h);
    assert_int_equal(h->total_count, 150);
    hist_destroy(h);
    int64_t sum = 0;
    for (size_t i = 0; i < m.n; i++)
        sum += m.rows[i].committed;
    assert_int_equal(sum, 3 * 100 + 3 * 50 + 2);
    series_free(&m);
    series_free(&a);
    series_free(&b);
}

/* A loaded machine: one part's tick came 17 ms late, after the other's last
 * sliver had already ended. The full intervals still line up; the slivers
 * stand alone, and the rows stay in order of their ends. */
static void merge_lines_up_late_ticks(void **state)
{
    (void)state;
    struct series a = {0}, b = {0};
    struct interval_row a1 = row_of(4005000, S, 100, 1000, 0),
                        a2 = row_of(4008000, 3000, 1, 1000, 0);
    struct interval_row b1 = row_of(4022000, S, 100, 1000, 0),
                        b2 = row_of(4025000, 3000, 1, 1000, 0);
    assert_true(series_append(&a, &a1) && series_append(&a, &a2));
    assert_true(series_append(&b, &b1) && series_append(&b, &b2));
    struct series_part parts[2] = {{&a, 0, 0, "result 1"}, {&b, 0, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.n, 3);
    assert_int_equal(m.rows[0].end_us, 4008000); /* a's sliver */
    assert_int_equal(m.rows[1].committed, 200);  /* the full intervals, together */
    assert_int_equal(m.rows[1].end_us, 4013500);
    assert_int_equal(m.rows[2].end_us, 4025000); /* b's sliver */
    series_free(&m);
    series_free(&a);
    series_free(&b);
}

/* A part still in its warmup when another measures: never one row, so the
 * merged measured rows add up to the parts' totals. */
static void merge_keeps_warmup_apart(void **state)
{
    (void)state;
    struct series a = {0}, b = {0};
    struct interval_row ra = row_of(S, S, 10, 1000, 0), rb = row_of(S + 200000, S, 10, 1000, 0);
    rb.warmup = true;
    assert_true(series_append(&a, &ra) && series_append(&b, &rb));
    struct series_part parts[2] = {{&a, 0, 0, "result 1"}, {&b, 0, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.n, 2);
    assert_false(m.rows[0].warmup);
    assert_true(m.rows[1].warmup);
    series_free(&m);
    series_free(&a);
    series_free(&b);
}

/* An open-loop part offers its --rate where its rows carry no rate of their own. */
static void merge_adds_offered_rates(void **state)
{
    (void)state;
    struct series a = {0}, b = {0};
    struct interval_row ra = row_of(S, S, 10, 1000, 100), rb = row_of(S, S, 10, 1000, 100);
    ra.offered_per_s = 40;
    assert_true(series_append(&a, &ra) && series_append(&b, &rb));
    struct series_part parts[2] = {{&a, 0, 0, "result 1"}, {&b, 0, 25, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_true(m.rows[0].offered_per_s == 65);
    assert_non_null(m.rows[0].lag_hdr);
    series_free(&m);
    series_free(&a);
    series_free(&b);
}

/* Rows with commits but no histogram (an older result): no exact percentile, refused. */
static void merge_refuses_rows_without_histograms(void **state)
{
    (void)state;
    struct series a = {0}, b = {0};
    struct interval_row ra = row_of(S, S, 10, 1000, 0), rb = row_of(S, S, 10, 1000, 0);
    series_row_free(&rb);
    assert_true(series_append(&a, &ra) && series_append(&b, &rb));
    struct series_part parts[2] = {{&a, 0, 0, "result 1"}, {&b, 0, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "merge: result 2: its interval ending at 1.000 s keeps no latency "
                                "histogram"));
    assert_int_equal(m.n, 0);
    series_free(&a);
    series_free(&b);
}

/* The workers' connection attempts in an interval: taken from its stats,
 * written (JSON and CSV) only where there were some, read back, refused when
 * more connected than tried, and added up by a merge. */
static void connects_ride_along_where_there_were_some(void **state)
{
    (void)state;
    struct stats st;
    assert_true(stats_init(&st, 3));
    struct connect_outcome ok = {.ok = true, .latency_us = 2000},
                           full = {.ok = false, .reason = CONNECT_TOO_MANY};
    stats_add_connect(&st, &ok);
    stats_add_connect(&st, &full);
    stats_add_connect(&st, &full);
    struct series s = {0};
    struct interval_row r;
    series_row_of_stats(&st, 0, S, S, false, false, &r);
    stats_free(&st);
    assert_int_equal(r.connect_attempts, 3);
    assert_int_equal(r.connects, 1);
    assert_true(series_append(&s, &r));
    struct interval_row quiet = row_of(2 * S, S, 5, 1000, 0);
    assert_true(series_append(&s, &quiet));
    struct series back;
    json_t *j = round_trip(&s, &back);
    assert_int_equal(back.rows[0].connect_attempts, 3);
    assert_int_equal(back.rows[0].connects, 1);
    assert_null(json_object_get(json_array_get(j, 1), "connect_attempts"));
    json_decref(j);

    char *text = csv_of(&s);
    assert_non_null(strstr(text, ",connect_attempts,connects\n"));
    assert_non_null(strstr(text, ",3,1\n"));
    assert_non_null(strstr(text, ",,\n")); /* the quiet row's cells are empty */
    free(text);

    struct series_part parts[2] = {{&s, 0, 0, "result 1"}, {&back, 0, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.rows[0].connect_attempts, 6);
    assert_int_equal(m.rows[0].connects, 2);
    assert_int_equal(m.rows[1].connect_attempts, 0);
    series_free(&m);
    series_free(&s);
    series_free(&back);

    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"connect_attempts\": 1, \"connects\": 2}]",
            "more connects than connection attempts");
}

/* An interval's last connect: from its stats' clock onto the series' (held
 * within the row), written where known, read back; a row without it (a
 * result from before) does not know it; one outside its interval is refused;
 * a merge keeps the latest on the common clock, unknown when a part with
 * connects does not know its own. */
static void the_last_connect_rides_along(void **state)
{
    (void)state;
    struct stats st;
    assert_true(stats_init(&st, 3));
    const int64_t origin_us = 7 * S; /* the clock's reading at the series' 0 */
    struct connect_outcome early = {.ok = true,
                                    .latency_us = 2000,
                                    .at_us = origin_us + S + 100000},
                           late = {.ok = true, .latency_us = 2000, .at_us = origin_us + S + 400000},
                           full = {.ok = false, .reason = CONNECT_TOO_MANY};
    stats_add_connect(&st, &late);
    stats_add_connect(&st, &early);
    stats_add_connect(&st, &full);
    struct interval_row r, after;
    series_row_of_stats(&st, origin_us, 2 * S, S, false, false, &r);
    assert_int_equal(r.last_connect_us, S + 400000);
    series_row_of_stats(&st, origin_us, S + 300000, S, false, false, &after); /* gathered late */
    assert_int_equal(after.last_connect_us, S + 300000);
    stats_reset(&st);
    series_row_of_stats(&st, origin_us, 3 * S, S, false, false, &after);
    assert_int_equal(after.last_connect_us, SERIES_UNKNOWN_US); /* none */
    stats_free(&st);

    struct series s = {0}, back;
    assert_true(series_append(&s, &r));
    json_t *j = round_trip(&s, &back);
    assert_true(fabs(json_real_value(json_object_get(json_array_get(j, 0), "last_connect_s")) -
                     1.4) < 1e-9);
    assert_int_equal(back.rows[0].last_connect_us, S + 400000);
    json_object_del(json_array_get(j, 0), "last_connect_s"); /* as a result from before */
    struct series older;
    char err[256];
    assert_int_equal(series_json_decode(j, &older, err, sizeof err), 0);
    assert_int_equal(older.rows[0].last_connect_us, SERIES_UNKNOWN_US);
    json_decref(j);

    /* The second part started 0.2 s later: its 1.4 s is 1.6 s on the common clock. */
    struct series_part parts[2] = {{&s, 0, 0, "result 1"}, {&back, 200000, 0, "result 2"}};
    struct series m;
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.rows[0].last_connect_us, S + 600000);
    series_free(&m);
    parts[1].series = &older;
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.rows[0].last_connect_us, SERIES_UNKNOWN_US);
    series_free(&m);
    series_free(&s);
    series_free(&back);
    series_free(&older);

    refused("[{\"elapsed_s\": 2, \"interval_s\": 1, \"connect_attempts\": 1, \"connects\": 1, "
            "\"last_connect_s\": 0.5}]",
            "'last_connect_s' is not a connect within the interval");
    refused("[{\"elapsed_s\": 2, \"interval_s\": 1, \"last_connect_s\": 1.5}]",
            "'last_connect_s' is not a connect within the interval");

    /* Past 10,000 s the file's 10 digits round each time apart: a connect at the row's
     * very start (12344.678902 s) reads 7 us before it, and is taken as its start. */
    json_t *far = json_loads("[{\"elapsed_s\": 12345.67891, \"interval_s\": 1.000003, "
                             "\"connect_attempts\": 1, \"connects\": 1, "
                             "\"last_connect_s\": 12344.6789}]",
                             0, NULL);
    char err2[256];
    if (series_json_decode(far, &back, err2, sizeof err2) != 0) fail_msg("%s", err2);
    assert_int_equal(back.rows[0].last_connect_us, 12345678910 - 1000003);
    series_free(&back);
    json_decref(far);
}

/* The workers connected at each close: written (JSON and CSV) where the row
 * knows its workers, read back, refused when more connected than there are,
 * added up by a merge, and unknown in a merged row whose part does not know. */
static void workers_connected_ride_along_where_known(void **state)
{
    (void)state;
    struct series s = {0}, old = {0};
    struct interval_row r = row_of(S, S, 5, 1000, 0), unknown = row_of(2 * S, S, 5, 1000, 0);
    r.workers = 4;
    r.workers_connected = 3;
    assert_true(series_append(&s, &r));
    struct interval_row r2 = row_of(2 * S, S, 5, 1000, 0);
    r2.workers = r2.workers_connected = 4;
    assert_true(series_append(&s, &r2));
    struct series back;
    json_t *j = round_trip(&s, &back);
    assert_int_equal(back.rows[0].workers, 4);
    assert_int_equal(back.rows[0].workers_connected, 3);
    json_decref(j);
    series_free(&back);
    char *text = csv_of(&s);
    assert_non_null(strstr(text, ",workers_connected,workers\n"));
    assert_non_null(strstr(text, ",3,4\n"));
    free(text);

    struct interval_row o1 = row_of(S, S, 5, 1000, 0);
    assert_true(series_append(&old, &o1));
    assert_true(series_append(&old, &unknown));
    j = round_trip(&old, &back);
    assert_null(json_object_get(json_array_get(j, 0), "workers"));
    assert_null(json_object_get(json_array_get(j, 0), "workers_connected"));
    json_decref(j);
    series_free(&back);

    struct series_part parts[2] = {{&s, 0, 0, "result 1"}, {&s, 0, 0, "result 2"}};
    struct series m;
    char err[256];
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.rows[0].workers, 8);
    assert_int_equal(m.rows[0].workers_connected, 6);
    series_free(&m);
    parts[1].series = &old;
    assert_int_equal(series_merge(parts, 2, &m, err, sizeof err), 0);
    assert_int_equal(m.rows[0].workers, 0);
    assert_int_equal(m.rows[0].workers_connected, 0);
    series_free(&m);
    series_free(&s);
    series_free(&old);

    refused("[{\"elapsed_s\": 1, \"interval_s\": 1, \"workers\": 2, \"workers_connected\": 3}]",
            "more workers connected than workers");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_round_trip),
        cmocka_unit_test(contradictions_are_refused),
        cmocka_unit_test(csv_columns_follow_the_rows),
        cmocka_unit_test(merge_adds_rows_on_one_clock),
        cmocka_unit_test(merge_lines_up_late_ticks),
        cmocka_unit_test(merge_keeps_warmup_apart),
        cmocka_unit_test(merge_adds_offered_rates),
        cmocka_unit_test(merge_refuses_rows_without_histograms),
        cmocka_unit_test(connects_ride_along_where_there_were_some),
        cmocka_unit_test(workers_connected_ride_along_where_known),
        cmocka_unit_test(the_last_connect_rides_along),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
