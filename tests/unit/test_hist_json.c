/* Histogram JSON: exact round trips and merges, and refusal of anything malformed. */
#include "txstorm/hist.h"
#include "txstorm/hist_json.h"
#include "txstorm/rng.h"

#include "cmocka_prelude.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t highest = 3600LL * 1000000;

/* Log-uniform values with a few zeros, negatives and clamped ones mixed in. */
static struct hist *random_hist(struct rng *r, int sig_figs, int n)
{
    struct hist *h = hist_create(highest, sig_figs);
    assert_non_null(h);
    for (int i = 0; i < n; i++) {
        uint64_t kind = rng_below(r, 100);
        if (kind == 0)
            hist_record(h, -(int64_t)rng_below(r, 10));
        else if (kind == 1)
            hist_record(h, highest + (int64_t)rng_below(r, 1000));
        else
            hist_record(h, (int64_t)exp(log(1e9) * rng_unit(r)));
    }
    return h;
}

/* Encodes, prints, parses and decodes: the way a saved result travels. */
static struct hist *through_text(const struct hist *h)
{
    json_t *j = hist_json_encode(h);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    json_decref(j);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    assert_non_null(back);
    free(text);
    char err[256] = "";
    struct hist *d = hist_json_decode(back, err, sizeof err);
    if (d == NULL) fail_msg("decode: %s", err);
    json_decref(back);
    return d;
}

static void assert_same_hist(const struct hist *a, const struct hist *b)
{
    assert_int_equal(a->highest, b->highest);
    assert_int_equal(a->sig_figs, b->sig_figs);
    assert_int_equal(a->counts_len, b->counts_len);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof *a->counts);
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(a->min, b->min);
    assert_int_equal(a->max, b->max);
    assert_int_equal(a->clamped, b->clamped);
    assert_true(a->sum == b->sum);
}

static void round_trip_is_exact_at_every_precision(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 2024, 0);
    for (int sf = 1; sf <= 5; sf++) {
        struct hist *h = random_hist(&r, sf, 20000);
        struct hist *d = through_text(h);
        assert_same_hist(h, d);
        const double ps[] = {0, 25, 50, 90, 99, 99.9, 99.99, 100};
        for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
            assert_int_equal(hist_value_at_percentile(h, ps[i]),
                             hist_value_at_percentile(d, ps[i]));
        assert_true(hist_mean(h) == hist_mean(d));
        hist_destroy(h);
        hist_destroy(d);
    }
}

static void merge_of_decoded_equals_decoded_merge(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 77, 1);
    for (int sf = 1; sf <= 5; sf++) {
        struct hist *a = random_hist(&r, sf, 5000), *b = random_hist(&r, sf, 7000);
        struct hist *da = through_text(a), *db = through_text(b);
        assert_true(hist_merge(da, db));
        assert_true(hist_merge(a, b));
        struct hist *dm = through_text(a);
        assert_same_hist(da, dm);
        hist_destroy(a);
        hist_destroy(b);
        hist_destroy(da);
        hist_destroy(db);
        hist_destroy(dm);
    }
}

static void empty_and_tiny_histograms_round_trip(void **state)
{
    (void)state;
    struct hist *h = hist_create(1000, 2);
    struct hist *d = through_text(h);
    assert_same_hist(h, d);
    assert_int_equal(d->min, INT64_MAX);
    hist_destroy(d);

    json_t *j = hist_json_encode(h);
    assert_int_equal(json_integer_value(json_object_get(j, "min")), 0);
    assert_string_equal(json_string_value(json_object_get(j, "unit")), "us");
    assert_int_equal(json_array_size(json_object_get(j, "counts")), 0);
    json_decref(j);

    hist_record(h, 0);
    hist_record(h, 5000); /* clamped */
    d = through_text(h);
    assert_same_hist(h, d);
    hist_destroy(d);
    hist_destroy(h);
}

static void only_non_zero_counts_are_written(void **state)
{
    (void)state;
    struct hist *h = hist_create(highest, 3);
    hist_record(h, 10);
    hist_record(h, 10);
    hist_record(h, 1000000);
    json_t *j = hist_json_encode(h);
    /* 1e6 at 3 figures: bucket 9, sub-bucket 1e6 >> 9 = 1953, so (9 + 1) * 1024 + 1953 - 1024. */
    char *text = json_dumps(json_object_get(j, "counts"), JSON_COMPACT);
    assert_string_equal(text, "[[10,2],[11169,1]]");
    free(text);
    json_decref(j);
    hist_destroy(h);
}

/* A valid document to break one piece at a time: 1, 2, 3 at 2 figures. */
#define VALID_HEAD "{\"sig_figs\":2,\"highest\":1000,\"unit\":\"us\",\"total_count\":3,"
#define VALID_COUNTS "\"counts\":[[1,1],[2,1],[3,1]]"

struct bad {
    const char *json;
    const char *message; /* a part of the error */
};

