/* The page `txstorm plot` writes: headers, the charts gnuplot drew, the check's rows. */
#include "txstorm/check_rows.h"
#include "txstorm/figures.h"
#include "txstorm/markup.h"
#include "txstorm/plot.h"
#include "txstorm/server_timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int plot_html_escape(FILE *out, const char *s)
{
    markup_put_escaped(out, s ? s : "");
    return ferror(out) ? -1 : 0;
}

/* Where an id is named or referred to in gnuplot's SVG. */
static const char *const id_marks[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
#define N_MARKS (sizeof id_marks / sizeof id_marks[0])

char *plot_svg_inline(const char *svg, const char *prefix)
{
    const char *from = svg ? strstr(svg, "<svg") : NULL;
    if (from == NULL) return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL) return NULL;
    while (*from) {
        size_t m = 0;
        while (m < N_MARKS && strncmp(from, id_marks[m], strlen(id_marks[m])) != 0)
            m++;
        if (m < N_MARKS) {
            fputs(id_marks[m], out);
            fputs(prefix, out);
            from += strlen(id_marks[m]);
        } else {
            fputc(*from++, out);
        }
    }
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static const char style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1000px}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    ".results{display:flex;flex-wrap:wrap;gap:1em}"
    ".result{border-left:8px solid;padding:0.3em 0.8em;min-width:280px;flex:1}"
    ".result h2{margin:0.2em 0}dl{display:grid;grid-template-columns:auto 1fr;gap:0.1em 0.8em;"
    "margin:0.4em 0}dt{color:#555}dd{margin:0}"
    ".pass{color:#087a2a;font-weight:bold}.fail{color:#b00020;font-weight:bold}"
    ".none{color:#555;font-weight:bold}"
    "figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:0.2em}"
    "figure svg{width:100%;height:auto}"
    "table{border-collapse:collapse;margin:0.4em 0}td,th{border:1px solid #ccc;"
    "padding:0.15em 0.6em;text-align:right}td:first-child,th:first-child,td:last-child"
    "{text-align:left}td.part{padding-left:1.8em}"
    "pre{font-size:0.8em;overflow-x:auto}.legend span{padding:0 0.4em;margin-right:0.6em}";

static const char *cfg_str(const json_t *config, const char *key)
{
    const char *v = json_string_value(json_object_get(config, key));
    return v ? v : "?";
}

