/* Comparing retry/backoff policies across saved runs (`txstorm compare`).
 *
 * Runs are grouped into cells: one workload (skew, workers and the rest of
 * what defines the offered load: the loop, rate or phases, the shape,
 * isolation, lock order, think time and triggers) x one policy
 * (the backoff, "+budget" with a retry budget, or the pgbench baseline). Per
 * cell: each metric's mean, min, max and sample standard deviation over the
 * repetitions; latency percentiles pooled by merging the runs' histograms
 * exactly (a run that brought only its own percentiles makes the cell's
 * percentiles the mean over its runs, and says so); counts summed for the
 * ratios (retries per commit, failed per finished: figures.h defines them).
 * Per workload: the policies ranked by goodput and by p99, the margin of the
 * best over the runner-up and whether it exceeds the run-to-run spread (the
 * wider of their min-max ranges).
 *
 * Pure: compare_load reads a file into a compare_run, compare_build does the
 * statistics, compare_print_* formats them; nothing here prints or reads on
 * its own. Every figure is finite: "no value" is a flag, never NaN or inf.
 */
#ifndef TXSTORM_COMPARE_H
#define TXSTORM_COMPARE_H

#include "txstorm/figures.h"
#include "txstorm/options.h"
#include "txstorm/hist.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Per-run metrics, in the order of the CSV columns. */
enum compare_metric {
    CM_GOODPUT,               /* committed transactions per second */
    CM_RETRIES_PER_COMMITTED, /* no value without commits */
    CM_FAILED,                /* transactions given up */
    CM_WASTED,                /* wasted attempts (figures.h) */
    CM_BACKOFF_S,             /* time slept in backoff, summed over the workers */
    CM_P50_MS,                /* the run's own latency percentiles; no value without commits */
    CM_P99_MS,
    CM_P999_MS,
    CM_FAILED_PCT, /* 100 x the failed rate (figures.h); no value when nothing finished */
    CM_COUNT
};

/* The CSV column stem of a metric ("goodput_per_s", ...). */
const char *compare_metric_name(enum compare_metric m);

#define COMPARE_NAME_MAX 48
#define COMPARE_LOAD_MAX 192
#define COMPARE_MAX_POLICIES 32 /* cells of one workload */

/* One run, as compare reads it. */
struct compare_run {
    char policy[COMPARE_NAME_MAX]; /* "full-jitter", "full-jitter+budget", COMPARE_BASELINE */
    int policy_rank;               /* the order of rows: backoff order, +budget, baseline last */
    bool baseline;                 /* not ranked: shown beside the policies it is compared to */
    char skew[COMPARE_NAME_MAX];   /* "hot:10", "zipf:1.2" */
    int64_t workers;
    /* The rest of the offered load ("closed loop, interactive, serializable, lock
     * random"); "" for a baseline, which joins the runs of its skew and workers
     * when they all ran one load. */
    char load[COMPARE_LOAD_MAX];
    double value[CM_COUNT];
    bool has[CM_COUNT];
    struct figure_counts counts;
    struct hist *latency_us; /* committed transactions; NULL: only value[CM_P*_MS]. Owned. */
    char identity[128];      /* a txstorm result's report_run_identity; "" for a baseline */
    bool triggered;          /* it ran --trigger faults */
    bool recovered;          /* from every one of them (trigger_verdict.h) */
    double recover_s;        /* recovered: the slowest trigger's time to recover */
};

#define COMPARE_BASELINE "pgbench (no backoff)"

/* Sets run's policy, rank and baseline flag from a backoff name and a retry
 * budget (> 0: "+budget"); -1 for an unknown backoff name. */
int compare_run_policy(struct compare_run *run, const char *backoff, double retry_budget);

/* Fills the metrics from the counts (ratios, wasted attempts, percentiles of
 * latency_us) and from the run's goodput and backoff time. */
void compare_run_finish(struct compare_run *run, double goodput_per_s, double backoff_s);

void compare_run_free(struct compare_run *run);

/* A metric across a cell's runs; n == 0: no run had a value. */
struct compare_stat {
    int n;
    double mean, min, max, sd; /* sd: sample standard deviation, 0 with one value */
};

