/* Retry budget: a token bucket shared by all workers, in the spirit of gRPC's
 * retry throttling. The bucket starts full with max tokens; each retry takes one
 * token; each transaction that commits on its first attempt puts back
 * `refund` tokens (up to max). With fewer than one token left a transaction
 * fails fast instead of retrying, so a storm cannot feed itself.
 * Lock-free (a compare-and-swap loop per call); safe from any thread. */
#ifndef TXSTORM_BUDGET_H
#define TXSTORM_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct retry_budget {
    bool enabled;
    int64_t max_milli;    /* capacity, in thousandths of a token */
    int64_t refund_milli; /* put back per first-try success */
    _Atomic int64_t milli;
};

/* max_tokens <= 0 disables the budget (every take succeeds). */
void budget_init(struct retry_budget *b, double max_tokens, double refund);

/* Takes a token for one retry; false (and nothing taken) when none is left. */
bool budget_take(struct retry_budget *b);

/* Puts back the refund after a first-try success. */
void budget_refund(struct retry_budget *b);

/* Tokens left, for reports (0 when the budget is disabled). */
double budget_tokens(const struct retry_budget *b);

#endif
