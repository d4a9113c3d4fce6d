/* The series' one table of fields, and the JSON and CSV written and read from it. */
#include "txstorm/series_json.h"
#include "txstorm/errbuf.h"
#include "txstorm/hist_hdr.h"
#include "txstorm/hlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum field_kind {
    F_SECONDS, /* int64 microseconds, written in seconds */
    F_MS,      /* int64 microseconds, written in milliseconds */
    F_COUNT,   /* int64, never negative */
    F_BOOL,
    F_REAL,    /* double; NaN is not written */
    F_RATE,    /* written only: the count at `of` per second of the row */
    F_TEXT,    /* char[size] */
    F_HIST,    /* char *, an encoded histogram of the count at `of` */
    F_BY_CLASS /* int64[ERR_CLASS_COUNT], by classify_name, zeros left out */
};

struct field {
    const char *key;
    enum field_kind kind;
    size_t offset, size;
    size_t of;                                     /* F_RATE, F_HIST: the count it is of */
    bool (*present)(const struct interval_row *r); /* NULL: every row has it */
    bool csv;
    bool required; /* a row without it is not a row */
};

static bool phased(const struct interval_row *r) { return r->phase[0] != '\0'; }
static bool triggered(const struct interval_row *r) { return r->trigger[0] != '\0'; }
static bool erred(const struct interval_row *r) { return r->errors > 0; }
static bool connecting(const struct interval_row *r) { return r->connect_attempts > 0; }
static bool connect_known(const struct interval_row *r)
{
    return r->connects > 0 && r->last_connect_us != SERIES_UNKNOWN_US;
}
static bool workers_known(const struct interval_row *r) { return r->workers > 0; }
static bool offered(const struct interval_row *r) { return isfinite(r->offered_per_s); }
static bool busy_known(const struct interval_row *r) { return isfinite(r->loop_busy); }
static bool latency_kept(const struct interval_row *r) { return r->latency_hdr != NULL; }
static bool lag_kept(const struct interval_row *r) { return r->lag_hdr != NULL; }

#define AT(field) offsetof(struct interval_row, field), sizeof(((struct interval_row *)0)->field)
#define OF(field) offsetof(struct interval_row, field)

