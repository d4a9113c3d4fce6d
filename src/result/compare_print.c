/* `txstorm compare`'s output: the table (text, Markdown), the CSV and the verdicts. */
#include "txstorm/compare.h"
#include "txstorm/text.h"

#include <string.h>

/* Decimals of each metric in the CSV. */
static const int csv_decimals[CM_COUNT] = {1, 4, 1, 1, 3, 3, 3, 3, 2};

/* A figure, or "-" when there is none, into buf. */
static const char *fmt(char *buf, size_t len, bool has, double v, int decimals)
{
    if (has)
        snprintf(buf, len, "%.*f", decimals, v);
    else
        snprintf(buf, len, "-");
    return buf;
}

/* The hot set's size for hot:K, else the whole skew. */
static const char *workload_name(const char *skew)
{
    return strncmp(skew, "hot:", 4) == 0 ? skew + 4 : skew;
}

static void ms(char *buf, size_t len, double x)
{
    snprintf(buf, len, x < 10 ? "%.2f ms" : "%.1f ms", x);
}

static void pct(char *buf, size_t len, double x)
{
    snprintf(buf, len, x < 1 ? "%.2f%%" : "%.1f%%", x);
}

static void range(char *buf, size_t len, const struct compare_stat *s, int decimals, bool md)
{
    if (s->n == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.*f%s%.*f", decimals, s->min, md ? "–" : "-", decimals, s->max);
}

/* The last column, "load", only when runs were split by their load. */
enum { COLS = 16, CELL = 64 };

static void print_row(FILE *out, char c[COLS][CELL], int cols, bool md)
{
    static const int width[COLS] = {-20, 5, 7, 4, 9, 13, 11, 8, 7, 9, 9, 8, 10, 15, 9, 4};
    if (md) {
        fputc('|', out);
        for (int i = 0; i < cols; i++)
            text_printf(out, " %s |", c[i]);
    } else {
        for (int i = 0; i < cols; i++)
            text_printf(out, "%s%*s", i ? " " : "", width[i], c[i]);
    }
    fputc('\n', out);
}

/* "L1" for a cell of a split group, "-" for the others. */
static const char *split_name(char *buf, size_t len, int split)
{
    if (split)
        snprintf(buf, len, "L%d", split);
    else
        snprintf(buf, len, "-");
    return buf;
}

/* What each split group's number stands for, after the table. */
static void print_split_legend(FILE *out, const struct compare_study *s, bool md)
{
    if (s->n_split == 0) return;
    fputs("\nRuns of one skew and worker count that offered different loads were split, "
          "never ranked against each other:\n",
          out);
    for (int i = 0; i < s->n_groups; i++) {
        const struct compare_group *g = &s->groups[i];
        if (g->split)
            text_printf(out, "%s  L%d: %s\n", md ? "-" : "", g->split,
                        g->load[0]
                            ? g->load
                            : "a baseline, not placed: the runs beside it offered several loads");
    }
}

void compare_print_table(FILE *out, const struct compare_study *s, bool md)
{
    static const char *const head[COLS] = {
        "policy",  "hot",    "workers",   "reps",   "goodput/s", "goodput_range", "retries/txn", "failed",
        "failed%", "wasted", "backoff_s", "p50_ms", "p99_ms",    "p99_range_ms",  "p99.9_ms",    "load"};
    int cols = s->n_split ? COLS : COLS - 1;
    char c[COLS][CELL];
    for (int i = 0; i < COLS; i++)
        snprintf(c[i], CELL, "%s", head[i]);
    print_row(out, c, cols, md);
    if (md)
        text_printf(
            out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s\n",
            s->n_split ? "---|" : "");
    bool averaged = false;
    for (int i = 0; i < s->n_cells; i++) {
        const struct compare_cell *x = &s->cells[i];
        const struct compare_stat *st = x->stat;
        snprintf(c[0], CELL, "%s", x->policy);
        snprintf(c[1], CELL, "%s", workload_name(x->skew));
        snprintf(c[2], CELL, "%lld", (long long)x->workers);
        snprintf(c[3], CELL, "%d", x->reps);
        fmt(c[4], CELL, st[CM_GOODPUT].n > 0, st[CM_GOODPUT].mean, 0);
        range(c[5], CELL, &st[CM_GOODPUT], 0, md);
        fmt(c[6], CELL, x->has_retries_per_committed, x->retries_per_committed, 3);
        fmt(c[7], CELL, st[CM_FAILED].n > 0, st[CM_FAILED].mean, 1);
        fmt(c[8], CELL, x->has_failed_pct, x->failed_pct, 2);
        fmt(c[9], CELL, st[CM_WASTED].n > 0, st[CM_WASTED].mean, 1);
        fmt(c[10], CELL, st[CM_BACKOFF_S].n > 0, st[CM_BACKOFF_S].mean, 3);
        const char *mark = x->has_latency && !x->latency_pooled ? "*" : "";
        averaged = averaged || *mark;
        int lat_cols[3] = {11, 12, 14};
        for (int k = 0; k < 3; k++) {
            char v[CELL / 2];
            snprintf(c[lat_cols[k]], CELL, "%s%s", fmt(v, sizeof v, x->has_latency, x->latency_ms[k], 3),
                     x->has_latency ? mark : "");
        }
        range(c[13], CELL, &st[CM_P99_MS], 1, md);
        split_name(c[15], CELL, x->split);
        print_row(out, c, cols, md);
    }
    if (averaged) {
        if (md) fputc('\n', out);
        text_printf(out, "* the mean of the runs' own percentiles: those runs brought no histogram "
                         "to pool\n");
    }
    print_split_legend(out, s, md);
}

static bool any_triggered(const struct compare_study *s)
{
    for (int i = 0; i < s->n_cells; i++)
        if (s->cells[i].triggered) return true;
    return false;
}

void compare_print_recovery(FILE *out, const struct compare_study *s, bool md)
{
    if (!any_triggered(s)) return;
    fputs("\ntime to recover after the runs' triggers (the slowest trigger of each run)\n", out);
    if (md)
        fputs("| policy | hot | workers | recovered | recover_s | recover_range_s | goodput/s | "
              "p99_ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
              out);
    else
        text_printf(out, "%-20s %5s %7s %9s %9s %15s %9s %10s\n", "policy", "hot", "workers",
                    "recovered", "recover_s", "recover_range_s", "goodput/s", "p99_ms");
    for (int i = 0; i < s->n_cells; i++) {
        const struct compare_cell *x = &s->cells[i];
        if (!x->triggered) continue;
        char runs[32], mean[CELL], rng[CELL], good[CELL], p99[CELL];
        snprintf(runs, sizeof runs, "%d of %d", x->recovered, x->triggered);
        fmt(mean, CELL, x->recover_s.n > 0, x->recover_s.mean, 1);
        range(rng, CELL, &x->recover_s, 1, md);
        fmt(good, CELL, x->stat[CM_GOODPUT].n > 0, x->stat[CM_GOODPUT].mean, 0);
        fmt(p99, CELL, x->has_latency, x->latency_ms[1], 3);
        if (md)
            text_printf(out, "| %s | %s | %lld | %s | %s | %s | %s | %s |\n", x->policy,
                        workload_name(x->skew), (long long)x->workers, runs, mean, rng, good, p99);
        else
            text_printf(out, "%-20s %5s %7lld %9s %9s %15s %9s %10s\n", x->policy,
                        workload_name(x->skew), (long long)x->workers, runs, mean, rng, good, p99);
    }
}

void compare_print_csv(FILE *out, const struct compare_study *s)
{
    fputs("policy,hot,workers,reps", out);
    for (int m = 0; m < CM_COUNT; m++) {
        const char *n = compare_metric_name(m);
        text_printf(out, ",%s_mean,%s_min,%s_max,%s_sd", n, n, n, n);
    }
    fputs(",cell_retries_per_committed,cell_failed_pct,cell_p50_ms,cell_p99_ms,cell_p999_ms,"
          "latency_from",
          out);
    bool triggered = any_triggered(s);
    /* Only results with --trigger runs carry these: others keep their columns. */
    if (triggered) fputs(",triggered_runs,recovered_runs,recover_s_mean,recover_s_max", out);
    /* Only when runs were split by their load: the load each cell ran. */
    if (s->n_split) fputs(",load", out);
    fputc('\n', out);
    for (int i = 0; i < s->n_cells; i++) {
        const struct compare_cell *x = &s->cells[i];
        text_printf(out, "%s,%s,%lld,%d", x->policy, workload_name(x->skew), (long long)x->workers,
                    x->reps);
        for (int m = 0; m < CM_COUNT; m++) {
            const struct compare_stat *st = &x->stat[m];
            const double v[4] = {st->mean, st->min, st->max, st->sd};
            char b[CELL];
            for (int k = 0; k < 4; k++)
                text_printf(out, ",%s", fmt(b, sizeof b, st->n > 0, v[k], csv_decimals[m]));
        }
        char b[CELL];
        text_printf(out, ",%s",
                    fmt(b, sizeof b, x->has_retries_per_committed, x->retries_per_committed, 4));
        text_printf(out, ",%s", fmt(b, sizeof b, x->has_failed_pct, x->failed_pct, 2));
        for (int k = 0; k < 3; k++)
            text_printf(out, ",%s", fmt(b, sizeof b, x->has_latency, x->latency_ms[k], 3));
        text_printf(out, ",%s",
                    !x->has_latency     ? "-"
                    : x->latency_pooled ? "histograms"
                                        : "run-means");
        char b2[CELL];
        if (triggered)
            text_printf(out, ",%d,%d,%s,%s", x->triggered, x->recovered,
                        fmt(b, sizeof b, x->recover_s.n > 0, x->recover_s.mean, 2),
                        fmt(b2, sizeof b2, x->recover_s.n > 0, x->recover_s.max, 2));
        if (s->n_split) {
            char shown[4 * COMPARE_LOAD_MAX];
            fputs(",\"", out);
            for (const char *p = text_escape(shown, sizeof shown, x->load); *p; p++) {
                if (*p == '"') fputc('"', out); /* CSV doubles a quote inside quotes */
                fputc(*p, out);
            }
            fputc('"', out);
        }
        fputc('\n', out);
    }
}

/* " (but it gave up on 1.2% of its transactions)" when it gave up on any. */
static void failed_note(FILE *out, const struct compare_cell *c)
{
    if (!c->has_failed_pct || c->failed_pct <= 0) return;
    char p[32];
    pct(p, sizeof p, c->failed_pct);
    text_printf(out, " (but it gave up on %s of its transactions)", p);
}

static void judgement(FILE *out, const struct compare_ranking *r, bool latency)
{
    char m[32], sp[32];
    if (latency) {
        ms(m, sizeof m, r->margin);
        ms(sp, sizeof sp, r->spread);
    } else {
        snprintf(m, sizeof m, "%.0f/s", r->margin);
        snprintf(sp, sizeof sp, "%.0f/s", r->spread);
    }
    switch (r->judgement) {
    case JUDGE_ONE_REP:
        fputs("with one repetition the run-to-run spread is unknown", out);
        break;
    case JUDGE_CLEAR:
        text_printf(out, "the margin of %s exceeds the run-to-run spread of %s", m, sp);
        break;
    case JUDGE_WITHIN_SPREAD:
        text_printf(out, "the margin of %s is within the run-to-run spread of %s: not a clear win",
                    m, sp);
        break;
    case JUDGE_NONE:
    case JUDGE_TIE:
        break;
    }
}

static void by_goodput(FILE *out, const struct compare_study *s, const struct compare_group *g)
{
    const struct compare_ranking *r = &g->goodput;
    const struct compare_cell *b = &s->cells[r->order[0]], *n2 = &s->cells[r->order[1]];
    double gb = b->stat[CM_GOODPUT].mean, gs = n2->stat[CM_GOODPUT].mean;
    if (!(gb > 0)) {
        fputs(" No policy committed a transaction: nothing to rank.", out);
        return;
    }
    if (r->judgement == JUDGE_TIE) {
        text_printf(out, " by goodput %s and %s tie at %.0f/s.", b->policy, n2->policy, gb);
    } else {
        text_printf(out, " by goodput %s is best at %.0f/s", b->policy, gb);
        failed_note(out, b);
        if (r->has_margin_pct)
            text_printf(out, ", %.1f%% above %s (%.0f/s); ", r->margin_pct, n2->policy, gs);
        else
            text_printf(out, ", ahead of %s, which committed nothing; ", n2->policy);
        judgement(out, r, false);
        fputc('.', out);
    }
    /* What backing off buys: the best against no backoff at all. */
    if (g->none >= 0 && g->none != r->order[0] && g->none != r->order[1]) {
        double gn = s->cells[g->none].stat[CM_GOODPUT].mean;
        text_printf(out, " Without backoff (none) goodput is %.0f/s, %.1f%% below the best.", gn,
                    (gb - gn) / gb * 100.0);
    }
}

static void list_cells(FILE *out, const struct compare_study *s, const int *idx, int n,
                       bool with_failed)
{
    for (int i = 0; i < n; i++) {
        const struct compare_cell *c = &s->cells[idx[i]];
        text_printf(out, "%s%s", i ? ", " : "", c->policy);
        if (with_failed) {
            char p[32];
            pct(p, sizeof p, c->failed_pct);
            text_printf(out, " (%s failed)", p);
        }
    }
}

static void by_p99(FILE *out, const struct compare_study *s, const struct compare_group *g)
{
    const struct compare_ranking *r = &g->p99;
    char limit[32], a[32], b[32];
    pct(limit, sizeof limit, s->max_failed_pct);
    if (r->n == 0 && r->n_failing == 0) {
        fputs(" p99 is not ranked: no policy committed a transaction.", out);
    } else if (r->n == 0) {
        const struct compare_cell *f = &s->cells[r->failing[0]];
        for (int i = 1; i < r->n_failing; i++)
            if (s->cells[r->failing[i]].failed_pct < f->failed_pct) f = &s->cells[r->failing[i]];
        pct(a, sizeof a, f->failed_pct);
        ms(b, sizeof b, compare_cell_p99_ms(f));
        text_printf(out,
                    " p99 is not ranked: every policy gave up on more than %s of its transactions; "
                    "the fewest, %s, gave up on %s, at a p99 of %s.",
                    limit, f->policy, a, b);
    } else if (r->n == 1) {
        const struct compare_cell *c = &s->cells[r->order[0]];
        ms(a, sizeof a, compare_cell_p99_ms(c));
        if (r->n_failing > 0)
            text_printf(out, " By p99 only %s gave up on at most %s of its transactions: %s.",
                        c->policy, limit, a);
        else
            text_printf(out, " By p99 only %s has commits to rank: %s.", c->policy, a);
    } else {
        const struct compare_cell *c = &s->cells[r->order[0]], *d = &s->cells[r->order[1]];
        ms(a, sizeof a, compare_cell_p99_ms(c));
        ms(b, sizeof b, compare_cell_p99_ms(d));
        if (r->judgement == JUDGE_TIE) {
            text_printf(out, " By p99 %s and %s tie at %s.", c->policy, d->policy, a);
        } else {
            text_printf(out, " By p99 %s is best at %s", c->policy, a);
            failed_note(out, c);
            text_printf(out, ", %.1f%% below %s (%s); ", r->margin_pct, d->policy, b);
            judgement(out, r, true);
            fputc('.', out);
        }
    }
    if (r->n_failing > 0 && r->n > 0) {
        text_printf(out, " Left out of the p99 ranking for giving up on more than %s: ", limit);
        list_cells(out, s, r->failing, r->n_failing, true);
        fputc('.', out);
    }
    if (r->n_no_commits > 0) {
        fputs(" Not ranked by p99, for committing nothing: ", out);
        list_cells(out, s, r->no_commits, r->n_no_commits, false);
        fputc('.', out);
    }
}

static void baseline(FILE *out, const struct compare_cell *c)
{
    char p99[48] = "-", failed[32] = "-", retries[32] = "-";
    if (c->has_latency) {
        ms(p99, sizeof p99, compare_cell_p99_ms(c));
        if (!c->latency_pooled) strcat(p99, " (the mean of its runs' p99)");
    }
    if (c->has_failed_pct) pct(failed, sizeof failed, c->failed_pct);
    if (c->has_retries_per_committed) snprintf(retries, sizeof retries, "%.3f", c->retries_per_committed);
    text_printf(out, " Baseline %s: %.0f/s, p99 %s, %s retries per committed, gave up on %s.",
                c->policy, c->stat[CM_GOODPUT].mean, p99, retries, failed);
}

void compare_print_verdicts(FILE *out, const struct compare_study *s)
{
    for (int i = 0; i < s->n_groups; i++) {
        const struct compare_group *g = &s->groups[i];
        if (strncmp(g->skew, "hot:", 4) == 0)
            text_printf(out, "hot %s", g->skew + 4);
        else
            text_printf(out, "skew %s", g->skew);
        text_printf(out, ", %lld worker%s", (long long)g->workers, g->workers == 1 ? "" : "s");
        if (g->split)
            text_printf(out, ", L%d (%s)", g->split,
                        g->load[0]
                            ? g->load
                            : "a baseline, not placed: the runs beside it offered several loads");
        fputc(':', out);
        if (g->n_policies < 2) {
            if (g->n_policies == 0)
                fputs(" no policy ran; nothing to compare.", out);
            else
                text_printf(out, " only %s ran; nothing to compare.",
                            s->cells[g->goodput.order[0]].policy);
        } else {
            by_goodput(out, s, g);
            by_p99(out, s, g);
        }
        if (g->baseline >= 0) baseline(out, &s->cells[g->baseline]);
        fputs("\n\n", out);
    }
    const struct compare_noise *nz = &s->noise;
    if (nz->cells == 0) {
        fputs("Noise: every cell ran once, so the run-to-run spread is unknown.\n", out);
        return;
    }
    text_printf(out,
                "Noise: across the %d cell%s with repeated runs, the range (max-min) of goodput is "
                "%.1f%% of its mean at the median cell and %.1f%% at the worst",
                nz->cells, nz->cells == 1 ? "" : "s", nz->goodput_median_pct,
                nz->goodput_worst_pct);
    if (nz->p99_cells > 0)
        text_printf(out, "; of the runs' p99, %.1f%% and %.1f%%", nz->p99_median_pct,
                    nz->p99_worst_pct);
    fputs(".\n", out);
}

void compare_print(FILE *out, const struct compare_study *s, enum compare_format f)
{
    switch (f) {
    case COMPARE_TEXT:
        compare_print_table(out, s, false);
        compare_print_recovery(out, s, false);
        fputc('\n', out);
        compare_print_verdicts(out, s);
        break;
    case COMPARE_MARKDOWN:
        compare_print_table(out, s, true);
        compare_print_recovery(out, s, true);
        break;
    case COMPARE_CSV:
        compare_print_csv(out, s);
        break;
    case COMPARE_VERDICTS:
        compare_print_verdicts(out, s);
        break;
    }
}
