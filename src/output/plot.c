/* The data files and the gnuplot script `txstorm plot` hands to gnuplot. */
#include "txstorm/plot.h"
#include "txstorm/hgrm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Distinct on white and to most colour-blind eyes (Okabe and Ito's set, then a few more). */
static const char *const colours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                      "#e69f00", "#56b4e9", "#000000", "#7f7f7f"};
#define N_COLOURS (int)(sizeof colours / sizeof colours[0])

const char *plot_colour(int i) { return colours[(i < 0 ? 0 : i) % N_COLOURS]; }

/* What shades each kind of window. */
static const char *const window_fill[] = {
    [WINDOW_FAILOVER] = "#d62728", [WINDOW_TRIGGER] = "#ff7f0e", [WINDOW_PHASE] = "#7f7f7f"};
static const double window_alpha[] = {
    [WINDOW_FAILOVER] = 0.18, [WINDOW_TRIGGER] = 0.18, [WINDOW_PHASE] = 0.08};

static const struct {
    const char *title;
    const char *ylabel;
} charts[CHART_COUNT] = {
    [CHART_COMMITTED] = {"Committed per second", "committed/s"},
    [CHART_RETRIES] = {"Retries per second, by class", "retries/s"},
    [CHART_FAILED] = {"Failed and ambiguous per second", "transactions/s"},
    [CHART_LATENCY] = {"Latency per interval: p50 (dashed) and p99", "latency (ms)"},
    [CHART_LAG] = {"Schedule lag per interval (worst start behind its schedule)", "lag (ms)"},
    [CHART_LOOP] = {"Event loop utilisation per interval (the busiest loop)", "busy (%)"},
    [CHART_CONNECTS] = {"Connection attempts per second, and the workers connected (right axis)",
                        "attempts/s"},
    [CHART_SPECTRUM] = {"Latency by percentile: corrected (solid) and uncorrected (dashed)",
                        "latency (ms)"},
    [CHART_RETRIES_PER_TXN] = {"Retries per transaction", "transactions (%)"},
};

const char *plot_chart_title(enum plot_chart c)
{
    return (unsigned)c < CHART_COUNT ? charts[c].title : "?";
}

void plot_file_name(int result, enum plot_file f, char *out, size_t len)
{
    static const char *const ext[FILE_COUNT] = {"series", "spectrum", "retries"};
    snprintf(out, len, "r%d.%s", result, ext[f]);
}

/* The interval rows' columns in the series file, 1-based as gnuplot counts. */
enum series_column {
    COL_ELAPSED = 1,
    COL_COMMITTED,
    COL_RETRIES,
    COL_FAILED,
    COL_AMBIGUOUS,
    COL_P50,
    COL_P99,
    COL_LAG,
    COL_LOOP,
    COL_CLASS, /* then one per retry class, in classify's order */
    /* After the classes: the workers' connection attempts, those made ready,
     * those that failed (per second), and the workers connected at the close. */
    COL_CONNECT_ATTEMPTS = COL_CLASS + ERR_CLASS_COUNT,
    COL_CONNECTS,
    COL_CONNECT_FAILED,
    COL_WORKERS_CONNECTED
};

static double per_s(double count, double interval_s)
{
    return interval_s > 0 ? count / interval_s : NAN;
}

static void put_value(FILE *out, double v) { fprintf(out, isfinite(v) ? " %.6g" : " NaN", v); }

