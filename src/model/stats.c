/* Counting transaction outcomes and merging stats. */
#include "txstorm/stats.h"

#include <stdio.h>

#include <string.h>

static const struct {
    const char *name;
    bool older; /* results written before it lack it */
} hists[HIST_COUNT] = {
    [HIST_LATENCY] = {"latency_us", false},
    [HIST_LATENCY_UNCORRECTED] = {"latency_uncorrected_us", false},
    [HIST_ATTEMPT] = {"attempt_us", false},
    [HIST_BACKOFF] = {"backoff_sleep_us", false},
    [HIST_RETRIES] = {"retries_per_txn", false},
    [HIST_LAG] = {"schedule_lag_us", false},
    [HIST_CONNECT] = {"connect_us", true},
};

/* A counter declared outside the lists in stats.h would be neither added,
 * merged nor saved (the last connect's moment, merged by hand, is no count). */
#define ONE(field, key, add, older) +1
#define LENGTH(field, n, name, sparse) +(n)
_Static_assert(sizeof(struct stats) ==
                   (0 STATS_COUNTERS(ONE) STATS_COUNTS_BY(LENGTH) STATS_CONNECT_COUNTERS(ONE)
                        STATS_CONNECT_COUNTS_BY(LENGTH)) *
                           sizeof(int64_t) +
                       sizeof(int64_t) /* last_connect_at_us */ + sizeof(struct errlog) +
                       sizeof(struct hist *) * HIST_COUNT,
               "every counter of struct stats is in STATS_COUNTERS, STATS_COUNTS_BY, "
               "STATS_CONNECT_COUNTERS or STATS_CONNECT_COUNTS_BY");
#undef ONE
#undef LENGTH

const char *stats_hist_name(enum stats_hist h)
{
    return (unsigned)h < HIST_COUNT ? hists[h].name : "?";
}

bool stats_hist_older(enum stats_hist h) { return (unsigned)h < HIST_COUNT && hists[h].older; }

size_t stats_bytes(int sig_figs)
{
    return sizeof(struct stats) + HIST_COUNT * hist_bytes(STATS_HIST_HIGHEST, sig_figs);
}

bool stats_init(struct stats *s, int sig_figs)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < HIST_COUNT; i++) {
        s->hist[i] = hist_create(STATS_HIST_HIGHEST, sig_figs);
        if (s->hist[i] == NULL) {
            stats_free(s);
            return false;
        }
    }
    return true;
}

void stats_free(struct stats *s)
{
    for (int i = 0; i < HIST_COUNT; i++) {
        hist_destroy(s->hist[i]);
        s->hist[i] = NULL;
    }
}

void stats_reset(struct stats *s)
{
    struct hist *keep[HIST_COUNT];
    memcpy(keep, s->hist, sizeof keep);
    memset(s, 0, sizeof *s);
    memcpy(s->hist, keep, sizeof keep);
    for (int i = 0; i < HIST_COUNT; i++)
        hist_reset(s->hist[i]);
}

void stats_add_txn(struct stats *s, const struct txn_outcome *o)
{
    if (o->end == TXN_COMMITTED) {
        hist_record(s->hist[HIST_LATENCY], o->latency_us + o->lag_us);
        hist_record(s->hist[HIST_LATENCY_UNCORRECTED], o->latency_us);
    }
    hist_record(s->hist[HIST_RETRIES], o->retries);
    hist_record(s->hist[HIST_LAG], o->lag_us);
    int64_t timed = o->attempts < TXN_ATTEMPTS_KEPT ? o->attempts : TXN_ATTEMPTS_KEPT;
    for (int64_t i = 0; i < timed; i++)
        hist_record(s->hist[HIST_ATTEMPT], o->attempt_us[i]);
    int64_t slept = o->sleeps < TXN_ATTEMPTS_KEPT ? o->sleeps : TXN_ATTEMPTS_KEPT;
    for (int64_t i = 0; i < slept; i++)
        hist_record(s->hist[HIST_BACKOFF], o->sleep_us[i]);

    for (int i = 0; i < o->n_noted; i++)
        errlog_add(&s->errors, o->noted[i].cls, o->noted[i].sqlstate, o->noted[i].message,
                   o->noted[i].count);
#define ADD(field, key, add, older) s->field += (add);
    STATS_COUNTERS(ADD)
#undef ADD
#define ADD_BY(field, n, name, sparse)                                                             \
    for (int i = 0; i < (n); i++)                                                                  \
        s->field[i] += o->field[i];
    STATS_COUNTS_BY(ADD_BY)
#undef ADD_BY
}

