/* What the report module's files share; nothing outside src/report*.c includes this. */
#ifndef TXSTORM_REPORT_INTERNAL_H
#define TXSTORM_REPORT_INTERNAL_H

#include "txstorm/figures.h"
#include "txstorm/report.h"

#include <stddef.h>

/* Latency percentiles reported everywhere, with their JSON keys. */
extern const double report_percentiles[];
extern const char *const report_percentile_keys[];
extern const int report_n_percentiles;

static inline double report_ms(int64_t us) { return (double)us / 1000.0; }

/* The check's verdict as the result file's "check" object, and back: 0, or
 * -1 with one line in err (report_check.c). */
json_t *report_check_json(const struct check_result *c);
/* Where the whole lists are: a JSON file, or NULL and the command that writes one. */
struct json_where {
    const char *path;
    const char *command;
};
/* The transfers the ledger check names, a bounded list of each kind, and
 * the plain line when conservation hides lost work (report_check.c). */
void report_print_ledger_names(FILE *out, const struct check_result *c,
                               const struct json_where *where);
int report_check_load(const json_t *c, struct check_result *r, const char *path, char *err,
                      size_t err_len);

/* The result's key table (report_keys.c) and the codecs of more than a
 * field it names: an encoder returns the key's value (NULL: the key is
 * left out); a decoder reads it back into s, 0 or -1 with one line in c->err.
 * at: the offset of the field a plain codec reads (the others ignore it). */
struct report_load_ctx {
    const char *path; /* the file, for the error line */
    char *err;
    size_t err_len;
    const char *key;   /* the key being read */
    bool origin_given; /* the result names its clock's origin */
};
/* -1, with "PATH: before'KEY'after" in c->err. */
int report_load_fail_key(const struct report_load_ctx *c, const char *before, const char *after);
/* One count of an object of counts by name; absent names count 0. */
int report_get_count(const json_t *by, const char *name, int64_t *out,
                     const struct report_load_ctx *c);

/* Percentiles, max, mean and count of a histogram, divided by scale. */
json_t *report_summary_json(const struct hist *h, double scale);
json_t *report_retries_by_sqlstate_json(const struct run_summary *s, size_t at);
json_t *report_loops_json(const struct run_summary *s, size_t at);
json_t *report_client_saturated_json(const struct run_summary *s, size_t at);
json_t *report_connection_json(const struct run_summary *s, size_t at);
json_t *report_endpoints_json(const struct run_summary *s, size_t at);
json_t *report_stalls_json(const struct run_summary *s, size_t at);
json_t *report_backoff_ms_json(const struct run_summary *s, size_t at);
json_t *report_duration_json(const struct run_summary *s, size_t at);
json_t *report_throughput_json(const struct run_summary *s, size_t at);
json_t *report_histograms_json(const struct run_summary *s, size_t at);
int report_loops_decode(const json_t *v, struct run_summary *s, size_t at,
                        struct report_load_ctx *c);
int report_connection_decode(const json_t *v, struct run_summary *s, size_t at,
                             struct report_load_ctx *c);
int report_endpoints_decode(const json_t *v, struct run_summary *s, size_t at,
                            struct report_load_ctx *c);
int report_stalls_decode(const json_t *v, struct run_summary *s, size_t at,
                         struct report_load_ctx *c);
int report_histograms_decode(const json_t *v, struct run_summary *s, size_t at,
                             struct report_load_ctx *c);

/* An optional integer member: false only when present and not an integer. */
bool report_opt_i64(const json_t *o, const char *key, int64_t *out);

/* Config values by key, with a fallback when absent or of another type. */
const char *report_cfg_str(const json_t *config, const char *key, const char *fallback);
double report_cfg_num(const json_t *config, const char *key, double fallback);

#endif
