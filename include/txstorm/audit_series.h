/* The continuous auditor's readings (auditor.h) as a result keeps them:
 * when each was taken, what it read, whether it held, how long it took.
 * Pure. */
#ifndef TXSTORM_AUDIT_SERIES_H
#define TXSTORM_AUDIT_SERIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audit_point {
    int instance; /* after a merge, the instance that read it; -1: the run's own */
    int64_t t_us; /* since the workers started (a merge's: its earliest instance's start) */
    int64_t total;
    int64_t negative;
    bool ok;
    int64_t latency_us;
};

/* present: the result has the part (a run without the auditor, or an older
 * result, has none). */
struct audit_series {
    struct audit_point *items;
    size_t n, cap;
    bool present;
};

/* Appends p; false when out of memory. */
bool audit_series_append(struct audit_series *a, const struct audit_point *p);

/* A merge's rule: each of from's readings, moved by offset_us onto the
 * merged clock and naming instance (>= 0; -1 keeps what each names). */
bool audit_series_concat(struct audit_series *into, const struct audit_series *from,
                         int64_t offset_us, int instance);

void audit_series_free(struct audit_series *a);

/* [{"t_s", "total", "negative", "ok", "latency_ms", "instance" (after a
 * merge only)}] */
json_t *audit_series_json(const struct audit_series *a);

/* Back from audit_series_json's form: 0, or -1 with one line in err (a is
 * left empty). */
int audit_series_decode(const json_t *j, struct audit_series *a, char *err, size_t err_len);

#endif