void stats_add_connect(struct stats *s, const struct connect_outcome *c)
{
    if (c->ok) {
        hist_record(s->hist[HIST_CONNECT], c->latency_us);
        if (s->connects == 0 || c->at_us > s->last_connect_at_us) s->last_connect_at_us = c->at_us;
    } else
        s->connect_failures[c->reason]++;
#define ADD(field, key, add, older) s->field += (add);
    STATS_CONNECT_COUNTERS(ADD)
#undef ADD
}

bool stats_merge(struct stats *dst, const struct stats *src)
{
    for (int i = 0; i < HIST_COUNT; i++)
        if (dst->hist[i]->sig_figs != src->hist[i]->sig_figs ||
            dst->hist[i]->highest != src->hist[i]->highest)
            return false;
    for (int i = 0; i < HIST_COUNT; i++)
        hist_merge(dst->hist[i], src->hist[i]);
    if (src->connects > 0 &&
        (dst->connects == 0 || src->last_connect_at_us > dst->last_connect_at_us))
        dst->last_connect_at_us = src->last_connect_at_us;
#define MERGE(field, key, add, older) dst->field += src->field;
    STATS_COUNTERS(MERGE)
    STATS_CONNECT_COUNTERS(MERGE)
#undef MERGE
#define MERGE_BY(field, n, name, sparse)                                                           \
    for (int i = 0; i < (n); i++)                                                                  \
        dst->field[i] += src->field[i];
    STATS_COUNTS_BY(MERGE_BY)
    STATS_CONNECT_COUNTS_BY(MERGE_BY)
#undef MERGE_BY
    errlog_merge(&dst->errors, &src->errors);
    return true;
}

struct figure_counts stats_counts(const struct stats *s)
{
    return (struct figure_counts){.committed = s->committed,
                                  .failed = s->failed,
                                  .insufficient = s->insufficient,
                                  .ambiguous = s->ambiguous,
                                  .attempts = s->attempts,
                                  .retries = s->retries};
}

void stats_figures(const struct stats *s, int64_t span_us, struct figures *out)
{
    struct figure_counts c = stats_counts(s);
    figures_of(&c, span_us, out);
}

/* Every attempt connected or failed for a reason: counted down from the
 * attempts, so no sum of a hand-edited result's counts can overflow. */
static bool connects_add_up(const struct stats *s)
{
    if (s->connects < 0 || s->connects > s->connect_attempts) return false;
    int64_t left = s->connect_attempts - s->connects;
    for (int r = 0; r < CONNECT_REASON_COUNT; r++) {
        if (s->connect_failures[r] < 0 || s->connect_failures[r] > left) return false;
        left -= s->connect_failures[r];
    }
    return left == 0;
}

int stats_check_consistent(const struct stats *s, char *why, size_t why_len)
{
    int64_t finished = figures_finished(s->committed, s->failed, s->insufficient, s->ambiguous);
    const struct {
        bool holds;
        const char *what;
    } rules[] = {
        {s->attempts >= s->committed, "attempts below committed"},
        {s->retried_txns <= s->retries, "more retried transactions than retries"},
        {s->retried_txns <= finished, "more retried transactions than finished ones"},
        {s->retries_in_place <= s->retries, "more retries in place than retries"},
        {s->budget_denied <= s->failed, "more denied by the budget than failed"},
        {s->hist[HIST_LATENCY]->total_count == s->committed,
         "the latency histogram does not hold one value per committed transaction"},
        {s->hist[HIST_LATENCY_UNCORRECTED]->total_count == s->committed,
         "the uncorrected latency histogram does not hold one value per committed transaction"},
        {connects_add_up(s), "connection attempts are not the connects plus the failed ones"},
        {s->hist[HIST_CONNECT]->total_count == s->connects,
         "the connect histogram does not hold one value per connect"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (rules[i].holds) continue;
        snprintf(why, why_len, "%s", rules[i].what);
        return -1;
    }
    return 0;
}
