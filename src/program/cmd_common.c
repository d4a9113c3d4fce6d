/* What the commands share: the first endpoint's connection, a fresh seed,
 * the outputs checked before and written after. */
#include "cmd_internal.h"
#include "txstorm/clock.h"
#include "txstorm/exitcode.h"
#include "txstorm/hgrm.h"
#include "txstorm/junit.h"
#include "txstorm/outfile.h"
#include "txstorm/series_json.h"
#include "txstorm/text.h"

#include <stdio.h>
#include <stdlib.h>

int die_db(const struct db_error *err)
{
    text_printf(stderr, "txstorm: %s\n", err->message);
    return EXIT_DATABASE;
}

struct db *connect_or_die(const struct config *cfg, int *rc)
{
    struct db_error err;
    struct db *db = db_connect(options_endpoint(cfg, 0), &err);
    if (db == NULL && options_n_endpoints(cfg) > 1)
        db_error_name_endpoint(&err, options_endpoint(cfg, 0), 0, options_n_endpoints(cfg));
    if (db == NULL) *rc = die_db(&err);
    /* Each command writes, or reads the truth the primary holds: a host list
     * that reaches a standby first is followed to the writable server. */
    if (db) db_prefer_writable(db, PREFER_WRITABLE_TIMEOUT_S);
    return db;
}

uint64_t fresh_seed(void)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(&seed, sizeof seed, 1, f) != 1) seed = (uint64_t)clock_wall_us();
    if (f) fclose(f);
    return seed & INT64_MAX; /* so --seed can take it back */
}

int outputs_writable(const struct config *cfg)
{
    const char *paths[OPTIONS_MAX_FLAGS], *flags[OPTIONS_MAX_FLAGS];
    int n = options_outputs(cfg, paths, flags, OPTIONS_MAX_FLAGS);
    char err[512];
    for (int i = 0; i < n; i++) {
        if (paths[i] && outfile_check(paths[i], err, sizeof err) != 0) {
            text_printf(stderr, "txstorm: --%s: %s\n", flags[i], err);
            return -1;
        }
    }
    if (outfile_distinct(paths, flags, n, cfg->inputs, cfg->n_inputs, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_hgrm_to(FILE *out, const void *summary)
{
    const struct run_summary *s = summary;
    return hgrm_write(out, s->total.hist[HIST_LATENCY], 1000.0);
}

int write_junit(const struct config *cfg, const struct check_result *check,
                const struct assert_figures *figures, int64_t start_unix_us, double time_s)
{
    struct junit_report *j = malloc(sizeof *j);
    char err[OUTFILE_ERR_MAX], suite[64];
    if (j == NULL) {
        text_printf(stderr, "txstorm: --junit: out of memory\n");
        return -1;
    }
    /* The suite is named after the command: "txstorm run". */
    snprintf(suite, sizeof suite, "txstorm %s", options_command_name(cfg->command));
    junit_init(j, suite, start_unix_us, time_s);
    junit_add_check(j, check);
    if (figures) junit_add_assertions(j, cfg->asserts, cfg->n_asserts, figures);
    int rc = outfile_write(cfg->junit_path, junit_write_to, j, err, sizeof err);
    if (rc != 0) text_printf(stderr, "txstorm: %s\n", err);
    free(j);
    return rc;
}

int present(const struct config *cfg, const struct run_summary *s)
{
    report_print_text(stdout, s);
    struct assert_figures figures;
    report_figures(s, &figures);
    bool asserts_hold = report_print_assertions(stdout, cfg->asserts, cfg->n_asserts, &figures);
    /* Before the files: one may be /dev/stdout. A failure is told at the end. */
    outfile_flush_stdout(NULL, 0);

    int rc = EXIT_OK;
    char err[OUTFILE_ERR_MAX];
    const struct hist *latency = s->total.hist[HIST_LATENCY];
    struct series_hlog hlog = {&s->series, s->origin_wall_us, latency ? latency->sig_figs : 0};
    const struct {
        const char *path;
        int (*write)(FILE *, const void *);
        const void *arg;
    } files[] = {
        {cfg->json_path, report_write_json_to, s},
        {cfg->csv_path, series_write_csv, &s->series},
        {cfg->hgrm_path, write_hgrm_to, s},
        {cfg->hlog_path, series_write_hlog, &hlog},
    };
    /* One that fails stops none of the others: each is a result to keep. */
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (files[i].path &&
            report_write_file(files[i].path, files[i].write, files[i].arg, err, sizeof err) != 0) {
            text_printf(stderr, "txstorm: %s\n", err);
            rc = EXIT_USAGE;
        }
    }
    /* write_junit says itself what went wrong. */
    if (cfg->junit_path && write_junit(cfg, s->check_done ? &s->check : NULL, &figures,
                                       s->start_wall_us, (double)s->elapsed_us / 1e6) != 0)
        rc = EXIT_USAGE;
    if (s->check_done && !s->check.ok) return EXIT_VIOLATION;
    if (rc != EXIT_OK) return rc;
    return asserts_hold ? EXIT_OK : EXIT_ASSERT;
}
