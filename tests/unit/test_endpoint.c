/* Endpoints: round-robin assignment, counting, sums, JSON and merge. */
#include "txstorm/endpoint.h"
#include "txstorm/report.h"

#include "cmocka_prelude.h"

#include <string.h>

static void workers_go_round_robin(void **state)
{
    (void)state;
    int per[3] = {0};
    for (int w = 0; w < 7; w++)
        per[endpoint_of_worker(w, 3)]++;
    assert_int_equal(endpoint_of_worker(4, 3), 1);
    assert_int_equal(endpoint_of_worker(5, 1), 0);
    for (int e = 0; e < 3; e++)
        assert_int_equal(per[e], endpoint_workers(e, 7, 3)); /* 3, 2, 2 */
    assert_int_equal(endpoint_workers(0, 7, 3), 3);
    assert_int_equal(endpoint_workers(2, 6, 3), 2);
    assert_int_equal(endpoint_workers(0, 5, 1), 5);
}

/* Transfers of several kinds, spread over three endpoints as workers would
 * publish them, counted into the totals too. */
static void count_spread(struct endpoint_stats e[3], struct stats *total)
{
    for (int i = 0; i < 3; i++)
        assert_true(endpoint_init(&e[i], 5, i == 1 ? "host=b password=***" : "host=a"));
    assert_true(stats_init(total, 3));
    for (int t = 0; t < 30; t++) {
        struct txn_outcome o = {.end = t % 5 == 0 ? TXN_FAILED : t % 7 == 0 ? TXN_AMBIGUOUS
                                                                            : TXN_COMMITTED,
                                .latency_us = 1000 + 37 * t,
                                .retries = t % 3,
                                .attempts = 1 + t % 3};
        o.retries_by_class[ERR_SERIALIZATION] = t % 3;
        o.errors_by_class[ERR_SERIALIZATION] = t % 3;
        o.errors_by_class[ERR_CONNECTION] = o.end == TXN_AMBIGUOUS;
        endpoint_add_txn(&e[endpoint_of_worker(t, 3)], &o);
        stats_add_txn(total, &o);
    }
    e[0].connection_losses = 2;
    e[2].reconnects = 1;
}

static void per_endpoint_counts_add_up_to_the_totals(void **state)
{
    (void)state;
    struct endpoint_stats e[3], sum;
    struct stats total;
    count_spread(e, &total);
    endpoints_sum(e, 3, &sum);
    assert_true(total.committed > 0 && total.failed > 0 && total.ambiguous > 0);
    assert_int_equal(sum.committed, total.committed);
    assert_int_equal(sum.failed, total.failed);
    assert_int_equal(sum.ambiguous, total.ambiguous);
    assert_int_equal(sum.retries, total.retries);
    for (int c = 0; c < ERR_CLASS_COUNT; c++) {
        assert_int_equal(sum.errors_by_class[c], total.errors_by_class[c]);
        assert_int_equal(sum.retries_by_class[c], total.retries_by_class[c]);
    }
    assert_int_equal(sum.connection_losses, 2);
    int64_t latencies = 0;
    for (int i = 0; i < 3; i++)
        latencies += e[i].latency_us->total_count;
    assert_int_equal(latencies, total.hist[HIST_LATENCY]->total_count);
    assert_int_equal(e[0].latency_us->sig_figs, ENDPOINT_SIG_FIGS_MAX); /* capped */

    /* A result whose endpoints do not add up is refused as edited. */
    struct run_summary s = {.total = total, .endpoints = e, .n_endpoints = 3};
    s.faults.connection_losses = 2;
    s.faults.reconnects = 1;
    char err[256];
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), 0);
    e[1].committed++;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "the endpoints' 'committed' do not add up to the total"));
    e[1].committed--;
    s.faults.reconnects = 0;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "'reconnects'"));
    s.faults.reconnects = 1;

    /* The connect figures too: attempts, connects, failures by reason. */
    const struct connect_outcome ok = {.ok = true, .latency_us = 900},
                                 full = {.ok = false, .reason = CONNECT_TOO_MANY};
    for (int i = 0; i < 5; i++) {
        const struct connect_outcome *c = i % 2 ? &full : &ok;
        endpoint_add_connect(&e[i % 3], c);
        stats_add_connect(&s.total, c);
    }
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), 0);
    e[2].connect_attempts++;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "r.json: inconsistent counters: the endpoints' "
                                "'connect_attempts' do not add up to the total"));
    assert_null(strchr(err, '\n'));
    e[2].connect_attempts--;
    e[0].connects--;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "'connects'"));
    e[0].connects++;
    e[1].connect_failures[CONNECT_TOO_MANY]--;
    e[1].connect_failures[CONNECT_REFUSED]++;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), -1);
    assert_non_null(strstr(err, "'connect_failures'"));
    /* A result from before endpoints counted connects: theirs are not known. */
    e[2].connect_attempts = e[2].connects = 0;
    s.endpoint_connects_unknown = true;
    assert_int_equal(report_consistent(&s, "r.json", err, sizeof err), 0);
    for (int i = 0; i < 3; i++)
        endpoint_free(&e[i]);
    stats_free(&total);
}