static int write_series(FILE *out, const struct series *rows)
{
    fprintf(out, "# elapsed_s committed/s retries/s failed/s ambiguous/s p50_ms p99_ms lag_ms "
                 "loop_busy_pct retries/s by class:");
    for (int c = 0; c < ERR_CLASS_COUNT; c++)
        fprintf(out, " %s", classify_name(c));
    fprintf(out, " connect_attempts/s connects/s connect_failures/s workers_connected\n");
    /* The run's last sliver would turn a handful of events into a spike of
     * rates: left out, as the recovery verdict leaves it out. */
    int64_t longest_us = series_longest_us(rows);
    for (size_t i = 0; i < rows->n; i++) {
        const struct interval_row *row = &rows->rows[i];
        if (2 * row->length_us < longest_us) continue;
        double interval_s = (double)row->length_us / 1e6;
        bool any_commit = row->committed > 0;
        fprintf(out, "%.6f", series_row_end_s(row));
        put_value(out, per_s((double)row->committed, interval_s));
        put_value(out, per_s((double)row->retries, interval_s));
        put_value(out, per_s((double)row->failed, interval_s));
        put_value(out, per_s((double)row->ambiguous, interval_s));
        /* No commit, no latency: a gap, not a zero on a log scale. */
        put_value(out, any_commit ? (double)row->p50_us / 1e3 : NAN);
        put_value(out, any_commit ? (double)row->p99_us / 1e3 : NAN);
        put_value(out, (double)row->lag_max_us / 1e3);
        put_value(out, 100.0 * row->loop_busy);
        for (int c = 0; c < ERR_CLASS_COUNT; c++)
            put_value(out, per_s((double)row->retries_by_class[c], interval_s));
        put_value(out, per_s((double)row->connect_attempts, interval_s));
        put_value(out, per_s((double)row->connects, interval_s));
        put_value(out, per_s((double)(row->connect_attempts - row->connects), interval_s));
        /* 0 workers: a row from before the count, unknown rather than none. */
        put_value(out, row->workers > 0 ? (double)row->workers_connected : NAN);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* The rows of h's .hgrm spectrum (the same levels HdrHistogram's plotter
 * reads) as "1/(1-p) value_ms". */
static int write_spectrum_block(FILE *out, const struct hist *h)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL) return -1;
    int rc = hgrm_write(mem, h, 1000.0);
    if (fclose(mem) != 0) rc = -1;
    for (char *line = text, *next; rc == 0 && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        double value, p, x;
        long long count;
        /* The header, the footer and the 100% row (no finite 1/(1-p)) are left out. */
        if (sscanf(line, "%lf %lf %lld %lf", &value, &p, &count, &x) == 4)
            fprintf(out, "%.6g %.9g\n", x, value);
    }
    free(text);
    return rc;
}

static int write_spectrum(FILE *out, const struct run_summary *s)
{
    fprintf(out, "# 1/(1-p) latency_ms; blocks: corrected, uncorrected, then each endpoint\n");
    const struct hist *blocks[2 + OPTIONS_MAX_ENDPOINTS];
    int n = 0;
    blocks[n++] = s->total.hist[HIST_LATENCY];
    blocks[n++] = s->total.hist[HIST_LATENCY_UNCORRECTED];
    for (int e = 0; s->n_endpoints > 1 && e < s->n_endpoints && e < OPTIONS_MAX_ENDPOINTS; e++)
        blocks[n++] = s->endpoints[e].latency_us;
    for (int b = 0; b < n; b++) {
        if (b) fputs("\n\n", out);
        if (blocks[b] && write_spectrum_block(out, blocks[b]) != 0) return -1;
    }
    return ferror(out) ? -1 : 0;
}

static int write_retries(FILE *out, const struct hist *h)
{
    fprintf(out, "# retries share_pct count\n");
    for (int32_t i = 0; h && h->total_count > 0 && i < h->counts_len; i++)
        if (h->counts[i] > 0)
            fprintf(out, "%lld %.9g %lld\n", (long long)hist_value_at_index(h, i),
                    100.0 * (double)h->counts[i] / (double)h->total_count, (long long)h->counts[i]);
    return ferror(out) ? -1 : 0;
}

int plot_write_data(FILE *out, const struct plot_result *r, enum plot_file f)
{
    switch (f) {
    case FILE_SERIES:
        return write_series(out, &r->s->series);
    case FILE_SPECTRUM:
        return write_spectrum(out, r->s);
    case FILE_RETRIES:
        return write_retries(out, r->s->total.hist[HIST_RETRIES]);
    case FILE_COUNT:
        break;
    }
    return -1;
}

