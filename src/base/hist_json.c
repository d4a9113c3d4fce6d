/* Histograms to and from JSON; decoding trusts nothing it reads. */
#include "txstorm/hist_json.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool set(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

json_t *hist_json_encode(const struct hist *h)
{
    json_t *o = json_object(), *counts = json_array();
    if (o == NULL || counts == NULL) goto fail;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] == 0) continue;
        json_t *pair = json_pack("[II]", (json_int_t)i, (json_int_t)h->counts[i]);
        if (pair == NULL || json_array_append_new(counts, pair) != 0) goto fail;
    }
    /* min is INT64_MAX while empty; 0 reads better and decodes back to it. */
    bool ok = set(o, "sig_figs", json_integer(h->sig_figs)) &&
              set(o, "highest", json_integer(h->highest)) && set(o, "unit", json_string("us")) &&
              set(o, "total_count", json_integer(h->total_count)) &&
              set(o, "min", json_integer(hist_min(h))) && set(o, "max", json_integer(h->max)) &&
              set(o, "sum", json_real(h->sum)) && set(o, "clamped", json_integer(h->clamped));
    if (!ok) goto fail;
    if (json_object_set_new(o, "counts", counts) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
fail:
    json_decref(counts);
    json_decref(o);
    return NULL;
}

/* A required integer member within [lo, hi]. */
static int get_int(const json_t *j, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   char *err, size_t err_len)
{
    json_t *v = json_object_get(j, key);
    if (v == NULL) return errbuf_fail(err, err_len, "histogram: '%s' is missing", key);
    if (!json_is_integer(v))
        return errbuf_fail(err, err_len, "histogram: '%s' must be an integer", key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return errbuf_fail(err, err_len, "histogram: '%s' = %lld is out of range (%lld..%lld)", key,
                           (long long)x, (long long)lo, (long long)hi);
    *out = (int64_t)x;
    return 0;
}

/* Fills h->counts from the [index, count] pairs; returns the first and last
 * index used through *first and *last. */
static int read_counts(const json_t *counts, struct hist *h, int32_t *first, int32_t *last,
                       char *err, size_t err_len)
{
    if (!json_is_array(counts))
        return errbuf_fail(err, err_len, "histogram: 'counts' must be an array of [index, count]");
    int64_t total = 0, prev = -1;
    size_t n = json_array_size(counts);
    for (size_t k = 0; k < n; k++) {
        const json_t *pair = json_array_get(counts, k);
        const json_t *ji = json_array_get(pair, 0), *jc = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(ji) ||
            !json_is_integer(jc))
            return errbuf_fail(
                err, err_len, "histogram: counts[%zu] is not a pair of integers [index, count]", k);
        json_int_t i = json_integer_value(ji), c = json_integer_value(jc);
        if (i < 0 || i >= h->counts_len)
            return errbuf_fail(err, err_len,
                               "histogram: counts[%zu]: index %lld is out of range (0..%d)", k,
                               (long long)i, (int)h->counts_len - 1);
        if (i <= prev)
            return errbuf_fail(err, err_len,
                               "histogram: counts[%zu]: index %lld does not follow %lld "
                               "(indexes must increase)",
                               k, (long long)i, (long long)prev);
        if (c <= 0)
            return errbuf_fail(err, err_len, "histogram: counts[%zu]: count %lld is not positive",
                               k, (long long)c);
        if (c > INT64_MAX - total)
            return errbuf_fail(err, err_len, "histogram: counts add up past 2^63");
        h->counts[i] = c;
        total += c;
        if (prev < 0) *first = (int32_t)i;
        *last = (int32_t)i;
        prev = i;
    }
    if (total != h->total_count)
        return errbuf_fail(err, err_len, "histogram: counts add up to %lld, not total_count %lld",
                           (long long)total, (long long)h->total_count);
    return 0;
}