static void json_round_trip(void **state)
{
    (void)state;
    struct endpoint_stats e[3], back;
    struct stats total;
    count_spread(e, &total);
    e[1].disconnected_us = 1234567;
    e[1].workers = 2;
    json_t *j = endpoint_json_encode(&e[1]);
    char err[256];
    assert_int_equal(endpoint_json_decode(j, &back, err, sizeof err), 0);
    assert_string_equal(back.dsn, "host=b password=***");
    assert_int_equal(back.workers, 2);
    assert_int_equal(back.committed, e[1].committed);
    assert_int_equal(back.retries, e[1].retries);
    assert_int_equal(back.disconnected_us, 1234567);
    assert_int_equal(back.errors_by_class[ERR_CONNECTION], e[1].errors_by_class[ERR_CONNECTION]);
    assert_int_equal(hist_value_at_percentile(back.latency_us, 99),
                     hist_value_at_percentile(e[1].latency_us, 99));
    endpoint_free(&back);
    /* Edited by hand: latencies that do not match the commits. */
    json_object_set_new(j, "committed", json_integer(e[1].committed + 1));
    assert_int_equal(endpoint_json_decode(j, &back, err, sizeof err), -1);
    endpoint_free(&back);
    json_decref(j);
    for (int i = 0; i < 3; i++)
        endpoint_free(&e[i]);
    stats_free(&total);
}

static void merge_sums_by_dsn_and_keeps_others_apart(void **state)
{
    (void)state;
    struct endpoint_stats e[3];
    struct stats total;
    count_spread(e, &total);
    struct endpoint_stats *list = NULL;
    int n = 0;
    /* e[0] and e[2] share a DSN: one entry; e[1] its own. */
    assert_int_equal(endpoints_merge_into(&list, &n, e, 3), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].committed, e[0].committed + e[2].committed);
    assert_int_equal(list[0].latency_us->total_count, e[0].committed + e[2].committed);
    assert_int_equal(endpoints_merge_into(&list, &n, &e[1], 1), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[1].committed, 2 * e[1].committed);
    assert_string_equal(list[1].dsn, "host=b password=***");
    struct endpoint_stats other;
    assert_true(endpoint_init(&other, 3, "host=c"));
    other.committed = 0;
    assert_int_equal(endpoints_merge_into(&list, &n, &other, 1), 0);
    assert_int_equal(n, 3);
    endpoints_free(list, n);
    endpoint_free(&other);
    for (int i = 0; i < 3; i++)
        endpoint_free(&e[i]);
    stats_free(&total);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(workers_go_round_robin),
        cmocka_unit_test(per_endpoint_counts_add_up_to_the_totals),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(merge_sums_by_dsn_and_keeps_others_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
