/* Load phases: the notation, the rate function and its integral. */
#include "txstorm/phases.h"

#include "txstorm/decimal.h"
#include "txstorm/duration.h"
#include "txstorm/errbuf.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIECE_MAX 160
/* A run of at most a year, as --duration. */
#define SPAN_MAX_US (366LL * 24 * 3600 * 1000000)

/* "--load: phase 2 'peak=2000:10s': " and the rest. */
#define FAIL(fmt, ...)                                                                             \
    errbuf_fail(err, err_len, "--load: phase %d '%s': " fmt, index, piece, __VA_ARGS__)

/* A plain decimal, all of s: no sign (read_rate names a negative one). */
static int read_number(const char *s, size_t len, double *out)
{
    return len > 0 && s[0] != '-' && decimal_parse(s, len, out) == 0 ? 0 : -1;
}

static int read_rate(const char *s, size_t len, double *out, int index, const char *piece,
                     char *err, size_t err_len)
{
    if (len > 0 && s[0] == '-') return FAIL("the rate %.*s is negative", (int)len, s);
    if (read_number(s, len, out) != 0)
        return FAIL("'%.*s' is not a rate (a number of transactions/s)", (int)len, s);
    if (*out > PHASES_RATE_MAX) return FAIL("the rate %.*s is above 1e9/s", (int)len, s);
    return 0;
}

static int read_span(const char *s, int64_t *out_us, int index, const char *piece, char *err,
                     size_t err_len)
{
    if (s[0] == '-') return FAIL("the span %s is negative", s);
    size_t digits = decimal_span(s, strlen(s), false);
    double n;
    if (read_number(s, digits, &n) != 0)
        return FAIL("'%s' is not a span (a number with a unit: us, ms, s, m, h)", s);
    int64_t unit_us = duration_unit_us(s + digits, strlen(s + digits));
    if (unit_us > 0) {
        double us = n * (double)unit_us;
        if (us > (double)SPAN_MAX_US) return FAIL("the span %s is too long (at most 366 days)", s);
        *out_us = (int64_t)llround(us);
        if (*out_us <= 0) return FAIL("the span %s must be above zero", s);
        return 0;
    }
    if (s[digits] == '\0') return FAIL("the span %s needs a unit (us, ms, s, m, h)", s);
    return FAIL("'%s' is not a span (a number with a unit: us, ms, s, m, h)", s);
}

static int read_name(const char *s, size_t len, char *out, int index, const char *piece, char *err,
                     size_t err_len)
{
    if (len == 0) return FAIL("the name before '=' is empty%s", "");
    if (len >= PHASES_NAME_MAX)
        return FAIL("the name is longer than %d characters", PHASES_NAME_MAX - 1);
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return FAIL("the name may hold only letters, digits, '_', '-' and '.'%s", "");
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

/* [NAME=]RATE[..RATE]/s:SPAN into ph (start_us already set). */
static int read_phase(const char *piece, int index, struct phase *ph, char *err, size_t err_len)
{
    const char *body = piece, *eq = strchr(piece, '=');
    if (eq) {
        if (read_name(piece, (size_t)(eq - piece), ph->name, index, piece, err, err_len)) return -1;
        body = eq + 1;
    } else {
        snprintf(ph->name, sizeof ph->name, "phase%d", index);
    }
    const char *colon = strchr(body, ':');
    if (colon == NULL) return FAIL("needs a span after ':' (e.g. 500/s:30s)%s", "");
    size_t rate_len = (size_t)(colon - body);
    if (rate_len < 2 || strncmp(colon - 2, "/s", 2) != 0)
        return FAIL("the rate '%.*s' needs its unit, /s (e.g. 500/s)", (int)rate_len, body);
    rate_len -= 2;
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < rate_len && dots == NULL; i++)
        if (body[i] == '.' && body[i + 1] == '.') dots = body + i;
    size_t from_len = dots ? (size_t)(dots - body) : rate_len;
    if (read_rate(body, from_len, &ph->from_per_s, index, piece, err, err_len)) return -1;
    ph->to_per_s = ph->from_per_s;
    if (dots &&
        read_rate(dots + 2, rate_len - from_len - 2, &ph->to_per_s, index, piece, err, err_len))
        return -1;
    int64_t span_us = 0;
    if (read_span(colon + 1, &span_us, index, piece, err, err_len)) return -1;
    ph->end_us = ph->start_us + span_us;
    if (ph->end_us > SPAN_MAX_US) return FAIL("the phases last more than 366 days in all%s", "");
    return 0;
}

static void set_cum(struct phases *p)
{
    double cum = 0;
    for (int i = 0; i < p->n_segments; i++) {
        struct phases_segment *s = &p->seg[i];
        s->cum_before = cum;
        cum += (s->from_per_s + s->to_per_s) / 2 * (double)(s->end_us - s->start_us) / 1e6;
    }
}

