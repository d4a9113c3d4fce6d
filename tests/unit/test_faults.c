/* The workers' faults: their JSON both ways, and what the loader refuses. */
#include "cmocka_prelude.h"
#include "txstorm/faults.h"

#include <stdlib.h>
#include <string.h>

static void faults_round_trip(void **state)
{
    (void)state;
    struct worker_faults f = {0};
    assert_true(worker_faults_append(&f, &(struct worker_fault){.instance = -1,
                                                                .worker = 3,
                                                                .connection_losses = 2,
                                                                .reconnects = 1,
                                                                .disconnected_us = 2500000,
                                                                .lost = true}));
    assert_true(worker_faults_append(
        &f, &(struct worker_fault){
                .instance = 1, .worker = 0, .connection_losses = 1, .reconnects = 1}));
    json_t *j = worker_faults_json(&f);
    assert_null(json_object_get(json_array_get(j, 0), "instance")); /* one run's */
    struct worker_faults back;
    char err[128];
    assert_int_equal(worker_faults_decode(j, &back, err, sizeof err), 0);
    assert_int_equal(back.n, 2);
    assert_int_equal(back.items[0].disconnected_us, 2500000);
    assert_true(back.items[0].lost && back.items[0].instance == -1);
    assert_int_equal(back.items[1].instance, 1);
    json_t *again = worker_faults_json(&back);
    assert_true(json_equal(j, again));
    json_decref(j);
    json_decref(again);
    worker_faults_free(&f);
    worker_faults_free(&back);
}

static void refused(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    struct worker_faults f;
    char err[128] = "";
    assert_int_equal(worker_faults_decode(j, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "worker_faults"));
    assert_int_equal(f.n, 0);
    json_decref(j);
}

static void contradictions_are_refused(void **state)
{
    (void)state;
    refused("{}");
    refused("[{\"worker\": 1}]");
    /* More reconnects than losses, a negative time: no run writes those. */
    refused("[{\"worker\": 1, \"connection_losses\": 1, \"reconnects\": 2, \"disconnected_ms\": 0,"
            " \"lost\": false}]");
    refused("[{\"worker\": 1, \"connection_losses\": 1, \"reconnects\": 1, \"disconnected_ms\": -1,"
            " \"lost\": false}]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(faults_round_trip),
        cmocka_unit_test(contradictions_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
