/* The auditor's readings: kept, concatenated for a merge, and their JSON
 * both ways. */
#include "txstorm/audit_series.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool audit_series_append(struct audit_series *a, const struct audit_point *p)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        struct audit_point *items = realloc(a->items, cap * sizeof *items);
        if (items == NULL) return false;
        a->items = items;
        a->cap = cap;
    }
    a->items[a->n++] = *p;
    a->present = true;
    return true;
}

bool audit_series_concat(struct audit_series *into, const struct audit_series *from,
                         int64_t offset_us, int instance)
{
    if (from->present) into->present = true;
    for (size_t i = 0; i < from->n; i++) {
        struct audit_point p = from->items[i];
        p.t_us += offset_us;
        if (instance >= 0) p.instance = instance;
        if (!audit_series_append(into, &p)) return false;
    }
    return true;
}

void audit_series_free(struct audit_series *a)
{
    free(a->items);
    memset(a, 0, sizeof *a);
}

json_t *audit_series_json(const struct audit_series *a)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < a->n; i++) {
        const struct audit_point *p = &a->items[i];
        json_t *row = json_pack("{s:f, s:I, s:I, s:b, s:f}", "t_s", (double)p->t_us / 1e6, "total",
                                (json_int_t)p->total, "negative", (json_int_t)p->negative, "ok",
                                p->ok, "latency_ms", (double)p->latency_us / 1000.0);
        if (row && p->instance >= 0)
            json_object_set_new(row, "instance", json_integer(p->instance));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* Seconds (or milliseconds, with scale 1e3) back to whole microseconds. */
static int64_t to_us(double v, double scale) { return (int64_t)llround(v * scale); }

int audit_series_decode(const json_t *j, struct audit_series *a, char *err, size_t err_len)
{
    memset(a, 0, sizeof *a);
    if (!json_is_array(j)) return errbuf_fail(err, err_len, "'auditor_series' is not a list");
    a->present = true;
    size_t i;
    json_t *row;
    json_array_foreach(j, i, row)
    {
        double t_s, latency_ms;
        json_int_t total, negative;
        int ok, instance = -1;
        if (json_unpack(row, "{s:F, s:I, s:I, s:b, s:F, s?i}", "t_s", &t_s, "total", &total,
                        "negative", &negative, "ok", &ok, "latency_ms", &latency_ms, "instance",
                        &instance) != 0 ||
            !isfinite(t_s) || !isfinite(latency_ms) || latency_ms < 0 || negative < 0 ||
            instance < -1) {
            audit_series_free(a);
            return errbuf_fail(err, err_len, "'auditor_series' entry %zu is malformed", i + 1);
        }
        struct audit_point p = {.instance = instance,
                                .t_us = to_us(t_s, 1e6),
                                .total = total,
                                .negative = negative,
                                .ok = ok,
                                .latency_us = to_us(latency_ms, 1e3)};
        if (!audit_series_append(a, &p)) {
            audit_series_free(a);
            return errbuf_fail(err, err_len, "out of memory");
        }
    }
    a->present = true;
    return 0;
}
