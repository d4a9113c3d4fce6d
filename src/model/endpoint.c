/* Per-endpoint figures: counting, summing, merging, JSON. */
#include "txstorm/endpoint.h"

#include "txstorm/connect_reason.h"
#include "txstorm/errbuf.h"
#include "txstorm/hist_json.h"

#include <stdlib.h>
#include <string.h>

int endpoint_of_worker(int worker, int n) { return n > 1 ? worker % n : 0; }

int endpoint_workers(int e, int n_workers, int n)
{
    if (n <= 1) return e == 0 ? n_workers : 0;
    return n_workers / n + (e < n_workers % n);
}

static int figures(int sig_figs)
{
    return sig_figs < ENDPOINT_SIG_FIGS_MAX ? sig_figs : ENDPOINT_SIG_FIGS_MAX;
}

size_t endpoint_bytes(int sig_figs)
{
    return sizeof(struct endpoint_stats) + hist_bytes(STATS_HIST_HIGHEST, figures(sig_figs));
}

bool endpoint_init(struct endpoint_stats *e, int sig_figs, const char *dsn)
{
    memset(e, 0, sizeof *e);
    e->latency_us = hist_create(STATS_HIST_HIGHEST, figures(sig_figs));
    e->dsn = dsn ? strdup(dsn) : NULL;
    if (e->latency_us && (dsn == NULL || e->dsn)) return true;
    endpoint_free(e);
    return false;
}

void endpoint_free(struct endpoint_stats *e)
{
    hist_destroy(e->latency_us);
    free(e->dsn);
    memset(e, 0, sizeof *e);
}

struct endpoint_stats *endpoints_create(int n, int sig_figs)
{
    struct endpoint_stats *list = calloc((size_t)n, sizeof *list);
    for (int i = 0; list && i < n; i++) {
        if (!endpoint_init(&list[i], sig_figs, NULL)) {
            endpoints_free(list, i);
            return NULL;
        }
    }
    return list;
}

void endpoint_reset(struct endpoint_stats *e)
{
    struct endpoint_stats keep = *e;
    memset(e, 0, sizeof *e);
    e->dsn = keep.dsn;
    e->workers = keep.workers;
    e->latency_us = keep.latency_us;
    hist_reset(e->latency_us);
}

void endpoint_add_txn(struct endpoint_stats *e, const struct txn_outcome *o)
{
    if (o->end == TXN_COMMITTED) hist_record(e->latency_us, o->latency_us + o->lag_us);
    e->committed += o->end == TXN_COMMITTED;
    e->failed += o->end == TXN_FAILED;
    e->ambiguous += o->end == TXN_AMBIGUOUS;
    e->retries += o->retries;
#define ADD_BY(field)                                                                              \
    for (int c = 0; c < ERR_CLASS_COUNT; c++)                                                      \
        e->field[c] += o->field[c];
    ENDPOINT_COUNTS_BY(ADD_BY)
#undef ADD_BY
}

void endpoint_add_connect(struct endpoint_stats *e, const struct connect_outcome *c)
{
    e->connect_attempts++;
    e->connects += c->ok;
    if (!c->ok) e->connect_failures[c->reason]++;
}

/* The counters and faults of src into dst. */
static void add_counts(struct endpoint_stats *dst, const struct endpoint_stats *src)
{
    dst->workers += src->workers;
#define ADD(field) dst->field += src->field;
    ENDPOINT_COUNTERS(ADD)
    ENDPOINT_FAULTS(ADD)
    ENDPOINT_CONNECTS(ADD)
#undef ADD
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        dst->connect_failures[r] += src->connect_failures[r];
#define ADD_BY(field)                                                                              \
    for (int c = 0; c < ERR_CLASS_COUNT; c++)                                                      \
        dst->field[c] += src->field[c];
    ENDPOINT_COUNTS_BY(ADD_BY)
#undef ADD_BY
}

bool endpoint_merge(struct endpoint_stats *dst, const struct endpoint_stats *src)
{
    if (!hist_merge(dst->latency_us, src->latency_us)) return false;
    add_counts(dst, src);
    return true;
}

void endpoints_sum(const struct endpoint_stats *e, int n, struct endpoint_stats *sum)
{
    memset(sum, 0, sizeof *sum);
    for (int i = 0; i < n; i++)
        add_counts(sum, &e[i]);
}