static double cfg_num(const json_t *config, const char *key)
{
    const json_t *v = json_object_get(config, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

static void fact(FILE *out, const char *name, const char *value)
{
    fprintf(out, "<dt>%s</dt><dd>", name);
    plot_html_escape(out, value);
    fputs("</dd>\n", out);
}

static void fact_num(FILE *out, const char *name, const char *format, double v)
{
    char text[64];
    snprintf(text, sizeof text, format, v);
    fact(out, name, text);
}

static const char *verdict_class(const struct run_summary *s)
{
    return !s->check_done ? "none" : s->check.ok ? "pass" : "fail";
}

static const char *verdict_text(const struct run_summary *s)
{
    return s->check_done ? check_summary(&s->check) : "not checked";
}

static void put_header(FILE *out, const struct plot_result *r, int i, const char *text)
{
    const struct run_summary *s = r->s;
    const json_t *c = s->config;
    fprintf(out, "<div class=\"result\" style=\"border-color:%s\"><h2>", plot_colour(i));
    plot_html_escape(out, r->label);
    fprintf(out, "</h2>\n<p class=\"%s\">check: %s</p>\n<dl>\n", verdict_class(s), verdict_text(s));
    char when[64] = "?";
    time_t start = (time_t)(s->start_wall_us / 1000000);
    struct tm tm;
    if (s->start_wall_us > 0 && gmtime_r(&start, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fact(out, "started", when);
    fact(out, "server", s->server_version ? s->server_version : "?");
    fact(out, "txstorm", s->tool_version ? s->tool_version : "?");
    if (s->merged_from) fact_num(out, "merged from", "%.0f results", s->merged_from);
    char load[256];
    snprintf(load, sizeof load, "%.0f workers, %s, %s, %s isolation, %.1f s", cfg_num(c, "workers"),
             cfg_str(c, "skew"), cfg_str(c, "shape"), cfg_str(c, "isolation"),
             (double)s->elapsed_us / 1e6);
    fact(out, "workload", load);
    char retry[256];
    snprintf(retry, sizeof retry, "%s, up to %.0f retries, backoff %s",
             cfg_str(c, "retry_protocol"), cfg_num(c, "max_retries"), cfg_str(c, "backoff"));
    fact(out, "retries", retry);
    if (cfg_num(c, "rate") > 0)
        fact_num(out, "offered", "%.0f transactions/s (open loop)", cfg_num(c, "rate"));
    const struct stats *t = &s->total;
    char outcome[256];
    snprintf(outcome, sizeof outcome,
             "%lld committed (%.0f/s), %lld retries, %lld failed, %lld ambiguous",
             (long long)t->committed, figures_per_second((double)t->committed, s->elapsed_us),
             (long long)t->retries, (long long)t->failed, (long long)t->ambiguous);
    fact(out, "outcome", outcome);
    const struct hist *lat = t->hist[HIST_LATENCY];
    if (lat && lat->total_count > 0) {
        char latency[128];
        snprintf(latency, sizeof latency, "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                 (double)hist_value_at_percentile(lat, 50) / 1e3,
                 (double)hist_value_at_percentile(lat, 99) / 1e3, (double)hist_max(lat) / 1e3);
        fact(out, "latency", latency);
    }
    /* Each trigger's recovery verdict, as the report words it. */
    for (size_t k = 0; k < s->triggers.n; k++) {
        const struct trigger_outcome *trig = &s->triggers.items[k];
        char verdict[160], line[sizeof trig->spec + sizeof verdict + 2];
        trigger_outcome_verdict_text(trig, verdict, sizeof verdict);
        snprintf(line, sizeof line, "%s: %s", trig->spec[0] ? trig->spec : "?", verdict);
        fact(out, "trigger", line);
    }
    fputs("</dl>\n", out);
    if (text) {
        fputs("<details><summary>the text report</summary><pre>", out);
        plot_html_escape(out, text);
        fputs("</pre></details>\n", out);
    }
    fputs("</div>\n", out);
}

static const char *const row_class[] = {
    [CHECK_PASS] = "pass",    [CHECK_FAIL] = "fail",    [CHECK_ALLOWED] = "none",
    [CHECK_SKIPPED] = "none", [CHECK_NOT_RUN] = "none",
};

/* One of the check's rows; a figure of the row above is indented under it. */
static void put_check_row(FILE *out, const struct check_row *row)
{
    fputs(row->detail ? "<tr><td class=\"part\">" : "<tr><td>", out);
    plot_html_escape(out, row->label);
    fprintf(out, "</td><td class=\"%s\">%s</td>", row_class[row->verdict],
            check_verdict_word(row->verdict));
    if (row->verdict == CHECK_SKIPPED)
        fputs("<td></td><td></td>", out);
    else
        fprintf(out, "<td>%lld</td><td>%lld%s%s</td>", (long long)row->expected,
                (long long)row->actual, row->actual_unit ? " " : "",
                row->actual_unit ? row->actual_unit : "");
    fputs("<td>", out);
    plot_html_escape(out, row->reason);
    fputs("</td></tr>\n", out);
}

static void put_check(FILE *out, const struct plot_result *r, int i)
{
    const struct run_summary *s = r->s;
    fprintf(out, "<div class=\"result\" style=\"border-color:%s\"><h3>", plot_colour(i));
    plot_html_escape(out, r->label);
    fputs("</h3>\n", out);
    if (!s->check_done) {
        fputs("<p class=\"none\">the bank was not checked</p></div>\n", out);
        return;
    }
    struct check_row rows[CHECK_ROWS_MAX];
    size_t n = check_rows(&s->check, rows, CHECK_ROWS_MAX);
    fputs("<table><tr><th>invariant</th><th>verdict</th><th>expected</th><th>actual</th>"
          "<th>reason</th></tr>\n",
          out);
    for (size_t k = 0; k < n; k++)
        if (rows[k].verdict != CHECK_NOT_RUN) put_check_row(out, &rows[k]);
    fprintf(out, "</table>\n<p class=\"%s\">check: %s</p></div>\n", verdict_class(s),
            verdict_text(s));
}

/* The result's server timeline (server_timeline.h), when a worker changed
 * server: which node served whom, from when. */
static bool put_servers(FILE *out, const struct plot_result *r, int i)
{
    const struct run_summary *s = r->s;
    struct server_timeline_line *lines;
    int n = server_timeline_lines(&s->workers_servers, s->origin_wall_us, &lines);
    if (n <= 0) return false;
    fprintf(out, "<div class=\"result\" style=\"border-color:%s\"><h3>", plot_colour(i));
    plot_html_escape(out, r->label);
    fputs("</h3>\n<table class=\"servers\"><tr><th>t (s)</th><th>UTC</th><th>workers</th>"
          "<th>server</th><th>node</th><th>role</th><th>timeline</th></tr>\n",
          out);
    for (int k = 0; k < n; k++) {
        const struct server_timeline_line *l = &lines[k];
        const char *cells[] = {l->utc, l->workers, l->server, l->node, l->role, l->timeline};
        fprintf(out, "<tr><td>%.3f</td>", l->t_s);
        for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
            fputs("<td>", out);
            plot_html_escape(out, cells[c]);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table></div>\n", out);
    free(lines);
    return true;
}

/* Counts what each chart drew (laid out, not just present in the markup) and
 * writes the count on its figure: what a reader sees, as a test can read it. */
static const char script[] =
    "<script>\n"
    "(function () {\n"
    "  var figures = document.querySelectorAll('figure.chart'), ok = 0;\n"
    "  figures.forEach(function (f) {\n"
    "    var drawn = 0;\n"
    "    f.querySelectorAll('g[id*=\"gnuplot_plot_\"] path, g[id*=\"gnuplot_plot_\"] polyline')\n"
    "      .forEach(function (e) {\n"
    "        var b = e.getBBox();\n"
    "        if (b.width + b.height > 0) drawn++;\n"
    "      });\n"
    "    f.setAttribute('data-drawn', drawn);\n"
    "    if (drawn > 0) ok++;\n"
    "  });\n"
    "  document.getElementById('drawn').textContent =\n"
    "    ok + ' of ' + figures.length + ' charts drawn';\n"
    "})();\n"
    "</script>\n";

int plot_write_html(FILE *out, const struct plot_result *r, int n, const char *const *texts,
                    const char *const *svgs)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>txstorm: ",
          out);
    for (int i = 0; i < n; i++) {
        if (i) fputs(", ", out);
        plot_html_escape(out, r[i].label);
    }
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>txstorm: %d result%s</h1>\n",
            style, n, n == 1 ? "" : "s");
    fputs("<div class=\"results\">\n", out);
    for (int i = 0; i < n; i++)
        put_header(out, &r[i], i, texts ? texts[i] : NULL);
    fputs("</div>\n<p class=\"legend\">Shaded on the time series: "
          "<span style=\"background:rgba(214,39,40,0.25)\">failover (no commit)</span>"
          "<span style=\"background:rgba(255,127,14,0.25)\">trigger</span>"
          "<span style=\"background:rgba(127,127,127,0.15)\">phase</span></p>\n",
          out);
    for (int c = 0; c < CHART_COUNT; c++) {
        if (svgs[c] == NULL) {
            fputs("<p class=\"absent\"><b>", out);
            plot_html_escape(out, plot_chart_title(c));
            fputs("</b>: nothing to draw in these results</p>\n", out);
            continue;
        }
        fprintf(out, "<figure class=\"chart\" id=\"chart%d\"><figcaption>", c);
        plot_html_escape(out, plot_chart_title(c));
        fprintf(out, "</figcaption>\n%s\n</figure>\n", svgs[c]);
    }
    fputs("<h2>Check</h2>\n<div class=\"results\">\n", out);
    for (int i = 0; i < n; i++)
        put_check(out, &r[i], i);
    fputs("</div>\n<h2 id=\"servers\">Server timeline</h2>\n<div class=\"results\">\n", out);
    bool any = false;
    for (int i = 0; i < n; i++)
        any = put_servers(out, &r[i], i) || any;
    if (!any) fputs("<p class=\"none\">no worker changed server</p>\n", out);
    fprintf(out,
            "</div>\n<p id=\"drawn\">charts not counted: scripts off</p>\n%s</body>\n</html>\n",
            script);
    return ferror(out) ? -1 : 0;
}
