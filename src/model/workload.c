/* Choosing a transfer's two accounts and its amount. */
#include "txstorm/workload.h"
#include "txstorm/decimal.h"
#include "txstorm/errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const workload_amount_mode_names[] = {[AMOUNT_RANGE] = "range",
                                                  [AMOUNT_FRACTION] = "fraction", NULL};

/* Redraws of the second Zipf id before falling back to a uniform one: with a
 * large exponent almost every draw is 1, and the loop must still end. */
enum { ZIPF_REDRAWS = 64 };

/* ---- Zipf by rejection-inversion (Hoermann & Derflinger 1996) ----
 *
 * With h(x) = x^-s and H(x) = (x^(1-s) - 1) / (1 - s) its antiderivative
 * (log x at s = 1), a uniform u over (H(3/2) - h(1), H(n + 1/2)] is inverted
 * to a continuous x and rounded to the proposal k. Accepting k only when u
 * lies in the top h(k) of its interval, u >= H(k + 1/2) - h(k), makes P(k)
 * proportional to h(k) exactly: h is convex, so h(k) never exceeds the
 * interval's width. Most proposals pass the cheap test k - x <= threshold
 * without evaluating H. The cost per draw is O(1) whatever n is. */

/* log1p(x) / x and expm1(x) / x with their limits at 0, so that H and its
 * inverse stay accurate as s passes through 1 instead of dividing 0 by 0. */