static bool same_dsn(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

int endpoints_merge_into(struct endpoint_stats **list, int *n, const struct endpoint_stats *src,
                         int n_src)
{
    for (int i = 0; i < n_src; i++) {
        int at = 0;
        while (at < *n && !same_dsn((*list)[at].dsn, src[i].dsn))
            at++;
        if (at == *n) {
            struct endpoint_stats *grown = realloc(*list, (size_t)(*n + 1) * sizeof *grown);
            if (grown == NULL) return -1;
            *list = grown;
            if (!endpoint_init(&grown[at], src[i].latency_us->sig_figs, src[i].dsn)) return -1;
            (*n)++;
        }
        if (!endpoint_merge(&(*list)[at], &src[i])) return -1;
    }
    return 0;
}

void endpoints_free(struct endpoint_stats *list, int n)
{
    for (int i = 0; list && i < n; i++)
        endpoint_free(&list[i]);
    free(list);
}

#define KEY(field) #field,
const char *const endpoint_connect_keys[] = {ENDPOINT_CONNECTS(KEY) "connect_failures", NULL};
#undef KEY

json_t *endpoint_json_encode(const struct endpoint_stats *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "dsn", e->dsn ? json_string(e->dsn) : json_null());
    json_object_set_new(o, "workers", json_integer(e->workers));
#define PUT(field) json_object_set_new(o, #field, json_integer(e->field));
    ENDPOINT_COUNTERS(PUT)
#undef PUT
#define PUT_BY(field)                                                                              \
    {                                                                                              \
        json_t *by = json_object();                                                                \
        for (int c = 0; c < ERR_CLASS_COUNT; c++)                                                  \
            json_object_set_new(by, classify_name(c), json_integer(e->field[c]));                  \
        json_object_set_new(o, #field, by);                                                        \
    }
    ENDPOINT_COUNTS_BY(PUT_BY)
#undef PUT_BY
#define PUT(field) json_object_set_new(o, #field, json_integer(e->field));
    ENDPOINT_FAULTS(PUT)
    ENDPOINT_CONNECTS(PUT)
#undef PUT
    json_t *failures = json_object();
    for (int r = 0; r < CONNECT_REASON_COUNT; r++)
        if (e->connect_failures[r])
            json_object_set_new(failures, connect_reason_name(r),
                                json_integer(e->connect_failures[r]));
    json_object_set_new(o, "connect_failures", failures);
    json_object_set_new(
        o, "latency_ms",
        json_pack("{s:f, s:f}", "p50", (double)hist_value_at_percentile(e->latency_us, 50) / 1e3,
                  "p99", (double)hist_value_at_percentile(e->latency_us, 99) / 1e3));
    json_object_set_new(o, "latency_us", hist_json_encode(e->latency_us));
    return o;
}

/* A count of o, required, not negative. */
static int get_count(const json_t *o, const char *key, int64_t *out, char *err, size_t err_len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return errbuf_fail(err, err_len, "endpoint: '%s' is not a count", key);
    *out = json_integer_value(v);
    return 0;
}

int endpoint_json_decode(const json_t *j, struct endpoint_stats *e, char *err, size_t err_len)
{
    memset(e, 0, sizeof *e);
    const json_t *dsn = json_object_get(j, "dsn");
    if (!json_is_object(j) || !(json_is_string(dsn) || json_is_null(dsn)))
        return errbuf_fail(err, err_len, "endpoint: not an object with a 'dsn'");
    char herr[200];
    e->latency_us = hist_json_decode(json_object_get(j, "latency_us"), herr, sizeof herr);
    if (e->latency_us == NULL) return errbuf_fail(err, err_len, "endpoint: latency_us: %s", herr);
    e->dsn = json_is_string(dsn) ? strdup(json_string_value(dsn)) : NULL;
    if (json_is_string(dsn) && e->dsn == NULL) goto fail_oom;
    if (get_count(j, "workers", &e->workers, err, err_len)) goto fail;
#define GET(field)                                                                                 \
    if (get_count(j, #field, &e->field, err, err_len)) goto fail;
    ENDPOINT_COUNTERS(GET)
    ENDPOINT_FAULTS(GET)
#undef GET
#define GET_BY(field)                                                                              \
    for (int c = 0; c < ERR_CLASS_COUNT; c++)                                                      \
        if (get_count(json_object_get(j, #field), classify_name(c), &e->field[c], err, err_len))  \
            goto fail;
    ENDPOINT_COUNTS_BY(GET_BY)
#undef GET_BY
#define GET_OPTIONAL(field)                                                                        \
    if (json_object_get(j, #field) && get_count(j, #field, &e->field, err, err_len)) goto fail;
    ENDPOINT_CONNECTS(GET_OPTIONAL)
#undef GET_OPTIONAL
    const json_t *failures = json_object_get(j, "connect_failures");
    for (int r = 0; failures && r < CONNECT_REASON_COUNT; r++)
        if (json_object_get(failures, connect_reason_name(r)) &&
            get_count(failures, connect_reason_name(r), &e->connect_failures[r], err, err_len))
            goto fail;
    if (e->connects > e->connect_attempts) {
        errbuf_fail(err, err_len, "endpoint: more connects than connect_attempts");
        goto fail;
    }
    if (e->latency_us->total_count != e->committed) {
        errbuf_fail(err, err_len, "endpoint: latency_us does not hold one value per committed");
        goto fail;
    }
    return 0;
fail_oom:
    errbuf_fail(err, err_len, "endpoint: out of memory");
fail:
    endpoint_free(e);
    return -1;
}
