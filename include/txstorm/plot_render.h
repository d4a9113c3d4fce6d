/* `txstorm plot`'s I/O: gnuplot run on the data files and script plot.h
 * writes, in a private temporary directory, and the page written whole or
 * not at all (outfile.h). */
#ifndef TXSTORM_PLOT_RENDER_H
#define TXSTORM_PLOT_RENDER_H

#include "txstorm/plot.h"
#include <stddef.h>

enum plot_status {
    PLOT_OK,
    PLOT_NO_GNUPLOT,  /* gnuplot is not on PATH */
    PLOT_FAILED,      /* gnuplot failed, or a file could not be written or read */
    PLOT_OUTPUT,      /* the page could not be written to path */
    PLOT_INTERRUPTED, /* SIGINT, SIGTERM or SIGHUP came: nothing written */
};

/* Draws the n results' charts with gnuplot (run without a shell) and writes
 * the page to path. PLOT_OK, or another status with one line in err.
 * SIGINT, SIGTERM or SIGHUP meanwhile (unless ignored on entry) stops
 * gnuplot, removes the directory, writes no page, and is raised again once
 * the signals' actions are given back: with theirs by default, the process
 * ends by it, and PLOT_INTERRUPTED comes back only to a caller's handler. */
enum plot_status plot_render_html(const char *path, const struct plot_result *r, int n, char *err,
                                  size_t err_len);

#endif