static double log1p_over(double x)
{
    if (fabs(x) > 1e-8) return log1p(x) / x;
    return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double expm1_over(double x)
{
    if (fabs(x) > 1e-8) return expm1(x) / x;
    return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

static double zipf_h(double s, double x) { return exp(-s * log(x)); }

static double zipf_H(double s, double x)
{
    double lx = log(x);
    return expm1_over((1 - s) * lx) * lx;
}

static double zipf_H_inverse(double s, double u) { return exp(log1p_over((1 - s) * u) * u); }

int zipf_init(struct zipf *z, int64_t n, double s)
{
    if (n < 1 || !(s > 0) || !isfinite(s)) return -1;
    z->n = n;
    z->s = s;
    z->h_integral_x1 = zipf_H(s, 1.5) - 1;
    z->h_integral_n = zipf_H(s, (double)n + 0.5);
    z->threshold = 2 - zipf_H_inverse(s, zipf_H(s, 2.5) - zipf_h(s, 2));
    return 0;
}

int64_t zipf_sample(const struct zipf *z, struct rng *r)
{
    for (;;) {
        double u = z->h_integral_n + rng_unit(r) * (z->h_integral_x1 - z->h_integral_n);
        double x = zipf_H_inverse(z->s, u);
        double rounded = x + 0.5;
        int64_t k;
        /* Clamped as doubles first: converting a NaN or out-of-range double
         * to an integer is undefined, and extreme s can round x anywhere. */
        if (!(rounded >= 2))
            k = 1;
        else if (rounded >= (double)z->n)
            k = z->n;
        else
            k = (int64_t)rounded;
        if (k > z->n) k = z->n;
        if ((double)k - x <= z->threshold ||
            u >= zipf_H(z->s, (double)k + 0.5) - zipf_h(z->s, (double)k))
            return k;
    }
}

/* ---- Parsing and checking ---- */

/* Whole-string plain decimal (decimal.h): an unsigned whole number, or any. */
static int parse_int(const char *s, int64_t *out)
{
    return s[0] != '-' && decimal_parse_whole(s, strlen(s), out) == 0 ? 0 : -1;
}

static int parse_number(const char *s, double *out) { return decimal_parse(s, strlen(s), out); }

int workload_parse_skew(const char *s, struct skew *out, char *err, size_t err_len)
{
    static const char forms[] = "uniform, hot:K, hotspot:K:P or zipf:S";
    if (s == NULL || s[0] == '\0')
        return errbuf_fail(err, err_len, "--skew: empty; expected %s", forms);
    struct skew k = {0};
    if (strcmp(s, "uniform") == 0) {
        k.kind = SKEW_UNIFORM;
    } else if (strncmp(s, "hot:", 4) == 0) {
        k.kind = SKEW_HOT;
        if (parse_int(s + 4, &k.hot) != 0)
            return errbuf_fail(err, err_len, "--skew: '%s': K is not a whole number", s);
        if (k.hot < 2) return errbuf_fail(err, err_len, "--skew: '%s': K must be at least 2", s);
    } else if (strncmp(s, "hotspot:", 8) == 0) {
        k.kind = SKEW_HOTSPOT;
        const char *colon = strchr(s + 8, ':');
        if (colon == NULL) return errbuf_fail(err, err_len, "--skew: '%s' is not hotspot:K:P", s);
        char kbuf[32];
        size_t klen = (size_t)(colon - (s + 8));
        if (klen == 0 || klen >= sizeof kbuf)
            return errbuf_fail(err, err_len, "--skew: '%s': K is not a whole number", s);
        memcpy(kbuf, s + 8, klen);
        kbuf[klen] = '\0';
        if (parse_int(kbuf, &k.hot) != 0)
            return errbuf_fail(err, err_len, "--skew: '%s': K is not a whole number", s);
        if (k.hot < 2) return errbuf_fail(err, err_len, "--skew: '%s': K must be at least 2", s);
        if (parse_number(colon + 1, &k.hot_probability) != 0)
            return errbuf_fail(err, err_len, "--skew: '%s': P is not a number", s);
        if (k.hot_probability < 0 || k.hot_probability > 1)
            return errbuf_fail(err, err_len, "--skew: '%s': P must be in [0, 1]", s);
    } else if (strncmp(s, "zipf:", 5) == 0) {
        k.kind = SKEW_ZIPF;
        if (s[5] == '\0')
            return errbuf_fail(err, err_len, "--skew: 'zipf:' needs an exponent S > 0");
        if (parse_number(s + 5, &k.zipf_s) != 0)
            return errbuf_fail(err, err_len, "--skew: '%s': S is not a number", s);
        if (!(k.zipf_s > 0)) return errbuf_fail(err, err_len, "--skew: '%s': S must be above 0", s);
    } else {
        return errbuf_fail(err, err_len, "--skew: unknown '%s'; expected %s", s, forms);
    }
    *out = k;
    return 0;
}

static const char *plural(int64_t n) { return n == 1 ? "" : "s"; }

int workload_init(struct workload_config *w, char *err, size_t err_len)
{
    int64_t n = w->accounts;
    const struct skew *k = &w->skew;
    memset(&w->zipf, 0, sizeof w->zipf);
    if (n < 2)
        return errbuf_fail(err, err_len, "--skew: the bank has %lld account%s; a transfer needs 2",
                           (long long)n, plural(n));
    switch (k->kind) {
    case SKEW_UNIFORM:
        break;
    case SKEW_HOT:
        if (k->hot < 2)
            return errbuf_fail(err, err_len,
                               "--skew: hot set %lld is too small; a transfer needs 2",
                               (long long)k->hot);
        if (k->hot > n)
            return errbuf_fail(err, err_len,
                               "--skew: hot set %lld is larger than the bank (%lld accounts)",
                               (long long)k->hot, (long long)n);
        break;
    case SKEW_HOTSPOT:
        if (k->hot < 2)
            return errbuf_fail(err, err_len,
                               "--skew: hot set %lld is too small; a transfer needs 2",
                               (long long)k->hot);
        if (k->hot > n - 2) {
            int64_t rest = n - k->hot > 0 ? n - k->hot : 0;
            return errbuf_fail(err, err_len,
                               "--skew: hot set %lld leaves %lld account%s of %lld outside it; "
                               "hotspot needs at least 2 there",
                               (long long)k->hot, (long long)rest, plural(rest), (long long)n);
        }
        if (!(k->hot_probability >= 0 && k->hot_probability <= 1))
            return errbuf_fail(err, err_len, "--skew: hot probability %g is not in [0, 1]",
                               k->hot_probability);
        break;
    case SKEW_ZIPF:
        if (zipf_init(&w->zipf, n, k->zipf_s) != 0)
            return errbuf_fail(err, err_len, "--skew: zipf exponent %g must be a number above 0",
                               k->zipf_s);
        break;
    default:
        return errbuf_fail(err, err_len, "--skew: unknown kind %d", (int)k->kind);
    }
    if (w->amount_mode == AMOUNT_FRACTION) {
        if (!(w->amount_fraction > 0 && w->amount_fraction <= 1))
            return errbuf_fail(err, err_len, "--amount-fraction: %g is not in (0, 1]",
                               w->amount_fraction);
    } else if (w->amount_mode == AMOUNT_RANGE) {
        if (w->amount_lo > w->amount_hi)
            return errbuf_fail(err, err_len, "--amount: low end %lld is above high end %lld",
                               (long long)w->amount_lo, (long long)w->amount_hi);
    } else {
        return errbuf_fail(err, err_len, "--amount-mode: unknown mode %d", (int)w->amount_mode);
    }
    return 0;
}

/* Two distinct ids from first..first+count-1: the second is drawn from
 * count-1 slots and skips over the first, so no rejection loop is needed. */
static void distinct_pair(struct rng *r, int64_t first, int64_t count, struct transfer *t)
{
    uint64_t a = rng_below(r, (uint64_t)count);
    uint64_t b = rng_below(r, (uint64_t)count - 1);
    if (b >= a) b++;
    t->from = first + (int64_t)a;
    t->to = first + (int64_t)b;
}

void workload_next_transfer(const struct workload_config *w, struct rng *r, struct transfer *t)
{
    const struct skew *k = &w->skew;
    switch (k->kind) {
    case SKEW_UNIFORM:
        distinct_pair(r, 1, w->accounts, t);
        break;
    case SKEW_HOT:
        distinct_pair(r, 1, k->hot, t);
        break;
    case SKEW_HOTSPOT:
        if (rng_unit(r) < k->hot_probability)
            distinct_pair(r, 1, k->hot, t);
        else
            distinct_pair(r, k->hot + 1, w->accounts - k->hot, t);
        break;
    case SKEW_ZIPF: {
        int64_t a = zipf_sample(&w->zipf, r);
        int64_t b = a;
        for (int i = 0; i < ZIPF_REDRAWS && b == a; i++)
            b = zipf_sample(&w->zipf, r);
        if (b == a) {
            b = 1 + (int64_t)rng_below(r, (uint64_t)w->accounts - 1);
            if (b >= a) b++;
        }
        t->from = a;
        t->to = b;
        break;
    }
    }
    if (w->amount_mode == AMOUNT_FRACTION) {
        t->amount = 0;
        t->fraction = w->amount_fraction;
    } else {
        t->amount = rng_between(r, w->amount_lo, w->amount_hi);
        t->fraction = 0;
    }
}