static const struct bad bad_inputs[] = {
    {"[]", "expected a JSON object"},
    {"3", "expected a JSON object"},
    {"{}", "'sig_figs' is missing"},
    {"{\"sig_figs\":0,\"highest\":1000}", "'sig_figs' = 0 is out of range"},
    {"{\"sig_figs\":6,\"highest\":1000}", "'sig_figs' = 6 is out of range"},
    {"{\"sig_figs\":2.0,\"highest\":1000}", "'sig_figs' must be an integer"},
    {"{\"sig_figs\":\"2\",\"highest\":1000}", "'sig_figs' must be an integer"},
    {"{\"sig_figs\":2}", "'highest' is missing"},
    {"{\"sig_figs\":2,\"highest\":1}", "'highest' = 1 is out of range"},
    {"{\"sig_figs\":2,\"highest\":1e9}", "'highest' must be an integer"},
    {"{\"sig_figs\":2,\"highest\":1000,\"unit\":\"ms\",\"sum\":0}", "'unit' must be \"us\""},
    {"{\"sig_figs\":2,\"highest\":1000,\"unit\":1,\"sum\":0}", "'unit' must be \"us\""},
    {"{\"sig_figs\":2,\"highest\":1000}", "'sum' must be a number"},
    {"{\"sig_figs\":2,\"highest\":1000,\"sum\":\"6\"}", "'sum' must be a number"},
    {"{\"sig_figs\":2,\"highest\":1000,\"sum\":-1.0}", "'sum' must be finite and not negative"},
    {"{\"sig_figs\":2,\"highest\":1000,\"sum\":0}", "'total_count' is missing"},
    {"{\"sig_figs\":2,\"highest\":1000,\"sum\":0,\"total_count\":-1}",
     "'total_count' = -1 is out of range"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":4," VALID_COUNTS "}",
     "'clamped' = 4 is out of range"},
    {VALID_HEAD "\"max\":3,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}", "'min' is missing"},
    {VALID_HEAD "\"min\":1,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}", "'max' is missing"},
    {VALID_HEAD "\"min\":1.5,\"max\":3,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}",
     "'min' must be an integer"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0}", "'counts' must be an array"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":{}}",
     "'counts' must be an array"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[1,2,3]}",
     "counts[0] is not a pair"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,1,0],[3,1]]}",
     "counts[1] is not a pair"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2],[3,1]]}",
     "counts[1] is not a pair"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,1.0],[3,1]]}",
     "counts[1] is not a pair of integers"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[\"2\",1],[3,1]]}",
     "counts[1] is not a pair of integers"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[-1,1],[2,1],[3,1]]}",
     "counts[0]: index -1 is out of range"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,1],[99999,1]]}",
     "counts[2]: index 99999 is out of range"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[1,1],[3,1]]}",
     "counts[1]: index 1 does not follow 1"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[2,1],[1,1],[3,1]]}",
     "counts[1]: index 1 does not follow 2"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,0],[3,2]]}",
     "counts[1]: count 0 is not positive"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,-1],[3,3]]}",
     "counts[1]: count -1 is not positive"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,\"counts\":[[1,1],[2,1]]}",
     "counts add up to 2, not total_count 3"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0,"
                "\"counts\":[[1,9223372036854775807],[2,1],[3,1]]}",
     "counts add up past 2^63"},
    {VALID_HEAD "\"min\":2,\"max\":3,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}",
     "min 2 is outside the lowest bucket (1..1)"},
    {VALID_HEAD "\"min\":1,\"max\":4,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}",
     "max 4 is outside the highest bucket (3..3)"},
    {VALID_HEAD "\"min\":1,\"max\":999999,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}",
     "'max' = 999999 is out of range"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":1," VALID_COUNTS "}",
     "1 clamped values, yet max is not 1000"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":600.0,\"clamped\":0," VALID_COUNTS "}",
     "sum 600 does not fit the counts"},
    {VALID_HEAD "\"min\":1,\"max\":3,\"sum\":0.0,\"clamped\":0," VALID_COUNTS "}",
     "sum 0 does not fit the counts"},
    {"{\"sig_figs\":2,\"highest\":1000,\"total_count\":0,\"min\":0,\"max\":5,\"sum\":0.0,"
     "\"clamped\":0,\"counts\":[]}",
     "empty, yet min, max, clamped or sum is not 0"},
    {"{\"sig_figs\":2,\"highest\":1000,\"total_count\":2,\"min\":1000,\"max\":1000,\"sum\":1001,"
     "\"clamped\":1,\"counts\":[[1,1],[506,1]]}",
     "min 1000 is outside the lowest bucket (1..1)"},
    {"{\"sig_figs\":1,\"highest\":1000,\"total_count\":3,\"min\":1,\"max\":1000,\"sum\":2001,"
     "\"clamped\":3,\"counts\":[[1,1],[111,2]]}",
     "3 clamped values, but only 2 at the top"},
};