/* The row's keys, in the order they are written; CSV columns in this order too. */
static const struct field fields[] = {
    {"elapsed_s", F_SECONDS, AT(end_us), 0, NULL, true, true},
    {"interval_s", F_SECONDS, AT(length_us), 0, NULL, true, true},
    {"warmup", F_BOOL, AT(warmup), 0, NULL, true, false},
    {"stall", F_BOOL, AT(stall), 0, NULL, false, false},
    {"committed", F_COUNT, AT(committed), 0, NULL, true, false},
    {"committed_per_s", F_RATE, 0, 0, OF(committed), NULL, true, false},
    {"retries", F_COUNT, AT(retries), 0, NULL, true, false},
    {"retries_per_s", F_RATE, 0, 0, OF(retries), NULL, true, false},
    {"failed", F_COUNT, AT(failed), 0, NULL, true, false},
    {"ambiguous", F_COUNT, AT(ambiguous), 0, NULL, true, false},
    {"insufficient", F_COUNT, AT(insufficient), 0, NULL, true, false},
    {"p50_ms", F_MS, AT(p50_us), 0, NULL, true, false},
    {"p90_ms", F_MS, AT(p90_us), 0, NULL, true, false},
    {"p99_ms", F_MS, AT(p99_us), 0, NULL, true, false},
    {"max_ms", F_MS, AT(max_us), 0, NULL, true, false},
    {"lag_max_ms", F_MS, AT(lag_max_us), 0, NULL, true, false},
    {"workers_connected", F_COUNT, AT(workers_connected), 0, workers_known, true, false},
    {"workers", F_COUNT, AT(workers), 0, workers_known, true, false},
    {"loop_busy", F_REAL, AT(loop_busy), 0, busy_known, false, false},
    {"outage", F_BOOL, AT(outage), 0, NULL, false, false},
    {"retries_by_class", F_BY_CLASS, AT(retries_by_class), 0, NULL, false, false},
    {"phase", F_TEXT, AT(phase), 0, phased, true, false},
    {"offered_per_s", F_REAL, AT(offered_per_s), 0, offered, true, false},
    {"trigger", F_TEXT, AT(trigger), 0, triggered, true, false},
    {"connect_attempts", F_COUNT, AT(connect_attempts), 0, connecting, true, false},
    {"connects", F_COUNT, AT(connects), 0, connecting, true, false},
    {"last_connect_s", F_SECONDS, AT(last_connect_us), 0, connect_known, false, false},
    {"errors", F_COUNT, AT(errors), 0, erred, false, false},
    {"error_sqlstate", F_TEXT, AT(error_sqlstate), 0, erred, false, false},
    {"latency_hist", F_HIST, AT(latency_hdr), OF(committed), latency_kept, false, false},
    {"lag_hist", F_HIST, AT(lag_hdr), 0, lag_kept, false, false},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

#define PTR(row, off, type) ((type *)((char *)(row) + (off)))
#define CPTR(row, off, type) ((const type *)((const char *)(row) + (off)))

static double rate_of(const struct interval_row *r, const struct field *f)
{
    return figures_per_second((double)*CPTR(r, f->of, int64_t), r->length_us);
}

static json_t *field_json(const struct interval_row *r, const struct field *f)
{
    switch (f->kind) {
    case F_SECONDS:
        return json_real((double)*CPTR(r, f->offset, int64_t) / 1e6);
    case F_MS:
        return json_real((double)*CPTR(r, f->offset, int64_t) / 1e3);
    case F_COUNT:
        return json_integer(*CPTR(r, f->offset, int64_t));
    case F_BOOL:
        return json_boolean(*CPTR(r, f->offset, bool));
    case F_REAL:
        return json_real(*CPTR(r, f->offset, double));
    case F_RATE:
        return json_real(rate_of(r, f));
    case F_TEXT:
        return json_string(CPTR(r, f->offset, char));
    case F_HIST:
        return json_string(*CPTR(r, f->offset, char *));
    case F_BY_CLASS: {
        json_t *by = json_object();
        const int64_t *n = CPTR(r, f->offset, int64_t);
        for (int c = 0; by && c < ERR_CLASS_COUNT; c++)
            if (n[c]) json_object_set_new(by, classify_name(c), json_integer(n[c]));
        return by;
    }
    }
    return NULL;
}

json_t *series_row_json(const struct interval_row *r)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        if (f->present && !f->present(r)) continue;
        json_t *v = field_json(r, f);
        if (v == NULL || json_object_set_new(o, f->key, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

json_t *series_json_encode(const struct series *s)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < s->n; i++) {
        json_t *row = series_row_json(&s->rows[i]);
        if (row == NULL || json_array_append_new(rows, row) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    return rows;
}

/* Microseconds from a number of seconds (scale 1e6) or milliseconds (1e3). */
static int read_us(const json_t *v, double scale, int64_t *out)
{
    if (!json_is_number(v)) return -1;
    double x = json_number_value(v) * scale;
    if (!(x >= 0 && x < 9e18)) return -1;
    *out = (int64_t)llround(x);
    return 0;
}

/* Whether a written rate agrees with its count over the row's length, to the
 * precision the result is written with. */
static bool rate_agrees(double written, double expected)
{
    return fabs(written - expected) <= 1e-6 * fmax(1.0, fabs(expected));
}

static int read_field(const json_t *v, struct interval_row *r, const struct field *f, char *why,
                      size_t why_len)
{
    switch (f->kind) {
    case F_SECONDS:
        return read_us(v, 1e6, PTR(r, f->offset, int64_t)) == 0
                   ? 0
                   : errbuf_fail(why, why_len, "not a number of seconds");
    case F_MS:
        return read_us(v, 1e3, PTR(r, f->offset, int64_t)) == 0
                   ? 0
                   : errbuf_fail(why, why_len, "not a number of milliseconds");
    case F_COUNT:
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return errbuf_fail(why, why_len, "not a count");
        *PTR(r, f->offset, int64_t) = json_integer_value(v);
        return 0;
    case F_BOOL:
        if (!json_is_boolean(v)) return errbuf_fail(why, why_len, "not true or false");
        *PTR(r, f->offset, bool) = json_is_true(v);
        return 0;
    case F_REAL:
        if (!json_is_number(v)) return errbuf_fail(why, why_len, "not a number");
        *PTR(r, f->offset, double) = json_number_value(v);
        return 0;
    case F_RATE: /* checked once the row is read */
        return json_is_number(v) ? 0 : errbuf_fail(why, why_len, "not a rate");
    case F_TEXT:
        if (!json_is_string(v) || strlen(json_string_value(v)) >= f->size)
            return errbuf_fail(why, why_len, "not a string of under %zu bytes", f->size);
        memcpy(PTR(r, f->offset, char), json_string_value(v), strlen(json_string_value(v)) + 1);
        return 0;
    case F_HIST:
        if (!json_is_string(v)) return errbuf_fail(why, why_len, "not an encoded histogram");
        *PTR(r, f->offset, char *) = strdup(json_string_value(v));
        return *PTR(r, f->offset, char *) ? 0 : errbuf_fail(why, why_len, "out of memory");
    case F_BY_CLASS: {
        if (!json_is_object(v)) return errbuf_fail(why, why_len, "not an object of counts");
        int64_t *n = PTR(r, f->offset, int64_t);
        for (int c = 0; c < ERR_CLASS_COUNT; c++) {
            const json_t *x = json_object_get(v, classify_name(c));
            if (x == NULL) continue;
            if (!json_is_integer(x) || json_integer_value(x) < 0)
                return errbuf_fail(why, why_len, "'%s' is not a count", classify_name(c));
            n[c] = json_integer_value(x);
        }
        return 0;
    }
    }
    return -1;
}

/* What a row's written figures must agree with: its rates, its histograms. */
static int row_agrees(const json_t *o, const struct interval_row *r, char *why, size_t why_len)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        const json_t *v = json_object_get(o, f->key);
        if (f->kind == F_RATE && v && !rate_agrees(json_number_value(v), rate_of(r, f)))
            return errbuf_fail(why, why_len, "'%s' is not its count over the interval", f->key);
        if (f->kind != F_HIST || *CPTR(r, f->offset, char *) == NULL) continue;
        char herr[160];
        struct hist *h = hist_hdr_decode(*CPTR(r, f->offset, char *), herr, sizeof herr);
        if (h == NULL) return errbuf_fail(why, why_len, "'%s': %s", f->key, herr);
        bool counted = f->of == 0 || h->total_count == *CPTR(r, f->of, int64_t);
        hist_destroy(h);
        if (!counted)
            return errbuf_fail(why, why_len, "'%s' does not hold the interval's commits", f->key);
    }
    return 0;
}

static int read_row(const json_t *o, struct interval_row *r, char *why, size_t why_len)
{
    *r = (struct interval_row){
        .loop_busy = NAN, .offered_per_s = NAN, .last_connect_us = SERIES_UNKNOWN_US};
    if (!json_is_object(o)) return errbuf_fail(why, why_len, "not an object");
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        const json_t *v = json_object_get(o, f->key);
        if (v == NULL) {
            if (f->required) return errbuf_fail(why, why_len, "'%s' is missing", f->key);
            continue;
        }
        char fwhy[160];
        if (read_field(v, r, f, fwhy, sizeof fwhy) != 0)
            return errbuf_fail(why, why_len, "'%s': %s", f->key, fwhy);
    }
    r->open_loop = r->lag_max_us > 0 || r->lag_hdr != NULL || isfinite(r->offered_per_s);
    if (r->length_us > r->end_us) return errbuf_fail(why, why_len, "it starts before the run");
    if (r->connects > r->connect_attempts)
        return errbuf_fail(why, why_len, "more connects than connection attempts");
    if (r->workers_connected > r->workers)
        return errbuf_fail(why, why_len, "more workers connected than workers");
    if (r->last_connect_us != SERIES_UNKNOWN_US) {
        /* Times are written with 10 significant digits: past 10,000 s a row's
         * start, end and last connect each lose some microseconds, so a connect
         * at its very start may read a hair outside it. */
        int64_t start_us = r->end_us - r->length_us, slack_us = 1 + r->end_us / 1000000000;
        if (r->connects == 0 || r->last_connect_us < start_us - slack_us ||
            r->last_connect_us > r->end_us + slack_us)
            return errbuf_fail(why, why_len,
                               "'last_connect_s' is not a connect within the interval");
        if (r->last_connect_us < start_us) r->last_connect_us = start_us;
        if (r->last_connect_us > r->end_us) r->last_connect_us = r->end_us;
    }
    return row_agrees(o, r, why, why_len);
}

