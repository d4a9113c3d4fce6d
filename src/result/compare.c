/* Comparing policies across runs: cells, their statistics, rankings and verdicts. */
#include "txstorm/compare.h"
#include "txstorm/backoff.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[CM_COUNT] = {
    [CM_GOODPUT] = "goodput_per_s",
    [CM_RETRIES_PER_COMMITTED] = "retries_per_committed",
    [CM_FAILED] = "failed",
    [CM_WASTED] = "wasted_attempts",
    [CM_BACKOFF_S] = "backoff_s",
    [CM_P50_MS] = "p50_ms",
    [CM_P99_MS] = "p99_ms",
    [CM_P999_MS] = "p999_ms",
    [CM_FAILED_PCT] = "failed_pct",
};

static const double percentiles[3] = {50, 99, 99.9};

const char *compare_metric_name(enum compare_metric m) { return metric_names[m]; }

int compare_run_policy(struct compare_run *run, const char *backoff, double retry_budget)
{
    enum backoff_policy p;
    if (backoff == NULL || backoff_policy_parse(backoff, &p) != 0) return -1;
    bool budget = retry_budget > 0;
    snprintf(run->policy, sizeof run->policy, "%s%s", backoff_policy_name(p),
             budget ? "+budget" : "");
    run->policy_rank = (int)p + (budget ? BACKOFF_POLICY_COUNT : 0);
    run->baseline = false;
    return 0;
}

/* A ratio as a metric: "no value" is the flag, never NaN. */
static void set_ratio(struct compare_run *run, enum compare_metric m, double ratio, double scale)
{
    run->has[m] = !isnan(ratio);
    run->value[m] = scale * figures_or_zero(ratio);
}

void compare_run_finish(struct compare_run *run, double goodput_per_s, double backoff_s)
{
    struct figures f;
    figures_of(&run->counts, 0, &f);
    run->value[CM_GOODPUT] = goodput_per_s;
    run->value[CM_FAILED] = (double)run->counts.failed;
    run->value[CM_WASTED] = (double)f.wasted_attempts;
    run->value[CM_BACKOFF_S] = backoff_s;
    run->has[CM_GOODPUT] = run->has[CM_FAILED] = run->has[CM_WASTED] = run->has[CM_BACKOFF_S] =
        true;
    set_ratio(run, CM_RETRIES_PER_COMMITTED, f.retries_per_commit, 1);
    set_ratio(run, CM_FAILED_PCT, f.failed_rate, 100);
    if (run->latency_us) {
        bool any = run->counts.committed > 0 && run->latency_us->total_count > 0;
        for (int i = 0; i < 3; i++) {
            run->has[CM_P50_MS + i] = any;
            run->value[CM_P50_MS + i] =
                any ? (double)hist_value_at_percentile(run->latency_us, percentiles[i]) / 1000.0
                    : 0;
        }
    }
    /* Without a histogram the loader set the percentiles; no commit, no latency. */
    if (run->counts.committed == 0)
        for (int i = 0; i < 3; i++)
            run->has[CM_P50_MS + i] = false;
}

void compare_run_free(struct compare_run *run)
{
    hist_destroy(run->latency_us);
    run->latency_us = NULL;
}

double compare_cell_p99_ms(const struct compare_cell *c) { return c->latency_ms[1]; }

/* Row order: workload (hot sets by size, then other skews by name), workers, policy. */
static int hot_size(const char *skew, long long *k)
{
    char *end;
    if (strncmp(skew, "hot:", 4) != 0) return 0;
    *k = strtoll(skew + 4, &end, 10);
    return *end == '\0';
}

static int skew_cmp(const char *a, const char *b)
{
    long long ka, kb;
    bool ha = hot_size(a, &ka), hb = hot_size(b, &kb);
    if (ha && hb) return (ka > kb) - (ka < kb);
    if (ha != hb) return ha ? -1 : 1;
    return strcmp(a, b);
}

/* A run being grouped, with the load it is grouped by (a baseline's placed). */
struct placed {
    const struct compare_run *run;
    const char *load;
};

