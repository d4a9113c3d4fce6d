/* Backoff delays; formulas in include/txstorm/backoff.h. */
#include "txstorm/backoff.h"

#include <string.h>

const char *const backoff_policy_names[BACKOFF_POLICY_COUNT + 1] = {
    [BACKOFF_NONE] = "none",
    [BACKOFF_CONSTANT] = "constant",
    [BACKOFF_EXPONENTIAL] = "exponential",
    [BACKOFF_FULL_JITTER] = "full-jitter",
    [BACKOFF_EQUAL_JITTER] = "equal-jitter",
    [BACKOFF_DECORRELATED_JITTER] = "decorrelated-jitter",
};

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* min(cap, base * 2^retry) with no loop and no overflow: base * 2^n > cap
 * exactly when base > floor(cap / 2^n), and a shift of 63 or more is out of
 * range anyway (any base >= 1 then exceeds every int64 cap). */
static int64_t capped_exponential(int64_t base, int64_t cap, unsigned retry)
{
    if (base == 0) return 0;
    if (retry >= 63 || base > (cap >> retry)) return cap;
    return base << retry;
}

/* prev * 3, saturating at INT64_MAX. */
static int64_t triple(int64_t prev) { return prev > INT64_MAX / 3 ? INT64_MAX : prev * 3; }

int64_t backoff_delay_us(const struct backoff_config *b, unsigned retry, int64_t prev_us,
                         struct rng *r)
{
    /* Negative settings mean "nothing", so the result is always in [0, cap]. */
    int64_t cap = b->cap_us > 0 ? b->cap_us : 0;
    int64_t base = b->base_us > 0 ? b->base_us : 0;
    switch (b->policy) {
    case BACKOFF_NONE:
        return 0;
    case BACKOFF_CONSTANT:
        return base < cap ? base : cap;
    case BACKOFF_EXPONENTIAL:
        return capped_exponential(base, cap, retry);
    case BACKOFF_FULL_JITTER:
        return rng_between(r, 0, capped_exponential(base, cap, retry));
    case BACKOFF_EQUAL_JITTER: {
        /* e - e/2 rather than e/2 for the jitter, so an odd e still reaches e. */
        int64_t e = capped_exponential(base, cap, retry);
        int64_t half = e / 2;
        return half + rng_between(r, 0, e - half);
    }
    case BACKOFF_DECORRELATED_JITTER: {
        /* base is the floor and the first scale. With base 0 every draw is
         * uniform(0, 3 * 0) = 0, as exponential with base 0 is: a zero base
         * asks for no sleep, and decorrelated jitter has nothing to grow from.
         * A caller-supplied prev below base/3 (say after a cap below base)
         * cannot make the range empty: its top is never below base. */
        int64_t prev = (retry == 0 || prev_us <= 0) ? base : prev_us;
        int64_t hi = triple(prev);
        if (hi < base) hi = base;
        return clamp(rng_between(r, base, hi), 0, cap);
    }
    case BACKOFF_POLICY_COUNT:
        break;
    }
    return 0;
}

int backoff_policy_parse(const char *name, enum backoff_policy *out)
{
    for (int i = 0; i < BACKOFF_POLICY_COUNT; i++) {
        if (strcmp(name, backoff_policy_names[i]) == 0) {
            *out = (enum backoff_policy)i;
            return 0;
        }
    }
    return -1;
}

const char *backoff_policy_name(enum backoff_policy p)
{
    return (unsigned)p < BACKOFF_POLICY_COUNT ? backoff_policy_names[p] : "?";
}