int series_json_decode(const json_t *intervals, struct series *s, char *err, size_t err_len)
{
    *s = (struct series){0};
    if (!json_is_array(intervals))
        return errbuf_fail(err, err_len, "'intervals' is not an array of rows");
    size_t i;
    const json_t *o;
    json_array_foreach(intervals, i, o)
    {
        struct interval_row r;
        char why[200];
        if (read_row(o, &r, why, sizeof why) != 0) {
            series_row_free(&r);
            series_free(s);
            return errbuf_fail(err, err_len, "intervals[%zu]: %s", i, why);
        }
        if (s->n > 0 && r.end_us < s->rows[s->n - 1].end_us) {
            series_row_free(&r);
            series_free(s);
            return errbuf_fail(err, err_len, "intervals[%zu]: ends before the row before it", i);
        }
        if (!series_append(s, &r)) {
            series_free(s);
            return errbuf_fail(err, err_len, "intervals: out of memory");
        }
    }
    return 0;
}

static void put_csv(FILE *out, const struct interval_row *r, const struct field *f)
{
    switch (f->kind) {
    case F_SECONDS:
        fprintf(out, "%.6g", (double)*CPTR(r, f->offset, int64_t) / 1e6);
        break;
    case F_MS:
        fprintf(out, "%.6g", (double)*CPTR(r, f->offset, int64_t) / 1e3);
        break;
    case F_COUNT:
        fprintf(out, "%lld", (long long)*CPTR(r, f->offset, int64_t));
        break;
    case F_BOOL:
        fprintf(out, "%d", *CPTR(r, f->offset, bool));
        break;
    case F_REAL:
        fprintf(out, "%.6g", *CPTR(r, f->offset, double));
        break;
    case F_RATE:
        fprintf(out, "%.6g", rate_of(r, f));
        break;
    case F_TEXT:
        fputs(CPTR(r, f->offset, char), out);
        break;
    case F_HIST:
    case F_BY_CLASS:
        break; /* not columns */
    }
}