static bool has_rows(const struct run_summary *s) { return s->series.n > 0; }

/* Whether any interval row of s has a positive figure under `of`. */
static bool any_positive(const struct run_summary *s, int64_t (*of)(const struct interval_row *))
{
    for (size_t i = 0; i < s->series.n; i++)
        if (of(&s->series.rows[i]) > 0) return true;
    return false;
}

static int64_t row_lag(const struct interval_row *r) { return r->lag_max_us; }
static int64_t row_committed(const struct interval_row *r) { return r->committed; }
static int64_t row_connect_attempts(const struct interval_row *r) { return r->connect_attempts; }

/* The retry classes s's rows name (none when they predate the split). */
static bool class_seen(const struct run_summary *s, int c)
{
    for (size_t i = 0; i < s->series.n; i++)
        if (s->series.rows[i].retries_by_class[c] > 0) return true;
    return false;
}

static bool hist_has(const struct hist *h) { return h && h->total_count > 0; }

static bool drawn_for(const struct run_summary *s, enum plot_chart c)
{
    switch (c) {
    case CHART_COMMITTED:
    case CHART_RETRIES:
    case CHART_FAILED:
        return has_rows(s);
    case CHART_LAG: /* a closed loop has no schedule to lag behind */
        return any_positive(s, row_lag);
    case CHART_LATENCY:
        return any_positive(s, row_committed);
    case CHART_CONNECTS: /* only a run that reconnected has attempts to show */
        return any_positive(s, row_connect_attempts);
    case CHART_LOOP:
        for (size_t i = 0; i < s->series.n; i++)
            if (isfinite(s->series.rows[i].loop_busy)) return true;
        return false;
    case CHART_SPECTRUM:
        return hist_has(s->total.hist[HIST_LATENCY]);
    case CHART_RETRIES_PER_TXN:
        return hist_has(s->total.hist[HIST_RETRIES]);
    case CHART_COUNT:
        break;
    }
    return false;
}

bool plot_chart_drawn(const struct plot_result *r, int n, enum plot_chart c)
{
    for (int i = 0; i < n; i++)
        if (drawn_for(r[i].s, c)) return true;
    return false;
}

void plot_quote(const char *s, char *out, size_t len)
{
    /* Not gnuplot's single quotes: their '' for a quote fails where two
     * quotes meet or one starts the string. Octal escapes have no corner. */
    size_t o = 0;
    for (; s && *s && o + 1 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f) ch = ' ';
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || strchr(" ._-/", ch);
        if (plain) {
            out[o++] = (char)ch;
        } else {
            if (o + 4 >= len) break;
            o += (size_t)snprintf(out + o, len - o, "\\%03o", ch);
        }
    }
    if (len) out[o] = '\0';
}

/* A window's end when it is still open: the run's last interval, else its duration. */
static double run_end_s(const struct run_summary *s)
{
    size_t n = s->series.n;
    return n ? series_row_end_s(&s->series.rows[n - 1]) : (double)s->elapsed_us / 1e6;
}

static int add_window(struct plot_window *out, int n, int max, enum plot_window_kind kind,
                      double start_s, double end_s, const char *name)
{
    if (n >= max || !isfinite(start_s) || !isfinite(end_s) || end_s < start_s) return n;
    out[n] = (struct plot_window){.kind = kind, .start_s = start_s, .end_s = end_s};
    snprintf(out[n].name, sizeof out[n].name, "%s", name ? name : "");
    return n + 1;
}

/* Each window kept of one scope, shaded from the last commit before to the
 * first commit after (the run's end when there was none). */
static int add_outages(const struct outage_summary *o, double end_s, struct plot_window *out,
                       int n, int max)
{
    for (int k = 0; k < o->n_kept; k++) {
        const struct outage_window *w = &o->kept[k];
        double from = (double)outage_window_start_us(w) / 1e6;
        double to = w->first_commit_after_us >= 0 ? (double)w->first_commit_after_us / 1e6 : end_s;
        bool seen = false; /* an endpoint's window is often the run's own */
        for (int i = 0; i < n && !seen; i++)
            seen = out[i].kind == WINDOW_FAILOVER && out[i].start_s == from && out[i].end_s == to;
        if (!seen) n = add_window(out, n, max, WINDOW_FAILOVER, from, to, "");
    }
    return n;
}

