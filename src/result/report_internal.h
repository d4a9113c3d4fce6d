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

/* An optional integer member: false only when present and not an integer. */
bool report_opt_i64(const json_t *o, const char *key, int64_t *out);

/* Config values by key, with a fallback when absent or of another type. */
const char *report_cfg_str(const json_t *config, const char *key, const char *fallback);
double report_cfg_num(const json_t *config, const char *key, double fallback);

#endif