static int placed_cmp(const struct placed *a, const struct placed *b)
{
    int c = skew_cmp(a->run->skew, b->run->skew);
    if (c) return c;
    if (a->run->workers != b->run->workers)
        return (a->run->workers > b->run->workers) - (a->run->workers < b->run->workers);
    if ((c = strcmp(a->load, b->load))) return c;
    if (a->run->policy_rank != b->run->policy_rank) return a->run->policy_rank - b->run->policy_rank;
    return strcmp(a->run->policy, b->run->policy);
}

static int ptr_cmp(const void *x, const void *y) { return placed_cmp(x, y); }

static bool same_workload(const char *skew_a, int64_t w_a, const char *skew_b, int64_t w_b)
{
    return w_a == w_b && strcmp(skew_a, skew_b) == 0;
}

/* A baseline (no load of its own) joins the runs of its skew and workers when
 * they all ran one load; else it stays apart, under its own empty load. */
static const char *baseline_load(const struct compare_run *runs, int n, const struct compare_run *b)
{
    const char *load = NULL;
    for (int i = 0; i < n; i++) {
        const struct compare_run *r = &runs[i];
        if (r->baseline || !same_workload(r->skew, r->workers, b->skew, b->workers)) continue;
        if (load && strcmp(load, r->load) != 0) return b->load;
        load = r->load;
    }
    return load ? load : b->load;
}

/* Numbers the groups that share a skew and workers with another (L1, L2...). */
static void number_splits(struct compare_study *s)
{
    for (int i = 0; i < s->n_groups; i++) {
        struct compare_group *g = &s->groups[i];
        for (int j = 0; j < s->n_groups && !g->split; j++)
            if (j != i && same_workload(g->skew, g->workers, s->groups[j].skew, s->groups[j].workers))
                g->split = ++s->n_split;
        for (int k = g->first; k < g->first + g->n; k++)
            s->cells[k].split = g->split;
    }
}

static struct compare_stat stat_of(const double *v, int n)
{
    struct compare_stat s = {.n = n};
    if (n == 0) return s;
    double sum = 0;
    s.min = s.max = v[0];
    for (int i = 0; i < n; i++) {
        sum += v[i];
        if (v[i] < s.min) s.min = v[i];
        if (v[i] > s.max) s.max = v[i];
    }
    s.mean = sum / n;
    if (n > 1) {
        double ss = 0;
        for (int i = 0; i < n; i++)
            ss += (v[i] - s.mean) * (v[i] - s.mean);
        s.sd = sqrt(ss / (n - 1));
    }
    return s;
}

/* A cell from runs p[0..n-1] of one workload and policy. */
static int build_cell(const struct placed *p, int n, struct compare_cell *c, double *scratch,
                      char *err, size_t err_len)
{
    memset(c, 0, sizeof *c);
    snprintf(c->load, sizeof c->load, "%s", p[0].load);
    snprintf(c->policy, sizeof c->policy, "%s", p[0].run->policy);
    snprintf(c->skew, sizeof c->skew, "%s", p[0].run->skew);
    c->policy_rank = p[0].run->policy_rank;
    c->baseline = p[0].run->baseline;
    c->workers = p[0].run->workers;
    c->reps = n;
    for (int m = 0; m < CM_COUNT; m++) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (p[i].run->has[m]) scratch[k++] = p[i].run->value[m];
        c->stat[m] = stat_of(scratch, k);
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        c->triggered += p[i].run->triggered;
        c->recovered += p[i].run->triggered && p[i].run->recovered;
        if (p[i].run->triggered && p[i].run->recovered) scratch[k++] = p[i].run->recover_s;
    }
    c->recover_s = stat_of(scratch, k);
    bool all_hist = true;
    for (int i = 0; i < n; i++) {
        figures_add(&c->counts, &p[i].run->counts);
        all_hist = all_hist && p[i].run->latency_us != NULL;
    }
    struct figures f;
    figures_of(&c->counts, 0, &f);
    c->has_retries_per_committed = !isnan(f.retries_per_commit);
    c->retries_per_committed = figures_or_zero(f.retries_per_commit);
    c->has_failed_pct = !isnan(f.failed_rate);
    c->failed_pct = 100 * figures_or_zero(f.failed_rate);

    c->has_latency = c->counts.committed > 0;
    if (!c->has_latency) return 0;
    if (!all_hist) {
        /* Some run brought only its own percentiles: the mean over the runs. */
        c->has_latency = c->stat[CM_P99_MS].n > 0;
        for (int i = 0; i < 3; i++)
            c->latency_ms[i] = c->stat[CM_P50_MS + i].mean;
        return 0;
    }
    struct hist *pool = hist_create(p[0].run->latency_us->highest, p[0].run->latency_us->sig_figs);
    if (pool == NULL) return errbuf_fail(err, err_len, "compare: out of memory");
    for (int i = 0; i < n; i++) {
        if (!hist_merge(pool, p[i].run->latency_us)) {
            hist_destroy(pool);
            return errbuf_fail(err, err_len,
                               "compare: %s at %s, %lld workers: the runs' latency histograms "
                               "differ in precision and cannot be pooled",
                               c->policy, c->skew, (long long)c->workers);
        }
    }
    c->has_latency = pool->total_count > 0;
    c->latency_pooled = true;
    for (int i = 0; i < 3; i++)
        c->latency_ms[i] =
            c->has_latency ? (double)hist_value_at_percentile(pool, percentiles[i]) / 1000.0 : 0;
    hist_destroy(pool);
    return 0;
}