int series_write_csv(FILE *out, const void *arg)
{
    const struct series *s = arg;
    bool column[N_FIELDS];
    for (size_t c = 0; c < N_FIELDS; c++) {
        const struct field *f = &fields[c];
        column[c] = f->csv && f->present == NULL;
        for (size_t i = 0; f->csv && !column[c] && i < s->n; i++)
            column[c] = f->present(&s->rows[i]);
    }
    bool first = true;
    for (size_t c = 0; c < N_FIELDS; c++)
        if (column[c]) {
            fprintf(out, "%s%s", first ? "" : ",", fields[c].key);
            first = false;
        }
    fputc('\n', out);
    for (size_t i = 0; i < s->n; i++) {
        first = true;
        for (size_t c = 0; c < N_FIELDS; c++) {
            if (!column[c]) continue;
            if (!first) fputc(',', out);
            first = false;
            const struct field *f = &fields[c];
            if (f->present == NULL || f->present(&s->rows[i])) put_csv(out, &s->rows[i], f);
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int series_write_hlog(FILE *out, const void *arg)
{
    const struct series_hlog *h = arg;
    struct hist *empty = hist_create(STATS_HIST_HIGHEST, h->sig_figs);
    char *none = empty ? hist_hdr_encode(empty) : NULL;
    hist_destroy(empty);
    int rc = none && hlog_write_header(out, h->origin_unix_us) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < h->series->n; i++) {
        const struct interval_row *r = &h->series->rows[i];
        if (r->warmup) continue;
        rc = hlog_write_encoded(out, series_row_start_s(r), (double)r->length_us / 1e6,
                                r->latency_hdr ? r->max_us : 0,
                                r->latency_hdr ? r->latency_hdr : none);
    }
    free(none);
    return rc == 0 && fflush(out) == 0 ? 0 : -1;
}
