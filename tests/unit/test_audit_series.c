/* The auditor's readings as a result keeps them: the codec's round trip and
 * refusals, and the merge's rule (concatenated, each on the merged clock and
 * naming its instance). */
#include "txstorm/audit_series.h"

#include "cmocka_prelude.h"

#include <string.h>

static struct audit_series two_readings(void)
{
    struct audit_series a = {.present = true};
    assert_true(audit_series_append(&a, &(struct audit_point){.instance = -1,
                                                              .t_us = 1000123,
                                                              .total = 100000,
                                                              .negative = 0,
                                                              .ok = true,
                                                              .latency_us = 1234}));
    assert_true(audit_series_append(&a, &(struct audit_point){.instance = -1,
                                                              .t_us = 3599999999,
                                                              .total = 99990,
                                                              .negative = 2,
                                                              .ok = false,
                                                              .latency_us = 7}));
    return a;
}

/* Through text, as a result file carries it. */
static void through_text(const struct audit_series *a, struct audit_series *back)
{
    json_t *j = audit_series_json(a);
    char *text = json_dumps(j, JSON_REAL_PRECISION(10));
    json_decref(j);
    json_t *parsed = json_loads(text, 0, NULL);
    free(text);
    char err[256];
    if (audit_series_decode(parsed, back, err, sizeof err) != 0) fail_msg("%s", err);
    json_decref(parsed);
}

static void readings_round_trip(void **state)
{
    (void)state;
    struct audit_series a = two_readings(), back;
    through_text(&a, &back);
    assert_true(back.present);
    assert_int_equal(back.n, 2);
    for (size_t i = 0; i < a.n; i++) {
        const struct audit_point *x = &a.items[i], *y = &back.items[i];
        assert_int_equal(y->instance, x->instance);
        assert_int_equal(y->t_us, x->t_us);
        assert_int_equal(y->total, x->total);
        assert_int_equal(y->negative, x->negative);
        assert_int_equal(y->ok, x->ok);
        assert_int_equal(y->latency_us, x->latency_us);
    }
    json_t *x = audit_series_json(&a), *y = audit_series_json(&back);
    assert_true(json_equal(x, y));
    assert_null(json_object_get(json_array_get(x, 0), "instance")); /* the run's own */
    assert_true(json_real_value(json_object_get(json_array_get(x, 0), "t_s")) == 1.000123);
    assert_true(json_real_value(json_object_get(json_array_get(x, 0), "latency_ms")) == 1.234);
    json_decref(x);
    json_decref(y);
    audit_series_free(&back);

    /* A run whose auditor read nothing still has the part; one without has none. */
    struct audit_series none = {.present = true};
    through_text(&none, &back);
    assert_true(back.present);
    assert_int_equal(back.n, 0);
    audit_series_free(&back);
    audit_series_free(&a);
}

static void a_merge_concatenates_on_the_merged_clock(void **state)
{
    (void)state;
    struct audit_series a = two_readings(), merged = {0}, empty = {0};
    assert_true(audit_series_concat(&merged, &empty, 0, 0));
    assert_false(merged.present);
    assert_true(audit_series_concat(&merged, &a, 0, 0));
    assert_true(audit_series_concat(&merged, &a, 500000, 1));
    assert_true(merged.present);
    assert_int_equal(merged.n, 4);
    assert_int_equal(merged.items[0].instance, 0);
    assert_int_equal(merged.items[0].t_us, 1000123);
    assert_int_equal(merged.items[2].instance, 1);
    assert_int_equal(merged.items[2].t_us, 1500123);
    assert_int_equal(merged.items[3].total, 99990);
    /* A merged part's readings keep the instances they name. */
    struct audit_series again = {0};
    assert_true(audit_series_concat(&again, &merged, 0, -1));
    assert_int_equal(again.items[2].instance, 1);
    struct audit_series back;
    through_text(&again, &back);
    assert_int_equal(back.items[3].instance, 1);
    assert_int_equal(back.items[3].t_us, 3600499999);
    audit_series_free(&back);
    audit_series_free(&again);
    audit_series_free(&merged);
    audit_series_free(&a);
}

static void malformed_readings_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{}",
        "[{\"t_s\": 1, \"total\": 5, \"negative\": 0, \"ok\": true}]",
        "[{\"t_s\": \"1\", \"total\": 5, \"negative\": 0, \"ok\": true, \"latency_ms\": 1}]",
        "[{\"t_s\": 1, \"total\": 5, \"negative\": -1, \"ok\": true, \"latency_ms\": 1}]",
        "[{\"t_s\": 1, \"total\": 5, \"negative\": 0, \"ok\": 1, \"latency_ms\": 1}]",
        "[{\"t_s\": 1, \"total\": 5, \"negative\": 0, \"ok\": true, \"latency_ms\": -1}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        struct audit_series a;
        char err[256] = "";
        if (audit_series_decode(j, &a, err, sizeof err) == 0) fail_msg("accepted: %s", bad[i]);
        assert_non_null(strstr(err, "'auditor_series'"));
        assert_false(a.present);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readings_round_trip),
        cmocka_unit_test(a_merge_concatenates_on_the_merged_clock),
        cmocka_unit_test(malformed_readings_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
