/* Presenting results: the text report, progress lines, the per-interval
 * series (JSON rows and CSV), the check section and the JSON result. Pure
 * formatting over plain structs and JSON. */
#ifndef TXSTORM_REPORT_H
#define TXSTORM_REPORT_H

#include "txstorm/assertion.h"
#include "txstorm/audit_series.h"
#include "txstorm/checker.h"
#include "txstorm/endpoint.h"
#include "txstorm/failover.h"
#include "txstorm/faults.h"
#include "txstorm/ledger_record.h"
#include "txstorm/options.h"
#include "txstorm/outage.h"
#include "txstorm/phases_report.h"
#include "txstorm/saturation.h"
#include "txstorm/series.h"
#include "txstorm/servers.h"
#include "txstorm/stall.h"
#include "txstorm/stats.h"
#include "txstorm/trigger_verdict.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The result file's format, "MAJOR.MINOR": a reader refuses a newer major
 * (keys it relies on may have changed); a minor adds keys older readers
 * pass over. 2: typed interval rows with histograms, ids as strings, the
 * clock origin, a merge that keeps the series, triggers and timelines. */
#define REPORT_FORMAT_MAJOR 2
#define REPORT_FORMAT_VERSION "2.0"

/* Connection faults, summed over the workers. */
struct fault_summary {
    int64_t connection_losses;
    int64_t reconnects;
    int64_t disconnected_us;
    int64_t worst_disconnected_us; /* the most any one worker spent disconnected */
};

/* A run's result, live or loaded back from its JSON. */
struct run_summary {
    json_t *config; /* the configuration as reported (see report_config_json) */
    const char *server_version;
    const char *tool_version;
    struct stats total;    /* what was measured (after the warmup) */
    int64_t elapsed_us;    /* the measured span; for a merge, the union of spans */
    int64_t origin_wall_us; /* when the workers started: the series' and windows' zero */
    int64_t start_wall_us;  /* when the measured span began (after the warmup) */
    int64_t end_wall_us;
    int64_t stop_wall_us;  /* when the stop came (the duration's end, a signal), before the
                              workers drained what they had begun; 0: unknown (older results) */
    bool interrupted;      /* stopped by a signal */
    int workers_lost;      /* workers that stopped early on an error */
    int64_t client_cpu_us; /* txstorm's own CPU (user + sys) over the measured span; 0: unknown */
    struct loop_use *loops; /* each event loop's busy time and CPU (merged: all parts'), or NULL */
    int n_loops;
    struct fault_summary faults;
    struct endpoint_stats *endpoints; /* per endpoint (each --db), or NULL (older results) */
    int n_endpoints;
    /* Loaded (or merged from) a result whose endpoints lack the connect
     * figures (written before they were counted per endpoint): theirs are
     * not known, not compared with the totals, and not written. */
    bool endpoint_connects_unknown;
    struct stall_summary stalls;
    struct worker_faults worker_faults; /* the workers that lost their connection (faults.h) */
    struct worker_trails workers_servers; /* per worker, the servers it reached (servers.h) */
    struct failover_timeline failover; /* the outage windows, per endpoint (and instance) too */
    struct trigger_outcomes triggers; /* --trigger: each with its verdict (trigger_verdict.h) */
    int merged_from;       /* 0 for a run; the number of results merged */
    bool check_done;
    struct check_result check;
    struct series series;          /* per-interval rows (series.h) */
    struct phase_table phases;     /* --load: per-phase figures (phases_report.h) */
    struct ledger_record ledger;   /* the run's own record of its transfers (--ledger) */
    struct ledger_records ledgers; /* merged: each instance's record */
    struct audit_series audit_series; /* the auditor's readings (audit_series.h) */
    struct hist *audit_latency_us; /* the auditor's read latency, or NULL */
    json_t *source;                /* a loaded result's document: owns the strings above */
    const char *json_path; /* the file the whole result is in (--json, or the one loaded); NULL: none */
};