/* Runs of consecutive interval rows with the same text under mark ("": none). */
static int add_marked(const struct series *rows,
                      const char *(*mark_of)(const struct interval_row *),
                      enum plot_window_kind kind, struct plot_window *out, int n, int max)
{
    const char *open = NULL;
    double open_from = 0, last_to = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const struct interval_row *row = &rows->rows[i];
        const char *mark = mark_of(row)[0] ? mark_of(row) : NULL;
        double to = series_row_end_s(row), from = series_row_start_s(row);
        if (open && (mark == NULL || strcmp(mark, open) != 0)) {
            n = add_window(out, n, max, kind, open_from, last_to, open);
            open = NULL;
        }
        if (mark && open == NULL) {
            open = mark;
            open_from = from;
        }
        last_to = to;
    }
    if (open) n = add_window(out, n, max, kind, open_from, last_to, open);
    return n;
}

static const char *row_trigger(const struct interval_row *r) { return r->trigger; }
static const char *row_phase(const struct interval_row *r) { return r->phase; }

int plot_windows(const struct run_summary *s, struct plot_window *out, int max)
{
    double end_s = run_end_s(s);
    int n = 0;
    if (s->failover.present) {
        n = add_outages(&s->failover.own.run, end_s, out, n, max);
        for (int e = 0; e < s->failover.own.n_endpoints; e++)
            n = add_outages(&s->failover.own.endpoints[e], end_s, out, n, max);
    }
    if (s->triggers.n)
        for (size_t i = 0; i < s->triggers.n; i++) {
            const struct trigger_outcome *t = &s->triggers.items[i];
            n = add_window(out, n, max, WINDOW_TRIGGER, t->start_s,
                           isfinite(t->end_s) ? t->end_s : end_s, t->kind);
        }
    else
        n = add_marked(&s->series, row_trigger, WINDOW_TRIGGER, out, n, max);
    if (s->phases.n)
        for (size_t i = 0; i < s->phases.n; i++) {
            const struct phase_figures *p = &s->phases.items[i];
            n = add_window(out, n, max, WINDOW_PHASE, p->start_s,
                           isfinite(p->end_s) ? p->end_s : end_s, p->name);
        }
    else
        n = add_marked(&s->series, row_phase, WINDOW_PHASE, out, n, max);
    return n;
}

#define MAX_WINDOWS 256
/* The longest label shown whole; quoted, it takes up to four times as much. */
#define LABEL_MAX 320

/* The shading of every result's windows, behind the lines, phases named at the top. */
static void put_windows(FILE *out, const struct plot_result *r, int n)
{
    int object = 1;
    for (int i = 0; i < n; i++) {
        struct plot_window w[MAX_WINDOWS];
        int k = plot_windows(r[i].s, w, MAX_WINDOWS);
        for (int j = 0; j < k; j++, object++) {
            fprintf(out,
                    "set object %d rect from %.6f, graph 0 to %.6f, graph 1 behind fc rgb '%s' "
                    "fs transparent solid %.2f noborder\n",
                    object, w[j].start_s, w[j].end_s, window_fill[w[j].kind],
                    window_alpha[w[j].kind]);
            /* Whose outage it is, when several results share the chart. */
            const char *named = w[j].name[0] ? w[j].name : n > 1 ? r[i].label : NULL;
            if (named) {
                char name[4 * LABEL_MAX];
                plot_quote(named, name, sizeof name);
                fprintf(out,
                        "set label %d \"%s\" at %.6f, graph %.2f left front textcolor rgb '%s'\n",
                        object, name, w[j].start_s, w[j].kind == WINDOW_PHASE ? 0.96 : 0.90,
                        window_fill[w[j].kind]);
            }
        }
    }
}

