/* The commands on saved results: report one, merge several into one,
 * compare policies across many, plot them on one page. */
#include "cmd_internal.h"
#include "txstorm/compare.h"
#include "txstorm/exitcode.h"
#include "txstorm/outfile.h"
#include "txstorm/path_label.h"
#include "txstorm/plot_render.h"
#include "txstorm/text.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_report(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary s;
    char err[512];
    if (report_load_checked(cfg->inputs[0], &s, err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = present(cfg, &s);
    report_summary_free(&s);
    return rc;
}

/* Reads the results named on the command line, in order, until one is
 * refused (err says why). Returns how many were read: those to free. */
static int load_results(const struct config *cfg, struct run_summary *out, char *err,
                        size_t err_len)
{
    int n = 0;
    while (n < cfg->n_inputs && report_load_checked(cfg->inputs[n], &out[n], err, err_len) == 0)
        n++;
    return n;
}

int cmd_merge(const struct config *cfg)
{
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary *parts = calloc((size_t)cfg->n_inputs, sizeof *parts), merged;
    struct run_summary **ptrs = calloc((size_t)cfg->n_inputs, sizeof *ptrs);
    char err[512];
    int loaded = 0, rc;
    if (parts == NULL || ptrs == NULL) {
        snprintf(err, sizeof err, "merge: out of memory for %d results", cfg->n_inputs);
        rc = EXIT_MEMORY;
        goto refused;
    }
    rc = EXIT_USAGE;
    loaded = load_results(cfg, parts, err, sizeof err);
    if (loaded < cfg->n_inputs) goto refused;
    for (int i = 0; i < loaded; i++)
        ptrs[i] = &parts[i];
    if (report_merge(ptrs, loaded, &merged, err, sizeof err) != 0) goto refused;
    merged.json_path = cfg->json_path;
    /* present() says itself what went wrong with an output. */
    rc = present(cfg, &merged);
    report_summary_free(&merged);
    goto done;
refused:
    text_printf(stderr, "txstorm: %s\n", err);
done:
    for (int i = 0; i < loaded; i++)
        report_summary_free(&parts[i]);
    free(parts);
    free(ptrs);
    return rc;
}

int cmd_compare(const struct config *cfg)
{
    char err[512];
    if (compare_files(cfg->inputs, cfg->n_inputs, cfg->max_failed_pct, cfg->compare_format, stdout,
                      err, sizeof err) != 0) {
        text_printf(stderr, "txstorm: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_plot(const struct config *cfg)
{
    char err[OUTFILE_ERR_MAX];
    if (cfg->html_path == NULL) {
        text_printf(stderr, "txstorm: plot: --html FILE is required\n");
        return EXIT_USAGE;
    }
    if (outputs_writable(cfg) != 0) return EXIT_USAGE;
    struct run_summary *loaded = calloc((size_t)cfg->n_inputs, sizeof *loaded);
    struct plot_result *results = calloc((size_t)cfg->n_inputs, sizeof *results);
    char **labels = calloc((size_t)cfg->n_inputs, sizeof *labels);
    int n = 0, rc = EXIT_USAGE;
    if (loaded == NULL || results == NULL || labels == NULL) {
        snprintf(err, sizeof err, "plot: out of memory for %d results", cfg->n_inputs);
        rc = EXIT_MEMORY;
        goto done;
    }
    /* Each result under a name of its own: its --label, else its file's (with as much of
     * its path as tells it from the others'). */
    if (path_labels(cfg->inputs, cfg->labels, cfg->n_inputs, labels, err, sizeof err) != 0)
        goto done;
    n = load_results(cfg, loaded, err, sizeof err);
    if (n < cfg->n_inputs) goto done;
    for (int i = 0; i < n; i++)
        results[i] = (struct plot_result){.label = labels[i], .s = &loaded[i]};
    switch (plot_render_html(cfg->html_path, results, n, err, sizeof err)) {
    case PLOT_OK:
        rc = EXIT_OK;
        break;
    case PLOT_NO_GNUPLOT:
    case PLOT_FAILED:
    case PLOT_INTERRUPTED:
        rc = EXIT_PLOTTER;
        break;
    case PLOT_OUTPUT:
        rc = EXIT_USAGE;
        break;
    }
done:
    if (rc != EXIT_OK) text_printf(stderr, "txstorm: %s\n", err);
    for (int i = 0; i < n; i++)
        report_summary_free(&loaded[i]);
    for (int i = 0; labels && i < cfg->n_inputs; i++)
        free(labels[i]);
    free(labels);
    free(loaded);
    free(results);
    return rc;
}
