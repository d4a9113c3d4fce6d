/* Backoff policies: how long to sleep before retrying a transaction. Pure.
 * With n the retry number (0 for the first retry), and e(n) = min(cap, base * 2^n):
 *   none                 0
 *   constant             base
 *   exponential          e(n)
 *   full-jitter          uniform(0, e(n))
 *   equal-jitter         e(n)/2 + uniform(0, e(n)/2)
 *   decorrelated-jitter  min(cap, uniform(base, prev * 3)), prev = the previous
 *                        delay, base before the first retry
 * (the jittered ones after Marc Brooker, "Exponential Backoff And Jitter",
 * AWS Architecture Blog, 2015). Every delay is in [0, cap].
 */
#ifndef TXSTORM_BACKOFF_H
#define TXSTORM_BACKOFF_H

#include "txstorm/rng.h"
#include <stdint.h>

enum backoff_policy {
    BACKOFF_NONE,
    BACKOFF_CONSTANT,
    BACKOFF_EXPONENTIAL,
    BACKOFF_FULL_JITTER,
    BACKOFF_EQUAL_JITTER,
    BACKOFF_DECORRELATED_JITTER,
    BACKOFF_POLICY_COUNT
};

struct backoff_config {
    enum backoff_policy policy;
    int64_t base_us;
    int64_t cap_us;
};

/* Delay before retry number `retry`. prev_us is the delay returned for the
 * previous retry of the same transaction (ignored for retry 0 and by every
 * policy but decorrelated-jitter). Jittered policies draw from r. */
int64_t backoff_delay_us(const struct backoff_config *b, unsigned retry, int64_t prev_us,
                         struct rng *r);

/* Policy names as above, indexed by the enum, ending in NULL. */
extern const char *const backoff_policy_names[];

/* Returns -1 for an unknown name. */
int backoff_policy_parse(const char *name, enum backoff_policy *out);
const char *backoff_policy_name(enum backoff_policy p);

#endif
