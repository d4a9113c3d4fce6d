/* Outage windows: from the last commit before a connection loss to the
 * first commit after it, with what happened inside; the longest kept, all
 * summed; JSON both ways; the series rows they cover marked. */
#include "txstorm/outage.h"

#include "txstorm/failover.h"

#include "txstorm/series.h"

#include "cmocka_prelude.h"

#include <stdlib.h>
#include <string.h>

#define S 1000000
#define T0 (100 * S)

static void a_failover_is_one_window_from_last_commit_to_first_commit(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    int64_t seen[3] = {0, 0, 0};
    outage_commit(&w, T0 + 500000);
    outage_loss(&w, T0 + 1 * S, &seen[0], true); /* a COMMIT cut off */
    assert_true(outage_ongoing(&w));
    outage_loss(&w, T0 + 1 * S + 10, &seen[0], false); /* the same worker's reconnect */
    outage_loss(&w, T0 + 1 * S + 20, &seen[1], false);
    outage_loss(&w, T0 + 2 * S, &seen[1], false); /* again: still one worker */
    outage_commit(&w, T0 + 3 * S + 250000);
    assert_false(outage_ongoing(&w));
    assert_int_equal(outage_closed(&w), 1);
    struct outage_summary s;
    outage_summarize(&w, T0 + 10 * S, &s);
    assert_int_equal(s.count, 1);
    /* Unavailable from the last commit before, not from when the loss was noticed. */
    assert_int_equal(s.total_us, 2 * S + 750000);
    assert_int_equal(s.longest.first_loss_us, 1 * S);
    assert_int_equal(s.longest.last_commit_before_us, 500000);
    assert_int_equal(s.longest.first_commit_after_us, 3 * S + 250000);
    assert_int_equal(s.longest.window_us, 2 * S + 750000);
    assert_int_equal(outage_detection_us(&s.longest), 500000);
    assert_int_equal(s.longest.workers_affected, 2);
    assert_int_equal(s.longest.ambiguous, 1);
    outage_destroy(&w);
}

static void the_longest_window_is_kept_and_all_are_summed(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    int64_t seen = 0;
    outage_loss(&w, T0 + 1 * S, &seen, false);
    outage_commit(&w, T0 + 1 * S + 1000); /* another worker commits at once */
    outage_loss(&w, T0 + 5 * S, &seen, false);
    outage_commit(&w, T0 + 9 * S);
    outage_loss(&w, T0 + 20 * S, &seen, false);
    outage_commit(&w, T0 + 21 * S);
    struct outage_summary s;
    outage_summarize(&w, T0 + 30 * S, &s);
    assert_int_equal(s.count, 3);
    /* Nothing before the first loss: from the start. Then from each last commit. */
    assert_int_equal(s.total_us, (1 * S + 1000) + (9 * S - 1 * S - 1000) + (21 * S - 9 * S));
    assert_int_equal(s.longest.first_loss_us, 20 * S);
    assert_int_equal(s.longest.window_us, 12 * S);
    assert_int_equal(s.longest.workers_affected, 1); /* counted again in a new window */
    assert_int_equal(s.n_kept, 3);
    assert_int_equal(s.kept[0].last_commit_before_us, -1);
    assert_int_equal(outage_detection_us(&s.kept[0]), -1);
    assert_int_equal(s.kept[1].window_us, 8 * S - 1000);
    outage_destroy(&w);
}

static void a_window_open_at_the_end_closes_there(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    int64_t seen = 0;
    outage_loss(&w, T0 + 2 * S, &seen, false);
    struct outage_summary s;
    outage_summarize(&w, T0 + 7 * S, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.longest.window_us, 7 * S); /* nothing committed: from the start */
    assert_int_equal(s.longest.first_commit_after_us, -1);
    assert_int_equal(s.longest.last_commit_before_us, -1); /* nothing had committed */
    assert_true(outage_ongoing(&w));
    outage_destroy(&w);
}

