/* Presenting results: the text report, progress lines, the check section and
 * the JSON result. Pure formatting over plain structs. */
#ifndef TXSTORM_REPORT_H
#define TXSTORM_REPORT_H

#include "txstorm/checker.h"
#include "txstorm/options.h"
#include "txstorm/stats.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct run_summary {
    const struct config *cfg;
    const char *dsn_redacted;
    const char *server_version;
    const char *tool_version;
    struct bank_meta meta;
    uint64_t seed;
    struct stats total;
    int64_t elapsed_us;
    int64_t start_wall_us;
    int64_t end_wall_us;
    bool interrupted; /* stopped by a signal */
    int workers_lost; /* workers that stopped early on an error */
    bool check_done;
    struct check_result check;
};

/* One interval of progress, already reduced across workers. */
struct progress_sample {
    int64_t elapsed_us;
    int64_t interval_us;
    int64_t committed;    /* in the interval */
    int64_t retries;      /* in the interval */
    int64_t failed_total; /* since the start */
    int64_t p99_us;       /* of the interval's committed transactions; 0 if none */
};

void report_print_text(FILE *out, const struct run_summary *s);
void report_print_check(FILE *out, const struct check_result *c);

void report_progress_header(FILE *out);
void report_progress_line(FILE *out, const struct progress_sample *p);

/* The result as a JSON object (caller owns the reference). */
json_t *report_json(const struct run_summary *s);

/* Writes the JSON result to path atomically (temporary file, then rename), so a
 * reader never sees half a file. Returns 0, or -1 with a message in err. */
int report_write_json(const char *path, const struct run_summary *s, char *err, size_t err_len);

#endif
