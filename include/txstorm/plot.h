/* `txstorm plot`: saved results drawn as one self-contained HTML page. Pure:
 * the data files and the gnuplot script (plot.c) and the page around the
 * charts gnuplot draws (plot_html.c); plot_render.c runs gnuplot.
 *
 * Each result gets one colour, the same in every chart. Time series share
 * the run's clock (seconds since the workers started, warmup included), on
 * which failover, trigger and phase windows are shaded. */
#ifndef TXSTORM_PLOT_H
#define TXSTORM_PLOT_H

#include "txstorm/report.h"
#include <stdio.h>

/* One saved result and the name it is shown under (its file's name). */
struct plot_result {
    const char *label;
    const struct run_summary *s; /* loaded: s->source holds the whole document */
};

enum plot_chart {
    CHART_COMMITTED,       /* committed/s per interval */
    CHART_RETRIES,         /* retries/s per interval, by class where the rows have it */
    CHART_FAILED,          /* failed/s and ambiguous/s per interval */
    CHART_LATENCY,         /* p50 and p99 per interval */
    CHART_LAG,             /* the worst schedule lag per interval */
    CHART_LOOP,            /* the busiest event loop's share per interval */
    CHART_CONNECTS,        /* connection attempts, connects and failures per second, and the
                              workers connected (second axis), where the run reconnected */
    CHART_SPECTRUM,        /* latency by percentile, corrected and uncorrected (and endpoints) */
    CHART_RETRIES_PER_TXN, /* how many transactions took how many retries */
    CHART_COUNT
};

/* The chart's title, as the page heads it. */
const char *plot_chart_title(enum plot_chart c);

/* The data files of result i, named as the script reads them. */
enum plot_file { FILE_SERIES, FILE_SPECTRUM, FILE_RETRIES, FILE_COUNT };
void plot_file_name(int result, enum plot_file f, char *out, size_t len);

/* Writes data file f of r (gnuplot's format: whitespace-separated columns,
 * NaN for a value an interval lacks, blocks separated by two blank lines).
 * 0, or -1 on a write error. */
int plot_write_data(FILE *out, const struct plot_result *r, enum plot_file f);

/* Whether chart c has anything to draw for these results (a chart without
 * data is left out: gnuplot refuses to autoscale nothing). */
bool plot_chart_drawn(const struct plot_result *r, int n, enum plot_chart c);

/* The gnuplot script drawing every chart that has data into "chartN.svg" in
 * the current directory, reading the data files plot_file_name names. Labels
 * are quoted for gnuplot (plot_quote). 0, or -1 on a write error. */
int plot_write_script(FILE *out, const struct plot_result *r, int n);

/* s as a gnuplot double-quoted string's content: letters, digits, space and
 * . _ - / as they are, control characters as spaces, every other byte as an
 * octal escape (\ooo), so no quote, backslash, backquote (a shell command in
 * gnuplot) or @ (a macro) is read as such. At most len - 1 bytes, never a
 * split escape: 4 * strlen(s) + 1 holds all of s. */
void plot_quote(const char *s, char *out, size_t len);

/* A window shaded on the time series. */
enum plot_window_kind { WINDOW_FAILOVER, WINDOW_TRIGGER, WINDOW_PHASE };
struct plot_window {
    enum plot_window_kind kind;
    double start_s, end_s;
    char name[64]; /* the trigger's kind or the phase's name; "" for failover */
};

/* The windows of a result: its failover outage (per endpoint too), its
 * "triggers" and "phases" lists, or, without those lists, the runs of
 * intervals whose "trigger" or "phase" key is set. A window still open ends
 * with the run. Returns how many were written (at most max). */
int plot_windows(const struct run_summary *s, struct plot_window *out, int max);

/* The colour of result i, as "#rrggbb". */
const char *plot_colour(int i);

/* The page: a header per result (text reports given in texts[i], NULL for
 * none), each chart's SVG (svgs[c], NULL when not drawn), the check's rows (check_rows.h).
 * 0, or -1 on a write error. */
int plot_write_html(FILE *out, const struct plot_result *r, int n, const char *const *texts,
                    const char *const *svgs);

/* s escaped for HTML text and attribute values (markup.h); 0, or -1 on a write error. */
int plot_html_escape(FILE *out, const char *s);

/* An SVG document as gnuplot writes it, made fit to sit inline in a page:
 * from "<svg" on (no XML prolog), every id and reference to one prefixed
 * with prefix, so charts' ids never collide. A new string (malloc), or NULL
 * when svg has no "<svg" element or memory runs out. */
char *plot_svg_inline(const char *svg, const char *prefix);

#endif