static void a_commit_from_before_the_loss_does_not_close_it(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    int64_t seen = 0;
    outage_commit(&w, T0 + 1 * S);
    outage_loss(&w, T0 + 3 * S, &seen, false);
    /* Published late by another thread: it committed before the loss. */
    outage_commit(&w, T0 + 2 * S + 999000);
    assert_true(outage_ongoing(&w));
    outage_commit(&w, T0 + 4 * S);
    struct outage_summary s;
    outage_summarize(&w, T0 + 5 * S, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.longest.window_us, 1 * S + 1000);
    assert_int_equal(s.longest.last_commit_before_us, 2 * S + 999000);
    outage_destroy(&w);
}

static void no_loss_no_window(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    outage_commit(&w, T0 + 1);
    struct outage_summary s;
    outage_summarize(&w, T0 + 5 * S, &s);
    assert_int_equal(s.count, 0);
    json_t *j = outage_json(&s, 0);
    assert_true(json_is_null(json_object_get(j, "longest")));
    struct outage_summary back;
    assert_int_equal(outage_json_decode(j, &back), 0);
    assert_int_equal(back.count, 0);
    json_decref(j);
    outage_destroy(&w);
}

/* The failover timeline as the text report prints it. */
static char *printed(const json_t *failover)
{
    char *text = NULL;
    size_t len = 0;
    struct failover_timeline f;
    assert_int_equal(failover_decode(failover, &f), 0);
    FILE *out = open_memstream(&text, &len);
    failover_print(out, &f, 0);
    fclose(out);
    failover_free(&f);
    return text;
}

static void json_round_trip_and_text(void **state)
{
    (void)state;
    struct outage_summary s = {.count = 2,
                               .total_us = 3500000,
                               .longest = {.first_loss_us = 4000000,
                                           .last_commit_before_us = 3990000,
                                           .first_commit_after_us = -1,
                                           .window_us = 3000000,
                                           .workers_affected = 4,
                                           .ambiguous = 2}};
    json_t *j = outage_json(&s, 0);
    assert_true(json_is_null(json_object_get(json_object_get(j, "longest"), "first_commit_after_s")));
    struct outage_summary back;
    assert_int_equal(outage_json_decode(j, &back), 0);
    assert_memory_equal(&back, &s, sizeof s);
    json_object_set_new(j, "endpoints", json_array());
    char *text = printed(j);
    assert_non_null(strstr(text, "2 windows, unavailable 3.500 s"));
    assert_non_null(strstr(text, "none (the run ended)"));
    assert_non_null(strstr(text, "ambiguous commits in it    2"));
    free(text);
    json_object_set_new(j, "outages", json_string("x"));
    assert_int_equal(outage_json_decode(j, &back), -1);
    json_decref(j);
}

/* The per-endpoint windows are numbered as the endpoints table numbers them, from 1. */
static void endpoints_are_numbered_from_one(void **state)
{
    (void)state;
    struct outage_summary s = {
        .count = 1,
        .total_us = 1000000,
        .longest = {.first_loss_us = 2000000, .first_commit_after_us = 3000000, .window_us = 1000000}};
    json_t *j = outage_json(&s, 0), *eps = json_array();
    json_array_append_new(eps, outage_json(&s, 0));
    json_array_append_new(eps, outage_json(&s, 0));
    json_object_set_new(j, "endpoints", eps);
    char *text = printed(j);
    assert_non_null(strstr(text, "\nendpoint 1: 1 window"));
    assert_non_null(strstr(text, "\nendpoint 2: 1 window"));
    assert_null(strstr(text, "endpoint 0"));
    free(text);
    json_decref(j);
}


/* Every window in the JSON with wall-clock times from the origin, read back;
 * the rows of the series that a window overlaps are marked, the others not. */