struct compare_cell {
    char policy[COMPARE_NAME_MAX];
    int policy_rank;
    bool baseline;
    char skew[COMPARE_NAME_MAX];
    int64_t workers;
    char load[COMPARE_LOAD_MAX];
    int split; /* its group's, below */
    int reps;
    struct compare_stat stat[CM_COUNT];
    struct figure_counts counts; /* summed over the runs */
    bool has_retries_per_committed, has_failed_pct;
    double retries_per_committed; /* of the summed counts */
    double failed_pct;            /* 100 x the summed counts' failed rate */
    bool has_latency;             /* some run committed */
    bool latency_pooled;          /* latency_ms from the merged histogram, else run means */
    double latency_ms[3];         /* p50, p99, p99.9 */
    int triggered;                /* runs with --trigger faults */
    int recovered;                /* of those, runs that recovered from every one */
    struct compare_stat recover_s; /* over the recovered runs */
};

enum compare_judgement {
    JUDGE_NONE,          /* fewer than two ranked: no margin */
    JUDGE_TIE,           /* the best and the runner-up are equal */
    JUDGE_ONE_REP,       /* one of them ran once: the spread is unknown */
    JUDGE_CLEAR,         /* the margin exceeds the spread */
    JUDGE_WITHIN_SPREAD, /* it does not: not a clear win */
};

/* The policies of one workload ranked by one figure. */
struct compare_ranking {
    int n;                           /* ranked */
    int order[COMPARE_MAX_POLICIES]; /* cell indexes, best first (ties: policy order) */
    double margin;                   /* best over runner-up, >= 0, in the figure's unit */
    bool has_margin_pct;             /* false when the runner-up's figure is 0 */
    double margin_pct;               /* margin relative to the runner-up, in % */
    double spread;                   /* the wider of the two cells' min-max ranges */
    enum compare_judgement judgement;
    int n_failing; /* p99 only: left out for giving up on more than max_failed_pct */
    int failing[COMPARE_MAX_POLICIES];
    int n_no_commits; /* p99 only: left out, no latency to rank */
    int no_commits[COMPARE_MAX_POLICIES];
};

struct compare_group {
    char skew[COMPARE_NAME_MAX];
    int64_t workers;
    char load[COMPARE_LOAD_MAX];
    /* 0; or, when runs of its skew and workers ran different loads and were
     * split into groups never ranked against each other, its number (L1, L2...). */
    int split;
    int first, n;   /* its cells: cells[first .. first + n - 1], in policy order */
    int n_policies; /* cells that are not baselines */
    int baseline;   /* a baseline cell, or -1 */
    int none;       /* the cell of backoff none, or -1 */
    struct compare_ranking goodput, p99;
};

struct compare_noise {
    int cells;                     /* cells with more than one run and some goodput */
    double goodput_median_pct;     /* (max - min) / mean of goodput, median cell */
    double goodput_worst_pct;      /* and the worst */
    int p99_cells;                 /* of those, cells with a p99 */
    double p99_median_pct, p99_worst_pct;
};

struct compare_study {
    double max_failed_pct;
    struct compare_cell *cells;
    int n_cells;
    struct compare_group *groups;
    int n_groups;
    int n_split; /* groups with a split number */
    struct compare_noise noise;
};

/* Groups, summarises, ranks and judges runs[0..n-1] (it only reads them).
 * Returns 0, or -1 with one line in err (out of memory, too many policies in
 * one workload). Free with compare_free. */
int compare_build(const struct compare_run *runs, int n, double max_failed_pct,
                  struct compare_study *out, char *err, size_t err_len);
void compare_free(struct compare_study *s);

/* The figure a ranking uses: the cell's p99 (pooled when it can be). */
double compare_cell_p99_ms(const struct compare_cell *c);

/* Reads one result file: a txstorm result (`run --json`, `merge --json`) or
 * the baseline form documented in docs/backoff.md ({"tool": "pgbench", ...}).
 * Returns 0, or -1 with one line in err. */
int compare_load(const char *path, struct compare_run *run, char *err, size_t err_len);

/* Output formats: enum compare_format, a choice of the command line (options.h). */

/* text: the table, a blank line, the verdicts; markdown: the table only. */
void compare_print(FILE *out, const struct compare_study *s, enum compare_format f);
void compare_print_table(FILE *out, const struct compare_study *s, bool markdown);
void compare_print_csv(FILE *out, const struct compare_study *s);
void compare_print_verdicts(FILE *out, const struct compare_study *s);
/* With --trigger runs: per cell, how many recovered and how fast, beside
 * goodput and p99 (nothing when no run had a trigger). */
void compare_print_recovery(FILE *out, const struct compare_study *s, bool markdown);

/* Loads paths[0..n-1], compares them and prints the study in format f: what
 * `txstorm compare` does. Returns 0, or -1 with one line in err (nothing printed). */
int compare_files(const char *const *paths, int n, double max_failed_pct, enum compare_format f,
                  FILE *out, char *err, size_t err_len);

#endif