int phases_parse(const char *text, struct phases *p, char *err, size_t err_len)
{
    memset(p, 0, sizeof *p);
    const char *at = text;
    for (int index = 1;; index++) {
        size_t len = strcspn(at, ",");
        char piece[PIECE_MAX];
        if (len >= sizeof piece)
            return errbuf_fail(err, err_len, "--load: phase %d is longer than %d characters", index,
                               PIECE_MAX - 1);
        memcpy(piece, at, len);
        piece[len] = '\0';
        if (len == 0)
            return errbuf_fail(err, err_len,
                               "--load: phase %d is empty (phases are NAME=RATE/s:SPAN, "
                               "separated by commas)",
                               index);
        if (p->n == PHASES_MAX)
            return errbuf_fail(err, err_len, "--load: more than %d phases", PHASES_MAX);
        struct phase *ph = &p->phase[p->n];
        ph->start_us = p->n ? p->phase[p->n - 1].end_us : 0;
        if (read_phase(piece, index, ph, err, err_len)) return -1;
        for (int i = 0; i < p->n; i++)
            if (strcmp(p->phase[i].name, ph->name) == 0)
                return FAIL("the name '%s' is used twice", ph->name);
        p->seg[p->n] = (struct phases_segment){.start_us = ph->start_us,
                                               .end_us = ph->end_us,
                                               .from_per_s = ph->from_per_s,
                                               .to_per_s = ph->to_per_s};
        p->n++;
        if (at[len] == '\0') break;
        at += len + 1;
    }
    p->n_segments = p->n;
    set_cum(p);
    return 0;
}

void phases_init_constant(struct phases *p, const char *name, double rate_per_s, int64_t span_us)
{
    memset(p, 0, sizeof *p);
    p->n = p->n_segments = 1;
    snprintf(p->phase[0].name, sizeof p->phase[0].name, "%s", name);
    p->phase[0].end_us = span_us;
    p->phase[0].from_per_s = p->phase[0].to_per_s = rate_per_s;
    p->seg[0] = (struct phases_segment){
        .end_us = span_us, .from_per_s = rate_per_s, .to_per_s = rate_per_s};
    set_cum(p);
}

int64_t phases_end_us(const struct phases *p) { return p->n ? p->phase[p->n - 1].end_us : 0; }

int phases_index_at(const struct phases *p, int64_t t_us)
{
    for (int i = 0; i < p->n; i++)
        if (t_us < p->phase[i].end_us) return i;
    return p->n - 1;
}

/* The rate past the last segment: its closing rate holds. */
static double tail_rate(const struct phases *p)
{
    return p->n_segments ? p->seg[p->n_segments - 1].to_per_s : 0;
}

static int64_t segments_end_us(const struct phases *p)
{
    return p->n_segments ? p->seg[p->n_segments - 1].end_us : 0;
}

static double seg_rate(const struct phases_segment *s, double t_us)
{
    double x = (t_us - (double)s->start_us) / (double)(s->end_us - s->start_us);
    return s->from_per_s + (s->to_per_s - s->from_per_s) * x;
}

/* The segment holding t (start <= t < end), or -1 past the end. */
static int seg_at(const struct phases *p, double t_us)
{
    for (int i = 0; i < p->n_segments; i++)
        if (t_us < (double)p->seg[i].end_us) return i;
    return -1;
}

double phases_rate_at(const struct phases *p, int64_t t_us)
{
    if (t_us < 0 || p->n_segments == 0) return 0;
    int i = seg_at(p, (double)t_us);
    return i < 0 ? tail_rate(p) : seg_rate(&p->seg[i], (double)t_us);
}

double phases_peak_rate(const struct phases *p, int64_t from_us, int64_t to_us)
{
    double peak = phases_rate_at(p, from_us);
    for (int i = 0; i < p->n_segments; i++) {
        const struct phases_segment *s = &p->seg[i];
        if (s->end_us <= from_us || s->start_us >= to_us) continue;
        double a = (double)(s->start_us > from_us ? s->start_us : from_us);
        double b = (double)(s->end_us < to_us ? s->end_us : to_us);
        peak = fmax(peak, fmax(seg_rate(s, a), seg_rate(s, b)));
    }
    if (to_us > segments_end_us(p)) peak = fmax(peak, tail_rate(p));
    return peak;
}

double phases_cum(const struct phases *p, double t_us)
{
    if (t_us <= 0 || p->n_segments == 0) return 0;
    int i = seg_at(p, t_us);
    if (i < 0) {
        const struct phases_segment *last = &p->seg[p->n_segments - 1];
        double total = last->cum_before + (last->from_per_s + last->to_per_s) / 2 *
                                              (double)(last->end_us - last->start_us) / 1e6;
        return total + tail_rate(p) * (t_us - (double)last->end_us) / 1e6;
    }
    const struct phases_segment *s = &p->seg[i];
    double x_s = (t_us - (double)s->start_us) / 1e6;
    return s->cum_before + (s->from_per_s + seg_rate(s, t_us)) / 2 * x_s;
}