/* The run's configuration as JSON: what the text header and merge's
 * compatibility check read. The endpoints' DSNs must already be redacted
 * (one entry each); threads is the number of event loops the run used. */
json_t *report_config_json(const struct config *cfg, const struct text_list *endpoints_redacted,
                           uint64_t seed, int64_t accounts, int threads);

void report_print_text(FILE *out, const struct run_summary *s);
/* The check's table and verdict. Lines that name only the first few
 * transfers point to the rest: in json_path, or, when NULL, in the JSON
 * that `txstorm COMMAND --json FILE` would write. */
void report_print_check(FILE *out, const struct check_result *c, const char *json_path,
                        const char *command);

/* A standalone check (check --json): its verdict, the server and the
 * --result files it judged the ledger against. */
struct check_document {
    const struct check_result *check;
    const char *server_version;
    int64_t checked_at_unix_ms;
    const char *const *results;
    int n_results;
};

/* {"tool": "txstorm", "kind": "check", "tool_version", "format_version",
 * "server_version", "checked_at_unix_ms", "results": [files], "check": as a
 * run's result has it} (include/txstorm/check.schema.json); doc: const
 * struct check_document *. 0, or -1 when the stream failed. */
int report_check_write_json_to(FILE *out, const void *doc);

/* The progress lines: a header now and then, a line per closed interval. */
void report_progress_header(FILE *out, bool open_loop);
void report_progress_line(FILE *out, const struct interval_row *row);

/* The figures assertions judge, from a result. */
void report_figures(const struct run_summary *s, struct assert_figures *f);

/* Prints each assertion as PASS/FAIL with the measured figure; true if all hold. */
bool report_print_assertions(FILE *out, const struct assertion *a, int n,
                             const struct assert_figures *f);

/* The result as a JSON object (caller owns the reference). */
json_t *report_json(const struct run_summary *s);

/* Writes text produced by `write` to path atomically (a temporary file, then
 * rename), so a reader never sees half a file. Returns 0, or -1 with one line
 * in err. Used for --json, --csv and --hgrm. */
int report_write_file(const char *path, int (*write)(FILE *, const void *), const void *arg,
                      char *err, size_t err_len);

/* The writer for report_write_file (the CSV's is series_write_csv). */
int report_write_json_to(FILE *out, const void *summary);

/* Loads a result written by report_write_json_to. Returns 0, or -1 with one
 * line in err. The caller frees it with report_summary_free. */
int report_load(const char *path, struct run_summary *s, char *err, size_t err_len);

/* Whether a loaded result is one a run could have written: its counters
 * agree with each other and with its histograms, and the check's verdicts
 * with its figures. report, merge and compare refuse (-1, one line in err)
 * a result that does not (edited by hand). */
int report_consistent(const struct run_summary *s, const char *path, char *err, size_t err_len);

/* report_load, then report_consistent: the way every command reads a saved
 * result. Returns 0, or -1 with one line in err and nothing left to free. */
int report_load_checked(const char *path, struct run_summary *s, char *err, size_t err_len);

/* What tells one process's run from another's: the seed and instance of its
 * configuration and its measured span. Two results with the same identity
 * are one result given twice. */
void report_run_identity(const struct run_summary *s, char *out, size_t out_len);

/* Merges results: counts add, histograms merge, elapsed is the union of the
 * measured spans, the check is the latest one. Refuses (-1, err) results with
 * different histogram precision or workload configuration, or the same run
 * twice. */
int report_merge(struct run_summary *const *in, int n, struct run_summary *out, char *err,
                 size_t err_len);

void report_summary_free(struct run_summary *s);

/* Reads back the record a run saved in its result (for `check --ledger --result`),
 * with the run and the bank it ran against (0: an older result names none).
 * Returns 0, or -1 with one line in err (the record is left empty). */
int report_load_ledger(const char *path, struct ledger_record *r, char *err, size_t err_len);

#endif
