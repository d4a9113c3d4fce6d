/* The JSON form of the tool's record: base64 of the 2-bit arrays and of the times, totals and
 * samples. */
#include "txstorm/ledger_json.h"
#include "ledger_internal.h"
#include "txstorm/base64.h"
#include "txstorm/errbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_MAX 8

/* The first SAMPLE_MAX failed and acked ids, in worker order. */
static void samples(const struct ledger *l, int64_t *failed, int *n_failed, int64_t *acked,
                    int *n_acked)
{
    *n_failed = *n_acked = 0;
    for (int w = 0; w < l->n_workers; w++) {
        const struct ledger_book *b = &l->books[w];
        for (int64_t s = 0; s < b->n; s++) {
            if (*n_failed == SAMPLE_MAX && *n_acked == SAMPLE_MAX) return;
            unsigned o = get2(b->bits, s);
            if (o == LEDGER_FAILED && *n_failed < SAMPLE_MAX)
                failed[(*n_failed)++] = ledger_transfer_id(l->instance, w, s);
            else if (o == LEDGER_ACKED && *n_acked < SAMPLE_MAX)
                acked[(*n_acked)++] = ledger_transfer_id(l->instance, w, s);
        }
    }
}

/* The times of a book, as base64 of their differences (each from the seq
 * before; zigzag LEB128 varints): a worker's times rise slowly, so most take
 * one byte instead of four. */

#define VARINT_MAX 10

static size_t varint_put(uint8_t *out, int64_t delta)
{
    uint64_t z = (uint64_t)delta << 1 ^ (uint64_t)(delta >> 63);
    size_t n = 0;
    do {
        out[n++] = (uint8_t)((z & 0x7f) | (z > 0x7f ? 0x80 : 0));
        z >>= 7;
    } while (z != 0);
    return n;
}

/* Reads one varint from in[*at..len); false when it runs off the end or overflows. */
static bool varint_get(const uint8_t *in, size_t len, size_t *at, int64_t *delta)
{
    uint64_t z = 0;
    for (unsigned shift = 0; *at < len && shift < 64; shift += 7) {
        uint8_t byte = in[(*at)++];
        z |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *delta = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
            return true;
        }
    }
    return false;
}

static json_t *times_encode(const struct ledger_book *b)
{
    uint8_t *raw = malloc((size_t)b->n * VARINT_MAX + 1);
    if (raw == NULL) return NULL;
    size_t len = 0;
    int64_t before = 0;
    for (int64_t s = 0; s < b->n; s++) {
        len += varint_put(raw + len, (int64_t)b->at_ms[s] - before);
        before = b->at_ms[s];
    }
    char *text = malloc(base64_encoded_len(len) + 1);
    json_t *j = NULL;
    if (text != NULL) {
        base64_encode(raw, len, text);
        j = json_stringn_nocheck(text, base64_encoded_len(len));
    }
    free(text);
    free(raw);
    return j;
}

static bool set(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0;
}