static void malformed_inputs_are_refused_with_a_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        json_error_t jerr;
        json_t *j = json_loads(bad_inputs[i].json, JSON_DECODE_ANY, &jerr);
        if (j == NULL) fail_msg("test input %zu is not JSON: %s", i, jerr.text);
        char err[256] = "";
        struct hist *h = hist_json_decode(j, err, sizeof err);
        if (h != NULL) fail_msg("accepted: %s", bad_inputs[i].json);
        if (strstr(err, bad_inputs[i].message) == NULL)
            fail_msg("input %zu: error '%s' lacks '%s'", i, err, bad_inputs[i].message);
        assert_non_null(strstr(err, "histogram: "));
        assert_null(strchr(err, '\n'));
        json_decref(j);
    }
}

/* The valid base of the table above decodes, so each refusal is for its one flaw. */
static void valid_base_is_accepted(void **state)
{
    (void)state;
    json_t *j = json_loads(
        VALID_HEAD "\"min\":1,\"max\":3,\"sum\":6.0,\"clamped\":0," VALID_COUNTS "}", 0, NULL);
    char err[256] = "";
    struct hist *h = hist_json_decode(j, err, sizeof err);
    if (h == NULL) fail_msg("%s", err);
    assert_int_equal(hist_value_at_percentile(h, 50), 2);
    assert_int_equal(h->highest, 1000);
    hist_destroy(h);
    json_decref(j);
}

static json_t *random_json(struct rng *r, int depth)
{
    switch (rng_below(r, depth > 2 ? 6 : 8)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rng_below(r, 2));
    case 2:
        return json_integer(rng_between(r, -5, 70000));
    case 3:
        return json_integer((json_int_t)rng_next(r));
    case 4:
        return json_real((rng_unit(r) - 0.5) * 1e6);
    case 5:
        return json_string("us");
    case 6: {
        json_t *a = json_array();
        for (uint64_t i = rng_below(r, 4); i > 0; i--)
            json_array_append_new(a, random_json(r, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        static const char *const keys[] = {"sig_figs", "highest", "total_count", "min",
                                           "max",      "sum",     "clamped",     "counts"};
        for (uint64_t i = rng_below(r, 9); i > 0; i--)
            json_object_set_new(o, keys[rng_below(r, 8)], random_json(r, depth + 1));
        return o;
    }
    }
}

/* One of the member values, or a count pair, replaced by a random value. */
static void mutate(struct rng *r, json_t *doc)
{
    static const char *const keys[] = {"sig_figs", "highest", "unit",    "total_count", "min",
                                       "max",      "sum",     "clamped", "counts"};
    const char *key = keys[rng_below(r, 9)];
    json_t *counts = json_object_get(doc, "counts");
    switch (rng_below(r, 4)) {
    case 0:
        json_object_del(doc, key);
        break;
    case 1:
        json_object_set_new(doc, key, random_json(r, 1));
        break;
    case 2:
        if (json_array_size(counts) > 0) {
            size_t k = rng_below(r, json_array_size(counts));
            json_array_set_new(json_array_get(counts, k), rng_below(r, 2),
                               json_integer(rng_between(r, -3, 50000)));
        }
        break;
    default:
        if (json_array_size(counts) > 0)
            json_array_set_new(counts, rng_below(r, json_array_size(counts)), random_json(r, 1));
        break;
    }
}

/* Whatever arrives, decode returns a sound histogram or a one-line reason. */
static void arbitrary_json_never_crashes(void **state)
{
    (void)state;
    struct rng r;
    rng_seed(&r, 5, 5);
    struct hist *base = random_hist(&r, 2, 300);
    int refused = 0;
    for (int round = 0; round < 4000; round++) {
        json_t *doc;
        if (round % 4 == 0) {
            doc = random_json(&r, 0);
        } else {
            doc = hist_json_encode(base);
            for (uint64_t m = 1 + rng_below(&r, 3); m > 0; m--)
                mutate(&r, doc);
        }
        char err[256] = "";
        struct hist *h = hist_json_decode(doc, err, sizeof err);
        if (h == NULL) {
            refused++;
            assert_true(err[0] != '\0');
            assert_null(strchr(err, '\n'));
        } else {
            int64_t total = 0;
            for (int32_t i = 0; i < h->counts_len; i++) {
                assert_true(h->counts[i] >= 0);
                total += h->counts[i];
            }
            assert_int_equal(total, h->total_count);
            hist_value_at_percentile(h, 99.9);
            hist_destroy(h);
        }
        json_decref(doc);
    }
    /* Both outcomes occur: most mutations break the document, a few keep it valid. */
    assert_true(refused > 2000 && refused < 4000);
    hist_destroy(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_is_exact_at_every_precision),
        cmocka_unit_test(merge_of_decoded_equals_decoded_merge),
        cmocka_unit_test(empty_and_tiny_histograms_round_trip),
        cmocka_unit_test(only_non_zero_counts_are_written),
        cmocka_unit_test(malformed_inputs_are_refused_with_a_reason),
        cmocka_unit_test(valid_base_is_accepted),
        cmocka_unit_test(arbitrary_json_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