/* One line of a plot command: data file f of result i, the columns, its
 * style, its key entry (the result's label and what). */
struct line {
    int result;
    enum plot_file file;
    int index; /* the block of the file; -1: the whole file */
    const char *using;
    const char *style; /* "lines", "linespoints pt 7 ps 0.5" */
    const char *axes;  /* "x1y2" for the right axis; NULL: the left */
    int dash;
    const char *what; /* appended to the label; may be NULL */
};

static void put_line(FILE *out, const struct plot_result *r, const struct line *l, bool first)
{
    char file[32], title[LABEL_MAX], label[4 * LABEL_MAX];
    plot_file_name(l->result, l->file, file, sizeof file);
    if (l->what)
        snprintf(title, sizeof title, "%s %s", r[l->result].label, l->what);
    else
        snprintf(title, sizeof title, "%s", r[l->result].label);
    plot_quote(title, label, sizeof label);
    fprintf(out, "%s'%s'", first ? "plot " : ", \\\n     ", file);
    if (l->index >= 0) fprintf(out, " index %d", l->index);
    fprintf(out, " using %s", l->using);
    if (l->axes) fprintf(out, " axes %s", l->axes);
    fprintf(out, " with %s lc rgb '%s' lw 1.5 dt %d title \"%s\"", l->style, plot_colour(l->result),
            l->dash, label);
}

static void begin_chart(FILE *out, enum plot_chart c, bool over_time)
{
    fprintf(out, "\nreset\nset output 'chart%d.svg'\nset grid\nset key below\nset ylabel '%s'\n",
            (int)c, charts[c].ylabel);
    if (over_time) fprintf(out, "set xlabel 'elapsed (s)'\nset xrange [0:*]\n");
}

/* The series columns a time chart draws for result i, into lines. */
static int time_lines(const struct plot_result *r, int i, enum plot_chart c, struct line *l)
{
    static char usings[ERR_CLASS_COUNT + 4][16];
    struct line base = {.result = i, .file = FILE_SERIES, .index = -1, .style = "lines", .dash = 1};
    int n = 0;
    const struct run_summary *s = r[i].s;
    if (!drawn_for(s, c)) return 0;
#define LINE(col, d, label)                                                                        \
    do {                                                                                           \
        l[n] = base;                                                                               \
        snprintf(usings[n], sizeof usings[n], "1:%d", (col));                                      \
        l[n].using = usings[n];                                                                    \
        l[n].dash = (d);                                                                           \
        l[n].what = (label);                                                                       \
        n++;                                                                                       \
    } while (0)
    switch (c) {
    case CHART_COMMITTED:
        LINE(COL_COMMITTED, 1, NULL);
        break;
    case CHART_RETRIES: {
        bool by_class = false;
        for (int k = 0; k < ERR_CLASS_COUNT; k++) {
            if (!class_seen(s, k)) continue;
            LINE(COL_CLASS + k, 1 + n, classify_name(k));
            by_class = true;
        }
        if (!by_class) LINE(COL_RETRIES, 1, "all classes");
        break;
    }
    case CHART_FAILED:
        LINE(COL_FAILED, 1, "failed");
        LINE(COL_AMBIGUOUS, 2, "ambiguous");
        break;
    case CHART_LATENCY:
        LINE(COL_P50, 2, "p50");
        LINE(COL_P99, 1, "p99");
        break;
    case CHART_LAG:
        LINE(COL_LAG, 1, NULL);
        break;
    case CHART_LOOP:
        LINE(COL_LOOP, 1, NULL);
        break;
    case CHART_CONNECTS:
        LINE(COL_CONNECT_ATTEMPTS, 1, "attempts");
        LINE(COL_CONNECTS, 2, "connects");
        LINE(COL_CONNECT_FAILED, 3, "failed");
        LINE(COL_WORKERS_CONNECTED, 4, "workers connected");
        l[n - 1].axes = "x1y2";
        break;
    default:
        break;
    }
#undef LINE
    return n;
}