/* min, max, clamped and sum against what the counts allow. */
static int check_summary(const struct hist *h, int32_t first, int32_t last, char *err,
                         size_t err_len)
{
    if (h->total_count == 0) {
        if (h->min != 0 || h->max != 0 || h->clamped != 0 || h->sum != 0)
            return errbuf_fail(err, err_len,
                               "histogram: empty, yet min, max, clamped or sum is not 0");
        return 0;
    }
    int64_t lo = hist_value_at_index(h, first), hi = hist_highest_equivalent(h, lo);
    if (h->min < lo || h->min > hi)
        return errbuf_fail(err, err_len,
                           "histogram: min %lld is outside the lowest bucket (%lld..%lld)",
                           (long long)h->min, (long long)lo, (long long)hi);
    lo = hist_value_at_index(h, last);
    hi = hist_highest_equivalent(h, lo);
    if (h->max < lo || h->max > hi)
        return errbuf_fail(err, err_len,
                           "histogram: max %lld is outside the highest bucket (%lld..%lld)",
                           (long long)h->max, (long long)lo, (long long)hi);
    /* Clamped values were recorded as highest, so they sit in the top bucket. */
    if (h->clamped > 0 && h->max != h->highest)
        return errbuf_fail(err, err_len, "histogram: %lld clamped values, yet max is not %lld",
                           (long long)h->clamped, (long long)h->highest);
    if (h->clamped > h->counts[last])
        return errbuf_fail(err, err_len, "histogram: %lld clamped values, but only %lld at the top",
                           (long long)h->clamped, (long long)h->counts[last]);

    /* The sum of doubles may round, hence the slack. */
    double sum_lo = 0, sum_hi = 0;
    for (int32_t i = first; i <= last; i++) {
        if (h->counts[i] == 0) continue;
        int64_t v = hist_value_at_index(h, i);
        sum_lo += (double)h->counts[i] * (double)v;
        sum_hi += (double)h->counts[i] * (double)hist_highest_equivalent(h, v);
    }
    if (h->sum < sum_lo * (1 - 1e-6) - 1 || h->sum > sum_hi * (1 + 1e-6) + 1)
        return errbuf_fail(err, err_len, "histogram: sum %.17g does not fit the counts (%g..%g)",
                           h->sum, sum_lo, sum_hi);
    return 0;
}

struct hist *hist_json_decode(const json_t *j, char *err, size_t err_len)
{
    if (!json_is_object(j)) {
        errbuf_fail(err, err_len, "histogram: expected a JSON object");
        return NULL;
    }
    int64_t sig_figs, highest;
    if (get_int(j, "sig_figs", 1, 5, &sig_figs, err, err_len) != 0 ||
        get_int(j, "highest", 2, INT64_MAX, &highest, err, err_len) != 0)
        return NULL;
    const json_t *unit = json_object_get(j, "unit");
    if (unit != NULL && !(json_is_string(unit) && strcmp(json_string_value(unit), "us") == 0)) {
        errbuf_fail(err, err_len, "histogram: 'unit' must be \"us\"");
        return NULL;
    }
    const json_t *sum = json_object_get(j, "sum");
    if (sum == NULL || !json_is_number(sum)) {
        errbuf_fail(err, err_len, "histogram: 'sum' must be a number");
        return NULL;
    }
    double sum_value = json_number_value(sum);
    if (!isfinite(sum_value) || sum_value < 0) {
        errbuf_fail(err, err_len, "histogram: 'sum' must be finite and not negative");
        return NULL;
    }

    struct hist *h = hist_create(highest, (int)sig_figs);
    if (h == NULL) {
        errbuf_fail(err, err_len, "histogram: out of memory");
        return NULL;
    }
    int32_t first = 0, last = 0;
    h->sum = sum_value;
    if (get_int(j, "total_count", 0, INT64_MAX, &h->total_count, err, err_len) != 0 ||
        get_int(j, "clamped", 0, h->total_count, &h->clamped, err, err_len) != 0 ||
        get_int(j, "min", 0, h->highest, &h->min, err, err_len) != 0 ||
        get_int(j, "max", 0, h->highest, &h->max, err, err_len) != 0 ||
        read_counts(json_object_get(j, "counts"), h, &first, &last, err, err_len) != 0 ||
        check_summary(h, first, last, err, err_len) != 0)
        goto fail;
    if (h->total_count == 0) h->min = INT64_MAX;
    return h;
fail:
    hist_destroy(h);
    return NULL;
}