static double range_of(const struct compare_stat *s) { return s->n > 0 ? s->max - s->min : 0; }

/* Ranks idx[0..k-1] (cell indexes) by key, best first; dir > 0: higher is
 * better. Equal keys keep the cells' (policy) order: insertion sort is stable. */
static void sort_cells(int *idx, int k, const double *key, int dir)
{
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && dir * (key[idx[j]] - key[idx[j - 1]]) > 0; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

/* The margin of the best over the runner-up, judged against the spread. */
static void judge(struct compare_ranking *rk, const struct compare_cell *cells, const double *key,
                  enum compare_metric spread_metric, int dir)
{
    rk->judgement = JUDGE_NONE;
    if (rk->n < 2) return;
    const struct compare_cell *b = &cells[rk->order[0]], *s = &cells[rk->order[1]];
    double vb = key[rk->order[0]], vs = key[rk->order[1]];
    rk->margin = dir > 0 ? vb - vs : vs - vb;
    rk->has_margin_pct = vs > 0;
    rk->margin_pct = vs > 0 ? rk->margin / vs * 100.0 : 0;
    double sb = range_of(&b->stat[spread_metric]), ss = range_of(&s->stat[spread_metric]);
    rk->spread = sb > ss ? sb : ss;
    if (rk->margin == 0)
        rk->judgement = JUDGE_TIE;
    else if (b->stat[spread_metric].n < 2 || s->stat[spread_metric].n < 2)
        rk->judgement = JUDGE_ONE_REP;
    else
        rk->judgement = rk->margin > rk->spread ? JUDGE_CLEAR : JUDGE_WITHIN_SPREAD;
}

static void rank_group(struct compare_group *g, const struct compare_cell *cells, double *key,
                       double max_failed_pct)
{
    struct compare_ranking *gp = &g->goodput, *p99 = &g->p99;
    memset(gp, 0, sizeof *gp);
    memset(p99, 0, sizeof *p99);
    for (int i = g->first; i < g->first + g->n; i++) {
        const struct compare_cell *c = &cells[i];
        if (c->baseline) continue;
        gp->order[gp->n++] = i;
        if (!c->has_latency)
            p99->no_commits[p99->n_no_commits++] = i;
        else if (c->has_failed_pct && c->failed_pct > max_failed_pct)
            p99->failing[p99->n_failing++] = i;
        else
            p99->order[p99->n++] = i;
    }
    for (int i = g->first; i < g->first + g->n; i++)
        key[i] = cells[i].stat[CM_GOODPUT].mean;
    sort_cells(gp->order, gp->n, key, 1);
    judge(gp, cells, key, CM_GOODPUT, 1);
    for (int i = g->first; i < g->first + g->n; i++)
        key[i] = compare_cell_p99_ms(&cells[i]);
    sort_cells(p99->order, p99->n, key, -1);
    judge(p99, cells, key, CM_P99_MS, -1);
}

static int dbl_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void median_worst(double *v, int n, double *median, double *worst)
{
    if (n == 0) return;
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *worst = v[n - 1];
}

/* How far repetitions of one cell disagree, over the ranked cells run more than once. */
static void measure_noise(struct compare_study *s, double *g, double *p)
{
    struct compare_noise *nz = &s->noise;
    memset(nz, 0, sizeof *nz);
    for (int i = 0; i < s->n_cells; i++) {
        const struct compare_cell *c = &s->cells[i];
        const struct compare_stat *gs = &c->stat[CM_GOODPUT], *ps = &c->stat[CM_P99_MS];
        if (c->baseline || c->reps < 2 || gs->n < 2 || !(gs->mean > 0)) continue;
        g[nz->cells++] = range_of(gs) / gs->mean * 100.0;
        if (ps->n >= 2 && ps->mean > 0) p[nz->p99_cells++] = range_of(ps) / ps->mean * 100.0;
    }
    median_worst(g, nz->cells, &nz->goodput_median_pct, &nz->goodput_worst_pct);
    median_worst(p, nz->p99_cells, &nz->p99_median_pct, &nz->p99_worst_pct);
}

void compare_free(struct compare_study *s)
{
    free(s->cells);
    free(s->groups);
    memset(s, 0, sizeof *s);
}

int compare_build(const struct compare_run *runs, int n, double max_failed_pct,
                  struct compare_study *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->max_failed_pct = max_failed_pct;
    size_t slots = n > 0 ? (size_t)n : 1;
    struct placed *sorted = malloc(slots * sizeof *sorted);
    double *scratch = malloc(2 * slots * sizeof *scratch);
    out->cells = calloc(slots, sizeof *out->cells);
    out->groups = calloc(slots, sizeof *out->groups);
    int rc = 0;
    if (sorted == NULL || scratch == NULL || out->cells == NULL || out->groups == NULL) {
        rc = errbuf_fail(err, err_len, "compare: out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++)
        sorted[i] = (struct placed){
            &runs[i], runs[i].baseline ? baseline_load(runs, n, &runs[i]) : runs[i].load};
    qsort(sorted, (size_t)n, sizeof *sorted, ptr_cmp);

    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && placed_cmp(&sorted[i], &sorted[j]) == 0)
            j++;
        if (build_cell(sorted + i, j - i, &out->cells[out->n_cells], scratch, err, err_len)) {
            rc = -1;
            goto done;
        }
        out->n_cells++;
        i = j;
    }
    for (int i = 0; i < out->n_cells;) {
        const struct compare_cell *c = &out->cells[i];
        struct compare_group *g = &out->groups[out->n_groups++];
        snprintf(g->skew, sizeof g->skew, "%s", c->skew);
        snprintf(g->load, sizeof g->load, "%s", c->load);
        g->workers = c->workers;
        g->first = i;
        g->baseline = g->none = -1;
        while (i < out->n_cells &&
               same_workload(out->cells[i].skew, out->cells[i].workers, g->skew, g->workers) &&
               strcmp(out->cells[i].load, g->load) == 0) {
            const struct compare_cell *ci = &out->cells[i];
            if (ci->baseline && g->baseline < 0) g->baseline = i;
            if (!ci->baseline) g->n_policies++;
            if (!ci->baseline && strcmp(ci->policy, "none") == 0) g->none = i;
            g->n++;
            i++;
        }
        if (g->n_policies > COMPARE_MAX_POLICIES) {
            rc = errbuf_fail(err, err_len, "compare: %s, %lld workers: more than %d policies",
                             g->skew, (long long)g->workers, COMPARE_MAX_POLICIES);
            goto done;
        }
        rank_group(g, out->cells, scratch, max_failed_pct);
    }
    number_splits(out);
    measure_noise(out, scratch, scratch + slots);
done:
    free(sorted);
    free(scratch);
    if (rc) compare_free(out);
    return rc;
}