static void windows_carry_wall_clock_times_and_mark_rows(void **state)
{
    (void)state;
    struct outage_watch w;
    outage_init(&w, T0);
    int64_t seen = 0;
    outage_commit(&w, T0 + 2 * S);
    outage_loss(&w, T0 + 3 * S, &seen, false);
    outage_commit(&w, T0 + 4 * S + 500000);
    struct outage_summary s;
    outage_summarize(&w, T0 + 10 * S, &s);
    const int64_t origin = 1700000000000000LL; /* Unix us */
    json_t *j = outage_json(&s, origin);
    json_t *first = json_array_get(json_object_get(j, "windows"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "last_commit_before_unix_ms")),
                     1700000002000LL);
    assert_int_equal(json_integer_value(json_object_get(first, "first_loss_unix_ms")),
                     1700000003000LL);
    assert_int_equal(json_integer_value(json_object_get(first, "first_commit_after_unix_ms")),
                     1700000004500LL);
    assert_true(json_real_value(json_object_get(first, "detection_s")) == 1.0);
    struct outage_summary back;
    assert_int_equal(outage_json_decode(j, &back), 0);
    assert_int_equal(back.n_kept, 1);
    assert_memory_equal(&back.kept[0], &s.kept[0], sizeof s.kept[0]);

    /* One-second rows 0-1 .. 9-10: the window 2.0-4.5 covers rows 2-3, 3-4, 4-5. */
    struct series rows = {0};
    for (int i = 1; i <= 10; i++) {
        struct interval_row r = {.end_us = i * S, .length_us = S};
        assert_true(series_append(&rows, &r));
    }
    outage_mark_rows(&s, &rows);
    for (int i = 0; i < 10; i++)
        assert_int_equal(rows.rows[i].outage, i >= 2 && i <= 4);
    series_free(&rows);
    json_decref(j);
    outage_destroy(&w);
}


/* The failover timeline of a merge: the own part and each instance's, written
 * and read back the same; a malformed one is refused. */
static void a_merged_timeline_round_trips(void **state)
{
    (void)state;
    struct outage_window w = {.first_loss_us = 2000000,
                              .last_commit_before_us = 1900000,
                              .first_commit_after_us = 2600000,
                              .window_us = 700000,
                              .workers_affected = 3,
                              .ambiguous = 1};
    struct outage_summary one = {.count = 1, .total_us = 700000, .longest = w, .n_kept = 1,
                                 .kept = {w}};
    struct outage_summary endpoints[2] = {one, {.count = 0}};
    struct failover_part part = {.instance = -1, .run = one, .endpoints = endpoints,
                                 .n_endpoints = 2};
    struct failover_timeline f = {.present = true};
    struct failover_part instances[2];
    assert_true(failover_part_copy(&part, 0, 0, &instances[0]));
    assert_true(failover_part_copy(&part, 500000, 1, &instances[1]));
    assert_int_equal(instances[1].run.kept[0].first_loss_us, 2500000);
    assert_int_equal(instances[1].endpoints[0].longest.first_commit_after_us, 3100000);
    f.instances = instances;
    f.n_instances = 2;
    assert_true(failover_part_copy(&instances[1], 0, -1, &f.own));

    json_t *j = failover_json(&f, 1700000000000000LL);
    struct failover_timeline back;
    assert_int_equal(failover_decode(j, &back), 0);
    assert_true(back.present);
    assert_int_equal(back.own.instance, -1);
    assert_int_equal(back.n_instances, 2);
    assert_int_equal(back.instances[1].instance, 1);
    assert_int_equal(back.own.n_endpoints, 2);
    assert_memory_equal(&back.own.run.kept[0], &f.own.run.kept[0], sizeof w);
    assert_memory_equal(&back.instances[0].endpoints[0].longest, &w, sizeof w);
    failover_free(&back);

    json_object_set_new(j, "instances", json_string("x"));
    assert_int_equal(failover_decode(j, &back), -1);
    assert_false(back.present);
    json_object_set_new(j, "instances", json_array());
    json_object_set_new(j, "instance", json_integer(3)); /* the own part names none */
    assert_int_equal(failover_decode(j, &back), -1);
    assert_int_equal(failover_decode(NULL, &back), 0);
    assert_false(back.present);
    json_decref(j);
    for (int i = 0; i < 2; i++)
        failover_part_free(&instances[i]);
    failover_part_free(&f.own);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_failover_is_one_window_from_last_commit_to_first_commit),
        cmocka_unit_test(windows_carry_wall_clock_times_and_mark_rows),
        cmocka_unit_test(a_merged_timeline_round_trips),
        cmocka_unit_test(the_longest_window_is_kept_and_all_are_summed),
        cmocka_unit_test(a_window_open_at_the_end_closes_there),
        cmocka_unit_test(a_commit_from_before_the_loss_does_not_close_it),
        cmocka_unit_test(no_loss_no_window),
        cmocka_unit_test(json_round_trip_and_text),
        cmocka_unit_test(endpoints_are_numbered_from_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