static void put_time_chart(FILE *out, const struct plot_result *r, int n, enum plot_chart c)
{
    begin_chart(out, c, true);
    if (c == CHART_LATENCY)
        fprintf(out, "set logscale y\n");
    else if (c == CHART_LOOP)
        fprintf(out, "set yrange [0:100]\n");
    else if (c == CHART_CONNECTS)
        fprintf(out, "set yrange [0:*]\nset ytics nomirror\nset y2tics\nset y2range [0:*]\n"
                     "set y2label 'workers connected'\n");
    else
        fprintf(out, "set yrange [0:*]\n");
    put_windows(out, r, n);
    bool first = true;
    for (int i = 0; i < n; i++) {
        struct line lines[ERR_CLASS_COUNT + 2];
        int k = time_lines(r, i, c, lines);
        for (int j = 0; j < k; j++, first = false)
            put_line(out, r, &lines[j], first);
    }
    fputc('\n', out);
}

static void put_spectrum(FILE *out, const struct plot_result *r, int n)
{
    begin_chart(out, CHART_SPECTRUM, false);
    /* HdrHistogram's plotter: percentiles spread as 1/(1-p) on a log axis. */
    fprintf(out, "set logscale x\nset xlabel 'percentile'\nset xrange [1:*]\nset yrange [0:*]\n"
                 /* A tic label is a format: gnuplot's % is %%. */
                 "set xtics ('0%%%%' 1, '90%%%%' 10, '99%%%%' 100, '99.9%%%%' 1000, "
                 "'99.99%%%%' 10000, '99.999%%%%' 100000, '99.9999%%%%' 1000000)\n");
    bool first = true;
    for (int i = 0; i < n; i++) {
        const struct run_summary *s = r[i].s;
        if (!drawn_for(s, CHART_SPECTRUM)) continue;
        struct line l = {.result = i,
                         .file = FILE_SPECTRUM,
                         .index = 0,
                         .using = "1:2",
                         .style = "lines",
                         .dash = 1,
                         .what = "corrected"};
        put_line(out, r, &l, first);
        first = false;
        if (hist_has(s->total.hist[HIST_LATENCY_UNCORRECTED])) {
            l.index = 1, l.dash = 2, l.what = "uncorrected";
            put_line(out, r, &l, false);
        }
        for (int e = 0; s->n_endpoints > 1 && e < s->n_endpoints; e++) {
            if (!hist_has(s->endpoints[e].latency_us)) continue;
            char what[32];
            snprintf(what, sizeof what, "endpoint %d", e + 1);
            l.index = 2 + e, l.dash = 3 + e % 3, l.what = what;
            put_line(out, r, &l, false);
        }
    }
    fputc('\n', out);
}

static void put_retries_per_txn(FILE *out, const struct plot_result *r, int n)
{
    begin_chart(out, CHART_RETRIES_PER_TXN, false);
    fprintf(out, "set logscale y\nset xlabel 'retries'\nset xrange [-0.5:*]\n");
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (!drawn_for(r[i].s, CHART_RETRIES_PER_TXN)) continue;
        struct line l = {.result = i,
                         .file = FILE_RETRIES,
                         .index = -1,
                         .using = "1:2",
                         .style = "linespoints pt 7 ps 0.6",
                         .dash = 1};
        put_line(out, r, &l, first);
        first = false;
    }
    fputc('\n', out);
}

int plot_write_script(FILE *out, const struct plot_result *r, int n)
{
    fprintf(out, "# txstorm plot: one SVG per chart\n"
                 "set terminal svg size 960,340 font 'sans,12' noenhanced background '#ffffff'\n");
    for (int c = 0; c < CHART_COUNT; c++) {
        if (!plot_chart_drawn(r, n, c)) continue;
        if (c == CHART_SPECTRUM)
            put_spectrum(out, r, n);
        else if (c == CHART_RETRIES_PER_TXN)
            put_retries_per_txn(out, r, n);
        else
            put_time_chart(out, r, n, c);
    }
    fprintf(out, "set output\n");
    return ferror(out) ? -1 : 0;
}
