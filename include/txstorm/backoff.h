/* Backoff policies: how long to sleep before retrying a transaction.
 * Formulas (n = retry number, starting at 0):
 *   none         0
 *   exponential  min(cap, base * 2^n)
 *   full-jitter  uniform(0, min(cap, base * 2^n))   (AWS Architecture Blog,
 *                "Exponential Backoff And Jitter", 2015)
 */
#ifndef TXSTORM_BACKOFF_H
#define TXSTORM_BACKOFF_H

#include "txstorm/rng.h"
#include <stdint.h>

enum backoff_policy {
    BACKOFF_NONE,
    BACKOFF_EXPONENTIAL,
    BACKOFF_FULL_JITTER,
};

struct backoff_config {
    enum backoff_policy policy;
    int64_t base_us;
    int64_t cap_us;
};

/* Delay before retry number `retry` (0 for the first retry). Never negative,
 * never above cap_us; jittered policies draw from r. */
int64_t backoff_delay_us(const struct backoff_config *b, unsigned retry, struct rng *r);

/* "none", "exponential", "full-jitter"; returns -1 for an unknown name. */
int backoff_policy_parse(const char *name, enum backoff_policy *out);
const char *backoff_policy_name(enum backoff_policy p);

#endif