double phases_interval_offered(const struct phases *p, int64_t from_us, int64_t to_us,
                               int64_t stop_us)
{
    int64_t end_us = to_us < stop_us ? to_us : stop_us;
    if (p->n == 0 || end_us <= from_us) return 0;
    int i = phases_index_at(p, from_us);
    int64_t phase_end_us = i == p->n - 1 ? INT64_MAX : p->phase[i].end_us;
    int64_t own_us = end_us < phase_end_us ? end_us : phase_end_us;
    double offered = phases_cum(p, (double)own_us) - phases_cum(p, (double)from_us);
    if (end_us > own_us)
        offered += phases_rate_at(p, phase_end_us - 1) * (double)(end_us - own_us) / 1e6;
    return offered;
}

int64_t phases_time_of(const struct phases *p, double count)
{
    if (count <= 0 || p->n_segments == 0) return 0;
    for (int i = 0; i < p->n_segments; i++) {
        const struct phases_segment *s = &p->seg[i];
        double span_s = (double)(s->end_us - s->start_us) / 1e6;
        double total = (s->from_per_s + s->to_per_s) / 2 * span_s;
        double c = count - s->cum_before;
        if (c > total) continue;
        /* from*x + k*x^2 = c with k = (to - from) / (2 span): the root that
         * lies in the segment, in a form that does not cancel when k is small. */
        double a = s->from_per_s, k = (s->to_per_s - s->from_per_s) / (2 * span_s);
        double disc = a * a + 4 * k * c;
        double x_s = c / a;
        if (k != 0) x_s = 2 * c / (a + sqrt(disc > 0 ? disc : 0));
        if (!(x_s >= 0)) x_s = 0;
        if (x_s > span_s) x_s = span_s;
        return s->start_us + llround(x_s * 1e6);
    }
    double rate = tail_rate(p);
    if (rate <= 0) return INT64_MAX;
    double beyond_s = (count - phases_cum(p, (double)segments_end_us(p))) / rate;
    if (beyond_s * 1e6 > (double)(INT64_MAX / 2)) return INT64_MAX;
    return segments_end_us(p) + llround(beyond_s * 1e6);
}

/* The rate function as it was, at t (past the end: the tail). */
static double old_rate(const struct phases_segment *seg, int n, double tail, double t_us,
                       bool right_end)
{
    for (int i = 0; i < n; i++) {
        bool inside = right_end ? t_us <= (double)seg[i].end_us : t_us < (double)seg[i].end_us;
        if (inside) return seg_rate(&seg[i], t_us);
    }
    return tail;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int phases_add_spike(struct phases *p, int64_t start_us, int64_t span_us, double rate_per_s)
{
    if (p->n == 0 || start_us < 0 || span_us <= 0 || start_us > SPAN_MAX_US - span_us ||
        !(rate_per_s >= 0) || rate_per_s > PHASES_RATE_MAX || p->n_spikes == PHASES_SPIKES_MAX)
        return -1;
    int64_t end_us = start_us + span_us, old_end_us = segments_end_us(p);
    int64_t points[PHASES_SEGMENTS_MAX + 3];
    int n = 0;
    points[n++] = 0;
    for (int i = 0; i < p->n_segments; i++)
        points[n++] = p->seg[i].end_us;
    points[n++] = start_us;
    points[n++] = end_us;
    qsort(points, (size_t)n, sizeof *points, cmp_i64);
    struct phases_segment old[PHASES_SEGMENTS_MAX];
    int n_old = p->n_segments;
    double tail = tail_rate(p);
    memcpy(old, p->seg, sizeof old);
    struct phases_segment seg[PHASES_SEGMENTS_MAX];
    int n_seg = 0;
    for (int i = 0; i + 1 < n; i++) {
        int64_t a = points[i], b = points[i + 1];
        if (a == b) continue;
        if (n_seg == PHASES_SEGMENTS_MAX) return -1;
        bool spiked = a >= start_us && b <= end_us;
        seg[n_seg++] = (struct phases_segment){
            .start_us = a,
            .end_us = b,
            .from_per_s = spiked ? rate_per_s : old_rate(old, n_old, tail, (double)a, false),
            .to_per_s = spiked ? rate_per_s : old_rate(old, n_old, tail, (double)b, true)};
    }
    /* Past a spike that reaches the end, the closing rate resumes. */
    if (end_us >= old_end_us) {
        if (n_seg == PHASES_SEGMENTS_MAX) return -1;
        seg[n_seg++] = (struct phases_segment){
            .start_us = end_us, .end_us = end_us + 1, .from_per_s = tail, .to_per_s = tail};
    }
    memcpy(p->seg, seg, sizeof seg);
    p->n_segments = n_seg;
    p->n_spikes++;
    set_cum(p);
    return 0;
}