static json_t *id_array(const int64_t *ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n && a != NULL; i++) {
        if (json_array_append_new(a, json_integer(ids[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *book_encode(const struct ledger_book *b)
{
    size_t bytes = book_bytes(b->n), len = base64_encoded_len(bytes);
    char *text = malloc(len + 1);
    if (text == NULL) return NULL;
    base64_encode(b->bits, bytes, text);
    json_t *o = json_object();
    bool ok = o != NULL && set(o, "n", json_integer(b->n)) &&
              set(o, "outcomes", json_stringn_nocheck(text, len)) &&
              (b->at_ms == NULL || set(o, "at_ms", times_encode(b)));
    free(text);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *ledger_json_encode(const struct ledger *l)
{
    json_t *o = json_object(), *workers = json_array();
    if (o == NULL || workers == NULL || !set(o, "instance", json_integer(l->instance))) {
        json_decref(workers);
        goto fail;
    }
    if (!set(o, "workers", workers)) goto fail;
    if (l->origin_unix_ms != 0 && !set(o, "origin_unix_ms", json_integer(l->origin_unix_ms)))
        goto fail;
    for (int w = 0; w < l->n_workers; w++)
        if (json_array_append_new(workers, book_encode(&l->books[w])) != 0) goto fail;
    struct ledger_counts c;
    ledger_count(l, &c);
    int64_t failed[SAMPLE_MAX], acked[SAMPLE_MAX];
    int n_failed, n_acked;
    samples(l, failed, &n_failed, acked, &n_acked);
    if (!set(o, "acked", json_integer(c.acked)) || !set(o, "failed", json_integer(c.failed)) ||
        !set(o, "ambiguous", json_integer(c.ambiguous)) ||
        !set(o, "failed_sample", id_array(failed, n_failed)) ||
        !set(o, "acked_sample", id_array(acked, n_acked)))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

/* A required integer member within [lo, hi]; where prefixes the key in messages. */
static int get_int(const json_t *j, const char *where, const char *key, int64_t lo, int64_t hi,
                   int64_t *out, char *err, size_t err_len)
{
    *out = 0; /* set on every path, so no caller reads an unset value */
    const json_t *v = json_object_get(j, key);
    if (v == NULL) return errbuf_fail(err, err_len, "ledger: %s'%s' is missing", where, key);
    if (!json_is_integer(v))
        return errbuf_fail(err, err_len, "ledger: %s'%s' must be an integer", where, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return errbuf_fail(err, err_len, "ledger: %s'%s' = %lld is out of range (%lld..%lld)",
                           where, key, (long long)x, (long long)lo, (long long)hi);
    *out = (int64_t)x;
    return 0;
}

/* A book's times, when its result has them (older ones do not). */
static int times_decode(const json_t *j, const char *where, struct ledger_book *b, char *err,
                        size_t err_len)
{
    if (j == NULL) return 0;
    if (!json_is_string(j))
        return errbuf_fail(err, err_len, "ledger: %s'at_ms' must be a string", where);
    const char *s = json_string_value(j);
    size_t len = json_string_length(j);
    int64_t raw_len = base64_decoded_len(s, len);
    if (raw_len < 0)
        return errbuf_fail(err, err_len, "ledger: %s'at_ms' is not valid base64", where);
    uint8_t *raw = malloc((size_t)raw_len + 1);
    /* As many entries as ledger_record would have made room for. */
    b->at_ms = malloc((b->cap > 0 ? b->cap : 1) * 4 * sizeof *b->at_ms);
    if (raw == NULL || b->at_ms == NULL) {
        free(raw);
        return errbuf_fail(err, err_len, "ledger: out of memory");
    }
    base64_decode(s, len, raw);
    size_t at = 0;
    int64_t t = 0;
    bool ok = true;
    for (int64_t seq = 0; seq < b->n && ok; seq++) {
        int64_t delta;
        ok = varint_get(raw, (size_t)raw_len, &at, &delta) && delta >= -t &&
             delta <= (int64_t)UINT32_MAX - t;
        t += ok ? delta : 0;
        b->at_ms[seq] = (uint32_t)t;
    }
    free(raw);
    if (!ok || at != (size_t)raw_len)
        return errbuf_fail(err, err_len, "ledger: %s'at_ms' does not hold n = %lld times", where,
                           (long long)b->n);
    return 0;
}

static int book_decode(const json_t *j, size_t w, struct ledger_book *b, char *err, size_t err_len)
{
    char where[32];
    snprintf(where, sizeof where, "workers[%zu]: ", w);
    if (!json_is_object(j)) return errbuf_fail(err, err_len, "ledger: %sexpected an object", where);
    int64_t n;
    if (get_int(j, where, "n", 0, SEQ_LIMIT, &n, err, err_len) != 0) return -1;
    const json_t *out = json_object_get(j, "outcomes");
    if (out == NULL) return errbuf_fail(err, err_len, "ledger: %s'outcomes' is missing", where);
    if (!json_is_string(out))
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' must be a string", where);
    const char *s = json_string_value(out);
    size_t len = json_string_length(out), bytes = book_bytes(n);
    int64_t got = base64_decoded_len(s, len);
    if (got < 0)
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' is not valid base64", where);
    if ((uint64_t)got != bytes)
        return errbuf_fail(err, err_len,
                           "ledger: %s'outcomes' holds %lld bytes, but n = %lld needs %zu", where,
                           (long long)got, (long long)n, bytes);
    if (bytes > 0) {
        b->bits = malloc(bytes);
        if (b->bits == NULL) return errbuf_fail(err, err_len, "ledger: out of memory");
        b->cap = bytes;
        base64_decode(s, len, b->bits);
    }
    b->n = n;
    /* ledger_record ORs into the last byte, so stray bits would corrupt it. */
    if (n % 4 != 0 && (b->bits[bytes - 1] >> ((unsigned)(n % 4) * 2)) != 0)
        return errbuf_fail(err, err_len, "ledger: %s'outcomes' has bits set beyond n = %lld", where,
                           (long long)n);
    return times_decode(json_object_get(j, "at_ms"), where, b, err, err_len);
}

static int check_total(const json_t *j, const char *key, int64_t want, char *err, size_t err_len)
{
    int64_t got;
    if (get_int(j, "", key, 0, INT64_MAX, &got, err, err_len) != 0) return -1;
    if (got != want)
        return errbuf_fail(err, err_len, "ledger: '%s' is %lld, but the outcomes hold %lld", key,
                           (long long)got, (long long)want);
    return 0;
}

/* The sample must be exactly what encoding these outcomes writes. */
static int check_sample(const json_t *j, const char *key, const int64_t *want, int n_want,
                        char *err, size_t err_len)
{
    const json_t *a = json_object_get(j, key);
    if (!json_is_array(a))
        return errbuf_fail(err, err_len, "ledger: '%s' must be an array of ids", key);
    bool same = json_array_size(a) == (size_t)n_want;
    for (int i = 0; i < n_want && same; i++) {
        const json_t *v = json_array_get(a, (size_t)i);
        same = json_is_integer(v) && json_integer_value(v) == want[i];
    }
    if (!same) return errbuf_fail(err, err_len, "ledger: '%s' does not match the outcomes", key);
    return 0;
}

int ledger_json_decode(const json_t *j, struct ledger *l, char *err, size_t err_len)
{
    memset(l, 0, sizeof *l);
    if (!json_is_object(j)) return errbuf_fail(err, err_len, "ledger: expected a JSON object");
    int64_t instance;
    if (get_int(j, "", "instance", 0, INSTANCE_LIMIT - 1, &instance, err, err_len) != 0) return -1;
    const json_t *workers = json_object_get(j, "workers");
    if (!json_is_array(workers))
        return errbuf_fail(err, err_len, "ledger: 'workers' must be an array");
    size_t n_workers = json_array_size(workers);
    if (n_workers > WORKER_LIMIT)
        return errbuf_fail(err, err_len, "ledger: %zu workers, more than %d", n_workers,
                           WORKER_LIMIT);
    if (ledger_init(l, (int)instance, (int)n_workers) != 0)
        return errbuf_fail(err, err_len, "ledger: out of memory");
    for (size_t w = 0; w < n_workers; w++)
        if (book_decode(json_array_get(workers, w), w, &l->books[w], err, err_len) != 0) goto fail;
    const json_t *origin = json_object_get(j, "origin_unix_ms");
    if (origin != NULL &&
        get_int(j, "", "origin_unix_ms", 0, INT64_MAX, &l->origin_unix_ms, err, err_len) != 0)
        goto fail;

    struct ledger_counts c;
    ledger_count(l, &c);
    int64_t failed[SAMPLE_MAX], acked[SAMPLE_MAX];
    int n_failed, n_acked;
    samples(l, failed, &n_failed, acked, &n_acked);
    if (check_total(j, "acked", c.acked, err, err_len) != 0 ||
        check_total(j, "failed", c.failed, err, err_len) != 0 ||
        check_total(j, "ambiguous", c.ambiguous, err, err_len) != 0 ||
        check_sample(j, "failed_sample", failed, n_failed, err, err_len) != 0 ||
        check_sample(j, "acked_sample", acked, n_acked, err, err_len) != 0)
        goto fail;
    return 0;
fail:
    ledger_free(l);
    return -1;
}
