/* Retry budget: a lock-free token bucket in thousandths of a token. */
#include "txstorm/budget.h"

#include <math.h>

enum { MILLI_PER_TOKEN = 1000 };

/* Keeps max + refund far below INT64_MAX, so refund never overflows. */
#define TOKENS_LIMIT 1e15

static int64_t to_milli(double tokens)
{
    if (!(tokens > 0)) return 0; /* also NaN */
    if (tokens > TOKENS_LIMIT) tokens = TOKENS_LIMIT;
    return llround(tokens * MILLI_PER_TOKEN);
}

void budget_init(struct retry_budget *b, double max_tokens, double refund)
{
    b->enabled = max_tokens > 0;
    b->max_milli = b->enabled ? to_milli(max_tokens) : 0;
    b->refund_milli = b->enabled ? to_milli(refund) : 0;
    atomic_init(&b->milli, b->max_milli);
}

bool budget_take(struct retry_budget *b)
{
    if (!b->enabled) return true;
    /* A plain fetch_sub could dip below zero and hand a token out to one
     * thread while another's check still saw it; the CAS only ever moves
     * from a value that holds a whole token. Relaxed: the count guards no
     * other memory. */
    int64_t cur = atomic_load_explicit(&b->milli, memory_order_relaxed);
    do {
        if (cur < MILLI_PER_TOKEN) return false;
    } while (!atomic_compare_exchange_weak_explicit(&b->milli, &cur, cur - MILLI_PER_TOKEN,
                                                    memory_order_relaxed, memory_order_relaxed));
    return true;
}

void budget_refund(struct retry_budget *b)
{
    if (!b->enabled || b->refund_milli == 0) return;
    int64_t cur = atomic_load_explicit(&b->milli, memory_order_relaxed);
    int64_t next;
    do {
        next = cur + b->refund_milli;
        if (next > b->max_milli) next = b->max_milli;
        if (next == cur) return; /* already full */
    } while (!atomic_compare_exchange_weak_explicit(&b->milli, &cur, next, memory_order_relaxed,
                                                    memory_order_relaxed));
}

double budget_tokens(const struct retry_budget *b)
{
    /* A disabled budget holds nothing (max 0); reports should show it as off. */
    return (double)atomic_load_explicit(&b->milli, memory_order_relaxed) / MILLI_PER_TOKEN;
}
