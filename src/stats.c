/* Counting transaction outcomes and merging workers' counts. */
#include "txstorm/stats.h"

#include <string.h>

bool stats_init(struct stats *s, int sig_figs)
{
    memset(s, 0, sizeof *s);
    s->latency_us = hist_create(STATS_LATENCY_HIGHEST_US, sig_figs);
    return s->latency_us != NULL;
}

void stats_free(struct stats *s)
{
    hist_destroy(s->latency_us);
    s->latency_us = NULL;
}

void stats_reset(struct stats *s)
{
    struct hist *h = s->latency_us;
    memset(s, 0, sizeof *s);
    s->latency_us = h;
    hist_reset(h);
}

void stats_add_txn(struct stats *s, const struct txn_outcome *o)
{
    switch (o->end) {
    case TXN_COMMITTED:
        s->committed++;
        hist_record(s->latency_us, o->latency_us);
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

void stats_merge(struct stats *dst, const struct stats *src)
{
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
    hist_merge(dst->latency_us, src->latency_us);
}
