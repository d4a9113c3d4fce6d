/* Backoff delays; formulas in include/txstorm/backoff.h. */
#include "txstorm/backoff.h"

#include <string.h>

static const char *const names[] = {
    [BACKOFF_NONE] = "none",
    [BACKOFF_EXPONENTIAL] = "exponential",
    [BACKOFF_FULL_JITTER] = "full-jitter",
};

/* min(cap, base * 2^retry) without overflowing. */
static int64_t capped_exponential(int64_t base_us, int64_t cap_us, unsigned retry) {
    if (base_us <= 0) return 0;
    int64_t d = base_us;
    for (unsigned i = 0; i < retry && d < cap_us; i++) {
        if (d > cap_us / 2) return cap_us;
        d *= 2;
    }
    return d < cap_us ? d : cap_us;
}

int64_t backoff_delay_us(const struct backoff_config *b, unsigned retry, struct rng *r) {
    switch (b->policy) {
    case BACKOFF_NONE:
        return 0;
    case BACKOFF_EXPONENTIAL:
        return capped_exponential(b->base_us, b->cap_us, retry);
    case BACKOFF_FULL_JITTER:
        return rng_between(r, 0, capped_exponential(b->base_us, b->cap_us, retry));
    }
    return 0;
}

int backoff_policy_parse(const char *name, enum backoff_policy *out) {
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum backoff_policy)i;
            return 0;
        }
    }
    return -1;
}

const char *backoff_policy_name(enum backoff_policy p) {
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}
