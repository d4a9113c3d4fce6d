/* Stalls measured commit to commit. */
#include "txstorm/stall.h"

static void store_max(atomic_int_fast64_t *at, int64_t v)
{
    int_fast64_t seen = atomic_load_explicit(at, memory_order_relaxed);
    while (v > seen && !atomic_compare_exchange_weak(at, &seen, v)) {
    }
}

void stall_init(struct stall_watch *w, int64_t threshold_us, int64_t start_us)
{
    w->threshold_us = threshold_us;
    w->start_us = start_us;
    atomic_init(&w->last_commit_us, start_us);
    atomic_init(&w->count, 0);
    atomic_init(&w->longest_us, 0);
    atomic_init(&w->first_at_us, 0);
}

/* One quiet stretch from since_us to until_us. */
static void record(struct stall_watch *w, int64_t since_us, int64_t until_us)
{
    int64_t gap_us = until_us - since_us;
    if (w->threshold_us == 0 || gap_us < w->threshold_us) return;
    if (atomic_fetch_add(&w->count, 1) == 0) atomic_store(&w->first_at_us, since_us - w->start_us);
    store_max(&w->longest_us, gap_us);
}

void stall_commit(struct stall_watch *w, int64_t commit_us)
{
    int64_t prev = atomic_load_explicit(&w->last_commit_us, memory_order_relaxed);
    while (commit_us > prev &&
           !atomic_compare_exchange_weak(&w->last_commit_us, &prev, commit_us)) {
    }
    /* A commit stamped before the latest one closes no gap. */
    if (commit_us > prev) record(w, prev, commit_us);
}

bool stall_ongoing(const struct stall_watch *w, int64_t now_us)
{
    int64_t last = atomic_load_explicit(&w->last_commit_us, memory_order_relaxed);
    return w->threshold_us > 0 && now_us - last >= w->threshold_us;
}

void stall_summarize(const struct stall_watch *w, int64_t end_us, struct stall_summary *out)
{
    out->count = atomic_load(&w->count);
    out->longest_us = atomic_load(&w->longest_us);
    out->first_at_us = atomic_load(&w->first_at_us);
    int64_t last = atomic_load(&w->last_commit_us);
    int64_t gap_us = end_us - last;
    if (w->threshold_us > 0 && gap_us >= w->threshold_us) {
        if (out->count++ == 0) out->first_at_us = last - w->start_us;
        if (gap_us > out->longest_us) out->longest_us = gap_us;
    }
}
