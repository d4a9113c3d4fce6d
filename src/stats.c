/* Counting transaction outcomes and merging stats. */
#include "txstorm/stats.h"

#include <string.h>

static const char *const hist_names[HIST_COUNT] = {
    [HIST_LATENCY] = "latency_us",      [HIST_LATENCY_UNCORRECTED] = "latency_uncorrected_us",
    [HIST_ATTEMPT] = "attempt_us",      [HIST_BACKOFF] = "backoff_sleep_us",
    [HIST_RETRIES] = "retries_per_txn", [HIST_LAG] = "schedule_lag_us",
};

const char *stats_hist_name(enum stats_hist h)
{
    return (unsigned)h < HIST_COUNT ? hist_names[h] : "?";
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
    switch (o->end) {
    case TXN_COMMITTED:
        s->committed++;
        hist_record(s->hist[HIST_LATENCY], o->latency_us + o->lag_us);
        hist_record(s->hist[HIST_LATENCY_UNCORRECTED], o->latency_us);
        break;
    case TXN_INSUFFICIENT:
        s->insufficient++;
        break;
    case TXN_FAILED:
        s->failed++;
        break;
    case TXN_AMBIGUOUS:
        s->ambiguous++;
        break;
    }
    hist_record(s->hist[HIST_RETRIES], o->retries);
    hist_record(s->hist[HIST_LAG], o->lag_us);
    int64_t timed = o->attempts < TXN_ATTEMPTS_KEPT ? o->attempts : TXN_ATTEMPTS_KEPT;
    for (int64_t i = 0; i < timed; i++)
        hist_record(s->hist[HIST_ATTEMPT], o->attempt_us[i]);
    int64_t slept = o->sleeps < TXN_ATTEMPTS_KEPT ? o->sleeps : TXN_ATTEMPTS_KEPT;
    for (int64_t i = 0; i < slept; i++)
        hist_record(s->hist[HIST_BACKOFF], o->sleep_us[i]);

    if (o->retries > 0) s->retried_txns++;
    s->attempts += o->attempts;
    s->retries += o->retries;
    s->retries_in_place += o->retries_in_place;
    s->budget_denied += o->budget_denied;
    s->backoff_us += o->backoff_us;
    for (int c = 0; c < ERR_CLASS_COUNT; c++) {
        s->retries_by_class[c] += o->retries_by_class[c];
        s->errors_by_class[c] += o->errors_by_class[c];
    }
    for (int r = 0; r < REASON_COUNT; r++)
        s->retries_by_reason[r] += o->retries_by_reason[r];
}

bool stats_merge(struct stats *dst, const struct stats *src)
{
    for (int i = 0; i < HIST_COUNT; i++)
        if (dst->hist[i]->sig_figs != src->hist[i]->sig_figs ||
            dst->hist[i]->highest != src->hist[i]->highest)
            return false;
    for (int i = 0; i < HIST_COUNT; i++)
        hist_merge(dst->hist[i], src->hist[i]);
    dst->committed += src->committed;
    dst->failed += src->failed;
    dst->insufficient += src->insufficient;
    dst->ambiguous += src->ambiguous;
    dst->retried_txns += src->retried_txns;
    dst->attempts += src->attempts;
    dst->retries += src->retries;
    dst->retries_in_place += src->retries_in_place;
    dst->budget_denied += src->budget_denied;
    dst->backoff_us += src->backoff_us;
    for (int c = 0; c < ERR_CLASS_COUNT; c++) {
        dst->retries_by_class[c] += src->retries_by_class[c];
        dst->errors_by_class[c] += src->errors_by_class[c];
    }
    for (int r = 0; r < REASON_COUNT; r++)
        dst->retries_by_reason[r] += src->retries_by_reason[r];
    return true;
}
